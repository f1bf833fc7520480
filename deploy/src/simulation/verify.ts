import { Accepted } from './driver';
import { expectedSubsidyCents, PROGRAMME_COST_CENTS } from './figures';
import { PlatformFacts } from './collect';
import { Plan } from './plan';

export interface Check {
  /** invariant: a rule of the books; effect: an accepted request had its effect exactly once. */
  kind: 'invariant' | 'effect';
  name: string;
  ok: boolean;
  /** What was compared, in one line. */
  detail: string;
  /** The first offending rows, when not ok. */
  problems?: unknown[];
}

export interface VerificationInput {
  plan: Plan;
  accepted: Accepted;
  facts: PlatformFacts;
  /** The structure of the plan behind each runtime structure id. */
  structureOf: (structureId: string) => { legalStatus: string; departmentCode: string; qpv: boolean; zrr: boolean } | undefined;
  /** The day of the last step: contracts ended before it are TERMINE. */
  lastDay: string;
  /** Renewals that went through the lifecycle saga (its financing is a phase-2 commitment of the contract's post). */
  renewalsThroughLifecycle?: boolean;
  /** The lifecycle of every renewal ANCT approved, by plan index, with the contract's runtime ids. */
  renewalOutcomes?: Map<number, { status: string; contractId: string; postId: string; cdi: boolean }>;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const countBy = <T>(items: T[], key: (t: T) => string) => {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
};

function check(kind: Check['kind'], name: string, problems: unknown[], detail: string): Check {
  return { kind, name, ok: problems.length === 0, detail, ...(problems.length ? { problems: problems.slice(0, 10) } : {}) };
}

function equal(kind: Check['kind'], name: string, actual: number, expected: number, what: string): Check {
  return check(kind, name, actual === expected ? [] : [{ expected, actual }], `${what}: platform ${actual.toLocaleString('en')}, expected ${expected.toLocaleString('en')}`);
}

/**
 * The invariants of the programme's books and the "exactly once" comparison between what the driver saw
 * accepted and what the platform holds. Pure: everything comes in `input`.
 */
export function verify(input: VerificationInput): Check[] {
  return [...invariants(input), ...effects(input)];
}

export function invariants({ facts, structureOf }: VerificationInput): Check[] {
  const checks: Check[] = [];

  // -- the subsidies service's own check queries
  for (const c of facts.ledgerChecks.checks) {
    checks.push(check('invariant', `ledger: ${c.name}`, c.problems, `GET /api/v1/ledger/checks: ${c.problems.length} problem(s)`));
  }

  // -- no tranche paid twice, no tranche with two live orders (from the payment orders themselves)
  const live = countBy(facts.paymentOrders.filter((o) => o.status !== 'RETURNED'), (o) => o.trancheId);
  const paid = countBy(facts.paymentOrders.filter((o) => o.status === 'EXECUTED' || o.status === 'RECONCILED'), (o) => o.trancheId);
  checks.push(
    check(
      'invariant',
      'no tranche paid twice',
      Object.entries(paid).filter(([, n]) => n > 1).map(([trancheId, n]) => ({ trancheId, payments: n })),
      `${Object.keys(paid).length.toLocaleString('en')} tranches paid, each once`,
    ),
    check(
      'invariant',
      'at most one live payment order per tranche',
      Object.entries(live).filter(([, n]) => n > 1).map(([trancheId, n]) => ({ trancheId, liveOrders: n })),
      `${facts.paymentOrders.length.toLocaleString('en')} orders over ${Object.keys(live).length.toLocaleString('en')} tranches`,
    ),
  );
  const tranchesById = new Map(facts.tranches.map((t) => [t.id, t]));
  const paidStatus = facts.paymentOrders.filter((o) => (o.status === 'EXECUTED' || o.status === 'RECONCILED') && !['PAID', 'RECONCILED'].includes(tranchesById.get(o.trancheId)?.status));
  checks.push(check('invariant', 'a paid order’s tranche is PAID or RECONCILED', paidStatus.map((o) => ({ order: o.id, tranche: tranchesById.get(o.trancheId)?.status })), 'payment orders against their tranches'));

  // -- contracts ≤ posts, per convention, structure and département
  const active = facts.contracts.filter((c) => c.status === 'ACTIF');
  const activeByConvention = countBy(active, (c) => c.conventionId);
  const conventionProblems = facts.conventions
    .filter((c) => (activeByConvention[c.id] ?? 0) > c.postCounts.conventioned || (activeByConvention[c.id] ?? 0) !== c.postCounts.occupied)
    .map((c) => ({ convention: c.id, activeContracts: activeByConvention[c.id] ?? 0, posts: c.postCounts }));
  checks.push(check('invariant', 'contracts ≤ posts in every convention (and occupied posts = active contracts)', conventionProblems, `${facts.conventions.length.toLocaleString('en')} conventions, ${active.length.toLocaleString('en')} active contracts`));
  for (const [label, key] of [['département', 'departmentCode'], ['structure', 'structureId']] as const) {
    const posts: Record<string, number> = {};
    for (const c of facts.conventions) posts[c[key]] = (posts[c[key]] ?? 0) + c.postCounts.conventioned;
    const contracts = countBy(active, (c) => c[key]);
    const over = Object.entries(contracts).filter(([k, n]) => n > (posts[k] ?? 0)).map(([k, n]) => ({ [label]: k, activeContracts: n, posts: posts[k] ?? 0 }));
    checks.push(check('invariant', `contracts ≤ posts in every ${label}`, over, `${Object.keys(posts).length.toLocaleString('en')} ${label}s`));
  }

  // -- every subsidy equal to its rule (the published amounts; the structure as registered)
  const wrong: unknown[] = [];
  for (const c of facts.commitments) {
    const s = structureOf(c.structureId);
    const expected = expectedSubsidyCents(c.phase, c.legalStatus, c.departmentCode, c.qpv, c.zrr);
    if (c.amountCents !== expected) wrong.push({ commitment: c.id, phase: c.phase, amountCents: c.amountCents, expected });
    if (!s) wrong.push({ commitment: c.id, structure: c.structureId, problem: 'unknown structure' });
    else if (s.legalStatus !== c.legalStatus || s.departmentCode !== c.departmentCode || s.qpv !== c.qpv || s.zrr !== c.zrr) {
      wrong.push({ commitment: c.id, problem: 'structure facts differ from its registration', commitmentFacts: [c.legalStatus, c.departmentCode, c.qpv, c.zrr], registered: s });
    }
  }
  checks.push(check('invariant', 'every subsidy equal to its rule', wrong, `${facts.commitments.length.toLocaleString('en')} commitments against the published amounts (32,000 / 50,000 / 67,500 / 70,000 €; phase 2 42,500 / 50,000 / 44,000 €)`));

  // -- totals equal to the sum of their parts
  const tranchesByCommitment: Record<string, number> = {};
  for (const t of facts.tranches) tranchesByCommitment[t.commitmentId] = (tranchesByCommitment[t.commitmentId] ?? 0) + t.amountCents;
  checks.push(
    check(
      'invariant',
      'tranches sum to their commitment',
      facts.commitments.filter((c) => tranchesByCommitment[c.id] !== c.amountCents).map((c) => ({ commitment: c.id, amountCents: c.amountCents, tranches: tranchesByCommitment[c.id] })),
      `${facts.tranches.length.toLocaleString('en')} tranches`,
    ),
  );
  const dims = ['committedCents', 'orderedCents', 'paidCents', 'reconciledCents'] as const;
  const totalsOf = (rows: any[]) => Object.fromEntries(dims.map((d) => [d, sum(rows.map((r) => r[d] ?? 0))]));
  const byEnvelope = totalsOf(facts.balances.envelope);
  const byDepartment = totalsOf(facts.balances.department);
  const byStructure = totalsOf(facts.balances.structure);
  checks.push(
    check(
      'invariant',
      'balances: envelopes = départements = structures',
      dims.filter((d) => byEnvelope[d] !== byDepartment[d] || byEnvelope[d] !== byStructure[d]).map((d) => ({ d, envelope: byEnvelope[d], department: byDepartment[d], structure: byStructure[d] })),
      `committed ${euros(byEnvelope.committedCents)}, paid ${euros(byEnvelope.paidCents)}, reconciled ${euros(byEnvelope.reconciledCents)} the same every way`,
    ),
  );
  const committedByEnvelope: Record<string, number> = {};
  for (const c of facts.commitments) committedByEnvelope[c.budgetEnvelopeId] = (committedByEnvelope[c.budgetEnvelopeId] ?? 0) + c.committedCents;
  checks.push(
    check(
      'invariant',
      'envelope counters = sum of their commitments = ledger',
      facts.envelopes
        .filter((e) => e.committedCents !== (committedByEnvelope[e.id] ?? 0) || e.committedCents !== (facts.balances.envelope.find((b) => b.key === e.id)?.committedCents ?? 0))
        .map((e) => ({ envelope: e.id, counter: e.committedCents, commitments: committedByEnvelope[e.id] ?? 0, ledger: facts.balances.envelope.find((b) => b.key === e.id)?.committedCents })),
      facts.envelopes.map((e) => `${e.id} ${euros(e.committedCents)} of ${euros(e.amountCents)}`).join('; '),
    ),
  );
  const ordersIn = (states: string[]) => sum(facts.paymentOrders.filter((o) => states.includes(o.status)).map((o) => o.amountCents));
  const moneyProblems: unknown[] = [];
  if (ordersIn(['ORDERED', 'EXECUTED', 'RECONCILED']) !== byEnvelope.orderedCents) moneyProblems.push({ ordered: byEnvelope.orderedCents, orders: ordersIn(['ORDERED', 'EXECUTED', 'RECONCILED']) });
  if (ordersIn(['EXECUTED', 'RECONCILED']) !== byEnvelope.paidCents) moneyProblems.push({ paid: byEnvelope.paidCents, orders: ordersIn(['EXECUTED', 'RECONCILED']) });
  if (ordersIn(['RECONCILED']) !== byEnvelope.reconciledCents) moneyProblems.push({ reconciled: byEnvelope.reconciledCents, orders: ordersIn(['RECONCILED']) });
  checks.push(check('invariant', 'ledger ordered / paid / reconciled = sum of the payment orders', moneyProblems, 'ledger balances against the orders by status'));
  const costs = facts.programmeCosts;
  const kinds = Object.entries(costs.byKind);
  const rate = (kind: string) => facts.costRates.find((r) => r.kind === kind)?.amountCents ?? PROGRAMME_COST_CENTS[kind as keyof typeof PROGRAMME_COST_CENTS];
  checks.push(
    check(
      'invariant',
      'programme costs: total = sum of kinds = count × rate',
      [
        ...(sum(kinds.map(([, k]) => k.totalCents)) !== costs.totalCents ? [{ total: costs.totalCents, kinds: sum(kinds.map(([, k]) => k.totalCents)) }] : []),
        ...kinds.filter(([kind, k]) => k.totalCents !== k.count * rate(kind)).map(([kind, k]) => ({ kind, count: k.count, totalCents: k.totalCents, rate: rate(kind) })),
      ],
      kinds.map(([kind, k]) => `${kind} ${k.count.toLocaleString('en')} × ${euros(rate(kind))}`).join(', '),
    ),
  );

  // -- the audit trail
  const v = facts.audit.verification;
  checks.push(check('invariant', 'audit trail intact (hash chains)', v?.status === 'intact' ? [] : [v?.firstBrokenLink ?? v], `GET /api/v1/audit/verification: ${v?.status}, ${Number(v?.entries ?? 0).toLocaleString('en')} entries`));
  return checks;
}

export function effects({ plan, accepted, facts, lastDay, renewalsThroughLifecycle, renewalOutcomes }: VerificationInput): Check[] {
  const checks: Check[] = [];
  const a = accepted;
  const status = countBy(facts.structures, (s) => s.status);
  checks.push(
    equal('effect', 'structures registered once each', facts.structures.length, a.registrations, 'structures'),
    check('effect', 'one structure per SIRET', Object.entries(countBy(facts.structures, (s) => s.siret)).filter(([, n]) => n > 1), 'SIRET uniqueness'),
    equal('effect', 'structures retained (VALIDATION_COSELEC)', status.VALIDATION_COSELEC ?? 0, plan.figures.retainedStructures, 'status VALIDATION_COSELEC'),
    equal('effect', 'applications refused (REFUS_COSELEC)', status.REFUS_COSELEC ?? 0, a.decisions.negative, 'status REFUS_COSELEC'),
    equal('effect', 'abandons', status.ABANDON ?? 0, a.abandons, 'status ABANDON'),
  );
  const quotaProblems: unknown[] = [];
  const byId = new Map(facts.structures.map((s) => [s.siret, s]));
  for (const s of plan.structures) {
    const platform = byId.get(s.siret);
    const decisions = renewalsThroughLifecycle ? s.decisions.filter((d) => d.phase === 1) : s.decisions;
    const positive = [...decisions].reverse().find((d) => d.opinion === 'POSITIF' && d.phase === 2) ?? [...decisions].reverse().find((d) => d.opinion === 'POSITIF');
    const expected = positive ? positive.grantedPosts : null;
    if ((platform?.effectiveQuota?.posts ?? null) !== expected) quotaProblems.push({ structure: s.key, expected, platform: platform?.effectiveQuota ?? null });
  }
  checks.push(check('effect', 'every coselec decision recorded once (effective quota as decided)', quotaProblems, `${(a.decisions.phase1 + a.decisions.phase2).toLocaleString('en')} decisions`));

  const conventions = facts.conventions;
  const validated = (phase: number) => conventions.filter((c) => c.phase === phase && String(c.status).endsWith('_VALIDE'));
  const posts = (rows: any[], key: 'conventioned' | 'returned' | 'occupied' | 'vacant') => sum(rows.map((c) => c.postCounts[key]));
  checks.push(
    equal('effect', 'phase-1 conventions validated once each', validated(1).length, a.conventions.phase1, 'phase-1 conventions'),
    equal('effect', 'phase-2 conventions validated once each', validated(2).length, a.conventions.phase2, 'phase-2 conventions'),
    equal('effect', 'posts created by validations', posts(conventions, 'conventioned') + posts(conventions, 'returned'), a.conventions.phase1Posts + a.conventions.phase2Posts, 'posts (conventioned + returned)'),
    equal('effect', 'posts returned (RETRAIT)', posts(conventions, 'returned'), a.retraits.posts + a.retraits.refusedRenewalPosts, 'posts RENDU'),
  );

  const contracts = facts.contracts;
  const kstatus = countBy(contracts, (c) => c.status);
  const renewals = contracts.filter((c) => c.renewsContractId);
  checks.push(
    equal('effect', 'contracts recorded once each (signatures and renewals)', contracts.length, a.contracts + a.renewals.phase1 + a.renewals.phase2 + (renewalsThroughLifecycle ? a.lifecycle.renewed : 0), 'contracts'),
    check('effect', 'one active contract per conseiller', Object.entries(countBy(contracts.filter((c) => c.status === 'ACTIF'), (c) => c.conseiller.id)).filter(([, n]) => n > 1), 'active contracts by conseiller'),
    equal('effect', 'ruptures', kstatus.ROMPU ?? 0, a.ruptures, 'contracts ROMPU'),
    equal('effect', 'renewals', kstatus.RENOUVELE ?? 0, renewals.length, 'contracts RENOUVELE vs contracts renewing one'),
  );
  const dueToEnd = contracts.filter((c) => c.type !== 'CDI' && c.endDate && c.endDate < lastDay && c.status !== 'ROMPU' && c.status !== 'RENOUVELE');
  checks.push(
    check(
      'effect',
      'contracts past their end date have ended (TERMINE)',
      dueToEnd.filter((c) => c.status !== 'TERMINE').map((c) => ({ contract: c.id, endDate: c.endDate, status: c.status })),
      `${dueToEnd.length.toLocaleString('en')} contracts ended before ${lastDay}`,
    ),
  );

  const e = countBy(facts.enrolments, (x) => x.status);
  const withdrawn = facts.enrolments.filter((x) => x.status === 'ABANDONED' && x.withdrawnByRupture).length;
  checks.push(
    equal('effect', 'enrolments recorded once each', facts.enrolments.length, a.enrolments.pathway + a.enrolments.waiver, 'enrolments'),
    equal('effect', 'waivers', e.WAIVED ?? 0, a.enrolments.waiver, 'enrolments WAIVED'),
    equal('effect', 'completions', e.COMPLETED ?? 0, a.completions.completed, 'enrolments COMPLETED'),
    equal('effect', 'abandons (declared) and withdrawals (ruptures)', (e.ABANDONED ?? 0) - withdrawn, a.completions.abandoned, 'enrolments ABANDONED, not withdrawn by a rupture'),
    equal('effect', 'PIX certifications', facts.certifications.filter((c) => c.kind === 'PIX').length, a.certifications.PIX, 'PIX certifications'),
    equal('effect', 'CCP certifications', facts.certifications.filter((c) => c.kind === 'CCP').length, a.certifications.CCP, 'CCP certifications'),
  );
  const conseillers = new Set(contracts.map((c) => c.conseiller.id));
  checks.push(equal('effect', 'every conseiller known to training once', facts.trainees, conseillers.size, 'trainees vs conseillers with a contract'));

  // -- subsidies reacted to every event once
  const commit = countBy(facts.commitments, (c) => String(c.phase));
  const phase2Refusals = new Set(facts.refusals.filter((r) => r.phase === 2).map((r) => r.postId)).size;
  checks.push(
    equal('effect', 'one phase-1 commitment per phase-1 post', commit['1'] ?? 0, a.conventions.phase1Posts, 'phase-1 commitments'),
    equal(
      'effect',
      'phase-2 posts committed or refused once',
      (commit['2'] ?? 0) + phase2Refusals,
      a.conventions.phase2Posts + (renewalsThroughLifecycle ? a.lifecycle.approved : 0),
      'phase-2 commitments + refused posts',
    ),
    equal('effect', 'final reports recorded', facts.commitments.filter((c) => c.finalReportOn).length, a.finalReports, 'commitments with a final report'),
    equal('effect', 'payment orders', facts.paymentOrders.length, a.paymentOrders, 'payment orders'),
    equal('effect', 'payments executed', facts.paymentOrders.filter((o) => o.execution).length, a.executions, 'orders with an execution'),
    equal('effect', 'payments returned by the bank', facts.paymentOrders.filter((o) => o.status === 'RETURNED').length, a.returnedLines, 'orders RETURNED'),
    equal('effect', 'payments reconciled', facts.paymentOrders.filter((o) => o.status === 'RECONCILED').length, a.matchedLines - a.returnedLines, 'orders RECONCILED'),
    equal('effect', 'bank statements', facts.reconciliations.length, a.statements, 'reconciliations'),
  );
  const kit = facts.programmeCosts.byKind;
  checks.push(
    equal('effect', 'outfit kit once per conseiller', kit.OUTFIT_KIT?.count ?? 0, conseillers.size, 'OUTFIT_KIT costs'),
    equal('effect', 'training cost once per enrolled conseiller (no waiver)', kit.TRAINING?.count ?? 0, a.enrolments.pathway, 'TRAINING costs'),
    equal('effect', 'PIX cost once per certified conseiller', kit.PIX_CERTIFICATION?.count ?? 0, new Set(facts.certifications.filter((c) => c.kind === 'PIX').map((c) => c.conseillerId)).size, 'PIX_CERTIFICATION costs'),
  );
  if (renewalOutcomes) {
    const renewing = countBy(contracts.filter((c) => c.renewsContractId), (c) => c.renewsContractId);
    const committedPhase2 = new Map(facts.commitments.filter((c) => c.phase === 2).map((c) => [c.postId, c.committedCents]));
    const recorded: unknown[] = [];
    const leftBehind: unknown[] = [];
    for (const o of renewalOutcomes.values()) {
      const renewed = o.status === 'RENEWED';
      const expected = renewed && !o.cdi ? 1 : 0;
      if ((renewing[o.contractId] ?? 0) !== expected) recorded.push({ contract: o.contractId, saga: o.status, renewals: renewing[o.contractId] ?? 0 });
      const committed = committedPhase2.get(o.postId) ?? 0;
      if (renewed ? committed <= 0 : committed > 0) leftBehind.push({ contract: o.contractId, saga: o.status, post: o.postId, committedCents: committed });
    }
    const financed = [...renewalOutcomes.values()].filter((o) => o.status === 'RENEWED').length;
    checks.push(
      check('effect', 'every financed renewal recorded once by the conventions service (none when not financed)', recorded, `${renewalOutcomes.size} renewals approved by ANCT, ${financed} financed`),
      check('effect', 'renewal financing: committed when renewed, nothing committed left behind otherwise', leftBehind, `phase-2 commitments of the ${renewalOutcomes.size} approved renewals`),
    );
  }
  if (facts.lifecycle) {
    checks.push(
      equal('effect', 'the lifecycle saga follows every contract once', facts.lifecycle.total, contracts.length, 'contract lifecycles'),
      equal('effect', 'the lifecycle saga saw every rupture', facts.lifecycle.byStatus.RUPTURED ?? 0, kstatus.ROMPU ?? 0, 'lifecycles RUPTURED'),
    );
  }
  const pending = Object.entries(facts.health.body?.upstreams ?? [])
    .map(([, u]: [string, any]) => ({ service: u.name, outboxPending: u.details?.outboxPending }))
    .filter((u) => u.outboxPending !== 0);
  checks.push(check('effect', 'every outbox drained', pending, `outboxPending of ${(facts.health.body?.upstreams ?? []).length} services`));
  return checks;
}

export function euros(cents: number): string {
  return `${(cents / 100).toLocaleString('fr-FR', { maximumFractionDigits: 0 })} €`;
}
