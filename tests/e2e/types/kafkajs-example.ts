// Compiled by `cargo xtask test` with `tsc --noEmit --strict` against `kafkajs.d.ts`: code
// written for KafkaJS's types (docs/ConsumerExample.md's TypeScript example, trimmed) must
// compile with only the import changed.
import {
  Kafka,
  logLevel,
  CompressionTypes,
  Partitioners,
  KafkaJSProtocolError,
  type Consumer,
  type ConsumerSubscribeTopics,
  type EachBatchPayload,
  type EachMessagePayload,
  type RecordMetadata,
} from './kafkajs.js';

export default class ExampleConsumer {
  private kafkaConsumer: Consumer;

  public constructor() {
    this.kafkaConsumer = this.createKafkaConsumer();
  }

  public async startConsumer(): Promise<void> {
    const topic: ConsumerSubscribeTopics = { topics: ['example-topic'], fromBeginning: false };
    await this.kafkaConsumer.connect();
    await this.kafkaConsumer.subscribe(topic);
    await this.kafkaConsumer.run({
      eachMessage: async (messagePayload: EachMessagePayload) => {
        const { topic, partition, message } = messagePayload;
        const prefix = `${topic}[${partition} | ${message.offset}] / ${message.timestamp}`;
        console.log(`- ${prefix} ${message.key}#${message.value}`);
      },
    });
  }

  public async startBatchConsumer(): Promise<void> {
    await this.kafkaConsumer.run({
      eachBatch: async (eachBatchPayload: EachBatchPayload) => {
        const { batch, resolveOffset, heartbeat, isRunning, isStale } = eachBatchPayload;
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          resolveOffset(message.offset);
          await heartbeat();
        }
      },
    });
  }

  public async shutdown(): Promise<void> {
    await this.kafkaConsumer.disconnect();
  }

  private createKafkaConsumer(): Consumer {
    const kafka = new Kafka({ clientId: 'client-id', brokers: ['example.com:9093'], logLevel: logLevel.ERROR });
    return kafka.consumer({ groupId: 'consumer-group' });
  }
}

export async function produce(): Promise<RecordMetadata[]> {
  const kafka = new Kafka({ clientId: 'my-app', brokers: ['kafka1:9092'] });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    return await producer.send({
      topic: 'topic-name',
      compression: CompressionTypes.GZIP,
      messages: [{ key: 'key1', value: 'hello world', headers: { 'correlation-id': '2bfb68bb' } }],
    });
  } catch (e) {
    if (e instanceof KafkaJSProtocolError) console.log(e.type, e.code, e.retriable);
    throw e;
  }
}
