import { Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import { Page, pageWindow } from '@cnfs/service-kit';
import { CalendarDate, journals, PROGRAMME_COST_KINDS, programmeCostId, ProgrammeCostKind, ProgrammeCostRate, rateOn } from '@cnfs/subsidies-domain';
import { EntityManager } from 'typeorm';
import { SubsidiesCore } from '../core/core';
import { postJournals } from '../core/ledger-writer';
import { assertDepartmentFilter, listConditions, whereClause } from '../core/principal';
import { cents } from '../core/sql';

export interface ProgrammeCostFact {
  kind: ProgrammeCostKind;
  conseillerId: string;
  contractId: string | null;
  structureId: string | null;
  departmentCode: string | null;
  incurredOn: CalendarDate;
  sourceEvent: string;
  sourceMessageId: string;
}

/**
 * Costs per conseiller beside the post subsidy, recorded once per conseiller and kind at the
 * rate in force on the day (training 4,805 €, PIX certification 326.60 €, outfit and
 * communication kit 297.20 €), each with its PROGRAMME_COST journal.
 */
@Injectable()
export class ProgrammeCostsService {
  constructor(private readonly core: SubsidiesCore) {}

  async rates(manager: EntityManager = this.core.dataSource.manager): Promise<(ProgrammeCostRate & { label: string })[]> {
    const rows = await manager.query(`SELECT kind, version, effective_from, amount_cents, label FROM programme_cost_rates ORDER BY kind, version`);
    return rows.map((r: Record<string, any>) => ({ kind: r.kind, version: r.version, effectiveFrom: r.effective_from, amount: cents(r.amount_cents), label: r.label }));
  }

  /** Returns false when the cost was already recorded for this conseiller (or no rate applies). */
  async record(manager: EntityManager, fact: ProgrammeCostFact): Promise<boolean> {
    const rate = rateOn(await this.rates(manager), fact.kind, fact.incurredOn);
    if (!rate) return false;
    const id = programmeCostId(fact.kind, fact.conseillerId);
    const inserted = await manager.query(
      `INSERT INTO programme_costs (id, kind, conseiller_id, contract_id, structure_id, department_code, amount_cents, incurred_on, rate_version, source_event, source_message_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (kind, conseiller_id) DO NOTHING RETURNING id`,
      [id, fact.kind, fact.conseillerId, fact.contractId, fact.structureId, fact.departmentCode, rate.amount.toString(), fact.incurredOn, rate.version, fact.sourceEvent, fact.sourceMessageId],
    );
    if (inserted.length === 0) return false;
    await postJournals(manager, [journals.programmeCost(id, fact.kind, { envelopeId: null, departmentCode: fact.departmentCode, structureId: fact.structureId }, rate.amount)], fact.incurredOn);
    return true;
  }

  async list(principal: Principal, query: { kind?: string; conseillerId?: string; structureId?: string; departmentCode?: string; page?: number; pageSize?: number }): Promise<Page<unknown>> {
    const { clause, params } = this.filter(principal, query);
    const { limit, offset, page, pageSize } = pageWindow(query);
    const [{ total }] = await this.core.dataSource.query(`SELECT count(*)::int AS total FROM programme_costs ${clause}`, params);
    const rows = await this.core.dataSource.query(`SELECT * FROM programme_costs ${clause} ORDER BY incurred_on, id LIMIT ${limit} OFFSET ${offset}`, params);
    return {
      items: rows.map((r: Record<string, any>) => ({
        id: r.id, kind: r.kind, conseillerId: r.conseiller_id, contractId: r.contract_id, structureId: r.structure_id, departmentCode: r.department_code,
        amountCents: cents(r.amount_cents).toNumber(), incurredOn: r.incurred_on, rateVersion: r.rate_version, sourceEvent: r.source_event,
      })),
      page, pageSize, total,
    };
  }

  /** Totals per kind (and overall), in the principal's scope. */
  async summary(principal: Principal, query: { departmentCode?: string; structureId?: string }) {
    const { clause, params } = this.filter(principal, query);
    const rows: { kind: ProgrammeCostKind; count: number; total: string }[] = await this.core.dataSource.query(
      `SELECT kind, count(*)::int AS count, sum(amount_cents)::text AS total FROM programme_costs ${clause} GROUP BY kind`,
      params,
    );
    const byKind = Object.fromEntries(PROGRAMME_COST_KINDS.map((k) => [k, { count: 0, totalCents: 0 }])) as Record<ProgrammeCostKind, { count: number; totalCents: number }>;
    for (const r of rows) byKind[r.kind] = { count: r.count, totalCents: cents(r.total).toNumber() };
    return { byKind, totalCents: Object.values(byKind).reduce((sum, k) => sum + k.totalCents, 0) };
  }

  private filter(principal: Principal, query: { kind?: string; conseillerId?: string; structureId?: string; departmentCode?: string }) {
    assertDepartmentFilter(principal, query.departmentCode);
    const params: unknown[] = [];
    const where = listConditions(principal, params, [
      ['kind', query.kind], ['conseiller_id', query.conseillerId], ['structure_id', query.structureId], ['department_code', query.departmentCode],
    ]);
    return { clause: whereClause(where), params };
  }
}
