//! A deterministic simulator of the replicated cluster, in the manner of TigerBeetle's VOPR and
//! Kafka's `RaftEventSimulationTest`: one seed chooses the cluster, the topics, a workload of
//! produces with every `acks` setting and a fault schedule; every step runs one action and then
//! advances time, and the invariants below are checked after **every** step.
//!
//! ```text
//! run(seed, steps, profile)
//!   setup     brokers 3..=9 (rarely 1..=2), topics 1..=3 × partitions 1..=4, rf 1..=min(3, n)
//!   faults    `steps` × (one action: produce | kill | restart | cut | heal | slow | nothing,
//!                        then advance 1 ms .. 10 s) — invariants after each step
//!   liveness  heal, restart every broker, then up to CONVERGENCE_STEPS_MAX steps of
//!             CONVERGENCE_STEP_MS until converged — invariants after each step
//! ```
//!
//! # Invariants (as implemented)
//!
//! "The leader" of a partition below is the broker the controller registers as leader, when
//! that broker is running and its replica already knows it leads that leader epoch
//! ([`ReplicaRole::Leader`] with the registration's epoch). Between an election and the
//! metadata reaching the new leader a partition has no leader, and checks that need one wait.
//!
//! - **(a) Acknowledged records are never lost or changed.** Every produce answered `Ok` with
//!   `acks=all` (and under [`SafetyProfile::Unsafe`] also with `acks=1`) records its
//!   (offset, key, value). Whenever the partition has a leader, every such record must be in the
//!   leader's log at its offset with the same key and value (*lost* when the log has no record
//!   there, *changed* when it holds another). When the leader's high watermark is above the
//!   offset, the record must also be readable as a consumer reads ([`PartitionLog::read`]).
//!   The check is repeated for every record whenever the leader or its epoch changes.
//! - **(b) The high watermark never decreases per leader**: for each (broker, topic,
//!   partition, leader epoch) in which a replica has the leader role, its high watermark never
//!   moves down (`docs/kafka-facts.md` §9.2: it may drop across leaders, not within one).
//! - **(c) At most one leader per partition per epoch**: `LeaderElected` events never name two
//!   leaders (or a leader and none) for the same epoch, and a replica in the leader role for
//!   an epoch is the one elected for it; no two brokers ever hold the leader role for the same
//!   partition and epoch.
//! - **(d) In-sync replicas agree with the leader**: for every replica in the controller's ISR
//!   other than the leader, the records below `min(leader HW, replica LEO)` are the leader's:
//!   same offsets, keys, values, timestamps and batch leader epochs.
//! - **(e) Offsets are unique and strictly increasing** in every running replica's log, and
//!   its batches reach its log end offset (a log end past the last batch is a hole a later
//!   fetch would skip).
//! - **(d′) In-sync replicas hold everything below the high watermark**: an ISR member the
//!   controller knows in its current incarnation has a log end at or above the leader's high
//!   watermark, and (d) holds up to that watermark.
//! - **(g) `acks=all` is acknowledged only when replicated**: at the instant the leader sends
//!   an `acks=all` success, at least `min(min.insync.replicas, replicas)` replicas (running
//!   or stopped, the leader included) hold the batch byte-identical ([`Audit`] records it).
//! - **(h) Followers join the ISR only at or above the high watermark**: when the controller
//!   commits an ISR that adds a broker, that broker's log end is at or above the leader's
//!   high watermark.
//! - **(i) `logStartOffset ≤ HW ≤ LEO`** on every running replica after every step.
//! - **Convergence**: after the fault phase, once healed and with every broker restarted, within
//!   [`CONVERGENCE_STEPS_MAX`] steps every partition has a leader, ISR == replicas, and every
//!   replica's log end offset and high watermark equal the leader's log end offset.

pub mod groups;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::cluster::{
    Acks, Audit, Cluster, ClusterConfig, ClusterEvent, InjectedBug, NodeId, ReplicaRole,
};
use crate::log::PartitionLog;
use crate::prng::{Prng, splitmix64};
use crate::record::{NewRecord, decode_batches};

/// The most steps one run may take (fault phase); a larger request panics.
pub const MAX_STEPS: u32 = 1_000_000;

/// The most steps the liveness phase may take before a run is a violation.
pub const CONVERGENCE_STEPS_MAX: u32 = 600;

/// The time each liveness step advances.
pub const CONVERGENCE_STEP_MS: i64 = 250;

/// The cluster's clock at the start of every run (any fixed value would do).
const START_MS: i64 = 1_700_000_000_000;

/// The most clients one run uses.
const CLIENTS_MAX: u64 = 6;

/// Which guarantees the run holds the cluster to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SafetyProfile {
    /// What Kafka promises is safe: clean elections only (`unclean.leader.election.enable =
    /// false`), and only `acks=all` answers count as acknowledged.
    Safe,
    /// Configurations Kafka documents as unsafe: `unclean.leader.election.enable = true`,
    /// `min.insync.replicas = 1`, and `acks=1` answers count as acknowledged too. The checker
    /// is expected to find lost acknowledged records here.
    Unsafe,
}

/// Which invariant a run broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    /// (a) An acknowledged record is missing from the leader's log.
    AckedRecordLost,
    /// (a) The leader holds another record at an acknowledged offset.
    AckedRecordChanged,
    /// (a) An acknowledged record below the leader's high watermark cannot be read.
    AckedRecordUnreadable,
    /// (a) A produce answer names offsets that do not fit its batch.
    BadAcknowledgement,
    /// (b) A leader's high watermark moved backwards within its epoch.
    HighWatermarkDecreased,
    /// (c) Two leaders (or a leader and none) for one partition and epoch.
    TwoLeadersInEpoch,
    /// (d) An in-sync replica's log differs from the leader's below the high watermark.
    ReplicaDiverged,
    /// (e) A log's offsets are not strictly increasing.
    OffsetsNotIncreasing,
    /// (e) A log's end offset is past the records it holds: no batch holds an offset below it.
    LogEndBeyondRecords,
    /// The healed cluster did not converge within [`CONVERGENCE_STEPS_MAX`] steps.
    NoConvergence,
    /// (f) Two members of a group's current generation own one partition.
    TwoOwners,
    /// A record was processed twice in a run without any failure (commit after processing),
    /// although no commit covering its first processing failed.
    DuplicateWithoutFailure,
    /// The group did not process and commit everything acknowledged after healing.
    GroupNoConvergence,
    /// (g) An `acks=all` produce was acknowledged while fewer than
    /// `min(min.insync.replicas, replicas)` replicas held it.
    AckedUnderReplicated,
    /// (h) The controller added a follower to the ISR below the leader's high watermark.
    IsrJoinedBelowHighWatermark,
    /// (i) A running replica's log start, high watermark and log end are out of order.
    LogBoundsBroken,
    /// (j) A group completed a rebalance without a newer generation.
    GenerationNotIncreasing,
    /// (k) A coordinator accepted an offset commit from outside the current generation, or
    /// for a partition the member does not own.
    InvalidCommitAccepted,
    /// (l) A group's committed offset moved backwards with no reset or delete.
    CommittedOffsetDecreased,
}

/// The first invariant violation of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The step after which it was found (fault-phase steps count from 1; liveness steps
    /// continue the count).
    pub step: u32,
    /// Which invariant.
    pub kind: ViolationKind,
    /// What was seen, readable.
    pub description: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "step {}: {:?}: {}",
            self.step, self.kind, self.description
        )
    }
}

/// What a run did and found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimReport {
    /// The seed.
    pub seed: u64,
    /// The profile.
    pub profile: SafetyProfile,
    /// Brokers in the cluster.
    pub brokers: u32,
    /// Steps run, fault phase and liveness phase together.
    pub steps_run: u32,
    /// Liveness steps until the cluster converged (`None` when it did not get there).
    pub converged_after: Option<u32>,
    /// FNV-1a 64 of the readable trace: the same seed gives the same hash.
    pub trace_hash: u64,
    /// The first violation, if any (the run stops there).
    pub violation: Option<Violation>,
    /// Network messages delivered.
    pub deliveries: u64,
    /// Network messages dropped (cut links, crashed nodes).
    pub dropped: u64,
    /// Produce requests sent.
    pub produces: u64,
    /// Records acknowledged and tracked by invariant (a).
    pub acked_records: u64,
    /// Simulated time, in milliseconds.
    pub simulated_ms: i64,
}

/// Runs one seed. See the module docs.
///
/// # Panics
/// If `steps > MAX_STEPS`.
pub fn run(seed: u64, steps: u32, profile: SafetyProfile) -> SimReport {
    Simulation::new(seed, profile, false, None).run(steps).0
}

/// [`run`] (or [`run_traced`] when `traced`) with a deliberate engine bug: for tests and
/// sweeps proving the checker catches it.
#[doc(hidden)]
pub fn run_with_bug(
    seed: u64,
    steps: u32,
    profile: SafetyProfile,
    bug: Option<InjectedBug>,
    traced: bool,
) -> (SimReport, String) {
    Simulation::new(seed, profile, traced, bug).run(steps)
}

/// [`run`], also returning the readable trace (every step's action, the cluster's events and
/// the produce answers, and the violation if any). Its FNV-1a 64 is the report's `trace_hash`.
pub fn run_traced(seed: u64, steps: u32, profile: SafetyProfile) -> (SimReport, String) {
    Simulation::new(seed, profile, true, None).run(steps)
}

/// FNV-1a 64 (offset basis and prime from the reference), folding `bytes` into `hash`.
pub fn fnv1a64(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// FNV-1a 64's offset basis.
pub const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

#[derive(Clone, Debug)]
struct TopicPlan {
    name: String,
    partitions: u32,
    replication_factor: u32,
    min_insync_replicas: u32,
}

/// Per-step weights of each action, out of their sum.
#[derive(Clone, Copy, Debug)]
struct Weights {
    produce: u64,
    kill: u64,
    restart: u64,
    cut: u64,
    heal: u64,
    slow: u64,
    idle: u64,
}

#[derive(Clone, Debug)]
enum Action {
    Produce {
        client: u32,
        topic: String,
        partition: u32,
        acks: Acks,
        records: Vec<NewRecord>,
    },
    Kill(u32),
    /// A controlled shutdown (`kafka-server-stop`): the broker asks the controller through its
    /// heartbeats, its leaderships move, and it stops once the controller lets it go.
    Shutdown(u32),
    /// A power loss and reboot: the broker stops, the stored logs it holds lose their
    /// unflushed tail (whole batches, or a torn last batch) where another in-sync copy
    /// exists, and it starts again at once.
    PowerCycle(u32),
    Restart(u32),
    /// A restart reading a stale high-watermark checkpoint (written before the last ones).
    RestartStale(u32),
    Cut(Vec<NodeId>, Vec<NodeId>),
    Heal,
    Slow(NodeId, i64),
    Idle,
}

/// One acknowledged record to keep checking.
#[derive(Clone, Debug)]
struct Acked {
    offset: i64,
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    kv: u64,
    acks: Acks,
    step: u32,
    request: u64,
}

/// Acknowledged records of one partition and how far they are checked under the current
/// leader.
#[derive(Clone, Debug, Default)]
struct AckedPartition {
    records: Vec<Acked>,
    /// (leader, epoch) the `held`/`readable` marks below were checked against.
    checked_under: Option<(u32, i32)>,
    /// Per record: seen in the leader's log / read below its high watermark.
    held: Vec<bool>,
    readable: Vec<bool>,
}

/// A record's fingerprint in a replica cache.
#[derive(Clone, Copy, Debug)]
struct RecordPrint {
    offset: i64,
    epoch: i32,
    /// FNV-1a 64 of key and value (with null markers).
    kv: u64,
    /// Hash of every record up to and including this one: equal prefixes, equal hashes.
    cumulative: u64,
}

/// What the checker has decoded of one replica's log.
#[derive(Clone, Debug)]
struct ReplicaCache {
    log_start: i64,
    /// Offset the next decode starts from (a batch boundary).
    next_offset: i64,
    records: Vec<RecordPrint>,
}

fn kv_hash(key: Option<&[u8]>, value: Option<&[u8]>) -> u64 {
    let mut hash = FNV_OFFSET_BASIS;
    for part in [key, value] {
        match part {
            None => hash = fnv1a64(hash, &[0]),
            Some(bytes) => {
                hash = fnv1a64(hash, &[1]);
                hash = fnv1a64(hash, &(bytes.len() as u64).to_le_bytes());
                hash = fnv1a64(hash, bytes);
            }
        }
    }
    hash
}

fn show_bytes(bytes: Option<&[u8]>) -> String {
    match bytes {
        None => "null".to_owned(),
        Some(b) => format!("{:?}", String::from_utf8_lossy(b)),
    }
}

fn acks_name(acks: Acks) -> &'static str {
    match acks {
        Acks::None => "0",
        Acks::Leader => "1",
        Acks::All => "all",
    }
}

struct Simulation {
    seed: u64,
    profile: SafetyProfile,
    prng: Prng,
    cluster: Cluster,
    brokers: u32,
    topics: Vec<TopicPlan>,
    weights: Weights,
    step: u32,
    trace: Option<String>,
    trace_hash: u64,
    line: String,
    /// Requests whose answer counts, by id: (topic, partition, acks, records, step).
    pending: BTreeMap<u64, (String, u32, Acks, Vec<NewRecord>)>,
    acked: BTreeMap<(String, u32), AckedPartition>,
    acked_records: u64,
    produces: u64,
    /// (b): per (broker, topic, partition, epoch), the highest high watermark seen.
    leader_hw: BTreeMap<(u32, String, u32, i32), i64>,
    /// (c): per (topic, partition, epoch), the leader elected (from events).
    elected: BTreeMap<(String, u32, i32), Option<u32>>,
    /// (c): per (topic, partition, epoch), the broker seen in the leader role.
    leader_roles: BTreeMap<(String, u32, i32), u32>,
    caches: BTreeMap<(u32, String, u32), ReplicaCache>,
    violation: Option<Violation>,
    /// Draws the disk faults (power cycles, stale checkpoints) apart from `prng`, so that a
    /// seed whose disk faults are off runs exactly as before they existed.
    fault_prng: Prng,
    /// Percent of kills that are power cycles instead, and of restarts that read a stale
    /// checkpoint (0 and 0: disk faults are off for this seed).
    power_cycle_percent: u64,
    stale_restart_percent: u64,
    /// Kills that are controlled shutdowns instead, and the draws that pick them.
    shutdown_percent: u64,
    shutdown_prng: Prng,
    /// Power-cycled brokers the controller has not re-registered yet: until it has, kills
    /// and cuts wait (the fault model: one lossy broker at a time, its copies elsewhere safe).
    lossy: std::collections::BTreeSet<u32>,
    /// A cut was made and not healed since.
    cuts_active: bool,
    /// Per (broker, topic, partition): the records a power cycle took from that replica. A
    /// leader that counted the follower's fetch before the loss may still acknowledge them;
    /// for (g) the follower held them (Kafka's model: a replica that fetched a record has it).
    lost: BTreeMap<(u32, String, u32), Vec<RecordPrint>>,
}

impl Simulation {
    fn new(seed: u64, profile: SafetyProfile, traced: bool, bug: Option<InjectedBug>) -> Self {
        let mut prng = Prng::new(seed);
        let brokers = if prng.chance(1, 20) {
            1 + prng.below(2) as u32
        } else {
            3 + prng.below(7) as u32
        };
        let topic_count = 1 + prng.below(3) as u32;
        let rf_max = brokers.min(3);
        let topics: Vec<TopicPlan> = (0..topic_count)
            .map(|i| {
                let replication_factor = 1 + prng.below(u64::from(rf_max)) as u32;
                let min_insync_replicas = match profile {
                    SafetyProfile::Safe => 1 + prng.below(u64::from(replication_factor)) as u32,
                    SafetyProfile::Unsafe => 1,
                };
                TopicPlan {
                    name: format!("t{i}"),
                    partitions: 1 + prng.below(4) as u32,
                    replication_factor,
                    min_insync_replicas,
                }
            })
            .collect();
        // Swarm testing: each kind of fault is on or off for the whole run, with its own rate.
        let mut rate = |on: (u64, u64), low: u64, high: u64| {
            if prng.chance(on.0, on.1) {
                low + prng.below(high - low + 1)
            } else {
                0
            }
        };
        let weights = Weights {
            produce: rate((1, 1), 300, 800),
            kill: rate((4, 5), 5, 40),
            restart: rate((1, 1), 10, 60),
            cut: rate((2, 3), 5, 40),
            heal: rate((1, 1), 10, 50),
            slow: rate((1, 2), 5, 30),
            idle: rate((1, 1), 50, 300),
        };
        let mut fault_prng = Prng::new(splitmix64(seed ^ 0xd15c_fa17_0000_0000));
        let (power_cycle_percent, stale_restart_percent) = if fault_prng.chance(2, 3) {
            (10 + fault_prng.below(41), 10 + fault_prng.below(41))
        } else {
            (0, 0)
        };
        let mut shutdown_prng = Prng::new(splitmix64(seed ^ 0x5707_c0de_0000_0000));
        let shutdown_percent = if shutdown_prng.chance(1, 2) {
            10 + shutdown_prng.below(31)
        } else {
            0
        };
        let cluster_seed = splitmix64(seed ^ 0x5eed_c1a5_7e40_0000);
        let mut cluster = Cluster::new(ClusterConfig::new(brokers, cluster_seed), START_MS)
            .expect("1..=9 brokers is a valid cluster size");
        cluster.enable_audit();
        if let Some(bug) = bug {
            cluster.inject_bug(bug);
        }
        Self {
            seed,
            profile,
            prng,
            cluster,
            brokers,
            topics,
            weights,
            step: 0,
            trace: traced.then(String::new),
            trace_hash: FNV_OFFSET_BASIS,
            line: String::new(),
            pending: BTreeMap::new(),
            acked: BTreeMap::new(),
            acked_records: 0,
            produces: 0,
            leader_hw: BTreeMap::new(),
            elected: BTreeMap::new(),
            leader_roles: BTreeMap::new(),
            caches: BTreeMap::new(),
            violation: None,
            fault_prng,
            power_cycle_percent,
            stale_restart_percent,
            shutdown_percent,
            shutdown_prng,
            lossy: std::collections::BTreeSet::new(),
            cuts_active: false,
            lost: BTreeMap::new(),
        }
    }

    /// Turns some kills into controlled shutdowns or power cycles and some restarts into
    /// stale-checkpoint restarts; while a power-cycled broker is not re-registered, kills and
    /// cuts wait.
    fn with_disk_faults(&mut self, action: Action) -> Action {
        let cluster = &self.cluster;
        self.lossy
            .retain(|b| !cluster.is_registered_incarnation(*b));
        if !self.lossy.is_empty() && matches!(action, Action::Kill(_) | Action::Cut(..)) {
            return Action::Idle;
        }
        match action {
            Action::Kill(broker)
                if self.shutdown_percent > 0
                    && self.shutdown_prng.below(100) < self.shutdown_percent =>
            {
                Action::Shutdown(broker)
            }
            Action::Kill(broker)
                if self.power_cycle_percent > 0
                    && !self.cuts_active
                    && self.fault_prng.below(100) < self.power_cycle_percent =>
            {
                Action::PowerCycle(broker)
            }
            Action::Restart(broker)
                if self.stale_restart_percent > 0
                    && self.fault_prng.below(100) < self.stale_restart_percent =>
            {
                Action::RestartStale(broker)
            }
            other => other,
        }
    }

    /// The partitions of `broker` whose stored tail may be lost: another ISR member holds
    /// their acknowledged records and will stay in the ISR (it runs, is registered in its
    /// current incarnation, unfenced, heartbeating recently, and not itself power-cycled).
    fn lossable_partitions(&self, broker: u32) -> Vec<(String, u32)> {
        let now = self.cluster.now();
        let fresh = self.cluster.config().session_timeout_ms - 4_000;
        self.cluster
            .partitions()
            .into_iter()
            .filter(|(topic, partition)| {
                let Some(registration) = self.cluster.registration(topic, *partition) else {
                    return false;
                };
                registration.replicas.contains(&broker)
                    && registration.isr.iter().any(|other| {
                        *other != broker
                            && self.cluster.is_alive(*other)
                            && self.cluster.is_registered_incarnation(*other)
                            && !self.cluster.is_fenced(*other)
                            && !self.lossy.contains(other)
                            && self
                                .cluster
                                .last_heartbeat(*other)
                                .is_some_and(|at| now - at < fresh)
                    })
            })
            .collect()
    }

    /// Power-cycles `broker` (see [`Action::PowerCycle`]); returns what it did, readable.
    fn power_cycle(&mut self, broker: u32) -> String {
        let partitions = self.lossable_partitions(broker);
        let prng = &mut self.fault_prng;
        let mut torn = 0u32;
        let result = self
            .cluster
            .crash_broker_losing_tails(broker, &partitions, |bytes| {
                let ends: Vec<usize> = {
                    let mut at = 0usize;
                    decode_batches(bytes)
                        .map_while(Result::ok)
                        .map(|b| {
                            at += b.as_bytes().len();
                            at
                        })
                        .collect()
                };
                if ends.is_empty() {
                    return bytes.len();
                }
                let lose = 1 + prng.below(ends.len().min(3) as u64) as usize;
                let keep_batches = ends.len() - lose;
                let mut keep = if keep_batches == 0 {
                    0
                } else {
                    ends[keep_batches - 1]
                };
                if prng.chance(1, 2) {
                    let next = ends[keep_batches] - keep;
                    keep += 1 + prng.below(next.saturating_sub(1).max(1) as u64) as usize;
                    torn += 1;
                }
                keep.min(bytes.len())
            });
        match result {
            Ok(cut) => {
                for (topic, partition) in &cut {
                    let key = (broker, topic.clone(), *partition);
                    let Some(cache) = self.caches.get(&key) else {
                        continue;
                    };
                    let kept = self
                        .cluster
                        .stored_log_end(broker, topic, *partition)
                        .unwrap_or(0);
                    let gone: Vec<RecordPrint> = cache
                        .records
                        .iter()
                        .filter(|r| r.offset >= kept)
                        .copied()
                        .collect();
                    self.lost.insert(key, gone);
                }
                let restarted = self.cluster.restart_broker(broker);
                if !cut.is_empty() {
                    self.lossy.insert(broker);
                }
                format!(
                    "power cycle broker {broker}: tails lost on {cut:?} ({torn} torn), restart {restarted:?}"
                )
            }
            Err(error) => format!("power cycle broker {broker}: {error:?}"),
        }
    }

    /// Restarts `broker` with a stale checkpoint: each high watermark it stored is replaced
    /// by a lower one.
    fn restart_stale(&mut self, broker: u32) -> String {
        let mut stale = Vec::new();
        for (topic, partition) in self.cluster.partitions() {
            if let Some(hw) = self
                .cluster
                .checkpointed_high_watermark(broker, &topic, partition)
                && hw > 0
            {
                let older = self.fault_prng.below(hw as u64) as i64;
                self.cluster
                    .stale_checkpoint(broker, &topic, partition, older);
                stale.push(format!("{topic}-{partition} {hw}->{older}"));
            }
        }
        let result = self.cluster.restart_broker(broker);
        format!(
            "restart broker {broker} with stale checkpoints [{}]: {result:?}",
            stale.join(", ")
        )
    }

    /// Appends `self.line` (one trace line) to the hash and, when traced, to the text.
    fn emit(&mut self) {
        self.line.push('\n');
        self.trace_hash = fnv1a64(self.trace_hash, self.line.as_bytes());
        if let Some(trace) = self.trace.as_mut() {
            trace.push_str(&self.line);
        }
        self.line.clear();
    }

    fn run(mut self, steps: u32) -> (SimReport, String) {
        assert!(
            steps <= MAX_STEPS,
            "a run has at most MAX_STEPS = {MAX_STEPS} steps, {steps} were asked for"
        );
        self.setup();
        let mut converged_after = None;
        while self.violation.is_none() && self.step < steps {
            self.step += 1;
            let action = self.choose_action();
            let advance_ms = self.choose_advance();
            let action = self.with_disk_faults(action);
            self.apply(&action, advance_ms);
            self.check();
        }
        if self.violation.is_none() {
            converged_after = self.liveness();
        }
        if let Some(violation) = self.violation.clone() {
            let _ = write!(self.line, "VIOLATION {violation}");
            self.emit();
        }
        let (deliveries, dropped) = self.cluster.network_counts();
        let report = SimReport {
            seed: self.seed,
            profile: self.profile,
            brokers: self.brokers,
            steps_run: self.step,
            converged_after,
            trace_hash: self.trace_hash,
            violation: self.violation,
            deliveries,
            dropped,
            produces: self.produces,
            acked_records: self.acked_records,
            simulated_ms: self.cluster.now() - START_MS,
        };
        (report, self.trace.unwrap_or_default())
    }

    fn setup(&mut self) {
        let _ = write!(
            self.line,
            "seed {} profile {:?} brokers {} weights {:?}",
            self.seed, self.profile, self.brokers, self.weights
        );
        self.emit();
        let unclean = self.profile == SafetyProfile::Unsafe;
        for topic in self.topics.clone() {
            let configs = vec![
                (
                    "min.insync.replicas".to_owned(),
                    topic.min_insync_replicas.to_string(),
                ),
                (
                    "unclean.leader.election.enable".to_owned(),
                    unclean.to_string(),
                ),
            ];
            let created = self.cluster.create_topic(
                &topic.name,
                topic.partitions,
                topic.replication_factor,
                &configs,
            );
            let _ = write!(
                self.line,
                "create topic {} partitions {} rf {} min.insync.replicas {} unclean {unclean}: {created:?}",
                topic.name, topic.partitions, topic.replication_factor, topic.min_insync_replicas
            );
            self.emit();
        }
        self.cluster.advance(100);
        self.drain();
        self.check();
    }

    fn choose_action(&mut self) -> Action {
        let w = self.weights;
        let total = w.produce + w.kill + w.restart + w.cut + w.heal + w.slow + w.idle;
        let mut roll = self.prng.below(total);
        let mut pick = |weight: u64| {
            if roll < weight {
                true
            } else {
                roll -= weight;
                false
            }
        };
        if pick(w.produce) {
            return self.choose_produce();
        }
        if pick(w.kill) {
            return self.choose_kill();
        }
        if pick(w.restart) {
            let dead: Vec<u32> = (0..self.brokers)
                .filter(|b| !self.cluster.is_alive(*b))
                .collect();
            if dead.is_empty() {
                return Action::Idle;
            }
            return Action::Restart(dead[self.prng.below(dead.len() as u64) as usize]);
        }
        if pick(w.cut) {
            return self.choose_cut();
        }
        if pick(w.heal) {
            return Action::Heal;
        }
        if pick(w.slow) {
            let node = self.random_node();
            let extra_ms = 1 + self.prng.below(2_000) as i64;
            return Action::Slow(node, extra_ms);
        }
        Action::Idle
    }

    fn choose_produce(&mut self) -> Action {
        let topic = &self.topics[self.prng.below(self.topics.len() as u64) as usize];
        let name = topic.name.clone();
        let partition = self.prng.below(u64::from(topic.partitions)) as u32;
        let client = self.prng.below(CLIENTS_MAX) as u32;
        let acks = match (self.profile, self.prng.below(4)) {
            (_, 0) => Acks::None,
            (SafetyProfile::Safe, 1) | (SafetyProfile::Unsafe, 1 | 2) => Acks::Leader,
            _ => Acks::All,
        };
        let count = 1 + self.prng.below(3) as usize;
        let produced = self.produces;
        let records = (0..count)
            .map(|i| NewRecord {
                key: Some(format!("c{client}").into_bytes()),
                value: Some(format!("p{produced}.{i}").into_bytes()),
                ..NewRecord::default()
            })
            .collect();
        Action::Produce {
            client,
            topic: name,
            partition,
            acks,
            records,
        }
    }

    fn choose_kill(&mut self) -> Action {
        // Half the time the leader of a random partition: that is where acknowledgements die.
        if self.prng.chance(1, 2) {
            let partitions = self.cluster.partitions();
            if !partitions.is_empty() {
                let (topic, partition) =
                    &partitions[self.prng.below(partitions.len() as u64) as usize];
                if let Some(leader) = self
                    .cluster
                    .registration(topic, *partition)
                    .and_then(|r| r.leader)
                    && self.cluster.is_alive(leader)
                {
                    return Action::Kill(leader);
                }
            }
        }
        let alive: Vec<u32> = (0..self.brokers)
            .filter(|b| self.cluster.is_alive(*b))
            .collect();
        if alive.is_empty() {
            return Action::Idle;
        }
        Action::Kill(alive[self.prng.below(alive.len() as u64) as usize])
    }

    fn random_node(&mut self) -> NodeId {
        let nodes = 1 + u64::from(self.brokers) + CLIENTS_MAX;
        match self.prng.below(nodes) {
            0 => NodeId::Controller,
            n if n <= u64::from(self.brokers) => NodeId::Broker(n as u32 - 1),
            n => NodeId::Client((n - 1 - u64::from(self.brokers)) as u32),
        }
    }

    fn choose_cut(&mut self) -> Action {
        let brokers: Vec<NodeId> = (0..self.brokers).map(NodeId::Broker).collect();
        let clients: Vec<NodeId> = (0..CLIENTS_MAX as u32).map(NodeId::Client).collect();
        match self.prng.below(4) {
            // One broker alone.
            0 => {
                let alone = NodeId::Broker(self.prng.below(u64::from(self.brokers)) as u32);
                let rest: Vec<NodeId> = std::iter::once(NodeId::Controller)
                    .chain(brokers.iter().copied())
                    .chain(clients.iter().copied())
                    .filter(|n| *n != alone)
                    .collect();
                Action::Cut(vec![alone], rest)
            }
            // The controller from some brokers.
            1 => {
                let some: Vec<NodeId> = brokers
                    .iter()
                    .copied()
                    .filter(|_| self.prng.chance(1, 2))
                    .collect();
                Action::Cut(vec![NodeId::Controller], some)
            }
            // Some clients from some brokers.
            2 => {
                let some_clients: Vec<NodeId> = clients
                    .iter()
                    .copied()
                    .filter(|_| self.prng.chance(1, 2))
                    .collect();
                let some_brokers: Vec<NodeId> = brokers
                    .iter()
                    .copied()
                    .filter(|_| self.prng.chance(1, 2))
                    .collect();
                Action::Cut(some_clients, some_brokers)
            }
            // Any two sides of every node.
            _ => {
                let mut a = Vec::new();
                let mut b = Vec::new();
                for node in std::iter::once(NodeId::Controller)
                    .chain(brokers)
                    .chain(clients)
                {
                    if self.prng.chance(1, 2) {
                        a.push(node);
                    } else {
                        b.push(node);
                    }
                }
                Action::Cut(a, b)
            }
        }
    }

    fn choose_advance(&mut self) -> i64 {
        match self.prng.below(20) {
            0 => 1_000 + self.prng.below(9_001) as i64,
            1..=5 => 100 + self.prng.below(901) as i64,
            _ => 1 + self.prng.below(100) as i64,
        }
    }

    fn apply(&mut self, action: &Action, advance_ms: i64) {
        let _ = write!(
            self.line,
            "step {} t+{} ",
            self.step,
            self.cluster.now() - START_MS
        );
        match action {
            Action::Produce {
                client,
                topic,
                partition,
                acks,
                records,
            } => {
                self.produces += 1;
                let request =
                    self.cluster
                        .produce(*client, topic, *partition, *acks, records.clone());
                let values: Vec<String> = records
                    .iter()
                    .map(|r| show_bytes(r.value.as_deref()))
                    .collect();
                let _ = write!(
                    self.line,
                    "produce #{request} client {client} {topic}-{partition} acks={} [{}]",
                    acks_name(*acks),
                    values.join(", ")
                );
                let counts = matches!(
                    (acks, self.profile),
                    (Acks::All, _) | (Acks::Leader, SafetyProfile::Unsafe)
                );
                if counts {
                    self.pending
                        .insert(request, (topic.clone(), *partition, *acks, records.clone()));
                }
            }
            Action::Kill(broker) => {
                let result = self.cluster.kill_broker(*broker);
                let _ = write!(self.line, "kill broker {broker}: {result:?}");
            }
            Action::Shutdown(broker) => {
                let result = self.cluster.shutdown_broker(*broker);
                let _ = write!(
                    self.line,
                    "controlled shutdown of broker {broker}: {result:?}"
                );
            }
            Action::Restart(broker) => {
                let result = self.cluster.restart_broker(*broker);
                let _ = write!(self.line, "restart broker {broker}: {result:?}");
            }
            Action::PowerCycle(broker) => {
                let text = self.power_cycle(*broker);
                self.line.push_str(&text);
            }
            Action::RestartStale(broker) => {
                let text = self.restart_stale(*broker);
                self.line.push_str(&text);
            }
            Action::Cut(a, b) => {
                self.cuts_active = true;
                self.cluster.partition_network(a, b);
                let show = |side: &[NodeId]| {
                    side.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let _ = write!(self.line, "cut [{}] | [{}]", show(a), show(b));
            }
            Action::Heal => {
                self.cuts_active = false;
                self.cluster.heal();
                self.line.push_str("heal");
            }
            Action::Slow(node, extra_ms) => {
                self.cluster.slow(*node, *extra_ms);
                let _ = write!(self.line, "slow {node} +{extra_ms} ms");
            }
            Action::Idle => self.line.push_str("idle"),
        }
        let _ = write!(self.line, "; advance {advance_ms} ms");
        self.emit();
        self.cluster.advance(advance_ms);
        self.drain();
    }

    /// Takes the cluster's events and produce answers into the trace and the checker's state.
    fn drain(&mut self) {
        for event in self.cluster.poll_events() {
            let _ = write!(self.line, "  {event:?}");
            self.emit();
            self.observe_event(&event);
        }
        for outcome in self.cluster.poll_outcomes() {
            let _ = write!(
                self.line,
                "  answer #{} {}-{} acks={} {:?}",
                outcome.request,
                outcome.topic,
                outcome.partition,
                acks_name(outcome.acks),
                outcome.result
            );
            self.emit();
            let Some((topic, partition, acks, records)) = self.pending.remove(&outcome.request)
            else {
                continue;
            };
            let Ok((first, last)) = outcome.result else {
                continue;
            };
            if last - first + 1 != records.len() as i64 || topic != outcome.topic {
                self.fail(
                    ViolationKind::BadAcknowledgement,
                    format!(
                        "request #{} of {} records to {topic}-{partition} was answered with offsets {first}..={last}",
                        outcome.request,
                        records.len()
                    ),
                );
                continue;
            }
            let entry = self.acked.entry((topic, partition)).or_default();
            for (i, record) in records.into_iter().enumerate() {
                let kv = kv_hash(record.key.as_deref(), record.value.as_deref());
                entry.records.push(Acked {
                    offset: first + i as i64,
                    key: record.key,
                    value: record.value,
                    kv,
                    acks,
                    step: self.step,
                    request: outcome.request,
                });
                entry.held.push(false);
                entry.readable.push(false);
                self.acked_records += 1;
            }
        }
    }

    /// (g) and (h): what the cluster noted at the instant of an `acks=all` answer or an ISR
    /// expansion.
    fn check_audit(&mut self) {
        for audit in self.cluster.poll_audit() {
            match audit {
                Audit::AcksAllAnswered {
                    topic,
                    partition,
                    leader,
                    offsets,
                    holders,
                    replicas,
                    min_insync_replicas,
                } => {
                    let required = (min_insync_replicas as usize).min(replicas);
                    let lost_after_fetch =
                        self.lost_after_fetch(&topic, partition, leader, offsets);
                    if holders.len() + lost_after_fetch.len() < required {
                        self.fail(
                            ViolationKind::AckedUnderReplicated,
                            format!(
                                "{topic}-{partition} offsets {}..={}: leader {leader} acknowledged acks=all while only brokers {holders:?} held the batch (min.insync.replicas {min_insync_replicas}, {replicas} replicas)",
                                offsets.0, offsets.1
                            ),
                        );
                    }
                }
                Audit::IsrExpanded {
                    topic,
                    partition,
                    leader,
                    leader_high_watermark: Some(hw),
                    joined,
                } => {
                    for (broker, leo, known) in joined {
                        if let (Some(leo), true) = (leo, known)
                            && leo < hw
                        {
                            self.fail(
                                ViolationKind::IsrJoinedBelowHighWatermark,
                                format!(
                                    "{topic}-{partition}: broker {broker} joined the ISR with log end {leo}, below leader {leader:?}'s high watermark {hw}"
                                ),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Brokers whose copy of the batch at `offsets` (the same records as the leader's) was
    /// taken by a power cycle.
    fn lost_after_fetch(
        &self,
        topic: &str,
        partition: u32,
        leader: u32,
        offsets: (i64, i64),
    ) -> Vec<u32> {
        let Some(reference) = self.caches.get(&(leader, topic.to_owned(), partition)) else {
            return Vec::new();
        };
        let wanted: Vec<&RecordPrint> = reference
            .records
            .iter()
            .filter(|r| r.offset >= offsets.0 && r.offset <= offsets.1)
            .collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        self.lost
            .iter()
            .filter(|((_, t, p), _)| t == topic && *p == partition)
            .filter(|(_, gone)| {
                wanted.iter().all(|w| {
                    gone.iter()
                        .any(|g| g.offset == w.offset && g.epoch == w.epoch && g.kv == w.kv)
                })
            })
            .map(|((b, _, _), _)| *b)
            .collect()
    }

    fn observe_event(&mut self, event: &ClusterEvent) {
        match event {
            ClusterEvent::LeaderElected {
                topic,
                partition,
                leader,
                leader_epoch,
                ..
            } => {
                let key = (topic.clone(), *partition, *leader_epoch);
                match self.elected.get(&key) {
                    Some(before) if before != leader => {
                        let description = format!(
                            "{topic}-{partition} epoch {leader_epoch}: elected {before:?} and then {leader:?}"
                        );
                        self.fail(ViolationKind::TwoLeadersInEpoch, description);
                    }
                    _ => {
                        self.elected.insert(key, *leader);
                    }
                }
            }
            ClusterEvent::Truncated { broker, .. }
            | ClusterEvent::BrokerDown { broker, .. }
            | ClusterEvent::BrokerUp { broker } => {
                let broker = *broker;
                self.caches.retain(|(b, _, _), _| *b != broker);
            }
            _ => {}
        }
    }

    fn fail(&mut self, kind: ViolationKind, description: String) {
        if self.violation.is_none() {
            self.violation = Some(Violation {
                step: self.step,
                kind,
                description,
            });
        }
    }

    fn check(&mut self) {
        if self.violation.is_some() {
            return;
        }
        self.refresh_caches();
        self.check_audit();
        self.check_leaders_and_high_watermarks();
        self.check_acknowledged();
        self.check_in_sync_replicas();
    }

    /// Brings every running replica's cache up to its log end, checking (e) on the way.
    fn refresh_caches(&mut self) {
        let partitions = self.cluster.partitions();
        for broker in 0..self.brokers {
            if !self.cluster.is_alive(broker) {
                self.caches.retain(|(b, _, _), _| *b != broker);
                continue;
            }
            for (topic, partition) in &partitions {
                let Some((log, _)) = self.cluster.replica(broker, topic, *partition) else {
                    continue;
                };
                let (start, hw, end) = (
                    log.log_start_offset(),
                    log.high_watermark(),
                    log.log_end_offset(),
                );
                if !(start <= hw && hw <= end) {
                    self.fail(
                        ViolationKind::LogBoundsBroken,
                        format!(
                            "broker {broker} {topic}-{partition}: log start {start}, high watermark {hw}, log end {end}"
                        ),
                    );
                    return;
                }
                let key = (broker, topic.clone(), *partition);
                let valid = self
                    .caches
                    .get(&key)
                    .is_some_and(|cache| cache_still_matches(cache, log));
                if !valid {
                    self.caches.insert(
                        key.clone(),
                        ReplicaCache {
                            log_start: log.log_start_offset(),
                            next_offset: log.log_start_offset(),
                            records: Vec::new(),
                        },
                    );
                }
                let cache = self.caches.get_mut(&key).expect("inserted above");
                if let Err((kind, description)) = extend_cache(cache, log) {
                    let description = format!("broker {broker} {topic}-{partition}: {description}");
                    self.fail(kind, description);
                    return;
                }
            }
        }
    }

    /// (b) and (c) from the replicas' roles.
    fn check_leaders_and_high_watermarks(&mut self) {
        for (topic, partition) in self.cluster.partitions() {
            for broker in 0..self.brokers {
                let Some((log, ReplicaRole::Leader { epoch })) =
                    self.cluster.replica(broker, &topic, partition)
                else {
                    continue;
                };
                let hw = log.high_watermark();
                let key = (broker, topic.clone(), partition, epoch);
                if let Some(&before) = self.leader_hw.get(&key)
                    && hw < before
                {
                    self.fail(
                        ViolationKind::HighWatermarkDecreased,
                        format!(
                            "broker {broker} leading {topic}-{partition} in epoch {epoch}: high watermark {before} -> {hw}"
                        ),
                    );
                    return;
                }
                self.leader_hw.insert(key, hw);
                let role_key = (topic.clone(), partition, epoch);
                match self.elected.get(&role_key) {
                    Some(Some(elected)) if *elected == broker => {}
                    other => {
                        let description = format!(
                            "broker {broker} acts as leader of {topic}-{partition} in epoch {epoch}, but the election of that epoch chose {other:?}"
                        );
                        self.fail(ViolationKind::TwoLeadersInEpoch, description);
                        return;
                    }
                }
                match self.leader_roles.get(&role_key) {
                    Some(other) if *other != broker => {
                        let description = format!(
                            "brokers {other} and {broker} both acted as leader of {topic}-{partition} in epoch {epoch}"
                        );
                        self.fail(ViolationKind::TwoLeadersInEpoch, description);
                        return;
                    }
                    _ => {
                        self.leader_roles.insert(role_key, broker);
                    }
                }
            }
        }
    }

    /// (a): acknowledged records are held by the leader, and readable below its HW.
    fn check_acknowledged(&mut self) {
        let keys: Vec<(String, u32)> = self.acked.keys().cloned().collect();
        for (topic, partition) in keys {
            let Some((leader, epoch, log)) = leader_of(&self.cluster, &topic, partition) else {
                continue;
            };
            let hw = log.high_watermark();
            let Some(cache) = self.caches.get(&(leader, topic.clone(), partition)) else {
                continue;
            };
            let entry = self
                .acked
                .get_mut(&(topic.clone(), partition))
                .expect("keys were just read");
            if entry.checked_under != Some((leader, epoch)) {
                entry.checked_under = Some((leader, epoch));
                entry.held.iter_mut().for_each(|h| *h = false);
                entry.readable.iter_mut().for_each(|r| *r = false);
            }
            let mut failure = None;
            for (i, acked) in entry.records.iter().enumerate() {
                if !entry.held[i] {
                    let index = cache.records.partition_point(|r| r.offset < acked.offset);
                    match cache.records.get(index) {
                        Some(print) if print.offset == acked.offset && print.kv == acked.kv => {
                            entry.held[i] = true;
                        }
                        found => {
                            let kind = if found.is_some_and(|p| p.offset == acked.offset) {
                                ViolationKind::AckedRecordChanged
                            } else {
                                ViolationKind::AckedRecordLost
                            };
                            let held = read_one(log, acked.offset, false);
                            failure = Some((
                                kind,
                                format!(
                                    "{topic}-{partition} offset {}: record key {} value {} acknowledged with acks={} (request #{}, step {}) is not in leader {leader}'s log (epoch {epoch}, log end {}, high watermark {hw}); it holds {held}",
                                    acked.offset,
                                    show_bytes(acked.key.as_deref()),
                                    show_bytes(acked.value.as_deref()),
                                    acks_name(acked.acks),
                                    acked.request,
                                    acked.step,
                                    log.log_end_offset(),
                                ),
                            ));
                            break;
                        }
                    }
                }
                if entry.held[i] && !entry.readable[i] && acked.offset < hw {
                    let read = log.read(acked.offset, 1);
                    let found = read
                        .as_ref()
                        .ok()
                        .and_then(|f| f.records.iter().find(|r| r.offset == acked.offset));
                    match found {
                        Some(r) if r.key == acked.key && r.value == acked.value => {
                            entry.readable[i] = true;
                        }
                        _ => {
                            failure = Some((
                                ViolationKind::AckedRecordUnreadable,
                                format!(
                                    "{topic}-{partition} offset {} (acknowledged, request #{}) is below leader {leader}'s high watermark {hw} but a consumer read gives {read:?}",
                                    acked.offset, acked.request
                                ),
                            ));
                            break;
                        }
                    }
                }
            }
            if let Some((kind, description)) = failure {
                self.fail(kind, description);
                return;
            }
        }
    }

    /// (d): every in-sync follower's log is the leader's below min(leader HW, follower LEO).
    fn check_in_sync_replicas(&mut self) {
        for (topic, partition) in self.cluster.partitions() {
            let Some((leader, epoch, log)) = leader_of(&self.cluster, &topic, partition) else {
                continue;
            };
            let hw = log.high_watermark();
            let Some(registration) = self.cluster.registration(&topic, partition) else {
                continue;
            };
            let Some(leader_cache) = self.caches.get(&(leader, topic.clone(), partition)) else {
                continue;
            };
            for follower in registration.isr.clone() {
                if follower == leader {
                    continue;
                }
                let Some((follower_log, _)) = self.cluster.replica(follower, &topic, partition)
                else {
                    continue;
                };
                let Some(cache) = self.caches.get(&(follower, topic.clone(), partition)) else {
                    continue;
                };
                // A restarted follower the controller has not re-registered yet is fenced out
                // of the ISR as soon as it is (its log may have lost its tail meanwhile).
                let current = self.cluster.is_registered_incarnation(follower);
                let bound = if current {
                    hw
                } else {
                    hw.min(follower_log.log_end_offset())
                };
                if current && follower_log.log_end_offset() < hw {
                    let description = format!(
                        "{topic}-{partition}: in-sync follower {follower} has log end {} below leader {leader}'s high watermark {hw} (epoch {epoch})",
                        follower_log.log_end_offset()
                    );
                    self.fail(ViolationKind::ReplicaDiverged, description);
                    return;
                }
                if let Some(description) = compare_below(leader_cache, cache, bound) {
                    let description = format!(
                        "{topic}-{partition}: in-sync follower {follower} differs from leader {leader} (epoch {epoch}, high watermark {hw}) below {bound}: {description}"
                    );
                    self.fail(ViolationKind::ReplicaDiverged, description);
                    return;
                }
            }
        }
    }

    /// Heals, restarts every broker (also one a controlled shutdown stops meanwhile) and steps
    /// until the cluster converges. Returns the steps
    /// it took, or `None` (and a violation) when it did not.
    fn liveness(&mut self) -> Option<u32> {
        self.cluster.heal();
        let _ = write!(self.line, "liveness: heal, restart every stopped broker");
        self.emit();
        for broker in 0..self.brokers {
            if !self.cluster.is_alive(broker) {
                let _ = self.cluster.restart_broker(broker);
            }
        }
        self.drain();
        for taken in 1..=CONVERGENCE_STEPS_MAX {
            self.step += 1;
            // A controlled shutdown begun before the liveness phase completes in it: the
            // broker it stopped is started again, as every stopped broker was.
            for broker in 0..self.brokers {
                if !self.cluster.is_alive(broker) {
                    let _ = write!(self.line, "restart broker {broker} (stopped in liveness)");
                    self.emit();
                    let _ = self.cluster.restart_broker(broker);
                }
            }
            self.cluster.advance(CONVERGENCE_STEP_MS);
            self.drain();
            self.check();
            if self.violation.is_some() {
                return None;
            }
            if self.unconverged().is_none() {
                let _ = write!(self.line, "converged after {taken} liveness steps");
                self.emit();
                return Some(taken);
            }
        }
        let description = format!(
            "not converged after {CONVERGENCE_STEPS_MAX} steps of {CONVERGENCE_STEP_MS} ms: {}",
            self.unconverged().unwrap_or_default()
        );
        self.fail(ViolationKind::NoConvergence, description);
        None
    }

    /// Why the cluster has not converged, or `None` when it has.
    fn unconverged(&self) -> Option<String> {
        for (topic, partition) in self.cluster.partitions() {
            let registration = self.cluster.registration(&topic, partition)?;
            let Some((leader, _, log)) = leader_of(&self.cluster, &topic, partition) else {
                let seen = registration.leader.map(|l| {
                    (
                        self.cluster.is_alive(l),
                        self.cluster
                            .replica(l, &topic, partition)
                            .map(|(log, role)| (role, log.log_end_offset(), log.high_watermark())),
                    )
                });
                return Some(format!(
                    "{topic}-{partition} has no acting leader (registered {:?}, epoch {}; that broker's (alive, (role, log end, high watermark)): {seen:?})",
                    registration.leader, registration.leader_epoch
                ));
            };
            let mut isr = registration.isr.clone();
            let mut replicas = registration.replicas.clone();
            isr.sort_unstable();
            replicas.sort_unstable();
            if isr != replicas {
                let seen: Vec<String> = registration
                    .replicas
                    .iter()
                    .map(|b| match self.cluster.replica(*b, &topic, partition) {
                        Some((log, role)) => format!(
                            "broker {b}: {role:?} log end {} high watermark {} epoch cache {:?} batch epochs {:?}",
                            log.log_end_offset(),
                            log.high_watermark(),
                            log.epoch_cache()
                                .entries()
                                .iter()
                                .map(|e| (e.epoch, e.start_offset))
                                .collect::<Vec<_>>(),
                            self.caches
                                .get(&(*b, topic.clone(), partition))
                                .map(epoch_runs)
                                .unwrap_or_default()
                        ),
                        None => format!("broker {b}: no replica (alive: {})", self.cluster.is_alive(*b)),
                    })
                    .collect();
                return Some(format!(
                    "{topic}-{partition}: ISR {:?} != replicas {:?} (epoch {}; {})",
                    registration.isr,
                    registration.replicas,
                    registration.leader_epoch,
                    seen.join("; ")
                ));
            }
            let leo = log.log_end_offset();
            for broker in &registration.replicas {
                let Some((replica, _)) = self.cluster.replica(*broker, &topic, partition) else {
                    return Some(format!(
                        "{topic}-{partition}: no replica on broker {broker}"
                    ));
                };
                if replica.log_end_offset() != leo || replica.high_watermark() != leo {
                    return Some(format!(
                        "{topic}-{partition}: broker {broker} has log end {} and high watermark {}, leader {leader} has log end {leo}",
                        replica.log_end_offset(),
                        replica.high_watermark()
                    ));
                }
            }
        }
        None
    }
}

/// Whether a cache still describes the start of `log`: same start, not past its end, and the
/// last record decoded still there unchanged (a cheap guard against a change no event named).
fn cache_still_matches(cache: &ReplicaCache, log: &PartitionLog) -> bool {
    if cache.log_start != log.log_start_offset() || cache.next_offset > log.log_end_offset() {
        return false;
    }
    let Some(last) = cache.records.last() else {
        return true;
    };
    let Ok(raw) = log.read_batches_for_follower(last.offset, 1) else {
        return false;
    };
    for batch in decode_batches(raw.bytes) {
        let Ok(batch) = batch else {
            return false;
        };
        let epoch = batch.header().partition_leader_epoch;
        for record in batch.records() {
            let Ok(record) = record else {
                return false;
            };
            if record.offset == last.offset {
                return epoch == last.epoch
                    && kv_hash(record.key.as_deref(), record.value.as_deref()) == last.kv;
            }
        }
    }
    false
}

/// Decodes `log` from the cache's next offset to its end, checking that offsets strictly
/// increase and that batches reach the log end offset.
fn extend_cache(
    cache: &mut ReplicaCache,
    log: &PartitionLog,
) -> Result<(), (ViolationKind, String)> {
    use ViolationKind::{LogEndBeyondRecords, OffsetsNotIncreasing};
    let end = log.log_end_offset();
    // Bounded: every pass moves `next_offset` forward or stops.
    while cache.next_offset < end {
        let raw = log
            .read_batches_for_follower(cache.next_offset, usize::MAX)
            .map_err(|e| {
                let text = format!("cannot read from offset {}: {e:?}", cache.next_offset);
                (LogEndBeyondRecords, text)
            })?;
        let mut advanced = cache.next_offset;
        for batch in decode_batches(raw.bytes) {
            let batch =
                batch.map_err(|e| (OffsetsNotIncreasing, format!("undecodable batch: {e:?}")))?;
            let header = *batch.header();
            if header.last_offset() < cache.next_offset {
                continue;
            }
            for record in batch.records() {
                let record = record
                    .map_err(|e| (OffsetsNotIncreasing, format!("undecodable record: {e:?}")))?;
                if record.offset < cache.next_offset {
                    continue;
                }
                let previous = cache.records.last();
                if let Some(previous) = previous
                    && record.offset <= previous.offset
                {
                    return Err((
                        OffsetsNotIncreasing,
                        format!(
                            "offset {} follows offset {}",
                            record.offset, previous.offset
                        ),
                    ));
                }
                let kv = kv_hash(record.key.as_deref(), record.value.as_deref());
                let mut cumulative = previous.map_or(FNV_OFFSET_BASIS, |p| p.cumulative);
                cumulative = fnv1a64(cumulative, &record.offset.to_le_bytes());
                cumulative = fnv1a64(cumulative, &header.partition_leader_epoch.to_le_bytes());
                cumulative = fnv1a64(cumulative, &record.timestamp.to_le_bytes());
                cumulative = fnv1a64(cumulative, &kv.to_le_bytes());
                cache.records.push(RecordPrint {
                    offset: record.offset,
                    epoch: header.partition_leader_epoch,
                    kv,
                    cumulative,
                });
            }
            advanced = advanced.max(header.last_offset() + 1);
        }
        if advanced == cache.next_offset {
            let records = match cache.records.last() {
                Some(last) => format!("its last record is at offset {}", last.offset),
                None => "it holds no record".to_owned(),
            };
            return Err((
                LogEndBeyondRecords,
                format!(
                    "no batch at or after offset {} although the log end offset is {end}; {records}",
                    cache.next_offset
                ),
            ));
        }
        cache.next_offset = advanced;
    }
    Ok(())
}

/// Where two caches differ below `bound`, or `None` when they agree there.
fn compare_below(leader: &ReplicaCache, follower: &ReplicaCache, bound: i64) -> Option<String> {
    let leader_len = leader.records.partition_point(|r| r.offset < bound);
    let follower_len = follower.records.partition_point(|r| r.offset < bound);
    let same = leader_len == follower_len
        && (leader_len == 0
            || leader.records[leader_len - 1].cumulative
                == follower.records[follower_len - 1].cumulative);
    if same {
        return None;
    }
    let first = leader.records[..leader_len]
        .iter()
        .zip(&follower.records[..follower_len])
        .position(|(a, b)| a.offset != b.offset || a.epoch != b.epoch || a.kv != b.kv)
        .unwrap_or(leader_len.min(follower_len));
    let show = |records: &[RecordPrint], len: usize| match records[..len].get(first) {
        Some(r) => format!("offset {} epoch {} kv {:016x}", r.offset, r.epoch, r.kv),
        None => format!("nothing ({len} records)"),
    };
    Some(format!(
        "record #{first}: leader has {}, follower has {}",
        show(&leader.records, leader_len),
        show(&follower.records, follower_len)
    ))
}

/// The record at `offset` in `log` as text, for violation messages (`committed`: read as a
/// consumer, below the high watermark).
fn read_one(log: &PartitionLog, offset: i64, committed: bool) -> String {
    let raw = if committed {
        log.read_batches(offset, 1)
    } else {
        log.read_batches_for_follower(offset, 1)
    };
    let Ok(raw) = raw else {
        return "nothing (out of range)".to_owned();
    };
    for batch in decode_batches(raw.bytes).flatten() {
        let epoch = batch.header().partition_leader_epoch;
        for record in batch.records().flatten() {
            if record.offset == offset {
                return format!(
                    "key {} value {} (batch epoch {epoch})",
                    show_bytes(record.key.as_deref()),
                    show_bytes(record.value.as_deref())
                );
            }
        }
    }
    "nothing".to_owned()
}

/// The partition's leader as the invariants mean it (see the module docs): the registered
/// leader, running, and already in the leader role for the registered epoch.
fn leader_of<'a>(
    cluster: &'a Cluster,
    topic: &str,
    partition: u32,
) -> Option<(u32, i32, &'a PartitionLog)> {
    let registration = cluster.registration(topic, partition)?;
    let leader = registration.leader?;
    let (log, role) = cluster.replica(leader, topic, partition)?;
    match role {
        ReplicaRole::Leader { epoch } if epoch == registration.leader_epoch => {
            Some((leader, epoch, log))
        }
        ReplicaRole::Leader { .. } | ReplicaRole::Follower { .. } => None,
    }
}

/// The (epoch, first offset) of every run of records with the same batch epoch: what a
/// correct leader epoch cache holds.
fn epoch_runs(cache: &ReplicaCache) -> Vec<(i32, i64)> {
    let mut runs: Vec<(i32, i64)> = Vec::new();
    for record in &cache.records {
        if runs.last().is_none_or(|(epoch, _)| *epoch != record.epoch) {
            runs.push((record.epoch, record.offset));
        }
    }
    runs
}
