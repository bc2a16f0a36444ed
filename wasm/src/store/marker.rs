//! A marker outside IndexedDB saying that a store held data, so that a database the browser
//! discarded (Chromium deletes a database it finds corrupted after a crash: "IndexedDB
//! recovering from a corrupted (and deleted) database") is reported as `STORE_DISCARDED`
//! instead of opening silently empty.
//!
//! The marker is a `localStorage` item `rill-store:<name>` holding the time (ms since the
//! epoch) of the first write it covers. Where `localStorage` is missing (workers) there is no
//! marker and no detection.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn key(name: &str) -> String {
    format!("rill-store:{name}")
}

fn storage() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &"localStorage".into())
        .ok()
        .filter(JsValue::is_object)
}

fn call(method: &str, args: &[JsValue]) -> Option<JsValue> {
    let storage = storage()?;
    let function: Function = Reflect::get(&storage, &method.into())
        .ok()?
        .dyn_into()
        .ok()?;
    let args: js_sys::Array = args.iter().collect();
    function.apply(&storage, &args).ok()
}

/// When the store called `name` was first written to, if a marker says it was.
pub(crate) fn written_since(name: &str) -> Option<f64> {
    let value = call("getItem", &[key(name).into()])?;
    value.as_string()?.parse().ok()
}

/// Records that the store called `name` holds data (once: an existing marker stays).
pub(crate) fn mark(name: &str) {
    if written_since(name).is_none() {
        let now = js_sys::Date::now().to_string();
        let _ = call("setItem", &[key(name).into(), now.into()]);
    }
}

/// Forgets the marker (the store was deleted on purpose, or the user starts fresh).
pub(crate) fn clear(name: &str) {
    let _ = call("removeItem", &[key(name).into()]);
}
