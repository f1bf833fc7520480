import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DEADLINE_KINDS, DeadlineKind } from '@cnfs/lifecycle-domain';
import { DueDeadline } from '@cnfs/messaging';
import { Clock, CLOCK, DATA_SOURCE, jobContext, JsonLogger, ManualClock, Metrics, SERVICE_CONFIG, ServiceConfig } from '@cnfs/service-kit';
import { Histogram } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { LIFECYCLE_SETTINGS, LifecycleSettings } from '../config';
import { SagaEngine } from '../saga/saga-engine';
import { BatchDeadlinePoller } from './batch-deadline-poller';

export const DEADLINE_JOB = 'lifecycle-deadline-poller';

/** Turns the sagas' fired deadlines into `DeadlineFired` messages, a batch per transaction. */
export function sagaDeadlineHandler(engine: SagaEngine, clock: Clock) {
  return async (deadlines: DueDeadline[], manager: EntityManager): Promise<void> => {
    const now = clock.now();
    const context = jobContext(clock, DEADLINE_JOB);
    const inputs = deadlines
      .filter((d) => (DEADLINE_KINDS as readonly string[]).includes(d.kind))
      .map((d) => ({ contractId: d.owner, message: { kind: 'DeadlineFired' as const, at: now, deadline: d.kind as DeadlineKind }, context }));
    await engine.apply(manager, inputs, now);
  };
}

/**
 * Runs the deadline poller with the application: started after bootstrap, woken when a manual
 * clock moves (simulation, tests), stopped before the database pool closes. With
 * LIFECYCLE_DEADLINE_POLL_MS=0 it does not poll by itself: tests call `fireDue()`.
 */
@Injectable()
export class DeadlineRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly poller: BatchDeadlinePoller;
  private unsubscribe?: () => void;
  private readonly lag: Histogram;

  constructor(
    @Inject(DATA_SOURCE) dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LIFECYCLE_SETTINGS) private readonly settings: LifecycleSettings,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    engine: SagaEngine,
    metrics: Metrics,
  ) {
    const existing = metrics.registry.getSingleMetric('lifecycle_deadline_lag_seconds') as Histogram | undefined;
    this.lag =
      existing ??
      new Histogram({
        name: 'lifecycle_deadline_lag_seconds',
        help: 'Time between a deadline falling due and its firing being committed (service clock)',
        labelNames: ['kind'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 300, 3600],
        registers: [metrics.registry],
      });
    this.poller = new BatchDeadlinePoller(dataSource, () => clock.now(), sagaDeadlineHandler(engine, clock), {
      pollIntervalMs: settings.deadlinePollMs || 250,
      batchSize: settings.deadlineBatchSize,
      workers: settings.deadlineWorkers,
      logger: new JsonLogger(config.name).asMessagingLogger('deadline-poller'),
      onFired: (fired, at) => {
        for (const d of fired) this.lag.observe({ kind: d.kind }, Math.max(0, (at.getTime() - d.dueAt.getTime()) / 1000));
      },
    });
  }

  onApplicationBootstrap(): void {
    if (this.settings.deadlinePollMs <= 0) return;
    this.poller.start();
    if (this.clock instanceof ManualClock) this.unsubscribe = this.clock.onChange(() => this.poller.poke());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.poller.stop();
  }

  /** Fires what is due now (tests, and the simulation's "run the deadlines" step). */
  fireDue(): Promise<number> {
    return this.poller.fireDue();
  }
}
