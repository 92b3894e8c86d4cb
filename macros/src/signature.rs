//! What cannot be memoized, rejected before any code is generated, each with a message on
//! the offending tokens that says what to write instead (the exact texts are the `.stderr`
//! files in `tests/ui/`).
//!
//! The reason for checking here rather than letting the generated code fail to compile: the
//! compiler's errors would point into generated items the user never wrote (a `static`, a
//! closure) and name none of the rules below.

use proc_macro2::TokenStream as TokenStream2;
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{FnArg, GenericParam, Ident, ItemFn, ReturnType, Signature, Type};

use crate::options::Options;

/// Rejects a function the attributes cannot memoize: `async`, `const`, `unsafe`, `extern` or
/// variadic, const generics or type parameters in no argument, a borrowed or `impl Trait`
/// return type, and `Self` in a free function. The arguments are checked as their key types
/// are worked out ([`crate::types::collect_args`]).
pub(crate) fn check_signature(func: &ItemFn, opts: &Options) -> syn::Result<()> {
    let sig = &func.sig;
    check_qualifiers(sig)?;
    check_generics(sig)?;
    if let ReturnType::Type(_, ty) = &sig.output {
        check_type(ty, "the return type")?;
    }
    if !opts.associated {
        check_no_self(func)?;
    }
    Ok(())
}

/// `async`, `const`, `unsafe`, `extern` and variadic functions.
fn check_qualifiers(sig: &Signature) -> syn::Result<()> {
    if let Some(t) = &sig.asyncness {
        return Err(syn::Error::new_spanned(
            {
                let fn_token = &sig.fn_token;
                quote!(#t #fn_token)
            },
            "`async fn` cannot be memoized by this attribute: the body would run while \
             the cache waits on a future; memoize a synchronous function instead",
        ));
    }
    if let Some(t) = &sig.constness {
        return Err(syn::Error::new(
            t.span(),
            "a `const fn` cannot be memoized: the cache lives in a `static` that is read \
             at run time; remove `const`",
        ));
    }
    if !matches!(sig.safety, syn::Safety::Default) {
        return Err(syn::Error::new(
            sig.fn_token.span(),
            "an `unsafe fn` cannot be memoized: the caller's safety obligations cannot be \
             cached; memoize a safe wrapper instead",
        ));
    }
    if let Some(abi) = &sig.abi {
        return Err(syn::Error::new(
            abi.span(),
            "an `extern` function cannot be memoized; memoize a Rust-ABI wrapper instead",
        ));
    }
    if let Some(v) = &sig.variadic {
        return Err(syn::Error::new(
            v.span(),
            "a variadic function cannot be memoized",
        ));
    }
    Ok(())
}

/// Const generics, and type parameters that appear in no argument (the `uncached`
/// companion and the per-instantiation cache are found from the argument types).
fn check_generics(sig: &Signature) -> syn::Result<()> {
    for param in &sig.generics.params {
        match param {
            GenericParam::Lifetime(_) => {}
            GenericParam::Type(t) => {
                let used = sig.inputs.iter().any(|input| match input {
                    FnArg::Typed(pat_ty) => mentions(pat_ty.ty.to_token_stream(), &t.ident),
                    FnArg::Receiver(_) => false,
                });
                if !used {
                    return Err(syn::Error::new_spanned(
                        &t.ident,
                        format!(
                            "the type parameter `{}` appears in no argument: a memoized \
                             generic function needs each type parameter in an argument's type \
                             (its `uncached` companion is found from them); add an argument \
                             such as `PhantomData<{0}>`, or write one function per type",
                            t.ident
                        ),
                    ));
                }
            }
            GenericParam::Const(c) => {
                return Err(syn::Error::new_spanned(
                    c,
                    "const-generic functions cannot be memoized yet: the cache is one \
                     `static`, which cannot depend on a const parameter; pass the value \
                     as an ordinary argument instead",
                ));
            }
        }
    }
    Ok(())
}

/// Whether `ident` occurs anywhere in `tokens`.
fn mentions(tokens: TokenStream2, ident: &Ident) -> bool {
    tokens.into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) => i == *ident,
        proc_macro2::TokenTree::Group(g) => mentions(g.stream(), ident),
        _ => false,
    })
}

/// A body that names `Self` is in an `impl` block, where the companion module cannot be
/// generated (and could not name `Self`); a free function never can.
fn check_no_self(func: &ItemFn) -> syn::Result<()> {
    let mut found = Forbidden::default();
    found.visit_block(&func.block);
    if let Some(tokens) = found.self_type {
        return Err(syn::Error::new_spanned(
            tokens,
            "this function uses `Self`, so it is in an `impl` block, where no module can \
             be generated; write `#[evict::cache(associated)]` (or add `associated` to \
             the attribute) to get `name_cache_info()` etc. as associated functions",
        ));
    }
    Ok(())
}

/// Finds what a cache key or value cannot contain.
#[derive(Default)]
struct Forbidden {
    lifetime: Option<syn::Lifetime>,
    impl_trait: Option<TokenStream2>,
    self_type: Option<TokenStream2>,
    reference: Option<TokenStream2>,
}

impl<'ast> Visit<'ast> for Forbidden {
    fn visit_lifetime(&mut self, lt: &'ast syn::Lifetime) {
        if lt.ident != "static" && self.lifetime.is_none() {
            self.lifetime = Some(lt.clone());
        }
    }
    fn visit_type_impl_trait(&mut self, t: &'ast syn::TypeImplTrait) {
        self.impl_trait.get_or_insert_with(|| t.to_token_stream());
    }
    fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
        let is_static = r.lifetime.as_ref().is_some_and(|lt| lt.ident == "static");
        if !is_static {
            self.reference.get_or_insert_with(|| r.to_token_stream());
        }
        syn::visit::visit_type_reference(self, r);
    }
    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.segments.first().is_some_and(|s| s.ident == "Self") {
            self.self_type.get_or_insert_with(|| p.to_token_stream());
        }
        syn::visit::visit_path(self, p);
    }
}

/// Rejects a key or value type (`what`: "an argument", "the return type", ...) that holds
/// `impl Trait`, `Self`, a non-`'static` reference or a lifetime: the cache is a `static`
/// that outlives every borrow and cannot name `Self`.
pub(crate) fn check_type(ty: &Type, what: &str) -> syn::Result<()> {
    let mut found = Forbidden::default();
    found.visit_type(ty);
    if let Some(tokens) = found.impl_trait {
        return Err(syn::Error::new_spanned(
            tokens,
            format!(
                "`impl Trait` cannot be memoized: {what} must have one concrete type to be \
                 stored in the cache; name the type (e.g. `&str` instead of `impl AsRef<str>`)"
            ),
        ));
    }
    if let Some(tokens) = found.self_type {
        return Err(syn::Error::new_spanned(
            tokens,
            format!(
                "`Self` cannot appear in {what} of a memoized function: the cache is a \
                 `static`, which cannot name `Self`; write the type's name instead"
            ),
        ));
    }
    if let Some(tokens) = found.reference {
        return Err(syn::Error::new_spanned(
            tokens,
            format!(
                "{what} cannot hold a borrowed reference: the cache outlives every borrow; \
                 use an owned type (`String`, `Vec<T>`, `Arc<T>`) or `&'static`"
            ),
        ));
    }
    if let Some(lt) = found.lifetime {
        return Err(syn::Error::new(
            lt.span(),
            format!(
                "{what} cannot hold the lifetime `{lt}`: the cache outlives every borrow; \
                 use an owned type (`String`, `Vec<T>`, `Arc<T>`)"
            ),
        ));
    }
    Ok(())
}
