//! Per-entry expiry: a callback that chooses each entry's lifetime.

use core::time::Duration;

/// Chooses each entry's lifetime when it is written (and, optionally, when it is read):
/// Caffeine's `Expiry`, moka's `expire_after`.
///
/// Each method returns the time the entry has left from now: `Some(Duration::ZERO)` expires
/// it at once, `None` means it never expires (on time; the policy may still evict it).
/// `remaining` is what the entry had left before this event (`None`: no deadline).
///
/// A closure `Fn(&K, &V) -> Option<Duration>` is an `Expiry` that sets the lifetime on every
/// write and leaves it alone on reads.
///
/// A read that *shortens* the lifetime during a hit under a concurrent cache's shared lock
/// (a shard whose policy answers hits through `&self`: S3-FIFO, CLOCK, SIEVE, FIFO) changes
/// the deadline at once (the entry is a miss from then on), but its timer cannot move under
/// that lock: the entry stays held (and counted by `len()`) until its old deadline comes
/// round (with no deadline before the read, its timer waits in the wheel's overflow bucket,
/// looked at every 6.5 days), until the policy evicts it, or until
/// [`ExpiringCache::purge_expired`](crate::ExpiringCache::purge_expired), which then places
/// every timer again. A read through `&mut` (`get` on an `ExpiringCache`, or a shard whose
/// hits take the write lock) moves the timer with the deadline.
///
/// ```
/// use core::time::Duration;
/// use evict_expiry::Expiry;
///
/// /// Error answers are kept a second, good ones a minute; a read adds ten seconds of life.
/// struct Answers;
///
/// impl Expiry<u32, Result<String, String>> for Answers {
///     fn expire_after_create(&self, _: &u32, value: &Result<String, String>) -> Option<Duration> {
///         Some(if value.is_ok() { Duration::from_secs(60) } else { Duration::from_secs(1) })
///     }
///     fn expire_after_read(
///         &self, _: &u32, _: &Result<String, String>, remaining: Option<Duration>,
///     ) -> Option<Duration> {
///         remaining.map(|left| left + Duration::from_secs(10))
///     }
/// }
///
/// let by_size = |_: &u32, value: &Vec<u8>| Some(Duration::from_millis(value.len() as u64));
/// assert_eq!(by_size.expire_after_create(&1, &vec![0; 5]), Some(Duration::from_millis(5)));
/// assert_eq!(Answers.expire_after_create(&1, &Err("no".into())), Some(Duration::from_secs(1)));
/// ```
pub trait Expiry<K, V> {
    /// The lifetime of a new entry.
    fn expire_after_create(&self, key: &K, value: &V) -> Option<Duration>;

    /// The lifetime of an entry whose value was just replaced by `value`. By default the
    /// same as a new entry's.
    fn expire_after_update(
        &self,
        key: &K,
        value: &V,
        remaining: Option<Duration>,
    ) -> Option<Duration> {
        let _ = remaining;
        self.expire_after_create(key, value)
    }

    /// The lifetime of an entry that was just read. By default unchanged (`remaining`).
    fn expire_after_read(
        &self,
        key: &K,
        value: &V,
        remaining: Option<Duration>,
    ) -> Option<Duration> {
        let _ = (key, value);
        remaining
    }
}

impl<K, V, F: Fn(&K, &V) -> Option<Duration>> Expiry<K, V> for F {
    fn expire_after_create(&self, key: &K, value: &V) -> Option<Duration> {
        self(key, value)
    }
}
