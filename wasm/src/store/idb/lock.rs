//! One writer per store: [`acquire_lock`] takes the Web Lock `rill:<name>`, and the store holds
//! it until [`super::IdbStore::close`] (or drop); a second open of the same name in the same
//! origin fails with `STORE_LOCKED` once it has waited [`LOCK_WAIT_MS`] for it. Where
//! `navigator.locks` is missing, a `BroadcastChannel` handshake stands in.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::navigator;
use super::request::storage_error;
use crate::HostError;

/// The one-writer lock of a store name.
#[derive(Debug)]
pub(super) enum WriterLock {
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
    pub(super) fn release(self) {
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

pub(super) fn locked_error(name: &str) -> HostError {
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
pub(super) const LOCK_WAIT_MS: i32 = 2_000;

/// Resolves after `ms` milliseconds (`setTimeout`): later than every microtask queued now.
pub(crate) async fn sleep(ms: i32) {
    let wait = Promise::new(&mut |resolve, _| after(ms, &resolve));
    let _ = JsFuture::from(wait).await;
}

/// Calls `callback` after `ms` milliseconds (`setTimeout`), if the global has a timer.
pub(super) fn after(ms: i32, callback: &JsValue) {
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
pub(super) async fn acquire_lock(name: &str) -> Result<WriterLock, HostError> {
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
pub(super) const PROBE_MS: i32 = 100;

/// The stand-in where `navigator.locks` is missing: probe `rill-lock:<name>` and wait
/// [`PROBE_MS`]; a "held" answer, or a concurrent probe from an instance with a lower random
/// id, means another instance has (or wins) the store.
pub(super) async fn acquire_channel_lock(
    name: &str,
    lock_name: &str,
) -> Result<WriterLock, HostError> {
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
