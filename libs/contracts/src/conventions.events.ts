import { z } from 'zod';
import { defineEvent } from './event-definition';
import { calendarDate, departmentCode, id } from './fields';
import { TOPICS } from './topics';

export const ConventionValidatedV1 = defineEvent({
  type: 'conventions.ConventionValidated',
  version: 1,
  topic: TOPICS.conventions,
  aggregateType: 'Convention',
  payload: z.object({
    conventionId: id,
    structureId: id,
    phase: z.union([z.literal(1), z.literal(2)]),
    posts: z.number().int().min(1),
    startDate: calendarDate,
    financedUntil: calendarDate,
    endDate: calendarDate,
  }),
});

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
    contractType: z.enum(['CDI', 'CDD', 'PEC', 'CONTRAT_DE_PROJET_PUBLIC']),
    startDate: calendarDate,
    endDate: calendarDate.nullable(),
    conseiller: z.object({ id, firstName: z.string().min(1), lastName: z.string().min(1), email: z.email() }),
  }),
});
