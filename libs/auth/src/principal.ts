import { findDepartment } from '@cnfs/territory';

export const ROLES = ['anct', 'prefecture', 'bdt', 'training_provider', 'structure'] as const;
export type Role = (typeof ROLES)[number];

export const TRAINING_LOTS = [1, 2, 3, 4, 5, 6] as const;
export type TrainingLot = (typeof TRAINING_LOTS)[number];

/** ANCT national programme team: sees everything. */
export interface AnctPrincipal { readonly subject: string; readonly role: 'anct' }
/** A préfecture, scoped to its département(s) (normalised INSEE codes). */
export interface PrefecturePrincipal { readonly subject: string; readonly role: 'prefecture'; readonly departments: readonly string[] }
/** Banque des Territoires: executes and reconciles payments nationally. */
export interface BdtPrincipal { readonly subject: string; readonly role: 'bdt' }
/** A training consortium, scoped to its lot. */
export interface TrainingProviderPrincipal { readonly subject: string; readonly role: 'training_provider'; readonly lot: TrainingLot }
/** A host structure, scoped to itself. */
export interface StructurePrincipal { readonly subject: string; readonly role: 'structure'; readonly structureId: string }

export type Principal = AnctPrincipal | PrefecturePrincipal | BdtPrincipal | TrainingProviderPrincipal | StructurePrincipal;

/** A principal's claims don't fit its role (or are malformed). */
export class InvalidPrincipalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPrincipalError';
  }
}

/** Which scope claim each role requires; every other scope claim is refused for that role. */
const SCOPE_CLAIM: Readonly<Record<Role, 'departments' | 'lot' | 'structureId' | undefined>> = {
  anct: undefined,
  prefecture: 'departments',
  bdt: undefined,
  training_provider: 'lot',
  structure: 'structureId',
};
const SCOPE_CLAIMS = ['departments', 'lot', 'structureId'] as const;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Builds a {@link Principal} from untrusted claims ({subject, role, departments?, lot?, structureId?}),
 * refusing any mismatch between the role and its scope claims: a préfecture without départements
 * (or with an unknown one), a training provider without a lot in 1..6, a structure without an id,
 * or a scope claim that belongs to another role. Département codes are normalised ("2a" → "2A").
 */
export function toPrincipal(claims: Record<string, unknown>): Principal {
  const { subject, role } = claims;
  if (typeof subject !== 'string' || subject.trim() === '') {
    throw new InvalidPrincipalError('The subject must be a non-empty string');
  }
  if (!isRole(role)) {
    throw new InvalidPrincipalError(`Unknown role ${JSON.stringify(role)}; expected one of ${ROLES.join(', ')}`);
  }
  for (const claim of SCOPE_CLAIMS) {
    if (claim !== SCOPE_CLAIM[role] && claims[claim] !== undefined) {
      throw new InvalidPrincipalError(`Role ${role} must not carry a "${claim}" claim`);
    }
  }
  switch (role) {
    case 'anct':
    case 'bdt':
      return Object.freeze({ subject, role });
    case 'prefecture': {
      const { departments } = claims;
      if (!Array.isArray(departments) || departments.length === 0) {
        throw new InvalidPrincipalError('Role prefecture requires a non-empty "departments" claim (list of département codes)');
      }
      const codes = departments.map((code) => {
        const department = typeof code === 'string' ? findDepartment(code) : undefined;
        if (!department) throw new InvalidPrincipalError(`Role prefecture: unknown département code ${JSON.stringify(code)}`);
        return department.code;
      });
      return Object.freeze({ subject, role, departments: Object.freeze([...new Set(codes)]) });
    }
    case 'training_provider': {
      const { lot } = claims;
      if (!(TRAINING_LOTS as readonly unknown[]).includes(lot)) {
        throw new InvalidPrincipalError(`Role training_provider requires a "lot" claim, an integer from 1 to 6 (got ${JSON.stringify(lot)})`);
      }
      return Object.freeze({ subject, role, lot: lot as TrainingLot });
    }
    case 'structure': {
      const { structureId } = claims;
      if (typeof structureId !== 'string' || structureId.trim() === '') {
        throw new InvalidPrincipalError('Role structure requires a non-empty "structureId" claim');
      }
      return Object.freeze({ subject, role, structureId });
    }
  }
}
