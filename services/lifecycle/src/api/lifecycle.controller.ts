import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { Idempotent } from '@cnfs/service-kit';
import { ForecastQueryDto, LifecycleQueryDto, RenewalDecisionDto, RenewalIntentDto } from './dto';
import { LifecycleService } from './lifecycle.service';

@ApiTags('contract lifecycle')
@ApiBearerAuth()
@Controller()
export class LifecycleController {
  constructor(private readonly lifecycle: LifecycleService) {}

  @Get('contracts/:id/lifecycle')
  @Roles('anct', 'prefecture', 'structure')
  @ApiOperation({ summary: "A contract's lifecycle: status, facts, renewal, history, next deadline" })
  view(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.lifecycle.view(principal, id);
  }

  @Get('renewals')
  @Roles('anct', 'prefecture', 'structure')
  @ApiOperation({ summary: 'Contract lifecycles (renewals to come, under way, done), filterable by status, département, structure and end date' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: LifecycleQueryDto) {
    return this.lifecycle.list(principal, query);
  }

  @Get('renewals/forecast')
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  @ApiOperation({ summary: 'Contracts ending per month and the phase-2 financing they would need, per département and envelope' })
  forecast(@CurrentPrincipal() principal: Principal, @Query() query: ForecastQueryDto) {
    return this.lifecycle.forecast(principal, query);
  }

  @Post('renewals/:contractId/intent')
  @HttpCode(200)
  @Roles('anct', 'structure')
  @Idempotent()
  @ApiOperation({ summary: 'The structure renews (with the terms of the renewed contract) or is not interested' })
  intent(@CurrentPrincipal() principal: Principal, @Param('contractId') contractId: string, @Body() body: RenewalIntentDto, @Req() request: Request) {
    return this.lifecycle.declareIntent(principal, contractId, body, request);
  }

  @Post('renewals/:contractId/decision')
  @HttpCode(200)
  @Roles('anct')
  @Idempotent()
  @ApiOperation({ summary: "ANCT's decision on a renewal request (after the préfet's opinion); an approval asks the subsidies service for the phase-2 commitment" })
  decision(@CurrentPrincipal() principal: Principal, @Param('contractId') contractId: string, @Body() body: RenewalDecisionDto, @Req() request: Request) {
    return this.lifecycle.decideRenewal(principal, contractId, body, request);
  }
}
