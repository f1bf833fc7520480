import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { badRequest, commandContext, Idempotent, PageQueryDto, ProblemException, streamCsv } from '@cnfs/service-kit';
import { FINDINGS, StatementFormat } from '@cnfs/subsidies-domain';
import { SubsidiesCore } from '../core/core';
import { REPORT_COLUMNS, ReconciliationService } from './reconciliation.service';

class LinesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FINDINGS }) @IsOptional() @IsIn([...FINDINGS]) finding?: string;
}

export const STATEMENT_CONTENT_TYPES = ['text/csv', 'application/xml', 'text/xml'];

function formatOf(request: Request): StatementFormat {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/csv') return 'CSV';
  if (type === 'application/xml' || type === 'text/xml') return 'CAMT053';
  throw new ProblemException(415, 'send the statement as text/csv (CSV format) or application/xml (ISO 20022 camt.053)');
}

@ApiTags('reconciliations')
@ApiBearerAuth()
@Controller('reconciliations')
export class ReconciliationController {
  constructor(
    private readonly reconciliations: ReconciliationService,
    private readonly core: SubsidiesCore,
  ) {}

  /**
   * Uploads a bank statement: `text/csv` (columns statement_id, entry_reference, booking_date,
   * direction, amount, currency, payment_reference, beneficiary_iban, beneficiary_name[, return_reason])
   * or `application/xml` (camt.053.001.02–13). 201 with the report; the same statement again: 200
   * with the first report, nothing changed.
   */
  @Post()
  @Roles('bdt')
  @Idempotent()
  @ApiConsumes(...STATEMENT_CONTENT_TYPES)
  @ApiBody({ schema: { type: 'string' } })
  async upload(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const format = formatOf(request);
    const content = request.body;
    if (typeof content !== 'string' || content.trim() === '') throw badRequest('the statement is empty', [{ field: '(body)', message: 'a statement is required' }]);
    const { created, summary } = await this.reconciliations.reconcile(principal, content, format, commandContext(principal, this.core.clock, request, 'rapprochement bancaire'));
    response.status(created ? 201 : 200);
    return summary;
  }

  @Get()
  @Roles('anct', 'bdt')
  list(@Query() query: PageQueryDto) {
    return this.reconciliations.list(query);
  }

  @Get(':id')
  @Roles('anct', 'bdt')
  async get(@Param('id') id: string) {
    await this.reconciliations.exists(id);
    return this.reconciliations.summary(id);
  }

  @Get(':id/lines')
  @Roles('anct', 'bdt')
  lines(@Param('id') id: string, @Query() query: LinesQueryDto) {
    return this.reconciliations.lines(id, query);
  }

  /** The report as CSV: every line with its finding, then the orders unmatched for too long. */
  @Get(':id/report.csv')
  @Roles('anct', 'bdt')
  async report(@Param('id') id: string, @Res() response: Response): Promise<void> {
    await this.reconciliations.exists(id);
    await streamCsv(response, `reconciliation-${id}.csv`, REPORT_COLUMNS, this.reconciliations.reportRows(id));
  }
}
