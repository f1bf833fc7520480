import { Module } from '@nestjs/common';
import { loadServiceConfig, PlatformModule } from '@cnfs/service-kit';

export const config = loadServiceConfig('training', { port: 3104 });

@Module({
  imports: [PlatformModule.forService({ config, migrations: [] })],
})
export class TrainingModule {}
