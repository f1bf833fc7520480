import { Inject, Injectable } from '@nestjs/common';
import { EventContext, EventDefinition } from '@cnfs/contracts';
import { Outbox } from '@cnfs/messaging';
import { DATA_SOURCE, OUTBOX, ProblemException } from '@cnfs/service-kit';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { toProblem } from './errors';

/** The payload type of an event definition. */
export type PayloadOf<D> = D extends EventDefinition<infer P> ? P : never;

/** One transaction per command: the state change and its events commit together or not at all. */
@Injectable()
export class Transactions {
  constructor(
    @Inject(DATA_SOURCE) readonly dataSource: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  /**
   * Runs the work in a transaction. A deadlock or serialization failure rolled everything back: the work is run
   * again (at most 3 times), then answered 503 — a retryable refusal, never a 500.
   */
  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        if (!isTransient(error)) throw toProblem(error);
        if (attempt >= 3) throw new ProblemException(503, 'the request met concurrent changes; retry it', { code: 'CONCURRENT_CHANGES' });
      }
    }
  }

  /** Writes an event to the outbox, in the caller's transaction, keyed by its aggregate. */
  async emit<P>(manager: EntityManager, definition: EventDefinition<P>, aggregateId: string, payload: P, context: EventContext): Promise<void> {
    await this.outbox.add(manager, { topic: definition.topic, envelope: definition.create(aggregateId, payload, context) });
  }
}

/** Deadlock detected, serialization failure: nothing was written, the transaction can simply run again. */
function isTransient(error: unknown): boolean {
  const code = error instanceof QueryFailedError ? (error as QueryFailedError & { driverError?: { code?: string } }).driverError?.code : undefined;
  return code === '40P01' || code === '40001';
}
