import request from 'supertest';
import { randomUUID } from 'node:crypto';
import {
  CoselecDecisionRecordedV1,
  ContractSignedV1,
  ConventionValidatedV1,
  EVENT_SAMPLES,
  EventEnvelope,
  PrefectOpinionGivenV1,
  StructureRegisteredV1,
} from '@cnfs/contracts';
import { DLQ_HEADER } from '@cnfs/messaging';
import { ManualClock } from '@cnfs/service-kit';
import { AuditInstance, createTopics, eventually, startAudit, TestProducer, tokens } from '../test/harness';

const sampleOf = <P>(definition: { is(e: EventEnvelope): e is EventEnvelope<P> }) => EVENT_SAMPLES.find((s) => definition.is(s))!.payload as P;
const anct = { kind: 'user' as const, subject: 'agent-1', role: 'anct' as const };

interface ChainRow {
  message_id: string;
  hash: string;
  prev_stream_hash: string;
  prev_aggregate_hash: string;
  stream_topic: string;
  stream_partition: number;
  stream_seq: string;
  aggregate_seq: string;
  schema_status: string;
}
const chainOf = async (audit: AuditInstance): Promise<ChainRow[]> =>
  audit.dataSource.query(
    `SELECT message_id, hash, prev_stream_hash, prev_aggregate_hash, stream_topic, stream_partition, stream_seq, aggregate_seq, schema_status
       FROM audit_entries ORDER BY message_id`,
  );

describe('replaying the topics from the beginning rebuilds the same chain', () => {
  let live: AuditInstance;
  let replay: AuditInstance | undefined;
  let producer: TestProducer;
  let topics: { structures: string; conventions: string; contracts: string };
  let auth: Awaited<ReturnType<typeof tokens>>;
  const run = randomUUID().slice(0, 8);
  const departments = ['59', '62', '974', '971', '2A'];
  const emitted: EventEnvelope[] = [];
  let clock: ManualClock;

  const emit = async (topic: string, envelope: EventEnvelope) => {
    emitted.push(envelope);
    await producer.emit({ topic, envelope });
  };
  const verify = async (audit: AuditInstance) =>
    (await request(audit.http()).get('/api/v1/audit/verification').set('Authorization', `Bearer ${auth.anct}`).expect(200)).body;

  beforeAll(async () => {
    auth = await tokens();
    topics = await createTopics({ structures: 3, conventions: 2, contracts: 3 });
    producer = await TestProducer.start();
    clock = new ManualClock(new Date('2026-02-01T00:00:00Z'));
    live = await startAudit({ topics: Object.values(topics), clock });
  });

  afterAll(async () => {
    await replay?.close();
    await live?.close();
    await producer?.close();
  });

  it('records every event once — unknown-but-valid types included, across a crash between database and offset commits — while they are produced in waves', async () => {
    // Wave 1: structures registered and decided on, one command at a time, while the audit consumes.
    for (let i = 0; i < 10; i++) {
      const structureId = `s-${run}-${i}`;
      const departmentCode = departments[i % departments.length];
      const at = new Date(Date.UTC(2021, 0, 10 + i, 9));
      await emit(topics.structures, StructureRegisteredV1.create(structureId, { ...sampleOf(StructureRegisteredV1), structureId, departmentCode }, { actor: anct, occurredAt: at }));
      await emit(topics.structures, CoselecDecisionRecordedV1.create(structureId, {
        ...sampleOf(CoselecDecisionRecordedV1), structureId, decisionId: `d-${run}-${i}`, departmentCode,
      }, { actor: anct, occurredAt: new Date(at.getTime() + 3600_000), reason: `COSELEC ${i}` }));
      clock.advance(60_000);
    }
    await eventually(async () => (await live.entryCount()) === 20, 45000, 'wave 1 recorded');

    // The live service is restarted, and then dies after each database commit, before its Kafka offset commit.
    await live.stop();
    let crashes = 0;
    live = await startAudit({
      topics: Object.values(topics), clock, schema: live.schema, consumerName: live.consumerName,
      beforeOffsetCommit: async () => {
        crashes += 1;
        throw new Error('simulated crash before the offset commit');
      },
    });

    // Wave 2: conventions and contracts committed together (one transaction, two topics), an opinion,
    // a duplicate on the wire, two future events this build does not know, and a forged message without actor.
    for (let i = 0; i < 6; i++) {
      const structureId = `s-${run}-${i}`;
      const conventionId = `c-${run}-${i}`;
      const contractId = `k-${run}-${i}`;
      const departmentCode = departments[i % departments.length];
      const convention = ConventionValidatedV1.create(conventionId, {
        ...sampleOf(ConventionValidatedV1), conventionId, structureId, structure: { ...sampleOf(ConventionValidatedV1).structure, departmentCode },
      }, { actor: anct, occurredAt: new Date(Date.UTC(2021, 2, 1 + i)) });
      const contract = ContractSignedV1.create(contractId, { ...sampleOf(ContractSignedV1), contractId, structureId, conventionId, departmentCode }, {
        actor: { kind: 'user', subject: `rh-${i}`, role: 'structure', structureId }, occurredAt: new Date(Date.UTC(2021, 3, 1 + i)),
      });
      emitted.push(convention, contract);
      await producer.emit({ topic: topics.conventions, envelope: convention }, { topic: topics.contracts, envelope: contract });
    }
    await emit(topics.structures, PrefectOpinionGivenV1.create(`s-${run}-0`, { ...sampleOf(PrefectOpinionGivenV1), structureId: `s-${run}-0`, opinionId: `o-${run}` }, {
      actor: { kind: 'user', subject: 'pref-59', role: 'prefecture', departments: ['59'] }, occurredAt: new Date('2022-12-01T10:00:00Z'),
    }));
    await producer.duplicate(topics.structures, emitted[3]);
    const future = {
      ...StructureRegisteredV1.create(`s-${run}-0`, { ...sampleOf(StructureRegisteredV1), structureId: `s-${run}-0`, departmentCode: '59' }, { actor: anct, occurredAt: new Date('2023-01-05T00:00:00Z') }),
      type: 'structures.StructureMerged',
      payload: { structureId: `s-${run}-0`, mergedIntoId: `s-${run}-1`, departmentCode: '59', newField: { nested: [1, 2] } },
    };
    const nextVersion = {
      ...StructureRegisteredV1.create(`s-${run}-1`, { ...sampleOf(StructureRegisteredV1), structureId: `s-${run}-1` }, { actor: anct, occurredAt: new Date('2023-01-06T00:00:00Z') }),
      version: 2,
    };
    await producer.duplicate(topics.structures, future);
    await producer.duplicate(topics.structures, nextVersion);
    const anonymous = { ...StructureRegisteredV1.create(`s-${run}-x`, { ...sampleOf(StructureRegisteredV1), structureId: `s-${run}-x` }, { actor: anct, occurredAt: new Date() }) } as Partial<EventEnvelope>;
    delete anonymous.actor;
    await producer.raw(topics.structures, `s-${run}-x`, JSON.stringify(anonymous));

    const expected = emitted.length + 2; // + the two unknown-but-valid events; the duplicate and the forged one are not entries
    await eventually(async () => (await live.entryCount()) === expected, 45000, 'wave 2 recorded');
    expect(crashes).toBeGreaterThan(0);
    // Restarted once more, healthy: wave 2 is delivered again (offsets never committed), and recognised.
    await live.stop();
    live = await startAudit({ topics: Object.values(topics), clock, schema: live.schema, consumerName: live.consumerName });
    await eventually(() => (live.consumer.inboxStats?.duplicates ?? 0) + live.consumer.stats.unrecognisedDuplicates >= 16, 45000, 'redelivered wave 2 seen');
    expect(live.consumer.stats.unrecognisedDuplicates).toBe(2);
    const rows = await chainOf(live);
    expect(rows).toHaveLength(expected);
    expect(rows.filter((r) => r.schema_status === 'unrecognised').map((r) => r.message_id).sort()).toEqual([future.messageId, nextVersion.messageId].sort());
    // The forged message went to the dead-letter topic, refused by the envelope schema: no actor.
    const { records, subscription } = await producer.collect(`${topics.structures}.dlq`);
    try {
      const dead = await eventually(() => records.find((r) => r.key === `s-${run}-x`), 30000, 'forged message dead-lettered');
      expect(dead.headers[DLQ_HEADER.reason]).toBe('invalid-message');
      expect(dead.headers[DLQ_HEADER.error]).toContain('actor');
    } finally {
      await subscription.stop();
    }
    // The unknown event keeps every field it travelled with, and is in scope for its département.
    const seen = await request(live.http()).get(`/api/v1/audit?type=structures.StructureMerged`).set('Authorization', `Bearer ${auth.prefecture59}`).expect(200);
    expect(seen.body.items).toHaveLength(1);
    expect(seen.body.items[0]).toMatchObject({ schema: 'unrecognised', departments: ['59'], payload: { newField: { nested: [1, 2] } } });
    expect(await verify(live)).toMatchObject({ status: 'intact', entries: expected });
  });

  it('rebuilds identical hashes with a fresh consumer group and a fresh schema reading the same topics', async () => {
    const liveRows = await chainOf(live);
    const liveReport = await verify(live);
    // Another clock, another group, another schema, everything read at once in big batches.
    replay = await startAudit({ topics: Object.values(topics), clock: new ManualClock(new Date('2030-06-01T00:00:00Z')) });
    await eventually(async () => (await replay!.entryCount()) === liveRows.length, 45000, 'replay caught up');
    const replayRows = await chainOf(replay);
    expect(replayRows).toEqual(liveRows);
    const replayReport = await verify(replay);
    expect(replayReport).toMatchObject({ status: 'intact', entries: liveRows.length, aggregates: liveReport.aggregates });
    expect(replayReport.rootHash).toBe(liveReport.rootHash);
    expect(replayReport.streams).toEqual(liveReport.streams);
  });
});
