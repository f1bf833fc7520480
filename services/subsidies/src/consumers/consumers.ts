import { Inject, Injectable } from '@nestjs/common';
import {
  AmendmentValidatedV1,
  CertificationObtainedV1,
  ContractEndedV1,
  ContractRupturedV1,
  ContractSignedV1,
  ConventionValidatedV1,
  EventEnvelope,
  PostStatusChangedV1,
  RenewalCommitmentReleaseRequestedV1,
  RenewalCommitmentRequestedV1,
  TOPICS,
  TrainingEnrolledV1,
} from '@cnfs/contracts';
import { EventHandler, HandlerContext } from '@cnfs/messaging';
import { EventConsumer, reactionContext } from '@cnfs/service-kit';
import { LegalStatus } from '@cnfs/subsidies-domain';
import { SUBSIDIES_SETTINGS, SubsidiesSettings } from '../config';
import { CommitmentsService } from '../commitments/commitments.service';
import { SubsidiesCore } from '../core/core';
import { PostsService } from '../posts/posts.service';
import { ProgrammeCostsService } from '../programme-costs/programme-costs.service';

type Payload<D> = D extends { parse(e: EventEnvelope): EventEnvelope<infer P> } ? P : never;

/** Every handler first takes the book writers' lock (see SubsidiesCore.serializeBookWriters). */
function serialized(core: SubsidiesCore, handlers: Record<string, EventHandler>): Record<string, EventHandler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([type, handler]) => [
      type,
      async (envelope: EventEnvelope, context: HandlerContext) => {
        await core.serializeBookWriters(context.manager);
        await handler(envelope, context);
      },
    ]),
  );
}

/**
 * The conventions service's conventions topic: validated conventions and AJOUT amendments commit
 * subsidies; RETRAIT amendments and RENDU posts cancel them; post status changes move tranches.
 * Handlers never throw for a business reason (a missing rule, a full envelope): they record a
 * refusal and its event, so the message is done.
 */
@Injectable()
export class ConventionsConsumer implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.conventions];

  constructor(
    @Inject(SUBSIDIES_SETTINGS) settings: SubsidiesSettings,
    private readonly core: SubsidiesCore,
    private readonly commitments: CommitmentsService,
    private readonly posts: PostsService,
  ) {
    this.name = `${settings.consumerGroupPrefix}.conventions`;
  }

  handlers(): Record<string, EventHandler> {
    return serialized(this.core, {
      [ConventionValidatedV1.type]: (e, c) => this.conventionValidated(ConventionValidatedV1.parse(e), c),
      [AmendmentValidatedV1.type]: (e, c) => this.amendmentValidated(AmendmentValidatedV1.parse(e), c),
      [PostStatusChangedV1.type]: (e, c) => this.postStatusChanged(PostStatusChangedV1.parse(e), c),
    });
  }

  private async conventionValidated(e: EventEnvelope<Payload<typeof ConventionValidatedV1>>, { manager }: HandlerContext): Promise<void> {
    const p = e.payload;
    await manager.query(
      `INSERT INTO conventions (convention_id, structure_id, phase, signed_at, start_date, financed_until, end_date, legal_status, structure_type, department_code, qpv, zrr, renews_convention_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (convention_id) DO NOTHING`,
      [p.conventionId, p.structureId, p.phase, p.signedAt, p.startDate, p.financedUntil, p.endDate, p.structure.legalStatus, p.structure.type, p.structure.departmentCode, p.structure.qpv, p.structure.zrr, p.renewsConventionId],
    );
    await this.commitments.commit(manager, {
      source: 'CONVENTION',
      conventionId: p.conventionId,
      structureId: p.structureId,
      phase: p.phase,
      postIds: p.postIds,
      signedOn: p.signedAt,
      startOn: p.startDate,
      structure: { legalStatus: p.structure.legalStatus as LegalStatus, departmentCode: p.structure.departmentCode, qpv: p.structure.qpv, zrr: p.structure.zrr },
      requestId: null,
      causeId: e.messageId,
    }, reactionContext(e, this.core.clock, 'subsidies-commitments'));
  }

  private async amendmentValidated(e: EventEnvelope<Payload<typeof AmendmentValidatedV1>>, { manager }: HandlerContext): Promise<void> {
    const p = e.payload;
    const context = reactionContext(e, this.core.clock, 'subsidies-commitments');
    if (p.type === 'AJOUT') {
      await this.commitments.commit(manager, {
        source: 'AMENDMENT',
        conventionId: p.conventionId,
        structureId: p.structureId,
        phase: p.phase,
        postIds: p.postIds,
        signedOn: p.validatedAt,
        startOn: p.validatedAt,
        structure: { legalStatus: p.structure.legalStatus as LegalStatus, departmentCode: p.structure.departmentCode, qpv: p.structure.qpv, zrr: p.structure.zrr },
        requestId: null,
        causeId: e.messageId,
      }, context);
      return;
    }
    for (const postId of [...p.postIds].sort()) {
      await this.posts.ensure(manager, { postId, conventionId: p.conventionId, structureId: p.structureId, departmentCode: p.structure.departmentCode });
      await this.posts.returned(manager, postId, p.validatedAt, context);
    }
  }

  private async postStatusChanged(e: EventEnvelope<Payload<typeof PostStatusChangedV1>>, { manager }: HandlerContext): Promise<void> {
    const p = e.payload;
    const context = reactionContext(e, this.core.clock, 'subsidies-posts');
    await this.posts.ensure(manager, { postId: p.postId, conventionId: p.conventionId, structureId: p.structureId, departmentCode: p.departmentCode });
    if (p.to === 'RENDU') await this.posts.returned(manager, p.postId, p.effectiveDate, context);
    else if (p.to === 'OCCUPE' && p.contractId) await this.posts.contractStarted(manager, { contractId: p.contractId, postId: p.postId, startedOn: p.effectiveDate, renewsContractId: null }, context);
    else if (p.to === 'VACANT' && p.from === 'OCCUPE' && p.contractId) await this.posts.contractEnded(manager, { contractId: p.contractId, postId: p.postId, endedOn: p.effectiveDate, how: 'VACATED' }, context);
  }
}

/** Contracts: a signature occupies the post (and costs an outfit kit once per conseiller); a rupture or natural end empties it. */
@Injectable()
export class ContractsConsumer implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.contracts];

  constructor(
    @Inject(SUBSIDIES_SETTINGS) settings: SubsidiesSettings,
    private readonly core: SubsidiesCore,
    private readonly posts: PostsService,
    private readonly costs: ProgrammeCostsService,
  ) {
    this.name = `${settings.consumerGroupPrefix}.contracts`;
  }

  handlers(): Record<string, EventHandler> {
    return serialized(this.core, {
      [ContractSignedV1.type]: async (raw, { manager }) => {
        const e = ContractSignedV1.parse(raw);
        const p = e.payload;
        const context = reactionContext(e, this.core.clock, 'subsidies-posts');
        await this.posts.ensure(manager, { postId: p.postId, conventionId: p.conventionId, structureId: p.structureId, departmentCode: p.departmentCode });
        await this.posts.contractStarted(manager, { contractId: p.contractId, postId: p.postId, startedOn: p.startDate, renewsContractId: p.renewsContractId }, context);
        await this.costs.record(manager, {
          kind: 'OUTFIT_KIT', conseillerId: p.conseiller.id, contractId: p.contractId, structureId: p.structureId, departmentCode: p.departmentCode,
          incurredOn: p.startDate, sourceEvent: e.type, sourceMessageId: e.messageId,
        });
      },
      [ContractRupturedV1.type]: async (raw, { manager }) => {
        const e = ContractRupturedV1.parse(raw);
        const p = e.payload;
        await this.posts.ensure(manager, { postId: p.postId, conventionId: p.conventionId, structureId: p.structureId, departmentCode: p.departmentCode });
        await this.posts.contractEnded(manager, { contractId: p.contractId, postId: p.postId, endedOn: p.date, how: 'RUPTURE' }, reactionContext(e, this.core.clock, 'subsidies-posts'));
      },
      [ContractEndedV1.type]: async (raw, { manager }) => {
        const e = ContractEndedV1.parse(raw);
        const p = e.payload;
        await this.posts.ensure(manager, { postId: p.postId, conventionId: p.conventionId, structureId: p.structureId, departmentCode: p.departmentCode });
        await this.posts.contractEnded(manager, { contractId: p.contractId, postId: p.postId, endedOn: p.endDate, how: 'END' }, reactionContext(e, this.core.clock, 'subsidies-posts'));
      },
    });
  }
}

/** Training: an enrolment costs the initial training (not a waiver), a PIX certification its fee. */
@Injectable()
export class TrainingConsumer implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.training];

  constructor(
    @Inject(SUBSIDIES_SETTINGS) settings: SubsidiesSettings,
    private readonly costs: ProgrammeCostsService,
  ) {
    this.name = `${settings.consumerGroupPrefix}.training`;
  }

  handlers(): Record<string, EventHandler> {
    return {
      [TrainingEnrolledV1.type]: async (raw, { manager }) => {
        const e = TrainingEnrolledV1.parse(raw);
        const p = e.payload;
        if (p.waiver || p.pathwayHours === null) return;
        await this.costs.record(manager, {
          kind: 'TRAINING', conseillerId: p.conseillerId, contractId: p.contractId, structureId: p.structureId, departmentCode: p.departmentCode,
          incurredOn: p.startDate, sourceEvent: e.type, sourceMessageId: e.messageId,
        });
      },
      [CertificationObtainedV1.type]: async (raw, { manager }) => {
        const e = CertificationObtainedV1.parse(raw);
        const p = e.payload;
        if (p.kind !== 'PIX') return;
        await this.costs.record(manager, {
          kind: 'PIX_CERTIFICATION', conseillerId: p.conseillerId, contractId: p.contractId, structureId: p.structureId, departmentCode: p.departmentCode,
          incurredOn: p.obtainedAt, sourceEvent: e.type, sourceMessageId: e.messageId,
        });
      },
    };
  }
}

/**
 * The lifecycle saga's requests for phase-2 (renewal) subsidies, answered by SubsidyCommitted or
 * CommitmentRefused, and its compensations releasing what a request committed.
 */
@Injectable()
export class RenewalRequestsConsumer implements EventConsumer {
  readonly name: string;
  readonly topics = [TOPICS.lifecycle];

  constructor(
    @Inject(SUBSIDIES_SETTINGS) settings: SubsidiesSettings,
    private readonly core: SubsidiesCore,
    private readonly commitments: CommitmentsService,
  ) {
    this.name = `${settings.consumerGroupPrefix}.renewal-requests`;
  }

  handlers(): Record<string, EventHandler> {
    return serialized(this.core, {
      [RenewalCommitmentRequestedV1.type]: async (raw, { manager }) => {
        const e = RenewalCommitmentRequestedV1.parse(raw);
        const p = e.payload;
        await this.commitments.commit(manager, {
          source: 'RENEWAL_REQUEST',
          conventionId: p.conventionId,
          structureId: p.structureId,
          phase: 2,
          postIds: [p.postId],
          signedOn: p.signedAt,
          startOn: p.startDate,
          structure: { legalStatus: p.legalStatus as LegalStatus, departmentCode: p.departmentCode, qpv: p.qpv, zrr: p.zrr },
          requestId: p.requestId,
          causeId: e.messageId,
        }, reactionContext(e, this.core.clock, 'subsidies-renewals'));
      },
      [RenewalCommitmentReleaseRequestedV1.type]: async (raw, { manager }) => {
        const e = RenewalCommitmentReleaseRequestedV1.parse(raw);
        await this.commitments.releaseRequested(manager, e.payload.requestId, e.payload.reason, reactionContext(e, this.core.clock, 'subsidies-renewals'));
      },
    });
  }
}

export const SUBSIDIES_CONSUMERS = [ConventionsConsumer, ContractsConsumer, TrainingConsumer, RenewalRequestsConsumer];
