export * from './calendar';
export * from './saga';
