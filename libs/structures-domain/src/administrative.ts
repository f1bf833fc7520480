import { Decision, ok, refuse } from './rule-violation';
import { ADMINISTRATIVE_SOURCES, AdministrativeStatus, StructureStatus } from './status';

export const REASON_MIN = 3;
export const REASON_MAX = 1000;

export interface AdministrativeChangeInput {
  to: AdministrativeStatus;
  reason: string;
  /** Required for DOUBLON: the structure this one duplicates. */
  duplicateOf?: { id: string; status: StructureStatus } | null;
}

/**
 * ANCT sets ABANDON, ANNULEE or DOUBLON by hand, with a reason (it travels in the event envelope
 * for the audit trail). DOUBLON names the structure kept, which must be another structure and not
 * itself a duplicate. The allowed source statuses are in {@link ADMINISTRATIVE_SOURCES}.
 */
export function decideAdministrativeChange(
  structure: { id: string; status: StructureStatus },
  input: AdministrativeChangeInput,
): Decision<{ from: StructureStatus; to: AdministrativeStatus; duplicateOfId: string | null }> {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (reason.length < REASON_MIN || reason.length > REASON_MAX) {
    return refuse('invalid', `must be ${REASON_MIN} to ${REASON_MAX} characters`, 'reason');
  }
  if (input.to === 'DOUBLON') {
    if (!input.duplicateOf) return refuse('invalid', 'is required to mark a structure DOUBLON', 'duplicateOfId');
    if (input.duplicateOf.id === structure.id) return refuse('invalid', 'a structure cannot duplicate itself', 'duplicateOfId');
    if (input.duplicateOf.status === 'DOUBLON') {
      return refuse('unprocessable', 'names a structure that is itself a DOUBLON; name the structure that was kept', 'duplicateOfId');
    }
  } else if (input.duplicateOf) {
    return refuse('invalid', 'is only accepted with status DOUBLON', 'duplicateOfId');
  }
  if (!ADMINISTRATIVE_SOURCES[input.to].includes(structure.status)) {
    return refuse(
      'conflict',
      `a structure in status ${structure.status} cannot become ${input.to} (allowed from ${ADMINISTRATIVE_SOURCES[input.to].join(', ')})`,
    );
  }
  return ok({ from: structure.status, to: input.to, duplicateOfId: input.to === 'DOUBLON' ? input.duplicateOf!.id : null });
}
