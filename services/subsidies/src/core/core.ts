import { EventContext, EventDefinition } from '@cnfs/contracts';
import { Outbox } from '@cnfs/messaging';
import { Clock } from '@cnfs/service-kit';
import { CalendarDate, parisDate } from '@cnfs/subsidies-domain';
import { DataSource, EntityManager } from 'typeorm';
import { SubsidiesSettings } from '../config';

/**
 * What every part of the service works with: the schema-bound DataSource, the outbox, the clock
 * and the settings. A plain class (no Nest needed), so the reconciliation bench builds the same
 * services on a bare DataSource.
 */
export class SubsidiesCore {
  constructor(
    readonly dataSource: DataSource,
    readonly outbox: Outbox,
    readonly clock: Clock,
    readonly settings: SubsidiesSettings,
  ) {}

  /** The programme's calendar day (Paris). */
  today(): CalendarDate {
    return parisDate(this.clock.now());
  }

  /** One transaction per command: the state change and its events commit together. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * Serialises the writers of the subsidy book that work on posts and envelopes together (event
   * consumers, clock-driven jobs): taken first in their transaction, it keeps them from
   * deadlocking one another (a post, its tranches and its envelope are locked in varying orders
   * across a batch of messages). Re-entrant within a transaction.
   */
  async serializeBookWriters(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.subsidies-book'))`);
  }

  async emit<P>(manager: EntityManager, definition: EventDefinition<P>, aggregateId: string, payload: P, context: EventContext): Promise<void> {
    await this.outbox.add(manager, { topic: definition.topic, envelope: definition.create(aggregateId, payload, context) });
  }
}
