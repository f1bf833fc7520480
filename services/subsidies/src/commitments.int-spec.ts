import {
  AmendmentValidatedV1,
  CertificationObtainedV1,
  ContractRupturedV1,
  ContractSignedV1,
  PostStatusChangedV1,
  RenewalCommitmentReleaseRequestedV1,
  RenewalCommitmentRequestedV1,
  TrainingEnrolledV1,
} from '@cnfs/contracts';
import { SubsidiesHarness, tranchesOf, uid, validatedConvention } from './testing/harness';

jest.setTimeout(120_000);

/**
 * Commitments from the conventions service's events (produced onto the platform topics with the
 * contracts' definitions), tranche life with the posts' occupancy, the renewal requests of the
 * lifecycle saga and the programme costs from the training service's events.
 */
describe('commitments and tranches from the other contexts’ events', () => {
  let h: SubsidiesHarness;
  let anct: string;

  beforeAll(async () => {
    h = await SubsidiesHarness.start('2021-03-01T08:00:00Z');
    anct = await h.token({ role: 'anct' });
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  const commitmentsOf = (conventionId: string) => h.query(`SELECT * FROM commitments WHERE convention_id = $1 ORDER BY post_id`, [conventionId]);
  const eventsFor = async (type: string, key: string, value: string) => (await h.outbox(type)).filter((e) => (e.payload as Record<string, unknown>)[key] === value);

  it('commits each post of a validated convention from the rule in force at signature, against France Relance 2020', async () => {
    const gp = await validatedConvention(h, { departmentCode: '971', posts: 2, signedAt: '2021-02-20', startDate: '2021-03-01' });
    const lille = await validatedConvention(h, { departmentCode: '59', legalStatus: 'PRIVATE', signedAt: '2021-02-20' });
    const reunion = await validatedConvention(h, { departmentCode: '974', signedAt: '2021-02-20', qpv: true });
    const amounts = async (c: { conventionId: string }) => (await commitmentsOf(c.conventionId)).map((m) => [m.amount_cents, m.envelope_id]);
    expect(await amounts(gp)).toEqual([['7000000', 'france-relance-2020'], ['7000000', 'france-relance-2020']]);
    expect(await amounts(lille)).toEqual([['3200000', 'france-relance-2020']]);
    expect(await amounts(reunion)).toEqual([['6750000', 'france-relance-2020']]);
    const [committed] = await eventsFor('subsidies.SubsidyCommitted', 'conventionId', reunion.conventionId);
    expect(committed.payload).toMatchObject({ amountCents: 6_750_000, phase: 1, departmentCode: '974', ruleKey: 'phase1.public.reunion-mayotte', requestId: null });
    expect((committed.payload as { tranches: { amountCents: number }[] }).tranches.map((t) => t.amountCents)).toEqual([3_375_000, 2_025_000, 1_350_000]);
    expect(committed.causationId).toBe(reunion.messageIds[0]);
    const tranches = await tranchesOf(h, gp.postIds[0]);
    expect(tranches.map((t) => [t.seq, t.trigger, t.amount_cents, t.state])).toEqual([
      [1, 'FIRST_OCCUPATION', '3500000', 'SCHEDULED'],
      [2, 'ANNIVERSARY', '2100000', 'SCHEDULED'],
      [3, 'FINAL_REPORT', '1400000', 'SCHEDULED'],
    ]);
  });

  it('refuses a territory with no rule with an event naming the missing rule, never a guessed amount', async () => {
    const spm = await validatedConvention(h, { departmentCode: '975', signedAt: '2021-02-20' });
    expect(await commitmentsOf(spm.conventionId)).toEqual([]);
    const [refused] = await eventsFor('subsidies.CommitmentRefused', 'conventionId', spm.conventionId);
    expect(refused.payload).toMatchObject({
      reason: 'NO_APPLICABLE_RULE',
      missingRule: { ruleKey: 'phase1.public.department-975', territory: 'DEPARTMENT:975', legalStatus: 'PUBLIC', date: '2021-02-20' },
      budgetEnvelopeId: null,
    });
    expect((refused.payload as { detail: string }).detail).toContain('975 Saint-Pierre-et-Miquelon');
    const refusals = await h.http().get('/api/v1/commitments/refusals').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(refusals.body.items.some((r: { postId: string; reason: string }) => r.postId === spm.postIds[0] && r.reason === 'NO_APPLICABLE_RULE')).toBe(true);
  });

  it('anchors the schedule on first occupation, suspends on rupture, resumes with a new contract on the same post', async () => {
    const c = await validatedConvention(h, { departmentCode: '972', signedAt: '2021-02-20', startDate: '2021-03-01' });
    const [postId] = c.postIds;
    const first = uid('contract');
    const signed = h.event(ContractSignedV1, first, {
      contractId: first, structureId: c.structureId, conventionId: c.conventionId, postId, departmentCode: '972', legalStatus: 'PUBLIC', contractType: 'CDD',
      startDate: '2021-03-15', endDate: '2022-09-14', renewsContractId: null, conseiller: { id: uid('cn'), firstName: 'Léa', lastName: 'Bellon', email: 'lea.bellon@example.org' },
    });
    await h.produce(signed);
    await h.consumed(signed.envelope.messageId);
    expect((await tranchesOf(h, postId)).map((t) => [t.state, t.due_on])).toEqual([['SCHEDULED', '2021-03-15'], ['SCHEDULED', '2022-03-15'], ['SCHEDULED', null]]);
    h.advanceDays(15); // 2021-03-16
    expect((await h.jobs.runOnce()).due).toBeGreaterThanOrEqual(1);
    expect((await tranchesOf(h, postId))[0].state).toBe('DUE');

    const rupture = h.event(ContractRupturedV1, first, {
      contractId: first, structureId: c.structureId, conventionId: c.conventionId, postId, departmentCode: '972', conseillerId: 'cn-x', reason: 'DEMISSION', date: '2021-03-16',
    });
    await h.produce(rupture);
    await h.consumed(rupture.envelope.messageId);
    expect((await tranchesOf(h, postId)).map((t) => t.state)).toEqual(['SUSPENDED', 'SUSPENDED', 'SUSPENDED']);

    const second = uid('contract');
    const refill = h.event(ContractSignedV1, second, {
      contractId: second, structureId: c.structureId, conventionId: c.conventionId, postId, departmentCode: '972', legalStatus: 'PUBLIC', contractType: 'CDI',
      startDate: '2021-04-01', endDate: null, renewsContractId: null, conseiller: { id: uid('cn'), firstName: 'Yanis', lastName: 'Petit', email: 'yanis.petit@example.org' },
    });
    await h.produce(refill);
    await h.consumed(refill.envelope.messageId);
    // Same dates (anchored on the first occupation): the first tranche is due again, the others scheduled.
    expect((await tranchesOf(h, postId)).map((t) => [t.state, t.due_on])).toEqual([['DUE', '2021-03-15'], ['SCHEDULED', '2022-03-15'], ['SCHEDULED', null]]);
    const due = await eventsFor('subsidies.TrancheDue', 'postId', postId);
    expect(due.map((e) => (e.payload as { cause: string }).cause)).toEqual(['SCHEDULE', 'RESUMED']);

    // The end-of-service report makes the balance due, once.
    const [commitment] = await h.query(`SELECT id FROM commitments WHERE post_id = $1`, [postId]);
    const report = () => h.http().post(`/api/v1/commitments/${commitment.id}/final-report`).set('Authorization', `Bearer ${anct}`);
    await report().send({ receivedOn: '2099-01-01' }).expect(422);
    const recorded = await report().send({ receivedOn: '2021-03-16' }).expect(200);
    expect(recorded.body.tranches.map((t: { status: string; dueOn: string }) => [t.status, t.dueOn])).toEqual([
      ['DUE', '2021-03-15'], ['SCHEDULED', '2022-03-15'], ['DUE', '2021-03-16'],
    ]);
    await report().send({ receivedOn: '2021-03-16' }).expect(409);
    expect((await eventsFor('subsidies.TrancheDue', 'postId', postId)).map((e) => (e.payload as { cause: string }).cause)).toEqual(['SCHEDULE', 'RESUMED', 'FINAL_REPORT']);
  });

  it('cancels the unpaid tranches of a post vacant beyond 6 months, and of a returned post, releasing the envelope', async () => {
    const c = await validatedConvention(h, { departmentCode: '59', posts: 2, signedAt: '2021-03-16', occupiedOn: '2021-03-16' });
    const [vacated, returned] = c.postIds;
    const envelopeBefore = (await h.query(`SELECT committed_cents FROM budget_envelopes WHERE id = 'france-relance-2020'`))[0].committed_cents;
    const rupture = h.event(ContractRupturedV1, c.contractIds[0], {
      contractId: c.contractIds[0], structureId: c.structureId, conventionId: c.conventionId, postId: vacated, departmentCode: '59', conseillerId: 'cn-y', reason: 'LICENCIEMENT', date: '2021-03-16',
    });
    const vacant = h.event(PostStatusChangedV1, c.conventionId, {
      postId: vacated, conventionId: c.conventionId, structureId: c.structureId, departmentCode: '59', from: 'OCCUPE', to: 'VACANT', effectiveDate: '2021-03-16', contractId: c.contractIds[0],
    });
    await h.produce(rupture, vacant);
    await h.consumed(rupture.envelope.messageId, vacant.envelope.messageId);
    h.advanceDays(31 * 6); // beyond six months after 2021-03-16
    const { cancelled } = await h.jobs.runOnce();
    expect(cancelled).toBeGreaterThanOrEqual(3);
    expect((await tranchesOf(h, vacated)).map((t) => [t.state, t.cancel_reason])).toEqual([
      ['CANCELLED', 'VACANT_BEYOND_DELAY'], ['CANCELLED', 'VACANT_BEYOND_DELAY'], ['CANCELLED', 'VACANT_BEYOND_DELAY'],
    ]);

    // The other post is returned by a RETRAIT amendment (its conseiller gone first).
    const leave = h.event(ContractRupturedV1, c.contractIds[1], {
      contractId: c.contractIds[1], structureId: c.structureId, conventionId: c.conventionId, postId: returned, departmentCode: '59', conseillerId: 'cn-z', reason: 'DEMISSION', date: '2021-09-01',
    });
    const retrait = h.event(AmendmentValidatedV1, c.conventionId, {
      amendmentId: uid('amendment'), conventionId: c.conventionId, structureId: c.structureId, phase: 1, type: 'RETRAIT', posts: 1, postIds: [returned], validatedAt: '2021-09-10',
      structure: { legalStatus: 'PUBLIC', type: 'COMMUNE', departmentCode: '59', qpv: false, zrr: false },
    });
    await h.produce(leave, retrait);
    await h.consumed(leave.envelope.messageId, retrait.envelope.messageId);
    expect((await tranchesOf(h, returned)).every((t) => t.state === 'CANCELLED' && t.cancel_reason === 'POST_RETURNED')).toBe(true);
    const [envelopeAfter] = await h.query(`SELECT committed_cents FROM budget_envelopes WHERE id = 'france-relance-2020'`);
    expect(BigInt(envelopeBefore) - BigInt(envelopeAfter.committed_cents)).toBeGreaterThanOrEqual(10_000_000n); // both 50,000 € posts released
    const [m] = await h.query(`SELECT cancelled_cents, amount_cents FROM commitments WHERE post_id = $1`, [vacated]);
    expect(m).toEqual({ cancelled_cents: '5000000', amount_cents: '5000000' });
    expect((await eventsFor('subsidies.TrancheCancelled', 'postId', vacated)).map((e) => (e.payload as { reason: string }).reason)).toEqual([
      'VACANT_BEYOND_DELAY', 'VACANT_BEYOND_DELAY', 'VACANT_BEYOND_DELAY',
    ]);
  });

  it('never over-commits an envelope: the post that does not fit is refused with an event, a new funding lets the next one in', async () => {
    await h.http().post('/api/v1/budget-envelopes').set('Authorization', `Bearer ${anct}`).send({
      id: 'test-2031', name: 'Enveloppe de test 2031', phase: 1, opensOn: '2031-01-01', closesOn: '2031-12-31', priority: 0,
      fundings: [{ label: 'Crédits de test', amountCents: 12_000_000 }],
    }).expect(201);
    const c = await validatedConvention(h, { departmentCode: '33', posts: 3, signedAt: '2031-02-01' });
    const outcomes = await commitmentsOf(c.conventionId);
    expect(outcomes.map((m) => [m.envelope_id, m.amount_cents])).toEqual([['test-2031', '5000000'], ['test-2031', '5000000']]);
    const [refused] = await eventsFor('subsidies.CommitmentRefused', 'conventionId', c.conventionId);
    expect(refused.payload).toMatchObject({ reason: 'ENVELOPE_EXHAUSTED', budgetEnvelopeId: 'test-2031', requestedCents: 5_000_000, availableCents: 2_000_000 });
    const envelope = await h.http().get('/api/v1/budget-envelopes/test-2031').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(envelope.body).toMatchObject({ amountCents: 12_000_000, committedCents: 10_000_000, availableCents: 2_000_000 });
    await h.http().post('/api/v1/budget-envelopes/test-2031/fundings').set('Authorization', `Bearer ${anct}`).send({ label: 'Complément', amountCents: 3_000_000 }).expect(201);
    const ajout = h.event(AmendmentValidatedV1, c.conventionId, {
      amendmentId: uid('amendment'), conventionId: c.conventionId, structureId: c.structureId, phase: 1, type: 'AJOUT', posts: 1, postIds: [uid('post')], validatedAt: '2031-03-01',
      structure: { legalStatus: 'PUBLIC', type: 'COMMUNE', departmentCode: '33', qpv: false, zrr: false },
    });
    await h.produce(ajout);
    await h.consumed(ajout.envelope.messageId);
    const after = await h.http().get('/api/v1/budget-envelopes/test-2031').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(after.body).toMatchObject({ amountCents: 15_000_000, committedCents: 15_000_000, availableCents: 0 });
    const balances = await h.http().get('/api/v1/ledger/balances?by=envelope&envelopeId=test-2031').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(balances.body).toEqual([{ key: 'test-2031', fundedCents: 15_000_000, availableCents: 0, committedCents: 15_000_000, orderedCents: 0, paidCents: 0, pendingCents: 0, reconciledCents: 0 }]);
  });

  it('answers the lifecycle saga’s renewal requests: phase-2 amount with the QPV/ZRR bonus, existing commitment on a retry, refusal without a rule', async () => {
    const requestId = uid('request');
    const postId = uid('post');
    const request = (id: string, over: Partial<Parameters<typeof RenewalCommitmentRequestedV1.create>[1]> = {}) =>
      h.event(RenewalCommitmentRequestedV1, 'contract-1', {
        requestId: id, contractId: uid('contract'), structureId: uid('struct-renewal'), conventionId: uid('conv'), postId, departmentCode: '974', legalStatus: 'PUBLIC',
        qpv: true, zrr: false, signedAt: '2023-01-10', startDate: '2023-02-01', ...over,
      }, { kind: 'system', job: 'lifecycle-renewal-saga' });
    const first = request(requestId);
    const retry = request(uid('request-retry'));
    const nowhere = request(uid('request-987'), { postId: uid('post'), departmentCode: '987' });
    await h.produce(first, retry, nowhere);
    await h.consumed(first.envelope.messageId, retry.envelope.messageId, nowhere.envelope.messageId);
    const answers = await eventsFor('subsidies.SubsidyCommitted', 'postId', postId);
    expect(answers.map((a) => [(a.payload as { requestId: string }).requestId, a.causationId])).toEqual([
      [requestId, first.envelope.messageId],
      [(retry.envelope.payload as { requestId: string }).requestId, retry.envelope.messageId],
    ]);
    expect(new Set(answers.map((a) => (a.payload as { commitmentId: string }).commitmentId)).size).toBe(1);
    expect(answers[0].payload).toMatchObject({ phase: 2, amountCents: 5_000_000, budgetEnvelopeId: 'renouvellement-2023', ruleKey: 'phase2.public' });
    expect((answers[0].payload as { tranches: { amountCents: number }[] }).tranches.map((t) => t.amountCents)).toEqual([2_000_000, 1_750_000, 625_000, 625_000]);
    const [refused] = await eventsFor('subsidies.CommitmentRefused', 'requestId', (nowhere.envelope.payload as { requestId: string }).requestId);
    expect(refused.payload).toMatchObject({ reason: 'NO_APPLICABLE_RULE', phase: 2, missingRule: { ruleKey: 'phase2.public.department-987' } });

    // The saga abandons the renewal: what its request committed goes back to the 2023 renewal envelope.
    const [envelopeBefore] = await h.query(`SELECT committed_cents FROM budget_envelopes WHERE id = 'renouvellement-2023'`);
    const release = h.event(RenewalCommitmentReleaseRequestedV1, 'contract-1', {
      contractId: uid('contract'), structureId: uid('struct'), departmentCode: '974', requestId, postId, commitmentId: (answers[0].payload as { commitmentId: string }).commitmentId,
      reason: 'rupture du contrat avant le renouvellement',
    }, { kind: 'system', job: 'lifecycle-renewal-saga' });
    await h.produce(release);
    await h.consumed(release.envelope.messageId);
    expect((await tranchesOf(h, postId)).map((t) => [t.state, t.cancel_reason])).toEqual(Array(4).fill(['CANCELLED', 'COMMITMENT_RELEASED']));
    const [envelopeAfter] = await h.query(`SELECT committed_cents FROM budget_envelopes WHERE id = 'renouvellement-2023'`);
    expect(BigInt(envelopeBefore.committed_cents) - BigInt(envelopeAfter.committed_cents)).toBe(5_000_000n);
    const [released] = await h.query(`SELECT released_on, release_reason, cancelled_cents FROM commitments WHERE post_id = $1`, [postId]);
    expect(released).toMatchObject({ release_reason: 'rupture du contrat avant le renouvellement', cancelled_cents: '5000000' });

    // A request answered with a commitment a convention made never releases it.
    const phase2 = await validatedConvention(h, { departmentCode: '59', phase: 2, signedAt: '2023-01-05', startDate: '2023-02-01' });
    const askedId = uid('request');
    const asked = h.event(RenewalCommitmentRequestedV1, 'contract-2', {
      requestId: askedId, contractId: uid('contract'), structureId: phase2.structureId, conventionId: phase2.conventionId, postId: phase2.postIds[0], departmentCode: '59',
      legalStatus: 'PUBLIC', qpv: false, zrr: false, signedAt: '2023-01-10', startDate: '2023-02-01',
    }, { kind: 'system', job: 'lifecycle-renewal-saga' });
    const giveBack = h.event(RenewalCommitmentReleaseRequestedV1, 'contract-2', {
      contractId: uid('contract'), structureId: phase2.structureId, departmentCode: '59', requestId: askedId, postId: phase2.postIds[0], commitmentId: null, reason: 'abandon',
    }, { kind: 'system', job: 'lifecycle-renewal-saga' });
    await h.produce(asked, giveBack);
    await h.consumed(asked.envelope.messageId, giveBack.envelope.messageId);
    expect((await tranchesOf(h, phase2.postIds[0])).every((t) => t.state !== 'CANCELLED')).toBe(true);
    expect((await eventsFor('subsidies.SubsidyCommitted', 'requestId', askedId))[0].payload).toMatchObject({ amountCents: 4_250_000, phase: 2 });
  });

  it('records the programme costs per conseiller once: training (not a waiver), PIX certification, outfit kit', async () => {
    const conseillerId = uid('cn');
    const waived = uid('cn');
    const who = { contractId: uid('contract'), structureId: uid('struct-costs'), departmentCode: '974', lot: 3 } as const;
    const provider = { kind: 'user' as const, subject: 'lot-3', role: 'training_provider' as const, lot: 3 };
    const events = [
      h.event(TrainingEnrolledV1, 'e-1', { enrolmentId: uid('e'), conseillerId, ...who, pathwayHours: 280, waiver: false, startDate: '2021-04-12' }, provider),
      h.event(TrainingEnrolledV1, 'e-2', { enrolmentId: uid('e'), conseillerId, ...who, pathwayHours: 105, waiver: false, startDate: '2021-05-12' }, provider),
      h.event(TrainingEnrolledV1, 'e-3', { enrolmentId: uid('e'), conseillerId: waived, ...who, pathwayHours: null, waiver: true, startDate: '2021-04-12' }, provider),
      h.event(CertificationObtainedV1, 'x-1', {
        certificationId: uid('x'), conseillerId, contractId: who.contractId, structureId: who.structureId, departmentCode: '974', kind: 'PIX', pixScorePercent: 72,
        belowThreshold: false, obtainedAt: '2021-07-10', certifier: 'PIX',
      }, provider),
      h.event(ContractSignedV1, who.contractId, {
        contractId: who.contractId, structureId: who.structureId, conventionId: uid('conv'), postId: uid('post'), departmentCode: '974', legalStatus: 'PUBLIC', contractType: 'CDD',
        startDate: '2021-04-01', endDate: '2022-09-30', renewsContractId: null, conseiller: { id: conseillerId, firstName: 'Awa', lastName: 'Diallo', email: 'awa@example.org' },
      }),
    ];
    await h.produce(...events);
    await h.consumed(...events.map((e) => e.envelope.messageId));
    const costs = await h.http().get(`/api/v1/programme-costs?conseillerId=${conseillerId}`).set('Authorization', `Bearer ${anct}`).expect(200);
    expect(costs.body.items.map((c: { kind: string; amountCents: number }) => [c.kind, c.amountCents]).sort()).toEqual([
      ['OUTFIT_KIT', 29_720], ['PIX_CERTIFICATION', 32_660], ['TRAINING', 480_500],
    ]);
    const none = await h.http().get(`/api/v1/programme-costs?conseillerId=${waived}`).set('Authorization', `Bearer ${anct}`).expect(200);
    expect(none.body.total).toBe(0);
    const summary = await h.http().get(`/api/v1/programme-costs/summary?structureId=${who.structureId}`).set('Authorization', `Bearer ${anct}`).expect(200);
    expect(summary.body).toEqual({
      byKind: { TRAINING: { count: 1, totalCents: 480_500 }, PIX_CERTIFICATION: { count: 1, totalCents: 32_660 }, OUTFIT_KIT: { count: 1, totalCents: 29_720 } },
      totalCents: 542_880,
    });
  });

  it('keeps the books: every journal nets to zero, counters agree with the ledger', async () => {
    const checks = await h.http().get('/api/v1/ledger/checks').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(checks.body.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
    // And the database itself refuses an unbalanced journal and any rewrite of the ledger.
    await expect(h.dataSource.transaction(async (m) => {
      await m.query(`INSERT INTO ledger_journals (id, kind, business_key, occurred_on) VALUES (gen_random_uuid(), 'COMMIT', 'COMMIT:forged', '2021-03-01')`);
      await m.query(`INSERT INTO ledger_entries (journal_id, line, account, amount_cents) SELECT id, 1, 'ENVELOPE:x', -100 FROM ledger_journals WHERE business_key = 'COMMIT:forged'
                     UNION ALL SELECT id, 2, 'PREFECTURE:59', 99 FROM ledger_journals WHERE business_key = 'COMMIT:forged'`);
    })).rejects.toThrow(/does not net to zero/);
    await expect(h.query(`UPDATE ledger_entries SET amount_cents = amount_cents + 1`)).rejects.toThrow(/append-only/);
    await expect(h.query(`DELETE FROM ledger_journals`)).rejects.toThrow(/append-only/);
    await expect(h.query(`UPDATE budget_envelopes SET committed_cents = amount_cents + 1 WHERE id = 'france-relance-2020'`)).rejects.toThrow(/envelope_never_over_committed/);
    await expect(h.dataSource.transaction((m) => m.query(`INSERT INTO ledger_journals (id, kind, business_key, occurred_on) VALUES (gen_random_uuid(), 'COMMIT', 'COMMIT:empty', '2021-03-01')`))).rejects.toThrow(/no balanced entries/);
  });
});
