#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc = include_str!("../README.md")]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod cache;
mod clock;
mod expiry;
mod wheel;

pub use cache::{Builder, Entry, ExpiringCache};
#[cfg(feature = "std")]
pub use clock::{COARSE_RESOLUTION, CoarseClock, DefaultClock, StdClock};
pub use clock::{Clock, ManualClock};
pub use evict_core::{self, Cache, CacheInfo, Put, Removal, Shard, Sink};
pub use expiry::Expiry;

/// How many expired entries an operation reclaims at most, by default, besides its own work:
/// enough that reclamation outpaces insertion (a put adds at most one entry), small enough
/// that no operation waits long for another key's expiry.
pub const DEFAULT_RECLAIM_PER_OP: usize = 8;
