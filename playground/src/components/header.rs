//! The page header: name, what this is, where the data lives.

use yew::prelude::*;

use crate::state::Persistence;

/// Props of [`Header`].
#[derive(Properties, PartialEq, Debug)]
pub struct HeaderProps {
    /// Where data is kept.
    pub persistence: Persistence,
    /// Number of topics.
    pub topics: usize,
    /// Number of records held.
    pub records: i64,
    /// Whether the periodic log maintenance is paused.
    pub paused: bool,
    /// Pauses or resumes it.
    pub on_toggle_time: Callback<MouseEvent>,
}

/// The page header.
#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let (class, label) = match props.persistence {
        Persistence::Opening => ("badge", "opening…"),
        Persistence::IndexedDb => ("badge ok", "saved in this browser"),
        Persistence::MemoryOnly => ("badge warn", "memory only"),
    };
    html! {
        <header class="masthead">
            <div class="brand">
                <span class="logo" aria-hidden="true">{ "≋" }</span>
                <h1>{ "rill" }</h1>
                <span class="tagline">{ "a Kafka broker in your browser" }</span>
            </div>
            <div class="stats">
                <span>{ format!("{} topic{}", props.topics, if props.topics == 1 { "" } else { "s" }) }</span>
                <span>{ format!("{} record{}", props.records, if props.records == 1 { "" } else { "s" }) }</span>
                <span class={class} data-persistence={format!("{:?}", props.persistence)}>{ label }</span>
                <span class="time" title="How often the broker runs retention (Kafka's log.retention.check.interval.ms)">
                    { if props.paused { "retention paused" } else { "retention checked every 1 s" } }
                </span>
                <button type="button" class="secondary small" data-action="toggle-time" aria-pressed={props.paused.to_string()}
                    onclick={props.on_toggle_time.clone()}>
                    { if props.paused { "Resume" } else { "Pause" } }
                </button>
            </div>
        </header>
    }
}
