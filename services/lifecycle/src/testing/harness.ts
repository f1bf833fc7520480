import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { signToken } from '@cnfs/auth';
import { EventContext, EventDefinition, EventEnvelope, TOPICS } from '@cnfs/contracts';
import { headersFor, IncomingRecord, KafkaBus, MessagePublisher, Subscription } from '@cnfs/messaging';
import { createServiceApp, DATA_SOURCE, loadServiceConfig, ManualClock, ServiceConfig } from '@cnfs/service-kit';
import { testBrokers, testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { DataSource } from 'typeorm';
import { API_DESCRIPTION, LifecycleModule } from '../app.module';
import { LifecycleSettings } from '../config';
import { DeadlineRunner } from '../deadlines/deadline-runner';

export const JWT_SECRET = 'lifecycle-integration-tests-secret-0123456789';

export interface LifecycleHarness {
  app: INestApplication;
  config: ServiceConfig;
  dataSource: DataSource;
  deadlines: DeadlineRunner;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/** The lifecycle service's consumer groups and their topics (see consumers.ts). */
export const lifecycleGroups = (prefix: string) => ({
  [`${prefix}.contracts`]: [TOPICS.contracts],
  [`${prefix}.conventions`]: [TOPICS.conventions],
  [`${prefix}.structures`]: [TOPICS.structures],
  [`${prefix}.subsidies`]: [TOPICS.subsidies],
  [`${prefix}.training`]: [TOPICS.training],
});

/**
 * Starts new consumer groups at the current end of their topics instead of their beginning. The shared test broker
 * keeps every run's events forever: a service under test replaying them would follow every other test's contracts
 * (and, moving its clock, fire their deadlines and publish for them). Only for groups that never committed.
 */
export async function skipHistory(groups: Record<string, string[]>): Promise<void> {
  const bus = new KafkaBus({ clientId: uniqueName('lifecycle_test_admin'), brokers: testBrokers() });
  const admin = bus.raw().admin();
  await admin.connect();
  try {
    for (const [groupId, topics] of Object.entries(groups)) {
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
      }
    }
  } finally {
    await admin.disconnect();
    await bus.close();
  }
}

/**
 * The lifecycle service on the real PostgreSQL and Kafka. Give the same `schema` and
 * `consumerPrefix` to start it again on the same state (a restart); the clock is the caller's.
 * A new instance reads the platform topics from their current end (`replayHistory` to read them all).
 */
export async function startLifecycle(
  clock: ManualClock,
  options: { schema?: string; consumerPrefix?: string; settings?: Partial<LifecycleSettings>; replayHistory?: boolean } = {},
): Promise<LifecycleHarness & { schema: string; consumerPrefix: string }> {
  const schema = options.schema ?? uniqueName('lifecycle');
  const consumerPrefix = options.consumerPrefix ?? uniqueName('lifecycle_test');
  if (!options.consumerPrefix && !options.replayHistory) await skipHistory(lifecycleGroups(consumerPrefix));
  const config = loadServiceConfig('lifecycle', { port: 0 }, {
    DATABASE_URL: testDatabaseUrl(),
    KAFKA_BROKERS: testBrokers().join(','),
    JWT_SECRET,
    DB_SCHEMA: schema,
  });
  const app = await createServiceApp(LifecycleModule.forRoot(config, clock, { consumerGroupPrefix: consumerPrefix, ...options.settings }), config, API_DESCRIPTION);
  await app.init();
  return {
    app,
    config,
    schema,
    consumerPrefix,
    dataSource: app.get<DataSource>(DATA_SOURCE),
    deadlines: app.get(DeadlineRunner),
    http: () => request(app.getHttpServer()),
    close: () => app.close(),
  };
}

let serial = 0;
export function token(claims: { role: 'anct' | 'bdt' } | { role: 'prefecture'; departments: string[] } | { role: 'structure'; structureId: string }): Promise<string> {
  serial += 1;
  return signToken({ subject: `${claims.role}-${serial}`, ...claims } as never, JWT_SECRET, '2h');
}

/** Produces events on their platform topics, as their own service's relay would. */
export class Producer {
  private constructor(
    private readonly bus: KafkaBus,
    private readonly publisher: MessagePublisher,
  ) {}

  static async start(): Promise<Producer> {
    const bus = new KafkaBus({ clientId: uniqueName('lifecycle_test_producer'), brokers: testBrokers() });
    return new Producer(bus, await bus.publisher());
  }

  async send(...events: { definition: EventDefinition<unknown>; envelope: EventEnvelope }[]): Promise<void> {
    await this.publisher.publish(
      events.map(({ definition, envelope }) => ({ topic: definition.topic, key: envelope.aggregateId, value: JSON.stringify(envelope), headers: headersFor(envelope) })),
    );
  }

  async close(): Promise<void> {
    await this.publisher.close();
    await this.bus.close();
  }
}

/** An event as its service would write it; `cause` makes it a reaction to that message (same correlation). */
export function event<P>(definition: EventDefinition<P>, aggregateId: string, payload: P, occurredAt: Date, cause?: EventEnvelope) {
  const context: EventContext = cause
    ? { actor: { kind: 'system', job: 'test-reaction' }, occurredAt, correlationId: cause.correlationId, causationId: cause.messageId }
    : { actor: { kind: 'system', job: 'test' }, occurredAt };
  return { definition: definition as EventDefinition<unknown>, envelope: definition.create(aggregateId, payload, context) as EventEnvelope };
}

/** Reads what is published on topics from now on into memory (the caller filters by aggregate). */
export async function collect(topics: string[]): Promise<{ records: EventEnvelope[]; stop(): Promise<void> }> {
  const bus = new KafkaBus({ clientId: uniqueName('lifecycle_test_collector'), brokers: testBrokers() });
  const records: EventEnvelope[] = [];
  const groupId = uniqueName('lifecycle_collector');
  await skipHistory(Object.fromEntries([[groupId, topics]]));
  const subscription: Subscription = await bus.subscribe({ groupId, topics, fromBeginning: true }, async (batch: IncomingRecord[]) => {
    for (const r of batch) if (r.value) records.push(JSON.parse(r.value.toString('utf8')));
    return batch[batch.length - 1].offset;
  });
  return {
    records,
    stop: async () => {
      await subscription.stop();
      await bus.close();
    },
  };
}

export async function eventually<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
