//! The producer partitioner: Kafka's sticky and round-robin strategies for keyless records,
//! `partitioner.ignore.keys`, explicit partitions, producer configs, and which keys move when a
//! topic's partition count changes. Golden tests name the Kafka test they mirror.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::error::{ErrorCode, KafkaError};
use rill_core::partitioner::{
    BATCH_SIZE_DEFAULT, KeyMove, KeylessStrategy, Partitioner, PartitionerConfig, PartitionerError,
    ROUND_ROBIN_PARTITIONER_CLASS, keys_that_move, partition_for_key, sticky_switch_due,
    summarize_key_moves,
};

fn sticky(batch_size: u32, seed: u64) -> Partitioner {
    Partitioner::with_config(PartitionerConfig {
        keyless: KeylessStrategy::Sticky { batch_size },
        seed,
        ..PartitionerConfig::default()
    })
}

/// One keyless record of `bytes` bytes, placed by the partitioner.
fn send(p: &mut Partitioner, topic: &str, partitions: u32, bytes: usize) -> u32 {
    p.partition_record(topic, partitions, None, None, bytes)
        .expect("valid partition count, no explicit partition")
}

// ---- Sticky: BuiltInPartitionerTest ------------------------------------------------------

/// `BuiltInPartitionerTest.testStickyPartitioning`: a sticky batch size of 3 and 1-byte records
/// stay on one partition for 3 records, then switch. Kafka mocks its random source with
/// 0, 1, 2…, so its switch always lands elsewhere; a seeded pick may land on the same partition
/// again (as Kafka's real random can), so the switch is observed through `switches`.
#[test]
fn sticky_stays_for_batch_size_bytes_then_switches() {
    let mut landed_elsewhere = 0;
    for seed in 0..32 {
        let mut p = sticky(3, seed);
        let first = send(&mut p, "topicA", 3, 1);
        assert_eq!(send(&mut p, "topicA", 3, 1), first, "seed {seed}");
        assert_eq!(send(&mut p, "topicA", 3, 1), first, "seed {seed}");
        let after = p.sticky_partition("topicA").expect("picked");
        assert_eq!(after.switches, 1, "3 bytes reached: switched (seed {seed})");
        assert_eq!(after.produced_bytes, 0);
        if after.partition != first {
            landed_elsewhere += 1;
        }
        assert_eq!(send(&mut p, "topicA", 3, 1), after.partition);
    }
    // Uniform over 3 partitions: about two thirds of switches land elsewhere.
    assert!(
        (10..32).contains(&landed_elsewhere),
        "{landed_elsewhere} of 32"
    );
}

/// `testStickyPartitioning`, second half: a 1-partition topic with a sticky batch size of 1
/// switches after every record and always lands on 0.
#[test]
fn sticky_single_partition_topic_stays_on_zero() {
    let mut p = sticky(1, 7);
    for _ in 0..10 {
        assert_eq!(send(&mut p, "topicB", 1, 1), 0);
    }
    assert_eq!(p.sticky_partition("topicB").map(|s| s.switches), Some(10));
}

/// `BuiltInPartitioner.updatePartitionInfo`: switch at ≥ 1× the batch size when the batch is
/// ready (`enableSwitch`), at ≥ 2× in any case.
#[test]
fn sticky_switch_rule_between_one_and_two_batch_sizes() {
    let batch = 16_384;
    assert!(!sticky_switch_due(16_383, batch, true));
    assert!(sticky_switch_due(16_384, batch, true));
    assert!(!sticky_switch_due(16_384, batch, false));
    assert!(!sticky_switch_due(32_767, batch, false));
    assert!(sticky_switch_due(32_768, batch, false));
    assert!(sticky_switch_due(40_000, batch, true));
    // batch.size = 0 behaves as 1.
    assert!(sticky_switch_due(1, 0, true));
    assert!(!sticky_switch_due(0, 0, true));
}

/// rill appends each record at once (no batch waits), so `enableSwitch` is always true: the
/// switch comes with the first record that brings the partition to ≥ batch.size bytes, even if
/// it overshoots.
#[test]
fn sticky_switches_on_the_record_that_reaches_batch_size() {
    let mut p = sticky(100, 3);
    let first = send(&mut p, "t", 4, 60);
    assert_eq!(p.sticky_partition("t").map(|s| s.produced_bytes), Some(60));
    assert_eq!(
        send(&mut p, "t", 4, 70),
        first,
        "this record still goes to the old one"
    );
    let after = p.sticky_partition("t").expect("picked");
    assert_eq!((after.switches, after.produced_bytes), (1, 0));
}

/// `BuiltInPartitionerTest.unavailablePartitionsTest`: sticky picks skip partitions without a
/// leader, and fall back to all partitions when none has one.
#[test]
fn sticky_skips_leaderless_partitions() {
    let mut p = sticky(1, 11);
    p.set_leaderless("topicA", [1]);
    p.set_leaderless("topicB", [0]);
    p.set_leaderless("topicC", [0]);
    let first = send(&mut p, "topicA", 3, 1);
    assert_ne!(first, 1);
    let mut found_another = false;
    for _ in 0..100 {
        let part = send(&mut p, "topicA", 3, 1);
        assert_ne!(part, 1, "never the leaderless partition");
        found_another |= part != first;
    }
    assert!(found_another, "expected a partition other than {first}");
    for _ in 0..100 {
        assert_eq!(send(&mut p, "topicB", 2, 1), 1);
    }
    assert_eq!(send(&mut p, "topicC", 1, 1), 0, "no partition has a leader");
    assert_eq!(send(&mut p, "topicC", 1, 1), 0);
}

/// `testStickyBatchSizeMoreThatZero`: Kafka's `BuiltInPartitioner` rejects 0, and its producer
/// passes `Math.max(1, batch.size)`, so `batch.size=0` means "switch after every record".
#[test]
fn batch_size_zero_means_one_byte() {
    let config = PartitionerConfig::from_kafka_configs(&[("batch.size", "0")]).expect("valid");
    assert_eq!(config.keyless, KeylessStrategy::Sticky { batch_size: 1 });
    let mut p = Partitioner::with_config(config);
    for expected_switches in 1..=5 {
        send(&mut p, "t", 6, 1);
        assert_eq!(
            p.sticky_partition("t").map(|s| s.switches),
            Some(expected_switches)
        );
    }
}

#[test]
fn sticky_spreads_uniformly_over_switches() {
    let mut p = sticky(1, 99);
    let mut counts = [0u32; 4];
    for _ in 0..4_000 {
        counts[send(&mut p, "t", 4, 1) as usize] += 1;
    }
    assert!(
        counts.iter().all(|&c| (850..1150).contains(&c)),
        "{counts:?}"
    );
}

// ---- Round robin: RoundRobinPartitionerTest ----------------------------------------------

/// `RoundRobinPartitionerTest.testRoundRobinWithUnavailablePartitions`: only partitions with a
/// leader are chosen, evenly.
#[test]
fn round_robin_skips_leaderless_partitions() {
    let mut p = Partitioner::with_config(PartitionerConfig::round_robin_partitioner());
    p.set_leaderless("test", [1]);
    let mut counts = [0u32; 3];
    for _ in 0..100 {
        counts[p.partition("test", 3, None) as usize] += 1;
    }
    assert_eq!(counts, [50, 0, 50]);
}

/// `RoundRobinPartitionerTest.testRoundRobinWithKeyBytes`: Kafka's `RoundRobinPartitioner`
/// ignores keys; one counter per topic, so records to topicB do not disturb topicA.
#[test]
fn round_robin_partitioner_ignores_keys_with_a_counter_per_topic() {
    let mut p = Partitioner::with_config(PartitionerConfig::round_robin_partitioner());
    let mut counts = [0u32; 3];
    for i in 0..30 {
        counts[p.partition("topicA", 3, Some(b"key")) as usize] += 1;
        if i % 5 == 0 {
            p.partition("topicB", 1, Some(b"key"));
        }
    }
    assert_eq!(counts, [10, 10, 10]);
}

/// `testRoundRobinWithNullKeyBytes` and `…AndEvenPartitionCount` (without their deprecated
/// `onNewBatch` calls): the counter starts at 0.
#[test]
fn round_robin_without_keys_starts_at_zero() {
    for partitions in [3u32, 4] {
        let mut p = Partitioner::with_config(PartitionerConfig::round_robin_partitioner());
        let mut counts = vec![0u32; partitions as usize];
        for i in 0..partitions * 10 {
            let part = p.partition("topicA", partitions, None);
            assert_eq!(part, i % partitions);
            counts[part as usize] += 1;
            if i % 5 == 0 {
                p.partition("topicB", 1, None);
            }
        }
        assert!(counts.iter().all(|&c| c == 10), "{counts:?}");
    }
}

/// `Partitioner::new` (what the wasm host uses): keys by hash, keyless round-robin; keyed
/// records do not advance the counter.
#[test]
fn new_partitioner_hashes_keys_and_round_robins_the_rest() {
    let mut p = Partitioner::new();
    assert_eq!(*p.config(), PartitionerConfig::keyed_or_round_robin());
    assert_eq!(p.partition("t", 3, None), 0);
    assert_eq!(
        p.partition("t", 3, Some(b"a")),
        1,
        "kafka-facts §2.2: a → 1 of 3"
    );
    assert_eq!(p.partition("t", 3, None), 1);
}

// ---- Keys, explicit partitions, determinism ----------------------------------------------

/// `partitioner.ignore.keys=true`: keyed records are placed like keyless ones.
#[test]
fn ignore_keys_sends_keyed_records_to_the_sticky_partition() {
    let config =
        PartitionerConfig::from_kafka_configs(&[("partitioner.ignore.keys", "true")]).expect("ok");
    assert!(config.ignore_keys);
    let mut p = Partitioner::with_config(PartitionerConfig { seed: 5, ..config });
    let first = p
        .partition_record("t", 12, None, Some(b"hello"), 10)
        .expect("ok");
    for key in [&b"a"[..], b"b", b"test"] {
        assert_eq!(p.partition_record("t", 12, None, Some(key), 10), Ok(first));
    }
    assert_eq!(p.sticky_partition("t").map(|s| s.produced_bytes), Some(40));
}

/// Keyed records (keys not ignored) follow the hash and add no sticky bytes, as Kafka's
/// accumulator only updates the sticky partition for records it placed itself.
#[test]
fn keyed_records_do_not_count_toward_the_sticky_batch() {
    let mut p = sticky(100, 1);
    send(&mut p, "t", 12, 10);
    for key in ["a", "b", "c", "d", "e"] {
        let part = p
            .partition_record("t", 12, None, Some(key.as_bytes()), 1_000)
            .expect("ok");
        assert_eq!(part, partition_for_key(key.as_bytes(), 12));
    }
    assert_eq!(p.partition_record("t", 12, None, Some(b"test"), 1), Ok(11));
    let state = p.sticky_partition("t").expect("picked");
    assert_eq!((state.produced_bytes, state.switches), (10, 0));
}

/// An explicit partition wins over key and strategy, advances nothing, and must exist.
#[test]
fn explicit_partition_wins_and_is_validated() {
    let mut p = Partitioner::with_config(PartitionerConfig::round_robin_partitioner());
    assert_eq!(p.partition_record("t", 3, Some(2), Some(b"a"), 5), Ok(2));
    assert_eq!(p.partition("t", 3, None), 0, "the counter did not move");
    for bad in [-1, 3, i32::MAX, i32::MIN] {
        let err = p
            .partition_record("t", 3, Some(bad), None, 5)
            .expect_err("out of range");
        assert_eq!(
            err,
            PartitionerError::PartitionOutOfRange {
                topic: "t".into(),
                partition: bad,
                num_partitions: 3
            }
        );
        assert_eq!(err.error_code(), ErrorCode::UnknownTopicOrPartition);
    }
    let err = p
        .partition_record("t", 0, None, None, 5)
        .expect_err("no partitions");
    assert_eq!(err.error_code(), ErrorCode::InvalidPartitions);
    assert_eq!(p.partition("t", 3, None), 1, "failed calls changed nothing");

    let mut s = sticky(10, 0);
    assert_eq!(s.partition_record("t", 3, Some(1), None, 5), Ok(1));
    assert_eq!(
        s.sticky_partition("t"),
        None,
        "explicit records pick no sticky partition"
    );
}

#[test]
fn same_seed_same_partitions_different_seeds_differ() {
    let run = |seed: u64| -> Vec<u32> {
        let mut p = sticky(1, seed);
        (0..64).map(|_| send(&mut p, "t", 16, 1)).collect()
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42), run(43));
    assert_ne!(run(0), run(1));
}

#[test]
fn topics_have_independent_sticky_partitions() {
    let mut p = sticky(2, 8);
    send(&mut p, "a", 5, 1);
    send(&mut p, "b", 5, 1);
    send(&mut p, "a", 5, 1);
    assert_eq!(p.sticky_partition("a").map(|s| s.switches), Some(1));
    assert_eq!(p.sticky_partition("b").map(|s| s.produced_bytes), Some(1));
}

// ---- Producer configs -------------------------------------------------------------------

#[test]
fn kafka_default_producer_is_sticky_with_16384_bytes() {
    let config = PartitionerConfig::from_kafka_configs(&[]).expect("no configs");
    assert_eq!(config, PartitionerConfig::default());
    assert_eq!(
        config.keyless,
        KeylessStrategy::Sticky {
            batch_size: BATCH_SIZE_DEFAULT
        }
    );
    assert_eq!(BATCH_SIZE_DEFAULT, 16_384);
    assert!(!config.ignore_keys);
    assert!(config.adaptive_partitioning);
}

#[test]
fn configs_use_kafka_names_and_values() {
    let config = PartitionerConfig::from_kafka_configs(&[
        ("batch.size", " 1024 "),
        ("partitioner.adaptive.partitioning.enable", "FALSE"),
        ("partitioner.ignore.keys", "True"),
        ("partitioner.class", "sticky"),
    ])
    .expect("valid");
    assert_eq!(config.keyless, KeylessStrategy::Sticky { batch_size: 1024 });
    assert!(config.ignore_keys);
    assert!(!config.adaptive_partitioning);

    for class in [ROUND_ROBIN_PARTITIONER_CLASS, "round-robin"] {
        // partitioner.ignore.keys has no effect with a partitioner.class: keys are ignored.
        let config = PartitionerConfig::from_kafka_configs(&[
            ("partitioner.ignore.keys", "false"),
            ("partitioner.class", class),
            ("batch.size", "10"),
        ])
        .expect("valid");
        assert_eq!(config, PartitionerConfig::round_robin_partitioner());
    }
}

#[test]
fn bad_configs_are_invalid_config() {
    for (name, value) in [
        ("batch.size", "-1"),
        ("batch.size", "2147483648"),
        ("batch.size", "lots"),
        ("partitioner.ignore.keys", "yes"),
        ("partitioner.adaptive.partitioning.enable", "1"),
        ("partitioner.class", ""),
        ("partitioner.class", "com.example.MyPartitioner"),
        (
            "partitioner.class",
            "org.apache.kafka.clients.producer.UniformStickyPartitioner",
        ),
        (
            "partitioner.class",
            "org.apache.kafka.clients.producer.internals.DefaultPartitioner",
        ),
        ("linger.ms", "5"),
        ("no.such.config", "1"),
    ] {
        let err = PartitionerConfig::from_kafka_configs(&[("batch.size", "100"), (name, value)])
            .expect_err(name);
        assert_eq!(err.error_code(), ErrorCode::InvalidConfig, "{name}={value}");
        assert_eq!(err.error_code().name(), "INVALID_CONFIG");
        assert!(
            matches!(&err, PartitionerError::InvalidConfig { name: n, value: v, .. } if n == name && v == value),
            "{err}"
        );
    }
}

// ---- Keys that move ---------------------------------------------------------------------

/// kafka-facts §2.2's table: 3 → 4 partitions.
#[test]
fn keys_that_move_from_three_to_four_partitions() {
    let keys = ["a", "b", "c", "d", "e", "key", "test", "hello", "a", "b"];
    let moves = keys_that_move(keys.iter().map(|k| k.as_bytes()), 3, 4).expect("counts > 0");
    let expected = [
        ("a", 1, 0),
        ("b", 2, 0),
        ("c", 1, 2),
        ("d", 2, 1),
        ("test", 2, 3),
        ("hello", 0, 1),
    ]
    .map(|(key, from, to)| KeyMove {
        key: key.as_bytes().to_vec(),
        from,
        to,
    });
    assert_eq!(
        moves, expected,
        "e (2→2) and key (1→1) stay; duplicates once"
    );

    let summary = summarize_key_moves(keys.iter().map(|k| k.as_bytes()), 3, 4).expect("ok");
    assert_eq!((summary.keys, summary.moved), (8, 6));
    assert_eq!(summary.by_route.get(&(2, 0)), Some(&1));
    assert_eq!(summary.by_route.values().sum::<usize>(), 6);
}

#[test]
fn keys_that_move_rejects_zero_partitions() {
    for (old, new) in [(0, 3), (3, 0), (0, 0)] {
        let err = keys_that_move([b"a".as_slice()], old, new).expect_err("zero");
        assert_eq!(err, PartitionerError::InvalidPartitions { count: 0 });
        assert_eq!(err.error_code(), ErrorCode::InvalidPartitions);
        assert!(summarize_key_moves([b"a".as_slice()], old, new).is_err());
    }
    assert_eq!(
        keys_that_move(std::iter::empty(), 1, 1).expect("ok"),
        Vec::new()
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use std::collections::BTreeSet;

    use proptest::prelude::*;
    use rill_core::partitioner::{
        KeylessStrategy, Partitioner, PartitionerConfig, keys_that_move, partition_for_key,
        summarize_key_moves,
    };

    proptest! {
        /// Sticky never leaves the topic, never picks a leaderless partition while another has
        /// a leader, and switches only once ≥ batch.size bytes went to the current partition.
        #[test]
        fn sticky_stays_in_range_and_switches_only_after_a_batch(
            seed in any::<u64>(),
            batch_size in 0u32..300,
            partitions in 1u32..20,
            leaderless in proptest::collection::btree_set(0u32..20, 0..6),
            sizes in proptest::collection::vec(0usize..120, 1..200),
        ) {
            let mut p = Partitioner::with_config(PartitionerConfig {
                keyless: KeylessStrategy::Sticky { batch_size },
                seed,
                ..PartitionerConfig::default()
            });
            p.set_leaderless("t", leaderless.iter().copied());
            let some_leader = (0..partitions).any(|q| !leaderless.contains(&q));
            let batch = u64::from(batch_size.max(1));
            let mut since_switch = 0u64;
            let mut switches = 0u64;
            let mut current = None;
            for size in sizes {
                let part = p.partition_record("t", partitions, None, None, size).expect("valid");
                prop_assert!(part < partitions);
                if some_leader {
                    prop_assert!(!leaderless.contains(&part));
                }
                if let Some(current) = current {
                    prop_assert_eq!(part, current, "moved without a switch");
                }
                since_switch += size as u64;
                let state = p.sticky_partition("t").expect("picked");
                if state.switches > switches {
                    prop_assert_eq!(state.switches, switches + 1);
                    prop_assert!(since_switch >= batch, "switched after {} < {}", since_switch, batch);
                    since_switch = 0;
                    switches = state.switches;
                } else {
                    prop_assert!(since_switch < batch, "{} bytes without a switch", since_switch);
                }
                prop_assert_eq!(state.produced_bytes, since_switch);
                current = Some(state.partition);
            }
        }

        /// `keys_that_move` is exactly the distinct keys, first-seen order, whose
        /// `partition_for_key` differs between the two counts.
        #[test]
        fn keys_that_move_agrees_with_partition_for_key(
            keys in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..6), 0..60),
            old in 1u32..40,
            new in 1u32..40,
        ) {
            let moves = keys_that_move(keys.iter().map(Vec::as_slice), old, new).expect("counts > 0");
            let mut seen = BTreeSet::new();
            let mut expected = Vec::new();
            for key in &keys {
                if seen.insert(key.clone()) {
                    let (from, to) = (partition_for_key(key, old), partition_for_key(key, new));
                    if from != to {
                        expected.push((key.clone(), from, to));
                    }
                }
            }
            let actual: Vec<_> = moves.iter().map(|m| (m.key.clone(), m.from, m.to)).collect();
            prop_assert_eq!(actual, expected);
            let summary = summarize_key_moves(keys.iter().map(Vec::as_slice), old, new).expect("ok");
            prop_assert_eq!(summary.keys, seen.len());
            prop_assert_eq!(summary.moved, moves.len());
            if old == new {
                prop_assert!(moves.is_empty());
            }
        }
    }
}
