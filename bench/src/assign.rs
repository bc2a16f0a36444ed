//! The consumer-group assignor workloads: Kafka's large-scale sticky assignor tests
//! (`AbstractStickyAssignorTest.testLargeAssignmentAndGroupWithUniformSubscription` and
//! `…WithNonEqualSubscription`): 500 topics of 2,000 partitions (1,000,000 partitions) and 2,000
//! members.
//!
//! * `all_topics`: every member subscribes to every topic.
//! * `one_member_one_topic`: the same, except the last member subscribes to the first topic only.
//!
//! Each is measured fresh (nobody owns anything) and as a rebalance after the first member
//! leaves: the others report what the same assignor gave them, from generation 1. Groups hold
//! the four assignors (`range`, `roundrobin`, `sticky`, `cooperative_sticky`) and a
//! `clone_baseline` that only clones an assignment of the same size, the least any assignor
//! must do to hand its result back. Only the `assign` call is timed; building the members and
//! dropping the result are not.

use std::collections::BTreeMap;
use std::hint::black_box;

use rill_core::group::{
    Assignment, Assignor, CooperativeStickyAssignor, Member, RangeAssignor, RoundRobinAssignor,
    StickyAssignor,
};

/// Topics in the assignor workloads.
pub const TOPICS: usize = 500;
/// Partitions of each topic.
pub const PARTITIONS: u32 = 2_000;
/// Members of the group.
pub const MEMBERS: usize = 2_000;
/// The generation the members of a rebalance report their partitions from.
const GENERATION: i32 = 1;

/// Kafka's `getCanonicalName`: `prefix` and `i` zero-padded to the digits of `max`.
fn name(prefix: &str, i: usize, max: usize) -> String {
    let width = max.to_string().len();
    format!("{prefix}{i:0width$}")
}

/// Every topic with its partition count.
pub fn partitions_per_topic() -> BTreeMap<String, u32> {
    (0..TOPICS)
        .map(|i| (name("t", i, TOPICS), PARTITIONS))
        .collect()
}

/// The members of a fresh assignment; with `one_topic_last`, the last one subscribes to the
/// first topic only.
pub fn fresh_members(one_topic_last: bool) -> Vec<Member> {
    let topics: Vec<String> = (0..TOPICS).map(|i| name("t", i, TOPICS)).collect();
    (0..MEMBERS)
        .map(|i| {
            let id = name("c", i, MEMBERS);
            if one_topic_last && i == MEMBERS - 1 {
                Member::new(id, topics[..1].iter().cloned())
            } else {
                Member::new(id, topics.iter().cloned())
            }
        })
        .collect()
}

/// The members of the rebalance after `fresh`'s first member left: the others own what
/// `assignment` gave them, from [`GENERATION`].
pub fn rebalance_members(fresh: &[Member], assignment: &Assignment) -> Vec<Member> {
    fresh
        .iter()
        .skip(1)
        .map(|member| Member {
            owned: assignment[&member.member_id].clone(),
            generation: Some(GENERATION),
            ..member.clone()
        })
        .collect()
}

/// The assignor a case's function names, or `None` for the baseline.
pub fn assignor(function: &str) -> Option<&'static dyn Assignor> {
    match function {
        "range" => Some(&RangeAssignor),
        "roundrobin" => Some(&RoundRobinAssignor),
        "sticky" => Some(&StickyAssignor),
        "cooperative_sticky" => Some(&CooperativeStickyAssignor),
        _ => None,
    }
}

/// One workload: the topics and the members one assignment call sees.
#[derive(Debug)]
pub struct Setup {
    /// Which group it is built for.
    pub group: &'static str,
    /// The function (assignor) it is built for.
    pub function: &'static str,
    partitions: BTreeMap<String, u32>,
    members: Vec<Member>,
    /// An assignment of the workload's size, for the baseline.
    sample: Assignment,
}

impl Setup {
    /// The workload of `group` (`assign_{all_topics,one_member_one_topic}_{fresh,rebalance}`)
    /// for `function`.
    ///
    /// # Panics
    /// If `group` is not an assignor group.
    pub fn new(group: &'static str, function: &'static str) -> Self {
        let one_topic_last = group.contains("one_member_one_topic");
        let rebalance = group.ends_with("rebalance");
        assert!(group.starts_with("assign_"), "an assignor group");
        let partitions = partitions_per_topic();
        let fresh = fresh_members(one_topic_last);
        let first_pass = assignor(function).unwrap_or(&StickyAssignor);
        let fresh_assignment = first_pass.assign(&partitions, &fresh);
        let members = if rebalance {
            rebalance_members(&fresh, &fresh_assignment)
        } else {
            fresh
        };
        Self {
            group,
            function,
            partitions,
            members,
            sample: fresh_assignment,
        }
    }

    /// `iterations` assignments (or, for the baseline, clones of one), timed by `now_ms`.
    pub fn time(&self, iterations: u64, now_ms: &mut dyn FnMut() -> f64) -> f64 {
        let mut total = 0.0;
        for _ in 0..iterations {
            let started = now_ms();
            let result = match assignor(self.function) {
                Some(assignor) => assignor.assign(&self.partitions, black_box(&self.members)),
                None => black_box(&self.sample).clone(),
            };
            black_box(&result);
            total += now_ms() - started;
            drop(result);
        }
        total
    }
}
