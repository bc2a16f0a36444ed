//! The form that creates a topic, with the log configs that make segments and retention
//! visible.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// `segment.bytes` the form starts with, so a few records roll a segment (Kafka's default is
/// 1 GiB).
pub const PLAYGROUND_SEGMENT_BYTES: &str = "400";

/// What the person asked to create, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateTopicRequest {
    /// Topic name.
    pub name: String,
    /// Partition count.
    pub partitions: String,
    /// `segment.bytes`; empty means Kafka's default.
    pub segment_bytes: String,
    /// `retention.bytes`; empty means Kafka's default.
    pub retention_bytes: String,
    /// `retention.ms`; empty means Kafka's default.
    pub retention_ms: String,
}

impl CreateTopicRequest {
    /// The config overrides given (Kafka's names), skipping empty fields.
    pub fn configs(&self) -> Vec<(String, String)> {
        [
            ("segment.bytes", &self.segment_bytes),
            ("retention.bytes", &self.retention_bytes),
            ("retention.ms", &self.retention_ms),
        ]
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| (name.to_owned(), value.trim().to_owned()))
        .collect()
    }
}

/// Props of [`CreateTopicForm`].
#[derive(Properties, PartialEq, Debug)]
pub struct CreateTopicProps {
    /// Called with what was typed.
    pub on_create: Callback<CreateTopicRequest>,
    /// Whether the broker is not ready yet.
    pub disabled: bool,
}

/// A text field whose typed value survives re-renders (e.g. after an error).
#[hook]
fn use_field(initial: &'static str) -> (UseStateHandle<String>, Callback<InputEvent>) {
    let text = use_state(|| initial.to_owned());
    let on_input = {
        let text = text.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                text.set(input.value());
            }
        })
    };
    (text, on_input)
}

/// Name, partition count and log configs, and a button.
#[function_component(CreateTopicForm)]
pub fn create_topic_form(props: &CreateTopicProps) -> Html {
    let name = use_node_ref();
    let (partitions, on_partitions) = use_field("3");
    let (segment_bytes, on_segment_bytes) = use_field(PLAYGROUND_SEGMENT_BYTES);
    let (retention_bytes, on_retention_bytes) = use_field("");
    let (retention_ms, on_retention_ms) = use_field("");
    let on_submit = {
        let name = name.clone();
        let fields = (
            partitions.clone(),
            segment_bytes.clone(),
            retention_bytes.clone(),
            retention_ms.clone(),
        );
        let on_create = props.on_create.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let name = name
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            on_create.emit(CreateTopicRequest {
                name,
                partitions: (*fields.0).clone(),
                segment_bytes: (*fields.1).clone(),
                retention_bytes: (*fields.2).clone(),
                retention_ms: (*fields.3).clone(),
            });
        })
    };
    html! {
        <form class="card" onsubmit={on_submit} aria-label="Create topic" novalidate=true>
            <h2>{ "Create topic" }</h2>
            <label>
                <span>{ "Name" }</span>
                <input ref={name} name="topic" type="text" placeholder="orders" autocomplete="off" spellcheck="false" />
            </label>
            <label>
                <span>{ "Partitions" }</span>
                <input name="partitions" type="number" min="1" step="1"
                    value={(*partitions).clone()} oninput={on_partitions} />
            </label>
            <fieldset class="configs-fields">
                <legend>{ "Log configs" }<small>{ " — empty: Kafka's default" }</small></legend>
                <label>
                    <span><code>{ "segment.bytes" }</code></span>
                    <input name="segment-bytes" type="number" min="14" step="1" inputmode="numeric"
                        value={(*segment_bytes).clone()} oninput={on_segment_bytes}
                        aria-describedby="segment-bytes-hint" />
                    <small id="segment-bytes-hint">{ "playground default, so segments roll after a few records; Kafka's is 1 GiB" }</small>
                </label>
                <label>
                    <span><code>{ "retention.bytes" }</code></span>
                    <input name="retention-bytes" type="number" step="1" inputmode="numeric" placeholder="-1 (no limit)"
                        value={(*retention_bytes).clone()} oninput={on_retention_bytes} />
                </label>
                <label>
                    <span><code>{ "retention.ms" }</code></span>
                    <input name="retention-ms" type="number" step="1" inputmode="numeric" placeholder="604800000 (7 days)"
                        value={(*retention_ms).clone()} oninput={on_retention_ms} />
                </label>
            </fieldset>
            <button type="submit" data-action="create-topic" disabled={props.disabled}>{ "Create topic" }</button>
        </form>
    }
}
