import { z } from 'zod';

/** Field schemas shared by the events of every context. */

/** A calendar date (contracts, conventions): no time, no zone. */
export const calendarDate = z.iso.date();
/** Money is integer euro cents, exact in JSON as long as it is a safe integer. */
export const amountCents = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer number of cents');
export const departmentCode = z.string().regex(/^(\d{2}|2A|2B|97\d|98\d)$/);
export const id = z.string().min(1);

/**
 * A list of 1 to `max` values, each one `accepts`, checked in one loop. zod checks an array element by element
 * through its own machinery and copies it (~0.15 ms per 1,000 elements): the large lists of an event (a
 * reconciliation announces 100 batches of 1,000 tranches for a 100,000-line statement) are checked so instead.
 */
export function compactList<T>(max: number, description: string, accepts: (value: unknown) => boolean) {
  return z.custom<T[]>(
    (value) => Array.isArray(value) && value.length >= 1 && value.length <= max && value.every(accepts),
    `must be a list of 1 to ${max} ${description}`,
  );
}
