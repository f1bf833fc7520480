import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The payments awaiting a statement, found without reading the whole history of payments.
 *
 * Before: every reconciliation read every execution ever recorded and set aside, by a hash anti-join, those
 * matched by any earlier statement: a hash of every match ever made, rebuilt each time (with 300,000 matched
 * payments, ~250 ms of a reconciliation's ~1 s). Now each reconciliation leaves behind what the next needs:
 *
 * - `payment_executions.seq`: the order in which executions were recorded (an identity);
 * - `awaiting_statement_window.executed_through`: every execution with a greater `seq` was recorded after the
 *   last reconciliation read the payments awaiting a statement, and none of them is on a statement yet;
 * - `awaiting_statement_carry`: the payments that last reconciliation read and left awaiting (no line paid them).
 *
 * The next reconciliation reads those two sets only (returned payments set aside). An execution recorded while
 * a reconciliation was reading (its `seq` below the mark, committed after the read) is in neither: a line paying
 * it is classified all the same, by the slower path for payments not awaiting (see StatementMatcher's deferral);
 * the orders unmatched for too long are found from the executions themselves, not from these sets.
 */
export class AwaitingStatementWindow1764000100006 implements MigrationInterface {
  name = 'AwaitingStatementWindow1764000100006';

  async up(q: QueryRunner): Promise<void> {
    // The append-only trigger fires on UPDATE, not on the table rewrite that fills the new column.
    await q.query(`ALTER TABLE payment_executions ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY`);
    await q.query(`ALTER TABLE payment_executions ADD CONSTRAINT payment_executions_seq UNIQUE (seq)`);
    await q.query(`
      CREATE TABLE awaiting_statement_window (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        executed_through bigint NOT NULL CHECK (executed_through >= 0)
      )`);
    await q.query(`
      CREATE TABLE awaiting_statement_carry (
        reference text COLLATE "C" PRIMARY KEY REFERENCES payment_executions (reference)
      )`);
    // Today's payments awaiting a statement (the former reading, once) are carried; the window starts after them.
    await q.query(`
      INSERT INTO awaiting_statement_carry (reference)
      SELECT e.reference FROM payment_executions e
       WHERE NOT EXISTS (SELECT 1 FROM payment_returns r WHERE r.payment_order_id = e.payment_order_id)
         AND NOT EXISTS (SELECT 1 FROM statement_matches m WHERE m.reference = e.reference)`);
    await q.query(`INSERT INTO awaiting_statement_window (executed_through) SELECT coalesce(max(seq), 0) FROM payment_executions`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE awaiting_statement_carry`);
    await q.query(`DROP TABLE awaiting_statement_window`);
    await q.query(`ALTER TABLE payment_executions DROP COLUMN seq`);
  }
}
