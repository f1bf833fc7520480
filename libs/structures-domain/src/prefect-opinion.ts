import { EffectiveQuota } from './coselec';
import { Decision, ok, refuse } from './rule-violation';
import { isFinal, StructureStatus } from './status';

export const PREFECT_OPINIONS = ['favorable', 'defavorable'] as const;
export type PrefectOpinion = (typeof PREFECT_OPINIONS)[number];

export const COMMENT_MIN = 10;
export const COMMENT_MAX = 1000;

/**
 * Null when the comment is acceptable, else the reason. Its length is measured once trimmed, in
 * the characters JSON and the event contract count (UTF-16 code units), so ten spaces are not a comment.
 */
export function commentProblem(comment: unknown): string | null {
  if (typeof comment !== 'string') return 'must be a string';
  const length = comment.trim().length;
  if (length < COMMENT_MIN || length > COMMENT_MAX) return `must be ${COMMENT_MIN} to ${COMMENT_MAX} characters once trimmed (got ${length})`;
  return null;
}

/**
 * A préfet's opinion on a structure's renewal (phase 2). Checked here: the comment, and that the
 * structure has something to renew — posts granted by a positive committee decision, and a live
 * status (not ABANDON, ANNULEE or DOUBLON). The territorial scope (the préfet's own département)
 * is the edge's job. Opinions are appended; a préfet revising an opinion adds a new one.
 */
export function decidePrefectOpinion(
  structure: { status: StructureStatus; effectiveQuota: EffectiveQuota | null },
  input: { opinion: PrefectOpinion; comment: string },
): Decision<{ opinion: PrefectOpinion; comment: string }> {
  if (!PREFECT_OPINIONS.includes(input.opinion)) return refuse('invalid', `must be one of ${PREFECT_OPINIONS.join(', ')}`, 'opinion');
  const problem = commentProblem(input.comment);
  if (problem) return refuse('invalid', problem, 'comment');
  if (isFinal(structure.status)) return refuse('conflict', `a structure in status ${structure.status} has no renewal to give an opinion on`);
  if (!structure.effectiveQuota) {
    return refuse('conflict', 'the structure has no post granted by a positive committee decision: there is no renewal to give an opinion on');
  }
  return ok({ opinion: input.opinion, comment: input.comment.trim() });
}
