//! Log compaction (`cleanup.policy=compact`) as Apache Kafka's log cleaner does it, as a pure
//! function from a partition's segment bytes to the segments that replace them.
//!
//! One call is one cleaning round of Kafka's `LogCleanerManager` + `Cleaner` for one partition
//! (sources: `storage/.../log/LogCleanerManager.java`, `LogToClean.java`, `Cleaner.java`,
//! `clients/.../record/MemoryRecords.java`; see `docs/kafka-facts.md` §8):
//!
//! 1. [`cleanable_range`]: the first dirty offset (the cleaner checkpoint, reset to the log start
//!    offset when it is below it or past the log end), and the first uncleanable offset
//!    (`min(high watermark, active segment base, first dirty segment within
//!    min.compaction.lag.ms)`, at least the first dirty offset, then rounded down to the base
//!    offset of the segment holding it), with clean and cleanable byte counts.
//! 2. The round runs only if there are bytes at all and either the dirty ratio is strictly above
//!    `min.cleanable.dirty.ratio`, or `max.compaction.lag.ms` has passed for a dirty segment and
//!    there are cleanable bytes.
//! 3. A map key → latest offset is built over the dirty segments.
//! 4. Every segment from the start of the log up to the first uncleanable offset is rewritten,
//!    grouped by [`group_segments_by_size`]; each group becomes one segment named by the group's
//!    first base offset. A record survives if it is the latest for its key and is not a
//!    tombstone whose batch's delete horizon has passed; keyless records are dropped.
//!
//! Differences from Kafka, all because rill has no such state: Kafka's key → offset map holds
//! MD5 hashes in a bounded buffer (`SkimpyOffsetMap`), so a round may stop early when it fills;
//! rill keys exactly by key bytes and always maps the whole dirty range. Grouping ignores index
//! file sizes (rill has no index files). Segment times come from record timestamps only (Kafka
//! falls back to file modification times). Transactions are not modelled: control batches are
//! copied unchanged, and every producer id seen in the log counts as active.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::record::{BatchHeader, BatchView, trusted_batches};

/// The topic configs the cleaner reads, with Kafka's names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CleanerConfig {
    /// `min.cleanable.dirty.ratio`: clean when dirty bytes ÷ all bytes is above this.
    pub min_cleanable_dirty_ratio: f64,
    /// `min.compaction.lag.ms`: a segment with a record newer than `now - lag` is not cleaned.
    pub min_compaction_lag_ms: i64,
    /// `max.compaction.lag.ms`: a dirty segment whose first batch is older than `now - lag`
    /// forces a round whatever the dirty ratio.
    pub max_compaction_lag_ms: i64,
    /// `delete.retention.ms`: how long a tombstone the cleaner has seen is kept.
    pub delete_retention_ms: i64,
    /// `segment.bytes`: the largest total size of the segments merged into one cleaned segment.
    pub segment_bytes: u32,
}

impl Default for CleanerConfig {
    /// Kafka's defaults: ratio 0.5, min lag 0, max lag `Long.MAX_VALUE`, delete retention one
    /// day, segments of 1 GiB.
    fn default() -> Self {
        Self {
            min_cleanable_dirty_ratio: 0.5,
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: i64::MAX,
            delete_retention_ms: 86_400_000,
            segment_bytes: 1 << 30,
        }
    }
}

/// One segment of a partition: its base offset and its bytes (whole, validated v2 batches).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentSlice<'a> {
    /// Offset the segment is named by; no record in it is below this.
    pub base_offset: i64,
    /// The segment's `.log` bytes: whole batches, validated on append or recovery.
    pub bytes: &'a [u8],
}

/// Everything one cleaning round of one partition depends on.
#[derive(Clone, Copy, Debug)]
pub struct CleanInput<'a> {
    /// Every segment of the partition, oldest first; the last one is the active segment.
    pub segments: &'a [SegmentSlice<'a>],
    /// The partition's log start offset.
    pub log_start_offset: i64,
    /// The high watermark; nothing at or above it is cleaned.
    pub high_watermark: i64,
    /// The cleaner checkpoint: where the previous round stopped (the log start offset if none).
    pub cleaner_checkpoint: i64,
    /// The cleaner's clock, milliseconds since the epoch.
    pub now: i64,
    /// The topic's cleaner configs.
    pub config: &'a CleanerConfig,
}

/// The part of a log a cleaning round would consider (Kafka's `LogToClean`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CleanableRange {
    /// First offset not yet cleaned.
    pub first_dirty_offset: i64,
    /// First offset that must not be cleaned, a segment base offset.
    pub first_uncleanable_offset: i64,
    /// Bytes of the segments below the first dirty offset (and the one holding it).
    pub clean_bytes: u64,
    /// Bytes of the segments from the one holding the first dirty offset up to the first
    /// uncleanable offset.
    pub cleanable_bytes: u64,
    /// Whether `max.compaction.lag.ms` has passed for a dirty segment.
    pub need_compaction_now: bool,
}

impl CleanableRange {
    /// Kafka's `cleanableRatio`: cleanable bytes ÷ (clean + cleanable bytes); 0 for no bytes.
    pub fn dirty_ratio(&self) -> f64 {
        dirty_ratio(self.clean_bytes, self.cleanable_bytes)
    }

    /// Whether Kafka's `grabFilthiestCompactedLog` would pick this log: it has bytes, and
    /// either `max.compaction.lag.ms` passed with cleanable bytes, or the dirty ratio is
    /// strictly above `min.cleanable.dirty.ratio`.
    pub fn should_clean(&self, config: &CleanerConfig) -> bool {
        let total_bytes = self.clean_bytes + self.cleanable_bytes;
        total_bytes > 0
            && ((self.need_compaction_now && self.cleanable_bytes > 0)
                || self.dirty_ratio() > config.min_cleanable_dirty_ratio)
    }
}

/// Dirty bytes ÷ all bytes, Kafka's `cleanableRatio`; 0 when there are no bytes.
pub fn dirty_ratio(clean_bytes: u64, cleanable_bytes: u64) -> f64 {
    let total_bytes = clean_bytes + cleanable_bytes;
    if total_bytes == 0 {
        0.0
    } else {
        cleanable_bytes as f64 / total_bytes as f64
    }
}

/// What a cleaning round did.
#[derive(Clone, Debug, PartialEq)]
pub struct CleanOutcome {
    /// Cleaned segments, oldest first; each replaces the segments it lists.
    pub groups: Vec<CleanedGroup>,
    /// The new cleaner checkpoint: the round's first uncleanable offset.
    pub new_checkpoint: i64,
    /// Counters for the round.
    pub stats: CleanStats,
}

/// One cleaned segment and the segments it replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanedGroup {
    /// Base offsets of the segments this one replaces, oldest first.
    pub removed: Vec<i64>,
    /// The cleaned segment's base offset: the first replaced segment's.
    pub base_offset: i64,
    /// The cleaned segment's bytes. May be empty when nothing survived: Kafka still swaps in
    /// the (empty) cleaned segment file under this base offset.
    pub bytes: Vec<u8>,
}

/// Counters of one cleaning round (Kafka's `CleanerStats`, plus the range it cleaned).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CleanStats {
    /// Records read while rewriting.
    pub records_read: u64,
    /// Records written to the cleaned segments.
    pub records_kept: u64,
    /// Tombstones dropped: superseded by a later record, or past their delete horizon.
    pub tombstones_removed: u64,
    /// Keyless records dropped (Kafka's `invalidMessage` count).
    pub keyless_removed: u64,
    /// Bytes of the batches read while rewriting.
    pub bytes_read: u64,
    /// Bytes written to the cleaned segments.
    pub bytes_written: u64,
    /// The dirty ratio that chose this round.
    pub dirty_ratio: f64,
    /// The round's first dirty offset.
    pub first_dirty_offset: i64,
    /// The round's first uncleanable offset.
    pub first_uncleanable_offset: i64,
}

/// Runs one cleaning round: `None` when Kafka would not clean this log now (no bytes, dirty
/// ratio not above the minimum and no max-lag breach, or nothing cleanable).
///
/// # Panics
/// If `input.segments` is empty or its base offsets do not strictly increase.
pub fn clean(input: &CleanInput<'_>) -> Option<CleanOutcome> {
    let range = cleanable_range(input);
    if !range.should_clean(input.config) || range.cleanable_bytes == 0 {
        return None;
    }
    let segments = input.segments;
    let start = range.first_dirty_offset;
    let end = range.first_uncleanable_offset;
    assert!(
        start <= end,
        "cleanable bytes imply a non-empty dirty range"
    );

    let OffsetMapBuild {
        map,
        latest_offset,
        superseded,
    } = build_offset_map(segments, start, end);
    let end_offset = latest_offset + 1;
    assert_eq!(
        end_offset, end,
        "an unbounded map covers the whole dirty range"
    );
    let last_data_offsets = last_data_offset_per_producer(segments);

    let to_clean = segments_overlapping(segments, 0, end_offset);
    let mut filter = RecordFilter {
        map: &map,
        first_dirty_offset: start,
        superseded: &superseded,
        superseded_cursor: 0,
        latest_offset,
        now: input.now,
        delete_retention_ms: input.config.delete_retention_ms,
        upper_bound_offset: end,
        last_data_offsets: &last_data_offsets,
    };
    let mut stats = CleanStats {
        dirty_ratio: range.dirty_ratio(),
        first_dirty_offset: start,
        first_uncleanable_offset: end,
        ..CleanStats::default()
    };
    let groups =
        group_segments_by_size(&segments[to_clean.clone()], input.config.segment_bytes, end)
            .into_iter()
            .map(|group| {
                let group = &segments[to_clean.start + group.start..to_clean.start + group.end];
                let mut bytes = Vec::new();
                for segment in group {
                    for batch in trusted_batches(segment.bytes) {
                        filter.clean_batch(&batch, &mut bytes, &mut stats);
                    }
                }
                stats.bytes_written += bytes.len() as u64;
                CleanedGroup {
                    removed: group.iter().map(|s| s.base_offset).collect(),
                    base_offset: group[0].base_offset,
                    bytes,
                }
            })
            .collect();
    Some(CleanOutcome {
        groups,
        new_checkpoint: end_offset,
        stats,
    })
}

/// Computes the range a cleaning round would consider, as Kafka's
/// `LogCleanerManager.cleanableOffsets` and `LogToClean` do.
///
/// # Panics
/// If `input.segments` is empty or its base offsets do not strictly increase.
pub fn cleanable_range(input: &CleanInput<'_>) -> CleanableRange {
    let segments = input.segments;
    assert!(!segments.is_empty(), "a log has an active segment");
    assert!(
        segments
            .windows(2)
            .all(|w| w[0].base_offset < w[1].base_offset),
        "segment base offsets strictly increase"
    );
    let active = segments[segments.len() - 1];
    let log_start_offset = input.log_start_offset;
    let log_end_offset = log_end_offset(segments);

    let checkpoint = input.cleaner_checkpoint;
    let first_dirty_offset = if checkpoint < log_start_offset || checkpoint > log_end_offset {
        log_start_offset
    } else {
        checkpoint
    };

    let non_active_dirty = segments_overlapping(segments, first_dirty_offset, active.base_offset);
    let mut uncleanable = input.high_watermark.min(active.base_offset);
    let min_lag_ms = input.config.min_compaction_lag_ms.max(0);
    if min_lag_ms > 0 {
        let cleanable_before = input.now.saturating_sub(min_lag_ms);
        if let Some(young) = segments[non_active_dirty.clone()]
            .iter()
            .find(|s| largest_timestamp(s.bytes) > cleanable_before)
        {
            uncleanable = uncleanable.min(young.base_offset);
        }
    }
    let uncleanable = uncleanable.max(first_dirty_offset);

    // calculateCleanableBytes: round down to the segment holding the uncleanable offset.
    let holding = segments_overlapping(segments, uncleanable, active.base_offset);
    let first_uncleanable_offset = if holding.is_empty() {
        active.base_offset
    } else {
        segments[holding.start].base_offset
    };
    let size =
        |range: Range<usize>| -> u64 { segments[range].iter().map(|s| s.bytes.len() as u64).sum() };
    let cleanable_bytes = size(segments_overlapping(
        segments,
        first_dirty_offset.min(first_uncleanable_offset),
        first_uncleanable_offset,
    ));
    let clean_bytes = size(segments_overlapping(segments, -1, first_dirty_offset));

    // maxCompactionDelay: the earliest positive first-batch timestamp of the dirty
    // non-active segments, against now - max.compaction.lag.ms.
    let clean_until = input
        .now
        .saturating_sub(input.config.max_compaction_lag_ms.max(0));
    let need_compaction_now = segments[non_active_dirty]
        .iter()
        .filter_map(|s| {
            trusted_batches(s.bytes)
                .next()
                .map(|b| b.header().max_timestamp)
        })
        .filter(|&timestamp| timestamp > 0)
        .min()
        .is_some_and(|earliest| earliest < clean_until);

    debug_assert!(first_uncleanable_offset <= active.base_offset);
    CleanableRange {
        first_dirty_offset,
        first_uncleanable_offset,
        clean_bytes,
        cleanable_bytes,
        need_compaction_now,
    }
}

/// Groups consecutive segments the way Kafka's `Cleaner.groupSegmentsBySize` does: a segment
/// joins the current group while the group's total size stays within `max_size` and the
/// segment's offsets (bounded by the next segment's base offset, or `first_uncleanable_offset`
/// for the last one) stay within an int32 of the group's first base offset (an empty segment
/// skips that check). Returns index ranges into `segments`, in order, covering all of them.
pub fn group_segments_by_size(
    segments: &[SegmentSlice<'_>],
    max_size: u32,
    first_uncleanable_offset: i64,
) -> Vec<Range<usize>> {
    let mut groups = Vec::new();
    let mut next = 0;
    while next < segments.len() {
        let first = next;
        let mut size = segments[first].bytes.len() as u64;
        next += 1;
        while next < segments.len() {
            let candidate = &segments[next];
            let last_offset = match segments.get(next + 1) {
                Some(after) => after.base_offset - 1,
                None => first_uncleanable_offset - 1,
            };
            let fits_size = size + candidate.bytes.len() as u64 <= u64::from(max_size);
            // Kafka compares with the base offset of the segment added last (`group.last`),
            // which after its `::`-prepend is the group's first segment.
            let fits_offsets = candidate.bytes.is_empty()
                || last_offset - segments[first].base_offset <= i64::from(i32::MAX);
            if !(fits_size && fits_offsets) {
                break;
            }
            size += candidate.bytes.len() as u64;
            next += 1;
        }
        groups.push(first..next);
    }
    debug_assert_eq!(
        groups.iter().map(ExactSizeIterator::len).sum::<usize>(),
        segments.len()
    );
    groups
}

/// The record-level and batch-level retention rules of one round.
struct RecordFilter<'m> {
    map: &'m OffsetMap<'m>,
    /// Dirty-range offsets of keyed records with a later record for the same key, ascending.
    superseded: &'m [i64],
    /// Where the in-order walk of the rewrite is in `superseded`.
    superseded_cursor: usize,
    first_dirty_offset: i64,
    latest_offset: i64,
    now: i64,
    delete_retention_ms: i64,
    /// The round's first uncleanable offset: the batch ending just below it is kept even empty.
    upper_bound_offset: i64,
    last_data_offsets: &'m BTreeMap<i64, i64>,
}

impl<'m> RecordFilter<'m> {
    /// Kafka's `MemoryRecords.filterTo` for one batch with the cleaner's filter.
    fn clean_batch(&mut self, batch: &BatchView<'m>, out: &mut Vec<u8>, stats: &mut CleanStats) {
        let header = batch.header();
        stats.bytes_read += batch.as_bytes().len() as u64;
        if header.is_control() {
            // Transactions are not modelled: markers are kept as they are.
            stats.records_read += header.record_count.max(0) as u64;
            stats.records_kept += header.record_count.max(0) as u64;
            out.extend_from_slice(batch.as_bytes());
            return;
        }
        let horizon = header.delete_horizon();
        let retain_deletes = horizon.is_none_or(|h| self.now < h);
        let mut retained = Vec::with_capacity(header.record_count.max(0) as usize);
        let mut all_kept = true;
        let mut contains_tombstones = false;
        for record in batch.record_refs() {
            stats.records_read += 1;
            let keep = if record.offset > self.latest_offset {
                true
            } else if let Some(key) = record.key {
                // Kafka: `record.offset >= map.get(key)` (-1 when absent). Dirty-range records
                // were all mapped, so that is "not superseded"; below the first dirty offset it
                // is "the key is not in the map".
                let latest_for_key = if record.offset >= self.first_dirty_offset {
                    !self.is_superseded(record.offset)
                } else {
                    !self.map.contains_key(&MapKey::new(key))
                };
                latest_for_key && (record.value.is_some() || retain_deletes)
            } else {
                stats.keyless_removed += 1;
                false
            };
            if keep {
                contains_tombstones |= record.value.is_none();
                retained.push(record);
            } else {
                all_kept = false;
                if record.value.is_none() && record.key.is_some() {
                    stats.tombstones_removed += 1;
                }
            }
        }
        stats.records_kept += retained.len() as u64;
        let start = out.len();
        if !retained.is_empty() {
            let set_horizon = contains_tombstones && horizon.is_none();
            if all_kept && !set_horizon {
                out.extend_from_slice(batch.as_bytes());
            } else {
                let new_horizon = if set_horizon {
                    Some(self.now.saturating_add(self.delete_retention_ms))
                } else {
                    horizon
                };
                let written = batch.write_retained(out, &retained, new_horizon);
                debug_assert_eq!(written.record_count as usize, retained.len());
            }
        } else if self.retain_empty(header) {
            batch.write_empty(out);
        }
        debug_assert!(
            retained.len() <= header.record_count.max(0) as usize,
            "a batch keeps at most the records it had"
        );
        debug_assert!(
            out.len() == start || BatchView::parse(&out[start..]).is_ok(),
            "every written batch is valid"
        );
    }

    /// Whether `offset` is in `superseded`; offsets must be asked in ascending order.
    fn is_superseded(&mut self, offset: i64) -> bool {
        let rest = &self.superseded[self.superseded_cursor..];
        let skip = rest.partition_point(|&o| o < offset);
        self.superseded_cursor += skip;
        self.superseded.get(self.superseded_cursor) == Some(&offset)
    }

    /// Kafka's `BatchRetention.RETAIN_EMPTY` cases: the batch holding a producer's last data
    /// offset, or the batch ending right below the round's upper bound (KAFKA-17076, 4.0+), so
    /// the log end offset survives cleaning.
    fn retain_empty(&self, header: &BatchHeader) -> bool {
        let last_of_producer = header.has_producer_id()
            && self.last_data_offsets.get(&header.producer_id) == Some(&header.last_offset());
        last_of_producer || header.last_offset() + 1 == self.upper_bound_offset
    }
}

/// Key → latest offset of the dirty range.
type OffsetMap<'a> = BTreeMap<MapKey<'a>, i64>;

/// Bytes of a key kept inline in [`MapKey`].
const INLINE_KEY_BYTES: usize = 16;

/// A record key as the offset map orders it: by a fixed hash (FNV-1a, no seed), then length,
/// then the first [`INLINE_KEY_BYTES`] bytes held inline, and only for longer keys by the
/// borrowed bytes. Equality is exact key equality; most comparisons never touch the segment
/// bytes the key points into.
#[derive(Clone, Copy, Debug)]
struct MapKey<'a> {
    hash: u64,
    len: usize,
    inline: [u8; INLINE_KEY_BYTES],
    key: &'a [u8],
}

impl<'a> MapKey<'a> {
    fn new(key: &'a [u8]) -> Self {
        let hash = key.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut inline = [0; INLINE_KEY_BYTES];
        let prefix = key.len().min(INLINE_KEY_BYTES);
        inline[..prefix].copy_from_slice(&key[..prefix]);
        Self {
            hash,
            len: key.len(),
            inline,
            key,
        }
    }
}

impl Ord for MapKey<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.hash
            .cmp(&other.hash)
            .then(self.len.cmp(&other.len))
            .then_with(|| self.inline.cmp(&other.inline))
            .then_with(|| {
                if self.len <= INLINE_KEY_BYTES {
                    std::cmp::Ordering::Equal
                } else {
                    self.key.cmp(other.key)
                }
            })
    }
}

impl PartialOrd for MapKey<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MapKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for MapKey<'_> {}

/// Kafka's `buildOffsetMap`: every keyed record at or after `start` in the segments overlapping
/// `[start, end)`, mapped to its latest offset, and the map's latest offset (`end - 1` once
/// every dirty segment was read).
fn build_offset_map<'a>(segments: &[SegmentSlice<'a>], start: i64, end: i64) -> OffsetMapBuild<'a> {
    let dirty = segments_overlapping(segments, start, end);
    let mut map = BTreeMap::new();
    let mut superseded = Vec::new();
    let mut latest_offset = -1;
    for index in dirty.clone() {
        let segment = &segments[index];
        for batch in trusted_batches(segment.bytes) {
            if batch.header().is_control() {
                continue;
            }
            for record in batch.record_refs() {
                if let Some(key) = record.key
                    && record.offset >= start
                    && let Some(previous) = map.insert(MapKey::new(key), record.offset)
                {
                    superseded.push(previous);
                }
            }
        }
        // Kafka also moves the latest offset to each batch's last offset, but the map never
        // fills here, so after each segment it is the next segment's base offset - 1.
        let next_start = if index + 1 < dirty.end {
            segments[index + 1].base_offset
        } else {
            end
        };
        debug_assert!(
            next_start > latest_offset,
            "the map's latest offset only grows"
        );
        latest_offset = next_start - 1;
    }
    superseded.sort_unstable();
    debug_assert!(
        superseded.windows(2).all(|w| w[0] < w[1]),
        "an offset is superseded at most once"
    );
    OffsetMapBuild {
        map,
        latest_offset,
        superseded,
    }
}

/// What [`build_offset_map`] returns.
struct OffsetMapBuild<'a> {
    /// Key → latest offset in the dirty range.
    map: OffsetMap<'a>,
    /// Kafka's `offsetMap.latestOffset`: records above it are kept unexamined.
    latest_offset: i64,
    /// Offsets of dirty keyed records that a later record of the same key replaces, ascending.
    superseded: Vec<i64>,
}

/// Each producer's last data offset in the whole log (Kafka's `lastRecordsOfActiveProducers`,
/// with every producer counted as active).
fn last_data_offset_per_producer(segments: &[SegmentSlice<'_>]) -> BTreeMap<i64, i64> {
    let mut last = BTreeMap::new();
    for segment in segments {
        for batch in trusted_batches(segment.bytes) {
            let header = batch.header();
            if header.has_producer_id() && !header.is_control() {
                last.insert(header.producer_id, header.last_offset());
            }
        }
    }
    last
}

/// Kafka's `LogSegments.values(from, to)`: the segment holding `from` (or the first one if none
/// does) up to the last segment whose base offset is below `to`. Empty when `from == to`.
fn segments_overlapping(segments: &[SegmentSlice<'_>], from: i64, to: i64) -> Range<usize> {
    if from >= to {
        return 0..0;
    }
    let floor = segments
        .partition_point(|s| s.base_offset <= from)
        .saturating_sub(1);
    let end = segments.partition_point(|s| s.base_offset < to);
    floor..end.max(floor)
}

/// The log end offset: one past the last batch, or the active segment's base offset if later.
fn log_end_offset(segments: &[SegmentSlice<'_>]) -> i64 {
    let active_base = segments[segments.len() - 1].base_offset;
    segments
        .iter()
        .rev()
        .find_map(|s| trusted_batches(s.bytes).last())
        .map_or(active_base, |b| {
            (b.header().last_offset() + 1).max(active_base)
        })
}

/// A segment's largest record timestamp (Kafka's `LogSegment.largestTimestamp`, without its
/// fallback to the file's modification time): -1 when it has no batches.
fn largest_timestamp(bytes: &[u8]) -> i64 {
    trusted_batches(bytes)
        .map(|b| b.header().max_timestamp)
        .max()
        .unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{NewRecord, TimestampType, encode_batch};

    /// One single-record batch per `(key, value, timestamp)`, offsets from `base`.
    fn segment_bytes(base: i64, records: &[(Option<&str>, Option<&str>, i64)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, (key, value, timestamp)) in records.iter().enumerate() {
            let record = NewRecord {
                key: key.map(|k| k.as_bytes().to_vec()),
                value: value.map(|v| v.as_bytes().to_vec()),
                headers: Vec::new(),
                timestamp: Some(*timestamp),
            };
            encode_batch(
                &mut out,
                base + i as i64,
                0,
                TimestampType::CreateTime,
                0,
                &[record],
            );
        }
        out
    }

    fn input<'a>(
        segments: &'a [SegmentSlice<'a>],
        config: &'a CleanerConfig,
        checkpoint: i64,
        high_watermark: i64,
        now: i64,
    ) -> CleanInput<'a> {
        CleanInput {
            segments,
            log_start_offset: segments[0].base_offset,
            high_watermark,
            cleaner_checkpoint: checkpoint,
            now,
            config,
        }
    }

    #[test]
    fn segments_overlapping_follows_log_segments_values() {
        let bytes = [];
        let segments: Vec<_> = [0, 10, 20]
            .iter()
            .map(|&base_offset| SegmentSlice {
                base_offset,
                bytes: &bytes,
            })
            .collect();
        assert_eq!(segments_overlapping(&segments, 5, 5), 0..0);
        assert_eq!(segments_overlapping(&segments, -1, 10), 0..1);
        assert_eq!(segments_overlapping(&segments, 15, 20), 1..2);
        assert_eq!(segments_overlapping(&segments, 15, 21), 1..3);
        assert_eq!(segments_overlapping(&segments, 10, 100), 1..3);
        assert_eq!(segments_overlapping(&segments, 25, 30), 2..3);
    }

    /// Mirrors `LogCleanerTest.testSegmentGrouping`: huge limits give one group, tiny limits
    /// give singletons, a limit of three segments gives groups of three.
    #[test]
    fn grouping_by_size() {
        let bytes: Vec<Vec<u8>> = (0..10)
            .map(|i| segment_bytes(i * 3, &[(Some("k"), Some("hello"), 0); 3]))
            .collect();
        let size = bytes[0].len() as u32;
        let segments: Vec<_> = bytes
            .iter()
            .enumerate()
            .map(|(i, b)| SegmentSlice {
                base_offset: i as i64 * 3,
                bytes: b,
            })
            .collect();
        assert_eq!(group_segments_by_size(&segments, u32::MAX, 30), vec![0..10]);
        let singletons = group_segments_by_size(&segments, 1, 30);
        assert_eq!(singletons.len(), 10);
        assert!(singletons.iter().all(|g| g.len() == 1));
        assert_eq!(
            group_segments_by_size(&segments, 3 * size, 30),
            vec![0..3, 3..6, 6..9, 9..10]
        );
        assert_eq!(
            group_segments_by_size(&segments, 3 * size - 1, 30),
            (0..5).map(|g| 2 * g..2 * g + 2).collect::<Vec<_>>()
        );
    }

    /// Mirrors `LogCleanerTest.testSegmentGroupingWithSparseOffsets`-style overflow checks:
    /// a group never spans more than `Int.MaxValue` offsets, except through empty segments.
    #[test]
    fn grouping_respects_relative_offsets() {
        let full = segment_bytes(0, &[(Some("k"), Some("v"), 0)]);
        let max = i64::from(i32::MAX);
        let bases = [0, max - 1, max + 1];
        let segments: Vec<_> = bases
            .iter()
            .map(|&base_offset| SegmentSlice {
                base_offset,
                bytes: &full,
            })
            .collect();
        // Segment 1 ends at max (next base - 1): max - 0 <= max, joins; segment 2 ends at
        // first_uncleanable - 1 = max + 1: too far from base 0.
        assert_eq!(
            group_segments_by_size(&segments, u32::MAX, max + 2),
            vec![0..2, 2..3]
        );
        let empty = [];
        let with_empty = [
            segments[0],
            segments[1],
            SegmentSlice {
                base_offset: max + 1,
                bytes: &empty,
            },
        ];
        assert_eq!(
            group_segments_by_size(&with_empty, u32::MAX, max + 2),
            vec![0..3]
        );
    }

    /// Mirrors `LogCleanerManagerTest.testCleanableOffsetsActiveSegment` and the checkpoint
    /// resets of `cleanableOffsets`.
    #[test]
    fn cleanable_range_stops_at_active_segment_and_resets_bad_checkpoints() {
        let s0 = segment_bytes(0, &[(Some("a"), Some("1"), 0), (Some("b"), Some("1"), 0)]);
        let s1 = segment_bytes(2, &[(Some("a"), Some("2"), 0)]);
        let s2 = segment_bytes(3, &[(Some("c"), Some("1"), 0)]);
        let segments = [
            SegmentSlice {
                base_offset: 0,
                bytes: &s0,
            },
            SegmentSlice {
                base_offset: 2,
                bytes: &s1,
            },
            SegmentSlice {
                base_offset: 3,
                bytes: &s2,
            },
        ];
        let config = CleanerConfig::default();
        let range = cleanable_range(&input(&segments, &config, 0, 4, 0));
        assert_eq!(range.first_dirty_offset, 0);
        assert_eq!(range.first_uncleanable_offset, 3);
        assert_eq!(range.clean_bytes, 0);
        assert_eq!(range.cleanable_bytes, (s0.len() + s1.len()) as u64);
        assert_eq!(range.dirty_ratio(), 1.0);
        // A checkpoint past the log end offset (4) restarts from the log start offset.
        assert_eq!(
            cleanable_range(&input(&segments, &config, 5, 4, 0)).first_dirty_offset,
            0
        );
        let mut moved = input(&segments, &config, 1, 4, 0);
        moved.log_start_offset = 2;
        assert_eq!(cleanable_range(&moved).first_dirty_offset, 2);
        // A high watermark inside segment 1 rounds down to segment 1's base offset.
        let range = cleanable_range(&input(&segments, &config, 0, 2, 0));
        assert_eq!(range.first_uncleanable_offset, 2);
        // Checkpoint 2: segment 0 is clean, segment 1 dirty.
        let range = cleanable_range(&input(&segments, &config, 2, 4, 0));
        assert_eq!(range.clean_bytes, s0.len() as u64);
        assert_eq!(range.cleanable_bytes, s1.len() as u64);
    }

    /// Mirrors `LogCleanerManagerTest.testCleanableOffsetsForTime`: segments whose largest
    /// timestamp is within `min.compaction.lag.ms` of now are not cleanable.
    #[test]
    fn min_compaction_lag_holds_back_young_segments() {
        let lag = 3_600_000;
        let t0 = 1_000_000;
        let t1 = t0 + lag + 1;
        let old = segment_bytes(0, &[(Some("a"), Some("1"), t0)]);
        let young = segment_bytes(1, &[(Some("a"), Some("2"), t1)]);
        let active = segment_bytes(2, &[(Some("b"), Some("1"), t1)]);
        let segments = [
            SegmentSlice {
                base_offset: 0,
                bytes: &old,
            },
            SegmentSlice {
                base_offset: 1,
                bytes: &young,
            },
            SegmentSlice {
                base_offset: 2,
                bytes: &active,
            },
        ];
        let config = CleanerConfig {
            min_compaction_lag_ms: lag,
            ..CleanerConfig::default()
        };
        assert_eq!(
            cleanable_range(&input(&segments, &config, 0, 3, t1)).first_uncleanable_offset,
            1
        );
        // Strictly greater: at now = t1 + lag the young segment's records are old enough.
        assert_eq!(
            cleanable_range(&input(&segments, &config, 0, 3, t1 + lag)).first_uncleanable_offset,
            2
        );
    }

    /// `grabFilthiestCompactedLog` filters with a strict `cleanableRatio > minCleanableRatio`,
    /// and `max.compaction.lag.ms` forces a round below the ratio.
    #[test]
    fn dirty_ratio_threshold_is_strict_and_max_lag_overrides_it() {
        let clean_part = segment_bytes(0, &[(Some("a"), Some("1"), 10)]);
        let dirty = segment_bytes(1, &[(Some("a"), Some("2"), 10)]);
        let active = [];
        assert_eq!(clean_part.len(), dirty.len());
        let segments = [
            SegmentSlice {
                base_offset: 0,
                bytes: &clean_part,
            },
            SegmentSlice {
                base_offset: 1,
                bytes: &dirty,
            },
            SegmentSlice {
                base_offset: 2,
                bytes: &active,
            },
        ];
        let half = CleanerConfig {
            min_cleanable_dirty_ratio: 0.5,
            ..CleanerConfig::default()
        };
        let at = |config, now| clean(&input(&segments, config, 1, 2, now));
        assert_eq!(
            dirty_ratio(clean_part.len() as u64, dirty.len() as u64),
            0.5
        );
        assert!(at(&half, 100).is_none(), "0.5 is not above 0.5");
        let lower = CleanerConfig {
            min_cleanable_dirty_ratio: 0.49,
            ..half
        };
        let outcome = at(&lower, 100).expect("0.5 > 0.49");
        assert_eq!(outcome.new_checkpoint, 2);
        assert_eq!(outcome.stats.dirty_ratio, 0.5);
        let lagging = CleanerConfig {
            max_compaction_lag_ms: 50,
            ..half
        };
        assert!(at(&lagging, 60).is_none(), "10 is not before 60 - 50");
        assert!(
            at(&lagging, 61).is_some(),
            "10 < 61 - 50: compaction is due"
        );
        // Nothing dirty: no round, whatever the lag.
        assert!(clean(&input(&segments, &lagging, 2, 2, 1_000)).is_none());
    }

    /// Mirrors `LogCleanerTest.testDuplicateCheckAfterCleaning`'s batch retention: a batch
    /// holding an idempotent producer's last data offset stays as an empty header (its
    /// sequence state must survive); the same batch without a producer id is deleted.
    #[test]
    fn a_producers_last_batch_is_kept_empty() {
        let with_producer = |producer_id: i64, base: i64| {
            let mut bytes = segment_bytes(base, &[(Some("k"), Some("v"), 5)]);
            bytes[43..51].copy_from_slice(&producer_id.to_be_bytes());
            bytes[51..53].copy_from_slice(&0i16.to_be_bytes());
            bytes[53..57].copy_from_slice(&0i32.to_be_bytes());
            let crc = crc32c::crc32c(&bytes[21..]);
            bytes[17..21].copy_from_slice(&crc.to_be_bytes());
            bytes
        };
        let config = CleanerConfig {
            min_cleanable_dirty_ratio: 0.0,
            ..CleanerConfig::default()
        };
        for (producer_id, kept) in [(1, true), (-1, false)] {
            let mut first = with_producer(producer_id, 0);
            first.extend(segment_bytes(
                1,
                &[(Some("k"), Some("w"), 6), (Some("x"), Some("y"), 6)],
            ));
            let active = [];
            let segments = [
                SegmentSlice {
                    base_offset: 0,
                    bytes: &first,
                },
                SegmentSlice {
                    base_offset: 3,
                    bytes: &active,
                },
            ];
            let outcome = clean(&input(&segments, &config, 0, 3, 10)).expect("dirty");
            let headers: Vec<BatchHeader> = trusted_batches(&outcome.groups[0].bytes)
                .map(|b| *b.header())
                .collect();
            if kept {
                assert_eq!(headers.len(), 3);
                assert_eq!(headers[0].record_count, 0);
                assert_eq!(headers[0].producer_id, 1);
                assert_eq!(headers[0].base_sequence, 0);
                assert_eq!(headers[0].max_timestamp, 5);
            } else {
                assert_eq!(headers.len(), 2);
                assert_eq!(headers[0].base_offset, 1);
            }
        }
    }

    #[test]
    fn map_keys_are_equal_exactly_when_bytes_are() {
        let long_a = [7u8; 40];
        let mut long_b = long_a;
        long_b[39] = 8;
        let keys: [&[u8]; 6] = [b"", b"a", b"b", b"0123456789abcdef", &long_a, &long_b];
        for a in keys {
            for b in keys {
                assert_eq!(MapKey::new(a) == MapKey::new(b), a == b, "{a:?} vs {b:?}");
            }
        }
    }
}
