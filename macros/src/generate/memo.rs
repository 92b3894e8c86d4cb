//! Where the cache lives: a `static` for a plain function, a registry of one cache per
//! instantiation for a generic one; either a `Memo` (one cache behind one mutex, the
//! default) or, with `shards = ...`, a `ConcurrentMemo` (an `evict::sync::ConcurrentCache`).

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote, quote_spanned};
use syn::GenericParam;
use syn::spanned::Spanned;

use super::Parts;
use super::policy::Cache;
use crate::options::{Options, Shards};

/// The function that returns the cache, and the expressions through which the wrapper and
/// the companions reach it.
pub(super) struct Memo {
    /// The items: `__evict_memo_fib` (and `__evict_registry_fib` if generic).
    pub(super) def: TokenStream2,
    /// An expression of type `&'static Memo<Cache>` (or `ConcurrentMemo`): this call's cache.
    pub(super) memo_ref: TokenStream2,
    /// The function the wrapper calls with `memo_ref`, the key, the body and `keep`.
    pub(super) call: TokenStream2,
    /// `cache_info()`'s body.
    pub(super) info: TokenStream2,
    /// `cache_clear()`'s body.
    pub(super) clear: TokenStream2,
    /// `cache_parameters()`'s body.
    pub(super) parameters: TokenStream2,
}

/// A non-generic function has one `static` memo. A generic one cannot (a `static` cannot
/// depend on a type parameter): it keeps a registry with one memo per instantiation, and the
/// companions sum over them.
pub(super) fn memo(parts: &Parts<'_>, cache: &Cache, opts: &Options) -> Memo {
    let flavor = match &opts.shards {
        None => Flavor::Mutex,
        Some((span, shards)) => Flavor::Concurrent {
            span: *span,
            shards: shard_count(parts, shards),
            single_flight: opts.single_flight,
        },
    };
    if parts.func.sig.generics.type_params().next().is_none() {
        single(parts, cache, &flavor)
    } else {
        per_instantiation(parts, cache, &flavor)
    }
}

/// Which memo holds the cache.
enum Flavor {
    /// `Memo`: one cache behind one mutex, Python's exact semantics (the default).
    Mutex,
    /// `ConcurrentMemo`: `shards = ...`.
    Concurrent {
        /// The `shards` option, where a missing `sync` feature is reported.
        span: Span,
        /// A `ShardCount` expression.
        shards: TokenStream2,
        single_flight: bool,
    },
}

/// `ShardCount::Auto`, or `ShardCount::Fixed(N)` with `N` checked at compile time to be a
/// power of two (a literal was checked already by the option parser; this catches a
/// constant expression, spanned on it).
fn shard_count(parts: &Parts<'_>, shards: &Shards) -> TokenStream2 {
    let private = &parts.private;
    match shards {
        Shards::Auto => quote!(#private::ShardCount::Auto),
        Shards::Count(n) => {
            let check = quote_spanned! {n.span()=>
                const __EVICT_SHARDS: usize = {
                    let n: usize = #n;
                    ::core::assert!(
                        n.is_power_of_two() && n <= 65536,
                        "`shards` must be a power of two from 1 to 65536"
                    );
                    n
                };
            };
            quote!(#private::ShardCount::Fixed({ #check __EVICT_SHARDS }))
        }
    }
}

/// `fn __evict_memo_fib() -> &'static Memo<..> { static MEMO: Memo<..> = ..; &MEMO }`.
fn single(parts: &Parts<'_>, cache: &Cache, flavor: &Flavor) -> Memo {
    let Parts {
        private,
        key_ty,
        ret_ty,
        shared_attrs,
        prefix,
        ..
    } = parts;
    let memo_fn = format_ident!("__evict_memo_{}", parts.name());
    let memo_static = memo_type(parts, cache, flavor);
    let checks = bound_checks(parts, cache, flavor);
    let init = &cache.init;
    let params = parameters(parts, cache, flavor);
    let (new_memo, info) = match flavor {
        Flavor::Mutex => (
            quote!(#private::Memo::new(|| #init, #params)),
            quote!(#prefix #memo_fn().info::<#key_ty, #ret_ty>()),
        ),
        Flavor::Concurrent { shards, .. } => {
            let make_shard = &cache.make_shard;
            (
                quote!(#private::ConcurrentMemo::with_hasher(#make_shard, #shards, #params)),
                quote!(#prefix #memo_fn().info()),
            )
        }
    };
    Memo {
        def: quote! {
            #(#shared_attrs)*
            #[doc(hidden)]
            #[allow(non_snake_case)]
            fn #memo_fn() -> &'static #memo_static {
                #checks
                static MEMO: #memo_static = #new_memo;
                &MEMO
            }
        },
        memo_ref: quote!(#prefix #memo_fn()),
        call: call_fn(parts, flavor),
        info,
        clear: quote!(#prefix #memo_fn().clear()),
        parameters: quote!(#prefix #memo_fn().parameters()),
    }
}

/// `Memo::call`, `ConcurrentMemo::call` or `ConcurrentMemo::call_single_flight`.
fn call_fn(parts: &Parts<'_>, flavor: &Flavor) -> TokenStream2 {
    let private = &parts.private;
    match flavor {
        Flavor::Mutex => quote!(#private::Memo::call),
        Flavor::Concurrent {
            single_flight: false,
            ..
        } => quote!(#private::ConcurrentMemo::call),
        Flavor::Concurrent {
            single_flight: true,
            ..
        } => quote!(#private::ConcurrentMemo::call_single_flight),
    }
}

/// `fn __evict_memo_fib<T>()`, which finds (or makes) the memo for `T` in the registry
/// `__evict_registry_fib()`, a `static` shared by all instantiations.
fn per_instantiation(parts: &Parts<'_>, cache: &Cache, flavor: &Flavor) -> Memo {
    let Parts {
        private,
        key_ty,
        ret_ty,
        shared_attrs,
        prefix,
        ..
    } = parts;
    let name = parts.name();
    let memo_fn = format_ident!("__evict_memo_{}", name);
    let registry_fn = format_ident!("__evict_registry_{}", name);
    let generics = &parts.func.sig.generics;
    let where_clause = &generics.where_clause;
    let type_params: Vec<_> = generics.type_params().map(|t| &t.ident).collect();
    // Only the type parameters: the memo depends on them alone (the key and value types hold
    // no lifetime, checked), and `memo_ref` names exactly them in its `::<..>`.
    let mut memo_generics = generics.clone();
    memo_generics.params = memo_generics
        .params
        .into_iter()
        .filter(|p| matches!(p, GenericParam::Type(_)))
        .collect();
    let memo_static = memo_type(parts, cache, flavor);
    let checks = bound_checks(parts, cache, flavor);
    let (cache_ty, init) = (&cache.ty, &cache.init);
    let params = parameters(parts, cache, flavor);
    let (find_memo, new_registry) = match flavor {
        Flavor::Mutex => (
            quote!(memo::<#cache_ty, #key_ty, #ret_ty>(|| #init)),
            quote!(#private::Registry::new(#params)),
        ),
        Flavor::Concurrent { shards, .. } => {
            let make_shard = &cache.make_shard;
            (
                quote!(concurrent_memo_with_hasher::<#key_ty, #ret_ty, #cache_ty>(#make_shard)),
                quote!(#private::Registry::concurrent(#params, #shards)),
            )
        }
    };
    Memo {
        def: quote! {
            #(#shared_attrs)*
            #[doc(hidden)]
            #[allow(non_snake_case)]
            fn #memo_fn #memo_generics () -> &'static #memo_static #where_clause {
                #checks
                #prefix #registry_fn().#find_memo
            }

            #(#shared_attrs)*
            #[doc(hidden)]
            #[allow(non_snake_case)]
            fn #registry_fn() -> &'static #private::Registry {
                static REGISTRY: #private::Registry = #new_registry;
                &REGISTRY
            }
        },
        memo_ref: quote!(#prefix #memo_fn::<#(#type_params),*>()),
        call: call_fn(parts, flavor),
        info: quote!(#prefix #registry_fn().info()),
        clear: quote!(#prefix #registry_fn().clear()),
        parameters: quote!(#prefix #registry_fn().parameters()),
    }
}

/// `__private::Memo<Cache>`: the cache behind its lock, built on first use; or
/// `__private::ConcurrentMemo<Key, Value, Cache>`: shards of it, each behind its own lock.
fn memo_type(parts: &Parts<'_>, cache: &Cache, flavor: &Flavor) -> TokenStream2 {
    let Parts {
        private,
        key_ty,
        ret_ty,
        ..
    } = parts;
    let cache_ty = &cache.ty;
    match flavor {
        Flavor::Mutex => quote!(#private::Memo<#cache_ty>),
        Flavor::Concurrent { .. } => {
            quote!(#private::ConcurrentMemo<#key_ty, #ret_ty, #cache_ty>)
        }
    }
}

/// What `cache_parameters()` returns (a concurrent memo adds its shard count when asked).
fn parameters(parts: &Parts<'_>, cache: &Cache, flavor: &Flavor) -> TokenStream2 {
    let private = &parts.private;
    let params = &cache.parameters;
    match flavor {
        Flavor::Mutex => params.clone(),
        Flavor::Concurrent { single_flight, .. } => {
            quote!(#private::with_single_flight(#params, #single_flight))
        }
    }
}

/// Calls that check the key and value bounds (`Clone + Hash + Eq + Send + 'static`, ...),
/// spanned on each argument's type and on the return type. The reason for these rather than
/// the bounds on `Memo`: the errors then point at the user's type and say what to do (see
/// `__private::Key` and `Value`), not at a generated `static`. A concurrent memo also checks
/// that the `sync` feature is on (spanned on `shards`) and that the policy can be a shard
/// (spanned on the policy); the options' own checks (`expiry` feature, `ByteSize`) follow.
fn bound_checks(parts: &Parts<'_>, cache: &Cache, flavor: &Flavor) -> TokenStream2 {
    let Parts {
        private,
        ret_ty,
        ret_span,
        ..
    } = parts;
    let key_checks: Vec<TokenStream2> = parts
        .args
        .iter()
        .map(|a| {
            let key_ty = &a.key_ty;
            quote_spanned!(a.ty.span()=> #private::assert_key::<#key_ty>();)
        })
        .collect();
    let value_check = quote_spanned!(*ret_span=> #private::assert_value::<#ret_ty>(););
    let concurrent_checks = match flavor {
        Flavor::Mutex => quote!(),
        Flavor::Concurrent { span, .. } => {
            let (cache_ty, key_ty) = (&cache.ty, &parts.key_ty);
            let feature = quote_spanned!(*span=> #private::assert_sync_feature::<()>(););
            let policy = quote_spanned!(cache.span=>
                #private::assert_shard_policy::<#cache_ty, #key_ty, #ret_ty>();
            );
            quote!(#feature #policy)
        }
    };
    let option_checks = &cache.checks;
    quote! {
        #(#key_checks)*
        #value_check
        #concurrent_checks
        #option_checks
    }
}
