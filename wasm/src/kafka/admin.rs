//! `kafka.admin()`: KafkaJS's admin client over the cluster.

use js_sys::{Array, Object, Promise};
use rill_core::cluster::{OFFSETS_TOPIC, ReplicaRole, ResetTarget};
use rill_core::group::TopicPartition;
use rill_core::{ErrorCode, KafkaError};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::host::{Clock, ClusterHost};
use super::{kafka_error, offset_value, promise, resolved, u32_value, unsupported};
use crate::HostError;
use crate::api::{field, int_field, invalid, is_missing, object_arg, set, string_field};

/// KafkaJS's admin client.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Admin {
    host: ClusterHost,
}

fn array_field(object: &Object, name: &'static str, what: &str) -> Result<Array, HostError> {
    field(object, name)
        .dyn_into::<Array>()
        .map_err(|_| invalid(format!("{what}.{name} must be an array")))
}

fn string_array(value: &JsValue, what: &str) -> Result<Vec<String>, HostError> {
    let array = value
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid(format!("{what} must be an array of strings")))?;
    array
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_string()
                .ok_or_else(|| invalid(format!("{what}[{i}] must be a string")))
        })
        .collect()
}

fn required_string(object: &Object, name: &'static str, what: &str) -> Result<String, HostError> {
    string_field(object, name, what)?.ok_or_else(|| invalid(format!("{what}.{name} is required")))
}

/// The partition count of a topic (`UNKNOWN_TOPIC_OR_PARTITION` when it does not exist).
pub(crate) fn partition_count(host: &ClusterHost, topic: &str) -> Result<u32, HostError> {
    let count = host.read(|c| c.partitions().iter().filter(|(t, _)| t == topic).count() as u32);
    if count == 0 {
        return Err(kafka_error(
            ErrorCode::UnknownTopicOrPartition,
            format!("This server does not host this topic-partition: topic '{topic}'"),
        ));
    }
    Ok(count)
}

fn topic_names(host: &ClusterHost) -> Vec<String> {
    let mut names: Vec<String> =
        host.read(|c| c.partitions().into_iter().map(|(t, _)| t).collect());
    names.dedup();
    names.retain(|t| t != OFFSETS_TOPIC);
    names
}

fn ids(ids: impl IntoIterator<Item = u32>) -> Array {
    ids.into_iter().map(JsValue::from).collect()
}

impl Admin {
    pub(crate) fn new(host: ClusterHost) -> Self {
        Self { host }
    }
}

#[wasm_bindgen]
impl Admin {
    /// Resolves at once: the cluster is in the page.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn connect(&self) -> Promise {
        resolved(JsValue::UNDEFINED)
    }

    /// Resolves at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn disconnect(&self) -> Promise {
        resolved(JsValue::UNDEFINED)
    }

    /// `createTopics({ topics: [{ topic, numPartitions = 1, replicationFactor = 1,
    /// configEntries }], waitForLeaders, timeout = 5000 })`: resolves `true` when every topic
    /// was created, `false` when one already existed (as KafkaJS); any other error is thrown.
    /// With `waitForLeaders` (the default on the realtime clock; on the manual clock it
    /// defaults to `false`, and `true` needs `advance`), it resolves once every partition's
    /// leader knows it leads, or fails with `REQUEST_TIMED_OUT` after `timeout` ms.
    #[wasm_bindgen(js_name = createTopics, unchecked_return_type = "Promise<boolean>")]
    pub fn create_topics(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateTopicsOptions")] options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            let what = "createTopics options";
            let object = object_arg(&options, what)?;
            if field(object, "validateOnly").is_truthy() {
                // TODO(cluster admin): `validateOnly` needs a validating create in the core.
                return Err(unsupported("createTopics({ validateOnly: true })"));
            }
            let mut specs = Vec::new();
            for (i, topic) in array_field(object, "topics", what)?.iter().enumerate() {
                let what = format!("{what}.topics[{i}]");
                let topic = object_arg(&topic, &what)?;
                let name = required_string(topic, "topic", &what)?;
                let partitions = match int_field(topic, "numPartitions", &what)? {
                    None | Some(-1) => 1,
                    Some(n) => u32::try_from(n).map_err(|_| {
                        kafka_error(
                            ErrorCode::InvalidPartitions,
                            format!("Number of partitions must be larger than 0, got {n}."),
                        )
                    })?,
                };
                let replication = match int_field(topic, "replicationFactor", &what)? {
                    None | Some(-1) => 1,
                    Some(n) => u32::try_from(n).map_err(|_| {
                        kafka_error(
                            ErrorCode::InvalidReplicationFactor,
                            format!("Replication factor must be larger than 0, got {n}."),
                        )
                    })?,
                };
                let mut configs = Vec::new();
                let entries = field(topic, "configEntries");
                if !is_missing(&entries) {
                    let entries = entries
                        .dyn_into::<Array>()
                        .map_err(|_| invalid(format!("{what}.configEntries must be an array")))?;
                    for (j, entry) in entries.iter().enumerate() {
                        let what = format!("{what}.configEntries[{j}]");
                        let entry = object_arg(&entry, &what)?;
                        configs.push((
                            required_string(entry, "name", &what)?,
                            required_string(entry, "value", &what)?,
                        ));
                    }
                }
                specs.push((name, partitions, replication, configs));
            }
            let wait = match field(object, "waitForLeaders") {
                v if is_missing(&v) => host.clock() == Clock::Realtime,
                v => v.is_truthy(),
            };
            let timeout = int_field(object, "timeout", what)?.unwrap_or(5_000).max(0);
            let names: Vec<String> = specs.iter().map(|s| s.0.clone()).collect();
            let mut all_created = true;
            for (name, partitions, replication, configs) in specs {
                let result =
                    host.command(|c| c.create_topic(&name, partitions, replication, &configs))?;
                match result {
                    Ok(()) => {}
                    Err(e) if e.error_code() == ErrorCode::TopicAlreadyExists => {
                        all_created = false
                    }
                    Err(e) => return Err(HostError::kafka(&e)),
                }
            }
            host.durable().await?;
            if wait {
                wait_for_leaders(&host, &names, timeout).await?;
            }
            Ok(all_created.into())
        })
    }

    /// `deleteTopics({ topics })`.
    #[wasm_bindgen(js_name = deleteTopics, unchecked_return_type = "Promise<void>")]
    pub fn delete_topics(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ topics: string[]; timeout?: number }")]
        options: JsValue,
    ) -> Promise {
        promise(async move {
            let object = object_arg(&options, "deleteTopics options")?;
            string_array(&field(object, "topics"), "deleteTopics options.topics")?;
            // TODO(cluster admin): wire `Cluster::delete_topic` here.
            Err(unsupported("deleteTopics"))
        })
    }

    /// `createPartitions({ topicPartitions: [{ topic, count }] })`.
    #[wasm_bindgen(js_name = createPartitions, unchecked_return_type = "Promise<boolean>")]
    pub fn create_partitions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreatePartitionsOptions")] options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            let what = "createPartitions options";
            let object = object_arg(&options, what)?;
            let mut requests = Vec::new();
            for (i, entry) in array_field(object, "topicPartitions", what)?
                .iter()
                .enumerate()
            {
                let what = format!("{what}.topicPartitions[{i}]");
                let entry = object_arg(&entry, &what)?;
                let topic = required_string(entry, "topic", &what)?;
                let count = u32_value(int_field(entry, "count", &what)?, &format!("{what}.count"))?
                    .ok_or_else(|| invalid(format!("{what}.count is required")))?;
                if !is_missing(&field(entry, "assignments")) {
                    return Err(unsupported("createPartitions with explicit assignments"));
                }
                requests.push((topic, count));
            }
            for (topic, count) in requests {
                host.command(|c| c.create_partitions(&topic, count))?
                    .map_err(|e| HostError::kafka(&e))?;
            }
            host.durable().await?;
            Ok(true.into())
        })
    }

    /// `listTopics()`: the topic names (internal topics excluded).
    #[wasm_bindgen(js_name = listTopics, unchecked_return_type = "Promise<string[]>")]
    pub fn list_topics(&self) -> Promise {
        let names: Array = topic_names(&self.host)
            .into_iter()
            .map(JsValue::from)
            .collect();
        resolved(names.into())
    }

    /// `fetchTopicMetadata({ topics })` (all topics when `topics` is missing).
    #[wasm_bindgen(js_name = fetchTopicMetadata, unchecked_return_type = "Promise<TopicMetadataResult>")]
    pub fn fetch_topic_metadata(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ topics?: string[] } | undefined")]
        options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            let topics = if is_missing(&options) {
                topic_names(&host)
            } else {
                let object = object_arg(&options, "fetchTopicMetadata options")?;
                let topics = field(object, "topics");
                if is_missing(&topics) {
                    topic_names(&host)
                } else {
                    string_array(&topics, "fetchTopicMetadata options.topics")?
                }
            };
            let result = Array::new();
            for topic in topics {
                let count = partition_count(&host, &topic)?;
                let partitions = Array::new();
                for partition in 0..count {
                    let row = Object::new();
                    host.read(|c| {
                        let registration = c.registration(&topic, partition);
                        let replicas = registration.map(|r| r.replicas.clone()).unwrap_or_default();
                        let leader = registration.and_then(|r| r.leader);
                        set(&row, "partitionId", partition);
                        set(&row, "leader", leader.map_or(-1, i64::from) as f64);
                        set(
                            &row,
                            "partitionErrorCode",
                            if leader.is_some() {
                                0
                            } else {
                                ErrorCode::LeaderNotAvailable.code()
                            },
                        );
                        set(
                            &row,
                            "offlineReplicas",
                            ids(replicas.iter().copied().filter(|b| !c.is_alive(*b))),
                        );
                        set(
                            &row,
                            "isr",
                            ids(registration.map(|r| r.isr.clone()).unwrap_or_default()),
                        );
                        set(&row, "replicas", ids(replicas));
                    });
                    partitions.push(&row);
                }
                let entry = Object::new();
                set(&entry, "name", topic.as_str());
                set(&entry, "partitions", partitions);
                result.push(&entry);
            }
            let out = Object::new();
            set(&out, "topics", result);
            Ok(out.into())
        })
    }

    /// `fetchTopicOffsets(topic)` → `[{ partition, offset, high, low }]` (strings): the
    /// leader's high watermark and log start offset.
    #[wasm_bindgen(js_name = fetchTopicOffsets, unchecked_return_type = "Promise<PartitionOffsets[]>")]
    pub fn fetch_topic_offsets(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] topic: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            let topic = topic
                .as_string()
                .ok_or_else(|| invalid("fetchTopicOffsets(topic): topic must be a string"))?;
            let count = partition_count(&host, &topic)?;
            let result = Array::new();
            for partition in 0..count {
                // TODO(cluster admin): use the admin `list_offsets` (earliest/latest) once the
                // cluster has it; this reads the leader's replica directly.
                let (low, high) = host
                    .read(|c| {
                        let leader = c.registration(&topic, partition)?.leader?;
                        let (log, _) = c.replica(leader, &topic, partition)?;
                        Some((log.log_start_offset(), log.high_watermark()))
                    })
                    .ok_or_else(|| {
                        kafka_error(
                            ErrorCode::LeaderNotAvailable,
                            format!("partition {topic}-{partition} has no leader"),
                        )
                    })?;
                let row = Object::new();
                set(&row, "partition", partition);
                set(&row, "offset", high.to_string());
                set(&row, "high", high.to_string());
                set(&row, "low", low.to_string());
                result.push(&row);
            }
            Ok(result.into())
        })
    }

    /// `fetchTopicOffsetsByTimestamp(topic, timestamp)`.
    #[wasm_bindgen(js_name = fetchTopicOffsetsByTimestamp, unchecked_return_type = "Promise<Array<{ partition: number; offset: string }>>")]
    pub fn fetch_topic_offsets_by_timestamp(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] topic: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number | undefined")] timestamp: JsValue,
    ) -> Promise {
        let _ = (topic, timestamp);
        // TODO(cluster admin): wire the admin `list_offsets` by timestamp.
        promise(async move { Err(unsupported("fetchTopicOffsetsByTimestamp")) })
    }

    /// `describeConfigs({ resources })`.
    #[wasm_bindgen(js_name = describeConfigs, unchecked_return_type = "Promise<DescribeConfigResponse>")]
    pub fn describe_configs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DescribeConfigsOptions")] options: JsValue,
    ) -> Promise {
        let _ = options;
        // TODO(cluster admin): wire `Cluster::describe_configs`.
        promise(async move { Err(unsupported("describeConfigs")) })
    }

    /// `alterConfigs({ resources })`.
    #[wasm_bindgen(js_name = alterConfigs, unchecked_return_type = "Promise<AlterConfigsResponse>")]
    pub fn alter_configs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AlterConfigsOptions")] options: JsValue,
    ) -> Promise {
        let _ = options;
        // TODO(cluster admin): wire `Cluster::alter_configs`.
        promise(async move { Err(unsupported("alterConfigs")) })
    }

    /// `deleteTopicRecords({ topic, partitions: [{ partition, offset }] })`; offset `-1` is
    /// the high watermark.
    #[wasm_bindgen(js_name = deleteTopicRecords, unchecked_return_type = "Promise<void>")]
    pub fn delete_topic_records(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteTopicRecordsOptions")] options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            let what = "deleteTopicRecords options";
            let object = object_arg(&options, what)?;
            let topic = required_string(object, "topic", what)?;
            let count = partition_count(&host, &topic)?;
            let mut requests = Vec::new();
            for (i, entry) in array_field(object, "partitions", what)?.iter().enumerate() {
                let what = format!("{what}.partitions[{i}]");
                let entry = object_arg(&entry, &what)?;
                let partition = u32_value(int_field(entry, "partition", &what)?, &what)?
                    .ok_or_else(|| invalid(format!("{what}.partition is required")))?;
                if partition >= count {
                    return Err(kafka_error(
                        ErrorCode::UnknownTopicOrPartition,
                        format!("partition {topic}-{partition} does not exist"),
                    ));
                }
                let offset = offset_value(&field(entry, "offset"), &format!("{what}.offset"))?;
                requests.push((partition, offset));
            }
            for (partition, offset) in requests {
                host.command(|c| c.delete_records(&topic, partition, offset))?
                    .map_err(|code| {
                        kafka_error(
                            code,
                            format!("deleteRecords {topic}-{partition} to {offset}"),
                        )
                    })?;
            }
            host.durable().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `listGroups()` → `{ groups: [{ groupId, protocolType }] }`.
    #[wasm_bindgen(js_name = listGroups, unchecked_return_type = "Promise<{ groups: GroupOverview[] }>")]
    pub fn list_groups(&self) -> Promise {
        let groups: Array = self.host.read(|c| {
            c.list_groups()
                .into_iter()
                .map(|g| {
                    let row = Object::new();
                    set(&row, "groupId", g.group_id.as_str());
                    set(&row, "protocolType", g.protocol_type.as_str());
                    set(&row, "state", g.state.name());
                    JsValue::from(row)
                })
                .collect()
        });
        let out = Object::new();
        set(&out, "groups", groups);
        resolved(out.into())
    }

    /// `describeGroups(groupIds)` → `{ groups: [{ groupId, state, protocol, protocolType,
    /// members: [{ memberId, clientId, clientHost, assignment }], errorCode }] }`.
    #[wasm_bindgen(js_name = describeGroups, unchecked_return_type = "Promise<{ groups: GroupDescription[] }>")]
    pub fn describe_groups(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] group_ids: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            let ids = string_array(&group_ids, "describeGroups(groupIds)")?;
            let groups = Array::new();
            for id in ids {
                let description = host
                    .read(|c| c.describe_group(&id))
                    .map_err(|code| kafka_error(code, format!("describeGroups '{id}'")))?;
                let row = Object::new();
                set(&row, "groupId", description.group_id.as_str());
                set(&row, "state", description.state.name());
                set(&row, "protocol", description.protocol.as_str());
                set(&row, "protocolType", description.protocol_type.as_str());
                set(&row, "errorCode", 0);
                let members: Array = description
                    .members
                    .iter()
                    .map(|m| {
                        let member = Object::new();
                        set(&member, "memberId", m.member_id.as_str());
                        set(&member, "clientId", m.client_id.as_str());
                        set(&member, "clientHost", m.client_host.as_str());
                        set(
                            &member,
                            "assignment",
                            topic_partitions(&m.assignment.partitions),
                        );
                        JsValue::from(member)
                    })
                    .collect();
                set(&row, "members", members);
                groups.push(&row);
            }
            let out = Object::new();
            set(&out, "groups", groups);
            Ok(out.into())
        })
    }

    /// `fetchOffsets({ groupId, topics })` → `[{ topic, partitions: [{ partition, offset,
    /// metadata }] }]`; `offset` is `'-1'` where nothing is committed.
    #[wasm_bindgen(js_name = fetchOffsets, unchecked_return_type = "Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string; metadata: string | null }> }>>")]
    pub fn fetch_offsets(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ groupId: string; topics?: string[] }")]
        options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            let what = "fetchOffsets options";
            let object = object_arg(&options, what)?;
            let group = required_string(object, "groupId", what)?;
            let rows = host
                .read(|c| c.describe_group_offsets(&group))
                .map_err(|code| kafka_error(code, format!("fetchOffsets '{group}'")))?;
            let topics_value = field(object, "topics");
            let topics = if is_missing(&topics_value) {
                let mut topics: Vec<String> = rows
                    .iter()
                    .filter(|r| r.committed.is_some())
                    .map(|r| r.partition.topic.clone())
                    .collect();
                topics.dedup();
                topics
            } else {
                string_array(&topics_value, "fetchOffsets options.topics")?
            };
            let result = Array::new();
            for topic in topics {
                let count = partition_count(&host, &topic)?;
                let partitions = Array::new();
                for partition in 0..count {
                    let committed = rows
                        .iter()
                        .find(|r| r.partition.topic == topic && r.partition.partition == partition)
                        .and_then(|r| r.committed)
                        .unwrap_or(-1);
                    let row = Object::new();
                    set(&row, "partition", partition);
                    set(&row, "offset", committed.to_string());
                    set(&row, "metadata", JsValue::NULL);
                    partitions.push(&row);
                }
                let entry = Object::new();
                set(&entry, "topic", topic.as_str());
                set(&entry, "partitions", partitions);
                result.push(&entry);
            }
            Ok(result.into())
        })
    }

    /// `resetOffsets({ groupId, topic, earliest = false })`: the group must be empty.
    #[wasm_bindgen(js_name = resetOffsets, unchecked_return_type = "Promise<void>")]
    pub fn reset_offsets(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ groupId: string; topic: string; earliest?: boolean }"
        )]
        options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            let what = "resetOffsets options";
            let object = object_arg(&options, what)?;
            let group = required_string(object, "groupId", what)?;
            let topic = required_string(object, "topic", what)?;
            let target = if field(object, "earliest").is_truthy() {
                ResetTarget::Earliest
            } else {
                ResetTarget::Latest
            };
            let count = partition_count(&host, &topic)?;
            let partitions: Vec<TopicPartition> = (0..count)
                .map(|partition| TopicPartition {
                    topic: topic.clone(),
                    partition,
                })
                .collect();
            host.command(|c| c.reset_offsets(&group, &partitions, target))?
                .map_err(|code| {
                    kafka_error(code, format!("resetOffsets '{group}' on '{topic}'"))
                })?;
            host.durable().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `setOffsets({ groupId, topic, partitions: [{ partition, offset }] })`: the group must
    /// be empty; offsets outside the log are clamped into it (as `kafka-consumer-groups
    /// --reset-offsets --to-offset`).
    #[wasm_bindgen(js_name = setOffsets, unchecked_return_type = "Promise<void>")]
    pub fn set_offsets(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ groupId: string; topic: string; partitions: Array<{ partition: number; offset: string | number }> }"
        )]
        options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            let what = "setOffsets options";
            let object = object_arg(&options, what)?;
            let group = required_string(object, "groupId", what)?;
            let topic = required_string(object, "topic", what)?;
            let mut requests = Vec::new();
            for (i, entry) in array_field(object, "partitions", what)?.iter().enumerate() {
                let what = format!("{what}.partitions[{i}]");
                let entry = object_arg(&entry, &what)?;
                let partition = u32_value(int_field(entry, "partition", &what)?, &what)?
                    .ok_or_else(|| invalid(format!("{what}.partition is required")))?;
                let offset = offset_value(&field(entry, "offset"), &format!("{what}.offset"))?;
                requests.push((partition, offset));
            }
            for (partition, offset) in requests {
                let tp = [TopicPartition {
                    topic: topic.clone(),
                    partition,
                }];
                host.command(|c| c.reset_offsets(&group, &tp, ResetTarget::Offset(offset)))?
                    .map_err(|code| {
                        kafka_error(code, format!("setOffsets '{group}' on {topic}-{partition}"))
                    })?;
            }
            host.durable().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `deleteGroups(groupIds)` → `[{ groupId, errorCode }]`; throws the first failure.
    #[wasm_bindgen(js_name = deleteGroups, unchecked_return_type = "Promise<Array<{ groupId: string; errorCode: string }>>")]
    pub fn delete_groups(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] group_ids: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            let ids = string_array(&group_ids, "deleteGroups(groupIds)")?;
            let results = host.command(|c| c.delete_groups(&ids))?;
            host.durable().await?;
            let out = Array::new();
            for (group, result) in results {
                if let Err(code) = result {
                    return Err(kafka_error(code, format!("deleteGroups '{group}'")));
                }
                let row = Object::new();
                set(&row, "groupId", group.as_str());
                set(&row, "errorCode", "NONE");
                out.push(&row);
            }
            Ok(out.into())
        })
    }
}

/// Partitions as KafkaJS's `[{ topic, partitions: [..] }]`.
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

/// Waits until the leader of every partition of `topics` has learned it leads (its replica
/// is the leader), as KafkaJS's `waitForLeaders`; `REQUEST_TIMED_OUT` after `timeout_ms`.
async fn wait_for_leaders(
    host: &ClusterHost,
    topics: &[String],
    timeout_ms: i64,
) -> Result<(), HostError> {
    let deadline = host.now().saturating_add(timeout_ms);
    loop {
        let ready = host.read(|c| {
            c.partitions()
                .iter()
                .filter(|(t, _)| topics.contains(t))
                .all(|(t, p)| {
                    c.registration(t, *p)
                        .and_then(|r| r.leader)
                        .and_then(|l| c.replica(l, t, *p))
                        .is_some_and(|(_, role)| matches!(role, ReplicaRole::Leader { .. }))
                })
        });
        if ready {
            return Ok(());
        }
        if host.now() >= deadline || host.is_closed() {
            return Err(kafka_error(
                ErrorCode::RequestTimedOut,
                format!("the new topics' leaders were not all elected within {timeout_ms} ms"),
            ));
        }
        host.sleep_until(host.now() + 1).await;
    }
}
