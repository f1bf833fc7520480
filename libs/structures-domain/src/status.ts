/**
 * The structure lifecycle (names of the programme's own back office):
 *
 *   CREEE ──coselec──▶ VALIDATION_COSELEC | EXAMEN_COMPLEMENTAIRE_COSELEC | REFUS_COSELEC
 *
 * A structure stays open to further committee decisions while it is CREEE, under complementary
 * examination, validated (a later committee changes its quota, or examines its renewal) or refused
 * (it may be presented again). ABANDON (the structure withdraws), ANNULEE (the application is
 * cancelled) and DOUBLON (it duplicates another structure) are decided by ANCT and are final.
 */
export const STRUCTURE_STATUSES = [
  'CREEE', 'VALIDATION_COSELEC', 'EXAMEN_COMPLEMENTAIRE_COSELEC', 'REFUS_COSELEC', 'ABANDON', 'ANNULEE', 'DOUBLON',
] as const;
export type StructureStatus = (typeof STRUCTURE_STATUSES)[number];

export const COSELEC_OPINIONS = ['POSITIF', 'NEGATIF', 'EXAMEN_COMPLEMENTAIRE'] as const;
export type CoselecOpinion = (typeof COSELEC_OPINIONS)[number];

/** Statuses ANCT sets by hand (not through a committee decision). */
export const ADMINISTRATIVE_STATUSES = ['ABANDON', 'ANNULEE', 'DOUBLON'] as const;
export type AdministrativeStatus = (typeof ADMINISTRATIVE_STATUSES)[number];

/** Final statuses: nothing happens to the structure any more. */
export const FINAL_STATUSES: readonly StructureStatus[] = ['ABANDON', 'ANNULEE', 'DOUBLON'];

/** The status a committee opinion leads to. */
export const STATUS_AFTER_OPINION: Readonly<Record<CoselecOpinion, StructureStatus>> = Object.freeze({
  POSITIF: 'VALIDATION_COSELEC',
  NEGATIF: 'REFUS_COSELEC',
  EXAMEN_COMPLEMENTAIRE: 'EXAMEN_COMPLEMENTAIRE_COSELEC',
});

/** Statuses in which a committee decision may be recorded. */
export const DECIDABLE_STATUSES: readonly StructureStatus[] = ['CREEE', 'EXAMEN_COMPLEMENTAIRE_COSELEC', 'VALIDATION_COSELEC', 'REFUS_COSELEC'];

/**
 * From which statuses ANCT may set each administrative status:
 * - ABANDON: the structure withdraws an application or gives its posts up (not after a refusal: nothing to give up);
 * - ANNULEE: any live application can be cancelled;
 * - DOUBLON: not once validated — a validated structure holds posts; cancel or re-attribute them first.
 */
export const ADMINISTRATIVE_SOURCES: Readonly<Record<AdministrativeStatus, readonly StructureStatus[]>> = Object.freeze({
  ABANDON: ['CREEE', 'EXAMEN_COMPLEMENTAIRE_COSELEC', 'VALIDATION_COSELEC'],
  ANNULEE: ['CREEE', 'EXAMEN_COMPLEMENTAIRE_COSELEC', 'VALIDATION_COSELEC', 'REFUS_COSELEC'],
  DOUBLON: ['CREEE', 'EXAMEN_COMPLEMENTAIRE_COSELEC', 'REFUS_COSELEC'],
});

export function isStructureStatus(value: unknown): value is StructureStatus {
  return typeof value === 'string' && (STRUCTURE_STATUSES as readonly string[]).includes(value);
}

export function isCoselecOpinion(value: unknown): value is CoselecOpinion {
  return typeof value === 'string' && (COSELEC_OPINIONS as readonly string[]).includes(value);
}

export function isAdministrativeStatus(value: unknown): value is AdministrativeStatus {
  return typeof value === 'string' && (ADMINISTRATIVE_STATUSES as readonly string[]).includes(value);
}

export function isFinal(status: StructureStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** What moves a structure from one status to another. */
export type StatusTrigger = { kind: 'coselec'; opinion: CoselecOpinion } | { kind: 'administrative'; to: AdministrativeStatus };

/** The status after a trigger, or null when the trigger is not allowed in `from`. */
export function nextStatus(from: StructureStatus, trigger: StatusTrigger): StructureStatus | null {
  if (trigger.kind === 'coselec') return DECIDABLE_STATUSES.includes(from) ? STATUS_AFTER_OPINION[trigger.opinion] : null;
  return ADMINISTRATIVE_SOURCES[trigger.to].includes(from) ? trigger.to : null;
}

/** Every (from → to) move that changes the status, derived from the rules above. */
export function allowedTransitions(): ReadonlyMap<StructureStatus, ReadonlySet<StructureStatus>> {
  const triggers: StatusTrigger[] = [
    ...COSELEC_OPINIONS.map((opinion) => ({ kind: 'coselec', opinion }) as const),
    ...ADMINISTRATIVE_STATUSES.map((to) => ({ kind: 'administrative', to }) as const),
  ];
  const map = new Map<StructureStatus, Set<StructureStatus>>();
  for (const from of STRUCTURE_STATUSES) {
    const targets = new Set<StructureStatus>();
    for (const trigger of triggers) {
      const to = nextStatus(from, trigger);
      if (to !== null && to !== from) targets.add(to);
    }
    map.set(from, targets);
  }
  return map;
}

export function canTransition(from: StructureStatus, to: StructureStatus): boolean {
  return allowedTransitions().get(from)?.has(to) ?? false;
}
