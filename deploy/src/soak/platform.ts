import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';
import { DEV_JWT_SECRET } from '@cnfs/auth';
import { allPlatformTopics } from '@cnfs/contracts';
import { serviceNodeOptions } from '../config';
import { ensureKafka, KafkaHandle } from '../stack/kafka';
import { Log } from '../stack/log';
import { isPortFree, whoHoldsPortHint } from '../stack/ports';
import { repoRoot } from '../stack/paths';
import { ensurePostgres } from '../stack/postgres';
import { httpStatus } from '../launcher/processes';

/** The services of the platform, in the launcher's order (deploy/src/launcher/services.ts). */
export const PLATFORM_SERVICES = ['structures', 'conventions', 'subsidies', 'training', 'lifecycle', 'audit'] as const;
export type ServiceName = (typeof PLATFORM_SERVICES)[number];

export interface PlatformOptions {
  /** Everything this platform writes (broker data, service logs): deleted first when `fresh`. */
  dataDir: string;
  /** PostgreSQL database (created when missing); the services' schemas are `<schemaPrefix><service>`. */
  database: string;
  schemaPrefix: string;
  /** Drop the schemas and the broker data first. */
  fresh: boolean;
  kafkaPort: number;
  kafkaControllerPort: number;
  /** Services to run (default: all that have a build). */
  services?: readonly ServiceName[];
  /** Extra environment of every service (CNFS_CLOCK=manual…). */
  env?: Record<string, string>;
  log?: Log;
}

export interface ServiceProcess {
  name: string;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  restarts: number;
}

/** A free TCP port on 127.0.0.1 (asked to the kernel). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A whole platform of its own, for the soak and the end-to-end benchmark: a real Kafka broker on its own
 * ports and data directory, each service as a child process (`node services/<name>/dist/main.js`) on a free
 * port with its own schemas, and the gateway. Processes can be killed, paused and restarted one by one.
 */
export class Platform {
  readonly services = new Map<string, ServiceProcess>();
  gateway?: ServiceProcess;
  kafka?: KafkaHandle;
  databaseUrl = '';
  private readonly root = repoRoot();
  private readonly children = new Set<ChildProcess>();
  private exitHook?: () => void;
  private readonly log: Log;
  private stopped = false;

  constructor(readonly options: PlatformOptions) {
    this.log = options.log ?? (() => undefined);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.gateway!.port}`;
  }

  get brokers(): string[] {
    return this.kafka?.brokers ?? [];
  }

  serviceNames(): ServiceName[] {
    const wanted = this.options.services ?? PLATFORM_SERVICES;
    return wanted.filter((name) => fs.existsSync(path.join(this.root, 'services', name, 'dist', 'main.js')));
  }

  async start(): Promise<void> {
    const { dataDir } = this.options;
    if (this.options.fresh) fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
    const postgres = await ensurePostgres({ dataDir: path.join(dataDir, 'postgres'), database: this.options.database, databaseUrl: null, log: this.log });
    this.databaseUrl = postgres.url;
    if (this.options.fresh) await this.dropSchemas();
    await this.startBroker();
    await Promise.all(this.serviceNames().map(async (name) => this.startService(name, await freePort())));
    await this.startGateway(await freePort());
  }

  private async dropSchemas(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      for (const name of PLATFORM_SERVICES) await client.query(`DROP SCHEMA IF EXISTS "${this.options.schemaPrefix}${name}" CASCADE`);
    } finally {
      await client.end();
    }
  }

  async startBroker(): Promise<void> {
    // Never another run's broker: ensureKafka would reuse whatever Kafka answers on the port.
    if (!(await isPortFree(this.options.kafkaPort))) {
      throw new Error(`port ${this.options.kafkaPort} is taken (another soak still running?): ${whoHoldsPortHint(this.options.kafkaPort)}`);
    }
    this.kafka = await ensureKafka({
      dataDir: path.join(this.options.dataDir, 'kafka'),
      port: this.options.kafkaPort,
      controllerPort: this.options.kafkaControllerPort,
      topics: allPlatformTopics(),
      brokers: null,
      log: this.log,
      startTimeoutMs: 120_000,
    });
  }

  /** The broker's pid: the java process whose command line names this platform's broker configuration. */
  brokerPid(): number | undefined {
    const marker = path.join(path.resolve(this.options.dataDir), 'kafka', 'server.properties');
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        if (cmdline.includes(marker) && cmdline.includes('kafka.Kafka')) return Number(entry);
      } catch {
        // the process is gone
      }
    }
    return undefined;
  }

  /** SIGKILL the broker (no clean shutdown: its log is recovered at restart). */
  async killBroker(): Promise<void> {
    const pid = this.brokerPid();
    if (pid === undefined) throw new Error('the soak broker is not running');
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && fs.existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
  }

  private env(name: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      DATABASE_URL: this.databaseUrl,
      KAFKA_BROKERS: this.brokers.join(','),
      JWT_SECRET: process.env.JWT_SECRET || DEV_JWT_SECRET,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      NODE_OPTIONS: serviceNodeOptions(),
      LOG_LEVEL: 'warn',
      PORT: String(port),
      SERVICE_NAME: name,
      DB_SCHEMA: `${this.options.schemaPrefix}${name}`,
      ...this.options.env,
      ...extra,
    };
  }

  private spawnNode(name: string, script: string, env: NodeJS.ProcessEnv, port: number, restarts = 0): ServiceProcess {
    const out = fs.openSync(path.join(this.options.dataDir, 'logs', `${name}.log`), 'a');
    const child = spawn(process.execPath, [script], { cwd: this.root, env, stdio: ['ignore', out, out], detached: true });
    fs.closeSync(out);
    // Own process group (a Ctrl-C reaches the harness, which stops them in order); never left behind on exit.
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    if (!this.exitHook) {
      this.exitHook = () => {
        for (const c of this.children) c.kill('SIGKILL');
      };
      process.once('exit', this.exitHook);
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    return { name, port, child, exited, restarts };
  }

  private async startService(name: string, port: number, restarts = 0, extra: Record<string, string> = {}): Promise<ServiceProcess> {
    const proc = this.spawnNode(name, path.join(this.root, 'services', name, 'dist', 'main.js'), this.env(name, port, extra), port, restarts);
    this.services.set(name, proc);
    await this.waitHealthy(proc, `http://127.0.0.1:${port}/health`);
    return proc;
  }

  private async startGateway(port: number): Promise<void> {
    const upstreams = Object.fromEntries([...this.services.values()].map((s) => [`UPSTREAM_${s.name.toUpperCase()}`, `http://127.0.0.1:${s.port}`]));
    const env = { ...this.env('gateway', port), ...upstreams };
    this.gateway = this.spawnNode('gateway', path.join(this.root, 'services', 'gateway', 'dist', 'main.js'), env, port);
    const deadline = Date.now() + 30_000;
    while ((await httpStatus(`http://127.0.0.1:${port}/health`, 5000)) === 0) {
      if (Date.now() > deadline) throw new Error(`the gateway did not answer on port ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async waitHealthy(proc: ServiceProcess, url: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let done = false;
    void proc.exited.then(() => (done = true));
    for (;;) {
      if (done) throw new Error(`${proc.name} exited during start-up (see ${path.join(this.options.dataDir, 'logs', `${proc.name}.log`)})`);
      if ((await httpStatus(url, 2000)) === 200) return;
      if (Date.now() > deadline) throw new Error(`${proc.name} did not report healthy on ${url} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILL a service (no shutdown hook runs: in-flight requests and transactions die with it). */
  async kill(name: string): Promise<void> {
    const proc = this.services.get(name);
    if (!proc) throw new Error(`no service ${name}`);
    proc.child.kill('SIGKILL');
    await proc.exited;
  }

  /**
   * Starts a killed service again on the same port (the gateway keeps its upstream). Under a manual clock,
   * pass `CNFS_CLOCK_START` = the platform's current time: a service restarts at its configured start
   * otherwise, years behind the others.
   */
  async restart(name: string, env: Record<string, string> = {}): Promise<void> {
    const proc = this.services.get(name)!;
    await this.startService(name, proc.port, proc.restarts + 1, env);
  }

  pause(name: string): void {
    this.services.get(name)!.child.kill('SIGSTOP');
  }

  resume(name: string): void {
    this.services.get(name)!.child.kill('SIGCONT');
  }

  private readonly logOffsets = new Map<string, number>();

  /**
   * Services whose log gained, since the last call, a consumer crash kafkajs does not recover from (a
   * non-retriable error, e.g. "The coordinator is not aware of this member" when committing offsets after the
   * broker restarted or after a pause past the session timeout). The messaging lib does not restart such a
   * consumer and the service's /health stays 200: the harness has to notice it from the log.
   */
  deadConsumers(): { service: string; line: string }[] {
    const found: { service: string; line: string }[] = [];
    for (const name of this.services.keys()) {
      const file = path.join(this.options.dataDir, 'logs', `${name}.log`);
      let size = 0;
      try {
        size = fs.statSync(file).size;
      } catch {
        continue;
      }
      const from = this.logOffsets.get(name) ?? 0;
      if (size <= from) {
        this.logOffsets.set(name, size);
        continue;
      }
      const fd = fs.openSync(file, 'r');
      const buffer = Buffer.alloc(size - from);
      fs.readSync(fd, buffer, 0, buffer.length, from);
      fs.closeSync(fd);
      this.logOffsets.set(name, size);
      for (const line of buffer.toString('utf8').split('\n')) {
        if (line.includes('Consumer: Crash') && line.includes('KafkaJSNonRetriableError')) found.push({ service: name, line: line.slice(0, 400) });
      }
    }
    return found;
  }

  /** Resident memory of each service process, from /proc (MiB). */
  rss(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, proc] of [...this.services.entries(), ...(this.gateway ? [['gateway', this.gateway] as const] : [])]) {
      out[name] = rssMiB(proc.child.pid);
    }
    return out;
  }

  /** CPU time used so far (user + system, seconds) by each service, the gateway and the broker, from /proc. */
  cpuSeconds(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, proc] of [...this.services.entries(), ...(this.gateway ? [['gateway', this.gateway] as const] : [])]) out[name] = cpuOf(proc.child.pid);
    out.kafka = cpuOf(this.brokerPid());
    return out;
  }

  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.services.entries()].map(([name, p]) => [name, p.child.pid]));
  }

  /** Every service's own /health (database, Kafka, outboxPending). */
  async health(): Promise<Record<string, { status: number; body: any }>> {
    const out: Record<string, { status: number; body: any }> = {};
    await Promise.all(
      [...this.services.values()].map(async (s) => {
        out[s.name] = await getJson(`http://127.0.0.1:${s.port}/health`);
      }),
    );
    return out;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const all = [...this.services.values(), ...(this.gateway ? [this.gateway] : [])];
    for (const p of all) {
      try {
        p.child.kill('SIGCONT');
        p.child.kill('SIGTERM');
      } catch {
        // already gone
      }
    }
    await Promise.all(all.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 10_000))])));
    for (const p of all) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    const pid = this.brokerPid();
    if (pid !== undefined) {
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && fs.existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
    }
    if (this.exitHook) process.removeListener('exit', this.exitHook);
  }
}

/** GET a JSON document without keeping the connection (no handle left open behind). */
function getJson(url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, body: { error: error.message } }));
  });
}

/** utime + stime of a process, in seconds (0 when gone). */
export function cpuOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : 0;
  } catch {
    return 0;
  }
}
