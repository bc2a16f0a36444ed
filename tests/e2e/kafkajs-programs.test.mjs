// End-to-end test of rill's KafkaJS drop-in (`kafkajs.js`) run as a KafkaJS user would: short
// programs in the style of KafkaJS's documentation (Producing, Consuming, Admin,
// Instrumentation events) and of common tutorials, with only the import line changed. Each
// program ends by putting what it saw in `window.result`; the tests check it against what
// KafkaJS 2.x against Apache Kafka returns (shapes from tulios/kafkajs's source).
//
// Env: BASE_URL (required) — URL of the built site (it serves kafkajs.js and rill_wasm.js).
//      CHROMIUM (optional) — browser executable, defaults to /usr/bin/chromium.
//      DEBUG=1 prints the page console.
import test from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { LAUNCH_ARGS } from './chromium.mjs';
import { runProgramPage } from './kafkajs-page.mjs';

const HARNESS = `<script>
window.waitFor = async (condition, what, ms = 30000) => {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 25));
  }
};
window.capture = async (fn) => {
  try { await fn(); return null; }
  catch (e) { return { name: e?.name, message: e?.message, type: e?.type, code: e?.code, retriable: e?.retriable }; }
};
const fail = (e) => { window.result = { error: String(e?.stack ?? e), name: e?.name, type: e?.type }; };
window.addEventListener('unhandledrejection', (e) => fail(e.reason));
window.addEventListener('error', (e) => fail(e.error ?? e.message));
</script>`;

const PROGRAMS = {};

function program(name, script) {
  PROGRAMS[name] = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name}</title>
<link rel="icon" href="data:,">${HARNESS}</head><body><pre id="out">running</pre>
<script type="module">${script}</script></body></html>`;
}

async function run(browser, baseUrl, name) {
  return runProgramPage(browser, baseUrl, `e2e-kafkajs-program-${name}.html`, PROGRAMS[name], name);
}

// Producing.md: acks, compression, keys, headers, partition, timestamp; RecordMetadata rows.
program(
  'producer',
  `
import { Kafka, CompressionTypes, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'producer-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const admin = kafka.admin()
await admin.connect()
await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] })
const producer = kafka.producer()
await producer.connect()
const all = await producer.send({
  topic: 'orders',
  messages: [
    { key: 'key1', value: 'hello world', headers: { 'correlation-id': '2bfb68bb-893a-423b-a7fa-7b568cad5b67' } },
    { value: 'to partition 2', partition: 2, timestamp: '1700000000000' },
  ],
})
const leader = await producer.send({ topic: 'orders', acks: 1, messages: [{ value: 'acks 1', partition: 0 }] })
const none = await producer.send({ topic: 'orders', acks: 0, messages: [{ value: 'acks 0', partition: 0 }] })
const gzip = await producer.send({ topic: 'orders', compression: CompressionTypes.GZIP, messages: [{ value: 'zipped', partition: 1 }] })
const batch = await producer.sendBatch({
  topicMessages: [
    { topic: 'orders', messages: [{ value: 'b1', partition: 0 }, { value: 'b2', partition: 1 }] },
    { topic: 'payments', messages: [{ key: 'k', value: JSON.stringify({ amount: 5 }) }] },
  ],
})
await producer.disconnect()
const offsets = await admin.fetchTopicOffsets('orders')
await admin.disconnect()
window.result = { all, leader, none, gzip, batch, offsets }
`,
);

// Consuming.md, eachBatch: resolveOffset, heartbeat, commitOffsetsIfNecessary,
// uncommittedOffsets, isRunning, isStale, eachBatchAutoResolve.
program(
  'each-batch',
  `
import { Kafka, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'batch-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'batched', messages: [1, 2, 3, 4, 5].map((n) => ({ value: 'm' + n })) })
await producer.disconnect()
const consumer = kafka.consumer({ groupId: 'batch-group' })
await consumer.connect()
await consumer.subscribe({ topics: ['batched'], fromBeginning: true })
const seen = []
const batches = []
const uncommitted = []
await consumer.run({
  eachBatchAutoResolve: false,
  eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets, isRunning, isStale }) => {
    batches.push({ topic: batch.topic, partition: batch.partition, highWatermark: batch.highWatermark, isEmpty: batch.isEmpty(), first: batch.firstOffset(), last: batch.lastOffset(), lag: batch.offsetLag(), lagLow: batch.offsetLagLow() })
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break
      if (message.value.toString() === 'm4') break
      seen.push({ offset: message.offset, value: message.value.toString() })
      resolveOffset(message.offset)
      await heartbeat()
    }
    uncommitted.push(uncommittedOffsets())
    await commitOffsetsIfNecessary()
    uncommitted.push(uncommittedOffsets())
  },
})
await waitFor(() => seen.length >= 3, 'three messages')
await consumer.stop()
const admin = kafka.admin()
await admin.connect()
await waitFor(async () => (await admin.fetchOffsets({ groupId: 'batch-group', topics: ['batched'] }))[0].partitions[0].offset === '3', 'commit of offset 3')
const committed = await admin.fetchOffsets({ groupId: 'batch-group', topics: ['batched'] })
await consumer.disconnect()
await admin.disconnect()
window.result = { seen, batches: batches.slice(0, 1), uncommitted: uncommitted.slice(0, 2), committed }
`,
);

// InstrumentationEvents.md: the consumer's events and their payloads.
program(
  'events',
  `
import { Kafka, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'events-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'evented', messages: [{ value: 'one' }, { value: 'boom' }] })
const consumer = kafka.consumer({ groupId: 'events-group', retry: { retries: 1 } })
const { GROUP_JOIN, FETCH, FETCH_START, START_BATCH_PROCESS, END_BATCH_PROCESS, COMMIT_OFFSETS, HEARTBEAT, CRASH, CONNECT, STOP, DISCONNECT } = consumer.events
const events = {}
for (const e of [GROUP_JOIN, FETCH, FETCH_START, START_BATCH_PROCESS, END_BATCH_PROCESS, COMMIT_OFFSETS, HEARTBEAT, CRASH, CONNECT, STOP, DISCONNECT]) {
  consumer.on(e, (event) => { (events[e] ??= []).push(event) })
}
await consumer.connect()
await consumer.subscribe({ topic: 'evented', fromBeginning: true })
let thrown = 0
await consumer.run({
  eachMessage: async ({ message }) => {
    if (message.value.toString() === 'boom' && thrown < 2) { thrown++; throw new Error('handler failed') }
  },
})
await waitFor(() => events[CRASH] && events[COMMIT_OFFSETS], 'crash and commit')
await consumer.disconnect()
await producer.disconnect()
const first = (name) => events[name]?.[0]
const strip = (e) => e && { id: typeof e.id, type: e.type, timestamp: typeof e.timestamp, payload: e.payload }
const join = first(GROUP_JOIN)
window.result = {
  names: { GROUP_JOIN, FETCH, CRASH, COMMIT_OFFSETS, STOP },
  join: join && { ...strip(join), payloadKeys: Object.keys(join.payload).sort() },
  fetch: first(FETCH)?.payload,
  fetchStart: first(FETCH_START)?.payload,
  startBatch: first(START_BATCH_PROCESS)?.payload,
  endBatch: first(END_BATCH_PROCESS) && Object.keys(first(END_BATCH_PROCESS).payload).sort(),
  commit: first(COMMIT_OFFSETS)?.payload,
  heartbeat: first(HEARTBEAT) && Object.keys(first(HEARTBEAT).payload).sort(),
  crash: first(CRASH) && { keys: Object.keys(first(CRASH).payload).sort(), name: first(CRASH).payload.error.name, message: first(CRASH).payload.error.message, restart: first(CRASH).payload.restart, groupId: first(CRASH).payload.groupId },
  crashes: events[CRASH].length, thrown,
  connect: strip(first(CONNECT)),
  stop: strip(first(STOP)),
  disconnect: strip(first(DISCONNECT)),
}
`,
);

// Admin.md, start to end.
program(
  'admin',
  `
import { Kafka, ConfigResourceTypes, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'admin-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const admin = kafka.admin()
await admin.connect()
const created = await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'admin-topic', numPartitions: 2, replicationFactor: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] })
const again = await admin.createTopics({ topics: [{ topic: 'admin-topic' }] })
const topics = await admin.listTopics()
await admin.createPartitions({ topicPartitions: [{ topic: 'admin-topic', count: 4 }] })
const metadata = await admin.fetchTopicMetadata({ topics: ['admin-topic'] })
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'admin-topic', messages: [0, 1, 2, 3].flatMap((p) => [{ key: 'k' + p, value: 'a', partition: p }, { key: 'j' + p, value: 'b', partition: p }]) })
await producer.disconnect()
const topicOffsets = await admin.fetchTopicOffsets('admin-topic')
const consumer = kafka.consumer({ groupId: 'admin-group' })
await consumer.connect()
await consumer.subscribe({ topic: 'admin-topic', fromBeginning: true })
let n = 0
await consumer.run({ eachMessage: async () => { n++ } })
await waitFor(() => n === 8, 'eight messages')
const described = await admin.describeGroups(['admin-group'])
const groups = await admin.listGroups()
await consumer.disconnect()
await admin.setOffsets({ groupId: 'admin-group', topic: 'admin-topic', partitions: [{ partition: 0, offset: '1' }] })
const afterSet = await admin.fetchOffsets({ groupId: 'admin-group', topics: ['admin-topic'] })
await admin.resetOffsets({ groupId: 'admin-group', topic: 'admin-topic', earliest: true })
const afterReset = await admin.fetchOffsets({ groupId: 'admin-group', topics: ['admin-topic'] })
const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-topic', configNames: ['cleanup.policy'] }] })
const altered = await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-topic', configEntries: [{ name: 'retention.ms', value: '60000' }] }] })
const cluster = await admin.describeCluster()
const deletedGroups = await admin.deleteGroups(['admin-group'])
await admin.deleteTopics({ topics: ['admin-topic'] })
const topicsAfter = await admin.listTopics()
await admin.disconnect()
const g = described.groups[0]
window.result = {
  created, again, hasTopic: topics.includes('admin-topic'), metadata, topicOffsets,
  group: { groupId: g.groupId, state: g.state, protocolType: g.protocolType, protocol: g.protocol, errorCode: g.errorCode, members: g.members.length, memberKeys: Object.keys(g.members[0]).sort() },
  groups: groups.groups.filter((x) => x.groupId === 'admin-group'),
  afterSet, afterReset, configs, altered, cluster, deletedGroups, gone: !topicsAfter.includes('admin-topic'),
}
`,
);

// Error handling: classes, instanceof, retriable; transactions refused, never a hang.
program(
  'errors',
  `
import { Kafka, KafkaJSError, KafkaJSNonRetriableError, KafkaJSProtocolError, KafkaJSNumberOfRetriesExceeded, KafkaJSNotImplemented, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'errors-app', brokers: ['localhost:9092'], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } })
const describe = (e) => e && ({ name: e.name, message: e.message, type: e.type, code: e.code, retriable: e.retriable, isKafkaJSError: e instanceof KafkaJSError, nonRetriable: e instanceof KafkaJSNonRetriableError, protocol: e instanceof KafkaJSProtocolError, exceeded: e instanceof KafkaJSNumberOfRetriesExceeded, notImplemented: e instanceof KafkaJSNotImplemented, causeType: e.cause?.type })
const caught = async (fn) => { try { await fn(); return null } catch (e) { return describe(e) } }
const transactional = kafka.producer({ transactionalId: 'my-transactional-producer', maxInFlightRequests: 1, idempotent: true })
const tx = await caught(() => transactional.connect())
const plain = kafka.producer()
await plain.connect()
const txNoId = await caught(() => plain.transaction())
const strict = kafka.producer({ allowAutoTopicCreation: false })
await strict.connect()
const unknown = await caught(() => strict.send({ topic: 'no-such-topic', messages: [{ value: 'x' }] }))
const admin = kafka.admin()
await admin.connect()
const badPartitions = await caught(() => admin.createTopics({ topics: [{ topic: 'bad-partitions', numPartitions: 0 }] }))
const offsetsUnknown = await caught(() => admin.fetchTopicOffsets('no-such-topic'))
await admin.disconnect()
await plain.disconnect()
window.result = { tx, txNoId, unknown, badPartitions, offsetsUnknown }
`,
);

// Consuming.md: subscribe to several topics and a RegExp; pause/resume a topic; seek.
program(
  'subscribe-pause-seek',
  `
import { Kafka, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'sub-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const producer = kafka.producer()
await producer.connect()
for (const topic of ['topic-A', 'topic-B', 'topic-C', 'other']) {
  await producer.send({ topic, messages: [{ value: topic + '-0' }, { value: topic + '-1' }, { value: topic + '-2' }] })
}
const consumer = kafka.consumer({ groupId: 'sub-group' })
await consumer.connect()
await consumer.subscribe({ topics: ['other', /topic-(A|B)/], fromBeginning: true })
const got = []
let sought = false
await consumer.run({
  eachMessage: async ({ topic, partition, message }) => {
    got.push(topic + ':' + message.offset)
    if (topic === 'other' && message.offset === '2' && !sought) {
      sought = true
      consumer.seek({ topic: 'other', partition: 0, offset: '1' })
    }
  },
})
await waitFor(() => got.length >= 10, 'ten messages')
consumer.pause([{ topic: 'topic-A' }])
const paused = consumer.paused()
consumer.resume([{ topic: 'topic-A' }])
const pausedAfter = consumer.paused()
await consumer.disconnect()
await producer.disconnect()
window.result = { got: [...new Set(got)].sort(), count: got.length, paused, pausedAfter, otherTwice: got.filter((x) => x === 'other:1').length }
`,
);

// CustomPartitioner.md and CustomLogger.md.
program(
  'partitioner-logger',
  `
import { Kafka, logLevel } from './kafkajs.js'
const entries = []
const MyLogCreator = (level) => ({ namespace, level, label, log }) => {
  const { message, ...extra } = log
  entries.push({ namespace, level, label, message, extraKeys: Object.keys(extra).sort() })
}
const kafka = new Kafka({ clientId: 'part-app', brokers: ['localhost:9092'], logLevel: logLevel.INFO, logCreator: MyLogCreator })
const calls = []
const MyPartitioner = () => {
  return ({ topic, partitionMetadata, message }) => {
    calls.push({ topic, partitions: partitionMetadata.length, keys: Object.keys(partitionMetadata[0]).sort(), value: message.value })
    return 1
  }
}
const admin = kafka.admin()
await admin.connect()
await admin.createTopics({ topics: [{ topic: 'custom', numPartitions: 2 }] })
const producer = kafka.producer({ createPartitioner: MyPartitioner })
await producer.connect()
const sent = await producer.send({ topic: 'custom', messages: [{ value: 'x' }, { value: 'y' }] })
await producer.disconnect()
const consumer = kafka.consumer({ groupId: 'part-group' })
await consumer.connect()
await consumer.subscribe({ topic: 'custom', fromBeginning: true })
let n = 0
await consumer.run({ eachMessage: async () => { n++ } })
await waitFor(() => n === 2, 'two messages')
await consumer.disconnect()
await admin.disconnect()
kafka.logger().info('done', { extra: true })
window.result = { calls, sent: sent.map((r) => r.partition), entries }
`,
);

// A tutorial's two consumers in one group: the partitions are split between them.
program(
  'two-consumers',
  `
import { Kafka, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'tutorial', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const admin = kafka.admin()
await admin.connect()
await admin.createTopics({ topics: [{ topic: 'shared', numPartitions: 4 }] })
const joins = []
const rebalancing = []
const received = { a: 0, b: 0 }
const make = async (name) => {
  const consumer = kafka.consumer({ groupId: 'tutorial-group' })
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => joins.push({ name, payload }))
  consumer.on(consumer.events.REBALANCING, ({ payload }) => rebalancing.push({ name, groupId: payload.groupId, memberId: payload.memberId }))
  await consumer.connect()
  await consumer.subscribe({ topic: 'shared', fromBeginning: true })
  await consumer.run({ partitionsConsumedConcurrently: 2, eachMessage: async () => { received[name]++ } })
  return consumer
}
const a = await make('a')
await waitFor(() => joins.length >= 1, 'first join')
const b = await make('b')
await waitFor(() => joins.filter((j) => j.name === 'b').length >= 1 && joins.filter((j) => j.name === 'a').length >= 2, 'rebalance')
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'shared', messages: [0, 1, 2, 3].map((p) => ({ value: 'v' + p, partition: p })) })
await waitFor(() => received.a + received.b === 4, 'four messages')
const last = (name) => joins.filter((j) => j.name === name).at(-1).payload
const la = last('a'), lb = last('b')
await a.disconnect()
await b.disconnect()
await producer.disconnect()
await admin.disconnect()
const firstA = joins.find((j) => j.name === 'a').payload
window.result = { rebalancingA: rebalancing.filter((x) => x.name === 'a').slice(0, 1), firstAMember: firstA.memberId, received, a: la.memberAssignment, b: lb.memberAssignment, leaders: [la.isLeader, lb.isLeader], sameLeader: la.leaderId === lb.leaderId, protocol: la.groupProtocol, duration: typeof la.duration }
`,
);

// Disconnect flows: stop and run again, send after disconnect, disconnect twice.
program(
  'disconnects',
  `
import { Kafka, KafkaJSError, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'dc-app', brokers: ['localhost:9092'], logLevel: logLevel.NOTHING })
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'dc', messages: [{ value: '1' }] })
const consumer = kafka.consumer({ groupId: 'dc-group' })
await consumer.connect()
await consumer.subscribe({ topic: 'dc', fromBeginning: true })
const seen = []
await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value.toString()) } })
await waitFor(() => seen.length === 1, 'first')
await consumer.stop()
await producer.send({ topic: 'dc', messages: [{ value: '2' }] })
await consumer.run({ eachMessage: async ({ message }) => { seen.push('again ' + message.value.toString()) } })
await waitFor(() => seen.length === 2, 'second after restart')
await consumer.disconnect()
await consumer.disconnect()
await producer.disconnect()
await producer.disconnect()
let after = null
try { await producer.send({ topic: 'dc', messages: [{ value: '3' }] }) } catch (e) { after = { name: e.name, message: e.message, isKafkaJSError: e instanceof KafkaJSError } }
window.result = { seen, after }
`,
);

// Message shapes a tutorial prints: JSON values, header arrays, tombstones, timestamps.
program(
  'messages',
  `
import { Kafka, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'msg-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const producer = kafka.producer()
await producer.connect()
await producer.send({
  topic: 'shapes',
  messages: [
    { key: 'user-1', value: JSON.stringify({ name: 'Ann' }), headers: { 'content-type': 'application/json', tags: ['a', 'b'] }, timestamp: '1700000000000' },
    { key: 'user-1', value: null },
    { value: new TextEncoder().encode('bytes') },
  ],
})
await producer.disconnect()
const consumer = kafka.consumer({ groupId: 'msg-group' })
await consumer.connect()
await consumer.subscribe({ topic: 'shapes', fromBeginning: true })
const seen = []
await consumer.run({
  eachMessage: async ({ topic, partition, message, heartbeat, pause }) => {
    seen.push({
      topic, partition,
      key: message.key?.toString() ?? null,
      value: message.value === null ? null : message.value.toString(),
      headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : v.toString()])),
      timestamp: message.timestamp, offset: message.offset, types: [typeof message.timestamp, typeof message.offset],
      heartbeat: typeof heartbeat, pause: typeof pause,
    })
  },
})
await waitFor(() => seen.length === 3, 'three messages')
await consumer.disconnect()
window.result = { seen, json: JSON.parse(seen[0].value) }
`,
);

// Consuming.md: subscribe called twice, fromBeginning false, manual commits with autoCommit
// false, a second consumer of the group resuming where the first committed.
program(
  'manual-commit',
  `
import { Kafka, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'commit-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'first', messages: [{ value: 'old-1' }] })
await producer.send({ topic: 'second', messages: [{ value: 'old-2' }] })
const consumer = kafka.consumer({ groupId: 'commit-group' })
await consumer.connect()
await consumer.subscribe({ topic: 'first' })
await consumer.subscribe({ topic: 'second' })
const seen = []
let joined = false
consumer.on(consumer.events.GROUP_JOIN, () => { joined = true })
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ topic, partition, message }) => {
    seen.push(topic + ':' + message.value.toString())
    await consumer.commitOffsets([{ topic, partition, offset: (Number(message.offset) + 1).toString() }])
  },
})
await waitFor(() => joined, 'join')
// As against Kafka: the 'latest' position is looked up after the join; let it settle.
await new Promise((r) => setTimeout(r, 1000))
await producer.send({ topic: 'first', messages: [{ value: 'new-1' }] })
await producer.send({ topic: 'second', messages: [{ value: 'new-2' }] })
await waitFor(() => seen.length === 2, 'two new messages')
await consumer.disconnect()
await producer.send({ topic: 'first', messages: [{ value: 'later-1' }] })
const again = kafka.consumer({ groupId: 'commit-group' })
const seenAgain = []
await again.connect()
await again.subscribe({ topics: ['first', 'second'], fromBeginning: true })
await again.run({ eachMessage: async ({ topic, message }) => { seenAgain.push(topic + ':' + message.value.toString()) } })
await waitFor(() => seenAgain.length === 1, 'the later message')
const admin = kafka.admin()
await admin.connect()
const all = await admin.fetchOffsets({ groupId: 'commit-group' })
const group = await again.describeGroup()
await again.disconnect()
await producer.disconnect()
await admin.disconnect()
window.result = { seen: seen.sort(), seenAgain, all: all.map((t) => [t.topic, t.partitions.map((p) => p.offset)]).sort(), state: group.state, members: group.members.length }
`,
);

// pause() from eachMessage returns a function that resumes the partition (Consuming.md).
program(
  'pause-in-handler',
  `
import { Kafka, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'pause-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'throttled', messages: [{ value: '1' }, { value: '2' }, { value: '3' }] })
const consumer = kafka.consumer({ groupId: 'pause-group' })
await consumer.connect()
await consumer.subscribe({ topic: 'throttled', fromBeginning: true })
const seen = []
let pausedSeen = null
await consumer.run({
  eachMessage: async ({ topic, partition, message, pause }) => {
    if (message.value.toString() === '2' && pausedSeen === null) {
      const resumeThisPartition = pause()
      pausedSeen = consumer.paused()
      setTimeout(resumeThisPartition, 200)
      throw new Error('busy, retry later')
    }
    seen.push(message.value.toString())
  },
})
await waitFor(() => seen.length === 3, 'all three after the resume')
await consumer.disconnect()
await producer.disconnect()
window.result = { seen, pausedSeen }
`,
);

// Admin extras: offsets by timestamp, deleteTopicRecords, fetchOffsets with resolveOffsets.
program(
  'admin-offsets',
  `
import { Kafka, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'offsets-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const admin = kafka.admin()
await admin.connect()
await admin.createTopics({ topics: [{ topic: 'timed', numPartitions: 1 }] })
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'timed', messages: [
  { value: 'a', timestamp: '1000' }, { value: 'b', timestamp: '2000' }, { value: 'c', timestamp: '3000' }, { value: 'd', timestamp: '4000' },
] })
await producer.disconnect()
const byTime = await admin.fetchTopicOffsetsByTimestamp('timed', 2500)
const latest = await admin.fetchTopicOffsetsByTimestamp('timed')
await admin.deleteTopicRecords({ topic: 'timed', partitions: [{ partition: 0, offset: '2' }] })
const afterDelete = await admin.fetchTopicOffsets('timed')
const none = await admin.fetchOffsets({ groupId: 'nobody', topics: ['timed'] })
const dead = await admin.describeGroups(['nobody'])
const groups = await admin.listGroups()
let deleteError = null
try { await admin.deleteGroups(['nobody']) } catch (e) { deleteError = { name: e.name, groups: e.groups.map((g) => ({ groupId: g.groupId, errorCode: g.errorCode, type: g.error?.type })) } }
await admin.disconnect()
window.result = { byTime, latest, afterDelete, none, dead, groups, deleteError }
`,
);

// Admin.md's ACL and partition reassignment sections; run twice; restartOnFailure.
program(
  'admin-acl-reassign',
  `
import { Kafka, KafkaJSProtocolError, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'acl-app', brokers: ['localhost:9092'], logLevel: logLevel.NOTHING })
const admin = kafka.admin()
await admin.connect()
let acl = null
try {
  await admin.createAcls({ acl: [{ resourceType: AclResourceTypes.TOPIC, resourceName: 'topic-name', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:bob', host: '*', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.DENY }] })
} catch (e) { acl = { name: e.name, type: e.type, code: e.code, retriable: e.retriable, protocol: e instanceof KafkaJSProtocolError } }
let describeAcl = null
try { await admin.describeAcls({ resourceType: AclResourceTypes.TOPIC, resourceName: 'topic-name', resourcePatternType: ResourcePatternTypes.LITERAL }) } catch (e) { describeAcl = e.type }
await admin.createTopics({ topics: [{ topic: 'moving', numPartitions: 1, replicationFactor: 1 }] })
const before = (await admin.fetchTopicMetadata({ topics: ['moving'] })).topics[0].partitions[0].replicas
const target = [0, 1, 2].filter((b) => !before.includes(b)).slice(0, 2)
await admin.alterPartitionReassignments({ topics: [{ topic: 'moving', partitionAssignment: [{ partition: 0, replicas: target }] }] })
await waitFor(async () => {
  const replicas = (await admin.fetchTopicMetadata({ topics: ['moving'] })).topics[0].partitions[0].replicas
  return [...replicas].sort().join() === [...target].sort().join()
}, 'the reassignment')
await admin.disconnect()
window.result = { acl, describeAcl, moved: target.length === 2 }
`,
);

// Client lifecycle details: run twice, subscribe while running, listener removal, the
// producer's and admin's connect events.
program(
  'lifecycle',
  `
import { Kafka, logLevel } from './kafkajs.js'
const warnings = []
const kafka = new Kafka({ clientId: 'life-app', brokers: ['localhost:9092'], logLevel: logLevel.WARN, logCreator: () => ({ namespace, label, log }) => { if (label === 'WARN') warnings.push(namespace + ': ' + log.message) } })
const producer = kafka.producer({ createPartitioner: undefined })
const producerEvents = []
producer.on(producer.events.CONNECT, (e) => producerEvents.push(e.type))
producer.on(producer.events.DISCONNECT, (e) => producerEvents.push(e.type))
await producer.connect()
await producer.send({ topic: 'life', messages: [{ value: 'x' }] })
const admin = kafka.admin()
const adminEvents = []
admin.on(admin.events.CONNECT, (e) => adminEvents.push(e.type))
await admin.connect()
const consumer = kafka.consumer({ groupId: 'life-group' })
let joins = 0
const remove = consumer.on(consumer.events.GROUP_JOIN, () => { joins++ })
await consumer.connect()
await consumer.subscribe({ topic: 'life', fromBeginning: true })
let n = 0
await consumer.run({ eachMessage: async () => { n++ } })
const second = await consumer.run({ eachMessage: async () => { n += 100 } }).then(() => 'resolved', (e) => e.name)
await waitFor(() => n >= 1, 'the message')
let subscribeWhileRunning = null
try { await consumer.subscribe({ topic: 'other' }) } catch (e) { subscribeWhileRunning = { name: e.name, message: e.message } }
remove()
await consumer.disconnect()
await producer.disconnect()
await admin.disconnect()
window.result = { n, second, subscribeWhileRunning, joins, producerEvents, adminEvents, warnings }
`,
);

// Retry.md: a handler that keeps failing is retried `retries` times, then the consumer
// crashes; `restartOnFailure` returning false leaves it stopped.
program(
  'crash-restart',
  `
import { Kafka, logLevel } from './kafkajs.js'
const errors = []
const kafka = new Kafka({ clientId: 'crash-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR, logCreator: () => ({ namespace, log }) => errors.push(namespace + ': ' + log.message) })
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'poison', messages: [{ value: 'poison pill' }] })
await producer.disconnect()
const asked = []
const consumer = kafka.consumer({ groupId: 'crash-group', retry: { retries: 2, initialRetryTime: 50, restartOnFailure: async (error) => { asked.push(error.name); return false } } })
const crashes = []
consumer.on(consumer.events.CRASH, ({ payload }) => crashes.push({ name: payload.error.name, cause: payload.error.cause?.message, restart: payload.restart }))
await consumer.connect()
await consumer.subscribe({ topic: 'poison', fromBeginning: true })
let attempts = 0
await consumer.run({ eachMessage: async () => { attempts++; throw new Error('cannot parse') } })
await waitFor(() => crashes.length === 1, 'the crash')
await new Promise((r) => setTimeout(r, 1500))
window.result = { attempts, crashes, asked, crashLog: errors.filter((e) => e.startsWith('Consumer: Crash')) }
`,
);

// Consuming.md's seek with KafkaJS's special offsets: -2 the earliest, -1 the latest.
program(
  'seek-special',
  `
import { Kafka, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'seek-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const producer = kafka.producer()
await producer.connect()
await producer.send({ topic: 'replay', messages: [{ value: 'a' }, { value: 'b' }] })
const consumer = kafka.consumer({ groupId: 'seek-group' })
await consumer.connect()
await consumer.subscribe({ topic: 'replay', fromBeginning: true })
const seen = []
await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value.toString()) } })
await waitFor(() => seen.length === 2, 'a and b')
consumer.seek({ topic: 'replay', partition: 0, offset: '-2' })
await waitFor(() => seen.length === 4, 'a and b again from the earliest')
consumer.seek({ topic: 'replay', partition: 0, offset: -1 })
await new Promise((r) => setTimeout(r, 300))
await producer.send({ topic: 'replay', messages: [{ value: 'c' }] })
await waitFor(() => seen.length === 5, 'c')
let negative = null
try { consumer.seek({ topic: 'replay', partition: 0, offset: '-3' }) } catch (e) { negative = e.message }
await consumer.disconnect()
await producer.disconnect()
window.result = { seen, negative }
`,
);

// Odds and ends of tutorials: concurrent sends, an empty send, resubscribing after stop,
// listTopics once a group exists.
program(
  'odds',
  `
import { Kafka, logLevel } from './kafkajs.js'
const kafka = new Kafka({ clientId: 'odds-app', brokers: ['localhost:9092'], logLevel: logLevel.ERROR })
const producer = kafka.producer()
await producer.connect()
const parallel = await Promise.all([1, 2, 3, 4, 5].map((n) => producer.send({ topic: 'parallel', messages: [{ key: 'k', value: String(n) }] })))
const empty = await producer.send({ topic: 'parallel', messages: [] })
const consumer = kafka.consumer({ groupId: 'odds-group' })
await consumer.connect()
await consumer.subscribe({ topic: 'parallel', fromBeginning: true })
const seen = []
await consumer.run({ eachMessage: async ({ topic, message }) => { seen.push(topic + ':' + message.value.toString()) } })
await waitFor(() => seen.length === 5, 'five')
await consumer.stop()
await producer.send({ topic: 'later', messages: [{ value: 'L' }] })
await consumer.subscribe({ topic: 'later', fromBeginning: true })
await consumer.run({ eachMessage: async ({ topic, message }) => { seen.push(topic + ':' + message.value.toString()) } })
await waitFor(() => seen.includes('later:L'), 'the later topic after resubscribing')
const admin = kafka.admin()
await admin.connect()
const topics = (await admin.listTopics()).sort()
const allMetadata = (await admin.fetchTopicMetadata()).topics.map((t) => t.name).sort()
await consumer.disconnect()
await producer.disconnect()
await admin.disconnect()
window.result = { offsets: parallel.map((r) => r[0].baseOffset).sort(), empty, seen, topics, allMetadata }
`,
);

const baseUrl = process.env.BASE_URL;
let browser;

test.before(async () => {
  assert.ok(baseUrl, 'BASE_URL is set');
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: LAUNCH_ARGS });
});

test.after(async () => {
  await browser?.close();
});

const only = process.env.PROGRAMS?.split(',');
const check = (name, title, fn) =>
  test(`${name}: ${title}`, { timeout: 120_000, skip: only != null && !only.includes(name) }, async () => {
    const result = await run(browser, baseUrl, name);
    if (process.env.DUMP) console.log(name, JSON.stringify(result, null, 1));
    await fn(result);
  });

const row = (topicName, partition, baseOffset) => ({ topicName, partition, errorCode: 0, baseOffset, logAppendTime: '-1', logStartOffset: '0' });

check('producer', 'send/sendBatch return one RecordMetadata per partition; acks 0 returns []; GZIP accepted', (r) => {
  // The keyed message's partition is murmur2's; the other was sent to partition 2.
  assert.equal(r.all.length, r.all[0].partition === 2 ? 1 : 2);
  assert.deepEqual(r.all.find((x) => x.partition === 2), row('orders', 2, '0'));
  assert.equal(r.leader.length, 1);
  assert.equal(r.leader[0].topicName, 'orders');
  // KafkaJS expects no produce response with acks 0: `send` resolves to [].
  assert.deepEqual(r.none, []);
  assert.deepEqual(r.gzip.map((x) => x.partition), [1]);
  assert.deepEqual(r.batch.map((x) => [x.topicName, x.partition]), [['orders', 0], ['orders', 1], ['payments', 0]]);
  assert.deepEqual(r.batch.at(-1), row('payments', 0, '0'));
  const total = r.offsets.reduce((n, o) => n + Number(o.high), 0);
  assert.equal(total, 7, 'every message was written, the acks 0 one too');
  for (const o of r.offsets) assert.deepEqual(Object.keys(o).sort(), ['high', 'low', 'offset', 'partition']);
});

check('each-batch', 'resolveOffset, uncommittedOffsets, commitOffsetsIfNecessary with eachBatchAutoResolve false', (r) => {
  assert.deepEqual(r.seen.map((m) => m.value), ['m1', 'm2', 'm3']);
  assert.deepEqual(r.batches[0], { topic: 'batched', partition: 0, highWatermark: '5', isEmpty: false, first: '0', last: '4', lag: '0', lagLow: '4' });
  // KafkaJS's uncommittedOffsets(): the next offset after the last resolved one, until committed.
  assert.deepEqual(r.uncommitted[0], { topics: [{ topic: 'batched', partitions: [{ partition: 0, offset: '3' }] }] });
  assert.deepEqual(r.uncommitted[1], { topics: [] });
  assert.deepEqual(r.committed, [{ topic: 'batched', partitions: [{ partition: 0, offset: '3', metadata: null }] }]);
});

check('events', 'GROUP_JOIN, FETCH_START, FETCH, START/END_BATCH_PROCESS, COMMIT_OFFSETS, CRASH payloads as KafkaJS', (r) => {
  assert.deepEqual(r.names, { GROUP_JOIN: 'consumer.group_join', FETCH: 'consumer.fetch', CRASH: 'consumer.crash', COMMIT_OFFSETS: 'consumer.commit_offsets', STOP: 'consumer.stop' });
  for (const key of ['duration', 'groupId', 'groupProtocol', 'isLeader', 'leaderId', 'memberAssignment', 'memberId']) {
    assert.ok(r.join.payloadKeys.includes(key), `GROUP_JOIN payload has ${key}`);
  }
  assert.equal(typeof r.join.payload.duration, 'number');
  assert.deepEqual(r.join.payload.memberAssignment, { evented: [0] });
  assert.equal(r.join.payload.isLeader, true);
  assert.deepEqual(Object.keys(r.fetchStart), ['nodeId']);
  assert.deepEqual(Object.keys(r.fetch).sort(), ['duration', 'nodeId', 'numberOfBatches']);
  assert.equal(r.fetch.nodeId, r.fetchStart.nodeId);
  assert.deepEqual(r.startBatch, { topic: 'evented', partition: 0, highWatermark: '2', offsetLag: '0', offsetLagLow: '1', batchSize: 2, firstOffset: '0', lastOffset: '1' });
  assert.deepEqual(r.endBatch, ['batchSize', 'duration', 'firstOffset', 'highWatermark', 'lastOffset', 'offsetLag', 'offsetLagLow', 'partition', 'topic']);
  // KafkaJS's COMMIT_OFFSETS: topics grouped with their partitions, and the member.
  assert.deepEqual(r.commit.topics, [{ topic: 'evented', partitions: [{ partition: 0, offset: '2' }] }]);
  assert.equal(r.commit.groupId, 'events-group');
  assert.equal(r.commit.memberId, r.join.payload.memberId);
  assert.equal(r.commit.groupGenerationId, r.join.payload.generationId);
  // KafkaJS retries a failing handler `retry.retries` times, then crashes (and restarts).
  assert.deepEqual(r.crash, { keys: ['error', 'groupId', 'restart'], name: 'KafkaJSNumberOfRetriesExceeded', message: 'handler failed', restart: true, groupId: 'events-group' });
  assert.deepEqual([r.crashes, r.thrown], [1, 2]);
  for (const e of [r.connect, r.stop, r.disconnect]) assert.deepEqual([e.id, e.timestamp], ['number', 'number']);
});

check('admin', 'Admin.md from createTopics to deleteTopics: return shapes', (r) => {
  assert.equal(r.created, true);
  assert.equal(r.again, false);
  assert.equal(r.hasTopic, true);
  assert.equal(r.metadata.topics[0].name, 'admin-topic');
  assert.equal(r.metadata.topics[0].partitions.length, 4);
  assert.deepEqual(Object.keys(r.metadata.topics[0].partitions[0]).sort(), ['isr', 'leader', 'offlineReplicas', 'partitionErrorCode', 'partitionId', 'replicas']);
  assert.deepEqual(r.topicOffsets.map((o) => [o.partition, o.offset, o.high, o.low]), [0, 1, 2, 3].map((p) => [p, '2', '2', '0']));
  assert.deepEqual(r.group, { groupId: 'admin-group', state: 'Stable', protocolType: 'consumer', protocol: 'roundrobin', errorCode: 0, members: 1, memberKeys: ['clientHost', 'clientId', 'memberAssignment', 'memberId', 'memberMetadata'] });
  assert.deepEqual(r.groups, [{ groupId: 'admin-group', protocolType: 'consumer' }]);
  assert.deepEqual(r.afterSet[0].partitions.map((p) => p.offset), ['1', '2', '2', '2']);
  assert.deepEqual(r.afterReset[0].partitions.map((p) => p.offset), ['0', '0', '0', '0']);
  assert.deepEqual(r.configs.resources[0].configEntries.map((e) => [e.configName, e.configValue, e.isDefault, e.configSource]), [['cleanup.policy', 'compact', false, 1]]);
  assert.deepEqual(r.altered.resources, [{ errorCode: 0, errorMessage: null, resourceName: 'admin-topic', resourceType: 2 }]);
  assert.deepEqual(r.cluster.brokers.map((b) => b.nodeId), [0, 1, 2]);
  assert.deepEqual(r.deletedGroups, [{ groupId: 'admin-group', errorCode: 0 }]);
  assert.equal(r.gone, true);
});

check('errors', 'error classes: transactions refused at once, retries exceeded, aggregate create errors', (r) => {
  assert.equal(r.tx.name, 'KafkaJSNotImplemented');
  assert.equal(r.tx.isKafkaJSError && r.tx.nonRetriable && r.tx.retriable === false, true);
  assert.equal(r.txNoId.name, 'KafkaJSNotImplemented');
  assert.equal(r.unknown.name, 'KafkaJSNumberOfRetriesExceeded');
  assert.equal(r.unknown.causeType, 'UNKNOWN_TOPIC_OR_PARTITION');
  assert.equal(r.badPartitions.name, 'KafkaJSAggregateError');
  assert.equal(r.offsetsUnknown.exceeded, true);
});

check('subscribe-pause-seek', 'topics with a RegExp, seek inside eachMessage, pause/resume/paused', (r) => {
  const expected = ['other', 'topic-A', 'topic-B'].flatMap((t) => [0, 1, 2].map((o) => `${t}:${o}`));
  assert.deepEqual(r.got, expected, 'topic-C is not matched');
  assert.equal(r.otherTwice, 2, 'seek to 1 delivers other:1 again');
  assert.deepEqual(r.paused, [{ topic: 'topic-A', partitions: [0] }]);
  assert.deepEqual(r.pausedAfter, []);
});

check('partitioner-logger', 'custom partitioner and logCreator as the docs write them', (r) => {
  assert.deepEqual(r.calls.map((c) => [c.topic, c.partitions, c.value]), [['custom', 2, 'x'], ['custom', 2, 'y']]);
  assert.deepEqual(r.calls[0].keys, ['leader', 'partitionId']);
  assert.deepEqual(r.sent, [1]);
  const done = r.entries.find((e) => e.message === 'done');
  assert.deepEqual(done, { namespace: undefined, level: 4, label: 'INFO', message: 'done', extraKeys: ['extra', 'logger', 'timestamp'] });
  // KafkaJS's consumer logs at INFO: Starting, Consumer has joined the group, Stopped.
  const consumer = r.entries.filter((e) => e.namespace === 'Consumer' || e.namespace === 'ConsumerGroup').map((e) => [e.namespace, e.message]);
  assert.deepEqual(consumer, [['Consumer', 'Starting'], ['ConsumerGroup', 'Consumer has joined the group'], ['Consumer', 'Stopped']]);
  const joined = r.entries.find((e) => e.message === 'Consumer has joined the group');
  for (const key of ['groupId', 'memberId', 'leaderId', 'isLeader', 'memberAssignment', 'groupProtocol', 'duration']) assert.ok(joined.extraKeys.includes(key), key);
});

check('two-consumers', 'two members of one group split four partitions', (r) => {
  assert.deepEqual(r.received, { a: 2, b: 2 });
  // KafkaJS's REBALANCING payload: { groupId, memberId } (a's rebalance when b joins).
  assert.deepEqual(r.rebalancingA, [{ name: 'a', groupId: 'tutorial-group', memberId: r.firstAMember }]);
  assert.deepEqual([...r.a.shared, ...r.b.shared].sort(), [0, 1, 2, 3]);
  assert.deepEqual(r.leaders.sort(), [false, true]);
  assert.equal(r.sameLeader, true);
  assert.equal(r.duration, 'number');
});

check('disconnects', 'stop then run again, double disconnect, send after disconnect', (r) => {
  assert.deepEqual(r.seen, ['1', 'again 2']);
  assert.deepEqual(r.after, { name: 'KafkaJSError', message: 'The producer is disconnected', isKafkaJSError: true });
});

check('messages', 'eachMessage payload: JSON value, header arrays, tombstone, bytes, string timestamps and offsets', (r) => {
  assert.deepEqual(r.json, { name: 'Ann' });
  const [first, tombstone, bytes] = r.seen;
  assert.deepEqual(first.headers, { 'content-type': 'application/json', tags: ['a', 'b'] });
  assert.deepEqual([first.key, first.timestamp, first.offset], ['user-1', '1700000000000', '0']);
  assert.deepEqual([tombstone.key, tombstone.value, tombstone.offset], ['user-1', null, '1']);
  assert.deepEqual(tombstone.headers, {});
  assert.deepEqual([bytes.key, bytes.value], [null, 'bytes']);
  for (const m of r.seen) {
    assert.deepEqual(m.types, ['string', 'string']);
    assert.deepEqual([m.heartbeat, m.pause], ['function', 'function']);
  }
});

check('manual-commit', 'subscribe twice, fromBeginning false, manual commitOffsets, a new member resumes there', (r) => {
  assert.deepEqual(r.seen, ['first:new-1', 'second:new-2'], 'both subscriptions kept; old records skipped');
  assert.deepEqual(r.seenAgain, ['first:later-1'], 'the committed offsets win over fromBeginning');
  assert.deepEqual(r.all, [['first', ['2']], ['second', ['2']]]);
  assert.deepEqual([r.state, r.members], ['Stable', 1]);
});

check('pause-in-handler', 'pause() in eachMessage returns the resume function; the throwing record comes again', (r) => {
  assert.deepEqual(r.seen, ['1', '2', '3']);
  assert.deepEqual(r.pausedSeen, [{ topic: 'throttled', partitions: [0] }]);
});

check('admin-offsets', 'offsets by timestamp, deleteTopicRecords, and a group nobody has joined yet', (r) => {
  assert.deepEqual(r.byTime, [{ partition: 0, offset: '2' }]);
  assert.deepEqual(r.latest, [{ partition: 0, offset: '4' }]);
  assert.deepEqual(r.afterDelete, [{ partition: 0, offset: '4', high: '4', low: '2' }]);
  // Kafka answers a group that never committed with -1, before any group exists too.
  assert.deepEqual(r.none, [{ topic: 'timed', partitions: [{ partition: 0, offset: '-1', metadata: null }] }]);
  assert.deepEqual(r.dead.groups.map((g) => [g.groupId, g.state, g.members.length]), [['nobody', 'Dead', 0]]);
  assert.deepEqual(r.groups, { groups: [] });
  assert.equal(r.deleteError.name, 'KafkaJSDeleteGroupsError');
  assert.deepEqual(r.deleteError.groups, [{ groupId: 'nobody', errorCode: 69, type: 'GROUP_ID_NOT_FOUND' }]);
});

check('admin-acl-reassign', 'ACL requests get Kafka SECURITY_DISABLED; alterPartitionReassignments moves replicas', (r) => {
  assert.deepEqual(r.acl, { name: 'KafkaJSProtocolError', type: 'SECURITY_DISABLED', code: 54, retriable: false, protocol: true });
  assert.equal(r.describeAcl, 'SECURITY_DISABLED');
  assert.equal(r.moved, true);
});

check('lifecycle', 'run twice warns and keeps the first handler; subscribe while running; client events', (r) => {
  assert.equal(r.second, 'resolved');
  assert.ok(r.warnings.some((w) => w === 'Consumer: consumer#run was called, but the consumer is already running'), JSON.stringify(r.warnings));
  assert.equal(r.n, 1, 'the first handler got the message');
  assert.deepEqual(r.subscribeWhileRunning, { name: 'KafkaJSNonRetriableError', message: 'Cannot subscribe to topic while consumer is running' });
  assert.equal(r.joins, 1);
  assert.deepEqual(r.producerEvents, ['producer.connect', 'producer.disconnect']);
  assert.deepEqual(r.adminEvents, ['admin.connect']);
});

check('crash-restart', 'a failing handler: retries, then CRASH with KafkaJSNumberOfRetriesExceeded; restartOnFailure false stops', (r) => {
  assert.equal(r.attempts, 3, 'the first call and retries: 2, no more after the crash');
  assert.deepEqual(r.crashes, [{ name: 'KafkaJSNumberOfRetriesExceeded', cause: 'cannot parse', restart: false }]);
  assert.deepEqual(r.asked, ['KafkaJSNumberOfRetriesExceeded']);
  assert.deepEqual(r.crashLog, ['Consumer: Crash: KafkaJSNumberOfRetriesExceeded: cannot parse']);
});

check('seek-special', 'seek to -2 (earliest) and -1 (latest) as KafkaJS; other negatives refused', (r) => {
  assert.deepEqual(r.seen, ['a', 'b', 'a', 'b', 'c']);
  assert.equal(r.negative, 'Offset must not be a negative number');
});

check('odds', 'concurrent sends, an empty send, subscribe after stop then run again, listTopics', (r) => {
  assert.deepEqual(r.offsets, ['0', '1', '2', '3', '4']);
  assert.deepEqual(r.empty, []);
  assert.deepEqual(r.seen.slice(0, 5).sort(), ['parallel:1', 'parallel:2', 'parallel:3', 'parallel:4', 'parallel:5']);
  assert.ok(r.seen.includes('later:L'));
  // Kafka's Metadata for all topics lists the internal one too, as KafkaJS shows it.
  assert.deepEqual(r.topics, ['__consumer_offsets', 'later', 'parallel']);
  assert.deepEqual(r.allMetadata, ['__consumer_offsets', 'later', 'parallel']);
});

const CHECKED = new Set(['producer', 'each-batch', 'events', 'admin', 'errors', 'subscribe-pause-seek', 'partitioner-logger', 'two-consumers', 'disconnects', 'messages', 'manual-commit', 'pause-in-handler', 'admin-offsets', 'admin-acl-reassign', 'lifecycle', 'crash-restart', 'seek-special', 'odds']);
for (const name of Object.keys(PROGRAMS).filter((n) => !CHECKED.has(n))) {
  check(name, 'dump', () => {});
}
