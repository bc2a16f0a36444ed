//! Reading a whole store back: on open, and after a failed write (to rebuild the engine from
//! what is stored). One read-only transaction with every request issued before the first await;
//! an unreadable chunk ends its partition's stored log there.

use std::collections::{BTreeMap, BTreeSet};

use js_sys::{Array, Uint8Array};
use rill_core::cluster::persist::ClusterImage;
use rill_core::storage::{
    PartitionState, RecoveredSegment, RecoveredTopic, RecoveryImage, TopicRecord,
};
use wasm_bindgen::JsCast;
use web_sys::IdbDatabase;

use super::IdbStore;
use super::consolidate::{Kept, Run};
use super::keys::{SegmentId, chunk_key_from_js, partition_key_from_js, topic_key_from_js};
use super::request::{request_done, storage_error};
use super::schema::{CHUNKS, FILES, PARTITIONS, TOPICS, state_from_js, store_names, topic_from_js};
use crate::HostError;

/// Everything a store holds, read back after a failed write to restore the engine.
#[derive(Debug)]
pub struct StoredState {
    /// Everything stored: every log dir (for `Cluster::recover`), every
    /// file, and the partitions with an unreadable chunk (see [`super::Opened::image`]).
    pub image: ClusterImage,
    /// Stored values that could not be read at all, described.
    pub skipped: Vec<String>,
    pub(super) next_chunk: BTreeMap<SegmentId, u32>,
    pub(super) runs: BTreeMap<SegmentId, Run>,
}

/// Partitions `(topic, partition)` of one log dir with an unreadable chunk, and every base
/// offset stored for each (also those whose chunks were all dropped).
pub type Damaged = BTreeMap<(String, u32), BTreeSet<i64>>;

impl IdbStore {
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

    pub(super) async fn read_all(db: &IdbDatabase) -> Result<StoredState, HostError> {
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
}
