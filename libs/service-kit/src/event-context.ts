import { Actor, EventContext, EventEnvelope } from '@cnfs/contracts';
import type { Principal } from '@cnfs/auth';
import { Clock } from './clock';

/** The event actor of an authenticated user, with the scope their token gave them. */
export function actorOf(principal: Principal): Actor {
  switch (principal.role) {
    case 'prefecture':
      return { kind: 'user', subject: principal.subject, role: principal.role, departments: [...principal.departments] };
    case 'training_provider':
      return { kind: 'user', subject: principal.subject, role: principal.role, lot: principal.lot };
    case 'structure':
      return { kind: 'user', subject: principal.subject, role: principal.role, structureId: principal.structureId };
    default:
      return { kind: 'user', subject: principal.subject, role: principal.role };
  }
}

/** Context of events caused by a REST command: who, when, the request's correlation id, and the reason given. */
export function commandContext(
  principal: Principal,
  clock: Clock,
  request: { headers: Record<string, string | string[] | undefined> },
  reason?: string,
): EventContext {
  const correlationId = request.headers['x-correlation-id'];
  return {
    actor: actorOf(principal),
    occurredAt: clock.now(),
    correlationId: typeof correlationId === 'string' ? correlationId : undefined,
    causationId: null,
    ...(reason ? { reason } : {}),
  };
}

/** Context of events a consumer emits in reaction to a message: same correlation, caused by it, acted by a job. */
export function reactionContext(cause: EventEnvelope, clock: Clock, job: string): EventContext {
  return {
    actor: { kind: 'system', job },
    occurredAt: clock.now(),
    correlationId: cause.correlationId,
    causationId: cause.messageId,
  };
}

/** Context of events emitted by clock-driven work (deadlines, natural ends). */
export function jobContext(clock: Clock, job: string, correlationId?: string): EventContext {
  return { actor: { kind: 'system', job }, occurredAt: clock.now(), correlationId, causationId: null };
}
