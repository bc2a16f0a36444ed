//! The cluster's events as plain JavaScript objects `{ type, ..., at }` for `kafka.on`.
//!
//! Types (camelCase): `brokerDown`, `brokerUp`, `brokerFenced`, `brokerUnfenced`,
//! `leaderElected`, `isrShrunk`, `isrExpanded`, `highWatermarkAdvanced`,
//! `reassignmentStarted`, `reassignmentProgressed`, `reassignmentCompleted`,
//! `followerFetched`, `truncated`, `group` (a group coordinator's event: `kind`, `groupId`,
//! `detail`), `produceCompleted` (a producer's answer: `request`, `topic`, `partition`,
//! `acks`, and `baseOffset`/`lastOffset` or `error`), and `other` for kinds added to the core
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
    "other",
];
use rill_core::cluster::{Acks, ClusterEvent, ElectionReason, ProduceOutcome};
use wasm_bindgen::JsValue;

use crate::api::set;

fn ids(ids: &[u32]) -> Array {
    ids.iter().map(|id| JsValue::from(*id)).collect()
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
        ClusterEvent::BrokerDown { broker } => {
            set(&object, "broker", *broker);
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
            set(&object, "isr", ids(isr));
            "isrShrunk"
        }
        ClusterEvent::IsrExpanded {
            topic,
            partition,
            isr,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "isr", ids(isr));
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
            set(&object, "target", ids(target));
            "reassignmentStarted"
        }
        ClusterEvent::ReassignmentProgressed {
            topic,
            partition,
            in_sync,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "inSync", ids(in_sync));
            "reassignmentProgressed"
        }
        ClusterEvent::ReassignmentCompleted {
            topic,
            partition,
            replicas,
        } => {
            partition_fields(&object, topic, *partition);
            set(&object, "replicas", ids(replicas));
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
            let detail = format!("{event:?}");
            let kind: String = detail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            set(&object, "kind", kind);
            if let Some(group) = group_id_of(&detail) {
                set(&object, "groupId", group);
            }
            set(&object, "detail", detail);
            "group"
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

/// The `group_id: "..."` field of a group event's debug text.
fn group_id_of(detail: &str) -> Option<String> {
    let start = detail.find("group_id: \"")? + "group_id: \"".len();
    let end = detail[start..].find('"')?;
    Some(detail[start..start + end].to_owned())
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
