import { Report } from './report';
import { euros } from './verify';

/** A self-contained HTML page (inline CSS and SVG charts, no script, no external resource). */

const esc = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface Series {
  name: string;
  values: number[];
  color: string;
}

interface ChartOptions {
  width?: number;
  height?: number;
  stacked?: boolean;
  format?: (n: number) => string;
  /** Show every n-th category label. */
  labelEvery?: number;
  title: string;
}

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(max)));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function legend(series: Series[], x: number, y: number): string {
  return series
    .map((s, i) => `<rect x="${x + i * 170}" y="${y - 9}" width="10" height="10" fill="${s.color}"/><text x="${x + i * 170 + 14}" y="${y}" class="l">${esc(s.name)}</text>`)
    .join('');
}

function axis(max: number, x0: number, y0: number, width: number, height: number, format: (n: number) => string): string {
  const ticks = 5;
  let out = '';
  for (let i = 0; i <= ticks; i++) {
    const v = (max * i) / ticks;
    const y = y0 - (height * i) / ticks;
    out += `<line x1="${x0}" x2="${x0 + width}" y1="${y}" y2="${y}" class="g"/><text x="${x0 - 6}" y="${y + 4}" class="t" text-anchor="end">${esc(format(v))}</text>`;
  }
  return out;
}

/** Vertical bars, grouped or stacked, one group per category. */
export function barChart(categories: string[], series: Series[], options: ChartOptions): string {
  const width = options.width ?? 1100;
  const height = options.height ?? 320;
  const format = options.format ?? ((n: number) => Math.round(n).toLocaleString('en'));
  const left = 70;
  const top = 40;
  const bottom = 60;
  const plotW = width - left - 20;
  const plotH = height - top - bottom;
  const totals = categories.map((_, i) => (options.stacked ? series.reduce((s, x) => s + (x.values[i] ?? 0), 0) : Math.max(...series.map((x) => x.values[i] ?? 0))));
  const max = niceMax(Math.max(0, ...totals));
  const band = plotW / Math.max(1, categories.length);
  const every = options.labelEvery ?? Math.max(1, Math.ceil(categories.length / 40));
  let bars = '';
  categories.forEach((cat, i) => {
    const x = left + i * band;
    if (options.stacked) {
      let acc = 0;
      for (const s of series) {
        const v = s.values[i] ?? 0;
        if (v <= 0) continue;
        const h = (v / max) * plotH;
        bars += `<rect x="${(x + band * 0.1).toFixed(1)}" y="${(top + plotH - ((acc + v) / max) * plotH).toFixed(1)}" width="${(band * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${esc(cat)} — ${esc(s.name)}: ${esc(format(v))}</title></rect>`;
        acc += v;
      }
    } else {
      const w = (band * 0.85) / series.length;
      series.forEach((s, k) => {
        const v = s.values[i] ?? 0;
        const h = (v / max) * plotH;
        bars += `<rect x="${(x + band * 0.075 + k * w).toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${Math.max(0.5, w).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${esc(cat)} — ${esc(s.name)}: ${esc(format(v))}</title></rect>`;
      });
    }
    if (i % every === 0) {
      const lx = x + band / 2;
      bars += `<text x="${lx.toFixed(1)}" y="${top + plotH + 12}" class="t" text-anchor="end" transform="rotate(-60 ${lx.toFixed(1)} ${top + plotH + 12})">${esc(cat)}</text>`;
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(options.title)}">
<text x="${left}" y="16" class="h">${esc(options.title)}</text>${legend(series, left, 32)}
${axis(max, left, top + plotH, plotW, plotH, format)}${bars}<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" class="a"/></svg>`;
}

/** Lines over the categories (cumulative money). */
export function lineChart(categories: string[], series: Series[], options: ChartOptions): string {
  const width = options.width ?? 1100;
  const height = options.height ?? 300;
  const format = options.format ?? ((n: number) => Math.round(n).toLocaleString('en'));
  const left = 90;
  const top = 40;
  const bottom = 60;
  const plotW = width - left - 20;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const step = plotW / Math.max(1, categories.length - 1);
  const every = options.labelEvery ?? Math.max(1, Math.ceil(categories.length / 25));
  let out = '';
  for (const s of series) {
    const points = s.values.map((v, i) => `${(left + i * step).toFixed(1)},${(top + plotH - (v / max) * plotH).toFixed(1)}`).join(' ');
    out += `<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"><title>${esc(s.name)}</title></polyline>`;
  }
  categories.forEach((cat, i) => {
    if (i % every !== 0) return;
    const x = left + i * step;
    out += `<text x="${x.toFixed(1)}" y="${top + plotH + 12}" class="t" text-anchor="end" transform="rotate(-60 ${x.toFixed(1)} ${top + plotH + 12})">${esc(cat)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(options.title)}">
<text x="${left}" y="16" class="h">${esc(options.title)}</text>${legend(series, left, 32)}
${axis(max, left, top + plotH, plotW, plotH, format)}${out}<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" class="a"/></svg>`;
}

const millions = (cents: number) => `${(cents / 100 / 1_000_000).toLocaleString('en', { maximumFractionDigits: 1 })} M€`;

function cumulative(values: number[]): number[] {
  let acc = 0;
  return values.map((v) => (acc += v));
}

function table(headers: string[], rows: (string | number)[][], className = ''): string {
  return `<table class="${className}"><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function renderHtml(r: Report): string {
  const months = r.months.map((m) => m.month);
  const deps = r.departments;
  const invariants = r.checks.filter((c) => c.kind === 'invariant');
  const effects = r.checks.filter((c) => c.kind === 'effect');
  const allOk = r.checks.every((c) => c.ok) && r.failures.length === 0;
  const checkRows = (checks: typeof r.checks) =>
    checks.map((c) => `<tr class="${c.ok ? 'ok' : 'ko'}"><td>${c.ok ? '✔' : '✘'}</td><td>${esc(c.name)}</td><td>${esc(c.detail)}${c.ok ? '' : `<pre>${esc(JSON.stringify(c.problems, null, 1).slice(0, 2000))}</pre>`}</td></tr>`).join('');
  const charts = [
    barChart(
      deps.map((d) => `${d.code} ${d.name}`.trim()),
      [
        { name: 'posts (phase-1 conventions)', values: deps.map((d) => d.posts), color: '#2b6cb0' },
        { name: 'recruitments (contracts signed)', values: deps.map((d) => d.recruitments), color: '#ed8936' },
        { name: 'contracts active at the end', values: deps.map((d) => d.activeContracts), color: '#48bb78' },
      ],
      { title: 'Posts and contracts per département (sorted by posts)', height: 380, labelEvery: deps.length > 60 ? 2 : 1 },
    ),
    lineChart(
      months,
      [
        { name: 'committed (cumulative)', values: cumulative(r.months.map((m) => m.committedCents)), color: '#2b6cb0' },
        { name: 'paid (cumulative)', values: cumulative(r.months.map((m) => m.paidCents)), color: '#ed8936' },
        { name: 'reconciled (cumulative)', values: cumulative(r.months.map((m) => m.reconciledCents)), color: '#48bb78' },
      ],
      { title: 'Money committed, paid and reconciled — cumulative', format: millions },
    ),
    barChart(
      months,
      [
        { name: 'committed', values: r.months.map((m) => Math.max(0, m.committedCents)), color: '#2b6cb0' },
        { name: 'paid', values: r.months.map((m) => m.paidCents), color: '#ed8936' },
        { name: 'reconciled', values: r.months.map((m) => m.reconciledCents), color: '#48bb78' },
      ],
      { title: 'Money per month (committed, paid by the Banque des Territoires, reconciled on its statements)', format: millions },
    ),
    barChart(
      months,
      [
        { name: 'expiries (natural ends)', values: r.months.map((m) => m.expiries), color: '#e53e3e' },
        { name: 'renewals (phase 1, same post)', values: r.months.map((m) => m.renewalsPhase1), color: '#9f7aea' },
        { name: 'renewals (phase 2)', values: r.months.map((m) => m.renewalsPhase2), color: '#38b2ac' },
        { name: 'ruptures', values: r.months.map((m) => m.ruptures), color: '#718096' },
      ],
      { title: 'Expiries, renewals and ruptures per month (month of the contract’s end)', stacked: true },
    ),
    barChart(months, [{ name: 'contracts signed (recruitments)', values: r.months.map((m) => m.recruitments), color: '#ed8936' }], { title: 'Recruitments per month' }),
  ];
  const a = r.accepted;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#1a202c;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border-bottom:1px solid #edf2f7;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f7fafc}tr.ko td{background:#fff5f5}tr.ok td:first-child{color:#2f855a}tr.ko td:first-child{color:#c53030}
pre{white-space:pre-wrap;font-size:12px;margin:4px 0}.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;background:${allOk ? '#2f855a' : '#c53030'}}
svg{margin:8px 0 16px;background:#fff}svg .h{font-weight:600;font-size:14px}svg .t{font-size:10px;fill:#4a5568}svg .l{font-size:11px;fill:#2d3748}
svg .g{stroke:#edf2f7}svg .a{stroke:#a0aec0}.small{color:#4a5568;font-size:12px}
</style></head><body>
<h1>${esc(r.title)}</h1>
<p><span class="badge">${allOk ? 'all invariants hold, nothing lost' : 'problems found'}</span>
Generated ${esc(r.generatedAt)} against ${esc(r.baseUrl)}. Timeline 2020-11 → 2024-12, the platform's clock moved month by month.</p>
<p>Drive ${(r.durations.driveMs / 1000).toFixed(1)} s, settle ${(r.durations.drainMs / 1000).toFixed(1)} s, verification ${(r.durations.verifyMs / 1000).toFixed(1)} s —
${r.operations.toLocaleString('en')} business operations through REST, Kafka and PostgreSQL (${r.operationsPerSecond.toFixed(0)} per second), ${r.requests.toLocaleString('en')} requests, ${r.retries} retries.</p>
<h2>The seeds’ figures</h2>
${table(['figure', 'seeds', 'simulated', 'same order of magnitude'], r.figures.map((f) => [f.figure, f.seeds, f.simulated, f.sameMagnitude === null ? '' : f.sameMagnitude ? 'yes' : 'no']))}
<h2>Charts</h2>
${charts.join('\n')}
<h2>Invariants (${invariants.filter((c) => c.ok).length}/${invariants.length})</h2>
<table><tbody>${checkRows(invariants)}</tbody></table>
<h2>Every accepted request had its effect exactly once (${effects.filter((c) => c.ok).length}/${effects.length})</h2>
<table><tbody>${checkRows(effects)}</tbody></table>
${r.failures.length ? `<h2>Requests that failed (${r.failures.length})</h2>${table(['step', 'action', 'error'], r.failures.slice(0, 200).map((f) => [f.step, f.action, f.error.slice(0, 500)]))}` : ''}
<h2>Activity</h2>
${table(
  ['what', 'accepted'],
  [
    ['applications (structures registered)', a.registrations],
    ['coselec decisions (phase 1 / phase 2)', `${a.decisions.phase1} / ${a.decisions.phase2}`],
    ['conventions validated (phase 1 / phase 2) and their posts', `${a.conventions.phase1} / ${a.conventions.phase2} — ${a.conventions.phase1Posts} / ${a.conventions.phase2Posts} posts`],
    ['posts returned (never filled / renewal not financed)', `${a.retraits.posts} / ${a.retraits.refusedRenewalPosts}`],
    ['contracts signed, ruptures', `${a.contracts}, ${a.ruptures}`],
    ['renewals (phase 1 / phase 2 / through the lifecycle saga), not financed', `${a.renewals.phase1} / ${a.renewals.phase2} / ${a.lifecycle.renewed}, ${a.renewals.phase2NotFinanced + a.lifecycle.notFinanced}`],
    ['enrolments (pathway / waiver), completions, abandons', `${a.enrolments.pathway} / ${a.enrolments.waiver}, ${a.completions.completed}, ${a.completions.abandoned}`],
    ['certifications (PIX / CCP)', `${a.certifications.PIX} / ${a.certifications.CCP}`],
    ['final reports, payment orders, payments', `${a.finalReports}, ${a.paymentOrders}, ${a.executions}`],
    ['bank statements, lines, matched, returned', `${a.statements}, ${a.statementLines}, ${a.matchedLines}, ${a.returnedLines}`],
    ['natural ends, clock moves', `${a.naturalEnds}, ${a.clockMoves}`],
  ],
)}
<h2>Per département</h2>
${table(['code', 'département', 'posts', 'recruitments', 'active at the end', 'committed'], deps.map((d) => [d.code, d.name, d.posts, d.recruitments, d.activeContracts, euros(d.committedCents)]), 'small')}
<h2>Memory (RSS once settled after the simulation; target &lt; 200 MiB per service)</h2>
${table(['service', 'RSS after the simulation', 'after the verification’s reads'], Object.entries(r.rssMiB).map(([n, v]) => [n, v ? `${v} MiB${v >= 200 ? ' (over the target)' : ''}` : 'n/a', r.rssAfterVerificationMiB?.[n] ? `${r.rssAfterVerificationMiB[n]} MiB` : 'n/a']))}
<h2>REST latency per route (the simulation's own requests, through the gateway)</h2>
${table(['route', 'requests', 'errors', 'p50 ms', 'p99 ms'], r.routes.map((x) => [x.route, x.count, x.errors, x.p50, x.p99]), 'small')}
<h2>Slowest steps</h2>
${table(['month', 'ms', 'requests'], r.slowestSteps.map((s) => [s.month, s.ms, s.requests]))}
${r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
