import { type Principal, canAccessDepartment, canAccessLot, canAccessStructure } from './index';

const anct: Principal = { subject: 'a', role: 'anct' };
const bdt: Principal = { subject: 'b', role: 'bdt' };
const prefecture: Principal = { subject: 'p', role: 'prefecture', departments: ['59', '2A', '974'] };
const lot3: Principal = { subject: 't', role: 'training_provider', lot: 3 };
const structure: Principal = { subject: 's', role: 'structure', structureId: 'S1' };

describe('scope helpers', () => {
  it('canAccessDepartment: national roles everywhere, a préfecture only in its départements', () => {
    expect(canAccessDepartment(anct, '59')).toBe(true);
    expect(canAccessDepartment(bdt, '974')).toBe(true);
    expect(canAccessDepartment(prefecture, '59')).toBe(true);
    expect(canAccessDepartment(prefecture, '2a')).toBe(true);
    expect(canAccessDepartment(prefecture, '62')).toBe(false);
    expect(canAccessDepartment(prefecture, '2B')).toBe(false);
    expect(canAccessDepartment(lot3, '59')).toBe(false);
    expect(canAccessDepartment(structure, '59')).toBe(false);
  });

  it('canAccessStructure: a structure only itself, a préfecture by territory', () => {
    const inNord = { structureId: 'S1', departmentCode: '59' };
    const inPasDeCalais = { structureId: 'S2', departmentCode: '62' };
    expect(canAccessStructure(anct, inPasDeCalais)).toBe(true);
    expect(canAccessStructure(bdt, inPasDeCalais)).toBe(true);
    expect(canAccessStructure(prefecture, inNord)).toBe(true);
    expect(canAccessStructure(prefecture, inPasDeCalais)).toBe(false);
    expect(canAccessStructure(structure, inNord)).toBe(true);
    expect(canAccessStructure(structure, inPasDeCalais)).toBe(false);
    expect(canAccessStructure(structure, { structureId: 'S2', departmentCode: '59' })).toBe(false);
    expect(canAccessStructure(lot3, inNord)).toBe(false);
  });

  it('canAccessLot: ANCT all lots, a training provider its own lot only', () => {
    for (let lot = 1; lot <= 6; lot++) expect(canAccessLot(anct, lot)).toBe(true);
    expect(canAccessLot(lot3, 3)).toBe(true);
    expect(canAccessLot(lot3, 4)).toBe(false);
    expect(canAccessLot(prefecture, 3)).toBe(false);
    expect(canAccessLot(bdt, 3)).toBe(false);
    expect(canAccessLot(structure, 3)).toBe(false);
  });
});
