import { Module } from '@nestjs/common';
import { loadServiceConfig, PlatformModule } from '@cnfs/service-kit';

export const config = loadServiceConfig('subsidies', { port: 3103 });

@Module({
  imports: [PlatformModule.forService({ config, migrations: [] })],
})
export class SubsidiesModule {}
