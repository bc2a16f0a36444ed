//! [`Watched`]: a value that counts its mutable borrows, so that a reader can tell it cannot
//! have changed since it last looked (the metadata snapshot is re-encoded only when the
//! controller may have changed: see `Cluster::poll_storage`).

use std::ops::{Deref, DerefMut};

use super::{Controller, ControllerOutput};

/// `T`, counting every mutable borrow (every `&mut` access goes through [`DerefMut`]). The
/// count says "may have changed": a borrow that changes nothing still counts, a change never
/// goes uncounted.
#[derive(Clone)]
pub(crate) struct Watched<T> {
    value: T,
    borrows: u64,
}

impl<T> Watched<T> {
    /// `value`, never borrowed mutably yet.
    pub(crate) fn new(value: T) -> Self {
        Self { value, borrows: 0 }
    }

    /// How many times the value was borrowed mutably: unchanged means the value is unchanged.
    pub(crate) fn borrows(&self) -> u64 {
        self.borrows
    }
}

impl<T> Deref for Watched<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Watched<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.borrows = self.borrows.wrapping_add(1);
        &mut self.value
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Watched<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

impl Watched<Controller> {
    /// [`Controller::drain_outputs`], which takes only the queued outputs (no part of the
    /// controller's state): not counted as a change.
    pub(crate) fn drain_outputs(&mut self) -> Vec<ControllerOutput> {
        self.value.drain_outputs()
    }
}
