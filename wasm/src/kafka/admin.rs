//! `kafka.admin()`: KafkaJS's admin client over the cluster.

use js_sys::{Array, Object, Promise};
use rill_core::ErrorCode;
use rill_core::admin::ConfigSource;
use rill_core::cluster::{Cluster, ReplicaRole, ResetTarget};
use rill_core::consumer::error::is_retriable;
use rill_core::error::AdminError;
use rill_core::group::{GroupDescription, GroupState, TopicPartition};
use rill_core::log::OffsetSpec;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::shapes::{ids, topic_partitions};
use super::{kafka_error, offset_value, promise, resolved, u32_value, unsupported};
use crate::HostError;
use crate::api::{
    field, int_field, invalid, is_missing, object_arg, set, string_field, to_js_error,
};
use crate::session::{ClockMode, Session};

/// KafkaJS's admin client.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Admin {
    host: Session,
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
pub(crate) fn partition_count(host: &Session, topic: &str) -> Result<u32, HostError> {
    host.read(|c| c.topic_metadata(topic))
        .map(|m| m.partitions.len() as u32)
        .map_err(|code| unknown_topic(code, topic))
}

/// Whether `error` means only that no group exists yet: `COORDINATOR_NOT_AVAILABLE` in a
/// cluster without `__consumer_offsets` (no consumer has joined a group). Kafka creates that
/// topic on the first FindCoordinator and then answers "no such group" (offsets -1, state
/// `Dead`); rill creates it at the first join, so a group read before then is answered as
/// Kafka answers it once the topic exists.
fn before_any_group(host: &Session, error: ErrorCode) -> bool {
    error == ErrorCode::CoordinatorNotAvailable
        && host
            .read(|c| c.topic_metadata(rill_core::cluster::OFFSETS_TOPIC))
            .is_err()
}

/// Kafka's error for a topic the cluster does not have.
fn unknown_topic(code: ErrorCode, topic: &str) -> HostError {
    kafka_error(
        code,
        format!("This server does not host this topic-partition: topic '{topic}'"),
    )
}

fn topic_names(host: &Session) -> Vec<String> {
    host.read(|c| c.topics(false))
}

/// Kafka's error for one partition of a topic.
fn partition_error(code: ErrorCode, topic: &str, partition: u32) -> HostError {
    match code {
        ErrorCode::UnknownTopicOrPartition => unknown_topic(code, topic),
        _ => kafka_error(
            code,
            format!("partition {topic}-{partition}: {}", code.name()),
        ),
    }
}

/// Kafka's admin client `retry.backoff.ms`: the wait before the first retry of a retriable
/// error, doubling at each retry up to [`RETRY_BACKOFF_MAX_MS`] (KIP-580).
const RETRY_BACKOFF_MS: i64 = 100;
/// Kafka's admin client `retry.backoff.max.ms`.
const RETRY_BACKOFF_MAX_MS: i64 = 1_000;
/// Kafka's admin client `default.api.timeout.ms`: how long a call keeps retrying.
const DEFAULT_API_TIMEOUT_MS: i64 = 60_000;

/// Runs `read` (a request to a partition's leader) as Kafka's admin client sends it: a
/// retriable error — the leader does not know yet that it leads (just after a restart or a
/// creation), no leader for now — is retried after a backoff in cluster time, for up to
/// `default.api.timeout.ms`; then the call fails with `REQUEST_TIMED_OUT` naming the last
/// error. Other errors fail at once, through `error`.
async fn retrying<T>(
    host: &Session,
    what: &str,
    read: impl Fn(&Cluster) -> Result<T, ErrorCode>,
    error: impl Fn(ErrorCode) -> HostError,
) -> Result<T, HostError> {
    let deadline = host.now().saturating_add(DEFAULT_API_TIMEOUT_MS);
    let mut backoff = RETRY_BACKOFF_MS;
    loop {
        let code = match host.read(&read) {
            Ok(value) => return Ok(value),
            Err(code) if is_retriable(code) => code,
            Err(code) => return Err(error(code)),
        };
        host.check_open()?;
        if host.now() >= deadline {
            return Err(kafka_error(
                ErrorCode::RequestTimedOut,
                format!(
                    "{what} timed out after {DEFAULT_API_TIMEOUT_MS} ms (default.api.timeout.ms); \
                     the last error was {}",
                    code.name()
                ),
            ));
        }
        host.sleep_until(host.now().saturating_add(backoff).min(deadline))
            .await;
        backoff = (backoff * 2).min(RETRY_BACKOFF_MAX_MS);
    }
}

/// KafkaJS's `ConfigResourceTypes.TOPIC`.
const TOPIC_RESOURCE: i64 = 2;

/// KafkaJS's `ConfigResourceTypes`: UNKNOWN, TOPIC, BROKER, BROKER_LOGGER.
const CONFIG_RESOURCE_TYPES: &[i64] = &[0, TOPIC_RESOURCE, 4, 8];

/// Kafka's `ConfigSource` number (`DYNAMIC_TOPIC_CONFIG` 1, `DEFAULT_CONFIG` 5).
fn config_source_number(source: ConfigSource) -> u8 {
    match source {
        ConfigSource::TopicOverride => 1,
        ConfigSource::Default => 5,
    }
}

/// The topic name of one `describeConfigs` / `alterConfigs` resource, checked as KafkaJS
/// checks it; resources other than TOPIC are refused (the cluster has only topic configs).
fn topic_resource(resource: &Object, what: &str) -> Result<String, HostError> {
    let kind = int_field(resource, "type", what)?;
    match kind {
        Some(TOPIC_RESOURCE) => {}
        Some(k) if CONFIG_RESOURCE_TYPES.contains(&k) => {
            return Err(kafka_error(
                ErrorCode::InvalidRequest,
                format!("{what}.type {k}: only TOPIC (2) resources have configs in rill"),
            ));
        }
        other => {
            return Err(invalid(format!(
                "Invalid resource type {}",
                other.map_or_else(|| "undefined".to_owned(), |k| k.to_string())
            )));
        }
    }
    match string_field(resource, "name", what)? {
        Some(name) if !name.is_empty() => Ok(name),
        _ => Err(invalid(format!("{what}.name: Invalid resource name"))),
    }
}

/// A non-empty `resources` array, as KafkaJS requires.
fn resources(object: &Object, what: &str) -> Result<Array, HostError> {
    let resources = array_field(object, "resources", what)?;
    if resources.length() == 0 {
        return Err(invalid(format!("{what}: Resources array cannot be empty")));
    }
    Ok(resources)
}

/// `configEntries: [{ name, value }]` (both strings).
fn config_entries_field(
    object: &Object,
    what: &str,
    required: bool,
) -> Result<Vec<(String, String)>, HostError> {
    let entries = field(object, "configEntries");
    if is_missing(&entries) && !required {
        return Ok(Vec::new());
    }
    let entries = entries
        .dyn_into::<Array>()
        .map_err(|_| invalid(format!("{what}.configEntries must be an array")))?;
    entries
        .iter()
        .enumerate()
        .map(|(j, entry)| {
            let what = format!("{what}.configEntries[{j}]");
            let entry = object_arg(&entry, &what)?;
            Ok((
                required_string(entry, "name", &what)?,
                required_string(entry, "value", &what)?,
            ))
        })
        .collect()
}

impl Admin {
    pub(crate) fn new(host: Session) -> Self {
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

    /// `createTopics({ topics: [{ topic, numPartitions = -1, replicationFactor = -1,
    /// configEntries }], waitForLeaders, timeout = 5000, validateOnly })`: each topic is
    /// created or refused on its own, as Kafka's controller does (a name given twice is
    /// refused, every copy, with `INVALID_REQUEST` "Duplicate topic name."). Resolves `true`
    /// when every topic was created, `false` when the only refusals were
    /// `TOPIC_ALREADY_EXISTS` (as KafkaJS); otherwise rejects with the first refused topic's
    /// error (by name) carrying `errors`: one error per refused topic, with its `topic`. The
    /// topics that passed are created either way. `-1` (or nothing) is the cluster's default
    /// (`num.partitions` = 1, `default.replication.factor` = 1). With `waitForLeaders` (the
    /// default on the realtime clock; on the manual clock it defaults to `false`, and `true`
    /// needs `advance`), it resolves once every new partition's leader knows it leads, or
    /// fails with `REQUEST_TIMED_OUT` after `timeout` ms. With `validateOnly` every check of a
    /// real create runs (same answers) and nothing is created.
    #[wasm_bindgen(js_name = createTopics, unchecked_return_type = "Promise<boolean>")]
    pub fn create_topics(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateTopicsOptions")] options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        refusable("Topic creation errors", async move {
            host.check_open()?;
            let what = "createTopics options";
            let object = object_arg(&options, what)?;
            let validate_only = field(object, "validateOnly").is_truthy();
            let mut specs = Vec::new();
            for (i, topic) in array_field(object, "topics", what)?.iter().enumerate() {
                let what = format!("{what}.topics[{i}]");
                let topic = object_arg(&topic, &what)?;
                let name = required_string(topic, "topic", &what)?;
                // -1 is the default; 0 and other negatives are refused by the controller
                // with KRaft's message (the core refuses 0 the same way).
                let count = |field_name: &'static str| -> Result<u32, HostError> {
                    match int_field(topic, field_name, &what)? {
                        None | Some(-1) => Ok(1),
                        Some(n) if i32::try_from(n).is_err() => Err(invalid(format!(
                            "{what}.{field_name} must be a 32-bit integer (Kafka's INT32), got {n}"
                        ))),
                        Some(n) => Ok(u32::try_from(n).unwrap_or(0)),
                    }
                };
                let partitions = count("numPartitions")?;
                let replication = count("replicationFactor")?;
                let configs = config_entries_field(topic, &what, false)?;
                specs.push((name, partitions, replication, configs));
            }
            let wait = match field(object, "waitForLeaders") {
                v if is_missing(&v) => host.clock_mode() == ClockMode::Realtime,
                v => v.is_truthy(),
            };
            let timeout = int_field(object, "timeout", what)?.unwrap_or(5_000).max(0);
            let names: Vec<&str> = specs.iter().map(|s| s.0.as_str()).collect();
            let mut failures = duplicate_failures(&names);
            let mut created = Vec::new();
            for (name, partitions, replication, configs) in &specs {
                if failures.iter().any(|f| f.topic == *name) {
                    continue;
                }
                let result = if validate_only {
                    host.read(|c| {
                        c.validate_create_topic(name, *partitions, *replication, configs)
                            .map(|_| ())
                    })
                } else {
                    host.command(|c| c.create_topic(name, *partitions, *replication, configs))?
                };
                match result {
                    Ok(()) => created.push(name.clone()),
                    Err(e) => failures.push(TopicFailure {
                        topic: name.clone(),
                        error: HostError::kafka(&e),
                    }),
                }
            }
            if !validate_only && !created.is_empty() {
                host.durable().await?;
                if wait {
                    wait_for_leaders(&host, &created, timeout).await?;
                }
            }
            if failures.is_empty() {
                return Ok(true.into());
            }
            if failures
                .iter()
                .all(|f| f.error.code() == Some(ErrorCode::TopicAlreadyExists.code()))
            {
                return Ok(false.into());
            }
            Err(Refused::Topics(failures))
        })
    }

    /// `deleteTopics({ topics, timeout })`: each topic is deleted or refused on its own, as
    /// Kafka's controller does: an unknown topic is `UNKNOWN_TOPIC_OR_PARTITION`, an internal
    /// one `INVALID_REQUEST`, a name given twice `INVALID_REQUEST` "Duplicate topic name."
    /// (none of its copies deleted). Resolves once the controller has removed every topic it
    /// could (brokers drop their replicas as the news reaches them); rejects with the first
    /// refused topic's error (by name) carrying `errors`, one per refused topic.
    #[wasm_bindgen(js_name = deleteTopics, unchecked_return_type = "Promise<void>")]
    pub fn delete_topics(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteTopicsOptions")] options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        refusable("Topic deletion errors", async move {
            host.check_open()?;
            let what = "deleteTopics options";
            let object = object_arg(&options, what)?;
            let topics = string_array(&field(object, "topics"), "deleteTopics options.topics")?;
            int_field(object, "timeout", what)?;
            let names: Vec<&str> = topics.iter().map(String::as_str).collect();
            let mut failures = duplicate_failures(&names);
            let mut deleted = false;
            for topic in &topics {
                if failures.iter().any(|f| f.topic == *topic) {
                    continue;
                }
                let result = match host.read(|c| c.topic_metadata(topic)) {
                    Err(code) => Err(unknown_topic(code, topic)),
                    Ok(metadata) if metadata.is_internal => {
                        Err(HostError::kafka(&AdminError::InternalTopic {
                            topic: topic.clone(),
                        }))
                    }
                    Ok(_) => host
                        .command(|c| c.delete_topic(topic))?
                        .map_err(|e| HostError::kafka(&e)),
                };
                match result {
                    Ok(()) => deleted = true,
                    Err(error) => failures.push(TopicFailure {
                        topic: topic.clone(),
                        error,
                    }),
                }
            }
            if deleted {
                host.durable().await?;
            }
            if failures.is_empty() {
                Ok(JsValue::UNDEFINED)
            } else {
                Err(Refused::Topics(failures))
            }
        })
    }

    /// `createPartitions({ topicPartitions: [{ topic, count }], validateOnly })`: each topic
    /// on its own (unknown topic, a count that is not an increase, a name given twice with
    /// `INVALID_REQUEST` "Duplicate topic name."); rejects with the first refused topic's error
    /// (by name) carrying `errors`, after growing the others.
    #[wasm_bindgen(js_name = createPartitions, unchecked_return_type = "Promise<boolean>")]
    pub fn create_partitions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreatePartitionsOptions")] options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        refusable("Partition creation errors", async move {
            host.check_open()?;
            let what = "createPartitions options";
            let object = object_arg(&options, what)?;
            let validate_only = field(object, "validateOnly").is_truthy();
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
                    return Err(unsupported("createPartitions with explicit assignments").into());
                }
                requests.push((topic, count));
            }
            let names: Vec<&str> = requests.iter().map(|(t, _)| t.as_str()).collect();
            let mut failures = duplicate_failures(&names);
            let mut grown = false;
            for (topic, count) in &requests {
                if failures.iter().any(|f| f.topic == *topic) {
                    continue;
                }
                let result = if validate_only {
                    host.read(|c| c.validate_create_partitions(topic, *count))
                } else {
                    host.command(|c| c.create_partitions(topic, *count))?
                };
                match result {
                    Ok(()) => grown = true,
                    Err(e) => failures.push(TopicFailure {
                        topic: topic.clone(),
                        error: HostError::kafka(&e),
                    }),
                }
            }
            if grown && !validate_only {
                host.durable().await?;
            }
            if failures.is_empty() {
                Ok(true.into())
            } else {
                Err(Refused::Topics(failures))
            }
        })
    }

    /// `listTopics()`: the topic names (internal topics excluded).
    #[wasm_bindgen(js_name = listTopics, unchecked_return_type = "Promise<string[]>")]
    pub fn list_topics(&self) -> Promise {
        let host = self.host.clone();
        promise(async move {
            host.check_open()?;
            let names: Array = topic_names(&host).into_iter().map(JsValue::from).collect();
            Ok(names.into())
        })
    }

    /// `fetchTopicMetadata({ topics })` (all topics when `topics` is missing).
    #[wasm_bindgen(js_name = fetchTopicMetadata, unchecked_return_type = "Promise<TopicMetadataResult>")]
    pub fn fetch_topic_metadata(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ topics?: string[] }")] options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            host.check_open()?;
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
                let metadata = host
                    .read(|c| c.topic_metadata(&topic))
                    .map_err(|code| unknown_topic(code, &topic))?;
                let partitions = Array::new();
                for p in &metadata.partitions {
                    let row = Object::new();
                    set(
                        &row,
                        "partitionErrorCode",
                        match p.leader {
                            Some(_) => 0,
                            None => ErrorCode::LeaderNotAvailable.code(),
                        },
                    );
                    set(&row, "partitionId", p.partition);
                    set(&row, "leader", p.leader.map_or(-1, i64::from) as f64);
                    set(&row, "replicas", ids(p.replicas.iter().copied()));
                    set(&row, "isr", ids(p.isr.iter().copied()));
                    set(
                        &row,
                        "offlineReplicas",
                        ids(p.offline_replicas.iter().copied()),
                    );
                    partitions.push(&row);
                }
                let entry = Object::new();
                set(&entry, "name", metadata.name.as_str());
                set(&entry, "partitions", partitions);
                result.push(&entry);
            }
            let out = Object::new();
            set(&out, "topics", result);
            Ok(out.into())
        })
    }

    /// `fetchTopicOffsets(topic)` → `[{ partition, offset, high, low }]` (strings): the
    /// leader's high watermark and log start offset. Retriable errors (a leader that does not
    /// know yet that it leads, just after a creation or a reopen) are retried as Kafka's admin
    /// client retries them: after `retry.backoff.ms` (100 ms of cluster time, doubling up to
    /// 1 s), for up to `default.api.timeout.ms` (60 s), then `REQUEST_TIMED_OUT`.
    #[wasm_bindgen(js_name = fetchTopicOffsets, unchecked_return_type = "Promise<PartitionOffsets[]>")]
    pub fn fetch_topic_offsets(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] topic: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            host.check_open()?;
            let topic = topic
                .as_string()
                .ok_or_else(|| invalid("fetchTopicOffsets(topic): topic must be a string"))?;
            let count = partition_count(&host, &topic)?;
            let result = Array::new();
            for partition in 0..count {
                let offsets = retrying(
                    &host,
                    "fetchTopicOffsets",
                    |c| {
                        // KafkaJS asks ListOffsets for the latest offset: a leader whose high
                        // watermark lags its epoch's start answers OFFSET_NOT_AVAILABLE.
                        c.list_offsets(&topic, partition, OffsetSpec::Latest)?;
                        c.partition_offsets(&topic, partition)
                    },
                    |code| partition_error(code, &topic, partition),
                )
                .await?;
                let high = offsets.high_watermark.to_string();
                let row = Object::new();
                set(&row, "partition", partition);
                set(&row, "offset", high.as_str());
                set(&row, "high", high.as_str());
                set(&row, "low", offsets.log_start_offset.to_string());
                result.push(&row);
            }
            Ok(result.into())
        })
    }

    /// `fetchTopicOffsetsByTimestamp(topic, timestamp)` → `[{ partition, offset }]`: per
    /// partition the first offset whose record timestamp is at or after `timestamp` (Kafka's
    /// ListOffsets at the leader); where there is none, the high watermark (as KafkaJS).
    /// Without `timestamp`, the high watermark.
    #[wasm_bindgen(js_name = fetchTopicOffsetsByTimestamp, unchecked_return_type = "Promise<SeekEntry[]>")]
    pub fn fetch_topic_offsets_by_timestamp(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] topic: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] timestamp: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            host.check_open()?;
            let what = "fetchTopicOffsetsByTimestamp(topic, timestamp)";
            let topic = topic
                .as_string()
                .filter(|t| !t.is_empty())
                .ok_or_else(|| invalid(format!("{what}: Invalid topic")))?;
            let spec = if is_missing(&timestamp) {
                OffsetSpec::Latest
            } else {
                let ts = timestamp
                    .as_f64()
                    .filter(|t| t.fract() == 0.0 && t.abs() <= 9_007_199_254_740_991.0)
                    .ok_or_else(|| invalid(format!("{what}: timestamp must be an integer")))?
                    as i64;
                OffsetSpec::from_kafka(ts).ok_or_else(|| {
                    HostError::kafka(&AdminError::InvalidTimestamp { timestamp: ts })
                })?
            };
            let count = partition_count(&host, &topic)?;
            let result = Array::new();
            for partition in 0..count {
                let (found, offsets) = retrying(
                    &host,
                    "fetchTopicOffsetsByTimestamp",
                    |c| {
                        Ok((
                            c.list_offsets(&topic, partition, spec)?,
                            c.partition_offsets(&topic, partition)?,
                        ))
                    },
                    |code| partition_error(code, &topic, partition),
                )
                .await?;
                let offset = found.map_or(offsets.high_watermark, |f| f.offset);
                let row = Object::new();
                set(&row, "partition", partition);
                set(&row, "offset", offset.to_string());
                result.push(&row);
            }
            Ok(result.into())
        })
    }

    /// `describeConfigs({ resources: [{ type: 2, name, configNames }], includeSynonyms })` →
    /// KafkaJS's `{ resources: [{ configEntries, errorCode, errorMessage, resourceName,
    /// resourceType }], throttleTime }`: every config of each topic (or only `configNames`)
    /// with the value in force, `configSource` 1 (`DYNAMIC_TOPIC_CONFIG`) for an override
    /// and 5 (`DEFAULT_CONFIG`) otherwise. An unknown topic throws
    /// `UNKNOWN_TOPIC_OR_PARTITION`.
    #[wasm_bindgen(js_name = describeConfigs, unchecked_return_type = "Promise<DescribeConfigResponse>")]
    pub fn describe_configs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DescribeConfigsOptions")] options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            host.check_open()?;
            let what = "describeConfigs options";
            let object = object_arg(&options, what)?;
            let synonyms = field(object, "includeSynonyms").is_truthy();
            let mut requests = Vec::new();
            for (i, resource) in resources(object, what)?.iter().enumerate() {
                let what = format!("{what}.resources[{i}]");
                let resource = object_arg(&resource, &what)?;
                let name = topic_resource(resource, &what)?;
                let names = field(resource, "configNames");
                let names = if is_missing(&names) {
                    Vec::new()
                } else {
                    string_array(&names, &format!("{what}.configNames"))?
                };
                requests.push((name, names));
            }
            let out = Array::new();
            for (topic, names) in requests {
                let entries = host
                    .read(|c| c.describe_configs(&topic))
                    .map_err(|e| HostError::kafka(&e))?;
                let rows: Array = entries
                    .iter()
                    .filter(|e| names.is_empty() || names.iter().any(|n| n == e.name))
                    .map(|e| {
                        let source = config_source_number(e.source);
                        let row = Object::new();
                        set(&row, "configName", e.name);
                        set(&row, "configValue", e.value.as_str());
                        set(&row, "isDefault", e.source == ConfigSource::Default);
                        set(&row, "configSource", source);
                        set(&row, "isSensitive", false);
                        set(&row, "readOnly", false);
                        let list = Array::new();
                        if synonyms {
                            let synonym = Object::new();
                            set(&synonym, "configName", e.name);
                            set(&synonym, "configValue", e.value.as_str());
                            set(&synonym, "configSource", source);
                            list.push(&synonym);
                        }
                        set(&row, "configSynonyms", list);
                        JsValue::from(row)
                    })
                    .collect();
                let resource = Object::new();
                set(&resource, "configEntries", rows);
                set(&resource, "errorCode", 0);
                set(&resource, "errorMessage", JsValue::NULL);
                set(&resource, "resourceName", topic.as_str());
                set(&resource, "resourceType", TOPIC_RESOURCE as f64);
                out.push(&resource);
            }
            let response = Object::new();
            set(&response, "resources", out);
            set(&response, "throttleTime", 0);
            Ok(response.into())
        })
    }

    /// `alterConfigs({ validateOnly, resources: [{ type: 2, name, configEntries }] })`:
    /// Kafka's legacy AlterConfigs, as KafkaJS sends it: each topic's `configEntries` replace
    /// all its overrides (a config left out goes back to its default). Resources are applied
    /// one by one as Kafka does; the first failure is thrown (`UNKNOWN_TOPIC_OR_PARTITION`,
    /// `INVALID_CONFIG`), and that topic is unchanged. With `validateOnly` nothing changes.
    /// Resolves `{ resources: [{ errorCode, errorMessage, resourceName, resourceType }],
    /// throttleTime }`.
    #[wasm_bindgen(js_name = alterConfigs, unchecked_return_type = "Promise<AlterConfigsResponse>")]
    pub fn alter_configs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AlterConfigsOptions")] options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        promise(async move {
            host.check_open()?;
            let what = "alterConfigs options";
            let object = object_arg(&options, what)?;
            let validate_only = field(object, "validateOnly").is_truthy();
            let mut requests = Vec::new();
            for (i, resource) in resources(object, what)?.iter().enumerate() {
                let what = format!("{what}.resources[{i}]");
                let resource = object_arg(&resource, &what)?;
                let name = topic_resource(resource, &what)?;
                requests.push((name, config_entries_field(resource, &what, true)?));
            }
            let out = Array::new();
            let mut first_error = None;
            for (topic, entries) in requests {
                let result = if validate_only {
                    host.read(|c| c.validate_replace_configs(&topic, &entries).map(|_| ()))
                } else {
                    host.command(|c| c.replace_configs(&topic, &entries))?
                };
                if let Err(e) = result {
                    first_error.get_or_insert(HostError::kafka(&e));
                    continue;
                }
                let row = Object::new();
                set(&row, "errorCode", 0);
                set(&row, "errorMessage", JsValue::NULL);
                set(&row, "resourceName", topic.as_str());
                set(&row, "resourceType", TOPIC_RESOURCE as f64);
                out.push(&row);
            }
            if !validate_only {
                host.durable().await?;
            }
            if let Some(error) = first_error {
                return Err(error);
            }
            let response = Object::new();
            set(&response, "resources", out);
            set(&response, "throttleTime", 0);
            Ok(response.into())
        })
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
            host.check_open()?;
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
        if let Err(e) = self.host.check_open() {
            return promise(async move { Err(e) });
        }
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
            host.check_open()?;
            let ids = string_array(&group_ids, "describeGroups(groupIds)")?;
            let groups = Array::new();
            for id in ids {
                let description = match host.read(|c| c.describe_group(&id)) {
                    Err(code) if before_any_group(&host, code) => GroupDescription {
                        group_id: id.clone(),
                        state: GroupState::Dead,
                        protocol_type: String::new(),
                        protocol: String::new(),
                        generation: 0,
                        leader: None,
                        members: Vec::new(),
                    },
                    other => {
                        other.map_err(|code| kafka_error(code, format!("describeGroups '{id}'")))?
                    }
                };
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
            host.check_open()?;
            let what = "fetchOffsets options";
            let object = object_arg(&options, what)?;
            let group = required_string(object, "groupId", what)?;
            let rows = match host.read(|c| c.describe_group_offsets(&group)) {
                Err(code) if before_any_group(&host, code) => Vec::new(),
                other => {
                    other.map_err(|code| kafka_error(code, format!("fetchOffsets '{group}'")))?
                }
            };
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
            host.check_open()?;
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
            let planned = host
                .command(|c| c.reset_offsets(&group, &partitions, target))?
                .map_err(|code| {
                    kafka_error(code, format!("resetOffsets '{group}' on '{topic}'"))
                })?;
            wait_for_committed(&host, &group, &planned).await?;
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
            host.check_open()?;
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
                let planned = host
                    .command(|c| c.reset_offsets(&group, &tp, ResetTarget::Offset(offset)))?
                    .map_err(|code| {
                        kafka_error(code, format!("setOffsets '{group}' on {topic}-{partition}"))
                    })?;
                wait_for_committed(&host, &group, &planned).await?;
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
            host.check_open()?;
            let ids = string_array(&group_ids, "deleteGroups(groupIds)")?;
            let results = host.command(|c| c.delete_groups(&ids))?;
            host.durable().await?;
            let out = Array::new();
            for (group, result) in results {
                if let Err(code) = result {
                    let code = if before_any_group(&host, code) {
                        ErrorCode::GroupIdNotFound
                    } else {
                        code
                    };
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

/// Waits until the group's coordinator has written `planned` (an admin OffsetCommit is
/// answered once `__consumer_offsets` holds it), as KafkaJS's `resetOffsets`/`setOffsets`
/// resolve on the OffsetCommit response; `REQUEST_TIMED_OUT` after 5 s of cluster time.
async fn wait_for_committed(
    host: &Session,
    group: &str,
    planned: &[(TopicPartition, i64)],
) -> Result<(), HostError> {
    let deadline = host.now().saturating_add(5_000);
    loop {
        let done = host.read(|c| {
            c.describe_group_offsets(group).is_ok_and(|rows| {
                planned.iter().all(|(tp, offset)| {
                    rows.iter()
                        .any(|r| r.partition == *tp && r.committed == Some(*offset))
                })
            })
        });
        if done {
            return Ok(());
        }
        if host.now() >= deadline || host.is_closed() {
            return Err(kafka_error(
                ErrorCode::RequestTimedOut,
                format!("the offsets of group '{group}' were not written within 5000 ms"),
            ));
        }
        host.sleep_until(host.now() + 1).await;
    }
}

/// Waits until the leader of every partition of `topics` has learned it leads (its replica
/// is the leader), as KafkaJS's `waitForLeaders`; `REQUEST_TIMED_OUT` after `timeout_ms`.
async fn wait_for_leaders(
    host: &Session,
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

/// One topic's refusal in a request naming several topics.
pub(crate) struct TopicFailure {
    /// The topic.
    pub(crate) topic: String,
    /// Why it was refused.
    pub(crate) error: HostError,
}

/// Why a call naming several topics failed: the whole call, or some of its topics.
pub(crate) enum Refused {
    /// The call itself (a malformed argument, a closed cluster, a failed write).
    Call(HostError),
    /// Some topics were refused (the others were done).
    Topics(Vec<TopicFailure>),
}

impl From<HostError> for Refused {
    fn from(error: HostError) -> Self {
        Self::Call(error)
    }
}

/// Kafka's controller answer for names given more than once: every copy is dropped from the
/// request and each such name is answered once with `INVALID_REQUEST` "Duplicate topic name.".
fn duplicate_failures(names: &[&str]) -> Vec<TopicFailure> {
    let mut failures: Vec<TopicFailure> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) && !failures.iter().any(|f| f.topic == *name) {
            failures.push(TopicFailure {
                topic: (*name).to_owned(),
                error: kafka_error(ErrorCode::InvalidRequest, "Duplicate topic name."),
            });
        }
    }
    failures
}

/// Runs `f` into a promise; refused topics reject with [`topics_error`].
fn refusable<F>(summary: &'static str, f: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, Refused>> + 'static,
{
    wasm_bindgen_futures::future_to_promise(async move {
        match f.await {
            Ok(value) => Ok(value),
            Err(Refused::Call(error)) => Err(to_js_error(&error)),
            Err(Refused::Topics(failures)) => Err(topics_error(summary, failures)),
        }
    })
}

/// Refused topics as one `RillError`: the first by name (KafkaJS orders them so) gives its
/// `type`, `code` and `retriable`; the message names each; `errors` holds one `RillError` per
/// refused topic with its `topic`.
fn topics_error(summary: &str, mut failures: Vec<TopicFailure>) -> JsValue {
    failures.sort_by(|a, b| a.topic.cmp(&b.topic));
    let detail: Vec<String> = failures
        .iter()
        .map(|f| format!("{}: {} {}", f.topic, f.error.type_name(), f.error.message()))
        .collect();
    let first = &failures[0].error;
    let message = format!("{summary}: {}", detail.join("; "));
    let error = to_js_error(&match first {
        HostError::Kafka { code, .. } => kafka_error(*code, message),
        other => other.clone(),
    });
    let errors: Array = failures
        .iter()
        .map(|f| {
            let e = to_js_error(&f.error);
            let _ = js_sys::Reflect::set(&e, &"topic".into(), &f.topic.as_str().into());
            e
        })
        .collect();
    let _ = js_sys::Reflect::set(&error, &"errors".into(), &errors);
    error
}
