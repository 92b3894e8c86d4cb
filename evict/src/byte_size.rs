//! [`ByteSize`]: how many bytes a value keeps on the heap, the default weigher of a memo
//! bounded by `max_bytes`.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::mem::{size_of, size_of_val};

/// The bytes a value owns on the heap, beyond its own `size_of`: what a cache bounded by
/// bytes (`#[evict::lru_cache(max_bytes = N)]`) adds to `size_of` to weigh a key or a value.
///
/// An entry of a memo with `max_bytes` weighs
/// `size_of::<K>() + size_of::<V>() + key.heap_bytes() + value.heap_bytes()`, where `K` is
/// the tuple of the arguments (as stored: `&str` as `String`) and `V` the return type. The
/// cache's own bookkeeping per entry (its hash table slot, list links, the stored weight,
/// the slab's growth room) is **not** counted: for `LruCache` about 42 bytes per entry
/// beyond the budget, measured by `cargo run --release -p evict --example user_records`
/// (11,900 records of 300-700 bytes under 4 MiB: heap 4.476 MiB), and the slab keeps room for
/// the most entries it has held. With `ttl` the expiring layer adds about 48 bytes per entry
/// (`evict-expiry`'s README). So with small entries the heap exceeds the budget by that much
/// per entry.
///
/// Counts are of what the allocator was asked for: a `String` or `Vec` counts its capacity,
/// not its length (a vector with spare room holds that room). Data behind an `Arc` or `Rc`
/// is counted in full by every pointer to it (its value, its heap bytes and the two
/// reference counts), as if each pointer owned it: a budget then never undercounts what the
/// cache keeps alive, and overcounts data that entries share.
///
/// Implement it for your own types by summing the fields' `heap_bytes`:
///
/// ```
/// use evict::ByteSize;
///
/// #[derive(Clone)]
/// struct User {
///     id: u64,
///     name: String,
///     tags: Vec<String>,
/// }
///
/// impl ByteSize for User {
///     fn heap_bytes(&self) -> usize {
///         self.id.heap_bytes() + self.name.heap_bytes() + self.tags.heap_bytes()
///     }
/// }
///
/// let user = User { id: 7, name: String::from("ada"), tags: vec![String::from("admin")] };
/// // "ada" (3) + one String header in the vector (24) + "admin" (5), on 64-bit targets.
/// assert_eq!(user.heap_bytes(), 3 + size_of::<String>() + 5);
/// ```
pub trait ByteSize {
    /// The bytes this value owns on the heap (0 for plain data such as integers).
    fn heap_bytes(&self) -> usize;
}

/// Types that own no heap memory.
macro_rules! no_heap {
    ($($t:ty),* $(,)?) => {
        $(
            impl ByteSize for $t {
                #[inline]
                fn heap_bytes(&self) -> usize {
                    0
                }
            }
        )*
    };
}

no_heap!(
    (),
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    core::time::Duration,
);

impl<T: ?Sized> ByteSize for core::marker::PhantomData<T> {
    #[inline]
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// A `str` owns nothing beyond its bytes, which whoever holds it counts (`String`, `Box`).
impl ByteSize for str {
    #[inline]
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// A slice's elements are counted by whoever holds it; this is what they own beyond that.
impl<T: ByteSize> ByteSize for [T] {
    fn heap_bytes(&self) -> usize {
        self.iter().map(ByteSize::heap_bytes).sum()
    }
}

impl<T: ByteSize, const N: usize> ByteSize for [T; N] {
    fn heap_bytes(&self) -> usize {
        self.as_slice().heap_bytes()
    }
}

impl ByteSize for String {
    #[inline]
    fn heap_bytes(&self) -> usize {
        self.capacity()
    }
}

impl<T: ByteSize> ByteSize for Vec<T> {
    fn heap_bytes(&self) -> usize {
        self.capacity() * size_of::<T>() + self.as_slice().heap_bytes()
    }
}

impl<T: ?Sized + ByteSize> ByteSize for Box<T> {
    fn heap_bytes(&self) -> usize {
        size_of_val::<T>(self) + (**self).heap_bytes()
    }
}

/// The value and the two reference counts, in full for every pointer (see the trait docs).
impl<T: ?Sized + ByteSize> ByteSize for Rc<T> {
    fn heap_bytes(&self) -> usize {
        2 * size_of::<usize>() + size_of_val::<T>(self) + (**self).heap_bytes()
    }
}

/// The value and the two reference counts, in full for every pointer (see the trait docs).
impl<T: ?Sized + ByteSize> ByteSize for Arc<T> {
    fn heap_bytes(&self) -> usize {
        2 * size_of::<usize>() + size_of_val::<T>(self) + (**self).heap_bytes()
    }
}

impl<T: ByteSize> ByteSize for Option<T> {
    #[inline]
    fn heap_bytes(&self) -> usize {
        self.as_ref().map_or(0, ByteSize::heap_bytes)
    }
}

impl<T: ByteSize, E: ByteSize> ByteSize for Result<T, E> {
    #[inline]
    fn heap_bytes(&self) -> usize {
        match self {
            Ok(t) => t.heap_bytes(),
            Err(e) => e.heap_bytes(),
        }
    }
}

/// Tuples up to 12 elements (a memo's key is the tuple of its arguments).
macro_rules! tuples {
    ($(($($name:ident $index:tt),+))*) => {
        $(
            impl<$($name: ByteSize),+> ByteSize for ($($name,)+) {
                #[inline]
                fn heap_bytes(&self) -> usize {
                    0 $(+ self.$index.heap_bytes())+
                }
            }
        )*
    };
}

tuples! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
}

/// The weight of a memo's entry under `max_bytes`: both `size_of`s plus both heap counts,
/// saturating (a weight above `u64::MAX` is heavier than any budget anyway).
///
/// ```
/// let key = (String::from("abc"),);
/// let value: Vec<u32> = Vec::with_capacity(10);
/// assert_eq!(
///     evict::byte_weight(&key, &value),
///     (size_of::<(String,)>() + size_of::<Vec<u32>>() + 3 + 40) as u64
/// );
/// ```
pub fn byte_weight<K: ByteSize, V: ByteSize>(key: &K, value: &V) -> u64 {
    let bytes = (size_of::<K>() + size_of::<V>())
        .saturating_add(key.heap_bytes())
        .saturating_add(value.heap_bytes());
    u64::try_from(bytes).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_owned_heap_memory() {
        assert_eq!(7u64.heap_bytes(), 0);
        assert_eq!(String::with_capacity(10).heap_bytes(), 10);
        let v: Vec<u16> = Vec::with_capacity(4);
        assert_eq!(v.heap_bytes(), 8);
        let nested = vec![String::from("ab"), String::from("cde")];
        assert_eq!(nested.heap_bytes(), 2 * size_of::<String>() + 2 + 3);
        let boxed: Box<str> = Box::from("four");
        assert_eq!(boxed.heap_bytes(), 4);
        let boxed_u64 = Box::new(1u64);
        assert_eq!(boxed_u64.heap_bytes(), 8);
        assert_eq!(Some(String::from("xy")).heap_bytes(), 2);
        assert_eq!(None::<String>.heap_bytes(), 0);
        let err: Result<u8, String> = Err(String::from("bad"));
        assert_eq!(err.heap_bytes(), 3);
        assert_eq!(
            (1u8, String::from("abc"), [String::from("d")]).heap_bytes(),
            4
        );
        let shared: Arc<str> = Arc::from("hello");
        assert_eq!(shared.heap_bytes(), 2 * size_of::<usize>() + 5);
        let rc = Rc::new(String::from("hi"));
        assert_eq!(
            rc.heap_bytes(),
            2 * size_of::<usize>() + size_of::<String>() + 2
        );
    }

    #[test]
    fn entry_weight_adds_sizes_and_heap() {
        let weight = byte_weight(&(3u64,), &String::from("abcd"));
        assert_eq!(weight, (8 + size_of::<String>() + 4) as u64);
    }
}
