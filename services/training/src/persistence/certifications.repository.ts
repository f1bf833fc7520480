import { EntityManager } from 'typeorm';
import { CertificationRow } from './rows';

export async function certificationsOf(manager: EntityManager, conseillerId: string): Promise<CertificationRow[]> {
  return manager.query(`SELECT * FROM certifications WHERE conseiller_id = $1 ORDER BY obtained_at, recorded_at`, [conseillerId]);
}

export async function findCertification(manager: EntityManager, certificationId: string): Promise<CertificationRow | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(certificationId)) return undefined;
  const [row] = await manager.query(`SELECT * FROM certifications WHERE certification_id = $1`, [certificationId]);
  return row;
}

export async function insertCertification(manager: EntityManager, row: Omit<CertificationRow, 'pix_score_percent' | 'threshold_percent'> & { pix_score_percent: number | null; threshold_percent: number | null }): Promise<void> {
  await manager.query(
    `INSERT INTO certifications (certification_id, conseiller_id, contract_id, structure_id, department_code, enrolment_id, lot, reference_version, kind,
       ccp_blocks, pix_score_percent, threshold_percent, below_threshold, obtained_at, certifier, recorded_by, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
    [
      row.certification_id, row.conseiller_id, row.contract_id, row.structure_id, row.department_code, row.enrolment_id, row.lot, row.reference_version,
      row.kind, row.ccp_blocks, row.pix_score_percent, row.threshold_percent, row.below_threshold, row.obtained_at, row.certifier, row.recorded_by, row.recorded_at,
    ],
  );
  for (const block of row.ccp_blocks) {
    await manager.query(`INSERT INTO certification_blocks (conseiller_id, block_code, reference_version, certification_id) VALUES ($1, $2, $3, $4)`, [
      row.conseiller_id, block, row.reference_version, row.certification_id,
    ]);
  }
}
