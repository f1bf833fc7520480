import { ProblemException } from '@cnfs/service-kit';
import { TrainingRuleError } from '@cnfs/training-domain';

const STATUS = { invalid: 400, rule: 422, conflict: 409 } as const;

/** A domain refusal as problem+json: 400 naming the field, 422 for a broken rule, 409 for a state conflict. */
export function problemOf(error: TrainingRuleError): ProblemException {
  return new ProblemException(STATUS[error.kind], error.message, {
    code: error.code,
    ...(error.field ? { errors: [{ field: error.field, message: error.message }] } : {}),
  });
}

/** Runs domain code, turning its refusals into problems. */
export function domain<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof TrainingRuleError) throw problemOf(error);
    throw error;
  }
}

/** A unique-constraint race lost to a concurrent request (PostgreSQL 23505) is a 409, never a 500. */
export function uniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string; driverError?: { code?: string } })?.driverError?.code ?? (error as { code?: string })?.code;
  return code === '23505';
}
