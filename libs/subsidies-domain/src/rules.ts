import { Cents } from '@cnfs/money';
import { classifyTerritory, findDepartment, normalizeDepartmentCode, type Department } from '@cnfs/territory';
import { CalendarDate, isCalendarDate } from './dates';

export type Phase = 1 | 2;
export type LegalStatus = 'PUBLIC' | 'PRIVATE';
export const LEGAL_STATUSES: readonly LegalStatus[] = ['PUBLIC', 'PRIVATE'];

/**
 * Where a rule applies:
 * - `PROGRAMME`: the 101 départements of the programme (metropolitan France, Corsica and the 5 DROM);
 * - `METROPOLE`, `DROM`: a territory group of @cnfs/territory;
 * - `DROM:REUNION_MAYOTTE`, `DROM:ANTILLES_GUYANE`: a DROM sub-group;
 * - `DEPARTMENT:<code>`: one département or overseas collectivity (how an operator configures 975, 987…).
 * The overseas collectivities (COM) are in no group but `DEPARTMENT:`: without such a rule they get no amount.
 */
export type TerritoryScope = string;

const SCOPE_SPECIFICITY: Record<string, number> = { PROGRAMME: 1, METROPOLE: 2, DROM: 2, 'DROM:REUNION_MAYOTTE': 3, 'DROM:ANTILLES_GUYANE': 3 };

/** Normalises and checks a territory scope; returns undefined when it is not one. */
export function parseTerritoryScope(text: string): TerritoryScope | undefined {
  const value = text.trim().toUpperCase();
  if (value in SCOPE_SPECIFICITY) return value;
  const match = /^DEPARTMENT:(.+)$/.exec(value);
  if (match) {
    const department = findDepartment(match[1]);
    return department ? `DEPARTMENT:${department.code}` : undefined;
  }
  return undefined;
}

/** Higher is more specific: a département rule beats a DROM sub-group rule, which beats a group, which beats PROGRAMME. */
export function scopeSpecificity(scope: TerritoryScope): number {
  return scope.startsWith('DEPARTMENT:') ? 4 : (SCOPE_SPECIFICITY[scope] ?? 0);
}

export function scopeMatches(scope: TerritoryScope, department: Department): boolean {
  const classification = department.classification;
  switch (scope) {
    case 'PROGRAMME':
      return classification.group === 'METROPOLE' || classification.group === 'DROM';
    case 'METROPOLE':
      return classification.group === 'METROPOLE';
    case 'DROM':
      return classification.group === 'DROM';
    case 'DROM:REUNION_MAYOTTE':
    case 'DROM:ANTILLES_GUYANE':
      return classification.group === 'DROM' && `DROM:${classification.dromGroup}` === scope;
    default:
      return scope === `DEPARTMENT:${department.code}`;
  }
}

/** One financed period of a rule: phase 1 has one (24 months), phase 2 one per year. */
export interface RulePeriod {
  months: number;
  amount: Cents;
  /** Added when the structure is in a QPV or a ZRR (phase 2, public-law employers). */
  qpvZrrBonus: Cents;
}

/**
 * A version of a subsidy rule. Versions of one `ruleKey` share phase, legal status and territory;
 * each starts at `effectiveFrom` and applies until the next version's start. Versions are never
 * updated: a change is a new version.
 */
export interface SubsidyRule {
  id: string;
  ruleKey: string;
  version: number;
  phase: Phase;
  legalStatus: LegalStatus;
  territory: TerritoryScope;
  effectiveFrom: CalendarDate;
  label: string;
  periods: RulePeriod[];
}

export interface RuleQuery {
  phase: Phase;
  legalStatus: LegalStatus;
  departmentCode: string;
  /** The date the rule must be in force on (signature of the convention or amendment). */
  date: CalendarDate;
}

/** What an operator must configure when no rule applies. */
export interface MissingRule {
  phase: Phase;
  legalStatus: LegalStatus;
  departmentCode: string;
  departmentName: string | null;
  territoryGroup: 'METROPOLE' | 'DROM' | 'COM' | 'UNKNOWN';
  date: CalendarDate;
  /** The rule key and territory scope an operator would create to cover this case. */
  suggestedRuleKey: string;
  suggestedTerritory: TerritoryScope | null;
}

export class NoApplicableRuleError extends Error {
  readonly code = 'NO_APPLICABLE_RULE';
  constructor(readonly missing: MissingRule) {
    super(describeMissingRule(missing));
    this.name = 'NoApplicableRuleError';
  }
}

export function describeMissingRule(m: MissingRule): string {
  const who = m.legalStatus === 'PUBLIC' ? 'a public-law' : 'a private-law';
  const where =
    m.territoryGroup === 'UNKNOWN'
      ? `unknown département "${m.departmentCode}"`
      : `${m.departmentCode} ${m.departmentName}${m.territoryGroup === 'COM' ? ' (overseas collectivity)' : ''}`;
  const fix = m.suggestedTerritory
    ? `; an operator must configure rule "${m.suggestedRuleKey}" (territory ${m.suggestedTerritory}) first`
    : '';
  return `no phase-${m.phase} subsidy rule for ${who} recruiter in ${where} in force on ${m.date}${fix}`;
}

export function missingRuleFor(query: RuleQuery): MissingRule {
  const department = findDepartment(query.departmentCode);
  const code = department?.code ?? normalizeDepartmentCode(query.departmentCode);
  return {
    phase: query.phase,
    legalStatus: query.legalStatus,
    departmentCode: code,
    departmentName: department?.name ?? null,
    territoryGroup: department ? department.classification.group : 'UNKNOWN',
    date: query.date,
    suggestedRuleKey: `phase${query.phase}.${query.legalStatus.toLowerCase()}.department-${code.toLowerCase()}`,
    suggestedTerritory: department ? `DEPARTMENT:${department.code}` : null,
  };
}

/** The version of each rule key in force on a date (latest `effectiveFrom` not after it). */
export function versionsInForce(rules: readonly SubsidyRule[], date: CalendarDate): SubsidyRule[] {
  const byKey = new Map<string, SubsidyRule>();
  for (const rule of rules) {
    if (rule.effectiveFrom > date) continue;
    const current = byKey.get(rule.ruleKey);
    if (!current || rule.effectiveFrom > current.effectiveFrom || (rule.effectiveFrom === current.effectiveFrom && rule.version > current.version)) {
      byKey.set(rule.ruleKey, rule);
    }
  }
  return [...byKey.values()];
}

/**
 * The rule applying to a recruiter: same phase and legal status, territory matching the
 * département, in force on the date; the most specific territory wins. Throws
 * {@link NoApplicableRuleError} — never a guessed amount — when none applies.
 */
export function resolveRule(rules: readonly SubsidyRule[], query: RuleQuery): SubsidyRule {
  if (!isCalendarDate(query.date)) throw new RangeError(`"${query.date}" is not a calendar date`);
  const department = findDepartment(query.departmentCode);
  if (!department) throw new NoApplicableRuleError(missingRuleFor(query));
  const candidates = versionsInForce(
    rules.filter((r) => r.phase === query.phase && r.legalStatus === query.legalStatus),
    query.date,
  ).filter((r) => scopeMatches(r.territory, department));
  if (candidates.length === 0) throw new NoApplicableRuleError(missingRuleFor(query));
  candidates.sort((a, b) => scopeSpecificity(b.territory) - scopeSpecificity(a.territory) || a.ruleKey.localeCompare(b.ruleKey));
  if (candidates.length > 1 && scopeSpecificity(candidates[0].territory) === scopeSpecificity(candidates[1].territory)) {
    // Prevented when rules are created (one rule key per phase, status and territory); fail loudly if it happens.
    throw new Error(`rules ${candidates[0].ruleKey} and ${candidates[1].ruleKey} both apply to ${department.code}`);
  }
  return candidates[0];
}

export interface SubsidyAmount {
  rule: SubsidyRule;
  total: Cents;
  /** Per period, the bonus included when it applies. */
  periodAmounts: Cents[];
  bonusApplied: boolean;
}

/** The subsidy of one post under a rule; the QPV/ZRR bonus is added when the structure is in either. */
export function subsidyAmount(rule: SubsidyRule, structure: { qpv: boolean; zrr: boolean }): SubsidyAmount {
  const bonusApplied = (structure.qpv || structure.zrr) && rule.periods.some((p) => p.qpvZrrBonus.isPositive());
  const periodAmounts = rule.periods.map((p) => (bonusApplied ? p.amount.add(p.qpvZrrBonus) : p.amount));
  return { rule, total: Cents.sum(periodAmounts), periodAmounts, bonusApplied };
}

export interface SubsidyQuery extends RuleQuery {
  qpv: boolean;
  zrr: boolean;
}

/** Rule resolution and amount in one step. */
export function computeSubsidy(rules: readonly SubsidyRule[], query: SubsidyQuery): SubsidyAmount {
  return subsidyAmount(resolveRule(rules, query), query);
}

/**
 * The phase-2 (renewal) subsidy of a post: a 36-month convention paid per year, degressive, with
 * the QPV/ZRR bonus of the rule. Same resolution as phase 1, against the phase-2 rules.
 */
export function phase2Subsidy(rules: readonly SubsidyRule[], query: Omit<SubsidyQuery, 'phase'>): SubsidyAmount {
  return computeSubsidy(rules, { ...query, phase: 2 });
}

/** A rule version an operator proposes (POST /subsidy-rules). */
export interface RuleProposal {
  ruleKey: string;
  phase: Phase;
  legalStatus: LegalStatus;
  territory: string;
  effectiveFrom: CalendarDate;
  label: string;
  periods: RulePeriod[];
}

export interface FieldProblem {
  field: string;
  message: string;
}

export type ProposalCheck =
  | { ok: true; version: number; territory: TerritoryScope }
  | { ok: false; status: 400 | 409 | 422; detail: string; errors: FieldProblem[] };

/**
 * Checks a new rule version against the existing ones. A version never rewrites an old one: it
 * keeps the key's phase, legal status and territory, starts after the latest version, and never in
 * the past (`today`), so no amount already in force for a past date changes. A new key may not
 * duplicate another key's phase, legal status and territory (add a version to it instead).
 */
export function checkRuleProposal(existing: readonly SubsidyRule[], proposal: RuleProposal, today: CalendarDate): ProposalCheck {
  const errors: FieldProblem[] = [];
  if (!/^[a-z0-9][a-z0-9.-]{2,80}$/.test(proposal.ruleKey)) errors.push({ field: 'ruleKey', message: 'lower-case letters, digits, "." and "-" (3 to 81 characters)' });
  const territory = parseTerritoryScope(proposal.territory);
  if (!territory) {
    errors.push({ field: 'territory', message: 'PROGRAMME, METROPOLE, DROM, DROM:REUNION_MAYOTTE, DROM:ANTILLES_GUYANE or DEPARTMENT:<INSEE code>' });
  }
  if (!isCalendarDate(proposal.effectiveFrom)) errors.push({ field: 'effectiveFrom', message: 'must be a calendar date YYYY-MM-DD' });
  if (proposal.periods.length === 0 || proposal.periods.length > 6) errors.push({ field: 'periods', message: 'between 1 and 6 periods' });
  proposal.periods.forEach((p, i) => {
    if (!Number.isInteger(p.months) || p.months < 1 || p.months > 60) errors.push({ field: `periods[${i}].months`, message: 'an integer from 1 to 60' });
    if (p.amount.isNegative()) errors.push({ field: `periods[${i}].amountCents`, message: 'must not be negative' });
    if (p.qpvZrrBonus.isNegative()) errors.push({ field: `periods[${i}].qpvZrrBonusCents`, message: 'must not be negative' });
  });
  if (proposal.periods.length > 0 && !Cents.sum(proposal.periods.map((p) => p.amount)).isPositive()) {
    errors.push({ field: 'periods', message: 'the rule must grant a positive amount' });
  }
  if (errors.length > 0 || !territory) return { ok: false, status: 400, detail: 'the rule is invalid', errors };

  const versions = existing.filter((r) => r.ruleKey === proposal.ruleKey);
  if (versions.length === 0) {
    const twin = existing.find((r) => r.phase === proposal.phase && r.legalStatus === proposal.legalStatus && r.territory === territory);
    if (twin) {
      return {
        ok: false,
        status: 409,
        detail: `rule "${twin.ruleKey}" already covers phase ${proposal.phase}, ${proposal.legalStatus}, ${territory}: add a version to it`,
        errors: [{ field: 'ruleKey', message: `use "${twin.ruleKey}"` }],
      };
    }
    return { ok: true, version: 1, territory };
  }
  const latest = versions.reduce((a, b) => (b.version > a.version ? b : a));
  const mismatch: FieldProblem[] = [];
  if (latest.phase !== proposal.phase) mismatch.push({ field: 'phase', message: `rule "${latest.ruleKey}" is phase ${latest.phase}` });
  if (latest.legalStatus !== proposal.legalStatus) mismatch.push({ field: 'legalStatus', message: `rule "${latest.ruleKey}" is ${latest.legalStatus}` });
  if (latest.territory !== territory) mismatch.push({ field: 'territory', message: `rule "${latest.ruleKey}" covers ${latest.territory}` });
  if (mismatch.length > 0) return { ok: false, status: 422, detail: 'a new version keeps the phase, legal status and territory of its rule', errors: mismatch };
  if (proposal.effectiveFrom <= latest.effectiveFrom) {
    return {
      ok: false,
      status: 422,
      detail: `version ${latest.version + 1} must start after version ${latest.version} (${latest.effectiveFrom}); versions are never rewritten`,
      errors: [{ field: 'effectiveFrom', message: `must be after ${latest.effectiveFrom}` }],
    };
  }
  if (proposal.effectiveFrom < today) {
    return {
      ok: false,
      status: 422,
      detail: `a new version cannot take effect in the past (${proposal.effectiveFrom} < ${today}): it would change the amount in force on past dates`,
      errors: [{ field: 'effectiveFrom', message: `must be ${today} or later` }],
    };
  }
  return { ok: true, version: latest.version + 1, territory };
}

/** Territory group of a département code, for reports. */
export function territoryGroupOf(code: string): 'METROPOLE' | 'DROM' | 'COM' | undefined {
  return classifyTerritory(code)?.group;
}
