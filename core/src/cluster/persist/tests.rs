//! `Cluster::poll_storage` encodes the metadata snapshot only after the controller was
//! borrowed mutably: it must still write exactly the bytes it wrote when it encoded the state
//! on every poll, whenever and only when the controller state changed.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::admin::AlterConfigOp;
use crate::cluster::Acks;
use crate::record::NewRecord;

const START: i64 = 1_700_000_000_000;

fn three_brokers() -> Cluster {
    let mut config = ClusterConfig::new(3, 5);
    config.offsets_topic_partitions = 3;
    Cluster::new(config, START).expect("a valid config")
}

fn records(n: usize) -> Vec<NewRecord> {
    (0..n)
        .map(|i| NewRecord {
            value: Some(format!("v{i}").into_bytes()),
            ..NewRecord::default()
        })
        .collect()
}

/// A host that keeps the snapshot file `poll_storage` writes, next to the file the encoding of
/// every poll would write (the state encoded and compared each time, as before the borrow
/// count): after every poll both must hold the same bytes.
struct Host {
    written: Option<Vec<u8>>,
    reference: Option<Vec<u8>>,
    reference_state: Option<Vec<u8>>,
    polls: usize,
}

impl Host {
    fn new() -> Self {
        Self {
            written: None,
            reference: None,
            reference_state: None,
            polls: 0,
        }
    }

    /// Polls; returns whether the snapshot was written.
    fn poll(&mut self, cluster: &mut Cluster) -> bool {
        self.polls += 1;
        let state = cluster.snapshot_state();
        let reference_changed = self.reference_state.as_ref() != Some(&state);
        if reference_changed {
            self.reference = Some(snapshot::frame(cluster.now, &state));
            self.reference_state = Some(state);
        }
        let mut written = false;
        for op in cluster.poll_storage() {
            if let ClusterStorageOp::PutFile { path, bytes } = op
                && path == METADATA_SNAPSHOT_PATH
            {
                assert!(!written, "one snapshot per poll");
                written = true;
                self.written = Some(bytes);
            }
        }
        assert_eq!(
            written, reference_changed,
            "poll {}: written exactly when the state changed",
            self.polls
        );
        assert_eq!(self.written, self.reference, "poll {}", self.polls);
        written
    }

    /// Advances `ms` in steps of 50 ms, polling after each; returns whether any poll wrote
    /// the snapshot.
    fn advance(&mut self, cluster: &mut Cluster, ms: i64) -> bool {
        let mut written = false;
        for _ in 0..ms / 50 {
            cluster.advance(50);
            written |= self.poll(cluster);
        }
        written
    }
}

/// Sends to `partition` with acks=all until acknowledged (retrying as a producer does after
/// an error), polling after every move; returns whether any poll wrote the snapshot.
fn produce_acked(host: &mut Host, cluster: &mut Cluster, partition: u32) -> bool {
    let mut written = false;
    for _ in 0..20 {
        let request = cluster.produce(1, "t", partition, Acks::All, records(3));
        written |= host.poll(cluster);
        for _ in 0..200 {
            cluster.advance(5);
            written |= host.poll(cluster);
            if let Some(outcome) = cluster
                .poll_outcomes()
                .into_iter()
                .find(|o| o.request == request)
            {
                if outcome.result.is_ok() {
                    return written;
                }
                break;
            }
        }
        written |= host.advance(cluster, 500);
    }
    panic!("t-{partition} was never acknowledged");
}

fn leader(cluster: &Cluster, partition: u32) -> Option<u32> {
    cluster.registration("t", partition).and_then(|r| r.leader)
}

#[test]
fn the_snapshot_is_written_again_exactly_when_the_metadata_changed() {
    let mut cluster = three_brokers();
    let mut host = Host::new();
    assert!(host.poll(&mut cluster), "a new cluster's first poll");
    assert!(!host.poll(&mut cluster), "nothing changed");

    cluster.create_topic("t", 2, 3, &[]).expect("a valid topic");
    assert!(host.poll(&mut cluster), "a topic creation");
    host.advance(&mut cluster, 500);
    for i in 0..10 {
        assert!(
            !produce_acked(&mut host, &mut cluster, i % 2),
            "a produce changes no metadata"
        );
    }
    assert!(
        !host.advance(&mut cluster, 5_000),
        "heartbeats and session checks change no metadata"
    );

    cluster
        .alter_configs(
            "t",
            &[AlterConfigOp::Set {
                name: "retention.ms".into(),
                value: "60000".into(),
            }],
        )
        .expect("a valid config");
    assert!(host.poll(&mut cluster), "a config alter");

    // The leader of t-0 dies: after its session times out it is fenced, leaves the ISR and
    // another replica leads.
    let old = leader(&cluster, 0).expect("a leader");
    cluster.kill_broker(old).expect("running");
    assert!(
        host.advance(&mut cluster, 15_000),
        "a fencing and an election"
    );
    let new = leader(&cluster, 0).expect("a new leader");
    assert_ne!(new, old, "the leader moved");
    let isr = cluster.registration("t", 0).expect("t-0").isr.clone();
    assert!(!isr.contains(&old), "{isr:?}: the dead broker left the ISR");
    produce_acked(&mut host, &mut cluster, 0);

    // Back: it catches up and joins the ISR again (an ISR change), then leads again after a
    // preferred election (a leader change).
    cluster.restart_broker(old).expect("stopped");
    assert!(
        host.advance(&mut cluster, 15_000),
        "a re-registration and an ISR expansion"
    );
    let isr = cluster.registration("t", 0).expect("t-0").isr.clone();
    assert!(isr.contains(&old), "{isr:?}: back in sync");
    if leader(&cluster, 0) != Some(old) {
        let preferred = cluster.registration("t", 0).expect("t-0").replicas[0];
        if preferred != leader(&cluster, 0).expect("a leader") {
            cluster.elect_preferred_leader("t", 0).expect("electable");
            assert!(host.poll(&mut cluster), "a preferred-leader election");
        }
    }
    assert!(!host.advance(&mut cluster, 3_000), "settled");

    // Whatever is stored recovers the same metadata as the every-poll encoding.
    let image = |file: &Vec<u8>| ClusterImage {
        files: BTreeMap::from([(METADATA_SNAPSHOT_PATH.to_owned(), file.clone())]),
        ..ClusterImage::default()
    };
    let written = host.written.as_ref().expect("written");
    let reference = host.reference.as_ref().expect("encoded");
    let (from_written, _) = Cluster::recover(image(written), cluster.now).expect("recovers");
    let (from_reference, _) = Cluster::recover(image(reference), cluster.now).expect("recovers");
    assert_eq!(from_written.topic_configs(), from_reference.topic_configs());
    assert_eq!(from_written.topic_configs(), cluster.topic_configs());
    assert_eq!(
        from_written.controller.partitions.clone(),
        from_reference.controller.partitions.clone()
    );
}

#[test]
fn a_send_leaves_the_controller_alone_so_its_polls_encode_nothing() {
    let mut config = ClusterConfig::new(1, 2);
    config.offsets_topic_partitions = 1;
    config.offsets_topic_replication_factor = 1;
    let mut cluster = Cluster::new(config, START).expect("a valid config");
    cluster.create_topic("t", 1, 1, &[]).expect("a valid topic");
    let mut host = Host::new();
    host.advance(&mut cluster, 100);
    let before = cluster.controller.borrows();
    let started = cluster.now;
    let sends = 100;
    for _ in 0..sends {
        produce_acked(&mut host, &mut cluster, 0);
    }
    // Only the controller's own timers (a session check every second, a heartbeat every
    // two) borrow it while the sends run.
    let seconds = u64::try_from((cluster.now - started) / 1_000 + 1).unwrap_or(u64::MAX);
    let borrows = cluster.controller.borrows() - before;
    assert!(
        borrows <= 4 * seconds,
        "{borrows} mutable borrows of the controller in {sends} sends over {seconds} s"
    );
}
