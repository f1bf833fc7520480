import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@cnfs/auth';
import { TrainingAbandonedV1, TrainingCompletedV1, TrainingEnrolledV1 } from '@cnfs/contracts';
import type { Outbox } from '@cnfs/messaging';
import { badRequest, Clock, CLOCK, commandContext, conflict, DATA_SOURCE, notFound, OUTBOX, unprocessable } from '@cnfs/service-kit';
import { abandon, calendarDateAt, complete, enrol, recordProgress } from '@cnfs/training-domain';
import { heldOf } from './persistence/rows';
import { certificationsOf } from './persistence/certifications.repository';
import {
  abandonedPayload, completedPayload, enrolledPayload, findEnrolment, insertEnrolment, updateClosedEnrolment, updateProgress,
} from './persistence/enrolments.repository';
import { loadCatalog } from './persistence/reference.repository';
import { contractOf, EnrolmentRow, enrolmentOf, enrolmentView } from './persistence/rows';
import { findContract, lockTrainee, refreshTraineeStatus } from './persistence/trainees.repository';
import { CompletionDto, CreateEnrolmentDto, ProgressDto } from './dto';
import { domain, uniqueViolation } from './problems';
import { canSeeEnrolment, recordedBy, requireOwnLot } from './scope';

type HttpRequest = { headers: Record<string, string | string[] | undefined> };

/** Positioning and enrolment, progress, completion and abandon: one transaction per command, its event in the outbox. */
@Injectable()
export class EnrolmentsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async enrol(principal: Principal, dto: CreateEnrolmentDto, request: HttpRequest) {
    requireOwnLot(principal, dto.lot);
    if ((dto.contractId === undefined) === (dto.conseillerId === undefined)) {
      throw badRequest('give either contractId or conseillerId', [{ field: 'contractId', message: 'exactly one of contractId and conseillerId is required' }]);
    }
    try {
      return await this.dataSource.transaction(async (manager) => {
        const now = this.clock.now();
        const today = calendarDateAt(now);
        const catalog = await loadCatalog(manager, today);
        const conseillerId = dto.conseillerId ?? (await findContract(manager, dto.contractId!))?.conseiller_id;
        if (conseillerId === undefined) throw notFound(`contract ${dto.contractId}`);
        const trainee = await lockTrainee(manager, conseillerId);
        if (!trainee) throw notFound(`conseiller ${conseillerId}`);
        if (dto.contractId !== undefined && dto.contractId !== trainee.current_contract_id) {
          throw unprocessable(`contract ${dto.contractId} is not the conseiller's current contract (${trainee.current_contract_id})`, {
            errors: [{ field: 'contractId', message: `the conseiller's current contract is ${trainee.current_contract_id}` }],
          });
        }
        const contract = (await findContract(manager, trainee.current_contract_id, true))!;
        const enrolments: { enrolment_id: string; status: EnrolmentRow['status'] }[] = await manager.query(
          `SELECT enrolment_id, status FROM enrolments WHERE conseiller_id = $1`,
          [conseillerId],
        );
        const held = (await certificationsOf(manager, conseillerId)).map(heldOf);
        const enrolment = domain(() =>
          enrol(
            {
              enrolmentId: randomUUID(),
              lot: dto.lot,
              startDate: dto.startDate,
              pathwayHours: dto.pathwayHours ?? null,
              derogation: dto.derogation ?? null,
              positioning: dto.positioning,
            },
            {
              catalog,
              contract: contractOf(contract),
              regionCode: contract.region_code ?? '',
              enrolments: enrolments.map((e) => ({ enrolmentId: e.enrolment_id, status: e.status })),
              certifications: held,
              today,
            },
          ),
        );
        await insertEnrolment(manager, enrolment, contract.region_code, recordedBy(principal), now);
        await refreshTraineeStatus(manager, conseillerId, now);
        await this.outbox.add(manager, {
          topic: TrainingEnrolledV1.topic,
          envelope: TrainingEnrolledV1.create(enrolment.enrolmentId, enrolledPayload(enrolment), commandContext(principal, this.clock, request, enrolment.derogation?.justification)),
        });
        return enrolmentView((await findEnrolment(manager, enrolment.enrolmentId))!);
      });
    } catch (error) {
      if (uniqueViolation(error)) throw conflict('the conseiller was enrolled by a concurrent request', { code: 'ALREADY_ENROLLED' });
      throw error;
    }
  }

  async progress(principal: Principal, enrolmentId: string, dto: ProgressDto) {
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const row = await this.lockVisible(manager, principal, enrolmentId);
      const updated = domain(() => recordProgress(enrolmentOf(row), dto.hoursAttended, dto.asOf, calendarDateAt(now)));
      await updateProgress(manager, updated, dto.asOf, recordedBy(principal), now);
      return enrolmentView((await findEnrolment(manager, enrolmentId))!);
    });
  }

  async close(principal: Principal, enrolmentId: string, dto: CompletionDto, request: HttpRequest) {
    if (dto.outcome === 'COMPLETED' && dto.reason !== undefined) {
      throw badRequest('a completion has no reason', [{ field: 'reason', message: 'only an abandon has a reason' }]);
    }
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const today = calendarDateAt(now);
      const row = await this.lockVisible(manager, principal, enrolmentId);
      const current = enrolmentOf(row);
      if (dto.outcome === 'COMPLETED') {
        const completed = domain(() => complete(current, { endDate: dto.endDate, hoursAttended: dto.hoursAttended! }, today));
        await updateClosedEnrolment(manager, completed, recordedBy(principal), now);
        await this.outbox.add(manager, {
          topic: TrainingCompletedV1.topic,
          envelope: TrainingCompletedV1.create(completed.enrolmentId, completedPayload(completed), commandContext(principal, this.clock, request)),
        });
      } else {
        const abandoned = domain(() => abandon(current, { endDate: dto.endDate, reason: dto.reason!, hoursAttended: dto.hoursAttended }, today));
        await updateClosedEnrolment(manager, abandoned, recordedBy(principal), now);
        await this.outbox.add(manager, {
          topic: TrainingAbandonedV1.topic,
          envelope: TrainingAbandonedV1.create(abandoned.enrolmentId, abandonedPayload(abandoned), commandContext(principal, this.clock, request, abandoned.endReason!)),
        });
      }
      await refreshTraineeStatus(manager, row.conseiller_id, now);
      return enrolmentView((await findEnrolment(manager, enrolmentId))!);
    });
  }

  /** Finds an enrolment the principal may act on (404 otherwise), taking the locks in the platform's order: trainee, then enrolment. */
  private async lockVisible(manager: EntityManager, principal: Principal, enrolmentId: string): Promise<EnrolmentRow> {
    const seen = await findEnrolment(manager, enrolmentId);
    if (!seen || !canSeeEnrolment(principal, { lot: seen.lot, departmentCode: seen.department_code })) throw notFound(`enrolment ${enrolmentId}`);
    await lockTrainee(manager, seen.conseiller_id);
    return (await findEnrolment(manager, enrolmentId, true))!;
  }
}
