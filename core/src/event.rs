//! Events: what happened inside the engine, for visualisations and logs.

use crate::log::{DeletionReason, RecoveryTruncation, RollReason};

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
        /// Why the previous segment was closed.
        reason: RollReason,
    },
    /// Retention deleted a whole segment.
    SegmentDeleted {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Base offset of the deleted segment.
        base_offset: i64,
        /// Its size in bytes.
        size: usize,
        /// Which retention check deleted it.
        reason: DeletionReason,
        /// The log start offset afterwards.
        log_start_offset: i64,
    },
    /// The compaction cleaner replaced segments by compacted ones.
    SegmentsCompacted {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Base offsets of the replaced segments.
        removed: Vec<i64>,
        /// Base offsets of the new segments.
        added: Vec<i64>,
        /// Bytes before and after.
        bytes_before: u64,
        /// Bytes after cleaning.
        bytes_after: u64,
    },
    /// `deleteRecords` moved the log start offset.
    LogStartOffsetAdvanced {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The new log start offset.
        log_start_offset: i64,
    },
    /// A replica's log was truncated at its end (a tail its leader does not have was
    /// discarded), or emptied and restarted.
    LogTruncated {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The log end offset afterwards.
        to: i64,
    },
    /// A topic was deleted with all its data.
    TopicDeleted {
        /// Topic name.
        topic: String,
    },
    /// Partitions were added to a topic.
    PartitionsCreated {
        /// Topic name.
        topic: String,
        /// The partition count before.
        from: u32,
        /// The partition count after.
        to: u32,
    },
    /// A topic's config overrides changed.
    ConfigsAltered {
        /// Topic name.
        topic: String,
        /// The overrides now in force, (name, value).
        overrides: Vec<(String, String)>,
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
