import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Principal, signToken } from '@cnfs/auth';
import {
  CertificationObtainedV1, ContractRupturedV1, ContractSignedV1, EventEnvelope, TOPICS, TrainingAbandonedV1, TrainingCompletedV1, TrainingEnrolledV1,
} from '@cnfs/contracts';
import { headersFor, IncomingRecord, KafkaBus, MessagePublisher, Subscription } from '@cnfs/messaging';
import { createServiceApp, DATA_SOURCE, loadServiceConfig, ManualClock, ServiceConfig } from '@cnfs/service-kit';
import { testBrokers, testDatabaseUrl, uniqueName } from '@cnfs/testing';
import { TrainingModule } from './app.module';

/**
 * End to end on the real stack: PostgreSQL (own schema), the Kafka test broker, the training service
 * built by TrainingModule.forRoot with a ManualClock. Contract events are produced onto the contracts
 * topic with the contracts' own definitions (as the conventions service will), training events are read back from Kafka.
 */

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const anctActor = { kind: 'user' as const, subject: 'agent-anct', role: 'anct' as const };

async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('training service on the real stack', () => {
  let app: INestApplication;
  let config: ServiceConfig;
  let dataSource: DataSource;
  let bus: KafkaBus;
  let publisher: MessagePublisher;
  let reader: Subscription;
  const trainingRecords: IncomingRecord[] = [];
  const clock = new ManualClock(new Date('2021-06-15T08:00:00Z'));
  const run = uniqueName('t').slice(-8);
  const structureId = `s-${run}`;
  const otherStructureId = `s2-${run}`;
  const tokens: Record<string, string> = {};

  const http = () => request(app.getHttpServer());
  const as = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  const count = async (table: string) => (await dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
  const counts = async () => ({
    enrolments: await count('enrolments'),
    certifications: await count('certifications'),
    progress: await count('enrolment_progress'),
    outbox: await count('outbox'),
    idempotency: await count('idempotency_keys'),
  });

  /** The training event of that type and aggregate, read from Kafka. */
  const trainingEvent = (type: string, aggregateId: string) =>
    eventually(() => {
      for (const record of trainingRecords) {
        const envelope = JSON.parse(record.value!.toString('utf8')) as EventEnvelope<any>;
        if (envelope.type === type && envelope.aggregateId === aggregateId) return { envelope, record };
      }
      return undefined;
    });

  let contractSeq = 0;
  async function signContract(
    overrides: { departmentCode?: string; startDate?: string; endDate?: string | null; structure?: string; conseillerId?: string; renews?: string } = {},
  ) {
    contractSeq += 1;
    const contractId = `k-${run}-${contractSeq}`;
    const conseillerId = overrides.conseillerId ?? `cn-${run}-${contractSeq}`;
    const envelope = ContractSignedV1.create(
      contractId,
      {
        contractId, structureId: overrides.structure ?? structureId, conventionId: `c-${run}`, postId: `p-${run}-${contractSeq}`,
        departmentCode: overrides.departmentCode ?? '59', legalStatus: 'PUBLIC', contractType: 'CDD',
        startDate: overrides.startDate ?? '2021-04-01', endDate: overrides.endDate === undefined ? '2022-09-30' : overrides.endDate,
        conseiller: { id: conseillerId, firstName: 'Awa', lastName: `Diallo ${contractSeq}`, email: `awa.${contractSeq}.${run}@example.org` },
        renewsContractId: overrides.renews ?? null,
      },
      { actor: anctActor, occurredAt: new Date('2021-03-20T10:00:00Z') },
    );
    await publisher.publish([{ topic: TOPICS.contracts, key: contractId, value: JSON.stringify(envelope), headers: headersFor(envelope) }]);
    await eventually(async () => {
      const response = await http().get(`/api/v1/training/trainees/${conseillerId}`).set(as('anct'));
      return response.status === 200 && response.body.contracts.some((c: { contractId: string }) => c.contractId === contractId);
    });
    return { contractId, conseillerId };
  }

  async function rupture(contractId: string, conseillerId: string, date: string, departmentCode = '59') {
    const envelope = ContractRupturedV1.create(
      contractId,
      { contractId, structureId, conventionId: `c-${run}`, postId: `p-${run}`, departmentCode, conseillerId, reason: 'DEMISSION', date },
      { actor: anctActor, occurredAt: clock.now() },
    );
    await publisher.publish([{ topic: TOPICS.contracts, key: contractId, value: JSON.stringify(envelope), headers: headersFor(envelope) }]);
    return envelope;
  }

  const enrolBody = (contractId: string, lot: number, extra: Record<string, unknown> = {}) => ({
    contractId,
    lot,
    pathwayHours: 280,
    startDate: '2021-05-03',
    positioning: { date: '2021-04-20', result: 'Bonnes bases techniques, peu d’expérience pédagogique : parcours 280 h' },
    ...extra,
  });

  const enrol = (who: string, body: object, key?: string) => {
    const call = http().post('/api/v1/training/enrolments').set(as(who));
    return (key ? call.set('Idempotency-Key', key) : call).send(body);
  };

  beforeAll(async () => {
    config = loadServiceConfig('training', { port: 0, schema: uniqueName('training') }, {
      DATABASE_URL: testDatabaseUrl(),
      KAFKA_BROKERS: testBrokers().join(','),
      JWT_SECRET: SECRET,
    });
    app = await createServiceApp(TrainingModule.app(config, clock, { contractsConsumerName: uniqueName('training_contracts') }), config);
    await app.init();
    dataSource = app.get<DataSource>(DATA_SOURCE);
    bus = new KafkaBus({ clientId: 'training-test', brokers: testBrokers() });
    publisher = await bus.publisher();
    reader = await bus.subscribe({ groupId: uniqueName('training_reader'), topics: [TOPICS.training], fromBeginning: true }, async (batch) => {
      trainingRecords.push(...batch);
      return batch[batch.length - 1].offset;
    });
    const principals: Record<string, Principal> = {
      anct: { subject: 'agent-anct', role: 'anct' },
      lot1: { subject: 'webforce3', role: 'training_provider', lot: 1 },
      lot2: { subject: 'poles', role: 'training_provider', lot: 2 },
      lot3: { subject: 'assembleurs', role: 'training_provider', lot: 3 },
      pref59: { subject: 'pref-59', role: 'prefecture', departments: ['59'] },
      pref974: { subject: 'pref-974', role: 'prefecture', departments: ['974'] },
      structure: { subject: 'mairie', role: 'structure', structureId: otherStructureId },
      otherStructure: { subject: 'mairie-2', role: 'structure', structureId },
    };
    for (const [name, principal] of Object.entries(principals)) tokens[name] = await signToken(principal, SECRET, '30m');
  });

  afterAll(async () => {
    await reader?.stop();
    await bus?.close();
    await app?.close();
  });

  describe('reference data, versioned and readable by API', () => {
    it('serves the programme’s pathways, lots with consortia and certifications from reference version cnfs-2021', async () => {
      const { body } = await http().get('/api/v1/training/reference').set(as('lot3')).expect(200);
      expect(body.version).toBe('cnfs-2021');
      expect(body.pathways.map((p: { hours: number }) => p.hours)).toEqual([105, 280, 350, 420]);
      expect(body.lots).toHaveLength(6);
      expect(body.lots[0]).toMatchObject({ lot: 1, modality: 'DISTANCE', consortium: ['WebForce 3', 'L’Académie des héro.ïne.s du numérique'] });
      expect(body.lots.slice(1).every((l: { modality: string }) => l.modality === 'REGIONAL')).toBe(true);
      expect(body.lots[1].consortium).toEqual(['PôleS']);
      expect(body.lots[2].consortium).toEqual(['Les Assembleurs', 'AFPA', 'SIMPLON']);
      for (const lot of body.lots.slice(3)) expect(lot.consortium).toEqual(['AFPA', 'SIMPLON', 'UNPIMMS']);
      const types = body.certificationTypes.map((c: { code: string; kind: string }) => `${c.kind}:${c.code}`);
      expect(types).toEqual(['RNCP:REMN', 'CCP:CCP1', 'CCP:CCP2', 'CCP:CCP3', 'PIX:PIX']);
      expect(body.certificationTypes[0]).toMatchObject({ title: 'Responsable d’espace de médiation numérique', replaces: expect.stringContaining('34137'), waiverTarget: true });

      const versions = await http().get('/api/v1/training/reference/versions').set(as('pref59')).expect(200);
      expect(versions.body).toEqual([expect.objectContaining({ version: 'cnfs-2021', inEffect: true })]);
      await http().get('/api/v1/training/reference?version=nope').set(as('anct')).expect(404);
      expect((await http().get('/api/v1/training/pathways').set(as('structure')).expect(200)).body.items).toHaveLength(4);
      expect((await http().get('/api/v1/training/certification-types').set(as('anct')).expect(200)).body.items).toHaveLength(5);
      await http().get('/api/v1/training/reference').expect(401);
    });

    it('records the régions of a regional lot (ANCT only), refuses the distance lot, unknown or already served régions', async () => {
      await http().put('/api/v1/training/lots/2/regions').set(as('lot2')).send({ regionCodes: ['11'], effectiveFrom: '2021-04-15', source: 'notification du marché' }).expect(403);
      const set = await http().put('/api/v1/training/lots/2/regions').set(as('anct')).send({ regionCodes: ['11'], effectiveFrom: '2021-04-15', source: 'notification du marché' }).expect(200);
      expect(set.body).toMatchObject({ lot: 2, regionCodes: ['11'], regionHistory: [expect.objectContaining({ regionCodes: ['11'], recordedBy: 'anct:agent-anct' })] });
      const distance = await http().put('/api/v1/training/lots/1/regions').set(as('anct')).send({ regionCodes: ['32'], effectiveFrom: '2021-04-15', source: 'x-source' }).expect(422);
      expect(distance.body.code).toBe('DISTANCE_LOT_HAS_NO_REGIONS');
      const unknown = await http().put('/api/v1/training/lots/5/regions').set(as('anct')).send({ regionCodes: ['99'], effectiveFrom: '2021-04-15', source: 'x-source' }).expect(400);
      expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'regionCodes[0]' })]);
      await http().put('/api/v1/training/lots/5/regions').set(as('anct')).send({ regionCodes: ['11'], effectiveFrom: '2021-04-15', source: 'x-source' }).expect(409);
      expect((await http().get('/api/v1/training/lots').set(as('anct'))).body.items[1].regionCodes).toEqual(['11']);
    });
  });

  describe('positioning, enrolment, progress, completion', () => {
    it('makes the conseiller of a signed contract "to be trained"', async () => {
      const { conseillerId, contractId } = await signContract();
      const { body } = await http().get(`/api/v1/training/trainees/${conseillerId}`).set(as('anct')).expect(200);
      expect(body).toMatchObject({ conseillerId, status: 'TO_BE_TRAINED', currentContract: { contractId, departmentCode: '59', regionCode: '32', status: 'ACTIVE' } });
      const list = await http().get(`/api/v1/training/trainees?status=TO_BE_TRAINED&structureId=${structureId}`).set(as('pref59')).expect(200);
      expect(list.body.items.map((t: { conseillerId: string }) => t.conseillerId)).toContain(conseillerId);
      // A préfecture sees its départements only; the distance lot sees every conseiller to be trained.
      await http().get(`/api/v1/training/trainees/${conseillerId}`).set(as('pref974')).expect(404);
      await http().get(`/api/v1/training/trainees/${conseillerId}`).set(as('lot1')).expect(200);
      // Lot 2 serves Île-de-France only (recorded above): a conseiller in the Nord is not its concern.
      await http().get(`/api/v1/training/trainees/${conseillerId}`).set(as('lot2')).expect(404);
    });

    it('enrols by the right lot’s provider (event on Kafka), refuses another lot, and replays an idempotent request', async () => {
      const { conseillerId, contractId } = await signContract();
      const before = await counts();
      const refused = await enrol('lot2', enrolBody(contractId, 3)).expect(403);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'lot' })]);
      // Lot 2 enrolling in its own lot a conseiller of a région it does not serve.
      const outside = await enrol('lot2', enrolBody(contractId, 2)).expect(422);
      expect(outside.body.code).toBe('LOT_OUTSIDE_TERRITORY');
      await http().post('/api/v1/training/enrolments').set(as('pref59')).send(enrolBody(contractId, 3)).expect(403);
      expect(await counts()).toEqual(before);

      const key = `enrol-${run}-1`;
      const created = await enrol('lot3', enrolBody(contractId, 3), key).expect(201);
      expect(created.body).toMatchObject({
        conseillerId, contractId, structureId, departmentCode: '59', lot: 3, pathwayHours: 280, waiver: false, status: 'ONGOING',
        startDate: '2021-05-03', referenceVersion: 'cnfs-2021', positioning: { date: '2021-04-20' }, createdBy: 'training_provider:3:assembleurs',
      });
      const replay = await enrol('lot3', enrolBody(contractId, 3), key).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.enrolmentId).toBe(created.body.enrolmentId);
      expect((await counts()).enrolments).toBe(before.enrolments + 1);
      const again = await enrol('lot3', enrolBody(contractId, 3)).expect(409);
      expect(again.body.code).toBe('ALREADY_IN_TRAINING');

      const { envelope, record } = await trainingEvent(TrainingEnrolledV1.type, created.body.enrolmentId);
      expect(record.key).toBe(created.body.enrolmentId);
      expect(record.topic).toBe(TOPICS.training);
      expect(envelope.payload).toEqual({
        enrolmentId: created.body.enrolmentId, contractId, conseillerId, structureId, departmentCode: '59', pathwayHours: 280, waiver: false, lot: 3,
        startDate: '2021-05-03', referenceVersion: 'cnfs-2021',
      });
      expect(envelope.actor).toEqual({ kind: 'user', subject: 'assembleurs', role: 'training_provider', lot: 3 });
      expect(envelope.occurredAt).toBe('2021-06-15T08:00:00.000Z');
      expect((await http().get(`/api/v1/training/trainees/${conseillerId}`).set(as('anct'))).body.status).toBe('IN_TRAINING');
      // Another lot neither sees nor touches it.
      await http().get(`/api/v1/training/enrolments/${created.body.enrolmentId}`).set(as('lot2')).expect(404);
      await http().post(`/api/v1/training/enrolments/${created.body.enrolmentId}/completion`).set(as('lot2'))
        .send({ outcome: 'COMPLETED', endDate: '2021-06-11', hoursAttended: 280 }).expect(404);
      const lot2List = await http().get('/api/v1/training/enrolments').set(as('lot2')).expect(200);
      expect(lot2List.body.items.map((e: { enrolmentId: string }) => e.enrolmentId)).not.toContain(created.body.enrolmentId);
    });

    it('records progress, refuses hours out of range or a completion before the start (400, nothing written), completes with its event', async () => {
      const { conseillerId, contractId } = await signContract();
      const { body: enrolment } = await enrol('lot3', enrolBody(contractId, 3)).expect(201);
      const url = `/api/v1/training/enrolments/${enrolment.enrolmentId}`;
      const progress = await http().post(`${url}/progress`).set(as('lot3')).send({ hoursAttended: 140, asOf: '2021-06-01' }).expect(200);
      expect(progress.body.hoursAttended).toBe(140);

      const before = await counts();
      const tooMany = await http().post(`${url}/progress`).set(as('lot3')).send({ hoursAttended: 281, asOf: '2021-06-01' }).expect(400);
      expect(tooMany.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(tooMany.body.errors).toEqual([expect.objectContaining({ field: 'hoursAttended' })]);
      const negative = await http().post(`${url}/progress`).set(as('lot3')).send({ hoursAttended: -5, asOf: '2021-06-01' }).expect(400);
      expect(negative.body.errors.map((e: { field: string }) => e.field)).toContain('hoursAttended');
      const early = await http().post(`${url}/completion`).set(as('lot3')).set('Idempotency-Key', `early-${run}`)
        .send({ outcome: 'COMPLETED', endDate: '2021-05-02', hoursAttended: 280 }).expect(400);
      expect(early.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(early.body).toMatchObject({ status: 400, code: 'END_BEFORE_START', errors: [expect.objectContaining({ field: 'endDate' })] });
      await http().post(`${url}/completion`).set(as('lot3')).send({ outcome: 'COMPLETED', endDate: '2021-06-16', hoursAttended: 280 }).expect(400);
      await http().post(`${url}/completion`).set(as('lot3')).send({ outcome: 'COMPLETED', endDate: '2021-06-11', hoursAttended: 400 }).expect(400);
      await http().post(`${url}/completion`).set(as('lot3')).send({ outcome: 'ABANDONED', endDate: '2021-06-11' }).expect(400);
      expect(await counts()).toEqual(before);
      expect((await http().get(url).set(as('anct'))).body).toMatchObject({ status: 'ONGOING', hoursAttended: 140, progress: [expect.objectContaining({ hoursAttended: 140 })] });

      const done = await http().post(`${url}/completion`).set(as('lot3')).send({ outcome: 'COMPLETED', endDate: '2021-06-11', hoursAttended: 276 }).expect(200);
      expect(done.body).toMatchObject({ status: 'COMPLETED', endDate: '2021-06-11', hoursAttended: 276, closedBy: 'training_provider:3:assembleurs' });
      const { envelope } = await trainingEvent(TrainingCompletedV1.type, enrolment.enrolmentId);
      expect(envelope.payload).toEqual({
        enrolmentId: enrolment.enrolmentId, contractId, conseillerId, structureId, departmentCode: '59', lot: 3, hoursAttended: 276, endDate: '2021-06-11', pathwayHours: 280,
      });
      expect((await http().get(`/api/v1/training/trainees/${conseillerId}`).set(as('anct'))).body.status).toBe('TRAINED');
      const closedAgain = await http().post(`${url}/completion`).set(as('lot3')).send({ outcome: 'ABANDONED', endDate: '2021-06-11', reason: 'erreur' }).expect(409);
      expect(closedAgain.body.code).toBe('ENROLMENT_NOT_ONGOING');
      const reenrol = await enrol('anct', enrolBody(contractId, 1)).expect(409);
      expect(reenrol.body.code).toBe('ALREADY_TRAINED');
    });

    it('records an abandon with its reason (event withdrawnByRupture false) and lets the conseiller be enrolled again', async () => {
      const { contractId } = await signContract();
      const { body: enrolment } = await enrol('anct', enrolBody(contractId, 1, { pathwayHours: 105 })).expect(201);
      const abandoned = await http().post(`/api/v1/training/enrolments/${enrolment.enrolmentId}/completion`).set(as('lot1'))
        .send({ outcome: 'ABANDONED', endDate: '2021-05-20', reason: 'Raisons personnelles', hoursAttended: 20 }).expect(200);
      expect(abandoned.body).toMatchObject({ status: 'ABANDONED', endReason: 'Raisons personnelles', withdrawnByRupture: false, hoursAttended: 20 });
      const { envelope } = await trainingEvent(TrainingAbandonedV1.type, enrolment.enrolmentId);
      expect(envelope.payload).toMatchObject({ reason: 'Raisons personnelles', withdrawnByRupture: false, endDate: '2021-05-20', hoursAttended: 20, pathwayHours: 105, lot: 1 });
      expect(envelope.reason).toBe('Raisons personnelles');
      // enrolled again, this time named by the conseiller (the enrolment goes to their active contract)
      const { contractId: _byContract, ...byConseiller } = enrolBody(contractId, 1, { pathwayHours: 350, startDate: '2021-06-07', positioning: { date: '2021-06-01', result: 'Repositionnement' } });
      const both = await enrol('lot1', { ...byConseiller, contractId, conseillerId: enrolment.conseillerId }).expect(400);
      expect(both.body.errors).toEqual([expect.objectContaining({ field: 'contractId' })]);
      const again = await enrol('lot1', { ...byConseiller, conseillerId: enrolment.conseillerId }).expect(201);
      expect(again.body).toMatchObject({ conseillerId: enrolment.conseillerId, contractId, pathwayHours: 350, status: 'ONGOING' });
      await enrol('lot1', { ...byConseiller, conseillerId: randomUUID() }).expect(404);
    });

    it('serialises concurrent enrolments of one conseiller: one succeeds, the other is a 409', async () => {
      const { contractId } = await signContract();
      const responses = await Promise.all([enrol('lot3', enrolBody(contractId, 3)), enrol('anct', enrolBody(contractId, 1, { pathwayHours: 105 }))]);
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
      const { body } = await http().get(`/api/v1/training/enrolments?conseillerId=${responses[0].body.conseillerId ?? responses[1].body.conseillerId}`).set(as('anct'));
      expect(body.total).toBe(1);
    });

    it('refuses bad input with 400 problem+json naming the field, writing nothing', async () => {
      const { contractId } = await signContract();
      const before = await counts();
      const unknownPathway = await enrol('lot3', enrolBody(contractId, 3, { pathwayHours: 200 }), `bad-${run}-1`).expect(400);
      expect(unknownPathway.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(unknownPathway.body).toMatchObject({ status: 400, code: 'UNKNOWN_PATHWAY', errors: [expect.objectContaining({ field: 'pathwayHours' })] });
      const badDate = await enrol('lot3', enrolBody(contractId, 3, { startDate: '2021-02-30', extra: true })).expect(400);
      expect(badDate.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['startDate', 'extra']));
      const both = await enrol('lot3', { ...enrolBody(contractId, 3), conseillerId: 'x' }).expect(400);
      expect(both.body.errors[0].field).toBe('contractId');
      await enrol('lot3', enrolBody(contractId, 7)).expect(400);
      await enrol('lot3', enrolBody(contractId, 3, { positioning: { date: '2021-05-10', result: 'après le début' } })).expect(400);
      const score = await http().post('/api/v1/certifications').set(as('lot3')).set('Idempotency-Key', `bad-${run}-2`)
        .send({ contractId, kind: 'PIX', pixScorePercent: 100.5, obtainedAt: '2021-06-01', certifier: 'GIP Pix' }).expect(400);
      expect(score.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(score.body.errors.map((e: { field: string }) => e.field)).toEqual(['pixScorePercent']);
      await http().post('/api/v1/certifications').set(as('lot3')).send({ contractId, kind: 'PIX', pixScorePercent: 101, obtainedAt: '2021-06-01', certifier: 'GIP Pix' }).expect(400);
      await http().post('/api/v1/certifications').set(as('lot3')).send({ contractId, kind: 'CCP', ccpBlocks: ['CCP9'], obtainedAt: '2021-06-01', certifier: 'DREETS' }).expect(400);
      await http().post('/api/v1/certifications').set(as('lot3')).send({ contractId, kind: 'PIX', pixScorePercent: 80, obtainedAt: '2021-06-16', certifier: 'GIP Pix' }).expect(400);
      const malformed = await http().post('/api/v1/training/enrolments').set(as('lot3')).set('Content-Type', 'application/json').send('{"lot": ').expect(400);
      expect(malformed.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(await counts()).toEqual(before);
    });
  });

  describe('certifications', () => {
    it('records a PIX score, flagged under the recruiter’s threshold (default 70 %, or its own), with its event', async () => {
      const { conseillerId, contractId } = await signContract();
      await enrol('lot3', enrolBody(contractId, 3)).expect(201);
      const pix = await http().post('/api/v1/certifications').set(as('lot3')).set('Idempotency-Key', `pix-${run}-1`)
        .send({ conseillerId, kind: 'PIX', pixScorePercent: 64.5, obtainedAt: '2021-06-10', certifier: 'GIP Pix' }).expect(201);
      expect(pix.body).toMatchObject({ conseillerId, contractId, kind: 'PIX', pixScorePercent: 64.5, thresholdPercent: 70, belowThreshold: true, lot: 3, structureId });
      const { envelope, record } = await trainingEvent(CertificationObtainedV1.type, pix.body.certificationId);
      expect(record.topic).toBe(TOPICS.training);
      expect(envelope.payload).toEqual({
        certificationId: pix.body.certificationId, conseillerId, contractId, structureId, departmentCode: '59', kind: 'PIX', pixScorePercent: 64.5,
        belowThreshold: true, obtainedAt: '2021-06-10', certifier: 'GIP Pix', thresholdPercent: 70, lot: 3,
      });
      const flagged = await http().get(`/api/v1/certifications?belowThreshold=true&conseillerId=${conseillerId}`).set(as('lot3')).expect(200);
      expect(flagged.body.total).toBe(1);

      // A recruiter with its own, lower threshold: the same score is not flagged for its conseillers.
      await http().put(`/api/v1/training/recruiters/${otherStructureId}/pix-threshold`).set(as('otherStructure')).send({ thresholdPercent: 60 }).expect(403);
      const set = await http().put(`/api/v1/training/recruiters/${otherStructureId}/pix-threshold`).set(as('structure')).send({ thresholdPercent: 60 }).expect(200);
      expect(set.body).toMatchObject({ thresholdPercent: 60, isDefault: false });
      await http().put(`/api/v1/training/recruiters/${otherStructureId}/pix-threshold`).set(as('anct')).send({ thresholdPercent: 100.5 }).expect(400);
      const other = await signContract({ structure: otherStructureId });
      const lenient = await http().post('/api/v1/certifications').set(as('anct'))
        .send({ conseillerId: other.conseillerId, kind: 'PIX', pixScorePercent: 64.5, obtainedAt: '2021-06-10', certifier: 'GIP Pix' }).expect(201);
      expect(lenient.body).toMatchObject({ thresholdPercent: 60, belowThreshold: false, lot: null });
    });

    it('records CCP blocks once and the full RNCP title; another lot cannot certify a conseiller it does not train', async () => {
      const { contractId } = await signContract();
      await enrol('lot3', enrolBody(contractId, 3)).expect(201);
      const ccp = await http().post('/api/v1/certifications').set(as('lot3'))
        .send({ contractId, kind: 'CCP', ccpBlocks: ['CCP1'], obtainedAt: '2021-06-12', certifier: 'DREETS Hauts-de-France' }).expect(201);
      expect(ccp.body).toMatchObject({ kind: 'CCP', ccpBlocks: ['CCP1'], belowThreshold: false, pixScorePercent: null });
      const { envelope } = await trainingEvent(CertificationObtainedV1.type, ccp.body.certificationId);
      expect(envelope.payload).toMatchObject({ kind: 'CCP', ccpBlocks: ['CCP1'], pixScorePercent: null, belowThreshold: false });
      const twice = await http().post('/api/v1/certifications').set(as('lot3'))
        .send({ contractId, kind: 'CCP', ccpBlocks: ['CCP1'], obtainedAt: '2021-06-13', certifier: 'DREETS Hauts-de-France' }).expect(409);
      expect(twice.body.code).toBe('BLOCK_ALREADY_HELD');
      await http().post('/api/v1/certifications').set(as('lot3')).send({ contractId, kind: 'RNCP', obtainedAt: '2021-06-14', certifier: 'Ministère du Travail' }).expect(201);
      await http().post('/api/v1/certifications').set(as('lot3')).send({ contractId, kind: 'RNCP', obtainedAt: '2021-06-14', certifier: 'Ministère du Travail' }).expect(409);
      await http().post('/api/v1/certifications').set(as('lot2')).send({ contractId, kind: 'PIX', pixScorePercent: 80, obtainedAt: '2021-06-14', certifier: 'GIP Pix' }).expect(404);
      await http().get(`/api/v1/certifications/${ccp.body.certificationId}`).set(as('lot2')).expect(404);
      await http().get(`/api/v1/certifications/${ccp.body.certificationId}`).set(as('pref59')).expect(200);
      await http().post('/api/v1/certifications').set(as('pref59')).send({ contractId, kind: 'RNCP', obtainedAt: '2021-06-14', certifier: 'x' }).expect(403);
    });

    it('accepts a waiver only with a target certification already held and declared experience, recorded with its justification', async () => {
      const { conseillerId, contractId } = await signContract();
      const derogation = {
        certificationId: randomUUID(),
        mediationExperience: 'Trois ans d’animation en espace public numérique',
        justification: 'Titulaire du CCP1 et médiatrice expérimentée : la formation initiale ferait double emploi',
      };
      const waiverBody = (d: object) => ({ contractId, lot: 3, startDate: '2021-05-03', positioning: { date: '2021-04-20', result: 'Déjà certifiée' }, derogation: d });
      const before = await counts();
      const none = await enrol('lot3', waiverBody(derogation)).expect(422);
      expect(none.body).toMatchObject({ code: 'WAIVER_WITHOUT_CERTIFICATION', errors: [expect.objectContaining({ field: 'derogation.certificationId' })] });
      const short = await enrol('lot3', waiverBody({ ...derogation, mediationExperience: 'oui' })).expect(400);
      expect(short.body.errors.map((e: { field: string }) => e.field)).toContain('derogation.mediationExperience');
      expect(await counts()).toEqual(before);

      const pix = await http().post('/api/v1/certifications').set(as('anct')).send({ conseillerId, kind: 'PIX', pixScorePercent: 90, obtainedAt: '2021-03-01', certifier: 'GIP Pix' }).expect(201);
      const notTarget = await enrol('lot3', waiverBody({ ...derogation, certificationId: pix.body.certificationId })).expect(422);
      expect(notTarget.body.code).toBe('WAIVER_CERTIFICATION_NOT_TARGET');
      const ccp1 = await http().post('/api/v1/certifications').set(as('lot3'))
        .send({ conseillerId, kind: 'CCP', ccpBlocks: ['CCP1'], obtainedAt: '2020-06-01', certifier: 'DREETS Hauts-de-France' }).expect(201);
      const waived = await enrol('lot3', waiverBody({ ...derogation, certificationId: ccp1.body.certificationId })).expect(201);
      expect(waived.body).toMatchObject({ status: 'WAIVED', waiver: true, pathwayHours: null, derogation: { ...derogation, certificationId: ccp1.body.certificationId } });
      const { envelope } = await trainingEvent(TrainingEnrolledV1.type, waived.body.enrolmentId);
      expect(envelope.payload).toMatchObject({ waiver: true, pathwayHours: null, lot: 3 });
      expect(envelope.reason).toBe(derogation.justification);
      expect((await http().get(`/api/v1/training/trainees/${conseillerId}`).set(as('anct'))).body.status).toBe('WAIVED');
    });
  });

  describe('rupture of the contract', () => {
    it('withdraws an ongoing enrolment automatically (TrainingAbandoned, withdrawnByRupture, caused by the rupture)', async () => {
      const { conseillerId, contractId } = await signContract();
      const { body: enrolment } = await enrol('lot1', enrolBody(contractId, 1)).expect(201);
      const ruptured = await rupture(contractId, conseillerId, '2021-06-01');
      const { envelope } = await trainingEvent(TrainingAbandonedV1.type, enrolment.enrolmentId);
      expect(envelope.payload).toMatchObject({
        enrolmentId: enrolment.enrolmentId, contractId, conseillerId, lot: 1, withdrawnByRupture: true, endDate: '2021-06-01', reason: expect.stringContaining('DEMISSION'),
      });
      expect(envelope.causationId).toBe(ruptured.messageId);
      expect(envelope.correlationId).toBe(ruptured.correlationId);
      expect(envelope.actor).toEqual({ kind: 'system', job: 'training.withdraw-on-rupture' });
      const { body } = await http().get(`/api/v1/training/enrolments/${enrolment.enrolmentId}`).set(as('anct')).expect(200);
      expect(body).toMatchObject({ status: 'ABANDONED', withdrawnByRupture: true, endDate: '2021-06-01' });
      const trainee = await http().get(`/api/v1/training/trainees/${conseillerId}`).set(as('anct')).expect(200);
      expect(trainee.body).toMatchObject({ status: 'WITHDRAWN', currentContract: { status: 'RUPTURED', ruptureDate: '2021-06-01', ruptureReason: 'DEMISSION' } });
      const again = await enrol('anct', enrolBody(contractId, 1)).expect(422);
      expect(again.body.code).toBe('CONTRACT_RUPTURED');
    });

    it('withdraws a conseiller still to be trained and leaves a completed training as it is', async () => {
      const waiting = await signContract();
      await rupture(waiting.contractId, waiting.conseillerId, '2021-06-02');
      await eventually(async () => (await http().get(`/api/v1/training/trainees/${waiting.conseillerId}`).set(as('anct'))).body.status === 'WITHDRAWN');

      const trained = await signContract();
      const { body: enrolment } = await enrol('lot3', enrolBody(trained.contractId, 3, { pathwayHours: 105 })).expect(201);
      await http().post(`/api/v1/training/enrolments/${enrolment.enrolmentId}/completion`).set(as('lot3')).send({ outcome: 'COMPLETED', endDate: '2021-05-28', hoursAttended: 105 }).expect(200);
      await rupture(trained.contractId, trained.conseillerId, '2021-06-03');
      await eventually(async () => (await http().get(`/api/v1/training/trainees/${trained.conseillerId}`).set(as('anct'))).body.currentContract.status === 'RUPTURED');
      const { body } = await http().get(`/api/v1/training/trainees/${trained.conseillerId}`).set(as('anct'));
      expect(body.status).toBe('TRAINED');
      expect(body.enrolments).toEqual([expect.objectContaining({ status: 'COMPLETED', withdrawnByRupture: false })]);
    });
  });

  describe('next contracts', () => {
    it('makes a withdrawn conseiller "to be trained" again with a new contract, and keeps a trained one trained after a renewal', async () => {
      const first = await signContract({ startDate: '2021-04-01' });
      await rupture(first.contractId, first.conseillerId, '2021-05-15');
      await eventually(async () => (await http().get(`/api/v1/training/trainees/${first.conseillerId}`).set(as('anct'))).body.status === 'WITHDRAWN');
      const next = await signContract({ conseillerId: first.conseillerId, startDate: '2021-06-01', structure: otherStructureId });
      const { body } = await http().get(`/api/v1/training/trainees/${first.conseillerId}`).set(as('anct')).expect(200);
      expect(body).toMatchObject({ status: 'TO_BE_TRAINED', currentContract: { contractId: next.contractId, structureId: otherStructureId, status: 'ACTIVE' } });
      expect(body.contracts.map((c: { contractId: string; status: string }) => `${c.contractId}:${c.status}`)).toEqual([`${first.contractId}:RUPTURED`, `${next.contractId}:ACTIVE`]);

      const trained = await signContract({ startDate: '2021-04-01', endDate: '2021-09-30' });
      const { body: enrolment } = await enrol('lot1', enrolBody(trained.contractId, 1, { pathwayHours: 105 })).expect(201);
      await http().post(`/api/v1/training/enrolments/${enrolment.enrolmentId}/completion`).set(as('lot1')).send({ outcome: 'COMPLETED', endDate: '2021-06-04', hoursAttended: 105 }).expect(200);
      const renewal = await signContract({ conseillerId: trained.conseillerId, startDate: '2021-10-01', endDate: null, renews: trained.contractId });
      const renewed = await http().get(`/api/v1/training/trainees/${trained.conseillerId}`).set(as('anct')).expect(200);
      expect(renewed.body).toMatchObject({ status: 'TRAINED', currentContract: { contractId: renewal.contractId, endDate: null } });
    });
  });

  describe('views', () => {
    it('lists conseillers not enrolled N days after their contract started, scoped, as JSON and streamed CSV', async () => {
      // Self-contained: lot 2 serves Île-de-France (restating the same régions is allowed).
      await http().put('/api/v1/training/lots/2/regions').set(as('anct')).send({ regionCodes: ['11'], effectiveFrom: '2021-04-15', source: 'notification du marché' }).expect(200);
      const late = await signContract({ startDate: '2021-04-01' });
      const recent = await signContract({ startDate: '2021-06-01' });
      const reunion = await signContract({ startDate: '2021-04-01', departmentCode: '974' });
      const ended = await signContract({ startDate: '2021-01-04', endDate: '2021-06-01' });
      const ids = async (who: string, query: string) => {
        const { body } = await http().get(`/api/v1/training/views/not-enrolled?${query}&structureId=${structureId}&pageSize=500`).set(as(who)).expect(200);
        return body.items.map((r: { conseillerId: string }) => r.conseillerId) as string[];
      };
      const anct30 = await ids('anct', 'days=30');
      expect(anct30).toEqual(expect.arrayContaining([late.conseillerId, reunion.conseillerId]));
      expect(anct30).not.toContain(recent.conseillerId);
      expect(anct30).not.toContain(ended.conseillerId);
      expect(await ids('anct', 'days=10')).toContain(recent.conseillerId);
      const pref = await ids('pref59', 'days=30');
      expect(pref).toContain(late.conseillerId);
      expect(pref).not.toContain(reunion.conseillerId);
      // Lot 2 (Île-de-France) does not see the Nord or La Réunion; the distance lot sees both.
      expect(await ids('lot2', 'days=30')).not.toContain(late.conseillerId);
      expect(await ids('lot1', 'days=30')).toEqual(expect.arrayContaining([late.conseillerId, reunion.conseillerId]));
      const { body } = await http().get(`/api/v1/training/views/not-enrolled?days=30&structureId=${structureId}`).set(as('anct')).expect(200);
      const row = body.items.find((r: { conseillerId: string }) => r.conseillerId === late.conseillerId);
      expect(row).toMatchObject({ contractId: late.contractId, daysSinceStart: 75, contractStartDate: '2021-04-01', abandonedEnrolments: 0 });
      expect(body).toMatchObject({ asOf: '2021-06-15', days: 30, contractStartedOnOrBefore: '2021-05-16' });


      const csv = await http().get(`/api/v1/training/views/not-enrolled?days=30&format=csv&structureId=${structureId}`).set(as('pref59')).expect(200);
      const other = await http().get(`/api/v1/training/views/not-enrolled?days=30&departmentCode=974&structureId=${structureId}`).set(as('anct')).expect(200);
      expect(other.body.items.map((r: { conseillerId: string }) => r.conseillerId)).toEqual([reunion.conseillerId]);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.headers['content-disposition']).toContain('conseillers-non-inscrits-2021-06-15.csv');
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).toBe('conseiller_id,nom,prenom,contrat_id,structure_id,departement,debut_contrat,fin_contrat,jours_depuis_debut,abandons');
      expect(lines.find((l) => l.startsWith(late.conseillerId))).toBe(`${late.conseillerId},Diallo ${contractSeqOf(late.contractId)},Awa,${late.contractId},${structureId},59,2021-04-01,2022-09-30,75,0`);
      expect(csv.text).not.toContain(reunion.conseillerId);
      await http().get('/api/v1/training/views/not-enrolled?days=-1').set(as('anct')).expect(400);
      await http().get('/api/v1/training/views/not-enrolled').set(as('structure')).expect(403);
      expect(await ids('anct', 'days=30&asOf=2021-05-01')).toContain(late.conseillerId); // exactly 30 days
      expect(await ids('anct', 'days=30&asOf=2021-04-30')).not.toContain(late.conseillerId);

      // Time moves on (the clock never goes back: the tests after this one run on 20 July): the recent contract is late too.
      clock.set(new Date('2021-07-20T08:00:00Z'));
      expect(await ids('anct', 'days=30')).toContain(recent.conseillerId);
    });

    it('computes completion and certification rates per lot and per département, scoped, as JSON and CSV', async () => {
      const { body } = await http().get('/api/v1/training/views/rates?by=lot').set(as('anct')).expect(200);
      expect(body.rows.map((r: { key: string }) => r.key)).toEqual(['1', '2', '3', '4', '5', '6']);
      const lot3 = body.rows.find((r: { key: string }) => r.key === '3');
      // Lot 3 so far (tests above): two completed trainings, three ongoing (one of them certified), one waiver.
      expect(lot3.completed).toBe(2);
      expect(lot3.waived).toBe(1);
      expect(lot3.completionRate).toBe(1);
      expect(lot3.ongoing).toBeGreaterThanOrEqual(2);
      expect(lot3.label).toBe('Lot 3 — Les Assembleurs, AFPA, SIMPLON');
      const lot1 = body.rows.find((r: { key: string }) => r.key === '1');
      expect(lot1).toMatchObject({ abandoned: 1, withdrawn: 1, completed: 1, completionRate: 0.3333 });
      expect(body.rows.find((r: { key: string }) => r.key === '6')).toMatchObject({ enrolments: 0, completionRate: null });

      const own = await http().get('/api/v1/training/views/rates?by=lot').set(as('lot3')).expect(200);
      expect(own.body.rows.map((r: { key: string }) => r.key)).toEqual(['3']);
      const departments = await http().get('/api/v1/training/views/rates?by=department').set(as('pref59')).expect(200);
      expect(departments.body.rows).toEqual([expect.objectContaining({ key: '59', label: 'Nord' })]);
      const csv = await http().get('/api/v1/training/views/rates?by=department&format=csv').set(as('anct')).expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      const [header, ...rows] = csv.text.trim().split('\r\n');
      expect(header.split(',')).toEqual(expect.arrayContaining(['cle', 'libelle', 'terminees', 'taux_achevement', 'taux_certification']));
      expect(rows.some((r) => r.startsWith('59,Nord,'))).toBe(true);
    });
  });

  it('serves its OpenAPI document with the training routes', async () => {
    const { body } = await http().get('/api/v1/docs/training/openapi.json').expect(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/training/enrolments', '/api/v1/training/enrolments/{id}/completion', '/api/v1/certifications', '/api/v1/training/views/rates']),
    );
  });
});

function contractSeqOf(contractId: string): string {
  return contractId.split('-').pop()!;
}
