import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONTRACT_TYPES } from '@cnfs/contracts';
import { LIFECYCLE_STATUSES } from '@cnfs/lifecycle-domain';
import { PageQueryDto } from '@cnfs/service-kit';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf } from 'class-validator';

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DEPARTMENT = /^(\d{2}|2A|2B|97\d|98\d)$/;

/** A calendar date written YYYY-MM-DD that exists (2023-02-29 is refused). */
const IsCalendarDate = () => (target: object, key: string) => {
  Matches(CALENDAR_DATE, { message: `${key} must be a date written YYYY-MM-DD` })(target, key);
  IsISO8601({ strict: true }, { message: `${key} must be an existing calendar date` })(target, key);
};

export class RenewalIntentDto {
  @ApiProperty({ enum: ['RENEW', 'NOT_INTERESTED'], description: 'renew the contract (with these terms), or not interested' })
  @IsIn(['RENEW', 'NOT_INTERESTED'])
  intent: 'RENEW' | 'NOT_INTERESTED';

  @ApiPropertyOptional({ enum: CONTRACT_TYPES, description: 'RENEW: the form of the renewed contract (a private-law CDD cannot go beyond 18 months in all: another form then)' })
  @ValidateIf((o: RenewalIntentDto) => o.intent === 'RENEW')
  @IsIn(CONTRACT_TYPES)
  contractType?: (typeof CONTRACT_TYPES)[number];

  @ApiPropertyOptional({ example: '2023-01-01', description: 'default: the day after the current contract (or financing) ends' })
  @IsOptional()
  @IsCalendarDate()
  startDate?: string;

  @ApiPropertyOptional({ example: '2023-12-31', nullable: true, description: 'required except for a CDI' })
  @IsOptional()
  @IsCalendarDate()
  endDate?: string | null;

  @ApiPropertyOptional({ example: 185_000, description: 'RENEW of a fixed-term contract: gross monthly salary of the renewed contract, integer cents' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  grossMonthlySalaryCents?: number;

  @ApiPropertyOptional({ description: 'NOT_INTERESTED: why' })
  @ValidateIf((o: RenewalIntentDto) => o.intent === 'NOT_INTERESTED')
  @IsString()
  @Length(3, 1000)
  reason?: string;
}

export class RenewalDecisionDto {
  @ApiProperty() @IsBoolean() approved: boolean;
  @ApiProperty({ example: 'COSELEC 41 — renouvellement prioritaire' }) @IsString() @Length(3, 1000) reason: string;
}

export class LifecycleQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: LIFECYCLE_STATUSES }) @IsOptional() @IsIn(LIFECYCLE_STATUSES) status?: (typeof LIFECYCLE_STATUSES)[number];
  @ApiPropertyOptional() @IsOptional() @Matches(DEPARTMENT) departmentCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) structureId?: string;
  @ApiPropertyOptional({ description: 'contracts (or CDI financings) ending on or before this date' }) @IsOptional() @IsCalendarDate() endsBefore?: string;
}

export class ForecastQueryDto {
  @ApiProperty({ example: '2025-12-31', description: 'last day of the forecast' }) @IsCalendarDate() until: string;
  @ApiPropertyOptional({ description: 'first day (default: today)' }) @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(DEPARTMENT) departmentCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) structureId?: string;
}
