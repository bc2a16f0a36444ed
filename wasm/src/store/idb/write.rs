//! IndexedDB commits a transaction as soon as control returns to the event loop with no request
//! pending, so [`IdbStore::write`] issues every request synchronously and only then awaits
//! completion; it then calls `commit()` so that the commit starts at once instead of after the
//! rest of the task (the engine hands out outcomes and events after the write is issued). Requests within a transaction execute in the order they were issued, so the ops
//! of one flush apply in order; transactions whose scopes overlap run in creation order, so
//! flushes land in the order the engine emitted them. Writes ask for `durability: "strict"`: a
//! produce is acknowledged only after its data is on disk.

use std::collections::btree_map::Entry;

use js_sys::Uint8Array;
use rill_core::cluster::persist::ClusterStorageOp;
use rill_core::storage::StorageOp;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{IdbObjectStore, IdbTransaction, IdbTransactionMode};

use super::IdbStore;
use super::consolidate::{Kept, OVERDUE_BYTES, Run};
use super::keys::{SegmentId, chunk_key, partition_key, segment_range, topic_key, topic_range};
use super::request::{DatabaseWithOptions, storage_error, transaction_done};
use super::schema::{CHUNKS, FILES, PARTITIONS, TOPICS, state_to_js, topic_to_js};
use crate::HostError;

/// The largest chunk a segment written whole (a compaction's replacement) is split into.
pub(super) const MAX_CHUNK_BYTES: usize = 1 << 20;

/// A failure [`IdbStore::fail_next_write`] injects into the next write. The transaction is
/// really aborted after its requests were issued, so nothing of it is stored; only the error
/// the write reports is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreFault {
    /// The transaction aborts (as when the browser aborts it, or the disk fails).
    Abort,
    /// The transaction aborts with a `QuotaExceededError` `DOMException`, as a full disk does.
    QuotaExceeded,
}

/// Puts a whole segment's bytes as chunks `0..n` of at most [`MAX_CHUNK_BYTES`] each (one
/// empty chunk for an empty segment) and returns `n`, the next free sequence number.
pub(super) fn put_whole_segment(
    chunks: &IdbObjectStore,
    segment: &SegmentId,
    bytes: &[u8],
) -> Result<u32, JsValue> {
    let (dir, topic, partition, base_offset) = segment;
    let mut seq: u32 = 0;
    let mut put = |piece: &[u8]| -> Result<(), JsValue> {
        let key = chunk_key(*dir, topic, *partition, *base_offset, seq);
        chunks.put_with_key(&Uint8Array::from(piece), &key)?;
        seq += 1;
        Ok(())
    };
    if bytes.is_empty() {
        put(&[])?;
    }
    for piece in bytes.chunks(MAX_CHUNK_BYTES) {
        put(piece)?;
    }
    Ok(seq)
}

/// The object stores of one write transaction, each looked up once, when an op first needs it.
pub(super) struct Stores<'a> {
    tx: &'a IdbTransaction,
    topics: Option<IdbObjectStore>,
    chunks: Option<IdbObjectStore>,
    partitions: Option<IdbObjectStore>,
    files: Option<IdbObjectStore>,
}

impl Stores<'_> {
    pub(super) fn get(
        slot: &mut Option<IdbObjectStore>,
        tx: &IdbTransaction,
        name: &str,
    ) -> Result<IdbObjectStore, JsValue> {
        match slot {
            Some(store) => Ok(store.clone()),
            None => Ok(slot.insert(tx.object_store(name)?).clone()),
        }
    }
}

impl IdbStore {
    /// Makes the next [`IdbStore::write`] fail with `fault` after issuing its requests, for tests
    /// of failure handling: the transaction is really aborted.
    pub fn fail_next_write(&mut self, fault: StoreFault) {
        self.fault = Some(fault);
    }

    /// Issues `ops` in one read-write transaction now, in order; the returned future resolves
    /// when it has committed durably (`durability: "strict"`), or fails (nothing of it stored)
    /// with `STORAGE_QUOTA_EXCEEDED` or `KAFKA_STORAGE_ERROR`.
    ///
    /// Consolidation that the write makes due starts right after it (see the module docs);
    /// [`IdbStore::write_deferring_merges`] leaves it to the caller.
    pub fn write(
        &mut self,
        ops: Vec<ClusterStorageOp>,
    ) -> Result<impl Future<Output = Result<(), HostError>> + use<>, HostError> {
        self.issue_write(ops, true)
    }

    /// [`IdbStore::write`] without starting the consolidation it makes due: the caller starts
    /// it with [`IdbStore::consolidate`] once no write waits (a consolidation transaction
    /// overlaps every write's scope, so IndexedDB would run the next write only after it).
    pub fn write_deferring_merges(
        &mut self,
        ops: Vec<ClusterStorageOp>,
    ) -> Result<impl Future<Output = Result<(), HostError>> + use<>, HostError> {
        self.issue_write(ops, false)
    }

    pub(super) fn issue_write(
        &mut self,
        ops: Vec<ClusterStorageOp>,
        merge: bool,
    ) -> Result<impl Future<Output = Result<(), HostError>> + use<>, HostError> {
        let write_error = |e| storage_error("cannot write to IndexedDB", e);
        let tx = self
            .db
            .unchecked_ref::<DatabaseWithOptions>()
            .transaction_with_options(&self.names, "readwrite", &self.write_options)
            .map_err(write_error)?;
        debug_assert_eq!(tx.mode().ok(), Some(IdbTransactionMode::Readwrite));
        let next_chunk = self.next_chunk.clone();
        let runs = self.runs.clone();
        if let Err(error) = self.put_all(&tx, ops) {
            // Some requests may already be queued: abort, or the transaction would commit
            // them, and forget the sequence numbers and runs the aborted ops took. Kept bytes
            // are forgotten rather than restored (never copied per write): runs without them
            // are read back when merged.
            let _ = tx.abort();
            self.next_chunk = next_chunk;
            self.runs = runs;
            self.kept = Kept::default();
            return Err(write_error(error));
        }
        let injected = match self.fault.take() {
            None => None,
            Some(fault) => {
                let _ = tx.abort();
                let (message, name) = match fault {
                    StoreFault::Abort => ("injected abort", "AbortError"),
                    StoreFault::QuotaExceeded => ("injected quota exceeded", "QuotaExceededError"),
                };
                Some(
                    web_sys::DomException::new_with_message_and_name(message, name)
                        .map_or_else(|e| e, JsValue::from),
                )
            }
        };
        if injected.is_none() {
            // Every request is issued: commit now rather than when this task (and the
            // engine's work after the write, its microtasks) has ended, so the disk write
            // overlaps that work. Where `commit()` is missing, the transaction still commits
            // by itself at the end of the task.
            #[allow(deprecated)]
            let _ = tx.commit();
        }
        // Listened for once the commit has started (its events come in a later task): setting
        // up the promise is work the disk write overlaps rather than waits for.
        let done = transaction_done(&tx);
        // Created after `tx`, so it runs once `tx` has ended, and sees what it wrote.
        if merge || self.runs.values().any(|run| run.bytes >= OVERDUE_BYTES) {
            self.consolidate();
        }
        let name = self.name.clone();
        let marked = self.marked.clone();
        Ok(async move {
            done.await
                .map(|_| {
                    let now = js_sys::Date::now();
                    if now - marked.get() >= crate::store::marker::REFRESH_MS {
                        crate::store::marker::mark(&name);
                        marked.set(now);
                    }
                })
                .map_err(|e| storage_error("IndexedDB write failed", injected.unwrap_or(e)))
        })
    }

    /// Queues the requests for every op in `tx`, in op order. Stops at the first failure.
    pub(super) fn put_all(
        &mut self,
        tx: &IdbTransaction,
        ops: Vec<ClusterStorageOp>,
    ) -> Result<(), JsValue> {
        let mut stores = Stores {
            tx,
            topics: None,
            chunks: None,
            partitions: None,
            files: None,
        };
        for op in ops {
            match op {
                ClusterStorageOp::Log { broker, op } => self.put_log(&mut stores, broker, op)?,
                ClusterStorageOp::PutFile { path, bytes } => {
                    let files = Stores::get(&mut stores.files, tx, FILES)?;
                    files.put_with_key(&Uint8Array::from(bytes.as_slice()), &path.into())?;
                }
            }
        }
        Ok(())
    }

    /// Queues the requests for one change to log dir `dir`.
    pub(super) fn put_log(
        &mut self,
        stores: &mut Stores<'_>,
        dir: u32,
        op: StorageOp,
    ) -> Result<(), JsValue> {
        let tx = stores.tx;
        match op {
            StorageOp::PutTopic(record) => {
                let topics = Stores::get(&mut stores.topics, tx, TOPICS)?;
                topics.put_with_key(&topic_to_js(&record)?, &topic_key(dir, &record.name))?;
            }
            StorageOp::CreateSegment {
                topic,
                partition,
                base_offset,
            } => {
                let chunks = Stores::get(&mut stores.chunks, tx, CHUNKS)?;
                let key = chunk_key(dir, &topic, partition, base_offset, 0);
                // Creating a segment that exists keeps its bytes, as `MemoryStore` does.
                let segment = (dir, topic, partition, base_offset);
                if let Entry::Vacant(next) = self.next_chunk.entry(segment.clone()) {
                    chunks.put_with_key(&Uint8Array::new_with_length(0), &key)?;
                    next.insert(1);
                    Run::track(&mut self.runs, &segment, 0, 0);
                    self.kept.follow(&self.runs, &segment, &[]);
                }
            }
            StorageOp::AppendToSegment {
                topic,
                partition,
                base_offset,
                bytes,
            } => {
                let chunks = Stores::get(&mut stores.chunks, tx, CHUNKS)?;
                let segment = (dir, topic, partition, base_offset);
                let next = self.next_chunk.entry(segment.clone()).or_insert(0);
                let seq = *next;
                *next += 1;
                let js_key = chunk_key(dir, &segment.1, partition, base_offset, seq);
                chunks.put_with_key(&Uint8Array::from(bytes.as_slice()), &js_key)?;
                Run::track(&mut self.runs, &segment, seq, bytes.len());
                self.kept.follow(&self.runs, &segment, &bytes);
            }
            StorageOp::DeleteSegment {
                topic,
                partition,
                base_offset,
            } => {
                let chunks = Stores::get(&mut stores.chunks, tx, CHUNKS)?;
                chunks.delete(&segment_range(dir, &topic, partition, base_offset)?)?;
                let segment = (dir, topic, partition, base_offset);
                self.next_chunk.remove(&segment);
                self.runs.remove(&segment);
                self.kept.forget(&segment);
            }
            StorageOp::ReplaceSegments {
                topic,
                partition,
                removed,
                added,
            } => {
                let chunks = Stores::get(&mut stores.chunks, tx, CHUNKS)?;
                for base_offset in removed {
                    chunks.delete(&segment_range(dir, &topic, partition, base_offset)?)?;
                    let segment = (dir, topic.clone(), partition, base_offset);
                    self.next_chunk.remove(&segment);
                    self.runs.remove(&segment);
                    self.kept.forget(&segment);
                }
                for (base_offset, bytes) in added {
                    // An added segment holds exactly `bytes`, even if one with its base
                    // offset existed and was not listed in `removed`.
                    chunks.delete(&segment_range(dir, &topic, partition, base_offset)?)?;
                    let segment = (dir, topic.clone(), partition, base_offset);
                    let seqs = put_whole_segment(&chunks, &segment, &bytes)?;
                    self.next_chunk.insert(segment.clone(), seqs);
                    // Its pieces are as large as chunks get; only the last may be small.
                    self.runs.remove(&segment);
                    self.kept.forget(&segment);
                }
            }
            StorageOp::PutPartitionState {
                topic,
                partition,
                state,
            } => {
                let partitions = Stores::get(&mut stores.partitions, tx, PARTITIONS)?;
                partitions.put_with_key(
                    &state_to_js(&state)?,
                    &partition_key(dir, &topic, partition),
                )?;
            }
            StorageOp::DeleteTopic { topic } => {
                let topics = Stores::get(&mut stores.topics, tx, TOPICS)?;
                let chunks = Stores::get(&mut stores.chunks, tx, CHUNKS)?;
                let partitions = Stores::get(&mut stores.partitions, tx, PARTITIONS)?;
                topics.delete(&topic_key(dir, &topic))?;
                chunks.delete(&topic_range(dir, &topic)?)?;
                partitions.delete(&topic_range(dir, &topic)?)?;
                self.next_chunk
                    .retain(|(d, name, _, _), _| *d != dir || *name != topic);
                self.runs
                    .retain(|(d, name, _, _), _| *d != dir || *name != topic);
                self.kept
                    .retain(|(d, name, _, _)| *d != dir || *name != topic);
            }
        }
        Ok(())
    }
}
