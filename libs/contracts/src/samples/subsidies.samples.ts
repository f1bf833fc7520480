import { SubsidyCommittedV1 } from '../subsidies.events';
import { systemContext } from './context';

export const subsidiesSamples = [
  SubsidyCommittedV1.create('m-1', {
    commitmentId: 'm-1', conventionId: 'c-1', structureId: 's-1', postId: 'p-1', budgetEnvelopeId: 'france-relance-2020', ruleId: 'r-1', amountCents: 5_000_000,
  }, systemContext),
];
