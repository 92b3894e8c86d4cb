//! The attribute's arguments: `maxsize`, `policy`, `shards`, `single_flight`, `errors`,
//! `associated` and `crate`.
//!
//! Few options on purpose (cached's twenty are the warning): each rejected one names what to
//! write instead, and `typed`, which Python users reach for, explains why Rust needs none.

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Expr, LitBool, LitStr, Path};

/// Which attribute is expanding: it decides the cache type and the options allowed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Cache,
    Lru,
    Memoize,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Cache => "cache",
            Kind::Lru => "lru_cache",
            Kind::Memoize => "memoize",
        }
    }

    fn options(self) -> &'static str {
        match self {
            Kind::Cache => "`shards`, `single_flight`, `errors`, `associated`, `crate`",
            Kind::Lru => "`maxsize`, `shards`, `single_flight`, `errors`, `associated`, `crate`",
            Kind::Memoize => {
                "`policy`, `maxsize`, `shards`, `single_flight`, `errors`, `associated`, `crate`"
            }
        }
    }
}

/// `maxsize = ...`: a number (any constant `usize` expression) or `None`.
pub(crate) enum MaxSize {
    Bounded(Expr),
    Unbounded,
}

/// `shards = ...`: a number of shards (a power of two) or `auto`.
pub(crate) enum Shards {
    /// `shards = auto`: `evict::sync::default_shards(maxsize)`.
    Auto,
    /// `shards = N`: a literal, checked here, or a constant expression, checked by a `const`
    /// assertion in the generated code.
    Count(Expr),
}

/// The most shards a memo can have (`evict::sync::MAX_SHARDS`).
const MAX_SHARDS: u64 = 1 << 16;

/// The parsed arguments of one attribute.
pub(crate) struct Options {
    /// `maxsize = ...`, with the span of its value (where a non-`usize` value is reported).
    pub(crate) maxsize: Option<(Span, MaxSize)>,
    /// `policy = Type` (only `#[memoize]`, which requires it).
    pub(crate) policy: Option<Path>,
    /// `shards = ...`, with the span of the option (where a missing `sync` feature is
    /// reported): the concurrent memo. `None`: the default memo, one cache behind one mutex.
    pub(crate) shards: Option<(Span, Shards)>,
    /// `single_flight` / `single_flight = true`: concurrent misses of one key run the body
    /// once (needs `shards`).
    pub(crate) single_flight: bool,
    /// `errors = false`: keep `Ok`/`Some` results only.
    pub(crate) errors: bool,
    /// `associated`: companions as associated functions instead of a module.
    pub(crate) associated: bool,
    /// `crate = "..."`: where the `evict` crate is (`::evict` by default).
    pub(crate) krate: Path,
}

/// Parses the attribute's arguments, rejecting unknown, repeated and misplaced options.
pub(crate) fn parse_options(kind: Kind, args: TokenStream) -> syn::Result<Options> {
    let mut opts = Options {
        maxsize: None,
        policy: None,
        shards: None,
        single_flight: false,
        errors: true,
        associated: false,
        krate: syn::parse_quote!(::evict),
    };
    let mut seen: Vec<String> = Vec::new();
    let mut single_flight_span = None;
    let parser = syn::meta::parser(|meta| {
        let name = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        if seen.contains(&name) {
            return Err(meta.error(format_args!("`{name}` is given twice; keep one")));
        }
        if name == "single_flight" {
            single_flight_span = Some(meta.path.span());
        }
        parse_option(kind, &mut opts, &name, &meta)?;
        seen.push(name);
        Ok(())
    });
    syn::parse::Parser::parse(parser, args)?;
    if let (Some(span), true, None) = (single_flight_span, opts.single_flight, &opts.shards) {
        return Err(syn::Error::new(
            span,
            "`single_flight` needs the concurrent memo: add `shards = auto` \
             (or `shards = N`, a power of two)",
        ));
    }
    if kind == Kind::Memoize {
        check_memoize(&opts)?;
    }
    Ok(opts)
}

/// Reads one option, `name`, into `opts`.
fn parse_option(
    kind: Kind,
    opts: &mut Options,
    name: &str,
    meta: &ParseNestedMeta<'_>,
) -> syn::Result<()> {
    match name {
        "maxsize" if kind != Kind::Cache => {
            let value: Expr = meta.value()?.parse()?;
            let span = value.span();
            let size = match &value {
                Expr::Path(p) if p.path.is_ident("None") => MaxSize::Unbounded,
                _ => MaxSize::Bounded(value),
            };
            opts.maxsize = Some((span, size));
        }
        "maxsize" => {
            return Err(meta.error(
                "`#[cache]` is unbounded and takes no `maxsize`; \
                 write `#[evict::lru_cache(maxsize = N)]` for a bounded cache",
            ));
        }
        "policy" if kind == Kind::Memoize => {
            opts.policy = Some(meta.value()?.parse()?);
        }
        "policy" => {
            return Err(meta.error(format_args!(
                "`#[{}]` has a fixed policy; write \
                 `#[evict::memoize(policy = evict::LruCache, maxsize = N)]` to choose one",
                kind.name()
            )));
        }
        "shards" => {
            let value: Expr = meta.value()?.parse()?;
            opts.shards = Some((meta.path.span(), parse_shards(value)?));
        }
        "single_flight" => {
            // A bare `single_flight` means `single_flight = true`.
            opts.single_flight = if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<LitBool>()?.value
            } else {
                true
            };
        }
        "errors" => {
            let lit: LitBool = meta.value()?.parse()?;
            opts.errors = lit.value;
        }
        "associated" => {
            opts.associated = true;
        }
        "crate" => {
            let lit: LitStr = meta.value()?.parse()?;
            opts.krate = lit.parse()?;
        }
        "typed" => {
            return Err(meta.error(
                "`typed` is not needed: Rust arguments have one static type, \
                 so calls with different types never share an entry; remove it",
            ));
        }
        _ => {
            return Err(meta.error(format_args!(
                "unknown option `{}` for `#[{}]`; expected one of {}",
                meta.path.to_token_stream(),
                kind.name(),
                kind.options()
            )));
        }
    }
    Ok(())
}

/// `auto`, or a shard count: a literal must be a power of two from 1 to 65536 (the shard is
/// picked from the hash's high bits, so the count is a power of two; it is an error rather
/// than rounded up so that the count written is the count in use, and `cache_parameters()`
/// says so); any other expression is checked when the generated code is compiled.
fn parse_shards(value: Expr) -> syn::Result<Shards> {
    match &value {
        Expr::Path(p) if p.path.is_ident("auto") => Ok(Shards::Auto),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => {
            let n: u64 = int.base10_parse()?;
            if n == 0 {
                return Err(syn::Error::new_spanned(
                    int,
                    "`shards = 0`: a cache needs at least one shard; write `shards = 1` \
                     or more (a power of two), or `shards = auto`",
                ));
            }
            if n > MAX_SHARDS {
                return Err(syn::Error::new_spanned(
                    int,
                    format_args!("`shards = {n}`: at most {MAX_SHARDS} shards"),
                ));
            }
            if !n.is_power_of_two() {
                return Err(syn::Error::new_spanned(
                    int,
                    format_args!(
                        "`shards = {n}`: the shard count must be a power of two \
                         (the shard is chosen from the key's hash bits); write `shards = {}` \
                         or `shards = {}`, or `shards = auto`",
                        n.next_power_of_two() / 2,
                        n.next_power_of_two()
                    ),
                ));
            }
            Ok(Shards::Count(value))
        }
        Expr::Lit(lit) => Err(syn::Error::new_spanned(
            lit,
            "`shards` takes a power of two (`shards = 8`) or `auto`",
        )),
        _ => Ok(Shards::Count(value)),
    }
}

/// `#[memoize]` has no defaults: the policy is its point, and whether `maxsize` means
/// `Type::new(N)` or `Type::default()` depends on the type.
fn check_memoize(opts: &Options) -> syn::Result<()> {
    if opts.policy.is_none() {
        return Err(syn::Error::new(
            Span::call_site(),
            "`#[memoize]` needs `policy = Type` and `maxsize = N` (or `maxsize = None`), \
             e.g. `#[evict::memoize(policy = evict::LruCache, maxsize = 128)]`",
        ));
    }
    if opts.maxsize.is_none() {
        return Err(syn::Error::new(
            Span::call_site(),
            "`#[memoize]` needs `maxsize = N` (built with `Type::new(N)`) or \
             `maxsize = None` (built with `Type::default()`)",
        ));
    }
    Ok(())
}
