import { EntityManager } from 'typeorm';
import { traineeStatus, TraineeStatus } from '@cnfs/training-domain';
import { ContractRow, contractOf, TraineeRow } from './rows';

const CONTRACT_COLUMNS = `contract_id, conseiller_id, structure_id, convention_id, post_id, department_code, region_code, legal_status, contract_type,
  start_date, end_date, renews_contract_id, status, rupture_reason, rupture_date`;

export async function findContract(manager: EntityManager, contractId: string, lock = false): Promise<ContractRow | undefined> {
  const [row] = await manager.query(`SELECT ${CONTRACT_COLUMNS} FROM contracts WHERE contract_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [contractId]);
  return row;
}

/** Locks the trainee row: every change to a conseiller's training goes through this lock first (then contract, then enrolment). */
export async function lockTrainee(manager: EntityManager, conseillerId: string): Promise<TraineeRow | undefined> {
  const [row] = await manager.query(`SELECT * FROM trainees WHERE conseiller_id = $1 FOR UPDATE`, [conseillerId]);
  return row;
}

export async function findTrainee(manager: EntityManager, conseillerId: string): Promise<TraineeRow | undefined> {
  const [row] = await manager.query(`SELECT * FROM trainees WHERE conseiller_id = $1`, [conseillerId]);
  return row;
}

/** Recomputes and stores the trainee's status from its current contract and its enrolments (the domain's rule). */
export async function refreshTraineeStatus(manager: EntityManager, conseillerId: string, now: Date): Promise<TraineeStatus> {
  const [trainee] = await manager.query(`SELECT current_contract_id FROM trainees WHERE conseiller_id = $1`, [conseillerId]);
  const contract = (await findContract(manager, trainee.current_contract_id))!;
  const enrolments: { status: string }[] = await manager.query(`SELECT status FROM enrolments WHERE conseiller_id = $1`, [conseillerId]);
  const status = traineeStatus(contractOf(contract), enrolments);
  await manager.query(`UPDATE trainees SET status = $2, updated_at = $3 WHERE conseiller_id = $1 AND status IS DISTINCT FROM $2`, [conseillerId, status, now]);
  return status;
}

export async function insertContract(manager: EntityManager, row: Omit<ContractRow, 'status' | 'rupture_reason' | 'rupture_date'> & { signed_message_id: string; recorded_at: Date }): Promise<boolean> {
  const inserted = await manager.query(
    `INSERT INTO contracts (contract_id, conseiller_id, structure_id, convention_id, post_id, department_code, region_code, legal_status, contract_type,
       start_date, end_date, renews_contract_id, status, signed_message_id, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'ACTIVE', $13, $14)
     ON CONFLICT (contract_id) DO NOTHING RETURNING contract_id`,
    [
      row.contract_id, row.conseiller_id, row.structure_id, row.convention_id, row.post_id, row.department_code, row.region_code, row.legal_status,
      row.contract_type, row.start_date, row.end_date, row.renews_contract_id, row.signed_message_id, row.recorded_at,
    ],
  );
  return inserted.length === 1;
}
