//! The attribute's arguments: `maxsize`, `policy`, `errors`, `associated` and `crate`.
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
            Kind::Cache => "`errors`, `associated`, `crate`",
            Kind::Lru => "`maxsize`, `errors`, `associated`, `crate`",
            Kind::Memoize => "`policy`, `maxsize`, `errors`, `associated`, `crate`",
        }
    }
}

/// `maxsize = ...`: a number (any constant `usize` expression) or `None`.
pub(crate) enum MaxSize {
    Bounded(Expr),
    Unbounded,
}

/// The parsed arguments of one attribute.
pub(crate) struct Options {
    /// `maxsize = ...`, with the span of its value (where a non-`usize` value is reported).
    pub(crate) maxsize: Option<(Span, MaxSize)>,
    /// `policy = Type` (only `#[memoize]`, which requires it).
    pub(crate) policy: Option<Path>,
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
        errors: true,
        associated: false,
        krate: syn::parse_quote!(::evict),
    };
    let mut seen: Vec<String> = Vec::new();
    let parser = syn::meta::parser(|meta| {
        let name = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        if seen.contains(&name) {
            return Err(meta.error(format_args!("`{name}` is given twice; keep one")));
        }
        parse_option(kind, &mut opts, &name, &meta)?;
        seen.push(name);
        Ok(())
    });
    syn::parse::Parser::parse(parser, args)?;
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
