import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { runService } from '@cnfs/service-kit';
import { SubsidiesModule } from './app.module';
import { loadSubsidiesConfig } from './config';

const config = loadSubsidiesConfig();

/** The service as deployed: configuration from the environment, the system clock. */
@Module({ imports: [SubsidiesModule.forRoot(config)] })
class SubsidiesAppModule {}

void runService(
  SubsidiesAppModule,
  config,
  'Subsidy rules, budget envelopes, commitments, tranches, préfecture payment orders, double-entry ledger, bank reconciliation, programme costs.',
);
