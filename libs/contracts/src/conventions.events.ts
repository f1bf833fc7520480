import { z } from 'zod';
import { defineEvent } from './event-definition';
import { calendarDate, departmentCode, id } from './fields';
import { LEGAL_STATUSES, STRUCTURE_TYPES } from './structures.events';
import { TOPICS } from './topics';

export const CONTRACT_TYPES = ['CDI', 'CDD', 'PEC', 'CONTRAT_DE_PROJET_PUBLIC'] as const;
export const RUPTURE_REASONS = ['LICENCIEMENT', 'NON_RECONDUCTION_CDD', 'DEMISSION', 'CDISATION', 'FIN_DE_SUBVENTIONNEMENT'] as const;
export const POST_STATUSES = ['VACANT', 'OCCUPE', 'RENDU'] as const;

const phase = z.union([z.literal(1), z.literal(2)]);
/** The structure as known when the convention was signed: what subsidy rules depend on. */
const structureAtSignature = z.object({
  legalStatus: z.enum(LEGAL_STATUSES),
  type: z.enum(STRUCTURE_TYPES),
  departmentCode,
  qpv: z.boolean(),
  zrr: z.boolean(),
});

/**
 * A convention was initiated for a structure with a positive coselec quota (phase 1 `CONVENTIONNEMENT_EN_COURS`,
 * phase 2 `RECONVENTIONNEMENT_INITIE`); no post exists before its validation.
 */
export const ConventionRequestedV1 = defineEvent({
  type: 'conventions.ConventionRequested',
  version: 1,
  topic: TOPICS.conventions,
  aggregateType: 'Convention',
  payload: z.object({
    conventionId: id,
    structureId: id,
    departmentCode,
    phase,
    posts: z.number().int().min(1),
    startDate: calendarDate,
    financedUntil: calendarDate,
    endDate: calendarDate,
    renewsConventionId: id.nullable(),
  }),
});

/** The structure is not interested (`NON_INTERESSE`): the convention is closed before validation, with the reason. */
export const ConventionDeclinedV1 = defineEvent({
  type: 'conventions.ConventionDeclined',
  version: 1,
  topic: TOPICS.conventions,
  aggregateType: 'Convention',
  payload: z.object({
    conventionId: id,
    structureId: id,
    departmentCode,
    phase,
    reason: z.string().min(1),
  }),
});

export const ConventionValidatedV1 = defineEvent({
  type: 'conventions.ConventionValidated',
  version: 1,
  topic: TOPICS.conventions,
  aggregateType: 'Convention',
  payload: z.object({
    conventionId: id,
    structureId: id,
    phase,
    posts: z.number().int().min(1),
    postIds: z.array(id).min(1),
    signedAt: calendarDate,
    startDate: calendarDate,
    financedUntil: calendarDate,
    endDate: calendarDate,
    structure: structureAtSignature,
    /** Phase 2: the convention it renews. */
    renewsConventionId: id.nullable(),
  }),
});

export const AmendmentValidatedV1 = defineEvent({
  type: 'conventions.AmendmentValidated',
  version: 1,
  topic: TOPICS.conventions,
  aggregateType: 'Convention',
  payload: z.object({
    amendmentId: id,
    conventionId: id,
    structureId: id,
    phase,
    type: z.enum(['AJOUT', 'RETRAIT']),
    posts: z.number().int().min(1),
    /** Posts created (AJOUT) or returned (RETRAIT) by the amendment. */
    postIds: z.array(id).min(1),
    validatedAt: calendarDate,
    structure: structureAtSignature,
  }),
});

/** An amendment was requested (`EN_COURS`); at most one is pending per structure. */
export const AmendmentRequestedV1 = defineEvent({
  type: 'conventions.AmendmentRequested',
  version: 1,
  topic: TOPICS.conventions,
  aggregateType: 'Convention',
  payload: z.object({
    amendmentId: id,
    conventionId: id,
    structureId: id,
    departmentCode,
    phase,
    type: z.enum(['AJOUT', 'RETRAIT']),
    posts: z.number().int().min(1),
    /** RETRAIT naming the posts to return; null otherwise. */
    postIds: z.array(id).min(1).nullable(),
    reason: z.string().min(1),
  }),
});

export const AmendmentRefusedV1 = defineEvent({
  type: 'conventions.AmendmentRefused',
  version: 1,
  topic: TOPICS.conventions,
  aggregateType: 'Convention',
  payload: z.object({
    amendmentId: id,
    conventionId: id,
    structureId: id,
    departmentCode,
    type: z.enum(['AJOUT', 'RETRAIT']),
    posts: z.number().int().min(1),
    reason: z.string().min(1),
  }),
});

export const PostStatusChangedV1 = defineEvent({
  type: 'conventions.PostStatusChanged',
  version: 1,
  topic: TOPICS.conventions,
  aggregateType: 'Convention',
  payload: z.object({
    postId: id,
    conventionId: id,
    structureId: id,
    departmentCode,
    from: z.enum(POST_STATUSES).nullable(),
    to: z.enum(POST_STATUSES),
    /** The date the change takes effect (contract start, rupture date, amendment date). */
    effectiveDate: calendarDate,
    contractId: id.nullable(),
  }),
});

const conseiller = z.object({ id, firstName: z.string().min(1), lastName: z.string().min(1), email: z.email() });

export const ContractSignedV1 = defineEvent({
  type: 'conventions.ContractSigned',
  version: 1,
  topic: TOPICS.contracts,
  aggregateType: 'Contract',
  payload: z.object({
    contractId: id,
    structureId: id,
    conventionId: id,
    postId: id,
    departmentCode,
    legalStatus: z.enum(LEGAL_STATUSES),
    contractType: z.enum(CONTRACT_TYPES),
    startDate: calendarDate,
    endDate: calendarDate.nullable(),
    conseiller,
    /** The contract this one renews (renewal financed by the lifecycle saga). */
    renewsContractId: id.nullable(),
  }),
});

export const ContractRupturedV1 = defineEvent({
  type: 'conventions.ContractRuptured',
  version: 1,
  topic: TOPICS.contracts,
  aggregateType: 'Contract',
  payload: z.object({
    contractId: id,
    structureId: id,
    conventionId: id,
    postId: id,
    departmentCode,
    conseillerId: id,
    reason: z.enum(RUPTURE_REASONS),
    date: calendarDate,
  }),
});

/** A non-CDI contract reached its end date without renewal (status TERMINE). */
export const ContractEndedV1 = defineEvent({
  type: 'conventions.ContractEnded',
  version: 1,
  topic: TOPICS.contracts,
  aggregateType: 'Contract',
  payload: z.object({
    contractId: id,
    structureId: id,
    conventionId: id,
    postId: id,
    departmentCode,
    conseillerId: id,
    endDate: calendarDate,
  }),
});

export const ContractRenewedV1 = defineEvent({
  type: 'conventions.ContractRenewed',
  version: 1,
  topic: TOPICS.contracts,
  aggregateType: 'Contract',
  payload: z.object({
    contractId: id,
    newContractId: id,
    structureId: id,
    postId: id,
    departmentCode,
    contractType: z.enum(CONTRACT_TYPES),
    startDate: calendarDate,
    endDate: calendarDate.nullable(),
  }),
});
