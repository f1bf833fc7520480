import 'reflect-metadata';
import { loadServiceConfig, runService } from '@cnfs/service-kit';
import { AUDIT_DESCRIPTION, auditApplication } from './app.module';

const config = loadServiceConfig('audit', { port: 3106 });

void runService(auditApplication(config), config, AUDIT_DESCRIPTION);
