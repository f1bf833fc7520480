import { Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import { CommitmentRefusedV1, EventContext, SubsidyCommittedV1 } from '@cnfs/contracts';
import { Cents } from '@cnfs/money';
import { conflict, notFound, Page, pageWindow, unprocessable } from '@cnfs/service-kit';
import {
  CalendarDate,
  checkCommitment,
  computeSubsidy,
  deterministicId,
  Envelope,
  isCalendarDate,
  journals,
  LegalStatus,
  maxDate,
  NoApplicableRuleError,
  Phase,
  planTranches,
  RefusalReason,
  selectEnvelope,
  SubsidyAmount,
} from '@cnfs/subsidies-domain';
import { EntityManager } from 'typeorm';
import { SubsidiesCore } from '../core/core';
import { postJournals } from '../core/ledger-writer';
import { assertDepartmentFilter, assertSees, listConditions, whereClause } from '../core/principal';
import { cents } from '../core/sql';
import { PostsService } from '../posts/posts.service';
import { RulesService } from '../rules/rules.service';
import { TrancheEffects } from '../tranches/tranche-effects';
import { trancheView, TrancheView } from '../tranches/views';

export interface CommitRequest {
  source: 'CONVENTION' | 'AMENDMENT' | 'RENEWAL_REQUEST';
  conventionId: string;
  structureId: string;
  phase: Phase;
  postIds: string[];
  /** The rule in force on this date applies. */
  signedOn: CalendarDate;
  /** Start of the financed period (the schedule's anchor is not earlier). */
  startOn: CalendarDate;
  structure: { legalStatus: LegalStatus; departmentCode: string; qpv: boolean; zrr: boolean };
  requestId: string | null;
  /** The message that caused the commitment (refusals are keyed by it). */
  causeId: string;
}

export interface CommitOutcome {
  postId: string;
  commitmentId: string;
  outcome: 'COMMITTED' | 'ALREADY_COMMITTED' | 'REFUSED';
  reason?: RefusalReason;
}

export interface CommitmentView {
  id: string;
  postId: string;
  phase: Phase;
  conventionId: string;
  structureId: string;
  departmentCode: string;
  legalStatus: string;
  qpv: boolean;
  zrr: boolean;
  budgetEnvelopeId: string;
  ruleId: string;
  amountCents: number;
  cancelledCents: number;
  committedCents: number;
  signedOn: string;
  startOn: string;
  anchorOn: string | null;
  finalReportOn: string | null;
  schedule: string;
  source: string;
  requestId: string | null;
  createdAt: string;
  tranches?: TrancheView[];
}

interface CommitmentRow {
  id: string; post_id: string; phase: number; convention_id: string; structure_id: string; department_code: string; legal_status: string;
  qpv: boolean; zrr: boolean; envelope_id: string; rule_id: string; amount_cents: string; cancelled_cents: string; signed_on: string; start_on: string;
  anchor_on: string | null; final_report_on: string | null; schedule_name: string; source: string; request_id: string | null; created_at: Date;
}

const commitmentView = (r: CommitmentRow): CommitmentView => ({
  id: r.id,
  postId: r.post_id,
  phase: Number(r.phase) as Phase,
  conventionId: r.convention_id,
  structureId: r.structure_id,
  departmentCode: r.department_code,
  legalStatus: r.legal_status,
  qpv: r.qpv,
  zrr: r.zrr,
  budgetEnvelopeId: r.envelope_id,
  ruleId: r.rule_id,
  amountCents: cents(r.amount_cents).toNumber(),
  cancelledCents: cents(r.cancelled_cents).toNumber(),
  committedCents: cents(r.amount_cents).subtract(cents(r.cancelled_cents)).toNumber(),
  signedOn: r.signed_on,
  startOn: r.start_on,
  anchorOn: r.anchor_on,
  finalReportOn: r.final_report_on,
  schedule: r.schedule_name,
  source: r.source,
  requestId: r.request_id,
  createdAt: r.created_at.toISOString(),
});

export const commitmentIdOf = (postId: string, phase: Phase) => deterministicId('commitment', postId, String(phase));

/** The number of an envelope × département × structure (created on first use). */
export async function ledgerDimension(manager: EntityManager, envelopeId: string, departmentCode: string, structureId: string): Promise<number> {
  const params = [envelopeId, departmentCode, structureId];
  const [created] = await manager.query(
    `INSERT INTO ledger_dimensions (envelope_id, department_code, structure_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id`,
    params,
  );
  if (created) return created.id;
  const [existing] = await manager.query(`SELECT id FROM ledger_dimensions WHERE envelope_id = $1 AND department_code = $2 AND structure_id = $3`, params);
  return existing.id;
}

/**
 * Commits the subsidy of posts: the rule in force at signature gives the amount, the envelope of
 * the phase (locked) must hold it, the schedule splits it into tranches. A post that cannot be
 * committed is refused with an event saying why; nothing is ever guessed or over-committed.
 */
@Injectable()
export class CommitmentsService {
  private readonly tranches: TrancheEffects;

  constructor(
    private readonly core: SubsidiesCore,
    private readonly rules: RulesService,
    private readonly posts: PostsService,
  ) {
    this.tranches = new TrancheEffects(core);
  }

  async commit(manager: EntityManager, request: CommitRequest, context: EventContext): Promise<CommitOutcome[]> {
    const { phase, structure } = request;
    const postIds = [...new Set(request.postIds)].sort();
    for (const postId of postIds) {
      await this.posts.ensure(manager, { postId, conventionId: request.conventionId, structureId: request.structureId, departmentCode: structure.departmentCode });
    }
    let subsidy: SubsidyAmount | NoApplicableRuleError;
    try {
      subsidy = computeSubsidy(await this.rules.load(manager, phase), { phase, ...structure, date: request.signedOn });
    } catch (error) {
      if (!(error instanceof NoApplicableRuleError)) throw error;
      subsidy = error;
    }
    // Envelopes of the phase are locked: concurrent commitments are counted one after the other.
    const envelopeRows: { id: string; phase: number; amount_cents: string; committed_cents: string; opens_on: string; closes_on: string | null; priority: number }[] =
      await manager.query(`SELECT id, phase, amount_cents, committed_cents, opens_on, closes_on, priority FROM budget_envelopes WHERE phase = $1 ORDER BY id FOR UPDATE`, [phase]);
    const envelopes: Envelope[] = envelopeRows.map((e) => ({
      id: e.id, phase: Number(e.phase) as Phase, amount: cents(e.amount_cents), committed: cents(e.committed_cents), opensOn: e.opens_on, closesOn: e.closes_on, priority: e.priority,
    }));
    const envelope = selectEnvelope(envelopes, phase, request.signedOn);
    const outcomes: CommitOutcome[] = [];
    for (const postId of postIds) {
      const commitmentId = commitmentIdOf(postId, phase);
      const [existing] = await manager.query(`SELECT * FROM commitments WHERE id = $1`, [commitmentId]);
      if (existing) {
        if (request.requestId) await this.announce(manager, existing, request.requestId, context);
        outcomes.push({ postId, commitmentId, outcome: 'ALREADY_COMMITTED' });
        continue;
      }
      let refusal: RefusalReason;
      if (subsidy instanceof NoApplicableRuleError) {
        refusal = 'NO_APPLICABLE_RULE';
        await this.refuse(manager, request, postId, commitmentId, refusal, subsidy.message, context, { missing: subsidy });
      } else if (!envelope) {
        refusal = 'NO_OPEN_ENVELOPE';
        await this.refuse(manager, request, postId, commitmentId, refusal, `no phase-${phase} budget envelope is open on ${request.signedOn}`, context, {
          requested: subsidy.total,
        });
      } else {
        const check = checkCommitment(envelope, subsidy.total);
        if (check.ok) {
          envelope.committed = check.committedAfter;
          await this.create(manager, request, postId, commitmentId, envelope.id, subsidy, context);
          outcomes.push({ postId, commitmentId, outcome: 'COMMITTED' });
          continue;
        }
        refusal = check.reason;
        await this.refuse(
          manager, request, postId, commitmentId, refusal,
          `envelope ${envelope.id} has ${check.available.toString()} cents left, the post needs ${subsidy.total.toString()}: it is never over-committed`,
          context, { envelopeId: envelope.id, requested: subsidy.total, available: check.available },
        );
      }
      outcomes.push({ postId, commitmentId, outcome: 'REFUSED', reason: refusal });
    }
    return outcomes;
  }

  private async create(
    manager: EntityManager, request: CommitRequest, postId: string, commitmentId: string, envelopeId: string, subsidy: SubsidyAmount, context: EventContext,
  ): Promise<void> {
    const { structure, phase } = request;
    const schedule = this.core.settings.schedules[phase];
    const planned = planTranches(subsidy.periodAmounts, schedule);
    await manager.query(`UPDATE budget_envelopes SET committed_cents = committed_cents + $2 WHERE id = $1`, [envelopeId, subsidy.total.toString()]);
    const dimensionId = await ledgerDimension(manager, envelopeId, structure.departmentCode, request.structureId);
    await manager.query(
      `INSERT INTO commitments (id, post_id, phase, convention_id, structure_id, department_code, legal_status, qpv, zrr, envelope_id, dimension_id, rule_id,
                                amount_cents, signed_on, start_on, schedule_name, source, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        commitmentId, postId, phase, request.conventionId, request.structureId, structure.departmentCode, structure.legalStatus, structure.qpv, structure.zrr,
        envelopeId, dimensionId, subsidy.rule.id, subsidy.total.toString(), request.signedOn, request.startOn, schedule.name, request.source, request.requestId,
      ],
    );
    const tranches = planned.map((t) => ({ id: deterministicId('tranche', commitmentId, String(t.seq)), ...t }));
    for (const t of tranches) {
      await manager.query(
        `INSERT INTO tranches (id, commitment_id, seq, label, trigger, months_after_anchor, amount_cents, status, post_id, structure_id, department_code, envelope_id, dimension_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'SCHEDULED', $8, $9, $10, $11, $12)`,
        [t.id, commitmentId, t.seq, t.label, t.trigger, t.monthsAfterAnchor, t.amount.toString(), postId, request.structureId, structure.departmentCode, envelopeId, dimensionId],
      );
    }
    const dims = { envelopeId, departmentCode: structure.departmentCode, structureId: request.structureId };
    await postJournals(manager, [journals.commit(commitmentId, dims, subsidy.total)], this.core.today());
    await this.core.emit(manager, SubsidyCommittedV1, commitmentId, {
      commitmentId, conventionId: request.conventionId, structureId: request.structureId, postId, budgetEnvelopeId: envelopeId, ruleId: subsidy.rule.id,
      amountCents: subsidy.total.toNumber(), phase, departmentCode: structure.departmentCode, ruleKey: subsidy.rule.ruleKey, ruleVersion: subsidy.rule.version,
      tranches: tranches.map((t) => ({ trancheId: t.id, seq: t.seq, amountCents: t.amount.toNumber(), trigger: t.trigger })),
      requestId: request.requestId,
    }, context);
    // The post may already be occupied (a renewal on the same post, events out of order) or returned.
    const [post] = await manager.query(`SELECT occupied, occupied_since, returned_on FROM posts WHERE post_id = $1`, [postId]);
    if (post?.returned_on) {
      await this.tranches.cancelUnordered(manager, { commitmentId }, 'POST_RETURNED', context);
    } else if (post?.occupied) {
      await manager.query(`UPDATE commitments SET anchor_on = $2 WHERE id = $1`, [commitmentId, maxDate(post.occupied_since, request.startOn)]);
      await this.tranches.refreshCommitment(manager, commitmentId, context);
    }
  }

  /** Answers a renewal request for a post already committed with the existing commitment. */
  private async announce(manager: EntityManager, c: CommitmentRow, requestId: string, context: EventContext): Promise<void> {
    const [rule] = await manager.query(`SELECT rule_key, version FROM subsidy_rules WHERE id = $1`, [c.rule_id]);
    const tranches: { id: string; seq: number; amount_cents: string; trigger: 'FIRST_OCCUPATION' | 'ANNIVERSARY' | 'FINAL_REPORT' }[] = await manager.query(
      `SELECT id, seq, amount_cents, trigger FROM tranches WHERE commitment_id = $1 ORDER BY seq`,
      [c.id],
    );
    await this.core.emit(manager, SubsidyCommittedV1, c.id, {
      commitmentId: c.id, conventionId: c.convention_id, structureId: c.structure_id, postId: c.post_id, budgetEnvelopeId: c.envelope_id, ruleId: c.rule_id,
      amountCents: cents(c.amount_cents).toNumber(), phase: Number(c.phase) as Phase, departmentCode: c.department_code, ruleKey: rule.rule_key, ruleVersion: rule.version,
      tranches: tranches.map((t) => ({ trancheId: t.id, seq: Number(t.seq), amountCents: cents(t.amount_cents).toNumber(), trigger: t.trigger })),
      requestId,
    }, context);
  }

  private async refuse(
    manager: EntityManager, request: CommitRequest, postId: string, commitmentId: string, reason: RefusalReason, detail: string, context: EventContext,
    extra: { missing?: NoApplicableRuleError; envelopeId?: string; requested?: Cents; available?: Cents },
  ): Promise<void> {
    const missing = extra.missing?.missing;
    const missingRule = missing ? { ruleKey: missing.suggestedRuleKey, territory: missing.suggestedTerritory, legalStatus: missing.legalStatus, date: missing.date } : null;
    await manager.query(
      `INSERT INTO commitment_refusals (id, commitment_id, post_id, phase, convention_id, structure_id, department_code, reason, detail, missing_rule, envelope_id,
                                        requested_cents, available_cents, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING`,
      [
        deterministicId('refusal', commitmentId, request.causeId), commitmentId, postId, request.phase, request.conventionId, request.structureId,
        request.structure.departmentCode, reason, detail, missing ? JSON.stringify(missing) : null, extra.envelopeId ?? null,
        extra.requested?.toString() ?? null, extra.available?.toString() ?? null, request.requestId,
      ],
    );
    await this.core.emit(manager, CommitmentRefusedV1, commitmentId, {
      commitmentId, conventionId: request.conventionId, structureId: request.structureId, postId, departmentCode: request.structure.departmentCode, phase: request.phase,
      reason, detail, missingRule, budgetEnvelopeId: extra.envelopeId ?? null, requestedCents: extra.requested?.toNumber() ?? null,
      availableCents: extra.available?.toNumber() ?? null, requestId: request.requestId,
    }, context);
  }

  // ---- reads -------------------------------------------------------------------------------------

  async list(principal: Principal, query: { structureId?: string; departmentCode?: string; conventionId?: string; postId?: string; phase?: number; budgetEnvelopeId?: string; page?: number; pageSize?: number }): Promise<Page<CommitmentView>> {
    assertDepartmentFilter(principal, query.departmentCode);
    const params: unknown[] = [];
    const where = listConditions(principal, params, [
      ['structure_id', query.structureId], ['department_code', query.departmentCode], ['convention_id', query.conventionId], ['post_id', query.postId],
      ['phase', query.phase], ['envelope_id', query.budgetEnvelopeId],
    ]);
    const { limit, offset, page, pageSize } = pageWindow(query);
    const clause = whereClause(where);
    const [{ total }] = await this.core.dataSource.query(`SELECT count(*)::int AS total FROM commitments ${clause}`, params);
    const rows: CommitmentRow[] = await this.core.dataSource.query(
      `SELECT * FROM commitments ${clause} ORDER BY created_at, id LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    return { items: rows.map(commitmentView), page, pageSize, total };
  }

  async get(principal: Principal, id: string): Promise<CommitmentView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('commitment');
    const [row] = await this.core.dataSource.query(`SELECT * FROM commitments WHERE id = $1`, [id]);
    if (!row) throw notFound('commitment');
    assertSees(principal, row, 'commitment');
    const tranches = await this.core.dataSource.query(`SELECT * FROM tranche_states WHERE commitment_id = $1 ORDER BY seq`, [id]);
    return { ...commitmentView(row), tranches: tranches.map(trancheView) };
  }

  async refusals(principal: Principal, query: { departmentCode?: string; structureId?: string; page?: number; pageSize?: number }) {
    assertDepartmentFilter(principal, query.departmentCode);
    const params: unknown[] = [];
    // (an empty filter filters nothing here)
    const where = listConditions(principal, params, [['department_code', query.departmentCode || undefined], ['structure_id', query.structureId || undefined]]);
    const { limit, offset, page, pageSize } = pageWindow(query);
    const clause = whereClause(where);
    const [{ total }] = await this.core.dataSource.query(`SELECT count(*)::int AS total FROM commitment_refusals ${clause}`, params);
    const rows = await this.core.dataSource.query(`SELECT * FROM commitment_refusals ${clause} ORDER BY refused_at, id LIMIT ${limit} OFFSET ${offset}`, params);
    return {
      items: rows.map((r: Record<string, unknown>) => ({
        id: r.id, commitmentId: r.commitment_id, postId: r.post_id, phase: Number(r.phase), conventionId: r.convention_id, structureId: r.structure_id,
        departmentCode: r.department_code, reason: r.reason, detail: r.detail, missingRule: r.missing_rule, budgetEnvelopeId: r.envelope_id,
        requestedCents: r.requested_cents === null ? null : cents(r.requested_cents as string).toNumber(),
        availableCents: r.available_cents === null ? null : cents(r.available_cents as string).toNumber(),
        requestId: r.request_id, refusedAt: (r.refused_at as Date).toISOString(),
      })),
      page, pageSize, total,
    };
  }

  /**
   * Compensation asked by the lifecycle saga (`lifecycle.RenewalCommitmentReleaseRequested`): the
   * commitment its request made — and only one the request made, never one a convention made —
   * gives back its unordered tranches to the envelope. Paid or ordered tranches stay. Idempotent.
   */
  async releaseRequested(manager: EntityManager, requestId: string, reason: string, context: EventContext): Promise<number> {
    const [commitment] = await manager.query(
      `SELECT id FROM commitments WHERE request_id = $1 AND source = 'RENEWAL_REQUEST' FOR UPDATE`,
      [requestId],
    );
    if (!commitment) return 0;
    await manager.query(`UPDATE commitments SET released_on = COALESCE(released_on, $2), release_reason = COALESCE(release_reason, $3) WHERE id = $1`, [
      commitment.id, this.core.today(), reason,
    ]);
    return this.tranches.cancelUnordered(manager, { commitmentId: commitment.id }, 'COMMITMENT_RELEASED', context);
  }

  /** The end-of-service report ("bilan") is in: the final tranche becomes due. */
  async recordFinalReport(principal: Principal, id: string, receivedOn: CalendarDate, context: EventContext): Promise<CommitmentView> {
    if (!isCalendarDate(receivedOn)) throw unprocessable('receivedOn must be a calendar date', { errors: [{ field: 'receivedOn', message: 'YYYY-MM-DD' }] });
    if (receivedOn > this.core.today()) throw unprocessable('the report cannot be received in the future', { errors: [{ field: 'receivedOn', message: `on or before ${this.core.today()}` }] });
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('commitment');
    await this.core.transaction(async (manager) => {
      const [row] = await manager.query(`SELECT * FROM commitments WHERE id = $1 FOR UPDATE`, [id]);
      if (!row) throw notFound('commitment');
      assertSees(principal, row, 'commitment');
      if (row.final_report_on) throw conflict(`the end-of-service report was already recorded on ${row.final_report_on}`);
      await manager.query(`UPDATE commitments SET final_report_on = $2 WHERE id = $1`, [id, receivedOn]);
      await this.tranches.refreshCommitment(manager, id, context);
    });
    return this.get(principal, id);
  }
}
