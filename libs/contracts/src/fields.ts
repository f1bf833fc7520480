import { z } from 'zod';

/** Field schemas shared by the events of every context. */

/** A calendar date (contracts, conventions): no time, no zone. */
export const calendarDate = z.iso.date();
/** Money is integer euro cents, exact in JSON as long as it is a safe integer. */
export const amountCents = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer number of cents');
export const departmentCode = z.string().regex(/^(\d{2}|2A|2B|97\d|98\d)$/);
export const id = z.string().min(1);
