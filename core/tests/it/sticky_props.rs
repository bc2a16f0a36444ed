//! Properties of the sticky assignors over random groups: validity, balance with uniform
//! subscriptions, stickiness when a member leaves or joins, and the cooperative assignor never
//! handing out a partition another member still owns.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use rill_core::group::{
    Assignment, Assignor, CooperativeStickyAssignor, Member, StickyAssignor, TopicPartition,
};

const TOPICS: [&str; 5] = ["a", "b", "c", "d", "e"];

/// A group: partition counts of `TOPICS` (0 = unknown topic), each member's topic mask.
fn group() -> impl Strategy<Value = (Vec<u32>, Vec<u8>)> {
    (
        proptest::collection::vec(0u32..9, TOPICS.len()),
        proptest::collection::vec(0u8..32, 1..8),
    )
}

fn partitions(counts: &[u32]) -> BTreeMap<String, u32> {
    TOPICS
        .iter()
        .zip(counts)
        .filter(|(_, count)| **count > 0)
        .map(|(topic, count)| (topic.to_string(), *count))
        .collect()
}

fn members(masks: &[u8], uniform: bool) -> Vec<Member> {
    masks
        .iter()
        .enumerate()
        .map(|(i, &mask)| {
            let mask = if uniform { masks[0] } else { mask };
            let topics = TOPICS
                .iter()
                .enumerate()
                .filter(|(t, _)| mask & (1 << t) != 0)
                .map(|(_, topic)| *topic);
            Member::new(format!("member-{i}"), topics)
        })
        .collect()
}

/// Every partition of a subscribed topic assigned exactly once (`complete`) or at most once,
/// and only to a member subscribed to its topic.
fn check_valid(
    partitions: &BTreeMap<String, u32>,
    members: &[Member],
    assignment: &Assignment,
    complete: bool,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(assignment.len(), members.len());
    let mut seen = BTreeSet::new();
    for member in members {
        for tp in &assignment[&member.member_id] {
            prop_assert!(
                member.subscribes_to(&tp.topic),
                "{} got {}",
                member.member_id,
                tp
            );
            prop_assert!(tp.partition < partitions[&tp.topic]);
            prop_assert!(seen.insert(tp.clone()), "{} assigned twice", tp);
        }
    }
    if complete {
        for (topic, &count) in partitions {
            if members.iter().any(|m| m.subscribes_to(topic)) {
                for p in 0..count {
                    prop_assert!(seen.contains(&TopicPartition::new(topic.clone(), p)));
                }
            }
        }
    }
    Ok(())
}

fn spread(assignment: &Assignment) -> usize {
    let sizes = assignment.values().map(Vec::len);
    sizes.clone().max().unwrap_or(0) - sizes.min().unwrap_or(0)
}

/// The members again, owning what `assignment` gave them, from `generation`.
fn owning(members: &[Member], assignment: &Assignment, generation: i32) -> Vec<Member> {
    members
        .iter()
        .map(|member| Member {
            owned: assignment[&member.member_id].clone(),
            generation: Some(generation),
            ..member.clone()
        })
        .collect()
}

/// No partition goes to a member that did not own it while another member owns it.
fn check_cooperative(members: &[Member], assignment: &Assignment) -> Result<(), TestCaseError> {
    for member in members {
        for tp in &assignment[&member.member_id] {
            let other_owner = members
                .iter()
                .find(|other| other.member_id != member.member_id && other.owned.contains(tp));
            prop_assert!(
                other_owner.is_none(),
                "{} given {} still owned by {:?}",
                member.member_id,
                tp,
                other_owner.map(|m| &m.member_id)
            );
        }
    }
    Ok(())
}

/// Runs the cooperative assignor until nothing is withheld (Kafka's follow-up rebalances).
fn converge(
    partitions: &BTreeMap<String, u32>,
    mut members: Vec<Member>,
    mut generation: i32,
) -> Result<Assignment, TestCaseError> {
    for _ in 0..4 {
        let assignment = CooperativeStickyAssignor.assign(partitions, &members);
        check_cooperative(&members, &assignment)?;
        let revoked = members.iter().any(|m| {
            m.owned
                .iter()
                .any(|tp| !assignment[&m.member_id].contains(tp))
        });
        if !revoked {
            return Ok(assignment);
        }
        generation += 1;
        members = owning(&members, &assignment, generation);
    }
    Err(TestCaseError::fail(
        "no convergence within 4 follow-up rebalances",
    ))
}

proptest! {
    #[test]
    fn sticky_assignments_are_valid_and_uniform_ones_balanced(
        (counts, masks) in group(),
        uniform in any::<bool>(),
    ) {
        let partitions = partitions(&counts);
        let members = members(&masks, uniform);
        for assignor in [&StickyAssignor as &dyn Assignor, &CooperativeStickyAssignor] {
            let assignment = assignor.assign(&partitions, &members);
            check_valid(&partitions, &members, &assignment, true)?;
            if uniform {
                prop_assert!(spread(&assignment) <= 1, "{:?}", assignment);
            }
            // The same input, the same result.
            prop_assert_eq!(&assignor.assign(&partitions, &members), &assignment);
        }
    }

    #[test]
    fn sticky_rebalances_keep_what_balance_allows(
        (counts, masks) in group(),
        uniform in any::<bool>(),
        leave in any::<bool>(),
        pick in any::<prop::sample::Index>(),
    ) {
        let partitions = partitions(&counts);
        let mut members = members(&masks, uniform);
        let before = StickyAssignor.assign(&partitions, &members);
        members = owning(&members, &before, 1);
        if leave && members.len() > 1 {
            members.remove(pick.index(members.len()));
        } else {
            let topics = members[0].topics.clone();
            let mut joiner = Member::new("member-new", topics);
            joiner.generation = Some(1);
            members.push(joiner);
        }
        let after = StickyAssignor.assign(&partitions, &members);
        check_valid(&partitions, &members, &after, true)?;
        if uniform {
            prop_assert!(spread(&after) <= 1);
            // Each member keeps its partitions up to the new lower quota.
            let total: usize = after.values().map(Vec::len).sum();
            let min_quota = total / members.len();
            for member in &members {
                let kept = member
                    .owned
                    .iter()
                    .filter(|tp| after[&member.member_id].contains(tp))
                    .count();
                prop_assert!(
                    kept >= member.owned.len().min(min_quota),
                    "{} kept {} of {} (quota {})",
                    member.member_id, kept, member.owned.len(), min_quota
                );
            }
        }
    }

    #[test]
    fn cooperative_sticky_never_assigns_a_partition_another_member_owns(
        (counts, masks) in group(),
        uniform in any::<bool>(),
        leave in any::<bool>(),
        pick in any::<prop::sample::Index>(),
        resubscribe in any::<u8>(),
    ) {
        let partitions = partitions(&counts);
        let mut members = members(&masks, uniform);
        let before = CooperativeStickyAssignor.assign(&partitions, &members);
        members = owning(&members, &before, 1);
        if leave && members.len() > 1 {
            members.remove(pick.index(members.len()));
        } else {
            let mut joiner = Member::new("member-new", members[0].topics.clone());
            joiner.generation = Some(1);
            members.push(joiner);
        }
        // Sometimes one member changes its subscription too.
        if !uniform && resubscribe < 32 {
            let changed = pick.index(members.len());
            members[changed].topics = TOPICS
                .iter()
                .enumerate()
                .filter(|(t, _)| resubscribe & (1 << t) != 0)
                .map(|(_, topic)| topic.to_string())
                .collect();
        }
        let assignment = CooperativeStickyAssignor.assign(&partitions, &members);
        check_cooperative(&members, &assignment)?;
        check_valid(&partitions, &members, &assignment, false)?;
        let settled = converge(&partitions, members.clone(), 1)?;
        check_valid(&partitions, &members, &settled, true)?;
        if uniform {
            prop_assert!(spread(&settled) <= 1);
        }
    }
}
