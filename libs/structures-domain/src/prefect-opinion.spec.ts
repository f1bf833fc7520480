import { commentProblem, decidePrefectOpinion } from './prefect-opinion';
import { STRUCTURE_STATUSES } from './status';

describe('préfet opinions', () => {
  const quota = { posts: 2, phase: 1 as const, decisionId: 'd-1' };
  const comment = 'Structure active, conseillers bien intégrés.';

  it('accepts a favorable or defavorable opinion on a structure with granted posts, comment trimmed', () => {
    expect(decidePrefectOpinion({ status: 'VALIDATION_COSELEC', effectiveQuota: quota }, { opinion: 'favorable', comment: `  ${comment}\n` })).toEqual({
      ok: true, value: { opinion: 'favorable', comment },
    });
    expect(decidePrefectOpinion({ status: 'VALIDATION_COSELEC', effectiveQuota: quota }, { opinion: 'defavorable', comment }).ok).toBe(true);
  });

  it.each([
    ['9 characters', 'x'.repeat(9), false],
    ['10 characters', 'x'.repeat(10), true],
    ['1000 characters', 'x'.repeat(1000), true],
    ['1001 characters', 'x'.repeat(1001), false],
    ['10 spaces', ' '.repeat(10), false],
    ['9 characters padded with spaces', `   ${'x'.repeat(9)}   `, false],
  ])('comment of %s', (_case, text, accepted) => {
    expect(commentProblem(text) === null).toBe(accepted);
  });

  it('refuses a comment that is not a string, and an unknown opinion', () => {
    expect(commentProblem(42)).toBe('must be a string');
    expect(decidePrefectOpinion({ status: 'VALIDATION_COSELEC', effectiveQuota: quota }, { opinion: 'neutre' as never, comment })).toMatchObject({
      ok: false, violation: { kind: 'invalid', field: 'opinion' },
    });
  });

  it.each(STRUCTURE_STATUSES.map((s) => [s]))('structure in status %s', (status) => {
    const result = decidePrefectOpinion({ status, effectiveQuota: quota }, { opinion: 'favorable', comment });
    expect(result.ok).toBe(!['ABANDON', 'ANNULEE', 'DOUBLON'].includes(status));
  });

  it('refuses an opinion on a structure that never had posts granted', () => {
    expect(decidePrefectOpinion({ status: 'REFUS_COSELEC', effectiveQuota: null }, { opinion: 'favorable', comment })).toMatchObject({
      ok: false, violation: { kind: 'conflict' },
    });
  });
});
