import { z } from 'zod';
import { defineEvent } from './event-definition';
import { calendarDate, departmentCode, id } from './fields';
import { TOPICS } from './topics';

export const LEGAL_STATUSES = ['PUBLIC', 'PRIVATE'] as const;
export const STRUCTURE_TYPES = [
  'COMMUNE', 'EPCI', 'DEPARTEMENT', 'REGION', 'COLLECTIVITE', 'GIP', 'ASSOCIATION', 'ENTREPRISE_ESS', 'PRIVATE_OTHER',
] as const;
export const STRUCTURE_STATUSES = [
  'CREEE', 'VALIDATION_COSELEC', 'EXAMEN_COMPLEMENTAIRE_COSELEC', 'REFUS_COSELEC', 'ABANDON', 'ANNULEE', 'DOUBLON',
] as const;

const legalStatus = z.enum(LEGAL_STATUSES);
const structureType = z.enum(STRUCTURE_TYPES);
const structureStatus = z.enum(STRUCTURE_STATUSES);

export const StructureRegisteredV1 = defineEvent({
  type: 'structures.StructureRegistered',
  version: 1,
  topic: TOPICS.structures,
  aggregateType: 'Structure',
  payload: z.object({
    structureId: id,
    siret: z.string().regex(/^\d{14}$/),
    siren: z.string().regex(/^\d{9}$/),
    name: z.string().min(1),
    legalStatus,
    type: structureType,
    departmentCode,
    qpv: z.boolean(),
    zrr: z.boolean(),
    requestedPosts: z.number().int().min(1),
  }),
});

/**
 * A selection-committee decision, appended to the structure's history. `effectiveQuota` is the
 * structure's post quota after this decision (latest positive decision, phase 2 preferred), with
 * the phase it comes from; consumers keep it as their own read model.
 */
export const CoselecDecisionRecordedV1 = defineEvent({
  type: 'structures.CoselecDecisionRecorded',
  version: 1,
  topic: TOPICS.structures,
  aggregateType: 'Structure',
  payload: z.object({
    structureId: id,
    decisionId: id,
    opinion: z.enum(['POSITIF', 'NEGATIF', 'EXAMEN_COMPLEMENTAIRE']),
    grantedPosts: z.number().int().min(0),
    committeeNumber: z.string().min(1),
    decidedAt: calendarDate,
    phase: z.union([z.literal(1), z.literal(2)]),
    effectiveQuota: z.object({ posts: z.number().int().min(0), phase: z.union([z.literal(1), z.literal(2)]) }).nullable(),
    legalStatus,
    type: structureType,
    departmentCode,
    qpv: z.boolean(),
    zrr: z.boolean(),
  }),
});

/**
 * A structure's status moved: after a committee decision (the envelope's causationId is that
 * CoselecDecisionRecorded) or set by ANCT (ABANDON, ANNULEE, DOUBLON; the reason is in the envelope).
 */
export const StructureStatusChangedV1 = defineEvent({
  type: 'structures.StructureStatusChanged',
  version: 1,
  topic: TOPICS.structures,
  aggregateType: 'Structure',
  payload: z.object({
    structureId: id,
    departmentCode,
    from: structureStatus,
    to: structureStatus,
    /** Only with `to: 'DOUBLON'`: the structure that is kept (optional field, added compatibly). */
    duplicateOfId: id.optional(),
  }),
});

/** The préfet's opinion on a structure's renewal (phase 2). */
export const PrefectOpinionGivenV1 = defineEvent({
  type: 'structures.PrefectOpinionGiven',
  version: 1,
  topic: TOPICS.structures,
  aggregateType: 'Structure',
  payload: z.object({
    structureId: id,
    opinionId: id,
    departmentCode,
    opinion: z.enum(['favorable', 'defavorable']),
    comment: z.string().min(10).max(1000),
  }),
});
