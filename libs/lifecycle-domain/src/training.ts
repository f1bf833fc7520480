/**
 * What the saga knows of a conseiller's training when a renewal is decided (from the training service's
 * events, kept by the lifecycle service): trained (pathway completed, or a waiver), in training, abandoned, or
 * never enrolled; and the certifications obtained. A conseiller keeps a training across contracts (a renewal
 * does not train again), so it is read by conseiller, not by contract.
 */
export type TrainingEnrolmentStatus = 'ONGOING' | 'COMPLETED' | 'WAIVED' | 'ABANDONED';

export interface TrainingEnrolmentFact {
  enrolmentId: string;
  status: TrainingEnrolmentStatus;
  pathwayHours: number | null;
  lot: number;
  startDate: string;
  /** Completion or abandon date. */
  endDate: string | null;
}

export interface CertificationFact {
  kind: 'PIX' | 'CCP' | 'RNCP';
  obtainedAt: string;
  belowThreshold: boolean;
}

export type TrainingStatus = 'TRAINED' | 'IN_TRAINING' | 'ABANDONED' | 'NOT_ENROLLED';

export interface TrainingSummary {
  status: TrainingStatus;
  trained: boolean;
  /** The enrolment that gives the status (the standing one, else the latest abandoned). */
  enrolment: TrainingEnrolmentFact | null;
  certifications: CertificationFact[];
  /** The RNCP title, or at least one CCP block. */
  certified: boolean;
}

const RANK: Record<TrainingEnrolmentStatus, number> = { COMPLETED: 3, WAIVED: 3, ONGOING: 2, ABANDONED: 1 };

/** An enrolment only moves forward: ONGOING → COMPLETED | ABANDONED; a waiver is final. */
export function canMove(from: TrainingEnrolmentStatus, to: TrainingEnrolmentStatus): boolean {
  return from === 'ONGOING' && (to === 'COMPLETED' || to === 'ABANDONED');
}

export function summarizeTraining(enrolments: TrainingEnrolmentFact[], certifications: CertificationFact[]): TrainingSummary {
  const best = [...enrolments].sort((a, b) => RANK[b.status] - RANK[a.status] || b.startDate.localeCompare(a.startDate))[0] ?? null;
  const status: TrainingStatus = !best
    ? 'NOT_ENROLLED'
    : best.status === 'COMPLETED' || best.status === 'WAIVED'
      ? 'TRAINED'
      : best.status === 'ONGOING'
        ? 'IN_TRAINING'
        : 'ABANDONED';
  const sorted = [...certifications].sort((a, b) => a.obtainedAt.localeCompare(b.obtainedAt) || a.kind.localeCompare(b.kind));
  return {
    status,
    trained: status === 'TRAINED',
    enrolment: best,
    certifications: sorted,
    certified: sorted.some((c) => c.kind === 'RNCP' || c.kind === 'CCP'),
  };
}
