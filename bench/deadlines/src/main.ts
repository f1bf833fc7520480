/**
 * bench/deadlines — 10,000 contracts' sagas, each with its deadlines scheduled (5 per contract), and
 * all their 6-month reminders coming due at the same instant. In one run, on the same database:
 *  1. baselines over the same rows: a raw loop of one autocommit `UPDATE … SET fired_at` per due
 *     deadline (no saga work), and one set-based UPDATE of them all;
 *  2. the messaging library's DeadlinePoller (one transaction per deadline) with the lifecycle saga
 *     handler (lock the saga, decide, save state + history, outbox event);
 *  3. the lifecycle service's BatchDeadlinePoller (batches claimed FOR UPDATE SKIP LOCKED) with the
 *     same handler and its default settings (poll every 250 ms, batches of 500, 2 loops);
 * and prints the firing lag (due → committed) p50/p99/max and the throughput. Target: p99 < 2 s for 3.
 * Time is the system clock shifted into 2022 (it flows at wall speed), so the poll interval counts.
 *
 * Usage: node bench/deadlines/dist/main.js [--contracts 10000] [--batch 500] [--workers 2] [--poll-ms 250] [--skip-library]
 */
import 'reflect-metadata';
import { ContractFacts } from '@cnfs/lifecycle-domain';
import { dataPath, ensurePostgres } from '@cnfs/deploy';
import { DeadlinePoller, DeadlineStore, DueDeadline, MessagingTables1764000000000, openServiceDataSource, Outbox } from '@cnfs/messaging';
import { Clock, IdempotencyKeys1764000000001 } from '@cnfs/service-kit';
import { BatchDeadlinePoller } from '@cnfs/lifecycle/dist/deadlines/batch-deadline-poller';
import { sagaDeadlineHandler } from '@cnfs/lifecycle/dist/deadlines/deadline-runner';
import { LIFECYCLE_MIGRATIONS } from '@cnfs/lifecycle/dist/persistence/migrations';
import { SagaEngine } from '@cnfs/lifecycle/dist/saga/saga-engine';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { DataSource } from 'typeorm';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = option('contracts', 10_000);
const BATCH = option('batch', 500);
const WORKERS = option('workers', 2);
const POLL_MS = option('poll-ms', 250);
const SKIP_LIBRARY = args.includes('--skip-library');
const SKIP_RAW = args.includes('--skip-raw');
const runId = Date.now().toString(36);
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

/** The end date of every contract, and the instant their 6-month reminders fall due. */
const END_DATE = '2022-12-31';
const DUE = new Date('2022-06-30T00:00:00.000Z');

/** The system clock shifted into the programme's time: it flows at wall speed, and can be re-based. */
class ShiftedClock implements Clock {
  constructor(private offsetMs: number) {}
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** From now on, `instant` is `inMs` milliseconds away. */
  rebase(instant: Date, inMs: number): void {
    this.offsetMs = instant.getTime() - inMs - Date.now();
  }
}

interface Measure {
  name: string;
  lagsMs: number[];
  firstDueToLastMs: number;
  ok: string;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** Each measurement's schema is dropped once measured (50,000 deadlines and 10,000 sagas each). */
async function drop(dataSource: DataSource): Promise<void> {
  const [{ schema }] = await dataSource.query(`SELECT current_schema() AS schema`);
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
}

async function setup(url: string, label: string, clock: ShiftedClock): Promise<{ dataSource: DataSource; engine: SagaEngine; schema: string }> {
  const schema = `bench_deadlines_${runId}_${label}`;
  const dataSource = await openServiceDataSource({ url, schema, migrations: [MessagingTables1764000000000, IdempotencyKeys1764000000001, ...LIFECYCLE_MIGRATIONS], poolSize: 10 });
  const engine = new SagaEngine(new Outbox(), new DeadlineStore(), 'Europe/Paris');
  clock.rebase(new Date('2021-06-20T08:00:00Z'), 0);
  const started = Date.now();
  for (let i = 0; i < N; i += 500) {
    const inputs = Array.from({ length: Math.min(500, N - i) }, (_, j) => {
      const facts: ContractFacts = {
        contractId: randomUUID(), structureId: `s-${(i + j) % 2500}`, conventionId: `c-${(i + j) % 2500}`, postId: randomUUID(), conseillerId: randomUUID(),
        departmentCode: ['59', '62', '974', '13'][(i + j) % 4], legalStatus: (i + j) % 3 === 0 ? 'PRIVATE' : 'PUBLIC', qpv: (i + j) % 4 === 0, zrr: false,
        conventionKnown: true, contractType: 'CDD', startDate: '2021-07-01', followUntil: END_DATE,
      };
      return { contractId: facts.contractId, message: { kind: 'ContractSigned' as const, at: clock.now(), facts }, context: { actor: { kind: 'system' as const, job: 'bench' }, occurredAt: clock.now() } };
    });
    await dataSource.transaction((manager) => engine.apply(manager, inputs, clock.now()));
  }
  const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM deadlines WHERE fired_at IS NULL AND cancelled_at IS NULL`);
  log(`${label}: ${N} sagas, ${n} deadlines scheduled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await dataSource.query('ANALYZE deadlines; ANALYZE sagas');
  return { dataSource, engine, schema };
}

async function waitFired(dataSource: DataSource, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM deadlines WHERE fired_at IS NOT NULL`);
    if (n >= N) return;
    if (Date.now() - started > timeoutMs) throw new Error(`only ${n} of ${N} deadlines fired in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every 6-month reminder fired once, every saga moved once, one event each. */
async function verify(dataSource: DataSource): Promise<string> {
  const [row] = await dataSource.query(`
    SELECT (SELECT count(*)::int FROM deadlines WHERE fired_at IS NOT NULL) AS fired,
           (SELECT count(*)::int FROM deadlines WHERE fired_at IS NOT NULL AND kind <> 'REMINDER_6M') AS wrong,
           (SELECT count(*)::int FROM sagas WHERE status = 'EXPIRY_APPROACHING' AND version = 2) AS moved,
           (SELECT count(*)::int FROM outbox WHERE event_type = 'lifecycle.ContractExpiryApproaching') AS events`);
  const ok = row.fired === N && row.wrong === 0 && row.moved === N && row.events === N;
  return `${ok ? 'OK' : 'WRONG'} (fired ${row.fired}, sagas moved ${row.moved}, events ${row.events})`;
}

async function main(): Promise<void> {
  const postgres = await ensurePostgres({ dataDir: dataPath('postgres'), database: 'cnfs_bench', log });
  const url = postgres.url;
  const clock = new ShiftedClock(0);
  const measures: Measure[] = [];
  const [{ version }] = await (async () => {
    const ds = new DataSource({ type: 'postgres', url });
    await ds.initialize();
    try {
      return await ds.query(`SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync`);
    } finally {
      await ds.destroy();
    }
  })();

  // ---- 1. baselines over the same rows ---------------------------------------------------------
  if (!SKIP_RAW) {
    const { dataSource } = await setup(url, 'raw', clock);
    clock.rebase(DUE, 0);
    const ids: string[] = (await dataSource.query(`SELECT id FROM deadlines WHERE kind = 'REMINDER_6M' ORDER BY due_at, id`)).map((r: { id: string }) => r.id);
    const lags: number[] = [];
    const t0 = Date.now();
    for (const id of ids) {
      await dataSource.query(`UPDATE deadlines SET fired_at = $2 WHERE id = $1`, [id, clock.now().toISOString()]);
      lags.push(clock.now().getTime() - DUE.getTime());
    }
    measures.push({ name: 'raw loop: one autocommit UPDATE per deadline (no saga work)', lagsMs: lags, firstDueToLastMs: Date.now() - t0, ok: 'n/a' });
    await dataSource.query(`UPDATE deadlines SET fired_at = NULL`);
    const t1 = Date.now();
    await dataSource.query(`UPDATE deadlines SET fired_at = $1 WHERE kind = 'REMINDER_6M' AND fired_at IS NULL`, [clock.now().toISOString()]);
    const setMs = Date.now() - t1;
    measures.push({ name: 'one set-based UPDATE of all due deadlines (no saga work)', lagsMs: Array.from({ length: N }, () => setMs), firstDueToLastMs: setMs, ok: 'n/a' });
    await drop(dataSource);
  }

  // ---- 2. the messaging library's DeadlinePoller, one transaction per deadline --------------------
  if (!SKIP_LIBRARY) {
    const { dataSource, engine } = await setup(url, 'library', clock);
    const handler = sagaDeadlineHandler(engine, clock);
    const lags: number[] = [];
    const poller = new DeadlinePoller(dataSource, () => clock.now(), async (d: DueDeadline, manager) => {
      await handler([d], manager);
      lags.push(clock.now().getTime() - d.dueAt.getTime()); // before its commit (< 1 ms more)
    }, { pollIntervalMs: POLL_MS });
    clock.rebase(DUE, 1_000);
    poller.start();
    const t0 = Date.now() + 1_000;
    await waitFired(dataSource, 600_000);
    const elapsed = Date.now() - t0;
    await poller.stop();
    measures.push({ name: `library DeadlinePoller (1 tx/deadline, poll ${POLL_MS} ms) + saga handler`, lagsMs: lags, firstDueToLastMs: elapsed, ok: await verify(dataSource) });
    await drop(dataSource);
  }

  // ---- 3. the lifecycle service's batch poller ---------------------------------------------------
  {
    const { dataSource, engine } = await setup(url, 'batch', clock);
    const lags: number[] = [];
    const poller = new BatchDeadlinePoller(dataSource, () => clock.now(), sagaDeadlineHandler(engine, clock), {
      pollIntervalMs: POLL_MS,
      batchSize: BATCH,
      workers: WORKERS,
      onFired: (fired, at) => {
        for (const d of fired) lags.push(at.getTime() - d.dueAt.getTime());
      },
    });
    poller.start();
    // Polling already, idle: the deadlines fall due 1 s from now, nothing pokes it.
    clock.rebase(DUE, 1_000);
    const t0 = Date.now() + 1_000;
    await waitFired(dataSource, 120_000);
    const elapsed = Date.now() - t0;
    await poller.stop();
    measures.push({ name: `lifecycle BatchDeadlinePoller (batch ${BATCH}, ${WORKERS} loops, poll ${POLL_MS} ms) + saga handler`, lagsMs: lags, firstDueToLastMs: elapsed, ok: await verify(dataSource) });
    await drop(dataSource);
  }

  await postgres.stop();
  const raw = measures.find((m) => m.name.startsWith('raw loop'));
  const rawRate = raw ? N / (raw.firstDueToLastMs / 1000) : NaN;
  console.log(`\nbench/deadlines — ${N} contracts, their ${N} six-month reminders due at the same instant`);
  console.log(`machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, PostgreSQL ${version}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log('| method | lag p50 | lag p99 | lag max | throughput | vs raw loop | check |');
  console.log('|---|---|---|---|---|---|---|');
  for (const m of measures) {
    const sorted = [...m.lagsMs].sort((a, b) => a - b);
    const rate = N / (m.firstDueToLastMs / 1000);
    console.log(
      `| ${m.name} | ${(percentile(sorted, 50) / 1000).toFixed(3)} s | ${(percentile(sorted, 99) / 1000).toFixed(3)} s | ${(sorted[sorted.length - 1] / 1000).toFixed(3)} s | ` +
        `${Math.round(rate).toLocaleString('en')} /s | ${(rate / rawRate).toFixed(2)}× | ${m.ok} |`,
    );
  }
  const batch = measures[measures.length - 1];
  const p99 = percentile([...batch.lagsMs].sort((a, b) => a - b), 99);
  console.log(`\ntarget: p99 lag < 2 s with the default poll interval — ${p99 < 2000 ? 'MET' : 'MISSED'} (${(p99 / 1000).toFixed(3)} s)`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
