import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Principal } from '@cnfs/auth';
import { CertificationObtainedV1 } from '@cnfs/contracts';
import type { Outbox } from '@cnfs/messaging';
import { badRequest, Clock, CLOCK, commandContext, conflict, DATA_SOURCE, notFound, OUTBOX } from '@cnfs/service-kit';
import { calendarDateAt, checkCertification, DEFAULT_PIX_THRESHOLD_PERCENT } from '@cnfs/training-domain';
import { CreateCertificationDto } from './dto';
import { certificationsOf, findCertification, insertCertification } from './persistence/certifications.repository';
import { loadCatalog, pixThresholdOf } from './persistence/reference.repository';
import { certificationView, CertificationRow, heldOf } from './persistence/rows';
import { findContract, lockTrainee } from './persistence/trainees.repository';
import { domain, uniqueViolation } from './problems';
import { canSeeTrainee, recordedBy } from './scope';

type HttpRequest = { headers: Record<string, string | string[] | undefined> };

/** Certifications (PIX with its score, CCP blocks, the full RNCP title): one transaction, one CertificationObtained. */
@Injectable()
export class CertificationsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async record(principal: Principal, dto: CreateCertificationDto, request: HttpRequest) {
    if ((dto.contractId === undefined) === (dto.conseillerId === undefined)) {
      throw badRequest('give either conseillerId or contractId', [{ field: 'conseillerId', message: 'exactly one of conseillerId and contractId is required' }]);
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
        const contract = (await findContract(manager, trainee.current_contract_id))!;
        const enrolments: { enrolment_id: string; lot: number; status: string }[] = await manager.query(
          `SELECT enrolment_id, lot, status FROM enrolments WHERE conseiller_id = $1
            ORDER BY (status IN ('ONGOING', 'COMPLETED', 'WAIVED')) DESC, created_at DESC`,
          [conseillerId],
        );
        const visible = canSeeTrainee(principal, catalog, {
          status: trainee.status, departmentCode: contract.department_code, regionCode: contract.region_code, lots: enrolments.map((e) => e.lot),
        });
        if (!visible) throw notFound(`conseiller ${conseillerId}`);
        const threshold = (await pixThresholdOf(manager, contract.structure_id))?.thresholdPercent ?? DEFAULT_PIX_THRESHOLD_PERCENT;
        const held = (await certificationsOf(manager, conseillerId)).map(heldOf);
        const checked = domain(() =>
          checkCertification(
            { kind: dto.kind, pixScorePercent: dto.pixScorePercent ?? null, ccpBlocks: dto.ccpBlocks ?? null, obtainedAt: dto.obtainedAt, certifier: dto.certifier },
            { catalog, thresholdPercent: threshold, today, held },
          ),
        );
        // The training it crowns: the provider's own enrolment of the conseiller, else the standing or latest one.
        const enrolment = principal.role === 'training_provider' ? enrolments.find((e) => e.lot === principal.lot) : enrolments[0];
        const lot = principal.role === 'training_provider' ? principal.lot : (enrolment?.lot ?? null);
        const row: Parameters<typeof insertCertification>[1] = {
          certification_id: randomUUID(),
          conseiller_id: conseillerId,
          contract_id: contract.contract_id,
          structure_id: contract.structure_id,
          department_code: contract.department_code,
          enrolment_id: enrolment?.enrolment_id ?? null,
          lot,
          reference_version: catalog.version,
          kind: checked.kind,
          ccp_blocks: checked.ccpBlocks,
          pix_score_percent: checked.pixScorePercent,
          threshold_percent: checked.thresholdPercent,
          below_threshold: checked.belowThreshold,
          obtained_at: checked.obtainedAt,
          certifier: checked.certifier,
          recorded_by: recordedBy(principal),
          recorded_at: now,
        };
        await insertCertification(manager, row);
        await this.outbox.add(manager, {
          topic: CertificationObtainedV1.topic,
          envelope: CertificationObtainedV1.create(
            row.certification_id,
            {
              certificationId: row.certification_id,
              conseillerId,
              contractId: row.contract_id,
              structureId: row.structure_id,
              departmentCode: row.department_code,
              kind: row.kind,
              pixScorePercent: row.pix_score_percent,
              belowThreshold: row.below_threshold,
              obtainedAt: row.obtained_at,
              certifier: row.certifier,
              ...(row.kind === 'CCP' ? { ccpBlocks: row.ccp_blocks } : {}),
              thresholdPercent: row.threshold_percent,
              lot,
            },
            commandContext(principal, this.clock, request),
          ),
        });
        return certificationView((await findCertification(manager, row.certification_id)) as CertificationRow);
      });
    } catch (error) {
      if (uniqueViolation(error)) throw conflict('this certification was recorded by a concurrent request', { code: 'ALREADY_RECORDED' });
      throw error;
    }
  }
}
