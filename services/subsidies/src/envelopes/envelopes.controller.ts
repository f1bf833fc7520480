import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsOptional, IsString, Length, Matches, Min, ValidateNested } from 'class-validator';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { Idempotent } from '@cnfs/service-kit';
import { Phase } from '@cnfs/subsidies-domain';
import { IsAmountCents, IsCalendarDate } from '../core/validation';
import { EnvelopesService } from './envelopes.service';

class FundingDto {
  @ApiProperty({ example: 'Loi de finances 2023' }) @IsString() @Length(3, 200) label: string;
  @ApiProperty({ example: 4_400_000_000, description: 'integer cents, positive' }) @IsAmountCents() @Min(1) amountCents: number;
}

class CreateEnvelopeDto {
  @ApiProperty({ example: 'renouvellement-2024' }) @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/) id: string;
  @ApiProperty() @IsString() @Length(3, 200) name: string;
  @ApiProperty({ enum: [1, 2] }) @IsIn([1, 2]) phase: Phase;
  @ApiProperty({ example: '2024-01-01' }) @IsCalendarDate() opensOn: string;
  @ApiPropertyOptional() @IsOptional() @IsCalendarDate() closesOn?: string;
  @ApiProperty({ description: 'lower first when several envelopes of a phase are open' }) @IsInt() @Min(0) priority: number;
  @ApiProperty({ type: [FundingDto] }) @ValidateNested({ each: true }) @Type(() => FundingDto) @ArrayMinSize(1) @ArrayMaxSize(20) fundings: FundingDto[];
}

@ApiTags('budget envelopes')
@ApiBearerAuth()
@Controller('budget-envelopes')
export class EnvelopesController {
  constructor(private readonly envelopes: EnvelopesService) {}

  @Get()
  @Roles('anct', 'bdt', 'prefecture')
  list() {
    return this.envelopes.list();
  }

  @Get(':id')
  @Roles('anct', 'bdt', 'prefecture')
  get(@Param('id') id: string) {
    return this.envelopes.get(id);
  }

  @Post()
  @Roles('anct')
  @Idempotent()
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateEnvelopeDto) {
    return this.envelopes.create(principal, body);
  }

  /** More credits for an envelope (a new funding, its FUND journal). */
  @Post(':id/fundings')
  @Roles('anct')
  @Idempotent()
  fund(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: FundingDto) {
    return this.envelopes.addFunding(principal, id, body);
  }
}
