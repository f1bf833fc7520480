import { EventContext, TrancheCancelledV1, TrancheDueV1 } from '@cnfs/contracts';
import { Cents } from '@cnfs/money';
import * as domain from '@cnfs/subsidies-domain';
import { CalendarDate, dueDateOf, journals, TrancheState, TrancheStatus, TrancheTrigger, UNORDERED } from '@cnfs/subsidies-domain';
import { EntityManager } from 'typeorm';
import { SubsidiesCore } from '../core/core';
import { postJournals } from '../core/ledger-writer';
import { cents } from '../core/sql';

export interface TrancheRow {
  id: string;
  commitment_id: string;
  seq: number;
  label: string;
  trigger: TrancheTrigger;
  months_after_anchor: number | null;
  amount_cents: string;
  status: Exclude<TrancheStatus, 'RECONCILED'>;
  due_on: CalendarDate | null;
  post_id: string;
  structure_id: string;
  department_code: string;
  envelope_id: string;
  dimension_id: number;
  current_order_id: string | null;
  cancel_reason: string | null;
}

export const TRANCHE_COLUMNS =
  'id, commitment_id, seq, label, trigger, months_after_anchor, amount_cents, status, due_on, post_id, structure_id, department_code, envelope_id, dimension_id, current_order_id, cancel_reason';

export type DueCause = 'SCHEDULE' | 'RESUMED' | 'FINAL_REPORT' | 'BANK_RETURN';

/** The fields every tranche event carries. */
export function trancheFields(t: TrancheRow) {
  return {
    trancheId: t.id,
    commitmentId: t.commitment_id,
    postId: t.post_id,
    structureId: t.structure_id,
    departmentCode: t.department_code,
    budgetEnvelopeId: t.envelope_id,
    seq: Number(t.seq),
    amountCents: cents(t.amount_cents).toNumber(),
  };
}

export const stateOf = (t: TrancheRow): TrancheState => ({ status: t.status, dueOn: t.due_on });

/**
 * Applies the domain's tranche transitions to rows (locked FOR UPDATE) and writes what follows
 * from them: TrancheDue when a tranche becomes payable, TrancheCancelled with the release of its
 * amount (envelope counter, commitment, DECOMMIT journal) when it will never be paid.
 */
export class TrancheEffects {
  constructor(private readonly core: SubsidiesCore) {}

  async lock(manager: EntityManager, where: string, params: unknown[]): Promise<TrancheRow[]> {
    return manager.query(`SELECT ${TRANCHE_COLUMNS} FROM tranches WHERE ${where} ORDER BY id FOR UPDATE`, params);
  }

  async save(manager: EntityManager, t: TrancheRow, changes: Partial<Pick<TrancheRow, 'status' | 'due_on' | 'current_order_id' | 'cancel_reason'>>): Promise<void> {
    Object.assign(t, changes);
    await manager.query(
      `UPDATE tranches SET status = $2, due_on = $3, current_order_id = $4, cancel_reason = $5, updated_at = now() WHERE id = $1`,
      [t.id, t.status, t.due_on, t.current_order_id, t.cancel_reason],
    );
  }

  async announceDue(manager: EntityManager, t: TrancheRow, cause: DueCause, context: EventContext): Promise<void> {
    await this.core.emit(manager, TrancheDueV1, t.id, { ...trancheFields(t), dueOn: t.due_on ?? this.core.today(), cause }, context);
  }

  /** Recomputes due dates from the commitment's anchor and final report; announces tranches that became due. */
  async refreshCommitment(manager: EntityManager, commitmentId: string, context: EventContext): Promise<void> {
    const [commitment] = await manager.query(`SELECT anchor_on, final_report_on FROM commitments WHERE id = $1`, [commitmentId]);
    if (!commitment?.anchor_on) return;
    const today = this.core.today();
    for (const t of await this.lock(manager, `commitment_id = $1`, [commitmentId])) {
      const transition = domain.refresh(stateOf(t), dueDateOf({ trigger: t.trigger, monthsAfterAnchor: t.months_after_anchor }, commitment.anchor_on, commitment.final_report_on), today);
      if (!transition.ok || !transition.changed) continue;
      const becameDue = t.status !== 'DUE' && transition.state.status === 'DUE';
      await this.save(manager, t, { status: transition.state.status as TrancheRow['status'], due_on: transition.state.dueOn });
      if (becameDue) await this.announceDue(manager, t, t.trigger === 'FINAL_REPORT' ? 'FINAL_REPORT' : 'SCHEDULE', context);
    }
  }

  /** The post lost its conseiller: its unordered tranches wait. */
  async suspendPost(manager: EntityManager, postId: string): Promise<void> {
    for (const t of await this.lock(manager, `post_id = $1 AND status IN ('SCHEDULED', 'DUE')`, [postId])) {
      const transition = domain.suspend(stateOf(t));
      if (transition.ok && transition.changed) await this.save(manager, t, { status: transition.state.status as TrancheRow['status'] });
    }
  }

  /** A conseiller again on the post: suspended tranches come back, announced when due. */
  async resumePost(manager: EntityManager, postId: string, context: EventContext): Promise<void> {
    const today = this.core.today();
    for (const t of await this.lock(manager, `post_id = $1 AND status = 'SUSPENDED'`, [postId])) {
      const transition = domain.resume(stateOf(t), today);
      if (!transition.ok || !transition.changed) continue;
      await this.save(manager, t, { status: transition.state.status as TrancheRow['status'] });
      if (t.status === 'DUE') await this.announceDue(manager, t, 'RESUMED', context);
    }
  }

  /** Cancels the unordered tranches matching `where` and gives their amount back to the envelope. */
  async cancelUnordered(
    manager: EntityManager,
    where: { postId: string } | { commitmentId: string },
    reason: 'POST_RETURNED' | 'VACANT_BEYOND_DELAY' | 'COMMITMENT_RELEASED',
    context: EventContext,
  ): Promise<number> {
    const condition = 'postId' in where ? 'post_id = $1' : 'commitment_id = $1';
    const rows = await this.lock(manager, `${condition} AND status = ANY($2::text[])`, ['postId' in where ? where.postId : where.commitmentId, [...UNORDERED]]);
    if (rows.length === 0) return 0;
    const today = this.core.today();
    const released = new Map<string, { envelopeId: string; amount: Cents }>();
    const decommits = [];
    for (const t of rows) {
      const transition = domain.cancel(stateOf(t));
      if (!transition.ok || !transition.changed) continue;
      await this.save(manager, t, { status: 'CANCELLED', cancel_reason: reason });
      const amount = cents(t.amount_cents);
      const entry = released.get(t.commitment_id) ?? { envelopeId: t.envelope_id, amount: Cents.ZERO };
      entry.amount = entry.amount.add(amount);
      released.set(t.commitment_id, entry);
      decommits.push(journals.decommit(t.id, { envelopeId: t.envelope_id, departmentCode: t.department_code, structureId: t.structure_id }, amount));
      await this.core.emit(manager, TrancheCancelledV1, t.id, { ...trancheFields(t), reason, cancelledOn: today }, context);
    }
    for (const [commitmentId, { envelopeId, amount }] of released) {
      await manager.query(`UPDATE commitments SET cancelled_cents = cancelled_cents + $2 WHERE id = $1`, [commitmentId, amount.toString()]);
      await manager.query(`UPDATE budget_envelopes SET committed_cents = committed_cents - $2 WHERE id = $1`, [envelopeId, amount.toString()]);
    }
    await postJournals(manager, decommits, today);
    return decommits.length;
  }
}
