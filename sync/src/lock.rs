//! The locks, in one place, so that the model checker (`--cfg evict_shuttle`, see
//! `tests/shuttle.rs`) can replace every one of them with its own and explore the
//! interleavings of the whole cache, single-flight included.
//!
//! Normal builds use std's `RwLock` for the shards and `parking_lot`'s `Mutex` and `Condvar`
//! for the loads in flight. The shard lock is on every hit's path: std's (a futex word on
//! Linux) takes and releases a read lock with one compare-exchange and one atomic add, as
//! `parking_lot`'s does, in fewer instructions around them (measured with callgrind, one
//! thread, a hit on a 10k-key S3-FIFO cache: 112 instructions with `parking_lot`, 108 with
//! std). Poisoning is ignored (`into_inner`): a panic in user code while a lock is held, in
//! a key's `Hash` or a value's `Clone`, must not leave the shard unusable, as with
//! `parking_lot`, which does not poison.

#[cfg(not(evict_shuttle))]
mod imp {
    pub(crate) use parking_lot::{Condvar, Mutex, MutexGuard};
    pub(crate) use std::sync::{Arc, RwLock};
    use std::sync::{PoisonError, RwLockReadGuard, RwLockWriteGuard, TryLockError};
    pub(crate) use std::thread::ThreadId;

    pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock()
    }
    pub(crate) type ReadGuard<'a, T> = RwLockReadGuard<'a, T>;

    #[inline(always)]
    pub(crate) fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
        l.read().unwrap_or_else(PoisonError::into_inner)
    }
    /// The read lock if it can be had without waiting (no call on this path).
    #[inline(always)]
    pub(crate) fn try_read<T>(l: &RwLock<T>) -> Option<RwLockReadGuard<'_, T>> {
        match l.try_read() {
            Ok(g) => Some(g),
            Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }
    pub(crate) fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
        l.write().unwrap_or_else(PoisonError::into_inner)
    }
    pub(crate) fn wait<'a, T>(cv: &Condvar, mut g: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        cv.wait(&mut g);
        g
    }
    pub(crate) fn get_mut<T>(l: &mut RwLock<T>) -> &mut T {
        l.get_mut().unwrap_or_else(PoisonError::into_inner)
    }
    pub(crate) fn try_write<T>(l: &RwLock<T>) -> Option<RwLockWriteGuard<'_, T>> {
        match l.try_write() {
            Ok(g) => Some(g),
            Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }
    pub(crate) fn current() -> ThreadId {
        std::thread::current().id()
    }
    pub(crate) fn try_lock<T>(m: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
        m.try_lock()
    }
    pub(crate) fn get_mut_mutex<T>(m: &mut Mutex<T>) -> &mut T {
        m.get_mut()
    }
}

#[cfg(evict_shuttle)]
mod imp {
    pub(crate) use shuttle::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
    pub(crate) use shuttle::thread::ThreadId;

    // Nothing can poison a lock here that the normal build would not survive: the model's
    // tests do not panic while holding one, so `unwrap` states that.
    pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap()
    }
    pub(crate) type ReadGuard<'a, T> = shuttle::sync::RwLockReadGuard<'a, T>;

    pub(crate) fn read<T>(l: &RwLock<T>) -> shuttle::sync::RwLockReadGuard<'_, T> {
        l.read().unwrap()
    }
    pub(crate) fn try_read<T>(l: &RwLock<T>) -> Option<shuttle::sync::RwLockReadGuard<'_, T>> {
        l.try_read().ok()
    }
    pub(crate) fn write<T>(l: &RwLock<T>) -> shuttle::sync::RwLockWriteGuard<'_, T> {
        l.write().unwrap()
    }
    pub(crate) fn wait<'a, T>(cv: &Condvar, g: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        cv.wait(g).unwrap()
    }
    pub(crate) fn get_mut<T>(l: &mut RwLock<T>) -> &mut T {
        l.get_mut().unwrap()
    }
    pub(crate) fn try_write<T>(l: &RwLock<T>) -> Option<shuttle::sync::RwLockWriteGuard<'_, T>> {
        l.try_write().ok()
    }
    pub(crate) fn current() -> ThreadId {
        shuttle::thread::current().id()
    }
    pub(crate) fn try_lock<T>(m: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
        m.try_lock().ok()
    }
    pub(crate) fn get_mut_mutex<T>(m: &mut Mutex<T>) -> &mut T {
        m.get_mut().unwrap()
    }
}

pub(crate) use imp::*;
