//! One tab owns a stored cluster at a time. A second tab that finds it locked can take it
//! over: it asks on a `BroadcastChannel`, the holder closes its session (releasing the
//! store's lock) and says so on its page, and the new tab opens the cluster.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, MessageEvent};

use super::Engine;

/// The channel a playground named `name` listens on.
fn channel_name(name: &str) -> String {
    format!("rill-playground:{name}")
}

/// The message asking the holder to step back.
const STEP_BACK: &str = "step-back";
/// The holder's answer once its session is closed.
const STEPPED_BACK: &str = "stepped-back";

/// How long a new tab waits for the holder's answer (it may be gone already).
const STEP_BACK_WAIT_MS: i32 = 1_500;

/// Listens for other tabs asking for the cluster `name`; on a request, steps back.
pub(crate) fn listen_for_take_over(engine: &Engine, name: &str) {
    let Ok(channel) = BroadcastChannel::new(&channel_name(name)) else {
        return;
    };
    let weak = std::rc::Rc::downgrade(&engine.0);
    let owned = name.to_owned();
    let reply = channel.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        if event.data().as_string().as_deref() != Some(STEP_BACK) {
            return;
        }
        if let Some(inner) = weak.upgrade() {
            Engine(inner).step_back(&owned);
            let _ = reply.post_message(&STEPPED_BACK.into());
            reply.close();
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The listener lives as long as the page (or until it steps back and closes the channel).
    on_message.forget();
}

/// Asks the tab holding `name` to step back, and waits for its answer (or a short timeout).
pub(crate) async fn ask_holder_to_step_back(name: &str) {
    let Ok(channel) = BroadcastChannel::new(&channel_name(name)) else {
        return;
    };
    let answered = js_sys::Promise::new(&mut |resolve, _reject| {
        let resolve_on_answer = resolve.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if event.data().as_string().as_deref() == Some(STEPPED_BACK) {
                let _ = resolve_on_answer.call0(&wasm_bindgen::JsValue::NULL);
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, STEP_BACK_WAIT_MS);
        }
    });
    let _ = channel.post_message(&STEP_BACK.into());
    let _ = wasm_bindgen_futures::JsFuture::from(answered).await;
    channel.close();
}
