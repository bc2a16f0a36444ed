//! The form that creates a topic.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`CreateTopicForm`].
#[derive(Properties, PartialEq, Debug)]
pub struct CreateTopicProps {
    /// Called with (name, partitions as typed).
    pub on_create: Callback<(String, String)>,
    /// Whether the broker is not ready yet.
    pub disabled: bool,
}

/// Name and partition count, and a button.
#[function_component(CreateTopicForm)]
pub fn create_topic_form(props: &CreateTopicProps) -> Html {
    let name = use_node_ref();
    let partitions = use_node_ref();
    // Controlled, so a re-render (e.g. after an error) keeps what the person typed.
    let partitions_text = use_state(|| "3".to_owned());
    let on_partitions_input = {
        let partitions_text = partitions_text.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                partitions_text.set(input.value());
            }
        })
    };
    let on_submit = {
        let (name, partitions, on_create) =
            (name.clone(), partitions.clone(), props.on_create.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            on_create.emit((value(&name), value(&partitions)));
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
                <input ref={partitions} name="partitions" type="number" min="1" step="1"
                    value={(*partitions_text).clone()} oninput={on_partitions_input} />
            </label>
            <button type="submit" data-action="create-topic" disabled={props.disabled}>{ "Create topic" }</button>
        </form>
    }
}
