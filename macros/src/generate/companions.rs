//! Python's `fib.cache_info()`, `fib.cache_clear()`, `fib.cache_parameters()` and
//! `fib.__wrapped__`, as `fib::cache_info()` etc. in a module named after the function, or,
//! inside an `impl` block (where a module cannot go), as associated functions
//! `fib_cache_info()` etc.

use proc_macro2::TokenStream as TokenStream2;
use quote::{format_ident, quote};
use syn::{Ident, Type, Visibility};

use super::Parts;
use super::memo::Memo;

/// The doc comments of the four companions; `shown` is how they refer to the function.
struct Docs {
    info: String,
    clear: String,
    parameters: String,
    uncached: String,
}

impl Docs {
    fn new(name: &str, shown: &str) -> Self {
        Docs {
            info: format!(
                "Hits, misses, maxsize and current size of the cache of {shown} \
                 (Python's `{name}.cache_info()`)."
            ),
            clear: format!(
                "Empties the cache of {shown} and resets its counters \
                 (Python's `{name}.cache_clear()`)."
            ),
            parameters: format!(
                "The maxsize and policy of the cache of {shown} \
                 (Python's `{name}.cache_parameters()`)."
            ),
            uncached: format!(
                "Runs the body of {shown} without looking in or storing into its cache \
                 (Python's `{name}.__wrapped__`); recursive calls in the body still go \
                 through the cache."
            ),
        }
    }
}

/// With `associated`: `fib_cache_info()`, `fib_cache_clear()`, `fib_cache_parameters()` and
/// `fib_uncached(..)`, next to the function in its `impl` block.
pub(super) fn associated(parts: &Parts<'_>, memo: &Memo) -> TokenStream2 {
    let Parts {
        func,
        private,
        ret_ty,
        shared_attrs,
        uncached_ident,
        ..
    } = parts;
    let name = parts.name();
    let vis = &func.vis;
    let generics = &func.sig.generics;
    let where_clause = &generics.where_clause;
    let params = parts.params();
    let idents = parts.idents();
    let Memo {
        info,
        clear,
        parameters,
        ..
    } = memo;
    let info_fn = format_ident!("{}_cache_info", name);
    let clear_fn = format_ident!("{}_cache_clear", name);
    let params_fn = format_ident!("{}_cache_parameters", name);
    let uncached_fn = format_ident!("{}_uncached", name);
    let name_str = name.to_string();
    let docs = Docs::new(&name_str, &format!("[`{name_str}`](Self::{name_str})"));
    let Docs {
        info: doc_info,
        clear: doc_clear,
        parameters: doc_params,
        uncached: doc_uncached,
    } = &docs;
    quote! {
        #(#shared_attrs)*
        #[doc = #doc_info]
        #[allow(dead_code)]
        #vis fn #info_fn() -> #private::CacheInfo {
            #info
        }

        #(#shared_attrs)*
        #[doc = #doc_clear]
        #[allow(dead_code)]
        #vis fn #clear_fn() {
            #clear
        }

        #(#shared_attrs)*
        #[doc = #doc_params]
        #[allow(dead_code)]
        #vis fn #params_fn() -> #private::CacheParameters {
            #parameters
        }

        #(#shared_attrs)*
        #[doc = #doc_uncached]
        #[allow(dead_code)]
        #vis fn #uncached_fn #generics (#(#params),*) -> #ret_ty #where_clause {
            Self::#uncached_ident(#(#idents),*)
        }
    }
}

/// `mod fib { fn cache_info() .. }`, and the impls through which it reaches the cache.
///
/// The module names no type of the user's (it may sit in a function body, where it cannot
/// see the items around it): everything it needs is reached through `fib::__Evict`, a
/// marker type whose impls are written next to the function, where every name resolves.
pub(super) fn module(parts: &Parts<'_>, memo: &Memo) -> TokenStream2 {
    let marker_impls = marker_impls(parts, memo);
    let module = companion_module(parts);
    quote! {
        #marker_impls

        #module
    }
}

/// `impl fib::__Evict { fn __evict_info() .. }` and `impl Wrapped<(Args,)> for fib::__Evict`.
fn marker_impls(parts: &Parts<'_>, memo: &Memo) -> TokenStream2 {
    let Parts {
        func,
        private,
        ret_ty,
        shared_attrs,
        uncached_ident,
        ..
    } = parts;
    let name = parts.name();
    let Memo {
        info,
        clear,
        parameters,
        ..
    } = memo;
    let idents = parts.idents();
    let arg_tys: Vec<&Type> = parts.args.iter().map(|a| &a.ty).collect();
    let (impl_generics, _, _) = func.sig.generics.split_for_impl();
    let where_clause = &func.sig.generics.where_clause;
    quote! {
        #(#shared_attrs)*
        #[allow(dead_code)]
        impl #name::__Evict {
            fn __evict_info() -> #private::CacheInfo {
                #info
            }
            fn __evict_clear() {
                #clear
            }
            fn __evict_parameters() -> #private::CacheParameters {
                #parameters
            }
        }

        #(#shared_attrs)*
        impl #impl_generics #private::Wrapped<(#(#arg_tys,)*)> for #name::__Evict #where_clause {
            type Output = #ret_ty;
            fn call((#(#idents,)*): (#(#arg_tys,)*)) -> #ret_ty {
                #uncached_ident(#(#idents),*)
            }
        }
    }
}

/// `mod fib`, with the function's visibility.
fn companion_module(parts: &Parts<'_>) -> TokenStream2 {
    let Parts {
        func,
        private,
        shared_attrs,
        ..
    } = parts;
    let name = parts.name();
    let vis = &func.vis;
    // Items of the companion module are `pub` when the function is, `pub(crate)` otherwise
    // (a `pub` item in a private module would trip the `unreachable_pub` lint).
    let inner_vis = match vis {
        Visibility::Public(_) => quote!(pub),
        _ => quote!(pub(crate)),
    };
    let name_str = name.to_string();
    let doc_mod = format!(
        "The cache of [`{name_str}`](fn@{name_str}), with Python's `functools` controls: \
         `{name_str}::cache_info()`, `{name_str}::cache_clear()`, \
         `{name_str}::cache_parameters()` and `{name_str}::uncached(..)`."
    );
    let Docs {
        info: doc_info,
        clear: doc_clear,
        parameters: doc_params,
        uncached: doc_uncached,
    } = &Docs::new(&name_str, &format!("`{name_str}`"));
    // `uncached` is generic over its arguments (`A0, A1, ..`) and forwards them through
    // `Wrapped`, whose impl names the real argument types: the module cannot name them.
    let generic_args: Vec<Ident> = (0..parts.args.len())
        .map(|i| format_ident!("A{}", i))
        .collect();
    let generic_vals: Vec<Ident> = (0..parts.args.len())
        .map(|i| format_ident!("a{}", i))
        .collect();
    quote! {
        #(#shared_attrs)*
        #[doc = #doc_mod]
        #[allow(dead_code, non_snake_case)]
        #vis mod #name {
            /// The marker through which these functions reach the cache.
            #[doc(hidden)]
            #[derive(Debug)]
            #inner_vis struct __Evict;

            #[doc = #doc_info]
            #inner_vis fn cache_info() -> #private::CacheInfo {
                __Evict::__evict_info()
            }

            #[doc = #doc_clear]
            #inner_vis fn cache_clear() {
                __Evict::__evict_clear()
            }

            #[doc = #doc_params]
            #inner_vis fn cache_parameters() -> #private::CacheParameters {
                __Evict::__evict_parameters()
            }

            #[doc = #doc_uncached]
            #inner_vis fn uncached<#(#generic_args),*>(#(#generic_vals: #generic_args),*)
                -> <__Evict as #private::Wrapped<(#(#generic_args,)*)>>::Output
            where
                __Evict: #private::Wrapped<(#(#generic_args,)*)>,
            {
                <__Evict as #private::Wrapped<(#(#generic_args,)*)>>::call((#(#generic_vals,)*))
            }
        }
    }
}
