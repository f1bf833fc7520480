import { CertificationKind, ContractView, Enrolment, EnrolmentStatus, HeldCertification, TraineeStatus } from '@cnfs/training-domain';

/** Rows as PostgreSQL returns them (dates as 'YYYY-MM-DD' strings, numeric as strings), mapped explicitly. */

export interface ContractRow {
  contract_id: string;
  conseiller_id: string;
  structure_id: string;
  convention_id: string;
  post_id: string;
  department_code: string;
  region_code: string | null;
  legal_status: string;
  contract_type: string;
  start_date: string;
  end_date: string | null;
  renews_contract_id: string | null;
  status: 'ACTIVE' | 'RUPTURED';
  rupture_reason: string | null;
  rupture_date: string | null;
}

export const contractOf = (row: ContractRow): ContractView => ({
  contractId: row.contract_id,
  conseillerId: row.conseiller_id,
  structureId: row.structure_id,
  departmentCode: row.department_code,
  startDate: row.start_date,
  endDate: row.end_date,
  status: row.status,
  ruptureDate: row.rupture_date,
});

export interface TraineeRow {
  conseiller_id: string;
  first_name: string;
  last_name: string;
  email: string;
  current_contract_id: string;
  status: TraineeStatus;
  created_at: Date;
  updated_at: Date;
}

export interface EnrolmentRow {
  enrolment_id: string;
  conseiller_id: string;
  contract_id: string;
  structure_id: string;
  department_code: string;
  region_code: string | null;
  lot: number;
  reference_version: string;
  pathway_hours: number | null;
  waiver: boolean;
  positioning_date: string;
  positioning_result: string;
  derogation_certification_id: string | null;
  derogation_mediation_experience: string | null;
  derogation_justification: string | null;
  start_date: string;
  status: EnrolmentStatus;
  hours_attended: number;
  end_date: string | null;
  end_reason: string | null;
  withdrawn_by_rupture: boolean;
  created_by: string;
  created_at: Date;
  closed_by: string | null;
  closed_at: Date | null;
  updated_at: Date;
}

export const enrolmentOf = (row: EnrolmentRow): Enrolment => ({
  enrolmentId: row.enrolment_id,
  conseillerId: row.conseiller_id,
  contractId: row.contract_id,
  structureId: row.structure_id,
  departmentCode: row.department_code,
  lot: row.lot,
  referenceVersion: row.reference_version,
  pathwayHours: row.pathway_hours,
  waiver: row.waiver,
  positioning: { date: row.positioning_date, result: row.positioning_result },
  derogation:
    row.derogation_certification_id === null
      ? null
      : {
          certificationId: row.derogation_certification_id,
          mediationExperience: row.derogation_mediation_experience ?? '',
          justification: row.derogation_justification ?? '',
        },
  startDate: row.start_date,
  status: row.status,
  hoursAttended: row.hours_attended,
  endDate: row.end_date,
  endReason: row.end_reason,
  withdrawnByRupture: row.withdrawn_by_rupture,
});

/** The API's view of an enrolment: the domain record plus who recorded it and when. */
export function enrolmentView(row: EnrolmentRow) {
  return {
    ...enrolmentOf(row),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    closedBy: row.closed_by,
    closedAt: row.closed_at ? row.closed_at.toISOString() : null,
    updatedAt: row.updated_at.toISOString(),
  };
}

export interface CertificationRow {
  certification_id: string;
  conseiller_id: string;
  contract_id: string | null;
  structure_id: string | null;
  department_code: string | null;
  enrolment_id: string | null;
  lot: number | null;
  reference_version: string;
  kind: CertificationKind;
  ccp_blocks: string[];
  pix_score_percent: string | null;
  threshold_percent: string | null;
  below_threshold: boolean;
  obtained_at: string;
  certifier: string;
  recorded_by: string;
  recorded_at: Date;
}

const decimal = (value: string | null): number | null => (value === null ? null : Number(value));

export const heldOf = (row: CertificationRow): HeldCertification => ({
  certificationId: row.certification_id,
  kind: row.kind,
  ccpBlocks: row.ccp_blocks,
  obtainedAt: row.obtained_at,
});

export function certificationView(row: CertificationRow) {
  return {
    certificationId: row.certification_id,
    conseillerId: row.conseiller_id,
    contractId: row.contract_id,
    structureId: row.structure_id,
    departmentCode: row.department_code,
    enrolmentId: row.enrolment_id,
    lot: row.lot,
    referenceVersion: row.reference_version,
    kind: row.kind,
    ccpBlocks: row.ccp_blocks,
    pixScorePercent: decimal(row.pix_score_percent),
    thresholdPercent: decimal(row.threshold_percent),
    belowThreshold: row.below_threshold,
    obtainedAt: row.obtained_at,
    certifier: row.certifier,
    recordedBy: row.recorded_by,
    recordedAt: row.recorded_at.toISOString(),
  };
}
