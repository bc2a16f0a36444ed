// The session never starves the page: ten consumers in three groups run on each clock while a
// page timer keeps firing and sends keep resolving, and an idle page with running consumers
// wakes only a few times per second. (Before the session, two idle consumers woke each other
// through microtasks forever: a 100 ms setInterval never fired again and, with IndexedDB, a
// send never resolved.)
//
// Env: BASE_URL (required) — URL of the built site (it serves rill_wasm.js).
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
import test from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';

const PAGE_PATH = 'e2e-starvation.html';
const PAGE_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rill starvation</title>
<link rel="icon" href="data:,"></head><body><pre id="out">running</pre>
<script type="module">
  import init, { Rill } from './rill_wasm.js';
  const setTimeoutOriginal = window.setTimeout;
  let timers = 0;
  window.setTimeout = (...args) => { timers++; return setTimeoutOriginal(...args); };
  const sleep = (ms) => new Promise((resolve) => setTimeoutOriginal(resolve, ms));

  async function run(clock, storage) {
    const name = 'starve-' + clock + '-' + storage;
    const kafka = await Rill.open({ name, storage, brokers: 1, clock });
    // The manual clock moves only when the page says so: a page loop advances it.
    let advancing = clock === 'manual';
    const advanceLoop = (async () => {
      while (advancing) { await kafka.advance(25); await sleep(20); }
    })();
    const admin = kafka.admin();
    await admin.createTopics({ topics: [{ topic: 'quiet', numPartitions: 4, replicationFactor: 1 }] });
    const consumers = [];
    for (let i = 0; i < 10; i++) {
      const consumer = kafka.consumer({ groupId: 'g' + (i % 3) });
      await consumer.subscribe({ topics: ['quiet'], fromBeginning: true });
      await consumer.run({ eachMessage: async () => {} });
      consumers.push(consumer);
    }
    // A page timer at 10 per second keeps firing while the consumers run.
    let ticks = 0;
    const interval = setInterval(() => { ticks++; }, 100);
    await sleep(2000);
    const ticksIn2s = ticks;
    // Sends keep resolving.
    const producer = kafka.producer();
    const sendStarted = performance.now();
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic: 'quiet', acks: 1, messages: [{ key: 'k' + i, value: 'v' }] });
    }
    const sendMs = performance.now() - sendStarted;
    // Idle: how often does the page wake up now? (Realtime only: the manual clock's own
    // advance loop is the page's doing.)
    let idleWakeupsPerSecond = null;
    if (clock === 'realtime') {
      await sleep(1000);
      const before = timers;
      await sleep(2000);
      idleWakeupsPerSecond = (timers - before) / 2;
    }
    clearInterval(interval);
    for (const consumer of consumers) await consumer.disconnect();
    advancing = false;
    await advanceLoop;
    await kafka.disconnect();
    return { clock, storage, ticksIn2s, sendMs, idleWakeupsPerSecond };
  }

  window.result = (async () => {
    await init({ module_or_path: './rill_wasm_bg.wasm' });
    const results = [];
    for (const [clock, storage] of [['realtime', 'memory'], ['realtime', 'indexeddb'], ['manual', 'memory'], ['manual', 'indexeddb']]) {
      results.push(await run(clock, storage));
    }
    document.getElementById('out').textContent = JSON.stringify(results, null, 1);
    return { results };
  })().catch((e) => ({ error: String(e?.stack ?? e), type: e?.type }));
</script></body></html>`;

test('ten running consumers never starve the page, on either clock', { timeout: 120_000 }, async () => {
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
    await page.waitForFunction(() => window.result !== undefined, undefined, { timeout: 100_000 });
    const result = await page.evaluate(() => window.result);
    assert.equal(result.error, undefined, `the script failed: ${result.type} ${result.error}`);
    assert.deepEqual(errors, [], 'no page errors');
    for (const r of result.results) {
      const what = `${r.clock}/${r.storage}`;
      console.log(`# ${what}: ${r.ticksIn2s} page ticks in 2 s, 5 sends in ${r.sendMs.toFixed(0)} ms, idle wake-ups/s ${r.idleWakeupsPerSecond}`);
      assert.ok(r.ticksIn2s >= 16, `${what}: the page's 10/s timer fired ${r.ticksIn2s} times in 2 s`);
      assert.ok(r.sendMs < 20_000, `${what}: sends resolved (${r.sendMs} ms)`);
      if (r.idleWakeupsPerSecond !== null) {
        // Ten idle consumers: a parked fetch each per fetch.max.wait.ms (500 ms), heartbeats
        // every 3 s. Not a busy loop: tens per second at most, not thousands.
        assert.ok(r.idleWakeupsPerSecond <= 40, `${what}: ${r.idleWakeupsPerSecond} wake-ups per second while idle`);
      }
    }
  } finally {
    await browser.close();
  }
});
