import { DataSource, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import { MessagingLogger, silentLogger } from './logger';
import { OUTBOX_WRITTEN } from './outbox';
import { MessagePublisher, OutgoingRecord } from './ports';

export interface OutboxRelayOptions {
  batchSize?: number;
  /**
   * How often an idle relay looks at the outbox (one cheap statement) for rows its own process did not announce:
   * those of another replica, or of a transaction committed outside TypeORM. Rows written through `Outbox.add` in
   * this process wake it as soon as their transaction commits.
   */
  idleDelayMs?: number;
  /** Published rows older than this are deleted (they were delivered; Kafka keeps the history). */
  retentionDays?: number;
  logger?: MessagingLogger;
}

/**
 * Publishes outbox rows to the broker in insertion order. Idle, it sleeps: a transaction of this process that
 * wrote outbox rows wakes it when it commits (a TypeORM commit subscriber), and every `idleDelayMs` one
 * autocommit statement checks for rows written elsewhere — not a locking transaction every few milliseconds.
 * One relay at a time per schema holds a transaction-scoped advisory lock, and rows are claimed with FOR UPDATE SKIP LOCKED,
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
  /** Rows were announced since the last claim: look again before sleeping. */
  private announced = true;
  private readonly commitWatcher: EntitySubscriberInterface = {
    afterTransactionCommit: (event: TransactionCommitEvent) => {
      const data = event.queryRunner.data as Record<string, unknown>;
      // (a savepoint released is not the end of the transaction)
      if (!data[OUTBOX_WRITTEN] || event.queryRunner.isTransactionActive) return;
      delete data[OUTBOX_WRITTEN];
      this.announce();
    },
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: MessagePublisher,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.idleDelayMs = options.idleDelayMs ?? 250;
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.dataSource.subscribers.push(this.commitWatcher);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    const i = this.dataSource.subscribers.indexOf(this.commitWatcher);
    if (i >= 0) this.dataSource.subscribers.splice(i, 1);
    this.wake?.();
    await this.loop;
  }

  /** Rows were committed: publish them now rather than at the next idle check. */
  announce(): void {
    this.announced = true;
    this.wake?.();
  }

  /** Publishes one batch; returns how many rows were published (0: empty or another relay holds the lock). */
  async publishBatch(): Promise<number> {
    this.announced = false;
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
        if (published < this.batchSize) await this.idle();
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

  /** Until rows are announced, or an idle check finds some. */
  private async idle(): Promise<void> {
    while (this.running && !this.announced) {
      await this.sleep(this.idleDelayMs);
      if (this.announced || !this.running) return;
      const [{ pending }] = await this.dataSource.query(`SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL) AS pending`);
      if (pending) return;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.announced || !this.running) {
        resolve();
        return;
      }
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
