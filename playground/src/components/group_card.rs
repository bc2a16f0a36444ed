//! One consumer group: its state badge, generation, leader, protocol (and why), coordinator;
//! member cards with their partitions and one-click faults; `kafka-consumer-groups
//! --describe`'s table; reset offsets and delete; the rebalance timeline and the lag plot.

use rill_core::group::RebalanceProtocol;
use rill_core::group::coordinator::GroupState;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::InlineAlert;
use crate::components::clock_text;
use crate::components::group_timeline::{LagPlot, RebalanceTimeline};
use crate::context::use_app;
use crate::engine::{Command, GroupCommand, ResetForm};
use crate::i18n::{GroupStrings, fill};
use crate::model::Place;
use crate::model::groups::{GroupView, MemberCard, MemberNote};
use crate::palette::member_colour;

/// The state's badge class.
fn state_class(state: GroupState) -> &'static str {
    match state {
        GroupState::Stable => "ok",
        GroupState::Empty | GroupState::Dead => "idle",
        GroupState::PreparingRebalance | GroupState::CompletingRebalance => "warn",
    }
}

/// A member status in the language.
pub fn status_text(g: &GroupStrings, status: &str) -> &'static str {
    match status {
        "running" => g.status_running,
        "cut-off" => g.status_cut_off,
        "leaving" => g.status_leaving,
        "left" => g.status_left,
        _ => g.status_crashed,
    }
}

/// Props of [`GroupCard`].
#[derive(Properties, PartialEq, Debug)]
pub struct GroupCardProps {
    /// The group.
    pub group: GroupView,
}

fn member_card(
    app: &crate::context::AppContext,
    group: &str,
    m: &MemberCard,
    note: Option<&MemberNote>,
) -> Html {
    let t = app.t();
    let g = t.groups;
    let (colour, ink) = member_colour(&m.name);
    let origin = app.model.origin.unwrap_or(0);
    let running = matches!(m.status, "running" | "cut-off");
    let (gid, name) = (group.to_owned(), m.name.clone());
    let act = |f: fn(String, String) -> GroupCommand| {
        let (gid, name) = (gid.clone(), name.clone());
        app.command(move |_: MouseEvent| Command::Group(f(gid.clone(), name.clone())))
    };
    let slow = {
        let (gid, name) = (gid.clone(), name.clone());
        app.command(move |_: MouseEvent| {
            Command::Group(GroupCommand::Slow(gid.clone(), name.clone(), None))
        })
    };
    let label = format!("{} {}: {}", g.member, m.name, status_text(g, m.status));
    // Position resets of the partitions it holds now (a partition that moved on is not its).
    let resets = note
        .map(|n| {
            n.resets
                .iter()
                .filter(|(tp, _)| m.partitions.iter().any(|(held, _)| held == *tp))
                .map(|(tp, (offset, at))| format!("{tp} → {offset} ({})", clock_text(*at, origin)))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    html! {
        <li class={classes!("member", m.status.to_owned())} data-member={m.name.clone()} data-status={m.status}
            style={format!("--member-colour: {colour}; --member-ink: {ink}")} aria-label={label}>
            <div class="member-head">
                <strong class="member-name">{ &m.name }</strong>
                if m.leader { <span class="chip leader-chip">{ g.leader }</span> }
                <span class={classes!("state", m.status.to_owned())}>{ status_text(g, m.status) }</span>
            </div>
            <div class="meta">
                if let Some(id) = &m.instance_id { <span title="group.instance.id">{ fill(g.static_id, &[id]) }</span>{ " · " } }
                if let Some(generation) = m.generation { <span>{ fill(g.generation_n, &[&generation]) }</span> }
                if m.busy { { " · " }<span>{ g.busy }</span> }
                if m.processing_ms > 0 { { " · " }<span>{ fill(g.per_record, &[&m.processing_ms]) }</span> }
            </div>
            if let Some((exception, message)) = note.and_then(|n| n.poll_error.as_ref()) {
                <p class="poll-error" role="status" data-exception={exception.clone()} title={message.clone()}>
                    <strong>{ exception }</strong>{ ": " }{ message }
                </p>
            }
            if !resets.is_empty() {
                <p class="meta resets" title="auto.offset.reset">{ fill(g.reset_positions, &[&resets]) }</p>
            }
            <ul class="member-partitions" aria-label={g.partitions}>
                if m.partitions.is_empty() { <li class="meta">{ g.no_partitions }</li> }
                { for m.partitions.iter().map(|(tp, position)| html! {
                    <li class="owned" data-tp={tp.to_string()}
                        title={position.map(|p| fill(g.position_n, &[&p])).unwrap_or_default()}>
                        <span class="tp">{ tp.to_string() }</span>
                        if let Some(p) = position { <span class="pos">{ format!("@{p}") }</span> }
                    </li>
                }) }
            </ul>
            <div class="member-actions">
                if running {
                    <button type="button" class="secondary" title={g.leave_hint} onclick={act(GroupCommand::Leave)}>{ g.leave }</button>
                    <button type="button" class="danger" title={g.crash_hint} onclick={act(GroupCommand::Crash)}>{ g.crash }</button>
                    <button type="button" class="secondary" title={g.cut_hint} disabled={m.status == "cut-off"} onclick={act(GroupCommand::Cut)}>{ g.cut_off }</button>
                    <button type="button" class="secondary" title={g.slow_hint} onclick={slow}>{ g.slow }</button>
                }
                <button type="button" class="secondary" title={g.restart_hint} onclick={act(GroupCommand::Restart)}>{ g.restart }</button>
            </div>
        </li>
    }
}

/// One group.
#[function_component(GroupCard)]
pub fn group_card(props: &GroupCardProps) -> Html {
    let app = use_app();
    let t = app.t();
    let g = t.groups;
    let group = &props.group;
    let id = group.id.clone();
    let reset_to = use_node_ref();
    let reset_value = use_node_ref();
    let (state_name, state_cls) = match &group.state {
        Ok(state) => (state.name().to_owned(), state_class(*state)),
        Err(error) => (error.clone(), "warn"),
    };
    let protocol = match group.protocol.protocol {
        RebalanceProtocol::Cooperative => g.protocol_cooperative.to_owned(),
        RebalanceProtocol::Eager if group.protocol.eager_only.is_empty() => {
            g.protocol_eager.to_owned()
        }
        RebalanceProtocol::Eager => fill(
            g.protocol_eager_why,
            &[&group.protocol.eager_only.join(", ")],
        ),
    };
    let coordinator = match group.coordinator {
        Some(b) => fill(g.coordinator_n, &[&b, &group.offsets_partition]),
        None => fill(g.no_coordinator, &[&group.offsets_partition]),
    };
    // The group's spec: the form's; else, for a group the coordinator knows but with no member
    // application here (after a reload), Kafka's defaults on its topics; else (members here)
    // the engine takes the last member's.
    let created = app.model.groups.templates.get(&id).cloned();
    let defaults = created.is_none() && group.members.is_empty();
    let template = if defaults {
        group.default_template()
    } else {
        created
    };
    let configs_unknown = defaults && template.is_none();
    let add = {
        let id = id.clone();
        app.command(move |_: MouseEvent| {
            Command::Group(GroupCommand::AddMember(id.clone(), template.clone()))
        })
    };
    let delete = {
        let id = id.clone();
        app.command(move |_: MouseEvent| Command::Group(GroupCommand::Delete(id.clone())))
    };
    let reset = {
        let (id, to, value) = (id.clone(), reset_to.clone(), reset_value.clone());
        app.command(move |e: SubmitEvent| {
            e.prevent_default();
            Command::Group(GroupCommand::Reset(
                id.clone(),
                ResetForm {
                    to: to
                        .cast::<HtmlSelectElement>()
                        .map(|s| s.value())
                        .unwrap_or_default(),
                    value: value
                        .cast::<HtmlInputElement>()
                        .map(|i| i.value())
                        .unwrap_or_default(),
                },
            ))
        })
    };
    let history = app
        .model
        .groups
        .history
        .get(&id)
        .cloned()
        .unwrap_or_default();
    let origin = app.model.origin.unwrap_or(0);
    let now = app.model.groups.view.now;
    let active = group.is_active();
    html! {
        <section class="group card" data-group={id.clone()} data-state={state_name.clone()}
            data-generation={group.generation.to_string()} data-protocol={group.protocol.protocol.name()}
            aria-label={fill(g.group_n, &[&id])}>
            <div class="group-head">
                <h3>{ &id }</h3>
                <span class={classes!("badge", "group-state", state_cls)} title={g.state_hint}>{ state_name }</span>
                <span class="meta">{ fill(g.generation_n, &[&group.generation]) }</span>
                if let Some(leader) = &group.leader { <span class="meta">{ fill(g.leader_n, &[leader]) }</span> }
                if !group.assignor.is_empty() { <span class="meta"><code>{ &group.assignor }</code></span> }
            </div>
            <p class="group-facts meta">
                <span class="protocol" data-protocol={group.protocol.protocol.name()}>{ protocol }</span>
                <br />
                <span class="coordinator">{ coordinator }</span>
            </p>
            if !group.members.is_empty() {
                <ol class="members">
                    { for group.members.iter().map(|m| member_card(&app, &id, m, history.notes.get(&m.name))) }
                </ol>
            }
            if group.foreign_members > 0 {
                <p class="meta foreign-members" data-foreign={group.foreign_members.to_string()}>{ fill(g.foreign_members, &[&group.foreign_members]) }</p>
            }
            if defaults {
                <p class="meta no-members">{ if configs_unknown { g.no_members_hint } else { g.default_members_hint } }</p>
            }
            <div class="group-actions">
                <button type="button" onclick={add} disabled={configs_unknown}>{ g.add_member }</button>
                <button type="button" class="secondary" title={g.heal_hint}
                    onclick={app.command(|_: MouseEvent| Command::Heal)}>{ t.heal }</button>
                <span class="lag-total" data-lag={group.lag.to_string()}>{ fill(g.lag_n, &[&group.lag]) }</span>
                <span class="meta" title={g.stats_hint}>{ fill(g.stats, &[&group.processed, &group.duplicates, &group.skipped]) }</span>
            </div>
            <InlineAlert place={Place::Group(id.clone())} />
            <RebalanceTimeline history={history.clone()} {now} />
            <LagPlot history={history.clone()} {now} />
            <details class="commits">
                <summary>{ fill(g.commits_n, &[&history.commits.len()]) }</summary>
                if history.commits.is_empty() { <p class="meta">{ g.no_commits }</p> }
                <ol class="commit-list">
                    { for history.commits.iter().rev().map(|c| html! {
                        <li class={classes!("commit", c.error.is_some().then_some("failed"))} data-origin={c.origin}>
                            <span class="meta">{ clock_text(c.at, origin) }</span>
                            <span class="member-name">{ &c.member }</span>
                            <code>{ c.origin }</code>
                            <span class="commit-offsets">{ c.offsets.iter().map(|(tp, o)| format!("{tp}={o}")).collect::<Vec<_>>().join(" ") }</span>
                            if let Some(error) = &c.error { <span class="field-error">{ error }</span> }
                        </li>
                    }) }
                </ol>
            </details>
            <details class="describe">
                <summary>{ "kafka-consumer-groups --describe" }</summary>
                <div class="table-scroll">
                    <table>
                        <thead><tr>
                            <th>{ "TOPIC" }</th><th>{ "PARTITION" }</th><th>{ "CURRENT-OFFSET" }</th>
                            <th>{ "LOG-END-OFFSET" }</th><th>{ "LAG" }</th><th>{ "CONSUMER-ID" }</th><th>{ "CLIENT-ID" }</th>
                        </tr></thead>
                        <tbody>
                            { for group.partitions.iter().map(|p| {
                                let below_start = p.committed.zip(p.log_start_offset).is_some_and(|(c, s)| c < s);
                                let dash = || "-".to_owned();
                                html! {
                                    <tr data-tp={p.tp.to_string()} class={classes!(below_start.then_some("below-start"))}
                                        title={if below_start { g.below_start } else { "" }}>
                                        <td>{ &p.tp.topic }</td><td>{ p.tp.partition }</td>
                                        <td>{ p.committed.map_or_else(dash, |c| c.to_string()) }</td>
                                        <td>{ p.log_end_offset.map_or_else(dash, |c| c.to_string()) }</td>
                                        <td class="lag">{ p.lag.map_or_else(dash, |c| c.to_string()) }</td>
                                        <td class="member-id">{ p.member_id.clone().unwrap_or_else(dash) }</td>
                                        <td>{ p.owner.clone().unwrap_or_else(dash) }</td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            </details>
            <details class="reset">
                <summary>{ g.reset_offsets }</summary>
                <form class="inline-form" onsubmit={reset}>
                    <label>{ g.reset_to }
                        <select ref={reset_to} name="reset-to">
                            <option value="earliest">{ "--to-earliest" }</option>
                            <option value="latest">{ "--to-latest" }</option>
                            <option value="offset">{ "--to-offset" }</option>
                            <option value="shift">{ "--shift-by" }</option>
                            <option value="datetime">{ "--to-datetime (ms)" }</option>
                        </select>
                    </label>
                    <label>{ g.reset_value }
                        <input ref={reset_value} name="reset-value" inputmode="numeric" />
                    </label>
                    <button type="submit" class="secondary" disabled={active}>{ g.reset }</button>
                    <button type="button" class="danger" disabled={active} onclick={delete}>{ g.delete_group }</button>
                </form>
                <p class="meta">{ g.reset_hint }</p>
            </details>
        </section>
    }
}
