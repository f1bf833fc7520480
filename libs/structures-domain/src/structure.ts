/** Structures: legal statuses, types, and the rule tying a type to its legal status. */

export const LEGAL_STATUSES = ['PUBLIC', 'PRIVATE'] as const;
export type LegalStatus = (typeof LEGAL_STATUSES)[number];

export const STRUCTURE_TYPES = [
  'COMMUNE', 'EPCI', 'DEPARTEMENT', 'REGION', 'COLLECTIVITE', 'GIP', 'ASSOCIATION', 'ENTREPRISE_ESS', 'PRIVATE_OTHER',
] as const;
export type StructureType = (typeof STRUCTURE_TYPES)[number];

/**
 * Which legal status each type of structure has. Local authorities, their groupings (EPCI),
 * collectivities with a special status and public-interest groupings (GIP) are public-law
 * persons; associations, social-economy companies (ESS) and other private bodies are private-law.
 * The legal status decides the phase-1 subsidy (32,000 € private, 50,000–70,000 € public), so a
 * mismatch would pay the wrong amount: it is refused at registration.
 */
export const LEGAL_STATUS_OF_TYPE: Readonly<Record<StructureType, LegalStatus>> = Object.freeze({
  COMMUNE: 'PUBLIC',
  EPCI: 'PUBLIC',
  DEPARTEMENT: 'PUBLIC',
  REGION: 'PUBLIC',
  COLLECTIVITE: 'PUBLIC',
  GIP: 'PUBLIC',
  ASSOCIATION: 'PRIVATE',
  ENTREPRISE_ESS: 'PRIVATE',
  PRIVATE_OTHER: 'PRIVATE',
});

export function isLegalStatus(value: unknown): value is LegalStatus {
  return typeof value === 'string' && (LEGAL_STATUSES as readonly string[]).includes(value);
}

export function isStructureType(value: unknown): value is StructureType {
  return typeof value === 'string' && (STRUCTURE_TYPES as readonly string[]).includes(value);
}

/** The types allowed for a legal status. */
export function typesOfLegalStatus(legalStatus: LegalStatus): StructureType[] {
  return STRUCTURE_TYPES.filter((type) => LEGAL_STATUS_OF_TYPE[type] === legalStatus);
}

/** Null when the type agrees with the legal status, else the reason. */
export function typeLegalStatusMismatch(type: StructureType, legalStatus: LegalStatus): string | null {
  if (LEGAL_STATUS_OF_TYPE[type] === legalStatus) return null;
  return `a structure of type ${type} is ${LEGAL_STATUS_OF_TYPE[type]}, not ${legalStatus}; ${legalStatus} allows ${typesOfLegalStatus(legalStatus).join(', ')}`;
}
