export { MoneyError } from './errors';
export { Cents, cents, euros, parseAmountCents, formatEuros } from './cents';
export { allocate, splitEvenly } from './allocation';
export { centsTransformer, type ColumnValueTransformer } from './transformer';
