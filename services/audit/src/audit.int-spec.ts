import request from 'supertest';
import { randomUUID } from 'node:crypto';
import {
  CoselecDecisionRecordedV1,
  ContractSignedV1,
  EVENT_SAMPLES,
  EventContext,
  EventEnvelope,
  InvalidEnvelopeError,
  StructureRegisteredV1,
} from '@cnfs/contracts';
import { ManualClock } from '@cnfs/service-kit';
import { AuditInstance, createTopics, eventually, startAudit, TestProducer, tokens } from '../test/harness';
import { AuditQueries } from './audit.queries';
import { entryHash } from './domain';

const sampleOf = <P>(definition: { is(e: EventEnvelope): e is EventEnvelope<P> }) => EVENT_SAMPLES.find((s) => definition.is(s))!.payload as P;

describe('audit trail on the real stack', () => {
  let audit: AuditInstance;
  let producer: TestProducer;
  let topics: { structures: string; contracts: string };
  let auth: Awaited<ReturnType<typeof tokens>>;
  const clock = new ManualClock(new Date('2026-01-10T08:00:00Z'));
  const run = randomUUID().slice(0, 8);
  const structureId = `s-${run}`;
  const contractId = `k-${run}`;
  let registered: EventEnvelope;
  let coselec: EventEnvelope;
  let signed: EventEnvelope;

  const get = (path: string, token?: string) => {
    const call = request(audit.http()).get(path);
    return token ? call.set('Authorization', `Bearer ${token}`) : call;
  };
  const verification = async () => (await get('/api/v1/audit/verification', auth.anct).expect(200)).body;
  /** What an attacker with rights on the database can do: switch the append-only triggers off for a moment. */
  const asAttacker = async (sql: string, params: unknown[] = []) => {
    const runner = audit.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('ALTER TABLE audit_entries DISABLE TRIGGER USER');
      await runner.query(sql, params);
    } finally {
      await runner.query('ALTER TABLE audit_entries ENABLE TRIGGER USER');
      await runner.release();
    }
  };
  const rowOf = async (messageId: string) => (await audit.dataSource.query(`SELECT * FROM audit_entries WHERE message_id = $1`, [messageId]))[0];

  beforeAll(async () => {
    auth = await tokens();
    topics = await createTopics({ structures: 3, contracts: 3 });
    producer = await TestProducer.start();
    audit = await startAudit({ topics: [topics.structures, topics.contracts], clock });

    const agent = (subject: string): EventContext['actor'] => ({ kind: 'user', subject, role: 'anct' });
    registered = StructureRegisteredV1.create(structureId, { ...sampleOf(StructureRegisteredV1), structureId, departmentCode: '59' }, {
      actor: agent('agent-registrar'), occurredAt: new Date('2021-01-15T09:00:00Z'), correlationId: `corr-${run}`,
    });
    coselec = CoselecDecisionRecordedV1.create(structureId, {
      ...sampleOf(CoselecDecisionRecordedV1), structureId, decisionId: `d-${run}`, departmentCode: '59',
    }, { actor: agent('agent-coselec'), occurredAt: new Date('2021-02-15T14:30:00Z'), reason: 'COSELEC 12 du 15 février 2021' });
    signed = ContractSignedV1.create(contractId, {
      ...sampleOf(ContractSignedV1), contractId, structureId: `s974-${run}`, departmentCode: '974',
    }, { actor: { kind: 'user', subject: 'rh-saint-denis', role: 'structure', structureId: `s974-${run}` }, occurredAt: new Date('2021-04-01T07:00:00Z') });
    // As the services would: each command commits its event through the outbox.
    await producer.emit({ topic: topics.structures, envelope: registered });
    await producer.emit({ topic: topics.structures, envelope: coselec });
    await producer.emit({ topic: topics.contracts, envelope: signed });
    await eventually(async () => (await audit.entryCount()) === 3, 45000, 'three entries recorded');
  });

  afterAll(async () => {
    await audit?.close();
    await producer?.close();
  });

  it('records a structure registered, a coselec decision and a contract signed, with their actors, reasons and links, in order', async () => {
    const { body } = await get('/api/v1/audit', auth.anct).expect(200);
    expect(body.total).toBe(3);
    expect(body.items.map((e: { type: string }) => e.type)).toEqual([
      'structures.StructureRegistered', 'structures.CoselecDecisionRecorded', 'conventions.ContractSigned',
    ]);
    expect(body.items.map((e: { actor: { subject: string } }) => e.actor.subject)).toEqual(['agent-registrar', 'agent-coselec', 'rh-saint-denis']);
    const [first, second, third] = body.items;
    expect(first).toMatchObject({ messageId: registered.messageId, occurredAt: '2021-01-15T09:00:00.000Z', aggregateType: 'Structure', aggregateId: structureId,
      correlationId: `corr-${run}`, departments: ['59'], schema: 'catalog', recordedAt: '2026-01-10T08:00:00.000Z', reason: null });
    expect(second).toMatchObject({ reason: 'COSELEC 12 du 15 février 2021', departments: ['59'], payload: { decisionId: `d-${run}`, grantedPosts: 2 } });
    expect(third).toMatchObject({ actor: { kind: 'user', role: 'structure', structureId: `s974-${run}` }, departments: ['974'], aggregateId: contractId });
    // The decision follows the registration in its aggregate and in its stream; the contract starts chains of its own.
    expect(second.stream).toMatchObject({ topic: topics.structures, partition: first.stream.partition, seq: 2 });
    expect(second.chain).toMatchObject({ aggregateSeq: 2, prevAggregateHash: first.chain.hash, prevStreamHash: first.chain.hash });
    expect(third.chain).toMatchObject({ aggregateSeq: 1, prevAggregateHash: '0'.repeat(64), prevStreamHash: '0'.repeat(64) });
    expect(new Set(body.items.map((e: { chain: { hash: string } }) => e.chain.hash)).size).toBe(3);
  });

  it('filters by aggregate, actor, type and period, and pages', async () => {
    const ids = async (query: string) => (await get(`/api/v1/audit?${query}`, auth.anct).expect(200)).body.items.map((e: { messageId: string }) => e.messageId);
    expect(await ids(`aggregateType=Structure&aggregateId=${structureId}`)).toEqual([registered.messageId, coselec.messageId]);
    expect(await ids('actor=agent-coselec')).toEqual([coselec.messageId]);
    expect(await ids('type=conventions.ContractSigned')).toEqual([signed.messageId]);
    expect(await ids('from=2021-02-01&to=2021-02-15')).toEqual([coselec.messageId]); // a date-only `to` covers its day
    expect(await ids('from=2021-02-15T14:30:00.001Z')).toEqual([signed.messageId]);
    expect(await ids('to=2021-02-15T14:30:00Z')).toEqual([registered.messageId, coselec.messageId]);
    const page = (await get('/api/v1/audit?page=2&pageSize=2', auth.anct).expect(200)).body;
    expect(page).toMatchObject({ page: 2, pageSize: 2, total: 3 });
    expect(page.items.map((e: { messageId: string }) => e.messageId)).toEqual([signed.messageId]);
  });

  it('answers 400 naming the field for bad filters', async () => {
    const bad = async (query: string) => (await get(`/api/v1/audit?${query}`, auth.anct).expect(400)).body.errors.map((e: { field: string }) => e.field);
    expect(await bad('from=yesterday')).toEqual(['from']);
    expect(await bad('from=2021-02-30')).toEqual(['from']);
    expect(await bad('from=2021-03-01&to=2021-02-01')).toEqual(['to']);
    expect(await bad('pageSize=5000')).toEqual(['pageSize']);
    expect(await bad('departmentCode=999')).toEqual(['departmentCode']);
    expect(await bad('color=red')).toEqual(['color']);
  });

  it('shows a préfecture only entries about its départements; anct sees all; other roles are refused', async () => {
    const seen = async (token: string, query = '') =>
      (await get(`/api/v1/audit${query}`, token).expect(200)).body.items.map((e: { messageId: string }) => e.messageId);
    expect(await seen(auth.prefecture59)).toEqual([registered.messageId, coselec.messageId]);
    expect(await seen(auth.prefecture59, `?aggregateId=${contractId}`)).toEqual([]);
    expect(await seen(auth.prefecture59, '?departmentCode=974')).toEqual([]);
    expect(await seen(auth.prefecture974)).toEqual([signed.messageId]);
    expect(await seen(auth.prefectureBoth)).toEqual([registered.messageId, coselec.messageId, signed.messageId]);
    expect(await seen(auth.anct, '?departmentCode=974')).toEqual([signed.messageId]);
    for (const token of [auth.bdt, auth.structure, auth.provider]) {
      await get('/api/v1/audit', token).expect(403);
      await get('/api/v1/audit/export', token).expect(403);
    }
    await get('/api/v1/audit').expect(401);
    await get('/api/v1/audit/verification', auth.prefecture59).expect(403);
  });

  it('exports the trail as a streamed CSV, with the same scope', async () => {
    const all = await get('/api/v1/audit/export', auth.anct).expect(200);
    expect(all.headers['content-type']).toMatch(/text\/csv/);
    expect(all.headers['content-disposition']).toBe('attachment; filename="audit-2026-01-10.csv"');
    const lines = all.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,occurredAt,recordedAt,type,version,aggregateType,aggregateId,actorKind,actor,actorRole,actorScope,reason,/);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain('agent-coselec');
    expect(lines[2]).toContain('COSELEC 12 du 15 février 2021');
    expect(lines[3]).toContain(`s974-${run}`);
    const scoped = await get('/api/v1/audit/export?from=2021-01-01', auth.prefecture59).expect(200);
    expect(scoped.text.trim().split('\r\n')).toHaveLength(3);
    expect(scoped.text).not.toContain(contractId);
    // Pages are read by keyset: a page size of 2 gives the 3 entries once each, in order.
    const streamed: string[] = [];
    for await (const entry of audit.app.get(AuditQueries).stream({}, undefined, 2)) streamed.push(entry.messageId);
    expect(streamed).toEqual([registered.messageId, coselec.messageId, signed.messageId]);
  });

  it('verifies an intact trail', async () => {
    const report = await verification();
    expect(report).toMatchObject({ status: 'intact', entries: 3, aggregates: 2, brokenLinkCount: 0, firstBrokenLink: null, verifiedAt: '2026-01-10T08:00:00.000Z' });
    expect(report.rootHash).toMatch(/^[0-9a-f]{64}$/);
    expect(report.streams).toHaveLength(2);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the trail', async () => {
    await expect(audit.dataSource.query(`UPDATE audit_entries SET reason = 'rewritten' WHERE message_id = $1`, [coselec.messageId])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(audit.dataSource.query(`DELETE FROM audit_entries WHERE message_id = $1`, [coselec.messageId])).rejects.toThrow(/append-only: DELETE refused/);
    await expect(audit.dataSource.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await audit.entryCount()).toBe(3);
  });

  it('reports an UPDATE made directly in the table (triggers disabled) as the first broken link', async () => {
    const before = await rowOf(coselec.messageId);
    await asAttacker(`UPDATE audit_entries SET event = replace(event, '"grantedPosts":2', '"grantedPosts":5') WHERE message_id = $1`, [coselec.messageId]);
    expect((await rowOf(coselec.messageId)).event).toContain('"grantedPosts":5');
    const report = await verification();
    expect(report.status).toBe('broken');
    expect(report.firstBrokenLink).toMatchObject({
      problem: 'hash-mismatch', chain: 'entry', entryId: before.id, messageId: coselec.messageId, actual: before.hash,
      stream: { topic: topics.structures }, position: 2,
    });
    expect(report.brokenLinkCount).toBe(1);
    await asAttacker(`UPDATE audit_entries SET event = $2 WHERE message_id = $1`, [coselec.messageId, before.event]);
    expect((await verification()).status).toBe('intact');
  });

  it('reports an edit whose hash was recomputed at the next link of the stream and of the aggregate', async () => {
    const before = await rowOf(registered.messageId);
    const forged = before.event.replace('"agent-registrar"', '"agent-innocent"');
    const forgedHash = entryHash(forged, before.prev_aggregate_hash, before.prev_stream_hash);
    await asAttacker(`UPDATE audit_entries SET event = $2, actor_name = 'agent-innocent', hash = $3 WHERE message_id = $1`, [registered.messageId, forged, forgedHash]);
    const report = await verification();
    expect(report.status).toBe('broken');
    const next = await rowOf(coselec.messageId);
    expect(report.firstBrokenLink).toMatchObject({ problem: 'previous-hash-mismatch', entryId: next.id, messageId: coselec.messageId, expected: forgedHash, actual: before.hash });
    expect(report.brokenLinks.map((l: { chain: string }) => l.chain).sort()).toEqual(['aggregate', 'stream']);
    await asAttacker(`UPDATE audit_entries SET event = $2, actor_name = 'agent-registrar', hash = $3 WHERE message_id = $1`, [registered.messageId, before.event, before.hash]);
    expect((await verification()).status).toBe('intact');
  });

  it('reports a rewritten query column (who) even when the hashed event is untouched', async () => {
    const before = await rowOf(coselec.messageId);
    await asAttacker(`UPDATE audit_entries SET actor_name = 'someone-else', departments = '{974}' WHERE message_id = $1`, [coselec.messageId]);
    const report = await verification();
    expect(report.firstBrokenLink).toMatchObject({ problem: 'column-mismatch', messageId: coselec.messageId, columns: ['actorName', 'departments'] });
    await asAttacker(`UPDATE audit_entries SET actor_name = $2, departments = $3 WHERE message_id = $1`, [coselec.messageId, before.actor_name, before.departments]);
    expect((await verification()).status).toBe('intact');
  });

  it('reports a deleted entry at the next link, and the message left without its entry', async () => {
    const [saved] = await audit.dataSource.query(`SELECT row_to_json(e) AS row FROM audit_entries e WHERE message_id = $1`, [registered.messageId]);
    await asAttacker(`DELETE FROM audit_entries WHERE message_id = $1`, [registered.messageId]);
    const report = await verification();
    expect(report.status).toBe('broken');
    expect(report.firstBrokenLink).toMatchObject({ messageId: coselec.messageId, problem: 'sequence-gap', expected: 1, actual: 2 });
    expect(report.brokenLinks).toEqual(expect.arrayContaining([expect.objectContaining({ problem: 'missing-entry', messageId: registered.messageId, entryId: null })]));
    await audit.dataSource.query(`INSERT INTO audit_entries SELECT * FROM json_populate_record(null::audit_entries, $1::json)`, [JSON.stringify(saved.row)]);
    expect((await verification()).status).toBe('intact');
  });

  it('changes the root hash when the last entry of a chain is rewritten consistently (what an external anchor of the root catches)', async () => {
    const { rootHash } = await verification();
    const before = await rowOf(signed.messageId);
    const forged = before.event.replace('"rh-saint-denis"', '"rh-other"');
    await asAttacker(`UPDATE audit_entries SET event = $2, actor_name = 'rh-other', hash = $3 WHERE message_id = $1`, [
      signed.messageId, forged, entryHash(forged, before.prev_aggregate_hash, before.prev_stream_hash),
    ]);
    const report = await verification();
    expect(report.rootHash).not.toBe(rootHash);
    await asAttacker(`UPDATE audit_entries SET event = $2, actor_name = $3, hash = $4 WHERE message_id = $1`, [signed.messageId, before.event, before.actor_name, before.hash]);
    expect((await verification()).rootHash).toBe(rootHash);
  });

  it('never sees an event without actor: the producer refuses it before the outbox', async () => {
    const pendingBefore = await producer.dataSource.transaction((m) => producer.outbox.pendingCount(m));
    await expect(
      producer.dataSource.transaction(async (manager) => {
        const envelope = StructureRegisteredV1.create(`s-anon-${run}`, { ...sampleOf(StructureRegisteredV1), structureId: `s-anon-${run}` }, {
          occurredAt: new Date('2021-05-01T00:00:00Z'),
        } as unknown as EventContext);
        await producer.outbox.add(manager, { topic: topics.structures, envelope });
      }),
    ).rejects.toThrow(InvalidEnvelopeError);
    expect(await producer.dataSource.transaction((m) => producer.outbox.pendingCount(m))).toBe(pendingBefore);
    const [{ n }] = await producer.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE message_key = $1`, [`s-anon-${run}`]);
    expect(n).toBe(0);
  });
});
