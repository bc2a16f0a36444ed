//! The KafkaJS-shaped JavaScript API over a replicated [`rill_core::cluster::Cluster`]: the
//! class `Rill`.
//!
//! ```js
//! import init, { Rill } from './rill_wasm.js';
//! await init();
//! const kafka = await Rill.open({ name: 'demo', storage: 'memory', brokers: 3 });
//! const admin = kafka.admin();
//! await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }] });
//! const producer = kafka.producer();
//! await producer.send({ topic: 'orders', messages: [{ key: 'k', value: 'v' }] });
//! const consumer = kafka.consumer({ groupId: 'billing' });
//! await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
//! await consumer.run({ eachMessage: async ({ topic, partition, message }) => {} });
//! ```
//!
//! Clocks: `'realtime'` (default) follows the page's clock; `'manual'` moves only with
//! `await kafka.advance(ms)`, so a `send()` resolves only after enough `advance` for the
//! request to reach the leader and, with `acks: -1`, for the followers to fetch it.
//!
//! Errors are thrown as `Error`s named `RillError` with `type` (Kafka's error name), `code`
//! (Kafka's number or `null`) and `retriable` (as Kafka's client classifies it).

mod admin;
mod consumer;
mod control;
pub(crate) mod events;
mod producer;
mod shapes;
mod types;

use js_sys::{Function, Object, Promise};
use rill_core::ErrorCode;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::HostError;
pub(crate) use crate::api::offset_value;
use crate::api::{int_field, invalid, is_missing, object_arg, string_field, to_js_error};
use std::rc::Rc;

use crate::session::{ClockMode, Session, SessionEvent, SessionOptions, StorageKind};

pub use admin::Admin;
pub use consumer::Consumer;
pub use control::ClusterControl;
pub use producer::Producer;

/// `INVALID_REQUEST` for an admin call the cluster does not offer yet.
pub(crate) fn unsupported(what: &str) -> HostError {
    HostError::Kafka {
        code: ErrorCode::InvalidRequest,
        message: format!("{what} is not supported yet by the replicated cluster"),
    }
}

/// A Kafka error with a message.
pub(crate) fn kafka_error(code: ErrorCode, message: impl Into<String>) -> HostError {
    HostError::Kafka {
        code,
        message: message.into(),
    }
}

/// Runs `f` into a promise, turning a `HostError` into a thrown `RillError`.
pub(crate) fn promise<F>(f: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, HostError>> + 'static,
{
    future_to_promise(async move { f.await.map_err(|e| to_js_error(&e)) })
}

/// A resolved promise.
pub(crate) fn resolved(value: JsValue) -> Promise {
    Promise::resolve(&value)
}

/// A non-negative 32-bit count or id.
pub(crate) fn u32_value(value: Option<i64>, what: &str) -> Result<Option<u32>, HostError> {
    value
        .map(|v| {
            u32::try_from(v).map_err(|_| {
                invalid(format!(
                    "{what} must be between 0 and {}, got {v}",
                    u32::MAX
                ))
            })
        })
        .transpose()
}

/// A replicated Kafka cluster living in this page, with a KafkaJS-shaped API.
#[wasm_bindgen(js_name = Rill)]
#[derive(Debug)]
pub struct Rill {
    host: Session,
}

#[wasm_bindgen(js_class = Rill)]
impl Rill {
    /// The class of every error this API throws: `e instanceof Rill.Error` (`name`
    /// `'RillError'`, `type`, `code`, `retriable`).
    #[wasm_bindgen(getter = Error, unchecked_return_type = "RillErrorConstructor")]
    pub fn error_class() -> JsValue {
        crate::api::rill_error_class()
    }
    /// Opens the cluster `name`: `{ name = 'default', storage = 'indexeddb', brokers = 3,
    /// seed = 0, clock = 'realtime', latency = { baseMs: 1, jitterMs: 2 } }` (`latency`: how
    /// long each message between brokers and clients takes in a new cluster, from `baseMs`
    /// (0 or more) to `baseMs + jitterMs`). With `'indexeddb'` the cluster survives reloads: a
    /// stored cluster is recovered (its broker count and seed are the stored ones; a different
    /// `brokers` fails with `INVALID_REQUEST`), and only one instance per name in this origin
    /// may be open (another fails with `STORE_LOCKED`). `'memory'` keeps nothing. When the
    /// browser discarded a stored cluster's database, opening fails with `STORE_DISCARDED`
    /// unless `onDiscarded: 'startFresh'` (default `'fail'`).
    #[wasm_bindgen(unchecked_return_type = "Rill")]
    pub async fn open(
        #[wasm_bindgen(unchecked_optional_param_type = "RillOptions")] options: JsValue,
    ) -> Result<Rill, JsValue> {
        let parse = || -> Result<SessionOptions, HostError> {
            let mut parsed = SessionOptions {
                name: "default".into(),
                storage: StorageKind::IndexedDb,
                brokers: None,
                seed: 0,
                clock: ClockMode::Realtime,
                latency: None,
                on_discarded: crate::store::OnDiscarded::Fail,
            };
            if is_missing(&options) {
                return Ok(parsed);
            }
            let object = object_arg(&options, "options")?;
            if let Some(name) = string_field(object, "name", "options")? {
                parsed.name = name;
            }
            parsed.storage = match string_field(object, "storage", "options")?.as_deref() {
                None | Some("indexeddb") => StorageKind::IndexedDb,
                Some("memory") => StorageKind::Memory,
                Some(other) => {
                    return Err(invalid(format!(
                        "options.storage must be 'indexeddb' or 'memory', not '{other}'"
                    )));
                }
            };
            parsed.brokers =
                u32_value(int_field(object, "brokers", "options")?, "options.brokers")?;
            let seed = int_field(object, "seed", "options")?.unwrap_or(0);
            parsed.seed = u64::try_from(seed)
                .map_err(|_| invalid(format!("options.seed must not be negative, got {seed}")))?;
            let latency = crate::api::field(object, "latency");
            if !is_missing(&latency) {
                let what = "options.latency";
                let latency = object_arg(&latency, what)?;
                let ms = |name: &'static str, least: i64, default: i64| match int_field(
                    latency, name, what,
                )? {
                    None => Ok(default),
                    Some(ms) if (least..=60_000).contains(&ms) => Ok(ms),
                    Some(ms) => Err(invalid(format!(
                        "{what}.{name} must be between {least} and 60000 ms, got {ms}"
                    ))),
                };
                // 0 ms is allowed: every exchange then happens at one instant, and a follower's
                // parked fetch still waits for its own `replica.fetch.wait.max.ms`.
                parsed.latency = Some(rill_core::cluster::Latency {
                    base_ms: ms("baseMs", 0, 1)?,
                    jitter_ms: ms("jitterMs", 0, 0)?,
                });
            }
            parsed.clock = match string_field(object, "clock", "options")?.as_deref() {
                None | Some("realtime") => ClockMode::Realtime,
                Some("manual") => ClockMode::Manual,
                Some(other) => {
                    return Err(invalid(format!(
                        "options.clock must be 'manual' or 'realtime', not '{other}'"
                    )));
                }
            };
            parsed.on_discarded = match string_field(object, "onDiscarded", "options")?.as_deref() {
                None | Some("fail") => crate::store::OnDiscarded::Fail,
                Some("startFresh") => crate::store::OnDiscarded::StartFresh,
                Some(other) => {
                    return Err(invalid(format!(
                        "options.onDiscarded must be 'fail' or 'startFresh', not '{other}'"
                    )));
                }
            };
            Ok(parsed)
        };
        let options = parse().map_err(|e| to_js_error(&e))?;
        let host = Session::open(options).await.map_err(|e| to_js_error(&e))?;
        Ok(Rill { host })
    }

    /// Moves the cluster's time forward by `ms` (only with `clock: 'manual'`). Resolves once
    /// everything due on the way has happened and consumers' handlers have been called.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn advance(&self, #[wasm_bindgen(unchecked_param_type = "number")] ms: JsValue) -> Promise {
        let host = self.host.clone();
        promise(async move {
            host.check_open()?;
            if host.clock_mode() != ClockMode::Manual {
                return Err(kafka_error(
                    ErrorCode::InvalidRequest,
                    "advance() is only for a cluster opened with clock: 'manual'",
                ));
            }
            let ms = match ms.as_f64() {
                Some(ms) if ms >= 0.0 && ms.fract() == 0.0 && ms <= 9_007_199_254_740_991.0 => {
                    ms as i64
                }
                _ => return Err(invalid("advance(ms): ms must be a non-negative integer")),
            };
            // Step so consumers' handlers run as time passes, not all at the end; give the
            // page's event loop a turn at least every few milliseconds of work (a long advance
            // never freezes the page).
            let mut left = ms;
            let mut since_yield = js_sys::Date::now();
            loop {
                let step = left.min(10);
                host.advance(step)?;
                left -= step;
                yield_now().await;
                if js_sys::Date::now() - since_yield >= crate::session::CATCH_UP_BUDGET_MS {
                    yield_to_page().await;
                    since_yield = js_sys::Date::now();
                }
                if left == 0 {
                    break;
                }
            }
            host.durable().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The cluster's time (ms since the epoch in realtime; from 0 in manual mode). Throws
    /// `NETWORK_EXCEPTION` after `disconnect()`, as every other call.
    pub fn now(&self) -> Result<f64, JsValue> {
        self.host.check_open().map_err(|e| to_js_error(&e))?;
        Ok(self.host.now() as f64)
    }

    /// The admin client.
    pub fn admin(&self) -> Admin {
        Admin::new(self.host.clone())
    }

    /// A producer: `{ idempotent = false, partitioner = 'default', retry: { retries = 5,
    /// initialRetryTime = 300 } }`.
    pub fn producer(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ProducerConfig")] options: JsValue,
    ) -> Result<Producer, JsValue> {
        Producer::new(self.host.clone(), &options).map_err(|e| to_js_error(&e))
    }

    /// A consumer: `{ groupId, partitionAssigners, sessionTimeout, rebalanceTimeout,
    /// heartbeatInterval, maxPollRecords, ... }`.
    pub fn consumer(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConsumerConfig")] options: JsValue,
    ) -> Result<Consumer, JsValue> {
        Consumer::new(self.host.clone(), &options).map_err(|e| to_js_error(&e))
    }

    /// Fault injection and reassignment.
    pub fn cluster(&self) -> ClusterControl {
        ClusterControl::new(self.host.clone())
    }

    /// Calls `callback(event)` for each cluster event of `eventType` (`'*'`: all); returns a
    /// function that unsubscribes.
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn on(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RillEventType | '*'")] event_type: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(event: RillEvent) => void")] callback: JsValue,
    ) -> Result<Function, JsValue> {
        let kind = event_type
            .as_string()
            .filter(|k| k == "*" || events::EVENT_TYPES.contains(&k.as_str()))
            .ok_or_else(|| {
                to_js_error(&invalid(format!(
                    "on(eventType, callback): eventType must be '*' or one of {}",
                    events::EVENT_TYPES.join(", ")
                )))
            })?;
        let callback: Function = callback.dyn_into().map_err(|_| {
            to_js_error(&invalid(
                "on(eventType, callback): callback must be a function",
            ))
        })?;
        let subscriber: crate::session::Subscriber = Rc::new(move |event, at| {
            let event = match event {
                SessionEvent::Cluster(event) => events::cluster_event_to_js(event, at),
                SessionEvent::ProduceCompleted(outcome) => events::outcome_to_js(outcome, at),
                // Rill drives its own clients: the world has no applications of its own here.
                SessionEvent::World(_) => return,
            };
            if kind == "*" || events::event_type(&event) == kind {
                // A listener that throws does not stop the others or the cluster.
                let _ = callback.call1(&JsValue::NULL, &event);
            }
        });
        let id = self.host.subscribe(subscriber);
        let host = self.host.clone();
        let off = Closure::once_into_js(move || host.unsubscribe(id));
        Ok(off.unchecked_into())
    }

    /// `exportSegment(topic, partition, baseOffset, broker?)` → the bytes of Kafka's
    /// `<baseOffset>.log` file as broker `broker` (default: the partition's leader) holds it,
    /// readable by Kafka's `kafka-dump-log.sh`. Fails with `INVALID_REQUEST` naming the
    /// segments that exist when none starts at `baseOffset`, `UNKNOWN_TOPIC_OR_PARTITION` when
    /// the broker holds no such replica or is not running, `LEADER_NOT_AVAILABLE` when there
    /// is no leader to default to.
    #[wasm_bindgen(js_name = exportSegment, unchecked_return_type = "Uint8Array")]
    pub fn export_segment(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] topic: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] partition: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number | string")] base_offset: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] broker: JsValue,
    ) -> Result<js_sys::Uint8Array, JsValue> {
        let export = || -> Result<Vec<u8>, HostError> {
            self.host.check_open()?;
            let what = "exportSegment(topic, partition, baseOffset, broker)";
            let topic = topic
                .as_string()
                .ok_or_else(|| invalid(format!("{what}: topic must be a string")))?;
            let partition = u32_value(Some(offset_value(&partition, "partition")?), "partition")?
                .unwrap_or_default();
            let base_offset = offset_value(&base_offset, "baseOffset")?;
            let broker = if is_missing(&broker) {
                self.host
                    .read(|c| c.registration(&topic, partition).map(|r| r.leader))
                    .ok_or_else(|| {
                        kafka_error(
                            ErrorCode::UnknownTopicOrPartition,
                            format!("This server does not host this topic-partition: {topic}-{partition}"),
                        )
                    })?
                    .ok_or_else(|| {
                        kafka_error(
                            ErrorCode::LeaderNotAvailable,
                            format!("{topic}-{partition} has no leader; pass a broker"),
                        )
                    })?
            } else {
                u32_value(Some(offset_value(&broker, "broker")?), "broker")?.unwrap_or_default()
            };
            self.host
                .read(|c| c.export_segment(broker, &topic, partition, base_offset))
                .map_err(|e| HostError::kafka(&e))
        };
        export()
            .map(|bytes| js_sys::Uint8Array::from(bytes.as_slice()))
            .map_err(|e| to_js_error(&e))
    }

    /// Stops the cluster's clock; every later call (admin, producer, consumer, cluster control,
    /// `now`, `exportSegment`, `advance`) fails with `NETWORK_EXCEPTION` "this session is
    /// closed"; `close`, `disconnect` and the clients' `connect`/`disconnect` stay harmless.
    /// Running consumers stop.
    pub fn close(&self) {
        self.host.close();
    }

    /// KafkaJS's name for `close`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn disconnect(&self) -> Promise {
        self.host.close();
        resolved(JsValue::UNDEFINED)
    }
}

impl Rill {
    /// Makes the next IndexedDB write fail with `fault`, for tests of failure handling (the
    /// transaction is really aborted). `false` with `storage: 'memory'`, which cannot fail.
    /// Not part of the JavaScript API.
    pub fn fail_next_write(&self, fault: crate::store::StoreFault) -> bool {
        self.host.fail_next_write(fault)
    }

    /// Another handle on the same cluster (for Rust callers; JavaScript shares objects).
    pub fn clone_handle(&self) -> Rill {
        Rill {
            host: self.host.clone(),
        }
    }
}

/// Lets the page's event loop run (timers, input, rendering): resolves from a `setTimeout(0)`.
pub(crate) async fn yield_to_page() {
    let promise = Promise::new(&mut |resolve, _reject| {
        crate::session::set_timeout(&resolve, 0.0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Lets queued promise callbacks (consumer handlers) run.
pub(crate) async fn yield_now() {
    let _ = wasm_bindgen_futures::JsFuture::from(Promise::resolve(&JsValue::UNDEFINED)).await;
}

/// An object argument, or an empty object when missing.
pub(crate) fn object_or_empty(value: &JsValue, what: &str) -> Result<Object, HostError> {
    if is_missing(value) {
        return Ok(Object::new());
    }
    object_arg(value, what).cloned()
}
