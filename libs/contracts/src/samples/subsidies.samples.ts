import {
  CommitmentRefusedV1,
  RenewalCommitmentRequestedV1,
  SubsidyCommittedV1,
  TrancheCancelledV1,
  TrancheDueV1,
  TranchePaidV1,
  TranchePaymentOrderedV1,
  TrancheReconciledV1,
} from '../subsidies.events';
import { systemContext } from './context';

const tranche = {
  trancheId: 't-1', commitmentId: 'm-1', postId: 'p-1', structureId: 's-1', departmentCode: '974', budgetEnvelopeId: 'france-relance-2020', seq: 1, amountCents: 3_375_000,
};
const prefecture = { ...systemContext, actor: { kind: 'user' as const, subject: 'pref-974', role: 'prefecture' as const, departments: ['974'] } };
const bdt = { ...systemContext, actor: { kind: 'user' as const, subject: 'bdt-1', role: 'bdt' as const } };

export const subsidiesSamples = [
  SubsidyCommittedV1.create('m-1', {
    commitmentId: 'm-1', conventionId: 'c-1', structureId: 's-1', postId: 'p-1', budgetEnvelopeId: 'france-relance-2020', ruleId: 'r-1', amountCents: 6_750_000,
    phase: 1, departmentCode: '974', ruleKey: 'phase1.public.reunion-mayotte', ruleVersion: 1, requestId: null,
    tranches: [
      { trancheId: 't-1', seq: 1, amountCents: 3_375_000, trigger: 'FIRST_OCCUPATION' },
      { trancheId: 't-2', seq: 2, amountCents: 2_025_000, trigger: 'ANNIVERSARY' },
      { trancheId: 't-3', seq: 3, amountCents: 1_350_000, trigger: 'FINAL_REPORT' },
    ],
  }, systemContext),
  CommitmentRefusedV1.create('m-2', {
    commitmentId: 'm-2', conventionId: 'c-2', structureId: 's-2', postId: 'p-9', departmentCode: '975', phase: 1, reason: 'NO_APPLICABLE_RULE',
    detail: 'no phase-1 subsidy rule for a public-law recruiter in 975 Saint-Pierre-et-Miquelon (overseas collectivity) in force on 2021-03-01',
    missingRule: { ruleKey: 'phase1.public.department-975', territory: 'DEPARTMENT:975', legalStatus: 'PUBLIC', date: '2021-03-01' },
    budgetEnvelopeId: null, requestedCents: null, availableCents: null, requestId: null,
  }, systemContext),
  TrancheDueV1.create('t-1', { ...tranche, dueOn: '2021-04-01', cause: 'SCHEDULE' }, systemContext),
  TranchePaymentOrderedV1.create('t-1', { ...tranche, paymentOrderId: 'o-1', paymentReference: 'CNFS-P-00000001', orderedOn: '2021-04-12' }, prefecture),
  TranchePaidV1.create('t-1', { ...tranche, paymentOrderId: 'o-1', paymentReference: 'CNFS-P-00000001', bankReference: 'BDT-2021-000417', executedOn: '2021-04-15' }, bdt),
  TrancheReconciledV1.create('r-1', {
    reconciliationId: 'r-1', statementId: 'STMT-2021-04-16', batch: 1, trancheIds: ['t-1'], amountsCents: [3_375_000],
  }, bdt),
  TrancheCancelledV1.create('t-2', { ...tranche, trancheId: 't-2', seq: 2, amountCents: 2_025_000, reason: 'VACANT_BEYOND_DELAY', cancelledOn: '2022-08-01' }, systemContext),
  RenewalCommitmentRequestedV1.create('k-1', {
    requestId: 'q-1', contractId: 'k-1', structureId: 's-1', conventionId: 'c-9', postId: 'p-21', departmentCode: '974', legalStatus: 'PUBLIC', qpv: true, zrr: false,
    signedAt: '2023-01-10', startDate: '2023-02-01',
  }, { ...systemContext, actor: { kind: 'system', job: 'lifecycle-renewal-saga' } }),
];
