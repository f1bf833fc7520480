import { DEFAULT_STRUCTURES, TIMELINE } from './figures';

export const USAGE = `Usage: npm run simulate -- [options]

Generates the programme (seeded) and drives it through the platform's REST API, month by month, then prints
a summary, writes an HTML report under .data/reports/ and checks the invariants. Exit code 1 when a request
failed unexpectedly or an invariant does not hold.

  --structures <n>     retained structures (default ${DEFAULT_STRUCTURES}; posts ≈ 1.6 × n, applicants ≈ 1.1 × n)
  --seed <s>           seed of the generated programme (default 1)
  --base-url <url>     the platform's gateway (default http://localhost:3000)
  --concurrency <n>    requests in flight at most (default 48)
  --until <YYYY-MM>    last month of the timeline (default ${TIMELINE.to})
  --renewals <how>     lifecycle (intent, préfet opinion, ANCT decision through the lifecycle saga), conventions
                       (phase-2 coselec and conventions), or auto (default: lifecycle when the platform has it)
  --report-dir <dir>   where the HTML report goes (default .data/reports)
  --metrics <list>     service metrics URLs for the RSS figures, name=url,… (default: the launcher's ports 3101–3106)
  --no-report          no HTML report
  -h, --help           this help

The platform must run on a manual clock, on fresh data:
  CNFS_CLOCK=manual CNFS_CLOCK_START=2020-11-01 npm start`;

export interface SimulationArgs {
  structures: number;
  seed: number;
  baseUrl: string;
  concurrency: number;
  until: string;
  reportDir?: string;
  report: boolean;
  metrics?: Record<string, string>;
  renewals: 'lifecycle' | 'conventions' | 'auto';
}

export class UsageError extends Error {}

const NUMBER_OPTIONS = ['structures', 'seed', 'concurrency'] as const;

/** Parses the command line (without node and the script); undefined when help was asked. */
export function parseSimulationArgs(argv: readonly string[]): SimulationArgs | undefined {
  const args: SimulationArgs = { structures: DEFAULT_STRUCTURES, seed: 1, baseUrl: 'http://localhost:3000', concurrency: 48, until: TIMELINE.to, report: true, renewals: 'auto' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return undefined;
    if (arg === '--no-report') {
      args.report = false;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new UsageError(`Option --${name} needs a value`);
    if ((NUMBER_OPTIONS as readonly string[]).includes(name)) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < (name === 'seed' ? 0 : 1)) throw new UsageError(`--${name} must be a ${name === 'seed' ? 'non-negative' : 'positive'} integer, got "${value}"`);
      (args as unknown as Record<string, number>)[name] = n;
    } else if (name === 'base-url') {
      try {
        const url = new URL(value);
        if (url.protocol !== 'http:') throw new Error('not http');
      } catch {
        throw new UsageError(`--base-url must be an http:// URL, got "${value}"`);
      }
      args.baseUrl = value.replace(/\/+$/, '');
    } else if (name === 'until') {
      if (!/^20\d\d-(0[1-9]|1[0-2])$/.test(value) || value < '2021-01' || value > TIMELINE.to) {
        throw new UsageError(`--until must be a month YYYY-MM between 2021-01 and ${TIMELINE.to}, got "${value}"`);
      }
      args.until = value;
    } else if (name === 'renewals') {
      if (value !== 'lifecycle' && value !== 'conventions' && value !== 'auto') throw new UsageError(`--renewals is lifecycle, conventions or auto, got "${value}"`);
      args.renewals = value;
    } else if (name === 'report-dir') {
      args.reportDir = value;
    } else if (name === 'metrics') {
      args.metrics = Object.fromEntries(
        value.split(',').map((pair) => {
          const [service, url] = pair.split('=');
          if (!service || !url || !/^https?:\/\//.test(url)) throw new UsageError(`--metrics takes name=url pairs, got "${pair}"`);
          return [service, url];
        }),
      );
    } else {
      throw new UsageError(`Unknown option "--${name}"`);
    }
  }
  return args;
}
