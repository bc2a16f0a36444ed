//! A marker outside IndexedDB saying that a store held data, so that a database the browser
//! discarded (Chromium deletes a database it finds corrupted after a crash: "IndexedDB
//! recovering from a corrupted (and deleted) database") is reported as `STORE_DISCARDED`
//! instead of opening silently empty.
//!
//! The marker is a `localStorage` item `rill-store:<name>` holding the times (ms since the
//! epoch) of the first write it covers and of the last one it saw (`"<first> <last>"`; the
//! last is refreshed at most once a second; an older marker holds only `"<first>"`). Where `localStorage` is missing (workers) there is no
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

/// When the store called `name` was written to, if a marker says it was.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Written {
    /// The first write the marker covers (ms since the epoch).
    pub first: f64,
    /// The last write the marker saw (ms since the epoch; at most a second behind).
    pub last: f64,
}

/// How long a marker's last-write time may lag behind, to spare a `localStorage` write per
/// commit.
pub(crate) const REFRESH_MS: f64 = 1000.0;

/// When the store called `name` was written to, if a marker says it was.
pub(crate) fn written(name: &str) -> Option<Written> {
    let value = call("getItem", &[key(name).into()])?.as_string()?;
    let mut times = value.split(' ');
    let first: f64 = times.next()?.parse().ok()?;
    let last = times.next().and_then(|t| t.parse().ok()).unwrap_or(first);
    Some(Written { first, last })
}

/// Records that the store called `name` holds data, and when it was last written (the first
/// write's time stays).
pub(crate) fn mark(name: &str) {
    let now = js_sys::Date::now();
    let first = match written(name) {
        Some(w) if now - w.last < REFRESH_MS => return,
        Some(w) => w.first,
        None => now,
    };
    let _ = call(
        "setItem",
        &[key(name).into(), format!("{first} {now}").into()],
    );
}

/// Forgets the marker (the store was deleted on purpose, or the user starts fresh).
pub(crate) fn clear(name: &str) {
    let _ = call("removeItem", &[key(name).into()]);
}
