//! What the engine asks its host to persist, and what the host hands back on recovery.
//!
//! The engine never performs I/O. Every change that must survive a restart is emitted as a
//! [`StorageOp`]; a host applies the ops in order (the IndexedDB store in `rill-wasm`, or
//! [`MemoryStore`] here) and later returns what it kept as a [`RecoveryImage`].

use std::collections::BTreeMap;

use crate::log::LogChange;
/// A partition's checkpoints belong to its log; persisted by [`StorageOp::PutPartitionState`].
pub use crate::log::PartitionState;

/// One change to persist. Apply in the order emitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageOp {
    /// Create or replace a topic's metadata.
    PutTopic(TopicRecord),
    /// Start a new, empty segment.
    CreateSegment {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The segment's base offset.
        base_offset: i64,
    },
    /// Append whole record batches to the end of a segment.
    AppendToSegment {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The segment's base offset.
        base_offset: i64,
        /// v2 record batch bytes.
        bytes: Vec<u8>,
    },
    /// Remove a whole segment (retention, or a log start offset moved past it).
    DeleteSegment {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The segment's base offset.
        base_offset: i64,
    },
    /// Atomically swap segments for their compacted replacements: remove every segment in
    /// `removed`, then store each of `added` with exactly the given bytes. A replacement may
    /// reuse a removed segment's base offset.
    ReplaceSegments {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Base offsets of the segments to remove.
        removed: Vec<i64>,
        /// New segments as (base offset, whole segment bytes).
        added: Vec<(i64, Vec<u8>)>,
    },
    /// Create or replace a partition's checkpoints.
    PutPartitionState {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The checkpointed state.
        state: PartitionState,
    },
    /// Remove a topic: its metadata, every segment and every partition state.
    DeleteTopic {
        /// Topic name.
        topic: String,
    },
}

/// The storage op that persists one log change of `topic`'s `partition`.
pub fn op_for_change(topic: &str, partition: u32, change: LogChange) -> StorageOp {
    let topic = topic.to_owned();
    match change {
        LogChange::SegmentRolled { base_offset, .. } => StorageOp::CreateSegment {
            topic,
            partition,
            base_offset,
        },
        LogChange::Appended {
            segment_base_offset,
            bytes,
            ..
        } => StorageOp::AppendToSegment {
            topic,
            partition,
            base_offset: segment_base_offset,
            bytes,
        },
        LogChange::SegmentDeleted { base_offset, .. } => StorageOp::DeleteSegment {
            topic,
            partition,
            base_offset,
        },
        LogChange::SegmentsCompacted { removed, added, .. } => StorageOp::ReplaceSegments {
            topic,
            partition,
            removed,
            added,
        },
        LogChange::Truncated {
            mut removed, kept, ..
        } => {
            // The cut segment is rewritten whole (possibly empty: it is the active one).
            if let Some((base_offset, _)) = &kept
                && !removed.contains(base_offset)
            {
                removed.insert(0, *base_offset);
            }
            StorageOp::ReplaceSegments {
                topic,
                partition,
                removed,
                added: kept.into_iter().collect(),
            }
        }
        LogChange::StateChanged(state) => StorageOp::PutPartitionState {
            topic,
            partition,
            state,
        },
    }
}

/// A topic's persisted metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicRecord {
    /// Topic name.
    pub name: String,
    /// Number of partitions.
    pub partitions: u32,
    /// Config overrides (name, value), as given at creation.
    pub configs: Vec<(String, String)>,
}

/// Everything a host stored, handed back to rebuild the engine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryImage {
    /// Topics with their segments.
    pub topics: Vec<RecoveredTopic>,
}

/// One stored topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecoveredTopic {
    /// The topic's metadata.
    pub record: TopicRecord,
    /// Stored segments, in any order.
    pub segments: Vec<RecoveredSegment>,
    /// Stored partition checkpoints as (partition, state), in any order.
    pub partition_states: Vec<(u32, PartitionState)>,
}

/// One stored segment's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecoveredSegment {
    /// Partition index.
    pub partition: u32,
    /// The segment's base offset.
    pub base_offset: i64,
    /// Concatenated stored bytes; may end in a torn batch.
    pub bytes: Vec<u8>,
}

/// An in-memory host store: applies [`StorageOp`]s and yields a [`RecoveryImage`]. Used for
/// `storage: 'memory'` and by tests that check recovery rebuilds the identical log.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    topics: BTreeMap<String, TopicRecord>,
    segments: BTreeMap<(String, u32, i64), Vec<u8>>,
    partition_states: BTreeMap<(String, u32), PartitionState>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one op.
    pub fn apply(&mut self, op: StorageOp) {
        match op {
            StorageOp::PutTopic(record) => {
                self.topics.insert(record.name.clone(), record);
            }
            StorageOp::CreateSegment {
                topic,
                partition,
                base_offset,
            } => {
                self.segments
                    .entry((topic, partition, base_offset))
                    .or_default();
            }
            StorageOp::AppendToSegment {
                topic,
                partition,
                base_offset,
                bytes,
            } => {
                self.segments
                    .entry((topic, partition, base_offset))
                    .or_default()
                    .extend_from_slice(&bytes);
            }
            StorageOp::DeleteSegment {
                topic,
                partition,
                base_offset,
            } => {
                self.segments.remove(&(topic, partition, base_offset));
            }
            StorageOp::ReplaceSegments {
                topic,
                partition,
                removed,
                added,
            } => {
                for base_offset in removed {
                    self.segments
                        .remove(&(topic.clone(), partition, base_offset));
                }
                for (base_offset, bytes) in added {
                    self.segments
                        .insert((topic.clone(), partition, base_offset), bytes);
                }
            }
            StorageOp::PutPartitionState {
                topic,
                partition,
                state,
            } => {
                self.partition_states.insert((topic, partition), state);
            }
            StorageOp::DeleteTopic { topic } => {
                self.segments.retain(|(t, _, _), _| *t != topic);
                self.partition_states.retain(|(t, _), _| *t != topic);
                self.topics.remove(&topic);
            }
        }
    }

    /// Mutable access to a stored segment's bytes, so tests can tear or corrupt them.
    pub fn segment_bytes_mut(
        &mut self,
        topic: &str,
        partition: u32,
        base_offset: i64,
    ) -> Option<&mut Vec<u8>> {
        self.segments
            .get_mut(&(topic.to_owned(), partition, base_offset))
    }

    /// What a host would hand back after a restart.
    pub fn image(&self) -> RecoveryImage {
        let topics = self
            .topics
            .values()
            .map(|record| RecoveredTopic {
                record: record.clone(),
                segments: self
                    .segments
                    .iter()
                    .filter(|((topic, _, _), _)| *topic == record.name)
                    .map(|((_, partition, base_offset), bytes)| RecoveredSegment {
                        partition: *partition,
                        base_offset: *base_offset,
                        bytes: bytes.clone(),
                    })
                    .collect(),
                partition_states: self
                    .partition_states
                    .iter()
                    .filter(|((topic, _), _)| *topic == record.name)
                    .map(|((_, partition), state)| (*partition, *state))
                    .collect(),
            })
            .collect();
        RecoveryImage { topics }
    }
}
