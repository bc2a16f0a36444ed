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
mod event;
mod group_admin;
mod groups;
mod key_moves;
pub mod message;
pub mod network;
mod node;
pub mod persist;
mod timer;
mod topic_admin;

use std::collections::BTreeMap;

pub use audit::{Audit, InjectedBug};
pub use controller::{ElectionReason, PartitionRegistration};
pub use event::ClusterEvent;
pub use group_admin::{PartitionLag, ResetTarget};
pub use groups::OFFSETS_TOPIC;
pub use message::{Acks, FetchBody, Message, PartitionMetadata, TopicDeletion};
pub use network::{Latency, NodeId};
pub use node::ReplicaRole;
pub use persist::{ClusterImage, ClusterRecoveryError, ClusterStorageOp};
pub use timer::{TIMERS_MAX, WakeReason, Wakeup};
pub use topic_admin::{PartitionInfo, PartitionOffsets, TopicMetadata};

use crate::config::TopicConfig;
use crate::error::{AdminError, CreateTopicError, ErrorCode};
use crate::log::PartitionLog;
use crate::prng::Prng;
use crate::record::NewRecord;
use crate::topic::{names_collide, validate_topic_name};
use controller::{Controller, ControllerInput, ControllerOutput};
use network::Network;
use node::BrokerNode;
use timer::{Timer, TimerSlot, TimerTable};

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

/// The most messages and timers [`Cluster::advance`] runs at one instant of cluster time.
/// Every exchange takes at least the network's latency, or parks at the leader until data or
/// its wait ends, so work at one instant is bounded by the cluster's shape (a few thousand
/// steps for 64 brokers with thousands of partitions); more is a livelock, and the cluster
/// stops rather than spin without end.
pub const STEPS_AT_ONE_INSTANT_MAX: u32 = 1_000_000;

pub use network::MESSAGES_IN_FLIGHT_MAX;

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

#[derive(Clone, Debug, Default)]
struct ClientState {
    /// Believed leader per partition, refreshed from the controller on errors.
    leaders: BTreeMap<(String, u32), Option<u32>>,
    pending: BTreeMap<u64, (String, u32, Acks)>,
}

/// A simulated Kafka cluster. See the module docs.
#[derive(Clone, Debug)]
pub struct Cluster {
    config: ClusterConfig,
    now: i64,
    prng: Prng,
    network: Network<Message>,
    timers: TimerTable,
    controller: Controller,
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
            timers: TimerTable::default(),
            controller: Controller::new(&config, now),
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
        debug_assert!(at >= self.now, "a timer is never scheduled in the past");
        self.timers.schedule(at, timer);
    }

    /// Cancels the pending timer of `slot`, if any: what it waited for happened.
    fn cancel(&mut self, slot: TimerSlot) {
        self.timers.cancel(&slot);
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
        let leader = self.controller.leader_of(topic, partition);
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
    ///
    /// # Panics
    /// When more than [`STEPS_AT_ONE_INSTANT_MAX`] messages and timers run without time
    /// moving (a livelock: nodes answering each other at zero latency forever), or when the
    /// network holds more than [`MESSAGES_IN_FLIGHT_MAX`] messages or the timer table more than
    /// [`TIMERS_MAX`] timers. These are broken engine invariants, not user errors.
    pub fn advance(&mut self, ms: i64) {
        assert!(ms >= 0, "time only moves forward");
        let target = self.now + ms;
        self.touch_consumers();
        let mut instant = self.now;
        let mut steps_at_instant: u32 = 0;
        loop {
            self.pump_consumers();
            let next_message = self.network.next_delivery();
            let next_timer = self.timers.first().map(|(at, _)| at);
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
            if self.now == instant {
                steps_at_instant += 1;
                assert!(
                    steps_at_instant <= STEPS_AT_ONE_INSTANT_MAX,
                    "more than STEPS_AT_ONE_INSTANT_MAX ({STEPS_AT_ONE_INSTANT_MAX}) steps at \
                     time {instant} without time moving: a livelock"
                );
            } else {
                debug_assert!(self.now > instant, "time only moves forward");
                instant = self.now;
                steps_at_instant = 1;
            }
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
            let timer = self
                .timers
                .pop_due(self.now)
                .expect("the earliest timer is due: it was just read as `next`");
            self.fire(timer);
        }
        debug_assert!(self.now <= target, "advance never runs past its target");
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
                self.controller
                    .handle(self.now, ControllerInput::SessionCheck);
                self.drain_controller();
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

    /// A message reaches the controller: it handles it, and its outputs are routed.
    fn controller_receive(&mut self, from: NodeId, message: Message) {
        // Only brokers talk to the controller.
        if let NodeId::Broker(from) = from {
            let input = ControllerInput::Message { from, message };
            self.controller.handle(self.now, input);
            self.drain_controller();
        }
    }

    /// Routes what the controller asked for, in order: messages onto the network, events to
    /// the host, ISR expansions to the audit.
    fn drain_controller(&mut self) {
        for output in self.controller.drain_outputs() {
            match output {
                ControllerOutput::Send { broker, message } => {
                    self.send(NodeId::Controller, NodeId::Broker(broker), message);
                }
                ControllerOutput::Event(event) => self.events.push(event),
                ControllerOutput::IsrExpanded {
                    topic,
                    partition,
                    joined,
                } => self.audit_isr_expansion(&topic, partition, &joined),
            }
        }
    }

    /// A message reaches a running broker: it handles it, and its outputs are routed.
    fn broker_receive(&mut self, broker: u32, from: NodeId, message: Message) {
        let mut outputs = Vec::new();
        let input = node::Input::Message { from, message };
        self.brokers[broker as usize].handle(self.now, &self.config, input, &mut outputs);
        self.route_broker_outputs(broker, outputs);
    }

    /// Does what a broker asked for, in order.
    fn route_broker_outputs(&mut self, broker: u32, outputs: Vec<node::Output>) {
        // The log changes the broker made while handling the input come first: a view
        // sees a record appended before the high watermark passes it.
        self.take_log_events(broker);
        for output in outputs {
            match output {
                node::Output::Send { to, message } => {
                    self.send(NodeId::Broker(broker), to, message)
                }
                node::Output::Event(event) => self.events.push(event),
                node::Output::Schedule { at, timer } => self.schedule(at, timer),
                node::Output::HighWatermark {
                    topic,
                    partition,
                    high_watermark,
                } => self.record_hw(broker, &topic, partition, Some(high_watermark)),
                node::Output::ProducesCompleted {
                    topic,
                    partition,
                    completed,
                } => self.answer_produces(broker, &topic, partition, completed),
                node::Output::ProducesFailed(failed) => self.fail_produces(broker, failed),
                node::Output::ConsumerFetchesFailed(failed) => {
                    self.send_consumer_fetches(broker, failed);
                }
                node::Output::ReleaseParkedFetches { topic, partition } => {
                    let responses = self.brokers[broker as usize]
                        .release_parked_fetches(&topic, partition, self.now, None);
                    self.deliver_fetch_responses(broker, responses);
                }
                node::Output::StartFetch { topic, partition } => {
                    self.start_fetch(broker, &topic, partition);
                }
                node::Output::OffsetsLeadership {
                    partition,
                    became_leader,
                    lost_leadership,
                } => self.offsets_leadership_changed(
                    broker,
                    partition,
                    became_leader,
                    lost_leadership,
                ),
            }
        }
    }

    /// Moves the events of `broker`'s log changes (appends, rolls, retention, log start moves)
    /// into the cluster's, right after the call that made them.
    fn take_log_events(&mut self, broker: u32) {
        let events = self.brokers[broker as usize].take_events();
        self.events.extend(events);
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
        self.controller.fence_for_shutdown(broker);
        self.drain_controller();
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
        self.next_wakeup_reason().map(|wakeup| wakeup.at_ms)
    }

    /// [`Cluster::next_wakeup`] with its reason: the first thing [`Cluster::advance`] runs then
    /// (a message before a timer due at the same time, a consumer's own deadline last).
    pub fn next_wakeup_reason(&self) -> Option<Wakeup> {
        let message = self.network.first_in_flight().map(|(at, envelope)| Wakeup {
            at_ms: at,
            reason: WakeReason::Delivery {
                from: envelope.from,
                to: envelope.to,
                message: envelope.message.name(),
            },
        });
        let timer = self.timers.first().map(|(at, timer)| Wakeup {
            at_ms: at,
            reason: timer.reason(),
        });
        let consumer = self.next_consumer_wake().map(|(at, client)| Wakeup {
            at_ms: at,
            reason: WakeReason::Consumer { client },
        });
        // `min_by_key` keeps the first of equal ones: messages, then timers, then consumers.
        [message, timer, consumer]
            .into_iter()
            .flatten()
            .min_by_key(|wakeup| wakeup.at_ms)
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

    /// Whether nodes `a` and `b` can talk (no cut between them).
    pub fn is_connected(&self, a: NodeId, b: NodeId) -> bool {
        self.network.connected(a, b)
    }

    /// The extra latency on every message to or from `node` (0: not slowed).
    pub fn slowdown(&self, node: NodeId) -> i64 {
        self.network.slowdown(node)
    }
}
