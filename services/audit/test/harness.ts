/**
 * Test harness of the audit service's integration tests (real PostgreSQL and Kafka): an audit app on
 * topics of its own, a producer that writes events through a real outbox and relay, tokens.
 */
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventEnvelope } from '@cnfs/contracts';
import { signToken } from '@cnfs/auth';
import {
  headersFor,
  IncomingRecord,
  KafkaBus,
  MessagePublisher,
  MessagingTables1764000000000,
  openServiceDataSource,
  Outbox,
  OutboxRelay,
  Subscription,
} from '@cnfs/messaging';
import { Clock, createServiceApp, DATA_SOURCE, loadServiceConfig, ServiceConfig } from '@cnfs/service-kit';
import { createTestTopic, testBrokers, testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { auditApplication } from '../src/app.module';
import { AuditTrailConsumer } from '../src/audit.consumer';
import { AuditOptions } from '../src/audit.options';

export const JWT_SECRET = 'audit-test-secret-long-enough-for-hs256';

export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 45000, what = 'condition'): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Topics of one test run (each with its dead-letter twin), so nothing else writes to them. */
export async function createTopics<K extends string>(names: Record<K, number>): Promise<Record<K, string>> {
  const created = {} as Record<K, string>;
  for (const [key, partitions] of Object.entries(names) as [K, number][]) {
    const topic = await createTestTopic(uniqueName(`audit_${key}`), partitions);
    await createTestTopic(`${topic}.dlq`, 1);
    created[key] = topic;
  }
  return created;
}

export interface AuditInstance {
  app: INestApplication;
  config: ServiceConfig;
  dataSource: DataSource;
  consumer: AuditTrailConsumer;
  http: () => ReturnType<INestApplication['getHttpServer']>;
  schema: string;
  consumerName: string;
  entryCount(): Promise<number>;
  /** Stops the app, keeping its schema (a restart can follow). */
  stop(): Promise<void>;
  /** Stops the app and drops its schema. */
  close(): Promise<void>;
}

/** Starts the audit service (its own schema and consumer group) on the given topics, as main.ts does. */
export async function startAudit(options: AuditOptions & { schema?: string; clock?: Clock }): Promise<AuditInstance> {
  const schema = options.schema ?? uniqueName('audit');
  const config = loadServiceConfig('audit', { port: 0, schema }, {
    DATABASE_URL: testDatabaseUrl(),
    KAFKA_BROKERS: testBrokers().join(','),
    JWT_SECRET,
  });
  const consumerName = options.consumerName ?? uniqueName('audit_trail');
  const app = await createServiceApp(
    auditApplication(config, options.clock, { topics: options.topics, consumerName, retryDelayMs: 20, beforeOffsetCommit: options.beforeOffsetCommit }),
    config,
  );
  await app.init();
  const consumer = app.get(AuditTrailConsumer);
  await consumer.ready();
  const dataSource = app.get<DataSource>(DATA_SOURCE);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
  };
  return {
    app,
    config,
    dataSource,
    consumer,
    schema,
    consumerName,
    http: () => app.getHttpServer(),
    entryCount: async () => (await dataSource.query(`SELECT count(*)::int AS n FROM audit_entries`))[0].n,
    stop,
    close: async () => {
      await stop();
      const cleanup = new DataSource({ type: 'postgres', url: testDatabaseUrl() });
      await cleanup.initialize();
      await cleanup.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await cleanup.destroy();
    },
  };
}

/** A producing service in miniature: its own schema, a transactional outbox and the relay publishing it. */
export class TestProducer {
  readonly outbox = new Outbox();
  private constructor(
    readonly dataSource: DataSource,
    private readonly bus: KafkaBus,
    private readonly publisher: MessagePublisher,
    private readonly relay: OutboxRelay,
    private readonly schema: string,
  ) {}

  static async start(): Promise<TestProducer> {
    const schema = uniqueName('audit_producer');
    const dataSource = await openServiceDataSource({ url: testDatabaseUrl(), schema, migrations: [MessagingTables1764000000000] });
    const bus = new KafkaBus({ clientId: 'audit-test-producer', brokers: testBrokers() });
    const publisher = await bus.publisher();
    const relay = new OutboxRelay(dataSource, publisher, { idleDelayMs: 20 });
    relay.start();
    return new TestProducer(dataSource, bus, publisher, relay, schema);
  }

  /** Commits the events in one transaction (as a command would) and waits until the relay published them. */
  async emit(...messages: { topic: string; envelope: EventEnvelope }[]): Promise<void> {
    await this.dataSource.transaction((manager) => this.outbox.add(manager, ...messages));
    await eventually(async () => (await this.dataSource.transaction((m) => this.outbox.pendingCount(m))) === 0, 30000, 'outbox drained');
  }

  /** Bypasses the outbox: what a misbehaving producer or a redelivery puts on the wire. */
  async raw(topic: string, key: string, value: string, headers: Record<string, string> = {}): Promise<void> {
    await this.publisher.publish([{ topic, key, value, headers }]);
  }

  async duplicate(topic: string, envelope: EventEnvelope): Promise<void> {
    await this.raw(topic, envelope.aggregateId, JSON.stringify(envelope), headersFor(envelope));
  }

  /** Reads a topic from the beginning with a throw-away group. */
  async collect(topic: string): Promise<{ records: IncomingRecord[]; subscription: Subscription }> {
    const records: IncomingRecord[] = [];
    const subscription = await this.bus.subscribe({ groupId: uniqueName('audit_reader'), topics: [topic], fromBeginning: true }, async (batch) => {
      records.push(...batch);
      return batch[batch.length - 1].offset;
    });
    return { records, subscription };
  }

  async close(): Promise<void> {
    await this.relay.stop();
    await this.bus.close();
    await this.dataSource.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
    await this.dataSource.destroy();
  }
}

export async function tokens() {
  const sign = (claims: Record<string, unknown>) => signToken(claims as never, JWT_SECRET, '15m');
  return {
    anct: await sign({ subject: 'auditor-anct', role: 'anct' }),
    prefecture59: await sign({ subject: 'pref-59', role: 'prefecture', departments: ['59'] }),
    prefecture974: await sign({ subject: 'pref-974', role: 'prefecture', departments: ['974'] }),
    prefectureBoth: await sign({ subject: 'pref-59-974', role: 'prefecture', departments: ['59', '974'] }),
    bdt: await sign({ subject: 'bdt-1', role: 'bdt' }),
    structure: await sign({ subject: 'structure-user', role: 'structure', structureId: 's-1' }),
    provider: await sign({ subject: 'lot-3', role: 'training_provider', lot: 3 }),
  };
}
