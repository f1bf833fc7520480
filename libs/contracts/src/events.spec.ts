import {
  EVENT_CATALOG,
  EventContext,
  InvalidEnvelopeError,
  parseEnvelope,
  TrainingEnrolledV1,
  validateAgainstCatalog,
} from './index';
import { EVENT_SAMPLES } from './samples';

describe('event contracts', () => {
  it('has a sample for every event of the catalog, and only those', () => {
    const sampled = EVENT_SAMPLES.map((s) => `${s.type}@v${s.version}`);
    expect(new Set(sampled)).toEqual(new Set(EVENT_CATALOG.keys()));
    expect(sampled.length).toBe(EVENT_CATALOG.size);
  });

  it.each(EVENT_SAMPLES.map((s) => [`${s.type} v${s.version}`, s]))('%s round-trips through JSON and the consumer-side validation', (_type, envelope) => {
    const wire = Buffer.from(JSON.stringify(envelope));
    const decoded = validateAgainstCatalog(parseEnvelope(JSON.parse(wire.toString('utf8'))));
    expect(decoded).toEqual(envelope);
  });

  it('starts a new correlation chain with the message id when none is given', () => {
    const e = EVENT_SAMPLES.find((s) => s.type === 'lifecycle.ContractExpiryApproaching')!;
    expect(e.correlationId).toBe(e.messageId);
    expect(e.causationId).toBeNull();
  });

  it('refuses to produce an event without an actor', () => {
    const sample = EVENT_SAMPLES.find((s) => TrainingEnrolledV1.is(s))!;
    expect(() => TrainingEnrolledV1.create('e-1', sample.payload as never, { occurredAt: new Date() } as unknown as EventContext)).toThrow(InvalidEnvelopeError);
  });

  it('refuses a payload that breaks its schema, naming the field', () => {
    const sample = EVENT_SAMPLES.find((s) => s.type === 'subsidies.SubsidyCommitted')!;
    const bad = { ...sample, payload: { ...(sample.payload as object), amountCents: 12.5 } };
    try {
      validateAgainstCatalog(parseEnvelope(bad));
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEnvelopeError);
      expect((error as InvalidEnvelopeError).issues.map((i) => i.path)).toContain('payload.amountCents');
    }
  });

  it('checks the lists of TrancheReconciled whole: 1 to 1,000 non-empty tranche ids, as many positive safe-integer amounts', () => {
    const sample = EVENT_SAMPLES.find((s) => s.type === 'subsidies.TrancheReconciled')!;
    const payload = sample.payload as { trancheIds: string[]; amountsCents: number[] };
    const issuesOf = (change: Partial<typeof payload>): string[] => {
      try {
        validateAgainstCatalog(parseEnvelope({ ...sample, payload: { ...payload, ...change } }));
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidEnvelopeError);
        return (error as InvalidEnvelopeError).issues.map((i) => i.path);
      }
    };
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `t-${i}`);
    expect(issuesOf({ trancheIds: ids(1000), amountsCents: Array(1000).fill(2500000) })).toEqual([]);
    expect(issuesOf({ trancheIds: [], amountsCents: [] })).toEqual(['payload.trancheIds', 'payload.amountsCents']);
    expect(issuesOf({ trancheIds: ids(1001), amountsCents: Array(1001).fill(1) })).toEqual(['payload.trancheIds', 'payload.amountsCents']);
    expect(issuesOf({ trancheIds: ['t-1', ''], amountsCents: [1, 2] })).toEqual(['payload.trancheIds']);
    expect(issuesOf({ trancheIds: ['t-1', 7 as unknown as string], amountsCents: [1, 2] })).toEqual(['payload.trancheIds']);
    for (const bad of [0, -5, 12.5, 2 ** 53, Number.NaN, '100' as unknown as number]) {
      expect(issuesOf({ trancheIds: ['t-1', 't-2'], amountsCents: [1, bad] })).toEqual(['payload.amountsCents']);
    }
    expect(issuesOf({ trancheIds: ['t-1', 't-2'], amountsCents: [1] })).toEqual(['payload.trancheIds']);
  });

  it('refuses an unknown event type or version', () => {
    expect(() => validateAgainstCatalog(parseEnvelope({ ...EVENT_SAMPLES[0], version: 99 }))).toThrow(/unknown event/);
  });

  it('refuses an envelope without messageId or with a bad date', () => {
    const { messageId: _m, ...rest } = EVENT_SAMPLES[0];
    expect(() => parseEnvelope(rest)).toThrow(InvalidEnvelopeError);
    expect(() => parseEnvelope({ ...EVENT_SAMPLES[0], occurredAt: 'yesterday' })).toThrow(InvalidEnvelopeError);
  });
});
