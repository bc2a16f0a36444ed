//! One log segment: a run of record batches starting at a base offset.

use crate::record::{BatchHeader, BatchView, DecodeError, decode_batches};

/// Where one batch sits inside its segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BatchEntry {
    pub(crate) base_offset: i64,
    pub(crate) last_offset: i64,
    pub(crate) position: usize,
    pub(crate) size: usize,
    pub(crate) max_timestamp: i64,
}

/// A segment's bytes (a valid Kafka `.log` file) and the position of every batch in it.
#[derive(Clone, Debug)]
pub struct Segment {
    base_offset: i64,
    bytes: Vec<u8>,
    batches: Vec<BatchEntry>,
}

impl Segment {
    /// An empty segment whose first record will have `base_offset`.
    pub fn new(base_offset: i64) -> Self {
        assert!(base_offset >= 0, "segment base offsets are non-negative");
        Self {
            base_offset,
            bytes: Vec::new(),
            batches: Vec::new(),
        }
    }

    /// Kafka's file name for this segment: the base offset, zero-padded to 20 digits.
    pub fn file_name(&self) -> String {
        format!("{:020}.log", self.base_offset)
    }

    /// The offset of the segment's first record (also its name).
    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }

    /// The segment's size in bytes.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the segment holds no batch.
    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    /// The segment's bytes: a Kafka `.log` file.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Offset after the segment's last record, or `None` when empty.
    pub fn next_offset(&self) -> Option<i64> {
        self.batches.last().map(|b| b.last_offset + 1)
    }

    pub(crate) fn batches(&self) -> &[BatchEntry] {
        &self.batches
    }

    /// Appends one already-encoded batch, whose header is `header`.
    pub(crate) fn append_encoded(&mut self, header: &BatchHeader, bytes: &[u8]) {
        debug_assert_eq!(header.size(), bytes.len(), "header must describe the bytes");
        debug_assert!(
            self.next_offset()
                .is_none_or(|next| header.base_offset == next),
            "batches are appended in offset order without gaps"
        );
        self.batches.push(BatchEntry {
            base_offset: header.base_offset,
            last_offset: header.last_offset(),
            position: self.bytes.len(),
            size: bytes.len(),
            max_timestamp: header.max_timestamp,
        });
        self.bytes.extend_from_slice(bytes);
    }

    /// The batch at `entry`, validated when it was appended or recovered.
    pub(crate) fn batch(&self, entry: &BatchEntry) -> BatchView<'_> {
        BatchView::trusted(&self.bytes[entry.position..entry.position + entry.size])
    }

    /// Rebuilds a segment from stored bytes, keeping the longest valid prefix of batches whose
    /// offsets continue from `expected_next`. Returns the segment and, when bytes were dropped,
    /// why.
    pub(crate) fn recover(
        base_offset: i64,
        bytes: &[u8],
        expected_next: i64,
    ) -> (Self, Option<RecoveryTruncation>) {
        let mut segment = Segment::new(base_offset);
        let mut next = expected_next.max(base_offset);
        let mut problem = None;
        for batch in decode_batches(bytes) {
            match batch {
                Ok(view) if view.header().base_offset >= next => {
                    segment.append_encoded(view.header(), view.as_bytes());
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
}
