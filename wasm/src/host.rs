//! [`Host`]: drives the engine with the page's clock and persists before acknowledging.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::{Rc, Weak};

use rill_core::broker::{AlterConfigOp, TopicDescription};
use rill_core::cluster::persist::ClusterStorageOp;
use rill_core::log::{FetchedRecords, OffsetAndTimestamp};
use rill_core::partitioner::{KeyMove, Partitioner};
use rill_core::record::{Header, NewRecord};
use rill_core::storage::{RecoveryImage, StorageOp};
use rill_core::{Broker, Event};

use crate::HostError;
use crate::durable::{DurableWriter, Persisted};
use crate::store::{IdbStore, MemoryClusterStore, Store, StoreFault, StoredState};

pub use crate::session::StorageKind;

/// One message to produce.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProduceInput {
    /// Record key.
    pub key: Option<Vec<u8>>,
    /// Record value; `None` is a tombstone.
    pub value: Option<Vec<u8>>,
    /// Headers, in order.
    pub headers: Vec<Header>,
    /// Explicit partition; otherwise the partitioner chooses.
    pub partition: Option<i32>,
    /// Producer timestamp; otherwise now.
    pub timestamp: Option<i64>,
}

/// Where one produced message landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducedRecord {
    /// Partition chosen.
    pub partition: i32,
    /// Offset the broker assigned.
    pub offset: i64,
    /// The broker's time under `LogAppendTime`.
    pub log_append_time: Option<i64>,
}

/// A segment, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentView {
    /// Base offset (and name).
    pub base_offset: i64,
    /// Size in bytes.
    pub size: usize,
    /// Offset of its first record; `None` when it holds no batch.
    pub first_offset: Option<i64>,
    /// Offset of its last record; `None` when it holds no batch.
    pub last_offset: Option<i64>,
    /// Kafka's file name, e.g. `00000000000000000042.log`.
    pub file_name: String,
}

/// A partition's offsets and segments, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionView {
    /// Partition index.
    pub partition: i32,
    /// First offset held.
    pub log_start_offset: i64,
    /// Offset below which consumers can read.
    pub high_watermark: i64,
    /// Offset of the next record.
    pub log_end_offset: i64,
    /// Segments, oldest first.
    pub segments: Vec<SegmentView>,
}

/// A topic, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicView {
    /// Topic name.
    pub name: String,
    /// Partitions in index order.
    pub partitions: Vec<PartitionView>,
    /// Config overrides in force (given at creation or altered since).
    pub configs: Vec<(String, String)>,
}

#[derive(Debug)]
struct Inner {
    broker: Broker,
    partitioner: Partitioner,
    /// Persists the broker's ops (as log dir 0) and rolls the broker back on a failed write.
    writer: DurableWriter,
    /// Stored values that could not be read at open (or at the last rollback).
    skipped: Vec<String>,
    /// Events from recovery, held for [`Host::poll_events`].
    recovered_events: Vec<Event>,
}

/// The broker's ops as changes to log dir 0.
fn in_dir_0(ops: Vec<StorageOp>) -> Vec<ClusterStorageOp> {
    ops.into_iter()
        .map(|op| ClusterStorageOp::Log { broker: 0, op })
        .collect()
}

/// A broker in the page. Cheap to clone: clones share one broker.
///
/// Each command applies to the engine synchronously (so commands take effect in call order),
/// then its storage ops are flushed; the returned future resolves only once they are durable.
/// The broker's data is log dir 0 of the store.
///
/// Persisting is a [`DurableWriter`]'s: with IndexedDB, one write is in flight at a time, ops
/// of commands applied meanwhile are queued and go together in the next transaction (group
/// commit). When a write fails, the engine is rebuilt from what the store reads back (its last
/// committed state, as a reload would), and only then does every command whose ops were in that
/// write or queued behind it fail; commands arriving during the rollback are refused before they
/// touch the engine. Nothing is half-applied.
#[derive(Clone, Debug)]
pub struct Host {
    inner: Rc<RefCell<Inner>>,
}

fn now() -> i64 {
    js_sys::Date::now() as i64
}

impl Host {
    /// Opens the broker called `name`, recovering what IndexedDB holds for it.
    pub async fn open(name: &str, storage: StorageKind) -> Result<Host, HostError> {
        if name.is_empty() {
            return Err(HostError::InvalidArgument(
                "a broker name must not be empty".into(),
            ));
        }
        let (broker, store, skipped, recovered_events, repairs) = match storage {
            StorageKind::Memory => (
                Broker::new(),
                Store::Memory(MemoryClusterStore::new()),
                Vec::new(),
                Vec::new(),
                Vec::new(),
            ),
            StorageKind::IndexedDb => {
                let mut opened = IdbStore::open(name).await?;
                let image = opened.image.logs.remove(&0).unwrap_or_default();
                let mut stored = stored_segments(&image);
                let mut damaged = BTreeSet::new();
                for (partition, bases) in opened.image.damaged.remove(&0).unwrap_or_default() {
                    stored.entry(partition.clone()).or_default().extend(bases);
                    damaged.insert(partition);
                }
                let mut broker = Broker::recover(image);
                let events = broker.poll_events();
                let repairs = repair_ops(&broker, &stored, &events, &damaged);
                (
                    broker,
                    Store::IndexedDb(opened.store),
                    opened.skipped,
                    events,
                    repairs,
                )
            }
        };
        let inner = Rc::new_cyclic(|engine: &Weak<RefCell<Inner>>| {
            let engine = engine.clone();
            // After a failed write: the broker as a reload would recover it.
            let rebuild = move |state: StoredState, _: &HostError| {
                let engine = engine
                    .upgrade()
                    .ok_or_else(|| HostError::Storage("the broker is gone".into()))?;
                let mut inner = engine.try_borrow_mut().map_err(|_| {
                    HostError::Storage("the broker is busy and cannot be restored".into())
                })?;
                let mut image = state.image;
                inner.broker = Broker::recover(image.logs.remove(&0).unwrap_or_default());
                inner.skipped = state.skipped;
                Ok(())
            };
            RefCell::new(Inner {
                broker,
                partitioner: Partitioner::new(),
                writer: DurableWriter::new(store, rebuild),
                skipped,
                recovered_events,
            })
        });
        let host = Host { inner };
        if !repairs.is_empty() {
            let repaired = host.writer().persist(in_dir_0(repairs));
            if let Err(error) = repaired.await {
                host.close();
                return Err(error);
            }
        }
        Ok(host)
    }

    /// Creates a topic and resolves once it is persisted.
    pub async fn create_topic(
        &self,
        name: &str,
        partitions: i64,
        configs: Vec<(String, String)>,
    ) -> Result<TopicView, HostError> {
        let flush = {
            let mut inner = self.inner.borrow_mut();
            inner.writer.check_writable()?;
            inner
                .broker
                .create_topic(name, partitions, &configs)
                .map_err(|e| HostError::kafka(&e))?;
            let ops = inner.broker.poll_storage_ops();
            inner.writer.persist(in_dir_0(ops))
        };
        flush.await?;
        self.topic(name)
            .ok_or_else(|| HostError::Storage(format!("topic '{name}' vanished while persisting")))
    }

    /// Produces `messages` to `topic` (one batch per partition, all or nothing) and resolves
    /// with where each landed once the batches are persisted.
    pub async fn produce(
        &self,
        topic: &str,
        messages: Vec<ProduceInput>,
    ) -> Result<Vec<ProducedRecord>, HostError> {
        let (flush, produced) = self.start_produce(topic, messages)?;
        flush.await?;
        Ok(produced)
    }

    /// [`Host::produce`] up to the wait: applies the batches now and issues their write, and
    /// returns where each message landed with the flush to await before acknowledging them
    /// (so that the caller can prepare its answer while the write commits).
    pub fn start_produce(
        &self,
        topic: &str,
        messages: Vec<ProduceInput>,
    ) -> Result<(Persisted, Vec<ProducedRecord>), HostError> {
        let flush_and_result = {
            let mut inner = self.inner.borrow_mut();
            let inner = &mut *inner;
            inner.writer.check_writable()?;
            let Some(partition_count) = inner
                .broker
                .topic(topic)
                .map(|t| t.partitions().len() as u32)
            else {
                return Err(HostError::Kafka {
                    code: rill_core::ErrorCode::UnknownTopicOrPartition,
                    message: format!("unknown topic '{topic}': create it first"),
                });
            };
            if messages.is_empty() {
                return Err(HostError::InvalidArgument(
                    "messages must hold at least one message".into(),
                ));
            }
            if let Some(bad) = messages
                .iter()
                .filter_map(|m| m.partition)
                .find(|p| !(0..partition_count as i32).contains(p))
            {
                return Err(HostError::Kafka {
                    code: rill_core::ErrorCode::UnknownTopicOrPartition,
                    message: format!(
                        "topic '{topic}' has partitions 0..{}, not {bad}",
                        partition_count - 1
                    ),
                });
            }
            let mut groups: BTreeMap<i32, (Vec<usize>, Vec<NewRecord>)> = BTreeMap::new();
            for (index, message) in messages.into_iter().enumerate() {
                let partition = message.partition.unwrap_or_else(|| {
                    inner
                        .partitioner
                        .partition(topic, partition_count, message.key.as_deref())
                        as i32
                });
                let group = groups.entry(partition).or_default();
                group.0.push(index);
                group.1.push(NewRecord {
                    key: message.key,
                    value: message.value,
                    headers: message.headers,
                    timestamp: message.timestamp,
                });
            }
            let batches: Vec<(i32, &[NewRecord])> = groups
                .iter()
                .map(|(p, (_, r))| (*p, r.as_slice()))
                .collect();
            let infos = inner
                .broker
                .produce_batches(now(), topic, &batches)
                .map_err(|e| HostError::kafka(&e))?;
            let total = groups.values().map(|(indices, _)| indices.len()).sum();
            let mut produced = vec![
                ProducedRecord {
                    partition: 0,
                    offset: 0,
                    log_append_time: None
                };
                total
            ];
            for ((partition, (indices, _)), info) in groups.iter().zip(&infos) {
                for (i, &index) in indices.iter().enumerate() {
                    produced[index] = ProducedRecord {
                        partition: *partition,
                        offset: info.base_offset + i as i64,
                        log_append_time: info.log_append_time,
                    };
                }
            }
            let ops = inner.broker.poll_storage_ops();
            (inner.writer.persist(in_dir_0(ops)), produced)
        };
        Ok(flush_and_result)
    }

    /// Applies `command` to the broker now, then starts flushing the storage ops it left.
    /// Returns the command's result and the flush to await before acknowledging it.
    fn apply<T, F>(
        &self,
        command: F,
    ) -> Result<(impl Future<Output = Result<(), HostError>> + use<T, F>, T), HostError>
    where
        F: FnOnce(&mut Broker) -> Result<T, HostError>,
    {
        let mut inner = self.inner.borrow_mut();
        inner.writer.check_writable()?;
        let result = command(&mut inner.broker)?;
        let ops = inner.broker.poll_storage_ops();
        Ok((inner.writer.persist(in_dir_0(ops)), result))
    }

    /// The writer, cloned out so that awaiting it holds no borrow of the host.
    fn writer(&self) -> DurableWriter {
        self.inner.borrow().writer.clone()
    }

    /// Runs the broker's periodic log maintenance (retention, compaction) at the page's time
    /// and resolves once what it deleted or rewrote is persisted.
    pub async fn tick(&self) -> Result<(), HostError> {
        let (flush, ()) = self.apply(|broker| {
            broker.tick(now());
            Ok(())
        })?;
        flush.await
    }

    /// Deletes a topic and all its data; resolves once the deletion is persisted.
    pub async fn delete_topic(&self, name: &str) -> Result<(), HostError> {
        let (flush, ()) =
            self.apply(|broker| broker.delete_topic(name).map_err(|e| HostError::kafka(&e)))?;
        flush.await
    }

    /// Grows `name` to `total` partitions; resolves with the topic once persisted.
    pub async fn create_partitions(&self, name: &str, total: i64) -> Result<TopicView, HostError> {
        let (flush, ()) = self.apply(|broker| {
            broker
                .create_partitions(name, total)
                .map_err(|e| HostError::kafka(&e))
        })?;
        flush.await?;
        self.persisted_topic(name)
    }

    /// Kafka's `incrementalAlterConfigs` for one topic: `set` overrides, then `delete`s
    /// (back to the default), all or nothing. Resolves with the topic once persisted.
    pub async fn alter_configs(
        &self,
        name: &str,
        set: Vec<(String, String)>,
        delete: Vec<String>,
    ) -> Result<TopicView, HostError> {
        let ops: Vec<AlterConfigOp> = set
            .into_iter()
            .map(|(name, value)| AlterConfigOp::Set { name, value })
            .chain(
                delete
                    .into_iter()
                    .map(|name| AlterConfigOp::Delete { name }),
            )
            .collect();
        let (flush, ()) = self.apply(|broker| {
            broker
                .incremental_alter_configs(name, &ops)
                .map_err(|e| HostError::kafka(&e))
        })?;
        flush.await?;
        self.persisted_topic(name)
    }

    /// Kafka's `deleteRecords`: moves the log start offset of one partition to `offset` (-1:
    /// the high watermark). Resolves with the new log start offset once persisted; whole
    /// segments below it go at the next [`Host::tick`].
    pub async fn delete_records(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
    ) -> Result<i64, HostError> {
        let (flush, low_watermark) = self.apply(|broker| {
            broker
                .delete_records(topic, partition, offset)
                .map_err(|e| HostError::kafka(&e))
        })?;
        flush.await?;
        Ok(low_watermark)
    }

    /// Kafka's `ListOffsets`: `timestamp` -2 (earliest), -1 (latest), -3 (max timestamp) or a
    /// time. `None` when no record matches.
    pub fn list_offsets(
        &self,
        topic: &str,
        partition: i32,
        timestamp: i64,
    ) -> Result<Option<OffsetAndTimestamp>, HostError> {
        self.inner
            .borrow()
            .broker
            .list_offsets(topic, partition, timestamp)
            .map_err(|e| HostError::kafka(&e))
    }

    /// The keys stored in `topic` that would land on another partition with `total`
    /// partitions.
    pub fn keys_that_move(&self, topic: &str, total: i64) -> Result<Vec<KeyMove>, HostError> {
        let total = u32::try_from(total).map_err(|_| HostError::Kafka {
            code: rill_core::ErrorCode::InvalidPartitions,
            message: format!(
                "a partition count must be between 1 and {}, not {total}",
                u32::MAX
            ),
        })?;
        self.inner
            .borrow()
            .broker
            .keys_that_move(topic, total)
            .map_err(|e| HostError::kafka(&e))
    }

    /// The bytes of the segment of `topic`-`partition` that starts at `base_offset`: a Kafka
    /// `.log` file.
    pub fn export_segment(
        &self,
        topic: &str,
        partition: i32,
        base_offset: i64,
    ) -> Result<Vec<u8>, HostError> {
        self.inner
            .borrow()
            .broker
            .export_segment(topic, partition, base_offset)
            .map_err(|e| HostError::kafka(&e))
    }

    /// The topic's partitions and every config with its source.
    pub fn describe_topic(&self, topic: &str) -> Result<TopicDescription, HostError> {
        self.inner
            .borrow()
            .broker
            .describe_topic(topic)
            .map_err(|e| HostError::kafka(&e))
    }

    fn persisted_topic(&self, name: &str) -> Result<TopicView, HostError> {
        self.topic(name)
            .ok_or_else(|| HostError::Storage(format!("topic '{name}' vanished while persisting")))
    }

    /// Reads records of one partition from `offset`.
    pub fn fetch(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
        max_bytes: usize,
    ) -> Result<FetchedRecords, HostError> {
        self.inner
            .borrow()
            .broker
            .fetch(topic, partition, offset, max_bytes)
            .map_err(|e| HostError::kafka(&e))
    }

    /// Every record of one partition from `offset` up to the high watermark, across segments
    /// (not one Kafka fetch: for views).
    pub fn fetch_all(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
    ) -> Result<FetchedRecords, HostError> {
        self.inner
            .borrow()
            .broker
            .fetch_all(topic, partition, offset)
            .map_err(|e| HostError::kafka(&e))
    }

    /// Every topic, by name.
    pub fn topics(&self) -> Vec<TopicView> {
        self.inner.borrow().broker.topics().map(view_of).collect()
    }

    /// One topic.
    pub fn topic(&self, name: &str) -> Option<TopicView> {
        self.inner.borrow().broker.topic(name).map(view_of)
    }

    /// Takes the engine's events since the last call (the first call also returns what
    /// recovery reported on open, e.g. `Event::RecoveryTruncated`).
    pub fn poll_events(&self) -> Vec<Event> {
        let mut inner = self.inner.borrow_mut();
        let mut events = std::mem::take(&mut inner.recovered_events);
        events.extend(inner.broker.poll_events());
        events
    }

    /// Stored values that could not be read when the broker was opened.
    pub fn skipped_on_open(&self) -> Vec<String> {
        self.inner.borrow().skipped.clone()
    }

    /// Closes the store's connection and releases its writer's lock, so another instance can
    /// open the same name. The data stays; writes already started still commit; later commands
    /// that write fail with `KAFKA_STORAGE_ERROR`.
    pub fn close(&self) {
        self.writer().close();
    }

    /// Makes the next IndexedDB write fail with `fault`, for tests of failure handling (the
    /// transaction is really aborted). Returns `false` for in-memory storage, which cannot fail.
    pub fn fail_next_flush(&self, fault: StoreFault) -> bool {
        self.writer().fail_next_write(fault)
    }
}

/// The base offsets stored for each `(topic, partition)`.
fn stored_segments(image: &RecoveryImage) -> BTreeMap<(String, u32), BTreeSet<i64>> {
    let mut stored: BTreeMap<(String, u32), BTreeSet<i64>> = BTreeMap::new();
    for topic in &image.topics {
        for segment in &topic.segments {
            stored
                .entry((topic.record.name.clone(), segment.partition))
                .or_default()
                .insert(segment.base_offset);
        }
    }
    stored
}

/// Ops that make the store hold what recovery kept, as Kafka truncates a torn `.log` file:
/// every partition recovery cut (or whose chunks were partly unreadable) is rewritten from the
/// engine's segments. Without this, the next append would be stored after bytes recovery
/// drops, and lost at the next open.
fn repair_ops(
    broker: &Broker,
    stored: &BTreeMap<(String, u32), BTreeSet<i64>>,
    events: &[Event],
    damaged: &BTreeSet<(String, u32)>,
) -> Vec<StorageOp> {
    let mut cut: BTreeSet<(String, u32)> = events
        .iter()
        .filter_map(|event| match event {
            Event::RecoveryTruncated {
                topic, partition, ..
            } => Some((topic.clone(), *partition)),
            _ => None,
        })
        .collect();
    cut.extend(damaged.iter().cloned());
    cut.into_iter()
        .filter_map(|(topic, partition)| {
            let log = broker.topic(&topic)?.partitions().get(partition as usize)?;
            let removed = stored
                .get(&(topic.clone(), partition))
                .map(|bases| bases.iter().copied().collect())
                .unwrap_or_default();
            Some(StorageOp::ReplaceSegments {
                topic,
                partition,
                removed,
                added: log.segment_bytes(),
            })
        })
        .collect()
}

fn view_of(topic: &rill_core::Topic) -> TopicView {
    TopicView {
        name: topic.name().to_owned(),
        configs: topic.config_overrides().to_vec(),
        partitions: topic
            .partitions()
            .iter()
            .enumerate()
            .map(|(index, log)| PartitionView {
                partition: index as i32,
                log_start_offset: log.log_start_offset(),
                high_watermark: log.high_watermark(),
                log_end_offset: log.log_end_offset(),
                segments: log
                    .segments()
                    .iter()
                    .map(|s| SegmentView {
                        base_offset: s.base_offset(),
                        size: s.size(),
                        first_offset: s.first_offset(),
                        last_offset: s.next_offset().map(|next| next - 1),
                        file_name: s.file_name(),
                    })
                    .collect(),
            })
            .collect(),
    }
}
