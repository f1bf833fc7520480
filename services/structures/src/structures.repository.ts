import { EntityManager } from 'typeorm';
import type {
  CoselecDecisionRecord,
  CoselecOpinion,
  CoselecPhase,
  EffectiveQuota,
  LegalStatus,
  PrefectOpinion,
  StructureStatus,
  StructureType,
} from '@cnfs/structures-domain';

/** A structure as stored, mapped explicitly from its row. */
export interface StructureRecord {
  id: string;
  siret: string;
  siren: string;
  name: string;
  legalStatus: LegalStatus;
  type: StructureType;
  departmentCode: string;
  address: { line1: string; line2: string | null; postalCode: string; city: string };
  qpv: boolean;
  zrr: boolean;
  requestedPosts: number;
  contact: { name: string; email: string; phone: string | null; jobTitle: string | null };
  status: StructureStatus;
  effectiveQuota: EffectiveQuota | null;
  duplicateOfId: string | null;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  version: number;
}

export interface StoredDecision extends CoselecDecisionRecord {
  structureId: string;
  recordedAt: Date;
  recordedBy: string;
}

export interface StoredOpinion {
  id: string;
  structureId: string;
  departmentCode: string;
  opinion: PrefectOpinion;
  comment: string;
  givenAt: Date;
  givenBy: string;
}

export interface StoredStatusChange {
  id: string;
  structureId: string;
  from: StructureStatus | null;
  to: StructureStatus;
  reason: string | null;
  decisionId: string | null;
  changedAt: Date;
  changedBy: string;
}

/** Which structures a caller may see: all, those of some départements, or one. */
export type Scope = { kind: 'all' } | { kind: 'departments'; codes: readonly string[] } | { kind: 'structure'; id: string };

export interface StructureFilters {
  departmentCode?: string;
  status?: StructureStatus;
  type?: StructureType;
  legalStatus?: LegalStatus;
  siret?: string;
  qpv?: boolean;
  zrr?: boolean;
}

type Row = Record<string, any>;

function toStructure(row: Row): StructureRecord {
  return {
    id: row.id,
    siret: row.siret,
    siren: row.siren,
    name: row.name,
    legalStatus: row.legal_status,
    type: row.type,
    departmentCode: row.department_code,
    address: { line1: row.address_line1, line2: row.address_line2, postalCode: row.postal_code, city: row.city },
    qpv: row.qpv,
    zrr: row.zrr,
    requestedPosts: row.requested_posts,
    contact: { name: row.contact_name, email: row.contact_email, phone: row.contact_phone, jobTitle: row.contact_job_title },
    status: row.status,
    effectiveQuota:
      row.effective_decision_id === null
        ? null
        : { posts: row.effective_posts, phase: row.effective_phase as CoselecPhase, decisionId: row.effective_decision_id },
    duplicateOfId: row.duplicate_of_id,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

function toDecision(row: Row): StoredDecision {
  return {
    id: row.id,
    structureId: row.structure_id,
    sequence: row.sequence,
    opinion: row.opinion as CoselecOpinion,
    grantedPosts: row.granted_posts,
    committeeNumber: row.committee_number,
    decidedAt: row.decided_at,
    phase: row.phase as CoselecPhase,
    recordedAt: row.recorded_at,
    recordedBy: row.recorded_by,
  };
}

/** WHERE clause of a list: the caller's scope first, then the filters; parameters numbered from 1. */
function whereOf(scope: Scope, filters: StructureFilters): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(clause(`$${params.length}`));
  };
  if (scope.kind === 'departments') add((n) => `department_code = ANY(${n}::text[])`, [...scope.codes]);
  if (scope.kind === 'structure') add((n) => `id = ${n}::uuid`, scope.id);
  if (filters.departmentCode !== undefined) add((n) => `department_code = ${n}`, filters.departmentCode);
  if (filters.status !== undefined) add((n) => `status = ${n}`, filters.status);
  if (filters.type !== undefined) add((n) => `type = ${n}`, filters.type);
  if (filters.legalStatus !== undefined) add((n) => `legal_status = ${n}`, filters.legalStatus);
  if (filters.siret !== undefined) add((n) => `siret = ${n}`, filters.siret);
  if (filters.qpv !== undefined) add((n) => `qpv = ${n}`, filters.qpv);
  if (filters.zrr !== undefined) add((n) => `zrr = ${n}`, filters.zrr);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** SQL of the structures context. Every write takes the caller's transaction manager. */
export class StructuresRepository {
  async findById(manager: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<StructureRecord | null> {
    const rows: Row[] = await manager.query(`SELECT * FROM structures WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows.length ? toStructure(rows[0]) : null;
  }

  /** Locks several structures in id order (no deadlock between two commands naming the same pair). */
  async lockAll(manager: EntityManager, ids: string[]): Promise<Map<string, StructureRecord>> {
    const rows: Row[] = await manager.query(`SELECT * FROM structures WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
    return new Map(rows.map((r) => [r.id as string, toStructure(r)]));
  }

  async findBySiret(manager: EntityManager, siret: string): Promise<StructureRecord | null> {
    const rows: Row[] = await manager.query(`SELECT * FROM structures WHERE siret = $1`, [siret]);
    return rows.length ? toStructure(rows[0]) : null;
  }

  async insert(manager: EntityManager, s: StructureRecord): Promise<void> {
    await manager.query(
      `INSERT INTO structures (id, siret, siren, name, legal_status, type, department_code, address_line1, address_line2, postal_code,
         city, qpv, zrr, requested_posts, contact_name, contact_email, contact_phone, contact_job_title, status, created_at, created_by,
         updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $20, 1)`,
      [
        s.id, s.siret, s.siren, s.name, s.legalStatus, s.type, s.departmentCode, s.address.line1, s.address.line2, s.address.postalCode,
        s.address.city, s.qpv, s.zrr, s.requestedPosts, s.contact.name, s.contact.email, s.contact.phone, s.contact.jobTitle, s.status,
        s.createdAt, s.createdBy,
      ],
    );
  }

  /** Status, effective quota and duplicate link after a command; bumps the version. */
  async update(
    manager: EntityManager,
    id: string,
    change: { status: StructureStatus; effectiveQuota: EffectiveQuota | null; duplicateOfId: string | null; at: Date },
  ): Promise<{ version: number; updatedAt: Date }> {
    const rows: Row[] = await manager.query(
      `UPDATE structures SET status = $2, effective_posts = $3, effective_phase = $4, effective_decision_id = $5, duplicate_of_id = $6,
         updated_at = $7, version = version + 1
       WHERE id = $1 RETURNING version, updated_at`,
      [
        id, change.status, change.effectiveQuota?.posts ?? null, change.effectiveQuota?.phase ?? null, change.effectiveQuota?.decisionId ?? null,
        change.duplicateOfId, change.at,
      ],
    );
    // UPDATE ... RETURNING answers [rows, count] through TypeORM's postgres driver.
    const returned = Array.isArray(rows[0]) ? (rows[0] as Row[])[0] : rows[0];
    return { version: returned.version, updatedAt: returned.updated_at };
  }

  async decisionsOf(manager: EntityManager, structureId: string): Promise<StoredDecision[]> {
    const rows: Row[] = await manager.query(`SELECT * FROM coselec_decisions WHERE structure_id = $1 ORDER BY sequence`, [structureId]);
    return rows.map(toDecision);
  }

  async insertDecision(manager: EntityManager, d: StoredDecision): Promise<void> {
    await manager.query(
      `INSERT INTO coselec_decisions (id, structure_id, sequence, opinion, granted_posts, committee_number, decided_at, phase, recorded_at, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [d.id, d.structureId, d.sequence, d.opinion, d.grantedPosts, d.committeeNumber, d.decidedAt, d.phase, d.recordedAt, d.recordedBy],
    );
  }

  async insertStatusChange(manager: EntityManager, c: Omit<StoredStatusChange, 'id'>): Promise<StoredStatusChange> {
    const rows: Row[] = await manager.query(
      `INSERT INTO structure_status_changes (structure_id, from_status, to_status, reason, decision_id, changed_at, changed_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [c.structureId, c.from, c.to, c.reason, c.decisionId, c.changedAt, c.changedBy],
    );
    return { ...c, id: String(rows[0].id) };
  }

  async statusChangesOf(manager: EntityManager, structureId: string): Promise<StoredStatusChange[]> {
    const rows: Row[] = await manager.query(`SELECT * FROM structure_status_changes WHERE structure_id = $1 ORDER BY id`, [structureId]);
    return rows.map((r) => ({
      id: String(r.id), structureId: r.structure_id, from: r.from_status, to: r.to_status, reason: r.reason, decisionId: r.decision_id,
      changedAt: r.changed_at, changedBy: r.changed_by,
    }));
  }

  async insertOpinion(manager: EntityManager, o: StoredOpinion): Promise<void> {
    await manager.query(
      `INSERT INTO prefect_opinions (id, structure_id, department_code, opinion, comment, given_at, given_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [o.id, o.structureId, o.departmentCode, o.opinion, o.comment, o.givenAt, o.givenBy],
    );
  }

  async opinionsOf(manager: EntityManager, structureId: string): Promise<StoredOpinion[]> {
    const rows: Row[] = await manager.query(`SELECT * FROM prefect_opinions WHERE structure_id = $1 ORDER BY seq`, [structureId]);
    return rows.map((r) => ({
      id: r.id, structureId: r.structure_id, departmentCode: r.department_code, opinion: r.opinion, comment: r.comment, givenAt: r.given_at, givenBy: r.given_by,
    }));
  }

  async list(manager: EntityManager, scope: Scope, filters: StructureFilters, window: { limit: number; offset: number }): Promise<{ items: StructureRecord[]; total: number }> {
    const { sql, params } = whereOf(scope, filters);
    const [{ total }] = await manager.query(`SELECT count(*)::int AS total FROM structures ${sql}`, params);
    const rows: Row[] = await manager.query(
      `SELECT * FROM structures ${sql} ORDER BY created_at, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, window.limit, window.offset],
    );
    return { items: rows.map(toStructure), total };
  }

  /** Keyset pages for exports: rows after (createdAt, id), so a long export neither skips nor repeats rows. */
  async *stream(manager: EntityManager, scope: Scope, filters: StructureFilters, pageSize = 500): AsyncIterable<StructureRecord> {
    const { sql, params } = whereOf(scope, filters);
    let after: { createdAt: Date; id: string } | null = null;
    for (;;) {
      const keyset: string = after ? `${sql ? `${sql} AND` : 'WHERE'} (created_at, id) > ($${params.length + 1}, $${params.length + 2}::uuid)` : sql;
      const keysetParams: unknown[] = after ? [...params, after.createdAt, after.id] : params;
      const rows: Row[] = await manager.query(
        `SELECT * FROM structures ${keyset} ORDER BY created_at, id LIMIT $${keysetParams.length + 1}`,
        [...keysetParams, pageSize],
      );
      const records = rows.map(toStructure);
      yield* records;
      if (records.length < pageSize) return;
      const last = records[records.length - 1];
      after = { createdAt: last.createdAt, id: last.id };
    }
  }
}
