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
    jump_in_ten_minutes(&mut group);
    group.bench_function("clone the cluster alone", |b| {
        b.iter(|| black_box(world.cluster().clone()));
    });
    group.finish();
}

/// Issue 15's jump: a 10-minute session with 100,000 records and 300 commands, checkpoints
/// every [`CHECKPOINT_EVERY_MS`] (the playground's spacing); a jump is a clone of the nearest
/// checkpoint at or before the target plus a replay from it. The worst case is a target just
/// before the next checkpoint, measured here.
fn jump_in_ten_minutes(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
) {
    const CHECKPOINT_EVERY_MS: i64 = 10_000;
    let mut script = String::from(
        "seed 3\nbrokers 3\n\
         kafka-topics --create --topic t --partitions 6 --replication-factor 3\n\
         producer start p --topic t --rate 164 --keys a,b,c,d,e,f,g,h,i,j\n",
    );
    for i in 0..300 {
        script.push_str(&format!(
            "advance 2s\nkafka-console-producer --topic t --property parse.key=true --property key.separator=:\nk{i}:v{i}\n"
        ));
    }
    let script = parse(&script).expect("a valid session");
    let mut world = World::new(script.config.clone()).expect("a valid config");
    world.set_collect_events(false);
    let start = world.now();
    let mut checkpoints = vec![world.clone()];
    for step in script.steps {
        world.apply(step.command).expect("accepted");
        while world.now() - checkpoints.last().map_or(start, World::now) >= CHECKPOINT_EVERY_MS {
            let at = checkpoints.last().map_or(start, World::now) + CHECKPOINT_EVERY_MS;
            checkpoints.push(replay(world.config(), world.history(), at).expect("replays"));
        }
    }
    let history = world.history().to_vec();
    let end = world.now();
    println!(
        "jump session: {} s of cluster time, {} history entries, {} checkpoints",
        (end - start) / 1_000,
        history.len(),
        checkpoints.len()
    );
    let target = start + 5 * 60_000 + CHECKPOINT_EVERY_MS - 1;
    let nearest = checkpoints
        .iter()
        .rev()
        .find(|c| c.now() <= target)
        .expect("a checkpoint before the target");
    group.bench_function(
        "jump in a 10-minute 100k-record session (worst case)",
        |b| {
            b.iter(|| {
                let mut world = nearest.clone();
                replay_onto(&mut world, &history, target).expect("replays");
                black_box(world)
            });
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
