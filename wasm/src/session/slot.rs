//! [`Slot`]: a one-shot value a future waits for, filled by the session when the cluster
//! produces it (a produce outcome, a time reached).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct SlotState<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

/// A one-shot value a future waits for. Clones share the value; awaiting takes it.
pub struct Slot<T>(Rc<RefCell<SlotState<T>>>);

impl<T> std::fmt::Debug for Slot<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let filled = self.0.try_borrow().map(|s| s.value.is_some()).ok();
        f.debug_struct("Slot").field("filled", &filled).finish()
    }
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Slot<T> {
    /// An empty slot.
    pub fn new() -> Self {
        Self(Rc::new(RefCell::new(SlotState {
            value: None,
            waker: None,
        })))
    }

    /// Takes the value if the slot is filled (for a caller that knows it was answered within
    /// the command that asked).
    pub fn try_take(&self) -> Option<T> {
        self.0.borrow_mut().value.take()
    }

    /// Fills the slot and wakes its waiter.
    pub fn fill(&self, value: T) {
        let waker = {
            let mut state = self.0.borrow_mut();
            state.value = Some(value);
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Future for Slot<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = self.0.borrow_mut();
        match state.value.take() {
            Some(value) => Poll::Ready(value),
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Answers by key that callers wait for, such as a produce's outcome or a commit's completion.
/// An answer may come before anyone waits for it (a command's consequences can run within the
/// command itself): it is kept, the newest `kept` of them, until its waiter asks.
#[derive(Debug)]
pub struct Answers<K, V> {
    waiting: std::collections::BTreeMap<K, Slot<V>>,
    early: std::collections::BTreeMap<K, V>,
    kept: usize,
}

impl<K: Ord, V> Answers<K, V> {
    /// No waiters and no answers; at most `kept` early answers are kept.
    pub fn new(kept: usize) -> Self {
        Self {
            waiting: std::collections::BTreeMap::new(),
            early: std::collections::BTreeMap::new(),
            kept,
        }
    }

    /// A slot that receives the answer for `key`: filled at once if it came already.
    pub fn wait(&mut self, key: K) -> Slot<V> {
        let slot = Slot::new();
        match self.early.remove(&key) {
            Some(value) => slot.fill(value),
            None => {
                self.waiting.insert(key, slot.clone());
            }
        }
        slot
    }

    /// Delivers the answer for `key` to its waiter, or keeps it for one (dropping the oldest
    /// kept answer beyond `kept`).
    pub fn answer(&mut self, key: K, value: V) {
        match self.waiting.remove(&key) {
            Some(slot) => slot.fill(value),
            None => {
                self.early.insert(key, value);
                while self.early.len() > self.kept {
                    self.early.pop_first();
                }
            }
        }
    }

    /// Forgets the answers kept for waiters that have not asked (their requests are gone).
    pub fn forget_early(&mut self) {
        self.early.clear();
    }

    /// The waiters, taken (each to be filled by the caller, e.g. with an error).
    pub fn take_waiting(&mut self) -> std::collections::BTreeMap<K, Slot<V>> {
        std::mem::take(&mut self.waiting)
    }
}
