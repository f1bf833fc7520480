import 'reflect-metadata';
import { runService } from '@cnfs/service-kit';
import { API_DESCRIPTION, ConventionsModule } from './app.module';
import { loadConventionsConfig } from './config';

const config = loadConventionsConfig();
void runService(ConventionsModule.forRoot(config), config, API_DESCRIPTION);
