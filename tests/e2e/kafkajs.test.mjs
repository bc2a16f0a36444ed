// End-to-end test of rill's KafkaJS drop-in (`kafkajs.js`): examples from KafkaJS's own
// documentation (tulios/kafkajs, docs/GettingStarted.md, Producing.md, Consuming.md, Admin.md,
// InstrumentationEvents.md, CustomLogger.md) run in a page with only the import line changed
// (`require('kafkajs')` → `import ... from './kafkajs.js'`). Each example is the doc's code
// as written, followed by a few lines of this harness that read what it did (console output
// is recorded) and check it against Kafka's rules (murmur2 partitions, offsets).
//
// Env: BASE_URL (required) — URL of the built site (it serves kafkajs.js and rill_wasm.js).
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
import test from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';
import { runProgramPage } from './kafkajs-page.mjs';
import { partitionForKey } from './murmur2.mjs';

/** Records console output (values as JSON, byte arrays as their text) and offers `waitFor`. */
const HARNESS = `<script>
window.logs = [];
const plain = (a) => {
  if (typeof a === 'string') return a;
  try { return JSON.parse(JSON.stringify(a, (k, v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v))); }
  catch { return String(a); }
};
for (const level of ['log', 'info', 'warn', 'error']) {
  const original = console[level].bind(console);
  console[level] = (...args) => { window.logs.push({ level, args: args.map(plain) }); original(...args); };
}
window.waitFor = async (condition, what, ms = 30000) => {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 25));
  }
};
// The example's own failure (a rejected top-level await) ends it with the error.
const fail = (e) => { window.result = { error: String(e?.stack ?? e), name: e?.name, type: e?.type }; };
window.addEventListener('unhandledrejection', (e) => fail(e.reason));
window.addEventListener('error', (e) => fail(e.error ?? e.message));
</script>`;

function page(title, script) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="icon" href="data:,">${HARNESS}</head><body><pre id="out">running</pre>
<script type="module">${script}</script></body></html>`;
}

const EXAMPLES = {};

// docs/GettingStarted.md, whole.
EXAMPLES['getting-started'] = page(
  'Getting started',
  `
import { Kafka } from './kafkajs.js'

const kafka = new Kafka({
  clientId: 'my-app',
  brokers: ['kafka1:9092', 'kafka2:9092'],
})

const producer = kafka.producer()

await producer.connect()
await producer.send({
  topic: 'test-topic',
  messages: [
    { value: 'Hello KafkaJS user!' },
  ],
})

await producer.disconnect()

const consumer = kafka.consumer({ groupId: 'test-group' })

await consumer.connect()
await consumer.subscribe({ topic: 'test-topic', fromBeginning: true })

await consumer.run({
  eachMessage: async ({ topic, partition, message }) => {
    console.log({
      value: message.value.toString(),
    })
  },
})

// harness
await waitFor(() => logs.some((l) => l.args[0]?.value === 'Hello KafkaJS user!'), 'the message')
const described = await consumer.describeGroup()
await consumer.disconnect()
window.result = { logs, described: { state: described.state, members: described.members.map((m) => m.memberId) } }
`,
);

// docs/Producing.md: keys, a defined partition, headers, sendBatch, compression, a custom
// partitioner and the LegacyPartitioner.
EXAMPLES.producing = page(
  'Producing',
  `
import { Kafka, CompressionTypes, Partitioners } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'my-app', brokers: ['localhost:9092'] })
const admin = kafka.admin()
await admin.connect()
await admin.createTopics({ topics: [{ topic: 'topic-name', numPartitions: 3 }] })

const producer = kafka.producer()

await producer.connect()
const keyed = await producer.send({
    topic: 'topic-name',
    messages: [
        { key: 'key1', value: 'hello world' },
        { key: 'key2', value: 'hey hey!' }
    ],
})

const defined = await producer.send({
    topic: 'topic-name',
    messages: [
        { key: 'key1', value: 'hello world', partition: 0 },
        { key: 'key2', value: 'hey hey!', partition: 1 }
    ],
})

await producer.send({
    topic: 'topic-name',
    messages: [{
        key: 'key1',
        value: 'hello world',
        headers: {
            'correlation-id': '2bfb68bb-893a-423b-a7fa-7b568cad5b67',
            'system-id': 'my-system',
        }
    }]
})

const topicMessages = [
  {
    topic: 'topic-a',
    messages: [{ key: 'key', value: 'hello topic-a' }],
  },
  {
    topic: 'topic-b',
    messages: [{ key: 'key', value: 'hello topic-b' }],
  },
  {
    topic: 'topic-c',
    messages: [
      {
        key: 'key',
        value: 'hello topic-c',
        headers: {
          'correlation-id': '2bfb68bb-893a-423b-a7fa-7b568cad5b67',
        },
      }
    ],
  }
]
const batch = await producer.sendBatch({ topicMessages })

await producer.send({
    topic: 'topic-name',
    compression: CompressionTypes.GZIP,
    messages: [
        { key: 'key1', value: 'hello world' },
        { key: 'key2', value: 'hey hey!' }
    ],
})

const MyPartitioner = () => {
    return ({ topic, partitionMetadata, message }) => {
        // select a partition based on some logic
        // return the partition number
        return 0
    }
}
const custom = kafka.producer({ createPartitioner: MyPartitioner })
await custom.connect()
const customResult = await custom.send({ topic: 'topic-name', messages: [{ key: 'key2', value: 'to zero' }] })

const legacy = kafka.producer({ createPartitioner: Partitioners.LegacyPartitioner })
await legacy.connect()
const legacyResult = await legacy.send({ topic: 'topic-name', messages: [{ key: 'key1', value: 'legacy' }] })

// Keyless records: round-robin over the partitions from a random start (KafkaJS's partitioner).
const keyless = await producer.send({ topic: 'topic-name', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })

// harness: read everything back
const seen = []
const consumer = kafka.consumer({ groupId: 'reader' })
await consumer.connect()
await consumer.subscribe({ topics: ['topic-name', 'topic-a', 'topic-b', 'topic-c'], fromBeginning: true })
await consumer.run({
  eachMessage: async ({ topic, partition, message }) => {
    const headers = {}
    for (const [k, v] of Object.entries(message.headers)) headers[k] = v.toString()
    seen.push({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value.toString(), headers, timestamp: message.timestamp })
  },
})
await waitFor(() => seen.length === 15, '15 records')
const offsets = await admin.fetchTopicOffsets('topic-name')
await consumer.disconnect()
await producer.disconnect()
window.result = { keyed, defined, batch, customResult, legacyResult, keyless, seen, offsets, logs }
`,
);

// docs/Consuming.md: eachBatch with resolveOffset/heartbeat/isRunning/isStale, pause and
// resume, seek, commitOffsets, describeGroup; docs/InstrumentationEvents.md: consumer.on.
EXAMPLES.consuming = page(
  'Consuming',
  `
import { Kafka } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'consuming', brokers: ['localhost:9092'] })
const admin = kafka.admin()
await admin.connect()
await admin.createTopics({ topics: [{ topic: 'topic-D', numPartitions: 2 }, { topic: 'jobs', numPartitions: 1 }] })
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'topic-D', messages: Array.from({ length: 20 }, (_, i) => ({ key: 'k' + (i % 5), value: 'v' + i })) })

const consumer = kafka.consumer({ groupId: 'my-group' })
const { GROUP_JOIN, START_BATCH_PROCESS } = consumer.events
const joins = []
const removeListener = consumer.on(GROUP_JOIN, e => joins.push(e))
let batchEvents = 0
consumer.on(START_BATCH_PROCESS, () => { batchEvents++ })

await consumer.connect()
// It's possible to start from the beginning of the topic
await consumer.subscribe({ topics: ['topic-D'], fromBeginning: true })

const processed = []
const processMessage = async (message) => { processed.push(message.value.toString()) }
consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (let message of batch.messages) {
            if (!isRunning() || isStale()) break
            await processMessage(message)
            resolveOffset(message.offset)
            await heartbeat()
        }
    }
})
await waitFor(() => processed.length === 20, '20 records in batches')
await consumer.disconnect()
const committed = await admin.fetchOffsets({ groupId: 'my-group', topics: ['topic-D'] })

// Pause & resume with the eachMessage pause() helper, then seek.
const jobs = kafka.consumer({ groupId: 'jobs-group' })
await jobs.connect()
await jobs.subscribe({ topics: ['jobs'], fromBeginning: true })
const handled = []
let paused = 0
await jobs.run({ eachMessage: async ({ topic, partition, message, pause }) => {
    if (message.value.toString() === 'slow' && paused === 0) {
        paused++
        const resumeThisPartition = pause()
        setTimeout(resumeThisPartition, 200)
        throw new Error('TooManyRequests')
    }
    handled.push(message.value.toString())
}})
await producer.send({ topic: 'jobs', messages: [{ value: 'first' }, { value: 'slow' }, { value: 'last' }] })
await waitFor(() => handled.length === 3, 'jobs handled after the pause')
const pausedWhileRunning = jobs.paused()
jobs.seek({ topic: 'jobs', partition: 0, offset: 0 })
await waitFor(() => handled.length === 6, 'jobs read again after seek')
await jobs.commitOffsets([{ topic: 'jobs', partition: 0, offset: '2' }])
const description = await jobs.describeGroup()
await jobs.disconnect()
const jobOffsets = await admin.fetchOffsets({ groupId: 'jobs-group', topics: ['jobs'] })
removeListener()
window.result = { processed, committed, joins, batchEvents, handled, paused, pausedWhileRunning, description: { state: description.state, protocolType: description.protocolType, members: description.members.length }, jobOffsets }
`,
);

// docs/Admin.md: topics, metadata, offsets, groups, configs.
EXAMPLES.admin = page(
  'Admin',
  `
import { Kafka, ConfigResourceTypes, AssignerProtocol } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'admin-app', brokers: ['localhost:9092'] })
const admin = kafka.admin()

// remember to connect and disconnect when you are done
await admin.connect()
const created = await admin.createTopics({ topics: [{ topic: 'topic-1', numPartitions: 4, replicationFactor: 3, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }, { topic: 'topic-2' }] })
const again = await admin.createTopics({ topics: [{ topic: 'topic-1' }] })
const listed = await admin.listTopics()
const metadata = await admin.fetchTopicMetadata({ topics: ['topic-1'] })
const allMetadata = await admin.fetchTopicMetadata()
await admin.createPartitions({ topicPartitions: [{ topic: 'topic-2', count: 3 }] })
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'topic-1', messages: Array.from({ length: 8 }, (_, i) => ({ key: 'user-' + i, value: String(i) })) })
const topicOffsets = await admin.fetchTopicOffsets('topic-1')
const byTimestamp = await admin.fetchTopicOffsetsByTimestamp('topic-1', Date.now() + 60000)

const groupId = 'my-consumer-group'
const topic = 'topic-1'
const consumer = kafka.consumer({ groupId })
await consumer.connect()
await consumer.subscribe({ topics: [topic], fromBeginning: true })
let read = 0
await consumer.run({ eachMessage: async () => { read++ } })
await waitFor(() => read === 8, 'the consumer read the topic')
const groups = await admin.listGroups()
const described = await admin.describeGroups([groupId])
const assignment = AssignerProtocol.MemberAssignment.decode(described.groups[0].members[0].memberAssignment)
await consumer.disconnect()
const fetched = await admin.fetchOffsets({ groupId, topics: ['topic-1'] })
await admin.resetOffsets({ groupId, topic, earliest: true })
const afterReset = await admin.fetchOffsets({ groupId, topics: [topic] })
await admin.setOffsets({
    groupId: 'my-consumer-group',
    topic: 'topic-1',
    partitions: [
        { partition: 0, offset: '1' },
        { partition: 3, offset: '1' },
    ]
})
const afterSet = await admin.fetchOffsets({ groupId, topics: [topic] })
const configs = await admin.describeConfigs({
  includeSynonyms: false,
  resources: [
    {
      type: ConfigResourceTypes.TOPIC,
      name: 'topic-1',
      configNames: ['cleanup.policy']
    }
  ]
})
const altered = await admin.alterConfigs({
    resources: [{
        type: ConfigResourceTypes.TOPIC,
        name: 'topic-1',
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }]
    }]
})
const configsAfter = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'topic-1', configNames: ['cleanup.policy'] }] })
const p0 = topicOffsets.find((o) => o.partition === 0)
await admin.deleteTopicRecords({ topic: 'topic-1', partitions: [{ partition: 0, offset: p0.high }] })
const afterDeleteRecords = await admin.fetchTopicOffsets('topic-1')
const deletedGroups = await admin.deleteGroups([groupId])
const groupsAfter = await admin.listGroups()
await admin.deleteTopics({ topics: ['topic-2'] })
const listedAfter = await admin.listTopics()
const cluster = await admin.describeCluster()
await admin.disconnect()
window.result = { created, again, listed, metadata, allMetadata, topicOffsets, byTimestamp, groups, described: described.groups[0].state, assignment, fetched, afterReset, afterSet, configs, altered, configsAfter, afterDeleteRecords, deletedGroups, groupsAfter, listedAfter, cluster }
`,
);

// Errors with KafkaJS's classes; docs/CustomLogger.md's logCreator and logLevel.
EXAMPLES.errors = page(
  'Errors and logging',
  `
import { Kafka, logLevel, KafkaJSError, KafkaJSNonRetriableError, KafkaJSProtocolError, KafkaJSNumberOfRetriesExceeded, KafkaJSAggregateError } from './kafkajs.js'
const entries = []
const MyLogCreator = logLevel => ({ namespace, level, label, log }) => {
    const { message, ...extra } = log
    entries.push({ level, label, namespace, message })
}
const kafka = new Kafka({
    clientId: 'my-app',
    brokers: ['kafka1:9092', 'kafka2:9092'],
    logLevel: logLevel.ERROR,
    logCreator: MyLogCreator,
    retry: { initialRetryTime: 10, retries: 2 },
})
const capture = async (fn) => {
  try { await fn(); return null } catch (e) {
    return { name: e.name, type: e.type, code: e.code, retriable: e.retriable, message: e.message,
      kafkaJSError: e instanceof KafkaJSError, nonRetriable: e instanceof KafkaJSNonRetriableError,
      protocol: e instanceof KafkaJSProtocolError, exceeded: e instanceof KafkaJSNumberOfRetriesExceeded,
      aggregate: e instanceof KafkaJSAggregateError, cause: e.cause ? { name: e.cause.name, type: e.cause.type } : null,
      errors: e.errors?.map((x) => ({ name: x.name, type: x.type, topic: x.topic })) }
  }
}
const admin = kafka.admin()
await admin.connect()
const producer = kafka.producer()
const beforeConnect = await capture(() => producer.send({ topic: 't', messages: [{ value: 'x' }] }))
await producer.connect()
const noValue = await capture(() => producer.send({ topic: 't', messages: [{ key: 'x' }] }))
const noGroup = await capture(() => kafka.consumer({}))
const unknownTopic = await capture(() => admin.fetchTopicOffsets('does-not-exist'))
const unknownMetadata = await capture(() => admin.fetchTopicMetadata({ topics: ['does-not-exist'] }))
const badName = await capture(() => admin.createTopics({ topics: [{ topic: 'bad/name' }] }))
const duplicate = await capture(() => admin.createTopics({ topics: [{ topic: 'twice' }, { topic: 'twice' }] }))
const badEvent = await capture(() => producer.on('producer.nope', () => {}))
kafka.logger().error('an error', { extra: 1 })
kafka.logger().info('not logged at ERROR')
await producer.disconnect()
const afterDisconnect = await capture(() => producer.send({ topic: 't', messages: [{ value: 'x' }] }))
window.result = { beforeConnect, noValue, noGroup, unknownTopic, unknownMetadata, badName, duplicate, badEvent, afterDisconnect, entries }
`,
);

async function runExample(browser, baseUrl, name) {
  return runProgramPage(browser, baseUrl, `e2e-kafkajs-${name}.html`, EXAMPLES[name], name);
}

const baseUrl = process.env.BASE_URL;
let browser;

test.before(async () => {
  assert.ok(baseUrl, 'BASE_URL is set');
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: LAUNCH_ARGS });
});

test.after(async () => {
  await browser?.close();
});

test('Getting Started runs as written: auto-created topic, produce, consume', { timeout: 120_000 }, async () => {
  const result = await runExample(browser, baseUrl, 'getting-started');
  const values = result.logs.filter((l) => l.level === 'log').map((l) => l.args[0]);
  assert.deepEqual(values, [{ value: 'Hello KafkaJS user!' }]);
  // KafkaJS warns once about its v2 default partitioner, as a JSON line from its console logger.
  const warning = result.logs.find((l) => l.level === 'warn');
  assert.match(warning.args[0], /"level":"WARN".*switched default partitioner/);
  assert.equal(result.described.state, 'Stable');
  assert.equal(result.described.members.length, 1);
  assert.match(result.described.members[0], /^my-app-/, "member ids start with the clientId");
});

test('Producing: keys hash with Java murmur2, partitions, headers, sendBatch, partitioners', { timeout: 120_000 }, async () => {
  const r = await runExample(browser, baseUrl, 'producing');
  for (const meta of [...r.keyed, ...r.defined, ...r.batch]) {
    assert.deepEqual(Object.keys(meta).sort(), ['baseOffset', 'errorCode', 'logAppendTime', 'logStartOffset', 'partition', 'topicName']);
    assert.equal(meta.errorCode, 0);
    assert.match(meta.baseOffset, /^\d+$/);
  }
  assert.deepEqual(r.batch.map((m) => m.topicName).sort(), ['topic-a', 'topic-b', 'topic-c']);
  const byValue = (topic, value) => r.seen.filter((s) => s.topic === topic && s.value === value);
  // Keyed records: Java's murmur2 (the DefaultPartitioner).
  for (const s of r.seen.filter((s) => s.topic === 'topic-name' && ['hello world', 'hey hey!'].includes(s.value) && s.headers['system-id'] === undefined)) {
    const expected = partitionForKey(s.key, 3);
    const explicit = byValue('topic-name', s.value).length > 2;
    assert.ok(explicit || s.partition === expected, `${s.key} on ${s.partition}`);
  }
  const key2 = r.seen.filter((s) => s.key === 'key2' && s.value === 'hey hey!').map((s) => s.partition).sort();
  // key2 is sent three times: keyed (murmur2), explicit partition 1, keyed with GZIP.
  assert.deepEqual(key2, [1, partitionForKey('key2', 3), partitionForKey('key2', 3)].sort());
  const withHeaders = r.seen.find((s) => s.headers['system-id'] === 'my-system');
  assert.deepEqual(withHeaders.headers, { 'correlation-id': '2bfb68bb-893a-423b-a7fa-7b568cad5b67', 'system-id': 'my-system' });
  assert.equal(r.seen.find((s) => s.topic === 'topic-c').headers['correlation-id'], '2bfb68bb-893a-423b-a7fa-7b568cad5b67');
  assert.equal(r.customResult[0].partition, 0, 'the custom partitioner chose partition 0');
  assert.equal(byValue('topic-name', 'to zero')[0].partition, 0);
  // The LegacyPartitioner's murmur2 (JavaScript arithmetic) puts key1 elsewhere than Java's
  // for 3 partitions: KafkaJS's legacy/murmur2.js, run in Node, hashes 'key1' to 1297210530
  // → partition 0 (Java's murmur2: 2).
  assert.equal(r.legacyResult[0].partition, 0);
  assert.equal(partitionForKey('key1', 3), 2);
  // Keyless: three consecutive partitions (round-robin from a random start).
  const keyless = r.keyless.map((m) => m.partition).sort();
  assert.deepEqual(keyless, [0, 1, 2]);
  // Timestamps are the client's, stamped at send.
  for (const s of r.seen) assert.ok(Number(s.timestamp) > 1_600_000_000_000, `timestamp ${s.timestamp}`);
  assert.equal(r.offsets.reduce((n, o) => n + Number(o.high), 0), 12);
});

test('Consuming: eachBatch, pause/resume, seek, commitOffsets, events', { timeout: 120_000 }, async () => {
  const r = await runExample(browser, baseUrl, 'consuming');
  assert.equal(r.processed.length, 20);
  assert.deepEqual([...r.processed].sort(), Array.from({ length: 20 }, (_, i) => 'v' + i).sort());
  const total = r.committed[0].partitions.reduce((n, p) => n + Number(p.offset), 0);
  assert.equal(total, 20, 'resolved offsets committed on disconnect');
  assert.ok(r.joins.length >= 1 && r.joins[0].payload.groupId === 'my-group');
  assert.deepEqual(r.joins[0].payload.memberAssignment, { 'topic-D': [0, 1] }, 'KafkaJS shape: { topic: partitions }');
  assert.ok(r.batchEvents >= 1);
  // 'slow' threw once after pausing: delivered again after the resume, in order.
  assert.equal(r.paused, 1);
  assert.deepEqual(r.handled.slice(0, 3), ['first', 'slow', 'last']);
  assert.deepEqual(r.pausedWhileRunning, []);
  assert.deepEqual(r.handled.slice(3), ['first', 'slow', 'last'], 'seek to 0 reads the partition again');
  assert.equal(r.description.state, 'Stable');
  assert.equal(r.description.protocolType, 'consumer');
  assert.equal(r.jobOffsets[0].partitions[0].offset, '3');
});

test('Admin: topics, metadata, offsets, groups, configs', { timeout: 120_000 }, async () => {
  const r = await runExample(browser, baseUrl, 'admin');
  assert.equal(r.created, true);
  assert.equal(r.again, false, 'createTopics resolves false for an existing topic');
  assert.deepEqual([...r.listed].sort(), ['topic-1', 'topic-2']);
  const partitions = r.metadata.topics[0].partitions;
  assert.equal(partitions.length, 4);
  for (const p of partitions) {
    assert.equal(p.partitionErrorCode, 0);
    assert.equal(p.replicas.length, 3);
    assert.ok(p.replicas.includes(p.leader));
  }
  assert.equal(r.allMetadata.topics.length, 2);
  assert.equal(r.topicOffsets.reduce((n, o) => n + Number(o.high), 0), 8);
  for (const o of r.topicOffsets) {
    const expected = Array.from({ length: 8 }, (_, i) => 'user-' + i).filter((k) => partitionForKey(k, 4) === o.partition).length;
    assert.equal(o.high, String(expected));
    assert.equal(o.offset, o.high);
    assert.equal(o.low, '0');
  }
  assert.deepEqual(r.byTimestamp.map((o) => o.offset), r.topicOffsets.map((o) => o.high));
  assert.deepEqual(r.groups.groups, [{ groupId: 'my-consumer-group', protocolType: 'consumer' }]);
  assert.equal(r.described, 'Stable');
  assert.deepEqual(r.assignment.assignment, { 'topic-1': [0, 1, 2, 3] });
  assert.deepEqual(r.fetched[0].partitions.map((p) => p.offset), r.topicOffsets.map((o) => o.high));
  assert.deepEqual(r.afterReset[0].partitions.map((p) => p.offset), ['0', '0', '0', '0']);
  const set = Object.fromEntries(r.afterSet[0].partitions.map((p) => [p.partition, p.offset]));
  assert.equal(set[0], String(Math.min(1, Number(r.topicOffsets[0].high))));
  assert.equal(set[3], String(Math.min(1, Number(r.topicOffsets[3].high))));
  const entry = r.configs.resources[0].configEntries[0];
  assert.equal(entry.configName, 'cleanup.policy');
  assert.equal(entry.configValue, 'delete');
  assert.equal(r.altered.resources[0].errorCode, 0);
  assert.equal(r.configsAfter.resources[0].configEntries[0].configValue, 'compact');
  assert.equal(r.afterDeleteRecords[0].low, r.topicOffsets[0].high);
  assert.equal(r.deletedGroups.length, 1);
  assert.deepEqual(r.groupsAfter.groups, []);
  // A group made `__consumer_offsets`: Kafka's Metadata for all topics (KafkaJS's listTopics)
  // lists it too.
  assert.deepEqual(r.listedAfter, ['topic-1', '__consumer_offsets']);
  assert.equal(r.cluster.brokers.length, 3);
});

test('Errors carry KafkaJS class names, type, code and retriable; logCreator and logLevel', { timeout: 120_000 }, async () => {
  const r = await runExample(browser, baseUrl, 'errors');
  assert.deepEqual(
    { name: r.beforeConnect.name, kafkaJSError: r.beforeConnect.kafkaJSError, retriable: r.beforeConnect.retriable, message: r.beforeConnect.message },
    { name: 'KafkaJSError', kafkaJSError: true, retriable: true, message: 'The producer is disconnected' },
  );
  assert.equal(r.noValue.name, 'KafkaJSNonRetriableError');
  assert.equal(r.noValue.retriable, false);
  assert.equal(r.noGroup.message, 'Consumer groupId must be a non-empty string.');
  // Unknown topic: retriable, retried `retries` times, then KafkaJSNumberOfRetriesExceeded.
  assert.equal(r.unknownTopic.name, 'KafkaJSNumberOfRetriesExceeded');
  assert.ok(r.unknownTopic.nonRetriable && r.unknownTopic.exceeded);
  assert.deepEqual(r.unknownTopic.cause, { name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION' });
  // fetchTopicMetadata retries only LEADER_NOT_AVAILABLE (KafkaJS's cluster.metadata).
  assert.deepEqual([r.unknownMetadata.name, r.unknownMetadata.type, r.unknownMetadata.retriable], ['KafkaJSProtocolError', 'UNKNOWN_TOPIC_OR_PARTITION', true]);
  assert.equal(r.badName.name, 'KafkaJSAggregateError');
  assert.ok(r.badName.aggregate);
  assert.deepEqual(r.badName.errors, [{ name: 'KafkaJSCreateTopicError', type: 'INVALID_TOPIC_EXCEPTION', topic: 'bad/name' }]);
  assert.equal(r.duplicate.name, 'KafkaJSNonRetriableError');
  assert.equal(r.duplicate.message, 'Invalid topics array, it cannot have multiple entries for the same topic');
  assert.match(r.badEvent.message, /^Event name should be one of CONNECT,DISCONNECT,REQUEST/);
  assert.equal(r.afterDisconnect.message, 'The producer is disconnected');
  assert.deepEqual(r.entries, [{ level: 1, label: 'ERROR', namespace: undefined, message: 'an error' }]);
});
