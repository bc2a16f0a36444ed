//! IndexedDB's requests and transactions as futures, and their failures as [`HostError`]s.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbFactory, IdbRequest, IdbTransaction};

use crate::HostError;

#[wasm_bindgen]
extern "C" {
    /// `IDBDatabase`, for the one method web-sys only exposes behind its unstable-API cfg.
    #[wasm_bindgen(js_name = IDBDatabase)]
    pub(super) type DatabaseWithOptions;

    /// `IDBDatabase.transaction(storeNames, mode, options)`: every write asks for
    /// `durability: "strict"` (see the `write` module).
    #[wasm_bindgen(method, catch, js_name = transaction)]
    pub(super) fn transaction_with_options(
        this: &DatabaseWithOptions,
        store_names: &Array,
        mode: &str,
        options: &JsValue,
    ) -> Result<IdbTransaction, JsValue>;
}

/// `{ durability }`: `"strict"` for writes, which resolve only once on disk.
pub(super) fn durability_options(durability: &str) -> Result<Object, HostError> {
    let options = Object::new();
    Reflect::set(&options, &"durability".into(), &durability.into())
        .map_err(|e| storage_error("cannot write to IndexedDB", e))?;
    Ok(options)
}

pub(super) fn storage_error(context: &str, error: JsValue) -> HostError {
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

pub(super) fn factory() -> Result<IdbFactory, HostError> {
    let global = js_sys::global();
    let value = Reflect::get(&global, &JsValue::from_str("indexedDB"))
        .map_err(|e| storage_error("IndexedDB is not available", e))?;
    value.dyn_into::<IdbFactory>().map_err(|_| {
        HostError::Storage("IndexedDB is not available in this browser context".into())
    })
}

/// Resolves with the request's result once it succeeds, or rejects with its error.
pub(super) fn request_done(request: &IdbRequest) -> JsFuture {
    JsFuture::from(request_promise(request))
}

pub(super) fn request_promise(request: &IdbRequest) -> Promise {
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
pub(super) fn transaction_done(tx: &IdbTransaction) -> JsFuture {
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
