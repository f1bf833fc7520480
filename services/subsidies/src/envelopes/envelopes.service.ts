import { Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import { Cents } from '@cnfs/money';
import { conflict, notFound, unprocessable } from '@cnfs/service-kit';
import { journals, Phase } from '@cnfs/subsidies-domain';
import { EntityManager } from 'typeorm';
import { SubsidiesCore } from '../core/core';
import { postJournals } from '../core/ledger-writer';
import { actorOf } from '../core/principal';
import { cents } from '../core/sql';

export interface EnvelopeView {
  id: string;
  name: string;
  phase: Phase;
  opensOn: string;
  closesOn: string | null;
  priority: number;
  amountCents: number;
  committedCents: number;
  availableCents: number;
  fundings: { seq: number; label: string; amountCents: number; createdBy: string; createdAt: string }[];
}

/**
 * Budget envelopes: credits that commitments of a phase draw on (France Relance 2020, 200 M€;
 * renewal 2023, 44 M€ + 28 M€). Credits come in as fundings (each a FUND journal); the committed
 * counter moves with commitments and cancellations, under a row lock, and the database refuses
 * it beyond the credits.
 */
@Injectable()
export class EnvelopesService {
  constructor(private readonly core: SubsidiesCore) {}

  async list(): Promise<EnvelopeView[]> {
    const rows = await this.core.dataSource.query(`SELECT id FROM budget_envelopes ORDER BY phase, priority, id`);
    return Promise.all(rows.map((r: { id: string }) => this.get(r.id)));
  }

  async get(id: string, manager: EntityManager = this.core.dataSource.manager): Promise<EnvelopeView> {
    const [e] = await manager.query(`SELECT * FROM budget_envelopes WHERE id = $1`, [id]);
    if (!e) throw notFound('budget envelope');
    const fundings = await manager.query(`SELECT * FROM envelope_fundings WHERE envelope_id = $1 ORDER BY seq`, [id]);
    return {
      id: e.id,
      name: e.name,
      phase: Number(e.phase) as Phase,
      opensOn: e.opens_on,
      closesOn: e.closes_on,
      priority: e.priority,
      amountCents: cents(e.amount_cents).toNumber(),
      committedCents: cents(e.committed_cents).toNumber(),
      availableCents: cents(e.amount_cents).subtract(cents(e.committed_cents)).toNumber(),
      fundings: fundings.map((f: Record<string, any>) => ({ seq: f.seq, label: f.label, amountCents: cents(f.amount_cents).toNumber(), createdBy: f.created_by, createdAt: (f.created_at as Date).toISOString() })),
    };
  }

  async create(
    principal: Principal,
    body: { id: string; name: string; phase: Phase; opensOn: string; closesOn?: string; priority: number; fundings: { label: string; amountCents: number }[] },
  ): Promise<EnvelopeView> {
    if (body.closesOn && body.closesOn < body.opensOn) throw unprocessable('closesOn is before opensOn', { errors: [{ field: 'closesOn', message: `on or after ${body.opensOn}` }] });
    return this.core.transaction(async (manager) => {
      const [existing] = await manager.query(`SELECT 1 FROM budget_envelopes WHERE id = $1`, [body.id]);
      if (existing) throw conflict(`budget envelope ${body.id} already exists`);
      await manager.query(
        `INSERT INTO budget_envelopes (id, name, phase, opens_on, closes_on, priority, amount_cents, created_by) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)`,
        [body.id, body.name, body.phase, body.opensOn, body.closesOn ?? null, body.priority, actorOf(principal)],
      );
      for (const funding of body.fundings) await this.fund(manager, principal, body.id, funding);
      return this.get(body.id, manager);
    });
  }

  async addFunding(principal: Principal, id: string, funding: { label: string; amountCents: number }): Promise<EnvelopeView> {
    return this.core.transaction(async (manager) => {
      const [e] = await manager.query(`SELECT id FROM budget_envelopes WHERE id = $1 FOR UPDATE`, [id]);
      if (!e) throw notFound('budget envelope');
      await this.fund(manager, principal, id, funding);
      return this.get(id, manager);
    });
  }

  private async fund(manager: EntityManager, principal: Principal, id: string, funding: { label: string; amountCents: number }): Promise<void> {
    const amount = Cents.of(funding.amountCents);
    const [{ seq }] = await manager.query(`SELECT COALESCE(max(seq), 0) + 1 AS seq FROM envelope_fundings WHERE envelope_id = $1`, [id]);
    await manager.query(`INSERT INTO envelope_fundings (envelope_id, seq, label, amount_cents, created_by) VALUES ($1, $2, $3, $4, $5)`, [
      id, seq, funding.label, amount.toString(), actorOf(principal),
    ]);
    await manager.query(`UPDATE budget_envelopes SET amount_cents = amount_cents + $2 WHERE id = $1`, [id, amount.toString()]);
    await postJournals(manager, [journals.fund(id, seq, amount)], this.core.today());
  }
}
