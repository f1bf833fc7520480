import { cents } from '../core/sql';

export interface TrancheView {
  id: string;
  commitmentId: string;
  seq: number;
  label: string;
  trigger: string;
  monthsAfterAnchor: number | null;
  amountCents: number;
  /** SCHEDULED, DUE, SUSPENDED, ORDERED, PAID, RECONCILED or CANCELLED. */
  status: string;
  dueOn: string | null;
  postId: string;
  structureId: string;
  departmentCode: string;
  budgetEnvelopeId: string;
  paymentOrderId: string | null;
  cancelReason: string | null;
}

/** A row of the tranche_states view (RECONCILED derived from the matched statement line). */
export const trancheView = (r: Record<string, any>): TrancheView => ({
  id: r.id,
  commitmentId: r.commitment_id,
  seq: Number(r.seq),
  label: r.label,
  trigger: r.trigger,
  monthsAfterAnchor: r.months_after_anchor === null ? null : Number(r.months_after_anchor),
  amountCents: cents(r.amount_cents).toNumber(),
  status: r.state ?? r.status,
  dueOn: r.due_on,
  postId: r.post_id,
  structureId: r.structure_id,
  departmentCode: r.department_code,
  budgetEnvelopeId: r.envelope_id,
  paymentOrderId: r.current_order_id,
  cancelReason: r.cancel_reason,
});
