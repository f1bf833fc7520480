import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { CsvColumn, Idempotent, pagesOf, streamCsv } from '@cnfs/service-kit';
import type { Request, Response } from 'express';
import { ContractView } from '../shared/views';
import { ContractQueryDto, CreateContractDto, NaturalEndRunDto, RenewalDto, RuptureDto } from './contracts.dto';
import { ContractsService } from './contracts.service';
import { NaturalEndJob } from './natural-end.job';

const CSV_COLUMNS: CsvColumn<ContractView>[] = [
  { header: 'contractId', value: (c) => c.id },
  { header: 'structureId', value: (c) => c.structureId },
  { header: 'conventionId', value: (c) => c.conventionId },
  { header: 'postId', value: (c) => c.postId },
  { header: 'departmentCode', value: (c) => c.departmentCode },
  { header: 'legalStatus', value: (c) => c.legalStatus },
  { header: 'type', value: (c) => c.type },
  { header: 'status', value: (c) => c.status },
  { header: 'startDate', value: (c) => c.startDate },
  { header: 'endDate', value: (c) => c.endDate },
  { header: 'endedOn', value: (c) => c.endedOn },
  { header: 'ruptureReason', value: (c) => c.rupture?.reason },
  { header: 'grossMonthlySalaryCents', value: (c) => c.grossMonthlySalaryCents },
  { header: 'conseillerId', value: (c) => c.conseiller.id },
  { header: 'lastName', value: (c) => c.conseiller.lastName },
  { header: 'firstName', value: (c) => c.conseiller.firstName },
  { header: 'renewsContractId', value: (c) => c.renewsContractId },
];

@ApiTags('contracts')
@ApiBearerAuth()
@Controller('contracts')
export class ContractsController {
  constructor(
    private readonly contracts: ContractsService,
    private readonly naturalEnds: NaturalEndJob,
  ) {}

  @Post()
  @Roles('anct', 'structure')
  @Idempotent()
  @ApiOperation({ summary: 'Record an employment contract on a vacant post of a validated convention' })
  @ApiConflictResponse({ description: 'no vacant post (nothing is written), no validated convention covering the start, conseiller already employed' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateContractDto, @Req() request: Request) {
    return this.contracts.create(principal, body, request);
  }

  @Get()
  @Roles('anct', 'prefecture', 'structure')
  list(@CurrentPrincipal() principal: Principal, @Query() query: ContractQueryDto) {
    return this.contracts.list(principal, query);
  }

  @Get('export')
  @Roles('anct', 'prefecture', 'structure')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The filtered contracts as a streamed CSV' })
  async export(@CurrentPrincipal() principal: Principal, @Query() query: ContractQueryDto, @Res() response: Response): Promise<void> {
    await streamCsv(response, 'contracts.csv', CSV_COLUMNS, pagesOf((limit, offset) => this.contracts.exportPage(principal, query, limit, offset), 500));
  }

  @Post('natural-end-runs')
  @Roles('anct')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the natural-end job now (it also runs on its own timer): ends every non-CDI contract past its end date' })
  runNaturalEnds(@Query() query: NaturalEndRunDto) {
    return this.naturalEnds.runOnce(query.limit);
  }

  @Get(':id')
  @Roles('anct', 'prefecture', 'structure')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.contracts.get(principal, id);
  }

  @Post(':id/ruptures')
  @Roles('anct', 'structure')
  @Idempotent()
  @ApiOperation({ summary: 'Record a rupture (date not in the future, within the contract): the post becomes vacant' })
  rupture(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: RuptureDto, @Req() request: Request) {
    return this.contracts.rupture(principal, id, body, request);
  }

  @Post(':id/renewals')
  @Roles('anct', 'structure')
  @Idempotent()
  @ApiOperation({ summary: 'Record the renewal of an active fixed-term contract (starting the day after its end)' })
  renew(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: RenewalDto, @Req() request: Request) {
    return this.contracts.renew(principal, id, body, request);
  }

  @Post(':id/natural-end')
  @Roles('anct')
  @HttpCode(200)
  @ApiOperation({ summary: 'End one non-CDI contract past its end date (TERMINE); what the lifecycle saga may drive' })
  endNaturally(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Req() request: Request) {
    return this.contracts.endNaturallyAs(principal, id, request);
  }
}
