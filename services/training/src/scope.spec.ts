import { Principal } from '@cnfs/auth';
import { TrainingRuleError } from '@cnfs/training-domain';
import { problemOf } from './problems';
import { canSeeEnrolment, canSeeTrainee, enrolmentScope, recordedBy, requireOwnLot, traineeScope } from './scope';
import { Sql } from './sql';

const catalog = {
  version: 'v',
  effectiveFrom: '2020-11-17',
  pathways: [],
  certificationTypes: [],
  lots: [
    { lot: 1, modality: 'DISTANCE' as const, consortium: ['a'], regionCodes: null },
    { lot: 2, modality: 'REGIONAL' as const, consortium: ['b'], regionCodes: ['11'] },
    { lot: 3, modality: 'REGIONAL' as const, consortium: ['c'], regionCodes: null },
  ],
};
const anct: Principal = { subject: 'a', role: 'anct' };
const lot1: Principal = { subject: 'p1', role: 'training_provider', lot: 1 };
const lot2: Principal = { subject: 'p2', role: 'training_provider', lot: 2 };
const lot3: Principal = { subject: 'p3', role: 'training_provider', lot: 3 };
const pref: Principal = { subject: 'pr', role: 'prefecture', departments: ['59'] };
const bdt: Principal = { subject: 'b', role: 'bdt' };
const nord = { status: 'TO_BE_TRAINED', departmentCode: '59', regionCode: '32', lots: [] as number[] };

describe('training scope', () => {
  it('lets ANCT see everyone, a préfecture its départements, nobody else outside the training roles', () => {
    expect(canSeeTrainee(anct, catalog, nord)).toBe(true);
    expect(canSeeTrainee(pref, catalog, nord)).toBe(true);
    expect(canSeeTrainee(pref, catalog, { ...nord, departmentCode: '974' })).toBe(false);
    expect(canSeeTrainee(bdt, catalog, nord)).toBe(false);
  });

  it('lets a provider see its lot’s conseillers, and those to be trained in the territory its lot serves', () => {
    expect(canSeeTrainee(lot1, catalog, nord)).toBe(true); // distance lot: everywhere
    expect(canSeeTrainee(lot3, catalog, nord)).toBe(true); // régions not recorded: not narrowed
    expect(canSeeTrainee(lot2, catalog, nord)).toBe(false); // Île-de-France only
    expect(canSeeTrainee(lot2, catalog, { ...nord, regionCode: '11' })).toBe(true);
    expect(canSeeTrainee(lot1, catalog, { ...nord, status: 'IN_TRAINING', lots: [3] })).toBe(false);
    expect(canSeeTrainee(lot3, catalog, { ...nord, status: 'TRAINED', lots: [3] })).toBe(true);
  });

  it('shows an enrolment to its lot, to ANCT and to the préfecture of its département', () => {
    const enrolment = { lot: 3, departmentCode: '59' };
    expect([anct, lot1, lot3, pref, bdt].map((p) => canSeeEnrolment(p, enrolment))).toEqual([true, false, true, true, false]);
  });

  it('builds SQL scopes with parameters, never with values inlined', () => {
    const sql = new Sql();
    expect(enrolmentScope(sql, lot3)).toBe('e.lot = $1');
    expect(enrolmentScope(sql, pref)).toBe('e.department_code = ANY($2::text[])');
    expect(sql.params).toEqual([3, ['59']]);
    expect(enrolmentScope(new Sql(), bdt)).toBe('FALSE');
    const trainees = new Sql();
    expect(traineeScope(trainees, lot2, catalog)).toContain('c.region_code = ANY($2::text[])');
    expect(trainees.params).toEqual([2, ['11']]);
  });

  it('refuses a provider acting for another lot with a 403 naming the field', () => {
    expect(() => requireOwnLot(lot3, 3)).not.toThrow();
    expect(() => requireOwnLot(anct, 5)).not.toThrow();
    try {
      requireOwnLot(lot2, 3);
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as { getStatus(): number }).getStatus()).toBe(403);
    }
    expect(recordedBy(lot2)).toBe('training_provider:2:p2');
  });

  it('maps domain refusals to 400 (field), 422 (rule) and 409 (conflict) problems', () => {
    const invalid = problemOf(new TrainingRuleError('invalid', 'UNKNOWN_PATHWAY', 'unknown pathway', 'pathwayHours'));
    expect(invalid.getStatus()).toBe(400);
    expect(invalid.getResponse()).toMatchObject({ code: 'UNKNOWN_PATHWAY', errors: [{ field: 'pathwayHours', message: 'unknown pathway' }] });
    expect(problemOf(new TrainingRuleError('rule', 'X', 'm')).getStatus()).toBe(422);
    expect(problemOf(new TrainingRuleError('conflict', 'Y', 'm')).getStatus()).toBe(409);
  });
});
