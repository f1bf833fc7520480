import { ForecastSaga, forecastRenewals, publishedPhase2 } from './forecast';

describe('renewal forecast (pure)', () => {
  const saga = (o: Partial<ForecastSaga>): ForecastSaga => ({ status: 'ACTIVE', departmentCode: '59', legalStatus: 'PUBLIC', qpv: false, zrr: false, followUntil: '2023-03-31', ...o });
  const run = (sagas: ForecastSaga[]) => forecastRenewals(sagas, { from: '2022-01-01', until: '2025-12-31', ...publishedPhase2(), basis: 'test' });

  it('prices each undecided contract with the phase-2 rule in force when its renewal would start, per month, département and envelope', () => {
    const f = run([
      saga({ qpv: true }), // public, QPV: 20,000 + 17,500 + 12,500 = 50,000 €
      saga({}), // public: 42,500 €
      saga({ legalStatus: 'PRIVATE', departmentCode: '974' }), // private: 44,000 €
      saga({ status: 'RUPTURED' }), // left out
      saga({ followUntil: '2026-01-31' }), // outside the window
    ]);
    expect(f.rows).toEqual([
      expect.objectContaining({ month: '2023-03', departmentCode: '59', budgetEnvelopeId: 'renouvellement-2023', contractsEnding: 2, toDecide: 2, neededCents: 9_250_000 }),
      expect.objectContaining({ month: '2023-03', departmentCode: '974', budgetEnvelopeId: 'renouvellement-2023', contractsEnding: 1, toDecide: 1, neededCents: 4_400_000 }),
    ]);
    expect(f.totals).toMatchObject({ contractsEnding: 3, neededCents: 13_650_000, unpriced: 0 });
    expect(f.rules.map((r) => r.ruleKey).sort()).toEqual(['phase2.private', 'phase2.public']);
  });

  it('says which contracts no rule prices (a renewal before the phase-2 rules, a territory without a rule) instead of guessing', () => {
    const f = run([saga({ followUntil: '2022-10-31' }), saga({ departmentCode: '975' }), saga({ followUntil: '2022-10-31', status: 'NOT_RENEWED' })]);
    expect(f.totals).toMatchObject({ contractsEnding: 3, toDecide: 2, unpriced: 2, notRenewed: 1, neededCents: 0 });
    expect(f.rows.find((r) => r.month === '2022-10' && r.toDecide === 1)).toMatchObject({ budgetEnvelopeId: null, unpriced: 1, neededCents: 0 });
    expect(f.missingRules).toEqual([
      { rule: expect.stringMatching(/no phase-2 subsidy rule for a public-law recruiter in 59 .* in force on 2022-11-01/), contracts: 1 },
      { rule: expect.stringMatching(/no phase-2 subsidy rule for a public-law recruiter in 975 .*overseas collectivity/), contracts: 1 },
    ]);
  });

  it('counts financed renewals at their committed amount and envelope, and sums months into years', () => {
    const f = run([
      saga({ status: 'RENEWED', commitment: { amountCents: 4_400_000, budgetEnvelopeId: 'tiny' } }),
      saga({ status: 'RENEWAL_FINANCED', followUntil: '2024-01-31', commitment: { amountCents: 5_000_000 } }),
      saga({ status: 'RENEWED', followUntil: '2024-02-29' }),
    ]);
    expect(f.rows.map((r) => [r.month, r.budgetEnvelopeId, r.financed, r.financedCents, r.renewedWithoutFinancing])).toEqual([
      ['2023-03', 'tiny', 1, 4_400_000, 0],
      ['2024-01', 'renouvellement-2023', 1, 5_000_000, 0],
      ['2024-02', null, 0, 0, 1],
    ]);
    expect(f.years).toEqual([
      expect.objectContaining({ year: '2023', financedCents: 4_400_000 }),
      expect.objectContaining({ year: '2024', financedCents: 5_000_000, renewedWithoutFinancing: 1 }),
    ]);
  });
});
