//! Topic administration of the replicated cluster: delete topic, describe/alter configs,
//! ListOffsets, the metadata and offsets views, the leader fetch, and each broker's log cleanup
//! (retention and compaction).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::admin::{AlterConfigOp, ConfigSource};
use rill_core::cluster::{Acks, Cluster, ClusterConfig, ClusterEvent, NodeId, OFFSETS_TOPIC};
use rill_core::config::TopicConfig;
use rill_core::error::{ErrorCode, KafkaError};
use rill_core::log::{OffsetSpec, PartitionLog};
use rill_core::record::{NewRecord, decode_batches};

const T0: i64 = 1_000_000;

fn records(n: usize, tag: &str) -> Vec<NewRecord> {
    (0..n)
        .map(|i| NewRecord {
            key: Some(format!("k{i}").into_bytes()),
            value: Some(format!("{tag}-{i}").into_bytes()),
            ..NewRecord::default()
        })
        .collect()
}

fn configs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn cluster_with(brokers: u32, seed: u64, cleanup_ms: i64) -> Cluster {
    let mut config = ClusterConfig::new(brokers, seed);
    config.log_retention_check_interval_ms = cleanup_ms;
    Cluster::new(config, T0).expect("valid size")
}

fn cluster(brokers: u32, seed: u64) -> Cluster {
    cluster_with(brokers, seed, 300_000)
}

fn leader_of(cluster: &Cluster, topic: &str, partition: u32) -> u32 {
    cluster
        .registration(topic, partition)
        .and_then(|r| r.leader)
        .expect("a leader")
}

/// Produces one acks=all batch and waits for its answer.
fn produce_ok(cluster: &mut Cluster, topic: &str, partition: u32, batch: Vec<NewRecord>) {
    cluster.produce(1, topic, partition, Acks::All, batch);
    cluster.advance(200);
    let outcomes = cluster.poll_outcomes();
    assert!(
        outcomes.iter().all(|o| o.result.is_ok()),
        "produce failed: {outcomes:?}"
    );
}

fn set(name: &str, value: &str) -> AlterConfigOp {
    AlterConfigOp::Set {
        name: name.to_owned(),
        value: value.to_owned(),
    }
}

#[test]
fn a_deleted_topic_is_gone_from_every_broker_and_its_name_can_be_used_again() {
    let mut cluster = cluster(3, 1);
    cluster.create_topic("t", 2, 3, &[]).expect("valid");
    cluster.advance(50);
    produce_ok(&mut cluster, "t", 0, records(5, "old"));
    let old_id = cluster.topic_metadata("t").expect("exists").topic_id;
    cluster.poll_events();

    cluster.delete_topic("t").expect("exists");
    assert!(
        cluster
            .poll_events()
            .contains(&ClusterEvent::TopicDeleted { topic: "t".into() })
    );
    assert_eq!(cluster.registration("t", 0), None);
    assert!(cluster.topics(true).is_empty());
    assert_eq!(
        cluster.topic_metadata("t").map(|m| m.name),
        Err(ErrorCode::UnknownTopicOrPartition)
    );
    cluster.advance(100);
    for broker in 0..3 {
        assert!(cluster.replica(broker, "t", 0).is_none(), "broker {broker}");
        assert!(cluster.replica(broker, "t", 1).is_none(), "broker {broker}");
    }
    cluster.produce(1, "t", 0, Acks::All, records(1, "late"));
    cluster.advance(100);
    let outcomes = cluster.poll_outcomes();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].result, Err(ErrorCode::UnknownTopicOrPartition));
    assert_eq!(
        cluster.list_offsets("t", 0, OffsetSpec::Latest),
        Err(ErrorCode::UnknownTopicOrPartition)
    );

    // The same name again: a new incarnation with none of the old data.
    cluster
        .create_topic("t", 1, 3, &[])
        .expect("the name is free");
    cluster.advance(50);
    let new_id = cluster.topic_metadata("t").expect("exists").topic_id;
    assert!(new_id > old_id);
    produce_ok(&mut cluster, "t", 0, records(2, "new"));
    let fetched = cluster.fetch("t", 0, 0, 1 << 20).expect("leader");
    let values: Vec<Vec<u8>> = fetched
        .records
        .iter()
        .filter_map(|r| r.value.clone())
        .collect();
    assert_eq!(values, vec![b"new-0".to_vec(), b"new-1".to_vec()]);
    for broker in 0..3 {
        let (log, _) = cluster.replica(broker, "t", 0).expect("replica");
        assert_eq!(log.log_end_offset(), 2, "broker {broker} holds no old data");
    }
    assert!(cluster.replica(0, "t", 1).is_none());
}

#[test]
fn a_broker_that_was_down_during_the_deletion_drops_its_replica_when_it_returns() {
    let mut cluster = cluster(3, 2);
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(50);
    produce_ok(&mut cluster, "t", 0, records(3, "old"));
    let follower = (0..3)
        .find(|b| *b != leader_of(&cluster, "t", 0))
        .expect("");
    cluster.kill_broker(follower).expect("running");
    cluster.delete_topic("t").expect("exists");
    cluster
        .create_topic("t", 1, 3, &[])
        .expect("the name is free");
    cluster.advance(50);
    produce_ok(&mut cluster, "t", 0, records(1, "new"));
    cluster.restart_broker(follower).expect("stopped");
    cluster.advance(30_000);
    let (log, _) = cluster.replica(follower, "t", 0).expect("a replica again");
    assert_eq!(log.log_end_offset(), 1, "only the new incarnation's record");
    let records = log.read_all(0).expect("in range").records;
    assert_eq!(records[0].value.as_deref(), Some(&b"new-0"[..]));
}

#[test]
fn deleting_an_unknown_or_internal_topic_fails_with_kafkas_errors() {
    let mut cluster = cluster(3, 3);
    let unknown = cluster.delete_topic("nope").expect_err("unknown");
    assert_eq!(unknown.error_code(), ErrorCode::UnknownTopicOrPartition);
    cluster
        .create_topic(
            OFFSETS_TOPIC,
            1,
            3,
            &configs(&[("cleanup.policy", "compact")]),
        )
        .expect("valid");
    cluster.poll_events();
    let internal = cluster.delete_topic(OFFSETS_TOPIC).expect_err("internal");
    assert_eq!(internal.error_code(), ErrorCode::InvalidRequest);
    assert_eq!(
        internal.to_string(),
        "Topic __consumer_offsets is a kafka internal topic and is not allowed to be marked for \
         deletion."
    );
    assert!(
        cluster.poll_events().is_empty(),
        "a failed command changes nothing"
    );
    assert!(cluster.registration(OFFSETS_TOPIC, 0).is_some());
    assert_eq!(cluster.topics(false), Vec::<String>::new());
    assert_eq!(cluster.topics(true), vec![OFFSETS_TOPIC.to_owned()]);
    assert!(
        cluster
            .topic_metadata(OFFSETS_TOPIC)
            .expect("exists")
            .is_internal
    );
}

#[test]
fn a_produce_waiting_for_followers_fails_when_its_topic_is_deleted() {
    let mut cluster = cluster(3, 4);
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(50);
    let leader = leader_of(&cluster, "t", 0);
    let followers: Vec<NodeId> = (0..3)
        .filter(|b| *b != leader)
        .map(NodeId::Broker)
        .collect();
    cluster.partition_network(&[NodeId::Broker(leader)], &followers);
    cluster.produce(1, "t", 0, Acks::All, records(1, "a"));
    cluster.advance(100);
    assert!(cluster.poll_outcomes().is_empty(), "waiting for followers");
    cluster.delete_topic("t").expect("exists");
    cluster.advance(100);
    let outcomes = cluster.poll_outcomes();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].result, Err(ErrorCode::UnknownTopicOrPartition));
}

#[test]
fn describe_and_alter_configs_follow_the_single_broker() {
    let mut broker = cluster(1, 5);
    let mut cluster = cluster(3, 5);
    let created = configs(&[("retention.ms", "1000")]);
    cluster.create_topic("t", 1, 3, &created).expect("valid");
    broker.create_topic("t", 1, 1, &created).expect("valid");
    let described = cluster.describe_configs("t").expect("exists");
    assert_eq!(described, broker.describe_configs("t").expect("exists"));
    let entry = |entries: &[rill_core::admin::ConfigEntry], name: &str| {
        entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| (e.value.clone(), e.source))
            .expect("every config is described")
    };
    assert_eq!(
        entry(&described, "retention.ms"),
        ("1000".into(), ConfigSource::TopicOverride)
    );
    assert_eq!(
        entry(&described, "min.insync.replicas"),
        ("1".into(), ConfigSource::Default)
    );

    let ops = [
        set("min.insync.replicas", "2"),
        AlterConfigOp::Delete {
            name: "retention.ms".into(),
        },
    ];
    cluster.alter_configs("t", &ops).expect("valid");
    broker.alter_configs("t", &ops).expect("valid");
    let altered = cluster.describe_configs("t").expect("exists");
    assert_eq!(altered, broker.describe_configs("t").expect("exists"));
    assert_eq!(
        entry(&altered, "min.insync.replicas"),
        ("2".into(), ConfigSource::TopicOverride)
    );
    assert_eq!(
        entry(&altered, "retention.ms"),
        ("604800000".into(), ConfigSource::Default)
    );
    assert!(
        cluster
            .poll_events()
            .contains(&ClusterEvent::TopicConfigAltered {
                topic: "t".into(),
                overrides: configs(&[("min.insync.replicas", "2")]),
            })
    );

    // All or nothing: one bad op and nothing changes.
    let bad = [set("retention.ms", "5"), set("min.insync.replicas", "0")];
    let error = cluster.alter_configs("t", &bad).expect_err("invalid");
    assert_eq!(error.error_code(), ErrorCode::InvalidConfig);
    assert_eq!(
        error.to_string(),
        broker
            .alter_configs("t", &bad)
            .expect_err("invalid")
            .to_string()
    );
    let unknown_name = cluster
        .alter_configs("t", &[set("no.such.config", "1")])
        .expect_err("unknown config");
    assert_eq!(unknown_name.error_code(), ErrorCode::InvalidConfig);
    assert_eq!(cluster.describe_configs("t").expect("exists"), altered);
    assert!(cluster.poll_events().is_empty());
    for error in [
        cluster.alter_configs("nope", &ops).expect_err("unknown"),
        cluster.describe_configs("nope").expect_err("unknown"),
    ] {
        assert_eq!(error.error_code(), ErrorCode::UnknownTopicOrPartition);
    }
}

#[test]
fn min_insync_replicas_altered_to_3_with_a_dead_broker_refuses_acks_all() {
    let mut cluster = cluster(3, 6);
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(50);
    let leader = leader_of(&cluster, "t", 0);
    let follower = (0..3).find(|b| *b != leader).expect("a follower");
    cluster.kill_broker(follower).expect("running");
    cluster.advance(15_000);
    assert_eq!(
        cluster.registration("t", 0).expect("exists").isr.len(),
        2,
        "the dead broker left the ISR"
    );
    produce_ok(&mut cluster, "t", 0, records(1, "a"));

    cluster
        .alter_configs("t", &[set("min.insync.replicas", "3")])
        .expect("valid");
    cluster.advance(100);
    cluster.produce(1, "t", 0, Acks::All, records(1, "b"));
    cluster.produce(1, "t", 0, Acks::Leader, records(1, "c"));
    cluster.advance(200);
    let results: Vec<_> = cluster
        .poll_outcomes()
        .into_iter()
        .map(|o| (o.acks, o.result))
        .collect();
    assert_eq!(
        results,
        vec![
            (Acks::All, Err(ErrorCode::NotEnoughReplicas)),
            (Acks::Leader, Ok((1, 1))),
        ]
    );
}

#[test]
fn the_last_altered_config_wins_on_every_replica_whatever_the_network_order() {
    for seed in 0..20 {
        let mut cluster = cluster(3, 100 + seed);
        cluster.create_topic("t", 1, 3, &[]).expect("valid");
        cluster.advance(50);
        let leader = leader_of(&cluster, "t", 0);
        let follower = (0..3).find(|b| *b != leader).expect("a follower");
        cluster.kill_broker(follower).expect("running");
        cluster.advance(15_000);
        // Sent at the same instant: jittered latency may deliver them in either order.
        cluster
            .alter_configs("t", &[set("min.insync.replicas", "3")])
            .expect("valid");
        cluster
            .alter_configs("t", &[set("min.insync.replicas", "2")])
            .expect("valid");
        cluster.advance(100);
        cluster.produce(1, "t", 0, Acks::All, records(1, "a"));
        cluster.advance(200);
        let outcomes = cluster.poll_outcomes();
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].result, Ok((0, 0)), "seed {seed}");
    }
}

fn timestamped(timestamps: &[i64]) -> Vec<NewRecord> {
    timestamps
        .iter()
        .enumerate()
        .map(|(i, t)| NewRecord {
            key: Some(format!("k{i}").into_bytes()),
            value: Some(vec![b'v'; 20]),
            timestamp: Some(*t),
            ..NewRecord::default()
        })
        .collect()
}

#[test]
fn list_offsets_match_the_single_broker_for_the_same_records() {
    let mut cluster = cluster(3, 7);
    let small = configs(&[("segment.bytes", "200")]);
    cluster.create_topic("t", 1, 3, &small).expect("valid");
    // The single broker's log: one replica, appended to directly.
    let config = TopicConfig::with_overrides(small.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .expect("valid");
    let mut broker = PartitionLog::new(&config, 7);
    cluster.advance(50);
    let batches: [&[i64]; 4] = [
        &[T0 - 500, T0 - 400],
        &[T0 - 450, T0 - 100],
        &[T0 - 300],
        &[T0 - 50, T0 - 60, T0 - 70],
    ];
    for batch in batches {
        produce_ok(&mut cluster, "t", 0, timestamped(batch));
        broker
            .append(cluster.now(), &config, &timestamped(batch), &mut Vec::new())
            .expect("valid");
    }
    let mut specs = vec![-2, -1, -3];
    specs.extend([
        0,
        T0 - 500,
        T0 - 499,
        T0 - 420,
        T0 - 300,
        T0 - 55,
        T0 - 50,
        T0 - 49,
        T0,
    ]);
    for timestamp in specs {
        let spec = OffsetSpec::from_kafka(timestamp).expect("valid");
        let want = broker.list_offset(spec);
        let got = cluster.list_offsets("t", 0, spec).expect("a leader");
        // The leader epoch is the cluster's; the offset and timestamp are the log's.
        assert_eq!(
            got.map(|o| (o.offset, o.timestamp)),
            want.map(|o| (o.offset, o.timestamp)),
            "timestamp {timestamp}"
        );
    }
    assert_eq!(
        cluster.list_offsets("t", 0, OffsetSpec::Timestamp(T0)),
        Ok(None)
    );
    assert_eq!(
        cluster.list_offsets("t", 1, OffsetSpec::Latest),
        Err(ErrorCode::UnknownTopicOrPartition)
    );
}

#[test]
fn list_offsets_and_fetch_need_a_live_leader() {
    let mut cluster = cluster(2, 8);
    cluster.create_topic("t", 1, 1, &[]).expect("valid");
    assert_eq!(
        cluster.list_offsets("t", 0, OffsetSpec::Earliest),
        Err(ErrorCode::NotLeaderOrFollower),
        "elected, but the broker has not heard of it yet"
    );
    cluster.advance(50);
    let leader = leader_of(&cluster, "t", 0);
    cluster.kill_broker(leader).expect("running");
    assert_eq!(
        cluster.list_offsets("t", 0, OffsetSpec::Earliest),
        Err(ErrorCode::LeaderNotAvailable)
    );
    cluster.advance(15_000);
    let metadata = cluster.topic_metadata("t").expect("exists");
    assert_eq!(metadata.partitions[0].leader, None);
    assert_eq!(metadata.partitions[0].offline_replicas, vec![leader]);
    assert_eq!(
        cluster.fetch("t", 0, 0, 100),
        Err(ErrorCode::LeaderNotAvailable)
    );
    assert_eq!(
        cluster.partition_offsets("t", 0),
        Err(ErrorCode::LeaderNotAvailable)
    );
}

#[test]
fn the_metadata_offsets_and_fetch_views_show_the_leaders_state() {
    let mut cluster = cluster(3, 9);
    cluster.create_topic("t", 2, 3, &[]).expect("valid");
    cluster.create_topic("u", 1, 2, &[]).expect("valid");
    cluster.advance(50);
    assert_eq!(cluster.topics(false), vec!["t".to_owned(), "u".to_owned()]);
    let metadata = cluster.topic_metadata("t").expect("exists");
    assert_eq!(metadata.partitions.len(), 2);
    for info in &metadata.partitions {
        let registration = cluster.registration("t", info.partition).expect("exists");
        assert_eq!(info.leader, registration.leader);
        assert_eq!(info.replicas, registration.replicas);
        assert_eq!(info.isr, registration.isr);
        assert_eq!(info.leader_epoch, 0);
        assert!(info.offline_replicas.is_empty());
        assert!(!metadata.is_internal);
    }
    produce_ok(&mut cluster, "t", 1, records(4, "a"));
    cluster.delete_records("t", 1, 1).expect("below the HW");
    let offsets = cluster.partition_offsets("t", 1).expect("a leader");
    assert_eq!(offsets.leader, leader_of(&cluster, "t", 1));
    assert_eq!(
        (
            offsets.log_start_offset,
            offsets.high_watermark,
            offsets.log_end_offset
        ),
        (1, 4, 4)
    );
    let fetched = cluster.fetch("t", 1, 2, 1 << 20).expect("in range");
    let offsets_read: Vec<i64> = fetched.records.iter().map(|r| r.offset).collect();
    assert_eq!(offsets_read, vec![2, 3]);
    assert_eq!(fetched.high_watermark, 4);
    assert!(
        cluster
            .fetch("t", 1, 4, 1 << 20)
            .expect("at the end")
            .records
            .is_empty()
    );
    for offset in [0, 5] {
        assert_eq!(
            cluster.fetch("t", 1, offset, 1 << 20),
            Err(ErrorCode::OffsetOutOfRange),
            "offset {offset}"
        );
    }

    // Records above the high watermark are not read: cut the followers off, append with acks=1.
    let leader = leader_of(&cluster, "t", 1);
    let followers: Vec<NodeId> = (0..3)
        .filter(|b| *b != leader)
        .map(NodeId::Broker)
        .collect();
    cluster.partition_network(&[NodeId::Broker(leader)], &followers);
    cluster.produce(1, "t", 1, Acks::Leader, records(2, "b"));
    cluster.advance(100);
    let offsets = cluster.partition_offsets("t", 1).expect("a leader");
    assert_eq!((offsets.high_watermark, offsets.log_end_offset), (4, 6));
    assert!(
        cluster
            .fetch("t", 1, 4, 1 << 20)
            .expect("in range")
            .records
            .is_empty()
    );
    assert_eq!(
        cluster
            .list_offsets("t", 1, OffsetSpec::Latest)
            .map(|o| o.map(|o| o.offset)),
        Ok(Some(4)),
        "latest is the high watermark (READ_UNCOMMITTED)"
    );
}

/// Every segment base offset of a replica.
fn bases(log: &PartitionLog) -> Vec<i64> {
    log.segments().iter().map(|s| s.base_offset()).collect()
}

#[test]
fn retention_deletes_the_same_segments_on_the_leader_and_its_followers() {
    let mut cluster = cluster_with(3, 10, 1_000);
    let topic_configs = configs(&[("segment.bytes", "200"), ("retention.bytes", "400")]);
    cluster
        .create_topic("t", 1, 3, &topic_configs)
        .expect("valid");
    cluster.advance(50);
    for i in 0..12 {
        produce_ok(&mut cluster, "t", 0, records(2, &format!("b{i}")));
    }
    cluster.poll_events();
    cluster.advance(2_000);
    let events = cluster.poll_events();
    let mut deleted_by: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            ClusterEvent::SegmentDeleted { broker, .. } => Some(*broker),
            _ => None,
        })
        .collect();
    deleted_by.sort_unstable();
    deleted_by.dedup();
    assert_eq!(deleted_by, vec![0, 1, 2], "every replica ran retention");
    let leader = leader_of(&cluster, "t", 0);
    let (leader_log, _) = cluster.replica(leader, "t", 0).expect("replica");
    assert!(leader_log.log_start_offset() > 0);
    assert!(leader_log.size() <= 400 + 200, "retention.bytes honoured");
    for broker in 0..3 {
        let (log, _) = cluster.replica(broker, "t", 0).expect("replica");
        assert_eq!(
            log.log_start_offset(),
            leader_log.log_start_offset(),
            "broker {broker}"
        );
        assert_eq!(bases(log), bases(leader_log), "broker {broker}");
    }
    let offsets = cluster.partition_offsets("t", 0).expect("leader");
    assert_eq!(
        cluster
            .list_offsets("t", 0, OffsetSpec::Earliest)
            .map(|o| o.map(|o| o.offset)),
        Ok(Some(offsets.log_start_offset))
    );
}

#[test]
fn retention_never_passes_the_high_watermark() {
    let mut cluster = cluster_with(3, 11, 1_000);
    let topic_configs = configs(&[("segment.bytes", "200"), ("retention.ms", "1")]);
    cluster
        .create_topic("t", 1, 3, &topic_configs)
        .expect("valid");
    cluster.advance(50);
    let leader = leader_of(&cluster, "t", 0);
    let followers: Vec<NodeId> = (0..3)
        .filter(|b| *b != leader)
        .map(NodeId::Broker)
        .collect();
    cluster.partition_network(&[NodeId::Broker(leader)], &followers);
    for i in 0..6 {
        cluster.produce(1, "t", 0, Acks::Leader, records(2, &format!("b{i}")));
        cluster.advance(10);
    }
    cluster.advance(3_000);
    let (log, _) = cluster.replica(leader, "t", 0).expect("replica");
    assert_eq!(log.high_watermark(), 0, "nothing replicated");
    assert_eq!(log.log_start_offset(), 0, "nothing above the HW is deleted");
    assert_eq!(log.log_end_offset(), 12);
}

#[test]
fn each_replica_of_a_compacted_topic_is_cleaned() {
    let mut cluster = cluster_with(3, 12, 1_000);
    let topic_configs = configs(&[
        ("cleanup.policy", "compact"),
        ("segment.bytes", "200"),
        ("min.cleanable.dirty.ratio", "0.01"),
    ]);
    cluster
        .create_topic("c", 1, 3, &topic_configs)
        .expect("valid");
    cluster.advance(50);
    for round in 0..6 {
        produce_ok(&mut cluster, "c", 0, records(3, &format!("r{round}")));
    }
    cluster.advance(1_500);
    let mut cleaned_by: Vec<u32> = cluster
        .poll_events()
        .iter()
        .filter_map(|e| match e {
            ClusterEvent::SegmentsCompacted {
                broker,
                bytes_before,
                bytes_after,
                ..
            } => {
                assert!(bytes_after < bytes_before);
                Some(*broker)
            }
            _ => None,
        })
        .collect();
    cleaned_by.sort_unstable();
    cleaned_by.dedup();
    assert_eq!(cleaned_by, vec![0, 1, 2]);
    for broker in 0..3 {
        let (log, _) = cluster.replica(broker, "c", 0).expect("replica");
        let all = log
            .read_all(log.log_start_offset())
            .expect("in range")
            .records;
        assert!(all.len() < 18, "broker {broker} dropped overwritten keys");
        for key in 0..3 {
            let latest = all
                .iter()
                .rev()
                .find(|r| r.key.as_deref() == Some(format!("k{key}").as_bytes()))
                .and_then(|r| r.value.clone());
            assert_eq!(latest, Some(format!("r5-{key}").into_bytes()));
        }
    }
    let fetched = cluster.fetch("c", 0, 0, 1 << 20).expect("leader");
    assert!(fetched.records.len() < 18);
}

/// Found by the proptest below: a follower of the old incarnation fetched a record from the
/// old leader, then the topic was recreated and the late answer must not land in the new
/// replica (Kafka's fetches carry the topic id since Fetch v13).
#[test]
fn an_answer_for_a_deleted_incarnation_never_lands_in_the_new_one() {
    let mut cluster = cluster_with(3, 3_136_249_727_589_184_905, 500);
    let topic_configs = configs(&[("segment.bytes", "150")]);
    cluster
        .create_topic("p", 2, 3, &topic_configs)
        .expect("valid");
    cluster.advance(4_000);
    cluster.produce(1, "p", 1, Acks::Leader, records(1, "old"));
    cluster.delete_topic("p").expect("exists");
    cluster
        .create_topic("p", 2, 3, &topic_configs)
        .expect("the name is free");
    cluster.produce(1, "p", 1, Acks::Leader, records(1, "new"));
    cluster.advance(10_000);
    let leader = leader_of(&cluster, "p", 1);
    let (leader_log, _) = cluster.replica(leader, "p", 1).expect("leader");
    let reference = batches_between(leader_log, 0, leader_log.high_watermark());
    assert!(!reference.is_empty());
    for broker in 0..3 {
        let (log, _) = cluster.replica(broker, "p", 1).expect("replica");
        assert_eq!(
            batches_between(log, 0, leader_log.high_watermark()),
            reference,
            "broker {broker}"
        );
    }
}

/// The v2 batches of a replica that end at or after `from` and start below `to`, as bytes.
pub(crate) fn batches_between(log: &PartitionLog, from: i64, to: i64) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for segment in log.segments() {
        for batch in decode_batches(segment.as_bytes()).map_while(Result::ok) {
            let header = batch.header();
            if header.last_offset() >= from && header.base_offset < to {
                out.push(batch.as_bytes().to_vec());
            }
        }
    }
    out
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Produce { partition: u32, count: usize },
        Advance(i64),
        RetentionBytes(i64),
        DeleteRecords { partition: u32 },
        KillRestart(u32),
        DeleteAndRecreate,
        Compact(bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u32..2, 1usize..4).prop_map(|(partition, count)| Op::Produce { partition, count }),
            3 => (1i64..3_000).prop_map(Op::Advance),
            1 => (150i64..800).prop_map(Op::RetentionBytes),
            1 => (0u32..2).prop_map(|partition| Op::DeleteRecords { partition }),
            1 => (0u32..3).prop_map(Op::KillRestart),
            1 => Just(Op::DeleteAndRecreate),
            1 => any::<bool>().prop_map(Op::Compact),
        ]
    }

    fn create(cluster: &mut Cluster) {
        cluster
            .create_topic("p", 2, 3, &configs(&[("segment.bytes", "150")]))
            .expect("valid");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn live_in_sync_replicas_hold_identical_bytes_below_the_high_watermark(
            seed in any::<u64>(),
            ops in proptest::collection::vec(op(), 1..25),
        ) {
            let mut cluster = cluster_with(3, seed, 500);
            create(&mut cluster);
            cluster.advance(50);
            let mut down: Option<u32> = None;
            for op in ops {
                match op {
                    Op::Produce { partition, count } => {
                        let acks = if count % 2 == 0 { Acks::All } else { Acks::Leader };
                        cluster.produce(1, "p", partition, acks, records(count, "x"));
                    }
                    Op::Advance(ms) => cluster.advance(ms),
                    Op::RetentionBytes(bytes) => {
                        cluster
                            .alter_configs("p", &[set("retention.bytes", &bytes.to_string())])
                            .expect("valid");
                    }
                    Op::DeleteRecords { partition } => {
                        let _ = cluster.delete_records("p", partition, -1);
                    }
                    Op::KillRestart(broker) => match down.take() {
                        Some(stopped) => cluster.restart_broker(stopped).expect("stopped"),
                        None => {
                            cluster.kill_broker(broker).expect("running");
                            down = Some(broker);
                        }
                    },
                    // A topic needs 3 unfenced brokers for 3 replicas.
                    Op::DeleteAndRecreate if down.is_none() => {
                        cluster.delete_topic("p").expect("exists");
                        create(&mut cluster);
                    }
                    Op::DeleteAndRecreate => {}
                    Op::Compact(on) => {
                        let policy = if on { "compact,delete" } else { "delete" };
                        cluster
                            .alter_configs("p", &[set("cleanup.policy", policy)])
                            .expect("valid");
                    }
                }
                cluster.poll_outcomes();
            }
            if let Some(stopped) = down {
                cluster.restart_broker(stopped).expect("stopped");
            }
            cluster.heal();
            cluster.advance(60_000);
            for partition in 0..2 {
                let registration = cluster.registration("p", partition).expect("exists").clone();
                let leader = registration.leader.expect("every broker runs");
                let (leader_log, _) = cluster.replica(leader, "p", partition).expect("leader");
                let hw = leader_log.high_watermark();
                let from = registration
                    .isr
                    .iter()
                    .filter_map(|b| cluster.replica(*b, "p", partition))
                    .map(|(log, _)| log.log_start_offset())
                    .max()
                    .expect("an ISR");
                let reference = batches_between(leader_log, from, hw);
                for member in &registration.isr {
                    let (log, _) = cluster.replica(*member, "p", partition).expect("in sync");
                    prop_assert!(log.log_end_offset() >= hw);
                    // Compaction rewrites each replica on its own schedule: compare only what
                    // was never cleaned.
                    if log.cleaner_checkpoint() <= from && leader_log.cleaner_checkpoint() <= from {
                        prop_assert_eq!(
                            batches_between(log, from, hw),
                            reference.clone(),
                            "broker {} partition {}", member, partition
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn replace_configs_is_the_single_brokers_legacy_alter_configs() {
    let mut broker = cluster(1, 8);
    let mut cluster = cluster(3, 8);
    let created = configs(&[("retention.ms", "1000"), ("segment.bytes", "1048576")]);
    cluster.create_topic("t", 1, 3, &created).expect("valid");
    broker.create_topic("t", 1, 1, &created).expect("valid");
    // Entries replace every override: segment.bytes goes back to its default.
    let new = configs(&[("min.insync.replicas", "2")]);
    cluster.replace_configs("t", &new).expect("valid");
    broker.replace_configs("t", &new).expect("valid");
    let described = cluster.describe_configs("t").expect("exists");
    assert_eq!(described, broker.describe_configs("t").expect("exists"));
    let overrides: Vec<&str> = described
        .iter()
        .filter(|e| e.source == ConfigSource::TopicOverride)
        .map(|e| e.name)
        .collect();
    assert_eq!(overrides, ["min.insync.replicas"]);
    assert!(
        cluster
            .poll_events()
            .contains(&ClusterEvent::TopicConfigAltered {
                topic: "t".into(),
                overrides: new.clone(),
            })
    );

    // All or nothing, with the broker's message; validate-only changes nothing either.
    let bad = configs(&[("retention.ms", "5"), ("no.such.config", "1")]);
    let error = cluster.replace_configs("t", &bad).expect_err("invalid");
    assert_eq!(error.error_code(), ErrorCode::InvalidConfig);
    assert_eq!(
        error.to_string(),
        broker
            .replace_configs("t", &bad)
            .expect_err("invalid")
            .to_string()
    );
    let good = configs(&[("retention.ms", "5")]);
    cluster.validate_replace_configs("t", &good).expect("valid");
    assert_eq!(cluster.describe_configs("t").expect("exists"), described);
    assert!(cluster.poll_events().is_empty());
    let error = cluster
        .replace_configs("missing", &good)
        .expect_err("no topic");
    assert_eq!(error.error_code(), ErrorCode::UnknownTopicOrPartition);
}

#[test]
fn validate_create_topic_checks_as_create_and_changes_nothing() {
    let mut cluster = cluster(3, 9);
    cluster.create_topic("orders", 1, 1, &[]).expect("valid");
    let mut twin = self::cluster(3, 9);
    twin.create_topic("orders", 1, 1, &[]).expect("valid");
    let cases = [
        ("orders", 1, 1, vec![]),
        ("bad name!", 1, 1, vec![]),
        ("new", 0, 1, vec![]),
        ("new", 1, 4, vec![]),
        ("new", 1, 1, configs(&[("retention.ms", "x")])),
    ];
    for (name, partitions, rf, configs) in &cases {
        let validated = cluster
            .validate_create_topic(name, *partitions, *rf, configs)
            .expect_err("invalid");
        let created = twin
            .create_topic(name, *partitions, *rf, configs)
            .expect_err("invalid");
        assert_eq!(validated, created);
    }
    cluster
        .validate_create_topic("new", 2, 3, &[])
        .expect("valid");
    assert_eq!(cluster.topics(false), ["orders"]);
    // The placement PRNG was not consumed: creating now places as a twin that never validated.
    cluster.create_topic("new", 2, 3, &[]).expect("valid");
    twin.create_topic("new", 2, 3, &[]).expect("valid");
    assert_eq!(cluster.topic_metadata("new"), twin.topic_metadata("new"));
}

#[test]
fn every_replica_exports_its_segments_as_kafka_log_files() {
    let mut cluster = cluster(3, 41);
    cluster
        .create_topic("t", 1, 3, &configs(&[("segment.bytes", "300")]))
        .expect("valid");
    cluster.advance(100);
    for i in 0..6 {
        produce_ok(&mut cluster, "t", 0, records(2, &format!("r{i}")));
    }
    cluster.advance(2_000);
    let leader = leader_of(&cluster, "t", 0);
    let (log, _) = cluster.replica(leader, "t", 0).expect("led");
    let bases = bases(log);
    assert!(bases.len() > 1, "segment.bytes=300 rolled: {bases:?}");
    for broker in 0..3 {
        let mut offsets = Vec::new();
        for base in &bases {
            let bytes = cluster
                .export_segment(broker, "t", 0, *base)
                .expect("every in-sync replica has the leader's segments");
            for batch in decode_batches(&bytes) {
                let batch = batch.expect("valid v2 batches");
                offsets.extend(batch.header().base_offset..=batch.header().last_offset());
            }
        }
        assert_eq!(offsets, (0..12).collect::<Vec<_>>(), "broker {broker}");
    }
    let missing = cluster
        .export_segment(leader, "t", 0, 1)
        .expect_err("no such base");
    assert_eq!(missing.error_code(), ErrorCode::InvalidRequest);
    assert!(
        missing.to_string().contains(&bases[1].to_string()),
        "{missing}"
    );
    cluster.kill_broker(leader).expect("running");
    let dead = cluster
        .export_segment(leader, "t", 0, 0)
        .expect_err("not running");
    assert_eq!(dead.error_code(), ErrorCode::UnknownTopicOrPartition);
    let unknown = cluster
        .export_segment(0, "nope", 0, 0)
        .expect_err("no topic");
    assert_eq!(unknown.error_code(), ErrorCode::UnknownTopicOrPartition);
}

/// The key-move preview validates the count as CreatePartitions does and names the keys that
/// Kafka's partitioner would place elsewhere.
#[test]
fn keys_that_move_previews_what_create_partitions_would_do() {
    let mut cluster = Cluster::new(ClusterConfig::new(1, 3), 0).expect("valid");
    cluster.create_topic("t", 2, 1, &[]).expect("created");
    cluster.advance(100);
    for key in ["alice", "bob", "carol", "dave", "erin", "frank"] {
        cluster.produce(
            7,
            "t",
            rill_core::partitioner::partition_for_key(key.as_bytes(), 2),
            Acks::Leader,
            vec![rill_core::record::NewRecord {
                key: Some(key.as_bytes().to_vec()),
                value: Some(b"v".to_vec()),
                headers: vec![],
                timestamp: None,
            }],
        );
    }
    cluster.advance(100);
    let moves = cluster.keys_that_move("t", 3).expect("a valid count");
    for m in &moves {
        assert_eq!(m.from, rill_core::partitioner::partition_for_key(&m.key, 2));
        assert_eq!(m.to, rill_core::partitioner::partition_for_key(&m.key, 3));
        assert_ne!(m.from, m.to);
    }
    assert!(
        !moves.is_empty(),
        "some of six keys move from 2 to 3 partitions"
    );
    for bad in [1, 2, 100_000] {
        let preview = cluster.keys_that_move("t", bad).expect_err("refused");
        let create = cluster.create_partitions("t", bad).expect_err("refused");
        assert_eq!(
            preview, create,
            "the preview refuses {bad} as the command does"
        );
    }
    assert!(cluster.keys_that_move("nope", 3).is_err());
}

/// Issue 18 items 3 and 9: a name colliding with an existing one ('.' and '_' alike) is
/// KRaft's `INVALID_TOPIC_EXCEPTION` naming the existing topic (not `TOPIC_ALREADY_EXISTS`);
/// bad partition counts and replication factors carry KRaft 3.7's messages.
#[test]
fn collisions_and_bad_counts_are_refused_with_kraft_errors_and_messages() {
    let mut cluster = cluster(3, 4);
    cluster.create_topic("dot.name", 1, 1, &[]).expect("valid");
    let collision = cluster
        .create_topic("dot_name", 1, 1, &[])
        .expect_err("collides");
    assert_eq!(collision.error_code(), ErrorCode::InvalidTopicException);
    assert_eq!(
        collision.to_string(),
        "Topic 'dot_name' collides with existing topic: dot.name"
    );
    let exists = cluster
        .create_topic("dot.name", 1, 1, &[])
        .expect_err("exists");
    assert_eq!(exists.error_code(), ErrorCode::TopicAlreadyExists);
    let rf0 = cluster.create_topic("t", 1, 0, &[]).expect_err("rf 0");
    assert_eq!(rf0.error_code(), ErrorCode::InvalidReplicationFactor);
    assert_eq!(
        rf0.to_string(),
        "Replication factor must be larger than 0, or -1 to use the default value."
    );
    let rf4 = cluster.create_topic("t", 1, 4, &[]).expect_err("rf 4");
    assert_eq!(
        rf4.to_string(),
        "Unable to replicate the partition 4 time(s): The target replication factor of 4 \
         cannot be reached because only 3 broker(s) are registered."
    );
    let p0 = cluster
        .create_topic("t", 0, 1, &[])
        .expect_err("0 partitions");
    assert_eq!(p0.error_code(), ErrorCode::InvalidPartitions);
    assert_eq!(
        p0.to_string(),
        "Number of partitions was set to an invalid non-positive value."
    );
    assert_eq!(cluster.topics(false), ["dot.name"]);
}

/// Issue 18 item 5 in the cluster: a replica's first segment is created with the replica (at
/// the metadata that makes it, Kafka's `LogSegment.created`), so records without a timestamp
/// roll `segment.ms` after the topic's creation — on the second append, as in Kafka's
/// `UnifiedLogTest.testTimeBasedLogRollDuringAppend` — not `segment.ms` after the first
/// append. A restarted broker's segments are created at the restart (Kafka's `LogLoader`).
#[test]
fn segments_are_created_with_the_replica_and_at_a_restart() {
    let mut cluster = cluster(1, 3);
    cluster
        .create_topic("t", 1, 1, &configs(&[("segment.ms", "1000")]))
        .expect("valid");
    cluster.advance(1_500);
    let untimed = || {
        vec![NewRecord {
            value: Some(b"v".to_vec()),
            timestamp: Some(-1),
            ..NewRecord::default()
        }]
    };
    produce_ok(&mut cluster, "t", 0, untimed());
    let log = |c: &Cluster| bases(c.replica(0, "t", 0).expect("replica").0);
    assert_eq!(
        log(&cluster),
        [0],
        "the first append goes into the empty segment"
    );
    produce_ok(&mut cluster, "t", 0, untimed());
    assert_eq!(log(&cluster), [0, 1], "rolled: the segment is 1.7 s old");
    // A restart creates the active segment anew: 500 ms later nothing rolls yet.
    cluster.kill_broker(0).expect("running");
    cluster.advance(5_000);
    cluster.restart_broker(0).expect("stopped");
    cluster.advance(500);
    produce_ok(&mut cluster, "t", 0, untimed());
    assert_eq!(log(&cluster), [0, 1], "the recovered segment is 0.7 s old");
}

/// Issue 18 item 6 in the cluster: a leader elected while its high watermark lags the log end
/// it took over (Kafka's `leaderEpochStartOffsetOpt` above the high watermark) answers
/// ListOffsets "latest" with `OFFSET_NOT_AVAILABLE` until its followers catch up; "earliest"
/// always answers. Kafka's `PartitionTest.testMonotonicOffsetsAfterLeaderChange`, in the
/// replicated cluster: the follower is killed-over right after fetching the last batch and
/// before learning the new high watermark.
#[test]
fn a_new_leader_below_its_epoch_start_answers_offset_not_available() {
    let mut found_window = false;
    for seed in 0..20 {
        let mut cluster = cluster(3, seed);
        cluster
            .create_topic("t", 1, 3, &configs(&[("min.insync.replicas", "1")]))
            .expect("valid");
        cluster.advance(300);
        produce_ok(&mut cluster, "t", 0, records(3, "a"));
        let old = leader_of(&cluster, "t", 0);
        cluster.produce(1, "t", 0, Acks::Leader, records(3, "b"));
        let end = 6;
        // Step until a follower holds the whole log but not yet its high watermark.
        let mut lagging = false;
        for _ in 0..50 {
            cluster.advance(1);
            lagging = (0..3).filter(|b| *b != old).any(|b| {
                cluster.replica(b, "t", 0).is_some_and(|(log, _)| {
                    log.log_end_offset() == end && log.high_watermark() < end
                })
            });
            if lagging {
                break;
            }
        }
        if !lagging {
            continue;
        }
        cluster.kill_broker(old).expect("running");
        let mut answers = Vec::new();
        // The dead leader is fenced after the broker session timeout, then a follower leads.
        for _ in 0..30_000 {
            cluster.advance(1);
            answers.push(
                cluster
                    .list_offsets("t", 0, OffsetSpec::Latest)
                    .map(|f| f.map(|f| f.offset)),
            );
            if cluster
                .registration("t", 0)
                .and_then(|r| r.leader)
                .is_some()
                && answers.last() == Some(&Ok(Some(end)))
            {
                break;
            }
            if answers.last() == Some(&Err(ErrorCode::OffsetNotAvailable)) {
                // Earliest always answers at a leader, lagging or not.
                assert!(cluster.list_offsets("t", 0, OffsetSpec::Earliest).is_ok());
            }
        }
        let refused = answers
            .iter()
            .filter(|a| **a == Err(ErrorCode::OffsetNotAvailable))
            .count();
        let mut distinct = answers.clone();
        distinct.dedup();
        assert_eq!(
            answers.last(),
            Some(&Ok(Some(end))),
            "seed {seed}: {distinct:?}"
        );
        // Never an answer below what the old leader acknowledged at `end`'s high watermark.
        for answer in &answers {
            if let Ok(Some(offset)) = answer {
                assert!(*offset >= 3, "seed {seed}: went back to {offset}");
            }
        }
        if refused > 0 {
            found_window = true;
            break;
        }
    }
    assert!(
        found_window,
        "some seed elects a leader below its epoch start"
    );
}
