// End-to-end test of reopening a stored cluster after a browser relaunch (issue 17): the
// recovered brokers learn that they lead only when the controller's metadata reaches them, a
// few cluster milliseconds after `Rill.open` resolves. An admin call made at once meets
// `NOT_LEADER_OR_FOLLOWER`, which is retriable: the admin retries it after Kafka's
// `retry.backoff.ms`, as Kafka's admin client does, so `fetchTopicOffsets` right after the open
// answers with the stored offsets.
//
// Each case writes a cluster in one browser (a profile on disk), closes the browser, launches
// a new one on the same profile and, in a fresh page, opens the cluster and asks for the offsets
// at once. The cluster's network is slow (300 ms a message, stored with the cluster), so the
// open resolves well before the metadata arrives: without the retry the call fails every time,
// not only when the open happens to be faster than the network.
//
// Env: BASE_URL (required) — URL of the built site (it serves rill_wasm.js).
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';

const API_PATH = 'e2e-reopen-api.html';
const API_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rill reopen</title>
<link rel="icon" href="data:,"></head><body>
<script type="module">
  import init, { Rill } from './rill_wasm.js';
  window.rillReady = init({ module_or_path: './rill_wasm_bg.wasm' }).then(() => { window.Rill = Rill; });
</script></body></html>`;

/** A browser on `profile` (on disk: IndexedDB survives the relaunch) with the API page open. */
async function openApiPage(profile, baseUrl) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: LAUNCH_ARGS,
    headless: true,
  });
  const url = new URL(API_PATH, baseUrl).href;
  await context.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: API_HTML }));
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(60_000);
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err.stack ?? err)));
  await page.goto(url);
  await page.evaluate(() => window.rillReady);
  return { context, page, errors };
}

for (const brokers of [1, 3]) {
  test(`Rill.open of a stored ${brokers}-broker cluster after a relaunch, then fetchTopicOffsets at once`, { timeout: 120_000 }, async () => {
    const baseUrl = process.env.BASE_URL;
    assert.ok(baseUrl, 'BASE_URL is required: the URL of the built site');
    const profile = await mkdtemp(path.join(os.tmpdir(), 'rill-e2e-reopen-'));
    const name = `e2e-reopen-${brokers}`;
    try {
      const first = await openApiPage(profile, baseUrl);
      const written = await first.page.evaluate(
        async ({ name, brokers }) => {
          const kafka = await window.Rill.open({ name, storage: 'indexeddb', brokers, clock: 'realtime', latency: { baseMs: 300, jitterMs: 0 } });
          const admin = kafka.admin();
          await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2, replicationFactor: brokers }], waitForLeaders: true });
          const producer = kafka.producer();
          for (let i = 0; i < 3; i++) {
            await producer.send({ topic: 'orders', acks: -1, messages: Array.from({ length: 10 }, (_, j) => ({ key: `k${i}-${j}`, value: `v${i}-${j}` })) });
          }
          const offsets = await admin.fetchTopicOffsets('orders');
          kafka.close();
          return offsets;
        },
        { name, brokers },
      );
      assert.equal(written.reduce((sum, o) => sum + Number(o.high), 0), 30, 'thirty records written');
      assert.deepEqual(first.errors, []);
      await first.context.close();

      const second = await openApiPage(profile, baseUrl);
      const reopened = await second.page.evaluate(async (name) => {
        const kafka = await window.Rill.open({ name, storage: 'indexeddb', clock: 'realtime' });
        try {
          // At once: no wait for the recovered leaders.
          return { offsets: await kafka.admin().fetchTopicOffsets('orders') };
        } catch (e) {
          return { error: `${e.type}: ${e.message}` };
        } finally {
          kafka.close();
        }
      }, name);
      assert.equal(reopened.error, undefined, 'fetchTopicOffsets right after the open');
      assert.deepEqual(reopened.offsets, written, 'the stored offsets');
      assert.deepEqual(second.errors, []);
      await second.context.close();
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });
}
