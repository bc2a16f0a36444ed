//! Raw IndexedDB calls for tests that damage a store on purpose, shared by the test files that
//! need them (`mod raw_idb;`): open a `rill:<name>` database, read and put values under any key.
#![cfg(target_arch = "wasm32")]
#![allow(dead_code)]

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbRequest, IdbTransaction};

/// The page's `indexedDB`.
pub(crate) fn factory() -> IdbFactory {
    Reflect::get(&js_sys::global(), &"indexedDB".into())
        .expect("global")
        .dyn_into()
        .expect("IndexedDB is available")
}

/// Resolves with the request's result once it succeeds.
pub(crate) fn request_promise(request: &IdbRequest) -> JsFuture {
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = request.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::UNDEFINED, &ok.result().unwrap_or_default());
        });
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::UNDEFINED, &"request failed".into());
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise)
}

/// Resolves once the transaction committed.
pub(crate) fn transaction_promise(tx: &IdbTransaction) -> JsFuture {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        let on_abort = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::UNDEFINED, &"transaction aborted".into());
        });
        tx.set_oncomplete(Some(on_complete.unchecked_ref()));
        tx.set_onabort(Some(on_abort.unchecked_ref()));
    });
    JsFuture::from(promise)
}

/// Opens the database of store `name` at `version`, running `upgrade` if it is created or
/// upgraded.
pub(crate) async fn raw_open(name: &str, version: u32, upgrade: fn(&IdbDatabase)) -> IdbDatabase {
    let request = factory()
        .open_with_u32(&format!("rill:{name}"), version)
        .expect("open request");
    let upgrading = request.clone();
    let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        upgrade(&upgrading.result().expect("db").unchecked_into());
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    request_promise(&request)
        .await
        .expect("raw open")
        .unchecked_into()
}

/// Puts `(key, value)` pairs into `store` in one transaction; no key for in-line keys.
pub(crate) async fn raw_put(
    db: &IdbDatabase,
    store: &str,
    entries: Vec<(Option<JsValue>, JsValue)>,
) {
    let tx = db
        .transaction_with_str_and_mode(store, web_sys::IdbTransactionMode::Readwrite)
        .expect("tx");
    let done = transaction_promise(&tx);
    let object_store = tx.object_store(store).expect("store");
    for (key, value) in entries {
        match key {
            Some(key) => object_store.put_with_key(&value, &key),
            None => object_store.put(&value),
        }
        .expect("put");
    }
    done.await.expect("raw put committed");
}

/// Every key (`keys`) or every value of `store`, in key order.
pub(crate) async fn raw_get_all(db: &IdbDatabase, store: &str, keys: bool) -> Array {
    let tx = db.transaction_with_str(store).expect("tx");
    let object_store = tx.object_store(store).expect("store");
    let request = if keys {
        object_store.get_all_keys()
    } else {
        object_store.get_all()
    }
    .expect("request");
    request_promise(&request)
        .await
        .expect("read")
        .unchecked_into()
}

/// An array key of `parts`.
pub(crate) fn key(parts: &[JsValue]) -> JsValue {
    parts.iter().collect::<Array>().into()
}

/// An object with `fields`.
pub(crate) fn obj(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        Reflect::set(&object, &(*name).into(), value).expect("set");
    }
    object.into()
}
