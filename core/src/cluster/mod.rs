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
//!
//! # Shape
//! [`Cluster`] is a router, the timer table and the command facade. The state machines it
//! routes between own their state and talk only through data:
//! - `controller/` — the KRaft controller: `Controller::handle(now, ControllerInput)` queues
//!   `ControllerOutput`s (messages to brokers, events, ISR expansions to audit);
//! - `node/` — a broker: `BrokerNode::handle(now, config, Input, &mut outputs)` for its
//!   messages and timers, `node::Output`s routed in order by `route_broker_outputs`;
//! - `groups.rs` — each broker's group coordinator and the consumer clients;
//! - `producer.rs` — producer clients; `network.rs` — messages in flight; `timer.rs` — the
//!   timer table, each timer a [`WakeReason`] a host can show ([`Cluster::next_wakeup_reason`]).
//!
//! Commands: `partition_admin.rs` (create topics and partitions, delete records, reassign,
//! elect), `topic_admin.rs` (delete topics, configs, offsets, views), `faults.rs` (kill,
//! restart, shutdown, network faults), `group_admin.rs`, `persist.rs`, `audit.rs`.
//!
//! # Limits
//! Every queue is bounded and asserted: [`MESSAGES_IN_FLIGHT_MAX`] messages in flight,
//! [`TIMERS_MAX`] pending timers, [`STEPS_AT_ONE_INSTANT_MAX`] steps of `advance` without
//! time moving. Each is far above what the cluster's shape produces; crossing one is an engine
//! bug (a leak or a livelock) and panics rather than exhaust memory or spin.

mod audit;
pub(crate) mod bug;
mod config;
pub mod controller;
mod event;
mod faults;
mod group_admin;
mod groups;
mod key_moves;
pub mod message;
pub mod network;
mod node;
mod partition_admin;
pub mod persist;
mod producer;
mod timer;
mod topic_admin;

use std::collections::BTreeMap;

pub use audit::Audit;
pub use bug::InjectedBug;
pub use config::ClusterConfig;
pub use controller::{ElectionReason, PartitionRegistration};
pub use event::ClusterEvent;
pub use group_admin::{PartitionLag, ResetTarget};
pub use groups::OFFSETS_TOPIC;
pub use message::{Acks, FetchBody, Message, PartitionMetadata, TopicDeletion};
pub use network::{Latency, NodeId};
pub use node::{CONTROLLED_SHUTDOWN_TIMEOUT_MS, ReplicaRole};
pub use persist::{ClusterImage, ClusterRecoveryError, ClusterStorageOp};
pub use producer::ProduceOutcome;
pub use timer::{TIMERS_MAX, WakeReason, Wakeup};
pub use topic_admin::{PartitionInfo, PartitionOffsets, TopicMetadata};

use crate::error::ErrorCode;
use crate::log::PartitionLog;
use crate::prng::Prng;
use controller::{Controller, ControllerInput, ControllerOutput, Watched};
use network::Network;
use node::BrokerNode;
use producer::ClientState;
use timer::{Timer, TimerSlot, TimerTable};

/// Kafka's largest broker count rill simulates.
pub const BROKERS_MAX: u32 = 64;

/// The most messages and timers [`Cluster::advance`] runs at one instant of cluster time.
/// Every exchange takes at least the network's latency, or parks at the leader until data or
/// its wait ends, so work at one instant is bounded by the cluster's shape (a few thousand
/// steps for 64 brokers with thousands of partitions); more is a livelock, and the cluster
/// stops rather than spin without end.
pub const STEPS_AT_ONE_INSTANT_MAX: u32 = 1_000_000;

pub use network::MESSAGES_IN_FLIGHT_MAX;

/// The most each bounded queue of a cluster ever held ([`Cluster::queue_peaks`]), to compare
/// with its limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueuePeaks {
    /// Messages in flight at once (limit [`MESSAGES_IN_FLIGHT_MAX`]).
    pub messages_in_flight: usize,
    /// Timers pending at once (limit [`TIMERS_MAX`]).
    pub timers: usize,
    /// Steps of [`Cluster::advance`] at one instant (limit [`STEPS_AT_ONE_INSTANT_MAX`]).
    pub steps_at_one_instant: u32,
}

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

/// A simulated Kafka cluster. See the module docs.
#[derive(Clone, Debug)]
pub struct Cluster {
    config: ClusterConfig,
    now: i64,
    prng: Prng,
    network: Network<Message>,
    timers: TimerTable,
    /// The most steps `advance` ran at one instant (see [`QueuePeaks`]).
    peak_steps_at_instant: u32,
    controller: Watched<Controller>,
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
            peak_steps_at_instant: 0,
            controller: Watched::new(Controller::new(&config, now)),
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

    /// Schedules `timer`; a cancellable one replaces the pending timer of its slot.
    fn schedule(&mut self, at: i64, timer: Timer) {
        debug_assert!(at >= self.now, "a timer is never scheduled in the past");
        self.timers.schedule(at, timer);
    }

    /// Cancels the pending timer of `slot`, if any: what it waited for happened.
    pub(super) fn cancel(&mut self, slot: TimerSlot) {
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
                self.peak_steps_at_instant = self.peak_steps_at_instant.max(steps_at_instant);
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

    /// Runs a timer: broker timers become the broker's input, the rest are the cluster's.
    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::Heartbeat(broker) => self.broker_input(broker, node::Input::Heartbeat),
            Timer::ControllerCheck => {
                self.controller
                    .handle(self.now, ControllerInput::SessionCheck);
                self.drain_controller();
                let next = self.now + self.config.heartbeat_interval_ms / 2;
                self.schedule(next, Timer::ControllerCheck);
            }
            Timer::IsrExpiration(broker) => self.broker_input(broker, node::Input::IsrExpiration),
            Timer::ReleaseFetch {
                broker,
                topic,
                partition,
                follower,
            } => self.broker_input(
                broker,
                node::Input::ParkedFetchWait {
                    topic,
                    partition,
                    follower,
                },
            ),
            Timer::RetryFetch {
                broker,
                topic,
                partition,
            } => self.broker_input(broker, node::Input::RetryFetch { topic, partition }),
            Timer::ShutdownTimeout {
                broker,
                broker_epoch,
            } => self.broker_input(broker, node::Input::ShutdownTimeout { broker_epoch }),
            Timer::ClientTimeout { client, request } => {
                self.producer_request_timed_out(client, request);
            }
            Timer::FetchTimeout {
                broker,
                topic,
                partition,
                seq,
            } => self.broker_input(
                broker,
                node::Input::FetchTimeout {
                    topic,
                    partition,
                    seq,
                },
            ),
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
            } => self.broker_input(
                broker,
                node::Input::ConsumerFetchWait {
                    topic,
                    partition,
                    client,
                    request,
                },
            ),
            Timer::ConsumerRequestTimeout { client, request } => {
                self.consumer_request_timed_out(client, request);
            }
            Timer::ProduceTimeout {
                broker,
                topic,
                partition,
                request,
            } => self.broker_input(
                broker,
                node::Input::ProduceTimeout {
                    topic,
                    partition,
                    request,
                },
            ),
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
                        if !self.brokers[broker as usize].alive {
                            self.refuse_consumer_message(client, &message);
                        } else if let Message::Group {
                            request,
                            client_id,
                            body,
                        } = message
                        {
                            self.group_request(broker, client, request, &client_id, body);
                        } else {
                            self.broker_receive(broker, from, message);
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

    /// A message reaches a running broker.
    fn broker_receive(&mut self, broker: u32, from: NodeId, message: Message) {
        self.broker_input(broker, node::Input::Message { from, message });
    }

    /// A broker handles one input, and its outputs are routed.
    pub(crate) fn broker_input(&mut self, broker: u32, input: node::Input) {
        let mut outputs = Vec::new();
        self.brokers[broker as usize].handle(self.now, &self.config, input, &mut outputs);
        self.route_broker_outputs(broker, outputs);
    }

    /// Does what a broker asked for, in order.
    pub(crate) fn route_broker_outputs(&mut self, broker: u32, outputs: Vec<node::Output>) {
        // The log changes the broker made while handling the input come first: a view
        // sees a record appended before the high watermark passes it.
        self.take_log_events(broker);
        for output in outputs {
            match output {
                node::Output::Send { to, message } => {
                    self.send(NodeId::Broker(broker), to, message);
                }
                node::Output::Event(event) => self.events.push(event),
                node::Output::Schedule { at, timer } => self.schedule(at, timer),
                node::Output::Cancel(slot) => self.cancel(slot),
                node::Output::Acknowledged {
                    topic,
                    partition,
                    offsets,
                } => self.audit_ack(broker, &topic, partition, offsets),
                node::Output::CoordinatorAppended { append, result } => {
                    self.coordinator_append_done(broker, append, result);
                }
                node::Output::ReleaseParkedFetches { topic, partition } => {
                    let mut released = Vec::new();
                    self.brokers[broker as usize].release_parked_fetches(
                        &topic,
                        partition,
                        None,
                        &mut released,
                    );
                    self.route_broker_outputs(broker, released);
                }
                node::Output::Stop { controlled } => {
                    let stopped = self.stop_broker(broker, controlled);
                    debug_assert!(stopped.is_ok(), "a broker stops itself while running");
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
    pub(crate) fn take_log_events(&mut self, broker: u32) {
        let events = self.brokers[broker as usize].take_events();
        self.events.extend(events);
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
        // The times only: hosts call this at every step, and a reason allocates.
        [
            self.network.next_delivery(),
            self.timers.first().map(|(at, _)| at),
            self.next_consumer_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
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

    /// How many messages are in flight now.
    pub fn messages_in_flight_count(&self) -> usize {
        self.network.in_flight()
    }

    /// The most each bounded queue ever held since this cluster was created (or recovered).
    pub fn queue_peaks(&self) -> QueuePeaks {
        QueuePeaks {
            messages_in_flight: self.network.peak_in_flight(),
            timers: self.timers.peak(),
            steps_at_one_instant: self.peak_steps_at_instant,
        }
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
