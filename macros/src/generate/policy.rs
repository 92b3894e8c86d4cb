//! The cache type behind each attribute and the expression that builds it.

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{ToTokens, quote, quote_spanned};
use syn::Expr;
use syn::spanned::Spanned;

use super::Parts;
use crate::options::{Kind, MaxSize, Options};

/// The cache of one function.
pub(super) struct Cache {
    /// Its type, with the key and value types filled in.
    pub(super) ty: TokenStream2,
    /// The expression that builds it empty: on first use, and again on `cache_clear()`.
    pub(super) init: TokenStream2,
    /// A `fn(usize) -> Cache` (a path such as `LruCache::new`, or a closure ignoring the
    /// capacity when unbounded) that builds one shard of a concurrent memo (`shards = ...`).
    pub(super) make_shard: TokenStream2,
    /// Where an error about the policy (not usable as a shard) points.
    pub(super) span: Span,
    /// The `Option<usize>` that `cache_parameters().maxsize` reports.
    pub(super) maxsize: TokenStream2,
    /// What `cache_parameters().policy` reports: the type as written, without generics.
    pub(super) policy_name: String,
}

/// `#[cache]` and `#[lru_cache(maxsize = None)]` use an `UnboundedCache`;
/// `#[lru_cache]` an `LruCache` of `maxsize` (Python's default, 128, if not given);
/// `#[memoize]` the `policy` type.
pub(super) fn cache(kind: Kind, opts: &Options, parts: &Parts<'_>) -> Cache {
    match kind {
        Kind::Cache => unbounded(parts),
        Kind::Lru => match &opts.maxsize {
            Some((_, MaxSize::Unbounded)) => unbounded(parts),
            Some((span, MaxSize::Bounded(n))) => lru(parts, usize_block(*span, n)),
            None => lru(parts, quote!(128)),
        },
        Kind::Memoize => policy(opts, parts),
    }
}

fn unbounded(parts: &Parts<'_>) -> Cache {
    let Parts {
        private,
        key_ty,
        ret_ty,
        ..
    } = parts;
    Cache {
        ty: quote!(#private::UnboundedCache<#key_ty, #ret_ty>),
        init: quote!(#private::UnboundedCache::new()),
        make_shard: quote!(|_| #private::UnboundedCache::new()),
        span: Span::call_site(),
        maxsize: quote!(::core::option::Option::None),
        policy_name: "UnboundedCache".to_owned(),
    }
}

/// `n` is the checked `maxsize` expression (see [`usize_block`]) or `128`.
fn lru(parts: &Parts<'_>, n: TokenStream2) -> Cache {
    let Parts {
        private,
        key_ty,
        ret_ty,
        ..
    } = parts;
    Cache {
        ty: quote!(#private::LruCache<#key_ty, #ret_ty>),
        init: quote!(#private::LruCache::new(#n)),
        make_shard: quote!(#private::LruCache::new),
        span: Span::call_site(),
        maxsize: quote!(::core::option::Option::Some(#n)),
        policy_name: "LruCache".to_owned(),
    }
}

/// `#[memoize(policy = P, maxsize = ...)]`: `P<Key, Value>`, built with `P::new(N)` or, for
/// `maxsize = None`, `P::default()`.
fn policy(opts: &Options, parts: &Parts<'_>) -> Cache {
    let Parts { key_ty, ret_ty, .. } = parts;
    let mut policy = opts.policy.clone().expect("checked by parse_options");
    let policy_name = policy
        .to_token_stream()
        .to_string()
        .replace(' ', "")
        .trim_start_matches("::")
        .to_owned();
    // The user names the type without its parameters (`evict::LruCache`); the macro knows
    // them. Parameters written out anyway are kept as they are.
    let last = policy.segments.last_mut().expect("a path has a segment");
    if last.arguments.is_empty() {
        last.arguments = syn::PathArguments::AngleBracketed(syn::parse_quote!(
            <#key_ty, #ret_ty>
        ));
    }
    // Spanned on the policy path, so that a type without `new` or `Default` is reported there.
    let span = policy.span();
    let (init, make_shard, maxsize) = match &opts.maxsize {
        Some((s, MaxSize::Bounded(n))) => {
            let n = usize_block(*s, n);
            (
                quote_spanned!(span=> <#policy>::new(#n)),
                quote_spanned!(span=> <#policy>::new),
                quote!(::core::option::Option::Some(#n)),
            )
        }
        _ => (
            quote_spanned!(span=> <#policy as ::core::default::Default>::default()),
            quote_spanned!(span=> |_| <#policy as ::core::default::Default>::default()),
            quote!(::core::option::Option::None),
        ),
    };
    Cache {
        ty: policy.to_token_stream(),
        init,
        make_shard,
        span,
        maxsize,
        policy_name,
    }
}

/// `{ let n: usize = N; n }`, spanned on `N`: any constant `usize` expression works
/// (`4 * 1024`, `CAPACITY`), and a value of another type is reported on the attribute's
/// `maxsize`, not in generated code.
fn usize_block(span: Span, n: &Expr) -> TokenStream2 {
    quote_spanned!(span=> { let n: usize = #n; n })
}
