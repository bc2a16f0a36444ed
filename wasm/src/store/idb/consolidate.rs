//! Appends of a few batches make small chunks, and reading many small values is what makes
//! IndexedDB slow on open. So a segment's trailing run of small chunks (each under
//! [`SMALL_CHUNK_BYTES`]) is consolidated: once the run holds [`MERGE_BYTES`], or once its
//! segment is no longer its partition's last, a transaction puts the run back as one chunk
//! under the run's first key and deletes the others. [`super::IdbStore::write`] creates it right after
//! the write that made it due (so it runs once that write has ended);
//! [`super::IdbStore::write_deferring_merges`] leaves it to the caller's [`super::IdbStore::consolidate`]
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

use std::collections::BTreeMap;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{IdbObjectStore, IdbTransaction};

use super::IdbStore;
use super::keys::{SegmentId, chunk_key, seq_range};
use super::request::DatabaseWithOptions;
use super::schema::CHUNKS;

/// A segment's trailing small chunks are consolidated once they hold this many bytes.
pub(super) const MERGE_BYTES: usize = 512 << 10;
/// A run this large is consolidated right after the write that made it so, also by
/// [`IdbStore::write_deferring_merges`]: a writer that is never idle still gets large chunks.
pub(super) const OVERDUE_BYTES: usize = 4 * MERGE_BYTES;
/// A chunk smaller than this may be consolidated with its neighbours.
pub(super) const SMALL_CHUNK_BYTES: usize = MERGE_BYTES / 2;
/// At most this many bytes of runs are kept in memory (see [`Kept`]), over all segments.
pub(super) const KEPT_BYTES: usize = 32 << 20;
/// At most this many consolidations ride on one write, so that a store full of small chunks
/// (e.g. one written before consolidation existed) does not make one write slow.
pub(super) const MAX_MERGES_PER_WRITE: usize = 4;

/// The bytes of segments' runs (see [`Run`]) as this store wrote them, up to [`KEPT_BYTES`] in
/// all, so that a consolidation puts them without reading the pieces back first: it only counts
/// them, to be sure the writes that made them committed.
#[derive(Debug, Default)]
pub(super) struct Kept {
    runs: BTreeMap<SegmentId, Vec<u8>>,
    /// The bytes held in `runs`.
    bytes: usize,
}

impl Kept {
    /// Follows `segment`'s run after a chunk of `appended` bytes was tracked in `runs`.
    pub(super) fn follow(
        &mut self,
        runs: &BTreeMap<SegmentId, Run>,
        segment: &SegmentId,
        appended: &[u8],
    ) {
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
    pub(super) fn take(&mut self, segment: &SegmentId, run: &Run) -> Option<Vec<u8>> {
        let kept = self.runs.remove(segment)?;
        self.bytes -= kept.len();
        (kept.len() == run.bytes).then_some(kept)
    }

    pub(super) fn forget(&mut self, segment: &SegmentId) {
        if let Some(kept) = self.runs.remove(segment) {
            self.bytes -= kept.len();
        }
    }

    pub(super) fn retain(&mut self, mut keep: impl FnMut(&SegmentId) -> bool) {
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
pub(super) struct Run {
    first: u32,
    last: u32,
    count: u32,
    pub(super) bytes: usize,
}

impl Run {
    /// Adds chunk `seq` of `len` bytes, written after every chunk of the segment so far, to
    /// the segment's run in `runs`: a small chunk extends it (or starts one), a large one ends
    /// it.
    pub(super) fn track(
        runs: &mut BTreeMap<SegmentId, Run>,
        segment: &SegmentId,
        seq: u32,
        len: usize,
    ) {
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

/// Issues, in `tx`, the consolidation of `run` of `segment`: a read of its chunks whose
/// success callback (still inside `tx`) puts their concatenation under the run's first key and
/// deletes the rest. With `kept`, the run's bytes as written, the read only counts the chunks;
/// otherwise it is a `getAll` of them. If what it reads is not the run the store tracked (a
/// write of it failed), it leaves the chunks as they are. With `abort_after`, the callback then
/// aborts `tx`; a failure to issue aborts it too.
pub(super) fn merge_run(
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

impl IdbStore {
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
    pub(super) fn due_runs(&self) -> Vec<(SegmentId, Run)> {
        self.runs
            .iter()
            .filter(|(segment, run)| self.is_due(segment, run))
            .take(MAX_MERGES_PER_WRITE)
            .map(|(segment, run)| (segment.clone(), *run))
            .collect()
    }

    /// Whether any run is due for consolidation: [`IdbStore::consolidate`] would start one.
    pub fn merges_due(&self) -> bool {
        self.runs
            .iter()
            .any(|(segment, run)| self.is_due(segment, run))
    }

    /// A run of two chunks or more is due once it holds [`MERGE_BYTES`], or once its segment
    /// is no longer its partition's last.
    fn is_due(&self, (dir, topic, partition, base): &SegmentId, run: &Run) -> bool {
        run.count >= 2
            && (run.bytes >= MERGE_BYTES
                || self
                    .next_chunk
                    .range((*dir, topic.clone(), *partition, base.saturating_add(1))..)
                    .next()
                    .is_some_and(|((d, t, p, _), _)| d == dir && t == topic && p == partition))
    }

    pub(super) fn issue_merges(&mut self, abort_after: bool) -> Result<(), JsValue> {
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
}
