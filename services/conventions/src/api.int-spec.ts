import { CoselecDecisionRecordedV1, StructureStatusChangedV1 } from '@cnfs/contracts';
import { randomUUID } from 'node:crypto';
import {
  contractBody,
  eventually,
  footprint,
  givenStructure,
  givenValidatedConvention,
  Harness,
  publish,
  startConventions,
  TestStructure,
} from './testing/harness';

/** The API's rules on the real stack: every refusal is problem+json, 4xx, and leaves nothing behind. */
describe('conventions API (PostgreSQL + Kafka)', () => {
  let h: Harness;
  const asAnct = () => ({ Authorization: `Bearer ${h.anct}` });

  beforeAll(async () => {
    h = await startConventions('2021-06-01T10:00:00Z');
  });

  afterAll(async () => {
    await h?.close();
  });

  async function outboxTypes(aggregateId: string): Promise<string[]> {
    const rows: { event_type: string }[] = await h.dataSource.query(`SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY id`, [aggregateId]);
    return rows.map((r) => r.event_type);
  }

  function expectProblem(response: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number): void {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  }

  const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

  describe('conventions', () => {
    it('are only for structures with a positive coselec quota, and never beyond it', async () => {
      const refused = await givenStructure(h, { opinion: 'NEGATIF' });
      const noQuota = await h.http().post('/api/v1/conventions').set(asAnct()).send({ structureId: refused.structureId, phase: 1, startDate: '2021-03-01' });
      expectProblem(noQuota, 409);
      expect(noQuota.body.code).toBe('NO_POSITIVE_COSELEC_QUOTA');
      const unknown = await h.http().post('/api/v1/conventions').set(asAnct()).send({ structureId: randomUUID(), phase: 1, startDate: '2021-03-01' });
      expectProblem(unknown, 404);

      const structure = await givenStructure(h, { grantedPosts: 2 });
      const tooMany = await h.http().post('/api/v1/conventions').set(asAnct()).send({ structureId: structure.structureId, phase: 1, startDate: '2021-03-01', posts: 3 });
      expectProblem(tooMany, 409);
      expect(tooMany.body.code).toBe('COSELEC_QUOTA_EXCEEDED');
      expect((await h.dataSource.query(`SELECT count(*)::int AS n FROM conventions WHERE structure_id = $1`, [structure.structureId]))[0].n).toBe(0);
    });

    it('last at most 36 months, financed 24, with real dates', async () => {
      const structure = await givenStructure(h);
      const before = await footprint(h);
      const over = await h.http().post('/api/v1/conventions').set(asAnct()).send({ structureId: structure.structureId, phase: 1, startDate: '2021-03-01', endDate: '2024-03-01' });
      expectProblem(over, 400);
      expect(over.body.errors).toEqual([expect.objectContaining({ field: 'endDate', code: 'CONVENTION_OVER_36_MONTHS' })]);
      const short = await h.http().post('/api/v1/conventions').set(asAnct()).send({ structureId: structure.structureId, phase: 1, startDate: '2021-03-01', endDate: '2022-03-01' });
      expectProblem(short, 400);
      const notADate = await h.http().post('/api/v1/conventions').set(asAnct()).send({ structureId: structure.structureId, phase: 3, startDate: '2021-02-30' });
      expectProblem(notADate, 400);
      expect(fieldsOf(notADate.body)).toEqual(expect.arrayContaining(['phase', 'startDate']));
      expect(await footprint(h)).toEqual(before);

      const created = await h.http().post('/api/v1/conventions').set(asAnct()).send({ structureId: structure.structureId, phase: 1, startDate: '2021-03-01', endDate: '2023-12-31' }).expect(201);
      expect(created.body).toMatchObject({ status: 'CONVENTIONNEMENT_EN_COURS', posts: 2, startDate: '2021-03-01', financedUntil: '2023-02-28', endDate: '2023-12-31', postCounts: { conventioned: 0 } });
      // One convention per structure and phase.
      const again = await h.http().post('/api/v1/conventions').set(asAnct()).send({ structureId: structure.structureId, phase: 1, startDate: '2021-04-01' });
      expectProblem(again, 409);
      expect(again.body.code).toBe('CONVENTION_ALREADY_EXISTS');
    });

    it('are validated by ANCT once, creating their posts VACANT with the events in the same transaction', async () => {
      const structure = await givenStructure(h, { grantedPosts: 3 });
      const asStructure = { Authorization: `Bearer ${await h.token({ role: 'structure', structureId: structure.structureId })}` };
      const created = await h.http().post('/api/v1/conventions').set(asStructure).send({ structureId: structure.structureId, phase: 1, startDate: '2021-03-01' }).expect(201);
      const id = created.body.id;
      expectProblem(await h.http().post(`/api/v1/conventions/${id}/validation`).set(asStructure).send({}), 403);
      expectProblem(await h.http().post(`/api/v1/conventions/${id}/validation`).set(asAnct()).send({ signedAt: '2021-06-02' }), 400);
      const validated = await h.http().post(`/api/v1/conventions/${id}/validation`).set(asAnct()).send({}).expect(200);
      expect(validated.body).toMatchObject({ status: 'CONVENTIONNEMENT_VALIDE', signedAt: '2021-06-01', postCounts: { vacant: 3, conventioned: 3 } });
      expect(validated.body.structureAtSignature).toEqual({ legalStatus: 'PUBLIC', type: 'COMMUNE', departmentCode: '59', qpv: true, zrr: false });
      const twice = await h.http().post(`/api/v1/conventions/${id}/validation`).set(asAnct()).send({});
      expectProblem(twice, 409);
      expect(twice.body.code).toBe('CONVENTION_TRANSITION_REFUSED');
      expect(await outboxTypes(id)).toEqual([
        'conventions.ConventionRequested', 'conventions.ConventionValidated',
        'conventions.PostStatusChanged', 'conventions.PostStatusChanged', 'conventions.PostStatusChanged',
      ]);
      const posts = await h.http().get(`/api/v1/posts?conventionId=${id}`).set(asStructure).expect(200);
      expect(posts.body.items.map((p: { status: string }) => p.status)).toEqual(['VACANT', 'VACANT', 'VACANT']);
    });

    it('can end as NON_INTERESSE with a reason, which then frees the phase for a new convention', async () => {
      const structure = await givenStructure(h);
      const asStructure = { Authorization: `Bearer ${await h.token({ role: 'structure', structureId: structure.structureId })}` };
      const created = await h.http().post('/api/v1/conventions').set(asStructure).send({ structureId: structure.structureId, phase: 1, startDate: '2021-03-01' }).expect(201);
      expectProblem(await h.http().post(`/api/v1/conventions/${created.body.id}/non-interest`).set(asStructure).send({}), 400);
      const declined = await h.http().post(`/api/v1/conventions/${created.body.id}/non-interest`).set(asStructure).send({ reason: 'Pas de candidat sur le territoire' }).expect(200);
      expect(declined.body).toMatchObject({ status: 'NON_INTERESSE', nonInterestReason: 'Pas de candidat sur le territoire' });
      expectProblem(await h.http().post(`/api/v1/conventions/${created.body.id}/validation`).set(asAnct()).send({}), 409);
      expect(await outboxTypes(created.body.id)).toEqual(['conventions.ConventionRequested', 'conventions.ConventionDeclined']);
      await h.http().post('/api/v1/conventions').set(asStructure).send({ structureId: structure.structureId, phase: 1, startDate: '2021-04-01' }).expect(201);
    });

    it('renew (phase 2) only a validated phase-1 convention, with a positive phase-2 quota, financed 36 months', async () => {
      const structure = await givenStructure(h, { grantedPosts: 2 });
      const noPhase1 = await h.http().post('/api/v1/conventions').set(asAnct()).send({ structureId: structure.structureId, phase: 2, startDate: '2023-03-01' });
      expectProblem(noPhase1, 409);
      expect(noPhase1.body.code).toBe('NO_POSITIVE_COSELEC_QUOTA');
      const phase1 = await givenValidatedConvention(h, structure);
      await publishPhase2Decision(structure, 2);
      const renewal = await h.http().post('/api/v1/conventions').set(asAnct()).send({ structureId: structure.structureId, phase: 2, startDate: '2023-03-01' }).expect(201);
      expect(renewal.body).toMatchObject({ status: 'RECONVENTIONNEMENT_INITIE', renewsConventionId: phase1.id, financedUntil: '2026-02-28', endDate: '2026-02-28' });
      const validated = await h.http().post(`/api/v1/conventions/${renewal.body.id}/validation`).set(asAnct()).send({}).expect(200);
      expect(validated.body.status).toBe('RECONVENTIONNEMENT_VALIDE');
    });
  });

  async function publishPhase2Decision(structure: TestStructure, posts: number): Promise<void> {
    const decision = CoselecDecisionRecordedV1.create(structure.structureId, {
      structureId: structure.structureId, decisionId: randomUUID(), opinion: 'POSITIF', grantedPosts: posts, committeeNumber: 'COSELEC R-3', decidedAt: '2022-11-15',
      phase: 2, effectiveQuota: { posts, phase: 2 }, legalStatus: structure.legalStatus, type: structure.legalStatus === 'PUBLIC' ? 'COMMUNE' : 'ASSOCIATION',
      departmentCode: structure.departmentCode, qpv: true, zrr: false,
    }, { actor: { kind: 'user', subject: 'agent-structures', role: 'anct' }, occurredAt: h.clock.now() });
    await publish(h, decision);
    await eventually(async () => (await h.dataSource.query(`SELECT phase2_quota FROM structures WHERE structure_id = $1`, [structure.structureId]))[0]?.phase2_quota === posts);
  }

  describe('amendments', () => {
    it('add posts within the phase-1 coselec quota only, one pending per structure, validated by ANCT', async () => {
      const structure = await givenStructure(h, { grantedPosts: 3 });
      const asStructure = { Authorization: `Bearer ${await h.token({ role: 'structure', structureId: structure.structureId })}` };
      const convention = await givenValidatedConvention(h, structure, { posts: 2 });
      const untouched = await footprint(h);
      const beyond = await h.http().post(`/api/v1/conventions/${convention.id}/amendments`).set(asStructure).send({ type: 'AJOUT', posts: 2, reason: 'Deux sites de plus' });
      expectProblem(beyond, 409);
      expect(beyond.body.code).toBe('COSELEC_QUOTA_EXCEEDED');
      const badType = await h.http().post(`/api/v1/conventions/${convention.id}/amendments`).set(asStructure).send({ type: 'AUGMENTATION', posts: 0, reason: '' });
      expectProblem(badType, 400);
      expect(fieldsOf(badType.body)).toEqual(expect.arrayContaining(['type', 'posts', 'reason']));
      expect(await footprint(h)).toEqual(untouched); // refused: nothing written (amendment, posts, events)

      const requested = await h.http().post(`/api/v1/conventions/${convention.id}/amendments`).set(asStructure).send({ type: 'AJOUT', posts: 1, reason: 'Un site de plus' }).expect(201);
      expect(requested.body).toMatchObject({ status: 'EN_COURS', type: 'AJOUT', posts: 1 });
      const pending = await footprint(h);
      const second = await h.http().post(`/api/v1/conventions/${convention.id}/amendments`).set(asStructure).send({ type: 'RETRAIT', posts: 1, reason: 'Finalement non' });
      expectProblem(second, 409);
      expect(second.body.code).toBe('AMENDMENT_ALREADY_PENDING');
      expect(await footprint(h)).toEqual(pending);
      expectProblem(await h.http().post(`/api/v1/amendments/${requested.body.id}/validation`).set(asStructure).send(), 403);

      const validated = await h.http().post(`/api/v1/amendments/${requested.body.id}/validation`).set(asAnct()).send().expect(200);
      expect(validated.body).toMatchObject({ status: 'VALIDEE', effectiveDate: '2021-06-01' });
      expect(validated.body.affectedPostIds).toHaveLength(1);
      const after = await h.http().get(`/api/v1/conventions/${convention.id}`).set(asStructure).expect(200);
      expect(after.body.postCounts).toEqual({ vacant: 3, occupied: 0, returned: 0, conventioned: 3 });
      expect((await outboxTypes(convention.id)).slice(-3)).toEqual(['conventions.AmendmentRequested', 'conventions.AmendmentValidated', 'conventions.PostStatusChanged']);
      expectProblem(await h.http().post(`/api/v1/amendments/${requested.body.id}/refusal`).set(asAnct()).send({ reason: 'Trop tard' }), 409);
    });

    it('return only vacant posts (RENDU), never an occupied one; a refusal keeps everything', async () => {
      const structure = await givenStructure(h, { grantedPosts: 2 });
      const convention = await givenValidatedConvention(h, structure);
      const held = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId)).expect(201)).body;
      const untouched = await footprint(h);
      const occupied = await h.http().post(`/api/v1/conventions/${convention.id}/amendments`).set(asAnct()).send({ type: 'RETRAIT', posts: 1, reason: 'Rendre le poste', postIds: [held.postId] });
      expectProblem(occupied, 409);
      expect(occupied.body.code).toBe('POST_NOT_VACANT');
      const tooMany = await h.http().post(`/api/v1/conventions/${convention.id}/amendments`).set(asAnct()).send({ type: 'RETRAIT', posts: 2, reason: 'Rendre les postes' });
      expect(tooMany.body.code).toBe('NOT_ENOUGH_VACANT_POSTS');
      expect(await footprint(h)).toEqual(untouched);

      const refused = await h.http().post(`/api/v1/conventions/${convention.id}/amendments`).set(asAnct()).send({ type: 'RETRAIT', posts: 1, reason: 'Rendre le poste vacant' }).expect(201);
      await h.http().post(`/api/v1/amendments/${refused.body.id}/refusal`).set(asAnct()).send({ reason: 'Recrutement en cours' }).expect(200);
      const retrait = await h.http().post(`/api/v1/conventions/${convention.id}/amendments`).set(asAnct()).send({ type: 'RETRAIT', posts: 1, reason: 'Rendre le poste vacant' }).expect(201);
      const validated = await h.http().post(`/api/v1/amendments/${retrait.body.id}/validation`).set(asAnct()).send().expect(200);
      const returned = validated.body.affectedPostIds[0];
      expect(returned).not.toBe(held.postId);
      expect((await h.http().get(`/api/v1/posts/${returned}`).set(asAnct()).expect(200)).body).toMatchObject({ status: 'RENDU', returnedByAmendmentId: retrait.body.id });
      // The returned post cannot be taken: no vacant post is left.
      const hire = await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId));
      expect(hire.body.code).toBe('NO_VACANT_POST');
      const list = await h.http().get(`/api/v1/conventions/${convention.id}/amendments`).set(asAnct()).expect(200);
      expect(list.body.items.map((a: { status: string }) => a.status)).toEqual(['REFUSEE', 'VALIDEE']);
    });
  });

  describe('contracts: bad inputs are 400/409 problem+json and write nothing', () => {
    let structure: TestStructure;
    let contract: { id: string; postId: string };

    beforeAll(async () => {
      structure = await givenStructure(h, { grantedPosts: 2, legalStatus: 'PRIVATE', departmentCode: '13' });
      await givenValidatedConvention(h, structure);
      contract = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId)).expect(201)).body;
    });

    const cases: [string, Record<string, unknown>, number, string[]][] = [
      ['an end before the start', { endDate: '2021-03-01' }, 400, ['endDate']],
      ['an impossible date', { startDate: '2021-02-30' }, 400, ['startDate']],
      ['a date that is not YYYY-MM-DD', { endDate: '30/09/2022' }, 400, ['endDate']],
      ['a CDD without end date', { endDate: null }, 400, ['endDate']],
      ['a CDI with an end date', { type: 'CDI' }, 400, ['endDate']],
      ['an unknown contract type', { type: 'INTERIM' }, 400, ['type']],
      ['a negative salary', { grossMonthlySalaryCents: -170000 }, 400, ['grossMonthlySalaryCents']],
      ['a salary in euros with decimals', { grossMonthlySalaryCents: 1700.5 }, 400, ['grossMonthlySalaryCents']],
      ['a salary below the minimum wage', { grossMonthlySalaryCents: 150000 }, 400, ['grossMonthlySalaryCents']],
      ['a private-law CDD over 18 months', { endDate: '2022-10-01' }, 400, ['endDate']],
      ['a project contract for a private employer', { type: 'CONTRAT_DE_PROJET_PUBLIC' }, 400, ['type']],
      ['an unknown field', { bonus: 1 }, 400, ['bonus']],
      ['a conseiller under working age', { conseiller: { firstName: 'Léo', lastName: 'Petit', email: 'leo.petit@example.org', birthDate: '2010-01-01' } }, 400, ['conseiller.birthDate']],
      ['a conseiller without e-mail', { conseiller: { firstName: 'Léo', lastName: 'Petit', birthDate: '1990-01-01' } }, 400, ['conseiller.email']],
      ['a start outside the convention', { startDate: '2020-01-01', endDate: '2021-01-01' }, 409, []],
      ['a structure without convention', { structureId: 'no-such-structure' }, 404, []],
    ];

    it.each(cases)('refuses %s', async (_what, overrides, status, fields) => {
      const before = await footprint(h);
      const response = await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId, overrides));
      expectProblem(response, status);
      if (fields.length > 0) expect(fieldsOf(response.body)).toEqual(expect.arrayContaining(fields));
      expect(await footprint(h)).toEqual(before);
    });

    it('explains why a private-law CDD over 18 months is refused', async () => {
      const response = await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId, { endDate: '2022-12-31' })).expect(400);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ field: 'endDate', code: 'CDD_PRIVATE_LAW_OVER_18_MONTHS', message: expect.stringMatching(/18 months.*2022-09-30.*CDI/) }),
      ]);
    });

    it('answers 400, not 500, to malformed JSON', async () => {
      const response = await h.http().post('/api/v1/contracts').set(asAnct()).set('Content-Type', 'application/json').send('{"structureId": ');
      expectProblem(response, 400);
    });

    const ruptures: [string, Record<string, unknown>, string[]][] = [
      ['in the future', { reason: 'DEMISSION', date: '2021-06-02' }, ['date']],
      ['before the contract start', { reason: 'DEMISSION', date: '2021-03-31' }, ['date']],
      ['with an unknown reason', { reason: 'FAUTE', date: '2021-05-01' }, ['reason']],
      ['without date', { reason: 'DEMISSION' }, ['date']],
    ];

    it.each(ruptures)('refuses a rupture %s', async (_what, body, fields) => {
      const before = await footprint(h);
      const response = await h.http().post(`/api/v1/contracts/${contract.id}/ruptures`).set(asAnct()).send(body);
      expectProblem(response, 400);
      expect(fieldsOf(response.body)).toEqual(expect.arrayContaining(fields));
      expect(await footprint(h)).toEqual(before);
      expect((await h.http().get(`/api/v1/contracts/${contract.id}`).set(asAnct()).expect(200)).body.status).toBe('ACTIF');
    });

    it('refuses a rupture after the contract end, and a second rupture', async () => {
      const short = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId, { startDate: '2021-04-01', endDate: '2021-05-15' })).expect(201)).body;
      const after = await h.http().post(`/api/v1/contracts/${short.id}/ruptures`).set(asAnct()).send({ reason: 'NON_RECONDUCTION_CDD', date: '2021-05-20' });
      expectProblem(after, 400);
      expect(after.body.errors[0]).toMatchObject({ field: 'date', code: 'RUPTURE_AFTER_END' });
      await h.http().post(`/api/v1/contracts/${short.id}/ruptures`).set(asAnct()).send({ reason: 'NON_RECONDUCTION_CDD', date: '2021-05-15' }).expect(201);
      const again = await h.http().post(`/api/v1/contracts/${short.id}/ruptures`).set(asAnct()).send({ reason: 'DEMISSION', date: '2021-05-15' });
      expectProblem(again, 409);
      expect(again.body.code).toBe('CONTRACT_NOT_ACTIVE');
    });

    it('keeps one identity per e-mail and one active contract per conseiller', async () => {
      const person = { firstName: 'Inès', lastName: 'Martin', email: `ines.${randomUUID().slice(0, 6)}@example.org`, birthDate: '1990-02-03' };
      const structure2 = await givenStructure(h, { grantedPosts: 1 });
      await givenValidatedConvention(h, structure2);
      const other = await givenStructure(h, { grantedPosts: 1 });
      await givenValidatedConvention(h, other);
      await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure2.structureId, { conseiller: person })).expect(201);
      const twice = await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(other.structureId, { conseiller: person }));
      expect(twice.body.code).toBe('CONSEILLER_ALREADY_EMPLOYED');
      const impostor = await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(other.structureId, { conseiller: { ...person, birthDate: '1991-02-03' } }));
      expect(impostor.body.code).toBe('CONSEILLER_IDENTITY_MISMATCH');
    });
  });

  describe('scope', () => {
    it('lets a structure see and act for itself only, a préfecture its départements, ANCT everything', async () => {
      const lille = await givenStructure(h, { departmentCode: '59', grantedPosts: 1 });
      const reunion = await givenStructure(h, { departmentCode: '974', grantedPosts: 1 });
      const lilleConvention = await givenValidatedConvention(h, lille);
      await givenValidatedConvention(h, reunion);
      const contract = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(lille.structureId)).expect(201)).body;
      const asLille = { Authorization: `Bearer ${await h.token({ role: 'structure', structureId: lille.structureId })}` };
      const asReunion = { Authorization: `Bearer ${await h.token({ role: 'structure', structureId: reunion.structureId })}` };
      const asPrefet59 = { Authorization: `Bearer ${await h.token({ role: 'prefecture', departments: ['59'] })}` };
      const asPrefet974 = { Authorization: `Bearer ${await h.token({ role: 'prefecture', departments: ['974'] })}` };
      const asTraining = { Authorization: `Bearer ${await h.token({ role: 'training_provider', lot: 2 } as never)}` };

      await h.http().get(`/api/v1/contracts/${contract.id}`).set(asLille).expect(200);
      await h.http().get(`/api/v1/contracts/${contract.id}`).set(asPrefet59).expect(200);
      expectProblem(await h.http().get(`/api/v1/contracts/${contract.id}`).set(asReunion), 404);
      expectProblem(await h.http().get(`/api/v1/contracts/${contract.id}`).set(asPrefet974), 404);
      expectProblem(await h.http().get(`/api/v1/contracts/${contract.id}`).set(asTraining), 403);
      expectProblem(await h.http().get(`/api/v1/conventions/${lilleConvention.id}`).set(asPrefet974), 404);
      expectProblem(await h.http().get(`/api/v1/contracts/${contract.id}`), 401);

      const list974 = await h.http().get('/api/v1/contracts?pageSize=500').set(asPrefet974).expect(200);
      expect(list974.body.items.every((c: { departmentCode: string }) => c.departmentCode === '974')).toBe(true);
      expect(list974.body.items.map((c: { id: string }) => c.id)).not.toContain(contract.id);
      const listLille = await h.http().get('/api/v1/conventions').set(asLille).expect(200);
      expect(listLille.body.items.map((c: { structureId: string }) => c.structureId)).toEqual([lille.structureId]);
      expectProblem(await h.http().post('/api/v1/contracts').set(asPrefet59).send(contractBody(lille.structureId)), 403);
      const forOther = await h.http().post('/api/v1/contracts').set(asReunion).send(contractBody(lille.structureId));
      expectProblem(forOther, 403);
      expectProblem(await h.http().post(`/api/v1/contracts/${contract.id}/ruptures`).set(asReunion).send({ reason: 'DEMISSION', date: '2021-05-01' }), 404);
      expectProblem(await h.http().get('/api/v1/contracts/not-a-uuid').set(asAnct()), 404);

      const csv = await h.http().get(`/api/v1/contracts/export?structureId=${lille.structureId}`).set(asPrefet59).expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.text.split('\r\n')[0]).toMatch(/^contractId,structureId/);
      expect(csv.text).toContain(contract.id);
      const csv974 = await h.http().get(`/api/v1/contracts/export?structureId=${lille.structureId}`).set(asPrefet974).expect(200);
      expect(csv974.text.trim().split('\r\n')).toHaveLength(1);
    });
  });

  describe('lifecycle of a contract', () => {
    it('replays a contract creation for the same Idempotency-Key and body', async () => {
      const structure = await givenStructure(h, { grantedPosts: 2 });
      await givenValidatedConvention(h, structure);
      const body = contractBody(structure.structureId);
      const first = await h.http().post('/api/v1/contracts').set(asAnct()).set('Idempotency-Key', `contract-${structure.structureId}`).send(body).expect(201);
      const replay = await h.http().post('/api/v1/contracts').set(asAnct()).set('Idempotency-Key', `contract-${structure.structureId}`).send(body).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(first.body.id);
      const [row] = await h.dataSource.query(`SELECT count(*)::int AS n FROM contracts WHERE structure_id = $1`, [structure.structureId]);
      expect(row.n).toBe(1);
    });

    it('renews a private-law CDD as a CDI (not as a CDD beyond 18 months), on the same post, with ContractRenewed', async () => {
      const structure = await givenStructure(h, { grantedPosts: 1, legalStatus: 'PRIVATE' });
      await givenValidatedConvention(h, structure);
      const cdd = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId)).expect(201)).body;
      const asCdd = await h.http().post(`/api/v1/contracts/${cdd.id}/renewals`).set(asAnct()).send({ type: 'CDD', startDate: '2022-10-01', endDate: '2023-09-30', grossMonthlySalaryCents: 180_000 });
      expectProblem(asCdd, 400);
      expect(asCdd.body.errors[0]).toMatchObject({ field: 'endDate', code: 'CDD_PRIVATE_LAW_OVER_18_MONTHS' });
      const gap = await h.http().post(`/api/v1/contracts/${cdd.id}/renewals`).set(asAnct()).send({ type: 'CDI', startDate: '2022-11-01', grossMonthlySalaryCents: 180_000 });
      expect(gap.body.errors[0]).toMatchObject({ field: 'startDate', code: 'RENEWAL_NOT_CONTIGUOUS' });
      const renewed = await h.http().post(`/api/v1/contracts/${cdd.id}/renewals`).set(asAnct()).send({ type: 'CDI', startDate: '2022-10-01', grossMonthlySalaryCents: 180_000 }).expect(201);
      expect(renewed.body).toMatchObject({ type: 'CDI', endDate: null, status: 'ACTIF', postId: cdd.postId, renewsContractId: cdd.id, conseiller: { id: cdd.conseiller.id } });
      expect((await h.http().get(`/api/v1/contracts/${cdd.id}`).set(asAnct()).expect(200)).body).toMatchObject({ status: 'RENOUVELE', endedOn: '2022-09-30' });
      expect(await outboxTypes(cdd.id)).toEqual(['conventions.ContractSigned', 'conventions.ContractRenewed']);
      expect(await outboxTypes(renewed.body.id)).toEqual(['conventions.ContractSigned']);
      expectProblem(await h.http().post(`/api/v1/contracts/${cdd.id}/renewals`).set(asAnct()).send({ type: 'CDI', startDate: '2022-10-01', grossMonthlySalaryCents: 180_000 }), 409);
      // The renewed contract is not ended by the job: it is no longer active.
      expect((await h.http().get(`/api/v1/posts/${cdd.postId}`).set(asAnct()).expect(200)).body).toMatchObject({ status: 'OCCUPE', contractId: renewed.body.id });
    });

    it('renews onto a vacant post of the renewal (phase-2) convention, freeing the phase-1 post', async () => {
      const structure = await givenStructure(h, { grantedPosts: 1 });
      const phase1 = await givenValidatedConvention(h, structure);
      const cdd = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId)).expect(201)).body;
      await publishPhase2Decision(structure, 1);
      const phase2 = (await h.http().post('/api/v1/conventions').set(asAnct()).send({ structureId: structure.structureId, phase: 2, startDate: '2022-10-01' }).expect(201)).body;
      // Not validated yet: nothing to move to.
      const early = await h.http().post(`/api/v1/contracts/${cdd.id}/renewals`).set(asAnct()).send({ type: 'CDD', startDate: '2022-10-01', endDate: '2025-09-30', grossMonthlySalaryCents: 180_000, conventionId: phase2.id });
      expect(early.body.code).toBe('NO_VALIDATED_CONVENTION');
      await h.http().post(`/api/v1/conventions/${phase2.id}/validation`).set(asAnct()).send({}).expect(200);
      const [phase2Post] = (await h.http().get(`/api/v1/posts?conventionId=${phase2.id}`).set(asAnct()).expect(200)).body.items;
      const renewed = await h.http().post(`/api/v1/contracts/${cdd.id}/renewals`).set(asAnct())
        .send({ type: 'CDD', startDate: '2022-10-01', endDate: '2025-09-30', grossMonthlySalaryCents: 180_000, conventionId: phase2.id }).expect(201);
      expect(renewed.body).toMatchObject({ conventionId: phase2.id, postId: phase2Post.id, renewsContractId: cdd.id, legalStatus: 'PUBLIC' });
      expect((await h.http().get(`/api/v1/posts/${phase1.postIds[0]}`).set(asAnct()).expect(200)).body).toMatchObject({ status: 'VACANT', contractId: null });
      expect((await h.http().get(`/api/v1/posts/${phase2Post.id}`).set(asAnct()).expect(200)).body).toMatchObject({ status: 'OCCUPE', contractId: renewed.body.id });
      expect((await outboxTypes(phase1.id)).slice(-1)).toEqual(['conventions.PostStatusChanged']);
      const [moved] = await h.dataSource.query(`SELECT envelope FROM outbox WHERE message_key = $1 ORDER BY id DESC LIMIT 1`, [phase1.id]);
      expect(JSON.parse(moved.envelope).payload).toMatchObject({ postId: phase1.postIds[0], from: 'OCCUPE', to: 'VACANT', effectiveDate: '2022-09-30', contractId: cdd.id });
      expect((await outboxTypes(phase2.id)).slice(-1)).toEqual(['conventions.PostStatusChanged']);
    });

    it('ends a non-CDI contract past its end date on request (the saga’s entry point), not before', async () => {
      const structure = await givenStructure(h, { grantedPosts: 1 });
      await givenValidatedConvention(h, structure);
      const cdd = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId, { startDate: '2021-05-01', endDate: '2021-05-31' })).expect(201)).body;
      const cdi = await givenStructure(h, { grantedPosts: 1 });
      await givenValidatedConvention(h, cdi);
      const open = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(cdi.structureId, { type: 'CDI', endDate: null })).expect(201)).body;
      expect((await h.http().post(`/api/v1/contracts/${open.id}/natural-end`).set(asAnct()).send()).body.code).toBe('CDI_HAS_NO_NATURAL_END');
      const asStructure = { Authorization: `Bearer ${await h.token({ role: 'structure', structureId: structure.structureId })}` };
      expectProblem(await h.http().post(`/api/v1/contracts/${cdd.id}/natural-end`).set(asStructure).send(), 403);
      const ended = await h.http().post(`/api/v1/contracts/${cdd.id}/natural-end`).set(asAnct()).send().expect(200);
      expect(ended.body).toMatchObject({ status: 'TERMINE', endedOn: '2021-05-31' });
      expect((await h.http().get(`/api/v1/posts/${cdd.postId}`).set(asAnct()).expect(200)).body.status).toBe('VACANT');
      expect(await outboxTypes(cdd.id)).toEqual(['conventions.ContractSigned', 'conventions.ContractEnded']);
      expect((await h.http().post(`/api/v1/contracts/${cdd.id}/natural-end`).set(asAnct()).send()).body.code).toBe('CONTRACT_NOT_ACTIVE');
    });

    it('stops recruitments of a structure that became ANNULEE', async () => {
      const structure = await givenStructure(h, { grantedPosts: 1 });
      await givenValidatedConvention(h, structure);
      await publish(h, StructureStatusChangedV1.create(structure.structureId, { structureId: structure.structureId, departmentCode: '59', from: 'VALIDATION_COSELEC', to: 'ANNULEE' }, {
        actor: { kind: 'user', subject: 'agent-structures', role: 'anct' }, occurredAt: h.clock.now(),
      }));
      await eventually(async () => (await h.dataSource.query(`SELECT status FROM structures WHERE structure_id = $1`, [structure.structureId]))[0].status === 'ANNULEE');
      const response = await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId));
      expectProblem(response, 409);
      expect(response.body.code).toBe('STRUCTURE_CLOSED');
    });

    it('ends every due contract with the clock-driven job, once, when its last day is over where the structure is', async () => {
      const structure = await givenStructure(h, { grantedPosts: 3 });
      await givenValidatedConvention(h, structure);
      const guadeloupe = await givenStructure(h, { grantedPosts: 1, departmentCode: '971' });
      await givenValidatedConvention(h, guadeloupe);
      const due = [];
      for (const endDate of ['2022-01-31', '2022-02-28']) {
        due.push((await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId, { endDate })).expect(201)).body);
      }
      const later = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(structure.structureId, { endDate: '2022-09-30' })).expect(201)).body;
      const antilles = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(guadeloupe.structureId, { endDate: '2022-02-28' })).expect(201)).body;
      const statusOf = async (id: string) => (await h.http().get(`/api/v1/contracts/${id}`).set(asAnct()).expect(200)).body;

      // 00:30 on 1 March in Paris, still 28 February (19:30) in Guadeloupe.
      h.clock.set(new Date('2022-02-28T23:30:00Z'));
      const run = await h.naturalEnds.runOnce();
      expect(run).toMatchObject({ failed: 0, today: '2022-03-01' });
      expect(run.ended).toBeGreaterThanOrEqual(2); // contracts of earlier tests in this schema may be due too
      for (const contract of due) expect(await statusOf(contract.id)).toMatchObject({ status: 'TERMINE', endedOn: contract.endDate });
      expect((await statusOf(antilles.id)).status).toBe('ACTIF');
      expect((await statusOf(later.id)).status).toBe('ACTIF');
      expect((await h.naturalEnds.runOnce()).ended).toBe(0);

      // 04:00 on 1 March in Guadeloupe: its last day is over.
      h.clock.set(new Date('2022-03-01T08:00:00Z'));
      expect((await h.naturalEnds.runOnce()).ended).toBe(1);
      expect(await statusOf(antilles.id)).toMatchObject({ status: 'TERMINE', endedOn: '2022-02-28' });
      expect((await statusOf(later.id)).status).toBe('ACTIF');
      const posts = await h.http().get(`/api/v1/posts?structureId=${structure.structureId}&status=VACANT`).set(asAnct()).expect(200);
      expect(posts.body.total).toBe(2);
    });

    it('judges "not in the future" in the structure’s own zone', async () => {
      const reunion = await givenStructure(h, { grantedPosts: 1, departmentCode: '974' });
      await givenValidatedConvention(h, reunion);
      const paris = await givenStructure(h, { grantedPosts: 1, departmentCode: '75' });
      await givenValidatedConvention(h, paris);
      const there = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(reunion.structureId, { endDate: '2022-09-30' })).expect(201)).body;
      const here = (await h.http().post('/api/v1/contracts').set(asAnct()).send(contractBody(paris.structureId, { endDate: '2022-09-30' })).expect(201)).body;
      // 22:30 on 1 March in Paris is 01:30 on 2 March in La Réunion.
      h.clock.set(new Date('2022-03-01T21:30:00Z'));
      const early = await h.http().post(`/api/v1/contracts/${here.id}/ruptures`).set(asAnct()).send({ reason: 'DEMISSION', date: '2022-03-02' });
      expect(early.body.errors[0]).toMatchObject({ field: 'date', code: 'RUPTURE_IN_FUTURE' });
      await h.http().post(`/api/v1/contracts/${there.id}/ruptures`).set(asAnct()).send({ reason: 'DEMISSION', date: '2022-03-02' }).expect(201);
    });
  });

  it('serves its OpenAPI document with the routes', async () => {
    const document = await h.http().get('/api/v1/docs/conventions/openapi.json').expect(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/conventions', '/api/v1/conventions/{id}/validation', '/api/v1/conventions/{id}/amendments', '/api/v1/amendments/{id}/validation',
        '/api/v1/posts', '/api/v1/contracts', '/api/v1/contracts/{id}/ruptures', '/api/v1/contracts/{id}/renewals', '/api/v1/contracts/{id}/natural-end',
      ]),
    );
  });
});
