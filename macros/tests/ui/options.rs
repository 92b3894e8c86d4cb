#[evict::lru_cache(maxsize = 4, size = 3)]
fn unknown(n: u64) -> u64 {
    n
}

#[evict::lru_cache(maxsize = 4, typed = true)]
fn typed(n: u64) -> u64 {
    n
}

#[evict::cache(maxsize = 4)]
fn unbounded_with_maxsize(n: u64) -> u64 {
    n
}

#[evict::lru_cache(maxsize = 4, maxsize = 8)]
fn twice(n: u64) -> u64 {
    n
}

#[evict::memoize(maxsize = 8)]
fn no_policy(n: u64) -> u64 {
    n
}

#[evict::lru_cache(policy = evict::LruCache)]
fn fixed_policy(n: u64) -> u64 {
    n
}

fn main() {}
