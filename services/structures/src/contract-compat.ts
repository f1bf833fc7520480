import * as contracts from '@cnfs/contracts';
import * as domain from '@cnfs/structures-domain';

/**
 * The domain's vocabularies and the event contract's must be the same lists: the domain lib may not
 * import the contracts (module boundaries), so they are declared twice and held equal here — at
 * compile time (types) and by a unit test (values, order included).
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const SAME_VOCABULARIES: [
  Same<(typeof contracts.LEGAL_STATUSES)[number], domain.LegalStatus>,
  Same<(typeof contracts.STRUCTURE_TYPES)[number], domain.StructureType>,
  Same<(typeof contracts.STRUCTURE_STATUSES)[number], domain.StructureStatus>,
] = [true, true, true];

export const VOCABULARY_PAIRS = [
  ['LEGAL_STATUSES', contracts.LEGAL_STATUSES, domain.LEGAL_STATUSES],
  ['STRUCTURE_TYPES', contracts.STRUCTURE_TYPES, domain.STRUCTURE_TYPES],
  ['STRUCTURE_STATUSES', contracts.STRUCTURE_STATUSES, domain.STRUCTURE_STATUSES],
] as const;
