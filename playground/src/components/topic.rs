//! A topic: its partitions as rows — replicas on their brokers (leader solid, in-sync followers
//! outlined, out-of-sync hatched, offline greyed), the ISR, the leader epoch, then the lane —
//! and the topic's admin controls (configs that matter for replication, add partitions with
//! the key-move preview, delete records, delete topic, preferred election).

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::{InlineAlert, LaneView};
use crate::context::use_app;
use crate::engine::Command;
use crate::i18n::fill;
use crate::model::{Action, LANES_PER_PAGE, PartitionView, Place, ReplicaState, TopicView};

/// Keys listed in the add-partitions preview at most; the rest are counted.
const MOVED_KEYS_LISTED_MAX: usize = 5;

/// Props of [`TopicCard`].
#[derive(Properties, PartialEq, Debug)]
pub struct TopicCardProps {
    /// The topic.
    pub topic: TopicView,
}

fn replica_chips(p: &PartitionView) -> Html {
    html! {
        <ol class="replicas" aria-label="replicas">
            { for p.replica_views.iter().map(|r| {
                let state = match r.state {
                    ReplicaState::Leader => "leader",
                    ReplicaState::InSync => "in-sync",
                    ReplicaState::OutOfSync => "out-of-sync",
                    ReplicaState::Offline => "offline",
                };
                let leo = r.log_end_offset.map_or_else(|| "—".to_owned(), |o| o.to_string());
                let mut label = format!("broker {} {state}, log end offset {leo}", r.broker);
                if r.adding { label.push_str(", being added"); }
                if r.removing { label.push_str(", being removed"); }
                html! {
                    <li class={classes!("replica", state, r.adding.then_some("adding"), r.removing.then_some("removing"))}
                        data-broker={r.broker.to_string()} data-state={state} aria-label={label.clone()} title={label}>
                        <span class="replica-broker">{ r.broker }</span>
                        <span class="replica-leo">{ leo }</span>
                    </li>
                }
            }) }
        </ol>
    }
}

/// One topic card.
#[function_component(TopicCard)]
pub fn topic_card(props: &TopicCardProps) -> Html {
    let app = use_app();
    let t = app.t();
    let topic = &props.topic;
    let name = topic.name.clone();
    let count = topic.partitions.len() as u32;
    let first = app
        .model
        .lane_pages
        .get(&name)
        .copied()
        .unwrap_or(0)
        .min(count.saturating_sub(1));
    let last = (first + LANES_PER_PAGE).min(count);
    let confirm = use_state(|| None::<Command>);
    let partitions_ref = use_node_ref();
    let delete_partition = use_state(|| 0u32);
    let delete_offset_ref = use_node_ref();
    let min_isr_ref = use_node_ref();
    crate::hooks::use_initial_value(
        &min_isr_ref,
        topic.config.min_insync_replicas.to_string().to_string(),
    );

    let rows = topic.partitions.iter().filter(|p| p.index >= first && p.index < last).map(|p| {
        let election = app.model.election(&name, p.index).cloned();
        let deleted: Vec<_> = app.model.deleted.iter()
            .filter(|d| d.topic == name && d.partition == p.index).cloned().collect();
        let leader = p.leader.map_or_else(|| t.no_leader.to_owned(), |l| format!("{} {l}", t.leader));
        html! {
            <li class={classes!("partition", p.is_offline().then_some("offline"), p.is_under_replicated().then_some("under-replicated"), election.is_some().then_some("elected"))}
                data-partition={p.index.to_string()} data-leader={p.leader.map(|l| l.to_string()).unwrap_or_default()}
                data-epoch={p.leader_epoch.to_string()} data-isr={p.isr.iter().map(u32::to_string).collect::<Vec<_>>().join(",")}
                data-hw={p.high_watermark.to_string()} data-leo={p.log_end_offset.to_string()}>
                <div class="partition-info">
                    <span class="partition-name">{ fill(t.partition_n, &[&p.index]) }</span>
                    <span class="leader-line">{ leader }{ format!(" · {} {}", t.epoch, p.leader_epoch) }</span>
                    <span class="isr meta">{ format!("ISR [{}]", p.isr.iter().map(u32::to_string).collect::<Vec<_>>().join(",")) }</span>
                    { replica_chips(p) }
                    if let Some(e) = election {
                        <span class="election" role="status">{
                            format!("{} → {} · epoch {} · {}",
                                e.from.map_or("—".to_owned(), |b| b.to_string()),
                                e.to.map_or("—".to_owned(), |b| b.to_string()), e.epoch, e.reason)
                        }</span>
                    }
                </div>
                if let Some(lane) = p.lane.clone() {
                    <LaneView topic={name.clone()} partition={p.clone()} {lane} {deleted} />
                }
            </li>
        }
    });

    let page = |to: u32| {
        let dispatcher = app.model.dispatcher();
        let topic = name.clone();
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(Action::LanePage {
                topic: topic.clone(),
                first: to,
            })
        })
    };
    let read_input = |r: &NodeRef| {
        r.cast::<HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default()
    };

    let on_preview = {
        let topic = name.clone();
        app.command(move |e: InputEvent| Command::PreviewPartitions {
            topic: topic.clone(),
            total: e
                .target_dyn_into::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default(),
        })
    };
    let on_add = {
        let topic = name.clone();
        let r = partitions_ref.clone();
        app.command(move |e: SubmitEvent| {
            e.prevent_default();
            Command::AddPartitions {
                topic: topic.clone(),
                total: read_input(&r),
            }
        })
    };
    let ask = |command: Command| {
        let confirm = confirm.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            confirm.set(Some(command.clone()));
        })
    };
    let on_delete_records = {
        let confirm = confirm.clone();
        let topic = name.clone();
        let partition = *delete_partition;
        let r = delete_offset_ref.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            confirm.set(Some(Command::DeleteRecords {
                topic: topic.clone(),
                partition,
                before: read_input(&r),
            }));
        })
    };
    let on_partition_choice = {
        let delete_partition = delete_partition.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = e
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|s| s.value().parse().ok())
            {
                delete_partition.set(v);
            }
        })
    };
    let on_min_isr = {
        let topic = name.clone();
        let r = min_isr_ref.clone();
        app.command(move |e: SubmitEvent| {
            e.prevent_default();
            Command::AlterConfig {
                topic: topic.clone(),
                name: "min.insync.replicas".into(),
                value: Some(read_input(&r).trim().to_owned()),
            }
        })
    };
    let unclean = topic.config.unclean_leader_election_enable;
    let on_unclean = {
        let topic = name.clone();
        app.command(move |_: Event| Command::AlterConfig {
            topic: topic.clone(),
            name: "unclean.leader.election.enable".into(),
            value: Some((!unclean).to_string()),
        })
    };
    let on_elect = {
        let topic = name.clone();
        app.command(move |_: MouseEvent| Command::ElectPreferred {
            topic: topic.clone(),
            partition: None,
        })
    };
    let preview = app.model.key_moves.get(&name).map(|preview| match &preview.moves {
        Ok(moves) if moves.is_empty() => html! { <p class="preview meta">{ t.no_key_moves }</p> },
        Ok(moves) => html! {
            <div class="preview">
                <p class="meta">{ fill(t.keys_move, &[&moves.len()]) }</p>
                <ul class="moved-keys">
                    { for moves.iter().take(MOVED_KEYS_LISTED_MAX).map(|m| html! {
                        <li><code>{ String::from_utf8_lossy(&m.key).into_owned() }</code>{ format!(" P{} → P{}", m.from, m.to) }</li>
                    }) }
                    if moves.len() > MOVED_KEYS_LISTED_MAX { <li class="meta">{ format!("+{}", moves.len() - MOVED_KEYS_LISTED_MAX) }</li> }
                </ul>
            </div>
        },
        Err(alert) => html! { <p class="preview field-error" role="alert">{ format!("{}: {}", alert.kind, alert.message) }</p> },
    });
    let confirmation = (*confirm).clone().map(|command| {
        let text = match &command {
            Command::DeleteTopic(topic) => fill(t.confirm_delete_topic, &[topic]),
            Command::DeleteRecords {
                topic,
                partition,
                before,
            } => fill(t.confirm_delete_records, &[topic, partition, before]),
            _ => String::new(),
        };
        let run = {
            let confirm = confirm.clone();
            let engine = app.engine.clone();
            let command = command.clone();
            Callback::from(move |_: MouseEvent| {
                engine.run(command.clone());
                confirm.set(None);
            })
        };
        let cancel = {
            let confirm = confirm.clone();
            Callback::from(move |_: MouseEvent| confirm.set(None))
        };
        html! {
            <div class="confirm" role="alertdialog" aria-label={text.clone()}>
                <span>{ text }</span>
                <button type="button" class="danger" onclick={run}>{ t.yes_delete }</button>
                <button type="button" class="secondary" onclick={cancel}>{ t.cancel }</button>
            </div>
        }
    });

    html! {
        <article class="topic" data-topic={name.clone()} aria-label={format!("{} {}", t.topic, name)}>
            <div class="topic-head">
                <h2 class="topic-name" title={name.clone()}>{ name.clone() }</h2>
                <span class="meta">{ format!("{} {} · RF {} · min.insync.replicas={} · cleanup.policy={}",
                    count, t.partitions, topic.partitions.first().map_or(0, |p| p.replicas.len()),
                    topic.config.min_insync_replicas, topic.config.cleanup_policy.as_kafka_str()) }</span>
            </div>
            <details class="topic-controls">
                <summary>{ format!("{} · {} · {}", t.add_partitions, t.delete_records, t.delete_topic) }</summary>
                <div class="control-grid">
                    <form class="inline-form" onsubmit={on_min_isr}>
                        <label>{ "min.insync.replicas" }
                            <input ref={min_isr_ref} inputmode="numeric" />
                        </label>
                        <button type="submit" class="secondary">{ "✓" }</button>
                    </form>
                    <label class="toggle">
                        <input type="checkbox" checked={unclean} onchange={on_unclean} />
                        { "unclean.leader.election.enable" }
                    </label>
                    <button type="button" class="secondary" onclick={on_elect}>{ t.elect_preferred }</button>
                    <form class="inline-form" onsubmit={on_add}>
                        <label>{ t.add_partitions }
                            <input ref={partitions_ref} inputmode="numeric" placeholder={(count + 1).to_string()} oninput={on_preview} />
                        </label>
                        <button type="submit" class="secondary">{ t.add_partitions }</button>
                    </form>
                    { preview.unwrap_or_default() }
                    <form class="inline-form" onsubmit={on_delete_records}>
                        <label>{ t.partitions }
                            <select onchange={on_partition_choice}>
                                { for (0..count).map(|i| html! { <option value={i.to_string()} selected={i == *delete_partition}>{ fill(t.partition_n, &[&i]) }</option> }) }
                            </select>
                        </label>
                        <label>{ t.delete_records }
                            <input ref={delete_offset_ref} inputmode="numeric" placeholder="-1 = HW" />
                        </label>
                        <button type="submit" class="secondary">{ t.delete_records }</button>
                    </form>
                    <form class="inline-form" onsubmit={ask(Command::DeleteTopic(name.clone()))}>
                        <button type="submit" class="danger">{ t.delete_topic }</button>
                    </form>
                </div>
                { confirmation.unwrap_or_default() }
            </details>
            <InlineAlert place={Place::Topic(name.clone())} />
            <ol class="partitions">{ for rows }</ol>
            if count > LANES_PER_PAGE {
                <nav class="pager" aria-label="partitions">
                    <button type="button" class="secondary" disabled={first == 0} onclick={page(first.saturating_sub(LANES_PER_PAGE))}>{ t.previous }</button>
                    <span class="meta">{ fill(t.page_of, &[&first, &(last - 1), &count]) }</span>
                    <button type="button" class="secondary" disabled={last >= count} onclick={page(last)}>{ t.next }</button>
                </nav>
            }
        </article>
    }
}
