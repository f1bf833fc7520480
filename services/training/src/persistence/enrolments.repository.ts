import { EntityManager } from 'typeorm';
import { TrainingAbandonedV1, TrainingCompletedV1, TrainingEnrolledV1 } from '@cnfs/contracts';
import { Enrolment } from '@cnfs/training-domain';
import { EnrolmentRow } from './rows';

type PathwayHours = 105 | 280 | 350 | 420;
/** The event schema knows the published pathways; a pathway of a later reference version needs a new event version. */
function publishedPathway(hours: number | null): PathwayHours | null {
  if (hours === null) return null;
  if (hours === 105 || hours === 280 || hours === 350 || hours === 420) return hours;
  throw new Error(`pathway ${hours} h is not in TrainingEnrolled v1: publish a new event version before using it`);
}

export async function findEnrolment(manager: EntityManager, enrolmentId: string, lock = false): Promise<EnrolmentRow | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(enrolmentId)) return undefined;
  const [row] = await manager.query(`SELECT * FROM enrolments WHERE enrolment_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [enrolmentId]);
  return row;
}

export async function insertEnrolment(manager: EntityManager, e: Enrolment, regionCode: string | null, by: string, now: Date): Promise<void> {
  await manager.query(
    `INSERT INTO enrolments (enrolment_id, conseiller_id, contract_id, structure_id, department_code, region_code, lot, reference_version, pathway_hours, waiver,
       positioning_date, positioning_result, derogation_certification_id, derogation_mediation_experience, derogation_justification, start_date, status,
       hours_attended, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)`,
    [
      e.enrolmentId, e.conseillerId, e.contractId, e.structureId, e.departmentCode, regionCode, e.lot, e.referenceVersion, e.pathwayHours, e.waiver,
      e.positioning.date, e.positioning.result, e.derogation?.certificationId ?? null, e.derogation?.mediationExperience ?? null,
      e.derogation?.justification ?? null, e.startDate, e.status, e.hoursAttended, by, now,
    ],
  );
}

export async function updateProgress(manager: EntityManager, e: Enrolment, asOf: string, by: string, now: Date): Promise<void> {
  await manager.query(`UPDATE enrolments SET hours_attended = $2, updated_at = $3 WHERE enrolment_id = $1`, [e.enrolmentId, e.hoursAttended, now]);
  await manager.query(`INSERT INTO enrolment_progress (enrolment_id, hours_attended, as_of, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)`, [
    e.enrolmentId, e.hoursAttended, asOf, by, now,
  ]);
}

/** Stores a completion, an abandon or a withdrawal (the enrolment is closed for good). */
export async function updateClosedEnrolment(manager: EntityManager, e: Enrolment, by: string, now: Date): Promise<void> {
  await manager.query(
    `UPDATE enrolments SET status = $2, hours_attended = $3, end_date = $4, end_reason = $5, withdrawn_by_rupture = $6, closed_by = $7, closed_at = $8, updated_at = $8
      WHERE enrolment_id = $1 AND status = 'ONGOING'`,
    [e.enrolmentId, e.status, e.hoursAttended, e.endDate, e.endReason, e.withdrawnByRupture, by, now],
  );
}

const who = (e: Enrolment) => ({
  enrolmentId: e.enrolmentId,
  contractId: e.contractId,
  conseillerId: e.conseillerId,
  structureId: e.structureId,
  departmentCode: e.departmentCode,
  lot: e.lot,
});

export function enrolledPayload(e: Enrolment): Parameters<typeof TrainingEnrolledV1.create>[1] {
  return { ...who(e), pathwayHours: publishedPathway(e.pathwayHours), waiver: e.waiver, startDate: e.startDate, referenceVersion: e.referenceVersion };
}

export function completedPayload(e: Enrolment): Parameters<typeof TrainingCompletedV1.create>[1] {
  return { ...who(e), hoursAttended: e.hoursAttended, endDate: e.endDate!, pathwayHours: publishedPathway(e.pathwayHours)! };
}

export function abandonedPayload(e: Enrolment): Parameters<typeof TrainingAbandonedV1.create>[1] {
  return {
    ...who(e),
    reason: e.endReason!,
    withdrawnByRupture: e.withdrawnByRupture,
    endDate: e.endDate!,
    pathwayHours: publishedPathway(e.pathwayHours)!,
    hoursAttended: e.hoursAttended,
  };
}
