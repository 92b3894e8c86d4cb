const SECONDS: u64 = 30;

#[evict::lru_cache(maxsize = 4, ttl = SECONDS)]
fn not_a_duration(n: u64) -> u64 {
    n
}

fn main() {}
