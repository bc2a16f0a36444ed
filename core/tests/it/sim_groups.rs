//! The consumer-group simulator: the invariants hold over seeds, and the auto-commit pattern
//! Kafka warns about shows its losses.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::sim::groups::{CommitStyle, Faults, run, run_traced};
#[cfg(not(target_arch = "wasm32"))]
use rill_core::{
    cluster::InjectedBug,
    sim::{ViolationKind, groups::run_with_bug},
};

#[test]
fn commit_after_processing_is_at_least_once_under_faults() {
    for seed in 0..4 {
        let report = run(seed, 120, CommitStyle::AfterProcessing, Faults::All);
        assert_eq!(report.violation, None, "seed {seed}: {report:?}");
        assert!(report.converged_after.is_some(), "seed {seed}: {report:?}");
        assert_eq!(report.processed, report.acked_records, "seed {seed}");
    }
}

#[test]
fn without_failures_nothing_is_processed_twice() {
    for seed in 10..14 {
        let report = run(seed, 120, CommitStyle::AfterProcessing, Faults::JoinsOnly);
        assert_eq!(report.violation, None, "seed {seed}: {report:?}");
        assert_eq!(report.duplicates, 0, "seed {seed}");
        assert_eq!(report.processed, report.acked_records, "seed {seed}");
    }
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    let (a, trace_a) = run_traced(3, 80, CommitStyle::AfterProcessing, Faults::All);
    let (b, trace_b) = run_traced(3, 80, CommitStyle::AfterProcessing, Faults::All);
    assert_eq!(a, b);
    assert_eq!(trace_a, trace_b);
}

#[test]
fn auto_commit_with_asynchronous_processing_loses_records_when_a_consumer_crashes() {
    // Kafka's documented hazard: auto-commit commits what poll returned, processed or not;
    // a consumer that dies with records still queued loses them. The checker must see it.
    let lossy = (0..40).find_map(|seed| {
        let report = run(
            seed,
            120,
            CommitStyle::AutoCommitAsyncProcessing,
            Faults::All,
        );
        assert_eq!(report.violation, None, "seed {seed}: {report:?}");
        (report.lost > 0).then_some(report)
    });
    let report = lossy.expect("some seed loses records under auto-commit");
    assert!(report.processed < report.acked_records, "{report:?}");
}

/// Seed 3817: a consumer cut off with a `commitSync` pending rejoined after the heal, and the
/// commit's retry went out in the new generation with the old assignment's offsets, moving
/// `t-5`'s committed offset back below what its new owner had committed; the group never
/// converged. The consumer now fails such a commit (CommitFailedException) instead.
#[test]
fn seed_3817_a_commit_retried_after_a_rejoin_does_not_move_offsets_back() {
    let report = run(3817, 300, CommitStyle::AfterProcessing, Faults::All);
    assert_eq!(report.violation, None, "{report:?}");
    assert!(report.converged_after.is_some(), "{report:?}");
    assert_eq!(report.processed, report.acked_records);
}

/// Seed 1752 (no failure at all): a cooperative member polls while its group rebalances,
/// processes, and its `commitSync` fails with `RebalanceInProgressException`; the partition
/// moves and its next owner processes the record again. That is Kafka's behaviour for an app
/// without a rebalance listener, so the checker allows a duplicate whose first processing's
/// commit failed — and only that.
#[test]
fn seed_1752_a_duplicate_after_a_commit_failed_in_a_rebalance_is_not_a_violation() {
    let report = run(1752, 40, CommitStyle::AfterProcessing, Faults::JoinsOnly);
    assert_eq!(report.violation, None, "{report:?}");
    assert_eq!(report.duplicates, 1, "{report:?}");
    assert_eq!(report.processed, report.acked_records);
}

/// The checker bites: with a deliberate coordinator bug switched on, a small sweep of the
/// group workload finds a violation of the matching invariant.
#[cfg(not(target_arch = "wasm32"))]
fn first_group_catch(bug: InjectedBug, seeds: u64) -> (u64, rill_core::sim::Violation) {
    (0..seeds)
        .find_map(|seed| {
            let (report, _) = run_with_bug(
                seed,
                300,
                CommitStyle::AfterProcessing,
                Faults::All,
                Some(bug),
                false,
            );
            report.violation.map(|v| (seed, v))
        })
        .unwrap_or_else(|| panic!("no seed below {seeds} catches {bug:?}"))
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_checker_catches_a_rebalance_without_a_new_generation() {
    let (seed, violation) = first_group_catch(InjectedBug::NoGenerationBump, 20);
    assert_eq!(
        violation.kind,
        ViolationKind::GenerationNotIncreasing,
        "seed {seed}: {violation}"
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_checker_catches_a_commit_accepted_from_an_older_generation() {
    // A consumer's last OffsetCommit, replayed late (a zombie's), carries its old generation.
    let (seed, violation) = first_group_catch(InjectedBug::AcceptOldGenerationCommit, 40);
    assert_eq!(
        violation.kind,
        ViolationKind::InvalidCommitAccepted,
        "seed {seed}: {violation}"
    );
}
