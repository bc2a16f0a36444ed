//! The admin calls the controller answers about partitions: CreateTopics and
//! CreatePartitions (validated in full before anything changes; placement drawn from the
//! cluster's seeded PRNG), DeleteRecords at the leader, AlterPartitionReassignments and
//! ElectLeaders. The controller's side is `controller/commands.rs`.

use std::collections::BTreeMap;

use super::{Cluster, ClusterEvent};
use crate::config::TopicConfig;
use crate::error::{AdminError, CreateTopicError, ErrorCode};
use crate::topic::{names_collide, validate_topic_name};

impl Cluster {
    /// Creates a topic: replicas placed round-robin over the brokers from a seeded start
    /// (preferred leader first), every live replica in sync, the first one leading.
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: u32,
        replication_factor: u32,
        configs: &[(String, String)],
    ) -> Result<(), CreateTopicError> {
        let config = self.validate_create_topic(name, partitions, replication_factor, configs)?;
        let assignment = self
            .place(0, partitions, replication_factor)
            .map_err(|_| self.replication_error(replication_factor))?;
        self.controller
            .create_topic(name, config, configs, assignment);
        self.events.push(ClusterEvent::TopicCreated {
            topic: name.to_owned(),
            partitions,
            replication_factor,
        });
        self.drain_controller();
        self.refresh_consumer_metadata();
        Ok(())
    }

    /// Kafka's `CreateTopics` with `validateOnly`: every check [`Cluster::create_topic`] makes
    /// (name, existing or colliding topic, partition count, replication factor against the
    /// brokers and their placement, configs), changing nothing. Returns the topic's configs.
    ///
    /// # Errors
    /// As [`Cluster::create_topic`].
    pub fn validate_create_topic(
        &self,
        name: &str,
        partitions: u32,
        replication_factor: u32,
        configs: &[(String, String)],
    ) -> Result<TopicConfig, CreateTopicError> {
        check_new_topic(&self.controller.topics, name, partitions)?;
        if !(1..=self.config.brokers).contains(&replication_factor) {
            return Err(self.replication_error(replication_factor));
        }
        let config =
            TopicConfig::with_overrides(configs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        // Placement draws from the cluster's PRNG: try it on a copy so nothing changes.
        let mut prng = self.prng.clone();
        self.controller
            .place(0, partitions, replication_factor, &mut prng)
            .map_err(|_| self.replication_error(replication_factor))?;
        Ok(config)
    }

    fn replication_error(&self, replication_factor: u32) -> CreateTopicError {
        CreateTopicError::InvalidReplicationFactor {
            requested: replication_factor.into(),
            brokers: self.config.brokers,
        }
    }

    /// Kafka 3.7's KRaft placement of partitions `start..start + count`, with the cluster's
    /// seeded PRNG as Java's Random.
    fn place(
        &mut self,
        start: u32,
        count: u32,
        replication_factor: u32,
    ) -> Result<Vec<Vec<i32>>, crate::placement::PlacementError> {
        self.controller
            .place(start, count, replication_factor, &mut self.prng)
    }

    /// Kafka's CreatePartitions: grows `name` to `total` partitions, placed like a new topic's
    /// from partition `current` on, with the replication factor of its partition 0. Consumers
    /// learn the new count from their next metadata (a group's leader then rejoins).
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`, and `INVALID_PARTITIONS` with Kafka's messages for a count
    /// that is not larger, or above the engine's limit.
    pub fn create_partitions(&mut self, name: &str, total: u32) -> Result<(), AdminError> {
        let Some((current, _)) = self.controller.topics.get(name).cloned() else {
            return Err(AdminError::UnknownTopic {
                topic: name.to_owned(),
            });
        };
        self.validate_partition_count(name, current, total)?;
        let invalid = |reason: String| AdminError::InvalidPartitions { reason };
        let replication_factor = self
            .controller
            .partitions
            .get(&(name.to_owned(), 0))
            .map_or(1, |p| p.replicas.len() as u32);
        let assignment = self
            .place(current, total - current, replication_factor)
            .map_err(|_| {
                invalid(format!(
                    "Unable to replicate the partition {replication_factor} time(s): the \
                     number of brokers that are not fenced is too small."
                ))
            })?;
        self.controller.add_partitions(name, total, assignment);
        self.events.push(ClusterEvent::PartitionsCreated {
            topic: name.to_owned(),
            from: current,
            to: total,
        });
        self.drain_controller();
        self.refresh_consumer_metadata();
        Ok(())
    }

    /// Every check of [`Cluster::create_partitions`] (CreatePartitions with `validateOnly`),
    /// changing nothing.
    ///
    /// # Errors
    /// As [`Cluster::create_partitions`].
    pub fn validate_create_partitions(&self, name: &str, total: u32) -> Result<(), AdminError> {
        let Some((current, _)) = self.controller.topics.get(name).cloned() else {
            return Err(AdminError::UnknownTopic {
                topic: name.to_owned(),
            });
        };
        self.validate_partition_count(name, current, total)?;
        let replication_factor = self
            .controller
            .partitions
            .get(&(name.to_owned(), 0))
            .map_or(1, |p| p.replicas.len() as u32);
        let mut prng = self.prng.clone();
        self.controller
            .place(current, total - current, replication_factor, &mut prng)
            .map(|_| ())
            .map_err(|_| AdminError::InvalidPartitions {
                reason: format!(
                    "Unable to replicate the partition {replication_factor} time(s): the \
                     number of brokers that are not fenced is too small."
                ),
            })
    }

    /// Kafka's DeleteRecords at the partition's leader: its log start offset moves up to
    /// `offset` (-1: the high watermark) and followers follow; consumers below it get
    /// `OFFSET_OUT_OF_RANGE` and apply `auto.offset.reset`. Returns the new log start offset.
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`, `LEADER_NOT_AVAILABLE`, `OFFSET_OUT_OF_RANGE` (above the
    /// high watermark).
    pub fn delete_records(
        &mut self,
        topic: &str,
        partition: u32,
        offset: i64,
    ) -> Result<i64, ErrorCode> {
        let registration = self
            .controller
            .partitions
            .get(&(topic.to_owned(), partition))
            .ok_or(ErrorCode::UnknownTopicOrPartition)?;
        let leader = registration
            .leader
            .filter(|l| self.brokers[*l as usize].alive)
            .ok_or(ErrorCode::LeaderNotAvailable)?;
        let result = self.brokers[leader as usize].delete_records(topic, partition, offset);
        self.take_log_events(leader);
        result
    }

    /// Kafka's `AlterPartitionReassignments` for one partition: moves its replicas to
    /// `target` (KIP-455: add the new replicas, let them catch up and join the ISR, move
    /// leadership if the leader is removed, drop the old ones).
    ///
    /// # Errors
    /// `INVALID_REPLICA_ASSIGNMENT` (empty, a broker twice, an unknown broker),
    /// `UNKNOWN_TOPIC_OR_PARTITION`.
    pub fn reassign_partition(
        &mut self,
        topic: &str,
        partition: u32,
        target: &[u32],
    ) -> Result<(), ErrorCode> {
        let mut distinct = target.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        if target.is_empty()
            || distinct.len() != target.len()
            || target.iter().any(|b| *b >= self.config.brokers)
        {
            return Err(ErrorCode::InvalidReplicaAssignment);
        }
        let result = self.controller.reassign_partition(topic, partition, target);
        self.drain_controller();
        result
    }

    /// Kafka's `ElectLeaders PREFERRED` for one partition.
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`, `ELECTION_NOT_NEEDED`, `PREFERRED_LEADER_NOT_AVAILABLE`.
    pub fn elect_preferred_leader(&mut self, topic: &str, partition: u32) -> Result<(), ErrorCode> {
        let result = self.controller.elect_preferred_leader(topic, partition);
        self.drain_controller();
        result
    }
}

/// The checks of a new topic `name` with `partitions` partitions among `topics` (by name: the
/// partition count and config), in Kafka's order: a valid name, not an existing topic, not
/// colliding with one (`.` vs `_`), a partition count in range.
pub(super) fn check_new_topic(
    topics: &BTreeMap<String, (u32, TopicConfig)>,
    name: &str,
    partitions: u32,
) -> Result<(), CreateTopicError> {
    validate_topic_name(name)?;
    if topics.contains_key(name) {
        return Err(CreateTopicError::AlreadyExists {
            name: name.to_owned(),
        });
    }
    if let Some(existing) = topics.keys().find(|t| names_collide(t, name)) {
        return Err(CreateTopicError::Collides {
            name: name.to_owned(),
            existing: existing.clone(),
        });
    }
    if !(1..=crate::admin::PARTITIONS_PER_TOPIC_MAX).contains(&partitions) {
        return Err(CreateTopicError::InvalidPartitions {
            requested: partitions.into(),
            max: crate::admin::PARTITIONS_PER_TOPIC_MAX,
        });
    }
    Ok(())
}
