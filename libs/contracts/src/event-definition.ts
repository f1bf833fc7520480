import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Actor, EventEnvelope, InvalidEnvelopeError, issuesOf, parseEnvelope } from './envelope';

export interface EventContext {
  actor: Actor;
  /** The request or message this event follows from; a new chain starts when absent. */
  correlationId?: string;
  causationId?: string | null;
  reason?: string;
  occurredAt: Date;
  messageId?: string;
}

/**
 * One versioned integration event: an explicit type string (never a class name), the topic it
 * travels on, and the schema of its payload, checked when produced and again when consumed.
 * A breaking change is a new definition with version + 1, published beside the old one.
 */
export interface EventDefinition<P> {
  readonly type: string;
  readonly version: number;
  readonly topic: string;
  readonly aggregateType: string;
  readonly payloadSchema: z.ZodType<P>;
  create(aggregateId: string, payload: P, context: EventContext): EventEnvelope<P>;
  /** Validates a decoded envelope of this type and returns it typed. */
  parse(envelope: EventEnvelope): EventEnvelope<P>;
  is(envelope: EventEnvelope): envelope is EventEnvelope<P>;
}

export function defineEvent<S extends z.ZodType>(spec: {
  type: string;
  version: number;
  topic: string;
  aggregateType: string;
  payload: S;
}): EventDefinition<z.infer<S>> {
  type P = z.infer<S>;
  const definition: EventDefinition<P> = {
    type: spec.type,
    version: spec.version,
    topic: spec.topic,
    aggregateType: spec.aggregateType,
    payloadSchema: spec.payload as z.ZodType<P>,
    create(aggregateId, payload, context) {
      const messageId = context.messageId ?? randomUUID();
      const envelope: EventEnvelope<P> = {
        messageId,
        type: spec.type,
        version: spec.version,
        occurredAt: context.occurredAt.toISOString(),
        correlationId: context.correlationId ?? messageId,
        causationId: context.causationId ?? null,
        aggregateType: spec.aggregateType,
        aggregateId,
        actor: context.actor,
        ...(context.reason !== undefined ? { reason: context.reason } : {}),
        payload,
      };
      // Producers are held to the same contract as consumers: an event without a valid
      // actor or payload never reaches the outbox.
      parseEnvelope(envelope);
      return { ...envelope, payload: parsePayload(spec.payload, envelope) as P };
    },
    parse(envelope) {
      if (envelope.type !== spec.type || envelope.version !== spec.version) {
        throw new InvalidEnvelopeError(`expected ${spec.type} v${spec.version}`, []);
      }
      return { ...envelope, payload: parsePayload(spec.payload, envelope) as P };
    },
    is(envelope): envelope is EventEnvelope<P> {
      return envelope.type === spec.type && envelope.version === spec.version;
    },
  };
  return definition;
}

function parsePayload(schema: z.ZodType, envelope: EventEnvelope): unknown {
  const result = schema.safeParse(envelope.payload);
  if (!result.success) {
    throw new InvalidEnvelopeError(
      `invalid payload for ${envelope.type} v${envelope.version}`,
      issuesOf(result.error).map((i) => ({ ...i, path: `payload.${i.path}` })),
    );
  }
  return result.data;
}
