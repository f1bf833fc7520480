import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { Clock, PlatformModule } from '@cnfs/service-kit';
import { AmendmentsController } from './amendments/amendments.controller';
import { AmendmentsService } from './amendments/amendments.service';
import { CONVENTIONS_CONFIG, ConventionsConfig } from './config';
import { ContractsController } from './contracts/contracts.controller';
import { ContractsService } from './contracts/contracts.service';
import { NaturalEndJob } from './contracts/natural-end.job';
import { ConventionsController } from './conventions/conventions.controller';
import { ConventionsService } from './conventions/conventions.service';
import { LifecycleRequestsConsumer } from './lifecycle/lifecycle-requests.consumer';
import { ENTITIES } from './persistence/entities';
import { MIGRATIONS } from './persistence/migrations';
import { PostsController, PostsService } from './posts/posts.controller';
import { Transactions } from './shared/transactions';
import { StructuresReadModel } from './structures/structures-read-model';

export const API_DESCRIPTION =
  'Conventions between the State and host structures (phase 1 and renewal), amendments, conventioned posts, ' +
  'employment contracts of conseillers numériques, ruptures and natural ends.';

/** The service configuration, global so that providers of the platform module (the event consumers) see it too. */
@Global()
@Module({})
class ConventionsConfigModule {
  static register(config: ConventionsConfig): DynamicModule {
    return { module: ConventionsConfigModule, providers: [{ provide: CONVENTIONS_CONFIG, useValue: config }], exports: [CONVENTIONS_CONFIG] };
  }
}

/**
 * The transactions and the contracts service, global so that the lifecycle saga's consumer (a provider of the platform
 * module) records financed renewals and announced ends with the same code as the REST routes.
 */
@Global()
@Module({ providers: [Transactions, ContractsService], exports: [Transactions, ContractsService] })
class ConventionsContractsModule {}

/**
 * The conventions service. `forRoot(config, clock?)` builds the application module for a configuration and a clock
 * (a ManualClock in tests and the simulation; the system clock otherwise).
 */
export class ConventionsModule {
  static forRoot(config: ConventionsConfig, clock?: Clock): Type<unknown> {
    @Module({
      imports: [
        ConventionsConfigModule.register(config),
        ConventionsContractsModule,
        PlatformModule.forService({ config, entities: ENTITIES, migrations: MIGRATIONS, consumers: [StructuresReadModel, LifecycleRequestsConsumer], clock }),
      ],
      controllers: [ConventionsController, AmendmentsController, PostsController, ContractsController],
      providers: [ConventionsService, AmendmentsService, PostsService, NaturalEndJob],
    })
    class ConventionsAppModule {}
    return ConventionsAppModule;
  }
}
