//! The root component: the model, the engine, the language, and the page's layout.

use yew::prelude::*;

use crate::components::{
    Brokers, CreateTopic, EventLogView, Header, InlineAlert, Produce, RecordDetails, TopicCard,
    Transport,
};
use crate::context::AppContext;
use crate::engine::{Command, Engine, PLAYGROUND_STORE, Storage};
use crate::i18n::Lang;
use crate::model::{Model, Persistence, Place};

/// A top-level view of the playground.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Brokers, topics, partitions, lanes.
    Cluster,
    /// The event log.
    Events,
}

impl View {
    /// The view named in a URL (`#view=…` or `?view=…`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "cluster" | "replication" | "log" => Some(Self::Cluster),
            "events" => Some(Self::Events),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Cluster => "cluster",
            Self::Events => "events",
        }
    }
}

/// What the page's URL asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlParams {
    /// `?lang=ko|en`, else the browser's language.
    pub lang: Lang,
    /// `#view=…` / `?view=…`.
    pub view: View,
}

impl UrlParams {
    /// Reads the URL and the browser's language.
    pub fn read() -> Self {
        let window = web_sys::window();
        let location = window.as_ref().map(web_sys::Window::location);
        let search = location
            .as_ref()
            .and_then(|l| l.search().ok())
            .unwrap_or_default();
        let hash = location
            .as_ref()
            .and_then(|l| l.hash().ok())
            .unwrap_or_default();
        let param = |name: &str| {
            [search.trim_start_matches('?'), hash.trim_start_matches('#')]
                .into_iter()
                .flat_map(|part| part.split('&'))
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_owned())
        };
        let browser = window
            .as_ref()
            .and_then(|w| w.navigator().language())
            .and_then(|tag| Lang::from_tag(&tag));
        Self {
            lang: param("lang")
                .and_then(|l| Lang::from_tag(&l))
                .or(browser)
                .unwrap_or_default(),
            view: param("view")
                .and_then(|v| View::from_name(&v))
                .unwrap_or(View::Cluster),
        }
    }
}

/// The playground.
#[function_component(App)]
pub fn app() -> Html {
    let params = use_memo((), |_| UrlParams::read());
    let model = use_reducer(Model::default);
    let lang = use_state(|| params.lang);
    let view = use_state(|| params.view);
    let engine = {
        let dispatcher = model.dispatcher();
        use_memo((), move |_| {
            Engine::new(dispatcher, Storage::IndexedDb(PLAYGROUND_STORE.to_owned()))
        })
    };
    {
        let engine = (*engine).clone();
        use_effect_with((), move |_| engine.start());
    }
    // The lanes on screen decide what the engine reads each frame.
    engine.set_read_options(model.read_options());
    {
        let lang = *lang;
        use_effect_with(lang, move |lang| {
            if let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = root.set_attribute("lang", lang.tag());
            }
        });
    }
    let context = AppContext {
        model: model.clone(),
        engine: (*engine).clone(),
        lang: *lang,
    };
    let t = lang.strings();
    let on_lang = {
        let lang = lang.clone();
        Callback::from(move |l: Lang| lang.set(l))
    };
    let session = engine.session();
    let paused = session
        .as_ref()
        .is_some_and(rill_wasm::session::Session::is_paused);
    let speed = session
        .as_ref()
        .map_or(1.0, rill_wasm::session::Session::speed);
    let tab = |v: View, label: &'static str| {
        let view = view.clone();
        let selected = *view == v;
        let onclick = Callback::from(move |_: MouseEvent| view.set(v));
        html! {
            <button type="button" role="tab" class="tab" aria-selected={selected.to_string()}
                data-view={v.name()} {onclick}>{ label }</button>
        }
    };
    let stepped_back = matches!(model.persistence, Persistence::SteppedBack(_));
    let locked = model
        .alerts
        .get(&Place::Page)
        .is_some_and(|a| a.kind == "STORE_LOCKED");
    // The browser discarded the stored cluster: say so plainly and offer a new one.
    let discarded = model
        .alerts
        .get(&Place::Page)
        .is_some_and(|a| a.kind == "STORE_DISCARDED");
    let start_fresh = {
        let engine = (*engine).clone();
        Callback::from(move |_: MouseEvent| {
            engine.run(Command::NewCluster(crate::engine::NewCluster::default()));
        })
    };
    let take_over = {
        let engine = (*engine).clone();
        Callback::from(move |_: MouseEvent| engine.run(Command::TakeOver))
    };
    html! {
        <ContextProvider<AppContext> context={context}>
            <div id="app" data-ready={model.ready.to_string()} data-frames={model.frames.to_string()}
                data-lang={lang.tag()} data-view={view.name()}>
                <Header on_lang={on_lang} />
                <Transport {paused} {speed} />
                if stepped_back || locked {
                    <div class="notice card" role="alert">
                        <p>{ if stepped_back { t.stepped_back } else { t.locked_hint } }</p>
                        <button type="button" onclick={take_over}>{ t.open_here }</button>
                    </div>
                }
                if discarded {
                    <div class="notice card" role="alert" data-notice="discarded">
                        <p>{ t.discarded_hint }</p>
                        <button type="button" onclick={start_fresh}>{ t.start_fresh }</button>
                    </div>
                }
                <InlineAlert place={Place::Page} />
                <nav class="tabs" role="tablist">
                    { tab(View::Cluster, t.tab_cluster) }
                    { tab(View::Events, t.tab_events) }
                </nav>
                {
                    match *view {
                        View::Cluster => html! {
                            <div class="layout">
                                <aside class="controls" aria-label="Controls">
                                    <CreateTopic />
                                    <Produce />
                                    <RecordDetails />
                                </aside>
                                <main class="main" aria-label={t.tab_cluster}>
                                    <Brokers />
                                    if model.ready && model.view.topics.is_empty() {
                                        <div class="empty">
                                            <h2>{ t.no_topics }</h2>
                                            <p>{ t.no_topics_hint }</p>
                                        </div>
                                    }
                                    { for model.view.topics.iter().map(|topic| html! {
                                        <TopicCard key={topic.name.clone()} topic={topic.clone()} />
                                    }) }
                                </main>
                            </div>
                        },
                        View::Events => html! { <div class="layout single"><EventLogView /></div> },
                    }
                }
            </div>
        </ContextProvider<AppContext>>
    }
}
