//! Where a host keeps the engine's storage operations: in memory or in IndexedDB.

mod idb;

pub use idb::{Damaged, IdbStore, Opened, StoreFault, StoredState};

use rill_core::storage::MemoryStore;

/// A host's store. The host writes to it one flush at a time (see `Host`), and after a failed
/// write restores the engine from what it reads back.
#[derive(Debug)]
pub enum Store {
    /// Kept in memory only: gone with the page.
    Memory(MemoryStore),
    /// Kept in IndexedDB: survives reloads.
    IndexedDb(IdbStore),
}
