/**
 * bench/messaging — in one run, on the same broker and database:
 *  1. raw kafkajs: produce N messages (batches) and consume them in one consumer group;
 *  2. the platform pipeline: N events written to the outbox (in business transactions), relayed to
 *     Kafka, consumed by the idempotent inbox consumer which writes one effect row per event;
 * and prints both throughputs and their ratio. Target: pipeline >= 25 % of raw kafkajs.
 *
 * Usage: npm run bench:messaging -- [--messages 20000] [--events-per-transaction 50]
 */
import { StructureRegisteredV1, EventEnvelope } from '@cnfs/contracts';
import { dataPath, ensureKafka, ensurePostgres } from '@cnfs/deploy';
import {
  InboxConsumer,
  KafkaBus,
  MessagingTables1764000000000,
  openServiceDataSource,
  Outbox,
  OutboxRelay,
} from '@cnfs/messaging';
import { performance } from 'node:perf_hooks';
import { Partitioners } from 'kafkajs';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = option('messages', 20000);
const PER_TX = option('events-per-transaction', 50);
const PARTITIONS = 3;
const runId = Date.now().toString(36);

function sampleEvent(i: number): EventEnvelope {
  const id = `bench-${runId}-${i}`;
  return StructureRegisteredV1.create(id, {
    structureId: id, siret: '21590350100017', siren: '215903501', name: `Structure ${i}`, legalStatus: 'PUBLIC', type: 'COMMUNE',
    departmentCode: '59', qpv: false, zrr: false, requestedPosts: 1,
  }, { actor: { kind: 'system', job: 'bench' }, occurredAt: new Date() });
}

async function main() {
  const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  const postgres = await ensurePostgres({ dataDir: dataPath('postgres'), database: 'cnfs_bench', log });
  const kafka = await ensureKafka({ dataDir: dataPath('kafka-bench'), port: 39092, controllerPort: 39093, topics: [], log });
  const bus = new KafkaBus({ clientId: 'bench', brokers: kafka.brokers });
  const admin = bus.raw().admin();
  await admin.connect();
  const rawTopic = `bench.raw.${runId}`;
  const pipelineTopics = [`bench.inbox.${runId}`, `bench.effect.${runId}`];
  const allTopics = [rawTopic, ...pipelineTopics.flatMap((t) => [t, `${t}.dlq`])];
  await admin.createTopics({
    waitForLeaders: true,
    topics: allTopics.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
  });
  const events = Array.from({ length: N }, (_, i) => sampleEvent(i));
  const payloadBytes = Buffer.byteLength(JSON.stringify(events[0]));

  // ---- 1. raw kafkajs -----------------------------------------------------------------------
  const raw = await (async () => {
    const producer = bus.raw().producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    const consumer = bus.raw().consumer({ groupId: `bench-raw-${runId}`, maxWaitTimeInMs: 100 });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [rawTopic], fromBeginning: true });
    let received = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    await consumer.run({
      autoCommit: true,
      eachBatch: async ({ batch }) => {
        received += batch.messages.length;
        if (received >= N) done();
      },
    });
    const started = performance.now();
    for (let i = 0; i < N; i += 500) {
      await producer.send({
        topic: rawTopic,
        acks: -1,
        messages: events.slice(i, i + 500).map((e) => ({ key: e.aggregateId, value: JSON.stringify(e) })),
      });
    }
    await finished;
    const seconds = (performance.now() - started) / 1000;
    await consumer.disconnect();
    await producer.disconnect();
    return { seconds, perSecond: N / seconds };
  })();

  // ---- 2. outbox -> relay -> Kafka -> inbox ---------------------------------------------------
  const runPipeline = async (withEffect: boolean) => {
    const pipelineTopic = pipelineTopics[withEffect ? 1 : 0];
    const schema = `bench_${runId}_${withEffect ? 'effect' : 'inbox'}`;
    const migrations = [MessagingTables1764000000000, class Effects1764000000009 {
      name = 'Effects1764000000009';
      async up(q: { query(s: string): Promise<unknown> }) { await q.query(`CREATE TABLE effects (message_id uuid PRIMARY KEY, structure_id text NOT NULL)`); }
      async down(q: { query(s: string): Promise<unknown> }) { await q.query(`DROP TABLE effects`); }
    }];
    const dataSource = await openServiceDataSource({ url: postgres.url, schema, migrations, poolSize: 10 });
    const publisher = await bus.publisher();
    const outbox = new Outbox();
    const relay = new OutboxRelay(dataSource, publisher, { batchSize: 1000, idleDelayMs: 10 });
    let effects = 0;
    const consumer = new InboxConsumer({
      name: `bench-pipeline-${runId}-${withEffect}`,
      topics: [pipelineTopic],
      dataSource,
      bus,
      dlqPublisher: publisher,
      handlers: {
        'structures.StructureRegistered': async (envelope, { manager }) => {
          if (withEffect) {
            await manager.query(`INSERT INTO effects (message_id, structure_id) VALUES ($1, $2)`, [envelope.messageId, envelope.aggregateId]);
          }
          effects += 1;
        },
      },
    });
    await consumer.start();
    await consumer.ready();
    const started = performance.now();
    relay.start();
    // Business transactions write their events to the outbox; 4 writers in parallel.
    const chunks: EventEnvelope[][] = [];
    for (let i = 0; i < N; i += PER_TX) chunks.push(events.slice(i, i + PER_TX));
    await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        for (let c = w; c < chunks.length; c += 4) {
          await dataSource.transaction((m) => outbox.add(m, ...chunks[c].map((envelope) => ({ topic: pipelineTopic, envelope }))));
        }
      }),
    );
    const written = performance.now();
    // Done when every effect is committed (the handler's counter runs inside uncommitted transactions).
    let relayDone = 0;
    for (;;) {
      if (!relayDone && (await dataSource.transaction((m) => outbox.pendingCount(m))) === 0) relayDone = performance.now();
      if (effects >= N) {
        const table = withEffect ? 'effects' : 'inbox';
        const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
        if (n >= N) break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = (performance.now() - started) / 1000;
    if (!relayDone) relayDone = performance.now(); // drained before the first look
    const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM ${withEffect ? 'effects' : 'inbox'}`);
    await relay.stop();
    await consumer.stop();
    await publisher.close();
    await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
    await dataSource.destroy();
        return { seconds, perSecond: N / seconds, writeSeconds: (written - started) / 1000, relaySeconds: (relayDone - started) / 1000, effects: row.n as number };
  };

  const pipeline = await runPipeline(false);
  const withEffect = await runPipeline(true);
  await admin.deleteTopics({ topics: allTopics }).catch(() => undefined);
  await admin.disconnect();
  await bus.close();
  await kafka.stop();
  await postgres.stop();

  const ratio = pipeline.perSecond / raw.perSecond;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`bench/messaging — ${N} messages of ${payloadBytes} bytes, ${PARTITIONS} partitions, ${PER_TX} events per outbox transaction`);
  console.log(`  raw kafkajs produce→consume        : ${fmt(raw.perSecond)} msg/s (${raw.seconds.toFixed(2)} s)`);
  const line = (label: string, r: typeof pipeline) =>
    console.log(`  ${label}: ${fmt(r.perSecond)} msg/s (${r.seconds.toFixed(2)} s; outbox written by ${r.writeSeconds.toFixed(2)} s, relayed by ${r.relaySeconds.toFixed(2)} s)`);
  line('outbox→relay→Kafka→inbox           ', pipeline);
  line('same + one effect row per message   ', withEffect);
  console.log(`  ratio pipeline / raw               : ${(ratio * 100).toFixed(1)} % (target >= 25 %)`);
  console.log(`  ratio pipeline+effect / raw        : ${((withEffect.perSecond / raw.perSecond) * 100).toFixed(1)} %`);
  for (const r of [pipeline, withEffect]) {
    if (r.effects !== N) {
      console.error(`  ERROR: ${r.effects} effects for ${N} events`);
      process.exitCode = 1;
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
