import { DataSource } from 'typeorm';
import { MessagingLogger, silentLogger } from './logger';
import { MessagePublisher, OutgoingRecord } from './ports';

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Poll interval when the outbox is empty. */
  idleDelayMs?: number;
  /** Published rows older than this are deleted (they were delivered; Kafka keeps the history). */
  retentionDays?: number;
  logger?: MessagingLogger;
}

/**
 * Publishes outbox rows to the broker in insertion order. One relay at a time per schema
 * holds a transaction-scoped advisory lock, and rows are claimed with FOR UPDATE SKIP LOCKED,
 * so several service replicas never publish one aggregate's events out of order.
 * A row is marked published only after the broker acknowledged it: a crash in between
 * publishes it again (at least once); consumers deduplicate by message id.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly batchSize: number;
  private readonly idleDelayMs: number;
  private readonly logger: MessagingLogger;
  private lastCleanup = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: MessagePublisher,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.idleDelayMs = options.idleDelayMs ?? 50;
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Publishes one batch; returns how many rows were published (0: empty or another relay holds the lock). */
  async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query(
        `SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox-relay')) AS locked`,
      );
      if (!locked) return 0;
      const rows: { id: string; topic: string; message_key: string; value: string; headers: Record<string, string> }[] =
        await manager.query(
          `SELECT id, topic, message_key, envelope AS value, headers FROM outbox
            WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [this.batchSize],
        );
      if (rows.length === 0) return 0;
      const records: OutgoingRecord[] = rows.map((r) => ({ topic: r.topic, key: r.message_key, value: r.value, headers: r.headers }));
      await this.publisher.publish(records);
      await manager.query(`UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const published = await this.publishBatch();
        failures = 0;
        await this.cleanupIfDue();
        if (published < this.batchSize) await this.sleep(this.idleDelayMs);
      } catch (error) {
        failures += 1;
        const delay = Math.min(5000, 100 * 2 ** Math.min(failures, 6));
        this.logger.warn('outbox relay could not publish; retrying', { error: String(error), retryInMs: delay });
        await this.sleep(delay);
      }
    }
  }

  private async cleanupIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60_000) return;
    this.lastCleanup = now;
    await this.dataSource.query(`DELETE FROM outbox WHERE published_at < now() - make_interval(days => $1)`, [
      this.options.retentionDays ?? 7,
    ]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
