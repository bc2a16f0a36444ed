//! A replicated cluster persisted through `poll_storage` and rebuilt with `Cluster::recover`,
//! as a browser host does across a page reload.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::{BTreeMap, BTreeSet};

use rill_core::cluster::persist::{
    METADATA_SNAPSHOT_PATH, checkpoint_path, decode_offset_checkpoint, encode_offset_checkpoint,
};
use rill_core::cluster::{
    Acks, Cluster, ClusterConfig, ClusterEvent, ClusterImage, ClusterRecoveryError,
    ClusterStorageOp,
};
use rill_core::config::TopicConfig;
use rill_core::consumer::{AutoOffsetReset, ConsumerConfig, ConsumerEvent};
use rill_core::error::{ErrorCode, KafkaError};
use rill_core::log::PartitionLog;
use rill_core::record::NewRecord;
use rill_core::storage::{StorageOp, TopicRecord, op_for_change};

use super::host::Host;

const START: i64 = 1_700_000_000_000;

fn records(n: usize, tag: &str) -> Vec<NewRecord> {
    (0..n)
        .map(|i| NewRecord {
            key: Some(format!("{tag}-k{i}").into_bytes()),
            value: Some(format!("{tag}-v{i}").into_bytes()),
            ..NewRecord::default()
        })
        .collect()
}

fn cluster(brokers: u32, seed: u64) -> Cluster {
    let mut config = ClusterConfig::new(brokers, seed);
    config.offsets_topic_partitions = 3;
    Cluster::new(config, START).expect("valid size")
}

/// A cluster whose messages take 40 ms: 50 ms after a recovery, metadata has arrived and no
/// fetch has been answered yet.
fn slow_cluster(seed: u64) -> Cluster {
    let mut config = ClusterConfig::new(3, seed);
    config.offsets_topic_partitions = 3;
    config.latency.base_ms = 40;
    config.latency.jitter_ms = 0;
    Cluster::new(config, START).expect("valid size")
}

/// Produces with acks=all (retrying like a producer) until acknowledged; returns the offsets.
fn produce_acked(
    cluster: &mut Cluster,
    topic: &str,
    partition: u32,
    batch: Vec<NewRecord>,
) -> (i64, i64) {
    for _ in 0..20 {
        let request = cluster.produce(1, topic, partition, Acks::All, batch.clone());
        cluster.advance(300);
        if let Some(Ok(offsets)) = cluster
            .poll_outcomes()
            .into_iter()
            .find(|o| o.request == request)
            .map(|o| o.result)
        {
            return offsets;
        }
        cluster.advance(1_000);
    }
    panic!("{topic}-{partition} never acknowledged");
}

/// Every replica's (log start, log end, segment bytes), by (broker, topic, partition).
type Logs = BTreeMap<(u32, String, u32), (i64, i64, Vec<(i64, Vec<u8>)>)>;

fn logs(cluster: &Cluster) -> Logs {
    let mut out = BTreeMap::new();
    for (topic, partition) in cluster.partitions() {
        for broker in 0..cluster.config().brokers {
            if let Some((log, _)) = cluster.replica(broker, &topic, partition) {
                let segments = log
                    .segments()
                    .iter()
                    .map(|s| (s.base_offset(), s.as_bytes().to_vec()))
                    .collect();
                out.insert(
                    (broker, topic.clone(), partition),
                    (log.log_start_offset(), log.log_end_offset(), segments),
                );
            }
        }
    }
    out
}

/// The record `offset` of a partition at its leader.
fn value_at(cluster: &Cluster, topic: &str, partition: u32, offset: i64) -> Option<Vec<u8>> {
    let leader = cluster.registration(topic, partition)?.leader?;
    let (log, _) = cluster.replica(leader, topic, partition)?;
    log.read_all(offset)
        .ok()?
        .records
        .into_iter()
        .find(|r| r.offset == offset)
        .and_then(|r| r.value)
}

/// Every partition has its whole replica set in sync and every replica's high watermark at
/// the leader's log end.
fn converged(cluster: &Cluster) -> Result<(), String> {
    for (topic, partition) in cluster.partitions() {
        let registration = cluster
            .registration(&topic, partition)
            .ok_or("registered")?;
        let mut isr = registration.isr.clone();
        isr.sort_unstable();
        let mut replicas = registration.replicas.clone();
        replicas.sort_unstable();
        if isr != replicas {
            return Err(format!("{topic}-{partition}: ISR {isr:?} of {replicas:?}"));
        }
        let leader = registration
            .leader
            .ok_or(format!("{topic}-{partition}: no leader"))?;
        let (log, _) = cluster
            .replica(leader, &topic, partition)
            .ok_or("leader replica")?;
        let leo = log.log_end_offset();
        for broker in &registration.replicas {
            let (replica, _) = cluster
                .replica(*broker, &topic, partition)
                .ok_or(format!("{topic}-{partition}: no replica on {broker}"))?;
            if replica.log_end_offset() != leo || replica.high_watermark() != leo {
                return Err(format!(
                    "{topic}-{partition} on {broker}: LEO {} HW {} vs leader LEO {leo}",
                    replica.log_end_offset(),
                    replica.high_watermark()
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn a_reloaded_cluster_has_the_same_metadata_logs_and_acknowledged_records() {
    let mut host = Host::default();
    let mut cluster = cluster(3, 5);
    let small_segments = vec![("segment.bytes".to_owned(), "1024".to_owned())];
    cluster
        .create_topic("orders", 3, 3, &small_segments)
        .expect("valid");
    cluster.create_topic("audit", 2, 2, &[]).expect("valid");
    cluster.advance(200);
    let mut acked = Vec::new();
    for round in 0..8 {
        for (topic, partitions) in [("orders", 3), ("audit", 2)] {
            for partition in 0..partitions {
                let tag = format!("{topic}{partition}r{round}");
                let batch = records(4, &tag);
                let (first, _) = produce_acked(&mut cluster, topic, partition, batch.clone());
                for (i, record) in batch.into_iter().enumerate() {
                    acked.push((topic, partition, first + i as i64, record.value));
                }
            }
        }
        host.sync(&mut cluster);
    }
    cluster.advance(2_000);
    host.sync(&mut cluster);
    assert!(
        logs(&cluster)
            .values()
            .any(|(_, _, segments)| segments.len() > 1),
        "segment.bytes=1024 rolled some segments"
    );
    let topics_before = cluster.topic_configs();
    let registrations_before: Vec<_> = cluster
        .partitions()
        .into_iter()
        .map(|(t, p)| cluster.registration(&t, p).cloned())
        .collect();
    let logs_before = logs(&cluster);

    let (mut recovered, events) =
        Cluster::recover(host.image(), START).expect("a complete image recovers");
    assert!(events.is_empty(), "nothing torn: {events:?}");
    // The clock resumes from the snapshot's time (written after the topics were created).
    assert!(recovered.now() >= START + 200, "time never goes backwards");
    // Replicas take their roles from the controller's metadata, a message away.
    recovered.advance(5);
    assert_eq!(recovered.config(), cluster.config());
    assert_eq!(recovered.topic_configs(), topics_before);
    let registrations_after: Vec<_> = recovered
        .partitions()
        .into_iter()
        .map(|(t, p)| recovered.registration(&t, p).cloned())
        .collect();
    assert_eq!(registrations_after, registrations_before);
    assert_eq!(logs(&recovered), logs_before);
    // Each replica's high watermark is its checkpoint (clamped to its log).
    for broker in 0..3 {
        let checkpoint = decode_offset_checkpoint(&host.files[&checkpoint_path(broker)])
            .expect("a valid checkpoint file");
        for ((topic, partition), hw) in checkpoint {
            let (log, _) = recovered
                .replica(broker, &topic, partition)
                .expect("recovered replica");
            assert!(log.high_watermark() >= hw.min(log.log_end_offset()));
        }
    }

    recovered.advance(10_000);
    converged(&recovered).expect("the recovered cluster converges");
    for (topic, partition, offset, value) in acked {
        assert_eq!(
            value_at(&recovered, topic, partition, offset),
            value,
            "{topic}-{partition}@{offset}"
        );
    }
    // Leaders stayed where they were: no election happened.
    assert!(
        !recovered
            .poll_events()
            .iter()
            .any(|e| matches!(e, ClusterEvent::LeaderElected { .. })),
        "every leader's broker came back"
    );
}

#[test]
fn storage_ops_are_coalesced_and_the_checkpoint_is_kafkas_text_format() {
    let mut cluster = cluster(3, 9);
    let first = cluster.poll_storage();
    assert!(
        matches!(&first[..], [ClusterStorageOp::PutFile { path, .. }] if path == METADATA_SNAPSHOT_PATH),
        "a new cluster's first drain is its snapshot: {first:?}"
    );
    assert!(cluster.poll_storage().is_empty(), "nothing changed since");
    cluster.create_topic("t", 2, 3, &[]).expect("valid");
    cluster.advance(200);
    for i in 0..5 {
        produce_acked(&mut cluster, "t", i % 2, records(2, &format!("b{i}")));
    }
    let file_counts = |ops: &[ClusterStorageOp]| {
        let mut paths = BTreeMap::new();
        for op in ops {
            if let ClusterStorageOp::PutFile { path, .. } = op {
                *paths.entry(path.clone()).or_insert(0) += 1;
            }
        }
        paths
    };
    let early = cluster.poll_storage();
    let paths = file_counts(&early);
    assert_eq!(paths.get(METADATA_SNAPSHOT_PATH), Some(&1));
    assert!(early.iter().any(|op| matches!(
        op,
        ClusterStorageOp::Log {
            op: StorageOp::AppendToSegment { .. },
            ..
        }
    )));
    // Kafka writes the HW checkpoint every replica.high.watermark.checkpoint.interval.ms
    // (5 s): the first drain wrote it, so within 5 s it is not written again.
    for broker in 0..3 {
        assert_eq!(paths.get(&checkpoint_path(broker)), None, "{paths:?}");
    }
    cluster.advance(5_000);
    let ops = cluster.poll_storage();
    let paths = file_counts(&ops);
    for broker in 0..3 {
        assert_eq!(paths.get(&checkpoint_path(broker)), Some(&1), "{paths:?}");
    }
    // The checkpoint is the latest: the leader's file says what its replicas' HWs are now.
    let leader = cluster
        .registration("t", 0)
        .and_then(|r| r.leader)
        .expect("leader");
    let file = ops
        .iter()
        .rev()
        .find_map(|op| match op {
            ClusterStorageOp::PutFile { path, bytes } if *path == checkpoint_path(leader) => {
                Some(bytes.clone())
            }
            _ => None,
        })
        .expect("the leader's checkpoint");
    let text = String::from_utf8(file).expect("text");
    let hw0 = cluster
        .replica(leader, "t", 0)
        .expect("replica")
        .0
        .high_watermark();
    assert!(text.starts_with("0\n"), "{text}");
    assert!(text.contains(&format!("\nt 0 {hw0}\n")), "{text}");

    let entries = BTreeMap::from([(("a".to_owned(), 0), 5), (("b.c".to_owned(), 12), 0)]);
    let encoded = encode_offset_checkpoint(&entries);
    assert_eq!(encoded, b"0\n2\na 0 5\nb.c 12 0\n");
    assert_eq!(decode_offset_checkpoint(&encoded), Some(entries));
    assert_eq!(
        decode_offset_checkpoint(b"0\n3\na 0 5\n"),
        None,
        "count mismatch"
    );
    assert_eq!(decode_offset_checkpoint(b"1\n0\n"), None, "unknown version");
}

#[test]
fn a_clean_shutdown_checkpoints_the_high_watermarks_so_a_reload_serves_them_at_once() {
    let mut host = Host::default();
    let mut cluster = slow_cluster(21);
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(200);
    host.sync(&mut cluster);
    for i in 0..4 {
        produce_acked(&mut cluster, "t", 0, records(3, &format!("c{i}")));
    }
    let leader = cluster
        .registration("t", 0)
        .and_then(|r| r.leader)
        .expect("leader");
    let hw = cluster
        .replica(leader, "t", 0)
        .expect("replica")
        .0
        .high_watermark();
    assert_eq!(hw, 12, "every record acknowledged");
    // Within replica.high.watermark.checkpoint.interval.ms of the last checkpoint nothing
    // writes one; a clean shutdown does.
    let checkpoint_hw = |host: &Host| {
        decode_offset_checkpoint(&host.files[&checkpoint_path(leader)])
            .and_then(|entries| entries.get(&("t".to_owned(), 0)).copied())
    };
    host.sync(&mut cluster);
    assert_ne!(
        checkpoint_hw(&host),
        Some(hw),
        "the interval has not passed"
    );
    cluster.checkpoint_on_next_poll();
    host.sync(&mut cluster);
    assert_eq!(
        checkpoint_hw(&host),
        Some(hw),
        "written at the clean shutdown"
    );
    assert!(
        cluster.poll_storage().is_empty(),
        "once: nothing changed since"
    );

    let (mut recovered, _) = Cluster::recover(host.image(), START).expect("recovers");
    // The metadata has arrived, no follower fetch has been answered: the leader's high
    // watermark is its checkpoint's.
    recovered.advance(50);
    let (log, _) = recovered
        .replica(leader, "t", 0)
        .expect("recovered replica");
    assert_eq!(
        log.high_watermark(),
        hw,
        "the leader serves every acknowledged record at once"
    );
}

#[test]
fn committed_group_offsets_survive_a_reload() {
    let mut host = Host::default();
    let mut cluster = cluster(3, 11);
    cluster.create_topic("t", 2, 3, &[]).expect("valid");
    cluster.advance(200);
    for partition in 0..2 {
        produce_acked(
            &mut cluster,
            "t",
            partition,
            records(5, &format!("p{partition}")),
        );
    }
    let mut config = ConsumerConfig::with_group("g");
    config.auto_offset_reset = AutoOffsetReset::Earliest;
    config.enable_auto_commit = false;
    // The old member is gone with the page; the group waits out its session.
    config.session_timeout_ms = 10_000;
    cluster.add_consumer(7, config.clone()).expect("new client");
    let now = cluster.now();
    cluster
        .consumer_mut(7)
        .expect("added")
        .subscribe(now, &["t".to_owned()])
        .expect("subscribes");
    let mut seen = 0;
    for _ in 0..150 {
        let now = cluster.now();
        if let Ok(records) = cluster.consumer_mut(7).expect("added").poll(now) {
            seen += records.len();
        }
        cluster.advance(100);
        if seen == 10 {
            break;
        }
    }
    assert_eq!(seen, 10);
    let now = cluster.now();
    let commit = cluster
        .consumer_mut(7)
        .expect("added")
        .commit_sync(now, None);
    let mut committed = false;
    for _ in 0..30 {
        let now = cluster.now();
        let _ = cluster.consumer_mut(7).expect("added").poll(now);
        cluster.advance(100);
        while let Some(event) = cluster.consumer_mut(7).expect("added").poll_event() {
            if let ConsumerEvent::CommitCompleted { id, result, .. } = event
                && id == commit
            {
                assert!(result.is_ok(), "{result:?}");
                committed = true;
            }
        }
        if committed {
            break;
        }
    }
    assert!(committed, "the commit completed");
    host.sync(&mut cluster);

    // Reload: consumers are gone with the page; a new one resumes from the commit.
    let (mut recovered, _) = Cluster::recover(host.image(), cluster.now()).expect("recovers");
    recovered.advance(3_000);
    for partition in 0..2 {
        produce_acked(
            &mut recovered,
            "t",
            partition,
            records(3, &format!("after{partition}")),
        );
    }
    recovered.add_consumer(8, config).expect("new client");
    let now = recovered.now();
    recovered
        .consumer_mut(8)
        .expect("added")
        .subscribe(now, &["t".to_owned()])
        .expect("subscribes");
    let mut offsets = BTreeSet::new();
    let mut count = 0;
    for _ in 0..600 {
        let now = recovered.now();
        if let Ok(records) = recovered.consumer_mut(8).expect("added").poll(now) {
            count += records.len();
            offsets.extend(records.iter().map(|r| r.offset));
        }
        recovered.advance(100);
        if count >= 6 {
            break;
        }
    }
    assert_eq!(count, 6, "only the records after the commit");
    assert_eq!(offsets, BTreeSet::from([5, 6, 7]));
}

#[test]
fn a_torn_last_batch_is_cut_reported_written_back_and_refetched() {
    let mut host = Host::default();
    let mut cluster = slow_cluster(13);
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(200);
    for i in 0..3 {
        produce_acked(&mut cluster, "t", 0, records(3, &format!("b{i}")));
    }
    cluster.advance(2_000);
    host.sync(&mut cluster);
    let follower = cluster
        .registration("t", 0)
        .and_then(|r| r.replicas.iter().copied().find(|b| Some(*b) != r.leader))
        .expect("a follower");
    let leo = cluster
        .replica(follower, "t", 0)
        .expect("replica")
        .0
        .log_end_offset();
    let bytes = host
        .logs
        .get_mut(&follower)
        .and_then(|store| store.segment_bytes_mut("t", 0, 0))
        .expect("stored segment");
    let torn = bytes.len() - 7;
    bytes.truncate(torn);

    let (mut recovered, events) = Cluster::recover(host.image(), cluster.now()).expect("recovers");
    recovered.advance(50);
    let cut: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ClusterEvent::RecoveryTruncated {
                broker,
                topic,
                partition,
                truncation,
            } => Some((*broker, topic.clone(), *partition, truncation.dropped_bytes)),
            _ => None,
        })
        .collect();
    assert_eq!(cut.len(), 1, "{events:?}");
    assert_eq!((cut[0].0, cut[0].1.as_str(), cut[0].2), (follower, "t", 0));
    assert!(cut[0].3 > 0);
    // Like a broker back from an unclean shutdown, the cut replica left the ISR.
    let isr = &recovered.registration("t", 0).expect("registered").isr;
    assert!(!isr.contains(&follower), "{isr:?}");
    let after = recovered
        .replica(follower, "t", 0)
        .expect("replica")
        .0
        .log_end_offset();
    assert_eq!(
        after, 6,
        "the last batch of 3 (offsets 6..9) is gone, was {leo}"
    );
    // The cut is written back, so later appends follow valid bytes.
    let ops = recovered.poll_storage();
    assert!(ops.iter().any(|op| matches!(
        op,
        ClusterStorageOp::Log { broker, op: StorageOp::ReplaceSegments { .. } } if *broker == follower
    )));
    host.apply(ops);
    recovered.advance(5_000);
    converged(&recovered).expect("the follower fetched the cut records again");
    host.sync(&mut recovered);
    let (mut again, events) = Cluster::recover(host.image(), recovered.now()).expect("recovers");
    again.advance(50);
    assert!(events.is_empty(), "the store is whole again: {events:?}");
    assert_eq!(
        again
            .replica(follower, "t", 0)
            .expect("replica")
            .0
            .log_end_offset(),
        9
    );
}

#[test]
fn a_corrupt_or_missing_snapshot_is_a_typed_error() {
    let mut host = Host::default();
    let mut cluster = slow_cluster(17);
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(200);
    produce_acked(&mut cluster, "t", 0, records(3, "x"));
    cluster.advance(2_000);
    host.sync(&mut cluster);
    let good = host.files[METADATA_SNAPSHOT_PATH].clone();

    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    host.files
        .insert(METADATA_SNAPSHOT_PATH.to_owned(), flipped);
    let error = Cluster::recover(host.image(), START).expect_err("corrupt");
    assert!(matches!(
        error,
        ClusterRecoveryError::CorruptSnapshot { .. }
    ));
    assert_eq!(error.error_code(), ErrorCode::CorruptMessage);
    assert!(error.to_string().contains("CRC-32C"), "{error}");

    host.files.insert(
        METADATA_SNAPSHOT_PATH.to_owned(),
        good[..good.len() / 2].to_vec(),
    );
    let error = Cluster::recover(host.image(), START).expect_err("torn");
    assert!(
        matches!(error, ClusterRecoveryError::CorruptSnapshot { .. }),
        "{error}"
    );

    host.files.remove(METADATA_SNAPSHOT_PATH);
    let error = Cluster::recover(host.image(), START).expect_err("missing");
    assert_eq!(error, ClusterRecoveryError::MissingSnapshot);
    assert_eq!(error.error_code(), ErrorCode::KafkaStorageError);
    assert_eq!(
        Cluster::recover(ClusterImage::default(), START).err(),
        Some(ClusterRecoveryError::MissingSnapshot)
    );

    // A missing or unreadable checkpoint is HW 0, not an error.
    host.files.insert(METADATA_SNAPSHOT_PATH.to_owned(), good);
    host.files.insert(checkpoint_path(0), b"garbage".to_vec());
    host.files.remove(&checkpoint_path(1));
    let (mut recovered, _) = Cluster::recover(host.image(), START).expect("recovers");
    recovered.advance(50);
    for broker in [0, 1] {
        let (log, _) = recovered.replica(broker, "t", 0).expect("replica");
        assert_eq!(log.high_watermark(), 0, "broker {broker}");
    }
    let (log, _) = recovered.replica(2, "t", 0).expect("replica");
    assert_eq!(
        log.high_watermark(),
        log.log_end_offset(),
        "broker 2's checkpoint"
    );
    recovered.advance(5_000);
    converged(&recovered).expect("converges");
}

#[test]
fn a_single_brokers_store_migrates_to_a_one_broker_cluster() {
    // What the single-broker engine of earlier versions stored in its one log dir: the topic's
    // record, then each partition's segment 0 and the batches appended to it.
    let config = TopicConfig::default();
    let mut ops = vec![StorageOp::PutTopic(TopicRecord {
        name: "legacy".to_owned(),
        partitions: 2,
        configs: Vec::new(),
    })];
    let mut acked = Vec::new();
    for partition in 0..2u32 {
        ops.push(StorageOp::CreateSegment {
            topic: "legacy".to_owned(),
            partition,
            base_offset: 0,
        });
        let mut log = PartitionLog::new(&config, u64::from(partition));
        let batch = records(4, &format!("l{partition}"));
        let mut changes = Vec::new();
        let info = log
            .append(START, &config, &batch, &mut changes)
            .expect("appends");
        ops.extend(
            changes
                .into_iter()
                .map(|change| op_for_change("legacy", partition, change)),
        );
        acked.push((partition, info.base_offset, batch));
    }
    let mut host = Host::default();
    host.apply(
        ops.into_iter()
            .map(|op| ClusterStorageOp::Log { broker: 0, op })
            .collect(),
    );
    let (mut cluster, events) = Cluster::recover(host.image(), START).expect("migrates");
    assert!(events.is_empty());
    assert_eq!(cluster.config().brokers, 1);
    assert_eq!(
        (
            cluster.config().latency.base_ms,
            cluster.config().latency.jitter_ms
        ),
        (0, 0),
        "the single broker answered at once, and so does its cluster"
    );
    cluster.advance(0);
    for partition in 0..2 {
        let registration = cluster
            .registration("legacy", partition)
            .expect("registered");
        assert_eq!(registration.replicas, vec![0]);
        assert_eq!(registration.leader, Some(0));
        let (log, _) = cluster.replica(0, "legacy", partition).expect("replica");
        assert_eq!(log.high_watermark(), log.log_end_offset());
        assert_eq!(log.log_end_offset(), 4);
    }
    cluster.advance(1_000);
    for (partition, base, batch) in acked {
        for (i, record) in batch.into_iter().enumerate() {
            assert_eq!(
                value_at(&cluster, "legacy", partition, base + i as i64),
                record.value
            );
        }
    }
    // It is now a cluster: producing works, and the next drain writes its first snapshot.
    let (offset, _) = produce_acked(&mut cluster, "legacy", 0, records(1, "new"));
    assert_eq!(offset, 4);
    let ops = cluster.poll_storage();
    assert!(ops.iter().any(
        |op| matches!(op, ClusterStorageOp::PutFile { path, .. } if path == METADATA_SNAPSHOT_PATH)
    ));
    host.apply(ops);
    // Reloaded from the snapshot: the record acknowledged after the migration is there.
    let (mut reloaded, _) = Cluster::recover(host.image(), START + 10_000).expect("recovers");
    reloaded.advance(0);
    let (log, _) = reloaded.replica(0, "legacy", 0).expect("replica");
    assert_eq!(log.log_end_offset(), 5);
    assert_eq!(
        log.high_watermark(),
        5,
        "the only replica's log is committed"
    );
    assert_eq!(
        value_at(&reloaded, "legacy", 0, 4),
        records(1, "new")[0].value
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

        /// Arbitrary bytes as the snapshot (or a checkpoint) never panic recovery.
        #[test]
        fn arbitrary_snapshot_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode_offset_checkpoint(&bytes);
            let image = ClusterImage {
                logs: BTreeMap::new(),
                files: BTreeMap::from([(METADATA_SNAPSHOT_PATH.to_owned(), bytes)]),
                damaged: BTreeMap::new(),
            };
            let _ = Cluster::recover(image, START);
        }

        /// A real snapshot with bytes changed, and its CRC fixed so the fields are parsed,
        /// never panics recovery: it is refused or recovers a valid cluster.
        #[test]
        fn mutated_snapshots_with_a_valid_crc_never_panic(
            edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
            cut in proptest::option::of(any::<usize>()),
        ) {
            let mut cluster = cluster(3, 21);
            cluster.create_topic("t", 2, 3, &[]).expect("valid");
            cluster.advance(200);
            let ops = cluster.poll_storage();
            let mut file = ops.into_iter().find_map(|op| match op {
                ClusterStorageOp::PutFile { path, bytes } if path == METADATA_SNAPSHOT_PATH => Some(bytes),
                _ => None,
            }).expect("snapshot");
            let mut body = file.split_off(18);
            for (at, byte) in edits {
                let len = body.len();
                body[at % len] = byte;
            }
            if let Some(cut) = cut {
                body.truncate(cut % (body.len() + 1));
            }
            file[10..14].copy_from_slice(&(body.len() as u32).to_be_bytes());
            file[14..18].copy_from_slice(&crc32c::crc32c(&body).to_be_bytes());
            file.extend_from_slice(&body);
            let image = ClusterImage {
                logs: BTreeMap::new(),
                files: BTreeMap::from([(METADATA_SNAPSHOT_PATH.to_owned(), file)]),
                damaged: BTreeMap::new(),
            };
            if let Ok((mut recovered, _)) = Cluster::recover(image, START) {
                recovered.advance(3_000);
            }
        }
    }

    #[derive(Clone, Debug)]
    enum Step {
        Produce { partition: u32, count: usize },
        Kill(u32),
        Restart(u32),
        Advance(i64),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0u32..2, 1usize..4).prop_map(|(partition, count)| Step::Produce { partition, count }),
            1 => (0u32..3).prop_map(Step::Kill),
            1 => (0u32..3).prop_map(Step::Restart),
            2 => (1i64..4_000).prop_map(Step::Advance),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

        /// Random produces, broker kills and restarts, a reload at a random point: every
        /// acknowledged record is there after recovery, and the cluster converges.
        #[test]
        fn every_acknowledged_record_survives_a_reload(
            seed in 0u64..1_000,
            steps in proptest::collection::vec(step(), 1..40),
            reload_at in any::<prop::sample::Index>(),
        ) {
            let mut host = Host::default();
            let mut cluster = cluster(3, seed);
            let min_isr = vec![("min.insync.replicas".to_owned(), "2".to_owned())];
            cluster.create_topic("t", 2, 3, &min_isr).expect("valid");
            cluster.advance(200);
            host.sync(&mut cluster);
            let reload = reload_at.index(steps.len());
            let mut pending: BTreeMap<u64, Vec<NewRecord>> = BTreeMap::new();
            let mut acked: Vec<(u32, i64, Option<Vec<u8>>)> = Vec::new();
            for (i, step) in steps.iter().enumerate() {
                match step {
                    Step::Produce { partition, count } => {
                        let batch = records(*count, &format!("s{i}"));
                        let request = cluster.produce(1, "t", *partition, Acks::All, batch.clone());
                        pending.insert(request, batch);
                    }
                    Step::Kill(b) => { let _ = cluster.kill_broker(*b); }
                    Step::Restart(b) => { let _ = cluster.restart_broker(*b); }
                    Step::Advance(ms) => cluster.advance(*ms),
                }
                for outcome in cluster.poll_outcomes() {
                    if let (Ok((first, _)), Some(batch)) = (outcome.result, pending.remove(&outcome.request)) {
                        for (k, record) in batch.into_iter().enumerate() {
                            acked.push((outcome.partition, first + k as i64, record.value));
                        }
                    }
                }
                host.sync(&mut cluster);
                if i == reload {
                    break;
                }
            }
            let (mut recovered, _) = Cluster::recover(host.image(), cluster.now())
                .expect("a host's image recovers");
            recovered.advance(40_000);
            let converged_now = converged(&recovered);
            prop_assert!(converged_now.is_ok(), "{converged_now:?}");
            for (partition, offset, value) in acked {
                prop_assert_eq!(
                    value_at(&recovered, "t", partition, offset),
                    value,
                    "t-{}@{}", partition, offset
                );
            }
        }
    }
}

#[test]
fn topic_ids_config_overrides_and_deletions_survive_a_reload() {
    use rill_core::admin::{AlterConfigOp, ConfigSource};
    let mut host = Host::default();
    let mut cluster = cluster(3, 21);
    cluster.create_topic("kept", 2, 3, &[]).expect("valid");
    cluster.create_topic("gone", 1, 3, &[]).expect("valid");
    cluster.advance(100);
    cluster
        .alter_configs(
            "kept",
            &[AlterConfigOp::Set {
                name: "retention.ms".to_owned(),
                value: "60000".to_owned(),
            }],
        )
        .expect("a valid override");
    cluster.delete_topic("gone").expect("it exists");
    cluster.advance(100);
    host.sync(&mut cluster);
    let kept_id = cluster.topic_metadata("kept").expect("kept").topic_id;
    let configs_before = cluster.describe_configs("kept").expect("kept");

    let (mut recovered, _) = Cluster::recover(host.image(), START).expect("recovers");
    recovered.advance(100);
    assert_eq!(
        recovered.topic_metadata("kept").expect("kept").topic_id,
        kept_id
    );
    assert_eq!(
        recovered.describe_configs("kept").expect("kept"),
        configs_before
    );
    let retention = configs_before
        .iter()
        .find(|entry| entry.name == "retention.ms")
        .expect("listed");
    assert_eq!(retention.source, ConfigSource::TopicOverride);
    assert_eq!(
        recovered.topic_metadata("gone").map(|m| m.name),
        Err(ErrorCode::UnknownTopicOrPartition)
    );
    // A name created again after the reload is a new incarnation: ids never repeat.
    recovered.create_topic("gone", 1, 3, &[]).expect("valid");
    recovered.advance(100);
    let new_id = recovered.topic_metadata("gone").expect("created").topic_id;
    assert!(new_id > kept_id, "id {new_id} is new");
    let offsets = recovered.partition_offsets("gone", 0).expect("led");
    assert_eq!(
        offsets.log_end_offset, 0,
        "no old data in the new incarnation"
    );
}

/// A host that could not read a stored value drops it and what follows, and says so in
/// `ClusterImage::damaged`: recovery treats the partition as cut (event, ISR, write-back over
/// every stored segment), and the replica fetches what it lost.
#[test]
fn a_partition_the_host_could_not_read_counts_as_cut_and_is_written_back() {
    use std::collections::BTreeSet;
    let mut host = Host::default();
    let mut cluster = slow_cluster(17);
    cluster
        .create_topic("t", 1, 3, &[("segment.bytes".to_owned(), "200".to_owned())])
        .expect("valid");
    cluster.advance(200);
    for i in 0..4 {
        produce_acked(&mut cluster, "t", 0, records(3, &format!("b{i}")));
    }
    cluster.advance(2_000);
    host.sync(&mut cluster);
    let follower = cluster
        .registration("t", 0)
        .and_then(|r| r.replicas.iter().copied().find(|b| Some(*b) != r.leader))
        .expect("a follower");
    let mut image = host.image();
    // The host lost every segment of the follower after the first one.
    let dir = image.logs.get_mut(&follower).expect("a log dir");
    let topic = dir
        .topics
        .iter_mut()
        .find(|t| t.record.name == "t")
        .expect("stored");
    let stored: BTreeSet<i64> = topic.segments.iter().map(|s| s.base_offset).collect();
    assert!(stored.len() > 1, "segment.bytes=200 rolled: {stored:?}");
    let first = *stored.first().expect("a segment");
    topic.segments.retain(|s| s.base_offset == first);
    image.damaged.insert(
        follower,
        BTreeMap::from([(("t".to_owned(), 0), stored.clone())]),
    );

    let (mut recovered, events) = Cluster::recover(image, cluster.now()).expect("recovers");
    assert!(
        events.iter().any(|e| matches!(
            e,
            ClusterEvent::RecoveryTruncated { broker, truncation, .. }
                if *broker == follower
                    && truncation.problem == rill_core::log::RecoveryProblem::Unreadable
        )),
        "{events:?}"
    );
    recovered.advance(50);
    let isr = &recovered.registration("t", 0).expect("registered").isr;
    assert!(!isr.contains(&follower), "{isr:?}");
    let ops = recovered.poll_storage();
    assert!(ops.iter().any(|op| matches!(
        op,
        ClusterStorageOp::Log { broker, op: StorageOp::ReplaceSegments { removed, .. } }
            if *broker == follower && removed.iter().copied().collect::<BTreeSet<_>>() == stored
    )));
    recovered.advance(5_000);
    converged(&recovered).expect("the follower fetched what it lost");
}

/// Issue 18 item 2: a client may create `__consumer_offsets` with any partition count (Kafka's
/// controller accepts it); the coordinator keeps the count it started with
/// (`offsets.topic.num.partitions`, here 3), so groups hashing to a partition the topic lacks
/// get `COORDINATOR_NOT_AVAILABLE` while the others work, and from a restart on it uses the
/// topic's count. A client's produce to the internal topic is refused with
/// `INVALID_TOPIC_EXCEPTION` ("Cannot append to internal topic") and appends nothing.
#[test]
fn a_client_made_offsets_topic_sizes_the_coordinator_from_the_restart_and_takes_no_produce() {
    use rill_core::cluster::OFFSETS_TOPIC;
    use rill_core::group::protocol::offsets_partition_for;
    let mut host = Host::default();
    let mut cluster = cluster(3, 5);
    cluster
        .create_topic(OFFSETS_TOPIC, 1, 3, &[])
        .expect("Kafka accepts any count");
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(200);
    let group_on = |p: u32| {
        (0..100)
            .map(|i| format!("group-{i}"))
            .find(|g| offsets_partition_for(g, 3) == p)
            .expect("a group on that partition")
    };
    let (served, orphan) = (group_on(0), group_on(2));
    let mut config = ConsumerConfig::with_group(&served);
    config.auto_offset_reset = AutoOffsetReset::Earliest;
    cluster.add_consumer(7, config).expect("new client");
    let now = cluster.now();
    cluster
        .consumer_mut(7)
        .expect("added")
        .subscribe(now, &["t".to_owned()])
        .expect("subscribes");
    for _ in 0..100 {
        let now = cluster.now();
        let _ = cluster.consumer_mut(7).expect("added").poll(now);
        cluster.advance(100);
    }
    assert_eq!(
        cluster
            .describe_group(&served)
            .expect("served")
            .state
            .name(),
        "Stable"
    );
    assert_eq!(
        cluster.describe_group(&orphan).map(|d| d.state),
        Err(ErrorCode::CoordinatorNotAvailable)
    );

    // A client's produce to the internal topic: refused, nothing appended.
    let leader = cluster
        .registration(OFFSETS_TOPIC, 0)
        .and_then(|r| r.leader)
        .expect("a leader");
    let before = cluster
        .replica(leader, OFFSETS_TOPIC, 0)
        .expect("replica")
        .0
        .log_end_offset();
    cluster.produce(100, OFFSETS_TOPIC, 0, Acks::Leader, records(1, "x"));
    cluster.advance(100);
    let outcomes = cluster.poll_outcomes();
    let refused = outcomes
        .iter()
        .find(|o| o.topic == OFFSETS_TOPIC)
        .expect("an answer");
    assert_eq!(refused.result, Err(ErrorCode::InvalidTopicException));
    let after = cluster
        .replica(leader, OFFSETS_TOPIC, 0)
        .expect("replica")
        .0
        .log_end_offset();
    assert_eq!(before, after, "nothing appended");

    // After a restart the coordinator hashes over the topic's one partition.
    cluster.advance(1_000);
    host.sync(&mut cluster);
    let (mut recovered, _) = Cluster::recover(host.image(), cluster.now()).expect("recovers");
    recovered.advance(3_000);
    assert_eq!(recovered.config().offsets_topic_partitions, 1);
    assert!(recovered.coordinator_of(&orphan).is_some());
}
