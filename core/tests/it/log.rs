//! Segments, indexes, rolling, retention, deleteRecords and ListOffsets, checked against the
//! behaviour Apache Kafka's own log tests assert (`UnifiedLogTest`, `LogSegmentTest`). Each
//! test names the Kafka test it mirrors.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::config::TopicConfig;
use rill_core::error::{ErrorCode, KafkaError, ListOffsetsError};
use rill_core::log::{
    DeletionReason, LogChange, OffsetAndTimestamp, OffsetSpec, PartitionLog, RollReason,
};
use rill_core::partitioner::Partitioner;
use rill_core::record::{NewRecord, TimestampType, encode_batch};
use rill_core::storage::{MemoryStore, StorageOp, TopicRecord, op_for_change};

/// Kafka's `TestUtils.singletonRecords("test".getBytes)`: null key, 4-byte value.
fn singleton(timestamp: i64) -> Vec<NewRecord> {
    vec![NewRecord {
        key: None,
        value: Some(b"test".to_vec()),
        headers: vec![],
        timestamp: Some(timestamp),
    }]
}

fn keyed_singleton(timestamp: i64) -> Vec<NewRecord> {
    vec![NewRecord {
        key: Some(b"test".to_vec()),
        value: Some(b"test".to_vec()),
        headers: vec![],
        timestamp: Some(timestamp),
    }]
}

/// The size of one `singleton` batch: 61-byte header plus an 11-byte record.
const RECORD_SIZE: i64 = 72;

fn config(entries: &[(&str, String)]) -> TopicConfig {
    TopicConfig::with_overrides(entries.iter().map(|(k, v)| (*k, v.as_str()))).expect("valid")
}

fn log_with(
    config: &TopicConfig,
    count: i64,
    records: impl Fn(i64) -> Vec<NewRecord>,
    now: i64,
) -> PartitionLog {
    let mut log = PartitionLog::new(config, 7);
    let mut changes = Vec::new();
    for i in 0..count {
        log.append(now, config, &records(i), &mut changes)
            .expect("valid append");
    }
    log
}

#[test]
fn a_singleton_batch_is_72_bytes() {
    let mut bytes = Vec::new();
    encode_batch(
        &mut bytes,
        0,
        0,
        TimestampType::CreateTime,
        0,
        &singleton(0),
    );
    assert_eq!(bytes.len() as i64, RECORD_SIZE);
}

/// `UnifiedLogTest.shouldDeleteSizeBasedSegments`.
#[test]
fn size_retention_leaves_two_segments_of_three() {
    let config = config(&[
        ("segment.bytes", (5 * RECORD_SIZE).to_string()),
        ("retention.bytes", (10 * RECORD_SIZE).to_string()),
    ]);
    let now = 1_000_000;
    let mut log = log_with(&config, 15, |_| singleton(now), now);
    assert_eq!(log.segments().len(), 3);
    let mut changes = Vec::new();
    assert_eq!(log.apply_retention(now, &config, &mut changes), 1);
    assert_eq!(log.segments().len(), 2);
    assert_eq!(log.log_start_offset(), 5);
    assert!(changes.contains(&LogChange::SegmentDeleted {
        base_offset: 0,
        size: 5 * RECORD_SIZE as usize,
        reason: DeletionReason::RetentionBytes,
    }));
    assert!(
        log.size() as i64 >= 10 * RECORD_SIZE,
        "keeps at least retention.bytes"
    );
}

/// `UnifiedLogTest.shouldNotDeleteSizeBasedSegmentsWhenUnderRetentionSize`.
#[test]
fn size_retention_keeps_everything_under_the_limit() {
    let config = config(&[
        ("segment.bytes", (5 * RECORD_SIZE).to_string()),
        ("retention.bytes", (15 * RECORD_SIZE).to_string()),
    ]);
    let mut log = log_with(&config, 15, |_| singleton(5), 5);
    assert_eq!(log.apply_retention(5, &config, &mut Vec::new()), 0);
    assert_eq!(log.segments().len(), 3);
}

/// `UnifiedLogTest.shouldDeleteTimeBasedSegmentsReadyToBeDeleted`: every segment is due, so the
/// log rolls an empty segment first and the log start offset reaches the log end.
#[test]
fn time_retention_deletes_everything_due_and_keeps_an_empty_active_segment() {
    let config = config(&[
        ("segment.bytes", (15 * RECORD_SIZE).to_string()),
        ("retention.ms", "10000".to_owned()),
    ]);
    let now = 1_700_000_000_000;
    let mut log = log_with(&config, 15, |_| singleton(10), now);
    assert_eq!(
        log.segments().len(),
        1,
        "15 records fill one segment exactly"
    );
    let mut changes = Vec::new();
    assert_eq!(log.apply_retention(now, &config, &mut changes), 1);
    assert_eq!(log.segments().len(), 1);
    assert!(log.segments()[0].is_empty());
    assert_eq!(log.log_start_offset(), 15);
    assert_eq!(log.log_end_offset(), 15);
    assert!(matches!(
        changes[0],
        LogChange::SegmentRolled {
            base_offset: 15,
            reason: RollReason::Retention
        }
    ));
    let error = log.read(0, usize::MAX).expect_err("deleted");
    assert_eq!(error.error_code(), ErrorCode::OffsetOutOfRange);
    assert!(
        log.read(15, usize::MAX)
            .expect("at the end")
            .records
            .is_empty()
    );
}

/// `UnifiedLogTest.shouldNotDeleteTimeBasedSegmentsWhenNoneReadyToBeDeleted`.
#[test]
fn time_retention_keeps_young_segments() {
    let config = config(&[
        ("segment.bytes", (5 * RECORD_SIZE).to_string()),
        ("retention.ms", "10000000".to_owned()),
    ]);
    let now = 1_700_000_000_000;
    let mut log = log_with(&config, 15, |_| singleton(now), now);
    assert_eq!(log.apply_retention(now, &config, &mut Vec::new()), 0);
    assert_eq!(log.segments().len(), 3);
}

/// `UnifiedLogTest.shouldNotDeleteSegmentsWhenPolicyDoesNotIncludeDelete`.
#[test]
fn compact_only_topics_ignore_retention() {
    let config = config(&[
        ("segment.bytes", (5 * RECORD_SIZE).to_string()),
        ("retention.ms", "10000".to_owned()),
        ("cleanup.policy", "compact".to_owned()),
    ]);
    let now = 1_700_000_000_000;
    let mut log = log_with(&config, 15, |_| keyed_singleton(10), now);
    let before = log.segments().len();
    assert_eq!(log.apply_retention(now, &config, &mut Vec::new()), 0);
    assert_eq!(log.segments().len(), before);
}

/// `UnifiedLogTest.shouldDeleteSegmentsReadyToBeDeletedWhenCleanupPolicyIsCompactAndDelete`.
#[test]
fn compact_and_delete_topics_apply_retention() {
    let config = config(&[
        ("segment.bytes", (5 * RECORD_SIZE).to_string()),
        ("retention.bytes", (10 * RECORD_SIZE).to_string()),
        ("cleanup.policy", "compact, delete".to_owned()),
    ]);
    let now = 1_700_000_000_000;
    let mut log = log_with(&config, 15, |_| keyed_singleton(10), now);
    log.apply_retention(now, &config, &mut Vec::new());
    assert_eq!(
        log.segments().len(),
        1,
        "time retention (7 days) finds every record due"
    );
}

/// `UnifiedLogTest.testLogDeletionAfterDeleteRecords`.
#[test]
fn delete_records_then_retention_removes_whole_segments_below_the_log_start() {
    let config = config(&[("segment.bytes", (5 * RECORD_SIZE).to_string())]);
    let now = 1_000;
    let mut log = log_with(&config, 15, |_| singleton(now), now);
    assert_eq!(log.segments().len(), 3);
    let mut changes = Vec::new();
    for (offset, segments) in [(1, 3), (6, 2), (15, 1)] {
        assert_eq!(log.delete_records(offset, &mut changes), Ok(offset));
        log.apply_retention(now, &config, &mut changes);
        assert_eq!(
            log.segments().len(),
            segments,
            "after deleteRecords({offset})"
        );
        assert_eq!(log.log_start_offset(), offset);
        assert_eq!(
            log.list_offset(OffsetSpec::Earliest).map(|o| o.offset),
            Some(offset)
        );
    }
    assert!(
        changes
            .iter()
            .filter(|c| matches!(c, LogChange::SegmentDeleted { .. }))
            .all(|c| matches!(
                c,
                LogChange::SegmentDeleted {
                    reason: DeletionReason::LogStartOffset,
                    ..
                }
            ))
    );
    // A fetch below the new start is out of range; at it, the reader skips earlier records.
    assert!(log.read(14, usize::MAX).is_err());
    let mut log = log_with(&config, 15, |_| singleton(now), now);
    log.delete_records(7, &mut Vec::new())
        .expect("below the high watermark");
    let offsets: Vec<i64> = log
        .read_all(7)
        .expect("at the start")
        .records
        .iter()
        .map(|r| r.offset)
        .collect();
    assert_eq!(offsets, (7..15).collect::<Vec<_>>());
    assert_eq!(
        log.delete_records(16, &mut Vec::new())
            .expect_err("above the high watermark")
            .error_code(),
        ErrorCode::OffsetOutOfRange
    );
    assert_eq!(
        log.delete_records(3, &mut Vec::new()),
        Ok(7),
        "never backwards"
    );
    assert_eq!(
        log.delete_records(-1, &mut Vec::new()),
        Ok(15),
        "-1 is the high watermark"
    );
}

/// `LogSegment.shouldRoll` by size: filling a segment to exactly `segment.bytes` is allowed.
#[test]
fn segments_roll_when_the_next_batch_would_exceed_segment_bytes() {
    let config = config(&[("segment.bytes", (3 * RECORD_SIZE).to_string())]);
    let mut log = PartitionLog::new(&config, 0);
    let mut changes = Vec::new();
    for _ in 0..7 {
        log.append(1, &config, &singleton(1), &mut changes)
            .expect("append");
    }
    let bases: Vec<i64> = log.segments().iter().map(|s| s.base_offset()).collect();
    assert_eq!(bases, [0, 3, 6]);
    assert!(
        log.segments()
            .iter()
            .all(|s| s.size() as i64 <= 3 * RECORD_SIZE)
    );
    assert_eq!(log.segments()[0].file_name(), "00000000000000000000.log");
    assert_eq!(log.segments()[2].file_name(), "00000000000000000006.log");
    assert!(changes.iter().any(|c| matches!(
        c,
        LogChange::SegmentRolled {
            base_offset: 3,
            reason: RollReason::Size
        }
    )));
}

/// `UnifiedLogTest.testTimeBasedLogRoll`: the roll depends on the first record's timestamp,
/// and an older timestamp does not roll.
#[test]
fn segments_roll_on_segment_ms_after_the_first_record() {
    let segment_ms = 3_600_000;
    let config = config(&[("segment.ms", segment_ms.to_string())]);
    let t0 = 1_700_000_000_000;
    let mut log = PartitionLog::new(&config, 0);
    let mut changes = Vec::new();
    log.append(t0, &config, &singleton(t0), &mut changes)
        .expect("append");
    log.append(
        t0 + segment_ms + 5,
        &config,
        &singleton(t0 - 1),
        &mut changes,
    )
    .expect("append");
    assert_eq!(log.segments().len(), 1, "an older timestamp does not roll");
    log.append(
        t0 + segment_ms + 5,
        &config,
        &singleton(t0 + segment_ms),
        &mut changes,
    )
    .expect("append");
    assert_eq!(log.segments().len(), 1, "exactly segment.ms is not past it");
    log.append(
        t0 + segment_ms + 5,
        &config,
        &singleton(t0 + segment_ms + 1),
        &mut changes,
    )
    .expect("append");
    assert_eq!(log.segments().len(), 2);
    assert!(changes.iter().any(|c| matches!(
        c,
        LogChange::SegmentRolled {
            reason: RollReason::Time,
            ..
        }
    )));
}

/// Kafka's `RecordBatch.NO_TIMESTAMP`: a record whose producer set no timestamp. (rill's
/// `timestamp: None` asks the broker to stamp the append time; -1 is stored as it is.)
const NO_TIMESTAMP: i64 = -1;

/// `UnifiedLogTest.testTimeBasedLogRollDuringAppend` (Kafka 3.7), step by step: a segment's
/// roll clock is Kafka's `LogSegment.timeWaitedForRoll` — the incoming batch's max timestamp
/// less the first batch's when the first batch has a timestamp, else the wall clock less the
/// segment's creation time (`LogSegment.created`: the first segment at log creation, a rolled
/// one at the roll). `segment.ms` = 3600 ms, Kafka's `MockTime` starts the log.
#[test]
fn time_based_roll_during_append_counts_from_the_segments_creation() {
    let segment_ms: i64 = 60 * 60;
    let config = config(&[("segment.ms", segment_ms.to_string())]);
    let mut now: i64 = 1_700_000_000_000;
    let mut log = PartitionLog::new_at(&config, 0, now);
    let mut changes = Vec::new();
    let mut append = |log: &mut PartitionLog, now: i64, timestamp: i64| {
        log.append(now, &config, &singleton(timestamp), &mut changes)
            .expect("append");
    };
    assert_eq!(
        log.segments().len(),
        1,
        "Log begins with a single empty segment."
    );
    // Records without a timestamp: the wall clock against the creation time.
    now += segment_ms + 1;
    append(&mut log, now, NO_TIMESTAMP);
    assert_eq!(
        log.segments().len(),
        1,
        "Log doesn't roll if doing so creates an empty segment."
    );
    append(&mut log, now, NO_TIMESTAMP);
    assert_eq!(
        log.segments().len(),
        2,
        "Log rolls on this append since time has expired."
    );
    for segments in 3..5 {
        now += segment_ms + 1;
        append(&mut log, now, NO_TIMESTAMP);
        assert_eq!(
            log.segments().len(),
            segments,
            "Changing time beyond rollMs and appending should create a new segment."
        );
    }
    // A timestamped record in a segment whose first record has none: still the wall clock.
    let timestamp = now + segment_ms + 1;
    append(&mut log, now, timestamp);
    assert_eq!(
        log.segments().len(),
        4,
        "Segment should not have been rolled out because the log rolling should be based on wall clock."
    );
    // Timestamped records: the first record's timestamp.
    now += segment_ms + 1;
    append(&mut log, now, timestamp);
    assert_eq!(
        log.segments().len(),
        5,
        "A new segment should have been rolled out"
    );
    now += segment_ms + 1;
    append(&mut log, now, timestamp);
    assert_eq!(
        log.segments().len(),
        5,
        "Log should not roll because the roll should depend on timestamp of the first message."
    );
    append(&mut log, now, now);
    assert_eq!(
        log.segments().len(),
        6,
        "Log should roll because the timestamp in the message should make the log segment expire."
    );
    // An empty message set: Kafka appends nothing; rill refuses it. Neither rolls.
    now += segment_ms + 1;
    let mut changes = Vec::new();
    assert!(log.append(now, &config, &[], &mut changes).is_err());
    assert_eq!(
        log.segments().len(),
        6,
        "Appending an empty message set should not roll log even if sufficient time has passed."
    );
    assert!(changes.is_empty());
}

/// A recovered segment is created when it is loaded, as Kafka's `LogLoader` constructs every
/// `LogSegment` (`created = time.milliseconds()`) at startup: a segment whose first record has
/// no timestamp waits `segment.ms` from the recovery, and an append `segment.ms` after the
/// recovery rolls it even though nothing was appended since.
#[test]
fn a_recovered_segment_is_created_at_recovery() {
    let segment_ms: i64 = 60 * 60;
    let config = config(&[("segment.ms", segment_ms.to_string())]);
    let t0: i64 = 1_700_000_000_000;
    let mut log = PartitionLog::new_at(&config, 0, t0);
    let mut changes = Vec::new();
    log.append(t0, &config, &singleton(NO_TIMESTAMP), &mut changes)
        .expect("append");
    let stored = log.segment_bytes();

    // Recovered at t0 + 10 s (long past segment.ms since the original creation): the clock
    // starts again at the recovery.
    let recovered_at = t0 + 10_000;
    let (mut log, truncations) =
        PartitionLog::recover_at(stored.clone(), Some(log.state()), &config, 0, recovered_at);
    assert!(truncations.is_empty());
    log.append(
        recovered_at + segment_ms,
        &config,
        &singleton(NO_TIMESTAMP),
        &mut changes,
    )
    .expect("append");
    assert_eq!(log.segments().len(), 1, "exactly segment.ms is not past it");
    log.append(
        recovered_at + segment_ms + 1,
        &config,
        &singleton(NO_TIMESTAMP),
        &mut changes,
    )
    .expect("append");
    assert_eq!(log.segments().len(), 2, "segment.ms after the recovery");

    // The first append after a recovery does not restart the clock.
    let (mut log, _) = PartitionLog::recover_at(stored, None, &config, 0, recovered_at);
    log.append(
        recovered_at + segment_ms + 1,
        &config,
        &singleton(NO_TIMESTAMP),
        &mut changes,
    )
    .expect("append");
    assert_eq!(
        log.segments().len(),
        2,
        "rolled on the first append after it"
    );
}

/// `PartitionTest.testMonotonicOffsetsAfterLeaderChange` (Kafka 3.7): a leader whose high
/// watermark lags the offset its epoch began at answers a client's ListOffsets "latest", and a
/// timestamp lookup finding nothing below the high watermark, with `OFFSET_NOT_AVAILABLE`
/// (`Partition.fetchOffsetForTimestamp`); "earliest" and a record found below the high
/// watermark still answer; once the high watermark reaches the epoch start the error goes.
/// Max-timestamp takes the timestamp branch (`case _`) in Kafka's source.
#[test]
fn list_offsets_at_a_leader_lagging_its_epoch_start_is_offset_not_available() {
    let config = config(&[]);
    let now = 1_700_000_000_000;
    let record = |key: &str, value: &str, timestamp: i64| NewRecord {
        key: Some(key.as_bytes().to_vec()),
        value: Some(value.as_bytes().to_vec()),
        headers: vec![],
        timestamp: Some(timestamp),
    };
    let batch1 = vec![record("k1", "v1", 10), record("k2", "v2", 11)];
    let batch2 = vec![
        record("k3", "v1", NO_TIMESTAMP),
        record("k4", "v2", 20),
        record("k5", "v3", 21),
    ];
    let mut log = PartitionLog::new_at(&config, 0, now);
    log.become_leader(8);
    let epoch_start = log.log_end_offset();
    let mut changes = Vec::new();
    for batch in [batch1, batch2] {
        let prepared = log.prepare(now, &config, &batch).expect("valid");
        log.commit(prepared, &config, &mut changes);
    }
    assert_eq!(log.high_watermark(), 0, "Expected leader's HW not move");
    // Followers fetched two records.
    log.update_high_watermark(2);
    let offset = |answer: Result<Option<OffsetAndTimestamp>, ListOffsetsError>| {
        answer.map(|found| found.map(|found| found.offset))
    };
    assert_eq!(
        offset(log.list_offset_at_leader(OffsetSpec::Latest, epoch_start)),
        Ok(Some(2))
    );
    assert_eq!(
        offset(log.list_offset_at_leader(OffsetSpec::Timestamp(30), epoch_start)),
        Ok(None),
        "beyond the HW by timestamp"
    );

    // Follower, then leader again in epoch 10: the epoch starts at the log end, 5, above the
    // high watermark, 2.
    log.become_leader(10);
    let epoch_start = log.log_end_offset();
    assert_eq!(epoch_start, 5);
    let lagging = ListOffsetsError::OffsetNotAvailable {
        high_watermark: 2,
        epoch_start_offset: 5,
    };
    assert_eq!(
        log.list_offset_at_leader(OffsetSpec::Latest, epoch_start),
        Err(lagging.clone())
    );
    assert_eq!(lagging.error_code(), ErrorCode::OffsetNotAvailable);
    assert_eq!(lagging.error_code().code(), 78);
    assert_eq!(
        offset(log.list_offset_at_leader(OffsetSpec::Earliest, epoch_start)),
        Ok(Some(0))
    );
    let found = log
        .list_offset_at_leader(OffsetSpec::Timestamp(11), epoch_start)
        .expect("below the HW")
        .expect("a record");
    assert_eq!((found.offset, found.timestamp), (1, 11));
    assert_eq!(
        log.list_offset_at_leader(OffsetSpec::Timestamp(100), epoch_start),
        Err(lagging.clone())
    );
    assert_eq!(
        log.list_offset_at_leader(OffsetSpec::MaxTimestamp, epoch_start),
        Err(lagging)
    );

    // The followers catch up: the error goes away.
    log.update_high_watermark(5);
    assert_eq!(
        offset(log.list_offset_at_leader(OffsetSpec::Latest, epoch_start)),
        Ok(Some(5))
    );
    assert_eq!(
        offset(log.list_offset_at_leader(OffsetSpec::Timestamp(100), epoch_start)),
        Ok(None)
    );
    assert_eq!(
        offset(log.list_offset_at_leader(OffsetSpec::MaxTimestamp, epoch_start)),
        Ok(Some(4))
    );
}

/// `UnifiedLogTest.testTimeBasedLogRollJitter`.
#[test]
fn segment_jitter_brings_the_time_roll_forward() {
    let segment_ms: i64 = 3_600_000;
    let max_jitter: i64 = 20 * 60;
    for seed in 0..20u64 {
        let config = config(&[
            ("segment.ms", segment_ms.to_string()),
            ("segment.jitter.ms", max_jitter.to_string()),
        ]);
        let mut log = PartitionLog::new(&config, seed);
        let jitter = log.segments()[0].roll_jitter_ms();
        assert!((0..max_jitter).contains(&jitter));
        let mut now = 1_700_000_000_000;
        let mut changes = Vec::new();
        log.append(now, &config, &singleton(now), &mut changes)
            .expect("append");
        now += segment_ms - max_jitter;
        log.append(now, &config, &singleton(now), &mut changes)
            .expect("append");
        assert_eq!(log.segments().len(), 1, "seed {seed}: not yet");
        now += max_jitter - jitter + 1;
        log.append(now, &config, &singleton(now), &mut changes)
            .expect("append");
        assert_eq!(log.segments().len(), 2, "seed {seed}: jitter {jitter}");
    }
    let config = config(&[("segment.jitter.ms", "100000".to_owned())]);
    let jitters: std::collections::BTreeSet<i64> = (0..20)
        .map(|seed| PartitionLog::new(&config, seed).segments()[0].roll_jitter_ms())
        .collect();
    assert!(
        jitters.len() > 10,
        "the seed decides the jitter: {jitters:?}"
    );
}

/// `LogSegmentTest.testIndexEntries`: with `index.interval.bytes` just under two batches, every
/// second append adds an index entry, and the first append never does.
#[test]
fn index_entries_every_index_interval_bytes() {
    let config = config(&[("index.interval.bytes", (2 * RECORD_SIZE - 1).to_string())]);
    let mut log = PartitionLog::new(&config, 0);
    for i in 0..30 {
        log.append(i, &config, &singleton(i), &mut Vec::new())
            .expect("append");
    }
    let segment = &log.segments()[0];
    assert_eq!(segment.offset_index().len(), 14);
    assert_eq!(segment.time_index().len(), 14);
    // Entries point at batch starts, with the batch's last offset.
    for entry in segment.offset_index() {
        assert_eq!(
            i64::from(entry.position),
            i64::from(entry.relative_offset) * RECORD_SIZE
        );
    }
    assert_eq!(segment.offset_index_file().len(), 14 * 8);
    assert_eq!(segment.time_index_file().len(), 14 * 12);
    // Reads through the sparse index find every offset.
    for offset in 0..30 {
        let fetched = log.read(offset, 1).expect("in range");
        assert_eq!(fetched.records[0].offset, offset);
    }
}

/// A full offset index rolls the segment (`segment.index.bytes`).
#[test]
fn a_full_index_rolls_the_segment() {
    let config = config(&[
        ("index.interval.bytes", "0".to_owned()),
        ("segment.index.bytes", "24".to_owned()),
    ]);
    let mut log = PartitionLog::new(&config, 0);
    let mut changes = Vec::new();
    for i in 0..10 {
        log.append(i, &config, &singleton(i), &mut changes)
            .expect("append");
    }
    // 24 bytes hold 3 offset entries (and 2 time entries): the time index fills first.
    assert!(log.segments().len() > 1);
    assert!(changes.iter().any(|c| matches!(
        c,
        LogChange::SegmentRolled {
            reason: RollReason::IndexFull,
            ..
        }
    )));
    for s in log.segments() {
        assert!(
            s.time_index().len() <= 2 + 1,
            "full at 2, plus the entry added on close"
        );
    }
}

/// `LogSegmentTest.testFindOffsetByTimestamp`: a segment at base 40 holding offsets 40..49
/// with timestamp `offset * 10`.
#[test]
fn offsets_for_times_finds_the_first_record_at_or_after() {
    let config = config(&[("index.interval.bytes", (2 * RECORD_SIZE - 1).to_string())]);
    let mut bytes = Vec::new();
    for offset in 40..50 {
        encode_batch(
            &mut bytes,
            offset,
            0,
            TimestampType::CreateTime,
            0,
            &singleton(offset * 10),
        );
    }
    let (log, truncations) = PartitionLog::recover(vec![(40, bytes)], None, &config, 0);
    assert!(truncations.is_empty());
    assert_eq!(log.segments()[0].largest_timestamp(), Some(490));
    for (timestamp, expected) in [
        (420, Some(42)),
        (421, Some(43)),
        (430, Some(43)),
        (431, Some(44)),
        (491, None),
        (401, Some(41)),
        (399, Some(40)),
    ] {
        let found = log.list_offset(OffsetSpec::Timestamp(timestamp));
        assert_eq!(found.map(|o| o.offset), expected, "timestamp {timestamp}");
        if let Some(found) = found {
            assert_eq!(found.timestamp, found.offset * 10);
        }
    }
    assert_eq!(
        log.list_offset(OffsetSpec::Earliest).map(|o| o.offset),
        Some(40)
    );
    assert_eq!(
        log.list_offset(OffsetSpec::Latest)
            .map(|o| (o.offset, o.timestamp)),
        Some((50, -1))
    );
    assert_eq!(
        log.list_offset(OffsetSpec::MaxTimestamp)
            .map(|o| (o.offset, o.timestamp)),
        Some((49, 490))
    );
}

/// Timestamps across many segments, out of order within the log: the answer is the first
/// record in offset order whose timestamp is at or after the target (a brute-force oracle).
#[test]
fn offsets_for_times_across_segments_matches_a_linear_scan() {
    let config = config(&[
        ("segment.bytes", (4 * RECORD_SIZE).to_string()),
        ("index.interval.bytes", "1".to_owned()),
    ]);
    let timestamps: Vec<i64> = (0..40).map(|i: i64| (i * 37) % 50 + i).collect();
    let log = log_with(&config, 40, |i| singleton(timestamps[i as usize]), 0);
    assert!(log.segments().len() >= 10);
    for target in -1..100 {
        let expected = timestamps
            .iter()
            .position(|t| *t >= target.max(0))
            .map(|i| i as i64);
        let found = log.list_offset(OffsetSpec::Timestamp(target.max(0)));
        assert_eq!(found.map(|o| o.offset), expected, "target {target}");
    }
}

#[test]
fn timestamps_outside_the_before_and_after_bounds_are_invalid() {
    let config = config(&[
        ("message.timestamp.before.max.ms", "1000".to_owned()),
        ("message.timestamp.after.max.ms", "10".to_owned()),
    ]);
    let mut log = PartitionLog::new(&config, 0);
    let now = 1_000_000;
    for bad in [now - 1001, now + 11] {
        let error = log
            .append(now, &config, &singleton(bad), &mut Vec::new())
            .expect_err("out of bounds");
        assert_eq!(error.error_code(), ErrorCode::InvalidTimestamp);
    }
    assert_eq!(log.log_end_offset(), 0, "nothing appended");
    for good in [now - 1000, now + 10] {
        log.append(now, &config, &singleton(good), &mut Vec::new())
            .expect("in bounds");
    }
    let config = config_log_append_time();
    log.append(now, &config, &singleton(0), &mut Vec::new())
        .expect("LogAppendTime replaces the timestamp, so it is never out of bounds");
}

fn config_log_append_time() -> TopicConfig {
    config(&[
        ("message.timestamp.type", "LogAppendTime".to_owned()),
        ("message.timestamp.before.max.ms", "1000".to_owned()),
    ])
}

#[test]
fn compacted_topics_refuse_keyless_records() {
    let config = config(&[("cleanup.policy", "compact".to_owned())]);
    let mut log = PartitionLog::new(&config, 0);
    let mut changes = Vec::new();
    let error = log
        .append(0, &config, &singleton(0), &mut changes)
        .expect_err("keyless");
    assert_eq!(error.error_code(), ErrorCode::InvalidRecord);
    assert!(changes.is_empty(), "a refused batch changes nothing");
    assert_eq!(log.log_end_offset(), 0);
    log.append(0, &config, &keyed_singleton(0), &mut changes)
        .expect("keyed");
}

/// A single replica's partition with what it stored: each log change persisted through
/// `op_for_change`, as a host stores a broker's log dir.
struct Stored {
    topic: &'static str,
    config: TopicConfig,
    logs: Vec<PartitionLog>,
    store: MemoryStore,
    ops: Vec<StorageOp>,
}

impl Stored {
    fn new(topic: &'static str, partitions: u32, configs: &[(&str, String)]) -> Self {
        let config = config(configs);
        let mut ops = vec![StorageOp::PutTopic(TopicRecord {
            name: topic.to_owned(),
            partitions,
            configs: configs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        })];
        ops.extend((0..partitions).map(|partition| StorageOp::CreateSegment {
            topic: topic.to_owned(),
            partition,
            base_offset: 0,
        }));
        let logs = (0..partitions)
            .map(|_| PartitionLog::new(&config, 0))
            .collect();
        Self {
            topic,
            config,
            logs,
            store: MemoryStore::new(),
            ops,
        }
    }

    fn persist(&mut self, partition: u32, changes: Vec<LogChange>) {
        self.ops.extend(
            changes
                .into_iter()
                .map(|change| op_for_change(self.topic, partition, change)),
        );
    }

    fn append(&mut self, now: i64, partition: u32, records: &[NewRecord]) {
        let mut changes = Vec::new();
        self.logs[partition as usize]
            .append(now, &self.config, records, &mut changes)
            .expect("append");
        self.persist(partition, changes);
    }

    /// What a broker's periodic log maintenance does: retention, then the cleaner.
    fn tick(&mut self, now: i64) -> Vec<(u32, LogChange)> {
        let mut all = Vec::new();
        for partition in 0..self.logs.len() as u32 {
            let mut changes = Vec::new();
            let log = &mut self.logs[partition as usize];
            log.apply_retention(now, &self.config, &mut changes);
            log.compact(now, &self.config, &mut changes);
            all.extend(changes.iter().cloned().map(|c| (partition, c)));
            self.persist(partition, changes);
        }
        all
    }

    /// Hands what was persisted since the last call to the store.
    fn flush(&mut self) -> Vec<StorageOp> {
        let ops = std::mem::take(&mut self.ops);
        for op in &ops {
            self.store.apply(op.clone());
        }
        ops
    }

    /// The partition rebuilt from the store alone.
    fn recover(&self, partition: u32) -> PartitionLog {
        let image = self.store.image();
        let topic = image
            .topics
            .iter()
            .find(|t| t.record.name == self.topic)
            .expect("stored");
        let segments = topic
            .segments
            .iter()
            .filter(|s| s.partition == partition)
            .map(|s| (s.base_offset, s.bytes.clone()))
            .collect();
        let state = topic
            .partition_states
            .iter()
            .find(|(p, _)| *p == partition)
            .map(|(_, state)| *state);
        let (log, truncations) = PartitionLog::recover(segments, state, &self.config, 0);
        assert!(truncations.is_empty(), "{truncations:?}");
        log
    }
}

#[test]
fn broker_tick_applies_retention_and_reports_each_deletion() {
    let mut stored = Stored::new(
        "t",
        2,
        &[
            ("segment.bytes", (2 * RECORD_SIZE).to_string()),
            ("retention.ms", "1000".to_owned()),
        ],
    );
    for i in 0..6 {
        stored.append(i, 0, &singleton(i));
    }
    stored.append(5_000, 1, &singleton(5_000));
    stored.flush();
    let changes = stored.tick(5_000);
    let deleted: Vec<(u32, i64)> = changes
        .iter()
        .filter_map(|(partition, change)| match change {
            LogChange::SegmentDeleted {
                base_offset,
                reason: DeletionReason::RetentionMs,
                ..
            } => Some((*partition, *base_offset)),
            _ => None,
        })
        .collect();
    assert_eq!(deleted, [(0, 0), (0, 2), (0, 4)]);
    assert_eq!(stored.logs[0].log_start_offset(), 6);
    assert_eq!(stored.logs[1].log_start_offset(), 0);
    let ops = stored.flush();
    assert!(
        ops.iter()
            .any(|op| matches!(op, StorageOp::DeleteSegment { base_offset: 4, .. }))
    );
}

/// Kafka's `LocalLog.read`/`LogSegment.read`: a fetch reads from one segment, returns whole
/// batches while they fit in the byte limit (the first always, however large), may start with
/// a batch that begins before the requested offset, and never returns records at or above the
/// high watermark.
#[test]
fn a_fetch_returns_whole_batches_from_one_segment() {
    let config = config(&[("segment.bytes", "300".to_owned())]);
    let mut log = PartitionLog::new(&config, 0);
    let mut changes = Vec::new();
    let five = |t: i64| -> Vec<NewRecord> { (0..5).flat_map(|_| singleton(t)).collect() };
    for t in 0..6 {
        log.append(t, &config, &five(t), &mut changes)
            .expect("append");
    }
    let batch = log.read_batches(0, 1).expect("in range").bytes.len();
    assert!(
        batch > 72,
        "a 5-record batch, returned whole despite max_bytes = 1"
    );
    assert!(
        log.segments().len() >= 2,
        "{} segments",
        log.segments().len()
    );
    let first_segment_end = log.segments()[1].base_offset();
    // From an offset in the middle of a batch: the batch comes whole, records before are skipped.
    let raw = log.read_batches(7, usize::MAX).expect("in range");
    let batches: Vec<_> = rill_core::record::decode_batches(raw.bytes)
        .map(|b| b.expect("valid").header().base_offset)
        .collect();
    assert_eq!(batches[0], 5, "the batch holding offset 7 starts at 5");
    let last = rill_core::record::decode_batches(raw.bytes)
        .last()
        .expect("a batch")
        .expect("valid")
        .header()
        .last_offset();
    assert_eq!(last + 1, first_segment_end, "one segment per fetch");
    let records = log.read(7, usize::MAX).expect("in range").records;
    assert_eq!(records.first().map(|r| r.offset), Some(7));
    // Two batches' worth of bytes returns exactly two batches.
    let two = log
        .read_batches(0, 2 * batch)
        .expect("in range")
        .bytes
        .len();
    assert_eq!(two, 2 * batch);
    let just_under = log
        .read_batches(0, 2 * batch - 1)
        .expect("in range")
        .bytes
        .len();
    assert_eq!(just_under, batch);
    // read_all follows the segments to the end.
    let all = log.read_all(0).expect("in range").records;
    assert_eq!(all.len(), 30);
    assert!(all.iter().enumerate().all(|(i, r)| r.offset == i as i64));
    // At the log end: nothing, and no error.
    assert!(
        log.read_batches(30, 100)
            .expect("at the end")
            .bytes
            .is_empty()
    );
}

/// The broker's tick runs the cleaner on compacted topics: closed segments keep the newest
/// record per key with its offset, the active segment is untouched, tombstones go once their
/// delete horizon has passed, and recovery from the stored swap rebuilds the same log.
#[test]
fn broker_tick_compacts_and_recovery_rebuilds_the_compacted_log() {
    let mut broker = Stored::new(
        "c",
        1,
        &[
            ("cleanup.policy", "compact".to_owned()),
            ("segment.bytes", "400".to_owned()),
            ("min.cleanable.dirty.ratio", "0.01".to_owned()),
            ("delete.retention.ms", "1000".to_owned()),
        ],
    );
    let record = |key: &str, value: Option<&str>, t: i64| NewRecord {
        key: Some(key.as_bytes().to_vec()),
        value: value.map(|v| v.as_bytes().to_vec()),
        headers: vec![],
        timestamp: Some(t),
    };
    let mut now = 10_000;
    for round in 0..6 {
        for key in ["a", "b", "c"] {
            now += 1;
            let value = format!("{key}{round}");
            broker.append(now, 0, &[record(key, Some(&value), now)]);
        }
    }
    now += 1;
    broker.append(now, 0, &[record("b", None, now)]);
    for _ in 0..4 {
        now += 1;
        broker.append(now, 0, &[record("d", Some("d"), now)]);
    }
    let before = broker.logs[0].segments().len();
    assert!(before > 3, "{before} segments");
    broker.flush();
    let changes = broker.tick(now);
    assert!(
        changes
            .iter()
            .any(|(_, c)| matches!(c, LogChange::SegmentsCompacted { .. })),
        "{changes:?}"
    );
    broker.flush();
    let log = &broker.logs[0];
    let active_base = log.segments().last().expect("active").base_offset();
    let records = log.read_all(0).expect("from the start").records;
    let closed: Vec<(String, Option<String>)> = records
        .iter()
        .filter(|r| r.offset < active_base)
        .map(|r| {
            (
                String::from_utf8_lossy(r.key.as_deref().unwrap_or_default()).into_owned(),
                r.value
                    .as_deref()
                    .map(|v| String::from_utf8_lossy(v).into_owned()),
            )
        })
        .collect();
    let keys: std::collections::BTreeSet<&str> = closed.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys.len(),
        closed.len(),
        "one record per key in the cleaned part: {closed:?}"
    );
    assert!(closed.contains(&("a".to_owned(), Some("a5".to_owned()))));
    assert!(
        closed.contains(&("b".to_owned(), None)),
        "the tombstone stays until its horizon"
    );
    assert!(records.windows(2).all(|w| w[0].offset < w[1].offset));
    let recovered = broker.recover(0);
    let segments = |log: &PartitionLog| {
        log.segments()
            .iter()
            .map(|s| (s.base_offset(), s.as_bytes().to_vec()))
            .collect::<Vec<_>>()
    };
    assert_eq!(segments(&recovered), segments(&broker.logs[0]));
    // Past the delete horizon, with new dirty data, the tombstone goes.
    now += 5_000;
    for _ in 0..6 {
        now += 1;
        broker.append(now, 0, &[record("e", Some("e"), now)]);
    }
    broker.tick(now);
    now += 5_000;
    for _ in 0..6 {
        now += 1;
        broker.append(now, 0, &[record("f", Some("f"), now)]);
    }
    broker.tick(now);
    let log = &broker.logs[0];
    let records = log
        .read_all(log.log_start_offset())
        .expect("from the start")
        .records;
    assert!(
        !records
            .iter()
            .any(|r| r.key.as_deref() == Some(b"b".as_slice())),
        "the tombstone and every older b are gone"
    );
    assert!(
        records
            .iter()
            .any(|r| r.value.as_deref() == Some(b"a5".as_slice()))
    );
}

/// Issue 18 item 14: `read_refs` gives what `read` gives — offsets, timestamps, keys, values
/// (null ones too) and headers (repeated and null ones too) — borrowed instead of copied, from
/// any offset and for any `max_bytes`, across segments.
#[test]
fn read_refs_borrows_exactly_what_read_copies() {
    use rill_core::record::Header;
    let config = config(&[("segment.bytes", "600".to_owned())]);
    let log = log_with(
        &config,
        40,
        |i| {
            (0..3)
                .map(|j| NewRecord {
                    key: (j != 1).then(|| format!("k{i}-{j}").into_bytes()),
                    value: (i % 7 != 0).then(|| format!("value {i} {j} 한국어").into_bytes()),
                    headers: vec![
                        Header {
                            key: "h".into(),
                            value: Some(vec![i as u8]),
                        },
                        Header {
                            key: "h".into(),
                            value: None,
                        },
                    ],
                    timestamp: Some(1_000 + i),
                })
                .collect()
        },
        5_000,
    );
    assert!(log.segments().len() > 3, "several segments");
    for offset in [0, 1, 7, 59, 118, 119] {
        for max_bytes in [1, 300, 5_000, 1 << 20] {
            let owned = log.read(offset, max_bytes).expect("in range");
            let borrowed = log.read_refs(offset, max_bytes).expect("in range");
            assert_eq!(borrowed.high_watermark, owned.high_watermark);
            assert_eq!(borrowed.log_start_offset, owned.log_start_offset);
            assert_eq!(borrowed.log_end_offset, owned.log_end_offset);
            assert_eq!(
                borrowed.records.len(),
                owned.records.len(),
                "{offset} {max_bytes}"
            );
            for (b, o) in borrowed.records.iter().zip(&owned.records) {
                assert_eq!(b.offset, o.offset);
                assert_eq!(b.timestamp, o.timestamp);
                assert_eq!(b.key, o.key.as_deref());
                assert_eq!(b.value, o.value.as_deref());
                let headers: Vec<(&str, Option<&[u8]>)> = b.headers().collect();
                let expected: Vec<(&str, Option<&[u8]>)> = o
                    .headers
                    .iter()
                    .map(|h| (h.key.as_str(), h.value.as_deref()))
                    .collect();
                assert_eq!(headers, expected);
            }
        }
    }
}

/// A keyed record with a value, no timestamp.
fn kv(key: &str, value: &str) -> NewRecord {
    NewRecord {
        key: Some(key.into()),
        value: Some(value.into()),
        ..NewRecord::default()
    }
}

#[test]
fn offsets_are_assigned_per_partition_from_zero() {
    let config = TopicConfig::default();
    let mut logs: Vec<PartitionLog> = (0..3).map(|p| PartitionLog::new(&config, p)).collect();
    let mut partitioner = Partitioner::new();
    let mut expected_next = [0i64; 3];
    for i in 0..30 {
        let key = format!("customer-{}", i % 7);
        let partition = partitioner.partition("orders", 3, Some(key.as_bytes()));
        let info = logs[partition as usize]
            .append(1_000 + i, &config, &[kv(&key, "v")], &mut Vec::new())
            .expect("append");
        assert_eq!(info.base_offset, expected_next[partition as usize]);
        assert_eq!(
            info.log_append_time, None,
            "CreateTime topics answer -1/None"
        );
        expected_next[partition as usize] += 1;
    }
    for (partition, next) in expected_next.iter().enumerate() {
        let log = &logs[partition];
        assert_eq!(log.log_end_offset(), *next);
        let fetched = log.read_all(0).expect("fetch");
        let offsets: Vec<i64> = fetched.records.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, (0..*next).collect::<Vec<_>>());
        for r in &fetched.records {
            let key = r.key.as_deref().expect("keyed");
            assert_eq!(
                rill_core::partitioner::partition_for_key(key, 3),
                partition as u32,
                "same key, same partition"
            );
        }
    }
}

#[test]
fn batch_append_assigns_consecutive_offsets_and_timestamps() {
    let config = config(&[("message.timestamp.type", "LogAppendTime".to_owned())]);
    let mut log = PartitionLog::new(&config, 0);
    let batch: Vec<NewRecord> = (0..4)
        .map(|i| NewRecord {
            timestamp: Some(5),
            ..kv(&i.to_string(), "x")
        })
        .collect();
    let info = log
        .append(777, &config, &batch, &mut Vec::new())
        .expect("append");
    assert_eq!(
        (info.base_offset, info.last_offset, info.log_append_time),
        (0, 3, Some(777))
    );
    let fetched = log.read_all(2).expect("fetch");
    assert_eq!(
        fetched.records.iter().map(|r| r.offset).collect::<Vec<_>>(),
        [2, 3],
        "reader skips to the offset"
    );
    assert!(
        fetched
            .records
            .iter()
            .all(|r| r.timestamp == 777 && r.timestamp_type == TimestampType::LogAppendTime)
    );
}

#[test]
fn fetch_returns_at_least_one_batch_and_respects_max_bytes() {
    let config = TopicConfig::default();
    let mut log = PartitionLog::new(&config, 0);
    for i in 0..10 {
        log.append(i, &config, &[kv("k", &"v".repeat(100))], &mut Vec::new())
            .expect("append");
    }
    let one = log.read(0, 1).expect("fetch");
    assert_eq!(
        one.records.len(),
        1,
        "a fetch smaller than a batch still returns the first batch"
    );
    let all = log.read_all(0).expect("fetch");
    assert_eq!(all.records.len(), 10);
    let end = log
        .read(10, 1000)
        .expect("fetch at log end is empty, not an error");
    assert!(end.records.is_empty());
    assert_eq!(
        (end.log_start_offset, end.high_watermark, end.log_end_offset),
        (0, 10, 10)
    );
}

#[test]
fn segments_roll_on_segment_bytes() {
    let config = config(&[("segment.bytes", "300".to_owned())]);
    let mut log = PartitionLog::new(&config, 0);
    let mut changes = Vec::new();
    for i in 0..6 {
        log.append(i, &config, &[kv("key", &"x".repeat(60))], &mut changes)
            .expect("append");
    }
    assert!(log.segments().len() > 1, "300-byte segments must roll");
    for pair in log.segments().windows(2) {
        assert!(
            pair[0].size() <= 300,
            "closed segments never exceed segment.bytes"
        );
        assert_eq!(
            pair[0].next_offset(),
            Some(pair[1].base_offset()),
            "segments are contiguous"
        );
    }
    assert_eq!(
        log.segments()[1].file_name(),
        format!("{:020}.log", log.segments()[1].base_offset())
    );
    let segment_count = log.segments().len();
    let rolls = changes
        .iter()
        .filter(|c| matches!(c, LogChange::SegmentRolled { .. }))
        .count();
    assert_eq!(rolls, segment_count - 1);
    let all = log.read_all(0).expect("fetch across segments");
    assert_eq!(all.records.len(), 6);
}
