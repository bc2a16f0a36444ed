//! The JavaScript API.
//!
//! ```js
//! import init, { Rill } from './rill_wasm.js';
//! await init();
//! const rill = await Rill.open({ name: 'demo', storage: 'indexeddb' });
//! await rill.createTopic({ topic: 'orders', numPartitions: 3 });
//! const [meta] = await rill.produce({ topic: 'orders', messages: [{ key: 'k', value: 'v' }] });
//! const { records } = rill.fetch({ topic: 'orders', partition: meta.partition, offset: 0 });
//! ```
//!
//! Keys and values accept a `string` or a `Uint8Array`. Every failure is thrown (or rejected)
//! as an `Error` named `RillError` whose `type` is Kafka's error name (for example
//! `UNKNOWN_TOPIC_OR_PARTITION`) or `INVALID_ARGUMENT`, and whose `code` is Kafka's number.

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use rill_core::record::{Header, StoredRecord};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::{Host, HostError, ProduceInput, StorageKind, TopicView};

/// Fetches return about this many bytes unless `maxBytes` says otherwise (Kafka's
/// `max.partition.fetch.bytes` default).
const FETCH_MAX_BYTES_DEFAULT: usize = 1024 * 1024;

fn to_js_error(error: &HostError) -> JsValue {
    let js = js_sys::Error::new(&format!("{}: {}", error.type_name(), error.message()));
    js.set_name("RillError");
    // Setting properties on a fresh Error object cannot fail.
    let _ = Reflect::set(&js, &"type".into(), &error.type_name().into());
    let code = error.code().map_or(JsValue::NULL, JsValue::from);
    let _ = Reflect::set(&js, &"code".into(), &code);
    js.into()
}

fn invalid(message: impl Into<String>) -> HostError {
    HostError::InvalidArgument(message.into())
}

fn object_arg<'a>(value: &'a JsValue, what: &str) -> Result<&'a Object, HostError> {
    if value.is_null() || value.is_undefined() || !value.is_object() || Array::is_array(value) {
        return Err(invalid(format!("{what} must be an object")));
    }
    Ok(value.unchecked_ref())
}

fn field(object: &Object, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn is_missing(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

fn string_field(object: &Object, name: &str, what: &str) -> Result<Option<String>, HostError> {
    let value = field(object, name);
    if is_missing(&value) {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| invalid(format!("{what}.{name} must be a string")))
}

fn int_field(object: &Object, name: &str, what: &str) -> Result<Option<i64>, HostError> {
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

fn bytes_field(object: &Object, name: &str, what: &str) -> Result<Option<Vec<u8>>, HostError> {
    bytes_from_js(&field(object, name), &format!("{what}.{name}"))
}

/// A key, value or header value: `string` (UTF-8), `Uint8Array`, or null/undefined.
fn bytes_from_js(value: &JsValue, what: &str) -> Result<Option<Vec<u8>>, HostError> {
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

fn parse_headers(value: &JsValue, what: &str) -> Result<Vec<Header>, HostError> {
    if is_missing(value) {
        return Ok(Vec::new());
    }
    let object = object_arg(value, what)?;
    let mut headers = Vec::new();
    for entry in Object::entries(object).iter() {
        let pair: Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let value = bytes_from_js(&pair.get(1), &format!("{what}.{key}"))?;
        headers.push(Header { key, value });
    }
    Ok(headers)
}

fn parse_message(value: &JsValue, index: u32) -> Result<ProduceInput, HostError> {
    let what = format!("messages[{index}]");
    let object = object_arg(value, &what)?;
    let partition = match int_field(object, "partition", &what)? {
        None => None,
        Some(p) => Some(i32::try_from(p).map_err(|_| HostError::Kafka {
            code: rill_core::ErrorCode::UnknownTopicOrPartition,
            message: format!("{what}.partition {p} does not exist"),
        })?),
    };
    Ok(ProduceInput {
        key: bytes_field(object, "key", &what)?,
        value: bytes_field(object, "value", &what)?,
        headers: parse_headers(&field(object, "headers"), &format!("{what}.headers"))?,
        partition,
        timestamp: int_field(object, "timestamp", &what)?,
    })
}

fn set(object: &Object, name: &str, value: impl Into<JsValue>) {
    // Defining a property on a plain object we created cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(name), &value.into());
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
                    JsValue::from(segment)
                })
                .collect();
            set(&partition, "segments", segments);
            JsValue::from(partition)
        })
        .collect();
    set(&object, "partitions", partitions);
    object.into()
}

/// A parsed `createTopic` argument: name, partition count, config overrides.
type TopicSpec = (String, i64, Vec<(String, String)>);

/// A rill broker living in this page.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Rill {
    host: Host,
}

#[wasm_bindgen]
impl Rill {
    /// Opens the broker `options.name` (default `"default"`) with `options.storage`
    /// `'indexeddb'` (default; survives reloads) or `'memory'`.
    pub async fn open(options: JsValue) -> Result<Rill, JsValue> {
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
        let host = Host::open(&name, storage)
            .await
            .map_err(|e| to_js_error(&e))?;
        Ok(Rill { host })
    }

    /// Creates a topic: `{ topic, numPartitions = 1, configEntries = [{ name, value }] }`.
    /// Resolves with the topic's description.
    #[wasm_bindgen(js_name = createTopic)]
    pub fn create_topic(&self, spec: JsValue) -> Promise {
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
    pub fn produce(&self, request: JsValue) -> Promise {
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
            let produced = host
                .produce(&topic, messages)
                .await
                .map_err(|e| to_js_error(&e))?;
            let result: Array = produced
                .iter()
                .map(|p| {
                    let object = Object::new();
                    set(&object, "topicName", topic.as_str());
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
            Ok(result.into())
        })
    }

    /// Reads `{ topic, partition, offset = 0, maxBytes = 1 MiB }`: returns `{ records,
    /// logStartOffset, highWatermark, logEndOffset }`.
    pub fn fetch(&self, request: JsValue) -> Result<JsValue, JsValue> {
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
    #[wasm_bindgen(js_name = listTopics)]
    pub fn list_topics(&self) -> Array {
        self.host.topics().iter().map(topic_to_js).collect()
    }

    /// Closes the storage connection; the data stays for the next `open`.
    pub fn close(&self) {
        self.host.close();
    }
}
