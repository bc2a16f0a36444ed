//! Log compaction (`rill_core::log::cleaner`): scenarios from Kafka's `LogCleanerTest` and
//! `LogCleanerManagerTest`, and properties over random logs.

use rill_core::log::cleaner::{
    CleanInput, CleanOutcome, CleanerConfig, SegmentSlice, clean, cleanable_range,
};
use rill_core::record::{NewRecord, StoredRecord, TimestampType, decode_batches, encode_batch};

/// A stored segment: base offset and bytes.
type Segment = (i64, Vec<u8>);

fn record(key: Option<&str>, value: Option<&str>, timestamp: i64) -> NewRecord {
    NewRecord {
        key: key.map(|k| k.as_bytes().to_vec()),
        value: value.map(|v| v.as_bytes().to_vec()),
        headers: Vec::new(),
        timestamp: Some(timestamp),
    }
}

/// Lays `segments` (each a list of batches) out from offset 0; the last segment is active.
fn build_log(segments: &[Vec<Vec<NewRecord>>]) -> Vec<Segment> {
    let mut next = 0i64;
    segments
        .iter()
        .map(|batches| {
            let base = next;
            let mut bytes = Vec::new();
            for batch in batches {
                encode_batch(&mut bytes, next, 7, TimestampType::CreateTime, 0, batch);
                next += batch.len() as i64;
            }
            (base, bytes)
        })
        .collect()
}

fn slices(segments: &[Segment]) -> Vec<SegmentSlice<'_>> {
    segments
        .iter()
        .map(|(base_offset, bytes)| SegmentSlice {
            base_offset: *base_offset,
            bytes,
        })
        .collect()
}

fn run(
    segments: &[Segment],
    config: &CleanerConfig,
    checkpoint: i64,
    now: i64,
) -> Option<CleanOutcome> {
    let slices = slices(segments);
    let log_end = log_end_offset(segments);
    clean(&CleanInput {
        segments: &slices,
        log_start_offset: segments[0].0,
        high_watermark: log_end,
        cleaner_checkpoint: checkpoint,
        now,
        config,
    })
}

fn log_end_offset(segments: &[Segment]) -> i64 {
    segments
        .iter()
        .flat_map(|(_, bytes)| decode_batches(bytes))
        .map(|b| b.expect("valid").header().last_offset() + 1)
        .max()
        .unwrap_or(0)
        .max(segments.last().map_or(0, |s| s.0))
}

/// The segments after the host swaps in the cleaned groups (empty ones included, as Kafka does).
fn apply(segments: &[Segment], outcome: &CleanOutcome) -> Vec<Segment> {
    let mut result: Vec<Segment> = Vec::new();
    for (base, bytes) in segments {
        if let Some(group) = outcome.groups.iter().find(|g| g.removed.contains(base)) {
            if group.base_offset == *base {
                result.push((group.base_offset, group.bytes.clone()));
            }
        } else {
            result.push((*base, bytes.clone()));
        }
    }
    result
}

fn records_of(segments: &[Segment]) -> Vec<StoredRecord> {
    segments
        .iter()
        .flat_map(|(_, bytes)| decode_batches(bytes))
        .flat_map(|batch| {
            batch
                .expect("cleaned segments hold valid batches")
                .records()
                .map(|r| r.expect("valid record"))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn keys_and_offsets(segments: &[Segment]) -> Vec<(String, i64)> {
    records_of(segments)
        .into_iter()
        .map(|r| {
            let key = r
                .key
                .map_or_else(|| "-".to_owned(), |k| String::from_utf8(k).expect("utf8"));
            (key, r.offset)
        })
        .collect()
}

fn ratio_zero() -> CleanerConfig {
    CleanerConfig {
        min_cleanable_dirty_ratio: 0.0,
        ..CleanerConfig::default()
    }
}

/// Mirrors `LogCleanerTest.testCleanSegments`: superseded values go, survivors keep their
/// offsets, the active segment is untouched, and the checkpoint moves to the active segment.
#[test]
fn clean_segments_keeps_latest_value_per_key() {
    let key = |i: i64| format!("k{i}");
    let first: Vec<Vec<NewRecord>> = (0..10)
        .map(|i| vec![record(Some(&key(i)), Some("old"), 1)])
        .collect();
    let updates: Vec<Vec<NewRecord>> = [1, 3, 5, 7, 9]
        .iter()
        .map(|&i| vec![record(Some(&key(i)), Some("new"), 2)])
        .collect();
    let active = vec![vec![record(Some("k1"), Some("newest"), 3)]];
    let log = build_log(&[first, updates, active]);
    let outcome = run(&log, &ratio_zero(), 0, 10).expect("everything is dirty");
    assert_eq!(outcome.new_checkpoint, 15);
    assert_eq!(
        outcome.groups.len(),
        1,
        "both segments fit in one segment.bytes group"
    );
    assert_eq!(outcome.groups[0].removed, vec![0, 10]);
    assert_eq!(outcome.stats.records_read, 15);
    assert_eq!(outcome.stats.records_kept, 10);
    let cleaned = apply(&log, &outcome);
    let expected: Vec<(String, i64)> = [0, 2, 4, 6, 8]
        .iter()
        .map(|&i| (key(i), i))
        .chain((0..5).map(|i| (key(2 * i + 1), 10 + i)))
        .chain([("k1".to_owned(), 15)])
        .collect();
    assert_eq!(keys_and_offsets(&cleaned), expected);
    assert_eq!(
        cleaned.last(),
        log.last(),
        "the active segment is never cleaned"
    );
}

/// Mirrors `LogCleanerTest.testCleaningWithDeletes` and KIP-534's two passes
/// (`runTwoPassClean`): the first pass drops the deleted keys' values and stamps the surviving
/// tombstones' batches with a delete horizon of now + delete.retention.ms; a later pass drops
/// the tombstones once now reaches the horizon.
#[test]
fn tombstones_survive_until_their_delete_horizon() {
    let config = CleanerConfig {
        min_cleanable_dirty_ratio: 0.0,
        delete_retention_ms: 1_000,
        ..CleanerConfig::default()
    };
    let values: Vec<Vec<NewRecord>> = (0..6)
        .map(|i| vec![record(Some(&format!("k{i}")), Some("v"), 1)])
        .collect();
    let deletes: Vec<Vec<NewRecord>> = vec![
        [0, 2, 4]
            .iter()
            .map(|i| record(Some(&format!("k{i}")), None, 2))
            .collect(),
    ];
    let log = build_log(&[values, deletes, vec![]]);
    let first = run(&log, &config, 0, 5_000).expect("dirty");
    assert_eq!(first.stats.tombstones_removed, 0);
    let log = apply(&log, &first);
    let kept = keys_and_offsets(&log);
    assert_eq!(
        kept,
        vec![
            ("k1".to_owned(), 1),
            ("k3".to_owned(), 3),
            ("k5".to_owned(), 5),
            ("k0".to_owned(), 6),
            ("k2".to_owned(), 7),
            ("k4".to_owned(), 8),
        ]
    );
    let tombstone_batch = log
        .iter()
        .flat_map(|(_, bytes)| decode_batches(bytes))
        .map(|b| b.expect("valid"))
        .find(|b| b.header().base_offset == 6)
        .expect("the tombstones' batch survives");
    assert_eq!(tombstone_batch.header().delete_horizon(), Some(6_000));
    assert_eq!(tombstone_batch.header().base_offset, 6);
    // The horizon rewrite keeps each record's own timestamp.
    assert!(
        tombstone_batch
            .records()
            .all(|r| r.expect("valid").timestamp == 2)
    );

    // New dirty data arrives; the tombstones (now in the clean part) are rewritten again.
    let mut log = log;
    let (active_base, _) = log.pop().expect("active");
    let mut tail = Vec::new();
    encode_batch(
        &mut tail,
        active_base,
        7,
        TimestampType::CreateTime,
        0,
        &[record(Some("k9"), Some("v"), 3)],
    );
    log.push((active_base, tail));
    log.push((active_base + 1, Vec::new()));
    let checkpoint = first.new_checkpoint;
    let early = run(&log, &config, checkpoint, 5_999).expect("new dirty segment");
    assert_eq!(
        early.stats.tombstones_removed, 0,
        "now < horizon: tombstones stay"
    );
    let late = run(&log, &config, checkpoint, 6_000).expect("new dirty segment");
    assert_eq!(
        late.stats.tombstones_removed, 3,
        "now >= horizon: tombstones go"
    );
    let log = apply(&log, &late);
    assert!(records_of(&log).iter().all(|r| r.value.is_some()));
}

/// Kafka counts keyless records in a compacted log as invalid and drops them.
#[test]
fn keyless_records_are_dropped() {
    let log = build_log(&[
        vec![vec![
            record(None, Some("x"), 1),
            record(Some("a"), Some("1"), 1),
            record(None, Some("y"), 1),
        ]],
        vec![],
    ]);
    let outcome = run(&log, &ratio_zero(), 0, 10).expect("dirty");
    assert_eq!(outcome.stats.keyless_removed, 2);
    assert_eq!(
        keys_and_offsets(&apply(&log, &outcome)),
        vec![("a".to_owned(), 1)]
    );
}

/// `MemoryRecords.filterTo`: a batch whose records all survive is copied byte for byte; a
/// partly kept batch is rewritten with its base offset, last offset delta (`overrideLastOffset`),
/// leader epoch, producer fields and timestamp type, and a fresh CRC.
#[test]
fn whole_batches_are_copied_and_partial_batches_rewritten() {
    let whole = vec![
        record(Some("a"), Some("1"), 5),
        record(Some("b"), Some("1"), 6),
    ];
    let partial = vec![
        record(Some("c"), Some("1"), 7),
        record(Some("d"), Some("1"), 8),
        record(Some("e"), Some("1"), 9),
    ];
    let update = vec![
        record(Some("c"), Some("2"), 10),
        record(Some("e"), Some("2"), 11),
    ];
    let log = build_log(&[vec![whole, partial, update], vec![]]);
    let original: Vec<_> = decode_batches(&log[0].1)
        .map(|b| b.expect("valid"))
        .collect();
    let outcome = run(&log, &ratio_zero(), 0, 100).expect("dirty");
    let cleaned = &outcome.groups[0].bytes;
    let batches: Vec<_> = decode_batches(cleaned).map(|b| b.expect("valid")).collect();
    assert_eq!(batches.len(), 3);
    assert_eq!(
        batches[0].as_bytes(),
        original[0].as_bytes(),
        "copied byte for byte"
    );
    assert_eq!(batches[2].as_bytes(), original[2].as_bytes());
    let rewritten = batches[1].header();
    let before = original[1].header();
    assert_eq!(rewritten.base_offset, before.base_offset);
    assert_eq!(rewritten.last_offset_delta, before.last_offset_delta);
    assert_eq!(rewritten.partition_leader_epoch, 7);
    assert_eq!(rewritten.producer_id, before.producer_id);
    assert_eq!(rewritten.timestamp_type(), TimestampType::CreateTime);
    assert_eq!(rewritten.record_count, 1);
    assert_eq!(rewritten.base_timestamp, 8);
    assert_eq!(rewritten.max_timestamp, 8);
    assert_eq!(rewritten.delete_horizon(), None);
    assert_ne!(rewritten.crc, before.crc);
    let survivor: Vec<_> = batches[1].records().map(|r| r.expect("valid")).collect();
    assert_eq!(survivor[0].offset, 3);
    assert_eq!(survivor[0].key.as_deref(), Some(&b"d"[..]));
    assert_eq!(
        outcome.stats.bytes_read,
        log[0].1.len() as u64,
        "every batch of the cleaned segments is read"
    );
    assert_eq!(outcome.stats.bytes_written, cleaned.len() as u64);
}

/// Mirrors `LogCleanerTest.testCleanSegmentsRetainingLastEmptyBatch` (KAFKA-17076, Kafka 4.0):
/// the batch that ends right below the round's upper bound is kept as an empty header so the
/// log end offset stays discoverable; other emptied batches go.
#[test]
fn last_batch_of_the_round_is_kept_empty() {
    let log = build_log(&[
        vec![
            vec![record(Some("a"), Some("1"), 1)],
            vec![record(None, Some("x"), 1)],
            vec![record(Some("a"), Some("2"), 1)],
            vec![record(None, Some("y"), 1), record(None, Some("z"), 1)],
        ],
        vec![],
    ]);
    let outcome = run(&log, &ratio_zero(), 0, 10).expect("dirty");
    let batches: Vec<_> = decode_batches(&outcome.groups[0].bytes)
        .map(|b| b.expect("our decoder reads the empty batch"))
        .collect();
    let headers: Vec<_> = batches.iter().map(|b| *b.header()).collect();
    assert_eq!(headers.len(), 2);
    assert_eq!(headers[0].base_offset, 2);
    assert_eq!((headers[1].base_offset, headers[1].last_offset()), (3, 4));
    assert_eq!(headers[1].record_count, 0);
    assert_eq!(headers[1].base_timestamp, -1);
    assert_eq!(headers[1].size(), 61);
    assert_eq!(outcome.new_checkpoint, 5);
}

/// `cleanSegments` swaps in the cleaned segment even when nothing survived: an empty segment
/// under the group's first base offset.
#[test]
fn a_group_with_no_survivors_becomes_an_empty_segment() {
    let log = build_log(&[
        vec![vec![record(Some("a"), Some("1"), 1)]],
        vec![vec![record(Some("a"), Some("2"), 1)]],
        vec![],
    ]);
    let config = CleanerConfig {
        segment_bytes: log[0].1.len() as u32,
        ..ratio_zero()
    };
    let outcome = run(&log, &config, 0, 10).expect("dirty");
    assert_eq!(outcome.groups.len(), 2);
    assert_eq!(outcome.groups[0].removed, vec![0]);
    assert_eq!(outcome.groups[0].base_offset, 0);
    assert!(outcome.groups[0].bytes.is_empty());
    assert_eq!(outcome.groups[1].bytes, log[1].1);
}

/// Mirrors `LogCleanerManagerTest.testCleanableOffsetsForNone`: no lag, the whole log before
/// the active segment is cleanable, and a high watermark inside a segment holds that segment
/// back (`calculateCleanableBytes` rounds down to a segment base).
#[test]
fn cleanable_range_is_whole_segments_below_the_high_watermark() {
    let log = build_log(&[
        vec![vec![record(Some("a"), Some("1"), 1)]],
        vec![
            vec![record(Some("a"), Some("2"), 1)],
            vec![record(Some("b"), Some("2"), 1)],
        ],
        vec![vec![record(Some("c"), Some("1"), 1)]],
    ]);
    let slices = slices(&log);
    let config = ratio_zero();
    let mut input = CleanInput {
        segments: &slices,
        log_start_offset: 0,
        high_watermark: 4,
        cleaner_checkpoint: 0,
        now: 10,
        config: &config,
    };
    assert_eq!(cleanable_range(&input).first_uncleanable_offset, 3);
    input.high_watermark = 2;
    let range = cleanable_range(&input);
    assert_eq!(range.first_uncleanable_offset, 1);
    let outcome = clean(&input).expect("segment 0 is cleanable");
    assert_eq!(outcome.new_checkpoint, 1);
    assert_eq!(outcome.groups.len(), 1);
    assert_eq!(outcome.groups[0].removed, vec![0]);
    assert_eq!(
        outcome.groups[0].bytes, log[0].1,
        "a's newer value is not yet in range"
    );
}

/// Every batch the cleaner writes, including delete-horizon and empty batches, decodes with an
/// independent codec.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn cleaned_batches_decode_with_kafka_protocol() {
    let log = build_log(&[
        vec![
            vec![record(Some("a"), Some("1"), 1), record(Some("b"), None, 2)],
            vec![record(Some("a"), Some("2"), 3), record(None, Some("x"), 4)],
            vec![record(None, Some("y"), 5)],
        ],
        vec![],
    ]);
    let outcome = run(&log, &ratio_zero(), 0, 100).expect("dirty");
    let bytes = &outcome.groups[0].bytes;
    let theirs = kafka_decode(bytes);
    let ours: Vec<_> = records_of(&[(0, bytes.clone())]);
    assert_eq!(theirs.len(), ours.len());
    for (t, o) in theirs.iter().zip(&ours) {
        assert_eq!(t.offset, o.offset);
        assert_eq!(t.timestamp, o.timestamp);
        assert_eq!(t.key.as_deref(), o.key.as_deref());
        assert_eq!(t.value.as_deref(), o.value.as_deref());
    }
    assert!(
        theirs.iter().any(|r| r.delete_horizon),
        "kafka-protocol sees the horizon bit"
    );
}

/// Decodes every batch in `bytes` with `kafka-protocol`.
#[cfg(not(target_arch = "wasm32"))]
fn kafka_decode(bytes: &[u8]) -> Vec<kafka_protocol::records::Record> {
    let mut buf = bytes::Bytes::copy_from_slice(bytes);
    let mut records = Vec::new();
    while !buf.is_empty() {
        let set = kafka_protocol::records::RecordBatchDecoder::decode(&mut buf)
            .expect("kafka-protocol decodes the cleaner's batches");
        assert_eq!(set.version, 2);
        records.extend(set.records);
    }
    records
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    /// A batch: `(key index or keyless, has value)` per record.
    type BatchSpec = Vec<(Option<u8>, bool)>;

    fn log_strategy() -> impl Strategy<Value = Vec<Vec<BatchSpec>>> {
        let record = (
            proptest::option::weighted(0.9, 0u8..6),
            proptest::bool::weighted(0.8),
        );
        let batch = proptest::collection::vec(record, 1..4);
        let segment = proptest::collection::vec(batch, 0..4);
        proptest::collection::vec(segment, 1..6)
    }

    fn materialise(spec: &[Vec<BatchSpec>]) -> Vec<Segment> {
        let mut timestamp = 1_000;
        let segments: Vec<Vec<Vec<NewRecord>>> = spec
            .iter()
            .map(|segment| {
                segment
                    .iter()
                    .map(|batch| {
                        batch
                            .iter()
                            .map(|(key, has_value)| {
                                timestamp += 1;
                                let value = format!("v{timestamp}");
                                NewRecord {
                                    key: key.map(|k| vec![b'k', k]),
                                    value: has_value.then(|| value.into_bytes()),
                                    headers: vec![rill_core::record::Header {
                                        key: "h".to_owned(),
                                        value: Some(vec![1, 2]),
                                    }],
                                    timestamp: Some(timestamp),
                                }
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        // An empty segment before the active one would share its successor's base offset.
        let mut log = build_log(&segments);
        let last = log.len() - 1;
        let mut index = 0;
        log.retain(|s| {
            index += 1;
            index - 1 == last || !s.1.is_empty()
        });
        log
    }

    /// Every record with its batch's delete horizon.
    fn records_with_horizon(segments: &[Segment]) -> Vec<(StoredRecord, Option<i64>)> {
        segments
            .iter()
            .flat_map(|(_, bytes)| decode_batches(bytes))
            .flat_map(|batch| {
                let batch = batch.expect("valid");
                let horizon = batch.header().delete_horizon();
                batch
                    .records()
                    .map(move |r| (r.expect("valid"), horizon))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The records Kafka's rules keep below `end`, from the records before cleaning.
    fn expected_survivors(
        before: &[(StoredRecord, Option<i64>)],
        first_dirty: i64,
        end: i64,
        now: i64,
    ) -> Vec<StoredRecord> {
        let mut latest: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
        for (r, _) in before {
            if let Some(key) = &r.key
                && r.offset >= first_dirty
                && r.offset < end
            {
                latest.insert(key.clone(), r.offset);
            }
        }
        before
            .iter()
            .filter(|(r, horizon)| {
                r.offset >= end
                    || r.key.as_ref().is_some_and(|key| {
                        r.offset >= latest.get(key).copied().unwrap_or(-1)
                            && (r.value.is_some() || horizon.is_none_or(|h| now < h))
                    })
            })
            .map(|(r, _)| r.clone())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn cleaning_follows_kafkas_rules(
            spec in log_strategy(),
            checkpoint_pick in 0usize..8,
            retention in 1i64..5_000,
            now in 0i64..4_000,
            segment_bytes in prop_oneof![Just(u32::MAX), 100u32..600],
        ) {
            let log = materialise(&spec);
            let config = CleanerConfig {
                min_cleanable_dirty_ratio: 0.0,
                delete_retention_ms: retention,
                segment_bytes,
                ..CleanerConfig::default()
            };
            let checkpoint = log.get(checkpoint_pick).map_or(0, |s| s.0);
            let before = records_with_horizon(&log);
            let Some(outcome) = run(&log, &config, checkpoint, now) else {
                return Ok(());
            };
            let end = outcome.new_checkpoint;
            let first_dirty = outcome.stats.first_dirty_offset;
            let cleaned = apply(&log, &outcome);

            // Segments at or above the first uncleanable offset are untouched.
            prop_assert!(outcome.groups.iter().flat_map(|g| &g.removed).all(|&base| base < end));
            let untouched = |s: &&Segment| s.0 >= end;
            prop_assert_eq!(
                log.iter().filter(untouched).collect::<Vec<_>>(),
                cleaned.iter().filter(untouched).collect::<Vec<_>>()
            );
            // Survivors are exactly Kafka's, with their offsets, keys, values and timestamps.
            let after = records_with_horizon(&cleaned);
            let got: Vec<StoredRecord> = after.iter().map(|(r, _)| r.clone()).collect();
            prop_assert_eq!(&got, &expected_survivors(&before, first_dirty, end, now));
            // Offsets strictly increase.
            prop_assert!(got.windows(2).all(|w| w[0].offset < w[1].offset));
            // Every surviving tombstone below `end` carries a horizon no later than
            // now + delete.retention.ms, and it has not passed.
            for (r, horizon) in &after {
                if r.value.is_none() && r.offset < end {
                    let h = horizon.expect("a cleaned tombstone's batch has a delete horizon");
                    prop_assert!(now < h && h <= now + retention);
                }
            }
            // Every cleaned group decodes with kafka-protocol, record for record.
            for group in &outcome.groups {
                let theirs = kafka_decode(&group.bytes);
                let ours = records_of(&[(group.base_offset, group.bytes.clone())]);
                prop_assert_eq!(theirs.len(), ours.len());
                for (t, o) in theirs.iter().zip(&ours) {
                    prop_assert_eq!(t.offset, o.offset);
                    prop_assert_eq!(t.timestamp, o.timestamp);
                    prop_assert_eq!(t.key.as_deref(), o.key.as_deref());
                    prop_assert_eq!(t.value.as_deref(), o.value.as_deref());
                    prop_assert_eq!(t.headers.len(), o.headers.len());
                }
            }

            // Nothing new is dirty: a second round does nothing.
            prop_assert!(run(&cleaned, &config, end, now).is_none());
            // After a round that started at the log start, re-cleaning everything at the same
            // time changes no byte below `end`.
            if first_dirty == log[0].0
                && let Some(again) = run(&cleaned, &config, 0, now)
            {
                let twice = apply(&cleaned, &again);
                let below = |segments: &[Segment]| -> Vec<u8> {
                    segments.iter().filter(|s| s.0 < end).flat_map(|s| s.1.clone()).collect()
                };
                prop_assert_eq!(below(&twice), below(&cleaned));
            }

            // Later, once now reaches every horizon, a round drops the tombstones too.
            let later = now + retention;
            if let Some(expired) = run(&cleaned, &config, 0, later) {
                let gone = apply(&cleaned, &expired);
                prop_assert!(records_of(&gone)
                    .iter()
                    .all(|r| r.value.is_some() || r.offset >= expired.new_checkpoint));
            }
        }
    }
}
