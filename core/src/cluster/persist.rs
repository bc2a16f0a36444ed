//! What a replicated cluster asks its host to persist, and what the host hands back.
//!
//! Each broker has its own log directory (Kafka's `log.dirs`): [`StorageOp`]s tagged with the
//! broker. Small whole files sit next to the
//! logs: each broker's `replication-offset-checkpoint` (Kafka's text format) and the
//! controller's metadata snapshot. A host applies [`ClusterStorageOp`]s in order and later
//! returns what it kept as a [`ClusterImage`].

use std::collections::{BTreeMap, BTreeSet};

use crate::storage::{RecoveryImage, StorageOp};

/// One change to persist. Apply in the order emitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterStorageOp {
    /// A change to broker `broker`'s log directory.
    Log {
        /// The broker whose log directory changes.
        broker: u32,
        /// The change.
        op: StorageOp,
    },
    /// Create or replace the small file at `path` with `bytes`, whole.
    PutFile {
        /// Where the file lives, e.g. `broker-0/replication-offset-checkpoint` or
        /// `controller/metadata.snapshot`.
        path: String,
        /// The file's entire new contents.
        bytes: Vec<u8>,
    },
}

/// Everything a host stored for a cluster, handed back to rebuild it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterImage {
    /// Each broker's log directory, by broker id.
    pub logs: BTreeMap<u32, RecoveryImage>,
    /// Every small file by path, as last put.
    pub files: BTreeMap<String, Vec<u8>>,
    /// By broker, partitions the host could not read completely (a stored value that is not
    /// valid), with every segment base offset it stores for each. Their logs in `logs` hold
    /// what came before the unreadable value; recovery treats them as cut, like a torn tail.
    pub damaged: BTreeMap<u32, BTreeMap<(String, u32), BTreeSet<i64>>>,
}

mod snapshot;
#[cfg(test)]
mod tests;

pub use super::node::{decode_offset_checkpoint, encode_offset_checkpoint};

use super::controller::{BrokerRegistration, PartitionRegistration};
use super::{Cluster, ClusterConfig, ClusterEvent, groups};
use crate::error::{ErrorCode, KafkaError};

/// Where the controller's metadata snapshot lives in [`ClusterImage::files`].
pub const METADATA_SNAPSHOT_PATH: &str = "controller/metadata.snapshot";

/// Where broker `broker`'s `replication-offset-checkpoint` lives in [`ClusterImage::files`].
pub fn checkpoint_path(broker: u32) -> String {
    format!("broker-{broker}/replication-offset-checkpoint")
}

/// What the cluster already handed its host, so [`Cluster::poll_storage`] sends only changes.
#[derive(Clone, Debug, Default)]
pub(crate) struct StorageState {
    /// The controller state (the snapshot without its time) last written.
    last_snapshot: Option<Vec<u8>>,
    /// The controller's mutable-borrow count ([`super::controller::Watched::borrows`]) when
    /// `last_snapshot` was last compared with its state: while it stays the same, the
    /// controller is unchanged and the snapshot is not encoded again.
    compared_at: Option<u64>,
    /// When the brokers' high-watermark checkpoints may next be written (Kafka writes
    /// `replication-offset-checkpoint` every `replica.high.watermark.checkpoint.interval.ms`).
    next_checkpoint_at: i64,
}

/// Why a stored cluster could not be rebuilt.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClusterRecoveryError {
    /// There is no metadata snapshot, and no single broker's store to migrate.
    #[error(
        "no controller metadata snapshot at {METADATA_SNAPSHOT_PATH} and no single-broker store \
         (broker 0 alone) to migrate: nothing to recover"
    )]
    MissingSnapshot,
    /// The metadata snapshot is damaged or not a snapshot this version reads.
    #[error("the controller metadata snapshot at {METADATA_SNAPSHOT_PATH} is corrupt: {reason}")]
    CorruptSnapshot {
        /// What is wrong with it.
        reason: String,
    },
}

impl KafkaError for ClusterRecoveryError {
    fn error_code(&self) -> ErrorCode {
        match self {
            Self::MissingSnapshot => ErrorCode::KafkaStorageError,
            Self::CorruptSnapshot { .. } => ErrorCode::CorruptMessage,
        }
    }
}

impl Cluster {
    /// Takes what must be persisted since the last call, in order: the controller's metadata
    /// snapshot if it changed (a new cluster's first call always has it), then each broker's
    /// log-directory changes and, if it changed, its `replication-offset-checkpoint` (at most
    /// one per broker: the latest). The snapshot carries the cluster's time when it was
    /// written, i.e. when the controller state last changed.
    ///
    /// Ops queue until taken: a host that persists calls this after every command (and
    /// [`Cluster::advance`]) and makes the ops durable before it reports acknowledgements.
    pub fn poll_storage(&mut self) -> Vec<ClusterStorageOp> {
        let mut ops = Vec::new();
        if let Some(bytes) = self.changed_snapshot() {
            ops.push(ClusterStorageOp::PutFile {
                path: METADATA_SNAPSHOT_PATH.to_owned(),
                bytes,
            });
        }
        let checkpoint_due = self.now >= self.storage.next_checkpoint_at;
        if checkpoint_due {
            self.storage.next_checkpoint_at =
                self.now + self.config.replica_high_watermark_checkpoint_interval_ms;
        }
        for (broker, node) in (0u32..).zip(self.brokers.iter_mut()) {
            let (log_ops, checkpoint) = node.drain_storage(checkpoint_due);
            ops.extend(
                log_ops
                    .into_iter()
                    .map(|op| ClusterStorageOp::Log { broker, op }),
            );
            if let Some(bytes) = checkpoint {
                ops.push(ClusterStorageOp::PutFile {
                    path: checkpoint_path(broker),
                    bytes,
                });
            }
        }
        ops
    }

    /// Makes the next [`Cluster::poll_storage`] take every broker's high-watermark checkpoint
    /// that changed, whatever `replica.high.watermark.checkpoint.interval.ms` says: what a
    /// clean shutdown writes (Kafka's `ReplicaManager.shutdown` checkpoints the high
    /// watermarks), so that a cluster reopened after a clean close serves what it had
    /// acknowledged at once.
    pub fn checkpoint_on_next_poll(&mut self) {
        self.storage.next_checkpoint_at = self.now;
    }

    /// Every topic with its partition count and config, as the controller holds them.
    pub fn topic_configs(&self) -> Vec<(String, u32, crate::config::TopicConfig)> {
        self.controller
            .topics
            .iter()
            .map(|(name, (count, config))| (name.clone(), *count, config.clone()))
            .collect()
    }

    /// The framed snapshot to write when the controller state differs from the one last
    /// written; `None` when it is the same. The state is encoded (and compared) only when the
    /// controller was borrowed mutably since the last comparison: a host polls after every
    /// move, and most moves (a produce, a fetch) leave the controller alone. The cluster's
    /// config, the rest of the snapshot, never changes. Debug builds check that an unborrowed
    /// controller really encodes to what was last written.
    fn changed_snapshot(&mut self) -> Option<Vec<u8>> {
        let borrows = self.controller.borrows();
        if self.storage.compared_at == Some(borrows) {
            debug_assert!(
                self.storage.last_snapshot.as_deref() == Some(self.snapshot_state().as_slice()),
                "the controller state changed without a mutable borrow"
            );
            return None;
        }
        self.storage.compared_at = Some(borrows);
        let state = self.snapshot_state();
        if self.storage.last_snapshot.as_deref() == Some(state.as_slice()) {
            return None;
        }
        let bytes = snapshot::frame(self.now, &state);
        self.storage.last_snapshot = Some(state);
        Some(bytes)
    }

    fn snapshot_state(&self) -> Vec<u8> {
        let epochs: BTreeMap<u32, u64> = self
            .controller
            .brokers
            .iter()
            .map(|(id, registration)| (*id, registration.broker_epoch))
            .collect();
        snapshot::encode_state(
            &self.config,
            &epochs,
            &self.controller.topics,
            &self.controller.partitions,
            &self.controller.admin,
        )
    }

    /// Rebuilds a cluster from what its host stored, as a full-cluster restart in Kafka: the
    /// controller's metadata (config, topics, registrations with their leaders, ISRs and
    /// epochs) comes from the snapshot; every broker recovers its logs from its log directory
    /// (torn tails cut, reported as [`ClusterEvent::RecoveryTruncated`] in the returned
    /// events) with the high watermarks of its checkpoint (a missing or unreadable checkpoint
    /// counts as 0, as Kafka treats a missing file), registers again under a new broker
    /// epoch and is sent every partition's metadata. Leaders stay where they were; a replica
    /// whose stored log was cut leaves the ISR (as after an unclean shutdown, KIP-966), and a
    /// partition without a leader in its ISR elects one. Followers fetch and truncate, and the
    /// ISR and high watermarks move on as the cluster advances.
    /// The clock is `max(now, the snapshot's time)`.
    ///
    /// Log directories of broker ids the snapshot's config does not have are ignored.
    ///
    /// An image without a snapshot whose only log directory is broker 0's (the store of
    /// rill's single broker before the cluster was its one engine) is migrated: a one-broker
    /// cluster with those topics, broker 0 leading every partition, each high watermark at the
    /// log end. A stored topic that cannot be restored, or a segment of a partition its topic
    /// lacks, is left in the store and reported ([`ClusterEvent::RecoverySkippedTopic`],
    /// [`ClusterEvent::RecoverySkippedSegment`]).
    ///
    /// # Errors
    /// [`ClusterRecoveryError::CorruptSnapshot`] (`CORRUPT_MESSAGE`) when the snapshot is
    /// damaged, [`ClusterRecoveryError::MissingSnapshot`] (`KAFKA_STORAGE_ERROR`) when there is
    /// neither a snapshot nor a single-broker store.
    pub fn recover(
        image: ClusterImage,
        now: i64,
    ) -> Result<(Cluster, Vec<ClusterEvent>), ClusterRecoveryError> {
        let ClusterImage {
            mut logs,
            files,
            mut damaged,
        } = image;
        let mut events = Vec::new();
        let (snapshot, migrated) = match files.get(METADATA_SNAPSHOT_PATH) {
            Some(bytes) => (
                snapshot::decode(bytes)
                    .map_err(|reason| ClusterRecoveryError::CorruptSnapshot { reason })?,
                false,
            ),
            None => match logs.keys().copied().collect::<Vec<_>>().as_slice() {
                [0] => {
                    let dir = logs.remove(&0).unwrap_or_default();
                    let (snapshot, dir, skipped) = migrate(dir);
                    logs.insert(0, dir);
                    events.extend(skipped);
                    (snapshot, true)
                }
                _ => return Err(ClusterRecoveryError::MissingSnapshot),
            },
        };
        let now = now.max(snapshot.now);
        let mut config = snapshot.config;
        // Kafka's coordinator sizes itself at startup from the existing `__consumer_offsets`
        // (`groupCoordinator.startup(() => numPartitions(...).getOrElse(
        // offsets.topic.num.partitions))`): a topic created with another count is used from
        // the restart on.
        if let Some((count, _)) = snapshot.topics.get(super::OFFSETS_TOPIC) {
            config.offsets_topic_partitions = *count;
        }
        let mut cluster = Cluster::new(config.clone(), now).map_err(|error| {
            ClusterRecoveryError::CorruptSnapshot {
                reason: error.to_string(),
            }
        })?;
        cluster.controller.topics = snapshot.topics;
        cluster.controller.partitions = snapshot.partitions;
        cluster.controller.admin = snapshot.admin;
        for broker in 0..config.brokers {
            let epoch = snapshot.broker_epochs.get(&broker).copied().unwrap_or(0);
            let checkpoints = files
                .get(&checkpoint_path(broker))
                .and_then(|bytes| decode_offset_checkpoint(bytes))
                .unwrap_or_default();
            let dir = logs.remove(&broker).unwrap_or_default();
            let node = &mut cluster.brokers[broker as usize];
            let dir_damage = damaged.remove(&broker).unwrap_or_default();
            let cut = node.load(dir, checkpoints, epoch, migrated, dir_damage, now);
            let new_epoch = node.broker_epoch;
            events.extend(cut.into_iter().map(|((topic, partition), truncation)| {
                ClusterEvent::RecoveryTruncated {
                    broker,
                    topic,
                    partition,
                    truncation,
                }
            }));
            // The broker registers again under a new epoch (KRaft's BrokerRegistration).
            cluster.controller.brokers.insert(
                broker,
                BrokerRegistration {
                    last_heartbeat: now,
                    fenced: false,
                    broker_epoch: new_epoch,
                },
            );
            cluster.coordinators[broker as usize] =
                groups::new_coordinator(&config, broker, new_epoch);
        }
        // A replica whose stored log was cut lost records it may have acknowledged: like a
        // broker back from an unclean shutdown (KIP-966), it leaves the ISR (never emptying
        // it) and catches up before it may lead again.
        for event in &events {
            if let ClusterEvent::RecoveryTruncated {
                broker,
                topic,
                partition,
                ..
            } = event
                && let Some(registration) = cluster
                    .controller
                    .partitions
                    .get_mut(&(topic.clone(), *partition))
                && registration.remove_from_isr(*broker)
            {
                let isr = registration.isr.clone();
                cluster.events.push(ClusterEvent::IsrShrunk {
                    topic: topic.clone(),
                    partition: *partition,
                    isr,
                });
            }
        }
        // Every broker is back: a partition without a leader (its ISR had died before, or its
        // leader just left the ISR) elects one from its ISR, as when a broker is unfenced.
        // Every broker replays the metadata: it learns every partition, and its role in it.
        cluster.controller.elect_and_resync_all();
        cluster.drain_controller();
        Ok((cluster, events))
    }
}

/// The snapshot of a one-broker cluster holding a single broker's store (with no simulated
/// latency, as the single broker had none), the store with only the topics and segments that
/// can be restored, and what was left out: a topic whose stored name, partition count or
/// config is invalid ([`ClusterEvent::RecoverySkippedTopic`]), and a segment of a partition
/// its topic does not have ([`ClusterEvent::RecoverySkippedSegment`]). What is left out stays
/// in the host's store untouched; it is reported, never served.
fn migrate(dir: RecoveryImage) -> (snapshot::Snapshot, RecoveryImage, Vec<ClusterEvent>) {
    let mut topics = BTreeMap::new();
    let mut partitions = BTreeMap::new();
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    let mut admin = super::controller::TopicAdminState::default();
    for mut topic in dir.topics {
        let record = &topic.record;
        let config = match restorable(&topics, record) {
            Ok(config) => config,
            Err(error) => {
                skipped.push(ClusterEvent::RecoverySkippedTopic {
                    broker: 0,
                    topic: record.name.clone(),
                    reason: error.to_string(),
                });
                continue;
            }
        };
        let count = record.partitions;
        topic.segments.retain(|segment| {
            let inside = segment.partition < count;
            if !inside {
                skipped.push(ClusterEvent::RecoverySkippedSegment {
                    broker: 0,
                    topic: topic.record.name.clone(),
                    partition: segment.partition,
                    base_offset: segment.base_offset,
                });
            }
            inside
        });
        topic
            .partition_states
            .retain(|(partition, _)| *partition < count);
        let record = &topic.record;
        for partition in 0..record.partitions {
            partitions.insert(
                (record.name.clone(), partition),
                PartitionRegistration::new(vec![0], |_| true),
            );
        }
        topics.insert(record.name.clone(), (record.partitions, config));
        admin.topic_created(&record.name, &record.configs);
        kept.push(topic);
    }
    let snapshot = snapshot::Snapshot {
        now: 0,
        // The single broker answered its host at once: no simulated latency either.
        config: ClusterConfig {
            latency: super::Latency {
                base_ms: 0,
                jitter_ms: 0,
            },
            ..ClusterConfig::new(1, 0)
        },
        broker_epochs: BTreeMap::from([(0, 0)]),
        topics,
        partitions,
        admin,
    };
    (snapshot, RecoveryImage { topics: kept }, skipped)
}

/// A single broker's stored topic `record` as a topic of the cluster whose topics so far are
/// `topics`: its config, or why it cannot be restored (the checks of creating it).
fn restorable(
    topics: &BTreeMap<String, (u32, crate::config::TopicConfig)>,
    record: &crate::storage::TopicRecord,
) -> Result<crate::config::TopicConfig, crate::error::CreateTopicError> {
    super::partition_admin::check_new_topic(topics, &record.name, record.partitions)?;
    Ok(crate::config::TopicConfig::with_overrides(
        record.configs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )?)
}
