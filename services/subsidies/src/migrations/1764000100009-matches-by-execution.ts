import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A matched statement line names its payment by the execution's number (`payment_executions.seq`, a bigint)
 * instead of the payment reference (text): the primary key that makes "a payment is posted by one statement
 * line, ever" an invariant of the database was two thirds of PostgreSQL's time to store a statement's matches,
 * and a bigint key is cheaper to compare, hash and index than a text one (COPY of 99,700 matches, psql, each
 * load rolled back: 176–284 ms with a bigint key against 253–343 ms with the text key). The reference is not
 * stored twice: it is the execution's, read through the join (the executions' `seq` is unique).
 *
 * - `statement_matches.execution_seq` replaces `statement_matches.reference` as the primary key; every match
 *   already stored gets its execution's number (a match without an execution cannot exist: the migration
 *   fails on NOT NULL rather than guess one).
 * - The views that tell RECONCILED (`tranche_states`, `payment_order_states`) and show every line
 *   (`reconciliation_lines`) join through the execution; same columns, same meaning.
 * - `payment_executions.awaiting_row` (migration 1764000100005) ends with the execution's number, so that a
 *   reconciliation writes it with each match without another read.
 *
 * No foreign key, as before: the matches are written only for payments read from payment_executions under the
 * reconciliation lock, and a per-row foreign-key check would cost the COPY as much as the key saves.
 */
/** payment_executions.awaiting_row as migration 1764000100005 defined it, then with the execution's number after it. */
const AWAITING_ROW_WITHOUT_SEQ = `reference || chr(31) || amount_cents::text || chr(31) || beneficiary_iban || chr(31) || tranche_id::text || chr(31) || dimension_id::text || chr(31)`;
const AWAITING_ROW_WITH_SEQ = `${AWAITING_ROW_WITHOUT_SEQ} || seq::text || chr(31)`;

/** The views over the matches, joined to their payment by `matchedPayment` (an ON clause between m and e). */
async function views(q: QueryRunner, matchedPayment: string, reference: string): Promise<void> {
  await q.query(`
    CREATE OR REPLACE VIEW tranche_states AS
    SELECT t.*,
           CASE WHEN t.status = 'PAID' AND (
                  SELECT true FROM payment_executions e JOIN statement_matches m ON ${matchedPayment}
                   WHERE e.payment_order_id = t.current_order_id LIMIT 1)
                THEN 'RECONCILED' ELSE t.status END AS state
      FROM tranches t`);
  await q.query(`
    CREATE OR REPLACE VIEW payment_order_states AS
    SELECT o.*, e.bank_reference, e.executed_on, e.beneficiary_iban, e.beneficiary_name,
           m.reconciliation_id AS reconciled_by, m.booking_date AS reconciled_on,
           CASE WHEN o.status = 'EXECUTED' AND m.reconciliation_id IS NOT NULL THEN 'RECONCILED' ELSE o.status END AS state
      FROM payment_orders o
      LEFT JOIN payment_executions e ON e.payment_order_id = o.id
      LEFT JOIN statement_matches m ON ${matchedPayment}`);
  await q.query(`
    CREATE OR REPLACE VIEW reconciliation_lines AS
    SELECT l.reconciliation_id, l.line_no, l.entry_ref, l.reference, l.direction, l.booking_date, l.amount_cents, l.expected_amount_cents,
           l.counterparty_iban, l.counterparty_name, l.return_reason, l.finding, l.detail, o.id AS payment_order_id, o.tranche_id
      FROM statement_lines l LEFT JOIN payment_orders o ON o.reference = l.reference AND l.finding <> 'UNKNOWN_REFERENCE'
    UNION ALL
    SELECT m.reconciliation_id, m.line_no, m.entry_ref, ${reference}, 'DBIT', m.booking_date, e.amount_cents, NULL,
           e.beneficiary_iban, m.counterparty_name, m.return_reason, 'MATCHED', NULL, e.payment_order_id, e.tranche_id
      FROM statement_matches m JOIN payment_executions e ON ${matchedPayment}`);
}

/** Rewrites every match (the append-only trigger is lifted for this migration only). */
async function rewriteMatches(q: QueryRunner, update: string): Promise<void> {
  await q.query(`ALTER TABLE statement_matches DISABLE TRIGGER statement_matches_append_only`);
  await q.query(update);
  await q.query(`ALTER TABLE statement_matches ENABLE TRIGGER statement_matches_append_only`);
}

export class MatchesByExecution1764000100009 implements MigrationInterface {
  name = 'MatchesByExecution1764000100009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE statement_matches ADD COLUMN execution_seq bigint`);
    await rewriteMatches(q, `UPDATE statement_matches m SET execution_seq = e.seq FROM payment_executions e WHERE e.reference = m.reference`);
    await q.query(`ALTER TABLE statement_matches ALTER COLUMN execution_seq SET NOT NULL`);
    await views(q, 'm.execution_seq = e.seq', 'e.reference');
    await q.query(`ALTER TABLE statement_matches DROP CONSTRAINT statement_matches_pkey`);
    await q.query(`ALTER TABLE statement_matches DROP COLUMN reference`);
    // the payment (its execution): matched once, ever
    await q.query(`ALTER TABLE statement_matches ADD CONSTRAINT statement_matches_pkey PRIMARY KEY (execution_seq)`);

    // The append-only trigger fires on UPDATE, not on the table rewrite that fills the new column.
    await q.query(`ALTER TABLE payment_executions DROP COLUMN awaiting_row`);
    await q.query(`ALTER TABLE payment_executions ADD COLUMN awaiting_row text COLLATE "C" NOT NULL GENERATED ALWAYS AS (${AWAITING_ROW_WITH_SEQ}) STORED`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payment_executions DROP COLUMN awaiting_row`);
    await q.query(`ALTER TABLE payment_executions ADD COLUMN awaiting_row text COLLATE "C" NOT NULL GENERATED ALWAYS AS (${AWAITING_ROW_WITHOUT_SEQ}) STORED`);

    await q.query(`ALTER TABLE statement_matches ADD COLUMN reference text COLLATE "C"`);
    await rewriteMatches(q, `UPDATE statement_matches m SET reference = e.reference FROM payment_executions e WHERE e.seq = m.execution_seq`);
    await q.query(`ALTER TABLE statement_matches ALTER COLUMN reference SET NOT NULL`);
    await views(q, 'm.reference = e.reference', 'm.reference');
    await q.query(`ALTER TABLE statement_matches DROP CONSTRAINT statement_matches_pkey`);
    await q.query(`ALTER TABLE statement_matches DROP COLUMN execution_seq`);
    await q.query(`ALTER TABLE statement_matches ADD CONSTRAINT statement_matches_pkey PRIMARY KEY (reference)`);
  }
}
