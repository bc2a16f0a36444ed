//! `rill-wasm` in headless Chrome: the admin half of the JS API (topic deletion, partitions,
//! configs, deleteRecords, listOffsets, describeTopic, keysThatMove, tick), bad input that
//! changes nothing, and retention surviving a reopen.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Promise, Reflect};
use rill_wasm::api::RillBroker;
use rill_wasm::store::IdbStore;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("test JSON is valid")
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.')
        .fold(value.clone(), |v, key| match key.parse::<u32>() {
            Ok(index) if Array::is_array(&v) => v.unchecked_ref::<Array>().get(index),
            _ => Reflect::get(&v, &key.into()).expect("object"),
        })
}

fn num(value: &JsValue, path: &str) -> i64 {
    get(value, path)
        .as_f64()
        .unwrap_or_else(|| panic!("{path} is a number")) as i64
}

fn json(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).expect("serialisable").into()
}

async fn open(name: &str, storage: &str) -> RillBroker {
    RillBroker::open(js(&format!(r#"{{"name":"{name}","storage":"{storage}"}}"#)))
        .await
        .expect("opens")
}

async fn ok(promise: Promise) -> JsValue {
    JsFuture::from(promise).await.expect("succeeds")
}

fn error_type_of(error: JsValue) -> String {
    assert_eq!(
        get(&error, "name").as_string().as_deref(),
        Some("RillError")
    );
    get(&error, "type").as_string().expect("error has a type")
}

async fn rejected(promise: Promise) -> String {
    error_type_of(JsFuture::from(promise).await.expect_err("must fail"))
}

fn thrown(result: Result<impl std::fmt::Debug, JsValue>) -> String {
    error_type_of(result.expect_err("must throw"))
}

/// Produces one record per call, so each is its own batch (and, with a small
/// `segment.bytes`, its own segment); record `i` has timestamp `first_timestamp + i`.
async fn produce_one_by_one(
    rill: &RillBroker,
    topic: &str,
    partition: i32,
    count: usize,
    first_timestamp: i64,
) {
    for i in 0..count {
        let timestamp = format!(r#","timestamp":{}"#, first_timestamp + i as i64);
        ok(rill.produce(js(&format!(
            r#"{{"topic":"{topic}","messages":[{{"key":"k{i}","value":"value-{i}","partition":{partition}{timestamp}}}]}}"#
        ))))
        .await;
    }
}

fn partition_of(rill: &RillBroker, topic: &str, partition: u32) -> JsValue {
    let topics = rill.list_topics();
    let found = topics
        .iter()
        .find(|t| get(t, "name").as_string().as_deref() == Some(topic))
        .expect("topic listed");
    get(&found, &format!("partitions.{partition}"))
}

fn segment_bases(partition: &JsValue) -> Vec<i64> {
    get(partition, "segments")
        .unchecked_into::<Array>()
        .iter()
        .map(|s| num(&s, "baseOffset"))
        .collect()
}

#[wasm_bindgen_test]
async fn admin_commands_through_the_js_api() {
    let rill = open("admin-api", "memory").await;
    ok(rill.create_topic(js(
        r#"{"topic":"logs","numPartitions":2,"configEntries":[{"name":"segment.bytes","value":"100"}]}"#,
    )))
    .await;
    let now = js_sys::Date::now() as i64;
    produce_one_by_one(&rill, "logs", 0, 4, now - 10_000).await;

    // Segments: one per batch, each described with Kafka's file name and its offsets.
    let p0 = partition_of(&rill, "logs", 0);
    assert_eq!(segment_bases(&p0), vec![0, 1, 2, 3]);
    assert_eq!(
        get(&p0, "segments.1.fileName").as_string().as_deref(),
        Some("00000000000000000001.log")
    );
    assert_eq!(num(&p0, "segments.1.firstOffset"), 1);
    assert_eq!(num(&p0, "segments.1.lastOffset"), 1);
    assert!(
        num(&p0, "segments.1.size") > 61,
        "a batch is at least its header"
    );

    // describeTopic: partitions and every config with its source.
    let described = rill
        .describe_topic(js(r#"{"topic":"logs"}"#))
        .expect("describe");
    assert_eq!(num(&described, "partitions.0.logEndOffset"), 4);
    assert_eq!(num(&described, "partitions.0.segmentCount"), 4);
    assert_eq!(num(&described, "partitions.1.logEndOffset"), 0);
    let config = |described: &JsValue, name: &str| {
        let entry = get(described, "configs")
            .unchecked_into::<Array>()
            .iter()
            .find(|c| get(c, "name").as_string().as_deref() == Some(name))
            .unwrap_or_else(|| panic!("config {name} described"));
        (
            get(&entry, "value").as_string().expect("value"),
            get(&entry, "source").as_string().expect("source"),
        )
    };
    assert_eq!(
        config(&described, "segment.bytes"),
        ("100".into(), "DYNAMIC_TOPIC_CONFIG".into())
    );
    assert_eq!(
        config(&described, "retention.ms"),
        ("604800000".into(), "DEFAULT_CONFIG".into())
    );

    // alterConfigs: set (a number is accepted as Kafka's decimal string) and delete.
    let altered = ok(rill.alter_configs(js(
        r#"{"topic":"logs","set":{"retention.ms":60000,"retention.bytes":"1000"},"delete":["segment.bytes"]}"#,
    )))
    .await;
    let overrides = get(&altered, "configs");
    assert_eq!(
        Reflect::get(&overrides, &"retention.ms".into())
            .expect("object")
            .as_string()
            .as_deref(),
        Some("60000")
    );
    let described = rill
        .describe_topic(js(r#"{"topic":"logs"}"#))
        .expect("describe");
    assert_eq!(config(&described, "retention.ms").1, "DYNAMIC_TOPIC_CONFIG");
    assert_eq!(
        config(&described, "segment.bytes"),
        ("1073741824".into(), "DEFAULT_CONFIG".into())
    );

    // listOffsets: earliest, latest, max timestamp, by time, and no match.
    let offset_of = |timestamp: i64| {
        rill.list_offsets(js(&format!(
            r#"{{"topic":"logs","partition":0,"timestamp":{timestamp}}}"#
        )))
        .expect("listOffsets")
    };
    assert_eq!(num(&offset_of(-2), "offset"), 0);
    assert_eq!(num(&offset_of(-1), "offset"), 4);
    assert_eq!(num(&offset_of(-3), "offset"), 3);
    assert_eq!(num(&offset_of(0), "offset"), 0);
    assert!(offset_of(i64::from(i32::MAX) * 1_000_000).is_null());

    // keysThatMove, then createPartitions.
    let moves = rill
        .keys_that_move(js(r#"{"topic":"logs","count":5}"#))
        .expect("keysThatMove");
    let expected: Vec<String> = (0..4)
        .map(|i| format!("k{i}"))
        .filter(|k| {
            rill_core::partitioner::partition_for_key(k.as_bytes(), 2)
                != rill_core::partitioner::partition_for_key(k.as_bytes(), 5)
        })
        .collect();
    let listed: Vec<String> = moves
        .iter()
        .map(|m| get(&m, "key").as_string().expect("key"))
        .collect();
    assert_eq!(listed, expected);
    let grown = ok(rill.create_partitions(js(r#"{"topic":"logs","count":5}"#))).await;
    assert_eq!(
        get(&grown, "partitions").unchecked_into::<Array>().length(),
        5
    );

    // deleteRecords moves the log start offset; the next tick deletes the segments below it.
    let deleted = ok(rill.delete_records(js(r#"{"topic":"logs","partition":0,"offset":2}"#))).await;
    assert_eq!(num(&deleted, "lowWatermark"), 2);
    assert_eq!(num(&partition_of(&rill, "logs", 0), "logStartOffset"), 2);
    assert_eq!(
        segment_bases(&partition_of(&rill, "logs", 0)),
        vec![0, 1, 2, 3]
    );
    ok(rill.tick()).await;
    assert_eq!(segment_bases(&partition_of(&rill, "logs", 0)), vec![2, 3]);
    assert_eq!(num(&offset_of(-2), "offset"), 2);

    // deleteTopic.
    ok(rill.delete_topic(js(r#"{"topic":"logs"}"#))).await;
    assert_eq!(rill.list_topics().length(), 0);
    assert_eq!(
        thrown(rill.describe_topic(js(r#"{"topic":"logs"}"#))),
        "UNKNOWN_TOPIC_OR_PARTITION"
    );
}

#[wasm_bindgen_test]
async fn bad_admin_input_is_typed_and_changes_nothing() {
    let rill = open("admin-bad-input", "memory").await;
    ok(rill.create_topic(js(r#"{"topic":"t","numPartitions":2}"#))).await;
    produce_one_by_one(&rill, "t", 0, 3, js_sys::Date::now() as i64).await;
    let before = json(&rill.list_topics());
    let described_before = json(
        &rill
            .describe_topic(js(r#"{"topic":"t"}"#))
            .expect("describe"),
    );

    let cases: Vec<(&str, Promise, &str)> = vec![
        (
            "deleteTopic without a topic",
            rill.delete_topic(js("{}")),
            "INVALID_ARGUMENT",
        ),
        (
            "deleteTopic of a number",
            rill.delete_topic(js(r#"{"topic":7}"#)),
            "INVALID_ARGUMENT",
        ),
        (
            "deleteTopic of an unknown topic",
            rill.delete_topic(js(r#"{"topic":"nope"}"#)),
            "UNKNOWN_TOPIC_OR_PARTITION",
        ),
        (
            "createPartitions without count",
            rill.create_partitions(js(r#"{"topic":"t"}"#)),
            "INVALID_ARGUMENT",
        ),
        (
            "createPartitions with a fraction",
            rill.create_partitions(js(r#"{"topic":"t","count":2.5}"#)),
            "INVALID_ARGUMENT",
        ),
        (
            "createPartitions fewer",
            rill.create_partitions(js(r#"{"topic":"t","count":1}"#)),
            "INVALID_PARTITIONS",
        ),
        (
            "createPartitions same",
            rill.create_partitions(js(r#"{"topic":"t","count":2}"#)),
            "INVALID_PARTITIONS",
        ),
        (
            "alterConfigs with set as an array",
            rill.alter_configs(js(r#"{"topic":"t","set":[1]}"#)),
            "INVALID_ARGUMENT",
        ),
        (
            "alterConfigs with a boolean value",
            rill.alter_configs(js(r#"{"topic":"t","set":{"retention.ms":true}}"#)),
            "INVALID_ARGUMENT",
        ),
        (
            "alterConfigs with delete as a string",
            rill.alter_configs(js(r#"{"topic":"t","delete":"retention.ms"}"#)),
            "INVALID_ARGUMENT",
        ),
        (
            "alterConfigs out of range, with a valid op",
            rill.alter_configs(js(
                r#"{"topic":"t","set":{"retention.ms":"-5","segment.bytes":"500"}}"#,
            )),
            "INVALID_CONFIG",
        ),
        (
            "alterConfigs of an unknown config",
            rill.alter_configs(js(r#"{"topic":"t","set":{"no.such.config":"1"}}"#)),
            "INVALID_CONFIG",
        ),
        (
            "deleteRecords without offset",
            rill.delete_records(js(r#"{"topic":"t","partition":0}"#)),
            "INVALID_ARGUMENT",
        ),
        (
            "deleteRecords above the high watermark",
            rill.delete_records(js(r#"{"topic":"t","partition":0,"offset":4}"#)),
            "OFFSET_OUT_OF_RANGE",
        ),
        (
            "deleteRecords of an unknown partition",
            rill.delete_records(js(r#"{"topic":"t","partition":9,"offset":0}"#)),
            "UNKNOWN_TOPIC_OR_PARTITION",
        ),
        (
            "deleteRecords with a string partition",
            rill.delete_records(js(r#"{"topic":"t","partition":"0","offset":1}"#)),
            "INVALID_ARGUMENT",
        ),
    ];
    for (what, promise, expected) in cases {
        assert_eq!(rejected(promise).await, expected, "{what}");
    }
    assert_eq!(
        thrown(rill.list_offsets(js(r#"{"topic":"t","partition":0}"#))),
        "INVALID_ARGUMENT"
    );
    assert_eq!(
        thrown(rill.list_offsets(js(r#"{"topic":"t","partition":0,"timestamp":-4}"#))),
        "INVALID_REQUEST"
    );
    assert_eq!(
        thrown(rill.list_offsets(js(r#"{"topic":"t","partition":5,"timestamp":-1}"#))),
        "UNKNOWN_TOPIC_OR_PARTITION"
    );
    assert_eq!(thrown(rill.describe_topic(js("null"))), "INVALID_ARGUMENT");
    assert_eq!(
        thrown(rill.keys_that_move(js(r#"{"topic":"t","count":0}"#))),
        "INVALID_PARTITIONS"
    );
    assert_eq!(
        thrown(rill.keys_that_move(js(r#"{"topic":"t","count":-1}"#))),
        "INVALID_PARTITIONS"
    );
    assert_eq!(
        thrown(rill.keys_that_move(js(r#"{"topic":"t"}"#))),
        "INVALID_ARGUMENT"
    );

    assert_eq!(
        json(&rill.list_topics()),
        before,
        "no bad request changed the topics"
    );
    assert_eq!(
        json(
            &rill
                .describe_topic(js(r#"{"topic":"t"}"#))
                .expect("describe")
        ),
        described_before,
        "no bad request changed the configs"
    );
}

#[wasm_bindgen_test]
async fn delete_records_and_retention_survive_reopen() {
    IdbStore::delete("admin-reopen").await.expect("clean slate");
    let rill = open("admin-reopen", "indexeddb").await;
    ok(rill.create_topic(js(
        r#"{"topic":"t","numPartitions":2,"configEntries":[{"name":"segment.bytes","value":"100"}]}"#,
    )))
    .await;
    // Partition 0: six fresh records; partition 1: three records from ten days ago.
    let now = js_sys::Date::now() as i64;
    produce_one_by_one(&rill, "t", 0, 6, now).await;
    produce_one_by_one(&rill, "t", 1, 3, now - 10 * 24 * 3600 * 1000).await;

    ok(rill.delete_records(js(r#"{"topic":"t","partition":0,"offset":4}"#))).await;
    ok(rill.alter_configs(js(r#"{"topic":"t","set":{"retention.ms":"86400000"}}"#))).await;
    ok(rill.tick()).await;

    let p0 = partition_of(&rill, "t", 0);
    assert_eq!(num(&p0, "logStartOffset"), 4);
    assert_eq!(
        segment_bases(&p0),
        vec![4, 5],
        "log start offset deleted 0..4"
    );
    let p1 = partition_of(&rill, "t", 1);
    assert_eq!(
        num(&p1, "logStartOffset"),
        3,
        "retention.ms deleted every old record"
    );
    assert_eq!(
        segment_bases(&p1),
        vec![3],
        "an empty active segment at the log end"
    );
    let before = json(&rill.list_topics());
    rill.close();
    drop(rill);

    let reopened = open("admin-reopen", "indexeddb").await;
    assert_eq!(
        json(&reopened.list_topics()),
        before,
        "same log start offsets and segments"
    );
    let fetched = reopened
        .fetch(js(r#"{"topic":"t","partition":0,"offset":4}"#))
        .expect("fetch from the log start offset");
    // A fetch returns the segment holding the offset (Kafka's shape).
    assert_eq!(num(&fetched, "records.0.offset"), 4);
    assert_eq!(
        thrown(reopened.fetch(js(r#"{"topic":"t","partition":0,"offset":0}"#))),
        "OFFSET_OUT_OF_RANGE"
    );
    // Offsets continue after the deleted records.
    let more = ok(reopened.produce(js(
        r#"{"topic":"t","messages":[{"key":"x","value":"y","partition":1}]}"#,
    )))
    .await;
    assert_eq!(num(&more, "0.offset"), 3);
    reopened.close();
}

#[wasm_bindgen_test]
async fn export_segment_gives_each_segments_kafka_log_bytes() {
    let rill = open("export-segment", "memory").await;
    ok(rill.create_topic(js(
        r#"{"topic":"logs","numPartitions":1,"configEntries":[{"name":"segment.bytes","value":"100"}]}"#,
    )))
    .await;
    let now = js_sys::Date::now() as i64;
    produce_one_by_one(&rill, "logs", 0, 3, now - 10_000).await;
    let bases = segment_bases(&partition_of(&rill, "logs", 0));
    assert_eq!(bases, vec![0, 1, 2]);
    for base in bases {
        let bytes = rill
            .export_segment(js(&format!(
                r#"{{"topic":"logs","partition":0,"baseOffset":{base}}}"#
            )))
            .expect("a segment")
            .to_vec();
        // The bytes are whole v2 batches: the segment's one record, at its offset.
        let batches: Vec<_> = rill_core::record::decode_batches(&bytes)
            .map(|batch| batch.expect("a valid batch"))
            .collect();
        assert_eq!(batches.len(), 1);
        let records: Vec<_> = batches[0]
            .records()
            .map(|record| record.expect("a valid record"))
            .collect();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].offset, base);
        assert_eq!(
            records[0].key.as_deref(),
            Some(format!("k{base}").as_bytes())
        );
    }
    assert_eq!(
        thrown(rill.export_segment(js(r#"{"topic":"logs","partition":0,"baseOffset":7}"#))),
        "INVALID_REQUEST"
    );
    assert_eq!(
        thrown(rill.export_segment(js(r#"{"topic":"nope","partition":0,"baseOffset":0}"#))),
        "UNKNOWN_TOPIC_OR_PARTITION"
    );
    assert_eq!(
        thrown(rill.export_segment(js(r#"{"topic":"logs","partition":0}"#))),
        "INVALID_ARGUMENT"
    );
}
