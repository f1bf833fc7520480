import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@cnfs/auth';
import { Clock, CLOCK, DATA_SOURCE, notFound, Page, pageWindow } from '@cnfs/service-kit';
import { findDepartment } from '@cnfs/territory';
import { calendarDateAt, notEnrolledCutoff, ReferenceCatalog, TrainingOutcomeCounts, trainingRates } from '@cnfs/training-domain';
import { CertificationsQueryDto, EnrolmentsQueryDto, NotEnrolledQueryDto, TraineesQueryDto } from './dto';
import { findCertification } from './persistence/certifications.repository';
import { findEnrolment } from './persistence/enrolments.repository';
import { loadCatalog } from './persistence/reference.repository';
import { CertificationRow, certificationView, EnrolmentRow, enrolmentView } from './persistence/rows';
import { domain } from './problems';
import { canSeeEnrolment, enrolmentScope, traineeScope } from './scope';
import { Sql } from './sql';

interface TraineeListRow {
  conseiller_id: string;
  first_name: string;
  last_name: string;
  email: string;
  status: string;
  contract_id: string;
  structure_id: string;
  department_code: string;
  region_code: string | null;
  start_date: string;
  end_date: string | null;
  contract_status: string;
  rupture_date: string | null;
  rupture_reason: string | null;
}

export interface NotEnrolledRow {
  conseillerId: string;
  firstName: string;
  lastName: string;
  contractId: string;
  structureId: string;
  departmentCode: string;
  contractStartDate: string;
  contractEndDate: string | null;
  daysSinceStart: number;
  abandonedEnrolments: number;
}

export interface RateRow extends TrainingOutcomeCounts {
  key: string;
  label: string;
  completionRate: number | null;
  certificationRate: number | null;
  pixBelowThresholdRate: number | null;
}

const traineeView = (r: TraineeListRow) => ({
  conseillerId: r.conseiller_id,
  firstName: r.first_name,
  lastName: r.last_name,
  email: r.email,
  status: r.status,
  currentContract: {
    contractId: r.contract_id,
    structureId: r.structure_id,
    departmentCode: r.department_code,
    regionCode: r.region_code,
    startDate: r.start_date,
    endDate: r.end_date,
    status: r.contract_status,
    ruptureDate: r.rupture_date,
    ruptureReason: r.rupture_reason,
  },
});

const TRAINEE_COLUMNS = `SELECT t.conseiller_id, t.first_name, t.last_name, t.email, t.status, c.contract_id, c.structure_id, c.department_code, c.region_code,
  c.start_date, c.end_date, c.status AS contract_status, c.rupture_date, c.rupture_reason`;
const TRAINEE_FROM = `FROM trainees t JOIN contracts c ON c.contract_id = t.current_contract_id`;

/** Reads and views, each filtered by the caller's scope (see scope.ts). */
@Injectable()
export class QueriesService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private today(): string {
    return calendarDateAt(this.clock.now());
  }

  private catalog(manager: EntityManager = this.dataSource.manager): Promise<ReferenceCatalog> {
    return loadCatalog(manager, this.today());
  }

  private async page<T, R>(manager: EntityManager, select: string, from: string, order: string, sql: Sql, query: { page?: number; pageSize?: number }, map: (row: R) => T): Promise<Page<T>> {
    const { limit, offset, page, pageSize } = pageWindow(query);
    const [{ total }] = await manager.query(`SELECT count(*)::int AS total ${from}`, sql.params);
    const rows: R[] = await manager.query(`${select} ${from} ORDER BY ${order} LIMIT ${sql.p(limit)} OFFSET ${sql.p(offset)}`, sql.params);
    return { items: rows.map(map), page, pageSize, total };
  }

  async trainees(principal: Principal, query: TraineesQueryDto) {
    const manager = this.dataSource.manager;
    const sql = new Sql();
    const where = [traineeScope(sql, principal, await this.catalog(manager))];
    if (query.status) where.push(`t.status = ${sql.p(query.status)}`);
    if (query.departmentCode) where.push(`c.department_code = ${sql.p(query.departmentCode.toUpperCase())}`);
    if (query.structureId) where.push(`c.structure_id = ${sql.p(query.structureId)}`);
    const from = `${TRAINEE_FROM} WHERE ${where.join(' AND ')}`;
    return this.page(manager, TRAINEE_COLUMNS, from, 'c.start_date, t.conseiller_id', sql, query, traineeView);
  }

  async trainee(principal: Principal, conseillerId: string) {
    const manager = this.dataSource.manager;
    const sql = new Sql();
    const scope = traineeScope(sql, principal, await this.catalog(manager));
    const [row]: TraineeListRow[] = await manager.query(`${TRAINEE_COLUMNS} ${TRAINEE_FROM} WHERE t.conseiller_id = ${sql.p(conseillerId)} AND ${scope}`, sql.params);
    if (!row) throw notFound(`conseiller ${conseillerId}`);
    const enrolments: EnrolmentRow[] = await manager.query(`SELECT * FROM enrolments WHERE conseiller_id = $1 ORDER BY created_at`, [conseillerId]);
    const certifications: CertificationRow[] = await manager.query(`SELECT * FROM certifications WHERE conseiller_id = $1 ORDER BY obtained_at, recorded_at`, [conseillerId]);
    const contracts = await manager.query(
      `SELECT contract_id AS "contractId", structure_id AS "structureId", department_code AS "departmentCode", contract_type AS "contractType",
              start_date AS "startDate", end_date AS "endDate", status, rupture_date AS "ruptureDate", rupture_reason AS "ruptureReason",
              renews_contract_id AS "renewsContractId"
         FROM contracts WHERE conseiller_id = $1 ORDER BY start_date`,
      [conseillerId],
    );
    return {
      ...traineeView(row),
      contracts,
      enrolments: enrolments.filter((e) => canSeeEnrolment(principal, { lot: e.lot, departmentCode: e.department_code })).map(enrolmentView),
      certifications: certifications.map(certificationView),
    };
  }

  async enrolments(principal: Principal, query: EnrolmentsQueryDto) {
    const sql = new Sql();
    const where = [enrolmentScope(sql, principal)];
    if (query.lot !== undefined) where.push(`e.lot = ${sql.p(query.lot)}`);
    if (query.status) where.push(`e.status = ${sql.p(query.status)}`);
    if (query.departmentCode) where.push(`e.department_code = ${sql.p(query.departmentCode.toUpperCase())}`);
    if (query.conseillerId) where.push(`e.conseiller_id = ${sql.p(query.conseillerId)}`);
    return this.page(this.dataSource.manager, 'SELECT e.*', `FROM enrolments e WHERE ${where.join(' AND ')}`, 'e.created_at DESC, e.enrolment_id', sql, query, enrolmentView);
  }

  async enrolment(principal: Principal, enrolmentId: string) {
    const row = await findEnrolment(this.dataSource.manager, enrolmentId);
    if (!row || !canSeeEnrolment(principal, { lot: row.lot, departmentCode: row.department_code })) throw notFound(`enrolment ${enrolmentId}`);
    const progress = await this.dataSource.query(
      `SELECT hours_attended AS "hoursAttended", as_of AS "asOf", recorded_by AS "recordedBy", recorded_at AS "recordedAt"
         FROM enrolment_progress WHERE enrolment_id = $1 ORDER BY id`,
      [enrolmentId],
    );
    return { ...enrolmentView(row), progress };
  }

  private certificationScope(sql: Sql, principal: Principal): string {
    switch (principal.role) {
      case 'anct':
        return 'TRUE';
      case 'prefecture':
        return `x.department_code = ANY(${sql.p([...principal.departments])}::text[])`;
      case 'training_provider': {
        const lot = sql.p(principal.lot);
        return `(x.lot = ${lot} OR EXISTS (SELECT 1 FROM enrolments own WHERE own.conseiller_id = x.conseiller_id AND own.lot = ${lot}))`;
      }
      default:
        return 'FALSE';
    }
  }

  async certifications(principal: Principal, query: CertificationsQueryDto) {
    const sql = new Sql();
    const where = [this.certificationScope(sql, principal)];
    if (query.conseillerId) where.push(`x.conseiller_id = ${sql.p(query.conseillerId)}`);
    if (query.kind) where.push(`x.kind = ${sql.p(query.kind)}`);
    if (query.belowThreshold !== undefined) where.push(`x.kind = 'PIX' AND x.below_threshold = ${sql.p(query.belowThreshold)}`);
    return this.page(this.dataSource.manager, 'SELECT x.*', `FROM certifications x WHERE ${where.join(' AND ')}`, 'x.recorded_at DESC, x.certification_id', sql, query, certificationView);
  }

  async certification(principal: Principal, certificationId: string) {
    const row = await findCertification(this.dataSource.manager, certificationId);
    if (!row) throw notFound(`certification ${certificationId}`);
    const sql = new Sql();
    const scope = this.certificationScope(sql, principal);
    const [visible] = await this.dataSource.query(`SELECT 1 FROM certifications x WHERE x.certification_id = ${sql.p(certificationId)} AND ${scope}`, sql.params);
    if (!visible) throw notFound(`certification ${certificationId}`);
    return certificationView(row);
  }

  /** Conseillers still to be trained `days` days (or more) after their contract started, contract still running on `asOf`. */
  private notEnrolledQuery(principal: Principal, catalog: ReferenceCatalog, query: NotEnrolledQueryDto) {
    const asOf = query.asOf ?? this.today();
    const days = query.days ?? 30;
    const cutoff = domain(() => notEnrolledCutoff(asOf, days));
    const sql = new Sql();
    const asOfParam = sql.p(asOf);
    const from = `FROM trainees t JOIN contracts c ON c.contract_id = t.current_contract_id
      WHERE t.status = 'TO_BE_TRAINED' AND c.status = 'ACTIVE' AND c.start_date <= ${sql.p(cutoff)}::date
        AND (c.end_date IS NULL OR c.end_date >= ${asOfParam}::date) AND ${traineeScope(sql, principal, catalog)}
        ${query.departmentCode ? `AND c.department_code = ${sql.p(query.departmentCode.toUpperCase())}` : ''}
        ${query.structureId ? `AND c.structure_id = ${sql.p(query.structureId)}` : ''}`;
    const select = `SELECT t.conseiller_id, t.first_name, t.last_name, c.contract_id, c.structure_id, c.department_code, c.start_date, c.end_date,
      (${asOfParam}::date - c.start_date) AS days_since_start,
      (SELECT count(*)::int FROM enrolments a WHERE a.conseiller_id = t.conseiller_id AND a.status = 'ABANDONED') AS abandoned_enrolments`;
    const map = (r: Record<string, any>): NotEnrolledRow => ({
      conseillerId: r.conseiller_id,
      firstName: r.first_name,
      lastName: r.last_name,
      contractId: r.contract_id,
      structureId: r.structure_id,
      departmentCode: r.department_code,
      contractStartDate: r.start_date,
      contractEndDate: r.end_date,
      daysSinceStart: Number(r.days_since_start),
      abandonedEnrolments: r.abandoned_enrolments,
    });
    return { asOf, days, cutoff, sql, from, select, map, order: 'c.start_date, t.conseiller_id' };
  }

  async notEnrolled(principal: Principal, query: NotEnrolledQueryDto) {
    const manager = this.dataSource.manager;
    const q = this.notEnrolledQuery(principal, await this.catalog(manager), query);
    const page = await this.page(manager, q.select, q.from, q.order, q.sql, query, q.map);
    return { asOf: q.asOf, days: q.days, contractStartedOnOrBefore: q.cutoff, ...page };
  }

  /** Every row of the view, for a streamed CSV export (pages fetched one after another). */
  async notEnrolledPages(principal: Principal, query: NotEnrolledQueryDto) {
    const manager = this.dataSource.manager;
    const q = this.notEnrolledQuery(principal, await this.catalog(manager), query);
    const base = q.sql.params.length;
    return {
      asOf: q.asOf,
      fetch: async (limit: number, offset: number): Promise<NotEnrolledRow[]> => {
        const rows = await manager.query(`${q.select} ${q.from} ORDER BY ${q.order} LIMIT $${base + 1} OFFSET $${base + 2}`, [...q.sql.params, limit, offset]);
        return rows.map(q.map);
      },
    };
  }

  /** Completion and certification rates per lot or per département, within the caller's scope. */
  async rates(principal: Principal, by: 'lot' | 'department'): Promise<{ by: string; asOf: string; referenceVersion: string; rows: RateRow[] }> {
    const manager = this.dataSource.manager;
    const catalog = await this.catalog(manager);
    const sql = new Sql();
    const key = by === 'lot' ? 'e.lot::text' : 'e.department_code';
    const rows: (Record<string, number> & { key: string })[] = await manager.query(
      `SELECT ${key} AS key,
         count(*) FILTER (WHERE NOT e.waiver)::int AS enrolments,
         count(*) FILTER (WHERE e.status = 'ONGOING')::int AS ongoing,
         count(*) FILTER (WHERE e.status = 'COMPLETED')::int AS completed,
         count(*) FILTER (WHERE e.status = 'ABANDONED' AND NOT e.withdrawn_by_rupture)::int AS abandoned,
         count(*) FILTER (WHERE e.status = 'ABANDONED' AND e.withdrawn_by_rupture)::int AS withdrawn,
         count(*) FILTER (WHERE e.waiver)::int AS waived,
         count(*) FILTER (WHERE e.status = 'COMPLETED'
           AND EXISTS (SELECT 1 FROM certifications x WHERE x.conseiller_id = e.conseiller_id AND x.kind IN ('CCP', 'RNCP')))::int AS certified,
         count(DISTINCT e.conseiller_id) FILTER (WHERE pix.below_threshold IS NOT NULL)::int AS "pixAssessed",
         count(DISTINCT e.conseiller_id) FILTER (WHERE pix.below_threshold)::int AS "pixBelowThreshold"
       FROM enrolments e
       LEFT JOIN LATERAL (
         SELECT x.below_threshold FROM certifications x WHERE x.conseiller_id = e.conseiller_id AND x.kind = 'PIX'
          ORDER BY x.obtained_at DESC, x.recorded_at DESC LIMIT 1
       ) pix ON TRUE
       WHERE ${enrolmentScope(sql, principal)}
       GROUP BY 1 ORDER BY 1`,
      sql.params,
    );
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const empty = { enrolments: 0, ongoing: 0, completed: 0, abandoned: 0, withdrawn: 0, waived: 0, certified: 0, pixAssessed: 0, pixBelowThreshold: 0 };
    const keys =
      by === 'lot'
        ? catalog.lots.filter((l) => principal.role !== 'training_provider' || l.lot === principal.lot).map((l) => String(l.lot))
        : rows.map((r) => r.key);
    const label = (k: string) =>
      by === 'lot' ? `Lot ${k} — ${catalog.lots.find((l) => String(l.lot) === k)?.consortium.join(', ') ?? ''}` : (findDepartment(k)?.name ?? k);
    return {
      by,
      asOf: this.today(),
      referenceVersion: catalog.version,
      rows: keys.map((k) => {
        const { key: _key, ...found } = byKey.get(k) ?? { key: k, ...empty };
        const counts = { ...empty, ...found } as TrainingOutcomeCounts;
        return { key: k, label: label(k), ...counts, ...trainingRates(counts) };
      }),
    };
  }
}
