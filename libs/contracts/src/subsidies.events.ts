import { z } from 'zod';
import { defineEvent } from './event-definition';
import { amountCents, id } from './fields';
import { TOPICS } from './topics';

export const SubsidyCommittedV1 = defineEvent({
  type: 'subsidies.SubsidyCommitted',
  version: 1,
  topic: TOPICS.subsidies,
  aggregateType: 'Commitment',
  payload: z.object({
    commitmentId: id,
    conventionId: id,
    structureId: id,
    postId: id,
    budgetEnvelopeId: id,
    ruleId: id,
    amountCents,
  }),
});
