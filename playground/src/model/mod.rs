//! The playground's view state and the one pure reducer that changes it.
//!
//! The engine (`crate::engine`) hands the reducer [`Action`]s: once per animation frame a
//! [`Action::Frame`] with a fresh [`ClusterView`] and the session events since the last frame,
//! and the outcomes of the person's commands. Nothing here touches the session, a timer or the
//! DOM, so it is tested natively: events in, drawn state out.

pub mod assignors;
pub mod event_log;
pub mod groups;
#[cfg(test)]
mod groups_tests;
pub mod network;
#[cfg(test)]
mod network_tests;
pub mod read;
pub mod reassign;
pub mod step;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::rc::Rc;

use rill_core::cluster::ClusterEvent;
use rill_core::partitioner::KeyMove;
use rill_wasm::HostError;
use rill_wasm::session::SessionEvent;
use yew::Reducible;

pub use event_log::{EventLine, EventLog, Kind, Subject};
pub use read::{
    BrokerState, BrokerView, ClusterMetrics, ClusterView, Lane, PartitionView, ReadOptions,
    RecordView, ReplicaState, ReplicaView, SegmentView, TopicView,
};

/// How long (cluster ms) a deleted segment stays drawn, fading, with its reason.
pub const DELETED_SEGMENT_SHOWN_MS: i64 = 4_000;

/// How long (cluster ms) an election stays highlighted on its partition.
pub const ELECTION_SHOWN_MS: i64 = 3_000;

/// Events of one step named in the transport bar at most.
pub const STEP_EVENTS_SHOWN_MAX: usize = 3;

/// Partitions per topic whose lanes are drawn at once; the rest are paged.
pub const LANES_PER_PAGE: u32 = 12;

/// A message for the person at the keyboard, shown next to the control that caused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// Kafka's error name (or rill's own type name).
    pub kind: String,
    /// What happened and what to do.
    pub message: String,
    /// A refusal a scenario demonstrates (its next line expects it), not a failure.
    pub expected: bool,
}

impl Alert {
    /// The alert for a host error.
    pub fn of(error: &HostError) -> Self {
        Self {
            kind: error.type_name().to_owned(),
            message: error.message().to_owned(),
            expected: false,
        }
    }
}

/// Which control an alert belongs to, so it shows next to it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// The page as a whole (opening the store, the clock).
    Page,
    /// The partition reassignment panel.
    Reassign,
    /// The create-topic form.
    CreateTopic,
    /// The produce form.
    Produce,
    /// A broker's card.
    Broker(u32),
    /// The create-group form.
    CreateGroup,
    /// A consumer group's card.
    Group(String),
    /// The producers card.
    Producers,
    /// A topic card's controls.
    Topic(String),
}

/// Where the cluster's data lives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Persistence {
    /// Still opening.
    #[default]
    Opening,
    /// Persisted in IndexedDB under this name.
    IndexedDb(String),
    /// Only in memory (an embed, or IndexedDB refused: the reason).
    Memory(Option<String>),
    /// Another tab holds this cluster; this one stepped back.
    SteppedBack(String),
}

/// A segment retention or deleteRecords removed, drawn fading out with its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletedSegment {
    /// Topic name.
    pub topic: String,
    /// Partition index.
    pub partition: u32,
    /// The segment's base offset.
    pub base_offset: i64,
    /// Its size in bytes.
    pub size: usize,
    /// Why it was deleted, in Kafka's words (`retention.ms`, `retention.bytes`, …).
    pub reason: &'static str,
    /// The cluster time after which it is no longer drawn.
    pub until: i64,
}

/// A recent election, highlighted on its partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecentElection {
    /// Topic name.
    pub topic: String,
    /// Partition index.
    pub partition: u32,
    /// The leader before, if any.
    pub from: Option<u32>,
    /// The new leader, if any.
    pub to: Option<u32>,
    /// The new epoch.
    pub epoch: i32,
    /// Why, in Kafka's words.
    pub reason: &'static str,
    /// Until when it is highlighted.
    pub until: i64,
}

/// A replica that cut records where its log diverged from its (new) leader's: after an
/// unclean election, the records only it had are gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecentTruncation {
    /// Topic name.
    pub topic: String,
    /// Partition index.
    pub partition: u32,
    /// The replica's broker.
    pub broker: u32,
    /// First offset dropped (its log end afterwards).
    pub from: i64,
    /// Its log end before (last seen).
    pub to: i64,
    /// Until when it is drawn.
    pub until: i64,
}

/// How long (cluster ms) a truncation stays drawn on its partition.
pub const TRUNCATION_SHOWN_MS: i64 = 10_000;

/// A produce the person sent from the form, followed until it is acknowledged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentRecord {
    /// Topic.
    pub topic: String,
    /// Partition it went to.
    pub partition: u32,
    /// The client request id.
    pub request: u64,
    /// acks asked for (`0`, `1`, `all`).
    pub acks: &'static str,
    /// When it was sent (cluster time).
    pub sent_at: i64,
    /// Its offset and when the acknowledgement arrived, or the error name.
    pub answer: Option<Result<(i64, i64), String>>,
    /// The brokers whose replica held the record when it was acknowledged (read in the
    /// frame that brought the acknowledgement, then frozen: a broker dying later does not
    /// change what the acknowledgement meant). `None` until then, or for acks=0.
    pub held_by: Option<Vec<u32>>,
}

/// Which key-move preview is being asked for, and its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMovePreview {
    /// The partition count asked about.
    pub total: u32,
    /// The keys that would land on another partition, or why the count is refused.
    pub moves: Result<Vec<KeyMove>, Alert>,
}

/// A record the person selected, shown in the details panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: u32,
    /// Offset.
    pub offset: i64,
}

/// The whole view state.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The session is open and the first view drawn.
    pub ready: bool,
    /// Where data is kept.
    pub persistence: Persistence,
    /// The cluster as last read.
    pub view: ClusterView,
    /// Alerts by the control they belong to.
    pub alerts: BTreeMap<Place, Alert>,
    /// The event log.
    pub events: EventLog,
    /// Segments deleted recently, fading out.
    pub deleted: Vec<DeletedSegment>,
    /// Elections of the last few seconds.
    pub elections: Vec<RecentElection>,
    /// Replicas that recently cut records where they diverged from the new leader.
    pub truncations: Vec<RecentTruncation>,
    /// The last log end offset seen of each replica on screen (topic, partition, broker), to
    /// tell what a truncation dropped.
    pub last_leos: BTreeMap<(String, u32, u32), i64>,
    /// Reassignments seen in this session, by partition (started, progressed, completed).
    pub reassignments: BTreeMap<reassign::PartitionKey, reassign::ReassignmentStatus>,
    /// Records sent from the produce form, newest last (a few).
    pub sent: Vec<SentRecord>,
    /// Key-move previews by topic.
    pub key_moves: BTreeMap<String, KeyMovePreview>,
    /// The selected record.
    pub selection: Option<Selection>,
    /// First partition of the lanes page of each topic.
    pub lane_pages: BTreeMap<String, u32>,
    /// Frames drawn (for tests and the "step" feedback).
    pub frames: u64,
    /// What the last "step" did.
    pub last_step: Option<step::StepSaid>,
    /// What the last "step" did: the events it handed out (the first few).
    pub last_step_events: Vec<SessionEvent>,
    /// Cluster time when the session opened (times are shown from it).
    pub origin: Option<i64>,
    /// Consumer groups: as read, their history, and the groups created in the form.
    pub groups: groups::GroupsState,
    /// Messages drawn moving on the network.
    pub flights: network::Flights,
}

impl Default for Model {
    fn default() -> Self {
        Self {
            ready: false,
            persistence: Persistence::Opening,
            view: ClusterView::default(),
            alerts: BTreeMap::new(),
            events: EventLog::default(),
            deleted: Vec::new(),
            elections: Vec::new(),
            truncations: Vec::new(),
            last_leos: BTreeMap::new(),
            reassignments: BTreeMap::new(),
            sent: Vec::new(),
            key_moves: BTreeMap::new(),
            selection: None,
            lane_pages: BTreeMap::new(),
            frames: 0,
            last_step: None,
            last_step_events: Vec::new(),
            origin: None,
            groups: groups::GroupsState::default(),
            flights: network::Flights::default(),
        }
    }
}

/// Records sent from the form that stay listed.
pub const SENT_SHOWN_MAX: usize = 5;

/// Everything that changes the view state.
#[derive(Clone, Debug)]
pub enum Action {
    /// The session opened.
    Opened {
        /// Where data is kept.
        persistence: Persistence,
        /// The first view.
        view: ClusterView,
    },
    /// The session was replaced (a scenario loaded, a jump in time): everything drawn starts
    /// over from `view`.
    Replaced {
        /// Where data is kept.
        persistence: Persistence,
        /// The first view.
        view: ClusterView,
        /// Cluster time the session's times are shown from.
        origin: i64,
    },
    /// Opening failed.
    OpenFailed(HostError),
    /// Another tab took the cluster over; this one stepped back.
    SteppedBack(String),
    /// An animation frame: the cluster now, and what happened since the last frame.
    Frame {
        /// The cluster as read now.
        view: ClusterView,
        /// Session events since the last frame, with their cluster time, oldest first.
        events: Vec<(SessionEvent, i64)>,
    },
    /// A command succeeded: clear the alert of its place.
    Succeeded(Place),
    /// A command failed: show why next to its control.
    Failed(Place, HostError),
    /// A scenario's command was refused as its next `expect error` line expects.
    RefusedAsExpected(Place, HostError),
    /// A record was sent from the produce form.
    Sent(SentRecord),
    /// A key-move preview was computed.
    Previewed {
        /// Topic.
        topic: String,
        /// The preview, `None` to clear it.
        preview: Option<KeyMovePreview>,
    },
    /// A record was selected (or the selection cleared).
    Select(Option<Selection>),
    /// A topic's lanes page changed.
    LanePage {
        /// Topic.
        topic: String,
        /// First partition shown.
        first: u32,
    },
    /// A step moved time; what it did.
    Stepped(step::StepSaid),
    /// The events a step handed out (empty: nothing happened).
    SteppedThrough(Vec<SessionEvent>),
    /// An alert was dismissed.
    Dismiss(Place),
    /// Consumer groups changed.
    Groups(groups::GroupsAction),
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

impl Model {
    /// Applies one action (the reducer, on a mutable model).
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Opened { persistence, view } => {
                self.ready = true;
                self.origin = Some(view.now);
                self.persistence = persistence;
                self.view = view;
                self.alerts.remove(&Place::Page);
            }
            Action::Replaced {
                persistence,
                view,
                origin,
            } => {
                *self = Self {
                    ready: true,
                    origin: Some(origin),
                    persistence,
                    view,
                    frames: self.frames,
                    ..Self::default()
                };
            }
            Action::OpenFailed(error) => {
                self.alerts.insert(Place::Page, Alert::of(&error));
            }
            Action::SteppedBack(name) => {
                self.ready = false;
                self.persistence = Persistence::SteppedBack(name);
            }
            Action::Frame { view, events } => self.frame(view, &events),
            Action::Succeeded(place) => {
                self.alerts.remove(&place);
            }
            Action::Failed(place, error) => {
                self.alerts.insert(place, Alert::of(&error));
            }
            Action::RefusedAsExpected(place, error) => {
                let alert = Alert {
                    expected: true,
                    ..Alert::of(&error)
                };
                self.alerts.insert(place, alert);
            }
            Action::Sent(sent) => {
                self.alerts.remove(&Place::Produce);
                self.sent.push(sent);
                if self.sent.len() > SENT_SHOWN_MAX {
                    self.sent.remove(0);
                }
            }
            Action::Previewed { topic, preview } => match preview {
                Some(preview) => {
                    self.key_moves.insert(topic, preview);
                }
                None => {
                    self.key_moves.remove(&topic);
                }
            },
            Action::Select(selection) => self.selection = selection,
            Action::LanePage { topic, first } => {
                self.lane_pages.insert(topic, first);
            }
            Action::Stepped(what) => self.last_step = Some(what),
            Action::SteppedThrough(events) => {
                self.last_step_events = events.into_iter().take(STEP_EVENTS_SHOWN_MAX).collect();
            }
            Action::Dismiss(place) => {
                self.alerts.remove(&place);
            }
            Action::Groups(action) => self.groups.apply(action),
        }
    }

    /// Takes a new view and what happened since the last one.
    fn frame(&mut self, mut view: ClusterView, events: &[(SessionEvent, i64)]) {
        self.keep_offscreen_lanes(&mut view);
        let now = view.now;
        let wire = std::mem::take(&mut view.wire);
        self.flights.frame(&wire, now, view.running, view.speed);
        for (event, at) in events {
            reassign::observe(&mut self.reassignments, event, *at);
            match event {
                SessionEvent::Cluster(ClusterEvent::SegmentDeleted {
                    topic,
                    partition,
                    base_offset,
                    size,
                    reason,
                    broker,
                    ..
                }) => {
                    // Each replica deletes its own copy: draw the drawn replica's.
                    let drawn = self
                        .view
                        .topic(topic)
                        .and_then(|t| t.partitions.iter().find(|p| p.index == *partition))
                        .and_then(|p| p.drawn_from);
                    if drawn.is_none_or(|b| b == *broker) {
                        self.deleted.push(DeletedSegment {
                            topic: topic.clone(),
                            partition: *partition,
                            base_offset: *base_offset,
                            size: *size,
                            reason: reason.as_str(),
                            // Shown from the frame that draws it: a jump in time
                            // still shows what it deleted.
                            until: (*at).max(now) + DELETED_SEGMENT_SHOWN_MS,
                        });
                    }
                }
                SessionEvent::Cluster(ClusterEvent::LeaderElected {
                    topic,
                    partition,
                    leader,
                    leader_epoch,
                    reason,
                }) => {
                    if *reason == rill_core::cluster::ElectionReason::TopicCreated {
                        continue;
                    }
                    let from = self
                        .view
                        .topic(topic)
                        .and_then(|t| t.partitions.iter().find(|p| p.index == *partition))
                        .and_then(|p| p.leader);
                    self.elections
                        .retain(|e| !(e.topic == *topic && e.partition == *partition));
                    self.elections.push(RecentElection {
                        topic: topic.clone(),
                        partition: *partition,
                        from,
                        to: *leader,
                        epoch: *leader_epoch,
                        reason: event_log::election_reason(*reason),
                        until: (*at).max(now) + ELECTION_SHOWN_MS,
                    });
                }
                SessionEvent::Cluster(ClusterEvent::Truncated {
                    broker,
                    topic,
                    partition,
                    log_end_offset,
                }) => {
                    let key = (topic.clone(), *partition, *broker);
                    let before = self.last_leos.get(&key).copied().unwrap_or(*log_end_offset);
                    self.last_leos.insert(key, *log_end_offset);
                    if before > *log_end_offset {
                        self.truncations.push(RecentTruncation {
                            topic: topic.clone(),
                            partition: *partition,
                            broker: *broker,
                            from: *log_end_offset,
                            to: before,
                            until: (*at).max(now) + TRUNCATION_SHOWN_MS,
                        });
                    }
                }
                SessionEvent::Cluster(ClusterEvent::TopicDeleted { topic }) => {
                    self.deleted.retain(|d| d.topic != *topic);
                    self.truncations.retain(|t| t.topic != *topic);
                    self.last_leos.retain(|(t, _, _), _| t != topic);
                    self.elections.retain(|e| e.topic != *topic);
                    self.sent.retain(|s| s.topic != *topic);
                    self.key_moves.remove(topic);
                    self.lane_pages.remove(topic);
                    if self.selection.as_ref().is_some_and(|s| s.topic == *topic) {
                        self.selection = None;
                    }
                }
                SessionEvent::World(rill_core::scenario::WorldEvent::Produced {
                    producer,
                    topic,
                    partition,
                    offsets,
                    ..
                }) if producer == rill_core::scenario::CONSOLE_PRODUCER => {
                    if let Some(sent) = self.first_unanswered(topic, *partition) {
                        sent.answer = offsets.map(|(base, _)| Ok((base, *at)));
                        if offsets.is_none() {
                            sent.answer = Some(Ok((-1, *at)));
                        }
                    }
                }
                SessionEvent::World(rill_core::scenario::WorldEvent::ProduceFailed {
                    producer,
                    topic,
                    partition,
                    error,
                    ..
                }) if producer == rill_core::scenario::CONSOLE_PRODUCER => {
                    if let Some(sent) = self.first_unanswered(topic, *partition) {
                        sent.answer = Some(Err(error.name().to_owned()));
                    }
                }
                SessionEvent::ProduceCompleted(outcome) => {
                    if let Some(sent) = self.sent.iter_mut().find(|s| s.request == outcome.request)
                    {
                        sent.answer = Some(match &outcome.result {
                            Ok((base, _)) => Ok((*base, *at)),
                            Err(code) => Err(code.name().to_owned()),
                        });
                    }
                }
                _ => {}
            }
        }
        self.events.extend(events);
        self.deleted.retain(|d| d.until >= now);
        self.deleted.sort_by_key(|d| d.base_offset);
        self.elections.retain(|e| e.until >= now);
        self.truncations.retain(|t| t.until >= now);
        for topic in &view.topics {
            for p in topic.partitions.iter().filter(|p| p.lane.is_some()) {
                for r in &p.replica_views {
                    if let Some(leo) = r.log_end_offset {
                        self.last_leos
                            .insert((topic.name.clone(), p.index, r.broker), leo);
                    }
                }
            }
        }
        // The replicas holding a just-acknowledged record, frozen from this frame on.
        for sent in self.sent.iter_mut().filter(|s| s.held_by.is_none()) {
            let Some(Ok((offset, _))) = sent.answer else {
                continue;
            };
            if offset < 0 {
                continue;
            }
            sent.held_by = view
                .topic(&sent.topic)
                .and_then(|t| t.partitions.iter().find(|p| p.index == sent.partition))
                .map(|p| {
                    p.replica_views
                        .iter()
                        .filter(|r| r.log_end_offset.is_some_and(|leo| leo > offset))
                        .map(|r| r.broker)
                        .collect()
                });
        }
        // A selection whose record is gone (retention, truncation) is dropped.
        if let Some(selection) = &self.selection {
            let exists = view
                .topic(&selection.topic)
                .and_then(|t| t.partitions.iter().find(|p| p.index == selection.partition))
                .is_some_and(|p| {
                    (p.log_start_offset..p.log_end_offset).contains(&selection.offset)
                });
            if !exists {
                self.selection = None;
            }
        }
        // Lane pages past a topic's end (it shrank by deletion and re-creation) go back.
        for topic in &view.topics {
            if let Some(first) = self.lane_pages.get_mut(&topic.name)
                && *first >= topic.partitions.len() as u32
            {
                *first = 0;
            }
        }
        self.view = view;
        self.frames += 1;
    }

    /// Lanes scrolled out of sight were not read ([`PartitionView::lane_skipped`]): they keep
    /// what was drawn of them (the row keeps its height and its lane is not drawn again), and
    /// are read again as they come into view.
    fn keep_offscreen_lanes(&self, view: &mut ClusterView) {
        for topic in &mut view.topics {
            let Some(before) = self.view.topic(&topic.name) else {
                continue;
            };
            for p in topic.partitions.iter_mut().filter(|p| p.lane_skipped) {
                if let Some(old) = before.partitions.iter().find(|o| o.index == p.index) {
                    p.lane.clone_from(&old.lane);
                    p.segments.clone_from(&old.segments);
                }
            }
        }
    }

    /// The oldest record sent from the form to `topic`-`partition` still without an answer.
    fn first_unanswered(&mut self, topic: &str, partition: u32) -> Option<&mut SentRecord> {
        self.sent
            .iter_mut()
            .find(|s| s.topic == topic && s.partition == partition && s.answer.is_none())
    }

    /// The read options for the lanes on screen: each topic's current page.
    pub fn read_options(&self) -> ReadOptions {
        let mut options = ReadOptions::first_partitions(LANES_PER_PAGE);
        for (topic, first) in &self.lane_pages {
            options
                .lanes
                .insert(topic.clone(), (*first, LANES_PER_PAGE));
        }
        options
    }

    /// The recent election on a partition, if any.
    pub fn election(&self, topic: &str, partition: u32) -> Option<&RecentElection> {
        self.elections
            .iter()
            .find(|e| e.topic == topic && e.partition == partition)
    }
}
