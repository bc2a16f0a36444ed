//! Animation frames: the engine draws at most once per frame of the page.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Calls `f` at the next animation frame (or at once when there is no window, as in tests).
pub(crate) fn on_next_frame(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        f();
        return;
    };
    let callback = Closure::once_into_js(move |_: f64| f());
    // A page that cannot animate (hidden) gets its frame when it shows again.
    let _ = window.request_animation_frame(callback.unchecked_ref());
}

/// Calls `f` after `ms` milliseconds of wall-clock time; never when there is no window (a
/// clock tick is for a page's eyes, and calling it at once would loop).
pub(crate) fn after(ms: i32, f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = Closure::once_into_js(f);
    let _ =
        window.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms);
}
