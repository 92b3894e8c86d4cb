//! Policies by name, built at run time behind the object-safe [`Cache`] trait.
//!
//! Bélády's optimum (`opt`, `opt-fill`) is not here: it needs the whole future of the trace,
//! so it is no [`Cache`]; see [`crate::opt`] and [`crate::replay`].

use std::fmt;

use evict_core::Cache;

/// The seed of `random`, so that runs are repeatable.
pub const RANDOM_SEED: u64 = 0x5eed;

/// Names of the policies [`build`] knows, in the order of the reports.
///
/// ```
/// assert!(evict_sim::registry::POLICIES.contains(&"lru"));
/// ```
pub const POLICIES: &[&str] = &[
    "lru", "fifo", "random", "clock", "sieve", "s3fifo", "arc", "wtinylfu",
];

/// A policy name [`build`] does not know.
///
/// ```
/// let Err(err) = evict_sim::registry::build("nope", 10) else { panic!("nope is no policy") };
/// assert_eq!(err.0, "nope");
/// assert!(err.to_string().contains("known: "));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPolicy(pub String);

impl fmt::Display for UnknownPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown policy '{}' (known: {}, {}, {})",
            self.0,
            POLICIES.join(", "),
            crate::replay::OPT_FILL,
            crate::replay::OPT
        )
    }
}

impl std::error::Error for UnknownPolicy {}

/// A new, empty cache of policy `name` holding at most `maxsize` entries.
///
/// # Errors
///
/// [`UnknownPolicy`] if `name` is not one of [`POLICIES`].
///
/// # Examples
///
/// ```
/// use evict_sim::registry::build;
///
/// let mut cache = build("lru", 2).unwrap();
/// assert!(cache.get(&1).is_none());
/// let _ = cache.put(1, ());
/// assert!(cache.get(&1).is_some());
/// assert_eq!(cache.capacity(), Some(2));
/// ```
pub fn build(name: &str, maxsize: usize) -> Result<Box<dyn Cache<u64, ()>>, UnknownPolicy> {
    Ok(match name {
        "lru" => Box::new(evict_lru::LruCache::new(maxsize)),
        "fifo" => Box::new(evict_fifo::FifoCache::new(maxsize)),
        "random" => Box::new(evict_random::RandomCache::with_seed(maxsize, RANDOM_SEED)),
        "clock" => Box::new(evict_clock::ClockCache::new(maxsize)),
        "sieve" => Box::new(evict_sieve::SieveCache::new(maxsize)),
        "s3fifo" => Box::new(evict_s3fifo::S3FifoCache::new(maxsize)),
        "arc" => Box::new(evict_arc::ArcCache::new(maxsize)),
        "wtinylfu" => Box::new(evict_wtinylfu::WTinyLfuCache::new(maxsize)),
        _ => return Err(UnknownPolicy(name.to_string())),
    })
}
