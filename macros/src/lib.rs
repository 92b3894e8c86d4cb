#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc = include_str!("../README.md")]

// An attribute becomes code in four steps, one module each: `options` reads the attribute's
// arguments, `signature` rejects what cannot be memoized (with a message that says what to
// write instead), `types` works out the cache's key and value types, and `generate` writes
// the items. Every step reports a spanned `syn::Error`, so a rejected input is one error on
// the offending tokens.
mod generate;
mod options;
mod signature;
mod types;

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::ToTokens;
use syn::{ItemFn, parse_macro_input};

use crate::generate::generate;
use crate::options::{Kind, parse_options};
use crate::signature::check_signature;
use crate::types::collect_args;

/// Memoizes a function with an unbounded cache, like Python's `functools.cache`.
///
/// Every distinct argument tuple is computed once and kept until `cache_clear()`. Next to
/// the function the attribute defines a module of the same name with `cache_info()`,
/// `cache_clear()`, `cache_parameters()` and `uncached(..)`; see the
/// [crate documentation](crate) for the expansion, the options (`ttl`, `time_to_idle`,
/// `shards`, `single_flight`, `errors`, `associated`, `crate`) and the thread and panic
/// semantics.
///
/// ```
/// #[evict::cache]
/// fn square(n: u64) -> u64 {
///     n * n
/// }
///
/// assert_eq!(square(12), 144);
/// assert_eq!(square(12), 144);
/// assert_eq!(
///     square::cache_info().to_string(),
///     "CacheInfo(hits=1, misses=1, maxsize=None, currsize=1)"
/// );
/// ```
#[proc_macro_attribute]
pub fn cache(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Cache, args, item)
}

/// Memoizes a function with a least-recently-used cache, like Python's
/// `functools.lru_cache`.
///
/// `maxsize = N` keeps at most `N` results (any constant `usize` expression), `maxsize = None`
/// keeps every result (an unbounded cache, as `#[evict::cache]`), `maxsize = 0` keeps
/// nothing and counts every call as a miss, and without `maxsize` the size is 128, Python's
/// default. Instead of `maxsize`, `max_bytes = N` bounds the keys' and values' total size in
/// bytes (`evict::ByteSize`), and `max_weight = N, weigher = f` their total weight in the
/// units of `f` (`fn(&Key, &Value) -> u64`). `ttl = "30s"` and `time_to_idle = "5m"` (or
/// constant `Duration` expressions) make results expire (evict's `expiry` feature).
/// `shards = N` spreads the cache over `N` LRU shards (hits on different shards stop waiting
/// for each other). See the [crate documentation](crate) for the other options and the
/// generated items.
///
/// ```
/// #[evict::lru_cache(maxsize = 32)]
/// fn fib(n: u64) -> u64 {
///     if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
/// }
///
/// assert_eq!(fib(30), 832_040);
/// assert_eq!(
///     fib::cache_info().to_string(),
///     "CacheInfo(hits=28, misses=31, maxsize=32, currsize=31)"
/// );
/// fib::cache_clear();
/// assert_eq!(
///     fib::cache_info().to_string(),
///     "CacheInfo(hits=0, misses=0, maxsize=32, currsize=0)"
/// );
/// ```
#[proc_macro_attribute]
pub fn lru_cache(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Lru, args, item)
}

/// Memoizes a function with any cache type that implements `evict::Cache`.
///
/// `policy = Type` names the cache type without its key and value parameters (the macro
/// supplies them: `evict::LruCache` becomes `evict::LruCache<(arguments), Return>`).
/// `maxsize = N` builds the cache with `Type::new(N)`, so the type needs a
/// `fn new(capacity: usize) -> Self` (every bounded policy of `evict` has one);
/// `maxsize = None` builds it with `Type::default()`. Instead of `maxsize`, `max_bytes = N`
/// (or `max_weight = N, weigher = f`) builds it with `Type::with_weigher(N, weigher)`, as
/// `Type<K, V, evict::DefaultHashBuilder, evict::Weighted<fn(&K, &V) -> u64>>` (every
/// evict policy's parameters). `policy` and one of the sizes are required; `ttl` and
/// `time_to_idle` wrap the cache in an `evict::ExpiringCache`.
///
/// By default the cache sits behind one mutex, with Python's exact counters and eviction
/// order. `shards = N` (a power of two) or `shards = auto` keeps the results in an
/// `evict::sync::ConcurrentCache` of `N` shards instead (evict's `sync` feature): a hit locks
/// only its shard, with a shared lock for S3-FIFO, SIEVE, CLOCK, FIFO, random and unbounded,
/// so hits from many threads run at once (and for S3-FIFO, SIEVE, CLOCK, FIFO and random,
/// whose shards are built with the memo's hasher, a hit hashes its key once; LRU, ARC,
/// W-TinyLFU and weighted or expiring shards hash it again in the shard); `single_flight`
/// then makes concurrent calls with
/// one argument tuple run the body once. Either way no lock is held while the body runs, so
/// recursion is fine. The [crate documentation](crate#threads-which-memo) says when to
/// choose which.
///
/// ```
/// #[evict::memoize(policy = evict::LruCache, maxsize = 2)]
/// fn shout(word: &str) -> String {
///     word.to_uppercase()
/// }
///
/// assert_eq!(shout("hi"), "HI"); // the key is the owned `String` "hi"
/// assert_eq!(shout("hi"), "HI");
/// let params = shout::cache_parameters();
/// assert_eq!((params.maxsize, params.policy), (Some(2), "evict::LruCache"));
/// assert_eq!(shout::cache_info().hits, 1);
///
/// // Concurrent: 4 S3-FIFO shards of 256 entries; hits take a shard's shared lock.
/// #[evict::memoize(policy = evict::S3FifoCache, maxsize = 1024, shards = 4)]
/// fn collatz(n: u64) -> u64 {
///     match n {
///         0 | 1 => 0,
///         n if n % 2 == 0 => 1 + collatz(n / 2),
///         n => 1 + collatz(3 * n + 1),
///     }
/// }
///
/// std::thread::scope(|s| {
///     for _ in 0..2 {
///         s.spawn(|| assert_eq!(collatz(27), 111));
///     }
/// });
/// // 27 and the 111 numbers after it, each stored once whichever thread computed it.
/// assert_eq!(collatz::cache_info().currsize, 112);
/// assert_eq!(collatz::cache_parameters().shards, Some(4));
/// ```
#[proc_macro_attribute]
pub fn memoize(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Memoize, args, item)
}

/// Runs the steps for one attribute; on an error, the function is emitted unchanged after it.
fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let opts = match parse_options(kind, args) {
        Ok(opts) => opts,
        Err(err) => {
            // Still emit the function, so that the only error is the one about the option
            // (not a cascade of "cannot find function" at every call site).
            let mut out = err.into_compile_error();
            out.extend(TokenStream2::from(item));
            return out.into();
        }
    };
    let func = parse_macro_input!(item as ItemFn);
    let generated = check_signature(&func, &opts)
        .and_then(|()| collect_args(&func))
        .map(|args| generate(kind, &opts, &func, args));
    match generated {
        Ok(tokens) => tokens.into(),
        Err(err) => {
            let mut out = err.into_compile_error();
            out.extend(func.into_token_stream());
            out.into()
        }
    }
}
