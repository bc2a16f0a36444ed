//! What the consumer and its host exchange: requests, answers, events and records.

use crate::error::ErrorCode;
use crate::group::TopicPartition;
use crate::group::protocol::{GroupRequest, GroupResponse, OffsetAndMetadata};
use crate::record::{Header, StoredRecord, TimestampType};

use super::{CommitId, ConsumerError, OffsetResetReason};

/// A request for the host to deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerRequest {
    /// The id to answer with in [`Consumer::handle_response`](super::Consumer::handle_response).
    pub id: u64,
    /// What to send.
    pub body: ConsumerRequestBody,
}

/// Which offset a ListOffsets request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetSpecRequest {
    /// The log start offset (Kafka's timestamp -2).
    Earliest,
    /// The log end offset (Kafka's timestamp -1).
    Latest,
}

/// The body of a [`ConsumerRequest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsumerRequestBody {
    /// A group request, to the group's coordinator.
    Group(GroupRequest),
    /// Fetch one partition, from its leader.
    Fetch {
        /// The topic.
        topic: String,
        /// The partition.
        partition: u32,
        /// The first offset wanted.
        fetch_offset: i64,
        /// `max.partition.fetch.bytes`.
        max_bytes: i32,
        /// `fetch.min.bytes`.
        min_bytes: i32,
        /// `fetch.max.wait.ms`.
        max_wait_ms: i32,
    },
    /// Look up a partition's log start or end offset, from its leader.
    ListOffsets {
        /// The topic.
        topic: String,
        /// The partition.
        partition: u32,
        /// Which offset.
        spec: OffsetSpecRequest,
    },
}

/// One partition's fetched data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedPartition {
    /// The records from the fetch offset on (the first batch may start earlier).
    pub records: Vec<StoredRecord>,
    /// The partition's high watermark.
    pub high_watermark: i64,
    /// The partition's log start offset.
    pub log_start_offset: i64,
}

/// The answer to a [`ConsumerRequest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsumerResponseBody {
    /// The coordinator's answer to a [`ConsumerRequestBody::Group`].
    Group(GroupResponse),
    /// The leader's answer to a [`ConsumerRequestBody::Fetch`].
    Fetch(Result<FetchedPartition, ErrorCode>),
    /// The leader's answer to a [`ConsumerRequestBody::ListOffsets`].
    ListOffsets(Result<i64, ErrorCode>),
    /// The host could not deliver the request or got no answer (network error, timeout).
    Failed(ErrorCode),
}

/// Something the application should know: Kafka's rebalance-listener callbacks, commit
/// callbacks and resets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsumerEvent {
    /// `onPartitionsRevoked`: the consumer gave these partitions up (their consumed positions
    /// were committed first if auto-commit is on).
    PartitionsRevoked {
        /// The partitions.
        partitions: Vec<TopicPartition>,
        /// When.
        at: i64,
    },
    /// `onPartitionsAssigned`: the partitions newly assigned by the latest rebalance.
    PartitionsAssigned {
        /// The partitions.
        partitions: Vec<TopicPartition>,
        /// When.
        at: i64,
    },
    /// `onPartitionsLost`: the member lost its generation; other members may own these now.
    PartitionsLost {
        /// The partitions.
        partitions: Vec<TopicPartition>,
        /// When.
        at: i64,
    },
    /// The JoinGroup succeeded.
    JoinedGroup {
        /// The new generation.
        generation: i32,
        /// This member's id.
        member_id: String,
        /// The leader's member id.
        leader: String,
        /// The chosen assignment strategy.
        protocol: String,
    },
    /// The member left the group (a LeaveGroup was sent if it is a dynamic member).
    LeftGroup {
        /// Why.
        reason: String,
    },
    /// A commit finished.
    CommitCompleted {
        /// The id `commit_sync`/`commit_async` returned (auto-commits get their own ids).
        id: CommitId,
        /// Whether it was an auto-commit.
        auto: bool,
        /// The positions committed.
        offsets: Vec<(TopicPartition, OffsetAndMetadata)>,
        /// The outcome.
        result: Result<(), ConsumerError>,
    },
    /// A partition's position was reset.
    OffsetReset {
        /// The partition.
        tp: TopicPartition,
        /// The new position.
        offset: i64,
        /// Why.
        reason: OffsetResetReason,
    },
    /// The group coordinator stopped answering or said it is not the coordinator (a network
    /// failure, `NOT_COORDINATOR`, `COORDINATOR_NOT_AVAILABLE`, or no heartbeat answer for
    /// `session.timeout.ms`): the host should find the coordinator again (FindCoordinator).
    /// Group requests are retried by the consumer.
    CoordinatorUnknown {
        /// Why.
        reason: String,
    },
    /// `close` finished.
    Closed,
}

/// A record handed out by [`Consumer::poll`](super::Consumer::poll) (Kafka's `ConsumerRecord`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerRecord {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: u32,
    /// The offset.
    pub offset: i64,
    /// The timestamp.
    pub timestamp: i64,
    /// `CreateTime` or `LogAppendTime`.
    pub timestamp_type: TimestampType,
    /// The key.
    pub key: Option<Vec<u8>>,
    /// The value (`None`: tombstone).
    pub value: Option<Vec<u8>>,
    /// The headers.
    pub headers: Vec<Header>,
    /// The leader epoch of the batch, if known.
    pub leader_epoch: Option<i32>,
}
