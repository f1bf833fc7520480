import { EventEnvelope, parseEnvelope, TOPICS, validateAgainstCatalog } from '@cnfs/contracts';
import { HEADER, IncomingRecord, Subscription } from '@cnfs/messaging';
import { collect, contractBody, eventually, footprint, Harness, publish, startConventions, structureEvents } from './testing/harness';

/**
 * The story on the real stack (PostgreSQL, Kafka, the HTTP app): the structures service's events arrive on their topic
 * (produced here with the contracts' definitions, as that service would), this service builds its read model from
 * them, a structure signs its convention and recruits, and every change reaches Kafka in order per aggregate.
 */
describe('conventions end to end (PostgreSQL + Kafka)', () => {
  let h: Harness;
  let records: IncomingRecord[];
  let subscription: Subscription;

  beforeAll(async () => {
    h = await startConventions('2021-06-01T10:00:00Z');
    ({ records, subscription } = await collect(h.bus, [TOPICS.conventions, TOPICS.contracts]));
  });

  afterAll(async () => {
    await subscription?.stop();
    await h?.close();
  });

  const onKafka = (aggregateId: string): EventEnvelope[] =>
    records
      .filter((r) => r.key === aggregateId)
      .map((r) => validateAgainstCatalog(parseEnvelope(JSON.parse(r.value!.toString('utf8')))));

  it('structure registered → coselec grants 2 posts → convention validated → 2 contracts → third refused → rupture → new contract', async () => {
    const { structure, registered, decision, status } = structureEvents({ grantedPosts: 2, departmentCode: '974', legalStatus: 'PRIVATE' }, h.clock.now());
    const { structureId } = structure;
    const asStructure = { Authorization: `Bearer ${await h.token({ role: 'structure', structureId })}` };
    const asAnct = { Authorization: `Bearer ${h.anct}` };

    // 1. The structure is registered: known here, but without a coselec quota no convention can start.
    await publish(h, registered);
    await eventually(async () => (await h.dataSource.query(`SELECT 1 FROM structures WHERE structure_id = $1`, [structureId])).length === 1);
    const early = await h.http().post('/api/v1/conventions').set(asStructure).send({ structureId, phase: 1, startDate: '2021-03-01' }).expect(409);
    expect(early.body.code).toBe('NO_POSITIVE_COSELEC_QUOTA');

    // 2. The coselec grants 2 posts.
    await publish(h, decision, status);
    await eventually(async () => (await h.dataSource.query(`SELECT phase1_quota FROM structures WHERE structure_id = $1`, [structureId]))[0]?.phase1_quota === 2);

    // 3. The structure initiates its convention, ANCT validates it: 2 posts VACANT.
    const created = await h.http().post('/api/v1/conventions').set(asStructure).set('x-correlation-id', 'e2e-convention').send({ structureId, phase: 1, startDate: '2021-03-01' }).expect(201);
    expect(created.body).toMatchObject({ status: 'CONVENTIONNEMENT_EN_COURS', posts: 2, financedUntil: '2023-02-28', endDate: '2024-02-29' });
    const conventionId: string = created.body.id;
    await h.http().post(`/api/v1/conventions/${conventionId}/validation`).set(asStructure).send({}).expect(403);
    const validated = await h.http().post(`/api/v1/conventions/${conventionId}/validation`).set(asAnct).send({ signedAt: '2021-02-20' }).expect(200);
    expect(validated.body).toMatchObject({ status: 'CONVENTIONNEMENT_VALIDE', signedAt: '2021-02-20', postCounts: { vacant: 2, occupied: 0, returned: 0, conventioned: 2 } });

    // 4. Two contracts are signed (private-law CDDs of 18 months).
    const first = await h.http().post('/api/v1/contracts').set(asStructure).send(contractBody(structureId)).expect(201);
    const second = await h.http().post('/api/v1/contracts').set(asStructure).send(contractBody(structureId, { type: 'CDI', endDate: null, startDate: '2021-05-01' })).expect(201);
    expect(first.body.postId).not.toBe(second.body.postId);

    // 5. A third one is refused: no vacant post; nothing is written.
    const before = await footprint(h);
    const third = await h.http().post('/api/v1/contracts').set(asStructure).send(contractBody(structureId)).expect(409);
    expect(third.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(third.body).toMatchObject({ status: 409, code: 'NO_VACANT_POST' });
    expect(await footprint(h)).toEqual(before);

    // 6. The first conseiller resigns: the post is vacant again.
    const rupture = await h.http().post(`/api/v1/contracts/${first.body.id}/ruptures`).set(asStructure).send({ reason: 'DEMISSION', date: '2021-05-31' }).expect(201);
    expect(rupture.body).toMatchObject({ status: 'ROMPU', rupture: { reason: 'DEMISSION', date: '2021-05-31' }, endedOn: '2021-05-31' });
    const freed = await h.http().get(`/api/v1/posts/${first.body.postId}`).set(asStructure).expect(200);
    expect(freed.body).toMatchObject({ status: 'VACANT', contractId: null });

    // 7. A new contract is accepted, on the freed post.
    const replacement = await h.http().post('/api/v1/contracts').set(asStructure).send(contractBody(structureId, { startDate: '2021-06-07', endDate: '2022-12-06' })).expect(201);
    expect(replacement.body.postId).toBe(first.body.postId);
    const convention = await h.http().get(`/api/v1/conventions/${conventionId}`).set(asStructure).expect(200);
    expect(convention.body.postCounts).toEqual({ vacant: 0, occupied: 2, returned: 0, conventioned: 2 });

    // 8. On Kafka, in order per aggregate, with the actor of each change.
    const [postA, postB] = [first.body.postId, second.body.postId];
    const postsOf = (e: EventEnvelope) => e.payload as { postId: string; from: string | null; to: string; contractId: string | null };
    await eventually(() => onKafka(conventionId).length >= 8 && onKafka(replacement.body.id).length >= 1, 30_000);
    const conventionEvents = onKafka(conventionId);
    expect(conventionEvents.map((e) => (e.type === 'conventions.PostStatusChanged' ? `${postsOf(e).from}→${postsOf(e).to}` : e.type))).toEqual([
      'conventions.ConventionRequested',
      'conventions.ConventionValidated',
      'null→VACANT',
      'null→VACANT',
      'VACANT→OCCUPE',
      'VACANT→OCCUPE',
      'OCCUPE→VACANT',
      'VACANT→OCCUPE',
    ]);
    expect(conventionEvents.slice(4).map((e) => [postsOf(e).postId, postsOf(e).contractId])).toEqual([
      [postA, first.body.id],
      [postB, second.body.id],
      [postA, first.body.id],
      [postA, replacement.body.id],
    ]);
    const signed = conventionEvents[1].payload as Record<string, unknown>;
    expect(signed).toMatchObject({
      conventionId, structureId, phase: 1, posts: 2, signedAt: '2021-02-20', startDate: '2021-03-01', financedUntil: '2023-02-28', endDate: '2024-02-29',
      structure: { legalStatus: 'PRIVATE', type: 'ASSOCIATION', departmentCode: '974', qpv: true, zrr: false }, renewsConventionId: null,
    });
    expect(new Set(signed.postIds as string[])).toEqual(new Set([postA, postB]));
    expect(conventionEvents[0]).toMatchObject({ correlationId: 'e2e-convention', actor: { kind: 'user', role: 'structure', structureId } });
    expect(conventionEvents[1].actor).toMatchObject({ kind: 'user', role: 'anct' });

    expect(onKafka(first.body.id).map((e) => e.type)).toEqual(['conventions.ContractSigned', 'conventions.ContractRuptured']);
    expect(onKafka(first.body.id)[1]).toMatchObject({ reason: 'DEMISSION', payload: { reason: 'DEMISSION', date: '2021-05-31', postId: postA, departmentCode: '974' } });
    expect(onKafka(second.body.id).map((e) => e.type)).toEqual(['conventions.ContractSigned']);
    expect(onKafka(second.body.id)[0].payload).toMatchObject({ contractType: 'CDI', endDate: null, legalStatus: 'PRIVATE', conventionId, postId: postB });
    expect(onKafka(replacement.body.id)[0].payload).toMatchObject({ contractType: 'CDD', startDate: '2021-06-07', postId: postA, renewsContractId: null });
    // The refused third contract left no event anywhere.
    const signedHere = records.filter((r) => r.headers[HEADER.type] === 'conventions.ContractSigned' && JSON.parse(r.value!.toString()).payload.structureId === structureId);
    expect(signedHere).toHaveLength(3);
    // Kafka keys are the aggregate ids, headers carry the type.
    for (const record of records.filter((r) => r.key === conventionId)) expect(record.topic).toBe(TOPICS.conventions);
    for (const record of records.filter((r) => r.key === first.body.id)) expect(record.topic).toBe(TOPICS.contracts);

    // 9. Time passes: the CDD of the replacement reaches its end; the clock-driven job ends it and frees the post.
    h.clock.set(new Date('2022-12-07T06:00:00Z'));
    const run = await h.naturalEnds.runOnce();
    expect(run).toMatchObject({ ended: 1, failed: 0, today: '2022-12-07' });
    await eventually(() => onKafka(replacement.body.id).length >= 2 && onKafka(conventionId).length >= 9, 30_000);
    expect(onKafka(replacement.body.id).map((e) => e.type)).toEqual(['conventions.ContractSigned', 'conventions.ContractEnded']);
    expect(onKafka(replacement.body.id)[1]).toMatchObject({ actor: { kind: 'system', job: 'conventions.natural-end' }, payload: { endDate: '2022-12-06' } });
    expect(postsOf(onKafka(conventionId)[8])).toMatchObject({ postId: postA, from: 'OCCUPE', to: 'VACANT', contractId: replacement.body.id });
    // The CDI has no natural end.
    expect((await h.http().get(`/api/v1/contracts/${second.body.id}`).set(asAnct).expect(200)).body.status).toBe('ACTIF');
  });
});
