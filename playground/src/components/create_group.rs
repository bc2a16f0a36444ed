//! The create-group form: `group.id`, topics, `partition.assignment.strategy` (in order),
//! static members, the timeouts, `auto.offset.reset`, how members commit, `max.poll.records`,
//! processing time per record, and how many members start.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::InlineAlert;
use crate::context::use_app;
use crate::engine::{Command, GroupCommand, GroupForm};
use crate::model::Place;

/// Assignor lists offered, most preferred first (free text is accepted too).
const STRATEGIES: [&str; 6] = [
    "range",
    "cooperative-sticky",
    "range,cooperative-sticky",
    "roundrobin",
    "sticky",
    "cooperative-sticky,range",
];

/// The create-group form.
#[function_component(CreateGroup)]
pub fn create_group() -> Html {
    let app = use_app();
    let t = app.t();
    let g = t.groups;
    let refs = use_memo((), |_| {
        (0..11)
            .map(|_| NodeRef::default())
            .collect::<Vec<NodeRef>>()
    });
    let [
        group,
        topics,
        assignors,
        session,
        max_poll,
        reset,
        commit,
        interval,
        records,
        processing,
        members,
    ] = std::array::from_fn(|i| refs[i].clone());
    let static_members = use_node_ref();
    let first_topic = app
        .model
        .view
        .topics
        .first()
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let next_group = (1..)
        .map(|n| format!("g{n}"))
        .find(|id| app.model.groups.view.group(id).is_none())
        .unwrap_or_default();
    // Every config starts at Kafka's consumer default.
    let defaults = GroupForm::kafka_defaults(next_group, first_topic);
    crate::hooks::use_initial_value(&group, defaults.group);
    crate::hooks::use_initial_value(&topics, defaults.topics);
    crate::hooks::use_initial_value(&assignors, defaults.assignors);
    crate::hooks::use_initial_value(&session, defaults.session_timeout_ms);
    crate::hooks::use_initial_value(&max_poll, defaults.max_poll_interval_ms);
    crate::hooks::use_initial_value(&interval, defaults.auto_commit_interval_ms);
    crate::hooks::use_initial_value(&records, defaults.max_poll_records);
    crate::hooks::use_initial_value(&processing, defaults.processing_ms);
    crate::hooks::use_initial_value(&members, defaults.members);
    let onsubmit = {
        let refs = refs.clone();
        let static_members = static_members.clone();
        app.command(move |e: SubmitEvent| {
            e.prevent_default();
            let read = |i: usize| {
                let r = &refs[i];
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .or_else(|| r.cast::<HtmlSelectElement>().map(|s| s.value()))
                    .unwrap_or_default()
            };
            Command::Group(GroupCommand::Create(GroupForm {
                group: read(0),
                topics: read(1),
                assignors: read(2),
                session_timeout_ms: read(3),
                max_poll_interval_ms: read(4),
                auto_offset_reset: read(5),
                commit: read(6),
                auto_commit_interval_ms: read(7),
                max_poll_records: read(8),
                processing_ms: read(9),
                members: read(10),
                static_members: static_members
                    .cast::<HtmlInputElement>()
                    .is_some_and(|i| i.checked()),
            }))
        })
    };
    html! {
        <form class="card create-group" {onsubmit} aria-label={g.create_group}>
            <h2>{ g.create_group }</h2>
            <div class="row">
                <label><code>{ "group.id" }</code>
                    <input ref={group} name="group" autocomplete="off" maxlength="249" />
                </label>
                <label>{ g.members_to_start }
                    <input ref={members} name="members" inputmode="numeric" />
                </label>
            </div>
            <label>{ g.topics }
                <input ref={topics} name="topics" autocomplete="off" placeholder="orders, payments" />
            </label>
            <label><code>{ "partition.assignment.strategy" }</code>
                <input ref={assignors} name="assignors" list="assignor-lists" autocomplete="off" />
                <small>{ g.strategy_hint }</small>
            </label>
            <datalist id="assignor-lists">
                { for STRATEGIES.iter().map(|s| html! { <option value={*s} /> }) }
            </datalist>
            <label class="toggle">
                <input ref={static_members.clone()} type="checkbox" name="static" />
                { g.static_members }
            </label>
            <label><code>{ "auto.offset.reset" }</code>
                <select ref={reset} name="auto-offset-reset">
                    <option value="latest" selected=true>{ "latest" }</option>
                    <option value="earliest">{ "earliest" }</option>
                    <option value="none">{ "none" }</option>
                </select>
            </label>
            <label>{ g.commits }
                <select ref={commit} name="commit">
                    <option value="auto" selected=true>{ g.commit_auto }</option>
                    <option value="sync">{ g.commit_sync }</option>
                    <option value="async">{ g.commit_async }</option>
                    <option value="none">{ g.commit_none }</option>
                </select>
            </label>
            <div class="row">
                <label>{ g.processing_ms }
                    <input ref={processing} name="processing-ms" inputmode="numeric" />
                </label>
                <label><code>{ "max.poll.records" }</code>
                    <input ref={records} name="max-poll-records" inputmode="numeric" />
                </label>
            </div>
            <details>
                <summary>{ g.timeouts }</summary>
                <label><code>{ "session.timeout.ms" }</code>
                    <input ref={session} name="session-timeout-ms" inputmode="numeric" />
                </label>
                <label><code>{ "max.poll.interval.ms" }</code>
                    <input ref={max_poll} name="max-poll-interval-ms" inputmode="numeric" />
                </label>
                <label><code>{ "auto.commit.interval.ms" }</code>
                    <input ref={interval} name="auto-commit-interval-ms" inputmode="numeric" />
                </label>
            </details>
            <button type="submit" disabled={!app.model.ready}>{ t.create }</button>
            <InlineAlert place={Place::CreateGroup} />
        </form>
    }
}
