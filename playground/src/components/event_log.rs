//! The event log: one line per engine event in Kafka's words, newest first, filterable by
//! kind and by what it names (a broker, a partition, a group).

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::context::use_app;
use crate::i18n::events::event_text;
use crate::model::{Kind, Subject};

/// Partitions offered in the partition filter at most.
const PARTITIONS_OFFERED_MAX: usize = 200;

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Broker => "broker",
        Kind::Replication => "replication",
        Kind::Log => "log",
        Kind::Produce => "produce",
        Kind::Group => "group",
        Kind::Admin => "admin",
    }
}

/// The event log.
#[function_component(EventLogView)]
pub fn event_log_view() -> Html {
    let app = use_app();
    let t = app.t();
    let origin = app.model.origin.unwrap_or(0);
    let kind = use_state(|| None::<Kind>);
    let subject = use_state(|| None::<Subject>);
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            kind.set(Kind::ALL.into_iter().find(|k| kind_name(*k) == value));
        })
    };
    let broker = use_state(|| None::<u32>);
    let partition = use_state(|| None::<Subject>);
    let on_broker = {
        let broker = broker.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            broker.set(value.parse().ok());
        })
    };
    let partitions: Vec<Subject> = app
        .model
        .view
        .topics
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .map(|p| Subject::Partition(t.name.clone(), p.index))
        })
        .take(PARTITIONS_OFFERED_MAX)
        .collect();
    let on_partition = {
        let partition = partition.clone();
        let offered = partitions.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            partition.set(
                value
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| offered.get(i).cloned()),
            );
        })
    };
    let lines = app
        .model
        .events
        .lines()
        .filter(|l| kind.is_none_or(|k| l.kind == k))
        .filter(|l| subject.as_ref().is_none_or(|s| l.names(s)))
        .filter(|l| broker.is_none_or(|b| l.names(&Subject::Broker(b))))
        .filter(|l| partition.as_ref().is_none_or(|p| l.names(p)))
        .take(200)
        .map(|line| {
            let (source, text) = event_text(app.lang, &line.event);
            let pick = {
                let subject = subject.clone();
                let first = line.subjects.first().cloned();
                Callback::from(move |_: MouseEvent| subject.set(first.clone()))
            };
            html! {
                // Keyed by sequence: a new line is one new node, the others stay as they are.
                <li key={line.seq} class={classes!("event", format!("kind-{}", kind_name(line.kind)))} data-kind={kind_name(line.kind)}>
                    <span class="event-time meta">{ crate::components::clock_text(line.at, origin) }</span>
                    <button type="button" class="link event-source" onclick={pick}>{ source }</button>
                    <span class="event-text">{ text }</span>
                </li>
            }
        });
    let clear = {
        let subject = subject.clone();
        Callback::from(move |_: MouseEvent| subject.set(None))
    };
    html! {
        <section class="card event-log" aria-label={t.event_log}>
            <div class="section-head">
                <h2>{ t.event_log }</h2>
                <label class="inline">{ t.filter }
                    <select name="event-kind" onchange={on_kind}>
                        <option value="" selected={kind.is_none()}>{ t.all }</option>
                        { for Kind::ALL.iter().map(|k| html! { <option value={kind_name(*k)} selected={*kind == Some(*k)}>{ kind_name(*k) }</option> }) }
                    </select>
                </label>
                <label class="inline">{ app.lang.cluster().broker }
                    <select name="event-broker" onchange={on_broker}>
                        <option value="" selected={broker.is_none()}>{ t.all }</option>
                        { for app.model.view.brokers.iter().map(|b| html! {
                            <option value={b.id.to_string()} selected={*broker == Some(b.id)}>{ b.id }</option>
                        }) }
                    </select>
                </label>
                <label class="inline">{ app.lang.cluster().partition }
                    <select name="event-partition" onchange={on_partition}>
                        <option value="" selected={partition.is_none()}>{ t.all }</option>
                        { for partitions.iter().enumerate().map(|(i, s)| {
                            let Subject::Partition(topic, p) = s else { return html! {}; };
                            html! { <option value={i.to_string()} selected={partition.as_ref() == Some(s)}>{ format!("{topic}-{p}") }</option> }
                        }) }
                    </select>
                </label>
                if let Some(s) = (*subject).clone() {
                    <button type="button" class="secondary" onclick={clear}>{ format!("{s:?} ×") }</button>
                }
            </div>
            if app.model.events.is_empty() {
                <p class="meta">{ t.no_events }</p>
            }
            <ol class="events">{ for lines }</ol>
        </section>
    }
}
