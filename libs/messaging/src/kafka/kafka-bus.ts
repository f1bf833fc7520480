import { Admin, Consumer, Kafka, logLevel, LogEntry, Partitioners, Producer } from 'kafkajs';
import { MessagingLogger, silentLogger } from '../logger';
import {
  BatchHandler,
  IncomingRecord,
  MessageBus,
  MessageHeaders,
  MessagePublisher,
  OutgoingRecord,
  Subscription,
  SubscriptionOptions,
} from '../ports';

export interface KafkaBusOptions {
  clientId: string;
  brokers: string[];
  logger?: MessagingLogger;
  /** Consumer session timeout; a consumer silent longer than this loses its partitions. */
  sessionTimeoutMs?: number;
}

/** The kafkajs adapter of the messaging port. */
export class KafkaBus implements MessageBus {
  private readonly kafka: Kafka;
  private readonly logger: MessagingLogger;
  private admin?: Admin;
  private readonly open = new Set<{ close(): Promise<void> }>();

  constructor(private readonly options: KafkaBusOptions) {
    this.logger = options.logger ?? silentLogger;
    const logger = this.logger;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...fields } = entry.log;
        // Our producer's retries are bounded on purpose (the relay retries the batch); a resend after a
        // give-up may duplicate a message, which every consumer's inbox absorbs. Nothing to warn about.
        if (message.startsWith('Limiting retries for the idempotent producer')) return;
        const level = entry.level === logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : 'info';
        logger[level](`kafkajs ${entry.namespace}: ${message}`, fields);
      },
      retry: { initialRetryTime: 200, retries: 8 },
    });
  }

  async publisher(): Promise<MessagePublisher> {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1, // strict order per partition, even on retries
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const publisher = new KafkaPublisher(producer);
    const handle = { close: () => producer.disconnect() };
    this.open.add(handle);
    return {
      publish: (records) => publisher.publish(records),
      close: async () => {
        this.open.delete(handle);
        await producer.disconnect();
      },
    };
  }

  async subscribe(options: SubscriptionOptions, handler: BatchHandler): Promise<Subscription> {
    let stopped = false;
    let current: Consumer | undefined;
    let resolveReady!: () => void;
    const ready = new Promise<void>((resolve) => (resolveReady = resolve));

    const start = async (): Promise<void> => {
      const consumer = this.kafka.consumer({
        groupId: options.groupId,
        sessionTimeout: this.options.sessionTimeoutMs ?? 15000,
        heartbeatInterval: 1000,
        allowAutoTopicCreation: false,
        // The broker answers a fetch as soon as one byte is there (minBytes 1): the wait bounds only how often an
        // idle consumer asks again, so a long one costs no latency and spares the two cores ~10 fetches a second each.
        maxWaitTimeInMs: 500,
        retry: { retries: 5, initialRetryTime: 200 },
      });
      current = consumer;
      consumer.on(consumer.events.GROUP_JOIN, () => resolveReady());
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        // kafkajs restarts a consumer after a retriable error by itself; after any other error
        // (e.g. the coordinator forgot this member) it stays dead: start a new one.
        if (payload.restart || stopped) return;
        this.logger.error('consumer crashed; starting a new one', { groupId: options.groupId, error: String(payload.error) });
        void restart(consumer);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 3,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          if (batch.messages.length === 0) return;
          const records: IncomingRecord[] = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key ? m.key.toString('utf8') : null,
            value: m.value,
            headers: decodeHeaders(m.headers),
          }));
          const lastDone = await handler(records, { heartbeat, isActive: () => isRunning() && !isStale() });
          if (lastDone === null) return;
          // Tells kafkajs where to fetch next; without it the same batch would be fetched again.
          resolveOffset(lastDone);
          await options.beforeOffsetCommit?.();
          // Committed only now: the effects of every record up to lastDone are in the database.
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(lastDone) + 1n).toString() },
          ]);
        },
      });
    };

    const restart = async (dead: Consumer): Promise<void> => {
      await dead.disconnect().catch(() => undefined);
      for (let attempt = 1; !stopped; attempt++) {
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * attempt)));
        if (stopped) return;
        try {
          await start();
          return;
        } catch (error) {
          this.logger.warn('consumer could not restart; retrying', { groupId: options.groupId, attempt, error: String(error) });
        }
      }
    };

    await start();
    const stop = async () => {
      stopped = true;
      this.open.delete(handle);
      await current?.disconnect();
    };
    const handle = { close: stop };
    this.open.add(handle);
    return { ready, stop };
  }

  async ping(): Promise<void> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    await this.admin.describeCluster();
  }

  /** Raw access for tooling (topic creation, benchmarks); services use the port. */
  raw(): Kafka {
    return this.kafka;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.open].map((h) => h.close()));
    this.open.clear();
    await this.admin?.disconnect();
    this.admin = undefined;
  }
}

class KafkaPublisher {
  constructor(private readonly producer: Producer) {}

  async publish(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Group by topic, keeping the records' order inside each topic (and so inside each key).
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const record of records) {
      const list = byTopic.get(record.topic) ?? [];
      list.push(record);
      byTopic.set(record.topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      })),
    });
  }
}

function decodeHeaders(headers: Record<string, unknown> | undefined): MessageHeaders {
  const decoded: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    const single = Array.isArray(value) ? value[value.length - 1] : value;
    decoded[name] = Buffer.isBuffer(single) ? single.toString('utf8') : String(single);
  }
  return decoded;
}

export type { Consumer };
