import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString } from 'class-validator';
import type { Request } from 'express';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { commandContext, Idempotent, PageQueryDto } from '@cnfs/service-kit';
import { SubsidiesCore } from '../core/core';
import { IsCalendarDate } from '../core/validation';
import { CommitmentsService } from './commitments.service';

class CommitmentQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() structureId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() departmentCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() conventionId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() postId?: string;
  @ApiPropertyOptional({ enum: [1, 2] }) @IsOptional() @Type(() => Number) @IsIn([1, 2]) phase?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() budgetEnvelopeId?: string;
}

class RefusalQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() departmentCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() structureId?: string;
}

class FinalReportDto {
  @ApiProperty({ example: '2023-04-15', description: 'date the end-of-service report was received' }) @IsCalendarDate() receivedOn: string;
}

@ApiTags('commitments')
@ApiBearerAuth()
@Controller('commitments')
export class CommitmentsController {
  constructor(
    private readonly commitments: CommitmentsService,
    private readonly core: SubsidiesCore,
  ) {}

  @Get()
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  list(@CurrentPrincipal() principal: Principal, @Query() query: CommitmentQueryDto) {
    return this.commitments.list(principal, query);
  }

  /** Posts whose subsidy could not be committed, and why (missing rule, no envelope, envelope exhausted). */
  @Get('refusals')
  @Roles('anct', 'prefecture', 'structure')
  refusals(@CurrentPrincipal() principal: Principal, @Query() query: RefusalQueryDto) {
    return this.commitments.refusals(principal, query);
  }

  @Get(':id')
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.commitments.get(principal, id);
  }

  /** The end-of-service report arrived: the final tranche becomes due. */
  @Post(':id/final-report')
  @Roles('anct')
  @Idempotent()
  @HttpCode(200)
  finalReport(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: FinalReportDto, @Req() request: Request) {
    return this.commitments.recordFinalReport(principal, id, body.receivedOn, commandContext(principal, this.core.clock, request, 'bilan de fin de service'));
  }
}
