import { DEV_JWT_SECRET, verifyToken } from '@cnfs/auth';
import { parseArgs, runTokenCli } from './cli';

const SECRET = 'cli-test-secret-that-is-long-enough-0123456789';

async function run(argv: string[], env: Record<string, string | undefined> = { JWT_SECRET: SECRET }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTokenCli(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('token command', () => {
  it('prints a token for each role that verifies with JWT_SECRET', async () => {
    const cases: [string[], object][] = [
      [['--role', 'anct'], { role: 'anct', subject: 'local-anct' }],
      [['--role', 'bdt', '--subject', 'bdt-ops'], { role: 'bdt', subject: 'bdt-ops' }],
      [['--role', 'prefecture', '--department', '59', '--department=2a,974'], { role: 'prefecture', departments: ['59', '2A', '974'] }],
      [['--role=training_provider', '--lot', '4'], { role: 'training_provider', lot: 4 }],
      [['--role', 'structure', '--structure', 'abc-123'], { role: 'structure', structureId: 'abc-123' }],
    ];
    for (const [argv, expected] of cases) {
      const { code, out, err } = await run(argv);
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      await expect(verifyToken(out, SECRET)).resolves.toMatchObject(expected);
    }
  });

  it('honours --ttl', async () => {
    const { out } = await run(['--role', 'anct', '--ttl', '15m']);
    const payload = JSON.parse(Buffer.from(out.split('.')[1], 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(900);
  });

  it('falls back to the development secret with a warning on stderr', async () => {
    const { code, out, err } = await run(['--role', 'anct'], {});
    expect(code).toBe(0);
    expect(err).toMatch(/warning: JWT_SECRET is not set/);
    await expect(verifyToken(out, DEV_JWT_SECRET)).resolves.toMatchObject({ role: 'anct' });
  });

  it.each([
    [[], /Missing --role/],
    [['--role'], /--role needs a value/],
    [['--role', 'admin'], /Unknown role "admin"/],
    [['--role', 'prefecture'], /Role prefecture requires --department/],
    [['--role', 'prefecture', '--department', '20'], /unknown département code "20"/],
    [['--role', 'training_provider'], /requires --lot/],
    [['--role', 'training_provider', '--lot', '7'], /--lot must be an integer from 1 to 6/],
    [['--role', 'training_provider', '--lot', '1.5'], /--lot must be an integer from 1 to 6/],
    [['--role', 'structure'], /requires --structure/],
    [['--role', 'anct', '--department', '59'], /--department only applies to role prefecture, not anct/],
    [['--role', 'structure', '--structure', 's', '--lot', '1'], /--lot only applies to role training_provider/],
    [['--role', 'anct', '--ttl', 'forever'], /--ttl: Invalid token TTL/],
    [['--role', 'anct', '--role', 'bdt'], /--role is given more than once/],
    [['--role', 'anct', '--colour', 'blue'], /Unknown option "--colour"/],
    [['anct'], /Unexpected argument "anct"/],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, out, err } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message as RegExp);
    expect(err).toMatch(/npm run token -- --help/);
  });

  it('exits 2 when JWT_SECRET is unusable', async () => {
    expect((await run(['--role', 'anct'], { JWT_SECRET: 'short' })).code).toBe(2);
    expect((await run(['--role', 'anct'], { NODE_ENV: 'production' })).err).toMatch(/JWT_SECRET is not set/);
  });

  it('prints help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: npm run token -- --role <role>/);
    expect(parseArgs(['-h'])).toBeUndefined();
  });
});
