//! Kafka's producer partitioner: where a record goes when the producer does not say.
//!
//! [`Partitioner::partition_record`] decides in Kafka's order (`KafkaProducer.partition` and
//! `RecordAccumulator.append`):
//!
//! 1. A record that names its partition goes there (it must exist: otherwise
//!    [`PartitionerError::PartitionOutOfRange`]). It advances no counter and no sticky bytes.
//! 2. A keyed record, unless [`PartitionerConfig::ignore_keys`], goes to
//!    `toPositive(murmur2(key)) % numPartitions` ([`partition_for_key`]), byte for byte as Apache
//!    Kafka's `BuiltInPartitioner.partitionForKey`, so the same key lands on the same partition
//!    number here as on a real cluster.
//! 3. Every other record follows the producer's [`KeylessStrategy`]:
//!    - [`KeylessStrategy::Sticky`] is Kafka's built-in partitioner (KIP-794, Kafka 3.3+): stay
//!      on one partition until `batch.size` bytes went to it, then pick another one at random
//!      among the partitions that have a leader.
//!    - [`KeylessStrategy::RoundRobin`] is one counter per topic, starting at 0, taken modulo the
//!      number of partitions that have a leader (Kafka's `RoundRobinPartitioner`).
//!
//! # Differences from a Java producer, and why
//! - **A record is appended immediately.** rill has no record accumulator, so no incomplete
//!   batch ever waits in a partition's queue. Kafka passes `enableSwitch = allBatchesFull(queue)`
//!   (the queue's last batch is absent or full); with nothing queued that is always `true`, so
//!   the sticky partition switches as soon as at least `batch.size` bytes went to it. The
//!   "up to 2× `batch.size`" cap only matters while a batch is not ready;
//!   [`sticky_switch_due`] states the full rule.
//! - **No adaptive partitioning.** Kafka's default `partitioner.adaptive.partitioning.enable =
//!   true` weights the random pick by each partition's send-queue size. rill has no send queues:
//!   every queue is empty, and Kafka itself turns adaptive weighting off when all queue sizes
//!   are equal (`updatePartitionLoadStats`), falling back to the uniform pick. The config is
//!   accepted and has no effect.
//! - **Randomness is seeded.** Kafka draws `Utils.toPositive(ThreadLocalRandom.nextInt())`;
//!   rill draws `to_positive(prng.next_u32() as i32)` from a [`Prng`] seeded with
//!   [`PartitionerConfig::seed`], so the same seed and the same calls give the same partitions.
//! - **One broker.** Every partition has a leader unless the host says otherwise with
//!   [`Partitioner::set_leaderless`] (for replication, and to reproduce Kafka's tests).
//!
//! [`keys_that_move`] answers the classic question of what adding partitions does to keyed
//! data: which keys hash to a different partition afterwards.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{ErrorCode, KafkaError};
use crate::prng::Prng;

/// Kafka's `Utils.murmur2`: 32-bit MurmurHash2 with seed `0x9747b28c`, over raw bytes.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let mut h: u32 = SEED ^ data.len() as u32;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = chunks.remainder();
    if tail.len() == 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`, which overflows on `i32::MIN`).
pub const fn to_positive(number: i32) -> i32 {
    number & 0x7fff_ffff
}

/// The partition Kafka's default partitioner picks for a keyed record.
///
/// # Panics
/// If `num_partitions` is 0 (a topic always has at least one partition).
pub fn partition_for_key(key: &[u8], num_partitions: u32) -> u32 {
    assert!(num_partitions > 0, "a topic has at least one partition");
    to_positive(murmur2(key)) as u32 % num_partitions
}

/// Kafka's default `batch.size` in bytes (`ProducerConfig`).
pub const BATCH_SIZE_DEFAULT: u32 = 16_384;

/// Kafka's class name for the round-robin partitioner, as `partitioner.class` takes it.
pub const ROUND_ROBIN_PARTITIONER_CLASS: &str =
    "org.apache.kafka.clients.producer.RoundRobinPartitioner";

/// Kafka's sticky switch rule (`BuiltInPartitioner.updatePartitionInfo`): after
/// `produced_bytes` went to the current sticky partition, is it time to pick another one?
///
/// `produced_bytes >= batch_size && enable_switch || produced_bytes >= 2 * batch_size`. Kafka's
/// accumulator passes `enable_switch = false` while the partition's last batch is not full, so
/// the switch happens somewhere between 1× and 2× `batch_size`. rill always passes `true` (see
/// the module docs). A `batch_size` of 0 counts as 1, as Kafka's producer does
/// (`Math.max(1, batch.size)`).
///
/// ```
/// use rill_core::partitioner::sticky_switch_due;
/// assert!(!sticky_switch_due(2, 3, true));
/// assert!(sticky_switch_due(3, 3, true));
/// assert!(!sticky_switch_due(5, 3, false)); // batch not ready: keep filling it
/// assert!(sticky_switch_due(6, 3, false)); // but never past twice the batch size
/// ```
pub const fn sticky_switch_due(produced_bytes: u64, batch_size: u32, enable_switch: bool) -> bool {
    let batch_size = if batch_size == 0 {
        1
    } else {
        batch_size as u64
    };
    (produced_bytes >= batch_size && enable_switch) || produced_bytes >= batch_size * 2
}

/// How a producer places records that are not placed by key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeylessStrategy {
    /// One counter per topic, starting at 0, modulo the partitions that have a leader
    /// (Kafka's `RoundRobinPartitioner`).
    RoundRobin,
    /// Kafka's built-in sticky partitioner: stay on one partition until `batch_size` bytes went
    /// to it, then pick one uniformly at random among the partitions that have a leader. A
    /// `batch_size` of 0 behaves as 1.
    Sticky {
        /// Kafka's `batch.size`: bytes to send to a partition before switching.
        batch_size: u32,
    },
}

/// One producer's partitioning settings.
///
/// `Default` is Kafka's default producer: `partitioner.class` unset (the built-in sticky
/// partitioner), `batch.size = 16384`, `partitioner.ignore.keys = false`, seed 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionerConfig {
    /// Where records go that are not placed by key.
    pub keyless: KeylessStrategy,
    /// Kafka's `partitioner.ignore.keys`: when `true`, keyed records are placed like keyless
    /// ones.
    pub ignore_keys: bool,
    /// Kafka's `partitioner.adaptive.partitioning.enable`, as Kafka would apply it (`false` with
    /// a `partitioner.class`). Kept for display only: it has no effect in rill, whose partitions
    /// all have empty send queues, where Kafka also picks uniformly.
    pub adaptive_partitioning: bool,
    /// Seed of the [`Prng`] behind every random sticky pick.
    pub seed: u64,
}

impl Default for PartitionerConfig {
    fn default() -> Self {
        Self {
            keyless: KeylessStrategy::Sticky {
                batch_size: BATCH_SIZE_DEFAULT,
            },
            ignore_keys: false,
            adaptive_partitioning: true,
            seed: 0,
        }
    }
}

impl PartitionerConfig {
    /// Kafka's `RoundRobinPartitioner` (`partitioner.class` set to
    /// [`ROUND_ROBIN_PARTITIONER_CLASS`]): every record without an explicit partition goes
    /// round-robin, keyed or not (`RoundRobinPartitionerTest.testRoundRobinWithKeyBytes`).
    pub const fn round_robin_partitioner() -> Self {
        Self {
            keyless: KeylessStrategy::RoundRobin,
            ignore_keys: true,
            adaptive_partitioning: false,
            seed: 0,
        }
    }

    /// Keys by hash, keyless records round-robin per topic: what [`Partitioner::new`] does
    /// (rill's original behaviour, and the shape of Kafka's partitioner before KIP-480, Kafka
    /// 2.4). Not reachable through Kafka's configs.
    pub const fn keyed_or_round_robin() -> Self {
        Self {
            keyless: KeylessStrategy::RoundRobin,
            ignore_keys: false,
            adaptive_partitioning: false,
            seed: 0,
        }
    }

    /// Kafka's defaults overridden by producer configs `(name, value)` in Kafka's spelling,
    /// validated as a whole; a later duplicate wins. The seed stays 0: set
    /// [`PartitionerConfig::seed`] afterwards.
    ///
    /// Accepted: `batch.size` (integer in `[0, 2147483647]`), `partitioner.ignore.keys` and
    /// `partitioner.adaptive.partitioning.enable` (`true`/`false`, case-insensitive, as Kafka's
    /// `ConfigDef`), and `partitioner.class` = [`ROUND_ROBIN_PARTITIONER_CLASS`] (or the alias
    /// `round-robin`) or `sticky` (the built-in partitioner, as when the config is unset).
    /// With the round-robin class, keys are ignored whatever `partitioner.ignore.keys` says
    /// (Kafka: it "has no effect if a custom partitioner is used"). Any other config is
    /// `INVALID_CONFIG`, never silently ignored.
    pub fn from_kafka_configs(configs: &[(&str, &str)]) -> Result<Self, PartitionerError> {
        let mut round_robin = false;
        let mut batch_size = BATCH_SIZE_DEFAULT;
        let mut ignore_keys = false;
        let mut adaptive = true;
        for &(name, value) in configs {
            let invalid = |reason: &str| PartitionerError::InvalidConfig {
                name: name.to_owned(),
                value: value.to_owned(),
                reason: reason.to_owned(),
            };
            let trimmed = value.trim();
            match name {
                "batch.size" => {
                    batch_size = trimmed
                        .parse::<i64>()
                        .ok()
                        .and_then(|v| u32::try_from(v).ok())
                        .filter(|v| *v <= i32::MAX as u32)
                        .ok_or_else(|| invalid("must be an integer in [0, 2147483647]"))?;
                }
                "partitioner.ignore.keys" => {
                    ignore_keys =
                        parse_bool(trimmed).ok_or_else(|| invalid("must be true or false"))?;
                }
                "partitioner.adaptive.partitioning.enable" => {
                    adaptive =
                        parse_bool(trimmed).ok_or_else(|| invalid("must be true or false"))?;
                }
                "partitioner.class" => {
                    round_robin = match trimmed {
                        ROUND_ROBIN_PARTITIONER_CLASS | "round-robin" => true,
                        "sticky" => false,
                        "org.apache.kafka.clients.producer.internals.DefaultPartitioner"
                        | "org.apache.kafka.clients.producer.UniformStickyPartitioner" => {
                            return Err(invalid(
                                "deprecated by KIP-794 (Kafka 3.3) and not modelled: leave \
                                 partitioner.class unset for the built-in sticky partitioner",
                            ));
                        }
                        _ => {
                            return Err(invalid(
                                "must be org.apache.kafka.clients.producer.RoundRobinPartitioner \
                                 (or round-robin), or sticky for the built-in partitioner",
                            ));
                        }
                    };
                }
                _ => return Err(invalid("unknown or not yet supported producer config")),
            }
        }
        Ok(if round_robin {
            Self::round_robin_partitioner()
        } else {
            Self {
                keyless: KeylessStrategy::Sticky {
                    // Kafka's producer: `Math.max(1, batch.size)`.
                    batch_size: batch_size.max(1),
                },
                ignore_keys,
                adaptive_partitioning: adaptive,
                seed: 0,
            }
        })
    }
}

/// Kafka's `ConfigDef` boolean parsing: `true`/`false`, case-insensitive (already trimmed).
fn parse_bool(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Why a partitioner operation failed.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PartitionerError {
    /// A producer config is unknown, unsupported or out of range
    /// ([`PartitionerConfig::from_kafka_configs`]).
    #[error("invalid value '{value}' for producer config '{name}': {reason}")]
    InvalidConfig {
        /// The config name.
        name: String,
        /// The rejected value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A partition count of 0: a topic has at least one partition.
    #[error("number of partitions must be at least 1, got {count}")]
    InvalidPartitions {
        /// The rejected count.
        count: u32,
    },
    /// The record names a partition the topic does not have (Kafka's producer: "Invalid
    /// partition given with record").
    #[error(
        "invalid partition given with record: {partition} is not in the range [0...{num_partitions}) of topic '{topic}'"
    )]
    PartitionOutOfRange {
        /// The record's topic.
        topic: String,
        /// The partition the record named.
        partition: i32,
        /// How many partitions the topic has.
        num_partitions: u32,
    },
}

impl KafkaError for PartitionerError {
    fn error_code(&self) -> ErrorCode {
        match self {
            Self::InvalidConfig { .. } => ErrorCode::InvalidConfig,
            Self::InvalidPartitions { .. } => ErrorCode::InvalidPartitions,
            Self::PartitionOutOfRange { .. } => ErrorCode::UnknownTopicOrPartition,
        }
    }
}

/// A topic's current sticky partition (Kafka's `StickyPartitionInfo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StickyPartition {
    /// Where keyless records of the topic go now.
    pub partition: u32,
    /// Bytes sent to `partition` since it was picked.
    pub produced_bytes: u64,
    /// How many times the topic switched partition (0 until the first switch). A switch may
    /// pick the same partition again, as in Kafka.
    pub switches: u64,
}

/// Chooses partitions for one producer: the explicit partition when the record names one, by
/// key when there is one (unless keys are ignored), and by the [`KeylessStrategy`] otherwise.
///
/// State is per topic, as in Kafka: one round-robin counter and one sticky partition each.
#[derive(Clone, Debug)]
pub struct Partitioner {
    config: PartitionerConfig,
    prng: Prng,
    /// Kafka's `RoundRobinPartitioner` keeps one counter per topic, starting at 0.
    round_robin: BTreeMap<String, u32>,
    /// Kafka's built-in partitioner keeps one sticky partition per topic.
    sticky: BTreeMap<String, StickyPartition>,
    /// Partitions without a leader, per topic; never chosen while another one has a leader.
    leaderless: BTreeMap<String, BTreeSet<u32>>,
}

impl Default for Partitioner {
    fn default() -> Self {
        Self::new()
    }
}

impl Partitioner {
    /// Keys by hash, keyless records round-robin per topic with every counter at 0
    /// ([`PartitionerConfig::keyed_or_round_robin`]). Kafka's default producer is
    /// `Partitioner::with_config(PartitionerConfig::default())`.
    pub fn new() -> Self {
        Self::with_config(PartitionerConfig::keyed_or_round_robin())
    }

    /// A partitioner with `config`, its counters at 0 and no sticky partition picked yet.
    pub fn with_config(config: PartitionerConfig) -> Self {
        Self {
            config,
            prng: Prng::new(config.seed),
            round_robin: BTreeMap::new(),
            sticky: BTreeMap::new(),
            leaderless: BTreeMap::new(),
        }
    }

    /// The settings this partitioner was built with.
    pub fn config(&self) -> &PartitionerConfig {
        &self.config
    }

    /// The current sticky partition of `topic`, if a keyless record picked one. A getter: it
    /// never picks one (unlike Kafka's `peekCurrentPartitionInfo`).
    pub fn sticky_partition(&self, topic: &str) -> Option<StickyPartition> {
        self.sticky.get(topic).copied()
    }

    /// Marks exactly `partitions` of `topic` as having no leader (replacing any earlier set;
    /// empty clears it). Round-robin and sticky picks skip them while another partition has a
    /// leader, and fall back to all partitions when none has (as Kafka). Keyed records and
    /// explicit partitions ignore leadership, as in Kafka. A sticky partition that loses its
    /// leader is kept until its next switch, as in Kafka.
    pub fn set_leaderless(&mut self, topic: &str, partitions: impl IntoIterator<Item = u32>) {
        let set: BTreeSet<u32> = partitions.into_iter().collect();
        if set.is_empty() {
            self.leaderless.remove(topic);
        } else {
            self.leaderless.insert(topic.to_owned(), set);
        }
    }

    /// The partition for a record of `topic` (which has `num_partitions` partitions) that names
    /// none. For the sticky strategy, the record counts as 1 byte: prefer
    /// [`Partitioner::partition_record`], which takes its size.
    ///
    /// # Panics
    /// If `num_partitions` is 0.
    pub fn partition(&mut self, topic: &str, num_partitions: u32, key: Option<&[u8]>) -> u32 {
        assert!(num_partitions > 0, "a topic has at least one partition");
        self.choose(topic, num_partitions, key, 1)
    }

    /// The partition for one record of `topic`, which has `num_partitions` partitions.
    ///
    /// `explicit` is the partition the record names, if any; it wins over everything and must
    /// exist. `record_size_bytes` is what the record adds to its batch (Kafka counts the
    /// growth of the batch's estimated size, so the first record of a batch also carries the
    /// 61-byte batch header); only records placed by the sticky strategy count it.
    ///
    /// # Errors
    /// [`PartitionerError::InvalidPartitions`] if `num_partitions` is 0;
    /// [`PartitionerError::PartitionOutOfRange`] if `explicit` is negative or too large. On
    /// error nothing changes.
    pub fn partition_record(
        &mut self,
        topic: &str,
        num_partitions: u32,
        explicit: Option<i32>,
        key: Option<&[u8]>,
        record_size_bytes: usize,
    ) -> Result<u32, PartitionerError> {
        if num_partitions == 0 {
            return Err(PartitionerError::InvalidPartitions { count: 0 });
        }
        if let Some(partition) = explicit {
            return u32::try_from(partition)
                .ok()
                .filter(|p| *p < num_partitions)
                .ok_or_else(|| PartitionerError::PartitionOutOfRange {
                    topic: topic.to_owned(),
                    partition,
                    num_partitions,
                });
        }
        Ok(self.choose(topic, num_partitions, key, record_size_bytes as u64))
    }

    /// Places a record that names no partition. `num_partitions > 0`.
    fn choose(&mut self, topic: &str, num_partitions: u32, key: Option<&[u8]>, bytes: u64) -> u32 {
        debug_assert!(num_partitions > 0);
        let partition = match (key, self.config.ignore_keys) {
            (Some(key), false) => partition_for_key(key, num_partitions),
            _ => match self.config.keyless {
                KeylessStrategy::RoundRobin => self.round_robin(topic, num_partitions),
                KeylessStrategy::Sticky { batch_size } => {
                    self.sticky(topic, num_partitions, batch_size, bytes)
                }
            },
        };
        assert!(
            partition < num_partitions,
            "chose a partition the topic has"
        );
        partition
    }

    /// Kafka's `RoundRobinPartitioner.partition`.
    fn round_robin(&mut self, topic: &str, num_partitions: u32) -> u32 {
        let counter = match self.round_robin.get_mut(topic) {
            Some(counter) => counter,
            None => self.round_robin.entry(topic.to_owned()).or_insert(0),
        };
        let next = *counter;
        // Java's `AtomicInteger.getAndIncrement` wraps from i32::MAX to i32::MIN: same bits.
        *counter = counter.wrapping_add(1);
        let index = to_positive(next as i32) as u32;
        pick(index, num_partitions, self.leaderless.get(topic))
    }

    /// Kafka's `BuiltInPartitioner`: `peekCurrentPartitionInfo`, then `updatePartitionInfo`
    /// with `enableSwitch = true`.
    fn sticky(&mut self, topic: &str, num_partitions: u32, batch_size: u32, bytes: u64) -> u32 {
        let leaderless = self.leaderless.get(topic);
        let current = match self.sticky.get(topic) {
            // Partitions only grow; a stale pick (the host shrank the topic) is replaced.
            Some(sticky) if sticky.partition < num_partitions => *sticky,
            previous => StickyPartition {
                partition: random_pick(&mut self.prng, num_partitions, leaderless),
                produced_bytes: 0,
                switches: previous.map_or(0, |p| p.switches + 1),
            },
        };
        let produced_bytes = current.produced_bytes.saturating_add(bytes);
        let next = if sticky_switch_due(produced_bytes, batch_size, true) {
            StickyPartition {
                partition: random_pick(&mut self.prng, num_partitions, leaderless),
                produced_bytes: 0,
                switches: current.switches + 1,
            }
        } else {
            StickyPartition {
                produced_bytes,
                ..current
            }
        };
        debug_assert!(next.partition < num_partitions);
        debug_assert!(next.produced_bytes < u64::from(batch_size.max(1)));
        self.sticky.insert(topic.to_owned(), next);
        current.partition
    }
}

/// Kafka's `BuiltInPartitioner.nextPartition` without load stats:
/// `toPositive(random.nextInt())` indexes the partitions with a leader.
fn random_pick(prng: &mut Prng, num_partitions: u32, leaderless: Option<&BTreeSet<u32>>) -> u32 {
    let random = to_positive(prng.next_u32() as i32) as u32;
    pick(random, num_partitions, leaderless)
}

/// `available[index % available.len()]`, where `available` lists the partitions with a leader
/// in partition order; `index % num_partitions` when none has a leader (Kafka's fallback).
fn pick(index: u32, num_partitions: u32, leaderless: Option<&BTreeSet<u32>>) -> u32 {
    let Some(leaderless) = leaderless.filter(|set| !set.is_empty()) else {
        return index % num_partitions;
    };
    let available: Vec<u32> = (0..num_partitions)
        .filter(|p| !leaderless.contains(p))
        .collect();
    match available.len() {
        0 => index % num_partitions,
        len => available[index as usize % len],
    }
}

/// A key whose partition changes when its topic's partition count does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMove {
    /// The record key.
    pub key: Vec<u8>,
    /// Its partition with the old count.
    pub from: u32,
    /// Its partition with the new count.
    pub to: u32,
}

/// The keys, among `keys`, whose partition ([`partition_for_key`]) differs between
/// `old_partitions` and `new_partitions`: deduplicated, in first-seen order.
///
/// This is why Kafka warns that adding partitions breaks per-key ordering for existing keys:
/// `toPositive(murmur2(key)) % n` changes with `n` for most keys (only a key whose hash modulo
/// both counts agrees stays). Applies to the built-in partitioner with keys not ignored.
///
/// ```
/// use rill_core::partitioner::keys_that_move;
/// // Kafka's "a" hashes to 584102524: partition 1 of 3, 0 of 4.
/// let moves = keys_that_move([b"a".as_slice(), b"a".as_slice()], 3, 4).expect("counts > 0");
/// assert_eq!(moves.len(), 1);
/// assert_eq!((moves[0].from, moves[0].to), (1, 0));
/// ```
///
/// # Errors
/// [`PartitionerError::InvalidPartitions`] if either count is 0.
pub fn keys_that_move<'a>(
    keys: impl IntoIterator<Item = &'a [u8]>,
    old_partitions: u32,
    new_partitions: u32,
) -> Result<Vec<KeyMove>, PartitionerError> {
    let mut moves = Vec::new();
    for_each_distinct_key(keys, old_partitions, new_partitions, |key, from, to| {
        if from != to {
            moves.push(KeyMove {
                key: key.to_vec(),
                from,
                to,
            });
        }
    })?;
    Ok(moves)
}

/// How many distinct keys move when a topic goes from one partition count to another.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyMoveSummary {
    /// Distinct keys examined.
    pub keys: usize,
    /// Distinct keys whose partition changes.
    pub moved: usize,
    /// Moved keys per `(from, to)` partition pair.
    pub by_route: BTreeMap<(u32, u32), usize>,
}

/// The counts behind [`keys_that_move`], without copying keys.
///
/// # Errors
/// [`PartitionerError::InvalidPartitions`] if either count is 0.
pub fn summarize_key_moves<'a>(
    keys: impl IntoIterator<Item = &'a [u8]>,
    old_partitions: u32,
    new_partitions: u32,
) -> Result<KeyMoveSummary, PartitionerError> {
    let mut summary = KeyMoveSummary::default();
    for_each_distinct_key(keys, old_partitions, new_partitions, |_, from, to| {
        summary.keys += 1;
        if from != to {
            summary.moved += 1;
            *summary.by_route.entry((from, to)).or_insert(0) += 1;
        }
    })?;
    debug_assert_eq!(summary.moved, summary.by_route.values().sum::<usize>());
    Ok(summary)
}

/// Calls `visit(key, old partition, new partition)` once per distinct key, in first-seen order.
fn for_each_distinct_key<'a>(
    keys: impl IntoIterator<Item = &'a [u8]>,
    old_partitions: u32,
    new_partitions: u32,
    mut visit: impl FnMut(&'a [u8], u32, u32),
) -> Result<(), PartitionerError> {
    for count in [old_partitions, new_partitions] {
        if count == 0 {
            return Err(PartitionerError::InvalidPartitions { count });
        }
    }
    let mut seen: BTreeSet<&'a [u8]> = BTreeSet::new();
    for key in keys {
        if seen.insert(key) {
            let hash = to_positive(murmur2(key)) as u32;
            visit(key, hash % old_partitions, hash % new_partitions);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The vectors of Apache Kafka's `UtilsTest.testMurmur2`.
    #[test]
    fn murmur2_matches_kafka_utils_test() {
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            (&[0x61, 0x62, 0x63], 479_470_107),
        ];
        for (input, expected) in cases {
            assert_eq!(
                murmur2(input),
                expected,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn to_positive_clears_sign_bit() {
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(-1), i32::MAX);
        assert_eq!(to_positive(5), 5);
    }

    #[test]
    fn keyless_records_round_robin_per_topic() {
        let mut p = Partitioner::new();
        let a: Vec<u32> = (0..7).map(|_| p.partition("a", 3, None)).collect();
        assert_eq!(a, [0, 1, 2, 0, 1, 2, 0]);
        assert_eq!(
            p.partition("b", 3, None),
            0,
            "each topic has its own counter"
        );
        assert_eq!(p.partition("a", 3, None), 1);
    }

    #[test]
    fn keyed_records_follow_murmur2() {
        let mut p = Partitioner::new();
        for key in ["orders-1", "user-42", "ünïcødé", ""] {
            let expected = to_positive(murmur2(key.as_bytes())) as u32 % 7;
            assert_eq!(p.partition("t", 7, Some(key.as_bytes())), expected);
        }
    }

    #[test]
    fn round_robin_counter_wraps_like_java() {
        let mut p = Partitioner::new();
        p.round_robin.insert("t".into(), i32::MAX as u32);
        assert_eq!(p.partition("t", 3, None), (i32::MAX as u32) % 3);
        // i32::MIN: toPositive gives 0.
        assert_eq!(p.partition("t", 3, None), 0);
    }
}
