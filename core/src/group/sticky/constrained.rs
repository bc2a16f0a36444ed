//! Kafka's `ConstrainedAssignmentBuilder` (rack-unaware): the sticky assignment when every
//! member subscribes to the same topics.
//!
//! With `P` partitions and `N` members the quotas are `min = P / N` and `max = ⌈P / N⌉`, and
//! exactly `P % N` members end with `max`.
//!
//! 1. In the iteration order of Kafka's member `HashMap`, each member keeps its claimed
//!    partitions, sorted by partition number then topic: all of them if fewer than `min`
//!    (it is then "under quota"); `max` of them if it has that many and members with `max` are
//!    still wanted; otherwise `min` of them (and it may take one more later). The rest of its
//!    claims are revoked.
//! 2. The partitions nobody kept, in topic then partition order, are dealt round-robin to the
//!    under-quota members in member-id order until they reach `min`, then one each to the
//!    members at `min` that may take one more, in the order they became eligible.
//!
//! A partition given to a member when some other member claimed it (revoked in step 1, or
//! claimed twice in one generation) is "transferring ownership", which the cooperative
//! assignor withholds.

use std::collections::VecDeque;

use super::{Claims, Input, Outcome};

/// Runs the builder over `claims` (each member's valid claims, `allSubscriptionsEqual`'s).
pub(crate) fn build(input: &Input<'_>, claims: Claims) -> Outcome {
    let members = input.members.len();
    assert!(members > 0, "the constrained builder needs a member");
    let total = input.partition_count() as usize;
    let min_quota = total / members;
    let max_quota = total.div_ceil(members);
    let expected_over_min = total % members;
    let mut current_over_min = 0usize;

    let mut assignment: Vec<Vec<u32>> = vec![Vec::with_capacity(max_quota); members];
    let mut taken = vec![false; total];
    let mut revoked = vec![false; total];
    let multiple = claims.multiple;
    let mut under_min: Vec<u32> = Vec::new();
    let mut exactly_min: VecDeque<u32> = VecDeque::new();

    // assignOwnedPartitions.
    for (slot, mut owned) in claims.owned.into_iter().enumerate() {
        // By partition number, then topic (topic indices are in topic order).
        owned.sort_by_cached_key(|&p| {
            let topic = input.topic_of(p);
            (p - input.offsets[topic as usize], topic)
        });
        owned.retain(|&p| !multiple[p as usize]);
        let keep = if owned.len() < min_quota {
            under_min.push(slot as u32);
            owned.len()
        } else if owned.len() >= max_quota && current_over_min < expected_over_min {
            current_over_min += 1;
            if current_over_min == expected_over_min {
                exactly_min.clear();
            }
            max_quota
        } else {
            if current_over_min < expected_over_min {
                exactly_min.push_back(slot as u32);
            }
            min_quota
        };
        for &p in &owned[..keep] {
            taken[p as usize] = true;
        }
        for &p in &owned[keep..] {
            revoked[p as usize] = true;
        }
        owned.truncate(keep);
        assignment[slot] = owned;
    }

    let rank = |slot: &u32| input.members[*slot as usize].rank;
    under_min.sort_unstable_by_key(rank);
    exactly_min.make_contiguous().sort_unstable_by_key(rank);

    // assignRoundRobin, with Kafka's LinkedList iterator over the under-quota members: `cursor`
    // is the index of its next element.
    let mut transferring = Vec::new();
    let mut cursor = 0usize;
    for partition in (0..total as u32).filter(|&p| !taken[p as usize]) {
        let member = if cursor < under_min.len() {
            cursor += 1;
            under_min[cursor - 1]
        } else if !under_min.is_empty() {
            cursor = 1;
            under_min[0]
        } else if let Some(member) = exactly_min.pop_front() {
            member
        } else {
            // Kafka throws "No more unfilled consumers to be assigned": the quotas add up to
            // the partition count, so it cannot happen.
            unreachable!("the quotas leave room for every partition");
        };
        let list = &mut assignment[member as usize];
        list.push(partition);
        if revoked[partition as usize] || multiple[partition as usize] {
            transferring.push((partition, member));
        }
        let count = list.len();
        if count == min_quota {
            cursor -= 1;
            under_min.remove(cursor);
            exactly_min.push_back(member);
        } else if count == max_quota {
            current_over_min += 1;
        }
    }
    debug_assert!(current_over_min <= expected_over_min || min_quota == max_quota);
    debug_assert!(
        assignment
            .iter()
            .all(|list| list.len() == min_quota || list.len() == max_quota)
    );
    Outcome {
        assignment,
        transferring: Some(transferring),
    }
}
