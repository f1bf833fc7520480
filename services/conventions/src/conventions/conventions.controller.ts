import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { Idempotent } from '@cnfs/service-kit';
import type { Request } from 'express';
import { AmendmentQueryDto, RequestAmendmentDto } from '../amendments/amendments.dto';
import { AmendmentsService } from '../amendments/amendments.service';
import { ConventionQueryDto, CreateConventionDto, DeclineConventionDto, ValidateConventionDto } from './conventions.dto';
import { ConventionsService } from './conventions.service';

@ApiTags('conventions')
@ApiBearerAuth()
@Controller('conventions')
export class ConventionsController {
  constructor(
    private readonly conventions: ConventionsService,
    private readonly amendments: AmendmentsService,
  ) {}

  @Post()
  @Roles('anct', 'structure')
  @Idempotent()
  @ApiOperation({ summary: 'Initiate a convention (phase 1) or a renewal (phase 2) for a structure with a positive coselec quota' })
  @ApiConflictResponse({ description: 'no positive coselec quota, quota exceeded, convention of this phase already there, structure closed' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateConventionDto, @Req() request: Request) {
    return this.conventions.create(principal, body, request);
  }

  @Get()
  @Roles('anct', 'prefecture', 'structure', 'bdt')
  @ApiOperation({ summary: 'Conventions in the caller’s scope (a préfecture sees its départements, a structure itself)' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ConventionQueryDto) {
    return this.conventions.list(principal, query);
  }

  @Get(':id')
  @Roles('anct', 'prefecture', 'structure', 'bdt')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.conventions.get(principal, id);
  }

  @Post(':id/validation')
  @Roles('anct')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Validate a convention: CONVENTIONNEMENT_VALIDE / RECONVENTIONNEMENT_VALIDE, its posts created VACANT' })
  validate(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: ValidateConventionDto, @Req() request: Request) {
    return this.conventions.validate(principal, id, body, request);
  }

  @Post(':id/non-interest')
  @Roles('anct', 'structure')
  @HttpCode(200)
  @ApiOperation({ summary: 'The structure is not interested (NON_INTERESSE), with the reason' })
  decline(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: DeclineConventionDto, @Req() request: Request) {
    return this.conventions.decline(principal, id, body, request);
  }

  @Post(':id/amendments')
  @Roles('anct', 'structure')
  @Idempotent()
  @ApiOperation({ summary: 'Request an amendment: AJOUT or RETRAIT of posts (one pending per structure)' })
  requestAmendment(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: RequestAmendmentDto, @Req() request: Request) {
    return this.amendments.request(principal, id, body, request);
  }

  @Get(':id/amendments')
  @Roles('anct', 'prefecture', 'structure', 'bdt')
  listAmendments(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: AmendmentQueryDto) {
    return this.conventions.get(principal, id).then(() => this.amendments.list(principal, { ...query, conventionId: id }));
  }
}
