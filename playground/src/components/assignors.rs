//! The assignors side by side: `range`, `roundrobin`, `sticky` and `cooperative-sticky` on the
//! same members and topics (edited here, or taken from a live group), before and after a
//! member joins, leaves or changes its subscription; moved partitions marked, cooperative's
//! two rebalances as two rows. rill's pure assignor functions; no cluster involved.

use std::collections::BTreeSet;

use rill_core::group::{Assignment, RebalanceProtocol, TopicPartition};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::context::use_app;
use crate::i18n::fill;
use crate::model::assignors::{self, AssignorColumn, AssignorInput, Change, split_list};
use crate::palette::member_colour;

/// Above this many partitions a member's share is summarised as a count.
const CHIPS_MAX: usize = 240;

/// What the person typed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Inputs {
    members: String,
    topics: String,
    /// `join`, `leave` or `resubscribe`.
    change: String,
    member: String,
    member_topics: String,
}

impl Default for Inputs {
    fn default() -> Self {
        Self {
            members: "c1: t1, t2\nc2: t1, t2\nc3: t1, t2".to_owned(),
            topics: "t1:3, t2:2".to_owned(),
            change: "join".to_owned(),
            member: "c4".to_owned(),
            member_topics: "t1, t2".to_owned(),
        }
    }
}

/// The comparison, and how long the four assignors took (ms).
type Outcome = (Result<Vec<AssignorColumn>, String>, f64);

fn compute(inputs: &Inputs) -> Outcome {
    let started = js_sys::Date::now();
    let result = (|| {
        let input = AssignorInput {
            members: assignors::parse_members(&inputs.members)?,
            topics: assignors::parse_topics(&inputs.topics)?,
        };
        let member = inputs.member.trim().to_owned();
        let change = match inputs.change.as_str() {
            "leave" => Change::Leave(member),
            "resubscribe" => Change::Resubscribe(member, split_list(&inputs.member_topics)),
            _ => Change::Join(member, split_list(&inputs.member_topics)),
        };
        assignors::compare(&input, &change)
    })();
    (result, js_sys::Date::now() - started)
}

/// One row of shares; `marked` partitions get `mark_class`, and a member with too many
/// partitions to draw is summarised with `mark_words` (a template of the marked count).
fn share(
    assignment: &Assignment,
    marked: &BTreeSet<TopicPartition>,
    mark_class: &'static str,
    mark_words: &'static str,
) -> Html {
    html! {
        <ul class="shares">
            { for assignment.iter().map(|(member, tps)| {
                let (colour, ink) = member_colour(member);
                html! {
                    <li class="share" data-member={member.clone()} data-count={tps.len().to_string()}
                        style={format!("--member-colour: {colour}; --member-ink: {ink}")}>
                        <span class="share-member">{ member }</span>
                        if tps.len() > CHIPS_MAX {
                            <span class="meta">{ format!("{} ({})", tps.len(), fill(mark_words, &[&tps.iter().filter(|tp| marked.contains(*tp)).count()])) }</span>
                        } else {
                            <span class="chips">
                                { for tps.iter().map(|tp| html! {
                                    <span class={classes!("chip", "tp-chip", marked.contains(tp).then_some(mark_class))}
                                        data-tp={tp.to_string()}>{ tp.to_string() }</span>
                                }) }
                            </span>
                        }
                    </li>
                }
            }) }
        </ul>
    }
}

/// The assignors view.
#[function_component(AssignorsPage)]
pub fn assignors_page() -> Html {
    let app = use_app();
    let g = app.t().groups;
    let inputs = use_state(Inputs::default);
    let outcome = use_memo((*inputs).clone(), compute);
    let members_ref = use_node_ref();
    let topics_ref = use_node_ref();
    let change_ref = use_node_ref();
    let member_ref = use_node_ref();
    let member_topics_ref = use_node_ref();
    crate::hooks::use_initial_value(&topics_ref, inputs.topics.clone());
    crate::hooks::use_initial_value(&member_ref, inputs.member.clone());
    crate::hooks::use_initial_value(&member_topics_ref, inputs.member_topics.clone());
    {
        let node = members_ref.clone();
        use_effect_with(inputs.members.clone(), move |value| {
            if let Some(area) = node.cast::<HtmlTextAreaElement>() {
                area.set_value(value);
            }
        });
    }
    let onsubmit = {
        let inputs = inputs.clone();
        let refs = (
            members_ref.clone(),
            topics_ref.clone(),
            change_ref.clone(),
            member_ref.clone(),
            member_topics_ref.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            inputs.set(Inputs {
                members: refs
                    .0
                    .cast::<HtmlTextAreaElement>()
                    .map(|a| a.value())
                    .unwrap_or_default(),
                topics: input(&refs.1),
                change: refs
                    .2
                    .cast::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default(),
                member: input(&refs.3),
                member_topics: input(&refs.4),
            });
        })
    };
    // Fill the form from a live group.
    let from_groups = app
        .model
        .groups
        .view
        .groups
        .iter()
        .filter(|gr| !gr.members.is_empty())
        .map(|group| {
            let inputs = inputs.clone();
            let topics_view = app.model.view.topics.clone();
            let group = group.clone();
            let label = fill(g.use_group, &[&group.id]);
            let onclick = Callback::from(move |_: MouseEvent| {
                let live: Vec<_> = group
                    .members
                    .iter()
                    .filter(|m| matches!(m.status, "running" | "cut-off"))
                    .collect();
                let topics: BTreeSet<String> = group.topics().into_iter().collect();
                let members = live
                    .iter()
                    .map(|m| {
                        format!(
                            "{}: {}",
                            m.name,
                            topics.iter().cloned().collect::<Vec<_>>().join(", ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                let counts = topics
                    .iter()
                    .filter_map(|t| {
                        topics_view
                            .iter()
                            .find(|v| v.name == *t)
                            .map(|v| format!("{t}:{}", v.partitions.len()))
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let next = (1..)
                    .map(|n| format!("c{n}"))
                    .find(|n| !live.iter().any(|m| m.name == *n))
                    .unwrap_or_default();
                inputs.set(Inputs {
                    members,
                    topics: counts,
                    change: "join".to_owned(),
                    member: next,
                    member_topics: topics.into_iter().collect::<Vec<_>>().join(", "),
                });
            });
            html! { <button type="button" class="secondary" {onclick}>{ label }</button> }
        });
    let large = {
        let inputs = inputs.clone();
        Callback::from(move |_: MouseEvent| {
            let members = (1..=50)
                .map(|n| format!("c{n}: big1, big2"))
                .collect::<Vec<_>>()
                .join("\n");
            inputs.set(Inputs {
                members,
                topics: "big1:500, big2:500".to_owned(),
                change: "join".to_owned(),
                member: "c51".to_owned(),
                member_topics: "big1, big2".to_owned(),
            });
        })
    };
    let (result, took) = &*outcome;
    let columns = match result {
        Ok(columns) => html! {
            <div class="assignor-columns" data-took-ms={format!("{took:.0}")}>
                { for columns.iter().map(|c| {
                    let protocol = match c.protocol {
                        RebalanceProtocol::Cooperative => "COOPERATIVE",
                        RebalanceProtocol::Eager => "EAGER",
                    };
                    let none = BTreeSet::new();
                    html! {
                        <section class="assignor card" data-assignor={c.name} data-moved={c.moved.len().to_string()}
                            data-revoked={c.revoked.len().to_string()} aria-label={c.name}>
                            <div class="section-head"><h3><code>{ c.name }</code></h3><span class="badge">{ protocol }</span></div>
                            <h4>{ g.before }</h4>
                            { share(&c.before, &c.revoked, "revoked", g.revoked_n) }
                            if let Some(first) = &c.first_phase {
                                <h4>{ g.first_phase }</h4>
                                { share(first, &none, "moved", g.moved_n) }
                                <h4>{ g.second_phase }</h4>
                            } else {
                                <h4>{ g.after }</h4>
                            }
                            { share(&c.after, &c.moved, "moved", g.moved_n) }
                            <p class="meta">
                                { fill(g.moved_n, &[&c.moved.len()]) }{ " · " }{ fill(g.revoked_n, &[&c.revoked.len()]) }
                                <br />
                                { if c.protocol == RebalanceProtocol::Eager { g.eager_note } else { g.cooperative_note } }
                            </p>
                        </section>
                    }
                }) }
            </div>
        },
        Err(message) => html! {
            <div class="alert" role="alert" data-error="INVALID_ARGUMENT">
                <span class="alert-kind">{ "INVALID_ARGUMENT" }</span>
                <span class="alert-message">{ message }</span>
            </div>
        },
    };
    html! {
        <div class="layout assignors-view">
            <aside class="controls" aria-label={g.assignors_input}>
                <form class="card assignor-input" {onsubmit} aria-label={g.assignors_input}>
                    <h2>{ g.assignors_input }</h2>
                    <label>{ g.members_label }
                        <textarea ref={members_ref} name="members" rows="5" spellcheck="false" />
                    </label>
                    <label>{ g.topics_label }
                        <input ref={topics_ref} name="topics" autocomplete="off" />
                    </label>
                    <div class="row change-row">
                        <label>{ g.change }
                            <select ref={change_ref} name="change">
                                <option value="join" selected={inputs.change == "join"}>{ g.change_join }</option>
                                <option value="leave" selected={inputs.change == "leave"}>{ g.change_leave }</option>
                                <option value="resubscribe" selected={inputs.change == "resubscribe"}>{ g.change_resubscribe }</option>
                            </select>
                        </label>
                        <label>{ g.member }
                            <input ref={member_ref} name="member" autocomplete="off" />
                        </label>
                    </div>
                    <label>{ g.member_topics }
                        <input ref={member_topics_ref} name="member-topics" autocomplete="off" />
                    </label>
                    <button type="submit">{ g.compare }</button>
                    <div class="row">{ for from_groups }
                        <button type="button" class="secondary" data-action="large-example" onclick={large}>{ g.large_example }</button>
                    </div>
                    <p class="meta took" data-took-ms={format!("{took:.0}")}>{ fill(g.took, &[&format!("{took:.0}")]) }</p>
                </form>
            </aside>
            <main class="main" aria-label={app.t().tab_assignors}>
                <p class="meta">{ g.assignors_hint }</p>
                { columns }
            </main>
        </div>
    }
}
