import { generatePlan } from './generator';
import { buildSchedule, stepOf, timelineSteps } from './schedule';

describe('the clock steps', () => {
  const plan = generatePlan({ seed: 5, structures: 120 });
  const steps = buildSchedule(plan);

  it('moves the clock to the 1st of each month, December 2020 to January 2025', () => {
    expect(timelineSteps()).toHaveLength(50);
    expect(steps[0].clock).toBe('2020-12-01T12:00:00.000Z');
    expect(steps[steps.length - 1].today).toBe('2025-01-01');
    expect(stepOf('2021-03-01')).toBe('2021-03');
    expect(stepOf('2021-03-02')).toBe('2021-04');
  });

  it('records what happened no earlier than it happened, and everything once', () => {
    const seen = new Map<string, number>();
    steps.forEach((step) => {
      for (const action of step.waves.flat()) {
        const key = JSON.stringify(action);
        seen.set(key, (seen.get(key) ?? 0) + 1);
        if (action.kind === 'contract') expect(plan.contracts[action.c].startDate <= step.today).toBe(true);
        if (action.kind === 'register') expect(plan.structures[action.s].registeredOn <= step.today).toBe(true);
        if (action.kind === 'rupture') expect(plan.contracts[action.c].rupture!.date <= step.today).toBe(true);
      }
    });
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(steps.flatMap((s) => s.waves.flat()).filter((a) => a.kind === 'register')).toHaveLength(plan.structures.length);
  });

  it('records a structure’s convention before its contracts (an earlier step, or an earlier wave), and renews a contract before it ends', () => {
    const stepIndex = new Map<string, number>();
    steps.forEach((step, i) => {
      for (const a of [...step.waves.flat(), ...step.renewals, ...step.finalReports]) stepIndex.set(JSON.stringify(a), i);
    });
    for (const c of plan.contracts) {
      if (c.kind !== 'INITIAL') continue;
      const convention = stepIndex.get(JSON.stringify({ kind: 'convention', s: c.structure }))!;
      // Same step: the conventions wave (1) runs before the contracts wave (3).
      expect(stepIndex.get(JSON.stringify({ kind: 'contract', c: c.index }))!).toBeGreaterThanOrEqual(convention);
    }
    for (const step of steps) {
      for (const a of step.renewals) if (a.kind === 'renew') expect(plan.contracts[a.c].endDate! >= step.today).toBe(true);
    }
  });
});

describe('the clock steps, renewals through the lifecycle saga', () => {
  const plan = generatePlan({ seed: 5, structures: 200 });
  const steps = buildSchedule(plan, undefined, 'lifecycle');
  const all = steps.flatMap((step, i) => [...step.waves.flat(), ...step.renewals].map((action) => ({ action, i, step })));

  it('records no phase-2 convention: the saga finances each renewal', () => {
    expect(all.some(({ action }) => action.kind === 'renewalConvention')).toBe(false);
    expect(all.some(({ action }) => action.kind === 'coselec' && plan.structures[action.s].decisions[action.decision].phase === 2)).toBe(false);
  });

  it('declares the intent, then decides a month later, before the saga’s decision deadline (15 days before the end)', () => {
    const intents = all.filter(({ action }) => action.kind === 'renewalIntent');
    const decisions = all.filter(({ action }) => action.kind === 'renewalDecision');
    expect(intents.length).toBeGreaterThan(50);
    for (const d of decisions) {
      const c = plan.contracts[(d.action as { c: number }).c];
      const intent = intents.find(({ action }) => (action as { c: number }).c === c.index)!;
      expect(intent.i).toBe(d.i - 1);
      const end = c.financingRenewal?.financedUntil ?? c.endDate!;
      expect(d.step.today < end).toBe(true);
      expect(Date.parse(end) - Date.parse(d.step.today)).toBeGreaterThan(15 * 86_400_000);
    }
    // The préfet's opinion follows the structure's intents in the same step.
    for (const step of steps) {
      const structures = new Set(step.renewals.filter((a) => a.kind === 'renewalIntent' && a.intent === 'RENEW').map((a) => plan.contracts[(a as { c: number }).c].structure));
      const opinions = new Set(step.renewals.filter((a) => a.kind === 'renewalOpinion').map((a) => (a as { s: number }).s));
      expect(opinions).toEqual(structures);
    }
  });
});
