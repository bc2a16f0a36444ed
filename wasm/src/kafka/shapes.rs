//! JavaScript shapes of core values that several parts of the API hand out: the admin's
//! answers, the consumer's instrumentation events and the cluster's events.

use js_sys::{Array, Object};
use rill_core::group::TopicPartition;
use wasm_bindgen::JsValue;

use crate::api::set;

/// Broker ids (replicas, ISR, targets) as an array of numbers.
pub(crate) fn ids(ids: impl IntoIterator<Item = u32>) -> Array {
    ids.into_iter().map(JsValue::from).collect()
}

/// Partitions as KafkaJS's `[{ topic, partitions: [..] }]`, topics in order of first
/// appearance.
pub(crate) fn topic_partitions(partitions: &[TopicPartition]) -> Array {
    let mut grouped: Vec<(String, Vec<u32>)> = Vec::new();
    for tp in partitions {
        match grouped.iter_mut().find(|(t, _)| *t == tp.topic) {
            Some((_, list)) => list.push(tp.partition),
            None => grouped.push((tp.topic.clone(), vec![tp.partition])),
        }
    }
    grouped
        .into_iter()
        .map(|(topic, list)| {
            let row = Object::new();
            set(&row, "topic", topic.as_str());
            set(&row, "partitions", ids(list));
            JsValue::from(row)
        })
        .collect()
}
