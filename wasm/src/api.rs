//! The JavaScript API.
//!
//! ```js
//! import init, { RillBroker } from './rill_wasm.js';
//! await init();
//! const rill = await RillBroker.open({ name: 'demo', storage: 'indexeddb' });
//! await rill.createTopic({ topic: 'orders', numPartitions: 3 });
//! const [meta] = await rill.produce({ topic: 'orders', messages: [{ key: 'k', value: 'v' }] });
//! const { records } = rill.fetch({ topic: 'orders', partition: meta.partition, offset: 0 });
//! await rill.alterConfigs({ topic: 'orders', set: { 'retention.ms': '60000' } });
//! await rill.deleteRecords({ topic: 'orders', partition: 0, offset: 1 });
//! await rill.tick(); // retention runs now; deleted segments are gone once this resolves
//! ```
//!
//! Keys and values accept a `string` or a `Uint8Array`. Every failure is thrown (or rejected)
//! as a `RillError` (a subclass of `Error`, also reachable as `RillBroker.Error` and
//! `Rill.Error` for `instanceof`) whose `type` is Kafka's error name (for example
//! `UNKNOWN_TOPIC_OR_PARTITION`, or `KAFKA_STORAGE_ERROR` when IndexedDB fails) and whose `code`
//! is Kafka's number, or one of rill's names (`code` is `null`):
//! - `INVALID_ARGUMENT`: an argument has the wrong type or shape;
//! - `STORAGE_QUOTA_EXCEEDED`: the browser's storage for this site is full; the write was
//!   rejected and the broker is back at its last persisted state;
//! - `STORE_LOCKED`: another tab (or `RillBroker` instance) has this broker open; close it there or
//!   open with another name.
//!
//! A write that fails changes nothing: its command, and any applied while it was in flight,
//! are undone before the promise rejects.

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use rill_core::record::{Header, StoredRecord};
use std::cell::RefCell;
use wasm_bindgen::JsCast;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use rill_core::admin::{ConfigSource, TopicDescription};

use crate::{HostError, OneBroker, ProduceInput, StorageKind, TopicView};

/// Fetches return about this many bytes unless `maxBytes` says otherwise (Kafka's
/// `max.partition.fetch.bytes` default).
const FETCH_MAX_BYTES_DEFAULT: usize = 1024 * 1024;

#[wasm_bindgen(inline_js = r#"
/** Every error rill throws or rejects with: an `Error` whose `type` is Kafka's error name. */
export class RillError extends Error {
  constructor(type, code, retriable, message) {
    super(`${type}: ${message}`);
    this.name = 'RillError';
    this.type = type;
    this.code = code;
    this.retriable = retriable;
  }
}
export function rillError(type, code, retriable, message) {
  return new RillError(type, code, retriable, message);
}
export function rillErrorClass() { return RillError; }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = rillError)]
    fn rill_error(type_name: &str, code: JsValue, retriable: bool, message: &str) -> JsValue;
    #[wasm_bindgen(js_name = rillErrorClass)]
    pub(crate) fn rill_error_class() -> JsValue;
}

/// The `RillError` (a subclass of `Error`) for `error`: `type` is Kafka's error name, `code`
/// Kafka's number or `null`, `retriable` as Kafka's client classifies it.
pub(crate) fn to_js_error(error: &HostError) -> JsValue {
    let code = error.code().map_or(JsValue::NULL, JsValue::from);
    let retriable = matches!(error, HostError::Kafka { code, .. }
        if rill_core::consumer::error::is_retriable(*code));
    rill_error(error.type_name(), code, retriable, error.message())
}

pub(crate) fn invalid(message: impl Into<String>) -> HostError {
    HostError::InvalidArgument(message.into())
}

pub(crate) fn object_arg<'a>(value: &'a JsValue, what: &str) -> Result<&'a Object, HostError> {
    if value.is_null() || value.is_undefined() || !value.is_object() || Array::is_array(value) {
        return Err(invalid(format!("{what} must be an object")));
    }
    Ok(value.unchecked_ref())
}

#[wasm_bindgen]
extern "C" {
    /// `Reflect.set`, without the exception handling of `js_sys::Reflect::set`: for the plain
    /// objects this module creates, where it cannot throw.
    #[wasm_bindgen(js_namespace = Reflect, js_name = set)]
    fn reflect_set(target: &Object, key: &JsValue, value: &JsValue) -> bool;
}

thread_local! {
    /// The API's fixed property names as JavaScript strings, made once: keyed by the address
    /// and length of the `&'static str`, so a lookup compares two numbers per name.
    static NAMES: RefCell<Vec<((usize, usize), JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// Calls `f` with `name` as a JavaScript string, converted once per name and then cached.
fn with_name<R>(name: &'static str, f: impl FnOnce(&JsValue) -> R) -> R {
    let key = (name.as_ptr() as usize, name.len());
    NAMES.with(|names| {
        // `f` may run JavaScript that calls back in here: the cache is only borrowed shared
        // while it runs, and a name is added only when no one holds it.
        if let Ok(cached) = names.try_borrow()
            && let Some((_, js)) = cached.iter().find(|(k, _)| *k == key)
        {
            return f(js);
        }
        let js = JsValue::from_str(name);
        if let Ok(mut cached) = names.try_borrow_mut() {
            cached.push((key, js.clone()));
        }
        f(&js)
    })
}

/// `object[name]`, for one of the API's fixed property names.
pub(crate) fn field(object: &Object, name: &'static str) -> JsValue {
    with_name(name, |name| Reflect::get(object, name)).unwrap_or(JsValue::UNDEFINED)
}

pub(crate) fn is_missing(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

pub(crate) fn string_field(
    object: &Object,
    name: &'static str,
    what: &str,
) -> Result<Option<String>, HostError> {
    let value = field(object, name);
    if is_missing(&value) {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| invalid(format!("{what}.{name} must be a string")))
}

pub(crate) fn int_field(
    object: &Object,
    name: &'static str,
    what: &str,
) -> Result<Option<i64>, HostError> {
    let value = field(object, name);
    if is_missing(&value) {
        return Ok(None);
    }
    let number = value
        .as_f64()
        .ok_or_else(|| invalid(format!("{what}.{name} must be an integer")))?;
    if number.fract() != 0.0 || number.abs() > 9_007_199_254_740_991.0 {
        return Err(invalid(format!(
            "{what}.{name} must be an integer, got {number}"
        )));
    }
    Ok(Some(number as i64))
}

pub(crate) fn bytes_field(
    object: &Object,
    name: &'static str,
    what: &str,
) -> Result<Option<Vec<u8>>, HostError> {
    let value = field(object, name);
    if is_missing(&value) {
        return Ok(None);
    }
    bytes_from_js(&value, &format!("{what}.{name}"))
}

/// A key, value or header value: `string` (UTF-8), `Uint8Array`, or null/undefined.
pub(crate) fn bytes_from_js(value: &JsValue, what: &str) -> Result<Option<Vec<u8>>, HostError> {
    if is_missing(value) {
        Ok(None)
    } else if let Some(text) = value.as_string() {
        Ok(Some(text.into_bytes()))
    } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Ok(Some(bytes.to_vec()))
    } else {
        Err(invalid(format!(
            "{what} must be a string, a Uint8Array or null"
        )))
    }
}

/// An offset given as a number or a decimal string (KafkaJS passes strings).
pub(crate) fn offset_value(value: &JsValue, what: &str) -> Result<i64, HostError> {
    if let Some(text) = value.as_string() {
        return text.trim().parse().map_err(|_| {
            invalid(format!(
                "{what} must be an integer or a decimal string, got '{text}'"
            ))
        });
    }
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 => Ok(n as i64),
        _ => Err(invalid(format!(
            "{what} must be an integer or a decimal string"
        ))),
    }
}

/// A message's `timestamp` as both APIs take it: a number or a decimal string (KafkaJS sends
/// strings); `None` when missing, `null` or -1 (Kafka's `NO_TIMESTAMP`: the client stamps it,
/// once, with its time at the call, as Java's producer does). Other negative values are
/// refused as Java's `ProducerRecord` refuses them.
pub(crate) fn timestamp_field(object: &Object, what: &str) -> Result<Option<i64>, HostError> {
    let value = field(object, "timestamp");
    if is_missing(&value) {
        return Ok(None);
    }
    let timestamp = offset_value(&value, &format!("{what}.timestamp"))?;
    match timestamp {
        -1 => Ok(None),
        t if t < 0 => Err(invalid(format!(
            "Invalid timestamp: {t}. Timestamp should always be non-negative or null."
        ))),
        t => Ok(Some(t)),
    }
}

pub(crate) fn parse_headers(value: &JsValue, what: &str) -> Result<Vec<Header>, HostError> {
    if is_missing(value) {
        return Ok(Vec::new());
    }
    let object = object_arg(value, what)?;
    let mut headers = Vec::new();
    for entry in Object::entries(object).iter() {
        let pair: Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let value = pair.get(1);
        // KafkaJS: a header's value may be an array, one header per element in order.
        if let Some(values) = value.dyn_ref::<Array>() {
            for (i, value) in values.iter().enumerate() {
                let value = bytes_from_js(&value, &format!("{what}.{key}[{i}]"))?;
                headers.push(Header {
                    key: key.clone(),
                    value,
                });
            }
            continue;
        }
        let value = bytes_from_js(&value, &format!("{what}.{key}"))?;
        headers.push(Header { key, value });
    }
    Ok(headers)
}

fn parse_message(value: &JsValue, index: u32) -> Result<ProduceInput, HostError> {
    // Name the message only in an error: formatting it for every message costs.
    parse_message_as(value, "messages[]")
        .or_else(|_| parse_message_as(value, &format!("messages[{index}]")))
}

fn parse_message_as(value: &JsValue, what: &str) -> Result<ProduceInput, HostError> {
    let object = object_arg(value, what)?;
    let partition = match int_field(object, "partition", what)? {
        None => None,
        Some(p) => Some(i32::try_from(p).map_err(|_| HostError::Kafka {
            code: rill_core::ErrorCode::UnknownTopicOrPartition,
            message: format!("{what}.partition {p} does not exist"),
        })?),
    };
    Ok(ProduceInput {
        key: bytes_field(object, "key", what)?,
        value: bytes_field(object, "value", what)?,
        headers: match field(object, "headers") {
            headers if is_missing(&headers) => Vec::new(),
            headers => parse_headers(&headers, &format!("{what}.headers"))?,
        },
        partition,
        timestamp: timestamp_field(object, what)?,
    })
}

/// Sets `object[name]` on a plain object this module created; `name` is one of the API's fixed
/// property names.
pub(crate) fn set(object: &Object, name: &'static str, value: impl Into<JsValue>) {
    let value = value.into();
    with_name(name, |name| set_property(object, name, &value));
}

fn set_property(object: &Object, name: &JsValue, value: &JsValue) {
    // Defining a property on a plain object we created cannot fail.
    reflect_set(object, name, value);
}

fn bytes_to_js(bytes: &Option<Vec<u8>>) -> (JsValue, JsValue) {
    match bytes {
        None => (JsValue::NULL, JsValue::NULL),
        Some(b) => (
            String::from_utf8_lossy(b).into_owned().into(),
            Uint8Array::from(b.as_slice()).into(),
        ),
    }
}

fn record_to_js(record: &StoredRecord) -> JsValue {
    let object = Object::new();
    set(&object, "offset", record.offset as f64);
    set(&object, "timestamp", record.timestamp as f64);
    set(&object, "timestampType", record.timestamp_type.as_str());
    let (key, key_bytes) = bytes_to_js(&record.key);
    set(&object, "key", key);
    set(&object, "keyBytes", key_bytes);
    let (value, value_bytes) = bytes_to_js(&record.value);
    set(&object, "value", value);
    set(&object, "valueBytes", value_bytes);
    let headers: Array = record
        .headers
        .iter()
        .map(|h| {
            let header = Object::new();
            set(&header, "key", h.key.as_str());
            set(&header, "value", bytes_to_js(&h.value).0);
            JsValue::from(header)
        })
        .collect();
    set(&object, "headers", headers);
    object.into()
}

fn topic_to_js(topic: &TopicView) -> JsValue {
    let object = Object::new();
    set(&object, "name", topic.name.as_str());
    let partitions: Array = topic
        .partitions
        .iter()
        .map(|p| {
            let partition = Object::new();
            set(&partition, "partition", p.partition);
            set(&partition, "logStartOffset", p.log_start_offset as f64);
            set(&partition, "highWatermark", p.high_watermark as f64);
            set(&partition, "logEndOffset", p.log_end_offset as f64);
            let segments: Array = p
                .segments
                .iter()
                .map(|s| {
                    let segment = Object::new();
                    set(&segment, "baseOffset", s.base_offset as f64);
                    set(&segment, "size", s.size as f64);
                    set(&segment, "firstOffset", opt_number(s.first_offset));
                    set(&segment, "lastOffset", opt_number(s.last_offset));
                    set(&segment, "fileName", s.file_name.as_str());
                    JsValue::from(segment)
                })
                .collect();
            set(&partition, "segments", segments);
            JsValue::from(partition)
        })
        .collect();
    set(&object, "partitions", partitions);
    let configs = Object::new();
    for (name, value) in &topic.configs {
        set_property(&configs, &name.as_str().into(), &value.as_str().into());
    }
    set(&object, "configs", configs);
    object.into()
}

fn opt_number(value: Option<i64>) -> JsValue {
    value.map_or(JsValue::NULL, |v| JsValue::from(v as f64))
}

fn description_to_js(description: &TopicDescription) -> JsValue {
    let object = Object::new();
    set(&object, "name", description.name.as_str());
    let ids = |ids: &[u32]| -> Array { ids.iter().map(|&id| JsValue::from(id)).collect() };
    let partitions: Array = description
        .partitions
        .iter()
        .map(|p| {
            let partition = Object::new();
            set(&partition, "partition", p.partition);
            set(&partition, "leader", p.leader);
            set(&partition, "replicas", ids(&p.replicas));
            set(&partition, "isr", ids(&p.isr));
            set(&partition, "logStartOffset", p.log_start_offset as f64);
            set(&partition, "highWatermark", p.high_watermark as f64);
            set(&partition, "logEndOffset", p.log_end_offset as f64);
            set(&partition, "size", p.size as f64);
            set(&partition, "segmentCount", p.segments as f64);
            JsValue::from(partition)
        })
        .collect();
    set(&object, "partitions", partitions);
    let configs: Array = description
        .configs
        .iter()
        .map(|c| {
            let entry = Object::new();
            set(&entry, "name", c.name);
            set(&entry, "value", c.value.as_str());
            // Kafka's `ConfigEntry.ConfigSource` names.
            let source = match c.source {
                ConfigSource::TopicOverride => "DYNAMIC_TOPIC_CONFIG",
                ConfigSource::Default => "DEFAULT_CONFIG",
            };
            set(&entry, "source", source);
            JsValue::from(entry)
        })
        .collect();
    set(&object, "configs", configs);
    object.into()
}

fn required_string(object: &Object, name: &'static str, what: &str) -> Result<String, HostError> {
    string_field(object, name, what)?.ok_or_else(|| invalid(format!("{what}.{name} is required")))
}

fn required_int(object: &Object, name: &'static str, what: &str) -> Result<i64, HostError> {
    int_field(object, name, what)?.ok_or_else(|| invalid(format!("{what}.{name} is required")))
}

/// A partition index; one outside `i32` cannot exist, as in `fetch`.
fn partition_field(object: &Object, what: &str) -> Result<i32, HostError> {
    let partition = required_int(object, "partition", what)?;
    Ok(i32::try_from(partition).unwrap_or(-1))
}

/// A config value: a string, or an integer written as Kafka would parse it.
fn config_value(value: &JsValue, what: &str) -> Result<String, HostError> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 => {
            Ok((n as i64).to_string())
        }
        _ => Err(invalid(format!("{what} must be a string or an integer"))),
    }
}

/// A parsed `alterConfigs` argument: topic, overrides to set, overrides to delete.
type AlterSpec = (String, Vec<(String, String)>, Vec<String>);

fn parse_alter(request: &JsValue) -> Result<AlterSpec, HostError> {
    let what = "alterConfigs request";
    let object = object_arg(request, what)?;
    let topic = required_string(object, "topic", what)?;
    let mut set_ops = Vec::new();
    let set_value = field(object, "set");
    if !is_missing(&set_value) {
        let entries = object_arg(&set_value, &format!("{what}.set"))?;
        for entry in Object::entries(entries).iter() {
            let pair: Array = entry.unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default();
            let value = config_value(&pair.get(1), &format!("{what}.set['{name}']"))?;
            set_ops.push((name, value));
        }
    }
    let mut delete_ops = Vec::new();
    let delete_value = field(object, "delete");
    if !is_missing(&delete_value) {
        let names = delete_value
            .dyn_into::<Array>()
            .map_err(|_| invalid(format!("{what}.delete must be an array of config names")))?;
        for (i, name) in names.iter().enumerate() {
            delete_ops.push(
                name.as_string()
                    .ok_or_else(|| invalid(format!("{what}.delete[{i}] must be a string")))?,
            );
        }
    }
    Ok((topic, set_ops, delete_ops))
}

#[wasm_bindgen(typescript_custom_section)]
const BROKER_TYPES: &'static str = r#"
/** `RillBroker.open` options. */
export interface RillBrokerOptions {
  name?: string;
  storage?: 'indexeddb' | 'memory';
}

/** A topic's partitions and configs, as `describeTopic` returns it. */
export interface TopicDescription {
  name: string;
  partitions: Array<{
    partition: number;
    leader: number;
    replicas: number[];
    isr: number[];
    logStartOffset: number;
    highWatermark: number;
    logEndOffset: number;
    size: number;
    segmentCount: number;
  }>;
  configs: Array<{ name: string; value: string; source: 'DYNAMIC_TOPIC_CONFIG' | 'DEFAULT_CONFIG' }>;
}

/** A topic as `listTopics` returns it. */
export interface TopicView {
  name: string;
  partitions: Array<{
    partition: number;
    logStartOffset: number;
    highWatermark: number;
    logEndOffset: number;
    segments: Array<{ baseOffset: number; size: number; firstOffset: number | null; lastOffset: number | null; fileName: string }>;
  }>;
  configs: Record<string, string>;
}

/** A stored record: key and value as text (`key`, `value`) and bytes (`keyBytes`, `valueBytes`). */
export interface StoredRecord {
  offset: number;
  timestamp: number;
  timestampType: string;
  key: string | null;
  keyBytes: Uint8Array | null;
  value: string | null;
  valueBytes: Uint8Array | null;
  headers: Array<{ key: string; value: string | null }>;
}

export interface FetchResult {
  records: StoredRecord[];
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
}
"#;

/// A parsed `createTopic` argument: name, partition count, config overrides.
type TopicSpec = (String, i64, Vec<(String, String)>);

/// A single rill broker living in this page (no replication; see `Rill` for the cluster).
#[wasm_bindgen(js_name = RillBroker)]
#[derive(Debug)]
pub struct RillBroker {
    host: OneBroker,
}

#[wasm_bindgen(js_class = RillBroker)]
impl RillBroker {
    /// The class of every error this API throws: `e instanceof RillBroker.Error`.
    #[wasm_bindgen(getter = Error, unchecked_return_type = "RillErrorConstructor")]
    pub fn error_class() -> JsValue {
        rill_error_class()
    }

    /// Opens the broker `options.name` (default `"default"`) with `options.storage`
    /// `'indexeddb'` (default; survives reloads) or `'memory'`. With IndexedDB, only one instance
    /// per name in this origin may be open: another one fails with `STORE_LOCKED`.
    #[wasm_bindgen(unchecked_return_type = "RillBroker")]
    pub async fn open(
        #[wasm_bindgen(unchecked_optional_param_type = "RillBrokerOptions")] options: JsValue,
    ) -> Result<RillBroker, JsValue> {
        let parse = || -> Result<(String, StorageKind), HostError> {
            if is_missing(&options) {
                return Ok(("default".into(), StorageKind::IndexedDb));
            }
            let object = object_arg(&options, "options")?;
            let name = string_field(object, "name", "options")?.unwrap_or_else(|| "default".into());
            let storage = match string_field(object, "storage", "options")?.as_deref() {
                None | Some("indexeddb") => StorageKind::IndexedDb,
                Some("memory") => StorageKind::Memory,
                Some(other) => {
                    return Err(invalid(format!(
                        "options.storage must be 'indexeddb' or 'memory', not '{other}'"
                    )));
                }
            };
            Ok((name, storage))
        };
        let (name, storage) = parse().map_err(|e| to_js_error(&e))?;
        let host = OneBroker::open(&name, storage)
            .await
            .map_err(|e| to_js_error(&e))?;
        Ok(RillBroker { host })
    }

    /// Creates a topic: `{ topic, numPartitions = 1, configEntries = [{ name, value }] }`.
    /// Resolves with the topic's description.
    #[wasm_bindgen(js_name = createTopic, unchecked_return_type = "Promise<TopicDescription>")]
    pub fn create_topic(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ topic: string; numPartitions?: number; configEntries?: Array<{ name: string; value: string }> }"
        )]
        spec: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            let parse = || -> Result<TopicSpec, HostError> {
                let object = object_arg(&spec, "topic spec")?;
                let topic = string_field(object, "topic", "topic spec")?
                    .ok_or_else(|| invalid("topic spec.topic is required"))?;
                let partitions = int_field(object, "numPartitions", "topic spec")?.unwrap_or(1);
                let entries = field(object, "configEntries");
                let mut configs = Vec::new();
                if !is_missing(&entries) {
                    let array = entries.dyn_into::<Array>().map_err(|_| {
                        invalid("topic spec.configEntries must be an array of { name, value }")
                    })?;
                    for entry in array.iter() {
                        let entry = object_arg(&entry, "configEntries[i]")?;
                        let name = string_field(entry, "name", "configEntries[i]")?
                            .ok_or_else(|| invalid("configEntries[i].name is required"))?;
                        let value = string_field(entry, "value", "configEntries[i]")?
                            .ok_or_else(|| invalid("configEntries[i].value is required"))?;
                        configs.push((name, value));
                    }
                }
                Ok((topic, partitions, configs))
            };
            let (topic, partitions, configs) = parse().map_err(|e| to_js_error(&e))?;
            let view = host
                .create_topic(&topic, partitions, configs)
                .await
                .map_err(|e| to_js_error(&e))?;
            Ok(topic_to_js(&view))
        })
    }

    /// Produces `{ topic, messages: [{ key, value, headers, partition, timestamp }] }`.
    /// Resolves, once persisted, with one `{ topicName, partition, offset }` per message.
    #[wasm_bindgen(
        unchecked_return_type = "Promise<Array<{ topicName: string; partition: number; offset: number; logAppendTime: number }>>"
    )]
    pub fn produce(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ topic: string; messages: Array<{ key?: Bytes | null; value?: Bytes | null; headers?: Record<string, Bytes | null>; partition?: number; timestamp?: number | string }> }"
        )]
        request: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            let parse = || -> Result<(String, Vec<ProduceInput>), HostError> {
                let object = object_arg(&request, "produce request")?;
                let topic = string_field(object, "topic", "produce request")?
                    .ok_or_else(|| invalid("produce request.topic is required"))?;
                let messages = field(object, "messages")
                    .dyn_into::<Array>()
                    .map_err(|_| invalid("produce request.messages must be an array"))?;
                let messages = messages
                    .iter()
                    .enumerate()
                    .map(|(i, m)| parse_message(&m, i as u32))
                    .collect::<Result<_, _>>()?;
                Ok((topic, messages))
            };
            let (topic, messages) = parse().map_err(|e| to_js_error(&e))?;
            // The answer is built while the write commits, and returned once it has.
            let (flush, produced) = host
                .start_produce(&topic, messages)
                .map_err(|e| to_js_error(&e))?;
            let produced = produced.await.map_err(|e| to_js_error(&e))?;
            let topic_name = JsValue::from_str(&topic);
            let result: Array = produced
                .iter()
                .map(|p| {
                    let object = Object::new();
                    set(&object, "topicName", topic_name.clone());
                    set(&object, "partition", p.partition);
                    set(&object, "offset", p.offset as f64);
                    set(
                        &object,
                        "logAppendTime",
                        p.log_append_time.map_or(-1.0, |t| t as f64),
                    );
                    JsValue::from(object)
                })
                .collect();
            flush.await.map_err(|e| to_js_error(&e))?;
            Ok(result.into())
        })
    }

    /// Reads `{ topic, partition, offset = 0, maxBytes = 1 MiB }`: returns `{ records,
    /// logStartOffset, highWatermark, logEndOffset }`.
    #[wasm_bindgen(unchecked_return_type = "FetchResult")]
    pub fn fetch(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ topic: string; partition: number; offset?: number; maxBytes?: number }"
        )]
        request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let parse = || -> Result<(String, i32, i64, usize), HostError> {
            let object = object_arg(&request, "fetch request")?;
            let topic = string_field(object, "topic", "fetch request")?
                .ok_or_else(|| invalid("fetch request.topic is required"))?;
            let partition = int_field(object, "partition", "fetch request")?
                .ok_or_else(|| invalid("fetch request.partition is required"))?;
            let partition = i32::try_from(partition).unwrap_or(-1);
            let offset = int_field(object, "offset", "fetch request")?.unwrap_or(0);
            let max_bytes = match int_field(object, "maxBytes", "fetch request")? {
                None => FETCH_MAX_BYTES_DEFAULT,
                Some(n) => usize::try_from(n)
                    .map_err(|_| invalid("fetch request.maxBytes must not be negative"))?,
            };
            Ok((topic, partition, offset, max_bytes))
        };
        let (topic, partition, offset, max_bytes) = parse().map_err(|e| to_js_error(&e))?;
        let fetched = self
            .host
            .fetch(&topic, partition, offset, max_bytes)
            .map_err(|e| to_js_error(&e))?;
        let object = Object::new();
        let records: Array = fetched.records.iter().map(record_to_js).collect();
        set(&object, "records", records);
        set(&object, "logStartOffset", fetched.log_start_offset as f64);
        set(&object, "highWatermark", fetched.high_watermark as f64);
        set(&object, "logEndOffset", fetched.log_end_offset as f64);
        Ok(object.into())
    }

    /// Every topic with its partitions' offsets and segments, sorted by name.
    #[wasm_bindgen(js_name = listTopics, unchecked_return_type = "TopicView[]")]
    pub fn list_topics(&self) -> Array {
        self.host.topics().iter().map(topic_to_js).collect()
    }

    /// Deletes `{ topic }` and all its records. Resolves once the deletion is persisted.
    #[wasm_bindgen(js_name = deleteTopic, unchecked_return_type = "Promise<void>")]
    pub fn delete_topic(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ topic: string }")] request: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            let parse = || -> Result<String, HostError> {
                let what = "deleteTopic request";
                required_string(object_arg(&request, what)?, "topic", what)
            };
            let topic = parse().map_err(|e| to_js_error(&e))?;
            host.delete_topic(&topic)
                .await
                .map_err(|e| to_js_error(&e))?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Grows `{ topic, count }` to `count` partitions (Kafka's `createPartitions`: the new
    /// total, never fewer). Resolves with the topic's description.
    #[wasm_bindgen(js_name = createPartitions, unchecked_return_type = "Promise<TopicDescription>")]
    pub fn create_partitions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ topic: string; count: number }")] request: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            let parse = || -> Result<(String, i64), HostError> {
                let what = "createPartitions request";
                let object = object_arg(&request, what)?;
                Ok((
                    required_string(object, "topic", what)?,
                    required_int(object, "count", what)?,
                ))
            };
            let (topic, count) = parse().map_err(|e| to_js_error(&e))?;
            let view = host
                .create_partitions(&topic, count)
                .await
                .map_err(|e| to_js_error(&e))?;
            Ok(topic_to_js(&view))
        })
    }

    /// Kafka's `incrementalAlterConfigs`: `{ topic, set: { name: value }, delete: [name] }`,
    /// all or nothing. Resolves with the topic's description.
    #[wasm_bindgen(js_name = alterConfigs, unchecked_return_type = "Promise<TopicDescription>")]
    pub fn alter_configs(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ topic: string; set?: Record<string, string>; delete?: string[] }"
        )]
        request: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            let (topic, set_ops, delete_ops) =
                parse_alter(&request).map_err(|e| to_js_error(&e))?;
            let view = host
                .alter_configs(&topic, set_ops, delete_ops)
                .await
                .map_err(|e| to_js_error(&e))?;
            Ok(topic_to_js(&view))
        })
    }

    /// Kafka's `deleteRecords`: `{ topic, partition, offset }` (-1: up to the high watermark).
    /// Resolves with `{ lowWatermark }`, the new log start offset.
    #[wasm_bindgen(js_name = deleteRecords, unchecked_return_type = "Promise<{ lowWatermark: number }>")]
    pub fn delete_records(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ topic: string; partition: number; offset: number }"
        )]
        request: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            let parse = || -> Result<(String, i32, i64), HostError> {
                let what = "deleteRecords request";
                let object = object_arg(&request, what)?;
                Ok((
                    required_string(object, "topic", what)?,
                    partition_field(object, what)?,
                    required_int(object, "offset", what)?,
                ))
            };
            let (topic, partition, offset) = parse().map_err(|e| to_js_error(&e))?;
            let low_watermark = host
                .delete_records(&topic, partition, offset)
                .await
                .map_err(|e| to_js_error(&e))?;
            let result = Object::new();
            set(&result, "lowWatermark", low_watermark as f64);
            Ok(result.into())
        })
    }

    /// Kafka's `listOffsets`: `{ topic, partition, timestamp }` with -2 (earliest), -1 (latest),
    /// -3 (max timestamp) or a time in ms. Returns `{ offset, timestamp }`, or `null` when no
    /// record matches.
    #[wasm_bindgen(js_name = listOffsets, unchecked_return_type = "{ offset: number; timestamp: number } | null")]
    pub fn list_offsets(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ topic: string; partition: number; timestamp: number }"
        )]
        request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let parse = || -> Result<(String, i32, i64), HostError> {
            let what = "listOffsets request";
            let object = object_arg(&request, what)?;
            Ok((
                required_string(object, "topic", what)?,
                partition_field(object, what)?,
                required_int(object, "timestamp", what)?,
            ))
        };
        let (topic, partition, timestamp) = parse().map_err(|e| to_js_error(&e))?;
        let found = self
            .host
            .list_offsets(&topic, partition, timestamp)
            .map_err(|e| to_js_error(&e))?;
        Ok(found.map_or(JsValue::NULL, |found| {
            let object = Object::new();
            set(&object, "offset", found.offset as f64);
            set(&object, "timestamp", found.timestamp as f64);
            object.into()
        }))
    }

    /// `{ topic, partition, baseOffset }`'s segment as a `Uint8Array`: the bytes of Kafka's
    /// `<baseOffset>.log` file (v2 record batches), for Kafka's tools such as
    /// `kafka-dump-log.sh`. `listTopics` lists each partition's segments and base offsets.
    #[wasm_bindgen(js_name = exportSegment)]
    pub fn export_segment(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ topic: string; partition: number; baseOffset: number }"
        )]
        request: JsValue,
    ) -> Result<js_sys::Uint8Array, JsValue> {
        let parse = || -> Result<(String, i32, i64), HostError> {
            let what = "exportSegment request";
            let object = object_arg(&request, what)?;
            Ok((
                required_string(object, "topic", what)?,
                partition_field(object, what)?,
                required_int(object, "baseOffset", what)?,
            ))
        };
        let (topic, partition, base_offset) = parse().map_err(|e| to_js_error(&e))?;
        let bytes = self
            .host
            .export_segment(&topic, partition, base_offset)
            .map_err(|e| to_js_error(&e))?;
        Ok(js_sys::Uint8Array::from(bytes.as_slice()))
    }

    /// `{ topic }`'s partitions (leader, replicas, ISR, offsets, size, segment count) and every
    /// config with its value and source (`DYNAMIC_TOPIC_CONFIG` or `DEFAULT_CONFIG`).
    #[wasm_bindgen(js_name = describeTopic, unchecked_return_type = "TopicDescription")]
    pub fn describe_topic(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ topic: string }")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let parse = || -> Result<String, HostError> {
            let what = "describeTopic request";
            required_string(object_arg(&request, what)?, "topic", what)
        };
        let topic = parse().map_err(|e| to_js_error(&e))?;
        let description = self
            .host
            .describe_topic(&topic)
            .map_err(|e| to_js_error(&e))?;
        Ok(description_to_js(&description))
    }

    /// The stored keys of `{ topic }` that would land on another partition if it had `count`
    /// partitions: `[{ key, from, to }]`, each key once, in first-seen order.
    #[wasm_bindgen(js_name = keysThatMove, unchecked_return_type = "Array<{ key: string; from: number; to: number }>")]
    pub fn keys_that_move(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ topic: string; count: number }")] request: JsValue,
    ) -> Result<Array, JsValue> {
        let parse = || -> Result<(String, i64), HostError> {
            let what = "keysThatMove request";
            let object = object_arg(&request, what)?;
            Ok((
                required_string(object, "topic", what)?,
                required_int(object, "count", what)?,
            ))
        };
        let (topic, count) = parse().map_err(|e| to_js_error(&e))?;
        let moves = self
            .host
            .keys_that_move(&topic, count)
            .map_err(|e| to_js_error(&e))?;
        Ok(moves
            .iter()
            .map(|m| {
                let object = Object::new();
                set(&object, "key", bytes_to_js(&Some(m.key.clone())).0);
                set(&object, "from", m.from);
                set(&object, "to", m.to);
                JsValue::from(object)
            })
            .collect())
    }

    /// Runs log maintenance (retention, compaction) now. Resolves once what it deleted is
    /// persisted.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn tick(&self) -> Promise {
        let host = self.host.clone();
        future_to_promise(async move {
            host.tick().await.map_err(|e| to_js_error(&e))?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Closes the storage connection and lets another instance open this name; the data stays
    /// for the next `open`. Later writes through this instance fail with `KAFKA_STORAGE_ERROR`.
    pub fn close(&self) {
        self.host.close();
    }
}
