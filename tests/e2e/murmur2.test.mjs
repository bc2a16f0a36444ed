// Self-check of murmur2.mjs against the vectors in Kafka's UtilsTest.testMurmur2.
import test from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, toPositive, partitionForKey } from './murmur2.mjs';

const utf8 = (s) => new TextEncoder().encode(s);

test('murmur2 matches Kafka UtilsTest vectors', () => {
  const cases = [
    [utf8('21'), -973932308],
    [utf8('foobar'), -790332482],
    [utf8('a-little-bit-long-string'), -985981536],
    [utf8('a-little-bit-longer-string'), -1486304829],
    [utf8('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
    [new Uint8Array([0x61, 0x62, 0x63]), 479470107],
  ];
  for (const [input, expected] of cases) {
    assert.equal(murmur2(input), expected, `murmur2(${JSON.stringify(new TextDecoder().decode(input))})`);
  }
});

test('murmur2 accepts plain byte arrays', () => {
  assert.equal(murmur2([0x61, 0x62, 0x63]), 479470107);
});

test('toPositive clears the sign bit', () => {
  assert.equal(toPositive(-1), 0x7fffffff);
  assert.equal(toPositive(-2147483648), 0);
  assert.equal(toPositive(0), 0);
  assert.equal(toPositive(42), 42);
});

test('partitionForKey is toPositive(murmur2(utf8(key))) % n and stays in range', () => {
  assert.equal(partitionForKey('foobar', 3), toPositive(-790332482) % 3);
  for (const key of ['alice', 'bob', 'carol', 'dave', 'erin', 'ключ', '🦀']) {
    const p = partitionForKey(key, 3);
    assert.ok(Number.isInteger(p) && p >= 0 && p < 3, `${key} -> ${p}`);
  }
  assert.throws(() => partitionForKey('k', 0), RangeError);
});
