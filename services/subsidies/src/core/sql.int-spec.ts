import { MessagingTables1764000000000, openServiceDataSource } from '@cnfs/messaging';
import { testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { DataSource } from 'typeorm';
import { copyCsv, openCopy } from './sql';

/** COPY on the real PostgreSQL: rows land; a failing COPY rejects (never hangs) and the transaction rolls back. */
describe('COPY helpers', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = await openServiceDataSource({ url: testDatabaseUrl(), schema: uniqueName('subsidies_copy'), migrations: [MessagingTables1764000000000] });
    await dataSource.query(`CREATE TABLE t (n int PRIMARY KEY, label text NOT NULL CHECK (label <> 'bad'))`);
  }, 60_000);
  afterAll(async () => {
    await dataSource.query(`DROP SCHEMA "${dataSource.driver.schema}" CASCADE`);
    await dataSource.destroy();
  });

  it('copies buffers and streamed chunks', async () => {
    expect(await dataSource.transaction((m) => copyCsv(m, 't (n, label)', [Buffer.from('1,"a, b"\n2,""\n')]))).toBe(2);
    const count = await dataSource.transaction(async (m) => {
      const copy = await openCopy(m, 't (n, label)');
      for (let i = 3; i < 1003; i += 100) copy.write(Buffer.from(Array.from({ length: 100 }, (_, k) => `${i + k},x\n`).join('')));
      return copy.end();
    });
    expect(count).toBe(1000);
    expect(await dataSource.query(`SELECT label FROM t WHERE n IN (1, 2) ORDER BY n`)).toEqual([{ label: 'a, b' }, { label: '' }]);
  });

  it('rejects a failing COPY at once, whether the failure comes first or mid-stream', async () => {
    await expect(dataSource.transaction((m) => copyCsv(m, 't (n, label)', [Buffer.from('5000,bad\n')]))).rejects.toThrow(/check constraint/);
    await expect(
      dataSource.transaction(async (m) => {
        const copy = await openCopy(m, 't (n, label)');
        copy.write(Buffer.from('6000,ok\n6001,ok\n'));
        copy.write(Buffer.from('1,duplicate\n'));
        for (let i = 0; i < 20; i++) copy.write(Buffer.from(`${7000 + i},ok\n`));
        return copy.end();
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM t WHERE n >= 5000`)).toEqual([{ n: 0 }]);
    // The connection is usable afterwards.
    expect(await dataSource.transaction((m) => copyCsv(m, 't (n, label)', [Buffer.from('9000,fine\n')]))).toBe(1);
  });
});
