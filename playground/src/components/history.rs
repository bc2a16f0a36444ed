//! The history panel: every command with its cluster time; back, forward, a time slider; the
//! notice that the view is in the past or that history forked; share link, copy as script,
//! export as Kafka CLI.

use wasm_bindgen::JsValue;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::clock_text;
use crate::context::use_app;
use crate::i18n::fill;

/// Entries listed at most on each side of the present.
const ENTRIES_SHOWN: usize = 200;

/// Props of [`HistoryPanel`].
#[derive(Properties, PartialEq, Debug)]
pub struct HistoryPanelProps {
    /// The view shown (for the shared link).
    pub view: &'static str,
}

/// What the share buttons produced.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Output {
    Link(String),
    Script(String),
    Cli(String),
}

/// Writes `text` to the clipboard when the page may (the text is shown to copy by hand too).
fn copy(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("clipboard"))
        .unwrap_or(JsValue::UNDEFINED);
    let write = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .ok()
        .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok());
    match write {
        Some(write) => {
            if let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)) {
                if let Ok(promise) = wasm_bindgen::JsCast::dyn_into::<js_sys::Promise>(promise) {
                    // A refused clipboard is fine: the text is on screen.
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                    });
                }
                true
            } else {
                false
            }
        }
        None => false,
    }
}

/// The page's address without query and fragment.
fn page_base() -> String {
    web_sys::window()
        .map(|w| w.location())
        .and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?)))
        .unwrap_or_else(|| "index.html".to_owned())
}

/// The history panel.
#[function_component(HistoryPanel)]
pub fn history_panel(props: &HistoryPanelProps) -> Html {
    let app = use_app();
    let t = app.lang.travel();
    let output = use_state(|| None::<Output>);
    let engine = app.engine.clone();
    // The list follows the latest command as commands come (unless scrolled up, or in the
    // past). Hooks come before the early return.
    let list = use_node_ref();
    let at_latest = !engine.in_past() && engine.span().is_some_and(|(_, now, end)| now >= end);
    let onscroll = crate::hooks::use_pinned_to_bottom(&list, at_latest);
    let Some((start, now, end)) = engine.span() else {
        return html! {};
    };
    let entries = engine.entries_around(ENTRIES_SHOWN);
    let jump = |at: i64| {
        let engine = engine.clone();
        Callback::from(move |_: MouseEvent| engine.jump_to(at))
    };
    let back = {
        let engine = engine.clone();
        Callback::from(move |_: MouseEvent| engine.travel_back())
    };
    let forward = {
        let engine = engine.clone();
        Callback::from(move |_: MouseEvent| engine.travel_forward())
    };
    let latest = {
        let engine = engine.clone();
        Callback::from(move |_: MouseEvent| engine.return_to_latest())
    };
    let scrub = {
        let engine = engine.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>()
                && let Ok(ms) = input.value().parse::<i64>()
            {
                engine.jump_to(start + ms);
            }
        })
    };
    let share = {
        let engine = engine.clone();
        let output = output.clone();
        let view = props.view;
        let lang = app.lang;
        Callback::from(move |_: MouseEvent| {
            let link = crate::embedded::playground_link(&engine, &page_base(), view, lang);
            copy(&link);
            output.set(Some(Output::Link(link)));
        })
    };
    let script = {
        let engine = engine.clone();
        let output = output.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some((text, _)) = engine.script() {
                copy(&text);
                output.set(Some(Output::Script(text)));
            }
        })
    };
    let cli = {
        let engine = engine.clone();
        let output = output.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(text) = engine.kafka_cli() {
                copy(&text);
                output.set(Some(Output::Cli(text)));
            }
        })
    };
    let in_past = engine.in_past();

    let detached = engine.detached_from_store();
    // A cluster restored from this browser: what was there before this visit is in no script.
    let restored = !engine.shareable_exactly();
    let last_done = entries.iter().rposition(|e| e.done);
    html! {
        <section class="card history" aria-labelledby="history-h">
            <h2 id="history-h">{ t.history }</h2>
            <p class="hint">{ t.history_hint }</p>
            if in_past {
                <p class="notice-past" role="status">{ fill(t.in_past, &[&clock_text(now, start)]) }</p>
            } else if let Some(at) = engine.forked_at() {
                <p class="notice-forked" role="status">{ fill(t.forked, &[&clock_text(at, start)]) }</p>
            }
            if detached {
                <p class="notice-saved" role="status">
                    { if engine.forked_at().is_some() {
                        t.forked_unsaved
                    } else if in_past || now < end {
                        t.past_saved
                    } else {
                        t.latest_unsaved
                    } }
                </p>
            }
            if restored {
                <p class="hint restored-scope">{ t.restored_scope }</p>
            }
            <div class="travel" role="group" aria-label={t.history}>
                <button type="button" class="secondary travel-back" onclick={back} disabled={now <= start}>{ "◀ " }{ t.back }</button>
                <button type="button" class="secondary travel-forward" onclick={forward} disabled={now >= end}>{ t.forward }{ " ▶" }</button>
                <button type="button" class="secondary travel-latest" onclick={latest} disabled={now >= end}>{ t.present }</button>
            </div>
            <label class="scrub">{ t.scrub }
                <input type="range" min="0" max={(end - start).to_string()} step="100"
                    value={(now - start).to_string()} onchange={scrub} aria-label={t.scrub}
                    aria-valuetext={clock_text(now, start)} />
            </label>
            if entries.is_empty() {
                <p class="hint">{ if restored { t.restored_empty } else { t.history_empty } }</p>
            } else {
                <ol class="history-list" ref={list} {onscroll}>
                    { for entries.iter().enumerate().map(|(i, entry)| html! {
                        <li class={classes!(if entry.done { "done" } else { "planned" })}
                            aria-current={(Some(i) == last_done).then_some("step")}>
                            <button type="button" class="entry" onclick={jump(entry.at)}
                                title={entry.text.clone()} data-at={(entry.at - start).to_string()}>
                                <span class="entry-time">{ clock_text(entry.at, start) }</span>
                                <code class="entry-text">{ entry.text.clone() }</code>
                                if !entry.done { <span class="entry-planned">{ t.planned }</span> }
                            </button>
                        </li>
                    }) }
                </ol>
            }
            <div class="share" role="group">
                <button type="button" class="secondary share-link" onclick={share}>{ t.share }</button>
                <button type="button" class="secondary copy-script" onclick={script}>{ t.copy_script }</button>
                <button type="button" class="secondary export-cli" onclick={cli}>{ t.export_cli }</button>
            </div>
            if restored && output.is_some() {
                <p class="hint share-not-exact">{ t.share_not_exact }</p>
            }
            {
                match &*output {
                    None => html! {},
                    Some(out) => {
                        let (kind, text) = match out {
                            Output::Link(text) => ("link", text),
                            Output::Script(text) => ("script", text),
                            Output::Cli(text) => ("cli", text),
                        };
                        html! {
                            <label class="share-output">{ t.copy_this }
                                <textarea readonly=true rows={if kind == "link" { "3" } else { "10" }}
                                    data-kind={kind} value={text.clone()} />
                            </label>
                        }
                    }
                }
            }
        </section>
    }
}
