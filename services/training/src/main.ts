import 'reflect-metadata';
import { loadServiceConfig, runService } from '@cnfs/service-kit';
import { SERVICE_DESCRIPTION, TrainingModule } from './app.module';

const config = loadServiceConfig('training', { port: 3104 });

void runService(TrainingModule.app(config), config, SERVICE_DESCRIPTION);
