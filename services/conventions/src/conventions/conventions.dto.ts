import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONVENTION_STATUSES } from '@cnfs/conventions-domain';
import { PageQueryDto } from '@cnfs/service-kit';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsCalendarDate } from '../shared/validators';

export class CreateConventionDto {
  @ApiProperty({ description: 'the structure, known from the structures service with a positive coselec quota' })
  @IsString()
  @Length(1, 100)
  structureId: string;

  @ApiProperty({ enum: [1, 2], description: '1: conventionnement; 2: reconventionnement (renews the validated phase-1 convention)' })
  @IsIn([1, 2])
  phase: 1 | 2;

  @ApiProperty({ example: '2021-03-01' })
  @IsCalendarDate()
  startDate: string;

  @ApiPropertyOptional({ example: '2024-02-29', description: 'at most 36 months after the start (default), not before the end of the financing' })
  @IsOptional()
  @IsCalendarDate()
  endDate?: string;

  @ApiPropertyOptional({ minimum: 1, description: 'conventioned posts; default: the coselec quota of the phase, never more' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  posts?: number;
}

export class ValidateConventionDto {
  @ApiPropertyOptional({ example: '2021-02-20', description: 'signature date; default: today; never in the future' })
  @IsOptional()
  @IsCalendarDate()
  signedAt?: string;
}

export class DeclineConventionDto {
  @ApiProperty({ example: 'La structure ne souhaite pas poursuivre.' })
  @IsString()
  @Length(3, 2000)
  reason: string;
}

export class ConventionQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) structureId?: string;
  @ApiPropertyOptional({ enum: CONVENTION_STATUSES }) @IsOptional() @IsIn(CONVENTION_STATUSES) status?: string;
  @ApiPropertyOptional({ enum: [1, 2] }) @IsOptional() @Type(() => Number) @IsIn([1, 2]) phase?: number;
  @ApiPropertyOptional() @IsOptional() @Matches(/^(\d{2}|2A|2B|97\d|98\d)$/) departmentCode?: string;
}
