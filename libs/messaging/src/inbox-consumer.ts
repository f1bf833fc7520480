import { EventEnvelope, InvalidEnvelopeError, parseEnvelope, validateAgainstCatalog, dlqTopicOf } from '@cnfs/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { DLQ_HEADER } from './headers';
import { MessagingLogger, silentLogger } from './logger';
import { Outbox } from './outbox';
import { BatchContext, IncomingRecord, MessageBus, MessagePublisher, Subscription } from './ports';

export interface HandlerContext {
  /** The transaction in which the inbox row is written: write the effect with it. */
  manager: EntityManager;
  /** To emit follow-up events in the same transaction (their causation is this message). */
  outbox: Outbox;
  record: IncomingRecord;
}

export type EventHandler = (envelope: EventEnvelope, context: HandlerContext) => Promise<void>;

export interface InboxConsumerOptions {
  /** Name of the consumer: its inbox key and its Kafka consumer group. */
  name: string;
  topics: string[];
  /** By event type (`structures.StructureRegistered`) or type and version (`...@v1`). */
  handlers: Record<string, EventHandler>;
  dataSource: DataSource;
  bus: MessageBus;
  /** Where poison messages go (`<topic>.dlq`). */
  dlqPublisher: MessagePublisher;
  outbox?: Outbox;
  /** Attempts of one message before it is dead-lettered. */
  maxAttempts?: number;
  retryDelayMs?: number;
  fromBeginning?: boolean;
  logger?: MessagingLogger;
  /** Fault-injection seam for tests and the soak: runs after the DB commit, before the offset commit. */
  beforeOffsetCommit?: () => Promise<void>;
}

export interface InboxStats {
  processed: number;
  duplicates: number;
  ignored: number;
  deadLettered: number;
}

type Outcome = 'processed' | 'duplicates' | 'ignored';

type Decoded = { record: IncomingRecord; envelope: EventEnvelope; handler?: EventHandler } | { record: IncomingRecord; invalid: InvalidEnvelopeError | Error };

/**
 * The idempotent consumer. For each message: the inbox row `(consumer, message_id)` and the
 * handler's effect are written in one transaction, and the offset is committed after it.
 * A redelivered message (after a crash before the offset commit, or a producer retry) finds its
 * inbox row and has no second effect. A message that keeps failing is sent to `<topic>.dlq`
 * after `maxAttempts`, so it never blocks its partition; an undecodable one goes there at once.
 */
export class InboxConsumer {
  readonly stats: InboxStats = { processed: 0, duplicates: 0, ignored: 0, deadLettered: 0 };
  private subscription?: Subscription;
  private readonly logger: MessagingLogger;
  private readonly outbox: Outbox;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: InboxConsumerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.outbox = options.outbox ?? new Outbox();
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 200;
  }

  async start(): Promise<void> {
    this.subscription = await this.options.bus.subscribe(
      {
        groupId: this.options.name,
        topics: this.options.topics,
        fromBeginning: this.options.fromBeginning ?? true,
        beforeOffsetCommit: this.options.beforeOffsetCommit,
      },
      (records, context) => this.handleBatch(records, context),
    );
  }

  /** Resolves once the consumer joined its group. */
  async ready(): Promise<void> {
    await this.subscription?.ready;
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /** Returns the offset of the last record whose processing is durable. */
  async handleBatch(records: IncomingRecord[], context: BatchContext): Promise<string | null> {
    const decoded = records.map((record) => this.decode(record));
    if (decoded.every((d) => 'envelope' in d)) {
      // Fast path: the whole batch in one transaction. Any failure falls back to one by one,
      // which isolates the failing message and gives it its own retry budget.
      try {
        const tally = await this.options.dataSource.transaction((manager) =>
          this.applyAll(decoded as Extract<Decoded, { envelope: EventEnvelope }>[], manager),
        );
        this.count(tally);
        return records[records.length - 1].offset;
      } catch (error) {
        this.logger.warn('batch failed; processing its messages one by one', { consumer: this.options.name, error: String(error) });
      }
    }
    let lastDone: string | null = null;
    for (const item of decoded) {
      if (!context.isActive()) break;
      await this.processOne(item, context);
      lastDone = item.record.offset;
    }
    return lastDone;
  }

  private async applyAll(items: Extract<Decoded, { envelope: EventEnvelope }>[], manager: EntityManager): Promise<Outcome[]> {
    const fresh = await this.claim(manager, items);
    const outcomes: Outcome[] = [];
    for (const item of items) {
      // delete(): a message twice in the same batch has one effect too.
      outcomes.push(fresh.delete(item.envelope.messageId) ? await this.apply(item, manager) : 'duplicates');
    }
    return outcomes;
  }

  /** Counted only once the transaction committed. */
  private count(outcomes: Outcome[]): void {
    for (const outcome of outcomes) this.stats[outcome] += 1;
  }

  private async processOne(item: Decoded, context: BatchContext): Promise<void> {
    if ('invalid' in item) {
      await this.deadLetter(item.record, 'invalid-message', item.invalid, 0);
      return;
    }
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        this.count(await this.options.dataSource.transaction((manager) => this.applyAll([item], manager)));
        return;
      } catch (error) {
        lastError = error;
        this.logger.warn('message handling failed', {
          consumer: this.options.name,
          attempt,
          maxAttempts: this.maxAttempts,
          messageId: item.envelope.messageId,
          correlationId: item.envelope.correlationId,
          causationId: item.envelope.causationId,
          error: String(error),
        });
        await context.heartbeat();
        if (attempt < this.maxAttempts) await sleep(this.retryDelayMs * 2 ** (attempt - 1));
      }
    }
    // A database outage is not the message's fault: keep it (the offset is not committed) rather
    // than dead-letter every message while the database is down.
    await this.options.dataSource.query('SELECT 1');
    await this.deadLetter(item.record, 'retries-exhausted', lastError, this.maxAttempts, item.envelope);
  }

  /** Writes the inbox rows; returns the message ids seen for the first time. */
  private async claim(manager: EntityManager, items: { envelope: EventEnvelope; record: IncomingRecord }[]): Promise<Set<string>> {
    const params: unknown[] = [this.options.name];
    const values = items.map(({ envelope, record }) => {
      params.push(envelope.messageId, envelope.type, record.topic, record.partition, record.offset);
      const n = params.length;
      return `($1, $${n - 4}::uuid, $${n - 3}, $${n - 2}, $${n - 1}::int, $${n}::bigint)`;
    });
    const rows: { message_id: string }[] = await manager.query(
      `INSERT INTO inbox (consumer, message_id, event_type, topic, partition, kafka_offset) VALUES ${values.join(', ')}
       ON CONFLICT (consumer, message_id) DO NOTHING RETURNING message_id`,
      params,
    );
    return new Set(rows.map((r) => r.message_id));
  }

  private async apply(item: { envelope: EventEnvelope; record: IncomingRecord; handler?: EventHandler }, manager: EntityManager): Promise<Outcome> {
    if (!item.handler) return 'ignored';
    await item.handler(item.envelope, { manager, outbox: this.outbox, record: item.record });
    return 'processed';
  }

  private decode(record: IncomingRecord): Decoded {
    try {
      if (!record.value) throw new InvalidEnvelopeError('empty message', []);
      const envelope = validateAgainstCatalog(parseEnvelope(JSON.parse(record.value.toString('utf8'))));
      const handler = this.options.handlers[`${envelope.type}@v${envelope.version}`] ?? this.options.handlers[envelope.type];
      return { record, envelope, handler };
    } catch (error) {
      return { record, invalid: error as Error };
    }
  }

  private async deadLetter(record: IncomingRecord, reason: string, error: unknown, attempts: number, envelope?: EventEnvelope): Promise<void> {
    const detail =
      error instanceof InvalidEnvelopeError ? `${error.message}: ${JSON.stringify(error.issues)}` : String(error);
    await this.options.dlqPublisher.publish([
      {
        topic: dlqTopicOf(record.topic),
        key: record.key ?? '',
        value: record.value ? record.value.toString('utf8') : '',
        headers: {
          ...record.headers,
          [DLQ_HEADER.reason]: reason,
          [DLQ_HEADER.error]: detail.slice(0, 2000),
          [DLQ_HEADER.consumer]: this.options.name,
          [DLQ_HEADER.attempts]: String(attempts),
          [DLQ_HEADER.originalTopic]: record.topic,
          [DLQ_HEADER.originalPartition]: String(record.partition),
          [DLQ_HEADER.originalOffset]: record.offset,
        },
      },
    ]);
    this.stats.deadLettered += 1;
    this.logger.error('message dead-lettered', {
      consumer: this.options.name,
      reason,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      messageId: envelope?.messageId,
      correlationId: envelope?.correlationId,
      causationId: envelope?.causationId,
      error: detail.slice(0, 500),
    });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
