import { SubsidiesSchema1764000100000 } from './1764000100000-subsidies-schema';
import { SubsidiesSeeds1764000100001 } from './1764000100001-subsidies-seeds';

export const SUBSIDIES_MIGRATIONS = [SubsidiesSchema1764000100000, SubsidiesSeeds1764000100001];
