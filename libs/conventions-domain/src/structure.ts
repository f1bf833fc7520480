import { conflict } from './errors';

export type Phase = 1 | 2;
export type LegalStatus = 'PUBLIC' | 'PRIVATE';

/** Structure statuses after which nothing new is conventioned or recruited. */
export const CLOSED_STRUCTURE_STATUSES = ['ABANDON', 'ANNULEE', 'DOUBLON'] as const;

/** The post quota of each phase, from the latest positive coselec decision of that phase (null: none). */
export interface Quotas {
  phase1: number | null;
  phase2: number | null;
}

export const NO_QUOTA: Quotas = Object.freeze({ phase1: null, phase2: null });

/** What a selection-committee decision tells this context (from `structures.CoselecDecisionRecorded`). */
export interface CoselecDecision {
  opinion: 'POSITIF' | 'NEGATIF' | 'EXAMEN_COMPLEMENTAIRE';
  grantedPosts: number;
  phase: Phase;
  /** The structures service's effective quota after the decision; null when no positive decision is effective. */
  effectiveQuota: { posts: number; phase: Phase } | null;
}

/**
 * The quotas after a decision. The history is append-only and the effective quota of a phase is its latest
 * positive decision: a positive decision sets its phase's quota, a negative one or a further examination leaves it.
 * The structures service's `effectiveQuota` is authoritative for the phase it names, and `null` there means that no
 * positive decision stands at all.
 */
export function applyCoselecDecision(quotas: Quotas, decision: CoselecDecision): Quotas {
  if (decision.effectiveQuota === null) return { ...NO_QUOTA };
  const next: Quotas = { ...quotas };
  if (decision.opinion === 'POSITIF') next[phaseKey(decision.phase)] = decision.grantedPosts;
  next[phaseKey(decision.effectiveQuota.phase)] = decision.effectiveQuota.posts;
  return next;
}

function phaseKey(phase: Phase): keyof Quotas {
  return phase === 1 ? 'phase1' : 'phase2';
}

export function quotaOf(quotas: Quotas, phase: Phase): number {
  return quotas[phaseKey(phase)] ?? 0;
}

/** The structure as this context knows it (its own read model of the structures service's events). */
export interface StructureFacts {
  structureId: string;
  status: string;
  legalStatus: LegalStatus | null;
  departmentCode: string;
  quotas: Quotas;
}

export function isClosed(status: string): boolean {
  return (CLOSED_STRUCTURE_STATUSES as readonly string[]).includes(status);
}

/** A structure may sign a convention of a phase only while open and with a positive coselec quota for that phase. */
export function assertMayConvention(structure: StructureFacts, phase: Phase): number {
  if (isClosed(structure.status)) {
    throw conflict('STRUCTURE_CLOSED', `structure ${structure.structureId} is ${structure.status}: no convention can be signed`);
  }
  if (structure.legalStatus === null) {
    throw conflict('STRUCTURE_NOT_REGISTERED', `structure ${structure.structureId} is not registered yet (its legal status is unknown)`);
  }
  const quota = quotaOf(structure.quotas, phase);
  if (quota <= 0) {
    throw conflict(
      'NO_POSITIVE_COSELEC_QUOTA',
      `structure ${structure.structureId} has no positive coselec decision granting posts for phase ${phase}`,
    );
  }
  return quota;
}

/** New recruitments need an open structure. */
export function assertMayRecruit(structure: { structureId: string; status: string }): void {
  if (isClosed(structure.status)) {
    throw conflict('STRUCTURE_CLOSED', `structure ${structure.structureId} is ${structure.status}: no contract can be signed`);
  }
}
