import { DueDeadline, MessagingLogger, silentLogger } from '@cnfs/messaging';
import { DataSource, EntityManager } from 'typeorm';

export interface BatchDeadlinePollerOptions {
  /** Wall-clock wait between polls when nothing is due (default 250 ms, the messaging library's). */
  pollIntervalMs?: number;
  /** Deadlines claimed and fired per transaction (default 500). */
  batchSize?: number;
  /** Concurrent poll loops; each claims its own batch (SKIP LOCKED), as replicas would (default 1). */
  workers?: number;
  /** How long a deadline whose handler failed alone is left out of batches before it is tried again (default 5 s, doubling). */
  quarantineMs?: number;
  logger?: MessagingLogger;
  /** Called after each commit with the deadlines it fired and the clock's time then (metrics, benchmarks). */
  onFired?: (deadlines: DueDeadline[], firedAt: Date) => void;
}

interface Row {
  id: string;
  token: string;
  owner: string;
  kind: string;
  due_at: Date | string;
  payload: Record<string, unknown>;
}

const toDue = (r: Row): DueDeadline => ({ token: r.token, owner: r.owner, kind: r.kind, dueAt: new Date(r.due_at), payload: r.payload });

/**
 * Fires due deadlines of the messaging library's `deadlines` table (scheduled and cancelled with its
 * DeadlineStore) in batches: one transaction claims up to `batchSize` due rows with
 * `FOR UPDATE SKIP LOCKED` (held until commit, so concurrent loops and replicas share the work
 * without firing anything twice), hands them all to the handler, marks them fired, and commits.
 * The library's DeadlinePoller runs one transaction per deadline; when 10,000 contracts' deadlines
 * come due at once that alone takes seconds (see bench/deadlines), this takes a fraction of it.
 *
 * A batch whose handler fails is rolled back and its deadlines are fired one by one, so one bad
 * deadline does not hold back the others; a deadline that fails alone stays due and is left out of
 * batches for a while (quarantine, doubling), then tried again. Handlers must be idempotent (a
 * crash between handler and commit fires again): sagas are.
 */
export class BatchDeadlinePoller {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly waiters = new Set<() => void>();
  private pokes = 0;
  private readonly quarantine = new Map<string, { until: number; delayMs: number }>();
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly workers: number;
  private readonly quarantineMs: number;
  private readonly logger: MessagingLogger;

  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date,
    private readonly handler: (deadlines: DueDeadline[], manager: EntityManager) => Promise<void>,
    private readonly options: BatchDeadlinePollerOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.batchSize = options.batchSize ?? 500;
    this.workers = options.workers ?? 1;
    this.quarantineMs = options.quarantineMs ?? 5_000;
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.workers }, () => this.run());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Wakes the poll loops now (the clock moved, a deadline was scheduled in the past). */
  poke(): void {
    this.pokes += 1;
    for (const wake of [...this.waiters]) wake();
  }

  /** Fires everything due now, batch after batch; returns how many fired. Tests call it directly. */
  async fireDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const fired = await this.fireBatch();
      total += fired.fired;
      if (!fired.more) return total;
    }
  }

  /** One batch: `more` when it was full (more may be due). */
  async fireBatch(): Promise<{ fired: number; more: boolean }> {
    const now = this.now();
    const excluded = this.quarantined();
    let claimed: Row[] = [];
    try {
      const fired = await this.dataSource.transaction(async (manager) => {
        // Claimed and marked fired by one statement (each row written once); the handler runs in the same
        // transaction, so a failure rolls the marks back with everything else.
        claimed = await manager.query(
          `WITH claimed AS (
             UPDATE deadlines d SET fired_at = $1
               FROM (SELECT id FROM deadlines
                      WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1 AND NOT (token = ANY($3::text[]))
                      ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) c
              WHERE d.id = c.id
             RETURNING d.id, d.token, d.owner, d.kind, d.due_at, d.payload)
           SELECT * FROM claimed ORDER BY due_at, id`,
          [now.toISOString(), this.batchSize, excluded],
        );
        if (claimed.length === 0) return [];
        const due = claimed.map(toDue);
        await this.handler(due, manager);
        return due;
      });
      if (this.quarantine.size > 0) for (const d of fired) this.quarantine.delete(d.token);
      if (fired.length > 0) this.options.onFired?.(fired, this.now());
      return { fired: fired.length, more: claimed.length === this.batchSize };
    } catch (error) {
      if (claimed.length === 0) throw error;
      this.logger.warn('deadline batch failed; firing its deadlines one by one', { size: claimed.length, error: String(error) });
      let fired = 0;
      for (const row of claimed) fired += (await this.fireOne(row, now)) ? 1 : 0;
      return { fired, more: true };
    }
  }

  private async fireOne(row: Row, now: Date): Promise<boolean> {
    try {
      const done = await this.dataSource.transaction(async (manager) => {
        const [still] = await manager.query(`SELECT 1 FROM deadlines WHERE id = $1 AND fired_at IS NULL AND cancelled_at IS NULL FOR UPDATE SKIP LOCKED`, [row.id]);
        if (!still) return false;
        await this.handler([toDue(row)], manager);
        await manager.query(`UPDATE deadlines SET fired_at = $2 WHERE id = $1`, [row.id, now.toISOString()]);
        return true;
      });
      if (done) {
        this.quarantine.delete(row.token);
        this.options.onFired?.([toDue(row)], this.now());
      }
      return done;
    } catch (error) {
      const previous = this.quarantine.get(row.token);
      const delayMs = previous ? Math.min(previous.delayMs * 2, 300_000) : this.quarantineMs;
      this.quarantine.set(row.token, { until: Date.now() + delayMs, delayMs });
      this.logger.warn('deadline handler failed; it stays due', { token: row.token, kind: row.kind, retryInMs: delayMs, error: String(error) });
      return false;
    }
  }

  /** Tokens left out of batches for now (their quarantine has not elapsed). */
  private quarantined(): string[] {
    const wall = Date.now();
    return [...this.quarantine.entries()].filter(([, q]) => q.until > wall).map(([token]) => token);
  }

  private async run(): Promise<void> {
    while (this.running) {
      const pokesBefore = this.pokes;
      try {
        const { more } = await this.fireBatch();
        if (more) continue;
      } catch (error) {
        this.logger.warn('deadline poll failed', { error: String(error) });
      }
      // A poke that came while polling is not lost: poll again at once.
      if (!this.running || this.pokes !== pokesBefore) continue;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, this.pollIntervalMs);
        this.waiters.add(wake);
      });
    }
  }
}
