//! Replica placement: Kafka 3.7's `StripedReplicaPlacer` with Kafka's `MockRandom`, case by case
//! from `StripedReplicaPlacerTest`, plus properties with the engine's seeded [`Prng`]. Golden
//! tests name the Kafka test they mirror.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::error::{ErrorCode, KafkaError};
use rill_core::placement::{
    BrokerRegistration, JavaRandom, KafkaMockRandom, PlacementError, RackList,
    StripedReplicaPlacer, java_shuffle,
};
use rill_core::prng::Prng;

fn unfenced(id: i32) -> BrokerRegistration {
    BrokerRegistration::new(id)
}

fn fenced(id: i32) -> BrokerRegistration {
    BrokerRegistration::new(id).fenced()
}

/// A rack list built with a fresh `MockRandom`, and that random source.
fn rack_list(brokers: &[BrokerRegistration]) -> (RackList, KafkaMockRandom) {
    let mut random = KafkaMockRandom::new();
    let racks = RackList::new(brokers, &mut random).expect("distinct non-negative ids");
    (racks, random)
}

fn place_all(
    racks: &mut RackList,
    random: &mut KafkaMockRandom,
    replication_factor: i32,
    count: usize,
) -> Vec<Vec<i32>> {
    (0..count)
        .map(|_| {
            racks
                .place(replication_factor, random)
                .expect("enough brokers for the replication factor")
        })
        .collect()
}

fn striped(
    num_partitions: i32,
    replication_factor: i16,
    brokers: &[BrokerRegistration],
) -> Result<Vec<Vec<i32>>, PlacementError> {
    StripedReplicaPlacer::new().place(
        0,
        num_partitions,
        replication_factor,
        brokers,
        &mut KafkaMockRandom::new(),
    )
}

fn lists<const N: usize, const M: usize>(rows: [[i32; M]; N]) -> Vec<Vec<i32>> {
    rows.into_iter().map(Vec::from).collect()
}

// ---- The random source -------------------------------------------------------------------

/// `MockRandom`'s first `nextInt` draws, as Kafka's placer consumes them: `nextInt(4)` (the
/// power-of-two path) and `nextInt(5)`/`nextInt(3)` (the rejection path).
#[test]
fn mock_random_reproduces_java_next_int() {
    let mut random = KafkaMockRandom::new();
    // testAvoidFencedReplicaIfPossibleOnSingleRack draws nextInt(1) for the fenced list,
    // nextInt(4) for the unfenced one, nextInt(1) for the rack: the unfenced offset is 2, so
    // the first leader is sorted index 2 of [0, 2, 3, 4], broker 3.
    assert_eq!(random.next_int(1), 0);
    assert_eq!(random.next_int(4), 2);
    assert_eq!(random.next_int(1), 0);
    // Every bound stays in range, on both paths.
    let mut random = KafkaMockRandom::new();
    for bound in 1..200 {
        let n = random.next_int(bound);
        assert!((0..bound).contains(&n), "nextInt({bound}) = {n}");
    }
}

/// Java's `next(32)` keeps the sign bit; `next(31)` never has it.
#[test]
fn next_bits_follow_java_widths() {
    let mut random = KafkaMockRandom::new();
    for _ in 0..1000 {
        assert!(random.next_bits(31) >= 0);
        assert!((0..1 << 7).contains(&random.next_bits(7)));
    }
    let mut prng = Prng::new(3);
    let negatives = (0..1000).filter(|_| prng.next_bits(32) < 0).count();
    assert!((400..600).contains(&negatives), "{negatives}");
}

#[test]
fn java_shuffle_is_a_seeded_permutation() {
    let mut a: Vec<i32> = (0..20).collect();
    let mut b = a.clone();
    java_shuffle(&mut a, &mut Prng::new(11));
    java_shuffle(&mut b, &mut Prng::new(11));
    assert_eq!(a, b);
    assert_ne!(a, (0..20).collect::<Vec<_>>());
    a.sort_unstable();
    assert_eq!(a, (0..20).collect::<Vec<_>>());
    let mut single = [7];
    java_shuffle(&mut single, &mut KafkaMockRandom::new());
    assert_eq!(single, [7]);
}

// ---- StripedReplicaPlacerTest (RackList) -------------------------------------------------

/// `testAvoidFencedReplicaIfPossibleOnSingleRack`.
#[test]
fn avoids_the_fenced_replica_if_possible_on_a_single_rack() {
    let brokers = [
        unfenced(3),
        fenced(1),
        unfenced(0),
        unfenced(4),
        unfenced(2),
    ];
    let (mut racks, mut random) = rack_list(&brokers);
    assert_eq!(racks.num_total_brokers(), 5);
    assert_eq!(racks.num_unfenced_brokers(), 4);
    assert_eq!(racks.rack_names(), [None]);
    for replication_factor in [0, -1] {
        let error = racks
            .place(replication_factor, &mut random)
            .expect_err("non-positive");
        assert_eq!(
            error,
            PlacementError::NonPositiveReplicationFactor { replication_factor }
        );
        assert_eq!(error.error_code(), ErrorCode::InvalidReplicationFactor);
    }
    assert_eq!(
        place_all(&mut racks, &mut random, 4, 5),
        lists([
            [3, 4, 0, 2],
            [4, 0, 2, 3],
            [0, 2, 3, 4],
            [2, 3, 4, 0],
            [0, 4, 3, 2]
        ])
    );
    // The same through the placer: one RackList, five placements.
    assert_eq!(
        striped(5, 4, &brokers),
        Ok(lists([
            [3, 4, 0, 2],
            [4, 0, 2, 3],
            [0, 2, 3, 4],
            [2, 3, 4, 0],
            [0, 4, 3, 2]
        ]))
    );
}

/// `testPlacementOnFencedReplicaOnSingleRack`.
#[test]
fn places_on_the_fenced_replica_if_it_must() {
    let (mut racks, mut random) = rack_list(&[unfenced(3), fenced(1), unfenced(2)]);
    assert_eq!(racks.num_total_brokers(), 3);
    assert_eq!(racks.num_unfenced_brokers(), 2);
    assert_eq!(racks.rack_names(), [None]);
    assert_eq!(
        place_all(&mut racks, &mut random, 3, 4),
        lists([[3, 2, 1], [2, 3, 1], [3, 2, 1], [2, 3, 1]])
    );
}

/// `testRackListWithMultipleRacks`.
#[test]
fn stripes_over_multiple_racks() {
    let brokers = [
        unfenced(11).in_rack("1"),
        unfenced(10).in_rack("1"),
        unfenced(30).in_rack("3"),
        unfenced(31).in_rack("3"),
        unfenced(21).in_rack("2"),
        fenced(20).in_rack("2"),
    ];
    let (mut racks, mut random) = rack_list(&brokers);
    assert_eq!(racks.num_total_brokers(), 6);
    assert_eq!(racks.num_unfenced_brokers(), 5);
    assert_eq!(racks.rack_names(), [Some("1"), Some("2"), Some("3")]);
    assert_eq!(
        place_all(&mut racks, &mut random, 4, 3),
        lists([[11, 21, 31, 10], [21, 30, 10, 20], [31, 11, 21, 30]])
    );
}

/// `testRackListWithInvalidRacks`: racks with only fenced brokers still take followers.
#[test]
fn racks_with_only_fenced_brokers_take_followers() {
    let brokers = [
        unfenced(11).in_rack("1"),
        unfenced(10).in_rack("1"),
        fenced(30).in_rack("3"),
        fenced(31).in_rack("3"),
        fenced(20).in_rack("2"),
        fenced(21).in_rack("2"),
        unfenced(41).in_rack("4"),
        fenced(40).in_rack("4"),
    ];
    let (mut racks, mut random) = rack_list(&brokers);
    assert_eq!(racks.num_total_brokers(), 8);
    assert_eq!(racks.num_unfenced_brokers(), 3);
    assert_eq!(
        racks.rack_names(),
        [Some("1"), Some("2"), Some("3"), Some("4")]
    );
    assert_eq!(
        place_all(&mut racks, &mut random, 4, 3),
        lists([[41, 11, 21, 30], [10, 20, 31, 41], [41, 21, 30, 11]])
    );
}

/// `testRackListAllBrokersFenced`.
#[test]
fn rack_list_with_every_broker_fenced_refuses() {
    let (mut racks, mut random) = rack_list(&[fenced(0), fenced(1), fenced(2)]);
    assert_eq!(racks.num_total_brokers(), 3);
    assert_eq!(racks.num_unfenced_brokers(), 0);
    assert_eq!(racks.rack_names(), [None]);
    let error = racks.place(3, &mut random).expect_err("all fenced");
    assert_eq!(error.to_string(), "All brokers are currently fenced.");
    assert_eq!(error.error_code(), ErrorCode::InvalidReplicationFactor);
}

/// `testRackListNotEnoughBrokers` and `testRackListNonPositiveReplicationFactor`.
#[test]
fn rack_list_reports_kafkas_messages() {
    let (mut racks, mut random) =
        rack_list(&[unfenced(11).in_rack("1"), unfenced(10).in_rack("1")]);
    assert_eq!(
        racks
            .place(3, &mut random)
            .expect_err("too few")
            .to_string(),
        "The target replication factor of 3 cannot be reached because only 2 broker(s) are registered."
    );
    assert_eq!(
        racks
            .place(-1, &mut random)
            .expect_err("negative")
            .to_string(),
        "Invalid replication factor -1: the replication factor must be positive."
    );
}

// ---- StripedReplicaPlacerTest (StripedReplicaPlacer.place) -------------------------------

/// `testMultiPartitionTopicPlacementOnSingleUnfencedBroker`: one unfenced broker never
/// reshuffles, so the epoch keeps growing and every partition lands on it.
#[test]
fn a_single_unfenced_broker_leads_every_partition() {
    assert_eq!(
        striped(3, 1, &[unfenced(0), fenced(1)]),
        Ok(lists([[0], [0], [0]]))
    );
}

/// `testSuccessfulPlacement`.
#[test]
fn places_five_partitions_over_four_brokers() {
    assert_eq!(
        striped(5, 3, &[unfenced(0), unfenced(3), unfenced(2), unfenced(1)]),
        Ok(lists([
            [2, 3, 0],
            [3, 0, 1],
            [0, 1, 2],
            [1, 2, 3],
            [1, 0, 2]
        ]))
    );
}

/// `testEvenDistribution`: 200 partitions of two replicas over four brokers.
#[test]
fn spreads_pairs_as_kafka_does() {
    let brokers = [unfenced(0), unfenced(1), unfenced(2), unfenced(3)];
    let placement = striped(200, 2, &brokers).expect("four brokers hold two replicas");
    let mut counts = std::collections::BTreeMap::new();
    for replicas in &placement {
        *counts.entry(replicas.clone()).or_insert(0) += 1;
    }
    let expected = [
        ([0, 1], 14),
        ([0, 2], 22),
        ([0, 3], 14),
        ([1, 0], 17),
        ([1, 2], 17),
        ([1, 3], 16),
        ([2, 0], 13),
        ([2, 1], 17),
        ([2, 3], 20),
        ([3, 0], 20),
        ([3, 1], 19),
        ([3, 2], 11),
    ];
    let expected: std::collections::BTreeMap<Vec<i32>, i32> = expected
        .into_iter()
        .map(|(pair, count)| (pair.to_vec(), count))
        .collect();
    assert_eq!(counts, expected);
}

/// The first step of `testPlaceShiftsInitialOffsetsRackUnaware` (the later steps continue from
/// existing partitions, which is trunk/4.x behaviour, not 3.7's).
#[test]
fn twelve_brokers_without_racks_start_where_mock_random_says() {
    let brokers: Vec<_> = (0..12).map(unfenced).collect();
    assert_eq!(striped(2, 3, &brokers), Ok(lists([[7, 8, 9], [8, 9, 10]])));
}

/// The first step of `testPlaceShiftsInitialOffsetsRackAware`.
#[test]
fn twelve_brokers_in_three_racks_stripe_across_racks() {
    let brokers: Vec<_> = (0..12)
        .map(|id| unfenced(id).in_rack((1 + id / 4).to_string()))
        .collect();
    assert_eq!(striped(2, 3, &brokers), Ok(lists([[6, 8, 2], [9, 3, 7]])));
}

/// The first step of `testPlaceShiftsInitialOffsetsRackAwareAndUsesUnusedRacks`.
#[test]
fn four_racks_of_one_broker() {
    let brokers: Vec<_> = (0..4)
        .map(|id| unfenced(id).in_rack((1 + id).to_string()))
        .collect();
    assert_eq!(striped(1, 2, &brokers), Ok(lists([[0, 1]])));
}

/// `testAllBrokersFenced`, `testNotEnoughBrokers`, `testNonPositiveReplicationFactor`: the
/// placer checks positivity, then fencing, then the broker count.
#[test]
fn placer_errors_are_kafkas() {
    let all_fenced = [fenced(11).in_rack("1"), fenced(10).in_rack("1")];
    let error = striped(1, 1, &all_fenced).expect_err("all fenced");
    assert_eq!(error.to_string(), "All brokers are currently fenced.");
    assert_eq!(error.error_code(), ErrorCode::InvalidReplicationFactor);

    let two = [unfenced(11).in_rack("1"), unfenced(10).in_rack("1")];
    let error = striped(1, 3, &two).expect_err("too few");
    assert_eq!(
        error.to_string(),
        "The target replication factor of 3 cannot be reached because only 2 broker(s) are registered."
    );
    assert_eq!(error.error_code(), ErrorCode::InvalidReplicationFactor);

    let error = striped(1, 0, &two).expect_err("zero");
    assert_eq!(
        error.to_string(),
        "Invalid replication factor 0: the replication factor must be positive."
    );
    assert_eq!(error.error_code(), ErrorCode::InvalidReplicationFactor);

    // Positivity before fencing, fencing before the count (the placer's order).
    assert_eq!(
        striped(1, 0, &all_fenced),
        Err(PlacementError::NonPositiveReplicationFactor {
            replication_factor: 0
        })
    );
    assert_eq!(
        striped(1, 3, &all_fenced),
        Err(PlacementError::AllBrokersFenced)
    );
    assert_eq!(striped(1, 1, &[]), Err(PlacementError::AllBrokersFenced));
}

// ---- Beyond Kafka's tests ----------------------------------------------------------------

/// Kafka seeds and reshuffles racks in `java.util.HashMap` order, which differs here from both
/// insertion and sorted order (`rack-b, A, Q, rack-a`). Expected lists computed with a Java 17
/// re-typing of 3.7's algorithm over the real `HashMap`, `Random.nextInt` and
/// `Collections.shuffle` (Kafka's own tests only use racks whose hash order is sorted order).
#[test]
fn racks_are_seeded_in_java_hash_map_order() {
    let brokers = [
        unfenced(1).in_rack("rack-b"),
        unfenced(2).in_rack("rack-a"),
        unfenced(3).in_rack("rack-b"),
        unfenced(4).in_rack("A"),
        fenced(5).in_rack("Q"),
        unfenced(6).in_rack("rack-a"),
    ];
    assert_eq!(
        striped(6, 3, &brokers),
        Ok(lists([
            [4, 5, 6],
            [2, 5, 1],
            [6, 3, 4],
            [1, 4, 5],
            [4, 5, 2],
            [6, 5, 1]
        ]))
    );
    let brokers = [
        unfenced(7).in_rack("zz"),
        unfenced(8).in_rack("rack-a"),
        unfenced(9).in_rack("1"),
        fenced(10).in_rack("zz"),
        unfenced(11),
    ];
    assert_eq!(
        striped(5, 2, &brokers),
        Ok(lists([[7, 11], [11, 9], [9, 8], [8, 7], [11, 9]]))
    );
}

#[test]
fn a_negative_partition_count_is_refused_and_zero_places_nothing() {
    let brokers = [unfenced(0), unfenced(1)];
    let error = striped(-1, 1, &brokers).expect_err("negative");
    assert_eq!(error.error_code(), ErrorCode::InvalidPartitions);
    assert_eq!(striped(0, 1, &brokers), Ok(Vec::new()));
}

#[test]
fn broker_ids_must_be_distinct_and_non_negative() {
    assert_eq!(
        striped(1, 1, &[unfenced(2), unfenced(2)]),
        Err(PlacementError::DuplicateBrokerId { id: 2 })
    );
    assert_eq!(
        striped(1, 1, &[unfenced(-1)]),
        Err(PlacementError::NegativeBrokerId { id: -1 })
    );
}

/// Same seed ⇒ same placement; the broker order in the input does not matter.
#[test]
fn placement_with_a_seeded_prng_is_deterministic() {
    let brokers: Vec<_> = (0..9)
        .map(|id| {
            let broker = unfenced(id).in_rack(["x", "y", "z"][id as usize % 3]);
            if id == 4 { broker.fenced() } else { broker }
        })
        .collect();
    let mut reversed = brokers.clone();
    reversed.reverse();
    let place = |brokers: &[BrokerRegistration], seed| {
        StripedReplicaPlacer::new()
            .place(0, 30, 3, brokers, &mut Prng::new(seed))
            .expect("nine brokers hold three replicas")
    };
    assert_eq!(place(&brokers, 5), place(&brokers, 5));
    assert_eq!(place(&brokers, 5), place(&reversed, 5));
    assert_ne!(place(&brokers, 5), place(&brokers, 6));
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use proptest::prelude::*;
    use rill_core::placement::{BrokerRegistration, StripedReplicaPlacer};
    use rill_core::prng::Prng;

    /// Up to 12 brokers with distinct ids, each maybe in one of four racks, maybe fenced.
    fn brokers() -> impl Strategy<Value = Vec<BrokerRegistration>> {
        proptest::collection::btree_map(
            0i32..100,
            (proptest::option::of(0u8..4), proptest::bool::weighted(0.25)),
            1..12,
        )
        .prop_map(|brokers| {
            brokers
                .into_iter()
                .map(|(id, (rack, fenced))| BrokerRegistration {
                    id,
                    rack: rack.map(|rack| format!("rack-{rack}")),
                    fenced,
                })
                .collect()
        })
    }

    proptest! {
        /// Every partition gets `rf` distinct registered brokers and an unfenced leader.
        #[test]
        fn replicas_are_distinct_and_leaders_unfenced(
            brokers in brokers(),
            rf in 1i16..13,
            num_partitions in 0i32..40,
            seed in any::<u64>(),
        ) {
            let result = StripedReplicaPlacer::new()
                .place(0, num_partitions, rf, &brokers, &mut Prng::new(seed));
            let any_unfenced = brokers.iter().any(|b| !b.fenced);
            if !any_unfenced || usize::from(rf.unsigned_abs()) > brokers.len() {
                prop_assert!(result.is_err());
                return Ok(());
            }
            let placement = result.expect("valid inputs place");
            prop_assert_eq!(placement.len(), num_partitions as usize);
            for replicas in &placement {
                prop_assert_eq!(replicas.len(), rf as usize);
                let mut sorted = replicas.clone();
                sorted.sort_unstable();
                sorted.dedup();
                prop_assert_eq!(sorted.len(), replicas.len(), "repeated broker in {:?}", replicas);
                for id in replicas {
                    prop_assert!(brokers.iter().any(|b| b.id == *id));
                }
                let leader = brokers.iter().find(|b| b.id == replicas[0]).expect("registered");
                prop_assert!(!leader.fenced, "fenced leader in {:?}", replicas);
            }
        }

        /// One rack, nobody fenced: over a multiple of the broker count, leadership is spread
        /// evenly (every broker leads the same number of partitions, give or take one).
        #[test]
        fn leaders_spread_evenly_on_one_rack(
            ids in proptest::collection::btree_set(0i32..1000, 1..12),
            rf_seed in any::<u16>(),
            rounds in 1i32..6,
            seed in any::<u64>(),
        ) {
            let brokers: Vec<_> = ids.iter().map(|&id| BrokerRegistration::new(id)).collect();
            let count = brokers.len() as i32;
            let rf = 1 + (rf_seed % count as u16) as i16;
            let placement = StripedReplicaPlacer::new()
                .place(0, rounds * count, rf, &brokers, &mut Prng::new(seed))
                .expect("rf ≤ broker count");
            let mut led = std::collections::BTreeMap::new();
            for replicas in &placement {
                *led.entry(replicas[0]).or_insert(0) += 1;
            }
            let counts: Vec<i32> = ids.iter().map(|id| led.get(id).copied().unwrap_or(0)).collect();
            let max = counts.iter().copied().max().unwrap_or(0);
            let min = counts.iter().copied().min().unwrap_or(0);
            prop_assert!(max - min <= 1, "leaders {:?}", led);
        }
    }
}
