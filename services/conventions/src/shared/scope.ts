import { canAccessStructure, Principal } from '@cnfs/auth';
import { notFound, ProblemException } from '@cnfs/service-kit';

/** What a principal may see: everything (undefined), one structure, or some départements. */
export type Scope = { structureId: string } | { departments: readonly string[] } | undefined;

/** Row filter of a principal for lists: a structure sees itself, a préfecture its départements, ANCT everything. */
export function scopeOf(principal: Principal): Scope {
  switch (principal.role) {
    case 'structure':
      return { structureId: principal.structureId };
    case 'prefecture':
      return { departments: principal.departments };
    case 'anct':
    case 'bdt':
      return undefined;
    default:
      // Routes do not let other roles in; a list for them is empty rather than national.
      return { departments: [] };
  }
}

/** A record outside the principal's scope does not exist for them (404, like a préfecture outside its territory). */
export function assertCanSee(principal: Principal, record: { structureId: string; departmentCode: string }, what: string): void {
  if (!canAccessStructure(principal, record)) throw notFound(what);
}

/** A structure acts only for itself; ANCT acts for any. */
export function assertActsFor(principal: Principal, structureId: string): void {
  if (principal.role === 'structure' && principal.structureId !== structureId) {
    throw new ProblemException(403, 'a structure may only act for itself', { errors: [{ field: 'structureId', message: 'is not your structure' }] });
  }
}

/** Who did it, for the rows' created_by / decided_by columns (the event's actor says it in full). */
export function subjectOf(principal: Principal): string {
  return `${principal.role}:${principal.subject}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids of this service are UUIDs; anything else names nothing (404). */
export function assertUuid(id: string, what: string): string {
  if (!UUID.test(id)) throw notFound(what);
  return id.toLowerCase();
}
