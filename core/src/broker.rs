//! A single broker: topics, their partition logs, and the commands that change them.
//!
//! Commands (`create_topic`, `produce`, `delete_topic`, `alter_configs`, …) validate everything
//! first and change nothing on error. Each successful command leaves [`StorageOp`]s and
//! [`Event`]s to drain with [`Broker::poll_storage_ops`] and [`Broker::poll_events`]. Time
//! moves only through the `now` a command carries; [`Broker::tick`] runs the periodic work
//! Kafka's log manager schedules (retention, compaction) at the time it is given.

use std::collections::BTreeMap;

use crate::config::TopicConfig;
use crate::error::{AdminError, CreateTopicError, FetchError, ProduceError};
use crate::event::Event;
use crate::log::{
    AppendInfo, FetchedRecords, LogChange, OffsetAndTimestamp, OffsetSpec, PartitionLog,
};
use crate::prng::splitmix64;
use crate::record::NewRecord;
use crate::storage::{PartitionState, RecoveryImage, StorageOp, TopicRecord};
use crate::topic::{names_collide, validate_topic_name};

pub use crate::admin::{
    AlterConfigOp, ConfigEntry, ConfigSource, PARTITIONS_PER_TOPIC_MAX, PartitionDescription,
    TopicDescription,
};
pub(crate) use crate::admin::{apply_alter_ops, config_entries, segment_bytes};

/// Brokers in this single-broker engine (the cluster arrives with replication).
const BROKERS: u32 = 1;

/// A topic and its partition logs.
#[derive(Clone, Debug)]
pub struct Topic {
    record: TopicRecord,
    config: TopicConfig,
    partitions: Vec<PartitionLog>,
}

impl Topic {
    /// The topic's name.
    pub fn name(&self) -> &str {
        &self.record.name
    }

    /// The topic's effective configs.
    pub fn config(&self) -> &TopicConfig {
        &self.config
    }

    /// The config overrides in force (set at creation or by `alter_configs`).
    pub fn config_overrides(&self) -> &[(String, String)] {
        &self.record.configs
    }

    /// The partition logs, indexed by partition number.
    pub fn partitions(&self) -> &[PartitionLog] {
        &self.partitions
    }
}

/// One broker's state. See the module docs for the command/drain cycle.
#[derive(Clone, Debug, Default)]
pub struct Broker {
    topics: BTreeMap<String, Topic>,
    seed: u64,
    storage_ops: Vec<StorageOp>,
    events: Vec<Event>,
}

/// A partition's own seed (for its segments' roll jitter), from the broker seed.
fn partition_seed(seed: u64, topic: &str, partition: u32) -> u64 {
    let mut hash = splitmix64(seed);
    for byte in topic.bytes() {
        hash = splitmix64(hash ^ u64::from(byte));
    }
    splitmix64(hash ^ u64::from(partition))
}

impl Broker {
    /// A broker with no topics and seed 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// A broker with no topics whose random choices (segment roll jitter) follow `seed`.
    pub fn with_seed(seed: u64) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }

    /// Rebuilds a broker (seed 0) from what its host stored. See [`Broker::recover_with_seed`].
    pub fn recover(image: RecoveryImage) -> Self {
        Self::recover_with_seed(image, 0)
    }

    /// Rebuilds a broker from what its host stored. Damaged stored data is never fatal: torn or
    /// corrupt batches are truncated and invalid topics skipped, each reported as an event.
    pub fn recover_with_seed(image: RecoveryImage, seed: u64) -> Self {
        let mut broker = Self::with_seed(seed);
        for stored in image.topics {
            let name = stored.record.name.clone();
            let config = match Self::validate_topic(&broker.topics, &stored.record) {
                Ok(config) => config,
                Err(error) => {
                    broker.events.push(Event::RecoverySkippedTopic {
                        topic: name,
                        reason: error.to_string(),
                    });
                    continue;
                }
            };
            let count = stored.record.partitions as usize;
            let mut per_partition: Vec<Vec<(i64, Vec<u8>)>> = vec![Vec::new(); count];
            for segment in stored.segments {
                match per_partition.get_mut(segment.partition as usize) {
                    Some(list) => list.push((segment.base_offset, segment.bytes)),
                    None => broker.events.push(Event::RecoverySkippedSegment {
                        topic: name.clone(),
                        partition: segment.partition,
                        base_offset: segment.base_offset,
                    }),
                }
            }
            let mut states: Vec<Option<PartitionState>> = vec![None; count];
            for (partition, state) in stored.partition_states {
                if let Some(slot) = states.get_mut(partition as usize) {
                    *slot = Some(state);
                }
            }
            let mut partitions = Vec::with_capacity(count);
            for (partition, (segments, state)) in per_partition.into_iter().zip(states).enumerate()
            {
                let jitter_seed = partition_seed(seed, &name, partition as u32);
                let (log, truncations) =
                    PartitionLog::recover(segments, state, &config, jitter_seed);
                for truncation in truncations {
                    broker.events.push(Event::RecoveryTruncated {
                        topic: name.clone(),
                        partition: partition as u32,
                        truncation,
                    });
                }
                partitions.push(log);
            }
            broker.topics.insert(
                name,
                Topic {
                    record: stored.record,
                    config,
                    partitions,
                },
            );
        }
        broker
    }

    fn validate_topic(
        topics: &BTreeMap<String, Topic>,
        record: &TopicRecord,
    ) -> Result<TopicConfig, CreateTopicError> {
        validate_topic_name(&record.name)?;
        if topics.contains_key(&record.name) {
            return Err(CreateTopicError::AlreadyExists {
                name: record.name.clone(),
            });
        }
        if let Some(existing) = topics
            .keys()
            .find(|existing| names_collide(existing, &record.name))
        {
            return Err(CreateTopicError::Collides {
                name: record.name.clone(),
                existing: existing.clone(),
            });
        }
        if !(1..=PARTITIONS_PER_TOPIC_MAX).contains(&record.partitions) {
            return Err(CreateTopicError::InvalidPartitions {
                requested: record.partitions.into(),
                max: PARTITIONS_PER_TOPIC_MAX,
            });
        }
        Ok(TopicConfig::with_overrides(
            record.configs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )?)
    }

    /// Creates a topic with `partitions` partitions (-1: Kafka's `num.partitions`, 1), one
    /// replica, and config overrides `configs`.
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: i64,
        configs: &[(String, String)],
    ) -> Result<&Topic, CreateTopicError> {
        self.create_topic_replicated(name, partitions, -1, configs)
    }

    /// Creates a topic, as Kafka's `CreateTopics`: `partitions` and `replication_factor` of -1
    /// take the broker defaults (1 and 1). A replication factor above the number of brokers is
    /// `INVALID_REPLICATION_FACTOR`.
    pub fn create_topic_replicated(
        &mut self,
        name: &str,
        partitions: i64,
        replication_factor: i64,
        configs: &[(String, String)],
    ) -> Result<&Topic, CreateTopicError> {
        let partitions = if partitions == -1 { 1 } else { partitions };
        let partitions =
            u32::try_from(partitions).map_err(|_| CreateTopicError::InvalidPartitions {
                requested: partitions,
                max: PARTITIONS_PER_TOPIC_MAX,
            })?;
        let record = TopicRecord {
            name: name.to_owned(),
            partitions,
            configs: configs.to_vec(),
        };
        let config = Self::validate_topic(&self.topics, &record)?;
        if replication_factor != -1 && !(1..=i64::from(BROKERS)).contains(&replication_factor) {
            return Err(CreateTopicError::InvalidReplicationFactor {
                requested: replication_factor,
                brokers: BROKERS,
            });
        }
        self.storage_ops.push(StorageOp::PutTopic(record.clone()));
        let logs = self.new_partitions(name, 0..partitions, &config);
        self.events.push(Event::TopicCreated {
            topic: name.to_owned(),
            partitions,
        });
        let topic = Topic {
            record,
            config,
            partitions: logs,
        };
        Ok(self.topics.entry(name.to_owned()).or_insert(topic))
    }

    fn new_partitions(
        &mut self,
        topic: &str,
        range: std::ops::Range<u32>,
        config: &TopicConfig,
    ) -> Vec<PartitionLog> {
        range
            .map(|partition| {
                self.storage_ops.push(StorageOp::CreateSegment {
                    topic: topic.to_owned(),
                    partition,
                    base_offset: 0,
                });
                PartitionLog::new(config, partition_seed(self.seed, topic, partition))
            })
            .collect()
    }

    fn topic_or_unknown(&self, name: &str) -> Result<&Topic, AdminError> {
        self.topics
            .get(name)
            .ok_or_else(|| AdminError::UnknownTopic {
                topic: name.to_owned(),
            })
    }

    /// Deletes a topic and all its data.
    pub fn delete_topic(&mut self, name: &str) -> Result<(), AdminError> {
        if self.topics.remove(name).is_none() {
            return Err(AdminError::UnknownTopic {
                topic: name.to_owned(),
            });
        }
        self.storage_ops.push(StorageOp::DeleteTopic {
            topic: name.to_owned(),
        });
        self.events.push(Event::TopicDeleted {
            topic: name.to_owned(),
        });
        Ok(())
    }

    /// Kafka's `CreatePartitions`: grows a topic to `total` partitions. Never fewer, and not
    /// the same count (`INVALID_PARTITIONS`, with Kafka's messages).
    pub fn create_partitions(&mut self, name: &str, total: i64) -> Result<(), AdminError> {
        let topic = self.topic_or_unknown(name)?;
        let current = topic.record.partitions;
        let invalid = |reason: String| AdminError::InvalidPartitions { reason };
        if total < i64::from(current) {
            return Err(invalid(format!(
                "Topic currently has {current} partitions, which is higher than the requested \
                 {total}."
            )));
        }
        if total == i64::from(current) {
            return Err(invalid(format!("Topic already has {current} partitions.")));
        }
        let total = u32::try_from(total)
            .ok()
            .filter(|t| *t <= PARTITIONS_PER_TOPIC_MAX)
            .ok_or_else(|| {
                invalid(format!(
                    "rill allows at most {PARTITIONS_PER_TOPIC_MAX} partitions per topic, \
                     requested {total}."
                ))
            })?;
        let config = topic.config.clone();
        let mut record = topic.record.clone();
        record.partitions = total;
        self.storage_ops.push(StorageOp::PutTopic(record.clone()));
        let logs = self.new_partitions(name, current..total, &config);
        let topic = self
            .topics
            .get_mut(name)
            .expect("checked above and nothing removed it");
        topic.partitions.extend(logs);
        topic.record = record;
        self.events.push(Event::PartitionsCreated {
            topic: name.to_owned(),
            from: current,
            to: total,
        });
        Ok(())
    }

    /// Kafka's `IncrementalAlterConfigs` for one topic: sets or removes overrides, all or
    /// nothing. Retention and compaction use the new values from the next [`Broker::tick`];
    /// appends use them at once.
    pub fn incremental_alter_configs(
        &mut self,
        name: &str,
        ops: &[AlterConfigOp],
    ) -> Result<(), AdminError> {
        let topic = self.topic_or_unknown(name)?;
        let (overrides, _) = apply_alter_ops(&topic.record.configs, ops)?;
        self.replace_overrides(name, overrides)
    }

    /// Kafka's legacy `AlterConfigs` for one topic: the given overrides replace all others.
    pub fn alter_configs(
        &mut self,
        name: &str,
        overrides: &[(String, String)],
    ) -> Result<(), AdminError> {
        if !self.topics.contains_key(name) {
            return Err(AdminError::UnknownTopic {
                topic: name.to_owned(),
            });
        }
        self.replace_overrides(name, overrides.to_vec())
    }

    fn replace_overrides(
        &mut self,
        name: &str,
        overrides: Vec<(String, String)>,
    ) -> Result<(), AdminError> {
        let config =
            TopicConfig::with_overrides(overrides.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        let topic = self
            .topics
            .get_mut(name)
            .expect("callers check the topic exists");
        topic.record.configs = overrides.clone();
        topic.config = config;
        self.storage_ops
            .push(StorageOp::PutTopic(topic.record.clone()));
        self.events.push(Event::ConfigsAltered {
            topic: name.to_owned(),
            overrides,
        });
        Ok(())
    }

    /// The topic's partitions and configs, as `describeTopics` and `describeConfigs` show them.
    pub fn describe_topic(&self, name: &str) -> Result<TopicDescription, AdminError> {
        let topic = self.topic_or_unknown(name)?;
        let partitions = topic
            .partitions
            .iter()
            .enumerate()
            .map(|(index, log)| PartitionDescription {
                partition: index as u32,
                leader: 0,
                replicas: vec![0],
                isr: vec![0],
                log_start_offset: log.log_start_offset(),
                high_watermark: log.high_watermark(),
                log_end_offset: log.log_end_offset(),
                size: log.size(),
                segments: log.segments().len(),
            })
            .collect();
        let configs = config_entries(&topic.config, &topic.record.configs);
        Ok(TopicDescription {
            name: name.to_owned(),
            partitions,
            configs,
        })
    }

    fn log_mut(
        &mut self,
        topic: &str,
        partition: i32,
    ) -> Result<(&mut PartitionLog, u32), AdminError> {
        let entry = self
            .topics
            .get_mut(topic)
            .ok_or_else(|| AdminError::UnknownTopic {
                topic: topic.to_owned(),
            })?;
        let unknown = || AdminError::UnknownPartition {
            topic: topic.to_owned(),
            partition,
        };
        let index = usize::try_from(partition).map_err(|_| unknown())?;
        let log = entry.partitions.get_mut(index).ok_or_else(unknown)?;
        Ok((log, index as u32))
    }

    /// Which keys stored in `topic` would land on a different partition if it had
    /// `new_partitions` partitions (Kafka hashes keys modulo the partition count, so growing a
    /// topic breaks per-key order for the keys that move). Reads every record of the topic
    /// from its log start offsets.
    pub fn keys_that_move(
        &self,
        name: &str,
        new_partitions: u32,
    ) -> Result<Vec<crate::partitioner::KeyMove>, AdminError> {
        let topic = self.topic_or_unknown(name)?;
        let mut keys: Vec<Vec<u8>> = Vec::new();
        for log in &topic.partitions {
            let fetched = log
                .read_all(log.log_start_offset())
                .expect("the log start offset is always in range");
            keys.extend(fetched.records.into_iter().filter_map(|r| r.key));
        }
        crate::partitioner::keys_that_move(
            keys.iter().map(Vec::as_slice),
            topic.record.partitions,
            new_partitions,
        )
        .map_err(|error| AdminError::InvalidPartitions {
            reason: error.to_string(),
        })
    }

    /// Kafka's `DeleteRecords`: moves a partition's log start offset to `offset` (-1: the high
    /// watermark). Returns the new log start offset ("low watermark"). Segments wholly below it
    /// are deleted at the next [`Broker::tick`].
    pub fn delete_records(
        &mut self,
        topic: &str,
        partition: i32,
        offset: i64,
    ) -> Result<i64, AdminError> {
        let (log, index) = self.log_mut(topic, partition)?;
        let mut changes = Vec::new();
        let before = log.log_start_offset();
        let low_watermark = log.delete_records(offset, &mut changes)?;
        self.apply_changes(topic, index, changes);
        if low_watermark > before {
            self.events.push(Event::LogStartOffsetAdvanced {
                topic: topic.to_owned(),
                partition: index,
                log_start_offset: low_watermark,
            });
        }
        Ok(low_watermark)
    }

    /// Kafka's `ListOffsets` for a consumer: `timestamp` is -2 (earliest), -1 (latest: the high
    /// watermark), -3 (the record with the largest timestamp) or a time ≥ 0 (the first record
    /// at or after it). `None` means no such record (Kafka answers offset -1).
    pub fn list_offsets(
        &self,
        topic: &str,
        partition: i32,
        timestamp: i64,
    ) -> Result<Option<OffsetAndTimestamp>, AdminError> {
        let spec =
            OffsetSpec::from_kafka(timestamp).ok_or(AdminError::InvalidTimestamp { timestamp })?;
        let log = self.partition(topic, partition).ok_or_else(|| {
            if self.topics.contains_key(topic) {
                AdminError::UnknownPartition {
                    topic: topic.to_owned(),
                    partition,
                }
            } else {
                AdminError::UnknownTopic {
                    topic: topic.to_owned(),
                }
            }
        })?;
        Ok(log.list_offset(spec))
    }

    /// Runs Kafka's periodic log maintenance at time `now`: retention
    /// (`log.retention.check.interval.ms`) and, for compacted topics, one cleaner pass per dirty
    /// partition. The host decides how often to call it.
    pub fn tick(&mut self, now: i64) {
        let names: Vec<String> = self.topics.keys().cloned().collect();
        for name in names {
            let topic = self
                .topics
                .get_mut(&name)
                .expect("names were just read from the map");
            let config = topic.config.clone();
            let mut all_changes = Vec::new();
            for (index, log) in topic.partitions.iter_mut().enumerate() {
                let mut changes = Vec::new();
                log.apply_retention(now, &config, &mut changes);
                log.compact(now, &config, &mut changes);
                all_changes.push((index as u32, changes));
            }
            for (index, changes) in all_changes {
                self.apply_changes(&name, index, changes);
            }
        }
    }

    /// Appends `records` to one partition as a single batch at time `now`.
    pub fn produce(
        &mut self,
        now: i64,
        topic: &str,
        partition: i32,
        records: &[NewRecord],
    ) -> Result<AppendInfo, ProduceError> {
        let mut infos = self.produce_batches(now, topic, &[(partition, records)])?;
        Ok(infos.pop().expect("one batch in, one append out"))
    }

    /// Appends one batch to each of several partitions of `topic`, all or nothing: every batch
    /// is validated before any is appended. A partition may appear only once.
    pub fn produce_batches(
        &mut self,
        now: i64,
        topic: &str,
        batches: &[(i32, &[NewRecord])],
    ) -> Result<Vec<AppendInfo>, ProduceError> {
        let entry =
            self.topics
                .get_mut(topic)
                .ok_or_else(|| ProduceError::UnknownTopicOrPartition {
                    topic: topic.to_owned(),
                    partition: batches.first().map_or(-1, |(p, _)| *p),
                })?;
        let mut prepared = Vec::with_capacity(batches.len());
        for (i, &(partition, records)) in batches.iter().enumerate() {
            let unknown = || ProduceError::UnknownTopicOrPartition {
                topic: topic.to_owned(),
                partition,
            };
            let index = usize::try_from(partition).map_err(|_| unknown())?;
            let log = entry.partitions.get(index).ok_or_else(unknown)?;
            if batches[..i].iter().any(|(p, _)| *p == partition) {
                return Err(ProduceError::DuplicatePartition {
                    topic: topic.to_owned(),
                    partition,
                });
            }
            prepared.push((index, log.prepare(now, &entry.config, records)?));
        }
        let mut infos = Vec::with_capacity(prepared.len());
        let mut all_changes = Vec::with_capacity(prepared.len());
        for (index, batch) in prepared {
            let mut changes = Vec::new();
            let log = &mut entry.partitions[index];
            let info = log.commit(batch, &entry.config, &mut changes);
            // The only replica: what it appended is committed.
            log.update_high_watermark(log.log_end_offset());
            all_changes.push((index as u32, changes, info));
            infos.push(info);
        }
        for (partition, changes, info) in all_changes {
            self.apply_changes(topic, partition, changes);
            self.events.push(Event::RecordsAppended {
                topic: topic.to_owned(),
                partition,
                base_offset: info.base_offset,
                last_offset: info.last_offset,
            });
        }
        Ok(infos)
    }

    /// Turns a log's changes into storage ops and events.
    fn apply_changes(&mut self, topic: &str, partition: u32, changes: Vec<LogChange>) {
        let log_start_offset = self
            .partition(topic, partition as i32)
            .map_or(0, PartitionLog::log_start_offset);
        for change in changes {
            self.events
                .extend(event_for(topic, partition, &change, log_start_offset));
            self.storage_ops
                .push(crate::storage::op_for_change(topic, partition, change));
        }
    }

    /// Kafka's fetch for one partition: the records of whole batches from the one holding
    /// `offset` on, from one segment, while they fit in `max_bytes` (the first batch always
    /// comes whole). See [`PartitionLog::read_batches`].
    pub fn fetch(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
        max_bytes: usize,
    ) -> Result<FetchedRecords, FetchError> {
        self.fetch_log(topic, partition)?.read(offset, max_bytes)
    }

    fn fetch_log(&self, topic: &str, partition: i32) -> Result<&PartitionLog, FetchError> {
        self.partition(topic, partition)
            .ok_or_else(|| FetchError::UnknownTopicOrPartition {
                topic: topic.to_owned(),
                partition,
            })
    }

    /// Every record of one partition from `offset` to the high watermark, across segments
    /// (repeated fetches, as a consumer would make them). For views and tests.
    pub fn fetch_all(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
    ) -> Result<FetchedRecords, FetchError> {
        self.fetch_log(topic, partition)?.read_all(offset)
    }

    /// The bytes of one segment of a partition as Kafka stores them: the `.log` file
    /// `<base_offset>.log` (v2 record batches), readable by Kafka's tools
    /// (`kafka-dump-log.sh`).
    ///
    /// # Errors
    /// `UNKNOWN_TOPIC_OR_PARTITION`; `INVALID_REQUEST` when no segment starts at `base_offset`
    /// (the message lists those that do).
    pub fn export_segment(
        &self,
        topic: &str,
        partition: i32,
        base_offset: i64,
    ) -> Result<Vec<u8>, AdminError> {
        let log = self
            .partition(topic, partition)
            .ok_or_else(|| AdminError::UnknownPartition {
                topic: topic.to_owned(),
                partition,
            })?;
        segment_bytes(log, topic, partition, base_offset)
    }

    /// A topic by name.
    pub fn topic(&self, name: &str) -> Option<&Topic> {
        self.topics.get(name)
    }

    /// One partition's log.
    pub fn partition(&self, topic: &str, partition: i32) -> Option<&PartitionLog> {
        let index = usize::try_from(partition).ok()?;
        self.topics.get(topic)?.partitions.get(index)
    }

    /// All topics, by name.
    pub fn topics(&self) -> impl Iterator<Item = &Topic> {
        self.topics.values()
    }

    /// Takes the storage ops emitted since the last call, in the order to apply them.
    pub fn poll_storage_ops(&mut self) -> Vec<StorageOp> {
        std::mem::take(&mut self.storage_ops)
    }

    /// Takes the events emitted since the last call, oldest first.
    pub fn poll_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}

/// The event a log change shows, if any (appends are reported per command instead).
fn event_for(
    topic: &str,
    partition: u32,
    change: &LogChange,
    log_start_offset: i64,
) -> Option<Event> {
    let topic = topic.to_owned();
    Some(match change {
        LogChange::SegmentRolled {
            base_offset,
            reason,
        } => Event::SegmentRolled {
            topic,
            partition,
            base_offset: *base_offset,
            reason: *reason,
        },
        LogChange::SegmentDeleted {
            base_offset,
            size,
            reason,
        } => Event::SegmentDeleted {
            topic,
            partition,
            base_offset: *base_offset,
            size: *size,
            reason: *reason,
            log_start_offset,
        },
        LogChange::SegmentsCompacted {
            removed,
            added,
            bytes_before,
        } => Event::SegmentsCompacted {
            topic,
            partition,
            removed: removed.clone(),
            added: added.iter().map(|(base, _)| *base).collect(),
            bytes_before: *bytes_before,
            bytes_after: added.iter().map(|(_, b)| b.len() as u64).sum(),
        },
        LogChange::Truncated { log_end_offset, .. } => Event::LogTruncated {
            topic,
            partition,
            to: *log_end_offset,
        },
        LogChange::Appended { .. } | LogChange::StateChanged(_) => return None,
    })
}
