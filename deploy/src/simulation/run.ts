import { SERVICES } from '../launcher/services';
import { CalendarDate, Month } from './calendar';
import { collectFacts, PlatformFacts } from './collect';
import { Driver, DriverOptions, ProgressInfo } from './driver';
import { generatePlan } from './generator';
import { ApiClient, sleep } from './http';
import { Plan } from './plan';
import { RenewalMode } from './schedule';
import { Check, verify } from './verify';
import { Tokens } from './tokens';

export interface RunOptions {
  baseUrl: string;
  seed: number;
  structures: number;
  concurrency?: number;
  until?: Month;
  /** Skip the fresh-platform checks (the soak starts its own fresh platform). */
  skipPreflight?: boolean;
  onProgress?: (p: ProgressInfo) => void;
  onStep?: DriverOptions['onStep'];
  log?: (line: string) => void;
  /** Service metrics URLs for the RSS figures (default: the launcher's ports). */
  metrics?: Record<string, string>;
  /** RSS per service, when the caller knows the processes (the soak). */
  rss?: () => Record<string, number>;
  client?: ApiClient;
  /** Awaited after the last step, before the platform is left to settle (the soak waits for its last fault's recovery). */
  afterDrive?: () => Promise<void>;
  /** How renewals go; `auto` (default): through the lifecycle saga when the platform has it. */
  renewals?: RenewalMode | 'auto';
}

export interface RunResult {
  plan: Plan;
  driver: Driver;
  facts: PlatformFacts;
  checks: Check[];
  /** Wall time of the drive, of the drain and of the verification. */
  durations: { generateMs: number; driveMs: number; drainMs: number; verifyMs: number };
  /** RSS per service once the platform has settled after the simulation (MiB). */
  rssMiB: Record<string, number>;
  /** …and after the verification's reads (large lists), for comparison. */
  rssAfterVerificationMiB: Record<string, number>;
  lastDay: CalendarDate;
}

/** Generates, drives, waits for the platform to settle, reads it back and checks it. */
export async function runSimulation(options: RunOptions): Promise<RunResult> {
  const t0 = Date.now();
  const plan = generatePlan({ seed: options.seed, structures: options.structures });
  const generateMs = Date.now() - t0;
  const client = options.client ?? new ApiClient({ baseUrl: options.baseUrl, concurrency: options.concurrency ?? 48, onRetry: undefined });
  const tokens = new Tokens();
  const renewals = options.renewals && options.renewals !== 'auto' ? options.renewals : await renewalModeOf(client, tokens);
  options.log?.(`renewals through ${renewals === 'lifecycle' ? 'the lifecycle saga (intent, préfet opinion, ANCT decision)' : 'phase-2 conventions'}`);
  const driver = new Driver({ client, plan, tokens, to: options.until, onProgress: options.onProgress, onStep: options.onStep, log: options.log, renewals });
  if (!options.skipPreflight) await driver.preflight();
  const t1 = Date.now();
  await driver.run();
  await options.afterDrive?.();
  const t2 = Date.now();
  await drain(client, tokens, options.log);
  const t3 = Date.now();
  const readRssNow = () => (options.rss ? Promise.resolve(options.rss()) : readRss(options.metrics ?? defaultMetrics()));
  const rssMiB = await readRssNow();
  const outcomes = renewals === 'lifecycle' ? await driver.readRenewalOutcomes() : undefined;
  const facts = await collectFacts(client, tokens);
  const lastDay = driver.steps[driver.steps.length - 1].today;
  const renewalOutcomes = outcomes
    ? new Map(
        [...outcomes].map(([index, view]) => [
          index,
          { status: view.status as string, contractId: driver.ids.contracts[index]!, postId: driver.ids.posts[index]!, cdi: plan.contracts[index].type === 'CDI' },
        ]),
      )
    : undefined;
  const checks = verify({
    plan,
    accepted: driver.accepted,
    facts,
    lastDay,
    structureOf: (id) => driver.structureByRuntimeId.get(id),
    renewalsThroughLifecycle: renewals === 'lifecycle',
    renewalOutcomes,
  });
  const t4 = Date.now();
  const rssAfterVerificationMiB = await readRssNow();
  if (!options.client) client.close();
  return { plan, driver, facts, checks, durations: { generateMs, driveMs: t2 - t1, drainMs: t3 - t2, verifyMs: t4 - t3 }, rssMiB, rssAfterVerificationMiB, lastDay };
}

/**
 * Waits until the platform has settled: every outbox empty and the consumers' read models no longer moving
 * (the same figures twice in a row, a second apart) — the events of the last requests have had their effects.
 */
export async function drain(client: ApiClient, tokens: Tokens, log?: (line: string) => void, timeoutMs = 300_000): Promise<void> {
  const anct = await tokens.anct();
  const deadline = Date.now() + timeoutMs;
  let previous = '';
  let stable = 0;
  for (;;) {
    const health = await client.get('/health', { expect: [503] });
    const pending = (health.body?.upstreams ?? []).reduce((n: number, u: any) => n + (u.details?.outboxPending ?? 1), 0);
    const figures = await Promise.all([
      client.total('/api/v1/audit', anct),
      client.total('/api/v1/commitments', anct),
      client.total('/api/v1/training/trainees', anct),
      client.total('/api/v1/programme-costs', anct),
      client.total('/api/v1/tranches?status=DUE', anct),
    ]);
    const now = `${pending}|${figures.join('|')}`;
    stable = health.status === 200 && pending === 0 && now === previous ? stable + 1 : 0;
    previous = now;
    if (stable >= 2) return;
    if (Date.now() > deadline) {
      log?.(`the platform did not settle within ${timeoutMs / 1000} s (outbox pending ${pending}, health ${health.status})`);
      return;
    }
    await sleep(1000);
  }
}

/** `lifecycle` when the platform answers the lifecycle saga's routes. */
export async function renewalModeOf(client: ApiClient, tokens: Tokens): Promise<RenewalMode> {
  const probe = await client.get('/api/v1/renewals/forecast?until=2021-01-31', { token: await tokens.anct(), expect: [400, 404, 502] });
  return probe.status === 200 ? 'lifecycle' : 'conventions';
}

export function defaultMetrics(): Record<string, string> {
  return Object.fromEntries(SERVICES.map((s) => [s.name, `http://127.0.0.1:${s.port}/metrics`]));
}

/** `process_resident_memory_bytes` of each service's Prometheus metrics, in MiB (0 when unreachable). */
export async function readRss(metrics: Record<string, string>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  await Promise.all(
    Object.entries(metrics).map(async ([name, url]) => {
      try {
        const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
        const match = /^process_resident_memory_bytes\s+([0-9.e+]+)/m.exec(text);
        out[name] = match ? Math.round((Number(match[1]) / 1024 / 1024) * 10) / 10 : 0;
      } catch {
        out[name] = 0;
      }
    }),
  );
  return out;
}
