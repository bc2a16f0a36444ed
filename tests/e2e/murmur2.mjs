// Independent JavaScript port of Apache Kafka's default partitioner hash
// (org.apache.kafka.common.utils.Utils.murmur2 / toPositive), used by the
// end-to-end tests as an oracle for which partition a keyed record lands in.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's `Utils.murmur2(byte[])`: 32-bit MurmurHash2, returned as a signed int32. */
export function murmur2(bytes) {
  const data = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  const length = data.length;
  let h = (SEED ^ length) | 0;

  // Body: little-endian 4-byte blocks.
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (data[i4] & 0xff) |
      ((data[i4 + 1] & 0xff) << 8) |
      ((data[i4 + 2] & 0xff) << 16) |
      ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }

  // Tail: the last 1-3 bytes (Java's switch with fall-through).
  const tail = length & ~3;
  switch (length % 4) {
    case 3:
      h ^= (data[tail + 2] & 0xff) << 16;
    // falls through
    case 2:
      h ^= (data[tail + 1] & 0xff) << 8;
    // falls through
    case 1:
      h ^= data[tail] & 0xff;
      h = Math.imul(h, M);
  }

  // Final avalanche.
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not Math.abs). */
export function toPositive(n) {
  return n & 0x7fffffff;
}

/** Partition Kafka's default partitioner picks for a non-null string key (UTF-8 bytes). */
export function partitionForKey(key, numPartitions) {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
  }
  return toPositive(murmur2(new TextEncoder().encode(key))) % numPartitions;
}
