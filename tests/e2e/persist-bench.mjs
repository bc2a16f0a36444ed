// Measures IndexedDB persistence through rill's JavaScript API (`rill_wasm.js`) in headless
// Chromium on a profile on disk (playwright's default contexts are incognito: their IndexedDB
// lives in memory and would measure nothing), and prints one JSON object on stdout:
//   {"harness":"persist","user_agent":…,
//    "throughput":{"records_per_batch","value_bytes","batches","chunk_bytes","rill_ms","raw_ms",
//                  "memory_ms","in_flight","rill_in_flight_ms","raw_in_flight_ms"},
//    "cluster":{"in_flight","brokers":[{"brokers","replication_factor","rill_ms","raw_ms",…}]},
//    "cluster_fill":{…},"cluster_recovery":{"brokers","rill_cold_ms","rill_warm_ms",…},
//    "fill":{"records","batches","ms"},
//    "recovery":{"records","chunks","stored_bytes","rill_cold_ms","rill_warm_ms",
//                "raw_read_cold_ms","raw_read_warm_ms","verified_log_end_offset"},
//    "profile":{"<function>":self ms,…}}
// Progress goes to stderr. A measurement, not a test: it fails only if the page does.
//
// - throughput: `produce` of RECORDS_PER_BATCH 100-byte values (one flush, i.e. one strict
//   read-write transaction, per call; the promise resolves once it committed), against a raw
//   IndexedDB baseline written in JS here: the same object stores and keys as
//   wasm/src/store/idb.rs (`rill:<name>` layout, `chunks` keyed [dir, topic, partition, baseOffset,
//   seq]), one `durability: 'strict'` transaction per batch putting a chunk of the byte length
//   rill wrote per batch. Rounds alternate which side goes first. The same produce calls into a
//   `storage: 'memory'` broker say what the engine and the binding cost without IndexedDB.
//   Each side also runs with IN_FLIGHT calls at once (every call still one transaction,
//   acknowledged on its own commit), as a producer with several requests in flight would.
// - cluster: the cluster-backed `Rill` (`Rill.open({ storage: 'indexeddb', brokers, clock:
//   'realtime', latency: { baseMs: 1, jitterMs: 0 } })`: the least simulated network delay of a
//   replicated cluster), `producer.send({ acks: -1 })` of RECORDS_PER_BATCH values per send (it
//   resolves once its records are durable), 1 and IN_FLIGHT sends at once, for 1 and 3 brokers
//   (replication factor = brokers: with 3, every send writes three copies), and for 1 broker
//   with no latency (see CLUSTER_CASES), against the same raw baseline
//   in alternating rounds; and `Rill.open` of a one-broker cluster holding RECOVERY_RECORDS.
//   Every timed phase starts after a short pause, on both sides, so that rill's idle-time
//   consolidation of small chunks lands in neither side's timing.
// - recovery: RECOVERY_RECORDS records produced once (batches of RECORDS_PER_BATCH), the
//   browser closed and relaunched on the same profile, then `RillBroker.open` timed until it resolves
//   (cold: first read in the new browser; warm: again after `close`), next to a raw read of the
//   same chunks (`getAllKeys` + `getAll` in one transaction), cold in a second relaunch and warm
//   after the cold RillBroker.open. A CPU profile of one cold open says where its time goes.
//
// Env: BASE_URL (required) — URL of target/bench-site (it serves rill_wasm.js).
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
//      PERSIST_RECORDS (optional) — records for the recovery case, default 1,000,000.
//      PERSIST_BATCHES (optional) — batches per side and round of the throughput case, default 300.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';

const RECORDS_PER_BATCH = 100;
const VALUE_BYTES = 100;
const ROUNDS = 5;
/** Calls kept in flight in the concurrent variant (KafkaJS's default maxInFlightRequests is unbounded; Kafka's producer keeps 5). */
const IN_FLIGHT = 5;
const BATCHES = Number(process.env.PERSIST_BATCHES ?? 300);
const RECOVERY_RECORDS = Number(process.env.PERSIST_RECORDS ?? 1_000_000);
const TOPIC = 'bench';
const TPUT_STORE = 'persist-bench-throughput';
const RAW_DB = 'raw:persist-bench-throughput';
const RECOVERY_STORE = 'persist-bench-recovery';
const CLUSTER_STORE = 'persist-bench-cluster';
const CLUSTER_RAW_DB = 'raw:persist-bench-cluster';
const CLUSTER_RECOVERY_STORE = 'persist-bench-cluster-recovery';
/**
 * Cases of the cluster-backed `Rill` measured: broker count (the topic's replication factor is
 * the broker count) and simulated latency per message. At 1 ms a send at one call in flight
 * needs 2 ms of cluster time (request and answer; 4 with 3 replicas and acks=all), and the
 * realtime cluster's time keeps pace with the page's: 500 (250) sends/s at most, whatever the
 * store does. At 0 ms (one broker only) what is left is the engine, the binding and the store.
 */
const CLUSTER_CASES = [
  { brokers: 1, latencyMs: 1 },
  { brokers: 1, latencyMs: 0 },
  { brokers: 3, latencyMs: 1 },
];

const baseUrl = process.env.BASE_URL;
if (!baseUrl) {
  console.error('BASE_URL is required: the URL of the built bench site (cargo xtask bench serves it)');
  process.exit(2);
}

const log = (line) => console.error(`  ${line}`);

/** Page helpers, installed once per page: module loading, raw IndexedDB in the store's layout. */
function pageHelpers() {
  window.persist = {
    async load() {
      const started = performance.now();
      const module = await import(new URL('rill_wasm.js', location.href).href);
      await module.default({ module_or_path: new URL('rill_wasm_bg.wasm', location.href).href });
      window.RillBroker = module.RillBroker;
      window.Rill = module.Rill;
      return performance.now() - started;
    },
    request(req) {
      return new Promise((resolve, reject) => {
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    },
    async deleteDb(name) {
      await persist.request(indexedDB.deleteDatabase(name));
    },
    /** Opens `name`, creating wasm/src/store/idb.rs's schema (version 3) if it is new. */
    openRaw(name, version) {
      const req = version === undefined ? indexedDB.open(name) : indexedDB.open(name, version);
      req.onupgradeneeded = () => {
        const db = req.result;
        for (const store of ['topics', 'chunks', 'partitions', 'files']) {
          if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
        }
      };
      return persist.request(req);
    },
    done(tx) {
      return new Promise((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error ?? new Error('aborted'));
      });
    },
    messages(records, valueBytes) {
      const value = new Uint8Array(valueBytes);
      for (let i = 0; i < valueBytes; i++) value[i] = 32 + ((i * 7) % 90);
      return Array.from({ length: records }, () => ({ value, partition: 0 }));
    },
  };
}

async function newPage(context) {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => log(`[pageerror] ${err.stack ?? err}`));
  page.setDefaultTimeout(0);
  await page.goto(baseUrl);
  await page.evaluate(pageHelpers);
  return page;
}

async function launch(profile) {
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: LAUNCH_ARGS,
    headless: true,
  });
}

/** Persisted records/s through rill against the raw IndexedDB baseline, in alternating rounds. */
async function throughput(page) {
  return page.evaluate(
    async ({ topic, store, rawDb, rounds, batches, recordsPerBatch, valueBytes, inFlight }) => {
      await persist.deleteDb(`rill:${store}`);
      await persist.deleteDb(rawDb);
      const rill = await RillBroker.open({ name: store, storage: 'indexeddb' });
      await rill.createTopic({ topic, numPartitions: 1 });
      const memory = await RillBroker.open({ name: store, storage: 'memory' });
      await memory.createTopic({ topic, numPartitions: 1 });
      const messages = persist.messages(recordsPerBatch, valueBytes);
      const raw = await persist.openRaw(rawDb, 3);
      await persist.done(
        (() => {
          const tx = raw.transaction(['topics', 'chunks', 'partitions', 'files'], 'readwrite', { durability: 'strict' });
          tx.objectStore('topics').put({ name: topic, partitions: 1, configs: [] }, [0, topic]);
          tx.objectStore('chunks').put(new Uint8Array(0), [0, topic, 0, 0, 0]);
          return tx;
        })(),
      );
      const SETTLE_MS = 200;
      let chunk;
      let seq = 1;
      let rillMs = 0;
      let rawMs = 0;
      let memoryMs = 0;
      const runMemory = async () => {
        const started = performance.now();
        for (let i = 0; i < batches; i++) await memory.produce({ topic, messages });
        memoryMs += performance.now() - started;
      };
      let rillInFlightMs = 0;
      let rawInFlightMs = 0;
      // `inFlight` loops at once, `batches` calls in all; each call still awaits its own commit.
      const concurrently = async (inFlight, call) => {
        // A pause before each timed phase, on both sides: rill consolidates small chunks when
        // no write waits, and that work must not land in the other side's timing.
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const started = performance.now();
        let left = batches;
        const loop = async () => {
          while (left > 0) {
            left--;
            await call();
          }
        };
        await Promise.all(Array.from({ length: inFlight }, loop));
        return performance.now() - started;
      };
      const rillCall = () => rill.produce({ topic, messages });
      const rawCall = () => {
        const tx = raw.transaction(['topics', 'chunks', 'partitions', 'files'], 'readwrite', { durability: 'strict' });
        tx.objectStore('chunks').put(chunk, [0, topic, 0, 0, seq++]);
        return persist.done(tx);
      };
      const runRill = async () => {
        rillMs += await concurrently(1, rillCall);
        rillInFlightMs += await concurrently(inFlight, rillCall);
      };
      const runRaw = async () => {
        rawMs += await concurrently(1, rawCall);
        rawInFlightMs += await concurrently(inFlight, rawCall);
      };
      // A warm-up batch each, which also tells the chunk size rill writes per batch.
      await rill.produce({ topic, messages });
      const size = rill.listTopics()[0].partitions[0].segments.reduce((sum, s) => sum + s.size, 0);
      chunk = new Uint8Array(size);
      for (let i = 0; i < size; i++) chunk[i] = (i * 31) & 0xff;
      {
        const tx = raw.transaction(['topics', 'chunks', 'partitions', 'files'], 'readwrite', { durability: 'strict' });
        tx.objectStore('chunks').put(chunk, [0, topic, 0, 0, seq++]);
        await persist.done(tx);
      }
      for (let round = 0; round < rounds; round++) {
        if (round % 2 === 0) {
          await runRill();
          await runRaw();
        } else {
          await runRaw();
          await runRill();
        }
        await runMemory();
      }
      const end = rill.listTopics()[0].partitions[0].logEndOffset;
      if (end !== (2 * rounds * batches + 1) * recordsPerBatch) throw new Error(`rill holds ${end} records`);
      rill.close();
      raw.close();
      await persist.deleteDb(`rill:${store}`);
      await persist.deleteDb(rawDb);
      return { records_per_batch: recordsPerBatch, value_bytes: valueBytes, batches: rounds * batches, chunk_bytes: size, rill_ms: rillMs, raw_ms: rawMs, memory_ms: memoryMs, in_flight: inFlight, rill_in_flight_ms: rillInFlightMs, raw_in_flight_ms: rawInFlightMs };
    },
    { topic: TOPIC, store: TPUT_STORE, rawDb: RAW_DB, rounds: ROUNDS, batches: BATCHES, recordsPerBatch: RECORDS_PER_BATCH, valueBytes: VALUE_BYTES, inFlight: IN_FLIGHT },
  );
}

/** Produces `records` into the recovery store, one flush per batch. */
async function fill(page, records) {
  return page.evaluate(
    async ({ topic, store, records, recordsPerBatch, valueBytes }) => {
      await persist.deleteDb(`rill:${store}`);
      const rill = await RillBroker.open({ name: store, storage: 'indexeddb' });
      await rill.createTopic({ topic, numPartitions: 1 });
      const messages = persist.messages(recordsPerBatch, valueBytes);
      const batches = Math.ceil(records / recordsPerBatch);
      const started = performance.now();
      for (let i = 0; i < batches; i++) {
        await rill.produce({ topic, messages: i === batches - 1 ? messages.slice(0, records - i * recordsPerBatch) : messages });
      }
      const ms = performance.now() - started;
      rill.close();
      return { records, batches, ms };
    },
    { topic: TOPIC, store: RECOVERY_STORE, records, recordsPerBatch: RECORDS_PER_BATCH, valueBytes: VALUE_BYTES },
  );
}

/** Times `RillBroker.open` of the recovery store; checks it recovered every record. */
async function timeOpen(page) {
  return page.evaluate(
    async ({ store, topic }) => {
      const started = performance.now();
      const rill = await RillBroker.open({ name: store, storage: 'indexeddb' });
      const ms = performance.now() - started;
      const end = rill.listTopics().find((t) => t.name === topic)?.partitions[0].logEndOffset;
      rill.close();
      return { ms, end };
    },
    { store: RECOVERY_STORE, topic: TOPIC },
  );
}

/** Times reading every chunk of the recovery store's database in one transaction, as rill does. */
async function timeRawRead(page) {
  return page.evaluate(async (store) => {
    const started = performance.now();
    const db = await persist.openRaw(`rill:${store}`);
    const tx = db.transaction(['topics', 'chunks', 'partitions'], 'readonly');
    const chunks = tx.objectStore('chunks');
    const [keys, values] = await Promise.all([persist.request(chunks.getAllKeys()), persist.request(chunks.getAll())]);
    const ms = performance.now() - started;
    db.close();
    const bytes = values.reduce((sum, v) => sum + v.byteLength, 0);
    return { ms, chunks: keys.length, bytes };
  }, RECOVERY_STORE);
}

/** A CPU profile of one `RillBroker.open`: self milliseconds by function, the largest first. */
async function profileOpen(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await timeOpen(page);
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    // Mangled Rust names end in a hash (`::h0123…`): drop it. Anonymous functions (the
    // wasm-bindgen glue's imports) are counted by file.
    const file = node.callFrame.url.split('/').pop();
    const name = (node.callFrame.functionName || (file ? `(anonymous functions of ${file})` : '(anonymous)')).replace(/::h[0-9a-f]{16}$/, '');
    selfUs.set(name, (selfUs.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return Object.fromEntries(
    [...selfUs.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, us]) => [name, us / 1000]),
  );
}

/**
 * Persisted records/s through the cluster-backed `Rill` (`producer.send` with `acks: -1`, which
 * resolves once its records are durable) for each broker count, 1 and IN_FLIGHT sends at once,
 * against the raw IndexedDB baseline (one strict transaction putting one chunk of `chunkBytes`
 * per send), in alternating rounds. The topic's replication factor is the broker count: with
 * 3 brokers every send writes three copies (one log dir per broker) in one transaction.
 */
async function clusterThroughput(page, chunkBytes) {
  return page.evaluate(
    async ({ topic, store, rawDb, rounds, batches, recordsPerBatch, valueBytes, inFlight, cases, chunkBytes }) => {
      const SETTLE_MS = 200;
      const raw = await (async () => {
        await persist.deleteDb(rawDb);
        return persist.openRaw(rawDb, 3);
      })();
      const chunk = new Uint8Array(chunkBytes);
      for (let i = 0; i < chunkBytes; i++) chunk[i] = (i * 31) & 0xff;
      let seq = 0;
      const rawCall = () => {
        const tx = raw.transaction(['topics', 'chunks', 'partitions', 'files'], 'readwrite', { durability: 'strict' });
        tx.objectStore('chunks').put(chunk, [0, topic, 0, 0, seq++]);
        return persist.done(tx);
      };
      const concurrently = async (n, call) => {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const started = performance.now();
        let left = batches;
        const loop = async () => {
          while (left > 0) {
            left--;
            await call();
          }
        };
        await Promise.all(Array.from({ length: n }, loop));
        return performance.now() - started;
      };
      const messages = persist.messages(recordsPerBatch, valueBytes);
      const results = [];
      for (const { brokers, latencyMs } of cases) {
        const name = `${store}-${brokers}-${latencyMs}`;
        await persist.deleteDb(`rill:${name}`);
        // No jitter, and 1 ms (the least for a replicated cluster) or none, not the default
        // 1–3 ms: what is timed is mostly the engine and IndexedDB.
        const kafka = await Rill.open({ name, storage: 'indexeddb', brokers, clock: 'realtime', latency: { baseMs: latencyMs, jitterMs: 0 } });
        await kafka.admin().createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: brokers }] });
        const producer = kafka.producer();
        await producer.connect();
        const send = () => producer.send({ topic, acks: -1, messages });
        await send();
        const r = { brokers, replication_factor: brokers, latency_ms: latencyMs, rill_ms: 0, raw_ms: 0, rill_in_flight_ms: 0, raw_in_flight_ms: 0 };
        const runRill = async () => {
          r.rill_ms += await concurrently(1, send);
          r.rill_in_flight_ms += await concurrently(inFlight, send);
        };
        const runRaw = async () => {
          r.raw_ms += await concurrently(1, rawCall);
          r.raw_in_flight_ms += await concurrently(inFlight, rawCall);
        };
        for (let round = 0; round < rounds; round++) {
          if (round % 2 === 0) {
            await runRill();
            await runRaw();
          } else {
            await runRaw();
            await runRill();
          }
        }
        const offsets = await kafka.admin().fetchTopicOffsets(topic);
        const end = Number(offsets[0].high);
        if (end !== (2 * rounds * batches + 1) * recordsPerBatch) throw new Error(`the cluster holds ${end} records`);
        await producer.disconnect();
        kafka.close();
        await persist.deleteDb(`rill:${name}`);
        results.push(r);
      }
      raw.close();
      await persist.deleteDb(rawDb);
      return { records_per_batch: recordsPerBatch, value_bytes: valueBytes, batches: rounds * batches, chunk_bytes: chunkBytes, in_flight: inFlight, brokers: results };
    },
    { topic: TOPIC, store: CLUSTER_STORE, rawDb: CLUSTER_RAW_DB, rounds: ROUNDS, batches: BATCHES, recordsPerBatch: RECORDS_PER_BATCH, valueBytes: VALUE_BYTES, inFlight: IN_FLIGHT, cases: CLUSTER_CASES, chunkBytes },
  );
}

/** Sends `records` into a one-broker cluster store, one send (`acks: -1`) at a time. */
async function clusterFill(page, records) {
  return page.evaluate(
    async ({ topic, store, records, recordsPerBatch, valueBytes }) => {
      await persist.deleteDb(`rill:${store}`);
      const kafka = await Rill.open({ name: store, storage: 'indexeddb', brokers: 1, clock: 'realtime' });
      await kafka.admin().createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
      const producer = kafka.producer();
      await producer.connect();
      const messages = persist.messages(recordsPerBatch, valueBytes);
      const batches = Math.ceil(records / recordsPerBatch);
      const started = performance.now();
      for (let i = 0; i < batches; i++) {
        await producer.send({ topic, acks: -1, messages: i === batches - 1 ? messages.slice(0, records - i * recordsPerBatch) : messages });
      }
      const ms = performance.now() - started;
      await producer.disconnect();
      kafka.close();
      return { records, batches, ms };
    },
    { topic: TOPIC, store: CLUSTER_RECOVERY_STORE, records, recordsPerBatch: RECORDS_PER_BATCH, valueBytes: VALUE_BYTES },
  );
}

/** Times `Rill.open` of the one-broker cluster store; checks it recovered every record. */
async function timeClusterOpen(page) {
  return page.evaluate(
    async ({ store, topic }) => {
      const started = performance.now();
      const kafka = await Rill.open({ name: store, storage: 'indexeddb', brokers: 1, clock: 'realtime' });
      const ms = performance.now() - started;
      const offsets = await kafka.admin().fetchTopicOffsets(topic);
      kafka.close();
      return { ms, end: Number(offsets[0].high) };
    },
    { store: CLUSTER_RECOVERY_STORE, topic: TOPIC },
  );
}

const profile = await mkdtemp(path.join(os.tmpdir(), 'rill-persist-bench-'));
const result = { harness: 'persist' };
try {
  let context = await launch(profile);
  let page = await newPage(context);
  result.user_agent = await page.evaluate(() => navigator.userAgent);
  log(`${result.user_agent}; profile on disk at ${profile}`);
  const initMs = await page.evaluate(() => persist.load());
  log(`rill_wasm.js loaded in ${initMs.toFixed(0)} ms`);

  log(`throughput: ${ROUNDS} rounds × ${BATCHES} batches × ${RECORDS_PER_BATCH} records of ${VALUE_BYTES} B, rill and raw IndexedDB alternating`);
  result.throughput = await throughput(page);
  const t = result.throughput;
  const perSecond = (ms) => ((t.batches * t.records_per_batch) / (ms / 1000)).toFixed(0);
  log(
    `  rill ${perSecond(t.rill_ms)} records/s, raw ${perSecond(t.raw_ms)} records/s (chunk ${t.chunk_bytes} B), ` +
      `ratio ${(t.raw_ms / t.rill_ms).toFixed(3)}; rill in memory ${perSecond(t.memory_ms)} records/s; ` +
      `${t.in_flight} in flight: rill ${perSecond(t.rill_in_flight_ms)}, raw ${perSecond(t.raw_in_flight_ms)} records/s, ` +
      `ratio ${(t.raw_in_flight_ms / t.rill_in_flight_ms).toFixed(3)}`,
  );

  log(`cluster-backed Rill: producer.send({ acks: -1 }) of ${RECORDS_PER_BATCH} records, ${CLUSTER_CASES.map((c) => `brokers ${c.brokers} latency ${c.latencyMs} ms`).join(', ')} (replication factor = brokers), realtime clock`);
  result.cluster = await clusterThroughput(page, t.chunk_bytes);
  for (const b of result.cluster.brokers) {
    log(
      `  brokers ${b.brokers}, latency ${b.latency_ms} ms: rill ${perSecond(b.rill_ms)} records/s, raw ${perSecond(b.raw_ms)}, ratio ${(b.raw_ms / b.rill_ms).toFixed(3)}; ` +
        `${result.cluster.in_flight} in flight: rill ${perSecond(b.rill_in_flight_ms)}, raw ${perSecond(b.raw_in_flight_ms)}, ratio ${(b.raw_in_flight_ms / b.rill_in_flight_ms).toFixed(3)}`,
    );
  }
  log(`cluster recovery: sending ${RECOVERY_RECORDS} records to a one-broker cluster`);
  result.cluster_fill = await clusterFill(page, RECOVERY_RECORDS);
  log(`  sent in ${(result.cluster_fill.ms / 1000).toFixed(1)} s`);

  log(`recovery: producing ${RECOVERY_RECORDS} records in batches of ${RECORDS_PER_BATCH}`);
  result.fill = await fill(page, RECOVERY_RECORDS);
  log(`  produced in ${(result.fill.ms / 1000).toFixed(1)} s (${((RECOVERY_RECORDS / result.fill.ms) * 1000).toFixed(0)} records/s)`);
  await context.close();

  // Relaunch 1: RillBroker.open first (cold), then the raw read (warm), then a CPU profile of an open.
  context = await launch(profile);
  page = await newPage(context);
  await page.evaluate(() => persist.load());
  const clusterCold = await timeClusterOpen(page);
  log(`  Rill.open (1 broker) after a relaunch: ${clusterCold.ms.toFixed(0)} ms (high watermark ${clusterCold.end})`);
  if (clusterCold.end !== RECOVERY_RECORDS) throw new Error(`cluster recovered high watermark ${clusterCold.end}, expected ${RECOVERY_RECORDS}`);
  const cold = await timeOpen(page);
  log(`  RillBroker.open after a relaunch: ${cold.ms.toFixed(0)} ms (log end offset ${cold.end})`);
  if (cold.end !== RECOVERY_RECORDS) throw new Error(`recovered log end offset ${cold.end}, expected ${RECOVERY_RECORDS}`);
  const rawWarm = await timeRawRead(page);
  log(`  raw read after it: ${rawWarm.ms.toFixed(0)} ms (${rawWarm.chunks} chunks, ${rawWarm.bytes} B)`);
  const openProfile = await profileOpen(page);
  for (const [name, ms] of Object.entries(openProfile)) log(`    ${ms.toFixed(1).padStart(8)} ms  ${name}`);
  await context.close();

  // Relaunch 2: the raw read first (cold), then RillBroker.open (warm).
  context = await launch(profile);
  page = await newPage(context);
  await page.evaluate(() => persist.load());
  const rawCold = await timeRawRead(page);
  log(`  raw read after a relaunch: ${rawCold.ms.toFixed(0)} ms`);
  const warm = await timeOpen(page);
  log(`  RillBroker.open after it: ${warm.ms.toFixed(0)} ms`);
  const clusterWarm = await timeClusterOpen(page);
  log(`  Rill.open (1 broker) after it: ${clusterWarm.ms.toFixed(0)} ms`);
  await context.close();

  result.recovery = {
    records: RECOVERY_RECORDS,
    chunks: rawCold.chunks,
    stored_bytes: rawCold.bytes,
    rill_cold_ms: cold.ms,
    rill_warm_ms: warm.ms,
    raw_read_cold_ms: rawCold.ms,
    raw_read_warm_ms: rawWarm.ms,
    verified_log_end_offset: cold.end,
  };
  result.cluster_recovery = { brokers: 1, records: RECOVERY_RECORDS, rill_cold_ms: clusterCold.ms, rill_warm_ms: clusterWarm.ms, verified_high_watermark: clusterCold.end };
  result.profile = openProfile;
  console.log(JSON.stringify(result));
} finally {
  await rm(profile, { recursive: true, force: true });
}
