import { z } from 'zod';
import { defineEvent } from './event-definition';
import { calendarDate, id } from './fields';
import { TOPICS } from './topics';

export const TrainingEnrolledV1 = defineEvent({
  type: 'training.TrainingEnrolled',
  version: 1,
  topic: TOPICS.training,
  aggregateType: 'Enrolment',
  payload: z.object({
    enrolmentId: id,
    contractId: id,
    conseillerId: id,
    pathwayHours: z.union([z.literal(105), z.literal(280), z.literal(350), z.literal(420)]),
    lot: z.number().int().min(1).max(6),
    startDate: calendarDate,
  }),
});
