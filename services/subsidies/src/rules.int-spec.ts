import { listDepartments } from '@cnfs/territory';
import { SubsidiesHarness } from './testing/harness';

jest.setTimeout(120_000);

/** Subsidy rules over HTTP: every département × both legal statuses, versions, the 422 naming the missing rule. */
describe('subsidy rules API', () => {
  let h: SubsidiesHarness;
  let anct: string;
  let pref: string;

  beforeAll(async () => {
    h = await SubsidiesHarness.start('2023-06-01T08:00:00Z');
    anct = await h.token({ role: 'anct' });
    pref = await h.token({ role: 'prefecture', departments: ['975'] });
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  const resolve = (query: string, token = anct) => h.http().get(`/api/v1/subsidy-rules/resolve?${query}`).set('Authorization', `Bearer ${token}`);

  it('gives the phase-1 amount of every département × legal status, or a 422 naming the missing rule', async () => {
    const expected = (group: string, dromGroup: string | undefined, legal: string) =>
      group === 'COM' ? null : legal === 'PRIVATE' ? 3_200_000 : group === 'METROPOLE' ? 5_000_000 : dromGroup === 'REUNION_MAYOTTE' ? 6_750_000 : 7_000_000;
    const results: [string, string, number | string][] = [];
    for (const d of listDepartments()) {
      for (const legal of ['PUBLIC', 'PRIVATE']) {
        const response = await resolve(`phase=1&legalStatus=${legal}&departmentCode=${d.code}&date=2021-03-01`);
        const want = expected(d.classification.group, d.classification.group === 'DROM' ? d.classification.dromGroup : undefined, legal);
        if (want === null) {
          expect(response.status).toBe(422);
          expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
          expect(response.body.missingRule).toMatchObject({ departmentCode: d.code, territoryGroup: 'COM', suggestedRuleKey: `phase1.${legal.toLowerCase()}.department-${d.code}` });
          expect(response.body.detail).toContain(d.name);
          results.push([d.code, legal, 'refused']);
        } else {
          expect(response.status).toBe(200);
          expect(response.body.amountCents).toBe(want);
          expect(response.body.tranches.reduce((s: number, t: { amountCents: number }) => s + t.amountCents, 0)).toBe(want);
          results.push([d.code, legal, response.body.amountCents]);
        }
      }
    }
    expect(results).toHaveLength(218);
    expect(results.filter((r) => r[2] === 'refused')).toHaveLength(16);
  });

  it('lets ANCT configure a rule for a collectivity, then version it without rewriting the past', async () => {
    await resolve('phase=1&legalStatus=PUBLIC&departmentCode=975&date=2023-07-01').expect(422);
    const rule = {
      ruleKey: 'phase1.public.department-975', phase: 1, legalStatus: 'PUBLIC', territory: 'DEPARTMENT:975', effectiveFrom: '2023-07-01',
      label: 'Saint-Pierre-et-Miquelon — recruteur public', periods: [{ months: 24, amountCents: 6_000_000 }], reason: 'décision ANCT (test)',
    };
    await h.http().post('/api/v1/subsidy-rules').set('Authorization', `Bearer ${pref}`).send(rule).expect(403);
    const created = await h.http().post('/api/v1/subsidy-rules').set('Authorization', `Bearer ${anct}`).send(rule).expect(201);
    expect(created.body).toMatchObject({ version: 1, territory: 'DEPARTMENT:975', totalCents: 6_000_000, createdBy: 'anct:anct-test' });
    expect((await resolve('phase=1&legalStatus=PUBLIC&departmentCode=975&date=2023-07-01').expect(200)).body.amountCents).toBe(6_000_000);
    await resolve('phase=1&legalStatus=PUBLIC&departmentCode=975&date=2023-06-30').expect(422);
    // A second key for the same phase/status/territory is refused; a version may not start in the past.
    await h.http().post('/api/v1/subsidy-rules').set('Authorization', `Bearer ${anct}`).send({ ...rule, ruleKey: 'phase1.public.spm' }).expect(409);
    await h.http().post('/api/v1/subsidy-rules').set('Authorization', `Bearer ${anct}`).send({ ...rule, effectiveFrom: '2023-05-01' }).expect(422);
    const v2 = await h.http().post('/api/v1/subsidy-rules').set('Authorization', `Bearer ${anct}`).send({ ...rule, effectiveFrom: '2024-01-01', periods: [{ months: 24, amountCents: 6_200_000 }] }).expect(201);
    expect(v2.body.version).toBe(2);
    expect((await resolve('phase=1&legalStatus=PUBLIC&departmentCode=975&date=2023-12-31').expect(200)).body.amountCents).toBe(6_000_000);
    expect((await resolve('phase=1&legalStatus=PUBLIC&departmentCode=975&date=2024-01-01').expect(200)).body.amountCents).toBe(6_200_000);
    const versions = await h.http().get('/api/v1/subsidy-rules?ruleKey=phase1.public.department-975').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(versions.body.map((r: { version: number; effectiveFrom: string }) => [r.version, r.effectiveFrom])).toEqual([[1, '2023-07-01'], [2, '2024-01-01']]);
    // A phase-2 rule must fit the phase-2 schedule (three yearly periods).
    await h.http().post('/api/v1/subsidy-rules').set('Authorization', `Bearer ${anct}`).send({ ...rule, ruleKey: 'phase2.public.department-975', phase: 2 }).expect(422);
    await expect(h.query(`UPDATE subsidy_rules SET label = 'rewritten'`)).rejects.toThrow(/append-only/);
  });

  it('validates input: amounts are integer cents, dates real dates', async () => {
    const bad = await h.http().post('/api/v1/subsidy-rules').set('Authorization', `Bearer ${anct}`).send({
      ruleKey: 'phase1.private.department-977', phase: 1, legalStatus: 'PRIVATE', territory: 'DEPARTMENT:977', effectiveFrom: '2023-02-30',
      label: 'x', periods: [{ months: 24, amountCents: 3200000.5 }], reason: 'test',
    }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['effectiveFrom', 'label', 'periods[0].amountCents']);
    await resolve('phase=3&legalStatus=PUBLIC&departmentCode=59&date=2021-03-01').expect(400);
  });

  it('gives the phase-2 amounts with the QPV/ZRR bonus', async () => {
    expect((await resolve('phase=2&legalStatus=PUBLIC&departmentCode=59&date=2023-01-15').expect(200)).body).toMatchObject({ amountCents: 4_250_000, bonusApplied: false });
    expect((await resolve('phase=2&legalStatus=PUBLIC&departmentCode=59&date=2023-01-15&zrr=true').expect(200)).body).toMatchObject({
      amountCents: 5_000_000, bonusApplied: true, periodAmountsCents: [2_000_000, 1_750_000, 1_250_000],
    });
    expect((await resolve('phase=2&legalStatus=PRIVATE&departmentCode=974&date=2023-01-15&qpv=true').expect(200)).body.amountCents).toBe(4_400_000);
  });
});
