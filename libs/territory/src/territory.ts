import { rawDepartements, rawRegions, type Zone } from './data';

export type { Zone } from './data';

/** Territory groups the programme's rules distinguish. */
export const TerritoryGroup = {
  /** Metropolitan France, Corsica (2A, 2B) included. */
  METROPOLE: 'METROPOLE',
  /** Départements et régions d'outre-mer: 971, 972, 973, 974, 976. */
  DROM: 'DROM',
  /** Collectivités d'outre-mer and other overseas territories: 975, 977, 978, 984, 986–989. */
  COM: 'COM',
} as const;
export type TerritoryGroup = (typeof TerritoryGroup)[keyof typeof TerritoryGroup];

/** The DROM sub-groups the phase-1 public-law subsidy amounts depend on. */
export const DromGroup = {
  /** La Réunion (974), Mayotte (976): 67,500 € per post for public-law recruiters. */
  REUNION_MAYOTTE: 'REUNION_MAYOTTE',
  /** Guadeloupe (971), Martinique (972), Guyane (973): 70,000 € per post for public-law recruiters. */
  ANTILLES_GUYANE: 'ANTILLES_GUYANE',
} as const;
export type DromGroup = (typeof DromGroup)[keyof typeof DromGroup];

/** Programme policy, not geography: which sub-group each DROM falls in (DESIGN.md, subsidy rules). */
const DROM_GROUP_BY_CODE: Readonly<Record<string, DromGroup>> = {
  '971': DromGroup.ANTILLES_GUYANE,
  '972': DromGroup.ANTILLES_GUYANE,
  '973': DromGroup.ANTILLES_GUYANE,
  '974': DromGroup.REUNION_MAYOTTE,
  '976': DromGroup.REUNION_MAYOTTE,
};

export type TerritoryClassification =
  | { readonly group: 'METROPOLE' }
  | { readonly group: 'DROM'; readonly dromGroup: DromGroup }
  | { readonly group: 'COM' };

export interface Region {
  readonly code: string;
  readonly name: string;
  readonly zone: Zone;
}

export interface Department {
  /** INSEE code: "01"…"95", "2A", "2B", "971"…"989". */
  readonly code: string;
  readonly name: string;
  readonly region: Region;
  readonly zone: Zone;
  readonly classification: TerritoryClassification;
}

export class UnknownDepartmentError extends Error {
  constructor(readonly input: unknown) {
    super(`Unknown département code ${JSON.stringify(input)}: expected an INSEE code such as "01", "2A", "59" or "974"`);
    this.name = 'UnknownDepartmentError';
  }
}

function classify(code: string, zone: Zone): TerritoryClassification {
  switch (zone) {
    case 'metro':
      return Object.freeze({ group: TerritoryGroup.METROPOLE });
    case 'drom': {
      const dromGroup = DROM_GROUP_BY_CODE[code];
      if (!dromGroup) {
        // The data package gained a DROM the subsidy rules know nothing about: fail loudly.
        throw new Error(`DROM département ${code} has no sub-group in @cnfs/territory; the subsidy rules must be extended`);
      }
      return Object.freeze({ group: TerritoryGroup.DROM, dromGroup });
    }
    case 'com':
      return Object.freeze({ group: TerritoryGroup.COM });
    default:
      throw new Error(`Unexpected zone ${JSON.stringify(zone)} for ${code} in @etalab/decoupage-administratif`);
  }
}

const regionsByCode = new Map<string, Region>(
  rawRegions.map((r) => [r.code, Object.freeze({ code: r.code, name: r.nom, zone: r.zone })]),
);

const departments: readonly Department[] = Object.freeze(
  rawDepartements.map((d) => {
    const region = regionsByCode.get(d.region);
    if (!region) throw new Error(`Département ${d.code} refers to unknown region ${d.region}`);
    return Object.freeze({ code: d.code, name: d.nom, region, zone: d.zone, classification: classify(d.code, d.zone) });
  }),
);
const regions: readonly Region[] = Object.freeze([...regionsByCode.values()]);
const departmentsByCode = new Map(departments.map((d) => [d.code, d]));
const programme = Object.freeze(departments.filter((d) => d.zone === 'metro' || d.zone === 'drom'));

/**
 * Normalises a département code as typed by people or spreadsheets: trims, upper-cases
 * ("2a" → "2A") and restores a lost leading zero ("1" or the number 1 → "01"). It does not
 * check that the code exists, and does not map the pre-1976 Corsica code "20".
 */
export function normalizeDepartmentCode(input: string | number): string {
  const text = String(input).trim().toUpperCase();
  return /^\d$/.test(text) ? `0${text}` : text;
}

function lookup(code: unknown): Department | undefined {
  if (typeof code !== 'string' && typeof code !== 'number') return undefined;
  return departmentsByCode.get(normalizeDepartmentCode(code));
}

/** The département for a code (normalised first), or undefined. */
export function findDepartment(code: string | number): Department | undefined {
  return lookup(code);
}

/** Like {@link findDepartment} but throws an {@link UnknownDepartmentError}. */
export function requireDepartment(code: string | number): Department {
  const department = lookup(code);
  if (!department) throw new UnknownDepartmentError(code);
  return department;
}

export function isKnownDepartment(code: unknown): boolean {
  return lookup(code) !== undefined;
}

/** Every département and overseas collectivity in the data package (109), in INSEE order. */
export function listDepartments(): readonly Department[] {
  return departments;
}

/** The 101 départements the programme ran in: 96 metropolitan (2A, 2B included) and 5 DROM. */
export function programmeDepartments(): readonly Department[] {
  return programme;
}

/** The départements of a territory group (and optionally of one DROM sub-group). */
export function departmentsInGroup(group: TerritoryGroup, dromGroup?: DromGroup): readonly Department[] {
  return departments.filter(
    (d) =>
      d.classification.group === group &&
      (dromGroup === undefined || (d.classification.group === 'DROM' && d.classification.dromGroup === dromGroup)),
  );
}

export function regionOf(code: string | number): Region | undefined {
  return lookup(code)?.region;
}

export function findRegion(code: string): Region | undefined {
  return regionsByCode.get(String(code).trim());
}

/** Every région and overseas collectivity in the data package. */
export function listRegions(): readonly Region[] {
  return regions;
}

/** The territory group of a département, or undefined for an unknown code. */
export function classifyTerritory(code: string | number): TerritoryClassification | undefined {
  return lookup(code)?.classification;
}
