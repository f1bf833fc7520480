import { Journal } from '@cnfs/subsidies-domain';
import { EntityManager } from 'typeorm';

/**
 * Writes journals in one statement: their rows, then all their entries (the database trigger checks,
 * at the end of the statement, that each journal touched nets to zero, exists and was written whole).
 * Ids are deterministic, so a journal written twice fails on its primary key instead of posting twice.
 * One statement, one round trip: a caller may compute while PostgreSQL writes (see ReconciliationService).
 */
export async function postJournals(manager: EntityManager, journals: Journal[], occurredOn: string): Promise<void> {
  if (journals.length === 0) return;
  const params: unknown[] = [];
  const rows = journals.map((j) => {
    params.push(j.id, j.kind, j.businessKey, j.pending, j.reversesJournalId, occurredOn);
    const n = params.length;
    return `($${n - 5}::uuid, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}::uuid, $${n}::date)`;
  });
  const ids: string[] = [];
  const lines: number[] = [];
  const accounts: string[] = [];
  const amounts: string[] = [];
  const envelopes: (string | null)[] = [];
  const departments: (string | null)[] = [];
  const structures: (string | null)[] = [];
  for (const j of journals) {
    j.entries.forEach((e, i) => {
      ids.push(j.id);
      lines.push(i + 1);
      accounts.push(e.account);
      amounts.push(e.amount.toString());
      envelopes.push(e.envelopeId);
      departments.push(e.departmentCode);
      structures.push(e.structureId);
    });
  }
  const n = params.length;
  params.push(ids, lines, accounts, amounts, envelopes, departments, structures);
  await manager.query(
    `WITH journal_rows AS (
       INSERT INTO ledger_journals (id, kind, business_key, pending, reverses_journal_id, occurred_on) VALUES ${rows.join(', ')})
     INSERT INTO ledger_entries (journal_id, line, account, amount_cents, envelope_id, department_code, structure_id)
     SELECT * FROM unnest($${n + 1}::uuid[], $${n + 2}::int[], $${n + 3}::text[], $${n + 4}::bigint[], $${n + 5}::text[], $${n + 6}::text[], $${n + 7}::text[])`,
    params,
  );
}
