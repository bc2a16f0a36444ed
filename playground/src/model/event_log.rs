//! The event log: one line per engine event, newest first, each naming what it is about (a
//! broker, a partition, a group, a topic) so a view can filter it and highlight its subject.
//! Pure: [`EventLine::of`] turns a session event into a line; the words are the view's
//! (`crate::i18n`), in Kafka's own terms.

use std::collections::VecDeque;

use rill_core::cluster::{Acks, ClusterEvent, ElectionReason, ProduceOutcome};
use rill_core::group::coordinator::GroupEvent;
use rill_core::scenario::{MemberEvent, WorldEvent};
use rill_wasm::session::SessionEvent;

/// Lines kept at most; older ones are dropped.
pub const EVENT_LOG_LINES_MAX: usize = 500;

/// What a line is about, for filtering and highlighting.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// A broker (or the controller's view of it).
    Broker(u32),
    /// A partition of a topic.
    Partition(String, u32),
    /// A whole topic.
    Topic(String),
    /// A consumer group.
    Group(String),
}

/// The kind of a line, for the filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Brokers starting, stopping, fenced.
    Broker,
    /// Leaders, ISR, high watermark, reassignment, truncation.
    Replication,
    /// Appends, segments, retention, compaction.
    Log,
    /// Produce answers.
    Produce,
    /// Consumer groups.
    Group,
    /// Topics created, deleted, altered.
    Admin,
}

impl Kind {
    /// Every kind, in filter order.
    pub const ALL: [Kind; 6] = [
        Kind::Broker,
        Kind::Replication,
        Kind::Log,
        Kind::Produce,
        Kind::Group,
        Kind::Admin,
    ];
}

/// One line of the log: when, about what, and the event itself (the view words it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventLine {
    /// Sequence number (unique, increasing).
    pub seq: u64,
    /// Cluster time.
    pub at: i64,
    /// Its kind.
    pub kind: Kind,
    /// What it names, first the main subject.
    pub subjects: Vec<Subject>,
    /// What happened.
    pub event: SessionEvent,
}

fn partition(topic: &str, partition: u32) -> Subject {
    Subject::Partition(topic.to_owned(), partition)
}

impl EventLine {
    /// Whether the line is a refusal: a produce request or a producer's batch that failed with
    /// a Kafka error (`NOT_ENOUGH_REPLICAS`, …). Embeds show these in their recent strip.
    pub fn is_refusal(&self) -> bool {
        matches!(
            &self.event,
            SessionEvent::ProduceCompleted(ProduceOutcome { result: Err(_), .. })
                | SessionEvent::World(WorldEvent::ProduceFailed { .. })
        )
    }

    /// The line for `event` at `at`, or `None` for events too frequent to list one by one
    /// (a follower's every fetch, every high watermark step), which the views show as state.
    pub fn of(seq: u64, event: &SessionEvent, at: i64) -> Option<Self> {
        let (kind, subjects) = match event {
            SessionEvent::ProduceCompleted(ProduceOutcome {
                topic,
                partition: p,
                acks,
                result,
                ..
            }) => {
                if *acks == Acks::None && result.is_ok() {
                    return None;
                }
                (Kind::Produce, vec![partition(topic, *p)])
            }
            SessionEvent::World(event) => match event {
                WorldEvent::Produced {
                    topic,
                    partition: p,
                    offsets,
                    ..
                } => {
                    if offsets.is_none() {
                        return None;
                    }
                    (Kind::Produce, vec![partition(topic, *p)])
                }
                WorldEvent::ProduceFailed {
                    topic,
                    partition: p,
                    ..
                } => (Kind::Produce, vec![partition(topic, *p)]),
                WorldEvent::Member { group, event, .. } => {
                    if matches!(
                        event,
                        MemberEvent::Polled { .. } | MemberEvent::Processed { .. }
                    ) {
                        return None;
                    }
                    (Kind::Group, vec![Subject::Group(group.clone())])
                }
                WorldEvent::Duplicate {
                    group,
                    partition: p,
                    ..
                }
                | WorldEvent::Skipped {
                    group,
                    partition: p,
                    ..
                } => (
                    Kind::Group,
                    vec![
                        Subject::Group(group.clone()),
                        partition(&p.topic, p.partition),
                    ],
                ),
                WorldEvent::Cluster(_) | WorldEvent::ClientOutcome(_) => return None,
                #[allow(unreachable_patterns)]
                _ => return None,
            },
            SessionEvent::Cluster(event) => match event {
                ClusterEvent::BrokerDown { broker, .. }
                | ClusterEvent::BrokerUp { broker }
                | ClusterEvent::BrokerFenced { broker }
                | ClusterEvent::BrokerUnfenced { broker } => {
                    (Kind::Broker, vec![Subject::Broker(*broker)])
                }
                ClusterEvent::LeaderElected {
                    topic,
                    partition: p,
                    leader,
                    ..
                } => {
                    let mut subjects = vec![partition(topic, *p)];
                    subjects.extend(leader.map(Subject::Broker));
                    (Kind::Replication, subjects)
                }
                ClusterEvent::IsrShrunk {
                    topic,
                    partition: p,
                    ..
                }
                | ClusterEvent::IsrExpanded {
                    topic,
                    partition: p,
                    ..
                }
                | ClusterEvent::ReassignmentStarted {
                    topic,
                    partition: p,
                    ..
                }
                | ClusterEvent::ReassignmentProgressed {
                    topic,
                    partition: p,
                    ..
                }
                | ClusterEvent::ReassignmentCompleted {
                    topic,
                    partition: p,
                    ..
                } => (Kind::Replication, vec![partition(topic, *p)]),
                ClusterEvent::Truncated {
                    broker,
                    topic,
                    partition: p,
                    ..
                } => (
                    Kind::Replication,
                    vec![partition(topic, *p), Subject::Broker(*broker)],
                ),
                ClusterEvent::HighWatermarkAdvanced { .. }
                | ClusterEvent::FollowerFetched { .. }
                | ClusterEvent::RecordsAppended { .. } => return None,
                ClusterEvent::TopicDeleted { topic }
                | ClusterEvent::TopicConfigAltered { topic, .. }
                | ClusterEvent::TopicCreated { topic, .. }
                | ClusterEvent::PartitionsCreated { topic, .. }
                | ClusterEvent::RecoverySkippedTopic { topic, .. } => {
                    (Kind::Admin, vec![Subject::Topic(topic.clone())])
                }
                ClusterEvent::SegmentDeleted {
                    broker,
                    topic,
                    partition: p,
                    ..
                }
                | ClusterEvent::SegmentsCompacted {
                    broker,
                    topic,
                    partition: p,
                    ..
                }
                | ClusterEvent::RecoveryTruncated {
                    broker,
                    topic,
                    partition: p,
                    ..
                }
                | ClusterEvent::RecoverySkippedSegment {
                    broker,
                    topic,
                    partition: p,
                    ..
                }
                | ClusterEvent::SegmentRolled {
                    broker,
                    topic,
                    partition: p,
                    ..
                }
                | ClusterEvent::LogStartOffsetAdvanced {
                    broker,
                    topic,
                    partition: p,
                    ..
                } => (
                    Kind::Log,
                    vec![partition(topic, *p), Subject::Broker(*broker)],
                ),
                ClusterEvent::Group { broker, event } => {
                    let group = match event {
                        GroupEvent::MemberJoined { group_id, .. }
                        | GroupEvent::MemberLeft { group_id, .. }
                        | GroupEvent::MemberExpired { group_id, .. }
                        | GroupEvent::MemberFenced { group_id, .. }
                        | GroupEvent::StateChanged { group_id, .. }
                        | GroupEvent::RebalanceStarted { group_id, .. }
                        | GroupEvent::GenerationCompleted { group_id, .. }
                        | GroupEvent::OffsetsCommitted { group_id, .. } => group_id.clone(),
                        #[allow(unreachable_patterns)]
                        _ => String::new(),
                    };
                    (
                        Kind::Group,
                        vec![Subject::Group(group), Subject::Broker(*broker)],
                    )
                }
                #[allow(unreachable_patterns)]
                _ => (Kind::Admin, Vec::new()),
            },
        };
        Some(Self {
            seq,
            at,
            kind,
            subjects,
            event: event.clone(),
        })
    }

    /// Whether the line names `subject`.
    pub fn names(&self, subject: &Subject) -> bool {
        self.subjects.contains(subject)
    }
}

/// The election reason in Kafka's words (`ElectionType` and the controller's log lines).
pub fn election_reason(reason: ElectionReason) -> &'static str {
    match reason {
        ElectionReason::TopicCreated => "new partition",
        ElectionReason::LeaderFenced => "clean election (leader fenced)",
        ElectionReason::BrokerUnfenced => "clean election (broker back)",
        ElectionReason::Unclean => "UNCLEAN election",
        ElectionReason::Preferred => "preferred leader election",
        ElectionReason::ControlledShutdown => "controlled shutdown",
        ElectionReason::Reassignment => "reassignment",
    }
}

/// The event log: newest first, bounded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventLog {
    lines: VecDeque<EventLine>,
    next_seq: u64,
}

impl EventLog {
    /// Adds the lines for `events` (oldest first) at time `at`.
    pub fn extend<'a>(&mut self, events: impl IntoIterator<Item = &'a (SessionEvent, i64)>) {
        for (event, at) in events {
            if let Some(line) = EventLine::of(self.next_seq, event, *at) {
                self.next_seq += 1;
                self.lines.push_front(line);
            }
        }
        self.lines.truncate(EVENT_LOG_LINES_MAX);
        debug_assert!(self.lines.len() <= EVENT_LOG_LINES_MAX);
    }

    /// The lines, newest first.
    pub fn lines(&self) -> impl Iterator<Item = &EventLine> {
        self.lines.iter()
    }

    /// How many lines are kept.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::i18n::events::event_text;
    use rill_core::log::RollReason;

    fn line(event: ClusterEvent) -> Option<EventLine> {
        EventLine::of(1, &SessionEvent::Cluster(event), 5)
    }

    #[test]
    fn every_append_is_state_while_rolls_log_starts_and_topic_changes_are_lines() {
        assert_eq!(
            line(ClusterEvent::RecordsAppended {
                broker: 1,
                topic: "t".into(),
                partition: 0,
                base_offset: 0,
                last_offset: 3,
            }),
            None
        );
        let rolled = ClusterEvent::SegmentRolled {
            broker: 2,
            topic: "t".into(),
            partition: 1,
            base_offset: 40,
            reason: RollReason::Size,
        };
        let roll = line(rolled.clone()).expect("a line");
        assert_eq!(roll.kind, Kind::Log);
        assert_eq!(
            roll.subjects,
            vec![Subject::Partition("t".into(), 1), Subject::Broker(2)]
        );
        let (source, en) = event_text(Lang::En, &SessionEvent::Cluster(rolled.clone()));
        assert_eq!(source, "[Partition t-1]");
        assert_eq!(en, "broker 2 rolled a new segment at 40 (segment.bytes)");
        let (_, ko) = event_text(Lang::Ko, &SessionEvent::Cluster(rolled));
        assert_eq!(ko, "브로커 2가 40에서 새 세그먼트 시작 (segment.bytes)");
        let start = line(ClusterEvent::LogStartOffsetAdvanced {
            broker: 0,
            topic: "t".into(),
            partition: 0,
            log_start_offset: 7,
        })
        .expect("a line");
        assert_eq!(start.kind, Kind::Log);
        for event in [
            ClusterEvent::TopicCreated {
                topic: "t".into(),
                partitions: 3,
                replication_factor: 2,
            },
            ClusterEvent::PartitionsCreated {
                topic: "t".into(),
                from: 3,
                to: 6,
            },
        ] {
            let admin = line(event.clone()).expect("a line");
            assert_eq!(admin.kind, Kind::Admin);
            assert_eq!(admin.subjects, vec![Subject::Topic("t".into())]);
            let (_, en) = event_text(Lang::En, &SessionEvent::Cluster(event.clone()));
            let (_, ko) = event_text(Lang::Ko, &SessionEvent::Cluster(event));
            assert_ne!(en, ko);
        }
    }
}
