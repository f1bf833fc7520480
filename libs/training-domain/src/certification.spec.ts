import { checkCertification, checkPixThreshold, isBelowThreshold, CertificationRequest } from './certification';
import { TrainingRuleError } from './errors';
import { DEFAULT_PIX_THRESHOLD_PERCENT } from './reference';
import { testCatalog } from './testing/catalog';

const context = { catalog: testCatalog(), thresholdPercent: DEFAULT_PIX_THRESHOLD_PERCENT, today: '2021-07-15', held: [] };
const pix = (score: number | null, extra: Partial<CertificationRequest> = {}): CertificationRequest => ({
  kind: 'PIX', pixScorePercent: score, obtainedAt: '2021-07-10', certifier: 'GIP Pix', ...extra,
});

function refusal(run: () => unknown): TrainingRuleError {
  try {
    run();
  } catch (error) {
    if (error instanceof TrainingRuleError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('PIX thresholds', () => {
  it('defaults to 70 %', () => {
    expect(DEFAULT_PIX_THRESHOLD_PERCENT).toBe(70);
  });

  it('flags a score strictly under the threshold, not one at it', () => {
    expect(isBelowThreshold(69.99, 70)).toBe(true);
    expect(isBelowThreshold(70, 70)).toBe(false);
    expect(checkCertification(pix(64.5), context)).toMatchObject({ belowThreshold: true, thresholdPercent: 70, pixScorePercent: 64.5 });
    expect(checkCertification(pix(70), context).belowThreshold).toBe(false);
  });

  it('applies the recruiter’s own threshold', () => {
    expect(checkCertification(pix(64.5), { ...context, thresholdPercent: 60 })).toMatchObject({ belowThreshold: false, thresholdPercent: 60 });
    expect(checkCertification(pix(79), { ...context, thresholdPercent: 80 }).belowThreshold).toBe(true);
  });

  it('accepts thresholds from 0 to 100 % with two decimals at most', () => {
    expect(checkPixThreshold(0)).toBe(0);
    expect(checkPixThreshold(72.5)).toBe(72.5);
    for (const bad of [-1, 100.01, 70.001, Number.NaN, '70']) {
      expect(refusal(() => checkPixThreshold(bad))).toMatchObject({ kind: 'invalid', field: 'thresholdPercent' });
    }
  });
});

describe('certifications', () => {
  it('refuses a PIX score outside 0–100 %, with three decimals, or missing', () => {
    for (const score of [100.5, -0.01, 101, 55.555]) {
      expect(refusal(() => checkCertification(pix(score), context))).toMatchObject({ kind: 'invalid', field: 'pixScorePercent', code: 'PIX_SCORE_OUT_OF_RANGE' });
    }
    expect(refusal(() => checkCertification(pix(null), context))).toMatchObject({ code: 'PIX_SCORE_REQUIRED' });
    expect(checkCertification(pix(100), context).pixScorePercent).toBe(100);
    expect(checkCertification(pix(0), context).pixScorePercent).toBe(0);
  });

  it('records CCP blocks of the reference, each once per conseiller', () => {
    const ccp: CertificationRequest = { kind: 'CCP', ccpBlocks: ['CCP1', 'CCP2'], obtainedAt: '2021-07-10', certifier: 'DREETS Hauts-de-France' };
    expect(checkCertification(ccp, context)).toMatchObject({ kind: 'CCP', ccpBlocks: ['CCP1', 'CCP2'], belowThreshold: false, thresholdPercent: null });
    expect(refusal(() => checkCertification({ ...ccp, ccpBlocks: ['CCP9'] }, context))).toMatchObject({ field: 'ccpBlocks[0]', code: 'UNKNOWN_BLOCK' });
    expect(refusal(() => checkCertification({ ...ccp, ccpBlocks: [] }, context))).toMatchObject({ field: 'ccpBlocks', code: 'BLOCKS_REQUIRED' });
    expect(refusal(() => checkCertification({ ...ccp, ccpBlocks: ['CCP1', 'CCP1'] }, context))).toMatchObject({ code: 'DUPLICATE_BLOCK' });
    expect(refusal(() => checkCertification({ ...ccp, pixScorePercent: 80 }, context))).toMatchObject({ field: 'pixScorePercent' });
    const held = [{ certificationId: 'x', kind: 'CCP' as const, ccpBlocks: ['CCP2'], obtainedAt: '2021-01-01' }];
    expect(refusal(() => checkCertification(ccp, { ...context, held }))).toMatchObject({ kind: 'conflict', code: 'BLOCK_ALREADY_HELD' });
  });

  it('records the full RNCP title once, without score or blocks', () => {
    const title: CertificationRequest = { kind: 'RNCP', obtainedAt: '2021-07-10', certifier: 'Ministère du Travail' };
    expect(checkCertification(title, context)).toMatchObject({ kind: 'RNCP', ccpBlocks: [], pixScorePercent: null });
    expect(refusal(() => checkCertification({ ...title, ccpBlocks: ['CCP1'] }, context))).toMatchObject({ field: 'ccpBlocks' });
    const held = [{ certificationId: 'x', kind: 'RNCP' as const, ccpBlocks: [], obtainedAt: '2021-01-01' }];
    expect(refusal(() => checkCertification(title, { ...context, held }))).toMatchObject({ kind: 'conflict', code: 'TITLE_ALREADY_HELD' });
  });

  it('refuses a PIX with blocks, a date after today or a blank certifier', () => {
    expect(refusal(() => checkCertification(pix(80, { ccpBlocks: ['CCP1'] }), context))).toMatchObject({ field: 'ccpBlocks' });
    expect(refusal(() => checkCertification(pix(80, { obtainedAt: '2021-07-16' }), context))).toMatchObject({ field: 'obtainedAt', code: 'OBTAINED_IN_FUTURE' });
    expect(refusal(() => checkCertification(pix(80, { obtainedAt: '2021-02-30' }), context))).toMatchObject({ field: 'obtainedAt', code: 'INVALID_DATE' });
    expect(refusal(() => checkCertification(pix(80, { certifier: '  ' }), context))).toMatchObject({ field: 'certifier' });
  });
});
