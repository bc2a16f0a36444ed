//! [`World`]: a [`Cluster`], the simulated client applications on it (producers at a rate,
//! consumer-group members that poll, process and commit), and the history of what was done to
//! it. A session is its [`WorldConfig`] plus that history: [`replay`] rebuilds the world at any
//! time, and [`World::state_hash`] proves two worlds equal.

use std::collections::BTreeMap;

use super::apps::{
    CommitOrigin, GroupTracker, MemberApp, MemberStatus, ProducerApp, ProducerStats,
};
use super::command::{CONSOLE_PRODUCER, Command, CommandError, MemberSpec, ProducerSpec};
use super::sender::Sender;
use crate::cluster::{Cluster, ClusterConfig, ClusterError, ClusterEvent, NodeId, ProduceOutcome};
use crate::consumer::{ConsumerError, ConsumerEvent};
use crate::error::ErrorCode;
use crate::group::TopicPartition;
use crate::partitioner::{Partitioner, PartitionerConfig};

/// When a world's clock starts: 2024-01-01T00:00:00Z, in ms since the epoch (record timestamps
/// and `--to-datetime` use this clock).
pub const START_MS: i64 = 1_704_067_200_000;

/// Client ids of the world's applications start here; a host that adds its own clients through
/// [`World::cluster_mut`] uses ids below it.
pub const APP_CLIENT_BASE: u32 = 1 << 20;

/// How many steps one [`World::advance`] may take at most before it gives up on stepping one
/// wake-up at a time and moves the cluster straight to the target (a bound, never reached by a
/// session a person runs: a step is a message delivery or a timer).
pub const STEPS_PER_ADVANCE_MAX: u64 = 50_000_000;

/// Everything a world is made from besides its history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldConfig {
    /// The cluster's shape, seed, latency and Kafka timings.
    pub cluster: ClusterConfig,
}

impl WorldConfig {
    /// `brokers` brokers, `seed`, Kafka's default timings, 1–3 ms latency.
    pub fn new(brokers: u32, seed: u64) -> Self {
        Self {
            cluster: ClusterConfig::new(brokers, seed),
        }
    }
}

impl Default for WorldConfig {
    /// 3 brokers, seed 0.
    fn default() -> Self {
        Self::new(3, 0)
    }
}

/// What an accepted command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Done; nothing more to report.
    Done,
    /// A record was sent (or queued behind the partition's request in flight); its outcome
    /// arrives as a [`WorldEvent::Produced`] or [`WorldEvent::ProduceFailed`].
    Produced {
        /// The partition it went to.
        partition: u32,
    },
    /// Time moved to `now`.
    Advanced {
        /// The world's time now.
        now: i64,
    },
    /// An application started as network client `client`.
    Started {
        /// Its client id.
        client: u32,
    },
    /// New log start offsets (`kafka-delete-records`).
    RecordsDeleted(Vec<(TopicPartition, i64)>),
    /// The group's new committed offsets (`--reset-offsets`).
    OffsetsReset(Vec<(TopicPartition, i64)>),
    /// Each partition's election result (`kafka-leader-election`).
    Elected(Vec<(TopicPartition, Result<(), ErrorCode>)>),
    /// An `expect` was evaluated (it may have failed: see `passed`).
    Checked(ExpectOutcome),
}

/// The result of one `expect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectOutcome {
    /// Whether it held.
    pub passed: bool,
    /// The operator and value expected, e.g. `== [0, 1, 2]`.
    pub expected: String,
    /// What the world has, e.g. `[0, 1]`, or why there is nothing to compare
    /// (`UNKNOWN_TOPIC_OR_PARTITION`).
    pub actual: String,
}

/// Something a group member did or that happened to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberEvent {
    /// Its consumer started as client `client` (a join or a restart).
    Started {
        /// The network client id.
        client: u32,
    },
    /// A poll returned records: per partition, the first and last offset and the count.
    Polled {
        /// `(partition, first offset, last offset, records)`.
        batches: Vec<(TopicPartition, i64, i64, usize)>,
    },
    /// A poll failed (e.g. `NoOffsetForPartitionException` with `auto.offset.reset=none`).
    PollFailed {
        /// The consumer's error.
        error: ConsumerError,
    },
    /// The member finished processing these records of a partition.
    Processed {
        /// The partition.
        partition: TopicPartition,
        /// Their offsets.
        offsets: Vec<i64>,
    },
    /// A commit finished.
    Committed {
        /// How it came about.
        origin: CommitOrigin,
        /// The committed positions.
        offsets: Vec<(TopicPartition, i64)>,
        /// Its outcome.
        result: Result<(), ConsumerError>,
    },
    /// JoinGroup succeeded.
    Joined {
        /// The generation.
        generation: i32,
        /// The member id the coordinator gave.
        member_id: String,
        /// Whether this member leads the group.
        leader: bool,
        /// The chosen assignor.
        protocol: String,
    },
    /// `onPartitionsAssigned`.
    Assigned {
        /// The partitions.
        partitions: Vec<TopicPartition>,
    },
    /// `onPartitionsRevoked`.
    Revoked {
        /// The partitions.
        partitions: Vec<TopicPartition>,
    },
    /// `onPartitionsLost`.
    Lost {
        /// The partitions.
        partitions: Vec<TopicPartition>,
    },
    /// A partition's position was reset (`auto.offset.reset`, a seek).
    OffsetReset {
        /// The partition.
        partition: TopicPartition,
        /// The new position.
        offset: i64,
    },
    /// The member left the group (LeaveGroup, or `max.poll.interval.ms` passed).
    LeftGroup {
        /// Why.
        reason: String,
    },
    /// The coordinator stopped answering.
    CoordinatorUnknown {
        /// Why.
        reason: String,
    },
    /// The member was told to leave and is closing.
    Leaving,
    /// `close` finished.
    Closed,
    /// Its process died.
    Crashed,
    /// It was cut off from the cluster.
    CutOff,
}

/// Something that happened in a world, for views and traces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorldEvent {
    /// The cluster's own event.
    Cluster(ClusterEvent),
    /// The outcome of a produce sent by a client the host drives itself (through
    /// [`World::cluster_mut`]).
    ClientOutcome(ProduceOutcome),
    /// A producer's records were acknowledged.
    Produced {
        /// The producer (`console` for hand-made records).
        producer: String,
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// First and last offset (`None` for `acks=0`: the producer learns no offset).
        offsets: Option<(i64, i64)>,
        /// How many records.
        count: u32,
    },
    /// A producer's records failed.
    ProduceFailed {
        /// The producer.
        producer: String,
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// How many records.
        count: u32,
        /// Kafka's error.
        error: ErrorCode,
    },
    /// A group member's event.
    Member {
        /// `group.id`.
        group: String,
        /// The member.
        member: String,
        /// What happened.
        event: MemberEvent,
    },
    /// A record the group had processed was processed again.
    Duplicate {
        /// `group.id`.
        group: String,
        /// The member that processed it again.
        member: String,
        /// The partition.
        partition: TopicPartition,
        /// The offset.
        offset: i64,
    },
    /// The group committed past a record in the log that none of its members processed.
    Skipped {
        /// `group.id`.
        group: String,
        /// The partition.
        partition: TopicPartition,
        /// The offset.
        offset: i64,
    },
}

/// A member application as views show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberView<'a> {
    /// Its configs and behaviour as joined.
    pub spec: &'a MemberSpec,
    /// `running`, `cut-off`, `leaving`, `left` or `crashed`.
    pub status: &'static str,
    /// Its consumer's client id while its process runs.
    pub client: Option<u32>,
    /// Its processing time per record now (`consumer slow` changes it).
    pub processing_ms: i64,
    /// When the batch it is processing is done, while it processes one.
    pub busy_until: Option<i64>,
}

/// A producer application as views show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerView<'a> {
    /// What it sends.
    pub spec: &'a ProducerSpec,
    /// `running`, `paused` or `stopped`.
    pub state: &'static str,
    /// Its network client id.
    pub client: u32,
}

/// Why a history could not be replayed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The config does not make a world.
    #[error("the world's config is invalid: {0}")]
    Config(CommandError),
    /// A recorded command was refused on replay (the history was edited, or is from another
    /// build of rill).
    #[error("history entry {index} (at {at}) was refused on replay: {error}")]
    Refused {
        /// Its index in the history.
        index: usize,
        /// Its time.
        at: i64,
        /// The refusal.
        error: CommandError,
    },
}

/// Why a world wakes up next ([`World::next_wakeup_reason`]).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorldWakeReason {
    /// A command changed the world: the applications act now.
    Changed,
    /// The cluster's own wake-up (a message or a timer).
    Cluster(crate::cluster::WakeReason),
    /// A producer application's next send or retry, by name.
    Producer(String),
    /// The console producer's retry backoff ends.
    ConsoleProducer,
    /// A group member application's next poll or processing step.
    Member {
        /// Its `group.id`.
        group: String,
        /// Its member name.
        member: String,
    },
}

/// A cluster, its applications, and the history of commands applied to it.
///
/// Commands go in through [`World::apply`]; time moves only through [`World::advance`] (or
/// `apply(Command::Advance)`), which steps from wake-up to wake-up ([`World::next_wakeup`]:
/// the cluster's messages and timers, a producer's next send, a member's end of processing or
/// auto-commit), letting the applications act at each. [`World::poll_events`] drains what
/// happened.
#[derive(Clone, Debug)]
pub struct World {
    pub(crate) config: WorldConfig,
    pub(crate) cluster: Cluster,
    pub(crate) producers: BTreeMap<String, ProducerApp>,
    /// Every producer's counters, `console` included, by name.
    pub(crate) producer_stats: BTreeMap<String, ProducerStats>,
    /// The console producer's sender and partitioner.
    pub(crate) console: Sender,
    pub(crate) console_partitioner: Partitioner,
    pub(crate) members: BTreeMap<(String, String), MemberApp>,
    pub(crate) groups: BTreeMap<String, GroupTracker>,
    /// Produce requests of the world's producers: request → producer.
    pub(crate) pending: BTreeMap<u64, String>,
    pub(crate) next_client: u32,
    history: Vec<(i64, Command)>,
    events: Vec<(i64, WorldEvent)>,
    collect_events: bool,
    pub(crate) last_error: Option<CommandError>,
    /// A command (or the host) changed something since the last step: step at `now` next.
    dirty: bool,
    steps: u64,
    /// When the world began (cluster time).
    start_ms: i64,
    /// Whether the cluster's storage ops are kept for a persistent host
    /// ([`World::poll_storage`]) rather than dropped.
    keep_storage: bool,
    /// Storage ops kept for the host since its last [`World::poll_storage`].
    storage: Vec<crate::cluster::ClusterStorageOp>,
}

impl World {
    /// A new world at [`START_MS`].
    ///
    /// # Errors
    /// [`CommandError::InvalidArgument`] when the config makes no cluster (broker count,
    /// latency below 1 ms — at 0 ms a cluster's replication traffic at one instant can run
    /// away —, a timing below 1 ms, `offsets.topic.num.partitions` outside 1..=10000).
    pub fn new(config: WorldConfig) -> Result<Self, CommandError> {
        if config.cluster.latency.base_ms < 1 {
            return Err(CommandError::InvalidArgument(
                "the network latency is at least 1 ms".to_owned(),
            ));
        }
        let cluster = &config.cluster;
        let timings = [
            (
                "broker.heartbeat.interval.ms",
                cluster.heartbeat_interval_ms,
            ),
            ("broker.session.timeout.ms", cluster.session_timeout_ms),
            ("replica.lag.time.max.ms", cluster.replica_lag_time_max_ms),
            (
                "replica.fetch.wait.max.ms",
                cluster.replica_fetch_wait_max_ms,
            ),
            ("replica.fetch.backoff.ms", cluster.replica_fetch_backoff_ms),
            ("request.timeout.ms", cluster.request_timeout_ms),
            (
                "replica.high.watermark.checkpoint.interval.ms",
                cluster.replica_high_watermark_checkpoint_interval_ms,
            ),
            (
                "log.retention.check.interval.ms",
                cluster.log_retention_check_interval_ms,
            ),
        ];
        if let Some((name, value)) = timings.iter().find(|(_, value)| *value < 1) {
            return Err(CommandError::InvalidArgument(format!(
                "{name} is at least 1, got {value}"
            )));
        }
        let partitions = config.cluster.offsets_topic_partitions;
        if !(1..=crate::admin::PARTITIONS_PER_TOPIC_MAX).contains(&partitions) {
            return Err(CommandError::InvalidArgument(format!(
                "offsets.topic.num.partitions is 1 to {}, got {partitions}",
                crate::admin::PARTITIONS_PER_TOPIC_MAX
            )));
        }
        let cluster = Cluster::new(config.cluster.clone(), START_MS)
            .map_err(|e| CommandError::InvalidArgument(e.to_string()))?;
        Ok(Self::around(config, cluster))
    }

    /// A world around an existing cluster — one recovered from a store, or made by a host
    /// with its own start time — at the cluster's time, with no applications and an empty
    /// history. [`replay`] cannot rebuild it from its config (the cluster did not start from
    /// the seed): keep a clone of it as the checkpoint that replays start from
    /// ([`replay_onto`]).
    pub fn from_cluster(cluster: Cluster) -> Self {
        let config = WorldConfig {
            cluster: cluster.config().clone(),
        };
        Self::around(config, cluster)
    }

    fn around(config: WorldConfig, cluster: Cluster) -> Self {
        let console_client = APP_CLIENT_BASE;
        let mut producer_stats = BTreeMap::new();
        producer_stats.insert(CONSOLE_PRODUCER.to_owned(), ProducerStats::default());
        let console_partitioner = Partitioner::with_config(PartitionerConfig {
            seed: crate::prng::splitmix64(config.cluster.seed ^ 0x0063_6f6e_736f_6c65),
            ..PartitionerConfig::default()
        });
        let start_ms = cluster.now();
        Self {
            config,
            cluster,
            producers: BTreeMap::new(),
            producer_stats,
            console: Sender::new(console_client, super::sender::CONSOLE_PRODUCER_RETRIES),
            console_partitioner,
            members: BTreeMap::new(),
            groups: BTreeMap::new(),
            pending: BTreeMap::new(),
            next_client: console_client + 1,
            history: Vec::new(),
            events: Vec::new(),
            collect_events: true,
            last_error: None,
            dirty: true,
            steps: 0,
            start_ms,
            keep_storage: false,
            storage: Vec::new(),
        }
    }

    /// Keeps the cluster's storage ops for [`World::poll_storage`] (a host that persists the
    /// cluster) instead of dropping them (a world lives in memory by default).
    pub fn set_keep_storage(&mut self, keep: bool) {
        self.keep_storage = keep;
    }

    /// Takes the storage ops kept since the last call (empty unless
    /// [`World::set_keep_storage`]), in the order the cluster made them.
    pub fn poll_storage(&mut self) -> Vec<crate::cluster::ClusterStorageOp> {
        self.drain_storage();
        std::mem::take(&mut self.storage)
    }

    // ----- getters -----

    /// The world's config.
    pub fn config(&self) -> &WorldConfig {
        &self.config
    }

    /// The world's time (the cluster's), ms since the epoch.
    pub fn now(&self) -> i64 {
        self.cluster.now()
    }

    /// Milliseconds since the world started.
    pub fn elapsed_ms(&self) -> i64 {
        self.cluster.now() - self.start_ms
    }

    /// When the world started (cluster time): [`START_MS`] for a new world.
    pub fn start_ms(&self) -> i64 {
        self.start_ms
    }

    /// The cluster, to read.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The cluster, to change directly: for hosts that drive their own clients (the JS `Rill`
    /// API) with client ids below [`APP_CLIENT_BASE`]. **What is done through it is not
    /// recorded**: [`replay`] does not reproduce it. Their produce outcomes arrive as
    /// [`WorldEvent::ClientOutcome`]; their consumers are theirs to drive.
    pub fn cluster_mut(&mut self) -> &mut Cluster {
        self.dirty = true;
        &mut self.cluster
    }

    /// Runs what is due at the current time — after a host changed the cluster through
    /// [`World::cluster_mut`] (its requests go out now) — without moving time and without
    /// recording anything.
    pub fn run_due(&mut self) {
        let now = self.cluster.now();
        self.advance_to(now);
    }

    /// The next event of a consumer the host drives itself (through [`World::cluster_mut`]),
    /// without marking the world changed: draining events is not a command.
    pub fn poll_client_consumer_event(&mut self, client: u32) -> Option<ConsumerEvent> {
        self.cluster.consumer_mut(client)?.poll_event()
    }

    /// Every accepted command with the time it was applied, in order. Time moves appear as
    /// `Advance` entries (consecutive ones merged); refused commands and `expect`s are not
    /// recorded (a refused command changed nothing; an `expect` changes nothing).
    pub fn history(&self) -> &[(i64, Command)] {
        &self.history
    }

    /// The error of the last command that was not `advance` or `expect` (`None`: it
    /// succeeded). Not part of [`World::state_hash`]; [`replay`] does not restore it.
    pub fn last_error(&self) -> Option<&CommandError> {
        self.last_error.as_ref()
    }

    /// How many wake-ups the world has stepped through (a cost measure for benchmarks).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The producer applications' names, sorted (`console` not included).
    pub fn producers(&self) -> Vec<String> {
        self.producers.keys().cloned().collect()
    }

    /// The members, as (group, member), sorted.
    pub fn members(&self) -> Vec<(String, String)> {
        self.members.keys().cloned().collect()
    }

    /// A member application, for views.
    pub fn member(&self, group: &str, member: &str) -> Option<MemberView<'_>> {
        let app = self.members.get(&(group.to_owned(), member.to_owned()))?;
        Some(MemberView {
            spec: &app.spec,
            status: app.status.word(app.cut_off),
            client: app.client,
            processing_ms: app.processing_ms,
            busy_until: match &app.activity {
                super::apps::Activity::Processing { .. } => app.next_due(),
                _ => None,
            },
        })
    }

    /// A producer application, for views.
    pub fn producer(&self, name: &str) -> Option<ProducerView<'_>> {
        let app = self.producers.get(name)?;
        Some(ProducerView {
            spec: &app.spec,
            state: app.state_word(),
            client: app.sender.client,
        })
    }

    /// A producer's counters (`console` for hand-made records).
    pub fn producer_stats(&self, producer: &str) -> Option<&ProducerStats> {
        self.producer_stats.get(producer)
    }

    /// Who owned each of a group's partitions when, and the gaps when nobody consumed one
    /// (the group's members' rebalance events, client ids as owners).
    pub fn ownership(&self, group: &str) -> Option<&crate::consumer::OwnershipTimeline> {
        self.groups.get(group).map(|g| &g.timeline)
    }

    /// A group's processing counters: (distinct records processed, duplicates, skipped).
    pub fn group_stats(&self, group: &str) -> Option<(u64, u64, u64)> {
        self.groups
            .get(group)
            .map(|g| (g.processed, g.duplicates, g.skipped))
    }

    // ----- events -----

    /// Whether events are kept for [`World::poll_events`] (default true). A script runner
    /// that reads none turns them off so they do not pile up; cluster events and outcomes are
    /// still drained from the cluster at every step.
    pub fn set_collect_events(&mut self, collect: bool) {
        self.collect_events = collect;
        if !collect {
            self.events.clear();
        }
    }

    /// Takes the events since the last call, oldest first, each with its time.
    pub fn poll_events(&mut self) -> Vec<(i64, WorldEvent)> {
        std::mem::take(&mut self.events)
    }

    pub(crate) fn emit(&mut self, event: WorldEvent) {
        if self.collect_events {
            let now = self.cluster.now();
            self.events.push((now, event));
        }
    }

    pub(crate) fn emit_member(&mut self, key: &(String, String), event: MemberEvent) {
        if self.collect_events {
            self.emit(WorldEvent::Member {
                group: key.0.clone(),
                member: key.1.clone(),
                event,
            });
        }
    }

    // ----- commands -----

    /// Applies `command` at [`World::now`]. A refused command changes nothing and is not
    /// recorded; it becomes [`World::last_error`] (unless it is `advance` or `expect`).
    ///
    /// # Errors
    /// [`CommandError`]: Kafka's error where Kafka has one.
    pub fn apply(&mut self, command: Command) -> Result<Applied, CommandError> {
        let result = command.validate().and_then(|()| self.apply_valid(&command));
        match &command {
            Command::Expect(_) => {}
            Command::Advance { ms } => {
                if result.is_ok() {
                    match self.history.last_mut() {
                        Some((_, Command::Advance { ms: total })) => *total += ms,
                        _ => self.history.push((self.now() - ms, command.clone())),
                    }
                }
            }
            _ => {
                self.last_error = result.as_ref().err().cloned();
                if result.is_ok() {
                    self.history.push((self.now(), command.clone()));
                    self.dirty = true;
                    self.drain_storage();
                }
            }
        }
        result
    }

    /// Moves time forward by `ms` (recorded as `advance`): `apply(Command::Advance { ms })`.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for a negative `ms`.
    pub fn advance(&mut self, ms: i64) -> Result<i64, CommandError> {
        self.apply(Command::Advance { ms })?;
        Ok(self.now())
    }

    fn apply_valid(&mut self, command: &Command) -> Result<Applied, CommandError> {
        let broker_error = |error: ClusterError| match error {
            ClusterError::UnknownBroker(b) => CommandError::UnknownBroker(b),
            ClusterError::BrokerState { broker, state } => {
                CommandError::BrokerState { broker, state }
            }
            other => CommandError::InvalidArgument(other.to_string()),
        };
        match command {
            Command::CreateTopic {
                topic,
                partitions,
                replication_factor,
                configs,
            } => {
                self.cluster
                    .create_topic(topic, *partitions, *replication_factor, configs)
                    .map_err(|e| CommandError::from_kafka(&e))?;
                Ok(Applied::Done)
            }
            Command::DeleteTopic { topic } => {
                self.cluster
                    .delete_topic(topic)
                    .map_err(|e| CommandError::from_kafka(&e))?;
                Ok(Applied::Done)
            }
            Command::CreatePartitions { topic, total } => {
                self.cluster
                    .create_partitions(topic, *total)
                    .map_err(|e| CommandError::from_kafka(&e))?;
                Ok(Applied::Done)
            }
            Command::AlterConfigs { topic, set, delete } => {
                if let Some((name, _)) = set.iter().find(|(name, _)| delete.contains(name)) {
                    return Err(CommandError::kafka(
                        ErrorCode::InvalidRequest,
                        format!("Error due to duplicate config keys: {name}"),
                    ));
                }
                let ops: Vec<crate::admin::AlterConfigOp> = set
                    .iter()
                    .map(|(name, value)| crate::admin::AlterConfigOp::Set {
                        name: name.clone(),
                        value: value.clone(),
                    })
                    .chain(
                        delete
                            .iter()
                            .map(|name| crate::admin::AlterConfigOp::Delete { name: name.clone() }),
                    )
                    .collect();
                self.cluster
                    .alter_configs(topic, &ops)
                    .map_err(|e| CommandError::from_kafka(&e))?;
                Ok(Applied::Done)
            }
            Command::Produce(record) => self.produce_by_hand(record),
            Command::DeleteRecords { partitions } => self.delete_records(partitions),
            Command::KillBroker { broker } => {
                self.cluster.kill_broker(*broker).map_err(broker_error)?;
                Ok(Applied::Done)
            }
            Command::RestartBroker { broker } => {
                self.cluster.restart_broker(*broker).map_err(broker_error)?;
                Ok(Applied::Done)
            }
            Command::ShutdownBroker { broker } => {
                if *broker >= self.config.cluster.brokers {
                    return Err(CommandError::UnknownBroker(*broker));
                }
                self.cluster
                    .shutdown_broker(*broker)
                    .map_err(broker_error)?;
                Ok(Applied::Done)
            }
            Command::PartitionNetwork { side_a, side_b } => {
                let a = self.resolve_nodes(side_a)?;
                let b = self.resolve_nodes(side_b)?;
                self.cluster.partition_network(&a, &b);
                Ok(Applied::Done)
            }
            Command::Heal => {
                self.cluster.heal();
                for member in self.members.values_mut() {
                    member.cut_off = false;
                }
                Ok(Applied::Done)
            }
            Command::SlowBroker { broker, extra_ms } => {
                if *broker >= self.config.cluster.brokers {
                    return Err(CommandError::UnknownBroker(*broker));
                }
                self.cluster.slow(NodeId::Broker(*broker), *extra_ms);
                Ok(Applied::Done)
            }
            Command::Reassign { partitions } => self.reassign(partitions),
            Command::ElectPreferred { partitions } => self.elect_preferred(partitions.as_deref()),
            Command::Advance { ms } => {
                let target = self.now().saturating_add(*ms);
                self.advance_to(target);
                Ok(Applied::Advanced { now: self.now() })
            }
            Command::ProducerStart { name, spec } => self.producer_start(name, spec),
            Command::ProducerPause { name } => self.producer_pause(name),
            Command::ProducerResume { name } => self.producer_resume(name),
            Command::ProducerStop { name } => self.producer_stop(name),
            Command::MemberJoin {
                group,
                member,
                spec,
            } => self.member_join(group, member, spec),
            Command::MemberLeave { group, member } => self.member_leave(group, member),
            Command::MemberCrash { group, member } => self.member_crash(group, member),
            Command::MemberCut { group, member } => self.member_cut(group, member),
            Command::MemberSlow {
                group,
                member,
                processing_ms,
            } => self.member_slow(group, member, *processing_ms),
            Command::MemberRestart { group, member } => self.member_restart(group, member),
            Command::ResetOffsets {
                group,
                scope,
                target,
            } => self.reset_offsets(group, scope, *target),
            Command::DeleteGroup { group } => {
                let results = self.cluster.delete_groups(std::slice::from_ref(group));
                match results.into_iter().next() {
                    Some((_, Err(code))) => Err(CommandError::kafka(
                        code,
                        format!("Deletion of consumer group '{group}' failed"),
                    )),
                    _ => Ok(Applied::Done),
                }
            }
            Command::Expect(expectation) => Ok(Applied::Checked(self.check(expectation))),
        }
    }

    fn resolve_nodes(
        &self,
        nodes: &[super::command::NetNode],
    ) -> Result<Vec<NodeId>, CommandError> {
        use super::command::NetNode;
        nodes
            .iter()
            .map(|node| match node {
                NetNode::Broker(b) if *b < self.config.cluster.brokers => Ok(NodeId::Broker(*b)),
                NetNode::Broker(b) => Err(CommandError::UnknownBroker(*b)),
                NetNode::Controller => Ok(NodeId::Controller),
                NetNode::Producer(name) if name == CONSOLE_PRODUCER => {
                    Ok(NodeId::Client(self.console.client))
                }
                NetNode::Producer(name) => self
                    .producers
                    .get(name)
                    .map(|p| NodeId::Client(p.sender.client))
                    .ok_or_else(|| CommandError::UnknownProducer(name.clone())),
                NetNode::Member { group, member } => {
                    let key = (group.clone(), member.clone());
                    let app =
                        self.members
                            .get(&key)
                            .ok_or_else(|| CommandError::UnknownMember {
                                group: group.clone(),
                                member: member.clone(),
                            })?;
                    app.client
                        .map(NodeId::Client)
                        .ok_or(CommandError::MemberState {
                            group: group.clone(),
                            member: member.clone(),
                            state: app.status.word(false),
                        })
                }
            })
            .collect()
    }

    fn delete_records(
        &mut self,
        partitions: &[(TopicPartition, i64)],
    ) -> Result<Applied, CommandError> {
        for (tp, offset) in partitions {
            let offsets = self
                .cluster
                .partition_offsets(&tp.topic, tp.partition)
                .map_err(|code| CommandError::kafka(code, format!("{tp}")))?;
            if *offset < -1 || *offset > offsets.high_watermark {
                return Err(CommandError::kafka(
                    ErrorCode::OffsetOutOfRange,
                    format!(
                        "{tp}: offset {offset} is above the high watermark {}",
                        offsets.high_watermark
                    ),
                ));
            }
        }
        let mut results = Vec::with_capacity(partitions.len());
        for (tp, offset) in partitions {
            let start = self
                .cluster
                .delete_records(&tp.topic, tp.partition, *offset)
                .map_err(|code| CommandError::kafka(code, format!("{tp}")))?;
            results.push((tp.clone(), start));
        }
        Ok(Applied::RecordsDeleted(results))
    }

    fn reassign(
        &mut self,
        partitions: &[(TopicPartition, Vec<u32>)],
    ) -> Result<Applied, CommandError> {
        let brokers = self.config.cluster.brokers;
        for (index, (tp, replicas)) in partitions.iter().enumerate() {
            if partitions[..index].iter().any(|(other, _)| other == tp) {
                return Err(CommandError::kafka(
                    ErrorCode::InvalidRequest,
                    format!("Duplicate partition {tp} in the reassignment"),
                ));
            }
            if self.cluster.registration(&tp.topic, tp.partition).is_none() {
                return Err(CommandError::kafka(
                    ErrorCode::UnknownTopicOrPartition,
                    format!("Topic or partition {tp} not found"),
                ));
            }
            let mut distinct = replicas.clone();
            distinct.sort_unstable();
            distinct.dedup();
            if replicas.is_empty()
                || distinct.len() != replicas.len()
                || replicas.iter().any(|b| *b >= brokers)
            {
                return Err(CommandError::kafka(
                    ErrorCode::InvalidReplicaAssignment,
                    format!("Invalid replica assignment {replicas:?} for {tp}"),
                ));
            }
        }
        for (tp, replicas) in partitions {
            self.cluster
                .reassign_partition(&tp.topic, tp.partition, replicas)
                .map_err(|code| CommandError::kafka(code, format!("{tp}")))?;
        }
        Ok(Applied::Done)
    }

    fn elect_preferred(
        &mut self,
        partitions: Option<&[TopicPartition]>,
    ) -> Result<Applied, CommandError> {
        let targets: Vec<TopicPartition> = match partitions {
            Some(list) => {
                if let Some(tp) = list
                    .iter()
                    .find(|tp| self.cluster.registration(&tp.topic, tp.partition).is_none())
                {
                    return Err(CommandError::kafka(
                        ErrorCode::UnknownTopicOrPartition,
                        format!("Topic or partition {tp} not found"),
                    ));
                }
                list.to_vec()
            }
            None => self
                .cluster
                .partitions()
                .into_iter()
                .map(|(topic, partition)| TopicPartition::new(topic, partition))
                .collect(),
        };
        let results: Vec<(TopicPartition, Result<(), ErrorCode>)> = targets
            .into_iter()
            .map(|tp| {
                let result = self.cluster.elect_preferred_leader(&tp.topic, tp.partition);
                (tp, result)
            })
            .collect();
        if partitions.is_some()
            && let Some((tp, Err(code))) = results.first()
            && results.iter().all(|(_, r)| r.is_err())
        {
            return Err(CommandError::kafka(*code, format!("{tp}")));
        }
        Ok(Applied::Elected(results))
    }

    fn reset_offsets(
        &mut self,
        group: &str,
        scope: &super::command::ResetScope,
        target: super::command::ResetSpec,
    ) -> Result<Applied, CommandError> {
        use super::command::{ResetScope, ResetSpec};
        use crate::cluster::ResetTarget;
        let partitions: Vec<TopicPartition> = match scope {
            ResetScope::AllTopics => self
                .cluster
                .describe_group_offsets(group)
                .map_err(|code| CommandError::kafka(code, group.to_owned()))?
                .into_iter()
                .filter(|row| row.committed.is_some())
                .map(|row| row.partition)
                .collect(),
            ResetScope::Topics(topics) => {
                let mut list = Vec::new();
                for (topic, selected) in topics {
                    let metadata = self.cluster.topic_metadata(topic).map_err(|code| {
                        CommandError::kafka(code, format!("Topic {topic} does not exist"))
                    })?;
                    let count = metadata.partitions.len() as u32;
                    match selected {
                        None => list.extend((0..count).map(|p| TopicPartition::new(topic, p))),
                        Some(chosen) => {
                            if let Some(p) = chosen.iter().find(|p| **p >= count) {
                                return Err(CommandError::kafka(
                                    ErrorCode::UnknownTopicOrPartition,
                                    format!("Partition {topic}-{p} does not exist"),
                                ));
                            }
                            list.extend(chosen.iter().map(|p| TopicPartition::new(topic, *p)));
                        }
                    }
                }
                list
            }
        };
        let simple = match target {
            ResetSpec::Earliest => Some(ResetTarget::Earliest),
            ResetSpec::Latest => Some(ResetTarget::Latest),
            ResetSpec::Offset(offset) => Some(ResetTarget::Offset(offset)),
            ResetSpec::Datetime(ms) => Some(ResetTarget::Timestamp(ms)),
            ResetSpec::ShiftBy(_) => None,
        };
        let reset = match (simple, target) {
            (Some(target), _) => self
                .cluster
                .reset_offsets(group, &partitions, target)
                .map_err(|code| reset_error(code, group))?,
            (None, ResetSpec::ShiftBy(shift)) => {
                let committed: BTreeMap<TopicPartition, i64> = self
                    .cluster
                    .describe_group_offsets(group)
                    .map_err(|code| CommandError::kafka(code, group.to_owned()))?
                    .into_iter()
                    .filter_map(|row| Some((row.partition, row.committed?)))
                    .collect();
                let mut planned = Vec::with_capacity(partitions.len());
                for tp in &partitions {
                    // Every partition's leader must answer before any offset moves.
                    self.cluster
                        .partition_offsets(&tp.topic, tp.partition)
                        .map_err(|code| CommandError::kafka(code, format!("{tp}")))?;
                    let current = committed.get(tp).ok_or_else(|| {
                        CommandError::InvalidArgument(format!(
                            "Expected a valid current offset for topic partition: {tp}"
                        ))
                    })?;
                    planned.push((tp.clone(), current.saturating_add(shift)));
                }
                let mut done = Vec::with_capacity(planned.len());
                for (tp, offset) in planned {
                    let mut one = self
                        .cluster
                        .reset_offsets(
                            group,
                            std::slice::from_ref(&tp),
                            ResetTarget::Offset(offset),
                        )
                        .map_err(|code| reset_error(code, group))?;
                    done.append(&mut one);
                }
                done
            }
            (None, _) => Vec::new(),
        };
        Ok(Applied::OffsetsReset(reset))
    }

    // ----- time -----

    /// When something is next due: now if a command changed the world since the last step,
    /// else the earliest of the cluster's next message or timer and the applications' timers
    /// (always later than now). `None`: nothing will happen without a command.
    pub fn next_wakeup(&self) -> Option<i64> {
        let now = self.cluster.now();
        if self.dirty {
            return Some(now);
        }
        let apps = self
            .producers
            .values()
            .filter_map(|p| p.next_due(now))
            .chain(self.console.next_due(now))
            .chain(self.members.values().filter_map(MemberApp::next_due));
        self.cluster
            .next_wakeup()
            .into_iter()
            .chain(apps)
            .map(|at| at.max(now + 1))
            .min()
    }

    /// [`World::next_wakeup`] with its reason: the first of what is due then (a command's
    /// change, then the cluster's own wake-up, the producers by name, the console producer,
    /// the group members by group and member), for a host's "Step" to show.
    pub fn next_wakeup_reason(&self) -> Option<(i64, WorldWakeReason)> {
        let now = self.cluster.now();
        if self.dirty {
            return Some((now, WorldWakeReason::Changed));
        }
        let cluster = self
            .cluster
            .next_wakeup_reason()
            .map(|w| (w.at_ms, WorldWakeReason::Cluster(w.reason)));
        let producers = self.producers.iter().filter_map(|(name, p)| {
            p.next_due(now)
                .map(|at| (at, WorldWakeReason::Producer(name.clone())))
        });
        let console = self
            .console
            .next_due(now)
            .map(|at| (at, WorldWakeReason::ConsoleProducer));
        let members = self.members.iter().filter_map(|((group, member), app)| {
            app.next_due().map(|at| {
                let reason = WorldWakeReason::Member {
                    group: group.clone(),
                    member: member.clone(),
                };
                (at, reason)
            })
        });
        // `min_by_key` keeps the first of equal times, in the order listed above.
        cluster
            .into_iter()
            .chain(producers)
            .chain(console)
            .chain(members)
            .map(|(at, reason)| (at.max(now + 1), reason))
            .min_by_key(|(at, _)| *at)
    }

    /// Runs every wake-up up to `target` (the applications act at each), then sets the clock
    /// to `target`. Splitting an advance in two gives the same world as one advance.
    pub(crate) fn advance_to(&mut self, target: i64) {
        assert!(target >= self.cluster.now(), "time only moves forward");
        let mut steps = 0u64;
        while let Some(at) = self.next_wakeup() {
            if at > target || steps >= STEPS_PER_ADVANCE_MAX {
                break;
            }
            if !self.has_apps_to_run() && !self.dirty {
                // Nothing of the world's own acts on the way: the cluster runs its wake-ups
                // itself, as fast as it can (a host that drives its own clients).
                break;
            }
            self.step_to(at);
            steps += 1;
        }
        let now = self.cluster.now();
        self.cluster.advance(target - now);
        self.collect_cluster();
        self.drain_storage();
    }

    /// Whether any of the world's applications may act on the way: a producer, a member, the
    /// console producer with records to send, or a produce of theirs in flight.
    fn has_apps_to_run(&self) -> bool {
        !self.producers.is_empty()
            || !self.members.is_empty()
            || !self.pending.is_empty()
            || self.console.next_due(self.cluster.now()).is_some()
    }

    /// One wake-up at `at`: the cluster runs to it, then every application acts.
    fn step_to(&mut self, at: i64) {
        let now = self.cluster.now();
        debug_assert!(at >= now, "steps only move forward");
        self.cluster.advance(at - now);
        self.collect_cluster();
        self.drain_members();
        let producers: Vec<String> = self.producers.keys().cloned().collect();
        for name in producers {
            self.producer_act(&name);
        }
        self.flush_senders();
        let members: Vec<(String, String)> = self.members.keys().cloned().collect();
        for key in &members {
            self.member_act(key);
        }
        self.drain_members();
        // Send what the applications asked for now, so that `next_wakeup` sees it.
        self.cluster.advance(0);
        self.collect_cluster();
        self.drain_members();
        self.dirty = false;
        self.steps += 1;
        if self.steps.is_multiple_of(1_024) {
            self.drain_storage();
        }
    }

    /// Keeps (for a persistent host) or drops what the cluster queued for storage.
    fn drain_storage(&mut self) {
        let ops = self.cluster.poll_storage();
        if self.keep_storage {
            self.storage.extend(ops);
        }
    }

    /// Takes the cluster's events and produce outcomes.
    fn collect_cluster(&mut self) {
        for event in self.cluster.poll_events() {
            if let ClusterEvent::Group {
                event:
                    crate::group::coordinator::GroupEvent::OffsetsCommitted {
                        group_id, offsets, ..
                    },
                ..
            } = &event
                && self.groups.contains_key(group_id)
            {
                let (group_id, offsets) = (group_id.clone(), offsets.clone());
                self.observe_commit(&group_id, &offsets);
            }
            self.emit(WorldEvent::Cluster(event));
        }
        for outcome in self.cluster.poll_outcomes() {
            match self.pending.remove(&outcome.request) {
                Some(producer) => self.producer_outcome(&producer, &outcome),
                None => self
                    .events
                    .push((self.cluster.now(), WorldEvent::ClientOutcome(outcome))),
            }
        }
    }

    /// Hands every member's consumer events to its app.
    fn drain_members(&mut self) {
        let keys: Vec<(String, String)> = self.members.keys().cloned().collect();
        for key in keys {
            let Some(client) = self.members.get(&key).and_then(|m| m.client) else {
                continue;
            };
            let mut events = Vec::new();
            if let Some(consumer) = self.cluster.consumer_mut(client) {
                while let Some(event) = consumer.poll_event() {
                    events.push(event);
                }
            }
            for event in events {
                self.member_consumer_event(&key, event);
            }
        }
    }

    fn member_consumer_event(&mut self, key: &(String, String), event: ConsumerEvent) {
        if let (Some(client), Some(tracker)) = (
            self.members.get(key).and_then(|m| m.client),
            self.groups.get_mut(&key.0),
        ) {
            tracker.timeline.record(client, &event);
        }
        let Some(app) = self.members.get_mut(key) else {
            return;
        };
        let event = match event {
            ConsumerEvent::PartitionsRevoked { partitions, .. } => {
                MemberEvent::Revoked { partitions }
            }
            ConsumerEvent::PartitionsAssigned { partitions, .. } => {
                MemberEvent::Assigned { partitions }
            }
            ConsumerEvent::PartitionsLost { partitions, .. } => MemberEvent::Lost { partitions },
            ConsumerEvent::JoinedGroup {
                generation,
                member_id,
                leader,
                protocol,
            } => MemberEvent::Joined {
                generation,
                leader: leader == member_id,
                member_id,
                protocol,
            },
            ConsumerEvent::LeftGroup { reason } => MemberEvent::LeftGroup { reason },
            ConsumerEvent::CommitCompleted {
                id,
                auto,
                offsets,
                result,
            } => {
                let origin = if auto {
                    CommitOrigin::Auto
                } else {
                    app.issued.remove(&id).unwrap_or(CommitOrigin::Sync)
                };
                app.commit_completed(id);
                MemberEvent::Committed {
                    origin,
                    offsets: offsets
                        .into_iter()
                        .map(|(tp, committed)| (tp, committed.offset))
                        .collect(),
                    result,
                }
            }
            ConsumerEvent::OffsetReset { tp, offset, .. } => MemberEvent::OffsetReset {
                partition: tp,
                offset,
            },
            ConsumerEvent::CoordinatorUnknown { reason } => {
                MemberEvent::CoordinatorUnknown { reason }
            }
            ConsumerEvent::Closed => {
                app.status = MemberStatus::Left;
                MemberEvent::Closed
            }
        };
        self.emit_member(key, event);
    }
}

fn reset_error(code: ErrorCode, group: &str) -> CommandError {
    let message = if code == ErrorCode::NonEmptyGroup {
        format!(
            "Assignments can only be reset if the group '{group}' is inactive, but the current state is active."
        )
    } else {
        group.to_owned()
    };
    CommandError::kafka(code, message)
}

/// The world `history` (from [`World::history`]) makes from `config`, at `until` (ms since the
/// epoch): every entry applied at its time, the last `advance` cut at `until` (one that starts
/// at `until` is not begun: the world is as it stood after the commands at `until`), then the
/// clock moved to `until` if the history ends earlier. Jumping to a time this way gives the same
/// [`World::state_hash`] as running straight to it.
///
/// # Errors
/// [`ReplayError`] when the config is invalid or an entry is refused.
pub fn replay(
    config: &WorldConfig,
    history: &[(i64, Command)],
    until: i64,
) -> Result<World, ReplayError> {
    let mut world = World::new(config.clone()).map_err(ReplayError::Config)?;
    world.set_collect_events(false);
    replay_onto(&mut world, history, until)?;
    world.set_collect_events(true);
    Ok(world)
}

/// Continues `world` (a replay or a checkpoint of the same history, at some entry boundary or
/// inside an `advance`) with the entries of `history` after its own, up to `until`.
///
/// # Errors
/// [`ReplayError::Refused`] when an entry is refused.
pub fn replay_onto(
    world: &mut World,
    history: &[(i64, Command)],
    until: i64,
) -> Result<(), ReplayError> {
    let done = world.history.len();
    // The world may have stopped inside its last advance: finish that part first.
    if let (Some((at, Command::Advance { ms })), Some((_, Command::Advance { ms: mine }))) =
        (history.get(done.wrapping_sub(1)), world.history.last())
        && ms > mine
    {
        let end = (*at + *ms).min(until);
        if end > world.now() {
            let step = end - world.now();
            world
                .apply(Command::Advance { ms: step })
                .map_err(|error| ReplayError::Refused {
                    index: done - 1,
                    at: *at,
                    error,
                })?;
        }
    }
    for (index, (at, command)) in history.iter().enumerate().skip(done) {
        if *at > until {
            break;
        }
        if *at > world.now() {
            let gap = *at - world.now();
            let _ = world.apply(Command::Advance { ms: gap });
        }
        let command = match command {
            Command::Advance { ms } => {
                let part = (*ms).min(until - world.now()).max(0);
                if part == 0 && *ms > 0 {
                    // The world as it stood at `until`, before this advance began.
                    break;
                }
                Command::Advance { ms: part }
            }
            other => other.clone(),
        };
        world.apply(command).map_err(|error| ReplayError::Refused {
            index,
            at: *at,
            error,
        })?;
    }
    if world.now() < until {
        let gap = until - world.now();
        let _ = world.apply(Command::Advance { ms: gap });
    }
    Ok(())
}
