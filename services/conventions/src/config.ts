import { FRENCH_SMIC_MONTHLY_35H, MinimumWageStep, parseMinimumWageSchedule } from '@cnfs/conventions-domain';
import { loadServiceConfig, ServiceConfig } from '@cnfs/service-kit';

/** The conventions service's configuration: the platform's, plus the rules an operator sets. */
export interface ConventionsConfig extends ServiceConfig {
  /** Minimum gross monthly wage by date, integer cents (MINIMUM_MONTHLY_WAGE_SCHEDULE; default: the French SMIC, 35 h). */
  minimumWage: readonly MinimumWageStep[];
  /** Zone of "today" for date rules: ruptures not in the future, natural ends (PROGRAMME_TIME_ZONE, default Europe/Paris). */
  timeZone: string;
  /** How often the natural-end job runs (NATURAL_END_INTERVAL_MS, default hourly; 0 disables the timer). */
  naturalEndIntervalMs: number;
  naturalEndBatchSize: number;
  /** Inbox key and consumer group of the structures read model (STRUCTURES_CONSUMER_NAME). */
  structuresConsumerName: string;
  /** Inbox key and consumer group of the lifecycle saga's requests: financed renewals, announced ends (LIFECYCLE_CONSUMER_NAME). */
  lifecycleConsumerName: string;
}

export const CONVENTIONS_CONFIG = Symbol('CONVENTIONS_CONFIG');

function nonNegativeInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

export function loadConventionsConfig(env: Record<string, string | undefined> = process.env): ConventionsConfig {
  const base = loadServiceConfig('conventions', { port: 3102 }, env);
  const schedule = env.MINIMUM_MONTHLY_WAGE_SCHEDULE ?? env.MINIMUM_MONTHLY_WAGE_CENTS;
  const timeZone = env.PROGRAMME_TIME_ZONE || 'Europe/Paris';
  // Refuses an unknown zone at start rather than at the first rupture.
  new Intl.DateTimeFormat('en-CA', { timeZone });
  return {
    ...base,
    minimumWage: schedule ? parseMinimumWageSchedule(schedule) : FRENCH_SMIC_MONTHLY_35H,
    timeZone,
    naturalEndIntervalMs: nonNegativeInteger('NATURAL_END_INTERVAL_MS', env.NATURAL_END_INTERVAL_MS, 3_600_000),
    naturalEndBatchSize: Math.max(1, nonNegativeInteger('NATURAL_END_BATCH_SIZE', env.NATURAL_END_BATCH_SIZE, 200)),
    structuresConsumerName: env.STRUCTURES_CONSUMER_NAME || 'conventions.structures-read-model',
    lifecycleConsumerName: env.LIFECYCLE_CONSUMER_NAME || 'conventions.lifecycle-requests',
  };
}
