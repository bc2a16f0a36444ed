//! Kafka's `GeneralAssignmentBuilder` (rack-unaware): the sticky assignment when members
//! subscribe to different topics.
//!
//! 1. Each member keeps its valid claims on topics it still subscribes to.
//! 2. Topics are ordered by how many members subscribe to them (then by name), partitions by
//!    number within a topic. Each partition nobody kept goes to the member with the fewest
//!    partitions (ties by member id) among those subscribing to its topic.
//! 3. Topics with one subscriber, and members that hold every partition they could and none
//!    that another member could take, are set aside.
//! 4. Partitions are then moved while the assignment is unbalanced: back to the member that
//!    owned it in an older generation when that member has at least two fewer, else to the
//!    least loaded subscriber when some subscriber has two fewer. A move that would undo an
//!    earlier move of the same topic between the same two members moves that partition back
//!    instead (Kafka's `PartitionMovements`, which picks it in Java `HashSet` order).
//! 5. If this was a rebalance and the moves did not lower the balance score (the sum of the
//!    count differences over all pairs of members), the assignment before the moves is kept.

use std::collections::{BTreeMap, BTreeSet};

use super::java_hash_map::JavaHashSet;
use super::user_data::DEFAULT_GENERATION;
use super::{Input, NONE, Outcome};

/// Runs the builder; `owned` is each member's valid claims (`allSubscriptionsEqual`'s).
pub(crate) fn build(input: &Input<'_>, owned: Vec<Vec<u32>>) -> Outcome {
    let mut builder = General::new(input, owned);
    builder.run();
    Outcome {
        assignment: builder.current,
        transferring: None,
    }
}

/// Who owned a partition in an older generation (Kafka's `ConsumerGenerationPair`).
#[derive(Clone, Copy, Debug)]
struct Previous {
    member: u32,
    generation: i32,
}

struct General<'i, 'a> {
    input: &'i Input<'a>,
    /// `currentAssignment`, per member position.
    current: Vec<Vec<u32>>,
    /// Whether a member takes part in reassignment (is in `currentAssignment` and
    /// `sortedCurrentSubscriptions`); fixed members are set aside.
    active: Vec<bool>,
    /// `currentPartitionConsumer`.
    owner: Vec<u32>,
    /// `topic2AllPotentialConsumers`: subscribers per topic, in member iteration order.
    topic_members: Vec<Vec<u32>>,
    /// `sortedCurrentSubscriptions`: (partition count, member-id rank) of active members.
    sorted: BTreeSet<(u32, u32)>,
    /// Member position by member-id rank.
    by_rank: Vec<u32>,
    /// Partitions of each member's subscribed topics in all (`getMaxAssignmentSize`).
    max_size: Vec<u64>,
    /// `prevAssignment`: claims of members of older generations.
    previous: BTreeMap<u32, Previous>,
    revocation_required: bool,
    movements: Movements,
    /// The fullest holder of each topic, kept once `isBalanced` first needs it.
    fullest: Option<Fullest>,
}

impl<'i, 'a> General<'i, 'a> {
    fn new(input: &'i Input<'a>, owned: Vec<Vec<u32>>) -> Self {
        let members = input.members.len();
        let topics = input.topics.len();
        let mut topic_members: Vec<Vec<u32>> = vec![Vec::new(); topics];
        let mut by_rank = vec![NONE; members];
        let mut max_size = Vec::with_capacity(members);
        for (slot, member) in input.members.iter().enumerate() {
            let topics = input.topics_of(slot as u32);
            for &topic in topics {
                topic_members[topic as usize].push(slot as u32);
            }
            by_rank[member.rank as usize] = slot as u32;
            max_size.push(
                topics
                    .iter()
                    .map(|&t| u64::from(input.offsets[t as usize + 1] - input.offsets[t as usize]))
                    .sum(),
            );
        }
        let mut owner = vec![NONE; input.partition_count() as usize];
        for (slot, list) in owned.iter().enumerate() {
            for &partition in list {
                owner[partition as usize] = slot as u32;
            }
        }
        Self {
            input,
            current: owned,
            active: vec![true; members],
            owner,
            topic_members,
            sorted: BTreeSet::new(),
            by_rank,
            max_size,
            previous: BTreeMap::new(),
            revocation_required: false,
            movements: Movements::default(),
            fullest: None,
        }
    }

    fn key(&self, member: u32) -> (u32, u32) {
        (
            self.current[member as usize].len() as u32,
            self.input.members[member as usize].rank,
        )
    }

    fn size(&self, member: u32) -> usize {
        self.current[member as usize].len()
    }

    fn run(&mut self) {
        let input = self.input;
        self.prepopulate_previous();

        // sortedAllPartitions: topics by subscriber count, then name; partitions in order.
        let mut topic_order: Vec<u32> = (0..input.topics.len() as u32).collect();
        topic_order.sort_by_key(|&t| (self.topic_members[t as usize].len(), t));
        let mut sorted_all: Vec<u32> = Vec::with_capacity(input.partition_count() as usize);
        for &t in &topic_order {
            sorted_all.extend(input.offsets[t as usize]..input.offsets[t as usize + 1]);
        }

        // assignOwnedPartitions: keep claims on topics the member still subscribes to.
        let mut kept = vec![false; input.partition_count() as usize];
        for slot in 0..self.current.len() {
            let before = self.current[slot].len();
            self.current[slot].retain(|&p| input.subscribes(slot as u32, input.topic_of(p)));
            if self.current[slot].len() != before {
                self.revocation_required = true;
            }
            for &p in &self.current[slot] {
                kept[p as usize] = true;
            }
        }
        let mut unassigned: Vec<u32> = sorted_all
            .iter()
            .copied()
            .filter(|&p| !kept[p as usize])
            .collect();

        for slot in 0..self.current.len() as u32 {
            self.sorted.insert(self.key(slot));
        }
        self.balance(&mut sorted_all, &mut unassigned);
    }

    /// `prepopulateCurrentAssignments`: claims of members below the highest generation.
    fn prepopulate_previous(&mut self) {
        let input = self.input;
        let max_generation = input
            .members
            .iter()
            .map(|member| member.generation_or_default())
            .max()
            .unwrap_or(DEFAULT_GENERATION)
            .max(DEFAULT_GENERATION);
        for (slot, member) in input.members.iter().enumerate() {
            let generation = match member.generation {
                Some(generation) if generation < max_generation => generation,
                None if max_generation > DEFAULT_GENERATION => DEFAULT_GENERATION,
                _ => continue,
            };
            for &partition in &member.owned {
                let replace = self
                    .previous
                    .get(&partition)
                    .is_none_or(|previous| generation > previous.generation);
                if replace {
                    self.previous.insert(
                        partition,
                        Previous {
                            member: slot as u32,
                            generation,
                        },
                    );
                }
            }
        }
    }

    /// `maybeAssignPartition`: to the least loaded subscriber of its topic.
    fn assign_to_least_loaded(&mut self, partition: u32) {
        let topic = self.input.topic_of(partition);
        let found = self
            .sorted
            .iter()
            .map(|&(_, rank)| self.by_rank[rank as usize])
            .find(|&m| self.input.subscribes(m, topic));
        if let Some(member) = found {
            self.sorted.remove(&self.key(member));
            self.current[member as usize].push(partition);
            self.owner[partition as usize] = member;
            self.sorted.insert(self.key(member));
        }
    }

    fn topic_can_move(&self, topic: u32) -> bool {
        self.topic_members[topic as usize].len() >= 2
    }

    fn member_can_move(&self, member: u32) -> bool {
        let size = self.size(member) as u64;
        size < self.max_size[member as usize]
            || self.current[member as usize]
                .iter()
                .any(|&p| self.topic_can_move(self.input.topic_of(p)))
    }

    fn balance(&mut self, sorted_all: &mut Vec<u32>, unassigned: &mut Vec<u32>) {
        let input = self.input;
        let initializing = self.sorted.last().is_none_or(|&(count, _)| count == 0);

        for &partition in unassigned.iter() {
            if !self.topic_members[input.topic_of(partition) as usize].is_empty() {
                self.assign_to_least_loaded(partition);
            }
        }

        // Only partitions of topics with two or more subscribers can move...
        sorted_all.retain(|&p| self.topic_can_move(input.topic_of(p)));
        unassigned.retain(|&p| self.topic_can_move(input.topic_of(p)));
        // ... and only members that could take more or give some away.
        for member in 0..self.current.len() as u32 {
            if !self.member_can_move(member) {
                self.sorted.remove(&self.key(member));
                self.active[member as usize] = false;
            }
        }

        let before_moves = self.current.clone();
        let owner_before_moves = self.owner.clone();

        if !self.revocation_required {
            self.perform_reassignments(unassigned);
        }
        let reassigned = self.perform_reassignments(sorted_all);

        if !initializing
            && reassigned
            && self.balance_score(&self.current) >= self.balance_score(&before_moves)
        {
            self.current = before_moves;
            self.owner = owner_before_moves;
            self.fullest = None;
        }
    }

    /// `getBalanceScore` over the active members: the sum over all pairs of the difference of
    /// their partition counts.
    fn balance_score(&self, assignment: &[Vec<u32>]) -> i64 {
        let mut sizes: Vec<i64> = assignment
            .iter()
            .enumerate()
            .filter(|&(slot, _)| self.active[slot])
            .map(|(_, list)| list.len() as i64)
            .collect();
        sizes.sort_unstable();
        let n = sizes.len() as i64;
        sizes
            .iter()
            .enumerate()
            .map(|(i, &size)| size * (2 * i as i64 - n + 1))
            .sum()
    }

    /// `isBalanced`.
    fn is_balanced(&mut self) -> bool {
        let (Some(&(min, _)), Some(&(max, _))) = (self.sorted.first(), self.sorted.last()) else {
            return true;
        };
        if min + 1 >= max {
            return true;
        }
        let input = self.input;
        // Kafka scans every partition of every member short of all it could have, for one held
        // by a member with two or more partitions than it. The same question, asked with the
        // fullest holder of each topic: members come by count, and once a member's count is
        // within one of the largest, nobody holds two more than it.
        if self.fullest.is_none() {
            self.fullest = Some(Fullest::new(input, &self.current, &self.active));
        }
        let fullest = self.fullest.as_ref().expect("just built");
        let mut balanced = true;
        for &(count, rank) in &self.sorted {
            if count + 1 >= max {
                break;
            }
            let member = self.by_rank[rank as usize];
            if u64::from(count) == self.max_size[member as usize] {
                continue;
            }
            if input
                .topics_of(member)
                .iter()
                .any(|&t| count + 1 < fullest.largest(t))
            {
                balanced = false;
                break;
            }
        }
        #[cfg(debug_assertions)]
        assert_eq!(balanced, self.is_balanced_by_scan(), "Kafka's isBalanced");
        balanced
    }

    /// Kafka's `isBalanced` slow path as written: every partition each member could get.
    #[cfg(debug_assertions)]
    fn is_balanced_by_scan(&self) -> bool {
        let input = self.input;
        let mut owner_of = vec![NONE; input.partition_count() as usize];
        for (slot, list) in self.current.iter().enumerate() {
            if self.active[slot] {
                for &p in list {
                    owner_of[p as usize] = slot as u32;
                }
            }
        }
        for &(count, rank) in &self.sorted {
            let member = self.by_rank[rank as usize];
            if u64::from(count) == self.max_size[member as usize] {
                continue;
            }
            for &t in input.topics_of(member) {
                for p in input.offsets[t as usize]..input.offsets[t as usize + 1] {
                    let other = owner_of[p as usize];
                    if other != NONE && count as usize + 1 < self.size(other) {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// `performReassignments`: true if some partition moved.
    fn perform_reassignments(&mut self, partitions: &[u32]) -> bool {
        let input = self.input;
        let mut reassigned = false;
        loop {
            let mut modified = false;
            for &partition in partitions {
                if self.is_balanced() {
                    break;
                }
                let member = self.owner[partition as usize];
                if member == NONE || !self.active[member as usize] {
                    continue;
                }
                let topic = input.topic_of(partition);
                if let Some(previous) = self.previous.get(&partition).copied() {
                    let earlier = previous.member;
                    // Kafka moves it back even to a member that no longer subscribes to the
                    // topic, or throws for a fixed one; neither is followed here.
                    if self.active[earlier as usize]
                        && input.subscribes(earlier, topic)
                        && self.size(member) > self.size(earlier) + 1
                    {
                        self.reassign_to(partition, earlier);
                        reassigned = true;
                        modified = true;
                        continue;
                    }
                }
                let emptier = self.topic_members[topic as usize]
                    .iter()
                    .any(|&other| self.size(member) > self.size(other) + 1);
                if emptier {
                    self.reassign(partition);
                    reassigned = true;
                    modified = true;
                }
            }
            if !modified {
                return reassigned;
            }
        }
    }

    /// `reassignPartition(partition)`: to the least loaded subscriber of its topic.
    fn reassign(&mut self, partition: u32) {
        let topic = self.input.topic_of(partition);
        let new_member = self
            .sorted
            .iter()
            .map(|&(_, rank)| self.by_rank[rank as usize])
            .find(|&m| self.input.subscribes(m, topic))
            .expect("the partition's topic has an active subscriber: its owner");
        self.reassign_to(partition, new_member);
    }

    /// `reassignPartition(partition, newConsumer)`.
    fn reassign_to(&mut self, partition: u32, new_member: u32) {
        let member = self.owner[partition as usize];
        let moved = self
            .movements
            .actual_partition_to_move(self.input, partition, member, new_member);
        self.process_movement(moved, new_member);
    }

    /// `processPartitionMovement`.
    fn process_movement(&mut self, partition: u32, new_member: u32) {
        let old_member = self.owner[partition as usize];
        assert!(
            self.active[old_member as usize] && self.active[new_member as usize],
            "partitions move between active members"
        );
        assert_ne!(old_member, new_member, "a move changes the owner");
        self.sorted.remove(&self.key(old_member));
        self.sorted.remove(&self.key(new_member));
        self.movements
            .move_partition(self.input, partition, old_member, new_member);
        if let Some(fullest) = &mut self.fullest {
            fullest.move_partition(
                self.input.topic_of(partition),
                (old_member, self.current[old_member as usize].len() as u32),
                (new_member, self.current[new_member as usize].len() as u32),
            );
        }
        let list = &mut self.current[old_member as usize];
        let at = list
            .iter()
            .position(|&p| p == partition)
            .expect("the owner's list holds the partition");
        list.remove(at);
        self.current[new_member as usize].push(partition);
        self.owner[partition as usize] = new_member;
        self.sorted.insert(self.key(new_member));
        self.sorted.insert(self.key(old_member));
    }
}

/// Kafka's `PartitionMovements`: where each moved partition came from, and per topic and
/// (source, destination) pair the partitions that moved that way.
#[derive(Debug, Default)]
struct Movements {
    /// Partition → (source, destination).
    moves: BTreeMap<u32, (u32, u32)>,
    /// Topic → (source, destination) → partitions, as Kafka's `HashSet`.
    by_topic: BTreeMap<u32, BTreeMap<(u32, u32), JavaHashSet>>,
}

impl Movements {
    fn remove_record(&mut self, input: &Input<'_>, partition: u32) -> (u32, u32) {
        let pair = self
            .moves
            .remove(&partition)
            .expect("the partition has a movement record");
        let topic = input.topic_of(partition);
        let pairs = self
            .by_topic
            .get_mut(&topic)
            .expect("a moved partition's topic has records");
        let set = pairs.get_mut(&pair).expect("the pair has a record");
        set.remove(partition);
        if set.is_empty() {
            pairs.remove(&pair);
        }
        if pairs.is_empty() {
            self.by_topic.remove(&topic);
        }
        pair
    }

    fn add_record(&mut self, input: &Input<'_>, partition: u32, pair: (u32, u32)) {
        self.moves.insert(partition, pair);
        self.by_topic
            .entry(input.topic_of(partition))
            .or_default()
            .entry(pair)
            .or_default()
            .add(partition, input.partition_hash(partition));
    }

    fn move_partition(&mut self, input: &Input<'_>, partition: u32, old: u32, new: u32) {
        if self.moves.contains_key(&partition) {
            let (source, destination) = self.remove_record(input, partition);
            debug_assert_eq!(destination, old);
            if source != new {
                self.add_record(input, partition, (source, new));
            }
        } else {
            self.add_record(input, partition, (old, new));
        }
    }

    /// `getTheActualPartitionToBeMoved`: a partition of the same topic that earlier moved from
    /// `new` to (where `partition` came from), if any, else `partition`.
    fn actual_partition_to_move(
        &self,
        input: &Input<'_>,
        partition: u32,
        old: u32,
        new: u32,
    ) -> u32 {
        let topic = input.topic_of(partition);
        let Some(pairs) = self.by_topic.get(&topic) else {
            return partition;
        };
        let old = match self.moves.get(&partition) {
            Some(&(source, _)) => source,
            None => old,
        };
        pairs
            .get(&(new, old))
            .and_then(JavaHashSet::first)
            .unwrap_or(partition)
    }
}

/// For each topic, the partition counts of the active members holding its partitions, so that
/// the largest is at hand as partitions move.
#[derive(Debug)]
struct Fullest {
    /// Per member: topic → how many of its partitions the member holds.
    held: Vec<BTreeMap<u32, u32>>,
    /// Per topic: partition count of a holder → how many holders have it.
    holders: Vec<BTreeMap<u32, u32>>,
}

impl Fullest {
    fn new(input: &Input<'_>, current: &[Vec<u32>], active: &[bool]) -> Self {
        let mut held: Vec<BTreeMap<u32, u32>> = vec![BTreeMap::new(); current.len()];
        let mut holders: Vec<BTreeMap<u32, u32>> = vec![BTreeMap::new(); input.topics.len()];
        for (slot, list) in current.iter().enumerate() {
            if !active[slot] {
                continue;
            }
            for &p in list {
                *held[slot].entry(input.topic_of(p)).or_default() += 1;
            }
            for &topic in held[slot].keys() {
                *holders[topic as usize]
                    .entry(list.len() as u32)
                    .or_default() += 1;
            }
        }
        Self { held, holders }
    }

    /// The largest partition count among the holders of `topic` (0 if none).
    fn largest(&self, topic: u32) -> u32 {
        self.holders[topic as usize]
            .last_key_value()
            .map_or(0, |(&count, _)| count)
    }

    fn add(&mut self, topic: u32, count: u32) {
        *self.holders[topic as usize].entry(count).or_default() += 1;
    }

    fn remove(&mut self, topic: u32, count: u32) {
        let counts = &mut self.holders[topic as usize];
        let holders = counts.get_mut(&count).expect("a holder of that count");
        *holders -= 1;
        if *holders == 0 {
            counts.remove(&count);
        }
    }

    /// A partition of `topic` moved from `old` to `new`, given as (member, count before).
    fn move_partition(&mut self, topic: u32, old: (u32, u32), new: (u32, u32)) {
        let (old, old_count) = old;
        let (new, new_count) = new;
        let old_topics: Vec<u32> = self.held[old as usize].keys().copied().collect();
        for t in old_topics {
            self.remove(t, old_count);
            self.add(t, old_count - 1);
        }
        let new_topics: Vec<u32> = self.held[new as usize].keys().copied().collect();
        for t in new_topics {
            self.remove(t, new_count);
            self.add(t, new_count + 1);
        }
        let left = self.held[old as usize]
            .get_mut(&topic)
            .expect("the old owner holds the topic");
        *left -= 1;
        if *left == 0 {
            self.held[old as usize].remove(&topic);
            self.remove(topic, old_count - 1);
        }
        let joined = self.held[new as usize].entry(topic).or_default();
        *joined += 1;
        if *joined == 1 {
            self.add(topic, new_count + 1);
        }
    }
}
