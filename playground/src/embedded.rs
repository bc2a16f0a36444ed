//! What an embedded demo adds to the app ([`crate::embed`] mounts it): its options, how it
//! starts, and its own empty state, recent-records strip and footer.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use yew::prelude::*;

use crate::context::use_app;
use crate::engine::{Engine, ScriptOptions, Until};
use crate::i18n::{Lang, fill};
use crate::route::{Start, UrlParams, View};
use crate::share::{Shared, fragment};

/// An embed's options (the element's attributes).
#[derive(Debug, Default)]
pub struct EmbedConfig {
    /// The scenario script.
    pub script: String,
    /// The view (`replication`, `log`, `events`, …).
    pub view: Option<String>,
    /// Play at once.
    pub autoplay: bool,
    /// Realtime speed.
    pub speed: f64,
    /// Run straight to here first.
    pub until: Option<Until>,
    /// The language (else the browser's).
    pub lang: Option<Lang>,
    /// Show the transport controls.
    pub controls: bool,
    /// The full playground's URL ("open in playground").
    pub playground: String,
    /// The demo's engine once its app has started (to pause, close or read it).
    pub(crate) engine: RefCell<Option<Engine>>,
}

impl PartialEq for EmbedConfig {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl EmbedConfig {
    /// What the app starts with.
    pub fn params(&self) -> UrlParams {
        let browser = web_sys::window()
            .and_then(|w| w.navigator().language())
            .and_then(|tag| Lang::from_tag(&tag));
        UrlParams {
            lang: self.lang.or(browser).unwrap_or_default(),
            view: self
                .view
                .as_deref()
                .and_then(View::from_name)
                .unwrap_or(View::Cluster),
            start: Start::Script(
                self.script.clone(),
                ScriptOptions {
                    autoplay: self.autoplay,
                    speed: self.speed,
                    until: self.until,
                },
            ),
        }
    }

    /// The app's engine, once created.
    pub fn attach(&self, engine: &Engine) {
        *self.engine.borrow_mut() = Some(engine.clone());
    }

    /// Whether the view asks for the admin panels (the reassignment panel): only
    /// `view=reassignment`. Other embeds show the lanes and the latest events, not forms.
    pub fn shows_admin(&self) -> bool {
        self.view.as_deref() == Some("reassignment")
    }

    /// Whether the embed was given a script (a `scenario`, or inline text).
    pub fn has_script(&self) -> bool {
        !self.script.trim().is_empty()
    }

    /// The embedding chapter of the docs in `lang`, next to the playground.
    pub fn docs_link(&self, lang: Lang) -> String {
        let base = self.playground.split(['#', '?']).next().unwrap_or_default();
        let dir = base.rfind('/').map_or("", |i| &base[..=i]);
        format!("{dir}docs/{}/embedding.html", lang.tag())
    }

    /// Classes of the app's root.
    pub fn classes(&self) -> Classes {
        classes!("embedded", (!self.controls).then_some("no-controls"))
    }
}

/// Starts `engine` as the page asked.
pub fn start(engine: &Engine, start: Start) {
    match start {
        Start::Stored => engine.start(),
        Start::Script(text, options) => {
            let _ = engine.load_script(&text, options);
        }
        Start::ScenarioUrl(url, options) => {
            let engine = engine.clone();
            spawn_local(async move {
                match fetch_text(&url).await {
                    Ok(text) => {
                        let _ = engine.load_script(&text, options);
                    }
                    Err(error) => engine.load_failed(&format!("{url}: {error}")),
                }
            });
        }
        Start::Broken(error) => engine.load_failed(&error),
    }
}

/// GETs `url` (relative to the page) as text.
async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| describe(&e))?;
    let response: web_sys::Response = response.dyn_into().map_err(|e| describe(&e))?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(|e| describe(&e))?)
        .await
        .map_err(|e| describe(&e))?;
    text.as_string().ok_or_else(|| "not text".to_owned())
}

fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "failed".to_owned())
}

/// Lines in an embed's strip of latest events.
const RECENT_LINES: usize = 4;

/// An embed's strip of the latest events, newest first, refusals (`NOT_ENOUGH_REPLICAS`, …)
/// marked: what the scenario's last commands did, without scrolling to an event log.
#[function_component(EmbedRecent)]
pub fn embed_recent() -> Html {
    let app = use_app();
    let t = app.lang.travel();
    let origin = app.model.origin.unwrap_or(0);
    // The latest refusal stays in the strip after newer lines push it out: it is usually
    // what the scenario is about.
    let mut shown: Vec<&crate::model::EventLine> =
        app.model.events.lines().take(RECENT_LINES).collect();
    if !shown.iter().any(|l| l.is_refusal())
        && let Some(refusal) = app.model.events.lines().find(|l| l.is_refusal())
    {
        shown.push(refusal);
    }
    let lines = shown.into_iter().map(|line| {
        let (source, text) = crate::i18n::events::event_text(app.lang, &line.event);
        let refused = line.is_refusal();
        html! {
            <li class={classes!("recent-line", refused.then_some("refused"))}
                data-refused={refused.to_string()}>
                <span class="meta">{ crate::components::clock_text(line.at, origin) }</span>
                { " " }<span class="event-source">{ source }</span>
                { " " }<span class="event-text">{ text }</span>
            </li>
        }
    });
    if app.model.events.is_empty() {
        return html! {};
    }
    html! {
        <section class="embed-recent" aria-label={t.recent} aria-live="polite">
            <ol>{ for lines }</ol>
        </section>
    }
}

/// Props of [`EmbedEmpty`].
#[derive(Properties, PartialEq, Debug)]
pub struct EmbedEmptyProps {
    /// The embed's options.
    pub config: Rc<EmbedConfig>,
}

/// An embed with no topic: no scenario given (what to add, and the docs), or none created yet.
#[function_component(EmbedEmpty)]
pub fn embed_empty(props: &EmbedEmptyProps) -> Html {
    let app = use_app();
    let t = app.lang.travel();
    if props.config.has_script() {
        return html! { <div class="empty"><p class="meta">{ app.t().no_topics }</p></div> };
    }
    html! {
        <div class="empty no-scenario">
            <h2>{ t.no_scenario }</h2>
            <p>{ t.no_scenario_hint }</p>
            <p><a href={props.config.docs_link(app.lang)} target="_blank" rel="noopener">
                { t.embed_docs }{ " ↗" }</a></p>
        </div>
    }
}

/// Props of [`EmbedFooter`].
#[derive(Properties, PartialEq, Debug)]
pub struct EmbedFooterProps {
    /// The embed's options.
    pub config: Rc<EmbedConfig>,
    /// The view shown.
    pub view: &'static str,
}

/// Under an embed: the `expect` tally and "open in playground" with the state in the link.
#[function_component(EmbedFooter)]
pub fn embed_footer(props: &EmbedFooterProps) -> Html {
    let app = use_app();
    let t = app.lang.travel();
    let tally = app.engine.expects();
    let checked = tally.passed + tally.failed;
    // The state goes into the link when it is followed (the state moves on between frames,
    // and writing a long history out at every frame would cost).
    let href = props.config.playground.clone();
    let onclick = {
        let engine = app.engine.clone();
        let base = props.config.playground.clone();
        let view = props.view;
        let lang = app.lang;
        Callback::from(move |e: MouseEvent| {
            // Yew listens at its root: the link is the target's closest `a`.
            if let Some(a) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest("a.open-playground").ok().flatten())
            {
                let _ = a.set_attribute("href", &playground_link(&engine, &base, view, lang));
            }
        })
    };
    html! {
        <div class="embed-footer">
            if checked > 0 {
                <span class={classes!("badge", if tally.failed == 0 { "ok" } else { "warn" })}
                    data-passed={tally.passed.to_string()} data-failed={tally.failed.to_string()}>
                    { fill(t.expects, &[&tally.passed, &checked]) }
                </span>
            }
            <a class="open-playground" href={href} target="_blank" rel="noopener" {onclick}>
                { t.open_in_playground }{ " ↗" }
            </a>
        </div>
    }
}

/// The full playground's URL with the engine's state in its fragment.
pub fn playground_link(engine: &Engine, base: &str, view: &str, lang: Lang) -> String {
    let base = base.split('#').next().unwrap_or(base);
    let separator = if base.contains('?') { '&' } else { '?' };
    let base = format!("{base}{separator}lang={}", lang.tag());
    match engine.script() {
        Some((script, time)) => format!(
            "{base}#{}",
            fragment(&Shared {
                script,
                time_ms: Some(time),
                view: Some(view.to_owned()),
            })
        ),
        None => base,
    }
}
