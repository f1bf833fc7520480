import {
  ContractEndDueV1,
  ContractExpiryApproachingV1,
  RenewalCommitmentReleaseRequestedV1,
  RenewalFinancedV1,
  RenewalRejectedV1,
  RenewalRequestedV1,
} from '../lifecycle.events';
import { sampleContext, systemContext } from './context';

const poller = { ...systemContext, actor: { kind: 'system' as const, job: 'lifecycle-deadline-poller' } };
const saga = { ...systemContext, actor: { kind: 'system' as const, job: 'lifecycle-saga' }, correlationId: 'corr-k-1', causationId: 'cause-1' };
const structure = { ...sampleContext, actor: { kind: 'user' as const, subject: 'structure-s-1', role: 'structure' as const, structureId: 's-1' } };

export const lifecycleSamples = [
  ContractExpiryApproachingV1.create('k-1', {
    contractId: 'k-1', structureId: 's-1', departmentCode: '59', endDate: '2022-09-30', monthsBeforeEnd: 3,
  }, poller),
  RenewalRequestedV1.create('k-1', {
    contractId: 'k-1', structureId: 's-1', departmentCode: '59', conventionId: 'c-1', postId: 'p-1', endDate: '2022-12-31',
    renewal: { contractType: 'CDI', startDate: '2023-01-01', endDate: null, grossMonthlySalaryCents: 185_000 },
  }, structure),
  RenewalFinancedV1.create('k-1', {
    contractId: 'k-1', structureId: 's-1', departmentCode: '59', conventionId: 'c-1', postId: 'p-1', endDate: '2022-12-31',
    renewal: { contractType: 'CDI', startDate: '2023-01-01', endDate: null, grossMonthlySalaryCents: 185_000 },
    requestId: 'renewal-k-1', commitmentId: 'm-9', amountCents: 4_400_000, recordContract: true,
  }, saga),
  RenewalRejectedV1.create('k-2', {
    contractId: 'k-2', structureId: 's-1', departmentCode: '59', endDate: '2022-12-31', stage: 'FINANCING',
    reason: 'renewal not financed: envelope renouvellement-2023 has 100000 cents left, the post needs 4400000',
  }, saga),
  ContractEndDueV1.create('k-2', { contractId: 'k-2', structureId: 's-1', departmentCode: '59', endDate: '2022-12-31' }, poller),
  RenewalCommitmentReleaseRequestedV1.create('k-3', {
    contractId: 'k-3', structureId: 's-1', departmentCode: '59', requestId: 'renewal-k-3', postId: 'p-3', commitmentId: 'm-11',
    reason: 'contract ruptured before its renewal',
  }, saga),
];
