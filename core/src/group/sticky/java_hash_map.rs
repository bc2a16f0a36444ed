//! The iteration order of Java's `java.util.HashMap` and `HashSet`, where Kafka's sticky
//! assignors let it break ties.
//!
//! A `HashMap` iterates its table from bucket 0 up; a bucket holds a linked list. The bucket of
//! a key is `(h ^ (h >>> 16)) & (capacity - 1)` with `h` the key's `hashCode()`. A map made
//! with `new HashMap<>()` allocates 16 buckets on its first insertion and doubles when its
//! size passes `0.75 × capacity`, and also when an insertion makes a bucket's list long
//! (`TREEIFY_THRESHOLD`) while the table has fewer than 64 buckets. A doubling splits every
//! list in two, keeping the relative order of its nodes. `put` appends a new key at the tail
//! of its list; `computeIfAbsent` (used by Kafka's `CollectionUtils.groupPartitionsByTopic`)
//! pushes it at the head, grows the table before inserting rather than after, and counts the
//! list length one lower for the long-list rule.
//!
//! So the order is: by bucket at the final capacity, then by list position, which is a key
//! that only grows with `put` and only shrinks with `computeIfAbsent`.
//!
//! Not modelled: a list of 9 or more keys in a table of 64 buckets or more becomes a red-black
//! tree (a "treeified" bin), which iterates in another order (for `TopicPartition` keys, one
//! that depends on `System.identityHashCode` and so is not even deterministic in Java). That
//! needs 9 keys in one bucket of a 64+ bucket table.

use std::collections::BTreeMap;

/// Buckets a `new HashMap<>()` allocates on its first insertion.
const DEFAULT_CAPACITY: usize = 16;
/// `HashMap.TREEIFY_THRESHOLD`.
const TREEIFY_THRESHOLD: u32 = 8;
/// `HashMap.MIN_TREEIFY_CAPACITY`: below it, a long list doubles the table instead.
const MIN_TREEIFY_CAPACITY: usize = 64;

/// Java's `HashMap.hash`: the hash code with its high half folded into its low half.
pub(crate) fn spread(hash: i32) -> u32 {
    let h = hash as u32;
    h ^ (h >> 16)
}

/// Kafka's `TopicPartition.hashCode()`: `31 × (31 + partition) + topic.hashCode()`, wrapping.
pub(crate) fn topic_partition_hash(topic_hash: i32, partition: u32) -> i32 {
    31i32
        .wrapping_mul(31i32.wrapping_add(partition as i32))
        .wrapping_add(topic_hash)
}

/// How a key enters the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Insertion {
    /// `put` / `HashSet.add`: grow after inserting, append at the tail of the bucket.
    Put,
    /// `computeIfAbsent`: grow before inserting, push at the head of the bucket.
    ComputeIfAbsent,
}

/// The shape of one Java hash table: capacity, threshold and list lengths, and each key's
/// position, as the sequence of insertions and removals left them.
#[derive(Clone, Debug, Default)]
pub(crate) struct JavaHashTable {
    /// Buckets; 0 until the first insertion.
    capacity: usize,
    threshold: usize,
    size: usize,
    /// List length per bucket.
    lengths: Vec<u32>,
    /// Position counter: `put` takes `+next`, `computeIfAbsent` takes `-next`.
    next: i64,
}

impl JavaHashTable {
    /// An empty `new HashMap<>()`.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The table's bucket count (0 before the first insertion).
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// The bucket of `hash` at the current capacity.
    pub(crate) fn bucket(&self, hash: i32) -> u32 {
        debug_assert!(self.capacity.is_power_of_two());
        spread(hash) & (self.capacity as u32 - 1)
    }

    /// Doubles the table (or allocates it), re-counting the lists of the keys in `hashes`.
    fn resize(&mut self, hashes: &mut dyn Iterator<Item = i32>) {
        if self.capacity == 0 {
            self.capacity = DEFAULT_CAPACITY;
            self.threshold = DEFAULT_CAPACITY * 3 / 4;
        } else {
            self.capacity *= 2;
            self.threshold *= 2;
        }
        self.lengths = vec![0; self.capacity];
        let mask = self.capacity as u32 - 1;
        for hash in hashes {
            self.lengths[(spread(hash) & mask) as usize] += 1;
        }
    }

    /// Records the insertion of a key with `hash` that is not in the table, given the hashes of
    /// the keys already in it (to re-bucket them when the table grows). Returns the key's list
    /// position; whether the table grew can be seen from [`Self::capacity`].
    pub(crate) fn insert<I>(&mut self, hash: i32, how: Insertion, present: I) -> i64
    where
        I: Iterator<Item = i32> + Clone,
    {
        if self.capacity == 0 || (how == Insertion::ComputeIfAbsent && self.size > self.threshold) {
            self.resize(&mut present.clone());
        }
        let bucket = self.bucket(hash) as usize;
        let before = self.lengths[bucket];
        self.lengths[bucket] += 1;
        self.next += 1;
        let position = match how {
            Insertion::Put => self.next,
            Insertion::ComputeIfAbsent => -self.next,
        };
        // `putVal` counts the nodes it walks past before appending (length − 1);
        // `computeIfAbsent` counts them all (length).
        let long = match how {
            Insertion::Put => before >= TREEIFY_THRESHOLD,
            Insertion::ComputeIfAbsent => before >= TREEIFY_THRESHOLD - 1,
        };
        let with_new = || present.clone().chain(std::iter::once(hash));
        // A long list in a large table becomes a tree in Java (not modelled, see above).
        if long && self.capacity < MIN_TREEIFY_CAPACITY {
            self.resize(&mut with_new());
        }
        self.size += 1;
        if how == Insertion::Put && self.size > self.threshold {
            self.resize(&mut with_new());
        }
        position
    }

    /// Records the removal of a key with `hash`. Java never shrinks a table.
    pub(crate) fn remove(&mut self, hash: i32) {
        let bucket = self.bucket(hash) as usize;
        assert!(self.lengths[bucket] > 0, "the removed key is in the table");
        self.lengths[bucket] -= 1;
        self.size -= 1;
    }
}

/// The iteration order of a `new HashMap<>()` (or `HashSet`) into which keys with these
/// distinct hash codes were inserted in this order with `how`: indices into `hashes`.
pub(crate) fn iteration_order(hashes: &[i32], how: Insertion) -> Vec<usize> {
    let mut table = JavaHashTable::new();
    let mut positions = Vec::with_capacity(hashes.len());
    for (i, &hash) in hashes.iter().enumerate() {
        positions.push(table.insert(hash, how, hashes[..i].iter().copied()));
    }
    let mut order: Vec<usize> = (0..hashes.len()).collect();
    if table.capacity() > 0 {
        order.sort_by_key(|&i| (table.bucket(hashes[i]), positions[i]));
    }
    order
}

/// A Java `HashSet` of small integer elements (indices) with known hash codes, under `add` and
/// `remove`, that can say which element its iterator returns first.
#[derive(Clone, Debug, Default)]
pub(crate) struct JavaHashSet {
    table: JavaHashTable,
    /// Element → (hash, position).
    elements: BTreeMap<u32, (i32, i64)>,
    /// (bucket, position) → element: iteration order.
    order: BTreeMap<(u32, i64), u32>,
}

impl JavaHashSet {
    /// Whether the set holds no element.
    pub(crate) fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// `add(element)`; no effect if it is already there.
    pub(crate) fn add(&mut self, element: u32, hash: i32) {
        if self.elements.contains_key(&element) {
            return;
        }
        let capacity = self.table.capacity();
        let position = self.table.insert(
            hash,
            Insertion::Put,
            self.elements.values().map(|&(hash, _)| hash),
        );
        self.elements.insert(element, (hash, position));
        if capacity == self.table.capacity() {
            self.order
                .insert((self.table.bucket(hash), position), element);
        } else {
            let table = &self.table;
            self.order = self
                .elements
                .iter()
                .map(|(&element, &(hash, position))| ((table.bucket(hash), position), element))
                .collect();
        }
        debug_assert_eq!(self.order.len(), self.elements.len());
    }

    /// `remove(element)`; no effect if it is not there.
    pub(crate) fn remove(&mut self, element: u32) {
        if let Some((hash, position)) = self.elements.remove(&element) {
            self.table.remove(hash);
            let removed = self.order.remove(&(self.table.bucket(hash), position));
            debug_assert_eq!(removed, Some(element));
        }
    }

    /// `iterator().next()`: the first element in iteration order.
    pub(crate) fn first(&self) -> Option<u32> {
        self.order.values().next().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::protocol::java_string_hash;

    fn put_order(hashes: &[i32]) -> Vec<i32> {
        iteration_order(hashes, Insertion::Put)
            .into_iter()
            .map(|i| hashes[i])
            .collect()
    }

    #[test]
    fn small_hashes_iterate_by_bucket_whatever_the_insertion_order() {
        // "a", "b", "c" hash to 97, 98, 99: buckets 1, 2, 3 of 16.
        let order = iteration_order(
            &[
                java_string_hash("c"),
                java_string_hash("a"),
                java_string_hash("b"),
            ],
            Insertion::Put,
        );
        assert_eq!(order, [1, 2, 0]);
    }

    #[test]
    fn one_bucket_keeps_put_order_and_reverses_compute_if_absent_order() {
        // 17 and 1 share bucket 1 of 16.
        assert_eq!(put_order(&[17, 1, 2]), [17, 1, 2]);
        let order: Vec<i32> = iteration_order(&[17, 1, 2], Insertion::ComputeIfAbsent)
            .into_iter()
            .map(|i| [17, 1, 2][i])
            .collect();
        assert_eq!(order, [1, 17, 2]);
    }

    #[test]
    fn the_thirteenth_put_doubles_the_table_and_splits_buckets() {
        // 16 and 0 share bucket 0 of 16; at 32 buckets, 16 moves to bucket 16.
        let mut twelve = vec![16, 0];
        twelve.extend(1..=10);
        let mut expected = twelve.clone();
        assert_eq!(put_order(&twelve), expected);
        let mut thirteen = twelve.clone();
        thirteen.push(11);
        expected = (0..=11).collect();
        expected.push(16);
        assert_eq!(put_order(&thirteen), expected);
    }

    #[test]
    fn compute_if_absent_grows_one_insertion_later() {
        // 13 keys: still 16 buckets (size 12 is not above the threshold when the 13th
        // arrives), so 16 and 0 still share bucket 0, 0 (pushed later) first.
        let mut keys = vec![16, 0];
        keys.extend(1..=11);
        let order: Vec<i32> = iteration_order(&keys, Insertion::ComputeIfAbsent)
            .into_iter()
            .map(|i| keys[i])
            .collect();
        let mut expected = vec![0, 16];
        expected.extend(1..=11);
        assert_eq!(order, expected);
    }

    #[test]
    fn a_ninth_key_in_one_bucket_of_a_small_table_doubles_it() {
        // Multiples of 16 all land in bucket 0 of 16. Eight keep insertion order; the ninth
        // makes a list of 9, and a 16-bucket table doubles instead of treeifying, so the odd
        // multiples move to bucket 16.
        let eight: Vec<i32> = (0..8).map(|k| k * 16).collect();
        assert_eq!(put_order(&eight), eight);
        let nine: Vec<i32> = (0..9).map(|k| k * 16).collect();
        assert_eq!(put_order(&nine), [0, 32, 64, 96, 128, 16, 48, 80, 112]);
    }

    #[test]
    fn kafka_test_member_ids_iterate_from_consumer4_down() {
        // String.hashCode("consumer1") spreads to bucket 12 of 16, and each next digit adds one
        // to the hash and lands one bucket lower: Kafka's AbstractStickyAssignorTest maps
        // iterate consumer4, consumer3, consumer2, consumer1.
        let ids = ["consumer1", "consumer2", "consumer3", "consumer4"];
        let hashes: Vec<i32> = ids.iter().map(|id| java_string_hash(id)).collect();
        assert_eq!(iteration_order(&hashes, Insertion::Put), [3, 2, 1, 0]);
    }

    #[test]
    fn hash_set_first_follows_buckets_and_readds_go_to_the_tail() {
        let mut set = JavaHashSet::default();
        set.add(7, 17);
        set.add(8, 1);
        set.add(9, 3);
        assert_eq!(set.first(), Some(7)); // bucket 1: 17 was first.
        set.remove(7);
        assert_eq!(set.first(), Some(8));
        set.add(7, 17);
        assert_eq!(set.first(), Some(8)); // 17 re-added behind 1.
        set.remove(8);
        set.remove(7);
        assert_eq!(set.first(), Some(9));
        set.remove(9);
        assert!(set.is_empty());
        assert_eq!(set.first(), None);
    }

    #[test]
    fn hash_set_first_follows_a_resize() {
        let mut set = JavaHashSet::default();
        set.add(100, 16);
        set.add(101, 0);
        assert_eq!(set.first(), Some(100));
        for k in 1..=11 {
            set.add(k, k as i32);
        }
        // 13 elements: 32 buckets, 16 moved to bucket 16, 0 is first.
        assert_eq!(set.first(), Some(101));
    }

    #[test]
    fn topic_partition_hash_is_kafkas() {
        // 31 * (31 + 2) + "t".hashCode() (116) = 1139.
        assert_eq!(topic_partition_hash(java_string_hash("t"), 2), 1139);
        assert_eq!(spread(0x0001_0000), 0x0001_0001);
    }
}
