//! Properties of the log under random commands: recovery of a one-broker cluster from the
//! persisted storage ops rebuilds the identical logs; fetches return exactly what was appended from the log start on;
//! retention never deletes past the high watermark and keeps at least `retention.bytes`.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rill_core::admin::AlterConfigOp;
use rill_core::cluster::{Acks, Cluster, ClusterConfig, Latency};
use rill_core::config::TopicConfig;
use rill_core::log::{LogChange, PartitionLog};
use rill_core::record::NewRecord;
use rill_core::storage::{MemoryStore, StorageOp, TopicRecord, op_for_change};

use super::host::Host;

/// A record's key and value, each nullable.
type KeyValue = (Option<Vec<u8>>, Option<Vec<u8>>);

#[derive(Clone, Debug)]
enum Command {
    Create {
        name: u8,
        partitions: u32,
        segment_bytes: u32,
        retention_bytes: i64,
        /// `None`: `cleanup.policy=delete`; `Some(delete.retention.ms)`: compacted.
        compact: Option<i64>,
    },
    Produce {
        topic: u8,
        partition: u32,
        records: Vec<KeyValue>,
    },
    Tick {
        advance: i64,
    },
    DeleteRecords {
        topic: u8,
        partition: u32,
        back: i64,
    },
    AlterRetentionMs {
        topic: u8,
        retention_ms: i64,
    },
    AddPartitions {
        topic: u8,
        total: u32,
    },
    Delete {
        topic: u8,
    },
}

fn command() -> impl Strategy<Value = Command> {
    let bytes = proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40));
    // Keys from a small set, so compaction finds duplicates; sometimes none.
    let key = prop_oneof![1 => Just(None), 4 => (0u8..5).prop_map(|k| Some(vec![b'k', k]))];
    prop_oneof![
        2 => (
            0u8..4,
            0u32..5,
            14u32..600,
            -1i64..1500,
            proptest::option::of(0i64..3_000)
        )
            .prop_map(|(name, partitions, segment_bytes, retention_bytes, compact)| {
                Command::Create { name, partitions, segment_bytes, retention_bytes, compact }
            }),
        8 => (
            0u8..4,
            0u32..5,
            proptest::collection::vec((key, bytes), 0..6)
        )
            .prop_map(|(topic, partition, records)| Command::Produce {
                topic,
                partition,
                records
            }),
        2 => (0i64..5_000).prop_map(|advance| Command::Tick { advance }),
        1 => (0u8..4, 0u32..5, -1i64..10).prop_map(|(topic, partition, back)| {
            Command::DeleteRecords { topic, partition, back }
        }),
        1 => (0u8..4, -1i64..20_000).prop_map(|(topic, retention_ms)| Command::AlterRetentionMs {
            topic,
            retention_ms
        }),
        1 => (0u8..4, 0u32..7).prop_map(|(topic, total)| Command::AddPartitions { topic, total }),
        1 => (0u8..4).prop_map(|topic| Command::Delete { topic }),
    ]
}

fn segments(log: &PartitionLog) -> Vec<(i64, Vec<u8>)> {
    log.segments()
        .iter()
        .map(|s| (s.base_offset(), s.as_bytes().to_vec()))
        .collect()
}

/// `RillBroker`'s engine: a one-broker cluster answering at once, cleaning its logs every
/// second.
fn one_broker(now: i64) -> Cluster {
    let mut config = ClusterConfig::new(1, 11);
    config.latency = Latency {
        base_ms: 0,
        jitter_ms: 0,
    };
    config.log_retention_check_interval_ms = 1_000;
    Cluster::new(config, now).expect("one broker")
}

/// Every partition of every topic: (topic, partition, its log on broker 0, its config).
fn partitions(cluster: &Cluster) -> Vec<(String, u32, &PartitionLog, TopicConfig)> {
    cluster
        .topic_configs()
        .into_iter()
        .flat_map(|(topic, count, config)| {
            (0..count).map(move |p| (topic.clone(), p, config.clone()))
        })
        .map(|(topic, p, config)| {
            let log = cluster
                .replica(0, &topic, p)
                .expect("every partition has its replica")
                .0;
            (topic, p, log, config)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn recovery_rebuilds_identical_logs(commands in proptest::collection::vec(command(), 1..80)) {
        let mut cluster = one_broker(1_000);
        let mut host = Host::default();
        // Every record ever appended, by (topic, partition), at its offset.
        let mut appended: BTreeMap<(String, u32), Vec<NewRecord>> = BTreeMap::new();
        for command in commands {
            match command {
                Command::Create { name, partitions, segment_bytes, retention_bytes, compact } => {
                    let mut configs = vec![
                        ("segment.bytes".to_owned(), segment_bytes.to_string()),
                        ("retention.bytes".to_owned(), retention_bytes.to_string()),
                    ];
                    if let Some(delete_retention_ms) = compact {
                        configs.push(("cleanup.policy".to_owned(), "compact,delete".to_owned()));
                        configs.push(("min.cleanable.dirty.ratio".to_owned(), "0".to_owned()));
                        configs.push(("delete.retention.ms".to_owned(), delete_retention_ms.to_string()));
                    }
                    let name = format!("t{name}");
                    if cluster.create_topic(&name, partitions, 1, &configs).is_ok() {
                        appended.retain(|(t, _), _| *t != name);
                    }
                }
                Command::Produce { topic, partition, records } => {
                    let now = cluster.now();
                    let records: Vec<NewRecord> = records
                        .into_iter()
                        .map(|(key, value)| NewRecord { key, value, headers: vec![], timestamp: Some(now) })
                        .collect();
                    let topic = format!("t{topic}");
                    cluster.produce(1, &topic, partition, Acks::All, records.clone());
                    cluster.advance(1);
                    let outcomes = cluster.poll_outcomes();
                    prop_assert_eq!(outcomes.len(), 1, "one answer at once");
                    if outcomes[0].result.is_ok() {
                        appended.entry((topic, partition)).or_default().extend(records);
                    }
                }
                Command::Tick { advance } => {
                    let before: Vec<(String, u32, i64, u64)> = partitions(&cluster)
                        .into_iter()
                        .map(|(t, p, log, _)| (t, p, log.high_watermark(), log.size()))
                        .collect();
                    cluster.advance(advance);
                    for (topic, partition, high_watermark, size_before) in before {
                        let (log, _) = cluster.replica(0, &topic, partition).expect("time deletes no topic");
                        let config = &cluster.topic_configs().into_iter().find(|(t, _, _)| *t == topic).expect("exists").2;
                        prop_assert!(log.log_start_offset() <= high_watermark, "never past the HW");
                        if config.retention_ms < 0 && config.retention_bytes >= 0 && log.size() < size_before {
                            prop_assert!(log.size() as i64 >= config.retention_bytes, "keeps retention.bytes");
                        }
                    }
                }
                Command::DeleteRecords { topic, partition, back } => {
                    let topic = format!("t{topic}");
                    if let Some((log, _)) = cluster.replica(0, &topic, partition) {
                        let target = if back < 0 { -1 } else { (log.high_watermark() - back).max(0) };
                        let _ = cluster.delete_records(&topic, partition, target);
                    } else {
                        prop_assert!(cluster.delete_records(&topic, partition, 0).is_err());
                    }
                }
                Command::AlterRetentionMs { topic, retention_ms } => {
                    let _ = cluster.alter_configs(
                        &format!("t{topic}"),
                        &[AlterConfigOp::Set { name: "retention.ms".into(), value: retention_ms.to_string() }],
                    );
                }
                Command::AddPartitions { topic, total } => {
                    let _ = cluster.create_partitions(&format!("t{topic}"), total);
                }
                Command::Delete { topic } => {
                    let topic = format!("t{topic}");
                    if cluster.delete_topic(&topic).is_ok() {
                        appended.retain(|(t, _), _| *t != topic);
                    }
                }
            }
            // Admin commands reach the broker through the controller's metadata.
            cluster.advance(0);
            host.apply(cluster.poll_storage());
        }
        // A clean shutdown checkpoints the high watermarks.
        cluster.checkpoint_on_next_poll();
        host.apply(cluster.poll_storage());
        let (mut recovered, events) = Cluster::recover(host.image(), cluster.now()).expect("recovers");
        prop_assert!(events.is_empty(), "a clean store recovers without complaint: {:?}", events);
        recovered.advance(0);
        prop_assert_eq!(cluster.topic_configs(), recovered.topic_configs());
        for (topic, partition, log, config) in partitions(&cluster) {
            let (other, _) = recovered.replica(0, &topic, partition).expect("partition recovered");
            prop_assert_eq!(segments(log), segments(other));
            prop_assert_eq!(log.state(), other.state());
            prop_assert_eq!(log.log_end_offset(), other.log_end_offset());
            prop_assert_eq!(log.high_watermark(), other.high_watermark());
            for (a, b) in log.segments().iter().zip(other.segments()) {
                prop_assert_eq!(a.offset_index(), b.offset_index());
                prop_assert_eq!(a.roll_jitter_ms(), b.roll_jitter_ms());
            }
            let start = log.log_start_offset();
            let fetched = other.read_all(start).expect("fetch");
            let all = appended.get(&(topic.clone(), partition)).cloned().unwrap_or_default();
            let expected = &all[start as usize..];
            if config.cleanup_policy.compact {
                // Compaction: every record read is the one appended at its offset, offsets
                // strictly increase, and each key's newest value (not a tombstone) survives.
                let mut previous = start - 1;
                for got in &fetched.records {
                    prop_assert!(got.offset > previous, "offsets strictly increase");
                    previous = got.offset;
                    let want = &all[got.offset as usize];
                    prop_assert_eq!(&got.key, &want.key);
                    prop_assert_eq!(&got.value, &want.value);
                }
                let mut newest: BTreeMap<&Option<Vec<u8>>, (i64, &NewRecord)> = BTreeMap::new();
                for (i, record) in expected.iter().enumerate() {
                    newest.insert(&record.key, (start + i as i64, record));
                }
                for (offset, record) in newest.values() {
                    if record.value.is_some() {
                        prop_assert!(
                            fetched.records.iter().any(|r| r.offset == *offset),
                            "the newest value of each key survives (offset {})", offset
                        );
                    }
                }
            } else {
                prop_assert_eq!(fetched.records.len(), expected.len());
                for (i, (got, want)) in fetched.records.iter().zip(expected).enumerate() {
                    prop_assert_eq!(got.offset, start + i as i64, "offsets are gap-free");
                    prop_assert_eq!(&got.key, &want.key);
                    prop_assert_eq!(&got.value, &want.value);
                    prop_assert_eq!(Some(got.timestamp), want.timestamp);
                }
            }
            let live = log.read_all(start).expect("fetch");
            prop_assert_eq!(live, fetched);
        }
    }
}

#[derive(Clone, Debug)]
enum CompactionStep {
    Produce(Vec<(u8, Option<u8>)>),
    Tick(i64),
}

fn compaction_step() -> impl Strategy<Value = CompactionStep> {
    prop_oneof![
        4 => proptest::collection::vec((0u8..6, proptest::option::weighted(0.85, any::<u8>())), 1..5)
            .prop_map(CompactionStep::Produce),
        1 => (0i64..3_000).prop_map(CompactionStep::Tick),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    /// Compaction keeps the newest value of every key with its offset, only ever removes
    /// records, and recovery from the stored swaps rebuilds the identical log.
    #[test]
    fn compaction_keeps_the_newest_value_per_key(
        segment_bytes in 80u32..400,
        delete_retention_ms in 0i64..4_000,
        steps in proptest::collection::vec(compaction_step(), 1..60),
    ) {
        // The partition's only replica, as a broker drives it: appends, then periodic log
        // maintenance (retention and the cleaner); every change stored as the host stores it.
        let segment_bytes = segment_bytes.to_string();
        let delete_retention_ms = delete_retention_ms.to_string();
        let config = TopicConfig::with_overrides([
            ("cleanup.policy", "compact"),
            ("segment.bytes", segment_bytes.as_str()),
            ("min.cleanable.dirty.ratio", "0"),
            ("delete.retention.ms", delete_retention_ms.as_str()),
        ])
        .expect("valid");
        let mut log = PartitionLog::new(&config, 0);
        let mut store = MemoryStore::new();
        store.apply(StorageOp::PutTopic(TopicRecord { name: "c".into(), partitions: 1, configs: Vec::new() }));
        store.apply(StorageOp::CreateSegment { topic: "c".into(), partition: 0, base_offset: 0 });
        let mut appended: Vec<(u8, Option<u8>)> = Vec::new();
        let mut now = 1_000i64;
        let mut compactions = 0;
        for step in steps {
            let mut changes = Vec::new();
            match step {
                CompactionStep::Produce(records) => {
                    now += 1;
                    let batch: Vec<NewRecord> = records
                        .iter()
                        .map(|(k, v)| NewRecord {
                            key: Some(vec![*k]),
                            value: v.map(|v| vec![v]),
                            headers: vec![],
                            timestamp: Some(now),
                        })
                        .collect();
                    log.append(now, &config, &batch, &mut changes).expect("keyed records");
                    appended.extend(records);
                }
                CompactionStep::Tick(advance) => {
                    now += advance;
                    log.apply_retention(now, &config, &mut changes);
                    log.compact(now, &config, &mut changes);
                }
            }
            compactions += changes
                .iter()
                .filter(|c| matches!(c, LogChange::SegmentsCompacted { .. }))
                .count();
            for change in changes {
                store.apply(op_for_change("c", 0, change));
            }
            let records = log.read_all(log.log_start_offset()).expect("in range").records;
            let mut previous = -1;
            for record in &records {
                prop_assert!(record.offset > previous);
                previous = record.offset;
                let (key, value) = appended[record.offset as usize];
                prop_assert_eq!(record.key.clone(), Some(vec![key]));
                prop_assert_eq!(record.value.clone(), value.map(|v| vec![v]));
            }
            let mut newest: BTreeMap<u8, usize> = BTreeMap::new();
            for (offset, (key, _)) in appended.iter().enumerate() {
                newest.insert(*key, offset);
            }
            for offset in newest.values() {
                if appended[*offset].1.is_some() {
                    prop_assert!(records.iter().any(|r| r.offset == *offset as i64));
                }
            }
        }
        let image = store.image();
        let stored = &image.topics[0];
        let (other, truncations) = PartitionLog::recover(
            stored.segments.iter().map(|s| (s.base_offset, s.bytes.clone())).collect(),
            stored.partition_states.first().map(|(_, state)| *state),
            &config,
            0,
        );
        prop_assert!(truncations.is_empty());
        let other = &other;
        let log = &log;
        prop_assert_eq!(segments(log), segments(other));
        prop_assert_eq!(log.state(), other.state());
        prop_assert_eq!(
            log.read_all(log.log_start_offset()).expect("in range"),
            other.read_all(other.log_start_offset()).expect("in range")
        );
        let _ = compactions;
    }
}
