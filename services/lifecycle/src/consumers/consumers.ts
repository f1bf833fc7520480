import { Inject, Injectable } from '@nestjs/common';
import {
  CertificationObtainedV1,
  CommitmentRefusedV1,
  ContractEndedV1,
  ContractRenewedV1,
  ContractRupturedV1,
  ContractSignedV1,
  ConventionValidatedV1,
  EventEnvelope,
  PrefectOpinionGivenV1,
  SubsidyCommittedV1,
  TOPICS,
  TrainingAbandonedV1,
  TrainingCompletedV1,
  TrainingEnrolledV1,
} from '@cnfs/contracts';
import { canMove, ContractFacts, LifecycleMessage, LifecycleState, renewalFinancedUntil, TrainingEnrolmentStatus } from '@cnfs/lifecycle-domain';
import { EventHandler, HandlerContext } from '@cnfs/messaging';
import { Clock, CLOCK, EventConsumer, reactionContext } from '@cnfs/service-kit';
import { EntityManager } from 'typeorm';
import { LIFECYCLE_SETTINGS, LifecycleSettings } from '../config';
import { SagaEngine } from '../saga/saga-engine';

export const SAGA_JOB = 'lifecycle-saga';

type Payload<D> = D extends { parse(e: EventEnvelope): EventEnvelope<infer P> } ? P : never;

/** What every consumer does with a message for a saga: decide and apply, in the inbox's transaction. */
@Injectable()
export class SagaReactions {
  constructor(
    private readonly engine: SagaEngine,
    @Inject(CLOCK) readonly clock: Clock,
  ) {}

  async apply(manager: EntityManager, cause: EventEnvelope, messages: { contractId: string; message: LifecycleMessage }[]): Promise<void> {
    const context = reactionContext(cause, this.clock, SAGA_JOB);
    // Messages for a contract the saga does not know (signed before its history, or another context's
    // test data) are refused by decide and change nothing: the message is done.
    await this.engine.apply(manager, messages.map((m) => ({ ...m, context })), this.clock.now());
  }
}

/**
 * Contracts: a signature starts a saga (a CDI followed until its financing ends: its convention's,
 * or the renewal's 36 months); ruptures, natural ends and renewals move it.
 */
@Injectable()
export class ContractsConsumer implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.contracts];

  constructor(
    @Inject(LIFECYCLE_SETTINGS) settings: LifecycleSettings,
    private readonly sagas: SagaReactions,
  ) {
    this.name = `${settings.consumerGroupPrefix}.contracts`;
  }

  handlers(): Record<string, EventHandler> {
    return {
      [ContractSignedV1.type]: async (raw, { manager }) => {
        const e = ContractSignedV1.parse(raw);
        await lockConvention(manager, e.payload.conventionId);
        const facts = await factsOf(manager, e.payload);
        await this.sagas.apply(manager, e, [{ contractId: facts.contractId, message: { kind: 'ContractSigned', at: this.sagas.clock.now(), facts } }]);
      },
      [ContractRupturedV1.type]: async (raw, { manager }) => {
        const e = ContractRupturedV1.parse(raw);
        const p = e.payload;
        await this.sagas.apply(manager, e, [{ contractId: p.contractId, message: { kind: 'ContractRuptured', at: this.sagas.clock.now(), reason: p.reason, date: p.date } }]);
      },
      [ContractEndedV1.type]: async (raw, { manager }) => {
        const e = ContractEndedV1.parse(raw);
        await this.sagas.apply(manager, e, [{ contractId: e.payload.contractId, message: { kind: 'ContractEnded', at: this.sagas.clock.now() } }]);
      },
      [ContractRenewedV1.type]: async (raw, { manager }) => {
        const e = ContractRenewedV1.parse(raw);
        await this.sagas.apply(manager, e, [
          { contractId: e.payload.contractId, message: { kind: 'ContractRenewed', at: this.sagas.clock.now(), newContractId: e.payload.newContractId } },
        ]);
      },
    };
  }
}

/**
 * A contract's signature and its convention's validation come from two topics, consumed by two consumers at once.
 * Without a common lock, each transaction could miss the other's uncommitted row (the saga would read no
 * convention, the convention would find no saga waiting) and the saga would wait for its convention forever.
 * Both take this transaction-level lock first: the second one reads what the first committed.
 */
async function lockConvention(manager: EntityManager, conventionId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`lifecycle.convention:${conventionId}`]);
}

/** The facts a saga starts from: the signature, the convention (read model) and the contract it renews. */
async function factsOf(manager: EntityManager, p: Payload<typeof ContractSignedV1>): Promise<ContractFacts> {
  const [convention]: { qpv: boolean; zrr: boolean; financed_until: string }[] = await manager.query(
    `SELECT qpv, zrr, financed_until FROM conventions WHERE convention_id = $1`,
    [p.conventionId],
  );
  let qpv = convention?.qpv ?? false;
  let zrr = convention?.zrr ?? false;
  let conventionKnown = Boolean(convention);
  let financedUntil: string | null = convention?.financed_until ?? null;
  let financing: ContractFacts['financing'] = 'CONVENTION';
  let chainStart: string | undefined;
  if (p.renewsContractId) {
    const [previous]: { state: LifecycleState }[] = await manager.query(`SELECT state FROM sagas WHERE contract_id = $1`, [p.renewsContractId]);
    if (previous) {
      const before = previous.state.facts;
      if (before.contractType === 'CDD' && p.contractType === 'CDD') chainStart = before.chainStart ?? before.startDate;
      if (!conventionKnown && before.conventionId === p.conventionId) ({ qpv, zrr, conventionKnown } = before);
      // Renewed with a phase-2 subsidy: the post is financed for its 36 months from the renewal's start.
      if (previous.state.renewal?.commitment) {
        financing = 'RENEWAL';
        financedUntil = renewalFinancedUntil(p.startDate);
      }
    }
  }
  return {
    contractId: p.contractId,
    structureId: p.structureId,
    conventionId: p.conventionId,
    postId: p.postId,
    conseillerId: p.conseiller.id,
    departmentCode: p.departmentCode,
    legalStatus: p.legalStatus,
    qpv,
    zrr,
    conventionKnown,
    contractType: p.contractType,
    startDate: p.startDate,
    ...(chainStart ? { chainStart } : {}),
    financing,
    followUntil: p.contractType === 'CDI' ? financedUntil : p.endDate,
  };
}

/** Conventions: the read model of validated conventions (financing end, structure's QPV/ZRR), told to the sagas that waited for it. */
@Injectable()
export class ConventionsConsumer implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.conventions];

  constructor(
    @Inject(LIFECYCLE_SETTINGS) settings: LifecycleSettings,
    private readonly sagas: SagaReactions,
  ) {
    this.name = `${settings.consumerGroupPrefix}.conventions`;
  }

  handlers(): Record<string, EventHandler> {
    return {
      [ConventionValidatedV1.type]: async (raw, { manager }: HandlerContext) => {
        const e = ConventionValidatedV1.parse(raw);
        const p = e.payload;
        await lockConvention(manager, p.conventionId);
        await manager.query(
          `INSERT INTO conventions (convention_id, structure_id, phase, department_code, legal_status, qpv, zrr, signed_at, start_date, financed_until, end_date, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (convention_id) DO NOTHING`,
          [p.conventionId, p.structureId, p.phase, p.structure.departmentCode, p.structure.legalStatus, p.structure.qpv, p.structure.zrr, p.signedAt, p.startDate, p.financedUntil, p.endDate, this.sagas.clock.now()],
        );
        const waiting: { contract_id: string }[] = await manager.query(
          `SELECT contract_id FROM sagas WHERE convention_id = $1 AND NOT convention_known ORDER BY contract_id`,
          [p.conventionId],
        );
        await this.sagas.apply(
          manager, e,
          waiting.map((w) => ({
            contractId: w.contract_id,
            message: { kind: 'ConventionKnown', at: this.sagas.clock.now(), financedUntil: p.financedUntil, qpv: p.structure.qpv, zrr: p.structure.zrr },
          })),
        );
      },
    };
  }
}

/** Structures: the préfet's opinion on a structure's renewal, kept, and given to its contracts' pending renewal requests. */
@Injectable()
export class StructuresConsumer implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.structures];

  constructor(
    @Inject(LIFECYCLE_SETTINGS) settings: LifecycleSettings,
    private readonly sagas: SagaReactions,
  ) {
    this.name = `${settings.consumerGroupPrefix}.structures`;
  }

  handlers(): Record<string, EventHandler> {
    return {
      [PrefectOpinionGivenV1.type]: async (raw, { manager }) => {
        const e = PrefectOpinionGivenV1.parse(raw);
        const p = e.payload;
        const givenAt = new Date(e.occurredAt);
        await manager.query(
          `INSERT INTO prefect_opinions (opinion_id, structure_id, department_code, opinion, given_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (opinion_id) DO NOTHING`,
          [p.opinionId, p.structureId, p.departmentCode, p.opinion, givenAt],
        );
        const requested: { contract_id: string }[] = await manager.query(
          `SELECT contract_id FROM sagas WHERE structure_id = $1 AND status = 'RENEWAL_REQUESTED' ORDER BY contract_id`,
          [p.structureId],
        );
        await this.sagas.apply(manager, e, requested.map((r) => ({ contractId: r.contract_id, message: { kind: 'PrefectOpinionGiven', at: givenAt, opinion: p.opinion } })));
      },
    };
  }
}

/** Subsidies: the answers to the saga's commitment requests (matched by request id; other commitments are not the saga's business). */
@Injectable()
export class SubsidiesConsumer implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.subsidies];

  constructor(
    @Inject(LIFECYCLE_SETTINGS) settings: LifecycleSettings,
    private readonly sagas: SagaReactions,
  ) {
    this.name = `${settings.consumerGroupPrefix}.subsidies`;
  }

  handlers(): Record<string, EventHandler> {
    const sagaOf = async (manager: EntityManager, requestId: string | null | undefined): Promise<string | undefined> => {
      if (!requestId) return undefined;
      const [row] = await manager.query(`SELECT contract_id FROM sagas WHERE request_id = $1`, [requestId]);
      return row?.contract_id;
    };
    return {
      [SubsidyCommittedV1.type]: async (raw, { manager }) => {
        const e = SubsidyCommittedV1.parse(raw);
        const contractId = await sagaOf(manager, e.payload.requestId);
        if (!contractId) return;
        await this.sagas.apply(manager, e, [{
          contractId,
          message: { kind: 'FinancingCommitted', at: this.sagas.clock.now(), commitmentId: e.payload.commitmentId, amountCents: e.payload.amountCents, budgetEnvelopeId: e.payload.budgetEnvelopeId },
        }]);
      },
      [CommitmentRefusedV1.type]: async (raw, { manager }) => {
        const e = CommitmentRefusedV1.parse(raw);
        const contractId = await sagaOf(manager, e.payload.requestId);
        if (!contractId) return;
        await this.sagas.apply(manager, e, [{ contractId, message: { kind: 'FinancingRefused', at: this.sagas.clock.now(), reason: `${e.payload.reason}: ${e.payload.detail}` } }]);
      },
    };
  }
}

/**
 * Training: what each conseiller's training is, so that the renewal views (and ANCT deciding) know whether the
 * conseiller is trained. Not a saga message: a training outlives the contract it started under.
 */
@Injectable()
export class TrainingConsumer implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.training];

  constructor(
    @Inject(LIFECYCLE_SETTINGS) settings: LifecycleSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.name = `${settings.consumerGroupPrefix}.training`;
  }

  handlers(): Record<string, EventHandler> {
    /** Moves an enrolment forward only (a redelivered or late event changes nothing). */
    const move = async (manager: EntityManager, enrolmentId: string, to: TrainingEnrolmentStatus, endDate: string) => {
      const [row]: { status: TrainingEnrolmentStatus }[] = await manager.query(`SELECT status FROM training_enrolments WHERE enrolment_id = $1 FOR UPDATE`, [enrolmentId]);
      if (!row || !canMove(row.status, to)) return;
      await manager.query(`UPDATE training_enrolments SET status = $2, end_date = $3, updated_at = $4 WHERE enrolment_id = $1`, [enrolmentId, to, endDate, this.clock.now()]);
    };
    return {
      [TrainingEnrolledV1.type]: async (raw, { manager }) => {
        const p = TrainingEnrolledV1.parse(raw).payload;
        await manager.query(
          `INSERT INTO training_enrolments (enrolment_id, conseiller_id, contract_id, status, pathway_hours, lot, start_date, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (enrolment_id) DO NOTHING`,
          [p.enrolmentId, p.conseillerId, p.contractId, p.waiver ? 'WAIVED' : 'ONGOING', p.pathwayHours, p.lot, p.startDate, this.clock.now()],
        );
      },
      [TrainingCompletedV1.type]: async (raw, { manager }) => {
        const p = TrainingCompletedV1.parse(raw).payload;
        await move(manager, p.enrolmentId, 'COMPLETED', p.endDate);
      },
      [TrainingAbandonedV1.type]: async (raw, { manager }) => {
        const p = TrainingAbandonedV1.parse(raw).payload;
        await move(manager, p.enrolmentId, 'ABANDONED', p.endDate);
      },
      [CertificationObtainedV1.type]: async (raw, { manager }) => {
        const p = CertificationObtainedV1.parse(raw).payload;
        await manager.query(
          `INSERT INTO training_certifications (certification_id, conseiller_id, kind, obtained_at, below_threshold) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (certification_id) DO NOTHING`,
          [p.certificationId, p.conseillerId, p.kind, p.obtainedAt, p.belowThreshold],
        );
      },
    };
  }
}

export const LIFECYCLE_CONSUMERS = [ContractsConsumer, ConventionsConsumer, StructuresConsumer, SubsidiesConsumer, TrainingConsumer];
