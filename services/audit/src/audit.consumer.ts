import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { catalogKey, dlqTopicOf, EVENT_CATALOG, EventEnvelope, parseEnvelope } from '@cnfs/contracts';
import {
  BatchContext,
  DLQ_HEADER,
  EventHandler,
  InboxConsumer,
  IncomingRecord,
  MessageBus,
  MessagePublisher,
  MessagingLogger,
  Outbox,
  Subscription,
} from '@cnfs/messaging';
import { DATA_SOURCE, JsonLogger, MESSAGE_BUS, OUTBOX, SERVICE_CONFIG, ServiceConfig } from '@cnfs/service-kit';
import { AUDIT_OPTIONS, ResolvedAuditOptions } from './audit.options';
import { AuditRecorder } from './audit.recorder';

/**
 * Reads every platform topic into the trail.
 *
 * Known events go through the messaging lib's inbox (InboxConsumer): one handler per
 * `type@version` of EVENT_CATALOG, each recording the entry in the inbox's transaction, so a
 * message is recorded exactly once and the Kafka offset is committed after the database commit.
 *
 * Unknown-but-valid events — an envelope that passes the platform's envelope schema (actor
 * included) but whose type or version is not in this build's catalog, e.g. a new event deployed
 * before the audit service is upgraded — would be dead-lettered by InboxConsumer, which validates
 * against the catalog before dispatching. The audit trail must not miss them, so this consumer
 * owns the subscription and hands InboxConsumer the runs of known (or invalid) messages, and
 * records unknown-but-valid ones itself, in their partition order, with the same inbox row
 * `(consumer, message_id)` written in the same transaction as the entry (`schema_status` =
 * 'unrecognised', payload not validated: no schema is known for it). Messages that are not a valid
 * envelope (no actor, bad JSON) or a known type with an invalid payload are dead-lettered by the
 * inbox as everywhere on the platform: they are not events any producer could have emitted.
 */
@Injectable()
export class AuditTrailConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private inbox?: InboxConsumer;
  private subscription?: Subscription;
  private dlqPublisher?: MessagePublisher;
  private readonly logger: MessagingLogger;
  readonly stats = { unrecognised: 0, unrecognisedDuplicates: 0, deadLettered: 0 };

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(AUDIT_OPTIONS) private readonly options: ResolvedAuditOptions,
    private readonly recorder: AuditRecorder,
  ) {
    this.logger = new JsonLogger(config.name).asMessagingLogger(`inbox:${options.consumerName}`);
  }

  /** One handler per event of the catalog: InboxConsumer dispatches by `type@version`. */
  handlers(): Record<string, EventHandler> {
    const record: EventHandler = (_envelope, { manager, record }) => this.recorder.record(manager, record, 'catalog');
    return Object.fromEntries([...EVENT_CATALOG.keys()].map((key) => [key, record]));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.dlqPublisher = await this.bus.publisher();
    this.inbox = new InboxConsumer({
      name: this.options.consumerName,
      topics: this.options.topics,
      handlers: this.handlers(),
      dataSource: this.dataSource,
      bus: this.bus,
      dlqPublisher: this.dlqPublisher,
      outbox: this.outbox,
      maxAttempts: this.options.maxAttempts,
      retryDelayMs: this.options.retryDelayMs,
      logger: this.logger,
    });
    // The inbox is driven by this subscription (not started on its own).
    this.subscription = await this.bus.subscribe(
      { groupId: this.options.consumerName, topics: this.options.topics, fromBeginning: true, beforeOffsetCommit: this.options.beforeOffsetCommit },
      (records, context) => this.handleBatch(records, context),
    );
  }

  /** Resolves once the consumer joined its group. */
  async ready(): Promise<void> {
    await this.subscription?.ready;
  }

  /** Messages handled by the inbox (known events) and by this class (unknown-but-valid ones). */
  get inboxStats() {
    return this.inbox?.stats;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
    await this.dlqPublisher?.close();
    this.dlqPublisher = undefined;
  }

  /** A batch of one partition, in order: runs of known messages to the inbox, unknown-but-valid ones recorded here. */
  async handleBatch(records: IncomingRecord[], context: BatchContext): Promise<string | null> {
    if (!this.inbox) throw new Error('the audit consumer is not started');
    const unrecognised = records.map(unrecognisedEnvelope);
    let lastDone: string | null = null;
    let start = 0;
    while (start < records.length) {
      if (!context.isActive()) break;
      const envelope = unrecognised[start];
      if (envelope) {
        await this.recordUnrecognised(records[start], envelope, context);
        lastDone = records[start].offset;
        start += 1;
        continue;
      }
      let end = start + 1;
      while (end < records.length && !unrecognised[end]) end += 1;
      const run = records.slice(start, end);
      const done = await this.inbox.handleBatch(run, context);
      if (done !== run[run.length - 1].offset) return done ?? lastDone;
      lastDone = done;
      start = end;
    }
    return lastDone;
  }

  private async recordUnrecognised(record: IncomingRecord, envelope: EventEnvelope, context: BatchContext): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      try {
        const fresh = await this.dataSource.transaction(async (manager) => {
          if (!(await this.claim(manager, record, envelope))) return false;
          await this.recorder.record(manager, record, 'unrecognised');
          return true;
        });
        if (fresh) this.stats.unrecognised += 1;
        else this.stats.unrecognisedDuplicates += 1;
        return;
      } catch (error) {
        lastError = error;
        this.logger.warn('recording an unrecognised event failed', {
          attempt, messageId: envelope.messageId, type: envelope.type, version: envelope.version, error: String(error),
        });
        await context.heartbeat();
        if (attempt < this.options.maxAttempts) await sleep(this.options.retryDelayMs * 2 ** (attempt - 1));
      }
    }
    // A database outage is not the message's fault: throw (offset not committed) rather than dead-letter.
    await this.dataSource.query('SELECT 1');
    await this.deadLetter(record, lastError);
  }

  /** The inbox row of the messaging lib, written the same way: true when the message is new. */
  private async claim(manager: EntityManager, record: IncomingRecord, envelope: EventEnvelope): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO inbox (consumer, message_id, event_type, topic, partition, kafka_offset)
       VALUES ($1, $2::uuid, $3, $4, $5::int, $6::bigint) ON CONFLICT (consumer, message_id) DO NOTHING RETURNING message_id`,
      [this.options.consumerName, envelope.messageId, envelope.type, record.topic, record.partition, record.offset],
    );
    return rows.length === 1;
  }

  private async deadLetter(record: IncomingRecord, error: unknown): Promise<void> {
    await this.dlqPublisher!.publish([
      {
        topic: dlqTopicOf(record.topic),
        key: record.key ?? '',
        value: record.value ? record.value.toString('utf8') : '',
        headers: {
          ...record.headers,
          [DLQ_HEADER.reason]: 'retries-exhausted',
          [DLQ_HEADER.error]: String(error).slice(0, 2000),
          [DLQ_HEADER.consumer]: this.options.consumerName,
          [DLQ_HEADER.attempts]: String(this.options.maxAttempts),
          [DLQ_HEADER.originalTopic]: record.topic,
          [DLQ_HEADER.originalPartition]: String(record.partition),
          [DLQ_HEADER.originalOffset]: record.offset,
        },
      },
    ]);
    this.stats.deadLettered += 1;
    this.logger.error('message dead-lettered', { topic: record.topic, partition: record.partition, offset: record.offset, error: String(error).slice(0, 500) });
  }
}

/** The envelope of a message that is valid but of a type/version the catalog does not know; undefined otherwise. */
export function unrecognisedEnvelope(record: IncomingRecord): EventEnvelope | undefined {
  if (!record.value) return undefined;
  try {
    const envelope = parseEnvelope(JSON.parse(record.value.toString('utf8')));
    return EVENT_CATALOG.has(catalogKey(envelope.type, envelope.version)) ? undefined : envelope;
  } catch {
    return undefined; // not an envelope: the inbox dead-letters it
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
