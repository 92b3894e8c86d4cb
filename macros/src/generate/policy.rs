//! The cache type behind each attribute and the expression that builds it.
//!
//! Two layers: the policy (`UnboundedCache`, `LruCache`, or `#[memoize]`'s `policy`), counted
//! in entries or, with `max_bytes`/`max_weight`, built `with_weigher`; and, with `ttl` or
//! `time_to_idle`, the expiring cache around it, whose policy then stores
//! `evict::expiry::Entry<V>` instead of `V`.

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{ToTokens, quote, quote_spanned};
use syn::Expr;
use syn::spanned::Spanned;

use super::Parts;
use crate::options::{Budget, Kind, Lifetime, MaxSize, Options, Weigh};

/// The cache of one function.
pub(super) struct Cache {
    /// Its type, with the key and value types filled in.
    pub(super) ty: TokenStream2,
    /// The expression that builds it empty: on first use, and again on `cache_clear()`.
    pub(super) init: TokenStream2,
    /// A `fn(usize, DefaultHashBuilder) -> Cache` that builds one shard of a concurrent memo
    /// (`shards = ...`) from its share of the capacity and a clone of the memo's hasher: with
    /// the policy's `with_hasher` where it has one (`__private::ShardOf`: a hit then hashes
    /// its key once), else with its own constructor (the hasher unused).
    pub(super) make_shard: TokenStream2,
    /// Where an error about the policy (not usable as a shard) points.
    pub(super) span: Span,
    /// The `CacheParameters` expression that `cache_parameters()` reports (before a
    /// concurrent memo adds its shards).
    pub(super) parameters: TokenStream2,
    /// Checks the options need beyond the key and value bounds: the `expiry` feature, the
    /// `ByteSize` of keys and values.
    pub(super) checks: TokenStream2,
}

/// How the policy is built.
enum Build {
    /// `UnboundedCache::new()`, or `Type::default()` for `maxsize = None`.
    Fixed(TokenStream2),
    /// `Type::new(n)`: `n` entries (the checked expression), shards get their share.
    Count(TokenStream2),
    /// `Type::with_weigher(n, weigher)`: `n` (a checked `u64` expression) in weight units.
    Weighted {
        amount: TokenStream2,
        weigher: TokenStream2,
    },
}

/// The policy layer.
struct Policy {
    /// The type, its key and value types filled in (the value is `Entry<V>` under expiry).
    ty: TokenStream2,
    build: Build,
    /// Where errors about the policy's constructors point.
    span: Span,
    /// What `cache_parameters().policy` reports: the type as written, without generics.
    name: String,
}

impl Policy {
    /// The expression that builds the policy with all of `maxsize` (`cap: None`) or with a
    /// shard's share of it (`cap: Some(a usize expression)`).
    fn construct(&self, cap: Option<&TokenStream2>) -> TokenStream2 {
        let (ty, span) = (&self.ty, self.span);
        match &self.build {
            Build::Fixed(expr) => expr.clone(),
            Build::Count(n) => {
                let n = cap.unwrap_or(n);
                quote_spanned!(span=> <#ty>::new(#n))
            }
            Build::Weighted { amount, weigher } => {
                let amount = cap.map_or_else(|| amount.clone(), |cap| quote!((#cap as u64)));
                quote_spanned!(span=> <#ty>::with_weigher(#amount, #weigher))
            }
        }
    }

    /// `cache_parameters().maxsize`, an `Option<usize>` constant.
    fn maxsize(&self, private: &TokenStream2) -> TokenStream2 {
        match &self.build {
            Build::Fixed(_) => quote!(::core::option::Option::None),
            Build::Count(n) => quote!(::core::option::Option::Some(#n)),
            Build::Weighted { amount, .. } => {
                quote!(::core::option::Option::Some(#private::budget(#amount)))
            }
        }
    }
}

/// `#[cache]` and `#[lru_cache(maxsize = None)]` use an `UnboundedCache`;
/// `#[lru_cache]` an `LruCache` of `maxsize` (Python's default, 128, if not given) or of
/// `max_bytes`/`max_weight`; `#[memoize]` the `policy` type; any of them inside an
/// `ExpiringCache` with `ttl`/`time_to_idle`.
pub(super) fn cache(kind: Kind, opts: &Options, parts: &Parts<'_>) -> Cache {
    let private = &parts.private;
    let expiring = opts.ttl.is_some() || opts.tti.is_some();
    let ret_ty = &parts.ret_ty;
    // What the policy stores for each value.
    let stored = if expiring {
        quote!(#private::Entry<#ret_ty>)
    } else {
        ret_ty.clone()
    };
    let policy = match kind {
        Kind::Cache => unbounded(parts, &stored),
        Kind::Lru => match (&opts.maxsize, &opts.budget) {
            (_, Some(budget)) => {
                let path = quote!(#private::LruCache);
                let name = "LruCache".to_owned();
                weighted(
                    parts,
                    &stored,
                    expiring,
                    (path, name, Span::call_site()),
                    budget,
                )
            }
            (Some((_, MaxSize::Unbounded)), None) => unbounded(parts, &stored),
            (Some((span, MaxSize::Bounded(n))), None) => lru(parts, &stored, usize_block(*span, n)),
            (None, None) => lru(parts, &stored, quote!(128)),
        },
        Kind::Memoize => memoize_policy(opts, parts, &stored, expiring),
    };

    let maxsize = policy.maxsize(private);
    let name = &policy.name;
    let mut parameters = quote!(#private::CacheParameters::new(#maxsize, #name));
    let mut checks = TokenStream2::new();
    if let Some(budget) = &opts.budget {
        let unit = match budget.weigher {
            Weigh::Bytes => quote!(#private::SizeUnit::Bytes),
            Weigh::With(_) => quote!(#private::SizeUnit::Weight),
        };
        parameters = quote!(#private::with_unit(#parameters, #unit));
        if let Weigh::Bytes = budget.weigher {
            checks.extend(byte_size_checks(parts));
        }
    }

    let (ty, init, make_shard) = if expiring {
        let key_ty = &parts.key_ty;
        let inner_ty = &policy.ty;
        let ttl = lifetime(private, opts.ttl.as_ref().map(|(_, l)| l));
        let tti = lifetime(private, opts.tti.as_ref().map(|(_, l)| l));
        parameters = quote!(#private::with_lifetimes(#parameters, #ttl, #tti));
        for (span, _) in opts.ttl.iter().chain(&opts.tti) {
            checks.extend(quote_spanned!(*span=> #private::assert_expiry_feature::<()>();));
        }
        let expiring = quote!(#private::expiring::<#key_ty, #ret_ty, _>);
        let whole = policy.construct(None);
        let share = policy.construct(Some(&quote!(__evict_capacity)));
        (
            quote!(#private::Expiring<#key_ty, #ret_ty, #inner_ty>),
            quote!(#expiring(#whole, #ttl, #tti)),
            quote!(|__evict_capacity: usize| #expiring(#share, #ttl, #tti)),
        )
    } else {
        let share = policy.construct(Some(&quote!(__evict_capacity)));
        (
            policy.ty.clone(),
            policy.construct(None),
            quote!(|__evict_capacity: usize| #share),
        )
    };
    let make_shard = quote! {
        |__evict_capacity: usize, __evict_hasher: #private::DefaultHashBuilder| {
            #[allow(unused_imports)]
            use #private::{ViaCapacity as _, ViaHasher as _};
            let __evict_probe = &#private::ShardOf::<#ty>::NEW;
            __evict_probe.shard(__evict_capacity, __evict_hasher, #make_shard)
        }
    };
    Cache {
        ty,
        init,
        make_shard,
        span: policy.span,
        parameters,
        checks,
    }
}

fn unbounded(parts: &Parts<'_>, stored: &TokenStream2) -> Policy {
    let Parts {
        private, key_ty, ..
    } = parts;
    Policy {
        ty: quote!(#private::UnboundedCache<#key_ty, #stored>),
        build: Build::Fixed(quote!(#private::UnboundedCache::new())),
        span: Span::call_site(),
        name: "UnboundedCache".to_owned(),
    }
}

/// `n` is the checked `maxsize` expression (see [`usize_block`]) or `128`.
fn lru(parts: &Parts<'_>, stored: &TokenStream2, n: TokenStream2) -> Policy {
    let Parts {
        private, key_ty, ..
    } = parts;
    Policy {
        ty: quote!(#private::LruCache<#key_ty, #stored>),
        build: Build::Count(n),
        span: Span::call_site(),
        name: "LruCache".to_owned(),
    }
}

/// `path<Key, Stored, DefaultHashBuilder, Weighted<fn(&Key, &Stored) -> u64>>`, built with
/// `with_weigher(budget, weigher)`. The weigher's type is a function pointer so that the
/// `static` holding the cache can name it.
fn weighted(
    parts: &Parts<'_>,
    stored: &TokenStream2,
    expiring: bool,
    (path, name, span): (TokenStream2, String, Span),
    budget: &Budget,
) -> Policy {
    let Parts {
        private,
        key_ty,
        ret_ty,
        ..
    } = parts;
    let fn_ty = quote!(fn(&#key_ty, &#stored) -> u64);
    let weigher = match (&budget.weigher, expiring) {
        (Weigh::Bytes, false) => quote!(#private::byte_weight::<#key_ty, #ret_ty>),
        (Weigh::Bytes, true) => quote!(#private::entry_byte_weight::<#key_ty, #ret_ty>),
        // The user's weigher, coerced to a function pointer (spanned on it, so that a
        // capturing closure or a wrong signature is reported there); under expiry it weighs
        // the entry's value.
        (Weigh::With(f), false) => {
            quote_spanned!(f.span()=> { let w: fn(&#key_ty, &#ret_ty) -> u64 = #f; w })
        }
        (Weigh::With(f), true) => {
            let user = quote_spanned!(f.span()=> let w: fn(&#key_ty, &#ret_ty) -> u64 = #f;);
            quote! {
                |key: &#key_ty, entry: &#stored| { #user w(key, #private::entry_value(entry)) }
            }
        }
    };
    let amount = &budget.amount;
    let amount = quote_spanned!(amount.span()=> { let n: u64 = #amount; n });
    Policy {
        ty: quote!(#path<#key_ty, #stored, #private::DefaultHashBuilder, #private::Weighted<#fn_ty>>),
        build: Build::Weighted { amount, weigher },
        span,
        name,
    }
}

/// `#[memoize(policy = P, ...)]`: `P<Key, Stored>`, built with `P::new(N)` or, for
/// `maxsize = None`, `P::default()`; with a weight budget
/// `P<Key, Stored, DefaultHashBuilder, Weighted<fn(..) -> u64>>` built with
/// `P::with_weigher(N, weigher)` (every evict policy's parameters, in that order).
fn memoize_policy(
    opts: &Options,
    parts: &Parts<'_>,
    stored: &TokenStream2,
    expiring: bool,
) -> Policy {
    let key_ty = &parts.key_ty;
    let mut policy = opts.policy.clone().expect("checked by parse_options");
    let name = policy
        .to_token_stream()
        .to_string()
        .replace(' ', "")
        .trim_start_matches("::")
        .to_owned();
    // Spanned on the policy path, so that a type without `new`, `with_weigher` or
    // `Default` is reported there.
    let span = policy.span();
    if let Some(budget) = &opts.budget {
        let path = policy.to_token_stream();
        return weighted(parts, stored, expiring, (path, name, span), budget);
    }
    // The user names the type without its parameters (`evict::LruCache`); the macro knows
    // them. Parameters written out anyway are kept as they are.
    let last = policy.segments.last_mut().expect("a path has a segment");
    if last.arguments.is_empty() {
        last.arguments = syn::PathArguments::AngleBracketed(syn::parse_quote!(<#key_ty, #stored>));
    }
    let ty = policy.to_token_stream();
    let build = match &opts.maxsize {
        Some((s, MaxSize::Bounded(n))) => Build::Count(usize_block(*s, n)),
        _ => Build::Fixed(quote_spanned!(span=> <#ty as ::core::default::Default>::default())),
    };
    Policy {
        ty,
        build,
        span,
        name,
    }
}

/// `Some(duration)` for a lifetime, `None` without: a constant expression either way (it is
/// part of `cache_parameters()`, which a `static` holds).
fn lifetime(private: &TokenStream2, lifetime: Option<&Lifetime>) -> TokenStream2 {
    match lifetime {
        None => quote!(::core::option::Option::None),
        Some(Lifetime::Parsed { secs, nanos }) => {
            quote!(::core::option::Option::Some(::core::time::Duration::new(#secs, #nanos)))
        }
        Some(Lifetime::Expr(e)) => {
            let checked = quote_spanned!(e.span()=> #private::duration(#e));
            quote!(::core::option::Option::Some(#checked))
        }
    }
}

/// `max_bytes` counts keys and values with `evict::ByteSize`: one check per argument and
/// one for the return type, spanned on each, so that a type without it is named there.
fn byte_size_checks(parts: &Parts<'_>) -> TokenStream2 {
    let Parts {
        private,
        ret_ty,
        ret_span,
        ..
    } = parts;
    let mut checks: TokenStream2 = parts
        .args
        .iter()
        .map(|a| {
            let key_ty = &a.key_ty;
            quote_spanned!(a.ty.span()=> #private::assert_byte_size::<#key_ty>();)
        })
        .collect();
    checks.extend(quote_spanned!(*ret_span=> #private::assert_byte_size::<#ret_ty>();));
    checks
}

/// `{ let n: usize = N; n }`, spanned on `N`: any constant `usize` expression works
/// (`4 * 1024`, `CAPACITY`), and a value of another type is reported on the attribute's
/// `maxsize`, not in generated code.
fn usize_block(span: Span, n: &Expr) -> TokenStream2 {
    quote_spanned!(span=> { let n: usize = #n; n })
}
