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

pub mod config;
pub mod group;
pub mod offsets;
pub mod records;

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
#[derive(Debug)]
pub struct GroupCoordinator {
    config: CoordinatorConfig,
    prng: Prng,
    owned: BTreeSet<u32>,
    groups: BTreeMap<String, Group>,
    outputs: VecDeque<CoordinatorOutput>,
    events: Vec<GroupEvent>,
    next_append_id: u64,
    appends: BTreeMap<u64, PendingAppend>,
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
        }
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

    // ----- getters -----

    /// `DescribeGroups` for one group: `Dead` with no members if the group does not exist.
    ///
    /// # Errors
    /// `NOT_COORDINATOR` if the group's partition is not led here.
    pub fn describe_group(&self, group_id: &str) -> Result<GroupDescription, ErrorCode> {
        if !self.owns_group(group_id) {
            return Err(ErrorCode::NotCoordinator);
        }
        let Some(group) = self.groups.get(group_id) else {
            return Ok(GroupDescription {
                group_id: group_id.to_string(),
                state: GroupState::Dead,
                protocol_type: String::new(),
                protocol: String::new(),
                generation: 0,
                leader: None,
                members: Vec::new(),
            });
        };
        let stable = group.state == GroupState::Stable;
        let protocol = if stable { group.protocol.clone() } else { None };
        let members = group
            .members
            .values()
            .map(|m| MemberDescription {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                client_id: m.client_id.clone(),
                client_host: m.client_host.clone(),
                subscription: protocol.as_deref().and_then(|p| m.metadata(p)).cloned(),
                assignment: if stable {
                    m.assignment.clone()
                } else {
                    MemberAssignment::default()
                },
            })
            .collect();
        Ok(GroupDescription {
            group_id: group_id.to_string(),
            state: group.state,
            protocol_type: group.protocol_type.clone().unwrap_or_default(),
            protocol: protocol.unwrap_or_default(),
            generation: group.generation,
            leader: group.leader.clone(),
            members,
        })
    }

    /// `ListGroups`: every group of the partitions led here, by group id.
    pub fn list_groups(&self) -> Vec<GroupListing> {
        self.groups
            .values()
            .map(|g| GroupListing {
                group_id: g.group_id.clone(),
                protocol_type: g.protocol_type.clone().unwrap_or_default(),
                state: g.state,
            })
            .collect()
    }

    /// The group's committed offsets (empty for an unknown group).
    ///
    /// # Errors
    /// `NOT_COORDINATOR` if the group's partition is not led here.
    pub fn committed_offsets(
        &self,
        group_id: &str,
    ) -> Result<BTreeMap<TopicPartition, CommittedOffset>, ErrorCode> {
        if !self.owns_group(group_id) {
            return Err(ErrorCode::NotCoordinator);
        }
        Ok(self
            .groups
            .get(group_id)
            .map(|g| g.offsets.clone())
            .unwrap_or_default())
    }

    // ----- partitions -----

    /// Takes over `__consumer_offsets` partition `partition` and rebuilds its groups and
    /// offsets from `records` (key and value of each record, in offset order). The last record
    /// of a key wins; a tombstone deletes; undecodable records are skipped. Groups with
    /// members come back `Stable` and their members must heartbeat within their session.
    pub fn load_partition(
        &mut self,
        now: i64,
        partition: u32,
        records: impl IntoIterator<Item = (Option<Vec<u8>>, Option<Vec<u8>>)>,
    ) {
        self.drop_partition_groups(partition, ErrorCode::NotCoordinator);
        self.owned.insert(partition);
        let mut metadata: BTreeMap<String, Option<Group>> = BTreeMap::new();
        let mut offsets: BTreeMap<String, BTreeMap<TopicPartition, Option<CommittedOffset>>> =
            BTreeMap::new();
        for (key, value) in records {
            let Some(key) = key.as_deref().and_then(OffsetsKey::decode) else {
                continue;
            };
            match key {
                OffsetsKey::Offset {
                    group,
                    topic,
                    partition,
                } => {
                    let Ok(partition) = u32::try_from(partition) else {
                        continue;
                    };
                    let tp = TopicPartition::new(topic, partition);
                    let entry = match value {
                        None => None,
                        Some(bytes) => match OffsetCommitValue::decode(&bytes) {
                            Some(v) => Some(CommittedOffset {
                                offset: OffsetAndMetadata {
                                    offset: v.offset,
                                    leader_epoch: (v.leader_epoch >= 0).then_some(v.leader_epoch),
                                    metadata: v.metadata,
                                },
                                commit_timestamp: v.commit_timestamp,
                            }),
                            None => continue,
                        },
                    };
                    offsets.entry(group).or_default().insert(tp, entry);
                }
                OffsetsKey::Group { group } => {
                    let entry = match value {
                        None => None,
                        Some(bytes) => {
                            match GroupMetadataValue::decode(&bytes)
                                .and_then(|v| Self::group_from_record(&group, &v, now))
                            {
                                Some(g) => Some(g),
                                None => continue,
                            }
                        }
                    };
                    metadata.insert(group, entry);
                }
            }
        }
        let mut loaded: BTreeMap<String, Group> = metadata
            .into_iter()
            .filter_map(|(id, g)| g.map(|g| (id, g)))
            .collect();
        for (group_id, group_offsets) in offsets {
            let live: BTreeMap<_, _> = group_offsets
                .into_iter()
                .filter_map(|(tp, o)| o.map(|o| (tp, o)))
                .collect();
            if live.is_empty() {
                continue;
            }
            loaded
                .entry(group_id.clone())
                .or_insert_with(|| Group::new(&group_id, GroupState::Empty, now))
                .offsets = live;
        }
        for (_, mut group) in loaded {
            // Kafka's `onGroupLoaded`: a group over `group.max.size` rebalances so that the
            // excess members are dropped.
            if group.members.len() > self.config.group_max_size as usize {
                let reason = format!(
                    "Freshly-loaded group is over capacity ({}). Rebalancing in order to give a \
                     chance for consumers to commit offsets",
                    self.config.group_max_size
                );
                self.prepare_rebalance(now, &mut group, reason);
            }
            self.put_group(group);
        }
    }

    /// A group as a `GroupMetadataValue` describes it, or `None` if its members' bytes do not
    /// decode.
    fn group_from_record(group_id: &str, value: &GroupMetadataValue, now: i64) -> Option<Group> {
        let state = if value.members.is_empty() {
            GroupState::Empty
        } else {
            GroupState::Stable
        };
        let mut group = Group::new(group_id, state, now);
        if value.current_state_timestamp >= 0 {
            group.state_timestamp = value.current_state_timestamp;
        }
        group.protocol_type =
            (!value.protocol_type.is_empty()).then(|| value.protocol_type.clone());
        group.generation = value.generation;
        group.protocol = value.protocol.clone();
        group.leader = value.leader.clone();
        for m in &value.members {
            let protocol = value.protocol.clone()?;
            let subscription = records::decode_subscription(&m.subscription)?;
            let assignment = records::decode_assignment(&m.assignment)?;
            group.members.insert(
                m.member_id.clone(),
                Member {
                    member_id: m.member_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    client_id: m.client_id.clone(),
                    client_host: m.client_host.clone(),
                    rebalance_timeout_ms: m.rebalance_timeout,
                    session_timeout_ms: m.session_timeout,
                    protocol_type: value.protocol_type.clone(),
                    protocols: vec![JoinGroupProtocol {
                        name: protocol,
                        metadata: subscription,
                    }],
                    assignment,
                    awaiting_join: None,
                    awaiting_sync: None,
                    is_new: false,
                    heartbeat_deadline: now + i64::from(m.session_timeout),
                },
            );
        }
        if state == GroupState::Empty {
            group.protocol = None;
            group.leader = None;
        }
        Some(group)
    }

    /// Gives up `__consumer_offsets` partition `partition`: its groups are dropped and their
    /// waiting requests answered `NOT_COORDINATOR`.
    pub fn unload_partition(&mut self, now: i64, partition: u32) {
        let _ = now;
        self.drop_partition_groups(partition, ErrorCode::NotCoordinator);
        self.owned.remove(&partition);
    }

    fn drop_partition_groups(&mut self, partition: u32, error: ErrorCode) {
        let ids: Vec<String> = self
            .groups
            .keys()
            .filter(|id| self.partition_for(id) == partition)
            .cloned()
            .collect();
        for id in &ids {
            let Some(group) = self.groups.remove(id) else {
                continue;
            };
            for m in group.members.values() {
                if let Some(rid) = m.awaiting_join {
                    self.respond(rid, join_error(&m.member_id, error));
                }
                if let Some(rid) = m.awaiting_sync {
                    self.respond(rid, sync_error(error));
                }
            }
            if group.state != GroupState::Dead {
                self.events.push(GroupEvent::StateChanged {
                    group_id: id.clone(),
                    from: group.state,
                    to: GroupState::Dead,
                });
            }
        }
        let dropped: Vec<u64> = self
            .appends
            .iter()
            .filter(|(_, p)| match p {
                PendingAppend::Sync { group_id, .. }
                | PendingAppend::StaticReplace { group_id, .. }
                | PendingAppend::Commit { group_id, .. } => ids.contains(group_id),
                PendingAppend::Unobserved => false,
            })
            .map(|(&id, _)| id)
            .collect();
        for append_id in dropped {
            if let Some(PendingAppend::Commit {
                request_id,
                results,
                ..
            }) = self.appends.remove(&append_id)
            {
                self.respond(
                    request_id,
                    GroupResponse::OffsetCommit(OffsetCommitResponse {
                        partitions: results
                            .into_iter()
                            .map(|(tp, e)| (tp, Some(e.unwrap_or(error))))
                            .collect(),
                    }),
                );
            }
        }
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

    fn join_group(&mut self, now: i64, rid: u64, client_id: &str, req: JoinGroupRequest) {
        if req.session_timeout_ms < self.config.group_min_session_timeout_ms
            || req.session_timeout_ms > self.config.group_max_session_timeout_ms
        {
            self.respond(
                rid,
                join_error(&req.member_id, ErrorCode::InvalidSessionTimeout),
            );
            return;
        }
        let new_member = req.member_id.is_empty();
        let mut group = match self.take_group(&req.group_id) {
            Some(g) => g,
            None if new_member => Group::new(&req.group_id, GroupState::Empty, now),
            None => {
                self.respond(rid, join_error(&req.member_id, ErrorCode::UnknownMemberId));
                return;
            }
        };
        if !self.accept_joining_member(&group, &req.member_id) {
            // A member over the limit is dropped (the group may be over it after a load).
            self.remove_member(&mut group, &req.member_id);
            self.respond(
                rid,
                join_error(&req.member_id, ErrorCode::GroupMaxSizeReached),
            );
        } else if !group.supports_protocols(&req.protocol_type, &req.protocols) {
            self.respond(
                rid,
                join_error(&req.member_id, ErrorCode::InconsistentGroupProtocol),
            );
        } else if new_member {
            self.join_new_member(now, rid, client_id, &mut group, req);
        } else {
            self.join_current_member(now, rid, client_id, &mut group, req);
        }
        if group.state == GroupState::PreparingRebalance {
            self.try_complete_join(now, &mut group);
        }
        self.put_group(group);
    }

    /// Kafka's `acceptJoiningMember`: `group.max.size`.
    fn accept_joining_member(&self, group: &Group, member_id: &str) -> bool {
        let max = self.config.group_max_size as usize;
        match group.state {
            GroupState::Empty | GroupState::Dead => true,
            GroupState::PreparingRebalance => {
                group
                    .members
                    .get(member_id)
                    .is_some_and(|m| m.awaiting_join.is_some())
                    || group
                        .members
                        .values()
                        .filter(|m| m.awaiting_join.is_some())
                        .count()
                        < max
            }
            GroupState::CompletingRebalance | GroupState::Stable => {
                group.members.contains_key(member_id) || group.members.len() < max
            }
        }
    }

    fn join_new_member(
        &mut self,
        now: i64,
        rid: u64,
        client_id: &str,
        group: &mut Group,
        req: JoinGroupRequest,
    ) {
        let prefix = req.group_instance_id.as_deref().unwrap_or(client_id);
        let member_id = format!("{prefix}-{}", random_uuid(&mut self.prng));
        match req.group_instance_id.clone() {
            Some(instance_id) => match group.static_member_id(&instance_id).map(str::to_string) {
                Some(old_member_id) => self.replace_static_member(
                    now,
                    rid,
                    group,
                    &instance_id,
                    &old_member_id,
                    &member_id,
                    req,
                ),
                None => self.add_member_and_rebalance(now, rid, client_id, group, &member_id, req),
            },
            None => {
                // KIP-394: a dynamic member learns its id first and must join again with it.
                group
                    .pending_members
                    .insert(member_id.clone(), now + i64::from(req.session_timeout_ms));
                self.respond(rid, join_error(&member_id, ErrorCode::MemberIdRequired));
            }
        }
    }

    fn join_current_member(
        &mut self,
        now: i64,
        rid: u64,
        client_id: &str,
        group: &mut Group,
        req: JoinGroupRequest,
    ) {
        if group.pending_members.contains_key(&req.member_id) {
            if req.group_instance_id.is_some() {
                self.respond(rid, join_error(&req.member_id, ErrorCode::UnknownMemberId));
                return;
            }
            let member_id = req.member_id.clone();
            self.add_member_and_rebalance(now, rid, client_id, group, &member_id, req);
            return;
        }
        if let Err(error) = group.validate_member(&req.member_id, req.group_instance_id.as_deref())
        {
            self.respond(rid, join_error(&req.member_id, error));
            return;
        }
        let is_leader = group.leader.as_deref() == Some(req.member_id.as_str());
        let matches = group
            .members
            .get(&req.member_id)
            .is_some_and(|m| m.matches(&req.protocols));
        match group.state {
            GroupState::PreparingRebalance => {
                let reason = format!(
                    "Member {} joining group during PreparingRebalance; client reason: {}",
                    req.member_id,
                    req.reason.as_deref().unwrap_or("not provided")
                );
                self.update_member_and_rebalance(now, rid, group, req, reason);
            }
            GroupState::CompletingRebalance if matches => {
                // A duplicate join: answer with the generation it already got.
                let response = self.join_response(group, &req.member_id);
                self.respond(rid, response);
            }
            GroupState::Stable if matches && !is_leader => {
                let response = self.join_response(group, &req.member_id);
                self.respond(rid, response);
            }
            GroupState::CompletingRebalance | GroupState::Stable => {
                let reason = if matches {
                    format!("Leader {} re-joining group during Stable", req.member_id)
                } else {
                    format!(
                        "Updating metadata for member {} during {}",
                        req.member_id, group.state
                    )
                };
                self.update_member_and_rebalance(now, rid, group, req, reason);
            }
            GroupState::Empty | GroupState::Dead => {
                self.respond(rid, join_error(&req.member_id, ErrorCode::UnknownMemberId));
            }
        }
    }

    /// The JoinGroup answer for `member_id` of the current generation: the member list for the
    /// leader only.
    fn join_response(&self, group: &Group, member_id: &str) -> GroupResponse {
        let is_leader = group.leader.as_deref() == Some(member_id);
        let protocol = group.protocol.clone().unwrap_or_default();
        let members = if is_leader {
            group
                .members
                .values()
                .map(|m| JoinGroupResponseMember {
                    member_id: m.member_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    metadata: m.metadata(&protocol).cloned().unwrap_or_default(),
                })
                .collect()
        } else {
            Vec::new()
        };
        GroupResponse::JoinGroup(JoinGroupResponse {
            error: None,
            generation_id: group.generation,
            protocol_type: group.protocol_type.clone(),
            protocol_name: group.protocol.clone(),
            leader: group.leader.clone().unwrap_or_default(),
            skip_assignment: false,
            member_id: member_id.to_string(),
            members,
        })
    }

    fn add_member_and_rebalance(
        &mut self,
        now: i64,
        rid: u64,
        client_id: &str,
        group: &mut Group,
        member_id: &str,
        req: JoinGroupRequest,
    ) {
        let member = Member {
            member_id: member_id.to_string(),
            group_instance_id: req.group_instance_id.clone(),
            client_id: client_id.to_string(),
            client_host: String::new(),
            rebalance_timeout_ms: req.rebalance_timeout_ms,
            session_timeout_ms: req.session_timeout_ms,
            protocol_type: req.protocol_type.clone(),
            protocols: req.protocols,
            assignment: MemberAssignment::default(),
            awaiting_join: Some(rid),
            awaiting_sync: None,
            is_new: true,
            heartbeat_deadline: now + NEW_MEMBER_JOIN_TIMEOUT_MS,
        };
        if group.state == GroupState::PreparingRebalance && group.generation == 0 {
            group.new_member_added = true;
        }
        group.add(member);
        self.events.push(GroupEvent::MemberJoined {
            group_id: group.group_id.clone(),
            member_id: member_id.to_string(),
            group_instance_id: req.group_instance_id.clone(),
            client_id: client_id.to_string(),
        });
        let reason = format!(
            "Adding new member {member_id} with group instance id {:?}; client reason: {}",
            req.group_instance_id,
            req.reason.as_deref().unwrap_or("not provided")
        );
        self.maybe_prepare_rebalance(now, group, reason);
    }

    fn update_member_and_rebalance(
        &mut self,
        now: i64,
        rid: u64,
        group: &mut Group,
        req: JoinGroupRequest,
        reason: String,
    ) {
        let mut replaced = None;
        if let Some(member) = group.members.get_mut(&req.member_id) {
            member.protocols = req.protocols;
            member.rebalance_timeout_ms = req.rebalance_timeout_ms;
            member.session_timeout_ms = req.session_timeout_ms;
            replaced = member.awaiting_join.replace(rid);
        }
        if let Some(old) = replaced {
            self.respond(
                old,
                join_error(&req.member_id, ErrorCode::RebalanceInProgress),
            );
        }
        self.maybe_prepare_rebalance(now, group, reason);
    }

    #[allow(clippy::too_many_arguments)]
    fn replace_static_member(
        &mut self,
        now: i64,
        rid: u64,
        group: &mut Group,
        instance_id: &str,
        old_member_id: &str,
        new_member_id: &str,
        req: JoinGroupRequest,
    ) {
        let current_leader = group.leader.clone();
        let Some(mut member) = group.members.remove(old_member_id) else {
            return;
        };
        if let Some(old_rid) = member.awaiting_join.take() {
            self.respond(
                old_rid,
                join_error(old_member_id, ErrorCode::FencedInstanceId),
            );
        }
        if let Some(old_rid) = member.awaiting_sync.take() {
            self.respond(old_rid, sync_error(ErrorCode::FencedInstanceId));
        }
        self.events.push(GroupEvent::MemberFenced {
            group_id: group.group_id.clone(),
            group_instance_id: instance_id.to_string(),
            old_member_id: old_member_id.to_string(),
            new_member_id: new_member_id.to_string(),
        });
        let old_protocols = std::mem::replace(&mut member.protocols, req.protocols);
        let old_timeouts = (member.rebalance_timeout_ms, member.session_timeout_ms);
        member.member_id = new_member_id.to_string();
        member.rebalance_timeout_ms = req.rebalance_timeout_ms;
        member.session_timeout_ms = req.session_timeout_ms;
        member.heartbeat_deadline = now + i64::from(req.session_timeout_ms);
        member.awaiting_join = Some(rid);
        if group.leader.as_deref() == Some(old_member_id) {
            group.leader = Some(new_member_id.to_string());
        }
        if group.pending_sync.remove(old_member_id) {
            group.pending_sync.insert(new_member_id.to_string());
        }
        group.members.insert(new_member_id.to_string(), member);
        match group.state {
            GroupState::Stable if group.select_protocol() == group.protocol => {
                // KIP-345: no rebalance; persist the new member id, then answer.
                let record = self.group_record(now, group, None);
                let pending = PendingAppend::StaticReplace {
                    group_id: group.group_id.clone(),
                    generation: group.generation,
                    instance_id: instance_id.to_string(),
                    old_member_id: old_member_id.to_string(),
                    new_member_id: new_member_id.to_string(),
                    old_protocols,
                    old_timeouts,
                    leader: current_leader,
                };
                self.append(&group.group_id, vec![record], pending);
            }
            GroupState::Stable | GroupState::CompletingRebalance => {
                let reason = format!(
                    "Updating metadata for static member {new_member_id} with instance id {instance_id}"
                );
                self.prepare_rebalance(now, group, reason);
            }
            GroupState::PreparingRebalance => {}
            GroupState::Empty | GroupState::Dead => {
                // A group with a static member is never Empty or Dead.
                debug_assert!(false, "static member in an {} group", group.state);
            }
        }
    }

    fn maybe_prepare_rebalance(&mut self, now: i64, group: &mut Group, reason: String) {
        if group.can_rebalance() {
            self.prepare_rebalance(now, group, reason);
        }
    }

    /// Kafka's `prepareRebalance`.
    fn prepare_rebalance(&mut self, now: i64, group: &mut Group, reason: String) {
        if group.state == GroupState::CompletingRebalance {
            self.reset_and_propagate_assignment_error(group, ErrorCode::RebalanceInProgress);
        }
        group.sync_deadline = None;
        group.pending_sync.clear();
        if group.state == GroupState::Empty {
            let delay = i64::from(self.config.group_initial_rebalance_delay_ms);
            group.join_deadline = Some(now + delay);
            group.initial_delay_remaining =
                Some((delay, (group.rebalance_timeout_ms() - delay).max(0)));
        } else {
            group.join_deadline = Some(now + group.rebalance_timeout_ms());
            group.initial_delay_remaining = None;
        }
        self.events.push(GroupEvent::RebalanceStarted {
            group_id: group.group_id.clone(),
            generation: group.generation,
            reason,
        });
        group.transition(GroupState::PreparingRebalance, now, &mut self.events);
    }

    fn reset_and_propagate_assignment_error(&mut self, group: &mut Group, error: ErrorCode) {
        for member in group.members.values_mut() {
            member.assignment = MemberAssignment::default();
            if let Some(rid) = member.awaiting_sync.take() {
                self.outputs.push_back(CoordinatorOutput::Respond {
                    request_id: rid,
                    response: sync_error(error),
                });
            }
        }
    }

    /// Completes the join if every member rejoined (not during the initial delay).
    fn try_complete_join(&mut self, now: i64, group: &mut Group) {
        if group.state == GroupState::PreparingRebalance
            && group.initial_delay_remaining.is_none()
            && group.all_members_joined()
        {
            self.complete_join(now, group);
        }
    }

    /// Kafka's `onCompleteJoin`.
    fn complete_join(&mut self, now: i64, group: &mut Group) {
        debug_assert_eq!(group.state, GroupState::PreparingRebalance);
        // Dynamic members that did not rejoin are dropped; static ones stay until their
        // session expires (KIP-345).
        let not_rejoined: Vec<String> = group
            .members
            .values()
            .filter(|m| m.awaiting_join.is_none() && m.group_instance_id.is_none())
            .map(|m| m.member_id.clone())
            .collect();
        for member_id in not_rejoined {
            self.remove_member(group, &member_id);
            self.events.push(GroupEvent::MemberExpired {
                group_id: group.group_id.clone(),
                member_id,
                cause: ExpiryCause::NotRejoined,
            });
        }
        // Kafka's `maybeElectNewJoinedLeader`: a leader that did not rejoin hands over to a
        // member that did; if nobody rejoined, wait another rebalance timeout.
        let leader_joined = group
            .leader
            .as_ref()
            .and_then(|id| group.members.get(id))
            .is_some_and(|m| m.awaiting_join.is_some());
        if !leader_joined && !group.members.is_empty() {
            match group.members.values().find(|m| m.awaiting_join.is_some()) {
                Some(joined) => group.leader = Some(joined.member_id.clone()),
                None => {
                    let base = group.join_deadline.unwrap_or(now).max(now);
                    group.join_deadline = Some(base + group.rebalance_timeout_ms().max(1));
                    group.initial_delay_remaining = None;
                    return;
                }
            }
        }
        group.join_deadline = None;
        group.initial_delay_remaining = None;
        group.new_member_added = false;
        group.generation += 1;
        if group.members.is_empty() {
            group.protocol = None;
            group.leader = None;
            group.transition(GroupState::Empty, now, &mut self.events);
            let record = self.group_record(now, group, None);
            self.append(&group.group_id, vec![record], PendingAppend::Unobserved);
            self.events.push(GroupEvent::GenerationCompleted {
                group_id: group.group_id.clone(),
                generation: group.generation,
                protocol: None,
                leader: None,
                assignments: Vec::new(),
            });
            return;
        }
        group.protocol = group.select_protocol();
        group.transition(GroupState::CompletingRebalance, now, &mut self.events);
        let ids: Vec<String> = group.members.keys().cloned().collect();
        for member_id in &ids {
            let response = self.join_response(group, member_id);
            if let Some(member) = group.members.get_mut(member_id) {
                member.is_new = false;
                member.heartbeat_deadline = now + i64::from(member.session_timeout_ms);
                if let Some(rid) = member.awaiting_join.take() {
                    self.outputs.push_back(CoordinatorOutput::Respond {
                        request_id: rid,
                        response,
                    });
                }
            }
        }
        group.pending_sync = ids.into_iter().collect();
        group.sync_deadline = Some(now + group.rebalance_timeout_ms());
    }

    /// Removes a member, answering its waiting requests `UNKNOWN_MEMBER_ID`.
    fn remove_member(&mut self, group: &mut Group, member_id: &str) {
        if let Some(member) = group.remove(member_id) {
            if let Some(rid) = member.awaiting_join {
                self.respond(
                    rid,
                    join_error(UNKNOWN_MEMBER_ID, ErrorCode::UnknownMemberId),
                );
            }
            if let Some(rid) = member.awaiting_sync {
                self.respond(rid, sync_error(ErrorCode::UnknownMemberId));
            }
        }
    }

    /// Kafka's `removeMemberAndUpdateGroup`.
    fn remove_member_and_update(
        &mut self,
        now: i64,
        group: &mut Group,
        member_id: &str,
        reason: String,
    ) {
        self.remove_member(group, member_id);
        match group.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.maybe_prepare_rebalance(now, group, reason);
            }
            GroupState::PreparingRebalance => self.try_complete_join(now, group),
            GroupState::Empty | GroupState::Dead => {}
        }
    }

    /// The `GroupMetadataValue` record of `group`, with `assignments` if given, else each
    /// member's current assignment.
    fn group_record(
        &self,
        now: i64,
        group: &Group,
        assignments: Option<&BTreeMap<String, MemberAssignment>>,
    ) -> NewRecord {
        let protocol = group.protocol.clone().unwrap_or_default();
        let members = group
            .members
            .values()
            .map(|m| {
                let assignment = assignments
                    .map(|a| a.get(&m.member_id).cloned().unwrap_or_default())
                    .unwrap_or_else(|| m.assignment.clone());
                MemberMetadataValue {
                    member_id: m.member_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    client_id: m.client_id.clone(),
                    client_host: m.client_host.clone(),
                    rebalance_timeout: m.rebalance_timeout_ms,
                    session_timeout: m.session_timeout_ms,
                    subscription: records::encode_subscription(
                        &m.metadata(&protocol).cloned().unwrap_or_default(),
                    ),
                    assignment: if assignment == MemberAssignment::default() {
                        Vec::new()
                    } else {
                        records::encode_assignment(&assignment)
                    },
                }
            })
            .collect();
        let value = GroupMetadataValue {
            protocol_type: group.protocol_type.clone().unwrap_or_default(),
            generation: group.generation,
            protocol: group.protocol.clone(),
            leader: group.leader.clone(),
            current_state_timestamp: group.state_timestamp,
            members,
        };
        NewRecord {
            key: Some(
                OffsetsKey::Group {
                    group: group.group_id.clone(),
                }
                .encode(),
            ),
            value: Some(value.encode()),
            headers: Vec::new(),
            timestamp: Some(now),
        }
    }

    fn sync_group(&mut self, now: i64, rid: u64, req: SyncGroupRequest) {
        let Some(mut group) = self.take_group(&req.group_id) else {
            self.respond(rid, sync_error(ErrorCode::UnknownMemberId));
            return;
        };
        let result = self.do_sync_group(now, rid, &mut group, req);
        if let Err(error) = result {
            self.respond(rid, sync_error(error));
        }
        self.put_group(group);
    }

    fn do_sync_group(
        &mut self,
        now: i64,
        rid: u64,
        group: &mut Group,
        req: SyncGroupRequest,
    ) -> Result<(), ErrorCode> {
        if group.state == GroupState::Dead {
            return Err(ErrorCode::CoordinatorNotAvailable);
        }
        group.validate_member(&req.member_id, req.group_instance_id.as_deref())?;
        if req.generation_id != group.generation {
            return Err(ErrorCode::IllegalGeneration);
        }
        if req.protocol_type.is_some() && req.protocol_type != group.protocol_type
            || req.protocol_name.is_some() && req.protocol_name != group.protocol
        {
            return Err(ErrorCode::InconsistentGroupProtocol);
        }
        match group.state {
            GroupState::Empty | GroupState::Dead => Err(ErrorCode::UnknownMemberId),
            GroupState::PreparingRebalance => Err(ErrorCode::RebalanceInProgress),
            GroupState::CompletingRebalance => {
                self.remove_pending_sync(group, &req.member_id);
                let is_leader = group.leader.as_deref() == Some(req.member_id.as_str());
                let mut replaced = None;
                if let Some(member) = group.members.get_mut(&req.member_id) {
                    member.heartbeat_deadline = now + i64::from(member.session_timeout_ms);
                    replaced = member.awaiting_sync.replace(rid);
                }
                if let Some(old) = replaced {
                    self.respond(old, sync_error(ErrorCode::RebalanceInProgress));
                }
                if is_leader {
                    let given: BTreeMap<String, MemberAssignment> =
                        req.assignments.into_iter().collect();
                    let assignments: BTreeMap<String, MemberAssignment> = group
                        .members
                        .keys()
                        .map(|id| (id.clone(), given.get(id).cloned().unwrap_or_default()))
                        .collect();
                    let record = self.group_record(now, group, Some(&assignments));
                    let pending = PendingAppend::Sync {
                        group_id: group.group_id.clone(),
                        generation: group.generation,
                        assignments,
                    };
                    self.append(&group.group_id, vec![record], pending);
                }
                Ok(())
            }
            GroupState::Stable => {
                self.remove_pending_sync(group, &req.member_id);
                if let Some(member) = group.members.get_mut(&req.member_id) {
                    member.heartbeat_deadline = now + i64::from(member.session_timeout_ms);
                    let response = GroupResponse::SyncGroup(SyncGroupResponse {
                        error: None,
                        protocol_type: group.protocol_type.clone(),
                        protocol_name: group.protocol.clone(),
                        assignment: member.assignment.clone(),
                    });
                    self.respond(rid, response);
                }
                Ok(())
            }
        }
    }

    fn remove_pending_sync(&mut self, group: &mut Group, member_id: &str) {
        group.pending_sync.remove(member_id);
        if group.pending_sync.is_empty() {
            group.sync_deadline = None;
        }
    }

    fn heartbeat(&mut self, now: i64, rid: u64, req: HeartbeatRequest) {
        let result = match self.groups.get_mut(&req.group_id) {
            None => Some(ErrorCode::UnknownMemberId),
            Some(group) => {
                if group.state == GroupState::Dead {
                    Some(ErrorCode::CoordinatorNotAvailable)
                } else if let Err(e) =
                    group.validate_member(&req.member_id, req.group_instance_id.as_deref())
                {
                    Some(e)
                } else if req.generation_id != group.generation {
                    Some(ErrorCode::IllegalGeneration)
                } else {
                    let state = group.state;
                    if let Some(member) = group.members.get_mut(&req.member_id) {
                        member.heartbeat_deadline = now + i64::from(member.session_timeout_ms);
                    }
                    match state {
                        GroupState::Empty | GroupState::Dead => Some(ErrorCode::UnknownMemberId),
                        GroupState::PreparingRebalance => Some(ErrorCode::RebalanceInProgress),
                        GroupState::CompletingRebalance | GroupState::Stable => None,
                    }
                }
            }
        };
        self.respond(rid, GroupResponse::Heartbeat(result));
    }

    fn leave_group(&mut self, now: i64, rid: u64, req: LeaveGroupRequest) {
        let Some(mut group) = self.take_group(&req.group_id) else {
            let members = req
                .members
                .into_iter()
                .map(|m| (m, Some(ErrorCode::UnknownMemberId)))
                .collect();
            self.respond(
                rid,
                GroupResponse::LeaveGroup(LeaveGroupResponse {
                    error: None,
                    members,
                }),
            );
            return;
        };
        let mut results = Vec::with_capacity(req.members.len());
        for leaving in req.members {
            let error = if !leaving.member_id.is_empty()
                && group.pending_members.contains_key(&leaving.member_id)
            {
                group.pending_members.remove(&leaving.member_id);
                if group.state == GroupState::PreparingRebalance {
                    self.try_complete_join(now, &mut group);
                }
                None
            } else {
                let member_id = match (&leaving.group_instance_id, leaving.member_id.is_empty()) {
                    (Some(instance), true) => group
                        .static_member_id(instance)
                        .map(str::to_string)
                        .unwrap_or_default(),
                    _ => leaving.member_id.clone(),
                };
                match group.validate_member(&member_id, leaving.group_instance_id.as_deref()) {
                    Err(e) => Some(e),
                    Ok(()) => {
                        self.events.push(GroupEvent::MemberLeft {
                            group_id: group.group_id.clone(),
                            member_id: member_id.clone(),
                            reason: leaving.reason.clone(),
                        });
                        let reason = format!(
                            "Removing member {member_id} on LeaveGroup; client reason: {}",
                            leaving.reason.as_deref().unwrap_or("not provided")
                        );
                        self.remove_member_and_update(now, &mut group, &member_id, reason);
                        None
                    }
                }
            };
            results.push((leaving, error));
        }
        self.put_group(group);
        self.respond(
            rid,
            GroupResponse::LeaveGroup(LeaveGroupResponse {
                error: None,
                members: results,
            }),
        );
    }

    fn offset_commit(&mut self, now: i64, rid: u64, req: OffsetCommitRequest) {
        let all = |error: ErrorCode| {
            GroupResponse::OffsetCommit(OffsetCommitResponse {
                partitions: req
                    .offsets
                    .iter()
                    .map(|(tp, _)| (tp.clone(), Some(error)))
                    .collect(),
            })
        };
        let generation_given = req.generation_id >= 0;
        let group = match self.groups.get_mut(&req.group_id) {
            Some(g) => g,
            None if !generation_given => self
                .groups
                .entry(req.group_id.clone())
                .or_insert_with(|| Group::new(&req.group_id, GroupState::Empty, now)),
            None => {
                self.respond(rid, all(ErrorCode::IllegalGeneration));
                return;
            }
        };
        let check = if group.state == GroupState::Dead {
            Err(ErrorCode::CoordinatorNotAvailable)
        } else if !generation_given && group.state == GroupState::Empty {
            // Generation -1 (an admin client, or a consumer without group management) may
            // commit while the group is empty.
            Ok(())
        } else if generation_given || !req.member_id.is_empty() || req.group_instance_id.is_some() {
            group
                .validate_member(&req.member_id, req.group_instance_id.as_deref())
                .and_then(|()| {
                    if req.generation_id != group.generation {
                        Err(ErrorCode::IllegalGeneration)
                    } else if group.state == GroupState::CompletingRebalance {
                        Err(ErrorCode::RebalanceInProgress)
                    } else {
                        Ok(())
                    }
                })
        } else if group.state != GroupState::Empty {
            // When the group has members, only members can commit.
            Err(ErrorCode::UnknownMemberId)
        } else {
            Ok(())
        };
        if let Err(error) = check {
            let response = all(error);
            self.respond(rid, response);
            return;
        }
        if let Some(member) = group.members.get_mut(&req.member_id) {
            member.heartbeat_deadline = now + i64::from(member.session_timeout_ms);
        }
        let mut results = Vec::with_capacity(req.offsets.len());
        let mut valid = Vec::new();
        for (tp, offset) in &req.offsets {
            if i32::try_from(tp.partition).is_err() {
                results.push((tp.clone(), Some(ErrorCode::UnknownTopicOrPartition)));
            } else if offset.metadata.len() > self.config.offset_metadata_max_bytes {
                results.push((tp.clone(), Some(ErrorCode::OffsetMetadataTooLarge)));
            } else {
                results.push((tp.clone(), None));
                valid.push((
                    tp.clone(),
                    CommittedOffset {
                        offset: offset.clone(),
                        commit_timestamp: now,
                    },
                ));
            }
        }
        if valid.is_empty() {
            self.respond(
                rid,
                GroupResponse::OffsetCommit(OffsetCommitResponse {
                    partitions: results,
                }),
            );
            return;
        }
        for (tp, _) in &valid {
            *group.pending_offsets.entry(tp.clone()).or_default() += 1;
        }
        let records = valid
            .iter()
            .map(|(tp, c)| NewRecord {
                key: Some(
                    OffsetsKey::Offset {
                        group: req.group_id.clone(),
                        topic: tp.topic.clone(),
                        partition: tp.partition as i32,
                    }
                    .encode(),
                ),
                value: Some(
                    OffsetCommitValue {
                        offset: c.offset.offset,
                        leader_epoch: c.offset.leader_epoch.unwrap_or(-1),
                        metadata: c.offset.metadata.clone(),
                        commit_timestamp: now,
                        expire_timestamp: None,
                    }
                    .encode(),
                ),
                headers: Vec::new(),
                timestamp: Some(now),
            })
            .collect();
        let pending = PendingAppend::Commit {
            group_id: req.group_id.clone(),
            request_id: rid,
            member_id: req.member_id.clone(),
            results,
            offsets: valid,
        };
        self.append(&req.group_id, records, pending);
    }

    fn offset_fetch(&mut self, rid: u64, req: OffsetFetchRequest) {
        let group = self.groups.get(&req.group_id);
        let partitions: Vec<TopicPartition> = match (&req.partitions, group) {
            (Some(list), _) => list.clone(),
            (None, Some(g)) => g.offsets.keys().cloned().collect(),
            (None, None) => Vec::new(),
        };
        let partitions = partitions
            .into_iter()
            .map(|tp| {
                let result = match group {
                    Some(g) if req.require_stable && g.has_pending_offset(&tp) => {
                        Err(ErrorCode::UnstableOffsetCommit)
                    }
                    Some(g) => Ok(g.offsets.get(&tp).map(|c| c.offset.clone())),
                    None => Ok(None),
                };
                (tp, result)
            })
            .collect();
        self.respond(
            rid,
            GroupResponse::OffsetFetch(OffsetFetchResponse {
                error: None,
                partitions,
            }),
        );
    }

    // ----- appends -----

    /// The host appended (`Ok`) or failed to append (`Err`, the log's error) the records of
    /// [`CoordinatorOutput::Append`] `append_id`. Unknown ids are ignored.
    pub fn on_append(&mut self, now: i64, append_id: u64, result: Result<(), ErrorCode>) {
        let Some(pending) = self.appends.remove(&append_id) else {
            return;
        };
        match pending {
            PendingAppend::Unobserved => {}
            PendingAppend::Commit {
                group_id,
                request_id,
                member_id,
                results,
                offsets,
            } => {
                let group = self.groups.get_mut(&group_id);
                let mut committed = Vec::new();
                if let Some(group) = group {
                    for (tp, c) in &offsets {
                        if let Some(n) = group.pending_offsets.get_mut(tp) {
                            *n = n.saturating_sub(1);
                            if *n == 0 {
                                group.pending_offsets.remove(tp);
                            }
                        }
                        if result.is_ok() {
                            group.offsets.insert(tp.clone(), c.clone());
                            committed.push((tp.clone(), c.offset.offset));
                        }
                    }
                }
                let partitions = results
                    .into_iter()
                    .map(|(tp, e)| (tp, e.or(result.err().map(offset_append_error))))
                    .collect();
                if !committed.is_empty() {
                    self.events.push(GroupEvent::OffsetsCommitted {
                        group_id: group_id.clone(),
                        member_id,
                        offsets: committed,
                    });
                }
                self.respond(
                    request_id,
                    GroupResponse::OffsetCommit(OffsetCommitResponse { partitions }),
                );
                self.drop_if_unused(&group_id);
            }
            PendingAppend::Sync {
                group_id,
                generation,
                assignments,
            } => {
                let Some(mut group) = self.take_group(&group_id) else {
                    return;
                };
                if group.state == GroupState::CompletingRebalance && group.generation == generation
                {
                    match result {
                        Ok(()) => self.set_and_propagate_assignment(now, &mut group, assignments),
                        Err(error) => {
                            self.reset_and_propagate_assignment_error(
                                &mut group,
                                group_append_error(error),
                            );
                            self.maybe_prepare_rebalance(
                                now,
                                &mut group,
                                "Error storing the group assignment".to_string(),
                            );
                        }
                    }
                }
                self.put_group(group);
            }
            PendingAppend::StaticReplace {
                group_id,
                generation,
                instance_id,
                old_member_id,
                new_member_id,
                old_protocols,
                old_timeouts,
                leader,
            } => {
                let Some(mut group) = self.take_group(&group_id) else {
                    return;
                };
                let waiting = group
                    .members
                    .get_mut(&new_member_id)
                    .and_then(|m| m.awaiting_join.take());
                if let Some(rid) = waiting {
                    match result {
                        Ok(()) if group.generation == generation => {
                            let is_leader = group.leader.as_deref() == Some(new_member_id.as_str());
                            let mut response = self.join_response(&group, &new_member_id);
                            // JoinGroup v9+ (KIP-814): the leader learns it leads but must
                            // not run the assignor while the group is Stable.
                            if let GroupResponse::JoinGroup(r) = &mut response {
                                r.skip_assignment = is_leader;
                            }
                            let _ = leader;
                            self.respond(rid, response);
                        }
                        Ok(()) => {
                            self.respond(
                                rid,
                                join_error(&new_member_id, ErrorCode::RebalanceInProgress),
                            );
                        }
                        Err(error) => {
                            // Put the old member back, as it was.
                            if let Some(mut member) = group.members.remove(&new_member_id) {
                                member.member_id = old_member_id.clone();
                                member.protocols = old_protocols;
                                member.rebalance_timeout_ms = old_timeouts.0;
                                member.session_timeout_ms = old_timeouts.1;
                                if group.leader.as_deref() == Some(new_member_id.as_str()) {
                                    group.leader = Some(old_member_id.clone());
                                }
                                group.members.insert(old_member_id.clone(), member);
                            }
                            let _ = instance_id;
                            self.respond(rid, join_error("", group_append_error(error)));
                        }
                    }
                }
                self.put_group(group);
            }
        }
    }

    fn set_and_propagate_assignment(
        &mut self,
        now: i64,
        group: &mut Group,
        assignments: BTreeMap<String, MemberAssignment>,
    ) {
        for member in group.members.values_mut() {
            member.assignment = assignments
                .get(&member.member_id)
                .cloned()
                .unwrap_or_default();
            if let Some(rid) = member.awaiting_sync.take() {
                member.heartbeat_deadline = now + i64::from(member.session_timeout_ms);
                self.outputs.push_back(CoordinatorOutput::Respond {
                    request_id: rid,
                    response: GroupResponse::SyncGroup(SyncGroupResponse {
                        error: None,
                        protocol_type: group.protocol_type.clone(),
                        protocol_name: group.protocol.clone(),
                        assignment: member.assignment.clone(),
                    }),
                });
            }
        }
        group.transition(GroupState::Stable, now, &mut self.events);
        self.events.push(GroupEvent::GenerationCompleted {
            group_id: group.group_id.clone(),
            generation: group.generation,
            protocol: group.protocol.clone(),
            leader: group.leader.clone(),
            assignments: group
                .members
                .values()
                .map(|m| (m.member_id.clone(), m.assignment.clone()))
                .collect(),
        });
    }

    // ----- deletion -----

    /// `DeleteGroups`: deletes each `Empty` group and its offsets (tombstones are appended).
    /// Per group: `NOT_COORDINATOR`, `INVALID_GROUP_ID` (empty id), `GROUP_ID_NOT_FOUND`,
    /// `NON_EMPTY_GROUP`.
    pub fn delete_groups(
        &mut self,
        now: i64,
        group_ids: &[String],
    ) -> Vec<(String, Result<(), ErrorCode>)> {
        let mut results = Vec::with_capacity(group_ids.len());
        for group_id in group_ids {
            let result = if group_id.is_empty() {
                Err(ErrorCode::InvalidGroupId)
            } else if !self.owns_group(group_id) {
                Err(ErrorCode::NotCoordinator)
            } else {
                match self.groups.get(group_id).map(|g| g.state) {
                    None | Some(GroupState::Dead) => Err(ErrorCode::GroupIdNotFound),
                    Some(GroupState::Empty) => {
                        self.remove_group(now, group_id);
                        Ok(())
                    }
                    Some(_) => Err(ErrorCode::NonEmptyGroup),
                }
            };
            results.push((group_id.clone(), result));
        }
        results
    }

    /// Moves the group to `Dead`, forgets it, and appends tombstones for its offsets and (if
    /// it ever had a generation) its metadata.
    fn remove_group(&mut self, now: i64, group_id: &str) {
        let Some(mut group) = self.groups.remove(group_id) else {
            return;
        };
        group.transition(GroupState::Dead, now, &mut self.events);
        let mut records: Vec<NewRecord> = group
            .offsets
            .keys()
            .map(|tp| Self::offset_tombstone(now, group_id, tp))
            .collect();
        if group.generation > 0 {
            records.push(NewRecord {
                key: Some(
                    OffsetsKey::Group {
                        group: group_id.to_string(),
                    }
                    .encode(),
                ),
                value: None,
                headers: Vec::new(),
                timestamp: Some(now),
            });
        }
        self.events.push(GroupEvent::GroupRemoved {
            group_id: group_id.to_string(),
        });
        if !records.is_empty() {
            self.append(group_id, records, PendingAppend::Unobserved);
        }
    }

    fn offset_tombstone(now: i64, group_id: &str, tp: &TopicPartition) -> NewRecord {
        NewRecord {
            key: Some(
                OffsetsKey::Offset {
                    group: group_id.to_string(),
                    topic: tp.topic.clone(),
                    partition: tp.partition as i32,
                }
                .encode(),
            ),
            value: None,
            headers: Vec::new(),
            timestamp: Some(now),
        }
    }

    // ----- timers -----

    /// The earliest time at which [`handle_timeout`](Self::handle_timeout) has work: a session
    /// expiry, a pending member's deadline, a rebalance (or initial delay) ending, a sync
    /// deadline, or offsets expiring.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.groups
            .values()
            .filter_map(|g| self.group_deadline(g))
            .min()
    }

    fn group_deadline(&self, group: &Group) -> Option<i64> {
        let members = group
            .members
            .values()
            .filter(|m| Self::expirable(m))
            .map(|m| m.heartbeat_deadline);
        let pending = group.pending_members.values().copied();
        let rebalance = if group.state == GroupState::PreparingRebalance {
            group.join_deadline
        } else {
            None
        };
        let sync = if matches!(
            group.state,
            GroupState::CompletingRebalance | GroupState::Stable
        ) {
            group.sync_deadline
        } else {
            None
        };
        members
            .chain(pending)
            .chain(rebalance)
            .chain(sync)
            .chain(self.expiry_deadline(group))
            .min()
    }

    /// Whether the session timer can remove the member now: members waiting on a join (unless
    /// new) or a sync are kept (Kafka's `shouldKeepAlive`).
    fn expirable(member: &Member) -> bool {
        !(member.awaiting_sync.is_some() || member.awaiting_join.is_some() && !member.is_new)
    }

    /// When the group's next committed offset expires (`offsets.retention.ms`): for an `Empty`
    /// group that had members, all offsets when the group has been empty that long; for a
    /// group that never had members, each offset that long after its commit.
    fn expiry_deadline(&self, group: &Group) -> Option<i64> {
        if group.state != GroupState::Empty || !group.pending_offsets.is_empty() {
            return None;
        }
        let retention = self.config.offsets_retention_ms;
        if group.protocol_type.is_some() {
            (!group.offsets.is_empty()).then(|| group.state_timestamp.saturating_add(retention))
        } else {
            group
                .offsets
                .values()
                .map(|c| c.commit_timestamp.saturating_add(retention))
                .min()
        }
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: i64) {
        for _ in 0..TIMER_FIRINGS_MAX {
            let due: Vec<String> = self
                .groups
                .values()
                .filter(|g| self.group_deadline(g).is_some_and(|d| d <= now))
                .map(|g| g.group_id.clone())
                .collect();
            if due.is_empty() {
                return;
            }
            for group_id in due {
                self.fire_group_timers(now, &group_id);
            }
        }
        debug_assert!(false, "handle_timeout: timers keep firing at {now}");
    }

    fn fire_group_timers(&mut self, now: i64, group_id: &str) {
        let Some(mut group) = self.take_group(group_id) else {
            return;
        };
        // Pending member ids never used.
        let expired: Vec<String> = group
            .pending_members
            .iter()
            .filter(|&(_, &d)| d <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for member_id in expired {
            group.pending_members.remove(&member_id);
            self.events.push(GroupEvent::MemberExpired {
                group_id: group_id.to_string(),
                member_id,
                cause: ExpiryCause::PendingJoinTimeout,
            });
            if group.state == GroupState::PreparingRebalance {
                self.try_complete_join(now, &mut group);
            }
        }
        // Sessions.
        let expired: Vec<String> = group
            .members
            .values()
            .filter(|m| Self::expirable(m) && m.heartbeat_deadline <= now)
            .map(|m| m.member_id.clone())
            .collect();
        for member_id in expired {
            self.events.push(GroupEvent::MemberExpired {
                group_id: group_id.to_string(),
                member_id: member_id.clone(),
                cause: ExpiryCause::SessionTimeout,
            });
            let reason = format!("removing member {member_id} on heartbeat expiration");
            self.remove_member_and_update(now, &mut group, &member_id, reason);
        }
        // The rebalance.
        if group.state == GroupState::PreparingRebalance
            && group.join_deadline.is_some_and(|d| d <= now)
        {
            match group.initial_delay_remaining {
                Some((delay, remaining)) if group.new_member_added && remaining > 0 => {
                    group.new_member_added = false;
                    let next =
                        i64::from(self.config.group_initial_rebalance_delay_ms).min(remaining);
                    // From the old deadline, so a late call fires as an on-time one would.
                    let base = group.join_deadline.unwrap_or(now);
                    group.join_deadline = Some(base + next);
                    group.initial_delay_remaining = Some((next, (remaining - delay).max(0)));
                }
                _ => self.complete_join(now, &mut group),
            }
        }
        // Members that joined but never synced.
        if matches!(
            group.state,
            GroupState::CompletingRebalance | GroupState::Stable
        ) && group.sync_deadline.is_some_and(|d| d <= now)
        {
            group.sync_deadline = None;
            let missing: Vec<String> = std::mem::take(&mut group.pending_sync)
                .into_iter()
                .collect();
            for member_id in &missing {
                self.events.push(GroupEvent::MemberExpired {
                    group_id: group_id.to_string(),
                    member_id: member_id.clone(),
                    cause: ExpiryCause::NotSynced,
                });
                self.remove_member(&mut group, member_id);
            }
            if !missing.is_empty() {
                let reason = format!("Removing {missing:?} on pending sync request expiration");
                self.prepare_rebalance(now, &mut group, reason);
            }
        }
        // Offsets retention.
        if self.expiry_deadline(&group).is_some_and(|d| d <= now) {
            let retention = self.config.offsets_retention_ms;
            let all = group.protocol_type.is_some();
            let expired: Vec<TopicPartition> = group
                .offsets
                .iter()
                .filter(|(_, c)| all || c.commit_timestamp.saturating_add(retention) <= now)
                .map(|(tp, _)| tp.clone())
                .collect();
            for tp in &expired {
                group.offsets.remove(tp);
            }
            let records = expired
                .iter()
                .map(|tp| Self::offset_tombstone(now, group_id, tp))
                .collect();
            self.events.push(GroupEvent::OffsetsExpired {
                group_id: group_id.to_string(),
                partitions: expired,
            });
            self.append(group_id, records, PendingAppend::Unobserved);
            if group.offsets.is_empty() && group.members.is_empty() {
                self.put_group(group);
                self.remove_group(now, group_id);
                return;
            }
        }
        self.put_group(group);
        self.drop_if_unused(group_id);
    }
}
