import { SignJWT } from 'jose';
import {
  DEV_JWT_SECRET,
  InvalidPrincipalError,
  InvalidTokenError,
  type Principal,
  parseTtl,
  resolveJwtSecret,
  signToken,
  toPrincipal,
  verifyToken,
} from './index';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';
const NOW = new Date('2023-03-01T09:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

async function rawToken(claims: Record<string, unknown>, options: { secret?: string; iss?: string; aud?: string; exp?: number | null; sub?: string | null; alg?: string } = {}) {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt(nowSeconds);
  if (options.sub !== null) jwt = jwt.setSubject(options.sub ?? 'user-1');
  jwt = jwt.setIssuer(options.iss ?? 'cnfs-platform').setAudience(options.aud ?? 'cnfs-api');
  if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? nowSeconds + 3600);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

async function expectInvalid(token: string, reason: InvalidTokenError['reason'], message?: RegExp) {
  const error = await verifyToken(token, SECRET, { now: NOW }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidTokenError);
  expect((error as InvalidTokenError).reason).toBe(reason);
  if (message) expect((error as Error).message).toMatch(message);
}

describe('signToken / verifyToken', () => {
  const principals: Principal[] = [
    { subject: 'anct-1', role: 'anct' },
    { subject: 'pref-59', role: 'prefecture', departments: ['59', '2A'] },
    { subject: 'bdt-1', role: 'bdt' },
    { subject: 'lot-3', role: 'training_provider', lot: 3 },
    { subject: 'structure-x', role: 'structure', structureId: '0b6d3c1e-6a59-4bde-9d0f-9f0c2ad1a7b1' },
  ];

  it.each(principals)('round-trips a $role principal', async (principal) => {
    const token = await signToken(principal, SECRET, '8h', { now: NOW });
    await expect(verifyToken(token, SECRET, { now: NOW })).resolves.toEqual(principal);
  });

  it('sets issuer, audience, subject and an expiry from the TTL', async () => {
    const token = await signToken({ subject: 'a', role: 'anct' }, SECRET, '15m', { now: NOW });
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({ iss: 'cnfs-platform', aud: 'cnfs-api', sub: 'a', role: 'anct', iat: nowSeconds, exp: nowSeconds + 900 });
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('refuses expired tokens and honours the clock tolerance', async () => {
    const token = await signToken({ subject: 'a', role: 'anct' }, SECRET, 60, { now: NOW });
    const later = new Date(NOW.getTime() + 61_000);
    await expect(verifyToken(token, SECRET, { now: later })).rejects.toMatchObject({ reason: 'expired', message: 'Token has expired' });
    await expect(verifyToken(token, SECRET, { now: later, clockToleranceSeconds: 5 })).resolves.toMatchObject({ role: 'anct' });
  });

  it('refuses a token signed with another secret', async () => {
    const token = await signToken({ subject: 'a', role: 'anct' }, 'another-secret-that-is-long-enough-987654321', '1h', { now: NOW });
    await expectInvalid(token, 'bad_signature');
  });

  it('refuses wrong issuer, wrong audience, missing exp or sub, another algorithm, garbage', async () => {
    await expectInvalid(await rawToken({ role: 'anct' }, { iss: 'someone-else' }), 'bad_claims', /"iss"/);
    await expectInvalid(await rawToken({ role: 'anct' }, { aud: 'other-api' }), 'bad_claims', /"aud"/);
    await expectInvalid(await rawToken({ role: 'anct' }, { exp: null }), 'bad_claims', /"exp"/);
    await expectInvalid(await rawToken({ role: 'anct' }, { sub: null }), 'bad_claims', /"sub"/);
    await expectInvalid(await rawToken({ role: 'anct' }, { alg: 'HS512' }), 'malformed', /not allowed/);
    await expectInvalid('not.a.token', 'malformed');
    await expectInvalid('', 'malformed');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'a', role: 'anct', iss: 'cnfs-platform', aud: 'cnfs-api', exp: nowSeconds + 60 })).toString('base64url')}.`;
    await expectInvalid(unsigned, 'malformed');
  });

  it('refuses tokens whose claims do not match the role', async () => {
    await expectInvalid(await rawToken({ role: 'prefecture' }), 'bad_claims', /requires a non-empty "departments"/);
    await expectInvalid(await rawToken({ role: 'prefecture', departments: [] }), 'bad_claims', /departments/);
    await expectInvalid(await rawToken({ role: 'prefecture', departments: ['20'] }), 'bad_claims', /unknown département code "20"/);
    await expectInvalid(await rawToken({ role: 'prefecture', departments: '59' }), 'bad_claims', /departments/);
    await expectInvalid(await rawToken({ role: 'training_provider' }), 'bad_claims', /"lot"/);
    await expectInvalid(await rawToken({ role: 'training_provider', lot: 7 }), 'bad_claims', /1 to 6/);
    await expectInvalid(await rawToken({ role: 'training_provider', lot: '3' }), 'bad_claims', /1 to 6/);
    await expectInvalid(await rawToken({ role: 'structure' }), 'bad_claims', /structureId/);
    await expectInvalid(await rawToken({ role: 'anct', departments: ['59'] }), 'bad_claims', /must not carry a "departments"/);
    await expectInvalid(await rawToken({ role: 'structure', structureId: 's', lot: 1 }), 'bad_claims', /must not carry a "lot"/);
    await expectInvalid(await rawToken({ role: 'admin' }), 'bad_claims', /Unknown role "admin"/);
    await expectInvalid(await rawToken({}), 'bad_claims', /Unknown role/);
  });

  it('normalises préfecture départements', async () => {
    const principal = await verifyToken(await rawToken({ role: 'prefecture', departments: ['2a', '1', '01'] }), SECRET, { now: NOW });
    expect(principal).toEqual({ subject: 'user-1', role: 'prefecture', departments: ['2A', '01'] });
  });

  it('refuses to sign an invalid principal or with a short secret or a bad TTL', async () => {
    await expect(signToken({ subject: 'p', role: 'prefecture', departments: [] }, SECRET)).rejects.toThrow(InvalidPrincipalError);
    await expect(signToken({ subject: '', role: 'anct' }, SECRET)).rejects.toThrow(/subject/);
    await expect(signToken({ subject: 'a', role: 'anct' }, 'short')).rejects.toThrow(/at least 32 bytes/);
    await expect(signToken({ subject: 'a', role: 'anct' }, SECRET, '8 hours')).rejects.toThrow(/Invalid token TTL/);
    await expect(verifyToken('x.y.z', 'short')).rejects.toThrow(/at least 32 bytes/);
  });
});

describe('toPrincipal', () => {
  it('builds typed principals', () => {
    expect(toPrincipal({ subject: 's', role: 'training_provider', lot: 6 })).toEqual({ subject: 's', role: 'training_provider', lot: 6 });
    expect(() => toPrincipal({ subject: 's', role: 'training_provider', lot: 0 })).toThrow(InvalidPrincipalError);
    expect(() => toPrincipal({ subject: 's', role: 'structure', structureId: '  ' })).toThrow(InvalidPrincipalError);
  });
});

describe('parseTtl', () => {
  it('reads seconds and s/m/h/d durations', () => {
    expect(parseTtl(30)).toBe(30);
    expect(parseTtl('30')).toBe(30);
    expect(parseTtl('90s')).toBe(90);
    expect(parseTtl('15m')).toBe(900);
    expect(parseTtl('8h')).toBe(28_800);
    expect(parseTtl('7d')).toBe(604_800);
    for (const bad of [0, -1, 1.5, '0h', '-1h', '8w', 'h', '', '1.5h']) expect(() => parseTtl(bad)).toThrow(RangeError);
  });
});

describe('resolveJwtSecret', () => {
  it('uses JWT_SECRET when set', () => {
    const warn = jest.fn();
    expect(resolveJwtSecret({ JWT_SECRET: SECRET }, warn)).toBe(SECRET);
    expect(warn).not.toHaveBeenCalled();
  });

  it('falls back to DEV_JWT_SECRET with a warning, never in production', () => {
    const warn = jest.fn();
    expect(resolveJwtSecret({}, warn)).toBe(DEV_JWT_SECRET);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/JWT_SECRET is not set/));
    expect(() => resolveJwtSecret({ NODE_ENV: 'production' }, warn)).toThrow(/NODE_ENV=production/);
    expect(() => resolveJwtSecret({ JWT_SECRET: 'too-short' })).toThrow(/at least 32 bytes/);
  });
});
