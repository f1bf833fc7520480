import { AmendmentContext, amendmentRequestViolations, amendmentTransition, assertAmendmentAllowed, assertNoPendingAmendment } from './amendment';
import { RuleViolation } from './errors';
import { assertPostMove, canMovePost, conventionedPosts } from './post';

function refusal(run: () => unknown): RuleViolation {
  try {
    run();
  } catch (error) {
    if (error instanceof RuleViolation) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const context = (overrides: Partial<AmendmentContext> = {}): AmendmentContext => ({
  convention: { status: 'CONVENTIONNEMENT_VALIDE', phase: 1, endDate: '2024-02-29' },
  posts: { vacant: 1, occupied: 1, returned: 0 },
  quota: 3,
  today: '2021-06-01',
  ...overrides,
});

describe('posts', () => {
  it('go VACANT → OCCUPE → VACANT, and VACANT → RENDU only', () => {
    expect(canMovePost('VACANT', 'OCCUPE')).toBe(true);
    expect(canMovePost('OCCUPE', 'VACANT')).toBe(true);
    expect(canMovePost('VACANT', 'RENDU')).toBe(true);
    expect(canMovePost('OCCUPE', 'RENDU')).toBe(false);
    expect(canMovePost('RENDU', 'VACANT')).toBe(false);
    expect(canMovePost('RENDU', 'OCCUPE')).toBe(false);
    expect(canMovePost('OCCUPE', 'OCCUPE')).toBe(false);
    expect(refusal(() => assertPostMove('p-1', 'OCCUPE', 'RENDU')).code).toBe('POST_TRANSITION_REFUSED');
  });

  it('count as conventioned unless returned', () => {
    expect(conventionedPosts({ vacant: 1, occupied: 2, returned: 4 })).toBe(3);
  });
});

describe('amendments', () => {
  it('go EN_COURS → VALIDEE | REFUSEE, once', () => {
    expect(amendmentTransition('EN_COURS', 'VALIDATE')).toBe('VALIDEE');
    expect(amendmentTransition('EN_COURS', 'REFUSE')).toBe('REFUSEE');
    expect(refusal(() => amendmentTransition('VALIDEE', 'REFUSE')).code).toBe('AMENDMENT_ALREADY_DECIDED');
    expect(refusal(() => amendmentTransition('REFUSEE', 'VALIDATE')).code).toBe('AMENDMENT_ALREADY_DECIDED');
  });

  it('are at most one pending per structure', () => {
    expect(() => assertNoPendingAmendment(null)).not.toThrow();
    expect(refusal(() => assertNoPendingAmendment({ id: 'a-1' }))).toMatchObject({ kind: 'conflict', code: 'AMENDMENT_ALREADY_PENDING' });
  });

  it('amend validated conventions only', () => {
    const refused = refusal(() => assertAmendmentAllowed({ type: 'AJOUT', posts: 1 }, context({ convention: { status: 'CONVENTIONNEMENT_EN_COURS', phase: 1, endDate: '2024-02-29' } })));
    expect(refused.code).toBe('CONVENTION_NOT_VALIDATED');
  });

  it('never add posts beyond the coselec quota in phase 1', () => {
    expect(() => assertAmendmentAllowed({ type: 'AJOUT', posts: 1 }, context())).not.toThrow();
    expect(refusal(() => assertAmendmentAllowed({ type: 'AJOUT', posts: 2 }, context()))).toMatchObject({ kind: 'conflict', code: 'COSELEC_QUOTA_EXCEEDED' });
    // Returned posts no longer count.
    expect(() => assertAmendmentAllowed({ type: 'AJOUT', posts: 2 }, context({ posts: { vacant: 0, occupied: 1, returned: 1 } }))).not.toThrow();
  });

  it('may add beyond the phase-1 quota in a renewal convention', () => {
    const renewal = context({ convention: { status: 'RECONVENTIONNEMENT_VALIDE', phase: 2, endDate: '2026-02-28' }, quota: 2 });
    expect(() => assertAmendmentAllowed({ type: 'AJOUT', posts: 5 }, renewal)).not.toThrow();
  });

  it('add no post to an ended convention', () => {
    expect(refusal(() => assertAmendmentAllowed({ type: 'AJOUT', posts: 1 }, context({ today: '2024-03-01' }))).code).toBe('CONVENTION_ENDED');
  });

  it('return only vacant posts', () => {
    expect(() => assertAmendmentAllowed({ type: 'RETRAIT', posts: 1 }, context())).not.toThrow();
    expect(refusal(() => assertAmendmentAllowed({ type: 'RETRAIT', posts: 2 }, context()))).toMatchObject({ kind: 'conflict', code: 'NOT_ENOUGH_VACANT_POSTS' });
    const named = new Map([['p-1', 'VACANT'], ['p-2', 'OCCUPE'], ['p-3', 'RENDU']]);
    expect(() => assertAmendmentAllowed({ type: 'RETRAIT', posts: 1, postIds: ['p-1'] }, context({ namedPosts: named }))).not.toThrow();
    expect(refusal(() => assertAmendmentAllowed({ type: 'RETRAIT', posts: 1, postIds: ['p-2'] }, context({ namedPosts: named }))).code).toBe('POST_NOT_VACANT');
    expect(refusal(() => assertAmendmentAllowed({ type: 'RETRAIT', posts: 1, postIds: ['p-3'] }, context({ namedPosts: named }))).code).toBe('POST_NOT_VACANT');
    expect(refusal(() => assertAmendmentAllowed({ type: 'RETRAIT', posts: 1, postIds: ['p-9'] }, context({ namedPosts: named }))).code).toBe('POST_NOT_IN_CONVENTION');
  });

  it('refuse malformed requests as invalid, naming the field', () => {
    expect(amendmentRequestViolations({ type: 'AJOUT', posts: 0 })).toEqual([expect.objectContaining({ field: 'posts' })]);
    expect(amendmentRequestViolations({ type: 'AJOUT', posts: 1, postIds: ['p-1'] })[0].code).toBe('POST_IDS_ONLY_FOR_RETRAIT');
    expect(amendmentRequestViolations({ type: 'RETRAIT', posts: 2, postIds: ['p-1'] })[0].code).toBe('POST_IDS_COUNT_MISMATCH');
    expect(amendmentRequestViolations({ type: 'RETRAIT', posts: 2, postIds: ['p-1', 'p-1'] })[0].code).toBe('POST_IDS_DUPLICATED');
    expect(refusal(() => assertAmendmentAllowed({ type: 'RETRAIT', posts: 0 }, context())).kind).toBe('invalid');
  });
});
