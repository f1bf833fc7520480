import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { Idempotent } from '@cnfs/service-kit';
import { Cents } from '@cnfs/money';
import { LegalStatus, Phase } from '@cnfs/subsidies-domain';
import { IsAmountCents, IsCalendarDate, QueryBoolean } from '../core/validation';
import { RulesService } from './rules.service';

class RulePeriodDto {
  @ApiProperty({ example: 12 }) @IsInt() @Min(1) @Max(60) months: number;
  @ApiProperty({ example: 1_750_000, description: 'integer cents' }) @IsAmountCents() @Min(0) amountCents: number;
  @ApiPropertyOptional({ example: 250_000, description: 'QPV/ZRR bonus, integer cents' }) @IsOptional() @IsAmountCents() @Min(0) qpvZrrBonusCents?: number;
}

class CreateRuleDto {
  @ApiProperty({ example: 'phase1.public.department-975' }) @IsString() @Length(3, 81) ruleKey: string;
  @ApiProperty({ enum: [1, 2] }) @IsIn([1, 2]) phase: Phase;
  @ApiProperty({ enum: ['PUBLIC', 'PRIVATE'] }) @IsIn(['PUBLIC', 'PRIVATE']) legalStatus: LegalStatus;
  @ApiProperty({ example: 'DEPARTMENT:975', description: 'PROGRAMME, METROPOLE, DROM, DROM:REUNION_MAYOTTE, DROM:ANTILLES_GUYANE or DEPARTMENT:<code>' })
  @IsString()
  @Length(3, 40)
  territory: string;
  @ApiProperty({ example: '2024-01-01' }) @IsCalendarDate() effectiveFrom: string;
  @ApiProperty() @IsString() @Length(3, 300) label: string;
  @ApiProperty({ type: [RulePeriodDto] }) @ValidateNested({ each: true }) @Type(() => RulePeriodDto) @ArrayMinSize(1) @ArrayMaxSize(6) periods: RulePeriodDto[];
  @ApiProperty({ description: 'why (decision, text of reference)' }) @IsString() @Length(3, 2000) reason: string;
}

class RuleListQueryDto {
  @ApiPropertyOptional({ enum: [1, 2] }) @IsOptional() @Type(() => Number) @IsIn([1, 2]) phase?: Phase;
  @ApiPropertyOptional({ enum: ['PUBLIC', 'PRIVATE'] }) @IsOptional() @IsIn(['PUBLIC', 'PRIVATE']) legalStatus?: LegalStatus;
  @ApiPropertyOptional() @IsOptional() @IsString() ruleKey?: string;
  @ApiPropertyOptional({ description: 'only the versions in force on this date' }) @IsOptional() @IsCalendarDate() asOf?: string;
}

class ResolveQueryDto {
  @ApiProperty({ enum: [1, 2] }) @Type(() => Number) @IsIn([1, 2]) phase: Phase;
  @ApiProperty({ enum: ['PUBLIC', 'PRIVATE'] }) @IsIn(['PUBLIC', 'PRIVATE']) legalStatus: LegalStatus;
  @ApiProperty({ example: '974' }) @IsString() @Length(1, 3) departmentCode: string;
  @ApiProperty({ example: '2021-03-01' }) @IsCalendarDate() date: string;
  @ApiPropertyOptional() @IsOptional() @QueryBoolean() @IsBoolean() qpv?: boolean;
  @ApiPropertyOptional() @IsOptional() @QueryBoolean() @IsBoolean() zrr?: boolean;
}

@ApiTags('subsidy rules')
@ApiBearerAuth()
@Controller('subsidy-rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  list(@Query() query: RuleListQueryDto) {
    return this.rules.list(query);
  }

  /** The subsidy of a post for a recruiter, or 422 naming the rule to configure. */
  @Get('resolve')
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  resolve(@Query() query: ResolveQueryDto) {
    return this.rules.resolve({ ...query, qpv: query.qpv ?? false, zrr: query.zrr ?? false });
  }

  @Get(':id')
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  get(@Param('id') id: string) {
    return this.rules.get(id);
  }

  /** A new rule or a new version of a rule (never a change to an existing version). */
  @Post()
  @Roles('anct')
  @Idempotent()
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateRuleDto) {
    return this.rules.create(principal, {
      ...body,
      periods: body.periods.map((p) => ({ months: p.months, amount: Cents.of(p.amountCents), qpvZrrBonus: Cents.of(p.qpvZrrBonusCents ?? 0) })),
    });
  }
}
