//! Kafka's sticky assignors, `StickyAssignor` (`"sticky"`) and `CooperativeStickyAssignor`
//! (`"cooperative-sticky"`): the client-side `AbstractStickyAssignor` of Kafka 3.7, rack-unaware.
//!
//! Both run one algorithm. First the members' claims are sorted out (Kafka's
//! `allSubscriptionsEqual`): a partition claimed by members of different generations stays with
//! the newest, one claimed twice in the same generation is taken from both. Then, when every
//! member subscribes to the same topics, the constrained builder (Kafka's
//! `ConstrainedAssignmentBuilder`) keeps each member's partitions up to its quota and deals the
//! rest round-robin; otherwise the general builder (`GeneralAssignmentBuilder`) keeps what it
//! can, hands each unassigned partition to the least loaded member that may take it, and moves
//! partitions until no move improves the balance.
//!
//! Where Kafka breaks a tie by the iteration order of a `java.util.HashMap` (the members, in the
//! order the leader received their JoinGroup, which is the order of the `members` slice here;
//! the partitions moved between two members), the same order is computed.

pub(crate) mod constrained;
pub(crate) mod general;
pub(crate) mod java_hash_map;
pub(crate) mod user_data;

use std::collections::{BTreeMap, BTreeSet};

use super::assignor::{
    Assignment, Assignor, Member, RebalanceProtocol, TopicPartition, assigned_count,
    empty_assignment, java_string_cmp,
};
use super::protocol::java_string_hash;
use java_hash_map::{Insertion, iteration_order};
use user_data::DEFAULT_GENERATION;

/// "No member" / "no partition" in the index vectors.
pub(crate) const NONE: u32 = u32::MAX;

/// Kafka's `StickyAssignor` (`"sticky"`, eager protocol): balanced like round-robin, and on a
/// rebalance every member keeps as many of its partitions as balance allows.
///
/// A member reports what it owned, and from which generation, in its subscription user data
/// (see [`super::subscription_user_data`]). With identical subscriptions each member keeps its
/// owned partitions up to its quota (`partitions / members`, one more for the first
/// `partitions % members` members in Kafka's member iteration order), and the rest are dealt
/// one by one, in topic and partition order, to the members below quota in member-id order.
/// With different subscriptions, every unassigned partition goes to the member with the fewest
/// partitions (ties by member id) that subscribes to its topic, least-subscribed topics first,
/// and partitions then move from fuller to emptier members until that no longer helps.
///
/// # Worked example
///
/// Kafka's `testAddRemoveConsumerOneTopic`: `consumer1` alone takes all three partitions of
/// `topic`. When `consumer2` joins (and `consumer1` reports `topic-0..2` from generation 1), the
/// quotas are 1 and 2: `consumer1` keeps `topic-0` and `topic-1` (its first two, by partition),
/// and `topic-2` moves to `consumer2`.
///
/// ```
/// use std::collections::BTreeMap;
/// use rill_core::group::{Assignor, Member, StickyAssignor, TopicPartition};
///
/// let tp = TopicPartition::new;
/// let partitions_per_topic = BTreeMap::from([("topic".to_string(), 3)]);
/// let first = StickyAssignor.assign(&partitions_per_topic, &[Member::new("consumer1", ["topic"])]);
/// assert_eq!(first["consumer1"], [tp("topic", 0), tp("topic", 1), tp("topic", 2)]);
///
/// let mut consumer1 = Member::new("consumer1", ["topic"]);
/// consumer1.owned = first["consumer1"].clone();
/// consumer1.generation = Some(1);
/// let mut consumer2 = Member::new("consumer2", ["topic"]);
/// consumer2.generation = Some(1);
/// let second = StickyAssignor.assign(&partitions_per_topic, &[consumer1, consumer2]);
/// assert_eq!(second["consumer1"], [tp("topic", 0), tp("topic", 1)]);
/// assert_eq!(second["consumer2"], [tp("topic", 2)]);
/// ```
///
/// # Differences from Kafka
///
/// * Racks: since 3.5 (KIP-881) Kafka's sticky assignors prefer partitions with a replica on
///   the member's `client.rack`. This is the rack-unaware path, which Kafka takes whenever no
///   member has a rack or every partition has replicas on every rack.
/// * Kafka keeps the highest generation it has seen in the assignor instance across
///   assignments; this is a pure function, like a fresh Kafka assignor on each call.
/// * Each member's list is sorted by topic, then partition (Kafka's comes out in assignment
///   order); the set each member gets is Kafka's.
/// * Input Kafka mishandles is made safe: owned partitions beyond a topic's partition count
///   are ignored, and a partition is never moved back to an earlier owner that no longer
///   subscribes to its topic or whose assignment is fixed (Kafka would assign it there or throw).
/// * A member carries one generation. Kafka compares a claim's generation (from the sticky
///   user data) with the other claimant's subscription `generationId`; the two differ only
///   for a member whose user data and subscription disagree.
/// * A member with no topics makes the subscriptions unequal. In Kafka, members with no topics
///   iterated before the first member with topics count as equal to it, and get its topics'
///   partitions.
/// * Java `HashMap` buckets of 9 or more colliding keys in a table of 64 or more buckets become
///   trees in Java, with another iteration order, which is not modelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StickyAssignor;

impl StickyAssignor {
    /// Kafka's protocol name for this assignor (`StickyAssignor.STICKY_ASSIGNOR_NAME`).
    pub const NAME: &'static str = "sticky";
}

impl Assignor for StickyAssignor {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, u32>,
        members: &[Member],
    ) -> Assignment {
        let input = Input::new(partitions_per_topic, members);
        let outcome = input.assign();
        input.to_assignment(members, outcome.assignment)
    }
}

/// Kafka's `CooperativeStickyAssignor` (`"cooperative-sticky"`): the sticky assignment, minus
/// the partitions that would change owner in this rebalance (KIP-429).
///
/// It computes [`StickyAssignor`]'s target from the members' `owned` partitions and
/// generations (the subscription's `ownedPartitions` and `generationId`), then withholds every
/// partition the target gives to a member while another member still owns it. The old owner
/// is not given it either, so it revokes it, and the follow-up rebalance the consumer then asks
/// for assigns it to the new owner. A partition never has two owners at once.
///
/// # Worked example
///
/// Kafka's `testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer`:
/// `consumer1` owns `topic-0, topic-1` and `consumer2` owns `topic-0, topic-2`, both in
/// generation 1; `consumer3` owns nothing. `topic-0` is claimed twice in one generation, so
/// neither keeps it. The sticky target gives it to `consumer3`, but since the others still
/// claim it, the cooperative assignor withholds it until they have revoked it.
///
/// ```
/// use std::collections::BTreeMap;
/// use rill_core::group::{Assignor, CooperativeStickyAssignor, Member, TopicPartition};
///
/// let tp = TopicPartition::new;
/// let member = |id: &str, owned: Vec<TopicPartition>| {
///     let mut member = Member::new(id, ["topic"]);
///     member.owned = owned;
///     member.generation = Some(1);
///     member
/// };
/// let members = [
///     member("consumer1", vec![tp("topic", 0), tp("topic", 1)]),
///     member("consumer2", vec![tp("topic", 0), tp("topic", 2)]),
///     member("consumer3", vec![]),
/// ];
/// let partitions_per_topic = BTreeMap::from([("topic".to_string(), 3)]);
/// let assignment = CooperativeStickyAssignor.assign(&partitions_per_topic, &members);
/// assert_eq!(assignment["consumer1"], [tp("topic", 1)]);
/// assert_eq!(assignment["consumer2"], [tp("topic", 2)]);
/// assert!(assignment["consumer3"].is_empty());
/// ```
///
/// The differences from Kafka are [`StickyAssignor`]'s (rack-unaware, and so on).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CooperativeStickyAssignor;

impl CooperativeStickyAssignor {
    /// Kafka's protocol name (`CooperativeStickyAssignor.COOPERATIVE_STICKY_ASSIGNOR_NAME`).
    pub const NAME: &'static str = "cooperative-sticky";
}

impl Assignor for CooperativeStickyAssignor {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn supported_protocols(&self) -> &'static [RebalanceProtocol] {
        &[RebalanceProtocol::Eager, RebalanceProtocol::Cooperative]
    }

    fn assign(
        &self,
        partitions_per_topic: &BTreeMap<String, u32>,
        members: &[Member],
    ) -> Assignment {
        let input = Input::new(partitions_per_topic, members);
        let Outcome {
            mut assignment,
            transferring,
        } = input.assign();
        let transferring = match transferring {
            Some(transferring) => transferring,
            None => input.partitions_transferring_ownership(&assignment),
        };
        // adjustAssignment: the new owner does not get it in this rebalance.
        for (partition, member) in transferring {
            let list = &mut assignment[member as usize];
            if let Some(at) = list.iter().position(|&p| p == partition) {
                list.swap_remove(at);
            }
        }
        input.to_assignment(members, assignment)
    }
}

/// One distinct subscription (members usually share one).
#[derive(Debug)]
pub(crate) struct Subscribed<'a> {
    /// The topics as listed, sorted, without duplicates.
    pub(crate) listed: Vec<&'a str>,
    /// The listed topics that have partitions: indices into [`Input::topics`], sorted.
    pub(crate) topics: Vec<u32>,
}

/// One member, as the builders see it.
#[derive(Debug)]
pub(crate) struct MemberIn {
    /// The position of the id among all ids in Java's `String.compareTo` order.
    pub(crate) rank: u32,
    /// Its subscription: an index into [`Input::subscriptions`].
    pub(crate) subscription: u32,
    /// The owned partitions (`MemberData.partitions`) that exist, in the member's order.
    pub(crate) owned: Vec<u32>,
    /// `MemberData.generation`.
    pub(crate) generation: Option<i32>,
}

impl MemberIn {
    /// The generation, or `DEFAULT_GENERATION`.
    pub(crate) fn generation_or_default(&self) -> i32 {
        self.generation.unwrap_or(DEFAULT_GENERATION)
    }
}

/// The assignment problem in indices: topics, partitions and members.
#[derive(Debug)]
pub(crate) struct Input<'a> {
    /// Kafka's `partitionsPerTopic`: the topics some member subscribes to that have
    /// partitions, in Java's `String.compareTo` order.
    pub(crate) topics: Vec<&'a str>,
    /// `String.hashCode()` of each topic.
    pub(crate) topic_hashes: Vec<i32>,
    /// Partition `p` of topic `t` is partition index `offsets[t] + p`; `offsets` ends with the
    /// partition count. Index order is (topic, partition) order.
    pub(crate) offsets: Vec<u32>,
    /// The members in the iteration order of Kafka's `HashMap` of subscriptions.
    pub(crate) members: Vec<MemberIn>,
    /// The distinct subscriptions.
    pub(crate) subscriptions: Vec<Subscribed<'a>>,
    /// The position in `members` of each member of the caller's slice.
    pub(crate) slot_of: Vec<u32>,
}

/// A builder's result: each member's partitions (by position in [`Input::members`]) and, from
/// the constrained builder, Kafka's `partitionsTransferringOwnership` as (partition, member).
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) assignment: Vec<Vec<u32>>,
    pub(crate) transferring: Option<Vec<(u32, u32)>>,
}

impl<'a> Input<'a> {
    /// The problem `partitions_per_topic` and `members` pose.
    ///
    /// # Panics
    /// If two members share a member id, or a topic has more than `u32::MAX` partitions in all.
    pub(crate) fn new(
        partitions_per_topic: &'a BTreeMap<String, u32>,
        members: &'a [Member],
    ) -> Self {
        // The distinct subscriptions, as sorted topic lists; consecutive members with the same
        // list (the usual case) share one without sorting it again.
        let mut subscriptions: Vec<Subscribed<'a>> = Vec::new();
        let mut subscription_of: Vec<u32> = Vec::with_capacity(members.len());
        let mut known: BTreeMap<Vec<&str>, u32> = BTreeMap::new();
        let mut last: Option<(&[String], u32)> = None;
        for member in members {
            if let Some((topics, index)) = last
                && topics == member.topics.as_slice()
            {
                subscription_of.push(index);
                continue;
            }
            let mut listed: Vec<&str> = member.topics.iter().map(String::as_str).collect();
            listed.sort_unstable();
            listed.dedup();
            let index = *known.entry(listed.clone()).or_insert_with(|| {
                subscriptions.push(Subscribed {
                    listed,
                    topics: Vec::new(),
                });
                (subscriptions.len() - 1) as u32
            });
            subscription_of.push(index);
            last = Some((&member.topics, index));
        }
        // What AbstractPartitionAssignor hands the assignor: subscribed topics with partitions.
        let subscribed: BTreeSet<&str> = subscriptions
            .iter()
            .flat_map(|s| s.listed.iter().copied())
            .collect();
        let mut topics: Vec<&str> = subscribed
            .into_iter()
            .filter(|topic| partitions_per_topic.get(*topic).is_some_and(|&n| n > 0))
            .collect();
        topics.sort_by(|a, b| java_string_cmp(a, b));
        let mut offsets = Vec::with_capacity(topics.len() + 1);
        let mut total: u32 = 0;
        for topic in &topics {
            offsets.push(total);
            total = total
                .checked_add(partitions_per_topic[*topic])
                .expect("fewer than 2^32 partitions in all");
        }
        offsets.push(total);
        let topic_index: BTreeMap<&str, u32> = topics
            .iter()
            .enumerate()
            .map(|(i, &topic)| (topic, i as u32))
            .collect();

        // Kafka's subscriptions: a HashMap keyed by member id, filled in JoinGroup order.
        let hashes: Vec<i32> = members
            .iter()
            .map(|member| java_string_hash(&member.member_id))
            .collect();
        let order = iteration_order(&hashes, Insertion::Put);
        let mut by_id: Vec<usize> = (0..members.len()).collect();
        by_id.sort_by(|&a, &b| java_string_cmp(&members[a].member_id, &members[b].member_id));
        let mut rank = vec![0u32; members.len()];
        for (position, &i) in by_id.iter().enumerate() {
            rank[i] = position as u32;
        }
        assert!(
            by_id
                .windows(2)
                .all(|w| members[w[0]].member_id != members[w[1]].member_id),
            "member ids are unique within a group"
        );

        for subscription in &mut subscriptions {
            subscription.topics = subscription
                .listed
                .iter()
                .filter_map(|topic| topic_index.get(topic).copied())
                .collect();
            subscription.topics.sort_unstable();
        }

        let mut slot_of = vec![NONE; members.len()];
        let mut lookup = TopicLookup::new(&topic_index);
        let mut ins = Vec::with_capacity(members.len());
        for (slot, &i) in order.iter().enumerate() {
            slot_of[i] = slot as u32;
            let member = &members[i];
            let owned = member
                .owned
                .iter()
                .filter_map(|tp| {
                    let t = lookup.find(&tp.topic)? as usize;
                    (tp.partition < offsets[t + 1] - offsets[t]).then(|| offsets[t] + tp.partition)
                })
                .collect();
            ins.push(MemberIn {
                rank: rank[i],
                subscription: subscription_of[i],
                owned,
                generation: member.generation,
            });
        }
        let topic_hashes = topics.iter().map(|topic| java_string_hash(topic)).collect();
        Self {
            topics,
            topic_hashes,
            offsets,
            members: ins,
            subscriptions,
            slot_of,
        }
    }

    /// The topics (with partitions) member `slot` subscribes to, sorted.
    pub(crate) fn topics_of(&self, slot: u32) -> &[u32] {
        &self.subscriptions[self.members[slot as usize].subscription as usize].topics
    }

    /// Whether member `slot` subscribes to topic `topic`.
    pub(crate) fn subscribes(&self, slot: u32, topic: u32) -> bool {
        self.topics_of(slot).binary_search(&topic).is_ok()
    }

    /// How many partitions all the topics have.
    pub(crate) fn partition_count(&self) -> u32 {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// The topic of partition index `partition`.
    pub(crate) fn topic_of(&self, partition: u32) -> u32 {
        debug_assert!(partition < self.partition_count());
        (self.offsets.partition_point(|&offset| offset <= partition) - 1) as u32
    }

    /// Kafka's `TopicPartition.hashCode()` of partition index `partition`.
    pub(crate) fn partition_hash(&self, partition: u32) -> i32 {
        let topic = self.topic_of(partition) as usize;
        java_hash_map::topic_partition_hash(
            self.topic_hashes[topic],
            partition - self.offsets[topic],
        )
    }

    /// Kafka's `AbstractStickyAssignor.assignPartitions`, rack-unaware.
    pub(crate) fn assign(&self) -> Outcome {
        if self.members.is_empty() {
            return Outcome {
                assignment: Vec::new(),
                transferring: Some(Vec::new()),
            };
        }
        let claims = self.sort_out_claims();
        if claims.all_subscriptions_equal {
            constrained::build(self, claims)
        } else {
            general::build(self, claims.owned)
        }
    }

    /// Kafka's `allSubscriptionsEqual`: whether every member subscribes to the same topics, and
    /// each member's valid claims.
    fn sort_out_claims(&self) -> Claims {
        // The same set of topics is the same (sorted, deduplicated) subscription.
        let equal = self
            .members
            .windows(2)
            .all(|pair| pair[0].subscription == pair[1].subscription);
        let partitions = self.partition_count() as usize;
        let mut claimed_by = vec![NONE; partitions];
        let mut multiple = vec![false; partitions];
        let mut owned: Vec<Vec<u32>> = Vec::with_capacity(self.members.len());
        for (slot, member) in self.members.iter().enumerate() {
            let generation = member.generation_or_default();
            let mut mine = Vec::with_capacity(member.owned.len());
            for &partition in &member.owned {
                let other = claimed_by[partition as usize];
                if other == NONE {
                    mine.push(partition);
                    claimed_by[partition as usize] = slot as u32;
                    continue;
                }
                let other_generation = self.members[other as usize].generation_or_default();
                if generation >= other_generation {
                    // Same generation: nobody keeps it. Newer: this member takes it over.
                    let list: &mut Vec<u32> = if other as usize == slot {
                        &mut mine
                    } else {
                        &mut owned[other as usize]
                    };
                    if let Some(at) = list.iter().position(|&p| p == partition) {
                        list.remove(at);
                    }
                    if generation == other_generation {
                        multiple[partition as usize] = true;
                    } else {
                        mine.push(partition);
                    }
                    claimed_by[partition as usize] = slot as u32;
                }
            }
            owned.push(mine);
        }
        Claims {
            all_subscriptions_equal: equal,
            owned,
            multiple,
        }
    }

    /// `CooperativeStickyAssignor.computePartitionsTransferringOwnership`: the partitions
    /// `assignment` gives to a member that does not own them while another member owns them.
    fn partitions_transferring_ownership(&self, assignment: &[Vec<u32>]) -> Vec<(u32, u32)> {
        let partitions = self.partition_count() as usize;
        let mut assigned_to = vec![NONE; partitions];
        for (slot, list) in assignment.iter().enumerate() {
            for &partition in list {
                assigned_to[partition as usize] = slot as u32;
            }
        }
        let mut revoked = vec![false; partitions];
        let mut owned_sorted: Vec<Vec<u32>> = Vec::with_capacity(self.members.len());
        for (slot, member) in self.members.iter().enumerate() {
            for &partition in &member.owned {
                if assigned_to[partition as usize] != slot as u32 {
                    revoked[partition as usize] = true;
                }
            }
            let mut sorted = member.owned.clone();
            sorted.sort_unstable();
            owned_sorted.push(sorted);
        }
        let mut transferring = Vec::new();
        for (slot, list) in assignment.iter().enumerate() {
            for &partition in list {
                if revoked[partition as usize]
                    && owned_sorted[slot].binary_search(&partition).is_err()
                {
                    transferring.push((partition, slot as u32));
                }
            }
        }
        transferring
    }

    /// The builders' result as an [`Assignment`]: every member of `members`, each list sorted.
    fn to_assignment(&self, members: &[Member], lists: Vec<Vec<u32>>) -> Assignment {
        let mut assignment = empty_assignment(members);
        let mut expected: u64 = 0;
        let mut seen = vec![false; self.partition_count() as usize];
        for (i, member) in members.iter().enumerate() {
            let mut list = lists[self.slot_of[i] as usize].clone();
            list.sort_unstable();
            let out = assignment
                .get_mut(&member.member_id)
                .expect("every member has an entry");
            out.reserve_exact(list.len());
            let mut topic = 0usize;
            for partition in list {
                assert!(
                    !std::mem::replace(&mut seen[partition as usize], true),
                    "no partition is assigned twice"
                );
                while self.offsets[topic + 1] <= partition {
                    topic += 1;
                }
                debug_assert!(
                    self.subscribes(self.slot_of[i], topic as u32),
                    "a member is only assigned partitions of topics it subscribes to"
                );
                out.push(TopicPartition::new(
                    self.topics[topic],
                    partition - self.offsets[topic],
                ));
                expected += 1;
            }
        }
        assert_eq!(assigned_count(&assignment), expected);
        assignment
    }
}

/// Each member's valid claims, after `allSubscriptionsEqual`.
#[derive(Debug)]
pub(crate) struct Claims {
    pub(crate) all_subscriptions_equal: bool,
    /// Per member (by position), the partitions it may keep, in its order.
    pub(crate) owned: Vec<Vec<u32>>,
    /// Per partition: claimed by two members of the same generation.
    pub(crate) multiple: Vec<bool>,
}

/// Topic name → index, remembering the last hit (owned lists come grouped by topic).
struct TopicLookup<'m, 'a> {
    index: &'m BTreeMap<&'a str, u32>,
    last: Option<(&'m str, u32)>,
}

impl<'m, 'a> TopicLookup<'m, 'a> {
    fn new(index: &'m BTreeMap<&'a str, u32>) -> Self {
        Self { index, last: None }
    }

    fn find(&mut self, topic: &str) -> Option<u32> {
        if let Some((name, t)) = self.last
            && name == topic
        {
            return Some(t);
        }
        let (&name, &t) = self.index.get_key_value(topic)?;
        self.last = Some((name, t));
        Some(t)
    }
}
