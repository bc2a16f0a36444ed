//! A partition's log: segments of record batches, broker-assigned offsets, reads by offset and
//! by time, retention and compaction.

mod checkpoint;
pub mod cleaner;
mod epoch;
mod segment;

pub use checkpoint::PartitionState;
pub use epoch::{EpochEntry, LeaderEpochCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET};

pub use segment::{
    IndexLimits, OFFSET_INDEX_ENTRY_BYTES, OffsetIndexEntry, RecoveryProblem, RecoveryTruncation,
    RollReason, Segment, TIME_INDEX_ENTRY_BYTES, TimeIndexEntry,
};

use crate::config::TopicConfig;
use crate::error::{AdminError, ErrorCode, FetchError, KafkaError, ListOffsetsError, ProduceError};
use crate::prng::splitmix64;
use crate::record::{
    BatchHeader, BatchView, DecodeError, NewRecord, StoredRecord, TimestampType, encode_batch,
};

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
        /// Offset of the first record appended.
        first_offset: i64,
        /// Offset of the last record appended.
        last_offset: i64,
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
    /// The log was truncated at its end (a replica discarding a tail its leader does not
    /// have), or emptied and restarted at a new offset.
    Truncated {
        /// Base offsets of the segments deleted whole.
        removed: Vec<i64>,
        /// The segment the log now ends in, as (base offset, all its bytes), when its bytes
        /// changed or it is new; it replaces any stored segment with that base offset. It is
        /// the active segment, so it may be empty (a log cut inside its first segment's first
        /// batch, or restarted).
        kept: Option<(i64, Vec<u8>)>,
        /// The log end offset afterwards.
        log_end_offset: i64,
    },
    /// The log start offset or the cleaner checkpoint moved.
    StateChanged(PartitionState),
}

/// Why batches fetched from the leader could not be appended to a follower's log. Nothing
/// was appended.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplicaAppendError {
    /// The bytes are not whole, valid v2 batches.
    #[error("corrupt batch at byte {position} of the fetched data: {error}")]
    Corrupt {
        /// Where the bad batch starts in the fetched bytes.
        position: usize,
        /// What is wrong with it.
        error: DecodeError,
    },
    /// The first batch starts below the log end offset (Kafka's
    /// `UnexpectedAppendOffsetException`).
    #[error(
        "unexpected offset in append: first offset {first_offset} is less than the next offset \
         {log_end_offset} (last offset in append {last_offset})"
    )]
    UnexpectedAppendOffset {
        /// Base offset of the first fetched batch.
        first_offset: i64,
        /// Last offset of the last fetched batch.
        last_offset: i64,
        /// The follower's log end offset.
        log_end_offset: i64,
    },
    /// A batch does not start after the one before it (Kafka's `OffsetsOutOfOrderException`).
    #[error("out of order offsets: batch at {found} follows one ending at {previous_last}")]
    OffsetsOutOfOrder {
        /// Last offset of the previous batch.
        previous_last: i64,
        /// Base offset of the batch.
        found: i64,
    },
    /// A batch's offsets do not fit a segment or an `i64`.
    #[error("batch at offset {base_offset} overflows the offsets a segment can hold")]
    OffsetOverflow {
        /// Base offset of the batch.
        base_offset: i64,
    },
}

impl KafkaError for ReplicaAppendError {
    fn error_code(&self) -> ErrorCode {
        match self {
            Self::Corrupt { .. } | Self::OffsetOverflow { .. } => ErrorCode::CorruptMessage,
            // Kafka reports both exceptions as UNKNOWN_SERVER_ERROR: neither has an error code.
            Self::UnexpectedAppendOffset { .. } | Self::OffsetsOutOfOrder { .. } => {
                ErrorCode::UnknownServerError
            }
        }
    }
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

/// Records read from a log without copying them (each borrows the segment's bytes), and the
/// log's offsets at the time of the read: [`PartitionLog::read_refs`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedRefs<'a> {
    /// Records at or after the requested offset, in offset order.
    pub records: Vec<crate::record::RecordRef<'a>>,
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

/// Appends the records of `raw`'s batches at or after its requested offset and below its high
/// watermark to `out`, and returns the offset after its last batch (the requested offset when
/// it has none): like a consumer, the next fetch starts there, even when compaction removed
/// that batch's last record.
fn collect_records(raw: &RawFetch<'_>, out: &mut Vec<StoredRecord>) -> i64 {
    let mut next = raw.offset;
    // Segment bytes were validated on append and recovery: no CRC check on the read path.
    for batch in crate::record::trusted_batches(raw.bytes) {
        next = next.max(batch.header().last_offset() + 1);
        for record in batch.records() {
            let record = record.expect("segment batches were validated on append and recovery");
            if record.offset >= raw.offset && record.offset < raw.high_watermark {
                out.push(record);
            }
        }
    }
    next
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
    /// Within `[log_start_offset, log_end_offset]`; moves back only by truncation.
    high_watermark: i64,
    cleaner_checkpoint: i64,
    /// Stamped into the batches this log appends as leader.
    leader_epoch: i32,
    epoch_cache: LeaderEpochCache,
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
    /// An empty log, created at host time `now`, whose first record will get offset 0.
    /// `jitter_seed` fixes the segments' roll jitter. Its first segment is created now (Kafka's
    /// `LogSegment.created`), which the time-based roll counts from while the segment's first
    /// batch has no timestamp.
    pub fn new_at(config: &TopicConfig, jitter_seed: u64, now: i64) -> Self {
        Self::created(config, jitter_seed, Some(now))
    }

    /// [`PartitionLog::new_at`] for a host that does not pass the creation time (yet): the
    /// first append stands in for it.
    pub fn new(config: &TopicConfig, jitter_seed: u64) -> Self {
        Self::created(config, jitter_seed, None)
    }

    fn created(config: &TopicConfig, jitter_seed: u64, now: Option<i64>) -> Self {
        Self {
            segments: vec![Segment::new(
                0,
                index_limits(config),
                roll_jitter(jitter_seed, 0, config),
                now,
            )],
            log_start_offset: 0,
            log_end_offset: 0,
            high_watermark: 0,
            cleaner_checkpoint: 0,
            leader_epoch: 0,
            epoch_cache: LeaderEpochCache::new(),
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

    /// Offset below which records are committed and visible to consumers.
    pub fn high_watermark(&self) -> i64 {
        self.high_watermark
    }

    /// Moves the high watermark up to `hw`, clamped to the log's offsets (Kafka's
    /// `maybeUpdateHighWatermark`). A lower value changes nothing: only truncation moves it
    /// back.
    pub fn update_high_watermark(&mut self, hw: i64) {
        let clamped = self.clamp_to_log(hw);
        if clamped > self.high_watermark {
            self.high_watermark = clamped;
        }
    }

    /// Sets the high watermark to a checkpointed value, clamped to the log's offsets, as a
    /// replica restores it after recovery (recovery alone sets it to the log end offset).
    pub fn set_recovered_high_watermark(&mut self, hw: i64) {
        self.high_watermark = self.clamp_to_log(hw);
    }

    /// Sets the high watermark without clamping it to the log: a deliberate bug, for the
    /// simulator checker's own tests only.
    #[doc(hidden)]
    pub fn set_high_watermark_unchecked(&mut self, hw: i64) {
        self.high_watermark = hw;
    }

    fn clamp_to_log(&self, offset: i64) -> i64 {
        assert!(
            self.log_start_offset <= self.log_end_offset,
            "log start {} is at or below log end {}",
            self.log_start_offset,
            self.log_end_offset
        );
        offset.clamp(self.log_start_offset, self.log_end_offset)
    }

    /// The leader epoch stamped into the batches this log appends as leader.
    pub fn leader_epoch(&self) -> i32 {
        self.leader_epoch
    }

    /// Makes this log append as the leader of `epoch` from its log end offset on (Kafka's
    /// `maybeAssignEpochStartOffset` on `makeLeader`).
    ///
    /// # Panics
    /// If `epoch` is negative.
    pub fn become_leader(&mut self, epoch: i32) {
        assert!(epoch >= 0, "leader epochs are non-negative, got {epoch}");
        self.leader_epoch = epoch;
        self.epoch_cache.assign(epoch, self.log_end_offset);
    }

    /// The leader epoch cache: which epoch wrote which offsets.
    pub fn epoch_cache(&self) -> &LeaderEpochCache {
        &self.epoch_cache
    }

    /// Kafka's `endOffsetForEpoch` (the leader's OffsetsForLeaderEpoch answer): the largest
    /// epoch at or below `epoch` this log knows, and where it ended; (-1, -1) when unknown.
    /// See [`LeaderEpochCache::end_offset_for`].
    pub fn end_offset_for_epoch(&self, epoch: i32) -> (i32, i64) {
        self.epoch_cache.end_offset_for(epoch, self.log_end_offset)
    }

    /// The compaction cleaner's first dirty offset.
    pub fn cleaner_checkpoint(&self) -> i64 {
        self.cleaner_checkpoint
    }

    /// The segments, oldest first; the last is the active segment.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// A copy of every segment as `(base_offset, bytes)`, oldest first: what a host stores to
    /// replace a partition's stored segments after recovery cut them.
    pub fn segment_bytes(&self) -> Vec<(i64, Vec<u8>)> {
        self.segments
            .iter()
            .map(|s| (s.base_offset(), s.as_bytes().to_vec()))
            .collect()
    }

    /// The segments as `(base_offset, bytes)`, oldest first, taking their bytes: what a
    /// stopped replica keeps on disk for [`PartitionLog::recover`].
    pub(crate) fn into_segment_bytes(self) -> Vec<(i64, Vec<u8>)> {
        self.segments
            .into_iter()
            .map(|segment| (segment.base_offset(), segment.into_bytes()))
            .collect()
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
        assert_eq!(
            header.partition_leader_epoch, self.leader_epoch,
            "batch was prepared under this log's leader epoch"
        );
        if let Some(reason) = self.active().should_roll(
            bytes.len(),
            header.max_timestamp,
            header.last_offset(),
            now,
            config.segment_bytes,
            config.max_segment_ms(),
        ) {
            self.roll(now, config, reason, changes);
        }
        let active = self
            .segments
            .last_mut()
            .expect("a log always has an active segment");
        active.append_encoded(&header, &bytes, Some(now));
        changes.push(LogChange::Appended {
            segment_base_offset: active.base_offset(),
            bytes,
            first_offset: header.base_offset,
            last_offset: header.last_offset(),
        });
        let base_offset = self.log_end_offset;
        self.log_end_offset = header.last_offset() + 1;
        assert!(
            self.log_end_offset > base_offset,
            "offsets strictly increase"
        );
        self.assign_epoch_of(&header);
        AppendInfo {
            base_offset,
            last_offset: header.last_offset(),
            log_append_time,
            log_start_offset: self.log_start_offset,
        }
    }

    /// A single-replica append: [`PartitionLog::prepare`], [`PartitionLog::commit`], then the
    /// high watermark moves to the new log end (the log is its partition's only replica). A
    /// replicated leader commits and moves the high watermark as its followers catch up.
    pub fn append(
        &mut self,
        now: i64,
        config: &TopicConfig,
        records: &[NewRecord],
        changes: &mut Vec<LogChange>,
    ) -> Result<AppendInfo, ProduceError> {
        let batch = self.prepare(now, config, records)?;
        let info = self.commit(batch, config, changes);
        self.update_high_watermark(self.log_end_offset);
        Ok(info)
    }

    /// Kafka's per-batch `maybeAssignEpochStartOffset` on append: the first batch of an epoch
    /// starts its cache entry. Batches without an epoch (-1) leave the cache alone.
    fn assign_epoch_of(&mut self, header: &BatchHeader) {
        if header.partition_leader_epoch >= 0 {
            self.epoch_cache
                .assign(header.partition_leader_epoch, header.base_offset);
        }
    }

    fn roll(
        &mut self,
        now: i64,
        config: &TopicConfig,
        reason: RollReason,
        changes: &mut Vec<LogChange>,
    ) {
        self.roll_at(now, self.log_end_offset, config, reason, changes);
    }

    /// Closes the active segment and starts one, created at `now`, at `base_offset` (the log
    /// end, or a follower's next batch when the leader's log has a gap there, as Kafka's
    /// `roll(expectedNextOffset)`).
    fn roll_at(
        &mut self,
        now: i64,
        base_offset: i64,
        config: &TopicConfig,
        reason: RollReason,
        changes: &mut Vec<LogChange>,
    ) {
        assert!(
            base_offset >= self.log_end_offset,
            "a new segment starts at or after the log end"
        );
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
            Some(now),
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
        self.read_batches_below(offset, max_bytes, self.high_watermark)
    }

    /// [`PartitionLog::read_batches`] as a follower's fetch sees it (Kafka's
    /// `FetchIsolation.LOG_END`): batches up to the log end offset, committed or not.
    pub fn read_batches_for_follower(
        &self,
        offset: i64,
        max_bytes: usize,
    ) -> Result<RawFetch<'_>, FetchError> {
        self.read_batches_below(offset, max_bytes, self.log_end_offset)
    }

    fn read_batches_below(
        &self,
        offset: i64,
        max_bytes: usize,
        upper_bound: i64,
    ) -> Result<RawFetch<'_>, FetchError> {
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
                if entry.base_offset >= upper_bound {
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
        collect_records(&raw, &mut records);
        Ok(FetchedRecords {
            records,
            log_start_offset: raw.log_start_offset,
            high_watermark: raw.high_watermark,
            log_end_offset: raw.log_end_offset,
        })
    }

    /// [`PartitionLog::read`] without the two allocations per record: the same records, each
    /// borrowing its key, value and headers from the segment (decode them straight into
    /// whatever the caller builds, e.g. JavaScript objects).
    ///
    /// # Errors
    /// As [`PartitionLog::read`].
    pub fn read_refs(&self, offset: i64, max_bytes: usize) -> Result<FetchedRefs<'_>, FetchError> {
        let raw = self.read_batches(offset, max_bytes)?;
        let mut records = Vec::new();
        for batch in crate::record::trusted_batches(raw.bytes) {
            records.extend(
                batch
                    .record_refs()
                    .filter(|r| r.offset >= raw.offset && r.offset < raw.high_watermark),
            );
        }
        Ok(FetchedRefs {
            records,
            log_start_offset: raw.log_start_offset,
            high_watermark: raw.high_watermark,
            log_end_offset: raw.log_end_offset,
        })
    }

    /// How many records the log holds at or after its log start offset, committed or not:
    /// `log end − log start` for a log with contiguous offsets, fewer after compaction. Walks
    /// batch headers only (no record is decoded), except in a batch the log start cuts.
    pub fn records_held(&self) -> u64 {
        let mut held = 0u64;
        for segment in &self.segments {
            for batch in crate::record::trusted_batches(segment.as_bytes()) {
                let header = batch.header();
                if header.last_offset() < self.log_start_offset {
                    continue;
                }
                if header.base_offset >= self.log_start_offset {
                    held += u64::try_from(header.record_count).unwrap_or(0);
                } else {
                    let start = self.log_start_offset;
                    held += batch
                        .records()
                        .filter_map(Result::ok)
                        .filter(|r| r.offset >= start)
                        .count() as u64;
                }
            }
        }
        debug_assert!(held <= (self.log_end_offset - self.log_start_offset).max(0) as u64);
        held
    }

    /// The records in `from..to`, committed or not (up to the log end offset, not only the
    /// high watermark), at most `max_records` of them from `from` on: what a view draws of a
    /// replica (records above the high watermark are not yet visible to consumers). `from`
    /// below the log start offset reads from the log start. Not a Kafka request.
    pub fn read_range(&self, from: i64, to: i64, max_records: usize) -> Vec<StoredRecord> {
        let mut out = Vec::new();
        let to = to.min(self.log_end_offset);
        let mut next = from.max(self.log_start_offset);
        // Bounded: each pass advances `next` past at least one batch, or stops.
        while next < to && out.len() < max_records {
            let Ok(raw) = self.read_batches_below(next, 64 * 1024, to) else {
                break;
            };
            let mut advanced = next;
            for batch in crate::record::trusted_batches(raw.bytes) {
                advanced = advanced.max(batch.header().last_offset() + 1);
                for record in batch.records() {
                    let record =
                        record.expect("segment batches were validated on append and recovery");
                    if record.offset >= next && record.offset < to && out.len() < max_records {
                        out.push(record);
                    }
                }
            }
            if advanced <= next {
                break;
            }
            next = advanced;
        }
        debug_assert!(
            out.windows(2).all(|w| w[0].offset < w[1].offset),
            "offsets increase"
        );
        out
    }

    /// Every record from `offset` up to the high watermark: what a consumer gets by fetching
    /// again from after each response's last batch until it reaches the end. Not one Kafka
    /// request; for views and tests.
    pub fn read_all(&self, offset: i64) -> Result<FetchedRecords, FetchError> {
        let mut all = self.read(offset, 0)?;
        all.records.clear();
        let mut next = offset;
        while next < all.high_watermark {
            let advanced = collect_records(&self.read_batches(next, usize::MAX)?, &mut all.records);
            if advanced == next {
                break;
            }
            next = advanced;
        }
        Ok(all)
    }

    /// Kafka's ListOffsets for a client, as the partition's leader answers it
    /// (`Partition.fetchOffsetForTimestamp` with an isolation level, `READ_UNCOMMITTED`): as
    /// [`PartitionLog::list_offset`], but while the high watermark is below
    /// `epoch_start_offset` (the log end offset when this leader's epoch began, Kafka's
    /// `leaderEpochStartOffsetOpt`) "latest", and a timestamp or max-timestamp lookup that
    /// finds no record below the high watermark, fail: the answer could be lower than one an
    /// earlier leader gave. "Earliest" always answers.
    ///
    /// # Errors
    /// [`ListOffsetsError::OffsetNotAvailable`] (`OFFSET_NOT_AVAILABLE`) in that state.
    pub fn list_offset_at_leader(
        &self,
        spec: OffsetSpec,
        epoch_start_offset: i64,
    ) -> Result<Option<OffsetAndTimestamp>, ListOffsetsError> {
        let lagging = (epoch_start_offset > self.high_watermark).then_some(
            ListOffsetsError::OffsetNotAvailable {
                high_watermark: self.high_watermark,
                epoch_start_offset,
            },
        );
        let found = self.list_offset(spec);
        match (spec, lagging) {
            (_, None) | (OffsetSpec::Earliest, _) => Ok(found),
            (OffsetSpec::Latest, Some(error)) => Err(error),
            // A record found below the high watermark is a safe answer.
            (OffsetSpec::Timestamp(_) | OffsetSpec::MaxTimestamp, Some(error)) => {
                found.map(Some).ok_or(error)
            }
        }
    }

    /// Kafka's ListOffsets for a consumer (`READ_UNCOMMITTED`): earliest is the log start
    /// offset, latest the high watermark, and a timestamp finds the first record at or after
    /// it below the high watermark (`None` when there is none, which Kafka answers as -1).
    /// Without the check a leader makes right after its election
    /// ([`PartitionLog::list_offset_at_leader`]).
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
            self.epoch_cache.truncate_from_start(target);
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
            self.roll(now, config, RollReason::Retention, changes);
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
            self.epoch_cache.truncate_from_start(first_base);
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
            // Kafka creates the cleaned segment now; only an active segment's creation time
            // is ever read, and the cleaner never replaces the active segment.
            let (mut segment, truncation) = Segment::recover(
                group.base_offset,
                &group.bytes,
                group.base_offset,
                limits,
                jitter,
                Some(now),
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

    /// Rebuilds a log from stored segments `(base_offset, bytes)` and checkpoints, at host time
    /// `now`. Keeps the longest valid prefix: the first corrupt or out-of-order batch and
    /// everything after it are dropped and reported, as Kafka's log recovery truncates after
    /// an unclean shutdown.
    ///
    /// Every segment is created now, as Kafka's `LogLoader` constructs each `LogSegment` at
    /// startup (`created = time.milliseconds()`; no file time is read): an active segment
    /// whose first batch has no timestamp waits a full `segment.ms` from the recovery.
    pub fn recover_at(
        stored: Vec<(i64, Vec<u8>)>,
        state: Option<PartitionState>,
        config: &TopicConfig,
        jitter_seed: u64,
        now: i64,
    ) -> (Self, Vec<RecoveryTruncation>) {
        Self::recover_created(stored, state, config, jitter_seed, Some(now))
    }

    /// [`PartitionLog::recover_at`] for a host that does not pass the time (yet): the first
    /// append after the recovery stands in for the segments' creation time.
    pub fn recover(
        stored: Vec<(i64, Vec<u8>)>,
        state: Option<PartitionState>,
        config: &TopicConfig,
        jitter_seed: u64,
    ) -> (Self, Vec<RecoveryTruncation>) {
        Self::recover_created(stored, state, config, jitter_seed, None)
    }

    fn recover_created(
        mut stored: Vec<(i64, Vec<u8>)>,
        state: Option<PartitionState>,
        config: &TopicConfig,
        jitter_seed: u64,
        now: Option<i64>,
    ) -> (Self, Vec<RecoveryTruncation>) {
        stored.sort_by_key(|(base, _)| *base);
        let limits = index_limits(config);
        let mut log = PartitionLog {
            segments: Vec::new(),
            log_start_offset: 0,
            log_end_offset: 0,
            high_watermark: 0,
            cleaner_checkpoint: 0,
            leader_epoch: 0,
            epoch_cache: LeaderEpochCache::new(),
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
                Segment::recover(*base_offset, bytes, log.log_end_offset, limits, jitter, now);
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
                now,
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
        log.rebuild_epoch_cache();
        log.leader_epoch = log.epoch_cache.latest_epoch().unwrap_or(0);
        // A single broker's log is committed up to its end; a replica restores its checkpoint
        // with `set_recovered_high_watermark`.
        log.high_watermark = log.log_end_offset;
        (log, truncations)
    }

    /// Kafka's recovery of a missing epoch checkpoint (`LogSegment.recover`): each batch whose
    /// epoch is newer than the latest known one starts an entry; then the cache is cut to the
    /// log start offset.
    fn rebuild_epoch_cache(&mut self) {
        let mut cache = LeaderEpochCache::new();
        for segment in &self.segments {
            for entry in segment.entries_from(0) {
                let header = *segment.batch(&entry).header();
                let epoch = header.partition_leader_epoch;
                if epoch >= 0 && cache.latest_epoch().is_none_or(|latest| epoch > latest) {
                    cache.assign(epoch, header.base_offset);
                }
            }
        }
        cache.truncate_from_end(self.log_end_offset);
        cache.truncate_from_start(self.log_start_offset);
        self.epoch_cache = cache;
    }

    /// Appends batches fetched from the leader, as the leader wrote them: offsets, timestamps
    /// and leader epochs kept, bytes unchanged (Kafka's `appendAsFollower`). The segments roll
    /// by the same rules as [`PartitionLog::commit`], checked before each batch, so a follower
    /// with the leader's config and roll seed holds byte-identical segments however its
    /// fetches were sized. The epoch cache follows the batches' leader epochs; the high
    /// watermark is not moved. Returns the first and last appended offsets, or `None` for no
    /// bytes.
    ///
    /// Every batch is validated before anything changes: bad bytes, a first batch starting
    /// below the log end offset, or offsets that do not increase append nothing. A first
    /// batch above the log end offset is accepted, as in Kafka (a compacted leader's log has
    /// gaps).
    pub fn append_as_follower(
        &mut self,
        now: i64,
        config: &TopicConfig,
        bytes: &[u8],
        changes: &mut Vec<LogChange>,
    ) -> Result<Option<(i64, i64)>, ReplicaAppendError> {
        let mut batches: Vec<BatchView<'_>> = Vec::new();
        let mut position = 0;
        while position < bytes.len() {
            let view = BatchView::parse(&bytes[position..])
                .map_err(|error| ReplicaAppendError::Corrupt { position, error })?;
            let header = view.header();
            if header
                .base_offset
                .checked_add(i64::from(header.last_offset_delta))
                .is_none()
            {
                return Err(ReplicaAppendError::OffsetOverflow {
                    base_offset: header.base_offset,
                });
            }
            if let Some(previous) = batches.last()
                && header.base_offset <= previous.header().last_offset()
            {
                return Err(ReplicaAppendError::OffsetsOutOfOrder {
                    previous_last: previous.header().last_offset(),
                    found: header.base_offset,
                });
            }
            position += view.as_bytes().len();
            batches.push(view);
        }
        let (Some(first), Some(last)) = (batches.first(), batches.last()) else {
            return Ok(None);
        };
        let first_offset = first.header().base_offset;
        let last_offset = last.header().last_offset();
        if first_offset < self.log_end_offset {
            return Err(ReplicaAppendError::UnexpectedAppendOffset {
                first_offset,
                last_offset,
                log_end_offset: self.log_end_offset,
            });
        }
        let active = self.active();
        if active.is_empty()
            && first.header().last_offset() - active.base_offset() > i64::from(i32::MAX)
        {
            // Kafka would replace the empty segment; a gap this wide is not worth modelling.
            return Err(ReplicaAppendError::OffsetOverflow {
                base_offset: first_offset,
            });
        }
        let mut pending: Vec<u8> = Vec::new();
        // The first offset of the batches in `pending`.
        let mut pending_first = first_offset;
        for batch in &batches {
            let header = batch.header();
            if let Some(reason) = self.active().should_roll(
                batch.as_bytes().len(),
                header.max_timestamp,
                header.last_offset(),
                now,
                config.segment_bytes,
                config.max_segment_ms(),
            ) {
                self.flush_pending(&mut pending, pending_first, changes);
                self.roll_at(now, header.base_offset, config, reason, changes);
            }
            let active = self
                .segments
                .last_mut()
                .expect("a log always has an active segment");
            active.append_encoded(header, batch.as_bytes(), Some(now));
            if pending.is_empty() {
                pending_first = header.base_offset;
            }
            pending.extend_from_slice(batch.as_bytes());
            self.log_end_offset = header.last_offset() + 1;
            self.assign_epoch_of(header);
        }
        self.flush_pending(&mut pending, pending_first, changes);
        assert_eq!(
            self.log_end_offset,
            last_offset + 1,
            "the log ends after the last appended batch"
        );
        Ok(Some((first_offset, last_offset)))
    }

    /// Reports the bytes appended to the active segment since the last report: batches from
    /// `first_offset` to the log end.
    fn flush_pending(
        &self,
        pending: &mut Vec<u8>,
        first_offset: i64,
        changes: &mut Vec<LogChange>,
    ) {
        if !pending.is_empty() {
            changes.push(LogChange::Appended {
                segment_base_offset: self.active().base_offset(),
                bytes: std::mem::take(pending),
                first_offset,
                last_offset: self.log_end_offset - 1,
            });
        }
    }

    /// Kafka's `UnifiedLog.truncateTo`: the log keeps only offsets below `offset`, which
    /// becomes the log end offset. A batch holding `offset` is dropped whole (Kafka's
    /// `LogSegment.truncateTo`), so the log may end with a gap below `offset`. Segments above
    /// it are deleted, and so is the segment holding it when nothing of it stays (unless it is
    /// the first): appends go on in the one before, so a replica that truncates and catches up
    /// holds its leader's segments (Kafka keeps the emptied segment). The epoch cache loses the
    /// entries starting at or after `offset`, and the high watermark, log start offset and
    /// cleaner checkpoint come down to it if they were above.
    /// An `offset` at or above the log end only drops epoch entries at or after the log end;
    /// one below the first segment empties the log
    /// ([`PartitionLog::truncate_fully_and_start_at`]).
    ///
    /// # Panics
    /// If `offset` is negative.
    pub fn truncate_to(&mut self, offset: i64, config: &TopicConfig, changes: &mut Vec<LogChange>) {
        assert!(
            offset >= 0,
            "cannot truncate to a negative offset ({offset})"
        );
        if offset >= self.log_end_offset {
            // A leader that never appended may hold an entry at its log end: drop it.
            self.epoch_cache.truncate_from_end(self.log_end_offset);
            return;
        }
        let first_base = self.segments.first().map_or(0, Segment::base_offset);
        if first_base > offset {
            self.truncate_fully_and_start_at(offset, config, changes);
            return;
        }
        let old_active_base = self.active().base_offset();
        let keep = self.segments.partition_point(|s| s.base_offset() <= offset);
        assert!(keep >= 1, "the first segment starts at or below {offset}");
        let mut removed: Vec<i64> = self
            .segments
            .drain(keep..)
            .map(|s| s.base_offset())
            .collect();
        let cut = self
            .segments
            .last_mut()
            .expect("a log always has an active segment");
        let dropped = cut.truncate_to(offset);
        let mut kept = (dropped > 0).then(|| (cut.base_offset(), cut.as_bytes().to_vec()));
        if cut.is_empty() && self.segments.len() > 1 {
            // Kafka keeps the emptied segment; rill drops it and appends to the one before,
            // as a log that never held the discarded tail would, so a replica that truncates
            // and catches up holds the same segments as its leader.
            let emptied = self.segments.pop().expect("the cut segment is in the log");
            removed.insert(0, emptied.base_offset());
            kept = None;
            let reopened = self
                .segments
                .last_mut()
                .expect("a segment precedes the emptied one");
            let reopened_dropped = reopened.truncate_to(offset);
            assert_eq!(
                reopened_dropped, 0,
                "every record of the segment before the cut is below the cut"
            );
        }
        let new_active_base = self.active().base_offset();
        let state_before = self.state();
        self.log_end_offset = offset;
        self.epoch_cache.truncate_from_end(offset);
        self.log_start_offset = self.log_start_offset.min(offset);
        if offset < old_active_base {
            // Kafka's `maybeTruncateCleanerCheckpointToActiveSegmentBaseOffset`.
            self.cleaner_checkpoint = self.cleaner_checkpoint.min(new_active_base);
        }
        self.cleaner_checkpoint = self
            .cleaner_checkpoint
            .clamp(self.log_start_offset, self.log_end_offset);
        self.high_watermark = self.high_watermark.min(offset);
        self.high_watermark = self.clamp_to_log(self.high_watermark);
        assert!(
            self.active()
                .next_offset()
                .is_none_or(|next| next <= self.log_end_offset),
            "no record at or above the truncation point survives"
        );
        changes.push(LogChange::Truncated {
            removed,
            kept,
            log_end_offset: offset,
        });
        if self.state() != state_before {
            changes.push(LogChange::StateChanged(self.state()));
        }
    }

    /// Kafka's `truncateFullyAndStartAt`: deletes every segment and restarts the log, empty,
    /// at `offset` (which may lie above the old log end, as when a follower is behind the
    /// leader's log start). The log start, log end, high watermark and cleaner checkpoint all
    /// become `offset`; the epoch cache is cleared.
    ///
    /// # Panics
    /// If `offset` is negative.
    pub fn truncate_fully_and_start_at(
        &mut self,
        offset: i64,
        config: &TopicConfig,
        changes: &mut Vec<LogChange>,
    ) {
        assert!(
            offset >= 0,
            "cannot start a log at a negative offset ({offset})"
        );
        let removed: Vec<i64> = self.segments.iter().map(Segment::base_offset).collect();
        // Kafka creates the new segment now; the caller gives no time yet, so its first
        // append stands in.
        self.segments = vec![Segment::new(
            offset,
            index_limits(config),
            roll_jitter(self.jitter_seed, offset, config),
            None,
        )];
        self.log_start_offset = offset;
        self.log_end_offset = offset;
        self.high_watermark = offset;
        self.cleaner_checkpoint = offset;
        self.epoch_cache.clear();
        changes.push(LogChange::Truncated {
            removed,
            kept: Some((offset, Vec::new())),
            log_end_offset: offset,
        });
        changes.push(LogChange::StateChanged(self.state()));
    }
}
