import { CertificationObtainedV1, TrainingAbandonedV1, TrainingCompletedV1, TrainingEnrolledV1 } from '../training.events';
import { sampleContext } from './context';

const who = { contractId: 'k-1', conseillerId: 'cn-1', structureId: 's-1', departmentCode: '974', lot: 3 } as const;
const provider = { ...sampleContext, actor: { kind: 'user' as const, subject: 'lot-3', role: 'training_provider' as const, lot: 3 } };

export const trainingSamples = [
  TrainingEnrolledV1.create('e-1', { enrolmentId: 'e-1', ...who, pathwayHours: 280, waiver: false, startDate: '2021-04-12', referenceVersion: 'cnfs-2021' }, provider),
  TrainingCompletedV1.create('e-1', { enrolmentId: 'e-1', ...who, hoursAttended: 280, endDate: '2021-07-02', pathwayHours: 280 }, provider),
  TrainingAbandonedV1.create('e-2', { enrolmentId: 'e-2', ...who, reason: 'rupture du contrat', withdrawnByRupture: true, endDate: '2021-05-02' }, provider),
  CertificationObtainedV1.create('x-1', {
    certificationId: 'x-1', conseillerId: 'cn-1', contractId: 'k-1', structureId: 's-1', departmentCode: '974', kind: 'PIX', pixScorePercent: 64.5,
    belowThreshold: true, obtainedAt: '2021-07-10', certifier: 'PIX', thresholdPercent: 70, lot: 3,
  }, provider),
];
