/**
 * The programme's published figures, as the simulation reproduces them (shared/seeds, summarised in
 * shared/DESIGN.md). Each constant says where it comes from; the generator's unit tests check that a
 * default plan reproduces them.
 */

/** "3516 recrutements ouverts au sein de 2515 structures dans les 101 départements" (press kit, Aug. 2021). */
export const STRUCTURES_WITH_OPENINGS = 2515;
/** The brief's default scale: about 2,500 structures. */
export const DEFAULT_STRUCTURES = 2500;
/** "4 000 conseillers numériques" (France Relance, 200 M€ for their recruitment, training and activity). */
export const PROGRAMME_POSTS = 4000;
/** "4735 structures volontaires inscrites" — most applications are not retained. */
export const VOLUNTEER_STRUCTURES = 4735;
/** "Au 1er décembre 2022, 3 956 conseillers numériques ont été recrutés" (CSNP opinion). */
export const RECRUITED_BY_DEC_2022 = 3956;
/** "Une centaine de conseillers numériques auraient quitté le dispositif de manière anticipée." */
export const EARLY_LEAVERS = 100;
/** 193 M€ committed for phase 1 (DESIGN.md, scale). */
export const COMMITTED_EUROS = 193_000_000;
/** "60 % of recruiters are local authorities and 40 % associations". */
export const PUBLIC_SHARE = 0.6;
/** "les structures implantées dans les QPV représentent près de 25 % … en ZRR 20 %". */
export const QPV_SHARE = 0.25;
export const ZRR_SHARE = 0.2;

/** Conseillers per département named by the seeds (CSNP opinion, footnotes 9 and 12). */
export const DEPARTMENT_ANCHORS: Readonly<Record<string, number>> = {
  '59': 124, // "le département du Nord, le mieux doté, compte 124 conseillers numériques"
  '974': 70, // "La Réunion compte 70 conseillers numériques"
  '971': 46, // "la Martinique, la Guadeloupe et la Guyane comptent entre 45 et 48"
  '972': 48,
  '973': 45,
  '32': 18, // footnote 9: "18 conseillers dans le Gers"
  '09': 14, // "14 conseillers en Ariège"
  '15': 18, // "18 conseillers numériques dans le Cantal"
  '04': 12, // "12 conseillers dans les Alpes de Haute-Provence"
  '55': 18, // "18 conseillers dans la Meuse"
  '23': 14, // "14 conseillers dans la Creuse"
  '2A': 17, // "17 conseillers en Haute-Corse et Corse du sud"
  '2B': 17,
};
/** Mayotte is not named by the seeds: sized like the other DROM by population. */
export const SMALLEST_DEPARTMENT_POSTS = 12;

/** Phase-1 subsidy per post for 24 months, in cents (DESIGN.md; CSNP opinion). */
export const PHASE1_CENTS = {
  PRIVATE: 3_200_000,
  PUBLIC_METROPOLE: 5_000_000,
  PUBLIC_REUNION_MAYOTTE: 6_750_000, // 974, 976
  PUBLIC_ANTILLES_GUYANE: 7_000_000, // 971, 972, 973
} as const;

/**
 * Phase-2 (renewal) subsidy per post over 3 years, in cents: public 17,500 / 12,500 / 12,500 € plus a
 * QPV/ZRR bonus of 2,500 € then 5,000 € (50,000 € with it, 42,500 € without); private 20,000 / 14,000 / 10,000 €.
 */
export const PHASE2_CENTS = { PUBLIC: 4_250_000, PUBLIC_QPV_ZRR: 5_000_000, PRIVATE: 4_400_000 } as const;

/** Programme costs per conseiller (CSNP opinion): training 4,805 €, PIX 326.60 €, outfit 297.20 €. */
export const PROGRAMME_COST_CENTS = { TRAINING: 480_500, PIX_CERTIFICATION: 32_660, OUTFIT_KIT: 29_720 } as const;

/** Budget envelopes as seeded by the subsidies service: 200 M€ (phase 1), 44 + 28 M€ (renewal, from Dec. 2022). */
export const ENVELOPE_CENTS = { PHASE1: 20_000_000_000, PHASE2: 7_200_000_000 } as const;

/** The expected subsidy of a post under the published rules: the simulation's independent oracle. */
export function expectedSubsidyCents(phase: 1 | 2, legalStatus: 'PUBLIC' | 'PRIVATE', departmentCode: string, qpv: boolean, zrr: boolean): number {
  if (phase === 1) {
    if (legalStatus === 'PRIVATE') return PHASE1_CENTS.PRIVATE;
    if (departmentCode === '974' || departmentCode === '976') return PHASE1_CENTS.PUBLIC_REUNION_MAYOTTE;
    if (departmentCode === '971' || departmentCode === '972' || departmentCode === '973') return PHASE1_CENTS.PUBLIC_ANTILLES_GUYANE;
    return PHASE1_CENTS.PUBLIC_METROPOLE;
  }
  if (legalStatus === 'PRIVATE') return PHASE2_CENTS.PRIVATE;
  return qpv || zrr ? PHASE2_CENTS.PUBLIC_QPV_ZRR : PHASE2_CENTS.PUBLIC;
}

/** The simulated timeline: the AMI of November 2020 to the end of 2024. */
export const TIMELINE = { from: '2020-11', to: '2024-12' } as const;
/** "appel à manifestation d'intérêt … lancé à l'automne 2020" — the press release of 17 November 2020. */
export const AMI_OPENS = '2020-11-17';
/** Selection committees "par vagues successives, de décembre 2020 à septembre 2022". */
export const COSELEC_FIRST_MONTH = '2020-12';
export const COSELEC_LAST_MONTH = '2022-09';
/** Renewal ("reconventionnement") from December 2022: the phase-2 rules and envelope open on 2022-12-01. */
export const RENEWAL_OPENS = '2022-12-01';

/**
 * Share of the posts whose first contract had started by the end of each month (linear in between).
 * Shaped so that: ~62 on the ground in August 2021 and >2,000 recruited by the end of 2021 (press kit,
 * seed 000), 3,956 by 1 December 2022 (CSNP), and the expiries of 18-month contracts reach ~200 in
 * December 2022 and ~400 by March 2023 (DESIGN.md).
 */
export const CONTRACT_START_CDF: ReadonlyArray<readonly [string, number]> = [
  ['2021-01', 0],
  ['2021-02', 0.005],
  ['2021-04', 0.03],
  ['2021-06', 0.075],
  ['2021-08', 0.13],
  ['2021-09', 0.17],
  ['2021-10', 0.27],
  ['2021-12', 0.5],
  ['2022-03', 0.65],
  ['2022-06', 0.78],
  ['2022-09', 0.9],
  ['2022-11', 0.99],
  ['2023-02', 1],
];

/** The French SMIC, gross monthly for 35 h (the conventions service's default schedule), in cents. */
export const SMIC_MONTHLY_CENTS: ReadonlyArray<readonly [string, number]> = [
  ['2020-01-01', 153_942],
  ['2021-01-01', 155_458],
  ['2021-10-01', 158_947],
  ['2022-01-01', 160_312],
  ['2022-05-01', 164_558],
  ['2022-08-01', 167_895],
  ['2023-01-01', 170_928],
  ['2023-05-01', 174_720],
  ['2024-01-01', 176_692],
  ['2024-11-01', 180_180],
];

export function smicOn(date: string): number {
  let found = SMIC_MONTHLY_CENTS[0][1];
  for (const [from, cents] of SMIC_MONTHLY_CENTS) if (from <= date) found = cents;
  return found;
}
