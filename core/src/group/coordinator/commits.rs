//! OffsetCommit and OffsetFetch.

use super::*;

impl GroupCoordinator {
    pub(super) fn offset_commit(&mut self, now: i64, rid: u64, req: OffsetCommitRequest) {
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
                    let old_generation_bug = self.bug
                        == Some(crate::cluster::bug::InjectedBug::AcceptOldGenerationCommit)
                        && req.generation_id < group.generation;
                    if req.generation_id != group.generation && !old_generation_bug {
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
        if let Some(audit) = self.audit.as_mut() {
            audit.push(CommitAccepted {
                group: req.group_id.clone(),
                member_id: req.member_id.clone(),
                generation: req.generation_id,
                group_generation: group.generation,
                assignment: group
                    .members
                    .get(&req.member_id)
                    .map(|m| m.assignment.partitions.clone()),
                offsets: valid
                    .iter()
                    .map(|(tp, c)| (tp.clone(), c.offset.offset))
                    .collect(),
            });
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

    pub(super) fn offset_fetch(&mut self, rid: u64, req: OffsetFetchRequest) {
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
}
