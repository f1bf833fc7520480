import { RuleViolation } from '@cnfs/conventions-domain';
import { ProblemException } from '@cnfs/service-kit';
import { QueryFailedError } from 'typeorm';

/**
 * Unique indexes that are business rules: when a concurrent request wins the race the loser gets the rule's 409,
 * and its transaction — rolled back — wrote nothing.
 */
const UNIQUE_RULES: Record<string, { code: string; detail: string }> = {
  contracts_one_active_per_post: { code: 'NO_VACANT_POST', detail: 'the post was taken by another contract: no vacant post is left' },
  contracts_one_active_per_conseiller: { code: 'CONSEILLER_ALREADY_EMPLOYED', detail: 'this conseiller already holds an active contract' },
  contracts_renewed_once: { code: 'CONTRACT_ALREADY_RENEWED', detail: 'this contract was already renewed' },
  amendments_one_pending_per_structure: { code: 'AMENDMENT_ALREADY_PENDING', detail: 'an amendment of this structure is still pending: one at a time' },
  conventions_one_per_structure_and_phase: { code: 'CONVENTION_ALREADY_EXISTS', detail: 'this structure already has a convention of this phase' },
};

/** A domain refusal or a rule enforced by the database, as the problem+json answer the client should get. */
export function toProblem(error: unknown): unknown {
  if (error instanceof RuleViolation) {
    if (error.kind === 'invalid') {
      return new ProblemException(400, error.message, {
        code: error.code,
        errors: error.violations.map((v) => ({ field: v.field, message: v.message, code: v.code })),
      });
    }
    return new ProblemException(409, error.message, { code: error.code });
  }
  if (error instanceof QueryFailedError) {
    const driver = (error as QueryFailedError & { driverError?: { code?: string; constraint?: string } }).driverError;
    if (driver?.code === '23505' && driver.constraint && UNIQUE_RULES[driver.constraint]) {
      const rule = UNIQUE_RULES[driver.constraint];
      return new ProblemException(409, rule.detail, { code: rule.code });
    }
  }
  return error;
}
