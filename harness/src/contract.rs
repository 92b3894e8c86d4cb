//! [`check_contract`]: the rules every policy keeps, whatever it chooses to evict.

use crate::{
    Cache, CacheInfo, Failure, Fetch, Key, Label, Op, Outcome, Put, Run, Settings, Value, cloned,
    comparable, entries,
};

/// The contract every policy keeps, whatever it chooses to evict: runs `ops` on
/// `make(capacity)` and checks each rule of `Cache`'s "Implementing `Cache`" section.
///
/// Since a `put` must report exactly what left the cache and nothing else may leave, the
/// check knows the exact set of resident keys and values after every step from the
/// reports alone, and compares every answer with it. After every step it reads the cache
/// every way it can be read without changing it (`peek`, `contains` and `peek_mut` of every
/// key, `len`, `is_empty`, `info`, `capacity`, `entries`, `peek_victim`) and checks each
/// answer:
///
/// - **size** (rule 1): `len() <= capacity()`; `capacity()` is the one `make` was given and
///   changes only through `resize`;
/// - **statistics** (2): hits and misses count exactly the `get`, `get_mut`,
///   `get_or_insert_with` and `try_get_or_insert_with` calls since the last `clear`, and
///   `info()` says so;
/// - **lookups** (3): `get`, `peek`, `get_mut` and `peek_mut` return the latest value put
///   (or written through a `_mut` reference), and `None` for an absent key;
/// - **reads are invisible** (4): a twin cache runs the same ops without any of these reads
///   and must give the same answer to every op (and list the same entries at the end);
/// - **`put` reports exactly what left** (5): `Inserted` only below capacity, `Evicted` a
///   pair that was resident, `Rejected` the pair passed in; `put_mut` the same, and its
///   reference shows the value put (`None` iff `Rejected`); `get_or_insert_with` on a hit
///   returns `Hit(the cached value)` without calling the closure, and on a miss calls it
///   exactly once and reports as `put` does (`try_`: an `Err` inserts nothing);
/// - **`remove`** (6), **capacity 0** (7), **`clear`** (8), **only those ops remove** (9);
/// - **`pop` is the next eviction** (10): `peek_victim()` shows a resident pair (`None` only
///   when empty, and always for a cache without a capacity) and `pop` returns exactly what
///   it showed just before;
/// - **`resize`** (11): sets `capacity()` to the new capacity (the op generator draws small
///   ones, which no policy clamps), returns exactly `len - capacity` resident pairs, each
///   once, when shrinking and nothing when growing, and leaves `len() <= capacity`; a cache
///   without a capacity returns nothing and stays so (which pairs, in which order, is for
///   the model to say: the victim may depend on the capacity);
/// - **`entries`** (12): lists the resident pairs, each once, `len()` of them.
///
/// Entries order is the model's business ([`check_against`](crate::check_against)); for a
/// cache without a capacity, the twin's entries are compared with the cache's as a set.
/// `validate` runs after every step on both caches (pass `|_| {}` for none).
///
/// The cache must be deterministic: two caches made by `make(capacity)` given the same ops
/// answer the same.
///
/// # Errors
///
/// The first broken rule, as a [`Failure`].
///
/// ```
/// use evict_harness::{check_contract, model::Lru, Op, Settings};
///
/// let ops = [Op::Put(1, 10), Op::Get(1), Op::GetOrInsert(2, 20), Op::Resize(1), Op::Pop];
/// check_contract(Lru::new, |_| {}, 2, &ops, Settings::default()).unwrap();
/// ```
pub fn check_contract<C>(
    make: impl Fn(usize) -> C,
    validate: impl Fn(&C),
    capacity: usize,
    ops: &[Op<Key, Value>],
    settings: Settings,
) -> Result<(), Failure>
where
    C: Cache<Key, Value>,
{
    let run = Run { capacity, ops };
    let mut cache = make(capacity);
    let mut twin = make(capacity);
    let bound = cache.capacity();
    if bound.is_some_and(|b| b != capacity) {
        return Err(run.fail(
            0,
            Label("capacity() of a new cache".into()),
            Some(capacity),
            bound,
        ));
    }
    let mut expect = Expect {
        run,
        resident: vec![None; 256],
        hits: 0,
        misses: 0,
        bound,
        victim: None,
        keys: settings.keys.max(1),
    };
    expect.check_state(0, &Label("the new cache, before any op".into()), &mut cache)?;
    let ordered = bound.is_some();

    for (step, op) in ops.iter().enumerate() {
        let got = crate::apply(&mut cache, op);
        // The twin is never read: it must answer as the cache that is read after every step.
        let twin_got = crate::apply(&mut twin, op);
        if comparable(got.clone(), ordered) != comparable(twin_got.clone(), ordered) {
            return Err(expect.run.fail(
                step,
                op,
                (
                    "the answer of a twin that was never read (reads are invisible)",
                    twin_got,
                ),
                got,
            ));
        }
        expect.check_op(step, op, got)?;
        expect.check_state(step, op, &mut cache)?;
        validate(&cache);
        validate(&twin);
    }
    let (mut got, mut want) = (entries(&cache), entries(&twin));
    if !ordered {
        got.sort_unstable();
        want.sort_unstable();
    }
    if got != want || cache.info() != twin.info() {
        return Err(expect.run.fail(
            ops.len().saturating_sub(1),
            Label("entries() and info() after the last op".into()),
            ("the twin's (reads are invisible)", want, twin.info()),
            (got, cache.info()),
        ));
    }
    Ok(())
}

/// What the contract implies about the cache, from the ops and their answers alone.
struct Expect<'a> {
    run: Run<'a>,
    /// The resident value of every key (`Key` is a `u8`).
    resident: Vec<Option<Value>>,
    hits: u64,
    misses: u64,
    /// `capacity()`: the one `make` was given, or the last `resize`.
    bound: Option<usize>,
    /// What `peek_victim` showed after the last step.
    victim: Option<(Key, Value)>,
    /// Keys are drawn from `0..keys`.
    keys: Key,
}

impl Expect<'_> {
    fn len(&self) -> usize {
        self.resident.iter().flatten().count()
    }

    fn count(&mut self, hit: bool) {
        if hit {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
    }

    fn info(&self) -> CacheInfo {
        CacheInfo {
            hits: self.hits,
            misses: self.misses,
            maxsize: self.bound,
            currsize: self.len(),
        }
    }

    /// The resident pairs, by key.
    fn resident_pairs(&self) -> Vec<(Key, Value)> {
        (0..=Key::MAX)
            .filter_map(|k| self.resident[usize::from(k)].map(|v| (k, v)))
            .collect()
    }

    /// Checks that `list` holds exactly the resident pairs, each once.
    fn check_entries(
        &self,
        step: usize,
        op: impl std::fmt::Debug,
        list: &[(Key, Value)],
    ) -> Result<(), Failure> {
        let mut seen = [false; 256];
        let exact = list.len() == self.len()
            && list.iter().all(|&(k, v)| {
                let first = !std::mem::replace(&mut seen[usize::from(k)], true);
                first && self.resident[usize::from(k)] == Some(v)
            });
        if exact {
            return Ok(());
        }
        Err(self.run.fail(
            step,
            op,
            (
                "the resident pairs, each once, in any order",
                self.resident_pairs(),
            ),
            list,
        ))
    }

    /// A `put(k, v)` (or `put_mut`, or a `get_or_insert_with` miss) reported `put`: checks it
    /// against rule 5 and updates the resident set.
    fn check_put(
        &mut self,
        step: usize,
        op: &Op<Key, Value>,
        (k, v): (Key, Value),
        put: &Put<Key, Value>,
    ) -> Result<(), Failure> {
        let was = self.resident[usize::from(k)];
        match (put, was) {
            (Put::Replaced(old), Some(prev)) if *old == prev => {}
            (Put::Inserted, None) if self.bound != Some(0) => {}
            (Put::Evicted(ek, ev), None)
                if *ek != k
                    && self.resident[usize::from(*ek)] == Some(*ev)
                    && self.bound != Some(0) =>
            {
                self.resident[usize::from(*ek)] = None;
            }
            (Put::Rejected(rk, rv), None) if *rk == k && *rv == v => {}
            _ => {
                let expected = match was {
                    Some(prev) => format!("Replaced({prev})"),
                    None if self.bound == Some(0) => format!("Rejected({k}, {v}) (capacity 0)"),
                    None => {
                        "Inserted, Evicted(a resident pair) or Rejected(the new pair)".to_string()
                    }
                };
                return Err(self.run.fail(step, op, expected, put));
            }
        }
        if put.is_kept() {
            self.resident[usize::from(k)] = Some(v);
        }
        if let Some(b) = self.bound
            && was.is_none()
            && matches!(put, Put::Inserted)
            && self.len() > b
        {
            return Err(self
                .run
                .fail(step, op, ("Evicted (cache was full)", b), put));
        }
        Ok(())
    }

    /// A `get_or_insert_with(k, || f)` (or `try_`) returned `result` after `calls` calls.
    fn check_fetch(
        &mut self,
        step: usize,
        op: &Op<Key, Value>,
        (k, f): (Key, Result<Value, ()>),
        result: &Result<Fetch<Key, Value>, ()>,
        calls: usize,
    ) -> Result<(), Failure> {
        let was = self.resident[usize::from(k)];
        self.count(was.is_some());
        if let Some(cached) = was {
            if calls != 0 {
                return Err(self
                    .run
                    .fail(step, op, ("closure calls on a hit", 0), calls));
            }
            let want: Result<Fetch<Key, Value>, ()> = Ok(Fetch::Hit(cached));
            if *result != want {
                return Err(self.run.fail(step, op, want, result));
            }
            return Ok(());
        }
        if calls != 1 {
            return Err(self
                .run
                .fail(step, op, ("closure calls on a miss", 1), calls));
        }
        let (v, fetch) = match (f, result) {
            (Err(()), Err(())) => return Ok(()), // nothing inserted: the next state check says
            (Ok(v), Ok(fetch)) => (v, fetch),
            (f, _) => {
                let want = (
                    "a miss: the closure's Err, or Ok(Inserted, Evicted, Rejected)",
                    f,
                );
                return Err(self.run.fail(step, op, want, result));
            }
        };
        let (put, stored) = match fetch {
            Fetch::Hit(_) => {
                let want = "a miss: Inserted, Evicted or Rejected, not Hit";
                return Err(self.run.fail(step, op, want, result));
            }
            Fetch::Inserted(s) => (Put::Inserted, Some(*s)),
            Fetch::Evicted(s, ek, ev) => (Put::Evicted(*ek, *ev), Some(*s)),
            Fetch::Rejected(rk, rv) => (Put::Rejected(*rk, *rv), None),
        };
        self.check_put(step, op, (k, v), &put)?;
        if stored.is_some_and(|s| s != v) {
            return Err(self.run.fail(step, op, ("the stored value", v), result));
        }
        Ok(())
    }

    /// Checks the answer `got` of `op` and updates what is expected of the cache.
    fn check_op(
        &mut self,
        step: usize,
        op: &Op<Key, Value>,
        got: Outcome<Key, Value>,
    ) -> Result<(), Failure> {
        match (op, got) {
            (Op::Get(k) | Op::Peek(k), Outcome::Found(v)) => {
                let want = self.resident[usize::from(*k)];
                if v != want {
                    return Err(self.run.fail(step, op, want, v));
                }
                if matches!(op, Op::Get(_)) {
                    self.count(v.is_some());
                }
            }
            (Op::GetMut(k, new) | Op::PeekMut(k, new), Outcome::Found(v)) => {
                let slot = &mut self.resident[usize::from(*k)];
                let want = *slot;
                if v != want {
                    return Err(self.run.fail(step, op, want, v));
                }
                if slot.is_some() {
                    *slot = Some(*new);
                }
                if matches!(op, Op::GetMut(..)) {
                    self.count(v.is_some());
                }
            }
            (Op::Put(k, v), Outcome::Put(put)) => self.check_put(step, op, (*k, *v), &put)?,
            (Op::PutMut(k, v), Outcome::PutMut(put, stored)) => {
                self.check_put(step, op, (*k, *v), &put)?;
                let want = put.is_kept().then_some(*v);
                if stored != want {
                    let want = ("put_mut's reference to the stored value", want);
                    return Err(self.run.fail(step, op, want, (put, stored)));
                }
            }
            (Op::GetOrInsert(k, v), Outcome::Fetched(result, calls)) => {
                self.check_fetch(step, op, (*k, Ok(*v)), &result, calls)?;
            }
            (Op::TryGetOrInsert(k, f), Outcome::Fetched(result, calls)) => {
                self.check_fetch(step, op, (*k, *f), &result, calls)?;
            }
            (Op::Remove(k), Outcome::Removed(v)) => {
                let want = self.resident[usize::from(*k)].take();
                if v != want {
                    return Err(self.run.fail(step, op, want, v));
                }
            }
            (Op::Clear, _) => {
                self.resident.iter_mut().for_each(|v| *v = None);
                self.hits = 0;
                self.misses = 0;
            }
            (Op::Len, Outcome::Len(n)) => {
                if n != self.len() {
                    return Err(self.run.fail(step, op, self.len(), n));
                }
            }
            (Op::Info, Outcome::Info(info)) => {
                if info != self.info() {
                    return Err(self.run.fail(step, op, self.info(), info));
                }
            }
            (Op::Pop, Outcome::Popped(popped)) => {
                if popped != self.victim {
                    let want = ("what peek_victim() showed just before", self.victim);
                    return Err(self.run.fail(step, op, want, popped));
                }
                if let Some((k, _)) = popped {
                    self.resident[usize::from(k)] = None;
                }
            }
            (Op::PeekVictim, Outcome::Victim(victim)) => {
                if victim != self.victim {
                    let want = ("what peek_victim() showed just before", self.victim);
                    return Err(self.run.fail(step, op, want, victim));
                }
            }
            (Op::Resize(n), Outcome::Resized(pairs)) => self.check_resize(step, op, *n, &pairs)?,
            (Op::Entries, Outcome::Entries(list)) => self.check_entries(step, op, &list)?,
            (op, got) => unreachable!("apply({op:?}) returned {got:?}"),
        }
        Ok(())
    }

    /// `resize(n)` returned `pairs`.
    fn check_resize(
        &mut self,
        step: usize,
        op: &Op<Key, Value>,
        n: usize,
        pairs: &[(Key, Value)],
    ) -> Result<(), Failure> {
        if self.bound.is_none() {
            if !pairs.is_empty() {
                let want = "nothing (a cache without a capacity has none to change)";
                return Err(self.run.fail(step, op, want, pairs));
            }
            return Ok(());
        }
        let len = self.len();
        let want = len.saturating_sub(n);
        if pairs.len() != want {
            let want = format!("{want} pairs out (len {len}, new capacity {n})");
            return Err(self.run.fail(step, op, want, pairs));
        }
        // Which pairs, in which order, is the model's business: the victim may depend on the
        // capacity (S3-FIFO's small queue target), so even the first pair need not be what
        // `peek_victim` showed before the resize.
        for &(k, v) in pairs {
            if self.resident[usize::from(k)] != Some(v) {
                let want = ("resident pairs, each once", self.resident_pairs());
                return Err(self.run.fail(step, op, want, pairs));
            }
            self.resident[usize::from(k)] = None;
        }
        self.bound = Some(n);
        Ok(())
    }

    /// Reads `cache` every way that changes nothing, checks every answer against the
    /// expected state, and remembers what `peek_victim` shows.
    fn check_state<C: Cache<Key, Value>>(
        &mut self,
        step: usize,
        op: &dyn std::fmt::Debug,
        cache: &mut C,
    ) -> Result<(), Failure> {
        let len = self.len();
        let run = &self.run;
        if cache.capacity() != self.bound {
            let want = ("capacity(), changed only by resize", self.bound);
            return Err(run.fail(step, op, want, cache.capacity()));
        }
        if let Some(b) = self.bound
            && cache.len() > b
        {
            return Err(run.fail(step, op, ("len() <= capacity", b), cache.len()));
        }
        if cache.len() != len {
            return Err(run.fail(step, op, ("len() = entries reported in", len), cache.len()));
        }
        if cache.is_empty() != (len == 0) {
            return Err(run.fail(step, op, ("is_empty()", len == 0), cache.is_empty()));
        }
        if cache.info() != self.info() {
            return Err(run.fail(step, op, self.info(), cache.info()));
        }
        for k in 0..self.keys {
            let want = self.resident[usize::from(k)];
            if cache.peek(&k).copied() != want {
                return Err(run.fail(step, op, (format!("peek({k})"), want), cache.peek(&k)));
            }
            if cache.contains(&k) != want.is_some() {
                let want = (format!("contains({k})"), want.is_some());
                return Err(run.fail(step, op, want, cache.contains(&k)));
            }
            let got = cache.peek_mut(&k).map(|v| *v);
            if got != want {
                return Err(run.fail(step, op, (format!("peek_mut({k})"), want), got));
            }
        }
        let label = Label(format!("{op:?}, then entries()"));
        self.check_entries(step, label, &entries(cache))?;
        let victim = cloned(cache.peek_victim());
        let valid = match (self.bound, victim) {
            (None, None) => true,
            (None, Some(_)) => false,
            (Some(_), None) => len == 0,
            (Some(_), Some((k, v))) => self.resident[usize::from(k)] == Some(v),
        };
        if !valid {
            let want = match self.bound {
                None => "peek_victim() None (a cache without a capacity never evicts)",
                Some(_) if len == 0 => "peek_victim() None (empty)",
                Some(_) => "peek_victim() a resident pair",
            };
            return Err(run.fail(step, op, want, victim));
        }
        self.victim = victim;
        Ok(())
    }
}
