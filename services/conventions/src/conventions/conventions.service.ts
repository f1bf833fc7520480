import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import { ConventionDeclinedV1, ConventionRequestedV1, ConventionValidatedV1, PostStatusChangedV1 } from '@cnfs/contracts';
import {
  assertMayConvention,
  assertWithinQuota,
  conflict,
  conventionTransition,
  initialConventionStatus,
  invalid,
  isAfter,
  isValidatedConvention,
  planConvention,
} from '@cnfs/conventions-domain';
import { Clock, CLOCK, commandContext, notFound, Page, pageWindow } from '@cnfs/service-kit';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CONVENTIONS_CONFIG, ConventionsConfig } from '../config';
import { ConventionRow, PostRow, StructureRow } from '../persistence/entities';
import { factsOf, lockStructure } from '../structures/structures-read-model';
import { assertActsFor, assertCanSee, assertUuid, scopeOf, subjectOf } from '../shared/scope';
import { todayOf } from '../shared/time';
import { Transactions } from '../shared/transactions';
import { ConventionView, conventionView, postCountsOf } from '../shared/views';
import { ConventionQueryDto, CreateConventionDto, DeclineConventionDto, ValidateConventionDto } from './conventions.dto';

type RequestLike = { headers: Record<string, string | string[] | undefined> };

@Injectable()
export class ConventionsService {
  constructor(
    private readonly tx: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONVENTIONS_CONFIG) private readonly config: ConventionsConfig,
  ) {}

  /** Initiates a convention (phase 1) or a renewal (phase 2) for a structure with a positive coselec quota. */
  async create(principal: Principal, body: CreateConventionDto, request: RequestLike): Promise<ConventionView> {
    assertActsFor(principal, body.structureId);
    return this.tx.run(async (manager) => {
      const structure = await lockStructure(manager, body.structureId);
      if (!structure) throw notFound(`structure ${body.structureId}`);
      const quota = assertMayConvention(factsOf(structure), body.phase);
      const existing = await manager.getRepository(ConventionRow).findOne({
        where: [
          { structureId: body.structureId, phase: body.phase, status: initialConventionStatus(body.phase) },
          { structureId: body.structureId, phase: body.phase, status: body.phase === 1 ? 'CONVENTIONNEMENT_VALIDE' : 'RECONVENTIONNEMENT_VALIDE' },
        ],
      });
      if (existing) throw conflict('CONVENTION_ALREADY_EXISTS', `structure ${body.structureId} already has a phase-${body.phase} convention (${existing.id}, ${existing.status})`);
      let renewed: ConventionRow | null = null;
      if (body.phase === 2) {
        renewed = await manager.getRepository(ConventionRow).findOne({ where: { structureId: body.structureId, phase: 1, status: 'CONVENTIONNEMENT_VALIDE' } });
        if (!renewed) throw conflict('NO_CONVENTION_TO_RENEW', `structure ${body.structureId} has no validated phase-1 convention to renew`);
      }
      const plan = planConvention({ phase: body.phase, startDate: body.startDate, endDate: body.endDate, posts: body.posts }, quota, renewed);
      const row = manager.getRepository(ConventionRow).create({
        id: randomUUID(),
        structureId: structure.structureId,
        phase: plan.phase,
        status: initialConventionStatus(plan.phase),
        posts: plan.posts,
        startDate: plan.startDate,
        financedUntil: plan.financedUntil,
        endDate: plan.endDate,
        renewsConventionId: renewed?.id ?? null,
        signedAt: null,
        nonInterestReason: null,
        departmentCode: structure.departmentCode,
        legalStatus: null,
        structureType: null,
        qpv: null,
        zrr: null,
        createdAt: this.clock.now(),
        createdBy: subjectOf(principal),
        decidedAt: null,
        decidedBy: null,
      });
      await manager.getRepository(ConventionRow).insert(row);
      await this.tx.emit(manager, ConventionRequestedV1, row.id, {
        conventionId: row.id,
        structureId: row.structureId,
        departmentCode: row.departmentCode,
        phase: row.phase,
        posts: row.posts,
        startDate: row.startDate,
        financedUntil: row.financedUntil,
        endDate: row.endDate,
        renewsConventionId: row.renewsConventionId,
      }, commandContext(principal, this.clock, request));
      return conventionView(row);
    });
  }

  /**
   * ANCT validates: the quota is checked again, the structure's legal status and territory are frozen as known at
   * signature, and the conventioned posts are created VACANT — all with their events, in one transaction.
   */
  async validate(principal: Principal, id: string, body: ValidateConventionDto, request: RequestLike): Promise<ConventionView> {
    assertUuid(id, 'convention');
    return this.tx.run(async (manager) => {
      const peek = await manager.getRepository(ConventionRow).findOne({ where: { id } });
      if (!peek) throw notFound('convention');
      // Lock order everywhere: structure, then convention, then posts, then contracts.
      const structure = (await lockStructure(manager, peek.structureId)) as StructureRow;
      const convention = await this.lockConvention(manager, id);
      const status = conventionTransition(convention.status, 'VALIDATE');
      const today = todayOf(this.clock, this.config.timeZone, structure.departmentCode);
      const signedAt = body.signedAt ?? today;
      if (isAfter(signedAt, today)) throw invalid([{ field: 'signedAt', code: 'SIGNATURE_IN_FUTURE', message: `the signature date cannot be in the future (today is ${today})` }]);
      const quota = assertMayConvention(factsOf(structure), convention.phase);
      assertWithinQuota(convention.posts, quota, convention.phase);
      if (structure.legalStatus === null || structure.structureType === null || structure.qpv === null || structure.zrr === null) {
        throw conflict('STRUCTURE_NOT_REGISTERED', `structure ${structure.structureId} is not fully known yet (awaiting its registration)`);
      }
      if (convention.renewsConventionId) {
        const renewed = await manager.getRepository(ConventionRow).findOneOrFail({ where: { id: convention.renewsConventionId } });
        if (!isValidatedConvention(renewed.status)) throw conflict('NO_CONVENTION_TO_RENEW', 'the renewed convention is not validated');
      }
      const now = this.clock.now();
      Object.assign(convention, {
        status,
        signedAt,
        legalStatus: structure.legalStatus,
        structureType: structure.structureType,
        departmentCode: structure.departmentCode,
        qpv: structure.qpv,
        zrr: structure.zrr,
        decidedAt: now,
        decidedBy: subjectOf(principal),
      });
      await manager.getRepository(ConventionRow).update(
        { id },
        {
          status,
          signedAt,
          legalStatus: structure.legalStatus,
          structureType: structure.structureType,
          departmentCode: structure.departmentCode,
          qpv: structure.qpv,
          zrr: structure.zrr,
          decidedAt: now,
          decidedBy: subjectOf(principal),
        },
      );
      const posts: PostRow[] = Array.from({ length: convention.posts }, () =>
        manager.getRepository(PostRow).create({
          id: randomUUID(),
          conventionId: id,
          structureId: convention.structureId,
          departmentCode: convention.departmentCode,
          status: 'VACANT',
          createdByAmendmentId: null,
          returnedByAmendmentId: null,
          createdAt: now,
          updatedAt: now,
        }),
      );
      await manager.getRepository(PostRow).insert(posts);
      const context = commandContext(principal, this.clock, request);
      await this.tx.emit(manager, ConventionValidatedV1, id, {
        conventionId: id,
        structureId: convention.structureId,
        phase: convention.phase,
        posts: convention.posts,
        postIds: posts.map((p) => p.id),
        signedAt,
        startDate: convention.startDate,
        financedUntil: convention.financedUntil,
        endDate: convention.endDate,
        structure: {
          legalStatus: structure.legalStatus,
          type: structure.structureType as never,
          departmentCode: structure.departmentCode,
          qpv: structure.qpv,
          zrr: structure.zrr,
        },
        renewsConventionId: convention.renewsConventionId,
      }, context);
      for (const post of posts) {
        await this.tx.emit(manager, PostStatusChangedV1, id, {
          postId: post.id,
          conventionId: id,
          structureId: convention.structureId,
          departmentCode: convention.departmentCode,
          from: null,
          to: 'VACANT',
          effectiveDate: convention.startDate,
          contractId: null,
        }, context);
      }
      return conventionView(convention, { vacant: posts.length, occupied: 0, returned: 0 });
    });
  }

  /** The structure (or ANCT for it) declares it is not interested: NON_INTERESSE, with the reason. */
  async decline(principal: Principal, id: string, body: DeclineConventionDto, request: RequestLike): Promise<ConventionView> {
    assertUuid(id, 'convention');
    return this.tx.run(async (manager) => {
      const convention = await this.lockConvention(manager, id);
      assertCanSee(principal, convention, 'convention');
      assertActsFor(principal, convention.structureId);
      const status = conventionTransition(convention.status, 'DECLARE_NOT_INTERESTED');
      const now = this.clock.now();
      await manager.getRepository(ConventionRow).update({ id }, { status, nonInterestReason: body.reason, decidedAt: now, decidedBy: subjectOf(principal) });
      Object.assign(convention, { status, nonInterestReason: body.reason, decidedAt: now, decidedBy: subjectOf(principal) });
      await this.tx.emit(manager, ConventionDeclinedV1, id, {
        conventionId: id,
        structureId: convention.structureId,
        departmentCode: convention.departmentCode,
        phase: convention.phase,
        reason: body.reason,
      }, commandContext(principal, this.clock, request, body.reason));
      return conventionView(convention);
    });
  }

  async get(principal: Principal, id: string): Promise<ConventionView> {
    assertUuid(id, 'convention');
    const manager = this.tx.dataSource.manager;
    const row = await manager.getRepository(ConventionRow).findOne({ where: { id } });
    if (!row) throw notFound('convention');
    assertCanSee(principal, row, 'convention');
    const counts = await postCountsOf(manager, [id]);
    return conventionView(row, counts.get(id));
  }

  async list(principal: Principal, query: ConventionQueryDto): Promise<Page<ConventionView>> {
    const { limit, offset, page, pageSize } = pageWindow(query);
    const manager = this.tx.dataSource.manager;
    const qb = manager.getRepository(ConventionRow).createQueryBuilder('c');
    const scope = scopeOf(principal);
    if (scope && 'structureId' in scope) qb.andWhere('c.structure_id = :own', { own: scope.structureId });
    if (scope && 'departments' in scope) qb.andWhere('c.department_code = ANY(:departments)', { departments: [...scope.departments] });
    if (query.structureId) qb.andWhere('c.structure_id = :structureId', { structureId: query.structureId });
    if (query.status) qb.andWhere('c.status = :status', { status: query.status });
    if (query.phase) qb.andWhere('c.phase = :phase', { phase: query.phase });
    if (query.departmentCode) qb.andWhere('c.department_code = :departmentCode', { departmentCode: query.departmentCode });
    const [rows, total] = await qb.orderBy('c.seq', 'ASC').take(limit).skip(offset).getManyAndCount();
    const counts = await postCountsOf(manager, rows.map((r) => r.id));
    return { items: rows.map((r) => conventionView(r, counts.get(r.id))), page, pageSize, total };
  }

  private async lockConvention(manager: EntityManager, id: string): Promise<ConventionRow> {
    const row = await manager.getRepository(ConventionRow).createQueryBuilder('c').setLock('for_no_key_update').where('c.id = :id', { id }).getOne();
    if (!row) throw notFound('convention');
    return row;
  }
}
