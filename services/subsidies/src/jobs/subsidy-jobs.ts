import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JsonLogger, jobContext } from '@cnfs/service-kit';
import * as domain from '@cnfs/subsidies-domain';
import { addMonths } from '@cnfs/subsidies-domain';
import { SubsidiesCore } from '../core/core';
import { stateOf, TRANCHE_COLUMNS, TrancheEffects, TrancheRow } from '../tranches/tranche-effects';

const BATCH = 200;

/**
 * Clock-driven work: tranches reaching their due date become DUE (TrancheDue), and the unpaid
 * tranches of posts vacant beyond the delay (default 6 months after the conseiller left) are
 * cancelled (TrancheCancelled). Runs on a timer (SUBSIDIES_JOB_INTERVAL_MS); tests call runOnce()
 * after moving their ManualClock. Rows are claimed with SKIP LOCKED: replicas share the work.
 */
@Injectable()
export class SubsidyJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly tranches: TrancheEffects;
  private readonly logger = new JsonLogger('subsidies');

  constructor(private readonly core: SubsidiesCore) {
    this.tranches = new TrancheEffects(core);
  }

  onApplicationBootstrap(): void {
    const interval = this.core.settings.jobIntervalMs;
    if (interval <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((error) => this.logger.error({ message: 'subsidy jobs failed', error: String(error) }))
        .finally(() => (this.running = undefined));
    }, interval);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async runOnce(): Promise<{ due: number; cancelled: number }> {
    return { due: await this.dueSweep(), cancelled: await this.vacancySweep() };
  }

  private async dueSweep(): Promise<number> {
    const today = this.core.today();
    const context = jobContext(this.core.clock, 'subsidies-due-dates');
    let total = 0;
    for (;;) {
      const count = await this.core.transaction(async (manager) => {
        const rows: TrancheRow[] = await manager.query(
          `SELECT ${TRANCHE_COLUMNS} FROM tranches WHERE status = 'SCHEDULED' AND due_on <= $1 ORDER BY due_on, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
          [today],
        );
        for (const t of rows) {
          const transition = domain.refresh(stateOf(t), t.due_on, today);
          if (!transition.ok || !transition.changed) continue;
          await this.tranches.save(manager, t, { status: transition.state.status as TrancheRow['status'] });
          if (t.status === 'DUE') await this.tranches.announceDue(manager, t, t.trigger === 'FINAL_REPORT' ? 'FINAL_REPORT' : 'SCHEDULE', context);
        }
        return rows.length;
      });
      total += count;
      if (count < BATCH) return total;
    }
  }

  private async vacancySweep(): Promise<number> {
    const today = this.core.today();
    const months = this.core.settings.vacancyCancelAfterMonths;
    const context = jobContext(this.core.clock, 'subsidies-vacancy-delay');
    const candidates: { post_id: string }[] = await this.core.dataSource.query(
      `SELECT p.post_id FROM posts p
        WHERE NOT p.occupied AND p.returned_on IS NULL AND p.vacant_since IS NOT NULL AND p.vacant_since <= $1
          AND EXISTS (SELECT 1 FROM tranches t WHERE t.post_id = p.post_id AND t.status IN ('SCHEDULED', 'DUE', 'SUSPENDED'))
        ORDER BY p.vacant_since, p.post_id`,
      [addMonths(today, -months)],
    );
    let cancelled = 0;
    for (const { post_id: postId } of candidates) {
      cancelled += await this.core.transaction(async (manager) => {
        await this.core.serializeBookWriters(manager);
        const [post] = await manager.query(`SELECT occupied, vacant_since, returned_on FROM posts WHERE post_id = $1 FOR UPDATE SKIP LOCKED`, [postId]);
        // Re-checked under the lock: a conseiller may have arrived meanwhile.
        if (!post || post.occupied || post.returned_on || !post.vacant_since || !(addMonths(post.vacant_since, months) < today)) return 0;
        return this.tranches.cancelUnordered(manager, { postId }, 'VACANT_BEYOND_DELAY', context);
      });
    }
    return cancelled;
  }
}
