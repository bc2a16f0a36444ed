// End-to-end crash test of the replicated cluster's IndexedDB persistence through the
// KafkaJS-shaped `Rill` API: a 3-broker cluster on the realtime clock, a topic with 2
// partitions and replication factor 3, a produce loop with `acks: -1` and several sends in
// flight, and a consumer group committing its progress. Chromium is killed with SIGKILL (its
// whole process group) mid-loop, relaunched on the same profile, and the cluster reopened
// (`Cluster::recover`), several rounds. After each reopen:
// - every record whose send was acknowledged before the kill is there, at its partition and
//   offset, with its value; so is every record a consumer read after the previous reopen;
// - nothing is invented: each partition reads back contiguously from offset 0 up to its high
//   watermark, every value is one the loop produced (well-formed, on its partition), none twice;
// - the group's committed offsets are at least the last commit whose promise resolved before
//   the kill, and are offsets it did commit.
//
// The page logs each acknowledgement (`ack {partition, baseOffset, values}`) and each commit
// (`commit-try {…}` before, `committed {…}` once resolved) to the console; the test counts
// those it received before the kill. One the page made but the test did not see in time only
// weakens the check, never fails it.
//
// Env: see crash.mjs (BASE_URL required; SCREENSHOT_DIR, CHROMIUM optional); KEEP_PROFILE=1
// keeps the browser profile (its IndexedDB) for a look after a failure.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jitter, killGroup, launch, rillPage, screenshotDir, shutdown } from './crash.mjs';

const STORE = 'sigkill-cluster-e2e';
const TOPIC = 'acks';
const PARTITIONS = 2;
const GROUP = 'progress';
/** Messages per send, and sends kept in flight (spread over the partitions). */
const BATCH = 5;
const IN_FLIGHT = 4;
/** Kill rounds; each waits for this many acknowledged records (counted from its start) first. */
const ROUNDS = 3;
const ACKED_BEFORE_KILL = 150;

/**
 * The value of the `seq`-th record the page produced to `partition` in `round`: its id and a
 * variable-length filler derived from the id, so any stored value can be checked.
 */
function valueOf(partition, round, seq) {
  const id = `p${partition}-r${round}-s${seq}`;
  return `${id}:${'abcdefghijklmnopqrstuvwxyz'.repeat(8).slice(0, 5 + ((seq * 37 + round * 11) % 150))}`;
}

/** `[partition, round, seq]` of a value `valueOf` made, or `undefined` for anything else. */
function parseValue(value) {
  const match = /^p(\d+)-r(\d+)-s(\d+):/.exec(value);
  if (!match) return undefined;
  const parts = match.slice(1).map(Number);
  return valueOf(...parts) === value ? parts : undefined;
}

const PAGE = { pagePath: 'e2e-sigkill-cluster.html', html: rillPage('rill: SIGKILL in a replicated produce loop', 'Rill'), exported: 'Rill' };

/**
 * Opens the cluster in the page and reads it back: the topics, `recoveryTruncated` events, the
 * group's committed offsets, the high watermarks, and every record of the topic as
 * `[partition, offset, value]`, read by a fresh group from the beginning (autoCommit off) until
 * each partition reached both its high watermark and `need[p]`.
 */
async function recoverInPage(page, round, need) {
  return page.evaluate(
    async ({ store, topic, partitions, group, round, need }) => {
      const kafka = await window.Rill.open({ name: store, storage: 'indexeddb', brokers: 3, clock: 'realtime' });
      window.kafka = kafka;
      const truncations = [];
      kafka.on('recoveryTruncated', (e) => truncations.push(e));
      const admin = kafka.admin();
      await admin.connect();
      const topics = await admin.listTopics();
      if (!topics.includes(topic)) return { topics, truncations, records: [], highs: [], committed: [] };
      const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const records = [];
      const next = Array(partitions).fill(0);
      const consumer = kafka.consumer({ groupId: `check-${round}` });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          records.push([partition, Number(message.offset), message.value.toString()]);
          next[partition] = Number(message.offset) + 1;
        },
      });
      let highs = [];
      const started = performance.now();
      for (;;) {
        const offsets = await admin.fetchTopicOffsets(topic);
        highs = offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
        const done = highs.every((high, p) => next[p] >= Math.max(high, need[p]));
        if (done || performance.now() - started > 30_000) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await consumer.disconnect();
      return { topics, truncations, records, highs, committed };
    },
    { store: STORE, topic: TOPIC, partitions: PARTITIONS, group: GROUP, round, need },
  );
}

/**
 * Starts, in the page, the produce loop (`IN_FLIGHT` sends of `BATCH` records kept going, each
 * to one partition, each acknowledgement logged) and the group `GROUP` reading the topic and
 * committing its position whenever it moved. Both run until the browser dies.
 */
async function startLoops(page, round) {
  await page.evaluate(
    async ({ topic, partitions, group, batch, inFlight, round, valueOfSource }) => {
      const valueOf = new Function(`return (${valueOfSource})`)();
      const kafka = window.kafka;
      const status = document.getElementById('status');
      const producer = kafka.producer();
      await producer.connect();
      const seq = Array(partitions).fill(0);
      let acked = 0;
      const sendLoop = async (partition) => {
        for (;;) {
          const first = seq[partition];
          seq[partition] += batch;
          const values = Array.from({ length: batch }, (_, i) => valueOf(partition, round, first + i));
          const metadata = await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition })) });
          const [m] = metadata;
          if (metadata.length !== 1 || m.partition !== partition || m.errorCode !== 0) {
            throw new Error(`unexpected metadata ${JSON.stringify(metadata)}`);
          }
          console.log(`ack ${JSON.stringify({ partition, baseOffset: Number(m.baseOffset), values })}`);
          acked += batch;
          status.textContent = `round ${round}: ${acked} records acknowledged`;
        }
      };
      for (let i = 0; i < inFlight; i++) {
        sendLoop(i % partitions).catch((e) => console.log(`produce failed: ${e?.type ?? ''} ${e?.message ?? e}`));
      }

      // The member from before the kill is still in the group until its session expires (as a
      // restarted Kafka coordinator reloads its members): Kafka's minimum session keeps the
      // wait short.
      const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 1000 });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const position = new Map();
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          position.set(partition, Number(message.offset) + 1);
        },
      });
      const commitLoop = async () => {
        let last = '';
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          const offsets = [...position].sort(([a], [b]) => a - b);
          const key = JSON.stringify(offsets);
          if (offsets.length === 0 || key === last) continue;
          console.log(`commit-try ${key}`);
          await consumer.commitOffsets(offsets.map(([partition, offset]) => ({ topic, partition, offset: String(offset) })));
          console.log(`committed ${key}`);
          last = key;
        }
      };
      commitLoop().catch((e) => console.log(`commit failed: ${e?.type ?? ''} ${e?.message ?? e}`));
    },
    { topic: TOPIC, partitions: PARTITIONS, group: GROUP, batch: BATCH, inFlight: IN_FLIGHT, round, valueOfSource: valueOf.toString() },
  );
}

test('SIGKILL in a replicated produce loop: acknowledged records and committed offsets survive', { timeout: 600_000 }, async (t) => {
  assert.ok(process.env.BASE_URL, 'BASE_URL is required: set it to the URL of the built site, e.g. BASE_URL=http://127.0.0.1:8080/');
  await mkdir(screenshotDir, { recursive: true });
  const profile = await mkdtemp(path.join(os.tmpdir(), 'rill-sigkill-cluster-'));
  t.after(() => (process.env.KEEP_PROFILE ? console.error(`profile kept: ${profile}`) : rm(profile, { recursive: true, force: true })));

  /** `${partition}/${offset}` → value of every record that must survive: acknowledged, or read back after a reopen. */
  const kept = new Map();
  /** Per partition: the last committed offset whose commit resolved, and every offset the group tried to commit. */
  const lastCommitted = Array(PARTITIONS).fill(-1);
  const tried = Array.from({ length: PARTITIONS }, () => new Set([-1]));
  let chrome;
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      chrome = await launch(profile, PAGE);
      const { page } = chrome;
      const need = Array(PARTITIONS).fill(0);
      for (const key of kept.keys()) {
        const [p, offset] = key.split('/').map(Number);
        need[p] = Math.max(need[p], offset + 1);
      }
      const recovered = await recoverInPage(page, round, need);
      // Chromium deletes an IndexedDB store it finds corrupt after the kill (its LevelDB log is
      // checked with paranoid checks, and says so on stderr): then nothing could have
      // survived, and rill must have opened the empty store cleanly; the test starts afresh.
      const discarded =
        round > 0 && !recovered.topics.includes(TOPIC) && (await chrome.browserDiscardedStore());
      if (discarded) {
        t.diagnostic(`round ${round}: Chromium found its IndexedDB corrupt after the kill and deleted it; starting afresh`);
        kept.clear();
        lastCommitted.fill(-1);
        for (const set of tried) {
          set.clear();
          set.add(-1);
        }
      }
      const fresh = round === 0 || discarded;

      if (fresh) {
        assert.deepEqual(recovered.topics, [], 'a fresh profile holds no topic');
      } else {
        assert.ok(recovered.topics.includes(TOPIC), `round ${round}: the topic survives`);
      }
      // Every record that must survive is there, at its offset, with its value.
      const stored = new Map(recovered.records.map(([p, offset, value]) => [`${p}/${offset}`, value]));
      const missing = [...kept.keys()].filter((key) => !stored.has(key));
      assert.deepEqual(missing.slice(0, 10), [], `round ${round}: ${missing.length} of ${kept.size} acknowledged records are missing`);
      for (const [key, value] of kept) assert.equal(stored.get(key), value, `round ${round}: the record at ${key} is intact`);
      // Nothing invented: contiguous from 0 to the high watermark, produced values, none twice.
      const seen = new Set();
      for (let p = 0; p < PARTITIONS && !fresh; p++) {
        const offsets = recovered.records.filter(([q]) => q === p).map(([, offset]) => offset);
        assert.deepEqual(offsets, offsets.map((_, i) => i), `round ${round}: partition ${p} reads contiguously from 0, once`);
        assert.equal(offsets.length, recovered.highs[p], `round ${round}: partition ${p} reads up to its high watermark`);
      }
      for (const [p, offset, value] of recovered.records) {
        const parsed = parseValue(value);
        assert.ok(parsed, `round ${round}: the value at ${p}/${offset} is one the loop produced: ${JSON.stringify(value)}`);
        assert.equal(parsed[0], p, `round ${round}: the value at ${p}/${offset} was produced to partition ${p}`);
        assert.ok(parsed[1] < round, `round ${round}: the value at ${p}/${offset} was produced before this round`);
        assert.ok(!seen.has(value), `round ${round}: ${value} is stored once`);
        seen.add(value);
      }
      // The group's committed offsets: at least the last resolved commit, and one it made.
      if (!fresh) {
        const partitions = recovered.committed.find((c) => c.topic === TOPIC)?.partitions ?? [];
        for (let p = 0; p < PARTITIONS; p++) {
          const offset = Number(partitions.find((c) => c.partition === p)?.offset ?? -1);
          assert.ok(offset >= lastCommitted[p], `round ${round}: partition ${p} committed ${offset}, at least the acknowledged ${lastCommitted[p]}`);
          // A commit whose `commit-try` line the kill cut off may have landed: newer than any
          // the test saw, and a position the group reached (so below the high watermark).
          const newer = offset > Math.max(...tried[p]) && offset <= recovered.highs[p];
          assert.ok(tried[p].has(offset) || newer, `round ${round}: partition ${p} committed ${offset}, an offset the group committed`);
        }
      }
      const survivedUnacked = recovered.records.filter(([p, offset]) => !kept.has(`${p}/${offset}`)).length;
      for (const [p, offset, value] of recovered.records) kept.set(`${p}/${offset}`, value);
      t.diagnostic(
        `round ${round}: recovered ${recovered.records.length} records (high watermarks ${recovered.highs.join(', ')}); ` +
          `committed ${JSON.stringify(lastCommitted)}; ${recovered.truncations.length} recoveryTruncated` +
          (recovered.truncations.length ? ` ${JSON.stringify(recovered.truncations)}` : '') +
          (survivedUnacked ? `; ${survivedUnacked} unacknowledged survived` : ''),
      );

      if (round === ROUNDS) {
        await page.evaluate(
          ({ round, records }) => {
            document.getElementById('status').textContent =
              `after ${round} kills: ${records} records recovered, every acknowledged one intact at its offset`;
          },
          { round, records: recovered.records.length },
        );
        await page.screenshot({ path: path.join(screenshotDir, 'sigkill-cluster-recovered.png'), fullPage: true });
        await page.evaluate(() => window.kafka.close());
        await shutdown(chrome);
        chrome = undefined;
        break;
      }

      if (fresh) {
        const created = await page.evaluate(
          ({ topic, partitions }) =>
            window.kafka.admin().createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }], waitForLeaders: true }),
          { topic: TOPIC, partitions: PARTITIONS },
        );
        assert.equal(created, true, 'the topic was created');
      }
      let ackedThisRound = 0;
      let committedThisRound = 0;
      let failure;
      let reached;
      const enough = new Promise((resolve) => (reached = resolve));
      page.on('console', (msg) => {
        const text = msg.text();
        if (text.startsWith('ack ')) {
          const { partition, baseOffset, values } = JSON.parse(text.slice(4));
          values.forEach((value, i) => kept.set(`${partition}/${baseOffset + i}`, value));
          ackedThisRound += values.length;
        } else if (text.startsWith('commit-try ')) {
          for (const [p, offset] of JSON.parse(text.slice(11))) tried[p].add(offset);
        } else if (text.startsWith('committed ')) {
          for (const [p, offset] of JSON.parse(text.slice(10))) lastCommitted[p] = offset;
          committedThisRound++;
        } else if (/^(produce|commit) failed/.test(text)) {
          failure = text;
          reached();
        }
        if (ackedThisRound >= ACKED_BEFORE_KILL && committedThisRound >= 2) reached();
      });
      const started = Date.now();
      await startLoops(page, round);
      await enough;
      assert.equal(failure, undefined, `round ${round}: a loop failed before the kill`);
      t.diagnostic(`round ${round}: killed after ${Date.now() - started} ms, ${ackedThisRound} records acknowledged, ${committedThisRound} commits`);
      await jitter(20);
      await killGroup(chrome);
      chrome = undefined;
    }
  } catch (err) {
    if (chrome) {
      console.error(`--- page diagnostics ---\n${chrome.logs.join('\n') || '(none)'}`);
      await chrome.page.screenshot({ path: path.join(screenshotDir, 'sigkill-cluster-failure.png'), fullPage: true }).catch(() => {});
    }
    throw err;
  } finally {
    if (chrome) await shutdown(chrome);
  }
});
