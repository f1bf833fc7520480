import {
  AmendmentRefusedV1, AmendmentRequestedV1, AmendmentValidatedV1, ContractEndedV1, ContractRenewedV1, ContractRupturedV1, ContractSignedV1,
  ConventionDeclinedV1, ConventionRequestedV1, ConventionValidatedV1, PostStatusChangedV1,
} from '../conventions.events';
import { sampleContext, systemContext } from './context';

const structure = { legalStatus: 'PUBLIC', type: 'COMMUNE', departmentCode: '974', qpv: true, zrr: false } as const;
const contract = { contractId: 'k-1', structureId: 's-1', conventionId: 'c-1', postId: 'p-1', departmentCode: '974' } as const;

export const conventionsSamples = [
  ConventionRequestedV1.create('c-1', {
    conventionId: 'c-1', structureId: 's-1', departmentCode: '974', phase: 1, posts: 3, startDate: '2021-03-01', financedUntil: '2023-02-28',
    endDate: '2024-02-29', renewsConventionId: null,
  }, sampleContext),
  ConventionDeclinedV1.create('c-2', {
    conventionId: 'c-2', structureId: 's-1', departmentCode: '974', phase: 2, reason: 'La commune reprend le poste sur ses fonds propres.',
  }, { ...sampleContext, actor: { kind: 'user', subject: 'mairie-1', role: 'structure', structureId: 's-1' } }),
  ConventionValidatedV1.create('c-1', {
    conventionId: 'c-1', structureId: 's-1', phase: 1, posts: 3, postIds: ['p-1', 'p-2', 'p-3'], signedAt: '2021-02-20', startDate: '2021-03-01',
    financedUntil: '2023-02-28', endDate: '2024-02-29', renewsConventionId: null, structure,
  }, sampleContext),
  AmendmentValidatedV1.create('c-1', {
    amendmentId: 'a-1', conventionId: 'c-1', structureId: 's-1', phase: 1, type: 'AJOUT', posts: 1, postIds: ['p-4'], validatedAt: '2021-06-01', structure,
  }, sampleContext),
  AmendmentRequestedV1.create('c-1', {
    amendmentId: 'a-2', conventionId: 'c-1', structureId: 's-1', departmentCode: '974', phase: 1, type: 'RETRAIT', posts: 1, postIds: ['p-3'],
    reason: 'Poste non pourvu depuis plus de six mois.',
  }, sampleContext),
  AmendmentRefusedV1.create('c-1', {
    amendmentId: 'a-2', conventionId: 'c-1', structureId: 's-1', departmentCode: '974', type: 'RETRAIT', posts: 1, reason: 'Recrutement en cours.',
  }, sampleContext),
  PostStatusChangedV1.create('c-1', {
    postId: 'p-1', conventionId: 'c-1', structureId: 's-1', departmentCode: '974', from: 'VACANT', to: 'OCCUPE', effectiveDate: '2021-04-01', contractId: 'k-1',
  }, sampleContext),
  ContractSignedV1.create('k-1', {
    ...contract, legalStatus: 'PUBLIC', contractType: 'CDD', startDate: '2021-04-01', endDate: '2022-09-30', renewsContractId: null,
    conseiller: { id: 'cn-1', firstName: 'Awa', lastName: 'Diallo', email: 'awa.diallo@example.org' },
  }, sampleContext),
  ContractRupturedV1.create('k-1', { ...contract, conseillerId: 'cn-1', reason: 'DEMISSION', date: '2022-01-15' }, sampleContext),
  ContractEndedV1.create('k-1', { ...contract, conseillerId: 'cn-1', endDate: '2022-09-30' }, systemContext),
  ContractRenewedV1.create('k-1', {
    contractId: 'k-1', newContractId: 'k-2', structureId: 's-1', postId: 'p-1', departmentCode: '974', contractType: 'CDI', startDate: '2022-10-01', endDate: null,
  }, sampleContext),
];
