import { departmentProblem, register, RegistrationInput, registrationProblems } from './registration';
import { isCalendarDate, calendarDateAt } from './calendar-date';
import { multiLineTextProblem, singleLineTextProblem } from './text';

const valid: RegistrationInput = {
  siret: '21590350100017', name: '  Commune de Lille ', legalStatus: 'PUBLIC', type: 'COMMUNE', departmentCode: '59',
  requestedPosts: 3, qpv: true, zrr: false,
};

describe('registration', () => {
  it('creates a CREEE structure with its SIREN derived, name trimmed, département canonical', () => {
    expect(register({ ...valid, departmentCode: '59' })).toEqual({
      ok: true,
      value: {
        siret: '21590350100017', siren: '215903501', name: 'Commune de Lille', legalStatus: 'PUBLIC', type: 'COMMUNE',
        departmentCode: '59', requestedPosts: 3, qpv: true, zrr: false, status: 'CREEE',
      },
    });
    expect(register({ ...valid, departmentCode: '2a' })).toMatchObject({ ok: true, value: { departmentCode: '2A' } });
  });

  it('names every field at fault at once', () => {
    const problems = registrationProblems({
      ...valid, siret: '21590350100018', name: ' ', type: 'ASSOCIATION', departmentCode: '99', requestedPosts: 0, qpv: 'yes' as never,
    });
    expect(problems.map((p) => p.field)).toEqual(['siret', 'name', 'type', 'departmentCode', 'requestedPosts', 'qpv']);
    expect(problems.find((p) => p.field === 'type')?.message).toContain('ASSOCIATION is PRIVATE, not PUBLIC');
  });

  it('accepts the real départements, DROM and Corsica included, and refuses others', () => {
    for (const code of ['01', '2A', '2B', '59', '95', '971', '972', '973', '974', '976']) expect(departmentProblem(code)).toBeNull();
    for (const code of ['00', '20', '96', '99', '970', '975x', '', 'Nord', '1', '59 ', ' 59', '59\n', '2 A']) expect(departmentProblem(code)).toContain('not a département code');
    expect(departmentProblem(59)).toContain('must be a string');
    // Overseas collectivities the territory data knows are accepted here; their subsidy rule is the subsidies
    // service's business (it refuses until an operator configures one).
    for (const code of ['975', '977', '978', '986', '987', '988']) expect(departmentProblem(code)).toBeNull();
  });

  it('bounds the requested posts by the programme', () => {
    expect(registrationProblems({ ...valid, requestedPosts: 4001 })).toEqual([{ field: 'requestedPosts', message: "cannot exceed the programme's 4000 posts" }]);
    expect(registrationProblems({ ...valid, requestedPosts: 2.5 })).toEqual([{ field: 'requestedPosts', message: 'must be an integer' }]);
  });
});

describe('calendar dates', () => {
  it('knows real dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2021-13-01')).toBe(false);
    expect(isCalendarDate('2021-1-01')).toBe(false);
    expect(isCalendarDate('2021-01-01T00:00:00Z')).toBe(false);
  });
  it('takes the Paris calendar date of an instant', () => {
    expect(calendarDateAt(new Date('2022-12-31T23:30:00Z'))).toBe('2023-01-01');
    expect(calendarDateAt(new Date('2022-06-30T21:59:00Z'))).toBe('2022-06-30');
  });
});

describe('free text', () => {
  it('refuses control characters and lone surrogates, allows accents and emoji', () => {
    expect(singleLineTextProblem('Mairie de Saint-Étienne 🏛')).toBeNull();
    expect(singleLineTextProblem('a\u0000b')).not.toBeNull();
    expect(singleLineTextProblem('a\nb')).not.toBeNull();
    expect(singleLineTextProblem('a\ud800b')).not.toBeNull();
    expect(multiLineTextProblem('ligne 1\nligne 2\ttab')).toBeNull();
    expect(multiLineTextProblem('nul\u0000')).not.toBeNull();
  });
});
