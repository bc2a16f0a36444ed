//! Records and Kafka's v2 `RecordBatch` byte format.
//!
//! A partition's log is a sequence of record batches in exactly the layout Apache Kafka writes
//! to its `.log` segment files (magic 2, CRC-32C, zigzag varints), so segment bytes produced by
//! rill can be read by Kafka's own tools and vice versa.

mod batch;
mod varint;

pub(crate) use batch::trusted_batches;
pub use batch::{
    BATCH_HEADER_LEN, BatchHeader, BatchView, DecodeError, LOG_OVERHEAD, NO_PRODUCER_EPOCH,
    NO_PRODUCER_ID, NO_SEQUENCE, RecordIter, RecordRef, TimestampType, decode_batches,
    encode_batch,
};

/// A record header: a string key with a nullable byte value. Order and duplicates are kept.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    /// The header's key.
    pub key: String,
    /// The header's value; `None` is a null value.
    pub value: Option<Vec<u8>>,
}

/// A record as a producer hands it to the log: no offset, which only the leader assigns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewRecord {
    /// The record key; `None` is a null key.
    pub key: Option<Vec<u8>>,
    /// The record value; `None` is a tombstone.
    pub value: Option<Vec<u8>>,
    /// Headers in order.
    pub headers: Vec<Header>,
    /// The producer's timestamp (milliseconds since the epoch), used under `CreateTime`.
    pub timestamp: Option<i64>,
}

/// A record read back from the log, with the offset and timestamp the broker assigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    /// The record's offset in its partition.
    pub offset: i64,
    /// The record's timestamp (milliseconds since the epoch).
    pub timestamp: i64,
    /// Whether `timestamp` is the producer's (`CreateTime`) or the broker's (`LogAppendTime`).
    pub timestamp_type: TimestampType,
    /// The record key.
    pub key: Option<Vec<u8>>,
    /// The record value; `None` is a tombstone.
    pub value: Option<Vec<u8>>,
    /// Headers in order.
    pub headers: Vec<Header>,
}
