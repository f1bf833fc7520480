import { Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import { notFound, Page, pageWindow, ProblemException } from '@cnfs/service-kit';
import { AccountType, balancesFromTypeTotals } from '@cnfs/subsidies-domain';
import { SubsidiesCore } from '../core/core';
import { assertDepartmentFilter, listConditions } from '../core/principal';
import { cents } from '../core/sql';

export type BalanceDimension = 'envelope' | 'department' | 'structure';

const COLUMN: Record<BalanceDimension, string> = { envelope: 'envelope_id', department: 'department_code', structure: 'structure_id' };
const ACCOUNT_TYPES: AccountType[] = ['BUDGET', 'ENVELOPE', 'PREFECTURE', 'STRUCTURE', 'CLEARING', 'PAID_OUT', 'PROGRAMME_FUNDING', 'PROGRAMME_COST'];

export interface BalanceView {
  key: string;
  /** Envelope figures (only meaningful per envelope). */
  fundedCents?: number;
  availableCents?: number;
  committedCents: number;
  orderedCents: number;
  paidCents: number;
  /** Paid and not yet on a bank statement (pending in the ledger). */
  pendingCents: number;
  reconciledCents: number;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  problems: unknown[];
}

/**
 * Reads of the ledger: balances per envelope, département or structure (sums of the same
 * entries), journals, and the checks proving the books hold: every journal nets to zero, the
 * envelope counters agree with the ledger and never exceed the credits, tranches sum to their
 * commitment, no tranche paid twice, and reconciled ≤ paid ≤ ordered ≤ committed everywhere.
 */
@Injectable()
export class LedgerService {
  constructor(private readonly core: SubsidiesCore) {}

  async balances(principal: Principal, query: { by: BalanceDimension; envelopeId?: string; departmentCode?: string; structureId?: string }): Promise<BalanceView[]> {
    assertDepartmentFilter(principal, query.departmentCode);
    const params: unknown[] = [];
    if (principal.role !== 'anct' && principal.role !== 'bdt' && query.by === 'envelope') {
      throw new ProblemException(403, 'balances per envelope are national figures (anct, bdt)');
    }
    const where = listConditions(principal, params, [
      ['envelope_id', query.envelopeId], ['department_code', query.departmentCode], ['structure_id', query.structureId],
    ]);
    const column = COLUMN[query.by];
    where.push(`${column} IS NOT NULL`, `account_type NOT IN ('PROGRAMME_FUNDING', 'PROGRAMME_COST')`);
    const rows: { key: string; account_type: AccountType; total: string }[] = await this.core.dataSource.query(
      `SELECT ${column} AS key, account_type, sum(amount_cents)::text AS total FROM ledger_entries WHERE ${where.join(' AND ')} GROUP BY 1, 2 ORDER BY 1`,
      params,
    );
    const byKey = new Map<string, Record<AccountType, bigint>>();
    for (const r of rows) {
      const totals = byKey.get(r.key) ?? (Object.fromEntries(ACCOUNT_TYPES.map((t) => [t, 0n])) as Record<AccountType, bigint>);
      totals[r.account_type] += BigInt(r.total);
      byKey.set(r.key, totals);
    }
    return [...byKey].map(([key, totals]) => {
      const b = balancesFromTypeTotals(totals);
      return {
        key,
        ...(query.by === 'envelope' ? { fundedCents: b.funded.toNumber(), availableCents: b.available.toNumber() } : {}),
        committedCents: b.committed.toNumber(),
        orderedCents: b.ordered.toNumber(),
        paidCents: b.paid.toNumber(),
        pendingCents: b.paid.subtract(b.reconciled).toNumber(),
        reconciledCents: b.reconciled.toNumber(),
      };
    });
  }

  async journals(principal: Principal, query: { kind?: string; envelopeId?: string; departmentCode?: string; structureId?: string; page?: number; pageSize?: number }): Promise<Page<unknown>> {
    assertDepartmentFilter(principal, query.departmentCode);
    const params: unknown[] = [];
    const entryWhere = listConditions(
      principal, params, [['e.envelope_id', query.envelopeId], ['e.department_code', query.departmentCode], ['e.structure_id', query.structureId]],
      { department: 'e.department_code', structure: 'e.structure_id' },
    );
    const where: string[] = [];
    if (query.kind) {
      params.push(query.kind);
      where.push(`j.kind = $${params.length}`);
    }
    if (entryWhere.length) where.push(`EXISTS (SELECT 1 FROM ledger_entries e WHERE e.journal_id = j.id AND ${entryWhere.join(' AND ')})`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { limit, offset, page, pageSize } = pageWindow(query);
    const [{ total }] = await this.core.dataSource.query(`SELECT count(*)::int AS total FROM ledger_journals j ${clause}`, params);
    const journals = await this.core.dataSource.query(`SELECT * FROM ledger_journals j ${clause} ORDER BY recorded_at, id LIMIT ${limit} OFFSET ${offset}`, params);
    return { items: await this.withEntries(journals), page, pageSize, total };
  }

  async journal(principal: Principal, id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('journal');
    const rows = await this.core.dataSource.query(`SELECT * FROM ledger_journals WHERE id = $1`, [id]);
    if (rows.length === 0) throw notFound('journal');
    const [journal] = await this.withEntries(rows);
    if (principal.role === 'prefecture' && !journal.entries.some((e: { departmentCode: string | null }) => e.departmentCode && principal.departments.includes(e.departmentCode))) {
      throw notFound('journal');
    }
    return journal;
  }

  private async withEntries(journals: Record<string, any>[]) {
    if (journals.length === 0) return [];
    const entries: Record<string, any>[] = await this.core.dataSource.query(
      `SELECT * FROM ledger_entries WHERE journal_id = ANY($1::uuid[]) ORDER BY journal_id, line LIMIT 100000`,
      [journals.map((j) => j.id)],
    );
    return journals.map((j) => ({
      id: j.id,
      kind: j.kind,
      businessKey: j.business_key,
      pending: j.pending,
      reversesJournalId: j.reverses_journal_id,
      occurredOn: j.occurred_on,
      recordedAt: (j.recorded_at as Date).toISOString(),
      entries: entries
        .filter((e) => e.journal_id === j.id)
        .map((e) => ({ line: e.line, account: e.account, amountCents: cents(e.amount_cents).toNumber(), envelopeId: e.envelope_id, departmentCode: e.department_code, structureId: e.structure_id })),
    }));
  }

  /** The check queries (also a test oracle): each returns its problems, none when the books hold. */
  async checks(): Promise<{ ok: boolean; checks: CheckResult[] }> {
    const q = (sql: string) => this.core.dataSource.query(sql);
    const checks: CheckResult[] = [
      { name: 'every journal nets to zero', ok: true, problems: await q(`SELECT journal_id, sum(amount_cents)::text AS net FROM ledger_entries GROUP BY journal_id HAVING sum(amount_cents) <> 0`) },
      { name: 'every journal has at least two entries', ok: true, problems: await q(`SELECT j.id FROM ledger_journals j WHERE (SELECT count(*) FROM ledger_entries e WHERE e.journal_id = j.id) < 2`) },
      {
        name: 'envelope counters agree with the ledger and the fundings',
        ok: true,
        problems: await q(`
          SELECT b.id, b.amount_cents::text, b.committed_cents::text, l.funded::text, l.committed::text, f.total::text AS fundings
            FROM budget_envelopes b
            LEFT JOIN (SELECT envelope_id,
                              -sum(amount_cents) FILTER (WHERE account_type = 'BUDGET') AS funded,
                              sum(amount_cents) FILTER (WHERE account_type IN ('PREFECTURE', 'STRUCTURE', 'CLEARING', 'PAID_OUT')) AS committed
                         FROM ledger_entries GROUP BY envelope_id) l ON l.envelope_id = b.id
            LEFT JOIN (SELECT envelope_id, sum(amount_cents) AS total FROM envelope_fundings GROUP BY envelope_id) f ON f.envelope_id = b.id
           WHERE b.amount_cents <> COALESCE(l.funded, 0) OR b.committed_cents <> COALESCE(l.committed, 0) OR b.amount_cents <> COALESCE(f.total, 0)
              OR b.committed_cents > b.amount_cents`),
      },
      {
        name: 'tranches sum to their commitment; cancelled tranches to its cancelled amount',
        ok: true,
        problems: await q(`
          SELECT c.id, c.amount_cents::text, s.total::text, c.cancelled_cents::text, s.cancelled::text
            FROM commitments c
            JOIN (SELECT commitment_id, sum(amount_cents) AS total, COALESCE(sum(amount_cents) FILTER (WHERE status = 'CANCELLED'), 0) AS cancelled
                    FROM tranches GROUP BY commitment_id) s ON s.commitment_id = c.id
           WHERE s.total <> c.amount_cents OR s.cancelled <> c.cancelled_cents`),
      },
      {
        name: 'no tranche ordered or paid twice',
        ok: true,
        problems: await q(`SELECT tranche_id, count(*)::int AS live FROM payment_orders WHERE status <> 'RETURNED' GROUP BY tranche_id HAVING count(*) > 1`),
      },
      {
        name: 'reconciled ≤ paid ≤ ordered ≤ committed, per envelope, département and structure',
        ok: true,
        problems: await q(`
          WITH sums AS (
            SELECT dimension, key,
                   sum(amount) FILTER (WHERE account_type = 'PAID_OUT') AS reconciled,
                   sum(amount) FILTER (WHERE account_type IN ('CLEARING', 'PAID_OUT')) AS paid,
                   sum(amount) FILTER (WHERE account_type IN ('STRUCTURE', 'CLEARING', 'PAID_OUT')) AS ordered,
                   sum(amount) FILTER (WHERE account_type IN ('PREFECTURE', 'STRUCTURE', 'CLEARING', 'PAID_OUT')) AS committed
              FROM (SELECT 'envelope' AS dimension, envelope_id AS key, account_type, amount_cents AS amount FROM ledger_entries WHERE envelope_id IS NOT NULL
                    UNION ALL SELECT 'department', department_code, account_type, amount_cents FROM ledger_entries WHERE department_code IS NOT NULL
                    UNION ALL SELECT 'structure', structure_id, account_type, amount_cents FROM ledger_entries WHERE structure_id IS NOT NULL) x
             WHERE account_type IN ('PREFECTURE', 'STRUCTURE', 'CLEARING', 'PAID_OUT')
             GROUP BY dimension, key)
          SELECT * FROM sums
           WHERE COALESCE(reconciled, 0) < 0 OR COALESCE(reconciled, 0) > COALESCE(paid, 0) OR COALESCE(paid, 0) > COALESCE(ordered, 0)
              OR COALESCE(ordered, 0) > COALESCE(committed, 0)`),
      },
      {
        // (at most once: the primary key of statement_matches)
        name: 'every payment matched on a statement was executed, and its settlement is posted',
        ok: true,
        problems: await q(`
          SELECT m.execution_seq::text, e.reference, m.reconciliation_id FROM statement_matches m
            LEFT JOIN payment_executions e ON e.seq = m.execution_seq
            LEFT JOIN ledger_journals j ON j.business_key = 'SETTLE:' || m.reconciliation_id
           WHERE e.seq IS NULL OR j.id IS NULL`),
      },
      {
        // What reconciliations read instead of the history (migrations 1764000100006-7): nothing falls out of it.
        name: 'every payment executed, on no statement and not returned awaits one (carried, or recorded after the window)',
        ok: true,
        problems: await q(`
          SELECT e.reference FROM payment_executions e
           WHERE e.seq <= (SELECT executed_through FROM awaiting_statement_window)
             AND NOT EXISTS (SELECT 1 FROM awaiting_statement_carry c WHERE c.reference = e.reference)
             AND NOT EXISTS (SELECT 1 FROM statement_matches m WHERE m.execution_seq = e.seq)
             AND NOT EXISTS (SELECT 1 FROM payment_returns r WHERE r.payment_order_id = e.payment_order_id)`),
      },
    ];
    for (const check of checks) check.ok = check.problems.length === 0;
    return { ok: checks.every((c) => c.ok), checks };
  }
}
