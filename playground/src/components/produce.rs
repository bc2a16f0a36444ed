//! The produce form: topic, key, value, headers, acks, an optional partition; and the last
//! few sends with where they went and when they were acknowledged.

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::InlineAlert;
use crate::context::use_app;
use crate::engine::{Command, ProduceForm};
use crate::i18n::fill;
use crate::model::Place;

/// What a produce error means, for the ones a learner provokes on purpose.
fn produce_error_hint(c: &crate::i18n::cluster::ClusterStrings, error: &str) -> &'static str {
    match error {
        "NOT_ENOUGH_REPLICAS" => c.not_enough_replicas_hint,
        "NOT_LEADER_OR_FOLLOWER" | "LEADER_NOT_AVAILABLE" => c.no_leader_hint,
        "REQUEST_TIMED_OUT" => c.timed_out_hint,
        _ => "",
    }
}

/// The produce form.
#[function_component(Produce)]
pub fn produce() -> Html {
    let app = use_app();
    let t = app.t();
    let topic = use_node_ref();
    let key = use_node_ref();
    let value = use_node_ref();
    crate::hooks::use_initial_value(&key, "alice".to_string());
    crate::hooks::use_initial_value(&value, "hello".to_string());
    let headers = use_node_ref();
    let acks = use_node_ref();
    let partition = use_node_ref();
    let topics: Vec<String> = app
        .model
        .view
        .topics
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let onsubmit = {
        let refs = (
            topic.clone(),
            key.clone(),
            value.clone(),
            headers.clone(),
            acks.clone(),
            partition.clone(),
        );
        app.command(move |e: SubmitEvent| {
            e.prevent_default();
            let (topic, key, value, headers, acks, partition) = &refs;
            let input = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let headers_text = headers
                .cast::<HtmlTextAreaElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            Command::Produce(ProduceForm {
                topic: topic
                    .cast::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default(),
                key: input(key),
                value: Some(input(value)),
                headers: headers_text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| match l.split_once('=') {
                        Some((k, v)) => (k.trim().to_owned(), v.to_owned()),
                        None => (l.trim().to_owned(), String::new()),
                    })
                    .collect(),
                acks: acks
                    .cast::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default(),
                partition: input(partition),
            })
        })
    };
    let c = app.lang.cluster();
    let sent = app.model.sent.iter().rev().map(|s| {
        let answer = match (&s.answer, s.acks) {
            (None, "0") => t.acks_zero.to_owned(),
            (None, _) => t.waiting_ack.to_owned(),
            (Some(Ok(_)), "0") => t.acks_zero.to_owned(),
            (Some(Ok((offset, at))), _) => fill(t.acked_at, &[offset, &(at - s.sent_at)]),
            (Some(Err(error)), _) => error.clone(),
        };
        let error = match &s.answer {
            Some(Err(error)) => Some(error.clone()),
            _ => None,
        };
        let offset = match &s.answer {
            Some(Ok((offset, _))) if *offset >= 0 => Some(*offset),
            _ => None,
        };
        // Which replicas held the record when it was acknowledged (frozen by the model).
        let holders: Vec<u32> = s.held_by.clone().unwrap_or_default();
        html! {
            <li class={classes!("sent", error.is_some().then_some("failed"))} data-request={s.request.to_string()}
                data-error={error.clone().unwrap_or_default()} data-offset={offset.map(|o| o.to_string()).unwrap_or_default()}
                role={error.is_some().then_some("alert")}>
                <span>{ fill(t.sent_to, &[&s.topic, &s.partition, &s.acks]) }</span>
                <span class="meta">{ answer }</span>
                if let Some(error) = &error {
                    <span class="meta sent-why">{ produce_error_hint(c, error) }</span>
                }
                if !holders.is_empty() {
                    <span class="meta">{ fill(c.held_by, &[&format!("{holders:?}")]) }</span>
                }
            </li>
        }
    });
    html! {
        <form class="card produce" {onsubmit} aria-label={t.produce}>
            <h2>{ t.produce }</h2>
            <label>{ t.topic }
                <select ref={topic} name="topic" disabled={topics.is_empty()}>
                    { for topics.iter().map(|name| html! { <option value={name.clone()}>{ name.clone() }</option> }) }
                </select>
            </label>
            <div class="row">
                <label>{ t.key } <small>{ t.key_hint }</small>
                    <input ref={key} name="key" autocomplete="off" />
                </label>
                <label>{ "acks" }
                    <select ref={acks} name="acks">
                        <option value="all" selected=true>{ "all" }</option>
                        <option value="1">{ "1" }</option>
                        <option value="0">{ "0" }</option>
                    </select>
                </label>
            </div>
            <label>{ t.value }
                <input ref={value} name="value" autocomplete="off" />
            </label>
            <details>
                <summary>{ format!("{} · {}", t.headers, t.partition_optional) }</summary>
                <label>{ t.headers } <small>{ t.headers_hint }</small>
                    <textarea ref={headers} name="headers" rows="2" />
                </label>
                <label>{ t.partition_optional }
                    <input ref={partition} name="partition" inputmode="numeric" />
                </label>
            </details>
            <button type="submit" data-action="produce" disabled={!app.model.ready || topics.is_empty()}>{ t.send }</button>
            <InlineAlert place={Place::Produce} />
            <ul class="sent-list" aria-live="polite">{ for sent }</ul>
        </form>
    }
}
