//! Properties of the log under random commands: recovery from the persisted storage ops
//! rebuilds the identical log; fetches return exactly what was appended from the log start on;
//! retention never deletes past the high watermark and keeps at least `retention.bytes`.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rill_core::Broker;
use rill_core::broker::AlterConfigOp;
use rill_core::config::TopicConfig;
use rill_core::log::{LogChange, PartitionLog};
use rill_core::record::NewRecord;
use rill_core::storage::{MemoryStore, StorageOp, TopicRecord, op_for_change};

/// A record's key and value, each nullable.
type KeyValue = (Option<Vec<u8>>, Option<Vec<u8>>);

#[derive(Clone, Debug)]
enum Command {
    Create {
        name: u8,
        partitions: i64,
        segment_bytes: u32,
        retention_bytes: i64,
        /// `None`: `cleanup.policy=delete`; `Some(delete.retention.ms)`: compacted.
        compact: Option<i64>,
    },
    Produce {
        topic: u8,
        partition: i32,
        records: Vec<KeyValue>,
    },
    Tick {
        advance: i64,
    },
    DeleteRecords {
        topic: u8,
        partition: i32,
        back: i64,
    },
    AlterRetentionMs {
        topic: u8,
        retention_ms: i64,
    },
    AddPartitions {
        topic: u8,
        total: i64,
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
            -1i64..5,
            14u32..600,
            -1i64..1500,
            proptest::option::of(0i64..3_000)
        )
            .prop_map(|(name, partitions, segment_bytes, retention_bytes, compact)| {
                Command::Create { name, partitions, segment_bytes, retention_bytes, compact }
            }),
        8 => (
            0u8..4,
            -1i32..5,
            proptest::collection::vec((key, bytes), 0..6)
        )
            .prop_map(|(topic, partition, records)| Command::Produce {
                topic,
                partition,
                records
            }),
        2 => (0i64..5_000).prop_map(|advance| Command::Tick { advance }),
        1 => (0u8..4, -1i32..5, -1i64..10).prop_map(|(topic, partition, back)| {
            Command::DeleteRecords { topic, partition, back }
        }),
        1 => (0u8..4, -1i64..20_000).prop_map(|(topic, retention_ms)| Command::AlterRetentionMs {
            topic,
            retention_ms
        }),
        1 => (0u8..4, 0i64..7).prop_map(|(topic, total)| Command::AddPartitions { topic, total }),
        1 => (0u8..4).prop_map(|topic| Command::Delete { topic }),
    ]
}

fn segments(log: &PartitionLog) -> Vec<(i64, Vec<u8>)> {
    log.segments()
        .iter()
        .map(|s| (s.base_offset(), s.as_bytes().to_vec()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn recovery_rebuilds_identical_logs(commands in proptest::collection::vec(command(), 1..80)) {
        let mut broker = Broker::with_seed(11);
        let mut store = MemoryStore::new();
        // Every record ever appended, by (topic, partition), at its offset.
        let mut appended: BTreeMap<(String, i32), Vec<NewRecord>> = BTreeMap::new();
        let mut now = 1_000i64;
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
                    if broker.create_topic(&name, partitions, &configs).is_ok() {
                        appended.retain(|(t, _), _| *t != name);
                    }
                }
                Command::Produce { topic, partition, records } => {
                    now += 1;
                    let records: Vec<NewRecord> = records
                        .into_iter()
                        .map(|(key, value)| NewRecord { key, value, headers: vec![], timestamp: Some(now) })
                        .collect();
                    let topic = format!("t{topic}");
                    if broker.produce(now, &topic, partition, &records).is_ok() {
                        appended.entry((topic, partition)).or_default().extend(records);
                    }
                }
                Command::Tick { advance } => {
                    now += advance;
                    let before: Vec<(String, i32, i64, u64)> = broker
                        .topics()
                        .flat_map(|t| t.partitions().iter().enumerate().map(move |(p, l)| {
                            (t.name().to_owned(), p as i32, l.high_watermark(), l.size())
                        }))
                        .collect();
                    broker.tick(now);
                    for (topic, partition, high_watermark, size_before) in before {
                        let log = broker.partition(&topic, partition).expect("tick deletes no topic");
                        let config = broker.topic(&topic).expect("exists").config();
                        prop_assert!(log.log_start_offset() <= high_watermark, "never past the HW");
                        if config.retention_ms < 0 && config.retention_bytes >= 0 && log.size() < size_before {
                            prop_assert!(log.size() as i64 >= config.retention_bytes, "keeps retention.bytes");
                        }
                    }
                }
                Command::DeleteRecords { topic, partition, back } => {
                    let topic = format!("t{topic}");
                    if let Some(log) = broker.partition(&topic, partition) {
                        let target = if back < 0 { -1 } else { (log.high_watermark() - back).max(0) };
                        let _ = broker.delete_records(&topic, partition, target);
                    } else {
                        prop_assert!(broker.delete_records(&topic, partition, 0).is_err());
                    }
                }
                Command::AlterRetentionMs { topic, retention_ms } => {
                    let _ = broker.incremental_alter_configs(
                        &format!("t{topic}"),
                        &[AlterConfigOp::Set { name: "retention.ms".into(), value: retention_ms.to_string() }],
                    );
                }
                Command::AddPartitions { topic, total } => {
                    let _ = broker.create_partitions(&format!("t{topic}"), total);
                }
                Command::Delete { topic } => {
                    let topic = format!("t{topic}");
                    if broker.delete_topic(&topic).is_ok() {
                        appended.retain(|(t, _), _| *t != topic);
                    }
                }
            }
            for op in broker.poll_storage_ops() {
                store.apply(op);
            }
        }
        let recovered = Broker::recover_with_seed(store.image(), 11);
        prop_assert_eq!(broker.topics().count(), recovered.topics().count());
        for topic in broker.topics() {
            let other_topic = recovered.topic(topic.name()).expect("topic recovered");
            prop_assert_eq!(topic.config(), other_topic.config());
            for (partition, log) in topic.partitions().iter().enumerate() {
                let other = recovered.partition(topic.name(), partition as i32).expect("partition recovered");
                prop_assert_eq!(segments(log), segments(other));
                prop_assert_eq!(log.state(), other.state());
                prop_assert_eq!(log.log_end_offset(), other.log_end_offset());
                for (a, b) in log.segments().iter().zip(other.segments()) {
                    prop_assert_eq!(a.offset_index(), b.offset_index());
                    prop_assert_eq!(a.roll_jitter_ms(), b.roll_jitter_ms());
                }
                let start = log.log_start_offset();
                let fetched = recovered.fetch_all(topic.name(), partition as i32, start).expect("fetch");
                let all = appended.get(&(topic.name().to_owned(), partition as i32)).cloned().unwrap_or_default();
                let expected = &all[start as usize..];
                if topic.config().cleanup_policy.compact {
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
                let live = broker.fetch_all(topic.name(), partition as i32, start).expect("fetch");
                prop_assert_eq!(live, fetched);
            }
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
