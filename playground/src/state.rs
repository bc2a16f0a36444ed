//! The view state and the one reducer that changes it.

use std::collections::BTreeMap;
use std::rc::Rc;

use rill_wasm::{HostError, TopicView};
use yew::Reducible;

/// Records per lane drawn at most; older ones are summarised as "+N older".
pub const LANE_RECORDS_MAX: usize = 200;

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

/// What the broker holds, as last read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Topics by name.
    pub topics: Vec<TopicView>,
    /// Lanes by (topic, partition).
    pub lanes: BTreeMap<(String, i32), Lane>,
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
    /// A command succeeded; this is the broker's new content.
    Refreshed(Snapshot),
    /// A record was produced and the broker re-read.
    Produced {
        /// The new content.
        snapshot: Snapshot,
        /// Where the record landed.
        at: (String, i32, i64),
    },
    /// A command failed.
    Failed(HostError),
    /// The alert was dismissed.
    DismissAlert,
}

fn alert_of(error: &HostError) -> Alert {
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
            Action::Refreshed(snapshot) => {
                next.snapshot = snapshot;
                next.alert = None;
            }
            Action::Produced { snapshot, at } => {
                next.snapshot = snapshot;
                next.last_produced = Some(at);
                next.alert = None;
            }
            Action::Failed(error) => next.alert = Some(alert_of(&error)),
            Action::DismissAlert => next.alert = None,
        }
        Rc::new(next)
    }
}
