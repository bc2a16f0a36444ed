//! One `acks=all` send of 100 records of 100 B through a [`Cluster`], driven the way a
//! persisting host drives it (the session of `rill-wasm`): the produce, then every wake-up
//! until its outcome, with [`Cluster::poll_storage`] after every move; for 1 and 3 brokers
//! (replication factor = brokers, 1 ms latency). Next to it, `poll_storage` of a cluster with
//! nothing new to persist: what each of those polls costs by itself.
#![allow(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall-clock time; the engine itself never reads a clock"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rill_core::cluster::{Acks, Cluster, ClusterConfig, Latency};
use rill_core::record::NewRecord;

const RECORDS: usize = 100;
const VALUE_LEN: usize = 100;
/// Sends per fresh cluster, so memory stays bounded however long criterion runs.
const SENDS_PER_CLUSTER: u64 = 2_000;
const CLIENT: u32 = 1_000;

fn records() -> Vec<NewRecord> {
    (0..RECORDS)
        .map(|_| NewRecord {
            key: None,
            value: Some(vec![b'v'; VALUE_LEN]),
            headers: Vec::new(),
            timestamp: None,
        })
        .collect()
}

/// A cluster of `brokers` with topic `t` (one partition, replication factor `brokers`), its
/// first storage ops taken.
fn cluster(brokers: u32) -> Cluster {
    let mut config = ClusterConfig::new(brokers, 1);
    config.latency = Latency {
        base_ms: 1,
        jitter_ms: 0,
    };
    let mut cluster = Cluster::new(config, 1_700_000_000_000).expect("a valid config");
    cluster
        .create_topic("t", 1, brokers, &[])
        .expect("a valid topic");
    // Let the leaders settle.
    cluster.advance(100);
    black_box(cluster.poll_storage());
    cluster
}

/// One send, driven wake-up by wake-up to its outcome, storage polled after every move.
fn send(cluster: &mut Cluster, batch: &[NewRecord]) {
    let request = cluster.produce(CLIENT, "t", 0, Acks::All, batch.to_vec());
    black_box(cluster.poll_storage());
    loop {
        if let Some(outcome) = cluster
            .poll_outcomes()
            .into_iter()
            .find(|o| o.request == request)
        {
            assert!(outcome.result.is_ok(), "acknowledged");
            break;
        }
        let next = cluster.next_wakeup().expect("the send is under way");
        let now = cluster.now();
        cluster.advance((next - now).max(0));
        black_box(cluster.poll_events());
        black_box(cluster.poll_storage());
    }
}

fn time_sends(iters: u64, brokers: u32, batch: &[NewRecord]) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let mut cluster = cluster(brokers);
        let run = (iters - done).min(SENDS_PER_CLUSTER);
        let started = Instant::now();
        for _ in 0..run {
            send(&mut cluster, batch);
        }
        total += started.elapsed();
        done += run;
    }
    total
}

fn bench(c: &mut Criterion) {
    let batch = records();
    let mut group = c.benchmark_group("cluster_send");
    group.throughput(Throughput::Elements(RECORDS as u64));
    for brokers in [1, 3] {
        group.bench_function(format!("acks=all, {brokers} broker(s)"), |b| {
            b.iter_custom(|iters| time_sends(iters, brokers, &batch));
        });
    }
    group.finish();
    let mut group = c.benchmark_group("cluster_poll_storage");
    for brokers in [1, 3] {
        let mut idle = cluster(brokers);
        group.bench_function(format!("nothing new, {brokers} broker(s)"), |b| {
            b.iter(|| black_box(idle.poll_storage()));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
