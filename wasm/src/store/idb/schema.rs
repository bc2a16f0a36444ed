//! The database's schema (version 3) and its migrations, in a database named `rill:<name>`:
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
//! Upgrading from version 1 adds the `partitions` store. Upgrading from version 2 (inside the
//! versionchange transaction, so all or nothing) moves everything into dir 0: every key gains
//! `0` as its first component; `topics`, whose key was its values' `name`, is copied into a new
//! out-of-line store. The keys themselves are built and parsed in the `keys` module; this module
//! holds the shapes of the values.

use js_sys::{Array, Object, Reflect};
use rill_core::storage::{PartitionState, TopicRecord};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{IdbDatabase, IdbTransaction};

use super::keys::{offset_from_js, offset_to_js};

pub(super) const TOPICS: &str = "topics";
pub(super) const CHUNKS: &str = "chunks";
pub(super) const PARTITIONS: &str = "partitions";
pub(super) const FILES: &str = "files";
/// Where the version 2 `topics` store (keyed by its values' `name`) waits while the upgrade to
/// version 3 copies it into the new `topics` store; deleted by the same upgrade.
pub(super) const TOPICS_V2: &str = "topics-v2";
/// The schema version this code writes. Each bump adds an arm to [`upgrade`].
pub(super) const SCHEMA_VERSION: u32 = 3;

/// Every object store, in the order transactions name them.
pub(super) fn store_names() -> Array {
    Array::of4(
        &TOPICS.into(),
        &CHUNKS.into(),
        &PARTITIONS.into(),
        &FILES.into(),
    )
}

pub(super) fn database_name(name: &str) -> String {
    format!("rill:{name}")
}

/// Brings a database from `old_version` to [`SCHEMA_VERSION`], inside the versionchange
/// transaction `tx`. Moving data (version 3) issues requests whose callbacks finish the move in
/// `tx`; any failure aborts `tx`, which fails the open and leaves the old version as it was.
pub(super) fn upgrade(
    db: &IdbDatabase,
    tx: &IdbTransaction,
    old_version: u32,
) -> Result<(), JsValue> {
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
pub(super) fn move_to_dir_0(
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

pub(super) fn state_to_js(state: &PartitionState) -> Result<JsValue, JsValue> {
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

pub(super) fn state_from_js(value: &JsValue) -> Option<PartitionState> {
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

pub(super) fn topic_to_js(record: &TopicRecord) -> Result<JsValue, JsValue> {
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

pub(super) fn topic_from_js(value: &JsValue) -> Option<TopicRecord> {
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
