import { z } from 'zod';
import { defineEvent } from './event-definition';
import { calendarDate, departmentCode, id } from './fields';
import { TOPICS } from './topics';

const pathwayHours = z.union([z.literal(105), z.literal(280), z.literal(350), z.literal(420)]);
const lot = z.number().int().min(1).max(6);

export const TrainingEnrolledV1 = defineEvent({
  type: 'training.TrainingEnrolled',
  version: 1,
  topic: TOPICS.training,
  aggregateType: 'Enrolment',
  payload: z.object({
    enrolmentId: id,
    contractId: id,
    conseillerId: id,
    structureId: id,
    departmentCode,
    /** null for a waiver (DEROGATION): no training, no training cost. */
    pathwayHours: pathwayHours.nullable(),
    waiver: z.boolean(),
    lot,
    startDate: calendarDate,
    /** Added (optional, compatible): the version of the training reference data (pathways, lots) applied. */
    referenceVersion: z.string().min(1).optional(),
  }),
});

export const TrainingCompletedV1 = defineEvent({
  type: 'training.TrainingCompleted',
  version: 1,
  topic: TOPICS.training,
  aggregateType: 'Enrolment',
  payload: z.object({
    enrolmentId: id,
    contractId: id,
    conseillerId: id,
    structureId: id,
    departmentCode,
    lot,
    hoursAttended: z.number().int().min(0),
    endDate: calendarDate,
    /** Added (optional, compatible): the pathway completed. */
    pathwayHours: pathwayHours.optional(),
  }),
});

export const TrainingAbandonedV1 = defineEvent({
  type: 'training.TrainingAbandoned',
  version: 1,
  topic: TOPICS.training,
  aggregateType: 'Enrolment',
  payload: z.object({
    enrolmentId: id,
    contractId: id,
    conseillerId: id,
    structureId: id,
    departmentCode,
    lot,
    reason: z.string().min(1),
    /** True when caused by the contract's rupture rather than declared by the provider. */
    withdrawnByRupture: z.boolean(),
    endDate: calendarDate,
    /** Added (optional, compatible): the pathway abandoned and the hours attended until then. */
    pathwayHours: pathwayHours.optional(),
    hoursAttended: z.number().int().min(0).optional(),
  }),
});

export const CertificationObtainedV1 = defineEvent({
  type: 'training.CertificationObtained',
  version: 1,
  topic: TOPICS.training,
  aggregateType: 'Certification',
  payload: z.object({
    certificationId: id,
    conseillerId: id,
    contractId: id.nullable(),
    structureId: id.nullable(),
    departmentCode: departmentCode.nullable(),
    kind: z.enum(['PIX', 'CCP', 'RNCP']),
    /** PIX only: score in percent (0–100). */
    pixScorePercent: z.number().min(0).max(100).nullable(),
    belowThreshold: z.boolean(),
    obtainedAt: calendarDate,
    certifier: z.string().min(1),
    /** Added (optional, compatible): CCP only, the blocks obtained (codes of the training reference, e.g. CCP1). */
    ccpBlocks: z.array(z.string().min(1)).optional(),
    /** Added (optional, compatible): PIX only, the recruiter's threshold the score was compared with. */
    thresholdPercent: z.number().min(0).max(100).nullable().optional(),
    /** Added (optional, compatible): the lot that presented the conseiller, null when recorded by ANCT outside a training. */
    lot: lot.nullable().optional(),
  }),
});
