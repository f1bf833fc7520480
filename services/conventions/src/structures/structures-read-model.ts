import { Inject, Injectable } from '@nestjs/common';
import {
  CoselecDecisionRecordedV1,
  EventEnvelope,
  StructureRegisteredV1,
  StructureStatusChangedV1,
  TOPICS,
} from '@cnfs/contracts';
import { applyCoselecDecision, NO_QUOTA, Phase, Quotas, StructureFacts } from '@cnfs/conventions-domain';
import { EventHandler } from '@cnfs/messaging';
import { Clock, CLOCK, EventConsumer } from '@cnfs/service-kit';
import { EntityManager } from 'typeorm';
import { CONVENTIONS_CONFIG, ConventionsConfig } from '../config';
import { StructureRow } from '../persistence/entities';
import { PayloadOf } from '../shared/transactions';

/**
 * This service's own picture of the structures it conventions, built from the structures service's events
 * (never from its tables): identity, legal status and territory, status, and the coselec quota of each phase.
 * The inbox makes each message count once; the structures topic is keyed by structure, so one structure's events
 * arrive in order. A decision arriving before the registration still creates the row (it carries the same facts).
 */
@Injectable()
export class StructuresReadModel implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.structures];

  constructor(
    @Inject(CONVENTIONS_CONFIG) config: ConventionsConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.name = config.structuresConsumerName;
  }

  handlers(): Record<string, EventHandler> {
    return {
      [`${StructureRegisteredV1.type}@v1`]: (envelope, { manager }) => this.registered(StructureRegisteredV1.parse(envelope), manager),
      [`${CoselecDecisionRecordedV1.type}@v1`]: (envelope, { manager }) => this.decided(CoselecDecisionRecordedV1.parse(envelope), manager),
      [`${StructureStatusChangedV1.type}@v1`]: (envelope, { manager }) => this.statusChanged(StructureStatusChangedV1.parse(envelope), manager),
    };
  }

  private async registered(envelope: EventEnvelope<PayloadOf<typeof StructureRegisteredV1>>, manager: EntityManager): Promise<void> {
    const p = envelope.payload;
    await manager.query(
      `INSERT INTO structures (structure_id, name, siret, legal_status, structure_type, department_code, qpv, zrr, status, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'CREEE', $9)
       ON CONFLICT (structure_id) DO UPDATE SET name = EXCLUDED.name, siret = EXCLUDED.siret, legal_status = EXCLUDED.legal_status,
         structure_type = EXCLUDED.structure_type, department_code = EXCLUDED.department_code, qpv = EXCLUDED.qpv, zrr = EXCLUDED.zrr,
         updated_at = EXCLUDED.updated_at`,
      [p.structureId, p.name, p.siret, p.legalStatus, p.type, p.departmentCode, p.qpv, p.zrr, this.clock.now()],
    );
  }

  private async decided(envelope: EventEnvelope<PayloadOf<typeof CoselecDecisionRecordedV1>>, manager: EntityManager): Promise<void> {
    const p = envelope.payload;
    const now = this.clock.now();
    // The structure's attributes as of the decision; its status follows StructureStatusChanged.
    await manager.query(
      `INSERT INTO structures (structure_id, legal_status, structure_type, department_code, qpv, zrr, status, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'CREEE', $7)
       ON CONFLICT (structure_id) DO UPDATE SET legal_status = EXCLUDED.legal_status, structure_type = EXCLUDED.structure_type,
         department_code = EXCLUDED.department_code, qpv = EXCLUDED.qpv, zrr = EXCLUDED.zrr, updated_at = EXCLUDED.updated_at`,
      [p.structureId, p.legalStatus, p.type, p.departmentCode, p.qpv, p.zrr, now],
    );
    const inserted: unknown[] = await manager.query(
      `INSERT INTO coselec_decisions (decision_id, structure_id, opinion, granted_posts, phase, committee_number, decided_at, message_id, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (decision_id) DO NOTHING RETURNING decision_id`,
      [p.decisionId, p.structureId, p.opinion, p.grantedPosts, p.phase, p.committeeNumber, p.decidedAt, envelope.messageId, now],
    );
    if (inserted.length === 0) return; // the same decision published again under another message id
    const [row] = await manager.query(`SELECT phase1_quota, phase2_quota FROM structures WHERE structure_id = $1 FOR NO KEY UPDATE`, [p.structureId]);
    const quotas = applyCoselecDecision({ phase1: row.phase1_quota, phase2: row.phase2_quota }, {
      opinion: p.opinion,
      grantedPosts: p.grantedPosts,
      phase: p.phase,
      effectiveQuota: p.effectiveQuota,
    });
    await manager.query(
      `UPDATE structures SET phase1_quota = $2, phase2_quota = $3, effective_quota_posts = $4, effective_quota_phase = $5 WHERE structure_id = $1`,
      [p.structureId, quotas.phase1, quotas.phase2, p.effectiveQuota?.posts ?? null, p.effectiveQuota?.phase ?? null],
    );
  }

  private async statusChanged(envelope: EventEnvelope<PayloadOf<typeof StructureStatusChangedV1>>, manager: EntityManager): Promise<void> {
    const p = envelope.payload;
    await manager.query(
      `INSERT INTO structures (structure_id, department_code, status, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (structure_id) DO UPDATE SET status = EXCLUDED.status, department_code = EXCLUDED.department_code, updated_at = EXCLUDED.updated_at`,
      [p.structureId, p.departmentCode, p.to, this.clock.now()],
    );
  }
}

export function quotasOf(row: StructureRow): Quotas {
  return { ...NO_QUOTA, phase1: row.phase1Quota, phase2: row.phase2Quota };
}

export function factsOf(row: StructureRow): StructureFacts {
  return { structureId: row.structureId, status: row.status, legalStatus: row.legalStatus, departmentCode: row.departmentCode, quotas: quotasOf(row) };
}

/** The structure row, locked for the transaction (serialises commands that depend on its quota), or null. */
export async function lockStructure(manager: EntityManager, structureId: string): Promise<StructureRow | null> {
  return manager.getRepository(StructureRow).createQueryBuilder('s').setLock('for_no_key_update').where('s.structure_id = :structureId', { structureId }).getOne();
}

export type { Phase };
