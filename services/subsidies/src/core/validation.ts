import { Transform } from 'class-transformer';
import { ValidateBy, ValidationOptions } from 'class-validator';
import { isCalendarDate } from '@cnfs/subsidies-domain';

/** A calendar date YYYY-MM-DD that exists. */
export const IsCalendarDate = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isCalendarDate', validator: { validate: (value) => isCalendarDate(value), defaultMessage: () => '$property must be a calendar date YYYY-MM-DD' } }, options);

/** Integer cents, exact in JSON: a safe integer (never a decimal or a float). */
export const IsAmountCents = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isAmountCents', validator: { validate: (value) => typeof value === 'number' && Number.isSafeInteger(value), defaultMessage: () => '$property must be an integer number of cents' } }, options);

/** `?flag=true|false` query parameters. */
export const QueryBoolean = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));
