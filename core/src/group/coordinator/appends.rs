//! What happens when the host reports an append of the coordinator done or failed.

use super::*;

impl GroupCoordinator {
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

    pub(super) fn set_and_propagate_assignment(
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
}
