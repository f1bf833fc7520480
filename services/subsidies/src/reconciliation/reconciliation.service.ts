import { Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import { EventContext, TrancheReconciledV1 } from '@cnfs/contracts';
import { Cents } from '@cnfs/money';
import { badRequest, conflict, CsvColumn, notFound, Page, pageWindow } from '@cnfs/service-kit';
import {
  ClassifiedLine,
  classifyLines,
  csvRecords,
  deterministicId,
  Finding,
  FINDINGS,
  journals,
  parseCamt053,
  parseCsvStatement,
  PaymentForMatching,
  Statement,
  StatementFormat,
  StatementFormatError,
} from '@cnfs/subsidies-domain';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { EntityManager } from 'typeorm';
import { SubsidiesCore } from '../core/core';
import { postJournals } from '../core/ledger-writer';
import { actorOf } from '../core/principal';
import { cents, copyOut, copyText, openCopy, rawClient } from '../core/sql';
import { PaymentsService } from '../payments/payments.service';

/** An executed payment as the matcher needs it, with what the ledger and events need once matched. */
interface Payment extends PaymentForMatching {
  trancheId: string;
  /** envelope, département and structure joined by \u001f: the settlement's grouping key. */
  group: string;
}

const PAYMENT_COLUMNS = `o.reference, o.id, o.amount_cents, e.beneficiary_iban, o.tranche_id, o.envelope_id, o.department_code, o.structure_id`;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface ReconciliationSummary {
  id: string;
  statementId: string;
  format: StatementFormat;
  accountIban: string | null;
  asOf: string;
  lines: number;
  matchedCents: number;
  /** Per finding, UNMATCHED_ORDER included (orders executed more than `unmatchedAfterDays` days ago and on no statement). */
  counts: Record<Finding, number>;
  unmatchedAfterDays: number;
  createdBy: string;
  createdAt: string;
  /** Every line that is not MATCHED (the first 1,000), and the unmatched orders (the first 1,000). */
  findings: FindingView[];
  unmatchedOrders: { paymentOrderId: string; reference: string; amountCents: number; executedOn: string; daysUnmatched: number; departmentCode: string; structureId: string }[];
}

export interface FindingView {
  finding: Finding;
  lineNo: number | null;
  entryReference: string | null;
  paymentReference: string | null;
  direction: string | null;
  bookingDate: string | null;
  amountCents: number;
  expectedAmountCents: number | null;
  counterpartyIban: string | null;
  paymentOrderId: string | null;
  trancheId: string | null;
  detail: string | null;
}

const lineView = (r: Record<string, any>): FindingView => ({
  finding: r.finding,
  lineNo: r.line_no,
  entryReference: r.entry_ref,
  paymentReference: r.reference,
  direction: r.direction,
  bookingDate: r.booking_date,
  amountCents: cents(r.amount_cents).toNumber(),
  expectedAmountCents: r.expected_amount_cents === null ? null : cents(r.expected_amount_cents).toNumber(),
  counterpartyIban: r.counterparty_iban,
  paymentOrderId: r.payment_order_id,
  trancheId: r.tranche_id,
  detail: r.detail,
});

const EVENT_BATCH = 1000;

function paymentOf(row: unknown[], state: PaymentForMatching['state']): Payment {
  const amountCents = Number(row[2]);
  if (!Number.isSafeInteger(amountCents)) throw new Error(`payment ${row[1]}: amount beyond exact integer cents`);
  return {
    reference: row[0] as string, paymentOrderId: row[1] as string, amountCents, beneficiaryIban: row[3] as string, trancheId: row[4] as string,
    group: `${row[5]}\u001f${row[6]}\u001f${row[7]}`, state,
  };
}

const text = (value: string | null) => (value === null ? '' : copyText(value));

/** COPY rows (CSV) of classified lines [from, to); the reconciliation id comes from the column default. */
function lineRows(classified: ClassifiedLine<Payment>[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const c = classified[i];
    const l = c.line;
    const p = c.payment;
    out +=
      `${l.lineNo},${text(l.entryRef)},${text(l.reference)},${l.amountCents},${l.direction},${l.bookingDate},${text(l.counterpartyIban)},` +
      `${text(l.counterpartyName)},${text(l.returnReason)},${c.finding},${p ? p.paymentOrderId : ''},` +
      `${p && c.finding === 'AMOUNT_MISMATCH' ? p.amountCents : ''},${text(c.detail)}\n`;
  }
  return out;
}

/**
 * Bank reconciliation by the Banque des Territoires. A statement (CSV or camt.053) is read
 * strictly, its lines classified by the domain matcher against executed payment orders, and in
 * one transaction: every line stored with its finding (COPY), the matched payments posted (one
 * SETTLE journal, the pending executions becoming posted), returns applied, orders unmatched
 * for too long listed, TrancheReconciled announced. The same statement again (same bytes)
 * answers the first reconciliation and changes nothing; reconciliations run one at a time.
 */
@Injectable()
export class ReconciliationService {
  /** Milliseconds spent in each step of the last reconciliation (the bench prints them). */
  lastTimings: Record<string, number> = {};
  private mark = 0;

  private lap(step: string): void {
    const now = performance.now();
    this.lastTimings[step] = Math.round((now - this.mark) * 10) / 10;
    this.mark = now;
  }

  constructor(
    private readonly core: SubsidiesCore,
    private readonly payments: PaymentsService,
  ) {}

  parse(content: string, format: StatementFormat): Statement {
    try {
      return format === 'CSV' ? parseCsvStatement(content) : parseCamt053(content);
    } catch (error) {
      if (error instanceof StatementFormatError) {
        throw badRequest(error.message, error.problems.map((p) => ({ field: p.line ? `line ${p.line}: ${p.field}` : p.field, message: p.message })));
      }
      throw error;
    }
  }

  async reconcile(principal: Principal, content: string, format: StatementFormat, context: EventContext): Promise<{ created: boolean; summary: ReconciliationSummary }> {
    this.lastTimings = {};
    this.mark = performance.now();
    const sha = createHash('sha256').update(content).digest('hex');
    const known = await this.findBySha(this.core.dataSource.manager, sha);
    if (known) return { created: false, summary: await this.summary(known) };
    this.lap('hash');
    const outcome = await this.core.transaction(async (manager): Promise<{ replay: string } | { created: string }> => {
      // One reconciliation at a time (bank returns through the API take the same lock).
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.reconciliation')), set_config('jit', 'off', true)`);
      const concurrent = await this.findBySha(manager, sha);
      if (concurrent) return { replay: concurrent };
      this.lap('lock');
      // The payments awaiting a statement are read (COPY out: no per-field decoding) while the statement is parsed.
      const pending = copyOut(
        manager,
        `SELECT ${PAYMENT_COLUMNS} FROM payment_orders o JOIN payment_executions e ON e.payment_order_id = o.id
          WHERE o.status = 'EXECUTED' AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.payment_order_id = o.id AND l.finding = 'MATCHED')`,
      );
      pending.catch(() => undefined);
      let statement: Statement;
      try {
        statement = this.parse(content, format);
      } finally {
        await pending.catch(() => undefined);
      }
      this.lap('parse');
      const [sameId] = await manager.query(`SELECT id FROM reconciliations WHERE format = $1 AND statement_id = $2`, [format, statement.statementId]);
      if (sameId) {
        throw conflict(`statement ${statement.statementId} was already reconciled (${sameId.id}) with different content`, { reconciliationId: sameId.id });
      }
      const id = deterministicId('reconciliation', sha);
      return { created: await this.apply(manager, id, sha, statement, await pending, actorOf(principal), context) };
    });
    this.lap('commit');
    if ('replay' in outcome) return { created: false, summary: await this.summary(outcome.replay) };
    const summary = await this.summary(outcome.created);
    this.lap('report');
    return { created: true, summary };
  }

  private async findBySha(manager: EntityManager, sha: string): Promise<string | undefined> {
    const [row] = await manager.query(`SELECT id FROM reconciliations WHERE content_sha256 = $1`, [sha]);
    return row?.id;
  }

  /**
   * The whole reconciliation, inside the caller's transaction (which holds the reconciliation
   * lock): `pendingCsv` holds the executed payments on no statement yet (CSV of PAYMENT_COLUMNS). Returns the id.
   */
  async apply(manager: EntityManager, id: string, sha: string, statement: Statement, pendingCsv: string, createdBy: string, context: EventContext): Promise<string> {
    const today = this.core.today();
    const lookup = new Map<string, Payment>();
    for (const { fields } of csvRecords(pendingCsv)) lookup.set(fields[0], paymentOf(fields, 'EXECUTED'));
    // References the pending payments do not explain: reconciled or returned before (duplicates, returns), or unknown.
    const missing = new Set<string>();
    for (const line of statement.lines) if (line.reference !== null && !lookup.has(line.reference)) missing.add(line.reference);
    const others = [...missing];
    if (others.length > 0) {
      const client = await rawClient(manager);
      const { rows } = await client.query({
        text: `SELECT ${PAYMENT_COLUMNS.replace('o.amount_cents', 'o.amount_cents::text')}, o.status, EXISTS (SELECT 1 FROM statement_lines l WHERE l.payment_order_id = o.id AND l.finding = 'MATCHED')
                 FROM payment_orders o JOIN payment_executions e ON e.payment_order_id = o.id WHERE o.reference = ANY($1::text[])`,
        values: [others],
        rowMode: 'array',
      });
      for (const row of rows) lookup.set(row[0], paymentOf(row, row[8] === 'RETURNED' ? 'RETURNED' : row[9] ? 'RECONCILED' : 'EXECUTED'));
    }
    this.lap('load payments');
    const classified = classifyLines(statement.lines, (reference) => lookup.get(reference));
    this.lap('classify');

    // Every line with its finding, streamed to COPY while the rest is computed.
    await manager.query(`SELECT set_config('subsidies.reconciliation_id', $1, true)`, [id]);
    const copy = await openCopy(
      manager,
      `statement_lines (line_no, entry_ref, reference, amount_cents, direction, booking_date, counterparty_iban, counterparty_name, return_reason,
                        finding, payment_order_id, expected_amount_cents, detail)`,
    );
    const CHUNK = 5000;
    for (let start = 0; start < classified.length; start += CHUNK) {
      copy.write(Buffer.from(lineRows(classified, start, Math.min(start + CHUNK, classified.length))));
      await yieldToEventLoop();
    }
    const stored = copy.end();
    this.lap('stream lines (COPY)');

    const counts = Object.fromEntries(FINDINGS.map((f) => [f, 0])) as Record<Finding, number>;
    const groups = new Map<string, number>();
    const matched: Payment[] = [];
    let matchedCents = 0;
    for (const c of classified) {
      counts[c.finding] += 1;
      if (c.finding !== 'MATCHED') continue;
      const p = c.payment!;
      matched.push(p);
      matchedCents += p.amountCents;
      groups.set(p.group, (groups.get(p.group) ?? 0) + p.amountCents);
    }
    if (!Number.isSafeInteger(matchedCents)) throw new Error('the matched total is beyond exact integer cents');
    // Built (and validated) while PostgreSQL ingests the lines; written once the COPY is done
    // (one query at a time on the connection).
    const settlement =
      groups.size > 0
        ? journals.settle(id, [...groups].map(([group, amount]) => {
            const [envelopeId, departmentCode, structureId] = group.split('\u001f');
            return { dims: { envelopeId, departmentCode, structureId }, amount: Cents.of(amount) };
          }))
        : undefined;
    const events = [];
    for (let i = 0; i < matched.length; i += EVENT_BATCH) {
      const batch = matched.slice(i, i + EVENT_BATCH);
      events.push({
        topic: TrancheReconciledV1.topic,
        envelope: TrancheReconciledV1.create(id, {
          reconciliationId: id,
          statementId: statement.statementId,
          batch: i / EVENT_BATCH + 1,
          trancheIds: batch.map((p) => p.trancheId),
          amountsCents: batch.map((p) => p.amountCents),
        }, context),
      });
    }
    this.lap('settlement and events (built)');
    await stored;
    if (settlement) await postJournals(manager, [settlement], today);
    await this.core.outbox.add(manager, ...events);
    this.lap('lines, settlement, events (written)');

    for (const c of classified) {
      if (c.finding !== 'RETURN') continue;
      const order = await this.payments.lockOrder(manager, c.payment!.paymentOrderId);
      await this.payments.applyReturn(
        manager, order,
        { returnedOn: c.line.bookingDate, reason: c.line.returnReason ?? 'returned by the bank', source: 'STATEMENT', reconciliationId: id, recordedBy: createdBy },
        context,
      );
    }

    const unmatchedAfterDays = this.core.settings.unmatchedAfterDays;
    const unmatched = await manager.query(
      `INSERT INTO reconciliation_unmatched (reconciliation_id, payment_order_id, reference, amount_cents, executed_on, days_unmatched, department_code, structure_id)
       SELECT $1, o.id, o.reference, o.amount_cents, e.executed_on, $2::date - e.executed_on, o.department_code, o.structure_id
         FROM payment_executions e JOIN payment_orders o ON o.id = e.payment_order_id
        WHERE e.executed_on < $2::date - $3::int AND o.status = 'EXECUTED'
          AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.payment_order_id = o.id AND l.finding = 'MATCHED')
       RETURNING 1`,
      [id, today, unmatchedAfterDays],
    );
    counts.UNMATCHED_ORDER = unmatched.length;
    this.lap('returns and unmatched orders');

    await manager.query(
      `INSERT INTO reconciliations (id, content_sha256, format, statement_id, account_iban, line_count, counts, matched_cents, unmatched_after_days, as_of, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [id, sha, statement.format, statement.statementId, statement.accountIban, statement.lines.length, JSON.stringify(counts), matchedCents, unmatchedAfterDays, today, createdBy],
    );
    return id;
  }

  // ---- reads -------------------------------------------------------------------------------------

  async summary(id: string): Promise<ReconciliationSummary> {
    const [r] = await this.core.dataSource.query(`SELECT * FROM reconciliations WHERE id = $1`, [id]);
    if (!r) throw notFound('reconciliation');
    const findings = await this.core.dataSource.query(
      `SELECT l.*, o.tranche_id FROM statement_lines l LEFT JOIN payment_orders o ON o.id = l.payment_order_id
        WHERE l.reconciliation_id = $1 AND l.finding <> 'MATCHED' ORDER BY l.line_no LIMIT 1000`,
      [id],
    );
    const unmatched = await this.core.dataSource.query(`SELECT * FROM reconciliation_unmatched WHERE reconciliation_id = $1 ORDER BY executed_on, reference LIMIT 1000`, [id]);
    return {
      id: r.id,
      statementId: r.statement_id,
      format: r.format,
      accountIban: r.account_iban,
      asOf: r.as_of,
      lines: r.line_count,
      matchedCents: cents(r.matched_cents).toNumber(),
      counts: r.counts,
      unmatchedAfterDays: r.unmatched_after_days,
      createdBy: r.created_by,
      createdAt: (r.created_at as Date).toISOString(),
      findings: findings.map(lineView),
      unmatchedOrders: unmatched.map((u: Record<string, any>) => ({
        paymentOrderId: u.payment_order_id, reference: u.reference, amountCents: cents(u.amount_cents).toNumber(), executedOn: u.executed_on,
        daysUnmatched: u.days_unmatched, departmentCode: u.department_code, structureId: u.structure_id,
      })),
    };
  }

  async list(query: { page?: number; pageSize?: number }): Promise<Page<Omit<ReconciliationSummary, 'findings' | 'unmatchedOrders'>>> {
    const { limit, offset, page, pageSize } = pageWindow(query);
    const [{ total }] = await this.core.dataSource.query(`SELECT count(*)::int AS total FROM reconciliations`);
    const rows = await this.core.dataSource.query(`SELECT * FROM reconciliations ORDER BY created_at DESC, id LIMIT ${limit} OFFSET ${offset}`);
    return {
      items: rows.map((r: Record<string, any>) => ({
        id: r.id, statementId: r.statement_id, format: r.format, accountIban: r.account_iban, asOf: r.as_of, lines: r.line_count,
        matchedCents: cents(r.matched_cents).toNumber(), counts: r.counts, unmatchedAfterDays: r.unmatched_after_days, createdBy: r.created_by,
        createdAt: (r.created_at as Date).toISOString(),
      })),
      page, pageSize, total,
    };
  }

  async lines(id: string, query: { finding?: string; page?: number; pageSize?: number }): Promise<Page<FindingView>> {
    await this.exists(id);
    const { limit, offset, page, pageSize } = pageWindow(query);
    const params: unknown[] = [id];
    let clause = 'l.reconciliation_id = $1';
    if (query.finding) {
      params.push(query.finding);
      clause += ` AND l.finding = $2`;
    }
    const [{ total }] = await this.core.dataSource.query(`SELECT count(*)::int AS total FROM statement_lines l WHERE ${clause}`, params);
    const rows = await this.core.dataSource.query(
      `SELECT l.*, o.tranche_id FROM statement_lines l LEFT JOIN payment_orders o ON o.id = l.payment_order_id WHERE ${clause} ORDER BY l.line_no LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    return { items: rows.map(lineView), page, pageSize, total };
  }

  async exists(id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('reconciliation');
    const [r] = await this.core.dataSource.query(`SELECT 1 FROM reconciliations WHERE id = $1`, [id]);
    if (!r) throw notFound('reconciliation');
  }

  /** The report as CSV rows: every line with its finding, then the orders unmatched for too long. */
  async *reportRows(id: string): AsyncIterable<FindingView> {
    for (let offset = 0; ; offset += 5000) {
      const rows = await this.core.dataSource.query(
        `SELECT l.*, o.tranche_id FROM statement_lines l LEFT JOIN payment_orders o ON o.id = l.payment_order_id
          WHERE l.reconciliation_id = $1 ORDER BY l.line_no LIMIT 5000 OFFSET ${offset}`,
        [id],
      );
      for (const r of rows) yield lineView(r);
      if (rows.length < 5000) break;
    }
    const unmatched = await this.core.dataSource.query(`SELECT * FROM reconciliation_unmatched WHERE reconciliation_id = $1 ORDER BY executed_on, reference`, [id]);
    for (const u of unmatched) {
      yield {
        finding: 'UNMATCHED_ORDER', lineNo: null, entryReference: null, paymentReference: u.reference, direction: null, bookingDate: null,
        amountCents: cents(u.amount_cents).toNumber(), expectedAmountCents: null, counterpartyIban: null, paymentOrderId: u.payment_order_id, trancheId: null,
        detail: `executed on ${u.executed_on}, on no statement after ${u.days_unmatched} days`,
      };
    }
  }
}

export const REPORT_COLUMNS: CsvColumn<FindingView>[] = [
  { header: 'finding', value: (r) => r.finding },
  { header: 'line_no', value: (r) => r.lineNo },
  { header: 'entry_reference', value: (r) => r.entryReference },
  { header: 'payment_reference', value: (r) => r.paymentReference },
  { header: 'direction', value: (r) => r.direction },
  { header: 'booking_date', value: (r) => r.bookingDate },
  { header: 'amount_cents', value: (r) => r.amountCents },
  { header: 'expected_amount_cents', value: (r) => r.expectedAmountCents },
  { header: 'counterparty_iban', value: (r) => r.counterpartyIban },
  { header: 'payment_order_id', value: (r) => r.paymentOrderId },
  { header: 'tranche_id', value: (r) => r.trancheId },
  { header: 'detail', value: (r) => r.detail },
];
