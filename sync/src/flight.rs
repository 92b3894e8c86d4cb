//! Single-flight loading: one loader per missing key, the other callers wait for its value.
//!
//! The protocol (the cache's `load` drives it; `tests/shuttle.rs` model-checks it):
//! 1. A caller that misses takes its shard's in-flight table lock and, holding it, looks the
//!    key up in the cache once more. The loader stores its value in the cache *before* it
//!    unregisters, so under that lock the caller sees either the value or the flight.
//! 2. No flight: the caller registers one and becomes the loader. It runs the user's
//!    function with no lock held, stores the value, unregisters the flight, then publishes
//!    the value to the flight's waiters.
//! 3. A flight: the caller waits on it, unless waiting would close a cycle of threads waiting
//!    on each other's loads (its own key from inside its own loader, or two loaders that ask
//!    for each other's key): then it runs its own function, as a plain call would.
//! 4. A loader that fails (panics or returns `Err`) unregisters the flight and marks it
//!    abandoned, from a drop guard; each waiter then starts again at 1, so one of them
//!    becomes the next loader. Nothing is cached and nothing stays locked.

use std::collections::HashMap;

use crate::lock::{self, Arc, Condvar, Mutex, ThreadId};

/// One load in progress: the loader's thread, and the value once published.
#[derive(Debug)]
pub(crate) struct Flight<V> {
    pub(crate) loader: ThreadId,
    state: Mutex<State<V>>,
    done: Condvar,
}

#[derive(Debug)]
enum State<V> {
    Loading,
    Done(V),
    Abandoned,
}

impl<V: Clone> Flight<V> {
    pub(crate) fn new() -> Self {
        Self {
            loader: lock::current(),
            state: Mutex::new(State::Loading),
            done: Condvar::new(),
        }
    }

    /// Blocks until the loader publishes or abandons: `Some(value)` or `None`.
    pub(crate) fn wait(&self) -> Option<V> {
        let mut state = lock::lock(&self.state);
        loop {
            match &*state {
                State::Loading => state = lock::wait(&self.done, state),
                State::Done(v) => return Some(v.clone()),
                State::Abandoned => return None,
            }
        }
    }

    /// Ends the flight: `Some(value)` for the waiters, or `None` (abandoned).
    pub(crate) fn finish(&self, value: Option<V>) {
        let mut state = lock::lock(&self.state);
        *state = match value {
            Some(v) => State::Done(v),
            None => State::Abandoned,
        };
        drop(state);
        self.done.notify_all();
    }
}

/// Which thread waits on which loader's thread: the edges of the wait-for graph, to refuse a
/// wait that would close a cycle (a deadlock) before it starts.
#[derive(Debug, Default)]
pub(crate) struct WaitsFor {
    edges: Mutex<HashMap<ThreadId, ThreadId>>,
}

impl WaitsFor {
    /// Records that this thread is about to wait for `loader`, unless that closes a cycle:
    /// `false` then, and nothing is recorded.
    pub(crate) fn enter(&self, loader: ThreadId) -> bool {
        let me = lock::current();
        let mut edges = lock::lock(&self.edges);
        let mut at = loader;
        // Each thread waits on at most one flight, so the walk follows a simple path and
        // ends within `edges.len()` steps.
        for _ in 0..=edges.len() {
            if at == me {
                return false;
            }
            match edges.get(&at) {
                Some(&next) => at = next,
                None => break,
            }
        }
        edges.insert(me, loader);
        true
    }

    /// This thread no longer waits.
    pub(crate) fn leave(&self) {
        lock::lock(&self.edges).remove(&lock::current());
    }
}

/// Shared ownership of a flight between its table entry, its loader and its waiters.
pub(crate) type FlightRef<V> = Arc<Flight<V>>;
