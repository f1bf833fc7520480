import { Cents } from './cents';
import { MoneyError } from './errors';

/** Structurally a TypeORM `ValueTransformer`; declared here so money stays free of typeorm. */
export interface ColumnValueTransformer<Db, Model> {
  to(value: Model | null | undefined): Db | null | undefined;
  from(dbValue: Db | null | undefined): Model | null | undefined;
}

const INTEGER = /^-?\d+$/;

/**
 * Maps a Postgres `bigint` column (which pg returns as a string) to {@link Cents}, exactly —
 * no parseFloat. `null` and `undefined` pass through in both directions. Use it as
 * `@Column({ type: 'bigint', transformer: centsTransformer })`.
 */
export const centsTransformer: ColumnValueTransformer<string | number | bigint, Cents> = {
  to(value: Cents | null | undefined): string | null | undefined {
    if (value === null || value === undefined) return value;
    if (!Cents.isCents(value)) {
      throw new MoneyError(`A money column expects a Cents value, got ${typeof value}`);
    }
    return value.toString();
  },
  from(dbValue: string | number | bigint | null | undefined): Cents | null | undefined {
    if (dbValue === null || dbValue === undefined) return dbValue;
    if (typeof dbValue === 'string' && !INTEGER.test(dbValue)) {
      throw new MoneyError(`A money column holds a non-integer value "${dbValue}"`);
    }
    return Cents.of(dbValue);
  },
};
