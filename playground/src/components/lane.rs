//! One partition's lane: its records left to right (oldest first) grouped in their segments,
//! with the log start, high watermark and log end marked, records above the high watermark
//! drawn as not yet committed, and deleted segments fading out with their reason.

use yew::prelude::*;

use crate::i18n::{Lang, fill};
use crate::model::{Action, DeletedSegment, Lane, Model, PartitionView, RecordView, Selection};
use crate::palette::key_colour;

/// Props of [`LaneView`]. Everything the lane draws comes in its props (not the app's
/// context), so a lane whose partition did not change between frames is not drawn again.
#[derive(Properties, PartialEq, Debug)]
pub struct LaneProps {
    /// Topic name.
    pub topic: AttrValue,
    /// The partition (its drawn records in `partition.lane`).
    pub partition: PartitionView,
    /// Segments of this partition deleted recently.
    pub deleted: Vec<DeletedSegment>,
    /// The offset of the selected record, when it is in this partition.
    pub selected: Option<i64>,
    /// The language.
    pub lang: Lang,
    /// Where a selection goes.
    pub dispatcher: UseReducerDispatcher<Model>,
}

fn record_box(
    topic: &str,
    partition: u32,
    record: &RecordView,
    selected: bool,
    on_select: Callback<Selection>,
    t: &'static crate::i18n::Strings,
) -> Html {
    let (colour, ink) = key_colour(record.key_bytes.as_deref());
    let key_label = record.key.clone().unwrap_or_else(|| t.no_key.to_owned());
    let class = classes!(
        "record",
        record.key.is_none().then_some("keyless"),
        record.uncommitted.then_some("uncommitted"),
        selected.then_some("selected"),
    );
    let selection = Selection {
        topic: topic.to_owned(),
        partition,
        offset: record.offset,
    };
    let onclick = {
        let on_select = on_select.clone();
        let selection = selection.clone();
        Callback::from(move |_: MouseEvent| on_select.emit(selection.clone()))
    };
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            on_select.emit(selection.clone());
        }
    });
    let mut label = format!("{} {}, {} {}", t.offset, record.offset, t.key, key_label);
    if record.uncommitted {
        label.push_str(" — ");
        label.push_str(t.uncommitted_hint);
    }
    html! {
        <li key={record.offset} class={class} style={format!("--key-colour: {colour}; --key-ink: {ink}")}
            tabindex="0" role="button" aria-pressed={selected.to_string()} aria-label={label}
            data-offset={record.offset.to_string()} data-key={record.key.clone().unwrap_or_default()}
            data-uncommitted={record.uncommitted.to_string()} {onclick} {onkeydown}>
            <span class="offset">{ record.offset }</span>
            <span class="key">{ key_label }</span>
        </li>
    }
}

/// A partition's lane.
#[function_component(LaneView)]
pub fn lane_view(props: &LaneProps) -> Html {
    let t = props.lang.strings();
    let u = props.lang.ui();
    let p = &props.partition;
    let empty = Lane::default();
    let lane: &Lane = p.lane.as_deref().unwrap_or(&empty);
    let on_select = {
        let dispatcher = props.dispatcher.clone();
        Callback::from(move |s: Selection| dispatcher.dispatch(Action::Select(Some(s))))
    };
    // The newest records are at the right end: stay there while the person has not scrolled
    // back to older ones, so a new record is seen landing.
    let track = use_node_ref();
    let onscroll = crate::hooks::use_pinned_to_end(&track);
    // Records grouped by the segment that holds them; keyed by offset (records and segments
    // keep their DOM nodes as the lane scrolls: only the new ones are created).
    let segments = p.segments.iter().enumerate().filter_map(|(i, segment)| {
        let end = p
            .segments
            .get(i + 1)
            .map_or(i64::MAX, |next| next.base_offset);
        let records: Vec<&RecordView> = lane
            .records
            .iter()
            .filter(|r| r.offset >= segment.base_offset && r.offset < end)
            .collect();
        if records.is_empty() && !segment.active && i + 1 != p.segments.len() {
            // A whole segment of older records not drawn: summarised in "+N older".
            return None;
        }
        let label = format!("{} {} · {} B", t.segment, segment.base_offset, segment.size);
        Some(html! {
            <li key={segment.base_offset} class={classes!("segment", segment.active.then_some("active"))}
                data-base-offset={segment.base_offset.to_string()} data-size={segment.size.to_string()} aria-label={label.clone()}>
                <ol class="records">
                    { for records.iter().map(|r| record_box(
                        &props.topic, p.index, r,
                        props.selected == Some(r.offset),
                        on_select.clone(), t)) }
                </ol>
                <div class="bracket" aria-hidden="true"></div>
                <div class="segment-label" title={label}>
                    <span class="segment-base">{ segment.base_offset }</span>
                </div>
            </li>
        })
    });
    let ghosts = props.deleted.iter().map(|d| {
        let label = format!(
            "{} {} — {} ({} B)",
            t.segment, d.base_offset, d.reason, d.size
        );
        html! {
            <li key={format!("ghost-{}", d.base_offset)} class="segment-ghost" data-deleted-base-offset={d.base_offset.to_string()}
                data-reason={d.reason} aria-label={label.clone()} title={label}>
                <div class="ghost-records" aria-hidden="true"></div>
                <div class="bracket" aria-hidden="true"></div>
                <div class="segment-label">
                    <span class="segment-base">{ d.base_offset }</span>
                    <span class="segment-reason">{ d.reason }</span>
                </div>
            </li>
        }
    });
    html! {
        <div class="lane-track lane" data-partition={p.index.to_string()}
            data-log-start-offset={p.log_start_offset.to_string()} data-high-watermark={p.high_watermark.to_string()}
            data-log-end-offset={p.log_end_offset.to_string()}>
            <ol class="track" ref={track} {onscroll} aria-label={fill(t.partition_n, &[&p.index])}>
                if lane.older > 0 {
                    <li class="older" aria-label={fill(t.older, &[&lane.older])}>{ fill(t.older, &[&lane.older]) }</li>
                }
                { for ghosts }
                { for segments }
            </ol>
            <div class="markers meta" aria-label={u.offsets}>
                <span class="marker start" title={u.start_hint}>{ fill(u.start_marker, &[&p.log_start_offset]) }</span>
                <span class="marker hw" title={u.hw_hint}>{ format!("HW {}", p.high_watermark) }</span>
                <span class="marker end" title={u.leo_hint}>{ format!("LEO {}", p.log_end_offset) }</span>
                <span class="marker count">{ crate::i18n::ui::count_of(props.lang, p.records_held, crate::i18n::ui::Noun::Record) }</span>
                <crate::components::GroupFlags topic={props.topic.to_string()} partition={p.index} high_watermark={p.high_watermark} />
            </div>
        </div>
    }
}
