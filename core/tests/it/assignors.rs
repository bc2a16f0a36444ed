//! Consumer-group assignors: Kafka's `RangeAssignorTest` and `RoundRobinAssignorTest` (the
//! rack-unaware cases, with Kafka's expected assignments), plus properties.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeMap;

use rill_core::group::TopicPartition;
use rill_core::group::assignor::{java_string_cmp, member_order};
use rill_core::group::{Assignment, Assignor, Member, RangeAssignor, RoundRobinAssignor};

fn tp(topic: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

fn topics(counts: &[(&str, u32)]) -> BTreeMap<String, u32> {
    counts
        .iter()
        .map(|&(topic, count)| (topic.to_string(), count))
        .collect()
}

/// Kafka's test notation `"t1-0, t1-1, t2-0"` (empty for no partitions), sorted.
fn parse(partitions: &str) -> Vec<TopicPartition> {
    let mut parsed: Vec<TopicPartition> = partitions
        .split(", ")
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (topic, partition) = item.rsplit_once('-').expect("topic-partition");
            tp(topic, partition.parse().expect("a partition number"))
        })
        .collect();
    parsed.sort();
    parsed
}

fn sorted(mut partitions: Vec<TopicPartition>) -> Vec<TopicPartition> {
    partitions.sort();
    partitions
}

/// Kafka's `checkStaticAssignment`: the assignment keyed by `group.instance.id`.
fn by_instance_id(
    assignment: &Assignment,
    members: &[Member],
) -> BTreeMap<String, Vec<TopicPartition>> {
    members
        .iter()
        .filter_map(|member| {
            let instance = member.group_instance_id.clone()?;
            Some((instance, assignment[&member.member_id].clone()))
        })
        .collect()
}

fn all_members(assignment: &Assignment) -> Vec<&str> {
    assignment.keys().map(String::as_str).collect()
}

/// `AbstractPartitionAssignorTest.verifyRackAssignment`'s setting without racks: members
/// `consumer0`, `consumer1`, … subscribed to `member_topics[i]`; expected assignments in its
/// sorted-string notation.
fn check_numbered(
    assignor: &dyn Assignor,
    counts: &[(&str, u32)],
    member_topics: &[&[&str]],
    expected: &[&str],
) {
    let members: Vec<Member> = member_topics
        .iter()
        .enumerate()
        .map(|(i, subscribed)| Member::new(format!("consumer{i}"), subscribed.iter().copied()))
        .collect();
    let assignment = assignor.assign(&topics(counts), &members);
    assert_eq!(assignment.len(), expected.len());
    for (i, expected) in expected.iter().enumerate() {
        let actual = sorted(assignment[&format!("consumer{i}")].clone());
        assert_eq!(actual, parse(expected), "consumer{i}");
    }
}

#[test]
fn assignor_names_are_kafkas_protocol_names() {
    assert_eq!(RangeAssignor.name(), "range");
    assert_eq!(RoundRobinAssignor.name(), "roundrobin");
}

#[test]
fn assignor_member_order_is_static_by_instance_id_then_dynamic_by_member_id() {
    let dynamic_a = Member::new("a", ["t"]);
    let dynamic_b = Member::new("b", ["t"]);
    let static_z = Member::new("z", ["t"]).with_group_instance_id("i1");
    let static_y = Member::new("y", ["t"]).with_group_instance_id("i2");
    let mut members = [&dynamic_b, &static_y, &dynamic_a, &static_z];
    members.sort_by(|a, b| member_order(a, b));
    let ids: Vec<&str> = members.iter().map(|m| m.member_id.as_str()).collect();
    assert_eq!(ids, ["z", "y", "a", "b"]);
}

#[test]
fn assignor_strings_compare_as_java_does() {
    // U+FFFF is one UTF-16 unit 0xFFFF; U+10000 starts with the surrogate 0xD800, so Java
    // sorts it first, unlike Rust's code-point order.
    assert!(java_string_cmp("\u{10000}", "\u{FFFF}").is_lt());
    assert!("\u{10000}" > "\u{FFFF}");
    assert!(java_string_cmp("ab", "abc").is_lt());
    assert!(java_string_cmp("b", "abc").is_gt());
    let assignment = RoundRobinAssignor.assign(
        &topics(&[("t", 2)]),
        &[
            Member::new("\u{FFFF}", ["t"]),
            Member::new("\u{10000}", ["t"]),
        ],
    );
    assert_eq!(assignment["\u{10000}"], [tp("t", 0)]);
    assert_eq!(assignment["\u{FFFF}"], [tp("t", 1)]);
}

mod range {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const TOPIC1: &str = "topic1";
    const TOPIC2: &str = "topic2";

    fn assign(counts: &[(&str, u32)], members: &[Member]) -> Assignment {
        RangeAssignor.assign(&topics(counts), members)
    }

    /// Kafka's `assertAssignment`: order does not matter.
    fn assert_partitions(assignment: &Assignment, member: &str, expected: &[TopicPartition]) {
        assert_eq!(
            sorted(assignment[member].clone()),
            sorted(expected.to_vec()),
            "{member}"
        );
    }

    #[test]
    fn range_assign_javadoc_example() {
        let members = [
            Member::new("C0", ["t0", "t1"]),
            Member::new("C1", ["t0", "t1"]),
        ];
        let assignment = assign(&[("t0", 3), ("t1", 3)], &members);
        assert_eq!(
            assignment["C0"],
            [tp("t0", 0), tp("t0", 1), tp("t1", 0), tp("t1", 1)]
        );
        assert_eq!(assignment["C1"], [tp("t0", 2), tp("t1", 2)]);
    }

    #[test]
    fn range_assign_one_consumer_no_topic() {
        let assignment = assign(&[], &[Member::new("consumer1", Vec::<String>::new())]);
        assert_eq!(all_members(&assignment), ["consumer1"]);
        assert!(assignment["consumer1"].is_empty());
    }

    #[test]
    fn range_assign_one_consumer_nonexistent_topic() {
        let assignment = assign(&[], &[Member::new("consumer1", [TOPIC1])]);
        assert_eq!(all_members(&assignment), ["consumer1"]);
        assert!(assignment["consumer1"].is_empty());
    }

    #[test]
    fn range_assign_one_consumer_one_topic() {
        let assignment = assign(&[(TOPIC1, 3)], &[Member::new("consumer1", [TOPIC1])]);
        assert_eq!(all_members(&assignment), ["consumer1"]);
        assert_partitions(
            &assignment,
            "consumer1",
            &[tp(TOPIC1, 0), tp(TOPIC1, 1), tp(TOPIC1, 2)],
        );
    }

    #[test]
    fn range_assign_only_assigns_partitions_from_subscribed_topics() {
        let assignment = assign(
            &[(TOPIC1, 3), ("other", 3)],
            &[Member::new("consumer1", [TOPIC1])],
        );
        assert_eq!(all_members(&assignment), ["consumer1"]);
        assert_partitions(
            &assignment,
            "consumer1",
            &[tp(TOPIC1, 0), tp(TOPIC1, 1), tp(TOPIC1, 2)],
        );
    }

    #[test]
    fn range_assign_one_consumer_multiple_topics() {
        let assignment = assign(
            &[(TOPIC1, 1), (TOPIC2, 2)],
            &[Member::new("consumer1", [TOPIC1, TOPIC2])],
        );
        assert_eq!(all_members(&assignment), ["consumer1"]);
        assert_partitions(
            &assignment,
            "consumer1",
            &[tp(TOPIC1, 0), tp(TOPIC2, 0), tp(TOPIC2, 1)],
        );
    }

    #[test]
    fn range_assign_two_consumers_one_topic_one_partition() {
        let members = [
            Member::new("consumer1", [TOPIC1]),
            Member::new("consumer2", [TOPIC1]),
        ];
        let assignment = assign(&[(TOPIC1, 1)], &members);
        assert_partitions(&assignment, "consumer1", &[tp(TOPIC1, 0)]);
        assert_partitions(&assignment, "consumer2", &[]);
    }

    #[test]
    fn range_assign_two_consumers_one_topic_two_partitions() {
        let members = [
            Member::new("consumer1", [TOPIC1]),
            Member::new("consumer2", [TOPIC1]),
        ];
        let assignment = assign(&[(TOPIC1, 2)], &members);
        assert_partitions(&assignment, "consumer1", &[tp(TOPIC1, 0)]);
        assert_partitions(&assignment, "consumer2", &[tp(TOPIC1, 1)]);
    }

    #[test]
    fn range_assign_multiple_consumers_mixed_topics() {
        let members = [
            Member::new("consumer1", [TOPIC1]),
            Member::new("consumer2", [TOPIC1, TOPIC2]),
            Member::new("consumer3", [TOPIC1]),
        ];
        let assignment = assign(&[(TOPIC1, 3), (TOPIC2, 2)], &members);
        assert_partitions(&assignment, "consumer1", &[tp(TOPIC1, 0)]);
        assert_partitions(
            &assignment,
            "consumer2",
            &[tp(TOPIC1, 1), tp(TOPIC2, 0), tp(TOPIC2, 1)],
        );
        assert_partitions(&assignment, "consumer3", &[tp(TOPIC1, 2)]);
    }

    #[test]
    fn range_assign_two_consumers_two_topics_six_partitions() {
        let members = [
            Member::new("consumer1", [TOPIC1, TOPIC2]),
            Member::new("consumer2", [TOPIC1, TOPIC2]),
        ];
        let assignment = assign(&[(TOPIC1, 3), (TOPIC2, 3)], &members);
        assert_partitions(
            &assignment,
            "consumer1",
            &[tp(TOPIC1, 0), tp(TOPIC1, 1), tp(TOPIC2, 0), tp(TOPIC2, 1)],
        );
        assert_partitions(&assignment, "consumer2", &[tp(TOPIC1, 2), tp(TOPIC2, 2)]);
    }

    #[test]
    fn range_assign_two_static_consumers_two_topics_six_partitions() {
        // "consumer-a" sorts before "consumer-b", but static members compare by instance id.
        let members = [
            Member::new("consumer-b", [TOPIC1, TOPIC2]).with_group_instance_id("instance1"),
            Member::new("consumer-a", [TOPIC1, TOPIC2]).with_group_instance_id("instance2"),
        ];
        let assignment = assign(&[(TOPIC1, 3), (TOPIC2, 3)], &members);
        assert_partitions(
            &assignment,
            "consumer-b",
            &[tp(TOPIC1, 0), tp(TOPIC1, 1), tp(TOPIC2, 0), tp(TOPIC2, 1)],
        );
        assert_partitions(&assignment, "consumer-a", &[tp(TOPIC1, 2), tp(TOPIC2, 2)]);
    }

    #[test]
    fn range_assign_one_static_consumer_and_one_dynamic_consumer_two_topics_six_partitions() {
        let members = [
            Member::new("consumer-b", [TOPIC1, TOPIC2]).with_group_instance_id("instance1"),
            Member::new("consumer-a", [TOPIC1, TOPIC2]),
        ];
        let assignment = assign(&[(TOPIC1, 3), (TOPIC2, 3)], &members);
        assert_partitions(
            &assignment,
            "consumer-b",
            &[tp(TOPIC1, 0), tp(TOPIC1, 1), tp(TOPIC2, 0), tp(TOPIC2, 1)],
        );
        assert_partitions(&assignment, "consumer-a", &[tp(TOPIC1, 2), tp(TOPIC2, 2)]);
    }

    fn three_static_members() -> Vec<Member> {
        (1..=3)
            .map(|i| {
                Member::new(format!("consumer{i}"), [TOPIC1, TOPIC2])
                    .with_group_instance_id(format!("instance{i}"))
            })
            .collect()
    }

    #[test]
    fn range_assign_static_member_range_assignment_persistent() {
        let mut members = three_static_members();
        members.push(Member::new("consumer4", [TOPIC1, TOPIC2]));
        let counts = [(TOPIC1, 5), (TOPIC2, 4)];
        let mut expected: Assignment = [
            (
                "consumer1",
                vec![tp(TOPIC1, 0), tp(TOPIC1, 1), tp(TOPIC2, 0)],
            ),
            ("consumer2", vec![tp(TOPIC1, 2), tp(TOPIC2, 1)]),
            ("consumer3", vec![tp(TOPIC1, 3), tp(TOPIC2, 2)]),
            ("consumer4", vec![tp(TOPIC1, 4), tp(TOPIC2, 3)]),
        ]
        .into_iter()
        .map(|(member, partitions)| (member.to_string(), partitions))
        .collect();
        assert_eq!(assign(&counts, &members), expected);

        // Replace dynamic member 4 with a new dynamic member 5.
        members.pop();
        members.push(Member::new("consumer5", [TOPIC1, TOPIC2]));
        let moved = expected.remove("consumer4").expect("was expected");
        expected.insert("consumer5".to_string(), moved);
        assert_eq!(assign(&counts, &members), expected);
    }

    #[test]
    fn range_assign_static_member_range_assignment_persistent_after_member_id_changes() {
        let mut members = three_static_members();
        let counts = [(TOPIC1, 5), (TOPIC2, 5)];
        let expected: BTreeMap<String, Vec<TopicPartition>> = [
            (
                "instance1",
                vec![tp(TOPIC1, 0), tp(TOPIC1, 1), tp(TOPIC2, 0), tp(TOPIC2, 1)],
            ),
            (
                "instance2",
                vec![tp(TOPIC1, 2), tp(TOPIC1, 3), tp(TOPIC2, 2), tp(TOPIC2, 3)],
            ),
            ("instance3", vec![tp(TOPIC1, 4), tp(TOPIC2, 4)]),
        ]
        .into_iter()
        .map(|(instance, partitions)| (instance.to_string(), partitions))
        .collect();
        let before = by_instance_id(&assign(&counts, &members), &members);
        assert_eq!(before, expected);

        // Switch the member ids; the assignment by instance id stays.
        members[2].member_id = "consumer4".to_string();
        members[1].member_id = "consumer5".to_string();
        let after = by_instance_id(&assign(&counts, &members), &members);
        assert_eq!(after, before);
    }

    // The non-rack-aware expectations of Kafka's rack-aware tests (`verifyNonRackAwareAssignment`
    // and the cases where rack-aware logic is not used).

    const ALL3: &[&str] = &["t1", "t2", "t3"];

    #[test]
    fn range_assign_rack_aware_assignment_with_uniform_subscription_without_racks() {
        check_numbered(
            &RangeAssignor,
            &[("t1", 6), ("t2", 7), ("t3", 2)],
            &[ALL3, ALL3, ALL3],
            &[
                "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0",
                "t1-2, t1-3, t2-3, t2-4, t3-1",
                "t1-4, t1-5, t2-5, t2-6",
            ],
        );
    }

    #[test]
    fn range_assign_rack_aware_assignment_with_non_equal_subscription_without_racks() {
        check_numbered(
            &RangeAssignor,
            &[("t1", 6), ("t2", 7), ("t3", 2)],
            &[ALL3, ALL3, &["t1", "t3"]],
            &[
                "t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0",
                "t1-2, t1-3, t2-4, t2-5, t2-6, t3-1",
                "t1-4, t1-5",
            ],
        );
    }

    #[test]
    fn range_assign_rack_aware_assignment_with_uniform_partitions_without_racks() {
        check_numbered(
            &RangeAssignor,
            &[("t1", 5), ("t2", 5), ("t3", 5)],
            &[ALL3, ALL3, ALL3],
            &[
                "t1-0, t1-1, t2-0, t2-1, t3-0, t3-1",
                "t1-2, t1-3, t2-2, t2-3, t3-2, t3-3",
                "t1-4, t2-4, t3-4",
            ],
        );
    }

    #[test]
    fn range_assign_rack_aware_assignment_with_uniform_partitions_non_equal_subscription_without_racks()
     {
        check_numbered(
            &RangeAssignor,
            &[("t1", 5), ("t2", 5), ("t3", 5)],
            &[ALL3, ALL3, &["t1", "t3"]],
            &[
                "t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1",
                "t1-2, t1-3, t2-3, t2-4, t3-2, t3-3",
                "t1-4, t3-4",
            ],
        );
    }

    #[test]
    fn range_assign_rack_aware_assignment_with_co_partitioning_without_racks() {
        let counts = [("t1", 6), ("t2", 6), ("t3", 2), ("t4", 2)];
        check_numbered(
            &RangeAssignor,
            &counts,
            &[&["t1", "t2"], &["t1", "t2"], &["t3", "t4"], &["t3", "t4"]],
            &[
                "t1-0, t1-1, t1-2, t2-0, t2-1, t2-2",
                "t1-3, t1-4, t1-5, t2-3, t2-4, t2-5",
                "t3-0, t4-0",
                "t3-1, t4-1",
            ],
        );
        let all: &[&str] = &["t1", "t2", "t3", "t4"];
        check_numbered(
            &RangeAssignor,
            &counts,
            &[all, all, all, all],
            &[
                "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0",
                "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1",
                "t1-4, t2-4",
                "t1-5, t2-5",
            ],
        );
    }

    #[test]
    fn range_assign_co_partitioned_assignment_with_same_subscription_without_racks() {
        // t7, t8 and t9 are subscribed to but do not exist.
        let subscribed: &[&str] = &["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"];
        check_numbered(
            &RangeAssignor,
            &[
                ("t1", 6),
                ("t2", 6),
                ("t3", 2),
                ("t4", 2),
                ("t5", 4),
                ("t6", 4),
            ],
            &[subscribed, subscribed, subscribed],
            &[
                "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1",
                "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2",
                "t1-4, t1-5, t2-4, t2-5, t5-3, t6-3",
            ],
        );
    }

    #[test]
    fn range_assign_ignores_duplicate_subscriptions_and_empty_topics() {
        let members = [
            Member::new("a", ["t", "t", "empty"]),
            Member::new("b", ["t", "empty"]),
        ];
        let assignment = assign(&[("t", 3), ("empty", 0)], &members);
        assert_eq!(assignment["a"], [tp("t", 0), tp("t", 1)]);
        assert_eq!(assignment["b"], [tp("t", 2)]);
    }
}

mod round_robin {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const TOPIC: &str = "topic";
    const TOPIC1: &str = "topic1";
    const TOPIC2: &str = "topic2";
    const CONSUMER: &str = "consumer";

    fn assign(counts: &[(&str, u32)], members: &[Member]) -> Assignment {
        RoundRobinAssignor.assign(&topics(counts), members)
    }

    #[test]
    fn round_robin_assign_javadoc_examples() {
        let both = ["t0", "t1"];
        let assignment = assign(
            &[("t0", 3), ("t1", 3)],
            &[Member::new("C0", both), Member::new("C1", both)],
        );
        assert_eq!(assignment["C0"], [tp("t0", 0), tp("t0", 2), tp("t1", 1)]);
        assert_eq!(assignment["C1"], [tp("t0", 1), tp("t1", 0), tp("t1", 2)]);

        let assignment = assign(
            &[("t0", 1), ("t1", 2), ("t2", 3)],
            &[
                Member::new("C0", ["t0"]),
                Member::new("C1", ["t0", "t1"]),
                Member::new("C2", ["t0", "t1", "t2"]),
            ],
        );
        assert_eq!(assignment["C0"], [tp("t0", 0)]);
        assert_eq!(assignment["C1"], [tp("t1", 0)]);
        assert_eq!(
            assignment["C2"],
            [tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2)]
        );

        // Three members on two topics of three partitions: Ci gets t0-i and t1-i.
        let members = [
            Member::new("C0", both),
            Member::new("C1", both),
            Member::new("C2", both),
        ];
        let assignment = assign(&[("t0", 3), ("t1", 3)], &members);
        for i in 0..3 {
            assert_eq!(assignment[&format!("C{i}")], [tp("t0", i), tp("t1", i)]);
        }
    }

    #[test]
    fn round_robin_assign_one_consumer_no_topic() {
        let assignment = assign(&[], &[Member::new(CONSUMER, Vec::<String>::new())]);
        assert_eq!(all_members(&assignment), [CONSUMER]);
        assert!(assignment[CONSUMER].is_empty());
    }

    #[test]
    fn round_robin_assign_one_consumer_nonexistent_topic() {
        let assignment = assign(&[], &[Member::new(CONSUMER, [TOPIC])]);
        assert_eq!(all_members(&assignment), [CONSUMER]);
        assert!(assignment[CONSUMER].is_empty());
    }

    #[test]
    fn round_robin_assign_one_consumer_one_topic() {
        let assignment = assign(&[(TOPIC, 3)], &[Member::new(CONSUMER, [TOPIC])]);
        assert_eq!(
            assignment[CONSUMER],
            [tp(TOPIC, 0), tp(TOPIC, 1), tp(TOPIC, 2)]
        );
    }

    #[test]
    fn round_robin_assign_only_assigns_partitions_from_subscribed_topics() {
        let assignment = assign(
            &[(TOPIC, 3), ("other", 3)],
            &[Member::new(CONSUMER, [TOPIC])],
        );
        assert_eq!(
            assignment[CONSUMER],
            [tp(TOPIC, 0), tp(TOPIC, 1), tp(TOPIC, 2)]
        );
    }

    #[test]
    fn round_robin_assign_one_consumer_multiple_topics() {
        let assignment = assign(
            &[(TOPIC1, 1), (TOPIC2, 2)],
            &[Member::new(CONSUMER, [TOPIC1, TOPIC2])],
        );
        assert_eq!(
            assignment[CONSUMER],
            [tp(TOPIC1, 0), tp(TOPIC2, 0), tp(TOPIC2, 1)]
        );
    }

    #[test]
    fn round_robin_assign_two_consumers_one_topic_one_partition() {
        let members = [
            Member::new("consumer1", [TOPIC]),
            Member::new("consumer2", [TOPIC]),
        ];
        let assignment = assign(&[(TOPIC, 1)], &members);
        assert_eq!(assignment["consumer1"], [tp(TOPIC, 0)]);
        assert_eq!(assignment["consumer2"], []);
    }

    #[test]
    fn round_robin_assign_two_consumers_one_topic_two_partitions() {
        let members = [
            Member::new("consumer1", [TOPIC]),
            Member::new("consumer2", [TOPIC]),
        ];
        let assignment = assign(&[(TOPIC, 2)], &members);
        assert_eq!(assignment["consumer1"], [tp(TOPIC, 0)]);
        assert_eq!(assignment["consumer2"], [tp(TOPIC, 1)]);
    }

    #[test]
    fn round_robin_assign_multiple_consumers_mixed_topics() {
        let members = [
            Member::new("consumer1", [TOPIC1]),
            Member::new("consumer2", [TOPIC1, TOPIC2]),
            Member::new("consumer3", [TOPIC1]),
        ];
        let assignment = assign(&[(TOPIC1, 3), (TOPIC2, 2)], &members);
        assert_eq!(assignment["consumer1"], [tp(TOPIC1, 0)]);
        assert_eq!(
            assignment["consumer2"],
            [tp(TOPIC1, 1), tp(TOPIC2, 0), tp(TOPIC2, 1)]
        );
        assert_eq!(assignment["consumer3"], [tp(TOPIC1, 2)]);
    }

    #[test]
    fn round_robin_assign_two_dynamic_consumers_two_topics_six_partitions() {
        let members = [
            Member::new("consumer1", [TOPIC1, TOPIC2]),
            Member::new("consumer2", [TOPIC1, TOPIC2]),
        ];
        let assignment = assign(&[(TOPIC1, 3), (TOPIC2, 3)], &members);
        assert_eq!(
            assignment["consumer1"],
            [tp(TOPIC1, 0), tp(TOPIC1, 2), tp(TOPIC2, 1)]
        );
        assert_eq!(
            assignment["consumer2"],
            [tp(TOPIC1, 1), tp(TOPIC2, 0), tp(TOPIC2, 2)]
        );
    }

    #[test]
    fn round_robin_assign_two_static_consumers_two_topics_six_partitions() {
        let members = [
            Member::new("consumer-b", [TOPIC1, TOPIC2]).with_group_instance_id("instance1"),
            Member::new("consumer-a", [TOPIC1, TOPIC2]).with_group_instance_id("instance2"),
        ];
        let assignment = assign(&[(TOPIC1, 3), (TOPIC2, 3)], &members);
        assert_eq!(
            assignment["consumer-b"],
            [tp(TOPIC1, 0), tp(TOPIC1, 2), tp(TOPIC2, 1)]
        );
        assert_eq!(
            assignment["consumer-a"],
            [tp(TOPIC1, 1), tp(TOPIC2, 0), tp(TOPIC2, 2)]
        );
    }

    #[test]
    fn round_robin_assign_one_static_consumer_and_one_dynamic_consumer_two_topics_six_partitions() {
        let members = [
            Member::new("consumer-b", [TOPIC1, TOPIC2]).with_group_instance_id("instance1"),
            Member::new("consumer-a", [TOPIC1, TOPIC2]),
        ];
        let assignment = assign(&[(TOPIC1, 3), (TOPIC2, 3)], &members);
        assert_eq!(
            assignment["consumer-b"],
            [tp(TOPIC1, 0), tp(TOPIC1, 2), tp(TOPIC2, 1)]
        );
        assert_eq!(
            assignment["consumer-a"],
            [tp(TOPIC1, 1), tp(TOPIC2, 0), tp(TOPIC2, 2)]
        );
    }

    fn three_static_members() -> Vec<Member> {
        (1..=3)
            .map(|i| {
                Member::new(format!("consumer{i}"), [TOPIC1, TOPIC2])
                    .with_group_instance_id(format!("instance{i}"))
            })
            .collect()
    }

    #[test]
    fn round_robin_assign_static_member_round_robin_assignment_persistent() {
        let mut members = three_static_members();
        members.push(Member::new("consumer4", [TOPIC1, TOPIC2]));
        let counts = [(TOPIC1, 3), (TOPIC2, 3)];
        let mut expected: Assignment = [
            ("consumer1", vec![tp(TOPIC1, 0), tp(TOPIC2, 1)]),
            ("consumer2", vec![tp(TOPIC1, 1), tp(TOPIC2, 2)]),
            ("consumer3", vec![tp(TOPIC1, 2)]),
            ("consumer4", vec![tp(TOPIC2, 0)]),
        ]
        .into_iter()
        .map(|(member, partitions)| (member.to_string(), partitions))
        .collect();
        assert_eq!(assign(&counts, &members), expected);

        // Replace dynamic member 4 with a new dynamic member 5.
        members.pop();
        members.push(Member::new("consumer5", [TOPIC1, TOPIC2]));
        let moved = expected.remove("consumer4").expect("was expected");
        expected.insert("consumer5".to_string(), moved);
        assert_eq!(assign(&counts, &members), expected);
    }

    #[test]
    fn round_robin_assign_static_member_round_robin_assignment_persistent_after_member_id_changes()
    {
        let mut members = three_static_members();
        let counts = [(TOPIC1, 5), (TOPIC2, 5)];
        let expected: BTreeMap<String, Vec<TopicPartition>> = [
            (
                "instance1",
                vec![tp(TOPIC1, 0), tp(TOPIC1, 3), tp(TOPIC2, 1), tp(TOPIC2, 4)],
            ),
            (
                "instance2",
                vec![tp(TOPIC1, 1), tp(TOPIC1, 4), tp(TOPIC2, 2)],
            ),
            (
                "instance3",
                vec![tp(TOPIC1, 2), tp(TOPIC2, 0), tp(TOPIC2, 3)],
            ),
        ]
        .into_iter()
        .map(|(instance, partitions)| (instance.to_string(), partitions))
        .collect();
        let before = by_instance_id(&assign(&counts, &members), &members);
        assert_eq!(before, expected);

        // Switch the member ids; the assignment by instance id stays.
        members[2].member_id = "consumer4".to_string();
        members[1].member_id = "consumer5".to_string();
        let after = by_instance_id(&assign(&counts, &members), &members);
        assert_eq!(after, before);
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    /// Topic names the members may subscribe to; `t5` never exists.
    const TOPIC_NAMES: [&str; 6] = ["t0", "t1", "t2", "t3", "t4", "t5"];

    fn counts_strategy() -> impl Strategy<Value = BTreeMap<String, u32>> {
        proptest::collection::vec(0u32..9, 5).prop_map(|counts| {
            counts
                .into_iter()
                .enumerate()
                .map(|(i, count)| (TOPIC_NAMES[i].to_string(), count))
                .collect()
        })
    }

    /// Members with unique, randomly ordered ids, some static with unique instance ids.
    fn members_strategy(uniform: bool) -> impl Strategy<Value = Vec<Member>> {
        let member = (
            any::<u16>(),
            any::<bool>(),
            proptest::bits::u8::masked(0b11_1111),
        );
        (
            proptest::collection::vec(member, 1..9),
            proptest::bits::u8::masked(0b11_1111),
        )
            .prop_map(move |(specs, shared)| {
                let count = specs.len();
                specs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (tag, is_static, mask))| {
                        let mask = if uniform { shared } else { mask };
                        let subscribed: Vec<&str> = (0..TOPIC_NAMES.len())
                            .filter(|bit| mask & (1 << bit) != 0)
                            .map(|bit| TOPIC_NAMES[bit])
                            .collect();
                        let member = Member::new(format!("m{tag}-{i}"), subscribed);
                        if is_static {
                            member.with_group_instance_id(format!("inst{}", count - i))
                        } else {
                            member
                        }
                    })
                    .collect()
            })
    }

    fn check_valid(counts: &BTreeMap<String, u32>, members: &[Member], assignment: &Assignment) {
        let ids: BTreeSet<&str> = members.iter().map(|m| m.member_id.as_str()).collect();
        assert_eq!(
            assignment
                .keys()
                .map(String::as_str)
                .collect::<BTreeSet<_>>(),
            ids
        );

        let mut seen: BTreeMap<TopicPartition, &str> = BTreeMap::new();
        for (member_id, partitions) in assignment {
            let member = members
                .iter()
                .find(|m| &m.member_id == member_id)
                .expect("assigned to a member");
            for partition in partitions {
                assert!(
                    member.subscribes_to(&partition.topic),
                    "{member_id} got {partition}"
                );
                assert!(partition.partition < counts.get(&partition.topic).copied().unwrap_or(0));
                let previous = seen.insert(partition.clone(), member_id);
                assert_eq!(previous, None, "{partition} assigned twice");
            }
        }
        for (topic, &count) in counts {
            if members.iter().any(|m| m.subscribes_to(topic)) {
                for p in 0..count {
                    assert!(seen.contains_key(&tp(topic, p)), "{topic}-{p} unassigned");
                }
            }
        }
    }

    fn spread(values: impl Iterator<Item = usize>) -> usize {
        let values: Vec<usize> = values.collect();
        let max = values.iter().copied().max().unwrap_or(0);
        let min = values.iter().copied().min().unwrap_or(0);
        max - min
    }

    proptest! {
        #[test]
        fn assign_prop_every_subscribed_partition_once_to_a_subscriber(
            counts in counts_strategy(),
            members in members_strategy(false),
        ) {
            for assignor in [&RangeAssignor as &dyn Assignor, &RoundRobinAssignor] {
                let assignment = assignor.assign(&counts, &members);
                check_valid(&counts, &members, &assignment);
                // The input order of the members does not matter.
                let mut reversed = members.clone();
                reversed.reverse();
                prop_assert_eq!(assignor.assign(&counts, &reversed), assignment);
            }
        }

        #[test]
        fn assign_prop_uniform_subscriptions_are_balanced(
            counts in counts_strategy(),
            members in members_strategy(true),
        ) {
            let round_robin = RoundRobinAssignor.assign(&counts, &members);
            check_valid(&counts, &members, &round_robin);
            prop_assert!(spread(round_robin.values().map(Vec::len)) <= 1);

            let range = RangeAssignor.assign(&counts, &members);
            check_valid(&counts, &members, &range);
            for topic in counts.keys() {
                let per_member = range
                    .values()
                    .map(|partitions| partitions.iter().filter(|p| &p.topic == topic).count());
                prop_assert!(spread(per_member) <= 1, "{topic}");
            }
        }
    }
}
