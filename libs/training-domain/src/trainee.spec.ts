import { becomesCurrentContract, traineeStatus } from './trainee';

describe('trainee status', () => {
  const active = { status: 'ACTIVE' as const };
  const ruptured = { status: 'RUPTURED' as const };

  it('is "to be trained" once a contract is signed and nothing else happened', () => {
    expect(traineeStatus(active, [])).toBe('TO_BE_TRAINED');
  });

  it('follows the enrolments: in training, trained, waived; back to be trained after an abandon', () => {
    expect(traineeStatus(active, [{ status: 'ONGOING' }])).toBe('IN_TRAINING');
    expect(traineeStatus(active, [{ status: 'ABANDONED' }, { status: 'COMPLETED' }])).toBe('TRAINED');
    expect(traineeStatus(active, [{ status: 'WAIVED' }])).toBe('WAIVED');
    expect(traineeStatus(active, [{ status: 'ABANDONED' }])).toBe('TO_BE_TRAINED');
  });

  it('is withdrawn when the current contract was ruptured before any training, and stays trained after one', () => {
    expect(traineeStatus(ruptured, [])).toBe('WITHDRAWN');
    expect(traineeStatus(ruptured, [{ status: 'ABANDONED' }])).toBe('WITHDRAWN');
    expect(traineeStatus(ruptured, [{ status: 'COMPLETED' }])).toBe('TRAINED');
  });

  it('moves the current contract to a renewal or a later contract, not to an older one arriving late', () => {
    const current = { contractId: 'k-1', startDate: '2021-04-01' };
    expect(becomesCurrentContract(null, current)).toBe(true);
    expect(becomesCurrentContract(current, { contractId: 'k-2', startDate: '2022-10-01' })).toBe(true);
    expect(becomesCurrentContract(current, { contractId: 'k-0', startDate: '2021-01-01' })).toBe(false);
    expect(becomesCurrentContract(current, current)).toBe(true);
  });
});
