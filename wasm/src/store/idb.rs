//! The IndexedDB store: a cluster's log directories and small files, one transaction per flush.
//!
//! It keeps a [`ClusterImage`]: one log directory ("dir") per broker, numbered by broker id
//! (the single-broker `Host` uses dir 0), and small whole files by path. Schema (version 3), in
//! a database named `rill:<name>`:
//! - `topics`: one object per topic of a dir, keyed by `[dir, name]`:
//!   `{ name, partitions, configs }`;
//! - `chunks`: segment bytes, keyed by `[dir, topic, partition, baseOffset, seq]`. A segment is
//!   the concatenation of its chunks in key order. Each chunk is the batches of one append (at
//!   most `max.message.bytes`), or a piece of at most 1 MiB of a compacted segment written
//!   whole, well below browsers' per-value limits;
//! - `partitions`: partition checkpoints, keyed by `[dir, topic, partition]`:
//!   `{ logStartOffset, cleanerCheckpoint }` as numbers (offsets stay below 2^53);
//! - `files`: each file's bytes, keyed by its path (`broker-0/replication-offset-checkpoint`,
//!   `controller/metadata.snapshot`).
//!
//! Appends of a few batches make small chunks, and reading many small values is what makes
//! IndexedDB slow on open. So a segment's trailing run of small chunks (each under
//! [`SMALL_CHUNK_BYTES`]) is consolidated: once the run holds [`MERGE_BYTES`], or once its
//! segment is no longer its partition's last, a transaction puts the run back as one chunk
//! under the run's first key and deletes the others. [`IdbStore::write`] creates it right after
//! the write that made it due (so it runs once that write has ended);
//! [`IdbStore::write_deferring_merges`] leaves it to the caller's [`IdbStore::consolidate`]
//! (the `DurableWriter` calls it once no write waits: IndexedDB runs transactions whose scopes
//! overlap in creation order, so a merge created between two writes delays the second by as
//! long as it takes, ~15–20 ms for 512 KiB measured in headless Chrome), except for a run of
//! [`OVERDUE_BYTES`], merged right after its write so that a writer that never pauses still
//! gets large chunks. The store keeps the bytes of runs it wrote in
//! memory (up to [`KEPT_BYTES`] in all), so the transaction only counts the run's chunks (to
//! be sure the writes that made them committed) before putting them; a run it does not hold
//! (one found on open) is read back with a `getAll` over its key range. It does so in the
//! request's success callback, inside that one transaction and awaiting nothing else, so a
//! reader sees the pieces or the merged chunk, never both or neither. If what it counts or
//! reads is not the run the store tracked (the write before it failed), it changes nothing. It
//! asks for `durability: "relaxed"` and nothing waits for it: it changes no data, so a crash
//! may lose it but never tears it, and the write it follows is acknowledged without it. A
//! merged chunk is below `OVERDUE_BYTES + SMALL_CHUNK_BYTES`. Measured with
//! `tests/e2e/persist-bench.mjs` (one produce of 100 × 100 B per flush, same run, alternating):
//! not reading the run back made produce ~30% faster (47.5–48.5k → 62–63k records/s); merging
//! inside the strict write instead, with the bytes known, was slower (each 48th write then
//! commits a 512 KiB value durably); larger chunks by rewriting the last chunk (up to 60 KiB)
//! left 2000 chunks per 1M records, which open as slowly as the 10 000 unmerged ones. With
//! consolidation off, `cargo xtask bench --wasm` measured produce at 0.60 of raw IndexedDB (one
//! call in flight) against 0.66–0.70 with it: merging is no longer what keeps produce from the
//! 0.8 aim.
//!
//! Upgrading from version 1 adds the `partitions` store. Upgrading from version 2 (inside the
//! versionchange transaction, so all or nothing) moves everything into dir 0: every key gains
//! `0` as its first component; `topics`, whose key was its values' `name`, is copied into a new
//! out-of-line store. Deleting a segment or a topic deletes key ranges:
//! `[dir, topic, partition, baseOffset, 0..=+inf]` for a segment, every key that starts
//! `[dir, topic]` for a topic.
//!
//! IndexedDB commits a transaction as soon as control returns to the event loop with no request
//! pending, so [`IdbStore::write`] issues every request synchronously and only then awaits
//! completion. Requests within a transaction execute in the order they were issued, so the ops
//! of one flush apply in order; transactions whose scopes overlap run in creation order, so
//! flushes land in the order the engine emitted them. Writes ask for `durability: "strict"`: a
//! produce is acknowledged only after its data is on disk.
//!
//! One writer per store: [`IdbStore::open`] takes the Web Lock `rill:<name>` and holds it until
//! [`IdbStore::close`] (or drop); a second open of the same name in the same origin fails with
//! `STORE_LOCKED` once it has waited 250 ms for it. Where `navigator.locks` is missing, a `BroadcastChannel`
//! handshake stands in. Opening also asks for persistent storage (`navigator.storage.persist()`),
//! best effort.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use js_sys::Function;
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use rill_core::cluster::persist::{ClusterImage, ClusterStorageOp};
use rill_core::storage::{
    PartitionState, RecoveredSegment, RecoveredTopic, RecoveryImage, StorageOp, TopicRecord,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbFactory, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode,
};

use crate::HostError;

const TOPICS: &str = "topics";
const CHUNKS: &str = "chunks";
const PARTITIONS: &str = "partitions";
const FILES: &str = "files";
/// Where the version 2 `topics` store (keyed by its values' `name`) waits while the upgrade to
/// version 3 copies it into the new `topics` store; deleted by the same upgrade.
const TOPICS_V2: &str = "topics-v2";
/// The schema version this code writes. Each bump adds an arm to [`upgrade`].
const SCHEMA_VERSION: u32 = 3;
/// The largest chunk a segment written whole (a compaction's replacement) is split into.
const MAX_CHUNK_BYTES: usize = 1 << 20;
/// A segment's trailing small chunks are consolidated once they hold this many bytes.
const MERGE_BYTES: usize = 512 << 10;
/// A run this large is consolidated right after the write that made it so, also by
/// [`IdbStore::write_deferring_merges`]: a writer that is never idle still gets large chunks.
const OVERDUE_BYTES: usize = 4 * MERGE_BYTES;
/// A chunk smaller than this may be consolidated with its neighbours.
const SMALL_CHUNK_BYTES: usize = MERGE_BYTES / 2;
/// At most this many bytes of runs are kept in memory (see [`Kept`]), over all segments.
const KEPT_BYTES: usize = 32 << 20;
/// At most this many consolidations ride on one write, so that a store full of small chunks
/// (e.g. one written before consolidation existed) does not make one write slow.
const MAX_MERGES_PER_WRITE: usize = 4;
/// `Number.MAX_SAFE_INTEGER`: offsets up to this magnitude survive the trip through a number.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

#[wasm_bindgen]
extern "C" {
    /// `IDBDatabase`, for the one method web-sys only exposes behind its unstable-API cfg.
    #[wasm_bindgen(js_name = IDBDatabase)]
    type DatabaseWithOptions;

    /// `IDBDatabase.transaction(storeNames, mode, options)`.
    #[wasm_bindgen(method, catch, js_name = transaction)]
    fn transaction_with_options(
        this: &DatabaseWithOptions,
        store_names: &Array,
        mode: &str,
        options: &JsValue,
    ) -> Result<IdbTransaction, JsValue>;

    /// `IDBKeyRange`, bound here so the crate needs no further web-sys feature.
    #[wasm_bindgen(js_name = IDBKeyRange)]
    type KeyRange;

    /// `IDBKeyRange.bound(lower, upper, lowerOpen, upperOpen)`.
    #[wasm_bindgen(static_method_of = KeyRange, catch, js_name = bound)]
    fn bound(
        lower: &JsValue,
        upper: &JsValue,
        lower_open: bool,
        upper_open: bool,
    ) -> Result<KeyRange, JsValue>;
}

/// A segment: `(log dir, topic, partition, base offset)`. The log dir is the broker's id.
type SegmentId = (u32, String, u32, i64);

/// An open IndexedDB store: the only writer of its name in this origin while it is open.
#[derive(Debug)]
pub struct IdbStore {
    db: IdbDatabase,
    /// Next chunk sequence number per segment.
    next_chunk: BTreeMap<SegmentId, u32>,
    /// Each segment's trailing run of small chunks, when it has one.
    runs: BTreeMap<SegmentId, Run>,
    /// The bytes of runs, as written, so that merging them needs no read.
    kept: Kept,
    /// The object store names, in the order transactions name them.
    names: Array,
    /// `{ durability: "strict" }`, the options of every write transaction.
    write_options: Object,
    /// `{ durability: "relaxed" }`, the options of consolidations: they change no data, so a
    /// crash may lose one (the pieces stay) but never tears it.
    merge_options: Object,
    /// The next consolidation aborts once its requests are issued (tests).
    fail_consolidation: bool,
    /// The writer's lock, released on close or drop.
    lock: Option<WriterLock>,
    /// A failure the next write must suffer (tests of failure handling).
    fault: Option<StoreFault>,
    /// The store's name, for its marker outside IndexedDB (`marker.rs`).
    name: String,
}

/// What opening a store does when its database is gone but its marker says it held data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnDiscarded {
    /// Fail with `STORE_DISCARDED` (and keep failing until the caller chooses to start fresh).
    #[default]
    Fail,
    /// Start an empty store and forget the marker.
    StartFresh,
}

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

/// Everything a store holds, read back after a failed write to restore the engine.
#[derive(Debug)]
pub struct StoredState {
    /// Everything stored: every log dir (for `Broker::recover` or `Cluster::recover`), every
    /// file, and the partitions with an unreadable chunk (see [`Opened::image`]).
    pub image: ClusterImage,
    /// Stored values that could not be read at all, described.
    pub skipped: Vec<String>,
    next_chunk: BTreeMap<SegmentId, u32>,
    runs: BTreeMap<SegmentId, Run>,
}

/// The bytes of segments' runs (see [`Run`]) as this store wrote them, up to [`KEPT_BYTES`] in
/// all, so that a consolidation puts them without reading the pieces back first: it only counts
/// them, to be sure the writes that made them committed.
#[derive(Debug, Default)]
struct Kept {
    runs: BTreeMap<SegmentId, Vec<u8>>,
    /// The bytes held in `runs`.
    bytes: usize,
}

impl Kept {
    /// Follows `segment`'s run after a chunk of `appended` bytes was tracked in `runs`.
    fn follow(&mut self, runs: &BTreeMap<SegmentId, Run>, segment: &SegmentId, appended: &[u8]) {
        let Some(run) = runs.get(segment) else {
            self.forget(segment);
            return;
        };
        if run.count == 1 {
            self.forget(segment);
        }
        let room = self.bytes + appended.len() <= KEPT_BYTES;
        match self.runs.get_mut(segment) {
            Some(kept) if room && kept.len() + appended.len() == run.bytes => {
                kept.extend_from_slice(appended);
                self.bytes += appended.len();
            }
            None if room && run.count == 1 => {
                self.runs.insert(segment.clone(), appended.to_vec());
                self.bytes += appended.len();
            }
            _ => self.forget(segment),
        }
    }

    /// The bytes of `run` of `segment`, if all of them are kept; forgets them either way.
    fn take(&mut self, segment: &SegmentId, run: &Run) -> Option<Vec<u8>> {
        let kept = self.runs.remove(segment)?;
        self.bytes -= kept.len();
        (kept.len() == run.bytes).then_some(kept)
    }

    fn forget(&mut self, segment: &SegmentId) {
        if let Some(kept) = self.runs.remove(segment) {
            self.bytes -= kept.len();
        }
    }

    fn retain(&mut self, mut keep: impl FnMut(&SegmentId) -> bool) {
        let mut freed = 0;
        self.runs.retain(|segment, kept| {
            let keep = keep(segment);
            if !keep {
                freed += kept.len();
            }
            keep
        });
        self.bytes -= freed;
    }
}

/// A segment's trailing chunks that are each under [`SMALL_CHUNK_BYTES`]: sequence numbers
/// `first..=last` (every chunk of the segment in that key range), `count` of them, `bytes` in
/// all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    first: u32,
    last: u32,
    count: u32,
    bytes: usize,
}

impl Run {
    /// Adds chunk `seq` of `len` bytes, written after every chunk of the segment so far, to
    /// the segment's run in `runs`: a small chunk extends it (or starts one), a large one ends
    /// it.
    fn track(runs: &mut BTreeMap<SegmentId, Run>, segment: &SegmentId, seq: u32, len: usize) {
        if len >= SMALL_CHUNK_BYTES {
            runs.remove(segment);
            return;
        }
        match runs.get_mut(segment) {
            Some(run) => {
                run.last = seq;
                run.count += 1;
                run.bytes += len;
            }
            None => {
                runs.insert(
                    segment.clone(),
                    Run {
                        first: seq,
                        last: seq,
                        count: 1,
                        bytes: len,
                    },
                );
            }
        }
    }
}

/// What opening a store found: the image to recover from and anything that had to be skipped.
#[derive(Debug)]
pub struct Opened {
    /// The store.
    pub store: IdbStore,
    /// Everything stored: every log dir and every file. `image.damaged` has, by log dir, the
    /// partitions with an unreadable chunk and every base offset stored for each: the image
    /// holds them up to that chunk; what follows it is dropped, never recovered with a gap.
    pub image: ClusterImage,
    /// Stored values that could not be read at all (wrong type or shape), described.
    pub skipped: Vec<String>,
}

/// Partitions `(topic, partition)` of one log dir with an unreadable chunk, and every base
/// offset stored for each (also those whose chunks were all dropped).
pub type Damaged = BTreeMap<(String, u32), BTreeSet<i64>>;

/// Every object store, in the order transactions name them.
fn store_names() -> Array {
    Array::of4(
        &TOPICS.into(),
        &CHUNKS.into(),
        &PARTITIONS.into(),
        &FILES.into(),
    )
}

/// `{ durability }`: `"strict"` for writes, which resolve only once on disk.
fn durability_options(durability: &str) -> Result<Object, HostError> {
    let options = Object::new();
    Reflect::set(&options, &"durability".into(), &durability.into())
        .map_err(|e| storage_error("cannot write to IndexedDB", e))?;
    Ok(options)
}

fn database_name(name: &str) -> String {
    format!("rill:{name}")
}

fn storage_error(context: &str, error: JsValue) -> HostError {
    let detail = match error.dyn_ref::<web_sys::DomException>() {
        Some(dom) if dom.name() == "QuotaExceededError" => {
            return HostError::QuotaExceeded(format!(
                "{context}: the browser's storage quota for this site is used up ({}); the write \
                 was rejected and the broker is back at its last persisted state. Free space \
                 (deleteTopic, deleteRecords, a lower retention.ms or retention.bytes, then \
                 tick) or clear this site's data, then retry",
                dom.message()
            ));
        }
        Some(dom) => format!("{}: {}", dom.name(), dom.message()),
        None => error.as_string().unwrap_or_else(|| format!("{error:?}")),
    };
    HostError::Storage(format!("{context}: {detail}"))
}

fn navigator() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &"navigator".into())
        .ok()
        .filter(|n| n.is_object())
}

/// Asks the browser to keep this origin's storage under pressure. Best effort: never awaited,
/// never fails the open.
fn request_persistence() {
    let Some(storage) = navigator()
        .and_then(|n| Reflect::get(&n, &"storage".into()).ok())
        .filter(JsValue::is_object)
    else {
        return;
    };
    let Some(persist) = Reflect::get(&storage, &"persist".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return;
    };
    if let Ok(promise) = persist.call0(&storage)
        && let Ok(promise) = promise.dyn_into::<Promise>()
    {
        // Swallow a rejection rather than leave it unhandled.
        let ignore = Closure::once(|_: JsValue| {});
        let _ = promise.catch(&ignore);
        ignore.forget();
    }
}

/// The one-writer lock of a store name.
#[derive(Debug)]
enum WriterLock {
    /// A Web Lock, held until `release` resolves the promise its callback returned.
    WebLock {
        /// Resolves the promise the lock callback returned, which releases the lock.
        release: Function,
    },
    /// The `BroadcastChannel` stand-in: answers every probe with "held" while open.
    Channel {
        channel: web_sys::BroadcastChannel,
        /// Keeps the message handler alive while the channel is open.
        _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    },
}

impl WriterLock {
    fn release(self) {
        match self {
            WriterLock::WebLock { release } => {
                let _ = release.call0(&JsValue::UNDEFINED);
            }
            WriterLock::Channel { channel, .. } => {
                channel.set_onmessage(None);
                channel.close();
            }
        }
    }
}

fn locked_error(name: &str) -> HostError {
    HostError::Locked(format!(
        "another tab (or another Rill instance in this page) has the broker '{name}' open; \
         close it there, or open this one with another name"
    ))
}

/// How long an open waits for the writer's lock before it fails with `STORE_LOCKED`. Releasing
/// a Web Lock is asynchronous: after a `close()`, and after a page reload (the old document
/// releases its locks only as it unloads, which takes longer on a busy machine: 250 ms made a
/// reload fail under load), the next open needs a moment; a lock another live instance keeps
/// is not released in that time.
const LOCK_WAIT_MS: i32 = 2_000;

/// Resolves after `ms` milliseconds (`setTimeout`): later than every microtask queued now.
pub(crate) async fn sleep(ms: i32) {
    let wait = Promise::new(&mut |resolve, _| after(ms, &resolve));
    let _ = JsFuture::from(wait).await;
}

/// Calls `callback` after `ms` milliseconds (`setTimeout`), if the global has a timer.
fn after(ms: i32, callback: &JsValue) {
    if let Some(set_timeout) = Reflect::get(&js_sys::global(), &"setTimeout".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    {
        let _ = set_timeout.call2(&JsValue::UNDEFINED, callback, &ms.into());
    } else {
        let _ = callback
            .dyn_ref::<Function>()
            .map(|f| f.call0(&JsValue::UNDEFINED));
    }
}

/// Takes the writer's lock of `name`, or fails with `STORE_LOCKED` if another instance keeps it
/// for [`LOCK_WAIT_MS`].
async fn acquire_lock(name: &str) -> Result<WriterLock, HostError> {
    let lock_name = format!("rill:{name}");
    let locks = navigator()
        .and_then(|n| Reflect::get(&n, &"locks".into()).ok())
        .filter(JsValue::is_object);
    let Some(locks) = locks else {
        return acquire_channel_lock(name, &lock_name).await;
    };
    let lock_error = |e| storage_error("cannot request the store's lock", e);
    let request = Reflect::get(&locks, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| HostError::Storage("navigator.locks.request is not a function".into()))?;
    let mut release = None;
    let held = Promise::new(&mut |resolve, _| release = Some(resolve));
    let release =
        release.ok_or_else(|| HostError::Storage("Promise executor did not run".into()))?;
    let mut settle = None;
    let acquired = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let (granted, failed) =
        settle.ok_or_else(|| HostError::Storage("Promise executor did not run".into()))?;
    // Returning a pending promise from the callback holds the lock until it resolves.
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let _ = granted.call0(&JsValue::UNDEFINED);
        held.into()
    });
    let controller = web_sys::AbortController::new().map_err(lock_error)?;
    let options = Object::new();
    Reflect::set(&options, &"signal".into(), &controller.signal()).map_err(lock_error)?;
    let requested = request
        .call3(&locks, &lock_name.into(), &options, &callback)
        .map_err(lock_error)?;
    if let Ok(requested) = requested.dyn_into::<Promise>() {
        let on_error = Closure::once(move |error: JsValue| {
            let _ = failed.call1(&JsValue::UNDEFINED, &error);
        });
        let _ = requested.catch(&on_error);
        on_error.forget();
    }
    // Aborting a request that was granted changes nothing.
    after(
        LOCK_WAIT_MS,
        &Closure::once_into_js(move || controller.abort()),
    );
    match JsFuture::from(acquired).await {
        Ok(_) => Ok(WriterLock::WebLock { release }),
        Err(error)
            if error
                .dyn_ref::<web_sys::DomException>()
                .is_some_and(|e| e.name() == "AbortError") =>
        {
            Err(locked_error(name))
        }
        Err(error) => Err(storage_error("cannot take the store's lock", error)),
    }
}

/// How long a `BroadcastChannel` probe waits for an answer.
const PROBE_MS: i32 = 100;

/// The stand-in where `navigator.locks` is missing: probe `rill-lock:<name>` and wait
/// [`PROBE_MS`]; a "held" answer, or a concurrent probe from an instance with a lower random
/// id, means another instance has (or wins) the store.
async fn acquire_channel_lock(name: &str, lock_name: &str) -> Result<WriterLock, HostError> {
    use std::cell::Cell;
    use std::rc::Rc;
    let channel = web_sys::BroadcastChannel::new(lock_name)
        .map_err(|e| storage_error("cannot open a BroadcastChannel for the store's lock", e))?;
    let id = js_sys::Math::random();
    let holding = Rc::new(Cell::new(false));
    let lost = Rc::new(Cell::new(false));
    let on_message = {
        let (holding, lost, answer) = (holding.clone(), lost.clone(), channel.clone());
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            if data.as_string().as_deref() == Some("held") {
                lost.set(true);
            } else if let Some(other) = data.as_f64() {
                // A probe carries its sender's id.
                if holding.get() {
                    let _ = answer.post_message(&"held".into());
                } else if other < id {
                    lost.set(true);
                }
            }
        })
    };
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let probe_error = |e| storage_error("cannot probe the store's lock", e);
    channel.post_message(&id.into()).map_err(probe_error)?;
    let wait = Promise::new(&mut |resolve, _| after(PROBE_MS, &resolve));
    let _ = JsFuture::from(wait).await;
    if lost.get() {
        channel.set_onmessage(None);
        channel.close();
        return Err(locked_error(name));
    }
    holding.set(true);
    Ok(WriterLock::Channel {
        channel,
        _on_message: on_message,
    })
}

fn factory() -> Result<IdbFactory, HostError> {
    let global = js_sys::global();
    let value = Reflect::get(&global, &JsValue::from_str("indexedDB"))
        .map_err(|e| storage_error("IndexedDB is not available", e))?;
    value.dyn_into::<IdbFactory>().map_err(|_| {
        HostError::Storage("IndexedDB is not available in this browser context".into())
    })
}

/// Resolves with the request's result once it succeeds, or rejects with its error.
fn request_done(request: &IdbRequest) -> JsFuture {
    JsFuture::from(request_promise(request))
}

fn request_promise(request: &IdbRequest) -> Promise {
    Promise::new(&mut |resolve, reject| {
        let ok_request = request.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let value = ok_request.result().unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::UNDEFINED, &value);
        });
        let err_request = request.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = err_request
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::from_str("request failed"), JsValue::from);
            let _ = reject.call1(&JsValue::UNDEFINED, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    })
}

/// Resolves once the transaction commits; rejects when it errors or aborts.
fn transaction_done(tx: &IdbTransaction) -> JsFuture {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        let failed_tx = tx.clone();
        let reject_abort = reject.clone();
        let on_error = Closure::once_into_js(move |event: web_sys::Event| {
            // A failed request's error (e.g. `QuotaExceededError`) bubbles here before the
            // transaction aborts, while `transaction.error` may still be null.
            let request_error = Reflect::get(&event, &"target".into())
                .and_then(|target| Reflect::get(&target, &"error".into()))
                .ok()
                .filter(|error| error.is_object());
            let error = request_error
                .or_else(|| failed_tx.error().map(JsValue::from))
                .unwrap_or_else(|| JsValue::from_str("transaction failed"));
            let _ = reject.call1(&JsValue::UNDEFINED, &error);
        });
        let aborted_tx = tx.clone();
        let on_abort = Closure::once_into_js(move |_: web_sys::Event| {
            let error = aborted_tx
                .error()
                .map_or(JsValue::from_str("transaction aborted"), JsValue::from);
            let _ = reject_abort.call1(&JsValue::UNDEFINED, &error);
        });
        tx.set_oncomplete(Some(on_complete.unchecked_ref()));
        tx.set_onerror(Some(on_error.unchecked_ref()));
        tx.set_onabort(Some(on_abort.unchecked_ref()));
    });
    JsFuture::from(promise)
}

/// Brings a database from `old_version` to [`SCHEMA_VERSION`], inside the versionchange
/// transaction `tx`. Moving data (version 3) issues requests whose callbacks finish the move in
/// `tx`; any failure aborts `tx`, which fails the open and leaves the old version as it was.
fn upgrade(db: &IdbDatabase, tx: &IdbTransaction, old_version: u32) -> Result<(), JsValue> {
    if old_version < 1 {
        for name in [TOPICS, CHUNKS, PARTITIONS, FILES] {
            db.create_object_store(name)?;
        }
        return Ok(());
    }
    if old_version < 2 {
        db.create_object_store(PARTITIONS)?;
    }
    if old_version < 3 {
        // Everything stored so far is broker 0's log dir. `topics` was keyed by its values'
        // `name`; it becomes keyed by `[dir, name]`, which needs a new object store.
        let old_topics = tx.object_store(TOPICS)?;
        old_topics.set_name(TOPICS_V2);
        db.create_object_store(TOPICS)?;
        db.create_object_store(FILES)?;
        let db = db.clone();
        move_to_dir_0(tx, TOPICS_V2, TOPICS, move || {
            db.delete_object_store(TOPICS_V2)
        })?;
        move_to_dir_0(tx, CHUNKS, CHUNKS, || Ok(()))?;
        move_to_dir_0(tx, PARTITIONS, PARTITIONS, || Ok(()))?;
    }
    Ok(())
}

/// Moves every entry of object store `from` into `to` (the same store, or a new empty one)
/// under its key prefixed with log dir 0, then runs `then`; all in `tx`, aborting it on any
/// failure.
fn move_to_dir_0(
    tx: &IdbTransaction,
    from: &str,
    to: &str,
    then: impl FnOnce() -> Result<(), JsValue> + 'static,
) -> Result<(), JsValue> {
    let source = tx.object_store(from)?;
    let target = tx.object_store(to)?;
    let keys = source.get_all_keys()?;
    let values = source.get_all()?;
    let same = from == to;
    let (read, failed_tx) = (values.clone(), tx.clone());
    let on_success = Closure::once_into_js(move |_: web_sys::Event| {
        let moved = (|| -> Result<(), JsValue> {
            let keys: Array = keys.result()?.dyn_into()?;
            let values: Array = read.result()?.dyn_into()?;
            if same {
                source.clear()?;
            }
            let dir = Array::of1(&JsValue::from(0));
            for (key, value) in keys.iter().zip(values.iter()) {
                // A key that is not an array was unreadable before and stays so.
                let key = match key.dyn_ref::<Array>() {
                    Some(parts) => dir.concat(parts),
                    None => Array::of2(&JsValue::from(0), &key),
                };
                target.put_with_key(&value, &key)?;
            }
            then()
        })();
        if moved.is_err() {
            let _ = failed_tx.abort();
        }
    });
    values.set_onsuccess(Some(on_success.unchecked_ref()));
    Ok(())
}

fn chunk_key(dir: u32, topic: &str, partition: u32, base_offset: i64, seq: u32) -> Array {
    chunk_key_with(dir, topic, partition, base_offset, &JsValue::from(seq))
}

fn chunk_key_with(
    dir: u32,
    topic: &str,
    partition: u32,
    base_offset: i64,
    last: &JsValue,
) -> Array {
    let key = Array::of4(
        &JsValue::from(dir),
        &JsValue::from_str(topic),
        &JsValue::from(partition),
        &JsValue::from(base_offset as f64),
    );
    key.push(last);
    key
}

/// Every chunk of one segment: `[dir, topic, partition, baseOffset, 0] ..= [.., +inf]`.
fn segment_range(
    dir: u32,
    topic: &str,
    partition: u32,
    base_offset: i64,
) -> Result<JsValue, JsValue> {
    KeyRange::bound(
        &chunk_key(dir, topic, partition, base_offset, 0),
        &chunk_key_with(
            dir,
            topic,
            partition,
            base_offset,
            &JsValue::from(f64::INFINITY),
        ),
        false,
        false,
    )
    .map(JsValue::from)
}

/// Every array key that starts `[dir, topic]`: `[dir, topic] ..= [dir, topic, []]`. An array
/// sorts after every number and string, so `[dir, topic, []]` is above `[dir, topic, n, ...]`
/// for any `n`.
fn topic_range(dir: u32, topic: &str) -> Result<JsValue, JsValue> {
    let (dir, topic) = (JsValue::from(dir), JsValue::from_str(topic));
    KeyRange::bound(
        &Array::of2(&dir, &topic),
        &Array::of3(&dir, &topic, &Array::new()),
        false,
        false,
    )
    .map(JsValue::from)
}

fn topic_key(dir: u32, topic: &str) -> Array {
    Array::of2(&JsValue::from(dir), &JsValue::from_str(topic))
}

fn partition_key(dir: u32, topic: &str, partition: u32) -> Array {
    Array::of3(
        &JsValue::from(dir),
        &JsValue::from_str(topic),
        &JsValue::from(partition),
    )
}

/// A key component that must be a `u32`.
fn u32_from_js(value: &JsValue) -> Option<u32> {
    value
        .as_f64()
        .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f))
        .map(|f| f as u32)
}

/// An offset as a number, refusing any the number cannot hold exactly.
fn offset_to_js(name: &str, offset: i64) -> Result<JsValue, JsValue> {
    let number = offset as f64;
    if number.abs() > MAX_SAFE_INTEGER {
        return Err(JsValue::from_str(&format!(
            "{name} {offset} does not fit in a JavaScript number"
        )));
    }
    Ok(JsValue::from(number))
}

fn offset_from_js(value: &JsValue) -> Option<i64> {
    value
        .as_f64()
        .filter(|f| f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER)
        .map(|f| f as i64)
}

fn state_to_js(state: &PartitionState) -> Result<JsValue, JsValue> {
    let object = Object::new();
    Reflect::set(
        &object,
        &"logStartOffset".into(),
        &offset_to_js("log start offset", state.log_start_offset)?,
    )?;
    Reflect::set(
        &object,
        &"cleanerCheckpoint".into(),
        &offset_to_js("cleaner checkpoint", state.cleaner_checkpoint)?,
    )?;
    Ok(object.into())
}

fn state_from_js(value: &JsValue) -> Option<PartitionState> {
    if !value.is_object() {
        return None;
    }
    Some(PartitionState {
        log_start_offset: offset_from_js(&Reflect::get(value, &"logStartOffset".into()).ok()?)?,
        cleaner_checkpoint: offset_from_js(
            &Reflect::get(value, &"cleanerCheckpoint".into()).ok()?,
        )?,
    })
}

fn partition_key_from_js(key: &JsValue) -> Option<(u32, String, u32)> {
    let key = key.dyn_ref::<Array>()?;
    if key.length() != 3 {
        return None;
    }
    Some((
        u32_from_js(&key.get(0))?,
        key.get(1).as_string()?,
        u32_from_js(&key.get(2))?,
    ))
}

fn topic_key_from_js(key: &JsValue) -> Option<(u32, String)> {
    let key = key.dyn_ref::<Array>()?;
    if key.length() != 2 {
        return None;
    }
    Some((u32_from_js(&key.get(0))?, key.get(1).as_string()?))
}

/// Chunks `first..=last` of one segment.
fn seq_range(segment: &SegmentId, first: u32, last: u32) -> Result<JsValue, JsValue> {
    let (dir, topic, partition, base_offset) = segment;
    KeyRange::bound(
        &chunk_key(*dir, topic, *partition, *base_offset, first),
        &chunk_key(*dir, topic, *partition, *base_offset, last),
        false,
        false,
    )
    .map(JsValue::from)
}

/// Issues, in `tx`, the consolidation of `run` of `segment`: a read of its chunks whose
/// success callback (still inside `tx`) puts their concatenation under the run's first key and
/// deletes the rest. With `kept`, the run's bytes as written, the read only counts the chunks;
/// otherwise it is a `getAll` of them. If what it reads is not the run the store tracked (a
/// write of it failed), it leaves the chunks as they are. With `abort_after`, the callback then
/// aborts `tx`; a failure to issue aborts it too.
fn merge_run(
    tx: &IdbTransaction,
    chunks: &IdbObjectStore,
    segment: &SegmentId,
    run: Run,
    kept: Option<Vec<u8>>,
    abort_after: bool,
) -> Result<(), JsValue> {
    let segment = segment.clone();
    let range = seq_range(&segment, run.first, run.last)?;
    let request = match kept {
        Some(_) => chunks.count_with_key(&range)?,
        None => chunks.get_all_with_key(&range)?,
    };
    let (read, store, tx) = (request.clone(), chunks.clone(), tx.clone());
    let on_success = Closure::once_into_js(move |_: web_sys::Event| {
        let issued = (|| -> Result<(), JsValue> {
            let merged = match kept {
                Some(bytes) => {
                    if read.result()?.as_f64() != Some(f64::from(run.count)) {
                        return Ok(());
                    }
                    Uint8Array::from(bytes.as_slice())
                }
                None => {
                    let pieces: Array = read.result()?.dyn_into()?;
                    let pieces: Vec<Uint8Array> = pieces
                        .iter()
                        .filter_map(|piece| piece.dyn_into::<Uint8Array>().ok())
                        .collect();
                    let total: usize = pieces.iter().map(|p| p.length() as usize).sum();
                    if pieces.len() != run.count as usize || total != run.bytes {
                        return Ok(());
                    }
                    let merged = Uint8Array::new_with_length(total as u32);
                    let mut at = 0;
                    for piece in &pieces {
                        merged.set(piece, at);
                        at += piece.length();
                    }
                    merged
                }
            };
            let (dir, topic, partition, base_offset) = &segment;
            store.put_with_key(
                &merged,
                &chunk_key(*dir, topic, *partition, *base_offset, run.first),
            )?;
            store.delete(&seq_range(&segment, run.first + 1, run.last)?)?;
            Ok(())
        })();
        if issued.is_err() || abort_after {
            let _ = tx.abort();
        }
    });
    request.set_onsuccess(Some(on_success.unchecked_ref()));
    Ok(())
}

/// Puts a whole segment's bytes as chunks `0..n` of at most [`MAX_CHUNK_BYTES`] each (one
/// empty chunk for an empty segment) and returns `n`, the next free sequence number.
fn put_whole_segment(
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
struct Stores<'a> {
    tx: &'a IdbTransaction,
    topics: Option<IdbObjectStore>,
    chunks: Option<IdbObjectStore>,
    partitions: Option<IdbObjectStore>,
    files: Option<IdbObjectStore>,
}

impl Stores<'_> {
    fn get(
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

fn topic_to_js(record: &TopicRecord) -> Result<JsValue, JsValue> {
    let object = Object::new();
    Reflect::set(&object, &"name".into(), &record.name.as_str().into())?;
    Reflect::set(&object, &"partitions".into(), &record.partitions.into())?;
    let configs: Array = record
        .configs
        .iter()
        .map(|(k, v)| Array::of2(&k.as_str().into(), &v.as_str().into()))
        .collect();
    Reflect::set(&object, &"configs".into(), &configs)?;
    Ok(object.into())
}

fn topic_from_js(value: &JsValue) -> Option<TopicRecord> {
    let name = Reflect::get(value, &"name".into()).ok()?.as_string()?;
    let partitions = Reflect::get(value, &"partitions".into()).ok()?.as_f64()?;
    if partitions.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&partitions) {
        return None;
    }
    let configs = Reflect::get(value, &"configs".into())
        .ok()?
        .dyn_into::<Array>()
        .ok()?;
    let configs = configs
        .iter()
        .map(|pair| {
            let pair = pair.dyn_into::<Array>().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(TopicRecord {
        name,
        partitions: partitions as u32,
        configs,
    })
}

/// `[dir, topic, partition, baseOffset, seq]` as `(segment, seq)`.
fn chunk_key_from_js(key: &JsValue) -> Option<(SegmentId, u32)> {
    let key = key.dyn_ref::<Array>()?;
    if key.length() != 5 {
        return None;
    }
    let base = key
        .get(3)
        .as_f64()
        .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= MAX_SAFE_INTEGER)? as i64;
    Some((
        (
            u32_from_js(&key.get(0))?,
            key.get(1).as_string()?,
            u32_from_js(&key.get(2))?,
            base,
        ),
        u32_from_js(&key.get(4))?,
    ))
}

impl IdbStore {
    /// Opens (creating or upgrading) the store called `name` and reads everything back.
    ///
    /// Fails with `STORE_LOCKED` while another instance in this origin has `name` open.
    pub async fn open(name: &str) -> Result<Opened, HostError> {
        Self::open_with(name, OnDiscarded::Fail).await
    }

    /// [`IdbStore::open`], choosing what a discarded database does: when the database is
    /// missing although the marker outside IndexedDB says it held data, `Fail` returns
    /// `STORE_DISCARDED` (with when the store was first written), `StartFresh` opens empty.
    pub async fn open_with(name: &str, on_discarded: OnDiscarded) -> Result<Opened, HostError> {
        let write_options = durability_options("strict")?;
        let merge_options = durability_options("relaxed")?;
        let lock = acquire_lock(name).await?;
        let opened = Self::open_locked(name).await;
        if let Ok((db, _, true)) = &opened
            && let Some(written) = super::marker::written(name)
        {
            match on_discarded {
                OnDiscarded::Fail => {
                    // Remove the empty database this open created, so that every open says
                    // so until the caller chooses to start fresh.
                    db.close();
                    let _ = Self::delete_database(name).await;
                    lock.release();
                    let iso = |ms: f64| {
                        String::from(js_sys::Date::new(&JsValue::from_f64(ms)).to_iso_string())
                    };
                    return Err(HostError::Discarded(format!(
                        "the store '{name}' held data (first written {}, last saved {}) but the browser discarded its IndexedDB database; nothing of it is left. Open with onDiscarded: 'startFresh' to start an empty store",
                        iso(written.first),
                        iso(written.last)
                    )));
                }
                OnDiscarded::StartFresh => super::marker::clear(name),
            }
        }
        match opened.map(|(db, state, _)| (db, state)) {
            Ok((db, state)) => {
                request_persistence();
                if !state.image.logs.is_empty() || !state.image.files.is_empty() {
                    // A store written before markers existed gets one now.
                    super::marker::mark(name);
                }
                Ok(Opened {
                    store: IdbStore {
                        db,
                        next_chunk: state.next_chunk,
                        runs: state.runs,
                        kept: Kept::default(),
                        names: store_names(),
                        write_options,
                        merge_options,
                        fail_consolidation: false,
                        lock: Some(lock),
                        fault: None,
                        name: name.to_owned(),
                    },
                    image: state.image,
                    skipped: state.skipped,
                })
            }
            Err(error) => {
                lock.release();
                Err(error)
            }
        }
    }

    /// Opens the database; the flag says it did not exist before (this open created it).
    async fn open_locked(name: &str) -> Result<(IdbDatabase, StoredState, bool), HostError> {
        let request = factory()?
            .open_with_u32(&database_name(name), SCHEMA_VERSION)
            .map_err(|e| storage_error("cannot open IndexedDB", e))?;
        let upgrade_request = request.clone();
        let created = std::rc::Rc::new(std::cell::Cell::new(false));
        let created_in_upgrade = created.clone();
        let on_upgrade = Closure::once_into_js(move |event: web_sys::IdbVersionChangeEvent| {
            created_in_upgrade.set(event.old_version() == 0.0);
            let Some(tx) = upgrade_request.transaction() else {
                return;
            };
            let upgraded = upgrade_request
                .result()
                .and_then(|db| upgrade(db.unchecked_ref(), &tx, event.old_version() as u32));
            if upgraded.is_err() {
                // Abort the upgrade transaction, which fails the open request: never commit a
                // half-migrated schema.
                let _ = tx.abort();
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
        let blocked = Promise::new(&mut |_, reject| {
            let on_blocked = Closure::once_into_js(move |_: web_sys::Event| {
                let _ = reject.call1(
                    &JsValue::UNDEFINED,
                    &JsValue::from_str("the store is open in another tab with an older version; close it and retry"),
                );
            });
            request.set_onblocked(Some(on_blocked.unchecked_ref()));
        });
        let opened = Promise::race(&Array::of2(&request_promise(&request), &blocked));
        let db: IdbDatabase = JsFuture::from(opened)
            .await
            .map_err(|e| storage_error("cannot open IndexedDB", e))?
            .unchecked_into();
        // Another tab upgrading the schema asks us to step aside: close, never block it.
        let closing = db.clone();
        let on_version_change = Closure::<dyn Fn(web_sys::Event)>::new(move |_| closing.close());
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        on_version_change.forget();

        match Self::read_all(&db).await {
            Ok(state) => Ok((db, state, created.get())),
            Err(error) => {
                db.close();
                Err(error)
            }
        }
    }

    /// Reads everything the store holds now. Start it only when no write is pending, so that
    /// what it reads is the last committed state; then [`IdbStore::resume_from`] it.
    pub fn read_back(&self) -> impl Future<Output = Result<StoredState, HostError>> + use<> {
        let db = self.db.clone();
        async move { Self::read_all(&db).await }
    }

    /// Continues writing after `state`, what [`IdbStore::read_back`] read: forgets what the
    /// store believed about writes that failed.
    pub fn resume_from(&mut self, state: &StoredState) {
        self.next_chunk = state.next_chunk.clone();
        self.runs = state.runs.clone();
        self.kept = Kept::default();
    }

    /// Makes the next [`IdbStore::write`] fail with `fault` after issuing its requests, for tests
    /// of failure handling: the transaction is really aborted.
    pub fn fail_next_write(&mut self, fault: StoreFault) {
        self.fault = Some(fault);
    }

    async fn read_all(db: &IdbDatabase) -> Result<StoredState, HostError> {
        let read_error = |e| storage_error("cannot read IndexedDB", e);
        let tx = db
            .transaction_with_str_sequence(&store_names())
            .map_err(read_error)?;
        // Issue every request before awaiting: the transaction stays alive meanwhile.
        let mut requests = Vec::with_capacity(8);
        for name in [TOPICS, CHUNKS, PARTITIONS, FILES] {
            let store = tx.object_store(name).map_err(read_error)?;
            requests.push(request_done(&store.get_all_keys().map_err(read_error)?));
            requests.push(request_done(&store.get_all().map_err(read_error)?));
        }
        let mut arrays = Vec::with_capacity(requests.len());
        for request in requests {
            let value = request.await.map_err(read_error)?;
            arrays.push(
                value
                    .dyn_into::<Array>()
                    .map_err(|v| storage_error("cannot read IndexedDB: not an array", v))?,
            );
        }
        let [
            topic_keys,
            topics,
            keys,
            values,
            state_keys,
            states,
            paths,
            files,
        ] = <[Array; 8]>::try_from(arrays)
            .map_err(|_| HostError::Storage("cannot read IndexedDB".into()))?;

        let mut skipped = Vec::new();
        // Every log dir's topic records, by (dir, name).
        let mut records: BTreeMap<(u32, String), TopicRecord> = BTreeMap::new();
        for (key, value) in topic_keys.iter().zip(topics.iter()) {
            match (topic_key_from_js(&key), topic_from_js(&value)) {
                (Some((dir, name)), Some(record)) if record.name == name => {
                    records.insert((dir, name), record);
                }
                _ => skipped.push(format!("unreadable topic metadata {key:?}: {value:?}")),
            }
        }
        // Each segment's index in `sizes`, and its pieces: sized first, then copied once into a
        // buffer of the right size.
        let mut segments: BTreeMap<SegmentId, usize> = BTreeMap::new();
        let mut sizes: Vec<usize> = Vec::new();
        let mut pieces: Vec<(usize, Uint8Array)> = Vec::with_capacity(keys.length() as usize);
        let mut next_chunk = BTreeMap::new();
        let mut runs = BTreeMap::new();
        let mut damaged: BTreeMap<u32, Damaged> = BTreeMap::new();
        // Keys come in order: a dir's partitions, each one's segments by base offset, each
        // segment's chunks by seq.
        for (key, value) in keys.iter().zip(values.iter()) {
            let Some((segment, seq)) = chunk_key_from_js(&key) else {
                skipped.push(format!("unreadable chunk key {key:?}"));
                continue;
            };
            let next = next_chunk.entry(segment.clone()).or_insert(0);
            *next = (*next).max(seq.saturating_add(1));
            let (dir, topic, partition, base) = segment.clone();
            let dir_damage = damaged.entry(dir).or_default();
            if let Some(bases) = dir_damage.get_mut(&(topic.clone(), partition)) {
                bases.insert(base);
                skipped.push(format!(
                    "chunk {dir}/{topic}/{partition}/{base}/{seq} follows an unreadable chunk"
                ));
                continue;
            }
            let Ok(bytes) = value.dyn_into::<Uint8Array>() else {
                skipped.push(format!(
                    "chunk {dir}/{topic}/{partition}/{base}/{seq} is not bytes"
                ));
                let bases = segments
                    .range(
                        (dir, topic.clone(), partition, i64::MIN)
                            ..=(dir, topic.clone(), partition, base),
                    )
                    .map(|((_, _, _, base), _)| *base)
                    .chain([base])
                    .collect();
                dir_damage.insert((topic, partition), bases);
                runs.remove(&segment);
                continue;
            };
            let len = bytes.length() as usize;
            Run::track(&mut runs, &segment, seq, len);
            let index = *segments.entry(segment).or_insert_with(|| {
                sizes.push(0);
                sizes.len() - 1
            });
            sizes[index] += len;
            pieces.push((index, bytes));
        }
        damaged.retain(|_, partitions| !partitions.is_empty());
        // Damaged partitions are rewritten whole on open: nothing of theirs to consolidate.
        runs.retain(|(dir, topic, partition, _), _| {
            !damaged
                .get(dir)
                .is_some_and(|d| d.contains_key(&(topic.clone(), *partition)))
        });
        let mut buffers: Vec<Vec<u8>> =
            sizes.iter().map(|&size| Vec::with_capacity(size)).collect();
        for (index, bytes) in pieces {
            let buffer = &mut buffers[index];
            let start = buffer.len();
            buffer.resize(start + bytes.length() as usize, 0);
            bytes.copy_to(&mut buffer[start..]);
        }
        // Every topic's segments, in key order, moved out of `buffers`.
        let mut by_topic: BTreeMap<(u32, String), Vec<RecoveredSegment>> = BTreeMap::new();
        for ((dir, topic, partition, base_offset), index) in segments {
            by_topic
                .entry((dir, topic))
                .or_default()
                .push(RecoveredSegment {
                    partition,
                    base_offset,
                    bytes: std::mem::take(&mut buffers[index]),
                });
        }
        let mut partition_states: BTreeMap<(u32, String, u32), PartitionState> = BTreeMap::new();
        for (key, value) in state_keys.iter().zip(states.iter()) {
            let Some((dir, topic, partition)) = partition_key_from_js(&key) else {
                skipped.push(format!("unreadable partition state key {key:?}"));
                continue;
            };
            let Some(state) = state_from_js(&value) else {
                skipped.push(format!(
                    "unreadable partition state {dir}/{topic}/{partition}: {value:?}"
                ));
                continue;
            };
            partition_states.insert((dir, topic, partition), state);
        }
        let mut logs: BTreeMap<u32, RecoveryImage> = BTreeMap::new();
        for ((dir, name), record) in records {
            let segments = by_topic.remove(&(dir, name.clone())).unwrap_or_default();
            let partition_states = partition_states
                .range((dir, name.clone(), 0)..)
                .take_while(|((d, topic, _), _)| *d == dir && *topic == name)
                .map(|((_, _, partition), state)| (*partition, *state))
                .collect();
            logs.entry(dir).or_default().topics.push(RecoveredTopic {
                record,
                segments,
                partition_states,
            });
        }
        // A log dir with chunks but no topic record (a crash cannot make one; a hand-edited
        // store can) is still a log dir.
        for (dir, _) in by_topic.keys() {
            logs.entry(*dir).or_default();
        }
        let mut stored_files = BTreeMap::new();
        for (path, value) in paths.iter().zip(files.iter()) {
            match (path.as_string(), value.dyn_into::<Uint8Array>()) {
                (Some(path), Ok(bytes)) => {
                    stored_files.insert(path, bytes.to_vec());
                }
                (path, _) => skipped.push(format!("unreadable file {path:?}")),
            }
        }
        Ok(StoredState {
            image: ClusterImage {
                logs,
                files: stored_files,
                damaged,
            },
            skipped,
            next_chunk,
            runs,
        })
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

    fn issue_write(
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
        let done = transaction_done(&tx);
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
        // Created after `tx`, so it runs once `tx` has ended, and sees what it wrote.
        if merge || self.runs.values().any(|run| run.bytes >= OVERDUE_BYTES) {
            self.consolidate();
        }
        let name = self.name.clone();
        Ok(async move {
            done.await
                .map(|_| super::marker::mark(&name))
                .map_err(|e| storage_error("IndexedDB write failed", injected.unwrap_or(e)))
        })
    }

    /// Starts a transaction that consolidates up to 4 runs
    /// of small chunks that are due: a run holding 512 KiB, or the run of a segment its
    /// partition has rolled past. Nothing waits for it: it changes no data, only how it is
    /// chunked, and if it fails the pieces stay (and are consolidated after the next open).
    ///
    /// Returns whether runs are still due afterwards (more than fit in one transaction).
    pub fn consolidate(&mut self) -> bool {
        let abort_after = std::mem::take(&mut self.fail_consolidation);
        let runs = self.runs.clone();
        if self.issue_merges(abort_after).is_err() {
            self.runs = runs;
            return false;
        }
        !self.due_runs().is_empty()
    }

    /// The runs due for consolidation, up to [`MAX_MERGES_PER_WRITE`].
    fn due_runs(&self) -> Vec<(SegmentId, Run)> {
        self.runs
            .iter()
            .filter(|((dir, topic, partition, base), run)| {
                run.count >= 2
                    && (run.bytes >= MERGE_BYTES
                        || self
                            .next_chunk
                            .range((*dir, topic.clone(), *partition, base.saturating_add(1))..)
                            .next()
                            .is_some_and(|((d, t, p, _), _)| {
                                d == dir && t == topic && p == partition
                            }))
            })
            .take(MAX_MERGES_PER_WRITE)
            .map(|(segment, run)| (segment.clone(), *run))
            .collect()
    }

    fn issue_merges(&mut self, abort_after: bool) -> Result<(), JsValue> {
        let due = self.due_runs();
        if due.is_empty() {
            return Ok(());
        }
        let tx = self
            .db
            .unchecked_ref::<DatabaseWithOptions>()
            .transaction_with_options(
                &Array::of1(&CHUNKS.into()),
                "readwrite",
                &self.merge_options,
            )?;
        let chunks = tx.object_store(CHUNKS)?;
        let last = due.len() - 1;
        for (i, (segment, run)) in due.into_iter().enumerate() {
            self.runs.remove(&segment);
            let kept = self.kept.take(&segment, &run);
            let abort = abort_after && i == last;
            if let Err(error) = merge_run(&tx, &chunks, &segment, run, kept, abort) {
                let _ = tx.abort();
                return Err(error);
            }
        }
        Ok(())
    }

    /// Makes the next consolidation transaction abort once it has issued its puts and deletes,
    /// for tests of its crash safety.
    pub fn fail_next_consolidation(&mut self) {
        self.fail_consolidation = true;
    }

    /// Queues the requests for every op in `tx`, in op order. Stops at the first failure.
    fn put_all(&mut self, tx: &IdbTransaction, ops: Vec<ClusterStorageOp>) -> Result<(), JsValue> {
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
    fn put_log(&mut self, stores: &mut Stores<'_>, dir: u32, op: StorageOp) -> Result<(), JsValue> {
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

    /// Closes the connection and releases the writer's lock. The data stays; later writes fail.
    pub fn close(&mut self) {
        self.db.close();
        if let Some(lock) = self.lock.take() {
            lock.release();
        }
    }

    /// Deletes the store called `name` and everything in it. Blocked while it is open.
    pub async fn delete(name: &str) -> Result<(), HostError> {
        Self::delete_database(name).await?;
        super::marker::clear(name);
        Ok(())
    }

    async fn delete_database(name: &str) -> Result<(), HostError> {
        let request = factory()?
            .delete_database(&database_name(name))
            .map_err(|e| storage_error("cannot delete IndexedDB", e))?;
        request_done(&request)
            .await
            .map(drop)
            .map_err(|e| storage_error("cannot delete IndexedDB", e))
    }
}

impl Drop for IdbStore {
    fn drop(&mut self) {
        self.close();
    }
}
