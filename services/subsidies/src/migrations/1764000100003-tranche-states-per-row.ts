import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `tranche_states` told RECONCILED with an EXISTS over payment orders joined to matched statement lines. Inside
 * a CASE, PostgreSQL may run that EXISTS as a hashed subplan: every read of a few tranches hashed every matched
 * line of every statement (15,000 after the simulation; 20–50 ms for one structure's tranches, growing with the
 * programme). A scalar subquery is always run per row, by the order's primary key and the partial unique index
 * of matched lines: a few index probes per tranche read, whatever the size of the history. Same columns, same
 * meaning.
 */
export class TrancheStatesPerRow1764000100003 implements MigrationInterface {
  name = 'TrancheStatesPerRow1764000100003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW tranche_states AS
      SELECT t.*,
             CASE WHEN t.status = 'PAID' AND (
                    SELECT true FROM payment_orders o JOIN statement_lines l ON l.reference = o.reference AND l.finding = 'MATCHED'
                     WHERE o.id = t.current_order_id LIMIT 1)
                  THEN 'RECONCILED' ELSE t.status END AS state
        FROM tranches t`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW tranche_states AS
      SELECT t.*,
             CASE WHEN t.status = 'PAID' AND EXISTS (
                    SELECT 1 FROM payment_orders o JOIN statement_lines l ON l.reference = o.reference AND l.finding = 'MATCHED' WHERE o.id = t.current_order_id)
                  THEN 'RECONCILED' ELSE t.status END AS state
        FROM tranches t`);
  }
}
