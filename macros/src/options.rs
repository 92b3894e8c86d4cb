//! The attribute's arguments: `maxsize`, `max_bytes`, `max_weight` + `weigher`, `policy`,
//! `ttl`, `time_to_idle`, `shards`, `single_flight`, `errors`, `associated` and `crate`.
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
            Kind::Cache => {
                "`ttl`, `time_to_idle`, `shards`, `single_flight`, `errors`, `associated`, \
                 `crate`"
            }
            Kind::Lru => {
                "`maxsize`, `max_bytes`, `max_weight`, `weigher`, `ttl`, `time_to_idle`, \
                 `shards`, `single_flight`, `errors`, `associated`, `crate`"
            }
            Kind::Memoize => {
                "`policy`, `maxsize`, `max_bytes`, `max_weight`, `weigher`, `ttl`, \
                 `time_to_idle`, `shards`, `single_flight`, `errors`, `associated`, `crate`"
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

/// `max_bytes = N` or `max_weight = N` (with `weigher = f`): the cache is bounded by the
/// total weight of its entries instead of their number.
pub(crate) struct Budget {
    /// The budget, any constant `u64` expression, with its span.
    pub(crate) amount: Expr,
    /// How entries are weighed.
    pub(crate) weigher: Weigh,
}

/// How the entries of a cache with a [`Budget`] are weighed.
pub(crate) enum Weigh {
    /// `max_bytes`: `size_of` key and value plus their `evict::ByteSize::heap_bytes()`.
    Bytes,
    /// `max_weight` with `weigher = f`: a path or non-capturing closure, `fn(&K, &V) -> u64`.
    With(Expr),
}

/// `ttl = ...` or `time_to_idle = ...`.
pub(crate) enum Lifetime {
    /// A string with units, checked here: `"30s"`, `"1h30m"`.
    Parsed { secs: u64, nanos: u32 },
    /// A `Duration` expression, checked by the compiler (spanned on it): it must be constant,
    /// as `cache_parameters()` is.
    Expr(Expr),
}

/// The most shards a memo can have (`evict::sync::MAX_SHARDS`).
const MAX_SHARDS: u64 = 1 << 16;

/// The parsed arguments of one attribute.
pub(crate) struct Options {
    /// `maxsize = ...`, with the span of its value (where a non-`usize` value is reported).
    pub(crate) maxsize: Option<(Span, MaxSize)>,
    /// `max_bytes = N` or `max_weight = N, weigher = f`.
    pub(crate) budget: Option<Budget>,
    /// `ttl = ...`, with the span of the option (where a missing `expiry` feature is
    /// reported).
    pub(crate) ttl: Option<(Span, Lifetime)>,
    /// `time_to_idle = ...`, with the span of the option.
    pub(crate) tti: Option<(Span, Lifetime)>,
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
        budget: None,
        ttl: None,
        tti: None,
        policy: None,
        shards: None,
        single_flight: false,
        errors: true,
        associated: false,
        krate: syn::parse_quote!(::evict),
    };
    let mut seen: Vec<String> = Vec::new();
    let mut single_flight_span = None;
    let mut weights = Weights::default();
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
        parse_option(kind, &mut opts, &mut weights, &name, &meta)?;
        seen.push(name);
        Ok(())
    });
    syn::parse::Parser::parse(parser, args)?;
    opts.budget = weights.budget(&opts)?;
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
    weights: &mut Weights,
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
        "max_bytes" | "max_weight" | "weigher" if kind == Kind::Cache => {
            return Err(meta.error(format_args!(
                "`#[cache]` is unbounded and takes no `{name}`; write \
                 `#[evict::lru_cache(max_bytes = N)]` for a cache bounded by bytes"
            )));
        }
        "max_bytes" => {
            weights.max_bytes = Some((meta.path.span(), meta.value()?.parse()?));
        }
        "max_weight" => {
            weights.max_weight = Some((meta.path.span(), meta.value()?.parse()?));
        }
        "weigher" => {
            weights.weigher = Some((meta.path.span(), meta.value()?.parse()?));
        }
        "ttl" => {
            let value: Expr = meta.value()?.parse()?;
            opts.ttl = Some((meta.path.span(), parse_lifetime(value)?));
        }
        "time_to_idle" => {
            let value: Expr = meta.value()?.parse()?;
            opts.tti = Some((meta.path.span(), parse_lifetime(value)?));
        }
        "time_to_live" => {
            return Err(meta.error("write `ttl = ...` for the time to live"));
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

/// The weight options as given, checked together once all are read.
#[derive(Default)]
struct Weights {
    max_bytes: Option<(Span, Expr)>,
    max_weight: Option<(Span, Expr)>,
    weigher: Option<(Span, Expr)>,
}

impl Weights {
    /// The budget, if any: `max_bytes` alone, or `max_weight` with `weigher`; never with
    /// `maxsize` (which counts entries).
    fn budget(self, opts: &Options) -> syn::Result<Option<Budget>> {
        let Weights {
            max_bytes,
            max_weight,
            weigher,
        } = self;
        let budget = match (max_bytes, max_weight, weigher) {
            (None, None, None) => return Ok(None),
            (Some((_, amount)), None, None) => Budget {
                amount,
                weigher: Weigh::Bytes,
            },
            (None, Some((_, amount)), Some((_, weigher))) => Budget {
                amount,
                weigher: Weigh::With(weigher),
            },
            (Some(_), Some((span, _)), _) => {
                return Err(syn::Error::new(
                    span,
                    "`max_bytes` and `max_weight` are two budgets; keep one \
                     (`max_bytes = N` counts bytes, `max_weight = N` your weigher's units)",
                ));
            }
            (Some(_), None, Some((span, _))) => {
                return Err(syn::Error::new(
                    span,
                    "`max_bytes` weighs entries in bytes (`evict::ByteSize`) and takes no \
                     `weigher`; for your own weights write `max_weight = N, weigher = f`",
                ));
            }
            (None, Some((span, _)), None) => {
                return Err(syn::Error::new(
                    span,
                    "`max_weight` needs `weigher = f`: a function or non-capturing closure \
                     `fn(&Key, &Value) -> u64`, where `Key` is the tuple of the arguments; \
                     or write `max_bytes = N` to weigh entries in bytes",
                ));
            }
            (None, None, Some((span, _))) => {
                return Err(syn::Error::new(
                    span,
                    "`weigher` needs `max_weight = N`, the budget in the weigher's units",
                ));
            }
        };
        if let Some((span, _)) = &opts.maxsize {
            return Err(syn::Error::new(
                *span,
                "`maxsize` counts entries and a weight budget (`max_bytes`, `max_weight`) \
                 bounds their total weight; keep one",
            ));
        }
        Ok(Some(budget))
    }
}

/// A string with units (`"30s"`, `"1h30m"`, `"250ms"`), checked now, or any other
/// expression, which the compiler checks is a constant `Duration`.
fn parse_lifetime(value: Expr) -> syn::Result<Lifetime> {
    match &value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => match parse_duration(&s.value()) {
            Ok((secs, nanos)) => Ok(Lifetime::Parsed { secs, nanos }),
            Err(why) => Err(syn::Error::new_spanned(s, why)),
        },
        Expr::Lit(lit) => Err(syn::Error::new_spanned(
            lit,
            "a lifetime is a string with a unit (`\"30s\"`, `\"500ms\"`, `\"1h30m\"`) \
             or a `Duration` (`Duration::from_secs(30)`)",
        )),
        _ => Ok(Lifetime::Expr(value)),
    }
}

/// Parses `"30s"`, `"1h30m"`, `"1.5s"` into whole seconds and nanoseconds: one or more
/// numbers, each followed by a unit (`ns`, `us`, `ms`, `s`, `m`, `h`, `d`), adding up.
pub(crate) fn parse_duration(text: &str) -> Result<(u64, u32), String> {
    const EXPECTED: &str = "a number and a unit: ns, us, ms, s, m, h or d \
                            (e.g. `\"30s\"`, `\"250ms\"`, `\"1h30m\"`)";
    let bad = |why: &str| format!("`\"{text}\"`: {why}; expected {EXPECTED}");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad("empty lifetime"));
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let number = number.replace('_', "");
        if number.is_empty() {
            return Err(bad(&format!("`{rest}` does not start with a number")));
        }
        let unit_len = after
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" => 86_400_000_000_000,
            "" => return Err(bad(&format!("`{number}` has no unit"))),
            other => return Err(bad(&format!("unknown unit `{other}`"))),
        };
        // A decimal number is whole nanoseconds: "1.5s" is 1,500,000,000 ns; a fraction
        // finer than a nanosecond is an error rather than rounded away.
        let (whole, fraction) = number.split_once('.').unwrap_or((&number, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
            return Err(bad(&format!("`{number}` is not a number")));
        }
        let parse = |digits: &str| -> Result<u128, String> {
            if digits.is_empty() {
                Ok(0)
            } else {
                digits
                    .parse::<u128>()
                    .map_err(|_| bad(&format!("`{number}` is too large")))
            }
        };
        let mut nanos = parse(whole)?
            .checked_mul(scale)
            .ok_or_else(|| bad("too long"))?;
        if !fraction.is_empty() {
            let digits = u32::try_from(fraction.len()).unwrap_or(u32::MAX);
            let denominator = 10u128
                .checked_pow(digits)
                .ok_or_else(|| bad(&format!("`{number}` has too many digits")))?;
            let numerator = parse(fraction)?
                .checked_mul(scale)
                .ok_or_else(|| bad("too long"))?;
            if numerator % denominator != 0 {
                return Err(bad(&format!(
                    "`{number}{unit}` is not a whole number of nanoseconds"
                )));
            }
            nanos += numerator / denominator;
        }
        total = total.checked_add(nanos).ok_or_else(|| bad("too long"))?;
        rest = after.trim_start();
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| bad("too long"))?;
    let nanos = u32::try_from(total % 1_000_000_000).unwrap_or(0);
    Ok((secs, nanos))
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
    if let (Some(policy), Some(_)) = (&opts.policy, &opts.budget) {
        let last = policy.segments.last().expect("a path has a segment");
        if !last.arguments.is_empty() {
            return Err(syn::Error::new_spanned(
                &last.arguments,
                "with `max_bytes` or `max_weight` the macro names the policy's parameters \
                 (`<Key, Value, DefaultHashBuilder, Weighted<fn(&Key, &Value) -> u64>>`); \
                 write the type without them",
            ));
        }
    }
    if opts.maxsize.is_none() && opts.budget.is_none() {
        return Err(syn::Error::new(
            Span::call_site(),
            "`#[memoize]` needs `maxsize = N` (built with `Type::new(N)`) or \
             `maxsize = None` (built with `Type::default()`), or a weight budget: \
             `max_bytes = N` (built with `Type::with_weigher(N, ..)`)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_with_units() {
        assert_eq!(parse_duration("30s"), Ok((30, 0)));
        assert_eq!(parse_duration("1ns"), Ok((0, 1)));
        assert_eq!(parse_duration("250ms"), Ok((0, 250_000_000)));
        assert_eq!(parse_duration("7us"), Ok((0, 7_000)));
        assert_eq!(parse_duration("1h30m"), Ok((5_400, 0)));
        assert_eq!(parse_duration("1m 5s"), Ok((65, 0)));
        assert_eq!(parse_duration("2d"), Ok((172_800, 0)));
        assert_eq!(parse_duration("1.5s"), Ok((1, 500_000_000)));
        assert_eq!(parse_duration("0s"), Ok((0, 0)));
        assert_eq!(parse_duration("1_000ms"), Ok((1, 0)));
    }

    #[test]
    fn bad_durations_say_why() {
        for (text, why) in [
            ("", "empty lifetime"),
            ("30", "`30` has no unit"),
            ("30x", "unknown unit `x`"),
            ("s", "does not start with a number"),
            ("1.5ns", "not a whole number of nanoseconds"),
            ("1..5s", "is not a number"),
            ("99999999999999999999999d", "too long"),
        ] {
            let err = parse_duration(text).unwrap_err();
            assert!(err.contains(why), "{text:?}: {err}");
            assert!(err.contains("ns, us, ms, s, m, h or d"), "{err}");
        }
    }
}
