import { z } from 'zod';
import { defineEvent } from './event-definition';
import { calendarDate, departmentCode, id } from './fields';
import { TOPICS } from './topics';

export const ContractExpiryApproachingV1 = defineEvent({
  type: 'lifecycle.ContractExpiryApproaching',
  version: 1,
  topic: TOPICS.lifecycle,
  aggregateType: 'ContractLifecycle',
  payload: z.object({
    contractId: id,
    structureId: id,
    departmentCode,
    endDate: calendarDate,
    monthsBeforeEnd: z.union([z.literal(6), z.literal(3), z.literal(1)]),
  }),
});
