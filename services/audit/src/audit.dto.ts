import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageQueryDto } from '@cnfs/service-kit';

/** A calendar date, or a date-time with its offset (ISO 8601). */
export const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export class AuditFilterDto {
  @ApiPropertyOptional({ example: 'Structure', description: 'Aggregate type of the events (Structure, Convention, Contract, Commitment, Enrolment…)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  aggregateType?: string;

  @ApiPropertyOptional({ example: 's-1' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  aggregateId?: string;

  @ApiPropertyOptional({ example: 'agent-1', description: "Who acted: a user's subject, or the job's name for system actions" })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  actor?: string;

  @ApiPropertyOptional({ example: 'structures.CoselecDecisionRecorded', description: 'Event type' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  type?: string;

  @ApiPropertyOptional({ example: '59', description: 'Only entries about this département' })
  @IsOptional()
  @Matches(/^(\d{2}|2A|2B|97\d|98\d)$/, { message: 'departmentCode must be a département code such as 59, 2A or 974' })
  departmentCode?: string;

  @ApiPropertyOptional({ example: '2021-03-01', description: 'Occurred at or after: a date (from its start, UTC) or a date-time with offset' })
  @IsOptional()
  @Matches(INSTANT, { message: 'from must be a date (YYYY-MM-DD) or an ISO 8601 date-time with offset' })
  from?: string;

  @ApiPropertyOptional({ example: '2021-03-31', description: 'Occurred at or before: a date (the whole day, UTC) or a date-time with offset' })
  @IsOptional()
  @Matches(INSTANT, { message: 'to must be a date (YYYY-MM-DD) or an ISO 8601 date-time with offset' })
  to?: string;
}

export class AuditQueryDto extends IntersectionType(AuditFilterDto, PageQueryDto) {}
