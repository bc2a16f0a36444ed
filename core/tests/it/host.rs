//! A host for the tests: what a cluster asks to persist, kept in memory (a `MemoryStore` per
//! broker log directory, and the small files), and handed back as a `ClusterImage`.

use std::collections::BTreeMap;

use rill_core::cluster::{Cluster, ClusterImage, ClusterStorageOp};
use rill_core::storage::MemoryStore;

/// A host: a `MemoryStore` per broker log directory and a map of small files.
#[derive(Default)]
pub(crate) struct Host {
    pub(crate) logs: BTreeMap<u32, MemoryStore>,
    pub(crate) files: BTreeMap<String, Vec<u8>>,
}

impl Host {
    pub(crate) fn apply(&mut self, ops: Vec<ClusterStorageOp>) {
        for op in ops {
            match op {
                ClusterStorageOp::Log { broker, op } => {
                    self.logs.entry(broker).or_default().apply(op);
                }
                ClusterStorageOp::PutFile { path, bytes } => {
                    self.files.insert(path, bytes);
                }
            }
        }
    }

    pub(crate) fn sync(&mut self, cluster: &mut Cluster) {
        self.apply(cluster.poll_storage());
    }

    pub(crate) fn image(&self) -> ClusterImage {
        ClusterImage {
            logs: self
                .logs
                .iter()
                .map(|(broker, store)| (*broker, store.image()))
                .collect(),
            files: self.files.clone(),
            damaged: BTreeMap::new(),
        }
    }
}
