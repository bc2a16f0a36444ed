//! Consumer-group administration, as `kafka-consumer-groups.sh` does it: describe a group with
//! each partition's committed offset, log end offset and lag; list groups; reset a group's
//! offsets while it is inactive; delete groups.
//!
//! Admin calls act at once on the coordinator's broker (the controller knows where it is),
//! like the cluster's other admin calls; writes they cause are replicated as any other.

use std::collections::BTreeMap;

use super::Cluster;
use super::groups::{ADMIN_CLIENT, OFFSETS_TOPIC};
use crate::error::ErrorCode;
use crate::group::TopicPartition;
use crate::group::coordinator::{GroupDescription, GroupListing, GroupState};
use crate::group::protocol::{
    GroupRequest, OffsetAndMetadata, OffsetCommitRequest, UNKNOWN_GENERATION_ID, UNKNOWN_MEMBER_ID,
    offsets_partition_for,
};
use crate::log::OffsetSpec;

/// One partition's line of `kafka-consumer-groups --describe`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionLag {
    /// The partition.
    pub partition: TopicPartition,
    /// The group's committed offset (`CURRENT-OFFSET`), `None` if it committed none.
    pub committed: Option<i64>,
    /// The partition's log end offset as consumers see it (the high watermark).
    pub log_end_offset: Option<i64>,
    /// `LOG-END-OFFSET − CURRENT-OFFSET`, when both are known.
    pub lag: Option<i64>,
    /// The member consuming it (`CONSUMER-ID`), if any.
    pub member_id: Option<String>,
    /// That member's `client.id`.
    pub client_id: Option<String>,
}

/// Where `reset_offsets` moves a group's positions (the tool's `--to-*` options).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetTarget {
    /// `--to-earliest`: the log start offset.
    Earliest,
    /// `--to-latest`: the log end offset.
    Latest,
    /// `--to-offset N`, clamped into the log's range as the tool does.
    Offset(i64),
    /// `--to-datetime`: the first offset with a timestamp at or after this (ms); the log end
    /// when there is none.
    Timestamp(i64),
}

impl Cluster {
    /// The broker coordinating `group_id` now: the leader of its `__consumer_offsets`
    /// partition (`None` before the topic exists or while the partition has no leader).
    pub fn coordinator_of(&self, group_id: &str) -> Option<u32> {
        let partition = offsets_partition_for(group_id, self.config.offsets_topic_partitions);
        self.leader_of(OFFSETS_TOPIC, partition)
    }

    fn live_coordinator(&self, group_id: &str) -> Result<u32, ErrorCode> {
        if group_id.is_empty() {
            return Err(ErrorCode::InvalidGroupId);
        }
        self.coordinator_of(group_id)
            .filter(|b| self.brokers[*b as usize].alive)
            .ok_or(ErrorCode::CoordinatorNotAvailable)
    }

    /// Kafka's DescribeGroups: the group's state, protocol, generation, leader and members.
    ///
    /// # Errors
    /// `INVALID_GROUP_ID`, `COORDINATOR_NOT_AVAILABLE`, or the coordinator's error
    /// (`NOT_COORDINATOR`, `COORDINATOR_LOAD_IN_PROGRESS`).
    pub fn describe_group(&self, group_id: &str) -> Result<GroupDescription, ErrorCode> {
        let broker = self.live_coordinator(group_id)?;
        self.coordinators[broker as usize].describe_group(group_id)
    }

    /// `kafka-consumer-groups --describe`: every partition the group has committed or is
    /// assigned, with committed offset, log end offset, lag and owner, sorted by partition.
    ///
    /// # Errors
    /// As [`Cluster::describe_group`].
    pub fn describe_group_offsets(&self, group_id: &str) -> Result<Vec<PartitionLag>, ErrorCode> {
        let broker = self.live_coordinator(group_id)?;
        let coordinator = &self.coordinators[broker as usize];
        let description = coordinator.describe_group(group_id)?;
        let committed = coordinator.committed_offsets(group_id)?;
        let mut rows: BTreeMap<TopicPartition, PartitionLag> = BTreeMap::new();
        for (partition, offset) in committed {
            rows.insert(
                partition.clone(),
                PartitionLag {
                    partition,
                    committed: Some(offset.offset.offset),
                    log_end_offset: None,
                    lag: None,
                    member_id: None,
                    client_id: None,
                },
            );
        }
        for member in &description.members {
            for partition in &member.assignment.partitions {
                let row = rows.entry(partition.clone()).or_insert(PartitionLag {
                    partition: partition.clone(),
                    committed: None,
                    log_end_offset: None,
                    lag: None,
                    member_id: None,
                    client_id: None,
                });
                row.member_id = Some(member.member_id.clone());
                row.client_id = Some(member.client_id.clone());
            }
        }
        for row in rows.values_mut() {
            row.log_end_offset = self.consumer_offset(&row.partition, OffsetSpec::Latest);
            row.lag = row
                .log_end_offset
                .zip(row.committed)
                .map(|(end, committed)| (end - committed).max(0));
        }
        Ok(rows.into_values().collect())
    }

    /// What a consumer's ListOffsets would answer now at the partition's leader.
    fn consumer_offset(&self, partition: &TopicPartition, spec: OffsetSpec) -> Option<i64> {
        let leader = self.leader_of(&partition.topic, partition.partition)?;
        self.brokers[leader as usize]
            .list_offset(&partition.topic, partition.partition, spec)
            .ok()
    }

    /// Kafka's ListGroups over every running broker, sorted by group id.
    pub fn list_groups(&self) -> Vec<GroupListing> {
        let mut groups: Vec<GroupListing> = self
            .coordinators
            .iter()
            .zip(&self.brokers)
            .filter(|(_, node)| node.alive)
            .flat_map(|(coordinator, _)| coordinator.list_groups())
            .collect();
        groups.sort_by(|a, b| a.group_id.cmp(&b.group_id));
        groups.dedup_by(|a, b| a.group_id == b.group_id);
        groups
    }

    /// Kafka's DeleteGroups: each group must be `Empty` (`NON_EMPTY_GROUP`) and known
    /// (`GROUP_ID_NOT_FOUND`); its offsets and metadata are deleted with tombstones.
    pub fn delete_groups(&mut self, group_ids: &[String]) -> Vec<(String, Result<(), ErrorCode>)> {
        let now = self.now;
        let mut results = Vec::with_capacity(group_ids.len());
        for group_id in group_ids {
            match self.live_coordinator(group_id) {
                Ok(broker) => {
                    let mut result = self.coordinators[broker as usize]
                        .delete_groups(now, std::slice::from_ref(group_id));
                    self.drain_coordinator(broker);
                    results.push(result.pop().unwrap_or((group_id.clone(), Ok(()))));
                }
                Err(error) => results.push((group_id.clone(), Err(error))),
            }
        }
        results
    }

    /// `kafka-consumer-groups --reset-offsets --execute` for `partitions` of `group_id`: only
    /// while the group is inactive (`Empty`, or unknown), as the tool requires; the new
    /// offsets are committed as an admin commit (generation −1) and returned.
    ///
    /// # Errors
    /// `NON_EMPTY_GROUP` while the group has members (the tool's "Assignments can only be
    /// reset if the group is inactive"), `UNKNOWN_TOPIC_OR_PARTITION` for a partition that does
    /// not exist, `LEADER_NOT_AVAILABLE` when a partition has no leader, and the coordinator's
    /// errors.
    pub fn reset_offsets(
        &mut self,
        group_id: &str,
        partitions: &[TopicPartition],
        target: ResetTarget,
    ) -> Result<Vec<(TopicPartition, i64)>, ErrorCode> {
        // The admin client's FindCoordinator creates `__consumer_offsets` if needed; until its
        // leaders are known the answer is `COORDINATOR_NOT_AVAILABLE` (retry).
        self.ensure_offsets_topic();
        let broker = self.live_coordinator(group_id)?;
        let state = self.coordinators[broker as usize]
            .describe_group(group_id)?
            .state;
        if !matches!(state, GroupState::Empty | GroupState::Dead) {
            return Err(ErrorCode::NonEmptyGroup);
        }
        let mut planned = Vec::with_capacity(partitions.len());
        for partition in partitions {
            let known = self
                .controller
                .partitions
                .contains_key(&(partition.topic.clone(), partition.partition));
            if !known || partition.topic == OFFSETS_TOPIC {
                return Err(ErrorCode::UnknownTopicOrPartition);
            }
            let earliest = self
                .consumer_offset(partition, OffsetSpec::Earliest)
                .ok_or(ErrorCode::LeaderNotAvailable)?;
            let latest = self
                .consumer_offset(partition, OffsetSpec::Latest)
                .ok_or(ErrorCode::LeaderNotAvailable)?;
            let offset = match target {
                ResetTarget::Earliest => earliest,
                ResetTarget::Latest => latest,
                ResetTarget::Offset(offset) => offset.clamp(earliest, latest),
                ResetTarget::Timestamp(timestamp) => self
                    .consumer_offset(partition, OffsetSpec::Timestamp(timestamp))
                    .filter(|offset| *offset >= 0)
                    .unwrap_or(latest),
            };
            planned.push((partition.clone(), offset));
        }
        let request = self.next_request;
        self.next_request += 1;
        self.group_clients.insert(request, ADMIN_CLIENT);
        let commit = OffsetCommitRequest {
            group_id: group_id.to_owned(),
            generation_id: UNKNOWN_GENERATION_ID,
            member_id: UNKNOWN_MEMBER_ID.to_owned(),
            group_instance_id: None,
            offsets: planned
                .iter()
                .map(|(partition, offset)| {
                    (
                        partition.clone(),
                        OffsetAndMetadata {
                            offset: *offset,
                            leader_epoch: None,
                            metadata: String::new(),
                        },
                    )
                })
                .collect(),
        };
        let now = self.now;
        self.coordinators[broker as usize].handle(
            now,
            request,
            "adminclient",
            GroupRequest::OffsetCommit(commit),
        );
        self.drain_coordinator(broker);
        Ok(planned)
    }
}
