//! SyncGroup, Heartbeat and LeaveGroup.

use super::*;

impl GroupCoordinator {
    pub(super) fn sync_group(&mut self, now: i64, rid: u64, req: SyncGroupRequest) {
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

    pub(super) fn do_sync_group(
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

    pub(super) fn remove_pending_sync(&mut self, group: &mut Group, member_id: &str) {
        group.pending_sync.remove(member_id);
        if group.pending_sync.is_empty() {
            group.sync_deadline = None;
        }
    }

    pub(super) fn heartbeat(&mut self, now: i64, rid: u64, req: HeartbeatRequest) {
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

    pub(super) fn leave_group(&mut self, now: i64, rid: u64, req: LeaveGroupRequest) {
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
}
