#[derive(Clone)]
struct Opaque(u64);

#[evict::lru_cache(max_bytes = 1 << 20)]
fn no_byte_size(n: u64) -> Opaque {
    Opaque(n)
}

fn wrong_key(_: &u64, v: &String) -> u64 {
    v.len() as u64
}

#[evict::lru_cache(max_weight = 100, weigher = wrong_key)]
fn weigher_of_the_wrong_key(n: u64) -> String {
    n.to_string()
}

#[evict::lru_cache(max_bytes = "64MiB")]
fn budget_not_a_number(n: u64) -> u64 {
    n
}

fn main() {}
