import { canAccessDepartment, Principal } from '@cnfs/auth';
import { notFound, ProblemException } from '@cnfs/service-kit';

/** Who acted, as stored on records: `<role>:<subject>`. */
export const actorOf = (principal: Principal) => `${principal.role}:${principal.subject}`;

/** A record outside the principal's territory does not exist for them (404). */
export function assertSees(principal: Principal, record: { department_code: string; structure_id: string }, what: string): void {
  const visible = principal.role === 'structure' ? principal.structureId === record.structure_id : canAccessDepartment(principal, record.department_code);
  if (!visible) throw notFound(what);
}

/**
 * SQL conditions restricting a list to the principal's scope: départements of a préfecture, a
 * structure's own records; national roles see everything. Training providers see nothing here.
 */
export function scopeFilter(principal: Principal, columns: { department: string; structure: string }, params: unknown[]): string[] {
  switch (principal.role) {
    case 'prefecture':
      params.push([...principal.departments]);
      return [`${columns.department} = ANY($${params.length}::text[])`];
    case 'structure':
      params.push(principal.structureId);
      return [`${columns.structure} = $${params.length}`];
    case 'training_provider':
      return ['false'];
    default:
      return [];
  }
}

/** A list's filter: `column = value`, or a condition built from the number of its parameter; an undefined value filters nothing. */
export type ListFilter = readonly [condition: string | ((parameter: number) => string), value: unknown];

/** The columns that scope a record to a département and a structure, as most tables name them. */
const SCOPE_COLUMNS = { department: 'department_code', structure: 'structure_id' };

/**
 * The WHERE conditions of a list read by `principal`: its scope (scopeFilter, on `columns`), then each filter given,
 * their values appended to `params`. `whereClause` joins them.
 */
export function listConditions(principal: Principal, params: unknown[], filters: readonly ListFilter[], columns = SCOPE_COLUMNS): string[] {
  const where = scopeFilter(principal, columns, params);
  for (const [condition, value] of filters) {
    if (value === undefined) continue;
    params.push(value);
    where.push(typeof condition === 'string' ? `${condition} = $${params.length}` : condition(params.length));
  }
  return where;
}

/** `WHERE c1 AND c2 …`, or nothing when there is no condition. */
export const whereClause = (where: readonly string[]): string => (where.length ? `WHERE ${where.join(' AND ')}` : '');

/** An explicit département filter outside a préfecture's territory is refused. */
export function assertDepartmentFilter(principal: Principal, departmentCode: string | undefined): void {
  if (departmentCode && principal.role === 'prefecture' && !canAccessDepartment(principal, departmentCode)) {
    throw new ProblemException(403, `département ${departmentCode} is outside your territory`);
  }
}
