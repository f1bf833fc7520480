import { Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import { Cents } from '@cnfs/money';
import { notFound, ProblemException, unprocessable } from '@cnfs/service-kit';
import {
  checkRuleProposal,
  computeSubsidy,
  deterministicId,
  NoApplicableRuleError,
  Phase,
  planTranches,
  RuleProposal,
  SubsidyQuery,
  SubsidyRule,
  templateProblems,
} from '@cnfs/subsidies-domain';
import { EntityManager } from 'typeorm';
import { SubsidiesCore } from '../core/core';
import { actorOf } from '../core/principal';
import { cents } from '../core/sql';

export interface RuleView {
  id: string;
  ruleKey: string;
  version: number;
  phase: Phase;
  legalStatus: 'PUBLIC' | 'PRIVATE';
  territory: string;
  effectiveFrom: string;
  label: string;
  totalCents: number;
  totalWithBonusCents: number;
  periods: { months: number; amountCents: number; qpvZrrBonusCents: number }[];
  createdBy: string;
  reason: string | null;
  createdAt: string;
}

export const ruleView = (r: SubsidyRule & { createdBy: string; reason: string | null; createdAt: string }): RuleView => ({
  id: r.id,
  ruleKey: r.ruleKey,
  version: r.version,
  phase: r.phase,
  legalStatus: r.legalStatus,
  territory: r.territory,
  effectiveFrom: r.effectiveFrom,
  label: r.label,
  totalCents: Cents.sum(r.periods.map((p) => p.amount)).toNumber(),
  totalWithBonusCents: Cents.sum(r.periods.map((p) => p.amount.add(p.qpvZrrBonus))).toNumber(),
  periods: r.periods.map((p) => ({ months: p.months, amountCents: p.amount.toNumber(), qpvZrrBonusCents: p.qpvZrrBonus.toNumber() })),
  createdBy: r.createdBy,
  reason: r.reason,
  createdAt: r.createdAt,
});

/** The 422 of a missing rule: the problem names the rule to configure (`missingRule`). */
export function missingRuleProblem(error: NoApplicableRuleError): ProblemException {
  return unprocessable(error.message, {
    type: 'https://cnfs.anct.gouv.fr/problems/no-applicable-subsidy-rule',
    missingRule: error.missing,
    errors: [{ field: 'departmentCode', message: `no rule: configure "${error.missing.suggestedRuleKey}"` }],
  });
}

@Injectable()
export class RulesService {
  constructor(private readonly core: SubsidiesCore) {}

  /** Every version of every rule (of one phase), as domain objects. */
  async load(manager: EntityManager = this.core.dataSource.manager, phase?: Phase): Promise<(SubsidyRule & { createdBy: string; reason: string | null; createdAt: string })[]> {
    const rows: {
      id: string; rule_key: string; version: number; phase: number; legal_status: 'PUBLIC' | 'PRIVATE'; territory: string; effective_from: string;
      label: string; created_by: string; reason: string | null; created_at: Date; periods: { months: number; amount_cents: string; bonus: string }[];
    }[] = await manager.query(
      `SELECT r.id, r.rule_key, r.version, k.phase, k.legal_status, k.territory, r.effective_from, r.label, r.created_by, r.reason, r.created_at,
              json_agg(json_build_object('months', p.months, 'amount_cents', p.amount_cents::text, 'bonus', p.qpv_zrr_bonus_cents::text) ORDER BY p.period_index) AS periods
         FROM subsidy_rules r JOIN subsidy_rule_keys k USING (rule_key) JOIN subsidy_rule_periods p ON p.rule_id = r.id
        WHERE ($1::smallint IS NULL OR k.phase = $1)
        GROUP BY r.id, k.rule_key, k.phase, k.legal_status, k.territory
        ORDER BY k.phase, r.rule_key, r.version`,
      [phase ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      ruleKey: r.rule_key,
      version: r.version,
      phase: Number(r.phase) as Phase,
      legalStatus: r.legal_status,
      territory: r.territory,
      effectiveFrom: r.effective_from,
      label: r.label,
      periods: r.periods.map((p) => ({ months: p.months, amount: cents(p.amount_cents), qpvZrrBonus: cents(p.bonus) })),
      createdBy: r.created_by,
      reason: r.reason,
      createdAt: r.created_at.toISOString(),
    }));
  }

  async list(filter: { phase?: Phase; legalStatus?: string; ruleKey?: string; asOf?: string }): Promise<RuleView[]> {
    let rules = await this.load(undefined, filter.phase);
    if (filter.legalStatus) rules = rules.filter((r) => r.legalStatus === filter.legalStatus);
    if (filter.ruleKey) rules = rules.filter((r) => r.ruleKey === filter.ruleKey);
    if (filter.asOf) {
      const asOf = filter.asOf;
      const inForce = new Map<string, (typeof rules)[number]>();
      for (const r of rules.filter((x) => x.effectiveFrom <= asOf)) {
        const current = inForce.get(r.ruleKey);
        if (!current || r.effectiveFrom > current.effectiveFrom) inForce.set(r.ruleKey, r);
      }
      rules = [...inForce.values()];
    }
    return rules.map(ruleView);
  }

  async get(id: string): Promise<RuleView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('subsidy rule');
    const rule = (await this.load()).find((r) => r.id === id.toLowerCase());
    if (!rule) throw notFound('subsidy rule');
    return ruleView(rule);
  }

  /** The subsidy of a post for a recruiter, or 422 naming the rule to configure. */
  async resolve(query: SubsidyQuery) {
    const rules = await this.load(undefined, query.phase);
    try {
      const subsidy = computeSubsidy(rules, query);
      const tranches = planTranches(subsidy.periodAmounts, this.core.settings.schedules[query.phase]);
      return {
        rule: ruleView(subsidy.rule as (typeof rules)[number]),
        amountCents: subsidy.total.toNumber(),
        bonusApplied: subsidy.bonusApplied,
        periodAmountsCents: subsidy.periodAmounts.map((a) => a.toNumber()),
        schedule: this.core.settings.schedules[query.phase].name,
        tranches: tranches.map((t) => ({ seq: t.seq, label: t.label, trigger: t.trigger, monthsAfterAnchor: t.monthsAfterAnchor, amountCents: t.amount.toNumber() })),
      };
    } catch (error) {
      if (error instanceof NoApplicableRuleError) throw missingRuleProblem(error);
      throw error;
    }
  }

  /** A new rule, or a new version of one: never an update of an existing version. */
  async create(principal: Principal, proposal: RuleProposal & { reason: string }): Promise<RuleView> {
    return this.core.transaction(async (manager) => {
      // Versions of rules are numbered one at a time.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.subsidy-rules'))`);
      const existing = await this.load(manager);
      const check = checkRuleProposal(existing, proposal, this.core.today());
      if (!check.ok) throw new ProblemException(check.status, check.detail, { errors: check.errors });
      const problems = templateProblems(this.core.settings.schedules[proposal.phase], proposal.periods.length);
      if (problems.length > 0) {
        throw unprocessable(`the phase-${proposal.phase} tranche schedule does not fit ${proposal.periods.length} period(s): ${problems.join('; ')}`, {
          errors: [{ field: 'periods', message: `phase ${proposal.phase} rules have ${proposal.phase === 1 ? 1 : 3} period(s) with this schedule` }],
        });
      }
      const id = deterministicId('rule', proposal.ruleKey, String(check.version));
      if (check.version === 1) {
        await manager.query(`INSERT INTO subsidy_rule_keys (rule_key, phase, legal_status, territory) VALUES ($1, $2, $3, $4)`, [
          proposal.ruleKey, proposal.phase, proposal.legalStatus, check.territory,
        ]);
      }
      await manager.query(
        `INSERT INTO subsidy_rules (id, rule_key, version, effective_from, label, created_by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, proposal.ruleKey, check.version, proposal.effectiveFrom, proposal.label, actorOf(principal), proposal.reason],
      );
      for (const [i, p] of proposal.periods.entries()) {
        await manager.query(`INSERT INTO subsidy_rule_periods (rule_id, period_index, months, amount_cents, qpv_zrr_bonus_cents) VALUES ($1, $2, $3, $4, $5)`, [
          id, i, p.months, p.amount.toString(), p.qpvZrrBonus.toString(),
        ]);
      }
      const created = (await this.load(manager, proposal.phase)).find((r) => r.id === id)!;
      return ruleView(created);
    });
  }
}
