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
            </div>
        </header>
    }
}
