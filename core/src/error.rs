//! Kafka's error names and codes, and the typed errors of each engine operation.
//!
//! Every error a user can cause maps to the [`ErrorCode`] Apache Kafka would answer with, so a
//! learner sees the same name (`UNKNOWN_TOPIC_OR_PARTITION`, `OFFSET_OUT_OF_RANGE`, …) here as
//! on a real cluster.

use std::fmt;

/// An Apache Kafka protocol error, with Kafka's name and numeric code (`Errors.java`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorCode {
    /// An unexpected server error (code -1).
    UnknownServerError,
    /// The requested offset is outside the range of offsets the log holds (code 1).
    OffsetOutOfRange,
    /// A stored or received record failed its CRC or is otherwise malformed (code 2).
    CorruptMessage,
    /// The topic or partition does not exist (code 3).
    UnknownTopicOrPartition,
    /// The record batch is larger than `max.message.bytes` (code 10, `MESSAGE_TOO_LARGE`,
    /// raised as `RecordTooLargeException`).
    MessageTooLarge,
    /// The topic name is not legal (code 17).
    InvalidTopicException,
    /// A topic with this name already exists (code 36).
    TopicAlreadyExists,
    /// The number of partitions is not valid (code 37).
    InvalidPartitions,
    /// The replication factor is not valid (code 38).
    InvalidReplicationFactor,
    /// A configuration name or value is not valid (code 40).
    InvalidConfig,
    /// A record's timestamp is not acceptable (code 32).
    InvalidTimestamp,
    /// The record is not valid for this topic, e.g. a keyless record on a compacted topic (code 87).
    InvalidRecord,
    /// The request is malformed or its values are out of range (code 42).
    InvalidRequest,
    /// The partition has no leader at the moment (code 5).
    LeaderNotAvailable,
    /// The broker is not the partition's leader (code 6): refresh metadata and retry.
    NotLeaderOrFollower,
    /// The request did not complete within its timeout (code 7).
    RequestTimedOut,
    /// The connection to the broker failed (code 13): refresh metadata and retry.
    NetworkException,
    /// Fewer in-sync replicas than `min.insync.replicas`; nothing was written (code 19).
    NotEnoughReplicas,
    /// Written, but the ISR shrank below `min.insync.replicas` before it was acknowledged (code 20).
    NotEnoughReplicasAfterAppend,
    /// `acks` must be 0, 1 or -1 (code 21).
    InvalidRequiredAcks,
    /// The request's leader epoch is older than the broker's (code 74).
    FencedLeaderEpoch,
    /// The request's leader epoch is newer than the broker's (code 75).
    UnknownLeaderEpoch,
    /// The preferred replica is not in sync or not alive (code 80).
    PreferredLeaderNotAvailable,
    /// The preferred replica already leads (code 84).
    ElectionNotNeeded,
    /// There is no reassignment to cancel (code 85).
    NoReassignmentInProgress,
    /// The replica assignment is not valid (code 39).
    InvalidReplicaAssignment,
    /// The committed offset's metadata string is longer than `offset.metadata.max.bytes` (code 12).
    OffsetMetadataTooLarge,
    /// The committed offsets are too large to be written to `__consumer_offsets` (code 28).
    InvalidCommitOffsetSize,
    /// The coordinator is still loading the group's state from `__consumer_offsets` (code 14): retry.
    CoordinatorLoadInProgress,
    /// No coordinator is available for the group (code 15), e.g. `__consumer_offsets` has no leader: retry.
    CoordinatorNotAvailable,
    /// This broker is not the group's coordinator (code 16): find the coordinator again.
    NotCoordinator,
    /// The request's generation is not the group's current one (code 22): rejoin.
    IllegalGeneration,
    /// The member's protocol type or assignment strategies are incompatible with the group's (code 23).
    InconsistentGroupProtocol,
    /// The group id is empty or otherwise not valid (code 24).
    InvalidGroupId,
    /// The coordinator does not know this member id (code 25): rejoin with an empty member id.
    UnknownMemberId,
    /// The session timeout is outside `group.min.session.timeout.ms`..`group.max.session.timeout.ms` (code 26).
    InvalidSessionTimeout,
    /// The group is rebalancing (code 27): rejoin.
    RebalanceInProgress,
    /// The group still has members, so it cannot be deleted or have its offsets reset (code 68).
    NonEmptyGroup,
    /// The group does not exist (code 69).
    GroupIdNotFound,
    /// First join of a dynamic member: rejoin with the member id in the response (code 79).
    MemberIdRequired,
    /// The group already has `group.max.size` members (code 81).
    GroupMaxSizeReached,
    /// Another member with the same `group.instance.id` replaced this one (code 82).
    FencedInstanceId,
    /// The group is subscribed to the topic whose offsets were to be deleted (code 86).
    GroupSubscribedToTopic,
    /// There are unstable offsets pending for the partition (code 88).
    UnstableOffsetCommit,
    /// Stored data could not be read or is missing (code 56).
    KafkaStorageError,
    /// The leader's high watermark has not caught up since its election, so a ListOffsets
    /// answer could go backwards (code 78): retry.
    OffsetNotAvailable,
}

impl ErrorCode {
    /// Kafka's name for this error, as printed by Kafka's tools (e.g. `OFFSET_OUT_OF_RANGE`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::UnknownServerError => "UNKNOWN_SERVER_ERROR",
            Self::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            Self::CorruptMessage => "CORRUPT_MESSAGE",
            Self::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            Self::MessageTooLarge => "MESSAGE_TOO_LARGE",
            Self::InvalidTopicException => "INVALID_TOPIC_EXCEPTION",
            Self::TopicAlreadyExists => "TOPIC_ALREADY_EXISTS",
            Self::InvalidPartitions => "INVALID_PARTITIONS",
            Self::InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR",
            Self::InvalidConfig => "INVALID_CONFIG",
            Self::InvalidTimestamp => "INVALID_TIMESTAMP",
            Self::InvalidRecord => "INVALID_RECORD",
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::LeaderNotAvailable => "LEADER_NOT_AVAILABLE",
            Self::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            Self::RequestTimedOut => "REQUEST_TIMED_OUT",
            Self::NetworkException => "NETWORK_EXCEPTION",
            Self::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            Self::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            Self::InvalidRequiredAcks => "INVALID_REQUIRED_ACKS",
            Self::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            Self::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            Self::PreferredLeaderNotAvailable => "PREFERRED_LEADER_NOT_AVAILABLE",
            Self::ElectionNotNeeded => "ELECTION_NOT_NEEDED",
            Self::NoReassignmentInProgress => "NO_REASSIGNMENT_IN_PROGRESS",
            Self::InvalidReplicaAssignment => "INVALID_REPLICA_ASSIGNMENT",
            Self::OffsetMetadataTooLarge => "OFFSET_METADATA_TOO_LARGE",
            Self::InvalidCommitOffsetSize => "INVALID_COMMIT_OFFSET_SIZE",
            Self::CoordinatorLoadInProgress => "COORDINATOR_LOAD_IN_PROGRESS",
            Self::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            Self::NotCoordinator => "NOT_COORDINATOR",
            Self::IllegalGeneration => "ILLEGAL_GENERATION",
            Self::InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
            Self::InvalidGroupId => "INVALID_GROUP_ID",
            Self::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            Self::InvalidSessionTimeout => "INVALID_SESSION_TIMEOUT",
            Self::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            Self::NonEmptyGroup => "NON_EMPTY_GROUP",
            Self::GroupIdNotFound => "GROUP_ID_NOT_FOUND",
            Self::MemberIdRequired => "MEMBER_ID_REQUIRED",
            Self::GroupMaxSizeReached => "GROUP_MAX_SIZE_REACHED",
            Self::FencedInstanceId => "FENCED_INSTANCE_ID",
            Self::GroupSubscribedToTopic => "GROUP_SUBSCRIBED_TO_TOPIC",
            Self::UnstableOffsetCommit => "UNSTABLE_OFFSET_COMMIT",
            Self::KafkaStorageError => "KAFKA_STORAGE_ERROR",
            Self::OffsetNotAvailable => "OFFSET_NOT_AVAILABLE",
        }
    }

    /// Kafka's numeric error code, as sent on the wire.
    pub const fn code(self) -> i16 {
        match self {
            Self::UnknownServerError => -1,
            Self::OffsetOutOfRange => 1,
            Self::CorruptMessage => 2,
            Self::UnknownTopicOrPartition => 3,
            Self::MessageTooLarge => 10,
            Self::InvalidTopicException => 17,
            Self::InvalidTimestamp => 32,
            Self::TopicAlreadyExists => 36,
            Self::InvalidPartitions => 37,
            Self::InvalidReplicationFactor => 38,
            Self::InvalidConfig => 40,
            Self::InvalidRecord => 87,
            Self::InvalidRequest => 42,
            Self::LeaderNotAvailable => 5,
            Self::NotLeaderOrFollower => 6,
            Self::RequestTimedOut => 7,
            Self::NetworkException => 13,
            Self::NotEnoughReplicas => 19,
            Self::NotEnoughReplicasAfterAppend => 20,
            Self::InvalidRequiredAcks => 21,
            Self::FencedLeaderEpoch => 74,
            Self::UnknownLeaderEpoch => 75,
            Self::PreferredLeaderNotAvailable => 80,
            Self::ElectionNotNeeded => 84,
            Self::NoReassignmentInProgress => 85,
            Self::InvalidReplicaAssignment => 39,
            Self::OffsetMetadataTooLarge => 12,
            Self::InvalidCommitOffsetSize => 28,
            Self::CoordinatorLoadInProgress => 14,
            Self::CoordinatorNotAvailable => 15,
            Self::NotCoordinator => 16,
            Self::IllegalGeneration => 22,
            Self::InconsistentGroupProtocol => 23,
            Self::InvalidGroupId => 24,
            Self::UnknownMemberId => 25,
            Self::InvalidSessionTimeout => 26,
            Self::RebalanceInProgress => 27,
            Self::NonEmptyGroup => 68,
            Self::GroupIdNotFound => 69,
            Self::MemberIdRequired => 79,
            Self::GroupMaxSizeReached => 81,
            Self::FencedInstanceId => 82,
            Self::GroupSubscribedToTopic => 86,
            Self::UnstableOffsetCommit => 88,
            Self::KafkaStorageError => 56,
            Self::OffsetNotAvailable => 78,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Implemented by every engine error: the Kafka error a client would receive for it.
pub trait KafkaError: std::error::Error {
    /// The Kafka error this failure is reported as.
    fn error_code(&self) -> ErrorCode;
}

/// Why a topic could not be created.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreateTopicError {
    /// The name breaks Kafka's topic naming rules.
    #[error(transparent)]
    InvalidName(#[from] crate::topic::InvalidTopicName),
    /// A topic with this name, or one that collides with it, exists.
    #[error("topic '{name}' already exists")]
    AlreadyExists {
        /// The existing topic's name.
        name: String,
    },
    /// Topic names differing only by '.' and '_' collide in Kafka's metric names: KRaft's
    /// `INVALID_TOPIC_EXCEPTION` with its message.
    #[error("Topic '{name}' collides with existing topic: {existing}")]
    Collides {
        /// The requested name.
        name: String,
        /// The existing topic it collides with.
        existing: String,
    },
    /// The partition count is below 1 (KRaft's message) or above the engine's limit.
    #[error("{}", partitions_message(*requested, *max))]
    InvalidPartitions {
        /// The requested count.
        requested: i64,
        /// The largest count the engine accepts.
        max: u32,
    },
    /// A topic config is unknown or its value is out of range.
    #[error(transparent)]
    InvalidConfig(#[from] crate::config::InvalidConfig),
    /// The replication factor is below 1 or above the number of brokers (KRaft's messages).
    #[error("{}", replication_message(*requested, *brokers))]
    InvalidReplicationFactor {
        /// The requested replication factor.
        requested: i64,
        /// Brokers available.
        brokers: u32,
    },
}

/// Kafka 3.7 KRaft's `ReplicationControlManager.createTopic` message for a bad partition count.
fn partitions_message(requested: i64, max: u32) -> String {
    if requested < 1 {
        "Number of partitions was set to an invalid non-positive value.".to_owned()
    } else {
        format!("number of partitions must be between 1 and {max}, got {requested}")
    }
}

/// Kafka 3.7 KRaft's messages for a bad replication factor (`ReplicationControlManager`, and
/// `StripedReplicaPlacer` for a factor above the registered brokers).
fn replication_message(requested: i64, brokers: u32) -> String {
    if requested < 1 {
        "Replication factor must be larger than 0, or -1 to use the default value.".to_owned()
    } else {
        format!(
            "Unable to replicate the partition {requested} time(s): The target replication factor \
             of {requested} cannot be reached because only {brokers} broker(s) are registered."
        )
    }
}

impl KafkaError for CreateTopicError {
    fn error_code(&self) -> ErrorCode {
        match self {
            Self::InvalidName(_) | Self::Collides { .. } => ErrorCode::InvalidTopicException,
            Self::AlreadyExists { .. } => ErrorCode::TopicAlreadyExists,
            Self::InvalidPartitions { .. } => ErrorCode::InvalidPartitions,
            Self::InvalidConfig(_) => ErrorCode::InvalidConfig,
            Self::InvalidReplicationFactor { .. } => ErrorCode::InvalidReplicationFactor,
        }
    }
}

/// Why records could not be appended.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProduceError {
    /// The topic or partition does not exist.
    #[error("unknown topic or partition: {topic}-{partition}")]
    UnknownTopicOrPartition {
        /// The topic named by the request.
        topic: String,
        /// The partition named by the request.
        partition: i32,
    },
    /// The encoded batch exceeds the topic's `max.message.bytes`.
    #[error("record batch of {size} bytes exceeds max.message.bytes={max}")]
    RecordTooLarge {
        /// Encoded size of the batch.
        size: usize,
        /// The topic's `max.message.bytes`.
        max: u32,
    },
    /// The request carried no records.
    #[error("a produce request must carry at least one record")]
    EmptyBatch,
    /// The request named the same partition twice.
    #[error("partition {topic}-{partition} appears more than once in one produce request")]
    DuplicatePartition {
        /// The topic named by the request.
        topic: String,
        /// The repeated partition.
        partition: i32,
    },
    /// A compacted topic keeps the newest record per key, so every record needs a key.
    #[error("Compacted topic cannot accept message without key")]
    KeylessRecordOnCompactedTopic,
    /// A `CreateTime` timestamp lies outside `message.timestamp.before.max.ms` /
    /// `message.timestamp.after.max.ms` of the broker's time.
    #[error(
        "Timestamp {timestamp} of message with offset {offset} is out of range. The timestamp \
         should be within [{earliest}, {latest}]"
    )]
    InvalidTimestamp {
        /// The record's timestamp.
        timestamp: i64,
        /// The offset the record would have had.
        offset: i64,
        /// The earliest acceptable timestamp.
        earliest: i64,
        /// The latest acceptable timestamp.
        latest: i64,
    },
}

impl KafkaError for ProduceError {
    fn error_code(&self) -> ErrorCode {
        match self {
            Self::UnknownTopicOrPartition { .. } => ErrorCode::UnknownTopicOrPartition,
            Self::RecordTooLarge { .. } => ErrorCode::MessageTooLarge,
            Self::KeylessRecordOnCompactedTopic => ErrorCode::InvalidRecord,
            Self::InvalidTimestamp { .. } => ErrorCode::InvalidTimestamp,
            Self::EmptyBatch | Self::DuplicatePartition { .. } => ErrorCode::InvalidRecord,
        }
    }
}

/// Why a fetch could not be served.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The topic or partition does not exist.
    #[error("unknown topic or partition: {topic}-{partition}")]
    UnknownTopicOrPartition {
        /// The topic named by the request.
        topic: String,
        /// The partition named by the request.
        partition: i32,
    },
    /// The offset is below the log start offset or above the log end offset.
    #[error("offset {offset} is out of range [{log_start_offset}, {log_end_offset}]")]
    OffsetOutOfRange {
        /// The requested offset.
        offset: i64,
        /// The first offset the log holds.
        log_start_offset: i64,
        /// The offset the next record will get.
        log_end_offset: i64,
    },
}

impl KafkaError for FetchError {
    fn error_code(&self) -> ErrorCode {
        match self {
            Self::UnknownTopicOrPartition { .. } => ErrorCode::UnknownTopicOrPartition,
            Self::OffsetOutOfRange { .. } => ErrorCode::OffsetOutOfRange,
        }
    }
}

/// Why a partition's leader cannot answer a client's ListOffsets.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ListOffsetsError {
    /// The leader's high watermark is still below the offset its leader epoch began at (it was
    /// elected recently and its followers have not caught up), so "latest", or a timestamp
    /// whose record lies at or above the high watermark, could answer an offset lower than an
    /// earlier leader gave (Kafka's `Partition.fetchOffsetForTimestamp`,
    /// `OffsetNotAvailableException`).
    #[error(
        "Failed to fetch offsets as this partition's high watermark ({high_watermark}) is \
         lagging behind the start offset from the beginning of this epoch \
         ({epoch_start_offset})."
    )]
    OffsetNotAvailable {
        /// The leader's high watermark.
        high_watermark: i64,
        /// The log end offset when this leader's epoch began.
        epoch_start_offset: i64,
    },
}

impl KafkaError for ListOffsetsError {
    fn error_code(&self) -> ErrorCode {
        match self {
            Self::OffsetNotAvailable { .. } => ErrorCode::OffsetNotAvailable,
        }
    }
}

/// Why an admin request (delete or alter a topic, add partitions, delete records, list
/// offsets) failed.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// The topic does not exist.
    #[error("This server does not host this topic: {topic}")]
    UnknownTopic {
        /// The topic named by the request.
        topic: String,
    },
    /// The partition does not exist.
    #[error("This server does not host this topic-partition: {topic}-{partition}")]
    UnknownPartition {
        /// The topic named by the request.
        topic: String,
        /// The partition named by the request.
        partition: i32,
    },
    /// The new partition count is not larger than the current one, or beyond the limit.
    #[error("{reason}")]
    InvalidPartitions {
        /// Kafka's message, e.g. "Topic currently has 3 partitions, which is higher than the
        /// requested 2."
        reason: String,
    },
    /// A config is unknown or its value out of range.
    #[error(transparent)]
    InvalidConfig(#[from] crate::config::InvalidConfig),
    /// `deleteRecords` asked for an offset above the high watermark (or a negative one).
    #[error(
        "Cannot increment the log start offset to {offset}: it is outside [{log_start_offset}, \
         {high_watermark}] (the high watermark)"
    )]
    OffsetOutOfRange {
        /// The requested offset.
        offset: i64,
        /// The log start offset.
        log_start_offset: i64,
        /// The high watermark.
        high_watermark: i64,
    },
    /// No segment of the partition starts at this base offset.
    #[error(
        "{topic}-{partition} has no segment with base offset {base_offset}; its segments start at {available:?}"
    )]
    UnknownSegment {
        /// The topic.
        topic: String,
        /// The partition.
        partition: i32,
        /// The base offset asked for.
        base_offset: i64,
        /// The base offsets of the partition's segments.
        available: Vec<i64>,
    },
    /// An internal topic (`__consumer_offsets`) cannot be deleted.
    #[error(
        "Topic {topic} is a kafka internal topic and is not allowed to be marked for deletion."
    )]
    InternalTopic {
        /// The topic named by the request.
        topic: String,
    },
    /// A ListOffsets timestamp below -3.
    #[error(
        "invalid ListOffsets timestamp {timestamp}: use -2 (earliest), -1 (latest), -3 (max timestamp) or a time >= 0"
    )]
    InvalidTimestamp {
        /// The requested timestamp.
        timestamp: i64,
    },
}

impl KafkaError for AdminError {
    fn error_code(&self) -> ErrorCode {
        match self {
            Self::UnknownTopic { .. } | Self::UnknownPartition { .. } => {
                ErrorCode::UnknownTopicOrPartition
            }
            Self::InvalidPartitions { .. } => ErrorCode::InvalidPartitions,
            Self::InvalidConfig(_) => ErrorCode::InvalidConfig,
            Self::OffsetOutOfRange { .. } => ErrorCode::OffsetOutOfRange,
            Self::InvalidTimestamp { .. }
            | Self::UnknownSegment { .. }
            | Self::InternalTopic { .. } => ErrorCode::InvalidRequest,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn codes_match_kafka_errors_java() {
        // Values from Apache Kafka's `org.apache.kafka.common.protocol.Errors`.
        let expected = [
            (ErrorCode::UnknownServerError, -1),
            (ErrorCode::OffsetOutOfRange, 1),
            (ErrorCode::CorruptMessage, 2),
            (ErrorCode::UnknownTopicOrPartition, 3),
            (ErrorCode::MessageTooLarge, 10),
            (ErrorCode::InvalidTopicException, 17),
            (ErrorCode::KafkaStorageError, 56),
            (ErrorCode::InvalidTimestamp, 32),
            (ErrorCode::TopicAlreadyExists, 36),
            (ErrorCode::InvalidPartitions, 37),
            (ErrorCode::InvalidReplicationFactor, 38),
            (ErrorCode::InvalidConfig, 40),
            (ErrorCode::InvalidRecord, 87),
            (ErrorCode::InvalidRequest, 42),
            (ErrorCode::LeaderNotAvailable, 5),
            (ErrorCode::NotLeaderOrFollower, 6),
            (ErrorCode::RequestTimedOut, 7),
            (ErrorCode::NetworkException, 13),
            (ErrorCode::NotEnoughReplicas, 19),
            (ErrorCode::NotEnoughReplicasAfterAppend, 20),
            (ErrorCode::InvalidRequiredAcks, 21),
            (ErrorCode::FencedLeaderEpoch, 74),
            (ErrorCode::UnknownLeaderEpoch, 75),
            (ErrorCode::PreferredLeaderNotAvailable, 80),
            (ErrorCode::ElectionNotNeeded, 84),
            (ErrorCode::NoReassignmentInProgress, 85),
            (ErrorCode::InvalidReplicaAssignment, 39),
            (ErrorCode::InvalidCommitOffsetSize, 28),
            (ErrorCode::OffsetNotAvailable, 78),
        ];
        for (error, code) in expected {
            assert_eq!(error.code(), code, "{error}");
        }
    }
}
