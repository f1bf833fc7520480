// The framework-free domain of the subsidies context: rules, envelopes, schedules, tranche
// transitions, the double-entry ledger, bank statements and their reconciliation.
export * from './dates';
export * from './ids';
export * from './rules';
export * from './envelopes';
export * from './schedule';
export * from './tranches';
export * from './ledger';
export * from './statements';
export * from './statement-reader';
export * from './xml';
export * from './camt053';
export * from './matching';
export * from './programme-costs';
export * from './published';
export * from './book';
