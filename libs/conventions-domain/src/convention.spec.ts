import {
  conventionCovers,
  conventionDates,
  conventionTransition,
  FINANCED_MONTHS,
  initialConventionStatus,
  isValidatedConvention,
  planConvention,
} from './convention';
import { RuleViolation } from './errors';
import { applyCoselecDecision, assertMayConvention, assertMayRecruit, NO_QUOTA, quotaOf, StructureFacts } from './structure';

function refusal(run: () => unknown): RuleViolation {
  try {
    run();
  } catch (error) {
    if (error instanceof RuleViolation) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('coselec quotas (read model of the structures context)', () => {
  const positive = (phase: 1 | 2, posts: number) => ({ opinion: 'POSITIF' as const, grantedPosts: posts, phase, effectiveQuota: { posts, phase } });

  it('takes the latest positive decision of each phase', () => {
    let quotas = applyCoselecDecision(NO_QUOTA, positive(1, 2));
    expect(quotas).toEqual({ phase1: 2, phase2: null });
    quotas = applyCoselecDecision(quotas, positive(1, 3));
    expect(quotaOf(quotas, 1)).toBe(3);
    quotas = applyCoselecDecision(quotas, positive(2, 1));
    expect(quotas).toEqual({ phase1: 3, phase2: 1 });
  });

  it('keeps the quota through a negative decision or a further examination', () => {
    const quotas = applyCoselecDecision(NO_QUOTA, positive(1, 2));
    const after = applyCoselecDecision(quotas, { opinion: 'NEGATIF', grantedPosts: 0, phase: 2, effectiveQuota: { posts: 2, phase: 1 } });
    expect(after).toEqual({ phase1: 2, phase2: null });
    const examined = applyCoselecDecision(after, { opinion: 'EXAMEN_COMPLEMENTAIRE', grantedPosts: 0, phase: 1, effectiveQuota: { posts: 2, phase: 1 } });
    expect(examined).toEqual({ phase1: 2, phase2: null });
  });

  it('drops every quota when the structures context says no positive decision stands', () => {
    const quotas = applyCoselecDecision(NO_QUOTA, positive(1, 2));
    expect(applyCoselecDecision(quotas, { opinion: 'NEGATIF', grantedPosts: 0, phase: 1, effectiveQuota: null })).toEqual(NO_QUOTA);
    expect(quotaOf(NO_QUOTA, 1)).toBe(0);
  });

  const structure = (overrides: Partial<StructureFacts> = {}): StructureFacts => ({
    structureId: 's-1', status: 'VALIDATION_COSELEC', legalStatus: 'PUBLIC', departmentCode: '59', quotas: { phase1: 2, phase2: null }, ...overrides,
  });

  it('lets only an open, registered structure with a positive quota of the phase sign a convention', () => {
    expect(assertMayConvention(structure(), 1)).toBe(2);
    expect(refusal(() => assertMayConvention(structure(), 2)).code).toBe('NO_POSITIVE_COSELEC_QUOTA');
    expect(refusal(() => assertMayConvention(structure({ quotas: { phase1: 0, phase2: null } }), 1)).code).toBe('NO_POSITIVE_COSELEC_QUOTA');
    expect(refusal(() => assertMayConvention(structure({ quotas: NO_QUOTA }), 1)).kind).toBe('conflict');
    for (const status of ['ABANDON', 'ANNULEE', 'DOUBLON']) {
      expect(refusal(() => assertMayConvention(structure({ status }), 1)).code).toBe('STRUCTURE_CLOSED');
      expect(refusal(() => assertMayRecruit(structure({ status }))).code).toBe('STRUCTURE_CLOSED');
    }
    expect(refusal(() => assertMayConvention(structure({ legalStatus: null }), 1)).code).toBe('STRUCTURE_NOT_REGISTERED');
    // A refused renewal (REFUS_COSELEC) does not stop a running phase-1 convention's recruitments.
    expect(() => assertMayRecruit(structure({ status: 'REFUS_COSELEC' }))).not.toThrow();
  });
});

describe('convention dates', () => {
  it('finances 24 months in phase 1 and ends at most 36 months after the start', () => {
    expect(FINANCED_MONTHS[1]).toBe(24);
    expect(conventionDates(1, '2021-03-01')).toEqual({ financedUntil: '2023-02-28', endDate: '2024-02-29', violations: [] });
    expect(conventionDates(1, '2021-03-01', '2023-12-31')).toMatchObject({ endDate: '2023-12-31', violations: [] });
    expect(conventionDates(1, '2021-03-01', '2023-02-28').violations).toEqual([]);
  });

  it('refuses an end beyond 36 months or before the end of the financing', () => {
    expect(conventionDates(1, '2021-03-01', '2024-03-01').violations).toEqual([expect.objectContaining({ field: 'endDate', code: 'CONVENTION_OVER_36_MONTHS' })]);
    expect(conventionDates(1, '2021-03-01', '2023-02-27').violations).toEqual([expect.objectContaining({ field: 'endDate', code: 'CONVENTION_SHORTER_THAN_FINANCING' })]);
    expect(conventionDates(1, '2021-03-01', '2020-01-01').violations[0].code).toBe('CONVENTION_SHORTER_THAN_FINANCING');
  });

  it('finances the whole 36 months of a renewal convention', () => {
    expect(conventionDates(2, '2023-03-01')).toEqual({ financedUntil: '2026-02-28', endDate: '2026-02-28', violations: [] });
    expect(conventionDates(2, '2023-03-01', '2025-12-31').violations[0].code).toBe('CONVENTION_SHORTER_THAN_FINANCING');
  });

  it('covers its period, both ends included', () => {
    const c = { startDate: '2021-03-01', endDate: '2024-02-29' };
    expect(conventionCovers(c, '2021-03-01')).toBe(true);
    expect(conventionCovers(c, '2024-02-29')).toBe(true);
    expect(conventionCovers(c, '2021-02-28')).toBe(false);
    expect(conventionCovers(c, '2024-03-01')).toBe(false);
  });
});

describe('planning a convention', () => {
  it('defaults the posts to the coselec quota and refuses more', () => {
    expect(planConvention({ phase: 1, startDate: '2021-03-01' }, 2)).toEqual({
      phase: 1, startDate: '2021-03-01', financedUntil: '2023-02-28', endDate: '2024-02-29', posts: 2,
    });
    expect(planConvention({ phase: 1, startDate: '2021-03-01', posts: 1 }, 2).posts).toBe(1);
    const refused = refusal(() => planConvention({ phase: 1, startDate: '2021-03-01', posts: 3 }, 2));
    expect(refused).toMatchObject({ kind: 'conflict', code: 'COSELEC_QUOTA_EXCEEDED' });
  });

  it('refuses incoherent dates as invalid with the field', () => {
    const refused = refusal(() => planConvention({ phase: 1, startDate: '2021-03-01', endDate: '2025-01-01' }, 2));
    expect(refused.kind).toBe('invalid');
    expect(refused.violations).toEqual([expect.objectContaining({ field: 'endDate', code: 'CONVENTION_OVER_36_MONTHS' })]);
  });

  it('starts a renewal after the convention it renews', () => {
    expect(planConvention({ phase: 2, startDate: '2023-03-01' }, 2, { startDate: '2021-03-01' }).financedUntil).toBe('2026-02-28');
    const refused = refusal(() => planConvention({ phase: 2, startDate: '2021-03-01' }, 2, { startDate: '2021-03-01' }));
    expect(refused.violations[0]).toMatchObject({ field: 'startDate', code: 'RENEWAL_STARTS_TOO_EARLY' });
  });
});

describe('convention lifecycle', () => {
  it('starts in the status of its phase', () => {
    expect(initialConventionStatus(1)).toBe('CONVENTIONNEMENT_EN_COURS');
    expect(initialConventionStatus(2)).toBe('RECONVENTIONNEMENT_INITIE');
  });

  it('moves EN_COURS → VALIDE, INITIE → RECONVENTIONNEMENT_VALIDE, or to NON_INTERESSE', () => {
    expect(conventionTransition('CONVENTIONNEMENT_EN_COURS', 'VALIDATE')).toBe('CONVENTIONNEMENT_VALIDE');
    expect(conventionTransition('RECONVENTIONNEMENT_INITIE', 'VALIDATE')).toBe('RECONVENTIONNEMENT_VALIDE');
    expect(conventionTransition('CONVENTIONNEMENT_EN_COURS', 'DECLARE_NOT_INTERESTED')).toBe('NON_INTERESSE');
    expect(conventionTransition('RECONVENTIONNEMENT_INITIE', 'DECLARE_NOT_INTERESTED')).toBe('NON_INTERESSE');
    expect(isValidatedConvention('CONVENTIONNEMENT_VALIDE')).toBe(true);
    expect(isValidatedConvention('RECONVENTIONNEMENT_VALIDE')).toBe(true);
    expect(isValidatedConvention('CONVENTIONNEMENT_EN_COURS')).toBe(false);
  });

  it('refuses every other move, validated and not-interested conventions being final', () => {
    for (const status of ['CONVENTIONNEMENT_VALIDE', 'RECONVENTIONNEMENT_VALIDE', 'NON_INTERESSE'] as const) {
      for (const action of ['VALIDATE', 'DECLARE_NOT_INTERESTED'] as const) {
        expect(refusal(() => conventionTransition(status, action))).toMatchObject({ kind: 'conflict', code: 'CONVENTION_TRANSITION_REFUSED' });
      }
    }
  });
});
