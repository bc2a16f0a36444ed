//! The cluster's events are enough to follow every replica's log: appends, rolls, retention,
//! compaction, log start moves and truncation, per broker; and the controller's topic
//! creation and partition growth.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::{BTreeMap, BTreeSet};

use rill_core::cluster::{Acks, Cluster, ClusterConfig, ClusterEvent, NodeId};
use rill_core::log::{DeletionReason, RollReason};
use rill_core::record::NewRecord;

fn records(n: usize, tag: &str) -> Vec<NewRecord> {
    (0..n)
        .map(|i| NewRecord {
            key: Some(format!("k{i}").into_bytes()),
            value: Some(format!("{tag}-{i}-{}", "x".repeat(40)).into_bytes()),
            ..NewRecord::default()
        })
        .collect()
}

fn config(brokers: u32, seed: u64) -> ClusterConfig {
    ClusterConfig {
        log_retention_check_interval_ms: 10_000,
        ..ClusterConfig::new(brokers, seed)
    }
}

fn configs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A replica's log as the events tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReplicaView {
    log_start_offset: i64,
    log_end_offset: i64,
    segments: BTreeSet<i64>,
}

impl Default for ReplicaView {
    fn default() -> Self {
        Self {
            log_start_offset: 0,
            log_end_offset: 0,
            segments: BTreeSet::from([0]),
        }
    }
}

/// Folds events into each replica's view, keyed by (broker, topic, partition).
#[derive(Debug, Default)]
struct Follower {
    replicas: BTreeMap<(u32, String, u32), ReplicaView>,
}

impl Follower {
    fn apply(&mut self, event: &ClusterEvent) {
        let replicas = &mut self.replicas;
        let view = |b: u32, t: &str, p: u32| (b, t.to_owned(), p);
        match event {
            ClusterEvent::RecordsAppended {
                broker,
                topic,
                partition,
                base_offset,
                last_offset,
            } => {
                let v = replicas
                    .entry(view(*broker, topic, *partition))
                    .or_default();
                assert!(
                    *base_offset >= v.log_end_offset,
                    "appends follow the log end: {event:?} after {v:?}"
                );
                assert!(last_offset >= base_offset, "{event:?}");
                v.log_end_offset = last_offset + 1;
            }
            ClusterEvent::FollowerFetched {
                broker,
                topic,
                partition,
                log_end_offset,
            } => {
                let v = replicas
                    .entry(view(*broker, topic, *partition))
                    .or_default();
                assert_eq!(
                    v.log_end_offset, *log_end_offset,
                    "a follower's append was reported before its fetch: {event:?}"
                );
            }
            ClusterEvent::SegmentRolled {
                broker,
                topic,
                partition,
                base_offset,
                ..
            } => {
                replicas
                    .entry(view(*broker, topic, *partition))
                    .or_default()
                    .segments
                    .insert(*base_offset);
            }
            ClusterEvent::SegmentDeleted {
                broker,
                topic,
                partition,
                base_offset,
                log_start_offset,
                ..
            } => {
                let v = replicas
                    .entry(view(*broker, topic, *partition))
                    .or_default();
                assert!(v.segments.remove(base_offset), "{event:?} of {v:?}");
                v.log_start_offset = *log_start_offset;
            }
            ClusterEvent::SegmentsCompacted {
                broker,
                topic,
                partition,
                removed,
                added,
                ..
            } => {
                let v = replicas
                    .entry(view(*broker, topic, *partition))
                    .or_default();
                for base in removed {
                    v.segments.remove(base);
                }
                v.segments.extend(added.iter().copied());
            }
            ClusterEvent::LogStartOffsetAdvanced {
                broker,
                topic,
                partition,
                log_start_offset,
            } => {
                let v = replicas
                    .entry(view(*broker, topic, *partition))
                    .or_default();
                assert!(*log_start_offset > v.log_start_offset, "{event:?} of {v:?}");
                v.log_start_offset = *log_start_offset;
            }
            ClusterEvent::Truncated {
                broker,
                topic,
                partition,
                log_end_offset,
            } => {
                replicas
                    .entry(view(*broker, topic, *partition))
                    .or_default()
                    .log_end_offset = *log_end_offset;
            }
            _ => {}
        }
    }

    /// Every running replica's log equals its view.
    fn check(&self, cluster: &Cluster) {
        let mut seen = 0;
        for (topic, partition) in cluster.partitions() {
            for broker in 0..cluster.config().brokers {
                let Some((log, _)) = cluster.replica(broker, &topic, partition) else {
                    continue;
                };
                seen += 1;
                let actual = ReplicaView {
                    log_start_offset: log.log_start_offset(),
                    log_end_offset: log.log_end_offset(),
                    segments: log.segments().iter().map(|s| s.base_offset()).collect(),
                };
                let key = (broker, topic.clone(), partition);
                let told = self.replicas.get(&key).cloned().unwrap_or_default();
                assert_eq!(told, actual, "broker {broker}, {topic}-{partition}");
            }
        }
        assert!(seen > 0, "some replica was checked");
    }
}

#[test]
fn a_view_follows_every_replica_from_the_events_alone() {
    let mut cluster = Cluster::new(config(3, 7), 1_000_000).expect("valid");
    let mut follower = Follower::default();
    cluster
        .create_topic(
            "t",
            2,
            3,
            &configs(&[("segment.bytes", "600"), ("retention.ms", "60000")]),
        )
        .expect("valid");
    cluster.advance(50);
    for round in 0..12 {
        for partition in 0..2 {
            cluster.produce(
                1,
                "t",
                partition,
                Acks::All,
                records(4, &format!("r{round}")),
            );
        }
        cluster.advance(200);
        for event in cluster.poll_events() {
            follower.apply(&event);
        }
    }
    cluster.advance(2_000);
    let low = cluster.delete_records("t", 0, 10).expect("below the HW");
    assert_eq!(low, 10);
    cluster.create_partitions("t", 3).expect("grows");
    cluster.advance(100);
    cluster.produce(1, "t", 2, Acks::All, records(3, "new"));
    cluster.advance(2_000);
    for event in cluster.poll_events() {
        follower.apply(&event);
    }
    follower.check(&cluster);
    // Retention (a minute later, at the next log cleanup) deletes every closed segment.
    cluster.advance(75_000);
    let events = cluster.poll_events();
    assert!(
        events.iter().any(|e| matches!(
            e,
            ClusterEvent::SegmentDeleted {
                reason: DeletionReason::RetentionMs,
                ..
            }
        )),
        "retention ran: {events:?}"
    );
    for event in &events {
        follower.apply(event);
    }
    follower.check(&cluster);
    // A follower cut off while the leader appends, then healed, catches up by fetching.
    let leader = cluster
        .registration("t", 1)
        .and_then(|r| r.leader)
        .expect("a leader");
    let cut = (leader + 1) % 3;
    let others: Vec<NodeId> = (0..3)
        .filter(|b| *b != cut)
        .map(NodeId::Broker)
        .chain([NodeId::Controller, NodeId::Client(1)])
        .collect();
    cluster.partition_network(&[NodeId::Broker(cut)], &others);
    cluster.produce(1, "t", 1, Acks::Leader, records(5, "cut"));
    cluster.advance(1_000);
    cluster.heal();
    cluster.advance(15_000);
    for event in cluster.poll_events() {
        follower.apply(&event);
    }
    follower.check(&cluster);
}

#[test]
fn appends_and_rolls_are_reported_per_replica() {
    let mut cluster = Cluster::new(config(3, 3), 1_000_000).expect("valid");
    cluster
        .create_topic("t", 1, 3, &configs(&[("segment.bytes", "300")]))
        .expect("valid");
    cluster.advance(50);
    cluster.produce(1, "t", 0, Acks::All, records(3, "a"));
    cluster.advance(500);
    cluster.produce(1, "t", 0, Acks::All, records(3, "b"));
    cluster.advance(500);
    let events = cluster.poll_events();
    for broker in 0..3 {
        let appended: Vec<(i64, i64)> = events
            .iter()
            .filter_map(|e| match e {
                ClusterEvent::RecordsAppended {
                    broker: b,
                    topic,
                    partition: 0,
                    base_offset,
                    last_offset,
                } if *b == broker && topic == "t" => Some((*base_offset, *last_offset)),
                _ => None,
            })
            .collect();
        assert_eq!(appended, vec![(0, 2), (3, 5)], "broker {broker}");
        let rolled: Vec<(i64, RollReason)> = events
            .iter()
            .filter_map(|e| match e {
                ClusterEvent::SegmentRolled {
                    broker: b,
                    base_offset,
                    reason,
                    ..
                } if *b == broker => Some((*base_offset, *reason)),
                _ => None,
            })
            .collect();
        assert_eq!(rolled, vec![(3, RollReason::Size)], "broker {broker}");
    }
}

#[test]
fn delete_records_moves_the_log_start_of_the_leader_then_of_each_follower() {
    let mut cluster = Cluster::new(config(3, 5), 1_000_000).expect("valid");
    cluster.create_topic("t", 1, 3, &[]).expect("valid");
    cluster.advance(50);
    cluster.produce(1, "t", 0, Acks::All, records(6, "a"));
    cluster.advance(1_000);
    cluster.poll_events();
    let leader = cluster
        .registration("t", 0)
        .and_then(|r| r.leader)
        .expect("a leader");
    cluster.delete_records("t", 0, 4).expect("below the HW");
    let now: Vec<ClusterEvent> = cluster.poll_events();
    assert_eq!(
        now,
        vec![ClusterEvent::LogStartOffsetAdvanced {
            broker: leader,
            topic: "t".to_owned(),
            partition: 0,
            log_start_offset: 4,
        }]
    );
    // Moving it back, or to where it is, says nothing.
    cluster.delete_records("t", 0, 4).expect("valid");
    assert_eq!(cluster.poll_events(), Vec::new());
    cluster.advance(2_000);
    let followers: BTreeSet<u32> = cluster
        .poll_events()
        .iter()
        .filter_map(|e| match e {
            ClusterEvent::LogStartOffsetAdvanced {
                broker,
                log_start_offset: 4,
                ..
            } => Some(*broker),
            _ => None,
        })
        .collect();
    let expected: BTreeSet<u32> = (0..3).filter(|b| *b != leader).collect();
    assert_eq!(followers, expected);
}

#[test]
fn the_controller_reports_topics_and_partitions_it_creates() {
    let mut cluster = Cluster::new(config(3, 1), 0).expect("valid");
    cluster.create_topic("orders", 2, 2, &[]).expect("valid");
    cluster.create_partitions("orders", 5).expect("grows");
    let events = cluster.poll_events();
    let created: Vec<&ClusterEvent> = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                ClusterEvent::TopicCreated { .. } | ClusterEvent::PartitionsCreated { .. }
            )
        })
        .collect();
    assert_eq!(
        created,
        vec![
            &ClusterEvent::TopicCreated {
                topic: "orders".to_owned(),
                partitions: 2,
                replication_factor: 2,
            },
            &ClusterEvent::PartitionsCreated {
                topic: "orders".to_owned(),
                from: 2,
                to: 5,
            },
        ]
    );
    // A refused command reports nothing.
    assert!(cluster.create_topic("orders", 1, 1, &[]).is_err());
    assert!(cluster.create_partitions("orders", 3).is_err());
    assert_eq!(cluster.poll_events(), Vec::new());
}
