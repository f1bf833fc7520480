// The only place that reads the maintained data package (INSEE's Code officiel géographique as
// published by Etalab). Shapes are declared here because the package ships no types.

export type Zone = 'metro' | 'drom' | 'com';

export interface RawDepartement {
  code: string;
  region: string;
  nom: string;
  chefLieu?: string;
  zone: Zone;
}

export interface RawRegion {
  code: string;
  nom: string;
  chefLieu?: string;
  zone: Zone;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const rawDepartements: readonly RawDepartement[] = require('@etalab/decoupage-administratif/data/departements.json');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const rawRegions: readonly RawRegion[] = require('@etalab/decoupage-administratif/data/regions.json');
