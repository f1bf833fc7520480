import { PlatformFacts } from './collect';
import { Driver } from './driver';
import { generatePlan } from './generator';
import { barChart, renderHtml } from './html';
import { invariants } from './verify';

/** A tiny, consistent platform: one public structure in Nord with one post, one contract, one paid tranche. */
function facts(): PlatformFacts {
  const commitment = {
    id: 'k1', postId: 'p1', phase: 1, conventionId: 'v1', structureId: 's1', departmentCode: '59', legalStatus: 'PUBLIC', qpv: false, zrr: false,
    budgetEnvelopeId: 'france-relance-2020', amountCents: 5_000_000, cancelledCents: 0, committedCents: 5_000_000, finalReportOn: null,
  };
  return {
    structures: [{ id: 's1', siret: '1', status: 'VALIDATION_COSELEC', departmentCode: '59', legalStatus: 'PUBLIC', qpv: false, zrr: false }],
    conventions: [{ id: 'v1', phase: 1, status: 'CONVENTIONNEMENT_VALIDE', structureId: 's1', departmentCode: '59', posts: 1, postCounts: { vacant: 0, occupied: 1, returned: 0, conventioned: 1 } }],
    contracts: [{ id: 'c1', status: 'ACTIF', conventionId: 'v1', structureId: 's1', departmentCode: '59', conseiller: { id: 'x1' }, type: 'CDI', endDate: null, renewsContractId: null }],
    commitments: [commitment],
    refusals: [],
    tranches: [
      { id: 't1', commitmentId: 'k1', amountCents: 2_500_000, status: 'PAID' },
      { id: 't2', commitmentId: 'k1', amountCents: 1_500_000, status: 'SCHEDULED' },
      { id: 't3', commitmentId: 'k1', amountCents: 1_000_000, status: 'SCHEDULED' },
    ],
    paymentOrders: [{ id: 'o1', trancheId: 't1', status: 'EXECUTED', amountCents: 2_500_000, execution: {} }],
    enrolments: [],
    certifications: [],
    trainees: 1,
    envelopes: [
      { id: 'france-relance-2020', amountCents: 20_000_000_000, committedCents: 5_000_000 },
      { id: 'renouvellement-2023', amountCents: 7_200_000_000, committedCents: 0 },
    ],
    balances: {
      envelope: [{ key: 'france-relance-2020', committedCents: 5_000_000, orderedCents: 2_500_000, paidCents: 2_500_000, reconciledCents: 0 }],
      department: [{ key: '59', committedCents: 5_000_000, orderedCents: 2_500_000, paidCents: 2_500_000, reconciledCents: 0 }],
      structure: [{ key: 's1', committedCents: 5_000_000, orderedCents: 2_500_000, paidCents: 2_500_000, reconciledCents: 0 }],
    },
    ledgerChecks: { ok: true, checks: [{ name: 'every journal nets to zero', ok: true, problems: [] }] },
    programmeCosts: { byKind: { OUTFIT_KIT: { count: 1, totalCents: 29_720 } }, totalCents: 29_720 },
    costRates: [{ kind: 'OUTFIT_KIT', amountCents: 29_720 }],
    reconciliations: [],
    audit: { total: 10, verification: { status: 'intact', entries: 10 } },
    health: { status: 200, body: { upstreams: [] } },
  };
}

const plan = generatePlan({ seed: 1, structures: 3 });
const run = (f: PlatformFacts) =>
  invariants({ plan, accepted: new Driver({ plan, client: {} as never }).accepted, facts: f, lastDay: '2025-01-01', structureOf: () => ({ legalStatus: 'PUBLIC', departmentCode: '59', qpv: false, zrr: false }) });
const failed = (f: PlatformFacts) => run(f).filter((c) => !c.ok).map((c) => c.name);

describe('the invariants', () => {
  it('hold on consistent books', () => {
    expect(failed(facts())).toEqual([]);
  });

  it('catch a tranche paid twice', () => {
    const f = facts();
    f.paymentOrders.push({ id: 'o2', trancheId: 't1', status: 'EXECUTED', amountCents: 2_500_000, execution: {} });
    expect(failed(f)).toEqual(expect.arrayContaining(['no tranche paid twice', 'at most one live payment order per tranche']));
  });

  it('catch more contracts than posts', () => {
    const f = facts();
    f.contracts.push({ id: 'c2', status: 'ACTIF', conventionId: 'v1', structureId: 's1', departmentCode: '59', conseiller: { id: 'x2' } });
    expect(failed(f)).toEqual(
      expect.arrayContaining(['contracts ≤ posts in every convention (and occupied posts = active contracts)', 'contracts ≤ posts in every département', 'contracts ≤ posts in every structure']),
    );
  });

  it('catch a subsidy that is not its rule, and parts that do not sum to their total', () => {
    const f = facts();
    f.commitments[0].amountCents = 3_200_000;
    f.balances.department[0].paidCents = 1;
    f.programmeCosts.totalCents = 1;
    expect(failed(f)).toEqual(
      expect.arrayContaining(['every subsidy equal to its rule', 'tranches sum to their commitment', 'balances: envelopes = départements = structures', 'programme costs: total = sum of kinds = count × rate']),
    );
  });

  it('catch a broken audit chain and a failing ledger check', () => {
    const f = facts();
    f.audit.verification = { status: 'broken', firstBrokenLink: { seq: 3 } };
    f.ledgerChecks.checks[0] = { name: 'every journal nets to zero', ok: false, problems: [{ journal: 'j', net: '1' }] };
    expect(failed(f)).toEqual(expect.arrayContaining(['audit trail intact (hash chains)', 'ledger: every journal nets to zero']));
  });
});

describe('the HTML report', () => {
  it('draws charts as inline SVG and escapes text', () => {
    const svg = barChart(['59 <Nord>', '974'], [{ name: 'posts & co', values: [124, 70], color: '#000' }], { title: 'Posts' });
    expect(svg).toContain('<svg');
    expect(svg).toContain('59 &lt;Nord&gt;');
    expect(svg).toContain('posts &amp; co');
    expect(svg).not.toContain('<script');
  });

  it('is one self-contained page', () => {
    const html = renderHtml({
      title: 'T', generatedAt: 'now', seed: 1, structures: 1, baseUrl: 'http://x', durations: { generateMs: 1, driveMs: 1, drainMs: 1, verifyMs: 1, totalMs: 4 },
      operations: 1, requests: 1, retries: 0, operationsPerSecond: 1, figures: [], departments: [], months: [{ month: '2021-01', committedCents: 1, paidCents: 1, reconciledCents: 1, expiries: 0, renewalsPhase1: 0, renewalsPhase2: 0, ruptures: 0, recruitments: 1 }],
      checks: [], failures: [], routes: [], rssMiB: { structures: 120 }, rssAfterVerificationMiB: { structures: 130 }, accepted: new Driver({ plan, client: {} as never }).accepted, slowestSteps: [], notes: [],
    });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(4);
  });
});
