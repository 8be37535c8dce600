import { describe, expect, it } from 'vitest';
import { addWorkingDays, isWorkingDay, workingDaysBetween } from '../../domain/working-days';

// 2024-10-01..07: National Day; 2024-09-29 (Sun) and 2024-10-12 (Sat) were make-up working days.
const NATIONAL_DAY = ['2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-07'];

describe('isWorkingDay', () => {
  it.each([
    ['2024-09-27', true], // Friday
    ['2024-09-28', false], // Saturday
    ['2024-09-29', false], // Sunday
    ['2024-09-30', true], // Monday
    ['2024-10-01', false], // holiday
  ])('%s: %s', (iso, expected) => {
    expect(isWorkingDay(iso, NATIONAL_DAY)).toBe(expected);
  });

  it('a listed make-up workday (调休) works even on a weekend', () => {
    expect(isWorkingDay('2024-09-29', NATIONAL_DAY, ['2024-09-29'])).toBe(true);
  });
});

describe('addWorkingDays', () => {
  it('Friday + 1 is Monday; the start day is not counted', () => {
    expect(addWorkingDays('2024-09-27', 1, [])).toBe('2024-09-30');
    expect(addWorkingDays('2024-09-30', 1, [])).toBe('2024-10-01');
    expect(addWorkingDays('2024-09-28', 1, [])).toBe('2024-09-30'); // from a Saturday
    expect(addWorkingDays('2024-09-27', 0, [])).toBe('2024-09-27');
    expect(addWorkingDays('2024-09-27', 5, [])).toBe('2024-10-04');
  });

  it('skips listed holidays', () => {
    expect(addWorkingDays('2024-09-30', 1, NATIONAL_DAY)).toBe('2024-10-08');
    expect(addWorkingDays('2024-09-27', 2, NATIONAL_DAY)).toBe('2024-10-08');
    expect(addWorkingDays('2024-09-27', 2, NATIONAL_DAY, ['2024-09-29'])).toBe('2024-09-30');
  });

  it('crosses months, years and leap days over a long span', () => {
    expect(addWorkingDays('2024-02-28', 1, [])).toBe('2024-02-29');
    expect(addWorkingDays('2024-12-31', 1, ['2025-01-01'])).toBe('2025-01-02');
    // 261 working days in 2025 (365 days, 104 weekend days); from New Year's Eve 2024 they end on 2025-12-31.
    expect(addWorkingDays('2024-12-31', 261, [])).toBe('2025-12-31');
    expect(addWorkingDays('2024-12-31', 262, [])).toBe('2026-01-01');
  });

  it('refuses bad input', () => {
    expect(() => addWorkingDays('2024-02-30', 1, [])).toThrow(RangeError);
    expect(() => addWorkingDays('2024-09-27', -1, [])).toThrow(RangeError);
    expect(() => addWorkingDays('2024-09-27', 1.5, [])).toThrow(RangeError);
    expect(() => addWorkingDays('2024-09-27', 1, ['2024-10-1'])).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts working days after `from` up to and including `to`', () => {
    expect(workingDaysBetween('2024-09-27', '2024-09-30', [])).toBe(1);
    expect(workingDaysBetween('2024-09-27', '2024-09-27', [])).toBe(0);
    expect(workingDaysBetween('2024-09-27', '2024-10-08', NATIONAL_DAY)).toBe(2);
    expect(workingDaysBetween('2024-09-27', '2024-10-08', [])).toBe(7);
    expect(workingDaysBetween('2024-12-31', '2025-12-31', [])).toBe(261);
  });

  it('is negative backwards and inverts addWorkingDays', () => {
    expect(workingDaysBetween('2024-09-30', '2024-09-27', [])).toBe(-1);
    for (const n of [0, 1, 4, 7, 30, 100]) {
      const due = addWorkingDays('2024-09-27', n, NATIONAL_DAY);
      expect(workingDaysBetween('2024-09-27', due, NATIONAL_DAY)).toBe(n);
    }
  });
});
