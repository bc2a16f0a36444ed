//! A run loop's delivery of one poll (`rill_core::consumer::delivery`): a handler that throws,
//! a `pause()` or a seek mid-batch, a `stop()`, an `eachBatch` that resolved part of its batch;
//! after [`Consumer::rewind`] nothing polled is skipped. Driven through a real cluster (the
//! fetches go over its network).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::cluster::{Acks, Cluster, ClusterConfig};
use rill_core::consumer::delivery::{Delivery, Next, group_by_partition};
use rill_core::consumer::{AutoOffsetReset, ConsumerConfig, ConsumerRecord};
use rill_core::group::TopicPartition;
use rill_core::record::NewRecord;

const START: i64 = 1_700_000_000_000;
const CLIENT: u32 = 1;

/// A 3-broker cluster with topic `t` of `partitions` partitions holding `per_partition`
/// records each, and consumer `CLIENT` assigned every partition from the beginning.
fn setup(partitions: u32, per_partition: usize) -> Cluster {
    let mut cluster = Cluster::new(ClusterConfig::new(3, 17), START).expect("valid");
    cluster
        .create_topic("t", partitions, 3, &[])
        .expect("valid");
    cluster.advance(1_000);
    for partition in 0..partitions {
        let records: Vec<NewRecord> = (0..per_partition)
            .map(|i| NewRecord {
                value: Some(format!("{partition}-{i}").into_bytes()),
                ..NewRecord::default()
            })
            .collect();
        let request = cluster.produce(100, "t", partition, Acks::All, records);
        cluster.advance(500);
        let outcomes = cluster.poll_outcomes();
        assert!(
            outcomes
                .iter()
                .any(|o| o.request == request && o.result.is_ok()),
            "{outcomes:?}"
        );
    }
    let config = ConsumerConfig {
        auto_offset_reset: AutoOffsetReset::Earliest,
        ..ConsumerConfig::default()
    };
    cluster.add_consumer(CLIENT, config).expect("new");
    let all: Vec<TopicPartition> = (0..partitions).map(tp).collect();
    cluster
        .consumer_mut(CLIENT)
        .expect("added")
        .assign(START, &all)
        .expect("assigned");
    cluster
}

fn tp(partition: u32) -> TopicPartition {
    TopicPartition::new("t", partition)
}

/// Polls every 10 ms until a poll returns records (at most 5 s).
fn poll_some(cluster: &mut Cluster) -> Vec<ConsumerRecord> {
    for _ in 0..500 {
        let now = cluster.now();
        let records = cluster
            .consumer_mut(CLIENT)
            .expect("added")
            .poll(now)
            .expect("polls");
        if !records.is_empty() {
            return records;
        }
        cluster.advance(10);
    }
    Vec::new()
}

/// Polls for `ms`, returning everything.
fn poll_for(cluster: &mut Cluster, ms: i64) -> Vec<ConsumerRecord> {
    let mut out = Vec::new();
    for _ in 0..ms / 10 {
        let now = cluster.now();
        out.extend(
            cluster
                .consumer_mut(CLIENT)
                .expect("added")
                .poll(now)
                .expect("polls"),
        );
        cluster.advance(10);
    }
    out
}

fn offsets(records: &[ConsumerRecord], partition: u32) -> Vec<i64> {
    records
        .iter()
        .filter(|r| r.partition == partition)
        .map(|r| r.offset)
        .collect()
}

fn rewind(cluster: &mut Cluster, delivery: &Delivery) -> Vec<(TopicPartition, i64)> {
    cluster
        .consumer_mut(CLIENT)
        .expect("added")
        .rewind(delivery)
}

#[test]
fn a_handler_that_throws_at_record_k_gets_k_again_on_the_next_poll() {
    let mut cluster = setup(1, 10);
    let batches = group_by_partition(poll_some(&mut cluster));
    assert_eq!(batches.len(), 1);
    assert_eq!(offsets(&batches[0].1, 0), (0..10).collect::<Vec<_>>());
    let mut delivery = Delivery::new(&batches);
    // eachMessage handled 0..=3, then threw at 4.
    for record in &batches[0].1 {
        assert_eq!(delivery.next(&tp(0), true, false), Next::Deliver);
        if record.offset == 4 {
            break;
        }
        delivery.handled(&tp(0), record.offset);
    }
    assert_eq!(delivery.next_unhandled(&tp(0)), Some(4));
    assert_eq!(rewind(&mut cluster, &delivery), vec![(tp(0), 4)]);
    let again = poll_some(&mut cluster);
    assert_eq!(
        offsets(&again, 0),
        (4..10).collect::<Vec<_>>(),
        "the failed record first"
    );
}

#[test]
fn pause_mid_batch_redelivers_the_rest_of_that_partition_after_resume() {
    let mut cluster = setup(2, 6);
    let mut polled = poll_some(&mut cluster);
    polled.extend(poll_for(&mut cluster, 200));
    let batches = group_by_partition(polled);
    assert_eq!(batches.len(), 2, "both partitions in the poll");
    let mut delivery = Delivery::new(&batches);
    let mut handed = Vec::new();
    for (partition_tp, list) in &batches {
        for record in list {
            let paused = cluster
                .consumer(CLIENT)
                .expect("added")
                .paused()
                .contains(partition_tp);
            match delivery.next(partition_tp, true, paused) {
                Next::Deliver => {}
                Next::SkipPartition => break,
                Next::Stop => unreachable!("running"),
            }
            handed.push((record.partition, record.offset));
            delivery.handled(partition_tp, record.offset);
            // The handler of t-0's record 2 pauses its partition.
            if record.partition == 0 && record.offset == 2 {
                cluster
                    .consumer_mut(CLIENT)
                    .expect("added")
                    .pause(&[tp(0)])
                    .expect("assigned");
            }
        }
    }
    assert_eq!(
        handed.iter().filter(|(p, _)| *p == 0).count(),
        3,
        "0, 1 and 2 of t-0"
    );
    assert_eq!(handed.iter().filter(|(p, _)| *p == 1).count(), 6);
    assert_eq!(rewind(&mut cluster, &delivery), vec![(tp(0), 3)]);
    assert!(
        poll_for(&mut cluster, 500).is_empty(),
        "nothing from the paused partition, t-1 done"
    );
    cluster
        .consumer_mut(CLIENT)
        .expect("added")
        .resume(&[tp(0)])
        .expect("assigned");
    let after = poll_for(&mut cluster, 500);
    assert_eq!(offsets(&after, 0), vec![3, 4, 5], "from the pause point on");
    assert!(offsets(&after, 1).is_empty());
}

#[test]
fn stop_mid_batch_rewinds_every_partition_to_its_first_unhandled_record() {
    let mut cluster = setup(2, 4);
    let mut polled = poll_some(&mut cluster);
    polled.extend(poll_for(&mut cluster, 200));
    let batches = group_by_partition(polled);
    let mut delivery = Delivery::new(&batches);
    let (first_tp, first) = &batches[0];
    delivery.handled(first_tp, first[0].offset);
    // stop() during the handler of the first record: nothing more is handed out.
    assert_eq!(delivery.next(first_tp, false, false), Next::Stop);
    let other = &batches[1].0;
    assert_eq!(delivery.next(other, false, false), Next::Stop);
    let mut rewound = rewind(&mut cluster, &delivery);
    rewound.sort();
    let mut expected = vec![(first_tp.clone(), 1), (other.clone(), 0)];
    expected.sort();
    assert_eq!(rewound, expected);
    let again = poll_for(&mut cluster, 500);
    assert_eq!(offsets(&again, first_tp.partition), vec![1, 2, 3]);
    assert_eq!(offsets(&again, other.partition), vec![0, 1, 2, 3]);
}

#[test]
fn a_partition_sought_mid_batch_is_stale_and_keeps_the_seek() {
    let mut cluster = setup(1, 8);
    let batches = group_by_partition(poll_some(&mut cluster));
    let mut delivery = Delivery::new(&batches);
    delivery.handled(&tp(0), 0);
    // The handler of record 0 seeks to 6.
    cluster
        .consumer_mut(CLIENT)
        .expect("added")
        .seek(&tp(0), 6)
        .expect("assigned");
    delivery.sought(&tp(0));
    assert!(delivery.is_stale(&tp(0)));
    assert_eq!(delivery.next(&tp(0), true, false), Next::SkipPartition);
    delivery.handled(&tp(0), 1);
    assert!(delivery.is_settled());
    assert!(
        rewind(&mut cluster, &delivery).is_empty(),
        "the seek stands"
    );
    let again = poll_some(&mut cluster);
    assert_eq!(offsets(&again, 0), vec![6, 7]);
}

#[test]
fn an_each_batch_handler_that_resolved_part_of_its_batch_gets_the_rest_again() {
    let mut cluster = setup(1, 10);
    let batches = group_by_partition(poll_some(&mut cluster));
    let mut delivery = Delivery::new(&batches);
    // resolveOffset(6), then the handler threw.
    delivery.handled(&tp(0), 6);
    // A lower resolved offset later changes nothing.
    delivery.handled(&tp(0), 2);
    assert_eq!(delivery.next_unhandled(&tp(0)), Some(7));
    assert_eq!(rewind(&mut cluster, &delivery), vec![(tp(0), 7)]);
    assert_eq!(offsets(&poll_some(&mut cluster), 0), vec![7, 8, 9]);
    // The whole batch resolved: nothing to rewind.
    let mut done = Delivery::new(&batches);
    done.handled(&tp(0), 9);
    assert!(done.is_settled());
}

#[test]
fn records_are_grouped_by_partition_in_poll_order() {
    let record = |partition: u32, offset: i64| ConsumerRecord {
        topic: "t".into(),
        partition,
        offset,
        timestamp: 0,
        timestamp_type: rill_core::record::TimestampType::CreateTime,
        key: None,
        value: None,
        headers: Vec::new(),
        leader_epoch: None,
    };
    let batches = group_by_partition(vec![record(2, 5), record(0, 1), record(2, 6), record(0, 2)]);
    let shape: Vec<(u32, Vec<i64>)> = batches
        .iter()
        .map(|(tp, list)| (tp.partition, list.iter().map(|r| r.offset).collect()))
        .collect();
    assert_eq!(shape, vec![(2, vec![5, 6]), (0, vec![1, 2])]);
    let delivery = Delivery::new(&batches);
    assert_eq!(delivery.unhandled(), vec![(tp(0), 1), (tp(2), 5)]);
    assert_eq!(Delivery::default().next(&tp(0), true, false), Next::Deliver);
}

#[test]
fn auto_commit_threshold_commits_every_n_handled_records() {
    use rill_core::consumer::delivery::CommitThreshold;
    let mut every_three = CommitThreshold::new(Some(3));
    let commits: Vec<bool> = (0..7).map(|_| every_three.record_handled()).collect();
    assert_eq!(commits, [false, false, true, false, false, true, false]);
    let mut never = CommitThreshold::new(None);
    assert!((0..100).all(|_| !never.record_handled()));
    let mut zero = CommitThreshold::new(Some(0));
    assert!(
        zero.record_handled() && zero.record_handled(),
        "0: after every record"
    );
}
