import { MessagingTables1764000000000, openServiceDataSource } from '@cnfs/messaging';
import { testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { DataSource } from 'typeorm';
import { BinaryCopyWriter, copyCsv, copyFrom, openCopy } from './sql';

/** COPY on the real PostgreSQL: rows land; a failing COPY rejects (never hangs) and the transaction rolls back. */
describe('COPY helpers', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = await openServiceDataSource({ url: testDatabaseUrl(), schema: uniqueName('subsidies_copy'), migrations: [MessagingTables1764000000000] });
    await dataSource.query(`CREATE TABLE t (n int PRIMARY KEY, label text NOT NULL CHECK (label <> 'bad'))`);
    await dataSource.query(`CREATE TABLE b (id uuid NOT NULL, n int NOT NULL, label text, day date NOT NULL)`);
    await dataSource.query(`CREATE TABLE i8 (position int PRIMARY KEY, n bigint NOT NULL)`);
    await dataSource.query(`CREATE TABLE j (position int PRIMARY KEY, doc jsonb NOT NULL, label text NOT NULL)`);
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

  it('copies rows in the binary format exactly: uuid, integer, UTF-8 text (empty, NULL, separators, non-ASCII), date', async () => {
    const id = '5b1f7a9e-3c2d-4e8f-9a6b-1c2d3e4f5a6b';
    const labels = ['Mairie de Sainte-Anne', '', null, 'a, "quoted"\nline\\', 'Commune d’Évry — 🏛', ' edge ', 'x'.repeat(5000)];
    const days = ['2000-01-01', '1999-12-31', '2024-02-29', '2026-12-05'];
    const writer = new BinaryCopyWriter(64); // small: the buffer grows and is taken in several chunks
    const chunks: Buffer[] = [];
    labels.forEach((label, i) => {
      writer.row(4).uuidBytes(BinaryCopyWriter.uuid(id)).int32(i - 3).text(label).date(days[i % days.length]);
      if (i % 3 === 2) chunks.push(writer.take());
    });
    chunks.push(writer.finish());
    expect(await dataSource.transaction((m) => copyFrom(m, 'b (id, n, label, day)', chunks, 'binary'))).toBe(labels.length);
    const rows = await dataSource.query(`SELECT id::text, n, label, to_char(day, 'YYYY-MM-DD') AS day FROM b ORDER BY n`);
    expect(rows).toEqual(labels.map((label, i) => ({ id, n: i - 3, label, day: days[i % days.length] })));
    // A field of the wrong type is refused by PostgreSQL, the whole COPY with it.
    const wrong = new BinaryCopyWriter();
    wrong.row(4).uuidBytes(BinaryCopyWriter.uuid(id)).text('not an integer').text('x').date('2024-01-01');
    await expect(dataSource.transaction((m) => copyFrom(m, 'b (id, n, label, day)', [wrong.finish()], 'binary'))).rejects.toThrow(/binary|insufficient|incorrect/i);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM b`)).toEqual([{ n: labels.length }]);
    expect(() => new BinaryCopyWriter().date('2023-02-30')).toThrow(/calendar date/);
    expect(() => new BinaryCopyWriter().int32(2 ** 31)).toThrow(/32-bit/);
    expect(() => BinaryCopyWriter.uuid('nope')).toThrow(/uuid/);
  });

  it('copies bigints in the binary format exactly, negative and beyond 32 bits included; refuses a number that is not a safe integer', async () => {
    const values = [0, 1, -1, 255, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, -(2 ** 32) - 7, 123_456_789_012, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    const writer = new BinaryCopyWriter(16);
    values.forEach((n, position) => writer.row(2).int32(position).int64(n));
    expect(await dataSource.transaction((m) => copyFrom(m, 'i8 (position, n)', [writer.finish()], 'binary'))).toBe(values.length);
    const rows = await dataSource.query(`SELECT n::text FROM i8 ORDER BY position`);
    expect(rows.map((r: { n: string }) => r.n)).toEqual(values.map((n) => BigInt(n).toString()));
    expect(() => new BinaryCopyWriter().int64(2 ** 53)).toThrow(/safe integer/);
    expect(() => new BinaryCopyWriter().int64(1.5)).toThrow(/safe integer/);
  });

  it('copies jsonb and long text in the binary format exactly (ASCII and not, short and long)', async () => {
    const docs = [{}, { a: 'é', b: [1, 2.5, null], c: { d: 'quote " and \\ backslash' } }, { ids: Array.from({ length: 2000 }, (_, i) => `id-${i}`) }, { emoji: '🏛'.repeat(40) }];
    const labels = ['short', 'x'.repeat(65), `${'y'.repeat(100)}é`, 'Commune d’Évry'];
    const writer = new BinaryCopyWriter(16);
    docs.forEach((doc, position) => writer.row(3).int32(position).jsonb(JSON.stringify(doc)).text(labels[position]));
    expect(await dataSource.transaction((m) => copyFrom(m, 'j (position, doc, label)', [writer.finish()], 'binary'))).toBe(docs.length);
    const rows = await dataSource.query(`SELECT doc, label FROM j ORDER BY position`);
    expect(rows).toEqual(docs.map((doc, position) => ({ doc, label: labels[position] })));
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
