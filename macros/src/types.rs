//! The cache's key and value types, read off the signature.
//!
//! The key is the tuple of all arguments, owned: an argument `T` is stored as itself, an
//! argument `&T` as `<T as ToOwned>::Owned` (so `&str` as `String`, and `f("a")` and
//! `f(&String::from("a"))` share an entry). The value is the return type, `()` if none.

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Type};

use crate::signature::check_type;

/// One argument of the memoized function.
pub(crate) struct Arg {
    /// The name the wrapper uses for it.
    pub(crate) ident: Ident,
    /// Its type in the signature.
    pub(crate) ty: Type,
    /// The type stored in the key: the argument type, or `<T as ToOwned>::Owned` for `&T`.
    pub(crate) key_ty: TokenStream2,
    /// Whether the argument is a shared reference (`&T`): the key holds an owned copy and
    /// the body gets the original reference.
    pub(crate) by_ref: bool,
}

/// The arguments with their key types; rejects `self`, `&mut`, `impl Trait` and argument
/// types that [`check_type`] refuses. An argument bound by a pattern (`(a, b): (u8, u8)`)
/// gets a made-up name, `__evict_argN`: the wrapper needs a name to build the key from.
pub(crate) fn collect_args(func: &ItemFn) -> syn::Result<Vec<Arg>> {
    let mut args = Vec::new();
    for (i, input) in func.sig.inputs.iter().enumerate() {
        let pat_ty = match input {
            FnArg::Receiver(recv) => {
                return Err(syn::Error::new_spanned(
                    recv,
                    "memoized functions cannot take `self`: the cache is one `static` shared \
                     by all calls, not a field of the value; make it an associated function \
                     that takes what the result depends on (e.g. `fn area(w: u32, h: u32)`) \
                     and mark it `#[evict::cache(associated)]`",
                ));
            }
            FnArg::Typed(pat_ty) => pat_ty,
        };
        let ident = match &*pat_ty.pat {
            Pat::Ident(p) if p.subpat.is_none() => p.ident.clone(),
            _ => format_ident!("__evict_arg{}", i),
        };
        let ty = (*pat_ty.ty).clone();
        let (key_ty, by_ref) = match &ty {
            Type::Reference(r) if r.mutability.is_some() => {
                return Err(syn::Error::new_spanned(
                    r,
                    "a memoized function cannot take `&mut` arguments: a cached call would \
                     skip the body and leave the argument unchanged; take the value (or `&T`) \
                     and return the new state",
                ));
            }
            Type::Reference(r) => {
                check_type(&r.elem, "an argument behind `&`")?;
                let elem = &r.elem;
                let key = quote_spanned! {r.span()=> <#elem as ::std::borrow::ToOwned>::Owned };
                (key, true)
            }
            Type::ImplTrait(t) => {
                return Err(syn::Error::new_spanned(
                    t,
                    "`impl Trait` arguments cannot be memoized: the cache key needs one \
                     concrete type; name the type (e.g. `&str` instead of `impl AsRef<str>`, \
                     `u64` instead of `impl Into<u64>`)",
                ));
            }
            other => {
                check_type(other, "an argument")?;
                (other.to_token_stream(), false)
            }
        };
        args.push(Arg {
            ident,
            ty,
            key_ty,
            by_ref,
        });
    }
    Ok(args)
}

/// The tuple of the arguments' key types, the cache's key type: `(u64, String,)`.
pub(crate) fn key_type(args: &[Arg]) -> TokenStream2 {
    let key_tys: Vec<&TokenStream2> = args.iter().map(|a| &a.key_ty).collect();
    quote!((#(#key_tys,)*))
}

/// The cache's value type (the return type, `()` if the signature has none) and the span
/// its errors point at: the type, or the function's name when there is no type to point at.
pub(crate) fn value_type(func: &ItemFn) -> (TokenStream2, Span) {
    let ret_ty: TokenStream2 = match &func.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };
    let ret_span = match &func.sig.output {
        ReturnType::Default => func.sig.ident.span(),
        ReturnType::Type(_, ty) => ty.span(),
    };
    (ret_ty, ret_span)
}
