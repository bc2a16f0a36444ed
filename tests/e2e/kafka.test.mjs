// End-to-end test of the KafkaJS-shaped `Rill` API in a real page, on the real clock: a
// KafkaJS-style script (admin → producer → consumer.run with eachMessage) runs against a
// 3-broker replicated cluster in `clock: 'realtime'`, where the page's clock drives the
// cluster (setTimeout when something is due). Every record produced must reach the consumer
// exactly once, in order per partition, on the partition Kafka's murmur2 picks for its key.
//
// Env: BASE_URL (required) — URL of the built site (it serves rill_wasm.js).
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
import test from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';
import { partitionForKey } from './murmur2.mjs';

const PAGE_PATH = 'e2e-kafka.html';
const PAGE_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rill KafkaJS-style script</title>
<link rel="icon" href="data:,"></head><body><pre id="out">running</pre>
<script type="module">
  import init, { Rill } from './rill_wasm.js';
  // Counts the timers the page sets, to check the host sleeps between due events.
  let timers = 0;
  const setTimeoutOriginal = window.setTimeout;
  window.setTimeout = (...args) => { timers++; return setTimeoutOriginal(...args); };
  window.result = (async () => {
    await init({ module_or_path: './rill_wasm_bg.wasm' });
    const kafka = await Rill.open({ name: 'e2e', storage: 'memory', brokers: 3, clock: 'realtime' });
    const elections = [];
    kafka.on('leaderElected', (e) => elections.push(e));
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }] });
    // createTopics waited for the leaders (waitForLeaders, the realtime default).
    const fresh = await admin.fetchTopicOffsets('orders');
    if (fresh.map((o) => o.high).join() !== '0,0,0') throw new Error('fresh offsets: ' + JSON.stringify(fresh));

    const consumer = kafka.consumer({ groupId: 'e2e-group', partitionAssigners: ['cooperative-sticky'] });
    const received = [];
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => { joined = true; });
    await consumer.connect();
    await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        received.push({ topic, partition, offset: message.offset, key: message.key.toString(), value: message.value.toString() });
      },
    });

    const producer = kafka.producer();
    await producer.connect();
    const sent = [];
    for (let batch = 0; batch < 5; batch++) {
      const messages = Array.from({ length: 10 }, (_, i) => ({ key: 'user-' + ((batch * 10 + i) % 7), value: 'v' + (batch * 10 + i) }));
      const metadata = await producer.send({ topic: 'orders', acks: -1, messages });
      sent.push(...metadata);
    }
    const started = performance.now();
    while (received.length < 50 && performance.now() - started < 60000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const before = timers;
    await new Promise((resolve) => setTimeoutOriginal(resolve, 2000));
    const idleWakeups = timers - before;
    const offsets = await admin.fetchTopicOffsets('orders');
    await consumer.disconnect();
    await producer.disconnect();
    const clockMoved = kafka.now() > 0;
    await kafka.disconnect();
    document.getElementById('out').textContent = 'done';
    return { received, sent, offsets, joined, elections: elections.length, clockMoved, idleWakeups };
  })().catch((e) => ({ error: String(e?.stack ?? e), type: e?.type }));
</script></body></html>`;

test('a KafkaJS-style producer and consumer.run on the realtime clock', { timeout: 120_000 }, async () => {
  const baseUrl = process.env.BASE_URL;
  assert.ok(baseUrl, 'BASE_URL is set');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: LAUNCH_ARGS,
  });
  try {
    const context = await browser.newContext();
    await context.route(new URL(PAGE_PATH, baseUrl).href, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: PAGE_HTML }),
    );
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err.stack ?? err)));
    await page.goto(new URL(PAGE_PATH, baseUrl).href);
    await page.waitForFunction(() => window.result !== undefined, undefined, { timeout: 30_000 });
    const result = await page.evaluate(() => window.result);
    assert.equal(result.error, undefined, `the script failed: ${result.type} ${result.error}`);
    assert.deepEqual(errors, [], 'no page errors');
    assert.ok(result.joined, 'consumer.group_join was emitted');
    assert.ok(result.clockMoved, 'the cluster follows the page clock');
    assert.ok(result.elections >= 3, 'leaderElected events for the new partitions');
    // Idle, the host wakes only for the cluster's own timers (heartbeats, fetch waits), never
    // in a busy loop: a few dozen wake-ups in 2 s, not thousands.
    assert.ok(result.idleWakeups > 0 && result.idleWakeups < 200, `idle wake-ups in 2 s: ${result.idleWakeups}`);

    // Every record exactly once, on murmur2's partition, in offset order per partition.
    assert.equal(result.received.length, 50, 'every record received once');
    const values = result.received.map((r) => r.value).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    assert.deepEqual(values, Array.from({ length: 50 }, (_, n) => 'v' + n), 'no duplicate, none missing');
    for (const r of result.received) {
      assert.equal(r.topic, 'orders');
      assert.equal(r.partition, partitionForKey(r.key, 3), `partition of key ${r.key}`);
    }
    for (let p = 0; p < 3; p++) {
      const offsets = result.received.filter((r) => r.partition === p).map((r) => Number(r.offset));
      assert.deepEqual(offsets, offsets.map((_, i) => i), `partition ${p} read in order from 0`);
      assert.equal(result.offsets[p].high, String(offsets.length), `high watermark of partition ${p}`);
    }
    assert.ok(result.sent.length >= 5 && result.sent.length <= 15, 'one result per partition per send');
    for (const m of result.sent) {
      assert.equal(m.topicName, 'orders');
      assert.equal(m.errorCode, 0);
      assert.match(m.baseOffset, /^\d+$/);
    }
  } finally {
    await browser.close();
  }
});
