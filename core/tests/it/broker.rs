//! The single broker's commands: topic creation, produce, fetch errors, multi-partition produce
//! and admin. (Offsets, batches, fetch sizes and segment rolls are the log's: `log.rs`.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::Broker;
use rill_core::error::{CreateTopicError, ErrorCode, FetchError, KafkaError, ProduceError};
use rill_core::record::NewRecord;

fn record(key: &str, value: &str) -> NewRecord {
    NewRecord {
        key: Some(key.into()),
        value: Some(value.into()),
        ..NewRecord::default()
    }
}

#[test]
fn bad_topic_creation_is_rejected_and_changes_nothing() {
    let mut broker = Broker::new();
    broker.create_topic("a.b", 1, &[]).expect("valid");
    broker.poll_storage_ops();
    broker.poll_events();
    type Case = (&'static str, i64, Vec<(String, String)>, ErrorCode);
    let cases: Vec<Case> = vec![
        ("", 1, vec![], ErrorCode::InvalidTopicException),
        ("bad name", 1, vec![], ErrorCode::InvalidTopicException),
        ("..", 1, vec![], ErrorCode::InvalidTopicException),
        ("ok", 0, vec![], ErrorCode::InvalidPartitions),
        ("ok", -3, vec![], ErrorCode::InvalidPartitions),
        ("ok", 1_000_000, vec![], ErrorCode::InvalidPartitions),
        ("a.b", 1, vec![], ErrorCode::TopicAlreadyExists),
        // KRaft 3.7: a colliding name is INVALID_TOPIC_EXCEPTION (issue 18 item 3).
        ("a_b", 1, vec![], ErrorCode::InvalidTopicException),
        (
            "ok",
            1,
            vec![("segment.bytes".into(), "1".into())],
            ErrorCode::InvalidConfig,
        ),
        (
            "ok",
            1,
            vec![("bogus".into(), "1".into())],
            ErrorCode::InvalidConfig,
        ),
    ];
    for (name, partitions, configs, code) in cases {
        let error = broker
            .create_topic(name, partitions, &configs)
            .expect_err(name);
        assert_eq!(error.error_code(), code, "{name:?} {partitions}: {error}");
    }
    assert!(matches!(
        broker.create_topic("a_b", 1, &[]),
        Err(CreateTopicError::Collides { .. })
    ));
    assert_eq!(
        broker
            .topics()
            .map(|t| t.name().to_owned())
            .collect::<Vec<_>>(),
        ["a.b"]
    );
    assert!(
        broker.poll_storage_ops().is_empty(),
        "failed commands persist nothing"
    );
    assert!(
        broker.poll_events().is_empty(),
        "failed commands emit nothing"
    );
}

#[test]
fn bad_produce_and_fetch_are_rejected_and_change_nothing() {
    let mut broker = Broker::new();
    broker
        .create_topic("t", 2, &[("max.message.bytes".into(), "200".into())])
        .expect("valid");
    broker.poll_storage_ops();
    let r = [record("k", "v")];
    assert!(matches!(
        broker.produce(0, "nope", 0, &r),
        Err(ProduceError::UnknownTopicOrPartition { .. })
    ));
    assert!(matches!(
        broker.produce(0, "t", 2, &r),
        Err(ProduceError::UnknownTopicOrPartition { .. })
    ));
    assert!(matches!(
        broker.produce(0, "t", -1, &r),
        Err(ProduceError::UnknownTopicOrPartition { .. })
    ));
    assert!(matches!(
        broker.produce(0, "t", 0, &[]),
        Err(ProduceError::EmptyBatch)
    ));
    let big = broker
        .produce(0, "t", 0, &[record("k", &"x".repeat(500))])
        .expect_err("too large");
    assert_eq!(big.error_code(), ErrorCode::MessageTooLarge);
    assert!(broker.poll_storage_ops().is_empty());
    assert_eq!(
        broker.partition("t", 0).expect("exists").log_end_offset(),
        0
    );

    broker.produce(0, "t", 0, &r).expect("append");
    for offset in [-1, 2, i64::MAX] {
        let error = broker.fetch("t", 0, offset, 100).expect_err("out of range");
        assert!(matches!(error, FetchError::OffsetOutOfRange { .. }));
        assert_eq!(error.error_code(), ErrorCode::OffsetOutOfRange);
    }
    assert_eq!(
        broker
            .fetch("x", 0, 0, 1)
            .expect_err("unknown")
            .error_code(),
        ErrorCode::UnknownTopicOrPartition
    );
}

#[test]
fn multi_partition_produce_is_all_or_nothing() {
    let mut broker = Broker::new();
    broker
        .create_topic("t", 3, &[("max.message.bytes".into(), "200".into())])
        .expect("valid");
    broker.poll_storage_ops();
    let small = [record("k", "v")];
    let big = [record("k", &"x".repeat(500))];
    let error = broker
        .produce_batches(0, "t", &[(0, &small), (1, &big)])
        .expect_err("partition 1 too large");
    assert_eq!(error.error_code(), ErrorCode::MessageTooLarge);
    assert!(matches!(
        broker.produce_batches(0, "t", &[(0, &small), (0, &small)]),
        Err(ProduceError::DuplicatePartition { .. })
    ));
    assert!(matches!(
        broker.produce_batches(0, "t", &[(2, &small), (5, &small)]),
        Err(ProduceError::UnknownTopicOrPartition { partition: 5, .. })
    ));
    for partition in 0..3 {
        assert_eq!(
            broker
                .partition("t", partition)
                .expect("exists")
                .log_end_offset(),
            0,
            "nothing appended"
        );
    }
    assert!(broker.poll_storage_ops().is_empty());
    let infos = broker
        .produce_batches(0, "t", &[(2, &small), (0, &small)])
        .expect("valid");
    assert_eq!(
        infos.iter().map(|i| i.base_offset).collect::<Vec<_>>(),
        [0, 0]
    );
}

mod admin {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use rill_core::broker::{AlterConfigOp, ConfigSource};
    use rill_core::error::{ErrorCode, KafkaError};
    use rill_core::storage::MemoryStore;
    use rill_core::{Broker, Event};

    use super::record;

    fn flush(broker: &mut Broker, store: &mut MemoryStore) {
        for op in broker.poll_storage_ops() {
            store.apply(op);
        }
    }

    #[test]
    fn deleting_a_topic_removes_it_and_its_stored_data() {
        let mut broker = Broker::new();
        let mut store = MemoryStore::new();
        broker.create_topic("gone", 2, &[]).expect("valid");
        broker.create_topic("kept", 1, &[]).expect("valid");
        broker
            .produce(0, "gone", 1, &[record("k", "v")])
            .expect("append");
        flush(&mut broker, &mut store);
        broker.delete_topic("gone").expect("exists");
        assert_eq!(
            broker
                .delete_topic("gone")
                .expect_err("already deleted")
                .error_code(),
            ErrorCode::UnknownTopicOrPartition
        );
        assert!(broker.fetch("gone", 1, 0, 100).is_err());
        assert!(broker.poll_events().contains(&Event::TopicDeleted {
            topic: "gone".into()
        }));
        // The name is free again, and the new topic starts empty, also after recovery.
        broker.create_topic("gone", 1, &[]).expect("name free");
        flush(&mut broker, &mut store);
        let recovered = Broker::recover(store.image());
        let log = recovered.partition("gone", 0).expect("recreated");
        assert_eq!(log.log_end_offset(), 0);
        assert!(recovered.partition("gone", 1).is_none());
        assert!(recovered.topic("kept").is_some());
    }

    #[test]
    fn partitions_can_only_be_added() {
        let mut broker = Broker::new();
        broker.create_topic("t", 3, &[]).expect("valid");
        let error = broker.create_partitions("t", 2).expect_err("fewer");
        assert_eq!(error.error_code(), ErrorCode::InvalidPartitions);
        assert_eq!(
            error.to_string(),
            "Topic currently has 3 partitions, which is higher than the requested 2."
        );
        let error = broker.create_partitions("t", 3).expect_err("same");
        assert_eq!(error.to_string(), "Topic already has 3 partitions.");
        assert_eq!(
            broker
                .create_partitions("nope", 4)
                .expect_err("unknown")
                .error_code(),
            ErrorCode::UnknownTopicOrPartition
        );
        broker
            .produce(0, "t", 0, &[record("a", "1")])
            .expect("append");
        broker.create_partitions("t", 5).expect("grow");
        assert_eq!(broker.topic("t").expect("exists").partitions().len(), 5);
        broker
            .produce(0, "t", 4, &[record("b", "2")])
            .expect("new partition takes records");
        assert_eq!(broker.partition("t", 0).expect("kept").log_end_offset(), 1);
        let mut store = MemoryStore::new();
        flush(&mut broker, &mut store);
        let recovered = Broker::recover(store.image());
        assert_eq!(recovered.topic("t").expect("exists").partitions().len(), 5);
        assert_eq!(
            recovered
                .partition("t", 4)
                .expect("exists")
                .log_end_offset(),
            1
        );
    }

    #[test]
    fn alter_configs_validates_everything_and_describe_reports_sources() {
        let mut broker = Broker::new();
        broker
            .create_topic("t", 1, &[("retention.ms".into(), "1000".into())])
            .expect("valid");
        let before = broker.describe_topic("t").expect("exists");
        let error = broker
            .incremental_alter_configs(
                "t",
                &[
                    AlterConfigOp::Set {
                        name: "segment.bytes".into(),
                        value: "2000".into(),
                    },
                    AlterConfigOp::Set {
                        name: "retention.ms".into(),
                        value: "-7".into(),
                    },
                ],
            )
            .expect_err("one bad value");
        assert_eq!(error.error_code(), ErrorCode::InvalidConfig);
        assert_eq!(
            broker.describe_topic("t").expect("exists"),
            before,
            "nothing changed"
        );
        broker
            .incremental_alter_configs(
                "t",
                &[
                    AlterConfigOp::Set {
                        name: "segment.bytes".into(),
                        value: "2000".into(),
                    },
                    AlterConfigOp::Delete {
                        name: "retention.ms".into(),
                    },
                ],
            )
            .expect("valid");
        let description = broker.describe_topic("t").expect("exists");
        let entry = |name: &str| {
            description
                .configs
                .iter()
                .find(|c| c.name == name)
                .expect("listed")
                .clone()
        };
        assert_eq!(entry("segment.bytes").value, "2000");
        assert_eq!(entry("segment.bytes").source, ConfigSource::TopicOverride);
        assert_eq!(entry("retention.ms").value, "604800000");
        assert_eq!(entry("retention.ms").source, ConfigSource::Default);
        assert_eq!(description.partitions[0].replicas, [0]);
        broker
            .alter_configs("t", &[("cleanup.policy".into(), "compact".into())])
            .expect("valid");
        let topic = broker.topic("t").expect("exists");
        assert_eq!(
            topic.config().segment_bytes,
            1_073_741_824,
            "legacy alter replaces all"
        );
        assert!(topic.config().cleanup_policy.compact);
    }

    #[test]
    fn replication_factor_above_the_broker_count_is_refused() {
        let mut broker = Broker::new();
        let error = broker
            .create_topic_replicated("t", 1, 3, &[])
            .expect_err("one broker");
        assert_eq!(error.error_code(), ErrorCode::InvalidReplicationFactor);
        assert_eq!(
            error.to_string(),
            "Unable to replicate the partition 3 time(s): The target replication factor of 3 \
             cannot be reached because only 1 broker(s) are registered."
        );
        assert!(broker.topic("t").is_none());
        assert!(broker.poll_storage_ops().is_empty());
        broker
            .create_topic_replicated("t", -1, -1, &[])
            .expect("defaults");
        assert_eq!(broker.topic("t").expect("exists").partitions().len(), 1);
    }

    #[test]
    fn list_offsets_validates_its_arguments() {
        let mut broker = Broker::new();
        broker.create_topic("t", 1, &[]).expect("valid");
        broker
            .produce(10, "t", 0, &[record("a", "1")])
            .expect("append");
        assert_eq!(
            broker
                .list_offsets("t", 0, -1)
                .expect("valid")
                .map(|o| o.offset),
            Some(1)
        );
        assert_eq!(
            broker
                .list_offsets("t", 0, -4)
                .expect_err("bad timestamp")
                .error_code(),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            broker
                .list_offsets("t", 1, -1)
                .expect_err("bad partition")
                .error_code(),
            ErrorCode::UnknownTopicOrPartition
        );
        assert_eq!(
            broker
                .delete_records("t", 0, 2)
                .expect_err("above HW")
                .error_code(),
            ErrorCode::OffsetOutOfRange
        );
        assert_eq!(broker.delete_records("t", 0, 1), Ok(1));
        assert_eq!(
            broker
                .list_offsets("t", 0, -2)
                .expect("valid")
                .map(|o| o.offset),
            Some(1)
        );
    }
}

#[test]
fn the_broker_reports_which_stored_keys_move_when_partitions_are_added() {
    use rill_core::partitioner::partition_for_key;
    let mut broker = Broker::new();
    broker.create_topic("t", 3, &[]).expect("valid");
    let keys: Vec<String> = (0..40).map(|i| format!("user-{}", i % 25)).collect();
    for key in &keys {
        let partition = partition_for_key(key.as_bytes(), 3) as i32;
        broker
            .produce(0, "t", partition, &[record(key, "v")])
            .expect("append");
    }
    let moves = broker.keys_that_move("t", 5).expect("known topic");
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
        broker
            .keys_that_move("t", 3)
            .expect("same count")
            .is_empty()
    );
    assert!(broker.keys_that_move("t", 0).is_err());
    assert!(broker.keys_that_move("nope", 4).is_err());
}
