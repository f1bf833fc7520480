import { Inject, Injectable } from '@nestjs/common';
import { ContractRupturedV1, ContractSignedV1, TOPICS, TrainingAbandonedV1 } from '@cnfs/contracts';
import { EventHandler, HandlerContext } from '@cnfs/messaging';
import { Clock, CLOCK, EventConsumer, JsonLogger, reactionContext } from '@cnfs/service-kit';
import { regionOf } from '@cnfs/territory';
import { becomesCurrentContract, withdrawOnRupture } from '@cnfs/training-domain';
import { abandonedPayload, updateClosedEnrolment } from './persistence/enrolments.repository';
import { contractOf, EnrolmentRow, enrolmentOf } from './persistence/rows';
import { findContract, insertContract, lockTrainee, refreshTraineeStatus } from './persistence/trainees.repository';
import { TRAINING_OPTIONS, TrainingOptions } from './tokens';

export const WITHDRAWAL_JOB = 'training.withdraw-on-rupture';

/**
 * Keeps the training context's own copy of the employment contracts:
 * - a signed contract makes its conseiller "to be trained" (or keeps their status, for a renewal);
 * - a ruptured contract withdraws its ongoing enrolment (TrainingAbandoned, withdrawnByRupture) in the
 *   same transaction as the inbox row.
 */
@Injectable()
export class ContractEventsConsumer implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.contracts];
  private readonly logger = new JsonLogger('training');

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(TRAINING_OPTIONS) options: TrainingOptions,
  ) {
    this.name = options.contractsConsumerName;
  }

  handlers(): Record<string, EventHandler> {
    return {
      [`${ContractSignedV1.type}@v${ContractSignedV1.version}`]: (envelope, context) => this.onSigned(ContractSignedV1.parse(envelope), context),
      [`${ContractRupturedV1.type}@v${ContractRupturedV1.version}`]: (envelope, context) => this.onRuptured(ContractRupturedV1.parse(envelope), context),
    };
  }

  private async onSigned(envelope: ReturnType<typeof ContractSignedV1.parse>, { manager }: HandlerContext): Promise<void> {
    const p = envelope.payload;
    const now = this.clock.now();
    const inserted = await insertContract(manager, {
      contract_id: p.contractId,
      conseiller_id: p.conseiller.id,
      structure_id: p.structureId,
      convention_id: p.conventionId,
      post_id: p.postId,
      department_code: p.departmentCode,
      region_code: regionOf(p.departmentCode)?.code ?? null,
      legal_status: p.legalStatus,
      contract_type: p.contractType,
      start_date: p.startDate,
      end_date: p.endDate,
      renews_contract_id: p.renewsContractId,
      signed_message_id: envelope.messageId,
      recorded_at: now,
    });
    if (!inserted) return; // the same contract again (another message id): already known
    // Two contracts of one conseiller may be consumed concurrently (different partitions): the first
    // insert wins, the other waits for it and then updates the row under its lock.
    const created = await manager.query(
      `INSERT INTO trainees (conseiller_id, first_name, last_name, email, current_contract_id, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'TO_BE_TRAINED', $6, $6) ON CONFLICT (conseiller_id) DO NOTHING RETURNING conseiller_id`,
      [p.conseiller.id, p.conseiller.firstName, p.conseiller.lastName, p.conseiller.email, p.contractId, now],
    );
    if (created.length === 0) {
      const trainee = (await lockTrainee(manager, p.conseiller.id))!;
      const current = (await findContract(manager, trainee.current_contract_id))!;
      if (becomesCurrentContract(contractOf(current), { contractId: p.contractId, startDate: p.startDate })) {
        await manager.query(
          `UPDATE trainees SET current_contract_id = $2, first_name = $3, last_name = $4, email = $5, updated_at = $6 WHERE conseiller_id = $1`,
          [p.conseiller.id, p.contractId, p.conseiller.firstName, p.conseiller.lastName, p.conseiller.email, now],
        );
      }
    }
    await refreshTraineeStatus(manager, p.conseiller.id, now);
  }

  private async onRuptured(envelope: ReturnType<typeof ContractRupturedV1.parse>, { manager, outbox }: HandlerContext): Promise<void> {
    const p = envelope.payload;
    const now = this.clock.now();
    const known = await findContract(manager, p.contractId);
    if (!known) {
      // The signature was never seen (it would have come first on the same partition): nothing to withdraw.
      this.logger.warn({ message: 'rupture of an unknown contract ignored', contractId: p.contractId, messageId: envelope.messageId });
      return;
    }
    await lockTrainee(manager, known.conseiller_id);
    const contract = (await findContract(manager, p.contractId, true))!;
    if (contract.status === 'RUPTURED') return;
    await manager.query(
      `UPDATE contracts SET status = 'RUPTURED', rupture_reason = $2, rupture_date = $3, ruptured_message_id = $4 WHERE contract_id = $1`,
      [p.contractId, p.reason, p.date, envelope.messageId],
    );
    const ongoing: EnrolmentRow[] = await manager.query(`SELECT * FROM enrolments WHERE contract_id = $1 AND status = 'ONGOING' FOR UPDATE`, [p.contractId]);
    for (const row of ongoing) {
      const withdrawn = withdrawOnRupture(enrolmentOf(row), { contractId: p.contractId, reason: p.reason, date: p.date });
      if (!withdrawn) continue;
      await updateClosedEnrolment(manager, withdrawn, `system:${WITHDRAWAL_JOB}`, now);
      await outbox.add(manager, {
        topic: TrainingAbandonedV1.topic,
        envelope: TrainingAbandonedV1.create(withdrawn.enrolmentId, abandonedPayload(withdrawn), reactionContext(envelope, this.clock, WITHDRAWAL_JOB)),
      });
    }
    await refreshTraineeStatus(manager, contract.conseiller_id, now);
  }
}
