/**
 * Why a command is refused, framework-free. The edge maps the kind to an HTTP status:
 * `invalid` → 400 (the request itself is wrong), `unprocessable` → 422 (well-formed but contradicts
 * the recorded history), `conflict` → 409 (the structure's current state does not allow it).
 */
export interface RuleViolation {
  kind: 'invalid' | 'unprocessable' | 'conflict';
  message: string;
  /** The request field at fault, when there is one. */
  field?: string;
}

export type Decision<T> = { ok: true; value: T } | { ok: false; violation: RuleViolation };

export const ok = <T>(value: T): Decision<T> => ({ ok: true, value });
export const refuse = <T = never>(kind: RuleViolation['kind'], message: string, field?: string): Decision<T> => ({
  ok: false,
  violation: field === undefined ? { kind, message } : { kind, message, field },
});
