/**
 * A refusal of the training domain. `kind` says how the edge must answer:
 * - `invalid`: the input itself is wrong (unknown pathway, hours out of range, a date before another) → 400 naming `field`;
 * - `rule`: the input is well-formed but a programme rule forbids it in the current state (waiver without certification) → 422;
 * - `conflict`: the record is not in a state that allows the change (already enrolled, enrolment closed) → 409.
 */
export type TrainingRuleKind = 'invalid' | 'rule' | 'conflict';

export class TrainingRuleError extends Error {
  constructor(
    readonly kind: TrainingRuleKind,
    readonly code: string,
    message: string,
    /** Dotted path of the request field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'TrainingRuleError';
  }
}

export const invalid = (code: string, field: string, message: string) => new TrainingRuleError('invalid', code, message, field);
export const ruleBroken = (code: string, message: string, field?: string) => new TrainingRuleError('rule', code, message, field);
export const conflicting = (code: string, message: string) => new TrainingRuleError('conflict', code, message);
