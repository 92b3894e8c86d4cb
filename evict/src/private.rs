//! Run-time support for the code that `#[evict::cache]`, `#[evict::lru_cache]` and
//! `#[evict::memoize]` generate. Generated code names only `::evict::__private::...`; nothing
//! here is a stable API except [`CacheParameters`], which is re-exported at the crate root.

use core::any::{Any, TypeId};
use core::fmt;
use core::marker::PhantomData;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

pub use evict_core::{Cache, CacheInfo};
pub use evict_lru::LruCache;
pub use evict_unbounded::UnboundedCache;

/// The settings of a memoized function's cache, Python's `cache_parameters()`.
///
/// Returned by `name::cache_parameters()` for a function marked `#[evict::cache]`,
/// `#[evict::lru_cache]` or `#[evict::memoize]`.
///
/// ```
/// #[evict::lru_cache(maxsize = 32)]
/// fn fib(n: u64) -> u64 {
///     if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
/// }
///
/// let params = fib::cache_parameters();
/// assert_eq!(params.maxsize, Some(32));
/// assert_eq!(params.policy, "LruCache");
/// assert_eq!(params.to_string(), "CacheParameters(maxsize=32, policy=LruCache)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CacheParameters {
    /// The `maxsize` the function was declared with: `None` for an unbounded cache.
    pub maxsize: Option<usize>,
    /// The cache type as written in the attribute (`"LruCache"`, `"UnboundedCache"`, or the
    /// `policy = ...` path of `#[evict::memoize]`).
    pub policy: &'static str,
}

impl CacheParameters {
    /// Parameters with this `maxsize` and policy name (used by generated code).
    ///
    /// ```
    /// let params = evict::CacheParameters::new(None, "UnboundedCache");
    /// assert_eq!(params.to_string(), "CacheParameters(maxsize=None, policy=UnboundedCache)");
    /// ```
    pub const fn new(maxsize: Option<usize>, policy: &'static str) -> Self {
        Self { maxsize, policy }
    }
}

impl fmt::Display for CacheParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CacheParameters(maxsize=")?;
        match self.maxsize {
            Some(n) => write!(f, "{n}")?,
            None => f.write_str("None")?,
        }
        write!(f, ", policy={})", self.policy)
    }
}

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
}

impl Registry {
    /// An empty registry; every memo it creates gets `params`.
    pub const fn new(params: CacheParameters) -> Self {
        Self {
            memos: Mutex::new(Vec::new()),
            params,
        }
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
        let id = TypeId::of::<Typed<C, K, V>>();
        let mut memos = self.memos.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(&(_, memo)) = memos.iter().find(|(t, _)| *t == id) {
            let any: &'static dyn Any = memo;
            if let Some(typed) = any.downcast_ref::<Typed<C, K, V>>() {
                return &typed.memo;
            }
        }
        let typed: &'static Typed<C, K, V> = Box::leak(Box::new(Typed {
            memo: Memo::new(init, self.params),
            kv: PhantomData,
        }));
        memos.push((id, typed));
        &typed.memo
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
        self.params
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
