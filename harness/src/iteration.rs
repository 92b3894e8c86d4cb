//! [`check_iteration`] and [`check_double_ended`]: a policy's iterators list what
//! `entries()` lists, and change nothing.

use std::fmt::Debug;

use crate::{Cache, CacheInfo, Failure, Key, Label, Op, Run, Value, comparable, entries};

/// What an iteration check found wrong: what was checked, expected and got.
struct Mismatch {
    what: String,
    expected: String,
    got: String,
}

fn mismatch(what: impl Into<String>, expected: impl Debug, got: impl Debug) -> Mismatch {
    Mismatch {
        what: what.into(),
        expected: format!("{expected:?}"),
        got: format!("{got:?}"),
    }
}

/// Expects `got` to equal `want`.
fn same<T: PartialEq + Debug>(what: &str, want: T, got: T) -> Result<(), Mismatch> {
    if got == want {
        Ok(())
    } else {
        Err(mismatch(what, want, got))
    }
}

/// Runs `it` to the end, reading each item with `read`, and checks on the way that it
/// yields `n` items, that `size_hint` is exact before every `next` (as an
/// `ExactSizeIterator` must be) and that it stays exhausted (as a `FusedIterator` must).
fn drive<I: Iterator>(
    what: &str,
    mut it: I,
    n: usize,
    mut read: impl FnMut(I::Item) -> (Key, Value),
) -> Result<Vec<(Key, Value)>, Mismatch> {
    let mut got = Vec::with_capacity(n);
    loop {
        let left = n.saturating_sub(got.len());
        if it.size_hint() != (left, Some(left)) {
            let what = format!("{what}.size_hint() after {} items", got.len());
            return Err(mismatch(what, (left, Some(left)), it.size_hint()));
        }
        match it.next() {
            Some(item) => got.push(read(item)),
            None => break,
        }
        if got.len() > n {
            return Err(mismatch(what, format!("{n} items"), got));
        }
    }
    if it.next().is_some() {
        return Err(mismatch(
            format!("{what}.next() after None"),
            "None",
            "Some",
        ));
    }
    Ok(got)
}

/// `drain(cache, n)`: drains with the policy's `drain()`, keeps the first `n` pairs and
/// drops the iterator (which must still empty the cache).
type Drain<'d, C> = &'d dyn Fn(&mut C, usize) -> Vec<(Key, Value)>;

/// The checks of [`check_iteration`] on one state of `cache`, whose `entries()` are `list`.
fn forward<C>(cache: &mut C, list: &[(Key, Value)], drain: Drain<'_, C>) -> Result<(), Mismatch>
where
    C: Cache<Key, Value> + Clone + IntoIterator<Item = (Key, Value)>,
    for<'a> &'a C: IntoIterator<Item = (&'a Key, &'a Value)>,
    for<'a> &'a mut C: IntoIterator<Item = (&'a Key, &'a mut Value)>,
{
    let n = list.len();
    let what = "(&cache).into_iter()";
    same(
        what,
        list,
        &drive(what, (&*cache).into_iter(), n, |(k, v)| (*k, *v))?,
    )?;

    // Through `&mut`: the same pairs; a write through each value shows in `entries()`, in
    // the same order; a second pass writes the values back.
    let what = "(&mut cache).into_iter()";
    let got = drive(what, (&mut *cache).into_iter(), n, |(k, v)| {
        let read = (*k, *v);
        *v = !*v;
        read
    })?;
    same(what, list, &got)?;
    let flipped: Vec<_> = list.iter().map(|&(k, v)| (k, !v)).collect();
    same(
        "entries() after writing !value through (&mut cache).into_iter()",
        flipped,
        entries(cache),
    )?;
    for (_, v) in &mut *cache {
        *v = !*v;
    }

    let what = "cache.clone().into_iter()";
    same(
        what,
        list,
        &drive(what, cache.clone().into_iter(), n, |p| p)?,
    )?;

    // `drain` yields everything in order, or, dropped early, still empties the cache; the
    // statistics and the capacity stay.
    for take in [n, n / 2] {
        let mut clone = cache.clone();
        let info = clone.info();
        let what = format!("drain() of a clone, dropped after {take} of {n} pairs");
        same(&what, &list[..take], &drain(&mut clone, take))?;
        let want = (
            0,
            Vec::new(),
            CacheInfo {
                currsize: 0,
                ..info
            },
        );
        let got = (clone.len(), entries(&clone), clone.info());
        same(&format!("(len, entries, info) after {what}"), want, got)?;
    }
    Ok(())
}

/// The checks of [`check_double_ended`] beyond [`forward`]'s.
fn backward<C>(cache: &mut C, list: &[(Key, Value)]) -> Result<(), Mismatch>
where
    C: Cache<Key, Value> + Clone + IntoIterator<Item = (Key, Value), IntoIter: DoubleEndedIterator>,
    for<'a> &'a C: DoubleEndedRef<'a>,
    for<'a> &'a mut C: DoubleEndedMut<'a>,
{
    let n = list.len();
    let reversed: Vec<_> = list.iter().rev().copied().collect();
    let what = "(&cache).into_iter().rev()";
    let got = drive(what, (&*cache).into_iter().rev(), n, |(k, v)| (*k, *v))?;
    same(what, &reversed, &got)?;
    let what = "(&mut cache).into_iter().rev()";
    let got = drive(what, (&mut *cache).into_iter().rev(), n, |(k, v)| (*k, *v))?;
    same(what, &reversed, &got)?;
    let what = "cache.clone().into_iter().rev()";
    same(
        what,
        &reversed,
        &drive(what, cache.clone().into_iter().rev(), n, |p| p)?,
    )?;

    // From both ends at once: the two halves meet without a gap or an overlap.
    let mut it = (&*cache).into_iter();
    let (mut front, mut back) = (Vec::new(), Vec::new());
    for i in 0..=n {
        let item = if i % 2 == 0 {
            it.next()
        } else {
            it.next_back()
        };
        let Some((k, v)) = item else { break };
        if i % 2 == 0 { &mut front } else { &mut back }.push((*k, *v));
    }
    front.extend(back.into_iter().rev());
    same(
        "(&cache).into_iter() by next and next_back in turn",
        list,
        &front,
    )
}

/// Runs `ops` on `make(capacity)` and a twin, checking after every step with `extra` as
/// well as [`forward`], and that the twin (never iterated) answers the same.
fn run<C>(
    make: impl Fn(usize) -> C,
    drain: Drain<'_, C>,
    extra: impl Fn(&mut C, &[(Key, Value)]) -> Result<(), Mismatch>,
    capacity: usize,
    ops: &[Op<Key, Value>],
) -> Result<(), Failure>
where
    C: Cache<Key, Value> + Clone + IntoIterator<Item = (Key, Value)>,
    for<'a> &'a C: IntoIterator<Item = (&'a Key, &'a Value)>,
    for<'a> &'a mut C: IntoIterator<Item = (&'a Key, &'a mut Value)>,
{
    let run = Run { capacity, ops };
    let mut cache = make(capacity);
    let mut twin = make(capacity);
    let ordered = cache.capacity().is_some();
    let check = |cache: &mut C| -> Result<(), Mismatch> {
        let (list, info) = (entries(cache), cache.info());
        forward(cache, &list, drain)?;
        extra(cache, &list)?;
        let what = "(entries(), info()) after iterating (iterating changes nothing)";
        same(what, (list, info), (entries(cache), cache.info()))
    };
    let fail = |step: usize, op: &dyn Debug, m: Mismatch| {
        let mut failure = run.fail(step, Label(format!("{} after {op:?}", m.what)), (), ());
        (failure.expected, failure.got) = (m.expected, m.got);
        failure
    };
    check(&mut cache).map_err(|m| fail(0, &Label("the new cache".into()), m))?;
    for (step, op) in ops.iter().enumerate() {
        let got = comparable(crate::apply(&mut cache, op), ordered);
        let want = comparable(crate::apply(&mut twin, op), ordered);
        if got != want {
            let want = ("the answer of a twin that was never iterated", want);
            return Err(run.fail(step, op, want, got));
        }
        check(&mut cache).map_err(|m| fail(step, op, m))?;
    }
    let (mut got, mut want) = (entries(&cache), entries(&twin));
    if !ordered {
        got.sort_unstable();
        want.sort_unstable();
    }
    if (&got, cache.info()) != (&want, twin.info()) {
        return Err(run.fail(
            ops.len().saturating_sub(1),
            Label("entries() and info() after the last op".into()),
            ("the twin's (iterating changes nothing)", want, twin.info()),
            (got, cache.info()),
        ));
    }
    Ok(())
}

/// A policy's iterators agree with [`Cache::entries`] and change nothing: runs `ops` on
/// `make(capacity)` and, after every step, checks that
///
/// - `(&cache).into_iter()` (the policy's `iter()`) yields exactly the pairs of
///   `cache.entries()`, in the same order;
/// - `(&mut cache).into_iter()` (`iter_mut()`) yields the same keys and values in the same
///   order, and a value written through it shows in `entries()` without moving anything;
/// - `cache.clone().into_iter()` (the owned iterator) yields the same pairs;
/// - `drain` (`|c, n| c.drain().take(n).collect()`: the policy's `drain()`, keeping the first
///   `n` pairs and dropping the iterator) yields the same pairs, and, whether run to the end
///   or dropped halfway, leaves the (cloned) cache empty with its statistics and capacity;
/// - every iterator's `size_hint` is exact at every point (`ExactSizeIterator`) and it stays
///   exhausted once it returned `None` (`FusedIterator`);
/// - iterating changes nothing: `entries()` and `info()` are the same afterwards, and a twin
///   cache that is never iterated gives the same answer to every op.
///
/// # Errors
///
/// The first mismatch, as a [`Failure`] naming the step, the iterator and what it yielded.
///
/// ```ignore
/// // In a policy crate's tests, on a type with `iter`, `iter_mut`, `into_iter` and `drain`:
/// let ops = [Op::Put(1, 10), Op::Put(2, 20), Op::Get(1), Op::Entries];
/// check_iteration(LruCache::new, |c, n| c.drain().take(n).collect(), 2, &ops)?;
/// check_double_ended(LruCache::new, |c, n| c.drain().take(n).collect(), 2, &ops)?;
/// ```
pub fn check_iteration<C>(
    make: impl Fn(usize) -> C,
    drain: impl Fn(&mut C, usize) -> Vec<(Key, Value)>,
    capacity: usize,
    ops: &[Op<Key, Value>],
) -> Result<(), Failure>
where
    C: Cache<Key, Value> + Clone + IntoIterator<Item = (Key, Value)>,
    for<'a> &'a C: IntoIterator<Item = (&'a Key, &'a Value)>,
    for<'a> &'a mut C: IntoIterator<Item = (&'a Key, &'a mut Value)>,
{
    run(make, &drain, |_, _| Ok(()), capacity, ops)
}

/// [`check_iteration`], and, for a policy whose order is a list, that every iterator is
/// double-ended: `.rev()` of the borrowed, mutable and owned iterators yields `entries()`
/// reversed, and `next` and `next_back` in turn meet in the middle.
///
/// # Errors
///
/// The first mismatch, as a [`Failure`].
pub fn check_double_ended<C>(
    make: impl Fn(usize) -> C,
    drain: impl Fn(&mut C, usize) -> Vec<(Key, Value)>,
    capacity: usize,
    ops: &[Op<Key, Value>],
) -> Result<(), Failure>
where
    C: Cache<Key, Value> + Clone + IntoIterator<Item = (Key, Value), IntoIter: DoubleEndedIterator>,
    for<'a> &'a C: DoubleEndedRef<'a>,
    for<'a> &'a mut C: DoubleEndedMut<'a>,
{
    run(make, &drain, backward, capacity, ops)
}

/// `&'a C` for a cache `C` whose borrowing iterator is double-ended: implemented for every
/// such type, and spelled as a trait only so that [`check_double_ended`]'s bounds are
/// inferred (a bound on `<&'a C as IntoIterator>::IntoIter` for every `'a` is not, yet).
pub trait DoubleEndedRef<'a>:
    IntoIterator<Item = (&'a Key, &'a Value), IntoIter = Self::Iter>
{
    /// The borrowing iterator.
    type Iter: DoubleEndedIterator<Item = (&'a Key, &'a Value)>;
}

impl<'a, T> DoubleEndedRef<'a> for T
where
    T: IntoIterator<Item = (&'a Key, &'a Value)>,
    T::IntoIter: DoubleEndedIterator,
{
    type Iter = T::IntoIter;
}

/// `&'a mut C` for a cache `C` whose mutable iterator is double-ended; see
/// [`DoubleEndedRef`].
pub trait DoubleEndedMut<'a>:
    IntoIterator<Item = (&'a Key, &'a mut Value), IntoIter = Self::Iter>
{
    /// The mutable iterator.
    type Iter: DoubleEndedIterator<Item = (&'a Key, &'a mut Value)>;
}

impl<'a, T> DoubleEndedMut<'a> for T
where
    T: IntoIterator<Item = (&'a Key, &'a mut Value)>,
    T::IntoIter: DoubleEndedIterator,
{
    type Iter = T::IntoIter;
}
