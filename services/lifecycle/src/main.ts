import 'reflect-metadata';
import { loadServiceConfig, runService } from '@cnfs/service-kit';
import { API_DESCRIPTION, LifecycleModule } from './app.module';

const config = loadServiceConfig('lifecycle', { port: 3105 });

void runService(LifecycleModule.forRoot(config), config, API_DESCRIPTION);
