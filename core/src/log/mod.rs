//! A partition's log: segments of record batches, broker-assigned offsets, reads by offset and
//! by time, retention and compaction.

pub mod cleaner;
mod segment;

pub use segment::{
    IndexLimits, OFFSET_INDEX_ENTRY_BYTES, OffsetIndexEntry, RecoveryProblem, RecoveryTruncation,
    RollReason, Segment, TIME_INDEX_ENTRY_BYTES, TimeIndexEntry,
};

use crate::config::TopicConfig;
use crate::error::{AdminError, FetchError, ProduceError};
use crate::prng::splitmix64;
use crate::record::{BatchHeader, NewRecord, StoredRecord, TimestampType, encode_batch};
use crate::storage::PartitionState;

/// What an append did, for the producer's acknowledgement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendInfo {
    /// Offset of the first appended record.
    pub base_offset: i64,
    /// Offset of the last appended record.
    pub last_offset: i64,
    /// The broker's time under `LogAppendTime`, else `None` (Kafka answers -1).
    pub log_append_time: Option<i64>,
    /// The log start offset after the append.
    pub log_start_offset: i64,
}

/// An encoded, validated batch waiting to be committed to the log it was prepared on.
#[derive(Clone, Debug)]
pub struct PreparedBatch {
    header: BatchHeader,
    bytes: Vec<u8>,
    log_append_time: Option<i64>,
    now: i64,
}

/// Why retention deleted a segment (Kafka's three `deleteOldSegments` checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeletionReason {
    /// Its newest record is older than `retention.ms`.
    RetentionMs,
    /// The partition is larger than `retention.bytes` without it.
    RetentionBytes,
    /// The log start offset moved past it (`deleteRecords`).
    LogStartOffset,
}

impl DeletionReason {
    /// A short name for logs and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RetentionMs => "retention.ms",
            Self::RetentionBytes => "retention.bytes",
            Self::LogStartOffset => "log start offset",
        }
    }
}

/// A change to a log's stored form or offsets, for the host to persist and draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogChange {
    /// A new, empty active segment was started at `base_offset`.
    SegmentRolled {
        /// Base offset of the new segment.
        base_offset: i64,
        /// Why the previous active segment was closed.
        reason: RollReason,
    },
    /// `bytes` (whole batches) were appended to the segment at `segment_base_offset`.
    Appended {
        /// Base offset of the segment appended to.
        segment_base_offset: i64,
        /// The appended batch bytes.
        bytes: Vec<u8>,
    },
    /// A whole segment was deleted.
    SegmentDeleted {
        /// Base offset of the deleted segment.
        base_offset: i64,
        /// Its size in bytes.
        size: usize,
        /// Why.
        reason: DeletionReason,
    },
    /// The cleaner replaced segments by compacted ones.
    SegmentsCompacted {
        /// Base offsets of the replaced segments.
        removed: Vec<i64>,
        /// The new segments as (base offset, bytes); segments left empty are not kept.
        added: Vec<(i64, Vec<u8>)>,
        /// Bytes of the replaced segments.
        bytes_before: u64,
    },
    /// The log start offset or the cleaner checkpoint moved.
    StateChanged(PartitionState),
}

/// Records read from a log, and the log's offsets at the time of the read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedRecords {
    /// Records at or after the requested offset, in offset order.
    pub records: Vec<StoredRecord>,
    /// First offset the log holds.
    pub log_start_offset: i64,
    /// Offset below which records are visible to consumers.
    pub high_watermark: i64,
    /// Offset the next appended record will get.
    pub log_end_offset: i64,
}

/// Whole record batches as a fetch response carries them: bytes of a Kafka `.log` file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawFetch<'a> {
    /// Whole v2 batches; the first holds the requested offset (or the next one after a gap).
    pub bytes: &'a [u8],
    /// The offset asked for.
    pub offset: i64,
    /// First offset the log holds.
    pub log_start_offset: i64,
    /// Offset below which records are visible to consumers.
    pub high_watermark: i64,
    /// Offset the next appended record will get.
    pub log_end_offset: i64,
}

/// What ListOffsets asks for (Kafka's special timestamps, or a real one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetSpec {
    /// The log start offset (`EARLIEST_TIMESTAMP`, -2).
    Earliest,
    /// The high watermark, as a consumer sees the end (`LATEST_TIMESTAMP`, -1).
    Latest,
    /// The record with the largest timestamp (`MAX_TIMESTAMP`, -3).
    MaxTimestamp,
    /// The first record whose timestamp is at or after this (`offsetsForTimes`).
    Timestamp(i64),
}

impl OffsetSpec {
    /// Kafka's wire encoding: -2 earliest, -1 latest, -3 max timestamp, else a timestamp.
    /// Other negative values are not valid.
    pub fn from_kafka(timestamp: i64) -> Option<Self> {
        match timestamp {
            -2 => Some(Self::Earliest),
            -1 => Some(Self::Latest),
            -3 => Some(Self::MaxTimestamp),
            t if t >= 0 => Some(Self::Timestamp(t)),
            _ => None,
        }
    }
}

/// One ListOffsets answer: the offset, the timestamp found (-1 for earliest and latest, as
/// Kafka answers), and the leader epoch of the batch it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetAndTimestamp {
    /// The offset.
    pub offset: i64,
    /// The record's timestamp, or -1 when the spec was earliest or latest.
    pub timestamp: i64,
    /// The leader epoch of the batch, when known.
    pub leader_epoch: Option<i32>,
}

/// A partition's log.
#[derive(Clone, Debug)]
pub struct PartitionLog {
    /// Never empty: the last segment is the active one.
    segments: Vec<Segment>,
    log_start_offset: i64,
    log_end_offset: i64,
    cleaner_checkpoint: i64,
    leader_epoch: i32,
    /// Seeds each segment's roll jitter, so the same log rolls the same way after recovery.
    jitter_seed: u64,
}

/// The per-segment roll jitter Kafka draws at random (`LogConfig.randomSegmentJitter`), drawn
/// here from the log's seed and the segment's base offset so that it is replayable.
fn roll_jitter(jitter_seed: u64, base_offset: i64, config: &TopicConfig) -> i64 {
    if config.segment_jitter_ms == 0 {
        return 0;
    }
    let random = splitmix64(jitter_seed ^ base_offset as u64) as u32 as i32;
    // Kafka: Utils.abs(random.nextInt()) % min(segment.jitter.ms, segment.ms).
    let abs = if random == i32::MIN { 0 } else { random.abs() };
    i64::from(abs) % config.segment_jitter_ms.min(config.segment_ms)
}

/// An upper bound of a batch's encoded size, so encoding never reallocates: the header, and
/// per record its key, value and headers plus the most their varint framing can take.
fn encoded_size_estimate(records: &[NewRecord]) -> usize {
    const RECORD_FRAMING_MAX: usize = 5 + 1 + 10 + 5 + 5 + 5 + 5;
    const HEADER_FRAMING_MAX: usize = 5 + 5;
    crate::record::BATCH_HEADER_LEN
        + records
            .iter()
            .map(|r| {
                RECORD_FRAMING_MAX
                    + r.key.as_ref().map_or(0, Vec::len)
                    + r.value.as_ref().map_or(0, Vec::len)
                    + r.headers
                        .iter()
                        .map(|h| {
                            HEADER_FRAMING_MAX + h.key.len() + h.value.as_ref().map_or(0, Vec::len)
                        })
                        .sum::<usize>()
            })
            .sum::<usize>()
}

fn index_limits(config: &TopicConfig) -> IndexLimits {
    IndexLimits::new(config.index_interval_bytes, config.segment_index_bytes)
}

impl PartitionLog {
    /// An empty log whose first record will get offset 0. `jitter_seed` fixes the segments'
    /// roll jitter.
    pub fn new(config: &TopicConfig, jitter_seed: u64) -> Self {
        Self {
            segments: vec![Segment::new(
                0,
                index_limits(config),
                roll_jitter(jitter_seed, 0, config),
            )],
            log_start_offset: 0,
            log_end_offset: 0,
            cleaner_checkpoint: 0,
            leader_epoch: 0,
            jitter_seed,
        }
    }

    /// First offset the log holds.
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }

    /// Offset the next appended record will get.
    pub fn log_end_offset(&self) -> i64 {
        self.log_end_offset
    }

    /// Offset below which records are visible to consumers. A single-replica log commits on
    /// append, so this is the log end offset until replication arrives.
    pub fn high_watermark(&self) -> i64 {
        self.log_end_offset
    }

    /// The compaction cleaner's first dirty offset.
    pub fn cleaner_checkpoint(&self) -> i64 {
        self.cleaner_checkpoint
    }

    /// The segments, oldest first; the last is the active segment.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The partition's size: every segment, the active one included.
    pub fn size(&self) -> u64 {
        self.segments.iter().map(|s| s.size() as u64).sum()
    }

    /// The checkpoints to persist.
    pub fn state(&self) -> PartitionState {
        PartitionState {
            log_start_offset: self.log_start_offset,
            cleaner_checkpoint: self.cleaner_checkpoint,
        }
    }

    fn active(&self) -> &Segment {
        self.segments
            .last()
            .expect("a log always has an active segment")
    }

    /// Encodes `records` as the next batch of this log and checks it against the topic's
    /// rules, without changing the log. Commit it with [`PartitionLog::commit`].
    pub fn prepare(
        &self,
        now: i64,
        config: &TopicConfig,
        records: &[NewRecord],
    ) -> Result<PreparedBatch, ProduceError> {
        if records.is_empty() {
            return Err(ProduceError::EmptyBatch);
        }
        if config.cleanup_policy.compact && records.iter().any(|r| r.key.is_none()) {
            return Err(ProduceError::KeylessRecordOnCompactedTopic);
        }
        if config.message_timestamp_type == TimestampType::CreateTime {
            let earliest = now.saturating_sub(config.message_timestamp_before_max_ms);
            let latest = now.saturating_add(config.message_timestamp_after_max_ms);
            for (index, record) in records.iter().enumerate() {
                if let Some(timestamp) = record.timestamp
                    && (timestamp < earliest || timestamp > latest)
                {
                    return Err(ProduceError::InvalidTimestamp {
                        timestamp,
                        offset: self.log_end_offset + index as i64,
                        earliest,
                        latest,
                    });
                }
            }
        }
        let mut bytes = Vec::with_capacity(encoded_size_estimate(records));
        let header = encode_batch(
            &mut bytes,
            self.log_end_offset,
            self.leader_epoch,
            config.message_timestamp_type,
            now,
            records,
        );
        if bytes.len() > config.max_message_bytes as usize {
            return Err(ProduceError::RecordTooLarge {
                size: bytes.len(),
                max: config.max_message_bytes,
            });
        }
        let log_append_time = match config.message_timestamp_type {
            TimestampType::LogAppendTime => Some(now),
            TimestampType::CreateTime => None,
        };
        Ok(PreparedBatch {
            header,
            bytes,
            log_append_time,
            now,
        })
    }

    /// Appends a batch made by [`PartitionLog::prepare`] on this log, rolling first when
    /// Kafka's `shouldRoll` says so. Pushes what changed to `changes`.
    ///
    /// # Panics
    /// If the log changed since the batch was prepared (its offsets would be wrong).
    pub fn commit(
        &mut self,
        batch: PreparedBatch,
        config: &TopicConfig,
        changes: &mut Vec<LogChange>,
    ) -> AppendInfo {
        let PreparedBatch {
            header,
            bytes,
            log_append_time,
            now,
        } = batch;
        assert_eq!(
            header.base_offset, self.log_end_offset,
            "batch was prepared for this log's end"
        );
        if let Some(reason) = self.active().should_roll(
            bytes.len(),
            header.max_timestamp,
            header.last_offset(),
            now,
            config.segment_bytes,
            config.max_segment_ms(),
        ) {
            self.roll(config, reason, changes);
        }
        let active = self
            .segments
            .last_mut()
            .expect("a log always has an active segment");
        active.append_encoded(&header, &bytes, Some(now));
        changes.push(LogChange::Appended {
            segment_base_offset: active.base_offset(),
            bytes,
        });
        let base_offset = self.log_end_offset;
        self.log_end_offset = header.last_offset() + 1;
        assert!(
            self.log_end_offset > base_offset,
            "offsets strictly increase"
        );
        AppendInfo {
            base_offset,
            last_offset: header.last_offset(),
            log_append_time,
            log_start_offset: self.log_start_offset,
        }
    }

    /// [`PartitionLog::prepare`] then [`PartitionLog::commit`].
    pub fn append(
        &mut self,
        now: i64,
        config: &TopicConfig,
        records: &[NewRecord],
        changes: &mut Vec<LogChange>,
    ) -> Result<AppendInfo, ProduceError> {
        let batch = self.prepare(now, config, records)?;
        Ok(self.commit(batch, config, changes))
    }

    fn roll(&mut self, config: &TopicConfig, reason: RollReason, changes: &mut Vec<LogChange>) {
        let base_offset = self.log_end_offset;
        let active = self
            .segments
            .last_mut()
            .expect("a log always has an active segment");
        assert!(
            active.base_offset() < base_offset,
            "only a segment holding records is rolled"
        );
        active.close();
        self.segments.push(Segment::new(
            base_offset,
            index_limits(config),
            roll_jitter(self.jitter_seed, base_offset, config),
        ));
        changes.push(LogChange::SegmentRolled {
            base_offset,
            reason,
        });
    }

    /// Kafka's fetch, as a consumer sees it: whole batches from the one holding `offset` on,
    /// from one segment only (the first at or after `offset` that has a batch to give), below
    /// the high watermark, while they fit in `max_bytes` — except that the first batch is
    /// always returned whole, however large. The first batch may start before `offset`; a
    /// reader skips its earlier records, as Kafka's consumer does.
    pub fn read_batches(&self, offset: i64, max_bytes: usize) -> Result<RawFetch<'_>, FetchError> {
        if offset < self.log_start_offset || offset > self.log_end_offset {
            return Err(FetchError::OffsetOutOfRange {
                offset,
                log_start_offset: self.log_start_offset,
                log_end_offset: self.log_end_offset,
            });
        }
        let high_watermark = self.high_watermark();
        let first_segment = self
            .segments
            .partition_point(|s| s.base_offset() <= offset)
            .saturating_sub(1);
        let mut bytes: &[u8] = &[];
        for segment in &self.segments[first_segment..] {
            let mut range: Option<(usize, usize)> = None;
            for entry in segment.entries_from_offset(offset) {
                if entry.base_offset >= high_watermark {
                    break;
                }
                match range {
                    None => range = Some((entry.position, entry.position + entry.size)),
                    Some((start, end)) if end - start + entry.size <= max_bytes => {
                        range = Some((start, end + entry.size));
                    }
                    Some(_) => break,
                }
            }
            if let Some((start, end)) = range {
                bytes = &segment.as_bytes()[start..end];
                break;
            }
        }
        Ok(RawFetch {
            bytes,
            offset,
            log_start_offset: self.log_start_offset,
            high_watermark,
            log_end_offset: self.log_end_offset,
        })
    }

    /// [`PartitionLog::read_batches`], decoded: the records at or after `offset` below the high
    /// watermark.
    pub fn read(&self, offset: i64, max_bytes: usize) -> Result<FetchedRecords, FetchError> {
        let raw = self.read_batches(offset, max_bytes)?;
        let mut records = Vec::new();
        for batch in crate::record::decode_batches(raw.bytes) {
            let batch = batch.expect("segment batches were validated on append and recovery");
            for record in batch.records() {
                let record = record.expect("segment batches were validated on append and recovery");
                if record.offset >= offset && record.offset < raw.high_watermark {
                    records.push(record);
                }
            }
        }
        Ok(FetchedRecords {
            records,
            log_start_offset: raw.log_start_offset,
            high_watermark: raw.high_watermark,
            log_end_offset: raw.log_end_offset,
        })
    }

    /// Every record from `offset` up to the high watermark: what a consumer gets by fetching
    /// again from after each response's last batch until it reaches the end. Not one Kafka
    /// request; for views and tests.
    pub fn read_all(&self, offset: i64) -> Result<FetchedRecords, FetchError> {
        let mut all = self.read(offset, 0)?;
        all.records.clear();
        let mut next = offset;
        while next < all.high_watermark {
            let raw = self.read_batches(next, usize::MAX)?;
            let mut advanced = next;
            for batch in crate::record::decode_batches(raw.bytes) {
                let batch = batch.expect("segment batches were validated on append and recovery");
                // Like a consumer, continue after the batch's last offset: compaction may have
                // removed that record, but the batch keeps its offset range.
                advanced = advanced.max(batch.header().last_offset() + 1);
                for record in batch.records() {
                    let record =
                        record.expect("segment batches were validated on append and recovery");
                    if record.offset >= next && record.offset < raw.high_watermark {
                        all.records.push(record);
                    }
                }
            }
            if advanced == next {
                break;
            }
            next = advanced;
        }
        Ok(all)
    }

    /// Kafka's ListOffsets for a consumer (`READ_UNCOMMITTED`): earliest is the log start
    /// offset, latest the high watermark, and a timestamp finds the first record at or after
    /// it below the high watermark (`None` when there is none, which Kafka answers as -1).
    pub fn list_offset(&self, spec: OffsetSpec) -> Option<OffsetAndTimestamp> {
        let high_watermark = self.high_watermark();
        match spec {
            OffsetSpec::Earliest => Some(OffsetAndTimestamp {
                offset: self.log_start_offset,
                timestamp: -1,
                leader_epoch: Some(self.leader_epoch),
            }),
            OffsetSpec::Latest => Some(OffsetAndTimestamp {
                offset: high_watermark,
                timestamp: -1,
                leader_epoch: Some(self.leader_epoch),
            }),
            OffsetSpec::MaxTimestamp => {
                let (timestamp, offset) = self
                    .segments
                    .iter()
                    .filter_map(Segment::max_timestamp_and_offset)
                    .filter(|(_, offset)| *offset >= self.log_start_offset)
                    // The first segment holding the largest timestamp wins, as in Kafka.
                    .fold(None, |best: Option<(i64, i64)>, candidate| match best {
                        Some(b) if b.0 >= candidate.0 => Some(b),
                        _ => Some(candidate),
                    })?;
                (offset < high_watermark).then_some(OffsetAndTimestamp {
                    offset,
                    timestamp,
                    leader_epoch: Some(self.leader_epoch),
                })
            }
            OffsetSpec::Timestamp(target) => {
                let segment = self.segments.iter().find(|s| {
                    s.max_timestamp_and_offset()
                        .is_some_and(|(t, _)| t >= target)
                })?;
                let (timestamp, offset, epoch) =
                    segment.find_offset_by_timestamp(target, self.log_start_offset)?;
                (offset < high_watermark).then_some(OffsetAndTimestamp {
                    offset,
                    timestamp,
                    leader_epoch: (epoch >= 0).then_some(epoch),
                })
            }
        }
    }

    /// Kafka's `deleteRecords`: moves the log start offset up to `offset` (-1 means the high
    /// watermark). Whole segments below it go at the next retention pass. Moving it backwards
    /// changes nothing.
    pub fn delete_records(
        &mut self,
        offset: i64,
        changes: &mut Vec<LogChange>,
    ) -> Result<i64, AdminError> {
        let high_watermark = self.high_watermark();
        let target = if offset == -1 { high_watermark } else { offset };
        if target < 0 || target > high_watermark {
            return Err(AdminError::OffsetOutOfRange {
                offset,
                log_start_offset: self.log_start_offset,
                high_watermark,
            });
        }
        if target > self.log_start_offset {
            self.log_start_offset = target;
            self.cleaner_checkpoint = self.cleaner_checkpoint.max(target);
            changes.push(LogChange::StateChanged(self.state()));
        }
        Ok(self.log_start_offset)
    }

    /// Kafka's `deleteOldSegments` (3.7+): deletes whole segments, oldest first, stopping at
    /// the first that may not go and never past the high watermark. With `delete` in
    /// `cleanup.policy` the checks are the log start offset, `retention.bytes` and
    /// `retention.ms`; otherwise only the log start offset. If every segment is due, a new
    /// empty active segment is rolled first so that the log start reaches the log end.
    pub fn apply_retention(
        &mut self,
        now: i64,
        config: &TopicConfig,
        changes: &mut Vec<LogChange>,
    ) -> usize {
        let mut deleted = self.delete_while(now, config, DeletionReason::LogStartOffset, changes);
        if config.cleanup_policy.delete {
            deleted += self.delete_while(now, config, DeletionReason::RetentionBytes, changes);
            deleted += self.delete_while(now, config, DeletionReason::RetentionMs, changes);
        }
        deleted
    }

    fn delete_while(
        &mut self,
        now: i64,
        config: &TopicConfig,
        reason: DeletionReason,
        changes: &mut Vec<LogChange>,
    ) -> usize {
        let mut size_over = match reason {
            DeletionReason::RetentionBytes => {
                let size = self.size() as i64;
                if config.retention_bytes < 0 || size < config.retention_bytes {
                    return 0;
                }
                size - config.retention_bytes
            }
            DeletionReason::RetentionMs if config.retention_ms < 0 => return 0,
            _ => 0,
        };
        let high_watermark = self.high_watermark();
        let mut count = 0;
        for (index, segment) in self.segments.iter().enumerate() {
            let next_base = self.segments.get(index + 1).map(Segment::base_offset);
            let upper_bound = next_base.unwrap_or(self.log_end_offset);
            let is_last = next_base.is_none();
            if high_watermark < upper_bound || (is_last && segment.is_empty()) {
                break;
            }
            let due = match reason {
                DeletionReason::LogStartOffset => {
                    next_base.is_some_and(|next| next <= self.log_start_offset)
                }
                DeletionReason::RetentionBytes => {
                    let due = size_over - segment.size() as i64 >= 0;
                    if due {
                        size_over -= segment.size() as i64;
                    }
                    due
                }
                DeletionReason::RetentionMs => segment
                    .largest_timestamp()
                    .is_some_and(|largest| now.saturating_sub(largest) > config.retention_ms),
            };
            if !due {
                break;
            }
            count += 1;
        }
        if count == 0 {
            return 0;
        }
        if count == self.segments.len() {
            // Every segment is due, the active one too: roll so the log keeps an active
            // segment, at the log end.
            self.roll(config, RollReason::Retention, changes);
        }
        for segment in self.segments.drain(..count) {
            changes.push(LogChange::SegmentDeleted {
                base_offset: segment.base_offset(),
                size: segment.size(),
                reason,
            });
        }
        let first_base = self
            .segments
            .first()
            .expect("retention keeps the active segment")
            .base_offset();
        if first_base > self.log_start_offset {
            self.log_start_offset = first_base;
        }
        self.cleaner_checkpoint = self.cleaner_checkpoint.max(self.log_start_offset);
        changes.push(LogChange::StateChanged(self.state()));
        count
    }

    /// Runs the compaction cleaner once when `cleanup.policy` includes `compact` and the log is
    /// dirty enough; replaces the cleaned segments. Returns what the cleaner did.
    pub fn compact(
        &mut self,
        now: i64,
        config: &TopicConfig,
        changes: &mut Vec<LogChange>,
    ) -> Option<cleaner::CleanStats> {
        if !config.cleanup_policy.compact {
            return None;
        }
        let slices: Vec<cleaner::SegmentSlice<'_>> = self
            .segments
            .iter()
            .map(|s| cleaner::SegmentSlice {
                base_offset: s.base_offset(),
                bytes: s.as_bytes(),
            })
            .collect();
        let cleaner_config = cleaner::CleanerConfig {
            min_cleanable_dirty_ratio: config.min_cleanable_dirty_ratio,
            min_compaction_lag_ms: config.min_compaction_lag_ms,
            max_compaction_lag_ms: config.max_compaction_lag_ms,
            delete_retention_ms: config.delete_retention_ms,
            segment_bytes: config.segment_bytes,
        };
        let outcome = cleaner::clean(&cleaner::CleanInput {
            segments: &slices,
            log_start_offset: self.log_start_offset,
            high_watermark: self.high_watermark(),
            cleaner_checkpoint: self.cleaner_checkpoint,
            now,
            config: &cleaner_config,
        })?;
        let limits = index_limits(config);
        let bytes_before: u64 = outcome
            .groups
            .iter()
            .flat_map(|g| g.removed.iter())
            .map(|base| {
                self.segments
                    .iter()
                    .find(|s| s.base_offset() == *base)
                    .map_or(0, |s| s.size() as u64)
            })
            .sum();
        for group in &outcome.groups {
            let start = self
                .segments
                .iter()
                .position(|s| Some(&s.base_offset()) == group.removed.first())
                .expect("the cleaner replaces segments of this log");
            let end = start + group.removed.len();
            assert!(
                end < self.segments.len(),
                "the active segment is never cleaned"
            );
            let jitter = self.segments[start].roll_jitter_ms();
            let (mut segment, truncation) = Segment::recover(
                group.base_offset,
                &group.bytes,
                group.base_offset,
                limits,
                jitter,
            );
            assert!(truncation.is_none(), "the cleaner writes valid batches");
            segment.close();
            // Kafka swaps in an empty cleaned segment file; rill drops it instead (nothing
            // is lost), so that only the active segment is ever empty.
            let replacement = (!segment.is_empty()).then_some(segment);
            self.segments.splice(start..end, replacement);
        }
        let stats = outcome.stats;
        changes.push(LogChange::SegmentsCompacted {
            removed: outcome
                .groups
                .iter()
                .flat_map(|g| g.removed.iter().copied())
                .collect(),
            added: outcome
                .groups
                .into_iter()
                .filter(|g| !g.bytes.is_empty())
                .map(|g| (g.base_offset, g.bytes))
                .collect(),
            bytes_before,
        });
        self.cleaner_checkpoint = outcome.new_checkpoint;
        changes.push(LogChange::StateChanged(self.state()));
        Some(stats)
    }

    /// Rebuilds a log from stored segments `(base_offset, bytes)` and checkpoints. Keeps the
    /// longest valid prefix: the first corrupt or out-of-order batch and everything after it
    /// are dropped and reported, as Kafka's log recovery truncates after an unclean shutdown.
    pub fn recover(
        mut stored: Vec<(i64, Vec<u8>)>,
        state: Option<PartitionState>,
        config: &TopicConfig,
        jitter_seed: u64,
    ) -> (Self, Vec<RecoveryTruncation>) {
        stored.sort_by_key(|(base, _)| *base);
        let limits = index_limits(config);
        let mut log = PartitionLog {
            segments: Vec::new(),
            log_start_offset: 0,
            log_end_offset: 0,
            cleaner_checkpoint: 0,
            leader_epoch: 0,
            jitter_seed,
        };
        let mut truncations = Vec::new();
        let unreachable = |base_offset: i64, bytes: &[u8], expected: i64| RecoveryTruncation {
            segment_base_offset: base_offset,
            valid_bytes: 0,
            dropped_bytes: bytes.len(),
            problem: RecoveryProblem::OffsetsOutOfOrder {
                expected,
                found: base_offset,
            },
        };
        for (index, (base_offset, bytes)) in stored.iter().enumerate() {
            if *base_offset < log.log_end_offset || *base_offset < 0 {
                truncations.push(unreachable(*base_offset, bytes, log.log_end_offset));
                continue;
            }
            let jitter = roll_jitter(jitter_seed, *base_offset, config);
            let (segment, truncation) =
                Segment::recover(*base_offset, bytes, log.log_end_offset, limits, jitter);
            log.log_end_offset = segment
                .next_offset()
                .unwrap_or(log.log_end_offset.max(segment.base_offset()));
            let cut = truncation.is_some();
            truncations.extend(truncation);
            if let Some(previous) = log.segments.last_mut() {
                previous.close();
            }
            log.segments.push(segment);
            if cut {
                // Everything after a torn segment is unreachable: drop it, as Kafka does.
                for (base_offset, bytes) in &stored[index + 1..] {
                    truncations.push(unreachable(*base_offset, bytes, log.log_end_offset));
                }
                break;
            }
        }
        // Only the active (last) segment may be empty: a roll persists it before any append.
        let last = log.segments.len().saturating_sub(1);
        let mut index = 0;
        log.segments.retain(|s| {
            index += 1;
            index - 1 == last || !s.is_empty()
        });
        if log.segments.is_empty() {
            log.segments.push(Segment::new(
                log.log_end_offset,
                limits,
                roll_jitter(jitter_seed, log.log_end_offset, config),
            ));
        }
        let first_base = log
            .segments
            .first()
            .map_or(log.log_end_offset, Segment::base_offset);
        // The checkpoint is authoritative (compaction may have emptied the first segments, so
        // the log start can lie below the first stored segment); without one, the first
        // segment's base offset is the start.
        let state = state.unwrap_or(PartitionState {
            log_start_offset: first_base,
            cleaner_checkpoint: first_base,
        });
        log.log_start_offset = state.log_start_offset.clamp(0, log.log_end_offset);
        log.cleaner_checkpoint = state
            .cleaner_checkpoint
            .clamp(log.log_start_offset, log.log_end_offset);
        (log, truncations)
    }
}
