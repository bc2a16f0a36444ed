//! Taking over and giving up `__consumer_offsets` partitions: replaying their records into groups.

use super::*;

impl GroupCoordinator {
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
    pub(super) fn group_from_record(
        group_id: &str,
        value: &GroupMetadataValue,
        now: i64,
    ) -> Option<Group> {
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

    pub(super) fn drop_partition_groups(&mut self, partition: u32, error: ErrorCode) {
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
}
