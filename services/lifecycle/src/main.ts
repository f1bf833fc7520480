import 'reflect-metadata';
import { runService } from '@cnfs/service-kit';
import { config, LifecycleModule } from './app.module';

void runService(LifecycleModule, config);
