import { Module } from '@nestjs/common';
import { loadServiceConfig, PlatformModule } from '@cnfs/service-kit';

export const config = loadServiceConfig('audit', { port: 3106 });

@Module({
  imports: [PlatformModule.forService({ config, migrations: [] })],
})
export class AuditModule {}
