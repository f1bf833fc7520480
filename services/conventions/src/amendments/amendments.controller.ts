import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { Idempotent } from '@cnfs/service-kit';
import type { Request } from 'express';
import { AmendmentQueryDto, RefuseAmendmentDto } from './amendments.dto';
import { AmendmentsService } from './amendments.service';

@ApiTags('amendments')
@ApiBearerAuth()
@Controller('amendments')
export class AmendmentsController {
  constructor(private readonly amendments: AmendmentsService) {}

  @Get()
  @Roles('anct', 'prefecture', 'structure', 'bdt')
  list(@CurrentPrincipal() principal: Principal, @Query() query: AmendmentQueryDto) {
    return this.amendments.list(principal, query);
  }

  @Get(':id')
  @Roles('anct', 'prefecture', 'structure', 'bdt')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.amendments.get(principal, id);
  }

  @Post(':id/validation')
  @Roles('anct')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Validate an amendment (VALIDEE): an AJOUT creates its posts, a RETRAIT returns vacant posts (RENDU)' })
  validate(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Req() request: Request) {
    return this.amendments.validate(principal, id, request);
  }

  @Post(':id/refusal')
  @Roles('anct')
  @HttpCode(200)
  @ApiOperation({ summary: 'Refuse an amendment (REFUSEE), with the reason' })
  refuse(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: RefuseAmendmentDto, @Req() request: Request) {
    return this.amendments.refuse(principal, id, body, request);
  }
}
