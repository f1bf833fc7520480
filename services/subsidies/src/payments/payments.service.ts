import { Injectable } from '@nestjs/common';
import { canAccessDepartment, type Principal } from '@cnfs/auth';
import { EventContext, TrancheDueV1, TranchePaidV1, TranchePaymentOrderedV1 } from '@cnfs/contracts';
import { badRequest, conflict, notFound, Page, pageWindow, unprocessable } from '@cnfs/service-kit';
import * as domain from '@cnfs/subsidies-domain';
import { CalendarDate, deterministicId, isCalendarDate, journals, normalizeIban, reverse } from '@cnfs/subsidies-domain';
import { EntityManager } from 'typeorm';
import { SubsidiesCore } from '../core/core';
import { postJournals } from '../core/ledger-writer';
import { actorOf, assertDepartmentFilter, assertSees, listConditions, whereClause } from '../core/principal';
import { cents, pgCode } from '../core/sql';
import { stateOf, TrancheEffects, trancheFields, TrancheRow } from '../tranches/tranche-effects';

export interface PaymentOrderView {
  id: string;
  trancheId: string;
  attempt: number;
  reference: string;
  amountCents: number;
  commitmentId: string;
  postId: string;
  structureId: string;
  departmentCode: string;
  budgetEnvelopeId: string;
  /** ORDERED, EXECUTED (paid, pending in the ledger), RECONCILED (on a bank statement) or RETURNED. */
  status: string;
  orderedBy: string;
  orderedOn: string;
  execution: { bankReference: string; executedOn: string; beneficiaryIban: string; beneficiaryName: string } | null;
  reconciliationId: string | null;
}

const orderView = (r: Record<string, any>): PaymentOrderView => ({
  id: r.id,
  trancheId: r.tranche_id,
  attempt: r.attempt,
  reference: r.reference,
  amountCents: cents(r.amount_cents).toNumber(),
  commitmentId: r.commitment_id,
  postId: r.post_id,
  structureId: r.structure_id,
  departmentCode: r.department_code,
  budgetEnvelopeId: r.envelope_id,
  status: r.state,
  orderedBy: r.ordered_by,
  orderedOn: r.ordered_on,
  execution: r.bank_reference
    ? { bankReference: r.bank_reference, executedOn: r.executed_on, beneficiaryIban: r.beneficiary_iban, beneficiaryName: r.beneficiary_name }
    : null,
  reconciliationId: r.reconciled_by ?? null,
});

interface OrderRow {
  id: string; tranche_id: string; attempt: number; reference: string; amount_cents: string; commitment_id: string; post_id: string; structure_id: string;
  department_code: string; envelope_id: string; status: 'ORDERED' | 'EXECUTED' | 'RETURNED'; ordered_on: string;
}

const dimsOf = (o: { envelope_id: string; department_code: string; structure_id: string }) => ({
  envelopeId: o.envelope_id, departmentCode: o.department_code, structureId: o.structure_id,
});

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/**
 * Payment orders: a préfecture orders a due tranche of its département; the Banque des
 * Territoires records the execution, or the bank's return. Each step locks the rows it changes
 * (tranche, order), and the database refuses a second live order for a tranche and a second
 * execution of an order: a tranche is never ordered or paid twice, whatever the concurrency.
 */
@Injectable()
export class PaymentsService {
  private readonly tranches: TrancheEffects;

  constructor(private readonly core: SubsidiesCore) {
    this.tranches = new TrancheEffects(core);
  }

  async order(principal: Principal, trancheId: string, context: EventContext): Promise<PaymentOrderView> {
    if (!isUuid(trancheId)) throw notFound('tranche');
    try {
      const id = await this.core.transaction(async (manager) => {
        const [t] = await this.tranches.lock(manager, 'id = $1', [trancheId]);
        // A préfecture does not see, let alone pay, outside its départements.
        if (!t || !canAccessDepartment(principal, t.department_code)) throw notFound('tranche');
        const transition = domain.order(stateOf(t));
        if (!transition.ok) throw conflict(transition.detail, { code: transition.code });
        const [{ attempts }] = await manager.query(`SELECT count(*)::int AS attempts FROM payment_orders WHERE tranche_id = $1`, [t.id]);
        const orderId = deterministicId('payment-order', t.id, String(attempts + 1));
        const [{ seq }] = await manager.query(`SELECT nextval('payment_reference_seq') AS seq`);
        const reference = `CNFS-P-${String(seq).padStart(10, '0')}`;
        const today = this.core.today();
        await manager.query(
          `INSERT INTO payment_orders (id, tranche_id, attempt, reference, amount_cents, commitment_id, post_id, structure_id, department_code, envelope_id, dimension_id,
                                      status, ordered_by, ordered_on)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'ORDERED', $12, $13)`,
          [orderId, t.id, attempts + 1, reference, t.amount_cents, t.commitment_id, t.post_id, t.structure_id, t.department_code, t.envelope_id, t.dimension_id, actorOf(principal), today],
        );
        await this.tranches.save(manager, t, { status: 'ORDERED', current_order_id: orderId });
        await postJournals(manager, [journals.order(orderId, dimsOf(t), cents(t.amount_cents))], today);
        await this.core.emit(manager, TranchePaymentOrderedV1, t.id, { ...trancheFields(t), paymentOrderId: orderId, paymentReference: reference, orderedOn: today }, context);
        return orderId;
      });
      return this.view(id);
    } catch (error) {
      if (pgCode(error) === '23505') throw conflict('this tranche is already ordered', { code: 'ALREADY_ORDERED' });
      throw error;
    }
  }

  async execute(
    principal: Principal,
    orderId: string,
    body: { bankReference: string; executedOn: CalendarDate; amountCents: number; beneficiaryIban: string; beneficiaryName: string },
    context: EventContext,
  ): Promise<PaymentOrderView> {
    if (!isUuid(orderId)) throw notFound('payment order');
    const iban = normalizeIban(body.beneficiaryIban);
    if (!iban) throw badRequest('the request is invalid', [{ field: 'beneficiaryIban', message: 'not a valid IBAN' }]);
    if (!isCalendarDate(body.executedOn)) throw badRequest('the request is invalid', [{ field: 'executedOn', message: 'must be a calendar date YYYY-MM-DD' }]);
    const today = this.core.today();
    try {
      await this.core.transaction(async (manager) => {
        // The shared form of the reconciliation lock (executions do not wait for each other): no execution is
        // recorded while a reconciliation reads the payments awaiting a statement, so its window of executions
        // passes over none (see ReconciliationService: UNMATCHED_ORDERS, migration 1764000100007).
        await manager.query(`SELECT pg_advisory_xact_lock_shared(hashtext(current_schema() || '.reconciliation'))`);
        const order = await this.lockOrder(manager, orderId);
        if (order.status !== 'ORDERED') throw conflict(order.status === 'EXECUTED' ? 'this payment order is already paid' : 'this payment order was returned by the bank', { code: order.status === 'EXECUTED' ? 'ALREADY_PAID' : 'RETURNED' });
        if (body.amountCents !== cents(order.amount_cents).toNumber()) {
          throw unprocessable(`the execution must pay the ordered amount (${order.amount_cents} cents)`, { errors: [{ field: 'amountCents', message: `must be ${order.amount_cents}` }] });
        }
        if (body.executedOn > today || body.executedOn < order.ordered_on) {
          throw unprocessable(`executedOn must be between the order (${order.ordered_on}) and today (${today})`, { errors: [{ field: 'executedOn', message: `between ${order.ordered_on} and ${today}` }] });
        }
        const [t] = await this.tranches.lock(manager, 'id = $1', [order.tranche_id]);
        const transition = domain.execute(stateOf(t));
        if (!transition.ok) throw conflict(transition.detail, { code: transition.code });
        await manager.query(
          `INSERT INTO payment_executions (payment_order_id, reference, tranche_id, dimension_id, bank_reference, executed_on, amount_cents, beneficiary_iban, beneficiary_name, recorded_by)
           SELECT o.id, o.reference, o.tranche_id, o.dimension_id, $2, $3, o.amount_cents, $4, $5, $6 FROM payment_orders o WHERE o.id = $1`,
          [order.id, body.bankReference, body.executedOn, iban, body.beneficiaryName, actorOf(principal)],
        );
        await manager.query(`UPDATE payment_orders SET status = 'EXECUTED' WHERE id = $1`, [order.id]);
        await this.tranches.save(manager, t, { status: 'PAID' });
        // Pending until a bank statement shows the payment (posted) or the bank returns it (voided).
        await postJournals(manager, [journals.execute(order.id, dimsOf(order), cents(order.amount_cents))], body.executedOn);
        await this.core.emit(manager, TranchePaidV1, t.id, {
          ...trancheFields(t), paymentOrderId: order.id, paymentReference: order.reference, bankReference: body.bankReference, executedOn: body.executedOn,
        }, context);
      });
    } catch (error) {
      if (pgCode(error) === '23505') throw conflict('this payment order is already paid, or the bank reference was already used', { code: 'ALREADY_PAID' });
      throw error;
    }
    return this.view(orderId);
  }

  async returnPayment(principal: Principal, orderId: string, body: { returnedOn: CalendarDate; reason: string }, context: EventContext): Promise<PaymentOrderView> {
    if (!isUuid(orderId)) throw notFound('payment order');
    if (!isCalendarDate(body.returnedOn) || body.returnedOn > this.core.today()) {
      throw badRequest('the request is invalid', [{ field: 'returnedOn', message: `a calendar date, not after ${this.core.today()}` }]);
    }
    await this.core.transaction(async (manager) => {
      // Serialised with reconciliations: a statement never posts a payment returned meanwhile.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.reconciliation'))`);
      const order = await this.lockOrder(manager, orderId);
      if (order.status !== 'EXECUTED') throw conflict(order.status === 'RETURNED' ? 'this payment was already returned' : 'this payment order is not paid', { code: 'NOT_PAID' });
      await this.applyReturn(manager, order, { returnedOn: body.returnedOn, reason: body.reason, source: 'API', reconciliationId: null, recordedBy: actorOf(principal) }, context);
    });
    return this.view(orderId);
  }

  async lockOrder(manager: EntityManager, orderId: string): Promise<OrderRow> {
    const [order] = await manager.query(`SELECT * FROM payment_orders WHERE id = $1 FOR UPDATE`, [orderId]);
    if (!order) throw notFound('payment order');
    return order;
  }

  /**
   * The bank returned a paid order: reversing journals (UNSETTLE if it was reconciled, VOID of the
   * pending execution, UNORDER), the order closed as RETURNED, the tranche payable again (or
   * suspended if its post is vacant, cancelled if its post was returned).
   */
  async applyReturn(
    manager: EntityManager,
    order: OrderRow,
    r: { returnedOn: CalendarDate; reason: string; source: 'API' | 'STATEMENT'; reconciliationId: string | null; recordedBy: string },
    context: EventContext,
  ): Promise<void> {
    const today = this.core.today();
    const [t] = await this.tranches.lock(manager, 'id = $1', [order.tranche_id]);
    const [post] = await manager.query(`SELECT occupied, returned_on FROM posts WHERE post_id = $1`, [t.post_id]);
    const transition = domain.bankReturn(stateOf(t), !post?.occupied, today);
    if (!transition.ok) throw conflict(transition.detail, { code: transition.code });
    const [{ reconciled }] = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM statement_matches m JOIN payment_executions e ON e.seq = m.execution_seq WHERE e.payment_order_id = $1) AS reconciled`,
      [order.id],
    );
    const dims = dimsOf(order);
    const amount = cents(order.amount_cents);
    await postJournals(
      manager,
      [
        ...(reconciled ? [journals.unsettle(order.id, dims, amount)] : []),
        reverse(journals.execute(order.id, dims, amount), 'VOID', `VOID:${order.id}`),
        reverse(journals.order(order.id, dims, amount), 'UNORDER', `UNORDER:${order.id}`),
      ],
      r.returnedOn,
    );
    await manager.query(
      `INSERT INTO payment_returns (payment_order_id, returned_on, reason, source, reconciliation_id, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)`,
      [order.id, r.returnedOn, r.reason, r.source, r.reconciliationId, r.recordedBy],
    );
    await manager.query(`UPDATE payment_orders SET status = 'RETURNED' WHERE id = $1`, [order.id]);
    await this.tranches.save(manager, t, { status: transition.state.status as TrancheRow['status'], current_order_id: null });
    if (post?.returned_on) {
      await this.tranches.cancelUnordered(manager, { commitmentId: t.commitment_id }, 'POST_RETURNED', context);
    } else if (t.status === 'DUE') {
      await this.core.emit(manager, TrancheDueV1, t.id, { ...trancheFields(t), dueOn: t.due_on ?? today, cause: 'BANK_RETURN' }, context);
    }
  }

  async view(id: string): Promise<PaymentOrderView> {
    const [row] = await this.core.dataSource.query(`SELECT * FROM payment_order_states WHERE id = $1`, [id]);
    if (!row) throw notFound('payment order');
    return orderView(row);
  }

  async get(principal: Principal, id: string): Promise<PaymentOrderView> {
    if (!isUuid(id)) throw notFound('payment order');
    const [row] = await this.core.dataSource.query(`SELECT * FROM payment_order_states WHERE id = $1`, [id]);
    if (!row) throw notFound('payment order');
    assertSees(principal, row, 'payment order');
    return orderView(row);
  }

  async list(principal: Principal, query: { departmentCode?: string; status?: string; structureId?: string; trancheId?: string; page?: number; pageSize?: number }): Promise<Page<PaymentOrderView>> {
    assertDepartmentFilter(principal, query.departmentCode);
    const params: unknown[] = [];
    const where = listConditions(principal, params, [
      ['department_code', query.departmentCode], ['state', query.status], ['structure_id', query.structureId], ['tranche_id', query.trancheId],
    ]);
    const { limit, offset, page, pageSize } = pageWindow(query);
    const clause = whereClause(where);
    const [{ total }] = await this.core.dataSource.query(`SELECT count(*)::int AS total FROM payment_order_states ${clause}`, params);
    const rows = await this.core.dataSource.query(`SELECT * FROM payment_order_states ${clause} ORDER BY ordered_at, id LIMIT ${limit} OFFSET ${offset}`, params);
    return { items: rows.map(orderView), page, pageSize, total };
  }
}
