//! A one-broker cluster, the engine behind `RillBroker`: refused commands change nothing,
//! topic administration survives a restart, a single broker's old store is restored with what
//! cannot be reported, and the key-move preview. (Offsets, batches, fetch sizes and segment
//! rolls are the log's: `log.rs`; the replicated cases are `cluster_*.rs`.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeMap;

use rill_core::admin::{AlterConfigOp, ConfigSource};
use rill_core::cluster::{
    Acks, Cluster, ClusterConfig, ClusterEvent, ClusterImage, ClusterStorageOp, Latency,
};
use rill_core::error::{ErrorCode, KafkaError};
use rill_core::log::{OffsetSpec, PartitionLog};
use rill_core::record::NewRecord;
use rill_core::storage::MemoryStore;

use super::host::Host;

const START: i64 = 1_700_000_000_000;

fn record(key: &str, value: &str) -> NewRecord {
    NewRecord {
        key: Some(key.into()),
        value: Some(value.into()),
        ..NewRecord::default()
    }
}

fn configs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `RillBroker`'s engine: one broker, answering at once (no simulated latency).
fn one_broker() -> Cluster {
    let config = ClusterConfig {
        latency: Latency {
            base_ms: 0,
            jitter_ms: 0,
        },
        ..ClusterConfig::new(1, 11)
    };
    Cluster::new(config, START).expect("one broker")
}

/// Sends one batch and returns the broker's answer.
fn produce(
    cluster: &mut Cluster,
    topic: &str,
    partition: u32,
    batch: Vec<NewRecord>,
) -> Result<(i64, i64), ErrorCode> {
    let request = cluster.produce(1, topic, partition, Acks::All, batch);
    cluster.advance(1);
    let outcomes = cluster.poll_outcomes();
    let [outcome] = outcomes.as_slice() else {
        panic!("one answer: {outcomes:?}");
    };
    assert_eq!(outcome.request, request);
    outcome.result
}

fn log<'a>(cluster: &'a Cluster, topic: &str, partition: u32) -> &'a PartitionLog {
    cluster.replica(0, topic, partition).expect("a replica").0
}

/// A clean restart: everything persisted (high watermarks included), recovered, metadata
/// delivered.
fn restart(cluster: &mut Cluster, host: &mut Host) -> (Cluster, Vec<ClusterEvent>) {
    cluster.checkpoint_on_next_poll();
    host.apply(cluster.poll_storage());
    let (mut recovered, events) = Cluster::recover(host.image(), cluster.now()).expect("recovers");
    recovered.advance(1);
    (recovered, events)
}

#[test]
fn a_refused_topic_creation_changes_nothing() {
    let mut cluster = one_broker();
    cluster.create_topic("a.b", 1, 1, &[]).expect("valid");
    cluster.advance(1);
    cluster.poll_storage();
    cluster.poll_events();
    type Case = (&'static str, u32, u32, Vec<(String, String)>, ErrorCode);
    let cases: Vec<Case> = vec![
        ("", 1, 1, vec![], ErrorCode::InvalidTopicException),
        ("bad name", 1, 1, vec![], ErrorCode::InvalidTopicException),
        ("..", 1, 1, vec![], ErrorCode::InvalidTopicException),
        ("ok", 0, 1, vec![], ErrorCode::InvalidPartitions),
        ("ok", 1_000_000, 1, vec![], ErrorCode::InvalidPartitions),
        ("ok", 1, 0, vec![], ErrorCode::InvalidReplicationFactor),
        ("ok", 1, 3, vec![], ErrorCode::InvalidReplicationFactor),
        ("a.b", 1, 1, vec![], ErrorCode::TopicAlreadyExists),
        // KRaft 3.7: a colliding name is INVALID_TOPIC_EXCEPTION.
        ("a_b", 1, 1, vec![], ErrorCode::InvalidTopicException),
        (
            "ok",
            1,
            1,
            configs(&[("segment.bytes", "1")]),
            ErrorCode::InvalidConfig,
        ),
        (
            "ok",
            1,
            1,
            configs(&[("bogus", "1")]),
            ErrorCode::InvalidConfig,
        ),
    ];
    for (name, partitions, replication_factor, configs, code) in cases {
        let error = cluster
            .create_topic(name, partitions, replication_factor, &configs)
            .expect_err(name);
        assert_eq!(error.error_code(), code, "{name:?} {partitions}: {error}");
    }
    cluster.advance(1);
    assert_eq!(cluster.topics(true), ["a.b"]);
    assert!(
        cluster.poll_storage().is_empty(),
        "failed commands persist nothing"
    );
    assert!(
        cluster.poll_events().is_empty(),
        "failed commands emit nothing"
    );
}

#[test]
fn a_refused_produce_appends_nothing_and_a_bad_fetch_is_refused() {
    let mut cluster = one_broker();
    cluster
        .create_topic("t", 2, 1, &configs(&[("max.message.bytes", "200")]))
        .expect("valid");
    cluster.advance(1);
    cluster.poll_storage();
    cluster.poll_events();
    let one = || vec![record("k", "v")];
    assert_eq!(
        produce(&mut cluster, "nope", 0, one()),
        Err(ErrorCode::UnknownTopicOrPartition)
    );
    assert_eq!(
        produce(&mut cluster, "t", 2, one()),
        Err(ErrorCode::UnknownTopicOrPartition)
    );
    assert_eq!(
        produce(&mut cluster, "t", 0, vec![]),
        Err(ErrorCode::InvalidRecord)
    );
    assert_eq!(
        produce(&mut cluster, "t", 0, vec![record("k", &"x".repeat(500))]),
        Err(ErrorCode::MessageTooLarge)
    );
    assert!(
        cluster
            .poll_storage()
            .iter()
            .all(|op| matches!(op, ClusterStorageOp::PutFile { .. })),
        "no log changes"
    );
    assert!(
        !cluster
            .poll_events()
            .iter()
            .any(|e| matches!(e, ClusterEvent::RecordsAppended { .. })),
        "nothing appended"
    );
    for partition in 0..2 {
        assert_eq!(log(&cluster, "t", partition).log_end_offset(), 0);
    }

    assert_eq!(produce(&mut cluster, "t", 0, one()), Ok((0, 0)));
    for offset in [-1, 2, i64::MAX] {
        assert_eq!(
            cluster
                .fetch("t", 0, offset, 100)
                .expect_err("out of range"),
            ErrorCode::OffsetOutOfRange
        );
    }
    assert_eq!(
        cluster.fetch("x", 0, 0, 1).expect_err("unknown"),
        ErrorCode::UnknownTopicOrPartition
    );
    assert_eq!(
        cluster.fetch("t", 9, 0, 1).expect_err("unknown"),
        ErrorCode::UnknownTopicOrPartition
    );
    assert_eq!(
        cluster
            .fetch("t", 0, 0, 100)
            .expect("in range")
            .records
            .len(),
        1
    );
}

#[test]
fn a_deleted_topic_and_its_stored_data_are_gone_after_a_restart() {
    let mut cluster = one_broker();
    let mut host = Host::default();
    cluster.create_topic("gone", 2, 1, &[]).expect("valid");
    cluster.create_topic("kept", 1, 1, &[]).expect("valid");
    cluster.advance(1);
    produce(&mut cluster, "gone", 1, vec![record("k", "v")]).expect("append");
    produce(&mut cluster, "kept", 0, vec![record("k", "v")]).expect("append");
    host.apply(cluster.poll_storage());
    cluster.delete_topic("gone").expect("exists");
    assert_eq!(
        cluster
            .delete_topic("gone")
            .expect_err("already deleted")
            .error_code(),
        ErrorCode::UnknownTopicOrPartition
    );
    cluster.advance(1);
    assert!(cluster.fetch("gone", 1, 0, 100).is_err());
    assert!(cluster.poll_events().contains(&ClusterEvent::TopicDeleted {
        topic: "gone".into()
    }));
    // The name is free again, and the new topic starts empty, also after a restart.
    cluster.create_topic("gone", 1, 1, &[]).expect("name free");
    cluster.advance(1);
    let (recovered, events) = restart(&mut cluster, &mut host);
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(log(&recovered, "gone", 0).log_end_offset(), 0);
    assert!(recovered.replica(0, "gone", 1).is_none());
    assert_eq!(log(&recovered, "kept", 0).log_end_offset(), 1);
    assert!(
        host.logs[&0]
            .image()
            .topics
            .iter()
            .all(|t| t.record.name != "gone"
                || t.segments
                    .iter()
                    .all(|s| s.partition == 0 && s.bytes.is_empty())),
        "the old incarnation's segments are deleted from the store"
    );
}

#[test]
fn partitions_can_only_be_added_and_the_new_ones_survive_a_restart() {
    let mut cluster = one_broker();
    let mut host = Host::default();
    cluster.create_topic("t", 3, 1, &[]).expect("valid");
    cluster.advance(1);
    let error = cluster.create_partitions("t", 2).expect_err("fewer");
    assert_eq!(error.error_code(), ErrorCode::InvalidPartitions);
    assert_eq!(
        error.to_string(),
        "Topic currently has 3 partitions, which is higher than the requested 2."
    );
    let error = cluster.create_partitions("t", 3).expect_err("same");
    assert_eq!(error.to_string(), "Topic already has 3 partitions.");
    assert_eq!(
        cluster
            .create_partitions("nope", 4)
            .expect_err("unknown")
            .error_code(),
        ErrorCode::UnknownTopicOrPartition
    );
    produce(&mut cluster, "t", 0, vec![record("a", "1")]).expect("append");
    cluster.create_partitions("t", 5).expect("grow");
    cluster.advance(1);
    assert_eq!(
        cluster
            .topic_metadata("t")
            .expect("exists")
            .partitions
            .len(),
        5
    );
    produce(&mut cluster, "t", 4, vec![record("b", "2")]).expect("a new partition takes records");
    assert_eq!(log(&cluster, "t", 0).log_end_offset(), 1);
    let (recovered, _) = restart(&mut cluster, &mut host);
    assert_eq!(
        recovered
            .topic_metadata("t")
            .expect("exists")
            .partitions
            .len(),
        5
    );
    assert_eq!(log(&recovered, "t", 4).log_end_offset(), 1);
    assert_eq!(log(&recovered, "t", 0).log_end_offset(), 1);
}

#[test]
fn alter_configs_validates_everything_and_describe_reports_sources() {
    let mut cluster = one_broker();
    cluster
        .create_topic("t", 1, 1, &configs(&[("retention.ms", "1000")]))
        .expect("valid");
    cluster.advance(1);
    let before = cluster.describe_configs("t").expect("exists");
    let set = |name: &str, value: &str| AlterConfigOp::Set {
        name: name.into(),
        value: value.into(),
    };
    let error = cluster
        .alter_configs(
            "t",
            &[set("segment.bytes", "2000"), set("retention.ms", "-7")],
        )
        .expect_err("one bad value");
    assert_eq!(error.error_code(), ErrorCode::InvalidConfig);
    assert_eq!(
        cluster.describe_configs("t").expect("exists"),
        before,
        "nothing changed"
    );
    cluster
        .alter_configs(
            "t",
            &[
                set("segment.bytes", "2000"),
                AlterConfigOp::Delete {
                    name: "retention.ms".into(),
                },
            ],
        )
        .expect("valid");
    let described = cluster.describe_configs("t").expect("exists");
    let entry = |name: &str| {
        described
            .iter()
            .find(|c| c.name == name)
            .expect("listed")
            .clone()
    };
    assert_eq!(entry("segment.bytes").value, "2000");
    assert_eq!(entry("segment.bytes").source, ConfigSource::TopicOverride);
    assert_eq!(entry("retention.ms").value, "604800000");
    assert_eq!(entry("retention.ms").source, ConfigSource::Default);
    cluster
        .replace_configs("t", &configs(&[("cleanup.policy", "compact")]))
        .expect("valid");
    cluster.advance(1);
    let (_, _, config) = cluster
        .topic_configs()
        .into_iter()
        .find(|(name, _, _)| name == "t")
        .expect("exists");
    assert_eq!(
        config.segment_bytes, 1_073_741_824,
        "the legacy alter replaces all"
    );
    assert!(config.cleanup_policy.compact);
}

#[test]
fn list_offsets_and_delete_records_validate_their_arguments() {
    let mut cluster = one_broker();
    cluster.create_topic("t", 1, 1, &[]).expect("valid");
    cluster.advance(1);
    produce(&mut cluster, "t", 0, vec![record("a", "1")]).expect("append");
    let offset = |cluster: &Cluster, spec| {
        cluster
            .list_offsets("t", 0, spec)
            .expect("valid")
            .map(|o| o.offset)
    };
    assert_eq!(offset(&cluster, OffsetSpec::Latest), Some(1));
    assert_eq!(
        OffsetSpec::from_kafka(-4),
        None,
        "not a valid ListOffsets timestamp"
    );
    assert_eq!(
        cluster
            .list_offsets("t", 1, OffsetSpec::Latest)
            .expect_err("bad partition"),
        ErrorCode::UnknownTopicOrPartition
    );
    assert_eq!(
        cluster.delete_records("t", 0, 2),
        Err(ErrorCode::OffsetOutOfRange),
        "above the HW"
    );
    assert_eq!(cluster.delete_records("t", 0, 1), Ok(1));
    cluster.advance(1);
    assert_eq!(offset(&cluster, OffsetSpec::Earliest), Some(1));
}

fn single_broker_store() -> MemoryStore {
    // What rill's single broker stored: one log directory, no snapshot.
    let mut cluster = one_broker();
    let mut host = Host::default();
    cluster
        .create_topic("orders", 2, 1, &configs(&[("segment.bytes", "200")]))
        .expect("valid");
    cluster.advance(1);
    for i in 0..12u32 {
        produce(
            &mut cluster,
            "orders",
            i % 2,
            vec![record(&format!("k{i}"), &"v".repeat(40))],
        )
        .expect("append");
    }
    host.apply(cluster.poll_storage());
    host.logs.remove(&0).expect("broker 0's log directory")
}

#[test]
fn a_single_brokers_segments_of_partitions_its_topic_lacks_are_reported_not_used() {
    let mut image = single_broker_store().image();
    let mut stray = image.topics[0].segments[0].clone();
    stray.partition = 7;
    image.topics[0].segments.push(stray);
    let dir = ClusterImage {
        logs: BTreeMap::from([(0, image)]),
        ..ClusterImage::default()
    };
    let (mut recovered, events) = Cluster::recover(dir, START).expect("migrates");
    assert_eq!(
        events,
        [ClusterEvent::RecoverySkippedSegment {
            broker: 0,
            topic: "orders".into(),
            partition: 7,
            base_offset: 0
        }]
    );
    recovered.advance(1);
    assert_eq!(
        recovered
            .topic_metadata("orders")
            .expect("restored")
            .partitions
            .len(),
        2
    );
    assert!(recovered.replica(0, "orders", 7).is_none());
    assert_eq!(log(&recovered, "orders", 0).log_end_offset(), 6);
}

#[test]
fn a_single_brokers_topic_that_cannot_be_restored_is_reported_and_skipped() {
    let mut image = single_broker_store().image();
    let mut bad = image.topics[0].clone();
    bad.record.name = "bad name".into();
    image.topics.push(bad);
    let dir = ClusterImage {
        logs: BTreeMap::from([(0, image)]),
        ..ClusterImage::default()
    };
    let (mut recovered, events) = Cluster::recover(dir, START).expect("migrates");
    assert!(
        matches!(&events[..], [ClusterEvent::RecoverySkippedTopic { broker: 0, topic, reason }]
            if topic == "bad name" && reason.contains("is illegal")),
        "{events:?}"
    );
    recovered.advance(1);
    assert_eq!(recovered.topics(true), ["orders"]);
    assert_eq!(log(&recovered, "orders", 1).log_end_offset(), 6);
}

#[test]
fn the_broker_reports_which_stored_keys_move_when_partitions_are_added() {
    use rill_core::partitioner::partition_for_key;
    let mut cluster = one_broker();
    cluster.create_topic("t", 3, 1, &[]).expect("valid");
    cluster.advance(1);
    let keys: Vec<String> = (0..40).map(|i| format!("user-{}", i % 25)).collect();
    for key in &keys {
        let partition = partition_for_key(key.as_bytes(), 3);
        produce(&mut cluster, "t", partition, vec![record(key, "v")]).expect("append");
    }
    let moves = cluster.keys_that_move("t", 5).expect("known topic");
    let mut expected: Vec<&str> = keys
        .iter()
        .map(String::as_str)
        .filter(|k| partition_for_key(k.as_bytes(), 3) != partition_for_key(k.as_bytes(), 5))
        .collect();
    expected.sort_unstable();
    expected.dedup();
    let mut got: Vec<String> = moves
        .iter()
        .map(|m| {
            assert_eq!(m.from, partition_for_key(&m.key, 3));
            assert_eq!(m.to, partition_for_key(&m.key, 5));
            String::from_utf8(m.key.clone()).expect("utf-8 keys")
        })
        .collect();
    got.sort_unstable();
    assert_eq!(got, expected);
    assert!(!got.is_empty() && got.len() < 25, "some keys move, not all");
    assert!(
        cluster.keys_that_move("t", 3).is_err(),
        "the same count is no change"
    );
    assert!(cluster.keys_that_move("t", 0).is_err());
    assert!(cluster.keys_that_move("nope", 4).is_err());
}
