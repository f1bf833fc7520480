import request from 'supertest';
import { HEADER, IncomingRecord, KafkaBus, Subscription } from '@cnfs/messaging';
import { EventEnvelope, parseEnvelope, TOPICS, validateAgainstCatalog } from '@cnfs/contracts';
import { testBrokers, uniqueName } from '@cnfs/testing';
import { effectiveQuota } from '@cnfs/structures-domain';
import { eventually, Harness, newSiret, registration, startStructures } from './testing/harness';

describe('structures service on the real stack', () => {
  let h: Harness;
  let bus: KafkaBus;
  let subscription: Subscription;
  const records: IncomingRecord[] = [];

  const post = (path: string, token: string | null, body: unknown, headers: Record<string, string> = {}) => {
    const r = request(h.http).post(`/api/v1/structures${path}`).set(headers);
    return (token ? r.set('Authorization', `Bearer ${token}`) : r).send(body as object);
  };
  const get = (path: string, token: string) => request(h.http).get(`/api/v1/structures${path}`).set('Authorization', `Bearer ${token}`);
  const register = async (overrides: Record<string, unknown> = {}) => {
    const response = await post('', h.tokens.anct, registration(overrides));
    expect(response.status).toBe(201);
    return response.body as { id: string; siret: string; status: string; departmentCode: string; name: string };
  };
  const decide = (id: string, body: Record<string, unknown>, token = h.tokens.anct) =>
    post(`/${id}/coselec-decisions`, token, { opinion: 'POSITIF', grantedPosts: 2, committeeNumber: 'COSELEC 12', decidedAt: '2021-02-15', phase: 1, ...body });
  const fieldsOf = (body: { errors?: { field: string }[] }) => [...new Set((body.errors ?? []).map((e) => e.field))].sort();
  const eventsOf = (structureId: string): EventEnvelope[] =>
    records.filter((r) => r.key === structureId).map((r) => JSON.parse(r.value!.toString('utf8')) as EventEnvelope);

  beforeAll(async () => {
    h = await startStructures('structures_api');
    // A throw-away reader of the structures topic, from the beginning: the test keeps the records of its own structures.
    bus = new KafkaBus({ clientId: 'structures-test-reader', brokers: testBrokers() });
    subscription = await bus.subscribe({ groupId: uniqueName('structures_reader'), topics: [TOPICS.structures], fromBeginning: true }, async (batch) => {
      records.push(...batch);
      return batch[batch.length - 1].offset;
    });
    await subscription.ready;
  });

  afterAll(async () => {
    await subscription?.stop();
    await bus?.close();
    await h?.close();
  });

  describe('registration', () => {
    it('registers a structure: 201, status CREEE, SIREN derived, one row, one status line, one event in the outbox', async () => {
      const body = registration({ name: '  Commune de Roubaix ', departmentCode: '59' });
      const response = await post('', h.tokens.anct, body).expect(201);
      expect(response.body).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'CREEE',
        siret: body.siret,
        siren: (body.siret as string).slice(0, 9),
        name: 'Commune de Roubaix',
        departmentCode: '59',
        departmentName: 'Nord',
        effectiveQuota: null,
        version: 1,
        address: { line1: 'Place Augustin Laurent', line2: null, postalCode: '59000', city: 'Lille' },
      });
      const id = response.body.id;
      expect(await h.db.query(`SELECT status, created_by FROM structures WHERE id = $1`, [id])).toEqual([{ status: 'CREEE', created_by: 'agent-anct' }]);
      expect(await h.db.query(`SELECT from_status, to_status FROM structure_status_changes WHERE structure_id = $1`, [id])).toEqual([{ from_status: null, to_status: 'CREEE' }]);
      expect(await h.db.query(`SELECT event_type FROM outbox WHERE message_key = $1`, [id])).toEqual([{ event_type: 'structures.StructureRegistered' }]);
      await get(`/${id}`, h.tokens.anct).expect(200);
    });

    it('normalises the département code and accepts Corsica and the DROM', async () => {
      expect((await register({ departmentCode: '2a', type: 'ASSOCIATION', legalStatus: 'PRIVATE' })).departmentCode).toBe('2A');
      expect((await register({ departmentCode: '976' })).departmentCode).toBe('976');
    });

    it('answers 409 naming the existing structure for a second SIRET, and writes nothing', async () => {
      const first = await register({ name: 'Association Emmaüs Connect Lille', type: 'ASSOCIATION', legalStatus: 'PRIVATE' });
      const before = await h.count('structures');
      const response = await post('', h.tokens.anct, registration({ siret: first.siret, name: 'Another name' })).expect(409);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.detail).toContain(first.id);
      expect(response.body.detail).toContain('Association Emmaüs Connect Lille');
      expect(response.body.existingStructure).toEqual({ id: first.id, name: first.name, siret: first.siret, departmentCode: '59', status: 'CREEE' });
      expect(fieldsOf(response.body)).toEqual(['siret']);
      expect(await h.count('structures')).toBe(before);
    });

    it('lets exactly one of ten simultaneous registrations of one SIRET through; the others get the 409', async () => {
      const body = registration();
      const answers = await Promise.all(Array.from({ length: 10 }, () => post('', h.tokens.anct, body)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([201, ...Array(9).fill(409)]);
      const winner = answers.find((a) => a.status === 201)!.body.id;
      for (const loser of answers.filter((a) => a.status === 409)) expect(loser.body.existingStructure.id).toBe(winner);
      expect((await h.db.query(`SELECT count(*)::int AS n FROM structures WHERE siret = $1`, [body.siret]))[0].n).toBe(1);
    });

    it.each([
      ['a wrong check digit', { siret: '21590350100018' }, ['siret'], /check digit/],
      ['a SIRET with spaces', { siret: '215 903 501 00017' }, ['siret'], /14 digits/],
      ['a SIRET as a JSON number', { siret: 21590350100017 }, ['siret'], /string/],
      ['an unknown département', { departmentCode: '99' }, ['departmentCode'], /not a département code/],
      ['the old Corsican code', { departmentCode: '20' }, ['departmentCode'], /not a département code/],
      ['a type of the other legal status', { type: 'ASSOCIATION', legalStatus: 'PUBLIC' }, ['type'], /ASSOCIATION is PRIVATE, not PUBLIC/],
      ['a private company declared public', { type: 'COMMUNE', legalStatus: 'PRIVATE' }, ['type'], /COMMUNE is PUBLIC, not PRIVATE/],
      ['zero posts', { requestedPosts: 0 }, ['requestedPosts'], /1/],
      ['posts as a string', { requestedPosts: '3' }, ['requestedPosts'], /integer/],
      ['a blank name', { name: '   ' }, ['name'], /characters/],
      ['a NUL byte in the name', { name: 'Mairie\u0000' }, ['name'], /control characters/],
      ['a bad postal code and e-mail', { address: { line1: 'x', postalCode: '5900', city: 'Lille' }, contact: { name: 'A', email: 'not-an-email' } }, ['address.postalCode', 'contact.email'], /./],
      ['an unexpected field', { siren: '215903501' }, ['siren'], /should not exist/],
    ])('answers 400 problem+json for %s, naming the field', async (_case, overrides, fields, message) => {
      const before = await h.count('structures');
      const response = await post('', h.tokens.anct, registration(overrides)).expect(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 400, title: 'Bad Request' });
      expect(fieldsOf(response.body)).toEqual(fields);
      expect(response.body.errors.map((e: { message: string }) => e.message).join(' ')).toMatch(message);
      expect(await h.count('structures')).toBe(before);
    });

    it('names every missing field in one answer', async () => {
      const response = await post('', h.tokens.anct, {}).expect(400);
      expect(fieldsOf(response.body)).toEqual(
        ['address', 'contact', 'departmentCode', 'legalStatus', 'name', 'qpv', 'requestedPosts', 'siret', 'type', 'zrr'].sort(),
      );
      const nested = await post('', h.tokens.anct, registration({ address: {}, contact: {} })).expect(400);
      expect(fieldsOf(nested.body)).toEqual(['address.city', 'address.line1', 'address.postalCode', 'contact.email', 'contact.name']);
    });

    it('names several wrong fields at once', async () => {
      const response = await post('', h.tokens.anct, registration({ siret: '12345678901234', departmentCode: '00', type: 'GIP', legalStatus: 'PRIVATE' })).expect(400);
      expect(fieldsOf(response.body)).toEqual(['departmentCode', 'siret', 'type']);
    });

    it('is for ANCT only: 401 without a token, 403 for the other roles', async () => {
      await post('', null, registration()).expect(401);
      for (const token of [h.tokens.pref59, h.tokens.bdt, h.tokens.training, await h.tokenOfStructure('00000000-0000-4000-8000-000000000000')]) {
        const response = await post('', token, registration()).expect(403);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
    });

    it('replays the first answer for the same Idempotency-Key and body; 422 for another body under that key', async () => {
      const body = registration();
      const key = { 'Idempotency-Key': uniqueName('register') };
      const first = await post('', h.tokens.anct, body, key).expect(201);
      const replay = await post('', h.tokens.anct, body, key).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect((await h.db.query(`SELECT count(*)::int AS n FROM structures WHERE siret = $1`, [body.siret]))[0].n).toBe(1);
      expect((await h.db.query(`SELECT count(*)::int AS n FROM outbox WHERE message_key = $1`, [first.body.id]))[0].n).toBe(1);
      const other = await post('', h.tokens.anct, { ...body, requestedPosts: 4 }, key).expect(422);
      expect(other.body.errors[0].field).toBe('Idempotency-Key');
      // Without the key, the same body is a duplicate.
      await post('', h.tokens.anct, body).expect(409);
    });
  });

  describe('reads and territorial scope', () => {
    let lille: { id: string; siret: string };
    let marseille: { id: string; siret: string };

    beforeAll(async () => {
      lille = await register({ name: 'CCAS de Lille, "centre social"', departmentCode: '59' });
      marseille = await register({ name: 'Ville de Marseille', departmentCode: '13', address: { line1: 'Quai du Port', postalCode: '13002', city: 'Marseille' } });
    });

    it('shows a structure to ANCT, BdT, the préfecture of its département and the structure itself', async () => {
      for (const token of [h.tokens.anct, h.tokens.bdt, h.tokens.pref59, await h.tokenOfStructure(lille.id)]) {
        expect((await get(`/${lille.id}`, token).expect(200)).body.id).toBe(lille.id);
      }
    });

    it('answers 404 to a préfecture of 13 on a structure of 59, everywhere, and to another structure', async () => {
      for (const path of ['', '/coselec-decisions', '/prefect-opinions', '/status-changes']) {
        const response = await get(`/${lille.id}${path}`, h.tokens.pref13).expect(404);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      await get(`/${lille.id}`, await h.tokenOfStructure(marseille.id)).expect(404);
      await get(`/${marseille.id}`, h.tokens.pref13).expect(200);
      await get(`/${lille.id}`, h.tokens.training).expect(403);
    });

    it('answers 404 for an unknown or malformed id', async () => {
      await get('/7d8f0b5e-2f7a-4c55-9a51-2b0d8f3c9e10', h.tokens.anct).expect(404);
      await get('/not-a-uuid', h.tokens.anct).expect(404);
    });

    it('never lists a structure outside the préfecture’s départements, even when asked by filter', async () => {
      const all = await get('?pageSize=500', h.tokens.pref13).expect(200);
      expect(all.body.items.length).toBeGreaterThan(0);
      expect(all.body.items.every((s: { departmentCode: string }) => s.departmentCode === '13')).toBe(true);
      expect(all.body.items.map((s: { id: string }) => s.id)).not.toContain(lille.id);
      const asked = await get('?departmentCode=59', h.tokens.pref13).expect(200);
      expect(asked.body).toEqual({ items: [], page: 1, pageSize: 50, total: 0 });
      const csv = await get('/export', h.tokens.pref13).expect(200);
      expect(csv.text).not.toContain(lille.id);
      expect(csv.text).toContain(marseille.id);
      const mine = await get('', await h.tokenOfStructure(lille.id)).expect(200);
      expect(mine.body.items.map((s: { id: string }) => s.id)).toEqual([lille.id]);
    });

    it('filters and paginates', async () => {
      const bySiret = await get(`?siret=${lille.siret}`, h.tokens.anct).expect(200);
      expect(bySiret.body.items.map((s: { id: string }) => s.id)).toEqual([lille.id]);
      const nord = await get('?departmentCode=59&status=CREEE&type=COMMUNE&legalStatus=PUBLIC&qpv=true', h.tokens.anct).expect(200);
      expect(nord.body.total).toBeGreaterThanOrEqual(2);
      expect(nord.body.items.every((s: Record<string, unknown>) => s.departmentCode === '59' && s.status === 'CREEE' && s.type === 'COMMUNE' && s.qpv === true)).toBe(true);
      const total = (await get('', h.tokens.anct).expect(200)).body.total as number;
      const pages = [];
      for (let page = 1; page <= Math.ceil(total / 3); page++) pages.push(...(await get(`?page=${page}&pageSize=3`, h.tokens.anct).expect(200)).body.items);
      expect(pages).toHaveLength(total);
      expect(new Set(pages.map((s: { id: string }) => s.id)).size).toBe(total);
    });

    it('answers 400 naming the bad filter', async () => {
      for (const [query, field] of [['departmentCode=99', 'departmentCode'], ['status=VALIDE', 'status'], ['pageSize=1000', 'pageSize'], ['qpv=yes', 'qpv'], ['page=0', 'page'], ['colour=red', 'colour']]) {
        const response = await get(`?${query}`, h.tokens.anct).expect(400);
        expect(fieldsOf(response.body)).toEqual([field]);
      }
    });

    it('exports the filtered list as CSV, quoting what needs it', async () => {
      const response = await get('/export?departmentCode=59', h.tokens.anct).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv/);
      expect(response.headers['content-disposition']).toContain('structures.csv');
      const lines = response.text.trimEnd().split('\r\n');
      expect(lines[0]).toBe('id,siret,siren,name,legalStatus,type,departmentCode,departmentName,postalCode,city,qpv,zrr,requestedPosts,status,effectivePosts,effectivePhase,duplicateOfId,createdAt');
      const line = lines.find((l) => l.startsWith(lille.id))!;
      expect(line).toContain(`,"CCAS de Lille, ""centre social""",PUBLIC,COMMUNE,59,Nord,`);
      expect(lines.some((l) => l.startsWith(marseille.id))).toBe(false);
      const listed = (await get('?departmentCode=59&pageSize=500', h.tokens.anct).expect(200)).body.total;
      expect(lines.length - 1).toBe(listed);
    });
  });

  describe('coselec decisions', () => {
    it('are recorded by ANCT only (403 for the other roles, nothing written)', async () => {
      const s = await register();
      for (const token of [h.tokens.pref59, h.tokens.bdt, h.tokens.training, await h.tokenOfStructure(s.id)]) {
        const response = await decide(s.id, {}, token).expect(403);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      expect((await h.db.query(`SELECT count(*)::int AS n FROM coselec_decisions WHERE structure_id = $1`, [s.id]))[0].n).toBe(0);
    });

    it('move the status and keep the effective quota: latest positive decision, phase 2 preferred', async () => {
      const s = await register({ requestedPosts: 3 });
      const first = await decide(s.id, { opinion: 'EXAMEN_COMPLEMENTAIRE', grantedPosts: 0, committeeNumber: 'COSELEC 10', decidedAt: '2021-01-20' }).expect(201);
      expect(first.body.structure).toMatchObject({ status: 'EXAMEN_COMPLEMENTAIRE_COSELEC', effectiveQuota: null, version: 2 });
      const positive = await decide(s.id, { grantedPosts: 3, committeeNumber: 'COSELEC 12', decidedAt: '2021-02-15' }).expect(201);
      expect(positive.body).toMatchObject({
        decision: { sequence: 2, opinion: 'POSITIF', grantedPosts: 3, committeeNumber: 'COSELEC 12', decidedAt: '2021-02-15', phase: 1, recordedBy: 'agent-anct' },
        structure: { status: 'VALIDATION_COSELEC', effectiveQuota: { posts: 3, phase: 1, decisionId: positive.body.decision.id } },
      });
      const lowered = await decide(s.id, { grantedPosts: 2, committeeNumber: 'COSELEC 15', decidedAt: '2021-04-01' }).expect(201);
      expect(lowered.body.structure).toMatchObject({ status: 'VALIDATION_COSELEC', effectiveQuota: { posts: 2, phase: 1 } });
      const renewal = await decide(s.id, { grantedPosts: 1, committeeNumber: 'COSELEC 40', decidedAt: '2021-06-01', phase: 2 }).expect(201);
      expect(renewal.body.structure.effectiveQuota).toEqual({ posts: 1, phase: 2, decisionId: renewal.body.decision.id });
      // A later phase-1 decision does not replace the renewal's quota; a refusal changes the status, not the quota.
      await decide(s.id, { grantedPosts: 3, committeeNumber: 'COSELEC 41', decidedAt: '2021-06-10', phase: 1 }).expect(201);
      const refusal = await decide(s.id, { opinion: 'NEGATIF', grantedPosts: 0, committeeNumber: 'COSELEC 42', decidedAt: '2021-06-20', phase: 2 }).expect(201);
      expect(refusal.body.structure).toMatchObject({ status: 'REFUS_COSELEC', effectiveQuota: { posts: 1, phase: 2, decisionId: renewal.body.decision.id } });

      const history = await get(`/${s.id}/coselec-decisions`, h.tokens.pref59).expect(200);
      expect(history.body.items.map((d: { sequence: number; opinion: string }) => `${d.sequence}:${d.opinion}`)).toEqual([
        '1:EXAMEN_COMPLEMENTAIRE', '2:POSITIF', '3:POSITIF', '4:POSITIF', '5:POSITIF', '6:NEGATIF',
      ]);
      expect(history.body.effectiveQuota).toEqual({ posts: 1, phase: 2, decisionId: renewal.body.decision.id });
      const statuses = await get(`/${s.id}/status-changes`, h.tokens.anct).expect(200);
      expect(statuses.body.items.map((c: { from: string | null; to: string }) => `${c.from}>${c.to}`)).toEqual([
        'null>CREEE', 'CREEE>EXAMEN_COMPLEMENTAIRE_COSELEC', 'EXAMEN_COMPLEMENTAIRE_COSELEC>VALIDATION_COSELEC', 'VALIDATION_COSELEC>REFUS_COSELEC',
      ]);
      expect((await get(`/${s.id}`, h.tokens.anct)).body).toMatchObject({ status: 'REFUS_COSELEC', version: 7, effectiveQuota: { posts: 1, phase: 2 } });
    });

    it('refuse inconsistent decisions with the right status, naming the field', async () => {
      const s = await register({ requestedPosts: 2 });
      await decide(s.id, { decidedAt: '2021-03-01' }).expect(201);
      const cases: [Record<string, unknown>, number, string][] = [
        [{ grantedPosts: 0 }, 400, 'grantedPosts'],
        [{ opinion: 'NEGATIF', grantedPosts: 2 }, 400, 'grantedPosts'],
        [{ decidedAt: '2021-07-01' }, 400, 'decidedAt'], // the clock says 30 June 2021
        [{ decidedAt: '2021-02-30' }, 400, 'decidedAt'],
        [{ phase: 3 }, 400, 'phase'],
        [{ phase: '1' }, 400, 'phase'],
        [{ committeeNumber: '' }, 400, 'committeeNumber'],
        [{ decidedAt: '2021-02-28' }, 422, 'decidedAt'], // before the recorded 2021-03-01
        [{ grantedPosts: 3, decidedAt: '2021-03-02' }, 422, 'grantedPosts'], // 2 requested
      ];
      for (const [body, status, field] of cases) {
        const response = await decide(s.id, body);
        expect([body, response.status]).toEqual([body, status]);
        expect(fieldsOf(response.body)).toEqual([field]);
      }
      expect((await h.db.query(`SELECT count(*)::int AS n FROM coselec_decisions WHERE structure_id = $1`, [s.id]))[0].n).toBe(1);
      await decide('7d8f0b5e-2f7a-4c55-9a51-2b0d8f3c9e10', {}).expect(404);
    });

    it('are append-only in the database too', async () => {
      const s = await register();
      await decide(s.id, {}).expect(201);
      await expect(h.db.query(`UPDATE coselec_decisions SET granted_posts = 3 WHERE structure_id = $1`, [s.id])).rejects.toThrow(/append-only/);
      await expect(h.db.query(`DELETE FROM coselec_decisions WHERE structure_id = $1`, [s.id])).rejects.toThrow(/append-only/);
      await expect(h.db.query(`DELETE FROM structure_status_changes WHERE structure_id = $1`, [s.id])).rejects.toThrow(/append-only/);
    });

    it('take an Idempotency-Key: a retried decision is recorded once', async () => {
      const s = await register();
      const key = { 'Idempotency-Key': uniqueName('decision') };
      const body = { opinion: 'POSITIF', grantedPosts: 2, committeeNumber: 'COSELEC 12', decidedAt: '2021-02-15', phase: 1 };
      const first = await post(`/${s.id}/coselec-decisions`, h.tokens.anct, body, key).expect(201);
      const replay = await post(`/${s.id}/coselec-decisions`, h.tokens.anct, body, key).expect(201);
      expect(replay.body).toEqual(first.body);
      expect((await h.db.query(`SELECT count(*)::int AS n FROM coselec_decisions WHERE structure_id = $1`, [s.id]))[0].n).toBe(1);
    });

    it('serialise concurrent decisions on one structure: numbered 1..n, the quota from the latest', async () => {
      const s = await register({ requestedPosts: 10 });
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => decide(s.id, { grantedPosts: i + 1, committeeNumber: `COSELEC ${i}`, decidedAt: '2021-05-01' })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
      const history = (await get(`/${s.id}/coselec-decisions`, h.tokens.anct)).body;
      expect(history.items.map((d: { sequence: number }) => d.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(history.effectiveQuota.decisionId).toBe(history.items[7].id);
      expect((await get(`/${s.id}`, h.tokens.anct)).body.version).toBe(9);
    });
  });

  it('keeps, for every structure, the stored quota equal to the rule applied to its whole decision history', async () => {
    const structures: { id: string; effective_decision_id: string | null; effective_posts: number | null; effective_phase: number | null }[] =
      await h.db.query(`SELECT id, effective_decision_id, effective_posts, effective_phase FROM structures`);
    const decisions = await h.db.query(`SELECT * FROM coselec_decisions ORDER BY structure_id, sequence`);
    expect(decisions.length).toBeGreaterThan(10);
    for (const s of structures) {
      const history = decisions
        .filter((d: { structure_id: string }) => d.structure_id === s.id)
        .map((d: Record<string, any>) => ({ id: d.id, sequence: d.sequence, opinion: d.opinion, grantedPosts: d.granted_posts, committeeNumber: d.committee_number, decidedAt: d.decided_at, phase: d.phase }));
      const expected = effectiveQuota(history);
      expect({ id: s.id, quota: s.effective_decision_id ? { posts: s.effective_posts, phase: s.effective_phase, decisionId: s.effective_decision_id } : null }).toEqual({ id: s.id, quota: expected });
    }
  });

  describe('administrative statuses', () => {
    it('ABANDON a validated structure with a reason; no decision is taken afterwards', async () => {
      const s = await register();
      await decide(s.id, {}).expect(201);
      const response = await post(`/${s.id}/status-changes`, h.tokens.anct, { status: 'ABANDON', reason: 'La commune renonce au dispositif.' }).expect(201);
      expect(response.body).toMatchObject({
        change: { from: 'VALIDATION_COSELEC', to: 'ABANDON', reason: 'La commune renonce au dispositif.', changedBy: 'agent-anct' },
        structure: { status: 'ABANDON', effectiveQuota: { posts: 2, phase: 1 } },
      });
      const refused = await decide(s.id, { decidedAt: '2021-03-01' }).expect(409);
      expect(refused.body.detail).toContain('ABANDON');
      await post(`/${s.id}/status-changes`, h.tokens.anct, { status: 'ANNULEE', reason: 'erreur de saisie' }).expect(409);
    });

    it('ANNULEE a refused structure; DOUBLON names the structure kept', async () => {
      const refused = await register();
      await decide(refused.id, { opinion: 'NEGATIF', grantedPosts: 0 }).expect(201);
      await post(`/${refused.id}/status-changes`, h.tokens.anct, { status: 'ABANDON', reason: 'renonce' }).expect(409);
      await post(`/${refused.id}/status-changes`, h.tokens.anct, { status: 'ANNULEE', reason: 'candidature retirée' }).expect(201);

      const kept = await register({ name: 'Centre social Lille Sud', type: 'ASSOCIATION', legalStatus: 'PRIVATE' });
      const copy = await register({ name: 'Centre Social Lille-Sud', type: 'ASSOCIATION', legalStatus: 'PRIVATE' });
      const missing = await post(`/${copy.id}/status-changes`, h.tokens.anct, { status: 'DOUBLON', reason: 'même association' }).expect(400);
      expect(fieldsOf(missing.body)).toEqual(['duplicateOfId']);
      const unknown = await post(`/${copy.id}/status-changes`, h.tokens.anct, { status: 'DOUBLON', reason: 'même association', duplicateOfId: '7d8f0b5e-2f7a-4c55-9a51-2b0d8f3c9e10' }).expect(422);
      expect(fieldsOf(unknown.body)).toEqual(['duplicateOfId']);
      const marked = await post(`/${copy.id}/status-changes`, h.tokens.anct, { status: 'DOUBLON', reason: 'même association', duplicateOfId: kept.id }).expect(201);
      expect(marked.body.structure.status).toBe('DOUBLON');
      expect((await get(`/${copy.id}`, h.tokens.anct)).body.duplicateOfId).toBe(kept.id);
      // The kept one can't be marked a duplicate of its duplicate.
      await post(`/${kept.id}/status-changes`, h.tokens.anct, { status: 'DOUBLON', reason: 'boucle', duplicateOfId: copy.id }).expect(422);
      // A validated structure holds posts: not a DOUBLON.
      await decide(kept.id, {}).expect(201);
      const other = await register({ type: 'ASSOCIATION', legalStatus: 'PRIVATE' });
      await post(`/${kept.id}/status-changes`, h.tokens.anct, { status: 'DOUBLON', reason: 'essai', duplicateOfId: other.id }).expect(409);
    });

    it('are ANCT-only and need a reason', async () => {
      const s = await register();
      await post(`/${s.id}/status-changes`, h.tokens.pref59, { status: 'ANNULEE', reason: 'erreur' }).expect(403);
      const noReason = await post(`/${s.id}/status-changes`, h.tokens.anct, { status: 'ANNULEE' }).expect(400);
      expect(fieldsOf(noReason.body)).toEqual(['reason']);
      const notAdministrative = await post(`/${s.id}/status-changes`, h.tokens.anct, { status: 'VALIDATION_COSELEC', reason: 'raccourci' }).expect(400);
      expect(fieldsOf(notAdministrative.body)).toEqual(['status']);
    });
  });

  describe('préfet opinions', () => {
    const comment = 'Structure active, conseillers bien intégrés au territoire.';

    it('are given by the préfecture of the structure’s département, on a structure with granted posts', async () => {
      const s = await register();
      const early = await post(`/${s.id}/prefect-opinions`, h.tokens.pref59, { opinion: 'favorable', comment }).expect(409);
      expect(early.body.detail).toMatch(/no post granted/);
      await decide(s.id, {}).expect(201);
      const response = await post(`/${s.id}/prefect-opinions`, h.tokens.pref59, { opinion: 'favorable', comment: `  ${comment}  ` }).expect(201);
      expect(response.body).toMatchObject({ structureId: s.id, departmentCode: '59', opinion: 'favorable', comment, givenBy: 'pref-59' });
      await post(`/${s.id}/prefect-opinions`, h.tokens.pref59, { opinion: 'defavorable', comment: 'Après visite : activité trop faible.' }).expect(201);
      const list = await get(`/${s.id}/prefect-opinions`, h.tokens.anct).expect(200);
      expect(list.body.items.map((o: { opinion: string }) => o.opinion)).toEqual(['favorable', 'defavorable']);
    });

    it('404 for a préfecture of another département, 403 for other roles', async () => {
      const s = await register();
      await decide(s.id, {}).expect(201);
      await post(`/${s.id}/prefect-opinions`, h.tokens.pref13, { opinion: 'favorable', comment }).expect(404);
      for (const token of [h.tokens.anct, h.tokens.bdt, await h.tokenOfStructure(s.id)]) {
        await post(`/${s.id}/prefect-opinions`, token, { opinion: 'favorable', comment }).expect(403);
      }
      expect((await h.db.query(`SELECT count(*)::int AS n FROM prefect_opinions WHERE structure_id = $1`, [s.id]))[0].n).toBe(0);
    });

    it.each([
      ['9 characters', { opinion: 'favorable', comment: 'trop court' .slice(0, 9) }, 'comment'],
      ['10 spaces', { opinion: 'favorable', comment: ' '.repeat(10) }, 'comment'],
      ['1001 characters', { opinion: 'favorable', comment: 'x'.repeat(1001) }, 'comment'],
      ['a NUL byte', { opinion: 'favorable', comment: 'commentaire\u0000 invalide' }, 'comment'],
      ['an unknown opinion', { opinion: 'neutre', comment }, 'opinion'],
    ])('400 for %s', async (_case, body, field) => {
      const s = await register();
      await decide(s.id, {}).expect(201);
      const response = await post(`/${s.id}/prefect-opinions`, h.tokens.pref59, body).expect(400);
      expect(fieldsOf(response.body)).toEqual([field]);
    });

    it('take an Idempotency-Key, as do status changes: a retry records nothing twice', async () => {
      const s = await register();
      await decide(s.id, {}).expect(201);
      const key = { 'Idempotency-Key': uniqueName('opinion') };
      const body = { opinion: 'favorable', comment };
      const first = await post(`/${s.id}/prefect-opinions`, h.tokens.pref59, body, key).expect(201);
      const replay = await post(`/${s.id}/prefect-opinions`, h.tokens.pref59, body, key).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      const statusKey = { 'Idempotency-Key': uniqueName('status') };
      const abandon = { status: 'ABANDON', reason: 'La commune renonce.' };
      const changed = await post(`/${s.id}/status-changes`, h.tokens.anct, abandon, statusKey).expect(201);
      expect((await post(`/${s.id}/status-changes`, h.tokens.anct, abandon, statusKey).expect(201)).body).toEqual(changed.body);
      expect((await h.db.query(`SELECT count(*)::int AS n FROM prefect_opinions WHERE structure_id = $1`, [s.id]))[0].n).toBe(1);
      expect((await h.db.query(`SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY id`, [s.id])).map((r: { event_type: string }) => r.event_type)).toEqual([
        'structures.StructureRegistered', 'structures.CoselecDecisionRecorded', 'structures.StructureStatusChanged',
        'structures.PrefectOpinionGiven', 'structures.StructureStatusChanged',
      ]);
    });

    it('accept exactly 10 and exactly 1000 characters', async () => {
      const s = await register();
      await decide(s.id, {}).expect(201);
      await post(`/${s.id}/prefect-opinions`, h.tokens.pref59, { opinion: 'favorable', comment: 'x'.repeat(10) }).expect(201);
      await post(`/${s.id}/prefect-opinions`, h.tokens.pref59, { opinion: 'favorable', comment: 'é'.repeat(1000) }).expect(201);
    });
  });

  describe('events', () => {
    it('publishes every state change to Kafka with the contract envelope, keyed by structure, in order', async () => {
      const correlationId = uniqueName('corr');
      const s = (await post('', h.tokens.anct, registration({ siret: newSiret() }), { 'x-correlation-id': correlationId }).expect(201)).body;
      const decision = await post(`/${s.id}/coselec-decisions`, h.tokens.anct,
        { opinion: 'POSITIF', grantedPosts: 2, committeeNumber: 'COSELEC 12', decidedAt: '2021-02-15', phase: 1 }, { 'x-correlation-id': correlationId }).expect(201);
      await post(`/${s.id}/prefect-opinions`, h.tokens.pref59, { opinion: 'favorable', comment: 'Bon ancrage territorial.' }).expect(201);
      await post(`/${s.id}/status-changes`, h.tokens.anct, { status: 'ABANDON', reason: 'La commune renonce.' }).expect(201);

      const events = await eventually(() => {
        const found = eventsOf(s.id);
        return found.length >= 5 ? found : undefined;
      });
      expect(events.map((e) => e.type)).toEqual([
        'structures.StructureRegistered',
        'structures.CoselecDecisionRecorded',
        'structures.StructureStatusChanged',
        'structures.PrefectOpinionGiven',
        'structures.StructureStatusChanged',
      ]);
      for (const event of events) {
        // The consumer-side validation of libs/contracts: envelope, then payload against the catalog.
        expect(validateAgainstCatalog(parseEnvelope(event))).toEqual(event);
        expect(event).toMatchObject({ version: 1, aggregateType: 'Structure', aggregateId: s.id, occurredAt: '2021-06-30T10:00:00.000Z' });
      }
      const [registered, recorded, validated, opinion, abandoned] = events;
      expect(registered).toMatchObject({
        correlationId, causationId: null, actor: { kind: 'user', subject: 'agent-anct', role: 'anct' },
        payload: { structureId: s.id, siret: s.siret, siren: s.siret.slice(0, 9), legalStatus: 'PUBLIC', type: 'COMMUNE', departmentCode: '59', qpv: true, zrr: false, requestedPosts: 3 },
      });
      expect(recorded).toMatchObject({
        correlationId,
        payload: { decisionId: decision.body.decision.id, opinion: 'POSITIF', grantedPosts: 2, phase: 1, decidedAt: '2021-02-15', effectiveQuota: { posts: 2, phase: 1 } },
      });
      expect(validated).toMatchObject({ correlationId, causationId: recorded.messageId, payload: { from: 'CREEE', to: 'VALIDATION_COSELEC', departmentCode: '59' } });
      expect(opinion).toMatchObject({ actor: { role: 'prefecture', departments: ['59'] }, payload: { opinion: 'favorable', departmentCode: '59', comment: 'Bon ancrage territorial.' } });
      expect(abandoned).toMatchObject({ reason: 'La commune renonce.', payload: { from: 'VALIDATION_COSELEC', to: 'ABANDON' } });
      const record = records.find((r) => r.headers[HEADER.messageId] === registered.messageId)!;
      expect(record.topic).toBe(TOPICS.structures);
      expect(record.headers[HEADER.correlationId]).toBe(correlationId);
      await eventually(async () => (await h.db.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`))[0].n === 0);
    });

    it('writes no event for a refused command', async () => {
      const s = await register();
      await eventually(async () => eventsOf(s.id).length === 1);
      await decide(s.id, { grantedPosts: 0 }).expect(400);
      await post(`/${s.id}/status-changes`, h.tokens.anct, { status: 'DOUBLON', reason: 'x', duplicateOfId: s.id }).expect(400);
      expect((await h.db.query(`SELECT event_type FROM outbox WHERE message_key = $1`, [s.id])).map((r: { event_type: string }) => r.event_type)).toEqual([
        'structures.StructureRegistered',
      ]);
    });
  });

  it('serves its OpenAPI document with every route', async () => {
    const openapi = await request(h.http).get('/api/v1/docs/structures/openapi.json').expect(200);
    expect(Object.keys(openapi.body.paths).filter((p) => p.startsWith('/api/v1/structures')).sort()).toEqual([
      '/api/v1/structures', '/api/v1/structures/export', '/api/v1/structures/{id}', '/api/v1/structures/{id}/coselec-decisions',
      '/api/v1/structures/{id}/prefect-opinions', '/api/v1/structures/{id}/status-changes',
    ]);
  });
});
