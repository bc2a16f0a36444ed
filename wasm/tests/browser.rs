//! `rill-wasm` in headless Chrome: the JS API, IndexedDB persistence across reopen, typed errors.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
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

async fn open(name: &str, storage: &str) -> RillBroker {
    RillBroker::open(js(&format!(r#"{{"name":"{name}","storage":"{storage}"}}"#)))
        .await
        .expect("opens")
}

async fn error_type(promise: js_sys::Promise) -> String {
    let error = JsFuture::from(promise).await.expect_err("must fail");
    assert_eq!(
        get(&error, "name").as_string().as_deref(),
        Some("RillError")
    );
    get(&error, "type").as_string().expect("error has a type")
}

fn keyed_messages() -> JsValue {
    js(r#"{"topic":"orders","messages":[
        {"key":"alice","value":"1"},{"key":"bob","value":"2"},{"key":"carol","value":"3"},
        {"key":"dave","value":"4"},{"key":"erin","value":"5"},{"key":"alice","value":"6"}]}"#)
}

fn snapshot(rill: &RillBroker) -> Vec<(i32, i64, String, String)> {
    let mut out = Vec::new();
    for partition in 0..3 {
        let fetched = rill
            .fetch(js(&format!(
                r#"{{"topic":"orders","partition":{partition},"offset":0}}"#
            )))
            .expect("fetch");
        for record in get(&fetched, "records").unchecked_into::<Array>().iter() {
            out.push((
                partition,
                get(&record, "offset").as_f64().expect("offset") as i64,
                get(&record, "key").as_string().expect("key"),
                get(&record, "value").as_string().expect("value"),
            ));
        }
    }
    out
}

#[wasm_bindgen_test]
async fn produce_drop_reopen_gives_identical_data() {
    IdbStore::delete("reopen").await.expect("clean slate");
    let rill = open("reopen", "indexeddb").await;
    JsFuture::from(rill.create_topic(js(r#"{"topic":"orders","numPartitions":3}"#)))
        .await
        .expect("create");
    let produced = JsFuture::from(rill.produce(keyed_messages()))
        .await
        .expect("produce");
    let produced: Array = produced.unchecked_into();
    assert_eq!(produced.length(), 6);
    // Each message landed where Kafka's partitioner puts its key, with per-partition offsets.
    let mut next = [0i64; 3];
    for (i, key) in ["alice", "bob", "carol", "dave", "erin", "alice"]
        .iter()
        .enumerate()
    {
        let meta = produced.get(i as u32);
        let partition = get(&meta, "partition").as_f64().expect("partition") as usize;
        assert_eq!(
            partition as u32,
            rill_core::partitioner::partition_for_key(key.as_bytes(), 3)
        );
        assert_eq!(get(&meta, "offset").as_f64(), Some(next[partition] as f64));
        next[partition] += 1;
    }
    let before = snapshot(&rill);
    assert_eq!(before.len(), 6);
    rill.close();
    // A closed broker refuses writes, and still answers reads.
    assert_eq!(
        error_type(rill.produce(keyed_messages())).await,
        "KAFKA_STORAGE_ERROR"
    );
    assert_eq!(
        error_type(rill.create_topic(js(r#"{"topic":"later"}"#))).await,
        "KAFKA_STORAGE_ERROR"
    );
    assert_eq!(snapshot(&rill), before);
    drop(rill);

    let reopened = open("reopen", "indexeddb").await;
    assert_eq!(
        snapshot(&reopened),
        before,
        "same records at the same offsets after reopening"
    );
    let topics = reopened.list_topics();
    assert_eq!(topics.length(), 1);
    assert_eq!(
        get(&topics, "0.name").as_string().as_deref(),
        Some("orders")
    );
    // Offsets continue where they left off.
    let more = JsFuture::from(reopened.produce(js(
        r#"{"topic":"orders","messages":[{"key":"alice","value":"7"}]}"#,
    )))
    .await
    .expect("produce");
    let alice = rill_core::partitioner::partition_for_key(b"alice", 3) as usize;
    assert_eq!(get(&more, "0.offset").as_f64(), Some(next[alice] as f64));
    reopened.close();
}

#[wasm_bindgen_test]
async fn memory_storage_starts_empty_each_time() {
    let rill = open("mem", "memory").await;
    JsFuture::from(rill.create_topic(js(r#"{"topic":"t"}"#)))
        .await
        .expect("create");
    assert_eq!(rill.list_topics().length(), 1);
    let again = open("mem", "memory").await;
    assert_eq!(again.list_topics().length(), 0);
}

#[wasm_bindgen_test]
async fn bad_input_is_a_typed_error_and_changes_nothing() {
    IdbStore::delete("errors").await.expect("clean slate");
    let rill = open("errors", "indexeddb").await;
    JsFuture::from(rill.create_topic(js(r#"{"topic":"orders","numPartitions":2}"#)))
        .await
        .expect("create");
    let cases = [
        (
            r#"{"topic":"","numPartitions":1}"#,
            "INVALID_TOPIC_EXCEPTION",
        ),
        (
            r#"{"topic":"bad name!","numPartitions":1}"#,
            "INVALID_TOPIC_EXCEPTION",
        ),
        (r#"{"topic":"x","numPartitions":0}"#, "INVALID_PARTITIONS"),
        (r#"{"topic":"x","numPartitions":1.5}"#, "INVALID_ARGUMENT"),
        (
            r#"{"topic":"orders","numPartitions":1}"#,
            "TOPIC_ALREADY_EXISTS",
        ),
        (
            r#"{"topic":"x","configEntries":[{"name":"nope","value":"1"}]}"#,
            "INVALID_CONFIG",
        ),
        (r#"{"numPartitions":1}"#, "INVALID_ARGUMENT"),
        ("[]", "INVALID_ARGUMENT"),
        ("null", "INVALID_ARGUMENT"),
        (r#""orders""#, "INVALID_ARGUMENT"),
        (r#"{"topic":5}"#, "INVALID_ARGUMENT"),
        (r#"{"topic":"x","numPartitions":"3"}"#, "INVALID_ARGUMENT"),
        (r#"{"topic":"x","numPartitions":-2}"#, "INVALID_PARTITIONS"),
        (
            r#"{"topic":"x","configEntries":{"retention.ms":"1"}}"#,
            "INVALID_ARGUMENT",
        ),
        (
            r#"{"topic":"x","configEntries":[{"name":"retention.ms","value":1000}]}"#,
            "INVALID_ARGUMENT",
        ),
        (
            r#"{"topic":"x","configEntries":[{"name":"retention.ms"}]}"#,
            "INVALID_ARGUMENT",
        ),
        (
            r#"{"topic":"x","configEntries":[{"name":"retention.ms","value":"soon"}]}"#,
            "INVALID_CONFIG",
        ),
        // An unknown config among valid ones: all or nothing.
        (
            r#"{"topic":"x","configEntries":[{"name":"retention.ms","value":"1000"},{"name":"retention.msec","value":"1"}]}"#,
            "INVALID_CONFIG",
        ),
    ];
    for (spec, expected) in cases {
        assert_eq!(
            error_type(rill.create_topic(js(spec))).await,
            expected,
            "{spec}"
        );
    }
    let produce_cases = [
        (
            r#"{"topic":"nope","messages":[{"value":"v"}]}"#,
            "UNKNOWN_TOPIC_OR_PARTITION",
        ),
        (
            r#"{"topic":"orders","messages":[{"value":"v","partition":2}]}"#,
            "UNKNOWN_TOPIC_OR_PARTITION",
        ),
        (
            r#"{"topic":"orders","messages":[{"value":"v","partition":-1}]}"#,
            "UNKNOWN_TOPIC_OR_PARTITION",
        ),
        (
            r#"{"topic":"orders","messages":[{"value":5}]}"#,
            "INVALID_ARGUMENT",
        ),
        (r#"{"topic":"orders","messages":[]}"#, "INVALID_ARGUMENT"),
        (r#"{"topic":"orders"}"#, "INVALID_ARGUMENT"),
        ("null", "INVALID_ARGUMENT"),
        (r#""orders""#, "INVALID_ARGUMENT"),
        (r#"{"messages":[{"value":"v"}]}"#, "INVALID_ARGUMENT"),
        (
            r#"{"topic":7,"messages":[{"value":"v"}]}"#,
            "INVALID_ARGUMENT",
        ),
        (
            r#"{"topic":"orders","messages":{"value":"v"}}"#,
            "INVALID_ARGUMENT",
        ),
        (r#"{"topic":"orders","messages":[5]}"#, "INVALID_ARGUMENT"),
        (
            r#"{"topic":"orders","messages":[{"value":"v"},null]}"#,
            "INVALID_ARGUMENT",
        ),
        (
            r#"{"topic":"orders","messages":[{"key":{"id":1},"value":"v"}]}"#,
            "INVALID_ARGUMENT",
        ),
        (
            r#"{"topic":"orders","messages":[{"value":"v","headers":["h"]}]}"#,
            "INVALID_ARGUMENT",
        ),
        (
            r#"{"topic":"orders","messages":[{"value":"v","headers":{"h":1}}]}"#,
            "INVALID_ARGUMENT",
        ),
        (
            r#"{"topic":"orders","messages":[{"value":"v","partition":0.5}]}"#,
            "INVALID_ARGUMENT",
        ),
        (
            r#"{"topic":"orders","messages":[{"value":"v","partition":"0"}]}"#,
            "INVALID_ARGUMENT",
        ),
        (
            r#"{"topic":"orders","messages":[{"value":"v","partition":1099511627776}]}"#,
            "UNKNOWN_TOPIC_OR_PARTITION",
        ),
        (
            r#"{"topic":"orders","messages":[{"value":"v","timestamp":"now"}]}"#,
            "INVALID_ARGUMENT",
        ),
        // One bad message among good ones: nothing is appended.
        (
            r#"{"topic":"orders","messages":[{"value":"v","partition":0},{"value":"w","partition":1},{"value":"x","partition":9}]}"#,
            "UNKNOWN_TOPIC_OR_PARTITION",
        ),
        (
            r#"{"topic":"orders","messages":[{"value":"v","partition":0},{"value":true}]}"#,
            "INVALID_ARGUMENT",
        ),
    ];
    for (request, expected) in produce_cases {
        assert_eq!(
            error_type(rill.produce(js(request))).await,
            expected,
            "{request}"
        );
    }
    let huge = Object::new();
    Reflect::set(&huge, &"value".into(), &"x".repeat(2 * 1024 * 1024).into()).expect("set");
    let request = Object::new();
    Reflect::set(&request, &"topic".into(), &"orders".into()).expect("set");
    Reflect::set(&request, &"messages".into(), &Array::of1(&huge)).expect("set");
    assert_eq!(
        error_type(rill.produce(request.into())).await,
        "MESSAGE_TOO_LARGE"
    );
    // An oversize record next to small ones on another partition: the whole produce fails.
    let small = js(r#"{"value":"v","partition":0}"#);
    Reflect::set(&huge, &"partition".into(), &1.into()).expect("set");
    let request = Object::new();
    Reflect::set(&request, &"topic".into(), &"orders".into()).expect("set");
    Reflect::set(&request, &"messages".into(), &Array::of2(&small, &huge)).expect("set");
    assert_eq!(
        error_type(rill.produce(request.into())).await,
        "MESSAGE_TOO_LARGE"
    );

    let fetch_cases = [
        (
            r#"{"topic":"nope","partition":0}"#,
            "UNKNOWN_TOPIC_OR_PARTITION",
        ),
        (
            r#"{"topic":"orders","partition":-1}"#,
            "UNKNOWN_TOPIC_OR_PARTITION",
        ),
        (
            r#"{"topic":"orders","partition":2}"#,
            "UNKNOWN_TOPIC_OR_PARTITION",
        ),
        (r#"{"topic":"orders"}"#, "INVALID_ARGUMENT"),
        (r#"{"topic":"orders","partition":"0"}"#, "INVALID_ARGUMENT"),
        (
            r#"{"topic":"orders","partition":0,"maxBytes":-1}"#,
            "INVALID_ARGUMENT",
        ),
        (
            r#"{"topic":"orders","partition":0,"offset":-1}"#,
            "OFFSET_OUT_OF_RANGE",
        ),
        ("42", "INVALID_ARGUMENT"),
    ];
    for (request, expected) in fetch_cases {
        let error = rill.fetch(js(request)).expect_err(request);
        assert_eq!(
            get(&error, "type").as_string().as_deref(),
            Some(expected),
            "{request}"
        );
    }
    let open_cases = [
        r#"{"name":"errors","storage":"disk"}"#,
        r#"{"name":5}"#,
        r#"{"name":""}"#,
        "5",
    ];
    for options in open_cases {
        let error = RillBroker::open(js(options)).await.expect_err(options);
        assert_eq!(
            get(&error, "type").as_string().as_deref(),
            Some("INVALID_ARGUMENT"),
            "{options}"
        );
    }

    let fetch_error = rill
        .fetch(js(r#"{"topic":"orders","partition":0,"offset":5}"#))
        .expect_err("out of range");
    assert_eq!(
        get(&fetch_error, "type").as_string().as_deref(),
        Some("OFFSET_OUT_OF_RANGE")
    );
    assert_eq!(get(&fetch_error, "code").as_f64(), Some(1.0));

    // Nothing changed, in memory or on disk.
    let topics = rill.list_topics();
    assert_eq!(topics.length(), 1);
    for p in 0..2 {
        assert_eq!(
            get(&topics, &format!("0.partitions.{p}.logEndOffset")).as_f64(),
            Some(0.0)
        );
    }
    let before = js_sys::JSON::stringify(&topics).expect("json");
    rill.close();
    let reopened = open("errors", "indexeddb").await;
    assert_eq!(
        js_sys::JSON::stringify(&reopened.list_topics()).expect("json"),
        before,
        "nothing reached the store either"
    );
    reopened.close();
}
