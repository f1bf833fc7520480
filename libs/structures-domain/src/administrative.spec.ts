import { decideAdministrativeChange } from './administrative';
import { ADMINISTRATIVE_SOURCES, STRUCTURE_STATUSES } from './status';

describe('administrative statuses (ABANDON, ANNULEE, DOUBLON)', () => {
  const original = { id: 'kept', status: 'VALIDATION_COSELEC' as const };

  it.each(STRUCTURE_STATUSES.flatMap((from) => (['ABANDON', 'ANNULEE', 'DOUBLON'] as const).map((to) => [from, to] as const)))(
    '%s → %s',
    (from, to) => {
      const result = decideAdministrativeChange({ id: 's', status: from }, { to, reason: 'la structure a renoncé', duplicateOf: to === 'DOUBLON' ? original : null });
      if (ADMINISTRATIVE_SOURCES[to].includes(from)) {
        expect(result).toEqual({ ok: true, value: { from, to, duplicateOfId: to === 'DOUBLON' ? 'kept' : null } });
      } else {
        expect(result).toMatchObject({ ok: false, violation: { kind: 'conflict' } });
      }
    },
  );

  it('requires a reason of 3 to 1000 characters', () => {
    expect(decideAdministrativeChange({ id: 's', status: 'CREEE' }, { to: 'ANNULEE', reason: '  x ' })).toEqual({
      ok: false, violation: { kind: 'invalid', field: 'reason', message: 'must be 3 to 1000 characters' },
    });
    expect(decideAdministrativeChange({ id: 's', status: 'CREEE' }, { to: 'ANNULEE', reason: 'x'.repeat(1001) }).ok).toBe(false);
  });

  it('requires the kept structure for DOUBLON, another one and not a duplicate itself', () => {
    const change = (duplicateOf: { id: string; status: 'CREEE' | 'DOUBLON' } | null) =>
      decideAdministrativeChange({ id: 's', status: 'CREEE' }, { to: 'DOUBLON', reason: 'même association', duplicateOf });
    expect(change(null)).toMatchObject({ ok: false, violation: { kind: 'invalid', field: 'duplicateOfId' } });
    expect(change({ id: 's', status: 'CREEE' })).toMatchObject({ ok: false, violation: { kind: 'invalid', field: 'duplicateOfId', message: 'a structure cannot duplicate itself' } });
    expect(change({ id: 'other', status: 'DOUBLON' })).toMatchObject({ ok: false, violation: { kind: 'unprocessable', field: 'duplicateOfId' } });
    expect(decideAdministrativeChange({ id: 's', status: 'CREEE' }, { to: 'ABANDON', reason: 'renonce', duplicateOf: original })).toMatchObject({
      ok: false, violation: { field: 'duplicateOfId', message: 'is only accepted with status DOUBLON' },
    });
  });
});
