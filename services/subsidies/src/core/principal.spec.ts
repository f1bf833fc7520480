import { listConditions, whereClause } from './principal';

/** The conditions of the subsidies lists: the principal's scope first, then the filters given, each with its parameter. */
describe('list conditions', () => {
  it('puts the principal scope first, then each filter given (undefined: none), numbering parameters in order', () => {
    const params: unknown[] = [];
    const where = listConditions({ subject: 'p', role: 'prefecture', departments: ['971', '972'] }, params, [
      ['structure_id', undefined],
      ['state', 'DUE'],
      [(n) => `due_on <= $${n}::date`, '2024-01-31'],
      ['phase', 0],
    ]);
    expect(where).toEqual(['department_code = ANY($1::text[])', 'state = $2', 'due_on <= $3::date', 'phase = $4']);
    expect(params).toEqual([['971', '972'], 'DUE', '2024-01-31', 0]);
    expect(whereClause(where)).toBe('WHERE department_code = ANY($1::text[]) AND state = $2 AND due_on <= $3::date AND phase = $4');
  });

  it('continues the numbering of parameters already there; national roles add no scope, training providers see nothing', () => {
    const params: unknown[] = ['already'];
    expect(listConditions({ subject: 'a', role: 'anct' }, params, [['kind', 'TRAINING']])).toEqual(['kind = $2']);
    expect(params).toEqual(['already', 'TRAINING']);
    expect(listConditions({ subject: 's', role: 'structure', structureId: 'S1' }, [], [])).toEqual(['structure_id = $1']);
    expect(listConditions({ subject: 's', role: 'structure', structureId: 'S1' }, [], [], { department: 'e.department_code', structure: 'e.structure_id' })).toEqual(['e.structure_id = $1']);
    expect(listConditions({ subject: 't', role: 'training_provider', lot: 1 }, [], [])).toEqual(['false']);
    expect(whereClause([])).toBe('');
  });
});
