import { EventEnvelope, parseEnvelope } from '@cnfs/contracts';
import { EntityManager } from 'typeorm';
import { headersFor } from './headers';

/** Set on a transaction's QueryRunner once it wrote outbox rows. */
export const OUTBOX_WRITTEN = 'cnfs.outboxWritten';

/** Where an event goes: its definition's topic, keyed by aggregate id. */
export interface OutboxMessage {
  topic: string;
  envelope: EventEnvelope;
}

/**
 * The transactional outbox. `add` takes the caller's EntityManager, so the event rows are
 * written in the same database transaction as the state change: rolled back together,
 * committed together. The relay publishes them afterwards, at least once.
 * Tables live in the service's own schema (the DataSource's search_path).
 */
function assertTransaction(manager: EntityManager): void {
  // Writing an event outside a transaction would break the outbox's only promise.
  if (!manager.queryRunner?.isTransactionActive) throw new Error('Outbox.add must be called inside a database transaction');
}

/** The outbox and the columns its writers fill: the fields of OutboxRow, in this order (for an INSERT or a COPY). */
export const OUTBOX_COLUMNS = 'outbox (message_id, topic, message_key, event_type, envelope, headers)';

/** One outbox row: its envelope checked and serialised (see Outbox.rowOf). */
export interface OutboxRow {
  messageId: string;
  topic: string;
  key: string;
  type: string;
  /** The exact JSON published. */
  envelope: string;
  /** JSON of the Kafka headers (a jsonb column). */
  headers: string;
}

/** Outbox rows ready to be written: the envelopes checked and serialised (see Outbox.prepare). */
export interface PreparedOutboxRows {
  readonly count: number;
  readonly sql: string;
  readonly params: unknown[];
}

export class Outbox {
  async add(manager: EntityManager, ...messages: OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    assertTransaction(manager);
    await this.write(manager, this.prepare(messages));
  }

  /**
   * Checks and serialises messages for {@link write}, without the database: a caller with many events
   * (a reconciliation's) does it while its previous statement runs.
   */
  prepare(messages: OutboxMessage[]): PreparedOutboxRows {
    const params: unknown[] = [];
    const rows = messages.map((message) => {
      const row = this.rowOf(message);
      params.push(row.messageId, row.topic, row.key, row.type, row.envelope, row.headers);
      const n = params.length;
      return `($${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
    });
    return { count: messages.length, sql: `INSERT INTO ${OUTBOX_COLUMNS} VALUES ${rows.join(', ')}`, params };
  }

  /**
   * One message as its outbox row, checked and serialised: for a caller that streams many large events to
   * `COPY OUTBOX_COLUMNS` (a reconciliation's, ~4.7 MB: PostgreSQL stores each while the next is built, and
   * COPY spares both sides a 4.7 MB bind message). The caller then calls `markWritten` in the same transaction.
   */
  rowOf({ topic, envelope }: OutboxMessage): OutboxRow {
    // The last gate before the wire: an envelope built by hand (not through its definition) without
    // a valid actor, id or date never reaches the outbox.
    parseEnvelope(envelope);
    return {
      messageId: envelope.messageId, topic, key: envelope.aggregateId, type: envelope.type, envelope: JSON.stringify(envelope),
      headers: JSON.stringify(headersFor(envelope)),
    };
  }

  /** Records that this transaction wrote outbox rows (by `write`, or by COPY: see rowOf): this process's relay looks as soon as it commits (see OutboxRelay). */
  markWritten(manager: EntityManager): void {
    assertTransaction(manager);
    manager.queryRunner!.data[OUTBOX_WRITTEN] = true;
  }

  /** Writes prepared rows in the caller's transaction. */
  async write(manager: EntityManager, prepared: PreparedOutboxRows): Promise<void> {
    if (prepared.count === 0) return;
    assertTransaction(manager);
    await manager.query(prepared.sql, prepared.params);
    this.markWritten(manager);
  }

  /** Messages not yet acknowledged by the broker (0 means drained). */
  async pendingCount(manager: EntityManager): Promise<number> {
    const [row] = await manager.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
    return row.n;
  }
}
