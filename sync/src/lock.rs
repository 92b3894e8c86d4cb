//! The locks, in one place, so that the model checker (`--cfg evict_shuttle`, see
//! `tests/shuttle.rs`) can replace every one of them with its own and explore the
//! interleavings of the whole cache, single-flight included.
//!
//! Normal builds use `parking_lot`'s `RwLock` for the shards and its `Mutex` and `Condvar`
//! for the loads in flight. std's `RwLock` takes a read lock in fewer instructions (104
//! against 110 per hit on one thread, callgrind, 10k-key S3-FIFO cache) but was tried
//! and dropped: its readers retry a lost compare-exchange at once where `parking_lot`'s back
//! off, and in one quiet run of the threads benchmark (2026-12-06) one hot key read by 2-8
//! threads fell to 0.55-0.84x quick_cache::sync with std's lock against 0.94-1.21x with
//! `parking_lot`'s, and the 90/10 Zipf mix at 8 threads to 0.37x of its 2-thread figure.
//! `parking_lot` does not poison: a panic in user code while a lock is held, in a key's
//! `Hash` or a value's `Clone`, leaves the shard usable.

#[cfg(not(evict_shuttle))]
mod imp {
    pub(crate) use parking_lot::{Condvar, Mutex, MutexGuard, RwLock};
    pub(crate) use std::sync::Arc;
    pub(crate) use std::thread::ThreadId;

    pub(crate) type ReadGuard<'a, T> = parking_lot::RwLockReadGuard<'a, T>;

    pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock()
    }
    #[inline(always)]
    pub(crate) fn read<T>(l: &RwLock<T>) -> ReadGuard<'_, T> {
        l.read()
    }
    /// The read lock, always `Some` here: `parking_lot`'s `read` has its uncontended path
    /// inline and its waiting path out of line already, and its `try_read` cost 5 more
    /// instructions per hit (measured). The model checker's lock below can answer `None`.
    #[inline(always)]
    pub(crate) fn try_read<T>(l: &RwLock<T>) -> Option<ReadGuard<'_, T>> {
        Some(l.read())
    }
    pub(crate) fn write<T>(l: &RwLock<T>) -> parking_lot::RwLockWriteGuard<'_, T> {
        l.write()
    }
    pub(crate) fn wait<'a, T>(cv: &Condvar, mut g: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        cv.wait(&mut g);
        g
    }
    pub(crate) fn get_mut<T>(l: &mut RwLock<T>) -> &mut T {
        l.get_mut()
    }
    pub(crate) fn try_write<T>(l: &RwLock<T>) -> Option<parking_lot::RwLockWriteGuard<'_, T>> {
        l.try_write()
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
