/**
 * Free-text hygiene. PostgreSQL text cannot hold U+0000, and control characters or lone UTF-16
 * surrogates in names and addresses are always input errors (copy-paste from spreadsheets): they
 * are refused at the edge rather than stored or turned into server errors.
 */
const SINGLE_LINE_FORBIDDEN = /[\p{Cc}\p{Cs}\u2028\u2029]/u;
const MULTI_LINE_FORBIDDEN = /[\p{Cs}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;

/** Null when `value` is acceptable single-line text (no control character, no lone surrogate). */
export function singleLineTextProblem(value: string): string | null {
  return SINGLE_LINE_FORBIDDEN.test(value) ? 'must not contain control characters or line breaks' : null;
}

/** Null when `value` is acceptable multi-line text (tabs and line breaks allowed, other control characters not). */
export function multiLineTextProblem(value: string): string | null {
  return MULTI_LINE_FORBIDDEN.test(value) ? 'must not contain control characters' : null;
}
