//! The masthead: what this is, the cluster's health in Kafka's metric names, where the data
//! lives, the language, and starting a new cluster.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::context::use_app;
use crate::engine::{Command, NewCluster};
use crate::i18n::Lang;
use crate::i18n::fill;
use crate::model::{BrokerState, Persistence};

/// Props of [`Header`].
#[derive(Properties, PartialEq, Debug)]
pub struct HeaderProps {
    /// Called with a language the person picked.
    pub on_lang: Callback<Lang>,
}

/// The masthead.
#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let app = use_app();
    let t = app.t();
    let model = &app.model;
    let metrics = model.view.metrics;
    let c = app.lang.cluster();
    let total = model.view.brokers.len();
    let running = model
        .view
        .brokers
        .iter()
        .filter(|b| b.state == BrokerState::Running)
        .count();
    let dialog = use_state(|| false);
    let dialog_error = use_state(|| None::<crate::model::Alert>);
    let brokers_ref = use_node_ref();
    let seed_ref = use_node_ref();
    crate::hooks::use_initial_value(
        &brokers_ref,
        model.view.brokers.len().max(1).to_string().to_string(),
    );
    crate::hooks::use_initial_value(&seed_ref, "42".to_string());
    let persistence = match &model.persistence {
        Persistence::Opening => html! { <span class="badge">{ t.opening }</span> },
        Persistence::IndexedDb(_) => html! { <span class="badge ok">{ t.saved_in_browser }</span> },
        Persistence::Memory(_) | Persistence::SteppedBack(_) => {
            html! { <span class="badge warn">{ t.memory_only }</span> }
        }
    };
    let metric = |name: &'static str, hint: &'static str, value: u32, bad: bool| {
        let class = classes!("metric", (bad && value > 0).then_some("bad"));
        html! {
            <span class={class} data-metric={name} title={hint}>
                <span class="metric-name">{ name }</span>
                <span class="metric-value">{ value }</span>
            </span>
        }
    };
    let open_dialog = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(true))
    };
    let close_dialog = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(false))
    };
    let start = {
        let dialog = dialog.clone();
        let dialog_error = dialog_error.clone();
        let engine = app.engine.clone();
        let brokers_ref = brokers_ref.clone();
        let seed_ref = seed_ref.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let read = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let shape = crate::engine::whole_number::<u32>(&read(&brokers_ref), "Brokers", 1..=9)
                .and_then(|brokers| {
                    let seed =
                        crate::engine::whole_number::<u64>(&read(&seed_ref), "Seed", 0..=i64::MAX)?;
                    Ok(NewCluster { brokers, seed })
                });
            match shape {
                Ok(shape) => {
                    engine.run(Command::NewCluster(shape));
                    dialog_error.set(None);
                    dialog.set(false);
                }
                Err(error) => dialog_error.set(Some(crate::model::Alert::of(&error))),
            }
        })
    };
    let lang_buttons = [Lang::En, Lang::Ko].map(|lang| {
        let on_lang = props.on_lang.clone();
        let pressed = app.lang == lang;
        html! {
            <button type="button" class="lang" aria-pressed={pressed.to_string()}
                onclick={Callback::from(move |_: MouseEvent| on_lang.emit(lang))}>
                { match lang { Lang::En => "EN", Lang::Ko => "한국어" } }
            </button>
        }
    });
    html! {
        <header class="masthead">
            <div class="brand">
                <span class="logo" aria-hidden="true">{ "≋" }</span>
                <h1>{ "rill" }</h1>
                <span class="tagline">{ t.tagline }</span>
            </div>
            <div class="metrics" aria-label={app.lang.ui().metrics}>
                <span class={classes!("metric", (running < total).then_some("bad"))} data-metric="brokers"
                    data-running={running.to_string()} data-total={total.to_string()}
                    title={fill(c.brokers_running, &[&running, &total])}>
                    <span class="metric-name">{ t.brokers }</span>
                    <span class="metric-value">{ format!("{running}/{total}") }</span>
                    <span class="metric-unit">{ c.running_unit }</span></span>
                { metric("ActiveControllerCount", c.metric_active_controller, metrics.active_controller_count, false) }
                { metric("UnderReplicatedPartitions", c.metric_under_replicated, metrics.under_replicated, true) }
                { metric("UnderMinIsrPartitionCount", c.metric_under_min_isr, metrics.under_min_isr, true) }
                { metric("OfflinePartitionsCount", c.metric_offline, metrics.offline, true) }
            </div>
            <div class="masthead-end">
                <a class="docs-link" href={format!("docs/{}/index.html", app.lang.tag())} title={c.docs_link_hint}
                    data-action="open-docs">{ c.docs_link }</a>
                { persistence }
                <span class="langs" role="group" aria-label={t.language}>{ for lang_buttons }</span>
                <button type="button" class="secondary" data-action="open-new-cluster" onclick={open_dialog}>{ t.new_cluster }</button>
            </div>
            if *dialog {
                <form class="dialog card" onsubmit={start} aria-label={t.new_cluster}>
                    <h2>{ t.new_cluster }</h2>
                    <p class="warning">{ t.new_cluster_warning }</p>
                    <label>{ t.brokers }
                        <input ref={brokers_ref} name="brokers" inputmode="numeric" />
                    </label>
                    <label>{ t.seed }
                        <input ref={seed_ref} name="seed" inputmode="numeric" />
                    </label>
                    if let Some(alert) = (*dialog_error).clone() {
                        <p class="alert" role="alert" data-error={alert.kind.clone()}>
                            <span class="alert-kind">{ alert.kind }</span>
                            <span class="alert-message">{ alert.message }</span>
                        </p>
                    }
                    <div class="row">
                        <button type="submit" data-action="new-cluster">{ t.start }</button>
                        <button type="button" class="secondary" onclick={close_dialog}>{ t.cancel }</button>
                    </div>
                </form>
            }
        </header>
    }
}
