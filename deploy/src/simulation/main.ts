import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataPath } from '../stack/paths';
import { parseSimulationArgs, USAGE, UsageError } from './args';
import { renderHtml } from './html';
import { ProgressBar } from './progress';
import { buildReport, renderSummary } from './report';
import { runSimulation } from './run';

/**
 * `npm run simulate -- [--structures N] [--seed S] [--base-url URL]`: the programme simulation against a
 * running platform (`CNFS_CLOCK=manual CNFS_CLOCK_START=2020-11-01 npm start`). See README.md beside this file.
 */
async function main(): Promise<number> {
  let args;
  try {
    args = parseSimulationArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (!args) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const progress = new ProgressBar();
  progress.message(`simulating ${args.structures.toLocaleString('en')} structures (seed ${args.seed}) through ${args.baseUrl}, until ${args.until}`);
  const result = await runSimulation({
    baseUrl: args.baseUrl,
    seed: args.seed,
    structures: args.structures,
    concurrency: args.concurrency,
    until: args.until,
    metrics: args.metrics,
    renewals: args.renewals,
    onProgress: (p) => progress.update(p),
    log: (line) => progress.message(line),
  });
  const report = buildReport(result, { baseUrl: args.baseUrl });
  process.stdout.write(`${renderSummary(report)}\n`);
  if (args.report) {
    const dir = args.reportDir ?? dataPath('reports');
    fs.mkdirSync(dir, { recursive: true });
    const stamp = report.generatedAt.replace(/[:.]/g, '-');
    const file = path.join(dir, `simulation-seed${args.seed}-${args.structures}-${stamp}.html`);
    fs.writeFileSync(file, renderHtml(report));
    fs.writeFileSync(file.replace(/\.html$/, '.json'), JSON.stringify({ ...report, routes: report.routes }, null, 1));
    process.stdout.write(`\nreport: ${file}\n`);
  }
  const ok = result.checks.every((c) => c.ok) && result.driver.failures.length === 0;
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`\nsimulation failed: ${(error as Error).message ?? error}\n`);
    process.exit(1);
  },
);
