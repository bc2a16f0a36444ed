//! `kafka.consumer()`: KafkaJS's consumer over the core's Kafka consumer.
//!
//! The core consumer is created when the consumer starts (`run` or `assign`), with the
//! options mapped to Kafka's configs: `groupId` → `group.id`, `partitionAssigners` →
//! `partition.assignment.strategy`, `sessionTimeout` → `session.timeout.ms`,
//! `rebalanceTimeout` → `max.poll.interval.ms` (the Java client's rebalance timeout),
//! `heartbeatInterval` → `heartbeat.interval.ms`, `maxPollRecords` → `max.poll.records`,
//! `minBytes`/`maxBytes`/`maxBytesPerPartition`/`maxWaitTimeInMs` → `fetch.*`,
//! `autoOffsetReset` (or `fromBeginning` of the first `subscribe`) → `auto.offset.reset`,
//! `autoCommit` (of the options or of `run`) and run's `autoCommitInterval` →
//! `enable.auto.commit`/`auto.commit.interval.ms`, `clientId` (default `'kafkajs'`, KafkaJS's)
//! → `client.id`.
//! The run loop polls as the clock moves and awaits each handler before the next poll, so a
//! handler slower than `rebalanceTimeout` makes the member leave the group as in Kafka.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Uint8Array};
use rill_core::ErrorCode;
use rill_core::consumer::delivery::{CommitThreshold, Delivery, Next, group_by_partition};
use rill_core::consumer::error::is_retriable;
use rill_core::consumer::{
    AutoOffsetReset, CommitId, ConsumerConfig, ConsumerError, ConsumerEvent, ConsumerRecord,
};
use rill_core::group::TopicPartition;
use rill_core::group::protocol::OffsetAndMetadata;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::admin::partition_count;
use super::shapes::topic_partitions;
use super::{kafka_error, object_or_empty, offset_value, promise, resolved};
use crate::HostError;
use crate::api::{
    field, int_field, invalid, is_missing, object_arg, set, string_field, to_js_error,
};
use crate::session::{Answers, Session};

#[wasm_bindgen(inline_js = "
const decoder = new TextDecoder();
function toString() { return decoder.decode(this); }
export function bufferLike(bytes) {
  Object.defineProperty(bytes, 'toString', { value: toString });
  return bytes;
}
")]
extern "C" {
    /// A `Uint8Array` whose `toString()` decodes UTF-8, as a Node `Buffer`'s does.
    #[wasm_bindgen(js_name = bufferLike)]
    fn buffer_like(bytes: Uint8Array) -> Uint8Array;
}

fn consumer_error(error: &ConsumerError) -> HostError {
    kafka_error(
        error.error_code().unwrap_or(ErrorCode::InvalidRequest),
        format!("{}: {error}", error.exception_name()),
    )
}

/// KafkaJS's instrumentation event names, by constant.
const EVENTS: &[(&str, &str)] = &[
    ("CONNECT", "consumer.connect"),
    ("DISCONNECT", "consumer.disconnect"),
    ("STOP", "consumer.stop"),
    ("CRASH", "consumer.crash"),
    ("GROUP_JOIN", "consumer.group_join"),
    ("REBALANCING", "consumer.rebalancing"),
    ("COMMIT_OFFSETS", "consumer.commit_offsets"),
    ("PARTITIONS_ASSIGNED", "consumer.partitions_assigned"),
    ("PARTITIONS_REVOKED", "consumer.partitions_revoked"),
    ("PARTITIONS_LOST", "consumer.partitions_lost"),
    ("OFFSET_RESET", "consumer.offset_reset"),
    ("FETCH_START", "consumer.fetch_start"),
    ("FETCH", "consumer.fetch"),
    ("START_BATCH_PROCESS", "consumer.start_batch_process"),
    ("END_BATCH_PROCESS", "consumer.end_batch_process"),
];

struct State {
    client: u32,
    group_id: String,
    config: ConsumerConfig,
    /// `autoOffsetReset` was given explicitly (then `fromBeginning` does not override it).
    reset_explicit: bool,
    topics: Vec<String>,
    created: bool,
    running: bool,
    /// Which `run` the current loop belongs to: a loop of an earlier `run` (stopped, then run
    /// again before it noticed) ends instead of polling alongside.
    run_generation: u64,
    listeners: Vec<(u64, String, Function)>,
    next_listener: u64,
    /// `commitOffsets` calls waiting for their commit's completion (which can come within the
    /// command itself, before the call waits: the latest `FINISHED_COMMITS_KEPT` are kept).
    commits: Answers<CommitId, Result<(), ConsumerError>>,
    joined: Option<(i32, String, String, String)>,
    next_event: u64,
    /// What the run loop's last poll handed out and the application handled; partitions
    /// sought since are stale (KafkaJS's `isStale()`), not delivered, and not rewound.
    delivery: Delivery,
    /// The core consumer has closed (its last commit and LeaveGroup answered).
    closed: bool,
}

/// KafkaJS's consumer.
#[wasm_bindgen]
pub struct Consumer {
    host: Session,
    state: Rc<RefCell<State>>,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer").finish_non_exhaustive()
    }
}

fn i32_option(object: &Object, name: &'static str, what: &str) -> Result<Option<i32>, HostError> {
    int_field(object, name, what)?
        .map(|v| {
            i32::try_from(v).map_err(|_| invalid(format!("{what}.{name} is out of range: {v}")))
        })
        .transpose()
}

/// Builds the Kafka configs from KafkaJS's consumer options.
fn parse_config(options: &JsValue) -> Result<(ConsumerConfig, bool), HostError> {
    let what = "consumer options";
    let object = object_arg(options, what)?;
    let group = string_field(object, "groupId", what)?
        .ok_or_else(|| invalid(format!("{what}.groupId is required")))?;
    let mut pairs: Vec<(&'static str, String)> = vec![("group.id", group)];
    let assigners = field(object, "partitionAssigners");
    if !is_missing(&assigners) {
        let list = assigners.dyn_into::<Array>().map_err(|_| {
            invalid(format!(
                "{what}.partitionAssigners must be an array of names"
            ))
        })?;
        let names: Vec<String> = list
            .iter()
            .enumerate()
            .map(|(i, name)| {
                name.as_string().ok_or_else(|| {
                    invalid(format!(
                        "{what}.partitionAssigners[{i}] must be one of 'cooperative-sticky', 'sticky', 'range', 'roundrobin'"
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        pairs.push(("partition.assignment.strategy", names.join(",")));
    }
    let numeric: &[(&'static str, &'static str)] = &[
        ("sessionTimeout", "session.timeout.ms"),
        ("rebalanceTimeout", "max.poll.interval.ms"),
        ("heartbeatInterval", "heartbeat.interval.ms"),
        ("maxPollRecords", "max.poll.records"),
        ("minBytes", "fetch.min.bytes"),
        ("maxBytes", "fetch.max.bytes"),
        ("maxBytesPerPartition", "max.partition.fetch.bytes"),
        ("maxWaitTimeInMs", "fetch.max.wait.ms"),
        ("retryBackoff", "retry.backoff.ms"),
    ];
    for (js, kafka) in numeric {
        if let Some(value) = int_field(object, js, what)? {
            pairs.push((kafka, value.to_string()));
        }
    }
    // KafkaJS's defaults where they differ from Java's.
    for (js, kafka, default) in [
        ("sessionTimeout", "session.timeout.ms", "30000"),
        ("rebalanceTimeout", "max.poll.interval.ms", "60000"),
    ] {
        if is_missing(&field(object, js)) {
            pairs.push((kafka, default.to_owned()));
        }
    }
    let reset = string_field(object, "autoOffsetReset", what)?;
    if let Some(reset) = &reset {
        pairs.push(("auto.offset.reset", reset.clone()));
    }
    match field(object, "autoCommit") {
        v if is_missing(&v) => {}
        v if v.as_bool().is_some() => pairs.push(("enable.auto.commit", v.is_truthy().to_string())),
        _ => return Err(invalid(format!("{what}.autoCommit must be a boolean"))),
    }
    // KafkaJS's default client id (its `Connection`'s `clientId = 'kafkajs'`).
    let client = string_field(object, "clientId", what)?.unwrap_or_else(|| "kafkajs".to_owned());
    pairs.push(("client.id", client));
    if let Some(instance) = string_field(object, "groupInstanceId", what)? {
        pairs.push(("group.instance.id", instance));
    }
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let config = ConsumerConfig::from_kafka_configs(&borrowed).map_err(|e| HostError::kafka(&e))?;
    Ok((config, reset.is_some()))
}

fn partitions_arg(
    value: &JsValue,
    what: &str,
    host: &Session,
    assigned: &[TopicPartition],
) -> Result<Vec<TopicPartition>, HostError> {
    let list = value.dyn_ref::<Array>().ok_or_else(|| {
        invalid(format!(
            "{what} must be an array of {{ topic, partitions? }}"
        ))
    })?;
    let mut out = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let what = format!("{what}[{i}]");
        let object = object_arg(&entry, &what)?;
        let topic = string_field(object, "topic", &what)?
            .ok_or_else(|| invalid(format!("{what}.topic is required")))?;
        let partitions = field(object, "partitions");
        if is_missing(&partitions) {
            let any = assigned.iter().any(|tp| tp.topic == topic);
            if !any && assigned.is_empty() {
                let count = partition_count(host, &topic)?;
                out.extend((0..count).map(|partition| TopicPartition {
                    topic: topic.clone(),
                    partition,
                }));
            } else {
                out.extend(assigned.iter().filter(|tp| tp.topic == topic).cloned());
            }
            continue;
        }
        let partitions = partitions
            .dyn_into::<Array>()
            .map_err(|_| invalid(format!("{what}.partitions must be an array of numbers")))?;
        for (j, p) in partitions.iter().enumerate() {
            let partition = p
                .as_f64()
                .filter(|p| *p >= 0.0 && p.fract() == 0.0 && *p <= f64::from(u32::MAX))
                .ok_or_else(|| {
                    invalid(format!("{what}.partitions[{j}] must be a partition number"))
                })?;
            out.push(TopicPartition {
                topic: topic.clone(),
                partition: partition as u32,
            });
        }
    }
    Ok(out)
}

fn bytes_to_js(bytes: &Option<Vec<u8>>) -> JsValue {
    match bytes {
        None => JsValue::NULL,
        Some(b) => buffer_like(Uint8Array::from(b.as_slice())).into(),
    }
}

fn message_to_js(record: &ConsumerRecord) -> Object {
    let message = Object::new();
    set(&message, "key", bytes_to_js(&record.key));
    set(&message, "value", bytes_to_js(&record.value));
    // KafkaJS: a key that appears more than once has an array of its values, in order.
    let headers = Object::new();
    for header in &record.headers {
        let key = JsValue::from(header.key.as_str());
        let value = bytes_to_js(&header.value);
        let previous = js_sys::Reflect::get(&headers, &key).unwrap_or(JsValue::UNDEFINED);
        let value = if previous.is_undefined() {
            value
        } else if let Some(list) = previous.dyn_ref::<Array>() {
            list.push(&value);
            continue;
        } else {
            Array::of2(&previous, &value).into()
        };
        let _ = js_sys::Reflect::set(&headers, &key, &value);
    }
    set(&message, "headers", headers);
    set(&message, "timestamp", record.timestamp.to_string());
    set(&message, "offset", record.offset.to_string());
    set(&message, "attributes", 0);
    message
}

/// Awaits what a handler returned (a promise or a plain value).
async fn settle(value: Result<JsValue, JsValue>) -> Result<(), JsValue> {
    let value = value?;
    JsFuture::from(Promise::resolve(&value)).await.map(|_| ())
}

impl Consumer {
    pub(crate) fn new(host: Session, options: &JsValue) -> Result<Self, HostError> {
        let (config, reset_explicit) = parse_config(options)?;
        let state = State {
            client: host.client_id(),
            group_id: config.group_id.clone().unwrap_or_default(),
            config,
            reset_explicit,
            topics: Vec::new(),
            created: false,
            running: false,
            run_generation: 0,
            listeners: Vec::new(),
            next_listener: 0,
            commits: Answers::new(FINISHED_COMMITS_KEPT),
            joined: None,
            next_event: 0,
            delivery: Delivery::default(),
            closed: false,
        };
        Ok(Self {
            host,
            state: Rc::new(RefCell::new(state)),
        })
    }

    fn client(&self) -> u32 {
        self.state.borrow().client
    }

    /// Creates the core consumer once, and routes its events here.
    fn ensure_created(&self) -> Result<(), HostError> {
        if self.state.borrow().created {
            return Ok(());
        }
        let (client, config) = {
            let state = self.state.borrow();
            (state.client, state.config.clone())
        };
        self.host
            .command(|c| c.add_consumer(client, config))?
            .map_err(|e| invalid(e.to_string()))?;
        self.state.borrow_mut().created = true;
        let state = Rc::downgrade(&self.state);
        let host = self.host.clone();
        self.host.register_consumer(
            client,
            Rc::new(move |event| {
                if let Some(state) = state.upgrade() {
                    on_core_event(&host, &state, event);
                }
            }),
        );
        Ok(())
    }

    /// Calls the core consumer.
    fn with_core<R>(
        &self,
        f: impl FnOnce(&mut rill_core::consumer::Consumer, i64) -> R,
    ) -> Result<R, HostError> {
        let client = self.client();
        self.host
            .command(|c| {
                let now = c.now();
                c.consumer_mut(client).map(|k| f(k, now))
            })?
            .ok_or_else(|| {
                kafka_error(
                    ErrorCode::InvalidRequest,
                    "the consumer is not running: call run() or assign() first",
                )
            })
    }
}

/// Emits a KafkaJS instrumentation event `{ id, type, timestamp, payload }`.
fn emit(host: &Session, state: &Rc<RefCell<State>>, kind: &str, payload: Object) {
    let listeners: Vec<Function> = {
        let mut s = state.borrow_mut();
        s.next_event += 1;
        s.listeners
            .iter()
            .filter(|(_, k, _)| k == kind)
            .map(|(_, _, f)| f.clone())
            .collect()
    };
    if listeners.is_empty() {
        return;
    }
    let event = Object::new();
    set(&event, "id", state.borrow().next_event as f64);
    set(&event, "type", kind.to_owned());
    set(&event, "timestamp", host.now() as f64);
    set(&event, "payload", payload);
    for listener in listeners {
        let _ = listener.call1(&JsValue::NULL, &event);
    }
}

fn on_core_event(host: &Session, state: &Rc<RefCell<State>>, event: ConsumerEvent) {
    let group = state.borrow().group_id.clone();
    let payload = Object::new();
    set(&payload, "groupId", group.as_str());
    match event {
        ConsumerEvent::JoinedGroup {
            generation,
            member_id,
            leader,
            protocol,
        } => {
            state.borrow_mut().joined = Some((generation, member_id, leader, protocol));
        }
        ConsumerEvent::PartitionsAssigned { partitions, .. } => {
            set(&payload, "assigned", topic_partitions(&partitions));
            emit(host, state, "consumer.partitions_assigned", payload.clone());
            let joined = state.borrow().joined.clone();
            if let Some((generation, member_id, leader, protocol)) = joined {
                let client = state.borrow().client;
                let assignment = host.read(|c| {
                    c.consumer(client)
                        .map(|k| k.assignment())
                        .unwrap_or_default()
                });
                let payload = Object::new();
                set(&payload, "groupId", group.as_str());
                set(&payload, "memberId", member_id.as_str());
                set(&payload, "leaderId", leader.as_str());
                set(&payload, "isLeader", member_id == leader);
                set(&payload, "groupProtocol", protocol.as_str());
                set(&payload, "generationId", generation);
                set(&payload, "memberAssignment", topic_partitions(&assignment));
                emit(host, state, "consumer.group_join", payload);
            }
        }
        ConsumerEvent::PartitionsRevoked { partitions, .. } => {
            set(&payload, "revoked", topic_partitions(&partitions));
            emit(host, state, "consumer.partitions_revoked", payload.clone());
            emit(host, state, "consumer.rebalancing", payload);
        }
        ConsumerEvent::PartitionsLost { partitions, .. } => {
            set(&payload, "lost", topic_partitions(&partitions));
            emit(host, state, "consumer.partitions_lost", payload.clone());
            emit(host, state, "consumer.rebalancing", payload);
        }
        ConsumerEvent::CommitCompleted {
            id,
            offsets,
            result,
            ..
        } => {
            if result.is_ok() {
                let rows: Array = offsets
                    .iter()
                    .map(|(tp, o)| {
                        let row = Object::new();
                        set(&row, "topic", tp.topic.as_str());
                        set(&row, "partition", tp.partition);
                        set(&row, "offset", o.offset.to_string());
                        JsValue::from(row)
                    })
                    .collect();
                set(&payload, "topics", rows);
                emit(host, state, "consumer.commit_offsets", payload);
            }
            state.borrow_mut().commits.answer(id, result);
        }
        ConsumerEvent::OffsetReset { tp, offset, .. } => {
            set(&payload, "topic", tp.topic.as_str());
            set(&payload, "partition", tp.partition);
            set(&payload, "offset", offset.to_string());
            emit(host, state, "consumer.offset_reset", payload);
        }
        ConsumerEvent::Closed => {
            // The closed consumer stays in the cluster, inert: removing it now would drop its
            // LeaveGroup still on the wire.
            let client = state.borrow().client;
            host.unregister_consumer(client);
            state.borrow_mut().closed = true;
            emit(host, state, "consumer.disconnect", payload);
        }
        _ => {}
    }
}

#[derive(Clone)]
enum Handler {
    Message(Function),
    Batch {
        handler: Function,
        auto_resolve: bool,
    },
}

/// The run loop: poll, hand records to the handler one at a time, repeat as the clock moves.
async fn run_loop(consumer: Consumer, handler: Handler, threshold: Option<u32>) {
    let mut commits = CommitThreshold::new(threshold);
    let generation = consumer.state.borrow().run_generation;
    loop {
        let current = {
            let state = consumer.state.borrow();
            state.running && state.run_generation == generation
        };
        if !current || consumer.host.is_closed() {
            break;
        }
        consumer.state.borrow_mut().delivery = Delivery::default();
        let polled = consumer.with_core(|k, now| k.poll(now));
        let records = match polled {
            Err(_) => break,
            Ok(Ok(records)) => records,
            Ok(Err(error)) => {
                let retriable = error.error_code().is_some_and(is_retriable);
                if retriable {
                    consumer.host.moved(Some(consumer.client())).await;
                    continue;
                }
                let payload = Object::new();
                set(
                    &payload,
                    "groupId",
                    consumer.state.borrow().group_id.as_str(),
                );
                set(&payload, "error", to_js_error(&consumer_error(&error)));
                set(&payload, "restart", false);
                emit(&consumer.host, &consumer.state, "consumer.crash", payload);
                consumer.state.borrow_mut().running = false;
                break;
            }
        };
        if records.is_empty() {
            consumer.host.moved(Some(consumer.client())).await;
            continue;
        }
        let batches = group_by_partition(records);
        emit_fetches(&consumer, &batches);
        consumer.state.borrow_mut().delivery = Delivery::new(&batches);
        'batches: for (tp, list) in &batches {
            let batch_payload = batch_event_payload(&consumer, tp, list);
            let batch_started = consumer.host.now();
            emit(
                &consumer.host,
                &consumer.state,
                "consumer.start_batch_process",
                batch_payload.clone(),
            );
            let end_batch = |consumer: &Consumer| {
                let payload: Object = Object::assign(&Object::new(), &batch_payload);
                set(&payload, "duration", consumer.host.now() - batch_started);
                emit(
                    &consumer.host,
                    &consumer.state,
                    "consumer.end_batch_process",
                    payload,
                );
            };
            match &handler {
                Handler::Message(f) => {
                    for record in list {
                        let paused = consumer
                            .with_core(|k, _| k.paused().contains(tp))
                            .unwrap_or(true);
                        let next = {
                            let state = consumer.state.borrow();
                            state.delivery.next(tp, state.running, paused)
                        };
                        match next {
                            Next::Deliver => {}
                            Next::SkipPartition => continue 'batches,
                            Next::Stop => break 'batches,
                        }
                        let payload = Object::new();
                        set(&payload, "topic", tp.topic.as_str());
                        set(&payload, "partition", tp.partition);
                        set(&payload, "message", message_to_js(record));
                        set(&payload, "heartbeat", heartbeat_fn());
                        set(&payload, "pause", pause_fn(&consumer, tp.clone()));
                        let result = settle(f.call1(&JsValue::NULL, &payload)).await;
                        if let Err(error) = result {
                            crash(&consumer, error).await;
                            break 'batches;
                        }
                        consumer
                            .state
                            .borrow_mut()
                            .delivery
                            .handled(tp, record.offset);
                        if commits.record_handled() {
                            let _ = consumer.with_core(|k, now| k.commit_async(now, None));
                        }
                    }
                }
                Handler::Batch {
                    handler,
                    auto_resolve,
                } => {
                    let resolved_offset = Rc::new(Cell::new(-1i64));
                    let batch = batch_to_js(&consumer, tp, list);
                    let payload = Object::new();
                    set(&payload, "batch", batch);
                    let r = resolved_offset.clone();
                    let resolve = Closure::wrap(Box::new(move |offset: JsValue| {
                        if let Ok(offset) = offset_value(&offset, "resolveOffset(offset)") {
                            r.set(r.get().max(offset));
                        }
                    }) as Box<dyn FnMut(JsValue)>)
                    .into_js_value();
                    set(&payload, "resolveOffset", resolve);
                    set(&payload, "heartbeat", heartbeat_fn());
                    set(&payload, "pause", pause_fn(&consumer, tp.clone()));
                    let state = consumer.state.clone();
                    let running = Closure::wrap(
                        Box::new(move || state.borrow().running) as Box<dyn Fn() -> bool>
                    )
                    .into_js_value();
                    set(&payload, "isRunning", running);
                    let state = consumer.state.clone();
                    let stale_tp = tp.clone();
                    let stale =
                        Closure::wrap(
                            Box::new(move || state.borrow().delivery.is_stale(&stale_tp))
                                as Box<dyn Fn() -> bool>,
                        )
                        .into_js_value();
                    set(&payload, "isStale", stale);
                    set(
                        &payload,
                        "commitOffsetsIfNecessary",
                        commit_resolved_fn(&consumer, tp.clone(), resolved_offset.clone()),
                    );
                    let result = settle(handler.call1(&JsValue::NULL, &payload)).await;
                    // Sought during the batch: the seek decides where the partition goes on
                    // (`handled` leaves a stale partition alone).
                    let last = list.last().map_or(-1, |r| r.offset);
                    let done = if result.is_ok() && *auto_resolve {
                        last
                    } else {
                        resolved_offset.get()
                    };
                    consumer.state.borrow_mut().delivery.handled(tp, done);
                    if let Err(error) = result {
                        crash(&consumer, error).await;
                        break 'batches;
                    }
                }
            }
            end_batch(&consumer);
        }
        let delivery = consumer.state.borrow().delivery.clone();
        if !delivery.is_settled() {
            let _ = consumer.with_core(|k, _| k.rewind(&delivery));
        }
    }
}

/// The high watermark of `tp` on its leader, -1 when it has none.
fn high_watermark(consumer: &Consumer, tp: &TopicPartition) -> i64 {
    consumer.host.read(|c| {
        c.registration(&tp.topic, tp.partition)
            .and_then(|r| r.leader)
            .and_then(|l| c.replica(l, &tp.topic, tp.partition))
            .map_or(-1, |(log, _)| log.high_watermark())
    })
}

/// The leader of `tp` (the broker a fetch of it goes to), -1 when it has none.
fn leader_of(consumer: &Consumer, tp: &TopicPartition) -> i64 {
    consumer.host.read(|c| {
        c.registration(&tp.topic, tp.partition)
            .and_then(|r| r.leader)
            .map_or(-1, i64::from)
    })
}

/// KafkaJS's `consumer.fetch_start` (`{ nodeId }`) and `consumer.fetch` (`{ numberOfBatches,
/// duration, nodeId }`) for a poll that returned records, once per leader the records came
/// from; the fetch is instant in cluster time (`duration` 0).
fn emit_fetches(consumer: &Consumer, batches: &[(TopicPartition, Vec<ConsumerRecord>)]) {
    let mut nodes: Vec<(i64, u32)> = Vec::new();
    for (tp, _) in batches {
        let node = leader_of(consumer, tp);
        match nodes.iter_mut().find(|(n, _)| *n == node) {
            Some((_, count)) => *count += 1,
            None => nodes.push((node, 1)),
        }
    }
    for (node, count) in nodes {
        let start = Object::new();
        set(&start, "nodeId", node as f64);
        emit(
            &consumer.host,
            &consumer.state,
            "consumer.fetch_start",
            start,
        );
        let fetch = Object::new();
        set(&fetch, "numberOfBatches", count);
        set(&fetch, "duration", 0);
        set(&fetch, "nodeId", node as f64);
        emit(&consumer.host, &consumer.state, "consumer.fetch", fetch);
    }
}

/// KafkaJS's `consumer.start_batch_process` payload for one partition's records: `{ topic,
/// partition, highWatermark, offsetLag, offsetLagLow, batchSize, firstOffset, lastOffset }`
/// (`end_batch_process` adds `duration`).
fn batch_event_payload(
    consumer: &Consumer,
    tp: &TopicPartition,
    records: &[ConsumerRecord],
) -> Object {
    let high = high_watermark(consumer, tp);
    let first = records.first().map_or(-1, |r| r.offset);
    let last = records.last().map_or(-1, |r| r.offset);
    let payload = Object::new();
    set(&payload, "topic", tp.topic.as_str());
    set(&payload, "partition", tp.partition);
    set(&payload, "highWatermark", high.to_string());
    set(&payload, "offsetLag", (high - 1 - last).max(0).to_string());
    set(
        &payload,
        "offsetLagLow",
        (high - 1 - first).max(0).to_string(),
    );
    set(&payload, "batchSize", records.len() as f64);
    set(&payload, "firstOffset", first.to_string());
    set(&payload, "lastOffset", last.to_string());
    payload
}

/// A handler threw: as KafkaJS, the records from the failed one on are delivered again after
/// a backoff.
async fn crash(consumer: &Consumer, error: JsValue) {
    let payload = Object::new();
    set(
        &payload,
        "groupId",
        consumer.state.borrow().group_id.as_str(),
    );
    set(&payload, "error", error);
    set(&payload, "restart", true);
    emit(&consumer.host, &consumer.state, "consumer.crash", payload);
    let backoff = consumer.state.borrow().config.retry_backoff_ms.max(100);
    let at = consumer.host.now() + backoff;
    consumer.host.sleep_until(at).await;
}

/// How many commits completed with no waiter are kept for one that registers late.
const FINISHED_COMMITS_KEPT: usize = 64;

/// KafkaJS's `commitOffsetsIfNecessary()`: with auto-commit on, commits the offsets the batch
/// resolved so far (the next offset to read); resolves once the commit is sent.
fn commit_resolved_fn(consumer: &Consumer, tp: TopicPartition, resolved: Rc<Cell<i64>>) -> JsValue {
    let host = consumer.host.clone();
    let state = consumer.state.clone();
    Closure::wrap(Box::new(move || {
        let (client, auto) = {
            let s = state.borrow();
            (s.client, s.config.enable_auto_commit)
        };
        let offset = resolved.get();
        if auto && offset >= 0 {
            let offsets = vec![(
                tp.clone(),
                OffsetAndMetadata {
                    offset: offset + 1,
                    leader_epoch: None,
                    metadata: String::new(),
                },
            )];
            let _ = host.command(|c| {
                let now = c.now();
                c.consumer_mut(client)
                    .map(|k| k.commit_async(now, Some(offsets)))
            });
        }
        Promise::resolve(&JsValue::UNDEFINED)
    }) as Box<dyn Fn() -> Promise>)
    .into_js_value()
}

fn heartbeat_fn() -> JsValue {
    // The core consumer heartbeats in the background (Java's heartbeat thread).
    Closure::wrap(Box::new(|| Promise::resolve(&JsValue::UNDEFINED)) as Box<dyn Fn() -> Promise>)
        .into_js_value()
}

fn pause_fn(consumer: &Consumer, tp: TopicPartition) -> JsValue {
    let host = consumer.host.clone();
    let client = consumer.client();
    Closure::wrap(Box::new(move || {
        let _ = host.command(|c| {
            c.consumer_mut(client)
                .map(|k| k.pause(std::slice::from_ref(&tp)))
        });
    }) as Box<dyn Fn()>)
    .into_js_value()
}

fn batch_to_js(consumer: &Consumer, tp: &TopicPartition, records: &[ConsumerRecord]) -> Object {
    let batch = Object::new();
    set(&batch, "topic", tp.topic.as_str());
    set(&batch, "partition", tp.partition);
    let high = high_watermark(consumer, tp);
    set(&batch, "highWatermark", high.to_string());
    let messages: Array = records
        .iter()
        .map(|r| JsValue::from(message_to_js(r)))
        .collect();
    set(&batch, "messages", messages);
    let first = records.first().map_or(-1, |r| r.offset);
    let last = records.last().map_or(-1, |r| r.offset);
    let empty = records.is_empty();
    set(
        &batch,
        "isEmpty",
        Closure::wrap(Box::new(move || empty) as Box<dyn Fn() -> bool>).into_js_value(),
    );
    set(
        &batch,
        "firstOffset",
        Closure::wrap(Box::new(move || first.to_string()) as Box<dyn Fn() -> String>)
            .into_js_value(),
    );
    set(
        &batch,
        "lastOffset",
        Closure::wrap(Box::new(move || last.to_string()) as Box<dyn Fn() -> String>)
            .into_js_value(),
    );
    set(
        &batch,
        "offsetLag",
        Closure::wrap(
            Box::new(move || (high - 1 - last).max(0).to_string()) as Box<dyn Fn() -> String>
        )
        .into_js_value(),
    );
    set(
        &batch,
        "offsetLagLow",
        Closure::wrap(
            Box::new(move || (high - 1 - first).max(0).to_string()) as Box<dyn Fn() -> String>
        )
        .into_js_value(),
    );
    batch
}

#[wasm_bindgen]
impl Consumer {
    /// Resolves at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn connect(&self) -> Promise {
        emit(&self.host, &self.state, "consumer.connect", Object::new());
        resolved(JsValue::UNDEFINED)
    }

    /// `subscribe({ topics: [..] } | { topic }, fromBeginning = false)`: topics must exist;
    /// the group is joined by `run`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn subscribe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConsumerSubscribeTopics")] options: JsValue,
    ) -> Promise {
        let host = self.host.clone();
        let state = self.state.clone();
        let consumer = Consumer {
            host: self.host.clone(),
            state: self.state.clone(),
        };
        promise(async move {
            host.check_open()?;
            let what = "subscribe options";
            let object = object_arg(&options, what)?;
            let mut topics = Vec::new();
            let list = field(object, "topics");
            if !is_missing(&list) {
                let list = list.dyn_into::<Array>().map_err(|_| {
                    invalid(format!("{what}.topics must be an array of topic names"))
                })?;
                for (i, topic) in list.iter().enumerate() {
                    topics.push(topic.as_string().ok_or_else(|| {
                        invalid(format!("{what}.topics[{i}] must be a string (regular expressions are not supported)"))
                    })?);
                }
            } else if let Some(topic) = string_field(object, "topic", what)? {
                topics.push(topic);
            } else {
                return Err(invalid(format!("{what}.topics (or topic) is required")));
            }
            for topic in &topics {
                partition_count(&host, topic)?;
            }
            let (created, all) = {
                let mut s = state.borrow_mut();
                if s.running {
                    return Err(kafka_error(
                        ErrorCode::InvalidRequest,
                        "Cannot subscribe to topic while consumer is running",
                    ));
                }
                if field(object, "fromBeginning").is_truthy() && !s.reset_explicit {
                    s.config.auto_offset_reset = AutoOffsetReset::Earliest;
                }
                for topic in topics {
                    if !s.topics.contains(&topic) {
                        s.topics.push(topic);
                    }
                }
                (s.created, s.topics.clone())
            };
            // Stopped after a run (KafkaJS lets `subscribe` follow `stop`): the member's
            // subscription grows, and the group rebalances at the next poll.
            if created {
                consumer
                    .with_core(|k, now| k.subscribe(now, &all))?
                    .map_err(|e| consumer_error(&e))?;
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `run({ eachMessage | eachBatch, autoCommit = true, autoCommitInterval = 5000,
    /// autoCommitThreshold, eachBatchAutoResolve = true })`: joins the group and starts the
    /// loop; resolves once it started.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn run(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConsumerRunConfig")] options: JsValue,
    ) -> Promise {
        let result = (|| -> Result<(), HostError> {
            self.host.check_open()?;
            let what = "run options";
            let object = object_or_empty(&options, what)?;
            let each_message = field(&object, "eachMessage");
            let each_batch = field(&object, "eachBatch");
            let handler = match (
                each_message.dyn_into::<Function>(),
                each_batch.dyn_into::<Function>(),
            ) {
                (Ok(f), _) => Handler::Message(f),
                (Err(_), Ok(f)) => Handler::Batch {
                    handler: f,
                    auto_resolve: {
                        let v = field(&object, "eachBatchAutoResolve");
                        is_missing(&v) || v.is_truthy()
                    },
                },
                _ => {
                    return Err(invalid(format!(
                        "{what}: eachMessage or eachBatch (a function) is required"
                    )));
                }
            };
            let threshold = super::u32_value(
                int_field(&object, "autoCommitThreshold", what)?,
                "autoCommitThreshold",
            )?;
            {
                let mut s = self.state.borrow_mut();
                if s.running {
                    return Err(kafka_error(
                        ErrorCode::InvalidRequest,
                        "the consumer is already running",
                    ));
                }
                match field(&object, "autoCommit") {
                    auto if is_missing(&auto) => {}
                    auto => s.config.enable_auto_commit = auto.is_truthy(),
                }
                if let Some(interval) = i32_option(&object, "autoCommitInterval", what)? {
                    s.config.auto_commit_interval_ms = interval.max(0);
                }
                if s.topics.is_empty() && !s.created {
                    return Err(invalid(
                        "run(): subscribe to a topic (or assign partitions) first",
                    ));
                }
            }
            let fresh = !self.state.borrow().created;
            self.ensure_created()?;
            if fresh {
                let topics = self.state.borrow().topics.clone();
                self.with_core(|k, now| k.subscribe(now, &topics))?
                    .map_err(|e| consumer_error(&e))?;
            }
            {
                let mut state = self.state.borrow_mut();
                state.running = true;
                state.run_generation += 1;
            }
            let consumer = Consumer {
                host: self.host.clone(),
                state: self.state.clone(),
            };
            wasm_bindgen_futures::spawn_local(run_loop(consumer, handler, threshold));
            Ok(())
        })();
        let host = self.host.clone();
        promise(async move {
            result?;
            host.durable().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Assigns partitions without group membership (`[{ topic, partitions }]`), before `run`.
    pub fn assign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Array<{ topic: string; partitions: number[] }>")]
        partitions: JsValue,
    ) -> Result<(), JsValue> {
        let run = || -> Result<(), HostError> {
            self.host.check_open()?;
            let list = partitions_arg(&partitions, "assign(partitions)", &self.host, &[])?;
            for tp in &list {
                let count = partition_count(&self.host, &tp.topic)?;
                if tp.partition >= count {
                    return Err(kafka_error(
                        ErrorCode::UnknownTopicOrPartition,
                        format!("partition {}-{} does not exist", tp.topic, tp.partition),
                    ));
                }
            }
            if !self.state.borrow().topics.is_empty() {
                return Err(consumer_error(&ConsumerError::SubscriptionModesExclusive));
            }
            self.ensure_created()?;
            self.with_core(|k, now| k.assign(now, &list))?
                .map_err(|e| consumer_error(&e))
        };
        run().map_err(|e| to_js_error(&e))
    }

    /// `commitOffsets([{ topic, partition, offset }])`: commits the next offsets to read;
    /// resolves once the coordinator has written them.
    #[wasm_bindgen(js_name = commitOffsets, unchecked_return_type = "Promise<void>")]
    pub fn commit_offsets(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "Array<{ topic: string; partition: number; offset: string | number }>"
        )]
        offsets: JsValue,
    ) -> Promise {
        let consumer = Consumer {
            host: self.host.clone(),
            state: self.state.clone(),
        };
        promise(async move {
            consumer.host.check_open()?;
            let list = offsets.dyn_into::<Array>().map_err(|_| {
                invalid("commitOffsets(offsets) must be an array of { topic, partition, offset }")
            })?;
            let mut parsed = Vec::new();
            for (i, entry) in list.iter().enumerate() {
                let what = format!("commitOffsets[{i}]");
                let object = object_arg(&entry, &what)?;
                let topic = string_field(object, "topic", &what)?
                    .ok_or_else(|| invalid(format!("{what}.topic is required")))?;
                let partition = super::u32_value(int_field(object, "partition", &what)?, &what)?
                    .ok_or_else(|| invalid(format!("{what}.partition is required")))?;
                let offset = offset_value(&field(object, "offset"), &format!("{what}.offset"))?;
                if offset < 0 {
                    return Err(invalid(format!("{what}.offset must not be negative")));
                }
                parsed.push((
                    TopicPartition { topic, partition },
                    OffsetAndMetadata {
                        offset,
                        leader_epoch: None,
                        metadata: String::new(),
                    },
                ));
            }
            let id = consumer.with_core(|k, now| k.commit_sync(now, Some(parsed)))?;
            // The completion may already have been delivered by the command itself.
            consumer.host.advance(0)?;
            let done = consumer.state.borrow_mut().commits.wait(id);
            let result = done.await;
            result.map_err(|e| consumer_error(&e))?;
            consumer.host.durable().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `seek({ topic, partition, offset })`: the next record read from the partition.
    pub fn seek(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ topic: string; partition: number; offset: string | number }"
        )]
        target: JsValue,
    ) -> Result<(), JsValue> {
        let run = || -> Result<(), HostError> {
            self.host.check_open()?;
            let what = "seek target";
            let object = object_arg(&target, what)?;
            let topic = string_field(object, "topic", what)?
                .ok_or_else(|| invalid(format!("{what}.topic is required")))?;
            let partition = super::u32_value(int_field(object, "partition", what)?, what)?
                .ok_or_else(|| invalid(format!("{what}.partition is required")))?;
            let offset = offset_value(&field(object, "offset"), &format!("{what}.offset"))?;
            let tp = TopicPartition { topic, partition };
            self.with_core(|k, _| k.seek(&tp, offset))?
                .map_err(|e| consumer_error(&e))?;
            self.state.borrow_mut().delivery.sought(&tp);
            Ok(())
        };
        run().map_err(|e| to_js_error(&e))
    }

    /// `pause([{ topic, partitions? }])`: no more records from these partitions until resumed.
    pub fn pause(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Array<{ topic: string; partitions?: number[] }>")]
        topics: JsValue,
    ) -> Result<(), JsValue> {
        self.set_paused(topics, true).map_err(|e| to_js_error(&e))
    }

    /// `resume([{ topic, partitions? }])`.
    pub fn resume(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Array<{ topic: string; partitions?: number[] }>")]
        topics: JsValue,
    ) -> Result<(), JsValue> {
        self.set_paused(topics, false).map_err(|e| to_js_error(&e))
    }

    fn set_paused(&self, topics: JsValue, paused: bool) -> Result<(), HostError> {
        self.host.check_open()?;
        let assigned = self.with_core(|k, _| k.assignment())?;
        let list = partitions_arg(
            &topics,
            if paused {
                "pause(topics)"
            } else {
                "resume(topics)"
            },
            &self.host,
            &assigned,
        )?;
        self.with_core(|k, _| {
            if paused {
                k.pause(&list)
            } else {
                k.resume(&list)
            }
        })?
        .map_err(|e| consumer_error(&e))
    }

    /// The paused partitions: `[{ topic, partitions }]`.
    #[wasm_bindgen(unchecked_return_type = "Array<{ topic: string; partitions: number[] }>")]
    pub fn paused(&self) -> Array {
        self.with_core(|k, _| topic_partitions(&k.paused()))
            .unwrap_or_default()
    }

    /// Stops the run loop after the current message; the member stays in the group.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn stop(&self) -> Promise {
        let was = std::mem::replace(&mut self.state.borrow_mut().running, false);
        if was {
            emit(&self.host, &self.state, "consumer.stop", Object::new());
        }
        resolved(JsValue::UNDEFINED)
    }

    /// Stops and closes: commits consumed offsets when auto-commit is on and leaves the group;
    /// resolves once the coordinator has answered both (as KafkaJS's `disconnect` awaits its
    /// last commit), so with `clock: 'manual'` only after enough `advance`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn disconnect(&self) -> Promise {
        let stop = self.stop();
        let created = self.state.borrow().created;
        let consumer = Consumer {
            host: self.host.clone(),
            state: self.state.clone(),
        };
        promise(async move {
            let _ = JsFuture::from(stop).await;
            if created {
                consumer.with_core(|k, now| k.close(now))?;
                while !consumer.state.borrow().closed && !consumer.host.is_closed() {
                    consumer.host.moved(None).await;
                }
            }
            consumer.host.durable().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `on(eventName, listener)`: KafkaJS instrumentation events; returns a remover.
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn on(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConsumerEventName")] event_name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(event: InstrumentationEvent) => void")]
        listener: JsValue,
    ) -> Result<Function, JsValue> {
        let kind = event_name
            .as_string()
            .filter(|k| EVENTS.iter().any(|(_, name)| name == k))
            .ok_or_else(|| {
                let names: Vec<&str> = EVENTS.iter().map(|(_, n)| *n).collect();
                to_js_error(&invalid(format!(
                    "on(eventName): eventName must be one of {}",
                    names.join(", ")
                )))
            })?;
        let listener: Function = listener.dyn_into().map_err(|_| {
            to_js_error(&invalid(
                "on(eventName, listener): listener must be a function",
            ))
        })?;
        let id = {
            let mut s = self.state.borrow_mut();
            s.next_listener += 1;
            let id = s.next_listener;
            s.listeners.push((id, kind, listener));
            id
        };
        let state = Rc::downgrade(&self.state);
        Ok(Closure::once_into_js(move || {
            if let Some(state) = state.upgrade() {
                state.borrow_mut().listeners.retain(|(i, _, _)| *i != id);
            }
        })
        .unchecked_into())
    }

    /// KafkaJS's `consumer.events`: `{ GROUP_JOIN: 'consumer.group_join', ... }`.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, ConsumerEventName>")]
    pub fn events(&self) -> Object {
        let object = Object::new();
        for (constant, name) in EVENTS {
            let _ = js_sys::Reflect::set(&object, &(*constant).into(), &(*name).into());
        }
        object
    }
}
