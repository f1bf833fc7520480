import { Cents, centsTransformer } from '@cnfs/money';
import type {
  AmendmentStatus,
  AmendmentType,
  ContractStatus,
  ContractType,
  ConventionStatus,
  LegalStatus,
  PostStatus,
  RuptureReason,
} from '@cnfs/conventions-domain';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/*
 * The conventions schema. Tables are created by migrations only (see ./migrations.ts); these entities map
 * rows to objects. Calendar dates are `date` columns read back as 'YYYY-MM-DD' strings; money is bigint cents.
 */

/** This service's own read model of a structure, fed by the structures service's events. */
@Entity('structures')
export class StructureRow {
  @PrimaryColumn('text', { name: 'structure_id' }) structureId: string;
  @Column('text', { nullable: true }) name: string | null;
  @Column('text', { nullable: true }) siret: string | null;
  @Column('text', { name: 'legal_status', nullable: true }) legalStatus: LegalStatus | null;
  @Column('text', { name: 'structure_type', nullable: true }) structureType: string | null;
  @Column('text', { name: 'department_code' }) departmentCode: string;
  @Column('boolean', { nullable: true }) qpv: boolean | null;
  @Column('boolean', { nullable: true }) zrr: boolean | null;
  @Column('text') status: string;
  @Column('int', { name: 'phase1_quota', nullable: true }) phase1Quota: number | null;
  @Column('int', { name: 'phase2_quota', nullable: true }) phase2Quota: number | null;
  @Column('int', { name: 'effective_quota_posts', nullable: true }) effectiveQuotaPosts: number | null;
  @Column('smallint', { name: 'effective_quota_phase', nullable: true }) effectiveQuotaPhase: number | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}

@Entity('coselec_decisions')
export class CoselecDecisionRow {
  @PrimaryColumn('text', { name: 'decision_id' }) decisionId: string;
  @Column('text', { name: 'structure_id' }) structureId: string;
  @Column('text') opinion: string;
  @Column('int', { name: 'granted_posts' }) grantedPosts: number;
  @Column('smallint') phase: number;
  @Column('text', { name: 'committee_number' }) committeeNumber: string;
  @Column('date', { name: 'decided_at' }) decidedAt: string;
  @Column('uuid', { name: 'message_id' }) messageId: string;
  @Column('timestamptz', { name: 'recorded_at' }) recordedAt: Date;
}

@Entity('conventions')
export class ConventionRow {
  @PrimaryColumn('uuid') id: string;
  /** Recording order (identity column, never written). */
  @Column({ type: 'bigint', insert: false, update: false, select: false }) seq: string;
  @Column('text', { name: 'structure_id' }) structureId: string;
  @Column('smallint') phase: 1 | 2;
  @Column('text') status: ConventionStatus;
  /** Posts conventioned at signature (amendments add or return posts afterwards: see the posts table). */
  @Column('int') posts: number;
  @Column('date', { name: 'start_date' }) startDate: string;
  @Column('date', { name: 'financed_until' }) financedUntil: string;
  @Column('date', { name: 'end_date' }) endDate: string;
  @Column('uuid', { name: 'renews_convention_id', nullable: true }) renewsConventionId: string | null;
  @Column('date', { name: 'signed_at', nullable: true }) signedAt: string | null;
  @Column('text', { name: 'non_interest_reason', nullable: true }) nonInterestReason: string | null;
  @Column('text', { name: 'department_code' }) departmentCode: string;
  /** The structure as known at signature (set on validation). */
  @Column('text', { name: 'legal_status', nullable: true }) legalStatus: LegalStatus | null;
  @Column('text', { name: 'structure_type', nullable: true }) structureType: string | null;
  @Column('boolean', { nullable: true }) qpv: boolean | null;
  @Column('boolean', { nullable: true }) zrr: boolean | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('text', { name: 'created_by' }) createdBy: string;
  @Column('timestamptz', { name: 'decided_at', nullable: true }) decidedAt: Date | null;
  @Column('text', { name: 'decided_by', nullable: true }) decidedBy: string | null;
}

@Entity('amendments')
export class AmendmentRow {
  @PrimaryColumn('uuid') id: string;
  /** Recording order (identity column, never written). */
  @Column({ type: 'bigint', insert: false, update: false, select: false }) seq: string;
  @Column('uuid', { name: 'convention_id' }) conventionId: string;
  @Column('text', { name: 'structure_id' }) structureId: string;
  @Column('text', { name: 'department_code' }) departmentCode: string;
  @Column('text') type: AmendmentType;
  @Column('int') posts: number;
  @Column('uuid', { name: 'post_ids', array: true, nullable: true }) postIds: string[] | null;
  @Column('text') reason: string;
  @Column('text') status: AmendmentStatus;
  @Column('text', { name: 'decision_reason', nullable: true }) decisionReason: string | null;
  @Column('date', { name: 'effective_date', nullable: true }) effectiveDate: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('text', { name: 'created_by' }) createdBy: string;
  @Column('timestamptz', { name: 'decided_at', nullable: true }) decidedAt: Date | null;
  @Column('text', { name: 'decided_by', nullable: true }) decidedBy: string | null;
}

@Entity('posts')
export class PostRow {
  @PrimaryColumn('uuid') id: string;
  /** Recording order (identity column, never written). */
  @Column({ type: 'bigint', insert: false, update: false, select: false }) seq: string;
  @Column('uuid', { name: 'convention_id' }) conventionId: string;
  @Column('text', { name: 'structure_id' }) structureId: string;
  @Column('text', { name: 'department_code' }) departmentCode: string;
  @Column('text') status: PostStatus;
  @Column('uuid', { name: 'created_by_amendment_id', nullable: true }) createdByAmendmentId: string | null;
  @Column('uuid', { name: 'returned_by_amendment_id', nullable: true }) returnedByAmendmentId: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}

@Entity('conseillers')
export class ConseillerRow {
  @PrimaryColumn('uuid') id: string;
  @Column('text') email: string;
  @Column('text', { name: 'first_name' }) firstName: string;
  @Column('text', { name: 'last_name' }) lastName: string;
  @Column('date', { name: 'birth_date' }) birthDate: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}

@Entity('contracts')
export class ContractRow {
  @PrimaryColumn('uuid') id: string;
  /** Recording order (identity column, never written). */
  @Column({ type: 'bigint', insert: false, update: false, select: false }) seq: string;
  @Column('text', { name: 'structure_id' }) structureId: string;
  @Column('uuid', { name: 'convention_id' }) conventionId: string;
  @Column('uuid', { name: 'post_id' }) postId: string;
  @Column('uuid', { name: 'conseiller_id' }) conseillerId: string;
  @Column('text', { name: 'department_code' }) departmentCode: string;
  @Column('text', { name: 'legal_status' }) legalStatus: LegalStatus;
  @Column('text') type: ContractType;
  @Column('date', { name: 'start_date' }) startDate: string;
  @Column('date', { name: 'end_date', nullable: true }) endDate: string | null;
  @Column('bigint', { name: 'gross_monthly_salary_cents', transformer: centsTransformer }) grossMonthlySalary: Cents;
  @Column('text') status: ContractStatus;
  @Column('text', { name: 'rupture_reason', nullable: true }) ruptureReason: RuptureReason | null;
  @Column('date', { name: 'rupture_date', nullable: true }) ruptureDate: string | null;
  /** The contract's last day once it no longer holds its post (rupture date, end date). */
  @Column('date', { name: 'ended_on', nullable: true }) endedOn: string | null;
  @Column('uuid', { name: 'renews_contract_id', nullable: true }) renewsContractId: string | null;
  /** Start of the first CDD of a chain of renewed CDDs (the 18-month limit of private-law CDDs counts from it). */
  @Column('date', { name: 'cdd_chain_start' }) cddChainStart: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('text', { name: 'created_by' }) createdBy: string;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt: Date | null;
  @Column('text', { name: 'closed_by', nullable: true }) closedBy: string | null;
}

export const ENTITIES = [StructureRow, CoselecDecisionRow, ConventionRow, AmendmentRow, PostRow, ConseillerRow, ContractRow];
