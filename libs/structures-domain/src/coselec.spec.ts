import fc from 'fast-check';
import {
  CoselecDecisionInput,
  CoselecDecisionRecord,
  coselecDecisionProblems,
  CoselecState,
  decideCoselecDecision,
  effectiveQuota,
  grantedPostsProblem,
} from './coselec';
import { COSELEC_OPINIONS, STRUCTURE_STATUSES } from './status';

let n = 0;
function decision(partial: Partial<CoselecDecisionRecord>): CoselecDecisionRecord {
  n += 1;
  return {
    id: `d-${n}`, sequence: n, opinion: 'POSITIF', grantedPosts: 1, committeeNumber: `COSELEC ${n}`, decidedAt: '2021-03-01', phase: 1,
    ...partial,
  };
}

describe('effective quota: latest positive decision, phase 2 preferred', () => {
  it('is null without a positive decision', () => {
    expect(effectiveQuota([])).toBeNull();
    expect(effectiveQuota([decision({ opinion: 'NEGATIF', grantedPosts: 0 }), decision({ opinion: 'EXAMEN_COMPLEMENTAIRE', grantedPosts: 0 })])).toBeNull();
  });

  it('takes the latest positive decision of the phase, by date', () => {
    const first = decision({ grantedPosts: 3, decidedAt: '2021-03-01' });
    const later = decision({ grantedPosts: 2, decidedAt: '2021-06-15' });
    expect(effectiveQuota([first, later])).toEqual({ posts: 2, phase: 1, decisionId: later.id });
    expect(effectiveQuota([later, first])).toEqual({ posts: 2, phase: 1, decisionId: later.id });
  });

  it('breaks a same-day tie by order of recording', () => {
    const a = decision({ grantedPosts: 3, decidedAt: '2021-03-01', sequence: 1 });
    const b = decision({ grantedPosts: 4, decidedAt: '2021-03-01', sequence: 2 });
    expect(effectiveQuota([b, a])?.posts).toBe(4);
  });

  it('is not changed by a later negative or further-examination decision', () => {
    const positive = decision({ grantedPosts: 2, decidedAt: '2021-03-01' });
    const negative = decision({ opinion: 'NEGATIF', grantedPosts: 0, decidedAt: '2022-12-01', phase: 2 });
    const examen = decision({ opinion: 'EXAMEN_COMPLEMENTAIRE', grantedPosts: 0, decidedAt: '2023-01-01', phase: 2 });
    expect(effectiveQuota([positive, negative, examen])).toEqual({ posts: 2, phase: 1, decisionId: positive.id });
  });

  it('prefers a phase-2 positive decision to any phase-1 one, even a later one', () => {
    const phase1 = decision({ grantedPosts: 3, decidedAt: '2021-03-01', phase: 1 });
    const phase2 = decision({ grantedPosts: 1, decidedAt: '2022-12-15', phase: 2 });
    const latePhase1 = decision({ grantedPosts: 5, decidedAt: '2023-02-01', phase: 1 });
    expect(effectiveQuota([phase1, phase2, latePhase1])).toEqual({ posts: 1, phase: 2, decisionId: phase2.id });
    const laterPhase2 = decision({ grantedPosts: 2, decidedAt: '2023-03-01', phase: 2 });
    expect(effectiveQuota([phase1, phase2, latePhase1, laterPhase2])).toEqual({ posts: 2, phase: 2, decisionId: laterPhase2.id });
  });

  it('property: equals the rule written as a sort, whatever the order of the history', () => {
    const record = fc.record({
      opinion: fc.constantFrom(...COSELEC_OPINIONS),
      grantedPosts: fc.integer({ min: 1, max: 50 }),
      decidedAt: fc.constantFrom('2021-01-10', '2021-05-20', '2022-02-01', '2022-12-15', '2023-03-01'),
      phase: fc.constantFrom(1 as const, 2 as const),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 12 }), fc.infiniteStream(fc.nat()), (raw, noise) => {
        const history = raw.map((r, i) => ({ ...r, id: `x-${i}`, sequence: i + 1, committeeNumber: `C${i}`, grantedPosts: r.opinion === 'POSITIF' ? r.grantedPosts : 0 }));
        const shuffled = [...history].sort(() => (noise.next().value % 3) - 1);
        const positives = history
          .filter((d) => d.opinion === 'POSITIF')
          .sort((a, b) => b.phase - a.phase || b.decidedAt.localeCompare(a.decidedAt) || b.sequence - a.sequence);
        const expected = positives.length ? { posts: positives[0].grantedPosts, phase: positives[0].phase, decisionId: positives[0].id } : null;
        expect(effectiveQuota(shuffled)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('granted posts and opinion', () => {
  it.each([
    ['POSITIF', 1, null],
    ['POSITIF', 4000, null],
    ['POSITIF', 0, 'a POSITIF decision grants at least 1 post'],
    ['POSITIF', 4001, "cannot exceed the programme's 4000 posts"],
    ['POSITIF', 1.5, 'must be an integer'],
    ['NEGATIF', 0, null],
    ['NEGATIF', 2, 'a NEGATIF decision grants no post (0)'],
    ['EXAMEN_COMPLEMENTAIRE', 0, null],
    ['EXAMEN_COMPLEMENTAIRE', 1, 'a EXAMEN_COMPLEMENTAIRE decision grants no post (0)'],
  ] as const)('%s with %s posts → %s', (opinion, posts, expected) => {
    expect(grantedPostsProblem(opinion, posts)).toBe(expected);
  });
});

describe('recording a committee decision', () => {
  const today = '2021-06-30';
  const input: CoselecDecisionInput = { opinion: 'POSITIF', grantedPosts: 2, committeeNumber: ' COSELEC 12 ', decidedAt: '2021-03-01', phase: 1 };
  const fresh: CoselecState = { status: 'CREEE', requestedPosts: 3, decisions: [] };

  it('validates a CREEE structure, grants the quota and numbers the decision', () => {
    const result = decideCoselecDecision(fresh, input, { decisionId: 'd-new', today });
    expect(result).toEqual({
      ok: true,
      value: {
        decision: { id: 'd-new', sequence: 1, opinion: 'POSITIF', grantedPosts: 2, committeeNumber: 'COSELEC 12', decidedAt: '2021-03-01', phase: 1 },
        from: 'CREEE', to: 'VALIDATION_COSELEC', statusChanged: true,
        effectiveQuota: { posts: 2, phase: 1, decisionId: 'd-new' },
      },
    });
  });

  it('moves to the status of each opinion', () => {
    expect(decideCoselecDecision(fresh, { ...input, opinion: 'NEGATIF', grantedPosts: 0 }, { decisionId: 'x', today })).toMatchObject({
      ok: true, value: { to: 'REFUS_COSELEC', statusChanged: true, effectiveQuota: null },
    });
    expect(decideCoselecDecision(fresh, { ...input, opinion: 'EXAMEN_COMPLEMENTAIRE', grantedPosts: 0 }, { decisionId: 'x', today })).toMatchObject({
      ok: true, value: { to: 'EXAMEN_COMPLEMENTAIRE_COSELEC', statusChanged: true },
    });
  });

  it('keeps the status but changes the quota on a second positive decision, and keeps the quota after a refusal', () => {
    const first = decision({ id: 'first', sequence: 1, grantedPosts: 3, decidedAt: '2021-03-01' });
    const validated: CoselecState = { status: 'VALIDATION_COSELEC', requestedPosts: 3, decisions: [first] };
    const second = decideCoselecDecision(validated, { ...input, grantedPosts: 1, decidedAt: '2021-05-01' }, { decisionId: 'second', today });
    expect(second).toMatchObject({ ok: true, value: { statusChanged: false, to: 'VALIDATION_COSELEC', effectiveQuota: { posts: 1, decisionId: 'second' }, decision: { sequence: 2 } } });
    const refusal = decideCoselecDecision(validated, { ...input, opinion: 'NEGATIF', grantedPosts: 0, decidedAt: '2021-05-01', phase: 2 }, { decisionId: 'r', today });
    expect(refusal).toMatchObject({ ok: true, value: { from: 'VALIDATION_COSELEC', to: 'REFUS_COSELEC', effectiveQuota: { posts: 3, phase: 1, decisionId: 'first' } } });
  });

  it.each(STRUCTURE_STATUSES.map((s) => [s]))('in status %s: accepted unless final', (status) => {
    const result = decideCoselecDecision({ ...fresh, status }, input, { decisionId: 'x', today });
    if (['ABANDON', 'ANNULEE', 'DOUBLON'].includes(status)) {
      expect(result).toEqual({ ok: false, violation: { kind: 'conflict', message: `a structure in status ${status} takes no further committee decision` } });
    } else expect(result.ok).toBe(true);
  });

  it('refuses a decision dated before the latest recorded one (same day accepted)', () => {
    const state: CoselecState = { status: 'EXAMEN_COMPLEMENTAIRE_COSELEC', requestedPosts: 3, decisions: [decision({ opinion: 'EXAMEN_COMPLEMENTAIRE', grantedPosts: 0, decidedAt: '2021-04-01', committeeNumber: 'COSELEC 14' })] };
    expect(decideCoselecDecision(state, { ...input, decidedAt: '2021-03-31' }, { decisionId: 'x', today })).toEqual({
      ok: false,
      violation: { kind: 'unprocessable', field: 'decidedAt', message: 'the decision history is chronological: the latest recorded decision (COSELEC 14) is dated 2021-04-01' },
    });
    expect(decideCoselecDecision(state, { ...input, decidedAt: '2021-04-01' }, { decisionId: 'x', today }).ok).toBe(true);
  });

  it('refuses granting more posts than requested', () => {
    expect(decideCoselecDecision(fresh, { ...input, grantedPosts: 4 }, { decisionId: 'x', today })).toEqual({
      ok: false, violation: { kind: 'unprocessable', field: 'grantedPosts', message: 'cannot grant more posts than the 3 requested' },
    });
  });

  it('refuses invalid fields, naming them', () => {
    expect(coselecDecisionProblems({ ...input, decidedAt: '2021-02-30' }, today)).toEqual([{ field: 'decidedAt', message: 'must be a calendar date YYYY-MM-DD' }]);
    expect(coselecDecisionProblems({ ...input, decidedAt: '2021-07-01' }, today)).toEqual([{ field: 'decidedAt', message: 'cannot be in the future (today is 2021-06-30)' }]);
    expect(coselecDecisionProblems({ ...input, committeeNumber: '   ' }, today).map((p) => p.field)).toEqual(['committeeNumber']);
    expect(coselecDecisionProblems({ ...input, phase: 3 as never, opinion: 'NEGATIF' }, today).map((p) => p.field)).toEqual(['grantedPosts', 'phase']);
    expect(decideCoselecDecision(fresh, { ...input, grantedPosts: 0 }, { decisionId: 'x', today })).toMatchObject({ ok: false, violation: { kind: 'invalid', field: 'grantedPosts' } });
  });
});
