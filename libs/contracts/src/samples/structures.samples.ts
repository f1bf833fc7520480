import { CoselecDecisionRecordedV1, PrefectOpinionGivenV1, StructureRegisteredV1, StructureStatusChangedV1 } from '../structures.events';
import { sampleContext } from './context';

const structure = { legalStatus: 'PUBLIC', type: 'COMMUNE', departmentCode: '59', qpv: true, zrr: false } as const;

export const structuresSamples = [
  StructureRegisteredV1.create('s-1', {
    structureId: 's-1', siret: '21590350100017', siren: '215903501', name: 'Commune de Lille', requestedPosts: 3, ...structure,
  }, sampleContext),
  CoselecDecisionRecordedV1.create('s-1', {
    structureId: 's-1', decisionId: 'd-1', opinion: 'POSITIF', grantedPosts: 2, committeeNumber: 'COSELEC 12', decidedAt: '2021-02-15', phase: 1,
    effectiveQuota: { posts: 2, phase: 1 }, ...structure,
  }, sampleContext),
  StructureStatusChangedV1.create('s-1', { structureId: 's-1', departmentCode: '59', from: 'CREEE', to: 'VALIDATION_COSELEC' }, sampleContext),
  PrefectOpinionGivenV1.create('s-1', {
    structureId: 's-1', opinionId: 'o-1', departmentCode: '59', opinion: 'favorable', comment: 'Structure active, conseillers bien intégrés.',
  }, { ...sampleContext, actor: { kind: 'user', subject: 'pref-59', role: 'prefecture', departments: ['59'] } }),
];
