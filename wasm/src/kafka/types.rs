//! The TypeScript declarations of the `Rill` API's argument and result shapes, added to the
//! generated `.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A key, value or header value: UTF-8 text or bytes. */
export type Bytes = string | Uint8Array;

/** A `Uint8Array` whose `toString()` decodes UTF-8, like a Node `Buffer`. */
export type BufferLike = Uint8Array;

/** `Rill.open` options. */
export interface RillOptions {
  /** The cluster's name: one stored cluster per name (default `'default'`). */
  name?: string;
  /** `'indexeddb'` (default): survives reloads, one open instance per name; `'memory'`: gone with the page. */
  storage?: 'indexeddb' | 'memory';
  /** Brokers of a new cluster (default 3); a stored cluster must be opened with its own count or none. */
  brokers?: number;
  /** Seeds every random choice of a new cluster (replica placement, network jitter). */
  seed?: number;
  /** `'realtime'` (default) follows the page's clock; `'manual'` moves only with `advance(ms)`. */
  clock?: 'manual' | 'realtime';
  /** How long each message of a new cluster takes: `baseMs` (0 or more) to `baseMs + jitterMs` (default 1 and 2). */
  latency?: { baseMs?: number; jitterMs?: number };
  /** When the browser discarded the stored cluster's IndexedDB database: `'fail'` (default) rejects with `STORE_DISCARDED`, `'startFresh'` opens a new, empty cluster. */
  onDiscarded?: 'fail' | 'startFresh';
}

/** The class of every error (`Rill.Error`, `RillBroker.Error`): `e instanceof Rill.Error`. */
export interface RillErrorConstructor {
  new (type: string, code: number | null, retriable: boolean, message: string): RillError;
  readonly prototype: RillError;
}

/** The error every call throws or rejects with (`name` is `'RillError'`). */
export interface RillError extends Error {
  /** Kafka's error name (`UNKNOWN_TOPIC_OR_PARTITION`, ...), or `INVALID_ARGUMENT`. */
  type: string;
  /** Kafka's error number, or `null`. */
  code: number | null;
  /** Whether Kafka's client retries this error. */
  retriable: boolean;
}

export interface ITopicConfig {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configEntries?: Array<{ name: string; value: string }>;
}

export interface CreateTopicsOptions {
  topics: ITopicConfig[];
  validateOnly?: boolean;
  waitForLeaders?: boolean;
  timeout?: number;
}

export interface CreatePartitionsOptions {
  topicPartitions: Array<{ topic: string; count: number }>;
  validateOnly?: boolean;
  timeout?: number;
}

export interface PartitionMetadata {
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  partitionErrorCode: number;
}

export interface TopicMetadataResult {
  topics: Array<{ name: string; partitions: PartitionMetadata[] }>;
}

export interface PartitionOffsets {
  partition: number;
  offset: string;
  high: string;
  low: string;
}

export interface DeleteTopicRecordsOptions {
  topic: string;
  partitions: Array<{ partition: number; offset: string | number }>;
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
  state: string;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocol: string;
  protocolType: string;
  errorCode: number;
  members: Array<{
    memberId: string;
    clientId: string;
    clientHost: string;
    assignment: Array<{ topic: string; partitions: number[] }>;
  }>;
}

export interface Message {
  key?: Bytes | null;
  value: Bytes | null;
  headers?: Record<string, Bytes | null>;
  partition?: number;
  timestamp?: string | number;
}

export interface ProducerConfig {
  idempotent?: boolean;
  partitioner?: 'default';
  retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
}

export interface ProducerRecord {
  topic: string;
  messages: Message[];
  acks?: -1 | 0 | 1;
  timeout?: number;
}

export interface ProducerBatch {
  acks?: -1 | 0 | 1;
  timeout?: number;
  topicMessages: Array<{ topic: string; messages: Message[] }>;
}

export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset: string;
  logAppendTime: string;
  logStartOffset: string;
}

export interface ConsumerConfig {
  groupId: string;
  partitionAssigners?: Array<'cooperative-sticky' | 'sticky' | 'range' | 'roundrobin'>;
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
  maxPollRecords?: number;
  minBytes?: number;
  maxBytes?: number;
  maxBytesPerPartition?: number;
  maxWaitTimeInMs?: number;
  retryBackoff?: number;
  autoOffsetReset?: 'earliest' | 'latest' | 'none';
  autoCommit?: boolean;
  clientId?: string;
  groupInstanceId?: string;
}

export type ConsumerSubscribeTopics =
  | { topics: string[]; fromBeginning?: boolean }
  | { topic: string; fromBeginning?: boolean };

export interface KafkaMessage {
  key: BufferLike | null;
  value: BufferLike | null;
  headers: Record<string, BufferLike | null>;
  timestamp: string;
  offset: string;
  attributes: number;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
  pause(): void;
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
  isEmpty(): boolean;
  firstOffset(): string;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}

export interface EachBatchPayload {
  batch: Batch;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  pause(): void;
  commitOffsetsIfNecessary(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

export interface ConsumerRunConfig {
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  autoCommit?: boolean;
  autoCommitInterval?: number;
  autoCommitThreshold?: number;
  eachBatchAutoResolve?: boolean;
  partitionsConsumedConcurrently?: number;
}

export type ConsumerEventName =
  | 'consumer.connect' | 'consumer.disconnect' | 'consumer.stop' | 'consumer.crash'
  | 'consumer.group_join' | 'consumer.rebalancing' | 'consumer.commit_offsets'
  | 'consumer.partitions_assigned' | 'consumer.partitions_revoked'
  | 'consumer.partitions_lost' | 'consumer.offset_reset' | 'consumer.fetch_start'
  | 'consumer.fetch' | 'consumer.start_batch_process' | 'consumer.end_batch_process';

export interface InstrumentationEvent {
  id: number;
  type: ConsumerEventName;
  timestamp: number;
  payload: { groupId: string; [key: string]: unknown };
}

/** `admin.deleteTopics` options (`timeout` is accepted; deletion is immediate). */
export interface DeleteTopicsOptions {
  topics: string[];
  timeout?: number;
}

/** KafkaJS's `SeekEntry`: `fetchTopicOffsetsByTimestamp`'s rows. */
export interface SeekEntry {
  partition: number;
  offset: string;
}

/** KafkaJS's `ConfigResourceTypes`: 2 = TOPIC (the only kind rill has), 4 = BROKER. */
export interface ConfigResource {
  type: number;
  name: string;
  configNames?: string[];
}

export interface DescribeConfigsOptions {
  resources: ConfigResource[];
  includeSynonyms?: boolean;
}

/** Kafka's `ConfigSource`: 1 = DYNAMIC_TOPIC_CONFIG (a topic override), 5 = DEFAULT_CONFIG. */
export type ConfigSourceNumber = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface ConfigSynonym {
  configName: string;
  configValue: string;
  configSource: ConfigSourceNumber;
}

export interface ConfigEntry {
  configName: string;
  configValue: string;
  isDefault: boolean;
  configSource: ConfigSourceNumber;
  isSensitive: boolean;
  readOnly: boolean;
  /** Filled only with `includeSynonyms`. */
  configSynonyms: ConfigSynonym[];
}

export interface DescribeConfigResponse {
  resources: Array<{
    configEntries: ConfigEntry[];
    errorCode: number;
    errorMessage: string | null;
    resourceName: string;
    resourceType: number;
  }>;
  throttleTime: number;
}

/** Legacy AlterConfigs: each resource's `configEntries` replace all its overrides. */
export interface AlterConfigsOptions {
  validateOnly?: boolean;
  resources: Array<{ type: number; name: string; configEntries: Array<{ name: string; value: string }> }>;
}

export interface AlterConfigsResponse {
  resources: Array<{ errorCode: number; errorMessage: string | null; resourceName: string; resourceType: number }>;
  throttleTime: number;
}

export interface ReassignPartitionsOptions {
  topics: Array<{ topic: string; partitionAssignment: Array<{ partition: number; replicas: number[] }> }>;
}

export type RillEventType =
  | 'brokerDown' | 'brokerUp' | 'brokerFenced' | 'brokerUnfenced' | 'leaderElected'
  | 'isrShrunk' | 'isrExpanded' | 'highWatermarkAdvanced' | 'reassignmentStarted'
  | 'reassignmentProgressed' | 'reassignmentCompleted' | 'followerFetched' | 'truncated'
  | 'group' | 'produceCompleted' | 'topicDeleted' | 'topicConfigAltered' | 'segmentDeleted'
  | 'segmentsCompacted' | 'recoveryTruncated' | 'recoverySkippedTopic'
  | 'recoverySkippedSegment' | 'topicCreated' | 'partitionsCreated'
  | 'recordsAppended' | 'segmentRolled' | 'logStartOffsetAdvanced' | 'other';

/** A cluster event; fields besides `type` and `at` depend on the type. */
export interface RillEvent {
  type: RillEventType;
  /** Cluster time (ms). */
  at: number;
  broker?: number;
  /** (`brokerDown`) whether it stopped at the end of a controlled shutdown, not killed. */
  controlled?: boolean;
  topic?: string;
  partition?: number;
  leader?: number;
  leaderEpoch?: number;
  /** Election reason, member leave reason, (`segmentDeleted`) `retention.ms`,
   * `retention.bytes` or `log start offset`, or (`segmentRolled`) `size`, `time`,
   * `indexFull`, `offsetOverflow` or `retention`, or (`recoverySkippedTopic`) why. */
  reason?: string | null;
  isr?: number[];
  replicas?: number[];
  target?: number[];
  inSync?: number[];
  highWatermark?: string;
  logEndOffset?: string;
  /** For `group`: what happened in the group. */
  kind?: 'memberJoined' | 'memberLeft' | 'memberExpired' | 'memberFenced' | 'stateChanged'
    | 'rebalanceStarted' | 'generationCompleted' | 'offsetsCommitted' | 'offsetsExpired'
    | 'groupRemoved';
  groupId?: string;
  memberId?: string;
  groupInstanceId?: string | null;
  clientId?: string;
  cause?: string;
  oldMemberId?: string;
  newMemberId?: string;
  from?: string;
  to?: string;
  generationId?: number;
  protocol?: string | null;
  leaderId?: string | null;
  assignments?: Array<{ memberId: string; assignment: Array<{ topic: string; partitions: number[] }> }>;
  offsets?: Array<{ topic: string; partition: number; offset: string }>;
  partitions?: Array<{ topic: string; partitions: number[] }>;
  /** For `other`: the event as text. */
  detail?: string;
  request?: number;
  acks?: -1 | 0 | 1;
  baseOffset?: string;
  lastOffset?: string;
  error?: string;
  /** For `topicConfigAltered`: the overrides in force now. */
  overrides?: Array<{ name: string; value: string }>;
  /** For `segmentDeleted`: the segment's size in bytes (its `baseOffset` is above). */
  size?: number;
  logStartOffset?: string;
  /** For `segmentsCompacted`: base offsets replaced and added. */
  removed?: string[];
  added?: string[];
  bytesBefore?: number;
  bytesAfter?: number;
  /** For `topicCreated`. */
  numPartitions?: number;
  replicationFactor?: number;
  /** For `partitionsCreated`: the partition count before and after. */
  previousCount?: number;
  count?: number;
  /** For `recoveryTruncated`. */
  segmentBaseOffset?: string;
  validBytes?: number;
  droppedBytes?: number;
  problem?: string;
}
"#;
