//! Hostile mode: keys and values whose `Hash`, `Eq`, `Clone` or `Drop` panic on a chosen
//! call, and [`check_hostile`], which runs a policy through such panics and checks that
//! it stays consistent, keeps working and loses no value without dropping it.
//!
//! Each generated op may carry a [`Trap`]: the `nth` call of one kind of user code
//! ([`Kind`]) during that op panics (once). The op runs under `catch_unwind`; then the
//! cache is checked, panic or not:
//!
//! - `validate` (the policy's `check_invariants`) holds;
//! - `len() <= capacity()`, and `len()` is exactly the number of keys `peek` finds, and
//!   `entries()` lists each of them once, with the value `peek` shows;
//! - no value or key is lost without being dropped: the live [`Value`]s and [`Key`]s
//!   (made, cloned, not yet dropped) are exactly the cache's `len()` (the kit holds none
//!   between ops), and none is left once the cache is dropped;
//! - an op whose trap did not fire (or that had none) must not panic, and answers as the
//!   cache's state before it says: a lookup returns the value `entries()` listed, `remove`
//!   too, `put` replaces, inserts (below capacity) or evicts a resident pair, `get`-like
//!   ops count exactly one hit or miss and nothing else counts; so later operations with
//!   well-behaved keys work after any panic;
//! - after `clear`, even one whose `Drop` panicked, the cache is empty and its counters
//!   are zero.
//!
//! Only what the cache holds after a panic is its own business: whether the op that
//! panicked took effect, and whether an op's `get` counted before the panic.

use std::cell::Cell;
use std::fmt::{self, Debug};
use std::hash::{Hash, Hasher};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use proptest::prelude::*;

use crate::{Cache, Failure, Fetched, Op, Put, Settings};

/// Which kind of user code a [`Trap`] makes panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `Hash::hash` of a [`Key`].
    KeyHash,
    /// `PartialEq::eq` of a [`Key`].
    KeyEq,
    /// `Clone::clone` of a [`Key`].
    KeyClone,
    /// `Drop::drop` of a [`Key`] (it still counts as dropped).
    KeyDrop,
    /// `Clone::clone` of a [`Value`] (and so a `get_or_insert_with` loader, which clones).
    ValueClone,
    /// `Drop::drop` of a [`Value`] (it still counts as dropped).
    ValueDrop,
}

/// The `nth` (from 0) call of `kind` during one op panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trap {
    /// The kind of call.
    pub kind: Kind,
    /// Calls of that kind let through first.
    pub nth: u8,
}

thread_local! {
    /// The armed trap, and how many more calls of its kind pass.
    static ARMED: Cell<Option<(Kind, u8)>> = const { Cell::new(None) };
    /// Whether a panic is expected here (the panic hook stays quiet).
    static EXPECTING: Cell<bool> = const { Cell::new(false) };
    /// `Key`s made or cloned, not yet dropped, on this thread.
    static LIVE_KEYS: Cell<isize> = const { Cell::new(0) };
    /// `Value`s made or cloned, not yet dropped, on this thread.
    static LIVE_VALUES: Cell<isize> = const { Cell::new(0) };
}

/// Panics if a trap of `kind` is armed and its turn has come (and disarms it).
fn spring(kind: Kind, what: &dyn Debug) {
    if let Some((armed, left)) = ARMED.get()
        && armed == kind
    {
        if left == 0 {
            ARMED.set(None);
            panic!("hostile {kind:?} of {what:?}");
        }
        ARMED.set(Some((armed, left - 1)));
    }
}

/// Arms `trap` for the calls that follow on this thread.
pub fn arm(trap: Trap) {
    ARMED.set(Some((trap.kind, trap.nth)));
}

/// Disarms the trap; returns whether one was still armed (it did not fire).
pub fn disarm() -> bool {
    ARMED.take().is_some()
}

/// `Key`s and `Value`s alive on this thread (made or cloned, not dropped).
pub fn live() -> (isize, isize) {
    (LIVE_KEYS.get(), LIVE_VALUES.get())
}

/// A cache key whose `Hash`, `Eq`, `Clone` and `Drop` panic when a [`Trap`] says so.
/// Hashes and compares as its `u8`.
pub struct Key(u8);

impl Key {
    /// A new key (counted live until dropped).
    pub fn new(k: u8) -> Self {
        LIVE_KEYS.set(LIVE_KEYS.get() + 1);
        Key(k)
    }

    /// Its number.
    pub fn get(&self) -> u8 {
        self.0
    }
}

impl Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.0)
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        spring(Kind::KeyHash, self);
        self.0.hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        spring(Kind::KeyEq, self);
        self.0 == other.0
    }
}

impl Eq for Key {}

impl Clone for Key {
    fn clone(&self) -> Self {
        spring(Kind::KeyClone, self);
        Key::new(self.0)
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        LIVE_KEYS.set(LIVE_KEYS.get() - 1);
        spring(Kind::KeyDrop, self);
    }
}

/// A cache value whose `Clone` and `Drop` panic when a [`Trap`] says so.
pub struct Value(u16);

impl Value {
    /// A new value (counted live until dropped).
    pub fn new(v: u16) -> Self {
        LIVE_VALUES.set(LIVE_VALUES.get() + 1);
        Value(v)
    }

    /// Its number.
    pub fn get(&self) -> u16 {
        self.0
    }
}

impl Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Value({})", self.0)
    }
}

impl Clone for Value {
    fn clone(&self) -> Self {
        spring(Kind::ValueClone, self);
        Value::new(self.0)
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        LIVE_VALUES.set(LIVE_VALUES.get() - 1);
        spring(Kind::ValueDrop, self);
    }
}

/// A strategy for a trap: any kind, one of the first four calls.
pub fn trap() -> impl Strategy<Value = Trap> {
    let kind = prop_oneof![
        3 => Just(Kind::KeyHash),
        2 => Just(Kind::KeyEq),
        1 => Just(Kind::KeyClone),
        1 => Just(Kind::KeyDrop),
        1 => Just(Kind::ValueClone),
        2 => Just(Kind::ValueDrop),
    ];
    (kind, 0..4u8).prop_map(|(kind, nth)| Trap { kind, nth })
}

/// One op of a hostile scenario, and the trap armed around it (if any).
pub type Step = (Op<u8, u16>, Option<Trap>);

/// A strategy for a capacity and an op sequence (as [`scenario`](crate::scenario)), about
/// one op in three armed with a trap.
pub fn scenario(settings: Settings) -> impl Strategy<Value = (usize, Vec<Step>)> {
    let step = (
        crate::op(settings),
        prop_oneof![2 => Just(None), 1 => trap().prop_map(Some)],
    );
    (
        0..=settings.max_capacity,
        proptest::collection::vec(step, 0..=settings.max_ops),
    )
}

/// What an op answered, as plain numbers (read after the trap is disarmed).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Answer {
    /// A lookup's value, or `remove`'s.
    Found(Option<u16>),
    /// A `put`'s report (`put_mut`, `get_or_insert_with` on a miss): what left.
    Put(Put<u8, u16>),
    /// A `get_or_insert_with` hit, and the value.
    Hit(u16),
    /// `try_get_or_insert_with`'s `Err`.
    Failed,
    /// `pop`'s pair.
    Popped(Option<(u8, u16)>),
    /// `resize`'s pairs.
    Resized(Vec<(u8, u16)>),
    /// Nothing to check against the state (`clear`, reads).
    Done,
}

fn put_plain(put: Put<Key, Value>) -> Put<u8, u16> {
    match put {
        Put::Inserted => Put::Inserted,
        Put::Replaced(v) => Put::Replaced(v.get()),
        Put::Evicted(k, v) => Put::Evicted(k.get(), v.get()),
        Put::Rejected(k, v) => Put::Rejected(k.get(), v.get()),
    }
}

fn fetched_plain(fetched: Fetched<'_, Key, Value>) -> Answer {
    match fetched {
        Fetched::Hit(v) => Answer::Hit(v.get()),
        Fetched::Inserted(_) => Answer::Put(Put::Inserted),
        Fetched::Evicted(_, k, v) => Answer::Put(Put::Evicted(k.get(), v.get())),
        Fetched::Rejected(k, v) => Answer::Put(Put::Rejected(k.get(), v.get())),
    }
}

/// Runs `op` on `cache`, its keys and values made fresh (not cloned), with `trap` armed
/// around the cache's call only.
fn run_op<C: Cache<Key, Value>>(cache: &mut C, op: &Op<u8, u16>, trap: Option<Trap>) -> Answer {
    let key = |k: &u8| Key::new(*k);
    let value = |v: &u16| Value::new(*v);
    // Everything the call takes is made before the trap is armed.
    macro_rules! armed {
        ($call:expr) => {{
            if let Some(trap) = trap {
                arm(trap);
            }
            let result = $call;
            disarm();
            result
        }};
    }
    match op {
        Op::Get(k) => {
            let k = key(k);
            Answer::Found(armed!(cache.get(&k).map(Value::get)))
        }
        Op::Peek(k) => {
            let k = key(k);
            Answer::Found(armed!(cache.peek(&k).map(Value::get)))
        }
        Op::GetMut(k, v) => {
            let (k, v) = (key(k), value(v));
            let old = armed!(cache.get_mut(&k).map(|r| std::mem::replace(r, v)));
            Answer::Found(old.map(|old| old.get()))
        }
        Op::PeekMut(k, v) => {
            let (k, v) = (key(k), value(v));
            let old = armed!(cache.peek_mut(&k).map(|r| std::mem::replace(r, v)));
            Answer::Found(old.map(|old| old.get()))
        }
        Op::Put(k, v) => {
            let (k, v) = (key(k), value(v));
            Answer::Put(put_plain(armed!(cache.put(k, v))))
        }
        Op::PutMut(k, v) => {
            let (k, v) = (key(k), value(v));
            Answer::Put(put_plain(armed!(cache.put_mut(k, v).0)))
        }
        Op::Remove(k) => {
            let k = key(k);
            Answer::Found(armed!(cache.remove(&k)).map(|v| v.get()))
        }
        Op::GetOrInsert(k, v) => {
            let (k, v) = (key(k), value(v));
            armed!(fetched_plain(cache.get_or_insert_with(k, || v)))
        }
        Op::TryGetOrInsert(k, result) => {
            let k = key(k);
            let result = result.as_ref().map(value).map_err(|_| ());
            armed!(match cache.try_get_or_insert_with(k, || result) {
                Ok(fetched) => fetched_plain(fetched),
                Err(()) => Answer::Failed,
            })
        }
        Op::Clear => {
            armed!(cache.clear());
            Answer::Done
        }
        Op::Pop => Answer::Popped(armed!(cache.pop()).map(|(k, v)| (k.get(), v.get()))),
        Op::Resize(n) => Answer::Resized(
            armed!(cache.resize(*n))
                .into_iter()
                .map(|(k, v)| (k.get(), v.get()))
                .collect(),
        ),
        Op::Len => armed!({
            let _ = (cache.len(), cache.is_empty());
            Answer::Done
        }),
        Op::Info => armed!({
            let _ = cache.info();
            Answer::Done
        }),
        Op::PeekVictim => armed!({
            let _ = cache.peek_victim().map(|(k, v)| (k.get(), v.get()));
            Answer::Done
        }),
        Op::Entries => armed!({
            let _ = cache.entries().count();
            Answer::Done
        }),
    }
}

/// Installs, once, a panic hook that stays quiet while [`catching`] expects a panic and
/// otherwise does what the previous hook did: a real failure still prints.
fn quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !EXPECTING.get() {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, catching a panic quietly.
fn catching<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    quiet_hook();
    EXPECTING.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    EXPECTING.set(false);
    result
}

/// The text of a caught panic.
fn message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_string()
    }
}

/// The resident pairs and counters of the cache, read through `entries()` and `info()`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    /// By key: the value.
    pairs: Vec<Option<u16>>,
    len: usize,
    lookups: u64,
    capacity: Option<usize>,
}

impl State {
    fn value(&self, k: u8) -> Option<u16> {
        self.pairs[usize::from(k)]
    }

    /// The resident pairs, by key (for failure messages).
    fn resident(&self) -> Vec<(u8, u16)> {
        resident(&self.pairs)
    }
}

/// The pairs of a by-key table, by key.
fn resident(pairs: &[Option<u16>]) -> Vec<(u8, u16)> {
    (0..=u8::MAX)
        .zip(pairs)
        .filter_map(|(k, v)| Some((k, (*v)?)))
        .collect()
}

/// Runs `ops` on `make(capacity)` (keys [`Key`], values [`Value`]), each op under
/// `catch_unwind` with its trap armed, and checks after every op what the module docs
/// list. `validate` runs after every op (pass `|_| {}` for none).
///
/// # Errors
///
/// The first broken rule, as a [`Failure`] (its `history` lists each op with its trap).
///
/// ```
/// use evict_harness::hostile::{check_hostile, Kind, Trap};
/// use evict_harness::{model::Lru, Op, Settings};
///
/// let hash = Some(Trap { kind: Kind::KeyHash, nth: 0 });
/// let ops = [(Op::Put(1, 10), None), (Op::Put(2, 20), hash), (Op::Get(1), None)];
/// check_hostile(Lru::new, |_| {}, 2, &ops, Settings::default()).unwrap();
/// ```
pub fn check_hostile<C>(
    make: impl Fn(usize) -> C,
    validate: impl Fn(&C),
    capacity: usize,
    ops: &[Step],
    settings: Settings,
) -> Result<(), Failure>
where
    C: Cache<Key, Value>,
{
    let fail = |step: usize, what: &str, expected: &dyn Debug, got: &dyn Debug| {
        let end = (step + 1).min(ops.len());
        Failure {
            capacity,
            step,
            op: what.to_string(),
            expected: format!("{expected:?}"),
            got: format!("{got:?}"),
            history: format!("{:?}", &ops[..end]),
        }
    };
    disarm();
    let base = live();
    let keys = settings.keys.max(1);
    let mut cache = make(capacity);
    let mut before = read(&cache, keys, base).map_err(|(what, e, g)| fail(0, &what, &e, &g))?;
    for (step, (op, trap)) in ops.iter().enumerate() {
        let result = catching(|| run_op(&mut cache, op, *trap));
        let fired = trap.is_some() && !disarm() && result.is_err();
        let answer = match result {
            Ok(answer) => Some(answer),
            Err(payload) if fired => {
                let _ = payload;
                None
            }
            Err(payload) => {
                return Err(fail(
                    step,
                    &format!("{op:?} with {trap:?}"),
                    &"no panic: no trap fired",
                    &message(&*payload),
                ));
            }
        };
        let label = format!(
            "{op:?} with {trap:?}{}",
            if fired { " (it fired)" } else { "" }
        );
        if let Err(payload) = catching(|| validate(&cache)) {
            return Err(fail(step, &label, &"validate passes", &message(&*payload)));
        }
        let after = read(&cache, keys, base)
            .map_err(|(what, e, g)| fail(step, &format!("{what} after {label}"), &e, &g))?;
        check_step(op, answer.as_ref(), &before, &after)
            .map_err(|(what, e, g)| fail(step, &format!("{what} after {label}"), &e, &g))?;
        before = after;
    }
    drop(cache);
    if live() != base {
        let n = ops.len().saturating_sub(1);
        return Err(fail(
            n,
            "drop of the cache",
            &("keys and values alive", base),
            &live(),
        ));
    }
    Ok(())
}

/// A rule broken: what, expected, got.
type Broken = (String, String, String);

fn broken(what: &str, expected: impl Debug, got: impl Debug) -> Broken {
    (
        what.to_string(),
        format!("{expected:?}"),
        format!("{got:?}"),
    )
}

/// Reads the cache every way that changes nothing, checks that the reads agree, and
/// returns its state.
fn read<C: Cache<Key, Value>>(cache: &C, keys: u8, base: (isize, isize)) -> Result<State, Broken> {
    let read = catching(|| {
        let mut pairs = vec![None; 256];
        let mut found = 0;
        for k in 0..keys {
            if let Some(v) = cache.peek(&Key::new(k)) {
                pairs[usize::from(k)] = Some(v.get());
                found += 1;
            }
        }
        let listed: Vec<(u8, u16)> = cache.entries().map(|(k, v)| (k.get(), v.get())).collect();
        let info = cache.info();
        (pairs, found, listed, info, cache.len(), cache.capacity())
    });
    let (pairs, found, listed, info, len, capacity) = read.map_err(|payload| {
        broken(
            "a read (peek, entries, info)",
            "no panic",
            message(&*payload),
        )
    })?;
    if found != len {
        return Err(broken("len() against the keys peek finds", found, len));
    }
    let mut seen = [false; 256];
    for &(k, v) in &listed {
        if std::mem::replace(&mut seen[usize::from(k)], true) || pairs[usize::from(k)] != Some(v) {
            return Err(broken(
                "entries(): each pair once, as peek shows it",
                resident(&pairs),
                &listed,
            ));
        }
    }
    if listed.len() != len {
        return Err(broken("entries() lists len() pairs", len, listed.len()));
    }
    if capacity.is_some_and(|c| len > c) {
        return Err(broken("len() <= capacity()", capacity, len));
    }
    if info.currsize != len {
        return Err(broken("info().currsize == len()", len, info.currsize));
    }
    let alive = live();
    let want = (base.0 + len as isize, base.1 + len as isize);
    if alive != want {
        return Err(broken(
            "keys and values alive (made or cloned, not dropped) == len(): none lost undropped",
            want,
            alive,
        ));
    }
    Ok(State {
        pairs,
        len,
        lookups: info.hits + info.misses,
        capacity,
    })
}

/// Checks an op's answer (`None` if its trap fired) against the state before and after.
fn check_step(
    op: &Op<u8, u16>,
    answer: Option<&Answer>,
    before: &State,
    after: &State,
) -> Result<(), Broken> {
    let counts = matches!(
        op,
        Op::Get(_) | Op::GetMut(..) | Op::GetOrInsert(..) | Op::TryGetOrInsert(..)
    );
    if let Op::Clear = op {
        // Even a `clear` whose `Drop` panicked empties the cache and resets the counters.
        if after.len != 0 || after.lookups != 0 {
            return Err(broken(
                "clear empties and resets",
                (0, 0),
                (after.len, after.lookups),
            ));
        }
        return Ok(());
    }
    let counted = after.lookups.wrapping_sub(before.lookups);
    let Some(answer) = answer else {
        // The op panicked: it may or may not have counted its lookup, and nothing else.
        if counted > u64::from(counts) {
            return Err(broken(
                "lookups counted by a panicking op",
                "at most its own",
                counted,
            ));
        }
        return Ok(());
    };
    if counted != u64::from(counts) {
        return Err(broken(
            "lookups counted (hits + misses)",
            u64::from(counts),
            counted,
        ));
    }
    if !matches!(op, Op::Resize(_)) && after.capacity != before.capacity {
        return Err(broken(
            "capacity() changes only through resize",
            before.capacity,
            after.capacity,
        ));
    }
    let expect_found = |k: u8, got: &Option<u16>| -> Result<(), Broken> {
        if *got != before.value(k) {
            return Err(broken("the value the cache held", before.value(k), got));
        }
        Ok(())
    };
    let check_put = |k: u8, v: u16, put: &Put<u8, u16>| -> Result<(), Broken> {
        let ok = match put {
            Put::Replaced(old) => before.value(k) == Some(*old) && after.value(k) == Some(v),
            Put::Inserted => {
                before.value(k).is_none()
                    && after.value(k) == Some(v)
                    && before.capacity.is_none_or(|c| before.len < c)
                    && after.len == before.len + 1
            }
            Put::Evicted(ek, ev) => {
                before.value(k).is_none()
                    && before.value(*ek) == Some(*ev)
                    && after.value(*ek).is_none()
                    && after.value(k) == Some(v)
                    && after.len == before.len
            }
            Put::Rejected(rk, rv) => *rk == k && *rv == v && after.pairs == before.pairs,
        };
        if ok {
            Ok(())
        } else {
            Err(broken(
                "put reports exactly what left",
                (before.resident(), k, v),
                (put, after.resident()),
            ))
        }
    };
    match (op, answer) {
        (
            Op::Get(k) | Op::Peek(k) | Op::GetMut(k, _) | Op::PeekMut(k, _) | Op::Remove(k),
            Answer::Found(got),
        ) => expect_found(*k, got),
        (Op::Put(k, v) | Op::PutMut(k, v) | Op::GetOrInsert(k, v), Answer::Put(put)) => {
            check_put(*k, *v, put)
        }
        (Op::TryGetOrInsert(k, Ok(v)), Answer::Put(put)) => check_put(*k, *v, put),
        (Op::GetOrInsert(k, _) | Op::TryGetOrInsert(k, _), Answer::Hit(v)) => {
            expect_found(*k, &Some(*v))
        }
        (Op::TryGetOrInsert(k, Err(())), Answer::Failed) => {
            if before.value(*k).is_some() || after.pairs != before.pairs {
                return Err(broken(
                    "an Err inserts nothing, on a miss",
                    before.resident(),
                    after.resident(),
                ));
            }
            Ok(())
        }
        (Op::Pop, Answer::Popped(popped)) => match popped {
            Some((k, v)) if before.value(*k) == Some(*v) && after.value(*k).is_none() => Ok(()),
            None if before.len == 0 || before.capacity.is_none() => Ok(()),
            _ => Err(broken(
                "pop takes a resident pair",
                before.resident(),
                popped,
            )),
        },
        (Op::Resize(_), Answer::Resized(out)) => {
            let ok = out
                .iter()
                .all(|&(k, v)| before.value(k) == Some(v) && after.value(k).is_none())
                && after.len + out.len() == before.len;
            if ok {
                Ok(())
            } else {
                Err(broken(
                    "resize returns resident pairs, each gone",
                    before.resident(),
                    out,
                ))
            }
        }
        (_, Answer::Done) => Ok(()),
        (op, answer) => Err(broken("an answer of the op's kind", op, answer)),
    }
}

/// Stamps out the hostile-mode test for a policy, in a module named `$name`: one test,
/// `hostile`, that runs [`check_hostile`] on generated scenarios ([`scenario`]).
///
/// Arguments, in this order: the module name; a constructor from capacity
/// (`|cap| MyCache::new(cap)`); optionally `validate = |c: &MyCache<_, _>| c.check_invariants()`
/// (the key and value types are [`Key`] and [`Value`]: write `_` or name them) and
/// `settings = Settings { .. }`. The cache must implement `Cache<Key, Value>`, so its key
/// bound is `Hash + Eq` (and `Clone` if it needs it), nothing more.
///
/// ```
/// // In a policy crate's `src/lib.rs` (the test expands under `#[cfg(test)]`):
/// evict_harness::hostile!(lru_model_hostile, |cap| evict_harness::model::Lru::new(cap));
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! hostile {
    (
        $name:ident, $make:expr
        $(, validate = $validate:expr)?
        $(, settings = $settings:expr)?
        $(,)?
    ) => {
        #[cfg(test)]
        #[allow(unused_imports, unreachable_pub)]
        mod $name {
            use super::*;
            use $crate::__proptest::prelude::*;

            fn settings() -> $crate::Settings {
                #[allow(unused_mut)]
                let mut s = $crate::Settings::default();
                $( s = $settings; )?
                s
            }

            $crate::__proptest::proptest! {
                #[test]
                fn hostile((capacity, ops) in $crate::hostile::scenario(settings())) {
                    let validate = $crate::__validator!($($validate)?);
                    if let Err(failure) = $crate::hostile::check_hostile(
                        $make, validate, capacity, &ops, settings()) {
                        return Err($crate::__fail(failure));
                    }
                }
            }
        }
    };
}
