//! Kafka's v2 `RecordBatch` (magic 2): encoding, and validated zero-copy decoding.
//!
//! Layout (big-endian; offsets in bytes from the start of the batch):
//!
//! ```text
//!  0 baseOffset int64          27 baseTimestamp int64
//!  8 batchLength int32         35 maxTimestamp int64
//! 12 partitionLeaderEpoch int32 43 producerId int64
//! 16 magic int8 (= 2)          51 producerEpoch int16
//! 17 crc uint32 (CRC-32C of    53 baseSequence int32
//!    bytes 21..end)            57 recordCount int32
//! 21 attributes int16          61 records…
//! 23 lastOffsetDelta int32
//! ```
//!
//! Each record: `length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
//! keyLength varint, key, valueLength varint, value, headerCount varint, headers…` where a
//! length of -1 is null and each header is `keyLength varint, key, valueLength varint, value`.

use super::varint::{get_varint, get_varlong, put_varint, put_varlong, varint_len, varlong_len};
use super::{Header, NewRecord, StoredRecord};

/// Bytes before `batchLength` counts: `baseOffset` and `batchLength` itself.
pub const LOG_OVERHEAD: usize = 12;
/// Size of the v2 batch header, up to the first record.
pub const BATCH_HEADER_LEN: usize = 61;
/// `producerId` of a batch written without an idempotent producer.
pub const NO_PRODUCER_ID: i64 = -1;
/// `producerEpoch` of a batch written without an idempotent producer.
pub const NO_PRODUCER_EPOCH: i16 = -1;
/// `baseSequence` of a batch written without an idempotent producer.
pub const NO_SEQUENCE: i32 = -1;

const MAGIC: i8 = 2;
const CRC_START: usize = 21;
const TIMESTAMP_TYPE_BIT: i16 = 0x08;
const COMPRESSION_MASK: i16 = 0x07;
/// `isTransactional` attribute bit (`DefaultRecordBatch.TRANSACTIONAL_FLAG_MASK`).
const TRANSACTIONAL_BIT: i16 = 0x10;
/// `isControlBatch` attribute bit (`DefaultRecordBatch.CONTROL_FLAG_MASK`).
const CONTROL_BIT: i16 = 0x20;
/// KIP-534 "delete horizon set" attribute bit (`DefaultRecordBatch.DELETE_HORIZON_FLAG_MASK`):
/// when set, `baseTimestamp` holds the delete horizon instead of the first record's timestamp.
const DELETE_HORIZON_BIT: i16 = 0x40;

/// Which clock a record's timestamp comes from (`message.timestamp.type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TimestampType {
    /// The producer's timestamp is kept.
    #[default]
    CreateTime,
    /// The broker overwrites the timestamp with its own time at append.
    LogAppendTime,
}

impl TimestampType {
    /// Kafka's config value for this type.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CreateTime => "CreateTime",
            Self::LogAppendTime => "LogAppendTime",
        }
    }
}

/// Why bytes are not a valid v2 record batch.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Fewer bytes remain than the batch needs.
    #[error("truncated batch: needs {needed} bytes, {available} available")]
    Truncated {
        /// Bytes the batch claims or the header needs.
        needed: usize,
        /// Bytes that remain.
        available: usize,
    },
    /// `batchLength` is smaller than a header or negative.
    #[error("impossible batch length {0}")]
    InvalidLength(i32),
    /// Only magic 2 is supported.
    #[error("unsupported record batch magic {0}")]
    UnsupportedMagic(i8),
    /// The stored CRC does not match the bytes.
    #[error("CRC mismatch: stored {stored:#010x}, computed {computed:#010x}")]
    CrcMismatch {
        /// CRC in the header.
        stored: u32,
        /// CRC of the bytes.
        computed: u32,
    },
    /// Compressed batches are not supported by rill.
    #[error("compressed batches (codec {0}) are not supported")]
    UnsupportedCompression(u8),
    /// A record inside the batch is malformed or the count does not match.
    #[error("malformed record {index} in batch")]
    MalformedRecord {
        /// Index of the record within its batch.
        index: usize,
    },
}

impl crate::error::KafkaError for DecodeError {
    fn error_code(&self) -> crate::error::ErrorCode {
        crate::error::ErrorCode::CorruptMessage
    }
}

/// The fixed-size header of a v2 batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchHeader {
    /// Offset of the first record.
    pub base_offset: i64,
    /// Bytes after the `batchLength` field.
    pub batch_length: i32,
    /// Leader epoch of the partition leader that appended the batch.
    pub partition_leader_epoch: i32,
    /// CRC-32C over `attributes` to the end.
    pub crc: u32,
    /// Compression, timestamp type, transactional and control bits.
    pub attributes: i16,
    /// Offset of the last record minus `base_offset`.
    pub last_offset_delta: i32,
    /// Timestamp of the first record.
    pub base_timestamp: i64,
    /// Largest timestamp in the batch (the broker's time under `LogAppendTime`).
    pub max_timestamp: i64,
    /// Idempotent producer id, or -1.
    pub producer_id: i64,
    /// Idempotent producer epoch, or -1.
    pub producer_epoch: i16,
    /// Sequence of the first record, or -1.
    pub base_sequence: i32,
    /// Number of records in the batch.
    pub record_count: i32,
}

impl BatchHeader {
    /// Offset of the last record in the batch.
    pub fn last_offset(&self) -> i64 {
        self.base_offset + i64::from(self.last_offset_delta)
    }

    /// The batch's size in bytes, log overhead included.
    pub fn size(&self) -> usize {
        LOG_OVERHEAD + self.batch_length as usize
    }

    /// The timestamp type recorded in the attributes.
    pub fn timestamp_type(&self) -> TimestampType {
        if self.attributes & TIMESTAMP_TYPE_BIT != 0 {
            TimestampType::LogAppendTime
        } else {
            TimestampType::CreateTime
        }
    }

    /// The batch's delete horizon (KIP-534), in milliseconds since the epoch: set by the log
    /// cleaner on batches that kept tombstones; those tombstones go once the cleaner's `now`
    /// reaches it. `None` when the attribute bit is clear.
    pub fn delete_horizon(&self) -> Option<i64> {
        (self.attributes & DELETE_HORIZON_BIT != 0).then_some(self.base_timestamp)
    }

    /// Whether the batch belongs to a transaction (attribute bit 4).
    pub fn is_transactional(&self) -> bool {
        self.attributes & TRANSACTIONAL_BIT != 0
    }

    /// Whether the batch holds transaction markers rather than data (attribute bit 5).
    pub fn is_control(&self) -> bool {
        self.attributes & CONTROL_BIT != 0
    }

    /// Whether an idempotent or transactional producer wrote the batch.
    pub fn has_producer_id(&self) -> bool {
        self.producer_id >= 0
    }
}

/// Appends one v2 batch holding `records` to `out` and returns its header.
///
/// Offsets are `base_offset, base_offset + 1, …`. Under [`TimestampType::CreateTime`] each
/// record keeps its own timestamp (or `now` when it has none); under
/// [`TimestampType::LogAppendTime`] every record gets `now`.
///
/// # Panics
/// If `records` is empty (a batch has at least one record; callers validate first).
pub fn encode_batch(
    out: &mut Vec<u8>,
    base_offset: i64,
    partition_leader_epoch: i32,
    timestamp_type: TimestampType,
    now: i64,
    records: &[NewRecord],
) -> BatchHeader {
    assert!(
        !records.is_empty(),
        "a record batch holds at least one record"
    );
    let timestamp_of = |record: &NewRecord| match timestamp_type {
        TimestampType::CreateTime => record.timestamp.unwrap_or(now),
        TimestampType::LogAppendTime => now,
    };
    let base_timestamp = timestamp_of(&records[0]);
    let max_timestamp = records.iter().map(timestamp_of).max().unwrap_or(now);
    let start = out.len();
    out.resize(start + BATCH_HEADER_LEN, 0);
    for (index, record) in records.iter().enumerate() {
        let offset_delta = index as i32;
        let timestamp_delta = timestamp_of(record) - base_timestamp;
        put_record(out, offset_delta, timestamp_delta, record);
    }
    let batch_length = i32::try_from(out.len() - start - LOG_OVERHEAD)
        .expect("batch sizes are bounded by max.message.bytes, far below i32::MAX");
    let attributes = match timestamp_type {
        TimestampType::CreateTime => 0,
        TimestampType::LogAppendTime => TIMESTAMP_TYPE_BIT,
    };
    let header = BatchHeader {
        base_offset,
        batch_length,
        partition_leader_epoch,
        crc: 0,
        attributes,
        last_offset_delta: (records.len() - 1) as i32,
        base_timestamp,
        max_timestamp,
        producer_id: NO_PRODUCER_ID,
        producer_epoch: NO_PRODUCER_EPOCH,
        base_sequence: NO_SEQUENCE,
        record_count: records.len() as i32,
    };
    let batch = &mut out[start..];
    batch[0..8].copy_from_slice(&base_offset.to_be_bytes());
    batch[8..12].copy_from_slice(&batch_length.to_be_bytes());
    batch[12..16].copy_from_slice(&partition_leader_epoch.to_be_bytes());
    batch[16] = MAGIC as u8;
    batch[21..23].copy_from_slice(&attributes.to_be_bytes());
    batch[23..27].copy_from_slice(&header.last_offset_delta.to_be_bytes());
    batch[27..35].copy_from_slice(&base_timestamp.to_be_bytes());
    batch[35..43].copy_from_slice(&max_timestamp.to_be_bytes());
    batch[43..51].copy_from_slice(&NO_PRODUCER_ID.to_be_bytes());
    batch[51..53].copy_from_slice(&NO_PRODUCER_EPOCH.to_be_bytes());
    batch[53..57].copy_from_slice(&NO_SEQUENCE.to_be_bytes());
    batch[57..61].copy_from_slice(&header.record_count.to_be_bytes());
    let crc = crc32c::crc32c(&batch[CRC_START..]);
    batch[17..21].copy_from_slice(&crc.to_be_bytes());
    BatchHeader { crc, ..header }
}

fn bytes_field_len(bytes: Option<&[u8]>) -> usize {
    match bytes {
        None => varint_len(-1),
        Some(b) => varint_len(b.len() as i32) + b.len(),
    }
}

fn record_body_len(offset_delta: i32, timestamp_delta: i64, record: &NewRecord) -> usize {
    1 + varlong_len(timestamp_delta)
        + varint_len(offset_delta)
        + bytes_field_len(record.key.as_deref())
        + bytes_field_len(record.value.as_deref())
        + varint_len(record.headers.len() as i32)
        + record
            .headers
            .iter()
            .map(|h| bytes_field_len(Some(h.key.as_bytes())) + bytes_field_len(h.value.as_deref()))
            .sum::<usize>()
}

fn put_bytes_field(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        None => put_varint(out, -1),
        Some(b) => {
            put_varint(out, b.len() as i32);
            out.extend_from_slice(b);
        }
    }
}

/// Writes one record from its parts; `headers` is the raw header section (count, then headers),
/// copied as is from a validated record.
fn put_record_parts(
    out: &mut Vec<u8>,
    offset_delta: i32,
    timestamp_delta: i64,
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: &[u8],
) {
    let body_len = 1
        + varlong_len(timestamp_delta)
        + varint_len(offset_delta)
        + bytes_field_len(key)
        + bytes_field_len(value)
        + headers.len();
    put_varint(out, body_len as i32);
    let body_start = out.len();
    out.push(0); // record attributes: unused in v2
    put_varlong(out, timestamp_delta);
    put_varint(out, offset_delta);
    put_bytes_field(out, key);
    put_bytes_field(out, value);
    out.extend_from_slice(headers);
    debug_assert_eq!(
        out.len() - body_start,
        body_len,
        "record length prefix must match body"
    );
}

/// Writes every header field of `header` over the first [`BATCH_HEADER_LEN`] bytes of `batch`,
/// then the CRC-32C of `batch[21..]`, and returns the header with that CRC.
fn write_header(batch: &mut [u8], header: &BatchHeader) -> BatchHeader {
    assert_eq!(
        batch.len(),
        header.size(),
        "the header's batchLength must cover exactly the batch"
    );
    batch[0..8].copy_from_slice(&header.base_offset.to_be_bytes());
    batch[8..12].copy_from_slice(&header.batch_length.to_be_bytes());
    batch[12..16].copy_from_slice(&header.partition_leader_epoch.to_be_bytes());
    batch[16] = MAGIC as u8;
    batch[21..23].copy_from_slice(&header.attributes.to_be_bytes());
    batch[23..27].copy_from_slice(&header.last_offset_delta.to_be_bytes());
    batch[27..35].copy_from_slice(&header.base_timestamp.to_be_bytes());
    batch[35..43].copy_from_slice(&header.max_timestamp.to_be_bytes());
    batch[43..51].copy_from_slice(&header.producer_id.to_be_bytes());
    batch[51..53].copy_from_slice(&header.producer_epoch.to_be_bytes());
    batch[53..57].copy_from_slice(&header.base_sequence.to_be_bytes());
    batch[57..61].copy_from_slice(&header.record_count.to_be_bytes());
    let crc = crc32c::crc32c(&batch[CRC_START..]);
    batch[17..21].copy_from_slice(&crc.to_be_bytes());
    BatchHeader { crc, ..*header }
}

fn put_record(out: &mut Vec<u8>, offset_delta: i32, timestamp_delta: i64, record: &NewRecord) {
    let body_len = record_body_len(offset_delta, timestamp_delta, record);
    put_varint(out, body_len as i32);
    let body_start = out.len();
    out.push(0); // record attributes: unused in v2
    put_varlong(out, timestamp_delta);
    put_varint(out, offset_delta);
    put_bytes_field(out, record.key.as_deref());
    put_bytes_field(out, record.value.as_deref());
    put_varint(out, record.headers.len() as i32);
    for header in &record.headers {
        put_bytes_field(out, Some(header.key.as_bytes()));
        put_bytes_field(out, header.value.as_deref());
    }
    debug_assert_eq!(
        out.len() - body_start,
        body_len,
        "record length prefix must match body"
    );
}

/// One validated batch borrowed from a byte buffer: its header checked, its CRC verified and
/// every record's framing checked.
#[derive(Clone, Copy, Debug)]
pub struct BatchView<'a> {
    header: BatchHeader,
    bytes: &'a [u8],
}

impl<'a> BatchView<'a> {
    /// Validates the batch at the front of `buf` (which may hold more after it).
    pub fn parse(buf: &'a [u8]) -> Result<Self, DecodeError> {
        if buf.len() < LOG_OVERHEAD {
            return Err(DecodeError::Truncated {
                needed: LOG_OVERHEAD,
                available: buf.len(),
            });
        }
        let batch_length = read_i32(buf, 8);
        if batch_length < (BATCH_HEADER_LEN - LOG_OVERHEAD) as i32 {
            return Err(DecodeError::InvalidLength(batch_length));
        }
        let size = LOG_OVERHEAD + batch_length as usize;
        if buf.len() < size {
            return Err(DecodeError::Truncated {
                needed: size,
                available: buf.len(),
            });
        }
        let bytes = &buf[..size];
        let magic = bytes[16] as i8;
        if magic != MAGIC {
            return Err(DecodeError::UnsupportedMagic(magic));
        }
        let stored = u32::from_be_bytes([bytes[17], bytes[18], bytes[19], bytes[20]]);
        let computed = crc32c::crc32c(&bytes[CRC_START..]);
        if stored != computed {
            return Err(DecodeError::CrcMismatch { stored, computed });
        }
        let header = BatchHeader {
            base_offset: read_i64(bytes, 0),
            batch_length,
            partition_leader_epoch: read_i32(bytes, 12),
            crc: stored,
            attributes: read_i16(bytes, 21),
            last_offset_delta: read_i32(bytes, 23),
            base_timestamp: read_i64(bytes, 27),
            max_timestamp: read_i64(bytes, 35),
            producer_id: read_i64(bytes, 43),
            producer_epoch: read_i16(bytes, 51),
            base_sequence: read_i32(bytes, 53),
            record_count: read_i32(bytes, 57),
        };
        let compression = (header.attributes & COMPRESSION_MASK) as u8;
        if compression != 0 {
            return Err(DecodeError::UnsupportedCompression(compression));
        }
        let view = BatchView { header, bytes };
        view.validate_records()?;
        Ok(view)
    }

    /// Reads the header of a batch that was validated before (on append or recovery), without
    /// checking the CRC or the records again.
    pub(crate) fn trusted(bytes: &'a [u8]) -> Self {
        debug_assert!(
            Self::parse(bytes).is_ok(),
            "trusted batches were validated before"
        );
        let header = BatchHeader {
            base_offset: read_i64(bytes, 0),
            batch_length: read_i32(bytes, 8),
            partition_leader_epoch: read_i32(bytes, 12),
            crc: u32::from_be_bytes([bytes[17], bytes[18], bytes[19], bytes[20]]),
            attributes: read_i16(bytes, 21),
            last_offset_delta: read_i32(bytes, 23),
            base_timestamp: read_i64(bytes, 27),
            max_timestamp: read_i64(bytes, 35),
            producer_id: read_i64(bytes, 43),
            producer_epoch: read_i16(bytes, 51),
            base_sequence: read_i32(bytes, 53),
            record_count: read_i32(bytes, 57),
        };
        BatchView { header, bytes }
    }

    fn validate_records(&self) -> Result<(), DecodeError> {
        let count = usize::try_from(self.header.record_count)
            .map_err(|_| DecodeError::MalformedRecord { index: 0 })?;
        let mut seen = 0usize;
        for record in self.records() {
            record?;
            seen += 1;
        }
        if seen != count || self.header.last_offset_delta < 0 {
            return Err(DecodeError::MalformedRecord { index: seen });
        }
        Ok(())
    }

    /// The batch header.
    pub fn header(&self) -> &BatchHeader {
        &self.header
    }

    /// The batch's bytes, exactly as stored.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The batch's records in offset order.
    pub fn records(&self) -> RecordIter<'a> {
        RecordIter {
            header: self.header,
            rest: &self.bytes[BATCH_HEADER_LEN..],
            index: 0,
            failed: false,
        }
    }
}

/// A record borrowed from a validated batch: nothing is copied (the read path's view; a
/// [`StoredRecord`] owns its bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef<'a> {
    /// The record's offset in its partition.
    pub offset: i64,
    /// The record's timestamp, as [`StoredRecord::timestamp`] reads it.
    pub timestamp: i64,
    /// The record key; `None` is a null key.
    pub key: Option<&'a [u8]>,
    /// The record value; `None` is a tombstone.
    pub value: Option<&'a [u8]>,
    /// The raw header section: the header count, then the headers.
    headers: &'a [u8],
}

impl<'a> RecordRef<'a> {
    /// The record's headers in order, borrowed: `(key, value)`, a null value as `None`. A
    /// header key that is not UTF-8 (never written by rill) reads as empty.
    pub fn headers(&self) -> impl Iterator<Item = (&'a str, Option<&'a [u8]>)> + use<'a> {
        let mut rest = self.headers;
        let mut left = get_varint(&mut rest).unwrap_or(0).max(0);
        std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            left -= 1;
            let key = get_bytes_ref(&mut rest).flatten();
            let value = get_bytes_ref(&mut rest);
            match (key, value) {
                (Some(key), Some(value)) => Some((std::str::from_utf8(key).unwrap_or(""), value)),
                _ => {
                    left = 0;
                    None
                }
            }
        })
    }
}

impl<'a> BatchView<'a> {
    /// The batch's records, borrowed, in offset order. The batch must have been validated
    /// (by [`BatchView::parse`] on append or recovery); a malformed record ends the iteration.
    pub(crate) fn record_refs(&self) -> impl Iterator<Item = RecordRef<'a>> + use<'a> {
        let header = self.header;
        let mut rest = &self.bytes[BATCH_HEADER_LEN..];
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let parsed = parse_record_ref(&mut rest, &header);
            debug_assert!(parsed.is_some(), "records of a validated batch parse");
            if parsed.is_none() {
                rest = &[];
            }
            parsed
        })
    }

    /// Appends to `out` a copy of this batch holding only `records` (taken from this batch, in
    /// offset order), the way Kafka's `MemoryRecords.buildRetainedRecordsInto` rewrites a batch
    /// the log cleaner partly kept, and returns the new header.
    ///
    /// Kept as they were: base offset, `lastOffsetDelta` (Kafka overrides the last offset with
    /// the original one so the producer's last sequence survives), partition leader epoch,
    /// producer id, epoch and base sequence, timestamp type, transactional and control bits.
    /// Each record keeps its offset, timestamp, key, value and headers. `baseTimestamp` is
    /// `delete_horizon` when given (and the delete-horizon bit is set), else the first kept
    /// record's timestamp; `maxTimestamp` is the original under `LogAppendTime`, else the
    /// largest kept timestamp. The CRC-32C is computed afresh.
    ///
    /// # Panics
    /// If `records` is empty (see [`BatchView::write_empty`]).
    pub(crate) fn write_retained(
        &self,
        out: &mut Vec<u8>,
        records: &[RecordRef<'_>],
        delete_horizon: Option<i64>,
    ) -> BatchHeader {
        let original = &self.header;
        let first = records
            .first()
            .expect("a rewritten batch keeps at least one record");
        assert!(
            records
                .iter()
                .all(|r| r.offset >= original.base_offset && r.offset <= original.last_offset()),
            "retained records come from the batch being rewritten"
        );
        let base_timestamp = delete_horizon.unwrap_or(first.timestamp);
        let max_timestamp = match original.timestamp_type() {
            TimestampType::LogAppendTime => original.max_timestamp,
            TimestampType::CreateTime => records
                .iter()
                .map(|r| r.timestamp)
                .max()
                .unwrap_or(first.timestamp),
        };
        let start = out.len();
        out.resize(start + BATCH_HEADER_LEN, 0);
        let mut previous = None;
        for record in records {
            debug_assert!(
                previous.is_none_or(|p| p < record.offset),
                "retained records are in offset order"
            );
            previous = Some(record.offset);
            let offset_delta = i32::try_from(record.offset - original.base_offset)
                .expect("a batch's offset deltas fit an int32 (lastOffsetDelta does)");
            put_record_parts(
                out,
                offset_delta,
                record.timestamp.wrapping_sub(base_timestamp),
                record.key,
                record.value,
                record.headers,
            );
        }
        let batch_length = i32::try_from(out.len() - start - LOG_OVERHEAD)
            .expect("a rewritten batch is no larger than the original, which fit an int32");
        let keep_bits = TIMESTAMP_TYPE_BIT | TRANSACTIONAL_BIT | CONTROL_BIT;
        let mut attributes = original.attributes & keep_bits;
        if delete_horizon.is_some() {
            attributes |= DELETE_HORIZON_BIT;
        }
        let header = BatchHeader {
            base_offset: original.base_offset,
            batch_length,
            partition_leader_epoch: original.partition_leader_epoch,
            crc: 0,
            attributes,
            last_offset_delta: original.last_offset_delta,
            base_timestamp,
            max_timestamp,
            producer_id: original.producer_id,
            producer_epoch: original.producer_epoch,
            base_sequence: original.base_sequence,
            record_count: records.len() as i32,
        };
        write_header(&mut out[start..], &header)
    }

    /// Appends to `out` this batch's header with no records, as Kafka's
    /// `DefaultRecordBatch.writeEmptyHeader` does for a batch the cleaner emptied but must keep
    /// (a producer's last batch, or the last batch of the cleaned range): same offsets, leader
    /// epoch, producer fields, timestamp type, transactional and control bits, `maxTimestamp`;
    /// `baseTimestamp` -1, no compression, no delete horizon, `recordCount` 0.
    pub(crate) fn write_empty(&self, out: &mut Vec<u8>) -> BatchHeader {
        let original = &self.header;
        let start = out.len();
        out.resize(start + BATCH_HEADER_LEN, 0);
        let header = BatchHeader {
            base_offset: original.base_offset,
            batch_length: (BATCH_HEADER_LEN - LOG_OVERHEAD) as i32,
            partition_leader_epoch: original.partition_leader_epoch,
            crc: 0,
            attributes: original.attributes
                & (TIMESTAMP_TYPE_BIT | TRANSACTIONAL_BIT | CONTROL_BIT),
            last_offset_delta: original.last_offset_delta,
            base_timestamp: -1,
            max_timestamp: original.max_timestamp,
            producer_id: original.producer_id,
            producer_epoch: original.producer_epoch,
            base_sequence: original.base_sequence,
            record_count: 0,
        };
        write_header(&mut out[start..], &header)
    }
}

fn parse_record_ref<'a>(buf: &mut &'a [u8], header: &BatchHeader) -> Option<RecordRef<'a>> {
    let len = usize::try_from(get_varint(buf)?).ok()?;
    if buf.len() < len {
        return None;
    }
    let (body, rest) = buf.split_at(len);
    *buf = rest;
    let (_attributes, mut body) = body.split_first()?;
    let timestamp_delta = get_varlong(&mut body)?;
    let offset_delta = get_varint(&mut body)?;
    let key = get_bytes_ref(&mut body)?;
    let value = get_bytes_ref(&mut body)?;
    let timestamp = match header.timestamp_type() {
        TimestampType::CreateTime => header.base_timestamp.checked_add(timestamp_delta)?,
        TimestampType::LogAppendTime => header.max_timestamp,
    };
    Some(RecordRef {
        offset: header.base_offset + i64::from(offset_delta),
        timestamp,
        key,
        value,
        headers: body,
    })
}

/// Like `get_bytes_field`, borrowing instead of copying.
fn get_bytes_ref<'a>(buf: &mut &'a [u8]) -> Option<Option<&'a [u8]>> {
    let len = get_varint(buf)?;
    if len == -1 {
        return Some(None);
    }
    let len = usize::try_from(len).ok()?;
    if buf.len() < len {
        return None;
    }
    let (bytes, rest) = buf.split_at(len);
    *buf = rest;
    Some(Some(bytes))
}

/// Iterator over the records of a [`BatchView`].
#[derive(Clone, Debug)]
pub struct RecordIter<'a> {
    header: BatchHeader,
    rest: &'a [u8],
    index: usize,
    failed: bool,
}

impl Iterator for RecordIter<'_> {
    type Item = Result<StoredRecord, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let index = self.index;
        self.index += 1;
        let parsed = parse_record(&mut self.rest, &self.header);
        if parsed.is_none() {
            self.failed = true;
        }
        Some(parsed.ok_or(DecodeError::MalformedRecord { index }))
    }
}

fn parse_record(buf: &mut &[u8], header: &BatchHeader) -> Option<StoredRecord> {
    let len = usize::try_from(get_varint(buf)?).ok()?;
    if buf.len() < len {
        return None;
    }
    let (mut body, rest) = buf.split_at(len);
    *buf = rest;
    let (&_attributes, tail) = body.split_first()?;
    body = tail;
    let timestamp_delta = get_varlong(&mut body)?;
    let offset_delta = get_varint(&mut body)?;
    if offset_delta < 0 || offset_delta > header.last_offset_delta {
        return None;
    }
    let key = get_bytes_field(&mut body)?;
    let value = get_bytes_field(&mut body)?;
    let header_count = usize::try_from(get_varint(&mut body)?).ok()?;
    // Each header takes at least two bytes, which bounds the allocation below.
    if header_count > body.len() / 2 {
        return None;
    }
    let mut headers = Vec::with_capacity(header_count);
    for _ in 0..header_count {
        let key = String::from_utf8(get_bytes_field(&mut body)??).ok()?;
        let value = get_bytes_field(&mut body)?;
        headers.push(Header { key, value });
    }
    if !body.is_empty() {
        return None;
    }
    let timestamp_type = header.timestamp_type();
    let timestamp = match timestamp_type {
        TimestampType::CreateTime => header.base_timestamp.checked_add(timestamp_delta)?,
        TimestampType::LogAppendTime => header.max_timestamp,
    };
    Some(StoredRecord {
        offset: header.base_offset + i64::from(offset_delta),
        timestamp,
        timestamp_type,
        key,
        value,
        headers,
    })
}

/// `Some(None)` for a null field, `Some(Some(bytes))` for a present one, `None` when malformed.
fn get_bytes_field(buf: &mut &[u8]) -> Option<Option<Vec<u8>>> {
    let len = get_varint(buf)?;
    if len == -1 {
        return Some(None);
    }
    let len = usize::try_from(len).ok()?;
    if buf.len() < len {
        return None;
    }
    let (bytes, rest) = buf.split_at(len);
    *buf = rest;
    Some(Some(bytes.to_vec()))
}

/// Splits `buf` into consecutive validated batches. Stops after the first error, which it yields.
pub fn decode_batches(buf: &[u8]) -> impl Iterator<Item = Result<BatchView<'_>, DecodeError>> {
    let mut rest = buf;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || rest.is_empty() {
            return None;
        }
        match BatchView::parse(rest) {
            Ok(view) => {
                rest = &rest[view.as_bytes().len()..];
                Some(Ok(view))
            }
            Err(error) => {
                failed = true;
                Some(Err(error))
            }
        }
    })
}

fn read_i16(b: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([b[at], b[at + 1]])
}

fn read_i32(b: &[u8], at: usize) -> i32 {
    i32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn read_i64(b: &[u8], at: usize) -> i64 {
    let mut raw = [0u8; 8];
    raw.copy_from_slice(&b[at..at + 8]);
    i64::from_be_bytes(raw)
}

/// The batches of validated segment bytes. Stops at anything that does not frame as a batch.
pub(crate) fn trusted_batches(bytes: &[u8]) -> impl Iterator<Item = BatchView<'_>> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.len() < LOG_OVERHEAD {
            debug_assert!(rest.is_empty(), "segments hold whole batches");
            return None;
        }
        let length = i32::from_be_bytes([rest[8], rest[9], rest[10], rest[11]]);
        let size = usize::try_from(length).ok()? + LOG_OVERHEAD;
        if size > rest.len() || size < BATCH_HEADER_LEN {
            debug_assert!(false, "segments hold whole batches");
            rest = &[];
            return None;
        }
        let (batch, tail) = rest.split_at(size);
        rest = tail;
        Some(BatchView::trusted(batch))
    })
}
