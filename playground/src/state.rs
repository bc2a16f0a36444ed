//! The view state and the one reducer that changes it.

use std::collections::BTreeMap;
use std::rc::Rc;

use rill_core::Event;
use rill_core::partitioner::KeyMove;
use rill_wasm::{HostError, TopicView};
use yew::Reducible;

/// Records per lane drawn at most; older ones are summarised as "+N older".
pub const LANE_RECORDS_MAX: usize = 200;

/// How many ticks a deleted segment stays drawn (fading) before it is removed.
pub const DELETED_SEGMENT_TICKS: u64 = 4;

/// One record as drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordView {
    /// Offset in its partition.
    pub offset: i64,
    /// Key as text (lossy UTF-8), `None` when null.
    pub key: Option<String>,
    /// The raw key, for its colour.
    pub key_bytes: Option<Vec<u8>>,
    /// Value as text (lossy UTF-8), `None` for a tombstone.
    pub value: Option<String>,
    /// Timestamp in ms.
    pub timestamp: i64,
}

/// The newest records of one partition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lane {
    /// Records drawn, oldest first.
    pub records: Vec<RecordView>,
    /// Records in the log before the first drawn one.
    pub older: i64,
}

/// Which stored keys would move if a topic had `total` partitions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMovePreview {
    /// The partition count asked about.
    pub total: i64,
    /// The keys that would land on another partition, or why the engine refused.
    pub moves: Result<Vec<KeyMove>, Alert>,
}

/// What the broker holds, as last read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Topics by name.
    pub topics: Vec<TopicView>,
    /// Lanes by (topic, partition).
    pub lanes: BTreeMap<(String, i32), Lane>,
    /// Key-move previews by topic, for the partition counts being typed.
    pub key_moves: BTreeMap<String, KeyMovePreview>,
}

/// A segment the engine deleted, drawn fading out with its reason for a few ticks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletedSegment {
    /// Topic name.
    pub topic: String,
    /// Partition index.
    pub partition: i32,
    /// The segment's base offset.
    pub base_offset: i64,
    /// Its size in bytes.
    pub size: usize,
    /// Why it was deleted, in Kafka's words (`retention.ms`, `retention.bytes`, …).
    pub reason: &'static str,
    /// The records it held that were still drawn when it was deleted.
    pub records: Vec<RecordView>,
    /// The tick after which it is no longer drawn.
    pub until_tick: u64,
}

/// A message for the person at the keyboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// Kafka's error name (or the host's type name).
    pub kind: String,
    /// What happened and what to do.
    pub message: String,
}

/// Where the broker's data lives, as shown in the header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Persistence {
    /// Still opening.
    #[default]
    Opening,
    /// Persisted in IndexedDB.
    IndexedDb,
    /// IndexedDB failed; only in memory.
    MemoryOnly,
}

/// The whole view state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppState {
    /// Whether the broker is open and the first snapshot drawn.
    pub ready: bool,
    /// Where data is kept.
    pub persistence: Persistence,
    /// The broker's contents.
    pub snapshot: Snapshot,
    /// The current error, if any.
    pub alert: Option<Alert>,
    /// The record produced last, highlighted: (topic, partition, offset).
    pub last_produced: Option<(String, i32, i64)>,
    /// Ticks seen so far (the host ticks on an interval).
    pub ticks: u64,
    /// Segments deleted recently, still drawn fading out, oldest base offset first.
    pub deleted: Vec<DeletedSegment>,
}

/// Everything that changes the view state.
#[derive(Clone, Debug)]
pub enum Action {
    /// The broker opened; `persistence` says where its data lives.
    Opened {
        /// Where data is kept.
        persistence: Persistence,
        /// The first snapshot.
        snapshot: Snapshot,
        /// Why IndexedDB could not be used, when it could not.
        warning: Option<HostError>,
    },
    /// A command succeeded; this is the broker's new content and what the engine reported.
    Refreshed {
        /// The new content.
        snapshot: Snapshot,
        /// The engine's events since the last read.
        events: Vec<Event>,
    },
    /// The key-move preview changed (nothing in the broker did).
    Previewed(Snapshot),
    /// A record was produced and the broker re-read.
    Produced {
        /// The new content.
        snapshot: Snapshot,
        /// The engine's events since the last read.
        events: Vec<Event>,
        /// Where the record landed.
        at: (String, i32, i64),
    },
    /// The host ran the broker's periodic log maintenance.
    Ticked {
        /// The new content, when the tick changed anything.
        snapshot: Option<Snapshot>,
        /// The engine's events since the last read.
        events: Vec<Event>,
    },
    /// A command failed.
    Failed(HostError),
    /// The alert was dismissed.
    DismissAlert,
}

/// The alert for a host error.
pub fn alert_of(error: &HostError) -> Alert {
    Alert {
        kind: error.type_name().to_owned(),
        message: error.message().to_owned(),
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Opened {
                persistence,
                snapshot,
                warning,
            } => {
                next.ready = true;
                next.persistence = persistence;
                next.snapshot = snapshot;
                next.alert = warning.as_ref().map(alert_of);
            }
            Action::Refreshed { snapshot, events } => {
                next.absorb(snapshot, &events);
                next.alert = None;
            }
            Action::Previewed(snapshot) => next.snapshot = snapshot,
            Action::Produced {
                snapshot,
                events,
                at,
            } => {
                next.absorb(snapshot, &events);
                next.last_produced = Some(at);
                next.alert = None;
            }
            Action::Ticked { snapshot, events } => {
                if snapshot.is_none() && self.deleted.is_empty() {
                    // Nothing changed and nothing is fading: no re-render.
                    return self;
                }
                next.ticks += 1;
                let ticks = next.ticks;
                next.deleted.retain(|d| d.until_tick >= ticks);
                if let Some(snapshot) = snapshot {
                    next.absorb(snapshot, &events);
                }
            }
            Action::Failed(error) => next.alert = Some(alert_of(&error)),
            Action::DismissAlert => next.alert = None,
        }
        Rc::new(next)
    }
}

impl AppState {
    /// Takes a new snapshot; segments the events report deleted are kept, with the records
    /// the old snapshot drew in them, to fade out.
    fn absorb(&mut self, snapshot: Snapshot, events: &[Event]) {
        for event in events {
            match event {
                Event::SegmentDeleted {
                    topic,
                    partition,
                    base_offset,
                    size,
                    reason,
                    ..
                } => {
                    let partition = *partition as i32;
                    let records = self.drawn_records_of_segment(topic, partition, *base_offset);
                    self.deleted.push(DeletedSegment {
                        topic: topic.clone(),
                        partition,
                        base_offset: *base_offset,
                        size: *size,
                        reason: reason.as_str(),
                        records,
                        until_tick: self.ticks + DELETED_SEGMENT_TICKS,
                    });
                }
                Event::TopicDeleted { topic } | Event::TopicCreated { topic, .. } => {
                    self.deleted.retain(|d| &d.topic != topic);
                    if self
                        .last_produced
                        .as_ref()
                        .is_some_and(|(t, _, _)| t == topic)
                    {
                        self.last_produced = None;
                    }
                }
                _ => {}
            }
        }
        self.deleted.sort_by_key(|d| d.base_offset);
        self.snapshot = snapshot;
    }

    /// The records the current snapshot draws in the segment at `base_offset`.
    fn drawn_records_of_segment(
        &self,
        topic: &str,
        partition: i32,
        base_offset: i64,
    ) -> Vec<RecordView> {
        let Some(view) = self
            .snapshot
            .topics
            .iter()
            .find(|t| t.name == topic)
            .and_then(|t| t.partitions.get(partition as usize))
        else {
            return Vec::new();
        };
        let end = view
            .segments
            .iter()
            .map(|s| s.base_offset)
            .find(|&base| base > base_offset)
            .unwrap_or(view.log_end_offset);
        self.snapshot
            .lanes
            .get(&(topic.to_owned(), partition))
            .map(|lane| {
                lane.records
                    .iter()
                    .filter(|r| (base_offset..end).contains(&r.offset))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}
