//! The function the user calls, and the hidden one that holds the original body.
//!
//! The wrapper hands the body to `__private::Memo::call` as a closure rather than running it
//! itself: `call` takes the lock only to look up and to store, never while the body runs, so
//! a recursive call (`fib(n - 1)` inside `fib`) goes through the cache without deadlocking,
//! and a panicking body leaves the cache as it was.

use proc_macro2::TokenStream as TokenStream2;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::Parts;
use super::memo::Memo;

/// `fn fib(n: u64) -> u64 { let key = (n,); Memo::call(memo, key, |key| body(..), keep) }`,
/// with the function's own signature, docs and attributes. `memo` says how to reach this
/// call's `&'static Memo` (or `ConcurrentMemo`) and which of its calls to make.
pub(super) fn wrapper(parts: &Parts<'_>, memo: &Memo, errors: bool) -> TokenStream2 {
    let Memo { memo_ref, call, .. } = memo;
    let Parts {
        func,
        private,
        key_ty,
        ret_ty,
        ret_span,
        prefix,
        uncached_ident,
        ..
    } = parts;
    let wrapper_attrs = &func.attrs;
    let vis = &func.vis;
    let name = parts.name();
    let generics = &func.sig.generics;
    let where_clause = &generics.where_clause;
    let params = parts.params();

    // The key moves owned arguments in and copies referenced ones; the body gets owned
    // arguments cloned back out of the key (only on a miss) and references as they came.
    let key_parts: Vec<TokenStream2> = parts
        .args
        .iter()
        .map(|a| {
            let ident = &a.ident;
            if a.by_ref {
                quote_spanned!(a.ty.span()=> ::std::borrow::ToOwned::to_owned(#ident))
            } else {
                quote!(#ident)
            }
        })
        .collect();
    let key_var = format_ident!("__evict_key");
    let body_args: Vec<TokenStream2> = parts
        .args
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let index = syn::Index::from(i);
            if a.by_ref {
                let ident = &a.ident;
                quote!(#ident)
            } else {
                quote_spanned!(a.ty.span()=> ::core::clone::Clone::clone(&#key_var.#index))
            }
        })
        .collect();

    // Which results are stored: all, or with `errors = false` only `Ok`/`Some` (spanned on
    // the return type, where a type that is neither is reported).
    let keep = if errors {
        quote!(#private::keep_all::<#ret_ty>)
    } else {
        quote_spanned!(*ret_span=> #private::keep_success::<#ret_ty>)
    };

    quote! {
        #(#wrapper_attrs)*
        #vis fn #name #generics (#(#params),*) -> #ret_ty #where_clause {
            let #key_var: #key_ty = (#(#key_parts,)*);
            #call(
                #memo_ref,
                #key_var,
                |#key_var: &#key_ty| #prefix #uncached_ident(#(#body_args),*),
                #keep,
            )
        }
    }
}

/// `fn __evict_uncached_fib(n: u64) -> u64 { <the original body> }`: the signature and body
/// as written (patterns included), hidden, so that recursive calls in the body reach the
/// wrapper and its cache.
pub(super) fn uncached(parts: &Parts<'_>) -> TokenStream2 {
    let Parts {
        func,
        ret_ty,
        shared_attrs,
        uncached_ident,
        ..
    } = parts;
    let generics = &func.sig.generics;
    let where_clause = &generics.where_clause;
    let inputs = &func.sig.inputs;
    let block = &func.block;
    quote! {
        #(#shared_attrs)*
        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #uncached_ident #generics (#inputs) -> #ret_ty #where_clause #block
    }
}
