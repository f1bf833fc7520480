import 'reflect-metadata';
import { runService } from '@cnfs/service-kit';
import { config, ConventionsModule } from './app.module';

void runService(ConventionsModule, config);
