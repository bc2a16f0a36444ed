//! A replicated Kafka cluster, simulated: N brokers, a KRaft-style controller and clients on a
//! simulated network, driven by the host's clock and one seed.
//!
//! Every broker holds its replicas as [`PartitionLog`]s. Followers fetch from the leader over
//! the network (with latency); the leader tracks each follower's fetch position, advances the
//! high watermark to the lowest log end offset in the ISR (not while the ISR is smaller than
//! `min(min.insync.replicas, replicas)`, as Kafka 3.7+), shrinks the ISR after
//! `replica.lag.time.max.ms` and expands it when a follower catches up, through the
//! controller. The controller fences a broker that misses heartbeats for
//! `broker.session.timeout.ms` and elects a new leader from the ISR (assignment order first),
//! or any replica when `unclean.leader.election.enable`, bumping the leader epoch. A follower
//! of a new epoch truncates where its log diverges from the leader's (KIP-101/KIP-595) before
//! it copies anything. Facts and sources: `docs/kafka-facts.md` §9.
//!
//! Nothing happens between calls: [`Cluster::advance`] runs every message and timer due up to
//! the new time, in a total order (time, then sequence), so a seed replays exactly.

mod audit;
pub mod controller;
mod group_admin;
mod groups;
mod key_moves;
pub mod message;
pub mod network;
mod node;
pub mod persist;
mod topic_admin;

use std::collections::BTreeMap;

pub use audit::{Audit, InjectedBug};
pub use controller::{ElectionReason, PartitionRegistration};
pub use group_admin::{PartitionLag, ResetTarget};
pub use groups::OFFSETS_TOPIC;
pub use message::{Acks, FetchBody, Message, PartitionMetadata, TopicDeletion};
pub use network::{Latency, NodeId};
pub use node::ReplicaRole;
pub use persist::{ClusterImage, ClusterRecoveryError, ClusterStorageOp};
pub use topic_admin::{PartitionInfo, PartitionOffsets, TopicMetadata};

use crate::config::TopicConfig;
use crate::error::{AdminError, CreateTopicError, ErrorCode};
use crate::log::PartitionLog;
use crate::prng::Prng;
use crate::record::NewRecord;
use crate::topic::{names_collide, validate_topic_name};
use controller::{BrokerRegistration, Registrations};
use network::Network;
use node::BrokerNode;

/// The cluster's shape and Kafka's timing configs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Number of brokers, ids `0..brokers`.
    pub brokers: u32,
    /// Seeds every random choice (placement, latency jitter).
    pub seed: u64,
    /// Message latency.
    pub latency: Latency,
    /// `broker.heartbeat.interval.ms` (Kafka: 2000).
    pub heartbeat_interval_ms: i64,
    /// `broker.session.timeout.ms` (Kafka: 9000).
    pub session_timeout_ms: i64,
    /// `replica.lag.time.max.ms` (Kafka: 30000).
    pub replica_lag_time_max_ms: i64,
    /// `replica.fetch.wait.max.ms` (Kafka: 500): how long a leader holds an empty fetch.
    pub replica_fetch_wait_max_ms: i64,
    /// `replica.fetch.backoff.ms` (Kafka: 1000): a follower's pause after a failed fetch.
    pub replica_fetch_backoff_ms: i64,
    /// The producer's `request.timeout.ms` (Kafka: 30000).
    pub request_timeout_ms: i64,
    /// `replica.high.watermark.checkpoint.interval.ms` (Kafka: 5000): how often a broker's
    /// high watermarks are written to its `replication-offset-checkpoint` (what
    /// [`Cluster::poll_storage`] hands out at most that often; a recovered replica's high
    /// watermark may lag by as much, and catches up as followers fetch).
    pub replica_high_watermark_checkpoint_interval_ms: i64,
    /// `offsets.topic.num.partitions` (Kafka: 50): partitions of `__consumer_offsets`.
    pub offsets_topic_partitions: u32,
    /// `offsets.topic.replication.factor` (Kafka: 3), capped at the number of brokers.
    pub offsets_topic_replication_factor: u32,
    /// `log.retention.check.interval.ms` (Kafka: 300000): how often each running broker
    /// applies retention and compaction to the replicas it holds.
    pub log_retention_check_interval_ms: i64,
}

/// Kafka's largest broker count rill simulates.
pub const BROKERS_MAX: u32 = 64;

impl ClusterConfig {
    /// `brokers` brokers with Kafka's default timings and 1–3 ms latency.
    pub fn new(brokers: u32, seed: u64) -> Self {
        Self {
            brokers,
            seed,
            latency: Latency {
                base_ms: 1,
                jitter_ms: 2,
            },
            heartbeat_interval_ms: 2_000,
            session_timeout_ms: 9_000,
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_backoff_ms: 1_000,
            request_timeout_ms: 30_000,
            replica_high_watermark_checkpoint_interval_ms: 5_000,
            offsets_topic_partitions: 50,
            offsets_topic_replication_factor: 3,
            log_retention_check_interval_ms: 300_000,
        }
    }
}

/// Something that happened in the cluster, for visualisations, traces and invariant checks.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterEvent {
    /// A broker stopped (killed).
    BrokerDown {
        /// The broker.
        broker: u32,
    },
    /// A broker started again and recovered its logs.
    BrokerUp {
        /// The broker.
        broker: u32,
    },
    /// The controller fenced a broker that missed heartbeats.
    BrokerFenced {
        /// The broker.
        broker: u32,
    },
    /// The controller unfenced a broker that heartbeats again.
    BrokerUnfenced {
        /// The broker.
        broker: u32,
    },
    /// A partition got a new leader (or lost it: `leader` is `None`).
    LeaderElected {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The new leader.
        leader: Option<u32>,
        /// The new leader epoch.
        leader_epoch: i32,
        /// Why.
        reason: ElectionReason,
    },
    /// The ISR lost members.
    IsrShrunk {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The ISR now.
        isr: Vec<u32>,
    },
    /// The ISR gained members.
    IsrExpanded {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The ISR now.
        isr: Vec<u32>,
    },
    /// A leader's high watermark moved forward.
    HighWatermarkAdvanced {
        /// The leader.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The new high watermark.
        high_watermark: i64,
    },
    /// A reassignment started: new replicas will copy the partition.
    ReassignmentStarted {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The replicas it moves to.
        target: Vec<u32>,
    },
    /// A replica a reassignment adds caught up and joined the ISR.
    ReassignmentProgressed {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The added replicas now in sync.
        in_sync: Vec<u32>,
    },
    /// A reassignment finished: the removed replicas are gone.
    ReassignmentCompleted {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The replicas now.
        replicas: Vec<u32>,
    },
    /// A follower appended what it fetched.
    FollowerFetched {
        /// The follower.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Its log end offset afterwards.
        log_end_offset: i64,
    },
    /// A replica cut its log where it diverged from the leader's.
    Truncated {
        /// The replica's broker.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Its log end offset afterwards.
        log_end_offset: i64,
    },
    /// A topic was deleted: the controller removed its partitions; brokers delete their
    /// replicas when the news reaches them.
    TopicDeleted {
        /// Topic name.
        topic: String,
    },
    /// A topic's config overrides changed (`incrementalAlterConfigs`).
    TopicConfigAltered {
        /// Topic name.
        topic: String,
        /// The overrides in force now, sorted by name.
        overrides: Vec<(String, String)>,
    },
    /// A broker's log cleanup deleted a segment of one of its replicas (retention, or below
    /// the log start offset).
    SegmentDeleted {
        /// The broker holding the replica.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The deleted segment's base offset.
        base_offset: i64,
        /// Its size in bytes.
        size: usize,
        /// Why it went.
        reason: crate::log::DeletionReason,
        /// The replica's log start offset afterwards.
        log_start_offset: i64,
    },
    /// A broker's log cleaner compacted segments of one of its replicas.
    SegmentsCompacted {
        /// The broker holding the replica.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Base offsets of the segments replaced.
        removed: Vec<i64>,
        /// Base offsets of the cleaned segments that replace them.
        added: Vec<i64>,
        /// Bytes before cleaning.
        bytes_before: u64,
        /// Bytes after cleaning.
        bytes_after: u64,
    },
    /// Recovery cut a broker's stored segments of a partition (a torn or corrupt tail, and
    /// everything after it), as Kafka's log recovery does after an unclean shutdown.
    RecoveryTruncated {
        /// The broker.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// What was dropped and why.
        truncation: crate::log::RecoveryTruncation,
    },
    /// Something happened in a consumer group, at the coordinator on `broker`.
    Group {
        /// The coordinator's broker.
        broker: u32,
        /// What happened.
        event: crate::group::coordinator::GroupEvent,
    },
}

/// The answer to one produce request, as the client saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProduceOutcome {
    /// The request id [`Cluster::produce`] returned.
    pub request: u64,
    /// Topic name.
    pub topic: String,
    /// Partition index.
    pub partition: u32,
    /// The acks asked for.
    pub acks: Acks,
    /// The batch's (first, last) offsets, or Kafka's error.
    pub result: Result<(i64, i64), ErrorCode>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Timer {
    Heartbeat(u32),
    ControllerCheck,
    IsrExpiration(u32),
    /// `replica.fetch.wait.max.ms` of the fetch `follower` parked at `broker`'s leader.
    ReleaseFetch {
        broker: u32,
        topic: String,
        partition: u32,
        follower: u32,
    },
    RetryFetch {
        broker: u32,
        topic: String,
        partition: u32,
    },
    FetchTimeout {
        broker: u32,
        topic: String,
        partition: u32,
        seq: u64,
    },
    ProduceTimeout {
        broker: u32,
        topic: String,
        partition: u32,
        request: u64,
    },
    ClientTimeout {
        client: u32,
        request: u64,
    },
    Stop(u32),
    /// A broker's `log.retention.check.interval.ms` (retention and compaction).
    LogCleanup {
        broker: u32,
        /// The incarnation that scheduled it (a restarted broker starts its own).
        broker_epoch: u64,
    },
    /// A group coordinator's next deadline (only the latest scheduled one counts).
    CoordinatorWake {
        broker: u32,
        at: i64,
    },
    /// A parked consumer fetch's `fetch.max.wait.ms` ended.
    ConsumerFetchWait {
        broker: u32,
        topic: String,
        partition: u32,
        client: u32,
        request: u64,
    },
    /// A consumer's request got no answer within `request.timeout.ms`.
    ConsumerRequestTimeout {
        client: u32,
        request: u64,
    },
}

/// A timer that the event it waits for makes pointless: a request's timeout once the answer
/// came, a parked fetch's deadline once data released it, a follower's fetch timeout once its
/// next fetch replaced it. Cancelling them keeps the timer table as large as the work in
/// flight, not as the work done in the last `request.timeout.ms`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum TimerSlot {
    /// A producer client's request.
    ClientRequest { client: u32, request: u64 },
    /// A consumer client's request.
    ConsumerRequest { client: u32, request: u64 },
    /// A produce the leader holds until the ISR has it.
    DelayedProduce {
        broker: u32,
        topic: String,
        partition: u32,
        request: u64,
    },
    /// A follower's fetch in flight.
    FollowerFetch {
        broker: u32,
        topic: String,
        partition: u32,
    },
    /// A follower's fetch parked at the leader.
    ParkedFetch {
        broker: u32,
        topic: String,
        partition: u32,
        follower: u32,
    },
}

impl Timer {
    /// The slot of a cancellable timer.
    fn slot(&self) -> Option<TimerSlot> {
        match self {
            Timer::ClientTimeout { client, request } => Some(TimerSlot::ClientRequest {
                client: *client,
                request: *request,
            }),
            Timer::ConsumerRequestTimeout { client, request } => Some(TimerSlot::ConsumerRequest {
                client: *client,
                request: *request,
            }),
            Timer::ProduceTimeout {
                broker,
                topic,
                partition,
                request,
            } => Some(TimerSlot::DelayedProduce {
                broker: *broker,
                topic: topic.clone(),
                partition: *partition,
                request: *request,
            }),
            Timer::FetchTimeout {
                broker,
                topic,
                partition,
                ..
            } => Some(TimerSlot::FollowerFetch {
                broker: *broker,
                topic: topic.clone(),
                partition: *partition,
            }),
            Timer::ReleaseFetch {
                broker,
                topic,
                partition,
                follower,
            } => Some(TimerSlot::ParkedFetch {
                broker: *broker,
                topic: topic.clone(),
                partition: *partition,
                follower: *follower,
            }),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default)]
struct ClientState {
    /// Believed leader per partition, refreshed from the controller on errors.
    leaders: BTreeMap<(String, u32), Option<u32>>,
    pending: BTreeMap<u64, (String, u32, Acks)>,
}

/// What the controller keeps.
#[derive(Clone, Debug, Default)]
struct ControllerState {
    brokers: BTreeMap<u32, BrokerRegistration>,
    /// Metadata messages sent to each broker so far.
    metadata_seq: BTreeMap<u32, u64>,
    /// What `metadata_seq` was at each broker's previous heartbeat.
    seq_at_last_heartbeat: BTreeMap<u32, u64>,
    /// The newest AlterPartition proposal handled per (partition, broker, broker epoch).
    proposals_seen: BTreeMap<((String, u32), u32, u64), u64>,
    partitions: Registrations,
    topics: BTreeMap<String, (u32, TopicConfig)>,
    /// Topic ids, config overrides and deleted topics (`topic_admin.rs`).
    pub(crate) admin: topic_admin::TopicAdminState,
}

/// A simulated Kafka cluster. See the module docs.
#[derive(Clone, Debug)]
pub struct Cluster {
    config: ClusterConfig,
    now: i64,
    prng: Prng,
    network: Network<Message>,
    timers: BTreeMap<(i64, u64), Timer>,
    next_timer: u64,
    /// The key of each cancellable timer still pending (see [`TimerSlot`]).
    timer_slots: BTreeMap<TimerSlot, (i64, u64)>,
    controller: ControllerState,
    brokers: Vec<BrokerNode>,
    clients: BTreeMap<u32, ClientState>,
    consumers: BTreeMap<u32, groups::ConsumerClient>,
    /// Java's `CONSUMER_CLIENT_ID_SEQUENCE`, per cluster (a deterministic core has no JVM):
    /// the last number given to a consumer added without a `client.id`.
    consumer_client_ids: u32,
    /// Each broker's group coordinator (reset when the broker stops).
    coordinators: Vec<crate::group::coordinator::GroupCoordinator>,
    /// Group requests being answered: request id → client.
    group_clients: BTreeMap<u64, u32>,
    /// The wake-up each coordinator has scheduled.
    coordinator_wakes: BTreeMap<u32, i64>,
    next_request: u64,
    events: Vec<ClusterEvent>,
    outcomes: Vec<ProduceOutcome>,
    /// What the host has already been given to persist (see [`Cluster::poll_storage`]).
    storage: persist::StorageState,
    /// The checker's audit records and injected bug (`audit.rs`).
    checks: audit::Checks,
}

/// Why a cluster command was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    /// No such broker.
    #[error("no broker {0} in this cluster")]
    UnknownBroker(u32),
    /// The broker is already in the requested state.
    #[error("broker {broker} is already {state}")]
    BrokerState {
        /// The broker.
        broker: u32,
        /// "running" or "stopped".
        state: &'static str,
    },
    /// The cluster shape is not valid.
    #[error("a cluster has 1 to {BROKERS_MAX} brokers, got {0}")]
    InvalidSize(u32),
    /// A client with this id exists.
    #[error("client {0} already exists")]
    ClientExists(u32),
}

impl Cluster {
    /// A cluster of running, registered brokers at time `now`.
    pub fn new(config: ClusterConfig, now: i64) -> Result<Self, ClusterError> {
        if !(1..=BROKERS_MAX).contains(&config.brokers) {
            return Err(ClusterError::InvalidSize(config.brokers));
        }
        let mut cluster = Self {
            now,
            prng: Prng::new(config.seed),
            network: Network::new(config.latency),
            timers: BTreeMap::new(),
            next_timer: 0,
            timer_slots: BTreeMap::new(),
            controller: ControllerState::default(),
            brokers: (0..config.brokers).map(BrokerNode::new).collect(),
            clients: BTreeMap::new(),
            consumers: BTreeMap::new(),
            consumer_client_ids: 0,
            coordinators: (0..config.brokers)
                .map(|b| groups::new_coordinator(&config, b, 1))
                .collect(),
            group_clients: BTreeMap::new(),
            coordinator_wakes: BTreeMap::new(),
            next_request: 0,
            events: Vec::new(),
            outcomes: Vec::new(),
            storage: persist::StorageState::default(),
            checks: audit::Checks::default(),
            config,
        };
        for broker in 0..cluster.config.brokers {
            cluster.controller.brokers.insert(
                broker,
                BrokerRegistration {
                    last_heartbeat: now,
                    fenced: false,
                    broker_epoch: 1,
                },
            );
            cluster.brokers[broker as usize].broker_epoch = 1;
            let first = now + cluster.config.heartbeat_interval_ms;
            cluster.schedule(first, Timer::Heartbeat(broker));
            let lag = cluster.config.replica_lag_time_max_ms / 2;
            cluster.schedule(now + lag, Timer::IsrExpiration(broker));
            cluster.schedule_log_cleanup(broker);
        }
        let check = now + cluster.config.heartbeat_interval_ms / 2;
        cluster.schedule(check, Timer::ControllerCheck);
        Ok(cluster)
    }

    /// Answers produces `broker` failed while they waited (`(request, client, error)`): the
    /// group coordinator's own appends, or a client's produce response.
    fn fail_produces(&mut self, broker: u32, failed: Vec<(u64, u32, ErrorCode)>) {
        for (request, client, error) in failed {
            if client == groups::COORDINATOR_CLIENT {
                self.coordinator_append_done(broker, request, Err(error));
                continue;
            }
            self.send(
                NodeId::Broker(broker),
                NodeId::Client(client),
                Message::ProduceResponse {
                    request,
                    result: Err(error),
                },
            );
        }
    }

    /// Schedules `timer`; a cancellable one replaces the pending timer of its slot.
    fn schedule(&mut self, at: i64, timer: Timer) {
        let seq = self.next_timer;
        self.next_timer += 1;
        if let Some(slot) = timer.slot()
            && let Some(replaced) = self.timer_slots.insert(slot, (at, seq))
        {
            self.timers.remove(&replaced);
        }
        self.timers.insert((at, seq), timer);
        debug_assert!(self.timer_slots.len() <= self.timers.len());
    }

    /// Cancels the pending timer of `slot`, if any: what it waited for happened.
    fn cancel(&mut self, slot: TimerSlot) {
        if let Some(key) = self.timer_slots.remove(&slot) {
            self.timers.remove(&key);
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, message: Message) {
        self.network
            .send(self.now, from, to, message, &mut self.prng);
    }

    /// The cluster's time.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The cluster's config.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

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
            .topics
            .insert(name.to_owned(), (partitions, config.clone()));
        self.controller.admin.topic_created(name, configs);
        self.register_partitions(name, 0, assignment);
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
        validate_topic_name(name)?;
        if self.controller.topics.contains_key(name) {
            return Err(CreateTopicError::AlreadyExists {
                name: name.to_owned(),
            });
        }
        if let Some(existing) = self
            .controller
            .topics
            .keys()
            .find(|t| names_collide(t, name))
        {
            return Err(CreateTopicError::Collides {
                name: name.to_owned(),
                existing: existing.clone(),
            });
        }
        if !(1..=crate::broker::PARTITIONS_PER_TOPIC_MAX).contains(&partitions) {
            return Err(CreateTopicError::InvalidPartitions {
                requested: partitions.into(),
                max: crate::broker::PARTITIONS_PER_TOPIC_MAX,
            });
        }
        if !(1..=self.config.brokers).contains(&replication_factor) {
            return Err(self.replication_error(replication_factor));
        }
        let config =
            TopicConfig::with_overrides(configs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        // Placement draws from the cluster's PRNG: try it on a copy so nothing changes.
        let mut prng = self.prng.clone();
        self.place_with(0, partitions, replication_factor, &mut prng)
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
        let mut prng = std::mem::replace(&mut self.prng, Prng::new(0));
        let placed = self.place_with(start, count, replication_factor, &mut prng);
        self.prng = prng;
        placed
    }

    /// [`Cluster::place`] drawing from `prng`.
    fn place_with(
        &self,
        start: u32,
        count: u32,
        replication_factor: u32,
        prng: &mut Prng,
    ) -> Result<Vec<Vec<i32>>, crate::placement::PlacementError> {
        let brokers: Vec<crate::placement::BrokerRegistration> = self
            .controller
            .brokers
            .iter()
            .map(|(id, registration)| {
                let broker = crate::placement::BrokerRegistration::new(*id as i32);
                if registration.fenced {
                    broker.fenced()
                } else {
                    broker
                }
            })
            .collect();
        crate::placement::StripedReplicaPlacer::new().place(
            start as i32,
            count as i32,
            replication_factor as i16,
            &brokers,
            prng,
        )
    }

    /// Registers new partitions from `start` with their replicas (the first live one leads)
    /// and publishes them.
    fn register_partitions(&mut self, name: &str, start: u32, assignment: Vec<Vec<i32>>) {
        for (partition, replicas) in (start..).zip(assignment) {
            let replicas: Vec<u32> = replicas.into_iter().map(|b| b as u32).collect();
            let registrations = &self.controller.brokers;
            let registration = PartitionRegistration::new(replicas, |b| {
                registrations.get(&b).is_some_and(|r| !r.fenced)
            });
            self.events.push(ClusterEvent::LeaderElected {
                topic: name.to_owned(),
                partition,
                leader: registration.leader,
                leader_epoch: registration.leader_epoch,
                reason: ElectionReason::TopicCreated,
            });
            self.controller
                .partitions
                .insert((name.to_owned(), partition), registration);
            self.publish(name, partition);
        }
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
        if let Some(entry) = self.controller.topics.get_mut(name) {
            entry.0 = total;
        }
        self.register_partitions(name, current, assignment);
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
        self.place_with(current, total - current, replication_factor, &mut prng)
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
        self.brokers[leader as usize].delete_records(topic, partition, offset)
    }

    /// Sends a partition's registration to every broker (they keep metadata for all).
    fn publish(&mut self, topic: &str, partition: u32) {
        for broker in 0..self.config.brokers {
            self.publish_to(broker, topic, partition, 0);
        }
    }

    /// Sends one partition's registration to one broker, numbered in its stream.
    fn publish_to(&mut self, broker: u32, topic: &str, partition: u32, supersedes: u64) {
        let Some(registration) = self
            .controller
            .partitions
            .get(&(topic.to_owned(), partition))
            .cloned()
        else {
            return;
        };
        let Some((_, config)) = self.controller.topics.get(topic).cloned() else {
            return;
        };
        let broker_epoch = self
            .controller
            .brokers
            .get(&broker)
            .map_or(0, |r| r.broker_epoch);
        let seq = self.controller.metadata_seq.entry(broker).or_insert(0);
        *seq += 1;
        let metadata = PartitionMetadata {
            topic: topic.to_owned(),
            partition,
            registration,
            config,
            broker_epoch,
            seq: *seq,
            supersedes,
            topic_id: self.controller.admin.topic_id(topic),
        };
        self.send(
            NodeId::Controller,
            NodeId::Broker(broker),
            Message::Metadata(Box::new(metadata)),
        );
    }

    /// Resends every partition to a broker that lost metadata messages (a cut link): the
    /// controller's answer to a heartbeat that shows a gap older than one heartbeat.
    fn resync(&mut self, broker: u32) {
        let supersedes = self
            .controller
            .metadata_seq
            .get(&broker)
            .copied()
            .unwrap_or(0);
        let keys: Vec<(String, u32)> = self.controller.partitions.keys().cloned().collect();
        for (topic, partition) in keys {
            self.publish_to(broker, &topic, partition, supersedes);
        }
        self.resend_deletions(broker, supersedes);
    }

    /// Sends one batch from `client` to the partition's leader as the client believes it
    /// (refreshing from the controller when it knows none). Returns the request id; the
    /// outcome arrives in [`Cluster::poll_outcomes`] (never, for `acks=0`, except errors the
    /// client sees itself).
    pub fn produce(
        &mut self,
        client: u32,
        topic: &str,
        partition: u32,
        acks: Acks,
        records: Vec<NewRecord>,
    ) -> u64 {
        let request = self.next_request;
        self.next_request += 1;
        let key = (topic.to_owned(), partition);
        let known = self
            .clients
            .get(&client)
            .and_then(|c| c.leaders.get(&key).copied())
            .flatten();
        let leader = match known {
            Some(leader) => Some(leader),
            None => self.refresh_client(client, topic, partition),
        };
        let Some(leader) = leader else {
            self.outcomes.push(ProduceOutcome {
                request,
                topic: topic.to_owned(),
                partition,
                acks,
                result: Err(if self.controller.partitions.contains_key(&key) {
                    ErrorCode::LeaderNotAvailable
                } else {
                    ErrorCode::UnknownTopicOrPartition
                }),
            });
            return request;
        };
        self.send(
            NodeId::Client(client),
            NodeId::Broker(leader),
            Message::Produce {
                request,
                topic: topic.to_owned(),
                partition,
                acks,
                records,
            },
        );
        if acks == Acks::None {
            // acks=0: the producer counts the send as done at once, with no offsets (Kafka's
            // RecordMetadata offset -1), and never hears from the broker.
            self.outcomes.push(ProduceOutcome {
                request,
                topic: topic.to_owned(),
                partition,
                acks,
                result: Ok((-1, -1)),
            });
            return request;
        }
        self.clients
            .entry(client)
            .or_default()
            .pending
            .insert(request, (topic.to_owned(), partition, acks));
        // The producer's own `request.timeout.ms`, a little after the broker's, for answers
        // lost on a cut link.
        let at = self.now + self.config.request_timeout_ms + 1_000;
        self.schedule(at, Timer::ClientTimeout { client, request });
        request
    }

    /// The client's metadata refresh: the controller's current leader for the partition.
    fn refresh_client(&mut self, client: u32, topic: &str, partition: u32) -> Option<u32> {
        let leader = self
            .controller
            .partitions
            .get(&(topic.to_owned(), partition))
            .and_then(|p| p.leader);
        self.clients
            .entry(client)
            .or_default()
            .leaders
            .insert((topic.to_owned(), partition), leader);
        leader
    }

    /// Stops a broker at once: its memory and connections are gone, its stored logs stay.
    pub fn kill_broker(&mut self, broker: u32) -> Result<(), ClusterError> {
        let node = self
            .brokers
            .get_mut(broker as usize)
            .ok_or(ClusterError::UnknownBroker(broker))?;
        if !node.alive {
            return Err(ClusterError::BrokerState {
                broker,
                state: "stopped",
            });
        }
        node.crash();
        let epoch = node.broker_epoch + 1;
        self.coordinators[broker as usize] = groups::new_coordinator(&self.config, broker, epoch);
        self.equip_coordinator(broker);
        self.coordinator_wakes.remove(&broker);
        self.network.drop_node(NodeId::Broker(broker));
        self.events.push(ClusterEvent::BrokerDown { broker });
        Ok(())
    }

    /// Stops a broker as a power loss does: as [`Cluster::kill_broker`], and then the stored
    /// logs of `partitions` lose their unflushed tail: each keeps the first
    /// `keep(last segment's bytes)` bytes of its last segment, possibly ending inside a batch
    /// (a torn write). The high-watermark checkpoints stay as last written, so they may now
    /// lie past the log end. Returns the partitions whose stored log was cut.
    pub fn crash_broker_losing_tails(
        &mut self,
        broker: u32,
        partitions: &[(String, u32)],
        keep: impl FnMut(&[u8]) -> usize,
    ) -> Result<Vec<(String, u32)>, ClusterError> {
        self.kill_broker(broker)?;
        Ok(self.brokers[broker as usize].lose_tails(partitions, keep))
    }

    /// The log end a stopped broker's stored log of a partition recovers to: the end of the
    /// last whole batch of its last segment (`None`: running, or no such log).
    pub fn stored_log_end(&self, broker: u32, topic: &str, partition: u32) -> Option<i64> {
        self.brokers
            .get(broker as usize)?
            .stored_log_end(topic, partition)
    }

    /// A stopped broker's stored high-watermark checkpoint of a partition (`None`: none).
    pub fn checkpointed_high_watermark(
        &self,
        broker: u32,
        topic: &str,
        partition: u32,
    ) -> Option<i64> {
        self.brokers
            .get(broker as usize)?
            .checkpoints()
            .get(&(topic.to_owned(), partition))
            .copied()
    }

    /// Replaces a stopped broker's stored high-watermark checkpoint of a partition by an
    /// older, lower value (the checkpoint file as written before the last updates). A value
    /// not below the stored one changes nothing.
    pub fn stale_checkpoint(&mut self, broker: u32, topic: &str, partition: u32, hw: i64) {
        if let Some(node) = self.brokers.get_mut(broker as usize)
            && !node.alive
        {
            node.stale_checkpoint(&(topic.to_owned(), partition), hw);
        }
    }

    /// Whether the controller knows `broker` in its current incarnation (a restarted broker
    /// is not known until its first heartbeat re-registers it).
    pub fn is_registered_incarnation(&self, broker: u32) -> bool {
        self.brokers.get(broker as usize).is_some_and(|node| {
            self.controller
                .brokers
                .get(&broker)
                .is_some_and(|r| r.broker_epoch == node.broker_epoch)
        })
    }

    /// When the controller last heard a heartbeat of `broker`.
    pub fn last_heartbeat(&self, broker: u32) -> Option<i64> {
        self.controller
            .brokers
            .get(&broker)
            .map(|r| r.last_heartbeat)
    }

    /// Starts a stopped broker: it recovers its logs from its own store and heartbeats again.
    pub fn restart_broker(&mut self, broker: u32) -> Result<(), ClusterError> {
        let now = self.now;
        let node = self
            .brokers
            .get_mut(broker as usize)
            .ok_or(ClusterError::UnknownBroker(broker))?;
        if node.alive {
            return Err(ClusterError::BrokerState {
                broker,
                state: "running",
            });
        }
        let cut = node.restart(now);
        self.events.push(ClusterEvent::BrokerUp { broker });
        self.events
            .extend(cut.into_iter().map(|((topic, partition), truncation)| {
                ClusterEvent::RecoveryTruncated {
                    broker,
                    topic,
                    partition,
                    truncation,
                }
            }));
        self.schedule(self.now, Timer::Heartbeat(broker));
        let lag = self.config.replica_lag_time_max_ms / 2;
        self.schedule(self.now + lag, Timer::IsrExpiration(broker));
        self.schedule_log_cleanup(broker);
        Ok(())
    }

    /// Cuts the network between every node of `side_a` and every node of `side_b`.
    pub fn partition_network(&mut self, side_a: &[NodeId], side_b: &[NodeId]) {
        self.network.partition(side_a, side_b);
    }

    /// From now on, messages to or from each client keep their send order per link (one TCP
    /// connection each), even when a slowdown ends while earlier ones are in flight.
    pub fn keep_client_links_in_order(&mut self) {
        self.network.keep_client_links_in_order();
    }

    /// Restores every link and latency.
    pub fn heal(&mut self) {
        self.network.heal();
    }

    /// Adds latency to every message to or from `node`.
    pub fn slow(&mut self, node: NodeId, extra_ms: i64) {
        self.network.slow(node, extra_ms);
    }

    /// Moves time forward by `ms`, running every message and timer due on the way.
    pub fn advance(&mut self, ms: i64) {
        assert!(ms >= 0, "time only moves forward");
        let target = self.now + ms;
        self.touch_consumers();
        loop {
            self.pump_consumers();
            let next_message = self.network.next_delivery();
            let next_timer = self.timers.keys().next().map(|(at, _)| *at);
            let next_consumer = self.next_consumer_timeout();
            let Some(next) = [next_message, next_timer, next_consumer]
                .into_iter()
                .flatten()
                .min()
            else {
                break;
            };
            if next > target {
                break;
            }
            self.now = self.now.max(next);
            if next_consumer == Some(next) && next_message != Some(next) && next_timer != Some(next)
            {
                self.wake_consumers();
                continue;
            }
            // Messages before timers at the same instant, each in send/schedule order.
            if next_message == Some(next) {
                if let Some(envelope) = self.network.deliver(self.now) {
                    self.receive(envelope.from, envelope.to, envelope.message);
                }
                continue;
            }
            let (&key, _) = self.timers.iter().next().expect("a timer is due");
            let timer = self.timers.remove(&key).expect("the key was just read");
            if let Some(slot) = timer.slot() {
                self.timer_slots.remove(&slot);
            }
            self.fire(timer);
        }
        self.now = target;
    }

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::Heartbeat(broker) => {
                let node = &self.brokers[broker as usize];
                if !node.alive {
                    return;
                }
                let epoch = node.broker_epoch;
                let metadata_seq = node.metadata_seq();
                self.send(
                    NodeId::Broker(broker),
                    NodeId::Controller,
                    Message::Heartbeat {
                        broker,
                        broker_epoch: epoch,
                        metadata_seq,
                    },
                );
                let next = self.now + self.config.heartbeat_interval_ms;
                self.schedule(next, Timer::Heartbeat(broker));
            }
            Timer::ControllerCheck => {
                self.fence_one_stale_broker();
                let next = self.now + self.config.heartbeat_interval_ms / 2;
                self.schedule(next, Timer::ControllerCheck);
            }
            Timer::IsrExpiration(broker) => {
                if !self.brokers[broker as usize].alive {
                    return;
                }
                let proposals = self.brokers[broker as usize]
                    .shrink_isr_proposals(self.now, self.config.replica_lag_time_max_ms);
                for (topic, partition, message) in proposals {
                    let _ = (topic, partition);
                    self.send(NodeId::Broker(broker), NodeId::Controller, message);
                }
                let next = self.now + self.config.replica_lag_time_max_ms / 2;
                self.schedule(next, Timer::IsrExpiration(broker));
            }
            Timer::ReleaseFetch {
                broker,
                topic,
                partition,
                follower,
            } => {
                let responses = self.brokers[broker as usize].release_parked_fetches(
                    &topic,
                    partition,
                    self.now,
                    Some(follower),
                );
                self.deliver_fetch_responses(broker, responses);
            }
            Timer::RetryFetch {
                broker,
                topic,
                partition,
            } => self.start_fetch(broker, &topic, partition),
            Timer::Stop(broker) => {
                if self.is_alive(broker) {
                    let _ = self.kill_broker(broker);
                }
            }
            Timer::ClientTimeout { client, request } => {
                let pending = self
                    .clients
                    .get_mut(&client)
                    .and_then(|c| c.pending.remove(&request));
                if let Some((topic, partition, acks)) = pending {
                    self.refresh_client(client, &topic, partition);
                    self.outcomes.push(ProduceOutcome {
                        request,
                        topic,
                        partition,
                        acks,
                        result: Err(ErrorCode::RequestTimedOut),
                    });
                }
            }
            Timer::FetchTimeout {
                broker,
                topic,
                partition,
                seq,
            } => {
                let node = &mut self.brokers[broker as usize];
                if node.alive && node.fetch_timed_out(&topic, partition, seq) {
                    self.start_fetch(broker, &topic, partition);
                }
            }
            Timer::CoordinatorWake { broker, at } => self.wake_coordinator(broker, at),
            Timer::LogCleanup {
                broker,
                broker_epoch,
            } => self.run_log_cleanup(broker, broker_epoch),
            Timer::ConsumerFetchWait {
                broker,
                topic,
                partition,
                client,
                request,
            } => {
                if self.brokers[broker as usize].alive {
                    self.release_consumer_fetches(
                        broker,
                        &topic,
                        partition,
                        Some((client, request)),
                    );
                }
            }
            Timer::ConsumerRequestTimeout { client, request } => {
                self.consumer_request_timed_out(client, request);
            }
            Timer::ProduceTimeout {
                broker,
                topic,
                partition,
                request,
            } => {
                let node = &mut self.brokers[broker as usize];
                let expired = node.expire_produce(&topic, partition, request);
                if expired == Some(groups::COORDINATOR_CLIENT) {
                    self.coordinator_append_done(broker, request, Err(ErrorCode::RequestTimedOut));
                } else if let Some(client) = expired {
                    self.send(
                        NodeId::Broker(broker),
                        NodeId::Client(client),
                        Message::ProduceResponse {
                            request,
                            result: Err(ErrorCode::RequestTimedOut),
                        },
                    );
                }
            }
        }
    }

    /// Kafka's `maybeFenceOneStaleBroker`: at most one broker per pass.
    fn fence_one_stale_broker(&mut self) {
        let timeout = self.config.session_timeout_ms;
        let now = self.now;
        let Some(broker) = self
            .controller
            .brokers
            .iter()
            .find(|(_, r)| !r.fenced && now - r.last_heartbeat > timeout)
            .map(|(b, _)| *b)
        else {
            return;
        };
        if let Some(registration) = self.controller.brokers.get_mut(&broker) {
            registration.fenced = true;
        }
        self.events.push(ClusterEvent::BrokerFenced { broker });
        self.reelect(Some(broker), ElectionReason::LeaderFenced);
    }

    /// Removes `fenced` from every ISR and re-elects where the leader is not acceptable.
    fn reelect(&mut self, fenced: Option<u32>, reason: ElectionReason) {
        let keys: Vec<(String, u32)> = self.controller.partitions.keys().cloned().collect();
        for key in keys {
            let unclean = self
                .controller
                .topics
                .get(&key.0)
                .is_some_and(|(_, c)| c.unclean_leader_election_enable);
            let brokers = self.controller.brokers.clone();
            let acceptable =
                |b: u32| brokers.get(&b).is_some_and(|r| !r.fenced) && Some(b) != fenced;
            let partition = self
                .controller
                .partitions
                .get_mut(&key)
                .expect("keys were just read");
            let before_isr = partition.isr.clone();
            if let Some(fenced) = fenced {
                partition.remove_from_isr(fenced);
            }
            let elected = partition.elect(acceptable, unclean, reason);
            let after = partition.clone();
            if after.isr != before_isr {
                self.events.push(ClusterEvent::IsrShrunk {
                    topic: key.0.clone(),
                    partition: key.1,
                    isr: after.isr.clone(),
                });
            }
            if let Some(reason) = elected {
                self.events.push(ClusterEvent::LeaderElected {
                    topic: key.0.clone(),
                    partition: key.1,
                    leader: after.leader,
                    leader_epoch: after.leader_epoch,
                    reason,
                });
            }
            if after.isr != before_isr || elected.is_some() {
                self.publish(&key.0, key.1);
            }
        }
    }

    fn receive(&mut self, from: NodeId, to: NodeId, message: Message) {
        match to {
            NodeId::Controller => self.controller_receive(from, message),
            NodeId::Broker(broker) => {
                let consumer_message = matches!(
                    message,
                    Message::Group { .. }
                        | Message::ConsumerFetch { .. }
                        | Message::ListOffsets { .. }
                );
                if consumer_message {
                    if let NodeId::Client(client) = from {
                        if self.brokers[broker as usize].alive {
                            self.broker_receive_consumer(broker, client, message);
                        } else {
                            self.refuse_consumer_message(client, &message);
                        }
                    }
                } else if self.brokers[broker as usize].alive {
                    self.broker_receive(broker, from, message);
                } else if let (
                    NodeId::Client(_),
                    Message::Produce {
                        request,
                        acks: Acks::Leader | Acks::All,
                        ..
                    },
                ) = (from, &message)
                {
                    // Connection refused: the client hears of it at once.
                    let request = *request;
                    self.send(
                        to,
                        from,
                        Message::ProduceResponse {
                            request,
                            result: Err(ErrorCode::NetworkException),
                        },
                    );
                }
            }
            NodeId::Client(client) if self.consumers.contains_key(&client) => {
                self.consumer_receive(client, message);
            }
            NodeId::Client(client) => self.client_receive(client, message),
        }
    }

    fn controller_receive(&mut self, from: NodeId, message: Message) {
        match message {
            Message::Heartbeat {
                broker,
                broker_epoch,
                metadata_seq,
            } => {
                let Some(registration) = self.controller.brokers.get_mut(&broker) else {
                    return;
                };
                registration.last_heartbeat = self.now;
                let known_epoch = registration.broker_epoch;
                let sent = self
                    .controller
                    .metadata_seq
                    .get(&broker)
                    .copied()
                    .unwrap_or(0);
                let due = self
                    .controller
                    .seq_at_last_heartbeat
                    .insert(broker, sent)
                    .unwrap_or(0);
                if broker_epoch == known_epoch && metadata_seq < due {
                    // Messages sent before the previous heartbeat never arrived: resend all.
                    self.resync(broker);
                    let after = self
                        .controller
                        .metadata_seq
                        .get(&broker)
                        .copied()
                        .unwrap_or(0);
                    self.controller.seq_at_last_heartbeat.insert(broker, after);
                }
                let Some(registration) = self.controller.brokers.get_mut(&broker) else {
                    return;
                };
                if broker_epoch > registration.broker_epoch {
                    // A new incarnation (the broker restarted): its old replicas' state is
                    // gone, so it is fenced out of every ISR and leadership first, as KRaft
                    // does when a broker registers again.
                    registration.broker_epoch = broker_epoch;
                    // The new incarnation's metadata stream starts afresh.
                    self.controller.metadata_seq.insert(broker, 0);
                    self.controller.seq_at_last_heartbeat.insert(broker, 0);
                    let Some(registration) = self.controller.brokers.get_mut(&broker) else {
                        return;
                    };
                    if !registration.fenced {
                        registration.fenced = true;
                        self.events.push(ClusterEvent::BrokerFenced { broker });
                        self.reelect(Some(broker), ElectionReason::LeaderFenced);
                    }
                }
                let Some(registration) = self.controller.brokers.get_mut(&broker) else {
                    return;
                };
                if registration.fenced {
                    registration.fenced = false;
                    self.events.push(ClusterEvent::BrokerUnfenced { broker });
                    // A returning broker learns every partition, and leaderless partitions
                    // may elect it.
                    let keys: Vec<(String, u32)> =
                        self.controller.partitions.keys().cloned().collect();
                    self.reelect(None, ElectionReason::BrokerUnfenced);
                    for (topic, partition) in keys {
                        self.publish(&topic, partition);
                    }
                    self.resend_deletions(broker, 0);
                }
            }
            Message::AlterPartition {
                topic,
                partition,
                leader_epoch,
                partition_epoch,
                isr,
                proposal,
                broker_epoch,
                new_member_epochs,
            } => {
                let key = (topic.clone(), partition);
                // A copy older than one already handled from the same broker incarnation (a
                // resend overtook it) is ignored: only the newest proposal is answered.
                let NodeId::Broker(sender) = from else {
                    return;
                };
                let seen = self
                    .controller
                    .proposals_seen
                    .entry((key.clone(), sender, broker_epoch))
                    .or_insert(0);
                if proposal <= *seen {
                    return;
                }
                *seen = proposal;
                let brokers = self.controller.brokers.clone();
                let Some(registration) = self.controller.partitions.get_mut(&key) else {
                    return;
                };
                if registration.leader_epoch != leader_epoch
                    || registration.partition_epoch != partition_epoch
                    || isr.is_empty()
                    || isr.iter().any(|r| !registration.replicas.contains(r))
                    || isr.iter().any(|r| brokers.get(r).is_none_or(|b| b.fenced))
                    || new_member_epochs
                        .iter()
                        .any(|(r, epoch)| brokers.get(r).is_none_or(|b| b.broker_epoch != *epoch))
                {
                    // Stale or ineligible (Kafka answers FENCED_LEADER_EPOCH,
                    // INVALID_UPDATE_VERSION or INELIGIBLE_REPLICA): the leader drops its
                    // proposal and learns the current state.
                    self.send(
                        NodeId::Controller,
                        from,
                        Message::AlterPartitionRejected {
                            topic: topic.clone(),
                            partition,
                            proposal,
                        },
                    );
                    self.publish(&topic, partition);
                    return;
                }
                let grew = isr.len() > registration.isr.len();
                let joined: Vec<u32> = isr
                    .iter()
                    .copied()
                    .filter(|r| !registration.isr.contains(r))
                    .collect();
                registration.isr = isr.clone();
                registration.partition_epoch += 1;
                let progressed: Vec<u32> = registration
                    .adding
                    .iter()
                    .copied()
                    .filter(|r| registration.isr.contains(r))
                    .collect();
                let reassigning = !registration.adding.is_empty();
                let completed = registration.complete_reassignment_if_ready();
                self.events.push(if grew {
                    ClusterEvent::IsrExpanded {
                        topic: topic.clone(),
                        partition,
                        isr,
                    }
                } else {
                    ClusterEvent::IsrShrunk {
                        topic: topic.clone(),
                        partition,
                        isr,
                    }
                });
                if reassigning && grew {
                    self.events.push(ClusterEvent::ReassignmentProgressed {
                        topic: topic.clone(),
                        partition,
                        in_sync: progressed,
                    });
                }
                self.audit_isr_expansion(&topic, partition, &joined);
                if completed {
                    self.finish_reassignment(&topic, partition);
                }
                self.publish(&topic, partition);
            }
            _ => {}
        }
    }

    fn broker_receive(&mut self, broker: u32, from: NodeId, message: Message) {
        let now = self.now;
        match message {
            Message::Metadata(metadata) => {
                let topic = metadata.topic.clone();
                let partition = metadata.partition;
                let effect = self.brokers[broker as usize].apply_metadata(*metadata, now);
                self.send_consumer_fetches(broker, effect.failed_consumer_fetches);
                self.fail_produces(broker, effect.failed_produces);
                if let Some(message) = effect.alter_partition {
                    self.send(NodeId::Broker(broker), NodeId::Controller, message);
                }
                self.record_hw(broker, &topic, partition, effect.high_watermark);
                self.answer_produces(broker, &topic, partition, effect.completed);
                if effect.start_fetching {
                    self.start_fetch(broker, &topic, partition);
                }
                if topic == OFFSETS_TOPIC && (effect.became_leader || effect.lost_leadership) {
                    self.offsets_leadership_changed(
                        broker,
                        partition,
                        effect.became_leader,
                        effect.lost_leadership,
                    );
                }
            }
            Message::Fetch {
                topic,
                partition,
                replica,
                fetch_offset,
                last_fetched_epoch,
                leader_epoch,
                topic_id,
                broker_epoch: follower_broker_epoch,
            } => {
                if self.brokers[broker as usize].topic_id(&topic) != Some(topic_id) {
                    // Another incarnation of the topic (Kafka's UNKNOWN_TOPIC_ID): the
                    // follower backs off until its metadata catches up.
                    self.send(
                        NodeId::Broker(broker),
                        from,
                        Message::FetchResponse {
                            topic,
                            partition,
                            topic_id,
                            leader_epoch,
                            body: FetchBody::Error {
                                error: ErrorCode::UnknownTopicOrPartition,
                                log_end_offset: -1,
                                log_start_offset: -1,
                            },
                        },
                    );
                    return;
                }
                let outcome = self.brokers[broker as usize].handle_fetch(
                    &topic,
                    partition,
                    replica,
                    fetch_offset,
                    last_fetched_epoch,
                    leader_epoch,
                    follower_broker_epoch,
                    now,
                );
                if let Some(message) = outcome.alter_partition {
                    self.send(NodeId::Broker(broker), NodeId::Controller, message);
                }
                self.record_hw(broker, &topic, partition, outcome.high_watermark);
                self.answer_produces(broker, &topic, partition, outcome.completed);
                match outcome.response {
                    Some(body) => {
                        let epoch = outcome.leader_epoch;
                        self.send(
                            NodeId::Broker(broker),
                            from,
                            Message::FetchResponse {
                                topic,
                                partition,
                                topic_id,
                                leader_epoch: epoch,
                                body,
                            },
                        );
                    }
                    None => {
                        let at = now + self.config.replica_fetch_wait_max_ms;
                        self.schedule(
                            at,
                            Timer::ReleaseFetch {
                                broker,
                                topic,
                                partition,
                                follower: replica,
                            },
                        );
                    }
                }
            }
            Message::FetchResponse {
                topic,
                partition,
                topic_id,
                leader_epoch,
                body,
            } => {
                if self.brokers[broker as usize].topic_id(&topic) != Some(topic_id) {
                    // The answer to a fetch for another incarnation of the topic.
                    return;
                }
                let outcome = self.brokers[broker as usize].handle_fetch_response(
                    &topic,
                    partition,
                    leader_epoch,
                    body,
                    now,
                );
                for event in outcome.events {
                    self.events.push(event);
                }
                if outcome.fetch_again {
                    self.start_fetch(broker, &topic, partition);
                } else if outcome.back_off {
                    let at = now + self.config.replica_fetch_backoff_ms;
                    self.schedule(
                        at,
                        Timer::RetryFetch {
                            broker,
                            topic,
                            partition,
                        },
                    );
                }
            }
            Message::DeleteTopic(deletion) => self.broker_delete_topic(broker, *deletion),
            Message::AlterPartitionRejected {
                topic,
                partition,
                proposal,
            } => {
                self.brokers[broker as usize].alter_partition_rejected(&topic, partition, proposal);
            }
            Message::Produce {
                request,
                topic,
                partition,
                acks,
                records,
            } => {
                let NodeId::Client(client) = from else {
                    return;
                };
                let outcome = self.brokers[broker as usize]
                    .handle_produce(&topic, partition, request, client, acks, &records, now);
                if let Some(result) = outcome.answer_now
                    && acks != Acks::None
                {
                    self.send(
                        NodeId::Broker(broker),
                        from,
                        Message::ProduceResponse { request, result },
                    );
                }
                if outcome.delayed {
                    let at = now + self.config.request_timeout_ms;
                    self.schedule(
                        at,
                        Timer::ProduceTimeout {
                            broker,
                            topic: topic.clone(),
                            partition,
                            request,
                        },
                    );
                }
                self.record_hw(broker, &topic, partition, outcome.high_watermark);
                self.answer_produces(broker, &topic, partition, outcome.completed);
                let responses = self.brokers[broker as usize]
                    .release_parked_fetches(&topic, partition, now, None);
                self.deliver_fetch_responses(broker, responses);
            }
            _ => {}
        }
    }

    fn record_hw(&mut self, broker: u32, topic: &str, partition: u32, hw: Option<i64>) {
        if let Some(high_watermark) = hw {
            self.events.push(ClusterEvent::HighWatermarkAdvanced {
                broker,
                topic: topic.to_owned(),
                partition,
                high_watermark,
            });
            self.release_consumer_fetches(broker, topic, partition, None);
        }
    }

    fn answer_produces(
        &mut self,
        broker: u32,
        topic: &str,
        partition: u32,
        completed: Vec<node::CompletedProduce>,
    ) {
        for done in completed {
            self.cancel(TimerSlot::DelayedProduce {
                broker,
                topic: topic.to_owned(),
                partition,
                request: done.request,
            });
            if let Ok(offsets) = done.result {
                self.audit_ack(broker, topic, partition, offsets);
            }
            if done.client == groups::COORDINATOR_CLIENT {
                self.coordinator_append_done(broker, done.request, done.result.map(|_| ()));
                continue;
            }
            self.send(
                NodeId::Broker(broker),
                NodeId::Client(done.client),
                Message::ProduceResponse {
                    request: done.request,
                    result: done.result,
                },
            );
        }
    }

    fn deliver_fetch_responses(&mut self, broker: u32, responses: Vec<node::ParkedResponse>) {
        for response in responses {
            self.cancel(TimerSlot::ParkedFetch {
                broker,
                topic: response.topic.clone(),
                partition: response.partition,
                follower: response.follower,
            });
            let topic_id = self.brokers[broker as usize]
                .topic_id(&response.topic)
                .unwrap_or(0);
            self.send(
                NodeId::Broker(broker),
                NodeId::Broker(response.follower),
                Message::FetchResponse {
                    topic_id,
                    topic: response.topic,
                    partition: response.partition,
                    leader_epoch: response.leader_epoch,
                    body: response.body,
                },
            );
        }
    }

    /// A follower sends its next fetch to the leader it knows, if any.
    fn start_fetch(&mut self, broker: u32, topic: &str, partition: u32) {
        let node = &mut self.brokers[broker as usize];
        if !node.alive {
            return;
        }
        if let Some((leader, seq, message)) = node.next_fetch(topic, partition) {
            self.send(NodeId::Broker(broker), NodeId::Broker(leader), message);
            // Kafka's `replica.socket.timeout.ms` (30 s): an unanswered fetch is given up.
            // Replaces the previous fetch's timeout: that fetch was answered or timed out.
            let at = self.now + self.config.request_timeout_ms;
            self.schedule(
                at,
                Timer::FetchTimeout {
                    broker,
                    topic: topic.to_owned(),
                    partition,
                    seq,
                },
            );
        }
    }

    fn client_receive(&mut self, client: u32, message: Message) {
        let Message::ProduceResponse { request, result } = message else {
            return;
        };
        let Some(state) = self.clients.get_mut(&client) else {
            return;
        };
        let Some((topic, partition, acks)) = state.pending.remove(&request) else {
            return;
        };
        self.cancel(TimerSlot::ClientRequest { client, request });
        if matches!(
            result,
            Err(ErrorCode::NotLeaderOrFollower
                | ErrorCode::UnknownTopicOrPartition
                | ErrorCode::LeaderNotAvailable
                | ErrorCode::NetworkException
                | ErrorCode::RequestTimedOut)
        ) {
            self.refresh_client(client, &topic, partition);
        }
        self.outcomes.push(ProduceOutcome {
            request,
            topic,
            partition,
            acks,
            result,
        });
    }

    /// Kafka's `AlterPartitionReassignments` for one partition: moves its replicas to
    /// `target` (KIP-455: add the new replicas, let them catch up and join the ISR, move
    /// leadership if the leader is removed, drop the old ones).
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
        let key = (topic.to_owned(), partition);
        let registration = self
            .controller
            .partitions
            .get_mut(&key)
            .ok_or(ErrorCode::UnknownTopicOrPartition)?;
        if !registration.start_reassignment(target) {
            return Ok(());
        }
        self.events.push(ClusterEvent::ReassignmentStarted {
            topic: topic.to_owned(),
            partition,
            target: target.to_vec(),
        });
        if registration.complete_reassignment_if_ready() {
            self.finish_reassignment(topic, partition);
        }
        self.publish(topic, partition);
        Ok(())
    }

    /// After a reassignment completed: elect if the leader was removed, report it.
    fn finish_reassignment(&mut self, topic: &str, partition: u32) {
        let brokers = self.controller.brokers.clone();
        let key = (topic.to_owned(), partition);
        let Some(registration) = self.controller.partitions.get_mut(&key) else {
            return;
        };
        if registration.leader.is_none() {
            let acceptable = |b: u32| brokers.get(&b).is_some_and(|r| !r.fenced);
            registration.elect(acceptable, false, ElectionReason::Reassignment);
            self.events.push(ClusterEvent::LeaderElected {
                topic: topic.to_owned(),
                partition,
                leader: registration.leader,
                leader_epoch: registration.leader_epoch,
                reason: ElectionReason::Reassignment,
            });
        }
        let replicas = registration.replicas.clone();
        self.events.push(ClusterEvent::ReassignmentCompleted {
            topic: topic.to_owned(),
            partition,
            replicas,
        });
    }

    /// Kafka's `ElectLeaders PREFERRED` for one partition.
    pub fn elect_preferred_leader(&mut self, topic: &str, partition: u32) -> Result<(), ErrorCode> {
        let brokers = self.controller.brokers.clone();
        let registration = self
            .controller
            .partitions
            .get_mut(&(topic.to_owned(), partition))
            .ok_or(ErrorCode::UnknownTopicOrPartition)?;
        registration.elect_preferred(|b| brokers.get(&b).is_some_and(|r| !r.fenced))?;
        self.events.push(ClusterEvent::LeaderElected {
            topic: topic.to_owned(),
            partition,
            leader: registration.leader,
            leader_epoch: registration.leader_epoch,
            reason: ElectionReason::Preferred,
        });
        self.publish(topic, partition);
        Ok(())
    }

    /// A controlled shutdown: the controller first moves every leadership and ISR membership
    /// off the broker (it is no longer an acceptable leader), then the broker stops once the
    /// news has had a heartbeat's time to spread.
    pub fn shutdown_broker(&mut self, broker: u32) -> Result<(), ClusterError> {
        if !self.is_alive(broker) {
            return Err(ClusterError::BrokerState {
                broker,
                state: "stopped",
            });
        }
        if let Some(registration) = self.controller.brokers.get_mut(&broker) {
            registration.fenced = true;
        }
        self.events.push(ClusterEvent::BrokerFenced { broker });
        self.reelect(Some(broker), ElectionReason::ControlledShutdown);
        let at = self.now + self.config.heartbeat_interval_ms;
        self.schedule(at, Timer::Stop(broker));
        Ok(())
    }

    /// How many timers are scheduled (heartbeats, fetch and request timeouts, retention checks,
    /// coordinator deadlines): the cluster's pending work besides messages in flight. Bounded by
    /// the cluster's shape (brokers, replicas, clients), not by how long it has run.
    pub fn pending_timers(&self) -> usize {
        self.timers.len()
    }

    /// The earliest time something is due: a message delivery, a timer, or a consumer's
    /// timeout (`None`: nothing will ever happen without a command). A host on a real clock
    /// calls [`Cluster::advance`] when this time comes; consumer calls made since the last
    /// advance are sent by the next one, even `advance(0)`.
    pub fn next_wakeup(&self) -> Option<i64> {
        let next_timer = self.timers.keys().next().map(|(at, _)| *at);
        [
            self.network.next_delivery(),
            next_timer,
            self.next_consumer_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Takes the events since the last call, oldest first.
    pub fn poll_events(&mut self) -> Vec<ClusterEvent> {
        std::mem::take(&mut self.events)
    }

    /// Takes the produce outcomes clients received since the last call.
    pub fn poll_outcomes(&mut self) -> Vec<ProduceOutcome> {
        std::mem::take(&mut self.outcomes)
    }

    /// The controller's registration of a partition.
    pub fn registration(&self, topic: &str, partition: u32) -> Option<&PartitionRegistration> {
        self.controller
            .partitions
            .get(&(topic.to_owned(), partition))
    }

    /// Every partition, as (topic, partition).
    pub fn partitions(&self) -> Vec<(String, u32)> {
        self.controller.partitions.keys().cloned().collect()
    }

    /// A broker's replica of a partition: its log and role, when the broker is running.
    pub fn replica(
        &self,
        broker: u32,
        topic: &str,
        partition: u32,
    ) -> Option<(&PartitionLog, ReplicaRole)> {
        let node = self.brokers.get(broker as usize)?;
        if !node.alive {
            return None;
        }
        node.replica(topic, partition)
    }

    /// Whether the broker is running.
    pub fn is_alive(&self, broker: u32) -> bool {
        self.brokers.get(broker as usize).is_some_and(|b| b.alive)
    }

    /// Whether the controller has fenced the broker.
    pub fn is_fenced(&self, broker: u32) -> bool {
        self.controller
            .brokers
            .get(&broker)
            .is_none_or(|r| r.fenced)
    }

    /// Messages delivered and dropped by the network so far.
    pub fn network_counts(&self) -> (u64, u64) {
        (self.network.delivered(), self.network.dropped())
    }

    /// The messages on the network now, soonest delivery first: (delivery time, send
    /// sequence number, envelope). Read-only, for drawing them.
    pub fn messages_in_flight(
        &self,
    ) -> impl Iterator<Item = (i64, u64, &network::Envelope<Message>)> {
        self.network.messages_in_flight()
    }

    /// Whether nodes `a` and `b` can talk (no cut between them).
    pub fn is_connected(&self, a: NodeId, b: NodeId) -> bool {
        self.network.connected(a, b)
    }

    /// The extra latency on every message to or from `node` (0: not slowed).
    pub fn slowdown(&self, node: NodeId) -> i64 {
        self.network.slowdown(node)
    }
}
