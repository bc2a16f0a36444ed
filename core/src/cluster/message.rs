//! What nodes of the simulated cluster say to each other (a model of Kafka's requests).

use crate::cluster::controller::registration::PartitionRegistration;
use crate::config::TopicConfig;
use crate::error::ErrorCode;
use crate::group::protocol::{GroupRequest, GroupResponse};
use crate::log::{FetchedRecords, OffsetSpec};
use crate::record::NewRecord;

/// Kafka's `acks` for a produce request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Acks {
    /// `acks=0`: no answer; the client learns nothing.
    None,
    /// `acks=1`: answered after the leader's own append.
    Leader,
    /// `acks=all` (-1): answered once the high watermark covers the records.
    All,
}

impl Acks {
    /// Kafka's wire value: 0, 1 or -1; anything else is `INVALID_REQUIRED_ACKS`.
    pub fn from_kafka(acks: i16) -> Option<Self> {
        match acks {
            0 => Some(Self::None),
            1 => Some(Self::Leader),
            -1 => Some(Self::All),
            _ => None,
        }
    }
}

/// Where a partition's data lives, as the controller tells brokers (a model of the KRaft
/// metadata records a broker replays).
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionMetadata {
    /// Topic name.
    pub topic: String,
    /// Partition index.
    pub partition: u32,
    /// The controller's registration.
    pub registration: PartitionRegistration,
    /// The topic's configs.
    pub config: TopicConfig,
    /// The recipient's broker epoch as the controller knows it: a broker ignores metadata
    /// meant for an earlier incarnation of itself.
    pub broker_epoch: u64,
    /// This message's number in the controller's stream to the recipient (from 1).
    pub seq: u64,
    /// Every message numbered up to this one is superseded (a resend of everything after a
    /// loss), so the recipient need not wait for them.
    pub supersedes: u64,
    /// The topic's incarnation (Kafka's topic id): a topic deleted and created again under
    /// the same name gets a larger one, so a broker never mixes the two.
    pub topic_id: u64,
}

/// The controller tells a broker a topic is gone (a model of KRaft's `RemoveTopicRecord`):
/// it deletes its replicas of that incarnation and older ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicDeletion {
    /// Topic name.
    pub topic: String,
    /// The deleted incarnation.
    pub topic_id: u64,
    /// As in [`PartitionMetadata`].
    pub broker_epoch: u64,
    /// As in [`PartitionMetadata`].
    pub seq: u64,
    /// As in [`PartitionMetadata`].
    pub supersedes: u64,
}

/// A fetch response's payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchBody {
    /// Whole batches from the requested offset (possibly none), and the leader's offsets.
    Records {
        /// The offset the fetch asked from (the follower's log end offset when it sent it).
        fetch_offset: i64,
        /// v2 batches.
        bytes: Vec<u8>,
        /// The leader's high watermark.
        high_watermark: i64,
        /// The leader's log start offset.
        log_start_offset: i64,
        /// The leader's log end offset.
        log_end_offset: i64,
    },
    /// The follower's log diverges from the leader's (KIP-595 `divergingEpoch`): truncate to
    /// at most `end_offset` for `epoch`, then fetch again.
    Diverging {
        /// The largest leader epoch not above the follower's last fetched epoch.
        epoch: i32,
        /// Where that epoch ends on the leader.
        end_offset: i64,
    },
    /// The fetch failed.
    Error {
        /// Kafka's error.
        error: ErrorCode,
        /// The leader's log end offset (for `OFFSET_OUT_OF_RANGE`).
        log_end_offset: i64,
        /// The leader's log start offset (for `OFFSET_OUT_OF_RANGE`).
        log_start_offset: i64,
    },
}

/// A message between nodes.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// Broker → controller, every `broker.heartbeat.interval.ms`.
    Heartbeat {
        /// The broker.
        broker: u32,
        /// Its registration epoch (new on every restart).
        broker_epoch: u64,
        /// The last metadata message it has, with every one before it (Kafka's
        /// `currentMetadataOffset`).
        metadata_seq: u64,
        /// It is shutting down and asks the controller's leave (Kafka's `wantShutDown`).
        want_shut_down: bool,
    },
    /// Controller → broker: the answer to a heartbeat that asked to shut down (the model's
    /// controller answers no other heartbeat: the rest of Kafka's answer, fenced and caught
    /// up, carries nothing its brokers use).
    HeartbeatResponse {
        /// The broker epoch of the heartbeat answered.
        broker_epoch: u64,
        /// The broker may stop now (Kafka's `shouldShutDown`).
        should_shut_down: bool,
    },
    /// Controller → broker: a partition's current registration.
    Metadata(Box<PartitionMetadata>),
    /// Controller → broker: a topic was deleted.
    DeleteTopic(Box<TopicDeletion>),
    /// Leader → controller: change the ISR (KIP-497 `AlterPartition`).
    AlterPartition {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The sender's leader epoch.
        leader_epoch: i32,
        /// The partition epoch the change is based on.
        partition_epoch: i32,
        /// The proposed ISR.
        isr: Vec<u32>,
        /// The proposal's number from this broker incarnation (a resend gets a new one), so the
        /// controller can ignore an older copy arriving late.
        proposal: u64,
        /// The sender's broker epoch.
        broker_epoch: u64,
        /// Each replica the proposal adds, with the broker epoch it fetched under (KIP-903):
        /// the controller refuses a replica whose broker has registered again since.
        new_member_epochs: Vec<(u32, u64)>,
    },
    /// Controller → leader: the AlterPartition based on `partition_epoch` was refused (stale
    /// or naming an ineligible replica).
    AlterPartitionRejected {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The refused proposal's number.
        proposal: u64,
    },
    /// Follower → leader.
    Fetch {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The fetching replica.
        replica: u32,
        /// The follower's log end offset.
        fetch_offset: i64,
        /// The epoch of the follower's last batch, for divergence checks.
        last_fetched_epoch: Option<i32>,
        /// The leader epoch the follower believes in.
        leader_epoch: i32,
        /// The topic incarnation the follower replicates (Fetch v13+ sends topic ids).
        topic_id: u64,
        /// The follower's broker epoch (Fetch v15, KIP-903 `ReplicaState.ReplicaEpoch`).
        broker_epoch: u64,
    },
    /// Leader → follower.
    FetchResponse {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The topic incarnation the leader answered for.
        topic_id: u64,
        /// The leader epoch of the answer.
        leader_epoch: i32,
        /// What the leader answered.
        body: FetchBody,
    },
    /// Client → broker.
    Produce {
        /// The client's request id.
        request: u64,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Required acknowledgements.
        acks: Acks,
        /// The records, as one batch.
        records: Vec<NewRecord>,
    },
    /// Broker → client.
    ProduceResponse {
        /// The client's request id.
        request: u64,
        /// The offsets of the appended batch, or Kafka's error.
        result: Result<(i64, i64), ErrorCode>,
    },
    /// Consumer → the group's coordinator (the leader of the group's `__consumer_offsets`
    /// partition).
    Group {
        /// The client's request id.
        request: u64,
        /// The consumer's `client.id`.
        client_id: String,
        /// The group request.
        body: GroupRequest,
    },
    /// Coordinator → consumer.
    GroupResponse {
        /// The client's request id.
        request: u64,
        /// The coordinator's answer.
        body: GroupResponse,
    },
    /// Consumer → a partition's leader: records below the high watermark.
    ConsumerFetch {
        /// The client's request id.
        request: u64,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The consumer's position.
        fetch_offset: i64,
        /// `max.partition.fetch.bytes`.
        max_bytes: usize,
        /// `fetch.min.bytes`.
        min_bytes: usize,
        /// `fetch.max.wait.ms`.
        max_wait_ms: i64,
    },
    /// Leader → consumer.
    ConsumerFetchResponse {
        /// The client's request id.
        request: u64,
        /// The records and the leader's offsets, or Kafka's error.
        result: Result<FetchedRecords, ErrorCode>,
    },
    /// Consumer → a partition's leader: Kafka's ListOffsets.
    ListOffsets {
        /// The client's request id.
        request: u64,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// What to look up.
        spec: OffsetSpec,
    },
    /// Leader → consumer.
    ListOffsetsResponse {
        /// The client's request id.
        request: u64,
        /// The offset (-1 when no record matches a timestamp), or Kafka's error.
        result: Result<i64, ErrorCode>,
    },
}

impl Message {
    /// The message's name, as Kafka calls the request or response (for traces and a host's
    /// "next wake-up" line).
    pub fn name(&self) -> &'static str {
        match self {
            Message::Heartbeat { .. } => "BrokerHeartbeat",
            Message::HeartbeatResponse { .. } => "BrokerHeartbeatResponse",
            Message::Metadata(_) => "Metadata",
            Message::DeleteTopic(_) => "DeleteTopic",
            Message::AlterPartition { .. } => "AlterPartition",
            Message::AlterPartitionRejected { .. } => "AlterPartitionResponse",
            Message::Fetch { .. } => "Fetch",
            Message::FetchResponse { .. } => "FetchResponse",
            Message::Produce { .. } => "Produce",
            Message::ProduceResponse { .. } => "ProduceResponse",
            Message::Group { .. } => "GroupRequest",
            Message::GroupResponse { .. } => "GroupResponse",
            Message::ConsumerFetch { .. } => "ConsumerFetch",
            Message::ConsumerFetchResponse { .. } => "ConsumerFetchResponse",
            Message::ListOffsets { .. } => "ListOffsets",
            Message::ListOffsetsResponse { .. } => "ListOffsetsResponse",
        }
    }
}
