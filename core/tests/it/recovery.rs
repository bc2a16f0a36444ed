//! Recovery from stored ops: identical state, and damage truncated to the last valid batch.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::log::RecoveryProblem;
use rill_core::record::NewRecord;
use rill_core::storage::MemoryStore;
use rill_core::{Broker, Event};

fn produce_some(broker: &mut Broker, store: &mut MemoryStore) {
    broker
        .create_topic("orders", 2, &[("segment.bytes".into(), "200".into())])
        .expect("valid");
    for i in 0..12i64 {
        let record = NewRecord {
            key: Some(format!("k{i}").into_bytes()),
            value: Some(vec![b'v'; 40]),
            ..NewRecord::default()
        };
        broker
            .produce(i, "orders", (i % 2) as i32, &[record])
            .expect("append");
    }
    for op in broker.poll_storage_ops() {
        store.apply(op);
    }
}

#[test]
fn recovered_broker_serves_the_same_reads() {
    let (mut broker, mut store) = (Broker::new(), MemoryStore::new());
    produce_some(&mut broker, &mut store);
    let mut recovered = Broker::recover(store.image());
    assert!(
        recovered.poll_events().is_empty(),
        "clean recovery reports nothing"
    );
    for partition in 0..2 {
        let a = broker.partition("orders", partition).expect("exists");
        let b = recovered.partition("orders", partition).expect("exists");
        let bases = |l: &rill_core::log::PartitionLog| {
            l.segments()
                .iter()
                .map(|s| s.base_offset())
                .collect::<Vec<_>>()
        };
        assert_eq!(bases(a), bases(b), "same segments");
        assert_eq!(
            broker.fetch_all("orders", partition, 0),
            recovered.fetch_all("orders", partition, 0)
        );
    }
    // The recovered broker continues the offsets.
    let info = recovered
        .produce(100, "orders", 0, &[NewRecord::default()])
        .expect("append");
    assert_eq!(info.base_offset, 6);
}

#[test]
fn torn_tail_is_truncated_to_last_valid_batch_and_reported() {
    let (mut broker, mut store) = (Broker::new(), MemoryStore::new());
    produce_some(&mut broker, &mut store);
    let last_base = broker
        .partition("orders", 0)
        .expect("exists")
        .segments()
        .last()
        .expect("active")
        .base_offset();
    let bytes = store
        .segment_bytes_mut("orders", 0, last_base)
        .expect("stored");
    let full = bytes.len();
    bytes.truncate(full - 5);
    let mut recovered = Broker::recover(store.image());
    let events = recovered.poll_events();
    assert_eq!(events.len(), 1, "{events:?}");
    let Event::RecoveryTruncated {
        topic,
        partition,
        truncation,
    } = &events[0]
    else {
        panic!("expected a truncation event, got {events:?}");
    };
    assert_eq!((topic.as_str(), *partition), ("orders", 0));
    assert!(matches!(truncation.problem, RecoveryProblem::Corrupt(_)));
    let original_end = broker
        .partition("orders", 0)
        .expect("exists")
        .log_end_offset();
    assert_eq!(
        recovered
            .partition("orders", 0)
            .expect("exists")
            .log_end_offset(),
        original_end - 1
    );
    let fetched = recovered.fetch_all("orders", 0, 0).expect("fetch");
    assert_eq!(
        fetched.records.len() as i64,
        original_end - 1,
        "every batch before the torn one is intact"
    );
}

#[test]
fn corrupt_middle_segment_drops_everything_after_it() {
    let (mut broker, mut store) = (Broker::new(), MemoryStore::new());
    produce_some(&mut broker, &mut store);
    let segments: Vec<i64> = broker
        .partition("orders", 1)
        .expect("exists")
        .segments()
        .iter()
        .map(|s| s.base_offset())
        .collect();
    assert!(segments.len() >= 3, "need a middle segment: {segments:?}");
    let bytes = store
        .segment_bytes_mut("orders", 1, segments[1])
        .expect("stored");
    let at = bytes.len() - 3;
    bytes[at] ^= 0x55;
    let mut recovered = Broker::recover(store.image());
    let log = recovered.partition("orders", 1).expect("exists");
    assert!(
        log.log_end_offset()
            < broker
                .partition("orders", 1)
                .expect("exists")
                .log_end_offset()
    );
    assert!(
        log.segments()
            .iter()
            .all(|s| s.base_offset() <= segments[1]),
        "later segments dropped"
    );
    assert!(
        recovered
            .poll_events()
            .iter()
            .all(|e| matches!(e, Event::RecoveryTruncated { .. }))
    );
    // Partition 0 was untouched.
    assert_eq!(
        recovered.fetch_all("orders", 0, 0),
        broker.fetch_all("orders", 0, 0)
    );
}

#[test]
fn segments_of_partitions_the_topic_lacks_are_reported_not_used() {
    let (mut broker, mut store) = (Broker::new(), MemoryStore::new());
    produce_some(&mut broker, &mut store);
    let mut image = store.image();
    let mut stray = image.topics[0].segments[0].clone();
    stray.partition = 7;
    image.topics[0].segments.push(stray);
    let mut recovered = Broker::recover(image);
    let events = recovered.poll_events();
    assert_eq!(
        events,
        [Event::RecoverySkippedSegment {
            topic: "orders".into(),
            partition: 7,
            base_offset: 0
        }]
    );
    assert_eq!(
        recovered
            .topic("orders")
            .expect("recovered")
            .partitions()
            .len(),
        2
    );
}

#[test]
fn invalid_stored_topic_is_skipped_and_reported() {
    let (mut broker, mut store) = (Broker::new(), MemoryStore::new());
    produce_some(&mut broker, &mut store);
    let mut image = store.image();
    let mut bad = image.topics[0].clone();
    bad.record.name = "bad name".into();
    image.topics.push(bad);
    let mut recovered = Broker::recover(image);
    let events = recovered.poll_events();
    assert!(
        matches!(&events[..], [Event::RecoverySkippedTopic { topic, .. }] if topic == "bad name"),
        "{events:?}"
    );
    assert_eq!(recovered.topics().count(), 1);
}
