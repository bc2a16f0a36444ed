//! The KRaft controller as its own state machine: broker registrations and sessions, topics and
//! partition registrations (replicas, ISR, leader and epochs), each broker's numbered metadata
//! stream, elections and KIP-455 reassignments.
//!
//! The controller owns no network and no clock: `Controller::handle` takes `now` and one
//! `ControllerInput` (a broker's message, or the session check), commands change its state
//! directly, and everything it wants done comes out as `ControllerOutput`s, in order, which
//! the cluster drains with `Controller::drain_outputs` after each call and routes (messages
//! onto the network, events to the host, ISR expansions to the audit). It never reads broker
//! state: what it knows of brokers arrives in heartbeats and AlterPartition requests.
//!
//! - `registration.rs` — Kafka's `PartitionRegistration` and election rules.
//! - `handle.rs` — inputs: heartbeats (sessions, re-registration, resync, and `wantShutDown`:
//!   KRaft's controlled shutdown), AlterPartition, the session check that fences one stale
//!   broker, and re-election.
//! - `topic_ids.rs` — topic ids, config overrides and deleted topics.
//! - `commands.rs` — the admin side: placing and registering partitions, reassignment,
//!   preferred election, topic deletion, metadata publication.
//! - `watched.rs` — the cluster holds the controller as `Watched<Controller>`, which counts
//!   mutable borrows: the metadata snapshot is re-encoded only after one.

mod commands;
mod handle;
pub(crate) mod registration;
mod topic_ids;
mod watched;

use std::collections::BTreeMap;

pub use registration::{BrokerRegistration, ElectionReason, PartitionRegistration, Registrations};

use super::message::Message;
pub(crate) use topic_ids::TopicAdminState;
pub(crate) use watched::Watched;

use super::config::ClusterConfig;
use super::event::ClusterEvent;
use crate::config::TopicConfig;

/// What the controller hands to the cluster to be done, in the order it happened.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ControllerOutput {
    /// A message to one broker (metadata, a deletion, an AlterPartition rejection).
    Send {
        /// The receiving broker.
        broker: u32,
        /// The message.
        message: Message,
    },
    /// Something the host should hear of (fencing, elections, ISR changes, reassignment).
    Event(ClusterEvent),
    /// Replicas joined a partition's ISR: the checker audits the join against the brokers'
    /// actual logs (`audit.rs`), which only the cluster can read.
    IsrExpanded {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The replicas that joined.
        joined: Vec<u32>,
    },
}

/// What arrives at the controller.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ControllerInput {
    /// A message from a broker (heartbeat or AlterPartition; others are ignored).
    Message {
        /// The sending broker.
        from: u32,
        /// The message.
        message: Message,
    },
    /// The periodic session check (every half heartbeat interval): fence at most one broker
    /// whose session expired (Kafka's `maybeFenceOneStaleBroker`).
    SessionCheck,
}

/// The controller's state. See the module docs.
#[derive(Clone, Debug)]
pub(crate) struct Controller {
    /// The cluster's broker count (ids `0..brokers`).
    broker_count: u32,
    /// `broker.session.timeout.ms`.
    session_timeout_ms: i64,
    /// Every broker's registration.
    pub(crate) brokers: BTreeMap<u32, BrokerRegistration>,
    /// Metadata messages sent to each broker so far.
    metadata_seq: BTreeMap<u32, u64>,
    /// What `metadata_seq` was at each broker's previous heartbeat.
    seq_at_last_heartbeat: BTreeMap<u32, u64>,
    /// The newest AlterPartition proposal handled per (partition, broker, broker epoch).
    proposals_seen: BTreeMap<((String, u32), u32, u64), u64>,
    /// Every partition's registration.
    pub(crate) partitions: Registrations,
    /// Every topic's partition count and config.
    pub(crate) topics: BTreeMap<String, (u32, TopicConfig)>,
    /// Topic ids, config overrides and deleted topics (`topic_admin.rs`).
    pub(crate) admin: TopicAdminState,
    /// Brokers in controlled shutdown (Kafka's `controlledShutdownOffset` >= 0): unfenced,
    /// but neither leaders nor in-sync replicas nor placed on, until the controller grants
    /// the shutdown.
    controlled_shutdowns: BTreeMap<u32, ControlledShutdown>,
    /// The metadata message each broker last reported having (with every one before it) in
    /// its heartbeat, for its current incarnation.
    reported_seq: BTreeMap<u32, u64>,
    /// What is still to be drained, oldest first.
    outputs: Vec<ControllerOutput>,
}

/// A broker's controlled shutdown at the controller: the metadata every other active broker
/// must have before the shutting-down one may stop (Kafka's `controlledShutdownOffset`, here
/// per broker: each has its own numbered metadata stream).
#[derive(Clone, Debug, Default)]
struct ControlledShutdown {
    /// `(broker, broker epoch, metadata message)`: that incarnation must report having it.
    caught_up_to: Vec<(u32, u64, u64)>,
}

impl Controller {
    /// A controller for `config.brokers` brokers, each registered (unfenced, broker epoch 1,
    /// last heard at `now`).
    pub(crate) fn new(config: &ClusterConfig, now: i64) -> Self {
        let brokers = (0..config.brokers)
            .map(|broker| {
                let registration = BrokerRegistration {
                    last_heartbeat: now,
                    fenced: false,
                    broker_epoch: 1,
                };
                (broker, registration)
            })
            .collect();
        Self {
            broker_count: config.brokers,
            session_timeout_ms: config.session_timeout_ms,
            brokers,
            metadata_seq: BTreeMap::new(),
            seq_at_last_heartbeat: BTreeMap::new(),
            proposals_seen: BTreeMap::new(),
            partitions: Registrations::new(),
            topics: BTreeMap::new(),
            admin: TopicAdminState::default(),
            controlled_shutdowns: BTreeMap::new(),
            reported_seq: BTreeMap::new(),
            outputs: Vec::new(),
        }
    }

    /// Takes every output since the last drain, oldest first.
    pub(crate) fn drain_outputs(&mut self) -> Vec<ControllerOutput> {
        std::mem::take(&mut self.outputs)
    }

    fn send(&mut self, broker: u32, message: Message) {
        debug_assert!(
            broker < self.broker_count,
            "the controller sends to known brokers"
        );
        self.outputs
            .push(ControllerOutput::Send { broker, message });
    }

    fn event(&mut self, event: ClusterEvent) {
        self.outputs.push(ControllerOutput::Event(event));
    }

    /// Whether `broker` is registered, not fenced and not in controlled shutdown: it may lead
    /// and be in sync (Kafka's active brokers).
    pub(crate) fn is_active(&self, broker: u32) -> bool {
        usable(&self.brokers, &self.controlled_shutdowns, broker)
    }

    /// Whether `broker` is in controlled shutdown (it asked to shut down and still leads
    /// something, or other brokers have not yet learned the leaders that replaced it).
    pub(crate) fn in_controlled_shutdown(&self, broker: u32) -> bool {
        self.controlled_shutdowns.contains_key(&broker)
    }

    /// The broker epoch the controller knows for `broker` (0: unknown).
    pub(crate) fn broker_epoch(&self, broker: u32) -> u64 {
        self.brokers.get(&broker).map_or(0, |r| r.broker_epoch)
    }

    /// The leader of a partition, as registered.
    pub(crate) fn leader_of(&self, topic: &str, partition: u32) -> Option<u32> {
        self.partitions
            .get(&(topic.to_owned(), partition))
            .and_then(|p| p.leader)
    }

    /// Asserts what must hold of a partition's registration after a change
    /// ([`PartitionRegistration::check_invariants`]), and that its replicas are brokers of
    /// this cluster and its topic exists.
    fn check_partition(&self, key: &(String, u32)) {
        let Some(registration) = self.partitions.get(key) else {
            return;
        };
        registration.check_invariants();
        assert!(
            registration.replicas.iter().all(|r| *r < self.broker_count),
            "{key:?}: replicas are brokers of this cluster"
        );
        debug_assert!(
            self.topics.contains_key(&key.0),
            "{key:?}: a registered partition's topic exists"
        );
    }
}

/// Whether `broker` may lead, be in sync and be placed on: registered, not fenced, not in
/// controlled shutdown. A free function so closures can borrow these two fields while a
/// partition registration is borrowed mutably.
fn usable(
    brokers: &BTreeMap<u32, BrokerRegistration>,
    controlled_shutdowns: &BTreeMap<u32, ControlledShutdown>,
    broker: u32,
) -> bool {
    brokers.get(&broker).is_some_and(|r| !r.fenced) && !controlled_shutdowns.contains_key(&broker)
}
