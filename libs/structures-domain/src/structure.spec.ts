import { LEGAL_STATUS_OF_TYPE, LEGAL_STATUSES, STRUCTURE_TYPES, typeLegalStatusMismatch, typesOfLegalStatus } from './structure';

describe('type and legal status', () => {
  const expected: Record<string, 'PUBLIC' | 'PRIVATE'> = {
    COMMUNE: 'PUBLIC', EPCI: 'PUBLIC', DEPARTEMENT: 'PUBLIC', REGION: 'PUBLIC', COLLECTIVITE: 'PUBLIC', GIP: 'PUBLIC',
    ASSOCIATION: 'PRIVATE', ENTREPRISE_ESS: 'PRIVATE', PRIVATE_OTHER: 'PRIVATE',
  };

  it('gives every type exactly one legal status', () => {
    expect(LEGAL_STATUS_OF_TYPE).toEqual(expected);
    expect(Object.keys(LEGAL_STATUS_OF_TYPE).sort()).toEqual([...STRUCTURE_TYPES].sort());
  });

  // All 18 combinations, each checked.
  it.each(STRUCTURE_TYPES.flatMap((type) => LEGAL_STATUSES.map((status) => [type, status] as const)))(
    '%s with %s',
    (type, status) => {
      const mismatch = typeLegalStatusMismatch(type, status);
      if (expected[type] === status) expect(mismatch).toBeNull();
      else expect(mismatch).toContain(`${type} is ${expected[type]}, not ${status}`);
    },
  );

  it('lists the types each legal status allows', () => {
    expect(typesOfLegalStatus('PUBLIC')).toEqual(['COMMUNE', 'EPCI', 'DEPARTEMENT', 'REGION', 'COLLECTIVITE', 'GIP']);
    expect(typesOfLegalStatus('PRIVATE')).toEqual(['ASSOCIATION', 'ENTREPRISE_ESS', 'PRIVATE_OTHER']);
  });
});
