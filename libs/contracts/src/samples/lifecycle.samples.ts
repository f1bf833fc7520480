import { ContractExpiryApproachingV1 } from '../lifecycle.events';
import { systemContext } from './context';

export const lifecycleSamples = [
  ContractExpiryApproachingV1.create('k-1', {
    contractId: 'k-1', structureId: 's-1', departmentCode: '59', endDate: '2022-09-30', monthsBeforeEnd: 3,
  }, { ...systemContext, actor: { kind: 'system', job: 'lifecycle-deadline-poller' } }),
];
