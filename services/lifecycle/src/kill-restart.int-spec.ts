import { ContractSignedV1, ConventionValidatedV1, EventEnvelope, TOPICS } from '@cnfs/contracts';
import { testBrokers, testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { collect, event, eventually, JWT_SECRET, lifecycleGroups, Producer, skipHistory, token } from './testing/harness';

/**
 * The lifecycle service as the platform runs it — `node services/lifecycle/dist/main.js`, a process of its own on
 * a manual clock — SIGKILLed between two deadlines (no shutdown hook, no flush: whatever was in flight is lost),
 * then started again on the same schema and consumer groups. The saga must resume: the next reminder at its date,
 * nothing fired twice, nothing lost. (The in-process restart of lifecycle.int-spec.ts is a graceful close.)
 */
jest.setTimeout(180_000);

const ENTRY = path.resolve(__dirname, '../dist/main.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('lifecycle service killed (SIGKILL) and restarted between two deadlines', () => {
  const schema = uniqueName('lifecycle_kill');
  const prefix = uniqueName('lifecycle_kill');
  const structureId = randomUUID();
  const conventionId = randomUUID();
  const contractId = randomUUID();
  const postId = randomUUID();
  let port: number;
  let child: ChildProcess | undefined;
  let producer: Producer;
  let lifecycleTopic: { records: EventEnvelope[]; stop(): Promise<void> };
  let anct: string;
  const output: string[] = [];

  async function start(clockStart: string): Promise<void> {
    child = spawn(process.execPath, [ENTRY], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        DATABASE_URL: testDatabaseUrl(),
        KAFKA_BROKERS: testBrokers().join(','),
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        JWT_SECRET,
        PORT: String(port),
        DB_SCHEMA: schema,
        LIFECYCLE_CONSUMER_PREFIX: prefix,
        CNFS_CLOCK: 'manual',
        CNFS_CLOCK_START: clockStart,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok, 60_000, 'lifecycle service healthy');
  }

  async function kill(): Promise<void> {
    const proc = child!;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    child = undefined;
  }

  /** A route of the service (`/clock` is outside `/api/v1`, like `/health`). */
  const api = async (method: string, route: string, body?: object) => {
    const res = await fetch(`http://127.0.0.1:${port}${route === '/clock' ? '' : '/api/v1'}${route}`, {
      method,
      headers: { authorization: `Bearer ${anct}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  };
  const moveClock = async (iso: string) => expect((await api('PUT', '/clock', { now: iso })).status).toBe(200);
  const lifecycle = async () => (await api('GET', `/contracts/${contractId}/lifecycle`)).body;
  /** The distinct reminders of the contract read from Kafka (a redelivery carries the same message id). */
  const reminders = () => {
    const seen = new Map<string, [string, number]>();
    for (const e of lifecycleTopic.records) {
      if (e.aggregateId === contractId && e.type === 'lifecycle.ContractExpiryApproaching') {
        seen.set(e.messageId, [e.occurredAt.slice(0, 10), (e.payload as { monthsBeforeEnd: number }).monthsBeforeEnd]);
      }
    }
    return [...seen.values()].sort();
  };

  beforeAll(async () => {
    if (!fs.existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: build first (npm run build; npm test does)`);
    port = await freePort();
    await skipHistory(lifecycleGroups(prefix));
    producer = await Producer.start();
    lifecycleTopic = await collect([TOPICS.lifecycle]);
    anct = await token({ role: 'anct' });
  });

  afterAll(async () => {
    if (child) await kill();
    await lifecycleTopic?.stop();
    await producer?.close();
  });

  it('resumes the saga: the next reminder at its date, nothing twice, nothing lost', async () => {
    await start('2021-06-20T08:00:00.000Z');
    const at = new Date('2021-06-20T08:00:00Z');
    await producer.send(
      event(ConventionValidatedV1, conventionId, {
        conventionId, structureId, phase: 1, posts: 1, postIds: [postId], signedAt: '2021-02-20', startDate: '2021-03-01', financedUntil: '2023-02-28', endDate: '2024-02-29',
        structure: { legalStatus: 'PRIVATE', type: 'ASSOCIATION', departmentCode: '59', qpv: false, zrr: true }, renewsConventionId: null,
      }, at),
      event(ContractSignedV1, contractId, {
        contractId, structureId, conventionId, postId, departmentCode: '59', legalStatus: 'PRIVATE', contractType: 'CDD', startDate: '2021-07-01', endDate: '2022-12-31',
        conseiller: { id: randomUUID(), firstName: 'Awa', lastName: 'Diallo', email: 'awa.diallo@example.org' }, renewsContractId: null,
      }, at),
    );
    await eventually(async () => (await lifecycle()).facts?.conventionKnown, 60_000, 'saga with its convention');

    // the 6-month reminder at its date
    await moveClock('2022-06-30T00:00:00.000Z');
    await eventually(() => reminders().length === 1, 60_000, '6-month reminder on Kafka');
    expect(reminders()).toEqual([['2022-06-30', 6]]);
    const before = await lifecycle();
    const pendingBefore: string[] = before.pendingDeadlines.map((d: { kind: string }) => d.kind);
    expect(pendingBefore).toEqual(expect.arrayContaining(['REMINDER_3M', 'REMINDER_1M', 'END_DATE']));
    expect(pendingBefore).not.toContain('REMINDER_6M');

    // killed between two deadlines, then started again at the time the platform is at
    await kill();
    await start('2022-07-15T00:00:00.000Z');
    const after = await lifecycle();
    expect({ status: after.status, version: after.version, pending: after.pendingDeadlines }).toEqual({ status: before.status, version: before.version, pending: before.pendingDeadlines });

    // the next deadline fires at its date, the one already fired does not fire again
    await moveClock('2022-09-29T23:59:00.000Z');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(reminders()).toEqual([['2022-06-30', 6]]);
    await moveClock('2022-09-30T00:00:00.000Z');
    await eventually(() => reminders().length === 2, 60_000, '3-month reminder on Kafka after the restart');
    await new Promise((r) => setTimeout(r, 1_000)); // time for a duplicate to show up, if any
    expect(reminders()).toEqual([['2022-06-30', 6], ['2022-09-30', 3]]);
    const resumed = await lifecycle();
    expect(resumed.pendingDeadlines.map((d: { kind: string }) => d.kind)).toEqual(pendingBefore.filter((k) => k !== 'REMINDER_3M'));
    expect(resumed.remindersSent).toEqual([6, 3]);
    expect(resumed.history.filter((h: { message: string }) => h.message.startsWith('REMINDER_')).map((h: { message: string; detail: string }) => `${h.message}: ${h.detail}`)).toEqual([
      'REMINDER_6M: 6 month(s) before 2022-12-31', 'REMINDER_3M: 3 month(s) before 2022-12-31',
    ]);
    expect(output.join('')).not.toMatch(/"level":"error"/);
  });
});
