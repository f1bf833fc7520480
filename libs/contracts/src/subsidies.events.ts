import { z } from 'zod';
import { defineEvent } from './event-definition';
import { amountCents, calendarDate, compactList, departmentCode, id } from './fields';
import { LEGAL_STATUSES } from './structures.events';
import { TOPICS } from './topics';

const phase = z.union([z.literal(1), z.literal(2)]);
const positiveCents = amountCents.refine((v) => v > 0, 'must be positive');

/**
 * A post's subsidy was committed against a budget envelope (on ConventionValidated, an AJOUT
 * amendment, or a renewal request of the lifecycle saga). One commitment per post and phase:
 * `requestId` answers a `subsidies.RenewalCommitmentRequested` (null otherwise); a request for a
 * post already committed is answered with the existing commitment (same `commitmentId`).
 */
export const SubsidyCommittedV1 = defineEvent({
  type: 'subsidies.SubsidyCommitted',
  version: 1,
  topic: TOPICS.subsidies,
  aggregateType: 'Commitment',
  payload: z.object({
    commitmentId: id,
    conventionId: id,
    structureId: id,
    postId: id,
    budgetEnvelopeId: id,
    ruleId: id,
    amountCents,
    /** Added (optional, compatible): phase, département, rule key and version, tranches, the request answered. */
    phase: phase.optional(),
    departmentCode: departmentCode.optional(),
    ruleKey: z.string().min(1).optional(),
    ruleVersion: z.number().int().min(1).optional(),
    tranches: z.array(z.object({ trancheId: id, seq: z.number().int().min(1), amountCents: positiveCents, trigger: z.enum(['FIRST_OCCUPATION', 'ANNIVERSARY', 'FINAL_REPORT']) })).optional(),
    requestId: id.nullable().optional(),
  }),
});

/**
 * No subsidy could be committed for a post: no rule applies (`missingRule` names the rule an
 * operator must configure), no envelope is open for the phase and date, or the envelope would be
 * over-committed. Nothing is committed; a later event (or request) may succeed once fixed.
 */
export const CommitmentRefusedV1 = defineEvent({
  type: 'subsidies.CommitmentRefused',
  version: 1,
  topic: TOPICS.subsidies,
  aggregateType: 'Commitment',
  payload: z.object({
    /** The id the commitment would have had (post and phase). */
    commitmentId: id,
    conventionId: id.nullable(),
    structureId: id,
    postId: id,
    departmentCode,
    phase,
    reason: z.enum(['NO_APPLICABLE_RULE', 'NO_OPEN_ENVELOPE', 'ENVELOPE_EXHAUSTED']),
    detail: z.string().min(1),
    missingRule: z.object({ ruleKey: z.string().min(1), territory: z.string().nullable(), legalStatus: z.enum(LEGAL_STATUSES), date: calendarDate }).nullable(),
    budgetEnvelopeId: id.nullable(),
    requestedCents: amountCents.nullable(),
    availableCents: amountCents.nullable(),
    requestId: id.nullable(),
  }),
});

const tranche = {
  trancheId: id,
  commitmentId: id,
  postId: id,
  structureId: id,
  departmentCode,
  budgetEnvelopeId: id,
  seq: z.number().int().min(1),
  amountCents: positiveCents,
};

/** A tranche can be ordered by the préfecture: its date came (schedule), its post got a conseiller back (resumed), the final report arrived, or its payment came back from the bank. */
export const TrancheDueV1 = defineEvent({
  type: 'subsidies.TrancheDue',
  version: 1,
  topic: TOPICS.payments,
  aggregateType: 'Tranche',
  payload: z.object({ ...tranche, dueOn: calendarDate, cause: z.enum(['SCHEDULE', 'RESUMED', 'FINAL_REPORT', 'BANK_RETURN']) }),
});

/** A préfecture ordered the payment of a due tranche of its département. */
export const TranchePaymentOrderedV1 = defineEvent({
  type: 'subsidies.TranchePaymentOrdered',
  version: 1,
  topic: TOPICS.payments,
  aggregateType: 'Tranche',
  payload: z.object({ ...tranche, paymentOrderId: id, paymentReference: z.string().min(1).max(35), orderedOn: calendarDate }),
});

/** The Banque des Territoires executed the payment order (the ledger holds it pending until a statement shows it). */
export const TranchePaidV1 = defineEvent({
  type: 'subsidies.TranchePaid',
  version: 1,
  topic: TOPICS.payments,
  aggregateType: 'Tranche',
  payload: z.object({ ...tranche, paymentOrderId: id, paymentReference: z.string().min(1).max(35), bankReference: z.string().min(1), executedOn: calendarDate }),
});

/**
 * Payments matched on a bank statement (reference, amount, beneficiary) and posted in the ledger.
 * One event per reconciliation and batch of at most 1,000 tranches (key: the reconciliation): a
 * 100,000-line statement writes 100 outbox rows, not 100,000, in its transaction. The arrays are
 * parallel: the i-th tranche was paid the i-th amount (its payment order is the one TranchePaid named).
 */
export const TrancheReconciledV1 = defineEvent({
  type: 'subsidies.TrancheReconciled',
  version: 1,
  topic: TOPICS.payments,
  aggregateType: 'Reconciliation',
  payload: z
    .object({
      reconciliationId: id,
      statementId: z.string().min(1),
      batch: z.number().int().min(1),
      trancheIds: compactList<string>(1000, 'tranche ids', (v) => typeof v === 'string' && v.length > 0),
      amountsCents: compactList<number>(1000, 'amounts in cents (positive safe integers)', (v) => Number.isSafeInteger(v) && (v as number) > 0),
    })
    .refine((p) => p.trancheIds.length === p.amountsCents.length, {
      message: 'trancheIds and amountsCents are parallel arrays of the same length',
      path: ['trancheIds'],
    }),
});

/**
 * A tranche will never be paid: its post was returned, stayed vacant beyond the delay, or the
 * lifecycle saga released the renewal commitment it had asked for; its amount went back to the envelope.
 */
export const TrancheCancelledV1 = defineEvent({
  type: 'subsidies.TrancheCancelled',
  version: 1,
  topic: TOPICS.payments,
  aggregateType: 'Tranche',
  payload: z.object({ ...tranche, reason: z.enum(['POST_RETURNED', 'VACANT_BEYOND_DELAY', 'COMMITMENT_RELEASED']), cancelledOn: calendarDate }),
});

/**
 * Published by the lifecycle saga (on its topic) to ask the subsidies service for the phase-2
 * (renewal) subsidy of the post a renewed contract will occupy. Answered by
 * `subsidies.SubsidyCommitted` or `subsidies.CommitmentRefused` carrying the same `requestId`
 * (and this message as their causation). The amount comes from the phase-2 rule in force on
 * `signedAt` for the legal status, département and QPV/ZRR situation given.
 */
export const RenewalCommitmentRequestedV1 = defineEvent({
  type: 'subsidies.RenewalCommitmentRequested',
  version: 1,
  topic: TOPICS.lifecycle,
  aggregateType: 'ContractLifecycle',
  payload: z.object({
    requestId: id,
    contractId: id,
    structureId: id,
    /** The convention and post the renewed contract will be under (a phase-2 convention's post, or the same post). */
    conventionId: id,
    postId: id,
    departmentCode,
    legalStatus: z.enum(LEGAL_STATUSES),
    qpv: z.boolean(),
    zrr: z.boolean(),
    /** Date of the renewal decision: the rule in force on it applies. */
    signedAt: calendarDate,
    /** First day the renewal finances. */
    startDate: calendarDate,
  }),
});
