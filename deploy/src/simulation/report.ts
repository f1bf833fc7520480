import { addMonthsToMonth, Month, monthOf, monthRange } from './calendar';
import { COMMITTED_EUROS, EARLY_LEAVERS, PROGRAMME_POSTS, QPV_SHARE, RECRUITED_BY_DEC_2022, STRUCTURES_WITH_OPENINGS, TIMELINE, ZRR_SHARE } from './figures';
import { percentile } from './http';
import { RunResult } from './run';
import { euros } from './verify';

export interface FigureRow {
  figure: string;
  seeds: string;
  simulated: string;
  /** The order of magnitude (power of ten) is the same. */
  sameMagnitude: boolean | null;
}

export interface DepartmentRow {
  code: string;
  name: string;
  posts: number;
  recruitments: number;
  activeContracts: number;
  committedCents: number;
}

export interface MonthRow {
  month: Month;
  committedCents: number;
  paidCents: number;
  reconciledCents: number;
  /** Contracts that ended at their end date (TERMINE) that month. */
  expiries: number;
  renewalsPhase1: number;
  renewalsPhase2: number;
  ruptures: number;
  recruitments: number;
}

export interface RouteRow {
  route: string;
  count: number;
  errors: number;
  p50: number;
  p99: number;
}

export interface Report {
  title: string;
  generatedAt: string;
  seed: number;
  structures: number;
  baseUrl: string;
  durations: RunResult['durations'] & { totalMs: number };
  operations: number;
  requests: number;
  retries: number;
  operationsPerSecond: number;
  figures: FigureRow[];
  departments: DepartmentRow[];
  months: MonthRow[];
  checks: RunResult['checks'];
  failures: RunResult['driver']['failures'];
  routes: RouteRow[];
  rssMiB: Record<string, number>;
  rssAfterVerificationMiB: Record<string, number>;
  accepted: RunResult['driver']['accepted'];
  slowestSteps: { month: Month; ms: number; requests: number }[];
  notes: string[];
}

const magnitude = (n: number) => (n <= 0 ? 0 : Math.floor(Math.log10(n)));

export function buildReport(result: RunResult, meta: { baseUrl: string; notes?: string[] }): Report {
  const { plan, driver, facts } = result;
  const scale = plan.scale;
  const retained = facts.structures.filter((s) => s.status === 'VALIDATION_COSELEC');
  const phase1 = facts.conventions.filter((c) => c.phase === 1 && String(c.status).endsWith('_VALIDE'));
  const posts = phase1.reduce((n, c) => n + c.posts, 0);
  const signatures = facts.contracts.filter((c) => !c.renewsContractId);
  const byDec2022 = signatures.filter((c) => c.startDate < '2022-12-01').length;
  const ruptures = facts.contracts.filter((c) => c.status === 'ROMPU').length;
  const committedPhase1 = facts.commitments.filter((c) => c.phase === 1).reduce((n, c) => n + c.amountCents, 0);
  const costs = facts.programmeCosts.totalCents;
  const qpv = retained.filter((s) => s.qpv).length / Math.max(1, retained.length);
  const zrr = retained.filter((s) => s.zrr).length / Math.max(1, retained.length);
  const publicShare = retained.filter((s) => s.legalStatus === 'PUBLIC').length / Math.max(1, retained.length);
  const departments = new Set(retained.map((s) => s.departmentCode)).size;
  const scaled = (n: number) => Math.round(n * scale);
  const row = (figure: string, seeds: number, simulated: number, format: (n: number) => string = (n) => n.toLocaleString('en')): FigureRow => ({
    figure,
    seeds: `${format(seeds)}${scale !== 1 ? ` (× ${scale.toFixed(3)} = ${format(scaled(seeds))})` : ''}`,
    simulated: format(simulated),
    sameMagnitude: magnitude(simulated) === magnitude(scaled(seeds)),
  });
  const figures: FigureRow[] = [
    row('structures retained, with openings', STRUCTURES_WITH_OPENINGS, retained.length),
    { figure: 'départements covered', seeds: '101', simulated: String(departments), sameMagnitude: magnitude(departments) === 2 || scale < 0.2 },
    row('posts (phase-1 conventions)', PROGRAMME_POSTS, posts),
    row('conseillers recruited by 1 Dec 2022', RECRUITED_BY_DEC_2022, byDec2022),
    row('early leavers (ruptures)', EARLY_LEAVERS, ruptures),
    {
      figure: 'money committed, phase 1 (subsidies + training, PIX, outfit)',
      seeds: `${euros(COMMITTED_EUROS * 100)}${scale !== 1 ? ` (× ${scale.toFixed(3)} = ${euros(scaled(COMMITTED_EUROS * 100))})` : ''}`,
      simulated: `${euros(committedPhase1 + costs)} (${euros(committedPhase1)} + ${euros(costs)})`,
      sameMagnitude: magnitude(committedPhase1 + costs) === magnitude(scaled(COMMITTED_EUROS * 100)),
    },
    { figure: 'local authorities / associations', seeds: '60 % / 40 %', simulated: `${pct(publicShare)} / ${pct(1 - publicShare)}`, sameMagnitude: Math.abs(publicShare - 0.6) < 0.05 },
    { figure: 'structures in QPV / ZRR', seeds: `${pct(QPV_SHARE)} / ${pct(ZRR_SHARE)}`, simulated: `${pct(qpv)} / ${pct(zrr)}`, sameMagnitude: Math.abs(qpv - QPV_SHARE) < 0.07 && Math.abs(zrr - ZRR_SHARE) < 0.07 },
  ];
  const named: [string, string, string][] = [
    ['59', 'Nord, the largest', '124'],
    ['974', 'La Réunion', '70'],
    ['971', 'Guadeloupe', '45–48'],
    ['972', 'Martinique', '45–48'],
    ['973', 'Guyane', '45–48'],
    ['48', 'Lozère (small départements 12–18)', '12–18'],
    ['23', 'Creuse', '14'],
  ];
  if (scale === 1) {
    const postsOf = (code: string) => phase1.filter((c) => c.departmentCode === code).reduce((n, c) => n + c.posts, 0);
    for (const [code, label, seeds] of named) figures.push({ figure: `posts in ${label}`, seeds, simulated: String(postsOf(code)), sameMagnitude: null });
  }

  // -- per département
  const deps = new Map<string, DepartmentRow>();
  const dep = (code: string) => {
    let d = deps.get(code);
    if (!d) deps.set(code, (d = { code, name: '', posts: 0, recruitments: 0, activeContracts: 0, committedCents: 0 }));
    return d;
  };
  for (const s of facts.structures) dep(s.departmentCode).name = s.departmentName ?? '';
  for (const c of phase1) dep(c.departmentCode).posts += c.posts;
  for (const c of signatures) dep(c.departmentCode).recruitments++;
  for (const c of facts.contracts) if (c.status === 'ACTIF') dep(c.departmentCode).activeContracts++;
  for (const b of facts.balances.department) dep(b.key).committedCents += b.committedCents;
  const departments2 = [...deps.values()].filter((d) => d.posts > 0).sort((a, b) => b.posts - a.posts || a.code.localeCompare(b.code));

  // -- per month
  const months = monthRange(TIMELINE.from, TIMELINE.to);
  const rows = new Map<Month, MonthRow>(months.map((m) => [m, { month: m, committedCents: 0, paidCents: 0, reconciledCents: 0, expiries: 0, renewalsPhase1: 0, renewalsPhase2: 0, ruptures: 0, recruitments: 0 }]));
  // Money snapshots are taken on the 1st of each month: the difference is what happened during the previous month.
  for (let i = 0; i < driver.money.length; i++) {
    const s = driver.money[i];
    const p = driver.money[i - 1];
    const r = rows.get(addMonthsToMonth(s.month, -1));
    if (!r) continue;
    r.committedCents = s.committedCents - (p?.committedCents ?? 0);
    r.paidCents = s.paidCents - (p?.paidCents ?? 0);
    r.reconciledCents = s.reconciledCents - (p?.reconciledCents ?? 0);
  }
  const conventionPhase = new Map(facts.conventions.map((c) => [c.id, c.phase]));
  const contractsById = new Map(facts.contracts.map((c) => [c.id, c]));
  for (const c of facts.contracts) {
    if (c.status === 'TERMINE' && c.endedOn) {
      const r = rows.get(monthOf(c.endedOn));
      if (r) r.expiries++;
    }
    if (c.status === 'ROMPU' && c.rupture) {
      const r = rows.get(monthOf(c.rupture.date));
      if (r) r.ruptures++;
    }
    if (c.renewsContractId) {
      const previous = contractsById.get(c.renewsContractId);
      const r = rows.get(monthOf(previous?.endDate ?? c.startDate));
      if (r) {
        if (conventionPhase.get(c.conventionId) === 2 || (driver.renewalsThroughLifecycle && c.startDate > '2022-12-01')) r.renewalsPhase2++;
        else r.renewalsPhase1++;
      }
    } else {
      const r = rows.get(monthOf(c.startDate));
      if (r) r.recruitments++;
    }
  }

  const routes = [...driver.client.stats.values()]
    .map((s) => {
      const sorted = [...s.latenciesMs].sort((a, b) => a - b);
      return { route: s.route, count: s.count, errors: s.errors, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
    })
    .sort((a, b) => b.count - a.count);
  const totalMs = result.durations.generateMs + result.durations.driveMs + result.durations.drainMs + result.durations.verifyMs;
  return {
    title: `CNFS programme simulation — seed ${plan.seed}, ${plan.figures.retainedStructures.toLocaleString('en')} structures`,
    generatedAt: new Date().toISOString(),
    seed: plan.seed,
    structures: plan.figures.retainedStructures,
    baseUrl: meta.baseUrl,
    durations: { ...result.durations, totalMs },
    operations: driver.client.businessOperations,
    requests: driver.client.requests,
    retries: driver.client.retries,
    operationsPerSecond: driver.client.businessOperations / Math.max(0.001, result.durations.driveMs / 1000),
    figures,
    departments: departments2,
    months: months.map((m) => rows.get(m)!),
    checks: result.checks,
    failures: driver.failures,
    routes,
    rssMiB: result.rssMiB,
    rssAfterVerificationMiB: result.rssAfterVerificationMiB,
    accepted: driver.accepted,
    slowestSteps: [...driver.timings].sort((a, b) => b.ms - a.ms).slice(0, 5),
    notes: meta.notes ?? [],
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The terminal summary. */
export function renderSummary(r: Report): string {
  const lines: string[] = [];
  const invariants = r.checks.filter((c) => c.kind === 'invariant');
  const effects = r.checks.filter((c) => c.kind === 'effect');
  lines.push('', r.title, '='.repeat(r.title.length));
  lines.push(
    `drive ${(r.durations.driveMs / 1000).toFixed(1)} s, settle ${(r.durations.drainMs / 1000).toFixed(1)} s, verification ${(r.durations.verifyMs / 1000).toFixed(1)} s — ` +
      `${r.operations.toLocaleString('en')} business operations (${r.operationsPerSecond.toFixed(0)}/s), ${r.requests.toLocaleString('en')} requests, ${r.retries} retries`,
  );
  lines.push('', 'The seeds’ figures and the simulated programme:');
  const w = Math.max(...r.figures.map((f) => f.figure.length));
  for (const f of r.figures) lines.push(`  ${f.figure.padEnd(w)}  seeds ${f.seeds.padEnd(28)}  simulated ${f.simulated}${f.sameMagnitude === false ? '   (differs)' : ''}`);
  const a = r.accepted;
  lines.push(
    '',
    `Activity: ${a.registrations.toLocaleString('en')} applications, ${(a.decisions.phase1 + a.decisions.phase2).toLocaleString('en')} coselec decisions, ` +
      `${(a.conventions.phase1 + a.conventions.phase2).toLocaleString('en')} conventions, ${a.contracts.toLocaleString('en')} contracts, ${a.ruptures} ruptures, ` +
      `${(a.renewals.phase1 + a.renewals.phase2 + a.lifecycle.renewed).toLocaleString('en')} renewals (${(a.renewals.phase2NotFinanced + a.lifecycle.notFinanced).toLocaleString('en')} not financed), ` +
      `${(a.enrolments.pathway + a.enrolments.waiver).toLocaleString('en')} enrolments, ${(a.certifications.PIX + a.certifications.CCP).toLocaleString('en')} certifications, ` +
      `${a.paymentOrders.toLocaleString('en')} payment orders, ${a.executions.toLocaleString('en')} payments, ${a.statements} statements (${a.matchedLines.toLocaleString('en')} lines matched, ${a.returnedLines} returns), ` +
      `${a.naturalEnds.toLocaleString('en')} natural ends.`,
  );
  const money = r.months.reduce((acc, m) => ({ c: acc.c + m.committedCents, p: acc.p + m.paidCents, r: acc.r + m.reconciledCents }), { c: 0, p: 0, r: 0 });
  lines.push(`Money: committed ${euros(money.c)}, paid ${euros(money.p)}, reconciled ${euros(money.r)}.`);
  lines.push('', `Invariants (${invariants.filter((c) => c.ok).length}/${invariants.length} hold):`);
  for (const c of invariants) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name} — ${c.detail}${c.ok ? '' : `\n         ${JSON.stringify(c.problems).slice(0, 400)}`}`);
  lines.push('', `Nothing lost, nothing twice (${effects.filter((c) => c.ok).length}/${effects.length}):`);
  for (const c of effects) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name} — ${c.detail}${c.ok ? '' : `\n         ${JSON.stringify(c.problems).slice(0, 400)}`}`);
  if (r.failures.length) {
    lines.push('', `Requests that failed (${r.failures.length}):`);
    for (const f of r.failures.slice(0, 15)) lines.push(`  ${f.step} ${f.action}: ${f.error.split('\n')[0].slice(0, 300)}`);
  }
  const rss = Object.entries(r.rssMiB);
  if (rss.length) {
    lines.push('', `Memory (RSS once settled after the simulation, target < 200 MiB): ${rss.map(([n, v]) => `${n} ${v ? `${v} MiB` : 'n/a'}${v >= 200 ? ' (over)' : ''}`).join(', ')}`);
    lines.push(`  after the verification's reads: ${Object.entries(r.rssAfterVerificationMiB).map(([n, v]) => `${n} ${v ? `${v} MiB` : 'n/a'}`).join(', ')}`);
  }
  lines.push('', `Busiest routes: ${r.routes.slice(0, 6).map((x) => `${x.route} ×${x.count} p50 ${x.p50} ms p99 ${x.p99} ms`).join('; ')}`);
  for (const n of r.notes) lines.push(n);
  return lines.join('\n');
}
