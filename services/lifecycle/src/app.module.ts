import { Module } from '@nestjs/common';
import { loadServiceConfig, PlatformModule } from '@cnfs/service-kit';

export const config = loadServiceConfig('lifecycle', { port: 3105 });

@Module({
  imports: [PlatformModule.forService({ config, migrations: [] })],
})
export class LifecycleModule {}
