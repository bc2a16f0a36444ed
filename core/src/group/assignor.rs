//! The types every assignor shares: members, topic-partitions, assignments and the
//! [`Assignor`] trait, plus Kafka's member order.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One partition of one topic: Kafka's `TopicPartition`.
///
/// Ordered by topic, then partition (the derived order, byte-wise on the topic name). Kafka's
/// legal topic names are ASCII (`[a-zA-Z0-9._-]`), where byte order and Java's
/// `String.compareTo` agree.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    /// The topic's name.
    pub topic: String,
    /// The partition index within the topic, from 0.
    pub partition: u32,
}

impl TopicPartition {
    /// The partition `partition` of `topic`.
    pub fn new(topic: impl Into<String>, partition: u32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    /// Kafka's `TopicPartition.toString()`: `topic-partition`, e.g. `orders-3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// One member of a consumer group as an assignor sees it: its ids and its `Subscription`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Member {
    /// The member id the coordinator gave the member. Unique within the group.
    pub member_id: String,
    /// The member's `group.instance.id`, if it is a static member.
    pub group_instance_id: Option<String>,
    /// The topics the member subscribes to, in any order; duplicates are ignored.
    pub topics: Vec<String>,
    /// The partitions the member owns now (its `ownedPartitions`). Range and RoundRobin ignore
    /// them, as Kafka's do; the sticky assignors use them.
    pub owned: Vec<TopicPartition>,
    /// The generation the owned partitions come from, if the member sent one.
    pub generation: Option<i32>,
}

impl Member {
    /// A dynamic member `member_id` subscribed to `topics`, owning nothing.
    pub fn new<T: Into<String>>(
        member_id: impl Into<String>,
        topics: impl IntoIterator<Item = T>,
    ) -> Self {
        Self {
            member_id: member_id.into(),
            topics: topics.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// The same member, made static with `group.instance.id` = `instance_id`.
    #[must_use]
    pub fn with_group_instance_id(mut self, instance_id: impl Into<String>) -> Self {
        self.group_instance_id = Some(instance_id.into());
        self
    }

    /// Whether the member subscribes to `topic`.
    pub fn subscribes_to(&self, topic: &str) -> bool {
        self.topics.iter().any(|subscribed| subscribed == topic)
    }
}

/// An assignor's result: each member id mapped to the partitions it is assigned. Every member
/// of the input is a key, possibly with no partitions.
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// How a group rebalances (Kafka's `ConsumerPartitionAssignor.RebalanceProtocol`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RebalanceProtocol {
    /// Every member revokes all its partitions before rejoining; nobody consumes until the
    /// group is stable again.
    Eager,
    /// KIP-429 incremental cooperative rebalancing: members keep their partitions; only those
    /// that move are revoked, and assigned to their new owner in a follow-up rebalance.
    Cooperative,
}

impl RebalanceProtocol {
    /// Kafka's name: `"EAGER"` or `"COOPERATIVE"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Eager => "EAGER",
            Self::Cooperative => "COOPERATIVE",
        }
    }
}

/// A consumer-group partition assignor: Kafka's `ConsumerPartitionAssignor`, as a pure
/// function.
pub trait Assignor {
    /// Kafka's protocol name for the assignor, as members list it in
    /// `partition.assignment.strategy` and JoinGroup: `"range"`, `"roundrobin"`.
    fn name(&self) -> &'static str;

    /// The rebalance protocols the assignor supports (Kafka's `supportedProtocols()`): only
    /// [`RebalanceProtocol::Eager`] unless the assignor overrides it. A consumer uses the
    /// cooperative protocol only when every assignor it lists supports it.
    fn supported_protocols(&self) -> &'static [RebalanceProtocol] {
        &[RebalanceProtocol::Eager]
    }

    /// Assigns the partitions of the subscribed topics to `members`.
    ///
    /// `partitions_per_topic` holds each known topic's partition count. Topics a member
    /// subscribes to that are not in it, or that have 0 partitions, are skipped, as Kafka's
    /// `AbstractPartitionAssignor` skips topics without metadata. Topics in it that nobody
    /// subscribes to are not assigned. Every member appears in the result.
    ///
    /// # Panics
    /// If two members share a member id (the coordinator never lets that happen).
    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, u32>,
        members: &[Member],
    ) -> Assignment;
}

/// Java's `String.compareTo`: lexicographic over UTF-16 code units, a proper prefix first.
///
/// It differs from Rust's `str` order (by code point) only when one side has a character above
/// U+FFFF where the other has one in U+E000..=U+FFFF; member and instance ids are free-form, so
/// the assignors use this order for them.
pub fn java_string_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Kafka's member order (`AbstractPartitionAssignor.MemberInfo.compareTo`): static members
/// before dynamic ones; static members by `group.instance.id`, dynamic ones by member id.
///
/// Two static members with the same instance id compare equal in Kafka, where a stable sort
/// then keeps the `HashMap` order of their member ids; a coordinator never admits two members
/// with one instance id, and this order breaks that tie by member id so it stays total.
pub fn member_order(a: &Member, b: &Member) -> Ordering {
    let by_member_id = || java_string_cmp(&a.member_id, &b.member_id);
    match (&a.group_instance_id, &b.group_instance_id) {
        (Some(a_instance), Some(b_instance)) => {
            java_string_cmp(a_instance, b_instance).then_with(by_member_id)
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => by_member_id(),
    }
}

/// The members in Kafka's order ([`member_order`]).
pub(crate) fn sorted_members(members: &[Member]) -> Vec<&Member> {
    let mut sorted: Vec<&Member> = members.iter().collect();
    sorted.sort_by(|a, b| member_order(a, b));
    debug_assert!(
        sorted
            .windows(2)
            .all(|pair| member_order(pair[0], pair[1]) != Ordering::Greater)
    );
    sorted
}

/// Each member's subscription as a set of topics (a topic listed twice counts once, as in
/// Kafka's `LinkedHashMap`), shared by consecutive members listing the same topics in the same
/// order (the usual case), and for each of `members` the index of its set.
pub(crate) fn shared_subscriptions<'a>(
    members: &[&'a Member],
) -> (Vec<BTreeSet<&'a str>>, Vec<usize>) {
    let mut distinct: Vec<BTreeSet<&str>> = Vec::new();
    let mut subscription_of: Vec<usize> = Vec::with_capacity(members.len());
    let mut last: Option<&[String]> = None;
    for member in members {
        if last != Some(member.topics.as_slice()) {
            distinct.push(member.topics.iter().map(String::as_str).collect());
            last = Some(&member.topics);
        }
        subscription_of.push(distinct.len() - 1);
    }
    (distinct, subscription_of)
}

/// An assignment with every member and no partitions.
///
/// # Panics
/// If two members share a member id.
pub(crate) fn empty_assignment(members: &[Member]) -> Assignment {
    let assignment: Assignment = members
        .iter()
        .map(|member| (member.member_id.clone(), Vec::new()))
        .collect();
    assert_eq!(
        assignment.len(),
        members.len(),
        "member ids are unique within a group"
    );
    assignment
}

/// How many partitions `assignment` holds in all.
pub(crate) fn assigned_count(assignment: &Assignment) -> u64 {
    assignment
        .values()
        .map(|partitions| partitions.len() as u64)
        .sum()
}
