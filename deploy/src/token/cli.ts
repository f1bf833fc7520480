import { InvalidPrincipalError, ROLES, isRole, parseTtl, resolveJwtSecret, signToken, toPrincipal, type Role } from '@cnfs/auth';

export const USAGE = `Usage: npm run token -- --role <role> [options]

Prints a bearer token for the local stack, signed with JWT_SECRET (or the development secret).

  --role <role>          ${ROLES.join(' | ')}   (required)
  --department <code>    département of a prefecture; repeat or comma-separate for several (required for prefecture)
  --lot <n>              training lot, 1 to 6 (required for training_provider)
  --structure <id>       structure id (required for structure)
  --subject <s>          token subject (default: local-<role>)
  --ttl <duration>       lifetime: seconds, or 90s, 15m, 8h, 7d (default: 8h)
  -h, --help             this help

Example: curl -H "Authorization: Bearer $(npm run -s token -- --role prefecture --department 59)" http://localhost:3000/api/v1/...`;

/** Misuse of the command: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {}

export interface TokenArgs {
  role: Role;
  departments: string[];
  lot?: number;
  structureId?: string;
  subject: string;
  ttl: string;
}

type Option = 'role' | 'department' | 'lot' | 'structure' | 'subject' | 'ttl';
const OPTIONS: readonly Option[] = ['role', 'department', 'lot', 'structure', 'subject', 'ttl'];
/** The role each scope option belongs to. */
const OPTION_ROLE: Partial<Record<Option, Role>> = { department: 'prefecture', lot: 'training_provider', structure: 'structure' };

/** Parses the command line (without `node` and the script); `undefined` means help was asked. */
export function parseArgs(argv: readonly string[]): TokenArgs | undefined {
  const values: Partial<Record<Option, string[]>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return undefined;
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)) as Option;
    if (!OPTIONS.includes(name)) throw new UsageError(`Unknown option "--${name}"`);
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    if (value === undefined || value.trim() === '') throw new UsageError(`Option --${name} needs a value`);
    const list = (values[name] ??= []);
    if (name !== 'department' && list.length > 0) throw new UsageError(`Option --${name} is given more than once`);
    list.push(value.trim());
  }

  const role = values.role?.[0];
  if (role === undefined) throw new UsageError('Missing --role');
  if (!isRole(role)) throw new UsageError(`Unknown role "${role}"; expected one of ${ROLES.join(', ')}`);

  for (const [option, owner] of Object.entries(OPTION_ROLE) as [Option, Role][]) {
    if (owner === role && values[option] === undefined) throw new UsageError(`Role ${role} requires --${option}`);
    if (owner !== role && values[option] !== undefined) throw new UsageError(`Option --${option} only applies to role ${owner}, not ${role}`);
  }

  let lot: number | undefined;
  if (values.lot) {
    const text = values.lot[0];
    lot = /^[1-6]$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(lot)) throw new UsageError(`--lot must be an integer from 1 to 6, got "${text}"`);
  }

  const ttl = values.ttl?.[0] ?? '8h';
  try {
    parseTtl(ttl);
  } catch (error) {
    throw new UsageError(`--ttl: ${(error as Error).message}`);
  }

  return {
    role,
    departments: (values.department ?? []).flatMap((d) => d.split(',')).map((d) => d.trim()).filter(Boolean),
    lot,
    structureId: values.structure?.[0],
    subject: values.subject?.[0] ?? `local-${role}`,
    ttl,
  };
}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs the command; returns the process exit code (0 ok, 2 misuse, 1 unexpected failure). */
export async function runTokenCli(argv: readonly string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (!args) {
      io.out(USAGE);
      return 0;
    }
    let principal;
    try {
      principal = toPrincipal({
        subject: args.subject,
        role: args.role,
        departments: args.role === 'prefecture' ? args.departments : undefined,
        lot: args.lot,
        structureId: args.structureId,
      });
    } catch (error) {
      if (error instanceof InvalidPrincipalError) throw new UsageError(error.message);
      throw error;
    }
    let secret: string;
    try {
      secret = resolveJwtSecret(env, (message) => io.err(`warning: ${message}`));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    io.out(await signToken(principal, secret, args.ttl));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}`);
      io.err('Run "npm run token -- --help" for usage.');
      return 2;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
