import {
  catalogKey,
  ContractSignedV1,
  EVENT_CATALOG,
  EVENT_SAMPLES,
  EventContext,
  InvalidEnvelopeError,
  StructureRegisteredV1,
} from '@cnfs/contracts';
import { departmentsOf, differingFields, entryFieldsOf, NotAnEnvelopeError } from './entry-fields';

describe('entry fields', () => {
  it('derives who, when, what and where for every event of the catalog', () => {
    for (const sample of EVENT_SAMPLES) {
      const fields = entryFieldsOf(JSON.parse(JSON.stringify(sample)));
      expect(fields).toMatchObject({ messageId: sample.messageId, type: sample.type, version: sample.version, aggregateId: sample.aggregateId });
      expect(fields.actorName).toBe(sample.actor.kind === 'user' ? sample.actor.subject : sample.actor.job);
    }
  });

  it('takes départements from payload.departmentCode and payload.structure.departmentCode, whatever the type', () => {
    const byType = new Map(EVENT_SAMPLES.map((s) => [s.type, departmentsOf(s.payload)]));
    expect(byType.get('structures.StructureRegistered')).toEqual(['59']);
    expect(byType.get('conventions.ConventionValidated')).toEqual(['974']);
    expect(departmentsOf({ reconciliationId: 'r-1', tranches: [{ trancheId: 't-1' }] })).toEqual([]);
    expect(departmentsOf({ departmentCode: '2a', structure: { departmentCode: 1 } })).toEqual(['01', '2A']);
    expect(departmentsOf({ departmentCode: null })).toEqual([]);
    expect(departmentsOf('not an object')).toEqual([]);
  });

  it('keeps the reason and the system job of an event', () => {
    const sample = EVENT_SAMPLES.find((s) => StructureRegisteredV1.is(s))!;
    const withReason = StructureRegisteredV1.create('s-2', sample.payload as never, {
      actor: { kind: 'system', job: 'import-2021' }, occurredAt: new Date('2021-01-01T00:00:00Z'), reason: 'reprise des données',
    });
    expect(entryFieldsOf(withReason)).toMatchObject({ actorKind: 'system', actorName: 'import-2021', actorRole: null, reason: 'reprise des données' });
  });

  it('refuses what is not an envelope with an actor', () => {
    expect(() => entryFieldsOf([])).toThrow(NotAnEnvelopeError);
    expect(() => entryFieldsOf({ ...EVENT_SAMPLES[0], actor: undefined })).toThrow(/actor/);
    expect(() => entryFieldsOf({ ...EVENT_SAMPLES[0], actor: { kind: 'robot' } })).toThrow(/kind/);
  });

  it('names the columns that disagree with the event', () => {
    const fields = entryFieldsOf(EVENT_SAMPLES[0]);
    expect(differingFields(fields, entryFieldsOf(EVENT_SAMPLES[0]))).toEqual([]);
    expect(differingFields({ ...fields, occurredAt: new Date(fields.occurredAt).toISOString().replace('Z', '+00:00') }, fields)).toEqual([]);
    expect(differingFields({ ...fields, actorName: 'someone-else', departments: ['974'] }, fields)).toEqual(['actorName', 'departments']);
  });
});

describe('producer side: the envelope makes the actor mandatory', () => {
  it.each([...EVENT_CATALOG.values()].map((d) => [catalogKey(d.type, d.version), d]))('%s cannot be produced without an actor', (key, definition) => {
    const sample = EVENT_SAMPLES.find((s) => catalogKey(s.type, s.version) === key)!;
    const without = { occurredAt: new Date('2022-01-01T00:00:00Z') } as unknown as EventContext;
    expect(() => definition.create(sample.aggregateId, sample.payload, without)).toThrow(InvalidEnvelopeError);
    const nameless = { occurredAt: new Date(), actor: { kind: 'user', subject: '', role: 'anct' } } as EventContext;
    expect(() => definition.create(sample.aggregateId, sample.payload, nameless)).toThrow(InvalidEnvelopeError);
    const jobless = { occurredAt: new Date(), actor: { kind: 'system', job: '' } } as EventContext;
    expect(() => definition.create(sample.aggregateId, sample.payload, jobless)).toThrow(InvalidEnvelopeError);
  });

  it('produces one with an actor', () => {
    const sample = EVENT_SAMPLES.find((s) => ContractSignedV1.is(s))!;
    expect(() => ContractSignedV1.create('k-9', sample.payload as never, { actor: { kind: 'system', job: 'renewal' }, occurredAt: new Date() })).not.toThrow();
  });
});

describe('catalog invariant the aggregate chains rely on', () => {
  it('sends every aggregate type on a single topic, so an aggregate lives in one partition', () => {
    const topics = new Map<string, Set<string>>();
    for (const definition of EVENT_CATALOG.values()) {
      topics.set(definition.aggregateType, (topics.get(definition.aggregateType) ?? new Set()).add(definition.topic));
    }
    for (const [aggregateType, set] of topics) expect([aggregateType, [...set].length]).toEqual([aggregateType, 1]);
  });
});
