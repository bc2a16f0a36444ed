//! The consumer-group assignors at Kafka's large scale (`AbstractStickyAssignorTest`'s
//! `testLargeAssignmentAndGroupWithUniformSubscription` and `…WithNonEqualSubscription`): 500
//! topics × 2,000 partitions (1,000,000 partitions) across 2,000 members, (a) `all_topics`:
//! everyone subscribes to everything, (b) `one_member_one_topic`: the last member subscribes to
//! the first topic only. For range, roundrobin, sticky and cooperative-sticky: a fresh
//! assignment, and a rebalance after the first member leaves, the others owning what the same
//! assignor gave them (generation 1). The same workloads run in wasm as `bench/src/assign.rs`.
#![allow(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall-clock time; the engine itself never reads a clock"
)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rill_core::group::{
    Assignment, Assignor, CooperativeStickyAssignor, Member, RangeAssignor, RoundRobinAssignor,
    StickyAssignor,
};

const TOPICS: usize = 500;
const PARTITIONS: u32 = 2_000;
const MEMBERS: usize = 2_000;

/// Kafka's `getCanonicalName`: `prefix` and `i` zero-padded to the digits of `max`.
fn name(prefix: &str, i: usize, max: usize) -> String {
    let width = max.to_string().len();
    format!("{prefix}{i:0width$}")
}

fn fresh_members(one_topic_last: bool) -> Vec<Member> {
    let topics: Vec<String> = (0..TOPICS).map(|i| name("t", i, TOPICS)).collect();
    (0..MEMBERS)
        .map(|i| {
            let subscribed = if one_topic_last && i == MEMBERS - 1 {
                &topics[..1]
            } else {
                &topics[..]
            };
            Member::new(name("c", i, MEMBERS), subscribed.iter().cloned())
        })
        .collect()
}

/// After the first member left, the others own what `assignment` gave them.
fn rebalance_members(fresh: &[Member], assignment: &Assignment) -> Vec<Member> {
    fresh
        .iter()
        .skip(1)
        .map(|member| Member {
            owned: assignment[&member.member_id].clone(),
            generation: Some(1),
            ..member.clone()
        })
        .collect()
}

fn assignors(c: &mut Criterion) {
    let partitions: BTreeMap<String, u32> = (0..TOPICS)
        .map(|i| (name("t", i, TOPICS), PARTITIONS))
        .collect();
    let all: [(&str, &dyn Assignor); 4] = [
        ("range", &RangeAssignor),
        ("roundrobin", &RoundRobinAssignor),
        ("sticky", &StickyAssignor),
        ("cooperative_sticky", &CooperativeStickyAssignor),
    ];
    for (scenario, one_topic_last) in [("all_topics", false), ("one_member_one_topic", true)] {
        let fresh = fresh_members(one_topic_last);
        let mut group = c.benchmark_group(format!("assign_{scenario}_fresh"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for (label, assignor) in all {
            group.bench_function(label, |b| {
                b.iter_with_large_drop(|| assignor.assign(&partitions, black_box(&fresh)));
            });
        }
        let sample = StickyAssignor.assign(&partitions, &fresh);
        group.bench_function("clone_baseline", |b| {
            b.iter_with_large_drop(|| black_box(&sample).clone());
        });
        group.finish();

        let mut group = c.benchmark_group(format!("assign_{scenario}_rebalance"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for (label, assignor) in all {
            let members = rebalance_members(&fresh, &assignor.assign(&partitions, &fresh));
            group.bench_function(label, |b| {
                b.iter_with_large_drop(|| assignor.assign(&partitions, black_box(&members)));
            });
        }
        group.bench_function("clone_baseline", |b| {
            b.iter_with_large_drop(|| black_box(&sample).clone());
        });
        group.finish();
    }
}

criterion_group!(benches, assignors);
criterion_main!(benches);
