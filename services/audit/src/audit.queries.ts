import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DATA_SOURCE, Page, pagesOf } from '@cnfs/service-kit';
import type { SchemaStatus } from './audit.recorder';

/** Filters of the trail; all optional, combined with AND. */
export interface AuditFilter {
  aggregateType?: string;
  aggregateId?: string;
  /** The user's subject or the system job's name. */
  actor?: string;
  type?: string;
  departmentCode?: string;
  /** occurred_at >= from */
  from?: Date;
  /** occurred_at < toExclusive */
  toExclusive?: Date;
}

/** Who is asking: undefined = every entry (anct), else only entries about one of these départements. */
export type DepartmentScope = readonly string[] | undefined;

export interface AuditEntryView {
  /** Recording order (not a chain position). */
  id: string;
  messageId: string;
  type: string;
  version: number;
  schema: SchemaStatus;
  occurredAt: string;
  recordedAt: string;
  aggregateType: string;
  aggregateId: string;
  actor: unknown;
  reason: string | null;
  correlationId: string;
  causationId: string | null;
  departments: string[];
  payload: unknown;
  stream: { topic: string; partition: number; offset: string; seq: number };
  chain: { aggregateSeq: number; prevAggregateHash: string; prevStreamHash: string; hash: string };
}

interface Row {
  id: string;
  message_id: string;
  event: string;
  schema_status: SchemaStatus;
  event_type: string;
  event_version: number;
  occurred_at: Date;
  cursor: string;
  recorded_at: Date;
  aggregate_type: string;
  aggregate_id: string;
  actor_kind: string;
  actor_name: string;
  actor_role: string | null;
  reason: string | null;
  correlation_id: string;
  causation_id: string | null;
  departments: string[];
  stream_topic: string;
  stream_partition: number;
  stream_offset: string;
  stream_seq: string;
  aggregate_seq: string;
  prev_stream_hash: string;
  prev_aggregate_hash: string;
  hash: string;
}

const COLUMNS = `id, message_id, event, schema_status, event_type, event_version, occurred_at, occurred_at::text AS cursor, recorded_at,
  aggregate_type, aggregate_id, actor_kind, actor_name, actor_role, reason, correlation_id, causation_id, departments,
  stream_topic, stream_partition, stream_offset, stream_seq, aggregate_seq, prev_stream_hash, prev_aggregate_hash, hash`;

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toView(row: Row): AuditEntryView {
  const event = safeParse(row.event);
  return {
    id: row.id,
    messageId: row.message_id,
    type: row.event_type,
    version: row.event_version,
    schema: row.schema_status,
    occurredAt: typeof event?.occurredAt === 'string' ? event.occurredAt : row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    actor: event?.actor ?? { kind: row.actor_kind, ...(row.actor_kind === 'user' ? { subject: row.actor_name, role: row.actor_role } : { job: row.actor_name }) },
    reason: row.reason,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    departments: row.departments,
    payload: event?.payload ?? null,
    stream: { topic: row.stream_topic, partition: row.stream_partition, offset: row.stream_offset, seq: Number(row.stream_seq) },
    chain: {
      aggregateSeq: Number(row.aggregate_seq),
      prevAggregateHash: row.prev_aggregate_hash,
      prevStreamHash: row.prev_stream_hash,
      hash: row.hash,
    },
  };
}

/** Reads of the trail: filtered, scoped, in occurrence order (ties in recording order). */
@Injectable()
export class AuditQueries {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  private where(filter: AuditFilter, scope: DepartmentScope, params: unknown[]): string {
    const clauses: string[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      clauses.push(sql(`$${params.length}`));
    };
    if (filter.aggregateType !== undefined) add((p) => `aggregate_type = ${p}`, filter.aggregateType);
    if (filter.aggregateId !== undefined) add((p) => `aggregate_id = ${p}`, filter.aggregateId);
    if (filter.actor !== undefined) add((p) => `actor_name = ${p}`, filter.actor);
    if (filter.type !== undefined) add((p) => `event_type = ${p}`, filter.type);
    if (filter.departmentCode !== undefined) add((p) => `departments @> ARRAY[${p}::text]`, filter.departmentCode);
    if (filter.from !== undefined) add((p) => `occurred_at >= ${p}`, filter.from);
    if (filter.toExclusive !== undefined) add((p) => `occurred_at < ${p}`, filter.toExclusive);
    if (scope !== undefined) add((p) => `departments && ${p}::text[]`, [...scope]);
    return clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  }

  async list(filter: AuditFilter, scope: DepartmentScope, window: { limit: number; offset: number; page: number; pageSize: number }): Promise<Page<AuditEntryView>> {
    const params: unknown[] = [];
    const where = this.where(filter, scope, params);
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM audit_entries ${where}`, params);
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM audit_entries ${where} ORDER BY occurred_at, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, window.limit, window.offset],
    );
    return { items: rows.map(toView), page: window.page, pageSize: window.pageSize, total };
  }

  /**
   * Every matching entry, page by page (pagesOf), bounded by the last entry recorded when the export
   * starts, so entries recorded meanwhile are not half-included. Pages are read by keyset on
   * (occurred_at, id), not by offset: an entry recorded during the export with an earlier
   * occurrence time cannot shift a page and duplicate or skip a row.
   */
  async *stream(filter: AuditFilter, scope: DepartmentScope, pageSize = 1000): AsyncIterable<AuditEntryView> {
    const [{ max }] = await this.dataSource.query(`SELECT coalesce(max(id), 0)::text AS max FROM audit_entries`);
    let after: { cursor: string; id: string } | undefined;
    const fetch = async (limit: number): Promise<Row[]> => {
      const params: unknown[] = [];
      const where = this.where(filter, scope, params);
      params.push(max);
      let sql = `SELECT ${COLUMNS} FROM audit_entries ${where ? `${where} AND` : 'WHERE'} id <= $${params.length}::bigint`;
      if (after) {
        params.push(after.cursor, after.id);
        sql += ` AND (occurred_at, id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`;
      }
      params.push(limit);
      const rows: Row[] = await this.dataSource.query(`${sql} ORDER BY occurred_at, id LIMIT $${params.length}`, params);
      const last = rows[rows.length - 1];
      if (last) after = { cursor: last.cursor, id: last.id };
      return rows;
    };
    for await (const row of pagesOf(fetch, pageSize)) yield toView(row);
  }
}
