//! A topic drawn as partition lanes of records, oldest on the left.

use rill_wasm::TopicView;
use yew::prelude::*;

use crate::palette::key_colour;
use crate::state::{Lane, RecordView};

/// Props of [`TopicCard`].
#[derive(Properties, PartialEq, Debug)]
pub struct TopicCardProps {
    /// The topic.
    pub topic: TopicView,
    /// One lane per partition, in partition order.
    pub lanes: Vec<Lane>,
    /// The record to highlight: (partition, offset).
    pub highlight: Option<(i32, i64)>,
}

fn record_box(record: &RecordView, highlighted: bool) -> Html {
    let (colour, ink) = key_colour(record.key_bytes.as_deref());
    let key_label = record.key.clone().unwrap_or_else(|| "∅ no key".to_owned());
    let value_label = record
        .value
        .clone()
        .unwrap_or_else(|| "∅ tombstone".to_owned());
    let title = format!(
        "offset {}\nkey: {}\nvalue: {}\ntimestamp: {}",
        record.offset, key_label, value_label, record.timestamp
    );
    let class = classes!(
        "record",
        highlighted.then_some("fresh"),
        record.key.is_none().then_some("keyless")
    );
    html! {
        <li class={class} style={format!("--key-colour: {colour}; --key-ink: {ink}")} title={title}
            data-offset={record.offset.to_string()} data-key={record.key.clone().unwrap_or_default()}
            aria-label={format!("offset {}, key {}", record.offset, key_label)}>
            <span class="offset">{ record.offset }</span>
            <span class="key">{ key_label }</span>
        </li>
    }
}

/// A topic card.
#[function_component(TopicCard)]
pub fn topic_card(props: &TopicCardProps) -> Html {
    let topic = &props.topic;
    let total: i64 = topic
        .partitions
        .iter()
        .map(|p| p.log_end_offset - p.log_start_offset)
        .sum();
    html! {
        <section class="topic" data-topic={topic.name.clone()} aria-label={format!("Topic {}", topic.name)}>
            <header class="topic-head">
                <h2>{ &topic.name }</h2>
                <span class="meta">
                    { format!("{} partition{} · {} record{}",
                        topic.partitions.len(), if topic.partitions.len() == 1 { "" } else { "s" },
                        total, if total == 1 { "" } else { "s" }) }
                </span>
            </header>
            <div class="lanes">
                { for topic.partitions.iter().zip(&props.lanes).map(|(partition, lane)| html! {
                    <div class="lane" data-partition={partition.partition.to_string()}>
                        <div class="lane-label">
                            <span class="partition-name">{ format!("P{}", partition.partition) }</span>
                            <span class="lane-offsets" title="log end offset: the offset the next record gets">
                                { format!("next {}", partition.log_end_offset) }
                            </span>
                        </div>
                        <ol class="records" aria-label={format!("Partition {}", partition.partition)}>
                            if lane.older > 0 {
                                <li class="older">{ format!("+{} older", lane.older) }</li>
                            }
                            { for lane.records.iter().map(|r| record_box(r, props.highlight == Some((partition.partition, r.offset)))) }
                            if lane.records.is_empty() {
                                <li class="lane-empty">{ "empty" }</li>
                            }
                        </ol>
                    </div>
                }) }
            </div>
        </section>
    }
}
