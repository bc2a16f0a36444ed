//! Recovery from stored ops: identical state, and damage truncated to the last valid batch.
//! A one-broker cluster's store, damaged as an unclean shutdown leaves it, rebuilt with
//! `Cluster::recover`. (A single broker's old store with what cannot be restored:
//! `one_broker.rs`.)

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeMap;

use rill_core::cluster::{
    Acks, Cluster, ClusterConfig, ClusterEvent, ClusterImage, ClusterStorageOp,
};
use rill_core::log::{FetchedRecords, PartitionLog, RecoveryProblem};
use rill_core::record::NewRecord;
use rill_core::storage::MemoryStore;

const START: i64 = 1_700_000_000_000;

/// A one-broker cluster's host: broker 0's log dir and the small files.
#[derive(Default)]
struct Host {
    store: MemoryStore,
    files: BTreeMap<String, Vec<u8>>,
}

impl Host {
    fn apply(&mut self, ops: Vec<ClusterStorageOp>) {
        for op in ops {
            match op {
                ClusterStorageOp::Log { broker, op } => {
                    assert_eq!(broker, 0, "one broker");
                    self.store.apply(op);
                }
                ClusterStorageOp::PutFile { path, bytes } => {
                    self.files.insert(path, bytes);
                }
            }
        }
    }

    fn image(&self) -> ClusterImage {
        ClusterImage {
            logs: BTreeMap::from([(0, self.store.image())]),
            files: self.files.clone(),
            damaged: BTreeMap::new(),
        }
    }
}

/// A one-broker cluster with topic `orders` (2 partitions, 200-byte segments) holding 12
/// acknowledged records, six per partition, all of it stored.
fn produce_some() -> (Cluster, Host) {
    let mut cluster = Cluster::new(ClusterConfig::new(1, 3), START).expect("one broker");
    cluster
        .create_topic("orders", 2, 1, &[("segment.bytes".into(), "200".into())])
        .expect("valid");
    cluster.advance(200);
    for i in 0..12i64 {
        let record = NewRecord {
            key: Some(format!("k{i}").into_bytes()),
            value: Some(vec![b'v'; 40]),
            ..NewRecord::default()
        };
        cluster.produce(1, "orders", (i % 2) as u32, Acks::All, vec![record]);
        cluster.advance(200);
        let outcomes = cluster.poll_outcomes();
        assert_eq!(outcomes.len(), 1);
        assert!(outcomes[0].result.is_ok(), "{outcomes:?}");
    }
    let mut host = Host::default();
    host.apply(cluster.poll_storage());
    (cluster, host)
}

fn log(cluster: &Cluster, partition: u32) -> &PartitionLog {
    cluster.replica(0, "orders", partition).expect("exists").0
}

fn fetch_all(cluster: &Cluster, partition: u32) -> FetchedRecords {
    log(cluster, partition).read_all(0).expect("fetch")
}

fn bases(log: &PartitionLog) -> Vec<i64> {
    log.segments().iter().map(|s| s.base_offset()).collect()
}

#[test]
fn recovered_broker_serves_the_same_reads() {
    let (cluster, host) = produce_some();
    let (mut recovered, events) =
        Cluster::recover(host.image(), cluster.now() + 1_000).expect("recovers");
    assert!(events.is_empty(), "clean recovery reports nothing");
    recovered.advance(200);
    for partition in 0..2 {
        assert_eq!(
            bases(log(&cluster, partition)),
            bases(log(&recovered, partition)),
            "same segments"
        );
        assert_eq!(
            fetch_all(&cluster, partition),
            fetch_all(&recovered, partition)
        );
    }
    // The recovered broker continues the offsets.
    recovered.produce(1, "orders", 0, Acks::All, vec![NewRecord::default()]);
    recovered.advance(200);
    let outcomes = recovered.poll_outcomes();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].result, Ok((6, 6)));
}

#[test]
fn torn_tail_is_truncated_to_last_valid_batch_and_reported() {
    let (cluster, mut host) = produce_some();
    let last_base = *bases(log(&cluster, 0)).last().expect("active");
    let bytes = host
        .store
        .segment_bytes_mut("orders", 0, last_base)
        .expect("stored");
    let full = bytes.len();
    bytes.truncate(full - 5);
    let (mut recovered, events) =
        Cluster::recover(host.image(), cluster.now() + 1_000).expect("recovers");
    recovered.advance(200);
    assert_eq!(events.len(), 1, "{events:?}");
    let ClusterEvent::RecoveryTruncated {
        broker,
        topic,
        partition,
        truncation,
    } = &events[0]
    else {
        panic!("expected a truncation event, got {events:?}");
    };
    assert_eq!((*broker, topic.as_str(), *partition), (0, "orders", 0));
    assert!(matches!(truncation.problem, RecoveryProblem::Corrupt(_)));
    let original_end = log(&cluster, 0).log_end_offset();
    assert_eq!(log(&recovered, 0).log_end_offset(), original_end - 1);
    let fetched = fetch_all(&recovered, 0);
    assert_eq!(
        fetched.records.len() as i64,
        original_end - 1,
        "every batch before the torn one is intact"
    );
}

#[test]
fn corrupt_middle_segment_drops_everything_after_it() {
    let (cluster, mut host) = produce_some();
    let segments = bases(log(&cluster, 1));
    assert!(segments.len() >= 3, "need a middle segment: {segments:?}");
    let bytes = host
        .store
        .segment_bytes_mut("orders", 1, segments[1])
        .expect("stored");
    let at = bytes.len() - 3;
    bytes[at] ^= 0x55;
    let (mut recovered, events) =
        Cluster::recover(host.image(), cluster.now() + 1_000).expect("recovers");
    recovered.advance(200);
    let recovered_log = log(&recovered, 1);
    assert!(recovered_log.log_end_offset() < log(&cluster, 1).log_end_offset());
    assert!(
        recovered_log
            .segments()
            .iter()
            .all(|s| s.base_offset() <= segments[1]),
        "later segments dropped"
    );
    assert!(!events.is_empty());
    assert!(
        events
            .iter()
            .all(|e| matches!(e, ClusterEvent::RecoveryTruncated { .. }))
    );
    // Partition 0 was untouched.
    assert_eq!(fetch_all(&recovered, 0), fetch_all(&cluster, 0));
}
