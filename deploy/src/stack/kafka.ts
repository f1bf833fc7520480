import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Admin, ITopicConfig, Kafka, logLevel } from 'kafkajs';
import { Log, StackError } from './log';
import { canBind, isPortAnswering, whoHoldsPortHint } from './ports';
import { repoRoot, dataPath } from './paths';

/** Apache Kafka version run locally; must match `kafka.version` in deploy/kafka/pom.xml. */
export const KAFKA_VERSION = '3.9.2';

export interface KafkaOptions {
  /** Broker data (config, KRaft metadata, logs, broker.log), e.g. `.data/kafka`. */
  dataDir: string;
  /** PLAINTEXT listener for clients (127.0.0.1). */
  port: number;
  /** CONTROLLER listener (KRaft quorum, 127.0.0.1). */
  controllerPort: number;
  /** Topics to create explicitly (auto-creation is off); existing ones are left alone. */
  topics: string[];
  log?: Log;
  /** Overrides the `KAFKA_BROKERS` environment variable (pass `null` to ignore it). */
  brokers?: string | null;
  /** Where the Kafka jars are copied by Maven (default `.data/kafka-libs`, shared by every local broker). */
  libsDir?: string;
  /** Partitions of the created topics (default 3). */
  partitions?: number;
  /** How long to wait for the broker to accept clients (default 90 s). */
  startTimeoutMs?: number;
}

export interface KafkaHandle {
  /** Bootstrap servers, e.g. `['127.0.0.1:9092']`. */
  brokers: string[];
  /** Stops the broker when this call started it (SIGTERM, SIGKILL after 20 s); otherwise does nothing. */
  stop(): Promise<void>;
  /** True when this call started a broker process. */
  started: boolean;
}

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 20_000;

/**
 * Finds or starts Apache Kafka:
 * 1. `KAFKA_BROKERS` (or `options.brokers`) when set: used as is;
 * 2. a Kafka broker already answering on `port` (e.g. left by a previous run): reused;
 * 3. otherwise a real Kafka broker (KRaft, broker+controller, single node) started as a child process
 *    from the Maven Central jars, its data under `dataDir` (a second start reuses it).
 * In every case the given topics are created when missing.
 */
export async function ensureKafka(options: KafkaOptions): Promise<KafkaHandle> {
  const log = options.log ?? (() => undefined);
  const partitions = options.partitions ?? 3;
  const given = options.brokers === undefined ? process.env.KAFKA_BROKERS : options.brokers;
  if (given) {
    const brokers = given.split(',').map((b) => b.trim()).filter(Boolean);
    log(`using KAFKA_BROKERS=${brokers.join(',')}`);
    await createTopics(brokers, options.topics, partitions, log);
    return { brokers, stop: async () => undefined, started: false };
  }

  const brokers = [`${HOST}:${options.port}`];
  if (await isPortAnswering(options.port, HOST)) {
    if (await isKafkaBroker(brokers)) {
      log(`a Kafka broker already answers on ${brokers[0]}: reusing it (not started by this run, so not stopped by it)`);
      await createTopics(brokers, options.topics, partitions, log);
      return { brokers, stop: async () => undefined, started: false };
    }
    throw new StackError(
      `Port ${options.port} is taken by something that is not a Kafka broker.\n` +
        `  Free it (${whoHoldsPortHint(options.port)}), or use an existing broker with KAFKA_BROKERS=host:port.`,
    );
  }
  for (const port of [options.port, options.controllerPort]) {
    if (!(await canBind(port))) {
      throw new StackError(
        `Port ${port} is needed by the local Kafka broker but is already in use.\n` +
          `  Free it (${whoHoldsPortHint(port)}), or use an existing broker with KAFKA_BROKERS=host:port.`,
      );
    }
  }

  const java = checkJava();
  const libsDir = options.libsDir ?? dataPath('kafka-libs');
  await resolveKafkaJars(libsDir, log);
  const files = writeBrokerConfig(options);
  formatStorageIfNeeded(java, libsDir, files, log);
  return startBroker(java, libsDir, files, options, brokers, log, partitions);
}

// ---------------------------------------------------------------------------------------------- prerequisites

function checkJava(): string {
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new StackError(
      'Java was not found: the local Kafka broker needs a Java runtime, version 17 (11 at least).\n' +
        '  Install one (e.g. `sudo apt-get install openjdk-17-jre-headless`, or https://adoptium.net), check `java -version`,\n' +
        '  or use an existing broker with KAFKA_BROKERS=host:port.',
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(probe.stderr + probe.stdout);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
  if (major && major < 11) {
    throw new StackError(`Java ${major} found; Kafka ${KAFKA_VERSION} needs Java 11 or newer (17 recommended). Install a newer JDK or set JAVA_HOME.`);
  }
  return java;
}

const pomPath = () => path.join(repoRoot(), 'deploy', 'kafka', 'pom.xml');

/** Copies kafka_2.13 and its runtime dependencies from Maven Central into `libsDir` once (a marker records completion). */
async function resolveKafkaJars(libsDir: string, log: Log): Promise<void> {
  const pom = fs.readFileSync(pomPath());
  const fingerprint = createHash('sha256').update(pom).digest('hex');
  const marker = path.join(libsDir, '.complete');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === fingerprint) return;

  const mvn = process.env.MAVEN_CMD ?? 'mvn';
  const probe = spawnSync(mvn, ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new StackError(
      `Maven was not found: it fetches the Kafka ${KAFKA_VERSION} jars from Maven Central (once, into ${libsDir}).\n` +
        '  Install it (e.g. `sudo apt-get install maven`, or https://maven.apache.org/install.html) and check `mvn -v`,\n' +
        '  or use an existing broker with KAFKA_BROKERS=host:port.',
    );
  }
  const staging = `${libsDir}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(libsDir), { recursive: true });
  log(`downloading Apache Kafka ${KAFKA_VERSION} and its dependencies from Maven Central (first run only)…`);
  const started = Date.now();
  const output = await run(mvn, [
    '-q', '-B', '-f', pomPath(), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`,
  ]);
  if (output.code !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new StackError(
      `Maven could not fetch the Kafka jars (exit ${output.code}). Last output:\n${tail(output.text, 30)}\n` +
        '  Check the network access to https://repo.maven.apache.org (proxy settings in ~/.m2/settings.xml), then run again.',
    );
  }
  const jars = fs.readdirSync(staging).filter((f) => f.endsWith('.jar'));
  if (!jars.some((j) => j.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) {
    throw new StackError(`Maven ran but kafka_2.13-${KAFKA_VERSION}.jar is not in ${staging}; check deploy/kafka/pom.xml.`);
  }
  fs.writeFileSync(path.join(staging, '.complete'), `${fingerprint}\n`);
  fs.rmSync(libsDir, { recursive: true, force: true });
  try {
    fs.renameSync(staging, libsDir);
  } catch (error) {
    // another process finished first: keep its copy if complete
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(marker)) throw error;
  }
  log(`Kafka jars ready in ${libsDir} (${jars.length} jars, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

// ---------------------------------------------------------------------------------------------- configuration

interface BrokerFiles {
  dataDir: string;
  serverProperties: string;
  log4jProperties: string;
  logDir: string;
  brokerLog: string;
}

/** Writes server.properties (single node, broker+controller, sized for 2 cores) and log4j.properties. */
function writeBrokerConfig(options: KafkaOptions): BrokerFiles {
  const dataDir = path.resolve(options.dataDir);
  const logDir = path.join(dataDir, 'kraft-combined-logs');
  fs.mkdirSync(logDir, { recursive: true });
  const partitions = options.partitions ?? 3;
  const properties: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${HOST}:${options.controllerPort}`,
    listeners: `PLAINTEXT://${HOST}:${options.port},CONTROLLER://${HOST}:${options.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${options.port}`,
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': logDir,
    // single node: every internal topic has one replica
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 10,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'num.partitions': partitions,
    'auto.create.topics.enable': false,
    'delete.topic.enable': true,
    'group.initial.rebalance.delay.ms': 0,
    // sized for 2 cores and a 512 MiB heap
    'num.network.threads': 2,
    'num.io.threads': 4,
    'background.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'num.replica.fetchers': 1,
    'log.cleaner.threads': 1,
    'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024,
    'log.segment.bytes': 64 * 1024 * 1024,
    'log.retention.hours': 168,
    'socket.send.buffer.bytes': 102400,
    'socket.receive.buffer.bytes': 102400,
    'socket.request.max.bytes': 104857600,
  };
  const serverProperties = path.join(dataDir, 'server.properties');
  fs.writeFileSync(
    serverProperties,
    '# Generated by deploy/src/stack/kafka.ts at each start; edit the generator, not this file.\n' +
      Object.entries(properties).map(([k, v]) => `${k}=${v}`).join('\n') + '\n',
  );
  const log4jProperties = path.join(dataDir, 'log4j.properties');
  fs.writeFileSync(
    log4jProperties,
    [
      '# Generated by deploy/src/stack/kafka.ts. The broker writes to stdout, redirected to broker.log.',
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka=INFO',
      'log4j.logger.org.apache.kafka=INFO',
      'log4j.logger.kafka.request.logger=WARN',
      'log4j.logger.kafka.controller=INFO',
      'log4j.logger.state.change.logger=WARN',
      'log4j.logger.kafka.log.LogCleaner=WARN',
      'log4j.logger.org.apache.kafka.storage.internals.log=WARN',
      'log4j.logger.kafka.coordinator.group.GroupMetadataManager=WARN',
      '',
    ].join('\n'),
  );
  return { dataDir, serverProperties, log4jProperties, logDir, brokerLog: path.join(dataDir, 'broker.log') };
}

const classpath = (libsDir: string) => path.join(libsDir, '*');

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what `kafka-storage random-uuid` prints). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Formats the KRaft storage unless already formatted (meta.properties present): a second start keeps the data. */
function formatStorageIfNeeded(java: string, libsDir: string, files: BrokerFiles, log: Log): void {
  if (fs.existsSync(path.join(files.logDir, 'meta.properties'))) return;
  const clusterIdFile = path.join(files.dataDir, 'cluster.id');
  if (!fs.existsSync(clusterIdFile)) fs.writeFileSync(clusterIdFile, `${newClusterId()}\n`);
  const clusterId = fs.readFileSync(clusterIdFile, 'utf8').trim();
  log(`formatting the KRaft storage in ${files.logDir} (cluster ${clusterId})`);
  const result = spawnSync(
    java,
    ['-Xmx256m', `-Dlog4j.configuration=file:${files.log4jProperties}`, '-cp', classpath(libsDir),
      'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', files.serverProperties],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new StackError(
      `Formatting the Kafka storage failed (exit ${result.status}):\n${tail(`${result.stdout}\n${result.stderr}`, 20)}\n` +
        `  If ${files.dataDir} holds data from another Kafka version or cluster, delete that folder and run again.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------- process

async function startBroker(
  java: string,
  libsDir: string,
  files: BrokerFiles,
  options: KafkaOptions,
  brokers: string[],
  log: Log,
  partitions: number,
): Promise<KafkaHandle> {
  if (fs.existsSync(files.brokerLog)) fs.renameSync(files.brokerLog, `${files.brokerLog}.1`);
  const out = fs.openSync(files.brokerLog, 'a');
  const args = [
    '-Xmx512m', '-Xms256m',
    '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${files.log4jProperties}`, `-Dkafka.logs.dir=${files.dataDir}`,
    '-cp', classpath(libsDir), 'kafka.Kafka', files.serverProperties,
  ];
  log(`starting Apache Kafka ${KAFKA_VERSION} (KRaft) on ${brokers[0]}, controller on ${HOST}:${options.controllerPort}, log ${files.brokerLog}`);
  // own process group: a terminal Ctrl-C reaches the launcher only, which then stops the broker last, in order
  const child = spawn(java, args, { cwd: files.dataDir, stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const killOnExit = () => {
    if (exitCode === undefined) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (exitCode !== undefined || child.exitCode !== null) return;
    log('stopping the Kafka broker');
    await terminate(child, exited, STOP_GRACE_MS, log);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  const startedAt = Date.now();
  for (;;) {
    if (exitCode !== undefined) {
      throw new StackError(
        `The Kafka broker exited during start-up (code ${exitCode}). Last lines of ${files.brokerLog}:\n${tailFile(files.brokerLog, 40)}`,
      );
    }
    if (await isKafkaBroker(brokers, 2000)) break;
    if (Date.now() > deadline) {
      const lastLines = tailFile(files.brokerLog, 40);
      await stop().catch(() => undefined);
      throw new StackError(
        `The Kafka broker did not accept connections on ${brokers[0]} within ${((options.startTimeoutMs ?? 90_000) / 1000).toFixed(1)} s ` +
          `(stopped it). Last lines of ${files.brokerLog}:\n${lastLines}\n` +
          '  A slow machine? Run again (the data is kept); otherwise the log above tells why it did not start.',
      );
    }
    await sleep(500);
  }
  log(`Kafka broker up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (pid ${child.pid})`);
  try {
    await createTopics(brokers, options.topics, partitions, log);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { brokers, stop, started: true };
}

async function terminate(child: ChildProcess, exited: Promise<unknown>, graceMs: number, log: Log): Promise<void> {
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
    log(`the Kafka broker did not stop within ${graceMs / 1000} s: killing it`);
    child.kill('SIGKILL');
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------- admin

function adminClient(brokers: string[], connectionTimeout = 3000): Admin {
  const kafka = new Kafka({
    clientId: 'cnfs-stack',
    brokers,
    connectionTimeout,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  return kafka.admin();
}

/** True when a Kafka broker answers a metadata request on `brokers`. */
export async function isKafkaBroker(brokers: string[], timeoutMs = 3000): Promise<boolean> {
  const admin = adminClient(brokers, timeoutMs);
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        await admin.describeCluster();
      })(),
      timeoutMs + 1000,
    );
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Creates the missing topics (`partitions` partitions, replication factor 1); retried while the broker settles. */
export async function createTopics(brokers: string[], topics: string[], partitions = 3, log: Log = () => undefined): Promise<void> {
  if (topics.length === 0) return;
  let lastError: unknown;
  for (let attempt = 1; attempt <= 10; attempt++) {
    const admin = adminClient(brokers, 5000);
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        // The event topics are the platform's history: kept forever, so the audit trail (and any new
        // read model) can be rebuilt by replaying them from the beginning.
        const configs: ITopicConfig[] = missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'retention.ms', value: '-1' }],
        }));
        await admin.createTopics({ topics: configs, waitForLeaders: true, timeout: 30_000 });
        log(`created ${missing.length} topic(s): ${missing.join(', ')}`);
      }
      return;
    } catch (error) {
      if (isAlreadyExists(error)) return;
      lastError = error;
      await sleep(500 * attempt);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  throw new StackError(`Could not create the Kafka topics on ${brokers.join(',')}: ${(lastError as Error)?.message ?? lastError}`);
}

function isAlreadyExists(error: unknown): boolean {
  const e = error as { type?: string; errors?: Array<{ type?: string }> };
  if (e?.type === 'TOPIC_ALREADY_EXISTS') return true;
  return Array.isArray(e?.errors) && e.errors.length > 0 && e.errors.every((x) => x?.type === 'TOPIC_ALREADY_EXISTS');
}

// ---------------------------------------------------------------------------------------------- utilities

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}

function run(command: string, args: string[]): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', (error) => resolve({ code: -1, text: String(error) }));
    child.on('close', (code) => resolve({ code, text }));
  });
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).map((l) => `    ${l}`).join('\n');
}

function tailFile(file: string, lines: number): string {
  try {
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    fs.closeSync(fd);
    return tail(buffer.toString('utf8'), lines);
  } catch {
    return '    (no broker log)';
  }
}
