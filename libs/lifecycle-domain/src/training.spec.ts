import { canMove, summarizeTraining, TrainingEnrolmentFact } from './training';

const enrolment = (status: TrainingEnrolmentFact['status'], startDate: string, o: Partial<TrainingEnrolmentFact> = {}): TrainingEnrolmentFact => ({
  enrolmentId: `e-${status}-${startDate}`, status, pathwayHours: status === 'WAIVED' ? null : 280, lot: 3, startDate, endDate: null, ...o,
});

describe('what the saga knows of a conseiller’s training', () => {
  it('given no enrolment, then the conseiller is not enrolled, hence not trained', () => {
    expect(summarizeTraining([], [])).toEqual({ status: 'NOT_ENROLLED', trained: false, enrolment: null, certifications: [], certified: false });
  });

  it('given a completed pathway or a waiver, then trained, whatever was abandoned before', () => {
    const abandoned = enrolment('ABANDONED', '2021-03-01', { endDate: '2021-04-01' });
    const completed = enrolment('COMPLETED', '2021-05-01', { endDate: '2021-09-01' });
    expect(summarizeTraining([abandoned, completed], [])).toMatchObject({ status: 'TRAINED', trained: true, enrolment: completed });
    expect(summarizeTraining([completed, abandoned], [])).toMatchObject({ status: 'TRAINED', enrolment: completed });
    expect(summarizeTraining([enrolment('WAIVED', '2021-05-01')], [])).toMatchObject({ status: 'TRAINED', trained: true });
  });

  it('given an ongoing enrolment, then in training; given only abandons, then abandoned (the latest shown)', () => {
    expect(summarizeTraining([enrolment('ABANDONED', '2021-03-01'), enrolment('ONGOING', '2021-06-01')], [])).toMatchObject({ status: 'IN_TRAINING', trained: false });
    const latest = enrolment('ABANDONED', '2021-06-01');
    expect(summarizeTraining([enrolment('ABANDONED', '2021-03-01'), latest], [])).toMatchObject({ status: 'ABANDONED', enrolment: latest });
  });

  it('lists certifications in date order; certified means a CCP block or the RNCP title, not a PIX score', () => {
    const pix = { kind: 'PIX' as const, obtainedAt: '2021-04-01', belowThreshold: true };
    const ccp = { kind: 'CCP' as const, obtainedAt: '2021-10-01', belowThreshold: false };
    expect(summarizeTraining([], [pix]).certified).toBe(false);
    const summary = summarizeTraining([], [ccp, pix]);
    expect(summary.certifications).toEqual([pix, ccp]);
    expect(summary.certified).toBe(true);
  });

  it('moves an enrolment forward only: a completion or an abandon of an ongoing one; nothing after the end or a waiver', () => {
    expect(canMove('ONGOING', 'COMPLETED')).toBe(true);
    expect(canMove('ONGOING', 'ABANDONED')).toBe(true);
    for (const from of ['COMPLETED', 'ABANDONED', 'WAIVED'] as const) for (const to of ['ONGOING', 'COMPLETED', 'ABANDONED', 'WAIVED'] as const) expect(canMove(from, to)).toBe(false);
    expect(canMove('ONGOING', 'ONGOING')).toBe(false);
  });
});
