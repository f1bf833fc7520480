export * from './calendar';
export * from './saga';
export * from './training';
