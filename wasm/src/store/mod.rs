//! Where a host keeps the engine's storage operations: in memory or in IndexedDB.

mod idb;

pub use idb::{IdbStore, Opened};

use rill_core::storage::{MemoryStore, StorageOp};

use crate::HostError;

/// A host's store.
#[derive(Debug)]
pub enum Store {
    /// Kept in memory only: gone with the page.
    Memory(MemoryStore),
    /// Kept in IndexedDB: survives reloads.
    IndexedDb(IdbStore),
}

impl Store {
    /// Starts persisting `ops` and returns a future that resolves once they are durable.
    ///
    /// The IndexedDB writes are issued synchronously inside this call, in one transaction, so
    /// flushes complete in the order they were started.
    pub fn flush(
        &mut self,
        ops: Vec<StorageOp>,
    ) -> impl Future<Output = Result<(), HostError>> + use<> {
        let pending = match self {
            Store::Memory(memory) => {
                for op in ops {
                    memory.apply(op);
                }
                None
            }
            Store::IndexedDb(idb) => Some(idb.write(ops)),
        };
        async move {
            match pending {
                None => Ok(()),
                Some(Ok(done)) => done.await,
                Some(Err(error)) => Err(error),
            }
        }
    }
}
