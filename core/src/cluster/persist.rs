//! What a replicated cluster asks its host to persist, and what the host hands back.
//!
//! Each broker has its own log directory (Kafka's `log.dirs`): the same [`StorageOp`]s a
//! single [`crate::Broker`] emits, tagged with the broker. Small whole files sit next to the
//! logs: each broker's `replication-offset-checkpoint` (Kafka's text format) and the
//! controller's metadata snapshot. A host applies [`ClusterStorageOp`]s in order and later
//! returns what it kept as a [`ClusterImage`].

use std::collections::BTreeMap;

use crate::storage::{RecoveryImage, StorageOp};

/// One change to persist. Apply in the order emitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterStorageOp {
    /// A change to broker `broker`'s log directory.
    Log {
        /// The broker whose log directory changes.
        broker: u32,
        /// The change.
        op: StorageOp,
    },
    /// Create or replace the small file at `path` with `bytes`, whole.
    PutFile {
        /// Where the file lives, e.g. `broker-0/replication-offset-checkpoint` or
        /// `controller/metadata.snapshot`.
        path: String,
        /// The file's entire new contents.
        bytes: Vec<u8>,
    },
}

/// Everything a host stored for a cluster, handed back to rebuild it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterImage {
    /// Each broker's log directory, by broker id.
    pub logs: BTreeMap<u32, RecoveryImage>,
    /// Every small file by path, as last put.
    pub files: BTreeMap<String, Vec<u8>>,
}
