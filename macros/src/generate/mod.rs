//! The generated items, for a signature that passed the checks.
//!
//! For `fn fib(n: u64) -> u64` they are, in this order:
//! - the wrapper `fn fib`, with the user's signature, which looks the key up ([`wrapper`]);
//! - `fn __evict_uncached_fib`, the original body, untouched ([`wrapper`]);
//! - `fn __evict_memo_fib`, which holds the cache in a `static` ([`memo`]), built as
//!   [`policy`] says: one cache behind one mutex, or with `shards = ...` a concurrent cache
//!   of shards;
//! - the companions `cache_info`, `cache_clear`, `cache_parameters` and `uncached`: a module
//!   `fib`, or associated functions `fib_cache_info` etc. with `associated`
//!   ([`companions`]).
//!
//! Generated code names only `#krate::__private::...` (`::evict::__private` unless
//! `crate = "..."` says otherwise), so it works whatever the user has imported.

mod companions;
mod memo;
mod policy;
mod wrapper;

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::{Attribute, Ident, ItemFn};

use crate::options::{Kind, Options};
use crate::types::{Arg, key_type, value_type};

/// Writes the items that replace `func`.
pub(crate) fn generate(kind: Kind, opts: &Options, func: &ItemFn, args: Vec<Arg>) -> TokenStream2 {
    let parts = Parts::new(opts, func, args);
    let cache = policy::cache(kind, opts, &parts);
    let memo = memo::memo(&parts, &cache, opts);
    let wrapper = wrapper::wrapper(&parts, &memo, opts.errors);
    let uncached = wrapper::uncached(&parts);
    let companions = if opts.associated {
        companions::associated(&parts, &memo)
    } else {
        companions::module(&parts, &memo)
    };
    let memo_def = &memo.def;
    quote! {
        #wrapper

        #uncached

        #memo_def

        #companions
    }
}

/// What every generated item is built from, worked out once.
struct Parts<'a> {
    func: &'a ItemFn,
    args: Vec<Arg>,
    /// `#krate::__private`: the only path the generated code names.
    private: TokenStream2,
    /// The key type: the tuple of the arguments' key types.
    key_ty: TokenStream2,
    /// The value type: the return type, `()` if none.
    ret_ty: TokenStream2,
    /// Where an error about the value type points.
    ret_span: Span,
    /// The `cfg` and lint-level attributes, repeated on every generated item so that they are
    /// compiled (or not) together; the wrapper gets all of the function's attributes.
    shared_attrs: Vec<&'a Attribute>,
    /// How the generated items reach each other: `Self::` with `associated` (they are
    /// associated functions of the same `impl`), nothing for free functions.
    prefix: TokenStream2,
    /// The hidden function holding the original body.
    uncached_ident: Ident,
}

impl<'a> Parts<'a> {
    fn new(opts: &Options, func: &'a ItemFn, args: Vec<Arg>) -> Self {
        let krate = &opts.krate;
        let (ret_ty, ret_span) = value_type(func);
        let shared_attrs = func
            .attrs
            .iter()
            .filter(|a| {
                ["cfg", "allow", "expect", "warn", "deny", "forbid"]
                    .iter()
                    .any(|n| a.path().is_ident(n))
            })
            .collect();
        let prefix = if opts.associated {
            quote!(Self::)
        } else {
            quote!()
        };
        Parts {
            func,
            private: quote!(#krate::__private),
            key_ty: key_type(&args),
            args,
            ret_ty,
            ret_span,
            shared_attrs,
            prefix,
            uncached_ident: format_ident!("__evict_uncached_{}", func.sig.ident),
        }
    }

    /// The function's name: `fib`.
    fn name(&self) -> &'a Ident {
        &self.func.sig.ident
    }

    /// The wrapper's parameters, `n: u64`, with every pattern replaced by a name.
    fn params(&self) -> Vec<TokenStream2> {
        self.args
            .iter()
            .map(|a| {
                let (ident, ty) = (&a.ident, &a.ty);
                quote!(#ident: #ty)
            })
            .collect()
    }

    /// The wrapper's parameter names, in order.
    fn idents(&self) -> Vec<&Ident> {
        self.args.iter().map(|a| &a.ident).collect()
    }
}
