import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock, CLOCK, jobContext, JsonLogger } from '@cnfs/service-kit';
import { CONVENTIONS_CONFIG, ConventionsConfig } from '../config';
import { todayOf } from '../shared/time';
import { ContractsService } from './contracts.service';

export const NATURAL_END_JOB = 'conventions.natural-end';

export interface NaturalEndRun {
  /** Contracts ended (TERMINE) by this run. */
  ended: number;
  /** Contracts due but held by another transaction (a rupture or renewal in progress, another replica): left for the next run. */
  skipped: number;
  failed: number;
  today: string;
}

/**
 * Ends naturally (TERMINE) every non-CDI contract still active after its end date: one transaction per contract
 * (contract, post and events together), contracts held by another transaction skipped, so replicas can run it at the
 * same time. "Today" comes from the injected clock: tests move a ManualClock and call {@link runOnce}.
 */
@Injectable()
export class NaturalEndJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private first?: NodeJS.Timeout;
  private running?: Promise<NaturalEndRun>;
  private readonly logger: JsonLogger;

  constructor(
    private readonly contracts: ContractsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONVENTIONS_CONFIG) private readonly config: ConventionsConfig,
  ) {
    this.logger = new JsonLogger(config.name);
  }

  onApplicationBootstrap(): void {
    if (this.config.naturalEndIntervalMs <= 0) return;
    const tick = () => void this.runOnce().catch((error) => this.logger.error({ message: 'natural-end run failed', error: String(error) }));
    // A first pass soon after start (contracts that ended while the service was down), then on the interval.
    this.first = setTimeout(tick, Math.min(5_000, this.config.naturalEndIntervalMs));
    this.first.unref();
    this.timer = setInterval(tick, this.config.naturalEndIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over every due contract (a pass already running is joined, not doubled). */
  runOnce(limit = Number.MAX_SAFE_INTEGER): Promise<NaturalEndRun> {
    this.running ??= this.pass(limit).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(limit: number): Promise<NaturalEndRun> {
    const run: NaturalEndRun = { ended: 0, skipped: 0, failed: 0, today: todayOf(this.clock, this.config.timeZone) };
    const context = jobContext(this.clock, NATURAL_END_JOB);
    let cursor: { endDate: string; id: string } | undefined;
    while (run.ended < limit) {
      const due = await this.contracts.dueForNaturalEnd(Math.min(this.config.naturalEndBatchSize, limit - run.ended), cursor);
      if (due.length === 0) break;
      for (const contract of due) {
        try {
          if (await this.contracts.endIfDue(contract.id, context, `system:${NATURAL_END_JOB}`)) run.ended += 1;
          else run.skipped += 1;
        } catch (error) {
          run.failed += 1;
          this.logger.error({ message: 'natural end failed', contractId: contract.id, error: String(error) });
        }
      }
      cursor = due[due.length - 1];
    }
    if (run.ended + run.failed > 0) this.logger.log({ message: 'natural ends', ...run });
    return run;
  }
}
