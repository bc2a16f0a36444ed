//! [`ClusterEvent`]: what happened in the cluster, in the order it happened, for views, traces
//! and invariant checks; and [`log_events`], the one mapping from a replica's [`LogChange`]s to
//! the events a view needs to follow its log (appends, rolls, deletions, compaction, log start
//! moves).

use super::ElectionReason;
use crate::group::coordinator::GroupEvent;
use crate::log::{DeletionReason, LogChange, RecoveryTruncation, RollReason};

/// Something that happened in the cluster, for visualisations, traces and invariant checks.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterEvent {
    /// A broker stopped: killed, or at the end of a controlled shutdown.
    BrokerDown {
        /// The broker.
        broker: u32,
        /// Whether it stopped at the end of a controlled shutdown (its leaderships and ISR
        /// memberships had moved off it first) rather than being killed.
        controlled: bool,
    },
    /// A broker started again and recovered its logs.
    BrokerUp {
        /// The broker.
        broker: u32,
    },
    /// The controller fenced a broker that missed heartbeats.
    BrokerFenced {
        /// The broker.
        broker: u32,
    },
    /// The controller unfenced a broker that heartbeats again.
    BrokerUnfenced {
        /// The broker.
        broker: u32,
    },
    /// A partition got a new leader (or lost it: `leader` is `None`).
    LeaderElected {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The new leader.
        leader: Option<u32>,
        /// The new leader epoch.
        leader_epoch: i32,
        /// Why.
        reason: ElectionReason,
    },
    /// The ISR lost members.
    IsrShrunk {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The ISR now.
        isr: Vec<u32>,
    },
    /// The ISR gained members.
    IsrExpanded {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The ISR now.
        isr: Vec<u32>,
    },
    /// A leader's high watermark moved forward.
    HighWatermarkAdvanced {
        /// The leader.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The new high watermark.
        high_watermark: i64,
    },
    /// A reassignment started: new replicas will copy the partition.
    ReassignmentStarted {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The replicas it moves to.
        target: Vec<u32>,
    },
    /// A replica a reassignment adds caught up and joined the ISR.
    ReassignmentProgressed {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The added replicas now in sync.
        in_sync: Vec<u32>,
    },
    /// A reassignment finished: the removed replicas are gone.
    ReassignmentCompleted {
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The replicas now.
        replicas: Vec<u32>,
    },
    /// A follower appended what it fetched.
    FollowerFetched {
        /// The follower.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Its log end offset afterwards.
        log_end_offset: i64,
    },
    /// A replica cut its log where it diverged from the leader's.
    Truncated {
        /// The replica's broker.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Its log end offset afterwards.
        log_end_offset: i64,
    },
    /// The controller created a topic (its partitions' first leaders follow as
    /// [`ClusterEvent::LeaderElected`] with [`ElectionReason::TopicCreated`]).
    TopicCreated {
        /// Topic name.
        topic: String,
        /// Number of partitions.
        partitions: u32,
        /// Replicas per partition.
        replication_factor: u32,
    },
    /// The controller added partitions to a topic (Kafka's CreatePartitions).
    PartitionsCreated {
        /// Topic name.
        topic: String,
        /// The partition count before.
        from: u32,
        /// The partition count after.
        to: u32,
    },
    /// A replica appended records to its log: a leader's append of a produce (or of its group
    /// coordinator's writes), or a follower's copy of what it fetched. One event per log
    /// append; a follower's fetch of several batches is one.
    RecordsAppended {
        /// The broker holding the replica.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Offset of the first record appended.
        base_offset: i64,
        /// Offset of the last record appended.
        last_offset: i64,
    },
    /// A replica closed its active segment and started a new one.
    SegmentRolled {
        /// The broker holding the replica.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Base offset of the new active segment.
        base_offset: i64,
        /// Why the previous segment was closed.
        reason: RollReason,
    },
    /// A replica's log start offset moved up without a segment going: `deleteRecords` at the
    /// leader, or a follower following its leader's log start. (Retention reports it in
    /// [`ClusterEvent::SegmentDeleted`].)
    LogStartOffsetAdvanced {
        /// The broker holding the replica.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The new log start offset.
        log_start_offset: i64,
    },
    /// A topic was deleted: the controller removed its partitions; brokers delete their
    /// replicas when the news reaches them.
    TopicDeleted {
        /// Topic name.
        topic: String,
    },
    /// A topic's config overrides changed (`incrementalAlterConfigs`).
    TopicConfigAltered {
        /// Topic name.
        topic: String,
        /// The overrides in force now, sorted by name.
        overrides: Vec<(String, String)>,
    },
    /// A broker's log cleanup deleted a segment of one of its replicas (retention, or below
    /// the log start offset).
    SegmentDeleted {
        /// The broker holding the replica.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// The deleted segment's base offset.
        base_offset: i64,
        /// Its size in bytes.
        size: usize,
        /// Why it went.
        reason: DeletionReason,
        /// The replica's log start offset afterwards.
        log_start_offset: i64,
    },
    /// A broker's log cleaner compacted segments of one of its replicas.
    SegmentsCompacted {
        /// The broker holding the replica.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// Base offsets of the segments replaced.
        removed: Vec<i64>,
        /// Base offsets of the cleaned segments that replace them.
        added: Vec<i64>,
        /// Bytes before cleaning.
        bytes_before: u64,
        /// Bytes after cleaning.
        bytes_after: u64,
    },
    /// Recovery cut a broker's stored segments of a partition (a torn or corrupt tail, and
    /// everything after it), as Kafka's log recovery does after an unclean shutdown.
    RecoveryTruncated {
        /// The broker.
        broker: u32,
        /// Topic name.
        topic: String,
        /// Partition index.
        partition: u32,
        /// What was dropped and why.
        truncation: RecoveryTruncation,
    },
    /// Recovery left a stored topic out: its stored name, partition count or config cannot
    /// be restored. Its bytes stay in the store; nothing serves them.
    RecoverySkippedTopic {
        /// The broker whose log directory holds it.
        broker: u32,
        /// The topic's name as stored.
        topic: String,
        /// Why, as creating the topic would have refused it.
        reason: String,
    },
    /// Recovery left a stored segment out: it names a partition its topic does not have.
    /// Its bytes stay in the store; nothing serves them.
    RecoverySkippedSegment {
        /// The broker whose log directory holds it.
        broker: u32,
        /// Topic name.
        topic: String,
        /// The partition it names.
        partition: u32,
        /// The segment's base offset.
        base_offset: i64,
    },
    /// Something happened in a consumer group, at the coordinator on `broker`.
    Group {
        /// The coordinator's broker.
        broker: u32,
        /// What happened.
        event: GroupEvent,
    },
}

/// The events `changes` (one log operation on `broker`'s replica of `topic`-`partition`) show,
/// pushed onto `events`. `log_start_before` is the replica's log start offset before the
/// operation, `log_start_after` after it. Truncation is not mapped here: the fetch handling
/// that truncates reports it as [`ClusterEvent::Truncated`] (also when nothing was cut), and a
/// `StateChanged` that only moved the cleaner checkpoint shows nothing.
pub(crate) fn log_events(
    broker: u32,
    topic: &str,
    partition: u32,
    changes: &[LogChange],
    log_start_before: i64,
    log_start_after: i64,
    events: &mut Vec<ClusterEvent>,
) {
    let mut deleted_segment = false;
    for change in changes {
        let event = match change {
            LogChange::Appended {
                first_offset,
                last_offset,
                ..
            } => ClusterEvent::RecordsAppended {
                broker,
                topic: topic.to_owned(),
                partition,
                base_offset: *first_offset,
                last_offset: *last_offset,
            },
            LogChange::SegmentRolled {
                base_offset,
                reason,
            } => ClusterEvent::SegmentRolled {
                broker,
                topic: topic.to_owned(),
                partition,
                base_offset: *base_offset,
                reason: *reason,
            },
            LogChange::SegmentDeleted {
                base_offset,
                size,
                reason,
            } => {
                deleted_segment = true;
                ClusterEvent::SegmentDeleted {
                    broker,
                    topic: topic.to_owned(),
                    partition,
                    base_offset: *base_offset,
                    size: *size,
                    reason: *reason,
                    log_start_offset: log_start_after,
                }
            }
            LogChange::SegmentsCompacted {
                removed,
                added,
                bytes_before,
            } => ClusterEvent::SegmentsCompacted {
                broker,
                topic: topic.to_owned(),
                partition,
                removed: removed.clone(),
                added: added.iter().map(|(base, _)| *base).collect(),
                bytes_before: *bytes_before,
                bytes_after: added.iter().map(|(_, bytes)| bytes.len() as u64).sum(),
            },
            LogChange::Truncated { .. } | LogChange::StateChanged(_) => continue,
        };
        events.push(event);
    }
    let moved_by_state = changes
        .iter()
        .any(|c| matches!(c, LogChange::StateChanged(_)));
    if moved_by_state && !deleted_segment && log_start_after > log_start_before {
        events.push(ClusterEvent::LogStartOffsetAdvanced {
            broker,
            topic: topic.to_owned(),
            partition,
            log_start_offset: log_start_after,
        });
    }
}
