//! Scenario worlds: what a jump in time costs. A busy session — 3 brokers, a 6-partition topic
//! with replication factor 3, a producer at 200 records/s with keys, a group of 3 members
//! committing synchronously (Kafka's 50 `__consumer_offsets` partitions) — runs for 60 s of
//! cluster time. Measured: running it straight (`advance`, the cost per simulated second),
//! replaying its history from the seed to the end (a jump with no checkpoint), continuing a
//! checkpoint 10 s before the end (a jump from the nearest checkpoint), cloning the world at
//! the end (taking a checkpoint), and its `state_hash`.
#![allow(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall-clock time; the engine itself never reads a clock"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rill_core::scenario::{World, parse, replay, replay_onto};

const SESSION: &str = "seed 1\nbrokers 3\n\
    kafka-topics --create --topic t --partitions 6 --replication-factor 3 --config min.insync.replicas=2\n\
    producer start p --topic t --rate 200 --keys a,b,c,d,e,f,g,h,i,j\n\
    consumer join g c1 --topic t --commit sync --processing-time 1ms\n\
    consumer join g c2 --topic t --commit sync --processing-time 1ms\n\
    consumer join g c3 --topic t --commit sync --processing-time 1ms\n";

fn session(seconds: i64) -> World {
    let script = parse(SESSION).expect("a valid session");
    let mut world = World::new(script.config.clone()).expect("a valid config");
    world.set_collect_events(false);
    for step in script.steps {
        world.apply(step.command).expect("accepted");
    }
    world.advance(seconds * 1_000).expect("time moves");
    world
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("scenario");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("run 60 s straight", |b| b.iter(|| black_box(session(60))));
    let world = session(60);
    let config = world.config().clone();
    let history = world.history().to_vec();
    let end = world.now();
    group.bench_function("replay 60 s from the seed", |b| {
        b.iter(|| black_box(replay(&config, &history, end).expect("replays")));
    });
    let checkpoint = replay(&config, &history, end - 10_000).expect("replays");
    group.bench_function("continue a checkpoint 10 s", |b| {
        b.iter(|| {
            let mut world = checkpoint.clone();
            replay_onto(&mut world, &history, end).expect("replays");
            black_box(world)
        });
    });
    group.bench_function("clone the world (a checkpoint)", |b| {
        b.iter(|| black_box(world.clone()));
    });
    group.bench_function("state_hash", |b| b.iter(|| black_box(world.state_hash())));
    group.bench_function("clone the cluster alone", |b| {
        b.iter(|| black_box(world.cluster().clone()));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
