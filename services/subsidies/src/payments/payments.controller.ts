import { Body, Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Min } from 'class-validator';
import type { Request } from 'express';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { commandContext, Idempotent, PageQueryDto } from '@cnfs/service-kit';
import { SubsidiesCore } from '../core/core';
import { IsAmountCents, IsCalendarDate } from '../core/validation';
import { PaymentsService } from './payments.service';

class PaymentOrderQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() departmentCode?: string;
  @ApiPropertyOptional({ enum: ['ORDERED', 'EXECUTED', 'RECONCILED', 'RETURNED'] }) @IsOptional() @IsIn(['ORDERED', 'EXECUTED', 'RECONCILED', 'RETURNED']) status?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() structureId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() trancheId?: string;
}

class ExecutionDto {
  @ApiProperty({ example: 'BDT-2021-000417', description: 'the bank reference of the transfer' }) @IsString() @Length(1, 64) bankReference: string;
  @ApiProperty({ example: '2021-04-15' }) @IsCalendarDate() executedOn: string;
  @ApiProperty({ description: 'integer cents: the ordered amount' }) @IsAmountCents() @Min(1) amountCents: number;
  @ApiProperty({ example: 'FR7630006000011234567890189' }) @IsString() @Length(15, 42) beneficiaryIban: string;
  @ApiProperty() @IsString() @Length(1, 140) beneficiaryName: string;
}

class ReturnDto {
  @ApiProperty({ example: '2021-04-20' }) @IsCalendarDate() returnedOn: string;
  @ApiProperty({ example: 'AC04 compte clôturé' }) @IsString() @Length(2, 500) reason: string;
}

@ApiTags('payment orders')
@ApiBearerAuth()
@Controller('payment-orders')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly core: SubsidiesCore,
  ) {}

  @Get()
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  list(@CurrentPrincipal() principal: Principal, @Query() query: PaymentOrderQueryDto) {
    return this.payments.list(principal, query);
  }

  @Get(':id')
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.payments.get(principal, id);
  }

  /** The Banque des Territoires paid the order (once). */
  @Post(':id/executions')
  @Roles('bdt')
  @Idempotent()
  execute(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: ExecutionDto, @Req() request: Request) {
    return this.payments.execute(principal, id, body, commandContext(principal, this.core.clock, request, 'exécution du paiement'));
  }

  /** The beneficiary's bank returned the payment: reversed in the ledger, the tranche payable again. */
  @Post(':id/returns')
  @Roles('bdt')
  @Idempotent()
  returnPayment(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: ReturnDto, @Req() request: Request) {
    return this.payments.returnPayment(principal, id, body, commandContext(principal, this.core.clock, request, body.reason));
  }
}
