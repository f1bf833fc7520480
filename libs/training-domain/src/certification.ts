import { CalendarDate, isAfter, isCalendarDate } from './calendar';
import { conflicting, invalid } from './errors';
import { HeldCertification } from './enrolment';
import { CertificationKind, CERTIFICATION_KINDS, ReferenceCatalog } from './reference';

export interface CertificationRequest {
  kind: CertificationKind;
  /** PIX only: the score in percent, 0 to 100, at most two decimals. */
  pixScorePercent?: number | null;
  /** CCP only: the blocks obtained (codes of the reference). */
  ccpBlocks?: readonly string[] | null;
  obtainedAt: CalendarDate;
  certifier: string;
}

export interface CheckedCertification {
  kind: CertificationKind;
  pixScorePercent: number | null;
  ccpBlocks: string[];
  /** The recruiter's threshold the PIX score was compared with (null for other kinds). */
  thresholdPercent: number | null;
  belowThreshold: boolean;
  obtainedAt: CalendarDate;
  certifier: string;
}

const hasTwoDecimalsAtMost = (value: number) => Math.abs(Math.round(value * 100) - value * 100) < 1e-6;

/** A percentage 0–100 with at most two decimals (PIX scores and thresholds). */
export function isPercent(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100 && hasTwoDecimalsAtMost(value);
}

export function checkPixThreshold(value: unknown): number {
  if (!isPercent(value)) throw invalid('THRESHOLD_OUT_OF_RANGE', 'thresholdPercent', `a PIX threshold is a percentage from 0 to 100 (two decimals at most), got ${JSON.stringify(value)}`);
  return value;
}

/** A PIX score strictly under the recruiter's threshold is flagged. */
export function isBelowThreshold(pixScorePercent: number, thresholdPercent: number): boolean {
  return pixScorePercent < thresholdPercent;
}

/**
 * Checks a certification to record: PIX with a score 0–100 % (flagged under the recruiter's
 * threshold), CCP with known blocks not already held, the full RNCP title once; obtained by today,
 * with its certifier.
 */
export function checkCertification(
  request: CertificationRequest,
  context: { catalog: ReferenceCatalog; thresholdPercent: number; today: CalendarDate; held: readonly HeldCertification[] },
): CheckedCertification {
  const { catalog } = context;
  if (!CERTIFICATION_KINDS.includes(request.kind)) throw invalid('UNKNOWN_KIND', 'kind', `kind must be one of ${CERTIFICATION_KINDS.join(', ')}`);
  if (!isCalendarDate(request.obtainedAt)) throw invalid('INVALID_DATE', 'obtainedAt', 'obtainedAt must be a calendar date YYYY-MM-DD');
  if (isAfter(request.obtainedAt, context.today)) throw invalid('OBTAINED_IN_FUTURE', 'obtainedAt', `obtainedAt ${request.obtainedAt} is after today (${context.today})`);
  if (typeof request.certifier !== 'string' || request.certifier.trim() === '') throw invalid('CERTIFIER_REQUIRED', 'certifier', 'the certifier is required');
  const score = request.pixScorePercent ?? null;
  const blocks = [...(request.ccpBlocks ?? [])];
  const base = { kind: request.kind, obtainedAt: request.obtainedAt, certifier: request.certifier.trim() };

  switch (request.kind) {
    case 'PIX': {
      if (score === null) throw invalid('PIX_SCORE_REQUIRED', 'pixScorePercent', 'a PIX certification needs its score');
      if (!isPercent(score)) throw invalid('PIX_SCORE_OUT_OF_RANGE', 'pixScorePercent', `a PIX score is a percentage from 0 to 100 (two decimals at most), got ${JSON.stringify(score)}`);
      if (blocks.length > 0) throw invalid('BLOCKS_NOT_ALLOWED', 'ccpBlocks', 'CCP blocks belong to a CCP certification, not to PIX');
      const threshold = checkPixThreshold(context.thresholdPercent);
      return { ...base, pixScorePercent: score, ccpBlocks: [], thresholdPercent: threshold, belowThreshold: isBelowThreshold(score, threshold) };
    }
    case 'CCP': {
      if (score !== null) throw invalid('SCORE_NOT_ALLOWED', 'pixScorePercent', 'a score belongs to a PIX assessment');
      if (blocks.length === 0) throw invalid('BLOCKS_REQUIRED', 'ccpBlocks', 'a CCP certification names the blocks obtained');
      const known = catalog.certificationTypes.filter((c) => c.kind === 'CCP').map((c) => c.code);
      blocks.forEach((code, index) => {
        if (!known.includes(code)) throw invalid('UNKNOWN_BLOCK', `ccpBlocks[${index}]`, `unknown CCP block ${JSON.stringify(code)}; blocks of reference ${catalog.version}: ${known.join(', ')}`);
        if (blocks.indexOf(code) !== index) throw invalid('DUPLICATE_BLOCK', `ccpBlocks[${index}]`, `block ${code} is listed twice`);
      });
      const already = blocks.filter((code) => context.held.some((h) => h.kind === 'CCP' && h.ccpBlocks.includes(code)));
      if (already.length > 0) throw conflicting('BLOCK_ALREADY_HELD', `the conseiller already holds block(s) ${already.join(', ')}`);
      return { ...base, pixScorePercent: null, ccpBlocks: blocks, thresholdPercent: null, belowThreshold: false };
    }
    case 'RNCP': {
      if (score !== null) throw invalid('SCORE_NOT_ALLOWED', 'pixScorePercent', 'a score belongs to a PIX assessment');
      if (blocks.length > 0) throw invalid('BLOCKS_NOT_ALLOWED', 'ccpBlocks', 'the RNCP title is recorded whole; record blocks as CCP');
      if (!catalog.certificationTypes.some((c) => c.kind === 'RNCP')) throw invalid('NO_TITLE', 'kind', `reference ${catalog.version} has no RNCP title`);
      if (context.held.some((h) => h.kind === 'RNCP')) throw conflicting('TITLE_ALREADY_HELD', 'the conseiller already holds the RNCP title');
      return { ...base, pixScorePercent: null, ccpBlocks: [], thresholdPercent: null, belowThreshold: false };
    }
  }
}
