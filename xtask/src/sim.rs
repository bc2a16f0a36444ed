//! `cargo xtask sim`: the deterministic cluster simulator (`rill_core::sim`), over many seeds or
//! one.
//!
//! - `cargo xtask sim --seeds N [--steps M] [--start S] [--unsafe]` sweeps seeds `S..S+N` on two
//!   threads with a release build of `rill-sim`, prints seeds/minute, steps/s and network
//!   deliveries/s, and fails (printing the seeds) on any invariant violation.
//! - `cargo xtask sim --seed S [--steps M] [--unsafe]` replays one seed with its readable trace.
//! - `--groups` runs the consumer-group workload instead (`rill_core::sim::groups`), with
//!   `--auto-commit` or `--joins-only` to choose its commit style and faults.
//! - `--bug NAME` runs with a deliberate engine bug (`acks-all-below-min-isr`,
//!   `isr-join-below-hw`, `trust-hw-checkpoint`, `no-generation-bump`,
//!   `old-generation-commit`), to watch the checker catch it.

use std::process::Command;

use crate::run::run;

/// The sweep `cargo xtask test` runs: seeds × steps.
pub(crate) const CI_SEEDS: u32 = 1_000;
/// Steps per seed in the `cargo xtask test` sweep.
pub(crate) const CI_STEPS: u32 = 1_000;

const USAGE: &str = "usage: cargo xtask sim --seeds N [--steps M] [--start S] [--unsafe | --groups [--auto-commit] [--joins-only]]
       cargo xtask sim --seed S [--steps M] [--unsafe | --groups [--auto-commit] [--joins-only]]";

/// The consumer-group sweep `cargo xtask test` runs: seeds × steps.
pub(crate) const CI_GROUP_SEEDS: u32 = 200;
/// Steps per seed in the consumer-group sweep.
pub(crate) const CI_GROUP_STEPS: u32 = 300;

/// Checks the arguments (so a typo fails before the build), then runs `rill-sim` with them.
pub(crate) fn sim_command(args: &[String]) -> Result<(), String> {
    let mut iter = args.iter();
    let mut one = false;
    let mut many = false;
    while let Some(flag) = iter.next() {
        match flag.as_str() {
            "--unsafe" | "--groups" | "--auto-commit" | "--joins-only" => {}
            "--bug" => {
                iter.next()
                    .ok_or_else(|| format!("--bug needs a name\n\n{USAGE}"))?;
            }
            "--seed" | "--seeds" | "--steps" | "--start" => {
                let value = iter
                    .next()
                    .ok_or_else(|| format!("{flag} needs a number\n\n{USAGE}"))?;
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{flag} needs a number, got '{value}'\n\n{USAGE}"))?;
                one |= flag == "--seed";
                many |= flag == "--seeds";
            }
            other => return Err(format!("unknown argument '{other}'\n\n{USAGE}")),
        }
    }
    if one == many {
        return Err(format!("give exactly one of --seed and --seeds\n\n{USAGE}"));
    }
    run(&mut sim_cargo(args))
}

/// `cargo run --release -p rill-sim -- <args>` from the workspace root.
pub(crate) fn sim_cargo(args: &[String]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(crate::root())
        .args(["run", "--quiet", "--release", "--package", "rill-sim", "--"])
        .args(args);
    cmd
}
