import { z } from 'zod';
import { defineEvent } from './event-definition';
import { departmentCode, id } from './fields';
import { TOPICS } from './topics';

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
    legalStatus: z.enum(['PUBLIC', 'PRIVATE']),
    type: z.string().min(1),
    departmentCode,
    qpv: z.boolean(),
    zrr: z.boolean(),
    requestedPosts: z.number().int().min(1),
  }),
});
