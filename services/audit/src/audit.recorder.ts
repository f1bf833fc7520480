import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { IncomingRecord } from '@cnfs/messaging';
import { Clock, CLOCK } from '@cnfs/service-kit';
import { aggregateKey, canonicalJson, ChainHead, entryFieldsOf, linkEntry, StreamId, streamKey } from './domain';

export type SchemaStatus = 'catalog' | 'unrecognised';

interface StreamState {
  head: ChainHead | undefined;
  /** null: known to have no entry yet. */
  aggregates: Map<string, ChainHead | null>;
}

/**
 * Appends one entry to the trail, in the caller's transaction (the inbox's): reads the heads of the
 * entry's stream and aggregate, links the entry after them and inserts it.
 *
 * A stream (topic-partition) is written by one transaction at a time: a transaction-scoped
 * advisory lock per stream keeps two consumers from linking after the same head during a
 * rebalance (the unique indexes on the positions would refuse it anyway). Heads are cached per
 * transaction, so a batch of a partition reads each head once.
 */
@Injectable()
export class AuditRecorder {
  private readonly transactions = new WeakMap<EntityManager, Map<string, StreamState>>();

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  async record(manager: EntityManager, record: IncomingRecord, schemaStatus: SchemaStatus): Promise<void> {
    if (!record.value) throw new Error('empty message');
    // The envelope as it travelled (every field, not only those this version of the catalog knows).
    const event: unknown = JSON.parse(record.value.toString('utf8'));
    const fields = entryFieldsOf(event);
    const eventText = canonicalJson(event);
    const stream: StreamId = { topic: record.topic, partition: record.partition };
    const state = await this.streamState(manager, stream);
    const aKey = aggregateKey(stream, fields.aggregateType, fields.aggregateId);
    let aggregateHead = state.aggregates.get(aKey);
    if (aggregateHead === undefined) {
      const [row]: { seq: string; hash: string }[] = await manager.query(
        `SELECT aggregate_seq AS seq, hash FROM audit_entries
          WHERE stream_topic = $1 AND stream_partition = $2 AND aggregate_type = $3 AND aggregate_id = $4
          ORDER BY aggregate_seq DESC LIMIT 1`,
        [stream.topic, stream.partition, fields.aggregateType, fields.aggregateId],
      );
      aggregateHead = row ? { seq: Number(row.seq), hash: row.hash } : null;
    }
    const link = linkEntry(eventText, state.head, aggregateHead ?? undefined);
    await manager.query(
      `INSERT INTO audit_entries (
         message_id, event, schema_status, event_type, event_version, occurred_at, correlation_id, causation_id,
         aggregate_type, aggregate_id, actor_kind, actor_name, actor_role, reason, departments,
         stream_topic, stream_partition, stream_offset, stream_seq, prev_stream_hash, aggregate_seq, prev_aggregate_hash, hash, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::text[], $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
      [
        fields.messageId, eventText, schemaStatus, fields.type, fields.version, fields.occurredAt, fields.correlationId, fields.causationId,
        fields.aggregateType, fields.aggregateId, fields.actorKind, fields.actorName, fields.actorRole, fields.reason, fields.departments,
        stream.topic, stream.partition, record.offset, link.streamSeq, link.prevStreamHash, link.aggregateSeq, link.prevAggregateHash, link.hash,
        this.clock.now(),
      ],
    );
    state.head = { seq: link.streamSeq, hash: link.hash };
    state.aggregates.set(aKey, { seq: link.aggregateSeq, hash: link.hash });
  }

  private async streamState(manager: EntityManager, stream: StreamId): Promise<StreamState> {
    let streams = this.transactions.get(manager);
    if (!streams) {
      streams = new Map();
      this.transactions.set(manager, streams);
    }
    const key = streamKey(stream);
    let state = streams.get(key);
    if (!state) {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':audit-stream:' || $1, 0))`, [key]);
      const [row]: { seq: string; hash: string }[] = await manager.query(
        `SELECT stream_seq AS seq, hash FROM audit_entries WHERE stream_topic = $1 AND stream_partition = $2 ORDER BY stream_seq DESC LIMIT 1`,
        [stream.topic, stream.partition],
      );
      state = { head: row ? { seq: Number(row.seq), hash: row.hash } : undefined, aggregates: new Map() };
      streams.set(key, state);
    }
    return state;
  }
}
