//! Interactive partition reassignment: pick a partition, edit its new replica list (add,
//! remove, reorder brokers; the first is the preferred leader), start it, watch KIP-455's
//! phases on each replica, cancel it; preferred-leader election; the plan as the JSON
//! `kafka-reassign-partitions.sh --reassignment-json-file` takes, ready to copy.

use wasm_bindgen::JsValue;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::InlineAlert;
use crate::context::use_app;
use crate::engine::Command;
use crate::i18n::fill;
use crate::model::reassign::{self, Phase};
use crate::model::{PartitionView, Place};

fn select_value(e: &Event) -> String {
    e.target_dyn_into::<HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

fn list(brokers: &[u32]) -> String {
    format!(
        "[{}]",
        brokers
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// Copies `text` to the clipboard, when the page may.
fn copy_to_clipboard(text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")) else {
        return;
    };
    let write = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(write) = write {
        let _ = write.call1(&clipboard, &JsValue::from_str(text));
    }
}

use wasm_bindgen::JsCast;

/// The reassignment panel.
#[function_component(Reassign)]
pub fn reassign_panel() -> Html {
    let app = use_app();
    let t = app.t();
    let c = app.lang.cluster();
    let topics: Vec<&crate::model::TopicView> = app.model.view.topics.iter().collect();
    let chosen_topic = use_state(|| None::<String>);
    let chosen_partition = use_state(|| 0u32);
    // The replica list being edited (`None`: the partition's own target).
    let draft = use_state(|| None::<Vec<u32>>);
    let add_choice = use_state(|| None::<u32>);
    // Partitions gathered for one execute: (topic, partition, replicas).
    let plan = use_state(Vec::<(String, u32, Vec<u32>)>::new);
    let topic = chosen_topic
        .as_ref()
        .and_then(|name| topics.iter().find(|t| t.name == *name))
        .or_else(|| topics.first())
        .copied();
    let Some(topic) = topic else {
        return html! {};
    };
    let partition: Option<&PartitionView> = topic
        .partitions
        .iter()
        .find(|p| p.index == *chosen_partition)
        .or_else(|| topic.partitions.first());
    let Some(p) = partition else {
        return html! {};
    };
    let topic_name = topic.name.clone();
    let index = p.index;
    let brokers: Vec<u32> = app.model.view.brokers.iter().map(|b| b.id).collect();
    let current_target = reassign::target(p);
    let edited = (*draft).clone().unwrap_or_else(|| current_target.clone());
    let moving = reassign::in_progress(p);
    let status = app
        .model
        .reassignments
        .get(&(topic_name.clone(), index))
        .cloned();

    let on_topic = {
        let (chosen_topic, chosen_partition, draft) = (
            chosen_topic.clone(),
            chosen_partition.clone(),
            draft.clone(),
        );
        Callback::from(move |e: Event| {
            chosen_topic.set(Some(select_value(&e)));
            chosen_partition.set(0);
            draft.set(None);
        })
    };
    let on_partition = {
        let (chosen_partition, draft) = (chosen_partition.clone(), draft.clone());
        Callback::from(move |i: u32| {
            chosen_partition.set(i);
            draft.set(None);
        })
    };
    let set_draft = |next: Vec<u32>| {
        let draft = draft.clone();
        Callback::from(move |_: MouseEvent| draft.set(Some(next.clone())))
    };
    let chips = edited.iter().enumerate().map(|(i, b)| {
        let removed: Vec<u32> = edited.iter().copied().filter(|x| x != b).collect();
        html! {
            <li class={classes!("draft-broker", (i == 0).then_some("preferred"))} data-broker={b.to_string()}>
                <span class="draft-id">{ fill(t.broker_n, &[b]) }</span>
                if i == 0 { <span class="meta">{ c.preferred_leader }</span> }
                <button type="button" class="secondary icon-button" aria-label={fill(c.move_earlier, &[b])}
                    disabled={i == 0} onclick={set_draft(reassign::moved(&edited, i, true))}>{ "←" }</button>
                <button type="button" class="secondary icon-button" aria-label={fill(c.move_later, &[b])}
                    disabled={i + 1 == edited.len()} onclick={set_draft(reassign::moved(&edited, i, false))}>{ "→" }</button>
                <button type="button" class="secondary icon-button" data-action="reassign-remove" aria-label={fill(c.remove_broker, &[b])}
                    onclick={set_draft(removed)}>{ "×" }</button>
            </li>
        }
    });
    let addable: Vec<u32> = brokers
        .iter()
        .copied()
        .filter(|b| !edited.contains(b))
        .collect();
    let to_add = add_choice
        .filter(|b| addable.contains(b))
        .or_else(|| addable.first().copied());
    let on_add_choice = {
        let add_choice = add_choice.clone();
        Callback::from(move |e: Event| add_choice.set(select_value(&e).parse().ok()))
    };
    let add = to_add.map(|b| {
        let mut next = edited.clone();
        next.push(b);
        set_draft(next)
    });
    let start = {
        let (topic, replicas, draft) = (topic_name.clone(), edited.clone(), draft.clone());
        let engine = app.engine.clone();
        Callback::from(move |_: MouseEvent| {
            engine.run(Command::Reassign {
                topic: topic.clone(),
                partition: index,
                replicas: replicas.clone(),
            });
            draft.set(None);
        })
    };
    let cancel = {
        let topic = topic_name.clone();
        app.command(move |_: MouseEvent| Command::CancelReassignment {
            topic: topic.clone(),
            partition: index,
        })
    };
    let elect = {
        let topic = topic_name.clone();
        app.command(move |_: MouseEvent| Command::ElectPreferred {
            topic: topic.clone(),
            partition: Some(index),
        })
    };
    let add_to_plan = {
        let (plan, draft) = (plan.clone(), draft.clone());
        let entry = (topic_name.clone(), index, edited.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next: Vec<_> = plan
                .iter()
                .filter(|(t, p, _)| !(*t == entry.0 && *p == entry.1))
                .cloned()
                .collect();
            next.push(entry.clone());
            plan.set(next);
            draft.set(None);
        })
    };
    let start_plan = {
        let plan = plan.clone();
        let engine = app.engine.clone();
        Callback::from(move |_: MouseEvent| {
            engine.run(Command::ReassignPlan((*plan).clone()));
            plan.set(Vec::new());
        })
    };
    let plan_rows = plan.iter().map(|(t, p, replicas)| {
        let remove = {
            let plan = plan.clone();
            let (t, p) = (t.clone(), *p);
            Callback::from(move |_: MouseEvent| {
                plan.set(plan.iter().filter(|(u, q, _)| !(*u == t && *q == p)).cloned().collect());
            })
        };
        html! {
            <li class="plan-entry" data-topic={t.clone()} data-partition={p.to_string()}>
                <span class="text">{ format!("{t}-{p} → {}", list(replicas)) }</span>
                <button type="button" class="secondary icon-button" aria-label={fill(c.remove_from_plan, &[&format!("{t}-{p}")])}
                    onclick={remove}>{ "×" }</button>
            </li>
        }
    });
    let json = if plan.is_empty() {
        reassign::plan_json(&[(topic_name.clone(), index, edited.clone())])
    } else {
        reassign::plan_json(&plan)
    };
    let copy = {
        let json = json.clone();
        Callback::from(move |_: MouseEvent| copy_to_clipboard(&json))
    };
    let phases = reassign::phases(p);
    let phase_rows = phases.iter().map(|(b, phase)| {
        let (class, text) = match phase {
            Phase::CatchingUp { behind: Some(n) } => {
                ("catching-up", fill(c.phase_catching_up, &[n]))
            }
            Phase::CatchingUp { behind: None } => ("catching-up", c.phase_offline.to_owned()),
            Phase::JoinedIsr => ("joined-isr", c.phase_joined_isr.to_owned()),
            Phase::Leaving => ("leaving", c.phase_leaving.to_owned()),
            Phase::Staying => ("staying", c.phase_staying.to_owned()),
        };
        html! {
            <li class={classes!("phase", class)} data-broker={b.to_string()} data-phase={class}>
                <strong>{ fill(t.broker_n, &[b]) }</strong>{ " · " }{ text }
            </li>
        }
    });
    let state_text = if moving {
        fill(c.reassign_in_progress, &[&list(&current_target)])
    } else if let Some(done) = status.as_ref().filter(|s| s.completed_at.is_some()) {
        fill(
            c.reassign_completed,
            &[
                &list(&done.target),
                &(done.completed_at.unwrap_or(done.started_at) - done.started_at),
            ],
        )
    } else {
        c.reassign_idle.to_owned()
    };
    let state = if moving {
        "in-progress"
    } else if status.as_ref().is_some_and(|s| s.completed_at.is_some()) {
        "completed"
    } else {
        "idle"
    };
    let unchanged = edited == p.replicas && !moving;

    html! {
        <section class="card reassign" aria-label={c.reassign_title} data-topic={topic_name.clone()}
            data-partition={index.to_string()} data-state={state}>
            <div class="section-head">
                <h2>{ c.reassign_title }</h2>
                <span class="meta">{ "KIP-455" }</span>
            </div>
            <div class="row">
                <label>{ t.topic }
                    <select name="reassign-topic" onchange={on_topic}>
                        { for topics.iter().map(|tv| html! {
                            <option value={tv.name.clone()} selected={tv.name == topic_name}>{ tv.name.clone() }</option>
                        }) }
                    </select>
                </label>
                <label>{ c.partition }
                    <crate::components::PartitionPicker name="reassign-partition" count={topic.partitions.len() as u32}
                        value={index} on_pick={on_partition} />
                </label>
            </div>
            <p class="meta reassign-now" data-replicas={list(&p.replicas)}>
                { fill(c.replicas_now, &[&list(&p.replicas), &p.leader.map_or("—".to_owned(), |l| l.to_string()), &list(&p.isr), &p.leader_epoch]) }
            </p>
            <p class="reassign-state" role="status" aria-live="polite">{ state_text }</p>
            if !phases.is_empty() {
                <ol class="phases" aria-label={c.phases}>{ for phase_rows }</ol>
            }
            <div class="draft">
                <span class="meta">{ c.new_replicas }</span>
                <ol class="draft-list" aria-label={c.new_replicas} data-replicas={list(&edited)}>{ for chips }</ol>
                <div class="inline-form">
                    <label>{ c.add_broker }
                        <select name="reassign-add" onchange={on_add_choice} disabled={addable.is_empty()}>
                            { for addable.iter().map(|b| html! {
                                <option value={b.to_string()} selected={Some(*b) == to_add}>{ fill(t.broker_n, &[b]) }</option>
                            }) }
                        </select>
                    </label>
                    <button type="button" class="secondary" data-action="reassign-add" disabled={add.is_none()}
                        onclick={add.unwrap_or_default()}>{ c.add }</button>
                </div>
            </div>
            <div class="row">
                <button type="button" data-action="reassign-start" disabled={unchanged || edited.is_empty()} onclick={start}>{ c.start_reassignment }</button>
                <button type="button" class="secondary" data-action="reassign-cancel" disabled={!moving} onclick={cancel}>{ c.cancel_reassignment }</button>
                <button type="button" class="secondary" data-action="elect-preferred-one" onclick={elect}>{ c.elect_this }</button>
                <button type="button" class="secondary" data-action="plan-add" disabled={edited.is_empty()} onclick={add_to_plan}>{ c.add_to_plan }</button>
            </div>
            if !plan.is_empty() {
                <div class="plan-list">
                    <span class="meta">{ fill(c.plan_n, &[&plan.len()]) }</span>
                    <ol>{ for plan_rows }</ol>
                    <button type="button" data-action="plan-start" onclick={start_plan}>{ c.start_plan }</button>
                </div>
            }
            <InlineAlert place={Place::Reassign} />
            <details class="plan">
                <summary>{ c.plan_json }</summary>
                <pre class="json" data-plan="">{ json }</pre>
                <button type="button" class="secondary" data-action="copy-plan" onclick={copy}>{ c.copy }</button>
            </details>
        </section>
    }
}
