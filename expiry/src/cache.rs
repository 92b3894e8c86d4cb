//! The expiring layer: [`ExpiringCache`] over any policy, and its [`Builder`].

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
use core::time::Duration;

use evict_core::{Cache, CacheInfo, Fetched, Put, Removal, Shard, Sink};

use crate::clock::{Clock, nanos};
use crate::expiry::Expiry;
use crate::wheel::{TimerId, Wheel};

/// "Never": a deadline no clock reaches.
const NEVER: u64 = u64::MAX;

/// The unit of the coarse deadline an entry keeps beside its value: 2^26 ns (67 ms). An
/// entry whose coarse deadline is ahead of the clock's tick is alive without looking further;
/// only in the last tick before its deadline (or after it) does a lookup read the exact
/// deadline, from the entry's timer node. A `u32` of these ticks spans 9.1 years of the
/// clock's time; later deadlines (and "never") saturate, which only sends lookups to the
/// exact deadline.
const TICK_SHIFT: u32 = 26;

/// The coarse deadline of `deadline`: its tick, truncated to 32 bits. Never later than the
/// deadline's tick (a truncation only lowers it), so "the clock's tick is before it"
/// proves the entry alive; a deadline 9.1 years of the clock's time away or more may come
/// out low, which only sends its lookups to the exact deadline.
#[inline]
fn coarse(deadline: u64) -> u32 {
    (deadline >> TICK_SHIFT) as u32
}

/// What an expiring cache stores in its policy for each value: the value, a coarse lower
/// bound of its deadline (32 bits) and the index of its timer (32 bits), so that an
/// `Entry<u64>` is 16 bytes. The exact deadline lives in the timer.
///
/// You meet it only in the policy's type, `LruCache<K, Entry<V>>`; the expiring cache hands
/// out `&V`. Under a time to idle or an [`Expiry`] (reads move deadlines) the coarse deadline
/// is 0, so that every hit reads the exact one, which the read rule needs anyway.
pub struct Entry<V> {
    value: V,
    ticks: AtomicU32,
    timer: TimerId,
}

impl<V> Entry<V> {
    /// The cached value.
    pub fn value(&self) -> &V {
        &self.value
    }
}

impl<V: fmt::Debug> fmt::Debug for Entry<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("value", &self.value)
            .finish_non_exhaustive()
    }
}

/// Whether `entry` is alive at `now`: by its coarse deadline when that settles it (one
/// load beside the value), by the exact one in its timer node otherwise.
#[inline]
fn alive_at<K, V>(entry: &Entry<V>, now: u64, wheel: &Wheel<K>) -> bool {
    (now >> TICK_SHIFT) < u64::from(entry.ticks.load(Relaxed)) || wheel.deadline(entry.timer) > now
}

type Listener<K, V> = Option<Box<dyn Sink<K, V> + Send + Sync>>;
type BoxedExpiry<K, V> = Box<dyn Expiry<K, V> + Send + Sync>;

/// How deadlines are chosen.
struct Rules<K, V> {
    ttl: Option<u64>,
    tti: Option<u64>,
    expiry: Option<BoxedExpiry<K, V>>,
    /// Whether a read can move a deadline (a time to idle or an `Expiry`): one test on
    /// the hit path of a cache with a time to live alone. Set by `Builder::build`.
    reads: bool,
    /// Whether deadlines come from a time to live alone (no time to idle, no `Expiry`):
    /// then every write without its own lifetime lives as long, and its timer joins the
    /// wheel's write-order list. Set by `Builder::build`.
    ordered: bool,
}

impl<K, V> Rules<K, V> {
    /// The write deadline (the cap a time-to-idle read may not pass) and the deadline of an
    /// entry written at `now`. `old` is what the previous value of the key had left, if it
    /// was cached and alive (asked only of an `Expiry`).
    #[inline]
    fn on_write(
        &self,
        key: &K,
        value: &V,
        now: u64,
        own_ttl: Option<u64>,
        old: impl FnOnce() -> Option<Option<Duration>>,
    ) -> (u64, u64) {
        let after = |d: u64| now.saturating_add(d);
        let cap = match (own_ttl, &self.expiry) {
            (Some(d), _) => after(d),
            (None, Some(expiry)) => {
                let chosen = match old() {
                    Some(remaining) => expiry.expire_after_update(key, value, remaining),
                    None => expiry.expire_after_create(key, value),
                };
                chosen.map_or(NEVER, |d| after(nanos(d)))
            }
            (None, None) => self.ttl.map_or(NEVER, after),
        };
        let deadline = self.tti.map_or(cap, |tti| cap.min(after(tti)));
        (cap, deadline)
    }

    /// Records a read at `now` of a live entry: a time-to-idle pushes the deadline back (up
    /// to the write deadline), an `Expiry` chooses a new one. Returns the new deadline if it
    /// came *earlier*, so that the caller can move the entry's timer (a later deadline needs
    /// no move: the timer fires early and is placed again then). Only when `reads` is set.
    ///
    /// The exact deadline, the write deadline and the key live in the entry's timer node,
    /// elsewhere in memory: a time-to-live cache's hit never comes here, and touches nothing
    /// but the policy's entry.
    #[cold]
    #[inline(never)]
    fn on_read(&self, entry: &Entry<V>, now: u64, wheel: &Wheel<K>) -> Option<u64> {
        let timer = entry.timer;
        let cap = if self.tti.is_some() {
            wheel.cap(timer)
        } else {
            NEVER
        };
        if let Some(tti) = self.tti {
            // Reads only ever push the deadline back, so concurrent readers keep the latest.
            // (Under a read rule entries keep no coarse deadline: nothing else to move.)
            let wanted = cap.min(now.saturating_add(tti));
            if wanted > wheel.deadline(timer) {
                wheel.raise_deadline(timer, wanted);
            }
        }
        let (Some(expiry), Some(key)) = (&self.expiry, wheel.key(timer)) else {
            return None;
        };
        let current = wheel.deadline(timer);
        let remaining = remaining(current, now);
        let chosen = expiry.expire_after_read(key, &entry.value, remaining);
        let wanted = chosen.map_or(NEVER, |d| now.saturating_add(nanos(d)));
        let wanted = self.tti.map_or(wanted, |_| wanted.min(cap));
        if wanted == current {
            return None;
        }
        wheel.set_deadline(timer, wanted);
        (wanted < current).then_some(wanted)
    }
}

fn remaining(deadline: u64, now: u64) -> Option<Duration> {
    (deadline != NEVER).then(|| Duration::from_nanos(deadline.saturating_sub(now)))
}

/// Settings of an [`ExpiringCache`]: lifetimes, clock, listener. From
/// [`ExpiringCache::builder`] (or [`Builder::with_clock`] without `std`).
///
/// ```
/// use core::time::Duration;
/// use evict_expiry::{Cache, ExpiringCache, ManualClock};
/// use evict_lru::LruCache;
///
/// let clock = ManualClock::new();
/// let mut cache = ExpiringCache::builder()
///     .time_to_live(Duration::from_secs(60))
///     .time_to_idle(Duration::from_secs(10))
///     .clock(clock.clone())
///     .build(LruCache::new(100));
/// let _ = cache.put("a", 1);
/// clock.advance(Duration::from_secs(9));
/// assert_eq!(cache.get(&"a"), Some(&1)); // read at 9 s: idle until 19 s
/// clock.advance(Duration::from_secs(9));
/// assert_eq!(cache.get(&"a"), Some(&1)); // read at 18 s: idle until 28 s
/// clock.advance(Duration::from_secs(11));
/// assert_eq!(cache.get(&"a"), None); // idle for 11 s
/// ```
pub struct Builder<K, V, T> {
    rules: Rules<K, V>,
    listener: Listener<K, V>,
    reclaim: usize,
    clock: T,
}

#[cfg(feature = "std")]
impl<K, V> Builder<K, V, crate::DefaultClock> {
    /// Settings with no lifetime yet, the [`DefaultClock`](crate::DefaultClock), no listener.
    pub fn new() -> Self {
        Self::with_clock(crate::DefaultClock::new())
    }
}

#[cfg(feature = "std")]
impl<K, V> Default for Builder<K, V, crate::DefaultClock> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V, T> Builder<K, V, T> {
    /// Settings that read `clock` (the way to build without `std`).
    pub fn with_clock(clock: T) -> Self {
        Self {
            rules: Rules {
                ttl: None,
                tti: None,
                expiry: None,
                reads: false,
                ordered: false,
            },
            listener: None,
            reclaim: crate::DEFAULT_RECLAIM_PER_OP,
            clock,
        }
    }

    /// Reads `clock` instead (e.g. a [`ManualClock`](crate::ManualClock) in tests).
    pub fn clock<T2>(self, clock: T2) -> Builder<K, V, T2> {
        Builder {
            rules: self.rules,
            listener: self.listener,
            reclaim: self.reclaim,
            clock,
        }
    }

    /// Entries expire `ttl` after they were last written (`put`). Replaces an
    /// [`expire_after`](Self::expire_after) callback: the two are exclusive, as in Caffeine
    /// (an `Expiry` that wants a cap writes it into its own answers).
    pub fn time_to_live(mut self, ttl: Duration) -> Self {
        self.rules.ttl = Some(nanos(ttl));
        self.rules.expiry = None;
        self
    }

    /// Entries expire `tti` after they were last read or written (but never later than
    /// their time to live, if one is set). Replaces an
    /// [`expire_after`](Self::expire_after) callback.
    pub fn time_to_idle(mut self, tti: Duration) -> Self {
        self.rules.tti = Some(nanos(tti));
        self.rules.expiry = None;
        self
    }

    /// Each entry's lifetime is chosen by `expiry` when it is written and read. Replaces
    /// [`time_to_live`](Self::time_to_live) and [`time_to_idle`](Self::time_to_idle).
    pub fn expire_after(mut self, expiry: impl Expiry<K, V> + Send + Sync + 'static) -> Self {
        self.rules.expiry = Some(Box::new(expiry));
        self.rules.ttl = None;
        self.rules.tti = None;
        self
    }

    /// Where entries that expire go when the cache reclaims them outside
    /// [`put_into`](Cache::put_into) and [`purge_expired_into`](ExpiringCache::purge_expired_into):
    /// during `get`, `put`, `remove`, [`run_pending`](ExpiringCache::run_pending) and
    /// [`purge_expired`](ExpiringCache::purge_expired). Without a listener they are dropped
    /// there (a time-to-live cache's usual wish); with one, each arrives with
    /// [`Removal::Expired`]. Pairs a plain `put` (or `put_mut`, `get_or_insert_with`)
    /// evicts beyond the one its [`Put`] returns (a weighted policy making room) arrive here
    /// too, with [`Removal::Evicted`]: all of them when the put replaced a value or was
    /// rejected.
    pub fn listener(mut self, listener: impl Sink<K, V> + Send + Sync + 'static) -> Self {
        self.listener = Some(Box::new(listener));
        self
    }

    /// How many expired entries each operation reclaims at most (default
    /// [`DEFAULT_RECLAIM_PER_OP`](crate::DEFAULT_RECLAIM_PER_OP)). 0 leaves reclamation to
    /// [`purge_expired`](ExpiringCache::purge_expired) and to the policy's evictions.
    pub fn reclaim_per_op(mut self, n: usize) -> Self {
        self.reclaim = n;
        self
    }

    /// The expiring cache over `inner`, an empty policy of `Entry<V>` values (e.g.
    /// `LruCache::new(1000)`); whatever `inner` holds already is cleared.
    pub fn build<C>(self, mut inner: C) -> ExpiringCache<K, V, C, T>
    where
        C: Cache<K, Entry<V>>,
        T: Clock,
    {
        // An entry without a timer would never expire: start from empty.
        inner.clear();
        let now = self.clock.now_nanos();
        let mut rules = self.rules;
        rules.reads = rules.tti.is_some() || rules.expiry.is_some();
        rules.ordered = rules.ttl.is_some() && !rules.reads;
        // A time to live of 0 makes every entry due at once: the full path handles that.
        let short_put = rules
            .ttl
            .filter(|&ttl| ttl > 0 && rules.ordered && self.listener.is_none());
        ExpiringCache {
            inner,
            // Write deadlines are needed apart from deadlines only under a time to idle.
            wheel: Wheel::new(now, rules.tti.is_some()),
            latest: AtomicU64::new(now),
            clock: self.clock,
            rules,
            listener: self.listener,
            reclaim: self.reclaim,
            check_at: tick_end(now),
            wants: AtomicBool::new(false),
            shortened: AtomicBool::new(false),
            expired_hits: 0,
            carried: (0, 0),
            short_put,
            _values: PhantomData,
        }
    }
}

impl<K, V, T: fmt::Debug> fmt::Debug for Builder<K, V, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("time_to_live", &self.rules.ttl.map(Duration::from_nanos))
            .field("time_to_idle", &self.rules.tti.map(Duration::from_nanos))
            .field("expire_after", &self.rules.expiry.is_some())
            .field("listener", &self.listener.is_some())
            .field("reclaim_per_op", &self.reclaim)
            .field("clock", &self.clock)
            .finish()
    }
}

/// Time-to-live, time-to-idle and per-entry deadlines over any eviction policy `C`.
///
/// `C` is the policy, storing [`Entry<V>`]: `ExpiringCache<K, V, LruCache<K, Entry<V>>, _>`.
/// The policy chooses what to evict when full; the expiring cache removes what has expired.
/// See the [crate docs](crate) for the semantics and costs; in short:
///
/// - an expired entry is never returned (a `get` of it counts a miss);
/// - it is reclaimed within about a second of its deadline by the next operations (at most
///   [`reclaim_per_op`](Builder::reclaim_per_op) per operation; one exception: a deadline an
///   [`Expiry`] moved earlier during a shared-lock read waits for the old one, see
///   [`Expiry`]), or at once by [`purge_expired`](Self::purge_expired), and reported when it
///   leaves
///   ([`Removal::Expired`] to [`put_into`](Cache::put_into)'s sink, or to the
///   [listener](Builder::listener));
/// - [`len`](Cache::len) counts it until it is reclaimed;
/// - a clock that goes backwards is ignored until it catches up.
///
/// ```
/// use core::time::Duration;
/// use evict_expiry::{Cache, ExpiringCache, ManualClock, Removal};
/// use evict_s3fifo::S3FifoCache;
///
/// let clock = ManualClock::new();
/// let mut cache = ExpiringCache::builder()
///     .time_to_live(Duration::from_secs(30))
///     .clock(clock.clone())
///     .build(S3FifoCache::new(1000));
/// let _ = cache.put(1, "one");
/// let _ = cache.put_with_ttl(2, "two", Duration::from_secs(5)); // its own deadline
/// clock.advance(Duration::from_secs(10));
/// let mut gone = Vec::new();
/// assert_eq!(cache.purge_expired_into(&mut |k, v, why| gone.push((k, v, why))), 1);
/// assert_eq!(gone, [(2, "two", Removal::Expired)]);
/// assert_eq!(cache.len(), 1);
/// assert_eq!(cache.get(&1), Some(&"one"));
/// assert_eq!(cache.get(&2), None); // expired: a miss
/// assert_eq!(cache.info().to_string(), "CacheInfo(hits=1, misses=1, maxsize=1000, currsize=1)");
/// ```
pub struct ExpiringCache<K, V, C, T> {
    inner: C,
    wheel: Wheel<K>,
    /// The latest clock reading acted on: time as the cache sees it never goes back.
    latest: AtomicU64,
    clock: T,
    rules: Rules<K, V>,
    listener: Listener<K, V>,
    reclaim: usize,
    /// The fast path's one comparison: an operation at a time after this has maintenance to
    /// do (the wheel's first-level tick ended, or timers are due: then it is 0).
    check_at: u64,
    /// Set by a hit under a concurrent cache's shared lock that found maintenance due: the
    /// cache then calls [`Shard::maintain`] when it can take the exclusive lock.
    wants: AtomicBool,
    /// Set by a read under a shared reference whose `Expiry` moved a deadline *earlier*: that
    /// entry's timer could not move, and stays where the old deadline put it until
    /// [`purge_expired`](Self::purge_expired) places every timer again.
    shortened: AtomicBool,
    /// Statistics: the policy counts every lookup (so a hit costs the layer nothing); it
    /// counted a hit for each lookup that found an expired entry, which the layer counts
    /// here, to move to the misses. `carried` holds the counts of a policy cleared because
    /// expiry emptied it.
    expired_hits: u64,
    carried: (u64, u64),
    /// The time to live, when a plain `put` may take the short path (`write_ttl`): deadlines
    /// from a time to live alone, no listener, and no put seen evicting more than its `Put`
    /// carries. `None` otherwise.
    short_put: Option<u64>,
    _values: PhantomData<fn() -> V>,
}

/// The timer of an entry between its short put and the node it is given: no node's (an
/// entry left so by a panic has expired from its coarse deadline on: see
/// [`ExpiringCache::repair`]).
const NO_TIMER: TimerId = u32::MAX;

/// The last nanosecond of the first wheel level's tick that `time` is in.
fn tick_end(time: u64) -> u64 {
    time | ((1 << crate::wheel::FIRST_SHIFT) - 1)
}

#[cfg(feature = "std")]
impl<K, V> ExpiringCache<K, V, (), crate::DefaultClock> {
    /// Settings for an expiring cache, reading the [`DefaultClock`](crate::DefaultClock):
    /// [`Builder`].
    pub fn builder() -> Builder<K, V, crate::DefaultClock> {
        Builder::new()
    }
}

#[cfg(feature = "std")]
impl<K, V, C: Cache<K, Entry<V>>> ExpiringCache<K, V, C, crate::DefaultClock> {
    /// `inner` with a time to live of `ttl` since each entry's last write, on the system
    /// clock. What `#[lru_cache(maxsize = 128, ttl = "30s")]` builds.
    ///
    /// ```
    /// use std::time::Duration;
    /// use evict_expiry::{Cache, ExpiringCache};
    /// use evict_lru::LruCache;
    ///
    /// let mut cache = ExpiringCache::with_ttl(LruCache::new(128), Duration::from_secs(30));
    /// let _ = cache.put("k", 1);
    /// assert_eq!(cache.get(&"k"), Some(&1));
    /// ```
    pub fn with_ttl(inner: C, ttl: Duration) -> Self {
        Builder::new().time_to_live(ttl).build(inner)
    }

    /// `inner` with a time to idle of `tti` since each entry's last read or write, on the
    /// system clock.
    pub fn with_tti(inner: C, tti: Duration) -> Self {
        Builder::new().time_to_idle(tti).build(inner)
    }
}

/// Hands pairs leaving the policy on to `out` (the caller's sink, or [`FirstEvicted`] for a
/// plain put), as `(K, V)`, freeing their timers and calling `Expired` whatever had expired.
struct Unwrap<'a, K, O: ?Sized> {
    wheel: &'a mut Wheel<K>,
    now: u64,
    out: &'a mut O,
}

impl<K, V, O: Sink<K, V> + ?Sized> Sink<K, Entry<V>> for Unwrap<'_, K, O> {
    #[inline]
    fn removed(&mut self, key: K, entry: Entry<V>, why: Removal) {
        let why = match self.wheel.remove(entry.timer) {
            Some((_, deadline)) if deadline <= self.now => Removal::Expired,
            _ => why,
        };
        self.out.removed(key, entry.value, why);
    }
}

impl<K, O: ?Sized> Unwrap<'_, K, O> {
    /// The policy's `Put` as the user sees it: an expired value replaced is reported as
    /// expired (the put then counts as an insert), timers of pairs handed back are freed.
    #[inline]
    fn settle<V>(&mut self, put: Put<K, Entry<V>>) -> Put<K, V>
    where
        O: Sink<K, V>,
    {
        match put {
            Put::Inserted => Put::Inserted,
            other => self.settle_other(other),
        }
    }

    /// [`settle`](Self::settle) of anything but an insert: out of the common path.
    #[cold]
    #[inline(never)]
    fn settle_other<V>(&mut self, put: Put<K, Entry<V>>) -> Put<K, V>
    where
        O: Sink<K, V>,
    {
        match put {
            Put::Inserted => Put::Inserted,
            Put::Replaced(old) => match self.wheel.remove(old.timer) {
                Some((key, deadline)) if deadline <= self.now => {
                    self.out.removed(key, old.value, Removal::Expired);
                    Put::Inserted
                }
                _ => Put::Replaced(old.value),
            },
            Put::Evicted(k, e) => {
                self.removed(k, e, Removal::Evicted);
                Put::Inserted
            }
            Put::Rejected(k, e) => {
                drop(self.wheel.remove(e.timer));
                Put::Rejected(k, e.value)
            }
        }
    }
}

/// The sink of a plain `put`: the first pair to leave goes back in the `Put` if it was
/// evicted (an expired one goes to the listener), anything else to the listener. The first
/// *departure*, not the first eviction: what a policy's own `put` returns, so that the
/// short path of [`ExpiringCache::write_ttl`], which takes the policy's answer, answers the
/// same.
struct FirstEvicted<'a, K, V> {
    first: Option<(K, V)>,
    seen: bool,
    listener: &'a mut Listener<K, V>,
}

impl<K, V> Sink<K, V> for FirstEvicted<'_, K, V> {
    #[inline]
    fn removed(&mut self, key: K, value: V, why: Removal) {
        if !core::mem::replace(&mut self.seen, true) && why == Removal::Evicted {
            self.first = Some((key, value));
        } else {
            notify(self.listener, key, value, why);
        }
    }
}

fn notify<K, V>(listener: &mut Listener<K, V>, key: K, value: V, why: Removal) {
    if let Some(listener) = listener {
        listener.removed(key, value, why);
    }
}

/// The listener as a sink (dropping what it is given when there is none).
struct ToListener<'a, K, V>(&'a mut Listener<K, V>);

impl<K, V> Sink<K, V> for ToListener<'_, K, V> {
    fn removed(&mut self, key: K, value: V, why: Removal) {
        notify(self.0, key, value, why);
    }
}

/// Advances the wheel to `now` and settles at most `budget` due timers; returns how many
/// entries expired.
fn reclaim<K, V, C: Cache<K, Entry<V>>>(
    inner: &mut C,
    wheel: &mut Wheel<K>,
    now: u64,
    budget: usize,
    out: &mut dyn Sink<K, V>,
) -> usize {
    if now > wheel.time() {
        wheel.advance(now);
    }
    let mut expired = 0;
    let mut work = 0;
    while work < budget && wheel.has_due() {
        work += 1;
        let Some(id) = wheel.pop_due() else { break };
        expired += usize::from(settle(inner, wheel, id, now, out));
    }
    expired
}

/// Looks at one due timer: places it again if a read pushed its deadline back (no lookup:
/// the timer holds the deadline), removes its entry if it has expired. Returns whether an
/// entry expired.
fn settle<K, V, C: Cache<K, Entry<V>>>(
    inner: &mut C,
    wheel: &mut Wheel<K>,
    id: TimerId,
    now: u64,
    out: &mut dyn Sink<K, V>,
) -> bool {
    let deadline = wheel.deadline(id);
    let Some(key) = wheel.key(id) else {
        return false;
    };
    if deadline > now {
        wheel.schedule(id, deadline);
        return false;
    }
    if inner.peek(key).is_none_or(|entry| entry.timer != id) {
        // Not this timer's entry any more (cannot happen while every departure frees its
        // timer; a timer orphaned by a panic in user code ends here).
        drop(wheel.remove(id));
        return false;
    }
    let entry = inner.remove(key);
    let key = wheel.remove(id);
    match (key, entry) {
        (Some((key, _)), Some(entry)) => {
            out.removed(key, entry.value, Removal::Expired);
            true
        }
        _ => false,
    }
}

impl<K, V, C, T> ExpiringCache<K, V, C, T>
where
    C: Cache<K, Entry<V>>,
    T: Clock,
{
    /// The time as the cache sees it, recording the reading (`&mut`: no atomic RMW).
    #[inline]
    fn now_mut(&mut self) -> u64 {
        if self.clock.monotonic() {
            // Nothing to guard against: `latest` (still recorded where an entry is called
            // expired) holds earlier readings of this clock, never later ones.
            return self.clock.now_nanos();
        }
        let latest = self.latest.get_mut();
        let now = self.clock.now_nanos().max(*latest);
        *latest = now;
        now
    }

    /// The time as the cache sees it, through `&self`. The reading is recorded only when it
    /// is used to call an entry expired (see `saw_expired`): that is what must never be
    /// undone by a clock going back, and it keeps hits from writing a shared word.
    #[inline]
    fn now_shared(&self) -> u64 {
        self.clock.now_nanos().max(self.latest.load(Relaxed))
    }

    /// The time for a hit under a shared lock, asking for maintenance if it is due.
    #[inline]
    fn shared_now(&self) -> u64 {
        let now = self.now_shared();
        if now > self.check_at && !self.wants.load(Relaxed) {
            self.wants.store(true, Relaxed);
        }
        now
    }

    #[inline]
    fn saw_expired(&self, now: u64) {
        self.latest.fetch_max(now, Relaxed);
    }

    /// The start of every `&mut` operation: read the clock, and, once per tick of the wheel's
    /// first level (about a second) or while timers are due, reclaim a few expired entries.
    /// Between ticks the wheel's time lags the clock: a timer placed meanwhile is placed
    /// against the tick's start, which only makes it come round no later than it should.
    #[inline]
    fn begin(&mut self) -> u64 {
        let now = self.now_mut();
        if now > self.check_at {
            self.tend(now, None);
        }
        now
    }

    /// Advances the wheel and settles up to `reclaim` due timers, reporting to `sink` (or to
    /// the listener); sets the next `check_at`.
    #[cold]
    #[inline(never)]
    fn tend<'s>(&mut self, now: u64, sink: Option<&mut (dyn Sink<K, V> + 's)>) {
        let expired = match sink {
            Some(sink) => reclaim(&mut self.inner, &mut self.wheel, now, self.reclaim, sink),
            None => reclaim(
                &mut self.inner,
                &mut self.wheel,
                now,
                self.reclaim,
                &mut ToListener(&mut self.listener),
            ),
        };
        self.after_reclaim(expired);
    }

    /// After a reclamation: if expiry emptied the cache, clear the policy, which gives back
    /// what it keeps for its capacity (a hash table does not shrink as entries are removed,
    /// a slab keeps its slots), so that an idle cache returns to the memory of an empty one;
    /// the policy's history (ghosts, frequency sketch) goes too: it described entries that
    /// all expired. Then set the next `check_at`.
    fn after_reclaim(&mut self, expired: usize) {
        if expired > 0 && self.inner.is_empty() {
            let (hits, misses) = self.counts();
            self.carried = (hits, misses);
            self.expired_hits = 0;
            self.inner.clear();
        }
        self.set_check_at();
    }

    fn set_check_at(&mut self) {
        self.check_at = if self.wheel.lacking() || self.wheel.has_due() {
            0
        } else {
            tick_end(self.wheel.time())
        };
    }

    /// Reclaims a bounded number of expired entries (what any operation does on its way),
    /// reporting them to the listener: for a cache that sees few operations. Returns how
    /// many expired.
    pub fn run_pending(&mut self) -> usize {
        let now = self.now_mut();
        let expired = reclaim(
            &mut self.inner,
            &mut self.wheel,
            now,
            self.reclaim,
            &mut ToListener(&mut self.listener),
        );
        self.after_reclaim(expired);
        expired
    }

    /// Removes every entry that has expired, now, reporting each to the listener (or
    /// dropping it without one). Returns how many. Costs O(expired entries + entries due
    /// within the current second) plus at most 165 bucket moves; and, once after an
    /// [`Expiry`] moved a deadline earlier during a read through a shared reference (a
    /// concurrent cache's read lock, whose timer could not follow), O(entries): every
    /// timer is placed again at its entry's deadline.
    pub fn purge_expired(&mut self) -> usize {
        let listener = &mut self.listener;
        let expired = Self::purge(
            &mut self.inner,
            &mut self.wheel,
            &self.clock,
            &mut self.latest,
            self.shortened.get_mut(),
            &mut ToListener(listener),
        );
        self.after_reclaim(expired);
        expired
    }

    /// [`purge_expired`](Self::purge_expired), handing every expired pair to `sink`.
    pub fn purge_expired_into(&mut self, sink: &mut dyn Sink<K, V>) -> usize {
        let expired = Self::purge(
            &mut self.inner,
            &mut self.wheel,
            &self.clock,
            &mut self.latest,
            self.shortened.get_mut(),
            sink,
        );
        self.after_reclaim(expired);
        expired
    }

    fn purge(
        inner: &mut C,
        wheel: &mut Wheel<K>,
        clock: &T,
        latest: &mut AtomicU64,
        shortened: &mut bool,
        sink: &mut dyn Sink<K, V>,
    ) -> usize {
        let now = clock.now_nanos().max(*latest.get_mut());
        *latest.get_mut() = now;
        wheel.advance(now);
        wheel.current_to_due();
        if core::mem::take(shortened) {
            // Some timer may sit at a deadline later than its entry's: place them all again.
            for (_, entry) in inner.entries() {
                let deadline = wheel.deadline(entry.timer);
                if deadline <= now {
                    wheel.make_due(entry.timer);
                } else {
                    wheel.schedule(entry.timer, deadline);
                }
            }
        }
        reclaim(inner, wheel, now, usize::MAX, sink)
    }

    /// What `key` has left to live: `None` if it is not cached or has expired,
    /// `Duration::MAX` if it never expires. Counts nothing, changes nothing.
    pub fn time_left(&self, key: &K) -> Option<Duration> {
        let now = self.now_shared();
        let deadline = self.wheel.deadline(self.inner.peek(key)?.timer);
        if deadline <= now {
            self.saw_expired(now);
            return None;
        }
        Some(remaining(deadline, now).unwrap_or(Duration::MAX))
    }

    /// [`put`](Cache::put) with a time to live of its own for this entry: it expires `ttl`
    /// from now (or earlier, after `ttl` of idleness, under a
    /// [time to idle](Builder::time_to_idle)), whatever the cache's time to live or
    /// [`Expiry`] would choose.
    pub fn put_with_ttl(&mut self, key: K, value: V, ttl: Duration) -> Put<K, V>
    where
        K: Clone,
    {
        self.write(key, value, Some(nanos(ttl)), None)
    }

    /// [`put_into`](Cache::put_into) with a time to live of its own, as
    /// [`put_with_ttl`](Self::put_with_ttl).
    pub fn put_with_ttl_into(
        &mut self,
        key: K,
        value: V,
        ttl: Duration,
        sink: &mut dyn Sink<K, V>,
    ) -> Put<K, V>
    where
        K: Clone,
    {
        self.write(key, value, Some(nanos(ttl)), Some(sink))
    }

    /// The `Put` of a plain put: its first eviction goes back in it when the put inserted;
    /// when it replaced or was rejected (a weighted policy can evict to make room for a
    /// heavier value, or drop the old value of a key whose new one it refuses) the `Put`
    /// has no room for it, and it goes to the listener like the others.
    #[inline]
    fn first_evicted(
        put: Put<K, V>,
        first: Option<(K, V)>,
        listener: &mut Listener<K, V>,
    ) -> Put<K, V> {
        match (put, first) {
            (Put::Inserted, Some((k, v))) => Put::Evicted(k, v),
            (Put::Inserted, None) => Put::Inserted,
            (put, first) => Self::first_evicted_other(put, first, listener),
        }
    }

    /// [`first_evicted`](Self::first_evicted) after anything but an insert.
    #[cold]
    #[inline(never)]
    fn first_evicted_other(
        put: Put<K, V>,
        first: Option<(K, V)>,
        listener: &mut Listener<K, V>,
    ) -> Put<K, V> {
        match (put, first) {
            (put, Some((k, v))) => {
                notify(listener, k, v, Removal::Evicted);
                put
            }
            (put, None) => put,
        }
    }

    /// [`write`](Self::write) of a plain `put` off the short path, out of line: `put` then
    /// holds the short path alone, small enough for LLVM to inline the policy's whole put
    /// into it (callgrind, LRU put-evict: hashbrown's removal was left out of line
    /// otherwise, 11 instructions more).
    #[inline(never)]
    fn write_plain(&mut self, key: K, value: V) -> Put<K, V>
    where
        K: Clone,
    {
        self.write(key, value, None, None)
    }

    /// Every write: reclaim, choose the deadline, schedule the timer, put into the policy,
    /// and report what left: everything to `sink` if there is one; otherwise (a plain `put`)
    /// the first eviction in the returned `Put` and the rest to the listener.
    fn write(
        &mut self,
        key: K,
        value: V,
        own_ttl: Option<u64>,
        mut sink: Option<&mut dyn Sink<K, V>>,
    ) -> Put<K, V>
    where
        K: Clone,
    {
        let now = self.now_mut();
        if now > self.check_at {
            if self.wheel.lacking() {
                self.repair(now);
            }
            self.tend(now, sink.as_deref_mut());
        }
        let (inner, wheel) = (&self.inner, &self.wheel);
        let (cap, deadline) = self.rules.on_write(&key, &value, now, own_ttl, || {
            let left = wheel.deadline(inner.peek(&key)?.timer);
            (left > now).then(|| remaining(left, now))
        });
        let timer = if self.rules.ordered && own_ttl.is_none() {
            self.wheel.insert_ordered(key.clone(), deadline)
        } else {
            self.wheel.insert(key.clone(), cap, deadline)
        };
        if deadline <= now {
            // Due at once (a lifetime of zero): reclaimed by the next operation. Compared
            // with `now`, not the wheel's time, which lags the clock by up to a tick: the
            // wheel would place such a timer in the current tick's bucket.
            self.wheel.make_due(timer);
            self.check_at = 0;
        }
        let entry = Entry {
            value,
            ticks: AtomicU32::new(if self.rules.reads {
                0
            } else {
                coarse(deadline)
            }),
            timer,
        };
        match sink {
            Some(out) => {
                let mut unwrap = Unwrap {
                    wheel: &mut self.wheel,
                    now,
                    out,
                };
                let put = self.inner.put_into(key, entry, &mut unwrap);
                unwrap.settle(put)
            }
            None => {
                let mut first = FirstEvicted {
                    first: None,
                    seen: false,
                    listener: &mut self.listener,
                };
                let mut unwrap = Unwrap {
                    wheel: &mut self.wheel,
                    now,
                    out: &mut first,
                };
                let put = self.inner.put_into(key, entry, &mut unwrap);
                let put = unwrap.settle(put);
                let first = first.first;
                Self::first_evicted(put, first, &mut self.listener)
            }
        }
    }

    /// [`write`](Self::write) of a plain `put` under a time to live alone and no listener:
    /// the policy's own `put_mut` (inlined, no sink) instead of `put_into`. The new entry
    /// goes in without a timer and is given one after: the node of the entry it evicted or
    /// replaced, if any (no node freed and another taken: see
    /// [`Wheel::reuse_ordered`]), a new one at the write-order list's tail otherwise.
    ///
    /// The policy's `Put` carries at most one pair that left; the timers (one per entry
    /// before the put) against `len()` after it tell whether others left too (a weighted
    /// policy making room). Without a listener those are dropped either way, but their
    /// timers would stay: [`lost_pairs`](Self::lost_pairs) then frees them and turns this
    /// path off.
    #[inline]
    fn write_ttl(&mut self, key: K, value: V, ttl: u64) -> Put<K, V>
    where
        K: Clone,
    {
        let now = self.now_mut();
        if now > self.check_at {
            if self.wheel.lacking() {
                self.repair(now);
            }
            self.tend(now, None);
        }
        // The time to live here is not 0: only a deadline past the clock's range (which
        // saturates) is not after `now`. One add and a carry test.
        let Some(deadline) = now.checked_add(ttl) else {
            return self.write_plain(key, value);
        };
        let node_key = key.clone();
        let entry = Entry {
            value,
            ticks: AtomicU32::new(coarse(deadline)),
            timer: NO_TIMER,
        };
        let put = match self.inner.put_mut(key, entry) {
            (Put::Evicted(k, e), Some(stored)) => {
                match self.wheel.reuse_ordered(e.timer, node_key, deadline) {
                    Ok(left) => {
                        stored.timer = e.timer;
                        if left > now {
                            Put::Evicted(k, e.value)
                        } else {
                            // Expired: dropped, as the listener it would go to is none.
                            Put::Inserted
                        }
                    }
                    // The evicted entry had no timer (a put cut short by a panic): it
                    // had not expired.
                    Err(node_key) => {
                        stored.timer = Self::new_timer(&mut self.wheel, node_key, deadline);
                        Put::Evicted(k, e.value)
                    }
                }
            }
            (Put::Inserted, Some(stored)) => {
                stored.timer = Self::new_timer(&mut self.wheel, node_key, deadline);
                Put::Inserted
            }
            (other, stored) => {
                Self::short_put_other(&mut self.wheel, other, stored, node_key, deadline, now)
            }
        };
        // One timer per entry, as before the put, unless the policy dropped pairs its `Put`
        // does not carry.
        if self.wheel.live() != self.inner.len() {
            self.lost_pairs();
        }
        put
    }

    /// A new timer at the write-order list's tail, for a short put that evicted nothing:
    /// out of line, so that the put-evict path stays small enough for the policy's own
    /// code to be inlined into it (hashbrown's removal, which LLVM otherwise leaves out).
    #[inline(never)]
    fn new_timer(wheel: &mut Wheel<K>, key: K, deadline: u64) -> TimerId {
        wheel.insert_ordered(key, deadline)
    }

    /// [`write_ttl`](Self::write_ttl) of a put that replaced or was rejected (or of a policy
    /// that kept a pair without handing it back: the wheel records a timer lacking then).
    #[cold]
    #[inline(never)]
    fn short_put_other(
        wheel: &mut Wheel<K>,
        put: Put<K, Entry<V>>,
        stored: Option<&mut Entry<V>>,
        node_key: K,
        deadline: u64,
        now: u64,
    ) -> Put<K, V> {
        // The replaced value's node goes to the new one, as an evicted entry's does.
        let old_timer = match &put {
            Put::Replaced(old) => old.timer,
            _ => NO_TIMER,
        };
        let left = match stored {
            Some(stored) => match wheel.reuse_ordered(old_timer, node_key, deadline) {
                Ok(left) => {
                    stored.timer = old_timer;
                    Some(left)
                }
                Err(node_key) => {
                    stored.timer = wheel.insert_ordered(node_key, deadline);
                    None
                }
            },
            None => {
                if put.is_kept() {
                    // Kept, but not handed back: the entry has no timer. Mended by a scan
                    // at the next write.
                    wheel.make_due(NO_TIMER);
                }
                None
            }
        };
        // A timer of a pair that left and whose node was not handed on.
        let mut expired = |timer| matches!(wheel.remove(timer), Some((_, d)) if d <= now);
        match put {
            Put::Inserted => Put::Inserted,
            Put::Evicted(k, e) => {
                if expired(e.timer) {
                    Put::Inserted
                } else {
                    Put::Evicted(k, e.value)
                }
            }
            Put::Replaced(old) => {
                let expired = match left {
                    Some(left) => left <= now,
                    None => expired(old.timer),
                };
                if expired {
                    Put::Inserted
                } else {
                    Put::Replaced(old.value)
                }
            }
            // A rejected entry has no timer; a weighted policy that dropped the key's old
            // pair with it leaves its timer, which `lost_pairs` frees.
            Put::Rejected(k, e) => Put::Rejected(k, e.value),
        }
    }

    /// Mends the timers once an entry was found without one (a short put cut short by a
    /// panic in user code: a key's `Hash`, `Eq` or `Drop`, after the policy had stored the
    /// new entry and before it was given its timer). Such an entry has counted as expired
    /// from its coarse deadline on (see [`Wheel::deadline`]); it gets a timer at that
    /// deadline, so that it is reclaimed as any other, and every timer whose entry is gone
    /// is freed. O(entries), once per such panic.
    #[cold]
    #[inline(never)]
    fn repair(&mut self, now: u64)
    where
        K: Clone,
    {
        self.wheel.mended();
        let wheel = &self.wheel;
        let lacking: Vec<K> = self
            .inner
            .entries()
            .filter(|(_, e)| wheel.key(e.timer).is_none())
            .map(|(k, _)| k.clone())
            .collect();
        for key in lacking {
            if let Some(entry) = self.inner.peek_mut(&key) {
                let deadline = u64::from(*entry.ticks.get_mut()) << TICK_SHIFT;
                entry.timer = self.wheel.insert(key, deadline, deadline);
                if deadline <= now {
                    self.wheel.make_due(entry.timer);
                }
            }
        }
        self.free_orphans();
    }

    /// The policy dropped pairs its `Put` does not carry. Nobody listens, so they are gone
    /// as they would be through `put_into`, but their timers are orphans: free them (once,
    /// O(entries)), and write through `put_into` from now on.
    #[cold]
    #[inline(never)]
    fn lost_pairs(&mut self) {
        self.short_put = None;
        self.free_orphans();
    }

    /// Frees every timer whose entry the policy no longer holds.
    #[cold]
    fn free_orphans(&mut self) {
        let mut live = alloc::vec![false; self.wheel.slots()];
        for (_, entry) in self.inner.entries() {
            if let Some(slot) = self.wheel.slot(entry.timer) {
                live[slot] = true;
            }
        }
        self.wheel
            .retain(|slot| live.get(slot).copied().unwrap_or(false));
        self.set_check_at();
    }

    /// The hit or miss of a `&mut` lookup that found `found` (or nothing) at `now`. The
    /// common hit (alive by its coarse deadline, no rule for reads) is inlined; the rest
    /// is kept out of line, so that the lookup's own code stays small enough to be inlined.
    #[inline(always)]
    fn judge(
        found: Option<&Entry<V>>,
        now: u64,
        rules: &Rules<K, V>,
        wheel: &mut Wheel<K>,
        check_at: &mut u64,
        expired_hits: &mut u64,
    ) -> bool {
        let Some(entry) = found else {
            return false;
        };
        // Under a read rule the coarse deadline is 0: every hit goes on to the rule.
        if (now >> TICK_SHIFT) < u64::from(entry.ticks.load(Relaxed)) {
            return true;
        }
        Self::judge_slow(entry, now, rules, wheel, check_at, expired_hits)
    }

    /// [`judge`](Self::judge) past the common hit: the exact deadline, an expired entry
    /// made due, a read rule applied.
    #[inline(never)]
    fn judge_slow(
        entry: &Entry<V>,
        now: u64,
        rules: &Rules<K, V>,
        wheel: &mut Wheel<K>,
        check_at: &mut u64,
        expired_hits: &mut u64,
    ) -> bool {
        if !alive_at(entry, now, wheel) {
            // Reclaimed first thing by the next operation (the policy's reference is still
            // held here, so it cannot be removed in this one).
            wheel.make_due(entry.timer);
            *check_at = 0;
            *expired_hits += 1;
            return false;
        }
        if rules.reads
            && let Some(earlier) = rules.on_read(entry, now, wheel)
        {
            wheel.schedule(entry.timer, earlier);
        }
        true
    }

    /// The shared-reference hit of [`Shard::get_shared`] and [`Cache::peek`]-like reads:
    /// whether `entry` is alive at `now`, refreshing it if `read`.
    #[inline]
    fn alive(&self, entry: &Entry<V>, now: u64, read: bool) -> bool {
        if !alive_at(entry, now, &self.wheel) {
            self.saw_expired(now);
            return false;
        }
        // An earlier deadline cannot move the timer through `&self`: the entry is
        // invisible from that deadline on, and reclaimed when its old timer fires or by
        // `purge_expired`, not by the per-operation reclamation before then.
        // `purge_expired` looks for such entries when this flag is set.
        if read && self.rules.reads && self.rules.on_read(entry, now, &self.wheel).is_some() {
            self.shortened.store(true, Relaxed);
        }
        true
    }

    /// Hits and misses as the cache counts them: the policy's, with its hits on expired
    /// entries moved to the misses, plus what a cleared policy had counted.
    fn counts(&self) -> (u64, u64) {
        let info = self.inner.info();
        (
            self.carried.0 + info.hits.saturating_sub(self.expired_hits),
            self.carried.1 + info.misses + self.expired_hits,
        )
    }

    /// The policy underneath (read-only: changing it behind the cache's back would break
    /// the timers).
    pub fn inner(&self) -> &C {
        &self.inner
    }

    /// The time to live set by [`Builder::time_to_live`].
    pub fn time_to_live(&self) -> Option<Duration> {
        self.rules.ttl.map(Duration::from_nanos)
    }

    /// The time to idle set by [`Builder::time_to_idle`].
    pub fn time_to_idle(&self) -> Option<Duration> {
        self.rules.tti.map(Duration::from_nanos)
    }

    /// Replaces the listener (see [`Builder::listener`]).
    pub fn set_listener(&mut self, listener: impl Sink<K, V> + Send + Sync + 'static) {
        self.listener = Some(Box::new(listener));
        // The short put would drop what a weighted policy evicts beyond its `Put`.
        self.short_put = None;
    }

    /// Checks that every cached entry has exactly one timer, holding its key, and that the
    /// wheel's lists are sound; panics otherwise. For tests (O(n)).
    #[doc(hidden)]
    pub fn check_invariants(&self)
    where
        K: PartialEq + fmt::Debug,
    {
        self.wheel.check();
        assert_eq!(self.wheel.live(), self.inner.len(), "one timer per entry");
        for (key, entry) in self.inner.entries() {
            assert_eq!(self.wheel.key(entry.timer), Some(key), "timer of {key:?}");
            let deadline = self.wheel.deadline(entry.timer);
            // The entry's coarse deadline proves it alive before its tick: never later; and
            // 0 under a read rule, whose hits must all reach the rule.
            let ticks = entry.ticks.load(Relaxed);
            assert!(
                ticks <= coarse(deadline),
                "coarse deadline of {key:?} past its deadline"
            );
            assert!(
                !self.rules.reads || ticks == 0,
                "coarse deadline of {key:?} set under a read rule"
            );
            // The write deadline caps time-to-idle refreshes (an `Expiry`'s reads may pass it).
            assert!(
                self.rules.tti.is_none() || deadline <= self.wheel.cap(entry.timer),
                "deadline past its cap"
            );
        }
    }
}

impl<K, V, C, T> Cache<K, V> for ExpiringCache<K, V, C, T>
where
    K: Clone,
    C: Cache<K, Entry<V>>,
    T: Clock,
{
    #[inline]
    fn get(&mut self, key: &K) -> Option<&V> {
        let now = self.begin();
        let found = self.inner.get(key);
        let hit = Self::judge(
            found,
            now,
            &self.rules,
            &mut self.wheel,
            &mut self.check_at,
            &mut self.expired_hits,
        );
        found.filter(|_| hit).map(|e| &e.value)
    }

    fn peek(&self, key: &K) -> Option<&V> {
        let now = self.now_shared();
        let entry = self.inner.peek(key)?;
        self.alive(entry, now, false).then_some(&entry.value)
    }

    #[inline]
    fn put(&mut self, key: K, value: V) -> Put<K, V> {
        match self.short_put {
            Some(ttl) => self.write_ttl(key, value, ttl),
            None => self.write_plain(key, value),
        }
    }

    fn remove(&mut self, key: &K) -> Option<V> {
        let now = self.begin();
        let entry = self.inner.remove(key)?;
        match self.wheel.remove(entry.timer) {
            Some((key, deadline)) if deadline <= now => {
                notify(&mut self.listener, key, entry.value, Removal::Expired);
                None
            }
            _ => Some(entry.value),
        }
    }

    /// Entries held, the expired ones not reclaimed yet included (call
    /// [`purge_expired`](ExpiringCache::purge_expired) first for a count of live entries).
    fn len(&self) -> usize {
        self.inner.len()
    }

    fn capacity(&self) -> Option<usize> {
        self.inner.capacity()
    }

    fn info(&self) -> CacheInfo {
        let (hits, misses) = self.counts();
        CacheInfo {
            hits,
            misses,
            maxsize: self.inner.capacity(),
            currsize: self.inner.len(),
        }
    }

    /// Drops every entry (expired or not, without reporting them, as `cache_clear()` does)
    /// and resets the statistics.
    fn clear(&mut self) {
        self.inner.clear();
        self.wheel.clear();
        *self.shortened.get_mut() = false;
        self.set_check_at();
        self.expired_hits = 0;
        self.carried = (0, 0);
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let now = self.begin();
        let found = self.inner.get_mut(key);
        let hit = Self::judge(
            found.as_deref(),
            now,
            &self.rules,
            &mut self.wheel,
            &mut self.check_at,
            &mut self.expired_hits,
        );
        found.filter(|_| hit).map(|e| &mut e.value)
    }

    fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
        let now = self.now_mut();
        let found = self.inner.peek_mut(key)?;
        if !alive_at(found, now, &self.wheel) {
            self.wheel.make_due(found.timer);
            self.check_at = 0;
            return None;
        }
        Some(&mut found.value)
    }

    /// A plain [`put`](Cache::put), then one lookup (that counts nothing) for the stored
    /// value: the policy's own `put_mut` would report only the first of the pairs a
    /// weighted policy evicts, leaving the others unreported and their timers held.
    fn put_mut(&mut self, key: K, value: V) -> (Put<K, V>, Option<&mut V>) {
        let put = self.write(key.clone(), value, None, None);
        let stored = if put.is_kept() {
            self.inner.peek_mut(&key).map(|e| &mut e.value)
        } else {
            None
        };
        (put, stored)
    }

    /// Reads the clock once and judges the entry at that time (the provided body's two
    /// lookups, `contains` then `get_mut`, each read the clock: an entry could be alive for
    /// the first and expired for the second). A miss, or an expired entry, counts one miss,
    /// runs `f` and writes as [`put`](Cache::put) does.
    fn try_get_or_insert_with<E, F>(&mut self, key: K, f: F) -> Result<Fetched<'_, K, V>, E>
    where
        Self: Sized,
        F: FnOnce() -> Result<V, E>,
    {
        let now = self.begin();
        let live = self
            .inner
            .peek(&key)
            .is_some_and(|e| alive_at(e, now, &self.wheel));
        if live {
            // Under `&mut self` nothing moves the deadline between the two lookups, and the
            // judgement uses the same `now`: this is a hit.
            let found = self.inner.get_mut(&key);
            let hit = Self::judge(
                found.as_deref(),
                now,
                &self.rules,
                &mut self.wheel,
                &mut self.check_at,
                &mut self.expired_hits,
            );
            return Ok(match found.filter(|_| hit) {
                Some(entry) => Fetched::Hit(&mut entry.value),
                // A policy whose `get_mut` misses what its `peek` found: hand the computed
                // pair back rather than panic.
                None => {
                    let value = f()?;
                    Fetched::Rejected(key, value)
                }
            });
        }
        // Counts the miss (an expired entry's policy hit is moved to the misses, and its
        // timer made due, so the write below reclaims it first).
        let found = self.inner.get(&key);
        let _ = Self::judge(
            found,
            now,
            &self.rules,
            &mut self.wheel,
            &mut self.check_at,
            &mut self.expired_hits,
        );
        let value = f()?;
        let (put, stored) = self.put_mut(key, value);
        Ok(Fetched::from_put(put, stored))
    }

    /// The policy's next victim, if it has not expired (an expired victim is reclaimed, not
    /// evicted: `None` then, and [`pop`](Cache::pop) reclaims it and goes on).
    fn peek_victim(&self) -> Option<(&K, &V)> {
        let now = self.now_shared();
        let (key, entry) = self.inner.peek_victim()?;
        self.alive(entry, now, false).then_some((key, &entry.value))
    }

    /// Evicts the policy's next live victim; expired entries popped on the way go to the
    /// listener as expired.
    fn pop(&mut self) -> Option<(K, V)> {
        let now = self.begin();
        while let Some((key, entry)) = self.inner.pop() {
            if matches!(self.wheel.remove(entry.timer), Some((_, d)) if d <= now) {
                notify(&mut self.listener, key, entry.value, Removal::Expired);
            } else {
                return Some((key, entry.value));
            }
        }
        None
    }

    /// Resizes the policy; of the pairs it evicts, the expired go to the listener and the
    /// others are returned.
    fn resize(&mut self, capacity: usize) -> Vec<(K, V)> {
        let now = self.begin();
        let mut out = Vec::new();
        for (key, entry) in self.inner.resize(capacity) {
            if matches!(self.wheel.remove(entry.timer), Some((_, d)) if d <= now) {
                notify(&mut self.listener, key, entry.value, Removal::Expired);
            } else {
                out.push((key, entry.value));
            }
        }
        out
    }

    /// The live entries in the policy's order (expired ones not reclaimed yet are skipped).
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        let now = self.now_shared();
        // Entries are filtered at `now`: once one is skipped as expired, a clock going back
        // must not bring it back (as for `peek`).
        self.saw_expired(now);
        let wheel = &self.wheel;
        Box::new(
            self.inner
                .entries()
                .filter(move |(_, e)| alive_at(e, now, wheel))
                .map(|(k, e)| (k, &e.value)),
        )
    }

    fn put_into(&mut self, key: K, value: V, sink: &mut dyn Sink<K, V>) -> Put<K, V> {
        self.write(key, value, None, Some(sink))
    }

    fn weight(&self) -> u64 {
        self.inner.weight()
    }

    fn contains(&self, key: &K) -> bool {
        self.peek(key).is_some()
    }
}

/// A shard of a concurrent cache (`evict_sync::ConcurrentCache`): hits run under the shared
/// lock exactly when the policy's do. An expired entry is a miss; a time-to-idle read pushes
/// the deadline back through the entry's atomic word. An entry found expired under the
/// shared lock is reclaimed by the shard's next write (or its timer), not by the read.
impl<K, V, Q, C, T> Shard<K, V, Q> for ExpiringCache<K, V, C, T>
where
    K: Clone,
    Q: ?Sized,
    C: Shard<K, Entry<V>, Q>,
    T: Clock,
{
    const SHARED_HIT: bool = C::SHARED_HIT;

    fn get_borrowed(&mut self, key: &Q) -> Option<&V> {
        let now = self.begin();
        let found = self.inner.get_borrowed(key);
        let hit = Self::judge(
            found,
            now,
            &self.rules,
            &mut self.wheel,
            &mut self.check_at,
            &mut self.expired_hits,
        );
        found.filter(|_| hit).map(|e| &e.value)
    }

    fn peek_borrowed(&self, key: &Q) -> Option<&V> {
        let now = self.now_shared();
        let entry = self.inner.peek_borrowed(key)?;
        self.alive(entry, now, false).then_some(&entry.value)
    }

    fn remove_borrowed(&mut self, key: &Q) -> Option<V> {
        let now = self.begin();
        let entry = self.inner.remove_borrowed(key)?;
        match self.wheel.remove(entry.timer) {
            Some((key, deadline)) if deadline <= now => {
                notify(&mut self.listener, key, entry.value, Removal::Expired);
                None
            }
            _ => Some(entry.value),
        }
    }

    fn get_shared(&self, key: &Q) -> Option<&V> {
        let now = self.shared_now();
        let entry = self.inner.get_shared(key)?;
        // An entry found expired here is reclaimed when its bucket comes round (by the end
        // of the current wheel tick), by the maintenance a later hit asks for.
        self.alive(entry, now, true).then_some(&entry.value)
    }

    /// The policy's hash: the expiring layer keys its policy exactly as given.
    fn hash_of(&self, key: &Q) -> Option<u64> {
        self.inner.hash_of(key)
    }

    /// [`get_shared`](Shard::get_shared) through the policy's hashed lookup.
    fn get_shared_hashed(&self, hash: u64, key: &Q) -> Option<&V> {
        let now = self.shared_now();
        let entry = self.inner.get_shared_hashed(hash, key)?;
        self.alive(entry, now, true).then_some(&entry.value)
    }

    /// Whether a shared hit found maintenance due (a wheel tick ended, or timers are due).
    #[inline]
    fn wants_maintenance(&self) -> bool {
        self.wants.load(Relaxed)
    }

    /// What any `&mut` operation does first: advances the wheel and reclaims up to
    /// `reclaim_per_op` expired entries (to the listener).
    fn maintain(&mut self) {
        if core::mem::take(self.wants.get_mut()) {
            self.begin();
        }
    }
}

impl<K, V, C: fmt::Debug, T: fmt::Debug> fmt::Debug for ExpiringCache<K, V, C, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExpiringCache")
            .field("time_to_live", &self.rules.ttl.map(Duration::from_nanos))
            .field("time_to_idle", &self.rules.tti.map(Duration::from_nanos))
            .field("expire_after", &self.rules.expiry.is_some())
            .field("timers", &self.wheel.live())
            .field("clock", &self.clock)
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}
