import 'reflect-metadata';
import { runService } from '@cnfs/service-kit';
import { config, TrainingModule } from './app.module';

void runService(TrainingModule, config);
