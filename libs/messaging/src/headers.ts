import { EventEnvelope } from '@cnfs/contracts';
import { MessageHeaders } from './ports';

/** Kafka headers carried by every platform message, so tracing works without decoding the body. */
export const HEADER = {
  messageId: 'x-message-id',
  type: 'x-event-type',
  version: 'x-event-version',
  correlationId: 'x-correlation-id',
  causationId: 'x-causation-id',
} as const;

export const DLQ_HEADER = {
  reason: 'x-dlq-reason',
  error: 'x-dlq-error',
  consumer: 'x-dlq-consumer',
  attempts: 'x-dlq-attempts',
  originalTopic: 'x-dlq-original-topic',
  originalPartition: 'x-dlq-original-partition',
  originalOffset: 'x-dlq-original-offset',
} as const;

export function headersFor(envelope: EventEnvelope): MessageHeaders {
  return {
    [HEADER.messageId]: envelope.messageId,
    [HEADER.type]: envelope.type,
    [HEADER.version]: String(envelope.version),
    [HEADER.correlationId]: envelope.correlationId,
    ...(envelope.causationId ? { [HEADER.causationId]: envelope.causationId } : {}),
  };
}
