import {
  DromGroup,
  TerritoryGroup,
  UnknownDepartmentError,
  classifyTerritory,
  departmentsInGroup,
  findDepartment,
  findRegion,
  isKnownDepartment,
  listDepartments,
  listRegions,
  normalizeDepartmentCode,
  programmeDepartments,
  regionOf,
  requireDepartment,
} from './index';

describe('départements from @etalab/decoupage-administratif', () => {
  it('lists 96 metropolitan, 5 DROM and the overseas collectivities', () => {
    const all = listDepartments();
    expect(all.filter((d) => d.zone === 'metro')).toHaveLength(96);
    expect(all.filter((d) => d.zone === 'drom').map((d) => d.code)).toEqual(['971', '972', '973', '974', '976']);
    expect(all.filter((d) => d.zone === 'com').map((d) => d.code)).toEqual(
      expect.arrayContaining(['975', '977', '978', '986', '987', '988']),
    );
    expect(new Set(all.map((d) => d.code)).size).toBe(all.length);
  });

  it('programmeDepartments() is the 101 départements of the programme (96 metropolitan + 5 DROM)', () => {
    const programme = programmeDepartments();
    expect(programme).toHaveLength(101);
    expect(programme.filter((d) => d.classification.group === 'METROPOLE')).toHaveLength(96);
    expect(programme.filter((d) => d.classification.group === 'DROM')).toHaveLength(5);
    expect(programme.map((d) => d.code)).toEqual(expect.arrayContaining(['01', '2A', '2B', '59', '95', '974', '976']));
    expect(programme.some((d) => d.code === '975' || d.code === '988')).toBe(false);
  });

  it('finds départements with their région', () => {
    expect(findDepartment('59')).toMatchObject({ code: '59', name: 'Nord', region: { code: '32', name: 'Hauts-de-France' } });
    expect(findDepartment('974')).toMatchObject({ name: 'La Réunion', region: { code: '04', name: 'La Réunion' } });
    expect(regionOf('2B')).toMatchObject({ code: '94', name: 'Corse' });
    expect(regionOf('23')?.name).toBe('Nouvelle-Aquitaine');
    expect(regionOf('00')).toBeUndefined();
    expect(findRegion('11')?.name).toBe('Île-de-France');
    expect(listRegions().filter((r) => r.zone !== 'com')).toHaveLength(18);
  });

  it('normalises codes', () => {
    expect(normalizeDepartmentCode('2a')).toBe('2A');
    expect(normalizeDepartmentCode(' 2b ')).toBe('2B');
    expect(normalizeDepartmentCode('1')).toBe('01');
    expect(normalizeDepartmentCode(1)).toBe('01');
    expect(normalizeDepartmentCode(974)).toBe('974');
    expect(findDepartment('1')?.name).toBe('Ain');
    expect(findDepartment('2a')?.name).toBe('Corse-du-Sud');
  });

  it('recognises only real codes', () => {
    for (const code of ['01', '2A', '2B', '75', '95', '971', '976', '988', 9]) expect(isKnownDepartment(code)).toBe(true);
    for (const code of ['20', '96', '00', '0', '970', 'ZZ', '', '001', null, undefined, {}, 2.5]) {
      expect(isKnownDepartment(code)).toBe(false);
    }
    expect(isKnownDepartment(' 975 ')).toBe(true);
    expect(() => requireDepartment('20')).toThrow(UnknownDepartmentError);
    expect(() => requireDepartment('20')).toThrow(/Unknown département code "20"/);
    expect(requireDepartment('2B').name).toBe('Haute-Corse');
  });
});

describe('territory groups', () => {
  it('classifies metropolitan France including Corsica', () => {
    for (const code of ['01', '2A', '2B', '75', '59', '95']) expect(classifyTerritory(code)).toEqual({ group: 'METROPOLE' });
  });

  it('splits the DROM into the sub-groups the subsidy rules need', () => {
    expect(classifyTerritory('974')).toEqual({ group: 'DROM', dromGroup: 'REUNION_MAYOTTE' });
    expect(classifyTerritory('976')).toEqual({ group: 'DROM', dromGroup: 'REUNION_MAYOTTE' });
    for (const code of ['971', '972', '973']) {
      expect(classifyTerritory(code)).toEqual({ group: 'DROM', dromGroup: 'ANTILLES_GUYANE' });
    }
    expect(departmentsInGroup(TerritoryGroup.DROM, DromGroup.REUNION_MAYOTTE).map((d) => d.code)).toEqual(['974', '976']);
    expect(departmentsInGroup(TerritoryGroup.DROM, DromGroup.ANTILLES_GUYANE).map((d) => d.code)).toEqual(['971', '972', '973']);
  });

  it('puts every other overseas territory in COM', () => {
    for (const code of ['975', '977', '978', '984', '986', '987', '988', '989']) {
      expect(classifyTerritory(code)).toEqual({ group: 'COM' });
    }
    expect(departmentsInGroup(TerritoryGroup.COM)).toHaveLength(listDepartments().length - 101);
  });

  it('gives every département exactly one group', () => {
    const counts = [TerritoryGroup.METROPOLE, TerritoryGroup.DROM, TerritoryGroup.COM].map((g) => departmentsInGroup(g).length);
    expect(counts.reduce((a, b) => a + b)).toBe(listDepartments().length);
    expect(classifyTerritory('20')).toBeUndefined();
  });
});
