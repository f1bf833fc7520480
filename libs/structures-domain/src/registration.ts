import { findDepartment } from '@cnfs/territory';
import { FieldProblem, PROGRAMME_POSTS } from './coselec';
import { checkSiret } from './siret';
import { isLegalStatus, isStructureType, LegalStatus, StructureType, typeLegalStatusMismatch } from './structure';

export const NAME_MAX = 200;

const DEPARTMENT_CODE_FORMAT = /^(\d{2,3}|2[AB])$/i;

/**
 * Null when `code` is a real département of @cnfs/territory (metropolitan, Corsica, DROM, and the
 * overseas collectivities the territory data knows), else the reason. The code is written as INSEE
 * does — two or three characters, no blanks — except that "2a"/"2b" are accepted for "2A"/"2B";
 * the pre-1976 Corsican "20" and a lost leading zero ("1") are refused.
 */
export function departmentProblem(code: unknown): string | null {
  if (typeof code !== 'string') return 'must be a string (INSEE département code such as "01", "2A", "59" or "974")';
  const known = DEPARTMENT_CODE_FORMAT.test(code) && findDepartment(code) !== undefined;
  return known ? null : `${JSON.stringify(code)} is not a département code (expected an INSEE code such as "01", "2A", "59" or "974")`;
}

/** The canonical code of a known département. */
export function canonicalDepartmentCode(code: string): string {
  const department = findDepartment(code);
  if (!department) throw new Error(`unknown département ${JSON.stringify(code)}`);
  return department.code;
}

export interface RegistrationInput {
  siret: string;
  name: string;
  legalStatus: LegalStatus;
  type: StructureType;
  departmentCode: string;
  requestedPosts: number;
  qpv: boolean;
  zrr: boolean;
}

export interface Registration {
  siret: string;
  siren: string;
  name: string;
  legalStatus: LegalStatus;
  type: StructureType;
  departmentCode: string;
  requestedPosts: number;
  qpv: boolean;
  zrr: boolean;
  status: 'CREEE';
}

export function requestedPostsProblem(value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be an integer';
  if (value < 1) return 'must be at least 1';
  if (value > PROGRAMME_POSTS) return `cannot exceed the programme's ${PROGRAMME_POSTS} posts`;
  return null;
}

/** Every rule of a registration, each problem naming its field. */
export function registrationProblems(input: RegistrationInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const siret = checkSiret(input.siret);
  if (!siret.valid) problems.push({ field: 'siret', message: `SIRET ${siret.reason}` });
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length === 0 || name.length > NAME_MAX) problems.push({ field: 'name', message: `must be 1 to ${NAME_MAX} characters` });
  if (!isLegalStatus(input.legalStatus)) problems.push({ field: 'legalStatus', message: 'must be PUBLIC or PRIVATE' });
  if (!isStructureType(input.type)) problems.push({ field: 'type', message: 'is not a structure type' });
  else if (isLegalStatus(input.legalStatus)) {
    const mismatch = typeLegalStatusMismatch(input.type, input.legalStatus);
    if (mismatch) problems.push({ field: 'type', message: mismatch });
  }
  const department = departmentProblem(input.departmentCode);
  if (department) problems.push({ field: 'departmentCode', message: department });
  const posts = requestedPostsProblem(input.requestedPosts);
  if (posts) problems.push({ field: 'requestedPosts', message: posts });
  if (typeof input.qpv !== 'boolean') problems.push({ field: 'qpv', message: 'must be a boolean' });
  if (typeof input.zrr !== 'boolean') problems.push({ field: 'zrr', message: 'must be a boolean' });
  return problems;
}

/** A new structure, status CREEE, with its SIREN derived and its département code canonical. */
export function register(input: RegistrationInput): { ok: true; value: Registration } | { ok: false; problems: FieldProblem[] } {
  const problems = registrationProblems(input);
  if (problems.length > 0) return { ok: false, problems };
  const siret = checkSiret(input.siret) as { valid: true; siret: string; siren: string };
  return {
    ok: true,
    value: {
      siret: siret.siret,
      siren: siret.siren,
      name: input.name.trim(),
      legalStatus: input.legalStatus,
      type: input.type,
      departmentCode: canonicalDepartmentCode(input.departmentCode),
      requestedPosts: input.requestedPosts,
      qpv: input.qpv,
      zrr: input.zrr,
      status: 'CREEE',
    },
  };
}
