import { Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID } from 'class-validator';
import type { Request } from 'express';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { commandContext, Idempotent, PageQueryDto } from '@cnfs/service-kit';
import { TRANCHE_STATUSES } from '@cnfs/subsidies-domain';
import { SubsidiesCore } from '../core/core';
import { IsCalendarDate } from '../core/validation';
import { PaymentsService } from '../payments/payments.service';
import { TranchesService } from './tranches.service';

class TrancheQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '971' }) @IsOptional() @IsString() departmentCode?: string;
  @ApiPropertyOptional({ enum: TRANCHE_STATUSES }) @IsOptional() @IsIn([...TRANCHE_STATUSES]) status?: string;
  @ApiPropertyOptional({ example: '2021-12-31' }) @IsOptional() @IsCalendarDate() dueBefore?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() structureId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() commitmentId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() postId?: string;
}

@ApiTags('tranches')
@ApiBearerAuth()
@Controller('tranches')
export class TranchesController {
  constructor(
    private readonly tranches: TranchesService,
    private readonly payments: PaymentsService,
    private readonly core: SubsidiesCore,
  ) {}

  @Get()
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  list(@CurrentPrincipal() principal: Principal, @Query() query: TrancheQueryDto) {
    return this.tranches.list(principal, query);
  }

  @Get(':id')
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.tranches.get(principal, id);
  }

  /** A préfecture orders the payment of a due tranche of its département (once: Idempotency-Key, row lock, unique index). */
  @Post(':id/payment-orders')
  @Roles('prefecture')
  @Idempotent()
  order(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Req() request: Request) {
    return this.payments.order(principal, id, commandContext(principal, this.core.clock, request, 'ordre de paiement'));
  }
}
