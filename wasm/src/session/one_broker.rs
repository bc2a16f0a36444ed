//! [`OneBroker`]: a one-broker [`Cluster`] on the page's clock, the engine under the
//! `RillBroker` JavaScript API. A thin layer over a [`Session`]: the cluster runs in realtime
//! with zero network latency, so a command's requests are answered at the instant it runs, and
//! every command resolves once what it changed is durable (the session's `DurableWriter`:
//! one IndexedDB write in flight, group commit, a failed write rebuilds the cluster from the
//! store before the waiting commands fail). Its data is broker 0's log dir; a store written by
//! the single-broker engine of earlier versions (log dir 0 without a metadata snapshot) opens as
//! a one-broker cluster (`Cluster::recover` migrates it).

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use rill_core::admin::{
    AlterConfigOp, PARTITIONS_PER_TOPIC_MAX, PartitionDescription, TopicDescription,
};
use rill_core::cluster::{Acks, Cluster, ClusterEvent, Latency};
use rill_core::error::{AdminError, CreateTopicError, ErrorCode, FetchError};
use rill_core::log::{FetchedRecords, OffsetAndTimestamp, OffsetSpec, PartitionLog};
use rill_core::partitioner::{KeyMove, Partitioner};
use rill_core::record::{Header, NewRecord, TimestampType};

use super::{ClockMode, Session, SessionEvent, SessionOptions, StorageKind};
use crate::HostError;
use crate::store::{OnDiscarded, StoreFault};

/// The broker's id in its cluster.
const BROKER: u32 = 0;

/// Events [`OneBroker::poll_events`] keeps between calls (the oldest go first).
const EVENTS_KEPT: usize = 4_096;

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

/// A one-broker cluster in the page. Cheap to clone: clones share it.
///
/// Each command applies to the cluster synchronously (so commands take effect in call order)
/// and its storage ops go to the writer at once; the returned future resolves only once they
/// are durable. Commands arriving while a failed write is rolled back are refused before they
/// touch the cluster.
#[derive(Clone)]
pub struct OneBroker {
    session: Session,
    /// The producer client the broker's produces come from.
    client: u32,
    partitioner: Rc<RefCell<Partitioner>>,
    /// The cluster's events since the last [`OneBroker::poll_events`] (recovery's first).
    events: Rc<RefCell<VecDeque<ClusterEvent>>>,
}

impl std::fmt::Debug for OneBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OneBroker")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

/// A partition index as the cluster takes it; `None` for a negative one (no such partition).
fn index(partition: i32) -> Option<u32> {
    u32::try_from(partition).ok()
}

/// Kafka's error for a request about a partition that does not exist.
fn unknown_partition(topic: &str, partition: i64) -> HostError {
    HostError::Kafka {
        code: ErrorCode::UnknownTopicOrPartition,
        message: format!("unknown topic or partition: {topic}-{partition}"),
    }
}

/// An error code the cluster answered, with Kafka's name as the message's start.
fn code_error(code: ErrorCode, what: String) -> HostError {
    HostError::Kafka {
        code,
        message: format!("{}: {what}", code.name()),
    }
}

impl OneBroker {
    /// Opens the broker called `name`, recovering what IndexedDB holds for it.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for an empty name; `INVALID_REQUEST` when the store holds a cluster
    /// of several brokers; the store's errors (`STORE_LOCKED`, `KAFKA_STORAGE_ERROR`, …).
    pub async fn open(name: &str, storage: StorageKind) -> Result<OneBroker, HostError> {
        if name.is_empty() {
            return Err(HostError::InvalidArgument(
                "a broker name must not be empty".into(),
            ));
        }
        let session = Session::open(SessionOptions {
            name: name.to_owned(),
            storage,
            brokers: Some(1),
            seed: 0,
            clock: ClockMode::Realtime,
            latency: Some(Latency {
                base_ms: 0,
                jitter_ms: 0,
            }),
            on_discarded: OnDiscarded::Fail,
        })
        .await?;
        let events: Rc<RefCell<VecDeque<ClusterEvent>>> = Rc::default();
        let sink = events.clone();
        session.subscribe(Rc::new(move |event: &SessionEvent, _| {
            if let SessionEvent::Cluster(event) = event {
                let mut events = sink.borrow_mut();
                if events.len() == EVENTS_KEPT {
                    events.pop_front();
                }
                events.push_back(event.clone());
            }
        }));
        let client = session.client_id();
        Ok(OneBroker {
            session,
            client,
            partitioner: Rc::new(RefCell::new(Partitioner::new())),
            events,
        })
    }

    /// Lets what is due at this instant happen (after an open or a rollback, the controller's
    /// metadata is on its way to the broker), so reads see the broker's roles and offsets.
    fn settle(&self) {
        let due = self
            .session
            .read(|cluster| cluster.next_wakeup().is_some_and(|at| at <= cluster.now()));
        if due {
            let _ = self.session.advance(0);
        }
    }

    /// `KAFKA_STORAGE_ERROR` once closed: `RillBroker`'s writes fail so after `close`, while
    /// reads keep answering from memory.
    fn check_writable(&self) -> Result<(), HostError> {
        if self.session.is_closed() {
            return Err(HostError::Storage(
                "the broker is closed; open it again to write".into(),
            ));
        }
        Ok(())
    }

    /// Runs `command` on the cluster now and returns its result with the write to await.
    fn apply<T, F>(
        &self,
        command: F,
    ) -> Result<(impl Future<Output = Result<(), HostError>> + use<T, F>, T), HostError>
    where
        F: FnOnce(&mut Cluster) -> Result<T, HostError>,
    {
        self.check_writable()?;
        self.settle();
        let result = self.session.command(command)??;
        Ok((self.session.durable(), result))
    }

    /// Creates a topic and resolves once it is persisted.
    pub async fn create_topic(
        &self,
        name: &str,
        partitions: i64,
        configs: Vec<(String, String)>,
    ) -> Result<TopicView, HostError> {
        let (flush, ()) = self.apply(|cluster| {
            let count = u32::try_from(partitions).unwrap_or(0);
            cluster
                .create_topic(name, count, 1, &configs)
                .map_err(|error| match error {
                    CreateTopicError::InvalidPartitions { max, .. } => {
                        HostError::kafka(&CreateTopicError::InvalidPartitions {
                            requested: partitions,
                            max,
                        })
                    }
                    other => HostError::kafka(&other),
                })
        })?;
        flush.await?;
        self.persisted_topic(name)
    }

    /// Produces `messages` to `topic` (one batch per partition, all or nothing) and resolves
    /// with where each landed once the batches are persisted.
    pub async fn produce(
        &self,
        topic: &str,
        messages: Vec<ProduceInput>,
    ) -> Result<Vec<ProducedRecord>, HostError> {
        let (flush, produced) = self.start_produce(topic, messages)?;
        let produced = produced.await?;
        flush.await?;
        Ok(produced)
    }

    /// [`OneBroker::produce`] up to the wait: sends the batches now (every one validated
    /// before any is sent), and returns the write to await before acknowledging them with
    /// where each message landed (ready at once: the broker answers within the command), so
    /// that the caller can prepare its answer while the write commits.
    #[allow(
        clippy::type_complexity,
        reason = "two opaque futures: the write, and the answer built meanwhile"
    )]
    pub fn start_produce(
        &self,
        topic: &str,
        messages: Vec<ProduceInput>,
    ) -> Result<
        (
            impl Future<Output = Result<(), HostError>> + use<>,
            impl Future<Output = Result<Vec<ProducedRecord>, HostError>> + use<>,
        ),
        HostError,
    > {
        self.check_writable()?;
        self.settle();
        let partition_count = self
            .session
            .read(|cluster| cluster.topic_metadata(topic).map(|m| m.partitions.len()))
            .map_err(|_| HostError::Kafka {
                code: ErrorCode::UnknownTopicOrPartition,
                message: format!("unknown topic '{topic}': create it first"),
            })? as u32;
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
                code: ErrorCode::UnknownTopicOrPartition,
                message: format!(
                    "topic '{topic}' has partitions 0..{}, not {bad}",
                    partition_count - 1
                ),
            });
        }
        let mut groups: BTreeMap<u32, (Vec<usize>, Vec<NewRecord>)> = BTreeMap::new();
        {
            let mut partitioner = self.partitioner.borrow_mut();
            for (i, message) in messages.into_iter().enumerate() {
                let partition = message.partition.map_or_else(
                    || partitioner.partition(topic, partition_count, message.key.as_deref()),
                    |p| p as u32,
                );
                let group = groups.entry(partition).or_default();
                group.0.push(i);
                group.1.push(NewRecord {
                    key: message.key,
                    value: message.value,
                    headers: message.headers,
                    timestamp: message.timestamp,
                });
            }
        }
        let client = self.client;
        let (requests, log_append_time) = self.session.command(|cluster| {
            let now = cluster.now();
            let config = cluster
                .topic_configs()
                .into_iter()
                .find(|(name, _, _)| name == topic)
                .map(|(_, _, config)| config)
                .ok_or_else(|| unknown_partition(topic, 0))?;
            // All or nothing: every batch is validated as the leader will before any is sent.
            for (partition, (_, records)) in &groups {
                let log = leader_log(cluster, topic, *partition)?;
                log.prepare(now, &config, records)
                    .map_err(|e| HostError::kafka(&e))?;
            }
            let requests: Vec<u64> = groups
                .iter_mut()
                .map(|(partition, (_, records))| {
                    let records = std::mem::take(records);
                    cluster.produce(client, topic, *partition, Acks::All, records)
                })
                .collect();
            let log_append_time =
                (config.message_timestamp_type == TimestampType::LogAppendTime).then_some(now);
            Ok::<_, HostError>((requests, log_append_time))
        })??;
        let total = groups.values().map(|(indices, _)| indices.len()).sum();
        // With no latency the broker answered within the command, and these slots are filled;
        // a cluster stored with latency (migrated, or written by `Rill`) answers a little later.
        let answers: Vec<_> = groups
            .into_iter()
            .zip(requests)
            .map(|((partition, (indices, _)), request)| {
                (partition, indices, self.session.produce_outcome(request))
            })
            .collect();
        let topic = topic.to_owned();
        let produced = async move {
            let mut produced = vec![
                ProducedRecord {
                    partition: 0,
                    offset: 0,
                    log_append_time: None,
                };
                total
            ];
            for (partition, indices, answer) in answers {
                let outcome = answer.await?;
                let (base_offset, _) = outcome.result.map_err(|code| {
                    code_error(code, format!("the produce to {topic}-{partition} failed"))
                })?;
                for (i, &message) in indices.iter().enumerate() {
                    produced[message] = ProducedRecord {
                        partition: partition as i32,
                        offset: base_offset + i as i64,
                        log_append_time,
                    };
                }
            }
            Ok(produced)
        };
        Ok((self.session.durable(), produced))
    }

    /// Runs the broker's log maintenance (retention, compaction) now and resolves once what
    /// it deleted or rewrote is persisted.
    pub async fn tick(&self) -> Result<(), HostError> {
        let (flush, ()) = self.apply(|cluster| {
            cluster.clean_logs_now(BROKER);
            Ok(())
        })?;
        flush.await
    }

    /// Deletes a topic and all its data; resolves once the deletion is persisted.
    pub async fn delete_topic(&self, name: &str) -> Result<(), HostError> {
        let (flush, ()) =
            self.apply(|cluster| cluster.delete_topic(name).map_err(|e| HostError::kafka(&e)))?;
        flush.await
    }

    /// Grows `name` to `total` partitions; resolves with the topic once persisted.
    pub async fn create_partitions(&self, name: &str, total: i64) -> Result<TopicView, HostError> {
        let (flush, ()) = self.apply(|cluster| {
            let current = cluster
                .topic_metadata(name)
                .map_err(|_| {
                    HostError::kafka(&AdminError::UnknownTopic {
                        topic: name.to_owned(),
                    })
                })?
                .partitions
                .len() as i64;
            let total = u32::try_from(total)
                .ok()
                .filter(|t| *t <= PARTITIONS_PER_TOPIC_MAX || i64::from(*t) <= current)
                .ok_or_else(|| {
                    let reason = if total < current {
                        format!(
                            "Topic currently has {current} partitions, which is higher than \
                             the requested {total}."
                        )
                    } else {
                        format!(
                            "rill allows at most {PARTITIONS_PER_TOPIC_MAX} partitions per \
                             topic, requested {total}."
                        )
                    };
                    HostError::kafka(&AdminError::InvalidPartitions { reason })
                })?;
            cluster
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
        let (flush, ()) = self.apply(|cluster| {
            cluster
                .alter_configs(name, &ops)
                .map_err(|e| HostError::kafka(&e))
        })?;
        flush.await?;
        self.persisted_topic(name)
    }

    /// Kafka's `deleteRecords`: moves the log start offset of one partition to `offset` (-1:
    /// the high watermark). Resolves with the new log start offset once persisted; whole
    /// segments below it go at the next [`OneBroker::tick`].
    pub async fn delete_records(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
    ) -> Result<i64, HostError> {
        let (flush, low_watermark) = self.apply(|cluster| {
            let index =
                index(partition).ok_or_else(|| unknown_partition(topic, partition.into()))?;
            let (log_start_offset, high_watermark) = {
                let log = leader_log(cluster, topic, index)?;
                (log.log_start_offset(), log.high_watermark())
            };
            cluster
                .delete_records(topic, index, offset)
                .map_err(|code| match code {
                    ErrorCode::OffsetOutOfRange => {
                        HostError::kafka(&AdminError::OffsetOutOfRange {
                            offset,
                            log_start_offset,
                            high_watermark,
                        })
                    }
                    code => code_error(code, format!("deleteRecords on {topic}-{partition}")),
                })
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
        self.settle();
        let spec = OffsetSpec::from_kafka(timestamp)
            .ok_or_else(|| HostError::kafka(&AdminError::InvalidTimestamp { timestamp }))?;
        let index = index(partition).ok_or_else(|| unknown_partition(topic, partition.into()))?;
        self.session.read(|cluster| {
            cluster
                .list_offsets(topic, index, spec)
                .map_err(|code| match code {
                    ErrorCode::UnknownTopicOrPartition => {
                        unknown_partition(topic, partition.into())
                    }
                    code => code_error(code, format!("listOffsets on {topic}-{partition}")),
                })
        })
    }

    /// The keys stored in `topic` that would land on another partition with `total`
    /// partitions.
    pub fn keys_that_move(&self, topic: &str, total: i64) -> Result<Vec<KeyMove>, HostError> {
        self.settle();
        let total = u32::try_from(total).map_err(|_| HostError::Kafka {
            code: ErrorCode::InvalidPartitions,
            message: format!(
                "a partition count must be between 1 and {}, not {total}",
                u32::MAX
            ),
        })?;
        self.session.read(|cluster| {
            cluster
                .keys_that_move(topic, total)
                .map_err(|e| HostError::kafka(&e))
        })
    }

    /// The bytes of the segment of `topic`-`partition` that starts at `base_offset`: a Kafka
    /// `.log` file.
    pub fn export_segment(
        &self,
        topic: &str,
        partition: i32,
        base_offset: i64,
    ) -> Result<Vec<u8>, HostError> {
        self.settle();
        let index = index(partition).ok_or_else(|| {
            HostError::kafka(&AdminError::UnknownPartition {
                topic: topic.to_owned(),
                partition,
            })
        })?;
        self.session.read(|cluster| {
            cluster
                .export_segment(BROKER, topic, index, base_offset)
                .map_err(|e| HostError::kafka(&e))
        })
    }

    /// The topic's partitions and every config with its source.
    pub fn describe_topic(&self, topic: &str) -> Result<TopicDescription, HostError> {
        self.settle();
        self.session.read(|cluster| {
            let unknown = || {
                HostError::kafka(&AdminError::UnknownTopic {
                    topic: topic.to_owned(),
                })
            };
            let metadata = cluster.topic_metadata(topic).map_err(|_| unknown())?;
            let configs = cluster
                .describe_configs(topic)
                .map_err(|e| HostError::kafka(&e))?;
            let mut partitions = Vec::with_capacity(metadata.partitions.len());
            for info in &metadata.partitions {
                let log = leader_log(cluster, topic, info.partition)?;
                partitions.push(PartitionDescription {
                    partition: info.partition,
                    leader: info.leader.unwrap_or(BROKER),
                    replicas: info.replicas.clone(),
                    isr: info.isr.clone(),
                    log_start_offset: log.log_start_offset(),
                    high_watermark: log.high_watermark(),
                    log_end_offset: log.log_end_offset(),
                    size: log.size(),
                    segments: log.segments().len(),
                });
            }
            Ok(TopicDescription {
                name: topic.to_owned(),
                partitions,
                configs,
            })
        })
    }

    fn persisted_topic(&self, name: &str) -> Result<TopicView, HostError> {
        self.topic(name)
            .ok_or_else(|| HostError::Storage(format!("topic '{name}' vanished while persisting")))
    }

    /// Reads records of one partition from `offset` (Kafka's fetch: whole batches from one
    /// segment, while they fit in `max_bytes`; the first batch always comes whole).
    pub fn fetch(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
        max_bytes: usize,
    ) -> Result<FetchedRecords, HostError> {
        self.settle();
        self.session.read(|cluster| {
            let log = log_of(cluster, topic, partition)?;
            log.read(offset, max_bytes)
                .map_err(|e| HostError::kafka(&e))
        })
    }

    /// Every record of one partition from `offset` up to the high watermark, across segments
    /// (not one Kafka fetch: for views).
    pub fn fetch_all(
        &self,
        topic: &str,
        partition: i32,
        offset: i64,
    ) -> Result<FetchedRecords, HostError> {
        self.settle();
        self.session.read(|cluster| {
            let log = log_of(cluster, topic, partition)?;
            log.read_all(offset).map_err(|e| HostError::kafka(&e))
        })
    }

    /// Every topic, by name.
    pub fn topics(&self) -> Vec<TopicView> {
        self.settle();
        self.session.read(|cluster| {
            cluster
                .topics(false)
                .iter()
                .filter_map(|name| view_of(cluster, name))
                .collect()
        })
    }

    /// One topic.
    pub fn topic(&self, name: &str) -> Option<TopicView> {
        self.settle();
        self.session.read(|cluster| view_of(cluster, name))
    }

    /// Takes the cluster's events since the last call, oldest first (the first call also
    /// returns what recovery reported on open, e.g. `ClusterEvent::RecoveryTruncated`). At
    /// most the latest 4,096 are kept.
    pub fn poll_events(&self) -> Vec<ClusterEvent> {
        self.events.borrow_mut().drain(..).collect()
    }

    /// Stored values that could not be read when the broker was opened.
    pub fn skipped_on_open(&self) -> Vec<String> {
        self.session.skipped_on_open()
    }

    /// Closes the store's connection and releases its writer's lock, so another instance can
    /// open the same name. The data stays; writes already started still commit; later writes
    /// fail with `KAFKA_STORAGE_ERROR`; reads still answer.
    pub fn close(&self) {
        self.session.close();
    }

    /// Makes the next IndexedDB write fail with `fault`, for tests of failure handling (the
    /// transaction is really aborted). Returns `false` for in-memory storage, which cannot fail.
    pub fn fail_next_flush(&self, fault: StoreFault) -> bool {
        self.session.fail_next_write(fault)
    }
}

/// The broker's replica of `topic`-`partition` when it leads it (always, once settled).
fn leader_log<'c>(
    cluster: &'c Cluster,
    topic: &str,
    partition: u32,
) -> Result<&'c PartitionLog, HostError> {
    cluster
        .replica(BROKER, topic, partition)
        .map(|(log, _)| log)
        .ok_or_else(|| unknown_partition(topic, partition.into()))
}

/// The log a read of `topic`-`partition` reads, or Kafka's fetch error.
fn log_of<'c>(
    cluster: &'c Cluster,
    topic: &str,
    partition: i32,
) -> Result<&'c PartitionLog, HostError> {
    index(partition)
        .and_then(|index| cluster.replica(BROKER, topic, index))
        .map(|(log, _)| log)
        .ok_or_else(|| {
            HostError::kafka(&FetchError::UnknownTopicOrPartition {
                topic: topic.to_owned(),
                partition,
            })
        })
}

fn view_of(cluster: &Cluster, name: &str) -> Option<TopicView> {
    let metadata = cluster.topic_metadata(name).ok()?;
    let configs = cluster.config_overrides(name).ok()?;
    let partitions = metadata
        .partitions
        .iter()
        .filter_map(|info| {
            let (log, _) = cluster.replica(BROKER, name, info.partition)?;
            Some(PartitionView {
                partition: info.partition as i32,
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
        })
        .collect();
    Some(TopicView {
        name: name.to_owned(),
        partitions,
        configs,
    })
}
