import { Inject, Injectable } from '@nestjs/common';
import { EventContext, EventDefinition } from '@cnfs/contracts';
import { Outbox } from '@cnfs/messaging';
import { DATA_SOURCE, OUTBOX } from '@cnfs/service-kit';
import { DataSource, EntityManager } from 'typeorm';
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

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      throw toProblem(error);
    }
  }

  /** Writes an event to the outbox, in the caller's transaction, keyed by its aggregate. */
  async emit<P>(manager: EntityManager, definition: EventDefinition<P>, aggregateId: string, payload: P, context: EventContext): Promise<void> {
    await this.outbox.add(manager, { topic: definition.topic, envelope: definition.create(aggregateId, payload, context) });
  }
}
