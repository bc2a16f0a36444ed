//! Kafka's classic group coordinator (`GroupCoordinator`, `GroupMetadata`,
//! `GroupMetadataManager` of Kafka 3.7) as a sans-I/O state machine.
//!
//! A [`GroupCoordinator`] holds every group of the `__consumer_offsets` partitions this broker
//! leads. It takes inputs and produces outputs; it never reads a clock or does I/O:
//!
//! * getters: [`owns_partition`](GroupCoordinator::owns_partition),
//!   [`describe_group`](GroupCoordinator::describe_group),
//!   [`list_groups`](GroupCoordinator::list_groups),
//!   [`committed_offsets`](GroupCoordinator::committed_offsets),
//!   [`poll_timeout`](GroupCoordinator::poll_timeout);
//! * inputs: [`handle`](GroupCoordinator::handle) (a consumer's request),
//!   [`handle_timeout`](GroupCoordinator::handle_timeout),
//!   [`on_append`](GroupCoordinator::on_append) (the host wrote an [`CoordinatorOutput::Append`]),
//!   [`load_partition`](GroupCoordinator::load_partition),
//!   [`unload_partition`](GroupCoordinator::unload_partition),
//!   [`delete_groups`](GroupCoordinator::delete_groups);
//! * outputs: [`poll_output`](GroupCoordinator::poll_output) (responses, immediate or delayed,
//!   and records to append) and [`poll_events`](GroupCoordinator::poll_events) (what happened,
//!   for a visualisation).
//!
//! After each input, drain `poll_output` until `None`, then wait until `poll_timeout`.
//!
//! The handlers live in one module each: `join.rs` (JoinGroup and rebalances), `session.rs`
//! (SyncGroup, Heartbeat, LeaveGroup), `commits.rs` (OffsetCommit, OffsetFetch), `appends.rs`
//! (append results), `timers.rs` (deadlines), `load.rs` (partition load and unload),
//! `describe.rs` (describe, list, delete); `group.rs` is one group's state.
//!
//! State reaches `__consumer_offsets` as Kafka's own records ([`records`]): a group's
//! membership when a generation's assignment is set (and when it becomes empty or a static
//! member is replaced), and every committed offset. Responses that depend on a write (SyncGroup,
//! OffsetCommit, a static member's rejoin) are sent after [`on_append`](GroupCoordinator::on_append);
//! reloading those records with [`load_partition`](GroupCoordinator::load_partition) rebuilds
//! the groups and offsets.
//!
//! Where rill differs from Kafka, on purpose:
//!
//! * timers fire at their exact deadline: offsets expire `offsets.retention.ms` after the
//!   group became `Empty` (or after the commit, for a group that never had members), not at
//!   the next `offsets.retention.check.interval.ms` pass; offsets of topics a live group no
//!   longer subscribes to do not expire;
//! * a JoinGroup or SyncGroup that a second one from the same member replaces while it waits is
//!   answered `REBALANCE_IN_PROGRESS` instead of being dropped, so every request is answered;
//! * an `Empty` group that never had a generation, members or offsets (a rejected first join,
//!   an unused `MEMBER_ID_REQUIRED` id) is forgotten at once rather than at the next cleanup;
//! * when two protocols get the same number of votes, the one whose name sorts first wins
//!   (Kafka takes whichever its hash map yields first).

mod appends;
mod commits;
pub mod config;
mod describe;
pub mod group;
mod join;
mod load;
pub mod offsets;
pub mod records;
mod session;
mod timers;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub use config::CoordinatorConfig;
pub use group::GroupState;
pub use offsets::CommittedOffset;

use group::{Group, Member};
use records::{GroupMetadataValue, MemberMetadataValue, OffsetCommitValue, OffsetsKey};

use crate::error::ErrorCode;
use crate::group::TopicPartition;
use crate::group::protocol::{
    GroupRequest, GroupResponse, HeartbeatRequest, JoinGroupProtocol, JoinGroupRequest,
    JoinGroupResponse, JoinGroupResponseMember, LeaveGroupRequest, LeaveGroupResponse,
    MemberAssignment, OffsetAndMetadata, OffsetCommitRequest, OffsetCommitResponse,
    OffsetFetchRequest, OffsetFetchResponse, Subscription, SyncGroupRequest, SyncGroupResponse,
    UNKNOWN_MEMBER_ID, offsets_partition_for,
};
use crate::prng::Prng;
use crate::record::NewRecord;

/// How long a member that joined during a rebalance may wait to rejoin before it is dropped
/// (Kafka's `GroupCoordinator.NewMemberJoinTimeoutMs`, 5 minutes).
pub const NEW_MEMBER_JOIN_TIMEOUT_MS: i64 = 5 * 60 * 1000;

/// The most timer firings one [`GroupCoordinator::handle_timeout`] performs.
const TIMER_FIRINGS_MAX: usize = 100_000;

/// What the coordinator asks of its host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoordinatorOutput {
    /// Send `response` as the answer to the request the host handed in as `request_id`.
    Respond {
        /// The id the host gave the request.
        request_id: u64,
        /// The answer.
        response: GroupResponse,
    },
    /// Append `records` to `__consumer_offsets` partition `partition` (and replicate them),
    /// then call [`GroupCoordinator::on_append`] with `append_id`.
    Append {
        /// The id to report back.
        append_id: u64,
        /// The `__consumer_offsets` partition.
        partition: u32,
        /// The records, keys and values in Kafka's formats ([`records`]).
        records: Vec<NewRecord>,
    },
}

/// Why a member was removed without leaving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiryCause {
    /// No heartbeat within its session timeout.
    SessionTimeout,
    /// It did not rejoin before the rebalance timed out.
    NotRejoined,
    /// It did not send SyncGroup before the rebalance timeout after the join.
    NotSynced,
    /// A member id handed out with `MEMBER_ID_REQUIRED` was never used to join.
    PendingJoinTimeout,
}

/// What happened in a group, for a visualisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupEvent {
    /// A member was added to a group.
    MemberJoined {
        /// The group.
        group_id: String,
        /// The new member's id.
        member_id: String,
        /// Its `group.instance.id`.
        group_instance_id: Option<String>,
        /// Its `client.id`.
        client_id: String,
    },
    /// A member left with LeaveGroup.
    MemberLeft {
        /// The group.
        group_id: String,
        /// The member.
        member_id: String,
        /// The reason the client gave.
        reason: Option<String>,
    },
    /// A member (or a pending member id) was removed by a timer.
    MemberExpired {
        /// The group.
        group_id: String,
        /// The member.
        member_id: String,
        /// Which timer.
        cause: ExpiryCause,
    },
    /// A static member rejoined with a new member id; the old id is fenced.
    MemberFenced {
        /// The group.
        group_id: String,
        /// The `group.instance.id`.
        group_instance_id: String,
        /// The fenced member id.
        old_member_id: String,
        /// The id that replaces it.
        new_member_id: String,
    },
    /// The group changed state.
    StateChanged {
        /// The group.
        group_id: String,
        /// The previous state.
        from: GroupState,
        /// The new state.
        to: GroupState,
    },
    /// A rebalance began.
    RebalanceStarted {
        /// The group.
        group_id: String,
        /// The generation being replaced.
        generation: i32,
        /// What triggered it (Kafka's log message wording).
        reason: String,
    },
    /// A generation's assignment was written and handed out (the group is `Stable`), or the
    /// generation ended with no members (the group is `Empty`).
    GenerationCompleted {
        /// The group.
        group_id: String,
        /// The generation.
        generation: i32,
        /// The chosen assignment strategy.
        protocol: Option<String>,
        /// The leader.
        leader: Option<String>,
        /// Each member's assignment.
        assignments: Vec<(String, MemberAssignment)>,
    },
    /// Offsets were committed (written to `__consumer_offsets`).
    OffsetsCommitted {
        /// The group.
        group_id: String,
        /// The committing member (empty for a standalone consumer).
        member_id: String,
        /// The committed offsets.
        offsets: Vec<(TopicPartition, i64)>,
    },
    /// Offsets expired after `offsets.retention.ms`.
    OffsetsExpired {
        /// The group.
        group_id: String,
        /// The expired partitions.
        partitions: Vec<TopicPartition>,
    },
    /// The group was deleted or expired (its state is gone).
    GroupRemoved {
        /// The group.
        group_id: String,
    },
}

/// A member as `DescribeGroups` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberDescription {
    /// The member id.
    pub member_id: String,
    /// The static member's `group.instance.id`.
    pub group_instance_id: Option<String>,
    /// The client's `client.id`.
    pub client_id: String,
    /// The client's host.
    pub client_host: String,
    /// The member's subscription for the group's protocol (only while `Stable`, as Kafka).
    pub subscription: Option<Subscription>,
    /// The member's assignment (empty unless `Stable`, as Kafka).
    pub assignment: MemberAssignment,
}

/// A group as `DescribeGroups` shows it, plus its generation and leader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDescription {
    /// The group id.
    pub group_id: String,
    /// The state (`Dead` for a group the coordinator does not have).
    pub state: GroupState,
    /// The protocol type (`""` if none).
    pub protocol_type: String,
    /// The chosen protocol (`""` unless `Stable`, as Kafka).
    pub protocol: String,
    /// The generation.
    pub generation: i32,
    /// The leader's member id.
    pub leader: Option<String>,
    /// The members, by member id.
    pub members: Vec<MemberDescription>,
}

/// A group as `ListGroups` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupListing {
    /// The group id.
    pub group_id: String,
    /// The protocol type (`""` if none).
    pub protocol_type: String,
    /// The state.
    pub state: GroupState,
}

/// A write the coordinator waits for.
#[derive(Clone, Debug)]
enum PendingAppend {
    /// The leader's assignment of `generation`.
    Sync {
        group_id: String,
        generation: i32,
        assignments: BTreeMap<String, MemberAssignment>,
    },
    /// A static member replaced while `Stable`.
    StaticReplace {
        group_id: String,
        generation: i32,
        instance_id: String,
        old_member_id: String,
        new_member_id: String,
        old_protocols: Vec<JoinGroupProtocol>,
        old_timeouts: (i32, i32),
        leader: Option<String>,
    },
    /// An OffsetCommit.
    Commit {
        group_id: String,
        request_id: u64,
        member_id: String,
        results: Vec<(TopicPartition, Option<ErrorCode>)>,
        offsets: Vec<(TopicPartition, CommittedOffset)>,
    },
    /// A write nobody waits for (an empty group's record, tombstones).
    Unobserved,
}

/// Kafka's mapping of an append error for a group metadata write (`storeGroup`).
fn group_append_error(error: ErrorCode) -> ErrorCode {
    match error {
        ErrorCode::UnknownTopicOrPartition
        | ErrorCode::NotEnoughReplicas
        | ErrorCode::NotEnoughReplicasAfterAppend => ErrorCode::CoordinatorNotAvailable,
        ErrorCode::NotLeaderOrFollower => ErrorCode::NotCoordinator,
        ErrorCode::RequestTimedOut => ErrorCode::RebalanceInProgress,
        ErrorCode::MessageTooLarge => ErrorCode::UnknownServerError,
        other => other,
    }
}

/// Kafka's mapping of an append error for an offset commit (`storeOffsets`).
fn offset_append_error(error: ErrorCode) -> ErrorCode {
    match error {
        ErrorCode::UnknownTopicOrPartition
        | ErrorCode::NotEnoughReplicas
        | ErrorCode::NotEnoughReplicasAfterAppend => ErrorCode::CoordinatorNotAvailable,
        ErrorCode::NotLeaderOrFollower => ErrorCode::NotCoordinator,
        ErrorCode::MessageTooLarge => ErrorCode::InvalidCommitOffsetSize,
        other => other,
    }
}

fn join_error(member_id: &str, error: ErrorCode) -> GroupResponse {
    GroupResponse::JoinGroup(JoinGroupResponse {
        error: Some(error),
        generation_id: -1,
        protocol_type: None,
        protocol_name: None,
        leader: String::new(),
        skip_assignment: false,
        member_id: member_id.to_string(),
        members: Vec::new(),
    })
}

fn sync_error(error: ErrorCode) -> GroupResponse {
    GroupResponse::SyncGroup(SyncGroupResponse {
        error: Some(error),
        protocol_type: None,
        protocol_name: None,
        assignment: MemberAssignment::default(),
    })
}

/// The response to `request` when the whole request fails with `error`.
fn error_response(request: &GroupRequest, error: ErrorCode) -> GroupResponse {
    match request {
        GroupRequest::JoinGroup(r) => join_error(&r.member_id, error),
        GroupRequest::SyncGroup(_) => sync_error(error),
        GroupRequest::Heartbeat(_) => GroupResponse::Heartbeat(Some(error)),
        GroupRequest::LeaveGroup(_) => GroupResponse::LeaveGroup(LeaveGroupResponse {
            error: Some(error),
            members: Vec::new(),
        }),
        GroupRequest::OffsetCommit(r) => GroupResponse::OffsetCommit(OffsetCommitResponse {
            partitions: r
                .offsets
                .iter()
                .map(|(tp, _)| (tp.clone(), Some(error)))
                .collect(),
        }),
        GroupRequest::OffsetFetch(_) => GroupResponse::OffsetFetch(OffsetFetchResponse {
            error: Some(error),
            partitions: Vec::new(),
        }),
    }
}

/// A random (version 4) UUID in Java's `UUID.toString` form, drawn from `prng`.
fn random_uuid(prng: &mut Prng) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&prng.next_u64().to_be_bytes());
    bytes[8..].copy_from_slice(&prng.next_u64().to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The group coordinator for the `__consumer_offsets` partitions this broker leads.
#[derive(Clone, Debug)]
pub struct GroupCoordinator {
    config: CoordinatorConfig,
    prng: Prng,
    owned: BTreeSet<u32>,
    groups: BTreeMap<String, Group>,
    outputs: VecDeque<CoordinatorOutput>,
    events: Vec<GroupEvent>,
    next_append_id: u64,
    appends: BTreeMap<u64, PendingAppend>,
    /// Accepted offset commits, noted for a checker (`None`: not asked for).
    audit: Option<Vec<CommitAccepted>>,
    /// A deliberate bug for the checker's own tests.
    bug: Option<crate::cluster::bug::InjectedBug>,
}

/// An offset commit the coordinator accepted, as noted for a checker
/// ([`GroupCoordinator::enable_audit`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitAccepted {
    /// The group.
    pub group: String,
    /// The member id in the request (empty: standalone or admin).
    pub member_id: String,
    /// The generation in the request (-1: none).
    pub generation: i32,
    /// The group's generation when the commit was accepted.
    pub group_generation: i32,
    /// The member's assignment in the group's current generation, if the group has one for it.
    pub assignment: Option<Vec<TopicPartition>>,
    /// The offsets accepted.
    pub offsets: Vec<(TopicPartition, i64)>,
}

impl GroupCoordinator {
    /// A coordinator leading no partition yet; member ids draw their UUIDs from `seed`.
    pub fn new(config: CoordinatorConfig, seed: u64) -> Self {
        Self {
            config,
            prng: Prng::new(seed),
            owned: BTreeSet::new(),
            groups: BTreeMap::new(),
            outputs: VecDeque::new(),
            events: Vec::new(),
            next_append_id: 0,
            appends: BTreeMap::new(),
            audit: None,
            bug: None,
        }
    }

    /// Starts noting every accepted offset commit ([`GroupCoordinator::poll_audit`]).
    pub fn enable_audit(&mut self) {
        self.audit.get_or_insert_with(Vec::new);
    }

    /// The commits accepted since the last call (empty unless audit is enabled).
    pub fn poll_audit(&mut self) -> Vec<CommitAccepted> {
        self.audit.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Breaks this coordinator on purpose; for the simulator checker's own tests.
    #[doc(hidden)]
    pub fn inject_bug(&mut self, bug: crate::cluster::bug::InjectedBug) {
        self.bug = Some(bug);
    }

    /// The configuration.
    pub fn config(&self) -> &CoordinatorConfig {
        &self.config
    }

    /// The `__consumer_offsets` partition of `group_id`.
    pub fn partition_for(&self, group_id: &str) -> u32 {
        offsets_partition_for(group_id, self.config.offsets_topic_partitions.max(1))
    }

    /// Whether this coordinator leads (has loaded) `__consumer_offsets` partition `partition`.
    pub fn owns_partition(&self, partition: u32) -> bool {
        self.owned.contains(&partition)
    }

    fn owns_group(&self, group_id: &str) -> bool {
        self.owns_partition(self.partition_for(group_id))
    }

    // ----- outputs -----

    /// The next thing for the host to do, in order.
    pub fn poll_output(&mut self) -> Option<CoordinatorOutput> {
        self.outputs.pop_front()
    }

    /// The events since the last call, in order.
    pub fn poll_events(&mut self) -> Vec<GroupEvent> {
        std::mem::take(&mut self.events)
    }

    fn respond(&mut self, request_id: u64, response: GroupResponse) {
        self.outputs.push_back(CoordinatorOutput::Respond {
            request_id,
            response,
        });
    }

    fn append(&mut self, group_id: &str, records: Vec<NewRecord>, pending: PendingAppend) {
        let append_id = self.next_append_id;
        self.next_append_id += 1;
        self.appends.insert(append_id, pending);
        let partition = self.partition_for(group_id);
        self.outputs.push_back(CoordinatorOutput::Append {
            append_id,
            partition,
            records,
        });
    }

    // ----- requests -----

    /// Handles one request from client `client_id`. The answer comes out of
    /// [`poll_output`](Self::poll_output) as [`CoordinatorOutput::Respond`] with `request_id`,
    /// now or later (a JoinGroup waits for the rebalance, a SyncGroup for the assignment).
    pub fn handle(&mut self, now: i64, request_id: u64, client_id: &str, request: GroupRequest) {
        self.handle_timeout(now);
        let group_id = request.group_id().to_string();
        let needs_id = !matches!(
            request,
            GroupRequest::OffsetCommit(_) | GroupRequest::OffsetFetch(_)
        );
        if needs_id && group_id.is_empty() {
            let response = error_response(&request, ErrorCode::InvalidGroupId);
            self.respond(request_id, response);
            return;
        }
        if !self.owns_group(&group_id) {
            let response = error_response(&request, ErrorCode::NotCoordinator);
            self.respond(request_id, response);
            return;
        }
        match request {
            GroupRequest::JoinGroup(r) => self.join_group(now, request_id, client_id, r),
            GroupRequest::SyncGroup(r) => self.sync_group(now, request_id, r),
            GroupRequest::Heartbeat(r) => self.heartbeat(now, request_id, r),
            GroupRequest::LeaveGroup(r) => self.leave_group(now, request_id, r),
            GroupRequest::OffsetCommit(r) => self.offset_commit(now, request_id, r),
            GroupRequest::OffsetFetch(r) => self.offset_fetch(request_id, r),
        }
        self.drop_if_unused(&group_id);
        self.handle_timeout(now);
    }

    /// Forgets an `Empty` group that never had a generation, members or offsets (Kafka drops
    /// such groups at its next cleanup).
    fn drop_if_unused(&mut self, group_id: &str) {
        if let Some(g) = self.groups.get(group_id)
            && g.state == GroupState::Empty
            && g.generation == 0
            && g.members.is_empty()
            && g.pending_members.is_empty()
            && g.offsets.is_empty()
            && g.pending_offsets.is_empty()
        {
            self.groups.remove(group_id);
        }
    }

    fn take_group(&mut self, group_id: &str) -> Option<Group> {
        self.groups.remove(group_id)
    }

    fn put_group(&mut self, group: Group) {
        self.groups.insert(group.group_id.clone(), group);
    }
}
