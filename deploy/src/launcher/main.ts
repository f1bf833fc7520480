import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEV_JWT_SECRET } from '@cnfs/auth';
import { allPlatformTopics } from '@cnfs/contracts';
import { PLATFORM_PORTS, serviceNodeOptions } from '../config';
import { ensureKafka, KafkaHandle } from '../stack/kafka';
import { consoleLog, StackError } from '../stack/log';
import { isPortFree, whoHoldsPortHint } from '../stack/ports';
import { ensurePostgres, PostgresHandle, redact } from '../stack/postgres';
import { dataPath, repoRoot } from '../stack/paths';
import { httpStatus, ManagedProcess, waitForHealth } from './processes';
import { GATEWAY, SERVICES, ServiceDefinition, upstreamEnvVar } from './services';

/**
 * `npm start`: PostgreSQL (database `cnfs`), a real Kafka broker (9092/9093), every service of services.ts,
 * then the gateway on http://localhost:3000. Ctrl-C or SIGTERM stops everything this run started, in order.
 *
 * Environment: DATABASE_URL and KAFKA_BROKERS use existing infrastructure; JWT_SECRET overrides the local dev
 * secret (DEV_JWT_SECRET of @cnfs/auth, the one `npm run token` signs with); CNFS_SERVICES=a,b runs only those services (empty: none, only the stack and the gateway);
 * CNFS_CLOCK=manual with CNFS_CLOCK_START=<date> runs every service on a manual clock (the programme simulation).
 */

const log = consoleLog('launcher');
const HEALTH_TIMEOUT_MS = Number(process.env.CNFS_HEALTH_TIMEOUT_MS ?? 90_000);
/** `CNFS_CLOCK=manual CNFS_CLOCK_START=2020-11-01 npm start`: every service on a clock the simulation moves. */
const MANUAL_CLOCK = process.env.CNFS_CLOCK === 'manual';

class Launcher {
  private postgres?: PostgresHandle;
  private kafka?: KafkaHandle;
  private readonly processes: ManagedProcess[] = [];
  private gateway?: ManagedProcess;
  private stopping?: Promise<void>;

  constructor(private readonly root: string) {}

  async start(services: readonly ServiceDefinition[]): Promise<void> {
    await this.preflight(services);

    this.postgres = await ensurePostgres({ dataDir: dataPath('postgres'), database: 'cnfs', log: consoleLog('postgres') });
    this.kafka = await ensureKafka({
      dataDir: dataPath('kafka'),
      port: PLATFORM_PORTS.kafka,
      controllerPort: PLATFORM_PORTS.kafkaController,
      topics: allPlatformTopics(),
      log: consoleLog('kafka'),
    });

    const common = {
      ...process.env,
      DATABASE_URL: this.postgres.url,
      KAFKA_BROKERS: this.kafka.brokers.join(','),
      JWT_SECRET: process.env.JWT_SECRET || DEV_JWT_SECRET,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      NODE_OPTIONS: serviceNodeOptions(),
      // Under a manual clock (CNFS_CLOCK=manual, passed through like the rest of the environment) months pass in
      // seconds: the subsidies service looks for tranches come due every second rather than every minute.
      ...(MANUAL_CLOCK ? { SUBSIDIES_JOB_INTERVAL_MS: process.env.SUBSIDIES_JOB_INTERVAL_MS || '1000' } : {}),
    };

    for (const service of services) {
      const proc = this.spawn(service, { ...common, PORT: String(service.port), SERVICE_NAME: service.name });
      await waitForHealth(proc, `http://127.0.0.1:${service.port}/health`, HEALTH_TIMEOUT_MS);
      log(`${service.name} is up on http://127.0.0.1:${service.port}`);
    }

    const upstreams = Object.fromEntries(services.map((s) => [upstreamEnvVar(s.name), `http://127.0.0.1:${s.port}`]));
    this.gateway = this.spawn(GATEWAY, { ...common, ...upstreams, PORT: String(GATEWAY.port), SERVICE_NAME: GATEWAY.name });
    // the gateway's /health is 200 only when every service behind it is: wait for it to answer at all
    await waitForGatewayListening(this.gateway);

    log('');
    log(`platform ready: http://localhost:${GATEWAY.port}  (health: http://localhost:${GATEWAY.port}/health)`);
    log(`  PostgreSQL ${redact(this.postgres.url)}${this.postgres.started ? ' (embedded, started by this run)' : ''}`);
    log(`  Kafka      ${this.kafka.brokers.join(',')}${this.kafka.started ? ' (started by this run)' : ''}`);
    log(`  services   ${services.map((s) => `${s.name}:${s.port}`).join(', ') || '(none)'}`);
    if (MANUAL_CLOCK) log(`  clock      manual, from ${process.env.CNFS_CLOCK_START || 'now'}: moved by PUT /api/v1/clock (npm run simulate)`);
    log('Ctrl-C stops everything.');

    // a service that dies after start-up is reported (the rest keeps running)
    for (const proc of [...this.processes]) {
      void proc.exited.then((code) => {
        if (!this.stopping) log(`${proc.name} exited unexpectedly (code ${code}); the other services keep running`);
      });
    }
  }

  /** Fails fast, before starting anything, when the build is missing or a port is taken. */
  private async preflight(services: readonly ServiceDefinition[]): Promise<void> {
    const problems: string[] = [];
    for (const service of [...services, GATEWAY]) {
      if (!fs.existsSync(path.join(this.root, service.entry))) {
        problems.push(`${service.name}: ${service.entry} is missing — build first with \`npm run build\` (npm start does it).`);
      }
    }
    for (const service of [...services, GATEWAY]) {
      if (!(await isPortFree(service.port))) {
        problems.push(
          `${service.name}: port ${service.port} is already in use — is the platform already running? ` +
            `Stop it, or ${whoHoldsPortHint(service.port)}.`,
        );
      }
    }
    if (problems.length) throw new StackError(`Cannot start the platform:\n  - ${problems.join('\n  - ')}`);
  }

  private spawn(service: ServiceDefinition, env: NodeJS.ProcessEnv): ManagedProcess {
    log(`starting ${service.name} on port ${service.port}`);
    const proc = new ManagedProcess(service.name, path.join(this.root, service.entry), { cwd: this.root, env });
    if (service === GATEWAY) this.gateway = proc;
    else this.processes.push(proc);
    return proc;
  }

  /** Services and gateway first, then Kafka, then an embedded PostgreSQL. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const running = [...this.processes, ...(this.gateway ? [this.gateway] : [])].filter((p) => p.running);
      if (running.length) log(`stopping ${running.map((p) => p.name).join(', ')}`);
      await Promise.all(running.map((p) => p.stop()));
      if (this.kafka) await this.kafka.stop().catch((e) => log(`Kafka stop failed: ${(e as Error).message}`));
      if (this.postgres) await this.postgres.stop().catch((e) => log(`PostgreSQL stop failed: ${(e as Error).message}`));
      log('stopped');
    })();
    return this.stopping;
  }

  /** Synchronous last resort (process 'exit'): no orphan service keeps a port. */
  killAll(): void {
    for (const p of [...this.processes, ...(this.gateway ? [this.gateway] : [])]) p.kill();
  }
}

async function waitForGatewayListening(gateway: ManagedProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!gateway.running) throw new Error('the gateway exited during start-up (see its output above)');
    const status = await httpStatus(`http://127.0.0.1:${GATEWAY.port}/health`, 5000);
    if (status !== 0) {
      if (status !== 200) log(`gateway is up but reports HTTP ${status} on /health: a service behind it is not healthy`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`the gateway did not answer on port ${GATEWAY.port} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** CNFS_SERVICES=a,b selects services of the registry; unset: all of them. */
function selectServices(): readonly ServiceDefinition[] {
  const selection = process.env.CNFS_SERVICES;
  if (selection === undefined) return SERVICES;
  const names = selection.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !SERVICES.some((s) => s.name === n));
  if (unknown.length) throw new StackError(`CNFS_SERVICES: unknown service(s) ${unknown.join(', ')}; known: ${SERVICES.map((s) => s.name).join(', ')}`);
  return SERVICES.filter((s) => names.includes(s.name));
}

async function main(): Promise<void> {
  const launcher = new Launcher(repoRoot());
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      log(`${signal} again: killing everything now`);
      launcher.killAll();
      process.exit(130);
    }
    log(`${signal} received: stopping (press Ctrl-C again to force)`);
    void launcher.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => launcher.killAll());

  try {
    await launcher.start(selectServices());
  } catch (error) {
    if (error instanceof StackError) process.stderr.write(`\n[launcher] ${error.message}\n\n`);
    else process.stderr.write(`\n[launcher] start-up failed: ${(error as Error).stack ?? error}\n\n`);
    await launcher.stop();
    process.exit(1);
  }
}

void main();
