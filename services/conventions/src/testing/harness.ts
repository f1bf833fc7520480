import { INestApplication } from '@nestjs/common';
import { signToken } from '@cnfs/auth';
import {
  CoselecDecisionRecordedV1,
  EventContext,
  EventEnvelope,
  LEGAL_STATUSES,
  StructureRegisteredV1,
  StructureStatusChangedV1,
  TOPICS,
} from '@cnfs/contracts';
import { headersFor, IncomingRecord, KafkaBus, MessagePublisher, Subscription } from '@cnfs/messaging';
import { createServiceApp, DATA_SOURCE, ManualClock } from '@cnfs/service-kit';
import { testBrokers, testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { API_DESCRIPTION, ConventionsModule } from '../app.module';
import { ConventionsConfig, loadConventionsConfig } from '../config';
import { NaturalEndJob } from '../contracts/natural-end.job';

const JWT_SECRET = 'conventions-integration-tests-secret-0123456789';

/** The conventions service on the real PostgreSQL and Kafka, in a schema of its own, driven by a ManualClock. */
export interface Harness {
  app: INestApplication;
  config: ConventionsConfig;
  clock: ManualClock;
  dataSource: DataSource;
  bus: KafkaBus;
  publisher: MessagePublisher;
  anct: string;
  http: () => ReturnType<typeof request>;
  token(claims: { role: 'structure'; structureId: string } | { role: 'prefecture'; departments: string[] } | { role: 'bdt' | 'training_provider' | 'anct' }): Promise<string>;
  naturalEnds: NaturalEndJob;
  close(): Promise<void>;
}

export async function startConventions(now: string, env: Record<string, string> = {}): Promise<Harness> {
  const config = loadConventionsConfig({
    DATABASE_URL: testDatabaseUrl(),
    KAFKA_BROKERS: testBrokers().join(','),
    JWT_SECRET,
    DB_SCHEMA: uniqueName('conventions'),
    STRUCTURES_CONSUMER_NAME: uniqueName('conventions_read_model'),
    LIFECYCLE_CONSUMER_NAME: uniqueName('conventions_lifecycle'),
    NATURAL_END_INTERVAL_MS: '0',
    LOG_LEVEL: 'error',
    ...env,
  });
  const clock = new ManualClock(new Date(now));
  const app = await createServiceApp(ConventionsModule.forRoot(config, clock), config, API_DESCRIPTION);
  await app.init();
  const bus = new KafkaBus({ clientId: uniqueName('conventions_test'), brokers: config.kafkaBrokers });
  const publisher = await bus.publisher();
  const anct = await signToken({ subject: 'agent-anct', role: 'anct' }, JWT_SECRET, '2h');
  let serial = 0;
  return {
    app,
    config,
    clock,
    dataSource: app.get<DataSource>(DATA_SOURCE),
    bus,
    publisher,
    anct,
    http: () => request(app.getHttpServer()),
    token: (claims) => signToken({ subject: `${claims.role}-${++serial}`, ...claims } as never, JWT_SECRET, '2h'),
    naturalEnds: app.get(NaturalEndJob),
    close: async () => {
      await publisher.close();
      await bus.close();
      await app.close();
    },
  };
}

const structuresActor: EventContext['actor'] = { kind: 'user', subject: 'agent-structures', role: 'anct' };

export interface TestStructure {
  structureId: string;
  departmentCode: string;
  legalStatus: (typeof LEGAL_STATUSES)[number];
}

/** Builds the structures service's events for a structure (the real contracts' definitions). */
export function structureEvents(
  options: { structureId?: string; departmentCode?: string; legalStatus?: 'PUBLIC' | 'PRIVATE'; grantedPosts?: number; opinion?: 'POSITIF' | 'NEGATIF'; decidedAt?: string },
  occurredAt: Date,
): { structure: TestStructure; registered: EventEnvelope; decision: EventEnvelope; status: EventEnvelope } {
  const structureId = options.structureId ?? randomUUID();
  const departmentCode = options.departmentCode ?? '59';
  const legalStatus = options.legalStatus ?? 'PUBLIC';
  const type = legalStatus === 'PUBLIC' ? 'COMMUNE' : 'ASSOCIATION';
  const context: EventContext = { actor: structuresActor, occurredAt, correlationId: `structure-${structureId}` };
  const grantedPosts = options.grantedPosts ?? 2;
  const opinion = options.opinion ?? 'POSITIF';
  const registered = StructureRegisteredV1.create(structureId, {
    structureId, siret: '21590350100017', siren: '215903501', name: `Structure ${structureId.slice(0, 8)}`, legalStatus, type, departmentCode,
    qpv: true, zrr: false, requestedPosts: Math.max(1, grantedPosts),
  }, context);
  const decision = CoselecDecisionRecordedV1.create(structureId, {
    structureId, decisionId: randomUUID(), opinion, grantedPosts: opinion === 'POSITIF' ? grantedPosts : 0, committeeNumber: 'COSELEC 12',
    decidedAt: options.decidedAt ?? '2021-02-15', phase: 1, effectiveQuota: opinion === 'POSITIF' ? { posts: grantedPosts, phase: 1 } : null,
    legalStatus, type, departmentCode, qpv: true, zrr: false,
  }, context);
  const status = StructureStatusChangedV1.create(structureId, {
    structureId, departmentCode, from: 'CREEE', to: opinion === 'POSITIF' ? 'VALIDATION_COSELEC' : 'REFUS_COSELEC',
  }, context);
  return { structure: { structureId, departmentCode, legalStatus }, registered, decision, status };
}

/** Publishes events on their topic as the structures service's relay would (JSON envelope, keyed by aggregate). */
export async function publish(h: Harness, ...envelopes: EventEnvelope[]): Promise<void> {
  await h.publisher.publish(
    envelopes.map((envelope) => ({ topic: TOPICS.structures, key: envelope.aggregateId, value: JSON.stringify(envelope), headers: headersFor(envelope) })),
  );
}

/** A structure registered with a positive coselec decision, as seen by this service's read model. */
export async function givenStructure(
  h: Harness,
  options: Parameters<typeof structureEvents>[0] = {},
): Promise<TestStructure> {
  const { structure, registered, decision, status } = structureEvents(options, h.clock.now());
  await publish(h, registered, decision, status);
  await eventually(async () => {
    const [row] = await h.dataSource.query(`SELECT status, phase1_quota FROM structures WHERE structure_id = $1`, [structure.structureId]);
    return row && row.status !== 'CREEE' ? row : undefined;
  }, 30_000);
  return structure;
}

export async function eventually<T>(probe: () => Promise<T | undefined | false | null> | T | undefined | false | null, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A convention validated with its posts, for tests that start from there. */
export async function givenValidatedConvention(h: Harness, structure: TestStructure, body: Record<string, unknown> = {}): Promise<{ id: string; postIds: string[] }> {
  const created = await h
    .http()
    .post('/api/v1/conventions')
    .set('Authorization', `Bearer ${h.anct}`)
    .send({ structureId: structure.structureId, phase: 1, startDate: '2021-03-01', ...body })
    .expect(201);
  await h.http().post(`/api/v1/conventions/${created.body.id}/validation`).set('Authorization', `Bearer ${h.anct}`).send({ signedAt: '2021-02-20' }).expect(200);
  const posts = await h.http().get(`/api/v1/posts?conventionId=${created.body.id}`).set('Authorization', `Bearer ${h.anct}`).expect(200);
  return { id: created.body.id, postIds: posts.body.items.map((p: { id: string }) => p.id) };
}

let people = 0;
export function contractBody(structureId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  people += 1;
  return {
    structureId,
    conseiller: { firstName: 'Awa', lastName: `Diallo ${people}`, email: `conseiller.${people}.${randomUUID().slice(0, 8)}@example.org`, birthDate: '1994-05-12' },
    type: 'CDD',
    startDate: '2021-04-01',
    endDate: '2022-09-30',
    grossMonthlySalaryCents: 170_000,
    ...overrides,
  };
}

/** Counts of what the service wrote, to prove a refused request wrote nothing. */
export async function footprint(h: Harness): Promise<Record<string, number>> {
  const [row] = await h.dataSource.query(`
    SELECT (SELECT count(*)::int FROM contracts) AS contracts,
           (SELECT count(*)::int FROM conseillers) AS conseillers,
           (SELECT count(*)::int FROM posts WHERE status = 'OCCUPE') AS occupied,
           (SELECT count(*)::int FROM posts) AS posts,
           (SELECT count(*)::int FROM conventions) AS conventions,
           (SELECT count(*)::int FROM amendments) AS amendments,
           (SELECT count(*)::int FROM outbox) AS events`);
  return row;
}

/** Collects the platform's records of some topics from the beginning (filtering is the caller's). */
export async function collect(bus: KafkaBus, topics: string[]): Promise<{ records: IncomingRecord[]; subscription: Subscription }> {
  const records: IncomingRecord[] = [];
  const subscription = await bus.subscribe({ groupId: uniqueName('conventions_collector'), topics, fromBeginning: true }, async (batch) => {
    records.push(...batch);
    return batch[batch.length - 1].offset;
  });
  return { records, subscription };
}
