import { DynamicModule, Global, Module } from '@nestjs/common';
import { DeadlineStore, Outbox } from '@cnfs/messaging';
import { Clock, OUTBOX, PlatformModule, ServiceConfig } from '@cnfs/service-kit';
import { LifecycleController } from './api/lifecycle.controller';
import { LifecycleService } from './api/lifecycle.service';
import { LIFECYCLE_SETTINGS, LifecycleSettings, lifecycleSettings } from './config';
import { LIFECYCLE_CONSUMERS, SagaReactions } from './consumers/consumers';
import { DeadlineRunner } from './deadlines/deadline-runner';
import { LIFECYCLE_MIGRATIONS } from './persistence/migrations';
import { SagaEngine } from './saga/saga-engine';

export const API_DESCRIPTION =
  'The contract lifecycle saga: every contract followed to its end (a CDI to the end of its financing), reminders at 6, 3 and 1 months, ' +
  "the structure's renewal intent, the préfet's opinion, ANCT's decision, the phase-2 commitment, the renewed contract or the natural end; " +
  'durable deadlines; views and the renewal financing forecast.';

/** Settings, saga engine and reactions, global so that the event consumers (providers of the platform module) get them. */
@Global()
@Module({})
class LifecycleCoreModule {
  static register(settings: LifecycleSettings): DynamicModule {
    return {
      module: LifecycleCoreModule,
      providers: [
        { provide: LIFECYCLE_SETTINGS, useValue: settings },
        { provide: SagaEngine, inject: [OUTBOX], useFactory: (outbox: Outbox) => new SagaEngine(outbox, new DeadlineStore(), settings.timeZone) },
        SagaReactions,
      ],
      exports: [LIFECYCLE_SETTINGS, SagaEngine, SagaReactions],
    };
  }
}

/**
 * The lifecycle service. `LifecycleModule.forRoot(config, clock?, settings?)` builds it for a
 * configuration and a clock (a ManualClock in tests and the simulation); settings default to the
 * environment (see config.ts).
 */
@Module({})
export class LifecycleModule {
  static forRoot(config: ServiceConfig, clock?: Clock, settings: Partial<LifecycleSettings> = {}): DynamicModule {
    return {
      module: LifecycleModule,
      imports: [
        LifecycleCoreModule.register(lifecycleSettings(process.env, settings)),
        PlatformModule.forService({ config, migrations: LIFECYCLE_MIGRATIONS, consumers: LIFECYCLE_CONSUMERS, clock }),
      ],
      controllers: [LifecycleController],
      providers: [LifecycleService, DeadlineRunner],
      exports: [DeadlineRunner],
    };
  }
}
