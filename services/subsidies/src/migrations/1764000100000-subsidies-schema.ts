import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The subsidies schema. Money is integer cents in bigint columns. What must never happen is
 * refused by the database itself, beside the code's checks:
 * - an envelope committed beyond its credits (CHECK on budget_envelopes);
 * - two commitments for one post and phase (UNIQUE);
 * - two live payment orders for one tranche, two executions of one order, one payment matched twice
 *   on statements (UNIQUE indexes);
 * - a ledger journal that does not net to zero, an entry added to a journal afterwards, or any
 *   change to rules, fundings, journals, entries, executions and returns (triggers).
 * Statuses SCHEDULED…PAID live on the tranche; RECONCILED is derived from the statement line that
 * matched its payment (one row, never copied): see the tranche_states view.
 */
export class SubsidiesSchema1764000100000 implements MigrationInterface {
  name = 'SubsidiesSchema1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused (write a new version or a reversing entry)', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    const appendOnly = async (table: string) => {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION forbid_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()`);
    };

    // ---- subsidy rules: versioned data -------------------------------------------------------
    await q.query(`
      CREATE TABLE subsidy_rule_keys (
        rule_key text PRIMARY KEY CHECK (rule_key ~ '^[a-z0-9][a-z0-9.-]{2,80}$'),
        phase smallint NOT NULL CHECK (phase IN (1, 2)),
        legal_status text NOT NULL CHECK (legal_status IN ('PUBLIC', 'PRIVATE')),
        territory text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (phase, legal_status, territory)
      )`);
    await q.query(`
      CREATE TABLE subsidy_rules (
        id uuid PRIMARY KEY,
        rule_key text NOT NULL REFERENCES subsidy_rule_keys (rule_key),
        version int NOT NULL CHECK (version >= 1),
        effective_from date NOT NULL,
        label text NOT NULL,
        created_by text NOT NULL,
        reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (rule_key, version),
        UNIQUE (rule_key, effective_from)
      )`);
    await q.query(`
      CREATE TABLE subsidy_rule_periods (
        rule_id uuid NOT NULL REFERENCES subsidy_rules (id),
        period_index smallint NOT NULL CHECK (period_index BETWEEN 0 AND 5),
        months smallint NOT NULL CHECK (months BETWEEN 1 AND 60),
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        qpv_zrr_bonus_cents bigint NOT NULL CHECK (qpv_zrr_bonus_cents >= 0),
        PRIMARY KEY (rule_id, period_index)
      )`);
    for (const table of ['subsidy_rule_keys', 'subsidy_rules', 'subsidy_rule_periods']) await appendOnly(table);

    // ---- budget envelopes ----------------------------------------------------------------------
    await q.query(`
      CREATE TABLE budget_envelopes (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name text NOT NULL,
        phase smallint NOT NULL CHECK (phase IN (1, 2)),
        opens_on date NOT NULL,
        closes_on date CHECK (closes_on IS NULL OR closes_on >= opens_on),
        priority int NOT NULL,
        amount_cents bigint NOT NULL DEFAULT 0,
        committed_cents bigint NOT NULL DEFAULT 0,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT envelope_never_over_committed CHECK (committed_cents >= 0 AND committed_cents <= amount_cents)
      )`);
    await q.query(`
      CREATE TABLE envelope_fundings (
        envelope_id text NOT NULL REFERENCES budget_envelopes (id),
        seq int NOT NULL CHECK (seq >= 1),
        label text NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (envelope_id, seq)
      )`);
    await appendOnly('envelope_fundings');

    // ---- read models of the conventions service's events ---------------------------------------
    await q.query(`
      CREATE TABLE conventions (
        convention_id text PRIMARY KEY,
        structure_id text NOT NULL,
        phase smallint NOT NULL,
        signed_at date NOT NULL,
        start_date date NOT NULL,
        financed_until date NOT NULL,
        end_date date NOT NULL,
        legal_status text NOT NULL,
        structure_type text NOT NULL,
        department_code text NOT NULL,
        qpv boolean NOT NULL,
        zrr boolean NOT NULL,
        renews_convention_id text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE posts (
        post_id text PRIMARY KEY,
        convention_id text,
        structure_id text NOT NULL,
        department_code text NOT NULL,
        occupied boolean NOT NULL DEFAULT false,
        occupied_since date,
        vacant_since date,
        returned_on date,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX posts_vacant ON posts (vacant_since) WHERE NOT occupied AND returned_on IS NULL AND vacant_since IS NOT NULL`);
    // Contracts per post, whatever the order their events arrive in: the post is occupied while one is open.
    await q.query(`
      CREATE TABLE post_contracts (
        contract_id text PRIMARY KEY,
        post_id text NOT NULL,
        started_on date,
        ended_on date,
        ended_by text CHECK (ended_by IN ('RUPTURE', 'END', 'RENEWAL', 'VACATED')),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX post_contracts_post ON post_contracts (post_id)`);

    // ---- ledger dimensions: an envelope × département × structure, numbered, so that the hot paths
    // (reconciliation) group payments by a small integer instead of three strings.
    await q.query(`
      CREATE TABLE ledger_dimensions (
        id serial PRIMARY KEY,
        envelope_id text NOT NULL,
        department_code text NOT NULL,
        structure_id text NOT NULL,
        UNIQUE (envelope_id, department_code, structure_id)
      )`);

    // ---- commitments and tranches ------------------------------------------------------------------
    await q.query(`
      CREATE TABLE commitments (
        id uuid PRIMARY KEY,
        post_id text NOT NULL,
        phase smallint NOT NULL CHECK (phase IN (1, 2)),
        convention_id text NOT NULL,
        structure_id text NOT NULL,
        department_code text NOT NULL,
        legal_status text NOT NULL,
        qpv boolean NOT NULL,
        zrr boolean NOT NULL,
        envelope_id text NOT NULL REFERENCES budget_envelopes (id),
        dimension_id int NOT NULL REFERENCES ledger_dimensions (id),
        rule_id uuid NOT NULL REFERENCES subsidy_rules (id),
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        cancelled_cents bigint NOT NULL DEFAULT 0,
        signed_on date NOT NULL,
        start_on date NOT NULL,
        anchor_on date,
        final_report_on date,
        schedule_name text NOT NULL,
        source text NOT NULL CHECK (source IN ('CONVENTION', 'AMENDMENT', 'RENEWAL_REQUEST')),
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- one subsidy line per post and phase: a change of holder never duplicates it
        CONSTRAINT one_commitment_per_post_and_phase UNIQUE (post_id, phase),
        CHECK (cancelled_cents >= 0 AND cancelled_cents <= amount_cents)
      )`);
    await q.query(`CREATE INDEX commitments_department ON commitments (department_code)`);
    await q.query(`CREATE INDEX commitments_structure ON commitments (structure_id)`);
    await q.query(`CREATE INDEX commitments_convention ON commitments (convention_id)`);
    await q.query(`
      CREATE TABLE commitment_refusals (
        id uuid PRIMARY KEY,
        commitment_id uuid NOT NULL,
        post_id text NOT NULL,
        phase smallint NOT NULL,
        convention_id text,
        structure_id text NOT NULL,
        department_code text NOT NULL,
        reason text NOT NULL CHECK (reason IN ('NO_APPLICABLE_RULE', 'NO_OPEN_ENVELOPE', 'ENVELOPE_EXHAUSTED')),
        detail text NOT NULL,
        missing_rule jsonb,
        envelope_id text,
        requested_cents bigint,
        available_cents bigint,
        request_id text,
        refused_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX commitment_refusals_post ON commitment_refusals (post_id)`);
    await q.query(`
      CREATE TABLE tranches (
        id uuid PRIMARY KEY,
        commitment_id uuid NOT NULL REFERENCES commitments (id),
        seq smallint NOT NULL CHECK (seq >= 1),
        label text NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('FIRST_OCCUPATION', 'ANNIVERSARY', 'FINAL_REPORT')),
        months_after_anchor smallint,
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        status text NOT NULL CHECK (status IN ('SCHEDULED', 'DUE', 'SUSPENDED', 'ORDERED', 'PAID', 'CANCELLED')),
        due_on date,
        post_id text NOT NULL,
        structure_id text NOT NULL,
        department_code text NOT NULL,
        envelope_id text NOT NULL,
        dimension_id int NOT NULL,
        current_order_id uuid,
        cancel_reason text CHECK (cancel_reason IN ('POST_RETURNED', 'VACANT_BEYOND_DELAY')),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (commitment_id, seq),
        CHECK ((status = 'CANCELLED') = (cancel_reason IS NOT NULL)),
        CHECK ((status IN ('ORDERED', 'PAID')) = (current_order_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX tranches_by_department ON tranches (department_code, status, due_on)`);
    await q.query(`CREATE INDEX tranches_scheduled ON tranches (due_on) WHERE status = 'SCHEDULED'`);
    await q.query(`CREATE INDEX tranches_post ON tranches (post_id)`);
    await q.query(`CREATE INDEX tranches_structure ON tranches (structure_id)`);

    // ---- payment orders, executions, returns ----------------------------------------------------------
    await q.query(`CREATE SEQUENCE payment_reference_seq`);
    await q.query(`
      CREATE TABLE payment_orders (
        id uuid PRIMARY KEY,
        tranche_id uuid NOT NULL REFERENCES tranches (id),
        attempt int NOT NULL CHECK (attempt >= 1),
        reference text COLLATE "C" NOT NULL UNIQUE CHECK (reference ~ '^[A-Za-z0-9-]{1,35}$'),
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        commitment_id uuid NOT NULL,
        post_id text NOT NULL,
        structure_id text NOT NULL,
        department_code text NOT NULL,
        envelope_id text NOT NULL,
        dimension_id int NOT NULL,
        status text NOT NULL CHECK (status IN ('ORDERED', 'EXECUTED', 'RETURNED')),
        ordered_by text NOT NULL,
        ordered_on date NOT NULL,
        ordered_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tranche_id, attempt)
      )`);
    // A tranche is never ordered twice: at most one order that was not returned by the bank.
    await q.query(`CREATE UNIQUE INDEX payment_orders_one_live_per_tranche ON payment_orders (tranche_id) WHERE status <> 'RETURNED'`);
    await q.query(`CREATE INDEX payment_orders_by_department ON payment_orders (department_code, status)`);
    await q.query(`CREATE INDEX payment_orders_executed ON payment_orders (id) WHERE status = 'EXECUTED'`);
    // One execution per order (primary key): an order is never paid twice.
    await q.query(`
      CREATE TABLE payment_executions (
        payment_order_id uuid PRIMARY KEY REFERENCES payment_orders (id),
        -- the order's payment reference, tranche and ledger dimension when it was paid (an order never changes them):
        -- what a reconciliation needs of a payment awaiting its statement, without a join
        reference text COLLATE "C" NOT NULL UNIQUE,
        tranche_id uuid NOT NULL,
        dimension_id int NOT NULL,
        bank_reference text NOT NULL UNIQUE,
        executed_on date NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        beneficiary_iban text NOT NULL,
        beneficiary_name text NOT NULL,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE payment_returns (
        payment_order_id uuid PRIMARY KEY REFERENCES payment_executions (payment_order_id),
        returned_on date NOT NULL,
        reason text NOT NULL,
        source text NOT NULL CHECK (source IN ('API', 'STATEMENT')),
        reconciliation_id uuid,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const table of ['payment_executions', 'payment_returns']) await appendOnly(table);

    // ---- the double-entry ledger ------------------------------------------------------------------------
    await q.query(`
      CREATE TABLE ledger_journals (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('FUND', 'COMMIT', 'DECOMMIT', 'ORDER', 'EXECUTE', 'SETTLE', 'VOID', 'UNORDER', 'UNSETTLE', 'PROGRAMME_COST')),
        business_key text NOT NULL UNIQUE,
        pending boolean NOT NULL DEFAULT false,
        -- a journal is reversed at most once
        reverses_journal_id uuid UNIQUE REFERENCES ledger_journals (id),
        occurred_on date NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CHECK (pending = (kind = 'EXECUTE'))
      )`);
    await q.query(`
      CREATE TABLE ledger_entries (
        -- its journal is checked to exist by the statement trigger below (once per INSERT, not per row)
        journal_id uuid NOT NULL,
        line int NOT NULL CHECK (line >= 1),
        account text NOT NULL CHECK (account ~ '^(BUDGET|ENVELOPE|PREFECTURE|STRUCTURE|CLEARING|PAID_OUT|PROGRAMME_FUNDING|PROGRAMME_COST):.+$'),
        account_type text GENERATED ALWAYS AS (split_part(account, ':', 1)) STORED,
        amount_cents bigint NOT NULL CHECK (amount_cents <> 0),
        envelope_id text,
        department_code text,
        structure_id text,
        PRIMARY KEY (journal_id, line)
      )`);
    await q.query(`CREATE INDEX ledger_entries_envelope ON ledger_entries (envelope_id, account_type)`);
    await q.query(`CREATE INDEX ledger_entries_department ON ledger_entries (department_code, account_type)`);
    await q.query(`CREATE INDEX ledger_entries_structure ON ledger_entries (structure_id, account_type)`);
    for (const table of ['ledger_journals', 'ledger_entries']) await appendOnly(table);
    // Every journal nets to zero: a journal's entries are written by one INSERT, which must balance
    // each journal it touches and be the only one to write entries for it.
    await q.query(`
      CREATE FUNCTION ledger_entries_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE bad record;
      BEGIN
        SELECT journal_id, sum(amount_cents) AS net, count(*) AS lines INTO bad
          FROM new_entries GROUP BY journal_id HAVING sum(amount_cents) <> 0 OR count(*) < 2 LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'ledger journal % does not net to zero (net % cents over % entries)', bad.journal_id, bad.net, bad.lines
            USING ERRCODE = 'check_violation';
        END IF;
        SELECT n.journal_id INTO bad
          FROM (SELECT journal_id, count(*) AS lines FROM new_entries GROUP BY journal_id) n
         WHERE (SELECT count(*) FROM ledger_entries e WHERE e.journal_id = n.journal_id) <> n.lines LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'ledger journal % already had entries: a journal is written once', bad.journal_id
            USING ERRCODE = 'check_violation';
        END IF;
        SELECT n.journal_id INTO bad
          FROM (SELECT DISTINCT journal_id FROM new_entries) n LEFT JOIN ledger_journals j ON j.id = n.journal_id
         WHERE j.id IS NULL LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'ledger entries of journal % have no journal', bad.journal_id USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
        REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_balanced()`);
    // ...and no journal commits without its entries.
    await q.query(`
      CREATE FUNCTION ledger_journal_has_entries() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM ledger_entries WHERE journal_id = NEW.id) < 2 THEN
          RAISE EXCEPTION 'ledger journal % (%) has no balanced entries', NEW.id, NEW.business_key USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER ledger_journal_has_entries AFTER INSERT ON ledger_journals
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_journal_has_entries()`);

    // ---- bank reconciliation -------------------------------------------------------------------------------
    await q.query(`
      CREATE TABLE reconciliations (
        id uuid PRIMARY KEY,
        content_sha256 text NOT NULL UNIQUE,
        format text NOT NULL CHECK (format IN ('CSV', 'CAMT053')),
        statement_id text NOT NULL,
        account_iban text,
        line_count int NOT NULL,
        counts jsonb NOT NULL,
        matched_cents bigint NOT NULL,
        unmatched_after_days int NOT NULL,
        as_of date NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (format, statement_id)
      )`);
    // Bulk-loaded with COPY, cheap to write: no foreign key to check per row, no random-key index.
    // A line names its payment by reference (unique per payment order, allocated in sequence, so the
    // unique indexes below grow at their right edge); a BRIN index finds a reconciliation's lines
    // (written together, stored together).
    await q.query(`
      CREATE TABLE statement_lines (
        -- the reconciliation being written (set for its transaction), so 100,000 lines don't each carry it in the COPY
        reconciliation_id uuid NOT NULL DEFAULT current_setting('subsidies.reconciliation_id')::uuid,
        -- the line as the bank wrote it, in the order of the CSV statement's columns
        statement_ref text NOT NULL,
        entry_ref text NOT NULL,
        booking_date date NOT NULL,
        direction text NOT NULL CHECK (direction IN ('DBIT', 'CRDT')),
        amount numeric(15, 2) NOT NULL CHECK (amount > 0),
        currency text NOT NULL CHECK (currency = 'EUR'),
        reference text COLLATE "C",
        counterparty_iban text,
        counterparty_name text,
        return_reason text,
        -- what the reconciliation found
        line_no int NOT NULL,
        finding text NOT NULL CHECK (finding IN ('MATCHED', 'AMOUNT_MISMATCH', 'BENEFICIARY_MISMATCH', 'UNKNOWN_REFERENCE', 'DUPLICATE_LINE', 'RETURN', 'RETURNED_ORDER')),
        expected_amount_cents bigint,
        detail text,
        amount_cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED
      )`);
    await q.query(`CREATE INDEX statement_lines_reconciliation ON statement_lines USING brin (reconciliation_id)`);
    // A payment is posted by one statement line, and returned by at most one.
    await q.query(`CREATE UNIQUE INDEX statement_lines_one_match_per_payment ON statement_lines (reference) WHERE finding = 'MATCHED'`);
    await q.query(`CREATE UNIQUE INDEX statement_lines_one_return_per_payment ON statement_lines (reference) WHERE finding = 'RETURN'`);
    await appendOnly('statement_lines');
    await q.query(`
      CREATE TABLE reconciliation_unmatched (
        -- written before its reconciliation row, in the same transaction
        reconciliation_id uuid NOT NULL REFERENCES reconciliations (id) DEFERRABLE INITIALLY DEFERRED,
        payment_order_id uuid NOT NULL REFERENCES payment_orders (id),
        reference text NOT NULL,
        amount_cents bigint NOT NULL,
        executed_on date NOT NULL,
        days_unmatched int NOT NULL,
        department_code text NOT NULL,
        structure_id text NOT NULL,
        PRIMARY KEY (reconciliation_id, payment_order_id)
      )`);

    // RECONCILED is not stored on the tranche or the order: it is the matched statement line.
    await q.query(`
      CREATE VIEW tranche_states AS
      SELECT t.*,
             CASE WHEN t.status = 'PAID' AND EXISTS (
                    SELECT 1 FROM payment_orders o JOIN statement_lines l ON l.reference = o.reference AND l.finding = 'MATCHED' WHERE o.id = t.current_order_id)
                  THEN 'RECONCILED' ELSE t.status END AS state
        FROM tranches t`);
    await q.query(`
      CREATE VIEW payment_order_states AS
      SELECT o.*, e.bank_reference, e.executed_on, e.beneficiary_iban, e.beneficiary_name,
             m.reconciliation_id AS reconciled_by, m.booking_date AS reconciled_on,
             CASE WHEN o.status = 'EXECUTED' AND m.reconciliation_id IS NOT NULL THEN 'RECONCILED' ELSE o.status END AS state
        FROM payment_orders o
        LEFT JOIN payment_executions e ON e.payment_order_id = o.id
        LEFT JOIN statement_lines m ON m.reference = o.reference AND m.finding = 'MATCHED'`);

    // ---- programme costs per conseiller -----------------------------------------------------------------------
    await q.query(`
      CREATE TABLE programme_cost_rates (
        kind text NOT NULL CHECK (kind IN ('TRAINING', 'PIX_CERTIFICATION', 'OUTFIT_KIT')),
        version int NOT NULL CHECK (version >= 1),
        effective_from date NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        label text NOT NULL,
        PRIMARY KEY (kind, version),
        UNIQUE (kind, effective_from)
      )`);
    await appendOnly('programme_cost_rates');
    await q.query(`
      CREATE TABLE programme_costs (
        id uuid PRIMARY KEY,
        kind text NOT NULL,
        conseiller_id text NOT NULL,
        contract_id text,
        structure_id text,
        department_code text,
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        incurred_on date NOT NULL,
        rate_version int NOT NULL,
        source_event text NOT NULL,
        source_message_id uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        -- once per conseiller and kind
        UNIQUE (kind, conseiller_id)
      )`);
    await q.query(`CREATE INDEX programme_costs_department ON programme_costs (department_code)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const object of [
      'VIEW payment_order_states', 'VIEW tranche_states', 'TABLE programme_costs', 'TABLE programme_cost_rates', 'TABLE reconciliation_unmatched',
      'TABLE statement_lines', 'TABLE reconciliations', 'TABLE ledger_entries', 'TABLE ledger_journals', 'TABLE payment_returns',
      'TABLE payment_executions', 'TABLE payment_orders', 'SEQUENCE payment_reference_seq', 'TABLE tranches', 'TABLE commitment_refusals',
      'TABLE commitments', 'TABLE ledger_dimensions', 'TABLE post_contracts', 'TABLE posts', 'TABLE conventions', 'TABLE envelope_fundings', 'TABLE budget_envelopes',
      'TABLE subsidy_rule_periods', 'TABLE subsidy_rules', 'TABLE subsidy_rule_keys',
    ]) {
      await q.query(`DROP ${object} CASCADE`);
    }
    await q.query(`DROP FUNCTION ledger_journal_has_entries(), ledger_entries_balanced(), forbid_change()`);
  }
}
