//! One broker of the simulated cluster: its replicas (leader or follower), what it remembers
//! across a crash (its disk: the logs' bytes, partition and high-watermark checkpoints), and
//! Kafka's leader-side rules for fetches, produces, the high watermark and the ISR.
//! `io.rs` is its face to the cluster: [`BrokerNode::handle`] turns an [`Input`] into
//! [`Output`]s.

mod disk;
mod io;
mod maintenance;
mod serve;

use std::collections::BTreeMap;

pub(crate) use disk::PartitionKey;
pub use disk::{decode_offset_checkpoint, encode_offset_checkpoint};
pub(crate) use io::{Input, Output};

use super::config::ClusterConfig;
use super::controller::PartitionRegistration;
use super::message::{Acks, FetchBody, Message, PartitionMetadata};
use super::network::NodeId;
use super::timer::{Timer, TimerSlot};
use crate::config::TopicConfig;
use crate::error::{ErrorCode, KafkaError};
use crate::log::{LogChange, PartitionLog, RecoveryTruncation};
use crate::record::NewRecord;
use crate::storage::{RecoveryImage, StorageOp, TopicRecord};
use io::{answer_produce, push_offsets_leadership};

/// The produce "client" a broker's own group coordinator appends as (the one client allowed
/// to write to an internal topic).
pub(crate) const COORDINATOR_CLIENT: u32 = u32::MAX;

/// How long a broker in controlled shutdown waits for the controller's leave before it stops
/// anyway (Kafka's `BrokerServer.shutdown` waits 5 minutes for `controlledShutdownFuture`).
pub const CONTROLLED_SHUTDOWN_TIMEOUT_MS: i64 = 5 * 60 * 1_000;

/// How long a leader waits for the answer to an AlterPartition before it may propose again
/// (Kafka's AlterPartitionManager resends a request that got no response).
pub(crate) const ALTER_PARTITION_RETRY_MS: i64 = 5_000;

/// The most bytes one replica fetch returns (Kafka's `replica.fetch.max.bytes`, 1 MiB).
const REPLICA_FETCH_MAX_BYTES: usize = 1024 * 1024;

/// A replica's role, as the broker last learned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaRole {
    /// Leads the partition in this epoch.
    Leader {
        /// The leader epoch.
        epoch: i32,
    },
    /// Follows `leader` (none known: waits for metadata).
    Follower {
        /// The leader it fetches from.
        leader: Option<u32>,
        /// The leader epoch.
        epoch: i32,
    },
}

/// The leader's view of one follower (Kafka's `ReplicaState`).
#[derive(Clone, Copy, Debug)]
struct FollowerProgress {
    /// The follower's log end offset as of its last fetch, -1 when unknown.
    log_end_offset: i64,
    last_caught_up: i64,
    last_fetch_leader_leo: i64,
    last_fetch_time: i64,
    /// The follower's broker epoch in its last fetch (KIP-903), 0 when unknown.
    broker_epoch: u64,
}

#[derive(Clone, Debug)]
struct ParkedFetch {
    follower: u32,
    fetch_offset: i64,
}

#[derive(Clone, Debug)]
struct DelayedProduce {
    request: u64,
    client: u32,
    required_offset: i64,
    offsets: (i64, i64),
}

/// A proposed ISR change waiting for the controller (Kafka's `PendingExpandIsr` /
/// `PendingShrinkIsr`). Until answered, the high watermark counts the larger of the two ISRs.
#[derive(Clone, Debug)]
struct PendingIsr {
    /// This broker's number for the request in flight.
    proposal: u64,
    isr: Vec<u32>,
    /// The partition epoch the proposal was based on.
    partition_epoch: i32,
    sent_at: i64,
    /// Replicas added, with the broker epochs they fetched under (KIP-903).
    new_member_epochs: Vec<(u32, u64)>,
}

impl PendingIsr {
    fn message(
        &self,
        topic: &str,
        partition: u32,
        leader_epoch: i32,
        broker_epoch: u64,
    ) -> Message {
        Message::AlterPartition {
            topic: topic.to_owned(),
            partition,
            leader_epoch,
            partition_epoch: self.partition_epoch,
            isr: self.isr.clone(),
            proposal: self.proposal,
            broker_epoch,
            new_member_epochs: self.new_member_epochs.clone(),
        }
    }
}

#[derive(Clone, Debug, Default)]
struct LeaderState {
    followers: BTreeMap<u32, FollowerProgress>,
    parked: Vec<ParkedFetch>,
    /// Consumer fetches waiting for `fetch.min.bytes` (Kafka's `DelayedFetch`).
    parked_consumers: Vec<serve::ParkedConsumerFetch>,
    delayed: Vec<DelayedProduce>,
    /// An AlterPartition is in flight: no other ISR change until metadata with a newer
    /// partition epoch answers it; resent after [`ALTER_PARTITION_RETRY_MS`] without one.
    pending_isr: Option<PendingIsr>,
    epoch_start_offset: i64,
}

/// Fails what the leaderships in `leaders` held, with `error`: parked consumer fetches first,
/// then produces waiting for the ISR.
fn fail_waiting(leaders: Vec<LeaderState>, error: ErrorCode, out: &mut Vec<Output>) {
    let mut delayed = Vec::new();
    for leader in leaders {
        serve::fail_parked(leader.parked_consumers, error, out);
        delayed.extend(leader.delayed);
    }
    for produce in delayed {
        answer_produce(out, produce.request, produce.client, Err(error));
    }
}

#[derive(Clone, Debug)]
struct Replica {
    log: PartitionLog,
    config: TopicConfig,
    registration: Option<PartitionRegistration>,
    leader: Option<LeaderState>,
    fetch_in_flight: bool,
    /// Numbers fetches, so a timeout only cancels the fetch it was set for.
    fetch_seq: u64,
    /// The number of the metadata message whose config is in force: an older message
    /// overtaken on the network does not bring back an older config.
    config_seq: u64,
}

/// A held produce the leader answers now that the high watermark covers it (or it failed).
#[derive(Clone, Debug, PartialEq, Eq)]
struct CompletedProduce {
    request: u64,
    client: u32,
    result: Result<(i64, i64), ErrorCode>,
}

/// One broker.
#[derive(Clone, Debug)]
pub(crate) struct BrokerNode {
    id: u32,
    pub(crate) alive: bool,
    /// In a controlled shutdown: its heartbeats ask the controller's leave to stop.
    shutting_down: bool,
    /// In a controlled shutdown, when the next heartbeat is due: each one sent, and each
    /// answer, schedules the next (Kafka's `scheduleNextCommunication` replaces the pending
    /// one), so a heartbeat timer for another time finds nothing to do.
    heartbeat_due: i64,
    /// In a controlled shutdown, the controller answered a heartbeat already.
    shutdown_answered: bool,
    pub(crate) broker_epoch: u64,
    replicas: BTreeMap<(String, u32), Replica>,
    /// The broker's disk (with the replicas' logs while it runs): survives a crash.
    disk: disk::Disk,
    /// Each topic's incarnation this broker holds, and whether it was deleted (Kafka's
    /// `partition.metadata` topic id): survives a crash.
    topic_ids: BTreeMap<String, maintenance::TopicIncarnation>,
    /// The controller's metadata stream: every message up to `metadata_contiguous` arrived;
    /// `metadata_ahead` holds later ones that arrived before a missing one.
    metadata_contiguous: u64,
    metadata_ahead: std::collections::BTreeSet<u64>,
    /// Numbers AlterPartition proposals of this incarnation.
    next_proposal: u64,
    /// A deliberate bug for the checker's own tests (`super::audit`).
    pub(crate) bug: Option<super::InjectedBug>,
    /// What this broker's logs did since the cluster last took it ([`BrokerNode::take_events`]).
    events: Vec<super::ClusterEvent>,
}

/// Kafka's effective `min.insync.replicas`: never more than the replica count.
fn effective_min_isr(config: &TopicConfig, registration: &PartitionRegistration) -> usize {
    (config.min_insync_replicas as usize).min(registration.replicas.len())
}

fn jitter_seed(broker: u32, topic: &str, partition: u32) -> u64 {
    let mut hash = crate::prng::splitmix64(u64::from(broker));
    for byte in topic.bytes() {
        hash = crate::prng::splitmix64(hash ^ u64::from(byte));
    }
    crate::prng::splitmix64(hash ^ u64::from(partition))
}

impl BrokerNode {
    pub(crate) fn new(id: u32) -> Self {
        Self {
            id,
            alive: true,
            shutting_down: false,
            heartbeat_due: 0,
            shutdown_answered: false,
            broker_epoch: 0,
            replicas: BTreeMap::new(),
            disk: disk::Disk::default(),
            topic_ids: BTreeMap::new(),
            metadata_contiguous: 0,
            metadata_ahead: std::collections::BTreeSet::new(),
            next_proposal: 0,
            bug: None,
            events: Vec::new(),
        }
    }

    /// The topic's `min.insync.replicas` as this broker applies it to the partition.
    pub(crate) fn min_insync_replicas(&self, topic: &str, partition: u32) -> Option<u32> {
        self.replicas
            .get(&(topic.to_owned(), partition))
            .map(|r| r.config.min_insync_replicas)
    }

    /// The bytes of the batch holding `offset` in this broker's copy of the partition, from
    /// its running log or, when stopped, from its disk (`None`: no such batch).
    pub(crate) fn batch_holding(
        &self,
        topic: &str,
        partition: u32,
        offset: i64,
    ) -> Option<Vec<u8>> {
        let key = (topic.to_owned(), partition);
        let find = |bytes: &[u8]| -> Option<Vec<u8>> {
            crate::record::decode_batches(bytes)
                .map_while(Result::ok)
                .find(|b| b.header().base_offset <= offset && offset <= b.header().last_offset())
                .map(|b| b.as_bytes().to_vec())
        };
        if self.alive {
            let replica = self.replicas.get(&key)?;
            if offset >= replica.log.log_end_offset() {
                return None;
            }
            let raw = replica.log.read_batches_for_follower(offset, 1).ok()?;
            find(raw.bytes)
        } else {
            let segments = self.disk.stopped.get(&key)?;
            let index = segments.partition_point(|(base, _)| *base <= offset);
            find(&segments.get(index.checked_sub(1)?)?.1)
        }
    }

    /// Loses the unflushed tail of the stored logs of `partitions` on this stopped broker
    /// (a power loss: what the OS had not written out is gone): each keeps the first
    /// `keep(bytes_of_last_segment)` bytes of its last segment, which may end inside a batch
    /// (a torn write). The checkpoints stay as they were written. Returns the partitions cut.
    pub(crate) fn lose_tails(
        &mut self,
        partitions: &[(String, u32)],
        mut keep: impl FnMut(&[u8]) -> usize,
    ) -> Vec<(String, u32)> {
        assert!(!self.alive, "only a stopped broker's disk loses its tail");
        let mut cut = Vec::new();
        for key in partitions {
            let Some((_, bytes)) = self.disk.stopped.get_mut(key).and_then(|s| s.last_mut()) else {
                continue;
            };
            let kept = keep(bytes).min(bytes.len());
            if kept < bytes.len() {
                bytes.truncate(kept);
                cut.push(key.clone());
            }
        }
        cut
    }

    /// The log end a stopped broker's stored log recovers to: past the last whole batch of
    /// its segments (the last segment's base when it holds none).
    pub(crate) fn stored_log_end(&self, topic: &str, partition: u32) -> Option<i64> {
        if self.alive {
            return None;
        }
        let segments = self.disk.stopped.get(&(topic.to_owned(), partition))?;
        segments.iter().rev().find_map(|(base, bytes)| {
            crate::record::decode_batches(bytes)
                .map_while(Result::ok)
                .last()
                .map(|b| b.header().last_offset() + 1)
                .or((segments.len() == 1).then_some(*base))
        })
    }

    /// Replaces the stored high-watermark checkpoint of `key` by an older value (a checkpoint
    /// written before the last ones were).
    pub(crate) fn stale_checkpoint(&mut self, key: &(String, u32), hw: i64) {
        if let Some(current) = self.disk.checkpoints.get(key).copied()
            && hw < current
        {
            self.disk.set_checkpoint(key.clone(), hw.max(0));
        }
    }

    /// The stored high-watermark checkpoints (what a restart reads).
    pub(crate) fn checkpoints(&self) -> &BTreeMap<(String, u32), i64> {
        &self.disk.checkpoints
    }

    /// The last metadata message this broker has, with every one before it.
    pub(crate) fn metadata_seq(&self) -> u64 {
        self.metadata_contiguous
    }

    fn note_metadata(&mut self, seq: u64, supersedes: u64) {
        self.metadata_contiguous = self.metadata_contiguous.max(supersedes);
        if seq > self.metadata_contiguous {
            self.metadata_ahead.insert(seq);
        }
        while self.metadata_ahead.remove(&(self.metadata_contiguous + 1)) {
            self.metadata_contiguous += 1;
        }
        let contiguous = self.metadata_contiguous;
        self.metadata_ahead.retain(|s| *s > contiguous);
    }

    /// Loses everything in memory; the disk (the logs' segment bytes, partition states and
    /// checkpoints) stays.
    pub(crate) fn crash(&mut self) {
        self.alive = false;
        self.shutting_down = false;
        for (key, replica) in std::mem::take(&mut self.replicas) {
            self.disk.keep_stopped(key, replica.log);
        }
        self.metadata_contiguous = 0;
        self.metadata_ahead.clear();
    }

    /// Recovers every replica from the disk at time `now` (`PartitionLog::recover_at`: every
    /// segment created now, as Kafka's `LogLoader`; high watermark from the checkpoint); roles
    /// come with the next metadata. Returns what recovery cut from each partition's stored
    /// segments (torn or corrupt tails).
    pub(crate) fn restart(&mut self, now: i64) -> Vec<(PartitionKey, RecoveryTruncation)> {
        assert!(!self.alive, "only a stopped broker restarts");
        self.alive = true;
        self.broker_epoch += 1;
        let mut cut = Vec::new();
        for (key, segments) in std::mem::take(&mut self.disk.stopped) {
            let config = self
                .disk
                .topics
                .get(&key.0)
                .map(|record| {
                    TopicConfig::with_overrides(
                        record.configs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                    )
                    .unwrap_or_default()
                })
                .unwrap_or_default();
            let stored_bases: Vec<i64> = segments.iter().map(|(base, _)| *base).collect();
            let state = self.disk.states.get(&key).copied();
            let seed = jitter_seed(self.id, &key.0, key.1);
            let (mut log, truncations) =
                PartitionLog::recover_at(segments, state, &config, seed, now);
            let hw = self.disk.checkpoints.get(&key).copied().unwrap_or(0);
            if self.bug == Some(super::InjectedBug::TrustHighWatermarkCheckpoint) {
                log.set_high_watermark_unchecked(hw);
            } else {
                log.set_recovered_high_watermark(hw.min(log.log_end_offset()));
            }
            if !truncations.is_empty() {
                // The stored tail is cut: write back what recovery kept, so later appends
                // follow valid bytes (as the single-broker host does on open).
                self.disk.apply(StorageOp::ReplaceSegments {
                    topic: key.0.clone(),
                    partition: key.1,
                    removed: stored_bases,
                    added: log.segment_bytes(),
                });
            }
            cut.extend(truncations.into_iter().map(|t| (key.clone(), t)));
            self.replicas.insert(
                key,
                Replica {
                    log,
                    config,
                    registration: None,
                    leader: None,
                    fetch_in_flight: false,
                    fetch_seq: 0,
                    config_seq: 0,
                },
            );
        }
        cut
    }

    /// Starts this (fresh) broker from what a host stored: its log directory `image` and its
    /// checkpointed high watermarks, as incarnation `broker_epoch + 1`. `hw_at_log_end` takes
    /// every log's end as its high watermark (a single broker's store, whose logs are
    /// committed to their end). `damaged` partitions (the host dropped an unreadable value and
    /// what followed it; with every base offset it stores) count as cut: what recovery kept is
    /// written back over everything stored. Returns what recovery cut.
    pub(crate) fn load(
        &mut self,
        image: RecoveryImage,
        checkpoints: BTreeMap<PartitionKey, i64>,
        broker_epoch: u64,
        hw_at_log_end: bool,
        damaged: BTreeMap<PartitionKey, std::collections::BTreeSet<i64>>,
        now: i64,
    ) -> Vec<(PartitionKey, RecoveryTruncation)> {
        self.alive = false;
        self.replicas.clear();
        self.metadata_contiguous = 0;
        self.metadata_ahead.clear();
        self.broker_epoch = broker_epoch;
        self.disk = disk::Disk::from_image(image, checkpoints);
        let mut cut = self.restart(now);
        for (key, stored) in damaged {
            let segments = self
                .replicas
                .get(&key)
                .map(|replica| replica.log.segment_bytes())
                .unwrap_or_default();
            let (segment_base_offset, valid_bytes) = segments
                .last()
                .map_or((0, 0), |(base, bytes)| (*base, bytes.len()));
            self.disk.apply(StorageOp::ReplaceSegments {
                topic: key.0.clone(),
                partition: key.1,
                removed: stored.into_iter().collect(),
                added: segments,
            });
            if !cut.iter().any(|(k, _)| *k == key) {
                cut.push((
                    key,
                    RecoveryTruncation {
                        segment_base_offset,
                        valid_bytes,
                        dropped_bytes: 0,
                        problem: crate::log::RecoveryProblem::Unreadable,
                    },
                ));
            }
        }
        if hw_at_log_end {
            let ends: Vec<(PartitionKey, i64)> = self
                .replicas
                .iter_mut()
                .map(|(key, replica)| {
                    let end = replica.log.log_end_offset();
                    replica.log.set_recovered_high_watermark(end);
                    (key.clone(), end)
                })
                .collect();
            for (key, end) in ends {
                self.disk.set_checkpoint(key, end);
            }
        }
        cut
    }

    /// Takes the events of this broker's log changes since the last call, oldest first.
    pub(crate) fn take_events(&mut self) -> Vec<super::ClusterEvent> {
        std::mem::take(&mut self.events)
    }

    /// Takes the log-directory ops queued since the last call, and (when `checkpoint` says the
    /// checkpoint is due) the checkpoint file's new contents if it changed.
    pub(crate) fn drain_storage(&mut self, checkpoint: bool) -> (Vec<StorageOp>, Option<Vec<u8>>) {
        self.disk.drain(checkpoint)
    }

    /// Persists one log operation's changes to `topic`-`partition` and reports what they show
    /// as events (the only place a replica's log changes become events).
    fn persist(&mut self, topic: &str, partition: u32, changes: Vec<LogChange>) {
        if changes.is_empty() {
            return;
        }
        let key = (topic.to_owned(), partition);
        let log_start_before = self
            .disk
            .states
            .get(&key)
            .map_or(0, |state| state.log_start_offset);
        let log_start_after = self
            .replicas
            .get(&key)
            .map_or(log_start_before, |r| r.log.log_start_offset());
        super::event::log_events(
            self.id,
            topic,
            partition,
            &changes,
            log_start_before,
            log_start_after,
            &mut self.events,
        );
        for change in changes {
            self.disk
                .apply(crate::storage::op_for_change(topic, partition, change));
        }
    }

    fn checkpoint_hw(&mut self, topic: &str, partition: u32) {
        if let Some(replica) = self.replicas.get(&(topic.to_owned(), partition)) {
            let hw = replica.log.high_watermark();
            // Kafka's order of a replica's offsets (an injected bug may break it on purpose,
            // for the checker to find).
            assert!(
                self.bug.is_some()
                    || (replica.log.log_start_offset() <= hw && hw <= replica.log.log_end_offset()),
                "{topic}-{partition} on broker {}: log start {} <= high watermark {hw} <= log \
                 end {}",
                self.id,
                replica.log.log_start_offset(),
                replica.log.log_end_offset()
            );
            self.disk.set_checkpoint((topic.to_owned(), partition), hw);
        }
    }

    /// The replica's log and role.
    pub(crate) fn replica(
        &self,
        topic: &str,
        partition: u32,
    ) -> Option<(&PartitionLog, ReplicaRole)> {
        let replica = self.replicas.get(&(topic.to_owned(), partition))?;
        let registration = replica.registration.as_ref()?;
        let role = if replica.leader.is_some() {
            ReplicaRole::Leader {
                epoch: registration.leader_epoch,
            }
        } else {
            ReplicaRole::Follower {
                leader: registration.leader,
                epoch: registration.leader_epoch,
            }
        };
        Some((&replica.log, role))
    }

    /// Applies the controller's registration of a partition: creates the replica, becomes
    /// leader or follower on a new epoch, or takes the new ISR. Outputs, in order: requests
    /// that fail (consumer fetches, then produces), the high watermark and the produces it
    /// completes, the follower's first fetch, and a `__consumer_offsets` leadership change.
    pub(crate) fn apply_metadata(
        &mut self,
        metadata: PartitionMetadata,
        now: i64,
        cluster_config: &ClusterConfig,
        out: &mut Vec<Output>,
    ) {
        let PartitionMetadata {
            topic,
            partition,
            registration,
            config,
            broker_epoch,
            seq,
            supersedes,
            topic_id,
        } = metadata;
        if broker_epoch != self.broker_epoch {
            // Sent to an earlier incarnation of this broker (KRaft fences it on re-registration
            // before it may act on the partition again).
            return;
        }
        self.note_metadata(seq, supersedes);
        if !self.accept_topic_id(&topic, topic_id, out) {
            // Metadata of a deleted or replaced incarnation of the topic.
            return;
        }
        let key = (topic.clone(), partition);
        if !registration.replicas.contains(&self.id) {
            // Reassigned away (or never here): the replica and its data go.
            if let Some(replica) = self.replicas.remove(&key) {
                for segment in replica.log.segments() {
                    self.disk.apply(StorageOp::DeleteSegment {
                        topic: topic.clone(),
                        partition,
                        base_offset: segment.base_offset(),
                    });
                }
                self.disk.remove_checkpoint(&key);
                if let Some(leader) = replica.leader {
                    fail_waiting(vec![leader], ErrorCode::NotLeaderOrFollower, out);
                    push_offsets_leadership(out, &topic, partition, false, true);
                }
            }
            return;
        }
        if !self.replicas.contains_key(&key) {
            let record = TopicRecord {
                name: topic.clone(),
                partitions: partition + 1,
                configs: config
                    .entries()
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            };
            let partitions = self
                .disk
                .topics
                .get(&topic)
                .map_or(0, |t| t.partitions)
                .max(partition + 1);
            self.disk.apply(StorageOp::PutTopic(TopicRecord {
                partitions,
                ..record
            }));
            self.disk.apply(StorageOp::CreateSegment {
                topic: topic.clone(),
                partition,
                base_offset: 0,
            });
            if self.disk.states.contains_key(&key) {
                // A replica that was here before (reassigned away and back): its old
                // checkpoints must not apply to the new, empty log.
                self.disk.apply(StorageOp::PutPartitionState {
                    topic: topic.clone(),
                    partition,
                    state: crate::storage::PartitionState::default(),
                });
            }
            let seed = jitter_seed(self.id, &topic, partition);
            self.replicas.insert(
                key.clone(),
                Replica {
                    // Created now (Kafka's `LogSegment.created`): the time-based roll of a
                    // segment whose first batch has no timestamp counts from here.
                    log: PartitionLog::new_at(&config, seed, now),
                    config: config.clone(),
                    registration: None,
                    leader: None,
                    fetch_in_flight: false,
                    fetch_seq: 0,
                    config_seq: 0,
                },
            );
        }
        let me = self.id;
        let replica = self.replicas.get_mut(&key).expect("created above");
        if replica.registration.as_ref().is_some_and(|current| {
            (registration.leader_epoch, registration.partition_epoch)
                < (current.leader_epoch, current.partition_epoch)
        }) {
            // Metadata overtaken on the network by a newer registration: KRaft replays its log
            // in order, so an older record never wins.
            return;
        }
        if seq >= replica.config_seq {
            replica.config = config;
            replica.config_seq = seq;
        }
        let previous = replica.registration.replace(registration.clone());
        debug_assert!(
            previous
                .as_ref()
                .is_none_or(|p| p.leader_epoch <= registration.leader_epoch),
            "a replica's leader epoch never goes back"
        );
        let new_epoch = previous
            .as_ref()
            .is_none_or(|p| p.leader_epoch != registration.leader_epoch);
        if registration.leader == Some(me) {
            let became_leader = new_epoch || replica.leader.is_none();
            if became_leader {
                // Kafka's makeLeader: stamp the new epoch from the log end on, forget what the
                // followers had (unknown until they fetch), keep the in-sync ones caught up now.
                replica.log.become_leader(registration.leader_epoch);
                let followers = registration
                    .replicas
                    .iter()
                    .filter(|r| **r != me)
                    .map(|r| {
                        let in_sync = registration.isr.contains(r);
                        (
                            *r,
                            FollowerProgress {
                                log_end_offset: -1,
                                last_caught_up: if in_sync { now } else { 0 },
                                last_fetch_leader_leo: -1,
                                last_fetch_time: 0,
                                broker_epoch: 0,
                            },
                        )
                    })
                    .collect();
                let (delayed, parked_consumers) = replica
                    .leader
                    .take()
                    .map(|l| (l.delayed, l.parked_consumers))
                    .unwrap_or_default();
                serve::fail_parked(parked_consumers, ErrorCode::NotLeaderOrFollower, out);
                replica.leader = Some(LeaderState {
                    followers,
                    parked: Vec::new(),
                    parked_consumers: Vec::new(),
                    delayed,
                    pending_isr: None,
                    epoch_start_offset: replica.log.log_end_offset(),
                });
            } else if let Some(leader) = replica.leader.as_mut() {
                // The proposal is answered once the partition changed (ours applied, or another
                // change made it stale); a republish of the same registration answers nothing.
                if leader
                    .pending_isr
                    .as_ref()
                    .is_some_and(|p| p.partition_epoch != registration.partition_epoch)
                {
                    leader.pending_isr = None;
                }
                // A reassignment adds or removes followers within the epoch.
                leader
                    .followers
                    .retain(|f, _| registration.replicas.contains(f));
                for follower in registration.replicas.iter().filter(|r| **r != me) {
                    leader
                        .followers
                        .entry(*follower)
                        .or_insert(FollowerProgress {
                            log_end_offset: -1,
                            last_caught_up: 0,
                            last_fetch_leader_leo: -1,
                            last_fetch_time: 0,
                            broker_epoch: 0,
                        });
                }
            }
            let (hw, completed) = Self::maybe_advance_hw(replica, me, self.bug);
            self.checkpoint_hw(&topic, partition);
            self.push_high_watermark(&topic, partition, hw, out);
            self.push_completed(&topic, partition, completed, out);
            push_offsets_leadership(out, &topic, partition, became_leader, false);
        } else {
            let lost = replica.leader.take();
            let lost_leadership = lost.is_some();
            fail_waiting(
                lost.into_iter().collect(),
                ErrorCode::NotLeaderOrFollower,
                out,
            );
            let start_fetching =
                registration.leader.is_some() && (new_epoch || !replica.fetch_in_flight);
            if new_epoch {
                replica.fetch_in_flight = false;
            }
            if start_fetching {
                self.start_fetch(&topic, partition, now, cluster_config, out);
            }
            push_offsets_leadership(out, &topic, partition, false, lost_leadership);
        }
    }

    /// Kafka's `maybeIncrementLeaderHW` and the delayed produces it completes.
    fn maybe_advance_hw(
        replica: &mut Replica,
        me: u32,
        bug: Option<super::InjectedBug>,
    ) -> (Option<i64>, Vec<CompletedProduce>) {
        let (Some(leader), Some(registration)) =
            (replica.leader.as_mut(), replica.registration.as_ref())
        else {
            return (None, Vec::new());
        };
        let min_isr = if bug == Some(super::InjectedBug::AcksAllBelowMinIsr) {
            1
        } else {
            effective_min_isr(&replica.config, registration)
        };
        let leo = replica.log.log_end_offset();
        let mut completed = Vec::new();
        let mut advanced = None;
        if registration.isr.len() >= min_isr {
            // Kafka's maximal ISR: the committed ISR plus any replica a pending change adds
            // (a pending shrink still counts the larger, committed ISR).
            let mut maximal = registration.isr.clone();
            maximal.extend(
                leader
                    .pending_isr
                    .iter()
                    .flat_map(|p| p.isr.iter().copied()),
            );
            let mut new_hw = leo;
            for (follower, progress) in &leader.followers {
                if maximal.contains(follower) && *follower != me {
                    new_hw = new_hw.min(progress.log_end_offset.max(0));
                }
            }
            let before = replica.log.high_watermark();
            if new_hw > before {
                replica.log.update_high_watermark(new_hw);
                advanced = Some(replica.log.high_watermark());
            }
        }
        let hw = replica.log.high_watermark();
        let under_min = registration.isr.len() < min_isr;
        leader.delayed.retain(|delayed| {
            if hw >= delayed.required_offset {
                completed.push(CompletedProduce {
                    request: delayed.request,
                    client: delayed.client,
                    result: if under_min {
                        Err(ErrorCode::NotEnoughReplicasAfterAppend)
                    } else {
                        Ok(delayed.offsets)
                    },
                });
                false
            } else {
                true
            }
        });
        (advanced, completed)
    }

    /// A leader's answer to a follower's fetch (Kafka's `readRecords` +
    /// `updateFollowerFetchState` + `maybeExpandIsr`): the leader epoch and body to answer
    /// with, or no body when the fetch was parked. An ISR proposal, the high watermark and
    /// the produces it completes are output first.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_fetch(
        &mut self,
        topic: &str,
        partition: u32,
        follower: u32,
        fetch_offset: i64,
        last_fetched_epoch: Option<i32>,
        leader_epoch: i32,
        follower_broker_epoch: u64,
        now: i64,
        out: &mut Vec<Output>,
    ) -> (i32, Option<FetchBody>) {
        let me = self.id;
        let key = (topic.to_owned(), partition);
        let error = |error: ErrorCode, log: Option<&PartitionLog>| FetchBody::Error {
            error,
            log_end_offset: log.map_or(-1, PartitionLog::log_end_offset),
            log_start_offset: log.map_or(-1, PartitionLog::log_start_offset),
        };
        let Some(replica) = self.replicas.get_mut(&key) else {
            return (
                leader_epoch,
                Some(error(ErrorCode::NotLeaderOrFollower, None)),
            );
        };
        let (Some(registration), true) = (replica.registration.as_ref(), replica.leader.is_some())
        else {
            return (
                leader_epoch,
                Some(error(ErrorCode::NotLeaderOrFollower, Some(&replica.log))),
            );
        };
        let my_epoch = registration.leader_epoch;
        if leader_epoch < my_epoch {
            return (
                my_epoch,
                Some(error(ErrorCode::FencedLeaderEpoch, Some(&replica.log))),
            );
        }
        if leader_epoch > my_epoch {
            return (
                my_epoch,
                Some(error(ErrorCode::UnknownLeaderEpoch, Some(&replica.log))),
            );
        }
        if !registration.replicas.contains(&follower) || follower == me {
            return (
                my_epoch,
                Some(error(ErrorCode::NotLeaderOrFollower, Some(&replica.log))),
            );
        }
        if let Some(fetch_epoch) = last_fetched_epoch {
            let (epoch, end_offset) = replica.log.end_offset_for_epoch(fetch_epoch);
            if epoch == -1 && end_offset == -1 {
                return (
                    my_epoch,
                    Some(error(ErrorCode::OffsetOutOfRange, Some(&replica.log))),
                );
            }
            if epoch < fetch_epoch || end_offset < fetch_offset {
                return (my_epoch, Some(FetchBody::Diverging { epoch, end_offset }));
            }
        }
        let leo = replica.log.log_end_offset();
        if fetch_offset < replica.log.log_start_offset() || fetch_offset > leo {
            return (
                my_epoch,
                Some(error(ErrorCode::OffsetOutOfRange, Some(&replica.log))),
            );
        }
        let registration = registration.clone();
        let leader = replica.leader.as_mut().expect("checked above");
        let progress = leader
            .followers
            .entry(follower)
            .or_insert(FollowerProgress {
                log_end_offset: -1,
                last_caught_up: 0,
                last_fetch_leader_leo: -1,
                last_fetch_time: 0,
                broker_epoch: 0,
            });
        // Kafka's updateFetchState, with the leader's log end offset before this read.
        progress.last_caught_up = if fetch_offset >= leo {
            progress.last_caught_up.max(now)
        } else if fetch_offset >= progress.last_fetch_leader_leo {
            progress.last_caught_up.max(progress.last_fetch_time)
        } else {
            progress.last_caught_up
        };
        progress.last_fetch_leader_leo = progress.last_fetch_leader_leo.max(leo);
        progress.last_fetch_time = now;
        progress.log_end_offset = fetch_offset;
        progress.broker_epoch = follower_broker_epoch;
        let hw_before = replica.log.high_watermark();
        if let Some(pending) = leader.pending_isr.as_mut()
            && now - pending.sent_at > ALTER_PARTITION_RETRY_MS
        {
            // No answer yet: the request may be lost. Resend it under a new number (the
            // controller ignores the older copy if it still arrives); keep it pending.
            self.next_proposal += 1;
            pending.proposal = self.next_proposal;
            pending.sent_at = now;
            out.push(Output::Send {
                to: NodeId::Controller,
                message: pending.message(
                    topic,
                    partition,
                    registration.leader_epoch,
                    self.broker_epoch,
                ),
            });
        }
        if leader.pending_isr.is_none()
            && !registration.isr.contains(&follower)
            && ((fetch_offset >= hw_before && fetch_offset >= leader.epoch_start_offset)
                || self.bug == Some(super::InjectedBug::IsrJoinBelowHighWatermark))
        {
            let mut isr = registration.isr.clone();
            isr.push(follower);
            self.next_proposal += 1;
            let pending = PendingIsr {
                proposal: self.next_proposal,
                isr,
                partition_epoch: registration.partition_epoch,
                sent_at: now,
                new_member_epochs: vec![(follower, follower_broker_epoch)],
            };
            out.push(Output::Send {
                to: NodeId::Controller,
                message: pending.message(
                    topic,
                    partition,
                    registration.leader_epoch,
                    self.broker_epoch,
                ),
            });
            leader.pending_isr = Some(pending);
        }
        let (hw, completed) = Self::maybe_advance_hw(replica, me, self.bug);
        // Kafka's delayed fetch completes as soon as there is a byte to send; a moved high
        // watermark is news too, so followers learn it without waiting.
        let has_news = fetch_offset < replica.log.log_end_offset() || hw.is_some();
        let response = if has_news {
            Some(Self::records_for(&replica.log, fetch_offset))
        } else {
            replica
                .leader
                .as_mut()
                .expect("still leader")
                .parked
                .push(ParkedFetch {
                    follower,
                    fetch_offset,
                });
            None
        };
        if hw.is_some() {
            self.checkpoint_hw(topic, partition);
        }
        self.push_high_watermark(topic, partition, hw, out);
        self.push_completed(topic, partition, completed, out);
        (my_epoch, response)
    }

    fn records_for(log: &PartitionLog, fetch_offset: i64) -> FetchBody {
        let bytes = log
            .read_batches_for_follower(fetch_offset, REPLICA_FETCH_MAX_BYTES)
            .map(|raw| raw.bytes.to_vec())
            .unwrap_or_default();
        FetchBody::Records {
            fetch_offset,
            bytes,
            high_watermark: log.high_watermark(),
            log_start_offset: log.log_start_offset(),
            log_end_offset: log.log_end_offset(),
        }
    }

    /// Answers parked fetches of a partition that now have records to read, and, at the
    /// `replica.fetch.wait.max.ms` deadline of `deadline_of`'s fetch, that one whatever it
    /// holds. Each answer cancels its fetch's deadline.
    pub(crate) fn release_parked_fetches(
        &mut self,
        topic: &str,
        partition: u32,
        deadline_of: Option<u32>,
        out: &mut Vec<Output>,
    ) {
        let Some(replica) = self.replicas.get_mut(&(topic.to_owned(), partition)) else {
            return;
        };
        let Some(epoch) = replica.registration.as_ref().map(|r| r.leader_epoch) else {
            return;
        };
        let Some(leader) = replica.leader.as_mut() else {
            return;
        };
        let leo = replica.log.log_end_offset();
        let (ready, waiting): (Vec<ParkedFetch>, Vec<ParkedFetch>) =
            std::mem::take(&mut leader.parked)
                .into_iter()
                .partition(|p| deadline_of == Some(p.follower) || p.fetch_offset < leo);
        leader.parked = waiting;
        let topic_id = self
            .topic_ids
            .get(topic)
            .filter(|k| !k.deleted)
            .map_or(0, |k| k.id);
        for parked in ready {
            out.push(Output::Cancel(TimerSlot::ParkedFetch {
                broker: self.id,
                topic: topic.to_owned(),
                partition,
                follower: parked.follower,
            }));
            out.push(Output::Send {
                to: NodeId::Broker(parked.follower),
                message: Message::FetchResponse {
                    topic: topic.to_owned(),
                    partition,
                    topic_id,
                    leader_epoch: epoch,
                    body: Self::records_for(&replica.log, parked.fetch_offset),
                },
            });
        }
    }

    /// A fetch that got no answer (its leader died or the link was cut): forget it, so the
    /// follower fetches again. Returns whether the fetch `seq` was still the one in flight.
    pub(crate) fn fetch_timed_out(&mut self, topic: &str, partition: u32, seq: u64) -> bool {
        let Some(replica) = self.replicas.get_mut(&(topic.to_owned(), partition)) else {
            return false;
        };
        if replica.fetch_in_flight && replica.fetch_seq == seq {
            replica.fetch_in_flight = false;
            true
        } else {
            false
        }
    }

    /// The follower sends its next fetch to the leader it knows, if it has none in flight,
    /// and gives it up after Kafka's `replica.socket.timeout.ms` (here `request.timeout.ms`)
    /// without an answer (replacing the previous fetch's timeout: that one was answered or
    /// timed out).
    pub(crate) fn start_fetch(
        &mut self,
        topic: &str,
        partition: u32,
        now: i64,
        config: &ClusterConfig,
        out: &mut Vec<Output>,
    ) {
        let me = self.id;
        let Some(replica) = self.replicas.get_mut(&(topic.to_owned(), partition)) else {
            return;
        };
        let Some(registration) = replica.registration.as_ref() else {
            return;
        };
        let Some(leader) = registration.leader.filter(|l| *l != me) else {
            return;
        };
        if replica.leader.is_some() || replica.fetch_in_flight {
            return;
        }
        replica.fetch_in_flight = true;
        replica.fetch_seq += 1;
        out.push(Output::Send {
            to: NodeId::Broker(leader),
            message: Message::Fetch {
                topic: topic.to_owned(),
                partition,
                replica: me,
                fetch_offset: replica.log.log_end_offset(),
                last_fetched_epoch: replica.log.epoch_cache().latest_epoch(),
                leader_epoch: registration.leader_epoch,
                topic_id: self.topic_ids.get(topic).map_or(0, |k| k.id),
                broker_epoch: self.broker_epoch,
            },
        });
        out.push(Output::Schedule {
            at: now + config.request_timeout_ms,
            timer: Timer::FetchTimeout {
                broker: me,
                topic: topic.to_owned(),
                partition,
                seq: replica.fetch_seq,
            },
        });
    }

    /// A follower applies the leader's answer: append, truncate on divergence, or back off
    /// (`replica.fetch.backoff.ms`); after an append or a truncation it fetches again.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_fetch_response(
        &mut self,
        topic: &str,
        partition: u32,
        leader_epoch: i32,
        body: FetchBody,
        now: i64,
        config: &ClusterConfig,
        out: &mut Vec<Output>,
    ) {
        let me = self.id;
        let key = (topic.to_owned(), partition);
        let Some(replica) = self.replicas.get_mut(&key) else {
            return;
        };
        let Some(registration) = replica.registration.as_ref() else {
            return;
        };
        if replica.leader.is_some() || registration.leader_epoch != leader_epoch {
            // An answer from another epoch: this replica has moved on, and a fetch of the new
            // epoch (if any) is already on its way.
            return;
        }
        if let FetchBody::Records { fetch_offset, .. } = &body
            && *fetch_offset != replica.log.log_end_offset()
        {
            // Records for a fetch from another log end (Kafka's ReplicaFetcherThread "Offset
            // mismatch"): an answer to an earlier incarnation's fetch, parked at the leader
            // while this broker lost its unflushed tail and restarted. Appending it would
            // leave a hole; the fetch in flight is still answered.
            return;
        }
        replica.fetch_in_flight = false;
        let mut changes = Vec::new();
        let mut truncated = false;
        let mut fetch_again = false;
        let mut back_off = false;
        let end_before = replica.log.log_end_offset();
        match body {
            FetchBody::Records {
                bytes,
                high_watermark,
                log_start_offset,
                ..
            } => {
                match replica
                    .log
                    .append_as_follower(now, &replica.config, &bytes, &mut changes)
                {
                    Ok(appended) => {
                        if appended.is_some() {
                            out.push(Output::Event(super::ClusterEvent::FollowerFetched {
                                broker: me,
                                topic: topic.to_owned(),
                                partition,
                                log_end_offset: replica.log.log_end_offset(),
                            }));
                        }
                        let hw = high_watermark.min(replica.log.log_end_offset());
                        replica.log.update_high_watermark(hw);
                        // Kafka's maybeIncrementLogStartOffset: follow the leader's log start
                        // (DeleteRecords, retention), never past what this replica has.
                        let start = log_start_offset.min(replica.log.high_watermark());
                        if start > replica.log.log_start_offset() {
                            let _ = replica.log.delete_records(start, &mut changes);
                        }
                        fetch_again = true;
                    }
                    Err(_) => back_off = true,
                }
            }
            FetchBody::Diverging { epoch, end_offset } => {
                // Kafka's getOffsetTruncationState.
                let leo = replica.log.log_end_offset();
                let (my_epoch, my_end) = replica.log.end_offset_for_epoch(epoch);
                let target = if my_epoch == -1 && my_end == -1 {
                    end_offset.min(leo)
                } else if my_epoch != epoch {
                    my_end.min(leo)
                } else {
                    my_end.min(end_offset).min(leo)
                };
                replica
                    .log
                    .truncate_to(target.max(0), &replica.config, &mut changes);
                truncated = true;
            }
            FetchBody::Error {
                error: ErrorCode::OffsetOutOfRange,
                log_end_offset,
                log_start_offset,
            } => {
                let leo = replica.log.log_end_offset();
                if log_end_offset >= 0 && log_end_offset < leo {
                    replica
                        .log
                        .truncate_to(log_end_offset, &replica.config, &mut changes);
                } else if log_start_offset > leo {
                    replica.log.truncate_fully_and_start_at(
                        log_start_offset,
                        &replica.config,
                        &mut changes,
                    );
                }
                truncated = true;
            }
            FetchBody::Error { .. } => back_off = true,
        }
        if truncated {
            // A truncation to the log end drops nothing: no event says it did.
            if replica.log.log_end_offset() != end_before {
                out.push(Output::Event(super::ClusterEvent::Truncated {
                    broker: me,
                    topic: topic.to_owned(),
                    partition,
                    log_end_offset: replica.log.log_end_offset(),
                }));
            }
            fetch_again = true;
        }
        self.persist(topic, partition, changes);
        self.checkpoint_hw(topic, partition);
        if fetch_again {
            self.start_fetch(topic, partition, now, config, out);
        } else if back_off {
            out.push(Output::Schedule {
                at: now + config.replica_fetch_backoff_ms,
                timer: Timer::RetryFetch {
                    broker: me,
                    topic: topic.to_owned(),
                    partition,
                },
            });
        }
    }

    /// A leader's handling of a produce (Kafka's `appendRecordsToLeader` + `DelayedProduce`).
    /// Outputs, in order: the answer when it is known now (none for `acks=0`), the request
    /// timeout of a produce held for the ISR, the high watermark and the produces it completes,
    /// then the release of follower fetches parked on the partition.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_produce(
        &mut self,
        topic: &str,
        partition: u32,
        request: u64,
        client: u32,
        acks: Acks,
        records: &[NewRecord],
        now: i64,
        config: &ClusterConfig,
        out: &mut Vec<Output>,
    ) {
        let me = self.id;
        let key = (topic.to_owned(), partition);
        let offsets = match self.append_to_leader(topic, partition, client, acks, records, now) {
            Ok(offsets) => offsets,
            Err(error) => {
                if acks != Acks::None {
                    answer_produce(out, request, client, Err(error));
                }
                out.push(Output::ReleaseParkedFetches {
                    topic: topic.to_owned(),
                    partition,
                });
                return;
            }
        };
        let replica = self.replicas.get_mut(&key).expect("appended above");
        if acks == Acks::All {
            replica
                .leader
                .as_mut()
                .expect("appended as leader")
                .delayed
                .push(DelayedProduce {
                    request,
                    client,
                    required_offset: offsets.1 + 1,
                    offsets,
                });
        } else if acks != Acks::None {
            answer_produce(out, request, client, Ok(offsets));
        }
        let (hw, completed) = Self::maybe_advance_hw(replica, me, self.bug);
        if acks == Acks::All && !completed.iter().any(|c| c.request == request) {
            out.push(Output::Schedule {
                at: now + config.request_timeout_ms,
                timer: Timer::ProduceTimeout {
                    broker: me,
                    topic: topic.to_owned(),
                    partition,
                    request,
                },
            });
        }
        self.checkpoint_hw(topic, partition);
        self.push_high_watermark(topic, partition, hw, out);
        self.push_completed(topic, partition, completed, out);
        out.push(Output::ReleaseParkedFetches {
            topic: topic.to_owned(),
            partition,
        });
    }

    /// Appends a produce's records as the partition's leader, or refuses them with Kafka's
    /// error; returns the batch's first and last offsets.
    fn append_to_leader(
        &mut self,
        topic: &str,
        partition: u32,
        client: u32,
        acks: Acks,
        records: &[NewRecord],
        now: i64,
    ) -> Result<(i64, i64), ErrorCode> {
        // Kafka's `ReplicaManager.appendToLocalLog`: a client may not append to an internal
        // topic ("Cannot append to internal topic", sent as INVALID_TOPIC_EXCEPTION); the
        // group coordinator's own appends are allowed (Kafka's `internalTopicsAllowed`).
        if super::topic_admin::is_internal(topic) && client != COORDINATOR_CLIENT {
            return Err(ErrorCode::InvalidTopicException);
        }
        let missing = self.missing_replica_error(topic);
        let replica = self
            .replicas
            .get_mut(&(topic.to_owned(), partition))
            .ok_or(missing)?;
        let (Some(registration), true) = (replica.registration.as_ref(), replica.leader.is_some())
        else {
            return Err(ErrorCode::NotLeaderOrFollower);
        };
        if acks == Acks::All
            && registration.isr.len() < effective_min_isr(&replica.config, registration)
            && self.bug != Some(super::InjectedBug::AcksAllBelowMinIsr)
        {
            return Err(ErrorCode::NotEnoughReplicas);
        }
        let mut changes = Vec::new();
        // prepare + commit, not `append`: a replicated leader's high watermark moves only
        // with its followers.
        let batch = replica
            .log
            .prepare(now, &replica.config, records)
            .map_err(|error| error.error_code())?;
        let info = replica.log.commit(batch, &replica.config, &mut changes);
        self.persist(topic, partition, changes);
        Ok((info.base_offset, info.last_offset))
    }

    /// The controller refused the ISR change numbered `proposal`: back to the committed
    /// ISR (Kafka's handling of `INELIGIBLE_REPLICA` / `OPERATION_NOT_ATTEMPTED`).
    pub(crate) fn alter_partition_rejected(&mut self, topic: &str, partition: u32, proposal: u64) {
        if let Some(leader) = self
            .replicas
            .get_mut(&(topic.to_owned(), partition))
            .and_then(|r| r.leader.as_mut())
            && leader
                .pending_isr
                .as_ref()
                .is_some_and(|p| p.proposal == proposal)
        {
            leader.pending_isr = None;
        }
    }

    /// A delayed produce's request timeout: answered `REQUEST_TIMED_OUT` if still waiting.
    pub(crate) fn expire_produce(
        &mut self,
        topic: &str,
        partition: u32,
        request: u64,
        out: &mut Vec<Output>,
    ) {
        let Some(leader) = self
            .replicas
            .get_mut(&(topic.to_owned(), partition))
            .and_then(|replica| replica.leader.as_mut())
        else {
            return;
        };
        if let Some(index) = leader.delayed.iter().position(|d| d.request == request) {
            let client = leader.delayed.remove(index).client;
            answer_produce(out, request, client, Err(ErrorCode::RequestTimedOut));
        }
    }

    /// Kafka's `maybeShrinkIsr` for every partition this broker leads: followers not caught up
    /// for more than `replica.lag.time.max.ms` leave the ISR (an AlterPartition to the
    /// controller per partition; one unanswered for [`ALTER_PARTITION_RETRY_MS`] is resent).
    pub(crate) fn propose_isr_shrinks(&mut self, now: i64, lag_max_ms: i64, out: &mut Vec<Output>) {
        for ((topic, partition), replica) in &mut self.replicas {
            let (Some(leader), Some(registration)) =
                (replica.leader.as_mut(), replica.registration.as_ref())
            else {
                continue;
            };
            if let Some(pending) = leader.pending_isr.as_mut() {
                if now - pending.sent_at > ALTER_PARTITION_RETRY_MS {
                    self.next_proposal += 1;
                    pending.proposal = self.next_proposal;
                    pending.sent_at = now;
                    let message = pending.message(
                        topic,
                        *partition,
                        registration.leader_epoch,
                        self.broker_epoch,
                    );
                    out.push(Output::Send {
                        to: NodeId::Controller,
                        message,
                    });
                }
                continue;
            }
            let leo = replica.log.log_end_offset();
            let out_of_sync: Vec<u32> = registration
                .isr
                .iter()
                .copied()
                .filter(|r| *r != self.id)
                .filter(|r| {
                    leader.followers.get(r).is_none_or(|p| {
                        p.log_end_offset != leo && now - p.last_caught_up > lag_max_ms
                    })
                })
                .collect();
            if out_of_sync.is_empty() {
                continue;
            }
            let isr: Vec<u32> = registration
                .isr
                .iter()
                .copied()
                .filter(|r| !out_of_sync.contains(r))
                .collect();
            self.next_proposal += 1;
            let pending = PendingIsr {
                proposal: self.next_proposal,
                isr,
                partition_epoch: registration.partition_epoch,
                sent_at: now,
                new_member_epochs: Vec::new(),
            };
            let message = pending.message(
                topic,
                *partition,
                registration.leader_epoch,
                self.broker_epoch,
            );
            leader.pending_isr = Some(pending);
            out.push(Output::Send {
                to: NodeId::Controller,
                message,
            });
        }
    }
}
