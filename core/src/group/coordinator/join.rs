//! JoinGroup: members joining (dynamic and static), rebalances, completing the join phase.

use super::*;

impl GroupCoordinator {
    pub(super) fn join_group(
        &mut self,
        now: i64,
        rid: u64,
        client_id: &str,
        req: JoinGroupRequest,
    ) {
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
    pub(super) fn accept_joining_member(&self, group: &Group, member_id: &str) -> bool {
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

    pub(super) fn join_new_member(
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

    pub(super) fn join_current_member(
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
    pub(super) fn join_response(&self, group: &Group, member_id: &str) -> GroupResponse {
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

    pub(super) fn add_member_and_rebalance(
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

    pub(super) fn update_member_and_rebalance(
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
    pub(super) fn replace_static_member(
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

    pub(super) fn maybe_prepare_rebalance(&mut self, now: i64, group: &mut Group, reason: String) {
        if group.can_rebalance() {
            self.prepare_rebalance(now, group, reason);
        }
    }

    /// Kafka's `prepareRebalance`.
    pub(super) fn prepare_rebalance(&mut self, now: i64, group: &mut Group, reason: String) {
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

    pub(super) fn reset_and_propagate_assignment_error(
        &mut self,
        group: &mut Group,
        error: ErrorCode,
    ) {
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
    pub(super) fn try_complete_join(&mut self, now: i64, group: &mut Group) {
        if group.state == GroupState::PreparingRebalance
            && group.initial_delay_remaining.is_none()
            && group.all_members_joined()
        {
            self.complete_join(now, group);
        }
    }

    /// Kafka's `onCompleteJoin`.
    pub(super) fn complete_join(&mut self, now: i64, group: &mut Group) {
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
        if self.bug != Some(crate::cluster::bug::InjectedBug::NoGenerationBump)
            || group.generation == 0
        {
            group.generation += 1;
        }
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
    pub(super) fn remove_member(&mut self, group: &mut Group, member_id: &str) {
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
    pub(super) fn remove_member_and_update(
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
    pub(super) fn group_record(
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
}
