import { testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { DataSource } from 'typeorm';
import { DeadlinePoller, Deadlines1764000000002, DeadlineStore, DueDeadline, openServiceDataSource } from './index';

describe('durable deadlines against the real database', () => {
  let dataSource: DataSource;
  const store = new DeadlineStore();
  let now = new Date('2022-06-01T00:00:00Z');
  const clock = () => now;

  beforeAll(async () => {
    dataSource = await openServiceDataSource({ url: testDatabaseUrl(), schema: uniqueName('deadlines'), migrations: [Deadlines1764000000002] });
  });
  afterAll(() => dataSource.destroy());

  it('fires due deadlines once, in due order, skips cancelled ones, and survives a new poller', async () => {
    const owner = uniqueName('contract');
    await dataSource.transaction((m) =>
      store.schedule(m, now,
        { token: `${owner}:end`, owner, kind: 'END', dueAt: new Date('2022-09-30T00:00:00Z') },
        { token: `${owner}:r3`, owner, kind: 'REMINDER', dueAt: new Date('2022-06-30T00:00:00Z'), payload: { months: 3 } },
        { token: `${owner}:r1`, owner, kind: 'REMINDER', dueAt: new Date('2022-08-30T00:00:00Z'), payload: { months: 1 } },
      ),
    );
    // Scheduling the same token again is a no-op.
    await dataSource.transaction((m) => store.schedule(m, now, { token: `${owner}:r3`, owner, kind: 'REMINDER', dueAt: new Date('2030-01-01T00:00:00Z') }));
    const fired: DueDeadline[] = [];
    const poller = () => new DeadlinePoller(dataSource, clock, async (d) => void fired.push(d));

    expect(await poller().fireDue()).toBe(0);
    now = new Date('2022-07-01T00:00:00Z');
    expect(await poller().fireDue()).toBe(1);
    expect(fired.map((d) => d.token)).toEqual([`${owner}:r3`]);
    expect(fired[0].payload).toEqual({ months: 3 });

    expect(await dataSource.transaction((m) => store.cancel(m, now, `${owner}:r1`, `${owner}:r3`))).toBe(1); // r3 already fired
    expect(await dataSource.transaction((m) => store.cancel(m, now, `${owner}:r1`))).toBe(0);
    now = new Date('2022-10-01T00:00:00Z');
    expect(await poller().fireDue()).toBe(1);
    expect(await poller().fireDue()).toBe(0);
    expect(fired.map((d) => d.token)).toEqual([`${owner}:r3`, `${owner}:end`]);
    expect(await dataSource.transaction((m) => store.pendingOf(m, owner))).toEqual([]);
  });

  it('leaves a deadline due when its handler fails, and fires it at the next poll', async () => {
    const owner = uniqueName('contract');
    await dataSource.transaction((m) => store.schedule(m, now, { token: `${owner}:end`, owner, kind: 'END', dueAt: now }));
    let attempts = 0;
    const flaky = new DeadlinePoller(dataSource, clock, async (d, manager) => {
      if (d.owner !== owner) return;
      attempts += 1;
      await manager.query('SELECT 1');
      if (attempts === 1) throw new Error('transient');
    });
    expect(await flaky.fireDue()).toBe(0);
    expect(await flaky.fireDue()).toBe(1);
    expect(attempts).toBe(2);
  });

  it('never fires a deadline twice when two pollers race', async () => {
    const owner = uniqueName('contract');
    const tokens = Array.from({ length: 50 }, (_, i) => `${owner}:${i}`);
    await dataSource.transaction((m) => store.schedule(m, now, ...tokens.map((token) => ({ token, owner, kind: 'X', dueAt: now }))));
    const seen: string[] = [];
    const handler = async (d: DueDeadline) => void (d.owner === owner && seen.push(d.token));
    await Promise.all([new DeadlinePoller(dataSource, clock, handler).fireDue(), new DeadlinePoller(dataSource, clock, handler).fireDue()]);
    expect(seen.sort()).toEqual([...tokens].sort());
  });
});
