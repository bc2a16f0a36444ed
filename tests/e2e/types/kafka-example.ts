// Compiled by `cargo xtask test` with `tsc --noEmit --strict` against the generated
// rill_wasm.d.ts: the KafkaJS-shaped API must be typed (a wrong call below would not compile).
import init, {
  Rill,
  RillBroker,
  type TopicDescription,
  type EachMessagePayload,
  type RecordMetadata,
  type RillError,
  type RillEvent,
  type SeekEntry,
  type ConfigEntry,
  type DescribeConfigResponse,
  type AlterConfigsResponse,
} from './rill_wasm.js';

export async function example(): Promise<string[]> {
  await init();
  const kafka: Rill = await Rill.open({ name: 'demo', storage: 'memory', brokers: 3, clock: 'manual' });
  const off: () => void = kafka.on('leaderElected', (event: RillEvent) => {
    const at: number = event.at;
    const leader: number | undefined = event.leader;
    console.log(at, leader);
  });

  const admin = kafka.admin();
  await admin.connect();
  const created: boolean = await admin.createTopics({
    topics: [{ topic: 'orders', numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'retention.ms', value: '60000' }] }],
  });
  const topics: string[] = await admin.listTopics();
  const metadata = await admin.fetchTopicMetadata({ topics: ['orders'] });
  const isr: number[] = metadata.topics[0].partitions[0].isr;
  const offsets = await admin.fetchTopicOffsets('orders');
  const high: string = offsets[0].high;
  await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 4 }] });
  await admin.deleteTopicRecords({ topic: 'orders', partitions: [{ partition: 0, offset: '-1' }] });
  const groups = await admin.listGroups();
  const groupIds: string[] = groups.groups.map((g) => g.groupId);
  const described = await admin.describeGroups(['billing']);
  const state: string = described.groups[0].state;
  const committed = await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] });
  const offset: string = committed[0].partitions[0].offset;
  await admin.resetOffsets({ groupId: 'billing', topic: 'orders', earliest: true });
  await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '3' }] });
  const valid: boolean = await admin.createTopics({ validateOnly: true, topics: [{ topic: 'maybe' }] });
  const byTime: SeekEntry[] = await admin.fetchTopicOffsetsByTimestamp('orders', Date.now() - 60_000);
  const firstAt: string = byTime[0].offset;
  const configs: DescribeConfigResponse = await admin.describeConfigs({
    resources: [{ type: 2, name: 'orders', configNames: ['retention.ms'] }],
    includeSynonyms: true,
  });
  const entry: ConfigEntry = configs.resources[0].configEntries[0];
  const fromOverride: boolean = entry.configSource === 1 && !entry.isDefault;
  const synonymNames: string[] = entry.configSynonyms.map((s) => s.configName);
  const alteredConfigs: AlterConfigsResponse = await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'retention.ms', value: '120000' }] }],
  });
  const alteredName: string = alteredConfigs.resources[0].resourceName;
  const offline: number[] = metadata.topics[0].partitions[0].offlineReplicas;
  const offDeleted: () => void = kafka.on('topicDeleted', (event: RillEvent) => console.log(event.topic));
  kafka.on('topicConfigAltered', (event: RillEvent) => console.log(event.overrides?.map((o) => o.name)));
  kafka.on('segmentDeleted', (event: RillEvent) => console.log(event.baseOffset, event.size, event.logStartOffset));
  kafka.on('segmentsCompacted', (event: RillEvent) => console.log(event.removed, event.added, event.bytesAfter));
  kafka.on('recoveryTruncated', (event: RillEvent) => console.log(event.segmentBaseOffset, event.problem));
  await admin.deleteTopics({ topics: ['maybe'], timeout: 5000 });
  offDeleted();
  console.log(valid, firstAt, fromOverride, synonymNames, alteredName, offline);

  const producer = kafka.producer({ retry: { retries: 10 } });
  await producer.connect();
  const sending: Promise<RecordMetadata[]> = producer.send({
    topic: 'orders',
    acks: -1,
    messages: [
      { key: 'k', value: 'v', headers: { trace: 'abc' } },
      { key: new Uint8Array([1, 2]), value: null, partition: 1 },
    ],
  });
  await kafka.advance(100);
  const [first] = await sending;
  const baseOffset: string = first.baseOffset;
  await producer.sendBatch({ topicMessages: [{ topic: 'orders', messages: [{ value: 'x' }] }] });

  const consumer = kafka.consumer({ groupId: 'billing', partitionAssigners: ['cooperative-sticky'], sessionTimeout: 10000 });
  consumer.on(consumer.events.GROUP_JOIN, (event) => console.log(event.payload.groupId));
  await consumer.connect();
  await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({
    autoCommit: true,
    eachMessage: async ({ topic, partition, message, heartbeat }: EachMessagePayload) => {
      seen.push(`${topic}/${partition}/${message.offset}/${message.value?.toString() ?? 'null'}`);
      await heartbeat();
    },
  });
  consumer.pause([{ topic: 'orders', partitions: [0] }]);
  consumer.resume([{ topic: 'orders' }]);
  consumer.seek({ topic: 'orders', partition: 0, offset: '0' });
  await consumer.commitOffsets([{ topic: 'orders', partition: 0, offset: '1' }]);
  await consumer.stop();
  await consumer.disconnect();

  const control = kafka.cluster();
  await control.killBroker(0);
  await control.partitionNetwork([1], [2, 'controller']);
  await control.heal();
  await control.restartBroker(0);
  await control.reassignPartitions({ topics: [{ topic: 'orders', partitionAssignment: [{ partition: 0, replicas: [1, 2, 0] }] }] });
  await control.electLeaders({ topicPartitions: [{ topic: 'orders', partitions: [0] }] });
  const alive: boolean = control.brokers()[0].alive;

  try {
    await producer.send({ topic: 'missing', messages: [{ value: 'v' }] });
  } catch (e) {
    const error = e as RillError;
    const type: string = error.type;
    const retriable: boolean = error.retriable;
    console.log(type, retriable);
    if (e instanceof Rill.Error) {
      const narrowed: string = e.type;
      console.log(narrowed, e instanceof RillBroker.Error);
    }
  }
  off();
  const now: number = kafka.now();

  const broker = await RillBroker.open({ name: 'single', storage: 'memory' });
  const description: TopicDescription = await broker.createTopic({ topic: 't', numPartitions: 2 });
  const [produced] = await broker.produce({ topic: 't', messages: [{ key: 'k', value: new Uint8Array([1]) }] });
  const fetched = broker.fetch({ topic: 't', partition: produced.partition, offset: produced.offset });
  const firstValue: Uint8Array | null = fetched.records[0].valueBytes;
  const segments: number = broker.listTopics()[0].partitions[0].segments.length;
  const found = broker.listOffsets({ topic: 't', partition: 0, timestamp: -1 });
  const moved: string[] = broker.keysThatMove({ topic: 't', count: 3 }).map((m) => m.key);
  await broker.alterConfigs({ topic: 't', set: { 'retention.ms': '1000' } });
  await broker.tick();
  broker.close();
  console.log(description.configs.length, firstValue, segments, found?.offset, moved);
  await kafka.disconnect();
  return [String(created), ...topics, String(isr), high, ...groupIds, state, offset, baseOffset, String(alive), String(now)];
}
