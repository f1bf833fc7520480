import { isCalendarDate } from '@cnfs/conventions-domain';
import { ValidateBy, ValidationOptions } from 'class-validator';

/** A real calendar date `YYYY-MM-DD` (2021-02-30 is refused). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => isCalendarDate(value),
        defaultMessage: (args) => `${args?.property} must be a real date written YYYY-MM-DD`,
      },
    },
    options,
  );
}
