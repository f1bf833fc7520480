/** Injection tokens of the platform's infrastructure. */
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const MESSAGE_BUS = Symbol('MESSAGE_BUS');
export const OUTBOX = Symbol('OUTBOX');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
