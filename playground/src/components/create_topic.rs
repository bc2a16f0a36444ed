//! The create-topic form: name, partitions, replication factor, and the configs that matter
//! most for what the playground shows.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::InlineAlert;
use crate::context::use_app;
use crate::engine::{Command, TopicForm};
use crate::model::Place;

/// Configs offered in the form (their placeholder is Kafka's default).
const CONFIGS: [&str; 7] = [
    "min.insync.replicas",
    "unclean.leader.election.enable",
    "segment.bytes",
    "retention.ms",
    "retention.bytes",
    "cleanup.policy",
    "segment.ms",
];

/// Kafka's default of a topic config, as Kafka prints it.
fn kafka_default(name: &str) -> &'static str {
    rill_core::config::CONFIGS
        .iter()
        .find(|d| d.name == name)
        .map_or("", |d| d.default)
}

/// The create-topic form.
#[function_component(CreateTopic)]
pub fn create_topic() -> Html {
    let app = use_app();
    let t = app.t();
    let name = use_node_ref();
    let partitions = use_node_ref();
    let replication = use_node_ref();
    crate::hooks::use_initial_value(&name, "orders".to_string());
    crate::hooks::use_initial_value(&partitions, "3".to_string());
    let configs: Vec<NodeRef> = CONFIGS.iter().map(|_| NodeRef::default()).collect();
    let configs = use_memo((), move |_| configs);
    let brokers = app.model.view.brokers.len().max(1);
    crate::hooks::use_initial_value(&replication, brokers.min(3).to_string());
    let onsubmit = {
        let (name, partitions, replication, configs) = (
            name.clone(),
            partitions.clone(),
            replication.clone(),
            configs.clone(),
        );
        app.command(move |e: SubmitEvent| {
            e.prevent_default();
            let read = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            Command::CreateTopic(TopicForm {
                name: read(&name),
                partitions: read(&partitions),
                replication_factor: read(&replication),
                configs: CONFIGS
                    .iter()
                    .zip(configs.iter())
                    .map(|(k, r)| ((*k).to_owned(), read(r).trim().to_owned()))
                    .filter(|(_, v)| !v.is_empty())
                    .collect(),
            })
        })
    };
    html! {
        <form class="card create-topic" novalidate=true {onsubmit} aria-label={t.create_topic}>
            <h2>{ t.create_topic }</h2>
            <label>{ t.topic_name }
                <input ref={name} name="topic" autocomplete="off" maxlength="249" />
            </label>
            <div class="row">
                <label>{ t.partitions }
                    <input ref={partitions} name="partitions" inputmode="numeric" />
                </label>
                <label>{ t.replication_factor }
                    <input ref={replication} name="replication-factor" inputmode="numeric" />
                </label>
            </div>
            <details>
                <summary>{ app.lang.cluster().configs }</summary>
                { for CONFIGS.iter().zip(configs.iter()).map(|(k, r)| html! {
                    <label><code>{ *k }</code>
                        <input ref={r.clone()} name={*k} placeholder={kafka_default(k)} autocomplete="off" />
                    </label>
                }) }
            </details>
            <button type="submit" data-action="create-topic" disabled={!app.model.ready}>{ t.create }</button>
            <InlineAlert place={Place::CreateTopic} />
        </form>
    }
}
