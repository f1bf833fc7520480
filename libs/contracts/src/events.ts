import { z } from 'zod';
import { defineEvent, EventDefinition } from './event-definition';
import { EventEnvelope, InvalidEnvelopeError } from './envelope';
import { TOPICS } from './topics';

/** A calendar date (contracts, conventions): no time, no zone. */
const calendarDate = z.iso.date();
const amountCents = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer number of cents');
const departmentCode = z.string().regex(/^(\d{2}|2A|2B|97\d|98\d)$/);
const id = z.string().min(1);

// ---- structures -------------------------------------------------------------------------
export const StructureRegisteredV1 = defineEvent({
  type: 'structures.StructureRegistered',
  version: 1,
  topic: TOPICS.structures,
  aggregateType: 'Structure',
  payload: z.object({
    structureId: id,
    siret: z.string().regex(/^\d{14}$/),
    siren: z.string().regex(/^\d{9}$/),
    name: z.string().min(1),
    legalStatus: z.enum(['PUBLIC', 'PRIVATE']),
    type: z.string().min(1),
    departmentCode,
    qpv: z.boolean(),
    zrr: z.boolean(),
    requestedPosts: z.number().int().min(1),
  }),
});

// ---- conventions ------------------------------------------------------------------------
export const ConventionValidatedV1 = defineEvent({
  type: 'conventions.ConventionValidated',
  version: 1,
  topic: TOPICS.conventions,
  aggregateType: 'Convention',
  payload: z.object({
    conventionId: id,
    structureId: id,
    phase: z.union([z.literal(1), z.literal(2)]),
    posts: z.number().int().min(1),
    startDate: calendarDate,
    financedUntil: calendarDate,
    endDate: calendarDate,
  }),
});

export const ContractSignedV1 = defineEvent({
  type: 'conventions.ContractSigned',
  version: 1,
  topic: TOPICS.contracts,
  aggregateType: 'Contract',
  payload: z.object({
    contractId: id,
    structureId: id,
    conventionId: id,
    postId: id,
    departmentCode,
    contractType: z.enum(['CDI', 'CDD', 'PEC', 'CONTRAT_DE_PROJET_PUBLIC']),
    startDate: calendarDate,
    endDate: calendarDate.nullable(),
    conseiller: z.object({ id, firstName: z.string().min(1), lastName: z.string().min(1), email: z.email() }),
  }),
});

// ---- subsidies --------------------------------------------------------------------------
export const SubsidyCommittedV1 = defineEvent({
  type: 'subsidies.SubsidyCommitted',
  version: 1,
  topic: TOPICS.subsidies,
  aggregateType: 'Commitment',
  payload: z.object({
    commitmentId: id,
    conventionId: id,
    structureId: id,
    postId: id,
    budgetEnvelopeId: id,
    ruleId: id,
    amountCents,
  }),
});

// ---- training ---------------------------------------------------------------------------
export const TrainingEnrolledV1 = defineEvent({
  type: 'training.TrainingEnrolled',
  version: 1,
  topic: TOPICS.training,
  aggregateType: 'Enrolment',
  payload: z.object({
    enrolmentId: id,
    contractId: id,
    conseillerId: id,
    pathwayHours: z.union([z.literal(105), z.literal(280), z.literal(350), z.literal(420)]),
    lot: z.number().int().min(1).max(6),
    startDate: calendarDate,
  }),
});

// ---- lifecycle --------------------------------------------------------------------------
export const ContractExpiryApproachingV1 = defineEvent({
  type: 'lifecycle.ContractExpiryApproaching',
  version: 1,
  topic: TOPICS.lifecycle,
  aggregateType: 'ContractLifecycle',
  payload: z.object({
    contractId: id,
    structureId: id,
    departmentCode,
    endDate: calendarDate,
    monthsBeforeEnd: z.union([z.literal(6), z.literal(3), z.literal(1)]),
  }),
});

/** Every event the platform knows, by `type@version`. Consumers validate against it. */
export const EVENT_CATALOG: ReadonlyMap<string, EventDefinition<unknown>> = new Map(
  [
    StructureRegisteredV1,
    ConventionValidatedV1,
    ContractSignedV1,
    SubsidyCommittedV1,
    TrainingEnrolledV1,
    ContractExpiryApproachingV1,
  ].map((definition) => [catalogKey(definition.type, definition.version), definition as EventDefinition<unknown>]),
);

export function catalogKey(type: string, version: number): string {
  return `${type}@v${version}`;
}

/** Validates an envelope's payload against the catalog; an unknown type/version is refused. */
export function validateAgainstCatalog(envelope: EventEnvelope): EventEnvelope {
  const definition = EVENT_CATALOG.get(catalogKey(envelope.type, envelope.version));
  if (!definition) {
    throw new InvalidEnvelopeError(`unknown event ${envelope.type} v${envelope.version}`, [
      { path: 'type', message: 'not in the event catalog' },
    ]);
  }
  return definition.parse(envelope);
}
