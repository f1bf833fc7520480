import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import {
  ContractEndedV1,
  ContractRenewedV1,
  ContractRupturedV1,
  ContractSignedV1,
  EventContext,
  PostStatusChangedV1,
} from '@cnfs/contracts';
import {
  addDays,
  assertActive,
  assertMayRecruit,
  assertNaturalEnd,
  assertNone,
  CalendarDate,
  conflict,
  ContractState,
  ContractTerms,
  contractViolations,
  conventionCovers,
  isDueForNaturalEnd,
  isValidatedConvention,
  renewalViolations,
  ruptureViolations,
} from '@cnfs/conventions-domain';
import { Cents } from '@cnfs/money';
import { Clock, CLOCK, commandContext, notFound, Page, pageWindow } from '@cnfs/service-kit';
import { randomUUID } from 'node:crypto';
import { EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { CONVENTIONS_CONFIG, ConventionsConfig } from '../config';
import { ConseillerRow, ContractRow, ConventionRow, StructureRow } from '../persistence/entities';
import { assertActsFor, assertCanSee, assertUuid, scopeOf, subjectOf } from '../shared/scope';
import { localDateSql, todayOf } from '../shared/time';
import { Transactions } from '../shared/transactions';
import { ContractView, contractView } from '../shared/views';
import { ContractQueryDto, ContractTermsDto, CreateContractDto, RenewalDto, RuptureDto } from './contracts.dto';

type RequestLike = { headers: Record<string, string | string[] | undefined> };

const VALIDATED = ['CONVENTIONNEMENT_VALIDE', 'RECONVENTIONNEMENT_VALIDE'] as const;

function termsOf(body: ContractTermsDto): ContractTerms {
  return { type: body.type, startDate: body.startDate, endDate: body.endDate ?? null, grossMonthlySalaryCents: body.grossMonthlySalaryCents };
}

function stateOf(row: ContractRow): ContractState {
  return { id: row.id, type: row.type, status: row.status, startDate: row.startDate, endDate: row.endDate };
}

@Injectable()
export class ContractsService {
  constructor(
    private readonly tx: Transactions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONVENTIONS_CONFIG) private readonly config: ConventionsConfig,
  ) {}

  /**
   * Records an employment contract on a vacant post of a validated convention. Every rule is checked before a post
   * is touched; then one vacant post is locked with `FOR UPDATE SKIP LOCKED` (concurrent requests each get another
   * post or none), and a partial unique index keeps one active contract per post whatever happens. No vacant post:
   * 409, and the transaction — conseiller included — is rolled back.
   */
  async create(principal: Principal, body: CreateContractDto, request: RequestLike): Promise<ContractView> {
    assertActsFor(principal, body.structureId);
    const terms = termsOf(body);
    return this.tx.run(async (manager) => {
      const structure = await manager.getRepository(StructureRow).findOne({ where: { structureId: body.structureId } });
      if (!structure) throw notFound(`structure ${body.structureId}`);
      assertMayRecruit(structure);
      const eligible = await this.conventionsCovering(manager, body.structureId, terms.startDate, body.conventionId);
      const conseiller = await this.findConseiller(manager, body.conseiller);
      if (conseiller) await this.assertNotEmployed(manager, conseiller.id);
      assertNone(
        contractViolations(terms, { legalStatus: eligible[0].legalStatus!, minimumWage: this.config.minimumWage, birthDate: body.conseiller.birthDate }),
      );
      const holder = conseiller ?? (await this.createConseiller(manager, body.conseiller));
      const post = await this.lockVacantPost(manager, eligible.map((c) => c.id));
      const convention = eligible.find((c) => c.id === post.conventionId)!;
      if (convention.legalStatus !== eligible[0].legalStatus) {
        assertNone(contractViolations(terms, { legalStatus: convention.legalStatus!, minimumWage: this.config.minimumWage, birthDate: body.conseiller.birthDate }));
      }
      const now = this.clock.now();
      await manager.query(`UPDATE posts SET status = 'OCCUPE', updated_at = $2 WHERE id = $1`, [post.id, now]);
      const contract = manager.getRepository(ContractRow).create({
        id: randomUUID(),
        structureId: convention.structureId,
        conventionId: convention.id,
        postId: post.id,
        conseillerId: holder.id,
        departmentCode: convention.departmentCode,
        legalStatus: convention.legalStatus!,
        type: terms.type,
        startDate: terms.startDate,
        endDate: terms.endDate,
        grossMonthlySalary: Cents.of(terms.grossMonthlySalaryCents),
        status: 'ACTIF',
        ruptureReason: null,
        ruptureDate: null,
        endedOn: null,
        renewsContractId: null,
        cddChainStart: terms.startDate,
        createdAt: now,
        createdBy: subjectOf(principal),
        closedAt: null,
        closedBy: null,
      });
      await manager.getRepository(ContractRow).insert(contract);
      const context = commandContext(principal, this.clock, request);
      await this.emitSigned(manager, contract, holder, context);
      await this.emitPostChange(manager, contract, 'VACANT', 'OCCUPE', terms.startDate, context);
      return contractView(contract, holder);
    });
  }

  /** A rupture frees the post: dated between the start and the end of the contract, never in the future. */
  async rupture(principal: Principal, id: string, body: RuptureDto, request: RequestLike): Promise<ContractView> {
    assertUuid(id, 'contract');
    return this.tx.run(async (manager) => {
      const contract = await this.lockContract(manager, id);
      assertCanSee(principal, contract, 'contract');
      assertActsFor(principal, contract.structureId);
      assertActive(stateOf(contract));
      const today = todayOf(this.clock, this.config.timeZone, contract.departmentCode);
      assertNone(ruptureViolations(stateOf(contract), { reason: body.reason, date: body.date }, today));
      const now = this.clock.now();
      const changes = { status: 'ROMPU' as const, ruptureReason: body.reason, ruptureDate: body.date, endedOn: body.date, closedAt: now, closedBy: subjectOf(principal) };
      await manager.getRepository(ContractRow).update({ id }, changes);
      Object.assign(contract, changes);
      await manager.query(`UPDATE posts SET status = 'VACANT', updated_at = $2 WHERE id = $1`, [contract.postId, now]);
      const context = commandContext(principal, this.clock, request, body.comment ? `${body.reason}: ${body.comment}` : body.reason);
      await this.tx.emit(manager, ContractRupturedV1, id, {
        contractId: id,
        structureId: contract.structureId,
        conventionId: contract.conventionId,
        postId: contract.postId,
        departmentCode: contract.departmentCode,
        conseillerId: contract.conseillerId,
        reason: body.reason,
        date: body.date,
      }, context);
      await this.emitPostChange(manager, contract, 'OCCUPE', 'VACANT', body.date, context);
      return contractView(contract, await this.conseillerOf(manager, contract));
    });
  }

  /**
   * The natural end of one contract (TERMINE, post vacant again): what the clock-driven job does for every contract
   * past its end date, and what the lifecycle saga may ask for a given contract.
   */
  async endNaturally(id: string, context: EventContext, actor: string): Promise<ContractView> {
    assertUuid(id, 'contract');
    return this.tx.run(async (manager) => {
      const contract = await this.lockContract(manager, id);
      return this.endLocked(manager, contract, context, actor);
    });
  }

  /** The natural end the lifecycle saga announced (ContractEndDue), in the caller's transaction (its inbox's). */
  async endNaturallyInTransaction(manager: EntityManager, id: string, context: EventContext, actor: string): Promise<ContractView> {
    const contract = await this.lockContract(manager, id);
    return this.endLocked(manager, contract, context, actor);
  }

  async endNaturallyAs(principal: Principal, id: string, request: RequestLike): Promise<ContractView> {
    return this.endNaturally(id, commandContext(principal, this.clock, request, 'fin de contrat'), subjectOf(principal));
  }

  /** Ends, if still due, a contract picked by the job; false when no longer due or held by another transaction. */
  async endIfDue(id: string, context: EventContext, actor: string): Promise<boolean> {
    return this.tx.run(async (manager) => {
      const contract = await manager
        .getRepository(ContractRow)
        .createQueryBuilder('k')
        .setLock('for_no_key_update')
        .setOnLocked('skip_locked')
        .where(`k.id = :id AND k.status = 'ACTIF' AND k.type <> 'CDI'`, { id })
        .getOne();
      if (!contract || !isDueForNaturalEnd(stateOf(contract), todayOf(this.clock, this.config.timeZone, contract.departmentCode))) return false;
      await this.endLocked(manager, contract, context, actor);
      return true;
    });
  }

  /**
   * Ids of active non-CDI contracts whose end date has passed where their structure is (its local date), after a
   * keyset cursor (end date, id). Every zone is within a day of the reference one: the coarse bound uses the index.
   */
  async dueForNaturalEnd(limit: number, after?: { endDate: CalendarDate; id: string }): Promise<{ id: string; endDate: CalendarDate }[]> {
    const bound = addDays(todayOf(this.clock, this.config.timeZone), 1);
    const rows: { id: string; end_date: string }[] = await this.tx.dataSource.query(
      `SELECT id, end_date FROM contracts
        WHERE status = 'ACTIF' AND type <> 'CDI' AND end_date < $1::date AND end_date < ${localDateSql('department_code', '$5', '$6')}
          AND ($2::date IS NULL OR (end_date, id) > ($2::date, $3::uuid))
        ORDER BY end_date, id LIMIT $4`,
      [bound, after?.endDate ?? null, after?.id ?? null, limit, this.clock.now(), this.config.timeZone],
    );
    return rows.map((r) => ({ id: r.id, endDate: r.end_date }));
  }

  private async endLocked(manager: EntityManager, contract: ContractRow, context: EventContext, actor: string): Promise<ContractView> {
    const today = todayOf(this.clock, this.config.timeZone, contract.departmentCode);
    assertNaturalEnd(stateOf(contract), today);
    const now = this.clock.now();
    const endDate = contract.endDate as CalendarDate;
    const changes = { status: 'TERMINE' as const, endedOn: endDate, closedAt: now, closedBy: actor };
    await manager.getRepository(ContractRow).update({ id: contract.id }, changes);
    Object.assign(contract, changes);
    await manager.query(`UPDATE posts SET status = 'VACANT', updated_at = $2 WHERE id = $1`, [contract.postId, now]);
    await this.tx.emit(manager, ContractEndedV1, contract.id, {
      contractId: contract.id,
      structureId: contract.structureId,
      conventionId: contract.conventionId,
      postId: contract.postId,
      departmentCode: contract.departmentCode,
      conseillerId: contract.conseillerId,
      endDate,
    }, context);
    await this.emitPostChange(manager, contract, 'OCCUPE', 'VACANT', endDate, context);
    return contractView(contract, await this.conseillerOf(manager, contract));
  }

  /**
   * Records the renewal of an active fixed-term contract (what the lifecycle saga asks once the renewal is financed):
   * the new contract starts the day after the old one ends, on the same post (default) or on a vacant post of another
   * validated convention of the structure; a private-law CDD cannot be renewed as a CDD beyond 18 months in all.
   */
  async renew(principal: Principal, id: string, body: RenewalDto, request: RequestLike): Promise<ContractView> {
    assertUuid(id, 'contract');
    const terms = termsOf(body);
    return this.tx.run(async (manager) => {
      const previous = await this.lockContract(manager, id);
      assertCanSee(principal, previous, 'contract');
      assertActsFor(principal, previous.structureId);
      return this.renewLocked(manager, previous, terms, body.conventionId, commandContext(principal, this.clock, request, 'renouvellement du contrat'), subjectOf(principal));
    });
  }

  /**
   * The renewal the lifecycle saga financed, recorded in the caller's transaction (its inbox's): the same rules as
   * {@link renew}, on the same post. Throws the rule's refusal when it cannot be recorded.
   */
  async renewInTransaction(manager: EntityManager, id: string, terms: ContractTerms, context: EventContext, actor: string): Promise<ContractView> {
    const previous = await this.lockContract(manager, id);
    return this.renewLocked(manager, previous, terms, undefined, context, actor);
  }

  private async renewLocked(
    manager: EntityManager, previous: ContractRow, terms: ContractTerms, conventionId: string | undefined, context: EventContext, actor: string,
  ): Promise<ContractView> {
    const structure = await manager.getRepository(StructureRow).findOneOrFail({ where: { structureId: previous.structureId } });
    assertMayRecruit(structure);
    assertActive(stateOf(previous));
    const conseiller = await this.conseillerOf(manager, previous);
    const targetConventionId = conventionId?.toLowerCase() ?? previous.conventionId;
    const [target] = await this.conventionsCovering(manager, previous.structureId, terms.startDate, targetConventionId);
    assertNone(
      renewalViolations({ ...stateOf(previous), cddChainStart: previous.cddChainStart }, terms, {
        legalStatus: target.legalStatus!,
        minimumWage: this.config.minimumWage,
        birthDate: conseiller.birthDate,
      }),
    );
    const now = this.clock.now();
    const closing = { status: 'RENOUVELE' as const, endedOn: previous.endDate, closedAt: now, closedBy: actor };
    await manager.getRepository(ContractRow).update({ id: previous.id }, closing);
    let postId = previous.postId;
    const moves = target.id !== previous.conventionId;
    if (moves) {
      postId = (await this.lockVacantPost(manager, [target.id])).id;
      await manager.query(`UPDATE posts SET status = 'VACANT', updated_at = $2 WHERE id = $1`, [previous.postId, now]);
      await manager.query(`UPDATE posts SET status = 'OCCUPE', updated_at = $2 WHERE id = $1`, [postId, now]);
    }
    const renewal = manager.getRepository(ContractRow).create({
      id: randomUUID(),
      structureId: previous.structureId,
      conventionId: target.id,
      postId,
      conseillerId: previous.conseillerId,
      departmentCode: target.departmentCode,
      legalStatus: target.legalStatus!,
      type: terms.type,
      startDate: terms.startDate,
      endDate: terms.endDate,
      grossMonthlySalary: Cents.of(terms.grossMonthlySalaryCents),
      status: 'ACTIF',
      ruptureReason: null,
      ruptureDate: null,
      endedOn: null,
      renewsContractId: previous.id,
      cddChainStart: previous.type === 'CDD' && terms.type === 'CDD' ? previous.cddChainStart : terms.startDate,
      createdAt: now,
      createdBy: actor,
      closedAt: null,
      closedBy: null,
    });
    await manager.getRepository(ContractRow).insert(renewal);
    await this.tx.emit(manager, ContractRenewedV1, previous.id, {
      contractId: previous.id,
      newContractId: renewal.id,
      structureId: renewal.structureId,
      postId: renewal.postId,
      departmentCode: renewal.departmentCode,
      contractType: renewal.type,
      startDate: renewal.startDate,
      endDate: renewal.endDate,
    }, context);
    await this.emitSigned(manager, renewal, conseiller, context);
    if (moves) {
      await this.emitPostChange(manager, previous, 'OCCUPE', 'VACANT', previous.endDate as CalendarDate, context);
      await this.emitPostChange(manager, renewal, 'VACANT', 'OCCUPE', renewal.startDate, context);
    }
    return contractView(renewal, conseiller);
  }

  async get(principal: Principal, id: string): Promise<ContractView> {
    assertUuid(id, 'contract');
    const manager = this.tx.dataSource.manager;
    const row = await manager.getRepository(ContractRow).findOne({ where: { id } });
    if (!row) throw notFound('contract');
    assertCanSee(principal, row, 'contract');
    return contractView(row, await this.conseillerOf(manager, row));
  }

  async list(principal: Principal, query: ContractQueryDto): Promise<Page<ContractView>> {
    const { limit, offset, page, pageSize } = pageWindow(query);
    const [rows, total] = await this.filtered(principal, query).take(limit).skip(offset).getManyAndCount();
    return { items: await this.views(rows), page, pageSize, total };
  }

  /** One page of the filtered list, for the CSV export. */
  async exportPage(principal: Principal, query: ContractQueryDto, limit: number, offset: number): Promise<ContractView[]> {
    return this.views(await this.filtered(principal, query).take(limit).skip(offset).getMany());
  }

  private filtered(principal: Principal, query: ContractQueryDto): SelectQueryBuilder<ContractRow> {
    const qb = this.tx.dataSource.manager.getRepository(ContractRow).createQueryBuilder('k');
    const scope = scopeOf(principal);
    if (scope && 'structureId' in scope) qb.andWhere('k.structure_id = :own', { own: scope.structureId });
    if (scope && 'departments' in scope) qb.andWhere('k.department_code = ANY(:departments)', { departments: [...scope.departments] });
    if (query.structureId) qb.andWhere('k.structure_id = :structureId', { structureId: query.structureId });
    if (query.conventionId) qb.andWhere('k.convention_id = :conventionId', { conventionId: query.conventionId });
    if (query.postId) qb.andWhere('k.post_id = :postId', { postId: query.postId });
    if (query.status) qb.andWhere('k.status = :status', { status: query.status });
    if (query.type) qb.andWhere('k.type = :type', { type: query.type });
    if (query.departmentCode) qb.andWhere('k.department_code = :departmentCode', { departmentCode: query.departmentCode });
    if (query.endsBefore) qb.andWhere('k.end_date <= :endsBefore', { endsBefore: query.endsBefore });
    return qb.orderBy('k.seq', 'ASC');
  }

  private async views(rows: ContractRow[]): Promise<ContractView[]> {
    if (rows.length === 0) return [];
    const conseillers = await this.tx.dataSource.manager.getRepository(ConseillerRow).find({ where: { id: In([...new Set(rows.map((r) => r.conseillerId))]) } });
    const byId = new Map(conseillers.map((c) => [c.id, c]));
    return rows.map((r) => contractView(r, byId.get(r.conseillerId)!));
  }

  /** Validated conventions of the structure covering a date (a given one, or all, newest phase first); 409 when none. */
  private async conventionsCovering(manager: EntityManager, structureId: string, date: CalendarDate, conventionId?: string): Promise<ConventionRow[]> {
    const conventions = await manager.getRepository(ConventionRow).find({
      where: { structureId, status: In([...VALIDATED]) },
      order: { phase: 'DESC', startDate: 'ASC' },
    });
    const candidates = conventionId ? conventions.filter((c) => c.id === conventionId.toLowerCase()) : conventions;
    if (candidates.length === 0) {
      throw conflict(
        'NO_VALIDATED_CONVENTION',
        conventionId ? `convention ${conventionId} is not a validated convention of structure ${structureId}` : `structure ${structureId} has no validated convention`,
      );
    }
    const covering = candidates.filter((c) => isValidatedConvention(c.status) && conventionCovers(c, date));
    if (covering.length === 0) {
      const periods = candidates.map((c) => `${c.startDate} – ${c.endDate}`).join(', ');
      throw conflict('START_OUTSIDE_CONVENTION', `no validated convention of structure ${structureId} covers ${date} (${periods})`);
    }
    return covering;
  }

  /** One vacant post among the conventions (in their order of preference), locked; posts locked by others are skipped. */
  private async lockVacantPost(manager: EntityManager, conventionIds: string[]): Promise<{ id: string; conventionId: string }> {
    const rows: { id: string; convention_id: string }[] = await manager.query(
      `SELECT id, convention_id FROM posts
        WHERE convention_id = ANY($1::uuid[]) AND status = 'VACANT'
        ORDER BY array_position($1::uuid[], convention_id), seq
        LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [conventionIds],
    );
    if (rows.length === 0) {
      throw conflict('NO_VACANT_POST', 'no vacant post is left in the validated conventions of this structure: every conventioned post is occupied');
    }
    return { id: rows[0].id, conventionId: rows[0].convention_id };
  }

  private async findConseiller(manager: EntityManager, who: { email: string; firstName: string; lastName: string; birthDate: string }): Promise<ConseillerRow | null> {
    const existing = await manager.getRepository(ConseillerRow).createQueryBuilder('c').where('lower(c.email) = lower(:email)', { email: who.email }).getOne();
    if (existing) this.assertSamePerson(existing, who);
    return existing;
  }

  /** The same e-mail is the same person: a record whose identity differs is refused, never overwritten. */
  private assertSamePerson(existing: ConseillerRow, who: { firstName: string; lastName: string; birthDate: string }): void {
    const same = (a: string, b: string) => a.trim().localeCompare(b.trim(), 'fr', { sensitivity: 'base' }) === 0;
    if (existing.birthDate !== who.birthDate || !same(existing.firstName, who.firstName) || !same(existing.lastName, who.lastName)) {
      throw conflict('CONSEILLER_IDENTITY_MISMATCH', 'this e-mail address belongs to a conseiller recorded with another name or birth date');
    }
  }

  private async createConseiller(manager: EntityManager, who: { email: string; firstName: string; lastName: string; birthDate: string }): Promise<ConseillerRow> {
    const row = manager.getRepository(ConseillerRow).create({
      id: randomUUID(),
      email: who.email.trim(),
      firstName: who.firstName.trim(),
      lastName: who.lastName.trim(),
      birthDate: who.birthDate,
      createdAt: this.clock.now(),
    });
    // A concurrent request may create the same person first: then use that record (same identity required).
    const inserted: unknown[] = await manager.query(
      `INSERT INTO conseillers (id, email, first_name, last_name, birth_date, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ((lower(email))) DO NOTHING RETURNING id`,
      [row.id, row.email, row.firstName, row.lastName, row.birthDate, row.createdAt],
    );
    if (inserted.length > 0) return row;
    const existing = (await this.findConseiller(manager, who)) as ConseillerRow;
    await this.assertNotEmployed(manager, existing.id);
    return existing;
  }

  private async assertNotEmployed(manager: EntityManager, conseillerId: string): Promise<void> {
    const active = await manager.getRepository(ContractRow).findOne({ where: { conseillerId, status: 'ACTIF' } });
    if (active) throw conflict('CONSEILLER_ALREADY_EMPLOYED', `this conseiller already holds active contract ${active.id}`);
  }

  private async conseillerOf(manager: EntityManager, contract: ContractRow): Promise<ConseillerRow> {
    return manager.getRepository(ConseillerRow).findOneOrFail({ where: { id: contract.conseillerId } });
  }

  private async lockContract(manager: EntityManager, id: string): Promise<ContractRow> {
    const row = await manager.getRepository(ContractRow).createQueryBuilder('k').setLock('for_no_key_update').where('k.id = :id', { id }).getOne();
    if (!row) throw notFound('contract');
    return row;
  }

  private async emitSigned(manager: EntityManager, contract: ContractRow, conseiller: ConseillerRow, context: EventContext): Promise<void> {
    await this.tx.emit(manager, ContractSignedV1, contract.id, {
      contractId: contract.id,
      structureId: contract.structureId,
      conventionId: contract.conventionId,
      postId: contract.postId,
      departmentCode: contract.departmentCode,
      legalStatus: contract.legalStatus,
      contractType: contract.type,
      startDate: contract.startDate,
      endDate: contract.endDate,
      conseiller: { id: conseiller.id, firstName: conseiller.firstName, lastName: conseiller.lastName, email: conseiller.email },
      renewsContractId: contract.renewsContractId,
    }, context);
  }

  private async emitPostChange(
    manager: EntityManager,
    contract: ContractRow,
    from: 'VACANT' | 'OCCUPE',
    to: 'VACANT' | 'OCCUPE',
    effectiveDate: CalendarDate,
    context: EventContext,
  ): Promise<void> {
    await this.tx.emit(manager, PostStatusChangedV1, contract.conventionId, {
      postId: contract.postId,
      conventionId: contract.conventionId,
      structureId: contract.structureId,
      departmentCode: contract.departmentCode,
      from,
      to,
      effectiveDate,
      contractId: contract.id,
    }, context);
  }
}
