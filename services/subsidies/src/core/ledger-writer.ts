import { Journal } from '@cnfs/subsidies-domain';
import { EntityManager } from 'typeorm';

/**
 * Writes journals: their rows, then all their entries in one INSERT (the database trigger checks
 * that each journal touched nets to zero and was written whole). Ids are deterministic, so a
 * journal written twice fails on its primary key instead of posting twice.
 */
export async function postJournals(manager: EntityManager, journals: Journal[], occurredOn: string): Promise<void> {
  if (journals.length === 0) return;
  const params: unknown[] = [];
  const rows = journals.map((j) => {
    params.push(j.id, j.kind, j.businessKey, j.pending, j.reversesJournalId, occurredOn);
    const n = params.length;
    return `($${n - 5}::uuid, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}::uuid, $${n}::date)`;
  });
  await manager.query(`INSERT INTO ledger_journals (id, kind, business_key, pending, reverses_journal_id, occurred_on) VALUES ${rows.join(', ')}`, params);
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
  await manager.query(
    `INSERT INTO ledger_entries (journal_id, line, account, amount_cents, envelope_id, department_code, structure_id)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])`,
    [ids, lines, accounts, amounts, envelopes, departments, structures],
  );
}
