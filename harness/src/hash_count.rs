//! A key that counts how often it is hashed, for tests that pin how many times a cache
//! hashes per operation (the concurrent cache's and the memoized functions' "hash once"
//! paths). The count is per thread, so tests running in parallel do not disturb it.
//!
//! ```
//! use std::collections::HashSet;
//! use evict_harness::hash_count::{HashCounted, hashes};
//!
//! let mut set = HashSet::new();
//! assert_eq!(hashes(|| { set.insert(HashCounted(7)); }), 1);
//! assert_eq!(hashes(|| assert!(set.contains(&HashCounted(7)))), 1);
//! ```

use std::cell::Cell;
use std::hash::{Hash, Hasher};

thread_local! {
    static HASHES: Cell<u32> = const { Cell::new(0) };
}

/// A `u64` key whose `Hash` adds one to this thread's count (read by [`hashes`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HashCounted(pub u64);

impl Hash for HashCounted {
    fn hash<H: Hasher>(&self, state: &mut H) {
        HASHES.with(|h| h.set(h.get() + 1));
        self.0.hash(state);
    }
}

/// The number of times `f` hashes a [`HashCounted`] on this thread.
pub fn hashes(f: impl FnOnce()) -> u32 {
    HASHES.with(|h| h.set(0));
    f();
    HASHES.with(Cell::get)
}
