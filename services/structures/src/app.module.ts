import { DynamicModule, Module, Type } from '@nestjs/common';
import { Clock, PlatformModule, ServiceConfig } from '@cnfs/service-kit';
import { StructuresSchema1764300000000 } from './migrations/1764300000000-structures-schema';
import { PrefectOpinionOrder1764300000001 } from './migrations/1764300000001-prefect-opinion-order';
import { StructuresController } from './structures.controller';
import { StructuresRepository } from './structures.repository';
import { StructuresService } from './structures.service';

export const STRUCTURES_MIGRATIONS = [StructuresSchema1764300000000, PrefectOpinionOrder1764300000001];

/** Host structures, applications, selection-committee decisions, post quotas, préfet opinions. */
@Module({})
export class StructuresModule {
  /** The module with its own configuration (schema, database, brokers, JWT secret) and clock, so tests build it at will. */
  static forRoot(config: ServiceConfig, clock?: Clock): DynamicModule {
    return {
      module: StructuresModule,
      imports: [PlatformModule.forService({ config, migrations: STRUCTURES_MIGRATIONS, clock })],
      controllers: [StructuresController],
      providers: [StructuresRepository, StructuresService],
    };
  }
}

/**
 * The root module class `createServiceApp`/`runService` take (they accept a class, not a dynamic
 * module): a fresh class per call wrapping {@link StructuresModule.forRoot}.
 */
export function structuresAppModule(config: ServiceConfig, clock?: Clock): Type<unknown> {
  @Module({ imports: [StructuresModule.forRoot(config, clock)] })
  class StructuresAppModule {}
  return StructuresAppModule;
}
