/** One reason a request breaks a rule, on one field of the request (`field` is a dotted path). */
export interface FieldViolation {
  field: string;
  /** A stable machine-readable code, e.g. `CDD_PRIVATE_LAW_OVER_18_MONTHS`. */
  code: string;
  message: string;
}

/**
 * A refusal by a domain rule. `invalid`: the request itself is wrong (an HTTP 400 naming the fields);
 * `conflict`: the request is well-formed but the current state refuses it (an HTTP 409).
 */
export class RuleViolation extends Error {
  constructor(
    readonly kind: 'invalid' | 'conflict',
    readonly code: string,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
  ) {
    super(message);
    this.name = 'RuleViolation';
  }
}

export function invalid(violations: FieldViolation[], message = 'the request breaks a rule'): RuleViolation {
  const summary = violations.length === 1 ? violations[0].message : message;
  return new RuleViolation('invalid', violations[0]?.code ?? 'INVALID', summary, violations);
}

export function conflict(code: string, message: string): RuleViolation {
  return new RuleViolation('conflict', code, message);
}

/** Throws the violations as one `invalid` refusal, if any. */
export function assertNone(violations: FieldViolation[], message?: string): void {
  if (violations.length > 0) throw invalid(violations, message);
}
