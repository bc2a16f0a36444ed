//! Committed offsets as the coordinator keeps them (Kafka's `CommitRecordMetadataAndOffset`).

use crate::group::protocol::OffsetAndMetadata;

/// A group's committed position for one partition, with when it was committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedOffset {
    /// The offset, leader epoch and metadata the member committed.
    pub offset: OffsetAndMetadata,
    /// When the commit was made (ms), the base of its retention.
    pub commit_timestamp: i64,
}
