//! A partition's log: segments of record batches, broker-assigned offsets, reads by offset.

mod segment;

pub use segment::{RecoveryProblem, RecoveryTruncation, Segment};

use crate::config::TopicConfig;
use crate::record::{NewRecord, StoredRecord, encode_batch};

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
    header: crate::record::BatchHeader,
    bytes: Vec<u8>,
    log_append_time: Option<i64>,
    segment_bytes: u32,
}

/// A change to a log's stored form, for the host to persist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogChange {
    /// A new, empty active segment was started at `base_offset`.
    SegmentRolled {
        /// Base offset of the new segment.
        base_offset: i64,
    },
    /// `bytes` (whole batches) were appended to the segment at `segment_base_offset`.
    Appended {
        /// Base offset of the segment appended to.
        segment_base_offset: i64,
        /// The appended batch bytes.
        bytes: Vec<u8>,
    },
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

/// A partition's log.
#[derive(Clone, Debug)]
pub struct PartitionLog {
    /// Never empty: the last segment is the active one.
    segments: Vec<Segment>,
    log_start_offset: i64,
    log_end_offset: i64,
    leader_epoch: i32,
}

impl Default for PartitionLog {
    fn default() -> Self {
        Self::new()
    }
}

impl PartitionLog {
    /// An empty log whose first record will get offset 0.
    pub fn new() -> Self {
        Self {
            segments: vec![Segment::new(0)],
            log_start_offset: 0,
            log_end_offset: 0,
            leader_epoch: 0,
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

    /// The segments, oldest first; the last is the active segment.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Encodes `records` as the next batch of this log and checks it against the topic's
    /// limits, without changing the log. Commit it with [`PartitionLog::commit`].
    pub fn prepare(
        &self,
        now: i64,
        config: &TopicConfig,
        records: &[NewRecord],
    ) -> Result<PreparedBatch, crate::error::ProduceError> {
        use crate::error::ProduceError;
        if records.is_empty() {
            return Err(ProduceError::EmptyBatch);
        }
        let mut bytes = Vec::new();
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
            crate::record::TimestampType::LogAppendTime => Some(now),
            crate::record::TimestampType::CreateTime => None,
        };
        Ok(PreparedBatch {
            header,
            bytes,
            log_append_time,
            segment_bytes: config.segment_bytes,
        })
    }

    /// Appends a batch made by [`PartitionLog::prepare`] on this log, rolling first when the
    /// active segment would exceed `segment.bytes`. Pushes what changed to `changes`.
    ///
    /// # Panics
    /// If the log changed since the batch was prepared (its offsets would be wrong).
    pub fn commit(&mut self, batch: PreparedBatch, changes: &mut Vec<LogChange>) -> AppendInfo {
        let PreparedBatch {
            header,
            bytes,
            log_append_time,
            segment_bytes,
        } = batch;
        assert_eq!(
            header.base_offset, self.log_end_offset,
            "batch was prepared for this log's end"
        );
        let active = self
            .segments
            .last()
            .expect("a log always has an active segment");
        if !active.is_empty() && active.size() + bytes.len() > segment_bytes as usize {
            self.roll(changes);
        }
        let active = self
            .segments
            .last_mut()
            .expect("a log always has an active segment");
        active.append_encoded(&header, &bytes);
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
    ) -> Result<AppendInfo, crate::error::ProduceError> {
        let batch = self.prepare(now, config, records)?;
        Ok(self.commit(batch, changes))
    }

    fn roll(&mut self, changes: &mut Vec<LogChange>) {
        let base_offset = self.log_end_offset;
        debug_assert!(
            self.segments
                .last()
                .is_some_and(|s| s.base_offset() < base_offset)
        );
        self.segments.push(Segment::new(base_offset));
        changes.push(LogChange::SegmentRolled { base_offset });
    }

    /// Reads whole batches from the one holding `offset` on, until at least `max_bytes` have
    /// been read (always at least one batch, as Kafka does), and returns the records at or
    /// after `offset` below the high watermark.
    pub fn read(
        &self,
        offset: i64,
        max_bytes: usize,
    ) -> Result<FetchedRecords, crate::error::FetchError> {
        if offset < self.log_start_offset || offset > self.log_end_offset {
            return Err(crate::error::FetchError::OffsetOutOfRange {
                offset,
                log_start_offset: self.log_start_offset,
                log_end_offset: self.log_end_offset,
            });
        }
        let high_watermark = self.high_watermark();
        let mut records = Vec::new();
        let mut read_bytes = 0usize;
        let first_segment = self
            .segments
            .partition_point(|s| s.base_offset() <= offset)
            .saturating_sub(1);
        'segments: for segment in &self.segments[first_segment..] {
            let batches = segment.batches();
            let first_batch = batches.partition_point(|b| b.last_offset < offset);
            for entry in &batches[first_batch..] {
                if entry.base_offset >= high_watermark
                    || (read_bytes >= max_bytes && read_bytes > 0)
                {
                    break 'segments;
                }
                read_bytes += entry.size;
                for record in segment.batch(entry).records() {
                    let record =
                        record.expect("segment batches were validated on append and recovery");
                    if record.offset >= offset && record.offset < high_watermark {
                        records.push(record);
                    }
                }
            }
        }
        Ok(FetchedRecords {
            records,
            log_start_offset: self.log_start_offset,
            high_watermark,
            log_end_offset: self.log_end_offset,
        })
    }

    /// Rebuilds a log from stored segments `(base_offset, bytes)`. Keeps the longest valid
    /// prefix: the first corrupt or out-of-order batch and everything after it are dropped and
    /// reported, as Kafka's log recovery truncates after an unclean shutdown.
    pub fn recover(mut stored: Vec<(i64, Vec<u8>)>) -> (Self, Vec<RecoveryTruncation>) {
        stored.sort_by_key(|(base, _)| *base);
        let mut log = PartitionLog {
            segments: Vec::new(),
            log_start_offset: 0,
            log_end_offset: 0,
            leader_epoch: 0,
        };
        let mut truncations = Vec::new();
        for (index, (base_offset, bytes)) in stored.iter().enumerate() {
            if *base_offset < log.log_end_offset {
                truncations.push(RecoveryTruncation {
                    segment_base_offset: *base_offset,
                    valid_bytes: 0,
                    dropped_bytes: bytes.len(),
                    problem: RecoveryProblem::OffsetsOutOfOrder {
                        expected: log.log_end_offset,
                        found: *base_offset,
                    },
                });
                continue;
            }
            let (segment, truncation) = Segment::recover(*base_offset, bytes, log.log_end_offset);
            log.log_end_offset = segment
                .next_offset()
                .unwrap_or(log.log_end_offset.max(segment.base_offset()));
            let cut = truncation.is_some();
            truncations.extend(truncation);
            log.segments.push(segment);
            if cut {
                // Everything after a torn segment is unreachable: drop it, as Kafka does.
                for (base_offset, bytes) in &stored[index + 1..] {
                    truncations.push(RecoveryTruncation {
                        segment_base_offset: *base_offset,
                        valid_bytes: 0,
                        dropped_bytes: bytes.len(),
                        problem: RecoveryProblem::OffsetsOutOfOrder {
                            expected: log.log_end_offset,
                            found: *base_offset,
                        },
                    });
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
            log.segments.push(Segment::new(log.log_end_offset));
        }
        log.log_start_offset = log
            .segments
            .first()
            .map_or(log.log_end_offset, Segment::base_offset);
        (log, truncations)
    }
}
