import 'reflect-metadata';
import { runService } from '@cnfs/service-kit';
import { config, AuditModule } from './app.module';

void runService(AuditModule, config);
