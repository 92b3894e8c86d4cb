//! The smaller macros of the API: [`slab_cache_impl!`](crate::slab_cache_impl), the
//! accessors of a policy's `SlabCache`; and the hidden helpers of
//! [`slab_cache!`](crate::slab_cache): its iterator newtypes and its doc examples.

/// Implements [`SlabCache`](crate::SlabCache) for a cache type: the associated types
/// (`Key = K`, `Value = V`, `Hasher = S`, the slab's `item` and the borrowing iterator
/// `iter`), the accessors to its fields `slab` (or the path given), `stats` and `capacity`
/// (a `u32`; a weighted cache reports its slab's budget), then the policy's order as
/// written (`iter`, `lay_out`, `victim`, `fmt_fields`). The type's generic parameters must
/// include `K`, `V` and `S`; `weigher = W;` names its [`Weighing`](crate::Weighing) type
/// parameter (by default the type is [`Unweighted`](crate::weight::Unweighted)), and
/// `extra = X;` its slab's per-slot [`Extra`](crate::weight::Extra) (`()` by default;
/// `W::Slot` keeps each weight in its slot). The policy's rules are its
/// [`SlabPolicy`](crate::SlabPolicy) implementation.
///
/// ```
/// use core::fmt;
/// use core::hash::{BuildHasher, Hash};
///
/// use evict_core::{Put, Stats};
/// use evict_slots::engine::NO_SLOT;
/// use evict_slots::slab::{self, Node};
/// use evict_slots::{DefaultHashBuilder, Slab, SlabCache, SlabPolicy};
///
/// /// A cache that keeps the first `capacity` keys and refuses the rest.
/// struct First<K, V, S = DefaultHashBuilder> {
///     slab: Slab<K, Node<V, ()>, S>,
///     stats: Stats,
///     capacity: u32,
/// }
///
/// evict_slots::slab_cache_impl! {
///     impl<K, V, S> SlabCache for First<K, V, S> {
///         item = Node<V, ()>;
///         iter = slab::Iter<'a, K, Node<V, ()>>;
///     }
///
///     fn iter(&self) -> slab::Iter<'_, K, Node<V, ()>> {
///         self.slab.iter()
///     }
///
///     fn lay_out(&mut self) {}
///
///     fn victim(&self) -> Option<u32> {
///         None
///     }
///
///     fn fmt_fields(&self, _: &mut fmt::DebugStruct<'_, '_>) {}
/// }
///
/// impl<K: Hash + Eq, V, S: BuildHasher> SlabPolicy for First<K, V, S> {
///     fn hit(&mut self, i: u32) -> &mut V {
///         &mut self.slab.item_mut(i).value
///     }
///
///     fn insert(&mut self, hash: u64, key: K, value: V) -> (Put<K, V>, u32) {
///         let capacity = self.capacity as usize;
///         if self.slab.len() == capacity {
///             return (Put::Rejected(key, value), NO_SLOT);
///         }
///         (Put::Inserted, self.slab.push(hash, key, Node::new(value, ()), capacity))
///     }
///
///     fn remove_slot(&mut self, i: u32, hash: u64) -> (K, V) {
///         let (key, node, _) = self.slab.swap_remove_hashed(i, hash);
///         (key, node.value)
///     }
///
///     fn pop(&mut self) -> Option<(K, V)> {
///         None
///     }
///
///     fn resize(&mut self, _: usize) -> Vec<(K, V)> {
///         Vec::new()
///     }
///
///     fn clear(&mut self) {
///         self.slab.clear();
///         self.stats.reset();
///     }
///
///     fn drained(&mut self) {}
/// }
///
/// let mut first = First {
///     slab: Slab::with_hasher(DefaultHashBuilder::default()),
///     stats: Stats::default(),
///     capacity: 1,
/// };
/// assert_eq!(first.put("a", 1), Put::Inserted);
/// assert_eq!(first.put("b", 2), Put::Rejected("b", 2));
/// assert_eq!(first.get("a"), Some(&1));
/// assert_eq!(first.info().to_string(), "CacheInfo(hits=1, misses=0, maxsize=1, currsize=1)");
/// ```
#[macro_export]
macro_rules! slab_cache_impl {
    (
        $(#[$attr:meta])*
        impl<$($g:ident $(: $bound:path)?),* $(,)?> SlabCache for $ty:ty {
            item = $item:ty;
            iter = $iter:ty;
            $(slab = $($slab:ident).+;)?
            $(weigher = $w:ty;)?
            $(extra = $x:ty;)?
        }
        $($order:tt)*
    ) => {
        $(#[$attr])*
        impl<$($g $(: $bound)?),*> $crate::SlabCache for $ty {
            type Key = K;
            type Value = V;
            type Item = $item;
            type Hasher = S;
            type Weigher = $crate::__weigher!($($w)?);
            type Extra = $crate::__extra!($($x)?);
            type Iter<'a>
                = $iter
            where
                Self: 'a;

            $crate::__slab_accessors!(
                [$($($slab).+)?] $item, $crate::__weigher!($($w)?), $crate::__extra!($($x)?)
            );

            #[inline(always)]
            fn stats(&self) -> &$crate::__private::evict_core::Stats {
                &self.stats
            }

            #[inline(always)]
            fn stats_mut(&mut self) -> &mut $crate::__private::evict_core::Stats {
                &mut self.stats
            }

            #[inline(always)]
            fn count_capacity(&self) -> usize {
                self.capacity as usize
            }

            #[inline(always)]
            fn capacity(&self) -> usize {
                if <$crate::__weigher!($($w)?) as $crate::Weighing>::UNIT {
                    self.capacity as usize
                } else {
                    usize::try_from($crate::SlabCache::slab(self).budget()).unwrap_or(usize::MAX)
                }
            }

            $($order)*
        }
    };
}

/// The slab accessors of [`slab_cache_impl!`](crate::slab_cache_impl): the field `slab`, or
/// the path given.
#[doc(hidden)]
#[macro_export]
macro_rules! __slab_accessors {
    ([] $item:ty, $w:ty, $x:ty) => {
        $crate::__slab_accessors!([slab] $item, $w, $x);
    };
    ([$($slab:ident).+] $item:ty, $w:ty, $x:ty) => {
        #[inline(always)]
        fn slab(&self) -> &$crate::Slab<K, $item, S, $w, $x> {
            &self.$($slab).+
        }

        #[inline(always)]
        fn slab_mut(&mut self) -> &mut $crate::Slab<K, $item, S, $w, $x> {
            &mut self.$($slab).+
        }
    };
}

/// The weigher type of [`slab_cache_impl!`](crate::slab_cache_impl) and
/// [`slab_cache!`](crate::slab_cache): the one named, or `Unweighted`.
#[doc(hidden)]
#[macro_export]
macro_rules! __weigher {
    () => {
        $crate::weight::Unweighted
    };
    ($w:ty) => {
        $w
    };
}

/// The per-slot extra of [`slab_cache_impl!`](crate::slab_cache_impl) and
/// [`slab_cache!`](crate::slab_cache): the one named, or `()`.
#[doc(hidden)]
#[macro_export]
macro_rules! __extra {
    () => {
        ()
    };
    ($x:ty) => {
        $x
    };
}

/// The type whose [`SlabPolicy`](crate::SlabPolicy) a [`slab_cache!`](crate::slab_cache)
/// type's `Shard` implementation asks for `SHARED_HIT`: the type itself, or its field's.
#[doc(hidden)]
#[macro_export]
macro_rules! __policy_ty {
    ($name:ident [$($w:ident)?]) => {
        $name<K, V, S $(, $w)?>
    };
    ($name:ident [$($w:ident)?], $fty:ty) => {
        $fty
    };
}

/// One iterator type of [`slab_cache!`](crate::slab_cache): a newtype over a toolkit or
/// policy iterator, mapping its items.
#[doc(hidden)]
#[macro_export]
macro_rules! __slab_iter {
    (
        $(#[$doc:meta])*
        $name:ident<$($lt:lifetime)?>($inner:ty) -> $item:ty, |$pat:pat_param| $map:expr;
        debug($it:ident) = $debug:expr;
    ) => {
        $(#[$doc])*
        ///
        /// `X` is the cache's per-slot extra (see `evict_slots::SlabCache::Extra`): `()`
        /// unless the cache keeps each entry's weight in its slot.
        pub struct $name<$($lt,)? K, V, X = ()>($inner, core::marker::PhantomData<fn() -> X>);

        impl<$($lt,)? K, V, X> Iterator for $name<$($lt,)? K, V, X> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<$item> {
                self.0.next().map(|$pat| $map)
            }

            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }
        }

        impl<$($lt,)? K, V, X> DoubleEndedIterator for $name<$($lt,)? K, V, X> {
            #[inline]
            fn next_back(&mut self) -> Option<$item> {
                self.0.next_back().map(|$pat| $map)
            }
        }

        impl<$($lt,)? K, V, X> ExactSizeIterator for $name<$($lt,)? K, V, X> {}

        impl<$($lt,)? K, V, X> core::iter::FusedIterator for $name<$($lt,)? K, V, X> {}

        impl<$($lt,)? K: core::fmt::Debug, V: core::fmt::Debug, X> core::fmt::Debug
            for $name<$($lt,)? K, V, X>
        {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                let $it = self;
                f.debug_list().entries($debug).finish()
            }
        }
    };
}

/// `Clone` for the iterators of [`slab_cache!`](crate::slab_cache) that borrow the cache
/// immutably (not derived: a derive would demand `K: Clone, V: Clone`).
#[doc(hidden)]
#[macro_export]
macro_rules! __slab_iter_clone {
    ($($name:ident),*) => {
        $(
            impl<K, V, X> Clone for $name<'_, K, V, X> {
                fn clone(&self) -> Self {
                    Self(self.0.clone(), core::marker::PhantomData)
                }
            }
        )*
    };
}

/// A doctest for [`slab_cache!`](crate::slab_cache)'s docs: `use <this crate>::{Cache,
/// $name, $extra}` (the macro is invoked at the crate root, where `module_path!()` is the
/// crate's name), then the body.
#[doc(hidden)]
#[macro_export]
macro_rules! __example {
    ($name:ident, $extra:literal, $($body:expr),* $(,)?) => {
        concat!(
            "```\nuse ", module_path!(), "::{Cache, ", stringify!($name),
            $crate::__comma!($extra), "};\n\n", $($body,)* "\n```"
        )
    };
}

/// `", x"`, or nothing for `""`.
#[doc(hidden)]
#[macro_export]
macro_rules! __comma {
    ("") => {
        ""
    };
    ($extra:literal) => {
        concat!(", ", $extra)
    };
}

/// The start of a doctest: a cache of capacity 3 holding 1, 2 and 3 (values 10, 20, 30).
#[doc(hidden)]
#[macro_export]
macro_rules! __three {
    ($name:ident) => {
        concat!(
            "let mut cache = ",
            stringify!($name),
            "::new(3);\n",
            "for k in [1, 2, 3] {\n",
            "    let _ = cache.put(k, k * 10);\n",
            "}\n"
        )
    };
}

/// The start of a doctest: a cache of capacity 2 holding `"apple".to_string()` -> 3.
#[doc(hidden)]
#[macro_export]
macro_rules! __apple {
    ($name:ident) => {
        concat!(
            "let mut cache = ",
            stringify!($name),
            "::new(2);\n",
            "let _ = cache.put(\"apple\".to_string(), 3);\n"
        )
    };
}
