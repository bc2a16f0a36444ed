//! Fetch and retention over a 1,000,000-record log, each next to a same-run baseline that moves
//! the same bytes without the log (`cargo xtask bench` prints the ratios).
//!
//! - `fetch_1m/fetch`: read the whole log from offset 0 in 1 MiB fetches, decoding every
//!   record; `fetch_1m/copy_baseline`: copy the segments' bytes into one buffer.
//! - `retention_1m/retention`: one `retention.bytes` pass that deletes half the segments;
//!   `retention_1m/drop_baseline`: drop the same number of segment-sized buffers.
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

const RECORDS: usize = 1_000_000;
const BATCH: usize = 100;
const VALUE_LEN: usize = 100;
const FETCH_MAX_BYTES: usize = 1024 * 1024;

fn config(retention_bytes: i64) -> TopicConfig {
    TopicConfig::with_overrides([
        ("segment.bytes", "1048576"),
        ("retention.bytes", retention_bytes.to_string().as_str()),
    ])
    .expect("valid configs")
}

fn batch(start: usize) -> Vec<NewRecord> {
    (start..start + BATCH)
        .map(|i| NewRecord {
            key: Some(format!("key-{:06}", i % 100_000).into_bytes()),
            value: Some(vec![b'v'; VALUE_LEN]),
            headers: Vec::new(),
            timestamp: Some(1_700_000_000_000 + i as i64),
        })
        .collect()
}

fn million_record_log(config: &TopicConfig) -> PartitionLog {
    let mut log = PartitionLog::new(config, 0);
    let mut changes = Vec::new();
    for start in (0..RECORDS).step_by(BATCH) {
        log.append(1_700_000_000_000, config, &batch(start), &mut changes)
            .expect("valid batch");
        changes.clear();
    }
    assert_eq!(log.log_end_offset(), RECORDS as i64);
    log
}

fn fetch_all(log: &PartitionLog) -> usize {
    let mut offset = 0;
    let mut count = 0;
    while offset < log.log_end_offset() {
        let fetched = log.read(offset, FETCH_MAX_BYTES).expect("in range");
        let last = fetched.records.last().expect("at least one batch").offset;
        count += fetched.records.len();
        black_box(&fetched);
        offset = last + 1;
    }
    count
}

fn fetch(c: &mut Criterion) {
    let log = million_record_log(&config(-1));
    let mut group = c.benchmark_group("fetch_1m");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.bench_function("fetch", |b| {
        b.iter(|| assert_eq!(fetch_all(&log), RECORDS));
    });
    group.bench_function("copy_baseline", |b| {
        b.iter(|| {
            let mut buffer = Vec::with_capacity(log.size() as usize);
            for segment in log.segments() {
                buffer.extend_from_slice(segment.as_bytes());
            }
            black_box(buffer)
        });
    });
    group.finish();
}

fn retention(c: &mut Criterion) {
    let unlimited = config(-1);
    let full = million_record_log(&unlimited);
    let keep = (full.size() / 2) as i64;
    let limited = config(keep);
    let segments = full.segments().len();
    let mut group = c.benchmark_group("retention_1m");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.bench_function("retention", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut log = full.clone();
                let mut changes = Vec::new();
                let started = Instant::now();
                let deleted = log.apply_retention(1_700_000_000_000, &limited, &mut changes);
                total += started.elapsed();
                assert!(deleted >= segments / 2 - 1, "half the segments go");
                black_box((log, changes));
            }
            total
        });
    });
    group.bench_function("drop_baseline", |b| {
        let size = full.segments()[0].size();
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut buffers: Vec<Vec<u8>> = (0..segments).map(|_| vec![1u8; size]).collect();
                let started = Instant::now();
                buffers.drain(..segments / 2);
                total += started.elapsed();
                black_box(buffers);
            }
            total
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    targets = fetch, retention
}
criterion_main!(benches);
