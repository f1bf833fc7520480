import { INestApplication, Module } from '@nestjs/common';
import request from 'supertest';
import { signToken } from '@cnfs/auth';
import { ContractSignedV1, ConventionValidatedV1, EventDefinition, EventEnvelope, TOPICS } from '@cnfs/contracts';
import { headersFor, KafkaBus, MessagePublisher } from '@cnfs/messaging';
import { createServiceApp, ManualClock } from '@cnfs/service-kit';
import { testBrokers, testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { SubsidiesModule } from '../app.module';
import { loadSubsidiesConfig, SubsidiesConfig, SubsidiesSettings } from '../config';
import { SubsidiesCore } from '../core/core';
import { SubsidyJobs } from '../jobs/subsidy-jobs';

const SECRET = 'subsidies-test-secret-long-enough-for-hs256';

/**
 * The subsidies service on the real stack for one test file: its own schema, its own consumer
 * groups, a ManualClock, no job timer. Events of the other contexts are produced onto the
 * platform topics with the contracts' definitions, as the conventions and training services would.
 */
export class SubsidiesHarness {
  app!: INestApplication;
  config!: SubsidiesConfig;
  clock!: ManualClock;
  dataSource!: DataSource;
  jobs!: SubsidyJobs;
  private bus!: KafkaBus;
  private publisher!: MessagePublisher;
  readonly tokens: Record<string, string> = {};

  static async start(now: string, settings: Partial<SubsidiesSettings> = {}): Promise<SubsidiesHarness> {
    const h = new SubsidiesHarness();
    const schema = uniqueName('subsidies');
    h.config = loadSubsidiesConfig(
      { DATABASE_URL: testDatabaseUrl(), KAFKA_BROKERS: testBrokers().join(','), JWT_SECRET: SECRET, DB_SCHEMA: schema },
      { jobIntervalMs: 0, consumerGroupPrefix: uniqueName('subsidies_test'), ...settings },
    );
    h.clock = new ManualClock(new Date(now));
    await startGroupsAtTheEnd(h.config.subsidies.consumerGroupPrefix);
    @Module({ imports: [SubsidiesModule.forRoot(h.config, h.clock)] })
    class TestSubsidiesModule {}
    h.app = await createServiceApp(TestSubsidiesModule, h.config);
    await h.app.init();
    h.dataSource = h.app.get(SubsidiesCore).dataSource;
    h.jobs = h.app.get(SubsidyJobs);
    h.bus = new KafkaBus({ clientId: 'subsidies-test-producer', brokers: testBrokers() });
    h.publisher = await h.bus.publisher();
    return h;
  }

  async stop(): Promise<void> {
    await this.publisher?.close();
    await this.bus?.close();
    await this.app?.close();
    // The test's schema goes with it.
    const { DataSource: Plain } = await import('typeorm');
    const admin = new Plain({ type: 'postgres', url: testDatabaseUrl() });
    await admin.initialize();
    await admin.query(`DROP SCHEMA IF EXISTS "${this.config.schema}" CASCADE`).finally(() => admin.destroy());
  }

  async token(claims: { role: string; subject?: string; departments?: string[]; structureId?: string }): Promise<string> {
    const key = JSON.stringify(claims);
    this.tokens[key] ??= await signToken({ subject: claims.subject ?? `${claims.role}-test`, ...claims } as never, SECRET, '1h');
    return this.tokens[key];
  }

  http() {
    return request(this.app.getHttpServer());
  }

  /** Produces events onto their platform topics, as their own service's relay would. */
  async produce(...envelopes: { definition: EventDefinition<unknown>; envelope: EventEnvelope }[]): Promise<void> {
    await this.publisher.publish(
      envelopes.map(({ definition, envelope }) => ({ topic: definition.topic, key: envelope.aggregateId, value: JSON.stringify(envelope), headers: headersFor(envelope) })),
    );
  }

  event<P>(definition: EventDefinition<P>, aggregateId: string, payload: P, actor: EventEnvelope['actor'] = { kind: 'user', subject: 'agent-test', role: 'anct' }) {
    return { definition: definition as EventDefinition<unknown>, envelope: definition.create(aggregateId, payload, { actor, occurredAt: this.clock.now() }) as EventEnvelope };
  }

  async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.dataSource.query(sql, params);
  }

  /** Events this service wrote to its outbox, optionally of one type. */
  async outbox(type?: string): Promise<EventEnvelope[]> {
    const rows = await this.query<{ envelope: string }>(`SELECT envelope FROM outbox ${type ? 'WHERE event_type = $1' : ''} ORDER BY id`, type ? [type] : []);
    return rows.map((r) => JSON.parse(r.envelope));
  }

  /** Waits until the inbox processed these messages (by id). */
  async consumed(...messageIds: string[]): Promise<void> {
    await eventually(async () => {
      const [{ n }] = await this.query(`SELECT count(*)::int AS n FROM inbox WHERE message_id = ANY($1::uuid[])`, [messageIds]);
      return n === messageIds.length ? true : undefined;
    }, 60_000);
  }

  advanceDays(days: number): void {
    this.clock.advance(days * 86_400_000);
  }
}

/**
 * The platform topics are shared by every test run; a new consumer group would replay their whole
 * history. The groups of this harness start at the end of their topics instead (their committed
 * offsets are set before they join), so they see the events the test produces, and only those.
 */
async function startGroupsAtTheEnd(prefix: string): Promise<void> {
  const groups: Record<string, string[]> = {
    [`${prefix}.conventions`]: [TOPICS.conventions],
    [`${prefix}.contracts`]: [TOPICS.contracts],
    [`${prefix}.training`]: [TOPICS.training],
    [`${prefix}.renewal-requests`]: [TOPICS.lifecycle],
  };
  const admin = new Kafka({ clientId: 'subsidies-test-admin', brokers: testBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    // In parallel: each new group waits a few seconds for its coordinator.
    await Promise.all(
      Object.entries(groups).flatMap(([groupId, topics]) =>
        topics.map(async (topic) => {
          const offsets = await admin.fetchTopicOffsets(topic);
          await admin.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
        }),
      ),
    );
  } finally {
    await admin.disconnect();
  }
}

export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Valid IBANs (mod 97) for tests. */
export const IBANS = ['FR7630006000011234567890189', 'FR1420041010050500013M02606', 'FR1210907000010000000000123', 'FR8540031000010000000000456'];

let serial = 0;
/** Ids unique to this run, readable in failures. */
export function uid(prefix: string): string {
  serial += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${serial}`;
}

export interface ConventionSetup {
  conventionId: string;
  structureId: string;
  postIds: string[];
  contractIds: string[];
  messageIds: string[];
}

/**
 * A validated convention (produced as the conventions service would) and, when `occupiedOn` is
 * given, a contract signed on each of its posts; waits until this service consumed them.
 */
export async function validatedConvention(
  h: SubsidiesHarness,
  o: {
    departmentCode: string; legalStatus?: 'PUBLIC' | 'PRIVATE'; posts?: number; signedAt: string; startDate?: string; occupiedOn?: string;
    qpv?: boolean; zrr?: boolean; phase?: 1 | 2; structureId?: string;
  },
): Promise<ConventionSetup> {
  const conventionId = uid('conv');
  const structureId = o.structureId ?? uid('struct');
  const postIds = Array.from({ length: o.posts ?? 1 }, () => uid('post'));
  const startDate = o.startDate ?? o.signedAt;
  const events = [
    h.event(ConventionValidatedV1, conventionId, {
      conventionId, structureId, phase: o.phase ?? 1, posts: postIds.length, postIds, signedAt: o.signedAt, startDate,
      financedUntil: '2099-12-31', endDate: '2099-12-31', renewsConventionId: null,
      structure: { legalStatus: o.legalStatus ?? 'PUBLIC', type: o.legalStatus === 'PRIVATE' ? 'ASSOCIATION' : 'COMMUNE', departmentCode: o.departmentCode, qpv: o.qpv ?? false, zrr: o.zrr ?? false },
    }),
  ];
  const contractIds: string[] = [];
  if (o.occupiedOn) {
    for (const postId of postIds) {
      const contractId = uid('contract');
      contractIds.push(contractId);
      events.push(
        h.event(ContractSignedV1, contractId, {
          contractId, structureId, conventionId, postId, departmentCode: o.departmentCode, legalStatus: o.legalStatus ?? 'PUBLIC', contractType: 'CDD',
          startDate: o.occupiedOn, endDate: '2099-12-31', renewsContractId: null,
          conseiller: { id: uid('cn'), firstName: 'Awa', lastName: 'Diallo', email: 'awa.diallo@example.org' },
        }) as never,
      );
    }
  }
  await h.produce(...events);
  const messageIds = events.map((e) => e.envelope.messageId);
  await h.consumed(...messageIds);
  return { conventionId, structureId, postIds, contractIds, messageIds };
}

/** The tranches of a post, in order. */
export async function tranchesOf(h: SubsidiesHarness, postId: string) {
  return h.query(`SELECT * FROM tranche_states WHERE post_id = $1 ORDER BY seq`, [postId]);
}
