import { CalendarDate } from './calendar';

/** The types of the generated programme: pure data, produced by generator.ts from a seed. */

export type LegalStatus = 'PUBLIC' | 'PRIVATE';
export type StructureType = 'COMMUNE' | 'EPCI' | 'DEPARTEMENT' | 'REGION' | 'COLLECTIVITE' | 'GIP' | 'ASSOCIATION' | 'ENTREPRISE_ESS' | 'PRIVATE_OTHER';
export type ContractType = 'CDI' | 'CDD' | 'PEC' | 'CONTRAT_DE_PROJET_PUBLIC';
export type RuptureReason = 'LICENCIEMENT' | 'NON_RECONDUCTION_CDD' | 'DEMISSION' | 'CDISATION' | 'FIN_DE_SUBVENTIONNEMENT';

export interface PlannedDecision {
  decidedOn: CalendarDate;
  opinion: 'POSITIF' | 'NEGATIF' | 'EXAMEN_COMPLEMENTAIRE';
  grantedPosts: number;
  committee: string;
  phase: 1 | 2;
}

export interface PlannedStructure {
  /** Stable key (idempotency keys, report rows): `S00001`. */
  key: string;
  index: number;
  siret: string;
  name: string;
  type: StructureType;
  legalStatus: LegalStatus;
  departmentCode: string;
  address: { line1: string; postalCode: string; city: string };
  qpv: boolean;
  zrr: boolean;
  requestedPosts: number;
  contact: { name: string; email: string; phone: string; jobTitle: string };
  iban: string;
  registeredOn: CalendarDate;
  /** Phase-1 decisions, then the phase-2 one (if any), in order. */
  decisions: PlannedDecision[];
  /** A structure not retained that gives up (ABANDON) after its further examination. */
  abandonedOn?: CalendarDate;
  /** Phase-1 convention (retained structures only). */
  convention?: { startDate: CalendarDate; signedOn: CalendarDate; posts: number };
  /** Posts never filled, returned by a RETRAIT amendment (at most this many, never an occupied one). */
  retrait?: { on: CalendarDate; posts: number };
  /** Renewal (phase 2): préfet opinion, coselec, convention signed on `signedOn`, its posts for the renewals below. */
  renewal?: { prefectOpinionOn: CalendarDate; startDate: CalendarDate; signedOn: CalendarDate; posts: number };
  /** The préfet's opinion on the structure's renewals (the lifecycle path; ANCT refuses after an unfavourable one). */
  prefectOpinion?: 'favorable' | 'defavorable';
}

export interface PlannedTraining {
  lot: number;
  /** null: a waiver (DEROGATION) backed by a CCP1 certification obtained before the contract. */
  pathwayHours: 105 | 280 | 350 | 420 | null;
  positioningOn: CalendarDate;
  startDate: CalendarDate;
  /**
   * COMPLETED / ABANDONED: recorded by the lot at `endDate`; WITHDRAWN: the contract was ruptured during the
   * training (the training service withdraws it itself); ONGOING: still running when the timeline stops.
   */
  outcome: 'COMPLETED' | 'ABANDONED' | 'WITHDRAWN' | 'ONGOING';
  endDate: CalendarDate;
  hours: number;
  /** Certifications after the training (or before, for a waiver's CCP1). */
  certifications: { kind: 'PIX' | 'CCP'; on: CalendarDate; pixScore?: number; blocks?: string[] }[];
}

export interface PlannedContract {
  /** Stable key: `C000001`. */
  key: string;
  index: number;
  structure: number;
  /** The post "slot" of the structure this contract's chain occupies (0-based). */
  slot: number;
  kind: 'INITIAL' | 'REPLACEMENT' | 'RENEWAL_PHASE1' | 'RENEWAL_PHASE2';
  /** The contract this one renews (renewals) or replaces (replacement after a rupture). */
  previous?: number;
  /** Same person across renewals. */
  conseiller: { firstName: string; lastName: string; email: string; birthDate: CalendarDate };
  type: ContractType;
  startDate: CalendarDate;
  endDate: CalendarDate | null;
  salaryCents: number;
  /** The first contract of a conseiller is followed by training; renewals keep it. */
  training?: PlannedTraining;
  rupture?: { date: CalendarDate; reason: RuptureReason };
  /** The renewal that follows (a later contract's index). */
  renewedBy?: number;
  /** The phase-1 subsidy's final report is received when this contract's chain leaves its phase-1 post (or financing ends). */
  finalReportOn?: CalendarDate;
  /** A CDI whose State financing (24 months of its convention) ends within the timeline and is renewed (lifecycle path). */
  financingRenewal?: { financedUntil: CalendarDate };
}

export interface Plan {
  seed: number;
  scale: number;
  structures: PlannedStructure[];
  contracts: PlannedContract[];
  /** Figures of the plan, to compare with what the platform reports. */
  figures: {
    retainedStructures: number;
    applicants: number;
    posts: number;
    postsPerDepartment: Record<string, number>;
    initialContracts: number;
    replacements: number;
    ruptures: number;
    renewalsPhase1: number;
    renewalsPhase2Wanted: number;
  };
}
