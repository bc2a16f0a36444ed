//! The IndexedDB store: segments as chunks, topics as metadata, one transaction per flush.
//!
//! Schema (version 1), in a database named `rill:<name>`:
//! - `topics`: one object per topic, keyed by its `name`: `{ name, partitions, configs }`;
//! - `chunks`: segment bytes, keyed by `[topic, partition, baseOffset, seq]`. A segment is the
//!   concatenation of its chunks in key order. Each chunk is the batches of one append (at most
//!   `max.message.bytes`), well below browsers' per-value limits.
//!
//! IndexedDB commits a transaction as soon as control returns to the event loop with no request
//! pending, so [`IdbStore::write`] issues every put synchronously and only then awaits
//! completion. Transactions whose scopes overlap run in creation order, so flushes land in the
//! order the engine emitted them. Writes ask for `durability: "strict"`: a produce is
//! acknowledged only after its data is on disk.

use std::collections::BTreeMap;

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use rill_core::storage::{RecoveredSegment, RecoveredTopic, RecoveryImage, StorageOp, TopicRecord};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbFactory, IdbObjectStoreParameters, IdbRequest, IdbTransaction,
    IdbTransactionMode,
};

use crate::HostError;

const TOPICS: &str = "topics";
const CHUNKS: &str = "chunks";
/// The schema version this code writes. Each bump adds an arm to [`upgrade`].
const SCHEMA_VERSION: u32 = 1;

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
}

/// An open IndexedDB store.
#[derive(Debug)]
pub struct IdbStore {
    db: IdbDatabase,
    /// Next chunk sequence number per segment `(topic, partition, base offset)`.
    next_chunk: BTreeMap<(String, u32, i64), u32>,
}

/// What opening a store found: the image to recover from and anything that had to be skipped.
#[derive(Debug)]
pub struct Opened {
    /// The store.
    pub store: IdbStore,
    /// Everything stored, for `Broker::recover`.
    pub image: RecoveryImage,
    /// Stored values that could not be read at all (wrong type or shape), described.
    pub skipped: Vec<String>,
}

fn database_name(name: &str) -> String {
    format!("rill:{name}")
}

fn storage_error(context: &str, error: JsValue) -> HostError {
    let detail = match error.dyn_ref::<web_sys::DomException>() {
        Some(dom) => format!("{}: {}", dom.name(), dom.message()),
        None => error.as_string().unwrap_or_else(|| format!("{error:?}")),
    };
    HostError::Storage(format!("{context}: {detail}"))
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
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = failed_tx
                .error()
                .map_or(JsValue::from_str("transaction failed"), JsValue::from);
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

/// Brings a database from `old_version` to [`SCHEMA_VERSION`].
fn upgrade(db: &IdbDatabase, old_version: u32) -> Result<(), JsValue> {
    if old_version < 1 {
        let params = IdbObjectStoreParameters::new();
        params.set_key_path(&JsValue::from_str("name"));
        db.create_object_store_with_optional_parameters(TOPICS, &params)?;
        db.create_object_store(CHUNKS)?;
    }
    Ok(())
}

fn chunk_key(topic: &str, partition: u32, base_offset: i64, seq: u32) -> Array {
    Array::of4(
        &JsValue::from_str(topic),
        &JsValue::from(partition),
        &JsValue::from(base_offset as f64),
        &JsValue::from(seq),
    )
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

fn chunk_key_from_js(key: &JsValue) -> Option<(String, u32, i64, u32)> {
    let key = key.dyn_ref::<Array>()?;
    let as_u32 = |v: JsValue| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f))
            .map(|f| f as u32)
    };
    let base = key
        .get(2)
        .as_f64()
        .filter(|f| f.fract() == 0.0 && *f >= 0.0)? as i64;
    Some((
        key.get(0).as_string()?,
        as_u32(key.get(1))?,
        base,
        as_u32(key.get(3))?,
    ))
}

impl IdbStore {
    /// Opens (creating or upgrading) the store called `name` and reads everything back.
    pub async fn open(name: &str) -> Result<Opened, HostError> {
        let request = factory()?
            .open_with_u32(&database_name(name), SCHEMA_VERSION)
            .map_err(|e| storage_error("cannot open IndexedDB", e))?;
        let upgrade_request = request.clone();
        let on_upgrade = Closure::once_into_js(move |event: web_sys::IdbVersionChangeEvent| {
            if let Ok(result) = upgrade_request.result() {
                let db: IdbDatabase = result.unchecked_into();
                // A failure here aborts the upgrade transaction, which fails the open request.
                let _ = upgrade(&db, event.old_version() as u32);
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

        let (image, skipped, next_chunk) = Self::read_all(&db).await?;
        Ok(Opened {
            store: IdbStore { db, next_chunk },
            image,
            skipped,
        })
    }

    #[allow(
        clippy::type_complexity,
        reason = "private helper returning three parts of one read"
    )]
    async fn read_all(
        db: &IdbDatabase,
    ) -> Result<
        (
            RecoveryImage,
            Vec<String>,
            BTreeMap<(String, u32, i64), u32>,
        ),
        HostError,
    > {
        let read_error = |e| storage_error("cannot read IndexedDB", e);
        let tx = db
            .transaction_with_str_sequence(&Array::of2(&TOPICS.into(), &CHUNKS.into()))
            .map_err(read_error)?;
        let topics = tx.object_store(TOPICS).map_err(read_error)?;
        let chunks = tx.object_store(CHUNKS).map_err(read_error)?;
        // Issue all three requests before awaiting: the transaction stays alive meanwhile.
        let topics_req = request_done(&topics.get_all().map_err(read_error)?);
        let keys_req = request_done(&chunks.get_all_keys().map_err(read_error)?);
        let values_req = request_done(&chunks.get_all().map_err(read_error)?);
        let topics: Array = topics_req.await.map_err(read_error)?.unchecked_into();
        let keys: Array = keys_req.await.map_err(read_error)?.unchecked_into();
        let values: Array = values_req.await.map_err(read_error)?.unchecked_into();

        let mut skipped = Vec::new();
        let mut records = Vec::new();
        for value in topics.iter() {
            match topic_from_js(&value) {
                Some(record) => records.push(record),
                None => skipped.push(format!("unreadable topic metadata {value:?}")),
            }
        }
        let mut segments: BTreeMap<(String, u32, i64), Vec<u8>> = BTreeMap::new();
        let mut next_chunk = BTreeMap::new();
        for (key, value) in keys.iter().zip(values.iter()) {
            let Some((topic, partition, base, seq)) = chunk_key_from_js(&key) else {
                skipped.push(format!("unreadable chunk key {key:?}"));
                continue;
            };
            let Some(bytes) = value.dyn_ref::<Uint8Array>() else {
                skipped.push(format!(
                    "chunk {topic}/{partition}/{base}/{seq} is not bytes"
                ));
                continue;
            };
            let segment = (topic, partition, base);
            segments
                .entry(segment.clone())
                .or_default()
                .extend(bytes.to_vec());
            let next = next_chunk.entry(segment).or_insert(0);
            *next = (*next).max(seq + 1);
        }
        let topics = records
            .into_iter()
            .map(|record| {
                let segments = segments
                    .range((record.name.clone(), 0, i64::MIN)..)
                    .take_while(|((topic, _, _), _)| *topic == record.name)
                    .map(|((_, partition, base_offset), bytes)| RecoveredSegment {
                        partition: *partition,
                        base_offset: *base_offset,
                        bytes: bytes.clone(),
                    })
                    .collect();
                RecoveredTopic { record, segments }
            })
            .collect();
        Ok((RecoveryImage { topics }, skipped, next_chunk))
    }

    /// Issues `ops` in one read-write transaction now; the returned future resolves when it
    /// has committed durably.
    pub fn write(
        &mut self,
        ops: Vec<StorageOp>,
    ) -> Result<impl Future<Output = Result<(), HostError>> + use<>, HostError> {
        let write_error = |e| storage_error("cannot write to IndexedDB", e);
        let options = Object::new();
        Reflect::set(&options, &"durability".into(), &"strict".into()).map_err(write_error)?;
        let stores = Array::of2(&TOPICS.into(), &CHUNKS.into());
        let tx = self
            .db
            .unchecked_ref::<DatabaseWithOptions>()
            .transaction_with_options(&stores, "readwrite", &options)
            .map_err(write_error)?;
        debug_assert_eq!(tx.mode().ok(), Some(IdbTransactionMode::Readwrite));
        let done = transaction_done(&tx);
        if let Err(error) = self.put_all(&tx, ops) {
            // Some puts may already be queued: abort, or the transaction would commit them.
            let _ = tx.abort();
            return Err(write_error(error));
        }
        Ok(async move {
            done.await
                .map(drop)
                .map_err(|e| storage_error("IndexedDB write failed", e))
        })
    }

    /// Queues a put for every op in `tx`. Stops at the first failure.
    fn put_all(&mut self, tx: &IdbTransaction, ops: Vec<StorageOp>) -> Result<(), JsValue> {
        let topics = tx.object_store(TOPICS)?;
        let chunks = tx.object_store(CHUNKS)?;
        for op in ops {
            match op {
                StorageOp::PutTopic(record) => {
                    topics.put(&topic_to_js(&record)?)?;
                }
                StorageOp::CreateSegment {
                    topic,
                    partition,
                    base_offset,
                } => {
                    let key = chunk_key(&topic, partition, base_offset, 0);
                    chunks.put_with_key(&Uint8Array::new_with_length(0), &key)?;
                    self.next_chunk.insert((topic, partition, base_offset), 1);
                }
                StorageOp::AppendToSegment {
                    topic,
                    partition,
                    base_offset,
                    bytes,
                } => {
                    let key = (topic, partition, base_offset);
                    let seq = self.next_chunk.entry(key.clone()).or_insert(0);
                    let js_key = chunk_key(&key.0, partition, base_offset, *seq);
                    *seq += 1;
                    chunks.put_with_key(&Uint8Array::from(bytes.as_slice()), &js_key)?;
                }
            }
        }
        Ok(())
    }

    /// Closes the connection. The data stays.
    pub fn close(&self) {
        self.db.close();
    }

    /// Deletes the store called `name` and everything in it.
    pub async fn delete(name: &str) -> Result<(), HostError> {
        let request = factory()?
            .delete_database(&database_name(name))
            .map_err(|e| storage_error("cannot delete IndexedDB", e))?;
        request_done(&request)
            .await
            .map(drop)
            .map_err(|e| storage_error("cannot delete IndexedDB", e))
    }
}
