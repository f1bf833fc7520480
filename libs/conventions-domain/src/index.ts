// The framework-free domain of the conventions context: conventions, amendments, posts, employment contracts.
export * from './calendar';
export * from './local-date';
export * from './errors';
export * from './structure';
export * from './convention';
export * from './post';
export * from './amendment';
export * from './minimum-wage';
export * from './contract';
