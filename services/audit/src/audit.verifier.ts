import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, CLOCK, DATA_SOURCE } from '@cnfs/service-kit';
import { AUDIT_OPTIONS, ResolvedAuditOptions } from './audit.options';
import { aggregateKey, ChainWalker, differingFields, entryFieldsOf, entryHash, EntryFields, rootHash, streamKey } from './domain';

export type LinkProblemKind =
  | 'hash-mismatch'
  | 'unreadable-event'
  | 'column-mismatch'
  | 'sequence-gap'
  | 'previous-hash-mismatch'
  | 'no-inbox-row'
  | 'inbox-mismatch'
  | 'missing-entry';

/** One place where the trail does not hold together. */
export interface BrokenLink {
  problem: LinkProblemKind;
  /** entry: the row itself; stream / aggregate: its link in that chain; inbox: its agreement with the inbox rows. */
  chain: 'entry' | 'stream' | 'aggregate' | 'inbox';
  entryId: string | null;
  messageId: string | null;
  stream: { topic: string; partition: number };
  /** Position of the entry in the chain concerned. */
  position?: number;
  aggregate?: { type: string; id: string };
  expected?: string | number;
  actual?: string | number;
  columns?: string[];
  detail: string;
}

export interface VerificationReport {
  status: 'intact' | 'broken';
  verifiedAt: string;
  entries: number;
  aggregates: number;
  /** Each stream's entry count and head (its last position and hash): keep a report to check later that history did not change. */
  streams: { topic: string; partition: number; entries: number; headSeq: number; headHash: string }[];
  /** One hash over every stream's head: the same for two trails built from the same topics. */
  rootHash: string;
  brokenLinkCount: number;
  /** The earliest recorded entry where a check fails (or a missing entry when that is all there is). */
  firstBrokenLink: BrokenLink | null;
  /** The first 100 broken links, earliest recorded first. */
  brokenLinks: BrokenLink[];
}

const PAGE = 2000;
const KEPT = 1000;

interface StreamRow {
  id: string;
  message_id: string;
  event: string;
  event_type: string;
  event_version: number;
  occurred_at: Date;
  correlation_id: string;
  causation_id: string | null;
  aggregate_type: string;
  aggregate_id: string;
  actor_kind: string;
  actor_name: string;
  actor_role: string | null;
  reason: string | null;
  departments: string[];
  stream_topic: string;
  stream_partition: number;
  stream_seq: string;
  aggregate_seq: string;
  prev_stream_hash: string;
  prev_aggregate_hash: string;
  hash: string;
}

/**
 * Recomputes the whole trail in one consistent snapshot (REPEATABLE READ, read only):
 *  1. every entry in stream order: its hash from its stored event text and previous hashes, its
 *     link to the previous entry of its stream (position and hash), and its derived columns
 *     against the event (so a rewritten actor or département column shows too);
 *  2. every entry in aggregate order: its link to the previous entry of its aggregate;
 *  3. entries against the inbox rows of the audit consumer: an entry deleted at the end of its
 *     chains leaves its inbox row behind; a forged entry has none.
 * Memory stays bounded: rows are read by keyset pages and only chain heads are kept.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUDIT_OPTIONS) private readonly options: ResolvedAuditOptions,
  ) {}

  async verify(): Promise<VerificationReport> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      const broken: BrokenLink[] = [];
      let brokenCount = 0;
      const report = (link: BrokenLink) => {
        brokenCount += 1;
        if (broken.length < KEPT) broken.push(link);
      };
      const { entries, streams } = await this.verifyStreams(manager, report);
      const aggregates = await this.verifyAggregates(manager, report);
      await this.verifyInbox(manager, report);
      const order = (link: BrokenLink) => (link.entryId === null ? Number.MAX_SAFE_INTEGER : Number(link.entryId));
      broken.sort((a, b) => order(a) - order(b));
      return {
        status: brokenCount === 0 ? 'intact' : 'broken',
        verifiedAt: this.clock.now().toISOString(),
        entries,
        aggregates,
        streams: streams.map((s) => ({ topic: s.topic, partition: s.partition, entries: s.entries, headSeq: s.seq, headHash: s.hash })),
        rootHash: rootHash(streams),
        brokenLinkCount: brokenCount,
        firstBrokenLink: broken[0] ?? null,
        brokenLinks: broken.slice(0, 100),
      };
    });
  }

  private async verifyStreams(manager: EntityManager, report: (link: BrokenLink) => void) {
    const walker = new ChainWalker();
    const streams: { topic: string; partition: number; seq: number; hash: string; entries: number }[] = [];
    let entries = 0;
    let after: [string, number, string, string] | undefined;
    for (;;) {
      const rows: StreamRow[] = await manager.query(
        `SELECT id, message_id, event, event_type, event_version, occurred_at, correlation_id, causation_id, aggregate_type, aggregate_id,
                actor_kind, actor_name, actor_role, reason, departments, stream_topic, stream_partition, stream_seq, aggregate_seq,
                prev_stream_hash, prev_aggregate_hash, hash
           FROM audit_entries
          ${after ? 'WHERE (stream_topic, stream_partition, stream_seq, id) > ($1, $2, $3::bigint, $4::bigint)' : ''}
          ORDER BY stream_topic, stream_partition, stream_seq, id LIMIT ${PAGE}`,
        after ?? [],
      );
      for (const row of rows) {
        entries += 1;
        const stream = { topic: row.stream_topic, partition: row.stream_partition };
        const at = { entryId: row.id, messageId: row.message_id, stream };
        const last = streams[streams.length - 1];
        if (last && last.topic === stream.topic && last.partition === stream.partition) {
          Object.assign(last, { seq: Number(row.stream_seq), hash: row.hash, entries: last.entries + 1 });
        } else {
          streams.push({ ...stream, seq: Number(row.stream_seq), hash: row.hash, entries: 1 });
        }
        // 1. the entry's own hash
        let recomputed: string | undefined;
        try {
          recomputed = entryHash(row.event, row.prev_aggregate_hash, row.prev_stream_hash);
        } catch {
          recomputed = undefined;
        }
        if (recomputed !== row.hash) {
          report({
            ...at, problem: 'hash-mismatch', chain: 'entry', position: Number(row.stream_seq), expected: recomputed ?? '(previous hashes malformed)',
            actual: row.hash, detail: 'the entry does not hash to its stored hash: its event or previous hashes were changed',
          });
        }
        // 2. its link in the stream
        for (const problem of walker.step({ chainKey: streamKey(stream), seq: Number(row.stream_seq), prevHash: row.prev_stream_hash, hash: row.hash })) {
          report({
            ...at, ...problem, chain: 'stream', position: Number(row.stream_seq),
            detail: problem.problem === 'sequence-gap'
              ? 'an entry before this one in its stream is missing or out of place'
              : 'the previous entry of the stream was changed, removed or replaced',
          });
        }
        // 3. its derived columns
        const columns = this.columnProblems(row);
        if (columns === 'unreadable') {
          report({ ...at, problem: 'unreadable-event', chain: 'entry', detail: 'the stored event is not a readable envelope' });
        } else if (columns.length > 0) {
          report({ ...at, problem: 'column-mismatch', chain: 'entry', columns, detail: `columns disagree with the hashed event: ${columns.join(', ')}` });
        }
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      after = [last.stream_topic, last.stream_partition, last.stream_seq, last.id];
    }
    return { entries, streams };
  }

  private columnProblems(row: StreamRow): string[] | 'unreadable' {
    let derived: EntryFields;
    try {
      derived = entryFieldsOf(JSON.parse(row.event));
    } catch {
      return 'unreadable';
    }
    const stored: EntryFields = {
      messageId: row.message_id,
      type: row.event_type,
      version: row.event_version,
      occurredAt: row.occurred_at.toISOString(),
      correlationId: row.correlation_id,
      causationId: row.causation_id,
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      actorKind: row.actor_kind as EntryFields['actorKind'],
      actorName: row.actor_name,
      actorRole: row.actor_role,
      reason: row.reason,
      departments: row.departments,
    };
    return differingFields(stored, derived);
  }

  private async verifyAggregates(manager: EntityManager, report: (link: BrokenLink) => void): Promise<number> {
    const walker = new ChainWalker();
    let after: [string, number, string, string, string, string] | undefined;
    for (;;) {
      const rows: Pick<StreamRow, 'id' | 'message_id' | 'stream_topic' | 'stream_partition' | 'aggregate_type' | 'aggregate_id' | 'aggregate_seq' | 'prev_aggregate_hash' | 'hash'>[] =
        await manager.query(
          `SELECT id, message_id, stream_topic, stream_partition, aggregate_type, aggregate_id, aggregate_seq, prev_aggregate_hash, hash
             FROM audit_entries
            ${after ? 'WHERE (stream_topic, stream_partition, aggregate_type, aggregate_id, aggregate_seq, id) > ($1, $2, $3, $4, $5::bigint, $6::bigint)' : ''}
            ORDER BY stream_topic, stream_partition, aggregate_type, aggregate_id, aggregate_seq, id LIMIT ${PAGE}`,
          after ?? [],
        );
      for (const row of rows) {
        const stream = { topic: row.stream_topic, partition: row.stream_partition };
        const chainKey = aggregateKey(stream, row.aggregate_type, row.aggregate_id);
        for (const problem of walker.step({ chainKey, seq: Number(row.aggregate_seq), prevHash: row.prev_aggregate_hash, hash: row.hash })) {
          report({
            entryId: row.id, messageId: row.message_id, stream, aggregate: { type: row.aggregate_type, id: row.aggregate_id },
            ...problem, chain: 'aggregate', position: Number(row.aggregate_seq),
            detail: problem.problem === 'sequence-gap'
              ? 'an entry before this one in its aggregate is missing or out of place'
              : 'the previous entry of the aggregate was changed, removed or replaced',
          });
        }
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      after = [last.stream_topic, last.stream_partition, last.aggregate_type, last.aggregate_id, last.aggregate_seq, last.id];
    }
    return walker.chains;
  }

  private async verifyInbox(manager: EntityManager, report: (link: BrokenLink) => void): Promise<void> {
    const consumer = this.options.consumerName;
    const orphans: { id: string; message_id: string; stream_topic: string; stream_partition: number; stream_offset: string; inbox_topic: string | null; inbox_partition: number | null; inbox_offset: string | null }[] =
      await manager.query(
        `SELECT e.id, e.message_id, e.stream_topic, e.stream_partition, e.stream_offset, i.topic AS inbox_topic, i.partition AS inbox_partition, i.kafka_offset AS inbox_offset
           FROM audit_entries e LEFT JOIN inbox i ON i.consumer = $1 AND i.message_id = e.message_id
          WHERE i.message_id IS NULL OR i.topic <> e.stream_topic OR i.partition <> e.stream_partition OR i.kafka_offset <> e.stream_offset
          ORDER BY e.id LIMIT ${KEPT}`,
        [consumer],
      );
    for (const row of orphans) {
      const stream = { topic: row.stream_topic, partition: row.stream_partition };
      if (row.inbox_topic === null) {
        report({ entryId: row.id, messageId: row.message_id, stream, problem: 'no-inbox-row', chain: 'inbox', detail: 'no message was received for this entry' });
      } else {
        report({
          entryId: row.id, messageId: row.message_id, stream, problem: 'inbox-mismatch', chain: 'inbox',
          expected: `${row.inbox_topic}/${row.inbox_partition}@${row.inbox_offset}`, actual: `${row.stream_topic}/${row.stream_partition}@${row.stream_offset}`,
          detail: 'the entry says it was read elsewhere than the message received',
        });
      }
    }
    const missing: { message_id: string; topic: string; partition: number; kafka_offset: string }[] = await manager.query(
      `SELECT i.message_id, i.topic, i.partition, i.kafka_offset FROM inbox i
        WHERE i.consumer = $1 AND NOT EXISTS (SELECT 1 FROM audit_entries e WHERE e.message_id = i.message_id)
        ORDER BY i.topic, i.partition, i.kafka_offset LIMIT ${KEPT}`,
      [consumer],
    );
    for (const row of missing) {
      report({
        entryId: null, messageId: row.message_id, stream: { topic: row.topic, partition: row.partition }, problem: 'missing-entry', chain: 'inbox',
        actual: row.kafka_offset, detail: `the message at offset ${row.kafka_offset} was recorded, and its entry is gone`,
      });
    }
  }
}
