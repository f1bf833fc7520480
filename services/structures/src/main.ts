import 'reflect-metadata';
import { loadServiceConfig, runService } from '@cnfs/service-kit';
import { structuresAppModule } from './app.module';

const config = loadServiceConfig('structures', { port: 3101 });

void runService(structuresAppModule(config), config, 'Host structures, coselec decisions, post quotas and préfet opinions');
