//! One log segment: a run of record batches starting at a base offset, with Kafka's sparse
//! offset index and time index.

use crate::record::{BatchHeader, BatchView, DecodeError, decode_batches, trusted_batches};

/// Bytes per offset-index entry in Kafka's `.index` file (relative offset, position).
pub const OFFSET_INDEX_ENTRY_BYTES: u32 = 8;
/// Bytes per time-index entry in Kafka's `.timeindex` file (timestamp, relative offset).
pub const TIME_INDEX_ENTRY_BYTES: u32 = 12;

/// One offset-index entry: the last offset of an appended batch and where that batch starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetIndexEntry {
    /// Offset relative to the segment's base offset.
    pub relative_offset: u32,
    /// Byte position of the batch in the segment.
    pub position: u32,
}

/// One time-index entry: the largest timestamp so far and the offset that carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeIndexEntry {
    /// The largest timestamp seen in the segment up to this entry.
    pub timestamp: i64,
    /// Offset (relative to the base offset) of the record with that timestamp.
    pub relative_offset: u32,
}

/// Limits a segment's indexes are built with (from `segment.index.bytes` and
/// `index.interval.bytes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexLimits {
    /// Bytes appended between two index entries (`index.interval.bytes`).
    pub interval_bytes: u32,
    /// Most offset-index entries (`segment.index.bytes / 8`).
    pub max_offset_entries: u32,
    /// Most time-index entries (`segment.index.bytes / 12`).
    pub max_time_entries: u32,
}

impl IndexLimits {
    /// Limits from the two configs, as Kafka sizes its index files.
    pub fn new(index_interval_bytes: u32, segment_index_bytes: u32) -> Self {
        Self {
            interval_bytes: index_interval_bytes,
            max_offset_entries: (segment_index_bytes / OFFSET_INDEX_ENTRY_BYTES).max(1),
            max_time_entries: (segment_index_bytes / TIME_INDEX_ENTRY_BYTES).max(1),
        }
    }
}

/// Where one batch sits inside its segment, read from its header in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BatchEntry {
    pub(crate) base_offset: i64,
    pub(crate) last_offset: i64,
    pub(crate) position: usize,
    pub(crate) size: usize,
    pub(crate) max_timestamp: i64,
}

/// A segment's bytes (a valid Kafka `.log` file), its offset and time indexes, and what
/// rolling and retention need to know about it.
#[derive(Clone, Debug)]
pub struct Segment {
    base_offset: i64,
    bytes: Vec<u8>,
    offset_index: Vec<OffsetIndexEntry>,
    time_index: Vec<TimeIndexEntry>,
    limits: IndexLimits,
    bytes_since_last_index_entry: usize,
    /// Largest record timestamp so far, and the offset of the record holding it.
    max_timestamp_so_far: Option<(i64, i64)>,
    /// Kafka's `rollingBasedTimestamp`: the largest timestamp of the first batch.
    rolling_based_timestamp: Option<i64>,
    /// Kafka's `LogSegment.created`: when this segment was created — with its log, at a roll,
    /// or when recovery loaded it. The roll clock uses it only while the first batch has no
    /// timestamp. `None` when the creator gave no time (a host that does not pass one yet):
    /// then the first append stands in.
    created: Option<i64>,
    /// When a batch was last appended (host time), Kafka's file `lastModified`.
    last_modified: Option<i64>,
    /// Fixed at creation: how much earlier than `segment.ms` this segment rolls.
    roll_jitter_ms: i64,
    first_offset: Option<i64>,
    next_offset: Option<i64>,
    batch_count: usize,
}

impl Segment {
    /// An empty segment whose first record will have `base_offset`, created at host time
    /// `created` (`None`: unknown, its first append stands in).
    ///
    /// # Panics
    /// If `base_offset` is negative.
    pub fn new(
        base_offset: i64,
        limits: IndexLimits,
        roll_jitter_ms: i64,
        created: Option<i64>,
    ) -> Self {
        assert!(base_offset >= 0, "segment base offsets are non-negative");
        assert!(roll_jitter_ms >= 0, "jitter only brings a roll forward");
        Self {
            base_offset,
            bytes: Vec::new(),
            offset_index: Vec::new(),
            time_index: Vec::new(),
            limits,
            bytes_since_last_index_entry: 0,
            max_timestamp_so_far: None,
            rolling_based_timestamp: None,
            created,
            last_modified: None,
            roll_jitter_ms,
            first_offset: None,
            next_offset: None,
            batch_count: 0,
        }
    }

    /// Kafka's file name for this segment: the base offset, zero-padded to 20 digits.
    pub fn file_name(&self) -> String {
        format!("{:020}.log", self.base_offset)
    }

    /// The segment's name: no record in it has a smaller offset.
    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }

    /// The segment's size in bytes.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the segment holds no batch.
    pub fn is_empty(&self) -> bool {
        self.batch_count == 0
    }

    /// Number of batches in the segment.
    pub fn batch_count(&self) -> usize {
        self.batch_count
    }

    /// The segment's bytes, taking them (the indexes are dropped).
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The segment's bytes: a Kafka `.log` file.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Offset of the first record, or `None` when empty.
    pub fn first_offset(&self) -> Option<i64> {
        self.first_offset
    }

    /// Offset after the segment's last record, or `None` when empty.
    pub fn next_offset(&self) -> Option<i64> {
        self.next_offset
    }

    /// The offset index entries, oldest first.
    pub fn offset_index(&self) -> &[OffsetIndexEntry] {
        &self.offset_index
    }

    /// The time index entries, oldest first.
    pub fn time_index(&self) -> &[TimeIndexEntry] {
        &self.time_index
    }

    /// The offset index as Kafka's `.index` file: big-endian (relative offset, position) pairs.
    pub fn offset_index_file(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.offset_index.len() * 8);
        for entry in &self.offset_index {
            out.extend_from_slice(&entry.relative_offset.to_be_bytes());
            out.extend_from_slice(&entry.position.to_be_bytes());
        }
        out
    }

    /// The time index as Kafka's `.timeindex` file: big-endian (timestamp, relative offset).
    pub fn time_index_file(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.time_index.len() * 12);
        for entry in &self.time_index {
            out.extend_from_slice(&entry.timestamp.to_be_bytes());
            out.extend_from_slice(&entry.relative_offset.to_be_bytes());
        }
        out
    }

    /// Kafka's `largestTimestamp`: the largest record timestamp if there is one ≥ 0, else the
    /// time of the last append (the file's `lastModified`).
    pub fn largest_timestamp(&self) -> Option<i64> {
        match self.max_timestamp_so_far {
            Some((timestamp, _)) if timestamp >= 0 => Some(timestamp),
            _ => self.last_modified,
        }
    }

    /// The largest record timestamp and the offset of the record holding it.
    pub fn max_timestamp_and_offset(&self) -> Option<(i64, i64)> {
        self.max_timestamp_so_far
    }

    /// The jitter fixed for this segment when it was created.
    pub fn roll_jitter_ms(&self) -> i64 {
        self.roll_jitter_ms
    }

    /// Kafka's `LogSegment.created`: the host time the segment was created (with its log, at
    /// a roll, or by recovery), or of its first append when its creator gave no time; `None`
    /// for such a segment before its first append.
    pub fn created(&self) -> Option<i64> {
        self.created
    }

    /// Kafka's `LogSegment.shouldRoll`: must a batch of `incoming_size` bytes, whose records
    /// reach `incoming_max_timestamp` and `incoming_last_offset`, go to a new segment?
    pub(crate) fn should_roll(
        &self,
        incoming_size: usize,
        incoming_max_timestamp: i64,
        incoming_last_offset: i64,
        now: i64,
        segment_bytes: u32,
        max_segment_ms: i64,
    ) -> Option<RollReason> {
        if self.is_empty() {
            return None;
        }
        if self.size() > (segment_bytes as usize).saturating_sub(incoming_size) {
            return Some(RollReason::Size);
        }
        let waited = match self.rolling_based_timestamp {
            Some(first) if first >= 0 => incoming_max_timestamp.saturating_sub(first),
            _ => now.saturating_sub(self.created.unwrap_or(now)),
        };
        if waited > max_segment_ms.saturating_sub(self.roll_jitter_ms) {
            return Some(RollReason::Time);
        }
        if self.offset_index.len() >= self.limits.max_offset_entries as usize
            || self.time_index.len() >= self.limits.max_time_entries as usize
        {
            return Some(RollReason::IndexFull);
        }
        if incoming_last_offset - self.base_offset > i64::from(i32::MAX) {
            return Some(RollReason::OffsetOverflow);
        }
        None
    }

    /// Appends one already-encoded, validated batch whose header is `header`, at host time
    /// `now`, and maintains the indexes as Kafka's `LogSegment.append` does.
    pub(crate) fn append_encoded(&mut self, header: &BatchHeader, bytes: &[u8], now: Option<i64>) {
        debug_assert_eq!(header.size(), bytes.len(), "header must describe the bytes");
        assert!(
            header.base_offset >= self.next_offset.unwrap_or(self.base_offset),
            "batches are appended in increasing offset order"
        );
        let position = self.bytes.len();
        let last_offset = header.last_offset();
        if position == 0 {
            self.rolling_based_timestamp = Some(header.max_timestamp);
            self.first_offset = Some(header.base_offset);
        }
        if self
            .max_timestamp_so_far
            .is_none_or(|(max, _)| header.max_timestamp > max)
        {
            // v2 batches do not record which offset holds the max timestamp; Kafka's
            // `offsetOfMaxTimestamp` for an appended batch is its last offset.
            self.max_timestamp_so_far = Some((header.max_timestamp, last_offset));
        }
        if self.bytes_since_last_index_entry > self.limits.interval_bytes as usize {
            self.offset_index.push(OffsetIndexEntry {
                relative_offset: self.relative(last_offset),
                position: u32::try_from(position).expect("segments are smaller than 2 GiB"),
            });
            self.maybe_append_time_index();
            self.bytes_since_last_index_entry = 0;
        }
        self.bytes_since_last_index_entry += bytes.len();
        self.bytes.extend_from_slice(bytes);
        self.next_offset = Some(last_offset + 1);
        self.batch_count += 1;
        if now.is_some() {
            self.last_modified = now;
            // Only for a segment whose creator gave no time.
            self.created = self.created.or(now);
        }
    }

    fn relative(&self, offset: i64) -> u32 {
        u32::try_from(offset - self.base_offset).expect("a segment rolls before offsets overflow")
    }

    fn maybe_append_time_index(&mut self) {
        if let Some((timestamp, offset)) = self.max_timestamp_so_far
            && self
                .time_index
                .last()
                .is_none_or(|e| timestamp > e.timestamp)
        {
            let relative_offset = self.relative(offset);
            self.time_index.push(TimeIndexEntry {
                timestamp,
                relative_offset,
            });
        }
    }

    /// Kafka's `onBecomeInactiveSegment`: the time index gets a final entry for the largest
    /// timestamp, so lookups by time never miss the segment's newest records.
    pub(crate) fn close(&mut self) {
        self.maybe_append_time_index();
    }

    /// The batches from byte `position` (a batch boundary) on, in order.
    pub(crate) fn entries_from(&self, position: usize) -> impl Iterator<Item = BatchEntry> + '_ {
        let mut position = position;
        trusted_batches(&self.bytes[position..]).map(move |batch| {
            let header = batch.header();
            let entry = BatchEntry {
                base_offset: header.base_offset,
                last_offset: header.last_offset(),
                position,
                size: header.size(),
                max_timestamp: header.max_timestamp,
            };
            position += entry.size;
            entry
        })
    }

    /// Kafka's `OffsetIndex.lookup`: the position of a batch at or before the one holding
    /// `offset` (0 when the index has no entry at or below it).
    fn index_position(&self, offset: i64) -> usize {
        let Ok(relative) = u32::try_from(offset - self.base_offset) else {
            return 0;
        };
        let after = self
            .offset_index
            .partition_point(|e| e.relative_offset <= relative);
        after
            .checked_sub(1)
            .map_or(0, |i| self.offset_index[i].position as usize)
    }

    /// The batches from the first one whose last offset is `>= offset` on.
    pub(crate) fn entries_from_offset(&self, offset: i64) -> impl Iterator<Item = BatchEntry> + '_ {
        self.entries_from(self.index_position(offset))
            .skip_while(move |e| e.last_offset < offset)
    }

    /// Kafka's `LogSegment.findOffsetByTimestamp`: the first record at or after
    /// `starting_offset` whose timestamp is `>= timestamp`, as (timestamp, offset, leader
    /// epoch of its batch).
    pub(crate) fn find_offset_by_timestamp(
        &self,
        timestamp: i64,
        starting_offset: i64,
    ) -> Option<(i64, i64, i32)> {
        let after = self.time_index.partition_point(|e| e.timestamp < timestamp);
        // The entry before the first one with a timestamp >= target bounds where to start.
        let from_offset = after
            .checked_sub(1)
            .map_or(self.base_offset, |i| {
                self.base_offset + i64::from(self.time_index[i].relative_offset)
            })
            .max(starting_offset);
        for entry in self.entries_from_offset(from_offset) {
            if entry.max_timestamp < timestamp {
                continue;
            }
            let batch = self.batch(&entry);
            for record in batch.records() {
                let record = record.expect("segment batches were validated on append and recovery");
                if record.timestamp >= timestamp && record.offset >= starting_offset {
                    return Some((
                        record.timestamp,
                        record.offset,
                        batch.header().partition_leader_epoch,
                    ));
                }
            }
        }
        None
    }

    /// The batch at `entry`, validated when it was appended or recovered.
    pub(crate) fn batch(&self, entry: &BatchEntry) -> BatchView<'_> {
        BatchView::trusted(&self.bytes[entry.position..entry.position + entry.size])
    }

    /// Kafka's `LogSegment.truncateTo`: drops every batch whose last offset is at or after
    /// `offset`, so a batch holding `offset` goes whole, and rebuilds the indexes for what
    /// stays, as an active segment's (a closed segment is open again). Returns the number of
    /// bytes dropped (0 when no batch reaches `offset`).
    pub(crate) fn truncate_to(&mut self, offset: i64) -> usize {
        let cut = self
            .entries_from_offset(offset)
            .next()
            .map_or(self.size(), |e| e.position);
        let mut kept = Segment::new(self.base_offset, self.limits, self.roll_jitter_ms, None);
        for entry in self.entries_from(0).take_while(|e| e.position < cut) {
            let batch = self.batch(&entry);
            kept.append_encoded(batch.header(), batch.as_bytes(), None);
        }
        assert_eq!(kept.size(), cut, "the cut is at a batch boundary");
        if !kept.is_empty() {
            // The segment keeps its creation time. Kafka re-creates an emptied one at the
            // truncation (`created = time.milliseconds()`); without the time here, its next
            // append stands in.
            kept.created = self.created;
            kept.last_modified = self.last_modified;
        }
        let dropped = self.size() - kept.size();
        *self = kept;
        dropped
    }

    /// Rebuilds a segment from stored bytes, keeping the longest valid prefix of batches whose
    /// offsets continue from `expected_next` (gaps are allowed: compaction leaves them), as a
    /// segment created at `created` (the time it is loaded, as Kafka's `LogSegment`
    /// constructor sets it). Returns the segment and, when bytes were dropped, why.
    pub(crate) fn recover(
        base_offset: i64,
        bytes: &[u8],
        expected_next: i64,
        limits: IndexLimits,
        roll_jitter_ms: i64,
        created: Option<i64>,
    ) -> (Self, Option<RecoveryTruncation>) {
        let mut segment = Segment::new(base_offset, limits, roll_jitter_ms, created);
        let mut next = expected_next.max(base_offset);
        let mut problem = None;
        for batch in decode_batches(bytes) {
            match batch {
                Ok(view) if view.header().base_offset >= next => {
                    segment.append_encoded(view.header(), view.as_bytes(), None);
                    next = view.header().last_offset() + 1;
                }
                Ok(view) => {
                    problem = Some(RecoveryProblem::OffsetsOutOfOrder {
                        expected: next,
                        found: view.header().base_offset,
                    });
                    break;
                }
                Err(error) => {
                    problem = Some(RecoveryProblem::Corrupt(error));
                    break;
                }
            }
        }
        let truncation = problem.map(|problem| RecoveryTruncation {
            segment_base_offset: base_offset,
            valid_bytes: segment.size(),
            dropped_bytes: bytes.len() - segment.size(),
            problem,
        });
        (segment, truncation)
    }
}

/// Why the active segment was closed and a new one started (Kafka's `shouldRoll` conditions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RollReason {
    /// The batch would make the segment exceed `segment.bytes`.
    Size,
    /// `segment.ms` (less the segment's jitter) passed since the segment's first record.
    Time,
    /// The offset or time index reached `segment.index.bytes`.
    IndexFull,
    /// The batch's offsets no longer fit relative to the segment's base offset.
    OffsetOverflow,
    /// Retention found every segment due and rolled so the log start could reach the end.
    Retention,
}

/// Stored bytes that recovery dropped, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecoveryTruncation {
    /// The segment that was cut.
    pub segment_base_offset: i64,
    /// Bytes kept.
    pub valid_bytes: usize,
    /// Bytes dropped from the end of the segment.
    pub dropped_bytes: usize,
    /// What was wrong with the first dropped batch.
    pub problem: RecoveryProblem,
}

/// What made recovery stop reading a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecoveryProblem {
    /// A batch failed validation (CRC, length, framing).
    Corrupt(DecodeError),
    /// A batch's offsets overlap those before it.
    OffsetsOutOfOrder {
        /// The smallest offset the batch could have started at.
        expected: i64,
        /// The offset it did start at.
        found: i64,
    },
    /// The host could not read a stored value of the segment (not bytes, or the wrong shape):
    /// it and everything after it in the partition were dropped before recovery began.
    Unreadable,
}
