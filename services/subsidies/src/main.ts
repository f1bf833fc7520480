import 'reflect-metadata';
import { runService } from '@cnfs/service-kit';
import { config, SubsidiesModule } from './app.module';

void runService(SubsidiesModule, config);
