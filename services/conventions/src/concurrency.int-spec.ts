import { addDays } from '@cnfs/conventions-domain';
import { contractBody, footprint, givenStructure, givenValidatedConvention, Harness, startConventions } from './testing/harness';

/**
 * "Never more active contracts than posts, even under concurrent requests", proven against the real PostgreSQL:
 * requests race through the HTTP stack, the pool and the row locks exactly as in production.
 */
describe('contracts under concurrency (real PostgreSQL)', () => {
  let h: Harness;
  const auth = () => ({ Authorization: `Bearer ${h.anct}` });

  beforeAll(async () => {
    h = await startConventions('2021-06-01T10:00:00Z');
  });

  afterAll(async () => {
    await h?.close();
  });

  async function activeContractsOf(conventionId: string): Promise<{ contracts: number; posts: number; occupied: number }> {
    const [row] = await h.dataSource.query(
      `SELECT (SELECT count(*)::int FROM contracts WHERE convention_id = $1 AND status = 'ACTIF') AS contracts,
              (SELECT count(DISTINCT post_id)::int FROM contracts WHERE convention_id = $1 AND status = 'ACTIF') AS posts,
              (SELECT count(*)::int FROM posts WHERE convention_id = $1 AND status = 'OCCUPE') AS occupied`,
      [conventionId],
    );
    return row;
  }

  it('creates exactly 3 contracts from 20 parallel requests on a convention with 3 vacant posts, and writes nothing for the 17 others', async () => {
    const structure = await givenStructure(h, { grantedPosts: 3 });
    const convention = await givenValidatedConvention(h, structure);
    expect(convention.postIds).toHaveLength(3);
    const before = await footprint(h);

    const started = performance.now();
    const responses = await Promise.all(Array.from({ length: 20 }, () => h.http().post('/api/v1/contracts').set(auth()).send(contractBody(structure.structureId))));
    const elapsedMs = performance.now() - started;

    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409)).toHaveLength(17);
    for (const refused of responses.filter((r) => r.status === 409)) {
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 409, code: 'NO_VACANT_POST' });
    }
    const accepted = responses.filter((r) => r.status === 201).map((r) => r.body);
    expect(new Set(accepted.map((c) => c.postId))).toEqual(new Set(convention.postIds));
    expect(await activeContractsOf(convention.id)).toEqual({ contracts: 3, posts: 3, occupied: 3 });

    const after = await footprint(h);
    // 3 contracts, 3 conseillers, 3 posts occupied, 6 events (ContractSigned + PostStatusChanged each): nothing more.
    expect({ contracts: after.contracts - before.contracts, conseillers: after.conseillers - before.conseillers, occupied: after.occupied - before.occupied, events: after.events - before.events })
      .toEqual({ contracts: 3, conseillers: 3, occupied: 3, events: 6 });
    process.stdout.write(`[concurrency] 20 parallel contract requests on 3 posts: 3 × 201, 17 × 409 in ${elapsedMs.toFixed(0)} ms\n`);
  });

  it('holds over repeated rounds, with posts freed by ruptures racing against new contracts', async () => {
    const structure = await givenStructure(h, { grantedPosts: 3 });
    const convention = await givenValidatedConvention(h, structure);
    const first = await Promise.all(Array.from({ length: 20 }, () => h.http().post('/api/v1/contracts').set(auth()).send(contractBody(structure.structureId))));
    const holders = first.filter((r) => r.status === 201).map((r) => r.body.id as string);
    expect(holders).toHaveLength(3);
    for (let round = 0; round < 5; round++) {
      // One day per round: holders leave today, recruits start tomorrow.
      const today = addDays('2021-06-01', round);
      const hire = { startDate: addDays(today, 1), endDate: '2022-11-30' };
      h.clock.set(new Date(`${today}T10:00:00Z`));
      // Two holders leave while 10 recruitments race for the posts they free.
      const leaving = holders.splice(0, 2);
      const ruptures = leaving.map((id) => h.http().post(`/api/v1/contracts/${id}/ruptures`).set(auth()).send({ reason: 'DEMISSION', date: today }));
      const hires = Array.from({ length: 10 }, () => h.http().post('/api/v1/contracts').set(auth()).send(contractBody(structure.structureId, hire)));
      const results = await Promise.all([...ruptures, ...hires]);
      expect(results.slice(0, 2).map((r) => r.status)).toEqual([201, 201]);
      const hired = results.slice(2).filter((r) => r.status === 201).map((r) => r.body.id as string);
      // A hire may lose the race to a rupture not yet committed (409): never more than the posts freed.
      expect(hired.length).toBeLessThanOrEqual(2);
      expect(results.slice(2).every((r) => r.status === 201 || r.status === 409)).toBe(true);
      holders.push(...hired);
      const state = await activeContractsOf(convention.id);
      expect(state.contracts).toBe(holders.length);
      expect(state.contracts).toBeLessThanOrEqual(3);
      expect(state).toEqual({ contracts: state.contracts, posts: state.contracts, occupied: state.contracts });
      // Fill the posts back before the next round.
      while (holders.length < 3) {
        const response = await h.http().post('/api/v1/contracts').set(auth()).send(contractBody(structure.structureId, hire)).expect(201);
        holders.push(response.body.id);
      }
    }
  });

  it('lets the database itself refuse a second active contract on a post, and an occupied post without a contract', async () => {
    const structure = await givenStructure(h, { grantedPosts: 1 });
    const convention = await givenValidatedConvention(h, structure);
    const contract = (await h.http().post('/api/v1/contracts').set(auth()).send(contractBody(structure.structureId)).expect(201)).body;
    // Bypassing the service entirely: the partial unique index refuses a second active contract on the post.
    await expect(
      h.dataSource.query(
        `INSERT INTO contracts (id, structure_id, convention_id, post_id, conseiller_id, department_code, legal_status, type, start_date, end_date,
                                gross_monthly_salary_cents, status, cdd_chain_start, created_at, created_by)
         SELECT gen_random_uuid(), structure_id, convention_id, post_id, conseiller_id, department_code, legal_status, type, start_date, end_date,
                gross_monthly_salary_cents, status, cdd_chain_start, created_at, 'intruder' FROM contracts WHERE id = $1`,
        [contract.id],
      ),
    ).rejects.toMatchObject({ driverError: { code: '23505', constraint: 'contracts_one_active_per_post' } });
    // A post marked OCCUPE with no active contract (or VACANT while held) fails at commit (deferred constraint trigger).
    await expect(h.dataSource.query(`UPDATE posts SET status = 'VACANT' WHERE id = $1`, [convention.postIds[0]])).rejects.toMatchObject({
      driverError: { constraint: 'post_occupancy' },
    });
    expect((await h.dataSource.query(`SELECT status FROM posts WHERE id = $1`, [convention.postIds[0]]))[0].status).toBe('OCCUPE');
  });

  it('never returns a post that a racing contract takes (RETRAIT validation against recruitments), without deadlock or 5xx', async () => {
    for (let round = 0; round < 5; round++) {
      const structure = await givenStructure(h, { grantedPosts: 3 });
      const convention = await givenValidatedConvention(h, structure);
      const named = convention.postIds[round % 3];
      const amendment = (
        await h.http().post(`/api/v1/conventions/${convention.id}/amendments`).set(auth()).send({ type: 'RETRAIT', posts: 1, postIds: [named], reason: 'Poste non pourvu' }).expect(201)
      ).body;
      const [validation, ...hires] = await Promise.all([
        h.http().post(`/api/v1/amendments/${amendment.id}/validation`).set(auth()).send(),
        ...Array.from({ length: 10 }, () => h.http().post('/api/v1/contracts').set(auth()).send(contractBody(structure.structureId, { startDate: '2021-07-01', endDate: '2022-12-31' }))),
      ]);
      const statuses = [validation.status, ...hires.map((r) => r.status)];
      expect(statuses.every((s) => s === 200 || s === 201 || s === 409)).toBe(true);
      const hired = hires.filter((r) => r.status === 201).map((r) => r.body);
      const [state] = await h.dataSource.query(
        `SELECT count(*) FILTER (WHERE status = 'RENDU')::int AS returned, count(*) FILTER (WHERE status = 'OCCUPE')::int AS occupied FROM posts WHERE convention_id = $1`,
        [convention.id],
      );
      if (validation.status === 200) {
        expect(state).toEqual({ returned: 1, occupied: 2 });
        expect(hired.map((c) => c.postId)).not.toContain(named);
      } else {
        expect(validation.body.code).toBe('POST_NOT_VACANT');
        expect(state).toEqual({ returned: 0, occupied: 3 });
        expect(hired.map((c) => c.postId)).toContain(named);
      }
      expect(hired).toHaveLength(state.occupied);
    }
  });

  it('keeps one pending amendment per structure under parallel requests', async () => {
    const structure = await givenStructure(h, { grantedPosts: 3 });
    const convention = await givenValidatedConvention(h, structure, { posts: 1 });
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.http().post(`/api/v1/conventions/${convention.id}/amendments`).set(auth()).send({ type: 'AJOUT', posts: 1, reason: 'Nouveau site France Services' }),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'AMENDMENT_ALREADY_PENDING')).toBe(true);
    const [row] = await h.dataSource.query(`SELECT count(*)::int AS n FROM amendments WHERE structure_id = $1`, [structure.structureId]);
    expect(row.n).toBe(1);
  });
});
