// The framework-free domain of the training context: reference data rules (pathways, lots,
// certifications), enrolment lifecycle, waivers, withdrawals on rupture, PIX thresholds, view rules.
export * from './errors';
export * from './calendar';
export * from './reference';
export * from './trainee';
export * from './enrolment';
export * from './certification';
export * from './views';
