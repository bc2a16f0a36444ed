//! A topic: its partitions as rows — replicas on their brokers (leader solid, in-sync followers
//! outlined, out-of-sync hatched, offline greyed), the ISR, the leader epoch, then the lane —
//! and the topic's admin controls (configs that matter for replication, add partitions with
//! the key-move preview, delete records, delete topic, preferred election).

use yew::prelude::*;

use crate::components::{InlineAlert, LaneView, TopicAdmin};
use crate::context::use_app;
use crate::i18n::Lang;
use crate::i18n::fill;
use crate::model::{
    Action, DeletedSegment, LANES_PER_PAGE, Model, PartitionView, Place, RecentElection,
    RecentTruncation, ReplicaState, TopicView,
};

/// Props of [`TopicCard`].
#[derive(Properties, PartialEq, Debug)]
pub struct TopicCardProps {
    /// The topic.
    pub topic: TopicView,
}

fn replica_chips(p: &PartitionView, lang: crate::i18n::Lang) -> Html {
    let u = lang.ui();
    html! {
        <ol class="replicas" aria-label={u.replicas}>
            { for p.replica_views.iter().map(|r| {
                let (state, words) = match r.state {
                    ReplicaState::Leader => ("leader", u.replica_leader),
                    ReplicaState::InSync => ("in-sync", u.replica_in_sync),
                    ReplicaState::OutOfSync => ("out-of-sync", u.replica_out_of_sync),
                    ReplicaState::Offline => ("offline", u.replica_offline),
                };
                let leo = r.log_end_offset.map_or_else(|| "—".to_owned(), |o| o.to_string());
                let mut label = fill(u.replica_label, &[&r.broker, &words, &leo]);
                if r.adding { label.push_str(u.replica_adding); }
                if r.removing { label.push_str(u.replica_removing); }
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

/// Props of [`PartitionRow`]: all it draws (not the app's context), so a row whose
/// partition did not change between frames is not drawn again.
#[derive(Properties, PartialEq, Debug)]
pub(crate) struct PartitionRowProps {
    /// Topic name.
    pub topic: AttrValue,
    /// The partition.
    pub partition: PartitionView,
    /// Its recent election, if any.
    pub election: Option<RecentElection>,
    /// Its segments deleted recently.
    pub deleted: Vec<DeletedSegment>,
    /// Its replicas' recent truncations.
    pub truncations: Vec<RecentTruncation>,
    /// The selected record's offset, when it is in this partition.
    pub selected: Option<i64>,
    /// The language.
    pub lang: Lang,
    /// Where a selection goes.
    pub dispatcher: UseReducerDispatcher<Model>,
}

/// One partition: replicas, ISR, epoch, then its lane.
#[function_component(PartitionRow)]
pub(crate) fn partition_row(props: &PartitionRowProps) -> Html {
    let t = props.lang.strings();
    let c = props.lang.cluster();
    let u = props.lang.ui();
    let p = &props.partition;
    let leader = p
        .leader
        .map_or_else(|| t.no_leader.to_owned(), |l| format!("{} {l}", t.leader));
    html! {
        <li class={classes!("partition", p.is_offline().then_some("offline"), p.is_under_replicated().then_some("under-replicated"), props.election.is_some().then_some("elected"))}
            data-partition={p.index.to_string()} data-leader={p.leader.map(|l| l.to_string()).unwrap_or_default()}
            data-epoch={p.leader_epoch.to_string()} data-isr={p.isr.iter().map(u32::to_string).collect::<Vec<_>>().join(",")}
            data-hw={p.high_watermark.to_string()} data-leo={p.log_end_offset.to_string()}>
            <div class="partition-info">
                <span class="partition-name">{ fill(t.partition_n, &[&p.index]) }</span>
                <span class="leader-line" title={u.epoch_hint}>{ leader }{ format!(" · {} {}", t.epoch, p.leader_epoch) }</span>
                <span class="rf meta" data-rf={p.replicas.len().to_string()} title={u.rf_hint}>{ format!("RF {}", p.replicas.len()) }</span>
                <span class="isr meta" title={u.isr_hint}>{ format!("ISR [{}]", p.isr.iter().map(u32::to_string).collect::<Vec<_>>().join(",")) }</span>
                { replica_chips(p, props.lang) }
                { for props.truncations.iter().map(|x| html! {
                    <span class="truncation" role="status" data-broker={x.broker.to_string()} data-from={x.from.to_string()} data-to={x.to.to_string()}>
                        <span aria-hidden="true">{ "✂ " }</span>{ fill(c.truncated_records, &[&x.broker, &x.from, &(x.to - 1)]) }
                    </span>
                }) }
                if let Some(broker) = p.leader_down() {
                    <span class="leader-down" role="status">{ fill(u.leader_down, &[&broker]) }</span>
                }
                if let Some(e) = &props.election {
                    <span class="election" role="status">{
                        format!("{} → {} · {} {} · {}",
                            e.from.map_or("—".to_owned(), |b| b.to_string()),
                            e.to.map_or("—".to_owned(), |b| b.to_string()), t.epoch, e.epoch, e.reason)
                    }</span>
                }
            </div>
            if p.lane.is_some() {
                <LaneView topic={props.topic.clone()} partition={p.clone()} deleted={props.deleted.clone()}
                    selected={props.selected} lang={props.lang} dispatcher={props.dispatcher.clone()} />
            }
        </li>
    }
}

/// One topic card.
#[function_component(TopicCard)]
pub fn topic_card(props: &TopicCardProps) -> Html {
    let app = use_app();
    let t = app.t();
    let topic = &props.topic;
    let name = topic.name.clone();
    let topic_name = AttrValue::from(name.clone());
    let count = topic.partitions.len() as u32;
    let first = app
        .model
        .lane_pages
        .get(&name)
        .copied()
        .unwrap_or(0)
        .min(count.saturating_sub(1));
    let last = (first + LANES_PER_PAGE).min(count);
    // The engine watches which rows are on screen (rows out of sight are not read each frame).
    let card = use_node_ref();
    {
        let card = card.clone();
        let engine = app.engine.clone();
        use_effect_with((name.clone(), first, count), move |_| {
            let observed = card.cast::<web_sys::Element>();
            if let Some(element) = &observed {
                engine.observe_rows(element);
            }
            move || {
                if let Some(element) = &observed {
                    engine.unobserve_rows(element);
                }
            }
        });
    }
    let c = app.lang.cluster();
    let overrides = crate::components::topic_admin::overrides(&topic.config);
    let rows = topic.partitions.iter().filter(|p| p.index >= first && p.index < last).map(|p| {
        html! {
            <PartitionRow key={p.index} topic={topic_name.clone()} partition={p.clone()}
                election={app.model.election(&name, p.index).cloned()}
                deleted={app.model.deleted.iter().filter(|d| d.topic == name && d.partition == p.index).cloned().collect::<Vec<_>>()}
                truncations={app.model.truncations.iter().filter(|x| x.topic == name && x.partition == p.index).cloned().collect::<Vec<_>>()}
                selected={app.model.selection.as_ref().filter(|s| s.topic == name && s.partition == p.index).map(|s| s.offset)}
                lang={app.lang} dispatcher={app.model.dispatcher()} />
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
    html! {
        <article ref={card} class="topic" data-topic={name.clone()} aria-label={format!("{} {}", t.topic, name)}>
            <div class="topic-head">
                <h2 class="topic-name" title={name.clone()}>{ name.clone() }</h2>
                <span class="meta">{ format!("{} · RF {} · min.insync.replicas={} · cleanup.policy={}",
                    crate::i18n::ui::count_of(app.lang, u64::from(count), crate::i18n::ui::Noun::Partition), topic.replication_factor_text(),
                    topic.config.min_insync_replicas, topic.config.cleanup_policy.as_kafka_str()) }</span>
                <span class="configs meta" data-overrides={overrides.join(",")}>
                    { if overrides.is_empty() { c.no_overrides.to_owned() } else { format!("{}: {}", c.overrides, overrides.join(" · ")) } }
                </span>
            </div>
            <TopicAdmin ..crate::components::topic_admin::TopicAdminProps::of(topic) />
            <InlineAlert place={Place::Topic(name.clone())} />
            <ol class="partitions">{ for rows }</ol>
            if count > LANES_PER_PAGE {
                <nav class="pager" aria-label={app.lang.ui().partition_pages}>
                    <button type="button" class="secondary" disabled={first == 0} onclick={page(first.saturating_sub(LANES_PER_PAGE))}>{ t.previous }</button>
                    <span class="meta">{ fill(t.page_of, &[&first, &(last - 1), &count]) }</span>
                    <button type="button" class="secondary" disabled={last >= count} onclick={page(last)}>{ t.next }</button>
                </nav>
            }
        </article>
    }
}
