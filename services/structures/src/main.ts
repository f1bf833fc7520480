import 'reflect-metadata';
import { runService } from '@cnfs/service-kit';
import { config, StructuresModule } from './app.module';

void runService(StructuresModule, config, 'Host structures, coselec decisions, post quotas and préfet opinions');
