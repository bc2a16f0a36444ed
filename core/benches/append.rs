//! Append throughput: 100-byte values with 10-byte keys, in batches of 100 and singly, next to
//! a baseline that only copies the same key and value bytes into a buffer. `cargo xtask bench`
//! reports records/s, MB/s and append ÷ baseline.
#![allow(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall-clock time; the engine itself never reads a clock"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rill_core::config::TopicConfig;
use rill_core::log::PartitionLog;
use rill_core::record::NewRecord;

const KEY_LEN: usize = 10;
const VALUE_LEN: usize = 100;
/// Appends per fresh log, so memory stays bounded however long criterion runs.
const APPENDS_PER_LOG: u64 = 5_000;

fn records(count: usize) -> Vec<NewRecord> {
    (0..count)
        .map(|i| NewRecord {
            key: Some(format!("key-{i:06}").into_bytes()),
            value: Some(vec![b'v'; VALUE_LEN]),
            headers: Vec::new(),
            timestamp: Some(1_700_000_000_000 + i as i64),
        })
        .collect()
}

/// Runs `iters` appends of `batch`, timing only the appends.
fn time_appends(iters: u64, batch: &[NewRecord]) -> Duration {
    let config = TopicConfig::default();
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let mut log = PartitionLog::new(&config, 0);
        let mut changes = Vec::with_capacity(APPENDS_PER_LOG as usize);
        let run = (iters - done).min(APPENDS_PER_LOG);
        let started = Instant::now();
        for _ in 0..run {
            black_box(
                log.append(0, &config, batch, &mut changes)
                    .expect("valid batch"),
            );
            // A host drains the storage ops after every command and drops them once
            // persisted; dropping them is part of the measured cost.
            black_box(&changes);
            changes.clear();
        }
        total += started.elapsed();
        done += run;
    }
    total
}

/// Runs `iters` copies of `batch`'s key and value bytes into a buffer: the floor any append
/// must pay to move the same bytes.
fn time_copies(iters: u64, batch: &[NewRecord]) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let run = (iters - done).min(APPENDS_PER_LOG);
        let mut buffer = Vec::with_capacity(run as usize * batch.len() * (KEY_LEN + VALUE_LEN));
        let started = Instant::now();
        for _ in 0..run {
            for record in batch {
                buffer.extend_from_slice(record.key.as_deref().unwrap_or_default());
                buffer.extend_from_slice(record.value.as_deref().unwrap_or_default());
            }
        }
        total += started.elapsed();
        black_box(&buffer);
        done += run;
    }
    total
}

fn append(c: &mut Criterion) {
    for batch_size in [100usize, 1] {
        let batch = records(batch_size);
        assert!(
            batch
                .iter()
                .all(|r| r.key.as_ref().map(Vec::len) == Some(KEY_LEN))
        );
        let mut group = c.benchmark_group(format!("append_batch_{batch_size}"));
        group.throughput(Throughput::Elements(batch_size as u64));
        group.bench_function("append", |b| {
            b.iter_custom(|iters| time_appends(iters, &batch))
        });
        group.bench_function("copy_baseline", |b| {
            b.iter_custom(|iters| time_copies(iters, &batch))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = append
}
criterion_main!(benches);
