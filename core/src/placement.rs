//! Replica placement at topic creation: Kafka 3.7's `StripedReplicaPlacer`, draw for draw.
//!
//! A KRaft controller places the replicas of new partitions with
//! `org.apache.kafka.metadata.placement.StripedReplicaPlacer`, fed by a `java.util.Random`. This
//! module reproduces that algorithm exactly, including racks, fenced brokers, the order in which
//! random numbers are drawn and the reshuffle after every `numUnfencedBrokers` placements, so
//! that the same random source gives the same replica lists as Kafka.
//!
//! The random source is pluggable ([`JavaRandom`]): [`KafkaMockRandom`] is Kafka's test
//! `MockRandom` (for golden tests against `StripedReplicaPlacerTest`), and [`Prng`] is the
//! engine's seeded generator (for production, where Kafka itself uses an unseeded `Random`).
//!
//! Where Kafka iterates a `java.util.HashMap` keyed by rack (to seed each rack's start offset and
//! to reshuffle), this module reproduces `HashMap`'s iteration order from `String.hashCode`, so
//! the random draws land on the same racks as in Kafka. One corner is not reproduced: a
//! `HashMap` bucket that Java turns into a tree (nine or more rack names in one bucket of a table
//! of at least 64 buckets), whose order in Kafka partly depends on `System.identityHashCode`.
//! There this module keeps the insertion order within the bucket.

use crate::error::{ErrorCode, KafkaError};
use crate::prng::Prng;

/// Java's `java.util.Random` interface as far as placement needs it: `nextInt(bound)` on top of
/// a source of random bits.
///
/// Implementors provide [`JavaRandom::next_bits`] (Java's `protected int next(int bits)`);
/// [`JavaRandom::next_int`] is Java's exact `nextInt(int bound)` algorithm over it, so any source
/// that reproduces Java's `next(bits)` reproduces Java's `nextInt`.
pub trait JavaRandom {
    /// The next `bits` random bits (1 ≤ `bits` ≤ 32) in the low bits of an `i32`, like Java's
    /// `Random.next(bits)`: for `bits` < 32 the result is in `0..2^bits`.
    fn next_bits(&mut self, bits: u32) -> i32;

    /// A uniform integer in `0..bound`: Java's `Random.nextInt(int bound)`, draw for draw.
    ///
    /// For a power-of-two `bound` it takes the high bits of one `next(31)`
    /// (`(bound * (long) r) >> 31`); otherwise it rejects the draws `u` for which
    /// `u - u % bound + (bound - 1)` overflows an `i32`, and returns `u % bound`.
    ///
    /// # Panics
    /// If `bound` is not positive (Java throws `IllegalArgumentException`), or if the source
    /// returns [`NEXT_INT_REJECTIONS_MAX`] rejected values in a row (it is then not random).
    fn next_int(&mut self, bound: i32) -> i32 {
        assert!(bound > 0, "nextInt's bound must be positive, got {bound}");
        let mask = bound - 1;
        let first = self.next_bits(31);
        debug_assert!(first >= 0, "next(31) is non-negative");
        if bound & mask == 0 {
            // A power of two: the high bits of the draw.
            let result = ((i64::from(bound) * i64::from(first)) >> 31) as i32;
            debug_assert!((0..bound).contains(&result));
            return result;
        }
        let mut draw = first;
        for _ in 0..NEXT_INT_REJECTIONS_MAX {
            let result = draw % bound;
            // Java's `u - r + m < 0`, in wrapping `int` arithmetic: the draw fell in the last,
            // incomplete block of `bound` values, so taking it would bias low results.
            if draw.wrapping_sub(result).wrapping_add(mask) >= 0 {
                debug_assert!((0..bound).contains(&result));
                return result;
            }
            draw = self.next_bits(31);
            debug_assert!(draw >= 0, "next(31) is non-negative");
        }
        panic!("the random source returned {NEXT_INT_REJECTIONS_MAX} rejected draws in a row");
    }
}

/// How many rejected draws in a row [`JavaRandom::next_int`] tolerates before it decides the
/// source is broken. Each draw is rejected with probability below 1/2, so a real random source
/// never gets near this.
pub const NEXT_INT_REJECTIONS_MAX: u32 = 1 << 16;

/// Kafka's test random source, `org.apache.kafka.server.util.MockRandom`: a 64-bit linear
/// congruential generator that starts at 17, so every Kafka placement test is reproducible.
///
/// `next(bits)`: `state = state * 2862933555777941757 + 3037000493` (wrapping), then return the
/// top `bits` bits of `state`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaMockRandom {
    state: u64,
}

impl KafkaMockRandom {
    /// A fresh `MockRandom`, as Kafka's tests construct it (state 17).
    pub const fn new() -> Self {
        Self { state: 17 }
    }
}

impl Default for KafkaMockRandom {
    fn default() -> Self {
        Self::new()
    }
}

impl JavaRandom for KafkaMockRandom {
    fn next_bits(&mut self, bits: u32) -> i32 {
        assert!(
            (1..=32).contains(&bits),
            "next(bits) takes 1..=32 bits, got {bits}"
        );
        self.state = self
            .state
            .wrapping_mul(2_862_933_555_777_941_757)
            .wrapping_add(3_037_000_493);
        // Java's `(int) (state >>> (64 - bits))`: keep the low 32 bits of the shifted value.
        (self.state >> (64 - bits)) as u32 as i32
    }
}

/// The engine's seeded generator as a Java random source: `next(bits)` is the top `bits` bits of
/// [`Prng::next_u32`]. Placements are then a pure function of the seed.
impl JavaRandom for Prng {
    fn next_bits(&mut self, bits: u32) -> i32 {
        assert!(
            (1..=32).contains(&bits),
            "next(bits) takes 1..=32 bits, got {bits}"
        );
        (self.next_u32() >> (32 - bits)) as i32
    }
}

/// Java's `Collections.shuffle(list, rnd)` for a random-access list: for `i` from
/// `len - 1` down to 1, swap element `i` with element `rnd.nextInt(i + 1)`.
///
/// # Panics
/// If `list` has more than `i32::MAX` elements (a Java list cannot).
pub fn java_shuffle<T>(list: &mut [T], random: &mut impl JavaRandom) {
    let len = i32::try_from(list.len());
    assert!(len.is_ok(), "a Java list holds at most i32::MAX elements");
    for i in (1..list.len()).rev() {
        // `i + 1 <= len <= i32::MAX`, checked above.
        let bound = (i + 1) as i32;
        let j = random.next_int(bound);
        debug_assert!((0..bound).contains(&j));
        list.swap(i, j as usize);
    }
}

/// A broker as the placer sees it: its id, its rack (`broker.rack`, if set) and whether the
/// controller currently fences it. Kafka's `UsableBroker`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BrokerRegistration {
    /// The broker's `node.id` (non-negative).
    pub id: i32,
    /// The broker's `broker.rack`, or `None` if it has none.
    pub rack: Option<String>,
    /// Whether the broker is fenced: it may hold followers but never a new leader.
    pub fenced: bool,
}

impl BrokerRegistration {
    /// An unfenced broker without a rack.
    pub fn new(id: i32) -> Self {
        Self {
            id,
            rack: None,
            fenced: false,
        }
    }

    /// This broker in rack `rack`.
    #[must_use]
    pub fn in_rack(mut self, rack: impl Into<String>) -> Self {
        self.rack = Some(rack.into());
        self
    }

    /// This broker, fenced.
    #[must_use]
    pub fn fenced(mut self) -> Self {
        self.fenced = true;
        self
    }
}

/// Why replicas could not be placed. The first three are Kafka's
/// `InvalidReplicationFactorException`, with Kafka's messages.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlacementError {
    /// The replication factor is zero or negative.
    #[error(
        "Invalid replication factor {replication_factor}: the replication factor must be positive."
    )]
    NonPositiveReplicationFactor {
        /// The requested replication factor.
        replication_factor: i32,
    },
    /// Every registered broker is fenced, so no broker can lead a new partition.
    #[error("All brokers are currently fenced.")]
    AllBrokersFenced,
    /// There are fewer registered brokers (fenced ones included) than replicas per partition.
    #[error(
        "The target replication factor of {replication_factor} cannot be reached because only {num_total_brokers} broker(s) are registered."
    )]
    TooFewBrokers {
        /// The requested replication factor.
        replication_factor: i32,
        /// How many brokers are registered, fenced or not.
        num_total_brokers: i32,
    },
    /// The partition count is negative. (Kafka's controller rejects it before placement.)
    #[error("Number of partitions was set to an invalid negative value {num_partitions}.")]
    NegativePartitionCount {
        /// The requested partition count.
        num_partitions: i32,
    },
    /// A broker id is negative; Kafka's node ids are non-negative.
    #[error("broker id {id} is negative")]
    NegativeBrokerId {
        /// The offending id.
        id: i32,
    },
    /// Two registrations share one broker id.
    #[error("broker id {id} is registered twice")]
    DuplicateBrokerId {
        /// The repeated id.
        id: i32,
    },
    /// Kafka's placer would loop forever here: every rack has run out of brokers in this
    /// iteration epoch before the partition had all its replicas. (A corner of Kafka's
    /// algorithm after a reshuffle; rill stops instead of hanging.)
    #[error("replica placement stalled: no rack has a broker left for this partition")]
    Stalled,
}

impl KafkaError for PlacementError {
    fn error_code(&self) -> ErrorCode {
        match self {
            Self::NonPositiveReplicationFactor { .. }
            | Self::AllBrokersFenced
            | Self::TooFewBrokers { .. } => ErrorCode::InvalidReplicationFactor,
            Self::NegativePartitionCount { .. } => ErrorCode::InvalidPartitions,
            Self::NegativeBrokerId { .. } | Self::DuplicateBrokerId { .. } => {
                ErrorCode::InvalidRequest
            }
            Self::Stalled => ErrorCode::UnknownServerError,
        }
    }
}

/// Kafka 3.7's `StripedReplicaPlacer`: replicas striped across racks, then across the brokers
/// of each rack, unfenced brokers first, leaders never fenced.
///
/// Each [`StripedReplicaPlacer::place`] call builds one [`RackList`] from the brokers (sorting
/// each rack's brokers and drawing each rack's start offsets and the first rack from `random`)
/// and then places `num_partitions` partitions with [`RackList::place`]. Partition *p + 1*
/// starts one rack and, within each rack, one broker further than partition *p*; after as many
/// partitions as there are unfenced brokers, racks and brokers are reshuffled.
///
/// # Example
///
/// Kafka's `StripedReplicaPlacerTest.testSuccessfulPlacement`: four unfenced brokers without
/// racks, five partitions of three replicas, Kafka's `MockRandom`. The first four partitions
/// walk the sorted brokers `0, 1, 2, 3` from a random start (2); the fifth follows the
/// reshuffle.
///
/// ```
/// use rill_core::placement::{BrokerRegistration, KafkaMockRandom, StripedReplicaPlacer};
///
/// let brokers: Vec<BrokerRegistration> = [0, 3, 2, 1].map(BrokerRegistration::new).into();
/// let mut random = KafkaMockRandom::new();
/// let placement = StripedReplicaPlacer::new()
///     .place(0, 5, 3, &brokers, &mut random)
///     .expect("four unfenced brokers hold three replicas");
/// assert_eq!(
///     placement,
///     [[2, 3, 0], [3, 0, 1], [0, 1, 2], [1, 2, 3], [1, 0, 2]].map(Vec::from)
/// );
/// // The preferred leader, `replicas[0]`, is never a fenced broker.
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StripedReplicaPlacer {
    _private: (),
}

impl StripedReplicaPlacer {
    /// A placer. It keeps no state between calls: like Kafka's, each call starts a new
    /// [`RackList`], and everything random comes from the `random` argument.
    pub const fn new() -> Self {
        Self { _private: () }
    }

    /// The replica lists of `num_partitions` new partitions with `replication_factor` replicas
    /// each, over `brokers` (in any order): Kafka's
    /// `place(PlacementSpec, ClusterDescriber)`. `result[i]` is the replica list of partition
    /// `starting_partition + i`; its first broker is the preferred leader.
    ///
    /// `starting_partition` is carried for the caller's bookkeeping: 3.7's algorithm does not
    /// depend on it (trunk's continuation from existing partitions is not part of 3.7).
    ///
    /// Random numbers are drawn in Kafka's order (rack offsets while building the
    /// [`RackList`], before any error is detected), so a shared `random` advances exactly as
    /// Kafka's `Random` would.
    ///
    /// # Errors
    /// Checked in Kafka's order after the rack list is built: a non-positive replication factor,
    /// all brokers fenced, more replicas than brokers, then a negative partition count. Broker
    /// ids that are negative or repeated are rejected before anything is drawn.
    /// [`PlacementError::Stalled`] where Kafka's loop would never end.
    pub fn place(
        &mut self,
        starting_partition: i32,
        num_partitions: i32,
        replication_factor: i16,
        brokers: &[BrokerRegistration],
        random: &mut impl JavaRandom,
    ) -> Result<Vec<Vec<i32>>, PlacementError> {
        // 3.7 ignores the start partition (PlacementSpec carries it for other placers).
        let _ = starting_partition;
        let mut racks = RackList::new(brokers, random)?;
        let replication_factor = i32::from(replication_factor);
        check_positive(replication_factor)?;
        check_some_unfenced(racks.num_unfenced_brokers())?;
        check_enough_brokers(replication_factor, racks.num_total_brokers())?;
        if num_partitions < 0 {
            // Java's `new ArrayList<>(negative)` would throw here.
            return Err(PlacementError::NegativePartitionCount { num_partitions });
        }
        let mut placements = Vec::new();
        for _ in 0..num_partitions {
            let replicas = racks.place(replication_factor, random)?;
            debug_assert_eq!(replicas.len(), replication_factor as usize);
            placements.push(replicas);
        }
        debug_assert_eq!(placements.len(), num_partitions as usize);
        Ok(placements)
    }
}

fn check_positive(replication_factor: i32) -> Result<(), PlacementError> {
    if replication_factor <= 0 {
        return Err(PlacementError::NonPositiveReplicationFactor { replication_factor });
    }
    Ok(())
}

fn check_some_unfenced(num_unfenced_brokers: i32) -> Result<(), PlacementError> {
    if num_unfenced_brokers == 0 {
        return Err(PlacementError::AllBrokersFenced);
    }
    Ok(())
}

fn check_enough_brokers(
    replication_factor: i32,
    num_total_brokers: i32,
) -> Result<(), PlacementError> {
    if replication_factor > num_total_brokers {
        return Err(PlacementError::TooFewBrokers {
            replication_factor,
            num_total_brokers,
        });
    }
    Ok(())
}

/// Kafka's `BrokerList`: a sorted list of broker ids walked round-robin from an offset, once per
/// iteration epoch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct BrokerList {
    brokers: Vec<i32>,
    /// How many brokers this epoch has taken.
    index: usize,
    /// Added to `index` (modulo the length) to find the next broker.
    offset: usize,
    /// The epoch `index` counts for; a different epoch restarts the walk one further along.
    epoch: i32,
}

impl BrokerList {
    /// Sort the ids and draw the start offset (nothing is drawn for an empty list).
    fn initialize(&mut self, random: &mut impl JavaRandom) {
        if self.brokers.is_empty() {
            return;
        }
        self.brokers.sort_unstable();
        self.offset = draw_index(self.brokers.len(), random);
    }

    fn shuffle(&mut self, random: &mut impl JavaRandom) {
        java_shuffle(&mut self.brokers, random);
    }

    /// The next broker of this epoch, or `None` once every broker was returned in it.
    fn next(&mut self, epoch: i32) -> Option<i32> {
        if self.brokers.is_empty() {
            return None;
        }
        let len = self.brokers.len();
        if self.epoch != epoch {
            self.epoch = epoch;
            self.index = 0;
            self.offset = (self.offset + 1) % len;
        }
        if self.index >= len {
            return None;
        }
        let broker = self.brokers[(self.index + self.offset) % len];
        self.index += 1;
        debug_assert!(self.index <= len && self.offset < len);
        Some(broker)
    }
}

/// `random.nextInt(len)` as an index, for a list that Java could hold.
fn draw_index(len: usize, random: &mut impl JavaRandom) -> usize {
    assert!(len > 0, "nothing to draw from an empty list");
    // Broker and rack counts come from a slice whose ids were checked; i32 overflow would need
    // more than 2^31 brokers.
    let bound = i32::try_from(len).unwrap_or(i32::MAX);
    let index = random.next_int(bound);
    assert!((0..bound).contains(&index), "nextInt stays below its bound");
    index as usize
}

/// Kafka's `Rack`: its unfenced and its fenced brokers, each a [`BrokerList`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Rack {
    fenced: BrokerList,
    unfenced: BrokerList,
}

impl Rack {
    /// Fenced first, then unfenced: Kafka's draw order.
    fn initialize(&mut self, random: &mut impl JavaRandom) {
        self.fenced.initialize(random);
        self.unfenced.initialize(random);
    }

    /// Fenced first, then unfenced: Kafka's draw order.
    fn shuffle(&mut self, random: &mut impl JavaRandom) {
        self.fenced.shuffle(random);
        self.unfenced.shuffle(random);
    }

    /// The next broker of the epoch, unfenced ones first.
    fn next(&mut self, epoch: i32) -> Option<i32> {
        self.unfenced
            .next(epoch)
            .or_else(|| self.fenced.next(epoch))
    }
}

/// Kafka 3.7's `RackList`: the racks of one placement call, walked round-robin per partition.
///
/// Built from the brokers in [`RackList::new`]; each [`RackList::place`] places one partition
/// (one iteration epoch). Pass the same `random` to `new` and every `place`, as Kafka shares
/// one `Random`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RackList {
    /// The racks in `java.util.HashMap` iteration order: the order Kafka initializes and
    /// shuffles them in.
    racks: Vec<(Option<String>, Rack)>,
    /// Indexes into `racks`: sorted (no rack first, then names in `String.compareTo` order),
    /// later shuffled. The order partitions stripe over.
    rack_order: Vec<usize>,
    num_total_brokers: i32,
    num_unfenced_brokers: i32,
    /// The iteration epoch: partitions placed since the last reshuffle.
    epoch: i32,
    /// Where in `rack_order` the next partition starts looking for its leader.
    offset: usize,
}

impl RackList {
    /// Group `brokers` by rack, sort each rack's fenced and unfenced ids, and draw (in Kafka's
    /// order) each rack's fenced then unfenced start offset, rack by rack in `HashMap` order,
    /// then the first rack (`nextInt(rack count)`, drawn even for one rack).
    ///
    /// # Errors
    /// A negative or repeated broker id, before anything is drawn.
    pub fn new(
        brokers: &[BrokerRegistration],
        random: &mut impl JavaRandom,
    ) -> Result<Self, PlacementError> {
        let mut ids: Vec<i32> = Vec::with_capacity(brokers.len());
        for broker in brokers {
            if broker.id < 0 {
                return Err(PlacementError::NegativeBrokerId { id: broker.id });
            }
            ids.push(broker.id);
        }
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(PlacementError::DuplicateBrokerId { id: pair[0] });
        }
        let num_total_brokers = i32::try_from(brokers.len()).unwrap_or(i32::MAX);

        // Racks in first-appearance order (Kafka's insertion order into its HashMap).
        let mut racks: Vec<(Option<String>, Rack)> = Vec::new();
        let mut num_unfenced_brokers = 0i32;
        for broker in brokers {
            let position = match racks.iter().position(|(name, _)| *name == broker.rack) {
                Some(position) => position,
                None => {
                    racks.push((broker.rack.clone(), Rack::default()));
                    racks.len() - 1
                }
            };
            let rack = &mut racks[position].1;
            if broker.fenced {
                rack.fenced.brokers.push(broker.id);
            } else {
                num_unfenced_brokers += 1;
                rack.unfenced.brokers.push(broker.id);
            }
        }
        let names: Vec<Option<String>> = racks.iter().map(|(name, _)| name.clone()).collect();
        let hash_order = java_hash_map_order(&names);
        debug_assert_eq!(hash_order.len(), racks.len());
        let mut slots: Vec<Option<(Option<String>, Rack)>> = racks.into_iter().map(Some).collect();
        let mut racks: Vec<(Option<String>, Rack)> = Vec::with_capacity(slots.len());
        for index in hash_order {
            // `java_hash_map_order` returns a permutation: each slot is taken once.
            if let Some(entry) = slots[index].take() {
                racks.push(entry);
            }
        }
        assert_eq!(
            racks.len(),
            slots.len(),
            "the HashMap order is a permutation"
        );

        for (_, rack) in &mut racks {
            rack.initialize(random);
        }
        let mut rack_order: Vec<usize> = (0..racks.len()).collect();
        rack_order.sort_by(|&a, &b| compare_rack_names(&racks[a].0, &racks[b].0));
        let offset = if racks.is_empty() {
            0
        } else {
            draw_index(racks.len(), random)
        };
        Ok(Self {
            racks,
            rack_order,
            num_total_brokers,
            num_unfenced_brokers,
            epoch: 0,
            offset,
        })
    }

    /// How many brokers are registered, fenced or not.
    pub fn num_total_brokers(&self) -> i32 {
        self.num_total_brokers
    }

    /// How many brokers are unfenced.
    pub fn num_unfenced_brokers(&self) -> i32 {
        self.num_unfenced_brokers
    }

    /// The rack names in striping order: sorted at first (no rack before any name), reshuffled
    /// after every `num_unfenced_brokers` placements.
    pub fn rack_names(&self) -> Vec<Option<&str>> {
        self.rack_order
            .iter()
            .map(|&index| self.racks[index].0.as_deref())
            .collect()
    }

    /// The replicas of one more partition: Kafka's `RackList.place(replicationFactor)`.
    ///
    /// The leader is the next unfenced broker, looking from the current rack onwards; each
    /// follower is the next broker (unfenced first) of the following racks in turn, skipping
    /// the leader's rack once. If this list has placed as many partitions as there are
    /// unfenced brokers (and more than one is unfenced), racks and brokers are reshuffled
    /// first, drawing from `random`.
    ///
    /// # Errors
    /// In Kafka's order: a non-positive replication factor, more replicas than brokers, all
    /// brokers fenced; [`PlacementError::Stalled`] where Kafka would loop forever. An error
    /// leaves the list unchanged, except after `Stalled`.
    pub fn place(
        &mut self,
        replication_factor: i32,
        random: &mut impl JavaRandom,
    ) -> Result<Vec<i32>, PlacementError> {
        check_positive(replication_factor)?;
        check_enough_brokers(replication_factor, self.num_total_brokers)?;
        check_some_unfenced(self.num_unfenced_brokers)?;
        let rack_count = self.rack_order.len();
        assert!(rack_count > 0, "an unfenced broker lives in some rack");
        // After as many placements as unfenced brokers, shuffle to avoid repeating them. With a
        // single unfenced broker, Kafka never resets the epoch.
        if self.epoch == self.num_unfenced_brokers && self.num_unfenced_brokers > 1 {
            self.shuffle(random);
            self.epoch = 0;
        }
        if self.offset == rack_count {
            self.offset = 0;
        }
        assert!(self.offset < rack_count);
        let epoch = self.epoch;

        // The leader: the first rack from `offset` on with an unfenced broker left this epoch.
        let mut replicas = Vec::with_capacity(replication_factor as usize);
        let mut first_rack = self.offset;
        let mut leader = None;
        for _ in 0..rack_count {
            let rack = self.rack_order[first_rack];
            if let Some(broker) = self.racks[rack].1.unfenced.next(epoch) {
                leader = Some(broker);
                break;
            }
            first_rack = (first_rack + 1) % rack_count;
        }
        // Kafka loops until it finds one; with no unfenced broker left this epoch it would spin.
        let Some(leader) = leader else {
            return Err(PlacementError::Stalled);
        };
        replicas.push(leader);

        // The followers: racks in turn from `offset`, skipping the leader's rack the first time.
        let mut leader_rack = Some(first_rack);
        let mut rack_index = self.offset;
        for _ in 1..replication_factor {
            let mut follower = None;
            // A full turn without a broker (plus the one skip) means Kafka would spin forever:
            // a rack that returns nothing does not change until the epoch does.
            for _ in 0..=rack_count {
                if leader_rack == Some(rack_index) {
                    leader_rack = None;
                } else {
                    let rack = self.rack_order[rack_index];
                    follower = self.racks[rack].1.next(epoch);
                }
                rack_index = (rack_index + 1) % rack_count;
                if follower.is_some() {
                    break;
                }
            }
            let Some(follower) = follower else {
                return Err(PlacementError::Stalled);
            };
            debug_assert!(!replicas.contains(&follower), "a broker holds one replica");
            replicas.push(follower);
        }
        self.epoch = self.epoch.wrapping_add(1);
        self.offset += 1;
        debug_assert_eq!(replicas.len(), replication_factor as usize);
        Ok(replicas)
    }

    /// Shuffle the rack order, then each rack (in `HashMap` order), fenced list first.
    fn shuffle(&mut self, random: &mut impl JavaRandom) {
        java_shuffle(&mut self.rack_order, random);
        for (_, rack) in &mut self.racks {
            rack.shuffle(random);
        }
    }
}

/// Kafka's `OptionalStringComparator`: no rack first, then `String.compareTo` (UTF-16 code
/// units, a prefix before its extensions).
fn compare_rack_names(a: &Option<String>, b: &Option<String>) -> std::cmp::Ordering {
    match (a, b) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(a), Some(b)) => a.encode_utf16().cmp(b.encode_utf16()),
    }
}

/// Java's `Optional<String>.hashCode()`: 0 for empty, else `String.hashCode()` over UTF-16
/// code units.
fn java_hash_code(name: &Option<String>) -> i32 {
    match name {
        None => 0,
        Some(name) => name.encode_utf16().fold(0i32, |h, unit| {
            h.wrapping_mul(31).wrapping_add(i32::from(unit))
        }),
    }
}

/// `java.util.HashMap`'s default initial capacity.
const JAVA_HASH_MAP_CAPACITY_INITIAL: usize = 16;
/// A bin of more than this many nodes is treeified (or, in a small table, the table grows).
const JAVA_HASH_MAP_TREEIFY_THRESHOLD: usize = 8;
/// Below this capacity, a long bin grows the table instead of becoming a tree.
const JAVA_HASH_MAP_TREEIFY_CAPACITY_MIN: usize = 64;

/// The iteration order (indexes into `keys`) of a `java.util.HashMap` with default settings
/// after putting the distinct `keys` in order.
///
/// A `HashMap` iterates bucket by bucket; a bucket keeps insertion order (resizes split buckets
/// without reordering). The bucket of a key is `(h ^ (h >>> 16)) & (capacity - 1)`, and the
/// capacity doubles when the size passes 3/4 of it, or when a bin reaches nine nodes in a table
/// of fewer than 64 buckets. Tree bins (nine or more in a larger table) are not modelled.
fn java_hash_map_order(keys: &[Option<String>]) -> Vec<usize> {
    let spread: Vec<u32> = keys
        .iter()
        .map(|key| {
            let h = java_hash_code(key) as u32;
            h ^ (h >> 16)
        })
        .collect();
    let mut capacity = JAVA_HASH_MAP_CAPACITY_INITIAL;
    for (size_before, &hash) in spread.iter().enumerate() {
        let bucket = |h: u32, capacity: usize| h as usize & (capacity - 1);
        let bin_len = spread[..size_before]
            .iter()
            .filter(|&&other| bucket(other, capacity) == bucket(hash, capacity))
            .count();
        if bin_len >= JAVA_HASH_MAP_TREEIFY_THRESHOLD
            && capacity < JAVA_HASH_MAP_TREEIFY_CAPACITY_MIN
        {
            capacity *= 2;
        }
        // Java's threshold is capacity * 0.75; the table doubles once the size exceeds it.
        if size_before + 1 > capacity / 4 * 3 {
            capacity *= 2;
        }
    }
    let mut order: Vec<usize> = (0..keys.len()).collect();
    // Stable: within a bucket, insertion order.
    order.sort_by_key(|&index| spread[index] as usize & (capacity - 1));
    order
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// `StripedReplicaPlacerTest.testBrokerList`.
    #[test]
    fn broker_list_walks_once_per_epoch_and_shifts_between_epochs() {
        let mut empty = BrokerList::default();
        assert_eq!(empty.next(1), None);
        let mut brokers = BrokerList {
            brokers: vec![0, 1, 2, 3],
            ..BrokerList::default()
        };
        let epoch0: Vec<_> = (0..6).map(|_| brokers.next(0)).collect();
        assert_eq!(epoch0, [Some(0), Some(1), Some(2), Some(3), None, None]);
        let epoch1: Vec<_> = (0..5).map(|_| brokers.next(1)).collect();
        assert_eq!(epoch1, [Some(1), Some(2), Some(3), Some(0), None]);
    }

    #[test]
    fn java_hash_codes_match_java() {
        // "1".hashCode() == 49; "rack-a".hashCode() == -938608917 (computed in Java 17).
        assert_eq!(java_hash_code(&None), 0);
        assert_eq!(java_hash_code(&Some("1".into())), 49);
        assert_eq!(java_hash_code(&Some("rack-a".into())), -938_608_917);
    }

    #[test]
    fn hash_map_order_is_by_bucket_then_insertion() {
        let keys: Vec<Option<String>> = ["3", "1", "2"].map(|k| Some(k.to_owned())).into();
        assert_eq!(java_hash_map_order(&keys), [1, 2, 0]);
        // "A" (65) and "Q" (81) share bucket 1 of 16; insertion order decides.
        let keys: Vec<Option<String>> = ["Q", "A"].map(|k| Some(k.to_owned())).into();
        assert_eq!(java_hash_map_order(&keys), [0, 1]);
    }

    #[test]
    fn rack_names_sort_as_java_strings() {
        // U+FF5E (one UTF-16 unit 0xFF5E) sorts after U+1F600 (surrogates 0xD83D…) in Java,
        // before it in UTF-8 byte order.
        let a = Some("\u{1F600}".to_owned());
        let b = Some("\u{FF5E}".to_owned());
        assert_eq!(compare_rack_names(&a, &b), std::cmp::Ordering::Less);
        assert_eq!(compare_rack_names(&None, &a), std::cmp::Ordering::Less);
        assert_eq!(
            compare_rack_names(&Some("ab".into()), &Some("abc".into())),
            std::cmp::Ordering::Less
        );
    }
}
