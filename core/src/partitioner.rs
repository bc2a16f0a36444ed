//! Kafka's producer partitioner: where a record goes when the producer does not say.
//!
//! A keyed record goes to `toPositive(murmur2(key)) % numPartitions`, byte for byte as Apache
//! Kafka's `BuiltInPartitioner.partitionForKey`, so the same key lands on the same partition
//! number here as on a real cluster. Keyless records are spread round-robin.

use std::collections::BTreeMap;

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

/// Chooses partitions for one producer: by key when there is one, round-robin per topic when
/// not, and always the explicit partition when the record names one.
#[derive(Clone, Debug, Default)]
pub struct Partitioner {
    /// Kafka's `RoundRobinPartitioner` keeps one counter per topic, starting at 0.
    round_robin: BTreeMap<String, u32>,
}

impl Partitioner {
    /// A partitioner with every round-robin counter at 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// The partition for a record of `topic` (which has `num_partitions` partitions).
    ///
    /// # Panics
    /// If `num_partitions` is 0.
    pub fn partition(&mut self, topic: &str, num_partitions: u32, key: Option<&[u8]>) -> u32 {
        assert!(num_partitions > 0, "a topic has at least one partition");
        match key {
            Some(key) => partition_for_key(key, num_partitions),
            None => {
                let counter = self.round_robin.entry(topic.to_owned()).or_insert(0);
                let next = *counter;
                *counter = counter.wrapping_add(1);
                to_positive(next as i32) as u32 % num_partitions
            }
        }
    }
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
}
