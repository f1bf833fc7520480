import { CalendarDate } from './calendar';
import { invalid, ruleBroken, conflicting } from './errors';

/**
 * The programme's training reference data, as published (pathways, lots and their consortia,
 * certifications). It is data, versioned and stored by the service (seeded by migrations); the
 * rules below take a catalogue as a parameter and never hard-code its contents.
 */
export type LotModality = 'DISTANCE' | 'REGIONAL';
export type CertificationKind = 'PIX' | 'CCP' | 'RNCP';
export const CERTIFICATION_KINDS: readonly CertificationKind[] = ['PIX', 'CCP', 'RNCP'];

export interface Pathway {
  hours: number;
  label: string;
}

export interface Lot {
  lot: number;
  modality: LotModality;
  /** Members of the consortium holding the lot, as published. */
  consortium: readonly string[];
  /**
   * INSEE codes of the régions a regional lot serves, or null while they have not been recorded
   * (the programme's documents name the lots and consortia but not their régions).
   */
  regionCodes: readonly string[] | null;
}

export interface CertificationType {
  /** Stable code: `PIX`, `CCP1`…, the title's own code. */
  code: string;
  kind: CertificationKind;
  title: string;
  /** A CCP block's title code. */
  parentCode: string | null;
  blockNumber: number | null;
  /** Holding it (with mediation experience) allows a waiver of the initial training. */
  waiverTarget: boolean;
}

export interface ReferenceCatalog {
  version: string;
  effectiveFrom: CalendarDate;
  pathways: readonly Pathway[];
  lots: readonly Lot[];
  certificationTypes: readonly CertificationType[];
}

/** A 70 % PIX score was the recruitment threshold of some recruiters; each may set its own. */
export const DEFAULT_PIX_THRESHOLD_PERCENT = 70;

export function requirePathway(catalog: ReferenceCatalog, hours: unknown): Pathway {
  const pathway = catalog.pathways.find((p) => p.hours === hours);
  if (!pathway) {
    const known = catalog.pathways.map((p) => p.hours).sort((a, b) => a - b).join(', ');
    throw invalid('UNKNOWN_PATHWAY', 'pathwayHours', `unknown pathway ${JSON.stringify(hours)} h; the pathways of reference ${catalog.version} are ${known} h`);
  }
  return pathway;
}

export function requireLot(catalog: ReferenceCatalog, lot: unknown, field = 'lot'): Lot {
  const found = catalog.lots.find((l) => l.lot === lot);
  if (!found) throw invalid('UNKNOWN_LOT', field, `unknown lot ${JSON.stringify(lot)}; the lots of reference ${catalog.version} are ${catalog.lots.map((l) => l.lot).join(', ')}`);
  return found;
}

/**
 * Whether a lot may train a conseiller working in `regionCode`: the distance lot serves the whole
 * programme; a regional lot its recorded régions. A regional lot whose régions are not recorded
 * is not narrowed (nothing published to narrow it with).
 */
export function lotCoversRegion(lot: Lot, regionCode: string): boolean {
  if (lot.modality === 'DISTANCE' || lot.regionCodes === null) return true;
  return lot.regionCodes.includes(regionCode);
}

export function ccpBlocksOf(catalog: ReferenceCatalog): CertificationType[] {
  return catalog.certificationTypes.filter((c) => c.kind === 'CCP').sort((a, b) => (a.blockNumber ?? 0) - (b.blockNumber ?? 0));
}

/** Checks the régions recorded for a regional lot: known codes, no duplicates, none served by another regional lot. */
export function checkLotRegions(
  catalog: ReferenceCatalog,
  lotNumber: number,
  regionCodes: readonly string[],
  isKnownRegion: (code: string) => boolean,
): void {
  const lot = requireLot(catalog, lotNumber);
  if (lot.modality === 'DISTANCE') throw ruleBroken('DISTANCE_LOT_HAS_NO_REGIONS', `lot ${lot.lot} is the distance-learning lot: it serves the whole programme and has no régions`, 'lot');
  if (regionCodes.length === 0) throw invalid('NO_REGIONS', 'regionCodes', 'at least one région is required');
  regionCodes.forEach((code, index) => {
    if (!isKnownRegion(code)) throw invalid('UNKNOWN_REGION', `regionCodes[${index}]`, `unknown région code ${JSON.stringify(code)} (INSEE code, e.g. "32" for Hauts-de-France)`);
    if (regionCodes.indexOf(code) !== index) throw invalid('DUPLICATE_REGION', `regionCodes[${index}]`, `région ${code} is listed twice`);
  });
  for (const other of catalog.lots) {
    if (other.lot === lot.lot || other.modality !== 'REGIONAL' || other.regionCodes === null) continue;
    const shared = regionCodes.filter((code) => other.regionCodes!.includes(code));
    if (shared.length > 0) throw conflicting('REGION_ALREADY_SERVED', `région(s) ${shared.join(', ')} already served by lot ${other.lot}`);
  }
}
