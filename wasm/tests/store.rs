//! The IndexedDB store in headless Chrome against `MemoryStore`, the reference semantics: the
//! same `StorageOp`s, applied to both, recover the same `RecoveryImage` after a reopen. Also the
//! schema migration from version 1 and what happens to unreadable or unwritable values.
//!
//! Then the host's hardening: a failed or over-quota write leaves the engine at its last
//! persisted state, one writer per store name (Web Locks, and the `BroadcastChannel` stand-in),
//! and torn or corrupt chunks cut at the last valid batch, reported and repaired on open.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect, Uint8Array};
use rill_core::cluster::ClusterEvent;
use rill_core::cluster::persist::{ClusterImage, ClusterStorageOp};
use rill_core::log::RecoveryProblem;
use rill_core::storage::{
    MemoryStore, PartitionState, RecoveredSegment, RecoveredTopic, RecoveryImage, StorageOp,
    TopicRecord,
};
use rill_wasm::api::RillBroker;
use rill_wasm::store::{IdbStore, Opened, StoreFault};
use rill_wasm::{HostError, OneBroker, ProduceInput, StorageKind, TopicView};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use wasm_bindgen_test::*;
use web_sys::{IdbDatabase, IdbObjectStoreParameters};

wasm_bindgen_test_configure!(run_in_browser);

// --- ops -------------------------------------------------------------------------------------

fn put_topic(name: &str, partitions: u32) -> StorageOp {
    StorageOp::PutTopic(TopicRecord {
        name: name.into(),
        partitions,
        configs: vec![("cleanup.policy".into(), "compact".into())],
    })
}

fn create(topic: &str, partition: u32, base_offset: i64) -> StorageOp {
    StorageOp::CreateSegment {
        topic: topic.into(),
        partition,
        base_offset,
    }
}

/// `len` bytes that differ between segments and appends, so a misplaced chunk shows.
fn bytes(tag: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| tag.wrapping_add(i as u8)).collect()
}

/// The bytes [`append`] appends for `tag`.
fn appended(tag: u8) -> Vec<u8> {
    bytes(tag, 7 + usize::from(tag % 5))
}

fn append(topic: &str, partition: u32, base_offset: i64, tag: u8) -> StorageOp {
    StorageOp::AppendToSegment {
        topic: topic.into(),
        partition,
        base_offset,
        bytes: appended(tag),
    }
}

fn delete_segment(topic: &str, partition: u32, base_offset: i64) -> StorageOp {
    StorageOp::DeleteSegment {
        topic: topic.into(),
        partition,
        base_offset,
    }
}

fn replace(topic: &str, partition: u32, removed: &[i64], added: Vec<(i64, Vec<u8>)>) -> StorageOp {
    StorageOp::ReplaceSegments {
        topic: topic.into(),
        partition,
        removed: removed.to_vec(),
        added,
    }
}

fn put_state(topic: &str, partition: u32, log_start_offset: i64, cleaner: i64) -> StorageOp {
    StorageOp::PutPartitionState {
        topic: topic.into(),
        partition,
        state: PartitionState {
            log_start_offset,
            cleaner_checkpoint: cleaner,
        },
    }
}

fn delete_topic(topic: &str) -> StorageOp {
    StorageOp::DeleteTopic {
        topic: topic.into(),
    }
}

/// A topic `name` with `partitions` partitions, each with segments 0 and 10 holding appends.
fn populated_topic(name: &str, partitions: u32, tag: u8) -> Vec<StorageOp> {
    let mut ops = vec![put_topic(name, partitions)];
    for p in 0..partitions {
        let tag = tag.wrapping_add(p as u8 * 16);
        ops.extend([
            create(name, p, 0),
            append(name, p, 0, tag),
            append(name, p, 0, tag + 1),
            create(name, p, 10),
            append(name, p, 10, tag + 2),
            put_state(name, p, 3, 7),
        ]);
    }
    ops
}

/// `ops` as changes to log dir 0, the single-broker host's.
fn log0(ops: Vec<StorageOp>) -> Vec<ClusterStorageOp> {
    ops.into_iter()
        .map(|op| ClusterStorageOp::Log { broker: 0, op })
        .collect()
}

/// Log dir 0 of `image`, which must hold no other log dir.
fn dir0(mut image: ClusterImage) -> RecoveryImage {
    let log = image.logs.remove(&0).unwrap_or_default();
    assert!(
        image.logs.is_empty(),
        "only log dir 0: {:?}",
        image.logs.keys()
    );
    log
}

// --- the comparison ----------------------------------------------------------------------------

/// Sorts everything whose order a store may choose.
fn normalized(mut image: RecoveryImage) -> RecoveryImage {
    image
        .topics
        .sort_by(|a, b| a.record.name.cmp(&b.record.name));
    for topic in &mut image.topics {
        topic.segments.sort_by_key(|s| (s.partition, s.base_offset));
        topic.partition_states.sort_by_key(|(p, _)| *p);
    }
    image
}

async fn open_clean(name: &str) -> Opened {
    let opened = IdbStore::open(name).await.expect("opens");
    assert!(opened.skipped.is_empty(), "skipped {:?}", opened.skipped);
    opened
}

async fn flush(store: &mut IdbStore, ops: Vec<StorageOp>) {
    store
        .write(log0(ops))
        .expect("requests issued")
        .await
        .expect("committed");
}

/// Applies each phase's flushes to a `MemoryStore` and to a fresh IndexedDB store named `name`;
/// after each phase closes, reopens and checks the recovered image equals the memory image
/// (so later phases also write through the sequence numbers recovered on open). Deletes the
/// database at the end and returns the last image.
async fn check_against_memory(name: &str, phases: Vec<Vec<Vec<StorageOp>>>) -> RecoveryImage {
    IdbStore::delete(name).await.expect("clean slate");
    let mut memory = MemoryStore::new();
    let mut store = open_clean(name).await.store;
    let mut image = RecoveryImage::default();
    for (phase, flushes) in phases.into_iter().enumerate() {
        for ops in flushes {
            for op in ops.clone() {
                memory.apply(op);
            }
            flush(&mut store, ops).await;
        }
        store.close();
        let reopened = open_clean(name).await;
        image = normalized(dir0(reopened.image));
        assert_eq!(
            image,
            normalized(memory.image()),
            "phase {phase}: IndexedDB recovers what MemoryStore holds"
        );
        store = reopened.store;
    }
    store.close();
    IdbStore::delete(name).await.expect("deleted");
    image
}

fn segment<'a>(image: &'a RecoveryImage, topic: &str, partition: u32) -> Vec<&'a RecoveredSegment> {
    image
        .topics
        .iter()
        .filter(|t| t.record.name == topic)
        .flat_map(|t| &t.segments)
        .filter(|s| s.partition == partition)
        .collect()
}

fn topic<'a>(image: &'a RecoveryImage, name: &str) -> &'a RecoveredTopic {
    image
        .topics
        .iter()
        .find(|t| t.record.name == name)
        .expect("topic recovered")
}

// --- raw IndexedDB, to build old or damaged databases by hand ------------------------------

mod raw_idb;
use raw_idb::{key, obj, raw_get_all, raw_open, raw_put, request_promise};

/// The version-1 schema exactly as the version-1 code created it.
fn schema_v1(db: &IdbDatabase) {
    let params = IdbObjectStoreParameters::new();
    params.set_key_path(&"name".into());
    db.create_object_store_with_optional_parameters("topics", &params)
        .expect("topics");
    db.create_object_store("chunks").expect("chunks");
}

// --- tests -------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn delete_segment_removes_only_that_segment() {
    let image = check_against_memory(
        "store-delete-segment",
        vec![
            vec![{
                let mut ops = populated_topic("t", 2, 1);
                ops.extend([create("t", 0, 20), append("t", 0, 20, 40)]);
                ops
            }],
            // The middle segment of partition 0 goes; partition 1's segment 10 stays.
            vec![vec![delete_segment("t", 0, 10)]],
            // Appends after a reopen continue the remaining segments; a recreated segment 10
            // starts empty, with none of the deleted chunks.
            vec![
                vec![append("t", 0, 20, 41), create("t", 0, 10)],
                vec![append("t", 0, 10, 42)],
            ],
            // Delete and append to the same segment within one flush: order matters.
            vec![vec![
                append("t", 1, 10, 50),
                delete_segment("t", 1, 10),
                create("t", 1, 10),
                append("t", 1, 10, 51),
                delete_segment("t", 0, 0),
            ]],
        ],
    )
    .await;
    let bases: Vec<i64> = segment(&image, "t", 0)
        .iter()
        .map(|s| s.base_offset)
        .collect();
    assert_eq!(bases, [10, 20]);
    assert_eq!(segment(&image, "t", 1)[1].bytes, appended(51));
}

#[wasm_bindgen_test]
async fn replace_two_segments_by_one_reusing_the_first_base_offset() {
    let compacted = bytes(200, 300);
    let image = check_against_memory(
        "store-replace",
        vec![
            vec![populated_topic("t", 1, 1)],
            vec![vec![replace(
                "t",
                0,
                &[0, 10],
                vec![(0, compacted.clone())],
            )]],
        ],
    )
    .await;
    let segments = segment(&image, "t", 0);
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].base_offset, 0);
    assert_eq!(
        segments[0].bytes, compacted,
        "no chunk of the old segment 0 left"
    );
}

#[wasm_bindgen_test]
async fn replace_then_append_to_the_replaced_segment() {
    check_against_memory(
        "store-replace-append",
        vec![
            vec![populated_topic("t", 1, 1)],
            // Appends in the same flush, then in the next one, then after a reopen.
            vec![
                vec![
                    replace("t", 0, &[0, 10], vec![(0, bytes(90, 40)), (10, Vec::new())]),
                    append("t", 0, 0, 91),
                    append("t", 0, 10, 92),
                ],
                vec![append("t", 0, 0, 93)],
            ],
            vec![vec![append("t", 0, 0, 94), append("t", 0, 10, 95)]],
            // Replacing a segment with itself, then appending, and an added segment whose base
            // offset existed but was not listed as removed: it holds exactly the given bytes.
            vec![vec![
                replace("t", 0, &[0], vec![(0, bytes(96, 5))]),
                append("t", 0, 0, 97),
                replace("t", 0, &[], vec![(10, bytes(98, 3))]),
            ]],
        ],
    )
    .await;
}

#[wasm_bindgen_test]
async fn replacement_larger_than_a_chunk_is_split_and_appendable() {
    let name = "store-replace-large";
    IdbStore::delete(name).await.expect("clean slate");
    let big = bytes(7, (5 << 20) / 2); // 2.5 MiB: three chunks.
    let mut memory = MemoryStore::new();
    let mut store = open_clean(name).await.store;
    let mut ops = populated_topic("t", 1, 1);
    ops.push(replace("t", 0, &[0, 10], vec![(0, big)]));
    ops.push(append("t", 0, 0, 8));
    for op in ops.clone() {
        memory.apply(op);
    }
    flush(&mut store, ops).await;
    store.close();

    let db = raw_open(name, 3, |_| {}).await;
    let keys = raw_get_all(&db, "chunks", true).await;
    let seqs: Vec<f64> = keys
        .iter()
        .map(|k| k.unchecked_into::<Array>().get(4).as_f64().expect("seq"))
        .collect();
    assert_eq!(
        seqs,
        [0.0, 1.0, 2.0, 3.0],
        "three 1 MiB pieces, then the append"
    );
    db.close();

    let mut opened = open_clean(name).await;
    assert_eq!(normalized(dir0(opened.image)), normalized(memory.image()));
    opened.store.close();
    IdbStore::delete(name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn put_partition_state_twice_last_wins() {
    let image = check_against_memory(
        "store-partition-state",
        vec![
            vec![
                vec![
                    put_topic("t", 3),
                    put_topic("u", 1),
                    put_state("t", 0, 1, 2),
                ],
                vec![
                    put_state("t", 0, 5, 6),
                    put_state("t", 2, 0, 0),
                    put_state("u", 0, 9, 9),
                ],
            ],
            vec![vec![put_state("t", 2, 4, 8), put_state("t", 2, 40, 80)]],
        ],
    )
    .await;
    let state = |log_start_offset, cleaner_checkpoint| PartitionState {
        log_start_offset,
        cleaner_checkpoint,
    };
    assert_eq!(
        topic(&image, "t").partition_states,
        [(0, state(5, 6)), (2, state(40, 80))]
    );
    assert_eq!(topic(&image, "u").partition_states, [(0, state(9, 9))]);
}

#[wasm_bindgen_test]
async fn delete_topic_then_recreate_it_leaves_nothing_stale() {
    let image = check_against_memory(
        "store-delete-topic",
        vec![
            // Neighbours whose names sort next to "t" must survive its deletion.
            vec![
                populated_topic("t", 2, 1),
                populated_topic("ta", 1, 60),
                populated_topic("s", 1, 120),
            ],
            vec![vec![delete_topic("t")]],
            // Recreated with the same name in a later flush...
            vec![vec![
                put_topic("t", 1),
                create("t", 0, 0),
                append("t", 0, 0, 200),
            ]],
            // ...and deleted and recreated within one flush.
            vec![vec![
                put_state("t", 0, 1, 1),
                delete_topic("t"),
                put_topic("t", 3),
                create("t", 0, 0),
                create("t", 2, 0),
                append("t", 2, 0, 201),
                put_state("t", 2, 0, 0),
            ]],
        ],
    )
    .await;
    let t = topic(&image, "t");
    assert_eq!(t.record.partitions, 3);
    assert_eq!(t.segments.len(), 2);
    assert_eq!(t.partition_states.len(), 1);
    assert_eq!(topic(&image, "ta").segments.len(), 2);
    assert_eq!(topic(&image, "s").partition_states.len(), 1);
}

#[wasm_bindgen_test]
async fn creating_an_existing_segment_keeps_its_bytes() {
    check_against_memory(
        "store-create-existing",
        vec![
            vec![vec![
                put_topic("t", 1),
                create("t", 0, 0),
                append("t", 0, 0, 1),
                append("t", 0, 0, 2),
                create("t", 0, 0),
                append("t", 0, 0, 3),
            ]],
            vec![vec![create("t", 0, 0), append("t", 0, 0, 4)]],
        ],
    )
    .await;
}

#[wasm_bindgen_test]
async fn version_1_database_upgrades_without_losing_data() {
    let name = "store-v1-upgrade";
    IdbStore::delete(name).await.expect("clean slate");
    let db = raw_open(name, 1, schema_v1).await;
    assert_eq!(db.version(), 1.0);
    let configs: Array = [Array::of2(&"retention.ms".into(), &"1000".into())]
        .iter()
        .collect();
    raw_put(
        &db,
        "topics",
        vec![(
            None,
            obj(&[
                ("name", "old".into()),
                ("partitions", 2.into()),
                ("configs", configs.into()),
            ]),
        )],
    )
    .await;
    let chunk = |partition: u32, base: f64, seq: u32, tag: u8| {
        (
            Some(key(&[
                "old".into(),
                partition.into(),
                base.into(),
                seq.into(),
            ])),
            JsValue::from(Uint8Array::from(bytes(tag, 10).as_slice())),
        )
    };
    raw_put(
        &db,
        "chunks",
        vec![
            chunk(0, 0.0, 0, 1),
            chunk(0, 0.0, 1, 2),
            chunk(0, 5.0, 0, 3),
            chunk(1, 0.0, 0, 4),
        ],
    )
    .await;
    db.close();

    let opened = open_clean(name).await;
    let joined = |tags: &[u8]| tags.iter().flat_map(|t| bytes(*t, 10)).collect::<Vec<_>>();
    let expected = RecoveryImage {
        topics: vec![RecoveredTopic {
            record: TopicRecord {
                name: "old".into(),
                partitions: 2,
                configs: vec![("retention.ms".into(), "1000".into())],
            },
            segments: vec![
                RecoveredSegment {
                    partition: 0,
                    base_offset: 0,
                    bytes: joined(&[1, 2]),
                },
                RecoveredSegment {
                    partition: 0,
                    base_offset: 5,
                    bytes: joined(&[3]),
                },
                RecoveredSegment {
                    partition: 1,
                    base_offset: 0,
                    bytes: joined(&[4]),
                },
            ],
            partition_states: Vec::new(),
        }],
    };
    assert_eq!(normalized(dir0(opened.image)), expected);

    // The upgraded database takes every op, and appends continue after the stored chunks.
    let mut store = opened.store;
    flush(
        &mut store,
        vec![
            append("old", 0, 0, 5),
            put_state("old", 1, 2, 3),
            delete_segment("old", 0, 5),
        ],
    )
    .await;
    store.close();
    let mut reopened = open_clean(name).await;
    let image = normalized(dir0(reopened.image));
    let old = topic(&image, "old");
    let mut first = joined(&[1, 2]);
    first.extend(appended(5));
    assert_eq!(old.segments[0].bytes, first);
    assert_eq!(old.segments.len(), 2);
    assert_eq!(
        old.partition_states,
        [(
            1,
            PartitionState {
                log_start_offset: 2,
                cleaner_checkpoint: 3,
            }
        )]
    );
    reopened.store.close();
    let db = raw_open(name, 3, |_| {}).await;
    assert_eq!(db.version(), 3.0);
    db.close();
    IdbStore::delete(name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn unreadable_partition_states_are_skipped_and_reported() {
    let name = "store-bad-state";
    IdbStore::delete(name).await.expect("clean slate");
    let mut store = open_clean(name).await.store;
    flush(&mut store, vec![put_topic("t", 4), put_state("t", 0, 1, 2)]).await;
    store.close();

    let db = raw_open(name, 3, |_| {}).await;
    let k = |partition: JsValue| Some(key(&[0.into(), "t".into(), partition]));
    let state = |log: JsValue, cleaner: JsValue| {
        obj(&[("logStartOffset", log), ("cleanerCheckpoint", cleaner)])
    };
    raw_put(
        &db,
        "partitions",
        vec![
            // Unreadable values...
            (k(1.into()), state(1.5.into(), 0.into())),
            (k(2.into()), state(2f64.powi(60).into(), 0.into())),
            (k(3.into()), state(0.into(), "7".into())),
            (k(4.into()), JsValue::NULL),
            (k(5.into()), obj(&[("logStartOffset", 0.into())])),
            // ...unreadable keys...
            (k(0.5.into()), state(0.into(), 0.into())),
            (k((-1).into()), state(0.into(), 0.into())),
            (Some("t".into()), state(0.into(), 0.into())),
            (
                Some(key(&["t".into(), 1.into(), 0.into()])),
                state(0.into(), 0.into()),
            ),
            // ...and a readable one among them.
            (k(6.into()), state(4.into(), 4.into())),
        ],
    )
    .await;
    db.close();

    let mut opened = IdbStore::open(name)
        .await
        .expect("opens despite bad values");
    assert_eq!(opened.skipped.len(), 9, "{:?}", opened.skipped);
    let state = |log_start_offset, cleaner_checkpoint| PartitionState {
        log_start_offset,
        cleaner_checkpoint,
    };
    assert_eq!(
        topic(&dir0(opened.image.clone()), "t").partition_states,
        [(0, state(1, 2)), (6, state(4, 4))]
    );
    opened.store.close();
    IdbStore::delete(name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn an_unwritable_op_aborts_the_whole_flush() {
    let name = "store-abort";
    IdbStore::delete(name).await.expect("clean slate");
    let mut store = open_clean(name).await.store;
    flush(
        &mut store,
        vec![
            put_topic("t", 1),
            create("t", 0, 0),
            append("t", 0, 0, 1),
            append("t", 0, 0, 2),
        ],
    )
    .await;
    // 2^60 does not fit in a JavaScript number: the flush fails, and the ops issued before it
    // in the same flush are rolled back.
    let failed = store.write(log0(vec![
        append("t", 0, 0, 3),
        delete_segment("t", 0, 0),
        delete_topic("t"),
        put_state("t", 0, 1 << 60, 0),
    ]));
    assert!(failed.is_err());
    // The store still knows where segment 0 ends: the next append goes after its chunks, not
    // over them.
    flush(&mut store, vec![append("t", 0, 0, 4)]).await;
    store.close();
    let mut opened = open_clean(name).await;
    let image = dir0(opened.image.clone());
    let t = topic(&image, "t");
    assert_eq!(t.segments.len(), 1);
    assert_eq!(
        t.segments[0].bytes,
        [appended(1), appended(2), appended(4)].concat()
    );
    assert!(t.partition_states.is_empty());
    opened.store.close();
    IdbStore::delete(name).await.expect("deleted");
}

// --- the host: failed writes, quota, one writer, damaged chunks ---------------------------------

async fn open_host(name: &str) -> OneBroker {
    OneBroker::open(name, StorageKind::IndexedDb)
        .await
        .expect("host opens")
}

fn message(partition: i32, value: &str) -> ProduceInput {
    ProduceInput {
        value: Some(value.as_bytes().to_vec()),
        partition: Some(partition),
        ..ProduceInput::default()
    }
}

/// Every record of `topic`: `(partition, offset, value)`.
fn records(host: &OneBroker, topic: &str) -> Vec<(i32, i64, String)> {
    let view = host.topic(topic).expect("topic exists");
    let mut out = Vec::new();
    for p in &view.partitions {
        let fetched = host
            .fetch_all(topic, p.partition, p.log_start_offset)
            .expect("fetch");
        for record in fetched.records {
            let value = String::from_utf8(record.value.unwrap_or_default()).expect("utf-8");
            out.push((p.partition, record.offset, value));
        }
    }
    out
}

/// Runs `command` now (its synchronous part applies before this returns to the event loop)
/// and resolves with its error type, or `Ok` once it is persisted.
fn start<T: 'static>(
    command: impl Future<Output = Result<T, HostError>> + 'static,
) -> impl Future<Output = Result<(), String>> {
    let promise = future_to_promise(async move {
        command
            .await
            .map(|_| JsValue::UNDEFINED)
            .map_err(|e| JsValue::from_str(e.type_name()))
    });
    async move {
        JsFuture::from(promise)
            .await
            .map(drop)
            .map_err(|e| e.as_string().unwrap_or_default())
    }
}

fn truncations(events: &[ClusterEvent]) -> Vec<(String, u32, RecoveryProblem)> {
    events
        .iter()
        .filter_map(|event| match event {
            ClusterEvent::RecoveryTruncated {
                topic,
                partition,
                truncation,
                ..
            } => Some((topic.clone(), *partition, truncation.problem.clone())),
            _ => None,
        })
        .collect()
}

/// A host named `name`, fresh, with topic `t` of two partitions holding `a`, `b` on 0 and
/// `c` on 1.
async fn populated_host(name: &str) -> OneBroker {
    IdbStore::delete(name).await.expect("clean slate");
    let host = open_host(name).await;
    host.create_topic("t", 2, Vec::new()).await.expect("create");
    host.produce("t", vec![message(0, "a"), message(0, "b"), message(1, "c")])
        .await
        .expect("produce");
    host
}

/// The injected fault fails the write carrying a produce, the produce queued behind it (group
/// commit) and a topic creation queued too; all three reject with `expected`, and the engine is
/// exactly at its last persisted state. Then writing continues at the right offsets, and a
/// reopen finds the same.
async fn failed_write_changes_nothing(name: &str, fault: StoreFault, expected: &str) {
    let host = populated_host(name).await;
    let topics_before: Vec<TopicView> = host.topics();
    let records_before = records(&host, "t");
    assert!(host.fail_next_flush(fault));

    let h = host.clone();
    let first = start(async move { h.produce("t", vec![message(0, "x"), message(1, "y")]).await });
    let h = host.clone();
    let second = start(async move { h.produce("t", vec![message(0, "z")]).await });
    let h = host.clone();
    let third = start(async move { h.create_topic("u", 1, Vec::new()).await });
    assert_eq!(first.await, Err(expected.to_owned()), "the failed write");
    assert_eq!(second.await, Err(expected.to_owned()), "queued behind it");
    assert_eq!(third.await, Err(expected.to_owned()), "queued behind it");

    assert_eq!(
        host.topics(),
        topics_before,
        "offsets and segments as before"
    );
    assert_eq!(records(&host, "t"), records_before, "records as before");
    assert!(
        host.topic("u").is_none(),
        "the queued topic creation is undone"
    );

    // The next writes succeed, at the offsets the failed ones would have taken.
    let produced = host
        .produce("t", vec![message(0, "d"), message(1, "e")])
        .await
        .expect("the next produce succeeds");
    assert_eq!(
        produced
            .iter()
            .map(|p| (p.partition, p.offset))
            .collect::<Vec<_>>(),
        [(0, 2), (1, 1)]
    );
    host.create_topic("u", 1, Vec::new())
        .await
        .expect("create after the failure");
    let expected_records = vec![
        (0, 0, "a".to_owned()),
        (0, 1, "b".to_owned()),
        (0, 2, "d".to_owned()),
        (1, 0, "c".to_owned()),
        (1, 1, "e".to_owned()),
    ];
    assert_eq!(records(&host, "t"), expected_records);
    let topics_after = host.topics();
    host.close();

    let reopened = open_host(name).await;
    assert!(
        truncations(&reopened.poll_events()).is_empty(),
        "the store holds exactly the committed writes"
    );
    assert_eq!(reopened.topics(), topics_after);
    assert_eq!(records(&reopened, "t"), expected_records);
    reopened.close();
    IdbStore::delete(name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn an_aborted_write_leaves_the_engine_at_its_last_persisted_state() {
    failed_write_changes_nothing("host-abort", StoreFault::Abort, "KAFKA_STORAGE_ERROR").await;
}

#[wasm_bindgen_test]
async fn quota_exceeded_is_typed_and_leaves_the_engine_at_its_last_persisted_state() {
    failed_write_changes_nothing(
        "host-quota",
        StoreFault::QuotaExceeded,
        "STORAGE_QUOTA_EXCEEDED",
    )
    .await;
}

#[wasm_bindgen_test]
async fn quota_exceeded_on_a_config_change_or_deletion_undoes_it() {
    let name = "host-quota-admin";
    let host = populated_host(name).await;
    let before = host.topics();

    host.fail_next_flush(StoreFault::QuotaExceeded);
    let error = host
        .alter_configs(
            "t",
            vec![("retention.ms".into(), "1000".into())],
            Vec::new(),
        )
        .await
        .expect_err("over quota");
    assert_eq!(error.type_name(), "STORAGE_QUOTA_EXCEEDED");
    assert_eq!(error.code(), None, "Kafka has no code for it");
    assert!(
        error.message().contains("quota") && error.message().contains("retry"),
        "says what happened and what to do: {}",
        error.message()
    );
    assert_eq!(host.topics(), before, "the config override is undone");

    host.fail_next_flush(StoreFault::QuotaExceeded);
    let error = host.delete_topic("t").await.expect_err("over quota");
    assert_eq!(error.type_name(), "STORAGE_QUOTA_EXCEEDED");
    assert_eq!(host.topics(), before, "the topic is back");
    assert_eq!(records(&host, "t").len(), 3);

    host.fail_next_flush(StoreFault::QuotaExceeded);
    let error = host
        .delete_records("t", 0, 2)
        .await
        .expect_err("over quota");
    assert_eq!(error.type_name(), "STORAGE_QUOTA_EXCEEDED");
    assert_eq!(host.topics(), before, "the log start offset is back at 0");
    host.close();
    IdbStore::delete(name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn a_command_arriving_during_the_rollback_is_refused_untouched() {
    let name = "host-during-rollback";
    let host = populated_host(name).await;
    let before = records(&host, "t");
    let db = raw_open(name, 3, |_| {}).await;
    host.fail_next_flush(StoreFault::Abort);
    let h = host.clone();
    let mut failing = Box::pin(async move { h.produce("t", vec![message(0, "x")]).await });
    // Polled once now, the produce applies and issues its (failing) write synchronously.
    let poll = failing
        .as_mut()
        .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
    assert!(poll.is_pending(), "waits for its write");
    let failing = start(failing);
    // A read-write transaction on a second connection runs after the failing one and before the
    // host's read-back (transactions over the same stores run in creation order): when its
    // request succeeds, the write has aborted and the host is restoring its persisted state.
    let tx = db
        .transaction_with_str_and_mode("topics", web_sys::IdbTransactionMode::Readwrite)
        .expect("tx");
    let request = tx
        .object_store("topics")
        .expect("store")
        .count()
        .expect("count");
    request_promise(&request).await.expect("count");
    let refused = host
        .produce("t", vec![message(0, "y")])
        .await
        .expect_err("refused during the rollback");
    assert_eq!(refused.type_name(), "KAFKA_STORAGE_ERROR");
    assert!(refused.message().contains("restoring"), "{refused}");
    assert_eq!(failing.await, Err("KAFKA_STORAGE_ERROR".to_owned()));
    db.close();
    assert_eq!(records(&host, "t"), before, "neither produce left a trace");
    host.produce("t", vec![message(0, "z")])
        .await
        .expect("writes again after the rollback");
    assert_eq!(records(&host, "t").len(), before.len() + 1);
    host.close();
    IdbStore::delete(name).await.expect("deleted");
}

/// A store the single-broker engine of earlier versions wrote (log dir 0 only, no controller
/// snapshot) opens as a one-broker cluster, through `RillBroker` as its users open it: the same
/// topics, configs, offsets and records; writing goes on after them, and the migrated store
/// reopens with everything.
#[wasm_bindgen_test]
async fn a_store_of_the_single_broker_engine_opens_as_a_one_broker_cluster() {
    use rill_core::config::TopicConfig;
    use rill_core::log::PartitionLog;
    use rill_core::record::NewRecord;
    use rill_core::storage::op_for_change;
    let name = "host-single-broker-store";
    IdbStore::delete(name).await.expect("clean slate");
    let overrides = vec![("retention.ms".to_owned(), "86400000".to_owned())];
    let config =
        TopicConfig::with_overrides(overrides.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .expect("valid");
    // Written a moment ago (records from long ago would roll the next append's segment).
    let now = js_sys::Date::now() as i64;
    let mut ops = vec![StorageOp::PutTopic(TopicRecord {
        name: "legacy".into(),
        partitions: 2,
        configs: overrides.clone(),
    })];
    for partition in 0..2u32 {
        ops.push(create("legacy", partition, 0));
        let mut log = PartitionLog::new(&config, 7);
        for value in ["a", "b", "c"] {
            let record = NewRecord {
                key: Some(format!("k{partition}").into_bytes()),
                value: Some(format!("{value}{partition}").into_bytes()),
                headers: Vec::new(),
                timestamp: Some(now),
            };
            let batch = log.prepare(now, &config, &[record]).expect("valid");
            let mut changes = Vec::new();
            log.commit(batch, &config, &mut changes);
            ops.extend(
                changes
                    .into_iter()
                    .map(|change| op_for_change("legacy", partition, change)),
            );
        }
    }
    let mut store = open_clean(name).await.store;
    flush(&mut store, ops).await;
    store.close();
    assert!(
        open_clean(name).await.image.files.is_empty(),
        "no controller snapshot: the old format"
    );

    let rill = RillBroker::open(rill_options(name)).await.expect("opens");
    let topics = rill.list_topics();
    assert_eq!(topics.length(), 1);
    let topic = topics.get(0);
    let field = |value: &JsValue, path: &str| {
        path.split('.').fold(value.clone(), |v, k| {
            Reflect::get(&v, &k.into()).expect("field")
        })
    };
    assert_eq!(field(&topic, "name").as_string().as_deref(), Some("legacy"));
    for p in 0..2 {
        assert_eq!(
            field(&topic, &format!("partitions.{p}.logEndOffset")).as_f64(),
            Some(3.0)
        );
        assert_eq!(
            field(&topic, &format!("partitions.{p}.highWatermark")).as_f64(),
            Some(3.0),
            "what the single broker stored was committed"
        );
    }
    assert_eq!(
        js_sys::JSON::stringify(&field(&topic, "configs"))
            .expect("json")
            .as_string()
            .as_deref(),
        Some(r#"{"retention.ms":"86400000"}"#)
    );
    let values = |rill: &RillBroker, partition: u32| -> Vec<String> {
        let request = obj(&[("topic", "legacy".into()), ("partition", partition.into())]);
        let fetched = rill.fetch(request).expect("fetch");
        field(&fetched, "records")
            .unchecked_into::<Array>()
            .iter()
            .map(|r| field(&r, "value").as_string().expect("value"))
            .collect()
    };
    assert_eq!(values(&rill, 1), ["a1", "b1", "c1"]);
    let request = obj(&[
        ("topic", "legacy".into()),
        (
            "messages",
            Array::of1(&obj(&[("value", "d1".into()), ("partition", 1.into())])).into(),
        ),
    ]);
    let produced = JsFuture::from(rill.produce(request))
        .await
        .expect("produce");
    assert_eq!(field(&produced, "0.offset").as_f64(), Some(3.0));
    rill.close();

    let mut migrated = open_clean(name).await;
    assert!(
        migrated
            .image
            .files
            .contains_key(rill_core::cluster::persist::METADATA_SNAPSHOT_PATH),
        "the store now holds the one-broker cluster's snapshot"
    );
    migrated.store.close();
    let reopened = RillBroker::open(rill_options(name)).await.expect("reopens");
    assert_eq!(values(&reopened, 0), ["a0", "b0", "c0"]);
    assert_eq!(values(&reopened, 1), ["a1", "b1", "c1", "d1"]);
    reopened.close();
    IdbStore::delete(name).await.expect("deleted");
}

fn rill_options(name: &str) -> JsValue {
    obj(&[("name", name.into()), ("storage", "indexeddb".into())])
}

async fn open_error_type(name: &str) -> String {
    let error = RillBroker::open(rill_options(name))
        .await
        .expect_err("a second writer is refused");
    Reflect::get(&error, &"type".into())
        .expect("type")
        .as_string()
        .expect("a string type")
}

/// Two opens of one name in one page: the second is refused with `STORE_LOCKED`, at the store,
/// the host and the JS API; once the first closes, a new open succeeds.
async fn one_writer_per_name(name: &str) {
    IdbStore::delete(name).await.expect("clean slate");
    let first = RillBroker::open(rill_options(name))
        .await
        .expect("first open");
    assert_eq!(open_error_type(name).await, "STORE_LOCKED");
    let host_error = OneBroker::open(name, StorageKind::IndexedDb)
        .await
        .expect_err("refused");
    assert_eq!(host_error.type_name(), "STORE_LOCKED");
    assert!(host_error.message().contains("another tab"), "{host_error}");
    assert_eq!(
        IdbStore::open(name).await.expect_err("refused").type_name(),
        "STORE_LOCKED"
    );
    // The first instance still writes.
    JsFuture::from(first.create_topic(obj(&[("topic", "t".into())])))
        .await
        .expect("the writer still writes");

    first.close();
    let second = RillBroker::open(rill_options(name))
        .await
        .expect("open after the first closed");
    assert_eq!(second.list_topics().length(), 1);
    assert_eq!(open_error_type(name).await, "STORE_LOCKED");
    second.close();
    // Dropping a store without closing it releases its lock too.
    drop(IdbStore::open(name).await.expect("opens"));
    let mut store = IdbStore::open(name)
        .await
        .expect("opens after a drop")
        .store;
    store.close();
    IdbStore::delete(name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn a_second_instance_on_the_same_name_is_not_a_second_writer() {
    one_writer_per_name("host-locked").await;
}

#[wasm_bindgen_test]
async fn without_web_locks_a_broadcast_channel_handshake_keeps_one_writer() {
    // Shadow `Navigator.prototype.locks` with `undefined`, as a browser without Web Locks has.
    with_navigator_property("locks", JsValue::UNDEFINED, async {
        let locks = Reflect::get(&js_sys::global(), &"navigator".into())
            .and_then(|n| Reflect::get(&n, &"locks".into()))
            .expect("get");
        assert!(locks.is_undefined());
        one_writer_per_name("host-locked-channel").await;
    })
    .await;
    let locks = Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"locks".into()))
        .expect("get");
    assert!(locks.is_object(), "navigator.locks is back");
}

/// Shadows `navigator.<property>` with `value` for the duration of `body`.
async fn with_navigator_property<F: Future<Output = ()>>(property: &str, value: JsValue, body: F) {
    let navigator: Object = Reflect::get(&js_sys::global(), &"navigator".into())
        .expect("navigator")
        .unchecked_into();
    let descriptor = obj(&[("value", value), ("configurable", true.into())]);
    Object::define_property(&navigator, &property.into(), &descriptor.unchecked_into());
    body.await;
    Reflect::delete_property(&navigator, &property.into()).expect("restore navigator");
}

#[wasm_bindgen_test]
async fn open_asks_for_persistent_storage_and_survives_a_refusal() {
    let name = "host-persist";
    IdbStore::delete(name).await.expect("clean slate");
    let calls = || {
        Reflect::get(&js_sys::global(), &"__rillPersistCalls".into())
            .expect("global")
            .as_f64()
            .unwrap_or(0.0)
    };
    // `persist()` rejecting, then throwing: the open succeeds either way.
    for body in [
        "globalThis.__rillPersistCalls = (globalThis.__rillPersistCalls || 0) + 1; \
         return Promise.reject(new Error('denied'));",
        "globalThis.__rillPersistCalls = (globalThis.__rillPersistCalls || 0) + 1; \
         throw new Error('no storage manager here');",
    ] {
        let before = calls();
        let storage = obj(&[("persist", js_sys::Function::new_no_args(body).into())]);
        with_navigator_property("storage", storage, async {
            let host = open_host(name).await;
            host.create_topic("t", 1, Vec::new()).await.expect("writes");
            host.delete_topic("t").await.expect("writes");
            host.close();
        })
        .await;
        assert_eq!(calls(), before + 1.0, "persist() was asked once per open");
    }
    // And with no storage manager at all.
    with_navigator_property("storage", JsValue::UNDEFINED, async {
        open_host(name).await.close();
    })
    .await;
    IdbStore::delete(name).await.expect("deleted");
}

async fn raw_get(db: &IdbDatabase, store: &str, key: &JsValue) -> JsValue {
    let tx = db.transaction_with_str(store).expect("tx");
    let request = tx
        .object_store(store)
        .expect("store")
        .get(key)
        .expect("get");
    request_promise(&request).await.expect("get")
}

/// A chunk's key in log dir 0.
fn chunk_key(topic: &str, partition: u32, base: f64, seq: u32) -> JsValue {
    key(&[
        0.into(),
        topic.into(),
        partition.into(),
        base.into(),
        seq.into(),
    ])
}

#[wasm_bindgen_test]
async fn torn_and_corrupt_chunks_are_cut_at_the_last_valid_batch_and_repaired() {
    let name = "host-torn";
    IdbStore::delete(name).await.expect("clean slate");
    let host = open_host(name).await;
    host.create_topic("t", 2, Vec::new()).await.expect("create");
    // One produce is one batch, one chunk: chunk 0 is the segment's creation (empty), then
    // chunks 1, 2, 3 hold offsets 0, 1, 2.
    for value in ["a", "b", "c"] {
        host.produce("t", vec![message(0, value), message(1, value)])
            .await
            .expect("produce");
    }
    host.close();

    let db = raw_open(name, 3, |_| {}).await;
    // Partition 0: the last batch torn in the middle of its write.
    let last: Uint8Array = raw_get(&db, "chunks", &chunk_key("t", 0, 0.0, 3))
        .await
        .unchecked_into();
    let torn = last.to_vec()[..last.length() as usize / 2].to_vec();
    // Partition 1: one byte of the middle batch's record flipped (its CRC no longer matches).
    let middle: Uint8Array = raw_get(&db, "chunks", &chunk_key("t", 1, 0.0, 2))
        .await
        .unchecked_into();
    let mut corrupt = middle.to_vec();
    let at = corrupt.len() - 2;
    corrupt[at] ^= 0xff;
    raw_put(
        &db,
        "chunks",
        vec![
            (
                Some(chunk_key("t", 0, 0.0, 3)),
                Uint8Array::from(torn.as_slice()).into(),
            ),
            (
                Some(chunk_key("t", 1, 0.0, 2)),
                Uint8Array::from(corrupt.as_slice()).into(),
            ),
        ],
    )
    .await;
    db.close();

    let host = open_host(name).await;
    let cut = truncations(&host.poll_events());
    assert_eq!(
        cut.iter()
            .map(|(t, p, _)| (t.as_str(), *p))
            .collect::<Vec<_>>(),
        [("t", 0), ("t", 1)],
        "both cuts reported: {cut:?}"
    );
    assert!(
        cut.iter()
            .all(|(_, _, problem)| matches!(problem, RecoveryProblem::Corrupt(_))),
        "{cut:?}"
    );
    let kept = vec![
        (0, 0, "a".to_owned()),
        (0, 1, "b".to_owned()),
        (1, 0, "a".to_owned()),
    ];
    assert_eq!(records(&host, "t"), kept, "the longest valid prefix");
    // Writing continues at the offsets after what was kept.
    let produced = host
        .produce("t", vec![message(0, "d"), message(1, "e")])
        .await
        .expect("produce after recovery");
    assert_eq!(
        produced
            .iter()
            .map(|p| (p.partition, p.offset))
            .collect::<Vec<_>>(),
        [(0, 2), (1, 1)]
    );
    let expected = vec![
        (0, 0, "a".to_owned()),
        (0, 1, "b".to_owned()),
        (0, 2, "d".to_owned()),
        (1, 0, "a".to_owned()),
        (1, 1, "e".to_owned()),
    ];
    assert_eq!(records(&host, "t"), expected);
    host.close();

    // The cut was written back: the next open finds nothing damaged and keeps the new records.
    let reopened = open_host(name).await;
    assert_eq!(truncations(&reopened.poll_events()), []);
    assert_eq!(records(&reopened, "t"), expected);
    reopened.close();
    IdbStore::delete(name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn a_chunk_that_is_not_bytes_ends_its_segment_there() {
    let name = "host-bad-chunk";
    IdbStore::delete(name).await.expect("clean slate");
    let host = open_host(name).await;
    host.create_topic("t", 1, Vec::new()).await.expect("create");
    for value in ["a", "b", "c"] {
        host.produce("t", vec![message(0, value)])
            .await
            .expect("produce");
    }
    host.close();
    let db = raw_open(name, 3, |_| {}).await;
    raw_put(
        &db,
        "chunks",
        vec![(Some(chunk_key("t", 0, 0.0, 2)), "not bytes".into())],
    )
    .await;
    db.close();

    let host = open_host(name).await;
    assert_eq!(
        host.skipped_on_open().len(),
        2,
        "{:?}",
        host.skipped_on_open()
    );
    assert_eq!(
        records(&host, "t"),
        [(0, 0, "a".to_owned())],
        "no gap: what follows the unreadable chunk is dropped with it"
    );
    host.produce("t", vec![message(0, "d")])
        .await
        .expect("produce");
    host.close();
    let reopened = open_host(name).await;
    assert!(reopened.skipped_on_open().is_empty(), "repaired on open");
    assert_eq!(
        records(&reopened, "t"),
        [(0, 0, "a".to_owned()), (0, 1, "d".to_owned())]
    );
    reopened.close();
    IdbStore::delete(name).await.expect("deleted");
}

// --- chunk consolidation ---------------------------------------------------------------------

fn append_bytes(topic: &str, base_offset: i64, tag: u8, len: usize) -> StorageOp {
    StorageOp::AppendToSegment {
        topic: topic.into(),
        partition: 0,
        base_offset,
        bytes: bytes(tag, len),
    }
}

/// The `(baseOffset, seq)` of every chunk stored in `rill:<name>`, in key order.
async fn chunk_keys(name: &str) -> Vec<(i64, u32)> {
    let db = raw_open(name, 3, |_| {}).await;
    let keys = raw_get_all(&db, "chunks", true).await;
    db.close();
    keys.iter()
        .map(|key| {
            let key: Array = key.unchecked_into();
            (
                key.get(3).as_f64().expect("base") as i64,
                key.get(4).as_f64().expect("seq") as u32,
            )
        })
        .collect()
}

/// Applies `ops` to `memory` and flushes them to `store`.
async fn flush_both(store: &mut IdbStore, memory: &mut MemoryStore, ops: Vec<StorageOp>) {
    for op in ops.clone() {
        memory.apply(op);
    }
    flush(store, ops).await;
}

async fn reopen_and_compare(name: &str, store: &mut IdbStore, memory: &MemoryStore) -> IdbStore {
    store.close();
    let reopened = open_clean(name).await;
    assert_eq!(
        normalized(dir0(reopened.image)),
        normalized(memory.image()),
        "IndexedDB recovers what MemoryStore holds"
    );
    reopened.store
}

#[wasm_bindgen_test]
async fn small_chunks_are_consolidated_and_read_back_identical() {
    let name = "consolidate";
    IdbStore::delete(name).await.expect("clean slate");
    let mut memory = MemoryStore::new();
    let mut store = open_clean(name).await.store;
    flush_both(
        &mut store,
        &mut memory,
        vec![put_topic("t", 1), create("t", 0, 0)],
    )
    .await;
    // 40,000-byte appends: the 14th brings the run (with the empty chunk 0) past 512 KiB.
    for tag in 0..13 {
        flush_both(
            &mut store,
            &mut memory,
            vec![append_bytes("t", 0, tag, 40_000)],
        )
        .await;
    }
    assert_eq!(
        chunk_keys(name).await.len(),
        14,
        "no run is due below 512 KiB"
    );
    flush_both(
        &mut store,
        &mut memory,
        vec![append_bytes("t", 0, 13, 40_000)],
    )
    .await;
    assert_eq!(chunk_keys(name).await, vec![(0, 0)], "the run is one chunk");
    let db = raw_open(name, 3, |_| {}).await;
    let merged = raw_get(&db, "chunks", &chunk_key("t", 0, 0.0, 0)).await;
    db.close();
    assert_eq!(merged.unchecked_into::<Uint8Array>().length(), 14 * 40_000);
    // New appends go after the merged chunk; the next open recovers the same bytes.
    for tag in 14..16 {
        flush_both(
            &mut store,
            &mut memory,
            vec![append_bytes("t", 0, tag, 1_000)],
        )
        .await;
    }
    assert_eq!(chunk_keys(name).await, vec![(0, 0), (0, 15), (0, 16)]);
    let mut store = reopen_and_compare(name, &mut store, &memory).await;
    // Rolling to a new segment consolidates the old one's short run, also one recovered on open.
    flush_both(
        &mut store,
        &mut memory,
        vec![create("t", 0, 100), append_bytes("t", 100, 16, 1_000)],
    )
    .await;
    assert_eq!(
        chunk_keys(name).await,
        vec![(0, 0), (0, 15), (100, 0), (100, 1)]
    );
    let mut store = reopen_and_compare(name, &mut store, &memory).await;
    // A segment replaced or deleted after consolidation holds exactly what the engine says.
    flush_both(
        &mut store,
        &mut memory,
        vec![
            replace("t", 0, &[0], vec![(0, bytes(40, 300))]),
            delete_segment("t", 0, 100),
        ],
    )
    .await;
    assert_eq!(chunk_keys(name).await, vec![(0, 0)]);
    let mut store = reopen_and_compare(name, &mut store, &memory).await;
    store.close();
    IdbStore::delete(name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn an_aborted_consolidation_leaves_the_old_chunks_readable() {
    let name = "consolidate-abort";
    IdbStore::delete(name).await.expect("clean slate");
    let mut memory = MemoryStore::new();
    let mut store = open_clean(name).await.store;
    flush_both(
        &mut store,
        &mut memory,
        vec![put_topic("t", 1), create("t", 0, 0)],
    )
    .await;
    for tag in 0..13 {
        flush_both(
            &mut store,
            &mut memory,
            vec![append_bytes("t", 0, tag, 40_000)],
        )
        .await;
    }
    let mut pieces = chunk_keys(name).await;
    assert_eq!(pieces.len(), 14);
    // The write that makes the run due commits; its consolidation aborts after it issued its
    // put of the merged chunk and its delete of the pieces.
    store.fail_next_consolidation();
    flush_both(
        &mut store,
        &mut memory,
        vec![append_bytes("t", 0, 13, 40_000)],
    )
    .await;
    pieces.push((0, 14));
    assert_eq!(chunk_keys(name).await, pieces, "every piece is still there");
    let mut store = reopen_and_compare(name, &mut store, &memory).await;
    // Reopened, the store knows the run again: the next write consolidates it.
    flush_both(
        &mut store,
        &mut memory,
        vec![append_bytes("t", 0, 14, 1_000)],
    )
    .await;
    assert_eq!(
        chunk_keys(name).await,
        vec![(0, 0)],
        "the next write consolidates"
    );
    let mut store = reopen_and_compare(name, &mut store, &memory).await;
    // A write that fails does not consolidate what it would have made due either.
    for tag in 15..28 {
        flush_both(
            &mut store,
            &mut memory,
            vec![append_bytes("t", 0, tag, 40_000)],
        )
        .await;
    }
    let pieces = chunk_keys(name).await;
    assert_eq!(pieces.len(), 14);
    store.fail_next_write(StoreFault::Abort);
    let failed = store
        .write(log0(vec![append_bytes("t", 0, 28, 40_000)]))
        .expect("requests issued")
        .await;
    assert!(failed.is_err(), "the injected abort fails the write");
    assert_eq!(chunk_keys(name).await, pieces, "the run is as it was");
    let state = store.read_back().await.expect("read back");
    store.resume_from(&state);
    assert_eq!(normalized(dir0(state.image)), normalized(memory.image()));
    let mut store = reopen_and_compare(name, &mut store, &memory).await;
    store.close();
    IdbStore::delete(name).await.expect("deleted");
}

/// Chromium sometimes deletes a whole database after a kill ("IndexedDB recovering from a
/// corrupted (and deleted) database"). Simulated by deleting it behind rill's back: the next
/// open fails with `STORE_DISCARDED` (every time, until the caller chooses), never opens empty
/// in silence; `OnDiscarded::StartFresh` opens empty and forgets; a deliberate delete forgets.
#[wasm_bindgen_test]
async fn a_database_the_browser_discarded_is_reported_never_opened_empty() {
    use rill_wasm::store::OnDiscarded;
    let name = "store-discarded";
    IdbStore::delete(name).await.expect("clean slate");
    let mut opened = open_clean(name).await;
    flush(
        &mut opened.store,
        vec![put_topic("t", 1), create("t", 0, 0)],
    )
    .await;
    opened.store.close();
    drop(opened);

    // The browser discards the database.
    let request = raw_idb::factory()
        .delete_database(&format!("rill:{name}"))
        .expect("delete requested");
    request_promise(&request)
        .await
        .expect("deleted behind rill's back");

    for attempt in 0..2 {
        let error = IdbStore::open(name)
            .await
            .err()
            .unwrap_or_else(|| panic!("attempt {attempt}: a discarded store must not open empty"));
        assert_eq!(error.type_name(), "STORE_DISCARDED", "{error}");
        assert!(error.message().contains("startFresh"), "{error}");
        assert!(error.message().contains("last saved"), "{error}");
    }

    let fresh = IdbStore::open_with(name, OnDiscarded::StartFresh)
        .await
        .expect("starts fresh");
    assert!(fresh.image.logs.is_empty(), "a fresh store is empty");
    let mut store = fresh.store;
    store.close();
    drop(store);
    let reopened = open_clean(name).await;
    assert!(reopened.image.logs.is_empty());
    drop(reopened);

    // A store deleted on purpose is not "discarded".
    let mut opened = open_clean(name).await;
    flush(&mut opened.store, vec![put_topic("t", 1)]).await;
    opened.store.close();
    drop(opened);
    IdbStore::delete(name).await.expect("deleted on purpose");
    let reopened = IdbStore::open(name)
        .await
        .expect("a deleted store opens empty");
    assert!(reopened.image.logs.is_empty());
    drop(reopened);
    IdbStore::delete(name).await.expect("deleted");
}
