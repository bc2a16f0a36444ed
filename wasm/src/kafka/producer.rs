//! `kafka.producer()`: KafkaJS's producer over the cluster.
//!
//! Partitions are chosen by Kafka 3.7's default partitioner (`rill_core::partitioner`,
//! `PartitionerConfig::default()`): murmur2 of the key as Java's (and KafkaJS's
//! `DefaultPartitioner`), the built-in sticky partitioner (KIP-794) for keyless records —
//! one partition until `batch.size` (16384) bytes went to it, then another drawn from a PRNG
//! seeded by the cluster's seed and the producer. A record without `timestamp` is stamped
//! with the cluster's time at `send()`, once, as Java's `KafkaProducer.doSend` does: a retry
//! resends the same timestamp. One produce request per partition; a retriable error is
//! retried `retry.retries` times after `initialRetryTime` (doubling), in cluster time, as
//! `rill_core::producer::RetryPolicy::kafkajs` decides.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Promise};
use rill_core::ErrorCode;
use rill_core::cluster::Acks;
use rill_core::partitioner::{Partitioner, PartitionerConfig};
use rill_core::producer::{BatchRetry, RetryPolicy, Settle};
use rill_core::record::NewRecord;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::admin::partition_count;
use super::{kafka_error, object_or_empty, promise, resolved, u32_value};
use crate::HostError;
use crate::api::{
    bytes_field, field, int_field, invalid, is_missing, object_arg, parse_headers, set,
    string_field,
};
use crate::session::{Session, Slot};

/// KafkaJS's producer.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Producer {
    host: Session,
    client: u32,
    partitioner: Rc<RefCell<Partitioner>>,
    /// KafkaJS's `retry` options.
    retry: RetryPolicy,
}

/// One `send` request, parsed.
struct SendRequest {
    topic: String,
    acks: Acks,
    /// Records per partition, in message order.
    batches: Vec<(u32, Vec<NewRecord>)>,
}

impl Producer {
    pub(crate) fn new(host: Session, options: &JsValue) -> Result<Self, HostError> {
        let what = "producer options";
        let object = object_or_empty(options, what)?;
        if field(&object, "idempotent").is_truthy() {
            return Err(kafka_error(
                ErrorCode::InvalidRequest,
                "idempotent: true is not supported: the cluster has no idempotent producer \
                 (producer ids and sequence numbers) yet",
            ));
        }
        if field(&object, "transactionalId").is_truthy() {
            return Err(kafka_error(
                ErrorCode::InvalidRequest,
                "transactionalId is not supported: the cluster has no transactions",
            ));
        }
        match field(&object, "partitioner") {
            p if is_missing(&p) => {}
            p if p.as_string().as_deref() == Some("default") => {}
            _ => {
                return Err(invalid(
                    "producer options.partitioner: only 'default' (Kafka's murmur2 partitioner) is supported",
                ));
            }
        }
        let retry = object_or_empty(&field(&object, "retry"), "producer options.retry")?;
        let retries = u32_value(
            int_field(&retry, "retries", "producer options.retry")?,
            "retries",
        )?
        .unwrap_or(5);
        let initial_retry_ms = int_field(&retry, "initialRetryTime", "producer options.retry")?
            .unwrap_or(300)
            .max(0);
        let max_retry_ms = int_field(&retry, "maxRetryTime", "producer options.retry")?
            .unwrap_or(30_000)
            .max(0);
        let client = host.client_id();
        let seed = host.read(|c| c.config().seed) ^ rill_core::prng::splitmix64(u64::from(client));
        Ok(Self {
            client,
            host,
            partitioner: Rc::new(RefCell::new(Partitioner::with_config(PartitionerConfig {
                seed,
                ..PartitionerConfig::default()
            }))),
            retry: RetryPolicy::kafkajs(retries, initial_retry_ms, max_retry_ms),
        })
    }

    fn parse_send(&self, request: &JsValue, what: &str) -> Result<SendRequest, HostError> {
        let object = object_arg(request, what)?;
        let topic = string_field(object, "topic", what)?
            .ok_or_else(|| invalid(format!("{what}.topic is required")))?;
        let acks = match int_field(object, "acks", what)? {
            None => Acks::All,
            Some(a) => i16::try_from(a)
                .ok()
                .and_then(Acks::from_kafka)
                .ok_or_else(|| {
                    kafka_error(
                        ErrorCode::InvalidRequiredAcks,
                        format!("{what}.acks must be -1, 0 or 1, got {a}"),
                    )
                })?,
        };
        let messages = field(object, "messages")
            .dyn_into::<Array>()
            .map_err(|_| invalid(format!("{what}.messages must be an array")))?;
        let count = partition_count(&self.host, &topic)?;
        // The client's time at send, for records without a timestamp.
        let now = self.host.now();
        let mut batches: Vec<(u32, Vec<NewRecord>)> = Vec::new();
        let mut partitioner = self.partitioner.borrow_mut();
        for (i, message) in messages.iter().enumerate() {
            // Name the message only in an error: formatting it for every message costs.
            let fields = parse_message_fields(&message, "messages[]")
                .or_else(|_| parse_message_fields(&message, &format!("{what}.messages[{i}]")))?;
            let (key, value, headers, timestamp, partition) = fields;
            let timestamp = Some(timestamp.unwrap_or(now));
            let partition = match partition {
                Some(p) => u32::try_from(p)
                    .ok()
                    .filter(|p| *p < count)
                    .ok_or_else(|| {
                        kafka_error(
                            ErrorCode::UnknownTopicOrPartition,
                            format!(
                                "{what}.messages[{i}].partition {p}: topic '{topic}' has {count} partitions"
                            ),
                        )
                    })?,
                None => {
                    // What the record adds to its batch, roughly as Kafka estimates it.
                    let size = key.as_ref().map_or(0, Vec::len)
                        + value.as_ref().map_or(0, Vec::len)
                        + headers
                            .iter()
                            .map(|h| h.key.len() + h.value.as_ref().map_or(0, Vec::len) + 2)
                            .sum::<usize>()
                        + 8;
                    partitioner
                        .partition_record(&topic, count, None, key.as_deref(), size)
                        .map_err(|e| HostError::kafka(&e))?
                }
            };
            let record = NewRecord {
                key,
                value,
                headers,
                timestamp,
            };
            match batches.iter_mut().find(|(p, _)| *p == partition) {
                Some((_, list)) => list.push(record),
                None => batches.push((partition, vec![record])),
            }
        }
        Ok(SendRequest {
            topic,
            acks,
            batches,
        })
    }
}

/// A message's fields as `send` reads them: (key, value, headers, timestamp, partition).
type MessageFields = (
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Vec<rill_core::record::Header>,
    Option<i64>,
    Option<i64>,
);

/// Reads one message of `send`; `what` names it in errors.
fn parse_message_fields(message: &JsValue, what: &str) -> Result<MessageFields, HostError> {
    let m = object_arg(message, what)?;
    let key = bytes_field(m, "key", what)?;
    let value = bytes_field(m, "value", what)?;
    let headers = match field(m, "headers") {
        headers if is_missing(&headers) => Vec::new(),
        headers => parse_headers(&headers, &format!("{what}.headers"))?,
    };
    let timestamp = crate::api::timestamp_field(m, what)?;
    let partition = int_field(m, "partition", what)?;
    Ok((key, value, headers, timestamp, partition))
}

/// Sends one partition's batch, retrying as `retry` says; returns (base offset, log start).
async fn send_batch(
    host: Session,
    client: u32,
    retry: RetryPolicy,
    (topic, partition, acks): (String, u32, Acks),
    records: Vec<NewRecord>,
) -> Result<(i64, i64), HostError> {
    let mut attempts = BatchRetry::new(retry);
    loop {
        let request = host.command(|c| {
            attempts.sent(c.now());
            c.produce(client, &topic, partition, acks, records.clone())
        })?;
        let outcome = host.produce_outcome(request).await?;
        let result = outcome.result.map(|_| ());
        match attempts.settle(host.now(), result, !host.is_closed()) {
            Settle::Done => {
                let base = outcome.result.map_or(-1, |(base, _)| base);
                // Acknowledged only once durable: a failed write is this send's error.
                host.durable().await?;
                let log_start = host.read(|c| {
                    c.registration(&topic, partition)
                        .and_then(|r| r.leader)
                        .and_then(|l| c.replica(l, &topic, partition))
                        .map_or(-1, |(log, _)| log.log_start_offset())
                });
                return Ok((base, log_start));
            }
            Settle::RetryAt(at) => host.sleep_until(at).await,
            Settle::Fail { error, attempts } => {
                return Err(kafka_error(
                    error,
                    format!("produce to {topic}-{partition} failed after {attempts} attempt(s)"),
                ));
            }
        }
    }
}

#[wasm_bindgen]
impl Producer {
    /// Resolves at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn connect(&self) -> Promise {
        resolved(JsValue::UNDEFINED)
    }

    /// Resolves at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn disconnect(&self) -> Promise {
        resolved(JsValue::UNDEFINED)
    }

    /// `send({ topic, acks = -1, messages: [{ key, value, headers, partition, timestamp }] })`
    /// → `[{ topicName, partition, errorCode, baseOffset, logAppendTime, logStartOffset }]`.
    /// With `clock: 'manual'` it resolves only after enough `advance`.
    #[wasm_bindgen(unchecked_return_type = "Promise<RecordMetadata[]>")]
    pub fn send(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ProducerRecord")] record: JsValue,
    ) -> Promise {
        let parsed = self.parse_send(&record, "send record");
        self.send_parsed(parsed.map(|r| vec![r]))
    }

    /// `sendBatch({ acks, topicMessages: [{ topic, messages }] })`.
    #[wasm_bindgen(js_name = sendBatch, unchecked_return_type = "Promise<RecordMetadata[]>")]
    pub fn send_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ProducerBatch")] batch: JsValue,
    ) -> Promise {
        let parse = || -> Result<Vec<SendRequest>, HostError> {
            let what = "sendBatch batch";
            let object = object_arg(&batch, what)?;
            let acks = field(object, "acks");
            let topics = field(object, "topicMessages")
                .dyn_into::<Array>()
                .map_err(|_| invalid(format!("{what}.topicMessages must be an array")))?;
            let mut requests = Vec::new();
            for (i, entry) in topics.iter().enumerate() {
                let what = format!("{what}.topicMessages[{i}]");
                let entry = object_arg(&entry, &what)?;
                let with_acks = Object::assign(&Object::new(), entry);
                if !is_missing(&acks) {
                    set(&with_acks, "acks", acks.clone());
                }
                requests.push(self.parse_send(&with_acks, &what)?);
            }
            Ok(requests)
        };
        self.send_parsed(parse())
    }

    fn send_parsed(&self, requests: Result<Vec<SendRequest>, HostError>) -> Promise {
        let host = self.host.clone();
        let client = self.client;
        let retry = self.retry;
        promise(async move {
            let requests = requests?;
            host.check_open()?;
            let mut sends = Vec::new();
            for request in requests {
                for (partition, records) in request.batches {
                    let topic = request.topic.clone();
                    let future = send_batch(
                        host.clone(),
                        client,
                        retry,
                        (topic.clone(), partition, request.acks),
                        records,
                    );
                    // Every partition's request goes out before any answer is awaited.
                    let slot = Slot::new();
                    let filled = slot.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        filled.fill(future.await);
                    });
                    sends.push((topic, partition, slot));
                }
            }
            let rows = Array::new();
            let mut failure = None;
            for (topic, partition, slot) in sends {
                match slot.await {
                    Ok((base, start)) => {
                        let row = Object::new();
                        set(&row, "topicName", topic.as_str());
                        set(&row, "partition", partition);
                        set(&row, "errorCode", 0);
                        set(&row, "baseOffset", base.to_string());
                        set(&row, "logAppendTime", "-1");
                        set(&row, "logStartOffset", start.to_string());
                        rows.push(&row);
                    }
                    Err(error) => {
                        failure.get_or_insert(error);
                    }
                }
            }
            if let Some(error) = failure {
                return Err(error);
            }
            host.durable().await?;
            Ok(rows.into())
        })
    }
}
