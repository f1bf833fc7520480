import fc from 'fast-check';
import { periodEnd as conventionsPeriodEnd } from '@cnfs/conventions-domain';
import { addMonths as subsidiesAddMonths } from '@cnfs/subsidies-domain';
import { checkSiret } from '@cnfs/structures-domain';
import { addDays, addMonths, formatDate, monthRange, periodEnd } from './calendar';
import { frenchIban, ibanValid, luhnValid, randomIban, randomSiren, siretOf } from './identifiers';
import { largestRemainder, Random } from './random';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { ApiClient, routeOf, Semaphore, percentile } from './http';

const dates = fc.date({ min: new Date('2019-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map(formatDate);

describe('simulation helpers', () => {
  it('counts periods of months as the conventions service does, and adds months as the subsidies service does', () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: 1, max: 48 }), (start, months) => {
        expect(periodEnd(start, months)).toBe(conventionsPeriodEnd(start, months));
        expect(addMonths(start, months)).toBe(subsidiesAddMonths(start, months));
      }),
    );
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(monthRange('2020-11', '2021-02')).toEqual(['2020-11', '2020-12', '2021-01', '2021-02']);
  });

  it('draws the same numbers for the same seed, and splits totals exactly', () => {
    const a = new Random(7);
    const b = new Random(7);
    expect(Array.from({ length: 20 }, () => a.uint32())).toEqual(Array.from({ length: 20 }, () => b.uint32()));
    expect(new Random('x').fork('y').next()).toBe(new Random('x').fork('y').next());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 120 }), (total, weights) => {
        const parts = largestRemainder(total, weights);
        if (weights.some((w) => w > 0)) expect(parts.reduce((x, y) => x + y, 0)).toBe(total);
        parts.forEach((p) => expect(p).toBeGreaterThanOrEqual(0));
      }),
    );
  });

  it('makes SIRETs the structures service accepts and valid IBANs', () => {
    const random = new Random(1);
    for (let i = 0; i < 200; i++) {
      const siren = randomSiren(random, String(i % 9 + 1));
      expect(luhnValid(siren)).toBe(true);
      expect(checkSiret(siretOf(siren, 1 + (i % 9)))).toMatchObject({ valid: true });
      expect(ibanValid(randomIban(random))).toBe(true);
    }
    expect(frenchIban('30006000011234567890189')).toBe('FR7630006000011234567890189');
  });

  it('names routes without ids and bounds concurrency', async () => {
    expect(routeOf('POST', '/api/v1/contracts/3f0e3e0c-6b3a-4c2e-9d7e-0c7b1a1b2c3d/ruptures?x=1')).toBe('POST /api/v1/contracts/:id/ruptures');
    const semaphore = new Semaphore(2);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        semaphore.run(async () => {
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
  });

  it('reads every page of a list that moves meanwhile, each item once', async () => {
    // 1,200 items; between the first and the second page, 3 new ones are inserted at the front (offsets shift)
    let list = Array.from({ length: 1200 }, (_, i) => ({ id: `t-${String(i).padStart(4, '0')}` }));
    let served = 0;
    const server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const page = Number(url.searchParams.get('page'));
      const pageSize = Number(url.searchParams.get('pageSize'));
      if (served++ === 1) list = [{ id: 'new-1' }, { id: 'new-2' }, { id: 'new-3' }, ...list];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: list.slice((page - 1) * pageSize, page * pageSize), page, pageSize, total: list.length }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new ApiClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, concurrency: 2 });
    try {
      const items = await client.all<{ id: string }>('/api/v1/tranches?status=DUE', 'token');
      expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
      expect(items.filter((i) => i.id.startsWith('t-'))).toHaveLength(1200);
    } finally {
      client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
