//! The consumer-group protocol between consumers and the group coordinator: Kafka's
//! JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit and OffsetFetch (the classic
//! protocol, KIP-62/345/394/429 era), as typed values.
//!
//! Kafka carries a member's subscription and assignment as opaque bytes
//! (`ConsumerProtocolSubscription`, `ConsumerProtocolAssignment`); rill carries the decoded
//! values, since both ends are in the same engine. Field names follow Kafka's request schemas.
//!
//! The coordinator ([`super::coordinator`]) answers [`GroupRequest`]s with
//! [`GroupResponse`]s; a consumer ([`crate::consumer`]) sends them. Neither does I/O: a host
//! (the simulated [`crate::cluster::Cluster`], a test) carries them.

use crate::error::ErrorCode;
use crate::group::TopicPartition;

/// Kafka's `ConsumerProtocol` type: every consumer group's `protocol_type`.
pub const CONSUMER_PROTOCOL_TYPE: &str = "consumer";

/// A generation id meaning "none": a member that never joined, or a standalone consumer's
/// commit (Kafka's `JoinGroupRequest.UNKNOWN_GENERATION_ID`).
pub const UNKNOWN_GENERATION_ID: i32 = -1;

/// The member id of a member that has not joined yet (Kafka's
/// `JoinGroupRequest.UNKNOWN_MEMBER_ID`, the empty string).
pub const UNKNOWN_MEMBER_ID: &str = "";

/// What a member tells the group about itself for one assignment strategy (Kafka's
/// `ConsumerProtocolSubscription`, version 2+).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subscription {
    /// The topics the member subscribes to.
    pub topics: Vec<String>,
    /// Assignor-specific bytes (the eager sticky assignor puts its previous assignment here).
    pub user_data: Option<Vec<u8>>,
    /// The partitions the member owns now (`ownedPartitions`, sent by the cooperative protocol
    /// and the sticky assignors).
    pub owned_partitions: Vec<TopicPartition>,
    /// The generation the owned partitions come from ([`UNKNOWN_GENERATION_ID`] if none).
    pub generation_id: i32,
    /// The member's `client.rack`, if set.
    pub rack_id: Option<String>,
}

/// What the leader gives one member (Kafka's `ConsumerProtocolAssignment`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberAssignment {
    /// The partitions the member is to consume.
    pub partitions: Vec<TopicPartition>,
    /// Assignor-specific bytes.
    pub user_data: Option<Vec<u8>>,
}

/// One assignment strategy a member supports, in the member's order of preference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinGroupProtocol {
    /// The strategy's name: `"range"`, `"roundrobin"`, `"sticky"`, `"cooperative-sticky"`.
    pub name: String,
    /// The member's subscription as this strategy sees it.
    pub metadata: Subscription,
}

/// Kafka's JoinGroup request (v5+: with `group.instance.id`; v4+: `MEMBER_ID_REQUIRED`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinGroupRequest {
    /// The group id.
    pub group_id: String,
    /// `session.timeout.ms`: the coordinator drops the member if it hears nothing for this long.
    pub session_timeout_ms: i32,
    /// `max.poll.interval.ms`: how long the coordinator waits for the member to rejoin during
    /// a rebalance.
    pub rebalance_timeout_ms: i32,
    /// The member id the coordinator gave, or [`UNKNOWN_MEMBER_ID`] on a first join.
    pub member_id: String,
    /// `group.instance.id` for a static member.
    pub group_instance_id: Option<String>,
    /// Always [`CONSUMER_PROTOCOL_TYPE`] for consumers.
    pub protocol_type: String,
    /// The strategies the member supports, most preferred first.
    pub protocols: Vec<JoinGroupProtocol>,
    /// Why the member joins, for the coordinator's log and events.
    pub reason: Option<String>,
}

/// One member as the JoinGroup response lists it to the leader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinGroupResponseMember {
    /// The member's id.
    pub member_id: String,
    /// Its `group.instance.id`.
    pub group_instance_id: Option<String>,
    /// Its subscription for the chosen protocol.
    pub metadata: Subscription,
}

/// Kafka's JoinGroup response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinGroupResponse {
    /// The error, or `None` on success. With `MEMBER_ID_REQUIRED`, `member_id` holds the id to
    /// rejoin with.
    pub error: Option<ErrorCode>,
    /// The new generation.
    pub generation_id: i32,
    /// The group's protocol type.
    pub protocol_type: Option<String>,
    /// The chosen assignment strategy.
    pub protocol_name: Option<String>,
    /// The leader's member id.
    pub leader: String,
    /// True when a static leader rejoined without a change: it must not compute an assignment
    /// (KIP-814).
    pub skip_assignment: bool,
    /// This member's id.
    pub member_id: String,
    /// Every member with its subscription — only in the leader's response, empty otherwise.
    pub members: Vec<JoinGroupResponseMember>,
}

/// Kafka's SyncGroup request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncGroupRequest {
    /// The group id.
    pub group_id: String,
    /// The generation the member joined.
    pub generation_id: i32,
    /// The member's id.
    pub member_id: String,
    /// Its `group.instance.id`.
    pub group_instance_id: Option<String>,
    /// The protocol type it joined with.
    pub protocol_type: Option<String>,
    /// The protocol name it was given.
    pub protocol_name: Option<String>,
    /// The leader's assignment for every member; empty from followers.
    pub assignments: Vec<(String, MemberAssignment)>,
}

/// Kafka's SyncGroup response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncGroupResponse {
    /// The error, or `None` on success.
    pub error: Option<ErrorCode>,
    /// The group's protocol type.
    pub protocol_type: Option<String>,
    /// The group's protocol name.
    pub protocol_name: Option<String>,
    /// This member's assignment (empty on error).
    pub assignment: MemberAssignment,
}

/// Kafka's Heartbeat request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeartbeatRequest {
    /// The group id.
    pub group_id: String,
    /// The member's generation.
    pub generation_id: i32,
    /// The member's id.
    pub member_id: String,
    /// Its `group.instance.id`.
    pub group_instance_id: Option<String>,
}

/// One member leaving (LeaveGroup v3+ batches them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberIdentity {
    /// The member's id ([`UNKNOWN_MEMBER_ID`] allowed for a static member named by instance id).
    pub member_id: String,
    /// Its `group.instance.id`.
    pub group_instance_id: Option<String>,
    /// Why it leaves.
    pub reason: Option<String>,
}

/// Kafka's LeaveGroup request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaveGroupRequest {
    /// The group id.
    pub group_id: String,
    /// The members leaving.
    pub members: Vec<MemberIdentity>,
}

/// Kafka's LeaveGroup response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaveGroupResponse {
    /// A group-level error, or `None`.
    pub error: Option<ErrorCode>,
    /// Each member's result, in request order.
    pub members: Vec<(MemberIdentity, Option<ErrorCode>)>,
}

/// A committed position: Kafka's `OffsetAndMetadata`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetAndMetadata {
    /// The next offset to consume.
    pub offset: i64,
    /// The leader epoch of the last consumed record, if known.
    pub leader_epoch: Option<i32>,
    /// Free-form metadata (at most `offset.metadata.max.bytes`, 4096 by default).
    pub metadata: String,
}

/// Kafka's OffsetCommit request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetCommitRequest {
    /// The group id.
    pub group_id: String,
    /// The member's generation, or [`UNKNOWN_GENERATION_ID`] for a standalone (`assign()`)
    /// consumer, which commits only while the group is `Empty`.
    pub generation_id: i32,
    /// The member's id, or [`UNKNOWN_MEMBER_ID`] for a standalone consumer.
    pub member_id: String,
    /// Its `group.instance.id`.
    pub group_instance_id: Option<String>,
    /// The positions to commit.
    pub offsets: Vec<(TopicPartition, OffsetAndMetadata)>,
}

/// Kafka's OffsetCommit response: one result per partition, in request order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetCommitResponse {
    /// Each partition and its error, or `None` if committed.
    pub partitions: Vec<(TopicPartition, Option<ErrorCode>)>,
}

/// Kafka's OffsetFetch request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetFetchRequest {
    /// The group id.
    pub group_id: String,
    /// The partitions to look up, or `None` for every partition the group committed.
    pub partitions: Option<Vec<TopicPartition>>,
    /// KIP-447: answer `UNSTABLE_OFFSET_COMMIT` for partitions with commits still being written.
    pub require_stable: bool,
}

/// Kafka's OffsetFetch response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetFetchResponse {
    /// A group-level error, or `None`.
    pub error: Option<ErrorCode>,
    /// Each partition's committed position (`None` = nothing committed, Kafka's offset -1),
    /// or its error.
    pub partitions: Vec<(TopicPartition, Result<Option<OffsetAndMetadata>, ErrorCode>)>,
}

/// A request from a consumer to its group coordinator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupRequest {
    /// Join (or rejoin) the group.
    JoinGroup(JoinGroupRequest),
    /// Send (leader) or receive (everyone) the generation's assignment.
    SyncGroup(SyncGroupRequest),
    /// Stay in the group; learn of a rebalance.
    Heartbeat(HeartbeatRequest),
    /// Leave the group.
    LeaveGroup(LeaveGroupRequest),
    /// Commit positions.
    OffsetCommit(OffsetCommitRequest),
    /// Read committed positions.
    OffsetFetch(OffsetFetchRequest),
}

impl GroupRequest {
    /// The group the request is for: the coordinator is chosen by it.
    pub fn group_id(&self) -> &str {
        match self {
            Self::JoinGroup(request) => &request.group_id,
            Self::SyncGroup(request) => &request.group_id,
            Self::Heartbeat(request) => &request.group_id,
            Self::LeaveGroup(request) => &request.group_id,
            Self::OffsetCommit(request) => &request.group_id,
            Self::OffsetFetch(request) => &request.group_id,
        }
    }
}

/// The coordinator's answer to a [`GroupRequest`] (the same variant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupResponse {
    /// Answer to [`GroupRequest::JoinGroup`].
    JoinGroup(JoinGroupResponse),
    /// Answer to [`GroupRequest::SyncGroup`].
    SyncGroup(SyncGroupResponse),
    /// Answer to [`GroupRequest::Heartbeat`]: `None` or the error (`REBALANCE_IN_PROGRESS`
    /// tells the member to rejoin).
    Heartbeat(Option<ErrorCode>),
    /// Answer to [`GroupRequest::LeaveGroup`].
    LeaveGroup(LeaveGroupResponse),
    /// Answer to [`GroupRequest::OffsetCommit`].
    OffsetCommit(OffsetCommitResponse),
    /// Answer to [`GroupRequest::OffsetFetch`].
    OffsetFetch(OffsetFetchResponse),
}

/// Java's `String.hashCode`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |hash, unit| {
        hash.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// The `__consumer_offsets` partition whose leader coordinates `group_id`: Kafka's
/// `Utils.abs(groupId.hashCode) % offsets.topic.num.partitions` (`Utils.abs` maps
/// `i32::MIN` to 0).
///
/// # Panics
/// If `offsets_partitions` is 0.
pub fn offsets_partition_for(group_id: &str, offsets_partitions: u32) -> u32 {
    let hash = java_string_hash(group_id);
    let abs = if hash == i32::MIN {
        0
    } else {
        hash.unsigned_abs()
    };
    abs % offsets_partitions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hash_code_matches_java() {
        // Values from `"...".hashCode()` in Java.
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
    }

    #[test]
    fn coordinator_partition_follows_kafka() {
        // "my-group".hashCode() = -1906497762; "test-group".hashCode() = 627841412.
        assert_eq!(java_string_hash("my-group"), -1_906_497_762);
        assert_eq!(offsets_partition_for("my-group", 50), 12);
        assert_eq!(offsets_partition_for("test-group", 50), 12);
        assert_eq!(offsets_partition_for("a", 50), 47);
        // Utils.abs(Integer.MIN_VALUE) is 0 in Kafka.
        assert_eq!(offsets_partition_for("polygenelubricants", 50), 0);
    }
}
