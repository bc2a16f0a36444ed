//! `rill-sim`: runs the deterministic cluster simulator (`rill_core::sim`) over seeds.
//!
//! ```text
//! rill-sim --seed S [--steps M] [--unsafe]              one seed, with its readable trace
//! rill-sim --seeds N [--start S] [--steps M] [--unsafe] [--threads T]
//!                                                      a sweep; exits 1 on any violation
//! ```
//!
//! With `--groups` the consumer-group workload runs instead (`rill_core::sim::groups`):
//! commit after processing under every fault, or with `--joins-only` no failure at all, or with
//! `--auto-commit` auto-commit and asynchronous processing (losses are counted, not failures).
//!
//! `cargo xtask sim` builds this in release mode and runs it.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rill_core::cluster::InjectedBug;
use rill_core::sim::groups::{CommitStyle, Faults, GroupSimReport};
use rill_core::sim::{SafetyProfile, SimReport};

const USAGE: &str = "usage: rill-sim --seed S [--steps M] [--unsafe | --groups [--auto-commit] [--joins-only]]
       rill-sim --seeds N [--start S] [--steps M] [--threads T] [--unsafe | --groups [--auto-commit] [--joins-only]]";

/// Steps per seed unless `--steps` says otherwise.
const STEPS_DEFAULT: u32 = 1_000;

#[derive(Debug)]
struct Args {
    seed: Option<u64>,
    seeds: Option<u64>,
    start: u64,
    steps: u32,
    profile: SafetyProfile,
    threads: u64,
    /// The consumer-group workload, with its commit style and faults.
    groups: Option<(CommitStyle, Faults)>,
    /// A deliberate engine bug (`--bug NAME`), to see the checker catch it.
    bug: Option<InjectedBug>,
}

/// The `--bug` names.
const BUGS: [(&str, InjectedBug); 5] = [
    ("acks-all-below-min-isr", InjectedBug::AcksAllBelowMinIsr),
    ("isr-join-below-hw", InjectedBug::IsrJoinBelowHighWatermark),
    (
        "trust-hw-checkpoint",
        InjectedBug::TrustHighWatermarkCheckpoint,
    ),
    ("no-generation-bump", InjectedBug::NoGenerationBump),
    (
        "old-generation-commit",
        InjectedBug::AcceptOldGenerationCommit,
    ),
];

fn parse(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args {
        seed: None,
        seeds: None,
        start: 0,
        steps: STEPS_DEFAULT,
        profile: SafetyProfile::Safe,
        threads: 2,
        groups: None,
        bug: None,
    };
    let mut style = CommitStyle::AfterProcessing;
    let mut faults = Faults::All;
    let mut groups = false;
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            let text = iter.next().ok_or(format!("{name} needs a number"))?;
            text.parse()
                .map_err(|_| format!("{name} needs a number, got '{text}'"))
        };
        match flag.as_str() {
            "--seed" => parsed.seed = Some(value("--seed")?),
            "--seeds" => parsed.seeds = Some(value("--seeds")?),
            "--start" => parsed.start = value("--start")?,
            "--steps" => {
                parsed.steps = u32::try_from(value("--steps")?)
                    .map_err(|_| "--steps is too large".to_owned())?;
            }
            "--threads" => parsed.threads = value("--threads")?.max(1),
            "--unsafe" => parsed.profile = SafetyProfile::Unsafe,
            "--groups" => groups = true,
            "--auto-commit" => style = CommitStyle::AutoCommitAsyncProcessing,
            "--joins-only" => faults = Faults::JoinsOnly,
            "--bug" => {
                let name = iter.next().ok_or("--bug needs a name")?;
                let bug = BUGS
                    .iter()
                    .find(|(n, _)| n == name)
                    .ok_or(format!("unknown --bug '{name}'"))?;
                parsed.bug = Some(bug.1);
            }
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
    }
    if groups {
        parsed.groups = Some((style, faults));
    }
    if parsed.seed.is_some() == parsed.seeds.is_some() {
        return Err(format!("give exactly one of --seed and --seeds\n{USAGE}"));
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&args) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("rill-sim: {message}");
            return ExitCode::from(2);
        }
    };
    match (args.seed, args.seeds) {
        (Some(seed), _) => replay(seed, &args),
        (_, Some(seeds)) => sweep(seeds, &args),
        (None, None) => ExitCode::from(2),
    }
}

fn replay(seed: u64, args: &Args) -> ExitCode {
    if let Some((style, faults)) = args.groups {
        let (report, trace) =
            rill_core::sim::groups::run_with_bug(seed, args.steps, style, faults, args.bug, true);
        print!("{trace}");
        println!("{}", group_summary(&report));
        return if report.violation.is_some() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    let (report, trace) =
        rill_core::sim::run_with_bug(seed, args.steps, args.profile, args.bug, true);
    print!("{trace}");
    println!("{}", summary(&report));
    if report.violation.is_some() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn summary(report: &SimReport) -> String {
    format!(
        "seed {} ({:?}): {} brokers, {} steps, {} simulated s, {} deliveries, {} produces, {} acknowledged records tracked, converged after {:?} liveness steps, trace hash {:016x}: {}",
        report.seed,
        report.profile,
        report.brokers,
        report.steps_run,
        report.simulated_ms / 1_000,
        report.deliveries,
        report.produces,
        report.acked_records,
        report.converged_after,
        report.trace_hash,
        report
            .violation
            .as_ref()
            .map_or_else(|| "ok".to_owned(), ToString::to_string)
    )
}

fn group_summary(report: &GroupSimReport) -> String {
    format!(
        "seed {}: {} brokers, {} partitions, assignors {:?}, {} consumers started, {} rebalances, {} acknowledged, {} processed, {} duplicates, {} lost, converged after {:?} liveness steps, trace hash {:016x}: {}",
        report.seed,
        report.brokers,
        report.partitions,
        report.assignors,
        report.consumers_started,
        report.rebalances,
        report.acked_records,
        report.processed,
        report.duplicates,
        report.lost,
        report.converged_after,
        report.trace_hash,
        report
            .violation
            .as_ref()
            .map_or_else(|| "ok".to_owned(), ToString::to_string)
    )
}

/// Runs `run_one` for seeds `start..start + seeds` on `threads` threads; returns the seeds for
/// which it returned `true` (a violation).
fn for_each_seed(
    seeds: u64,
    start: u64,
    threads: u64,
    run_one: impl Fn(u64) -> bool + Sync,
) -> Vec<u64> {
    let next = AtomicU64::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut failed = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        if index >= seeds {
                            return failed;
                        }
                        if run_one(start + index) {
                            failed.push(start + index);
                        }
                    }
                })
            })
            .collect();
        let mut failed: Vec<u64> = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect();
        failed.sort_unstable();
        failed
    })
}

/// A consumer-group sweep: violations fail it; duplicates and losses are summed.
fn group_sweep(seeds: u64, args: &Args, style: CommitStyle, faults: Faults) -> ExitCode {
    let started = Instant::now();
    let totals: [AtomicU64; 5] = Default::default();
    let failed = for_each_seed(seeds, args.start, args.threads, |seed| {
        let (report, _) =
            rill_core::sim::groups::run_with_bug(seed, args.steps, style, faults, args.bug, false);
        for (total, value) in totals.iter().zip([
            report.acked_records,
            report.processed,
            report.duplicates,
            report.lost,
            report.rebalances,
        ]) {
            total.fetch_add(value, Ordering::Relaxed);
        }
        let violated = report.violation.is_some();
        if violated {
            println!("FAIL {}", group_summary(&report));
        }
        violated
    });
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let [acked, processed, duplicates, lost, rebalances] =
        totals.map(|t| t.load(Ordering::Relaxed));
    println!(
        "{seeds} group seeds ({style:?}, {faults:?}, {} steps each, from seed {}) in {seconds:.1} s on {} threads: {:.0} seeds/minute; {acked} records acknowledged, {processed} processed, {duplicates} duplicates, {lost} lost, {rebalances} rebalances",
        args.steps,
        args.start,
        args.threads,
        seeds as f64 * 60.0 / seconds,
    );
    if failed.is_empty() {
        println!("no violation");
        ExitCode::SUCCESS
    } else {
        println!(
            "{} seed(s) violated an invariant: {failed:?}; replay one with `cargo xtask sim --groups --seed S`",
            failed.len()
        );
        ExitCode::FAILURE
    }
}

fn sweep(seeds: u64, args: &Args) -> ExitCode {
    if let Some((style, faults)) = args.groups {
        return group_sweep(seeds, args, style, faults);
    }
    let started = Instant::now();
    let steps_total = AtomicU64::new(0);
    let deliveries_total = AtomicU64::new(0);
    let failures = for_each_seed(seeds, args.start, args.threads, |seed| {
        let (report, _) =
            rill_core::sim::run_with_bug(seed, args.steps, args.profile, args.bug, false);
        steps_total.fetch_add(u64::from(report.steps_run), Ordering::Relaxed);
        deliveries_total.fetch_add(report.deliveries, Ordering::Relaxed);
        let violated = report.violation.is_some();
        if violated {
            println!("FAIL {}", summary(&report));
        }
        violated
    });
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let steps = steps_total.load(Ordering::Relaxed);
    let deliveries = deliveries_total.load(Ordering::Relaxed);
    println!(
        "{seeds} seeds ({:?}, {} steps each, from seed {}) in {seconds:.1} s on {} threads: {:.0} seeds/minute, {:.0} steps/s, {:.0} deliveries/s",
        args.profile,
        args.steps,
        args.start,
        args.threads,
        seeds as f64 * 60.0 / seconds,
        steps as f64 / seconds,
        deliveries as f64 / seconds,
    );
    if failures.is_empty() {
        println!("no violation");
        ExitCode::SUCCESS
    } else {
        let seeds = failures;
        println!(
            "{} seed(s) violated an invariant: {seeds:?}; replay one with `cargo xtask sim --seed S{}`",
            seeds.len(),
            if args.profile == SafetyProfile::Unsafe {
                " --unsafe"
            } else {
                ""
            }
        );
        ExitCode::FAILURE
    }
}
