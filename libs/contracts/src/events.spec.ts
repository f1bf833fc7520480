import {
  ContractExpiryApproachingV1,
  ContractSignedV1,
  ConventionValidatedV1,
  EVENT_CATALOG,
  EventContext,
  InvalidEnvelopeError,
  parseEnvelope,
  StructureRegisteredV1,
  SubsidyCommittedV1,
  TrainingEnrolledV1,
  validateAgainstCatalog,
} from './index';

const context: EventContext = {
  actor: { kind: 'user', subject: 'agent-1', role: 'anct' },
  occurredAt: new Date('2021-03-01T10:00:00.000Z'),
  correlationId: 'corr-1',
  causationId: 'cause-1',
};

const samples = [
  StructureRegisteredV1.create('s-1', {
    structureId: 's-1', siret: '21590350100017', siren: '215903501', name: 'Commune de Lille', legalStatus: 'PUBLIC',
    type: 'COMMUNE', departmentCode: '59', qpv: true, zrr: false, requestedPosts: 3,
  }, context),
  ConventionValidatedV1.create('c-1', {
    conventionId: 'c-1', structureId: 's-1', phase: 1, posts: 3, startDate: '2021-03-01', financedUntil: '2023-02-28', endDate: '2024-02-29',
  }, context),
  ContractSignedV1.create('k-1', {
    contractId: 'k-1', structureId: 's-1', conventionId: 'c-1', postId: 'p-1', departmentCode: '974', contractType: 'CDD',
    startDate: '2021-04-01', endDate: '2022-09-30',
    conseiller: { id: 'cn-1', firstName: 'Awa', lastName: 'Diallo', email: 'awa.diallo@example.org' },
  }, context),
  SubsidyCommittedV1.create('m-1', {
    commitmentId: 'm-1', conventionId: 'c-1', structureId: 's-1', postId: 'p-1', budgetEnvelopeId: 'france-relance-2020', ruleId: 'r-1', amountCents: 5_000_000,
  }, context),
  TrainingEnrolledV1.create('e-1', {
    enrolmentId: 'e-1', contractId: 'k-1', conseillerId: 'cn-1', pathwayHours: 280, lot: 3, startDate: '2021-04-12',
  }, context),
  ContractExpiryApproachingV1.create('k-1', {
    contractId: 'k-1', structureId: 's-1', departmentCode: '59', endDate: '2022-09-30', monthsBeforeEnd: 3,
  }, { actor: { kind: 'system', job: 'lifecycle-deadline-poller' }, occurredAt: new Date('2022-06-30T00:00:00Z') }),
];

describe('event contracts', () => {
  it('has a sample for every event of the catalog', () => {
    expect(new Set(samples.map((s) => `${s.type}@v${s.version}`))).toEqual(new Set(EVENT_CATALOG.keys()));
  });

  it.each(samples.map((s) => [s.type, s]))('%s round-trips through JSON and the consumer-side validation', (_type, envelope) => {
    const wire = Buffer.from(JSON.stringify(envelope));
    const decoded = validateAgainstCatalog(parseEnvelope(JSON.parse(wire.toString('utf8'))));
    expect(decoded).toEqual(envelope);
  });

  it('starts a new correlation chain with the message id when none is given', () => {
    const e = samples[5];
    expect(e.correlationId).toBe(e.messageId);
    expect(e.causationId).toBeNull();
  });

  it('refuses to produce an event without an actor', () => {
    expect(() =>
      TrainingEnrolledV1.create('e-1', {
        enrolmentId: 'e-1', contractId: 'k-1', conseillerId: 'cn-1', pathwayHours: 280, lot: 3, startDate: '2021-04-12',
      }, { occurredAt: new Date() } as unknown as EventContext),
    ).toThrow(InvalidEnvelopeError);
  });

  it('refuses a payload that breaks its schema, naming the field', () => {
    const bad = { ...samples[3], payload: { ...(samples[3].payload as object), amountCents: 12.5 } };
    try {
      validateAgainstCatalog(parseEnvelope(bad));
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEnvelopeError);
      expect((error as InvalidEnvelopeError).issues.map((i) => i.path)).toContain('payload.amountCents');
    }
  });

  it('refuses an unknown event type or version', () => {
    expect(() => validateAgainstCatalog(parseEnvelope({ ...samples[0], version: 2 }))).toThrow(/unknown event/);
  });

  it('refuses an envelope without messageId or with a bad date', () => {
    const { messageId: _m, ...rest } = samples[0];
    expect(() => parseEnvelope(rest)).toThrow(InvalidEnvelopeError);
    expect(() => parseEnvelope({ ...samples[0], occurredAt: 'yesterday' })).toThrow(InvalidEnvelopeError);
  });
});
