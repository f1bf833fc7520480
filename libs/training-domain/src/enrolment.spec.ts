import fc from 'fast-check';
import { abandon, complete, enrol, Enrolment, EnrolmentRequest, EnrolmentSituation, HeldCertification, recordProgress, withdrawOnRupture } from './enrolment';
import { TrainingRuleError } from './errors';
import { isBefore, addDays, compareDates } from './calendar';
import { testCatalog, testContract } from './testing/catalog';

const today = '2021-06-15';

function situation(overrides: Partial<EnrolmentSituation> = {}): EnrolmentSituation {
  return { catalog: testCatalog(), contract: testContract(), regionCode: '32', enrolments: [], certifications: [], today, ...overrides };
}

function request(overrides: Partial<EnrolmentRequest> = {}): EnrolmentRequest {
  return {
    enrolmentId: 'e-1',
    lot: 3,
    startDate: '2021-05-03',
    pathwayHours: 280,
    positioning: { date: '2021-04-20', result: 'Bonnes bases techniques, peu d’expérience pédagogique' },
    ...overrides,
  };
}

function refusal(run: () => unknown): TrainingRuleError {
  try {
    run();
  } catch (error) {
    if (error instanceof TrainingRuleError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const ccp1: HeldCertification = { certificationId: 'x-ccp1', kind: 'CCP', ccpBlocks: ['CCP1'], obtainedAt: '2020-06-01' };
const derogation = {
  certificationId: 'x-ccp1',
  mediationExperience: 'Trois ans d’animation en espace public numérique',
  justification: 'Titulaire du CCP1 et médiatrice expérimentée : la formation initiale ferait double emploi',
};

describe('enrolment in a pathway', () => {
  it('enrols an ongoing training with its contract, lot, pathway and reference version', () => {
    const enrolment = enrol(request(), situation());
    expect(enrolment).toMatchObject({
      enrolmentId: 'e-1', conseillerId: 'cn-1', contractId: 'k-1', structureId: 's-1', departmentCode: '59', lot: 3,
      referenceVersion: 'test-2021', pathwayHours: 280, waiver: false, status: 'ONGOING', hoursAttended: 0, endDate: null, derogation: null,
    });
  });

  it('refuses an unknown pathway, and a request with both or neither of pathway and waiver', () => {
    expect(refusal(() => enrol(request({ pathwayHours: 200 }), situation()))).toMatchObject({ kind: 'invalid', field: 'pathwayHours' });
    expect(refusal(() => enrol(request({ pathwayHours: null }), situation()))).toMatchObject({ code: 'PATHWAY_OR_DEROGATION' });
    expect(refusal(() => enrol(request({ derogation }), situation({ certifications: [ccp1] })))).toMatchObject({ code: 'PATHWAY_OR_DEROGATION' });
  });

  it('refuses a regional lot that does not serve the conseiller’s région, and accepts the distance lot anywhere', () => {
    expect(refusal(() => enrol(request({ lot: 4 }), situation()))).toMatchObject({ kind: 'rule', code: 'LOT_OUTSIDE_TERRITORY', field: 'lot' });
    expect(enrol(request({ lot: 1 }), situation()).lot).toBe(1);
  });

  it('refuses a ruptured contract, a start after the contract end, and positioning after the start or in the future', () => {
    const ruptured = testContract({ status: 'RUPTURED', ruptureDate: '2021-05-01' });
    expect(refusal(() => enrol(request(), situation({ contract: ruptured })))).toMatchObject({ kind: 'rule', code: 'CONTRACT_RUPTURED' });
    expect(refusal(() => enrol(request({ startDate: '2022-10-01' }), situation({ today: '2022-12-01' })))).toMatchObject({ field: 'startDate' });
    expect(refusal(() => enrol(request({ positioning: { date: '2021-05-04', result: 'x' } }), situation()))).toMatchObject({ code: 'POSITIONING_AFTER_START' });
    expect(refusal(() => enrol(request({ startDate: '2021-07-01', positioning: { date: '2021-06-16', result: 'x' } }), situation()))).toMatchObject({ code: 'POSITIONING_IN_FUTURE' });
    expect(refusal(() => enrol(request({ positioning: { date: '2021-04-20', result: '  ' } }), situation()))).toMatchObject({ field: 'positioning.result' });
  });

  it('accepts a start planned after today (a session to come)', () => {
    expect(enrol(request({ startDate: '2021-09-06' }), situation()).startDate).toBe('2021-09-06');
  });

  it.each([
    ['ONGOING', 'ALREADY_IN_TRAINING'],
    ['COMPLETED', 'ALREADY_TRAINED'],
    ['WAIVED', 'ALREADY_WAIVED'],
  ] as const)('refuses a conseiller with an enrolment %s', (status, code) => {
    expect(refusal(() => enrol(request(), situation({ enrolments: [{ enrolmentId: 'e-0', status }] })))).toMatchObject({ kind: 'conflict', code });
  });

  it('re-enrols a conseiller whose previous training was abandoned', () => {
    expect(enrol(request(), situation({ enrolments: [{ enrolmentId: 'e-0', status: 'ABANDONED' }] })).status).toBe('ONGOING');
  });
});

describe('waivers (dérogation)', () => {
  it('records a waiver with the certification held, the declared experience and the justification, with no pathway', () => {
    const enrolment = enrol(request({ pathwayHours: undefined, derogation }), situation({ certifications: [ccp1] }));
    expect(enrolment).toMatchObject({ status: 'WAIVED', waiver: true, pathwayHours: null, derogation });
  });

  it('accepts the full RNCP title as the certification held', () => {
    const title: HeldCertification = { certificationId: 'x-t', kind: 'RNCP', ccpBlocks: [], obtainedAt: '2019-09-01' };
    const enrolment = enrol(request({ pathwayHours: undefined, derogation: { ...derogation, certificationId: 'x-t' } }), situation({ certifications: [title] }));
    expect(enrolment.waiver).toBe(true);
  });

  it('refuses a waiver without an existing certification of the conseiller', () => {
    expect(refusal(() => enrol(request({ pathwayHours: undefined, derogation }), situation()))).toMatchObject({
      kind: 'rule', code: 'WAIVER_WITHOUT_CERTIFICATION', field: 'derogation.certificationId',
    });
  });

  it('refuses a waiver on a certification that is not the training’s target (PIX, another block)', () => {
    const pix: HeldCertification = { certificationId: 'x-pix', kind: 'PIX', ccpBlocks: [], obtainedAt: '2021-01-10' };
    const ccp2: HeldCertification = { certificationId: 'x-ccp2', kind: 'CCP', ccpBlocks: ['CCP2'], obtainedAt: '2021-01-10' };
    for (const held of [pix, ccp2]) {
      const error = refusal(() => enrol(request({ pathwayHours: undefined, derogation: { ...derogation, certificationId: held.certificationId } }), situation({ certifications: [held] })));
      expect(error).toMatchObject({ kind: 'rule', code: 'WAIVER_CERTIFICATION_NOT_TARGET' });
    }
  });

  it('refuses a waiver on a certification obtained after the waiver’s date', () => {
    const late = { ...ccp1, obtainedAt: '2021-05-10' };
    expect(refusal(() => enrol(request({ pathwayHours: undefined, derogation }), situation({ certifications: [late] })))).toMatchObject({ code: 'WAIVER_CERTIFICATION_LATER' });
  });

  it('refuses a waiver without declared mediation experience or without justification', () => {
    const certifications = [ccp1];
    expect(refusal(() => enrol(request({ pathwayHours: undefined, derogation: { ...derogation, mediationExperience: ' ' } }), situation({ certifications })))).toMatchObject({
      kind: 'invalid', field: 'derogation.mediationExperience',
    });
    expect(refusal(() => enrol(request({ pathwayHours: undefined, derogation: { ...derogation, justification: '' } }), situation({ certifications })))).toMatchObject({
      kind: 'invalid', field: 'derogation.justification',
    });
  });
});

describe('progress, completion and abandon', () => {
  const ongoing = (): Enrolment => enrol(request(), situation());

  it('records hours attended from 0 to the pathway’s hours, as of a date from the start to today', () => {
    expect(recordProgress(ongoing(), 140, '2021-06-01', today).hoursAttended).toBe(140);
    expect(recordProgress(ongoing(), 280, today, today).hoursAttended).toBe(280);
    for (const hours of [-1, 281, 12.5]) {
      expect(refusal(() => recordProgress(ongoing(), hours, '2021-06-01', today))).toMatchObject({ kind: 'invalid', field: 'hoursAttended', code: 'HOURS_OUT_OF_RANGE' });
    }
    expect(refusal(() => recordProgress(ongoing(), 10, '2021-05-02', today))).toMatchObject({ field: 'asOf', code: 'PROGRESS_BEFORE_START' });
    expect(refusal(() => recordProgress(ongoing(), 10, '2021-06-16', today))).toMatchObject({ field: 'asOf', code: 'PROGRESS_IN_FUTURE' });
  });

  it('completes with an end date from the start to today', () => {
    expect(complete(ongoing(), { endDate: '2021-06-11', hoursAttended: 280 }, today)).toMatchObject({ status: 'COMPLETED', endDate: '2021-06-11', hoursAttended: 280 });
    expect(complete(ongoing(), { endDate: '2021-05-03', hoursAttended: 0 }, today).status).toBe('COMPLETED');
    expect(refusal(() => complete(ongoing(), { endDate: '2021-05-02', hoursAttended: 280 }, today))).toMatchObject({ kind: 'invalid', field: 'endDate', code: 'END_BEFORE_START' });
    expect(refusal(() => complete(ongoing(), { endDate: '2021-06-16', hoursAttended: 280 }, today))).toMatchObject({ kind: 'invalid', field: 'endDate', code: 'END_IN_FUTURE' });
    expect(refusal(() => complete(ongoing(), { endDate: '2021-06-11', hoursAttended: 300 }, today))).toMatchObject({ field: 'hoursAttended' });
  });

  it('abandons with a reason, keeping the hours reported unless given', () => {
    const reported = recordProgress(ongoing(), 35, '2021-05-20', today);
    expect(abandon(reported, { endDate: '2021-05-21', reason: 'Raisons personnelles' }, today)).toMatchObject({
      status: 'ABANDONED', endReason: 'Raisons personnelles', hoursAttended: 35, withdrawnByRupture: false,
    });
    expect(refusal(() => abandon(reported, { endDate: '2021-05-21', reason: ' ' }, today))).toMatchObject({ field: 'reason' });
    expect(refusal(() => abandon(reported, { endDate: '2021-04-01', reason: 'x' }, today))).toMatchObject({ code: 'END_BEFORE_START' });
  });

  it('closes an enrolment once: no progress, completion or abandon after it ended, nor on a waiver', () => {
    const done = complete(ongoing(), { endDate: '2021-06-11', hoursAttended: 280 }, today);
    expect(refusal(() => complete(done, { endDate: '2021-06-11', hoursAttended: 280 }, today))).toMatchObject({ kind: 'conflict', code: 'ENROLMENT_NOT_ONGOING' });
    expect(refusal(() => abandon(done, { endDate: '2021-06-11', reason: 'x' }, today))).toMatchObject({ kind: 'conflict' });
    expect(refusal(() => recordProgress(done, 1, today, today))).toMatchObject({ kind: 'conflict' });
    const waived = enrol(request({ pathwayHours: undefined, derogation }), situation({ certifications: [ccp1] }));
    expect(refusal(() => complete(waived, { endDate: today, hoursAttended: 0 }, today))).toMatchObject({ kind: 'conflict' });
  });
});

describe('withdrawal on the contract’s rupture', () => {
  const ongoing = (): Enrolment => enrol(request(), situation());
  const rupture = { contractId: 'k-1', reason: 'DEMISSION', date: '2021-05-20' };

  it('withdraws an ongoing enrolment of the ruptured contract on the rupture date', () => {
    expect(withdrawOnRupture(ongoing(), rupture)).toMatchObject({
      status: 'ABANDONED', withdrawnByRupture: true, endDate: '2021-05-20', endReason: expect.stringContaining('DEMISSION'),
    });
  });

  it('ends a training withdrawn before it began on its start date, never before it', () => {
    expect(withdrawOnRupture(ongoing(), { ...rupture, date: '2021-04-15' })?.endDate).toBe('2021-05-03');
  });

  it('leaves alone a completed or abandoned enrolment, a waiver, and another contract’s enrolment', () => {
    const done = complete(ongoing(), { endDate: '2021-05-19', hoursAttended: 280 }, today);
    expect(withdrawOnRupture(done, rupture)).toBeNull();
    expect(withdrawOnRupture(abandon(ongoing(), { endDate: '2021-05-19', reason: 'x' }, today), rupture)).toBeNull();
    expect(withdrawOnRupture(ongoing(), { ...rupture, contractId: 'k-other' })).toBeNull();
    const waived = enrol(request({ pathwayHours: undefined, derogation }), situation({ certifications: [ccp1] }));
    expect(withdrawOnRupture(waived, rupture)).toBeNull();
  });

  it('never ends a withdrawal before the start, whatever the dates (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -400, max: 400 }), fc.integer({ min: -400, max: 400 }), (startOffset, ruptureOffset) => {
        const startDate = addDays('2021-05-03', startOffset);
        const base = { ...ongoing(), startDate };
        const withdrawn = withdrawOnRupture(base, { ...rupture, date: addDays('2021-05-03', ruptureOffset) })!;
        expect(isBefore(withdrawn.endDate!, startDate)).toBe(false);
        expect(compareDates(withdrawn.endDate!, startDate) === 0 || withdrawn.endDate === addDays('2021-05-03', ruptureOffset)).toBe(true);
      }),
    );
  });
});
