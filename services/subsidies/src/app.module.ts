import { DynamicModule, Global, Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { text } from 'express';
import { Outbox } from '@cnfs/messaging';
import { CLOCK, Clock, DATA_SOURCE, OUTBOX, PlatformModule } from '@cnfs/service-kit';
import { DataSource } from 'typeorm';
import { CommitmentsController } from './commitments/commitments.controller';
import { CommitmentsService } from './commitments/commitments.service';
import { SUBSIDIES_SETTINGS, SubsidiesConfig, SubsidiesSettings } from './config';
import { SUBSIDIES_CONSUMERS } from './consumers/consumers';
import { SubsidiesCore } from './core/core';
import { EnvelopesController } from './envelopes/envelopes.controller';
import { EnvelopesService } from './envelopes/envelopes.service';
import { SubsidyJobs } from './jobs/subsidy-jobs';
import { LedgerController } from './ledger/ledger.controller';
import { LedgerService } from './ledger/ledger.service';
import { SUBSIDIES_MIGRATIONS } from './migrations';
import { PaymentsController } from './payments/payments.controller';
import { PaymentsService } from './payments/payments.service';
import { PostsService } from './posts/posts.service';
import { ProgrammeCostsController } from './programme-costs/programme-costs.controller';
import { ProgrammeCostsService } from './programme-costs/programme-costs.service';
import { ReconciliationController, STATEMENT_CONTENT_TYPES } from './reconciliation/reconciliation.controller';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { RulesController } from './rules/rules.controller';
import { RulesService } from './rules/rules.service';
import { TranchesController } from './tranches/tranches.controller';
import { TranchesService } from './tranches/tranches.service';

const SERVICES = [
  RulesService, EnvelopesService, PostsService, CommitmentsService, TranchesService, PaymentsService, LedgerService, ReconciliationService,
  ProgrammeCostsService, SubsidyJobs,
];

/**
 * The service's settings, core and application services, global so that the event consumers
 * (providers of the platform module) can use them too.
 */
@Global()
@Module({})
class SubsidiesServicesModule {
  static register(config: SubsidiesConfig): DynamicModule {
    return {
      module: SubsidiesServicesModule,
      providers: [
        { provide: SUBSIDIES_SETTINGS, useValue: config.subsidies },
        {
          provide: SubsidiesCore,
          inject: [DATA_SOURCE, OUTBOX, CLOCK, SUBSIDIES_SETTINGS],
          useFactory: (dataSource: DataSource, outbox: Outbox, clock: Clock, settings: SubsidiesSettings) => new SubsidiesCore(dataSource, outbox, clock, settings),
        },
        ...SERVICES,
      ],
      exports: [SUBSIDIES_SETTINGS, SubsidiesCore, ...SERVICES],
    };
  }
}

/**
 * The subsidies service: subsidy rules, budget envelopes, commitments, tranche schedules,
 * préfecture payment orders, the double-entry ledger, bank reconciliation, programme costs.
 * `SubsidiesModule.forRoot(config, clock)` builds it with its own settings and clock (tests pass a
 * ManualClock and a schema of their own).
 */
@Module({})
export class SubsidiesModule implements NestModule {
  constructor(@Inject(SUBSIDIES_SETTINGS) private readonly settings: SubsidiesSettings) {}

  static forRoot(config: SubsidiesConfig, clock?: Clock): DynamicModule {
    return {
      module: SubsidiesModule,
      imports: [
        SubsidiesServicesModule.register(config),
        PlatformModule.forService({ config, migrations: SUBSIDIES_MIGRATIONS, consumers: SUBSIDIES_CONSUMERS, clock }),
      ],
      controllers: [
        RulesController, EnvelopesController, CommitmentsController, TranchesController, PaymentsController, LedgerController, ReconciliationController,
        ProgrammeCostsController,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Bank statements arrive as text (CSV or XML); JSON stays with the platform's parser.
    consumer
      .apply(text({ type: STATEMENT_CONTENT_TYPES, limit: this.settings.maxStatementBytes }))
      .forRoutes({ path: 'reconciliations', method: RequestMethod.POST });
  }
}
