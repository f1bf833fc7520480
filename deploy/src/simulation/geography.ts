import { programmeDepartments } from '@cnfs/territory';
import { DEPARTMENT_ANCHORS, PROGRAMME_POSTS, SMALLEST_DEPARTMENT_POSTS } from './figures';
import { largestRemainder } from './random';

/** A commune of the official geography (INSEE code, SIREN, population, postal code). */
export interface Commune {
  code: string;
  name: string;
  departmentCode: string;
  regionCode: string;
  siren: string | null;
  population: number;
  postalCode: string;
}

export interface Epci {
  siren: string;
  name: string;
  departmentCode: string;
  population: number;
}

export interface DepartmentGeography {
  code: string;
  name: string;
  regionCode: string;
  population: number;
  communes: Commune[];
  epcis: Epci[];
}

interface RawCommune {
  code: string;
  nom: string;
  type: string;
  departement: string;
  region: string;
  siren?: string;
  population?: number;
  codesPostaux?: string[];
}
interface RawEpci {
  code: string;
  nom: string;
  populationTotale?: number;
  membres: { code: string }[];
}

let cache: Map<string, DepartmentGeography> | undefined;

/**
 * The programme's 101 départements (96 metropolitan with 2A/2B, 5 DROM) with their communes and
 * EPCI, from `@etalab/decoupage-administratif` (the same source as @cnfs/territory).
 */
export function geography(): Map<string, DepartmentGeography> {
  if (cache) return cache;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const rawCommunes: RawCommune[] = require('@etalab/decoupage-administratif/data/communes.json');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const rawEpcis: RawEpci[] = require('@etalab/decoupage-administratif/data/epci.json');
  const map = new Map<string, DepartmentGeography>();
  for (const d of programmeDepartments()) {
    map.set(d.code, { code: d.code, name: d.name, regionCode: d.region.code, population: 0, communes: [], epcis: [] });
  }
  const departmentOfCommune = new Map<string, string>();
  for (const c of rawCommunes) {
    if (c.type !== 'commune-actuelle') continue;
    const dep = map.get(c.departement);
    if (!dep) continue;
    departmentOfCommune.set(c.code, c.departement);
    dep.population += c.population ?? 0;
    const postalCode = c.codesPostaux?.[0];
    if (!postalCode || !/^\d{5}$/.test(postalCode)) continue;
    dep.communes.push({
      code: c.code,
      name: c.nom,
      departmentCode: c.departement,
      regionCode: c.region,
      siren: c.siren && /^\d{9}$/.test(c.siren) ? c.siren : null,
      population: c.population ?? 0,
      postalCode,
    });
  }
  for (const e of rawEpcis) {
    const first = e.membres[0] && departmentOfCommune.get(e.membres[0].code);
    const dep = first ? map.get(first) : undefined;
    if (!dep || !/^\d{9}$/.test(e.code)) continue;
    dep.epcis.push({ siren: e.code, name: e.nom, departmentCode: dep.code, population: e.populationTotale ?? 0 });
  }
  for (const dep of map.values()) {
    dep.communes.sort((a, b) => a.code.localeCompare(b.code));
    dep.epcis.sort((a, b) => a.siren.localeCompare(b.siren));
  }
  cache = map;
  return map;
}

/** Exponent of the population in the posts per département (fitted on the seeds: Nord 124, small départements 12–18). */
const POPULATION_EXPONENT = 0.74;

/**
 * Conseillers per département at the programme's full scale (4,000): the départements the seeds name
 * get their figure (Nord 124, La Réunion 70, Antilles-Guyane 45–48, the small départements of the CSNP
 * footnote), the others a share of the rest proportional to population^0.74, never under 12 and
 * always under Nord ("le mieux doté").
 */
export function postsPerDepartmentAtFullScale(): Map<string, number> {
  const geo = geography();
  const anchored = Object.entries(DEPARTMENT_ANCHORS);
  const anchoredTotal = anchored.reduce((sum, [, n]) => sum + n, 0);
  const others = [...geo.values()].filter((d) => DEPARTMENT_ANCHORS[d.code] === undefined);
  const result = new Map<string, number>(anchored);
  let remaining = PROGRAMME_POSTS - anchoredTotal;
  let pool = others;
  // Floors first (départements whose proportional share is under the smallest figure), then the rest.
  for (;;) {
    const weights = pool.map((d) => Math.pow(d.population, POPULATION_EXPONENT));
    const parts = largestRemainder(remaining, weights);
    const floored = pool.filter((_, i) => parts[i] < SMALLEST_DEPARTMENT_POSTS);
    if (floored.length === 0) {
      pool.forEach((d, i) => result.set(d.code, Math.min(parts[i], DEPARTMENT_ANCHORS['59'] - 1)));
      break;
    }
    for (const d of floored) result.set(d.code, SMALLEST_DEPARTMENT_POSTS);
    remaining -= floored.length * SMALLEST_DEPARTMENT_POSTS;
    pool = pool.filter((d) => !floored.includes(d));
  }
  return result;
}
