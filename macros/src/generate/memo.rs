//! Where the cache lives: a `static` for a plain function, a registry of one cache per
//! instantiation for a generic one.

use proc_macro2::TokenStream as TokenStream2;
use quote::{format_ident, quote, quote_spanned};
use syn::GenericParam;
use syn::spanned::Spanned;

use super::Parts;
use super::policy::Cache;

/// The function that returns the cache, and the expressions through which the wrapper and
/// the companions reach it.
pub(super) struct Memo {
    /// The items: `__evict_memo_fib` (and `__evict_registry_fib` if generic).
    pub(super) def: TokenStream2,
    /// An expression of type `&'static Memo<Cache>`: this call's cache.
    pub(super) memo_ref: TokenStream2,
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
pub(super) fn memo(parts: &Parts<'_>, cache: &Cache) -> Memo {
    if parts.func.sig.generics.type_params().next().is_none() {
        single(parts, cache)
    } else {
        per_instantiation(parts, cache)
    }
}

/// `fn __evict_memo_fib() -> &'static Memo<..> { static MEMO: Memo<..> = ..; &MEMO }`.
fn single(parts: &Parts<'_>, cache: &Cache) -> Memo {
    let Parts {
        private,
        key_ty,
        ret_ty,
        shared_attrs,
        prefix,
        ..
    } = parts;
    let memo_fn = format_ident!("__evict_memo_{}", parts.name());
    let memo_static = memo_type(parts, cache);
    let checks = bound_checks(parts);
    let init = &cache.init;
    let params = parameters(parts, cache);
    Memo {
        def: quote! {
            #(#shared_attrs)*
            #[doc(hidden)]
            #[allow(non_snake_case)]
            fn #memo_fn() -> &'static #memo_static {
                #checks
                static MEMO: #memo_static = #private::Memo::new(|| #init, #params);
                &MEMO
            }
        },
        memo_ref: quote!(#prefix #memo_fn()),
        info: quote!(#prefix #memo_fn().info::<#key_ty, #ret_ty>()),
        clear: quote!(#prefix #memo_fn().clear()),
        parameters: quote!(#prefix #memo_fn().parameters()),
    }
}

/// `fn __evict_memo_fib<T>()`, which finds (or makes) the memo for `T` in the registry
/// `__evict_registry_fib()`, a `static` shared by all instantiations.
fn per_instantiation(parts: &Parts<'_>, cache: &Cache) -> Memo {
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
    let memo_static = memo_type(parts, cache);
    let checks = bound_checks(parts);
    let (cache_ty, init) = (&cache.ty, &cache.init);
    let params = parameters(parts, cache);
    Memo {
        def: quote! {
            #(#shared_attrs)*
            #[doc(hidden)]
            #[allow(non_snake_case)]
            fn #memo_fn #memo_generics () -> &'static #memo_static #where_clause {
                #checks
                #prefix #registry_fn().memo::<#cache_ty, #key_ty, #ret_ty>(|| #init)
            }

            #(#shared_attrs)*
            #[doc(hidden)]
            #[allow(non_snake_case)]
            fn #registry_fn() -> &'static #private::Registry {
                static REGISTRY: #private::Registry = #private::Registry::new(#params);
                &REGISTRY
            }
        },
        memo_ref: quote!(#prefix #memo_fn::<#(#type_params),*>()),
        info: quote!(#prefix #registry_fn().info()),
        clear: quote!(#prefix #registry_fn().clear()),
        parameters: quote!(#prefix #registry_fn().parameters()),
    }
}

/// `__private::Memo<Cache>`: the cache behind its lock, built on first use.
fn memo_type(parts: &Parts<'_>, cache: &Cache) -> TokenStream2 {
    let private = &parts.private;
    let cache_ty = &cache.ty;
    quote! {
        #private::Memo<#cache_ty>
    }
}

/// What `cache_parameters()` returns.
fn parameters(parts: &Parts<'_>, cache: &Cache) -> TokenStream2 {
    let private = &parts.private;
    let (maxsize, policy_name) = (&cache.maxsize, &cache.policy_name);
    quote! {
        #private::CacheParameters::new(#maxsize, #policy_name)
    }
}

/// Calls that check the key and value bounds (`Clone + Hash + Eq + Send + 'static`, ...),
/// spanned on each argument's type and on the return type. The reason for these rather than
/// the bounds on `Memo`: the errors then point at the user's type and say what to do (see
/// `__private::Key` and `Value`), not at a generated `static`.
fn bound_checks(parts: &Parts<'_>) -> TokenStream2 {
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
    quote! {
        #(#key_checks)*
        #value_check
    }
}
