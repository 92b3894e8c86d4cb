fn by_len(_: &(u64,), v: &String) -> u64 {
    v.len() as u64
}

#[evict::lru_cache(maxsize = 4, max_bytes = 100)]
fn both_bounds(n: u64) -> u64 {
    n
}

#[evict::lru_cache(max_weight = 10)]
fn no_weigher(n: u64) -> String {
    n.to_string()
}

#[evict::lru_cache(weigher = by_len)]
fn no_budget(n: u64) -> String {
    n.to_string()
}

#[evict::lru_cache(max_bytes = 10, weigher = by_len)]
fn bytes_with_weigher(n: u64) -> String {
    n.to_string()
}

#[evict::lru_cache(max_bytes = 10, max_weight = 5, weigher = by_len)]
fn two_budgets(n: u64) -> String {
    n.to_string()
}

#[evict::cache(max_bytes = 10)]
fn unbounded_with_budget(n: u64) -> u64 {
    n
}

#[evict::memoize(policy = evict::LruCache<(u64,), u64>, max_bytes = 100)]
fn explicit_parameters(n: u64) -> u64 {
    n
}

fn main() {}
