import { MessagingTables1764000000000, openServiceDataSource } from '@cnfs/messaging';
import { IdempotencyKeys1764000000001 } from '@cnfs/service-kit';
import { testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { DataSource, EntityManager } from 'typeorm';
import { SUBSIDIES_MIGRATIONS } from './migrations';

const RECONCILIATION = '5b1f7a9e-3c2d-4e8f-9a6b-1c2d3e4f5a6b';

/** A schema migrated up to `migration` (not included), or through every subsidies migration. */
const migrated = (schema: string, migration?: string) =>
  openServiceDataSource({
    url: testDatabaseUrl(),
    schema,
    migrations: [
      MessagingTables1764000000000, IdempotencyKeys1764000000001,
      ...(migration ? SUBSIDIES_MIGRATIONS.slice(0, SUBSIDIES_MIGRATIONS.findIndex((m) => m.name === migration)) : SUBSIDIES_MIGRATIONS),
    ],
  });

/**
 * A schema of its own for a describe block: `migrated()` opens it through every subsidies migration (or up to
 * `migration`, not included) and keeps that data source, closed (and the schema dropped) once the block has run.
 */
function ownSchema(prefix: string) {
  const own = {
    name: uniqueName(prefix),
    dataSource: undefined as DataSource | undefined,
    async migrated(migration?: string): Promise<DataSource> {
      own.dataSource = await migrated(own.name, migration);
      return own.dataSource;
    },
  };
  afterAll(async () => {
    await own.dataSource?.query(`DROP SCHEMA "${own.name}" CASCADE`);
    await own.dataSource?.destroy();
  });
  return own;
}

/** An execution of order `orderId`, reference CNFS-P-000000000`n`, alone (seeded with foreign keys off). */
const insertExecution = (m: EntityManager, orderId: string, n: number) =>
  m.query(
    `INSERT INTO payment_executions (payment_order_id, reference, tranche_id, dimension_id, bank_reference, executed_on, amount_cents, beneficiary_iban, beneficiary_name, recorded_by)
     VALUES ($1, $2, gen_random_uuid(), 1, $3, '2023-05-02', 2500000, 'FR7630006000011234567890189', 'Commune', 'bdt:test')`,
    [orderId, `CNFS-P-000000000${n}`, `BDT-${n}`],
  );

/** Migration 1764000100004 on the real PostgreSQL: matched lines move to statement_matches, the same facts, the others stay. */
describe('subsidies migrations: statement_matches', () => {
  const schema = ownSchema('subsidies_migrations');

  it('moves existing matched lines, keeps the others, and keeps every line readable', async () => {
    const first = await migrated(schema.name, 'StatementMatches1764000100004');
    await first.transaction(async (m) => {
      await m.query(`SELECT set_config('subsidies.reconciliation_id', $1, true)`, [RECONCILIATION]);
      await m.query(`
        INSERT INTO statement_lines (statement_ref, entry_ref, booking_date, direction, amount, currency, reference, counterparty_iban, counterparty_name,
                                     return_reason, line_no, finding, expected_amount_cents, detail)
        VALUES ('S-1', 'BQ-1', '2023-05-02', 'DBIT', 25000.00, 'EUR', 'CNFS-P-0000000001', 'FR7630006000011234567890189', 'Commune', NULL, 1, 'MATCHED', NULL, NULL),
               ('S-1', 'BQ-2', '2023-05-02', 'DBIT', 12.34, 'EUR', 'CNFS-P-UNKNOWN', 'FR7630006000011234567890189', 'Inconnu', NULL, 2, 'UNKNOWN_REFERENCE', NULL, 'no executed payment order has reference CNFS-P-UNKNOWN')`);
    });
    await first.destroy();

    // As this migration left it (the next one, 1764000100009, keys matches by their execution: none was seeded here).
    const dataSource = await schema.migrated('MatchesByExecution1764000100009');
    expect(await dataSource.query(`SELECT reference, reconciliation_id, line_no, entry_ref, booking_date, counterparty_name FROM statement_matches`)).toEqual([
      { reference: 'CNFS-P-0000000001', reconciliation_id: RECONCILIATION, line_no: 1, entry_ref: 'BQ-1', booking_date: '2023-05-02', counterparty_name: 'Commune' },
    ]);
    expect(await dataSource.query(`SELECT line_no, finding FROM statement_lines`)).toEqual([{ line_no: 2, finding: 'UNKNOWN_REFERENCE' }]);
    // A matched line is never stored twice, nor among the other lines; both tables stay append-only.
    await expect(dataSource.query(`INSERT INTO statement_matches (reference, reconciliation_id, line_no, entry_ref, booking_date) VALUES ('CNFS-P-0000000001', $1, 9, 'BQ-9', '2023-05-03')`, [RECONCILIATION]))
      .rejects.toThrow(/duplicate key/);
    await expect(dataSource.query(`
      INSERT INTO statement_lines (reconciliation_id, statement_ref, entry_ref, booking_date, direction, amount, currency, line_no, finding)
      VALUES ($1, 'S-2', 'BQ-3', '2023-05-02', 'DBIT', 1, 'EUR', 3, 'MATCHED')`, [RECONCILIATION])).rejects.toThrow(/statement_lines_matched_elsewhere/);
    await expect(dataSource.query(`DELETE FROM statement_matches`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`UPDATE statement_lines SET detail = 'x'`)).rejects.toThrow(/append-only/);
    // The other line is shown as before; the matched one needs its payment (none was seeded here) to be shown.
    expect(await dataSource.query(`SELECT line_no, finding, amount_cents::int FROM reconciliation_lines WHERE reconciliation_id = $1`, [RECONCILIATION]))
      .toEqual([{ line_no: 2, finding: 'UNKNOWN_REFERENCE', amount_cents: 1234 }]);
    const [{ storage }] = await dataSource.query(`SELECT attstorage AS storage FROM pg_attribute WHERE attrelid = 'outbox'::regclass AND attname = 'envelope'`);
    expect(storage).toBe('e');
  });
});

/** Migration 1764000100006 on the real PostgreSQL: the payments awaiting a statement today are carried, the window starts after them. */
describe('subsidies migrations: the window of payments awaiting a statement', () => {
  const schema = ownSchema('subsidies_migrations_window');

  it('carries the executed payments on no statement and not returned; numbers the executions', async () => {
    const first = await migrated(schema.name, 'AwaitingStatementWindow1764000100006');
    const orders = ['7d1f7a9e-3c2d-4e8f-9a6b-1c2d3e4f5a01', '7d1f7a9e-3c2d-4e8f-9a6b-1c2d3e4f5a02', '7d1f7a9e-3c2d-4e8f-9a6b-1c2d3e4f5a03'];
    await first.transaction(async (m) => {
      // Executions alone, without the orders, tranches and commitments behind them (foreign keys off for this seed only).
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`SELECT set_config('subsidies.reconciliation_id', $1, true)`, [RECONCILIATION]);
      for (const [i, order] of orders.entries()) await insertExecution(m, order, i + 1);
      await m.query(`INSERT INTO statement_matches (reference, line_no, entry_ref, booking_date) VALUES ('CNFS-P-0000000001', 1, 'BQ-1', '2023-05-03')`);
      await m.query(`INSERT INTO payment_returns (payment_order_id, returned_on, reason, source, recorded_by) VALUES ($1, '2023-05-04', 'AC04', 'API', 'bdt:test')`, [orders[1]]);
    });
    await first.destroy();

    const dataSource = await schema.migrated();
    expect(await dataSource.query(`SELECT reference FROM awaiting_statement_carry`)).toEqual([{ reference: 'CNFS-P-0000000003' }]);
    expect(await dataSource.query(`SELECT reference, seq::int FROM payment_executions ORDER BY seq`)).toEqual([
      { reference: 'CNFS-P-0000000001', seq: 1 }, { reference: 'CNFS-P-0000000002', seq: 2 }, { reference: 'CNFS-P-0000000003', seq: 3 },
    ]);
    expect(await dataSource.query(`SELECT executed_through::int FROM awaiting_statement_window`)).toEqual([{ executed_through: 3 }]);
    // The next execution is numbered after them (beyond the window: awaiting); the window has one row, ever.
    await expect(dataSource.query(`INSERT INTO awaiting_statement_window (executed_through) VALUES (0)`)).rejects.toThrow(/duplicate key|awaiting_statement_window/);
  });
});

/** Migration 1764000100007 on the real PostgreSQL: an execution the window passed over joins the carry, once. */
describe('subsidies migrations: the carry made exact', () => {
  const schema = ownSchema('subsidies_migrations_carry');

  it('carries the executions behind the window on no statement and not returned; leaves the others as they were', async () => {
    const first = await migrated(schema.name, 'ExactAwaitingCarry1764000100007');
    const order = (n: number) => `7d1f7a9e-3c2d-4e8f-9a6b-1c2d3e4f5b0${n}`;
    await first.transaction(async (m) => {
      // Executions alone, without the orders, tranches and commitments behind them (foreign keys off for this seed only).
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`SELECT set_config('subsidies.reconciliation_id', $1, true)`, [RECONCILIATION]);
      // 1 matched, 2 returned, 3 carried, 4 passed over by the window (in neither set), 5 beyond the window.
      for (const n of [1, 2, 3, 4]) await insertExecution(m, order(n), n);
      await m.query(`INSERT INTO statement_matches (reference, line_no, entry_ref, booking_date) VALUES ('CNFS-P-0000000001', 1, 'BQ-1', '2023-05-03')`);
      await m.query(`INSERT INTO payment_returns (payment_order_id, returned_on, reason, source, recorded_by) VALUES ($1, '2023-05-04', 'AC04', 'API', 'bdt:test')`, [order(2)]);
      await m.query(`DELETE FROM awaiting_statement_carry`);
      await m.query(`INSERT INTO awaiting_statement_carry (reference) VALUES ('CNFS-P-0000000003')`);
      await m.query(`UPDATE awaiting_statement_window SET executed_through = (SELECT max(seq) FROM payment_executions)`);
      await insertExecution(m, order(5), 5);
    });
    await first.destroy();

    const dataSource = await schema.migrated();
    expect(await dataSource.query(`SELECT reference FROM awaiting_statement_carry ORDER BY reference`)).toEqual([
      { reference: 'CNFS-P-0000000003' }, { reference: 'CNFS-P-0000000004' },
    ]);
    expect(await dataSource.query(`SELECT executed_through::int FROM awaiting_statement_window`)).toEqual([{ executed_through: 4 }]);
  });
});

/** Migration 1764000100008 on the real PostgreSQL: the ledger's account check keeps its rule, without a regular expression. */
describe('subsidies migrations: the ledger account check', () => {
  const schema = ownSchema('subsidies_migrations_accounts');

  /** Whether PostgreSQL takes an entry of this account (a balanced pair, its journal written, rolled back). */
  const accepts = (account: string) =>
    schema.dataSource!
      .transaction(async (m) => {
        await m.query(`INSERT INTO ledger_journals (id, kind, business_key, occurred_on) VALUES ('8d1f7a9e-3c2d-4e8f-9a6b-1c2d3e4f5a6b', 'FUND', 'FUND:test', '2023-05-03')`);
        await m.query(
          `INSERT INTO ledger_entries (journal_id, line, account, amount_cents) VALUES ('8d1f7a9e-3c2d-4e8f-9a6b-1c2d3e4f5a6b', 1, $1, -100), ('8d1f7a9e-3c2d-4e8f-9a6b-1c2d3e4f5a6b', 2, 'ENVELOPE:e', 100)`,
          [account],
        );
        throw new Error('rolled back');
      })
      .catch((error: Error) => {
        if (error.message === 'rolled back') return true;
        if (/ledger_entries_account_check/.test(error.message)) return false;
        throw error;
      });

  it('accepts the eight account types with something after the colon, and nothing else', async () => {
    const dataSource = await schema.migrated('MatchesByExecution1764000100009');
    const definition = async () =>
      (await dataSource.query(`SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conname = 'ledger_entries_account_check' AND connamespace = $1::regnamespace`, [schema.name]))[0].d as string;
    expect(await definition()).not.toContain('~');
    const accepted = ['BUDGET:e', 'ENVELOPE:bench-envelope-0', 'PREFECTURE:971', 'STRUCTURE:s-1', 'CLEARING:BDT', 'PAID_OUT:BDT', 'PROGRAMME_FUNDING:ANCT', 'PROGRAMME_COST:TRAINING', 'STRUCTURE:a:b'];
    const refused = ['BUDGET', 'BUDGET:', 'budget:e', 'NOPE:e', ':e', 'CLEARINGBDT', ' CLEARING:BDT', 'PAID_OUT_X:BDT', ''];
    for (const account of accepted) expect([account, await accepts(account)]).toEqual([account, true]);
    for (const account of refused) expect([account, await accepts(account)]).toEqual([account, false]);
    // The migration reverts to the regular expression, which gives the same answers.
    await dataSource.undoLastMigration();
    expect(await definition()).toContain('~');
    for (const account of [...accepted, ...refused]) expect([account, await accepts(account)]).toEqual([account, accepted.includes(account)]);
  });
});

/** Migration 1764000100009 on the real PostgreSQL: matches keyed by their execution's number, the same facts; and back. */
describe('subsidies migrations: matches keyed by execution', () => {
  const schema = ownSchema('subsidies_migrations_match_seq');

  it('gives every match its execution, keeps every line readable, keeps a payment matched once; and reverts', async () => {
    const first = await migrated(schema.name, 'MatchesByExecution1764000100009');
    const order = (n: number) => `7d1f7a9e-3c2d-4e8f-9a6b-1c2d3e4f5c0${n}`;
    await first.transaction(async (m) => {
      // Executions alone, without the orders, tranches and commitments behind them (foreign keys off for this seed only).
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`SELECT set_config('subsidies.reconciliation_id', $1, true)`, [RECONCILIATION]);
      for (const n of [1, 2, 3]) await insertExecution(m, order(n), n);
      await m.query(`INSERT INTO statement_matches (reference, line_no, entry_ref, booking_date, counterparty_name) VALUES
                       ('CNFS-P-0000000003', 1, 'BQ-1', '2023-05-03', 'Commune'), ('CNFS-P-0000000001', 2, 'BQ-2', '2023-05-04', NULL)`);
    });
    await first.destroy();

    const dataSource = await schema.migrated();
    const seqOf = async (reference: string) => (await dataSource.query(`SELECT seq::text FROM payment_executions WHERE reference = $1`, [reference]))[0].seq as string;
    expect(await dataSource.query(`SELECT execution_seq::text, line_no, entry_ref, counterparty_name FROM statement_matches ORDER BY line_no`)).toEqual([
      { execution_seq: await seqOf('CNFS-P-0000000003'), line_no: 1, entry_ref: 'BQ-1', counterparty_name: 'Commune' },
      { execution_seq: await seqOf('CNFS-P-0000000001'), line_no: 2, entry_ref: 'BQ-2', counterparty_name: null },
    ]);
    const columns = async (table: string) =>
      (await dataSource.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY column_name`, [schema.name, table]))
        .map((c: { column_name: string }) => c.column_name);
    expect(await columns('statement_matches')).not.toContain('reference');
    // Every line shown as before: the reference is the execution's.
    expect(await dataSource.query(`SELECT line_no, reference, finding, amount_cents::int FROM reconciliation_lines WHERE reconciliation_id = $1 ORDER BY line_no`, [RECONCILIATION]))
      .toEqual([
        { line_no: 1, reference: 'CNFS-P-0000000003', finding: 'MATCHED', amount_cents: 2500000 },
        { line_no: 2, reference: 'CNFS-P-0000000001', finding: 'MATCHED', amount_cents: 2500000 },
      ]);
    // What a reconciliation reads of a payment now ends with its execution's number.
    const [{ awaiting_row: row }] = await dataSource.query(`SELECT awaiting_row FROM payment_executions WHERE reference = 'CNFS-P-0000000002'`);
    expect(row.split('\u001f')).toEqual(['CNFS-P-0000000002', '2500000', 'FR7630006000011234567890189', expect.any(String), '1', await seqOf('CNFS-P-0000000002'), '']);
    // A payment is matched once, ever; the table stays append-only.
    await expect(dataSource.query(`INSERT INTO statement_matches (execution_seq, reconciliation_id, line_no, entry_ref, booking_date) VALUES ($1, $2, 9, 'BQ-9', '2023-05-05')`,
      [await seqOf('CNFS-P-0000000001'), RECONCILIATION])).rejects.toThrow(/duplicate key/);
    await expect(dataSource.query(`DELETE FROM statement_matches`)).rejects.toThrow(/append-only/);

    // Reverted: the references are back, the key with them.
    await dataSource.undoLastMigration();
    expect(await dataSource.query(`SELECT reference, line_no FROM statement_matches ORDER BY line_no`)).toEqual([
      { reference: 'CNFS-P-0000000003', line_no: 1 }, { reference: 'CNFS-P-0000000001', line_no: 2 },
    ]);
    expect(await columns('statement_matches')).not.toContain('execution_seq');
    const [{ awaiting_row: before }] = await dataSource.query(`SELECT awaiting_row FROM payment_executions WHERE reference = 'CNFS-P-0000000002'`);
    expect(before.split('\u001f')).toHaveLength(6);
    await expect(dataSource.query(`INSERT INTO statement_matches (reference, reconciliation_id, line_no, entry_ref, booking_date) VALUES ('CNFS-P-0000000003', $1, 9, 'BQ-9', '2023-05-05')`, [RECONCILIATION]))
      .rejects.toThrow(/duplicate key/);
  });
});
