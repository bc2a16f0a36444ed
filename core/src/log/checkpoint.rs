//! A partition log's checkpoints, which the log owns and its host persists.

/// A partition's checkpoints, as Kafka keeps in `log-start-offset-checkpoint` and
/// `cleaner-offset-checkpoint`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartitionState {
    /// The log start offset; may lie inside the first segment after `deleteRecords`.
    pub log_start_offset: i64,
    /// The compaction cleaner's first dirty offset: everything below it has been cleaned.
    pub cleaner_checkpoint: i64,
}
