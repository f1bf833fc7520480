import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Principal, Roles } from '@cnfs/auth';
import { badRequest, Clock, CLOCK, CsvColumn, FieldError, Page, pageWindow, streamCsv } from '@cnfs/service-kit';
import { AuditFilterDto, AuditQueryDto } from './audit.dto';
import { AuditEntryView, AuditFilter, AuditQueries, DepartmentScope } from './audit.queries';
import { AuditVerifier, VerificationReport } from './audit.verifier';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Parses the query's dates; a date-only `to` covers its whole day. */
export function toFilter(query: AuditFilterDto): AuditFilter {
  const errors: FieldError[] = [];
  const instant = (field: 'from' | 'to', value: string | undefined): Date | undefined => {
    if (value === undefined) return undefined;
    const dateOnly = value.length === 10;
    const parsed = new Date(dateOnly ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(parsed.getTime()) || (dateOnly && parsed.toISOString().slice(0, 10) !== value)) {
      errors.push({ field, message: `${field} is not a real date` });
      return undefined;
    }
    if (field === 'to') return new Date(parsed.getTime() + (dateOnly ? DAY_MS : 1));
    return parsed;
  };
  const from = instant('from', query.from);
  const toExclusive = instant('to', query.to);
  if (from && toExclusive && from.getTime() >= toExclusive.getTime()) errors.push({ field: 'to', message: 'to must not be before from' });
  if (errors.length > 0) throw badRequest('the request is invalid', errors);
  return {
    aggregateType: query.aggregateType,
    aggregateId: query.aggregateId,
    actor: query.actor,
    type: query.type,
    departmentCode: query.departmentCode,
    from,
    toExclusive,
  };
}

/** anct sees every entry; a préfecture only entries about its départements (the route refuses every other role). */
function scopeOf(principal: Principal): DepartmentScope {
  return principal.role === 'prefecture' ? principal.departments : undefined;
}

const CSV_COLUMNS: CsvColumn<AuditEntryView>[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'occurredAt', value: (e) => e.occurredAt },
  { header: 'recordedAt', value: (e) => e.recordedAt },
  { header: 'type', value: (e) => e.type },
  { header: 'version', value: (e) => e.version },
  { header: 'aggregateType', value: (e) => e.aggregateType },
  { header: 'aggregateId', value: (e) => e.aggregateId },
  { header: 'actorKind', value: (e) => (e.actor as { kind?: string }).kind },
  { header: 'actor', value: (e) => ((e.actor as { subject?: string; job?: string }).subject ?? (e.actor as { job?: string }).job) },
  { header: 'actorRole', value: (e) => (e.actor as { role?: string }).role },
  { header: 'actorScope', value: (e) => {
    const { departments, lot, structureId } = e.actor as { departments?: string[]; lot?: number; structureId?: string };
    return departments ? departments.join('|') : lot !== undefined ? `lot ${lot}` : structureId;
  } },
  { header: 'reason', value: (e) => e.reason },
  { header: 'departments', value: (e) => e.departments.join('|') },
  { header: 'correlationId', value: (e) => e.correlationId },
  { header: 'causationId', value: (e) => e.causationId },
  { header: 'messageId', value: (e) => e.messageId },
  { header: 'schema', value: (e) => e.schema },
  { header: 'streamTopic', value: (e) => e.stream.topic },
  { header: 'streamPartition', value: (e) => e.stream.partition },
  { header: 'streamOffset', value: (e) => e.stream.offset },
  { header: 'streamSeq', value: (e) => e.stream.seq },
  { header: 'aggregateSeq', value: (e) => e.chain.aggregateSeq },
  { header: 'prevStreamHash', value: (e) => e.chain.prevStreamHash },
  { header: 'prevAggregateHash', value: (e) => e.chain.prevAggregateHash },
  { header: 'hash', value: (e) => e.chain.hash },
  { header: 'payload', value: (e) => JSON.stringify(e.payload) },
];

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly queries: AuditQueries,
    private readonly verifier: AuditVerifier,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles('anct', 'prefecture')
  @ApiOperation({ summary: 'The audit trail: who did what, when and why, in occurrence order (a préfecture sees its départements only)' })
  @ApiOkResponse({ description: 'A page of entries with their chain links' })
  @ApiForbiddenResponse({ description: 'Roles other than anct and prefecture' })
  async list(@Query() query: AuditQueryDto, @CurrentPrincipal() principal: Principal): Promise<Page<AuditEntryView>> {
    return this.queries.list(toFilter(query), scopeOf(principal), pageWindow(query));
  }

  @Get('export')
  @Roles('anct', 'prefecture')
  @ApiOperation({ summary: 'The same entries as a streamed CSV file (same filters and scope, no paging)' })
  @ApiProduces('text/csv')
  async export(@Query() query: AuditFilterDto, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    const filter = toFilter(query);
    const day = this.clock.now().toISOString().slice(0, 10);
    await streamCsv(response, `audit-${day}.csv`, CSV_COLUMNS, this.queries.stream(filter, scopeOf(principal)));
  }

  @Get('verification')
  @Roles('anct')
  @ApiOperation({ summary: 'Recomputes every hash and link of the trail and reports the first broken link' })
  @ApiOkResponse({ description: 'status intact or broken, the first broken link, and the root hash of the trail' })
  async verification(): Promise<VerificationReport> {
    return this.verifier.verify();
  }
}
