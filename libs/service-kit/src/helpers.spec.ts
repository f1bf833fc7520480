import { parseEnvelope, StructureRegisteredV1, EVENT_SAMPLES } from '@cnfs/contracts';
import { clockFromEnv, ManualClock, systemClock } from './clock';
import { csvField, csvLine, pagesOf } from './csv';
import { actorOf, commandContext, reactionContext } from './event-context';
import { canonicalJson } from './idempotency';
import { pageWindow } from './pagination';

describe('csv', () => {
  it('quotes separators, quotes and line breaks, and defuses formulas', () => {
    expect(csvField('Lille')).toBe('Lille');
    expect(csvField('Saint-Denis, La Réunion')).toBe('"Saint-Denis, La Réunion"');
    expect(csvField('dit "le grand"')).toBe('"dit ""le grand"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-12)).toBe('-12');
    expect(csvField(null)).toBe('');
    expect(csvLine([{ header: 'a', value: (r: number[]) => r[0] }, { header: 'b', value: (r: number[]) => r[1] }], [1, 2])).toBe('1,2\r\n');
  });

  it('pages through a query until a short page', async () => {
    const data = Array.from({ length: 2500 }, (_, i) => i);
    const seen: number[] = [];
    for await (const row of pagesOf(async (limit, offset) => data.slice(offset, offset + limit), 1000)) seen.push(row);
    expect(seen).toEqual(data);
  });
});

describe('event contexts', () => {
  const clock = new ManualClock(new Date('2022-12-01T08:00:00Z'));

  it('carries the token scope of the actor', () => {
    expect(actorOf({ subject: 'p', role: 'prefecture', departments: ['971'] })).toEqual({ kind: 'user', subject: 'p', role: 'prefecture', departments: ['971'] });
    expect(actorOf({ subject: 't', role: 'training_provider', lot: 2 })).toEqual({ kind: 'user', subject: 't', role: 'training_provider', lot: 2 });
  });

  it('gives commands the request correlation id and reason, and produces a valid envelope', () => {
    const context = commandContext({ subject: 'a', role: 'anct' }, clock, { headers: { 'x-correlation-id': 'req-1' } }, 'coselec 12');
    const sample = EVENT_SAMPLES.find((e) => StructureRegisteredV1.is(e))!;
    const envelope = StructureRegisteredV1.create('s-9', sample.payload as never, context);
    expect(parseEnvelope(envelope)).toMatchObject({ correlationId: 'req-1', reason: 'coselec 12', occurredAt: '2022-12-01T08:00:00.000Z' });
  });

  it('chains reactions to their cause', () => {
    const cause = EVENT_SAMPLES[0];
    expect(reactionContext(cause, clock, 'read-model')).toMatchObject({ correlationId: cause.correlationId, causationId: cause.messageId, actor: { kind: 'system', job: 'read-model' } });
  });
});

describe('small helpers', () => {
  it('hashes bodies independently of key order', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
  });
  it('turns page queries into windows', () => {
    expect(pageWindow({})).toEqual({ limit: 50, offset: 0, page: 1, pageSize: 50 });
    expect(pageWindow({ page: 3, pageSize: 20 })).toEqual({ limit: 20, offset: 40, page: 3, pageSize: 20 });
  });
});

describe('clocks', () => {
  it('moves a manual clock forward only, and tells its listeners', () => {
    const clock = new ManualClock(new Date('2022-01-01T00:00:00Z'));
    const seen: string[] = [];
    clock.onChange((now) => seen.push(now.toISOString()));
    clock.advance(86_400_000);
    expect(clock.now().toISOString()).toBe('2022-01-02T00:00:00.000Z');
    expect(() => clock.set(new Date('2021-12-31T00:00:00Z'))).toThrow(/cannot go back/);
    expect(seen).toEqual(['2022-01-02T00:00:00.000Z']);
  });
  it('is the system clock unless CNFS_CLOCK=manual, never manual in production', () => {
    expect(clockFromEnv({})).toBe(systemClock);
    expect((clockFromEnv({ CNFS_CLOCK: 'manual', CNFS_CLOCK_START: '2020-11-01' }) as ManualClock).now().toISOString()).toBe('2020-11-01T00:00:00.000Z');
    expect(() => clockFromEnv({ CNFS_CLOCK: 'manual', NODE_ENV: 'production' })).toThrow(/refused/);
  });
});

describe('well-formed text', () => {
  const { WellFormedTextPipe } = jest.requireActual('./well-formed-text') as typeof import('./well-formed-text');
  const pipe = new WellFormedTextPipe();
  it('refuses a lone surrogate anywhere in a body, naming the field, and lets proper text through', () => {
    expect(() => pipe.transform({ contact: { email: '\ud800' } }, { type: 'body' })).toThrow('Problem Exception');
    try {
      pipe.transform({ list: ['ok', 'x\udc00'] }, { type: 'body' });
    } catch (error) {
      expect((error as { getResponse(): { errors: unknown } }).getResponse().errors).toEqual([{ field: 'list[1]', message: expect.stringContaining('surrogate') }]);
    }
    const fine = { name: 'Saint-Denis 🏛️ — Réunion' };
    expect(pipe.transform(fine, { type: 'body' })).toBe(fine);
  });
});
