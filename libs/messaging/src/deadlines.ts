import { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { MessagingLogger, silentLogger } from './logger';

/**
 * Durable deadlines: rows with a due date, fired by a poller, never in-memory timers, so they
 * survive restarts and redeployments. A deadline is cancelled by its token when it no longer
 * applies (the saga was ruptured, the renewal was financed…). Time comes from an injected clock:
 * tests and the simulation move it, nothing waits for the wall clock.
 */
export class Deadlines1764000000002 implements MigrationInterface {
  name = 'Deadlines1764000000002';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE deadlines (
        id bigserial PRIMARY KEY,
        token text NOT NULL UNIQUE,
        owner text NOT NULL,
        kind text NOT NULL,
        due_at timestamptz NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        scheduled_at timestamptz NOT NULL,
        fired_at timestamptz,
        cancelled_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX deadlines_pending ON deadlines (due_at, id) WHERE fired_at IS NULL AND cancelled_at IS NULL`);
    await queryRunner.query(`CREATE INDEX deadlines_owner ON deadlines (owner)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE deadlines`);
  }
}

export interface DeadlineRequest {
  /** Unique, deterministic (e.g. `<contractId>:reminder-6m`): scheduling twice is a no-op. */
  token: string;
  /** What the deadline belongs to (a saga id), to list or cancel them together. */
  owner: string;
  kind: string;
  dueAt: Date;
  payload?: Record<string, unknown>;
}

export interface DueDeadline {
  token: string;
  owner: string;
  kind: string;
  dueAt: Date;
  payload: Record<string, unknown>;
}

/** Schedules and cancels deadlines inside the caller's transaction (with the state that wants them). */
export class DeadlineStore {
  async schedule(manager: EntityManager, now: Date, ...requests: DeadlineRequest[]): Promise<void> {
    for (const r of requests) {
      await manager.query(
        `INSERT INTO deadlines (token, owner, kind, due_at, payload, scheduled_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)
         ON CONFLICT (token) DO NOTHING`,
        [r.token, r.owner, r.kind, r.dueAt.toISOString(), JSON.stringify(r.payload ?? {}), now.toISOString()],
      );
    }
  }

  /** Cancels the given tokens if they have not fired yet; returns how many were cancelled. */
  async cancel(manager: EntityManager, now: Date, ...tokens: string[]): Promise<number> {
    if (tokens.length === 0) return 0;
    const result = await manager.query(
      `UPDATE deadlines SET cancelled_at = $2 WHERE token = ANY($1::text[]) AND fired_at IS NULL AND cancelled_at IS NULL RETURNING token`,
      [tokens, now.toISOString()],
    );
    return returnedRows(result).length;
  }

  async cancelAllOf(manager: EntityManager, now: Date, owner: string): Promise<number> {
    const result = await manager.query(
      `UPDATE deadlines SET cancelled_at = $2 WHERE owner = $1 AND fired_at IS NULL AND cancelled_at IS NULL RETURNING token`,
      [owner, now.toISOString()],
    );
    return returnedRows(result).length;
  }

  async pendingOf(manager: EntityManager, owner: string): Promise<DueDeadline[]> {
    const rows = await manager.query(
      `SELECT token, owner, kind, due_at, payload FROM deadlines WHERE owner = $1 AND fired_at IS NULL AND cancelled_at IS NULL ORDER BY due_at, id`,
      [owner],
    );
    return rows.map(toDue);
  }
}

export interface DeadlinePollerOptions {
  /** Wall-clock interval between polls when nothing is due. */
  pollIntervalMs?: number;
  batchSize?: number;
  logger?: MessagingLogger;
}

/**
 * Fires due deadlines: claims them (FOR UPDATE SKIP LOCKED, so replicas share the work), runs the
 * handler in the same transaction and marks them fired — a crash in between fires them again,
 * so handlers must be idempotent (sagas are: a deadline for a state already left is ignored).
 * A handler that throws leaves its deadline due; it is retried at the next poll.
 */
export class DeadlinePoller {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly logger: MessagingLogger;

  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date,
    private readonly handler: (deadline: DueDeadline, manager: EntityManager) => Promise<void>,
    options: DeadlinePollerOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.batchSize = options.batchSize ?? 200;
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

  /** Fires what is due now, one batch; returns how many fired. Tests call it directly. */
  async fireDue(): Promise<number> {
    const now = this.now();
    const claimed: DueDeadline[] = await this.dataSource.transaction(async (manager) => {
      const rows = await manager.query(
        `SELECT id, token, owner, kind, due_at, payload FROM deadlines
          WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1
          ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now.toISOString(), this.batchSize],
      );
      return rows.map(toDue);
    });
    let fired = 0;
    for (const deadline of claimed) {
      try {
        // Each deadline in its own transaction: one failing handler does not hold back the others.
        const done = await this.dataSource.transaction(async (manager) => {
          const [still] = await manager.query(
            `SELECT 1 FROM deadlines WHERE token = $1 AND fired_at IS NULL AND cancelled_at IS NULL FOR UPDATE SKIP LOCKED`,
            [deadline.token],
          );
          if (!still) return false;
          await this.handler(deadline, manager);
          await manager.query(`UPDATE deadlines SET fired_at = $2 WHERE token = $1`, [deadline.token, now.toISOString()]);
          return true;
        });
        if (done) fired += 1;
      } catch (error) {
        this.logger.warn('deadline handler failed; it stays due', { token: deadline.token, kind: deadline.kind, error: String(error) });
      }
    }
    return fired;
  }

  /** Wakes the poller now (e.g. after the clock was moved). */
  poke(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const fired = await this.fireDue();
        if (fired >= this.batchSize) continue;
      } catch (error) {
        this.logger.warn('deadline poll failed', { error: String(error) });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** TypeORM answers UPDATE/DELETE … RETURNING with `[rows, affectedCount]`, SELECT/INSERT with the rows. */
export function returnedRows<T>(result: T[] | [T[], number]): T[] {
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? (result[0] as T[]) : (result as T[]);
}

function toDue(row: { token: string; owner: string; kind: string; due_at: Date | string; payload: Record<string, unknown> }): DueDeadline {
  return { token: row.token, owner: row.owner, kind: row.kind, dueAt: new Date(row.due_at), payload: row.payload };
}
