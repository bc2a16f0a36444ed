//! The log-level primitives replication needs: the leader epoch cache (golden cases from
//! Kafka's `LeaderEpochFileCacheTest`), follower appends that copy the leader's bytes exactly,
//! truncation (`UnifiedLog.truncateTo`, `LogSegment.truncateTo`, `truncateFullyAndStartAt`),
//! and the epoch-driven truncation of KIP-101/KIP-279 (`EpochDrivenReplicationProtocol
//! AcceptanceTest`), with a property over random appends, epoch bumps, fetch sizes and
//! truncations.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeMap;

use rill_core::config::TopicConfig;
use rill_core::error::{ErrorCode, KafkaError};
use rill_core::log::{
    EpochEntry, LeaderEpochCache, LogChange, PartitionLog, ReplicaAppendError, UNDEFINED_EPOCH,
    UNDEFINED_EPOCH_OFFSET,
};
use rill_core::record::{DecodeError, NewRecord, TimestampType, encode_batch};

const UNDEFINED: (i32, i64) = (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);

fn cache(entries: &[(i32, i64)]) -> LeaderEpochCache {
    let mut cache = LeaderEpochCache::new();
    for &(epoch, start) in entries {
        cache.assign(epoch, start);
    }
    cache
}

fn entries(cache: &LeaderEpochCache) -> Vec<(i32, i64)> {
    cache
        .entries()
        .iter()
        .map(|e| (e.epoch, e.start_offset))
        .collect()
}

// ---- LeaderEpochFileCacheTest -------------------------------------------------------------

/// `shouldAddEpochAndMessageOffsetToCache`.
#[test]
fn cache_adds_epoch_and_offset() {
    let cache = cache(&[(2, 10)]);
    assert_eq!(cache.latest_epoch(), Some(2));
    assert_eq!(cache.end_offset_for(2, 11), (2, 11));
}

/// `shouldReturnLogEndOffsetIfLatestEpochRequested`.
#[test]
fn cache_answers_the_log_end_for_the_latest_epoch() {
    let cache = cache(&[(2, 5), (3, 6), (4, 7)]);
    assert_eq!(cache.end_offset_for(4, 11), (4, 11));
}

/// `shouldReturnUndefinedOffsetIfUndefinedEpochRequested`.
#[test]
fn cache_answers_undefined_for_the_undefined_epoch() {
    let cache = cache(&[(2, 5)]);
    assert_eq!(cache.end_offset_for(UNDEFINED_EPOCH, 11), UNDEFINED);
}

/// `shouldReturnFirstEpochIfRequestedEpochLessThanFirstEpoch`: the requested epoch itself,
/// ending where the first known epoch starts.
#[test]
fn cache_answers_the_requested_epoch_below_the_first() {
    let cache = cache(&[(5, 11), (6, 12), (7, 13)]);
    assert_eq!(cache.end_offset_for(4, 0), (4, 11));
}

/// `shouldGetFirstOffsetOfSubsequentEpochWhenOffsetRequestedForPreviousEpoch`.
#[test]
fn cache_ends_an_epoch_where_the_next_starts() {
    let cache = cache(&[(1, 11), (1, 12), (2, 13), (2, 14), (3, 15), (3, 16)]);
    assert_eq!(entries(&cache), [(1, 11), (2, 13), (3, 15)]);
    assert_eq!(cache.end_offset_for(2, 17), (2, 15));
}

/// `shouldReturnNextAvailableEpochIfThereIsNoExactEpochForTheOneRequested`.
#[test]
fn cache_answers_the_largest_epoch_at_or_below_the_requested() {
    let cache = cache(&[(0, 10), (2, 13), (4, 17)]);
    assert_eq!(cache.end_offset_for(1, 0), (0, 13));
    assert_eq!(cache.end_offset_for(2, 0), (2, 17));
    assert_eq!(cache.end_offset_for(3, 0), (2, 17));
}

/// `shouldReturnInvalidOffsetIfEpochIsRequestedWhichIsNotCurrentlyTracked`.
#[test]
fn cache_answers_undefined_above_the_latest_epoch() {
    let cache = cache(&[(2, 100)]);
    assert_eq!(cache.end_offset_for(3, 100), UNDEFINED);
}

/// `shouldFetchEndOffsetOfEmptyCache`, `shouldFetchLatestEpochOfEmptyCache`.
#[test]
fn an_empty_cache_knows_nothing() {
    let cache = LeaderEpochCache::new();
    assert_eq!(cache.end_offset_for(7, 0), UNDEFINED);
    assert_eq!(cache.latest_epoch(), None);
    assert!(cache.is_empty());
}

/// `shouldTruncateIfMatchingEpochButEarlierStartingOffset`.
#[test]
fn cache_moves_an_epoch_to_an_earlier_start() {
    let mut cache = cache(&[(5, 11), (6, 12), (7, 13)]);
    assert!(cache.assign(7, 12));
    assert_eq!(entries(&cache), [(5, 11), (7, 12)]);
    assert_eq!(cache.end_offset_for(5, 0), (5, 12));
    assert_eq!(cache.end_offset_for(6, 0), (5, 12));
}

/// `shouldNotRetainEpochsAfterALowerEpochIsAssigned` (a lower epoch at a higher offset wipes
/// the entries that would conflict).
#[test]
fn cache_assigning_a_lower_epoch_removes_the_higher_ones() {
    let cache = cache(&[(1, 5), (2, 6), (1, 7)]);
    assert_eq!(entries(&cache), [(1, 7)]);
    assert_eq!(cache.end_offset_for(1, 8), (1, 8));
    assert_eq!(cache.end_offset_for(2, 8), UNDEFINED);
}

/// `shouldEnforceMonotonicallyIncreasingEpochs`: a new epoch at the same offset replaces.
#[test]
fn cache_a_new_epoch_at_the_same_offset_replaces_the_old() {
    assert_eq!(entries(&cache(&[(2, 9), (3, 9)])), [(3, 9)]);
}

/// `shouldEnforceMonotonicallyIncreasingStartOffsets`.
#[test]
fn cache_a_new_epoch_below_the_latest_start_replaces_it() {
    assert_eq!(entries(&cache(&[(2, 6), (3, 5)])), [(3, 5)]);
}

/// `shouldNotOverwriteOffsetForALeaderEpochOnceItHasBeenAssigned`.
#[test]
fn cache_an_epoch_keeps_its_first_start() {
    let mut cache = cache(&[(2, 6)]);
    assert!(
        !cache.assign(2, 7),
        "a later start for the latest epoch is a no-op"
    );
    assert_eq!(entries(&cache), [(2, 6)]);
}

/// `shouldSupportEpochsThatDoNotStartFromZero`.
#[test]
fn cache_epochs_need_not_start_at_zero() {
    let cache = cache(&[(2, 6)]);
    assert_eq!(cache.end_offset_for(2, 7), (2, 7));
    assert_eq!(entries(&cache), [(2, 6)]);
}

/// `shouldIncreaseAndTrackEpochsAsLeadersChangeManyTimes` and
/// `shouldIncreaseAndTrackEpochsAsFollowerReceivesManyMessages`.
#[test]
fn cache_tracks_many_leader_changes() {
    let mut cache = LeaderEpochCache::new();
    cache.assign(0, 0);
    assert_eq!(cache.end_offset_for(0, 0), (0, 0));
    cache.assign(1, 0);
    assert_eq!(cache.latest_epoch(), Some(1));
    assert_eq!(cache.end_offset_for(1, 0), (1, 0));
    cache.assign(2, 0);
    assert_eq!(entries(&cache), [(2, 0)]);
    // Followers: every batch is offered, only the first of each epoch sticks.
    let mut cache = LeaderEpochCache::new();
    for (epoch, offset) in [(0, 0), (0, 1), (1, 2), (1, 3), (1, 4), (2, 5), (2, 6)] {
        cache.assign(epoch, offset);
    }
    assert_eq!(entries(&cache), [(0, 0), (1, 2), (2, 5)]);
    assert_eq!(cache.end_offset_for(0, 7), (0, 2));
    assert_eq!(cache.end_offset_for(1, 7), (1, 5));
    assert_eq!(cache.end_offset_for(2, 7), (2, 7));
}

fn boundary_cache() -> LeaderEpochCache {
    cache(&[(2, 6), (3, 8), (4, 11)])
}

/// `shouldDropEntriesOnEpochBoundaryWhenRemovingLatestEntries`,
/// `shouldDropEntriesBetweenEpochBoundaryWhenRemovingNewest`,
/// `shouldNotResetEpochHistoryHeadIfUndefinedPassed`.
#[test]
fn cache_truncate_from_end() {
    let mut cache = boundary_cache();
    cache.truncate_from_end(8);
    assert_eq!(entries(&cache), [(2, 6)]);
    let mut cache = boundary_cache();
    cache.truncate_from_end(9);
    assert_eq!(entries(&cache), [(2, 6), (3, 8)]);
    let mut cache = boundary_cache();
    cache.truncate_from_end(UNDEFINED_EPOCH_OFFSET);
    assert_eq!(entries(&cache), [(2, 6), (3, 8), (4, 11)]);
    let mut cache = boundary_cache();
    cache.truncate_from_end(12);
    assert_eq!(entries(&cache), [(2, 6), (3, 8), (4, 11)]);
}

/// `shouldPreserveResetOffsetOnClearEarliestIfOneExists`,
/// `shouldUpdateSavedOffsetWhenOffsetToClearToIsBetweenEpochs`,
/// `shouldRetainLatestEpochOnClearAllEarliest`,
/// `shouldRetainLatestEpochOnClearAllEarliestAndUpdateItsOffset`,
/// `shouldNotClearAnythingIfOffsetToFirstOffset`, `shouldNotClearAnythingIfOffsetToEarly`,
/// `shouldNotResetEpochHistoryTailIfUndefinedPassed`.
#[test]
fn cache_truncate_from_start() {
    for (start, expected) in [
        (8, vec![(3, 8), (4, 11)]),
        (9, vec![(3, 9), (4, 11)]),
        (11, vec![(4, 11)]),
        (15, vec![(4, 15)]),
        (6, vec![(2, 6), (3, 8), (4, 11)]),
        (1, vec![(2, 6), (3, 8), (4, 11)]),
        (UNDEFINED_EPOCH_OFFSET, vec![(2, 6), (3, 8), (4, 11)]),
    ] {
        let mut cache = boundary_cache();
        cache.truncate_from_start(start);
        assert_eq!(entries(&cache), expected, "truncate_from_start({start})");
    }
}

/// `shouldClearAllEntries`, `shouldClearEarliestOnEmptyCache`, `shouldClearLatestOnEmptyCache`.
#[test]
fn cache_clearing() {
    let mut cache = boundary_cache();
    cache.clear();
    assert!(cache.is_empty());
    cache.truncate_from_start(7);
    cache.truncate_from_end(7);
    assert!(cache.is_empty());
}

/// `shouldFetchEpochForGivenOffset`.
#[test]
fn cache_epoch_for_offset() {
    let cache = cache(&[(0, 10), (1, 20), (5, 30)]);
    assert_eq!(cache.epoch_for_offset(25), Some(1));
    assert_eq!(cache.epoch_for_offset(20), Some(1));
    assert_eq!(cache.epoch_for_offset(30), Some(5));
    assert_eq!(cache.epoch_for_offset(50), Some(5));
    assert_eq!(cache.epoch_for_offset(5), None);
}

// ---- Follower appends ---------------------------------------------------------------------

fn config(entries: &[(&str, &str)]) -> TopicConfig {
    TopicConfig::with_overrides(entries.iter().copied()).expect("valid config")
}

fn records(count: usize, now: i64) -> Vec<NewRecord> {
    (0..count)
        .map(|i| NewRecord {
            key: Some(vec![b'k', i as u8]),
            value: Some(vec![i as u8; 1 + i % 7]),
            headers: vec![],
            timestamp: Some(now),
        })
        .collect()
}

const NOW: i64 = 1_700_000_000_000;
const SEED: u64 = 42;

fn segment_bytes(log: &PartitionLog) -> Vec<(i64, Vec<u8>)> {
    log.segments()
        .iter()
        .map(|s| (s.base_offset(), s.as_bytes().to_vec()))
        .collect()
}

/// Copies everything the leader has from the follower's end on, `max_bytes` per fetch.
fn catch_up(
    follower: &mut PartitionLog,
    leader: &PartitionLog,
    config: &TopicConfig,
    max_bytes: usize,
    changes: &mut Vec<LogChange>,
) {
    for _ in 0..10_000 {
        if follower.log_end_offset() >= leader.log_end_offset() {
            return;
        }
        let fetch = leader
            .read_batches_for_follower(follower.log_end_offset(), max_bytes)
            .expect("the follower's end is within the leader's log");
        match follower.append_as_follower(NOW, config, fetch.bytes, changes) {
            Ok(Some(_)) => {}
            Ok(None) => panic!("the leader has records above the follower's end"),
            // The follower was cut inside a batch (Kafka's LogSegment.truncateTo drops it
            // whole but the log end stays at the cut): start again at the batch's base.
            Err(ReplicaAppendError::UnexpectedAppendOffset { first_offset, .. }) => {
                follower.truncate_to(first_offset, config, changes);
            }
            Err(error) => panic!("follower append failed: {error}"),
        }
        follower.update_high_watermark(fetch.high_watermark);
    }
    panic!("catch-up did not finish");
}

fn small_segments() -> TopicConfig {
    config(&[("segment.bytes", "400"), ("index.interval.bytes", "100")])
}

/// A leader that writes under epoch 0, then 1 (after `become_leader`), then 3.
fn leader_with_three_epochs(config: &TopicConfig) -> PartitionLog {
    let mut leader = PartitionLog::new(config, SEED);
    let mut changes = Vec::new();
    for i in 0..6 {
        leader
            .append(
                NOW + i,
                config,
                &records(1 + i as usize % 3, NOW + i),
                &mut changes,
            )
            .expect("append");
    }
    leader.become_leader(1);
    for i in 6..12 {
        leader
            .append(NOW + i, config, &records(2, NOW + i), &mut changes)
            .expect("append");
    }
    leader.become_leader(3);
    for i in 12..15 {
        leader
            .append(NOW + i, config, &records(4, NOW + i), &mut changes)
            .expect("append");
    }
    leader
}

#[test]
fn become_leader_stamps_the_epoch_and_starts_its_cache_entry() {
    let config = small_segments();
    let mut log = PartitionLog::new(&config, SEED);
    assert_eq!(log.leader_epoch(), 0);
    let mut changes = Vec::new();
    log.append(NOW, &config, &records(3, NOW), &mut changes)
        .expect("append");
    assert_eq!(entries(log.epoch_cache()), [(0, 0)]);
    log.become_leader(4);
    assert_eq!(log.leader_epoch(), 4);
    assert_eq!(entries(log.epoch_cache()), [(0, 0), (4, 3)]);
    assert_eq!(log.end_offset_for_epoch(4), (4, 3));
    log.append(NOW, &config, &records(2, NOW), &mut changes)
        .expect("append");
    let raw = log.read_batches(3, usize::MAX).expect("in range");
    let batch = rill_core::record::BatchView::parse(raw.bytes).expect("valid");
    assert_eq!(batch.header().partition_leader_epoch, 4);
    assert_eq!(entries(log.epoch_cache()), [(0, 0), (4, 3)]);
    assert_eq!(log.end_offset_for_epoch(0), (0, 3));
    assert_eq!(log.end_offset_for_epoch(2), (0, 3));
    assert_eq!(log.end_offset_for_epoch(4), (4, 5));
    assert_eq!(log.end_offset_for_epoch(5), UNDEFINED);
}

#[test]
fn a_follower_copy_is_byte_identical_to_the_leader() {
    let config = small_segments();
    let leader = leader_with_three_epochs(&config);
    assert!(leader.segments().len() >= 3, "the leader rolled");
    assert_eq!(
        entries(leader.epoch_cache()),
        [(0, 0), (1, 12), (3, 24)],
        "6 batches of 1-3 records, then 6 of 2"
    );
    for max_bytes in [0, 100, 250, usize::MAX] {
        let mut follower = PartitionLog::new(&config, SEED);
        let mut changes = Vec::new();
        catch_up(&mut follower, &leader, &config, max_bytes, &mut changes);
        assert_eq!(
            segment_bytes(&follower),
            segment_bytes(&leader),
            "{max_bytes}"
        );
        assert_eq!(follower.epoch_cache(), leader.epoch_cache());
        assert_eq!(follower.log_end_offset(), leader.log_end_offset());
        assert_eq!(follower.high_watermark(), leader.high_watermark());
        // The changes rebuild the same segments.
        let mut store: BTreeMap<i64, Vec<u8>> = BTreeMap::from([(0, Vec::new())]);
        apply(&mut store, &changes);
        assert_eq!(
            store.into_iter().collect::<Vec<_>>(),
            segment_bytes(&leader)
        );
    }
}

#[test]
fn a_follower_reads_the_leaders_uncommitted_tail_and_leaves_its_high_watermark() {
    let config = small_segments();
    let mut leader = PartitionLog::new(&config, SEED);
    let mut changes = Vec::new();
    let batch = leader
        .prepare(NOW, &config, &records(3, NOW))
        .expect("valid");
    leader.commit(batch, &config, &mut changes);
    assert_eq!(leader.high_watermark(), 0, "commit alone does not commit");
    assert!(
        leader
            .read_batches(0, usize::MAX)
            .expect("ok")
            .bytes
            .is_empty()
    );
    let fetch = leader.read_batches_for_follower(0, usize::MAX).expect("ok");
    let mut follower = PartitionLog::new(&config, SEED);
    assert_eq!(
        follower.append_as_follower(NOW, &config, fetch.bytes, &mut changes),
        Ok(Some((0, 2)))
    );
    assert_eq!(follower.high_watermark(), 0);
    assert_eq!(
        follower.append_as_follower(NOW, &config, &[], &mut changes),
        Ok(None)
    );
}

#[test]
fn the_high_watermark_moves_forward_within_the_log() {
    let config = small_segments();
    let mut log = PartitionLog::new(&config, SEED);
    let mut changes = Vec::new();
    let batch = log.prepare(NOW, &config, &records(5, NOW)).expect("valid");
    log.commit(batch, &config, &mut changes);
    log.update_high_watermark(3);
    assert_eq!(log.high_watermark(), 3);
    log.update_high_watermark(2);
    assert_eq!(log.high_watermark(), 3, "never backwards");
    log.update_high_watermark(99);
    assert_eq!(log.high_watermark(), 5, "clamped to the log end");
    assert_eq!(log.read_all(0).expect("ok").records.len(), 5);
    log.set_recovered_high_watermark(1);
    assert_eq!(log.high_watermark(), 1, "a checkpoint restores any value");
    assert_eq!(log.read_all(0).expect("ok").records.len(), 1);
    log.set_recovered_high_watermark(-5);
    assert_eq!(log.high_watermark(), 0);
    let (recovered, _) = PartitionLog::recover(segment_bytes(&log), None, &config, SEED);
    assert_eq!(
        recovered.high_watermark(),
        5,
        "a single broker recovers HW = LEO"
    );
}

fn assert_unchanged(follower: &PartitionLog, before: &PartitionLog, changes: &[LogChange]) {
    assert_eq!(segment_bytes(follower), segment_bytes(before));
    assert_eq!(follower.log_end_offset(), before.log_end_offset());
    assert_eq!(follower.epoch_cache(), before.epoch_cache());
    assert!(changes.is_empty(), "no change: {changes:?}");
}

#[test]
fn bad_fetched_bytes_are_refused_and_change_nothing() {
    let config = small_segments();
    let leader = leader_with_three_epochs(&config);
    let mut follower = PartitionLog::new(&config, SEED);
    let mut ignored = Vec::new();
    let first = leader.read_batches_for_follower(0, 0).expect("ok").bytes;
    follower
        .append_as_follower(NOW, &config, first, &mut ignored)
        .expect("valid");
    let before = follower.clone();
    let next = leader
        .read_batches_for_follower(follower.log_end_offset(), usize::MAX)
        .expect("ok")
        .bytes
        .to_vec();
    let batch_len = rill_core::record::BatchView::parse(&next)
        .expect("valid")
        .as_bytes()
        .len();
    assert!(next.len() > batch_len, "several batches");

    // A bit flip in the second batch: the first is not appended either.
    let mut flipped = next.clone();
    flipped[batch_len + 70] ^= 0x10;
    let mut changes = Vec::new();
    let error = follower
        .append_as_follower(NOW, &config, &flipped, &mut changes)
        .expect_err("corrupt");
    assert!(
        matches!(
            error,
            ReplicaAppendError::Corrupt {
                position,
                error: DecodeError::CrcMismatch { .. }
            } if position == batch_len
        ),
        "{error:?}"
    );
    assert_eq!(error.error_code(), ErrorCode::CorruptMessage);
    assert_unchanged(&follower, &before, &changes);

    // A torn last batch.
    let torn = &next[..next.len() - 1];
    let error = follower
        .append_as_follower(NOW, &config, torn, &mut changes)
        .expect_err("truncated");
    assert!(
        matches!(
            error,
            ReplicaAppendError::Corrupt {
                error: DecodeError::Truncated { .. },
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.error_code(), ErrorCode::CorruptMessage);
    assert_unchanged(&follower, &before, &changes);

    // Batches the follower already has (base offset below its log end).
    let again = leader
        .read_batches_for_follower(0, usize::MAX)
        .expect("ok")
        .bytes;
    let error = follower
        .append_as_follower(NOW, &config, again, &mut changes)
        .expect_err("below the end");
    assert_eq!(
        error,
        ReplicaAppendError::UnexpectedAppendOffset {
            first_offset: 0,
            last_offset: rill_core::record::decode_batches(again)
                .last()
                .expect("a batch")
                .expect("valid")
                .header()
                .last_offset(),
            log_end_offset: follower.log_end_offset(),
        }
    );
    assert_eq!(error.error_code(), ErrorCode::UnknownServerError);
    assert_unchanged(&follower, &before, &changes);

    // Batches out of order.
    let second_len = rill_core::record::BatchView::parse(&next[batch_len..])
        .expect("valid")
        .as_bytes()
        .len();
    let mut swapped = Vec::new();
    swapped.extend_from_slice(&next[batch_len..batch_len + second_len]);
    swapped.extend_from_slice(&next[..batch_len]);
    let error = follower
        .append_as_follower(NOW, &config, &swapped, &mut changes)
        .expect_err("out of order");
    assert!(
        matches!(error, ReplicaAppendError::OffsetsOutOfOrder { .. }),
        "{error:?}"
    );
    assert_unchanged(&follower, &before, &changes);

    // Garbage.
    let error = follower
        .append_as_follower(NOW, &config, &[0xff; 7], &mut changes)
        .expect_err("garbage");
    assert!(
        matches!(error, ReplicaAppendError::Corrupt { position: 0, .. }),
        "{error:?}"
    );
    assert_unchanged(&follower, &before, &changes);

    // And the real bytes still go in.
    assert!(
        follower
            .append_as_follower(NOW, &config, &next, &mut changes)
            .expect("valid")
            .is_some()
    );
}

/// Kafka's `appendAsFollower` refuses only a first offset below the log end: a compacted
/// leader's log has gaps, so a batch above it is appended where it is.
#[test]
fn a_follower_accepts_a_gap_before_the_first_batch() {
    let config = small_segments();
    let mut bytes = Vec::new();
    encode_batch(
        &mut bytes,
        5,
        2,
        TimestampType::CreateTime,
        NOW,
        &records(2, NOW),
    );
    let mut follower = PartitionLog::new(&config, SEED);
    let mut changes = Vec::new();
    assert_eq!(
        follower.append_as_follower(NOW, &config, &bytes, &mut changes),
        Ok(Some((5, 6)))
    );
    assert_eq!(follower.log_end_offset(), 7);
    assert_eq!(entries(follower.epoch_cache()), [(2, 5)]);
    assert_eq!(follower.segments()[0].as_bytes(), &bytes[..]);
}

// ---- Truncation ---------------------------------------------------------------------------

/// Applies log changes to a map of segments, as a host store does.
fn apply(store: &mut BTreeMap<i64, Vec<u8>>, changes: &[LogChange]) {
    for change in changes {
        match change {
            LogChange::SegmentRolled { base_offset, .. } => {
                store.entry(*base_offset).or_default();
            }
            LogChange::Appended {
                segment_base_offset,
                bytes,
                ..
            } => store
                .get_mut(segment_base_offset)
                .expect("appends go to an existing segment")
                .extend_from_slice(bytes),
            LogChange::SegmentDeleted { base_offset, .. } => {
                store.remove(base_offset);
            }
            LogChange::SegmentsCompacted { removed, added, .. } => {
                for base in removed {
                    store.remove(base);
                }
                store.extend(added.iter().cloned());
            }
            LogChange::Truncated { removed, kept, .. } => {
                for base in removed {
                    store.remove(base);
                }
                store.extend(kept.iter().cloned());
            }
            _ => {}
        }
    }
}

/// Five 5-record batches per 400-byte segment budget: offsets 0-4, 5-9, ...
fn five_batches_of_five(config: &TopicConfig) -> PartitionLog {
    let mut log = PartitionLog::new(config, SEED);
    let mut changes = Vec::new();
    for i in 0..5 {
        if i == 3 {
            log.become_leader(2);
        }
        log.append(NOW + i, config, &records(5, NOW + i), &mut changes)
            .expect("append");
    }
    log
}

/// `LogSegment.truncateTo` removes the whole batch holding the offset
/// (`FileRecords.searchForOffsetWithSize` finds the first batch whose last offset reaches it),
/// while `UnifiedLog.truncateTo` still sets the log end offset to the requested offset.
#[test]
fn truncating_inside_a_batch_drops_the_whole_batch() {
    let config = config(&[("segment.bytes", "100000")]);
    let mut log = five_batches_of_five(&config);
    assert_eq!(entries(log.epoch_cache()), [(0, 0), (2, 15)]);
    let whole = segment_bytes(&log);
    let mut changes = Vec::new();
    log.truncate_to(7, &config, &mut changes);
    assert_eq!(
        log.log_end_offset(),
        7,
        "Kafka's updateLogEndOffset(targetOffset)"
    );
    assert_eq!(log.high_watermark(), 7);
    let read = log.read_all(0).expect("ok").records;
    assert_eq!(
        read.iter().map(|r| r.offset).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4],
        "the batch 5-9 went whole"
    );
    let first_batch_len = whole[0].1.len() / 5;
    assert_eq!(log.segments()[0].as_bytes(), &whole[0].1[..first_batch_len]);
    assert_eq!(entries(log.epoch_cache()), [(0, 0)]);
    assert_eq!(
        changes,
        [LogChange::Truncated {
            removed: vec![],
            kept: Some((0, whole[0].1[..first_batch_len].to_vec())),
            log_end_offset: 7,
        }]
    );
    // The next leader append starts at the log end, after the gap.
    log.append(NOW, &config, &records(1, NOW), &mut changes)
        .expect("append");
    assert_eq!(log.read_all(5).expect("ok").records[0].offset, 7);
}

#[test]
fn truncation_deletes_later_segments_and_clamps_the_high_watermark() {
    let config = config(&[("segment.bytes", "250")]);
    let mut log = five_batches_of_five(&config);
    let bases: Vec<i64> = log.segments().iter().map(|s| s.base_offset()).collect();
    assert!(bases.len() >= 3, "{bases:?}");
    let cut_base = bases[1];
    let mut changes = Vec::new();
    log.truncate_to(cut_base + 1, &config, &mut changes);
    // The batch holding the offset was the segment's first: the emptied segment goes too and
    // the one before takes the next append.
    assert_eq!(
        log.segments()
            .iter()
            .map(|s| s.base_offset())
            .collect::<Vec<_>>(),
        bases[..1]
    );
    assert_eq!(log.log_end_offset(), cut_base + 1);
    assert_eq!(log.high_watermark(), cut_base + 1);
    assert_eq!(
        changes,
        [LogChange::Truncated {
            removed: bases[1..].to_vec(),
            kept: None,
            log_end_offset: cut_base + 1,
        }]
    );
    // Cutting inside the first segment rewrites it.
    changes.clear();
    log.truncate_to(3, &config, &mut changes);
    assert!(
        matches!(
            &changes[..],
            [LogChange::Truncated { removed, kept: Some((0, bytes)), log_end_offset: 3 }]
                if removed.is_empty() && bytes.is_empty()
        ),
        "{changes:?}"
    );
    assert_eq!(log.segments().len(), 1);
    // At or above the log end: nothing happens.
    changes.clear();
    let before = log.clone();
    log.truncate_to(log.log_end_offset(), &config, &mut changes);
    assert_unchanged(&log, &before, &changes);
}

#[test]
fn truncating_at_or_above_the_end_drops_only_an_unused_epoch_entry() {
    let config = small_segments();
    let mut log = five_batches_of_five(&config);
    log.become_leader(5);
    assert_eq!(entries(log.epoch_cache()), [(0, 0), (2, 15), (5, 25)]);
    let mut changes = Vec::new();
    log.truncate_to(30, &config, &mut changes);
    assert_eq!(entries(log.epoch_cache()), [(0, 0), (2, 15)]);
    assert!(changes.is_empty());
}

#[test]
fn truncating_below_the_log_start_moves_it_back() {
    let config = config(&[("segment.bytes", "100000")]);
    let mut log = five_batches_of_five(&config);
    let mut changes = Vec::new();
    log.delete_records(12, &mut changes).expect("below the HW");
    assert_eq!(entries(log.epoch_cache()), [(0, 12), (2, 15)]);
    changes.clear();
    log.truncate_to(10, &config, &mut changes);
    assert_eq!(
        log.log_start_offset(),
        10,
        "UnifiedLog: min(targetOffset, logStartOffset)"
    );
    assert_eq!(log.log_end_offset(), 10);
    assert!(matches!(changes.last(), Some(LogChange::StateChanged(s)) if s.log_start_offset == 10));
}

#[test]
fn truncate_fully_restarts_the_log_at_any_offset() {
    let config = small_segments();
    let mut log = five_batches_of_five(&config);
    let bases: Vec<i64> = log.segments().iter().map(|s| s.base_offset()).collect();
    let mut changes = Vec::new();
    log.truncate_fully_and_start_at(40, &config, &mut changes);
    assert_eq!(log.log_start_offset(), 40);
    assert_eq!(log.log_end_offset(), 40);
    assert_eq!(log.high_watermark(), 40);
    assert!(log.epoch_cache().is_empty());
    assert_eq!(log.segments().len(), 1);
    assert_eq!(log.segments()[0].base_offset(), 40);
    assert_eq!(
        changes[0],
        LogChange::Truncated {
            removed: bases,
            kept: Some((40, vec![])),
            log_end_offset: 40,
        }
    );
    assert!(matches!(changes[1], LogChange::StateChanged(s) if s.log_start_offset == 40));
    // It goes on from there as a follower.
    let mut bytes = Vec::new();
    encode_batch(
        &mut bytes,
        40,
        7,
        TimestampType::CreateTime,
        NOW,
        &records(2, NOW),
    );
    assert_eq!(
        log.append_as_follower(NOW, &config, &bytes, &mut changes),
        Ok(Some((40, 41)))
    );
    assert_eq!(entries(log.epoch_cache()), [(7, 40)]);
}

#[test]
fn truncating_below_the_first_segment_truncates_fully() {
    let config = small_segments();
    let mut log = five_batches_of_five(&config);
    let mut changes = Vec::new();
    log.delete_records(20, &mut changes).expect("ok");
    log.apply_retention(NOW, &config, &mut changes);
    let first = log.segments()[0].base_offset();
    assert!(first > 10, "retention removed the early segments ({first})");
    changes.clear();
    log.truncate_to(10, &config, &mut changes);
    assert_eq!(log.log_start_offset(), 10);
    assert_eq!(log.log_end_offset(), 10);
    assert!(log.epoch_cache().is_empty());
}

// ---- Epoch-driven truncation (KIP-101 / KIP-279) ------------------------------------------

/// The follower side of `AbstractFetcherThread.getOffsetTruncationState`: ask the leader where
/// the follower's latest epoch ended, and truncate to the lower of both ends.
fn truncate_to_leader_epoch(
    follower: &mut PartitionLog,
    leader: &PartitionLog,
    config: &TopicConfig,
    changes: &mut Vec<LogChange>,
) {
    for _ in 0..100 {
        let Some(epoch) = follower.epoch_cache().latest_epoch() else {
            return;
        };
        let (leader_epoch, leader_end) = leader.end_offset_for_epoch(epoch);
        let leo = follower.log_end_offset();
        if leader_end == UNDEFINED_EPOCH_OFFSET {
            let hw = follower.high_watermark();
            follower.truncate_to(hw, config, changes);
            return;
        }
        let (own_epoch, own_end) = follower.end_offset_for_epoch(leader_epoch);
        if leader_epoch == UNDEFINED_EPOCH || own_end == UNDEFINED_EPOCH_OFFSET {
            follower.truncate_to(leader_end.min(leo), config, changes);
            return;
        }
        if own_epoch != leader_epoch {
            // Not done: truncate to the end of our own epoch and ask again.
            follower.truncate_to(own_end.min(leo), config, changes);
            continue;
        }
        follower.truncate_to(own_end.min(leader_end).min(leo), config, changes);
        return;
    }
    panic!("epoch truncation did not converge");
}

/// `EpochDrivenReplicationProtocolAcceptanceTest.shouldNotAllowDivergentLogs`: the old leader
/// wrote a tail nobody else has; after a new leader writes under a new epoch, the old leader
/// truncates that tail away and ends byte-identical.
#[test]
fn a_returning_leader_discards_its_divergent_tail() {
    let config = small_segments();
    let mut a = PartitionLog::new(&config, SEED);
    let mut b = PartitionLog::new(&config, SEED);
    let mut changes = Vec::new();
    for i in 0..10 {
        a.append(NOW + i, &config, &records(1, NOW + i), &mut changes)
            .expect("append");
    }
    catch_up(&mut b, &a, &config, usize::MAX, &mut changes);
    // A writes 5 more that B never fetches, then dies.
    for i in 10..15 {
        let batch = a
            .prepare(NOW + i, &config, &records(1, NOW + i))
            .expect("valid");
        a.commit(batch, &config, &mut changes);
    }
    assert_eq!(a.log_end_offset(), 15);
    // B leads epoch 1 and writes 9 records.
    b.become_leader(1);
    for i in 0..9 {
        b.append(
            NOW + 100 + i,
            &config,
            &records(1, NOW + 100 + i),
            &mut changes,
        )
        .expect("append");
    }
    assert_eq!(entries(b.epoch_cache()), [(0, 0), (1, 10)]);
    // A returns as a follower: B says epoch 0 ended at 10.
    assert_eq!(b.end_offset_for_epoch(0), (0, 10));
    assert_eq!(a.end_offset_for_epoch(0), (0, 15));
    changes.clear();
    truncate_to_leader_epoch(&mut a, &b, &config, &mut changes);
    assert_eq!(a.log_end_offset(), 10);
    assert!(changes.iter().any(|c| matches!(
        c,
        LogChange::Truncated {
            log_end_offset: 10,
            ..
        }
    )));
    catch_up(&mut a, &b, &config, 150, &mut changes);
    assert_eq!(segment_bytes(&a), segment_bytes(&b));
    assert_eq!(entries(a.epoch_cache()), [(0, 0), (1, 10)]);
}

/// KIP-279: the follower holds an epoch the leader never saw. The leader answers with the
/// largest epoch below it; the follower truncates to its own end of that epoch.
#[test]
fn a_follower_with_an_epoch_the_leader_never_saw_truncates_to_the_common_one() {
    let config = small_segments();
    let mut a = PartitionLog::new(&config, SEED);
    let mut b = PartitionLog::new(&config, SEED);
    let mut changes = Vec::new();
    for i in 0..4 {
        a.append(NOW + i, &config, &records(2, NOW + i), &mut changes)
            .expect("append");
    }
    catch_up(&mut b, &a, &config, usize::MAX, &mut changes);
    // A leads epoch 1 briefly; nothing of it reaches B.
    a.become_leader(1);
    for i in 0..3 {
        a.append(NOW + 10 + i, &config, &records(3, NOW), &mut changes)
            .expect("append");
    }
    // B leads epoch 2.
    b.become_leader(2);
    for i in 0..2 {
        b.append(NOW + 20 + i, &config, &records(1, NOW), &mut changes)
            .expect("append");
    }
    assert_eq!(entries(a.epoch_cache()), [(0, 0), (1, 8)]);
    assert_eq!(b.end_offset_for_epoch(1), (0, 8));
    truncate_to_leader_epoch(&mut a, &b, &config, &mut changes);
    assert_eq!(a.log_end_offset(), 8);
    assert_eq!(entries(a.epoch_cache()), [(0, 0)]);
    catch_up(&mut a, &b, &config, 64, &mut changes);
    assert_eq!(segment_bytes(&a), segment_bytes(&b));
    assert_eq!(a.epoch_cache(), b.epoch_cache());
}

/// `shouldFollowLeaderEpochBasicWorkflow`: caches agree after each leader change once a
/// record of the new epoch is replicated.
#[test]
fn epoch_caches_follow_leader_changes() {
    let config = small_segments();
    let mut leader = PartitionLog::new(&config, SEED);
    let mut follower = PartitionLog::new(&config, SEED);
    let mut changes = Vec::new();
    leader
        .append(NOW, &config, &records(1, NOW), &mut changes)
        .expect("append");
    catch_up(&mut follower, &leader, &config, usize::MAX, &mut changes);
    assert_eq!(entries(follower.epoch_cache()), [(0, 0)]);
    leader.become_leader(1);
    assert_eq!(entries(leader.epoch_cache()), [(0, 0), (1, 1)]);
    assert_eq!(entries(follower.epoch_cache()), [(0, 0)]);
    leader
        .append(NOW, &config, &records(1, NOW), &mut changes)
        .expect("append");
    catch_up(&mut follower, &leader, &config, usize::MAX, &mut changes);
    assert_eq!(entries(follower.epoch_cache()), [(0, 0), (1, 1)]);
    // The follower becomes leader of epoch 2.
    follower.become_leader(2);
    assert_eq!(entries(follower.epoch_cache()), [(0, 0), (1, 1), (2, 2)]);
    follower
        .append(NOW, &config, &records(1, NOW), &mut changes)
        .expect("append");
    truncate_to_leader_epoch(&mut leader, &follower, &config, &mut changes);
    catch_up(&mut leader, &follower, &config, usize::MAX, &mut changes);
    assert_eq!(leader.epoch_cache(), follower.epoch_cache());
    assert_eq!(segment_bytes(&leader), segment_bytes(&follower));
}

#[test]
fn recovery_rebuilds_the_epoch_cache_from_the_batches() {
    let config = small_segments();
    let leader = leader_with_three_epochs(&config);
    let (recovered, truncations) =
        PartitionLog::recover(segment_bytes(&leader), None, &config, SEED);
    assert!(truncations.is_empty());
    assert_eq!(recovered.epoch_cache(), leader.epoch_cache());
    assert_eq!(recovered.leader_epoch(), 3);
    assert_eq!(
        recovered.epoch_cache().entries().first(),
        Some(&EpochEntry {
            epoch: 0,
            start_offset: 0
        })
    );
}

// ---- Property ----------------------------------------------------------------------------

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        /// The leader appends a batch of this many records.
        Append(usize),
        /// The leader's epoch goes up by this much.
        Bump(i32),
        /// The follower fetches once, at most this many bytes.
        Fetch(usize),
        /// The follower truncates to this share (per mille) of its log end.
        Truncate(u16),
        /// The follower empties its log and restarts at 0.
        TruncateFully,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (1usize..6).prop_map(Op::Append),
            1 => (1i32..3).prop_map(Op::Bump),
            4 => prop_oneof![Just(0usize), 1usize..400, Just(usize::MAX)].prop_map(Op::Fetch),
            1 => (0u16..=1000).prop_map(Op::Truncate),
            1 => Just(Op::TruncateFully),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn a_follower_ends_byte_identical_to_its_leader(
            ops in proptest::collection::vec(op(), 1..80),
            segment_bytes_max in 150u32..700,
            index_bytes in prop_oneof![Just(10_485_760u32), 16u32..64],
        ) {
            let config = TopicConfig::with_overrides([
                ("segment.bytes", segment_bytes_max.to_string().as_str()),
                ("segment.index.bytes", index_bytes.to_string().as_str()),
                ("index.interval.bytes", "60"),
            ])
            .expect("valid config");
            let mut leader = PartitionLog::new(&config, SEED);
            let mut follower = PartitionLog::new(&config, SEED);
            let mut store: BTreeMap<i64, Vec<u8>> = BTreeMap::from([(0, Vec::new())]);
            let mut changes = Vec::new();
            let mut now = NOW;
            for op in &ops {
                now += 1;
                match *op {
                    Op::Append(n) => {
                        leader.append(now, &config, &records(n, now), &mut Vec::new())
                            .expect("append");
                    }
                    Op::Bump(by) => leader.become_leader(leader.leader_epoch() + by),
                    Op::Fetch(max_bytes) => {
                        let fetch = leader
                            .read_batches_for_follower(follower.log_end_offset(), max_bytes)
                            .expect("in range");
                        match follower.append_as_follower(now, &config, fetch.bytes, &mut changes) {
                            Ok(_) => {}
                            Err(ReplicaAppendError::UnexpectedAppendOffset { first_offset, .. }) => {
                                follower.truncate_to(first_offset, &config, &mut changes);
                            }
                            Err(error) => panic!("{error}"),
                        }
                    }
                    Op::Truncate(share) => {
                        let to = follower.log_end_offset() * i64::from(share) / 1000;
                        follower.truncate_to(to, &config, &mut changes);
                        prop_assert_eq!(follower.log_end_offset(), to);
                        prop_assert!(follower
                            .epoch_cache()
                            .latest_entry()
                            .is_none_or(|e| e.start_offset < to));
                    }
                    Op::TruncateFully => {
                        follower.truncate_fully_and_start_at(0, &config, &mut changes);
                    }
                }
                prop_assert!(follower.high_watermark() <= follower.log_end_offset());
            }
            // A last batch, so the leader's newest epoch has a record to replicate.
            leader.append(now, &config, &records(1, now), &mut Vec::new()).expect("append");
            catch_up(&mut follower, &leader, &config, 300, &mut changes);
            prop_assert_eq!(segment_bytes(&follower), segment_bytes(&leader));
            prop_assert_eq!(follower.epoch_cache(), leader.epoch_cache());
            // The changes persist exactly the follower's segments.
            apply(&mut store, &changes);
            prop_assert_eq!(store.clone().into_iter().collect::<Vec<_>>(), segment_bytes(&follower));
            // Recovery from them rebuilds the same log and epoch cache.
            let (recovered, truncations) = PartitionLog::recover(
                store.into_iter().collect(), Some(follower.state()), &config, SEED);
            prop_assert!(truncations.is_empty());
            prop_assert_eq!(segment_bytes(&recovered), segment_bytes(&follower));
            prop_assert_eq!(recovered.epoch_cache(), follower.epoch_cache());
            prop_assert_eq!(recovered.log_end_offset(), follower.log_end_offset());
        }
    }
}

/// A view draws a replica's records up to its log end, committed or not; a consumer's read
/// stops at the high watermark.
#[test]
fn read_range_reads_past_the_high_watermark_up_to_the_log_end() {
    let config = TopicConfig::default();
    let mut log = PartitionLog::new(&config, 0);
    let mut changes = Vec::new();
    for i in 0..10 {
        let records = vec![NewRecord {
            key: Some(format!("k{i}").into_bytes()),
            value: Some(b"v".to_vec()),
            headers: vec![],
            timestamp: Some(1_000 + i),
        }];
        let batch = log.prepare(1_000, &config, &records).expect("valid");
        log.commit(batch, &config, &mut changes);
    }
    log.update_high_watermark(4);
    let consumer = log.read_all(0).expect("in range");
    assert_eq!(
        consumer.records.len(),
        4,
        "a consumer stops at the high watermark"
    );
    let all: Vec<i64> = log
        .read_range(0, i64::MAX, 100)
        .iter()
        .map(|r| r.offset)
        .collect();
    assert_eq!(all, (0..10).collect::<Vec<_>>());
    let window: Vec<i64> = log.read_range(3, 7, 100).iter().map(|r| r.offset).collect();
    assert_eq!(window, vec![3, 4, 5, 6]);
    let capped: Vec<i64> = log.read_range(2, 10, 3).iter().map(|r| r.offset).collect();
    assert_eq!(capped, vec![2, 3, 4]);
    assert!(
        log.read_range(10, 20, 5).is_empty(),
        "nothing past the log end"
    );
    assert!(log.read_range(5, 5, 5).is_empty(), "an empty range");
    assert_eq!(log.records_held(), 10);
    log.delete_records(3, &mut changes)
        .expect("below the high watermark");
    assert_eq!(log.records_held(), 7, "held from the log start on");
}
