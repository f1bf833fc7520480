import { SubsidiesHarness } from './testing/harness';

describe('subsidies service boots on the real stack', () => {
  let h: SubsidiesHarness;
  beforeAll(async () => {
    h = await SubsidiesHarness.start('2021-03-01T09:00:00Z');
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
  }, 60_000);

  it('migrates, seeds the published rules and envelopes, and answers', async () => {
    const anct = await h.token({ role: 'anct' });
    const rules = await h.http().get('/api/v1/subsidy-rules').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(rules.body.map((r: { ruleKey: string; totalWithBonusCents: number }) => [r.ruleKey, r.totalWithBonusCents])).toEqual([
      ['phase1.private', 3_200_000],
      ['phase1.public.antilles-guyane', 7_000_000],
      ['phase1.public.metropole', 5_000_000],
      ['phase1.public.reunion-mayotte', 6_750_000],
      ['phase2.private', 4_400_000],
      ['phase2.public', 5_000_000],
    ]);
    const envelopes = await h.http().get('/api/v1/budget-envelopes').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(envelopes.body.map((e: { id: string; amountCents: number }) => [e.id, e.amountCents])).toEqual([
      ['france-relance-2020', 20_000_000_000],
      ['renouvellement-2023', 7_200_000_000],
    ]);
    const checks = await h.http().get('/api/v1/ledger/checks').set('Authorization', `Bearer ${anct}`).expect(200);
    expect(checks.body.ok).toBe(true);
  });
});
