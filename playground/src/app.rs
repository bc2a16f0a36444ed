//! The root component: the model, the engine, the language, and the page's layout.

use yew::prelude::*;

use crate::components::{
    Brokers, CreateTopic, EventLogView, Header, HistoryPanel, InlineAlert, Produce, RecordDetails,
    TopicCard, Transport,
};
use crate::context::AppContext;
use crate::engine::{Command, Engine, PLAYGROUND_STORE, Storage};
use crate::i18n::Lang;
use crate::model::{Model, Persistence, Place};
pub use crate::route::{Start, UrlParams, View};

/// Props of [`App`].
#[derive(Properties, Clone, Debug, PartialEq, Default)]
pub struct AppProps {
    /// Set when the app is an embed (`<rill-demo>`): its options instead of the page's URL.
    #[prop_or_default]
    pub embed: Option<std::rc::Rc<crate::embedded::EmbedConfig>>,
}

/// The playground.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let embed = props.embed.clone();
    let params = {
        let embed = embed.clone();
        use_memo((), move |_| {
            embed.as_ref().map_or_else(UrlParams::read, |e| e.params())
        })
    };
    let model = use_reducer(Model::default);
    let lang = use_state(|| params.lang);
    let view = use_state(|| params.view);
    let engine = {
        let dispatcher = model.dispatcher();
        let stored = params.start == Start::Stored;
        use_memo((), move |_| {
            let storage = if stored {
                Storage::IndexedDb(PLAYGROUND_STORE.to_owned())
            } else {
                Storage::Memory
            };
            Engine::new(dispatcher, storage)
        })
    };
    {
        let engine = (*engine).clone();
        let start = params.start.clone();
        let embed = embed.clone();
        use_effect_with((), move |_| {
            if let Some(embed) = &embed {
                embed.attach(&engine);
            }
            crate::embedded::start(&engine, start);
        });
    }
    // The lanes on screen decide what the engine reads each frame.
    engine.set_read_options(model.read_options());
    {
        let lang = *lang;
        let page = embed.is_none();
        use_effect_with(lang, move |lang| {
            if !page {
                return;
            }
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
    // While time stands still, the state's hash (tests compare a shared link's with it).
    let state_hash = paused
        .then(|| engine.state_hash())
        .flatten()
        .map(|h| format!("{h:016x}"));
    let stepped_back = matches!(model.persistence, Persistence::SteppedBack(_));
    let locked = model
        .alerts
        .get(&Place::Page)
        .is_some_and(|a| a.kind == "STORE_LOCKED");
    // The browser discarded the stored cluster: say so plainly and offer a new one.
    let discarded = model
        .alerts
        .get(&Place::Page)
        .filter(|a| a.kind == "STORE_DISCARDED")
        .map(|a| format!("{}: {}", a.kind, a.message));
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
                data-lang={lang.tag()} data-view={view.name()}
                class={classes!(embed.as_ref().map(|e| e.classes()))}
                data-state-hash={state_hash}>
                <Header on_lang={on_lang} />
                <Transport {paused} {speed} />
                if stepped_back || locked {
                    <div class="notice card" role="alert">
                        <p>{ if stepped_back { t.stepped_back } else { t.locked_hint } }</p>
                        <button type="button" onclick={take_over}>{ t.open_here }</button>
                    </div>
                }
                if let Some(technical) = discarded.clone() {
                    <div class="notice card" role="alert" data-notice="discarded">
                        <p>{ t.discarded_hint }</p>
                        <button type="button" onclick={start_fresh}>{ t.start_fresh }</button>
                        <details>
                            <summary>{ t.technical_details }</summary>
                            <p><code>{ technical }</code></p>
                        </details>
                    </div>
                } else {
                    <InlineAlert place={Place::Page} />
                }
                <nav class="tabs" role="tablist">
                    { tab(View::Cluster, t.tab_cluster) }
                    { tab(View::Events, t.tab_events) }
                    { tab(View::Groups, t.tab_groups) }
                    { tab(View::Assignors, t.tab_assignors) }
                </nav>
                {
                    match *view {
                        View::Cluster => html! {
                            <div class="layout">
                                <aside class="controls" aria-label={lang.ui().controls}>
                                    <CreateTopic />
                                    <Produce />
                                    <RecordDetails />
                                    <HistoryPanel view={view.name()} />
                                </aside>
                                if let Some(config) = &embed {
                                    // An embed: what the scenario does first (latest events,
                                    // lanes), then the brokers; admin forms only when asked.
                                    <main class="main" aria-label={t.tab_cluster}>
                                        <crate::embedded::EmbedRecent />
                                        if model.ready && model.view.topics.is_empty() {
                                            <crate::embedded::EmbedEmpty config={config.clone()} />
                                        }
                                        { for model.view.topics.iter().map(|topic| html! {
                                            <TopicCard key={topic.name.clone()} topic={topic.clone()} />
                                        }) }
                                        <Brokers />
                                        if config.shows_admin() {
                                            <crate::components::Reassign />
                                        }
                                    </main>
                                } else {
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
                                    // After the topics: a learner first watches records land;
                                    // moving replicas comes later (a cold tester found the panel
                                    // above the lanes pushed them out of sight).
                                    <crate::components::Reassign />
                                </main>
                                }
                            </div>
                        },
                        View::Events => html! { <div class="layout single"><EventLogView /></div> },
                        View::Groups => html! { <crate::components::GroupsPage /> },
                        View::Assignors => html! { <crate::components::AssignorsPage /> },
                    }
                }
                if let Some(embed) = &embed {
                    <crate::embedded::EmbedFooter config={embed.clone()} view={view.name()} />
                }
            </div>
        </ContextProvider<AppContext>>
    }
}
