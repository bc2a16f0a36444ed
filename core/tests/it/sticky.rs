//! The sticky assignors: Kafka's `AbstractStickyAssignorTest` (run, as in Kafka, for both
//! `StickyAssignor` and `CooperativeStickyAssignor`), `StickyAssignorTest` and
//! `CooperativeStickyAssignorTest`, rack-unaware cases, with Kafka's expected assignments.
//!
//! Members go through the consumer protocol as in Kafka's tests: Kafka's
//! `buildSubscriptionV2Above(topics, partitions, generation)` becomes a [`Subscription`] with the
//! owned partitions and generation (and, for `"sticky"`, the user data carrying them), read back
//! with [`member_from_subscription`]. The `members` order is the insertion order of Kafka's
//! test `HashMap`, whose iteration order the assignors follow.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::{BTreeMap, BTreeSet};

use rill_core::group::protocol::Subscription;
use rill_core::group::{
    Assignment, Assignor, CooperativeStickyAssignor, Member, RebalanceProtocol, StickyAssignor,
    TopicPartition, assignor_named, member_from_subscription, subscription_user_data,
};
use rill_core::prng::Prng;

fn tp(topic: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

/// Kafka's test notation `"t1-0, t1-1, t2-0"`, sorted.
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Sticky,
    Cooperative,
}

const BOTH: [Kind; 2] = [Kind::Sticky, Kind::Cooperative];

impl Kind {
    fn assignor(self) -> &'static dyn Assignor {
        match self {
            Kind::Sticky => &StickyAssignor,
            Kind::Cooperative => &CooperativeStickyAssignor,
        }
    }
}

/// `generationId` of Kafka's tests.
const GENERATION_ID: i32 = 1;

/// Kafka's test fixture: partitions per topic and the `subscriptions` map.
struct Group {
    kind: Kind,
    partitions: BTreeMap<String, u32>,
    members: Vec<Member>,
}

impl Group {
    fn new(kind: Kind, counts: &[(&str, u32)]) -> Self {
        Self {
            kind,
            partitions: counts
                .iter()
                .map(|&(topic, count)| (topic.to_string(), count))
                .collect(),
            members: Vec::new(),
        }
    }

    /// `subscriptions.put(id, buildSubscriptionV2Above(topics, owned, generation))`, or
    /// `subscription(topics)` when `generation` is `None` (no owned partitions, no generation).
    fn put(
        &mut self,
        id: &str,
        topics: &[&str],
        owned: &[TopicPartition],
        generation: Option<i32>,
    ) {
        let protocol = self.kind.assignor().name();
        let subscription = Subscription {
            topics: topics.iter().map(|t| t.to_string()).collect(),
            user_data: generation.and_then(|g| subscription_user_data(protocol, owned, Some(g))),
            owned_partitions: owned.to_vec(),
            generation_id: generation.unwrap_or(-1),
            rack_id: None,
        };
        let member = member_from_subscription(protocol, id, None, &subscription);
        match self.members.iter_mut().find(|m| m.member_id == id) {
            Some(existing) => *existing = member,
            None => self.members.push(member),
        }
    }

    /// `subscription(topics)`.
    fn join(&mut self, id: &str, topics: &[&str]) {
        self.put(id, topics, &[], None);
    }

    /// `buildSubscriptionV2Above(topics, assignment[id], generationId)` with the member's topics.
    fn report(&mut self, id: &str, assignment: &Assignment) {
        let topics = self.topics_of(id);
        let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
        self.put(id, &topics, &assignment[id], Some(GENERATION_ID));
    }

    fn topics_of(&self, id: &str) -> Vec<String> {
        self.members
            .iter()
            .find(|m| m.member_id == id)
            .expect("a member")
            .topics
            .clone()
    }

    fn remove(&mut self, id: &str) {
        self.members.retain(|m| m.member_id != id);
    }

    fn assign(&self) -> Assignment {
        self.kind.assignor().assign(&self.partitions, &self.members)
    }

    /// Kafka's `partitionsTransferringOwnership` of the constrained builder, seen as what the
    /// cooperative assignor withholds from the sticky target.
    fn transferring(&self) -> BTreeMap<TopicPartition, String> {
        let target = StickyAssignor.assign(&self.partitions, &self.members);
        let given = CooperativeStickyAssignor.assign(&self.partitions, &self.members);
        let mut withheld = BTreeMap::new();
        for (member, partitions) in target {
            for partition in partitions {
                if !given[&member].contains(&partition) {
                    withheld.insert(partition, member.clone());
                }
            }
        }
        withheld
    }

    /// Kafka's `verifyValidityAndBalance`; for the cooperative assignor first the follow-up
    /// rebalances (`CooperativeStickyAssignorTest.verifyValidityAndBalance`), which update
    /// `assignment` and the members' owned partitions.
    fn verify(&mut self, assignment: &mut Assignment) {
        if self.kind == Kind::Cooperative {
            let mut rebalances = 0;
            while self.verify_cooperative_validity(assignment) {
                for id in assignment.keys() {
                    let topics = self.topics_of(id);
                    let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
                    self.put(id, &topics, &assignment[id], Some(GENERATION_ID));
                }
                *assignment = self.assign();
                rebalances += 1;
                assert!(rebalances <= 4, "converges within 4 follow-up rebalances");
            }
        }
        verify_validity_and_balance(&self.members, assignment);
    }

    /// True if partitions are being revoked; asserts none is revoked and assigned at once.
    fn verify_cooperative_validity(&self, assignment: &Assignment) -> bool {
        let mut added = BTreeSet::new();
        let mut revoked = BTreeSet::new();
        for member in &self.members {
            let assigned = &assignment[&member.member_id];
            revoked.extend(
                member
                    .owned
                    .iter()
                    .filter(|p| !assigned.contains(p))
                    .cloned(),
            );
            added.extend(
                assigned
                    .iter()
                    .filter(|p| !member.owned.contains(p))
                    .cloned(),
            );
        }
        let both: Vec<_> = added.intersection(&revoked).collect();
        assert!(both.is_empty(), "revoked and assigned at once: {both:?}");
        !revoked.is_empty()
    }
}

/// Kafka's `AbstractStickyAssignorTest.verifyValidityAndBalance`.
fn verify_validity_and_balance(members: &[Member], assignment: &Assignment) {
    assert_eq!(members.len(), assignment.len());
    let ids: Vec<&String> = assignment.keys().collect();
    for (i, id) in ids.iter().enumerate() {
        let member = members
            .iter()
            .find(|m| &&m.member_id == id)
            .expect("a member");
        let partitions = &assignment[*id];
        for partition in partitions {
            assert!(
                member.subscribes_to(&partition.topic),
                "{partition} assigned to {id}, not subscribed"
            );
        }
        for other in &ids[i + 1..] {
            let other_partitions = &assignment[*other];
            assert!(
                partitions.iter().all(|p| !other_partitions.contains(p)),
                "{id} and {other} share partitions"
            );
            if partitions.len().abs_diff(other_partitions.len()) <= 1 {
                continue;
            }
            let topics: BTreeSet<&str> = partitions.iter().map(|p| p.topic.as_str()).collect();
            assert!(
                other_partitions
                    .iter()
                    .all(|p| !topics.contains(p.topic.as_str())),
                "partitions can move between {id} and {other} for a better balance"
            );
        }
    }
}

fn is_fully_balanced(assignment: &Assignment) -> bool {
    let sizes = assignment.values().map(Vec::len);
    sizes.clone().max().unwrap_or(0) - sizes.min().unwrap_or(0) <= 1
}

/// Kafka's `getCanonicalName`: `prefix` and `i` zero-padded to the digits of `max`.
fn name(prefix: &str, i: usize, max: usize) -> String {
    let width = max.to_string().len();
    format!("{prefix}{i:0width$}")
}

/// `AbstractStickyAssignorTest`, rack-unaware cases.
mod abstract_sticky_assignor_test {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// `testMemberData`: the owned partitions and generation survive every subscription
    /// version the assignor supports (V0 and V1 carry the generation in user data only; the
    /// cooperative assignor has no V0).
    #[test]
    fn test_member_data() {
        let owned = [tp("topic1", 0), tp("topic2", 1)];
        for kind in BOTH {
            let protocol = kind.assignor().name();
            let user_data = subscription_user_data(protocol, &owned, Some(GENERATION_ID));
            let v0 = Subscription {
                topics: vec!["topic".to_string()],
                user_data: user_data.clone(),
                generation_id: -1,
                ..Subscription::default()
            };
            let v1 = Subscription {
                owned_partitions: owned.to_vec(),
                ..v0.clone()
            };
            let v2 = Subscription {
                generation_id: GENERATION_ID,
                ..v1.clone()
            };
            let versions = match kind {
                Kind::Sticky => vec![v0, v1, v2],
                Kind::Cooperative => vec![v1, v2],
            };
            for subscription in versions {
                let member = member_from_subscription(protocol, "m", None, &subscription);
                assert_eq!(sorted(member.owned), owned, "{kind:?} {subscription:?}");
                assert_eq!(member.generation, Some(GENERATION_ID));
            }
        }
    }

    #[test]
    fn test_one_consumer_no_topic() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[]);
            group.join("consumer", &[]);
            let mut assignment = group.assign();
            assert_eq!(assignment.keys().collect::<Vec<_>>(), ["consumer"]);
            assert!(assignment["consumer"].is_empty());
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
            assert!(is_fully_balanced(&assignment));
        }
    }

    #[test]
    fn test_one_consumer_nonexistent_topic() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 0)]);
            group.join("consumer", &["topic"]);
            let mut assignment = group.assign();
            assert!(assignment["consumer"].is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_one_consumer_one_topic() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 3)]);
            group.join("consumer", &["topic"]);
            let mut assignment = group.assign();
            assert_eq!(assignment["consumer"], parse("topic-0, topic-1, topic-2"));
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_only_assigns_partitions_from_subscribed_topics() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 2)]);
            let owned = [
                tp("topic", 0),
                tp("topic", 1),
                tp("other", 0),
                tp("other", 1),
            ];
            group.put("consumer", &["topic"], &owned, Some(GENERATION_ID));
            let mut assignment = group.assign();
            assert_eq!(assignment["consumer"], parse("topic-0, topic-1"));
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
            assert!(is_fully_balanced(&assignment));
        }
    }

    #[test]
    fn test_one_consumer_multiple_topics() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic1", 1), ("topic2", 2)]);
            group.join("consumer", &["topic1", "topic2"]);
            let mut assignment = group.assign();
            assert_eq!(
                assignment["consumer"],
                parse("topic1-0, topic2-0, topic2-1")
            );
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_two_consumers_one_topic_one_partition() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 1)]);
            group.join("consumer1", &["topic"]);
            group.join("consumer2", &["topic"]);
            let mut assignment = group.assign();
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
            assert!(is_fully_balanced(&assignment));
        }
    }

    #[test]
    fn test_two_consumers_one_topic_two_partitions() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 2)]);
            group.join("consumer1", &["topic"]);
            group.join("consumer2", &["topic"]);
            let mut assignment = group.assign();
            assert_eq!(assignment["consumer1"], parse("topic-0"));
            assert_eq!(assignment["consumer2"], parse("topic-1"));
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_multiple_consumers_mixed_topic_subscriptions() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic1", 3), ("topic2", 2)]);
            group.join("consumer1", &["topic1"]);
            group.join("consumer2", &["topic1", "topic2"]);
            group.join("consumer3", &["topic1"]);
            let mut assignment = group.assign();
            assert_eq!(assignment["consumer1"], parse("topic1-0, topic1-2"));
            assert_eq!(assignment["consumer2"], parse("topic2-0, topic2-1"));
            assert_eq!(assignment["consumer3"], parse("topic1-1"));
            group.verify(&mut assignment);
            assert!(is_fully_balanced(&assignment));
        }
    }

    #[test]
    fn test_two_consumers_two_topics_six_partitions() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic1", 3), ("topic2", 3)]);
            group.join("consumer1", &["topic1", "topic2"]);
            group.join("consumer2", &["topic1", "topic2"]);
            let mut assignment = group.assign();
            assert_eq!(
                assignment["consumer1"],
                parse("topic1-0, topic1-2, topic2-1")
            );
            assert_eq!(
                assignment["consumer2"],
                parse("topic1-1, topic2-0, topic2-2")
            );
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_consumer_owning_min_quota_expected_max_quota() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic1", 2), ("topic2", 3)]);
            let topics = ["topic1", "topic2"];
            group.put("consumer1", &topics, &parse("topic1-0, topic2-1"), Some(1));
            group.put("consumer2", &topics, &parse("topic1-1, topic2-2"), Some(1));
            let mut assignment = group.assign();
            assert_eq!(
                assignment["consumer1"],
                parse("topic1-0, topic2-1, topic2-0")
            );
            assert_eq!(assignment["consumer2"], parse("topic1-1, topic2-2"));
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_max_quota_consumer_more_than_num_expected_max_capacity_members() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic1", 2), ("topic2", 2)]);
            let topics = ["topic1", "topic2"];
            group.put("consumer1", &topics, &parse("topic1-0, topic2-0"), Some(1));
            group.put("consumer2", &topics, &parse("topic1-1, topic2-1"), Some(1));
            group.put("consumer3", &topics, &[], Some(1));
            let mut assignment = group.assign();
            assert_eq!(
                group.transferring(),
                BTreeMap::from([(tp("topic2", 0), "consumer3".to_string())])
            );
            group.verify(&mut assignment);
            assert_eq!(assignment["consumer1"], parse("topic1-0"));
            assert_eq!(assignment["consumer2"], parse("topic1-1, topic2-1"));
            assert_eq!(assignment["consumer3"], parse("topic2-0"));
            assert!(is_fully_balanced(&assignment));
        }
    }

    #[test]
    fn test_all_consumers_are_under_min_quota() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic1", 2), ("topic2", 3)]);
            let topics = ["topic1", "topic2"];
            group.put("consumer1", &topics, &parse("topic1-0"), Some(1));
            group.put("consumer2", &topics, &parse("topic1-1"), Some(1));
            group.put("consumer3", &topics, &[], Some(1));
            let mut assignment = group.assign();
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
            assert_eq!(assignment["consumer1"], parse("topic1-0, topic2-1"));
            assert_eq!(assignment["consumer2"], parse("topic1-1, topic2-2"));
            assert_eq!(assignment["consumer3"], parse("topic2-0"));
        }
    }

    #[test]
    fn test_add_remove_consumer_one_topic() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 3)]);
            group.join("consumer1", &["topic"]);
            let mut assignment = group.assign();
            assert_eq!(assignment["consumer1"], parse("topic-0, topic-1, topic-2"));
            group.verify(&mut assignment);

            group.report("consumer1", &assignment);
            group.put("consumer2", &["topic"], &[], Some(1));
            let mut assignment = group.assign();
            assert_eq!(
                group.transferring(),
                BTreeMap::from([(tp("topic", 2), "consumer2".to_string())])
            );
            group.verify(&mut assignment);
            assert_eq!(assignment["consumer1"], parse("topic-0, topic-1"));
            assert_eq!(assignment["consumer2"], parse("topic-2"));

            group.remove("consumer1");
            group.report("consumer2", &assignment);
            let mut assignment = group.assign();
            assert_eq!(assignment["consumer2"], parse("topic-0, topic-1, topic-2"));
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_topic_balance_after_reassignment() {
        for kind in BOTH {
            let topics = ["topic1", "topic2"];
            let mut group = Group::new(kind, &[("topic1", 12), ("topic2", 12)]);
            let per_topic = |assignment: &Assignment, expected: usize| {
                for partitions in assignment.values() {
                    for topic in topics {
                        assert_eq!(
                            partitions.iter().filter(|p| p.topic == topic).count(),
                            expected
                        );
                    }
                }
            };
            group.join("consumer1", &topics);
            let mut assignment = group.assign();
            group.verify(&mut assignment);
            per_topic(&assignment, 12);

            group.report("consumer1", &assignment);
            group.put("consumer2", &topics, &[], Some(1));
            let mut assignment = group.assign();
            group.verify(&mut assignment);
            per_topic(&assignment, 6);

            group.report("consumer1", &assignment);
            group.report("consumer2", &assignment);
            group.put("consumer3", &topics, &[], Some(1));
            group.put("consumer4", &topics, &[], Some(1));
            let mut assignment = group.assign();
            group.verify(&mut assignment);
            per_topic(&assignment, 3);

            group.remove("consumer1");
            group.remove("consumer2");
            group.report("consumer3", &assignment);
            group.report("consumer4", &assignment);
            let mut assignment = group.assign();
            group.verify(&mut assignment);
            per_topic(&assignment, 6);
            assert!(group.transferring().is_empty());
        }
    }

    #[test]
    fn test_add_remove_two_consumers_two_topics() {
        for kind in BOTH {
            let topics = ["topic1", "topic2"];
            let mut group = Group::new(kind, &[("topic1", 3), ("topic2", 4)]);
            group.join("consumer1", &topics);
            group.join("consumer2", &topics);
            let mut assignment = group.assign();
            assert_eq!(
                assignment["consumer1"],
                parse("topic1-0, topic1-2, topic2-1, topic2-3")
            );
            assert_eq!(
                assignment["consumer2"],
                parse("topic1-1, topic2-0, topic2-2")
            );
            group.verify(&mut assignment);

            group.report("consumer1", &assignment);
            group.report("consumer2", &assignment);
            group.put("consumer3", &topics, &[], Some(1));
            group.put("consumer4", &topics, &[], Some(1));
            let mut assignment = group.assign();
            assert_eq!(
                group.transferring(),
                BTreeMap::from([
                    (tp("topic1", 2), "consumer3".to_string()),
                    (tp("topic2", 3), "consumer3".to_string()),
                    (tp("topic2", 2), "consumer4".to_string()),
                ])
            );
            group.verify(&mut assignment);
            assert_eq!(assignment["consumer1"], parse("topic1-0, topic2-1"));
            assert_eq!(assignment["consumer2"], parse("topic2-0, topic1-1"));
            assert_eq!(assignment["consumer3"], parse("topic1-2, topic2-3"));
            assert_eq!(assignment["consumer4"], parse("topic2-2"));

            group.remove("consumer1");
            group.remove("consumer2");
            group.report("consumer3", &assignment);
            group.report("consumer4", &assignment);
            let mut assignment = group.assign();
            assert_eq!(
                assignment["consumer3"],
                parse("topic1-2, topic2-3, topic1-0, topic2-1")
            );
            assert_eq!(
                assignment["consumer4"],
                parse("topic2-2, topic1-1, topic2-0")
            );
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_poor_round_robin_assignment_scenario() {
        for kind in BOTH {
            let counts: Vec<(String, u32)> = (1..=5)
                .map(|i| (format!("topic{i}"), (i % 2) + 1))
                .collect();
            let counts: Vec<(&str, u32)> = counts.iter().map(|(t, n)| (t.as_str(), *n)).collect();
            let mut group = Group::new(kind, &counts);
            let all = ["topic1", "topic2", "topic3", "topic4", "topic5"];
            let odd = ["topic1", "topic3", "topic5"];
            group.join("consumer1", &all);
            group.join("consumer2", &odd);
            group.join("consumer3", &odd);
            group.join("consumer4", &all);
            let mut assignment = group.assign();
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_add_remove_topic_two_consumers() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 3)]);
            group.join("consumer1", &["topic"]);
            group.join("consumer2", &["topic"]);
            let mut assignment = group.assign();
            group.verify(&mut assignment);
            let first1 = assignment["consumer1"].clone();
            let first2 = assignment["consumer2"].clone();
            assert_eq!(first1.len() + first2.len(), 3);
            assert_eq!(first1.len().abs_diff(first2.len()), 1);

            group.partitions.insert("topic2".to_string(), 3);
            let both = ["topic", "topic2"];
            group.put("consumer1", &both, &first1, Some(1));
            group.put("consumer2", &both, &first2, Some(1));
            let mut assignment = group.assign();
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
            let second1 = assignment["consumer1"].clone();
            let second2 = assignment["consumer2"].clone();
            assert!(second1.len() == 3 && second2.len() == 3);
            assert!(first1.iter().all(|p| second1.contains(p)));
            assert!(first2.iter().all(|p| second2.contains(p)));

            group.partitions.remove("topic");
            group.put("consumer1", &["topic2"], &second1, Some(1));
            group.put("consumer2", &["topic2"], &second2, Some(1));
            let mut assignment = group.assign();
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
            let third1 = &assignment["consumer1"];
            let third2 = &assignment["consumer2"];
            assert_eq!(third1.len() + third2.len(), 3);
            assert!(third1.iter().all(|p| second1.contains(p)));
            assert!(third2.iter().all(|p| second2.contains(p)));
        }
    }

    #[test]
    fn test_reassignment_after_one_consumer_leaves() {
        for kind in BOTH {
            let counts: Vec<(String, u32)> =
                (1..20).map(|i| (name("t", i, 20), i as u32)).collect();
            let counts: Vec<(&str, u32)> = counts.iter().map(|(t, n)| (t.as_str(), *n)).collect();
            let mut group = Group::new(kind, &counts);
            for i in 1..20 {
                let topics: Vec<String> = (1..=i).map(|j| name("t", j, 20)).collect();
                let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
                group.join(&name("c", i, 20), &topics);
            }
            let mut assignment = group.assign();
            group.verify(&mut assignment);
            for i in 1..20 {
                group.report(&name("c", i, 20), &assignment);
            }
            group.remove("c10");
            let mut assignment = group.assign();
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_reassignment_after_one_consumer_added() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 20)]);
            for i in 1..10 {
                group.join(&name("c", i, 10), &["topic"]);
            }
            let mut assignment = group.assign();
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
            group.join(&name("c", 10, 10), &["topic"]);
            let mut assignment = group.assign();
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_same_subscriptions() {
        for kind in BOTH {
            let counts: Vec<(String, u32)> =
                (1..15).map(|i| (name("t", i, 15), i as u32)).collect();
            let counts: Vec<(&str, u32)> = counts.iter().map(|(t, n)| (t.as_str(), *n)).collect();
            let topics: Vec<&str> = counts.iter().map(|(t, _)| *t).collect();
            let mut group = Group::new(kind, &counts);
            for i in 1..9 {
                group.join(&name("c", i, 9), &topics);
            }
            let mut assignment = group.assign();
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
            for i in 1..9 {
                group.report(&name("c", i, 9), &assignment);
            }
            group.remove(&name("c", 5, 9));
            let mut assignment = group.assign();
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_assignment_and_group_with_non_equal_subscription_not_timeout() {
        for kind in BOTH {
            let (topic_count, consumer_count) = (100, 500);
            let names: Vec<String> = (0..topic_count)
                .map(|i| name("t", i, topic_count))
                .collect();
            let counts: Vec<(&str, u32)> = names.iter().map(|t| (t.as_str(), 200)).collect();
            let topics: Vec<&str> = names.iter().map(String::as_str).collect();
            let (first_half, second_half) = topics.split_at(topic_count / 2);
            let mut group = Group::new(kind, &counts);
            for i in 0..consumer_count {
                let subscribed = if i % 4 == 0 { first_half } else { second_half };
                group.join(&name("c", i, consumer_count), subscribed);
            }
            let assignment = group.assign();
            for i in 1..consumer_count {
                group.report(&name("c", i, consumer_count), &assignment);
            }
            let assignment = group.assign();
            verify_validity_and_balance(&group.members, &assignment);
        }
    }

    #[test]
    fn test_subscription_not_equal_and_assign_same_partition_with3_generation() {
        for kind in BOTH {
            let sequences = [
                [1, 2, 3],
                [1, 3, 2],
                [2, 1, 3],
                [2, 3, 1],
                [3, 1, 2],
                [3, 2, 1],
            ];
            for generations in sequences {
                let mut group = Group::new(kind, &[("topic", 6), ("topic1", 1)]);
                let g = generations;
                group.put(
                    "consumer1",
                    &["topic"],
                    &parse("topic-0, topic-2"),
                    Some(g[0]),
                );
                group.put(
                    "consumer2",
                    &["topic"],
                    &parse("topic-1, topic-2, topic-3"),
                    Some(g[1]),
                );
                group.put(
                    "consumer3",
                    &["topic"],
                    &parse("topic-2, topic-4, topic-5"),
                    Some(g[2]),
                );
                group.put("consumer4", &["topic1"], &parse("topic1-0"), Some(2));
                let assignment = group.assign();
                let all: Vec<&TopicPartition> = assignment.values().flatten().collect();
                let distinct: BTreeSet<&TopicPartition> = all.iter().copied().collect();
                assert_eq!(all.len(), distinct.len());
                for list in assignment.values() {
                    assert!(
                        (1..=2).contains(&list.len()),
                        "{generations:?}: {assignment:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn test_large_assignment_with_multiple_consumers_leaving_and_random_subscription() {
        for (seed, kind) in BOTH.into_iter().enumerate() {
            let mut rand = Prng::new(seed as u64 + 7);
            let (topic_count, consumer_count) = (40, 200);
            let names: Vec<String> = (0..topic_count)
                .map(|i| name("t", i, topic_count))
                .collect();
            let counts: Vec<(&str, u32)> = names
                .iter()
                .map(|t| (t.as_str(), rand.below(10) as u32 + 1))
                .collect();
            let mut group = Group::new(kind, &counts);
            for i in 0..consumer_count {
                let mut topics = Vec::new();
                let mut j = 0;
                while j < rand.below(20) {
                    topics.push(names[rand.below(topic_count as u64) as usize].as_str());
                    j += 1;
                }
                group.join(&name("c", i, consumer_count), &topics);
            }
            let mut assignment = group.assign();
            group.verify(&mut assignment);
            for i in 1..consumer_count {
                group.report(&name("c", i, consumer_count), &assignment);
            }
            for _ in 0..50 {
                group.remove(&name(
                    "c",
                    rand.below(consumer_count as u64) as usize,
                    consumer_count,
                ));
            }
            let mut assignment = group.assign();
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_new_subscription() {
        for kind in BOTH {
            let counts: Vec<(String, u32)> = (1..5).map(|i| (name("t", i, 5), 1)).collect();
            let counts: Vec<(&str, u32)> = counts.iter().map(|(t, n)| (t.as_str(), *n)).collect();
            let mut group = Group::new(kind, &counts);
            for i in 0..3usize {
                // Kafka's `for (j = i; j <= 3 * i - 2; j++)`.
                let topics: Vec<String> = (i..(3 * i).saturating_sub(1))
                    .map(|j| name("t", j, 5))
                    .collect();
                let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
                group.join(&name("c", i, 3), &topics);
            }
            let mut assignment = group.assign();
            group.verify(&mut assignment);
            // Kafka adds t1 to c0's topic list, leaving everything else as it was.
            let c0 = group
                .members
                .iter_mut()
                .find(|m| m.member_id == "c0")
                .expect("c0");
            c0.topics.push(name("t", 1, 5));
            let mut assignment = group.assign();
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_move_existing_assignments() {
        for kind in BOTH {
            let counts: Vec<(String, u32)> = (1..=6).map(|i| (format!("topic{i}"), 1)).collect();
            let counts: Vec<(&str, u32)> = counts.iter().map(|(t, n)| (t.as_str(), *n)).collect();
            let mut group = Group::new(kind, &counts);
            group.put(
                "consumer1",
                &["topic1", "topic2"],
                &parse("topic1-0"),
                Some(1),
            );
            group.put(
                "consumer2",
                &["topic1", "topic2", "topic3", "topic4"],
                &parse("topic2-0, topic3-0"),
                Some(1),
            );
            group.put(
                "consumer3",
                &["topic2", "topic3", "topic4", "topic5", "topic6"],
                &parse("topic4-0, topic5-0, topic6-0"),
                Some(1),
            );
            let mut assignment = group.assign();
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_stickiness() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic1", 3)]);
            for id in ["consumer1", "consumer2", "consumer3", "consumer4"] {
                group.join(id, &["topic1"]);
            }
            let mut assignment = group.assign();
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
            assert!(assignment.values().all(|list| list.len() <= 1));
            let before = assignment.clone();

            group.remove("consumer1");
            for id in ["consumer2", "consumer3", "consumer4"] {
                group.report(id, &assignment);
            }
            let mut assignment = group.assign();
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
            for (id, list) in &assignment {
                assert_eq!(list.len(), 1, "{id}");
                assert!(
                    before[id].iter().all(|p| list.contains(p)),
                    "sticky for {id}"
                );
            }
        }
    }

    #[test]
    fn test_assignment_updated_for_deleted_topic() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic1", 1), ("topic3", 100)]);
            group.join("consumer", &["topic1", "topic2", "topic3"]);
            let assignment = group.assign();
            assert!(group.transferring().is_empty());
            assert_eq!(assignment["consumer"].len(), 101);
        }
    }

    #[test]
    fn test_no_exception_thrown_when_only_subscribed_topic_deleted() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 3)]);
            group.join("consumer", &["topic"]);
            let assignment = group.assign();
            group.report("consumer", &assignment);
            group.partitions.clear();
            let assignment = group.assign();
            assert_eq!(assignment.len(), 1);
            assert!(assignment["consumer"].is_empty());
            assert!(group.transferring().is_empty());
        }
    }

    #[test]
    fn test_reassignment_with_random_subscriptions_and_changes() {
        for (seed, kind) in BOTH.into_iter().enumerate() {
            let mut rand = Prng::new(seed as u64 + 100);
            let random_sublist = |rand: &mut Prng, list: &[String]| -> Vec<String> {
                let mut selected = list.to_vec();
                let remove = rand.below(list.len() as u64);
                for _ in 0..remove {
                    selected.remove(rand.below(selected.len() as u64) as usize);
                }
                selected.sort();
                selected
            };
            for _round in 0..20 {
                let topic_count = 10 + rand.below(10) as usize;
                let names: Vec<String> = (0..topic_count).map(|i| name("t", i, 20)).collect();
                let counts: Vec<(&str, u32)> = names
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (t.as_str(), i as u32 + 1))
                    .collect();
                let mut group = Group::new(kind, &counts);
                let consumers = 20 + rand.below(20) as usize;
                for i in 0..consumers {
                    let sub = random_sublist(&mut rand, &names);
                    let sub: Vec<&str> = sub.iter().map(String::as_str).collect();
                    group.join(&name("c", i, 40), &sub);
                }
                let mut assignment = group.assign();
                group.verify(&mut assignment);
                group.members.clear();
                for i in 0..consumers {
                    let sub = random_sublist(&mut rand, &names);
                    let sub: Vec<&str> = sub.iter().map(String::as_str).collect();
                    let id = name("c", i, 40);
                    group.put(&id, &sub, &assignment[&id], Some(1));
                }
                let mut assignment = group.assign();
                group.verify(&mut assignment);
            }
        }
    }

    #[test]
    fn test_all_consumers_reach_expected_quota_and_are_considered_filled() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 4)]);
            group.put("consumer1", &["topic"], &parse("topic-0, topic-1"), Some(1));
            group.put("consumer2", &["topic"], &parse("topic-2"), Some(1));
            group.put("consumer3", &["topic"], &[], Some(1));
            let mut assignment = group.assign();
            assert_eq!(assignment["consumer1"], parse("topic-0, topic-1"));
            assert_eq!(assignment["consumer2"], parse("topic-2"));
            assert_eq!(assignment["consumer3"], parse("topic-3"));
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_owned_partitions_are_invalidated_for_consumer_with_stale_generation() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 3), ("topic2", 3)]);
            let topics = ["topic", "topic2"];
            let owned = parse("topic-0, topic-2, topic2-1");
            group.put("consumer1", &topics, &owned, Some(10));
            group.put("consumer2", &topics, &owned, Some(9));
            let mut assignment = group.assign();
            assert_eq!(assignment["consumer1"], owned);
            assert_eq!(
                assignment["consumer2"],
                parse("topic-1, topic2-0, topic2-2")
            );
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_owned_partitions_are_invalidated_for_consumer_with_no_generation() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 3), ("topic2", 3)]);
            let topics = ["topic", "topic2"];
            let owned = parse("topic-0, topic-2, topic2-1");
            group.put("consumer1", &topics, &owned, Some(10));
            group.put("consumer2", &topics, &owned, Some(-1));
            let mut assignment = group.assign();
            assert_eq!(assignment["consumer1"], owned);
            assert_eq!(
                assignment["consumer2"],
                parse("topic-1, topic2-0, topic2-2")
            );
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_partitions_transferring_ownership_include_the_partition_claimed_by_multiple_consumers_in_same_generation()
     {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 3)]);
            group.put("consumer1", &["topic"], &parse("topic-0, topic-1"), Some(1));
            group.put("consumer2", &["topic"], &parse("topic-0, topic-2"), Some(1));
            group.put("consumer3", &["topic"], &[], Some(1));
            let mut assignment = group.assign();
            assert_eq!(
                group.transferring(),
                BTreeMap::from([(tp("topic", 0), "consumer3".to_string())])
            );
            group.verify(&mut assignment);
            assert_eq!(assignment["consumer1"], parse("topic-1"));
            assert_eq!(assignment["consumer2"], parse("topic-2"));
            assert_eq!(assignment["consumer3"], parse("topic-0"));
        }
    }

    #[test]
    fn test_ensure_partitions_assigned_to_highest_generation() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 3), ("topic2", 3), ("topic3", 3)]);
            let topics = ["topic", "topic2", "topic3"];
            group.put(
                "consumer1",
                &topics,
                &parse("topic-0, topic2-0, topic3-0"),
                Some(10),
            );
            group.put(
                "consumer2",
                &topics,
                &parse("topic-1, topic2-1, topic3-1"),
                Some(9),
            );
            group.put(
                "consumer3",
                &topics,
                &parse("topic2-1, topic3-0, topic3-2"),
                Some(8),
            );
            let mut assignment = group.assign();
            assert_eq!(
                assignment["consumer1"],
                parse("topic-0, topic2-0, topic3-0")
            );
            assert_eq!(
                assignment["consumer2"],
                parse("topic-1, topic2-1, topic3-1")
            );
            assert_eq!(
                assignment["consumer3"],
                parse("topic-2, topic2-2, topic3-2")
            );
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_no_reassignment_on_current_members() {
        for kind in BOTH {
            let counts = [("topic", 3), ("topic1", 3), ("topic2", 3), ("topic3", 3)];
            let mut group = Group::new(kind, &counts);
            let topics = ["topic", "topic2", "topic3", "topic1"];
            group.put("consumer1", &topics, &[], Some(-1));
            group.put(
                "consumer2",
                &topics,
                &parse("topic-0, topic2-0, topic1-0"),
                Some(9),
            );
            group.put(
                "consumer3",
                &topics,
                &parse("topic3-2, topic2-2, topic1-1"),
                Some(8),
            );
            group.put(
                "consumer4",
                &topics,
                &parse("topic3-1, topic-1, topic-2"),
                Some(7),
            );
            let mut assignment = group.assign();
            assert_eq!(
                assignment["consumer1"],
                parse("topic1-2, topic2-1, topic3-0")
            );
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_owned_partitions_are_invalidated_for_consumer_with_multiple_generation() {
        for kind in BOTH {
            let mut group = Group::new(kind, &[("topic", 3), ("topic2", 3)]);
            let topics = ["topic", "topic2"];
            group.put(
                "consumer1",
                &topics,
                &parse("topic-0, topic2-1, topic-1"),
                Some(10),
            );
            group.put(
                "consumer2",
                &topics,
                &parse("topic-0, topic2-1, topic2-2"),
                Some(8),
            );
            let mut assignment = group.assign();
            assert_eq!(assignment["consumer1"], parse("topic-0, topic2-1, topic-1"));
            assert_eq!(
                assignment["consumer2"],
                parse("topic-2, topic2-2, topic2-0")
            );
            assert!(group.transferring().is_empty());
            group.verify(&mut assignment);
        }
    }

    /// `AbstractPartitionAssignorTest.verifyRackAssignment` without racks: members
    /// `consumer0..`, subscriptions with owned partitions and no generation (no user data).
    fn check_numbered(kind: Kind, member_topics: &[&[&str]], owned: &[&str], expected: &[&str]) {
        let mut group = Group::new(kind, &[("t1", 6), ("t2", 7), ("t3", 2)]);
        for (i, topics) in member_topics.iter().enumerate() {
            let owned = owned.get(i).map(|o| parse(o)).unwrap_or_default();
            let subscription = Subscription {
                topics: topics.iter().map(|t| t.to_string()).collect(),
                owned_partitions: owned,
                generation_id: -1,
                ..Subscription::default()
            };
            let id = format!("consumer{i}");
            group.members.push(member_from_subscription(
                kind.assignor().name(),
                &id,
                None,
                &subscription,
            ));
        }
        let assignment = group.assign();
        for (i, expected) in expected.iter().enumerate() {
            assert_eq!(
                sorted(assignment[&format!("consumer{i}")].clone()),
                parse(expected),
                "{kind:?} consumer{i}"
            );
        }
    }

    #[test]
    fn test_rack_aware_assignment_with_uniform_subscription() {
        let all: &[&str] = &["t1", "t2", "t3"];
        let expected = [
            "t1-0, t1-3, t2-0, t2-3, t2-6",
            "t1-1, t1-4, t2-1, t2-4, t3-0",
            "t1-2, t1-5, t2-2, t2-5, t3-1",
        ];
        for kind in BOTH {
            check_numbered(kind, &[all, all, all], &[], &expected);
            check_numbered(kind, &[all, all, all], &expected, &expected);
        }
    }

    #[test]
    fn test_rack_aware_assignment_with_non_equal_subscription() {
        let all: &[&str] = &["t1", "t2", "t3"];
        let some: &[&str] = &["t1", "t3"];
        let expected = [
            "t1-5, t2-0, t2-2, t2-4, t2-6",
            "t1-3, t2-1, t2-3, t2-5, t3-0",
            "t1-0, t1-1, t1-2, t1-4, t3-1",
        ];
        let owned = [
            "t1-0, t1-1, t1-2, t1-3, t1-4",
            "t1-5, t2-0, t2-1, t2-2, t2-3",
            "t2-4, t2-5, t2-6, t3-0, t3-1",
        ];
        for kind in BOTH {
            check_numbered(kind, &[all, all, some], &[], &expected);
            check_numbered(kind, &[all, all, some], &expected, &expected);
        }
        // "Verify that result is same as non-rack-aware assignment if all racks match": the
        // eager assignor reads owned partitions from user data only, so these are ignored.
        check_numbered(Kind::Sticky, &[all, all, some], &owned, &expected);
        let intermediate = ["t1-2, t1-3, t1-4", "t2-0, t2-1, t2-2, t2-3", "t3-0, t3-1"];
        check_numbered(Kind::Cooperative, &[all, all, some], &owned, &intermediate);
        check_numbered(
            Kind::Cooperative,
            &[all, all, some],
            &intermediate,
            &[
                "t1-2, t1-3, t1-4, t2-4, t2-5",
                "t2-0, t2-1, t2-2, t2-3, t2-6",
                "t1-0, t1-1, t1-5, t3-0, t3-1",
            ],
        );
    }
}

/// `StickyAssignorTest`.
mod sticky_assignor_test {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn test_all_consumers_have_owned_partition_invalidated_when_claimed_by_multiple_consumers_in_same_generation_with_equal_partitions_per_consumer()
     {
        let mut group = Group::new(Kind::Sticky, &[("topic", 3)]);
        group.put("consumer1", &["topic"], &parse("topic-0, topic-1"), Some(1));
        group.put("consumer2", &["topic"], &parse("topic-0, topic-2"), Some(1));
        group.put("consumer3", &["topic"], &[], Some(1));
        let mut assignment = group.assign();
        assert_eq!(assignment["consumer1"], parse("topic-1"));
        assert_eq!(assignment["consumer2"], parse("topic-2"));
        assert_eq!(assignment["consumer3"], parse("topic-0"));
        group.verify(&mut assignment);
    }

    #[test]
    fn test_all_consumers_have_owned_partition_invalidated_when_claimed_by_multiple_consumers_in_same_generation_with_unequal_partitions_per_consumer()
     {
        let mut group = Group::new(Kind::Sticky, &[("topic", 4)]);
        group.put("consumer1", &["topic"], &parse("topic-0, topic-1"), Some(1));
        group.put("consumer2", &["topic"], &parse("topic-0, topic-2"), Some(1));
        group.put("consumer3", &["topic"], &[], Some(1));
        let mut assignment = group.assign();
        assert_eq!(assignment["consumer1"], parse("topic-1, topic-3"));
        assert_eq!(assignment["consumer2"], parse("topic-2"));
        assert_eq!(assignment["consumer3"], parse("topic-0"));
        group.verify(&mut assignment);
    }

    fn multiple_generations1(kind: Kind, all_equal: bool) {
        let all = ["topic", "topic2"];
        let consumer2_topics: &[&str] = if all_equal { &all } else { &["topic"] };
        let mut group = Group::new(kind, &[("topic", 6), ("topic2", 6)]);
        group.join("consumer1", &all);
        group.join("consumer2", consumer2_topics);
        group.join("consumer3", &all);
        let mut assignment = group.assign();
        group.verify(&mut assignment);
        let r1: Vec<Vec<TopicPartition>> = ["consumer1", "consumer2", "consumer3"]
            .iter()
            .map(|id| assignment[*id].clone())
            .collect();
        assert!(r1.iter().all(|list| list.len() == 4));

        group.put("consumer1", &all, &r1[0], Some(1));
        group.put("consumer2", consumer2_topics, &r1[1], Some(1));
        group.remove("consumer3");
        let mut assignment = group.assign();
        group.verify(&mut assignment);
        let r2_1 = assignment["consumer1"].clone();
        let r2_2 = assignment["consumer2"].clone();
        assert!(r2_1.len() == 6 && r2_2.len() == 6);
        if all_equal {
            assert!(r1[0].iter().all(|p| r2_1.contains(p)));
        }
        assert!(r1[1].iter().all(|p| r2_2.contains(p)));
        assert!(r1[2].iter().any(|p| r2_2.contains(p)));

        group.remove("consumer1");
        group.put("consumer2", consumer2_topics, &r2_2, Some(2));
        group.put("consumer3", &all, &r1[2], Some(1));
        let mut assignment = group.assign();
        group.verify(&mut assignment);
        let r3_2 = &assignment["consumer2"];
        let r3_3 = &assignment["consumer3"];
        assert!(r3_2.len() == 6 && r3_3.len() == 6);
        assert!(r3_2.iter().all(|p| !r3_3.contains(p)));
    }

    #[test]
    fn test_assignment_with_multiple_generations1() {
        multiple_generations1(Kind::Sticky, true);
        multiple_generations1(Kind::Sticky, false);
    }

    fn multiple_generations2(kind: Kind, all_equal: bool) {
        let all = ["topic", "topic2", "topic3"];
        let c1: &[&str] = if all_equal { &all } else { &["topic"] };
        let c3: &[&str] = if all_equal {
            &all
        } else {
            &["topic", "topic2"]
        };
        let mut group = Group::new(kind, &[("topic", 4), ("topic2", 4), ("topic3", 4)]);
        group.join("consumer1", c1);
        group.join("consumer2", &all);
        group.join("consumer3", c3);
        let mut assignment = group.assign();
        group.verify(&mut assignment);
        let r1: Vec<Vec<TopicPartition>> = ["consumer1", "consumer2", "consumer3"]
            .iter()
            .map(|id| assignment[*id].clone())
            .collect();
        assert!(r1.iter().all(|list| list.len() == 4));

        group.remove("consumer1");
        group.put("consumer2", &all, &r1[1], Some(1));
        group.remove("consumer3");
        let mut assignment = group.assign();
        group.verify(&mut assignment);
        let r2 = assignment["consumer2"].clone();
        assert_eq!(r2.len(), 12);
        assert!(r1[1].iter().all(|p| r2.contains(p)));

        group.put("consumer1", c1, &r1[0], Some(1));
        group.put("consumer2", &all, &r2, Some(2));
        group.put("consumer3", c3, &r1[2], Some(1));
        let mut assignment = group.assign();
        group.verify(&mut assignment);
        assert!(assignment.values().all(|list| list.len() == 4));
    }

    #[test]
    fn test_assignment_with_multiple_generations2() {
        multiple_generations2(Kind::Sticky, true);
        multiple_generations2(Kind::Sticky, false);
    }

    #[test]
    fn test_assignment_with_conflicting_previous_generations() {
        for all_equal in [true, false] {
            let all = ["topic", "topic2", "topic3"];
            let c1: &[&str] = if all_equal { &all } else { &["topic"] };
            let c2: &[&str] = if all_equal {
                &all
            } else {
                &["topic", "topic2"]
            };
            let mut group = Group::new(Kind::Sticky, &[("topic", 4), ("topic2", 4), ("topic3", 4)]);
            let c1_owned = if all_equal {
                parse("topic-0, topic-1, topic-2, topic2-2, topic2-3, topic3-0")
            } else {
                parse("topic-0, topic-1, topic-2, topic-3")
            };
            let c2_owned = parse("topic-0, topic-1, topic2-0, topic2-1, topic2-2, topic2-3");
            let c3_owned = parse("topic-2, topic-3, topic3-0, topic3-1, topic3-2, topic3-3");
            group.put("consumer1", c1, &c1_owned, Some(1));
            group.put("consumer2", c2, &c2_owned, Some(2));
            group.put("consumer3", &all, &c3_owned, Some(2));
            let mut assignment = group.assign();
            assert!(assignment.values().all(|list| list.len() == 4));
            assert!(assignment["consumer2"].iter().all(|p| c2_owned.contains(p)));
            assert!(assignment["consumer3"].iter().all(|p| c3_owned.contains(p)));
            group.verify(&mut assignment);
        }
    }

    #[test]
    fn test_schema_backward_compatibility() {
        let mut group = Group::new(Kind::Sticky, &[("topic", 3)]);
        group.put("consumer1", &["topic"], &parse("topic-0, topic-2"), Some(1));
        // StickyAssignor's V0 user data: the previous assignment without a generation.
        let v1 = subscription_user_data("sticky", &parse("topic-1"), Some(1)).expect("bytes");
        let v0 = v1[..v1.len() - 4].to_vec();
        let subscription = Subscription {
            topics: vec!["topic".to_string()],
            user_data: Some(v0),
            ..Subscription::default()
        };
        let member = member_from_subscription("sticky", "consumer2", None, &subscription);
        assert_eq!(member.owned, parse("topic-1"));
        assert_eq!(member.generation, None);
        group.members.push(member);
        group.join("consumer3", &["topic"]);
        let mut assignment = group.assign();
        assert!(assignment.values().all(|list| list.len() == 1));
        assert!(parse("topic-0, topic-2").contains(&assignment["consumer1"][0]));
        assert_eq!(assignment["consumer2"], parse("topic-1"));
        group.verify(&mut assignment);
    }

    #[test]
    fn test_member_data_with_inconsistent_data() {
        // The eager assignor always honours the user data.
        let subscription = Subscription {
            topics: vec!["topic".to_string()],
            user_data: subscription_user_data("sticky", &[tp("topic", 1)], Some(GENERATION_ID)),
            owned_partitions: vec![tp("topic", 0)],
            generation_id: -1,
            rack_id: None,
        };
        let member = member_from_subscription("sticky", "m", None, &subscription);
        assert_eq!(member.owned, [tp("topic", 1)]);
        assert_eq!(member.generation, Some(GENERATION_ID));
    }

    #[test]
    fn test_member_data_will_honor_user_data() {
        let owned = [tp("topic1", 0), tp("topic2", 1)];
        let subscription = Subscription {
            topics: vec!["topic".to_string()],
            user_data: subscription_user_data("sticky", &owned, Some(0)),
            owned_partitions: Vec::new(),
            generation_id: 1,
            rack_id: None,
        };
        let member = member_from_subscription("sticky", "consumer1", None, &subscription);
        assert_eq!(sorted(member.owned), sorted(owned.to_vec()));
        assert_eq!(member.generation, Some(0));
    }

    #[test]
    fn test_assignor_with_old_version_subscriptions() {
        let mut group = Group::new(Kind::Sticky, &[("topic1", 3)]);
        // V0 and V1 carry owned partitions and generation in the user data only.
        for (id, owned) in [("consumer1", "topic1-0"), ("consumer2", "topic1-1")] {
            let subscription = Subscription {
                topics: vec!["topic1".to_string()],
                user_data: subscription_user_data("sticky", &parse(owned), Some(1)),
                generation_id: -1,
                ..Subscription::default()
            };
            group
                .members
                .push(member_from_subscription("sticky", id, None, &subscription));
        }
        group.put("consumer3", &["topic1"], &[], Some(1));
        let mut assignment = group.assign();
        assert_eq!(assignment["consumer1"], parse("topic1-0"));
        assert_eq!(assignment["consumer2"], parse("topic1-1"));
        assert_eq!(assignment["consumer3"], parse("topic1-2"));
        group.verify(&mut assignment);
    }
}

/// `CooperativeStickyAssignorTest`.
mod cooperative_sticky_assignor_test {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn test_encode_and_decode_generation() {
        let subscription = Subscription {
            topics: vec!["topic".to_string()],
            user_data: subscription_user_data("cooperative-sticky", &[], None),
            generation_id: -1,
            ..Subscription::default()
        };
        let member = member_from_subscription("cooperative-sticky", "m", None, &subscription);
        assert_eq!(member.generation, Some(-1));
        let subscription = Subscription {
            user_data: subscription_user_data("cooperative-sticky", &[], Some(10)),
            ..subscription
        };
        let member = member_from_subscription("cooperative-sticky", "m", None, &subscription);
        assert_eq!(member.generation, Some(10));
    }

    #[test]
    fn test_decode_generation() {
        let subscription = Subscription {
            topics: vec!["topic".to_string()],
            generation_id: -1,
            ..Subscription::default()
        };
        let member = member_from_subscription("cooperative-sticky", "m", None, &subscription);
        assert_eq!(member.generation, None);
    }

    #[test]
    fn test_all_consumers_have_owned_partition_invalidated_when_claimed_by_multiple_consumers_in_same_generation_with_equal_partitions_per_consumer()
     {
        let mut group = Group::new(Kind::Cooperative, &[("topic", 3)]);
        group.put("consumer1", &["topic"], &parse("topic-0, topic-1"), Some(1));
        group.put("consumer2", &["topic"], &parse("topic-0, topic-2"), Some(1));
        group.put("consumer3", &["topic"], &[], Some(1));
        let mut assignment = group.assign();
        assert_eq!(assignment["consumer1"], parse("topic-1"));
        assert_eq!(assignment["consumer2"], parse("topic-2"));
        assert!(assignment["consumer3"].is_empty());
        group.verify(&mut assignment);
        assert!(is_fully_balanced(&assignment));
    }

    #[test]
    fn test_all_consumers_have_owned_partition_invalidated_when_claimed_by_multiple_consumers_in_same_generation_with_unequal_partitions_per_consumer()
     {
        let mut group = Group::new(Kind::Cooperative, &[("topic", 4)]);
        group.put("consumer1", &["topic"], &parse("topic-0, topic-1"), Some(1));
        group.put("consumer2", &["topic"], &parse("topic-0, topic-2"), Some(1));
        group.put("consumer3", &["topic"], &[], Some(1));
        let mut assignment = group.assign();
        assert_eq!(assignment["consumer1"], parse("topic-1, topic-3"));
        assert_eq!(assignment["consumer2"], parse("topic-2"));
        assert!(assignment["consumer3"].is_empty());
        group.verify(&mut assignment);
        assert!(is_fully_balanced(&assignment));
    }

    #[test]
    fn test_member_data_with_inconsistent_data() {
        // The generation from user data, the owned partitions from the subscription.
        let subscription = Subscription {
            topics: vec!["topic".to_string()],
            user_data: subscription_user_data("cooperative-sticky", &[tp("topic", 1)], Some(1)),
            owned_partitions: vec![tp("topic", 0)],
            generation_id: -1,
            rack_id: None,
        };
        let member = member_from_subscription("cooperative-sticky", "m", None, &subscription);
        assert_eq!(member.owned, [tp("topic", 0)]);
        assert_eq!(member.generation, Some(1));
    }

    #[test]
    fn test_member_data_with_empty_partitions_and_equal_generation() {
        let subscription = Subscription {
            topics: vec!["topic".to_string()],
            user_data: subscription_user_data(
                "cooperative-sticky",
                &[tp("topic1", 0), tp("topic2", 1)],
                Some(GENERATION_ID),
            ),
            owned_partitions: Vec::new(),
            generation_id: GENERATION_ID,
            rack_id: None,
        };
        let member = member_from_subscription("cooperative-sticky", "m", None, &subscription);
        assert!(member.owned.is_empty());
        assert_eq!(member.generation, Some(GENERATION_ID));
    }

    #[test]
    fn test_member_data_with_empty_partitions_and_higher_generation() {
        let subscription = Subscription {
            topics: vec!["topic".to_string()],
            user_data: subscription_user_data("cooperative-sticky", &[], Some(0)),
            owned_partitions: Vec::new(),
            generation_id: 1,
            rack_id: None,
        };
        let member = member_from_subscription("cooperative-sticky", "m", None, &subscription);
        assert!(member.owned.is_empty());
        assert_eq!(member.generation, Some(1));
    }

    #[test]
    fn test_assignor_with_old_version_subscriptions() {
        let mut group = Group::new(Kind::Cooperative, &[("topic1", 3)]);
        // V1: owned partitions in the subscription, the generation in user data only.
        for (id, owned) in [("consumer1", "topic1-0"), ("consumer2", "topic1-1")] {
            let subscription = Subscription {
                topics: vec!["topic1".to_string()],
                user_data: subscription_user_data("cooperative-sticky", &[], Some(1)),
                owned_partitions: parse(owned),
                generation_id: -1,
                rack_id: None,
            };
            group.members.push(member_from_subscription(
                "cooperative-sticky",
                id,
                None,
                &subscription,
            ));
        }
        group.put("consumer3", &["topic1"], &[], Some(1));
        let mut assignment = group.assign();
        assert_eq!(assignment["consumer1"], parse("topic1-0"));
        assert_eq!(assignment["consumer2"], parse("topic1-1"));
        assert_eq!(assignment["consumer3"], parse("topic1-2"));
        group.verify(&mut assignment);
    }
}

#[test]
fn sticky_assignors_are_registered_under_kafkas_names() {
    let sticky = assignor_named("sticky").expect("sticky");
    assert_eq!(sticky.name(), "sticky");
    assert_eq!(sticky.supported_protocols(), [RebalanceProtocol::Eager]);
    let cooperative = assignor_named("cooperative-sticky").expect("cooperative-sticky");
    assert_eq!(cooperative.name(), "cooperative-sticky");
    assert_eq!(
        cooperative.supported_protocols(),
        [RebalanceProtocol::Eager, RebalanceProtocol::Cooperative]
    );
}

#[test]
fn sticky_user_data_without_an_assignment_is_absent() {
    assert_eq!(subscription_user_data("sticky", &[], None), None);
    assert_eq!(
        subscription_user_data("cooperative-sticky", &[], None),
        Some(vec![0xff, 0xff, 0xff, 0xff])
    );
    assert_eq!(
        subscription_user_data("range", &[tp("t", 0)], Some(3)),
        None
    );
}
