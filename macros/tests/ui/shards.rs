// `shards` and `single_flight`: each wrong value is an error on that value. (The error
// without evict's `sync` feature is a doctest of `evict::__private::SyncFeature`: these tests
// build `evict` with `sync`.)

#[evict::memoize(policy = evict::LruCache, maxsize = 8, shards = 0)]
fn zero_shards(n: u64) -> u64 {
    n
}

#[evict::memoize(policy = evict::LruCache, maxsize = 8, shards = 6)]
fn not_a_power_of_two(n: u64) -> u64 {
    n
}

#[evict::lru_cache(maxsize = 8, shards = 131072)]
fn too_many(n: u64) -> u64 {
    n
}

#[evict::lru_cache(maxsize = 8, shards = "8")]
fn string_shards(n: u64) -> u64 {
    n
}

#[evict::memoize(policy = evict::LruCache, maxsize = 8, single_flight)]
fn single_flight_alone(n: u64) -> u64 {
    n
}

const THREE: usize = 3;

#[evict::lru_cache(maxsize = 8, shards = THREE)]
fn constant_not_a_power_of_two(n: u64) -> u64 {
    n
}

fn main() {}
