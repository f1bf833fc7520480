import { conventionedPosts, PostCounts } from '@cnfs/conventions-domain';
import { EntityManager } from 'typeorm';
import { AmendmentRow, ConseillerRow, ContractRow, ConventionRow, PostRow } from '../persistence/entities';

/** The JSON of the API: explicit mappings from rows, never the entities themselves. */

export interface ConventionView {
  id: string;
  structureId: string;
  departmentCode: string;
  phase: 1 | 2;
  status: string;
  /** Posts conventioned at signature. */
  posts: number;
  startDate: string;
  financedUntil: string;
  endDate: string;
  signedAt: string | null;
  renewsConventionId: string | null;
  nonInterestReason: string | null;
  structureAtSignature: { legalStatus: string; type: string; departmentCode: string; qpv: boolean; zrr: boolean } | null;
  /** Current posts by status (amendments included); conventioned = vacant + occupied. */
  postCounts: PostCounts & { conventioned: number };
  createdAt: string;
  decidedAt: string | null;
}

export function conventionView(row: ConventionRow, counts: PostCounts = { vacant: 0, occupied: 0, returned: 0 }): ConventionView {
  return {
    id: row.id,
    structureId: row.structureId,
    departmentCode: row.departmentCode,
    phase: Number(row.phase) as 1 | 2,
    status: row.status,
    posts: row.posts,
    startDate: row.startDate,
    financedUntil: row.financedUntil,
    endDate: row.endDate,
    signedAt: row.signedAt,
    renewsConventionId: row.renewsConventionId,
    nonInterestReason: row.nonInterestReason,
    structureAtSignature:
      row.legalStatus && row.structureType && row.qpv !== null && row.zrr !== null
        ? { legalStatus: row.legalStatus, type: row.structureType, departmentCode: row.departmentCode, qpv: row.qpv, zrr: row.zrr }
        : null,
    postCounts: { ...counts, conventioned: conventionedPosts(counts) },
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt ? row.decidedAt.toISOString() : null,
  };
}

/** Post counts by status of each convention. */
export async function postCountsOf(manager: EntityManager, conventionIds: string[]): Promise<Map<string, PostCounts>> {
  const counts = new Map<string, PostCounts>(conventionIds.map((id) => [id, { vacant: 0, occupied: 0, returned: 0 }]));
  if (conventionIds.length === 0) return counts;
  const rows: { convention_id: string; status: string; n: number }[] = await manager.query(
    `SELECT convention_id, status, count(*)::int AS n FROM posts WHERE convention_id = ANY($1::uuid[]) GROUP BY convention_id, status`,
    [conventionIds],
  );
  for (const row of rows) {
    const entry = counts.get(row.convention_id)!;
    if (row.status === 'VACANT') entry.vacant = row.n;
    else if (row.status === 'OCCUPE') entry.occupied = row.n;
    else entry.returned = row.n;
  }
  return counts;
}

export interface AmendmentView {
  id: string;
  conventionId: string;
  structureId: string;
  departmentCode: string;
  type: string;
  posts: number;
  postIds: string[] | null;
  reason: string;
  status: string;
  decisionReason: string | null;
  /** Posts created (AJOUT) or returned (RETRAIT) on validation. */
  affectedPostIds: string[];
  effectiveDate: string | null;
  createdAt: string;
  decidedAt: string | null;
}

export function amendmentView(row: AmendmentRow, affectedPostIds: string[] = []): AmendmentView {
  return {
    id: row.id,
    conventionId: row.conventionId,
    structureId: row.structureId,
    departmentCode: row.departmentCode,
    type: row.type,
    posts: row.posts,
    postIds: row.postIds,
    reason: row.reason,
    status: row.status,
    decisionReason: row.decisionReason,
    affectedPostIds,
    effectiveDate: row.effectiveDate,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt ? row.decidedAt.toISOString() : null,
  };
}

export interface PostView {
  id: string;
  conventionId: string;
  structureId: string;
  departmentCode: string;
  status: string;
  /** The active contract holding the post, if any. */
  contractId: string | null;
  createdByAmendmentId: string | null;
  returnedByAmendmentId: string | null;
  createdAt: string;
  updatedAt: string;
}

export function postView(row: PostRow, contractId: string | null): PostView {
  return {
    id: row.id,
    conventionId: row.conventionId,
    structureId: row.structureId,
    departmentCode: row.departmentCode,
    status: row.status,
    contractId,
    createdByAmendmentId: row.createdByAmendmentId,
    returnedByAmendmentId: row.returnedByAmendmentId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface ContractView {
  id: string;
  structureId: string;
  conventionId: string;
  postId: string;
  departmentCode: string;
  legalStatus: string;
  type: string;
  startDate: string;
  endDate: string | null;
  grossMonthlySalaryCents: number;
  status: string;
  conseiller: { id: string; firstName: string; lastName: string; email: string; birthDate: string };
  rupture: { reason: string; date: string } | null;
  endedOn: string | null;
  renewsContractId: string | null;
  createdAt: string;
  closedAt: string | null;
}

export function contractView(row: ContractRow, conseiller: ConseillerRow): ContractView {
  return {
    id: row.id,
    structureId: row.structureId,
    conventionId: row.conventionId,
    postId: row.postId,
    departmentCode: row.departmentCode,
    legalStatus: row.legalStatus,
    type: row.type,
    startDate: row.startDate,
    endDate: row.endDate,
    grossMonthlySalaryCents: row.grossMonthlySalary.toNumber(),
    status: row.status,
    conseiller: { id: conseiller.id, firstName: conseiller.firstName, lastName: conseiller.lastName, email: conseiller.email, birthDate: conseiller.birthDate },
    rupture: row.ruptureReason && row.ruptureDate ? { reason: row.ruptureReason, date: row.ruptureDate } : null,
    endedOn: row.endedOn,
    renewsContractId: row.renewsContractId,
    createdAt: row.createdAt.toISOString(),
    closedAt: row.closedAt ? row.closedAt.toISOString() : null,
  };
}
