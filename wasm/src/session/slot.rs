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
