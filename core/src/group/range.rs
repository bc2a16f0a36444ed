//! Kafka's `RangeAssignor` (`"range"`), rack-unaware.

use std::collections::BTreeMap;

use super::assignor::{
    Assignment, Assignor, Member, TopicPartition, assigned_count, empty_assignment,
    shared_subscriptions, sorted_members,
};

/// Kafka's `RangeAssignor`: topic by topic, contiguous ranges of partitions.
///
/// For each topic, the members subscribed to it are put in Kafka's order (static members first
/// by `group.instance.id`, then dynamic members by member id) and its partitions, in numeric
/// order, are cut into one range per member: each gets `partitions / members`, and the first
/// `partitions % members` members get one more. Topics are independent of each other, so with
/// several topics the first members collect one extra partition per topic.
///
/// # Worked example
///
/// Kafka's own: members `C0` and `C1` both subscribe to `t0` and `t1`, each with 3 partitions.
/// For `t0`, 3 / 2 = 1 each and 3 % 2 = 1 extra, so `C0` takes `t0-0, t0-1` and `C1` takes
/// `t0-2`; `t1` is cut the same way.
///
/// ```
/// use std::collections::BTreeMap;
/// use rill_core::group::{Assignor, Member, RangeAssignor, TopicPartition};
///
/// let partitions_per_topic = BTreeMap::from([("t0".to_string(), 3), ("t1".to_string(), 3)]);
/// let members = [Member::new("C0", ["t0", "t1"]), Member::new("C1", ["t0", "t1"])];
/// let assignment = RangeAssignor.assign(&partitions_per_topic, &members);
/// let tp = TopicPartition::new;
/// assert_eq!(assignment["C0"], [tp("t0", 0), tp("t0", 1), tp("t1", 0), tp("t1", 1)]);
/// assert_eq!(assignment["C1"], [tp("t0", 2), tp("t1", 2)]);
/// ```
///
/// Had `C1` been static (`group.instance.id` set) and `C0` dynamic, `C1` would sort first and
/// take the larger ranges.
///
/// # Differences from Kafka
///
/// * Racks: since 3.5 (KIP-881) Kafka's `RangeAssignor` first matches partitions to members on
///   the same rack when members send a `client.rack` and some partition's replicas are not on
///   every rack. This is the rack-unaware path, which Kafka takes whenever no member has a rack
///   or all partitions have replicas on every rack.
/// * Order within a member's list: Kafka appends topic by topic in the iteration order of a
///   `java.util.HashMap` of topics; here each member's partitions are sorted by topic, then
///   partition. The set each member gets is Kafka's, and members treat it as a set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RangeAssignor;

impl RangeAssignor {
    /// Kafka's protocol name for this assignor (`RangeAssignor.RANGE_ASSIGNOR_NAME`).
    pub const NAME: &'static str = "range";
}

impl Assignor for RangeAssignor {
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

        let mut ranges: Vec<Vec<TopicPartition>> = vec![Vec::new(); sorted.len()];
        let mut expected_total: u64 = 0;
        for (topic, &partition_count) in partitions_per_topic {
            if partition_count == 0 {
                continue; // Kafka drops topics without partitions before assigning.
            }
            // The topic's subscribers, in member order.
            let subscribed: Vec<bool> = distinct
                .iter()
                .map(|s| s.contains(topic.as_str()))
                .collect();
            let consumers: Vec<usize> = (0..sorted.len())
                .filter(|&i| subscribed[subscription_of[i]])
                .collect();
            if consumers.is_empty() {
                continue; // Nobody subscribes to it.
            }
            expected_total += u64::from(partition_count);

            let consumer_count = consumers.len() as u64;
            let per_consumer = u64::from(partition_count) / consumer_count;
            let with_extra = u64::from(partition_count) % consumer_count;
            let mut next: u64 = 0;
            for (index, &consumer) in consumers.iter().enumerate() {
                let index = index as u64;
                let start = per_consumer * index + index.min(with_extra);
                let length = per_consumer + u64::from(index < with_extra);
                debug_assert_eq!(start, next, "ranges are contiguous");
                // `start + length <= partition_count`, a u32, so the casts are lossless.
                ranges[consumer].extend(
                    (start..start + length).map(|p| TopicPartition::new(topic.clone(), p as u32)),
                );
                next = start + length;
            }
            assert_eq!(
                next,
                u64::from(partition_count),
                "the ranges of {topic:?} cover its partitions exactly"
            );
        }
        for (member, partitions) in sorted.iter().zip(ranges) {
            *assignment
                .get_mut(&member.member_id)
                .expect("every member has an entry") = partitions;
        }

        for partitions in assignment.values_mut() {
            partitions.sort_unstable();
        }
        assert_eq!(
            assigned_count(&assignment),
            expected_total,
            "every subscribed partition is assigned once"
        );
        assignment
    }
}
