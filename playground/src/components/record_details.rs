//! The selected record: offset, timestamp and whose it is, key, value (long values cut, with
//! their size), headers, and where it lives (segment, committed or not). Always as text.

use yew::prelude::*;

use crate::context::use_app;
use crate::i18n::fill;
use crate::model::Action;

/// The details panel of the selected record, if any.
#[function_component(RecordDetails)]
pub fn record_details() -> Html {
    let app = use_app();
    let t = app.t();
    let Some(selection) = app.model.selection.clone() else {
        return html! {};
    };
    let partition = app.model.view.topic(&selection.topic).and_then(|topic| {
        topic
            .partitions
            .iter()
            .find(|p| p.index == selection.partition)
    });
    let Some(partition) = partition else {
        return html! {};
    };
    let record = partition
        .lane
        .as_ref()
        .and_then(|lane| lane.records.iter().find(|r| r.offset == selection.offset));
    let Some(record) = record else {
        return html! {};
    };
    let segment = partition
        .segments
        .iter()
        .rev()
        .find(|s| s.base_offset <= record.offset)
        .map(|s| s.base_offset);
    let close = {
        let dispatcher = app.model.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::Select(None)))
    };
    let value = match &record.value {
        None => t.tombstone.to_owned(),
        Some(v) => v.clone(),
    };
    html! {
        <aside class="card record-details" aria-label={t.record_details} data-offset={record.offset.to_string()}>
            <div class="section-head">
                <h2>{ format!("{} {}-{} @ {}", t.record_details, selection.topic, selection.partition, record.offset) }</h2>
                <button type="button" class="secondary" onclick={close}>{ t.close }</button>
            </div>
            <dl>
                <dt>{ t.offset }</dt><dd>{ record.offset }</dd>
                <dt>{ t.timestamp }</dt><dd>{ format!("{} ({:?})", record.timestamp, record.timestamp_type) }</dd>
                <dt>{ t.key }</dt><dd class="text">{ record.key.clone().unwrap_or_else(|| t.no_key.to_owned()) }</dd>
                <dt>{ t.value }</dt>
                <dd class="text value">
                    { value }
                    if record.value.is_some() && record.value_size > crate::model::read::VALUE_PREVIEW_BYTES_MAX {
                        <div class="meta">{ fill(t.truncated, &[&record.value_size]) }</div>
                    }
                </dd>
                <dt>{ t.headers }</dt>
                <dd>
                    if record.headers.is_empty() {
                        <span class="meta">{ t.no_headers }</span>
                    } else {
                        <ul class="headers">
                            { for record.headers.iter().map(|(k, v)| html! { <li class="text"><code>{ k.clone() }</code>{ " = " }{ v.clone() }</li> }) }
                        </ul>
                    }
                </dd>
                <dt>{ t.segment }</dt><dd>{ segment.map_or("—".to_owned(), |s| format!("{s:020}.log")) }</dd>
                <dt>{ "HW" }</dt><dd>{ if record.uncommitted { t.uncommitted_hint.to_owned() } else { format!("< HW {}", partition.high_watermark) } }</dd>
            </dl>
        </aside>
    }
}
