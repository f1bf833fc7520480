import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A matched statement line is stored by what only the bank can say: which line of which statement
 * paid the payment (line number, bank entry, booking date, the name it printed). Its amount, beneficiary
 * IBAN, direction (DBIT) and currency (EUR) are, by the definition of MATCHED, those of the payment it
 * matched: storing them again per line was the same data twice, and writing them (with a numeric
 * column, a generated column and a partial index over every line) was most of a reconciliation's time.
 *
 * - `statement_matches`: one row per matched payment; its primary key is the invariant "a payment is
 *   posted by one statement line, ever" (it replaces statement_lines_one_match_per_payment).
 * - `statement_lines` now holds every other line (mismatches, unknown references, duplicates, returns),
 *   in full, as the bank wrote it.
 * - `reconciliation_lines` (a view) shows every line of a statement again, as the reports list them.
 * - Existing matched lines move from the one table to the other (same facts; the append-only trigger is
 *   lifted for this migration only).
 * - The outbox's envelopes of the subsidies service are stored uncompressed: a TrancheReconciled batch
 *   (1,000 tranche ids, ~47 kB) does not compress, and trying cost more than writing it (pglz).
 */
/** The two views that tell RECONCILED, over the matched lines `matches` (a table or subquery with reference, reconciliation_id, booking_date). */
async function stateViews(q: QueryRunner, matches: string): Promise<void> {
  await q.query(`
    CREATE OR REPLACE VIEW tranche_states AS
    SELECT t.*,
           CASE WHEN t.status = 'PAID' AND (
                  SELECT true FROM payment_orders o JOIN ${matches} m ON m.reference = o.reference
                   WHERE o.id = t.current_order_id LIMIT 1)
                THEN 'RECONCILED' ELSE t.status END AS state
      FROM tranches t`);
  await q.query(`
    CREATE OR REPLACE VIEW payment_order_states AS
    SELECT o.*, e.bank_reference, e.executed_on, e.beneficiary_iban, e.beneficiary_name,
           m.reconciliation_id AS reconciled_by, m.booking_date AS reconciled_on,
           CASE WHEN o.status = 'EXECUTED' AND m.reconciliation_id IS NOT NULL THEN 'RECONCILED' ELSE o.status END AS state
      FROM payment_orders o
      LEFT JOIN payment_executions e ON e.payment_order_id = o.id
      LEFT JOIN ${matches} m ON m.reference = o.reference`);
}

export class StatementMatches1764000100004 implements MigrationInterface {
  name = 'StatementMatches1764000100004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE statement_matches (
        -- the payment (its order's payment reference, unique per order): matched once, ever
        reference text COLLATE "C" PRIMARY KEY,
        -- the reconciliation being written (set for its transaction), so 100,000 lines don't each carry it in the COPY
        reconciliation_id uuid NOT NULL DEFAULT current_setting('subsidies.reconciliation_id')::uuid,
        line_no int NOT NULL CHECK (line_no >= 1),
        entry_ref text NOT NULL,
        booking_date date NOT NULL,
        counterparty_name text,
        return_reason text
      )`);
    // A reconciliation's matches are written together, stored together: a BRIN index finds them.
    await q.query(`CREATE INDEX statement_matches_reconciliation ON statement_matches USING brin (reconciliation_id)`);
    await q.query(`CREATE TRIGGER statement_matches_append_only BEFORE UPDATE OR DELETE ON statement_matches FOR EACH ROW EXECUTE FUNCTION forbid_change()`);
    await q.query(`CREATE TRIGGER statement_matches_no_truncate BEFORE TRUNCATE ON statement_matches FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()`);

    await q.query(`
      INSERT INTO statement_matches (reference, reconciliation_id, line_no, entry_ref, booking_date, counterparty_name, return_reason)
      SELECT reference, reconciliation_id, line_no, entry_ref, booking_date, counterparty_name, return_reason
        FROM statement_lines WHERE finding = 'MATCHED'`);
    await q.query(`ALTER TABLE statement_lines DISABLE TRIGGER statement_lines_append_only`);
    await q.query(`DELETE FROM statement_lines WHERE finding = 'MATCHED'`);
    await q.query(`ALTER TABLE statement_lines ENABLE TRIGGER statement_lines_append_only`);
    await q.query(`DROP INDEX statement_lines_one_match_per_payment`);
    await q.query(`ALTER TABLE statement_lines ADD CONSTRAINT statement_lines_matched_elsewhere CHECK (finding <> 'MATCHED')`);

    await stateViews(q, 'statement_matches');

    // Every line of a statement, whatever its finding, as the reports show it: a matched line's amount and
    // beneficiary are its payment's (equal by definition), its payment order and tranche the payment's.
    await q.query(`
      CREATE VIEW reconciliation_lines AS
      SELECT l.reconciliation_id, l.line_no, l.entry_ref, l.reference, l.direction, l.booking_date, l.amount_cents, l.expected_amount_cents,
             l.counterparty_iban, l.counterparty_name, l.return_reason, l.finding, l.detail, o.id AS payment_order_id, o.tranche_id
        FROM statement_lines l LEFT JOIN payment_orders o ON o.reference = l.reference AND l.finding <> 'UNKNOWN_REFERENCE'
      UNION ALL
      SELECT m.reconciliation_id, m.line_no, m.entry_ref, m.reference, 'DBIT', m.booking_date, e.amount_cents, NULL,
             e.beneficiary_iban, m.counterparty_name, m.return_reason, 'MATCHED', NULL, e.payment_order_id, e.tranche_id
        FROM statement_matches m JOIN payment_executions e ON e.reference = m.reference`);

    await q.query(`ALTER TABLE outbox ALTER COLUMN envelope SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ALTER COLUMN envelope SET STORAGE EXTENDED`);
    await q.query(`DROP VIEW reconciliation_lines`);
    await stateViews(q, `(SELECT * FROM statement_lines WHERE finding = 'MATCHED')`);
    await q.query(`ALTER TABLE statement_lines DROP CONSTRAINT statement_lines_matched_elsewhere`);
    await q.query(`CREATE UNIQUE INDEX statement_lines_one_match_per_payment ON statement_lines (reference) WHERE finding = 'MATCHED'`);
    await q.query(`
      INSERT INTO statement_lines (reconciliation_id, statement_ref, entry_ref, booking_date, direction, amount, currency, reference, counterparty_iban,
                                   counterparty_name, return_reason, line_no, finding)
      SELECT m.reconciliation_id, r.statement_id, m.entry_ref, m.booking_date, 'DBIT', e.amount_cents / 100.0, 'EUR', m.reference, e.beneficiary_iban,
             m.counterparty_name, m.return_reason, m.line_no, 'MATCHED'
        FROM statement_matches m JOIN reconciliations r ON r.id = m.reconciliation_id JOIN payment_executions e ON e.reference = m.reference`);
    await q.query(`DROP TABLE statement_matches`);
  }
}
