import { MigrationInterface, QueryRunner } from 'typeorm';

const ACCOUNT_TYPES = `'BUDGET', 'ENVELOPE', 'PREFECTURE', 'STRUCTURE', 'CLEARING', 'PAID_OUT', 'PROGRAMME_FUNDING', 'PROGRAMME_COST'`;

/**
 * The ledger's account check, the same rule without a regular expression. `account ~ '^(BUDGET|…):.+$'` cost
 * PostgreSQL ~2–3 µs an entry, ~10 ms of the ~70 of a 5,000-entry settlement journal (psql, the benchmark's
 * ledger), and every journal of the platform pays it. The stored account type is the text before the first colon
 * (the whole account when it has none): one of the eight types, with something after the colon, is the same rule
 * — an account without a colon or with nothing after it fails the length test.
 */
export class LedgerAccountCheck1764000100008 implements MigrationInterface {
  name = 'LedgerAccountCheck1764000100008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_account_check`);
    await q.query(`
      ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_account_check
        CHECK (account_type IN (${ACCOUNT_TYPES}) AND length(account) > length(account_type) + 1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_account_check`);
    await q.query(`
      ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_account_check
        CHECK (account ~ '^(BUDGET|ENVELOPE|PREFECTURE|STRUCTURE|CLEARING|PAID_OUT|PROGRAMME_FUNDING|PROGRAMME_COST):.+$')`);
  }
}
