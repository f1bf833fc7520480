import { normalizeDepartmentCode } from '@cnfs/territory';
import type { Principal } from './principal';

// National roles: ANCT sees everything; the Banque des Territoires executes and reconciles
// payments for the whole programme. Routes still restrict which roles may call them.

/** Whether the principal may see or act on data of a département. */
export function canAccessDepartment(principal: Principal, departmentCode: string): boolean {
  switch (principal.role) {
    case 'anct':
    case 'bdt':
      return true;
    case 'prefecture':
      return principal.departments.includes(normalizeDepartmentCode(departmentCode));
    case 'training_provider':
    case 'structure':
      return false;
  }
}

/** Whether the principal may see or act on a structure located in `departmentCode`. */
export function canAccessStructure(principal: Principal, structure: { structureId: string; departmentCode: string }): boolean {
  switch (principal.role) {
    case 'structure':
      return principal.structureId === structure.structureId;
    case 'training_provider':
      return false;
    default:
      return canAccessDepartment(principal, structure.departmentCode);
  }
}

/** Whether the principal may see or act on a training lot. */
export function canAccessLot(principal: Principal, lot: number): boolean {
  switch (principal.role) {
    case 'anct':
      return true;
    case 'training_provider':
      return principal.lot === lot;
    default:
      return false;
  }
}
