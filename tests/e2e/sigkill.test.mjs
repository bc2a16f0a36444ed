// End-to-end crash test of IndexedDB persistence: Chromium is killed with SIGKILL (its whole
// process group: browser, renderer and storage processes alike) in the middle of a produce loop
// that runs through rill's JavaScript API (`rill_wasm.js`, served with the site). Relaunched on
// the same profile, the same store must hold every record whose produce was acknowledged
// before the kill, intact and at its offset. Records produced but not acknowledged may or may
// not be there; whatever is there must be exactly what was produced at that offset (nothing
// torn, nothing invented), with no gap below the log end. Several rounds: each one recovers,
// checks, produces on from the recovered end, and is killed again.
//
// The page logs each acknowledgement (`ack [[offset, value], …]`) to the console; the test
// records those it received before the kill. An acknowledgement the page made but the test
// did not see in time only weakens the check (fewer records required), never fails it.
//
// Env: BASE_URL (required) — URL of the built site (it serves rill_wasm.js).
//      SCREENSHOT_DIR (optional) — defaults to <repo>/target/e2e-screenshots.
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
//      KEEP_PROFILE (optional) — keep the browser profile (its IndexedDB) after the test.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jitter, killGroup, launch, rillPage, screenshotDir, shutdown } from './crash.mjs';

const STORE = 'sigkill-e2e';
const TOPIC = 'acks';
/** Messages per produce call, and produce calls kept in flight. */
const BATCH = 10;
const IN_FLIGHT = 4;
/** Kill rounds; each waits for this many acknowledged records (counted from its start) first. */
const ROUNDS = 3;
const ACKED_BEFORE_KILL = 300;

/** The value produced at `offset`: a deterministic, variable-length text, so any record can be checked. */
function valueAt(offset) {
  return `record-${offset}:${'abcdefghijklmnopqrstuvwxyz'.repeat(1 + (offset % 7)).slice(0, 10 + ((offset * 37) % 150))}`;
}

/** The page the test drives, served at BASE_URL + this path by request interception. */
const PAGE = { pagePath: 'e2e-sigkill.html', html: rillPage('rill: SIGKILL in a produce loop', 'RillBroker'), exported: 'RillBroker' };

/** Opens the store in the page and reads the whole topic back: `{ topics, records: [[offset, value]], highWatermark }`. */
async function recoverInPage(page) {
  return page.evaluate(
    async ({ store, topic }) => {
      const rill = await window.RillBroker.open({ name: store, storage: 'indexeddb' });
      window.rill = rill;
      const topics = rill.listTopics().map((t) => t.name);
      const records = [];
      let highWatermark = 0;
      if (topics.includes(topic)) {
        for (let offset = 0; ; ) {
          const fetched = rill.fetch({ topic, partition: 0, offset, maxBytes: 1 << 20 });
          highWatermark = fetched.highWatermark;
          for (const r of fetched.records) records.push([r.offset, r.value]);
          if (fetched.records.length === 0 || offset >= fetched.highWatermark) break;
          offset = fetched.records[fetched.records.length - 1].offset + 1;
          if (offset >= fetched.highWatermark) break;
        }
      }
      return { topics, records, highWatermark };
    },
    { store: STORE, topic: TOPIC },
  );
}

/**
 * Starts the produce loop in the page (it runs until the browser dies): `inFlight` produce
 * calls of `batch` messages kept going, each acknowledgement logged as `ack [[offset, value]…]`.
 */
async function startProducing(page, from) {
  await page.evaluate(
    ({ topic, batch, inFlight, from, valueAtSource }) => {
      const valueAt = new Function(`return (${valueAtSource})`)();
      const rill = window.rill;
      let next = from;
      const status = document.getElementById('status');
      const one = async () => {
        for (;;) {
          const first = next;
          next += batch;
          const values = Array.from({ length: batch }, (_, i) => valueAt(first + i));
          const acks = await rill.produce({ topic, messages: values.map((value) => ({ value, partition: 0 })) });
          console.log(`ack ${JSON.stringify(acks.map((a, i) => [a.offset, values[i]]))}`);
          status.textContent = `acknowledged up to offset ${acks[acks.length - 1].offset}`;
        }
      };
      for (let i = 0; i < inFlight; i++) {
        one().catch((e) => console.log(`produce failed: ${e?.type ?? ''} ${e?.message ?? e}`));
      }
    },
    { topic: TOPIC, batch: BATCH, inFlight: IN_FLIGHT, from, valueAtSource: valueAt.toString() },
  );
}

test('SIGKILL in a produce loop: every acknowledged record survives, intact, at its offset', { timeout: 300_000 }, async (t) => {
  assert.ok(process.env.BASE_URL, 'BASE_URL is required: set it to the URL of the built site, e.g. BASE_URL=http://127.0.0.1:8080/');
  await mkdir(screenshotDir, { recursive: true });
  const profile = await mkdtemp(path.join(os.tmpdir(), 'rill-sigkill-'));
  t.after(() => (process.env.KEEP_PROFILE ? console.error(`profile kept: ${profile}`) : rm(profile, { recursive: true, force: true })));

  /** offset → value of every acknowledgement the test saw, over all rounds. */
  const acked = new Map();
  let chrome;
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      chrome = await launch(profile, PAGE);
      const { page } = chrome;
      const recovered = await recoverInPage(page);
      // Chromium deletes an IndexedDB store it finds corrupt after the kill (see
      // sigkill-cluster.test.mjs): nothing could have survived; the test starts afresh.
      const discarded =
        round > 0 && !recovered.topics.includes(TOPIC) && (await chrome.browserDiscardedStore());
      if (discarded) {
        t.diagnostic(`round ${round}: Chromium found its IndexedDB corrupt after the kill and deleted it; starting afresh`);
        acked.clear();
      }
      const fresh = round === 0 || discarded;

      if (!fresh) assert.deepEqual(recovered.topics, [TOPIC], `round ${round}: the topic survives`);
      // Every acknowledged record is there, at its offset, with its value.
      const stored = new Map(recovered.records);
      let missing = 0;
      for (const [offset, value] of acked) {
        if (!stored.has(offset)) missing++;
        else assert.equal(stored.get(offset), value, `round ${round}: the record acknowledged at offset ${offset} is intact`);
      }
      assert.equal(missing, 0, `round ${round}: ${missing} of ${acked.size} acknowledged records are missing`);
      // Whatever is stored is what was produced at that offset, with no gap from offset 0.
      recovered.records.forEach(([offset, value], i) => {
        assert.equal(offset, i, `round ${round}: offsets are contiguous from 0`);
        assert.equal(value, valueAt(offset), `round ${round}: the record at offset ${offset} is the one produced there`);
      });
      assert.equal(recovered.highWatermark, recovered.records.length, `round ${round}: the high watermark is the end of the records read`);
      const maxAcked = Math.max(-1, ...acked.keys());
      t.diagnostic(
        `round ${round}: recovered ${recovered.records.length} records; ` +
          `${acked.size} acknowledged before the kills (up to offset ${maxAcked}); ` +
          `${recovered.records.length - 1 - maxAcked} unacknowledged survived`,
      );

      if (round === ROUNDS) {
        await page.evaluate(
          ({ round, records, acked }) => {
            document.getElementById('status').textContent =
              `after ${round} kills: ${records} records recovered, all ${acked} acknowledged ones intact at their offsets`;
          },
          { round, records: recovered.records.length, acked: acked.size },
        );
        await page.screenshot({ path: path.join(screenshotDir, 'sigkill-recovered.png'), fullPage: true });
        await page.evaluate(() => window.rill.close());
        await shutdown(chrome);
        chrome = undefined;
        break;
      }

      if (fresh) {
        assert.deepEqual(recovered.topics, [], 'a fresh profile holds no topic');
        await page.evaluate((topic) => window.rill.createTopic({ topic, numPartitions: 1 }), TOPIC);
      }
      const ackedThisRound = new Set();
      let failure;
      let reached;
      const enough = new Promise((resolve) => (reached = resolve));
      page.on('console', (msg) => {
        const text = msg.text();
        if (text.startsWith('ack ')) {
          for (const [offset, value] of JSON.parse(text.slice(4))) {
            acked.set(offset, value);
            ackedThisRound.add(offset);
          }
          if (ackedThisRound.size >= ACKED_BEFORE_KILL) reached();
        } else if (text.startsWith('produce failed')) {
          failure = text;
          reached();
        }
      });
      await startProducing(page, recovered.records.length);
      await enough;
      assert.equal(failure, undefined, `round ${round}: the produce loop failed before the kill`);
      // Kill at a point the loop does not choose: a few milliseconds later, mid-flush or not.
      await jitter(20);
      await killGroup(chrome);
      chrome = undefined;
    }
  } catch (err) {
    if (chrome) {
      console.error(`--- page diagnostics ---\n${chrome.logs.join('\n') || '(none)'}`);
      await chrome.page
        .screenshot({ path: path.join(screenshotDir, 'sigkill-failure.png'), fullPage: true })
        .catch(() => {});
    }
    throw err;
  } finally {
    if (chrome) await shutdown(chrome);
  }
});
