import fc from 'fast-check';
import { notEnrolledCutoff, trainingRates } from './views';

describe('views', () => {
  it('counts late conseillers from the contract start: started on or before asOf − N days', () => {
    expect(notEnrolledCutoff('2021-06-15', 30)).toBe('2021-05-16');
    expect(notEnrolledCutoff('2021-06-15', 0)).toBe('2021-06-15');
    expect(() => notEnrolledCutoff('2021-06-15', -1)).toThrow(/days/);
    expect(() => notEnrolledCutoff('2021-06-15', 1.5)).toThrow(/days/);
  });

  it('computes completion over finished trainings, certification over completed, PIX flags over assessed', () => {
    const rates = trainingRates({ enrolments: 10, ongoing: 4, completed: 4, abandoned: 1, withdrawn: 1, waived: 2, certified: 3, pixAssessed: 8, pixBelowThreshold: 2 });
    expect(rates).toEqual({ completionRate: 0.6667, certificationRate: 0.75, pixBelowThresholdRate: 0.25 });
  });

  it('gives no rate (null) rather than a division by zero', () => {
    expect(trainingRates({ enrolments: 3, ongoing: 3, completed: 0, abandoned: 0, withdrawn: 0, waived: 0, certified: 0, pixAssessed: 0, pixBelowThreshold: 0 })).toEqual({
      completionRate: null, certificationRate: null, pixBelowThresholdRate: null,
    });
  });

  it('keeps every rate between 0 and 1 (property)', () => {
    fc.assert(
      fc.property(fc.nat(500), fc.nat(500), fc.nat(500), fc.nat(500), (completed, abandoned, withdrawn, extra) => {
        const certified = Math.min(completed, extra);
        const rates = trainingRates({ enrolments: completed + abandoned + withdrawn, ongoing: 0, completed, abandoned, withdrawn, waived: 0, certified, pixAssessed: extra, pixBelowThreshold: Math.min(extra, abandoned) });
        for (const rate of Object.values(rates)) if (rate !== null) expect(rate >= 0 && rate <= 1).toBe(true);
      }),
    );
  });
});
