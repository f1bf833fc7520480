import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { canAccessStructure, type Principal } from '@cnfs/auth';
import {
  CoselecDecisionRecordedV1,
  EventEnvelope,
  PrefectOpinionGivenV1,
  StructureRegisteredV1,
  StructureStatusChangedV1,
} from '@cnfs/contracts';
import type { Outbox, OutboxMessage } from '@cnfs/messaging';
import {
  badRequest,
  Clock,
  CLOCK,
  commandContext,
  conflict,
  DATA_SOURCE,
  notFound,
  OUTBOX,
  Page,
  pageWindow,
  ProblemException,
  unprocessable,
} from '@cnfs/service-kit';
import {
  calendarDateAt,
  canonicalDepartmentCode,
  decideAdministrativeChange,
  decideCoselecDecision,
  decidePrefectOpinion,
  register,
  RuleViolation,
} from '@cnfs/structures-domain';
import { findDepartment } from '@cnfs/territory';
import { CoselecDecisionDto, PrefectOpinionDto, StatusChangeDto } from './dto/commands.dto';
import { ListStructuresQuery, StructureFiltersQuery } from './dto/list-structures.query';
import { RegisterStructureDto } from './dto/register-structure.dto';
import {
  CoselecDecisionView,
  CoselecHistoryView,
  PrefectOpinionListView,
  PrefectOpinionView,
  RecordedDecisionView,
  RecordedStatusChangeView,
  StatusChangeListView,
  StatusChangeView,
  StructureView,
} from './dto/views';
import { Scope, StoredDecision, StoredOpinion, StoredStatusChange, StructureFilters, StructureRecord, StructuresRepository } from './structures.repository';

type RequestLike = { headers: Record<string, string | string[] | undefined> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** A domain refusal as problem+json: invalid → 400, unprocessable → 422, conflict → 409. */
export function problemOf(violation: RuleViolation): ProblemException {
  const errors = violation.field ? [{ field: violation.field, message: violation.message }] : [];
  switch (violation.kind) {
    case 'invalid':
      return badRequest('the request is invalid', errors);
    case 'unprocessable':
      return unprocessable(violation.message, { errors });
    case 'conflict':
      return conflict(violation.message);
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e?.driverError?.code ?? e?.code;
  const name = e?.driverError?.constraint ?? e?.constraint;
  return code === '23505' && name === constraint;
}

export function structureView(s: StructureRecord): StructureView {
  return {
    id: s.id,
    siret: s.siret,
    siren: s.siren,
    name: s.name,
    legalStatus: s.legalStatus,
    type: s.type,
    departmentCode: s.departmentCode,
    departmentName: findDepartment(s.departmentCode)?.name ?? s.departmentCode,
    address: { ...s.address },
    qpv: s.qpv,
    zrr: s.zrr,
    requestedPosts: s.requestedPosts,
    contact: { ...s.contact },
    status: s.status,
    effectiveQuota: s.effectiveQuota ? { ...s.effectiveQuota } : null,
    duplicateOfId: s.duplicateOfId,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    version: s.version,
  };
}

function decisionView(d: StoredDecision): CoselecDecisionView {
  return {
    id: d.id, structureId: d.structureId, sequence: d.sequence, opinion: d.opinion, grantedPosts: d.grantedPosts, committeeNumber: d.committeeNumber,
    decidedAt: d.decidedAt, phase: d.phase, recordedAt: d.recordedAt.toISOString(), recordedBy: d.recordedBy,
  };
}

function opinionView(o: StoredOpinion): PrefectOpinionView {
  return { ...o, givenAt: o.givenAt.toISOString() };
}

function statusChangeView(c: StoredStatusChange): StatusChangeView {
  return { ...c, changedAt: c.changedAt.toISOString() };
}

/** The structures a principal may see. */
export function scopeOf(principal: Principal): Scope | null {
  switch (principal.role) {
    case 'anct':
    case 'bdt':
      return { kind: 'all' };
    case 'prefecture':
      return { kind: 'departments', codes: principal.departments };
    case 'structure':
      // A structure id that is not a UUID designates no structure of this service.
      return isUuid(principal.structureId) ? { kind: 'structure', id: principal.structureId } : null;
    case 'training_provider':
      return null;
  }
}

function filtersOf(query: StructureFiltersQuery): StructureFilters {
  return {
    departmentCode: query.departmentCode === undefined ? undefined : canonicalDepartmentCode(query.departmentCode),
    status: query.status,
    type: query.type,
    legalStatus: query.legalStatus,
    siret: query.siret,
    qpv: query.qpv,
    zrr: query.zrr,
  };
}

/**
 * The application service: one transaction per command, the state change and its events written
 * together through the outbox. Structures outside the caller's territory are answered as not found.
 */
@Injectable()
export class StructuresService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly repository: StructuresRepository,
  ) {}

  async register(dto: RegisterStructureDto, principal: Principal, request: RequestLike): Promise<StructureView> {
    const registration = register(dto);
    if (!registration.ok) throw badRequest('the request is invalid', registration.problems);
    const r = registration.value;
    const now = this.clock.now();
    const record: StructureRecord = {
      id: randomUUID(),
      ...r,
      address: { line1: dto.address.line1.trim(), line2: dto.address.line2?.trim() || null, postalCode: dto.address.postalCode, city: dto.address.city.trim() },
      contact: { name: dto.contact.name.trim(), email: dto.contact.email, phone: dto.contact.phone ?? null, jobTitle: dto.contact.jobTitle?.trim() || null },
      effectiveQuota: null,
      duplicateOfId: null,
      createdAt: now,
      createdBy: principal.subject,
      updatedAt: now,
      version: 1,
    };
    try {
      await this.dataSource.transaction(async (manager) => {
        const existing = await this.repository.findBySiret(manager, r.siret);
        if (existing) throw this.duplicate(existing);
        await this.repository.insert(manager, record);
        await this.repository.insertStatusChange(manager, {
          structureId: record.id, from: null, to: 'CREEE', reason: null, decisionId: null, changedAt: now, changedBy: principal.subject,
        });
        await this.outbox.add(manager, {
          topic: StructureRegisteredV1.topic,
          envelope: StructureRegisteredV1.create(
            record.id,
            {
              structureId: record.id, siret: r.siret, siren: r.siren, name: r.name, legalStatus: r.legalStatus, type: r.type,
              departmentCode: r.departmentCode, qpv: r.qpv, zrr: r.zrr, requestedPosts: r.requestedPosts,
            },
            commandContext(principal, this.clock, request),
          ),
        });
      });
    } catch (error) {
      // Two registrations of one SIRET at the same time: the unique constraint decides, the loser gets the same 409.
      if (isUniqueViolation(error, 'structures_siret_unique')) {
        const existing = await this.repository.findBySiret(this.dataSource.manager, r.siret);
        if (existing) throw this.duplicate(existing);
      }
      throw error;
    }
    return structureView(record);
  }

  private duplicate(existing: StructureRecord): ProblemException {
    return conflict(`SIRET ${existing.siret} is already registered: structure ${existing.id} "${existing.name}" (${existing.status})`, {
      errors: [{ field: 'siret', message: `already registered for structure ${existing.id} "${existing.name}"` }],
      existingStructure: {
        id: existing.id, name: existing.name, siret: existing.siret, departmentCode: existing.departmentCode, status: existing.status,
      },
    });
  }

  /** A structure the principal may see, else a 404 (outside one's territory is the same as absent). */
  private async visible(manager: EntityManager, id: string, principal: Principal, lock = false): Promise<StructureRecord> {
    const structure = isUuid(id) ? await this.repository.findById(manager, id, { lock }) : null;
    if (!structure || !canAccessStructure(principal, { structureId: structure.id, departmentCode: structure.departmentCode })) {
      throw notFound(`structure ${id}`);
    }
    return structure;
  }

  async get(id: string, principal: Principal): Promise<StructureView> {
    return structureView(await this.visible(this.dataSource.manager, id, principal));
  }

  async list(query: ListStructuresQuery, principal: Principal): Promise<Page<StructureView>> {
    const window = pageWindow(query);
    const scope = scopeOf(principal);
    if (!scope) return { items: [], page: window.page, pageSize: window.pageSize, total: 0 };
    const { items, total } = await this.repository.list(this.dataSource.manager, scope, filtersOf(query), window);
    return { items: items.map(structureView), page: window.page, pageSize: window.pageSize, total };
  }

  /** The rows of a CSV export, streamed in keyset pages. */
  export(query: StructureFiltersQuery, principal: Principal): AsyncIterable<StructureRecord> {
    const scope = scopeOf(principal);
    if (!scope) return (async function* () {})();
    return this.repository.stream(this.dataSource.manager, scope, filtersOf(query));
  }

  async recordDecision(id: string, dto: CoselecDecisionDto, principal: Principal, request: RequestLike): Promise<RecordedDecisionView> {
    return this.dataSource.transaction(async (manager) => {
      const structure = await this.visible(manager, id, principal, true);
      const decisions = await this.repository.decisionsOf(manager, structure.id);
      const now = this.clock.now();
      const result = decideCoselecDecision(
        { status: structure.status, requestedPosts: structure.requestedPosts, decisions },
        dto,
        { decisionId: randomUUID(), today: calendarDateAt(now) },
      );
      if (!result.ok) throw problemOf(result.violation);
      const { decision, from, to, statusChanged, effectiveQuota } = result.value;
      const stored: StoredDecision = { ...decision, structureId: structure.id, recordedAt: now, recordedBy: principal.subject };
      await this.repository.insertDecision(manager, stored);
      const { version } = await this.repository.update(manager, structure.id, { status: to, effectiveQuota, duplicateOfId: structure.duplicateOfId, at: now });
      const context = commandContext(principal, this.clock, request);
      const recorded = CoselecDecisionRecordedV1.create(
        structure.id,
        {
          structureId: structure.id, decisionId: decision.id, opinion: decision.opinion, grantedPosts: decision.grantedPosts,
          committeeNumber: decision.committeeNumber, decidedAt: decision.decidedAt, phase: decision.phase,
          effectiveQuota: effectiveQuota ? { posts: effectiveQuota.posts, phase: effectiveQuota.phase } : null,
          legalStatus: structure.legalStatus, type: structure.type, departmentCode: structure.departmentCode, qpv: structure.qpv, zrr: structure.zrr,
        },
        context,
      );
      const messages: OutboxMessage[] = [{ topic: CoselecDecisionRecordedV1.topic, envelope: recorded }];
      if (statusChanged) {
        await this.repository.insertStatusChange(manager, {
          structureId: structure.id, from, to, reason: null, decisionId: decision.id, changedAt: now, changedBy: principal.subject,
        });
        messages.push(this.statusChanged(structure, from, to, { ...context, causationId: recorded.messageId }));
      }
      await this.outbox.add(manager, ...messages);
      return { decision: decisionView(stored), structure: { id: structure.id, status: to, effectiveQuota, version } };
    });
  }

  private statusChanged(
    structure: StructureRecord,
    from: StructureRecord['status'],
    to: StructureRecord['status'],
    context: Parameters<typeof StructureStatusChangedV1.create>[2],
    duplicateOfId?: string | null,
  ): OutboxMessage {
    const envelope: EventEnvelope = StructureStatusChangedV1.create(
      structure.id,
      { structureId: structure.id, departmentCode: structure.departmentCode, from, to, ...(duplicateOfId ? { duplicateOfId } : {}) },
      context,
    );
    return { topic: StructureStatusChangedV1.topic, envelope };
  }

  async decisions(id: string, principal: Principal): Promise<CoselecHistoryView> {
    const structure = await this.visible(this.dataSource.manager, id, principal);
    const decisions = await this.repository.decisionsOf(this.dataSource.manager, structure.id);
    return { items: decisions.map(decisionView), effectiveQuota: structure.effectiveQuota ? { ...structure.effectiveQuota } : null };
  }

  async giveOpinion(id: string, dto: PrefectOpinionDto, principal: Principal, request: RequestLike): Promise<PrefectOpinionView> {
    return this.dataSource.transaction(async (manager) => {
      // Locked so the opinion and a concurrent cancellation of the structure are ordered.
      const structure = await this.visible(manager, id, principal, true);
      const result = decidePrefectOpinion(structure, dto);
      if (!result.ok) throw problemOf(result.violation);
      const opinion: StoredOpinion = {
        id: randomUUID(), structureId: structure.id, departmentCode: structure.departmentCode, opinion: result.value.opinion,
        comment: result.value.comment, givenAt: this.clock.now(), givenBy: principal.subject,
      };
      await this.repository.insertOpinion(manager, opinion);
      await this.outbox.add(manager, {
        topic: PrefectOpinionGivenV1.topic,
        envelope: PrefectOpinionGivenV1.create(
          structure.id,
          { structureId: structure.id, opinionId: opinion.id, departmentCode: structure.departmentCode, opinion: opinion.opinion, comment: opinion.comment },
          commandContext(principal, this.clock, request),
        ),
      });
      return opinionView(opinion);
    });
  }

  async opinions(id: string, principal: Principal): Promise<PrefectOpinionListView> {
    const structure = await this.visible(this.dataSource.manager, id, principal);
    return { items: (await this.repository.opinionsOf(this.dataSource.manager, structure.id)).map(opinionView) };
  }

  async changeStatus(id: string, dto: StatusChangeDto, principal: Principal, request: RequestLike): Promise<RecordedStatusChangeView> {
    return this.dataSource.transaction(async (manager) => {
      if (!isUuid(id)) throw notFound(`structure ${id}`);
      if (dto.duplicateOfId !== undefined && dto.status !== 'DOUBLON') {
        throw badRequest('the request is invalid', [{ field: 'duplicateOfId', message: 'is only accepted with status DOUBLON' }]);
      }
      const ids = dto.duplicateOfId && dto.duplicateOfId !== id ? [id, dto.duplicateOfId] : [id];
      const locked = await this.repository.lockAll(manager, ids);
      const structure = locked.get(id);
      if (!structure || !canAccessStructure(principal, { structureId: structure.id, departmentCode: structure.departmentCode })) {
        throw notFound(`structure ${id}`);
      }
      let duplicateOf: StructureRecord | null = null;
      if (dto.duplicateOfId !== undefined) {
        duplicateOf = dto.duplicateOfId === id ? structure : (locked.get(dto.duplicateOfId) ?? null);
        if (!duplicateOf) throw unprocessable('the structure named as kept does not exist', { errors: [{ field: 'duplicateOfId', message: 'no structure with this id' }] });
      }
      const result = decideAdministrativeChange(structure, { to: dto.status, reason: dto.reason, duplicateOf });
      if (!result.ok) throw problemOf(result.violation);
      const { from, to, duplicateOfId } = result.value;
      const now = this.clock.now();
      const reason = dto.reason.trim();
      const { version } = await this.repository.update(manager, structure.id, { status: to, effectiveQuota: structure.effectiveQuota, duplicateOfId, at: now });
      const change = await this.repository.insertStatusChange(manager, {
        structureId: structure.id, from, to, reason, decisionId: null, changedAt: now, changedBy: principal.subject,
      });
      await this.outbox.add(manager, this.statusChanged(structure, from, to, commandContext(principal, this.clock, request, reason), duplicateOfId));
      return { change: statusChangeView(change), structure: { id: structure.id, status: to, effectiveQuota: structure.effectiveQuota, version } };
    });
  }

  async statusChanges(id: string, principal: Principal): Promise<StatusChangeListView> {
    const structure = await this.visible(this.dataSource.manager, id, principal);
    return { items: (await this.repository.statusChangesOf(this.dataSource.manager, structure.id)).map(statusChangeView) };
  }
}
