import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reference version `cnfs-2021`: the initial training as the programme published it (shared/seeds).
 * Frozen data: a later change of pathways, lots or certifications is a new version in a new migration,
 * never an edit of this one (enrolments and certifications name the version they were checked against).
 *
 * Sources:
 * - pathways and waiver: press kit "Conseillers numériques France Services" (2021), « 4 parcours de formation … de 105h,
 *   280h, 350h ou 420h en fonction des compétences techniques et pédagogiques constatées chez le Conseiller numérique
 *   à son recrutement. Une dérogation est possible si le Conseiller dispose déjà de la certification visée par la
 *   formation et a déjà exercé des missions d'accompagnement numérique. »;
 * - lots and consortia: same press kit, « 6 consortiums … Lot 1 (Distance) | WebForce 3 / L'Académie des héro.ïne.s du
 *   numérique; Lot 2 | PôleS; Lot 3 | Les Assembleurs, AFPA, SIMPLON; Lots 4, 5, 6 | AFPA SIMPLON UNPIMMS »; the
 *   régions of lots 2–6 are not given in the documents (a map): they are recorded separately (lot_region_assignments);
 * - certifications: CSNP opinion 2022-08 (14 Dec. 2022): RNCP 34137 "TP Conseiller(ère) médiateur(trice) en numérique"
 *   replaced by "Responsable d'espace de médiation numérique"; PIX tests at recruitment and the PIX certification
 *   financed by the State (326.60 € per conseiller);
 * - CCP blocks of the title: arrêté du 8 février 2019 relatif au titre professionnel de responsable d'espace de
 *   médiation numérique (JORF 15 Feb. 2019), outside the seeds; the training led to the first block (CCP1).
 */
const VERSION = 'cnfs-2021';
const PRESS_KIT = 'Dossier de presse Conseillers numériques France Services (2021)';
const CSNP = 'Avis CSNP n° 2022-08 du 14 décembre 2022';
const ARRETE_2019 = 'Arrêté du 8 février 2019 relatif au titre professionnel de responsable d’espace de médiation numérique (JORF 15/02/2019)';

const PATHWAY_DESCRIPTION = 'Parcours choisi selon les compétences techniques et pédagogiques constatées chez le conseiller numérique à son recrutement';

const LOTS: { lot: number; modality: 'DISTANCE' | 'REGIONAL'; consortium: string[] }[] = [
  { lot: 1, modality: 'DISTANCE', consortium: ['WebForce 3', 'L’Académie des héro.ïne.s du numérique'] },
  { lot: 2, modality: 'REGIONAL', consortium: ['PôleS'] },
  { lot: 3, modality: 'REGIONAL', consortium: ['Les Assembleurs', 'AFPA', 'SIMPLON'] },
  { lot: 4, modality: 'REGIONAL', consortium: ['AFPA', 'SIMPLON', 'UNPIMMS'] },
  { lot: 5, modality: 'REGIONAL', consortium: ['AFPA', 'SIMPLON', 'UNPIMMS'] },
  { lot: 6, modality: 'REGIONAL', consortium: ['AFPA', 'SIMPLON', 'UNPIMMS'] },
];

const CERTIFICATION_TYPES: {
  code: string; kind: 'PIX' | 'CCP' | 'RNCP'; title: string; parent: string | null; block: number | null; waiverTarget: boolean; replaces: string | null; source: string;
}[] = [
  { code: 'REMN', kind: 'RNCP', title: 'Responsable d’espace de médiation numérique', parent: null, block: null, waiverTarget: true,
    replaces: 'RNCP 34137 — TP Conseiller(ère) médiateur(trice) en numérique', source: CSNP },
  { code: 'CCP1', kind: 'CCP', title: 'Accompagner différents publics vers l’autonomie dans les usages des technologies, services et médias numériques',
    parent: 'REMN', block: 1, waiverTarget: true, replaces: null, source: ARRETE_2019 },
  { code: 'CCP2', kind: 'CCP', title: 'Contribuer au développement d’un espace de médiation numérique et de ses projets',
    parent: 'REMN', block: 2, waiverTarget: false, replaces: null, source: ARRETE_2019 },
  { code: 'CCP3', kind: 'CCP', title: 'Contribuer à la gestion d’un espace de médiation numérique et animer ses projets collaboratifs',
    parent: 'REMN', block: 3, waiverTarget: false, replaces: null, source: ARRETE_2019 },
  { code: 'PIX', kind: 'PIX', title: 'Certification PIX (compétences numériques), score en pourcentage', parent: null, block: null, waiverTarget: false,
    replaces: null, source: CSNP },
];

export class TrainingReferenceCnfs20211764100000001 implements MigrationInterface {
  name = 'TrainingReferenceCnfs20211764100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO reference_versions (version, effective_from, source, notes) VALUES ($1, $2, $3, $4)`, [
      VERSION, '2020-11-17', `${PRESS_KIT}; ${CSNP}`,
      'Formation initiale des conseillers numériques France Services (France Relance), telle que publiée par le programme.',
    ]);
    for (const hours of [105, 280, 350, 420]) {
      await q.query(`INSERT INTO reference_pathways (version, hours, label, description, source) VALUES ($1, $2, $3, $4, $5)`, [
        VERSION, hours, `Parcours ${hours} h`, PATHWAY_DESCRIPTION, PRESS_KIT,
      ]);
    }
    for (const lot of LOTS) {
      await q.query(`INSERT INTO reference_lots (version, lot, modality, consortium, source) VALUES ($1, $2, $3, $4, $5)`, [
        VERSION, lot.lot, lot.modality, lot.consortium, PRESS_KIT,
      ]);
    }
    for (const c of CERTIFICATION_TYPES) {
      await q.query(
        `INSERT INTO reference_certification_types (version, code, kind, title, parent_code, block_number, waiver_target, replaces, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [VERSION, c.code, c.kind, c.title, c.parent, c.block, c.waiverTarget, c.replaces, c.source],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM reference_certification_types WHERE version = $1`, [VERSION]);
    await q.query(`DELETE FROM reference_lots WHERE version = $1`, [VERSION]);
    await q.query(`DELETE FROM reference_pathways WHERE version = $1`, [VERSION]);
    await q.query(`DELETE FROM reference_versions WHERE version = $1`, [VERSION]);
  }
}
