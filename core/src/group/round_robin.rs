//! Kafka's `RoundRobinAssignor` (`"roundrobin"`).

use std::collections::BTreeMap;

use super::assignor::{
    Assignment, Assignor, Member, TopicPartition, assigned_count, empty_assignment,
    java_string_cmp, shared_subscriptions, sorted_members,
};

/// Kafka's `RoundRobinAssignor`: every partition dealt in turn around a circle of members.
///
/// The partitions of all subscribed topics are laid out sorted (topics by name, then partition
/// number) and the members sorted in Kafka's order (static members first by
/// `group.instance.id`, then dynamic members by member id). A cursor walks the circle of
/// members: each partition goes to the next member subscribed to its topic, skipping (and
/// passing) the ones that are not, and the cursor moves past the member that took it. With
/// identical subscriptions the counts differ by at most one; with different subscriptions the
/// result can be unbalanced.
///
/// # Worked example
///
/// Kafka's own: members `C0`, `C1`, `C2` and topics `t0`, `t1`, `t2` with 1, 2 and 3
/// partitions; `C0` subscribes to `t0`, `C1` to `t0, t1`, `C2` to `t0, t1, t2`. The cursor
/// starts at `C0`, which takes `t0-0`; `C1` takes `t1-0`; `C2` takes `t1-1`; the cursor wraps to
/// `C0`, and for `t2-0` skips `C0` and `C1`, which do not subscribe to `t2`, so `C2` takes it,
/// and likewise `t2-1` and `t2-2`.
///
/// ```
/// use std::collections::BTreeMap;
/// use rill_core::group::{Assignor, Member, RoundRobinAssignor, TopicPartition};
///
/// let partitions_per_topic =
///     BTreeMap::from([("t0".to_string(), 1), ("t1".to_string(), 2), ("t2".to_string(), 3)]);
/// let members = [
///     Member::new("C0", ["t0"]),
///     Member::new("C1", ["t0", "t1"]),
///     Member::new("C2", ["t0", "t1", "t2"]),
/// ];
/// let assignment = RoundRobinAssignor.assign(&partitions_per_topic, &members);
/// let tp = TopicPartition::new;
/// assert_eq!(assignment["C0"], [tp("t0", 0)]);
/// assert_eq!(assignment["C1"], [tp("t1", 0)]);
/// assert_eq!(assignment["C2"], [tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2)]);
/// ```
///
/// Kafka's `RoundRobinAssignor` has no rack-aware logic. Each member's list comes out in
/// dealing order, which is the sorted partition order, as in Kafka.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundRobinAssignor;

impl RoundRobinAssignor {
    /// Kafka's protocol name for this assignor.
    pub const NAME: &'static str = "roundrobin";
}

impl Assignor for RoundRobinAssignor {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, u32>,
        members: &[Member],
    ) -> Assignment {
        let mut assignment = empty_assignment(members);
        let sorted = sorted_members(members);

        let (distinct, subscription_of) = shared_subscriptions(&sorted);

        // Every topic someone subscribes to and that has partitions, in Java's `TreeSet<String>`
        // order.
        let mut topics: Vec<(&str, u32)> = distinct
            .iter()
            .flatten()
            .filter_map(|&topic| {
                let count = *partitions_per_topic.get(topic)?;
                (count > 0).then_some((topic, count))
            })
            .collect();
        topics.sort_by(|a, b| java_string_cmp(a.0, b.0));
        topics.dedup_by(|a, b| a.0 == b.0);

        let mut dealt: Vec<Vec<TopicPartition>> = vec![Vec::new(); sorted.len()];
        let mut expected_total: u64 = 0;
        let mut cursor: usize = 0;
        for &(topic, partition_count) in &topics {
            expected_total += u64::from(partition_count);
            let subscribed: Vec<bool> = distinct.iter().map(|s| s.contains(topic)).collect();
            for partition in 0..partition_count {
                // At least one member subscribes to `topic` (that is how it got in the list),
                // so a full turn of the circle finds it.
                let mut skipped: usize = 0;
                while !subscribed[subscription_of[cursor]] {
                    cursor = (cursor + 1) % sorted.len();
                    skipped += 1;
                    assert!(
                        skipped < sorted.len(),
                        "some member subscribes to {topic:?}"
                    );
                }
                dealt[cursor].push(TopicPartition::new(topic, partition));
                cursor = (cursor + 1) % sorted.len();
            }
        }
        for (member, partitions) in sorted.iter().zip(dealt) {
            *assignment
                .get_mut(&member.member_id)
                .expect("every member has an entry") = partitions;
        }

        assert_eq!(
            assigned_count(&assignment),
            expected_total,
            "every subscribed partition is assigned once"
        );
        assignment
    }
}
