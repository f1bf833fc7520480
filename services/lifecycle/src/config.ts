import { ServiceConfig } from '@cnfs/service-kit';

/** What the lifecycle service reads beside the platform settings. */
export interface LifecycleSettings {
  /** Wall-clock interval between deadline polls when nothing is due; 0 disables the poller (tests fire deadlines themselves). */
  deadlinePollMs: number;
  /** Deadlines claimed and fired per transaction. */
  deadlineBatchSize: number;
  /** Concurrent poll loops (each claims its own batch with SKIP LOCKED, like replicas do). */
  deadlineWorkers: number;
  /** Prefix of the inbox consumers' names (their Kafka consumer groups). */
  consumerGroupPrefix: string;
  /** Zone of the programme's calendar day (the date of a renewal decision). */
  timeZone: string;
}

export const LIFECYCLE_SETTINGS = Symbol('LIFECYCLE_SETTINGS');

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name}="${raw}" must be an integer >= ${min}`);
  return value;
}

/**
 * Environment: LIFECYCLE_DEADLINE_POLL_MS (250; 0 disables), LIFECYCLE_DEADLINE_BATCH (500),
 * LIFECYCLE_DEADLINE_WORKERS (2), LIFECYCLE_CONSUMER_PREFIX (lifecycle), PROGRAMME_TIME_ZONE (Europe/Paris).
 */
export function lifecycleSettings(env: NodeJS.ProcessEnv = process.env, overrides: Partial<LifecycleSettings> = {}): LifecycleSettings {
  const timeZone = overrides.timeZone ?? (env.PROGRAMME_TIME_ZONE || 'Europe/Paris');
  new Intl.DateTimeFormat('en-CA', { timeZone }); // an unknown zone fails at start
  return {
    deadlinePollMs: integer(env, 'LIFECYCLE_DEADLINE_POLL_MS', 250, 0),
    deadlineBatchSize: integer(env, 'LIFECYCLE_DEADLINE_BATCH', 500, 1),
    deadlineWorkers: integer(env, 'LIFECYCLE_DEADLINE_WORKERS', 2, 1),
    consumerGroupPrefix: env.LIFECYCLE_CONSUMER_PREFIX || 'lifecycle',
    ...overrides,
    timeZone,
  };
}

export type LifecycleConfig = ServiceConfig;
