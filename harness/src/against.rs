//! [`check_against`]: op-by-op equality with a reference model.

use crate::{Cache, Failure, Key, Label, Op, Run, Settings, Value, cloned, comparable, entries};

/// Op-by-op equality with a reference model: runs `ops` on `make(capacity)` and on
/// `model(capacity)` and compares every answer (every eviction, every `pop`, `resize` and
/// `get_or_insert_with` result, every `entries()` list in its order), then, after every
/// step, `info()`, the resident keys and values (by `peek` over the key space), the whole
/// `entries()` list, in order, and `peek_victim()`. `validate` runs on the cache after every
/// step.
///
/// A model's `entries()` must therefore list in the policy's documented iteration order.
/// The one exception: when the model has no capacity (`capacity()` is `None`, as
/// [`model::Unbounded`](crate::model::Unbounded)), the cache never evicts and has no order
/// to follow, so entries are compared as a set (the real unbounded cache lists in hash
/// order).
///
/// # Errors
///
/// The first step where the cache and the model differ, as a [`Failure`].
///
/// ```
/// use evict_harness::{check_against, model, Op, Settings};
///
/// let ops = [Op::Put(1, 10), Op::Put(2, 20), Op::Get(1), Op::Put(3, 30), Op::Entries];
/// // A model checked against itself agrees, of course; a real test passes a policy.
/// check_against(model::Lru::new, model::Lru::new, |_| {}, 2, &ops, Settings::default()).unwrap();
/// ```
pub fn check_against<C, M>(
    make: impl Fn(usize) -> C,
    model: impl Fn(usize) -> M,
    validate: impl Fn(&C),
    capacity: usize,
    ops: &[Op<Key, Value>],
    settings: Settings,
) -> Result<(), Failure>
where
    C: Cache<Key, Value>,
    M: Cache<Key, Value>,
{
    let run = Run { capacity, ops };
    let mut cache = make(capacity);
    let mut model = model(capacity);
    if cache.capacity() != model.capacity() {
        return Err(run.fail(
            0,
            Label("capacity()".into()),
            model.capacity(),
            cache.capacity(),
        ));
    }
    let ordered = model.capacity().is_some();
    for (step, op) in ops.iter().enumerate() {
        let want = comparable(crate::apply(&mut model, op), ordered);
        let got = comparable(crate::apply(&mut cache, op), ordered);
        if got != want {
            return Err(run.fail(step, op, want, got));
        }
        let after = |what: &str| Label(format!("{what} after {op:?}"));
        if cache.info() != model.info() {
            return Err(run.fail(step, after("info()"), model.info(), cache.info()));
        }
        for k in 0..settings.keys.max(1) {
            if cache.peek(&k) != model.peek(&k) {
                let what = after(&format!("peek({k})"));
                return Err(run.fail(step, what, model.peek(&k), cache.peek(&k)));
            }
        }
        let (mut got, mut want) = (entries(&cache), entries(&model));
        if !ordered {
            got.sort_unstable();
            want.sort_unstable();
        }
        if got != want {
            return Err(run.fail(step, after("entries()"), want, got));
        }
        let (got, want) = (cloned(cache.peek_victim()), cloned(model.peek_victim()));
        if got != want {
            return Err(run.fail(step, after("peek_victim()"), want, got));
        }
        validate(&cache);
    }
    Ok(())
}
