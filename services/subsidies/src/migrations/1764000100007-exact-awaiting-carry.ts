import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payments awaiting a statement, made exact: from now on every execution executed, on no statement and not
 * returned is carried (awaiting_statement_carry) or recorded after the window (awaiting_statement_window), so
 * the orders unmatched for too long are read from those two sets instead of from the whole history.
 *
 * Executions are now recorded under the shared form of the reconciliation lock (PaymentsService.execute): none
 * is committed while a reconciliation reads the payments awaiting a statement, so the window never again passes
 * over one. Those it passed over before this migration (recorded while a reconciliation read, committed after:
 * in neither set) join the carry here, once.
 */
export class ExactAwaitingCarry1764000100007 implements MigrationInterface {
  name = 'ExactAwaitingCarry1764000100007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO awaiting_statement_carry (reference)
      SELECT e.reference FROM payment_executions e
       WHERE e.seq <= (SELECT executed_through FROM awaiting_statement_window)
         AND NOT EXISTS (SELECT 1 FROM payment_returns r WHERE r.payment_order_id = e.payment_order_id)
         AND NOT EXISTS (SELECT 1 FROM statement_matches m WHERE m.reference = e.reference)
      ON CONFLICT DO NOTHING`);
  }

  async down(): Promise<void> {
    // Nothing to undo: a payment awaiting a statement is rightly carried under the former migration too.
  }
}
