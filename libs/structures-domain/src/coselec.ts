import { isCalendarDate } from './calendar-date';
import { Decision, ok, refuse } from './rule-violation';
import { COSELEC_OPINIONS, CoselecOpinion, DECIDABLE_STATUSES, STATUS_AFTER_OPINION, StructureStatus } from './status';

/** The programme's size: no structure requests or is granted more posts than the whole programme has. */
export const PROGRAMME_POSTS = 4000;

export const COSELEC_PHASES = [1, 2] as const;
/** 1: initial conventionnement; 2: renewal (reconventionnement). */
export type CoselecPhase = (typeof COSELEC_PHASES)[number];

export const COMMITTEE_NUMBER_MAX = 50;

/** One recorded selection-committee decision (the history is append-only). */
export interface CoselecDecisionRecord {
  readonly id: string;
  /** Order of recording within the structure, from 1. */
  readonly sequence: number;
  readonly opinion: CoselecOpinion;
  readonly grantedPosts: number;
  readonly committeeNumber: string;
  readonly decidedAt: string;
  readonly phase: CoselecPhase;
}

export interface EffectiveQuota {
  readonly posts: number;
  readonly phase: CoselecPhase;
  readonly decisionId: string;
}

/** Later of two decisions: by decision date, then by order of recording. */
function isLater(a: CoselecDecisionRecord, b: CoselecDecisionRecord): boolean {
  if (a.decidedAt !== b.decidedAt) return a.decidedAt > b.decidedAt;
  return a.sequence > b.sequence;
}

/**
 * The structure's post quota: the latest positive decision, a phase-2 (renewal) decision being
 * preferred to any phase-1 one. Negative and "further examination" decisions leave it unchanged;
 * null when no positive decision exists.
 */
export function effectiveQuota(decisions: readonly CoselecDecisionRecord[]): EffectiveQuota | null {
  let best: CoselecDecisionRecord | undefined;
  for (const decision of decisions) {
    if (decision.opinion !== 'POSITIF') continue;
    if (!best || decision.phase > best.phase || (decision.phase === best.phase && isLater(decision, best))) best = decision;
  }
  return best ? { posts: best.grantedPosts, phase: best.phase, decisionId: best.id } : null;
}

export interface CoselecDecisionInput {
  opinion: CoselecOpinion;
  grantedPosts: number;
  committeeNumber: string;
  decidedAt: string;
  phase: CoselecPhase;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** The rule tying granted posts to the opinion: a positive decision grants 1 to 4,000 posts, any other grants none. */
export function grantedPostsProblem(opinion: CoselecOpinion, grantedPosts: number): string | null {
  if (!Number.isInteger(grantedPosts)) return 'must be an integer';
  if (opinion === 'POSITIF') {
    if (grantedPosts < 1) return 'a POSITIF decision grants at least 1 post';
    if (grantedPosts > PROGRAMME_POSTS) return `cannot exceed the programme's ${PROGRAMME_POSTS} posts`;
    return null;
  }
  return grantedPosts === 0 ? null : `a ${opinion} decision grants no post (0)`;
}

/** Field-level rules of a decision, independent of the structure's history. */
export function coselecDecisionProblems(input: CoselecDecisionInput, today: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!COSELEC_OPINIONS.includes(input.opinion)) problems.push({ field: 'opinion', message: `must be one of ${COSELEC_OPINIONS.join(', ')}` });
  else {
    const posts = grantedPostsProblem(input.opinion, input.grantedPosts);
    if (posts) problems.push({ field: 'grantedPosts', message: posts });
  }
  if (!(COSELEC_PHASES as readonly number[]).includes(input.phase)) problems.push({ field: 'phase', message: 'must be 1 or 2' });
  const committee = typeof input.committeeNumber === 'string' ? input.committeeNumber.trim() : '';
  if (committee.length === 0 || committee.length > COMMITTEE_NUMBER_MAX) {
    problems.push({ field: 'committeeNumber', message: `must be 1 to ${COMMITTEE_NUMBER_MAX} characters` });
  }
  if (!isCalendarDate(input.decidedAt)) problems.push({ field: 'decidedAt', message: 'must be a calendar date YYYY-MM-DD' });
  else if (input.decidedAt > today) problems.push({ field: 'decidedAt', message: `cannot be in the future (today is ${today})` });
  return problems;
}

export interface CoselecState {
  readonly status: StructureStatus;
  readonly requestedPosts: number;
  readonly decisions: readonly CoselecDecisionRecord[];
}

export interface RecordedCoselecDecision {
  decision: CoselecDecisionRecord;
  from: StructureStatus;
  to: StructureStatus;
  /** False when the structure already had the resulting status (e.g. a second positive decision). */
  statusChanged: boolean;
  effectiveQuota: EffectiveQuota | null;
}

/**
 * Records a committee decision on a structure:
 * - the structure must be open to decisions (not ABANDON, ANNULEE or DOUBLON) — else a conflict;
 * - the history is append-only and chronological: a decision dated before the latest recorded one is refused;
 * - a committee cannot grant more posts than the structure requested;
 * - the status follows the opinion; the effective quota is recomputed from the whole history.
 */
export function decideCoselecDecision(
  state: CoselecState,
  input: CoselecDecisionInput,
  context: { decisionId: string; today: string },
): Decision<RecordedCoselecDecision> {
  const [problem] = coselecDecisionProblems(input, context.today);
  if (problem) return refuse('invalid', problem.message, problem.field);
  if (!DECIDABLE_STATUSES.includes(state.status)) {
    return refuse('conflict', `a structure in status ${state.status} takes no further committee decision`);
  }
  const latest = state.decisions.reduce<CoselecDecisionRecord | undefined>((a, d) => (!a || isLater(d, a) ? d : a), undefined);
  if (latest && input.decidedAt < latest.decidedAt) {
    return refuse(
      'unprocessable',
      `the decision history is chronological: the latest recorded decision (${latest.committeeNumber}) is dated ${latest.decidedAt}`,
      'decidedAt',
    );
  }
  if (input.opinion === 'POSITIF' && input.grantedPosts > state.requestedPosts) {
    return refuse('unprocessable', `cannot grant more posts than the ${state.requestedPosts} requested`, 'grantedPosts');
  }
  const decision: CoselecDecisionRecord = {
    id: context.decisionId,
    sequence: state.decisions.reduce((max, d) => Math.max(max, d.sequence), 0) + 1,
    opinion: input.opinion,
    grantedPosts: input.grantedPosts,
    committeeNumber: input.committeeNumber.trim(),
    decidedAt: input.decidedAt,
    phase: input.phase,
  };
  const to = STATUS_AFTER_OPINION[input.opinion];
  return ok({
    decision,
    from: state.status,
    to,
    statusChanged: to !== state.status,
    effectiveQuota: effectiveQuota([...state.decisions, decision]),
  });
}
