//! A topic drawn as partition lanes of records, oldest on the left, with its segments as
//! brackets under the records, and the topic's admin controls.

use rill_wasm::{PartitionView, SegmentView, TopicView};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::palette::key_colour;
use crate::state::{DeletedSegment, KeyMovePreview, Lane, RecordView};

/// Keys listed in the add-partitions preview at most; the rest are counted.
const MOVED_KEYS_LISTED_MAX: usize = 5;

/// What the person asked a topic card to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TopicRequest {
    /// The partition count being typed changed (as typed; empty clears the preview).
    PreviewPartitions {
        /// Topic name.
        topic: String,
        /// The new total, as typed.
        total: String,
    },
    /// Grow the topic to `total` partitions.
    AddPartitions {
        /// Topic name.
        topic: String,
        /// The new total, as typed.
        total: String,
    },
    /// Delete a partition's records below `offset`.
    DeleteRecords {
        /// Topic name.
        topic: String,
        /// Partition, as chosen.
        partition: String,
        /// The new log start offset, as typed.
        offset: String,
    },
    /// Delete the topic.
    DeleteTopic {
        /// Topic name.
        topic: String,
    },
}

/// Props of [`TopicCard`].
#[derive(Properties, PartialEq, Debug)]
pub struct TopicCardProps {
    /// The topic.
    pub topic: TopicView,
    /// One lane per partition, in partition order.
    pub lanes: Vec<Lane>,
    /// The record to highlight: (partition, offset).
    pub highlight: Option<(i32, i64)>,
    /// Segments of this topic deleted recently, fading out.
    pub deleted: Vec<DeletedSegment>,
    /// Which keys would move for the partition count being typed.
    pub preview: Option<KeyMovePreview>,
    /// Called with the person's requests.
    pub on_request: Callback<TopicRequest>,
}

fn plural(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

fn record_box(record: &RecordView, highlighted: bool) -> Html {
    let (colour, ink) = key_colour(record.key_bytes.as_deref());
    let key_label = record.key.clone().unwrap_or_else(|| "∅ no key".to_owned());
    let value_label = record
        .value
        .clone()
        .unwrap_or_else(|| "∅ tombstone".to_owned());
    let title = format!(
        "offset {}\nkey: {}\nvalue: {}\ntimestamp: {}",
        record.offset, key_label, value_label, record.timestamp
    );
    let class = classes!(
        "record",
        highlighted.then_some("fresh"),
        record.key.is_none().then_some("keyless")
    );
    html! {
        <li class={class} style={format!("--key-colour: {colour}; --key-ink: {ink}")} title={title}
            data-offset={record.offset.to_string()} data-key={record.key.clone().unwrap_or_default()}
            aria-label={format!("offset {}, key {}", record.offset, key_label)}>
            <span class="offset">{ record.offset }</span>
            <span class="key">{ key_label }</span>
        </li>
    }
}

/// A segment that retention or deleteRecords removed, fading out with its reason.
fn deleted_segment(deleted: &DeletedSegment) -> Html {
    let label = format!(
        "Segment {} deleted by {} ({} bytes)",
        deleted.base_offset, deleted.reason, deleted.size
    );
    html! {
        <li class="segment-ghost" data-deleted-base-offset={deleted.base_offset.to_string()}
            data-reason={deleted.reason} aria-label={label.clone()} title={label}>
            <ol class="ghost-records" aria-hidden="true">
                { for deleted.records.iter().map(|r| html! {
                    <li class="ghost-record"><span class="offset">{ r.offset }</span></li>
                }) }
                if deleted.records.is_empty() {
                    <li class="ghost-record empty"></li>
                }
            </ol>
            <div class="bracket" aria-hidden="true"></div>
            <div class="segment-label">
                <span class="segment-base">{ deleted.base_offset }</span>
                <span class="segment-reason">{ deleted.reason }</span>
            </div>
        </li>
    }
}

/// One segment: the drawn records it holds over a bracket labelled with its base offset.
fn segment_group(
    segment: &SegmentView,
    records: &[RecordView],
    active: bool,
    highlight: Option<i64>,
) -> Html {
    let held = match (segment.first_offset, segment.last_offset) {
        (Some(first), Some(last)) => format!("offsets {first}–{last}"),
        _ => "no records".to_owned(),
    };
    let title = format!(
        "{}{}\nbase offset {}, {}, {} bytes",
        segment.file_name,
        if active { " (active)" } else { "" },
        segment.base_offset,
        held,
        segment.size
    );
    let label = format!(
        "{} segment, base offset {}, {} bytes",
        if active { "Active" } else { "Rolled" },
        segment.base_offset,
        segment.size
    );
    html! {
        <li class={classes!("segment", active.then_some("active"))}
            data-base-offset={segment.base_offset.to_string()} data-size={segment.size.to_string()}
            aria-label={label}>
            <ol class="records">
                { for records.iter().map(|r| record_box(r, highlight == Some(r.offset))) }
                if records.is_empty() {
                    <li class="lane-empty">{ "empty" }</li>
                }
            </ol>
            <div class="bracket" aria-hidden="true" title={title.clone()}></div>
            <div class="segment-label" title={title}>
                <span class="segment-base">{ segment.base_offset }</span>
                <span class="segment-size">{ format!("{} B", segment.size) }</span>
            </div>
        </li>
    }
}

fn lane_view(
    partition: &PartitionView,
    lane: &Lane,
    deleted: &[&DeletedSegment],
    highlight: Option<i64>,
) -> Html {
    let segments = &partition.segments;
    // Each segment draws the records in [its base, the next base); segments whose records
    // are all summarised as "older" are counted there instead.
    let groups: Vec<(&SegmentView, Vec<RecordView>, bool)> = segments
        .iter()
        .enumerate()
        .filter_map(|(i, segment)| {
            let end = segments
                .get(i + 1)
                .map_or(i64::MAX, |next| next.base_offset);
            let records: Vec<RecordView> = lane
                .records
                .iter()
                .filter(|r| (segment.base_offset..end).contains(&r.offset))
                .cloned()
                .collect();
            let active = i + 1 == segments.len();
            (active || !records.is_empty()).then_some((segment, records, active))
        })
        .collect();
    let hidden_segments = segments.len() - groups.len();
    let older = match (lane.older, hidden_segments) {
        (0, _) => None,
        (n, 0) => Some(format!("+{n} older")),
        (n, s) => Some(format!(
            "+{n} older in {}",
            plural(s as i64, "segment", "segments")
        )),
    };
    let summary = format!(
        "Partition {}: log start offset {}, high watermark {}, log end offset {}, {}",
        partition.partition,
        partition.log_start_offset,
        partition.high_watermark,
        partition.log_end_offset,
        plural(segments.len() as i64, "segment", "segments"),
    );
    html! {
        <div class="lane" data-partition={partition.partition.to_string()}
            data-log-start-offset={partition.log_start_offset.to_string()}
            data-high-watermark={partition.high_watermark.to_string()}
            data-log-end-offset={partition.log_end_offset.to_string()}>
            <div class="lane-label">
                <span class="partition-name">{ format!("P{}", partition.partition) }</span>
                <span class="lane-offsets">{ plural(segments.len() as i64, "segment", "segments") }</span>
            </div>
            <ol class="track" aria-label={summary}>
                { for deleted.iter().map(|d| deleted_segment(d)) }
                <li class="marker start" title="log start offset: the first offset a consumer can read"
                    aria-label={format!("log start offset {}", partition.log_start_offset)}>
                    <span class="marker-bar" aria-hidden="true"></span>
                    <span class="marker-label">{ format!("start {}", partition.log_start_offset) }</span>
                </li>
                if let Some(older) = older {
                    <li class="older">{ older }</li>
                }
                { for groups.iter().map(|(segment, records, active)| segment_group(segment, records, *active, highlight)) }
                <li class="marker end"
                    title="high watermark: consumers read below it; log end offset: the offset the next record gets (one broker, so they are equal)"
                    aria-label={format!("high watermark {}, log end offset {}", partition.high_watermark, partition.log_end_offset)}>
                    <span class="next-slot" aria-hidden="true">{ partition.log_end_offset }</span>
                    <span class="marker-label">
                        { if partition.high_watermark == partition.log_end_offset {
                            "HW · end".to_owned()
                        } else {
                            format!("HW {} · end", partition.high_watermark)
                        } }
                    </span>
                </li>
            </ol>
        </div>
    }
}

fn preview_view(preview: &KeyMovePreview, current: usize) -> Html {
    match &preview.moves {
        Err(alert) => html! {
            <p class="preview error" role="status">
                <code>{ &alert.kind }</code>{ " " }{ &alert.message }
            </p>
        },
        Ok(moves) => {
            let listed: Vec<Html> = moves
                .iter()
                .take(MOVED_KEYS_LISTED_MAX)
                .map(|m| {
                    let key = String::from_utf8_lossy(&m.key).into_owned();
                    html! { <li><span class="moved-key">{ key }</span>{ format!(" P{} → P{}", m.from, m.to) }</li> }
                })
                .collect();
            let more = moves.len().saturating_sub(MOVED_KEYS_LISTED_MAX);
            html! {
                <div class="preview" role="status" data-keys-moving={moves.len().to_string()}
                    data-preview-total={preview.total.to_string()}>
                    <p>
                        { format!("{} → {} partitions: ", current, preview.total) }
                        <strong>{ plural(moves.len() as i64, "stored key moves", "stored keys move") }</strong>
                        { if moves.is_empty() { "." } else { " to another partition; their new records will not be ordered after their old ones." } }
                    </p>
                    if !moves.is_empty() {
                        <ul class="moved-keys">
                            { for listed }
                            if more > 0 {
                                <li class="more">{ format!("+{more} more") }</li>
                            }
                        </ul>
                    }
                </div>
            }
        }
    }
}

/// A topic card.
#[function_component(TopicCard)]
pub fn topic_card(props: &TopicCardProps) -> Html {
    let topic = &props.topic;
    let lanes_ref = use_node_ref();
    // Follow what just happened: scroll lanes to the newest records when records arrive, and
    // to the oldest when segments are deleted there.
    let followed = use_mut_ref(|| (0usize, 0usize));
    {
        let lanes_ref = lanes_ref.clone();
        let ends: Vec<i64> = topic.partitions.iter().map(|p| p.log_end_offset).collect();
        let deleted = props.deleted.len();
        use_effect_with((ends, deleted), move |(ends, deleted)| {
            let appended: usize = ends.iter().map(|&e| e as usize).sum();
            let (last_appended, last_deleted) = *followed.borrow();
            *followed.borrow_mut() = (appended, *deleted);
            let to_start = *deleted > last_deleted;
            if !to_start && appended == last_appended {
                return;
            }
            if let Some(tracks) = lanes_ref
                .cast::<Element>()
                .and_then(|lanes| lanes.query_selector_all(".track").ok())
            {
                for index in 0..tracks.length() {
                    if let Some(track) = tracks
                        .item(index)
                        .and_then(|n| n.dyn_into::<Element>().ok())
                    {
                        track.set_scroll_left(if to_start { 0 } else { track.scroll_width() });
                    }
                }
            }
        });
    }
    let new_partitions = use_node_ref();
    let delete_partition = use_node_ref();
    let delete_before = use_node_ref();
    let input_value = |r: &NodeRef| {
        r.cast::<HtmlInputElement>()
            .map(|i| i.value())
            .unwrap_or_default()
    };

    let on_partitions_input = {
        let (name, on_request) = (topic.name.clone(), props.on_request.clone());
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                on_request.emit(TopicRequest::PreviewPartitions {
                    topic: name.clone(),
                    total: input.value(),
                });
            }
        })
    };
    let on_add = {
        let (name, on_request, field) = (
            topic.name.clone(),
            props.on_request.clone(),
            new_partitions.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_request.emit(TopicRequest::AddPartitions {
                topic: name.clone(),
                total: input_value(&field),
            });
        })
    };
    let on_delete_records = {
        let (name, on_request, partition, offset) = (
            topic.name.clone(),
            props.on_request.clone(),
            delete_partition.clone(),
            delete_before.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let partition = partition
                .cast::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            on_request.emit(TopicRequest::DeleteRecords {
                topic: name.clone(),
                partition,
                offset: input_value(&offset),
            });
        })
    };
    let on_delete_topic = {
        let (name, on_request) = (topic.name.clone(), props.on_request.clone());
        Callback::from(move |_: MouseEvent| {
            on_request.emit(TopicRequest::DeleteTopic {
                topic: name.clone(),
            })
        })
    };

    let total: i64 = topic
        .partitions
        .iter()
        .map(|p| p.log_end_offset - p.log_start_offset)
        .sum();
    let count = topic.partitions.len();
    html! {
        <section class="topic" data-topic={topic.name.clone()} aria-label={format!("Topic {}", topic.name)}>
            <header class="topic-head">
                <h2>{ &topic.name }</h2>
                <span class="meta">
                    { format!("{} · {}", plural(count as i64, "partition", "partitions"), plural(total, "record", "records")) }
                </span>
                <ul class="configs" aria-label="Config overrides">
                    { for topic.configs.iter().map(|(name, value)| html! {
                        <li><code>{ format!("{name}={value}") }</code></li>
                    }) }
                </ul>
            </header>
            <div class="lanes" ref={lanes_ref}>
                { for topic.partitions.iter().zip(&props.lanes).map(|(partition, lane)| {
                    let deleted: Vec<&DeletedSegment> = props.deleted.iter()
                        .filter(|d| d.partition == partition.partition)
                        .collect();
                    let highlight = props.highlight
                        .filter(|(p, _)| *p == partition.partition)
                        .map(|(_, o)| o);
                    lane_view(partition, lane, &deleted, highlight)
                }) }
            </div>
            <div class="topic-admin">
                <form class="admin" onsubmit={on_add} novalidate=true
                    aria-label={format!("Add partitions to {}", topic.name)}>
                    <label>
                        <span>{ "Partitions in total" }</span>
                        <input ref={new_partitions} name="new-partitions" type="number" step="1"
                            min={(count + 1).to_string()} placeholder={(count + 1).to_string()}
                            oninput={on_partitions_input} />
                    </label>
                    <button type="submit" class="secondary" data-action="add-partitions">{ "Add partitions" }</button>
                </form>
                <form class="admin" onsubmit={on_delete_records} novalidate=true
                    aria-label={format!("Delete records of {}", topic.name)}>
                    <label>
                        <span>{ "Partition" }</span>
                        <select ref={delete_partition} name="delete-partition">
                            { for topic.partitions.iter().map(|p| html! {
                                <option value={p.partition.to_string()}>{ format!("P{}", p.partition) }</option>
                            }) }
                        </select>
                    </label>
                    <label>
                        <span>{ "Delete before offset" }</span>
                        <input ref={delete_before} name="delete-before" type="number" step="1" min="0"
                            placeholder="offset" />
                    </label>
                    <button type="submit" class="secondary" data-action="delete-records">{ "Delete records" }</button>
                </form>
                <button type="button" class="danger" data-action="delete-topic" onclick={on_delete_topic}
                    aria-label={format!("Delete topic {}", topic.name)}>{ "Delete topic" }</button>
            </div>
            if let Some(preview) = &props.preview {
                { preview_view(preview, count) }
            }
        </section>
    }
}
