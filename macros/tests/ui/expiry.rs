#[evict::lru_cache(maxsize = 4, ttl = "30x")]
fn unknown_unit(n: u64) -> u64 {
    n
}

#[evict::lru_cache(maxsize = 4, ttl = "30")]
fn no_unit(n: u64) -> u64 {
    n
}

#[evict::cache(time_to_idle = 30)]
fn a_number(n: u64) -> u64 {
    n
}

#[evict::cache(time_to_live = "1s")]
fn long_name(n: u64) -> u64 {
    n
}

#[evict::cache(ttl = "1.5ns")]
fn finer_than_a_nanosecond(n: u64) -> u64 {
    n
}

fn main() {}
