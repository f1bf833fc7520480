import { loadServiceConfig, ServiceConfig } from '@cnfs/service-kit';
import { DEFAULT_SCHEDULES, Phase, ScheduleTemplate, templateProblems } from '@cnfs/subsidies-domain';

/** What the subsidies service reads beside the platform settings. */
export interface SubsidiesSettings {
  /** A post vacant longer than this after its conseiller left has its unpaid tranches cancelled (default 6). */
  vacancyCancelAfterMonths: number;
  /** An executed payment on no bank statement after this many days is reported (default 10). */
  unmatchedAfterDays: number;
  /** Period of the clock-driven jobs (due dates, vacancy delay); 0 disables the timer (tests run the jobs themselves). */
  jobIntervalMs: number;
  /** Prefix of the inbox consumers' names (their Kafka consumer groups). */
  consumerGroupPrefix: string;
  /** Tranche schedule of each phase (see DEFAULT_SCHEDULES). */
  schedules: Record<Phase, ScheduleTemplate>;
  /** Largest statement accepted by POST /reconciliations. */
  maxStatementBytes: number;
}

export interface SubsidiesConfig extends ServiceConfig {
  subsidies: SubsidiesSettings;
}

export const SUBSIDIES_SETTINGS = Symbol('SUBSIDIES_SETTINGS');

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name}="${raw}" must be an integer >= ${min}`);
  return value;
}

function schedule(env: NodeJS.ProcessEnv, phase: Phase): ScheduleTemplate {
  const raw = env[`SUBSIDIES_SCHEDULE_PHASE${phase}`];
  const template: ScheduleTemplate = raw ? JSON.parse(raw) : DEFAULT_SCHEDULES[phase];
  const problems = templateProblems(template, phase === 1 ? 1 : 3);
  if (problems.length > 0) throw new Error(`SUBSIDIES_SCHEDULE_PHASE${phase}: ${problems.join('; ')}`);
  return template;
}

/**
 * Environment: SUBSIDIES_VACANCY_MONTHS (6), SUBSIDIES_UNMATCHED_AFTER_DAYS (10),
 * SUBSIDIES_JOB_INTERVAL_MS (60000), SUBSIDIES_CONSUMER_PREFIX (subsidies),
 * SUBSIDIES_SCHEDULE_PHASE1 / SUBSIDIES_SCHEDULE_PHASE2 (JSON ScheduleTemplate), SUBSIDIES_MAX_STATEMENT_MB (64).
 */
export function loadSubsidiesConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<SubsidiesSettings> = {}): SubsidiesConfig {
  return {
    ...loadServiceConfig('subsidies', { port: 3103 }, env),
    subsidies: {
      vacancyCancelAfterMonths: integer(env, 'SUBSIDIES_VACANCY_MONTHS', 6, 1),
      unmatchedAfterDays: integer(env, 'SUBSIDIES_UNMATCHED_AFTER_DAYS', 10, 0),
      jobIntervalMs: integer(env, 'SUBSIDIES_JOB_INTERVAL_MS', 60_000, 0),
      consumerGroupPrefix: env.SUBSIDIES_CONSUMER_PREFIX ?? 'subsidies',
      schedules: { 1: schedule(env, 1), 2: schedule(env, 2) },
      maxStatementBytes: integer(env, 'SUBSIDIES_MAX_STATEMENT_MB', 64, 1) * 1024 * 1024,
      ...overrides,
    },
  };
}
