import { DynamicModule, Module, Type } from '@nestjs/common';
import { Clock, PlatformModule, ServiceConfig } from '@cnfs/service-kit';
import { CertificationsService } from './certifications.service';
import { ContractEventsConsumer } from './contracts.consumer';
import { CertificationsController, EnrolmentsController, ReferenceController, TraineesController, ViewsController } from './controllers';
import { EnrolmentsService } from './enrolments.service';
import { TRAINING_MIGRATIONS } from './migrations';
import { QueriesService } from './queries.service';
import { ReferenceService } from './reference.service';
import { DEFAULT_TRAINING_OPTIONS, TRAINING_OPTIONS, TrainingOptions } from './tokens';

export const SERVICE_DESCRIPTION =
  'Training of the conseillers numériques: reference data (pathways, lots, certifications), positioning and enrolment, progress, ' +
  'completion, certifications, and the views of the programme team, the training consortia and the préfectures.';

/**
 * The training service. `forRoot(config, clock?, options?)` makes it testable with its own configuration,
 * clock and consumer group; `app(...)` wraps it in a root module class for createServiceApp/runService.
 */
@Module({})
export class TrainingModule {
  static forRoot(config: ServiceConfig, clock?: Clock, options: Partial<TrainingOptions> = {}): DynamicModule {
    return {
      module: TrainingModule,
      // Global so that the platform's consumer providers can inject TRAINING_OPTIONS.
      global: true,
      imports: [PlatformModule.forService({ config, migrations: TRAINING_MIGRATIONS, consumers: [ContractEventsConsumer], clock })],
      controllers: [ReferenceController, TraineesController, EnrolmentsController, CertificationsController, ViewsController],
      providers: [
        { provide: TRAINING_OPTIONS, useValue: { ...DEFAULT_TRAINING_OPTIONS, ...options } },
        EnrolmentsService,
        CertificationsService,
        QueriesService,
        ReferenceService,
      ],
      exports: [TRAINING_OPTIONS],
    };
  }

  static app(config: ServiceConfig, clock?: Clock, options: Partial<TrainingOptions> = {}): Type<unknown> {
    @Module({ imports: [TrainingModule.forRoot(config, clock, options)] })
    class TrainingApp {}
    return TrainingApp;
  }
}
