//! Run-time support for the code that `#[evict::cache]`, `#[evict::lru_cache]` and
//! `#[evict::memoize]` generate. Generated code names only `::evict::__private::...`; nothing
//! here is a stable API except [`CacheParameters`], which is re-exported at the crate root.

use core::any::{Any, TypeId};
use core::fmt;
use core::marker::PhantomData;
use core::time::Duration;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

pub use crate::ByteSize;
pub use evict_core::{Cache, CacheInfo, Shard};
pub use evict_lru::LruCache;
pub use evict_slots::Weighted;
pub use evict_unbounded::UnboundedCache;
pub use hashbrown::DefaultHashBuilder;

/// The settings of a memoized function's cache, Python's `cache_parameters()`.
///
/// Returned by `name::cache_parameters()` for a function marked `#[evict::cache]`,
/// `#[evict::lru_cache]` or `#[evict::memoize]`. `Display` prints Python's two settings for
/// the default memo (one cache behind one mutex), and each of evict's own settings only when
/// it is used: the unit of `maxsize` when it is not entries (`max_bytes`, `max_weight`), the
/// lifetimes (`ttl`, `time_to_idle`), and the shard count and single-flight setting of a
/// concurrent memo (`shards = ...`):
///
/// ```
/// #[evict::lru_cache(maxsize = 32)]
/// fn fib(n: u64) -> u64 {
///     if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
/// }
///
/// let params = fib::cache_parameters();
/// assert_eq!(params.maxsize, Some(32));
/// assert_eq!(params.unit, evict::SizeUnit::Entries);
/// assert_eq!(params.policy, "LruCache");
/// assert_eq!(params.shards, None); // one cache, one mutex: Python's semantics
/// assert_eq!(params.to_string(), "CacheParameters(maxsize=32, policy=LruCache)");
///
/// #[evict::lru_cache(max_bytes = 1 << 20)]
/// fn page(n: u64) -> Vec<u8> {
///     vec![0; n as usize]
/// }
///
/// let params = page::cache_parameters();
/// assert_eq!((params.maxsize, params.unit), (Some(1 << 20), evict::SizeUnit::Bytes));
/// assert_eq!(
///     params.to_string(),
///     "CacheParameters(maxsize=1048576, unit=bytes, policy=LruCache)"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CacheParameters {
    /// The `maxsize` the function was declared with: `None` for an unbounded cache. In the
    /// units of [`unit`](Self::unit): entries (Python's meaning), or with `max_bytes` the
    /// budget in bytes, with `max_weight` in the weigher's units.
    pub maxsize: Option<usize>,
    /// What `maxsize` counts: entries (`maxsize = N`), bytes (`max_bytes = N`) or the
    /// weigher's units (`max_weight = N, weigher = f`).
    pub unit: SizeUnit,
    /// The cache type as written in the attribute (`"LruCache"`, `"UnboundedCache"`, or the
    /// `policy = ...` path of `#[evict::memoize]`).
    pub policy: &'static str,
    /// How long after it was computed a result expires (`ttl = ...`); `None`: never.
    pub time_to_live: Option<Duration>,
    /// How long after its last use a result expires (`time_to_idle = ...`); `None`: never.
    pub time_to_idle: Option<Duration>,
    /// The number of shards of a concurrent memo (`shards = N` or `shards = auto`), as in
    /// use: `N`, or fewer when `maxsize` is smaller (every shard holds at least one entry).
    /// `None` for the default memo, one cache behind one mutex.
    pub shards: Option<usize>,
    /// Whether concurrent calls with one argument tuple run the body once
    /// (`single_flight = true`); always `false` for the default memo.
    pub single_flight: bool,
}

/// What a memo's `maxsize` counts ([`CacheParameters::unit`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SizeUnit {
    /// Entries, Python's `maxsize` (`maxsize = N`).
    #[default]
    Entries,
    /// Bytes of keys and values as [`ByteSize`](crate::ByteSize) counts them
    /// (`max_bytes = N`).
    Bytes,
    /// The units of the function's own weigher (`max_weight = N, weigher = f`).
    Weight,
}

impl CacheParameters {
    /// Parameters of a default memo (one mutex) with this `maxsize` (in entries) and policy
    /// name.
    ///
    /// ```
    /// let params = evict::CacheParameters::new(None, "UnboundedCache");
    /// assert_eq!(params.to_string(), "CacheParameters(maxsize=None, policy=UnboundedCache)");
    /// ```
    pub const fn new(maxsize: Option<usize>, policy: &'static str) -> Self {
        Self {
            maxsize,
            unit: SizeUnit::Entries,
            policy,
            time_to_live: None,
            time_to_idle: None,
            shards: None,
            single_flight: false,
        }
    }
}

impl fmt::Display for CacheParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CacheParameters(maxsize=")?;
        match self.maxsize {
            Some(n) => write!(f, "{n}")?,
            None => f.write_str("None")?,
        }
        // Each setting evict adds is printed only when used, so that a memo that uses none
        // prints Python's line exactly.
        match self.unit {
            SizeUnit::Entries => {}
            SizeUnit::Bytes => f.write_str(", unit=bytes")?,
            SizeUnit::Weight => f.write_str(", unit=weight")?,
        }
        write!(f, ", policy={}", self.policy)?;
        if let Some(ttl) = self.time_to_live {
            write!(f, ", ttl={ttl:?}")?;
        }
        if let Some(tti) = self.time_to_idle {
            write!(f, ", time_to_idle={tti:?}")?;
        }
        if let Some(shards) = self.shards {
            write!(f, ", shards={shards}, single_flight={}", self.single_flight)?;
        }
        f.write_str(")")
    }
}

/// `max_bytes = N` or `max_weight = N` recorded in the parameters (used by generated code).
pub const fn with_unit(params: CacheParameters, unit: SizeUnit) -> CacheParameters {
    CacheParameters { unit, ..params }
}

/// `ttl = ...` and `time_to_idle = ...` recorded in the parameters (used by generated code).
pub const fn with_lifetimes(
    params: CacheParameters,
    time_to_live: Option<Duration>,
    time_to_idle: Option<Duration>,
) -> CacheParameters {
    CacheParameters {
        time_to_live,
        time_to_idle,
        ..params
    }
}

/// A `ttl`/`time_to_idle` expression, checked to be a `Duration` (spanned on it).
pub const fn duration(d: Duration) -> Duration {
    d
}

/// A `max_bytes`/`max_weight` budget as the `usize` a cache's capacity is, saturating (on a
/// 32-bit target a budget above 4 GiB is as good as unbounded there).
pub const fn budget(n: u64) -> usize {
    if n > usize::MAX as u64 {
        usize::MAX
    } else {
        n as usize
    }
}

/// Checks, with a message that says what to do, that `max_bytes` can count a type's bytes.
#[diagnostic::on_unimplemented(
    message = "`max_bytes` cannot count the bytes of `{Self}`: it does not implement `evict::ByteSize`",
    label = "`max_bytes` weighs each entry as `size_of` its key and value plus their `ByteSize::heap_bytes()`",
    note = "implement `evict::ByteSize` for it (sum its fields' `heap_bytes()`), or bound the cache with `max_weight = N, weigher = your_fn` instead"
)]
pub trait CountsBytes: ByteSize {}
impl<T: ByteSize + ?Sized> CountsBytes for T {}

/// Asserts `T: ByteSize` (called from generated code, spanned at an argument or the return
/// type).
pub const fn assert_byte_size<T: CountsBytes>() {}

/// The weigher of `max_bytes` over a policy storing `V` directly.
pub fn byte_weight<K: CountsBytes, V: CountsBytes>(key: &K, value: &V) -> u64 {
    crate::byte_weight(key, value)
}

/// The weigher of `max_bytes` over an expiring cache's policy, which stores `Entry<V>`: the
/// entry's own size (value, deadline, timer) plus the value's heap bytes.
#[cfg(feature = "expiry")]
pub fn entry_byte_weight<K: CountsBytes, V: CountsBytes>(key: &K, entry: &Entry<V>) -> u64 {
    let bytes = (size_of::<K>() + size_of::<Entry<V>>())
        .saturating_add(key.heap_bytes())
        .saturating_add(entry.value().heap_bytes());
    u64::try_from(bytes).unwrap_or(u64::MAX)
}

/// Without the `expiry` feature `Entry<V>` is `V` (see [`Expiring`]).
#[cfg(not(feature = "expiry"))]
pub fn entry_byte_weight<K: CountsBytes, V: CountsBytes>(key: &K, entry: &Entry<V>) -> u64 {
    crate::byte_weight(key, entry)
}

/// The value in an expiring cache's entry (for a `weigher` over an expiring memo).
#[cfg(feature = "expiry")]
pub fn entry_value<V>(entry: &Entry<V>) -> &V {
    entry.value()
}

/// Without the `expiry` feature `Entry<V>` is `V` (see [`Expiring`]).
#[cfg(not(feature = "expiry"))]
pub fn entry_value<V>(entry: &Entry<V>) -> &V {
    entry
}

/// The cache of a memo with `ttl` or `time_to_idle`: the policy `C` (storing `Entry<V>`)
/// inside an `evict::expiry::ExpiringCache` on the expiry crate's default clock.
#[cfg(feature = "expiry")]
pub type Expiring<K, V, C> = evict_expiry::ExpiringCache<K, V, C, evict_expiry::DefaultClock>;

/// What an expiring memo's policy stores for each value.
#[cfg(feature = "expiry")]
pub type Entry<V> = evict_expiry::Entry<V>;

/// Without the `expiry` feature, generated code for `ttl` fails with the one error of
/// [`assert_expiry_feature`]; these stand-ins (the policy itself, its values as they are)
/// keep every other line of it compiling, so that no cascade of errors follows.
#[cfg(not(feature = "expiry"))]
pub type Expiring<K, V, C> = <C as Itself<(K, V)>>::Type;

/// `C` itself, whatever `T`: lets the stand-in [`Expiring`] name `K` and `V` (an alias must
/// use its parameters) and still be `C`.
#[cfg(not(feature = "expiry"))]
pub trait Itself<T> {
    /// `Self`.
    type Type;
}

#[cfg(not(feature = "expiry"))]
impl<C, T> Itself<T> for C {
    type Type = C;
}

/// Without the `expiry` feature: the value itself (see [`Expiring`]).
#[cfg(not(feature = "expiry"))]
pub type Entry<V> = V;

/// Wraps `inner` in the expiring layer with these lifetimes (at least one is `Some`).
#[cfg(feature = "expiry")]
pub fn expiring<K, V, C>(
    inner: C,
    time_to_live: Option<Duration>,
    time_to_idle: Option<Duration>,
) -> Expiring<K, V, C>
where
    K: Clone,
    C: Cache<K, Entry<V>>,
{
    let mut builder = evict_expiry::ExpiringCache::builder();
    if let Some(ttl) = time_to_live {
        builder = builder.time_to_live(ttl);
    }
    if let Some(tti) = time_to_idle {
        builder = builder.time_to_idle(tti);
    }
    builder.build(inner)
}

/// Without the `expiry` feature: never run (see [`Expiring`]).
#[cfg(not(feature = "expiry"))]
pub fn expiring<K, V, C>(
    inner: C,
    _time_to_live: Option<Duration>,
    _time_to_idle: Option<Duration>,
) -> Expiring<K, V, C> {
    inner
}

/// Checks that the `expiry` feature is on, where generated code needs an expiring cache.
///
/// With the `expiry` feature this compiles; without it, it fails with this trait's message
/// (the doctest switches between the two).
///
#[cfg_attr(feature = "expiry", doc = "```")]
#[cfg_attr(not(feature = "expiry"), doc = "```compile_fail,E0277")]
/// #[evict::lru_cache(maxsize = 16, ttl = "30s")]
/// fn double(n: u64) -> u64 {
///     n * 2
/// }
///
/// assert_eq!(double(2), 4);
/// ```
#[diagnostic::on_unimplemented(
    message = "`ttl` and `time_to_idle` need the `expiry` feature of `evict`",
    label = "an expiring memo keeps its results in an `evict::expiry::ExpiringCache`, compiled with the `expiry` feature",
    note = "enable it in Cargo.toml (`evict = {{ version = \"0.1\", features = [\"expiry\"] }}`), or remove `ttl` and `time_to_idle`"
)]
pub trait ExpiryFeature {}
#[cfg(feature = "expiry")]
impl ExpiryFeature for () {}

/// Asserts that the `expiry` feature is on (called from generated code, spanned at `ttl` or
/// `time_to_idle`).
pub const fn assert_expiry_feature<T: ExpiryFeature>() {}

/// The state behind one memoized function: its cache, built on first use, behind a mutex.
///
/// The reason for a `OnceLock` + `fn() -> C` rather than `LazyLock<Mutex<C>>`: the same
/// constructor rebuilds the cache in [`clear`](Memo::clear), so the old entries can be
/// dropped after the lock is released.
#[derive(Debug)]
pub struct Memo<C> {
    cell: OnceLock<Mutex<C>>,
    init: fn() -> C,
    params: CacheParameters,
}

impl<C> Memo<C> {
    /// A memo whose cache `init` builds on first use.
    pub const fn new(init: fn() -> C, params: CacheParameters) -> Self {
        Self {
            cell: OnceLock::new(),
            init,
            params,
        }
    }

    /// Locks the cache. A poisoned lock is recovered, not propagated: the lock is never held
    /// while user code runs except the key's `Hash`/`Eq` and the value's `Clone`, and every
    /// policy of `evict` stays consistent when one of those panics.
    #[inline]
    fn lock(&self) -> MutexGuard<'_, C> {
        self.cell
            .get_or_init(|| Mutex::new((self.init)()))
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The memoized call: a hit returns a clone of the cached value; a miss (counted by the
    /// cache's `get`, before the body runs, as Python does) runs `body` without holding the
    /// lock, then stores the result unless the key was stored meanwhile (by a recursive call
    /// or another thread; Python keeps the first entry too) or `keep` rejects it.
    #[inline]
    pub fn call<K, V>(&self, key: K, body: impl FnOnce(&K) -> V, keep: fn(&V) -> bool) -> V
    where
        C: Cache<K, V>,
        K: Key,
        V: Value,
    {
        if let Some(value) = self.lock().get(&key).cloned() {
            return value;
        }
        let value = body(&key);
        if keep(&value) {
            // Whatever leaves the cache is dropped after the lock is released: a value's
            // `Drop` may be slow, or may itself call this function.
            let _evicted = {
                let mut cache = self.lock();
                if cache.capacity() == Some(0) || cache.peek(&key).is_some() {
                    None
                } else {
                    Some(cache.put(key, value.clone()))
                }
            };
        }
        value
    }

    /// Python's `cache_info()` (`K` and `V` name the cache's key and value types, which
    /// generated code knows).
    pub fn info<K, V>(&self) -> CacheInfo
    where
        C: Cache<K, V>,
    {
        self.lock().info()
    }

    /// Python's `cache_clear()`: replaces the cache with a fresh one (empty, counters at
    /// zero, memory released) and drops the old entries after releasing the lock.
    pub fn clear(&self) {
        let fresh = (self.init)();
        let old = core::mem::replace(&mut *self.lock(), fresh);
        drop(old);
    }

    /// Python's `cache_parameters()`.
    pub fn parameters(&self) -> CacheParameters {
        self.params
    }
}

/// The memos of a generic memoized function, one per instantiation (a `static` cannot depend
/// on a type parameter). Each is leaked once, when its instantiation is first called: their
/// number is bounded by the program's code, not by its input.
#[derive(Debug)]
pub struct Registry {
    memos: Mutex<Vec<(TypeId, &'static dyn ErasedMemo)>>,
    params: CacheParameters,
    /// `Some` for a concurrent memo (`shards = ...`): every instantiation gets these shards.
    shards: Option<ShardCount>,
}

impl Registry {
    /// An empty registry; every memo it creates gets `params`.
    pub const fn new(params: CacheParameters) -> Self {
        Self {
            memos: Mutex::new(Vec::new()),
            params,
            shards: None,
        }
    }

    /// An empty registry of concurrent memos, each with `shards` shards.
    pub const fn concurrent(params: CacheParameters, shards: ShardCount) -> Self {
        Self {
            memos: Mutex::new(Vec::new()),
            params,
            shards: Some(shards),
        }
    }

    /// The memo of type `M` (one per instantiation: `M` names the key and value types),
    /// created by `make` on first use.
    fn find_or_make<M: ErasedMemo>(&self, make: impl FnOnce() -> M) -> &'static M {
        let id = TypeId::of::<M>();
        let mut memos = self.memos.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(&(_, memo)) = memos.iter().find(|(t, _)| *t == id) {
            let any: &'static dyn Any = memo;
            if let Some(typed) = any.downcast_ref::<M>() {
                return typed;
            }
        }
        let memo: &'static M = Box::leak(Box::new(make()));
        memos.push((id, memo));
        memo
    }

    /// The concurrent memo of the instantiation whose shards `make` builds.
    #[cfg(feature = "sync")]
    pub fn concurrent_memo<K, V, C>(&self, make: fn(usize) -> C) -> &'static ConcurrentMemo<K, V, C>
    where
        C: ShardPolicy<K, V> + 'static,
        K: Key + Sync,
        V: Value + Sync,
    {
        let shards = self.shards.unwrap_or(ShardCount::Auto);
        self.find_or_make(|| ConcurrentMemo::new(make, shards, self.params))
    }

    /// [`concurrent_memo`](Self::concurrent_memo) for a `make` that takes the cache's
    /// hasher ([`ConcurrentMemo::with_hasher`]).
    #[cfg(feature = "sync")]
    pub fn concurrent_memo_with_hasher<K, V, C>(
        &self,
        make: fn(usize, DefaultHashBuilder) -> C,
    ) -> &'static ConcurrentMemo<K, V, C>
    where
        C: ShardPolicy<K, V> + 'static,
        K: Key + Sync,
        V: Value + Sync,
    {
        let shards = self.shards.unwrap_or(ShardCount::Auto);
        self.find_or_make(|| ConcurrentMemo::with_hasher(make, shards, self.params))
    }

    /// Without the `sync` feature generated code that asks for this fails to compile
    /// (`assert_sync_feature`), so this is never called.
    #[cfg(not(feature = "sync"))]
    pub fn concurrent_memo<K, V, C>(
        &self,
        _make: fn(usize) -> C,
    ) -> &'static ConcurrentMemo<K, V, C> {
        unreachable!("`shards` needs the `sync` feature")
    }

    /// Without the `sync` feature, never called (as `concurrent_memo`).
    #[cfg(not(feature = "sync"))]
    pub fn concurrent_memo_with_hasher<K, V, C>(
        &self,
        _make: fn(usize, DefaultHashBuilder) -> C,
    ) -> &'static ConcurrentMemo<K, V, C> {
        unreachable!("`shards` needs the `sync` feature")
    }

    fn memos(&self) -> Vec<&'static dyn ErasedMemo> {
        let memos = self.memos.lock().unwrap_or_else(PoisonError::into_inner);
        memos.iter().map(|&(_, memo)| memo).collect()
    }

    /// The memo of the instantiation whose cache type is `C`, created by `init` on first use.
    pub fn memo<C, K, V>(&self, init: fn() -> C) -> &'static Memo<C>
    where
        C: Cache<K, V> + Send + 'static,
        K: 'static,
        V: 'static,
    {
        &self
            .find_or_make(|| Typed::<C, K, V> {
                memo: Memo::new(init, self.params),
                kv: PhantomData,
            })
            .memo
    }

    /// The sum of the instantiations' `cache_info()`: hits, misses and current sizes add up;
    /// `maxsize` is each instantiation's.
    pub fn info(&self) -> CacheInfo {
        let mut total = CacheInfo {
            maxsize: self.params.maxsize,
            ..CacheInfo::default()
        };
        for memo in self.memos() {
            let info = memo.info();
            total.hits += info.hits;
            total.misses += info.misses;
            total.currsize += info.currsize;
        }
        total
    }

    /// Clears every instantiation's cache.
    pub fn clear(&self) {
        for memo in self.memos() {
            memo.clear();
        }
    }

    /// The parameters every instantiation shares.
    pub fn parameters(&self) -> CacheParameters {
        let mut params = self.params;
        params.shards = self.shards.map(|s| s.resolve(params.maxsize));
        params
    }
}

/// A memo with its key and value types, so the registry can hold it without naming them.
struct Typed<C, K, V> {
    memo: Memo<C>,
    kv: PhantomData<fn() -> (K, V)>,
}

trait ErasedMemo: Any + Sync + fmt::Debug {
    fn info(&self) -> CacheInfo;
    fn clear(&self);
}

impl<C, K, V> fmt::Debug for Typed<C, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Typed")
            .field("params", &self.memo.params)
            .finish_non_exhaustive()
    }
}

impl<C, K, V> ErasedMemo for Typed<C, K, V>
where
    C: Cache<K, V> + Send + 'static,
    K: 'static,
    V: 'static,
{
    fn info(&self) -> CacheInfo {
        self.memo.info::<K, V>()
    }
    fn clear(&self) {
        self.memo.clear();
    }
}

/// The undecorated body of a memoized function, called with its arguments as a tuple: how
/// `name::uncached(..)` reaches a body that its module cannot name.
pub trait Wrapped<Args> {
    /// The function's return type.
    type Output;
    /// Runs the body.
    fn call(args: Args) -> Self::Output;
}

/// Checks, with a message that says what to do, that an argument can be part of a key.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be part of a memoization key",
    label = "this argument must be `Clone + Hash + Eq + Send + 'static` to be stored in the cache",
    note = "a `&T` argument is stored as `T::Owned` (e.g. `&str` as `String`); wrap other types or derive `Clone, PartialEq, Eq, Hash`"
)]
pub trait Key: Clone + core::hash::Hash + Eq + Send + 'static {}
impl<T: Clone + core::hash::Hash + Eq + Send + 'static> Key for T {}

/// Asserts `T: Key` (called from generated code, spanned at the argument's type).
pub const fn assert_key<T: Key>() {}

/// Checks, with a message that says what to do, that a return type can be cached.
#[diagnostic::on_unimplemented(
    message = "the return type `{Self}` cannot be cached: it must be `Clone + Send + 'static`",
    label = "a hit returns a clone of the cached value",
    note = "derive or implement `Clone`; for a large or non-`Clone` value return `std::sync::Arc<T>` (a clone is then one atomic increment)"
)]
pub trait Value: Clone + Send + 'static {}
impl<T: Clone + Send + 'static> Value for T {}

/// Asserts `T: Value` (called from generated code, spanned at the return type).
pub const fn assert_value<T: Value>() {}

/// `errors = true` (the default): every result is stored.
pub fn keep_all<V>(_: &V) -> bool {
    true
}

/// A result that may be a failure, for `errors = false`.
#[diagnostic::on_unimplemented(
    message = "`errors = false` needs a function that returns `Result` or `Option`, not `{Self}`",
    label = "`Err` (or `None`) results are not stored; other types have no failure to skip",
    note = "remove `errors = false`, or return `Result<T, E>` / `Option<T>`"
)]
pub trait Fallible {
    /// Whether this result is `Err` (or `None`).
    fn is_failure(&self) -> bool;
}

impl<T, E> Fallible for Result<T, E> {
    fn is_failure(&self) -> bool {
        self.is_err()
    }
}

impl<T> Fallible for Option<T> {
    fn is_failure(&self) -> bool {
        self.is_none()
    }
}

/// `errors = false`: `Err` and `None` results are returned but not stored.
pub fn keep_success<V: Fallible>(value: &V) -> bool {
    !value.is_failure()
}

/// `shards = N` or `shards = auto` of a concurrent memo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardCount {
    /// `shards = auto`: `evict::sync::default_shards(maxsize)` (sixteen per core, fewer for a
    /// small `maxsize`).
    Auto,
    /// `shards = N`, a power of two (checked at compile time).
    Fixed(usize),
}

impl ShardCount {
    /// The shard count in use for a cache of `maxsize` (`None`: unbounded): `N`, halved
    /// while a shard would hold no entry, which is the rule `ConcurrentCache`'s builder
    /// applies too (so passing the result to it changes nothing).
    pub fn resolve(self, maxsize: Option<usize>) -> usize {
        let capacity = maxsize.unwrap_or(usize::MAX);
        match self {
            #[cfg(feature = "sync")]
            ShardCount::Auto => evict_sync::default_shards(capacity),
            // Unreachable: without `sync`, code that asks for shards does not compile.
            #[cfg(not(feature = "sync"))]
            ShardCount::Auto => 1,
            ShardCount::Fixed(n) => {
                let mut n = n.clamp(1, 1 << 16).next_power_of_two();
                while n > 1 && capacity / n == 0 {
                    n /= 2;
                }
                n
            }
        }
    }
}

/// `single_flight = true` recorded in the parameters (used by generated code).
pub const fn with_single_flight(params: CacheParameters, single_flight: bool) -> CacheParameters {
    CacheParameters {
        single_flight,
        ..params
    }
}

/// Checks that the `sync` feature is on, where generated code needs the concurrent memo.
///
/// With the `sync` feature this compiles; without it, it fails with this trait's message
/// (the doctest switches between the two).
///
#[cfg_attr(feature = "sync", doc = "```")]
#[cfg_attr(not(feature = "sync"), doc = "```compile_fail,E0277")]
/// #[evict::cache(shards = 4)]
/// fn double(n: u64) -> u64 {
///     n * 2
/// }
///
/// assert_eq!(double(2), 4);
/// ```
#[diagnostic::on_unimplemented(
    message = "`shards` and `single_flight` need the `sync` feature of `evict`",
    label = "the concurrent memo is an `evict::sync::ConcurrentCache`, compiled with the `sync` feature",
    note = "enable it in Cargo.toml (`evict = {{ version = \"0.1\", features = [\"sync\"] }}`), or remove `shards` for the default memo: one cache behind one mutex, Python's exact counters"
)]
pub trait SyncFeature {}
#[cfg(feature = "sync")]
impl SyncFeature for () {}

/// Asserts that the `sync` feature is on (called from generated code, spanned at `shards`).
pub const fn assert_sync_feature<T: SyncFeature>() {}

/// Checks, with a message that says what to do, that a policy can be a shard of a
/// concurrent memo.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a shard of a concurrent memo (`shards = ...`)",
    label = "a concurrent memo's policy must implement `evict::Shard<K, V>` and be `Send + Sync`",
    note = "every policy of `evict` implements `Shard`; for a `Cache` of your own, implement `evict::Shard` too (`get_borrowed`, `peek_borrowed`, `remove_borrowed`), or remove `shards` for the default memo; the key and value types must be `Sync` as well"
)]
pub trait ShardPolicy<K, V>: Shard<K, V> + Send + Sync {}
impl<K, V, C: Shard<K, V> + Send + Sync> ShardPolicy<K, V> for C {}

/// Asserts `C: ShardPolicy<K, V>` (called from generated code, spanned at the policy).
pub const fn assert_shard_policy<C: ShardPolicy<K, V>, K, V>() {}

/// The state behind one function memoized with `shards = ...`: an
/// `evict::sync::ConcurrentCache` of `shards` shards, built on first use.
///
/// Unlike [`Memo`], there is no lock around the whole cache: a hit takes its shard's lock
/// only, shared for a policy whose hit only marks its entry (`Shard::SHARED_HIT`), so hits on
/// one key from many threads run at once; the counters are striped atomics.
#[cfg(feature = "sync")]
pub struct ConcurrentMemo<K, V, C> {
    cell: OnceLock<evict_sync::ConcurrentCache<K, V, C>>,
    make: MakeShard<C>,
    shards: ShardCount,
    params: CacheParameters,
}

/// How a concurrent memo makes its shards.
#[derive(Clone, Copy)]
pub enum MakeShard<C> {
    /// From the shard's capacity: each shard has a hasher of its own, and a hit hashes its
    /// key twice (to pick the shard, then in it).
    Own(fn(usize) -> C),
    /// From the shard's capacity and a clone of the cache's hasher (see [`ShardOf`]): a hit
    /// on a policy whose hits share the lock hashes its key once.
    WithHasher(fn(usize, DefaultHashBuilder) -> C),
}

impl<C> fmt::Debug for MakeShard<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MakeShard::Own(_) => "Own",
            MakeShard::WithHasher(_) => "WithHasher",
        })
    }
}

/// Builds a memo's shard with the cache's hasher when its policy can take one, chosen where
/// the policy's type is known (in generated code), by method resolution:
/// `let probe = &ShardOf::<P>::NEW; probe.shard(capacity, hasher, P::new)` calls
/// [`HashedShard::with_capacity_and_hasher`] if `P` implements [`HashedShard`] (every
/// evict policy whose hit shares the shard's lock: FIFO, random, CLOCK, SIEVE, S3-FIFO) and
/// the given `P::new` otherwise (the hasher is then unused, and the concurrent cache finds at
/// the shard's first put that it hashes keys itself).
#[derive(Debug)]
pub struct ShardOf<P>(PhantomData<fn() -> P>);

impl<P> ShardOf<P> {
    /// The value to call [`ViaHasher::shard`] or [`ViaCapacity::shard`] on.
    pub const NEW: Self = ShardOf(PhantomData);
}

/// A policy that can be built with a given hasher (implemented for evict's policies whose hit
/// takes the shard's shared lock; for the others the shard hashes the key itself anyway).
pub trait HashedShard: Sized {
    /// An empty policy of `capacity` entries hashing keys with `hasher`.
    fn with_capacity_and_hasher(capacity: usize, hasher: DefaultHashBuilder) -> Self;
}

/// [`ShardOf`]'s choice for a [`HashedShard`] policy.
pub trait ViaHasher<P> {
    /// `P` built with `hasher`.
    fn shard(&self, capacity: usize, hasher: DefaultHashBuilder, own: fn(usize) -> P) -> P;
}

impl<P: HashedShard> ViaHasher<P> for ShardOf<P> {
    #[inline]
    fn shard(&self, capacity: usize, hasher: DefaultHashBuilder, _own: fn(usize) -> P) -> P {
        P::with_capacity_and_hasher(capacity, hasher)
    }
}

/// [`ShardOf`]'s choice for any other policy (found one auto-reference later, so only when
/// [`ViaHasher`] does not apply).
pub trait ViaCapacity<P> {
    /// `own(capacity)`.
    fn shard(&self, capacity: usize, hasher: DefaultHashBuilder, own: fn(usize) -> P) -> P;
}

impl<P> ViaCapacity<P> for &ShardOf<P> {
    #[inline]
    fn shard(&self, capacity: usize, _hasher: DefaultHashBuilder, own: fn(usize) -> P) -> P {
        own(capacity)
    }
}

macro_rules! hashed_shard {
    ($($feature:literal => $policy:ty,)*) => {$(
        #[cfg(feature = $feature)]
        impl<K, V> HashedShard for $policy {
            #[inline]
            fn with_capacity_and_hasher(capacity: usize, hasher: DefaultHashBuilder) -> Self {
                <$policy>::with_hasher(capacity, hasher)
            }
        }
    )*};
}

hashed_shard! {
    "fifo" => evict_fifo::FifoCache<K, V>,
    "random" => evict_random::RandomCache<K, V>,
    "clock" => evict_clock::ClockCache<K, V>,
    "sieve" => evict_sieve::SieveCache<K, V>,
    "s3fifo" => evict_s3fifo::S3FifoCache<K, V>,
}

#[cfg(feature = "sync")]
impl<K, V, C> fmt::Debug for ConcurrentMemo<K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrentMemo")
            .field("shards", &self.shards)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "sync")]
impl<K, V, C> ConcurrentMemo<K, V, C> {
    /// A memo whose shards `make(shard_capacity)` builds on first use (each with a hasher of
    /// its own: a hit hashes its key twice).
    pub const fn new(make: fn(usize) -> C, shards: ShardCount, params: CacheParameters) -> Self {
        Self::with_make(MakeShard::Own(make), shards, params)
    }

    /// A memo whose shards `make(shard_capacity, hasher)` builds on first use, `hasher` a
    /// clone of the cache's: a hit hashes its key once when `make` uses it (see
    /// [`ShardOf`]).
    pub const fn with_hasher(
        make: fn(usize, DefaultHashBuilder) -> C,
        shards: ShardCount,
        params: CacheParameters,
    ) -> Self {
        Self::with_make(MakeShard::WithHasher(make), shards, params)
    }

    const fn with_make(make: MakeShard<C>, shards: ShardCount, params: CacheParameters) -> Self {
        Self {
            cell: OnceLock::new(),
            make,
            shards,
            params,
        }
    }
}

#[cfg(feature = "sync")]
impl<K, V, C> ConcurrentMemo<K, V, C>
where
    C: ShardPolicy<K, V>,
    K: Key,
    V: Value,
{
    /// The cache, built on first use: `maxsize` entries in all (unbounded for
    /// `maxsize = None`), split over the resolved shard count.
    #[inline]
    fn cache(&self) -> &evict_sync::ConcurrentCache<K, V, C> {
        self.cell.get_or_init(|| {
            let maxsize = self.params.maxsize;
            let builder = evict_sync::ConcurrentCache::builder(maxsize.unwrap_or(usize::MAX))
                .shards(self.shards.resolve(maxsize));
            match self.make {
                MakeShard::Own(make) => builder.build(make),
                MakeShard::WithHasher(make) => builder.build_hashed(make),
            }
        })
    }

    /// The memoized call without single flight: a hit returns a clone of the cached value
    /// (counted, under the shard's lock only); a miss (counted before the body runs, as
    /// Python does) runs `body` with no lock held, then stores the result unless the key is
    /// cached by then or `keep` rejects it. Two threads that miss one key at once both run
    /// the body, as in Python; one entry is kept.
    #[inline]
    pub fn call(&self, key: K, body: impl FnOnce(&K) -> V, keep: fn(&V) -> bool) -> V {
        let cache = self.cache();
        if let Some(value) = cache.get(&key) {
            return value;
        }
        let value = body(&key);
        // The check and the store are two steps (another thread may store between them, and
        // then the later value replaces the earlier one); the default memo does both under
        // its one lock. Evicted entries are dropped here, after the shard's lock is released.
        if keep(&value) && cache.capacity() != Some(0) && !cache.contains(&key) {
            let _evicted = cache.put(key, value.clone());
        }
        value
    }

    /// The memoized call with single flight (`single_flight = true`): when several threads
    /// miss one key at once, one runs `body` and the others wait for its value
    /// (`ConcurrentCache::try_get_or_insert_with`). Every call counts one hit or one miss (a
    /// waiter counts a miss, as Python counts every call that did not find the value). A
    /// result that `keep` rejects is returned to its own caller only and not stored; the
    /// waiters then start again, as they do when the body panics.
    #[inline]
    pub fn call_single_flight(
        &self,
        key: K,
        body: impl FnOnce(&K) -> V,
        keep: fn(&V) -> bool,
    ) -> V {
        // The load takes the key by value (it may store it), and the body needs it too:
        // one clone of the key per call.
        let owned = key.clone();
        let loaded = self.cache().try_get_or_insert_with(key, move || {
            let value = body(&owned);
            if keep(&value) { Ok(value) } else { Err(value) }
        });
        loaded.unwrap_or_else(|rejected| rejected)
    }

    /// Python's `cache_info()`: hits and misses of every call (exact), `maxsize`, and the
    /// entries summed over the shards.
    pub fn info(&self) -> CacheInfo {
        self.cache().info()
    }

    /// Python's `cache_clear()`: empties every shard and resets the counters. Unlike the
    /// default memo, old values are dropped under their shard's lock, so a value's `Drop`
    /// must not call the memoized function.
    pub fn clear(&self) {
        if let Some(cache) = self.cell.get() {
            cache.clear();
        }
    }

    /// Python's `cache_parameters()`, with the shard count in use.
    pub fn parameters(&self) -> CacheParameters {
        CacheParameters {
            shards: Some(self.shards.resolve(self.params.maxsize)),
            ..self.params
        }
    }
}

#[cfg(feature = "sync")]
impl<K, V, C> ErasedMemo for ConcurrentMemo<K, V, C>
where
    C: ShardPolicy<K, V> + 'static,
    K: Key + Sync,
    V: Value + Sync,
{
    fn info(&self) -> CacheInfo {
        ConcurrentMemo::info(self)
    }
    fn clear(&self) {
        ConcurrentMemo::clear(self);
    }
}

/// Without the `sync` feature: a stand-in with the real memo's methods, so that code
/// generated for `shards = ...` fails with the one error of `assert_sync_feature` rather than
/// a cascade. It is never run.
#[cfg(not(feature = "sync"))]
#[derive(Debug)]
pub struct ConcurrentMemo<K, V, C>(Marker<(K, V, C)>);

/// Owns nothing of `T` (and so is `Send + Sync` whatever `T` is).
#[cfg(not(feature = "sync"))]
type Marker<T> = PhantomData<fn() -> T>;

#[cfg(not(feature = "sync"))]
#[allow(missing_docs, clippy::missing_const_for_fn)]
impl<K, V, C> ConcurrentMemo<K, V, C> {
    pub const fn new(_make: fn(usize) -> C, _shards: ShardCount, _params: CacheParameters) -> Self {
        Self(PhantomData)
    }
    pub const fn with_hasher(
        _make: fn(usize, DefaultHashBuilder) -> C,
        _shards: ShardCount,
        _params: CacheParameters,
    ) -> Self {
        Self(PhantomData)
    }
    pub fn call(&self, _key: K, _body: impl FnOnce(&K) -> V, _keep: fn(&V) -> bool) -> V {
        unreachable!("`shards` needs the `sync` feature")
    }
    pub fn call_single_flight(
        &self,
        _key: K,
        _body: impl FnOnce(&K) -> V,
        _keep: fn(&V) -> bool,
    ) -> V {
        unreachable!("`shards` needs the `sync` feature")
    }
    pub fn info(&self) -> CacheInfo {
        unreachable!("`shards` needs the `sync` feature")
    }
    pub fn clear(&self) {}
    pub fn parameters(&self) -> CacheParameters {
        unreachable!("`shards` needs the `sync` feature")
    }
}

#[cfg(all(test, feature = "sync", feature = "s3fifo"))]
mod tests {
    use super::*;
    use evict_harness::hash_count::{HashCounted as Counted, hashes};
    use evict_s3fifo::S3FifoCache;

    type Policy = S3FifoCache<Counted, u64>;

    /// What generated code builds a shard with: the policy's `with_hasher` when it has one.
    fn hashed_shard(capacity: usize, hasher: DefaultHashBuilder) -> Policy {
        #[allow(unused_imports)]
        use super::{ViaCapacity as _, ViaHasher as _};
        let probe = &ShardOf::<Policy>::NEW;
        probe.shard(capacity, hasher, Policy::new)
    }

    /// The hashes of one call that hits (after a first call that stored the value).
    fn hashes_per_hit(memo: &ConcurrentMemo<Counted, u64, Policy>, single_flight: bool) -> u32 {
        let call = |k: u64| {
            let body = |key: &Counted| key.0 * 2;
            if single_flight {
                memo.call_single_flight(Counted(k), body, keep_all)
            } else {
                memo.call(Counted(k), body, keep_all)
            }
        };
        assert_eq!(call(21), 42);
        hashes(|| assert_eq!(call(21), 42))
    }

    #[test]
    fn a_concurrent_memo_hit_hashes_its_key_once_with_the_cache_hasher() {
        let params = CacheParameters::new(Some(1000), "S3FifoCache");
        for single_flight in [false, true] {
            let memo = ConcurrentMemo::with_hasher(hashed_shard, ShardCount::Fixed(4), params);
            assert_eq!(hashes_per_hit(&memo, single_flight), 1, "{single_flight}");
            assert_eq!(memo.info().hits, 1);
            // Without the hasher each shard hashes the key again.
            let memo = ConcurrentMemo::new(Policy::new, ShardCount::Fixed(4), params);
            assert_eq!(hashes_per_hit(&memo, single_flight), 2, "{single_flight}");
        }
    }

    /// A policy without `HashedShard` is built by its own constructor (the hasher unused).
    #[test]
    fn a_policy_without_a_hashed_constructor_is_built_by_its_own() {
        #[allow(unused_imports)]
        use super::{ViaCapacity as _, ViaHasher as _};
        let probe = &ShardOf::<LruCache<u8, u8>>::NEW;
        let lru = probe.shard(7, DefaultHashBuilder::default(), LruCache::new);
        assert_eq!(lru.capacity(), Some(7));
        let probe = &ShardOf::<Policy>::NEW;
        let s3fifo = probe.shard(9, DefaultHashBuilder::default(), |_| unreachable!());
        assert_eq!(s3fifo.capacity(), Some(9));
    }
}
