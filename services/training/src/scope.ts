import { canAccessDepartment, canAccessLot, Principal } from '@cnfs/auth';
import { ProblemException } from '@cnfs/service-kit';
import { Lot, lotCoversRegion, ReferenceCatalog } from '@cnfs/training-domain';
import { Sql } from './sql';

/**
 * Who sees what:
 * - ANCT: everything;
 * - a training provider: the enrolments of its lot and their conseillers' certifications, plus the conseillers
 *   still to be trained in the territory its lot serves (the whole programme for the distance lot, or a regional
 *   lot whose régions are not recorded yet);
 * - a préfecture: read-only, what belongs to its départements.
 * Anything outside is a 404, as if it did not exist.
 */

export function providerLot(principal: Principal, catalog: ReferenceCatalog): Lot | null {
  if (principal.role !== 'training_provider') return null;
  return catalog.lots.find((l) => l.lot === principal.lot) ?? null;
}

/** SQL condition on an enrolment row (alias `e`). */
export function enrolmentScope(sql: Sql, principal: Principal, alias = 'e'): string {
  switch (principal.role) {
    case 'anct':
      return 'TRUE';
    case 'training_provider':
      return `${alias}.lot = ${sql.p(principal.lot)}`;
    case 'prefecture':
      return `${alias}.department_code = ANY(${sql.p([...principal.departments])}::text[])`;
    default:
      return 'FALSE';
  }
}

/** SQL condition on a trainee (alias `t`) and its current contract (alias `c`). */
export function traineeScope(sql: Sql, principal: Principal, catalog: ReferenceCatalog): string {
  switch (principal.role) {
    case 'anct':
      return 'TRUE';
    case 'prefecture':
      return `c.department_code = ANY(${sql.p([...principal.departments])}::text[])`;
    case 'training_provider': {
      const lot = providerLot(principal, catalog);
      const ownEnrolment = `EXISTS (SELECT 1 FROM enrolments own WHERE own.conseiller_id = t.conseiller_id AND own.lot = ${sql.p(principal.lot)})`;
      if (!lot) return ownEnrolment;
      const covered = lot.modality === 'DISTANCE' || lot.regionCodes === null ? 'TRUE' : `c.region_code = ANY(${sql.p([...lot.regionCodes])}::text[])`;
      return `(${ownEnrolment} OR (t.status = 'TO_BE_TRAINED' AND ${covered}))`;
    }
    default:
      return 'FALSE';
  }
}

/** Whether the principal may see a trainee (same rule as {@link traineeScope}, for one record already loaded). */
export function canSeeTrainee(
  principal: Principal,
  catalog: ReferenceCatalog,
  trainee: { status: string; departmentCode: string; regionCode: string | null; lots: readonly number[] },
): boolean {
  switch (principal.role) {
    case 'anct':
      return true;
    case 'prefecture':
      return canAccessDepartment(principal, trainee.departmentCode);
    case 'training_provider': {
      if (trainee.lots.includes(principal.lot)) return true;
      const lot = providerLot(principal, catalog);
      return trainee.status === 'TO_BE_TRAINED' && lot !== null && lotCoversRegion(lot, trainee.regionCode ?? '');
    }
    default:
      return false;
  }
}

export function canSeeEnrolment(principal: Principal, enrolment: { lot: number; departmentCode: string }): boolean {
  if (principal.role === 'prefecture') return canAccessDepartment(principal, enrolment.departmentCode);
  return canAccessLot(principal, enrolment.lot);
}

/** A training provider acts in its own lot only. */
export function requireOwnLot(principal: Principal, lot: number): void {
  if (principal.role === 'training_provider' && principal.lot !== lot) {
    throw new ProblemException(403, `a training provider of lot ${principal.lot} cannot act for lot ${lot}`, {
      errors: [{ field: 'lot', message: `must be your own lot (${principal.lot})` }],
    });
  }
}

/** The actor recorded on rows: role and subject (and lot) of the token. */
export function recordedBy(principal: Principal): string {
  return principal.role === 'training_provider' ? `training_provider:${principal.lot}:${principal.subject}` : `${principal.role}:${principal.subject}`;
}
