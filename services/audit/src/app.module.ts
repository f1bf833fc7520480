import { DynamicModule, Module, Type } from '@nestjs/common';
import { Clock, PlatformModule, ServiceConfig } from '@cnfs/service-kit';
import { AuditController } from './audit.controller';
import { AuditTrailConsumer } from './audit.consumer';
import { AUDIT_OPTIONS, AuditOptions, resolveAuditOptions } from './audit.options';
import { AuditQueries } from './audit.queries';
import { AuditRecorder } from './audit.recorder';
import { AuditVerifier } from './audit.verifier';
import { AUDIT_MIGRATIONS } from './migrations/1764500000000-audit-entries';

/**
 * The audit service: records every platform event into a hash-linked, append-only trail, and
 * serves it (`GET /api/v1/audit`, `/audit/export`, `/audit/verification`).
 * Its consumer is its own (not PlatformModule's `consumers`): see AuditTrailConsumer.
 */
@Module({})
export class AuditModule {
  static forRoot(config: ServiceConfig, clock?: Clock, options: AuditOptions = {}): DynamicModule {
    return {
      module: AuditModule,
      imports: [PlatformModule.forService({ config, migrations: AUDIT_MIGRATIONS, clock })],
      controllers: [AuditController],
      providers: [
        { provide: AUDIT_OPTIONS, useValue: resolveAuditOptions(options) },
        AuditRecorder,
        AuditTrailConsumer,
        AuditQueries,
        AuditVerifier,
      ],
      exports: [AuditTrailConsumer, AuditQueries, AuditVerifier],
    };
  }
}

/** A root module class for `createServiceApp` / `runService`, which take a class. */
export function auditApplication(config: ServiceConfig, clock?: Clock, options?: AuditOptions): Type<unknown> {
  @Module({ imports: [AuditModule.forRoot(config, clock, options)] })
  class AuditApplication {}
  return AuditApplication;
}

export const AUDIT_DESCRIPTION =
  'Tamper-evident trail of every change of the CNFS platform — who, when, what, why — queryable, exportable and verifiable.';
