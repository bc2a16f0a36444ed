// rill's KafkaJS drop-in: `import { Kafka } from './kafkajs.js'` in place of
// `require('kafkajs')`, and code written for KafkaJS 2.x runs against a replicated Kafka
// cluster living in the page (rill's `Rill` class, from `rill_wasm.js`).
//
// This module loads and initialises `rill_wasm.js` itself (no `init()` to call) and keeps one
// cluster per name for the whole page, shared by every `new Kafka(...)` — as every KafkaJS
// client pointed at the same brokers shares one Kafka cluster. The KafkaJS-specific behaviour
// lives here: KafkaJS's partitioners, its retrier and error classes, its logger, the checks it
// makes before sending a request, topic auto-creation (a broker's `auto.create.topics.enable`),
// and the queuing of `seek` before the group is joined. Everything Kafka does is rill's.
//
// Options with no meaning in a page are accepted and ignored: `brokers` (addresses),
// `ssl`, `sasl`, `connectionTimeout`, `authenticationTimeout`, `reauthenticationThreshold`,
// `requestTimeout`, `enforceRequestTimeout`, `socketFactory`, `metadataMaxAge`,
// `maxInFlightRequests`, `rackId`, `readUncommitted` (rill has no transactions, every record
// is committed). rill's own options go in `rill`: `{ name = 'kafkajs', storage = 'memory',
// brokers = 3, seed, clock, latency }` (see `Rill.open`), or an already opened `Rill`.

const OFFSETS_TOPIC = '__consumer_offsets';

const RETRY_DEFAULTS = { maxRetryTime: 30000, initialRetryTime: 300, factor: 0.2, multiplier: 2, retries: 5 };

// ---------------------------------------------------------------------------------------------
// Loading rill and opening clusters

let rillModule = null;

/** `rill_wasm.js`, initialised once for the page. */
function loadRill() {
  if (!rillModule) {
    rillModule = (async () => {
      const module = await import('./rill_wasm.js');
      await module.default({ module_or_path: new URL('./rill_wasm_bg.wasm', import.meta.url) });
      return module;
    })();
  }
  return rillModule;
}

/** Open clusters by name: every `Kafka` of the page with the same `rill.name` shares one. */
const clusters = new Map();

function isRill(value) {
  return value != null && typeof value === 'object' && typeof value.admin === 'function' && typeof value.producer === 'function';
}

function openCluster(options) {
  if (isRill(options)) return Promise.resolve(options);
  const opts = { name: 'kafkajs', storage: 'memory', ...(options ?? {}) };
  let cluster = clusters.get(opts.name);
  if (!cluster) {
    cluster = loadRill().then(({ Rill }) => Rill.open(opts));
    cluster.catch(() => clusters.delete(opts.name));
    clusters.set(opts.name, cluster);
  }
  return cluster;
}

// ---------------------------------------------------------------------------------------------
// Errors: KafkaJS's classes, names and fields

export class KafkaJSError extends Error {
  constructor(e, { retriable = true, cause } = {}) {
    super(typeof e === 'string' ? e : e?.message ?? String(e), cause === undefined ? undefined : { cause });
    this.message = typeof e === 'string' ? e : e?.message ?? String(e);
    this.name = 'KafkaJSError';
    this.retriable = retriable;
    this.helpUrl = e?.helpUrl;
    this.cause = cause;
  }
}

export class KafkaJSNonRetriableError extends KafkaJSError {
  constructor(e, { cause } = {}) {
    super(e, { retriable: false, cause });
    this.name = 'KafkaJSNonRetriableError';
  }
}

export class KafkaJSProtocolError extends KafkaJSError {
  constructor(e, { retriable = e.retriable } = {}) {
    super(e, { retriable });
    this.type = e.type;
    this.code = e.code;
    this.name = 'KafkaJSProtocolError';
  }
}

export class KafkaJSOffsetOutOfRange extends KafkaJSProtocolError {
  constructor(e, { topic, partition } = {}) {
    super(e);
    this.topic = topic;
    this.partition = partition;
    this.name = 'KafkaJSOffsetOutOfRange';
  }
}

export class KafkaJSMemberIdRequired extends KafkaJSProtocolError {
  constructor(e, { memberId } = {}) {
    super(e);
    this.memberId = memberId;
    this.name = 'KafkaJSMemberIdRequired';
  }
}

export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  constructor(e, { retryCount, retryTime } = {}) {
    super(e, { cause: e });
    this.stack = `${this.name}\n  Caused by: ${e?.stack}`;
    this.retryCount = retryCount;
    this.retryTime = retryTime;
    this.name = 'KafkaJSNumberOfRetriesExceeded';
  }
}

export class KafkaJSConnectionError extends KafkaJSError {
  constructor(e, { broker, code } = {}) {
    super(e);
    this.broker = broker;
    this.code = code;
    this.name = 'KafkaJSConnectionError';
  }
}

export class KafkaJSConnectionClosedError extends KafkaJSConnectionError {
  constructor(e, { host, port } = {}) {
    super(e, { broker: `${host}:${port}` });
    this.host = host;
    this.port = port;
    this.name = 'KafkaJSConnectionClosedError';
  }
}

export class KafkaJSRequestTimeoutError extends KafkaJSError {
  constructor(e, { broker, correlationId, createdAt, sentAt, pendingDuration } = {}) {
    super(e);
    Object.assign(this, { broker, correlationId, createdAt, sentAt, pendingDuration });
    this.name = 'KafkaJSRequestTimeoutError';
  }
}

export class KafkaJSMetadataNotLoaded extends KafkaJSError {
  constructor(e, options) {
    super(e, options);
    this.name = 'KafkaJSMetadataNotLoaded';
  }
}

export class KafkaJSTopicMetadataNotLoaded extends KafkaJSMetadataNotLoaded {
  constructor(e, { topic } = {}) {
    super(e);
    this.topic = topic;
    this.name = 'KafkaJSTopicMetadataNotLoaded';
  }
}

export class KafkaJSStaleTopicMetadataAssignment extends KafkaJSError {
  constructor(e, { topic, unknownPartitions } = {}) {
    super(e);
    this.topic = topic;
    this.unknownPartitions = unknownPartitions;
    this.name = 'KafkaJSStaleTopicMetadataAssignment';
  }
}

export class KafkaJSDeleteGroupsError extends KafkaJSError {
  constructor(e, groups = []) {
    super(e);
    this.groups = groups;
    this.name = 'KafkaJSDeleteGroupsError';
  }
}

export class KafkaJSServerDoesNotSupportApiKey extends KafkaJSNonRetriableError {
  constructor(e, { apiKey, apiName } = {}) {
    super(e);
    this.apiKey = apiKey;
    this.apiName = apiName;
    this.name = 'KafkaJSServerDoesNotSupportApiKey';
  }
}

/** A class `name` extending `base` with KafkaJS's constructor arguments. */
function simpleError(name, base) {
  const cls = class extends base {
    constructor(e, options) {
      super(e, options);
      this.name = name;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

export const KafkaJSBrokerNotFound = simpleError('KafkaJSBrokerNotFound', KafkaJSError);
export const KafkaJSPartialMessageError = simpleError('KafkaJSPartialMessageError', KafkaJSNonRetriableError);
export const KafkaJSSASLAuthenticationError = simpleError('KafkaJSSASLAuthenticationError', KafkaJSNonRetriableError);
export const KafkaJSGroupCoordinatorNotFound = simpleError('KafkaJSGroupCoordinatorNotFound', KafkaJSNonRetriableError);
export const KafkaJSNotImplemented = simpleError('KafkaJSNotImplemented', KafkaJSNonRetriableError);
export const KafkaJSTimeout = simpleError('KafkaJSTimeout', KafkaJSNonRetriableError);
export const KafkaJSLockTimeout = simpleError('KafkaJSLockTimeout', KafkaJSTimeout);
export const KafkaJSUnsupportedMagicByteInMessageSet = simpleError('KafkaJSUnsupportedMagicByteInMessageSet', KafkaJSNonRetriableError);
// KafkaJS names these two 'KafkaJSNonRetriableError'.
export const KafkaJSInvalidVarIntError = simpleError('KafkaJSNonRetriableError', KafkaJSNonRetriableError);
export const KafkaJSInvalidLongError = simpleError('KafkaJSNonRetriableError', KafkaJSNonRetriableError);

export class KafkaJSDeleteTopicRecordsError extends KafkaJSError {
  constructor({ partitions }) {
    const retriable = partitions.filter(({ error }) => error != null).every(({ error }) => error.retriable === true);
    super('Error while deleting records', { retriable });
    this.name = 'KafkaJSDeleteTopicRecordsError';
    this.partitions = partitions;
  }
}

export class KafkaJSInvariantViolation extends KafkaJSNonRetriableError {
  constructor(e) {
    const message = e?.message || e;
    super(`Invariant violated: ${message}. This is likely a bug and should be reported.`);
    this.name = 'KafkaJSInvariantViolation';
  }
}

export class KafkaJSCreateTopicError extends KafkaJSProtocolError {
  constructor(e, topicName) {
    super(e);
    this.topic = topicName;
    this.name = 'KafkaJSCreateTopicError';
  }
}

export class KafkaJSAlterPartitionReassignmentsError extends KafkaJSProtocolError {
  constructor(e, topicName, partition) {
    super(e);
    this.topic = topicName;
    this.partition = partition;
    this.name = 'KafkaJSAlterPartitionReassignmentsError';
  }
}

export class KafkaJSAggregateError extends Error {
  constructor(message, errors) {
    super(message);
    this.errors = errors;
    this.name = 'KafkaJSAggregateError';
  }
}

export class KafkaJSFetcherRebalanceError extends Error {}

export class KafkaJSNoBrokerAvailableError extends KafkaJSError {
  constructor() {
    super('No broker available');
    this.name = 'KafkaJSNoBrokerAvailableError';
  }
}

/** A `RillError` as the KafkaJS error a client would see: Kafka's errors as
 * `KafkaJSProtocolError` (`type`, `code`, `retriable`), a bad argument or a storage failure as
 * `KafkaJSNonRetriableError`. Anything else (a handler's own error) is returned as is. */
function toKafkaJS(error) {
  if (error == null || error.name !== 'RillError') return error;
  if (error.code == null) {
    const e = new KafkaJSNonRetriableError(error.message);
    e.type = error.type;
    return e;
  }
  return new KafkaJSProtocolError({ message: error.message, type: error.type, code: error.code, retriable: error.retriable });
}

/** Kafka's answer to an ACL request on a broker without an authorizer. */
function securityDisabled() {
  return new KafkaJSProtocolError({ message: 'Security features are disabled', type: 'SECURITY_DISABLED', code: 54, retriable: false });
}

/** A failed rill request as KafkaJS's retrier ends it: a retriable error rill already retried
 * as many times as `retry.retries` says is `KafkaJSNumberOfRetriesExceeded`. */
function afterRetries(error, retry) {
  const e = toKafkaJS(error);
  if (e instanceof KafkaJSError && e.retriable && error?.name === 'RillError') {
    return new KafkaJSNumberOfRetriesExceeded(e, { retryCount: retry.retries, retryTime: retry.maxRetryTime });
  }
  return e;
}

const UNRECOVERABLE = ['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError'];

/** KafkaJS's retrier: `fn(bail, retryCount, retryTime)` is retried on retriable errors with
 * a randomised exponential backoff; then `KafkaJSNumberOfRetriesExceeded`. A non-retriable
 * error passed to `bail` is thrown as it is; one thrown is wrapped in
 * `KafkaJSNonRetriableError`. */
function retrier(options) {
  const { factor, multiplier, maxRetryTime, retries, initialRetryTime } = { ...RETRY_DEFAULTS, ...options };
  const randomised = (time) => Math.ceil(time - factor * time + Math.random() * 2 * factor * time);
  return (fn) =>
    new Promise((resolve, reject) => {
      let aborted = false;
      const bail = (error) => {
        aborted = true;
        reject(error || new Error('Aborted'));
      };
      const attempt = (retryTime, retryCount) => {
        if (aborted) return;
        Promise.resolve()
          .then(() => fn(bail, retryCount, retryTime))
          .then(resolve, (raw) => {
            if (aborted) return;
            const e = toKafkaJS(raw);
            const retriable = (e?.retriable || e?.retriable !== false) && !UNRECOVERABLE.includes(e?.name);
            if (!retriable) {
              reject(e instanceof KafkaJSError ? e : new KafkaJSNonRetriableError(e, { cause: e }));
            } else if (retryCount < retries) {
              const next = Math.min(randomised(retryTime) * multiplier, maxRetryTime);
              setTimeout(() => attempt(next, retryCount + 1), retryTime);
            } else {
              reject(new KafkaJSNumberOfRetriesExceeded(e, { retryCount, retryTime }));
            }
          });
      };
      attempt(randomised(initialRetryTime), 0);
    });
}

// ---------------------------------------------------------------------------------------------
// Logging: KafkaJS's levels, logCreator and namespaces

export const logLevel = Object.freeze({ NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 });

/** KafkaJS's default log creator: one JSON line per entry on the console. */
const consoleLogCreator = () => ({ namespace, level, label, log }) => {
  const prefix = namespace ? `[${namespace}] ` : '';
  const line = JSON.stringify({ level: label, ...log, message: `${prefix}${log.message}` });
  if (level === logLevel.ERROR) console.error(line);
  else if (level === logLevel.WARN) console.warn(line);
  else if (level === logLevel.INFO) console.info(line);
  else if (level === logLevel.DEBUG) console.log(line);
};

function createLogger({ level = logLevel.INFO, logCreator = consoleLogCreator } = {}) {
  let current = level;
  const write = logCreator(current);
  const functions = (namespace, namespaceLevel = null) => {
    const levelNow = () => (namespaceLevel == null ? current : namespaceLevel);
    const entry = (label, value) => (message, extra = {}) => {
      if (value > levelNow()) return;
      write({ namespace, level: value, label, log: { timestamp: new Date().toISOString(), logger: 'kafkajs', message, ...extra } });
    };
    return {
      info: entry('INFO', logLevel.INFO),
      error: entry('ERROR', logLevel.ERROR),
      warn: entry('WARN', logLevel.WARN),
      debug: entry('DEBUG', logLevel.DEBUG),
      namespace: (name, lvl = null) => functions(name, lvl),
      setLogLevel: (lvl) => {
        current = lvl;
      },
    };
  };
  return functions();
}

// ---------------------------------------------------------------------------------------------
// Constants KafkaJS exports

export const CompressionTypes = Object.freeze({ None: 0, GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 });

/** Codecs by type. rill writes batches uncompressed whatever `compression` a send asks for
 * (consumers read the same records); a codec set here is never called. */
export const CompressionCodecs = { [CompressionTypes.GZIP]: () => ({}) };

export const ConfigResourceTypes = Object.freeze({ UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 });

export const ConfigSource = Object.freeze({
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
});

export const AclResourceTypes = Object.freeze({ UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6 });
export const AclOperationTypes = Object.freeze({
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8,
  CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12,
});
export const AclPermissionTypes = Object.freeze({ UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 });
export const ResourcePatternTypes = Object.freeze({ UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 });

// ---------------------------------------------------------------------------------------------
// Bytes, and Kafka's consumer protocol (KafkaJS's AssignerProtocol)

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A `Uint8Array` whose `toString()` decodes UTF-8, like a Node `Buffer`. */
function bufferLike(bytes) {
  Object.defineProperty(bytes, 'toString', { value() { return decoder.decode(this); } });
  return bytes;
}

function toBytes(value) {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return encoder.encode(String(value));
}

class Writer {
  constructor() {
    this.parts = [];
  }
  int16(v) { const b = new Uint8Array(2); new DataView(b.buffer).setInt16(0, v); this.parts.push(b); return this; }
  int32(v) { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, v); this.parts.push(b); return this; }
  string(s) { const b = encoder.encode(s); this.int16(b.length); this.parts.push(b); return this; }
  bytes(b) { if (b == null) return this.int32(-1); const u = toBytes(b); this.int32(u.length); this.parts.push(u); return this; }
  array(items, write) { this.int32(items.length); for (const item of items) write(this, item); return this; }
  done() {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return bufferLike(out);
  }
}

class Reader {
  constructor(bytes) { this.data = toBytes(bytes); this.view = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength); this.at = 0; }
  canReadInt16() { return this.at + 2 <= this.data.length; }
  int16() { const v = this.view.getInt16(this.at); this.at += 2; return v; }
  int32() { const v = this.view.getInt32(this.at); this.at += 4; return v; }
  string() { const n = this.int16(); const s = decoder.decode(this.data.subarray(this.at, this.at + n)); this.at += n; return s; }
  bytes() {
    if (this.at + 4 > this.data.length) return bufferLike(new Uint8Array(0));
    const n = this.int32();
    if (n < 0) return null;
    const b = this.data.slice(this.at, this.at + n);
    this.at += n;
    return bufferLike(b);
  }
  array(read) { const n = this.int32(); const out = []; for (let i = 0; i < n; i++) out.push(read(this)); return out; }
}

/** KafkaJS's `AssignerProtocol`: Kafka's ConsumerProtocol subscription and assignment (v0). */
export const AssignerProtocol = Object.freeze({
  MemberMetadata: {
    encode({ version, topics, userData = new Uint8Array(0) }) {
      return new Writer().int16(version).array(topics, (w, t) => w.string(t)).bytes(userData).done();
    },
    decode(buffer) {
      const r = new Reader(buffer);
      return { version: r.int16(), topics: r.array((d) => d.string()), userData: r.bytes() };
    },
  },
  MemberAssignment: {
    encode({ version, assignment, userData = new Uint8Array(0) }) {
      return new Writer()
        .int16(version)
        .array(Object.keys(assignment), (w, topic) => w.string(topic).array(assignment[topic], (w2, p) => w2.int32(p)))
        .bytes(userData)
        .done();
    },
    decode(buffer) {
      const r = new Reader(buffer);
      if (!r.canReadInt16()) return null;
      const version = r.int16();
      const assignment = {};
      for (const { topic, partitions } of r.array((d) => ({ topic: d.string(), partitions: d.array((x) => x.int32()) }))) {
        assignment[topic] = partitions;
      }
      return { version, assignment, userData: r.bytes() };
    },
  },
});

// ---------------------------------------------------------------------------------------------
// Partitioners: KafkaJS's DefaultPartitioner (Java's murmur2) and LegacyPartitioner

/** Java's `Utils.murmur2` over the key's bytes (int32 arithmetic). */
function murmur2Java(key) {
  const data = key instanceof Uint8Array ? key : encoder.encode(String(key));
  const length = data.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const j = i * 4;
    let k = data[j] | (data[j + 1] << 8) | (data[j + 2] << 16) | (data[j + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & ~3;
  switch (length & 3) {
    case 3: h ^= data[tail + 2] << 16; // falls through
    case 2: h ^= data[tail + 1] << 8; // falls through
    case 1: h ^= data[tail]; h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** KafkaJS 1.x's murmur2 (its `LegacyPartitioner`): the same steps in JavaScript number
 * arithmetic (products beyond 2^53 lose bits) and a block loop that runs `length / 4` times
 * rounded up, as KafkaJS's source does; it gives other partitions than Java for many keys. */
function murmur2Legacy(key) {
  const data = key instanceof Uint8Array ? key : encoder.encode(String(key));
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const blocks = length / 4;
  const byte = (i) => (data[i] === undefined ? 0 : data[i] & 0xff);
  for (let i = 0; i < blocks; i++) {
    const j = i * 4;
    let k = byte(j) + (byte(j + 1) << 8) + (byte(j + 2) << 16) + (byte(j + 3) << 24);
    k *= m;
    k ^= k >>> 24;
    k *= m;
    h *= m;
    h ^= k;
  }
  const tail = length & ~3;
  switch (length % 4) {
    case 3: h ^= byte(tail + 2) << 16; // falls through
    case 2: h ^= byte(tail + 1) << 8; // falls through
    case 1: h ^= byte(tail); h *= m;
  }
  h ^= h >>> 13;
  h *= m;
  h ^= h >>> 15;
  return h;
}

const toPositive = (x) => x & 0x7fffffff;

function randomCounter() {
  const word = new Uint32Array(1);
  globalThis.crypto.getRandomValues(word);
  return word[0];
}

/** KafkaJS's partitioner: an explicit partition first, then the key's hash, then round-robin
 * over the partitions that have a leader from a random start per topic. */
const partitionerWith = (murmur2) => () => {
  const counters = {};
  return ({ topic, partitionMetadata, message }) => {
    if (!(topic in counters)) counters[topic] = randomCounter();
    const count = partitionMetadata.length;
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined) return toPositive(murmur2(message.key)) % count;
    if (available.length > 0) return available[toPositive(++counters[topic]) % available.length].partitionId;
    return toPositive(++counters[topic]) % count;
  };
};

const DefaultPartitioner = partitionerWith(murmur2Java);
const LegacyPartitioner = partitionerWith(murmur2Legacy);
export const Partitioners = Object.freeze({ DefaultPartitioner, LegacyPartitioner, JavaCompatiblePartitioner: DefaultPartitioner });

// ---------------------------------------------------------------------------------------------
// Consumer partition assigners

/** KafkaJS's `roundRobin` assigner is run by rill as Kafka's `roundrobin`. */
const roundRobin = Object.assign(() => ({ name: 'RoundRobinAssigner', version: 0 }), { rillName: 'roundrobin' });

/** KafkaJS ships only `roundRobin`; rill also offers Kafka's others by name
 * (`partitionAssigners: ['cooperative-sticky']`). */
export const PartitionAssigners = Object.freeze({ roundRobin });

function assignerNames(assigners) {
  if (assigners == null) return ['roundrobin'];
  if (!Array.isArray(assigners)) throw new KafkaJSNonRetriableError('partitionAssigners must be an array');
  return assigners.map((assigner) => {
    if (typeof assigner === 'string') return assigner;
    if (assigner?.rillName) return assigner.rillName;
    throw new KafkaJSNotImplemented(
      'custom partition assigners are not supported by rill: use PartitionAssigners.roundRobin or one of ' +
        "Kafka's assignors by name ('range', 'roundrobin', 'sticky', 'cooperative-sticky')",
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Instrumentation events

function eventNames(kind, names) {
  const events = {};
  for (const name of names) events[name.toUpperCase()] = `${kind}.${name}`;
  events.REQUEST = `${kind}.network.request`;
  events.REQUEST_TIMEOUT = `${kind}.network.request_timeout`;
  events.REQUEST_QUEUE_SIZE = `${kind}.network.request_queue_size`;
  return Object.freeze(events);
}

const PRODUCER_EVENTS = eventNames('producer', ['connect', 'disconnect']);
const ADMIN_EVENTS = eventNames('admin', ['connect', 'disconnect']);
const CONSUMER_EVENTS = eventNames('consumer', [
  'heartbeat', 'commit_offsets', 'group_join', 'fetch', 'fetch_start', 'start_batch_process',
  'end_batch_process', 'connect', 'disconnect', 'stop', 'crash', 'rebalancing',
  'received_unsubscribed_topics',
]);
/** rill's own consumer events, emitted besides KafkaJS's. */
const RILL_CONSUMER_EVENTS = ['consumer.partitions_assigned', 'consumer.partitions_revoked', 'consumer.partitions_lost', 'consumer.offset_reset'];

let nextEventId = 0;

class Emitter {
  constructor(events, extra = []) {
    this.events = events;
    this.known = new Set([...Object.values(events), ...extra]);
    this.listeners = new Map();
  }
  on(name, listener) {
    if (!this.known.has(name)) {
      throw new KafkaJSNonRetriableError(`Event name should be one of ${Object.keys(this.events)}`);
    }
    const list = this.listeners.get(name) ?? [];
    list.push(listener);
    this.listeners.set(name, list);
    return () => {
      const now = this.listeners.get(name) ?? [];
      this.listeners.set(name, now.filter((l) => l !== listener));
    };
  }
  emit(name, payload, event) {
    const list = this.listeners.get(name);
    if (!list?.length) return;
    const e = event ?? { id: nextEventId++, type: name, timestamp: Date.now(), payload };
    for (const listener of list) {
      try {
        const r = listener(e);
        if (r && typeof r.catch === 'function') r.catch(() => {});
      } catch {
        // A listener that throws does not stop the client.
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Kafka

/** KafkaJS's client: `new Kafka({ clientId, brokers, logLevel, logCreator, retry, rill })`. */
export class Kafka {
  constructor(config = {}) {
    const { clientId = 'kafkajs', retry, logLevel: level = logLevel.INFO, logCreator, rill } = config ?? {};
    this._clientId = clientId;
    this._retry = retry;
    this._logger = createLogger({ level, logCreator: logCreator ?? consoleLogCreator });
    this._rill = rill;
    this._cluster = null;
    this._warnedPartitioner = false;
  }

  /** The rill cluster behind this client (opened on first use): fault injection, events,
   * `advance` for a manual clock. */
  rill() {
    if (!this._cluster) this._cluster = openCluster(this._rill);
    return this._cluster;
  }

  /** KafkaJS's `producer({ createPartitioner, retry, allowAutoTopicCreation, idempotent,
   * transactionalId, ... })`. */
  producer(options = {}) {
    if (options.createPartitioner == null && !this._warnedPartitioner) {
      this._warnedPartitioner = true;
      this._logger.warn(
        'KafkaJS v2.0.0 switched default partitioner. To retain the same partitioning behavior as in previous versions, create the producer with the option "createPartitioner: Partitioners.LegacyPartitioner".',
      );
    }
    return new Producer(this, options);
  }

  /** KafkaJS's `consumer({ groupId, partitionAssigners, sessionTimeout, ... })`. */
  consumer(options = {}) {
    return new Consumer(this, options);
  }

  /** KafkaJS's `admin({ retry })`. */
  admin(options = {}) {
    return new Admin(this, options);
  }

  logger() {
    return this._logger;
  }
}

/** Creates `topic` as a broker with `auto.create.topics.enable` does (`num.partitions` and
 * `default.replication.factor` of the cluster, both 1 by default). */
async function autoCreate(rill, topic) {
  const admin = rill.admin();
  const known = await admin.listTopics();
  if (known.includes(topic)) return;
  try {
    await admin.createTopics({ topics: [{ topic }] });
  } catch (e) {
    if (e?.type !== 'TOPIC_ALREADY_EXISTS') throw e;
  }
}

async function ensureTopics(rill, topics, allow) {
  const known = await rill.admin().listTopics();
  for (const topic of topics) {
    if (known.includes(topic)) continue;
    if (allow === false) {
      throw new KafkaJSProtocolError({
        message: 'This server does not host this topic-partition',
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
        code: 3,
        retriable: true,
      });
    }
    await autoCreate(rill, topic);
  }
}

// ---------------------------------------------------------------------------------------------
// Producer

class Producer {
  constructor(kafka, options) {
    this._kafka = kafka;
    this._options = options;
    this._retry = { ...RETRY_DEFAULTS, ...kafka._retry, ...options.retry };
    this._logger = kafka._logger.namespace('Producer');
    this._partition = (options.createPartitioner ?? DefaultPartitioner)();
    this._emitter = new Emitter(PRODUCER_EVENTS);
    this._status = 'disconnected';
    this._inner = null;
    if (options.transactionalId) this._unsupported = 'transactional producers (transactionalId)';
    else if (options.idempotent) this._unsupported = 'the idempotent producer (idempotent: true)';
  }

  get events() {
    return PRODUCER_EVENTS;
  }

  on(name, listener) {
    return this._emitter.on(name, listener);
  }

  logger() {
    return this._logger;
  }

  isIdempotent() {
    return false;
  }

  async connect() {
    if (this._unsupported) {
      throw new KafkaJSNotImplemented(`rill has no ${this._unsupported}: the cluster has no producer ids or transactions`);
    }
    const rill = await this._kafka.rill();
    if (!this._inner) {
      const { retries, initialRetryTime, maxRetryTime } = this._retry;
      this._inner = rill.producer({ retry: { retries, initialRetryTime, maxRetryTime } });
    }
    this._status = 'connected';
    this._emitter.emit(PRODUCER_EVENTS.CONNECT, null);
  }

  async disconnect() {
    this._status = 'disconnected';
    this._emitter.emit(PRODUCER_EVENTS.DISCONNECT, null);
  }

  async transaction() {
    throw new KafkaJSNotImplemented('rill has no transactions');
  }

  async send({ topic, messages, acks, timeout, compression } = {}) {
    return this.sendBatch({ topicMessages: [{ topic, messages }], acks, timeout, compression });
  }

  async sendBatch({ acks = -1, timeout, compression, topicMessages = [] } = {}) {
    if (topicMessages.some(({ topic }) => !topic)) throw new KafkaJSNonRetriableError('Invalid topic');
    for (const { topic, messages } of topicMessages) {
      if (!messages) throw new KafkaJSNonRetriableError(`Invalid messages array [${messages}] for topic "${topic}"`);
      const missing = messages.find((m) => m.value === undefined);
      if (missing) {
        throw new KafkaJSNonRetriableError(`Invalid message without value for topic "${topic}": ${JSON.stringify(missing)}`);
      }
    }
    if (this._status !== 'connected') throw new KafkaJSError('The producer is disconnected');
    void timeout;
    void compression;
    const rill = await this._kafka.rill();
    const merged = new Map();
    for (const { topic, messages } of topicMessages) {
      merged.set(topic, [...(merged.get(topic) ?? []), ...messages]);
    }
    const retry = retrier(this._retry);
    const admin = rill.admin();
    const batches = [];
    for (const [topic, messages] of merged) {
      const partitionMetadata = await retry(async (bail) => {
        try {
          await ensureTopics(rill, [topic], this._options.allowAutoTopicCreation);
          const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
          return topics[0].partitions.map(({ partitionId, leader }) => ({ partitionId, leader }));
        } catch (e) {
          const k = toKafkaJS(e);
          if (k?.retriable) throw k;
          bail(k);
          return undefined;
        }
      });
      // The client stamps a record without a timestamp once, at send, as KafkaJS does.
      const now = String(Math.trunc(rill.now()));
      const out = messages.map((message) => {
        const partition = this._partition({ topic, partitionMetadata, message });
        const headers = message.headers == null ? undefined : message.headers;
        return {
          key: message.key == null ? message.key : typeof message.key === 'string' || message.key instanceof Uint8Array ? message.key : toBytes(message.key),
          value: message.value,
          headers,
          partition,
          timestamp: message.timestamp ? message.timestamp : now,
        };
      });
      batches.push({ topic, messages: out });
    }
    try {
      const rows = await this._inner.sendBatch({ acks, topicMessages: batches });
      // KafkaJS expects no produce response with `acks: 0` and returns no RecordMetadata.
      return Number(acks) === 0 ? [] : rows;
    } catch (e) {
      throw afterRetries(e, this._retry);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Consumer

class Consumer {
  constructor(kafka, options) {
    const { groupId } = options ?? {};
    if (typeof groupId !== 'string' || groupId.length === 0) {
      throw new KafkaJSNonRetriableError('Consumer groupId must be a non-empty string.');
    }
    this._kafka = kafka;
    this._options = options;
    this._groupId = groupId;
    this._retry = { ...RETRY_DEFAULTS, ...kafka._retry, ...(options.retry ?? { retries: 5 }) };
    this._logger = kafka._logger.namespace('Consumer');
    this._assigners = assignerNames(options.partitionAssigners);
    this._emitter = new Emitter(CONSUMER_EVENTS, RILL_CONSUMER_EVENTS);
    this._inner = null;
    this._innerReady = null;
    this._running = false;
    this._autoCommit = true;
    this._subscribed = [];
    this._fromBeginning = false;
    this._pendingSeeks = new Map();
    this._failures = new Map();
    this._crashAs = undefined;
  }

  get events() {
    return CONSUMER_EVENTS;
  }

  on(name, listener) {
    return this._emitter.on(name, listener);
  }

  logger() {
    return this._logger;
  }

  /** The rill consumer, created once with the options mapped. */
  _consumer() {
    if (!this._innerReady) {
      this._innerReady = (async () => {
        const rill = await this._kafka.rill();
        const o = this._options;
        const options = { groupId: this._groupId, clientId: this._kafka._clientId, partitionAssigners: this._assigners };
        for (const name of ['sessionTimeout', 'rebalanceTimeout', 'heartbeatInterval', 'maxBytesPerPartition', 'minBytes', 'maxBytes', 'maxWaitTimeInMs']) {
          if (o[name] != null) options[name] = o[name];
        }
        if (o.retry?.initialRetryTime != null) options.retryBackoff = o.retry.initialRetryTime;
        const inner = rill.consumer(options);
        for (const name of [...Object.values(CONSUMER_EVENTS), ...RILL_CONSUMER_EVENTS]) {
          try {
            inner.on(name, (event) => this._onEvent(name, event));
          } catch {
            // An event rill does not emit: only this module's own emits reach its listeners.
          }
        }
        this._inner = inner;
        return inner;
      })();
    }
    return this._innerReady;
  }

  _onEvent(name, event) {
    if (name === 'consumer.partitions_assigned') this._applySeeks();
    if (name === 'consumer.rebalancing' || name === 'consumer.connect') this._joinStarted = event.timestamp;
    if (name === 'consumer.group_join' && Array.isArray(event.payload?.memberAssignment)) {
      // KafkaJS's shape: { topic: [partitions] }, and `duration`: ms from the start of the
      // join (the last rebalance, else the connect) to its end, in the cluster's time.
      const assignment = {};
      for (const { topic, partitions } of event.payload.memberAssignment) assignment[topic] = partitions;
      const duration = Math.max(0, event.timestamp - (this._joinStarted ?? event.timestamp));
      event = { ...event, payload: { ...event.payload, memberAssignment: assignment, duration } };
    }
    if (name === 'consumer.crash' && this._crashAs !== undefined) {
      // A handler's failure: silent while retried, then KafkaJS's crash.
      const error = this._crashAs;
      this._crashAs = undefined;
      if (error !== null) this._crash(error);
      return;
    }
    if (name === 'consumer.rebalancing') {
      // KafkaJS's payload: { groupId, memberId }.
      event = { ...event, payload: { ...event.payload, groupId: this._groupId, memberId: this._member?.memberId ?? null } };
    }
    if (name === 'consumer.group_join') {
      this._member = event.payload;
      this._logger.namespace('ConsumerGroup').info('Consumer has joined the group', event.payload);
    }
    if (name === 'consumer.commit_offsets' && Array.isArray(event.payload?.topics)) {
      // KafkaJS's shape: { groupId, memberId, groupGenerationId, topics: [{ topic,
      // partitions: [{ partition, offset }] }] }.
      const byTopic = new Map();
      for (const { topic, partition, offset } of event.payload.topics) {
        if (!byTopic.has(topic)) byTopic.set(topic, []);
        byTopic.get(topic).push({ partition, offset });
      }
      const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
      const payload = { groupId: this._groupId, memberId: this._member?.memberId ?? null, groupGenerationId: this._member?.generationId ?? -1, topics };
      event = { ...event, payload };
    }
    this._emitter.emit(name, event.payload, event);
  }

  async connect() {
    const inner = await this._consumer();
    await inner.connect();
  }

  async disconnect() {
    if (!this._inner) return;
    const wasRunning = this._running;
    this._running = false;
    await this._inner.disconnect();
    if (wasRunning) this._logger.info('Stopped', { groupId: this._groupId });
  }

  async stop() {
    const wasRunning = this._running;
    this._running = false;
    if (this._inner) await this._inner.stop();
    if (wasRunning) this._logger.info('Stopped', { groupId: this._groupId });
  }

  async subscribe({ topic, topics, fromBeginning = false } = {}) {
    if (this._running) throw new KafkaJSNonRetriableError('Cannot subscribe to topic while consumer is running');
    if (!topic && !topics) throw new KafkaJSNonRetriableError('Missing required argument "topics"');
    if (topics != null && !Array.isArray(topics)) throw new KafkaJSNonRetriableError('Argument "topics" must be an array');
    const subscriptions = topics || [topic];
    for (const s of subscriptions) {
      if (typeof s !== 'string' && !(s instanceof RegExp)) {
        throw new KafkaJSNonRetriableError(`Invalid topic ${s} (${typeof s}), the topic name has to be a String or a RegExp`);
      }
    }
    const inner = await this._consumer();
    const rill = await this._kafka.rill();
    const names = [];
    const hasRegExp = subscriptions.some((s) => s instanceof RegExp);
    const existing = hasRegExp ? await rill.admin().listTopics() : [];
    for (const s of subscriptions) {
      if (s instanceof RegExp) names.push(...existing.filter((t) => s.test(t)));
      else names.push(s);
    }
    await retrier(this._retry)(async (bail) => {
      try {
        await ensureTopics(rill, names, this._options.allowAutoTopicCreation);
        await inner.subscribe({ topics: names, fromBeginning });
      } catch (e) {
        const k = toKafkaJS(e);
        if (k?.retriable) throw k;
        bail(k);
      }
    });
  }

  async run(config = {}) {
    if (this._running) {
      // KafkaJS warns and keeps the running handler.
      this._logger.warn('consumer#run was called, but the consumer is already running', { groupId: this._groupId });
      return;
    }
    const inner = await this._consumer();
    const { eachMessage, eachBatch } = config;
    this._logger.info('Starting', { groupId: this._groupId });
    this._autoCommit = config.autoCommit !== false;
    const options = { ...config };
    delete options.partitionsConsumedConcurrently;
    if (eachMessage) {
      options.eachMessage = (payload) => {
        const pause = payload.pause;
        const key = `${payload.topic}\u0000${payload.partition}\u0000${payload.message.offset}`;
        return this._counted(key, () =>
          eachMessage({
            ...payload,
            pause: () => {
              pause();
              return () => this.resume([{ topic: payload.topic, partitions: [payload.partition] }]);
            },
          }),
        );
      };
    } else if (eachBatch) {
      options.eachBatch = async (payload) => {
        const pause = payload.pause;
        const { topic, partition } = payload.batch;
        // KafkaJS's `uncommittedOffsets()`: the offsets resolved and not committed yet (the
        // next offset to read), `{ topics: [{ topic, partitions: [{ partition, offset }] }] }`.
        let resolved = null;
        const uncommittedOffsets = () =>
          resolved == null ? { topics: [] } : { topics: [{ topic, partitions: [{ partition, offset: resolved }] }] };
        const key = `${topic}\u0000${partition}\u0000${payload.batch.firstOffset()}`;
        await this._counted(key, () => eachBatch({
          ...payload,
          resolveOffset: (offset) => {
            payload.resolveOffset(offset);
            let next;
            try {
              next = BigInt(offset) + 1n;
            } catch {
              return;
            }
            if (resolved == null || next > BigInt(resolved)) resolved = String(next);
          },
          commitOffsetsIfNecessary: async (offsets) => {
            if (offsets != null) {
              const rows = (offsets.topics ?? []).flatMap(({ topic: t, partitions }) => partitions.map(({ partition: p, offset }) => ({ topic: t, partition: p, offset: String(offset) })));
              if (rows.length > 0) await this.commitOffsets(rows);
              return;
            }
            await payload.commitOffsetsIfNecessary();
            if (this._autoCommit) resolved = null;
          },
          uncommittedOffsets,
          pause: () => {
            pause();
            return () => this.resume([{ topic, partitions: [partition] }]);
          },
        }));
      };
    }
    try {
      await inner.run(options);
    } catch (e) {
      throw toKafkaJS(e);
    }
    this._running = true;
    this._applySeeks();
  }

  /** Runs a handler call; a failure is retried silently (rill delivers the records again
   * after a backoff) until it failed `retry.retries` + 1 times in a row, then it is the
   * consumer's crash, as KafkaJS's runner retries a handler before `onCrash`. */
  async _counted(key, call) {
    try {
      const result = await call();
      this._failures.delete(key);
      return result;
    } catch (error) {
      const count = (this._failures.get(key) ?? 0) + 1;
      if (count <= this._retry.retries) {
        this._failures.set(key, count);
        this._crashAs = null;
      } else {
        this._failures.delete(key);
        this._crashAs = error?.name === 'KafkaJSNumberOfRetriesExceeded'
          ? error
          : new KafkaJSNumberOfRetriesExceeded(error, { retryCount: count - 1, retryTime: this._retry.maxRetryTime });
      }
      throw error;
    }
  }

  /** KafkaJS's `onCrash`: logs, asks `retry.restartOnFailure(error)` (default: restart) and
   * emits `CRASH`; a consumer not restarted is disconnected. */
  async _crash(error) {
    this._logger.error(`Crash: ${error.name}: ${error.message}`, { groupId: this._groupId, retryCount: error.retryCount, stack: error.stack });
    const original = (e) => (e?.cause ? original(e.cause) : e);
    const retriable = error.name === 'KafkaJSNumberOfRetriesExceeded' || original(error)?.retriable === true;
    const restartOnFailure = this._options.retry?.restartOnFailure;
    let restart = retriable;
    if (retriable && typeof restartOnFailure === 'function') {
      restart = await Promise.resolve()
        .then(() => restartOnFailure(error))
        .catch(() => true);
    }
    this._emitter.emit(CONSUMER_EVENTS.CRASH, { error, groupId: this._groupId, restart: Boolean(restart) });
    if (!restart) await this.disconnect().catch(() => {});
  }

  /** Seeks queued before the partition was assigned (KafkaJS remembers them). */
  _applySeeks() {
    if (!this._inner || this._pendingSeeks.size === 0) return;
    queueMicrotask(() => {
      for (const [key, { topic, partition, offset }] of [...this._pendingSeeks]) {
        try {
          this._inner.seek({ topic, partition, offset });
          this._pendingSeeks.delete(key);
          this._commitSought(topic, partition, offset);
        } catch {
          // Not assigned yet: kept for the next assignment.
        }
      }
    });
  }

  _commitSought(topic, partition, offset) {
    if (!this._autoCommit) return;
    this._inner.commitOffsets([{ topic, partition, offset: String(offset) }]).catch(() => {});
  }

  seek({ topic, partition, offset } = {}) {
    if (!topic) throw new KafkaJSNonRetriableError(`Invalid topic ${topic}`);
    if (isNaN(partition)) throw new KafkaJSNonRetriableError(`Invalid partition, expected a number received ${partition}`);
    let value;
    try {
      value = BigInt(offset);
    } catch {
      throw new KafkaJSNonRetriableError(`Invalid offset, expected a long received ${offset}`);
    }
    if (value < 0n && value !== -1n && value !== -2n) throw new KafkaJSNonRetriableError('Offset must not be a negative number');
    if (value < 0n) {
      // KafkaJS's special offsets: -1 the latest, -2 the earliest (the log's end or start).
      if (!this._innerReady) throw new KafkaJSNonRetriableError('Consumer group was not initialized, consumer#run must be called first');
      const earliest = value === -2n;
      this._kafka
        .rill()
        .then((rill) => rill.admin().fetchTopicOffsets(topic))
        .then((offsets) => {
          const row = offsets.find((o) => o.partition === Number(partition));
          if (row) this.seek({ topic, partition, offset: earliest ? row.low : row.high });
        })
        .catch((e) => this._logger.error(`Seek of ${topic}-${partition} to ${offset} failed: ${e?.message}`, { groupId: this._groupId }));
      return;
    }
    const entry = { topic, partition: Number(partition), offset: String(value) };
    if (this._inner && this._running) {
      try {
        this._inner.seek(entry);
        this._commitSought(entry.topic, entry.partition, entry.offset);
        return;
      } catch (e) {
        if (e?.name !== 'RillError') throw e;
      }
    } else if (!this._innerReady) {
      throw new KafkaJSNonRetriableError('Consumer group was not initialized, consumer#run must be called first');
    }
    this._pendingSeeks.set(`${entry.topic}\u0000${entry.partition}`, entry);
    this._applySeeks();
  }

  pause(topicPartitions = []) {
    this._checkPauseArgs(topicPartitions, 'pause');
    if (!this._inner) throw new KafkaJSNonRetriableError('Consumer group was not initialized, consumer#run must be called first');
    try {
      this._inner.pause(topicPartitions);
    } catch (e) {
      throw toKafkaJS(e);
    }
  }

  resume(topicPartitions = []) {
    this._checkPauseArgs(topicPartitions, 'resume');
    if (!this._inner) throw new KafkaJSNonRetriableError('Consumer group was not initialized, consumer#run must be called first');
    try {
      this._inner.resume(topicPartitions);
    } catch (e) {
      throw toKafkaJS(e);
    }
  }

  _checkPauseArgs(topicPartitions) {
    for (const tp of topicPartitions) {
      if (!tp || typeof tp.topic !== 'string') {
        throw new KafkaJSNonRetriableError(`Invalid topic ${(tp && tp.topic) || tp}`);
      }
      if (tp.partitions != null && !Array.isArray(tp.partitions)) {
        throw new KafkaJSNonRetriableError('Array of partitions required to pause specific partitions instead of');
      }
    }
  }

  paused() {
    return this._inner ? this._inner.paused() : [];
  }

  async commitOffsets(topicPartitions = []) {
    if (!this._inner) throw new KafkaJSNonRetriableError('Consumer group was not initialized, consumer#run must be called first');
    try {
      await this._inner.commitOffsets(topicPartitions.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })));
    } catch (e) {
      throw toKafkaJS(e);
    }
  }

  async describeGroup() {
    const admin = new Admin(this._kafka, { retry: this._retry });
    const { groups } = await admin.describeGroups([this._groupId]);
    return groups[0];
  }
}

// ---------------------------------------------------------------------------------------------
// Admin

/** Each method runs through KafkaJS's retrier: a retriable error is retried with backoff, then
 * `KafkaJSNumberOfRetriesExceeded`; other errors are thrown as KafkaJS's classes. */
class Admin {
  constructor(kafka, options = {}) {
    this._kafka = kafka;
    this._retry = { ...RETRY_DEFAULTS, ...kafka._retry, ...options.retry };
    this._logger = kafka._logger.namespace('Admin');
    this._emitter = new Emitter(ADMIN_EVENTS);
  }

  get events() {
    return ADMIN_EVENTS;
  }

  on(name, listener) {
    return this._emitter.on(name, listener);
  }

  logger() {
    return this._logger;
  }

  async connect() {
    await this._kafka.rill();
    this._emitter.emit(ADMIN_EVENTS.CONNECT, null);
  }

  async disconnect() {
    this._emitter.emit(ADMIN_EVENTS.DISCONNECT, null);
  }

  /** Runs `fn(admin, rill)` through the retrier; `retry(error)` says which errors are
   * retried (default: the retriable ones), the others are thrown at once. */
  async _call(fn, retry = (k) => k instanceof KafkaJSError && k.retriable) {
    const rill = await this._kafka.rill();
    const admin = rill.admin();
    return retrier(this._retry)(async (bail) => {
      try {
        return await fn(admin, rill);
      } catch (e) {
        const k = toKafkaJS(e);
        if (retry(k)) throw k;
        bail(k);
        return undefined;
      }
    });
  }

  /** The names of every topic, as Kafka's Metadata answer for all topics lists them:
   * `__consumer_offsets` too once a group made it exist. */
  async listTopics() {
    return this._call(async (a) => {
      const topics = await a.listTopics();
      if (topics.includes(OFFSETS_TOPIC)) return topics;
      const internal = await a.fetchTopicMetadata({ topics: [OFFSETS_TOPIC] }).then(() => true, () => false);
      return internal ? [...topics, OFFSETS_TOPIC] : topics;
    });
  }

  /** `waitForLeaders` defaults to rill's default for the clock (true on the realtime clock;
   * on a manual clock the leaders are elected only as `advance` moves time). */
  async createTopics({ topics, validateOnly, waitForLeaders, timeout } = {}) {
    if (!topics || !Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${topics}`);
    if (topics.filter(({ topic }) => typeof topic !== 'string').length > 0) {
      throw new KafkaJSNonRetriableError('Invalid topics array, the topic names have to be a valid string');
    }
    if (new Set(topics.map(({ topic }) => topic)).size < topics.length) {
      throw new KafkaJSNonRetriableError('Invalid topics array, it cannot have multiple entries for the same topic');
    }
    return this._call(async (a) => {
      try {
        return await a.createTopics({ topics, validateOnly, waitForLeaders, timeout });
      } catch (e) {
        if (Array.isArray(e?.errors)) {
          const errors = e.errors.map((t) => new KafkaJSCreateTopicError({ message: t.message, type: t.type, code: t.code, retriable: t.retriable }, t.topic));
          if (errors.every((err) => err.type === 'TOPIC_ALREADY_EXISTS')) return false;
          throw new KafkaJSAggregateError('Topic creation errors', errors);
        }
        throw e;
      }
    }).catch((e) => {
      if (e instanceof KafkaJSNonRetriableError && e.cause instanceof KafkaJSAggregateError) throw e.cause;
      throw e;
    });
  }

  async deleteTopics({ topics, timeout } = {}) {
    if (!topics || !Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${topics}`);
    if (topics.filter((topic) => typeof topic !== 'string').length > 0) {
      throw new KafkaJSNonRetriableError('Invalid topics array, the names must be a valid string');
    }
    return this._call((a) => a.deleteTopics({ topics, timeout }));
  }

  async createPartitions({ topicPartitions, validateOnly, timeout } = {}) {
    if (!topicPartitions || !Array.isArray(topicPartitions)) {
      throw new KafkaJSNonRetriableError(`Invalid topic partitions array ${topicPartitions}`);
    }
    if (topicPartitions.length === 0) throw new KafkaJSNonRetriableError('Empty topic partitions array');
    if (topicPartitions.filter(({ topic }) => typeof topic !== 'string').length > 0) {
      throw new KafkaJSNonRetriableError('Invalid topic partitions array, the topic names have to be a valid string');
    }
    if (new Set(topicPartitions.map(({ topic }) => topic)).size < topicPartitions.length) {
      throw new KafkaJSNonRetriableError('Invalid topic partitions array, it cannot have multiple entries for the same topic');
    }
    await this._call((a) => a.createPartitions({ topicPartitions, validateOnly, timeout }));
  }

  async fetchTopicMetadata({ topics } = {}) {
    if (topics != null && !Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Expected topic array, got ${topics}`);
    // KafkaJS's cluster metadata retries only LEADER_NOT_AVAILABLE: an unknown topic throws
    // at once.
    const all = topics == null || topics.length === 0;
    return this._call(
      async (a) => {
        const metadata = await a.fetchTopicMetadata(all ? undefined : { topics });
        if (!all || metadata.topics.some((t) => t.name === OFFSETS_TOPIC)) return metadata;
        // Kafka's Metadata for all topics has the internal one too once it exists.
        const internal = await a.fetchTopicMetadata({ topics: [OFFSETS_TOPIC] }).catch(() => null);
        return internal ? { topics: [...metadata.topics, ...internal.topics] } : metadata;
      },
      (k) => k?.type === 'LEADER_NOT_AVAILABLE',
    );
  }

  async fetchTopicOffsets(topic) {
    if (!topic || typeof topic !== 'string') throw new KafkaJSNonRetriableError('Invalid topic');
    return this._call((a) => a.fetchTopicOffsets(topic));
  }

  async fetchTopicOffsetsByTimestamp(topic, timestamp) {
    if (!topic || typeof topic !== 'string') throw new KafkaJSNonRetriableError('Invalid topic');
    return this._call((a) => a.fetchTopicOffsetsByTimestamp(topic, timestamp));
  }

  async fetchOffsets({ groupId, topics, resolveOffsets = false } = {}) {
    if (!groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${groupId}`);
    if (topics != null && !Array.isArray(topics)) throw new KafkaJSNonRetriableError('Expected topics array to be set');
    void resolveOffsets;
    return this._call((a) => a.fetchOffsets(topics == null ? { groupId } : { groupId, topics }));
  }

  async resetOffsets({ groupId, topic, earliest = false } = {}) {
    if (!groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${groupId}`);
    if (!topic) throw new KafkaJSNonRetriableError(`Invalid topic ${topic}`);
    return this._call((a) => a.resetOffsets({ groupId, topic, earliest }));
  }

  async setOffsets({ groupId, topic, partitions } = {}) {
    if (!groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${groupId}`);
    if (!topic) throw new KafkaJSNonRetriableError(`Invalid topic ${topic}`);
    if (!partitions || partitions.length === 0) throw new KafkaJSNonRetriableError('Invalid partitions');
    return this._call((a) => a.setOffsets({ groupId, topic, partitions }));
  }

  async listGroups() {
    return this._call(async (a) => {
      const { groups } = await a.listGroups();
      return { groups: groups.map(({ groupId, protocolType }) => ({ groupId, protocolType })) };
    });
  }

  async describeGroups(groupIds) {
    if (!groupIds || !Array.isArray(groupIds)) throw new KafkaJSNonRetriableError(`Invalid groupIds array ${groupIds}`);
    return this._call(async (a) => {
      const { groups } = await a.describeGroups(groupIds);
      return {
        groups: groups.map((g) => ({
          errorCode: g.errorCode,
          groupId: g.groupId,
          members: g.members.map((m) => {
            const assignment = {};
            for (const { topic, partitions } of m.assignment) assignment[topic] = partitions;
            return {
              clientHost: m.clientHost,
              clientId: m.clientId,
              memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment }),
              memberId: m.memberId,
              memberMetadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics: Object.keys(assignment) }),
            };
          }),
          protocol: g.protocol,
          protocolType: g.protocolType,
          state: g.state,
        })),
      };
    });
  }

  async deleteGroups(groupIds) {
    if (!groupIds || !Array.isArray(groupIds)) throw new KafkaJSNonRetriableError(`Invalid groupIds array ${groupIds}`);
    const rill = await this._kafka.rill();
    const admin = rill.admin();
    const results = [];
    const failed = [];
    for (const groupId of groupIds) {
      try {
        await admin.deleteGroups([groupId]);
        results.push({ groupId, errorCode: 0 });
      } catch (e) {
        const error = toKafkaJS(e);
        failed.push({ groupId, errorCode: e?.code ?? -1, error });
      }
    }
    if (failed.length > 0) throw new KafkaJSDeleteGroupsError('Error in DeleteGroups', failed);
    return results;
  }

  async describeConfigs(options) {
    return this._call((a) => a.describeConfigs(options));
  }

  async alterConfigs(options) {
    return this._call((a) => a.alterConfigs(options));
  }

  async deleteTopicRecords({ topic, partitions } = {}) {
    if (!topic || typeof topic !== 'string') throw new KafkaJSNonRetriableError(`Invalid topic "${topic}"`);
    if (!partitions || partitions.length === 0) throw new KafkaJSNonRetriableError('Invalid partitions');
    return this._call((a) => a.deleteTopicRecords({ topic, partitions }));
  }

  /** KafkaJS's `alterPartitionReassignments({ topics: [{ topic, partitionAssignment:
   * [{ partition, replicas }] }] })`, run as rill's `cluster().reassignPartitions`. */
  async alterPartitionReassignments({ topics, timeout } = {}) {
    if (!topics || !Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${topics}`);
    if (topics.filter(({ topic }) => typeof topic !== 'string').length > 0) {
      throw new KafkaJSNonRetriableError('Invalid topics array, the topic names have to be a valid string');
    }
    void timeout;
    return this._call((_a, rill) => rill.cluster().reassignPartitions({ topics }));
  }

  /** rill's brokers have no authorizer: Kafka answers the ACL requests with
   * `SECURITY_DISABLED`, as a broker without `authorizer.class.name` does. */
  async describeAcls() {
    throw securityDisabled();
  }

  async createAcls() {
    throw securityDisabled();
  }

  async deleteAcls() {
    throw securityDisabled();
  }

  /** `{ brokers: [{ nodeId, host, port }], controller, clusterId }`: the running brokers;
   * `host` is `broker-<id>` and `port` 9092 (there is no network); `controller` the lowest
   * running broker id (rill's KRaft controller is not a broker); `clusterId` the rill name. */
  async describeCluster() {
    const rill = await this._kafka.rill();
    const brokers = rill
      .cluster()
      .brokers()
      .filter((b) => b.alive)
      .map((b) => ({ nodeId: b.id, host: `broker-${b.id}`, port: 9092 }));
    return { brokers, controller: brokers.length ? brokers[0].nodeId : null, clusterId: String(this._kafka._rill?.name ?? 'kafkajs') };
  }
}

export default {
  Kafka,
  PartitionAssigners,
  AssignerProtocol,
  Partitioners,
  logLevel,
  CompressionTypes,
  CompressionCodecs,
  ConfigResourceTypes,
  ConfigSource,
  AclResourceTypes,
  AclOperationTypes,
  AclPermissionTypes,
  ResourcePatternTypes,
};
