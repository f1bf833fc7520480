import { Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import { EventContext, TrancheReconciledV1 } from '@cnfs/contracts';
import { Cents } from '@cnfs/money';
import { badRequest, conflict, CsvColumn, notFound, Page, pageWindow } from '@cnfs/service-kit';
import {
  ClassifiedLine,
  classifyLines,
  deterministicId,
  Finding,
  FINDINGS,
  journals,
  parseCamt053,
  parseCsvStatement,
  PaymentForMatching,
  PostDimensions,
  Statement,
  StatementFormat,
  StatementFormatError,
} from '@cnfs/subsidies-domain';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { SubsidiesCore } from '../core/core';
import { postJournals } from '../core/ledger-writer';
import { actorOf } from '../core/principal';
import { cents, copyCsv, copyField } from '../core/sql';
import { PaymentsService } from '../payments/payments.service';

/** An executed payment as the matcher needs it, with what the ledger and events need once matched. */
interface Payment extends PaymentForMatching {
  trancheId: string;
  dims: PostDimensions;
}

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

const EVENT_BATCH = 500;

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
    const sha = createHash('sha256').update(content).digest('hex');
    const known = await this.findBySha(this.core.dataSource.manager, sha);
    if (known) return { created: false, summary: await this.summary(known) };
    const statement = this.parse(content, format);
    const id = await this.core.transaction(async (manager): Promise<{ replay: string } | { created: string }> => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.reconciliation'))`);
      const concurrent = await this.findBySha(manager, sha);
      if (concurrent) return { replay: concurrent };
      const [sameId] = await manager.query(`SELECT id FROM reconciliations WHERE format = $1 AND statement_id = $2`, [format, statement.statementId]);
      if (sameId) {
        throw conflict(`statement ${statement.statementId} was already reconciled (${sameId.id}) with different content`, { reconciliationId: sameId.id });
      }
      return { created: await this.apply(manager, deterministicId('reconciliation', sha), sha, statement, actorOf(principal), context) };
    });
    if ('replay' in id) return { created: false, summary: await this.summary(id.replay) };
    return { created: true, summary: await this.summary(id.created) };
  }

  private async findBySha(manager: EntityManager, sha: string): Promise<string | undefined> {
    const [row] = await manager.query(`SELECT id FROM reconciliations WHERE content_sha256 = $1`, [sha]);
    return row?.id;
  }

  /** The whole reconciliation, inside the caller's transaction. Returns its id. */
  async apply(manager: EntityManager, id: string, sha: string, statement: Statement, createdBy: string, context: EventContext): Promise<string> {
    const today = this.core.today();
    const lookup = await this.loadPayments(manager, statement);
    const classified = classifyLines(statement.lines, (reference) => lookup.get(reference));

    await this.storeLines(manager, id, classified);

    const groups = new Map<string, { dims: PostDimensions; amount: Cents }>();
    const matched: ClassifiedLine<Payment>[] = [];
    const counts = Object.fromEntries(FINDINGS.map((f) => [f, 0])) as Record<Finding, number>;
    let matchedCents = 0n;
    for (const c of classified) {
      counts[c.finding] += 1;
      if (c.finding !== 'MATCHED') continue;
      const p = c.payment!;
      matched.push(c);
      matchedCents += p.amount.toBigInt();
      const key = `${p.dims.envelopeId}\u001f${p.dims.departmentCode}\u001f${p.dims.structureId}`;
      const group = groups.get(key);
      if (group) group.amount = group.amount.add(p.amount);
      else groups.set(key, { dims: p.dims, amount: p.amount });
    }
    // The pending executions the statement shows are posted: one journal, one pair of entries per envelope × département × structure.
    if (groups.size > 0) await postJournals(manager, [journals.settle(id, [...groups.values()])], today);

    for (let i = 0; i < matched.length; i += EVENT_BATCH) {
      const batch = matched.slice(i, i + EVENT_BATCH);
      await this.core.emit(manager, TrancheReconciledV1, id, {
        reconciliationId: id,
        statementId: statement.statementId,
        batch: i / EVENT_BATCH + 1,
        tranches: batch.map((c) => ({
          trancheId: c.payment!.trancheId, paymentOrderId: c.payment!.paymentOrderId, amountCents: c.payment!.amount.toNumber(),
          bookingDate: c.line.bookingDate, bankEntryReference: c.line.entryRef,
        })),
      }, context);
    }

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

    await manager.query(
      `INSERT INTO reconciliations (id, content_sha256, format, statement_id, account_iban, line_count, counts, matched_cents, unmatched_after_days, as_of, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [id, sha, statement.format, statement.statementId, statement.accountIban, statement.lines.length, JSON.stringify(counts), matchedCents.toString(), unmatchedAfterDays, today, createdBy],
    );
    return id;
  }

  /** The executed payment orders the statement's references name (one query). */
  private async loadPayments(manager: EntityManager, statement: Statement): Promise<Map<string, Payment>> {
    const references = [...new Set(statement.lines.map((l) => l.reference).filter((r): r is string => r !== null))];
    const client = (await manager.queryRunner!.connect()) as { query(config: { text: string; values: unknown[]; rowMode: 'array' }): Promise<{ rows: unknown[][] }> };
    const { rows } = await client.query({
      text: `SELECT o.reference, o.id, o.amount_cents, e.beneficiary_iban, o.status, o.tranche_id, o.envelope_id, o.department_code, o.structure_id,
                    EXISTS (SELECT 1 FROM statement_lines l WHERE l.payment_order_id = o.id AND l.finding = 'MATCHED') AS reconciled
               FROM payment_orders o JOIN payment_executions e ON e.payment_order_id = o.id
              WHERE o.reference = ANY($1::text[])`,
      values: [references],
      rowMode: 'array',
    });
    const payments = new Map<string, Payment>();
    for (const r of rows as [string, string, string, string, string, string, string, string, string, boolean][]) {
      payments.set(r[0], {
        reference: r[0],
        paymentOrderId: r[1],
        amount: Cents.of(r[2]),
        beneficiaryIban: r[3],
        state: r[4] === 'RETURNED' ? 'RETURNED' : r[9] ? 'RECONCILED' : 'EXECUTED',
        trancheId: r[5],
        dims: { envelopeId: r[6], departmentCode: r[7], structureId: r[8] },
      });
    }
    return payments;
  }

  /** Every line with its finding, bulk-loaded with COPY. */
  private async storeLines(manager: EntityManager, id: string, classified: ClassifiedLine<Payment>[]): Promise<void> {
    const chunks: Buffer[] = [];
    let buffer: string[] = [];
    let size = 0;
    for (const c of classified) {
      const l = c.line;
      const p = c.payment;
      const row =
        `${id},${l.lineNo},${copyField(l.entryRef)},${copyField(l.reference)},${l.amount.toString()},${l.direction},${l.bookingDate},` +
        `${copyField(l.counterpartyIban)},${copyField(l.counterpartyName)},${copyField(l.returnReason)},${c.finding},${p ? p.paymentOrderId : ''},` +
        `${p ? p.trancheId : ''},${p && c.finding === 'AMOUNT_MISMATCH' ? p.amount.toString() : ''},${copyField(c.detail)}\n`;
      buffer.push(row);
      size += row.length;
      if (size > 1 << 20) {
        chunks.push(Buffer.from(buffer.join('')));
        buffer = [];
        size = 0;
      }
    }
    if (buffer.length > 0) chunks.push(Buffer.from(buffer.join('')));
    await copyCsv(
      manager,
      `statement_lines (reconciliation_id, line_no, entry_ref, reference, amount_cents, direction, booking_date, counterparty_iban, counterparty_name, return_reason,
                        finding, payment_order_id, tranche_id, expected_amount_cents, detail)`,
      chunks,
    );
  }

  // ---- reads -------------------------------------------------------------------------------------

  async summary(id: string): Promise<ReconciliationSummary> {
    const [r] = await this.core.dataSource.query(`SELECT * FROM reconciliations WHERE id = $1`, [id]);
    if (!r) throw notFound('reconciliation');
    const findings = await this.core.dataSource.query(
      `SELECT * FROM statement_lines WHERE reconciliation_id = $1 AND finding <> 'MATCHED' ORDER BY line_no LIMIT 1000`,
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
    let clause = 'reconciliation_id = $1';
    if (query.finding) {
      params.push(query.finding);
      clause += ` AND finding = $2`;
    }
    const [{ total }] = await this.core.dataSource.query(`SELECT count(*)::int AS total FROM statement_lines WHERE ${clause}`, params);
    const rows = await this.core.dataSource.query(`SELECT * FROM statement_lines WHERE ${clause} ORDER BY line_no LIMIT ${limit} OFFSET ${offset}`, params);
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
      const rows = await this.core.dataSource.query(`SELECT * FROM statement_lines WHERE reconciliation_id = $1 ORDER BY line_no LIMIT 5000 OFFSET ${offset}`, [id]);
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
