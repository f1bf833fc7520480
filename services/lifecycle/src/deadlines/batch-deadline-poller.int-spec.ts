import { DeadlineStore, Deadlines1764000000002, DueDeadline, openServiceDataSource } from '@cnfs/messaging';
import { testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { DataSource } from 'typeorm';
import { BatchDeadlinePoller } from './batch-deadline-poller';

jest.setTimeout(60_000);

describe('batch deadline poller against the real database', () => {
  let dataSource: DataSource;
  const store = new DeadlineStore();
  let now = new Date('2022-06-01T00:00:00Z');
  const clock = () => now;

  beforeAll(async () => {
    dataSource = await openServiceDataSource({ url: testDatabaseUrl(), schema: uniqueName('batch_deadlines'), migrations: [Deadlines1764000000002] });
  });
  afterAll(() => dataSource.destroy());

  const schedule = (owner: string, ...items: [string, string][]) =>
    dataSource.transaction((m) => store.schedule(m, now, ...items.map(([kind, due]) => ({ token: `${owner}:${kind}`, owner, kind, dueAt: new Date(due) }))));

  it('fires due deadlines once, in due order and in batches, skips cancelled ones, and leaves the rest pending', async () => {
    const owner = uniqueName('k');
    await schedule(owner, ['END', '2022-09-30T00:00:00Z'], ['R3', '2022-06-30T00:00:00Z'], ['R1', '2022-08-30T00:00:00Z'], ['X', '2022-07-15T00:00:00Z']);
    const batches: string[][] = [];
    const poller = new BatchDeadlinePoller(dataSource, clock, async (due) => void batches.push(due.filter((d) => d.owner === owner).map((d) => d.kind)), { batchSize: 2 });
    expect(await poller.fireDue()).toBe(0);
    await dataSource.transaction((m) => store.cancel(m, now, `${owner}:X`));
    now = new Date('2022-09-01T00:00:00Z');
    expect(await poller.fireDue()).toBe(2);
    expect(batches.flat()).toEqual(['R3', 'R1']);
    expect(await poller.fireDue()).toBe(0);
    expect((await dataSource.transaction((m) => store.pendingOf(m, owner))).map((d) => d.kind)).toEqual(['END']);
  });

  it('never fires a deadline twice when loops race, and shares the work between them', async () => {
    const owner = uniqueName('k');
    const kinds = Array.from({ length: 300 }, (_, i) => `D${i}`);
    await schedule(owner, ...kinds.map((k): [string, string] => [k, '2022-09-01T00:00:00Z']));
    const seen: string[] = [];
    const handler = async (due: DueDeadline[]) => {
      await new Promise((r) => setTimeout(r, 5));
      seen.push(...due.filter((d) => d.owner === owner).map((d) => d.kind));
    };
    const a = new BatchDeadlinePoller(dataSource, clock, handler, { batchSize: 50 });
    const b = new BatchDeadlinePoller(dataSource, clock, handler, { batchSize: 50 });
    const [fa, fb] = await Promise.all([a.fireDue(), b.fireDue()]);
    expect(fa + fb).toBe(300);
    expect(fa).toBeGreaterThan(0);
    expect(fb).toBeGreaterThan(0);
    expect([...seen].sort()).toEqual([...kinds].sort());
  });

  it('fires a failing batch one by one: the bad deadline stays due (left out of batches for a while), the others fire, and it fires once it succeeds', async () => {
    const owner = uniqueName('k');
    await schedule(owner, ['A', '2022-09-01T00:00:00Z'], ['BAD', '2022-09-01T00:00:00Z'], ['C', '2022-09-01T00:00:00Z']);
    let broken = true;
    const fired: string[] = [];
    const poller = new BatchDeadlinePoller(dataSource, clock, async (due, manager) => {
      const mine = due.filter((d) => d.owner === owner);
      if (broken && mine.some((d) => d.kind === 'BAD')) throw new Error('handler failure');
      await manager.query('SELECT 1');
      fired.push(...mine.map((d) => d.kind));
    }, { quarantineMs: 60_000 });
    await poller.fireDue();
    expect(fired.sort()).toEqual(['A', 'C']);
    expect((await dataSource.transaction((m) => store.pendingOf(m, owner))).map((d) => d.kind)).toEqual(['BAD']);
    // quarantined: not retried at once, even when fixed
    broken = false;
    await poller.fireDue();
    expect(fired).not.toContain('BAD');
    // another poller (a restart) tries it again and fires it
    await new BatchDeadlinePoller(dataSource, clock, async (due) => void fired.push(...due.filter((d) => d.owner === owner).map((d) => d.kind))).fireDue();
    expect(fired.filter((k) => k === 'BAD')).toHaveLength(1);
  });

  it('polls by itself, and a poke wakes it at once', async () => {
    const owner = uniqueName('k');
    const fired: DueDeadline[] = [];
    const poller = new BatchDeadlinePoller(dataSource, clock, async (due) => void fired.push(...due.filter((d) => d.owner === owner)), {
      pollIntervalMs: 60_000,
      workers: 2,
      onFired: () => undefined,
    });
    poller.start();
    try {
      await new Promise((r) => setTimeout(r, 200)); // both loops are waiting for their next poll, a minute away
      await schedule(owner, ['R', '2022-09-01T00:00:00Z']);
      const started = Date.now();
      poller.poke();
      while (fired.length === 0 && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 20));
      expect(fired.map((d) => d.kind)).toEqual(['R']);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await poller.stop();
    }
  });
});
