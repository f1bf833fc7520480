import { z } from 'zod';
import { CONTRACT_TYPES } from './conventions.events';
import { defineEvent } from './event-definition';
import { amountCents, calendarDate, departmentCode, id } from './fields';
import { TOPICS } from './topics';

/**
 * Events of the contract lifecycle saga (topic `lifecycle.contract-lifecycle.events`, keyed by
 * contract id, so one contract's messages stay in order). Beside them on this topic travels
 * `subsidies.RenewalCommitmentRequested` (defined with the subsidies events), the saga's request to
 * commit a renewal's phase-2 subsidy.
 */

/** Who and where, on every lifecycle event. */
const saga = { contractId: id, structureId: id, departmentCode };

/** The renewed contract the structure proposes (for a CDI: its financing renewed, the CDI going on). */
const renewalTerms = z.object({
  contractType: z.enum(CONTRACT_TYPES),
  startDate: calendarDate,
  endDate: calendarDate.nullable(),
  /** Integer cents; null when a CDI's financing is renewed (no new contract). */
  grossMonthlySalaryCents: amountCents.nullable(),
});

export const ContractExpiryApproachingV1 = defineEvent({
  type: 'lifecycle.ContractExpiryApproaching',
  version: 1,
  topic: TOPICS.lifecycle,
  aggregateType: 'ContractLifecycle',
  payload: z.object({
    contractId: id,
    structureId: id,
    departmentCode,
    endDate: calendarDate,
    monthsBeforeEnd: z.union([z.literal(6), z.literal(3), z.literal(1)]),
  }),
});

/** The structure (or ANCT for it) asked to renew a contract with these terms; the préfet's opinion and ANCT's decision follow. */
export const RenewalRequestedV1 = defineEvent({
  type: 'lifecycle.RenewalRequested',
  version: 1,
  topic: TOPICS.lifecycle,
  aggregateType: 'ContractLifecycle',
  payload: z.object({
    ...saga,
    conventionId: id,
    postId: id,
    /** The current contract's end (for a CDI: the end of its financing). */
    endDate: calendarDate,
    renewal: renewalTerms,
  }),
});

/**
 * The renewal's phase-2 subsidy is committed. When `recordContract`, the conventions service records
 * the renewed contract now, while the current one is still active (a CDI's financing renewal has
 * nothing to record).
 */
export const RenewalFinancedV1 = defineEvent({
  type: 'lifecycle.RenewalFinanced',
  version: 1,
  topic: TOPICS.lifecycle,
  aggregateType: 'ContractLifecycle',
  payload: z.object({
    ...saga,
    conventionId: id,
    postId: id,
    endDate: calendarDate,
    renewal: renewalTerms,
    requestId: id,
    commitmentId: id,
    amountCents,
    recordContract: z.boolean(),
  }),
});

/** The contract will not be renewed: the structure is not interested, ANCT refused, no financing, no decision in time, or the end came first. */
export const RenewalRejectedV1 = defineEvent({
  type: 'lifecycle.RenewalRejected',
  version: 1,
  topic: TOPICS.lifecycle,
  aggregateType: 'ContractLifecycle',
  payload: z.object({
    ...saga,
    endDate: calendarDate.nullable(),
    stage: z.enum(['STRUCTURE', 'ANCT', 'FINANCING', 'DEADLINE', 'CONTRACT_END']),
    reason: z.string().min(1),
  }),
});

/**
 * The contract reached its end date without renewal: the conventions service ends it (TERMINE) if it
 * is still active and past its end where its structure is (otherwise its own natural-end job does).
 */
export const ContractEndDueV1 = defineEvent({
  type: 'lifecycle.ContractEndDue',
  version: 1,
  topic: TOPICS.lifecycle,
  aggregateType: 'ContractLifecycle',
  payload: z.object({ ...saga, endDate: calendarDate }),
});

/**
 * Compensation command: the renewal asked for by `requestId` will not happen (rupture, end, late
 * commitment): the subsidies service releases the commitment that request created — its unpaid
 * tranches cancelled, the amount given back to the envelope by reversing entries. A commitment the
 * request did not create (a post already committed) is left alone. Idempotent.
 */
export const RenewalCommitmentReleaseRequestedV1 = defineEvent({
  type: 'lifecycle.RenewalCommitmentReleaseRequested',
  version: 1,
  topic: TOPICS.lifecycle,
  aggregateType: 'ContractLifecycle',
  payload: z.object({
    ...saga,
    requestId: id,
    postId: id,
    /** The commitment the saga was told of, when it was. */
    commitmentId: id.nullable(),
    reason: z.string().min(1),
  }),
});
