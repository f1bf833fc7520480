import { allowedTransitions, canTransition, isFinal, nextStatus, STRUCTURE_STATUSES, StatusTrigger, StructureStatus } from './status';

const V = 'VALIDATION_COSELEC';
const R = 'REFUS_COSELEC';
const E = 'EXAMEN_COMPLEMENTAIRE_COSELEC';
const triggers: Record<string, StatusTrigger> = {
  POSITIF: { kind: 'coselec', opinion: 'POSITIF' },
  NEGATIF: { kind: 'coselec', opinion: 'NEGATIF' },
  EXAMEN_COMPLEMENTAIRE: { kind: 'coselec', opinion: 'EXAMEN_COMPLEMENTAIRE' },
  ABANDON: { kind: 'administrative', to: 'ABANDON' },
  ANNULEE: { kind: 'administrative', to: 'ANNULEE' },
  DOUBLON: { kind: 'administrative', to: 'DOUBLON' },
};

/** The whole lifecycle, written out: rows are the current status, columns the trigger; null = refused. */
const TABLE: Record<StructureStatus, Record<keyof typeof triggers, StructureStatus | null>> = {
  CREEE: { POSITIF: V, NEGATIF: R, EXAMEN_COMPLEMENTAIRE: E, ABANDON: 'ABANDON', ANNULEE: 'ANNULEE', DOUBLON: 'DOUBLON' },
  EXAMEN_COMPLEMENTAIRE_COSELEC: { POSITIF: V, NEGATIF: R, EXAMEN_COMPLEMENTAIRE: E, ABANDON: 'ABANDON', ANNULEE: 'ANNULEE', DOUBLON: 'DOUBLON' },
  VALIDATION_COSELEC: { POSITIF: V, NEGATIF: R, EXAMEN_COMPLEMENTAIRE: E, ABANDON: 'ABANDON', ANNULEE: 'ANNULEE', DOUBLON: null },
  REFUS_COSELEC: { POSITIF: V, NEGATIF: R, EXAMEN_COMPLEMENTAIRE: E, ABANDON: null, ANNULEE: 'ANNULEE', DOUBLON: 'DOUBLON' },
  ABANDON: { POSITIF: null, NEGATIF: null, EXAMEN_COMPLEMENTAIRE: null, ABANDON: null, ANNULEE: null, DOUBLON: null },
  ANNULEE: { POSITIF: null, NEGATIF: null, EXAMEN_COMPLEMENTAIRE: null, ABANDON: null, ANNULEE: null, DOUBLON: null },
  DOUBLON: { POSITIF: null, NEGATIF: null, EXAMEN_COMPLEMENTAIRE: null, ABANDON: null, ANNULEE: null, DOUBLON: null },
};

describe('structure status lifecycle', () => {
  const cases = STRUCTURE_STATUSES.flatMap((from) => Object.keys(triggers).map((trigger) => [from, trigger, TABLE[from][trigger]] as const));

  it('covers every status and every trigger', () => {
    expect(cases).toHaveLength(STRUCTURE_STATUSES.length * 6);
  });

  it.each(cases)('%s + %s → %s', (from, trigger, expected) => {
    expect(nextStatus(from, triggers[trigger])).toBe(expected);
  });

  it('derives exactly these status-changing transitions (every from → to pair checked)', () => {
    const expected: Record<StructureStatus, StructureStatus[]> = {
      CREEE: [V, R, E, 'ABANDON', 'ANNULEE', 'DOUBLON'],
      EXAMEN_COMPLEMENTAIRE_COSELEC: [V, R, 'ABANDON', 'ANNULEE', 'DOUBLON'],
      VALIDATION_COSELEC: [R, E, 'ABANDON', 'ANNULEE'],
      REFUS_COSELEC: [V, E, 'ANNULEE', 'DOUBLON'],
      ABANDON: [],
      ANNULEE: [],
      DOUBLON: [],
    };
    const transitions = allowedTransitions();
    for (const from of STRUCTURE_STATUSES) {
      expect([...transitions.get(from)!].sort()).toEqual([...expected[from]].sort());
      for (const to of STRUCTURE_STATUSES) expect(canTransition(from, to)).toBe(expected[from].includes(to));
    }
  });

  it('never leaves a final status and never comes back to CREEE', () => {
    for (const from of STRUCTURE_STATUSES) {
      expect(isFinal(from)).toBe(['ABANDON', 'ANNULEE', 'DOUBLON'].includes(from));
      expect(canTransition(from, 'CREEE')).toBe(false);
    }
  });
});
