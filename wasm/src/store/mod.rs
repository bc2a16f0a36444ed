//! Where a host keeps the engine's storage operations: in memory or in IndexedDB.
//!
//! Both keep a [`ClusterImage`]: one log directory per broker (a one-broker cluster
//! uses log dir 0) and small whole files.

mod idb;
mod marker;

use std::collections::BTreeMap;

pub(crate) use idb::sleep;
pub use idb::{Damaged, IdbStore, OnDiscarded, Opened, StoreFault, StoredState};

use rill_core::cluster::persist::{ClusterImage, ClusterStorageOp};
use rill_core::storage::MemoryStore;

/// A host's store. The host writes to it one flush at a time (see
/// [`crate::durable::DurableWriter`]), and after a failed write restores the engine from what
/// it reads back.
#[derive(Debug)]
pub enum Store {
    /// Kept in memory only: gone with the page.
    Memory(MemoryClusterStore),
    /// Kept in IndexedDB: survives reloads.
    IndexedDb(IdbStore),
}

/// A [`ClusterImage`] kept in memory: each log dir a [`MemoryStore`], and the files.
#[derive(Debug, Default)]
pub struct MemoryClusterStore {
    logs: BTreeMap<u32, MemoryStore>,
    files: BTreeMap<String, Vec<u8>>,
}

impl MemoryClusterStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one op, as [`IdbStore::write`] would.
    pub fn apply(&mut self, op: ClusterStorageOp) {
        match op {
            ClusterStorageOp::Log { broker, op } => self.logs.entry(broker).or_default().apply(op),
            ClusterStorageOp::PutFile { path, bytes } => {
                self.files.insert(path, bytes);
            }
        }
    }

    /// Everything stored.
    pub fn image(&self) -> ClusterImage {
        ClusterImage {
            logs: self
                .logs
                .iter()
                .map(|(dir, log)| (*dir, log.image()))
                .collect(),
            files: self.files.clone(),
            damaged: BTreeMap::new(),
        }
    }
}
