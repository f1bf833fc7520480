import { randomUUID } from 'node:crypto';
import { IBANS, SubsidiesHarness, tranchesOf, validatedConvention } from './testing/harness';

/**
 * Préfecture payment orders and Banque des Territoires executions, on the real stack: territorial
 * scope, a tranche never ordered or paid twice (even under concurrent requests), bank returns.
 */
jest.setTimeout(120_000);

describe('payment orders', () => {
  let h: SubsidiesHarness;
  let pref971: string;
  let pref972: string;
  let bdt: string;
  let anct: string;
  let gp: { postIds: string[]; structureId: string };
  let mq: { postIds: string[] };

  beforeAll(async () => {
    h = await SubsidiesHarness.start('2021-04-10T08:00:00Z');
    pref971 = await h.token({ role: 'prefecture', subject: 'pref-971', departments: ['971'] });
    pref972 = await h.token({ role: 'prefecture', subject: 'pref-972', departments: ['972'] });
    bdt = await h.token({ role: 'bdt' });
    anct = await h.token({ role: 'anct' });
    gp = await validatedConvention(h, { departmentCode: '971', posts: 4, signedAt: '2021-03-01', occupiedOn: '2021-04-01' });
    mq = await validatedConvention(h, { departmentCode: '972', posts: 1, signedAt: '2021-03-01', occupiedOn: '2021-04-01' });
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  const order = (token: string, trancheId: string, key = randomUUID()) =>
    h.http().post(`/api/v1/tranches/${trancheId}/payment-orders`).set('Authorization', `Bearer ${token}`).set('Idempotency-Key', key);
  const execute = (orderId: string, body: Record<string, unknown>, key = randomUUID()) =>
    h.http().post(`/api/v1/payment-orders/${orderId}/executions`).set('Authorization', `Bearer ${bdt}`).set('Idempotency-Key', key).send(body);

  it('commits 70,000 € per public post in Guadeloupe and Martinique, the first 50 % due at occupation', async () => {
    const [t1, t2, t3] = await tranchesOf(h, gp.postIds[0]);
    expect([t1.state, t1.amount_cents, t1.due_on]).toEqual(['DUE', '3500000', '2021-04-01']);
    expect([t2.state, t2.amount_cents, t2.due_on]).toEqual(['SCHEDULED', '2100000', '2022-04-01']);
    expect([t3.state, t3.amount_cents, t3.due_on]).toEqual(['SCHEDULED', '1400000', null]);
    const due = await h.outbox('subsidies.TrancheDue');
    expect(due.filter((e) => gp.postIds.includes((e.payload as { postId: string }).postId))).toHaveLength(4);
    // the préfecture's list, filtered by due date: the tranches due at occupation, not the anniversary ones
    const list = (dueBefore: string) =>
      h.http().get(`/api/v1/tranches?departmentCode=971&dueBefore=${dueBefore}&pageSize=100`).set('Authorization', `Bearer ${pref971}`).expect(200).then((r) => r.body);
    const byOccupation = await list('2021-04-01');
    expect(byOccupation.items.map((t: { id: string }) => t.id).sort()).toEqual((await Promise.all(gp.postIds.map(async (p) => (await tranchesOf(h, p))[0].id))).sort());
    expect(byOccupation.items.every((t: { dueOn: string }) => t.dueOn <= '2021-04-01')).toBe(true);
    expect((await list('2021-03-31')).total).toBe(0);
    expect((await list('2022-04-01')).total).toBe(8);
    await h.http().get(`/api/v1/tranches?dueBefore=2021-02-30`).set('Authorization', `Bearer ${pref971}`).expect(400);
  });

  it('keeps a préfecture inside its département: 972 neither sees nor orders a tranche of 971', async () => {
    const [t971] = await tranchesOf(h, gp.postIds[0]);
    const [t972] = await tranchesOf(h, mq.postIds[0]);
    await order(pref972, t971.id).expect(404);
    await h.http().get(`/api/v1/tranches/${t971.id}`).set('Authorization', `Bearer ${pref972}`).expect(404);
    await h.http().get(`/api/v1/tranches?departmentCode=971`).set('Authorization', `Bearer ${pref972}`).expect(403);
    const own = await h.http().get(`/api/v1/tranches?status=DUE`).set('Authorization', `Bearer ${pref972}`).expect(200);
    expect(own.body.items.every((t: { departmentCode: string }) => t.departmentCode === '972')).toBe(true);
    expect(own.body.items.map((t: { id: string }) => t.id)).toContain(t972.id);
    expect(await h.query(`SELECT count(*)::int AS n FROM payment_orders WHERE tranche_id = $1`, [t971.id])).toEqual([{ n: 0 }]);
    // Nor can anyone but a préfecture order.
    await order(anct, t971.id).expect(403);
    await order(bdt, t971.id).expect(403);
  });

  it('orders a due tranche once; the same Idempotency-Key replays, another order is a 409', async () => {
    const [t] = await tranchesOf(h, gp.postIds[0]);
    const key = randomUUID();
    const first = await order(pref971, t.id, key).expect(201);
    expect(first.body).toMatchObject({ trancheId: t.id, status: 'ORDERED', amountCents: 3_500_000, departmentCode: '971', attempt: 1 });
    expect(first.body.reference).toMatch(/^CNFS-P-\d{10}$/);
    const replay = await order(pref971, t.id, key).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const again = await order(pref971, t.id).expect(409);
    expect(again.body).toMatchObject({ status: 409, code: 'ALREADY_ORDERED' });
    const [ordered] = await h.outbox('subsidies.TranchePaymentOrdered').then((events) => events.filter((e) => (e.payload as { trancheId: string }).trancheId === t.id));
    expect(ordered.payload).toMatchObject({ paymentOrderId: first.body.id, paymentReference: first.body.reference, amountCents: 3_500_000 });
    expect(ordered.actor).toEqual({ kind: 'user', subject: 'pref-971', role: 'prefecture', departments: ['971'] });
  });

  it('creates one order out of concurrent duplicate requests (different keys, and the same key)', async () => {
    const [t] = await tranchesOf(h, gp.postIds[1]);
    const responses = await Promise.all(Array.from({ length: 12 }, () => order(pref971, t.id)));
    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(11).fill(409)]);
    const [u] = await tranchesOf(h, gp.postIds[2]);
    const key = randomUUID();
    const same = await Promise.all(Array.from({ length: 8 }, () => order(pref971, u.id, key)));
    const created = same.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect(same.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const rows = await h.query(`SELECT tranche_id, count(*)::int AS n FROM payment_orders WHERE tranche_id = ANY($1::uuid[]) GROUP BY 1`, [[t.id, u.id]]);
    expect(rows.map((r) => r.n)).toEqual([1, 1]);
  });

  it('is paid once by the Banque des Territoires, at the ordered amount, even when executions race', async () => {
    const [t] = await tranchesOf(h, gp.postIds[1]);
    const orderId = t.current_order_id;
    const body = { bankReference: `BDT-${orderId.slice(0, 8)}`, executedOn: '2021-04-10', amountCents: 3_500_000, beneficiaryIban: IBANS[0], beneficiaryName: 'Commune des Abymes' };
    await execute(orderId, { ...body, amountCents: 3_499_999 }).expect(422);
    await h.http().post(`/api/v1/payment-orders/${orderId}/executions`).set('Authorization', `Bearer ${pref971}`).send(body).expect(403);
    await execute(orderId, { ...body, beneficiaryIban: 'FR7630006000011234567890188' }).expect(400);
    const raced = await Promise.all(Array.from({ length: 6 }, (_, i) => execute(orderId, { ...body, bankReference: `${body.bankReference}-${i}` })));
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const paid = raced.find((r) => r.status === 201)!.body;
    expect(paid).toMatchObject({ status: 'EXECUTED', execution: { executedOn: '2021-04-10', beneficiaryIban: IBANS[0] } });
    expect((await tranchesOf(h, gp.postIds[1]))[0].state).toBe('PAID');
    expect(await h.query(`SELECT count(*)::int AS n FROM payment_executions WHERE payment_order_id = $1`, [orderId])).toEqual([{ n: 1 }]);
    const [journal] = await h.query(`SELECT pending FROM ledger_journals WHERE business_key = $1`, [`EXECUTE:${orderId}`]);
    expect(journal.pending).toBe(true);
    expect((await h.outbox('subsidies.TranchePaid')).map((e) => (e.payload as { paymentOrderId: string }).paymentOrderId)).toContain(orderId);
  });

  it('takes a bank return: reversing journals, the tranche due again, ordered again as attempt 2', async () => {
    const [t] = await tranchesOf(h, gp.postIds[1]);
    const orderId = t.current_order_id;
    await h.http().post(`/api/v1/payment-orders/${orderId}/returns`).set('Authorization', `Bearer ${bdt}`).send({ returnedOn: '2021-04-10', reason: 'AC04 compte clôturé' }).expect(201);
    const [back] = await tranchesOf(h, gp.postIds[1]);
    expect([back.state, back.current_order_id]).toEqual(['DUE', null]);
    const reversals = await h.query(`SELECT kind, reverses_journal_id IS NOT NULL AS reverses FROM ledger_journals WHERE business_key = ANY($1) ORDER BY kind`, [[`VOID:${orderId}`, `UNORDER:${orderId}`]]);
    expect(reversals).toEqual([{ kind: 'UNORDER', reverses: true }, { kind: 'VOID', reverses: true }]);
    await h.http().post(`/api/v1/payment-orders/${orderId}/returns`).set('Authorization', `Bearer ${bdt}`).send({ returnedOn: '2021-04-10', reason: 'again' }).expect(409);
    const second = await order(pref971, t.id).expect(201);
    expect(second.body).toMatchObject({ attempt: 2, status: 'ORDERED' });
    const due = (await h.outbox('subsidies.TrancheDue')).filter((e) => (e.payload as { trancheId: string }).trancheId === t.id);
    expect(due.map((e) => (e.payload as { cause: string }).cause)).toEqual(['SCHEDULE', 'BANK_RETURN']);
  });

  it('refuses to order what is not due and reports balances per département and structure', async () => {
    const [, notDue] = await tranchesOf(h, gp.postIds[3]);
    expect((await order(pref971, notDue.id).expect(409)).body.code).toBe('NOT_DUE');
    const byDepartment = await h.http().get('/api/v1/ledger/balances?by=department&departmentCode=971').set('Authorization', `Bearer ${pref971}`).expect(200);
    expect(byDepartment.body).toEqual([
      { key: '971', committedCents: expect.any(Number), orderedCents: expect.any(Number), paidCents: expect.any(Number), pendingCents: expect.any(Number), reconciledCents: 0 },
    ]);
    const byStructure = await h.http().get(`/api/v1/ledger/balances?by=structure&structureId=${gp.structureId}`).set('Authorization', `Bearer ${anct}`).expect(200);
    // 4 posts × 70,000 € committed; tranche 1 of posts 1 and 3 ordered, post 2 re-ordered after its return; nothing paid now.
    expect(byStructure.body).toEqual([{ key: gp.structureId, committedCents: 28_000_000, orderedCents: 10_500_000, paidCents: 0, pendingCents: 0, reconciledCents: 0 }]);
    await h.http().get('/api/v1/ledger/balances?by=envelope').set('Authorization', `Bearer ${pref971}`).expect(403);
    const checks = await h.http().get('/api/v1/ledger/checks').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(checks.body.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
  });
});
