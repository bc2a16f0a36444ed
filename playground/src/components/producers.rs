//! Producer applications that feed the groups: start one (topic, records per second, keys,
//! acks), then pause, resume or stop it; each shows what it sent and what was acknowledged.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::InlineAlert;
use crate::context::use_app;
use crate::engine::{Command, GroupCommand, ProducerForm};
use crate::i18n::fill;
use crate::model::Place;

/// The producers card.
#[function_component(Producers)]
pub fn producers() -> Html {
    let app = use_app();
    let t = app.t();
    let g = t.groups;
    let name = use_node_ref();
    let topic = use_node_ref();
    let rate = use_node_ref();
    let keys = use_node_ref();
    let key_list = use_node_ref();
    let acks = use_node_ref();
    let producers = &app.model.groups.view.producers;
    let next_name = (1..)
        .map(|n| format!("p{n}"))
        .find(|n| {
            !producers
                .iter()
                .any(|p| p.name == *n && p.state != "stopped")
        })
        .unwrap_or_default();
    let first_topic = app
        .model
        .view
        .topics
        .first()
        .map(|t| t.name.clone())
        .unwrap_or_default();
    crate::hooks::use_initial_value(&name, next_name);
    crate::hooks::use_initial_value(&topic, first_topic);
    crate::hooks::use_initial_value(&rate, "20".to_owned());
    crate::hooks::use_initial_value(&key_list, "alice, bob, carol, dave".to_owned());
    let onsubmit = {
        let refs = [
            name.clone(),
            topic.clone(),
            rate.clone(),
            keys.clone(),
            key_list.clone(),
            acks.clone(),
        ];
        app.command(move |e: SubmitEvent| {
            e.prevent_default();
            let read = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .or_else(|| r.cast::<HtmlSelectElement>().map(|s| s.value()))
                    .unwrap_or_default()
            };
            Command::Group(GroupCommand::ProducerStart(ProducerForm {
                name: read(&refs[0]),
                topic: read(&refs[1]),
                rate: read(&refs[2]),
                keys: read(&refs[3]),
                key_list: read(&refs[4]),
                acks: read(&refs[5]),
            }))
        })
    };
    let list = producers.iter().map(|p| {
        let n = p.name.clone();
        let (pause_or_resume, label) = if p.state == "paused" {
            (GroupCommand::ProducerResume(n.clone()), g.resume)
        } else {
            (GroupCommand::ProducerPause(n.clone()), g.pause_producer)
        };
        let toggle = app.command(move |_: MouseEvent| Command::Group(pause_or_resume.clone()));
        let stop = app.command(move |_: MouseEvent| Command::Group(GroupCommand::ProducerStop(n.clone())));
        let stopped = p.state == "stopped";
        let state_text = match p.state {
            "paused" => g.producer_paused,
            "stopped" => g.producer_stopped,
            _ => g.status_running,
        };
        let pattern = match p.key_pattern {
            "cycle" => g.keys_cycle,
            "random" => g.keys_random,
            _ => g.keys_none,
        };
        html! {
            <li class={classes!("producer", p.state)} data-producer={p.name.clone()} data-state={p.state}
                data-sent={p.sent.to_string()}>
                <div class="member-head">
                    <strong class="member-name">{ &p.name }</strong>
                    <span class="meta">{ format!("→ {} · {}/s · acks={} · {} {}", p.topic, p.rate, p.acks, pattern, p.keys) }</span>
                </div>
                <div class="meta">
                    { fill(g.producer_stats, &[&state_text, &p.sent, &p.acked, &p.failed]) }
                    if let Some(error) = p.last_error { { " · " }<code>{ error }</code> }
                </div>
                if !stopped {
                    <div class="member-actions">
                        <button type="button" class="secondary" onclick={toggle}>{ label }</button>
                        <button type="button" class="danger" onclick={stop}>{ g.stop_producer }</button>
                    </div>
                }
            </li>
        }
    });
    html! {
        <form class="card producers" {onsubmit} aria-label={g.producers}>
            <h2>{ g.producers }</h2>
            <div class="row">
                <label>{ g.producer_name }
                    <input ref={name} name="producer" autocomplete="off" />
                </label>
                <label>{ t.topic }
                    <input ref={topic} name="producer-topic" autocomplete="off" />
                </label>
            </div>
            <div class="row">
                <label>{ g.rate }
                    <input ref={rate} name="rate" inputmode="numeric" />
                </label>
                <label><code>{ "acks" }</code>
                    <select ref={acks} name="producer-acks">
                        <option value="all" selected=true>{ "all" }</option>
                        <option value="1">{ "1" }</option>
                        <option value="0">{ "0" }</option>
                    </select>
                </label>
            </div>
            <label>{ g.keys }
                <select ref={keys} name="keys">
                    <option value="cycle" selected=true>{ g.keys_cycle }</option>
                    <option value="random">{ g.keys_random }</option>
                    <option value="none">{ g.keys_none }</option>
                </select>
            </label>
            <label>{ g.key_list }
                <input ref={key_list} name="key-list" autocomplete="off" />
            </label>
            <button type="submit" disabled={!app.model.ready}>{ g.start_producer }</button>
            <InlineAlert place={Place::Producers} />
            if !producers.is_empty() { <ul class="producer-list">{ for list }</ul> }
        </form>
    }
}
