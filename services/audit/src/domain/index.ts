export * from './canonical-json';
export * from './chain';
export * from './entry-fields';
