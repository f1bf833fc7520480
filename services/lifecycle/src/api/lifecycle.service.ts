import { Inject, Injectable } from '@nestjs/common';
import { canAccessDepartment, Principal } from '@cnfs/auth';
import {
  addDays,
  calendarDateAt,
  CertificationFact,
  Decision,
  LifecycleMessage,
  LifecycleState,
  nextDeadline,
  RenewalTerms,
  summarizeTraining,
  TrainingEnrolmentFact,
  TrainingSummary,
} from '@cnfs/lifecycle-domain';
import { DeadlineStore } from '@cnfs/messaging';
import { Clock, CLOCK, commandContext, DATA_SOURCE, notFound, Page, pageWindow, ProblemException } from '@cnfs/service-kit';
import { DataSource, EntityManager } from 'typeorm';
import { LIFECYCLE_SETTINGS, LifecycleSettings } from '../config';
import { SagaEngine, SagaInput } from '../saga/saga-engine';
import { LifecycleQueryDto, RenewalDecisionDto, RenewalIntentDto } from './dto';
import { Forecast, ForecastSaga, forecastRenewals, publishedPhase2 } from './forecast';

type RequestLike = { headers: Record<string, string | string[] | undefined> };

export interface LifecycleView extends Omit<LifecycleState, 'history'> {
  /** The conseiller's training, as the training service reported it (whatever contract it started under). */
  training: TrainingSummary;
  nextDeadline: { kind: string; dueAt: string } | null;
  pendingDeadlines: { kind: string; dueAt: string }[];
  history: { seq: number; at: string; message: string; from: string | null; to: string; detail: string | null }[];
  version: number;
  startedAt: string;
  updatedAt: string;
}

export interface LifecycleSummary {
  contractId: string;
  status: string;
  structureId: string;
  departmentCode: string;
  contractType: string;
  followUntil: string | null;
  renewal: LifecycleState['renewal'] | null;
  outcome: string | null;
  nextDeadline: { kind: string; dueAt: string } | null;
  /** TRAINED, IN_TRAINING, ABANDONED or NOT_ENROLLED (see `training` of the contract's lifecycle). */
  trainingStatus: TrainingSummary['status'];
  updatedAt: string;
}

interface SagaRow {
  contract_id: string;
  state: Omit<LifecycleState, 'history'>;
  version: number;
  structure_id: string;
  department_code: string;
  started_at: Date;
  updated_at: Date;
}

/** A structure sees its own contracts, a préfecture those of its départements, ANCT all. */
function sees(principal: Principal, row: { structure_id: string; department_code: string }): boolean {
  if (principal.role === 'structure') return principal.structureId === row.structure_id;
  if (principal.role === 'anct' || principal.role === 'prefecture') return canAccessDepartment(principal, row.department_code);
  return false;
}

/** A refused command: the caller's terms (422), the saga's state (409), an unknown contract (404). */
function problemOf(decision: Decision): ProblemException {
  const detail = decision.refused!;
  switch (decision.refusedCode) {
    case 'UNKNOWN_CONTRACT':
      return notFound('contract lifecycle');
    case 'INVALID_TERMS':
      return new ProblemException(422, detail, { code: 'INVALID_RENEWAL_TERMS', errors: [{ field: 'terms', message: detail }] });
    default:
      return new ProblemException(409, detail, { code: 'NOT_ALLOWED_NOW' });
  }
}

/**
 * The saga's REST edge: the structure's intent and ANCT's decision go through `decide` like every
 * other message (one transaction: state, history, events, deadlines); the views read the saga rows.
 */
@Injectable()
export class LifecycleService {
  private readonly deadlines = new DeadlineStore();

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LIFECYCLE_SETTINGS) private readonly settings: LifecycleSettings,
    private readonly engine: SagaEngine,
  ) {}

  async view(principal: Principal, contractId: string, manager: EntityManager = this.dataSource.manager): Promise<LifecycleView> {
    const [row]: SagaRow[] = await manager.query(`SELECT * FROM sagas WHERE contract_id = $1`, [contractId]);
    if (!row || !sees(principal, row)) throw notFound('contract lifecycle');
    const history: { seq: number; at: Date; message: string; from_status: string | null; to_status: string; detail: string | null }[] = await manager.query(
      `SELECT seq, at, message, from_status, to_status, detail FROM saga_history WHERE contract_id = $1 ORDER BY seq`,
      [contractId],
    );
    const pending = await this.deadlines.pendingOf(manager, contractId);
    const next = nextDeadline(pending.map((d) => ({ kind: d.kind as never, dueAt: d.dueAt })));
    const training = (await this.trainingOf(manager, [row.state.facts.conseillerId])).get(row.state.facts.conseillerId)!;
    return {
      ...row.state,
      training,
      nextDeadline: next ? { kind: next.kind, dueAt: next.dueAt.toISOString() } : null,
      pendingDeadlines: pending.map((d) => ({ kind: d.kind, dueAt: d.dueAt.toISOString() })),
      history: history.map((h) => ({ seq: h.seq, at: h.at.toISOString(), message: h.message, from: h.from_status, to: h.to_status, detail: h.detail })),
      version: row.version,
      startedAt: row.started_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  async list(principal: Principal, query: LifecycleQueryDto): Promise<Page<LifecycleSummary>> {
    this.assertDepartmentFilter(principal, query.departmentCode);
    const params: unknown[] = [];
    const where = this.scope(principal, params);
    const add = (condition: (n: number) => string, value: unknown) => {
      if (value === undefined) return;
      params.push(value);
      where.push(condition(params.length));
    };
    add((n) => `s.status = $${n}`, query.status);
    add((n) => `s.department_code = $${n}`, query.departmentCode);
    add((n) => `s.structure_id = $${n}`, query.structureId);
    add((n) => `s.follow_until <= $${n}`, query.endsBefore);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const { limit, offset, page, pageSize } = pageWindow(query);
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM sagas s ${clause}`, params);
    const rows: (SagaRow & { next_kind: string | null; next_due: Date | null })[] = await this.dataSource.query(
      `SELECT s.*, d.kind AS next_kind, d.due_at AS next_due FROM sagas s
         LEFT JOIN LATERAL (SELECT kind, due_at FROM deadlines WHERE owner = s.contract_id AND fired_at IS NULL AND cancelled_at IS NULL ORDER BY due_at, id LIMIT 1) d ON true
        ${clause} ORDER BY s.follow_until NULLS LAST, s.contract_id LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    const training = await this.trainingOf(this.dataSource.manager, rows.map((r) => r.state.facts.conseillerId));
    return {
      items: rows.map((r) => ({
        contractId: r.contract_id,
        status: r.state.status,
        structureId: r.structure_id,
        departmentCode: r.department_code,
        contractType: r.state.facts.contractType,
        followUntil: r.state.facts.followUntil,
        renewal: r.state.renewal ?? null,
        outcome: r.state.outcome ?? null,
        nextDeadline: r.next_kind && r.next_due ? { kind: r.next_kind, dueAt: r.next_due.toISOString() } : null,
        trainingStatus: training.get(r.state.facts.conseillerId)!.status,
        updatedAt: r.updated_at.toISOString(),
      })),
      page, pageSize, total,
    };
  }

  /** The training of each conseiller (two statements for a whole page). */
  private async trainingOf(manager: EntityManager, conseillerIds: string[]): Promise<Map<string, TrainingSummary>> {
    const ids = [...new Set(conseillerIds)];
    const enrolments: { conseiller_id: string; enrolment_id: string; status: TrainingEnrolmentFact['status']; pathway_hours: number | null; lot: number; start_date: string; end_date: string | null }[] =
      ids.length ? await manager.query(`SELECT * FROM training_enrolments WHERE conseiller_id = ANY($1::text[])`, [ids]) : [];
    const certifications: { conseiller_id: string; kind: CertificationFact['kind']; obtained_at: string; below_threshold: boolean }[] =
      ids.length ? await manager.query(`SELECT * FROM training_certifications WHERE conseiller_id = ANY($1::text[])`, [ids]) : [];
    const facts = new Map(ids.map((id) => [id, { enrolments: [] as TrainingEnrolmentFact[], certifications: [] as CertificationFact[] }]));
    for (const e of enrolments) {
      facts.get(e.conseiller_id)!.enrolments.push({
        enrolmentId: e.enrolment_id, status: e.status, pathwayHours: e.pathway_hours, lot: e.lot, startDate: e.start_date, endDate: e.end_date,
      });
    }
    for (const c of certifications) facts.get(c.conseiller_id)!.certifications.push({ kind: c.kind, obtainedAt: c.obtained_at, belowThreshold: c.below_threshold });
    return new Map([...facts].map(([id, f]) => [id, summarizeTraining(f.enrolments, f.certifications)]));
  }

  /** The structure (for its own contracts) or ANCT declares the renewal intent. */
  async declareIntent(principal: Principal, contractId: string, body: RenewalIntentDto, request: RequestLike): Promise<LifecycleView> {
    return this.command(principal, contractId, request, body.intent === 'NOT_INTERESTED' ? body.reason : undefined, async (manager, state, at) => {
      if (body.intent === 'NOT_INTERESTED') return [{ kind: 'RenewalIntentDeclared', at, intent: 'NOT_INTERESTED', reason: body.reason! }];
      const end = state.facts.followUntil;
      const terms: RenewalTerms = {
        contractType: body.contractType!,
        startDate: body.startDate ?? (end ? addDays(end, 1) : ''),
        endDate: body.endDate ?? null,
        ...(body.grossMonthlySalaryCents !== undefined ? { grossMonthlySalaryCents: body.grossMonthlySalaryCents } : {}),
      };
      if (!terms.startDate) throw new ProblemException(409, "the end of this contract's financing is not known yet", { code: 'NOT_ALLOWED_NOW' });
      const messages: LifecycleMessage[] = [{ kind: 'RenewalIntentDeclared', at, intent: 'RENEW', terms }];
      // The préfet may have given the structure's renewal opinion before this request: it applies
      // when it was given during this contract's life (an older one is about another cycle).
      const [opinion]: { opinion: 'favorable' | 'defavorable'; given_at: Date }[] = await manager.query(
        `SELECT opinion, given_at FROM prefect_opinions WHERE structure_id = $1 AND given_at >= $2::date ORDER BY given_at DESC, opinion_id DESC LIMIT 1`,
        [state.facts.structureId, state.facts.startDate],
      );
      if (opinion) messages.push({ kind: 'PrefectOpinionGiven', at: opinion.given_at, opinion: opinion.opinion });
      return messages;
    });
  }

  /** ANCT decides a renewal request (after the préfet's opinion). */
  async decideRenewal(principal: Principal, contractId: string, body: RenewalDecisionDto, request: RequestLike): Promise<LifecycleView> {
    return this.command(principal, contractId, request, body.reason, async (_manager, _state, at) => [{ kind: 'RenewalDecided', at, approved: body.approved, reason: body.reason }]);
  }

  async forecast(principal: Principal, query: { from?: string; until: string; departmentCode?: string; structureId?: string }): Promise<Forecast> {
    this.assertDepartmentFilter(principal, query.departmentCode);
    const from = query.from ?? calendarDateAt(this.clock.now(), this.settings.timeZone);
    if (query.until < from) throw new ProblemException(400, 'until is before from', { errors: [{ field: 'until', message: `on or after ${from}` }] });
    if (Number(query.until.slice(0, 4)) - Number(from.slice(0, 4)) > 10) {
      throw new ProblemException(400, 'a forecast covers at most 10 years', { errors: [{ field: 'until', message: 'at most 10 years after from' }] });
    }
    const params: unknown[] = [from, query.until];
    const where = [`s.follow_until >= $1`, `s.follow_until <= $2`, `s.status <> 'RUPTURED'`, ...this.scope(principal, params)];
    if (query.departmentCode) {
      params.push(query.departmentCode);
      where.push(`s.department_code = $${params.length}`);
    }
    if (query.structureId) {
      params.push(query.structureId);
      where.push(`s.structure_id = $${params.length}`);
    }
    const rows: { state: Omit<LifecycleState, 'history'> }[] = await this.dataSource.query(`SELECT s.state FROM sagas s WHERE ${where.join(' AND ')}`, params);
    const sagas: ForecastSaga[] = rows.map(({ state }) => ({
      status: state.status,
      departmentCode: state.facts.departmentCode,
      legalStatus: state.facts.legalStatus,
      qpv: state.facts.qpv,
      zrr: state.facts.zrr,
      followUntil: state.facts.followUntil!,
      ...(state.renewal?.commitment ? { commitment: { amountCents: state.renewal.commitment.amountCents, budgetEnvelopeId: state.renewal.commitment.budgetEnvelopeId } } : {}),
    }));
    return forecastRenewals(sagas, {
      from,
      until: query.until,
      ...publishedPhase2(),
      basis: 'phase-2 rules and renewal envelope as published (@cnfs/subsidies-domain), rule in force on the day each renewal would start',
    });
  }

  /** One command: the saga locked and its scope checked, then decide and apply in one transaction; a refusal writes nothing. */
  private async command(
    principal: Principal,
    contractId: string,
    request: RequestLike,
    reason: string | undefined,
    messagesOf: (manager: EntityManager, state: Omit<LifecycleState, 'history'>, at: Date) => Promise<LifecycleMessage[]>,
  ): Promise<LifecycleView> {
    return this.dataSource.transaction(async (manager) => {
      const [row]: SagaRow[] = await manager.query(`SELECT * FROM sagas WHERE contract_id = $1 FOR UPDATE`, [contractId]);
      if (!row || !sees(principal, row)) throw notFound('contract lifecycle');
      const now = this.clock.now();
      const context = commandContext(principal, this.clock, request, reason);
      const inputs: SagaInput[] = (await messagesOf(manager, row.state, now)).map((message) => ({ contractId, message, context }));
      const [result] = await this.engine.apply(manager, inputs, now);
      if (result.decision.refused) throw problemOf(result.decision);
      return this.view(principal, contractId, manager);
    });
  }

  private scope(principal: Principal, params: unknown[]): string[] {
    switch (principal.role) {
      case 'prefecture':
        params.push([...principal.departments]);
        return [`s.department_code = ANY($${params.length}::text[])`];
      case 'structure':
        params.push(principal.structureId);
        return [`s.structure_id = $${params.length}`];
      case 'anct':
      case 'bdt':
        return [];
      default:
        return ['false'];
    }
  }

  /** An explicit département filter outside a préfecture's territory is refused. */
  private assertDepartmentFilter(principal: Principal, departmentCode: string | undefined): void {
    if (departmentCode && principal.role === 'prefecture' && !canAccessDepartment(principal, departmentCode)) {
      throw new ProblemException(403, `département ${departmentCode} is outside your territory`);
    }
  }
}
