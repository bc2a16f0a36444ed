//! The consumer-groups view: the create-group form beside every group's card; and the flags
//! each group leaves on a partition's lane (its committed offset, its members' positions).

use yew::prelude::*;

use crate::components::CreateGroup;
use crate::components::group_card::GroupCard;
use crate::context::use_app;
use crate::i18n::fill;
use crate::palette::member_colour;

/// The groups view.
#[function_component(GroupsPage)]
pub fn groups_page() -> Html {
    let app = use_app();
    let t = app.t();
    let g = t.groups;
    let groups = &app.model.groups.view.groups;
    html! {
        <div class="layout groups-view">
            <aside class="controls" aria-label={g.create_group}>
                <CreateGroup />
                <crate::components::Producers />
                <p class="meta">{ t.clients_note }</p>
            </aside>
            <main class="main" aria-label={t.tab_groups}>
                if app.model.ready && groups.is_empty() {
                    <div class="empty">
                        <h2>{ g.no_groups }</h2>
                        <p class="no-groups-hint">{ if app.model.view.topics.is_empty() { g.no_groups_hint } else { g.no_groups_hint_with_topic } }</p>
                    </div>
                }
                { for groups.iter().map(|group| html! {
                    <GroupCard key={group.id.clone()} group={group.clone()} />
                }) }
            </main>
        </div>
    }
}

/// Props of [`GroupFlags`].
#[derive(Properties, PartialEq, Debug)]
pub struct GroupFlagsProps {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: u32,
    /// The partition's high watermark (lag is drawn from it).
    pub high_watermark: i64,
}

/// Each group's committed offset (a flag, with the lag to the high watermark) and its
/// members' positions on one partition's lane.
#[function_component(GroupFlags)]
pub fn group_flags(props: &GroupFlagsProps) -> Html {
    let app = use_app();
    let g = app.t().groups;
    let flags = app.model.groups.view.flags(&props.topic, props.partition);
    if flags.is_empty() {
        return html! {};
    }
    let tp = rill_core::group::TopicPartition::new(props.topic.clone(), props.partition);
    let marks = |group: &str| {
        let history = app.model.groups.history.get(group);
        let list = |set: Option<&std::collections::BTreeSet<i64>>| {
            set.map(|s| {
                s.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
        };
        let twice = history.and_then(|h| h.duplicates.get(&tp));
        let skipped = history.and_then(|h| h.skipped.get(&tp));
        html! {
            <>
                if let Some(set) = twice {
                    <span class="marker duplicates" data-duplicates={set.len().to_string()} title={list(Some(set))}>
                        { fill(g.twice_n, &[&set.len()]) }
                    </span>
                }
                if let Some(set) = skipped {
                    <span class="marker skipped" data-skipped={set.len().to_string()} title={list(Some(set))}>
                        { fill(g.skipped_n, &[&set.len()]) }
                    </span>
                }
            </>
        }
    };
    html! {
        <span class="group-flags">
            { for flags.into_iter().map(|(group, committed, positions)| {
                let lag = committed.map(|c| (props.high_watermark - c).max(0));
                let text = match (committed, lag) {
                    (Some(c), Some(l)) => fill(g.flag, &[&group, &c, &l]),
                    _ => fill(g.flag_none, &[&group]),
                };
                html! {
                    <>
                        <span class="marker group-flag" data-group={group.clone()}
                            data-committed={committed.map(|c| c.to_string()).unwrap_or_default()}
                            title={text.clone()}>{ format!("⚑ {text}") }</span>
                        { marks(&group) }
                        { for positions.into_iter().map(|(member, position)| {
                            let (colour, ink) = member_colour(&member);
                            let label = fill(g.position_of, &[&member, &position]);
                            html! {
                                <span class="marker member-pos" data-member={member.clone()}
                                    style={format!("--member-colour: {colour}; --member-ink: {ink}")}
                                    title={label.clone()}>{ label }</span>
                            }
                        }) }
                    </>
                }
            }) }
        </span>
    }
}
