import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { CsvColumn, Idempotent, Page, streamCsv } from '@cnfs/service-kit';
import { findDepartment } from '@cnfs/territory';
import { CoselecDecisionDto, PrefectOpinionDto, StatusChangeDto } from './dto/commands.dto';
import { ListStructuresQuery, StructureFiltersQuery } from './dto/list-structures.query';
import { RegisterStructureDto } from './dto/register-structure.dto';
import {
  CoselecHistoryView,
  PrefectOpinionListView,
  PrefectOpinionView,
  RecordedDecisionView,
  RecordedStatusChangeView,
  StatusChangeListView,
  StructurePageView,
  StructureView,
} from './dto/views';
import { StructureRecord } from './structures.repository';
import { StructuresService } from './structures.service';

/** Who may read structures: ANCT and BdT nationally, a préfecture its départements, a structure itself. */
const READERS = ['anct', 'prefecture', 'bdt', 'structure'] as const;

export const CSV_COLUMNS: CsvColumn<StructureRecord>[] = [
  { header: 'id', value: (s) => s.id },
  { header: 'siret', value: (s) => s.siret },
  { header: 'siren', value: (s) => s.siren },
  { header: 'name', value: (s) => s.name },
  { header: 'legalStatus', value: (s) => s.legalStatus },
  { header: 'type', value: (s) => s.type },
  { header: 'departmentCode', value: (s) => s.departmentCode },
  { header: 'departmentName', value: (s) => findDepartment(s.departmentCode)?.name },
  { header: 'postalCode', value: (s) => s.address.postalCode },
  { header: 'city', value: (s) => s.address.city },
  { header: 'qpv', value: (s) => s.qpv },
  { header: 'zrr', value: (s) => s.zrr },
  { header: 'requestedPosts', value: (s) => s.requestedPosts },
  { header: 'status', value: (s) => s.status },
  { header: 'effectivePosts', value: (s) => s.effectiveQuota?.posts },
  { header: 'effectivePhase', value: (s) => s.effectiveQuota?.phase },
  { header: 'duplicateOfId', value: (s) => s.duplicateOfId },
  { header: 'createdAt', value: (s) => s.createdAt.toISOString() },
];

@ApiTags('structures')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'the role may not call this route' })
@Controller('structures')
export class StructuresController {
  constructor(private readonly structures: StructuresService) {}

  @Post()
  @Roles('anct')
  @Idempotent()
  @ApiOperation({ summary: 'Register a host structure (status CREEE)' })
  @ApiCreatedResponse({ type: StructureView })
  @ApiConflictResponse({ description: 'the SIRET is already registered; the problem names the existing structure (existingStructure)' })
  register(@Body() body: RegisterStructureDto, @CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<StructureView> {
    return this.structures.register(body, principal, request);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: 'List structures (filtered, paginated; a préfecture sees its départements only)' })
  @ApiOkResponse({ type: StructurePageView })
  list(@Query() query: ListStructuresQuery, @CurrentPrincipal() principal: Principal): Promise<Page<StructureView>> {
    return this.structures.list(query, principal);
  }

  @Get('export')
  @Roles(...READERS)
  @ApiOperation({ summary: 'CSV export of the filtered list (streamed, same scope as the list)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'text/csv, one line per structure' })
  async export(@Query() query: StructureFiltersQuery, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    try {
      await streamCsv(response, 'structures.csv', CSV_COLUMNS, this.structures.export(query, principal));
    } catch (error) {
      // Once the first line is out the status can't change any more: cut the transfer so the file is visibly incomplete.
      if (response.headersSent) response.destroy(error as Error);
      else throw error;
    }
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'One structure' })
  @ApiOkResponse({ type: StructureView })
  @ApiNotFoundResponse({ description: 'no such structure in the caller’s scope' })
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<StructureView> {
    return this.structures.get(id, principal);
  }

  @Post(':id/coselec-decisions')
  @Roles('anct')
  @Idempotent()
  @ApiOperation({ summary: 'Record a selection-committee decision (append-only); the status and effective quota follow' })
  @ApiCreatedResponse({ type: RecordedDecisionView })
  @ApiConflictResponse({ description: 'the structure is ABANDON, ANNULEE or DOUBLON' })
  @ApiUnprocessableEntityResponse({ description: 'dated before the latest decision, or more posts than requested' })
  recordDecision(
    @Param('id') id: string,
    @Body() body: CoselecDecisionDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ): Promise<RecordedDecisionView> {
    return this.structures.recordDecision(id, body, principal, request);
  }

  @Get(':id/coselec-decisions')
  @Roles(...READERS)
  @ApiOperation({ summary: 'The committee decision history and the effective quota' })
  @ApiOkResponse({ type: CoselecHistoryView })
  decisions(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<CoselecHistoryView> {
    return this.structures.decisions(id, principal);
  }

  @Post(':id/prefect-opinions')
  @Roles('prefecture')
  @Idempotent()
  @ApiOperation({ summary: 'The préfet’s opinion on the renewal of a structure of their département' })
  @ApiCreatedResponse({ type: PrefectOpinionView })
  @ApiConflictResponse({ description: 'no post granted to renew, or the structure is ABANDON, ANNULEE or DOUBLON' })
  giveOpinion(
    @Param('id') id: string,
    @Body() body: PrefectOpinionDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ): Promise<PrefectOpinionView> {
    return this.structures.giveOpinion(id, body, principal, request);
  }

  @Get(':id/prefect-opinions')
  @Roles('anct', 'prefecture')
  @ApiOperation({ summary: 'The préfet opinions given on a structure, oldest first' })
  @ApiOkResponse({ type: PrefectOpinionListView })
  opinions(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<PrefectOpinionListView> {
    return this.structures.opinions(id, principal);
  }

  @Post(':id/status-changes')
  @Roles('anct')
  @Idempotent()
  @HttpCode(201)
  @ApiOperation({ summary: 'Set ABANDON, ANNULEE or DOUBLON, with a reason' })
  @ApiCreatedResponse({ type: RecordedStatusChangeView })
  @ApiConflictResponse({ description: 'the transition is not allowed from the current status' })
  changeStatus(
    @Param('id') id: string,
    @Body() body: StatusChangeDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ): Promise<RecordedStatusChangeView> {
    return this.structures.changeStatus(id, body, principal, request);
  }

  @Get(':id/status-changes')
  @Roles(...READERS)
  @ApiOperation({ summary: 'The status history, oldest first' })
  @ApiOkResponse({ type: StatusChangeListView })
  statusChanges(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<StatusChangeListView> {
    return this.structures.statusChanges(id, principal);
  }
}
