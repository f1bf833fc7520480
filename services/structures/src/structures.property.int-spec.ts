import fc from 'fast-check';
import request from 'supertest';
import { checkSiret, LEGAL_STATUS_OF_TYPE, STRUCTURE_TYPES } from '@cnfs/structures-domain';
import { Harness, registration, startStructures } from './testing/harness';

/**
 * Property: whatever malformed body a client sends, the service answers a 4xx problem (never a 5xx)
 * and writes nothing — no structure, no decision, no opinion, no status line, no event.
 */
describe('malformed bodies (property-based, real stack)', () => {
  let h: Harness;
  let validated: string;
  const tables = ['structures', 'coselec_decisions', 'prefect_opinions', 'structure_status_changes', 'outbox'];
  const snapshot = async () => ({
    ...Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await h.count(t)] as const))),
    // Updates leave counts alone: the versions of the structures show them.
    versions: (await h.db.query(`SELECT coalesce(sum(version), 0)::int AS n FROM structures`))[0].n,
    idempotencyKeys: await h.count('idempotency_keys'),
  });
  const seen = new Map<number, number>();

  const send = async (path: string, token: string, body: string) => {
    const response = await request(h.http)
      .post(`/api/v1/structures${path}`)
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .send(body);
    seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
    return response;
  };

  beforeAll(async () => {
    h = await startStructures('structures_property');
    // One structure with granted posts, for the decision and opinion routes.
    const created = await request(h.http).post('/api/v1/structures').set('Authorization', `Bearer ${h.tokens.anct}`).send(registration()).expect(201);
    validated = created.body.id;
    await request(h.http)
      .post(`/api/v1/structures/${validated}/coselec-decisions`)
      .set('Authorization', `Bearer ${h.tokens.anct}`)
      .send({ opinion: 'POSITIF', grantedPosts: 2, committeeNumber: 'COSELEC 12', decidedAt: '2021-02-15', phase: 1 })
      .expect(201);
  });

  afterAll(async () => {
    process.stdout.write(`malformed-body statuses: ${JSON.stringify(Object.fromEntries([...seen].sort()))}\n`);
    await h?.close();
  });

  /** Values no field of these routes accepts, whatever the field. */
  const hostile = fc.oneof(
    fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 1e21, -0, '', ' ', '\u0000', 'a\u0000b', '\ud800', [], {}, [null], { $gt: '' }),
    fc.string({ unit: 'binary', maxLength: 30 }).map((s) => `${s}\u0000`),
    fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
    fc.integer({ min: 5000, max: Number.MAX_SAFE_INTEGER }),
    fc.integer({ max: -1 }),
    fc.array(fc.anything(), { minLength: 1, maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.anything(), { minKeys: 1, maxKeys: 3 }),
  );

  /** A valid body with at least one required field broken or removed (nested ones included). */
  function broken(valid: () => Record<string, unknown>, required: string[], acceptable: (field: string, value: unknown) => boolean = () => false) {
    return fc
      .tuple(fc.uniqueArray(fc.constantFrom(...required), { minLength: 1, maxLength: 4 }), fc.array(fc.oneof(hostile, fc.constant(undefined)), { minLength: 4, maxLength: 4 }))
      // A hostile value a field happens to accept (a boolean for qpv) would leave the body valid: such draws are skipped.
      .filter(([fields, values]) => fields.every((field, i) => values[i] === undefined || !acceptable(field, values[i])))
      .map(([fields, values]) => {
        const body = valid();
        fields.forEach((path, i) => {
          const [head, tail] = path.split('.');
          if (tail === undefined) {
            if (values[i] === undefined) delete body[head];
            else body[head] = values[i];
          } else {
            const inner = { ...(body[head] as Record<string, unknown>) };
            if (values[i] === undefined) delete inner[tail];
            else inner[tail] = values[i];
            body[head] = inner;
          }
        });
        return body;
      });
  }

  /** Semantically wrong but well-typed registrations: each breaks one domain rule, and the answer must name that field. */
  const wrongRegistration: fc.Arbitrary<[Record<string, unknown>, string]> = fc.oneof(
    fc.stringMatching(/^\d{14}$/).filter((siret) => !checkSiret(siret).valid).map((siret) => [{ siret }, 'siret']),
    fc.constantFrom('00', '20', '96', '99', '970', '9750', 'Nord', '5 9', '', '59\n').map((departmentCode) => [{ departmentCode }, 'departmentCode']),
    fc.constantFrom(...STRUCTURE_TYPES).chain((type) =>
      fc.constant([{ type, legalStatus: LEGAL_STATUS_OF_TYPE[type] === 'PUBLIC' ? 'PRIVATE' : 'PUBLIC' }, 'type'] as [Record<string, unknown>, string]),
    ),
    fc.oneof(fc.integer({ min: -1000, max: 0 }), fc.integer({ min: 4001, max: 2 ** 40 })).map((requestedPosts) => [{ requestedPosts }, 'requestedPosts']),
  );

  const registrationRequired = [
    'siret', 'name', 'legalStatus', 'type', 'departmentCode', 'address', 'qpv', 'zrr', 'requestedPosts', 'contact',
    'address.line1', 'address.postalCode', 'address.city', 'contact.name', 'contact.email',
  ];

  it('registration: random bodies of any JSON shape, broken valid bodies, rule-breaking bodies, unreadable text — 400, nothing written', async () => {
    const before = await snapshot();
    const bodies = fc.oneof(
      { weight: 2, arbitrary: fc.anything().map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 4, arbitrary: broken(() => registration({ siret: '21590350100017' }), registrationRequired, (field, value) => ['qpv', 'zrr'].includes(field) && typeof value === 'boolean').map((b) => JSON.stringify(b)) },
      { weight: 3, arbitrary: wrongRegistration.map(([overrides, field]) => JSON.stringify({ ...registration({ siret: '21590350100017' }), ...overrides, expect: field })) },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }) },
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        // A rule-breaking body carries the field it breaks in `expect` (itself an unknown field the answer also names).
        let expected: string | undefined;
        try {
          const parsed = JSON.parse(body);
          if (parsed && typeof parsed === 'object' && typeof parsed.expect === 'string') {
            expected = parsed.expect;
            delete parsed.expect;
            body = JSON.stringify(parsed);
          }
        } catch {
          // unreadable text: sent as is
        }
        const response = await send('', h.tokens.anct, body);
        expect(response.status).toBe(400);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(response.body.errors.length).toBeGreaterThan(0);
        if (expected) expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(expected);
      }),
      { numRuns: 400 },
    );
    expect(await snapshot()).toEqual(before);
  });

  it('reads: random query strings and path ids — 200, 400 or 404, never 5xx, nothing written', async () => {
    const before = await snapshot();
    const keys = fc.constantFrom('departmentCode', 'status', 'type', 'legalStatus', 'siret', 'qpv', 'zrr', 'page', 'pageSize', 'x', 'status[]', '__proto__');
    const values = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('59', '2A', 'CREEE', 'true', '1e400', '-1', '0', '%00', '%', '1.5', '21590350100017'));
    const query = fc.array(fc.tuple(keys, values), { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));
    const id = fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent), fc.constant(validated));
    const paths = fc.oneof(
      query.map((q) => `?${q}`),
      query.map((q) => `/export?${q}`),
      fc.tuple(id, fc.constantFrom('', '/coselec-decisions', '/prefect-opinions', '/status-changes')).map(([i, sub]) => `/${i}${sub}`),
    );
    await fc.assert(
      fc.asyncProperty(paths, fc.constantFrom(h.tokens.anct, h.tokens.pref13, h.tokens.pref59, h.tokens.bdt), async (path, token) => {
        const response = await request(h.http).get(`/api/v1/structures${path}`).set('Authorization', `Bearer ${token}`);
        seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
        expect([200, 400, 403, 404]).toContain(response.status);
      }),
      { numRuns: 300 },
    );
    expect(await snapshot()).toEqual(before);
  });

  it('coselec decisions and préfet opinions: broken bodies — 4xx, never 5xx, nothing written', async () => {
    const before = await snapshot();
    const decision = () => ({ opinion: 'POSITIF', grantedPosts: 1, committeeNumber: 'COSELEC 13', decidedAt: '2021-03-01', phase: 1 });
    const opinion = () => ({ opinion: 'favorable', comment: 'Structure active, conseillers bien intégrés.' });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          broken(decision, ['opinion', 'grantedPosts', 'committeeNumber', 'decidedAt', 'phase']).map((b) => ['/coselec-decisions', h.tokens.anct, b] as const),
          broken(opinion, ['opinion', 'comment']).map((b) => ['/prefect-opinions', h.tokens.pref59, b] as const),
          fc.anything().map((b) => ['/coselec-decisions', h.tokens.anct, b] as const),
          fc.anything().map((b) => ['/prefect-opinions', h.tokens.pref59, b] as const),
        ),
        async ([path, token, body]) => {
          const response = await send(`/${validated}${path}`, token, JSON.stringify(body) ?? 'null');
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
    expect(await snapshot()).toEqual(before);
  });
});
