import {
  assertActive,
  assertNaturalEnd,
  ContractRulesContext,
  ContractState,
  ContractTerms,
  contractViolations,
  isDueForNaturalEnd,
  renewalViolations,
  ruptureViolations,
} from './contract';
import { RuleViolation } from './errors';
import { FRENCH_SMIC_MONTHLY_35H, minimumWageOn, parseMinimumWageSchedule } from './minimum-wage';

function refusal(run: () => unknown): RuleViolation {
  try {
    run();
  } catch (error) {
    if (error instanceof RuleViolation) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const publicEmployer: ContractRulesContext = { legalStatus: 'PUBLIC', minimumWage: FRENCH_SMIC_MONTHLY_35H };
const privateEmployer: ContractRulesContext = { legalStatus: 'PRIVATE', minimumWage: FRENCH_SMIC_MONTHLY_35H };
const terms = (overrides: Partial<ContractTerms> = {}): ContractTerms => ({
  type: 'CDD', startDate: '2021-04-01', endDate: '2022-09-30', grossMonthlySalaryCents: 170_000, ...overrides,
});
const codes = (terms: ContractTerms, context = publicEmployer) => contractViolations(terms, context).map((v) => `${v.field}:${v.code}`);

describe('minimum wage', () => {
  it('is the SMIC in force on a date', () => {
    expect(minimumWageOn('2021-04-01', FRENCH_SMIC_MONTHLY_35H)).toBe(155_458);
    expect(minimumWageOn('2021-10-01', FRENCH_SMIC_MONTHLY_35H)).toBe(158_947);
    expect(minimumWageOn('2024-11-01', FRENCH_SMIC_MONTHLY_35H)).toBe(180_180);
    expect(minimumWageOn('2019-12-31', FRENCH_SMIC_MONTHLY_35H)).toBeUndefined();
  });

  it('reads a configured schedule or a single amount', () => {
    expect(parseMinimumWageSchedule('2026-01-01=182303, 2024-11-01=180180')).toEqual([
      { from: '2024-11-01', monthlyCents: 180_180 },
      { from: '2026-01-01', monthlyCents: 182_303 },
    ]);
    expect(parseMinimumWageSchedule('180180')).toEqual([{ from: '2000-01-01', monthlyCents: 180_180 }]);
    for (const bad of ['', '2024-11-01=1801.80', '2024-13-01=180180', '2024-11-01=180180,2024-11-01=1', 'x', '2024-11-01=-5']) {
      expect(() => parseMinimumWageSchedule(bad)).toThrow();
    }
  });
});

describe('contract terms', () => {
  it('accepts the programme\'s 18-month CDD and a CDI without end', () => {
    expect(codes(terms())).toEqual([]);
    expect(codes(terms(), privateEmployer)).toEqual([]);
    expect(codes(terms({ type: 'CDI', endDate: null }))).toEqual([]);
    expect(codes(terms({ type: 'PEC', endDate: '2022-03-31' }), privateEmployer)).toEqual([]);
    expect(codes(terms({ type: 'CONTRAT_DE_PROJET_PUBLIC', endDate: '2024-03-31' }))).toEqual([]);
  });

  it('requires an end date except for a CDI, after the start', () => {
    expect(codes(terms({ endDate: null }))).toEqual(['endDate:END_DATE_REQUIRED']);
    expect(codes(terms({ type: 'PEC', endDate: null }))).toEqual(['endDate:END_DATE_REQUIRED']);
    expect(codes(terms({ type: 'CDI', endDate: '2022-09-30' }))).toEqual(['endDate:CDI_HAS_NO_END_DATE']);
    expect(codes(terms({ endDate: '2021-04-01' }))).toEqual(['endDate:END_BEFORE_START']);
    expect(codes(terms({ endDate: '2021-03-01' }))).toEqual(['endDate:END_BEFORE_START']);
  });

  it('refuses a private-law CDD longer than 18 months, with the reason', () => {
    const [violation] = contractViolations(terms({ endDate: '2022-10-01' }), privateEmployer);
    expect(violation).toMatchObject({ field: 'endDate', code: 'CDD_PRIVATE_LAW_OVER_18_MONTHS' });
    expect(violation.message).toContain('2022-09-30');
    expect(violation.message).toMatch(/CDI/);
    // The limit is the private-law CDD's: a public-law CDD, a PEC or a CDI are not bound by it.
    expect(codes(terms({ endDate: '2023-03-31' }))).toEqual([]);
    expect(codes(terms({ type: 'PEC', endDate: '2023-03-31' }), privateEmployer)).toEqual([]);
  });

  it('keeps public-law project contracts for public employers', () => {
    expect(codes(terms({ type: 'CONTRAT_DE_PROJET_PUBLIC' }), privateEmployer)).toEqual(['type:PROJECT_CONTRACT_NEEDS_PUBLIC_EMPLOYER']);
  });

  it('pays at least the minimum wage in force at the start, in whole positive cents', () => {
    expect(codes(terms({ grossMonthlySalaryCents: 155_458 }))).toEqual([]);
    expect(codes(terms({ grossMonthlySalaryCents: 155_457 }))).toEqual(['grossMonthlySalaryCents:BELOW_MINIMUM_WAGE']);
    expect(codes(terms({ startDate: '2024-11-01', endDate: '2025-10-31', grossMonthlySalaryCents: 176_692 }))).toEqual(['grossMonthlySalaryCents:BELOW_MINIMUM_WAGE']);
    expect(codes(terms({ grossMonthlySalaryCents: -170_000 }))).toEqual(['grossMonthlySalaryCents:SALARY_NOT_POSITIVE']);
    expect(codes(terms({ grossMonthlySalaryCents: 1700.5 }))).toEqual(['grossMonthlySalaryCents:SALARY_NOT_POSITIVE']);
    expect(codes(terms({ startDate: '2019-06-01', endDate: '2020-06-01' }))).toEqual(['startDate:NO_MINIMUM_WAGE_CONFIGURED']);
    const [below] = contractViolations(terms({ grossMonthlySalaryCents: 100_000 }), publicEmployer);
    expect(below.message).toContain('1554.58 €');
  });

  it('employs conseillers of working age, born before the start', () => {
    expect(codes(terms(), { ...publicEmployer, birthDate: '1990-01-01' })).toEqual([]);
    expect(codes(terms(), { ...publicEmployer, birthDate: '2005-04-02' })).toEqual(['conseiller.birthDate:UNDER_WORKING_AGE']);
    expect(codes(terms(), { ...publicEmployer, birthDate: '2005-04-01' })).toEqual([]);
    expect(codes(terms(), { ...publicEmployer, birthDate: '2021-05-01' })).toEqual(['conseiller.birthDate:BIRTH_AFTER_START']);
  });

  it('lists every broken rule at once', () => {
    expect(codes(terms({ type: 'CDI', endDate: '2022-01-01', grossMonthlySalaryCents: 1 }))).toEqual([
      'endDate:CDI_HAS_NO_END_DATE', 'grossMonthlySalaryCents:BELOW_MINIMUM_WAGE',
    ]);
  });
});

const active = (overrides: Partial<ContractState> = {}): ContractState => ({
  id: 'k-1', type: 'CDD', status: 'ACTIF', startDate: '2021-04-01', endDate: '2022-09-30', ...overrides,
});

describe('ruptures', () => {
  const rupture = (date: string, reason: 'DEMISSION' | 'NON_RECONDUCTION_CDD' | 'CDISATION' | 'LICENCIEMENT' = 'DEMISSION') => ({ reason, date });
  const ruptureCodes = (contract: ContractState, date: string, today: string, reason?: 'DEMISSION' | 'NON_RECONDUCTION_CDD' | 'CDISATION' | 'LICENCIEMENT') =>
    ruptureViolations(contract, rupture(date, reason), today).map((v) => `${v.field}:${v.code}`);

  it('happen between the start and the end, not in the future', () => {
    expect(ruptureCodes(active(), '2021-06-15', '2021-07-01')).toEqual([]);
    expect(ruptureCodes(active(), '2021-04-01', '2021-07-01')).toEqual([]);
    expect(ruptureCodes(active(), '2021-07-01', '2021-07-01')).toEqual([]);
    expect(ruptureCodes(active(), '2021-07-02', '2021-07-01')).toEqual(['date:RUPTURE_IN_FUTURE']);
    expect(ruptureCodes(active(), '2021-03-31', '2021-07-01')).toEqual(['date:RUPTURE_BEFORE_START']);
    expect(ruptureCodes(active(), '2022-09-30', '2022-12-01')).toEqual([]);
    expect(ruptureCodes(active(), '2022-10-01', '2022-12-01')).toEqual(['date:RUPTURE_AFTER_END']);
    expect(ruptureCodes(active({ type: 'CDI', endDate: null }), '2030-01-01', '2030-01-01', 'LICENCIEMENT')).toEqual([]);
  });

  it('use reasons that fit the contract', () => {
    const cdi = active({ type: 'CDI', endDate: null });
    expect(ruptureCodes(cdi, '2021-06-01', '2021-07-01', 'NON_RECONDUCTION_CDD')).toEqual(['reason:REASON_NOT_FOR_CDI']);
    expect(ruptureCodes(cdi, '2021-06-01', '2021-07-01', 'CDISATION')).toEqual(['reason:REASON_NOT_FOR_CDI']);
    expect(ruptureCodes(active(), '2021-06-01', '2021-07-01', 'CDISATION')).toEqual([]);
  });

  it('apply to active contracts only', () => {
    expect(() => assertActive(active())).not.toThrow();
    for (const status of ['ROMPU', 'TERMINE', 'RENOUVELE'] as const) {
      expect(refusal(() => assertActive(active({ status })))).toMatchObject({ kind: 'conflict', code: 'CONTRACT_NOT_ACTIVE' });
    }
  });
});

describe('natural end', () => {
  it('ends an active non-CDI contract the day after its end date', () => {
    expect(isDueForNaturalEnd(active(), '2022-09-30')).toBe(false);
    expect(isDueForNaturalEnd(active(), '2022-10-01')).toBe(true);
    expect(isDueForNaturalEnd(active({ type: 'CDI', endDate: null }), '2099-01-01')).toBe(false);
    expect(isDueForNaturalEnd(active({ status: 'ROMPU' }), '2023-01-01')).toBe(false);
    expect(isDueForNaturalEnd(active({ status: 'RENOUVELE' }), '2023-01-01')).toBe(false);
    expect(() => assertNaturalEnd(active(), '2022-10-01')).not.toThrow();
    expect(refusal(() => assertNaturalEnd(active(), '2022-09-30')).code).toBe('CONTRACT_NOT_YET_ENDED');
    expect(refusal(() => assertNaturalEnd(active({ type: 'CDI', endDate: null }), '2099-01-01')).code).toBe('CDI_HAS_NO_NATURAL_END');
    expect(refusal(() => assertNaturalEnd(active({ status: 'TERMINE' }), '2023-01-01')).code).toBe('CONTRACT_NOT_ACTIVE');
  });
});

describe('renewals', () => {
  const previous = (overrides: Partial<ContractState> = {}) => ({ ...active(overrides), cddChainStart: overrides.startDate ?? '2021-04-01' });
  const renewalCodes = (prev: ReturnType<typeof previous>, next: ContractTerms, context = privateEmployer) =>
    renewalViolations(prev, next, context).map((v) => `${v.field}:${v.code}`);

  it('start the day after the renewed contract ends', () => {
    expect(renewalCodes(previous(), terms({ type: 'CDI', startDate: '2022-10-01', endDate: null }))).toEqual([]);
    expect(renewalCodes(previous(), terms({ type: 'CDI', startDate: '2022-10-03', endDate: null }))).toEqual(['startDate:RENEWAL_NOT_CONTIGUOUS']);
  });

  it('refuse to extend a private-law CDD beyond 18 months: another form is needed', () => {
    const [violation] = renewalViolations(previous(), terms({ startDate: '2022-10-01', endDate: '2023-09-30' }), privateEmployer);
    expect(violation).toMatchObject({ field: 'endDate', code: 'CDD_PRIVATE_LAW_OVER_18_MONTHS' });
    expect(violation.message).toMatch(/renewals included/);
    // A short first CDD may be renewed as a CDD within the 18 months of the chain.
    const short = previous({ endDate: '2021-09-30' });
    expect(renewalCodes(short, terms({ startDate: '2021-10-01', endDate: '2022-09-30' }))).toEqual([]);
    expect(renewalCodes(short, terms({ startDate: '2021-10-01', endDate: '2022-10-31' }))).toEqual(['endDate:CDD_PRIVATE_LAW_OVER_18_MONTHS']);
    // A public employer renews its CDDs without that limit.
    expect(renewalCodes(previous(), terms({ startDate: '2022-10-01', endDate: '2023-09-30', grossMonthlySalaryCents: 180_000 }), publicEmployer)).toEqual([]);
  });

  it('check the new salary against the minimum wage at the new start', () => {
    expect(renewalCodes(previous(), terms({ type: 'CDI', startDate: '2022-10-01', endDate: null, grossMonthlySalaryCents: 160_000 }))).toEqual([
      'grossMonthlySalaryCents:BELOW_MINIMUM_WAGE',
    ]);
  });

  it('renew only an active fixed-term contract', () => {
    expect(refusal(() => renewalViolations(previous({ status: 'ROMPU' }), terms({ startDate: '2022-10-01' }), privateEmployer)).code).toBe('CONTRACT_NOT_ACTIVE');
    expect(refusal(() => renewalViolations(previous({ type: 'CDI', endDate: null }), terms({ startDate: '2022-10-01' }), privateEmployer)).code).toBe('CDI_NOT_RENEWED');
  });
});
