//! The IndexedDB store as a cluster's (schema 3): one log dir per broker plus small files, the
//! migration of a version 2 database into log dir 0, damage reported per log dir, and the
//! `DurableWriter`'s rollback after a failed write, in headless Chrome.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Array, Promise, Reflect, Uint8Array};
use rill_core::cluster::persist::{ClusterImage, ClusterStorageOp};
use rill_core::config::TopicConfig;
use rill_core::log::PartitionLog;
use rill_core::record::NewRecord;
use rill_core::storage::{PartitionState, RecoveryImage, StorageOp, TopicRecord, op_for_change};
use rill_wasm::durable::DurableWriter;
use rill_wasm::store::{IdbStore, MemoryClusterStore, Store, StoreFault};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{IdbDatabase, IdbObjectStoreParameters};

wasm_bindgen_test_configure!(run_in_browser);

// --- ops ---------------------------------------------------------------------------------------

fn log(broker: u32, op: StorageOp) -> ClusterStorageOp {
    ClusterStorageOp::Log { broker, op }
}

fn file(path: &str, bytes: &[u8]) -> ClusterStorageOp {
    ClusterStorageOp::PutFile {
        path: path.into(),
        bytes: bytes.to_vec(),
    }
}

fn bytes(tag: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| tag.wrapping_add(i as u8)).collect()
}

/// Topic `t` (2 partitions) in log dir `dir`: segments 0 and 10 of partition 0, segment 0 of
/// partition 1, a partition state; appends tagged with `tag` so that dirs differ.
fn populated(dir: u32, tag: u8) -> Vec<ClusterStorageOp> {
    let segment = |partition, base_offset| StorageOp::CreateSegment {
        topic: "t".into(),
        partition,
        base_offset,
    };
    let append = |partition, base_offset, tag: u8| StorageOp::AppendToSegment {
        topic: "t".into(),
        partition,
        base_offset,
        bytes: bytes(tag, 9 + usize::from(tag % 7)),
    };
    [
        StorageOp::PutTopic(TopicRecord {
            name: "t".into(),
            partitions: 2,
            configs: vec![("retention.ms".into(), format!("{}", 1000 + u32::from(tag)))],
        }),
        segment(0, 0),
        append(0, 0, tag),
        append(0, 0, tag + 1),
        segment(0, 10),
        append(0, 10, tag + 2),
        segment(1, 0),
        append(1, 0, tag + 3),
        StorageOp::PutPartitionState {
            topic: "t".into(),
            partition: 1,
            state: PartitionState {
                log_start_offset: u64::from(tag) as i64,
                cleaner_checkpoint: 0,
            },
        },
    ]
    .into_iter()
    .map(|op| log(dir, op))
    .collect()
}

/// Sorts everything whose order a store may choose.
fn normalized(mut image: ClusterImage) -> ClusterImage {
    for log in image.logs.values_mut() {
        log.topics.sort_by(|a, b| a.record.name.cmp(&b.record.name));
        for topic in &mut log.topics {
            topic.segments.sort_by_key(|s| (s.partition, s.base_offset));
            topic.partition_states.sort_by_key(|(p, _)| *p);
        }
    }
    image
}

async fn write(store: &mut IdbStore, ops: Vec<ClusterStorageOp>) {
    store
        .write(ops)
        .expect("requests issued")
        .await
        .expect("committed");
}

async fn open_clean(name: &str) -> rill_wasm::store::Opened {
    let opened = IdbStore::open(name).await.expect("opens");
    assert!(opened.skipped.is_empty(), "skipped {:?}", opened.skipped);
    assert!(
        opened.image.damaged.is_empty(),
        "damaged {:?}",
        opened.image.damaged
    );
    opened
}

// --- raw IndexedDB -----------------------------------------------------------------------------

mod raw_idb;
use raw_idb::{key, obj, raw_get_all, raw_open, raw_put};

/// The version-2 schema exactly as the version-2 code created it.
fn schema_v2(db: &IdbDatabase) {
    let params = IdbObjectStoreParameters::new();
    params.set_key_path(&"name".into());
    db.create_object_store_with_optional_parameters("topics", &params)
        .expect("topics");
    db.create_object_store("chunks").expect("chunks");
    db.create_object_store("partitions").expect("partitions");
}

// --- tests -------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn three_log_dirs_and_files_round_trip() {
    let name = "dirs-round-trip";
    IdbStore::delete(name).await.expect("clean slate");
    let mut memory = MemoryClusterStore::new();
    let mut store = open_clean(name).await.store;
    let mut flushes: Vec<Vec<ClusterStorageOp>> = vec![
        [populated(0, 1), populated(1, 40), populated(2, 80)].concat(),
        vec![
            file("controller/metadata.snapshot", &[1, 2, 3, 0, 255]),
            file("broker-1/replication-offset-checkpoint", b"0\n1\nt 0 3\n"),
        ],
        // The same topic name in three dirs: deleting it in dir 1 or a segment in dir 2 leaves
        // the other dirs alone; a file put twice keeps the last bytes; an empty file stays.
        vec![
            log(1, StorageOp::DeleteTopic { topic: "t".into() }),
            log(
                2,
                StorageOp::DeleteSegment {
                    topic: "t".into(),
                    partition: 0,
                    base_offset: 10,
                },
            ),
            file("broker-1/replication-offset-checkpoint", b"0\n1\nt 0 5\n"),
            file("broker-2/replication-offset-checkpoint", b""),
        ],
        populated(1, 120),
    ];
    // Many 40 KB appends in dirs 1 and 2: consolidated per dir, each dir's bytes intact.
    for i in 0..20u8 {
        flushes.push(vec![
            log(
                1,
                StorageOp::AppendToSegment {
                    topic: "t".into(),
                    partition: 0,
                    base_offset: 10,
                    bytes: bytes(i, 40_000),
                },
            ),
            log(
                2,
                StorageOp::AppendToSegment {
                    topic: "t".into(),
                    partition: 0,
                    base_offset: 0,
                    bytes: bytes(i + 100, 40_000),
                },
            ),
        ]);
    }
    for ops in flushes {
        for op in ops.clone() {
            memory.apply(op);
        }
        write(&mut store, ops).await;
    }
    store.close();
    let mut reopened = open_clean(name).await;
    let expected = normalized(memory.image());
    assert_eq!(expected.logs.len(), 3);
    assert_eq!(expected.files.len(), 3);
    assert_eq!(normalized(reopened.image.clone()), expected);
    // And once more after writing through the sequence numbers recovered on open.
    let more = vec![log(
        2,
        StorageOp::AppendToSegment {
            topic: "t".into(),
            partition: 1,
            base_offset: 0,
            bytes: bytes(7, 5),
        },
    )];
    for op in more.clone() {
        memory.apply(op);
    }
    write(&mut reopened.store, more).await;
    let read = reopened.store.read_back().await.expect("read back");
    assert_eq!(normalized(read.image), normalized(memory.image()));
    reopened.store.close();
    let db = raw_open(name, 3, |_| {}).await;
    let chunk_keys = raw_get_all(&db, "chunks", true).await;
    let dirs: Vec<f64> = chunk_keys
        .iter()
        .map(|k| k.unchecked_into::<Array>().get(0).as_f64().expect("dir"))
        .collect();
    assert!(dirs.windows(2).all(|w| w[0] <= w[1]) && dirs.contains(&1.0) && dirs.contains(&2.0));
    assert!(
        chunk_keys.length() < 30,
        "40 small appends per dir consolidated: {} chunks",
        chunk_keys.length()
    );
    db.close();
    IdbStore::delete(name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn a_version_2_database_moves_into_log_dir_0() {
    let name = "dirs-v2-migration";
    IdbStore::delete(name).await.expect("clean slate");
    let db = raw_open(name, 2, schema_v2).await;
    raw_put(
        &db,
        "topics",
        vec![
            (
                None,
                obj(&[
                    ("name", "old".into()),
                    ("partitions", 2.into()),
                    (
                        "configs",
                        Array::of1(&Array::of2(&"cleanup.policy".into(), &"compact".into())).into(),
                    ),
                ]),
            ),
            (
                None,
                obj(&[
                    ("name", "empty".into()),
                    ("partitions", 1.into()),
                    ("configs", Array::new().into()),
                ]),
            ),
        ],
    )
    .await;
    let chunk = |topic: &str, partition: u32, base: f64, seq: u32, tag: u8, len: usize| {
        (
            Some(key(&[
                topic.into(),
                partition.into(),
                base.into(),
                seq.into(),
            ])),
            JsValue::from(Uint8Array::from(bytes(tag, len).as_slice())),
        )
    };
    raw_put(
        &db,
        "chunks",
        vec![
            chunk("old", 0, 0.0, 0, 0, 0),
            chunk("old", 0, 0.0, 1, 1, 10),
            chunk("old", 0, 0.0, 2, 2, 11),
            chunk("old", 0, 7.0, 0, 3, 12),
            chunk("old", 1, 0.0, 0, 4, 13),
        ],
    )
    .await;
    raw_put(
        &db,
        "partitions",
        vec![(
            Some(key(&["old".into(), 1.into()])),
            obj(&[
                ("logStartOffset", 2.into()),
                ("cleanerCheckpoint", 3.into()),
            ]),
        )],
    )
    .await;
    db.close();

    let mut opened = open_clean(name).await;
    let image = normalized(opened.image.clone());
    assert_eq!(image.logs.keys().copied().collect::<Vec<_>>(), [0]);
    assert!(image.files.is_empty());
    let dir_0 = &image.logs[&0];
    let names: Vec<&str> = dir_0
        .topics
        .iter()
        .map(|t| t.record.name.as_str())
        .collect();
    assert_eq!(names, ["empty", "old"]);
    let old = &dir_0.topics[1];
    assert_eq!(old.record.partitions, 2);
    assert_eq!(
        old.record.configs,
        [("cleanup.policy".to_owned(), "compact".to_owned())]
    );
    let segments: Vec<(u32, i64, Vec<u8>)> = old
        .segments
        .iter()
        .map(|s| (s.partition, s.base_offset, s.bytes.clone()))
        .collect();
    assert_eq!(
        segments,
        [
            (0, 0, [bytes(1, 10), bytes(2, 11)].concat()),
            (0, 7, bytes(3, 12)),
            (1, 0, bytes(4, 13)),
        ]
    );
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
    // Appends after the migration continue the migrated segments.
    write(
        &mut opened.store,
        vec![
            log(
                0,
                StorageOp::AppendToSegment {
                    topic: "old".into(),
                    partition: 0,
                    base_offset: 7,
                    bytes: bytes(9, 4),
                },
            ),
            file("controller/metadata.snapshot", &[9]),
        ],
    )
    .await;
    opened.store.close();
    let db = raw_open(name, 3, |_| {}).await;
    assert_eq!(db.version(), 3.0);
    let names = Reflect::get(&db, &"objectStoreNames".into()).expect("names");
    let stores: Vec<String> = Array::from(&names)
        .iter()
        .filter_map(|n| n.as_string())
        .collect();
    assert_eq!(stores, ["chunks", "files", "partitions", "topics"]);
    let first = |keys: Array| -> Vec<f64> {
        keys.iter()
            .map(|k| k.unchecked_into::<Array>().get(0).as_f64().expect("dir"))
            .collect()
    };
    assert_eq!(first(raw_get_all(&db, "topics", true).await), [0.0, 0.0]);
    // Six chunks, fewer once the write's consolidation merged segment 0's run.
    let chunk_dirs = first(raw_get_all(&db, "chunks", true).await);
    assert!(
        (4..=6).contains(&chunk_dirs.len()) && chunk_dirs.iter().all(|d| *d == 0.0),
        "{chunk_dirs:?}"
    );
    assert_eq!(first(raw_get_all(&db, "partitions", true).await), [0.0]);
    db.close();
    let mut reopened = open_clean(name).await;
    let old = &reopened.image.logs[&0].topics;
    let seven = old
        .iter()
        .flat_map(|t| &t.segments)
        .find(|s| s.base_offset == 7)
        .expect("segment 7");
    assert_eq!(seven.bytes, [bytes(3, 12), bytes(9, 4)].concat());
    assert_eq!(
        reopened.image.files,
        BTreeMap::from([("controller/metadata.snapshot".to_owned(), vec![9])])
    );
    reopened.store.close();
    IdbStore::delete(name).await.expect("deleted");
}

/// The ops a broker's log dir gets when topic `t` (2 partitions) is created and `a`, `b`, `c`
/// are produced to each partition, one batch (one chunk) per produce: the topic's record,
/// each partition's segment 0, then each append as its log stores it.
fn produced_ops() -> Vec<StorageOp> {
    let config = TopicConfig::default();
    let mut ops = vec![StorageOp::PutTopic(TopicRecord {
        name: "t".to_owned(),
        partitions: 2,
        configs: Vec::new(),
    })];
    ops.extend((0..2).map(|partition| StorageOp::CreateSegment {
        topic: "t".to_owned(),
        partition,
        base_offset: 0,
    }));
    let mut logs = [PartitionLog::new(&config, 0), PartitionLog::new(&config, 1)];
    for value in ["a", "b", "c"] {
        for (partition, log) in (0u32..).zip(logs.iter_mut()) {
            let record = NewRecord {
                key: None,
                value: Some(value.as_bytes().to_vec()),
                headers: Vec::new(),
                timestamp: Some(1),
            };
            let mut changes = Vec::new();
            log.append(1, &config, &[record], &mut changes)
                .expect("produce");
            ops.extend(
                changes
                    .into_iter()
                    .map(|change| op_for_change("t", partition, change)),
            );
        }
    }
    ops
}

/// Topic `t`'s partitions rebuilt from one log dir, as a broker recovers its dir: each
/// partition's log end offset, and the partitions whose stored tail was cut.
fn recover_dir(dir: RecoveryImage) -> (Vec<i64>, Vec<(String, u32)>) {
    let config = TopicConfig::default();
    let topic = dir
        .topics
        .iter()
        .find(|t| t.record.name == "t")
        .expect("t stored");
    let mut ends = Vec::new();
    let mut truncated = Vec::new();
    for partition in 0..topic.record.partitions {
        let segments = topic
            .segments
            .iter()
            .filter(|s| s.partition == partition)
            .map(|s| (s.base_offset, s.bytes.clone()))
            .collect();
        let state = topic
            .partition_states
            .iter()
            .find(|(p, _)| *p == partition)
            .map(|(_, state)| *state);
        let (log, truncations) = PartitionLog::recover(segments, state, &config, 0);
        truncated.extend(truncations.iter().map(|_| ("t".to_owned(), partition)));
        ends.push(log.log_end_offset());
    }
    (ends, truncated)
}

#[wasm_bindgen_test]
async fn a_torn_chunk_in_dir_1_is_cut_and_reported_there_only() {
    let name = "dirs-torn";
    IdbStore::delete(name).await.expect("clean slate");
    let mut store = open_clean(name).await.store;
    let ops = produced_ops();
    let all: Vec<ClusterStorageOp> = (0..3)
        .flat_map(|dir| ops.iter().cloned().map(move |op| log(dir, op)))
        .collect();
    write(&mut store, all).await;
    store.close();
    let (intact, intact_cut) =
        recover_dir(open_clean(name).await.image.logs.remove(&0).expect("dir 0"));
    assert!(intact_cut.is_empty());
    // Partition 0 of dir 1: its last batch torn mid-write. Partition 1 of dir 1: its middle
    // chunk is not bytes at all.
    let db = raw_open(name, 3, |_| {}).await;
    let keys = raw_get_all(&db, "chunks", true).await;
    let values = raw_get_all(&db, "chunks", false).await;
    let in_dir_1 = |partition: f64| -> Vec<(JsValue, Uint8Array)> {
        keys.iter()
            .zip(values.iter())
            .filter(|(k, _)| {
                let k: &Array = k.unchecked_ref();
                k.get(0).as_f64() == Some(1.0) && k.get(2).as_f64() == Some(partition)
            })
            .map(|(k, v)| (k, v.unchecked_into()))
            .collect()
    };
    let p0 = in_dir_1(0.0);
    let (last_key, last) = p0.last().expect("chunks of partition 0").clone();
    let torn = last.to_vec()[..last.length() as usize / 2].to_vec();
    let p1 = in_dir_1(1.0);
    assert_eq!(p1.len(), 4, "creation, then one chunk per batch");
    raw_put(
        &db,
        "chunks",
        vec![
            (Some(last_key), Uint8Array::from(torn.as_slice()).into()),
            (Some(p1[2].0.clone()), "not bytes".into()),
        ],
    )
    .await;
    db.close();

    let mut opened = IdbStore::open(name).await.expect("opens");
    assert_eq!(
        opened.image.damaged.keys().copied().collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(
        opened.image.damaged[&1].keys().cloned().collect::<Vec<_>>(),
        [("t".to_owned(), 1)]
    );
    assert_eq!(opened.skipped.len(), 2, "{:?}", opened.skipped);
    assert!(
        opened.skipped.iter().all(|s| s.contains("chunk 1/t/1/0/")),
        "{:?}",
        opened.skipped
    );
    let mut image = opened.image.clone();
    let (dir_1, dir_1_cut) = recover_dir(image.logs.remove(&1).expect("dir 1"));
    assert_eq!(
        dir_1_cut,
        [("t".to_owned(), 0)],
        "the torn batch is cut when dir 1 recovers"
    );
    assert_eq!(
        dir_1,
        [2, 1],
        "cut at the torn batch, and before the unreadable chunk"
    );
    for dir in [0, 2] {
        let (other, cut) = recover_dir(image.logs.remove(&dir).expect("dir"));
        assert!(cut.is_empty(), "dir {dir}");
        assert_eq!(other, intact, "dir {dir} untouched");
    }
    opened.store.close();
    IdbStore::delete(name).await.expect("deleted");
}

/// What the rebuild closure saw: each image it was handed, and whether the writer refused
/// commands while it ran.
#[derive(Default)]
struct Rebuilds {
    images: Vec<ClusterImage>,
    refused_meanwhile: Vec<bool>,
}

async fn failed_write_rolls_back(name: &str, fault: StoreFault, expected: &str) {
    IdbStore::delete(name).await.expect("clean slate");
    let opened = open_clean(name).await;
    let seen: Rc<RefCell<Rebuilds>> = Rc::default();
    let own: Rc<RefCell<Option<DurableWriter>>> = Rc::default();
    let writer = {
        let (seen, own) = (seen.clone(), own.clone());
        DurableWriter::new(Store::IndexedDb(opened.store), move |state, _| {
            let refused = own
                .borrow()
                .as_ref()
                .is_some_and(|w: &DurableWriter| w.check_writable().is_err());
            let mut seen = seen.borrow_mut();
            seen.images.push(state.image);
            seen.refused_meanwhile.push(refused);
            Ok(())
        })
    };
    *own.borrow_mut() = Some(writer.clone());
    let mut memory = MemoryClusterStore::new();
    let first = [populated(0, 1), populated(1, 2), vec![file("f", b"one")]].concat();
    for op in first.clone() {
        memory.apply(op);
    }
    writer.persist(first).await.expect("persisted");
    let before = normalized(memory.image());

    assert!(writer.fail_next_write(fault));
    // In flight: touches two dirs and a file; queued behind it: a third dir.
    let failing = writer.persist(
        [
            populated(1, 50),
            populated(2, 60),
            vec![file("f", b"two"), file("g", b"new")],
        ]
        .concat(),
    );
    let queued = writer.persist(populated(2, 70));
    let failed = failing.await.expect_err("the write fails");
    assert_eq!(failed.type_name(), expected, "{failed}");
    let queued_failed = queued.await.expect_err("the queued write fails with it");
    assert_eq!(queued_failed.type_name(), expected);
    {
        let seen = seen.borrow();
        assert_eq!(seen.images.len(), 1, "the rebuild ran once");
        assert_eq!(
            normalized(seen.images[0].clone()),
            before,
            "nothing half-applied"
        );
        assert_eq!(
            seen.refused_meanwhile,
            [true],
            "commands refused during the rollback"
        );
    }
    writer.check_writable().expect("writable again");
    let after = vec![
        file("g", b"after"),
        log(3, StorageOp::DeleteTopic { topic: "x".into() }),
    ];
    for op in after.clone() {
        memory.apply(op);
    }
    writer.persist(after).await.expect("writes again");
    writer.close();
    assert_eq!(
        writer.check_writable().expect_err("closed").type_name(),
        "KAFKA_STORAGE_ERROR"
    );
    let mut reopened = open_clean(name).await;
    let mut expected_image = normalized(memory.image());
    // Deleting a topic of a dir that holds nothing leaves no trace in either store.
    expected_image
        .logs
        .retain(|_, log| *log != RecoveryImage::default());
    let mut image = normalized(reopened.image.clone());
    image.logs.retain(|_, log| *log != RecoveryImage::default());
    assert_eq!(image, expected_image);
    reopened.store.close();
    IdbStore::delete(name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn an_aborted_write_calls_the_rebuild_with_the_last_persisted_image() {
    failed_write_rolls_back("durable-abort", StoreFault::Abort, "KAFKA_STORAGE_ERROR").await;
}

#[wasm_bindgen_test]
async fn a_quota_error_calls_the_rebuild_with_the_last_persisted_image() {
    failed_write_rolls_back(
        "durable-quota",
        StoreFault::QuotaExceeded,
        "STORAGE_QUOTA_EXCEEDED",
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_failed_rebuild_keeps_refusing() {
    let name = "durable-rebuild-fails";
    IdbStore::delete(name).await.expect("clean slate");
    let opened = open_clean(name).await;
    let writer = DurableWriter::new(Store::IndexedDb(opened.store), |_, _| {
        Err(rill_wasm::HostError::Storage("engine says no".into()))
    });
    writer.persist(populated(0, 1)).await.expect("persisted");
    writer.fail_next_write(StoreFault::Abort);
    writer
        .persist(populated(0, 2))
        .await
        .expect_err("the write fails");
    let refused = writer.check_writable().expect_err("still refusing");
    assert!(refused.message().contains("engine says no"), "{refused}");
    let dropped = writer
        .persist(populated(1, 3))
        .await
        .expect_err("ops refused");
    assert_eq!(dropped.type_name(), "KAFKA_STORAGE_ERROR");
    writer.close();
    let mut reopened = open_clean(name).await;
    assert_eq!(
        reopened.image.logs.keys().copied().collect::<Vec<_>>(),
        [0],
        "the refused ops were never stored"
    );
    reopened.store.close();
    IdbStore::delete(name).await.expect("deleted");
}

#[wasm_bindgen_test]
async fn one_writer_per_name_also_for_a_cluster_store() {
    let name = "dirs-one-writer";
    IdbStore::delete(name).await.expect("clean slate");
    let opened = open_clean(name).await;
    let writer = DurableWriter::new(Store::IndexedDb(opened.store), |_, _| Ok(()));
    writer.persist(populated(4, 1)).await.expect("persisted");
    let refused = IdbStore::open(name).await.expect_err("a second writer");
    assert_eq!(refused.type_name(), "STORE_LOCKED");
    writer.close();
    let mut second = open_clean(name).await;
    assert!(second.image.logs.contains_key(&4));
    second.store.close();
    IdbStore::delete(name).await.expect("deleted");
}

/// Resolves after `ms` milliseconds (`setTimeout`).
async fn sleep(ms: i32) {
    let wait = Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .expect("setTimeout")
            .unchecked_into();
        set_timeout
            .call2(&JsValue::UNDEFINED, &resolve, &ms.into())
            .expect("setTimeout");
    });
    JsFuture::from(wait).await.expect("slept");
}

#[wasm_bindgen_test]
async fn a_durable_writer_consolidates_only_once_no_write_waits() {
    let name = "durable-idle-merge";
    IdbStore::delete(name).await.expect("clean slate");
    let opened = open_clean(name).await;
    let writer = DurableWriter::new(Store::IndexedDb(opened.store), |_, _| Ok(()));
    let segment = StorageOp::CreateSegment {
        topic: "t".into(),
        partition: 0,
        base_offset: 0,
    };
    writer
        .persist(vec![log(0, segment)])
        .await
        .expect("created");
    let db = raw_open(name, 3, |_| {}).await;
    // 20 appends of 40 KB back to back: 800 KB of small chunks, due for consolidation (more
    // than 512 KiB) but not overdue (2 MiB), written one after the other with no pause.
    let mut expected = Vec::new();
    for i in 0..20u8 {
        let append = StorageOp::AppendToSegment {
            topic: "t".into(),
            partition: 0,
            base_offset: 0,
            bytes: bytes(i, 40_000),
        };
        expected.extend(bytes(i, 40_000));
        writer
            .persist(vec![log(0, append)])
            .await
            .expect("appended");
    }
    // Read before the writer's idle timer fires: every chunk is still there.
    let before = raw_get_all(&db, "chunks", true).await.length();
    assert_eq!(
        before, 21,
        "no consolidation ran between back-to-back writes"
    );
    sleep(200).await;
    let after = raw_get_all(&db, "chunks", false).await;
    assert!(
        after.length() < 5,
        "consolidated once idle: {} chunks",
        after.length()
    );
    let stored: Vec<u8> = after
        .iter()
        .flat_map(|chunk| chunk.unchecked_into::<Uint8Array>().to_vec())
        .collect();
    assert_eq!(stored, expected, "the same bytes, in order");
    db.close();
    writer.close();
    IdbStore::delete(name).await.expect("deleted");
}
