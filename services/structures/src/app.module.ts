import { Module } from '@nestjs/common';
import { loadServiceConfig, PlatformModule } from '@cnfs/service-kit';

export const config = loadServiceConfig('structures', { port: 3101 });

/** Host structures, applications, selection-committee decisions, post quotas, préfet opinions. */
@Module({
  imports: [PlatformModule.forService({ config, migrations: [] })],
})
export class StructuresModule {}
