//! Runs rill-bench's workloads natively with the iteration protocol of `tests/e2e/bench.mjs`
//! and prints the same JSON, so `cargo xtask bench` can put wasm next to native for the very
//! same code. Progress goes to stderr, the JSON object to stdout.
//!
//! Usage: `rill-bench-native [group/function ...]` (default: every case).
#![allow(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall-clock time; the engine itself never reads a clock"
)]

use std::time::Instant;

use rill_bench::{CASES, Case, Workloads, find};

/// Measure at least this long per case (when the budget allows).
const TARGET_MS: f64 = 1_000.0;
/// Warm up, growing the iteration count, until one call measures this long.
const CALIBRATE_MS: f64 = 100.0;
/// Wall-clock budget per case after its first call, set-up included: workloads whose untimed
/// set-up dwarfs the timed part (retention clones a log per pass) stop here.
const BUDGET_MS: f64 = 10_000.0;
/// Aim this much above [`TARGET_MS`]: the calibrated time per iteration is an estimate.
const HEADROOM: f64 = 1.2;

struct Measurement {
    ms_per_iter: f64,
    iterations: u64,
    measured_ms: f64,
}

fn measure(workloads: &mut Workloads, case: Case, epoch: Instant) -> Measurement {
    let mut clock = || epoch.elapsed().as_secs_f64() * 1e3;
    let mut call = |workloads: &mut Workloads, n: u64| {
        let started = Instant::now();
        let measured = workloads.run(case, n, &mut clock);
        (measured, started.elapsed().as_secs_f64() * 1e3)
    };
    call(workloads, 1);
    let started = Instant::now();
    let spent = || started.elapsed().as_secs_f64() * 1e3;
    let mut n = 1u64;
    let (mut measured, mut wall) = call(workloads, n);
    while measured < CALIBRATE_MS {
        let factor = if measured > 0.0 {
            (1.5 * CALIBRATE_MS / measured).clamp(2.0, 100.0)
        } else {
            100.0
        };
        // Calibration may use half the budget; a call that would overrun it is not made.
        let room = ((BUDGET_MS / 2.0 - spent()).max(0.0) / (wall / n as f64)).floor() as u64;
        let next = ((n as f64 * factor).ceil() as u64).min(room);
        if next <= n {
            break;
        }
        n = next;
        (measured, wall) = call(workloads, n);
    }
    // Measure until TARGET_MS are timed (one call, unless noise made the estimate short) or
    // the budget is spent; at least one call.
    let (mut per_iter, mut wall_per_iter) = (measured / n as f64, wall / n as f64);
    let (mut measured_ms, mut iterations) = (0.0, 0u64);
    loop {
        let wanted = if per_iter > 0.0 {
            (HEADROOM * (TARGET_MS - measured_ms) / per_iter).ceil()
        } else {
            n as f64
        };
        let affordable = ((BUDGET_MS - spent()).max(0.0) / wall_per_iter).floor();
        let count = wanted.min(affordable).max(1.0) as u64;
        let (measured, wall) = call(workloads, count);
        measured_ms += measured;
        iterations += count;
        per_iter = measured_ms / iterations as f64;
        wall_per_iter = wall_per_iter.max(wall / count as f64);
        if measured_ms >= TARGET_MS || spent() + wall_per_iter > BUDGET_MS {
            break;
        }
    }
    Measurement {
        ms_per_iter: per_iter,
        iterations,
        measured_ms,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cases: Vec<Case> = if args.is_empty() {
        CASES.to_vec()
    } else {
        args.iter()
            .map(|id| find(id).unwrap_or_else(|| panic!("unknown case {id}")))
            .collect()
    };
    let epoch = Instant::now();
    let mut workloads = Workloads::new();
    let mut entries = Vec::new();
    for case in cases {
        let m = measure(&mut workloads, case, epoch);
        eprintln!(
            "  native {:<34} {:>14.6} ms/iter {:>10} iterations {:>8.0} ms measured",
            case.id(),
            m.ms_per_iter,
            m.iterations,
            m.measured_ms
        );
        entries.push(format!(
            "\"{}\":{{\"ms_per_iter\":{:e},\"iterations\":{},\"measured_ms\":{}}}",
            case.id(),
            m.ms_per_iter,
            m.iterations,
            m.measured_ms
        ));
    }
    println!(
        "{{\"harness\":\"native\",\"cases\":{{{}}}}}",
        entries.join(",")
    );
}
