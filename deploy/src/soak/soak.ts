import * as path from 'node:path';
import { Month } from '../simulation/calendar';
import { ApiClient } from '../simulation/http';
import { runSimulation, RunResult } from '../simulation/run';
import { timelineSteps } from '../simulation/schedule';
import { Check } from '../simulation/verify';
import { FaultInjector, FaultOptions, InjectedFault, planFaults, SupervisorRestart } from './faults';
import { Platform } from './platform';
import { deadLetters, publishedMessages } from './replay';

export interface SoakOptions {
  seeds: number[];
  structures: number;
  faults: FaultOptions | ((seed: number) => FaultOptions);
  /** Broker data and service logs: `<dataDir>/seed-<n>`. */
  dataDir: string;
  database: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  until?: Month;
  concurrency?: number;
  log?: (line: string) => void;
  /** Extra service environment (the soak shortens the subsidies job interval). */
  env?: Record<string, string>;
  /** Restart a service whose consumer died for good (default false; see FaultInjector). */
  supervise?: boolean;
}

export interface SoakSeedResult {
  seed: number;
  ok: boolean;
  wallMs: number;
  startMs: number;
  faults: InjectedFault[];
  /** Services restarted because a consumer died (the libs/messaging bug): the workaround at work. */
  supervisorRestarts: SupervisorRestart[];
  /** Consumers that crashed for good and were replaced by the messaging lib (seen in the service logs). */
  consumerCrashes: { service: string; month: string; crash: string }[];
  /** The simulation's invariants and exactly-once checks, then the soak's own (dead letters, audit completeness, health). */
  checks: Check[];
  failures: RunResult['driver']['failures'];
  operations: number;
  retries: number;
  rssMiB: Record<string, number>;
  restarts: Record<string, number>;
  logs: string;
}

/**
 * The soak: for each seed, a fresh platform of its own (broker, services, schemas), the simulation driven
 * through it while the seeded faults are injected, then every check — and the soak's own: no message
 * dead-lettered, every published event in the audit trail once, every service healthy.
 */
export async function runSoak(options: SoakOptions): Promise<SoakSeedResult[]> {
  const results: SoakSeedResult[] = [];
  for (const seed of options.seeds) results.push(await soakOneSeed(seed, options));
  return results;
}

export async function soakOneSeed(seed: number, options: SoakOptions): Promise<SoakSeedResult> {
  const log = options.log ?? (() => undefined);
  const t0 = Date.now();
  const dataDir = path.join(options.dataDir, `seed-${seed}`);
  const platform = new Platform({
    dataDir,
    database: options.database,
    schemaPrefix: `soak${seed}_`,
    fresh: true,
    kafkaPort: options.kafkaPort,
    kafkaControllerPort: options.kafkaControllerPort,
    env: { CNFS_CLOCK: 'manual', CNFS_CLOCK_START: '2020-11-01T00:00:00Z', SUBSIDIES_JOB_INTERVAL_MS: '1000', ...options.env },
    log: () => undefined,
  });
  try {
    await platform.start();
    const startMs = Date.now() - t0;
    log(`seed ${seed}: platform up in ${(startMs / 1000).toFixed(1)} s (gateway ${platform.baseUrl}, broker ${platform.brokers.join(',')})`);
    const faultOptions = typeof options.faults === 'function' ? options.faults(seed) : options.faults;
    const faults = planFaults(seed, timelineSteps(options.until).length, platform.serviceNames(), faultOptions);
    const injector = new FaultInjector(platform, faults, (line) => log(`seed ${seed}: ${line}`), options.supervise ?? false);
    const client = new ApiClient({ baseUrl: platform.baseUrl, concurrency: options.concurrency ?? 32, inProgressDeadlineMs: 10_000 });
    const result = await runSimulation({
      baseUrl: platform.baseUrl,
      seed,
      structures: options.structures,
      until: options.until,
      client,
      onStep: injector.onStep,
      afterDrive: () => injector.settle(),
      rss: () => platform.rss(),
      log: (line) => log(`seed ${seed}: ${line}`),
    });
    const [dlq, published, health] = await Promise.all([deadLetters(platform.brokers), publishedMessages(platform.brokers), platform.health()]);
    const dead = Object.entries(dlq).filter(([, n]) => n > 0);
    const unhealthy = Object.entries(health).filter(([, h]) => h.status !== 200 || h.body?.outboxPending !== 0);
    const soakChecks: Check[] = [
      { kind: 'effect', name: 'no message dead-lettered', ok: dead.length === 0, detail: `${Object.keys(dlq).length} dead-letter topics`, ...(dead.length ? { problems: dead } : {}) },
      {
        kind: 'effect',
        name: 'every published event in the audit trail exactly once (replays and resends included)',
        ok: published.distinct === result.facts.audit.total,
        detail: `${published.records.toLocaleString('en')} records on the topics, ${published.distinct.toLocaleString('en')} distinct events, ${result.facts.audit.total.toLocaleString('en')} audit entries`,
        ...(published.distinct === result.facts.audit.total ? {} : { problems: [{ distinct: published.distinct, audit: result.facts.audit.total }] }),
      },
      {
        kind: 'effect',
        name: 'every service healthy, outbox drained',
        ok: unhealthy.length === 0,
        detail: Object.entries(health).map(([n, h]) => `${n} ${h.status}/${h.body?.outboxPending}`).join(', '),
        ...(unhealthy.length ? { problems: unhealthy } : {}),
      },
      {
        kind: 'effect',
        name: 'every planned fault injected',
        ok: injector.injected.length === faults.length,
        detail: `${injector.injected.length} of ${faults.length}`,
      },
    ];
    const checks = [...result.checks, ...soakChecks];
    injector.stop();
    client.close();
    return {
      seed,
      ok: checks.every((c) => c.ok) && result.driver.failures.length === 0,
      wallMs: Date.now() - t0,
      startMs,
      faults: injector.injected,
      supervisorRestarts: injector.supervisorRestarts,
      consumerCrashes: injector.consumerCrashes,
      checks,
      failures: result.driver.failures,
      operations: result.driver.client.businessOperations,
      retries: result.driver.client.retries,
      rssMiB: result.rssMiB,
      restarts: Object.fromEntries([...platform.services].map(([n, s]) => [n, s.restarts])),
      logs: path.join(dataDir, 'logs'),
    };
  } finally {
    // SOAK_KEEP=1 leaves the platform running for a look at a failure (Ctrl-C stops it).
    if (process.env.SOAK_KEEP === '1') log(`seed ${seed}: platform left running (SOAK_KEEP=1): gateway ${platform.gateway ? platform.baseUrl : '-'}`);
    else await platform.stop();
  }
}

/** A soak seed's outcome in a few lines (printed by `npm run soak`, and by the test when it fails). */
export function describeSeed(r: SoakSeedResult): string {
  const lines = [
    `seed ${r.seed}: ${r.ok ? 'ok' : 'FAILED'} in ${(r.wallMs / 1000).toFixed(1)} s — ${r.operations.toLocaleString('en')} operations, ${r.retries} retried requests`,
    ...r.faults.map((f) => `  fault at ${f.month}: ${f.detail} (recovered in ${(f.recoveredMs / 1000).toFixed(1)} s)`),
    ...r.supervisorRestarts.map(
      (x) => `  consumer died at ${x.month} in ${x.service} (${/groupId":"([^"]+)/.exec(x.crash)?.[1] ?? '?'}: non-retriable kafkajs crash): service restarted by the harness in ${(x.recoveredMs / 1000).toFixed(1)} s`,
    ),
    ...(r.consumerCrashes.length
      ? [`  consumers crashed for good and replaced by the messaging lib: ${r.consumerCrashes.map((c) => `${/groupId":"([^"]+)/.exec(c.crash)?.[1] ?? c.service} (${c.month})`).join(', ')}`]
      : []),
    `  RSS ${Object.entries(r.rssMiB).map(([n, v]) => `${n} ${v} MiB`).join(', ')}`,
  ];
  for (const c of r.checks.filter((x) => !x.ok)) lines.push(`  FAIL ${c.name} — ${c.detail} ${JSON.stringify(c.problems ?? []).slice(0, 600)}`);
  for (const f of r.failures.slice(0, 10)) lines.push(`  request failed at ${f.step}, ${f.action}: ${f.error.split('\n')[0].slice(0, 300)}`);
  if (!r.ok) lines.push(`  replay: npm run soak -- --seed ${r.seed} (service logs in ${r.logs})`);
  return lines.join('\n');
}
