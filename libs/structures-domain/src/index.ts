// The framework-free domain of the structures context: SIRET, types and legal statuses, the
// status lifecycle, committee (coselec) decisions and the effective quota, préfet opinions.
export * from './rule-violation';
export * from './siret';
export * from './structure';
export * from './status';
export * from './calendar-date';
export * from './coselec';
export * from './administrative';
export * from './prefect-opinion';
export * from './registration';
export * from './text';
