//! The IndexedDB store: a cluster's log directories and small files, one transaction per flush.
//!
//! It keeps a [`ClusterImage`]: one log directory ("dir") per broker, numbered by broker id
//! (a one-broker cluster uses dir 0), and small whole files by path. By concern:
//! - [`schema`]: the object stores, their values, and the upgrades from older versions;
//! - [`keys`]: how segments, chunks, topics and partitions are keyed, and the key ranges;
//! - [`read`]: reading everything back (on open, after a failed write);
//! - [`write`]: one strict read-write transaction per flush, every request issued at once;
//! - [`consolidate`]: merging a segment's small chunks so that an open reads few values;
//! - [`lock`]: one writer per store name (Web Locks, or a `BroadcastChannel` stand-in);
//! - [`request`]: IndexedDB requests and transactions as futures, and their errors.
//!
//! Opening also asks for persistent storage (`navigator.storage.persist()`), best effort, and
//! checks the marker outside IndexedDB (`super::marker`) for a database the browser discarded.

mod consolidate;
mod keys;
mod lock;
mod read;
mod request;
mod schema;
mod write;

use std::collections::BTreeMap;

use js_sys::{Array, Function, Object, Promise, Reflect};
use rill_core::cluster::persist::ClusterImage;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::IdbDatabase;

use crate::HostError;
use consolidate::{Kept, Run};
use keys::SegmentId;
pub(crate) use lock::sleep;
use lock::{WriterLock, acquire_lock};
pub use read::{Damaged, StoredState};
use request::{durability_options, factory, request_done, request_promise, storage_error};
use schema::{SCHEMA_VERSION, database_name, store_names, upgrade};
pub use write::StoreFault;

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
    /// When this store last refreshed its marker (ms since the epoch; 0: not yet), so that a
    /// commit within a second of it touches no `localStorage` at all.
    marked: std::rc::Rc<std::cell::Cell<f64>>,
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
            && let Some(written) = crate::store::marker::written(name)
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
                OnDiscarded::StartFresh => crate::store::marker::clear(name),
            }
        }
        match opened.map(|(db, state, _)| (db, state)) {
            Ok((db, state)) => {
                request_persistence();
                if !state.image.logs.is_empty() || !state.image.files.is_empty() {
                    // A store written before markers existed gets one now.
                    crate::store::marker::mark(name);
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
                        marked: std::rc::Rc::default(),
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
        crate::store::marker::clear(name);
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
