// Types of rill's KafkaJS drop-in (`kafkajs.js`): KafkaJS 2.x's public API as rill offers it.
// Written for rill (not copied from KafkaJS); names and shapes follow KafkaJS's so code typed
// against KafkaJS compiles against this module with only the import changed.

import type { Rill, RillOptions } from './rill_wasm.js';

export type Bytes = string | Uint8Array | null;

export interface RetryOptions {
  maxRetryTime?: number;
  initialRetryTime?: number;
  factor?: number;
  multiplier?: number;
  retries?: number;
  restartOnFailure?: (e: Error) => Promise<boolean>;
}

export declare const logLevel: {
  readonly NOTHING: 0;
  readonly ERROR: 1;
  readonly WARN: 2;
  readonly INFO: 4;
  readonly DEBUG: 5;
};
export type LogLevel = (typeof logLevel)[keyof typeof logLevel];

export interface LogEntry {
  namespace: string;
  level: LogLevel;
  label: string;
  log: { timestamp: string; logger: string; message: string; [key: string]: unknown };
}
export type logCreator = (logLevel: LogLevel) => (entry: LogEntry) => void;

export interface Logger {
  info(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  debug(message: string, extra?: object): void;
  namespace(namespace: string, logLevel?: LogLevel): Logger;
  setLogLevel(logLevel: LogLevel): void;
}

export interface KafkaConfig {
  /** Accepted and ignored: the cluster lives in the page. */
  brokers?: string[] | (() => string[] | Promise<string[]>);
  clientId?: string;
  /** Accepted and ignored. */
  ssl?: unknown;
  /** Accepted and ignored. */
  sasl?: unknown;
  connectionTimeout?: number;
  authenticationTimeout?: number;
  reauthenticationThreshold?: number;
  requestTimeout?: number;
  enforceRequestTimeout?: boolean;
  retry?: RetryOptions;
  socketFactory?: unknown;
  logLevel?: LogLevel;
  logCreator?: logCreator;
  /** rill's cluster: `Rill.open` options (default `{ name: 'kafkajs', storage: 'memory' }`),
   * or an opened `Rill`. */
  rill?: RillOptions | Rill;
}

export declare const CompressionTypes: { readonly None: 0; readonly GZIP: 1; readonly Snappy: 2; readonly LZ4: 3; readonly ZSTD: 4 };
export type CompressionType = (typeof CompressionTypes)[keyof typeof CompressionTypes];
export declare const CompressionCodecs: Record<number, () => unknown>;
export declare const ConfigResourceTypes: { readonly UNKNOWN: 0; readonly TOPIC: 2; readonly BROKER: 4; readonly BROKER_LOGGER: 8 };
export declare const ConfigSource: {
  readonly UNKNOWN: 0;
  readonly TOPIC_CONFIG: 1;
  readonly DYNAMIC_BROKER_CONFIG: 2;
  readonly DYNAMIC_DEFAULT_BROKER_CONFIG: 3;
  readonly STATIC_BROKER_CONFIG: 4;
  readonly DEFAULT_CONFIG: 5;
  readonly DYNAMIC_BROKER_LOGGER_CONFIG: 6;
};
export declare const AclResourceTypes: Record<string, number>;
export declare const AclOperationTypes: Record<string, number>;
export declare const AclPermissionTypes: Record<string, number>;
export declare const ResourcePatternTypes: Record<string, number>;

export interface PartitionMetadata {
  partitionErrorCode: number;
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas?: number[];
}

export interface Message {
  key?: Bytes;
  value: Bytes;
  partition?: number;
  headers?: Record<string, Bytes | Bytes[] | undefined>;
  timestamp?: string;
}

export interface PartitionerArgs {
  topic: string;
  partitionMetadata: Array<{ partitionId: number; leader: number }>;
  message: Message;
}
export type ICustomPartitioner = () => (args: PartitionerArgs) => number;
export declare const Partitioners: {
  DefaultPartitioner: ICustomPartitioner;
  LegacyPartitioner: ICustomPartitioner;
  JavaCompatiblePartitioner: ICustomPartitioner;
};

export interface ProducerConfig {
  createPartitioner?: ICustomPartitioner;
  retry?: RetryOptions;
  metadataMaxAge?: number;
  allowAutoTopicCreation?: boolean;
  idempotent?: boolean;
  transactionalId?: string;
  transactionTimeout?: number;
  maxInFlightRequests?: number;
}

export interface ProducerRecord {
  topic: string;
  messages: Message[];
  acks?: number;
  timeout?: number;
  compression?: CompressionType;
}

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

export interface ProducerBatch {
  acks?: number;
  timeout?: number;
  compression?: CompressionType;
  topicMessages?: TopicMessages[];
}

export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  offset?: string;
  timestamp?: string;
  baseOffset?: string;
  logAppendTime?: string;
  logStartOffset?: string;
}

export interface InstrumentationEvent<T = any> {
  id: number;
  type: string;
  timestamp: number;
  payload: T;
}
export type RemoveInstrumentationEventListener = () => void;

export interface Producer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isIdempotent(): boolean;
  readonly events: Record<string, string>;
  on(eventName: string, listener: (event: InstrumentationEvent) => void): RemoveInstrumentationEventListener;
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
  transaction(): Promise<never>;
  logger(): Logger;
}

export interface PartitionAssigner {
  (config: { cluster: unknown }): { name: string; version: number };
}
export declare const PartitionAssigners: { roundRobin: PartitionAssigner };

export interface ConsumerConfig {
  groupId: string;
  partitionAssigners?: Array<PartitionAssigner | 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky'>;
  metadataMaxAge?: number;
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
  maxBytesPerPartition?: number;
  minBytes?: number;
  maxBytes?: number;
  maxWaitTimeInMs?: number;
  retry?: RetryOptions;
  allowAutoTopicCreation?: boolean;
  maxInFlightRequests?: number;
  readUncommitted?: boolean;
  rackId?: string;
}

export interface ConsumerSubscribeTopics {
  topics: Array<string | RegExp>;
  fromBeginning?: boolean;
}
export interface ConsumerSubscribeTopic {
  topic: string | RegExp;
  fromBeginning?: boolean;
}

export interface KafkaMessage {
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp: string;
  attributes: number;
  offset: string;
  headers?: Record<string, Uint8Array | Uint8Array[] | null | undefined>;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
  pause(): () => void;
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
  isEmpty(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}

export interface OffsetsByTopicPartition {
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
}

export interface EachBatchPayload {
  batch: Batch;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  pause(): () => void;
  commitOffsetsIfNecessary(offsets?: OffsetsByTopicPartition): Promise<void>;
  uncommittedOffsets(): OffsetsByTopicPartition;
  isRunning(): boolean;
  isStale(): boolean;
}

export interface ConsumerRunConfig {
  autoCommit?: boolean;
  autoCommitInterval?: number | null;
  autoCommitThreshold?: number | null;
  eachBatchAutoResolve?: boolean;
  partitionsConsumedConcurrently?: number;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
}

export interface TopicPartitions {
  topic: string;
  partitions?: number[];
}

export interface TopicPartitionOffsetAndMetadata {
  topic: string;
  partition: number;
  offset: string;
  metadata?: string | null;
}

export interface MemberDescription {
  clientHost: string;
  clientId: string;
  memberId: string;
  memberAssignment: Uint8Array;
  memberMetadata: Uint8Array;
}

export interface GroupDescription {
  groupId: string;
  members: MemberDescription[];
  protocol: string;
  protocolType: string;
  state: string;
  errorCode: number;
}

export interface Consumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void>;
  stop(): Promise<void>;
  run(config?: ConsumerRunConfig): Promise<void>;
  commitOffsets(topicPartitions: TopicPartitionOffsetAndMetadata[]): Promise<void>;
  seek(topicPartitionOffset: { topic: string; partition: number; offset: string }): void;
  describeGroup(): Promise<GroupDescription>;
  pause(topics: TopicPartitions[]): void;
  paused(): Array<{ topic: string; partitions: number[] }>;
  resume(topics: TopicPartitions[]): void;
  readonly events: Record<string, string>;
  on(eventName: string, listener: (event: InstrumentationEvent) => void): RemoveInstrumentationEventListener;
  logger(): Logger;
}

export interface ITopicConfig {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  replicaAssignment?: object[];
  configEntries?: Array<{ name: string; value: string }>;
}

export interface ITopicMetadata {
  name: string;
  partitions: PartitionMetadata[];
}

export interface SeekEntry {
  partition: number;
  offset: string;
}

export interface Admin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  createTopics(options: { validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number; topics: ITopicConfig[] }): Promise<boolean>;
  deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void>;
  createPartitions(options: { validateOnly?: boolean; timeout?: number; topicPartitions: Array<{ topic: string; count: number; assignments?: number[][] }> }): Promise<void>;
  fetchTopicMetadata(options?: { topics: string[] }): Promise<{ topics: ITopicMetadata[] }>;
  fetchOffsets(options: { groupId: string; topics?: string[]; resolveOffsets?: boolean }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string; metadata: string | null }> }>>;
  fetchTopicOffsets(topic: string): Promise<Array<SeekEntry & { high: string; low: string }>>;
  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<SeekEntry[]>;
  describeCluster(): Promise<{ brokers: Array<{ nodeId: number; host: string; port: number }>; controller: number | null; clusterId: string }>;
  setOffsets(options: { groupId: string; topic: string; partitions: SeekEntry[] }): Promise<void>;
  resetOffsets(options: { groupId: string; topic: string; earliest: boolean }): Promise<void>;
  describeConfigs(configs: { resources: Array<{ type: number; name: string; configNames?: string[] }>; includeSynonyms: boolean }): Promise<any>;
  alterConfigs(configs: { validateOnly: boolean; resources: Array<{ type: number; name: string; configEntries: Array<{ name: string; value: string }> }> }): Promise<any>;
  listGroups(): Promise<{ groups: Array<{ groupId: string; protocolType: string }> }>;
  deleteGroups(groupIds: string[]): Promise<Array<{ groupId: string; errorCode: number }>>;
  describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }>;
  deleteTopicRecords(options: { topic: string; partitions: SeekEntry[] }): Promise<void>;
  /** Run as rill's `cluster().reassignPartitions`. */
  alterPartitionReassignments(options: { topics: Array<{ topic: string; partitionAssignment: Array<{ partition: number; replicas: number[] }> }>; timeout?: number }): Promise<void>;
  /** rill's brokers have no authorizer: `KafkaJSProtocolError` `SECURITY_DISABLED`, as Kafka. */
  describeAcls(options?: unknown): Promise<never>;
  createAcls(options?: unknown): Promise<never>;
  deleteAcls(options?: unknown): Promise<never>;
  readonly events: Record<string, string>;
  on(eventName: string, listener: (event: InstrumentationEvent) => void): RemoveInstrumentationEventListener;
  logger(): Logger;
}

export declare class Kafka {
  constructor(config?: KafkaConfig);
  producer(config?: ProducerConfig): Producer;
  consumer(config: ConsumerConfig): Consumer;
  admin(config?: { retry?: RetryOptions }): Admin;
  logger(): Logger;
  /** The `Rill` behind this client (opened on first use). */
  rill(): Promise<Rill>;
}

export declare const AssignerProtocol: {
  MemberMetadata: {
    encode(metadata: { version: number; topics: string[]; userData?: Uint8Array }): Uint8Array;
    decode(buffer: Uint8Array): { version: number; topics: string[]; userData: Uint8Array | null };
  };
  MemberAssignment: {
    encode(assignment: { version: number; assignment: Record<string, number[]>; userData?: Uint8Array }): Uint8Array;
    decode(buffer: Uint8Array): { version: number; assignment: Record<string, number[]>; userData: Uint8Array | null } | null;
  };
};

export declare class KafkaJSError extends Error {
  readonly retriable: boolean;
  readonly helpUrl?: string;
  readonly cause?: Error;
  constructor(e: Error | string, metadata?: { retriable?: boolean; cause?: Error });
}
export declare class KafkaJSNonRetriableError extends KafkaJSError {
  constructor(e: Error | string, metadata?: { cause?: Error });
}
export declare class KafkaJSProtocolError extends KafkaJSError {
  readonly code: number;
  readonly type: string;
  constructor(e: { message: string; type: string; code: number; retriable: boolean } | Error, metadata?: { retriable?: boolean });
}
export declare class KafkaJSOffsetOutOfRange extends KafkaJSProtocolError {
  readonly topic: string;
  readonly partition: number;
}
export declare class KafkaJSMemberIdRequired extends KafkaJSProtocolError {
  readonly memberId: string;
}
export declare class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  readonly retryCount: number;
  readonly retryTime: number;
  constructor(e: Error | string, metadata?: { retryCount?: number; retryTime?: number });
}
export declare class KafkaJSConnectionError extends KafkaJSError {
  readonly broker: string;
  constructor(e: Error | string, metadata?: { broker?: string; code?: string });
}
export declare class KafkaJSConnectionClosedError extends KafkaJSConnectionError {
  readonly host: string;
  readonly port: number;
}
export declare class KafkaJSRequestTimeoutError extends KafkaJSError {}
export declare class KafkaJSMetadataNotLoaded extends KafkaJSError {}
export declare class KafkaJSTopicMetadataNotLoaded extends KafkaJSMetadataNotLoaded {
  readonly topic: string;
}
export declare class KafkaJSStaleTopicMetadataAssignment extends KafkaJSError {
  readonly topic: string;
  readonly unknownPartitions: number[];
}
export declare class KafkaJSDeleteGroupsError extends KafkaJSError {
  readonly groups: Array<{ groupId: string; errorCode: number; error: KafkaJSError }>;
}
export declare class KafkaJSServerDoesNotSupportApiKey extends KafkaJSNonRetriableError {}
export declare class KafkaJSBrokerNotFound extends KafkaJSError {}
export declare class KafkaJSPartialMessageError extends KafkaJSNonRetriableError {}
export declare class KafkaJSSASLAuthenticationError extends KafkaJSNonRetriableError {}
export declare class KafkaJSGroupCoordinatorNotFound extends KafkaJSNonRetriableError {}
export declare class KafkaJSNotImplemented extends KafkaJSNonRetriableError {}
export declare class KafkaJSTimeout extends KafkaJSNonRetriableError {}
export declare class KafkaJSLockTimeout extends KafkaJSTimeout {}
export declare class KafkaJSUnsupportedMagicByteInMessageSet extends KafkaJSNonRetriableError {}
export declare class KafkaJSInvalidVarIntError extends KafkaJSNonRetriableError {}
export declare class KafkaJSInvalidLongError extends KafkaJSNonRetriableError {}
export declare class KafkaJSDeleteTopicRecordsError extends KafkaJSError {
  readonly partitions: Array<{ partition: number; offset: string; error: KafkaJSError }>;
  constructor(metadata: { partitions: Array<{ partition: number; offset: string; error: KafkaJSError }> });
}
export declare class KafkaJSInvariantViolation extends KafkaJSNonRetriableError {}
export declare class KafkaJSCreateTopicError extends KafkaJSProtocolError {
  readonly topic: string;
}
export declare class KafkaJSAlterPartitionReassignmentsError extends KafkaJSProtocolError {
  readonly topic?: string;
  readonly partition?: number;
}
export declare class KafkaJSAggregateError extends Error {
  readonly errors: Array<Error>;
  constructor(message: string, errors: Array<Error>);
}
export declare class KafkaJSFetcherRebalanceError extends Error {}
export declare class KafkaJSNoBrokerAvailableError extends KafkaJSError {
  constructor();
}

declare const _default: {
  Kafka: typeof Kafka;
  PartitionAssigners: typeof PartitionAssigners;
  AssignerProtocol: typeof AssignerProtocol;
  Partitioners: typeof Partitioners;
  logLevel: typeof logLevel;
  CompressionTypes: typeof CompressionTypes;
  CompressionCodecs: typeof CompressionCodecs;
  ConfigResourceTypes: typeof ConfigResourceTypes;
  ConfigSource: typeof ConfigSource;
  AclResourceTypes: typeof AclResourceTypes;
  AclOperationTypes: typeof AclOperationTypes;
  AclPermissionTypes: typeof AclPermissionTypes;
  ResourcePatternTypes: typeof ResourcePatternTypes;
};
export default _default;
