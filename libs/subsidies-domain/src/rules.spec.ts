import { Cents, euros } from '@cnfs/money';
import { listDepartments, listRegions, type Department } from '@cnfs/territory';
import {
  checkRuleProposal,
  computeSubsidy,
  LEGAL_STATUSES,
  LegalStatus,
  NoApplicableRuleError,
  parseTerritoryScope,
  phase2Subsidy,
  PUBLISHED,
  publishedRules,
  resolveRule,
  SubsidyRule,
} from './index';

const rules = publishedRules();
const ON = '2021-03-01';

/** What the seeds say a post is worth in phase 1, or null when no rule exists (the platform must refuse). */
function expectedPhase1(department: Department, legalStatus: LegalStatus): Cents | null {
  const c = department.classification;
  if (c.group === 'COM') return null;
  if (legalStatus === 'PRIVATE') return euros(32_000);
  if (c.group === 'METROPOLE') return euros(50_000);
  return c.dromGroup === 'REUNION_MAYOTTE' ? euros(67_500) : euros(70_000);
}

describe('phase-1 subsidy of a post, for every département of France × both legal statuses', () => {
  const table = listDepartments().flatMap((d) => LEGAL_STATUSES.map((s) => [d.code, d.name, s, d] as const));

  it('covers the 101 départements of the programme and the 8 overseas collectivities', () => {
    expect(listDepartments()).toHaveLength(109);
    expect(table).toHaveLength(218);
  });

  it.each(table)('%s %s, %s recruiter', (code, _name, legalStatus, department) => {
    const expected = expectedPhase1(department, legalStatus);
    const query = { phase: 1 as const, legalStatus, departmentCode: code, date: ON, qpv: false, zrr: false };
    if (expected === null) {
      let error: unknown;
      try {
        computeSubsidy(rules, query);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NoApplicableRuleError);
      const missing = (error as NoApplicableRuleError).missing;
      expect(missing).toMatchObject({ phase: 1, legalStatus, departmentCode: code, territoryGroup: 'COM', suggestedTerritory: `DEPARTMENT:${code}` });
      expect((error as Error).message).toContain(`phase${1}.${legalStatus.toLowerCase()}.department-${code}`);
      expect((error as Error).message).toContain(department.name);
    } else {
      const subsidy = computeSubsidy(rules, query);
      expect(subsidy.total.toNumber()).toBe(expected.toNumber());
      expect(subsidy.rule.periods[0].months).toBe(24);
      // QPV/ZRR change nothing in phase 1.
      expect(computeSubsidy(rules, { ...query, qpv: true, zrr: true }).total.equals(expected)).toBe(true);
    }
  });

  it.each(listRegions().map((r) => [r.code, r.name, r] as const))('région %s %s: every département gets its région\'s amount', (_code, _name, region) => {
    const departments = listDepartments().filter((d) => d.region.code === region.code);
    expect(departments.length).toBeGreaterThan(0);
    for (const legalStatus of LEGAL_STATUSES) {
      const amounts = new Set(departments.map((d) => expectedPhase1(d, legalStatus)?.toNumber() ?? null));
      expect(amounts.size).toBe(1);
      for (const d of departments) {
        const expected = expectedPhase1(d, legalStatus);
        const run = () => computeSubsidy(rules, { phase: 1, legalStatus, departmentCode: d.code, date: ON, qpv: false, zrr: false }).total.toNumber();
        if (expected === null) expect(run).toThrow(NoApplicableRuleError);
        else expect(run()).toBe(expected.toNumber());
      }
    }
  });

  it('names the missing rule for Saint-Pierre-et-Miquelon and Polynésie, never guesses', () => {
    expect(() => resolveRule(rules, { phase: 1, legalStatus: 'PUBLIC', departmentCode: '975', date: ON })).toThrow(
      'no phase-1 subsidy rule for a public-law recruiter in 975 Saint-Pierre-et-Miquelon (overseas collectivity) in force on 2021-03-01; an operator must configure rule "phase1.public.department-975" (territory DEPARTMENT:975) first',
    );
    expect(() => resolveRule(rules, { phase: 1, legalStatus: 'PRIVATE', departmentCode: '987', date: ON })).toThrow(/phase1\.private\.department-987/);
  });

  it('refuses dates before the programme and unknown départements', () => {
    expect(() => resolveRule(rules, { phase: 1, legalStatus: 'PUBLIC', departmentCode: '59', date: '2020-01-01' })).toThrow(NoApplicableRuleError);
    expect(() => resolveRule(rules, { phase: 1, legalStatus: 'PUBLIC', departmentCode: '99', date: ON })).toThrow(/unknown département "99"/);
  });

  it('applies an operator rule for a collectivity once configured, the most specific territory winning', () => {
    const spm: SubsidyRule = {
      id: 'r-975', ruleKey: 'phase1.public.department-975', version: 1, phase: 1, legalStatus: 'PUBLIC', territory: 'DEPARTMENT:975',
      effectiveFrom: '2021-06-01', label: 'SPM', periods: [{ months: 24, amount: euros(60_000), qpvZrrBonus: Cents.ZERO }],
    };
    const reunion: SubsidyRule = { ...spm, id: 'r-974', ruleKey: 'phase1.public.department-974', territory: 'DEPARTMENT:974', periods: [{ months: 24, amount: euros(68_000), qpvZrrBonus: Cents.ZERO }] };
    const all = [...rules, spm, reunion];
    expect(resolveRule(all, { phase: 1, legalStatus: 'PUBLIC', departmentCode: '975', date: '2021-06-01' }).id).toBe('r-975');
    expect(() => resolveRule(all, { phase: 1, legalStatus: 'PUBLIC', departmentCode: '975', date: '2021-05-31' })).toThrow(NoApplicableRuleError);
    expect(resolveRule(all, { phase: 1, legalStatus: 'PUBLIC', departmentCode: '974', date: '2021-07-01' }).id).toBe('r-974');
    expect(resolveRule(all, { phase: 1, legalStatus: 'PUBLIC', departmentCode: '976', date: '2021-07-01' }).ruleKey).toBe('phase1.public.reunion-mayotte');
  });
});

describe('phase-2 (renewal) subsidies', () => {
  const on = '2023-01-15';
  it.each([
    ['public, neither QPV nor ZRR', 'PUBLIC', false, false, [17_500, 12_500, 12_500], 42_500],
    ['public in a QPV', 'PUBLIC', true, false, [20_000, 17_500, 12_500], 50_000],
    ['public in a ZRR', 'PUBLIC', false, true, [20_000, 17_500, 12_500], 50_000],
    ['private', 'PRIVATE', false, false, [20_000, 14_000, 10_000], 44_000],
    ['private in a QPV (no bonus)', 'PRIVATE', true, true, [20_000, 14_000, 10_000], 44_000],
  ] as const)('%s', (_label, legalStatus, qpv, zrr, years, total) => {
    for (const departmentCode of ['59', '2A', '974', '973']) {
      const subsidy = phase2Subsidy(rules, { legalStatus, departmentCode, qpv, zrr, date: on });
      expect(subsidy.periodAmounts.map((a) => a.toNumber())).toEqual(years.map((y) => y * 100));
      expect(subsidy.total.toNumber()).toBe(total * 100);
    }
  });

  it('has no phase-2 rule before December 2022 nor in the collectivities', () => {
    expect(() => phase2Subsidy(rules, { legalStatus: 'PUBLIC', departmentCode: '59', qpv: false, zrr: false, date: '2022-11-30' })).toThrow(NoApplicableRuleError);
    expect(() => phase2Subsidy(rules, { legalStatus: 'PUBLIC', departmentCode: '988', qpv: false, zrr: false, date: on })).toThrow(/phase-2 .* 988 Nouvelle-Calédonie/);
  });

  it('matches the published figures', () => {
    expect(PUBLISHED.phase2.public.map((c) => c.toNumber())).toEqual([1_750_000, 1_250_000, 1_250_000]);
    expect(PUBLISHED.programmeCosts.PIX_CERTIFICATION.toNumber()).toBe(32_660);
    expect(PUBLISHED.programmeCosts.OUTFIT_KIT.toNumber()).toBe(29_720);
    expect(PUBLISHED.programmeCosts.TRAINING.toNumber()).toBe(480_500);
  });
});

describe('rule versions', () => {
  const base = rules.find((r) => r.ruleKey === 'phase1.private')!;
  const proposal = (over: Partial<Parameters<typeof checkRuleProposal>[1]> = {}) => ({
    ruleKey: 'phase1.private', phase: 1 as const, legalStatus: 'PRIVATE' as const, territory: 'PROGRAMME', effectiveFrom: '2024-01-01',
    label: 'v2', periods: [{ months: 24, amount: euros(34_000), qpvZrrBonus: Cents.ZERO }], ...over,
  });

  it('adds a version that applies from its date and leaves earlier dates alone', () => {
    const check = checkRuleProposal(rules, proposal(), '2023-06-01');
    expect(check).toEqual({ ok: true, version: 2, territory: 'PROGRAMME' });
    const v2: SubsidyRule = { ...base, id: 'v2', version: 2, effectiveFrom: '2024-01-01', periods: proposal().periods };
    const all = [...rules, v2];
    const amountOn = (date: string) => computeSubsidy(all, { phase: 1, legalStatus: 'PRIVATE', departmentCode: '59', date, qpv: false, zrr: false }).total.toNumber();
    expect(amountOn('2023-12-31')).toBe(3_200_000);
    expect(amountOn('2024-01-01')).toBe(3_400_000);
  });

  it('never rewrites the past', () => {
    expect(checkRuleProposal(rules, proposal({ effectiveFrom: '2020-11-17' }), '2020-11-01')).toMatchObject({ ok: false, status: 422 });
    expect(checkRuleProposal(rules, proposal({ effectiveFrom: '2023-01-01' }), '2023-06-01')).toMatchObject({ ok: false, status: 422, errors: [{ field: 'effectiveFrom' }] });
    expect(checkRuleProposal(rules, proposal({ territory: 'METROPOLE' }), '2023-06-01')).toMatchObject({ ok: false, status: 422, errors: [{ field: 'territory' }] });
  });

  it('refuses a second key for the same phase, status and territory, and invalid input', () => {
    expect(checkRuleProposal(rules, proposal({ ruleKey: 'phase1.private.bis' }), '2023-06-01')).toMatchObject({ ok: false, status: 409 });
    expect(checkRuleProposal(rules, proposal({ ruleKey: 'x', territory: 'MARS', periods: [] }), '2023-06-01')).toMatchObject({ ok: false, status: 400 });
    expect(checkRuleProposal(rules, proposal({ ruleKey: 'phase1.public.department-975', legalStatus: 'PUBLIC', territory: 'department:975' }), '2023-06-01')).toEqual({
      ok: true, version: 1, territory: 'DEPARTMENT:975',
    });
  });

  it('parses territory scopes', () => {
    expect(parseTerritoryScope('drom:reunion_mayotte')).toBe('DROM:REUNION_MAYOTTE');
    expect(parseTerritoryScope('DEPARTMENT:2a')).toBe('DEPARTMENT:2A');
    expect(parseTerritoryScope('DEPARTMENT:99')).toBeUndefined();
  });
});
