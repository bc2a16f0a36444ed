//! The form that produces one record.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// What the person asked to produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProduceRequest {
    /// Target topic.
    pub topic: String,
    /// Key; empty means no key (round-robin).
    pub key: String,
    /// Value.
    pub value: String,
}

/// Props of [`ProduceForm`].
#[derive(Properties, PartialEq, Debug)]
pub struct ProduceProps {
    /// Topics to choose from.
    pub topics: Vec<String>,
    /// Called with the request.
    pub on_produce: Callback<ProduceRequest>,
    /// Whether the broker is not ready yet.
    pub disabled: bool,
}

/// Topic, key and value, and a button.
#[function_component(ProduceForm)]
pub fn produce_form(props: &ProduceProps) -> Html {
    let topic = use_node_ref();
    let key = use_node_ref();
    let value = use_node_ref();
    let on_submit = {
        let (topic, key, value, on_produce) = (
            topic.clone(),
            key.clone(),
            value.clone(),
            props.on_produce.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let input = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let topic = topic
                .cast::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            on_produce.emit(ProduceRequest {
                topic,
                key: input(&key),
                value: input(&value),
            });
        })
    };
    let no_topics = props.topics.is_empty();
    html! {
        <form class="card" onsubmit={on_submit} aria-label="Produce a record" novalidate=true>
            <h2>{ "Produce" }</h2>
            <label>
                <span>{ "Topic" }</span>
                <select ref={topic} name="produce-topic" disabled={no_topics}>
                    { for props.topics.iter().map(|t| html! { <option value={t.clone()}>{ t }</option> }) }
                </select>
            </label>
            <label>
                <span>{ "Key" }<small>{ " — empty: round-robin" }</small></span>
                <input ref={key} name="key" type="text" placeholder="customer-42" autocomplete="off" spellcheck="false" />
            </label>
            <label>
                <span>{ "Value" }</span>
                <input ref={value} name="value" type="text" placeholder="{\"total\": 12}" autocomplete="off" spellcheck="false" />
            </label>
            <button type="submit" data-action="produce" disabled={props.disabled || no_topics}>{ "Produce record" }</button>
        </form>
    }
}
