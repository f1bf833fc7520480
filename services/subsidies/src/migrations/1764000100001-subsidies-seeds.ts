import { MigrationInterface, QueryRunner } from 'typeorm';
import { Cents } from '@cnfs/money';
import { deterministicId, Journal, journals } from '@cnfs/subsidies-domain';

/**
 * The programme's published figures as data (shared/seeds; CSNP opinion 2022-08; renewal
 * conditions 2023). Literal values on purpose: a migration does not change when code does.
 * Rule ids are deterministicId('rule', key, version) — the same as publishedRules() of the domain.
 */
const RULES: { key: string; phase: 1 | 2; legal: 'PUBLIC' | 'PRIVATE'; territory: string; from: string; label: string; periods: [number, number, number][] }[] = [
  { key: 'phase1.private', phase: 1, legal: 'PRIVATE', territory: 'PROGRAMME', from: '2020-11-17', label: 'Recruteur de droit privé — 32 000 € pour 24 mois', periods: [[24, 3_200_000, 0]] },
  { key: 'phase1.public.metropole', phase: 1, legal: 'PUBLIC', territory: 'METROPOLE', from: '2020-11-17', label: 'Recruteur de droit public en métropole — 50 000 € pour 24 mois', periods: [[24, 5_000_000, 0]] },
  { key: 'phase1.public.reunion-mayotte', phase: 1, legal: 'PUBLIC', territory: 'DROM:REUNION_MAYOTTE', from: '2020-11-17', label: 'Recruteur de droit public à La Réunion et à Mayotte — 67 500 € pour 24 mois', periods: [[24, 6_750_000, 0]] },
  { key: 'phase1.public.antilles-guyane', phase: 1, legal: 'PUBLIC', territory: 'DROM:ANTILLES_GUYANE', from: '2020-11-17', label: 'Recruteur de droit public en Guadeloupe, Martinique et Guyane — 70 000 € pour 24 mois', periods: [[24, 7_000_000, 0]] },
  {
    key: 'phase2.public', phase: 2, legal: 'PUBLIC', territory: 'PROGRAMME', from: '2022-12-01',
    label: 'Reconventionnement, employeur public — 17 500 / 12 500 / 12 500 €, bonus QPV/ZRR 2 500 / 5 000 €',
    periods: [[12, 1_750_000, 250_000], [12, 1_250_000, 500_000], [12, 1_250_000, 0]],
  },
  {
    key: 'phase2.private', phase: 2, legal: 'PRIVATE', territory: 'PROGRAMME', from: '2022-12-01',
    label: 'Reconventionnement, employeur privé — 20 000 / 14 000 / 10 000 €',
    periods: [[12, 2_000_000, 0], [12, 1_400_000, 0], [12, 1_000_000, 0]],
  },
];

const ENVELOPES = [
  {
    id: 'france-relance-2020', name: 'France Relance 2020 — conseillers numériques (200 M€)', phase: 1, opensOn: '2020-11-17', priority: 1,
    fundings: [['France Relance, axe 1 : 4 000 conseillers numériques', 20_000_000_000]] as [string, number][],
  },
  {
    id: 'renouvellement-2023', name: 'Renouvellement 2023 — 44 M€ (LFI 2023) + 28 M€ déjà engagés', phase: 2, opensOn: '2022-12-01', priority: 1,
    fundings: [['Loi de finances 2023', 4_400_000_000], ['Crédits déjà engagés pour 2023', 2_800_000_000]] as [string, number][],
  },
];

const RATES: [string, number, string][] = [
  ['TRAINING', 480_500, 'Formation initiale — 4 805 €'],
  ['PIX_CERTIFICATION', 32_660, 'Certification PIX — 326,60 €'],
  ['OUTFIT_KIT', 29_720, 'Tenue et kit de communication — 297,20 €'],
];

export async function insertJournal(q: { query(sql: string, params?: unknown[]): Promise<unknown> }, journal: Journal, occurredOn: string): Promise<void> {
  await q.query(`INSERT INTO ledger_journals (id, kind, business_key, pending, reverses_journal_id, occurred_on) VALUES ($1, $2, $3, $4, $5, $6)`, [
    journal.id, journal.kind, journal.businessKey, journal.pending, journal.reversesJournalId, occurredOn,
  ]);
  const params: unknown[] = [];
  const rows = journal.entries.map((e, i) => {
    params.push(journal.id, i + 1, e.account, e.amount.toString(), e.envelopeId, e.departmentCode, e.structureId);
    const n = params.length;
    return `($${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
  });
  await q.query(`INSERT INTO ledger_entries (journal_id, line, account, amount_cents, envelope_id, department_code, structure_id) VALUES ${rows.join(', ')}`, params);
}

export class SubsidiesSeeds1764000100001 implements MigrationInterface {
  name = 'SubsidiesSeeds1764000100001';

  async up(q: QueryRunner): Promise<void> {
    for (const r of RULES) {
      const id = deterministicId('rule', r.key, '1');
      await q.query(`INSERT INTO subsidy_rule_keys (rule_key, phase, legal_status, territory) VALUES ($1, $2, $3, $4)`, [r.key, r.phase, r.legal, r.territory]);
      await q.query(`INSERT INTO subsidy_rules (id, rule_key, version, effective_from, label, created_by, reason) VALUES ($1, $2, 1, $3, $4, 'migration', $5)`, [
        id, r.key, r.from, r.label, r.phase === 1 ? 'CSNP, avis 2022-08 : subvention par poste pour 24 mois' : 'Conditions du reconventionnement 2023',
      ]);
      for (const [i, [months, amount, bonus]] of r.periods.entries()) {
        await q.query(`INSERT INTO subsidy_rule_periods (rule_id, period_index, months, amount_cents, qpv_zrr_bonus_cents) VALUES ($1, $2, $3, $4, $5)`, [id, i, months, amount, bonus]);
      }
    }
    for (const e of ENVELOPES) {
      const total = e.fundings.reduce((sum, [, amount]) => sum + amount, 0);
      await q.query(`INSERT INTO budget_envelopes (id, name, phase, opens_on, priority, amount_cents, created_by) VALUES ($1, $2, $3, $4, $5, $6, 'migration')`, [
        e.id, e.name, e.phase, e.opensOn, e.priority, total,
      ]);
      for (const [i, [label, amount]] of e.fundings.entries()) {
        await q.query(`INSERT INTO envelope_fundings (envelope_id, seq, label, amount_cents, created_by) VALUES ($1, $2, $3, $4, 'migration')`, [e.id, i + 1, label, amount]);
        await insertJournal(q, journals.fund(e.id, i + 1, Cents.of(amount)), e.opensOn);
      }
    }
    for (const [kind, amount, label] of RATES) {
      await q.query(`INSERT INTO programme_cost_rates (kind, version, effective_from, amount_cents, label) VALUES ($1, 1, '2020-11-17', $2, $3)`, [kind, amount, label]);
    }
  }

  async down(): Promise<void> {
    // Seeds live and die with the schema (SubsidiesSchema1764000100000.down drops the tables).
  }
}
