import { z } from 'zod';

/**
 * Who caused an event: a user from their token, or the platform itself (`system`) with the
 * name of the job that acted on its own (clock-driven work, relays, sagas).
 * Mandatory on every event: public money needs "who decided this" for every change.
 */
export const actorSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('user'),
    subject: z.string().min(1),
    role: z.enum(['anct', 'prefecture', 'bdt', 'training_provider', 'structure']),
    departments: z.array(z.string()).optional(),
    lot: z.number().int().min(1).max(6).optional(),
    structureId: z.string().optional(),
  }),
  z.object({ kind: z.literal('system'), job: z.string().min(1) }),
]);
export type Actor = z.infer<typeof actorSchema>;

export const envelopeSchema = z.object({
  messageId: z.uuid(),
  type: z.string().regex(/^[a-z]+\.[A-Za-z]+$/, 'type is "<context>.<EventName>"'),
  version: z.number().int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  aggregateType: z.string().min(1),
  aggregateId: z.string().min(1),
  actor: actorSchema,
  reason: z.string().max(2000).optional(),
  payload: z.unknown(),
});

export interface EventEnvelope<P = unknown> {
  messageId: string;
  type: string;
  version: number;
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  aggregateType: string;
  aggregateId: string;
  actor: Actor;
  reason?: string;
  payload: P;
}

export class InvalidEnvelopeError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'InvalidEnvelopeError';
  }
}

export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message }));
}

/** Validates the envelope itself (not its payload) of a message read from the wire. */
export function parseEnvelope(raw: unknown): EventEnvelope {
  const result = envelopeSchema.safeParse(raw);
  if (!result.success) {
    throw new InvalidEnvelopeError('invalid event envelope', issuesOf(result.error));
  }
  return result.data as EventEnvelope;
}
