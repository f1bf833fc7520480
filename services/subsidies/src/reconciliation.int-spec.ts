import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { StatementFormatError, StatementLine, StatementReader } from '@cnfs/subsidies-domain';
import { SubsidiesCore } from './core/core';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { IBANS, SubsidiesHarness, tranchesOf, uid, validatedConvention } from './testing/harness';

jest.setTimeout(120_000);

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const euros = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/**
 * Bank reconciliation on the real stack: a CSV and a camt.053 statement with one amount
 * mismatch, one unknown reference and one duplicate line give exactly those findings; the same
 * statement twice changes nothing; matched payments are posted, returns voided, orders left
 * unmatched after N days reported.
 */
describe('reconciliation of bank statements', () => {
  let h: SubsidiesHarness;
  let bdt: string;
  let anct: string;
  let pref: string;
  const run = Date.now().toString(36);

  /** Orders and pays the first tranche of each post; returns the payment orders. */
  async function paidOrders(postIds: string[], executedOn: string) {
    const orders = [];
    for (const [i, postId] of postIds.entries()) {
      const [t] = await tranchesOf(h, postId);
      const ordered = await h.http().post(`/api/v1/tranches/${t.id}/payment-orders`).set('Authorization', `Bearer ${pref}`).set('Idempotency-Key', randomUUID()).expect(201);
      const paid = await h.http().post(`/api/v1/payment-orders/${ordered.body.id}/executions`).set('Authorization', `Bearer ${bdt}`)
        .send({ bankReference: uid('BDT'), executedOn, amountCents: ordered.body.amountCents, beneficiaryIban: IBANS[i % IBANS.length], beneficiaryName: 'Commune' })
        .expect(201);
      orders.push({ ...paid.body, iban: IBANS[i % IBANS.length] });
    }
    return orders;
  }

  function fill(template: string, orders: { reference: string; amountCents: number; iban: string }[], statementId: string, booked: string) {
    const tag = `${run}${statementId.slice(0, 1)}`;
    let text = template.replaceAll('{{STATEMENT_ID}}', statementId).replaceAll('{{RUN}}', tag).replaceAll('{{BOOKED}}', booked);
    orders.forEach((o, i) => {
      text = text.replaceAll(`{{REF_${i + 1}}}`, o.reference).replaceAll(`{{AMOUNT_${i + 1}}}`, euros(o.amountCents)).replaceAll(`{{IBAN_${i + 1}}}`, o.iban);
    });
    return text.replaceAll('{{AMOUNT_4_WRONG}}', euros(orders[3].amountCents + 100));
  }

  /** Payments awaiting a statement as START_OF_RECONCILIATION reads them (six fields each, each ended by U+001F), for calling `apply` directly. */
  const awaitingRows = (payments: { reference: string; amountCents: number; iban: string; trancheId: string; dimension: number; seq: number | string }[]) => ({
    carried: [],
    recent: [{ payments: payments.map((p) => [p.reference, p.amountCents, p.iban, p.trancheId, p.dimension, p.seq, ''].join('\u001f')).join(''), through: '0' }],
  });
  const bdtContext = () => ({ actor: { kind: 'user' as const, subject: 'bdt-test', role: 'bdt' as const }, occurredAt: new Date(), correlationId: randomUUID() });

  const upload = (body: string, type: string) =>
    h.http().post('/api/v1/reconciliations').set('Authorization', `Bearer ${bdt}`).set('Content-Type', type).send(body);

  const counts = async () =>
    (await h.query(`SELECT (SELECT count(*) FROM statement_lines) AS lines, (SELECT count(*) FROM statement_matches) AS matches, (SELECT count(*) FROM ledger_entries) AS entries, (SELECT count(*) FROM outbox) AS events,
                           (SELECT count(*) FROM reconciliations) AS reconciliations, (SELECT count(*) FROM payment_returns) AS returns`))[0];

  beforeAll(async () => {
    h = await SubsidiesHarness.start('2021-05-03T08:00:00Z', { unmatchedAfterDays: 10 });
    bdt = await h.token({ role: 'bdt' });
    anct = await h.token({ role: 'anct' });
    pref = await h.token({ role: 'prefecture', subject: 'pref-antilles', departments: ['971', '972'] });
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  it('CSV: three matched, one amount mismatch, one unknown reference, one duplicate — exactly', async () => {
    const convention = await validatedConvention(h, { departmentCode: '971', posts: 4, signedAt: '2021-03-01', occupiedOn: '2021-04-01' });
    const orders = await paidOrders(convention.postIds, '2021-05-03');
    const csv = fill(fixture('statement-with-findings.csv'), orders, `CSV-${run}`, '2021-05-03');
    const response = await upload(csv, 'text/csv').expect(201);
    expect(response.body.counts).toEqual({
      MATCHED: 3, AMOUNT_MISMATCH: 1, BENEFICIARY_MISMATCH: 0, UNKNOWN_REFERENCE: 1, DUPLICATE_LINE: 1, RETURN: 0, RETURNED_ORDER: 0, UNMATCHED_ORDER: 0,
    });
    expect(response.body.findings.map((f: { lineNo: number; finding: string; paymentReference: string }) => [f.lineNo, f.finding, f.paymentReference])).toEqual([
      [4, 'AMOUNT_MISMATCH', orders[3].reference],
      [5, 'UNKNOWN_REFERENCE', `CNFS-P-UNKNOWN-${run}C`],
      [6, 'DUPLICATE_LINE', orders[0].reference],
    ]);
    expect(response.body.findings[0]).toMatchObject({ amountCents: orders[3].amountCents + 100, expectedAmountCents: orders[3].amountCents });
    expect(response.body.matchedCents).toBe(orders[0].amountCents + orders[1].amountCents + orders[2].amountCents);

    // Matched payments are posted; the mismatched one stays pending.
    const states = await Promise.all(convention.postIds.map(async (p) => (await tranchesOf(h, p))[0].state));
    expect(states).toEqual(['RECONCILED', 'RECONCILED', 'RECONCILED', 'PAID']);
    const order = await h.http().get(`/api/v1/payment-orders/${orders[0].id}`).set('Authorization', `Bearer ${bdt}`).expect(200);
    expect(order.body).toMatchObject({ status: 'RECONCILED', reconciliationId: response.body.id });
    const [settle] = await h.query(`SELECT kind, pending FROM ledger_journals WHERE business_key = $1`, [`SETTLE:${response.body.id}`]);
    expect(settle).toEqual({ kind: 'SETTLE', pending: false });
    const events = await h.outbox('subsidies.TrancheReconciled');
    expect(events.at(-1)!.payload).toMatchObject({ reconciliationId: response.body.id, statementId: `CSV-${run}`, batch: 1 });
    expect((events.at(-1)!.payload as { trancheIds: string[]; amountsCents: number[] }).amountsCents).toEqual(orders.slice(0, 3).map((o) => o.amountCents));
    const balance = await h.http().get(`/api/v1/ledger/balances?by=structure&structureId=${convention.structureId}`).set('Authorization', `Bearer ${anct}`).expect(200);
    expect(balance.body[0]).toMatchObject({ paidCents: 14_000_000, reconciledCents: 10_500_000, pendingCents: 3_500_000 });

    // A matched line is stored by what the bank alone says of it; its amount and beneficiary are its payment's.
    const matchedLines = await h.http().get(`/api/v1/reconciliations/${response.body.id}/lines?finding=MATCHED`).set('Authorization', `Bearer ${bdt}`).expect(200);
    expect(matchedLines.body.total).toBe(3);
    expect(matchedLines.body.items.map((l: Record<string, unknown>) => [l.lineNo, l.paymentReference, l.direction, l.amountCents, l.counterpartyIban, l.paymentOrderId, l.trancheId])).toEqual(
      orders.slice(0, 3).map((o, i) => [i + 1, o.reference, 'DBIT', o.amountCents, o.iban, o.id, o.trancheId]),
    );
    const [stored] = await h.query(`SELECT count(*)::int AS matches FROM statement_matches WHERE reconciliation_id = $1`, [response.body.id]);
    expect(stored.matches).toBe(3);
    const [none] = await h.query(`SELECT count(*)::int AS n FROM statement_lines WHERE reconciliation_id = $1 AND finding = 'MATCHED'`, [response.body.id]);
    expect(none.n).toBe(0);
    const all = await h.http().get(`/api/v1/reconciliations/${response.body.id}/lines?pageSize=100`).set('Authorization', `Bearer ${bdt}`).expect(200);
    expect(all.body.items.map((l: { lineNo: number; finding: string }) => [l.lineNo, l.finding])).toEqual([
      [1, 'MATCHED'], [2, 'MATCHED'], [3, 'MATCHED'], [4, 'AMOUNT_MISMATCH'], [5, 'UNKNOWN_REFERENCE'], [6, 'DUPLICATE_LINE'],
    ]);

    // The same statement twice changes nothing.
    const before = await counts();
    const again = await upload(csv, 'text/csv').expect(200);
    expect(again.body).toEqual(response.body);
    expect(await counts()).toEqual(before);

    // The report as CSV.
    const report = await h.http().get(`/api/v1/reconciliations/${response.body.id}/report.csv`).set('Authorization', `Bearer ${anct}`).expect(200);
    expect(report.headers['content-type']).toMatch(/text\/csv/);
    const rows = report.text.trim().split('\r\n');
    expect(rows[0]).toBe('finding,line_no,entry_reference,payment_reference,direction,booking_date,amount_cents,expected_amount_cents,counterparty_iban,payment_order_id,tranche_id,detail');
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(['MATCHED', 'MATCHED', 'MATCHED', 'AMOUNT_MISMATCH', 'UNKNOWN_REFERENCE', 'DUPLICATE_LINE']);
  });

  it('the same statement uploaded three times at once: reconciled once, the others answer it', async () => {
    const convention = await validatedConvention(h, { departmentCode: '971', posts: 4, signedAt: '2021-03-01', occupiedOn: '2021-04-01' });
    const orders = await paidOrders(convention.postIds, '2021-05-03');
    const csv = fill(fixture('statement-with-findings.csv'), orders, `RACE-${run}`, '2021-05-03');
    const before = await counts();
    // Each later one finds the first either by its statement id before the lock or, waiting behind it, by its SHA-256.
    const answers = await Promise.all([upload(csv, 'text/csv'), upload(csv, 'text/csv'), upload(csv, 'text/csv')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const [first] = await h.query(`SELECT count(*)::int AS n FROM reconciliations WHERE statement_id = $1`, [`RACE-${run}`]);
    expect(first.n).toBe(1);
    const after = await counts();
    expect(Number(after.matches) - Number(before.matches)).toBe(3);
    expect(Number(after.reconciliations) - Number(before.reconciliations)).toBe(1);
  });

  it('camt.053: the same three findings, exactly; pending entries are left out', async () => {
    const convention = await validatedConvention(h, { departmentCode: '972', posts: 4, signedAt: '2021-03-01', occupiedOn: '2021-04-01' });
    const orders = await paidOrders(convention.postIds, '2021-05-03');
    const xml = fill(fixture('statement-with-findings.camt053.xml'), orders, `CAMT-${run}`, '2021-05-03');
    const response = await upload(xml, 'application/xml').expect(201);
    expect(response.body).toMatchObject({ format: 'CAMT053', statementId: `CAMT-${run}`, accountIban: 'FR7630001007941234567890185', lines: 6 });
    expect(response.body.counts).toEqual({
      MATCHED: 3, AMOUNT_MISMATCH: 1, BENEFICIARY_MISMATCH: 0, UNKNOWN_REFERENCE: 1, DUPLICATE_LINE: 1, RETURN: 0, RETURNED_ORDER: 0, UNMATCHED_ORDER: 0,
    });
    expect(response.body.findings.map((f: { finding: string; entryReference: string }) => [f.finding, f.entryReference])).toEqual([
      ['AMOUNT_MISMATCH', `CAMT-${run}C-0004`],
      ['UNKNOWN_REFERENCE', `CAMT-${run}C-0005`],
      ['DUPLICATE_LINE', `CAMT-${run}C-0006`],
    ]);
    const before = await counts();
    await upload(xml, 'text/xml').expect(200);
    expect(await counts()).toEqual(before);
    // A different file claiming the same statement id is refused.
    await upload(xml.replace('<ElctrncSeqNb>1</ElctrncSeqNb>', '<ElctrncSeqNb>2</ElctrncSeqNb>'), 'application/xml').expect(409);
  });

  it('refuses malformed statements whole, naming line and field, and unknown content types', async () => {
    const bad = 'statement_id,entry_reference,booking_date,direction,amount,currency,payment_reference,beneficiary_iban,beneficiary_name\nS,B,2021-02-30,DBIT,12.345,EUR,,,\n';
    const response = await upload(bad, 'text/csv').expect(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['line 2: booking_date', 'line 2: amount']);
    await upload('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', 'application/xml').expect(400);
    await h.http().post('/api/v1/reconciliations').set('Authorization', `Bearer ${bdt}`).send({ statement: 'json' }).expect(415);
    await h.http().post('/api/v1/reconciliations').set('Authorization', `Bearer ${anct}`).set('Content-Type', 'text/csv').send('x').expect(403);
  });

  it('reports orders unmatched after N days, posts a bank return read on a statement', async () => {
    const convention = await validatedConvention(h, { departmentCode: '971', posts: 2, signedAt: '2021-03-01', occupiedOn: '2021-04-01' });
    const [paid, returned] = await paidOrders(convention.postIds, '2021-05-03');
    h.advanceDays(12); // 2021-05-15: the orders of 2021-05-03 are 12 days old
    const header = 'statement_id,entry_reference,booking_date,direction,amount,currency,payment_reference,beneficiary_iban,beneficiary_name,return_reason';
    const lines = [
      `LATE-${run},L-${run}-1,2021-05-14,DBIT,${euros(returned.amountCents)},EUR,${returned.reference},${returned.iban},Commune,`,
      `LATE-${run},L-${run}-2,2021-05-15,CRDT,${euros(returned.amountCents)},EUR,${returned.reference},${returned.iban},Commune,AC04`,
    ];
    const response = await upload([header, ...lines, ''].join('\n'), 'text/csv').expect(201);
    expect(response.body.counts).toMatchObject({ MATCHED: 1, RETURN: 1 });
    const unmatched = response.body.unmatchedOrders.map((u: { reference: string }) => u.reference);
    expect(unmatched).toContain(paid.reference); // executed 12 days ago, on no statement
    expect(unmatched).not.toContain(returned.reference);
    expect(response.body.counts.UNMATCHED_ORDER).toBe(response.body.unmatchedOrders.length);
    // The returned payment: reconciled then returned — unsettled, voided, unordered; the tranche is due again.
    const [t] = await tranchesOf(h, convention.postIds[1]);
    expect([t.state, t.current_order_id]).toEqual(['DUE', null]);
    const kinds = await h.query(`SELECT kind FROM ledger_journals WHERE business_key = ANY($1) ORDER BY kind`, [[`UNSETTLE:${returned.id}`, `VOID:${returned.id}`, `UNORDER:${returned.id}`]]);
    expect(kinds.map((k) => k.kind)).toEqual(['UNORDER', 'UNSETTLE', 'VOID']);
    const [r] = await h.query(`SELECT source FROM payment_returns WHERE payment_order_id = $1`, [returned.id]);
    expect(r.source).toBe('STATEMENT');
    const checks = await h.http().get('/api/v1/ledger/checks').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(checks.body.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
  });

  it('a statement found unreadable mid-way, while its first matches stream to COPY, is refused whole: nothing written', async () => {
    const convention = await validatedConvention(h, { departmentCode: '971', posts: 1, signedAt: '2021-03-01', occupiedOn: '2021-04-01' });
    const today = h.app.get(SubsidiesCore).today();
    const [order] = await paidOrders(convention.postIds, today);
    const [execution] = await h.query(`SELECT tranche_id, dimension_id, seq::text FROM payment_executions WHERE reference = $1`, [order.reference]);
    const awaiting = awaitingRows([
      { reference: order.reference, amountCents: order.amountCents, iban: order.iban, trancheId: execution.tranche_id, dimension: execution.dimension_id, seq: execution.seq },
    ]);
    const line: StatementLine = {
      lineNo: 1, entryRef: `MID-${run}-1`, reference: order.reference, amountCents: order.amountCents, direction: 'DBIT', bookingDate: today,
      counterpartyIban: order.iban, counterpartyName: 'Commune', returnReason: null,
    };
    let chunks = 0;
    const reader: StatementReader = {
      invalid: false,
      statementId: `MID-${run}`,
      next: () => {
        chunks += 1;
        if (chunks === 1) return [line];
        throw new StatementFormatError([{ line: 3, field: '(csv)', message: 'unterminated quoted field' }]);
      },
      finish: () => {
        throw new Error('never read through');
      },
    };
    const context = bdtContext();
    const before = await counts();
    await expect(h.dataSource.transaction((m) => h.app.get(ReconciliationService).apply(m, randomUUID(), 'f'.repeat(64), reader, awaiting, 'bdt-test', context)))
      .rejects.toThrow(/unterminated quoted field/);
    expect(chunks).toBe(2);
    expect(await counts()).toEqual(before);
    // The payment still awaits its statement: the same line, read whole, matches it.
    const header = 'statement_id,entry_reference,booking_date,direction,amount,currency,payment_reference,beneficiary_iban,beneficiary_name';
    const csv = `${header}\nMID-${run},MID-${run}-1,${today},DBIT,${euros(order.amountCents)},EUR,${order.reference},${order.iban},Commune\n`;
    expect((await upload(csv, 'text/csv').expect(201)).body.counts.MATCHED).toBe(1);
  });

  it('a malformed list of payments awaiting a statement fails the reconciliation before anything is written', async () => {
    const reader: StatementReader = {
      invalid: false,
      statementId: `BAD-${run}`,
      next: () => {
        throw new Error('never read');
      },
      finish: () => {
        throw new Error('never read');
      },
    };
    const tranche = randomUUID();
    const rows = (payments: string) => ({ carried: [], recent: [{ payments, through: '0' }] });
    const before = await counts();
    for (const [payments, error] of [
      [`CNFS-P-1\u001f25000x\u001fFR7630006000011234567890189\u001f${tranche}\u001f1\u001f7\u001f`, /amount beyond exact integer cents/],
      [`CNFS-P-1\u001f\u001fFR7630006000011234567890189\u001f${tranche}\u001f1\u001f7\u001f`, /amount beyond exact integer cents/],
      [`CNFS-P-1\u001f${'9'.repeat(17)}\u001fFR7630006000011234567890189\u001f${tranche}\u001f1\u001f7\u001f`, /amount beyond exact integer cents/],
      [`CNFS-P-1\u001f2500000\u001fFR7630006000011234567890189\u001f${tranche}\u001f-1\u001f7\u001f`, /malformed ledger dimension/],
      [`CNFS-P-1\u001f2500000\u001fFR7630006000011234567890189\u001f${tranche}\u001f1\u001f\u001f`, /malformed execution number/],
      [`CNFS-P-1\u001f2500000\u001fFR7630006000011234567890189\u001f${tranche}\u001f1\u001f${'9'.repeat(17)}\u001f`, /malformed execution number/],
      [`CNFS-P-1\u001f2500000\u001fFR7630006000011234567890189\u001f${tranche}\u001f1\u001f7`, /malformed list/],
      [`CNFS-P-1\u001f2500000\u001fFR7630006000011234567890189\u001f${tranche}\u001f1\u001f`, /malformed list/],
      [`CNFS-P-1\u001f2500000\u001fFR7630006000011234567890189\u001f${tranche}\u001f1\u001f7\u001fCNFS-P-2\u001f`, /malformed list/],
    ] as const) {
      await expect(
        h.dataSource.transaction((m) => h.app.get(ReconciliationService).apply(m, randomUUID(), 'd'.repeat(64), reader, rows(payments), 'bdt-test', bdtContext())),
      ).rejects.toThrow(error);
    }
    expect(await counts()).toEqual(before);
  });

  it('a large statement, streamed to COPY a chunk at a time: every match stored once, every TrancheReconciled batch once, in order', async () => {
    // 25,000 payments awaiting a statement (synthetic: one real ledger dimension), every one paid by the statement,
    // read 5,000 lines at a time. Checked inside the transaction, then rolled back (the payments exist nowhere else).
    const convention = await validatedConvention(h, { departmentCode: '971', posts: 1, signedAt: '2021-03-01', occupiedOn: '2021-04-01' });
    const today = h.app.get(SubsidiesCore).today();
    const [order] = await paidOrders(convention.postIds, today);
    const [{ dimension_id: dimension }] = await h.query(`SELECT dimension_id FROM payment_executions WHERE reference = $1`, [order.reference]);
    const count = 25_000;
    const payments = Array.from({ length: count }, (_, i) => ({ reference: `BIG-${run}-${i}`, amountCents: 100_000 + i, trancheId: randomUUID() }));
    // Execution numbers no real execution has (matches have no foreign key; everything here is rolled back).
    const awaiting = awaitingRows(payments.map((p, i) => ({ ...p, iban: order.iban, dimension, seq: 1e12 + i })));
    const lines: StatementLine[] = payments.map((p, i) => ({
      lineNo: i + 1, entryRef: `BIG-${run}-E${i}`, reference: p.reference, amountCents: p.amountCents, direction: 'DBIT', bookingDate: today,
      counterpartyIban: order.iban, counterpartyName: 'Commune', returnReason: null,
    }));
    let read = 0;
    const reader: StatementReader = {
      invalid: false,
      statementId: `BIG-${run}`,
      next: (max) => lines.slice(read, (read = Math.min(read + max, lines.length))),
      finish: () => ({ format: 'CSV', statementId: `BIG-${run}`, accountIban: null, lineCount: lines.length }),
    };
    const context = bdtContext();
    const id = randomUUID();
    const rollback = new Error('rolled back on purpose');
    await expect(h.dataSource.transaction(async (m) => {
      const summary = await h.app.get(ReconciliationService).apply(m, id, 'e'.repeat(64), reader, awaiting, 'bdt-test', context);
      expect(summary.counts).toMatchObject({ MATCHED: count, AMOUNT_MISMATCH: 0, UNKNOWN_REFERENCE: 0, DUPLICATE_LINE: 0 });
      const [{ matches, lines: lineNumbers }] = await m.query(`SELECT count(*)::int AS matches, count(DISTINCT line_no)::int AS lines FROM statement_matches WHERE reconciliation_id = $1`, [id]);
      expect([matches, lineNumbers]).toEqual([count, count]);
      const events = (await m.query(`SELECT envelope FROM outbox WHERE message_key = $1 AND event_type = 'subsidies.TrancheReconciled' ORDER BY id`, [id]))
        .map((r: { envelope: string }) => JSON.parse(r.envelope).payload as { batch: number; trancheIds: string[] });
      expect(events.map((e) => e.batch)).toEqual(Array.from({ length: count / 1000 }, (_, i) => i + 1));
      expect(events.flatMap((e) => e.trancheIds)).toEqual(payments.map((p) => p.trancheId));
      const [{ net, entries }] = await m.query(`SELECT sum(e.amount_cents)::text AS net, count(*)::int AS entries FROM ledger_entries e JOIN ledger_journals j ON j.id = e.journal_id WHERE j.business_key = $1`, [`SETTLE:${id}`]);
      expect([net, entries]).toEqual(['0', 2]);
      throw rollback;
    })).rejects.toBe(rollback);
  });

  it('the payments a statement leaves awaiting are carried to the next; one passed over by the window is still matched, once', async () => {
    const convention = await validatedConvention(h, { departmentCode: '972', posts: 5, signedAt: '2021-03-01', occupiedOn: '2021-04-01' });
    const today = h.app.get(SubsidiesCore).today();
    const [first, second, third, fourth, fifth] = await paidOrders(convention.postIds, today);
    const header = 'statement_id,entry_reference,booking_date,direction,amount,currency,payment_reference,beneficiary_iban,beneficiary_name';
    const statement = (id: string, orders: { reference: string; amountCents: number; iban: string }[]) =>
      [header, ...orders.map((o, i) => `${id},${id}-${i + 1},${today},DBIT,${euros(o.amountCents)},EUR,${o.reference},${o.iban},Commune`), ''].join('\n');
    const carried = async () =>
      (await h.query(`SELECT reference FROM awaiting_statement_carry WHERE reference = ANY($1) ORDER BY reference`, [[first, second, third, fourth, fifth].map((o) => o.reference)]))
        .map((r) => r.reference);
    const windowAndLastExecution = async () =>
      (await h.query(`SELECT (SELECT executed_through FROM awaiting_statement_window)::text AS through, (SELECT max(seq) FROM payment_executions)::text AS last`))[0];

    // The first statement pays `first` only: the four others are left awaiting, carried; the window moves past them all.
    expect((await upload(statement(`CARRY1-${run}`, [first]), 'text/csv').expect(201)).body.counts.MATCHED).toBe(1);
    expect(await carried()).toEqual([second, third, fourth, fifth].map((o) => o.reference).sort());
    const window = await windowAndLastExecution();
    expect(window.through).toBe(window.last);

    // `second` is returned through the API meanwhile; the next statement pays it (a payment returned: flagged) and `third`.
    await h.http().post(`/api/v1/payment-orders/${second.id}/returns`).set('Authorization', `Bearer ${bdt}`).set('Idempotency-Key', randomUUID())
      .send({ returnedOn: today, reason: 'AC04 closed account' }).expect(201);
    const next = await upload(statement(`CARRY2-${run}`, [second, third]), 'text/csv').expect(201);
    expect(next.body.counts).toMatchObject({ MATCHED: 1, RETURNED_ORDER: 1 });
    expect(await carried()).toEqual([fourth, fifth].map((o) => o.reference).sort());

    // An execution the window passed over without reading it (recorded while a reconciliation read the payments
    // awaiting a statement, committed after): in neither set, yet matched like any other, and only once. Its
    // statement also pays `fifth`, still carried: the settlement journal built when the pass ended (fifth's
    // alone) is built again with fourth's amount once its line, deferred, matches.
    await h.query(`DELETE FROM awaiting_statement_carry WHERE reference = $1`, [fourth.reference]);
    await h.query(`UPDATE awaiting_statement_window SET executed_through = (SELECT max(seq) FROM payment_executions)`);
    const late = await upload(statement(`CARRY3-${run}`, [fifth, fourth]), 'text/csv').expect(201);
    expect(late.body.counts).toMatchObject({ MATCHED: 2, DUPLICATE_LINE: 0, UNKNOWN_REFERENCE: 0 });
    expect(late.body.matchedCents).toBe(fourth.amountCents + fifth.amountCents);
    const [settled] = await h.query(
      `SELECT sum(e.amount_cents)::text AS cents FROM ledger_entries e JOIN ledger_journals j ON j.id = e.journal_id
        WHERE j.business_key = $1 AND e.account = 'PAID_OUT:BDT'`, [`SETTLE:${late.body.id}`]);
    expect(Number(settled.cents)).toBe(fourth.amountCents + fifth.amountCents);
    const again = await upload(statement(`CARRY4-${run}`, [fourth]), 'text/csv').expect(201);
    expect(again.body.counts).toMatchObject({ MATCHED: 0, DUPLICATE_LINE: 1 });
    expect(await carried()).toEqual([]);
    const checks = await h.http().get('/api/v1/ledger/checks').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(checks.body.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
  });

  it('recent payments are read a range of seqs at a time, empty ranges skipped; one returned before any statement read it is flagged, not posted', async () => {
    const convention = await validatedConvention(h, { departmentCode: '971', posts: 4, signedAt: '2021-03-01', occupiedOn: '2021-04-01' });
    const today = h.app.get(SubsidiesCore).today();
    // Executions far apart in seq: the recent ones span several ranges of 2,000 seqs, most of them empty.
    const skipSeqs = (n: number) => h.query(`SELECT setval(pg_get_serial_sequence('payment_executions', 'seq'), nextval(pg_get_serial_sequence('payment_executions', 'seq')) + $1)`, [n]);
    const orders = [];
    for (const [i, postId] of convention.postIds.entries()) {
      orders.push(...(await paidOrders([postId], today)).map((o) => ({ ...o, iban: IBANS[0] })));
      if (i < convention.postIds.length - 1) await skipSeqs([1, 2500, 1999][i]);
    }
    const [kept, returned, alsoKept, last] = orders;
    await h.http().post(`/api/v1/payment-orders/${returned.id}/returns`).set('Authorization', `Bearer ${bdt}`).set('Idempotency-Key', randomUUID())
      .send({ returnedOn: today, reason: 'AC04 closed account' }).expect(201);
    const header = 'statement_id,entry_reference,booking_date,direction,amount,currency,payment_reference,beneficiary_iban,beneficiary_name';
    const id = `RANGES-${run}`;
    const body = [header, ...orders.map((o, i) => `${id},${id}-${i + 1},${today},DBIT,${euros(o.amountCents)},EUR,${o.reference},${o.iban},Commune`), ''].join('\n');
    const response = await upload(body, 'text/csv').expect(201);
    expect(response.body.counts).toMatchObject({ MATCHED: 3, RETURNED_ORDER: 1, UNKNOWN_REFERENCE: 0, DUPLICATE_LINE: 0 });
    const matched = await h.query(
      `SELECT e.reference FROM statement_matches m JOIN payment_executions e ON e.seq = m.execution_seq WHERE m.reconciliation_id = $1 ORDER BY m.line_no`,
      [response.body.id],
    );
    expect(matched.map((m) => m.reference)).toEqual([kept, alsoKept, last].map((o) => o.reference));
    const [window] = await h.query(`SELECT (SELECT executed_through FROM awaiting_statement_window)::text AS through, (SELECT max(seq) FROM payment_executions)::text AS last`);
    expect(window.through).toBe(window.last);
  });

  it('an execution waits for the reconciliation running: the window never passes over one; orders left unmatched are reported from the carry', async () => {
    const convention = await validatedConvention(h, { departmentCode: '971', posts: 1, signedAt: '2021-03-01', occupiedOn: '2021-04-01' });
    const [t] = await tranchesOf(h, convention.postIds[0]);
    const ordered = await h.http().post(`/api/v1/tranches/${t.id}/payment-orders`).set('Authorization', `Bearer ${pref}`).set('Idempotency-Key', randomUUID()).expect(201);
    const today = h.app.get(SubsidiesCore).today();
    // A reconciliation holds its lock (taken here by hand, on another connection, as START_OF_RECONCILIATION takes it).
    const reconciling = h.dataSource.createQueryRunner();
    await reconciling.connect();
    await reconciling.startTransaction();
    let settled = false;
    try {
      await reconciling.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.reconciliation'))`);
      const execution = h.http().post(`/api/v1/payment-orders/${ordered.body.id}/executions`).set('Authorization', `Bearer ${bdt}`)
        .send({ bankReference: uid('BDT'), executedOn: today, amountCents: ordered.body.amountCents, beneficiaryIban: IBANS[0], beneficiaryName: 'Commune' })
        .then((response) => {
          settled = true;
          return response;
        });
      // The execution's transaction is seen waiting for the advisory lock; nothing of it is recorded meanwhile.
      let waiting = 0;
      for (let attempt = 0; attempt < 100 && waiting === 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        [{ waiting }] = await reconciling.query(
          `SELECT count(*)::int AS waiting FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()`,
        );
      }
      expect(waiting).toBe(1);
      expect(settled).toBe(false);
      expect(await reconciling.query(`SELECT 1 FROM payment_executions WHERE payment_order_id = $1`, [ordered.body.id])).toEqual([]);
      await reconciling.commitTransaction();
      expect((await execution).status).toBe(201);
    } finally {
      if (reconciling.isTransactionActive) await reconciling.rollbackTransaction();
      await reconciling.release();
    }

    // Left unmatched by the statements that follow, it is carried, then reported once it is older than 10 days —
    // from the carry, as the former scan of every execution found it.
    const header = 'statement_id,entry_reference,booking_date,direction,amount,currency,payment_reference,beneficiary_iban,beneficiary_name';
    const other = `${header}\nWAIT1-${run},WAIT1-${run}-1,${today},DBIT,12.34,EUR,CNFS-P-NONE-${run},${IBANS[0]},Inconnu\n`;
    const first = await upload(other, 'text/csv').expect(201);
    expect(first.body.unmatchedOrders.map((u: { reference: string }) => u.reference)).not.toContain(ordered.body.reference);
    expect(await h.query(`SELECT 1 FROM awaiting_statement_carry WHERE reference = $1`, [ordered.body.reference])).toHaveLength(1);
    h.advanceDays(11);
    const later = await upload(other.replaceAll('WAIT1', 'WAIT2'), 'text/csv').expect(201);
    const reported = later.body.unmatchedOrders.find((u: { reference: string }) => u.reference === ordered.body.reference);
    expect(reported).toMatchObject({ paymentOrderId: ordered.body.id, executedOn: today, daysUnmatched: 11, departmentCode: '971' });
    const exact = await h.query(
      `SELECT o.reference FROM payment_executions e JOIN payment_orders o ON o.id = e.payment_order_id
        WHERE e.executed_on < $1::date - 10 AND o.status = 'EXECUTED' AND NOT EXISTS (SELECT 1 FROM statement_matches m WHERE m.execution_seq = e.seq)
`,
      [h.app.get(SubsidiesCore).today()],
    );
    expect(later.body.unmatchedOrders.map((u: { reference: string }) => u.reference).sort()).toEqual(exact.map((r) => r.reference).sort());
    expect(later.body.counts.UNMATCHED_ORDER).toBe(exact.length);
    const checks = await h.http().get('/api/v1/ledger/checks').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(checks.body.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
  });

  it('lists reconciliations and their lines', async () => {
    const list = await h.http().get('/api/v1/reconciliations').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(list.body.total).toBeGreaterThanOrEqual(3);
    const id = list.body.items.at(-1).id;
    const lines = await h.http().get(`/api/v1/reconciliations/${id}/lines?finding=MATCHED`).set('Authorization', `Bearer ${bdt}`).expect(200);
    expect(lines.body.items.every((l: { finding: string }) => l.finding === 'MATCHED')).toBe(true);
    await h.http().get(`/api/v1/reconciliations/${randomUUID()}`).set('Authorization', `Bearer ${bdt}`).expect(404);
  });
});
