//! The benchmark workloads of `cargo xtask bench`, written once and run both natively
//! (`rill-bench-native`) and in the browser (the wasm-bindgen exports in [`wasm`]), each next
//! to a same-run baseline that moves the same bytes without the engine.
//!
//! Parameters follow `core/benches/append.rs`: 10-byte keys, 100-byte values, batches of 100
//! and of 1, a fresh log every [`APPENDS_PER_LOG`] appends. The clock is an argument (
//! `performance.now()` in the browser, `Instant` natively), so only the timed parts count:
//! building logs and buffers is never measured.

use std::hint::black_box;

use rill_core::config::TopicConfig;
use rill_core::log::PartitionLog;
use rill_core::record::NewRecord;

pub mod assign;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// Key length of every record.
pub const KEY_LEN: usize = 10;
/// Value length of every record.
pub const VALUE_LEN: usize = 100;
/// Appends per fresh log, as in `core/benches/append.rs`, so memory stays bounded.
pub const APPENDS_PER_LOG: u64 = 5_000;
/// Records in the logs that `fetch` reads and `retention` trims.
pub const LOG_RECORDS: usize = 1_000_000;
/// Records per batch in those logs.
pub const LOG_BATCH: usize = 100;
/// `max_bytes` of each `read` in `fetch`.
pub const READ_MAX_BYTES: usize = 1 << 20;
/// `segment.bytes` of the `retention` log.
pub const RETENTION_SEGMENT_BYTES: usize = 1 << 20;
/// The broker time of the log workloads: the records' own timestamps, so `retention.ms`
/// (7 days) never deletes anything and only `retention.bytes` does.
const NOW: i64 = 1_700_000_000_000;

/// One benchmark: a criterion-style group and a function in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Case {
    /// The group; its baseline is the function whose name contains `baseline`.
    pub group: &'static str,
    /// The function.
    pub function: &'static str,
}

impl Case {
    /// `group/function`, as reported.
    pub fn id(self) -> String {
        format!("{}/{}", self.group, self.function)
    }
}

const fn case(group: &'static str, function: &'static str) -> Case {
    Case { group, function }
}

/// Every case, each group's workload before its baseline.
pub const CASES: [Case; 31] = [
    case("append_batch_100", "append"),
    case("append_batch_100", "copy_baseline"),
    case("append_batch_1", "append"),
    case("append_batch_1", "copy_baseline"),
    case("fetch", "read"),
    case("fetch", "read_refs"),
    case("fetch", "copy_baseline"),
    case("retention", "apply_retention"),
    case("retention", "drop_baseline"),
    case("sim_seed", "run"),
    case("sim_seed", "network_baseline"),
    case("assign_all_topics_fresh", "range"),
    case("assign_all_topics_fresh", "roundrobin"),
    case("assign_all_topics_fresh", "sticky"),
    case("assign_all_topics_fresh", "cooperative_sticky"),
    case("assign_all_topics_fresh", "clone_baseline"),
    case("assign_all_topics_rebalance", "range"),
    case("assign_all_topics_rebalance", "roundrobin"),
    case("assign_all_topics_rebalance", "sticky"),
    case("assign_all_topics_rebalance", "cooperative_sticky"),
    case("assign_all_topics_rebalance", "clone_baseline"),
    case("assign_one_member_one_topic_fresh", "range"),
    case("assign_one_member_one_topic_fresh", "roundrobin"),
    case("assign_one_member_one_topic_fresh", "sticky"),
    case("assign_one_member_one_topic_fresh", "cooperative_sticky"),
    case("assign_one_member_one_topic_fresh", "clone_baseline"),
    case("assign_one_member_one_topic_rebalance", "range"),
    case("assign_one_member_one_topic_rebalance", "roundrobin"),
    case("assign_one_member_one_topic_rebalance", "sticky"),
    case(
        "assign_one_member_one_topic_rebalance",
        "cooperative_sticky",
    ),
    case("assign_one_member_one_topic_rebalance", "clone_baseline"),
];

/// Steps of each simulator seed in the `sim_seed` workload.
pub const SIM_STEPS: u32 = 1_000;
/// The seeds the `sim_seed` workload cycles through (iteration `i` runs seed `i % SIM_SEEDS`).
pub const SIM_SEEDS: u64 = 16;

/// Network deliveries of each `sim_seed` seed, measured once (untimed) for the baseline.
fn sim_deliveries() -> Vec<u64> {
    (0..SIM_SEEDS)
        .map(|seed| {
            rill_core::sim::run(seed, SIM_STEPS, rill_core::sim::SafetyProfile::Safe).deliveries
        })
        .collect()
}

/// `iterations` simulator seeds of [`SIM_STEPS`] steps (Safe profile, invariants checked).
fn time_sim(iterations: u64, now_ms: &mut dyn FnMut() -> f64) -> f64 {
    let started = now_ms();
    for i in 0..iterations {
        let report = rill_core::sim::run(
            i % SIM_SEEDS,
            SIM_STEPS,
            rill_core::sim::SafetyProfile::Safe,
        );
        assert!(
            report.violation.is_none(),
            "seed {} violates an invariant",
            report.seed
        );
        black_box(report);
    }
    now_ms() - started
}

/// Baseline of the simulator: the same number of messages sent and delivered through the
/// simulated network alone, with no broker, controller or log behind it.
fn time_network(iterations: u64, deliveries: &[u64], now_ms: &mut dyn FnMut() -> f64) -> f64 {
    use rill_core::cluster::NodeId;
    use rill_core::cluster::network::{Latency, Network};
    let mut prng = rill_core::prng::Prng::new(1);
    let started = now_ms();
    for i in 0..iterations {
        let count = deliveries[(i % SIM_SEEDS) as usize];
        let mut network: Network<u64> = Network::new(Latency {
            base_ms: 1,
            jitter_ms: 2,
        });
        let mut now = 0;
        for n in 0..count {
            network.send(now, NodeId::Broker(0), NodeId::Broker(1), n, &mut prng);
            now += 1;
            while let Some(envelope) = network.deliver(now) {
                black_box(envelope);
            }
        }
        black_box(network.delivered());
    }
    now_ms() - started
}

/// The case with this `group/function` id.
pub fn find(id: &str) -> Option<Case> {
    CASES.into_iter().find(|c| c.id() == id)
}

/// `count` records with 10-byte keys and 100-byte values, as in `core/benches/append.rs`.
pub fn records(count: usize) -> Vec<NewRecord> {
    (0..count)
        .map(|i| NewRecord {
            key: Some(format!("key-{i:06}").into_bytes()),
            value: Some(vec![b'v'; VALUE_LEN]),
            headers: Vec::new(),
            timestamp: Some(NOW + i as i64),
        })
        .collect()
}

/// A log of [`LOG_RECORDS`] records in batches of [`LOG_BATCH`].
fn build_log(config: &TopicConfig) -> PartitionLog {
    let batch = records(LOG_BATCH);
    let mut log = PartitionLog::new(config, 0);
    let mut changes = Vec::new();
    for _ in 0..LOG_RECORDS / LOG_BATCH {
        log.append(NOW, config, &batch, &mut changes)
            .expect("valid batch");
        changes.clear();
    }
    log
}

/// The `retention` set-up: a log of 1 MiB segments, and a config whose `retention.bytes`
/// deletes exactly its older half.
#[derive(Debug)]
struct RetentionSetup {
    log: PartitionLog,
    config: TopicConfig,
    /// Every segment's size, oldest first.
    sizes: Vec<usize>,
    /// How many segments (the oldest) one pass deletes: half.
    doomed: usize,
}

impl RetentionSetup {
    fn new() -> Self {
        let segment_bytes = RETENTION_SEGMENT_BYTES.to_string();
        let base = TopicConfig::with_overrides([("segment.bytes", segment_bytes.as_str())])
            .expect("valid segment.bytes");
        let log = build_log(&base);
        let sizes: Vec<usize> = log.segments().iter().map(|s| s.size()).collect();
        let doomed = sizes.len() / 2;
        let keep = log.size() - sizes[..doomed].iter().sum::<usize>() as u64;
        let keep = keep.to_string();
        let config = TopicConfig::with_overrides([
            ("segment.bytes", segment_bytes.as_str()),
            ("retention.bytes", keep.as_str()),
        ])
        .expect("valid retention.bytes");
        Self {
            log,
            config,
            sizes,
            doomed,
        }
    }
}

/// The workloads and their lazily built, cached logs.
#[derive(Debug, Default)]
pub struct Workloads {
    fetch_log: Option<PartitionLog>,
    retention: Option<RetentionSetup>,
    sim_deliveries: Option<Vec<u64>>,
    assign: Option<assign::Setup>,
}

impl Workloads {
    /// No logs built yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `iterations` of `case` and returns the milliseconds `now_ms` saw pass in the timed
    /// parts. The first run of a log or assignor workload builds its input (untimed); inputs of
    /// other cases are dropped first, so at most one is held.
    pub fn run(&mut self, case: Case, iterations: u64, now_ms: &mut dyn FnMut() -> f64) -> f64 {
        if case.group != "fetch" {
            self.fetch_log = None;
        }
        if case.group != "retention" {
            self.retention = None;
        }
        if self
            .assign
            .as_ref()
            .is_some_and(|setup| (setup.group, setup.function) != (case.group, case.function))
        {
            self.assign = None;
        }
        match (case.group, case.function) {
            ("append_batch_100", "append") => time_appends(iterations, &records(100), now_ms),
            ("append_batch_100", _) => time_copies(iterations, &records(100), now_ms),
            ("append_batch_1", "append") => time_appends(iterations, &records(1), now_ms),
            ("append_batch_1", _) => time_copies(iterations, &records(1), now_ms),
            ("fetch", function) => {
                let log = self
                    .fetch_log
                    .get_or_insert_with(|| build_log(&TopicConfig::default()));
                if function == "read" {
                    time_reads(iterations, log, now_ms)
                } else if function == "read_refs" {
                    time_read_refs(iterations, log, now_ms)
                } else {
                    time_segment_copies(iterations, log, now_ms)
                }
            }
            ("retention", function) => {
                let setup = self.retention.get_or_insert_with(RetentionSetup::new);
                if function == "apply_retention" {
                    time_retention(iterations, setup, now_ms)
                } else {
                    time_drops(iterations, setup, now_ms)
                }
            }
            ("sim_seed", "run") => time_sim(iterations, now_ms),
            ("sim_seed", _) => {
                let deliveries = self.sim_deliveries.get_or_insert_with(sim_deliveries);
                time_network(iterations, deliveries, now_ms)
            }
            (group, function) if group.starts_with("assign_") => self
                .assign
                .get_or_insert_with(|| assign::Setup::new(group, function))
                .time(iterations, now_ms),
            _ => unreachable!("every case in CASES has a workload"),
        }
    }
}

/// `iterations` appends of `batch`, a fresh log every [`APPENDS_PER_LOG`].
fn time_appends(iterations: u64, batch: &[NewRecord], now_ms: &mut dyn FnMut() -> f64) -> f64 {
    let config = TopicConfig::default();
    let mut total = 0.0;
    let mut done = 0;
    while done < iterations {
        let mut log = PartitionLog::new(&config, 0);
        let run = (iterations - done).min(APPENDS_PER_LOG);
        let mut changes = Vec::with_capacity(4);
        let started = now_ms();
        for _ in 0..run {
            black_box(
                log.append(0, &config, batch, &mut changes)
                    .expect("valid batch"),
            );
            // A host drains the storage ops after every command and drops them once
            // persisted, as core/benches/append.rs does; dropping them is measured.
            black_box(&changes);
            changes.clear();
        }
        total += now_ms() - started;
        done += run;
    }
    total
}

/// Baseline of the appends: `iterations` copies of `batch`'s key and value bytes into a buffer.
fn time_copies(iterations: u64, batch: &[NewRecord], now_ms: &mut dyn FnMut() -> f64) -> f64 {
    let mut total = 0.0;
    let mut done = 0;
    while done < iterations {
        let run = (iterations - done).min(APPENDS_PER_LOG);
        let mut buffer = Vec::with_capacity(run as usize * batch.len() * (KEY_LEN + VALUE_LEN));
        let started = now_ms();
        for _ in 0..run {
            for record in batch {
                buffer.extend_from_slice(record.key.as_deref().unwrap_or_default());
                buffer.extend_from_slice(record.value.as_deref().unwrap_or_default());
            }
        }
        total += now_ms() - started;
        black_box(&buffer);
        done += run;
    }
    total
}

/// `iterations` reads of the whole log, 1 MiB per `read`, each from the offset after the last
/// record of the one before.
fn time_reads(iterations: u64, log: &PartitionLog, now_ms: &mut dyn FnMut() -> f64) -> f64 {
    let end = log.log_end_offset();
    let started = now_ms();
    for _ in 0..iterations {
        let mut offset = log.log_start_offset();
        while offset < end {
            let fetched = log.read(offset, READ_MAX_BYTES).expect("offset in range");
            offset = fetched
                .records
                .last()
                .expect("a read below the log end returns records")
                .offset
                + 1;
            black_box(fetched);
        }
    }
    now_ms() - started
}

/// [`time_reads`] with [`PartitionLog::read_refs`]: the same records, borrowed from the
/// segments instead of copied into owned keys and values.
fn time_read_refs(iterations: u64, log: &PartitionLog, now_ms: &mut dyn FnMut() -> f64) -> f64 {
    let end = log.log_end_offset();
    let started = now_ms();
    for _ in 0..iterations {
        let mut offset = log.log_start_offset();
        while offset < end {
            let fetched = log
                .read_refs(offset, READ_MAX_BYTES)
                .expect("offset in range");
            offset = fetched
                .records
                .last()
                .expect("a read below the log end returns records")
                .offset
                + 1;
            black_box(fetched);
        }
    }
    now_ms() - started
}

/// Baseline of the reads: copying every segment's bytes into a buffer (allocated and touched
/// before the clock starts, so only the copies count).
fn time_segment_copies(
    iterations: u64,
    log: &PartitionLog,
    now_ms: &mut dyn FnMut() -> f64,
) -> f64 {
    let mut buffer = vec![1u8; log.size() as usize];
    let started = now_ms();
    for _ in 0..iterations {
        buffer.clear();
        for segment in log.segments() {
            buffer.extend_from_slice(black_box(segment.as_bytes()));
        }
        black_box(&buffer);
    }
    now_ms() - started
}

/// `iterations` retention passes, each over a fresh clone of the log (cloning is not timed).
fn time_retention(iterations: u64, setup: &RetentionSetup, now_ms: &mut dyn FnMut() -> f64) -> f64 {
    let mut total = 0.0;
    for _ in 0..iterations {
        let mut log = setup.log.clone();
        let mut changes = Vec::with_capacity(setup.doomed + 2);
        let started = now_ms();
        let deleted = log.apply_retention(NOW, &setup.config, &mut changes);
        total += now_ms() - started;
        assert_eq!(deleted, setup.doomed, "retention deletes the older half");
        black_box((log, changes));
    }
    total
}

/// Baseline of retention: filled buffers of the segments' sizes, of which the older half is
/// dropped while the rest stays allocated, as a retention pass leaves the log's newer half.
fn time_drops(iterations: u64, setup: &RetentionSetup, now_ms: &mut dyn FnMut() -> f64) -> f64 {
    let mut total = 0.0;
    for _ in 0..iterations {
        let mut buffers: Vec<Vec<u8>> = setup.sizes.iter().map(|&n| vec![0x5a; n]).collect();
        black_box(&mut buffers);
        let started = now_ms();
        buffers.drain(..setup.doomed);
        total += now_ms() - started;
        black_box(buffers);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_are_unique_and_found() {
        for case in CASES {
            assert_eq!(find(&case.id()), Some(case));
        }
        assert_eq!(find("nope/nothing"), None);
    }

    #[test]
    fn every_case_runs_and_the_clock_is_read() {
        let mut workloads = Workloads::new();
        // The assignor cases take seconds each in a debug build; `assign` has its own test.
        for case in CASES
            .into_iter()
            .filter(|c| !c.group.starts_with("assign_"))
        {
            let mut ticks = 0.0;
            let mut clock = || {
                ticks += 1.0;
                ticks
            };
            assert!(workloads.run(case, 2, &mut clock) > 0.0, "{}", case.id());
        }
    }

    #[test]
    fn assign_cases_name_assignors_and_a_rebalance_drops_the_first_member() {
        for case in CASES.into_iter().filter(|c| c.group.starts_with("assign_")) {
            assert_eq!(
                assign::assignor(case.function).is_none(),
                case.function.contains("baseline"),
                "{}",
                case.id()
            );
        }
        let fresh = assign::fresh_members(true);
        assert_eq!(fresh.len(), assign::MEMBERS);
        assert_eq!(fresh.last().map(|m| m.topics.len()), Some(1));
        let assignment = fresh
            .iter()
            .map(|m| (m.member_id.clone(), Vec::new()))
            .collect();
        let rebalance = assign::rebalance_members(&fresh, &assignment);
        assert_eq!(rebalance.len(), assign::MEMBERS - 1);
        assert_eq!(rebalance[0].member_id, "c0001");
        assert!(rebalance.iter().all(|m| m.generation == Some(1)));
    }

    #[test]
    fn records_have_ten_byte_keys() {
        assert!(
            records(100)
                .iter()
                .all(|r| r.key.as_ref().map(Vec::len) == Some(KEY_LEN))
        );
    }
}
