/* The end-to-end test runs the real conventions and subsidies services in this process beside the lifecycle service
 * (each on its own schema, all on the shared broker and one ManualClock): it imports their modules and test helpers. */
/* eslint-disable @nx/enforce-module-boundaries -- the only place where services meet in one process: this end-to-end test starts the real conventions and subsidies apps. */
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { EventEnvelope, PrefectOpinionGivenV1, TOPICS } from '@cnfs/contracts';
import { headersFor, KafkaBus, MessagePublisher } from '@cnfs/messaging';
import { createServiceApp, DATA_SOURCE, ManualClock } from '@cnfs/service-kit';
import { testBrokers, testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConventionsModule } from '../../conventions/src/app.module';
import { loadConventionsConfig } from '../../conventions/src/config';
import { structureEvents } from '../../conventions/src/testing/harness';
import { SubsidiesModule } from '../../subsidies/src/app.module';
import { loadSubsidiesConfig } from '../../subsidies/src/config';
import { collect, eventually, JWT_SECRET, LifecycleHarness, skipHistory, startLifecycle, token } from './testing/harness';

/**
 * End to end, on the real stack: the conventions, subsidies and lifecycle Nest applications in this process, each
 * with its own schema, all on the shared Kafka broker and one ManualClock that the test moves. Two private-law CDDs
 * of 18 months (three here): each gets its three reminders at the right dates (read from Kafka); the lifecycle service
 * is closed and recreated between two deadlines; A is renewed as a CDI when its phase-2 subsidy is committed (visible
 * in the subsidies commitments and ledger); B's renewal meets an exhausted envelope and B ends naturally, nothing
 * committed; C's renewal is financed but cannot be recorded (its salary is below the minimum wage): C ends at its end
 * date and the saga's compensation releases the commitment in the subsidies service (tranches cancelled, reversing
 * entries), nothing committed left behind.
 */
jest.setTimeout(300_000);

describe('contract lifecycle end to end: conventions + subsidies + lifecycle on one clock', () => {
  const clock = new ManualClock(new Date('2021-02-20T09:00:00Z'));
  let conventions: INestApplication;
  let conventionsDb: DataSource;
  let subsidies: INestApplication;
  let lifecycle: LifecycleHarness & { schema: string; consumerPrefix: string };
  let bus: KafkaBus;
  let publisher: MessagePublisher;
  let lifecycleTopic: Awaited<ReturnType<typeof collect>>;
  let anct: string;
  let structureToken: string;

  const structureId = randomUUID();
  let conventionId: string;
  let kA: { id: string; postId: string };
  let kB: { id: string; postId: string };
  let kC: { id: string; postId: string };
  const all = () => [kA, kB, kC];

  const auth = (bearer: string) => ({ Authorization: `Bearer ${bearer}` });
  const at = (iso: string) => clock.set(new Date(iso));
  const sagaStatus = async (contractId: string) => (await lifecycle.dataSource.query(`SELECT status FROM sagas WHERE contract_id = $1`, [contractId]))[0]?.status;
  const waitSaga = (contractId: string, status: string) => eventually(async () => (await sagaStatus(contractId)) === status, 90_000, `saga ${contractId} ${status}`);
  const contractOf = async (id: string) => (await request(conventions.getHttpServer()).get(`/api/v1/contracts/${id}`).set(auth(anct)).expect(200)).body;
  /** The lifecycle topic's events of a contract, as read from Kafka. */
  const lifecycleEvents = (contractId: string, type?: string) =>
    lifecycleTopic.records.filter((e: EventEnvelope) => e.aggregateId === contractId && (!type || e.type === type));
  const reminders = (contractId: string) =>
    lifecycleEvents(contractId, 'lifecycle.ContractExpiryApproaching').map((e) => [e.occurredAt.slice(0, 10), (e.payload as { monthsBeforeEnd: number }).monthsBeforeEnd]);

  async function publish(...envelopes: EventEnvelope[]): Promise<void> {
    await publisher.publish(envelopes.map((e) => ({ topic: TOPICS.structures, key: e.aggregateId, value: JSON.stringify(e), headers: headersFor(e) })));
  }

  beforeAll(async () => {
    const env = { DATABASE_URL: testDatabaseUrl(), KAFKA_BROKERS: testBrokers().join(','), JWT_SECRET };
    // Every service reads the platform topics from their current end: this test's events only, not every other
    // run's (the shared broker keeps them all).
    const names = { structures: uniqueName('e2e_conv_structures'), lifecycle: uniqueName('e2e_conv_lifecycle'), subsidies: uniqueName('e2e_subsidies') };
    await skipHistory({
      [names.structures]: [TOPICS.structures],
      [names.lifecycle]: [TOPICS.lifecycle],
      [`${names.subsidies}.conventions`]: [TOPICS.conventions],
      [`${names.subsidies}.contracts`]: [TOPICS.contracts],
      [`${names.subsidies}.training`]: [TOPICS.training],
      [`${names.subsidies}.renewal-requests`]: [TOPICS.lifecycle],
    });
    const conventionsConfig = loadConventionsConfig({
      ...env, DB_SCHEMA: uniqueName('e2e_conventions'), STRUCTURES_CONSUMER_NAME: names.structures, LIFECYCLE_CONSUMER_NAME: names.lifecycle, NATURAL_END_INTERVAL_MS: '0',
    });
    conventions = await createServiceApp(ConventionsModule.forRoot(conventionsConfig, clock), conventionsConfig);
    await conventions.init();
    conventionsDb = conventions.get<DataSource>(DATA_SOURCE);
    const subsidiesConfig = loadSubsidiesConfig({ ...env, DB_SCHEMA: uniqueName('e2e_subsidies') }, { jobIntervalMs: 0, consumerGroupPrefix: names.subsidies });
    subsidies = await createServiceApp(SubsidiesModule.forRoot(subsidiesConfig, clock), subsidiesConfig);
    await subsidies.init();
    // The lifecycle service polls its deadlines (default interval), woken when the clock moves.
    lifecycle = await startLifecycle(clock);
    bus = new KafkaBus({ clientId: uniqueName('e2e_producer'), brokers: testBrokers() });
    publisher = await bus.publisher();
    lifecycleTopic = await collect([TOPICS.lifecycle]);
    anct = await token({ role: 'anct' });
    structureToken = await token({ role: 'structure', structureId });
  }, 120_000);

  afterAll(async () => {
    await lifecycleTopic?.stop();
    await publisher?.close();
    await bus?.close();
    await lifecycle?.close();
    await subsidies?.close();
    await conventions?.close();
  });

  it('a private-law structure, its validated convention and three CDDs of 18 months: a saga each', async () => {
    const { registered, decision, status } = structureEvents({ structureId, legalStatus: 'PRIVATE', grantedPosts: 3, departmentCode: '59' }, clock.now());
    await publish(registered, decision, status);
    await eventually(async () => (await conventionsDb.query(`SELECT status FROM structures WHERE structure_id = $1`, [structureId]))[0]?.status === 'VALIDATION_COSELEC', 60_000, 'structure');
    const http = () => request(conventions.getHttpServer());
    conventionId = (await http().post('/api/v1/conventions').set(auth(anct)).send({ structureId, phase: 1, startDate: '2021-03-01' }).expect(201)).body.id;
    await http().post(`/api/v1/conventions/${conventionId}/validation`).set(auth(anct)).send({ signedAt: '2021-02-20' }).expect(200);

    at('2021-06-25T09:00:00Z');
    const sign = async (n: number) =>
      (await http().post('/api/v1/contracts').set(auth(anct)).send({
        structureId, type: 'CDD', startDate: '2021-07-01', endDate: '2022-12-31', grossMonthlySalaryCents: 180_000,
        conseiller: { firstName: 'Awa', lastName: `Diallo ${n}`, email: `e2e.${n}.${randomUUID().slice(0, 8)}@example.org`, birthDate: '1994-05-12' },
      }).expect(201)).body;
    kA = await sign(1);
    kB = await sign(2);
    kC = await sign(3);
    for (const k of all()) {
      await waitSaga(k.id, 'ACTIVE');
      await eventually(async () => (await lifecycle.http().get(`/api/v1/contracts/${k.id}/lifecycle`).set(auth(anct))).body.facts?.conventionKnown, 60_000, 'convention known');
    }
    const view = (await lifecycle.http().get(`/api/v1/contracts/${kA.id}/lifecycle`).set(auth(structureToken)).expect(200)).body;
    expect(view).toMatchObject({ status: 'ACTIVE', facts: { contractType: 'CDD', legalStatus: 'PRIVATE', followUntil: '2022-12-31', qpv: true }, nextDeadline: { kind: 'REMINDER_6M', dueAt: '2022-06-30T00:00:00.000Z' } });
  });

  /** Moves the clock to just before a reminder (nothing), then to its day (the reminder, on Kafka). */
  async function reminderDay(day: string, months: number): Promise<void> {
    at(`${minusMinute(day)}`);
    // the poller ran at this time (the clock woke it) and left the reminder pending
    await eventually(async () => {
      const [row] = await lifecycle.dataSource.query(`SELECT count(*)::int AS n FROM deadlines WHERE owner = ANY($1) AND kind = $2 AND fired_at IS NULL`, [all().map((k) => k.id), `REMINDER_${months}M`]);
      return row.n === 3;
    });
    at(`${day}T00:00:00Z`);
    for (const k of all()) await eventually(() => reminders(k.id).some(([, m]) => m === months), 90_000, `${months}-month reminder of ${k.id}`);
  }

  it('sends the 6-month reminder on 30 June 2022, then — the lifecycle service closed and recreated meanwhile — the 3-month one on 30 September', async () => {
    await reminderDay('2022-06-30', 6);
    expect(reminders(kA.id)).toEqual([['2022-06-30', 6]]);

    await lifecycle.close();
    lifecycle = await startLifecycle(clock, { schema: lifecycle.schema, consumerPrefix: lifecycle.consumerPrefix });
    await reminderDay('2022-09-30', 3);
    for (const k of all()) expect(reminders(k.id)).toEqual([['2022-06-30', 6], ['2022-09-30', 3]]);
  });

  it('takes the renewal intents (a private-law CDD cannot go beyond 18 months: a CDI), the préfet’s opinion, and the 1-month reminder on 30 November', async () => {
    at('2022-10-03T09:00:00Z');
    const intent = (id: string, body: object) => lifecycle.http().post(`/api/v1/renewals/${id}/intent`).set(auth(structureToken)).send(body);
    const refused = await intent(kA.id, { intent: 'RENEW', contractType: 'CDD', endDate: '2023-12-31', grossMonthlySalaryCents: 185_000 }).expect(422);
    expect(refused.body.detail).toMatch(/private-law CDD cannot be extended beyond 18 months .*another contract form, e\.g\. a CDI/);
    for (const k of [kA, kB]) await intent(k.id, { intent: 'RENEW', contractType: 'CDI', grossMonthlySalaryCents: 185_000 }).expect(200);
    // C's renewed contract is proposed below the minimum wage: the conventions service will refuse to record it
    await intent(kC.id, { intent: 'RENEW', contractType: 'CDI', grossMonthlySalaryCents: 90_000 }).expect(200);
    await publish(PrefectOpinionGivenV1.create(structureId, {
      structureId, opinionId: randomUUID(), departmentCode: '59', opinion: 'favorable', comment: 'Structure active sur le territoire, avis favorable',
    }, { actor: { kind: 'user', subject: 'prefet-59', role: 'prefecture', departments: ['59'] }, occurredAt: clock.now() }));
    for (const k of all()) {
      await eventually(async () => (await lifecycle.http().get(`/api/v1/contracts/${k.id}/lifecycle`).set(auth(anct))).body.renewal?.prefectOpinion?.opinion === 'favorable', 60_000, 'opinion');
    }
    await reminderDay('2022-11-30', 1);
    for (const k of all()) expect(reminders(k.id)).toEqual([['2022-06-30', 6], ['2022-09-30', 3], ['2022-11-30', 1]]);
  });

  it('renews A when ANCT approves: the phase-2 subsidy is committed (commitments and ledger), the renewed CDI recorded by the conventions service', async () => {
    at('2022-12-05T09:00:00Z');
    for (const k of [kA, kC]) await lifecycle.http().post(`/api/v1/renewals/${k.id}/decision`).set(auth(anct)).send({ approved: true, reason: 'COSELEC 41 — renouvellement' }).expect(200);
    await waitSaga(kA.id, 'RENEWED');
    await waitSaga(kC.id, 'RENEWAL_FINANCED');

    const renewedA = await contractOf(kA.id);
    expect(renewedA).toMatchObject({ status: 'RENOUVELE', endedOn: '2022-12-31' });
    const [next] = await conventionsDb.query(`SELECT id, type, start_date, end_date, post_id, status FROM contracts WHERE renews_contract_id = $1`, [kA.id]);
    expect(next).toMatchObject({ type: 'CDI', start_date: '2023-01-01', end_date: null, post_id: kA.postId, status: 'ACTIF' });

    const subsidiesHttp = () => request(subsidies.getHttpServer());
    const commitments = (await subsidiesHttp().get(`/api/v1/commitments?postId=${kA.postId}&phase=2`).set(auth(anct)).expect(200)).body.items;
    expect(commitments).toEqual([expect.objectContaining({ phase: 2, amountCents: 4_400_000, committedCents: 4_400_000, source: 'RENEWAL_REQUEST', requestId: `renewal-${kA.id}`, budgetEnvelopeId: 'renouvellement-2023', signedOn: '2022-12-05', startOn: '2023-01-01' })]);
    const journals = (await subsidiesHttp().get(`/api/v1/ledger/journals?kind=COMMIT&structureId=${structureId}&envelopeId=renouvellement-2023`).set(auth(anct)).expect(200)).body.items;
    const journal = journals.find((j: { businessKey: string }) => j.businessKey === `COMMIT:${commitments[0].id}`);
    expect(journal.entries.map((e: { amountCents: number }) => e.amountCents).sort((a: number, b: number) => a - b)).toEqual([-4_400_000, 4_400_000]);

    // the saga's story, message by message
    const a = (await lifecycle.http().get(`/api/v1/contracts/${kA.id}/lifecycle`).set(auth(anct)).expect(200)).body;
    expect(a.history.map((e: { message: string; to: string }) => `${e.message}→${e.to}`).slice(-3)).toEqual([
      'RenewalDecided→RENEWAL_APPROVED', 'FinancingCommitted→RENEWAL_FINANCED', 'ContractRenewed→RENEWED',
    ]);
    expect(a.pendingDeadlines).toEqual([]);
    expect(lifecycleEvents(kA.id).map((e) => e.type)).toEqual(expect.arrayContaining(['lifecycle.RenewalRequested', 'subsidies.RenewalCommitmentRequested', 'lifecycle.RenewalFinanced']));
    // the renewed CDI has a saga of its own, financed by the renewal for 36 months
    await waitSaga(next.id, 'ACTIVE');
    expect((await lifecycle.http().get(`/api/v1/contracts/${next.id}/lifecycle`).set(auth(anct))).body.facts).toMatchObject({ financing: 'RENEWAL', followUntil: '2025-12-31' });
  });

  it('rejects B’s renewal when its envelope is exhausted, and B ends naturally at its end date, nothing committed', async () => {
    at('2022-12-06T09:00:00Z');
    const tiny = `tiny-${Date.now().toString(36)}`;
    await request(subsidies.getHttpServer()).post('/api/v1/budget-envelopes').set(auth(anct)).send({
      id: tiny, name: 'Petite enveloppe de renouvellement', phase: 2, opensOn: '2022-12-06', priority: 0, fundings: [{ label: 'Reliquat', amountCents: 100_000 }],
    }).expect(201);
    await lifecycle.http().post(`/api/v1/renewals/${kB.id}/decision`).set(auth(anct)).send({ approved: true, reason: 'COSELEC 41 — renouvellement' }).expect(200);
    await waitSaga(kB.id, 'NOT_RENEWED');
    await eventually(() => lifecycleEvents(kB.id, 'lifecycle.RenewalRejected').length > 0, 60_000, 'RenewalRejected on Kafka');
    expect(lifecycleEvents(kB.id, 'lifecycle.RenewalRejected')[0].payload).toMatchObject({ stage: 'FINANCING', reason: expect.stringMatching(/ENVELOPE_EXHAUSTED/) });
    const subsidiesHttp = () => request(subsidies.getHttpServer());
    expect((await subsidiesHttp().get(`/api/v1/commitments?postId=${kB.postId}&phase=2`).set(auth(anct)).expect(200)).body.items).toEqual([]);
    const refusals = (await subsidiesHttp().get(`/api/v1/commitments/refusals?structureId=${structureId}`).set(auth(anct)).expect(200)).body.items;
    expect(refusals).toEqual([expect.objectContaining({ postId: kB.postId, phase: 2, reason: 'ENVELOPE_EXHAUSTED', budgetEnvelopeId: tiny, requestId: `renewal-${kB.id}` })]);

    // C was financed (the same day as A) but the conventions service refused to record its renewal
    const [financedC] = lifecycleEvents(kC.id, 'lifecycle.RenewalFinanced');
    await eventually(async () => (await conventionsDb.query(`SELECT 1 FROM inbox WHERE message_id = $1`, [financedC.messageId])).length === 1, 60_000, 'RenewalFinanced of C consumed');
    expect(await sagaStatus(kC.id)).toBe('RENEWAL_FINANCED');
    expect(await contractOf(kC.id)).toMatchObject({ status: 'ACTIF' });
    const [commitmentC] = (await subsidiesHttp().get(`/api/v1/commitments?postId=${kC.postId}&phase=2`).set(auth(anct)).expect(200)).body.items;
    expect(commitmentC).toMatchObject({ committedCents: 4_400_000, requestId: `renewal-${kC.id}` });

    // 1 January 2023: B's and C's end dates are over; the saga announces their ends, the conventions service ends them
    at('2023-01-01T00:00:00Z');
    await waitSaga(kB.id, 'ENDED');
    expect(await contractOf(kB.id)).toMatchObject({ status: 'TERMINE', endedOn: '2022-12-31' });
    expect(lifecycleEvents(kB.id, 'lifecycle.ContractEndDue').map((e) => e.payload)).toEqual([{ contractId: kB.id, structureId, departmentCode: '59', endDate: '2022-12-31' }]);
    // A was renewed: nothing announced for it
    expect(lifecycleEvents(kA.id, 'lifecycle.ContractEndDue')).toEqual([]);
    expect(await sagaStatus(kA.id)).toBe('RENEWED');
    const views = (await lifecycle.http().get(`/api/v1/renewals?structureId=${structureId}`).set(auth(structureToken)).expect(200)).body.items;
    expect(Object.fromEntries(views.map((v: { contractId: string; status: string }) => [v.contractId, v.status]))).toMatchObject({ [kA.id]: 'RENEWED', [kB.id]: 'ENDED' });
  });

  it('compensates C: ended without its renewal recorded, the commitment is released — tranches cancelled, reversing entries, nothing committed left', async () => {
    await waitSaga(kC.id, 'ENDED');
    expect(await contractOf(kC.id)).toMatchObject({ status: 'TERMINE', endedOn: '2022-12-31' });
    await eventually(() => lifecycleEvents(kC.id, 'lifecycle.RenewalCommitmentReleaseRequested').length > 0, 60_000, 'release request on Kafka');
    expect(lifecycleEvents(kC.id, 'lifecycle.RenewalRejected').map((e) => e.payload)).toEqual([expect.objectContaining({ stage: 'CONTRACT_END', reason: 'the contract ended before its renewal could be recorded' })]);
    const subsidiesHttp = () => request(subsidies.getHttpServer());
    const released = await eventually(async () => {
      const [c] = (await subsidiesHttp().get(`/api/v1/commitments?postId=${kC.postId}&phase=2`).set(auth(anct)).expect(200)).body.items;
      return c?.committedCents === 0 ? c : undefined;
    }, 60_000, 'commitment released');
    expect(released).toMatchObject({ amountCents: 4_400_000, cancelledCents: 4_400_000, committedCents: 0 });
    const detail = (await subsidiesHttp().get(`/api/v1/commitments/${released.id}`).set(auth(anct)).expect(200)).body;
    expect(detail.tranches.length).toBeGreaterThan(0);
    expect(detail.tranches.map((t: { status: string; cancelReason: string }) => [t.status, t.cancelReason])).toEqual(detail.tranches.map(() => ['CANCELLED', 'COMMITMENT_RELEASED']));
    const decommits = (await subsidiesHttp().get(`/api/v1/ledger/journals?kind=DECOMMIT&structureId=${structureId}`).set(auth(anct)).expect(200)).body.items;
    const sumOf = (journals: { entries: { amountCents: number }[] }[]) => journals.flatMap((j) => j.entries).filter((e) => e.amountCents > 0).reduce((a, e) => a + e.amountCents, 0);
    expect(sumOf(decommits)).toBe(4_400_000);
    // what stays committed for the structure's renewals is A's, and only A's
    const envelope = (await subsidiesHttp().get('/api/v1/budget-envelopes/renouvellement-2023').set(auth(anct)).expect(200)).body;
    expect(envelope.committedCents).toBe(4_400_000);
    // the release request redelivered (or a late commitment) releases nothing more
    expect((await subsidiesHttp().get(`/api/v1/commitments?postId=${kC.postId}&phase=2`).set(auth(anct)).expect(200)).body.items[0].cancelledCents).toBe(4_400_000);
  });
});

function minusMinute(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 60_000).toISOString();
}
