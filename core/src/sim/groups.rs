//! The simulator's consumer-group workload: one seed chooses a cluster, a topic, a group of
//! consumers with an assignor and a commit style, a produce workload and faults (brokers
//! killed and restarted — the group coordinator among them —, consumers crashing, leaving,
//! joining, cut off from the cluster), and the checker holds the group to Kafka's promises
//! after **every** step.
//!
//! ```text
//! run(seed, steps, style)
//!   setup     brokers 3..=5, topic t with 1..=6 partitions (rf min(3, n), min ISR 2 when
//!             rf 3), group g of 1..=4 consumers, one assignor list for all of them
//!   workload  steps × (one action: produce | poll round | consumer joins | consumer crashes |
//!             consumer closes | broker killed | broker restarted | consumer cut off | heal,
//!             then advance 10 ms .. 2 s) — invariants after each step
//!   liveness  heal, restart every broker, start a consumer if none is left, stop producing,
//!             poll until every acknowledged record is processed and committed
//! ```
//!
//! Processing: a consumer "processes" the records a poll returns. With
//! [`CommitStyle::AfterProcessing`] it then calls `commitSync` and polls again only once the
//! commit completed (a blocking `commitSync`, as Kafka's). With
//! [`CommitStyle::AutoCommitAsyncProcessing`] `enable.auto.commit` is on and records are handed
//! to a processing queue that works through one record per step — the pattern Kafka's
//! documentation warns about: auto-commit commits what `poll` returned, processed or not.
//!
//! # Invariants
//! - **(f) One owner per partition**: among running consumers that are members of the group's
//!   current generation at the coordinator (their member id is a member and their generation
//!   is the coordinator's), no partition is in two assignments. (A consumer cut off from the
//!   coordinator may still believe it owns partitions — Kafka's zombie — but it is not a
//!   member of the current generation, and its commits are fenced.)
//! - **At-least-once** ([`CommitStyle::AfterProcessing`]): once converged, every record
//!   acknowledged to the producer (`acks=all`) was processed, and the group's committed offset
//!   of each partition is its log end.
//! - **No duplicates without a failure** ([`CommitStyle::AfterProcessing`], runs whose faults
//!   were only consumers joining): no record is processed twice unless the `commitSync` that
//!   followed its first processing failed. Kafka promises no more: a member that polls while
//!   its group rebalances (the cooperative protocol hands out records then) gets
//!   `RebalanceInProgressException` from `commitSync`, and whatever it processed of a
//!   partition that then moves is processed again by the partition's next owner (Kafka's
//!   answer is a rebalance listener committing in `onPartitionsRevoked`, which this app does
//!   not have). A record processed again after a commit covering it succeeded, or while that
//!   commit is still pending, is a violation.
//! - **(j) Generations strictly increase**: each rebalance a coordinator completes for the
//!   group with members has a higher generation than the one before (a generation that ended
//!   empty reached no member, and Kafka may number the next one the same after a failover).
//! - **(k) Only current owners commit**: every offset commit a coordinator accepts (noted by
//!   its [`Audit`] at that instant) carries the group's current generation, from a member
//!   whose assignment holds each committed partition — or is a standalone commit (no member,
//!   generation -1).
//! - **(l) Committed offsets never move backwards** (this workload resets and deletes none).
//!
//! Under [`CommitStyle::AutoCommitAsyncProcessing`] the run counts records lost (acknowledged,
//! never processed, yet the committed offset passed them) and duplicates; the sweep shows both
//! happen, as Kafka documents.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{FNV_OFFSET_BASIS, START_MS, Violation, ViolationKind, fnv1a64};
use crate::cluster::{Acks, Audit, Cluster, ClusterConfig, ClusterEvent, InjectedBug, NodeId};
use crate::consumer::{AutoOffsetReset, ConsumerConfig, ConsumerEvent};
use crate::group::TopicPartition;
use crate::group::coordinator::GroupEvent;
use crate::group::coordinator::GroupState;
use crate::group::protocol::OffsetAndMetadata;
use crate::prng::Prng;
use crate::record::NewRecord;

/// The group's name in every run.
const GROUP: &str = "g";
/// The topic's name in every run.
const TOPIC: &str = "t";
/// The producer's client id.
const PRODUCER: u32 = 0;
/// The most liveness steps before a run that has not converged is a violation.
pub const GROUP_CONVERGENCE_STEPS_MAX: u32 = 400;
/// Time per liveness step.
const LIVENESS_STEP_MS: i64 = 250;

/// How consumers commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitStyle {
    /// `enable.auto.commit=false`; process what a poll returned, then `commitSync`: Kafka's
    /// at-least-once pattern.
    AfterProcessing,
    /// `enable.auto.commit=true` with records handed to a queue and processed later: Kafka
    /// documents that this can lose records (and duplicate them).
    AutoCommitAsyncProcessing,
}

/// Which faults a run may inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Faults {
    /// Brokers die and return, consumers crash, leave, join and are cut off.
    All,
    /// Only new consumers joining the group: no failure at all.
    JoinsOnly,
}

/// What one group run did and found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSimReport {
    /// The seed.
    pub seed: u64,
    /// Brokers in the cluster.
    pub brokers: u32,
    /// Partitions of the topic.
    pub partitions: u32,
    /// The assignors every consumer lists.
    pub assignors: Vec<String>,
    /// Consumers started, in all.
    pub consumers_started: u32,
    /// Records acknowledged to the producer.
    pub acked_records: u64,
    /// Distinct acknowledged records processed.
    pub processed: u64,
    /// Records processed more than once (each extra time counts).
    pub duplicates: u64,
    /// Acknowledged records never processed although the group's committed offset passed
    /// them.
    pub lost: u64,
    /// Rebalances the consumers went through (`JoinedGroup` events).
    pub rebalances: u64,
    /// Liveness steps until converged (`None`: it did not).
    pub converged_after: Option<u32>,
    /// The first violation, if any.
    pub violation: Option<Violation>,
    /// FNV-1a 64 of the readable trace.
    pub trace_hash: u64,
}

/// Runs one seed of the group workload.
pub fn run(seed: u64, steps: u32, style: CommitStyle, faults: Faults) -> GroupSimReport {
    GroupSimulation::new(seed, style, faults, false, None)
        .run(steps)
        .0
}

/// [`run`] (or [`run_traced`] when `traced`) with a deliberate engine bug: for tests and
/// sweeps proving the checker catches it.
#[doc(hidden)]
pub fn run_with_bug(
    seed: u64,
    steps: u32,
    style: CommitStyle,
    faults: Faults,
    bug: Option<InjectedBug>,
    traced: bool,
) -> (GroupSimReport, String) {
    GroupSimulation::new(seed, style, faults, traced, bug).run(steps)
}

/// [`run`], also returning the readable trace.
pub fn run_traced(
    seed: u64,
    steps: u32,
    style: CommitStyle,
    faults: Faults,
) -> (GroupSimReport, String) {
    GroupSimulation::new(seed, style, faults, true, None).run(steps)
}

/// A consumer the workload drives.
#[derive(Debug, Default)]
struct App {
    /// A `commitSync` in flight: the app polls again only when it completed.
    committing: Option<u64>,
    /// Processed records whose commit has not succeeded yet (a failed commit is retried
    /// after the next poll, records or not).
    uncommitted: bool,
    /// Records handed to the asynchronous processor (auto-commit style).
    queue: Vec<(TopicPartition, i64)>,
    /// Cut off from every broker.
    cut_off: bool,
    /// The app called `close`.
    closing: bool,
    /// The app stalls (no poll, no commit) until this step, then commits what it processed
    /// before it polls again: Kafka's zombie, if the group moved on meanwhile.
    stalled_until: Option<u32>,
    /// The app's link is slowed until this step (its requests are delayed, later ones
    /// overtake them).
    slowed_until: Option<u32>,
}

struct GroupSimulation {
    seed: u64,
    style: CommitStyle,
    faults: Faults,
    prng: Prng,
    cluster: Cluster,
    brokers: u32,
    partitions: u32,
    assignors: Vec<String>,
    session_timeout_ms: i32,
    apps: BTreeMap<u32, App>,
    next_client: u32,
    step: u32,
    /// Acknowledged offsets per partition.
    acked: BTreeMap<u32, BTreeSet<i64>>,
    acked_records: u64,
    /// Times each (partition, offset) was processed.
    processed: BTreeMap<(u32, i64), u32>,
    /// Per (client, partition): offsets the client processed that no successful commit of
    /// the client has covered yet.
    uncommitted: BTreeMap<(u32, u32), BTreeSet<i64>>,
    /// (partition, offset) processed whose covering commit failed (and none succeeded since):
    /// their next owner may process them again.
    commit_failed: BTreeSet<(u32, i64)>,
    duplicates: u64,
    rebalances: u64,
    consumers_started: u32,
    failures: bool,
    trace: Option<String>,
    trace_hash: u64,
    line: String,
    violation: Option<Violation>,
    /// (j): the last generation the group completed a rebalance with.
    last_generation: Option<i32>,
    /// (l): the highest committed offset seen per partition.
    committed: BTreeMap<u32, i64>,
    /// Draws the zombie and delay faults apart from `prng`, so that a seed with them off runs
    /// exactly as before they existed.
    fault_prng: Prng,
    /// Per-step percent chance of stalling a consumer, and of delaying one's requests (0 and
    /// 0: off for this seed).
    stall_percent: u64,
    delay_percent: u64,
}

impl GroupSimulation {
    fn new(
        seed: u64,
        style: CommitStyle,
        faults: Faults,
        traced: bool,
        bug: Option<InjectedBug>,
    ) -> Self {
        let mut prng = Prng::new(seed ^ 0x6772_6f75_7073);
        let brokers = 3 + prng.below(3) as u32;
        let partitions = 1 + prng.below(6) as u32;
        let assignors: Vec<String> = match prng.below(6) {
            0 => vec!["range".into()],
            1 => vec!["roundrobin".into()],
            2 => vec!["sticky".into()],
            3 => vec!["cooperative-sticky".into()],
            4 => vec!["range".into(), "cooperative-sticky".into()],
            _ => vec!["cooperative-sticky".into(), "range".into()],
        };
        let session_timeout_ms = 6_000 + 1_000 * prng.below(5) as i32;
        let mut fault_prng = Prng::new(crate::prng::splitmix64(seed ^ 0x7a0b_1e5d_e1a7_0000));
        let (stall_percent, delay_percent) = if faults == Faults::All && fault_prng.chance(2, 3) {
            (1 + fault_prng.below(4), 1 + fault_prng.below(6))
        } else {
            (0, 0)
        };
        let mut config = ClusterConfig::new(brokers, seed);
        config.offsets_topic_partitions = 3;
        let mut cluster = Cluster::new(config, START_MS).expect("3..=5 brokers is a valid size");
        cluster.enable_audit();
        if delay_percent > 0 {
            // A delayed request is overtaken by other clients' requests, never by its own
            // client's later ones (one connection per client and broker, as Kafka's).
            cluster.keep_client_links_in_order();
        }
        if let Some(bug) = bug {
            cluster.inject_bug(bug);
        }
        let rf = brokers.min(3);
        let min_isr = if rf == 3 { 2 } else { 1 };
        cluster
            .create_topic(
                TOPIC,
                partitions,
                rf,
                &[("min.insync.replicas".to_owned(), min_isr.to_string())],
            )
            .expect("a valid topic");
        let mut simulation = Self {
            seed,
            style,
            faults,
            prng,
            cluster,
            brokers,
            partitions,
            assignors,
            session_timeout_ms,
            apps: BTreeMap::new(),
            next_client: 1,
            step: 0,
            acked: BTreeMap::new(),
            acked_records: 0,
            processed: BTreeMap::new(),
            uncommitted: BTreeMap::new(),
            commit_failed: BTreeSet::new(),
            duplicates: 0,
            rebalances: 0,
            consumers_started: 0,
            failures: false,
            trace: traced.then(String::new),
            trace_hash: FNV_OFFSET_BASIS,
            line: String::new(),
            violation: None,
            last_generation: None,
            committed: BTreeMap::new(),
            fault_prng,
            stall_percent,
            delay_percent,
        };
        simulation.cluster.advance(100);
        let consumers = 1 + simulation.prng.below(4) as u32;
        for _ in 0..consumers {
            simulation.start_consumer();
        }
        simulation
    }

    fn note(&mut self, text: &str) {
        self.line.clear();
        let _ = writeln!(self.line, "[{}] {text}", self.step);
        self.trace_hash = fnv1a64(self.trace_hash, self.line.as_bytes());
        if let Some(trace) = self.trace.as_mut() {
            trace.push_str(&self.line);
        }
    }

    fn start_consumer(&mut self) {
        let client = self.next_client;
        self.next_client += 1;
        let mut config = ConsumerConfig::with_group(GROUP);
        config.client_id = format!("consumer-{client}");
        config.partition_assignment_strategy = self.assignors.clone();
        config.auto_offset_reset = AutoOffsetReset::Earliest;
        config.session_timeout_ms = self.session_timeout_ms;
        config.heartbeat_interval_ms = self.session_timeout_ms / 3;
        config.max_poll_records = 20;
        if self.stall_percent > 0 {
            // Stalls of 5..40 steps outlast this poll interval often (a step is ~1 s).
            config.max_poll_interval_ms = self.session_timeout_ms * 2;
        }
        match self.style {
            CommitStyle::AfterProcessing => config.enable_auto_commit = false,
            CommitStyle::AutoCommitAsyncProcessing => {
                config.enable_auto_commit = true;
                config.auto_commit_interval_ms = 1_000;
            }
        }
        if self.cluster.add_consumer(client, config).is_err() {
            return;
        }
        let now = self.cluster.now();
        if let Some(consumer) = self.cluster.consumer_mut(client) {
            let _ = consumer.subscribe(now, &[TOPIC.to_owned()]);
        }
        self.apps.insert(client, App::default());
        self.consumers_started += 1;
        self.note(&format!("consumer {client} starts"));
    }

    fn produce(&mut self) {
        let partition = self.prng.below(u64::from(self.partitions)) as u32;
        let count = 1 + self.prng.below(5) as usize;
        let records = (0..count)
            .map(|i| NewRecord {
                key: Some(format!("k{}", self.step).into_bytes()),
                value: Some(format!("s{}-{i}", self.step).into_bytes()),
                ..NewRecord::default()
            })
            .collect();
        self.cluster
            .produce(PRODUCER, TOPIC, partition, Acks::All, records);
    }

    fn collect_acks(&mut self) {
        for outcome in self.cluster.poll_outcomes() {
            if let Ok((first, last)) = outcome.result
                && first >= 0
            {
                let offsets = self.acked.entry(outcome.partition).or_default();
                for offset in first..=last {
                    if offsets.insert(offset) {
                        self.acked_records += 1;
                    }
                }
            }
        }
    }

    /// Every running consumer the app is not blocked on polls once and processes.
    fn poll_round(&mut self) {
        let clients: Vec<u32> = self.apps.keys().copied().collect();
        // Every commit outcome first, so that the duplicate check knows them all.
        for client in &clients {
            self.drain_events(*client);
        }
        for client in clients {
            self.drain_events(client);
            let blocked = self
                .apps
                .get(&client)
                .is_some_and(|a| a.committing.is_some());
            if blocked {
                continue;
            }
            if let Some(until) = self.apps.get(&client).and_then(|a| a.stalled_until) {
                if self.step < until {
                    continue;
                }
                // Back from the stall: commit what was processed before, then poll later.
                if let Some(app) = self.apps.get_mut(&client) {
                    app.stalled_until = None;
                }
                if self.style == CommitStyle::AfterProcessing {
                    let now = self.cluster.now();
                    if let Some(consumer) = self.cluster.consumer_mut(client) {
                        let id = consumer.commit_sync(now, None);
                        if let Some(app) = self.apps.get_mut(&client) {
                            app.committing = Some(id);
                        }
                        self.note(&format!("consumer {client} back from its stall commits"));
                        continue;
                    }
                }
            }
            let now = self.cluster.now();
            let Some(consumer) = self.cluster.consumer_mut(client) else {
                continue;
            };
            if consumer.is_closed() || self.apps.get(&client).is_some_and(|a| a.closing) {
                continue;
            }
            let records = match consumer.poll(now) {
                Ok(records) => records,
                Err(error) => {
                    self.note(&format!("consumer {client} poll error {error}"));
                    continue;
                }
            };
            let retry_commit = self.style == CommitStyle::AfterProcessing
                && self.apps.get(&client).is_some_and(|a| a.uncommitted);
            if records.is_empty() && !retry_commit {
                continue;
            }
            let batch: Vec<(TopicPartition, i64)> = records
                .iter()
                .map(|r| (TopicPartition::new(r.topic.clone(), r.partition), r.offset))
                .collect();
            match self.style {
                CommitStyle::AfterProcessing => {
                    for (tp, offset) in &batch {
                        self.process(client, tp.partition, *offset);
                    }
                    let now = self.cluster.now();
                    if let Some(consumer) = self.cluster.consumer_mut(client) {
                        let id = consumer.commit_sync(now, None);
                        if let Some(app) = self.apps.get_mut(&client) {
                            app.committing = Some(id);
                            app.uncommitted = true;
                        }
                    }
                }
                CommitStyle::AutoCommitAsyncProcessing => {
                    if let Some(app) = self.apps.get_mut(&client) {
                        app.queue.extend(batch);
                    }
                }
            }
        }
        // The asynchronous processors work through one record each per round.
        for app in self.apps.values_mut() {
            if !app.queue.is_empty() {
                let (tp, offset) = app.queue.remove(0);
                let count = self.processed.entry((tp.partition, offset)).or_insert(0);
                *count += 1;
                if *count > 1 {
                    self.duplicates += 1;
                }
            }
        }
    }

    fn process(&mut self, client: u32, partition: u32, offset: i64) {
        let count = self.processed.entry((partition, offset)).or_insert(0);
        *count += 1;
        if *count > 1 {
            self.duplicates += 1;
            let excused = self.commit_failed.remove(&(partition, offset));
            if self.style == CommitStyle::AfterProcessing && !self.failures && !excused {
                self.fail(
                    ViolationKind::DuplicateWithoutFailure,
                    format!(
                        "{TOPIC}-{partition} offset {offset} processed twice with no failure \
                         and no failed commit"
                    ),
                );
            }
        }
        self.uncommitted
            .entry((client, partition))
            .or_default()
            .insert(offset);
    }

    /// A commit of `client` completed: the records it covers are committed, or, if it failed,
    /// may be processed again by their partitions' next owners.
    fn commit_completed(
        &mut self,
        client: u32,
        offsets: &[(TopicPartition, OffsetAndMetadata)],
        ok: bool,
    ) {
        for (tp, committed) in offsets {
            let Some(pending) = self.uncommitted.get_mut(&(client, tp.partition)) else {
                continue;
            };
            let covered: Vec<i64> = pending.range(..committed.offset).copied().collect();
            for offset in covered {
                if ok {
                    pending.remove(&offset);
                    self.commit_failed.remove(&(tp.partition, offset));
                } else {
                    self.commit_failed.insert((tp.partition, offset));
                }
            }
        }
    }

    fn drain_events(&mut self, client: u32) {
        let mut events = Vec::new();
        if let Some(consumer) = self.cluster.consumer_mut(client) {
            while let Some(event) = consumer.poll_event() {
                events.push(event);
            }
        }
        for event in events {
            match &event {
                ConsumerEvent::CommitCompleted {
                    id,
                    result,
                    offsets,
                    ..
                } => {
                    if let Some(app) = self.apps.get_mut(&client)
                        && app.committing == Some(*id)
                    {
                        app.committing = None;
                        app.uncommitted = result.is_err();
                    }
                    self.commit_completed(client, offsets, result.is_ok());
                }
                ConsumerEvent::JoinedGroup { .. } => self.rebalances += 1,
                _ => {}
            }
            self.note(&format!("consumer {client}: {event:?}"));
        }
    }

    fn fail(&mut self, kind: ViolationKind, description: String) {
        if self.violation.is_none() {
            self.note(&format!("VIOLATION {kind:?}: {description}"));
            self.violation = Some(Violation {
                step: self.step,
                kind,
                description,
            });
        }
    }

    /// (f): one owner per partition among the current generation's members.
    fn check_ownership(&mut self) {
        let Ok(description) = self.cluster.describe_group(GROUP) else {
            return;
        };
        if description.state == GroupState::Dead {
            return;
        }
        let members: BTreeSet<&str> = description
            .members
            .iter()
            .map(|m| m.member_id.as_str())
            .collect();
        let mut owners: BTreeMap<TopicPartition, u32> = BTreeMap::new();
        let mut clash = None;
        for client in self.apps.keys() {
            let Some(consumer) = self.cluster.consumer(*client) else {
                continue;
            };
            let (generation, member_id) = consumer.generation();
            if generation != description.generation || !members.contains(member_id) {
                continue;
            }
            for tp in consumer.assignment() {
                if let Some(other) = owners.insert(tp.clone(), *client) {
                    clash = Some((tp, other, *client, generation));
                }
            }
        }
        if let Some((tp, a, b, generation)) = clash {
            self.fail(
                ViolationKind::TwoOwners,
                format!("{tp} owned by consumers {a} and {b} in generation {generation}"),
            );
        }
    }

    /// (j), (k) and (l): generations grow with each completed rebalance, the coordinator
    /// accepts commits only from the current generation's owners (or standalone ones), and
    /// committed offsets never move back.
    fn check_group_rules(&mut self) {
        for event in self.cluster.poll_events() {
            if self.trace.is_some()
                && !matches!(
                    event,
                    ClusterEvent::FollowerFetched { .. }
                        | ClusterEvent::HighWatermarkAdvanced { .. }
                )
            {
                self.note(&format!("  {event:?}"));
            }
            let ClusterEvent::Group {
                broker,
                event:
                    GroupEvent::GenerationCompleted {
                        group_id,
                        generation,
                        leader,
                        ..
                    },
            } = event
            else {
                continue;
            };
            // A generation that ended empty was handed to no member: Kafka writes it without
            // waiting, and a coordinator that fails over before the write may number the next
            // one the same. Only generations members received must grow.
            if group_id != GROUP || leader.is_none() {
                continue;
            }
            self.note(&format!(
                "coordinator {broker} completed generation {generation}"
            ));
            if let Some(before) = self.last_generation
                && generation <= before
            {
                self.fail(
                    ViolationKind::GenerationNotIncreasing,
                    format!(
                        "coordinator {broker} completed a rebalance of {GROUP} as generation {generation} after generation {before}"
                    ),
                );
            }
            self.last_generation = Some(generation);
        }
        for audit in self.cluster.poll_audit() {
            if let Audit::AcksAllAnswered {
                topic,
                partition,
                leader,
                offsets,
                holders,
                replicas,
                min_insync_replicas,
            } = &audit
            {
                if self.trace.is_some() {
                    self.note(&format!(
                        "  ack {topic}-{partition} {offsets:?} by {leader}, held by {holders:?}"
                    ));
                }
                if holders.len() < (*min_insync_replicas as usize).min(*replicas) {
                    self.fail(
                        ViolationKind::AckedUnderReplicated,
                        format!(
                            "{topic}-{partition} offsets {offsets:?}: leader {leader} acknowledged acks=all held only by {holders:?} (min.insync.replicas {min_insync_replicas}, {replicas} replicas)"
                        ),
                    );
                }
                continue;
            }
            let Audit::OffsetCommitAccepted {
                broker,
                group,
                member_id,
                generation,
                group_generation,
                assignment,
                offsets,
            } = audit
            else {
                continue;
            };
            if member_id.is_empty() && generation < 0 {
                continue; // A standalone or admin commit.
            }
            let problem = if generation != group_generation {
                Some(format!(
                    "generation {generation} while the group is at {group_generation}"
                ))
            } else {
                match &assignment {
                    None => Some("from a member the group does not have".to_owned()),
                    Some(owned) => {
                        offsets
                            .iter()
                            .find(|(tp, _)| !owned.contains(tp))
                            .map(|(tp, _)| {
                                format!("for {tp}, which the member does not own ({owned:?})")
                            })
                    }
                }
            };
            if let Some(problem) = problem {
                self.fail(
                    ViolationKind::InvalidCommitAccepted,
                    format!(
                        "coordinator {broker} accepted a commit of {group} by member {member_id:?} {problem}: {offsets:?}"
                    ),
                );
            }
        }
        if let Ok(rows) = self.cluster.describe_group_offsets(GROUP) {
            for row in rows {
                let Some(offset) = row.committed else {
                    continue;
                };
                let partition = row.partition.partition;
                let before = self.committed.insert(partition, offset);
                if let Some(before) = before
                    && offset < before
                {
                    self.committed.insert(partition, before);
                    self.fail(
                        ViolationKind::CommittedOffsetDecreased,
                        format!(
                            "{GROUP} {TOPIC}-{partition}: committed offset {before} -> {offset}"
                        ),
                    );
                }
            }
        }
    }

    /// Traces the group's state, each consumer's generation and partition count, and the
    /// committed offsets with their lag.
    fn note_state(&mut self) {
        let state = self
            .cluster
            .describe_group(GROUP)
            .map(|d| (d.state, d.generation, d.members.len()));
        let consumers: Vec<(u32, i32, usize)> = self
            .apps
            .keys()
            .filter_map(|c| {
                let consumer = self.cluster.consumer(*c)?;
                Some((*c, consumer.generation().0, consumer.assignment().len()))
            })
            .collect();
        let offsets: Vec<(u32, Option<i64>, Option<i64>)> = self
            .cluster
            .describe_group_offsets(GROUP)
            .map(|rows| {
                rows.iter()
                    .map(|r| (r.partition.partition, r.committed, r.lag))
                    .collect()
            })
            .unwrap_or_default();
        self.note(&format!(
            "group {state:?} consumers {consumers:?} offsets {offsets:?}"
        ));
    }

    fn random_broker(&mut self) -> u32 {
        self.prng.below(u64::from(self.brokers)) as u32
    }

    fn random_app(&mut self) -> Option<u32> {
        let clients: Vec<u32> = self.apps.keys().copied().collect();
        if clients.is_empty() {
            return None;
        }
        Some(clients[self.prng.below(clients.len() as u64) as usize])
    }

    fn act(&mut self) {
        let roll = self.prng.below(100);
        let faults = self.faults == Faults::All;
        match roll {
            0..=34 => self.produce(),
            35..=69 => {}
            70..=74 if self.apps.len() < 6 => self.start_consumer(),
            75..=77 if faults => {
                if let Some(client) = self.random_app() {
                    self.failures = true;
                    self.cluster.remove_consumer(client);
                    self.apps.remove(&client);
                    self.note(&format!("consumer {client} crashes"));
                }
            }
            78..=79 if faults => {
                if let Some(client) = self.random_app() {
                    self.failures = true;
                    let now = self.cluster.now();
                    if let Some(consumer) = self.cluster.consumer_mut(client) {
                        consumer.close(now);
                    }
                    if let Some(app) = self.apps.get_mut(&client) {
                        app.closing = true;
                    }
                    self.note(&format!("consumer {client} closes"));
                }
            }
            80..=83 if faults => {
                let broker = self.random_broker();
                if self.cluster.kill_broker(broker).is_ok() {
                    self.failures = true;
                    self.note(&format!("broker {broker} killed"));
                }
            }
            84..=88 if faults => {
                let broker = self.random_broker();
                if self.cluster.restart_broker(broker).is_ok() {
                    self.note(&format!("broker {broker} restarted"));
                }
            }
            89..=90 if faults => {
                if let Some(client) = self.random_app() {
                    self.failures = true;
                    let brokers: Vec<NodeId> = (0..self.brokers).map(NodeId::Broker).collect();
                    self.cluster
                        .partition_network(&[NodeId::Client(client)], &brokers);
                    if let Some(app) = self.apps.get_mut(&client) {
                        app.cut_off = true;
                    }
                    self.note(&format!("consumer {client} cut off"));
                }
            }
            91..=93 if faults => {
                self.cluster.heal();
                for app in self.apps.values_mut() {
                    app.cut_off = false;
                }
                self.note("heal");
            }
            _ => {}
        }
    }

    /// Zombies and delayed requests: a consumer stalls (and commits when it is back), its
    /// link is slowed for a few steps (its JoinGroup, SyncGroup, heartbeats and commits arrive
    /// late, overtaken by other clients'), or its last OffsetCommit or JoinGroup arrives again
    /// late with the generation it carried (a stale duplicate, as from a zombie).
    fn zombie_and_delay_faults(&mut self) {
        let step = self.step;
        let mut unslow = Vec::new();
        for (client, app) in &mut self.apps {
            if app.slowed_until.is_some_and(|until| step >= until) {
                app.slowed_until = None;
                unslow.push(*client);
            }
        }
        for client in unslow {
            self.cluster.slow(NodeId::Client(client), 0);
        }
        if self.stall_percent > 0 && self.fault_prng.below(100) < self.stall_percent {
            let clients: Vec<u32> = self.apps.keys().copied().collect();
            if !clients.is_empty() {
                let client = clients[self.fault_prng.below(clients.len() as u64) as usize];
                let until = step + 5 + self.fault_prng.below(36) as u32;
                if let Some(app) = self.apps.get_mut(&client)
                    && app.stalled_until.is_none()
                {
                    app.stalled_until = Some(until);
                    self.failures = true;
                    self.note(&format!("consumer {client} stalls until step {until}"));
                }
            }
        }
        if self.delay_percent > 0 && self.fault_prng.below(100) < self.delay_percent {
            let clients: Vec<u32> = self.apps.keys().copied().collect();
            if !clients.is_empty() {
                let client = clients[self.fault_prng.below(clients.len() as u64) as usize];
                let extra_ms = 200 + self.fault_prng.below(8_000) as i64;
                let until = step + 1 + self.fault_prng.below(4) as u32;
                self.cluster.slow(NodeId::Client(client), extra_ms);
                if let Some(app) = self.apps.get_mut(&client) {
                    app.slowed_until = Some(until);
                }
                self.failures = true;
                self.note(&format!(
                    "consumer {client}'s requests delayed +{extra_ms} ms until step {until}"
                ));
            }
        }
        if self.delay_percent > 0 && self.fault_prng.below(100) < self.delay_percent {
            let clients: Vec<u32> = self.apps.keys().copied().collect();
            if !clients.is_empty() {
                let client = clients[self.fault_prng.below(clients.len() as u64) as usize];
                let join = self.fault_prng.chance(1, 3);
                if self.cluster.replay_group_request(client, join) {
                    self.failures = true;
                    let what = if join { "JoinGroup" } else { "OffsetCommit" };
                    self.note(&format!(
                        "consumer {client}'s last {what} arrives again, late"
                    ));
                }
            }
        }
    }

    fn run(mut self, steps: u32) -> (GroupSimReport, String) {
        self.note(&format!(
            "seed {} brokers {} partitions {} assignors {:?} style {:?} faults {:?}",
            self.seed, self.brokers, self.partitions, self.assignors, self.style, self.faults
        ));
        for _ in 0..steps {
            self.step += 1;
            self.act();
            self.zombie_and_delay_faults();
            self.poll_round();
            let ms = 10 + self.prng.below(2_000) as i64;
            self.cluster.advance(ms);
            self.collect_acks();
            self.check_ownership();
            self.check_group_rules();
            if self.trace.is_some() {
                self.note_state();
            }
            if self.violation.is_some() {
                break;
            }
        }
        let converged_after = if self.violation.is_none() {
            self.converge()
        } else {
            None
        };
        let lost = self.count_lost();
        let processed = self
            .acked
            .iter()
            .map(|(p, offsets)| {
                offsets
                    .iter()
                    .filter(|o| self.processed.contains_key(&(*p, **o)))
                    .count() as u64
            })
            .sum();
        let report = GroupSimReport {
            seed: self.seed,
            brokers: self.brokers,
            partitions: self.partitions,
            assignors: self.assignors.clone(),
            consumers_started: self.consumers_started,
            acked_records: self.acked_records,
            processed,
            duplicates: self.duplicates,
            lost,
            rebalances: self.rebalances,
            converged_after,
            violation: self.violation.clone(),
            trace_hash: self.trace_hash,
        };
        (report, self.trace.unwrap_or_default())
    }

    /// Acknowledged records never processed, below the group's committed offset.
    fn count_lost(&self) -> u64 {
        let Ok(rows) = self.cluster.describe_group_offsets(GROUP) else {
            return 0;
        };
        let committed: BTreeMap<u32, i64> = rows
            .iter()
            .filter_map(|r| Some((r.partition.partition, r.committed?)))
            .collect();
        self.acked
            .iter()
            .map(|(partition, offsets)| {
                let below = committed.get(partition).copied().unwrap_or(0);
                offsets
                    .iter()
                    .filter(|o| **o < below && !self.processed.contains_key(&(*partition, **o)))
                    .count() as u64
            })
            .sum()
    }

    /// Heals, restarts every broker, keeps polling until everything acknowledged is processed
    /// (at-least-once style) or committed (auto-commit style).
    fn converge(&mut self) -> Option<u32> {
        self.cluster.heal();
        for broker in 0..self.brokers {
            if self.cluster.restart_broker(broker).is_ok() {
                self.note(&format!("broker {broker} restarted (liveness)"));
            }
        }
        for app in self.apps.values_mut() {
            app.cut_off = false;
        }
        for step in 1..=GROUP_CONVERGENCE_STEPS_MAX {
            self.step += 1;
            let live = self.apps.iter().any(|(client, app)| {
                !app.closing
                    && self
                        .cluster
                        .consumer(*client)
                        .is_some_and(|c| !c.is_closed())
            });
            if !live {
                self.start_consumer();
            }
            self.poll_round();
            self.cluster.advance(LIVENESS_STEP_MS);
            self.collect_acks();
            self.check_ownership();
            self.check_group_rules();
            if self.violation.is_some() {
                return None;
            }
            if self.trace.is_some() {
                self.note_state();
            }
            if self.converged() {
                self.note(&format!("converged after {step} liveness steps"));
                return Some(step);
            }
        }
        let missing = self.unprocessed();
        self.fail(
            ViolationKind::GroupNoConvergence,
            format!(
                "not converged after {GROUP_CONVERGENCE_STEPS_MAX} steps; unprocessed {missing:?}"
            ),
        );
        None
    }

    fn unprocessed(&self) -> Vec<(u32, i64)> {
        self.acked
            .iter()
            .flat_map(|(p, offsets)| offsets.iter().map(move |o| (*p, *o)))
            .filter(|key| !self.processed.contains_key(key))
            .take(10)
            .collect()
    }

    fn converged(&self) -> bool {
        let Ok(description) = self.cluster.describe_group(GROUP) else {
            return false;
        };
        if description.state != GroupState::Stable {
            return false;
        }
        let Ok(rows) = self.cluster.describe_group_offsets(GROUP) else {
            return false;
        };
        let committed_to_end = (0..self.partitions).all(|p| {
            rows.iter()
                .any(|r| r.partition.partition == p && r.committed.is_some() && r.lag == Some(0))
                || !self.acked.contains_key(&p)
        });
        match self.style {
            CommitStyle::AfterProcessing => committed_to_end && self.unprocessed().is_empty(),
            CommitStyle::AutoCommitAsyncProcessing => {
                committed_to_end && self.apps.values().all(|a| a.queue.is_empty())
            }
        }
    }
}
