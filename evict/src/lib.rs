#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]
//! `evict`: cache eviction policies behind one trait, with Python's `functools` ergonomics.
//!
//! Every policy implements [`Cache`]; each is compiled in by its Cargo feature, so a program
//! switches policy by changing one type name. See the
//! [README](https://example.invalid/evict) for the quick start, the feature table and the
//! benchmarks.
//!
//! ```
//! # #[cfg(feature = "lru")] {
//! use evict::{Cache, LruCache};
//!
//! let mut cache = LruCache::new(2);
//! let _ = cache.put("a", 1);
//! let _ = cache.put("b", 2);
//! assert_eq!(cache.get(&"a"), Some(&1));
//! let _ = cache.put("c", 3); // evicts "b", the least recently used
//! assert_eq!(cache.get(&"b"), None);
//! assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=1, maxsize=2, currsize=2)");
//! cache.clear();
//! assert_eq!(cache.info().to_string(), "CacheInfo(hits=0, misses=0, maxsize=2, currsize=0)");
//! # }
//! ```

extern crate alloc;

mod byte_size;

pub use byte_size::{ByteSize, byte_weight};
pub use evict_core::{
    Cache, CacheInfo, Fetched, Put, Removal, Shard, Sink, Stats, Unweighted, Weigher,
};

/// The weigher type parameter of a cache bounded by weight: `with_weigher` builds
/// `LruCache<K, V, DefaultHashBuilder, Weighted<F>>` (and the same for every policy).
pub use evict_slots::Weighted;

/// The hasher every policy uses when none is given (hashbrown's default, foldhash): the
/// `S` of `LruCache<K, V, S>` and the others, to name in a type or pass to `with_hasher`.
pub use hashbrown::DefaultHashBuilder;

/// Everything of the `UnboundedCache` policy crate: its iterator types (`Iter`, `IterMut`,
/// `IntoIter`, `Drain`, `Keys`, `Values`, `ValuesMut`) and constants, to name in signatures.
#[cfg(feature = "unbounded")]
#[cfg_attr(docsrs, doc(cfg(feature = "unbounded")))]
pub use evict_unbounded as unbounded;
#[cfg(feature = "unbounded")]
#[cfg_attr(docsrs, doc(cfg(feature = "unbounded")))]
pub use evict_unbounded::UnboundedCache;

/// Everything of the `LruCache` policy crate: its iterator types (`Iter`, `IterMut`,
/// `IntoIter`, `Drain`, `Keys`, `Values`, `ValuesMut`) and constants, to name in signatures.
#[cfg(feature = "lru")]
#[cfg_attr(docsrs, doc(cfg(feature = "lru")))]
pub use evict_lru as lru;
#[cfg(feature = "lru")]
#[cfg_attr(docsrs, doc(cfg(feature = "lru")))]
pub use evict_lru::LruCache;

/// Everything of the `FifoCache` policy crate: its iterator types (`Iter`, `IterMut`,
/// `IntoIter`, `Drain`, `Keys`, `Values`, `ValuesMut`) and constants, to name in signatures.
#[cfg(feature = "fifo")]
#[cfg_attr(docsrs, doc(cfg(feature = "fifo")))]
pub use evict_fifo as fifo;
#[cfg(feature = "fifo")]
#[cfg_attr(docsrs, doc(cfg(feature = "fifo")))]
pub use evict_fifo::FifoCache;

/// Everything of the `RandomCache` policy crate: its iterator types (`Iter`, `IterMut`,
/// `IntoIter`, `Drain`, `Keys`, `Values`, `ValuesMut`) and constants, to name in signatures.
#[cfg(feature = "random")]
#[cfg_attr(docsrs, doc(cfg(feature = "random")))]
pub use evict_random as random;
#[cfg(feature = "random")]
#[cfg_attr(docsrs, doc(cfg(feature = "random")))]
pub use evict_random::RandomCache;

/// Everything of the `ClockCache` policy crate: its iterator types (`Iter`, `IterMut`,
/// `IntoIter`, `Drain`, `Keys`, `Values`, `ValuesMut`) and constants, to name in signatures.
#[cfg(feature = "clock")]
#[cfg_attr(docsrs, doc(cfg(feature = "clock")))]
pub use evict_clock as clock;
#[cfg(feature = "clock")]
#[cfg_attr(docsrs, doc(cfg(feature = "clock")))]
pub use evict_clock::ClockCache;

/// Everything of the `SieveCache` policy crate: its iterator types (`Iter`, `IterMut`,
/// `IntoIter`, `Drain`, `Keys`, `Values`, `ValuesMut`) and constants, to name in signatures.
#[cfg(feature = "sieve")]
#[cfg_attr(docsrs, doc(cfg(feature = "sieve")))]
pub use evict_sieve as sieve;
#[cfg(feature = "sieve")]
#[cfg_attr(docsrs, doc(cfg(feature = "sieve")))]
pub use evict_sieve::SieveCache;

/// Everything of the `S3FifoCache` policy crate: its iterator types (`Iter`, `IterMut`,
/// `IntoIter`, `Drain`, `Keys`, `Values`, `ValuesMut`) and constants, to name in signatures.
#[cfg(feature = "s3fifo")]
#[cfg_attr(docsrs, doc(cfg(feature = "s3fifo")))]
pub use evict_s3fifo as s3fifo;
#[cfg(feature = "s3fifo")]
#[cfg_attr(docsrs, doc(cfg(feature = "s3fifo")))]
pub use evict_s3fifo::S3FifoCache;

/// Everything of the `ArcCache` policy crate: its iterator types (`Iter`, `IterMut`,
/// `IntoIter`, `Drain`, `Keys`, `Values`, `ValuesMut`) and constants, to name in signatures.
#[cfg(feature = "arc")]
#[cfg_attr(docsrs, doc(cfg(feature = "arc")))]
pub use evict_arc as arc;
#[cfg(feature = "arc")]
#[cfg_attr(docsrs, doc(cfg(feature = "arc")))]
pub use evict_arc::ArcCache;

/// Everything of the `WTinyLfuCache` policy crate: its iterator types (`Iter`, `IterMut`,
/// `IntoIter`, `Drain`, `Keys`, `Values`, `ValuesMut`) and constants, to name in signatures.
#[cfg(feature = "wtinylfu")]
#[cfg_attr(docsrs, doc(cfg(feature = "wtinylfu")))]
pub use evict_wtinylfu as wtinylfu;
#[cfg(feature = "wtinylfu")]
#[cfg_attr(docsrs, doc(cfg(feature = "wtinylfu")))]
pub use evict_wtinylfu::WTinyLfuCache;

/// Everything of the `TwoQCache` policy crate: its iterator types (`Iter`, `IterMut`,
/// `IntoIter`, `Drain`, `Keys`, `Values`, `ValuesMut`) and constants, to name in signatures.
#[cfg(feature = "twoq")]
#[cfg_attr(docsrs, doc(cfg(feature = "twoq")))]
pub use evict_twoq as twoq;
#[cfg(feature = "twoq")]
#[cfg_attr(docsrs, doc(cfg(feature = "twoq")))]
pub use evict_twoq::TwoQCache;

/// Everything of the `LirsCache` policy crate: its iterator types (`Iter`, `IterMut`,
/// `IntoIter`, `Drain`, `Keys`, `Values`, `ValuesMut`) and constants, to name in signatures.
#[cfg(feature = "lirs")]
#[cfg_attr(docsrs, doc(cfg(feature = "lirs")))]
pub use evict_lirs as lirs;
#[cfg(feature = "lirs")]
#[cfg_attr(docsrs, doc(cfg(feature = "lirs")))]
pub use evict_lirs::LirsCache;

/// Everything of the `AdaptiveCache` policy crate: the cache that runs S3-FIFO, W-TinyLFU or
/// LRU, whichever miniature simulations on sampled keys score best on the workload so far.
#[cfg(feature = "adaptive")]
#[cfg_attr(docsrs, doc(cfg(feature = "adaptive")))]
pub use evict_adaptive as adaptive;
#[cfg(feature = "adaptive")]
#[cfg_attr(docsrs, doc(cfg(feature = "adaptive")))]
pub use evict_adaptive::AdaptiveCache;

/// Expiry over any policy (`evict-expiry`): `evict::expiry::ExpiringCache` with time to live,
/// time to idle, per-entry deadlines and an [`Expiry`](evict_expiry::Expiry) callback; the
/// clocks (`StdClock`, `ManualClock` for tests).
#[cfg(feature = "expiry")]
#[cfg_attr(docsrs, doc(cfg(feature = "expiry")))]
pub use evict_expiry as expiry;
#[cfg(feature = "expiry")]
#[cfg_attr(docsrs, doc(cfg(feature = "expiry")))]
pub use evict_expiry::ExpiringCache;

/// The thread-safe cache over any policy (`evict-sync`): `evict::sync::ConcurrentCache`,
/// with every method on `&self`, hits under a shared lock where the policy allows it, and
/// single-flight loading.
#[cfg(feature = "sync")]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub use evict_sync as sync;
#[cfg(feature = "sync")]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub use evict_sync::ConcurrentCache;

#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
pub use evict_macros::{cache, lru_cache, memoize};

#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
pub use __private::{CacheParameters, SizeUnit};

/// Run-time support for the memoization macros; not a public API.
#[cfg(feature = "macros")]
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

// The README's examples are doctests too, so the quick start cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
