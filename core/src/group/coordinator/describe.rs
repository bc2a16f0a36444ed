//! DescribeGroups, ListGroups, committed offsets and DeleteGroups.

use super::*;

impl GroupCoordinator {
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
    pub(super) fn remove_group(&mut self, now: i64, group_id: &str) {
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

    pub(super) fn offset_tombstone(now: i64, group_id: &str, tp: &TopicPartition) -> NewRecord {
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
}
