//! The cluster's events as plain JavaScript objects `{ type, ..., at }` for `kafka.on`.
//!
//! Types (camelCase): `brokerDown`, `brokerUp`, `brokerFenced`, `brokerUnfenced`,
//! `leaderElected`, `isrShrunk`, `isrExpanded`, `highWatermarkAdvanced`,
//! `reassignmentStarted`, `reassignmentProgressed`, `reassignmentCompleted`,
//! `followerFetched`, `truncated`, `group` (a group coordinator's event: `groupId` and `kind`
//! = `memberJoined`, `memberLeft`, `memberExpired`, `memberFenced`, `stateChanged`,
//! `rebalanceStarted`, `generationCompleted`, `offsetsCommitted`, `offsetsExpired`,
//! `groupRemoved`, with their fields), `produceCompleted` (a producer's answer: `request`, `topic`, `partition`,
//! `acks`, and `baseOffset`/`lastOffset` or `error`), `topicDeleted` (`topic`),
//! `topicConfigAltered` (`topic`, `overrides`: `[{ name, value }]` in force now),
//! `segmentDeleted` (`broker`, `topic`, `partition`, `baseOffset`, `size`, `reason` =
//! `retention.ms` / `retention.bytes` / `log start offset`, `logStartOffset`),
//! `segmentsCompacted` (`broker`, `topic`, `partition`, `removed`, `added` (base offsets),
//! `bytesBefore`, `bytesAfter`), `recoveryTruncated` (`broker`, `topic`, `partition`,
//! `segmentBaseOffset`, `validBytes`, `droppedBytes`, `problem`), `recoverySkippedTopic`
//! (`broker`, `topic`, `reason`), `recoverySkippedSegment` (`broker`, `topic`, `partition`,
//! `baseOffset`), `topicCreated` (`topic`,
//! `numPartitions`, `replicationFactor`), `partitionsCreated` (`topic`, `previousCount`,
//! `count`),
//! `recordsAppended` (`broker`, `topic`, `partition`, `baseOffset`, `lastOffset`: one per
//! replica's append), `segmentRolled` (`broker`, `topic`, `partition`, `baseOffset`, `reason` =
//! `size` / `time` / `indexFull` / `offsetOverflow` / `retention`), `logStartOffsetAdvanced`
//! (`broker`, `topic`, `partition`, `logStartOffset`), and `other` for kinds added to the core
//! later.

use js_sys::{Array, Object};

/// Every event type `kafka.on` accepts (besides `'*'`).
pub(crate) const EVENT_TYPES: &[&str] = &[
    "brokerDown",
    "brokerUp",
    "brokerFenced",
    "brokerUnfenced",
    "leaderElected",
    "isrShrunk",
    "isrExpanded",
    "highWatermarkAdvanced",
    "reassignmentStarted",
    "reassignmentProgressed",
    "reassignmentCompleted",
    "followerFetched",
    "truncated",
    "group",
    "produceCompleted",
    "topicDeleted",
    "topicConfigAltered",
    "segmentDeleted",
    "segmentsCompacted",
    "recoveryTruncated",
    "recoverySkippedTopic",
    "recoverySkippedSegment",
    "topicCreated",
    "partitionsCreated",
    "recordsAppended",
    "segmentRolled",
    "logStartOffsetAdvanced",
    "other",
];
use rill_core::cluster::{Acks, ClusterEvent, ElectionReason, ProduceOutcome};
use rill_core::group::coordinator::{ExpiryCause, GroupEvent};
use rill_core::log::{RecoveryProblem, RollReason};
use wasm_bindgen::JsValue;

use super::shapes::{ids, topic_partitions};
use crate::api::set;

/// An event object's `type`.
pub(crate) fn event_type(event: &JsValue) -> String {
    js_sys::Reflect::get(event, &"type".into())
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default()
}

/// Offsets as strings (KafkaJS's convention for offsets).
fn offsets(offsets: &[i64]) -> Array {
    offsets
        .iter()
        .map(|o| JsValue::from(o.to_string()))
        .collect()
}

/// Why a segment was rolled: `size` (`segment.bytes`), `time` (`segment.ms`), `indexFull`
/// (`segment.index.bytes`), `offsetOverflow`, `retention`.
fn roll_reason_name(reason: RollReason) -> &'static str {
    match reason {
        RollReason::Size => "size",
        RollReason::Time => "time",
        RollReason::IndexFull => "indexFull",
        RollReason::OffsetOverflow => "offsetOverflow",
        RollReason::Retention => "retention",
    }
}

fn reason_name(reason: ElectionReason) -> &'static str {
    match reason {
        ElectionReason::TopicCreated => "topicCreated",
        ElectionReason::LeaderFenced => "leaderFenced",
        ElectionReason::BrokerUnfenced => "brokerUnfenced",
        ElectionReason::Unclean => "unclean",
        ElectionReason::Preferred => "preferred",
        ElectionReason::ControlledShutdown => "controlledShutdown",
        ElectionReason::Reassignment => "reassignment",
    }
}

fn partition_fields(object: &Object, topic: &str, partition: u32) {
    set(object, "topic", topic);
    set(object, "partition", partition);
}

/// One cluster event at cluster time `at`.
pub(crate) fn cluster_event_to_js(event: &ClusterEvent, at: i64) -> JsValue {
    let object = Object::new();
    let kind = match event {
        ClusterEvent::BrokerDown { broker, controlled } => {
            set(&object, "broker", *broker);
            set(&object, "controlled", *controlled);
            "brokerDown"
        }
        ClusterEvent::BrokerUp { broker } => {
            set(&object, "broker", *broker);
            "brokerUp"
        }
        ClusterEvent::BrokerFenced { broker } => {
            set(&object, "broker", *broker);
            "brokerFenced"
        }
        ClusterEvent::BrokerUnfenced { broker } => {
            set(&object, "broker", *broker);
            "brokerUnfenced"
        }
        ClusterEvent::LeaderElected {
            topic,
            partition,
            leader,
            leader_epoch,
            reason,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "leader", leader.map_or(-1, i64::from) as f64);
            set(&object, "leaderEpoch", *leader_epoch);
            set(&object, "reason", reason_name(*reason));
            "leaderElected"
        }
        ClusterEvent::IsrShrunk {
            topic,
            partition,
            isr,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "isr", ids(isr.iter().copied()));
            "isrShrunk"
        }
        ClusterEvent::IsrExpanded {
            topic,
            partition,
            isr,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "isr", ids(isr.iter().copied()));
            "isrExpanded"
        }
        ClusterEvent::HighWatermarkAdvanced {
            broker,
            topic,
            partition,
            high_watermark,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "broker", *broker);
            set(&object, "highWatermark", high_watermark.to_string());
            "highWatermarkAdvanced"
        }
        ClusterEvent::ReassignmentStarted {
            topic,
            partition,
            target,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "target", ids(target.iter().copied()));
            "reassignmentStarted"
        }
        ClusterEvent::ReassignmentProgressed {
            topic,
            partition,
            in_sync,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "inSync", ids(in_sync.iter().copied()));
            "reassignmentProgressed"
        }
        ClusterEvent::ReassignmentCompleted {
            topic,
            partition,
            replicas,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "replicas", ids(replicas.iter().copied()));
            "reassignmentCompleted"
        }
        ClusterEvent::FollowerFetched {
            broker,
            topic,
            partition,
            log_end_offset,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "broker", *broker);
            set(&object, "logEndOffset", log_end_offset.to_string());
            "followerFetched"
        }
        ClusterEvent::Truncated {
            broker,
            topic,
            partition,
            log_end_offset,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "broker", *broker);
            set(&object, "logEndOffset", log_end_offset.to_string());
            "truncated"
        }
        ClusterEvent::Group { broker, event } => {
            set(&object, "broker", *broker);
            group_event_fields(&object, event);
            "group"
        }
        ClusterEvent::TopicDeleted { topic } => {
            set(&object, "topic", topic.as_str());
            "topicDeleted"
        }
        ClusterEvent::TopicConfigAltered { topic, overrides } => {
            set(&object, "topic", topic.as_str());
            let rows: Array = overrides
                .iter()
                .map(|(name, value)| {
                    let row = Object::new();
                    set(&row, "name", name.as_str());
                    set(&row, "value", value.as_str());
                    JsValue::from(row)
                })
                .collect();
            set(&object, "overrides", rows);
            "topicConfigAltered"
        }
        ClusterEvent::SegmentDeleted {
            broker,
            topic,
            partition,
            base_offset,
            size,
            reason,
            log_start_offset,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "broker", *broker);
            set(&object, "baseOffset", base_offset.to_string());
            set(&object, "size", *size as f64);
            set(&object, "reason", reason.as_str());
            set(&object, "logStartOffset", log_start_offset.to_string());
            "segmentDeleted"
        }
        ClusterEvent::SegmentsCompacted {
            broker,
            topic,
            partition,
            removed,
            added,
            bytes_before,
            bytes_after,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "broker", *broker);
            set(&object, "removed", offsets(removed));
            set(&object, "added", offsets(added));
            set(&object, "bytesBefore", *bytes_before as f64);
            set(&object, "bytesAfter", *bytes_after as f64);
            "segmentsCompacted"
        }
        ClusterEvent::RecoveryTruncated {
            broker,
            topic,
            partition,
            truncation,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "broker", *broker);
            set(
                &object,
                "segmentBaseOffset",
                truncation.segment_base_offset.to_string(),
            );
            set(&object, "validBytes", truncation.valid_bytes as f64);
            set(&object, "droppedBytes", truncation.dropped_bytes as f64);
            let problem = match &truncation.problem {
                RecoveryProblem::Corrupt(e) => format!("corrupt batch: {e}"),
                RecoveryProblem::OffsetsOutOfOrder { expected, found } => {
                    format!("offsets out of order: expected at least {expected}, found {found}")
                }
                RecoveryProblem::Unreadable => "a stored chunk could not be read".to_owned(),
            };
            set(&object, "problem", problem);
            "recoveryTruncated"
        }
        ClusterEvent::RecoverySkippedTopic {
            broker,
            topic,
            reason,
        } => {
            set(&object, "broker", *broker);
            set(&object, "topic", topic.as_str());
            set(&object, "reason", reason.as_str());
            "recoverySkippedTopic"
        }
        ClusterEvent::RecoverySkippedSegment {
            broker,
            topic,
            partition,
            base_offset,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "broker", *broker);
            set(&object, "baseOffset", base_offset.to_string());
            "recoverySkippedSegment"
        }
        ClusterEvent::TopicCreated {
            topic,
            partitions,
            replication_factor,
        } => {
            set(&object, "topic", topic.as_str());
            set(&object, "numPartitions", *partitions);
            set(&object, "replicationFactor", *replication_factor);
            "topicCreated"
        }
        ClusterEvent::PartitionsCreated { topic, from, to } => {
            set(&object, "topic", topic.as_str());
            set(&object, "previousCount", *from);
            set(&object, "count", *to);
            "partitionsCreated"
        }
        ClusterEvent::RecordsAppended {
            broker,
            topic,
            partition,
            base_offset,
            last_offset,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "broker", *broker);
            set(&object, "baseOffset", base_offset.to_string());
            set(&object, "lastOffset", last_offset.to_string());
            "recordsAppended"
        }
        ClusterEvent::SegmentRolled {
            broker,
            topic,
            partition,
            base_offset,
            reason,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "broker", *broker);
            set(&object, "baseOffset", base_offset.to_string());
            set(&object, "reason", roll_reason_name(*reason));
            "segmentRolled"
        }
        ClusterEvent::LogStartOffsetAdvanced {
            broker,
            topic,
            partition,
            log_start_offset,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "broker", *broker);
            set(&object, "logStartOffset", log_start_offset.to_string());
            "logStartOffsetAdvanced"
        }
        other => {
            set(&object, "detail", format!("{other:?}"));
            "other"
        }
    };
    set(&object, "type", kind);
    set(&object, "at", at as f64);
    object.into()
}

fn string_or_null(value: &Option<String>) -> JsValue {
    value.as_deref().map_or(JsValue::NULL, JsValue::from)
}

/// A group coordinator's event: `kind` (camelCase) and its fields.
fn group_event_fields(object: &Object, event: &GroupEvent) {
    let (kind, group_id) = match event {
        GroupEvent::MemberJoined {
            group_id,
            member_id,
            group_instance_id,
            client_id,
        } => {
            set(object, "memberId", member_id.as_str());
            set(object, "groupInstanceId", string_or_null(group_instance_id));
            set(object, "clientId", client_id.as_str());
            ("memberJoined", group_id)
        }
        GroupEvent::MemberLeft {
            group_id,
            member_id,
            reason,
        } => {
            set(object, "memberId", member_id.as_str());
            set(object, "reason", string_or_null(reason));
            ("memberLeft", group_id)
        }
        GroupEvent::MemberExpired {
            group_id,
            member_id,
            cause,
        } => {
            set(object, "memberId", member_id.as_str());
            let cause = match cause {
                ExpiryCause::SessionTimeout => "sessionTimeout",
                ExpiryCause::NotRejoined => "notRejoined",
                ExpiryCause::NotSynced => "notSynced",
                ExpiryCause::PendingJoinTimeout => "pendingJoinTimeout",
            };
            set(object, "cause", cause);
            ("memberExpired", group_id)
        }
        GroupEvent::MemberFenced {
            group_id,
            group_instance_id,
            old_member_id,
            new_member_id,
        } => {
            set(object, "groupInstanceId", group_instance_id.as_str());
            set(object, "oldMemberId", old_member_id.as_str());
            set(object, "newMemberId", new_member_id.as_str());
            ("memberFenced", group_id)
        }
        GroupEvent::StateChanged { group_id, from, to } => {
            set(object, "from", from.name());
            set(object, "to", to.name());
            ("stateChanged", group_id)
        }
        GroupEvent::RebalanceStarted {
            group_id,
            generation,
            reason,
        } => {
            set(object, "generationId", *generation);
            set(object, "reason", reason.as_str());
            ("rebalanceStarted", group_id)
        }
        GroupEvent::GenerationCompleted {
            group_id,
            generation,
            protocol,
            leader,
            assignments,
        } => {
            set(object, "generationId", *generation);
            set(object, "protocol", string_or_null(protocol));
            set(object, "leaderId", string_or_null(leader));
            let members: Array = assignments
                .iter()
                .map(|(member, assignment)| {
                    let row = Object::new();
                    set(&row, "memberId", member.as_str());
                    set(&row, "assignment", topic_partitions(&assignment.partitions));
                    JsValue::from(row)
                })
                .collect();
            set(object, "assignments", members);
            ("generationCompleted", group_id)
        }
        GroupEvent::OffsetsCommitted {
            group_id,
            member_id,
            offsets,
        } => {
            set(object, "memberId", member_id.as_str());
            let rows: Array = offsets
                .iter()
                .map(|(tp, offset)| {
                    let row = Object::new();
                    set(&row, "topic", tp.topic.as_str());
                    set(&row, "partition", tp.partition);
                    set(&row, "offset", offset.to_string());
                    JsValue::from(row)
                })
                .collect();
            set(object, "offsets", rows);
            ("offsetsCommitted", group_id)
        }
        GroupEvent::OffsetsExpired {
            group_id,
            partitions,
        } => {
            set(object, "partitions", topic_partitions(partitions));
            ("offsetsExpired", group_id)
        }
        GroupEvent::GroupRemoved { group_id } => ("groupRemoved", group_id),
    };
    set(object, "kind", kind);
    set(object, "groupId", group_id.as_str());
}

/// A produce request's answer, as the producer received it.
pub(crate) fn outcome_to_js(outcome: &ProduceOutcome, at: i64) -> JsValue {
    let object = Object::new();
    set(&object, "type", "produceCompleted");
    set(&object, "request", outcome.request as f64);
    partition_fields(&object, &outcome.topic, outcome.partition);
    let acks: i16 = match outcome.acks {
        Acks::None => 0,
        Acks::Leader => 1,
        Acks::All => -1,
    };
    set(&object, "acks", acks);
    match outcome.result {
        Ok((base, last)) => {
            set(&object, "baseOffset", base.to_string());
            set(&object, "lastOffset", last.to_string());
        }
        Err(code) => set(&object, "error", code.name()),
    }
    set(&object, "at", at as f64);
    object.into()
}
