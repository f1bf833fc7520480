import { addDays, calendarDateAt, compareDates, fullYearsBetween, isCalendarDate, lastsAtMostMonths, localDate, periodEnd, timeZoneOf } from './index';

describe('calendar dates', () => {
  it('accepts only real YYYY-MM-DD dates', () => {
    for (const ok of ['2021-03-01', '2024-02-29', '2000-02-29', '2022-12-31']) expect(isCalendarDate(ok)).toBe(true);
    for (const bad of ['2021-02-29', '1900-02-29', '2021-13-01', '2021-04-31', '2021-3-1', '01/03/2021', '2021-03-01T00:00:00Z', '', null, 20210301]) {
      expect(isCalendarDate(bad)).toBe(false);
    }
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2021-02-28', 1)).toBe('2021-03-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2022-12-31', 1)).toBe('2023-01-01');
    expect(addDays('2021-03-01', -1)).toBe('2021-02-28');
  });

  it('orders dates', () => {
    expect(compareDates('2021-03-01', '2021-03-02')).toBeLessThan(0);
    expect(compareDates('2021-03-01', '2021-03-01')).toBe(0);
    expect(compareDates('2022-01-01', '2021-12-31')).toBeGreaterThan(0);
  });

  it('computes the last day of a period of months, from date to date', () => {
    // The sample convention: signed on 1 March 2021, financed 24 months, 36 months at most.
    expect(periodEnd('2021-03-01', 24)).toBe('2023-02-28');
    expect(periodEnd('2021-03-01', 36)).toBe('2024-02-29');
    // The 18-month private-law contract of the programme.
    expect(periodEnd('2021-04-01', 18)).toBe('2022-09-30');
    expect(periodEnd('2021-04-15', 18)).toBe('2022-10-14');
    // A start day missing from the target month runs to that month's end.
    expect(periodEnd('2021-08-31', 18)).toBe('2023-02-28');
    expect(periodEnd('2024-02-29', 12)).toBe('2025-02-28');
    expect(periodEnd('2021-01-31', 1)).toBe('2021-02-28');
    expect(periodEnd('2021-12-01', 1)).toBe('2021-12-31');
    expect(() => periodEnd('2021-01-01', 0)).toThrow(RangeError);
  });

  it('tells whether an inclusive period lasts at most some months', () => {
    expect(lastsAtMostMonths('2021-04-01', '2022-09-30', 18)).toBe(true);
    expect(lastsAtMostMonths('2021-04-01', '2022-10-01', 18)).toBe(false);
  });

  it('gives the calendar date of an instant in a time zone', () => {
    const instant = new Date('2021-03-31T22:30:00Z');
    expect(calendarDateAt(instant, 'UTC')).toBe('2021-03-31');
    expect(calendarDateAt(instant, 'Europe/Paris')).toBe('2021-04-01');
    expect(calendarDateAt(new Date('2021-03-31T21:30:00Z'), 'Indian/Reunion')).toBe('2021-04-01');
  });

  it('keeps one formatter per zone: zones never mix, an unknown zone is refused every time', () => {
    const instant = new Date('2021-12-31T23:30:00Z');
    for (let i = 0; i < 3; i++) {
      expect(calendarDateAt(instant, 'UTC')).toBe('2021-12-31');
      expect(calendarDateAt(instant, 'Europe/Paris')).toBe('2022-01-01');
      expect(calendarDateAt(instant, 'America/Cayenne')).toBe('2021-12-31');
      expect(() => calendarDateAt(instant, 'Mars/Olympus_Mons')).toThrow(RangeError);
    }
  });

  it('counts completed years', () => {
    expect(fullYearsBetween('2000-05-10', '2016-05-09')).toBe(15);
    expect(fullYearsBetween('2000-05-10', '2016-05-10')).toBe(16);
    expect(fullYearsBetween('2000-02-29', '2016-02-28')).toBe(15);
  });
});

describe('local dates of the programme’s territories', () => {
  // 21:30 UTC on 1 March 2022: 22:30 in Paris, 01:30 on 2 March in La Réunion, 17:30 in Guadeloupe.
  const instant = new Date('2022-03-01T21:30:00Z');

  it('judge "today" where the structure is', () => {
    expect(localDate(instant, '59')).toBe('2022-03-01');
    expect(localDate(instant, '2A')).toBe('2022-03-01');
    expect(localDate(instant, '974')).toBe('2022-03-02');
    expect(localDate(instant, '976')).toBe('2022-03-02');
    expect(localDate(instant, '971')).toBe('2022-03-01');
    expect(localDate(new Date('2022-03-01T02:00:00Z'), '973')).toBe('2022-02-28');
  });

  it('know a zone for every overseas territory, valid for the runtime', () => {
    for (const code of ['971', '972', '973', '974', '975', '976', '977', '978', '984', '986', '987', '988']) {
      expect(timeZoneOf(code)).not.toBe('Europe/Paris');
      expect(() => new Intl.DateTimeFormat('en', { timeZone: timeZoneOf(code) })).not.toThrow();
    }
    expect(timeZoneOf('13')).toBe('Europe/Paris');
    expect(timeZoneOf('13', 'UTC')).toBe('UTC');
  });
});
