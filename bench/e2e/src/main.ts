/**
 * bench/e2e — in one run, on this machine:
 *  1. baselines: a raw PostgreSQL insert loop (one committed transaction per row), raw kafkajs (idempotent
 *     producer, acks=all, and a consumer group), a bare NestJS endpoint under the same fixed-rate load;
 *  2. the programme simulation on a platform of its own (every service, a real broker): business operations per
 *     second through REST + Kafka + PostgreSQL;
 *  3. the platform's read endpoints (through the gateway) under a fixed rate of 200 requests/s (autocannon):
 *     p50 / p99 beside the bare NestJS endpoint's.
 * Targets: the full default simulation (2,500 structures) in under 5 minutes; read p99 < 50 ms at 200 requests/s.
 *
 * Usage: npm run bench:e2e -- [--structures 2500] [--seed 1] [--rate 200] [--duration 20]
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { dataPath, ensureDatabase } from '@cnfs/deploy';
import { freePort, Platform } from '@cnfs/deploy/dist/soak/platform';
import { runSimulation } from '@cnfs/deploy/dist/simulation/run';
import { DEFAULT_STRUCTURES } from '@cnfs/deploy/dist/simulation/figures';
import { Tokens } from '@cnfs/deploy/dist/simulation/tokens';
import { percentile } from '@cnfs/deploy/dist/simulation/http';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: (options: Record<string, unknown>) => Promise<AutocannonResult> = require('autocannon');

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; p97_5: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const value = args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  return Number(value);
};
const STRUCTURES = option('structures', DEFAULT_STRUCTURES);
const SEED = option('seed', 1);
const RATE = option('rate', 200);
const DURATION = option('duration', 20);
const log = (m: string) => process.stderr.write(`[bench:e2e] ${m}\n`);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function rawInserts(databaseUrl: string, rows = 6000, clients = 16): Promise<{ perSecond: number; p50: number; p99: number }> {
  const setup = new Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query('DROP TABLE IF EXISTS bench_e2e_raw');
  await setup.query('CREATE TABLE bench_e2e_raw (id bigserial PRIMARY KEY, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
  const pool = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new Client({ connectionString: databaseUrl });
      await c.connect();
      return c;
    }),
  );
  let next = 0;
  const latencies: number[] = [];
  const payload = JSON.stringify({ structureId: '3f0e3e0c-6b3a-4c2e-9d7e-0c7b1a1b2c3d', type: 'CDD', startDate: '2021-04-01', grossMonthlySalaryCents: 180180 });
  const started = performance.now();
  await Promise.all(
    pool.map(async (c) => {
      while (next < rows) {
        next++;
        const t = performance.now();
        await c.query('INSERT INTO bench_e2e_raw (payload) VALUES ($1)', [payload]);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(pool.map((c) => c.end()));
  await setup.query('DROP TABLE bench_e2e_raw');
  await setup.end();
  latencies.sort((a, b) => a - b);
  return { perSecond: rows / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function rawKafka(brokers: string[], messages = 20_000): Promise<{ perSecond: number }> {
  const kafka = new Kafka({ clientId: 'bench-e2e', brokers, logLevel: logLevel.NOTHING });
  const topic = `bench.e2e.raw.${Date.now().toString(36)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `${topic}-group`, maxWaitTimeInMs: 100 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      received += batch.messages.length;
      if (received >= messages) done();
    },
  });
  const value = JSON.stringify({ messageId: 'x'.repeat(36), type: 'conventions.ContractSigned', payload: { contractId: 'y'.repeat(36), startDate: '2021-04-01', salary: 180180 } });
  const started = performance.now();
  for (let i = 0; i < messages; i += 500) {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: Math.min(500, messages - i) }, (_, k) => ({ key: `k${(i + k) % 997}`, value })) });
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return { perSecond: messages / seconds };
}

async function startBareNest(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(__dirname, 'bare-nest.js')], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`the bare NestJS app exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function fixedRate(url: string, requests: { path: string }[], token: string | undefined, rate: number, seconds: number) {
  const result = await autocannon({
    url,
    connections: 16,
    duration: seconds,
    overallRate: rate,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    requests: requests.map((r) => ({ method: 'GET', path: r.path })),
  });
  return {
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  log(`machine: ${machine}`);
  const platform = new Platform({
    dataDir: dataPath('bench-e2e'),
    database: 'cnfs_bench_e2e',
    schemaPrefix: 'e2e_',
    fresh: true,
    kafkaPort: 39192,
    kafkaControllerPort: 39193,
    env: { CNFS_CLOCK: 'manual', CNFS_CLOCK_START: '2020-11-01T00:00:00Z', SUBSIDIES_JOB_INTERVAL_MS: '1000' },
    log: () => undefined,
  });
  const bare = await startBareNest();
  try {
    await platform.start();
    log(`platform up: ${platform.baseUrl}`);
    const url = new URL(platform.databaseUrl);
    await ensureDatabase(Number(url.port || 5432), url.pathname.slice(1));

    log('baseline: raw PostgreSQL insert loop (16 clients, one transaction per row)');
    const inserts = await rawInserts(platform.databaseUrl);
    log('baseline: raw kafkajs (idempotent producer, acks=all, batches of 500, one consumer group)');
    const kafka = await rawKafka(platform.brokers);

    log(`simulation: ${STRUCTURES} structures, seed ${SEED}`);
    const cpuBefore = platform.cpuSeconds();
    const clientCpuBefore = process.cpuUsage();
    const sim = await runSimulation({ baseUrl: platform.baseUrl, seed: SEED, structures: STRUCTURES, rss: () => platform.rss() });
    const cpuAfter = platform.cpuSeconds();
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const cpu = Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, round(cpuAfter[k] - (cpuBefore[k] ?? 0))]));
    cpu['simulation client'] = round((clientCpu.user + clientCpu.system) / 1e6);
    const ops = sim.driver.client.businessOperations;
    const opsPerSecond = ops / (sim.durations.driveMs / 1000);
    const writes = [...sim.driver.client.stats.values()].filter((s) => !s.route.startsWith('GET')).flatMap((s) => s.latenciesMs).sort((a, b) => a - b);
    const failedChecks = sim.checks.filter((c) => !c.ok).map((c) => c.name);
    const simulationSeconds = (sim.durations.generateMs + sim.durations.driveMs + sim.durations.drainMs + sim.durations.verifyMs) / 1000;

    // Read endpoints, with ids the simulation created.
    const tokens = new Tokens();
    const anct = await tokens.anct();
    const s = sim.facts.structures.find((x) => x.status === 'VALIDATION_COSELEC') ?? sim.facts.structures[0];
    const contract = sim.facts.contracts.find((c) => c.structureId === s.id) ?? sim.facts.contracts[0];
    const endpoints = [
      { name: 'structures by département', path: '/api/v1/structures?departmentCode=59&pageSize=20' },
      { name: 'one structure', path: `/api/v1/structures/${s.id}` },
      { name: 'conventions of a structure', path: `/api/v1/conventions?structureId=${s.id}` },
      { name: 'one contract', path: `/api/v1/contracts/${contract.id}` },
      { name: 'contracts of a structure', path: `/api/v1/contracts?structureId=${s.id}` },
      { name: 'commitments of a structure', path: `/api/v1/commitments?structureId=${s.id}` },
      { name: 'tranches of a structure', path: `/api/v1/tranches?structureId=${s.id}` },
      { name: 'enrolments of a conseiller', path: `/api/v1/training/enrolments?conseillerId=${contract.conseiller.id}` },
      { name: 'balances by département', path: '/api/v1/ledger/balances?by=department&departmentCode=59' },
      { name: 'lifecycle of a contract', path: `/api/v1/contracts/${contract.id}/lifecycle` },
    ];
    const reachable: typeof endpoints = [];
    for (const e of endpoints) {
      const res = await fetch(`${platform.baseUrl}${e.path}`, { headers: { authorization: `Bearer ${anct}` } });
      if (res.ok) reachable.push(e);
      else log(`skipping ${e.name}: HTTP ${res.status}`);
    }
    log(`reads: bare NestJS, then the platform's read endpoints mixed, at ${RATE} requests/s for ${DURATION} s each`);
    const bareReads = await fixedRate(bare.url, [{ path: '/ping' }], undefined, RATE, DURATION);
    const mixed = await fixedRate(platform.baseUrl, reachable, anct, RATE, DURATION);
    const perEndpoint: { name: string; p50: number; p99: number; errors: number }[] = [];
    for (const e of reachable) {
      const r = await fixedRate(platform.baseUrl, [e], anct, RATE, Math.max(5, Math.round(DURATION / 4)));
      perEndpoint.push({ name: e.name, p50: r.p50, p99: r.p99, errors: r.errors });
    }
    const rss = platform.rss();

    const lines = [
      '',
      `bench/e2e — ${new Date().toISOString().slice(0, 10)} — ${machine}`,
      '',
      'throughput                                          figure            baseline (same run)               ratio',
      `  simulation, business operations/s (REST+Kafka+PG) ${round(opsPerSecond).toString().padEnd(17)} raw PG inserts ${round(inserts.perSecond)}/s        ${round((opsPerSecond / inserts.perSecond) * 100)} %`,
      `                                                    ${''.padEnd(17)} raw kafkajs ${round(kafka.perSecond)} msg/s      ${round((opsPerSecond / kafka.perSecond) * 100, 2)} %`,
      `  simulation: ${ops.toLocaleString('en')} operations in ${round(sim.durations.driveMs / 1000)} s (${STRUCTURES} structures), write p50 ${round(percentile(writes, 50))} ms p99 ${round(percentile(writes, 99))} ms; raw insert p50 ${round(inserts.p50)} ms p99 ${round(inserts.p99)} ms`,
      `  the whole simulation (generate, drive, settle, verify): ${round(simulationSeconds)} s — target for the default ${DEFAULT_STRUCTURES.toLocaleString('en')} structures: under 300 s${STRUCTURES === DEFAULT_STRUCTURES ? ` — ${simulationSeconds < 300 ? 'met' : 'NOT met'}` : ' (not this run’s scale)'}`,
      `  invariants and exactly-once checks: ${failedChecks.length === 0 && sim.driver.failures.length === 0 ? 'all hold' : `FAILED ${failedChecks.join(', ')} ${sim.driver.failures.length} failed requests`}`,
      '',
      `reads at ${RATE} requests/s                           p50 ms   p99 ms   errors   baseline bare NestJS p50 / p99   ratio p99`,
      `  mixed read endpoints (gateway)                    ${String(mixed.p50).padEnd(8)} ${String(mixed.p99).padEnd(8)} ${String(mixed.errors).padEnd(8)} ${bareReads.p50} / ${bareReads.p99} ms                  ${round(mixed.p99 / Math.max(1, bareReads.p99))}×`,
      ...perEndpoint.map((e) => `  ${e.name.padEnd(50)}${String(e.p50).padEnd(8)} ${String(e.p99).padEnd(8)} ${String(e.errors).padEnd(8)} ${''.padEnd(32)} ${round(e.p99 / Math.max(1, bareReads.p99))}×`),
      `  target: p99 < 50 ms at 200 requests/s — ${mixed.p99 < 50 ? 'met' : 'NOT met'}`,
      '',
      `CPU seconds during the simulation (drive, settle, verification; PostgreSQL not counted): ${Object.entries(cpu).map(([n, v]) => `${n} ${v}`).join(', ')} — ${round(
        (Object.values(cpu).reduce((a, b) => a + b, 0) / ops) * 1000,
        2,
      )} ms of CPU per business operation`,
      `RSS after the simulation (MiB): ${Object.entries(sim.rssMiB).map(([n, v]) => `${n} ${v}`).join(', ')}; after the read load: ${Object.entries(rss).map(([n, v]) => `${n} ${v}`).join(', ')}`,
      `bench wall time ${round((Date.now() - started) / 1000)} s`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const dir = dataPath('reports');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `bench-e2e-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({ machine, structures: STRUCTURES, seed: SEED, rate: RATE, duration: DURATION, inserts, kafka, simulation: { ops, opsPerSecond, durations: sim.durations, failedChecks, cpu, rss: sim.rssMiB }, bareReads, mixed, perEndpoint, rss }, null, 1),
    );
    log(`figures written to ${file}`);
  } finally {
    bare.child.kill('SIGTERM');
    await platform.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench:e2e failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
