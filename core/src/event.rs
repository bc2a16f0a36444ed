//! Events: what happened inside the engine, for visualisations and logs.

use crate::log::RecoveryTruncation;

/// Something that happened, in the order it happened.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A topic was created.
    TopicCreated {
        /// Topic name.
        topic: String,
        /// Number of partitions.
        partitions: u32,
    },
    /// A batch of records was appended to a partition.
    RecordsAppended {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Offset of the first record.
        base_offset: i64,
        /// Offset of the last record.
        last_offset: i64,
    },
    /// The active segment was closed and a new one started.
    SegmentRolled {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Base offset of the new active segment.
        base_offset: i64,
    },
    /// Recovery found stored bytes that were not a valid continuation of the log and dropped
    /// them.
    RecoveryTruncated {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// What was dropped and why.
        truncation: RecoveryTruncation,
    },
    /// A stored segment names a partition its topic does not have, and was skipped.
    RecoverySkippedSegment {
        /// Topic name.
        topic: String,
        /// The partition it names.
        partition: u32,
        /// The segment's base offset.
        base_offset: i64,
    },
    /// A stored topic could not be restored at all (its metadata is invalid) and was skipped.
    RecoverySkippedTopic {
        /// Topic name as stored.
        topic: String,
        /// Why it was skipped.
        reason: String,
    },
}
