//! Where an expiring cache reads the time.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;

/// A monotonic source of time, in nanoseconds from an origin of the clock's choosing.
///
/// An expiring cache reads its clock once per operation. It never trusts the clock to go
/// forwards: it keeps the latest reading it has seen and ignores earlier ones, so a clock that
/// jumps back (a buggy user clock, a `ManualClock` set backwards) neither panics nor brings an
/// expired entry back; time simply stands still until the clock catches up.
///
/// Implement it for a `no_std` target's timer, or for a cheaper clock than
/// [`StdClock`] (a coarse clock updated by a thread, a TSC read).
///
/// ```
/// use evict_expiry::Clock;
///
/// /// A clock that counts calls: one millisecond per reading.
/// #[derive(Debug, Default)]
/// struct Ticks(core::sync::atomic::AtomicU64);
///
/// impl Clock for Ticks {
///     fn now_nanos(&self) -> u64 {
///         self.0.fetch_add(1, core::sync::atomic::Ordering::Relaxed) * 1_000_000
///     }
/// }
///
/// let clock = Ticks::default();
/// assert!(clock.now_nanos() < clock.now_nanos());
/// ```
pub trait Clock {
    /// Nanoseconds since the clock's origin. Should not decrease (a cache tolerates it if it
    /// does, see above).
    fn now_nanos(&self) -> u64;

    /// Whether this clock's readings never decrease, whoever reads it (every clone and every
    /// thread included). `false` by default: the cache then keeps the latest reading it
    /// acted on and takes the later of the two (a compare and a store per operation). Say
    /// `true` only for a clock that cannot go back ([`StdClock`] and [`CoarseClock`] do):
    /// the cache then trusts its readings, and a clock that went back anyway could make an
    /// entry it had called expired alive again (never a panic).
    #[inline]
    fn monotonic(&self) -> bool {
        false
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    #[inline]
    fn now_nanos(&self) -> u64 {
        (**self).now_nanos()
    }

    #[inline]
    fn monotonic(&self) -> bool {
        (**self).monotonic()
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    #[inline]
    fn now_nanos(&self) -> u64 {
        (**self).now_nanos()
    }

    #[inline]
    fn monotonic(&self) -> bool {
        (**self).monotonic()
    }
}

/// The system's monotonic clock, [`std::time::Instant`], in nanoseconds since the clock was
/// created. Every clone shares the origin.
///
/// ```
/// use evict_expiry::{Clock, StdClock};
///
/// let clock = StdClock::new();
/// let a = clock.now_nanos();
/// assert!(clock.clone().now_nanos() >= a);
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Clone, Copy, Debug)]
pub struct StdClock {
    origin: std::time::Instant,
}

#[cfg(feature = "std")]
impl StdClock {
    /// A clock whose origin is now.
    pub fn new() -> Self {
        Self {
            origin: std::time::Instant::now(),
        }
    }
}

#[cfg(feature = "std")]
impl Default for StdClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "std")]
impl Clock for StdClock {
    #[inline]
    fn now_nanos(&self) -> u64 {
        // Seconds and nanoseconds in `u64` (not `as_nanos`'s `u128`): 584 years of uptime
        // fit; saturate anyway rather than wrap.
        let d = self.origin.elapsed();
        d.as_secs()
            .saturating_mul(1_000_000_000)
            .saturating_add(u64::from(d.subsec_nanos()))
    }

    /// `Instant` never goes back (the standard library guards against platforms whose
    /// counter does), and clones share the origin.
    #[inline]
    fn monotonic(&self) -> bool {
        true
    }
}

/// The clock of [`ExpiringCache::builder`](crate::ExpiringCache::builder),
/// [`with_ttl`](crate::ExpiringCache::with_ttl) and [`with_tti`](crate::ExpiringCache::with_tti)
/// (and of the memoization attributes' `ttl`): [`StdClock`], exact. Not [`CoarseClock`],
/// though its hits cost far less, because that one starts a process-wide thread that wakes
/// every millisecond, and stands still in a forked child; opt in with
/// [`Builder::clock`](crate::Builder::clock).
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub type DefaultClock = StdClock;

/// The system's monotonic clock read by a background thread every
/// [`COARSE_RESOLUTION`] (1 ms), and by the cache as one relaxed atomic load: for hot caches
/// on machines where [`StdClock`]'s `Instant::now()` costs more than the lookup (it is a
/// serialising instruction, or a system call under some hypervisors).
///
/// Its readings lag the real time by up to a millisecond, more when the thread is starved of
/// CPU, so entries may live that much past their deadline; they never expire early. One
/// thread serves the whole process; it is started by the first [`CoarseClock::new`] and runs
/// until the process ends, waking every millisecond. If the thread cannot be started, the
/// clock reads `Instant::now()` itself. All clocks share one origin.
///
/// After a `fork()` the child process has no ticker: its coarse clock stands still, and
/// nothing expires there. Do not read it before forking a process that keeps using it.
///
/// ```
/// use evict_expiry::{Clock, CoarseClock};
///
/// let clock = CoarseClock::new();
/// let a = clock.now_nanos();
/// assert!(CoarseClock::new().now_nanos() >= a); // one clock for the process, never going back
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Clone, Copy, Debug)]
pub struct CoarseClock {
    /// Made only by `new`, which starts the ticker.
    _started: (),
}

/// How often [`CoarseClock`]'s thread reads the system clock.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub const COARSE_RESOLUTION: Duration = Duration::from_millis(1);

#[cfg(feature = "std")]
mod coarse {
    use core::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Once, OnceLock};
    use std::time::Instant;

    /// The time the ticker stored last; 0 while no ticker runs (then readers read the
    /// system clock themselves), never 0 once one does.
    pub(super) static NOW: AtomicU64 = AtomicU64::new(0);
    static START: Once = Once::new();
    static ORIGIN: OnceLock<Instant> = OnceLock::new();

    pub(super) fn elapsed() -> u64 {
        let origin = ORIGIN.get_or_init(Instant::now);
        u64::try_from(origin.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    pub(super) fn start() {
        START.call_once(|| {
            let spawned = std::thread::Builder::new()
                .name("evict-expiry clock".into())
                .spawn(|| {
                    loop {
                        // `fetch_max`: the clock never goes back, whatever the thread's timing.
                        NOW.fetch_max(elapsed(), Ordering::Relaxed);
                        std::thread::sleep(super::COARSE_RESOLUTION);
                    }
                });
            if spawned.is_ok() {
                // Before any clock is handed out: a reader never sees the ticker's 0.
                NOW.fetch_max(elapsed().max(1), Ordering::Relaxed);
            }
        });
    }
}

#[cfg(feature = "std")]
impl CoarseClock {
    /// The process's coarse clock (starting its thread on first use).
    pub fn new() -> Self {
        coarse::start();
        Self { _started: () }
    }
}

#[cfg(feature = "std")]
impl Default for CoarseClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "std")]
impl Clock for CoarseClock {
    #[inline]
    fn now_nanos(&self) -> u64 {
        // One load; the test is on a register and always goes the same way.
        match coarse::NOW.load(Ordering::Relaxed) {
            0 => coarse::elapsed(),
            now => now,
        }
    }

    /// One source for the process, moved only by `fetch_max` (or, without a ticker, always
    /// `Instant` from one origin).
    #[inline]
    fn monotonic(&self) -> bool {
        true
    }
}

/// A clock that moves only when told to: for tests, simulations and replays.
///
/// Clones share one time, so a test keeps a clone and advances the clock the cache (or every
/// shard of a concurrent cache) reads. It starts at 0. [`set`](ManualClock::set) may move it
/// backwards, to test what a cache does when a clock misbehaves.
///
/// ```
/// use core::time::Duration;
/// use evict_expiry::{Clock, ManualClock};
///
/// let clock = ManualClock::new();
/// let seen_by_cache = clock.clone();
/// clock.advance(Duration::from_secs(2));
/// assert_eq!(seen_by_cache.now_nanos(), 2_000_000_000);
/// clock.set(5);
/// assert_eq!(seen_by_cache.now_nanos(), 5);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock at 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forwards by `by` (saturating at `u64::MAX` nanoseconds).
    pub fn advance(&self, by: Duration) {
        let by = nanos(by);
        // A CAS loop, not `fetch_add`: saturate rather than wrap past u64::MAX.
        let _ = self
            .nanos
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                Some(t.saturating_add(by))
            });
    }

    /// Moves the clock forwards by `by` nanoseconds (saturating).
    pub fn advance_nanos(&self, by: u64) {
        self.advance(Duration::from_nanos(by));
    }

    /// Sets the time to `nanos`, forwards or backwards.
    pub fn set(&self, nanos: u64) {
        self.nanos.store(nanos, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    #[inline]
    fn now_nanos(&self) -> u64 {
        self.nanos.load(Ordering::Relaxed)
    }
}

/// A duration in nanoseconds, saturating at `u64::MAX` (about 584 years: "never").
pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
