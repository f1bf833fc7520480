import { Module } from '@nestjs/common';
import { loadServiceConfig, PlatformModule } from '@cnfs/service-kit';

export const config = loadServiceConfig('conventions', { port: 3102 });

@Module({
  imports: [PlatformModule.forService({ config, migrations: [] })],
})
export class ConventionsModule {}
