import { checkSiret } from '@cnfs/structures-domain';
import { addDays, monthOf, periodEnd } from './calendar';
import { DEPARTMENT_ANCHORS, expectedSubsidyCents, RENEWAL_OPENS, smicOn } from './figures';
import { generatePlan } from './generator';
import { ibanValid } from './identifiers';
import { Plan } from './plan';
import { stepOf } from './schedule';

describe('the generated programme', () => {
  let plan: Plan;
  beforeAll(() => {
    plan = generatePlan({ seed: 1 });
  });

  it('is the same for the same seed, another for another seed', () => {
    const a = generatePlan({ seed: 42, structures: 60 });
    const b = generatePlan({ seed: 42, structures: 60 });
    const c = generatePlan({ seed: 43, structures: 60 });
    expect(b).toEqual(a);
    expect(c.structures.map((s) => s.siret)).not.toEqual(a.structures.map((s) => s.siret));
  });

  it('has about 2,500 retained structures in all 101 départements, and 4,000 posts', () => {
    expect(plan.figures.retainedStructures).toBe(2500);
    expect(Object.keys(plan.figures.postsPerDepartment)).toHaveLength(101);
    expect(plan.figures.posts).toBe(4000);
    expect(plan.figures.applicants).toBeGreaterThan(2500);
  });

  it('shapes the départements as the seeds report them', () => {
    const posts = plan.figures.postsPerDepartment;
    const sorted = Object.entries(posts).sort((x, y) => y[1] - x[1]);
    expect(sorted[0]).toEqual(['59', 124]); // Nord, "le mieux doté"
    expect(posts['974']).toBe(70);
    for (const code of ['971', '972', '973']) expect(posts[code]).toBeGreaterThanOrEqual(45);
    for (const code of ['971', '972', '973']) expect(posts[code]).toBeLessThanOrEqual(48);
    for (const [code, n] of Object.entries(DEPARTMENT_ANCHORS)) expect(posts[code]).toBe(n);
    expect(Math.min(...Object.values(posts))).toBeGreaterThanOrEqual(12);
  });

  it('has 60 % local authorities, about 25 % QPV and 20 % ZRR among the retained structures', () => {
    const retained = plan.structures.filter((s) => s.convention);
    const share = (f: (s: (typeof retained)[number]) => boolean) => retained.filter(f).length / retained.length;
    expect(share((s) => s.legalStatus === 'PUBLIC')).toBeCloseTo(0.6, 1);
    expect(Math.abs(share((s) => s.qpv) - 0.25)).toBeLessThan(0.04);
    expect(Math.abs(share((s) => s.zrr) - 0.2)).toBeLessThan(0.04);
  });

  it('recruits about 3,956 conseillers by December 2022, with about 100 early leavers', () => {
    const signed = plan.contracts.filter((c) => c.kind === 'INITIAL' || c.kind === 'REPLACEMENT');
    const byDec2022 = signed.filter((c) => c.startDate < '2022-12-01').length;
    expect(byDec2022).toBeGreaterThan(3800);
    expect(byDec2022).toBeLessThan(4050);
    expect(plan.figures.ruptures).toBe(100);
    expect(plan.contracts.filter((c) => c.rupture).every((c) => c.rupture!.date < '2022-12-01')).toBe(true);
  });

  it('makes about 200 contracts expire by December 2022 and about 400 by March 2023', () => {
    const ends = plan.contracts.filter((c) => !c.rupture && c.endDate).map((c) => c.endDate!);
    const by = (date: string) => ends.filter((e) => e <= date).length;
    expect(by('2022-12-31')).toBeGreaterThan(120);
    expect(by('2022-12-31')).toBeLessThan(300);
    expect(by('2023-03-31')).toBeGreaterThan(300);
    expect(by('2023-03-31')).toBeLessThan(550);
  });

  it('commits a phase-1 amount of the seeds’ order of magnitude (193 M€ with the programme costs)', () => {
    const committed = plan.structures
      .filter((s) => s.convention)
      .reduce((sum, s) => sum + s.convention!.posts * expectedSubsidyCents(1, s.legalStatus, s.departmentCode, s.qpv, s.zrr), 0);
    expect(committed / 100).toBeGreaterThan(160_000_000);
    expect(committed / 100).toBeLessThan(200_000_000);
  });

  it('gives every structure a valid, unique SIRET and IBAN and a type that agrees with its legal status', () => {
    const sirets = new Set<string>();
    for (const s of plan.structures) {
      expect(checkSiret(s.siret)).toMatchObject({ valid: true });
      expect(ibanValid(s.iban)).toBe(true);
      sirets.add(s.siret);
      const publicType = ['COMMUNE', 'EPCI', 'DEPARTEMENT', 'REGION', 'COLLECTIVITE', 'GIP'].includes(s.type);
      expect(publicType).toBe(s.legalStatus === 'PUBLIC');
    }
    expect(sirets.size).toBe(plan.structures.length);
  });

  it('dates every step after the one it depends on', () => {
    for (const s of plan.structures) {
      const phase1 = s.decisions.filter((d) => d.phase === 1);
      expect(s.registeredOn >= '2020-11-17').toBe(true);
      expect(phase1[0].decidedOn > s.registeredOn).toBe(true);
      for (let i = 1; i < s.decisions.length; i++) expect(s.decisions[i].decidedOn >= s.decisions[i - 1].decidedOn).toBe(true);
      if (s.convention) expect(s.convention.signedOn > phase1[phase1.length - 1].decidedOn).toBe(true);
      if (s.renewal) expect(s.renewal.signedOn >= RENEWAL_OPENS).toBe(true);
    }
    for (const c of plan.contracts) {
      const s = plan.structures[c.structure];
      if (c.endDate) expect(c.endDate > c.startDate).toBe(true);
      expect(c.salaryCents).toBeGreaterThanOrEqual(smicOn(c.startDate));
      if (c.kind === 'INITIAL' || c.kind === 'REPLACEMENT') expect(monthOf(c.startDate) > monthOf(s.convention!.signedOn)).toBe(true);
      // Recorded at a later clock step than its convention (a step records what is dated up to its 1st).
      if (c.kind === 'INITIAL' && stepOf(c.startDate) <= stepOf(s.convention!.signedOn)) throw new Error(`${c.key} starts ${c.startDate}, convention signed ${s.convention!.signedOn}`);
      if (c.rupture) {
        expect(c.rupture.date > c.startDate).toBe(true);
        if (c.endDate) expect(c.rupture.date <= c.endDate).toBe(true);
      }
      if (c.previous !== undefined && c.kind !== 'REPLACEMENT') {
        const previous = plan.contracts[c.previous];
        expect(c.startDate).toBe(addDays(previous.endDate!, 1));
        expect(c.conseiller).toEqual(previous.conseiller);
      }
      // A private-law CDD never goes beyond 18 months.
      if (s.legalStatus === 'PRIVATE' && c.type === 'CDD') expect(c.endDate! <= periodEnd(c.startDate, 18)).toBe(true);
      if (c.kind === 'RENEWAL_PHASE2') expect(c.startDate > RENEWAL_OPENS).toBe(true);
      const t = c.training;
      if (t) {
        expect(t.startDate >= t.positioningOn).toBe(true);
        if (c.endDate) expect(t.startDate <= c.endDate).toBe(true);
        if (c.rupture && t.outcome !== 'WITHDRAWN' && t.pathwayHours !== null) expect(t.endDate <= c.rupture.date).toBe(true);
      }
    }
  });

  it('scales down for the soak: a few structures still make a whole programme', () => {
    const small = generatePlan({ seed: 3, structures: 20 });
    expect(small.figures.retainedStructures).toBe(20);
    expect(small.figures.ruptures).toBeGreaterThanOrEqual(1);
    expect(small.contracts.some((c) => c.renewedBy !== undefined)).toBe(true);
    expect(small.contracts.some((c) => c.finalReportOn)).toBe(true);
  });
});
