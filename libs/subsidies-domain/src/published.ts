import { Cents, euros } from '@cnfs/money';
import { deterministicId } from './ids';
import { ProgrammeCostKind } from './programme-costs';
import { LegalStatus, Phase, SubsidyRule } from './rules';

/**
 * The figures the programme published (shared/seeds, CSNP opinion 2022-08, and the renewal
 * conditions of 2023), as the migrations seed them. Tests check the seeded database against these.
 */
export const PUBLISHED = {
  phase1: {
    /** Announcement of the France Relance measure (17 November 2020). */
    effectiveFrom: '2020-11-17',
    months: 24,
    private: euros(32_000),
    publicMetropole: euros(50_000),
    publicReunionMayotte: euros(67_500),
    publicAntillesGuyane: euros(70_000),
  },
  phase2: {
    /** Renewal ("reconventionnement") from December 2022. */
    effectiveFrom: '2022-12-01',
    public: [euros(17_500), euros(12_500), euros(12_500)],
    publicQpvZrrBonus: [euros(2_500), euros(5_000), euros(0)],
    private: [euros(20_000), euros(14_000), euros(10_000)],
  },
  envelopes: {
    franceRelance2020: { id: 'france-relance-2020', amount: euros(200_000_000) },
    renewal2023: { id: 'renouvellement-2023', fundings: [euros(44_000_000), euros(28_000_000)] },
  },
  programmeCosts: {
    TRAINING: euros(4_805),
    PIX_CERTIFICATION: euros('326.60'),
    OUTFIT_KIT: euros('297.20'),
  } as Record<ProgrammeCostKind, Cents>,
} as const;

const rule = (ruleKey: string, phase: Phase, legalStatus: LegalStatus, territory: string, effectiveFrom: string, label: string, periods: SubsidyRule['periods']): SubsidyRule => ({
  id: deterministicId('rule', ruleKey, '1'),
  ruleKey,
  version: 1,
  phase,
  legalStatus,
  territory,
  effectiveFrom,
  label,
  periods,
});

/** The seeded rule set (version 1 of each key). */
export function publishedRules(): SubsidyRule[] {
  const p1 = PUBLISHED.phase1;
  const p2 = PUBLISHED.phase2;
  const single = (amount: Cents) => [{ months: p1.months, amount, qpvZrrBonus: Cents.ZERO }];
  const yearly = (amounts: readonly Cents[], bonus: readonly Cents[] = [Cents.ZERO, Cents.ZERO, Cents.ZERO]) =>
    amounts.map((amount, i) => ({ months: 12, amount, qpvZrrBonus: bonus[i] }));
  return [
    rule('phase1.private', 1, 'PRIVATE', 'PROGRAMME', p1.effectiveFrom, 'Recruteur de droit privé — 32 000 € pour 24 mois', single(p1.private)),
    rule('phase1.public.metropole', 1, 'PUBLIC', 'METROPOLE', p1.effectiveFrom, 'Recruteur de droit public en métropole — 50 000 € pour 24 mois', single(p1.publicMetropole)),
    rule('phase1.public.reunion-mayotte', 1, 'PUBLIC', 'DROM:REUNION_MAYOTTE', p1.effectiveFrom, 'Recruteur de droit public à La Réunion et à Mayotte — 67 500 € pour 24 mois', single(p1.publicReunionMayotte)),
    rule('phase1.public.antilles-guyane', 1, 'PUBLIC', 'DROM:ANTILLES_GUYANE', p1.effectiveFrom, 'Recruteur de droit public en Guadeloupe, Martinique et Guyane — 70 000 € pour 24 mois', single(p1.publicAntillesGuyane)),
    rule('phase2.public', 2, 'PUBLIC', 'PROGRAMME', p2.effectiveFrom, 'Reconventionnement, employeur public — 17 500 / 12 500 / 12 500 €, bonus QPV/ZRR 2 500 / 5 000 €', yearly(p2.public, p2.publicQpvZrrBonus)),
    rule('phase2.private', 2, 'PRIVATE', 'PROGRAMME', p2.effectiveFrom, 'Reconventionnement, employeur privé — 20 000 / 14 000 / 10 000 €', yearly(p2.private)),
  ];
}
