#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![doc = include_str!("../README.md")]

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{
    Expr, FnArg, GenericParam, Ident, ItemFn, LitBool, LitStr, Pat, Path, ReturnType, Type,
    Visibility, parse_macro_input,
};

/// Memoizes a function with an unbounded cache, like Python's `functools.cache`.
///
/// Every distinct argument tuple is computed once and kept until `cache_clear()`. Next to
/// the function the attribute defines a module of the same name with `cache_info()`,
/// `cache_clear()`, `cache_parameters()` and `uncached(..)`; see the
/// [crate documentation](crate) for the expansion, the options (`errors`, `associated`,
/// `crate`) and the thread and panic semantics.
///
/// ```
/// #[evict::cache]
/// fn square(n: u64) -> u64 {
///     n * n
/// }
///
/// assert_eq!(square(12), 144);
/// assert_eq!(square(12), 144);
/// assert_eq!(
///     square::cache_info().to_string(),
///     "CacheInfo(hits=1, misses=1, maxsize=None, currsize=1)"
/// );
/// ```
#[proc_macro_attribute]
pub fn cache(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Cache, args, item)
}

/// Memoizes a function with a least-recently-used cache, like Python's
/// `functools.lru_cache`.
///
/// `maxsize = N` keeps at most `N` results (any constant `usize` expression), `maxsize = None`
/// keeps every result (an unbounded cache, as `#[evict::cache]`), `maxsize = 0` keeps
/// nothing and counts every call as a miss, and without `maxsize` the size is 128, Python's
/// default. See the [crate documentation](crate) for the other options and the generated
/// items.
///
/// ```
/// #[evict::lru_cache(maxsize = 32)]
/// fn fib(n: u64) -> u64 {
///     if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
/// }
///
/// assert_eq!(fib(30), 832_040);
/// assert_eq!(
///     fib::cache_info().to_string(),
///     "CacheInfo(hits=28, misses=31, maxsize=32, currsize=31)"
/// );
/// fib::cache_clear();
/// assert_eq!(
///     fib::cache_info().to_string(),
///     "CacheInfo(hits=0, misses=0, maxsize=32, currsize=0)"
/// );
/// ```
#[proc_macro_attribute]
pub fn lru_cache(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Lru, args, item)
}

/// Memoizes a function with any cache type that implements `evict::Cache`.
///
/// `policy = Type` names the cache type without its key and value parameters (the macro
/// supplies them: `evict::LruCache` becomes `evict::LruCache<(arguments), Return>`).
/// `maxsize = N` builds the cache with `Type::new(N)`, so the type needs a
/// `fn new(capacity: usize) -> Self` (every bounded policy of `evict` has one);
/// `maxsize = None` builds it with `Type::default()`. Both options are required.
///
/// ```
/// #[evict::memoize(policy = evict::LruCache, maxsize = 2)]
/// fn shout(word: &str) -> String {
///     word.to_uppercase()
/// }
///
/// assert_eq!(shout("hi"), "HI"); // the key is the owned `String` "hi"
/// assert_eq!(shout("hi"), "HI");
/// let params = shout::cache_parameters();
/// assert_eq!((params.maxsize, params.policy), (Some(2), "evict::LruCache"));
/// assert_eq!(shout::cache_info().hits, 1);
/// ```
#[proc_macro_attribute]
pub fn memoize(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Memoize, args, item)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
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
enum MaxSize {
    Bounded(Expr),
    Unbounded,
}

struct Options {
    maxsize: Option<(Span, MaxSize)>,
    policy: Option<Path>,
    errors: bool,
    associated: bool,
    krate: Path,
}

fn parse_options(kind: Kind, args: TokenStream) -> syn::Result<Options> {
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
        match name.as_str() {
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
        seen.push(name);
        Ok(())
    });
    syn::parse::Parser::parse(parser, args)?;
    if kind == Kind::Memoize {
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
    }
    Ok(opts)
}

fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let opts = match parse_options(kind, args) {
        Ok(opts) => opts,
        Err(err) => {
            // Still emit the function, so that the only error is the one about the option
            // (not a cascade of "cannot find function" at every call site).
            let mut out = err.into_compile_error();
            out.extend(TokenStream2::from(item));
            return out.into();
        }
    };
    let func = parse_macro_input!(item as ItemFn);
    match generate(kind, &opts, &func) {
        Ok(tokens) => tokens.into(),
        Err(err) => {
            let mut out = err.into_compile_error();
            out.extend(func.into_token_stream());
            out.into()
        }
    }
}

/// One argument of the memoized function.
struct Arg {
    /// The name the wrapper uses for it.
    ident: Ident,
    /// Its type in the signature.
    ty: Type,
    /// The type stored in the key: the argument type, or `<T as ToOwned>::Owned` for `&T`.
    key_ty: TokenStream2,
    /// Whether the argument is a shared reference (`&T`): the key holds an owned copy and
    /// the body gets the original reference.
    by_ref: bool,
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

fn check_type(ty: &Type, what: &str) -> syn::Result<()> {
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

fn collect_args(func: &ItemFn) -> syn::Result<Vec<Arg>> {
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

/// Whether `ident` occurs anywhere in `tokens`.
fn mentions(tokens: TokenStream2, ident: &Ident) -> bool {
    tokens.into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) => i == *ident,
        proc_macro2::TokenTree::Group(g) => mentions(g.stream(), ident),
        _ => false,
    })
}

fn check_signature(func: &ItemFn, opts: &Options) -> syn::Result<()> {
    let sig = &func.sig;
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
    if let ReturnType::Type(_, ty) = &sig.output {
        check_type(ty, "the return type")?;
    }
    if !opts.associated {
        // The generated module cannot name `Self`; a free function never can.
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
    }
    Ok(())
}

fn generate(kind: Kind, opts: &Options, func: &ItemFn) -> syn::Result<TokenStream2> {
    check_signature(func, opts)?;
    let args = collect_args(func)?;
    let krate = &opts.krate;
    let private = quote!(#krate::__private);

    let name = &func.sig.ident;
    let vis = &func.vis;
    let ret_ty: TokenStream2 = match &func.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };
    let ret_span = match &func.sig.output {
        ReturnType::Default => func.sig.ident.span(),
        ReturnType::Type(_, ty) => ty.span(),
    };

    let key_tys: Vec<&TokenStream2> = args.iter().map(|a| &a.key_ty).collect();
    let key_ty = quote!((#(#key_tys,)*));

    // The cache type and the expression that builds it.
    let (cache_ty, init, maxsize_expr, policy_name) = match kind {
        Kind::Cache => (
            quote!(#private::UnboundedCache<#key_ty, #ret_ty>),
            quote!(#private::UnboundedCache::new()),
            quote!(::core::option::Option::None),
            "UnboundedCache".to_owned(),
        ),
        Kind::Lru => match &opts.maxsize {
            Some((_, MaxSize::Unbounded)) => (
                quote!(#private::UnboundedCache<#key_ty, #ret_ty>),
                quote!(#private::UnboundedCache::new()),
                quote!(::core::option::Option::None),
                "UnboundedCache".to_owned(),
            ),
            Some((span, MaxSize::Bounded(n))) => {
                let n = quote_spanned!(*span=> { let n: usize = #n; n });
                (
                    quote!(#private::LruCache<#key_ty, #ret_ty>),
                    quote!(#private::LruCache::new(#n)),
                    quote!(::core::option::Option::Some(#n)),
                    "LruCache".to_owned(),
                )
            }
            None => (
                quote!(#private::LruCache<#key_ty, #ret_ty>),
                quote!(#private::LruCache::new(128)),
                quote!(::core::option::Option::Some(128)),
                "LruCache".to_owned(),
            ),
        },
        Kind::Memoize => {
            let mut policy = opts.policy.clone().expect("checked by parse_options");
            let policy_name = policy
                .to_token_stream()
                .to_string()
                .replace(' ', "")
                .trim_start_matches("::")
                .to_owned();
            let last = policy.segments.last_mut().expect("a path has a segment");
            if last.arguments.is_empty() {
                last.arguments = syn::PathArguments::AngleBracketed(syn::parse_quote!(
                    <#key_ty, #ret_ty>
                ));
            }
            let span = policy.span();
            let (init, maxsize_expr) = match &opts.maxsize {
                Some((s, MaxSize::Bounded(n))) => {
                    let n = quote_spanned!(*s=> { let n: usize = #n; n });
                    (
                        quote_spanned!(span=> <#policy>::new(#n)),
                        quote!(::core::option::Option::Some(#n)),
                    )
                }
                _ => (
                    quote_spanned!(span=> <#policy as ::core::default::Default>::default()),
                    quote!(::core::option::Option::None),
                ),
            };
            let cache_ty = policy.to_token_stream();
            (cache_ty, init, maxsize_expr, policy_name)
        }
    };

    // Attributes: docs and the rest go on the wrapper; `cfg` and lint levels also go on the
    // hidden body and the module, so they are compiled (or not) together.
    let wrapper_attrs = &func.attrs;
    let shared_attrs: Vec<&syn::Attribute> = func
        .attrs
        .iter()
        .filter(|a| {
            ["cfg", "allow", "expect", "warn", "deny", "forbid"]
                .iter()
                .any(|n| a.path().is_ident(n))
        })
        .collect();

    let generics = &func.sig.generics;
    let where_clause = &generics.where_clause;
    let params: Vec<TokenStream2> = args
        .iter()
        .map(|a| {
            let (ident, ty) = (&a.ident, &a.ty);
            quote!(#ident: #ty)
        })
        .collect();
    let idents: Vec<&Ident> = args.iter().map(|a| &a.ident).collect();

    // The key moves owned arguments in and copies referenced ones; the body gets owned
    // arguments cloned back out of the key (only on a miss) and references as they came.
    let key_parts: Vec<TokenStream2> = args
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
    let body_args: Vec<TokenStream2> = args
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

    // Bounds checked with messages that say what to do (see `__private::Key`/`Value`).
    let key_checks: Vec<TokenStream2> = args
        .iter()
        .map(|a| {
            let key_ty = &a.key_ty;
            quote_spanned!(a.ty.span()=> #private::assert_key::<#key_ty>();)
        })
        .collect();
    let value_check = quote_spanned!(ret_span=> #private::assert_value::<#ret_ty>(););
    let keep = if opts.errors {
        quote!(#private::keep_all::<#ret_ty>)
    } else {
        quote_spanned!(ret_span=> #private::keep_success::<#ret_ty>)
    };

    let block = &func.block;
    let inputs = &func.sig.inputs;
    let uncached_ident = format_ident!("__evict_uncached_{}", name);
    let name_str = name.to_string();
    let params_expr = quote! {
        #private::CacheParameters::new(#maxsize_expr, #policy_name)
    };

    let memo_static = quote! {
        #private::Memo<#cache_ty>
    };

    // Where the cache lives. A non-generic function has one `static` memo. A generic one
    // cannot (a `static` cannot depend on a type parameter): it keeps a registry with one
    // memo per instantiation, and the companions sum over them.
    let memo_fn = format_ident!("__evict_memo_{}", name);
    let registry_fn = format_ident!("__evict_registry_{}", name);
    let prefix = if opts.associated {
        quote!(Self::)
    } else {
        quote!()
    };
    let type_params: Vec<&Ident> = generics.type_params().map(|t| &t.ident).collect();
    let mut memo_generics = generics.clone();
    memo_generics.params = memo_generics
        .params
        .into_iter()
        .filter(|p| matches!(p, GenericParam::Type(_)))
        .collect();
    let (memo_fn_def, memo_ref, info_expr, clear_expr, params_fn_expr) = if type_params.is_empty() {
        (
            quote! {
                #(#shared_attrs)*
                #[doc(hidden)]
                #[allow(non_snake_case)]
                fn #memo_fn() -> &'static #memo_static {
                    #(#key_checks)*
                    #value_check
                    static MEMO: #memo_static = #private::Memo::new(|| #init, #params_expr);
                    &MEMO
                }
            },
            quote!(#prefix #memo_fn()),
            quote!(#prefix #memo_fn().info::<#key_ty, #ret_ty>()),
            quote!(#prefix #memo_fn().clear()),
            quote!(#prefix #memo_fn().parameters()),
        )
    } else {
        (
            quote! {
                #(#shared_attrs)*
                #[doc(hidden)]
                #[allow(non_snake_case)]
                fn #memo_fn #memo_generics () -> &'static #memo_static #where_clause {
                    #(#key_checks)*
                    #value_check
                    #prefix #registry_fn().memo::<#cache_ty, #key_ty, #ret_ty>(|| #init)
                }

                #(#shared_attrs)*
                #[doc(hidden)]
                #[allow(non_snake_case)]
                fn #registry_fn() -> &'static #private::Registry {
                    static REGISTRY: #private::Registry = #private::Registry::new(#params_expr);
                    &REGISTRY
                }
            },
            quote!(#prefix #memo_fn::<#(#type_params),*>()),
            quote!(#prefix #registry_fn().info()),
            quote!(#prefix #registry_fn().clear()),
            quote!(#prefix #registry_fn().parameters()),
        )
    };

    if opts.associated {
        let info_fn = format_ident!("{}_cache_info", name);
        let clear_fn = format_ident!("{}_cache_clear", name);
        let params_fn = format_ident!("{}_cache_parameters", name);
        let uncached_fn = format_ident!("{}_uncached", name);
        let doc_info = format!(
            "Hits, misses, maxsize and current size of the cache of [`{name_str}`](Self::{name_str}) (Python's `{name_str}.cache_info()`)."
        );
        let doc_clear = format!(
            "Empties the cache of [`{name_str}`](Self::{name_str}) and resets its counters (Python's `{name_str}.cache_clear()`)."
        );
        let doc_params = format!(
            "The maxsize and policy of the cache of [`{name_str}`](Self::{name_str}) (Python's `{name_str}.cache_parameters()`)."
        );
        let doc_uncached = format!(
            "Runs the body of [`{name_str}`](Self::{name_str}) without looking in or storing into its cache (Python's `{name_str}.__wrapped__`); recursive calls in the body still go through the cache."
        );
        return Ok(quote! {
            #(#wrapper_attrs)*
            #vis fn #name #generics (#(#params),*) -> #ret_ty #where_clause {
                let #key_var: #key_ty = (#(#key_parts,)*);
                #private::Memo::call(
                    #memo_ref,
                    #key_var,
                    |#key_var: &#key_ty| Self::#uncached_ident(#(#body_args),*),
                    #keep,
                )
            }

            #(#shared_attrs)*
            #[doc(hidden)]
            #[allow(non_snake_case)]
            fn #uncached_ident #generics (#inputs) -> #ret_ty #where_clause #block

            #memo_fn_def

            #(#shared_attrs)*
            #[doc = #doc_info]
            #[allow(dead_code)]
            #vis fn #info_fn() -> #private::CacheInfo {
                #info_expr
            }

            #(#shared_attrs)*
            #[doc = #doc_clear]
            #[allow(dead_code)]
            #vis fn #clear_fn() {
                #clear_expr
            }

            #(#shared_attrs)*
            #[doc = #doc_params]
            #[allow(dead_code)]
            #vis fn #params_fn() -> #private::CacheParameters {
                #params_fn_expr
            }

            #(#shared_attrs)*
            #[doc = #doc_uncached]
            #[allow(dead_code)]
            #vis fn #uncached_fn #generics (#(#params),*) -> #ret_ty #where_clause {
                Self::#uncached_ident(#(#idents),*)
            }
        });
    }

    // Items of the companion module are `pub` when the function is, `pub(crate)` otherwise
    // (a `pub` item in a private module would trip the `unreachable_pub` lint).
    let inner_vis = match vis {
        Visibility::Public(_) => quote!(pub),
        _ => quote!(pub(crate)),
    };
    let doc_mod = format!(
        "The cache of [`{name_str}`](fn@{name_str}), with Python's `functools` controls: \
         `{name_str}::cache_info()`, `{name_str}::cache_clear()`, \
         `{name_str}::cache_parameters()` and `{name_str}::uncached(..)`."
    );
    let doc_info = format!(
        "Hits, misses, maxsize and current size of the cache of `{name_str}` (Python's `{name_str}.cache_info()`)."
    );
    let doc_clear = format!(
        "Empties the cache of `{name_str}` and resets its counters (Python's `{name_str}.cache_clear()`)."
    );
    let doc_params = format!(
        "The maxsize and policy of the cache of `{name_str}` (Python's `{name_str}.cache_parameters()`)."
    );
    let doc_uncached = format!(
        "Runs the body of `{name_str}` without looking in or storing into its cache (Python's `{name_str}.__wrapped__`); recursive calls in the body still go through the cache."
    );

    // The companion module names no type of the user's (it may sit in a function body, where
    // it cannot see the items around it): everything it needs is reached through `__Evict`,
    // a marker type whose impls are written next to the function, where every name resolves.
    let arg_tys: Vec<&Type> = args.iter().map(|a| &a.ty).collect();
    let generic_args: Vec<Ident> = (0..args.len()).map(|i| format_ident!("A{}", i)).collect();
    let generic_vals: Vec<Ident> = (0..args.len()).map(|i| format_ident!("a{}", i)).collect();
    let (impl_generics, _, _) = generics.split_for_impl();
    Ok(quote! {
        #(#wrapper_attrs)*
        #vis fn #name #generics (#(#params),*) -> #ret_ty #where_clause {
            let #key_var: #key_ty = (#(#key_parts,)*);
            #private::Memo::call(
                #memo_ref,
                #key_var,
                |#key_var: &#key_ty| #uncached_ident(#(#body_args),*),
                #keep,
            )
        }

        #(#shared_attrs)*
        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #uncached_ident #generics (#inputs) -> #ret_ty #where_clause #block

        #memo_fn_def

        #(#shared_attrs)*
        #[allow(dead_code)]
        impl #name::__Evict {
            fn __evict_info() -> #private::CacheInfo {
                #info_expr
            }
            fn __evict_clear() {
                #clear_expr
            }
            fn __evict_parameters() -> #private::CacheParameters {
                #params_fn_expr
            }
        }

        #(#shared_attrs)*
        impl #impl_generics #private::Wrapped<(#(#arg_tys,)*)> for #name::__Evict #where_clause {
            type Output = #ret_ty;
            fn call((#(#idents,)*): (#(#arg_tys,)*)) -> #ret_ty {
                #uncached_ident(#(#idents),*)
            }
        }

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
    })
}
