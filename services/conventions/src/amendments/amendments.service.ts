import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import { AmendmentRefusedV1, AmendmentRequestedV1, AmendmentValidatedV1, PostStatusChangedV1 } from '@cnfs/contracts';
import {
  AmendmentRequest,
  amendmentTransition,
  assertAmendmentAllowed,
  assertNoPendingAmendment,
  conflict,
  isClosed,
  quotaOf,
} from '@cnfs/conventions-domain';
import { Clock, CLOCK, commandContext, notFound, Page, pageWindow } from '@cnfs/service-kit';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CONVENTIONS_CONFIG, ConventionsConfig } from '../config';
import { AmendmentRow, ConventionRow, PostRow, StructureRow } from '../persistence/entities';
import { lockStructure, quotasOf } from '../structures/structures-read-model';
import { assertActsFor, assertCanSee, assertUuid, scopeOf, subjectOf } from '../shared/scope';
import { todayOf } from '../shared/time';
import { Transactions } from '../shared/transactions';
import { AmendmentView, amendmentView, postCountsOf } from '../shared/views';
import { AmendmentQueryDto, RefuseAmendmentDto, RequestAmendmentDto } from './amendments.dto';

type RequestLike = { headers: Record<string, string | string[] | undefined> };

@Injectable()
export class AmendmentsService {
  constructor(
    private readonly tx: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONVENTIONS_CONFIG) private readonly config: ConventionsConfig,
  ) {}

  /** Requests an AJOUT or a RETRAIT of posts on a validated convention; one pending amendment per structure. */
  async request(principal: Principal, conventionId: string, body: RequestAmendmentDto, request: RequestLike): Promise<AmendmentView> {
    assertUuid(conventionId, 'convention');
    return this.tx.run(async (manager) => {
      const peek = await manager.getRepository(ConventionRow).findOne({ where: { id: conventionId } });
      if (!peek) throw notFound('convention');
      assertCanSee(principal, peek, 'convention');
      assertActsFor(principal, peek.structureId);
      const structure = (await lockStructure(manager, peek.structureId)) as StructureRow;
      const convention = await this.lockConvention(manager, conventionId);
      const pending = await manager.getRepository(AmendmentRow).findOne({ where: { structureId: convention.structureId, status: 'EN_COURS' } });
      assertNoPendingAmendment(pending);
      const amendment: AmendmentRequest = { type: body.type, posts: body.posts, postIds: body.postIds?.map((p) => p.toLowerCase()) ?? null };
      await this.check(manager, amendment, convention, structure);
      const row = manager.getRepository(AmendmentRow).create({
        id: randomUUID(),
        conventionId,
        structureId: convention.structureId,
        departmentCode: convention.departmentCode,
        type: body.type,
        posts: body.posts,
        postIds: amendment.postIds && amendment.postIds.length > 0 ? [...amendment.postIds] : null,
        reason: body.reason,
        status: 'EN_COURS',
        decisionReason: null,
        effectiveDate: null,
        createdAt: this.clock.now(),
        createdBy: subjectOf(principal),
        decidedAt: null,
        decidedBy: null,
      });
      await manager.getRepository(AmendmentRow).insert(row);
      await this.tx.emit(manager, AmendmentRequestedV1, conventionId, {
        amendmentId: row.id,
        conventionId,
        structureId: row.structureId,
        departmentCode: row.departmentCode,
        phase: convention.phase,
        type: row.type,
        posts: row.posts,
        postIds: row.postIds,
        reason: row.reason,
      }, commandContext(principal, this.clock, request, body.reason));
      return amendmentView(row);
    });
  }

  /**
   * ANCT validates: the rules are checked again against the state of now; an AJOUT creates its posts VACANT, a
   * RETRAIT returns vacant posts (RENDU) — locked so that no contract can take them meanwhile.
   */
  async validate(principal: Principal, id: string, request: RequestLike): Promise<AmendmentView> {
    assertUuid(id, 'amendment');
    return this.tx.run(async (manager) => {
      const peek = await manager.getRepository(AmendmentRow).findOne({ where: { id } });
      if (!peek) throw notFound('amendment');
      const structure = (await lockStructure(manager, peek.structureId)) as StructureRow;
      const convention = await this.lockConvention(manager, peek.conventionId);
      const amendment = await this.lockAmendment(manager, id);
      const status = amendmentTransition(amendment.status, 'VALIDATE');
      const asked: AmendmentRequest = { type: amendment.type, posts: amendment.posts, postIds: amendment.postIds };
      await this.check(manager, asked, convention, structure);
      const today = todayOf(this.clock, this.config.timeZone, convention.departmentCode);
      const now = this.clock.now();
      let affected: PostRow[];
      if (amendment.type === 'AJOUT') {
        affected = Array.from({ length: amendment.posts }, () =>
          manager.getRepository(PostRow).create({
            id: randomUUID(),
            conventionId: convention.id,
            structureId: convention.structureId,
            departmentCode: convention.departmentCode,
            status: 'VACANT',
            createdByAmendmentId: id,
            returnedByAmendmentId: null,
            createdAt: now,
            updatedAt: now,
          }),
        );
        await manager.getRepository(PostRow).insert(affected);
      } else {
        affected = await this.lockPostsToReturn(manager, convention.id, amendment);
        await manager.query(`UPDATE posts SET status = 'RENDU', returned_by_amendment_id = $2, updated_at = $3 WHERE id = ANY($1::uuid[])`, [
          affected.map((p) => p.id),
          id,
          now,
        ]);
      }
      await manager.getRepository(AmendmentRow).update({ id }, { status, effectiveDate: today, decidedAt: now, decidedBy: subjectOf(principal) });
      Object.assign(amendment, { status, effectiveDate: today, decidedAt: now, decidedBy: subjectOf(principal) });
      const context = commandContext(principal, this.clock, request, amendment.reason);
      await this.tx.emit(manager, AmendmentValidatedV1, convention.id, {
        amendmentId: id,
        conventionId: convention.id,
        structureId: convention.structureId,
        phase: convention.phase,
        type: amendment.type,
        posts: amendment.posts,
        postIds: affected.map((p) => p.id),
        validatedAt: today,
        structure: {
          legalStatus: convention.legalStatus!,
          type: convention.structureType as never,
          departmentCode: convention.departmentCode,
          qpv: convention.qpv!,
          zrr: convention.zrr!,
        },
      }, context);
      for (const post of affected) {
        await this.tx.emit(manager, PostStatusChangedV1, convention.id, {
          postId: post.id,
          conventionId: convention.id,
          structureId: convention.structureId,
          departmentCode: convention.departmentCode,
          from: amendment.type === 'AJOUT' ? null : 'VACANT',
          to: amendment.type === 'AJOUT' ? 'VACANT' : 'RENDU',
          effectiveDate: today,
          contractId: null,
        }, context);
      }
      return amendmentView(amendment, affected.map((p) => p.id));
    });
  }

  async refuse(principal: Principal, id: string, body: RefuseAmendmentDto, request: RequestLike): Promise<AmendmentView> {
    assertUuid(id, 'amendment');
    return this.tx.run(async (manager) => {
      const amendment = await this.lockAmendment(manager, id);
      const status = amendmentTransition(amendment.status, 'REFUSE');
      const now = this.clock.now();
      await manager.getRepository(AmendmentRow).update({ id }, { status, decisionReason: body.reason, decidedAt: now, decidedBy: subjectOf(principal) });
      Object.assign(amendment, { status, decisionReason: body.reason, decidedAt: now, decidedBy: subjectOf(principal) });
      await this.tx.emit(manager, AmendmentRefusedV1, amendment.conventionId, {
        amendmentId: id,
        conventionId: amendment.conventionId,
        structureId: amendment.structureId,
        departmentCode: amendment.departmentCode,
        type: amendment.type,
        posts: amendment.posts,
        reason: body.reason,
      }, commandContext(principal, this.clock, request, body.reason));
      return amendmentView(amendment);
    });
  }

  async get(principal: Principal, id: string): Promise<AmendmentView> {
    assertUuid(id, 'amendment');
    const manager = this.tx.dataSource.manager;
    const row = await manager.getRepository(AmendmentRow).findOne({ where: { id } });
    if (!row) throw notFound('amendment');
    assertCanSee(principal, row, 'amendment');
    return amendmentView(row, await this.affectedPosts(manager, id));
  }

  async list(principal: Principal, query: AmendmentQueryDto): Promise<Page<AmendmentView>> {
    const { limit, offset, page, pageSize } = pageWindow(query);
    const manager = this.tx.dataSource.manager;
    const qb = manager.getRepository(AmendmentRow).createQueryBuilder('a');
    const scope = scopeOf(principal);
    if (scope && 'structureId' in scope) qb.andWhere('a.structure_id = :own', { own: scope.structureId });
    if (scope && 'departments' in scope) qb.andWhere('a.department_code = ANY(:departments)', { departments: [...scope.departments] });
    if (query.structureId) qb.andWhere('a.structure_id = :structureId', { structureId: query.structureId });
    if (query.conventionId) qb.andWhere('a.convention_id = :conventionId', { conventionId: query.conventionId });
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    if (query.type) qb.andWhere('a.type = :type', { type: query.type });
    const [rows, total] = await qb.orderBy('a.seq', 'ASC').take(limit).skip(offset).getManyAndCount();
    const affected = new Map<string, string[]>();
    if (rows.length > 0) {
      const posts: { amendment_id: string; id: string }[] = await manager.query(
        `SELECT amendment_id, id FROM (
           SELECT created_by_amendment_id AS amendment_id, id, seq FROM posts WHERE created_by_amendment_id = ANY($1::uuid[])
           UNION ALL
           SELECT returned_by_amendment_id, id, seq FROM posts WHERE returned_by_amendment_id = ANY($1::uuid[])) affected
          ORDER BY seq`,
        [rows.map((r) => r.id)],
      );
      for (const post of posts) affected.set(post.amendment_id, [...(affected.get(post.amendment_id) ?? []), post.id]);
    }
    return { items: rows.map((row) => amendmentView(row, affected.get(row.id) ?? [])), page, pageSize, total };
  }

  private async check(manager: EntityManager, request: AmendmentRequest, convention: ConventionRow, structure: StructureRow): Promise<void> {
    if (request.type === 'AJOUT' && isClosed(structure.status)) {
      throw conflict('STRUCTURE_CLOSED', `structure ${structure.structureId} is ${structure.status}: no post can be added`);
    }
    const counts = (await postCountsOf(manager, [convention.id])).get(convention.id)!;
    let namedPosts: Map<string, string> | undefined;
    if (request.postIds && request.postIds.length > 0) {
      const rows: { id: string; status: string }[] = await manager.query(`SELECT id, status FROM posts WHERE convention_id = $1 AND id = ANY($2::uuid[])`, [
        convention.id,
        request.postIds,
      ]);
      namedPosts = new Map(rows.map((r) => [r.id, r.status]));
    }
    assertAmendmentAllowed(request, {
      convention: { status: convention.status, phase: convention.phase, endDate: convention.endDate },
      posts: counts,
      quota: quotaOf(quotasOf(structure), convention.phase),
      today: todayOf(this.clock, this.config.timeZone, convention.departmentCode),
      namedPosts,
    });
  }

  /** The vacant posts a RETRAIT returns, locked; posts being taken by a contract right now are not vacant. */
  private async lockPostsToReturn(manager: EntityManager, conventionId: string, amendment: AmendmentRow): Promise<PostRow[]> {
    const repository = manager.getRepository(PostRow);
    if (amendment.postIds && amendment.postIds.length > 0) {
      const rows = await repository
        .createQueryBuilder('p')
        .setLock('for_no_key_update')
        .where('p.convention_id = :conventionId AND p.id = ANY(:ids)', { conventionId, ids: amendment.postIds })
        .orderBy('p.id')
        .getMany();
      for (const postId of amendment.postIds) {
        const post = rows.find((r) => r.id === postId);
        if (!post) throw conflict('POST_NOT_IN_CONVENTION', `post ${postId} is not a post of this convention`);
        if (post.status !== 'VACANT') throw conflict('POST_NOT_VACANT', `post ${postId} is ${post.status}: only a vacant post can be returned`);
      }
      return rows;
    }
    const rows = await repository
      .createQueryBuilder('p')
      .setLock('for_no_key_update')
      .setOnLocked('skip_locked')
      .where(`p.convention_id = :conventionId AND p.status = 'VACANT'`, { conventionId })
      .orderBy('p.seq', 'DESC')
      .limit(amendment.posts)
      .getMany();
    if (rows.length < amendment.posts) {
      throw conflict('NOT_ENOUGH_VACANT_POSTS', `${amendment.posts} posts to return but only ${rows.length} are vacant: an occupied post cannot be returned`);
    }
    return rows;
  }

  private async affectedPosts(manager: EntityManager, amendmentId: string): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM posts WHERE created_by_amendment_id = $1 OR returned_by_amendment_id = $1 ORDER BY seq`,
      [amendmentId],
    );
    return rows.map((r) => r.id);
  }

  private async lockConvention(manager: EntityManager, id: string): Promise<ConventionRow> {
    const row = await manager.getRepository(ConventionRow).createQueryBuilder('c').setLock('for_no_key_update').where('c.id = :id', { id }).getOne();
    if (!row) throw notFound('convention');
    return row;
  }

  private async lockAmendment(manager: EntityManager, id: string): Promise<AmendmentRow> {
    const row = await manager.getRepository(AmendmentRow).createQueryBuilder('a').setLock('for_no_key_update').where('a.id = :id', { id }).getOne();
    if (!row) throw notFound('amendment');
    return row;
  }
}
