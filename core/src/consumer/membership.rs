//! Group membership (Kafka's `AbstractCoordinator` and `ConsumerCoordinator`, classic
//! protocol): JoinGroup/SyncGroup/Heartbeat/LeaveGroup, the leader's assignment, and the
//! eager and cooperative revocation rules.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    CommitId, CommitKind, Consumer, ConsumerError, ConsumerEvent, ConsumerRequestBody, InFlight,
    SubscriptionMode,
};
use crate::error::ErrorCode;
use crate::group::protocol::{
    CONSUMER_PROTOCOL_TYPE, GroupRequest, HeartbeatRequest, JoinGroupProtocol, JoinGroupRequest,
    JoinGroupResponse, JoinGroupResponseMember, LeaveGroupRequest, MemberAssignment,
    MemberIdentity, Subscription, SyncGroupRequest, SyncGroupResponse, UNKNOWN_GENERATION_ID,
};
use crate::group::{
    RebalanceProtocol, TopicPartition, assignor_named, member_from_subscription,
    subscription_user_data,
};

/// Where the member is in the group's life cycle (Kafka's `MemberState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MemberState {
    /// Not in a join: never joined, or must rejoin.
    Unjoined,
    /// JoinGroup sent.
    PreparingRebalance,
    /// SyncGroup sent.
    CompletingRebalance,
    /// Has its assignment for the current generation.
    Stable,
}

/// The member's group state.
#[derive(Clone, Debug)]
pub(crate) struct Membership {
    pub state: MemberState,
    pub generation_id: i32,
    pub member_id: String,
    pub protocol_name: Option<String>,
    pub is_leader: bool,
    pub rejoin_needed: bool,
    pub rejoin_reason: String,
    /// `onJoinPrepare` ran for the join in progress.
    pub join_prepared: bool,
    /// A (re)join started by `poll` is under way (Kafka's `joinGroupIfNeeded` loop): it goes
    /// on in the background, retries and follow-up rejoins included, until the member is
    /// stable with nothing left to rejoin for, or leaves the group.
    pub joining: bool,
    /// The auto-commit `onJoinPrepare` waits for, once started.
    pub prepare_commit: Option<Option<CommitId>>,
    pub joined_subscription: BTreeSet<String>,
    pub group_subscription: BTreeSet<String>,
    /// The leader's partition counts at assignment time (Kafka's `assignmentSnapshot`).
    pub assignment_snapshot: Option<BTreeMap<String, u32>>,
    pub heartbeat_in_flight: bool,
    /// The last good heartbeat answer (or join); the session times out from it.
    pub last_heartbeat_ok: i64,
    pub next_heartbeat_at: i64,
    pub last_poll: i64,
    /// Left the group because `poll` was late; rejoin at the next `poll`.
    pub poll_expired: bool,
    pub join_retry_at: i64,
    pub join_request: Option<u64>,
    pub sync_request: Option<u64>,
    /// Per assignor name, what Kafka's `onAssignment` last told that assignor. It outlives
    /// revocation, lost generations and `unsubscribe`, as a Kafka consumer's assignor objects
    /// do, and feeds the assignor's subscription user data at the next join.
    pub last_assignments: BTreeMap<String, LastAssignment>,
}

/// What a consumer's assignor was last told by Kafka's `ConsumerPartitionAssignor.onAssignment`:
/// the member's assignment, in the order the leader sent it, and the generation it came in.
///
/// `"sticky"` sends both in its user data (`StickyAssignor.subscriptionUserData`), so an eager
/// member that revoked everything before rejoining still tells the leader what it owned;
/// `"cooperative-sticky"` sends the generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LastAssignment {
    pub partitions: Vec<TopicPartition>,
    pub generation: i32,
}

impl Membership {
    pub(crate) fn new(now: i64) -> Self {
        Self {
            state: MemberState::Unjoined,
            generation_id: UNKNOWN_GENERATION_ID,
            member_id: String::new(),
            protocol_name: None,
            is_leader: false,
            rejoin_needed: true,
            rejoin_reason: "initial join".into(),
            join_prepared: false,
            joining: false,
            prepare_commit: None,
            joined_subscription: BTreeSet::new(),
            group_subscription: BTreeSet::new(),
            assignment_snapshot: None,
            heartbeat_in_flight: false,
            last_heartbeat_ok: now,
            next_heartbeat_at: now,
            last_poll: now,
            poll_expired: false,
            join_retry_at: now,
            join_request: None,
            sync_request: None,
            last_assignments: BTreeMap::new(),
        }
    }

    /// Kafka's `rebalanceInProgress`: a JoinGroup or SyncGroup is under way.
    pub(crate) fn rebalance_in_progress(&self) -> bool {
        matches!(
            self.state,
            MemberState::PreparingRebalance | MemberState::CompletingRebalance
        )
    }

    /// Whether the heartbeat thread would run: joined, waiting for or holding an assignment.
    fn heartbeating(&self) -> bool {
        matches!(
            self.state,
            MemberState::CompletingRebalance | MemberState::Stable
        )
    }

    fn generation_lost(&self) -> bool {
        self.generation_id == UNKNOWN_GENERATION_ID || self.member_id.is_empty()
    }
}

impl Consumer {
    /// The group's armed timers.
    pub(super) fn group_timers(&self) -> Vec<i64> {
        let mut timers = Vec::new();
        if !self.group_mode() {
            return timers;
        }
        let group = &self.group;
        if group.heartbeating() {
            if !group.heartbeat_in_flight {
                timers.push(group.next_heartbeat_at);
            }
            timers.push(
                group
                    .last_heartbeat_ok
                    .saturating_add(i64::from(self.config.session_timeout_ms)),
            );
            if !group.poll_expired {
                timers.push(
                    group
                        .last_poll
                        .saturating_add(i64::from(self.config.max_poll_interval_ms)),
                );
            }
        }
        if group.state == MemberState::Unjoined && !group.poll_expired && group.joining {
            timers.push(group.join_retry_at);
        }
        timers
    }

    /// Heartbeats, the poll-interval check and the join work due at `now`.
    pub(super) fn drive_membership(&mut self, now: i64) {
        if !self.group_mode() || self.fatal.is_some() {
            return;
        }
        let poll_deadline = self
            .group
            .last_poll
            .saturating_add(i64::from(self.config.max_poll_interval_ms));
        if self.group.heartbeating() && !self.group.poll_expired && now >= poll_deadline {
            // Kafka's heartbeat thread: the application stopped polling; leave so the group
            // can rebalance without it.
            self.maybe_leave_group(now, "consumer poll timeout has expired.");
            self.group.poll_expired = true;
            return;
        }
        let session_deadline = self
            .group
            .last_heartbeat_ok
            .saturating_add(i64::from(self.config.session_timeout_ms));
        if self.group.heartbeating() && now >= session_deadline {
            // Kafka's heartbeat thread: no heartbeat answer for a session; the coordinator is
            // presumed gone.
            self.mark_coordinator_unknown(
                "session timed out without receiving a heartbeat response",
            );
            self.group.last_heartbeat_ok = now;
        }
        if self.group.heartbeating()
            && !self.group.heartbeat_in_flight
            && now >= self.group.next_heartbeat_at
        {
            let request = HeartbeatRequest {
                group_id: self.group_id(),
                generation_id: self.group.generation_id,
                member_id: self.group.member_id.clone(),
                group_instance_id: self.config.group_instance_id.clone(),
            };
            let kind = InFlight::Heartbeat {
                generation: request.generation_id,
                member_id: request.member_id.clone(),
            };
            let timeout = self.request_timeout();
            self.send(
                now,
                ConsumerRequestBody::Group(GroupRequest::Heartbeat(request)),
                kind,
                timeout,
            );
            self.group.heartbeat_in_flight = true;
            self.group.next_heartbeat_at =
                now.saturating_add(i64::from(self.config.heartbeat_interval_ms));
        }
        if self.group.poll_expired || !self.needs_join() || now < self.group.join_retry_at {
            return;
        }
        // Kafka starts a (re)join only from `poll` (`ensureActiveGroup`): a member that is not
        // polling keeps its partitions (and heartbeats) until it polls or
        // `max.poll.interval.ms` passes. A join `poll` started goes on: its prepare
        // (auto-commit), its retries, and the rejoins `onJoinComplete` asks for.
        if !self.in_poll && !self.group.joining {
            return;
        }
        self.group.joining = true;
        if !self.group.join_prepared {
            if !self.on_join_prepare(now) {
                return;
            }
            self.group.join_prepared = true;
        }
        self.send_join(now);
    }

    /// Kafka's `rejoinNeededOrPending`.
    fn needs_join(&self) -> bool {
        match self.group.state {
            MemberState::PreparingRebalance | MemberState::CompletingRebalance => false,
            MemberState::Unjoined => true,
            MemberState::Stable => {
                self.group.rejoin_needed || self.group.joined_subscription != self.subs.topics
            }
        }
    }

    /// Kafka's `onJoinPrepare`: auto-commit first (waiting up to `max.poll.interval.ms`),
    /// then give up partitions — all as lost if the generation was reset, all (eager) or those
    /// of unsubscribed topics (cooperative). Returns false while the commit is pending.
    fn on_join_prepare(&mut self, now: i64) -> bool {
        if self.auto_commit {
            match self.group.prepare_commit {
                None => {
                    if self.protocol == RebalanceProtocol::Eager {
                        for state in self.subs.assignment.values_mut() {
                            state.pending_revocation = true;
                        }
                    }
                    let offsets = self.consumed_offsets();
                    let deadline = now.saturating_add(i64::from(self.config.max_poll_interval_ms));
                    let id =
                        self.start_commit(now, offsets, CommitKind::JoinPrepare, true, deadline);
                    self.group.prepare_commit = Some(Some(id));
                    self.drive_commits(now);
                    if self.commit_pending(id) {
                        return false;
                    }
                }
                Some(Some(id)) if self.commit_pending(id) => return false,
                Some(_) => {}
            }
        }
        self.group.prepare_commit = None;
        let owned = self.subs.assigned();
        if self.group.generation_lost() {
            if !owned.is_empty() {
                self.give_up(now, &owned, true);
            }
        } else {
            let revoked: BTreeSet<TopicPartition> = match self.protocol {
                RebalanceProtocol::Eager => owned,
                RebalanceProtocol::Cooperative => owned
                    .into_iter()
                    .filter(|tp| !self.subs.topics.contains(&tp.topic))
                    .collect(),
            };
            if !revoked.is_empty() {
                self.give_up(now, &revoked, false);
            }
        }
        true
    }

    /// Removes `partitions` from the assignment with a revoked or lost event.
    fn give_up(&mut self, now: i64, partitions: &BTreeSet<TopicPartition>, lost: bool) {
        let list: Vec<TopicPartition> = partitions.iter().cloned().collect();
        self.events.push_back(if lost {
            ConsumerEvent::PartitionsLost {
                partitions: list,
                at: now,
            }
        } else {
            ConsumerEvent::PartitionsRevoked {
                partitions: list,
                at: now,
            }
        });
        let keep: BTreeSet<TopicPartition> = self
            .subs
            .assigned()
            .into_iter()
            .filter(|tp| !partitions.contains(tp))
            .collect();
        self.subs.set_assignment(&keep);
        self.fetcher.retain_buffered(|tp| keep.contains(tp));
    }

    fn send_join(&mut self, now: i64) {
        let topics: Vec<String> = self.subs.topics.iter().cloned().collect();
        let owned: Vec<TopicPartition> = self.subs.assigned().into_iter().collect();
        let generation = self.group.generation_id;
        let protocols = self
            .config
            .partition_assignment_strategy
            .iter()
            .map(|name| {
                // Kafka's `ConsumerCoordinator.metadata`: `ownedPartitions` and `generationId`
                // are the consumer's now (an eager member has revoked everything); the user
                // data is the assignor's own memory of its last assignment.
                let last = self.group.last_assignments.get(name);
                JoinGroupProtocol {
                    name: name.clone(),
                    metadata: Subscription {
                        topics: topics.clone(),
                        user_data: subscription_user_data(
                            name,
                            last.map_or(&[][..], |last| &last.partitions),
                            last.map(|last| last.generation),
                        ),
                        owned_partitions: owned.clone(),
                        generation_id: generation,
                        rack_id: self.config.client_rack.clone(),
                    },
                }
            })
            .collect();
        let request = JoinGroupRequest {
            group_id: self.group_id(),
            session_timeout_ms: self.config.session_timeout_ms,
            rebalance_timeout_ms: self.config.max_poll_interval_ms,
            member_id: self.group.member_id.clone(),
            group_instance_id: self.config.group_instance_id.clone(),
            protocol_type: CONSUMER_PROTOCOL_TYPE.to_string(),
            protocols,
            reason: Some(self.group.rejoin_reason.clone()),
        };
        self.group.joined_subscription = self.subs.topics.clone();
        self.group.state = MemberState::PreparingRebalance;
        // Kafka gives JoinGroup the rebalance timeout plus 5 s.
        let timeout = self
            .request_timeout()
            .max(i64::from(self.config.max_poll_interval_ms).saturating_add(5_000));
        let id = self.send(
            now,
            ConsumerRequestBody::Group(GroupRequest::JoinGroup(request)),
            InFlight::Join,
            timeout,
        );
        self.group.join_request = Some(id);
    }

    fn retry_join(&mut self, now: i64, backoff: bool, reason: &str) {
        self.group.state = MemberState::Unjoined;
        self.group.rejoin_needed = true;
        self.group.rejoin_reason = reason.to_string();
        self.group.join_retry_at = if backoff {
            now.saturating_add(self.config.retry_backoff_ms)
        } else {
            now
        };
    }

    /// Kafka's `JoinGroupResponseHandler`.
    pub(super) fn handle_join_response(
        &mut self,
        now: i64,
        id: u64,
        response: Result<JoinGroupResponse, ErrorCode>,
    ) {
        if self.group.join_request != Some(id) {
            return;
        }
        self.group.join_request = None;
        if self.group.state != MemberState::PreparingRebalance {
            return;
        }
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                self.retry_join(now, true, &format!("JoinGroup failed: {error}"));
                return;
            }
        };
        match response.error {
            None => self.on_joined(now, response),
            Some(ErrorCode::MemberIdRequired) => {
                self.group.member_id = response.member_id;
                self.retry_join(now, false, "need to re-join with the given member-id");
            }
            Some(error @ (ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration)) => {
                self.reset_generation(&format!("JoinGroup failed with {error}"));
                self.retry_join(now, false, &format!("rebalance failed due to {error}"));
            }
            Some(ErrorCode::RebalanceInProgress) => {
                self.retry_join(now, false, "rebalance in progress");
            }
            Some(ErrorCode::FencedInstanceId) => {
                self.fatal = Some(ConsumerError::FencedInstanceId);
                self.retry_join(now, true, "fenced");
            }
            Some(error) => {
                if !super::error::is_retriable(error) && self.pending_error.is_none() {
                    self.pending_error = Some(ConsumerError::Group { error });
                }
                self.retry_join(now, true, &format!("JoinGroup failed: {error}"));
            }
        }
    }

    fn on_joined(&mut self, now: i64, response: JoinGroupResponse) {
        let Some(protocol) = response.protocol_name.clone() else {
            self.pending_error = Some(ConsumerError::Group {
                error: ErrorCode::InconsistentGroupProtocol,
            });
            self.retry_join(now, true, "no protocol chosen");
            return;
        };
        self.group.generation_id = response.generation_id;
        self.group.member_id = response.member_id.clone();
        self.group.protocol_name = Some(protocol.clone());
        self.group.is_leader = false;
        self.group.assignment_snapshot = None;
        self.group.state = MemberState::CompletingRebalance;
        self.group.last_heartbeat_ok = now;
        self.group.next_heartbeat_at =
            now.saturating_add(i64::from(self.config.heartbeat_interval_ms));
        self.events.push_back(ConsumerEvent::JoinedGroup {
            generation: response.generation_id,
            member_id: response.member_id.clone(),
            leader: response.leader.clone(),
            protocol: protocol.clone(),
        });
        let assignments = if response.leader == response.member_id && !response.skip_assignment {
            match self.perform_assignment(&protocol, &response.members) {
                Ok(assignments) => assignments,
                Err(error) => {
                    self.pending_error = Some(error);
                    self.retry_join(now, true, "assignment failed");
                    return;
                }
            }
        } else {
            Vec::new()
        };
        let request = SyncGroupRequest {
            group_id: self.group_id(),
            generation_id: self.group.generation_id,
            member_id: self.group.member_id.clone(),
            group_instance_id: self.config.group_instance_id.clone(),
            protocol_type: Some(CONSUMER_PROTOCOL_TYPE.to_string()),
            protocol_name: Some(protocol),
            assignments,
        };
        let timeout = self.request_timeout();
        let id = self.send(
            now,
            ConsumerRequestBody::Group(GroupRequest::SyncGroup(request)),
            InFlight::Sync,
            timeout,
        );
        self.group.sync_request = Some(id);
    }

    /// The leader runs the chosen assignor over every member's subscription (Kafka's
    /// `ConsumerCoordinator.onLeaderElected`).
    fn perform_assignment(
        &mut self,
        protocol: &str,
        members: &[JoinGroupResponseMember],
    ) -> Result<Vec<(String, MemberAssignment)>, ConsumerError> {
        let assignor = assignor_named(protocol).ok_or(ConsumerError::Group {
            error: ErrorCode::InconsistentGroupProtocol,
        })?;
        let mut seen = BTreeSet::new();
        let members: Vec<crate::group::Member> = members
            .iter()
            .filter(|member| seen.insert(member.member_id.clone()))
            .map(|member| {
                member_from_subscription(
                    protocol,
                    &member.member_id,
                    member.group_instance_id.as_deref(),
                    &member.metadata,
                )
            })
            .collect();
        let group_subscription: BTreeSet<String> = members
            .iter()
            .flat_map(|member| member.topics.iter().cloned())
            .collect();
        let counts = self.snapshot_of(&group_subscription);
        let assignment = assignor.assign(&counts, &members);
        self.group.is_leader = true;
        self.group.group_subscription = group_subscription;
        self.group.assignment_snapshot = Some(counts);
        Ok(assignment
            .into_iter()
            .map(|(member_id, partitions)| {
                (
                    member_id,
                    MemberAssignment {
                        partitions,
                        user_data: None,
                    },
                )
            })
            .collect())
    }

    /// The known partition counts of `topics`.
    fn snapshot_of(&self, topics: &BTreeSet<String>) -> BTreeMap<String, u32> {
        self.metadata
            .iter()
            .filter(|(topic, _)| topics.contains(*topic))
            .map(|(topic, count)| (topic.clone(), *count))
            .collect()
    }

    /// The leader rejoins when a subscribed topic's partition count changed since it assigned.
    pub(super) fn check_metadata_snapshot(&mut self) {
        if self.group.state != MemberState::Stable || !self.group.is_leader {
            return;
        }
        let current = self.snapshot_of(&self.group.group_subscription);
        if self.group.assignment_snapshot.as_ref() != Some(&current) {
            self.group.rejoin_needed = true;
            self.group.rejoin_reason =
                "cached metadata has changed from the assignment snapshot".into();
        }
    }

    /// Kafka's `SyncGroupResponseHandler` and `onJoinComplete`.
    pub(super) fn handle_sync_response(
        &mut self,
        now: i64,
        id: u64,
        response: Result<SyncGroupResponse, ErrorCode>,
    ) {
        if self.group.sync_request != Some(id) {
            return;
        }
        self.group.sync_request = None;
        if self.group.state != MemberState::CompletingRebalance {
            return;
        }
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                self.retry_join(now, true, &format!("SyncGroup failed: {error}"));
                return;
            }
        };
        match response.error {
            None => {
                if let Some(name) = &response.protocol_name
                    && Some(name) != self.group.protocol_name.as_ref()
                {
                    self.pending_error = Some(ConsumerError::Group {
                        error: ErrorCode::InconsistentGroupProtocol,
                    });
                    self.retry_join(now, true, "SyncGroup protocol mismatch");
                    return;
                }
                self.group.state = MemberState::Stable;
                self.group.rejoin_needed = false;
                self.group.join_prepared = false;
                self.on_join_complete(now, response.assignment.partitions);
                // Kafka's `joinGroupIfNeeded` loops while `rejoinNeededOrPending`: a rejoin
                // `onJoinComplete` asks for (cooperative follow-up, an assignment not matching
                // the subscription, changed metadata) is part of the same join.
                self.group.joining = self.needs_join();
            }
            Some(ErrorCode::RebalanceInProgress) => {
                self.retry_join(now, false, "SyncGroup: the group began another rebalance");
            }
            Some(error @ (ErrorCode::UnknownMemberId | ErrorCode::IllegalGeneration)) => {
                self.reset_generation(&format!("SyncGroup failed with {error}"));
                self.retry_join(now, false, &format!("rebalance failed due to {error}"));
            }
            Some(ErrorCode::FencedInstanceId) => {
                self.fatal = Some(ConsumerError::FencedInstanceId);
                self.retry_join(now, true, "fenced");
            }
            Some(error) => {
                if !super::error::is_retriable(error) && self.pending_error.is_none() {
                    self.pending_error = Some(ConsumerError::Group { error });
                }
                self.retry_join(now, true, &format!("SyncGroup failed: {error}"));
            }
        }
    }

    /// Takes the new assignment: under the cooperative protocol, partitions no longer assigned
    /// are revoked now and, if any were, the member rejoins at once (the follow-up rebalance).
    fn on_join_complete(&mut self, now: i64, partitions: Vec<TopicPartition>) {
        let assigned: BTreeSet<TopicPartition> = partitions.iter().cloned().collect();
        if assigned
            .iter()
            .any(|tp| !self.subs.topics.contains(&tp.topic))
        {
            // Kafka's `checkAssignmentMatchedSubscription`: the subscription changed since the
            // join; the assignment is not taken, the member rejoins.
            self.group.rejoin_needed = true;
            self.group.rejoin_reason =
                "received assignment does not match the current subscription".into();
            return;
        }
        let owned = self.subs.assigned();
        let revoked: BTreeSet<TopicPartition> = owned.difference(&assigned).cloned().collect();
        let added: Vec<TopicPartition> = assigned.difference(&owned).cloned().collect();
        if !revoked.is_empty() {
            self.give_up(now, &revoked, false);
            if self.protocol == RebalanceProtocol::Cooperative {
                self.group.rejoin_needed = true;
                self.group.rejoin_reason =
                    "need to revoke partitions and re-join (cooperative follow-up)".into();
            }
        }
        // Kafka's `invokeOnAssignment`: the chosen assignor remembers this assignment (in the
        // leader's order) and generation.
        if let Some(protocol) = self.group.protocol_name.clone() {
            self.group.last_assignments.insert(
                protocol,
                LastAssignment {
                    partitions,
                    generation: self.group.generation_id,
                },
            );
        }
        self.subs.set_assignment(&assigned);
        for state in self.subs.assignment.values_mut() {
            state.pending_revocation = false;
        }
        self.events.push_back(ConsumerEvent::PartitionsAssigned {
            partitions: added,
            at: now,
        });
        if self.auto_commit {
            self.next_auto_commit =
                now.saturating_add(i64::from(self.config.auto_commit_interval_ms));
        }
        self.group.next_heartbeat_at =
            now.saturating_add(i64::from(self.config.heartbeat_interval_ms));
        self.check_metadata_snapshot();
    }

    /// Kafka's `HeartbeatResponseHandler`.
    pub(super) fn handle_heartbeat_response(
        &mut self,
        now: i64,
        generation: i32,
        member_id: &str,
        error: Option<ErrorCode>,
    ) {
        self.group.heartbeat_in_flight = false;
        let same_generation =
            generation == self.group.generation_id && member_id == self.group.member_id;
        if error.is_none() || error == Some(ErrorCode::RebalanceInProgress) {
            self.group.last_heartbeat_ok = now;
        }
        match error {
            None => {}
            Some(ErrorCode::RebalanceInProgress) if self.group.state == MemberState::Stable => {
                self.group.rejoin_needed = true;
                self.group.rejoin_reason = "group is already rebalancing".into();
            }
            Some(error @ (ErrorCode::IllegalGeneration | ErrorCode::UnknownMemberId))
                if same_generation =>
            {
                self.reset_generation(&format!("Heartbeat failed with {error}"));
            }
            Some(ErrorCode::FencedInstanceId) if same_generation => {
                self.fatal = Some(ConsumerError::FencedInstanceId);
            }
            // Mid-rebalance, or about a generation the member has already left: ignored.
            Some(
                ErrorCode::RebalanceInProgress
                | ErrorCode::IllegalGeneration
                | ErrorCode::UnknownMemberId
                | ErrorCode::FencedInstanceId,
            ) => {}
            Some(error) => {
                if !super::error::is_retriable(error) && self.pending_error.is_none() {
                    self.pending_error = Some(ConsumerError::Group { error });
                }
                self.group.next_heartbeat_at = now.saturating_add(self.config.retry_backoff_ms);
            }
        }
    }

    /// Kafka's `resetStateAndGeneration` + `requestRejoin`: the member id and generation are
    /// gone; the next join gives up the owned partitions as lost.
    pub(super) fn reset_generation(&mut self, reason: &str) {
        self.group.generation_id = UNKNOWN_GENERATION_ID;
        self.group.member_id.clear();
        self.group.protocol_name = None;
        self.group.is_leader = false;
        self.group.assignment_snapshot = None;
        self.group.state = MemberState::Unjoined;
        self.group.rejoin_needed = true;
        self.group.rejoin_reason = reason.to_string();
        self.group.join_prepared = false;
        self.group.join_request = None;
        self.group.sync_request = None;
    }

    /// Kafka's `maybeLeaveGroup`: a dynamic member with a member id sends LeaveGroup; every
    /// member resets its generation. Returns the LeaveGroup's request id, if one was sent.
    pub(super) fn maybe_leave_group(&mut self, now: i64, reason: &str) -> Option<u64> {
        self.leave_group_within(now, reason, self.request_timeout())
    }

    /// [`Self::maybe_leave_group`] with the LeaveGroup timing out after `timeout` ms.
    fn leave_group_within(&mut self, now: i64, reason: &str, timeout: i64) -> Option<u64> {
        self.config.group_id.as_ref()?;
        let mut sent = None;
        if self.config.group_instance_id.is_none() && !self.group.member_id.is_empty() {
            let request = LeaveGroupRequest {
                group_id: self.group_id(),
                members: vec![MemberIdentity {
                    member_id: self.group.member_id.clone(),
                    group_instance_id: None,
                    reason: Some(reason.to_string()),
                }],
            };
            sent = Some(self.send(
                now,
                ConsumerRequestBody::Group(GroupRequest::LeaveGroup(request)),
                InFlight::Leave,
                timeout,
            ));
            self.events.push_back(ConsumerEvent::LeftGroup {
                reason: reason.to_string(),
            });
        }
        self.reset_generation(reason);
        self.group.joining = false;
        sent
    }

    /// Kafka's `onLeavePrepare`: the partitions are revoked (lost if the generation is gone or
    /// a rebalance is under way).
    pub(super) fn on_leave_prepare(&mut self, now: i64) {
        let owned = self.subs.assigned();
        if self.subs.mode != SubscriptionMode::AutoTopics || owned.is_empty() {
            return;
        }
        let lost = self.group.generation_lost() || self.group.rebalance_in_progress();
        self.give_up(now, &owned, lost);
    }

    /// Moves `close` on: once its commit is done, gives up the partitions and sends
    /// LeaveGroup (other requests in flight are dropped, their answers ignored); once that is
    /// answered, or the close deadline passed, the consumer is closed.
    pub(super) fn drive_close(&mut self, now: i64) {
        let Some(closing) = &self.closing else {
            return;
        };
        if let Some(commit) = closing.commit
            && self.commit_pending(commit)
        {
            return;
        }
        let deadline = closing.deadline;
        if !closing.left {
            let mut leave = None;
            if self.group_mode() {
                self.on_leave_prepare(now);
                let timeout = deadline.saturating_sub(now).max(1);
                leave = self.leave_group_within(now, "the consumer is being closed", timeout);
            }
            self.in_flight.retain(|id, _| Some(*id) == leave);
            self.commits.clear();
            if let Some(closing) = &mut self.closing {
                closing.left = true;
                closing.leave = leave;
            }
        }
        let waiting = self
            .closing
            .as_ref()
            .and_then(|c| c.leave)
            .is_some_and(|id| self.in_flight.contains_key(&id));
        if waiting && now < deadline {
            return;
        }
        self.closed = true;
        self.in_flight.clear();
        self.commits.clear();
        self.events.push_back(ConsumerEvent::Closed);
    }
}
