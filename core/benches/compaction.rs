//! Compaction throughput: one cleaning pass over 1,000,000 records (10-byte keys drawn from
//! 100,000 distinct keys, 100-byte values, batches of 100, segments of 1 MiB), next to a
//! baseline that only copies the same segment bytes into a buffer. Reports records/s for both.
#![allow(
    clippy::disallowed_methods,
    reason = "a benchmark measures wall-clock time; the engine itself never reads a clock"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rill_core::log::cleaner::{CleanInput, CleanerConfig, SegmentSlice, clean};
use rill_core::record::{NewRecord, TimestampType, encode_batch};

const RECORDS: usize = 1_000_000;
const DISTINCT_KEYS: u64 = 100_000;
const VALUE_LEN: usize = 100;
const BATCH_RECORDS: usize = 100;
const SEGMENT_BYTES: usize = 1 << 20;

/// Segments of the benchmark log, oldest first, ending with an empty active segment. Keys come
/// from a fixed xorshift sequence, so survivors are spread over the log and most batches are
/// partly rewritten.
fn build_log() -> Vec<(i64, Vec<u8>)> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next_key = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        format!("key-{:06}", state % DISTINCT_KEYS).into_bytes()
    };
    let mut segments = vec![(0i64, Vec::with_capacity(SEGMENT_BYTES))];
    let mut batch_bytes = Vec::new();
    for first in (0..RECORDS).step_by(BATCH_RECORDS) {
        let batch: Vec<NewRecord> = (first..first + BATCH_RECORDS)
            .map(|i| NewRecord {
                key: Some(next_key()),
                value: Some(vec![b'v'; VALUE_LEN]),
                headers: Vec::new(),
                timestamp: Some(1_700_000_000_000 + i as i64),
            })
            .collect();
        batch_bytes.clear();
        encode_batch(
            &mut batch_bytes,
            first as i64,
            0,
            TimestampType::CreateTime,
            0,
            &batch,
        );
        let full = segments
            .last()
            .is_some_and(|(_, bytes)| bytes.len() + batch_bytes.len() > SEGMENT_BYTES);
        if full {
            segments.push((first as i64, Vec::with_capacity(SEGMENT_BYTES)));
        }
        segments
            .last_mut()
            .expect("at least one segment")
            .1
            .extend_from_slice(&batch_bytes);
    }
    segments.push((RECORDS as i64, Vec::new()));
    segments
}

fn compaction(c: &mut Criterion) {
    let log = build_log();
    let slices: Vec<SegmentSlice<'_>> = log
        .iter()
        .map(|(base_offset, bytes)| SegmentSlice {
            base_offset: *base_offset,
            bytes,
        })
        .collect();
    let config = CleanerConfig {
        segment_bytes: SEGMENT_BYTES as u32,
        ..CleanerConfig::default()
    };
    let input = CleanInput {
        segments: &slices,
        log_start_offset: 0,
        high_watermark: RECORDS as i64,
        cleaner_checkpoint: 0,
        now: 1_800_000_000_000,
        config: &config,
    };
    let outcome = clean(&input).expect("a wholly dirty log is cleaned");
    assert_eq!(outcome.stats.records_read, RECORDS as u64);
    assert!(outcome.stats.records_kept <= DISTINCT_KEYS);
    let total_bytes: usize = log.iter().map(|(_, bytes)| bytes.len()).sum();

    let mut group = c.benchmark_group("compaction_1m_records");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.sample_size(10);
    group.bench_function("clean", |b| b.iter(|| black_box(clean(black_box(&input)))));
    group.bench_function("copy_baseline", |b| {
        b.iter(|| {
            let mut copy = Vec::with_capacity(total_bytes);
            for (_, bytes) in &log {
                copy.extend_from_slice(black_box(bytes));
            }
            black_box(copy)
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(10)).warm_up_time(Duration::from_secs(2));
    targets = compaction
}
criterion_main!(benches);
