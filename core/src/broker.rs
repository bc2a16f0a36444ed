//! A single broker: topics, their partition logs, and the commands that change them.
//!
//! Commands (`create_topic`, `produce`) validate everything first and change nothing on error.
//! Each successful command leaves [`StorageOp`]s and [`Event`]s to drain with
//! [`Broker::poll_storage_ops`] and [`Broker::poll_events`].

use std::collections::BTreeMap;

use crate::config::TopicConfig;
use crate::error::{CreateTopicError, FetchError, ProduceError};
use crate::event::Event;
use crate::log::{AppendInfo, FetchedRecords, LogChange, PartitionLog};
use crate::record::NewRecord;
use crate::storage::{RecoveryImage, StorageOp, TopicRecord};
use crate::topic::{names_collide, validate_topic_name};

/// The most partitions one topic may have in rill (Kafka has no fixed limit; a browser does).
pub const PARTITIONS_PER_TOPIC_MAX: u32 = 10_000;

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

    /// The config overrides given at creation.
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
    storage_ops: Vec<StorageOp>,
    events: Vec<Event>,
}

impl Broker {
    /// A broker with no topics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a broker from what its host stored. Damaged stored data is never fatal: torn or
    /// corrupt batches are truncated and invalid topics skipped, each reported as an event.
    pub fn recover(image: RecoveryImage) -> Self {
        let mut broker = Self::new();
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
            let mut per_partition: Vec<Vec<(i64, Vec<u8>)>> =
                vec![Vec::new(); stored.record.partitions as usize];
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
            let mut partitions = Vec::with_capacity(per_partition.len());
            for (partition, segments) in per_partition.into_iter().enumerate() {
                let (log, truncations) = PartitionLog::recover(segments);
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

    /// Creates a topic with `partitions` partitions and config overrides `configs`.
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: i64,
        configs: &[(String, String)],
    ) -> Result<&Topic, CreateTopicError> {
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
        self.storage_ops.push(StorageOp::PutTopic(record.clone()));
        for partition in 0..partitions {
            self.storage_ops.push(StorageOp::CreateSegment {
                topic: name.to_owned(),
                partition,
                base_offset: 0,
            });
        }
        self.events.push(Event::TopicCreated {
            topic: name.to_owned(),
            partitions,
        });
        let topic = Topic {
            record,
            config,
            partitions: (0..partitions).map(|_| PartitionLog::new()).collect(),
        };
        Ok(self.topics.entry(name.to_owned()).or_insert(topic))
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
        for (index, batch) in prepared {
            let mut changes = Vec::new();
            let info = entry.partitions[index].commit(batch, &mut changes);
            let partition = index as u32;
            for change in changes {
                let topic = topic.to_owned();
                match change {
                    LogChange::SegmentRolled { base_offset } => {
                        self.storage_ops.push(StorageOp::CreateSegment {
                            topic: topic.clone(),
                            partition,
                            base_offset,
                        });
                        self.events.push(Event::SegmentRolled {
                            topic,
                            partition,
                            base_offset,
                        });
                    }
                    LogChange::Appended {
                        segment_base_offset,
                        bytes,
                    } => {
                        self.storage_ops.push(StorageOp::AppendToSegment {
                            topic,
                            partition,
                            base_offset: segment_base_offset,
                            bytes,
                        });
                    }
                }
            }
            self.events.push(Event::RecordsAppended {
                topic: topic.to_owned(),
                partition,
                base_offset: info.base_offset,
                last_offset: info.last_offset,
            });
            infos.push(info);
        }
        Ok(infos)
    }

    /// Reads records of one partition from `offset`, at least one batch and up to about
    /// `max_bytes`.
    pub fn fetch(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
        max_bytes: usize,
    ) -> Result<FetchedRecords, FetchError> {
        let log = self.partition(topic, partition).ok_or_else(|| {
            FetchError::UnknownTopicOrPartition {
                topic: topic.to_owned(),
                partition,
            }
        })?;
        log.read(offset, max_bytes)
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
