import { addDays, calendarDateAt, compareDates, daysBetween, isCalendarDate, laterOf } from './index';

describe('calendar dates', () => {
  it('accepts real dates only', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2021-02-29')).toBe(false);
    expect(isCalendarDate('2021-13-01')).toBe(false);
    expect(isCalendarDate('2021-1-01')).toBe(false);
    expect(isCalendarDate(20210101)).toBe(false);
  });

  it('compares, adds and counts days across month and year ends', () => {
    expect(compareDates('2021-04-01', '2021-03-31')).toBe(1);
    expect(compareDates('2021-04-01', '2021-04-01')).toBe(0);
    expect(addDays('2021-12-31', 1)).toBe('2022-01-01');
    expect(addDays('2021-03-01', -1)).toBe('2021-02-28');
    expect(daysBetween('2021-03-27', '2021-03-29')).toBe(2); // across the DST change
    expect(laterOf('2021-05-01', '2021-04-30')).toBe('2021-05-01');
  });

  it("takes today's date in France, not in UTC", () => {
    expect(calendarDateAt(new Date('2021-06-30T22:30:00Z'))).toBe('2021-07-01');
    expect(calendarDateAt(new Date('2021-06-30T21:30:00Z'))).toBe('2021-06-30');
  });
});

describe('months', () => {
  it('adds months clamping to the end of a shorter month, and counts whole months day-precisely', () => {
    const { addMonths, monthsBetween, startOfDay, toCalendarDate } = jest.requireActual('./index') as typeof import('./index');
    expect(addMonths('2022-08-31', -6)).toBe('2022-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2022-09-30', -12)).toBe('2021-09-30');
    expect(monthsBetween('2021-01-15', '2022-07-14')).toBe(17);
    expect(monthsBetween('2021-04-01', '2022-10-01')).toBe(18);
    expect(startOfDay('2022-10-01').toISOString()).toBe('2022-10-01T00:00:00.000Z');
    expect(toCalendarDate(new Date('2022-10-01T23:30:00Z'))).toBe('2022-10-01');
  });
});
