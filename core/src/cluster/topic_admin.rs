//! Topic administration of the replicated cluster, as a KafkaJS admin client sees it:
//! DeleteTopics, DescribeConfigs / IncrementalAlterConfigs / legacy AlterConfigs, ListOffsets to the leader, a
//! metadata and offsets view (`fetchTopicMetadata`, `fetchTopicOffsets`), a plain read from the
//! leader, and the timer that runs each broker's log cleanup (retention and compaction).
//!
//! Validation and config rules live in [`crate::admin`] (`apply_alter_ops`,
//! `config_entries`); facts and sources: `docs/kafka-facts.md` §12.

use std::collections::BTreeMap;

use super::{Cluster, OFFSETS_TOPIC, Timer};
use crate::admin::{AlterConfigOp, ConfigEntry, apply_alter_ops, config_entries};
use crate::config::TopicConfig;
use crate::error::{AdminError, ErrorCode};
use crate::log::{FetchedRecords, OffsetAndTimestamp, OffsetSpec, PartitionLog};

/// Kafka's `Topic.isInternal`: `__consumer_offsets` and `__transaction_state`.
pub(crate) fn is_internal(name: &str) -> bool {
    name == OFFSETS_TOPIC || name == "__transaction_state"
}

/// One partition as Kafka's Metadata response (KafkaJS `fetchTopicMetadata`) shows it: the
/// controller's registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionInfo {
    /// Partition index.
    pub partition: u32,
    /// The leader, `None` when no eligible replica is alive (Kafka's -1).
    pub leader: Option<u32>,
    /// The leader epoch.
    pub leader_epoch: i32,
    /// Replica broker ids, preferred leader first.
    pub replicas: Vec<u32>,
    /// In-sync replica broker ids.
    pub isr: Vec<u32>,
    /// Replicas on brokers the controller has fenced (stopped or not heartbeating).
    pub offline_replicas: Vec<u32>,
}

/// A topic as Kafka's Metadata response shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicMetadata {
    /// Topic name.
    pub name: String,
    /// The topic's id (its incarnation: a topic created again under the same name gets a new
    /// one).
    pub topic_id: u64,
    /// Whether Kafka counts it internal (`__consumer_offsets`).
    pub is_internal: bool,
    /// Its partitions, by index.
    pub partitions: Vec<PartitionInfo>,
}

/// A partition's offsets at its current leader (KafkaJS `fetchTopicOffsets`, plus the log end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionOffsets {
    /// The leader that answered.
    pub leader: u32,
    /// First offset held (`low`).
    pub log_start_offset: i64,
    /// The high watermark (`high`, what consumers see as the end).
    pub high_watermark: i64,
    /// Offset the next record gets (above the high watermark while followers catch up).
    pub log_end_offset: i64,
}

impl Cluster {
    /// Kafka's DeleteTopics: the controller removes the topic's partitions at once; each
    /// broker deletes its replicas when the news reaches it (a stopped broker when it is back).
    /// Produces waiting at the leader fail, later ones get `UNKNOWN_TOPIC_OR_PARTITION`;
    /// consumers see the topic gone at their next metadata. The name may be used again.
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`; `INVALID_REQUEST` for an internal topic (the message of
    /// Kafka's `kafka-topics.sh`, see `docs/kafka-facts.md` §12.1).
    pub fn delete_topic(&mut self, name: &str) -> Result<(), AdminError> {
        if !self.controller.topics.contains_key(name) {
            return Err(AdminError::UnknownTopic {
                topic: name.to_owned(),
            });
        }
        if is_internal(name) {
            return Err(AdminError::InternalTopic {
                topic: name.to_owned(),
            });
        }
        self.controller.delete_topic(name);
        self.drain_controller();
        for client in self.clients.values_mut() {
            client.leaders.retain(|(t, _), _| t != name);
        }
        self.refresh_consumer_metadata();
        Ok(())
    }

    /// Kafka's DescribeConfigs for a topic: every topic config with the value in force and
    /// where it comes from (a topic override, or Kafka's default), sorted by name.
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`.
    pub fn describe_configs(&self, topic: &str) -> Result<Vec<ConfigEntry>, AdminError> {
        let (_, config) =
            self.controller
                .topics
                .get(topic)
                .ok_or_else(|| AdminError::UnknownTopic {
                    topic: topic.to_owned(),
                })?;
        let overrides = self
            .controller
            .admin
            .overrides
            .get(topic)
            .map_or(&[][..], Vec::as_slice);
        Ok(config_entries(config, overrides))
    }

    /// Kafka's IncrementalAlterConfigs for a topic: `SET` and `DELETE` overrides, all or
    /// nothing. The new configs reach every replica with the controller's metadata; produces
    /// (`min.insync.replicas`), the high watermark and the next log cleanup use them there.
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`; `INVALID_CONFIG` with Kafka's message for an unknown name
    /// or a bad value (then nothing changes).
    pub fn alter_configs(&mut self, topic: &str, ops: &[AlterConfigOp]) -> Result<(), AdminError> {
        let current = self.topic_overrides(topic)?;
        let (overrides, config) = apply_alter_ops(&current, ops)?;
        self.commit_configs(topic, overrides, config);
        Ok(())
    }

    /// Kafka's legacy AlterConfigs (KafkaJS `alterConfigs`) for a topic: `overrides` replace
    /// all the topic's overrides (a config left out goes back to its default), all or nothing,
    /// with the same validation as a one-broker cluster.
    ///
    /// # Errors
    /// As [`Cluster::validate_replace_configs`].
    pub fn replace_configs(
        &mut self,
        topic: &str,
        overrides: &[(String, String)],
    ) -> Result<(), AdminError> {
        let config = self.validate_replace_configs(topic, overrides)?;
        let sorted: BTreeMap<String, String> = overrides.iter().cloned().collect();
        self.commit_configs(topic, sorted.into_iter().collect(), config);
        Ok(())
    }

    /// Kafka's legacy AlterConfigs with `validateOnly`: the checks of
    /// [`Cluster::replace_configs`], changing nothing.
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`; `INVALID_CONFIG` with Kafka's message for an unknown name
    /// or a bad value.
    pub fn validate_replace_configs(
        &self,
        topic: &str,
        overrides: &[(String, String)],
    ) -> Result<TopicConfig, AdminError> {
        self.topic_overrides(topic)?;
        Ok(TopicConfig::with_overrides(
            overrides.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )?)
    }

    /// A live topic's config overrides as given (at creation or altered since), sorted by
    /// name.
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION` when there is no such topic.
    pub fn config_overrides(&self, topic: &str) -> Result<Vec<(String, String)>, AdminError> {
        self.topic_overrides(topic)
    }

    /// A live topic's overrides (`UNKNOWN_TOPIC_OR_PARTITION` when there is no such topic).
    fn topic_overrides(&self, topic: &str) -> Result<Vec<(String, String)>, AdminError> {
        if !self.controller.topics.contains_key(topic) {
            return Err(AdminError::UnknownTopic {
                topic: topic.to_owned(),
            });
        }
        Ok(self
            .controller
            .admin
            .overrides
            .get(topic)
            .cloned()
            .unwrap_or_default())
    }

    /// Puts validated configs in force: the controller keeps them and publishes every
    /// partition so the replicas use them.
    fn commit_configs(
        &mut self,
        topic: &str,
        overrides: Vec<(String, String)>,
        config: TopicConfig,
    ) {
        self.controller.alter_topic_config(topic, overrides, config);
        self.drain_controller();
    }

    /// The log of the partition's live leader, as a request to the leader finds it.
    fn leader_log(&self, topic: &str, partition: u32) -> Result<(u32, &PartitionLog), ErrorCode> {
        let registration = self
            .registration(topic, partition)
            .ok_or(ErrorCode::UnknownTopicOrPartition)?;
        let leader = registration
            .leader
            .filter(|l| self.is_alive(*l))
            .ok_or(ErrorCode::LeaderNotAvailable)?;
        match self.replica(leader, topic, partition) {
            Some((log, super::ReplicaRole::Leader { .. })) => Ok((leader, log)),
            // Elected, but the news has not reached the broker yet.
            _ => Err(ErrorCode::NotLeaderOrFollower),
        }
    }

    /// Kafka's ListOffsets as an admin client sends it (to the leader, `READ_UNCOMMITTED`):
    /// earliest is the log start offset, latest the high watermark, max timestamp the record
    /// with the largest timestamp, and a timestamp the first record at or after it below the
    /// high watermark. `None` when there is no such record (Kafka answers offset -1,
    /// timestamp -1).
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`; `LEADER_NOT_AVAILABLE` when the partition has no running
    /// leader; `NOT_LEADER_OR_FOLLOWER` when the elected leader does not know it yet.
    pub fn list_offsets(
        &self,
        topic: &str,
        partition: u32,
        spec: OffsetSpec,
    ) -> Result<Option<OffsetAndTimestamp>, ErrorCode> {
        let (leader, log) = self.leader_log(topic, partition)?;
        let epoch_start = self.brokers[leader as usize]
            .epoch_start_offset(topic, partition)
            .unwrap_or(0);
        log.list_offset_at_leader(spec, epoch_start)
            .map_err(|e| crate::error::KafkaError::error_code(&e))
    }

    /// A partition's log start offset, high watermark and log end offset at its leader.
    ///
    /// # Errors
    /// As [`Cluster::list_offsets`].
    pub fn partition_offsets(
        &self,
        topic: &str,
        partition: u32,
    ) -> Result<PartitionOffsets, ErrorCode> {
        let (leader, log) = self.leader_log(topic, partition)?;
        Ok(PartitionOffsets {
            leader,
            log_start_offset: log.log_start_offset(),
            high_watermark: log.high_watermark(),
            log_end_offset: log.log_end_offset(),
        })
    }

    /// Reads records of one partition from its leader, as a consumer without a group would:
    /// whole batches from the one holding `offset`, within `max_bytes` (the first batch comes
    /// whole), only below the high watermark.
    ///
    /// # Errors
    /// `OFFSET_OUT_OF_RANGE` below the log start offset or above the log end offset, and the
    /// errors of [`Cluster::list_offsets`].
    pub fn fetch(
        &self,
        topic: &str,
        partition: u32,
        offset: i64,
        max_bytes: usize,
    ) -> Result<FetchedRecords, ErrorCode> {
        let (_, log) = self.leader_log(topic, partition)?;
        if offset < log.log_start_offset() || offset > log.log_end_offset() {
            return Err(ErrorCode::OffsetOutOfRange);
        }
        log.read(offset, max_bytes)
            .map_err(|_| ErrorCode::OffsetOutOfRange)
    }

    /// The bytes of Kafka's `<base_offset>.log` file of `topic`-`partition` as the running
    /// broker `broker` holds it (each replica has its own segments: they roll and compact
    /// independently), readable by Kafka's `kafka-dump-log.sh`.
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION` when the broker is not running or holds no such replica;
    /// `INVALID_REQUEST` when no segment starts at `base_offset` (the message lists those
    /// that do).
    pub fn export_segment(
        &self,
        broker: u32,
        topic: &str,
        partition: u32,
        base_offset: i64,
    ) -> Result<Vec<u8>, AdminError> {
        let index = i32::try_from(partition).unwrap_or(i32::MAX);
        let (log, _) =
            self.replica(broker, topic, partition)
                .ok_or_else(|| AdminError::UnknownPartition {
                    topic: topic.to_owned(),
                    partition: index,
                })?;
        crate::admin::segment_bytes(log, topic, index, base_offset)
    }

    /// A topic's partitions as the controller registers them (Kafka's Metadata response).
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`.
    pub fn topic_metadata(&self, name: &str) -> Result<TopicMetadata, ErrorCode> {
        let (count, _) = self
            .controller
            .topics
            .get(name)
            .ok_or(ErrorCode::UnknownTopicOrPartition)?;
        let partitions = (0..*count)
            .filter_map(|partition| {
                let registration = self.registration(name, partition)?;
                Some(PartitionInfo {
                    partition,
                    leader: registration.leader,
                    leader_epoch: registration.leader_epoch,
                    replicas: registration.replicas.clone(),
                    isr: registration.isr.clone(),
                    offline_replicas: registration
                        .replicas
                        .iter()
                        .copied()
                        .filter(|b| self.is_fenced(*b))
                        .collect(),
                })
            })
            .collect();
        Ok(TopicMetadata {
            name: name.to_owned(),
            topic_id: self.controller.admin.topic_id(name),
            is_internal: is_internal(name),
            partitions,
        })
    }

    /// The topics' names, sorted; internal ones (`__consumer_offsets`) only with
    /// `include_internal` (Kafka's `listTopics` with `listInternal`).
    pub fn topics(&self, include_internal: bool) -> Vec<String> {
        self.controller
            .topics
            .keys()
            .filter(|name| include_internal || !is_internal(name))
            .cloned()
            .collect()
    }

    /// Schedules a broker's next log cleanup, one `log.retention.check.interval.ms` on.
    pub(super) fn schedule_log_cleanup(&mut self, broker: u32) {
        let Some(node) = self.brokers.get(broker as usize) else {
            return;
        };
        let broker_epoch = node.broker_epoch;
        let at = self.now + self.config.log_retention_check_interval_ms.max(1);
        self.schedule(
            at,
            Timer::LogCleanup {
                broker,
                broker_epoch,
            },
        );
    }

    /// A broker's log cleanup timer: retention and compaction of every replica it holds.
    pub(super) fn run_log_cleanup(&mut self, broker: u32, broker_epoch: u64) {
        let now = self.now;
        let Some(node) = self.brokers.get_mut(broker as usize) else {
            return;
        };
        if !node.alive || node.broker_epoch != broker_epoch {
            return;
        }
        node.run_log_cleanup(now);
        self.take_log_events(broker);
        self.schedule_log_cleanup(broker);
    }

    /// Runs `broker`'s log cleanup now (Kafka's `LogManager.cleanupLogs` and one cleaner pass:
    /// retention and compaction of every replica it holds), besides its
    /// `log.retention.check.interval.ms` timer: for hosts with an explicit maintenance call.
    /// A stopped or unknown broker does nothing.
    pub fn clean_logs_now(&mut self, broker: u32) {
        let now = self.now;
        let Some(node) = self.brokers.get_mut(broker as usize) else {
            return;
        };
        if !node.alive {
            return;
        }
        node.run_log_cleanup(now);
        self.take_log_events(broker);
    }
}
