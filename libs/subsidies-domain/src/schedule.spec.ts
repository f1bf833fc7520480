import fc from 'fast-check';
import { Cents, euros } from '@cnfs/money';
import { addMonths, DEFAULT_SCHEDULES, dueDateOf, planTranches, ScheduleTemplate, templateProblems } from './index';

describe('tranche schedules', () => {
  it('phase 1 default: 50 % at first occupation, 30 % at 12 months, 20 % on the final report', () => {
    const plan = planTranches([euros(70_000)], DEFAULT_SCHEDULES[1]);
    expect(plan.map((t) => [t.trigger, t.monthsAfterAnchor, t.amount.toNumber()])).toEqual([
      ['FIRST_OCCUPATION', null, 3_500_000],
      ['ANNIVERSARY', 12, 2_100_000],
      ['FINAL_REPORT', null, 1_400_000],
    ]);
    expect(planTranches([euros(67_500)], DEFAULT_SCHEDULES[1]).map((t) => t.amount.toNumber())).toEqual([3_375_000, 2_025_000, 1_350_000]);
  });

  it('phase 2 default: each year at its anniversary, half of year 3 held until the final report', () => {
    const plan = planTranches([euros(20_000), euros(17_500), euros(12_500)], DEFAULT_SCHEDULES[2]);
    expect(plan.map((t) => [t.trigger, t.monthsAfterAnchor, t.amount.toNumber()])).toEqual([
      ['FIRST_OCCUPATION', null, 2_000_000],
      ['ANNIVERSARY', 12, 1_750_000],
      ['ANNIVERSARY', 24, 625_000],
      ['FINAL_REPORT', null, 625_000],
    ]);
  });

  it('splits odd amounts to the cent by largest remainder', () => {
    const plan = planTranches([Cents.of(100_001)], { name: 't', tranches: [1, 2, 3].map((i) => ({ label: `${i}`, trigger: 'ANNIVERSARY' as const, monthsAfterAnchor: i, period: 0, percent: i === 3 ? 34 : 33 })) });
    expect(plan.map((t) => t.amount.toNumber())).toEqual([33_000, 33_000, 34_001]);
  });

  it('always sums to the subsidy exactly (property)', () => {
    const template = fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 5 }).map((parts) => {
      // Shares of one period that sum to 100.
      const total = parts.reduce((a, b) => a + b, 0);
      const percents = parts.map((p) => Math.max(1, Math.floor((p * 100) / total)));
      percents[percents.length - 1] += 100 - percents.reduce((a, b) => a + b, 0);
      return percents;
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 50_000_000 }), template), { minLength: 1, maxLength: 4 }),
        (periods) => {
          const t: ScheduleTemplate = {
            name: 'random',
            tranches: periods.flatMap(([, percents], period) => percents.filter((p) => p > 0).map((percent, i) => ({ label: `${period}.${i}`, trigger: 'ANNIVERSARY' as const, monthsAfterAnchor: i + 1, period, percent }))),
          };
          fc.pre(templateProblems(t, periods.length).length === 0);
          const amounts = periods.map(([a]) => Cents.of(a));
          const plan = planTranches(amounts, t);
          expect(Cents.sum(plan.map((p) => p.amount)).equals(Cents.sum(amounts))).toBe(true);
          expect(plan.every((p) => p.amount.isPositive())).toBe(true);
        },
      ),
    );
  });

  it('refuses templates whose shares do not sum to 100 % per period', () => {
    expect(templateProblems({ name: 'bad', tranches: [{ label: 'a', trigger: 'FIRST_OCCUPATION', period: 0, percent: 60 }] }, 1)).toEqual(['the shares of period 0 sum to 60 %, not 100 %']);
    expect(templateProblems(DEFAULT_SCHEDULES[2], 1).length).toBeGreaterThan(0);
    expect(() => planTranches([euros(1)], { name: 'bad', tranches: [] })).toThrow(RangeError);
  });

  it('dates tranches from the anchor; the final one waits for the report', () => {
    expect(dueDateOf({ trigger: 'FIRST_OCCUPATION', monthsAfterAnchor: null }, '2021-04-01', null)).toBe('2021-04-01');
    expect(dueDateOf({ trigger: 'ANNIVERSARY', monthsAfterAnchor: 12 }, '2020-02-29', null)).toBe('2021-02-28');
    expect(dueDateOf({ trigger: 'FINAL_REPORT', monthsAfterAnchor: null }, '2021-04-01', null)).toBeNull();
    expect(dueDateOf({ trigger: 'FINAL_REPORT', monthsAfterAnchor: null }, '2021-04-01', '2023-05-02')).toBe('2023-05-02');
    expect(addMonths('2021-01-31', 1)).toBe('2021-02-28');
    expect(addMonths('2021-11-30', 3)).toBe('2022-02-28');
  });
});
