import { Journal } from '@cnfs/subsidies-domain';
import { EntityManager } from 'typeorm';

/** The one statement that writes journals and their entries, with its parameters (see prepareJournals). */
export interface PreparedJournals {
  text: string;
  values: unknown[];
}

/**
 * Writes journals in one statement: their rows, then all their entries (the database trigger checks,
 * at the end of the statement, that each journal touched nets to zero, exists and was written whole).
 * Ids are deterministic, so a journal written twice fails on its primary key instead of posting twice.
 */
export async function postJournals(manager: EntityManager, journals: Journal[], occurredOn: string): Promise<void> {
  if (journals.length === 0) return;
  const { text, values } = prepareJournals(journals, occurredOn);
  await manager.query(text, values);
}

/**
 * The statement postJournals runs, built without the database: a caller with a large journal (a
 * reconciliation's settlement, 5,000 entries) builds it while PostgreSQL is busy with something else and
 * sends it when its turn comes. The entries go as seven array literals, built here (pg's generic
 * conversion escapes each of their 35,000 elements with two regular expressions: 10–17 ms where this
 * takes 3–9, micro-benchmark); each entry names its journal by its position among the journals.
 */
export function prepareJournals(journals: Journal[], occurredOn: string): PreparedJournals {
  const values: unknown[] = [];
  const rows = journals.map((j) => {
    values.push(j.id, j.kind, j.businessKey, j.pending, j.reversesJournalId, occurredOn);
    const n = values.length;
    return `($${n - 5}::uuid, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}::uuid, $${n}::date)`;
  });
  const journalOf: number[] = [];
  const lines: number[] = [];
  const accounts: string[] = [];
  const amounts: string[] = [];
  const envelopes: (string | null)[] = [];
  const departments: (string | null)[] = [];
  const structures: (string | null)[] = [];
  journals.forEach((j, position) => {
    j.entries.forEach((e, i) => {
      journalOf.push(position + 1);
      lines.push(i + 1);
      accounts.push(e.account);
      amounts.push(e.amount.toString());
      envelopes.push(e.envelopeId);
      departments.push(e.departmentCode);
      structures.push(e.structureId);
    });
  });
  const n = values.length;
  values.push(
    arrayLiteral(journals.map((j) => j.id)), arrayLiteral(journalOf), arrayLiteral(lines), arrayLiteral(accounts), arrayLiteral(amounts),
    arrayLiteral(envelopes), arrayLiteral(departments), arrayLiteral(structures),
  );
  return {
    text: `WITH journal_rows AS (
             INSERT INTO ledger_journals (id, kind, business_key, pending, reverses_journal_id, occurred_on) VALUES ${rows.join(', ')})
           INSERT INTO ledger_entries (journal_id, line, account, amount_cents, envelope_id, department_code, structure_id)
           SELECT ($${n + 1}::uuid[])[e.journal], e.line, e.account, e.amount, e.envelope, e.department, e.structure
             FROM unnest($${n + 2}::int[], $${n + 3}::int[], $${n + 4}::text[], $${n + 5}::bigint[], $${n + 6}::text[], $${n + 7}::text[], $${n + 8}::text[])
                  AS e (journal, line, account, amount, envelope, department, structure)`,
    values,
  };
}

/**
 * A PostgreSQL array literal of these values (each element double-quoted, `"` and `\` escaped; null as NULL):
 * what pg sends for the same array.
 */
export function arrayLiteral(values: readonly (string | number | null)[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) literal += ',';
    const value = values[i];
    if (value === null) literal += 'NULL';
    else if (typeof value === 'number') literal += `"${value}"`;
    else if (value.indexOf('"') < 0 && value.indexOf('\\') < 0) literal += `"${value}"`;
    else literal += `"${value.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${literal}}`;
}
