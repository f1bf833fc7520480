/**
 * bench/reconciliation — in one run, on the same PostgreSQL:
 *  1. seeds N executed payment orders through the subsidies schema (commitments, tranches, orders,
 *     executions and their COMMIT / ORDER / EXECUTE journals), not timed;
 *  2. generates an N-line CSV bank statement paying them (with a few amount mismatches, unknown
 *     references and duplicate lines);
 *  3. times a raw `COPY` of the same lines into an unindexed table (best of 5: 3 before, 2 after);
 *  4. times the reconciliation of the statement by the service's own code (parse, match, store every
 *     line with its finding, post the SETTLE journal, TrancheReconciled events, unmatched orders),
 *     in one transaction, exactly as POST /api/v1/reconciliations runs it;
 * and prints lines/s of both and their ratio. Target: reconciliation >= 20 % of raw COPY.
 *
 * Rounds: the machine may be shared; each round reconciles a fresh statement (its own orders, seeded
 * beforehand) and times raw COPY right before and after it, so both see the same load.
 *
 * Warm-up: a smaller statement (--warmup lines, 10,000 by default; 0: none) is reconciled first, not counted: the
 * first reconciliation of a process runs its code before V8 has compiled it (a running service is warm; raw COPY,
 * best of 5, is too). Its time is printed apart.
 *
 * Usage: node --expose-gc bench/reconciliation/dist/main.js [--lines 100000] [--structures 2500] [--rounds 3] [--warmup 10000]
 */
import 'reflect-metadata';
import { ensurePostgres, dataPath } from '@cnfs/deploy';
import { MessagingTables1764000000000, openServiceDataSource, Outbox } from '@cnfs/messaging';
import { Cents } from '@cnfs/money';
import { IdempotencyKeys1764000000001, ManualClock } from '@cnfs/service-kit';
import { deterministicId, journals, Journal } from '@cnfs/subsidies-domain';
import { SUBSIDIES_MIGRATIONS } from '@cnfs/subsidies/dist/migrations';
import { SubsidiesCore } from '@cnfs/subsidies/dist/core/core';
import { copyCsv, copyField } from '@cnfs/subsidies/dist/core/sql';
import { loadSubsidiesConfig } from '@cnfs/subsidies/dist/config';
import { PaymentsService } from '@cnfs/subsidies/dist/payments/payments.service';
import { EVENT_BATCH, ReconciliationService } from '@cnfs/subsidies/dist/reconciliation/reconciliation.service';
import { LedgerService } from '@cnfs/subsidies/dist/ledger/ledger.service';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const LINES = option('lines', 100_000);
const STRUCTURES = option('structures', 2_500);
const ROUNDS = option('rounds', 3);
const WARMUP = option('warmup', 10_000);
const runId = Date.now().toString(36);
const TODAY = '2023-05-03';
const EXECUTED = '2023-05-02';
const ENVELOPE = 'bench-envelope';
const IBANS = ['FR7630006000011234567890189', 'FR1420041010050500013M02606', 'FR1210907000010000000000123', 'FR8540031000010000000000456'];
const DEPARTMENTS = ['01', '13', '2A', '33', '59', '62', '69', '75', '93', '971', '972', '973', '974', '976'];

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const csvLines = (rows: (string | number | null)[][]) => rows.map((r) => r.map((v) => copyField(v)).join(',')).join('\n') + '\n';

interface Payment {
  orderId: string;
  reference: string;
  amount: number;
  iban: string;
}

/**
 * N commitments with one executed order each, written with the domain's ids and journals (setup, not timed).
 * Round r numbers its posts from `first` (r × N for the timed rounds), its envelope and ledger dimensions by r.
 */
async function seed(dataSource: DataSource, count: number, round: number, first = round * count): Promise<Payment[]> {
  const payments: Payment[] = [];
  const commitments: (string | number | null)[][] = [];
  const tranches: (string | number | null)[][] = [];
  const orders: (string | number | null)[][] = [];
  const executions: (string | number | null)[][] = [];
  const ledger: Journal[] = [];
  const dimensions: (string | number)[][] = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    const i = first + n;
    const postId = `bench-post-${i}`;
    const structureId = `bench-structure-${i % STRUCTURES}`;
    const departmentCode = DEPARTMENTS[(i % STRUCTURES) % DEPARTMENTS.length];
    const amount = 2_500_000 + (i % 1000); // varied cents
    const commitmentId = deterministicId('commitment', postId, '1');
    const trancheId = deterministicId('tranche', commitmentId, '1');
    const orderId = deterministicId('payment-order', trancheId, '1');
    const reference = `CNFS-P-B${String(i).padStart(9, '0')}`;
    const iban = IBANS[i % IBANS.length];
    const envelopeId = `${ENVELOPE}-${round}`;
    const dims = { envelopeId, departmentCode, structureId };
    const dimensionId = round * STRUCTURES + (i % STRUCTURES) + 1;
    if (n < STRUCTURES) dimensions.push([dimensionId, envelopeId, departmentCode, structureId]);
    total += amount;
    commitments.push([commitmentId, postId, 1, `bench-convention-${i % STRUCTURES}`, structureId, departmentCode, 'PUBLIC', 'f', 'f', envelopeId, dimensionId,
      deterministicId('rule', 'phase1.public.metropole', '1'), amount, '2021-02-01', '2021-03-01', '2021-03-01', 'bench', 'CONVENTION']);
    tranches.push([trancheId, commitmentId, 1, 'Tranche 1', 'FIRST_OCCUPATION', null, amount, 'PAID', '2021-03-01', postId, structureId, departmentCode, envelopeId, dimensionId, orderId]);
    orders.push([orderId, trancheId, 1, reference, amount, commitmentId, postId, structureId, departmentCode, envelopeId, dimensionId, 'EXECUTED', 'prefecture:bench', EXECUTED]);
    executions.push([orderId, reference, trancheId, dimensionId, `BDT-${runId}-${i}`, EXECUTED, amount, iban, `Structure ${i % STRUCTURES}`, 'bdt:bench']);
    ledger.push(journals.commit(commitmentId, dims, Cents.of(amount)), journals.order(orderId, dims, Cents.of(amount)), journals.execute(orderId, dims, Cents.of(amount)));
    payments.push({ orderId, reference, amount, iban });
  }
  await dataSource.transaction(async (m: EntityManager) => {
    const envelope = `${ENVELOPE}-${round}`;
    const fund = journals.fund(envelope, 1, Cents.of(total));
    await m.query(`INSERT INTO budget_envelopes (id, name, phase, opens_on, priority, amount_cents, committed_cents, created_by) VALUES ($1, 'bench', 1, '2021-01-01', $3, $2, $2, 'bench')`, [envelope, total, round]);
    await m.query(`INSERT INTO envelope_fundings (envelope_id, seq, label, amount_cents, created_by) VALUES ($1, 1, 'bench', $2, 'bench')`, [envelope, total]);
    ledger.unshift(fund);
    await copyCsv(m, `ledger_dimensions (id, envelope_id, department_code, structure_id)`, [Buffer.from(csvLines(dimensions))]);
    await copyCsv(m, `commitments (id, post_id, phase, convention_id, structure_id, department_code, legal_status, qpv, zrr, envelope_id, dimension_id, rule_id, amount_cents,
                                   signed_on, start_on, anchor_on, schedule_name, source)`, [Buffer.from(csvLines(commitments))]);
    await copyCsv(m, `tranches (id, commitment_id, seq, label, trigger, months_after_anchor, amount_cents, status, due_on, post_id, structure_id, department_code, envelope_id,
                                dimension_id, current_order_id)`, [Buffer.from(csvLines(tranches))]);
    await copyCsv(m, `payment_orders (id, tranche_id, attempt, reference, amount_cents, commitment_id, post_id, structure_id, department_code, envelope_id, dimension_id,
                                      status, ordered_by, ordered_on)`, [Buffer.from(csvLines(orders))]);
    await copyCsv(m, `payment_executions (payment_order_id, reference, tranche_id, dimension_id, bank_reference, executed_on, amount_cents, beneficiary_iban, beneficiary_name, recorded_by)`,
      [Buffer.from(csvLines(executions))]);
    await copyCsv(m, `ledger_journals (id, kind, business_key, pending, reverses_journal_id, occurred_on)`,
      [Buffer.from(csvLines(ledger.map((j) => [j.id, j.kind, j.businessKey, j.pending ? 't' : 'f', j.reversesJournalId, EXECUTED]))) ]);
    // One COPY for all entries: the balance trigger checks every journal of the statement.
    await copyCsv(m, `ledger_entries (journal_id, line, account, amount_cents, envelope_id, department_code, structure_id)`,
      [Buffer.from(csvLines(ledger.flatMap((j) => j.entries.map((e, line) => [j.id, line + 1, e.account, e.amount.toString(), e.envelopeId, e.departmentCode, e.structureId]))))]);
  });
  await dataSource.query('ANALYZE');
  return payments;
}

/** The statement: every payment once, plus ~0.1 % each of amount mismatches, unknown references and duplicate lines. */
function statement(payments: Payment[], lines: number, round: number): { csv: string; expected: Record<string, number> } {
  const header = 'statement_id,entry_reference,booking_date,direction,amount,currency,payment_reference,beneficiary_iban,beneficiary_name';
  const rows: string[] = [header];
  const expected = { MATCHED: 0, AMOUNT_MISMATCH: 0, UNKNOWN_REFERENCE: 0, DUPLICATE_LINE: 0 };
  const euros = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
  let p = 0;
  for (let i = 0; i < lines; i++) {
    const entry = `BQ-${runId}-${round}-${i}`;
    const special = i % 1000;
    if (special === 500 && i > 0) {
      rows.push(`STMT-${runId}-${round},${entry},${TODAY},DBIT,12.34,EUR,CNFS-P-UNKNOWN-${i},${IBANS[0]},Inconnu`);
      expected.UNKNOWN_REFERENCE += 1;
      continue;
    }
    if (special === 700 && p > 0) {
      const previous = payments[p - 1];
      rows.push(`STMT-${runId}-${round},${entry},${TODAY},DBIT,${euros(previous.amount)},EUR,${previous.reference},${previous.iban},Structure`);
      expected.DUPLICATE_LINE += 1;
      continue;
    }
    const payment = payments[p++ % payments.length];
    const mismatch = special === 900;
    rows.push(`STMT-${runId}-${round},${entry},${TODAY},DBIT,${euros(payment.amount + (mismatch ? 1 : 0))},EUR,${payment.reference},${payment.iban},Structure`);
    if (mismatch) expected.AMOUNT_MISMATCH += 1;
    else expected.MATCHED += 1;
  }
  return { csv: rows.join('\n') + '\n', expected };
}

/** Milliseconds this process has spent in garbage-collection pauses so far. */
let gcMilliseconds = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMilliseconds += entry.duration;
}).observe({ entryTypes: ['gc'] });

/** CPU seconds used so far by a local PostgreSQL backend (from /proc; undefined when not readable). */
async function backendCpu(pid: number): Promise<number | undefined> {
  try {
    const { readFile } = await import('node:fs/promises');
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 Hz)
  } catch {
    return undefined;
  }
}

/** BENCH_PROFILE=<file>: a CPU profile of the timed reconciliation only (open it in Chrome DevTools). */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}

async function main() {
  const postgres = await ensurePostgres({ dataDir: dataPath('postgres'), database: 'cnfs_bench', log });
  const schema = `bench_recon_${runId}`;
  const dataSource = await openServiceDataSource({
    url: postgres.url,
    schema,
    migrations: [MessagingTables1764000000000, IdempotencyKeys1764000000001, ...SUBSIDIES_MIGRATIONS],
    // One connection: the reconciliation's backend is the one whose CPU time is read.
    poolSize: 1,
  });
  try {
    if (process.env.BENCH_SEED_ONLY) {
      const payments = [await seed(dataSource, LINES, 0)];
      const { csv } = statement(payments[0], LINES, 0);
      const { writeFile } = await import('node:fs/promises');
      await writeFile(process.env.BENCH_SEED_ONLY, csv);
      log(`seed only: statement written to ${process.env.BENCH_SEED_ONLY}`);
      return;
    }
    await dataSource.query(`CREATE TABLE raw_statement_lines (statement_id text, entry_reference text, booking_date date, direction text, amount numeric,
                              currency text, payment_reference text, beneficiary_iban text, beneficiary_name text)`);
    const settings = loadSubsidiesConfig({ JWT_SECRET: 'bench-secret-long-enough-for-hs256-signatures' }).subsidies;
    const clock = new ManualClock(new Date(`${TODAY}T16:00:00Z`));
    const core = new SubsidiesCore(dataSource, new Outbox(), clock, settings);
    const reconciliations = new ReconciliationService(core, new PaymentsService(core));
    const principal = { subject: 'bench', role: 'bdt' } as const;
    const context = { actor: { kind: 'user' as const, subject: 'bench', role: 'bdt' as const }, occurredAt: clock.now(), correlationId: `bench-${runId}` };
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const problems: string[] = [];
    const results: { copy: number; reconcile: number }[] = [];
    let expectedEvents = 0;

    /** Raw COPY of the statement's lines (without its header) into an unindexed table: the best of `times`. */
    let copyCpu = Infinity;
    const rawCopy = async (body: string, times: number) => {
      let best = Infinity;
      const [{ pid }] = await dataSource.query(`SELECT pg_backend_pid() AS pid`);
      for (let i = 0; i < times; i++) {
        await dataSource.query(`TRUNCATE raw_statement_lines`);
        const before = await backendCpu(pid);
        const started = performance.now();
        const copied = await dataSource.transaction((m) => copyCsv(m, 'raw_statement_lines', [Buffer.from(body)]));
        best = Math.min(best, (performance.now() - started) / 1000);
        const after = await backendCpu(pid);
        if (before !== undefined && after !== undefined) copyCpu = Math.min(copyCpu, (after - before) * 1000);
        if (copied !== LINES) throw new Error(`COPY wrote ${copied} rows, expected ${LINES}`);
      }
      return best;
    };

    // The warm-up (not counted): its own orders and statement (round number ROUNDS), checked like the others.
    if (WARMUP > 0) {
      const warmupPayments = await seed(dataSource, WARMUP, ROUNDS, ROUNDS * LINES);
      const { csv, expected } = statement(warmupPayments, WARMUP, ROUNDS);
      const started = performance.now();
      const { summary } = await reconciliations.reconcile(principal, csv, 'CSV', context);
      expectedEvents += Math.ceil(summary.counts.MATCHED / EVENT_BATCH);
      const seconds = (performance.now() - started) / 1000;
      for (const [finding, count] of Object.entries(expected)) {
        const got = summary.counts[finding as keyof typeof summary.counts];
        if (got !== count) problems.push(`warm-up: ${finding} ${got} ≠ ${count}`);
      }
      console.log(`  warm-up (not counted): ${fmt(WARMUP)} lines reconciled in ${seconds.toFixed(3)} s (${fmt(WARMUP / seconds)} lines/s, code not yet compiled)`);
    }

    let bytes = 0;
    let lastSummary: Awaited<ReturnType<ReconciliationService['reconcile']>>['summary'] | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      // Each round's orders are seeded right before it: they are the only ones awaiting a statement.
      log(`round ${round + 1}: seeding ${LINES} executed payment orders in schema ${schema}…`);
      const seeded = performance.now();
      // The seeded payments are dropped once the statement is written: a service holds no such list, and the
      // garbage collections of the timed part would mark it (~18 MB of 100,000 objects).
      const { csv, expected } = statement(await seed(dataSource, LINES, round), LINES, round);
      log(`seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
      const body = csv.slice(csv.indexOf('\n') + 1);
      bytes = Buffer.byteLength(csv);
      // The seeding's garbage is not the reconciliation's: collect it first (node --expose-gc).
      (globalThis as { gc?: () => void }).gc?.();
      const copyBefore = await rawCopy(body, 3);
      const [{ pid }] = await dataSource.query(`SELECT pg_backend_pid() AS pid`);
      const profiler = process.env.BENCH_PROFILE && round === ROUNDS - 1 ? await startProfile() : undefined;
      const pgCpuBefore = await backendCpu(pid);
      const nodeCpuBefore = process.cpuUsage();
      const gcBefore = gcMilliseconds;
      const started = performance.now();
      const { created, summary } = await reconciliations.reconcile(principal, csv, 'CSV', context);
      const reconcileSeconds = (performance.now() - started) / 1000;
      const nodeCpu = process.cpuUsage(nodeCpuBefore);
      const pgCpuAfter = await backendCpu(pid);
      const gcDuring = gcMilliseconds - gcBefore; // (the observer is told of each pause a little after it)
      if (profiler) await profiler(process.env.BENCH_PROFILE!);
      const timings = { ...reconciliations.lastTimings };
      const copyAfter = await rawCopy(body, 2);
      const copySeconds = Math.min(copyBefore, copyAfter);
      results.push({ copy: copySeconds, reconcile: reconcileSeconds });
      lastSummary = summary;
      expectedEvents += Math.ceil(summary.counts.MATCHED / EVENT_BATCH);
      const replayStarted = performance.now();
      const replay = await reconciliations.reconcile(principal, csv, 'CSV', context);
      const replaySeconds = (performance.now() - replayStarted) / 1000;
      if (!created || replay.created || replay.summary.id !== summary.id) problems.push(`round ${round + 1}: the statement was not reconciled once and replayed once`);
      for (const [finding, count] of Object.entries(expected)) {
        const got = summary.counts[finding as keyof typeof summary.counts];
        if (got !== count) problems.push(`round ${round + 1}: ${finding} ${got} ≠ ${count}`);
      }
      console.log(
        `  round ${round + 1}: raw COPY ${fmt(LINES / copySeconds)} lines/s (${copySeconds.toFixed(3)} s) — reconciliation ${fmt(LINES / reconcileSeconds)} lines/s ` +
          `(${reconcileSeconds.toFixed(3)} s) — ratio ${((copySeconds / reconcileSeconds) * 100).toFixed(1)} %; replay ${(replaySeconds * 1000).toFixed(0)} ms`,
      );
      console.log(`           steps (ms): ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      console.log(
        `           CPU: Node ${((nodeCpu.user + nodeCpu.system) / 1000).toFixed(0)} ms (user ${(nodeCpu.user / 1000).toFixed(0)}, system ${(nodeCpu.system / 1000).toFixed(0)}) (garbage collection pauses ${gcDuring.toFixed(0)} ms)` +
          (pgCpuBefore !== undefined && pgCpuAfter !== undefined ? `, PostgreSQL backend ${((pgCpuAfter - pgCpuBefore) * 1000).toFixed(0)} ms` : '') +
          ` (wall ${(reconcileSeconds * 1000).toFixed(0)} ms)`,
      );
    }

    const [{ lines }] = await dataSource.query(`SELECT count(*)::int AS lines FROM reconciliation_lines`);
    if (lines !== LINES * ROUNDS + WARMUP) problems.push(`${lines} statement lines stored, expected ${LINES * ROUNDS + WARMUP}`);
    const checks = await new LedgerService(core).checks();
    for (const check of checks.checks.filter((c) => !c.ok)) problems.push(`ledger check failed: ${check.name}`);
    const [{ events }] = await dataSource.query(`SELECT count(*)::int AS events FROM outbox WHERE event_type = 'subsidies.TrancheReconciled'`);
    if (events !== expectedEvents) problems.push(`${events} TrancheReconciled events, expected ${expectedEvents} (one per ${EVENT_BATCH} matched tranches or fewer)`);

    const ratios = results.map((r) => r.copy / r.reconcile).sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)];
    const best = results.reduce((a, b) => (b.reconcile < a.reconcile ? b : a));
    console.log(
      `bench/reconciliation — ${fmt(LINES)}-line CSV statements (${(bytes / 1024 / 1024).toFixed(1)} MiB each), ${ROUNDS} rounds after a ${fmt(WARMUP)}-line warm-up, ${fmt(STRUCTURES)} structures`,
    );
    console.log(`  raw COPY of the same lines      : ${fmt(LINES / best.copy)} lines/s (best round)`);
    console.log(`  reconciliation                  : ${fmt(LINES / best.reconcile)} lines/s (best round: parse, match, store every line, post, events, one transaction)`);
    console.log(`  findings (last round)           : ${JSON.stringify(lastSummary?.counts)}`);
    console.log(`  TrancheReconciled events        : ${events} in all (batches of ≤ 1,000 tranches); ledger checks: ${checks.ok ? 'all hold' : 'FAILED'}`);
    console.log(`  ratio reconciliation / raw COPY : median ${(median * 100).toFixed(1)} %, best ${(ratios[ratios.length - 1] * 100).toFixed(1)} % (target >= 20 %)`);
    if (Number.isFinite(copyCpu)) console.log(`  raw COPY CPU (PostgreSQL backend): ${copyCpu.toFixed(0)} ms (best)`);
    const [{ load }] = [{ load: (await import('node:os')).loadavg()[0] }];
    console.log(`  machine: ${(await import('node:os')).cpus().length} CPUs, load average ${load.toFixed(1)} at the end`);
    if (problems.length > 0) {
      console.error(`  ERROR: ${problems.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    if (process.env.BENCH_KEEP_SCHEMA) log(`schema ${schema} kept`);
    else await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await dataSource.destroy();
    await postgres.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
