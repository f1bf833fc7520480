import {
  CommitmentRefusedV1,
  ContractEndedV1,
  ContractRenewedV1,
  ContractRupturedV1,
  ContractSignedV1,
  ConventionValidatedV1,
  EventEnvelope,
  PrefectOpinionGivenV1,
  SubsidyCommittedV1,
  TrainingAbandonedV1,
  TrainingCompletedV1,
  TrainingEnrolledV1,
  CertificationObtainedV1,
} from '@cnfs/contracts';
import { ManualClock } from '@cnfs/service-kit';
import { randomUUID } from 'node:crypto';
import { event, eventually, LifecycleHarness, Producer, startLifecycle, token } from './testing/harness';

/**
 * The lifecycle service alone on the real PostgreSQL and Kafka: the other services' events are
 * produced on the platform topics as their relays would; deadlines are fired by calling the poller
 * (no timer) after moving a ManualClock. The end-to-end test with the real conventions and
 * subsidies services is e2e.int-spec.ts.
 */
jest.setTimeout(120_000);

describe('lifecycle service on the real stack', () => {
  const clock = new ManualClock(new Date('2021-06-20T08:00:00Z'));
  let h: LifecycleHarness & { schema: string; consumerPrefix: string };
  let producer: Producer;
  let anct: string;
  const moveTo = (iso: string) => clock.set(new Date(iso));

  const structureId = randomUUID();
  const conventionId = randomUUID();
  const posts = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [kA, kB, kC, kCdi] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  let structureToken: string;

  const signed = (contractId: string, postId: string, o: { type?: 'CDD' | 'CDI'; startDate?: string; endDate?: string | null; renews?: string | null } = {}) =>
    event(ContractSignedV1, contractId, {
      contractId, structureId, conventionId, postId, departmentCode: '59', legalStatus: 'PRIVATE', contractType: o.type ?? 'CDD',
      startDate: o.startDate ?? '2021-07-01', endDate: o.endDate === undefined ? '2022-12-31' : o.endDate,
      conseiller: { id: randomUUID(), firstName: 'Awa', lastName: 'Diallo', email: 'awa.diallo@example.org' }, renewsContractId: o.renews ?? null,
    }, clock.now());

  const lifecycleOf = async (contractId: string, bearer = anct) => (await h.http().get(`/api/v1/contracts/${contractId}/lifecycle`).set('Authorization', `Bearer ${bearer}`)).body;
  const statusOf = async (contractId: string) => (await h.dataSource.query(`SELECT status FROM sagas WHERE contract_id = $1`, [contractId]))[0]?.status;
  const waitStatus = (contractId: string, status: string) => eventually(async () => (await statusOf(contractId)) === status, 60_000, `${contractId} ${status}`);
  const outbox = async (type: string, contractId: string): Promise<EventEnvelope[]> =>
    (await h.dataSource.query(`SELECT envelope FROM outbox WHERE event_type = $1 AND message_key = $2 ORDER BY id`, [type, contractId])).map((r: { envelope: string }) =>
      typeof r.envelope === 'string' ? JSON.parse(r.envelope) : r.envelope,
    );
  const post = (path: string, body: object, bearer = anct) => h.http().post(path).set('Authorization', `Bearer ${bearer}`).send(body);

  beforeAll(async () => {
    h = await startLifecycle(clock, { settings: { deadlinePollMs: 0 } });
    producer = await Producer.start();
    anct = await token({ role: 'anct' });
    structureToken = await token({ role: 'structure', structureId });
  });

  afterAll(async () => {
    await producer?.close();
    await h?.close();
  });

  it('starts a saga per signed contract, whatever the order of the convention and the contract, and schedules its deadlines', async () => {
    // A's signature arrives first; its convention (another topic) after it.
    await producer.send(signed(kA, posts[0]));
    await waitStatus(kA, 'ACTIVE');
    expect((await lifecycleOf(kA)).facts).toMatchObject({ conventionKnown: false, qpv: false, followUntil: '2022-12-31' });
    await producer.send(
      event(ConventionValidatedV1, conventionId, {
        conventionId, structureId, phase: 1, posts: 4, postIds: posts, signedAt: '2021-02-20', startDate: '2021-03-01', financedUntil: '2023-02-28', endDate: '2024-02-29',
        structure: { legalStatus: 'PRIVATE', type: 'ASSOCIATION', departmentCode: '59', qpv: true, zrr: false }, renewsConventionId: null,
      }, clock.now()),
    );
    await eventually(async () => (await lifecycleOf(kA)).facts.conventionKnown, 60_000, 'convention known');
    await producer.send(signed(kB, posts[1]), signed(kC, posts[2]), signed(kCdi, posts[3], { type: 'CDI', endDate: null }));
    for (const k of [kB, kC, kCdi]) await waitStatus(k, 'ACTIVE');

    const a = await lifecycleOf(kA);
    expect(a).toMatchObject({ contractId: kA, status: 'ACTIVE', facts: { qpv: true, conventionKnown: true, followUntil: '2022-12-31' }, version: 2 });
    expect(a.pendingDeadlines.map((d: { kind: string; dueAt: string }) => [d.kind, d.dueAt.slice(0, 10)])).toEqual([
      ['REMINDER_6M', '2022-06-30'], ['REMINDER_3M', '2022-09-30'], ['REMINDER_1M', '2022-11-30'], ['DECISION_DUE', '2022-12-16'], ['END_DATE', '2023-01-01'],
    ]);
    expect(a.nextDeadline).toEqual({ kind: 'REMINDER_6M', dueAt: '2022-06-30T00:00:00.000Z' });
    expect(a.history.map((e: { message: string }) => e.message)).toEqual(['ContractSigned', 'ConventionKnown']);
    // a CDI is followed until its convention's financing ends
    expect((await lifecycleOf(kCdi)).facts.followUntil).toBe('2023-02-28');
  });

  it('has the same effect once when a message is delivered twice', async () => {
    const again = signed(kA, posts[0]);
    await producer.send(again, again);
    await eventually(async () => (await h.dataSource.query(`SELECT 1 FROM inbox WHERE message_id = $1`, [again.envelope.messageId])).length === 1);
    expect((await lifecycleOf(kA)).version).toBe(2);
  });

  it('knows whether each conseiller is trained, from the training events (redelivered, late or out of turn)', async () => {
    const a = await lifecycleOf(kA);
    expect(a.training).toEqual({ status: 'NOT_ENROLLED', trained: false, enrolment: null, certifications: [], certified: false });
    const conseillerId: string = a.facts.conseillerId;
    const training = { contractId: kA, conseillerId, structureId, departmentCode: '59', lot: 1 };
    const [abandoned, completed] = [randomUUID(), randomUUID()];
    const enrolled = (enrolmentId: string, startDate: string) =>
      event(TrainingEnrolledV1, enrolmentId, { ...training, enrolmentId, pathwayHours: 105, waiver: false, startDate }, clock.now());
    const completion = event(TrainingCompletedV1, completed, { ...training, enrolmentId: completed, hoursAttended: 105, endDate: '2021-10-15', pathwayHours: 105 }, clock.now());
    await producer.send(
      enrolled(abandoned, '2021-07-05'),
      event(TrainingAbandonedV1, abandoned, { ...training, enrolmentId: abandoned, reason: 'indisponibilité', withdrawnByRupture: false, endDate: '2021-07-20' }, clock.now()),
    );
    await eventually(async () => (await lifecycleOf(kA)).training.status === 'ABANDONED', 60_000, 'abandoned');
    await producer.send(enrolled(completed, '2021-09-01'));
    await eventually(async () => (await lifecycleOf(kA)).training.status === 'IN_TRAINING', 60_000, 'in training');
    await producer.send(
      completion,
      completion, // redelivered
      event(CertificationObtainedV1, randomUUID(), {
        certificationId: randomUUID(), conseillerId, contractId: kA, structureId, departmentCode: '59', kind: 'PIX', pixScorePercent: 64, belowThreshold: true, obtainedAt: '2021-10-20', certifier: 'PIX',
      }, clock.now()),
      // a late abandon of the completed enrolment changes nothing: an enrolment only moves forward
      event(TrainingAbandonedV1, completed, { ...training, enrolmentId: completed, reason: 'trop tard', withdrawnByRupture: true, endDate: '2021-11-01' }, clock.now()),
    );
    const trained = await eventually(async () => {
      const t = (await lifecycleOf(kA)).training;
      return t.status === 'TRAINED' && t.certifications.length === 1 ? t : undefined;
    }, 60_000, 'trained');
    expect(trained).toMatchObject({
      trained: true, certified: false,
      enrolment: { enrolmentId: completed, status: 'COMPLETED', pathwayHours: 105, lot: 1, startDate: '2021-09-01', endDate: '2021-10-15' },
      certifications: [{ kind: 'PIX', obtainedAt: '2021-10-20', belowThreshold: true }],
    });
    // the late abandon was consumed, and ignored
    await eventually(async () => (await h.dataSource.query(`SELECT count(*)::int AS n FROM inbox WHERE consumer LIKE '%.training'`))[0].n === 6, 60_000, 'every training event consumed');
    expect((await lifecycleOf(kA)).training.status).toBe('TRAINED');
    // the renewal list says it too, for each contract; B's conseiller was never enrolled
    const items = (await h.http().get(`/api/v1/renewals?structureId=${structureId}`).set('Authorization', `Bearer ${anct}`).expect(200)).body.items;
    expect(Object.fromEntries(items.map((i: { contractId: string; trainingStatus: string }) => [i.contractId, i.trainingStatus]))).toMatchObject({ [kA]: 'TRAINED', [kB]: 'NOT_ENROLLED' });
  });

  it('sends each reminder at its date, once, and resumes after a restart between two deadlines', async () => {
    moveTo('2022-06-29T23:59:00Z');
    await h.deadlines.fireDue();
    expect(await statusOf(kA)).toBe('ACTIVE');
    moveTo('2022-06-30T00:00:00Z');
    await h.deadlines.fireDue();
    expect(await statusOf(kA)).toBe('EXPIRY_APPROACHING');
    expect((await outbox('lifecycle.ContractExpiryApproaching', kA)).map((e) => [e.occurredAt.slice(0, 10), (e.payload as { monthsBeforeEnd: number }).monthsBeforeEnd])).toEqual([['2022-06-30', 6]]);

    // the service stops; the 3-month date passes while it is down; it starts again on the same schema
    await h.close();
    moveTo('2022-09-30T06:00:00Z');
    h = await startLifecycle(clock, { schema: h.schema, consumerPrefix: h.consumerPrefix, settings: { deadlinePollMs: 0 } });
    await h.deadlines.fireDue();
    const reminders = await outbox('lifecycle.ContractExpiryApproaching', kA);
    expect(reminders.map((e) => [e.occurredAt.slice(0, 10), (e.payload as { monthsBeforeEnd: number }).monthsBeforeEnd])).toEqual([['2022-06-30', 6], ['2022-09-30', 3]]);
    expect(reminders.every((e) => e.correlationId === reminders[0].correlationId && e.actor.kind === 'system')).toBe(true);
    expect((await lifecycleOf(kA)).remindersSent).toEqual([6, 3]);
  });

  it('scopes the views: a structure its own contracts, a préfecture its départements, ANCT all', async () => {
    await h.http().get(`/api/v1/contracts/${kA}/lifecycle`).set('Authorization', `Bearer ${await token({ role: 'prefecture', departments: ['59'] })}`).expect(200);
    await h.http().get(`/api/v1/contracts/${kA}/lifecycle`).set('Authorization', `Bearer ${await token({ role: 'prefecture', departments: ['62'] })}`).expect(404);
    await h.http().get(`/api/v1/contracts/${kA}/lifecycle`).set('Authorization', `Bearer ${structureToken}`).expect(200);
    await h.http().get(`/api/v1/contracts/${kA}/lifecycle`).set('Authorization', `Bearer ${await token({ role: 'structure', structureId: randomUUID() })}`).expect(404);
    await h.http().get(`/api/v1/contracts/${kA}/lifecycle`).set('Authorization', `Bearer ${await token({ role: 'bdt' })}`).expect(403);
    await h.http().get(`/api/v1/contracts/${kA}/lifecycle`).expect(401);

    const mine = await h.http().get(`/api/v1/renewals?status=EXPIRY_APPROACHING&endsBefore=2022-12-31`).set('Authorization', `Bearer ${structureToken}`).expect(200);
    expect(mine.body.items.map((i: { contractId: string }) => i.contractId).sort()).toEqual([kA, kB, kC].sort());
    expect(mine.body.items[0]).toMatchObject({ structureId, departmentCode: '59', followUntil: '2022-12-31', nextDeadline: { kind: 'REMINDER_1M' } });
    const other = await h.http().get(`/api/v1/renewals?structureId=${structureId}`).set('Authorization', `Bearer ${await token({ role: 'prefecture', departments: ['62'] })}`).expect(200);
    expect(other.body.total).toBe(0);
    await h.http().get(`/api/v1/renewals?departmentCode=59`).set('Authorization', `Bearer ${await token({ role: 'prefecture', departments: ['62'] })}`).expect(403);
    const bad = await h.http().get(`/api/v1/renewals?status=SOMETHING&endsBefore=2022-02-30`).set('Authorization', `Bearer ${anct}`).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['endsBefore', 'status']);
  });

  it('refuses a private-law CDD renewed as a CDD beyond 18 months (another form is required), with nothing changed; takes a CDI renewal', async () => {
    const before = await lifecycleOf(kA);
    const refused = await post(`/api/v1/renewals/${kA}/intent`, { intent: 'RENEW', contractType: 'CDD', endDate: '2023-12-31', grossMonthlySalaryCents: 185_000 }, structureToken).expect(422);
    expect(refused.body).toMatchObject({ code: 'INVALID_RENEWAL_TERMS', detail: expect.stringMatching(/private-law CDD cannot be extended beyond 18 months.*e\.g\. a CDI/) });
    expect((await lifecycleOf(kA)).version).toBe(before.version);
    // another structure cannot act on this contract
    await post(`/api/v1/renewals/${kA}/intent`, { intent: 'RENEW', contractType: 'CDI', grossMonthlySalaryCents: 185_000 }, await token({ role: 'structure', structureId: randomUUID() })).expect(404);
    await post(`/api/v1/renewals/${kA}/intent`, { intent: 'RENEW', contractType: 'CDI' }, structureToken).expect(422);
    await post(`/api/v1/renewals/${kA}/intent`, { intent: 'MAYBE' }, structureToken).expect(400);

    const requested = await post(`/api/v1/renewals/${kA}/intent`, { intent: 'RENEW', contractType: 'CDI', grossMonthlySalaryCents: 185_000 }, structureToken)
      .set('Idempotency-Key', `intent-${kA}`)
      .expect(200);
    expect(requested.body).toMatchObject({ status: 'RENEWAL_REQUESTED', renewal: { terms: { contractType: 'CDI', startDate: '2023-01-01', endDate: null, grossMonthlySalaryCents: 185_000 } } });
    // replayed with the same key: the first answer, no second request
    await post(`/api/v1/renewals/${kA}/intent`, { intent: 'RENEW', contractType: 'CDI', grossMonthlySalaryCents: 185_000 }, structureToken)
      .set('Idempotency-Key', `intent-${kA}`)
      .expect(200)
      .expect('idempotent-replayed', 'true');
    const events = await outbox('lifecycle.RenewalRequested', kA);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: { role: 'structure', structureId }, payload: { endDate: '2022-12-31', renewal: { contractType: 'CDI' } } });
    // ANCT cannot decide before the préfet's opinion
    expect((await post(`/api/v1/renewals/${kA}/decision`, { approved: true, reason: 'COSELEC 41' }).expect(409)).body.detail).toMatch(/préfet/);
    await post(`/api/v1/renewals/${kA}/decision`, { approved: true, reason: 'COSELEC 41' }, structureToken).expect(403);
  });

  it("applies the préfet's opinion from the structures events, then asks the subsidies service for the commitment on ANCT's approval", async () => {
    for (const k of [kB, kC]) await post(`/api/v1/renewals/${k}/intent`, { intent: 'RENEW', contractType: 'CDI', grossMonthlySalaryCents: 185_000 }).expect(200);
    await producer.send(event(PrefectOpinionGivenV1, structureId, { structureId, opinionId: randomUUID(), departmentCode: '59', opinion: 'favorable', comment: 'Structure active, renouvellement souhaité' }, clock.now()));
    for (const k of [kA, kB, kC]) await eventually(async () => (await lifecycleOf(k)).renewal?.prefectOpinion?.opinion === 'favorable', 60_000, 'opinion');

    moveTo('2022-12-05T09:30:00Z');
    await h.deadlines.fireDue(); // the 1-month reminders (30 November), in RENEWAL_REQUESTED
    expect((await outbox('lifecycle.ContractExpiryApproaching', kB)).map((e) => (e.payload as { monthsBeforeEnd: number }).monthsBeforeEnd)).toEqual([6, 3, 1]);
    for (const k of [kA, kB, kC]) {
      const approved = await post(`/api/v1/renewals/${k}/decision`, { approved: true, reason: 'COSELEC 41' }).expect(200);
      expect(approved.body).toMatchObject({ status: 'RENEWAL_APPROVED', renewal: { requestId: `renewal-${k}`, decision: { approved: true } } });
    }
    const [request] = await outbox('subsidies.RenewalCommitmentRequested', kA);
    expect(request.payload).toEqual({
      requestId: `renewal-${kA}`, contractId: kA, structureId, conventionId, postId: posts[0], departmentCode: '59', legalStatus: 'PRIVATE', qpv: true, zrr: false,
      signedAt: '2022-12-05', startDate: '2023-01-01',
    });
    expect((await lifecycleOf(kA)).pendingDeadlines.map((d: { kind: string }) => d.kind)).toEqual(['END_DATE']);
  });

  it('is financed by the answer to its request (once, whatever the redeliveries), then RENEWED when the renewed contract is recorded', async () => {
    const [request] = await outbox('subsidies.RenewalCommitmentRequested', kA);
    const committed = () =>
      event(SubsidyCommittedV1, 'm-a', {
        commitmentId: 'm-a', conventionId, structureId, postId: posts[0], budgetEnvelopeId: 'renouvellement-2023', ruleId: 'r-2', amountCents: 4_400_000, phase: 2, requestId: `renewal-${kA}`,
      }, clock.now(), request);
    // the same answer twice with two message ids (an "already committed" answer repeats it)
    await producer.send(committed(), committed());
    await waitStatus(kA, 'RENEWAL_FINANCED');
    await eventually(async () => (await h.dataSource.query(`SELECT count(*)::int AS n FROM inbox WHERE event_type = 'subsidies.SubsidyCommitted' AND message_id IN (SELECT message_id FROM inbox)`))[0].n >= 2);
    const financed = await outbox('lifecycle.RenewalFinanced', kA);
    expect(financed).toHaveLength(1);
    expect(financed[0].payload).toMatchObject({ commitmentId: 'm-a', amountCents: 4_400_000, recordContract: true, renewal: { contractType: 'CDI', startDate: '2023-01-01' } });
    expect(financed[0].correlationId).toBe(request.correlationId);

    const kNew = randomUUID();
    await producer.send(
      event(ContractRenewedV1, kA, { contractId: kA, newContractId: kNew, structureId, postId: posts[0], departmentCode: '59', contractType: 'CDI', startDate: '2023-01-01', endDate: null }, clock.now()),
      signed(kNew, posts[0], { type: 'CDI', startDate: '2023-01-01', endDate: null, renews: kA }),
    );
    await waitStatus(kA, 'RENEWED');
    expect((await lifecycleOf(kA)).pendingDeadlines).toEqual([]);
    await waitStatus(kNew, 'ACTIVE');
    // the renewed CDI is financed by the renewal's 36 months
    expect((await lifecycleOf(kNew)).facts).toMatchObject({ contractType: 'CDI', financing: 'RENEWAL', followUntil: '2025-12-31' });
  });

  it('compensates: a refused commitment ends the contract at its end date; a rupture releases what was committed, late answers included', async () => {
    await producer.send(
      event(CommitmentRefusedV1, 'm-b', {
        commitmentId: 'm-b', conventionId, structureId, postId: posts[1], departmentCode: '59', phase: 2, reason: 'ENVELOPE_EXHAUSTED',
        detail: 'envelope tiny has 100000 cents left, the post needs 4400000', missingRule: null, budgetEnvelopeId: 'tiny', requestedCents: 4_400_000, availableCents: 100_000,
        requestId: `renewal-${kB}`,
      }, clock.now()),
      event(ContractRupturedV1, kC, { contractId: kC, structureId, conventionId, postId: posts[2], departmentCode: '59', conseillerId: randomUUID(), reason: 'DEMISSION', date: '2022-12-04' }, clock.now()),
    );
    await waitStatus(kB, 'NOT_RENEWED');
    expect((await outbox('lifecycle.RenewalRejected', kB)).map((e) => e.payload)).toEqual([
      expect.objectContaining({ stage: 'FINANCING', reason: expect.stringMatching(/ENVELOPE_EXHAUSTED/) }),
    ]);
    await waitStatus(kC, 'RUPTURED');
    // a rupture cancels every deadline still pending (by token): nothing will fire for C
    expect((await lifecycleOf(kC)).pendingDeadlines).toEqual([]);
    expect((await h.dataSource.query(`SELECT count(*)::int AS n FROM deadlines WHERE owner = $1 AND cancelled_at IS NOT NULL`, [kC]))[0].n).toBeGreaterThan(0);
    const [release] = await outbox('lifecycle.RenewalCommitmentReleaseRequested', kC);
    expect(release.payload).toMatchObject({ requestId: `renewal-${kC}`, postId: posts[2], commitmentId: null });
    // the commitment the rupture overtook arrives: released again, naming it
    await producer.send(
      event(SubsidyCommittedV1, 'm-c', {
        commitmentId: 'm-c', conventionId, structureId, postId: posts[2], budgetEnvelopeId: 'renouvellement-2023', ruleId: 'r-2', amountCents: 4_400_000, phase: 2, requestId: `renewal-${kC}`,
      }, clock.now()),
    );
    await eventually(async () => (await outbox('lifecycle.RenewalCommitmentReleaseRequested', kC)).length === 2, 60_000, 'second release');
    expect((await outbox('lifecycle.RenewalCommitmentReleaseRequested', kC))[1].payload).toMatchObject({ commitmentId: 'm-c' });

    // the end date: the end of B is announced, and its end closes the saga
    moveTo('2023-01-01T00:00:00Z');
    await h.deadlines.fireDue();
    expect((await outbox('lifecycle.ContractEndDue', kB)).map((e) => e.payload)).toEqual([{ contractId: kB, structureId, departmentCode: '59', endDate: '2022-12-31' }]);
    expect(await outbox('lifecycle.ContractEndDue', kA)).toEqual([]);
    await producer.send(event(ContractEndedV1, kB, { contractId: kB, structureId, conventionId, postId: posts[1], departmentCode: '59', conseillerId: randomUUID(), endDate: '2022-12-31' }, clock.now()));
    await waitStatus(kB, 'ENDED');
    const b = await lifecycleOf(kB);
    expect(b.history.map((e: { message: string; to: string }) => `${e.message}→${e.to}`)).toEqual([
      'ContractSigned→ACTIVE', 'REMINDER_6M→EXPIRY_APPROACHING', 'REMINDER_3M→EXPIRY_APPROACHING', 'RenewalIntentDeclared→RENEWAL_REQUESTED',
      'PrefectOpinionGiven→RENEWAL_REQUESTED', 'REMINDER_1M→RENEWAL_REQUESTED', 'RenewalDecided→RENEWAL_APPROVED', 'FinancingRefused→NOT_RENEWED', 'END_DATE→NOT_RENEWED', 'ContractEnded→ENDED',
    ]);
  });

  it('forecasts the contracts ending per month and the phase-2 financing they would need, per département and envelope', async () => {
    const forecast = await h.http().get(`/api/v1/renewals/forecast?from=2022-01-01&until=2025-12-31&structureId=${structureId}`).set('Authorization', `Bearer ${anct}`).expect(200);
    // A financed (44,000 €), B not renewed, C ruptured (left out), the CDI to decide (private: 44,000 €), the renewed CDI (2025-12) to decide
    expect(forecast.body.rows).toEqual([
      { month: '2022-12', departmentCode: '59', budgetEnvelopeId: null, contractsEnding: 1, toDecide: 0, financed: 0, notRenewed: 1, renewedWithoutFinancing: 0, neededCents: 0, financedCents: 0, unpriced: 0 },
      { month: '2022-12', departmentCode: '59', budgetEnvelopeId: 'renouvellement-2023', contractsEnding: 1, toDecide: 0, financed: 1, notRenewed: 0, renewedWithoutFinancing: 0, neededCents: 0, financedCents: 4_400_000, unpriced: 0 },
      { month: '2023-02', departmentCode: '59', budgetEnvelopeId: 'renouvellement-2023', contractsEnding: 1, toDecide: 1, financed: 0, notRenewed: 0, renewedWithoutFinancing: 0, neededCents: 4_400_000, financedCents: 0, unpriced: 0 },
      { month: '2025-12', departmentCode: '59', budgetEnvelopeId: 'renouvellement-2023', contractsEnding: 1, toDecide: 1, financed: 0, notRenewed: 0, renewedWithoutFinancing: 0, neededCents: 4_400_000, financedCents: 0, unpriced: 0 },
    ]);
    expect(forecast.body.years.map((y: { year: string; neededCents: number }) => [y.year, y.neededCents])).toEqual([['2022', 0], ['2023', 4_400_000], ['2025', 4_400_000]]);
    expect(forecast.body.totals).toMatchObject({ contractsEnding: 4, toDecide: 2, financed: 1, notRenewed: 1, neededCents: 8_800_000, financedCents: 4_400_000 });
    // a préfecture outside the département sees none of it; bad windows are 400s
    const elsewhere = await h.http().get(`/api/v1/renewals/forecast?from=2022-01-01&until=2025-12-31&structureId=${structureId}`).set('Authorization', `Bearer ${await token({ role: 'prefecture', departments: ['62'] })}`).expect(200);
    expect(elsewhere.body.totals.contractsEnding).toBe(0);
    await h.http().get(`/api/v1/renewals/forecast?from=2024-01-01&until=2023-01-01`).set('Authorization', `Bearer ${anct}`).expect(400);
    await h.http().get(`/api/v1/renewals/forecast`).set('Authorization', `Bearer ${anct}`).expect(400);
  });
});
