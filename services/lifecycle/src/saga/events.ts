import {
  ContractEndDueV1,
  ContractExpiryApproachingV1,
  EventContext,
  RenewalCommitmentReleaseRequestedV1,
  RenewalCommitmentRequestedV1,
  RenewalFinancedV1,
  RenewalRejectedV1,
  RenewalRequestedV1,
} from '@cnfs/contracts';
import { calendarDateAt, LifecycleOutput, LifecycleState, RenewalTerms } from '@cnfs/lifecycle-domain';
import { OutboxMessage } from '@cnfs/messaging';

const termsPayload = (terms: RenewalTerms) => ({
  contractType: terms.contractType,
  startDate: terms.startDate,
  endDate: terms.endDate,
  grossMonthlySalaryCents: terms.grossMonthlySalaryCents ?? null,
});

/**
 * The events a decision's outputs become, written to the outbox in the decision's transaction.
 * All are keyed by the contract id on the lifecycle topic, so one contract's messages stay in order
 * (a release request is never read before the commitment request it compensates).
 */
export function eventsOf(state: LifecycleState, outputs: LifecycleOutput[], context: EventContext, timeZone: string): OutboxMessage[] {
  const f = state.facts;
  const id = f.contractId;
  const base = { contractId: id, structureId: f.structureId, departmentCode: f.departmentCode };
  const message = <P>(definition: { topic: string; create(aggregateId: string, payload: P, context: EventContext): OutboxMessage['envelope'] }, payload: P): OutboxMessage => ({
    topic: definition.topic,
    envelope: definition.create(id, payload, context),
  });
  return outputs.map((o): OutboxMessage => {
    switch (o.kind) {
      case 'ExpiryApproaching':
        return message(ContractExpiryApproachingV1, { ...base, endDate: o.endDate, monthsBeforeEnd: o.monthsBeforeEnd });
      case 'RenewalRequested':
        return message(RenewalRequestedV1, { ...base, conventionId: f.conventionId, postId: f.postId, endDate: f.followUntil!, renewal: termsPayload(o.terms) });
      case 'RequestRenewalFinancing':
        return message(RenewalCommitmentRequestedV1, {
          requestId: o.requestId, contractId: id, structureId: f.structureId, conventionId: f.conventionId, postId: f.postId,
          departmentCode: f.departmentCode, legalStatus: f.legalStatus, qpv: f.qpv, zrr: f.zrr,
          // the rule in force on the day of the decision applies
          signedAt: calendarDateAt(context.occurredAt, timeZone),
          startDate: o.terms.startDate,
        });
      case 'RenewalFinanced':
        return message(RenewalFinancedV1, {
          ...base, conventionId: f.conventionId, postId: f.postId, endDate: f.followUntil!, renewal: termsPayload(o.terms),
          requestId: state.renewal!.requestId!, commitmentId: o.commitmentId, amountCents: o.amountCents, recordContract: o.recordContract,
        });
      case 'RenewalRejected':
        return message(RenewalRejectedV1, { ...base, endDate: f.followUntil, stage: o.stage, reason: o.reason });
      case 'CancelRenewalFinancing':
        return message(RenewalCommitmentReleaseRequestedV1, { ...base, requestId: o.requestId, postId: f.postId, commitmentId: o.commitmentId, reason: o.reason });
      case 'ContractEndDue':
        return message(ContractEndDueV1, { ...base, endDate: o.endDate });
    }
  });
}
