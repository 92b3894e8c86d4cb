//! The ghost lists `B1` and `B2`: fingerprints of the keys ARC recently evicted, in
//! [`evict_slots::ghost::Ghost`] with two lists.
//!
//! The interface the policy uses is small: [`Ghosts::find`] a hash (a [`GhostHit`]),
//! [`Ghosts::list_of`] and [`Ghosts::remove`] it, [`Ghosts::push`] a new most recent ghost
//! onto a list, [`Ghosts::pop_lru`] a list's least recent one, [`Ghosts::len`], and, for the
//! memory bounds, [`Ghosts::reserve_max`] and [`Ghosts::resized`]. Nothing here knows keys,
//! values or the resident lists; this module only says how a hash becomes a fingerprint.

use evict_slots::ghost::{Ghost, Hit};

/// Ghost list ids, in `Ghosts::len` and in a ring word's top bit. `B1` holds what left `T1`,
/// `B2` what left `T2`, so a resident list id is also its ghost list's id.
pub(crate) const B1: usize = 0;
pub(crate) const B2: usize = 1;

/// The low 31 bits of a hash.
const LO: u32 = 0x7FFF_FFFF;

/// The low 31 bits of `hash`, with `LO` itself folded onto `LO - 1` (so that one more, the
/// fingerprint in the ring, fits 31 bits and is never 0).
#[inline]
pub(crate) fn lo31(hash: u64) -> u32 {
    let lo = hash as u32 & LO;
    if lo == LO { LO - 1 } else { lo }
}

/// The fingerprint (`lo31 + 1`: 31 bits, never 0) and the tag (the high half of the hash,
/// of which the ghost index keeps the top bits that fit) of a key hash. A ghost matches a
/// hash when both agree: `31 + tag bits` bits in all (39 bits at `c = 1,000,000`), so a new
/// key is taken for a ghost with probability at most `(|B1| + |B2|) / 2^(31 + tag bits)` per
/// lookup (see the crate docs). The tests' fixed hasher gives their keys distinct low 31
/// bits, so there the ghosts are exact.
#[inline(always)]
fn print(hash: u64) -> (u32, u32) {
    (lo31(hash) + 1, (hash >> 32) as u32)
}

/// A ghost that [`Ghosts::find`] matched, to pass back to [`Ghosts::list_of`] and
/// [`Ghosts::remove`] before the ghosts change.
pub(crate) type GhostHit = Hit;

/// The ghost lists `B1` and `B2`, as fingerprints of key hashes: no key, no hasher, no links.
/// At most `capacity` ghosts (the policy keeps `|B1| + |B2| <= c`).
#[derive(Clone, Debug)]
pub(crate) struct Ghosts(Ghost<2>);

impl Ghosts {
    /// An empty directory for a cache of capacity `capacity`; allocates nothing.
    pub(crate) fn new(capacity: usize) -> Self {
        Self(Ghost::new(capacity))
    }

    #[inline]
    pub(crate) fn len(&self, list: usize) -> usize {
        self.0.len(list)
    }

    #[inline]
    pub(crate) fn live(&self) -> usize {
        self.0.live()
    }

    /// The ghost whose fingerprint matches `hash`, if any.
    #[inline(always)]
    pub(crate) fn find(&self, hash: u64) -> Option<GhostHit> {
        let (fp, tag) = print(hash);
        self.0.find(fp, tag)
    }

    /// The list (`B1` or `B2`) of a ghost `find` returned.
    #[inline]
    pub(crate) fn list_of(&self, hit: GhostHit) -> usize {
        self.0.list_of(hit)
    }

    /// Forgets a ghost `find` returned (a ghost hit).
    #[inline]
    pub(crate) fn remove(&mut self, hit: GhostHit) {
        self.0.remove(hit);
    }

    /// Adds `hash` as the most recent ghost of `list`. The callers keep at most `capacity`
    /// ghosts, so the ring and the table grow geometrically up to their bounds and then stay.
    #[inline(always)]
    pub(crate) fn push(&mut self, hash: u64, list: usize) {
        let (fp, tag) = print(hash);
        self.0.push(list, fp, tag);
    }

    /// Forgets the least recent ghost of `list`, if any.
    #[inline(always)]
    pub(crate) fn pop_lru(&mut self, list: usize) {
        self.0.pop_oldest(list);
    }

    /// Grows the ring and the table to their bounds at once. Called when the cache becomes
    /// full: the ghost lists then fill (over the next million or so evictions of a
    /// million-entry cache) without allocating, and a full ARC allocates nothing more.
    #[cold]
    pub(crate) fn reserve_max(&mut self) {
        self.0.reserve();
    }

    /// The same ghosts, in the same order, with the same fingerprints, in a directory for a
    /// cache of capacity `capacity` (see [`Ghost::resized`]); the caller has already trimmed
    /// the lists to at most `capacity` ghosts.
    pub(crate) fn resized(&self, capacity: usize) -> Self {
        Self(self.0.resized(capacity))
    }

    /// Checks the ring, the cursors and the table against each other. For tests.
    #[cfg(test)]
    pub(crate) fn check(&self) {
        self.0.check();
    }
}

#[cfg(test)]
impl Ghosts {
    /// The ring's length and the index's entry lanes now.
    pub(crate) fn allocated(&self) -> (usize, usize) {
        self.0.allocated()
    }

    /// The ring's length and the index's entry lanes once reserved, for this capacity.
    pub(crate) fn bounds(&self) -> (usize, usize) {
        self.0.bounds()
    }

    /// The tag bits (of the hash's high half) that a ghost keeps beside its 31 low bits.
    pub(crate) fn tag_bits(&self) -> u32 {
        self.0.tag_bits()
    }
}
