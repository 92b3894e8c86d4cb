//! [`slab_cache!`](crate::slab_cache): evict's whole public cache API on a policy crate's
//! type, from its [`SlabCache`](crate::SlabCache) and [`SlabPolicy`](crate::SlabPolicy)
//! primitives, written once; [`slab_cache_impl!`](crate::slab_cache_impl): the accessors of
//! its `SlabCache`; and [`ring_cache!`](crate::ring_cache): the public type of a policy
//! crate over a [`RingCache`](crate::RingCache), with that API.

mod helpers;

/// Gives a policy crate's cache type `$name<K, V, S>` evict's whole public API, from the
/// [`SlabCache`](crate::SlabCache) and [`SlabPolicy`](crate::SlabPolicy) primitives of the
/// type itself, or of its field `$field`
/// (`cache = Name via field: FieldType;`): the lookups by borrowed key (`get`, `get_mut`, `peek`,
/// `peek_mut`, `contains`, `remove`, shadowing the trait's so that `cache.get("a")` works on
/// `String` keys), `iter`, `iter_mut`, `keys`, `values`, `values_mut`, `drain`,
/// `IntoIterator` for the cache and references to it, `Extend`, `Debug`, and
/// `evict_core::Cache` (with the one-lookup `get_or_insert_with`), `evict_core::Shard` for
/// every borrowed form `Q` of the key (its `SHARED_HIT` and `get_shared` are the
/// [`SlabPolicy`](crate::SlabPolicy)'s); and the iterator types
/// `Iter`, `IterMut`, `IntoIter`, `Drain`, `Keys`, `Values` and `ValuesMut` (all
/// double-ended, exact-size and fused), each with runnable examples.
///
/// The crate keeps its type (with `new` or its other constructors, which the examples use:
/// `new(capacity)` must give the documented behaviour), its policy, its documentation and
/// its own extra methods. `extra` is its slab's per-slot extra, the same type as its
/// [`SlabCache::Extra`](crate::SlabCache::Extra) (`()` if left out); the iterator types
/// take it as their last parameter `X`. `item` is its slab item type (`V` is the value
/// type); `iter` its [`SlabCache::Iter`](crate::SlabCache::Iter) type (with lifetime `'a`,
/// and `X` for the extra); `order`
/// completes "the entries, …" in the docs; `example_order` is the order `iter` lists a cache
/// of capacity 3 after `put`s of 1, 2 and 3 (values 10, 20, 30), and `example_pops` the
/// first two pairs `pop` then takes. Invoke it at the crate root, which must re-export
/// `evict_core`'s `Cache` and define `MAX_CAPACITY` (the docs link to both).
///
/// The `SlabCache` and `SlabPolicy` implementations (the first from
/// [`slab_cache_impl!`](crate::slab_cache_impl)) are the toolkit's view of the type, not its
/// API: mark them `#[doc(hidden)]` when the type implements them itself.
#[macro_export]
macro_rules! slab_cache {
    (
        cache = $name:ident $(via $field:ident: $fty:ty)?;
        $(weigher = $w:ident;)?
        $(extra = $x:ty;)?
        item = $item:ty;
        iter = $iter:ty;
        order = $order:literal;
        example_order = [$($ex:literal),* $(,)?];
        example_pops = [$pop1:expr, $pop2:expr $(,)?];
    ) => {
        impl<K, V, S $(, $w: $crate::weight::Weighs<K, V>)?> $name<K, V, S $(, $w)?> {
            #[doc = concat!("Iterates over the entries ", $order, ", without counting \
                lookups or changing the policy's state; `.rev()` lists them the other way \
                round.")]
            ///
            #[doc = $crate::__example!($name, "", $crate::__three!($name),
                "let keys: Vec<i32> = cache.iter().map(|(k, _)| *k).collect();\n",
                "assert_eq!(keys, ", stringify!([$($ex),*]), ");\n",
                "let mut back: Vec<i32> = cache.iter().rev().map(|(k, _)| *k).collect();\n",
                "back.reverse();\n",
                "assert_eq!(back, keys);")]
            #[inline]
            pub fn iter(&self) -> Iter<'_, K, V, $crate::__extra!($($x)?)> {
                Iter($crate::SlabCache::iter(&(*self)$(.$field)?), core::marker::PhantomData)
            }

            #[doc = concat!("Iterates over the entries ", $order, ", each value mutable; \
                counts nothing and changes no policy state (the entries are first laid out \
                in that order in memory: O(len), nothing hashed or allocated).")]
            ///
            #[doc = $crate::__example!($name, "", $crate::__three!($name),
                "for (k, v) in cache.iter_mut() {\n",
                "    *v += k;\n",
                "}\n",
                "assert_eq!(cache.peek(&2), Some(&22));\n",
                "assert_eq!(cache.info().hits, 0); // iterating counts nothing")]
            pub fn iter_mut(&mut self) -> IterMut<'_, K, V, $crate::__extra!($($x)?)> {
                IterMut($crate::SlabCache::iter_mut(&mut (*self)$(.$field)?), core::marker::PhantomData)
            }

            #[doc = concat!("The keys, ", $order, ".")]
            ///
            #[doc = $crate::__example!($name, "", $crate::__three!($name),
                "let keys: Vec<i32> = cache.keys().copied().collect();\n",
                "assert_eq!(keys, ", stringify!([$($ex),*]), ");")]
            #[inline]
            pub fn keys(&self) -> Keys<'_, K, V, $crate::__extra!($($x)?)> {
                Keys(self.iter().0, core::marker::PhantomData)
            }

            #[doc = concat!("The values, ", $order, ".")]
            ///
            #[doc = $crate::__example!($name, "", $crate::__three!($name),
                "assert_eq!(cache.values().sum::<i32>(), 60);")]
            #[inline]
            pub fn values(&self) -> Values<'_, K, V, $crate::__extra!($($x)?)> {
                Values(self.iter().0, core::marker::PhantomData)
            }

            #[doc = concat!("The values, ", $order, ", to change in place.")]
            ///
            #[doc = $crate::__example!($name, "", $crate::__three!($name),
                "for v in cache.values_mut() {\n",
                "    *v = -*v;\n",
                "}\n",
                "assert_eq!(cache.peek(&1), Some(&-10));")]
            pub fn values_mut(&mut self) -> ValuesMut<'_, K, V, $crate::__extra!($($x)?)> {
                ValuesMut(self.iter_mut().0, core::marker::PhantomData)
            }
        }

        impl<K, V, S $(, $w: $crate::weight::Weighs<K, V>)?> $name<K, V, S $(, $w)?>
        where
            K: core::hash::Hash + Eq,
            S: core::hash::BuildHasher,
        {
            /// Looks `key` up, counts a hit or a miss, and lets the policy record the access,
            /// like `Cache::get`; `key` may be any borrowed form of the key type (`&str`
            /// for `String` keys), as in `HashMap`.
            ///
            #[doc = $crate::__example!($name, "", $crate::__apple!($name),
                "assert_eq!(cache.get(\"apple\"), Some(&3)); // a `&str` finds a `String`\n",
                "assert_eq!(cache.get(\"pear\"), None);\n",
                "assert_eq!(cache.info().to_string(), \"CacheInfo(hits=1, misses=1, maxsize=2, currsize=1)\");")]
            #[inline]
            pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
            where
                K: core::borrow::Borrow<Q>,
                Q: core::hash::Hash + Eq + ?Sized,
            {
                $crate::SlabPolicy::get(&mut (*self)$(.$field)?, key)
            }

            /// Like [`get`](Self::get) (one hit or one miss, and the policy records the
            /// access), returning the value to change in place.
            ///
            #[doc = $crate::__example!($name, "", $crate::__apple!($name),
                "if let Some(n) = cache.get_mut(\"apple\") {\n",
                "    *n += 1;\n",
                "}\n",
                "assert_eq!(cache.peek(\"apple\"), Some(&4));\n",
                "assert_eq!(cache.info().hits, 1);")]
            #[inline]
            pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
            where
                K: core::borrow::Borrow<Q>,
                Q: core::hash::Hash + Eq + ?Sized,
            {
                $crate::SlabPolicy::get_mut(&mut (*self)$(.$field)?, key)
            }

            /// Looks `key` up without counting it and without telling the policy.
            ///
            #[doc = $crate::__example!($name, "", $crate::__apple!($name),
                "assert_eq!(cache.peek(\"apple\"), Some(&3));\n",
                "assert_eq!((cache.info().hits, cache.info().misses), (0, 0));")]
            #[inline]
            pub fn peek<Q>(&self, key: &Q) -> Option<&V>
            where
                K: core::borrow::Borrow<Q>,
                Q: core::hash::Hash + Eq + ?Sized,
            {
                $crate::SlabPolicy::peek(&(*self)$(.$field)?, key)
            }

            /// Like [`peek`](Self::peek) (counts nothing, tells the policy nothing),
            /// returning the value to change in place.
            ///
            #[doc = $crate::__example!($name, "", $crate::__apple!($name),
                "if let Some(n) = cache.peek_mut(\"apple\") {\n",
                "    *n = 7;\n",
                "}\n",
                "assert_eq!(cache.peek(\"apple\"), Some(&7));\n",
                "assert_eq!((cache.info().hits, cache.info().misses), (0, 0));")]
            #[inline]
            pub fn peek_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
            where
                K: core::borrow::Borrow<Q>,
                Q: core::hash::Hash + Eq + ?Sized,
            {
                $crate::SlabPolicy::peek_mut(&mut (*self)$(.$field)?, key)
            }

            /// Whether `key` is cached; counts nothing and changes nothing.
            ///
            #[doc = $crate::__example!($name, "", $crate::__apple!($name),
                "assert!(cache.contains(\"apple\"));\n",
                "assert!(!cache.contains(\"pear\"));")]
            #[inline]
            pub fn contains<Q>(&self, key: &Q) -> bool
            where
                K: core::borrow::Borrow<Q>,
                Q: core::hash::Hash + Eq + ?Sized,
            {
                $crate::SlabPolicy::contains(&(*self)$(.$field)?, key)
            }

            /// Removes `key` and returns its value, if it was cached. Does not count as a
            /// lookup (see the type's docs for what the policy keeps of the key).
            ///
            #[doc = $crate::__example!($name, "", $crate::__apple!($name),
                "assert_eq!(cache.remove(\"apple\"), Some(3));\n",
                "assert_eq!(cache.remove(\"apple\"), None);\n",
                "assert!(cache.is_empty());")]
            #[inline]
            pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
            where
                K: core::borrow::Borrow<Q>,
                Q: core::hash::Hash + Eq + ?Sized,
            {
                $crate::SlabPolicy::remove(&mut (*self)$(.$field)?, key)
            }

            #[doc = concat!("Removes every entry and yields them ", $order, ". Unlike \
                `clear`, the statistics are kept, and so are the memory and what the \
                policy has learnt (see the type's docs). Dropping the iterator early drops \
                the rest: the cache is empty either way.")]
            ///
            #[doc = $crate::__example!($name, "", $crate::__three!($name),
                "let _ = cache.get(&2);\n",
                "let keys: Vec<i32> = cache.drain().map(|(k, _)| k).collect();\n",
                "assert_eq!(keys.len(), 3);\n",
                "assert!(cache.is_empty());\n",
                "assert_eq!(cache.info().hits, 1);")]
            pub fn drain(&mut self) -> Drain<'_, K, V, $crate::__extra!($($x)?)> {
                Drain($crate::SlabPolicy::drain(&mut (*self)$(.$field)?), core::marker::PhantomData)
            }
        }

        impl<K, V, S $(, $w: $crate::weight::Weighs<K, V>)?> $crate::__private::evict_core::Cache<K, V>
            for $name<K, V, S $(, $w)?>
        where
            K: core::hash::Hash + Eq,
            S: core::hash::BuildHasher,
        {
            #[inline]
            fn get(&mut self, key: &K) -> Option<&V> {
                $crate::SlabPolicy::get(&mut (*self)$(.$field)?, key)
            }

            #[inline]
            fn peek(&self, key: &K) -> Option<&V> {
                $crate::SlabPolicy::peek(&(*self)$(.$field)?, key)
            }

            #[inline]
            fn put(&mut self, key: K, value: V) -> $crate::__private::evict_core::Put<K, V> {
                $crate::SlabPolicy::put(&mut (*self)$(.$field)?, key, value)
            }

            #[inline]
            fn remove(&mut self, key: &K) -> Option<V> {
                $crate::SlabPolicy::remove(&mut (*self)$(.$field)?, key)
            }

            #[inline]
            fn len(&self) -> usize {
                $crate::SlabCache::len(&(*self)$(.$field)?)
            }

            #[inline]
            fn capacity(&self) -> Option<usize> {
                Some($crate::SlabCache::capacity(&(*self)$(.$field)?))
            }

            fn info(&self) -> $crate::__private::evict_core::CacheInfo {
                $crate::SlabCache::info(&(*self)$(.$field)?)
            }

            /// Drops every entry, gives the memory back (as Python's `cache_clear()` does)
            /// and resets the counters and what the policy has learnt: the cache is as new.
            fn clear(&mut self) {
                $crate::SlabPolicy::clear(&mut (*self)$(.$field)?)
            }

            #[inline]
            fn is_empty(&self) -> bool {
                $crate::SlabCache::is_empty(&(*self)$(.$field)?)
            }

            #[inline]
            fn contains(&self, key: &K) -> bool {
                $crate::SlabPolicy::contains(&(*self)$(.$field)?, key)
            }

            #[inline]
            fn get_mut(&mut self, key: &K) -> Option<&mut V> {
                $crate::SlabPolicy::get_mut(&mut (*self)$(.$field)?, key)
            }

            #[inline]
            fn peek_mut(&mut self, key: &K) -> Option<&mut V> {
                $crate::SlabPolicy::peek_mut(&mut (*self)$(.$field)?, key)
            }

            /// Exactly [`put`](Self::put), and the value now stored under `key` (`None`
            /// when the pair was rejected, and is then in the `Put`).
            ///
            #[doc = $crate::__example!($name, "Put", $crate::__three!($name),
                "let (put, value) = cache.put_mut(2, 0);\n",
                "assert_eq!(put, Put::Replaced(20));\n",
                "*value.unwrap() += 5;\n",
                "assert_eq!(cache.peek(&2), Some(&5));")]
            #[inline]
            fn put_mut(
                &mut self,
                key: K,
                value: V,
            ) -> ($crate::__private::evict_core::Put<K, V>, Option<&mut V>) {
                $crate::SlabPolicy::put_mut(&mut (*self)$(.$field)?, key, value)
            }

            /// The entry the next eviction would take: see the type's docs for the
            /// policy's rule. Counts nothing and changes nothing.
            ///
            #[doc = $crate::__example!($name, "", $crate::__three!($name),
                "let next = cache.peek_victim().map(|(k, v)| (*k, *v));\n",
                "assert_eq!(next, Some(", stringify!($pop1), "));\n",
                "assert_eq!(cache.pop(), next);")]
            fn peek_victim(&self) -> Option<(&K, &V)> {
                $crate::SlabCache::peek_victim(&(*self)$(.$field)?)
            }

            /// Evicts and returns the entry a `put` of a new key into the full cache would
            /// evict, exactly as that eviction would. Counts nothing.
            ///
            #[doc = $crate::__example!($name, "", $crate::__three!($name),
                "assert_eq!(cache.pop(), Some(", stringify!($pop1), "));\n",
                "assert_eq!(cache.len(), 2);")]
            fn pop(&mut self) -> Option<(K, V)> {
                $crate::SlabPolicy::pop(&mut (*self)$(.$field)?)
            }

            /// Sets the capacity (clamped to [`MAX_CAPACITY`]). Shrinking pops in the
            /// policy's order until the cache fits, returns the popped pairs in that order
            /// and gives back the memory no longer needed; growing evicts nothing.
            /// Statistics are kept; see the type's docs for the policy's own sizes.
            ///
            #[doc = $crate::__example!($name, "", $crate::__three!($name),
                "assert_eq!(cache.resize(1), [", stringify!($pop1), ", ",
                stringify!($pop2), "]);\n",
                "assert_eq!(cache.capacity(), Some(1));\n",
                "assert!(cache.resize(10).is_empty());")]
            fn resize(&mut self, capacity: usize) -> $crate::__private::Vec<(K, V)> {
                $crate::SlabPolicy::resize_to(&mut (*self)$(.$field)?, capacity)
            }

            /// Exactly [`put`](Self::put), every pair that leaves the cache handed to
            /// `sink` in order (a weighted cache may evict several to make room for one);
            /// the answer is never `Put::Evicted`.
            #[inline]
            fn put_into(
                &mut self,
                key: K,
                value: V,
                sink: &mut dyn $crate::__private::evict_core::Sink<K, V>,
            ) -> $crate::__private::evict_core::Put<K, V> {
                $crate::SlabPolicy::put_into(&mut (*self)$(.$field)?, key, value, sink)
            }

            /// The total weight of the entries, in the weigher's units (`len()` when the
            /// cache is not weighted).
            #[inline]
            fn weight(&self) -> u64 {
                $crate::SlabCache::weight(&(*self)$(.$field)?)
            }

            fn entries(&self) -> $crate::__private::Box<dyn Iterator<Item = (&K, &V)> + '_> {
                $crate::__private::Box::new(self.iter())
            }

            /// One lookup on a hit; on a miss, one miss, `f` runs once, and the value is
            /// inserted with the hash already computed.
            ///
            #[doc = $crate::__example!($name, "", $crate::__apple!($name),
                "assert_eq!(*cache.get_or_insert_with(\"pear\".to_string(), || 5), 5);\n",
                "assert!(cache.get_or_insert_with(\"pear\".to_string(), || unreachable!()).is_hit());\n",
                "assert_eq!(cache.info().to_string(), \"CacheInfo(hits=1, misses=1, maxsize=2, currsize=2)\");")]
            fn get_or_insert_with<F>(
                &mut self,
                key: K,
                f: F,
            ) -> $crate::__private::evict_core::Fetched<'_, K, V>
            where
                F: FnOnce() -> V,
            {
                $crate::SlabPolicy::get_or_insert_with(&mut (*self)$(.$field)?, key, f)
            }

            /// [`get_or_insert_with`](Self::get_or_insert_with) for a computation that can
            /// fail: an `Err` inserts nothing (the miss stays counted).
            ///
            #[doc = $crate::__example!($name, "", $crate::__apple!($name),
                "let failed = cache.try_get_or_insert_with(\"pear\".to_string(), || \"x\".parse::<i32>());\n",
                "assert!(failed.is_err());\n",
                "assert!(!cache.contains(\"pear\"));\n",
                "let parsed = cache.try_get_or_insert_with(\"pear\".to_string(), || \"5\".parse::<i32>());\n",
                "assert_eq!(*parsed.unwrap(), 5);\n",
                "assert_eq!(cache.info().misses, 2);")]
            fn try_get_or_insert_with<E, F>(
                &mut self,
                key: K,
                f: F,
            ) -> Result<$crate::__private::evict_core::Fetched<'_, K, V>, E>
            where
                F: FnOnce() -> Result<V, E>,
            {
                $crate::SlabPolicy::try_get_or_insert_with(&mut (*self)$(.$field)?, key, f)
            }
        }

        /// A shard of `evict-sync`'s concurrent cache, with lookups by any borrowed form `Q`
        /// of the key. See the type's docs for whether its hit runs under a shared lock.
        ///
        #[doc = $crate::__example!($name, "Shard", $crate::__apple!($name),
            "assert_eq!(Shard::<String, i32, str>::get_borrowed(&mut cache, \"apple\"), Some(&3));\n",
            "assert_eq!(Shard::<String, i32, str>::peek_borrowed(&cache, \"pear\"), None);\n",
            "assert_eq!(Shard::<String, i32, str>::get_shared(&cache, \"apple\"), Some(&3));\n",
            "assert_eq!(Shard::<String, i32, str>::remove_borrowed(&mut cache, \"apple\"), Some(3));\n",
            "assert_eq!(cache.info().hits, 1); // get_shared counts nothing")]
        impl<K, V, S, Q $(, $w: $crate::weight::Weighs<K, V>)?> $crate::__private::evict_core::Shard<K, V, Q>
            for $name<K, V, S $(, $w)?>
        where
            K: core::hash::Hash + Eq + core::borrow::Borrow<Q>,
            Q: core::hash::Hash + Eq + ?Sized,
            S: core::hash::BuildHasher,
        {
            const SHARED_HIT: bool =
                <$crate::__policy_ty!($name [$($w)?] $(, $fty)?) as $crate::SlabPolicy>::SHARED_HIT;

            #[inline]
            fn get_borrowed(&mut self, key: &Q) -> Option<&V> {
                self.get(key)
            }

            #[inline]
            fn peek_borrowed(&self, key: &Q) -> Option<&V> {
                self.peek(key)
            }

            #[inline]
            fn remove_borrowed(&mut self, key: &Q) -> Option<V> {
                self.remove(key)
            }

            #[inline]
            fn get_shared(&self, key: &Q) -> Option<&V> {
                $crate::SlabPolicy::get_shared(&(*self)$(.$field)?, key)
            }

            /// The slab's hash of `key`: what its index files the key under.
            #[inline]
            fn hash_of(&self, key: &Q) -> Option<u64> {
                Some($crate::SlabCache::slab(&(*self)$(.$field)?).hash(key))
            }

            /// [`get_shared`](Self::get_shared) without hashing `key` again: the index's hit
            /// and a partial index's apart, as `SlabPolicy::get_shared` has them.
            #[inline]
            fn get_shared_hashed(&self, hash: u64, key: &Q) -> Option<&V> {
                let policy = &(*self)$(.$field)?;
                let slab = $crate::SlabCache::slab(policy);
                if let Some(i) = slab.find_indexed(hash, key) {
                    $crate::SlabPolicy::hit_shared(policy, i);
                    return Some($crate::slab::Item::value(slab.item(i)));
                }
                let i = slab.find_unindexed(key)?;
                $crate::SlabPolicy::hit_shared(policy, i);
                Some($crate::slab::Item::value(slab.item(i)))
            }
        }

        impl<K: core::fmt::Debug, V: core::fmt::Debug, S $(, $w: $crate::weight::Weighs<K, V>)?> core::fmt::Debug
            for $name<K, V, S $(, $w)?>
        {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                $crate::SlabCache::fmt_debug(&(*self)$(.$field)?, stringify!($name), f)
            }
        }

        /// Each pair is [`put`](Cache::put): evicted or rejected pairs are dropped (call
        /// `put` to keep them).
        ///
        #[doc = $crate::__example!($name, "", "let mut cache = ", stringify!($name),
            "::new(2);\n",
            "cache.extend([(1, 'a'), (2, 'b'), (3, 'c')]);\n",
            "assert_eq!(cache.len(), 2);")]
        impl<K, V, S $(, $w: $crate::weight::Weighs<K, V>)?> Extend<(K, V)> for $name<K, V, S $(, $w)?>
        where
            K: core::hash::Hash + Eq,
            S: core::hash::BuildHasher,
        {
            fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
                for (key, value) in pairs {
                    let _ = $crate::SlabPolicy::put(&mut (*self)$(.$field)?, key, value);
                }
            }
        }

        impl<'a, K, V, S $(, $w: $crate::weight::Weighs<K, V>)?> IntoIterator for &'a $name<K, V, S $(, $w)?> {
            type Item = (&'a K, &'a V);
            type IntoIter = Iter<'a, K, V, $crate::__extra!($($x)?)>;

            fn into_iter(self) -> Self::IntoIter {
                self.iter()
            }
        }

        impl<'a, K, V, S $(, $w: $crate::weight::Weighs<K, V>)?> IntoIterator for &'a mut $name<K, V, S $(, $w)?> {
            type Item = (&'a K, &'a mut V);
            type IntoIter = IterMut<'a, K, V, $crate::__extra!($($x)?)>;

            fn into_iter(self) -> Self::IntoIter {
                self.iter_mut()
            }
        }

        #[doc = concat!("The entries by value, ", $order, ".")]
        ///
        #[doc = $crate::__example!($name, "", $crate::__three!($name),
            "let pairs: Vec<(i32, i32)> = cache.into_iter().collect();\n",
            "assert_eq!(pairs.iter().map(|p| p.0).collect::<Vec<_>>(), ",
            stringify!([$($ex),*]), ");")]
        impl<K, V, S $(, $w: $crate::weight::Weighs<K, V>)?> IntoIterator for $name<K, V, S $(, $w)?> {
            type Item = (K, V);
            type IntoIter = IntoIter<K, V, $crate::__extra!($($x)?)>;

            fn into_iter(mut self) -> Self::IntoIter {
                IntoIter($crate::SlabCache::take_all(&mut self$(.$field)?), core::marker::PhantomData)
            }
        }

        $crate::__slab_iter! {
            #[doc = concat!("The entries of a [`", stringify!($name), "`], ", $order,
                ", by reference: [`", stringify!($name), "::iter`], or `&cache` in a `for` \
                loop.")]
            Iter<'a>($iter) -> (&'a K, &'a V), |pair| pair;
            debug(it) = it.0.clone();
        }
        $crate::__slab_iter! {
            #[doc = concat!("The entries of a [`", stringify!($name), "`], ", $order,
                ", each value mutable: [`", stringify!($name), "::iter_mut`], or \
                `&mut cache` in a `for` loop.")]
            IterMut<'a>($crate::slab::IterMut<'a, K, $item, X>) -> (&'a K, &'a mut V), |pair| pair;
            debug(it) = it.0.remaining();
        }
        $crate::__slab_iter! {
            #[doc = concat!("The entries of a [`", stringify!($name), "`], ", $order,
                ", by value: `cache.into_iter()`, or `cache` in a `for` loop.")]
            IntoIter<>($crate::slab::IntoIter<K, $item, X>) -> (K, V), |pair| pair;
            debug(it) = it.0.remaining();
        }
        $crate::__slab_iter! {
            #[doc = concat!("The entries taken out of a [`", stringify!($name), "`], ",
                $order, ": [`", stringify!($name), "::drain`].")]
            Drain<'a>($crate::slab::Drain<'a, K, $item, X>) -> (K, V), |pair| pair;
            debug(it) = it.0.remaining();
        }
        $crate::__slab_iter! {
            #[doc = concat!("The keys of a [`", stringify!($name), "`], ", $order, ": [`",
                stringify!($name), "::keys`].")]
            Keys<'a>($iter) -> &'a K, |(key, _)| key;
            debug(it) = it.0.clone().map(|(key, _)| key);
        }
        $crate::__slab_iter! {
            #[doc = concat!("The values of a [`", stringify!($name), "`], ", $order, ": [`",
                stringify!($name), "::values`].")]
            Values<'a>($iter) -> &'a V, |(_, value)| value;
            debug(it) = it.0.clone().map(|(_, value)| value);
        }
        $crate::__slab_iter! {
            #[doc = concat!("The values of a [`", stringify!($name), "`], ", $order,
                ", to change in place: [`", stringify!($name), "::values_mut`].")]
            ValuesMut<'a>($crate::slab::IterMut<'a, K, $item, X>) -> &'a mut V, |(_, value)| value;
            debug(it) = it.0.remaining().map(|(_, value)| value);
        }
        $crate::__slab_iter_clone!(Iter, Keys, Values);
    };
}

/// Defines, in a policy crate, the public cache type over a [`RingCache`](crate::RingCache)
/// with policy `$policy`, and everything around it: `new`, `with_hasher`, the whole API of
/// [`slab_cache!`](crate::slab_cache), `Clone`, a `check_invariants` for the crate's own
/// tests, the `DefaultHashBuilder` alias and the `MAX_CAPACITY` constant.
///
/// The policy crate keeps its policy (a [`RingPolicy`](crate::RingPolicy)), its type's
/// documentation and its own extra methods. `order` completes "the entries, …" in the
/// iterators' docs, and `example_order` is the order `iter` lists a cache of capacity 3
/// after `put`s of 1, 2 and 3, for the generated examples (which also assume that such a
/// cache evicts 1, then 2). Invoke it at the crate root, which must re-export
/// `evict_core`'s `Cache` (the examples import it from there).
///
/// ```
/// use evict_core::{Cache, Put};
/// use evict_slots::policy::Anchors;
/// use evict_slots::ring::{Plain, Ring};
/// use evict_slots::{RingPolicy, Weighing};
///
/// /// FIFO: newcomers go last, hits change nothing, evictions take the first.
/// enum Fifo {}
/// impl RingPolicy for Fifo {
///     type Flags = Plain;
///     const ORDER: &'static str = "oldest_first";
///     const NEWEST_FIRST: bool = false;
///     fn victim<K, V, S, W: Weighing>(_: &Ring<K, V, S, Plain, W>, at: &Anchors) -> u32 {
///         at.start
///     }
/// }
///
/// evict_slots::ring_cache! {
///     /// A first-in-first-out cache.
///     pub struct FifoCache<K, V, S = DefaultHashBuilder>(Fifo);
///     order = "from the oldest to the newest";
///     example_order = [1, 2, 3];
/// }
///
/// let mut cache = FifoCache::new(2);
/// assert_eq!(cache.put("a".to_string(), 1), Put::Inserted);
/// assert_eq!(cache.get("a"), Some(&1));
/// let _ = cache.put("b".to_string(), 2);
/// assert_eq!(cache.put("c".to_string(), 3), Put::Evicted("a".to_string(), 1));
/// assert_eq!(cache.keys().rev().collect::<Vec<_>>(), ["c", "b"]);
/// assert_eq!(format!("{cache:?}"), "FifoCache { capacity: 2, oldest_first: {\"b\": 2, \"c\": 3}, \
///     stats: Stats { hits: 1, misses: 0 } }");
/// ```
#[macro_export]
macro_rules! ring_cache {
    (
        $(#[$attr:meta])*
        pub struct $name:ident<K, V, S = DefaultHashBuilder>($policy:ty);
        order = $order:literal;
        example_order = [$($ex:literal),* $(,)?];
    ) => {
        /// The hasher used when none is given: hashbrown's default (foldhash), fast and
        /// seeded per cache. The eviction order never depends on hashes, so the seed changes
        /// no result.
        pub type DefaultHashBuilder = $crate::DefaultHashBuilder;

        #[doc = concat!("The largest capacity a `", stringify!($name), "` accepts: slots \
            are addressed by 31-bit links (the 32nd bit holds a flag where the policy has \
            one). Larger requests are clamped to this.")]
        pub const MAX_CAPACITY: usize = $crate::MAX_CAPACITY;

        $(#[$attr])*
        pub struct $name<K, V, S = DefaultHashBuilder, W: $crate::Weighing = $crate::weight::Unweighted> {
            inner: $crate::RingCache<K, V, S, $policy, W>,
        }

        impl<K: Clone, V: Clone, S: Clone, W: $crate::Weighing + Clone> Clone for $name<K, V, S, W> {
            fn clone(&self) -> Self {
                Self { inner: self.inner.clone() }
            }
        }

        impl<K, V> $name<K, V> {
            /// An empty cache that holds at most `capacity` entries (clamped to
            /// [`MAX_CAPACITY`]). Capacity 0 caches nothing, as Python's
            /// `lru_cache(maxsize=0)`.
            ///
            /// Memory is allocated as entries arrive, never more than `capacity` entries'
            /// worth.
            ///
            #[doc = $crate::__example!($name, "Put",
                "let mut none = ", stringify!($name), "::new(0);\n",
                "assert_eq!(none.put(1, 1), Put::Rejected(1, 1));\n",
                "assert_eq!(none.get(&1), None);\n",
                "assert_eq!(none.info().to_string(), \"CacheInfo(hits=0, misses=1, maxsize=0, currsize=0)\");")]
            pub fn new(capacity: usize) -> Self {
                Self::with_hasher(capacity, DefaultHashBuilder::default())
            }
        }

        impl<K, V, S> $name<K, V, S> {
            /// An empty cache of at most `capacity` entries that hashes keys with `hasher`.
            ///
            #[doc = $crate::__example!($name, "DefaultHashBuilder",
                "let cache: ", stringify!($name), "<u64, u64> = ",
                stringify!($name), "::with_hasher(100, DefaultHashBuilder::default());\n",
                "assert_eq!(cache.capacity(), Some(100));")]
            pub fn with_hasher(capacity: usize, hasher: S) -> Self {
                Self { inner: $crate::RingCache::with_hasher(capacity, hasher) }
            }
        }

        impl<K, V, W> $name<K, V, DefaultHashBuilder, $crate::Weighted<W>> {
            /// An empty cache bounded by weight: `weigher` gives each entry's weight (in
            /// bytes, usually) and the entries' total stays at most `capacity`. See the
            /// crate docs' *Capacity by weight* for the rules (too heavy, weight 0,
            /// replacing a value); `capacity()` and `info().maxsize` are in weight units,
            /// `len()` counts entries (at most `min(capacity, MAX_CAPACITY)`).
            ///
            #[doc = $crate::__example!($name, "Put",
                "let mut cache = ", stringify!($name),
                "::with_weigher(10, |_: &u32, v: &String| v.len() as u64);
",
                "assert_eq!(cache.put(1, \"four\".to_string()), Put::Inserted);
",
                "assert_eq!(cache.put(2, \"six...\".to_string()), Put::Inserted);
",
                "assert_eq!(cache.weight(), 10);
",
                "let mut evicted = Vec::new();
",
                "let _ = cache.put_into(3, \"three\".to_string(), &mut evicted);
",
                "assert_eq!(evicted, [(1, \"four\".to_string()), (2, \"six...\".to_string())]);
",
                "assert_eq!(cache.put(4, \"eleven.....\".to_string()), Put::Rejected(4, \"eleven.....\".to_string()));
",
                "assert_eq!((cache.len(), cache.weight(), cache.capacity()), (1, 5, Some(10)));")]
            pub fn with_weigher(capacity: u64, weigher: W) -> Self {
                Self::with_weigher_and_hasher(capacity, weigher, DefaultHashBuilder::default())
            }
        }

        impl<K, V, S, W> $name<K, V, S, $crate::Weighted<W>> {
            /// [`with_weigher`](Self::with_weigher) with the hasher `hasher`.
            pub fn with_weigher_and_hasher(capacity: u64, weigher: W, hasher: S) -> Self {
                Self {
                    inner: $crate::RingCache::with_weigher(capacity, $crate::Weighted(weigher), hasher),
                }
            }
        }

        impl<K, V, S, W: $crate::weight::Weighs<K, V>> $name<K, V, S, W> {
            /// Checks that the ring, the anchors, the slots and the index agree. For the
            /// crate's tests.
            #[cfg(test)]
            #[allow(dead_code)]
            pub(crate) fn check_invariants(&self)
            where
                K: core::hash::Hash + Eq,
                S: core::hash::BuildHasher,
                W: $crate::weight::Weigher<K, V>,
            {
                self.inner.check();
            }
        }

        $crate::slab_cache! {
            cache = $name via inner: $crate::RingCache<K, V, S, $policy, W>;
            weigher = W;
            item = $crate::slab::Node<V, $crate::ring::Links>;
            iter = $crate::ring::Iter<'a, K, V, X>;
            order = $order;
            example_order = [$($ex),*];
            example_pops = [(1, 10), (2, 20)];
        }
    };
}
