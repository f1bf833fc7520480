import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Length, Max, Min, ValidateBy, ValidateIf,
  ValidateNested, ValidationOptions,
} from 'class-validator';
import { PageQueryDto } from '@cnfs/service-kit';
import { CERTIFICATION_KINDS, CertificationKind, ENROLMENT_STATUSES, EnrolmentStatus, isCalendarDate, TRAINEE_STATUSES, TraineeStatus } from '@cnfs/training-domain';

/** A real calendar date 'YYYY-MM-DD'. */
export const IsCalendarDate = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isCalendarDate', validator: { validate: (value) => isCalendarDate(value), defaultMessage: (a) => `${a?.property} must be a calendar date YYYY-MM-DD` } }, options);

const ID_LENGTH = [1, 200] as const;

export class PositioningDto {
  @ApiProperty({ example: '2021-04-20', description: 'date of the positioning (skills assessed at recruitment)' })
  @IsCalendarDate()
  date: string;

  @ApiProperty({ example: 'Bonnes bases techniques, peu d’expérience pédagogique : parcours 280 h', description: 'the positioning result' })
  @IsString()
  @Length(3, 4000)
  result: string;
}

export class DerogationDto {
  @ApiProperty({ description: 'a certification already recorded for the conseiller: the RNCP title or its CCP1 block' })
  @IsUUID()
  certificationId: string;

  @ApiProperty({ description: 'the digital mediation experience the conseiller declares' })
  @IsString()
  @Length(20, 4000)
  mediationExperience: string;

  @ApiProperty({ description: 'why the training is waived' })
  @IsString()
  @Length(20, 4000)
  justification: string;
}

export class CreateEnrolmentDto {
  @ApiPropertyOptional({ description: 'the contract (give it or conseillerId)' })
  @IsOptional()
  @IsString()
  @Length(...ID_LENGTH)
  contractId?: string;

  @ApiPropertyOptional({ description: 'the conseiller (give it or contractId); enrolled under their current contract' })
  @IsOptional()
  @IsString()
  @Length(...ID_LENGTH)
  conseillerId?: string;

  @ApiProperty({ minimum: 1, maximum: 6, description: 'a training provider enrols in its own lot only' })
  @IsInt()
  @Min(1)
  @Max(6)
  lot: number;

  @ApiPropertyOptional({ enum: [105, 280, 350, 420], description: 'the pathway (omit for a waiver)' })
  @IsOptional()
  @IsInt()
  pathwayHours?: number;

  @ApiPropertyOptional({ type: DerogationDto, description: 'a waiver (DEROGATION) instead of a pathway' })
  @IsOptional()
  @ValidateNested()
  @Type(() => DerogationDto)
  derogation?: DerogationDto;

  @ApiProperty({ example: '2021-05-03', description: 'start of the training (or date of the waiver)' })
  @IsCalendarDate()
  startDate: string;

  @ApiProperty({ type: PositioningDto })
  @ValidateNested()
  @Type(() => PositioningDto)
  positioning: PositioningDto;
}

export class ProgressDto {
  @ApiProperty({ minimum: 0, description: 'hours attended so far (up to the pathway’s hours)' })
  @IsInt()
  @Min(0)
  hoursAttended: number;

  @ApiProperty({ example: '2021-06-01' })
  @IsCalendarDate()
  asOf: string;
}

export class CompletionDto {
  @ApiProperty({ enum: ['COMPLETED', 'ABANDONED'] })
  @IsIn(['COMPLETED', 'ABANDONED'])
  outcome: 'COMPLETED' | 'ABANDONED';

  @ApiProperty({ example: '2021-07-02', description: 'not before the start, not after today' })
  @IsCalendarDate()
  endDate: string;

  @ApiPropertyOptional({ minimum: 0, description: 'required for COMPLETED; for ABANDONED defaults to the hours last reported' })
  @ValidateIf((o: CompletionDto) => o.outcome === 'COMPLETED' || o.hoursAttended !== undefined)
  @IsInt()
  @Min(0)
  hoursAttended?: number;

  @ApiPropertyOptional({ description: 'required for ABANDONED' })
  @ValidateIf((o: CompletionDto) => o.outcome === 'ABANDONED' || o.reason !== undefined)
  @IsString()
  @Length(3, 2000)
  reason?: string;
}

export class CreateCertificationDto {
  @ApiPropertyOptional({ description: 'the conseiller (give it or contractId)' })
  @IsOptional()
  @IsString()
  @Length(...ID_LENGTH)
  conseillerId?: string;

  @ApiPropertyOptional({ description: 'a contract of the conseiller (give it or conseillerId)' })
  @IsOptional()
  @IsString()
  @Length(...ID_LENGTH)
  contractId?: string;

  @ApiProperty({ enum: CERTIFICATION_KINDS })
  @IsIn([...CERTIFICATION_KINDS])
  kind: CertificationKind;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: 'PIX only: score in percent, two decimals at most' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(100)
  pixScorePercent?: number;

  @ApiPropertyOptional({ type: [String], example: ['CCP1'], description: 'CCP only: the blocks obtained' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  ccpBlocks?: string[];

  @ApiProperty({ example: '2021-07-10' })
  @IsCalendarDate()
  obtainedAt: string;

  @ApiProperty({ example: 'GIP Pix', description: 'who certified' })
  @IsString()
  @Length(2, 200)
  certifier: string;
}

export class LotRegionsDto {
  @ApiProperty({ type: [String], example: ['32'], description: 'INSEE codes of the régions the lot serves' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  regionCodes: string[];

  @ApiProperty({ example: '2021-04-15' })
  @IsCalendarDate()
  effectiveFrom: string;

  @ApiProperty({ description: 'where the assignment comes from (market notice, decision…)' })
  @IsString()
  @Length(3, 1000)
  source: string;
}

export class PixThresholdDto {
  @ApiProperty({ minimum: 0, maximum: 100, example: 70 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(100)
  thresholdPercent: number;
}

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

export class ReferenceQueryDto {
  @ApiPropertyOptional({ description: 'a reference version; default: the one in effect today' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  version?: string;
}

export class TraineesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TRAINEE_STATUSES })
  @IsOptional()
  @IsIn([...TRAINEE_STATUSES])
  status?: TraineeStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(2, 3)
  departmentCode?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(...ID_LENGTH)
  structureId?: string;
}

export class EnrolmentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 6 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(6)
  lot?: number;

  @ApiPropertyOptional({ enum: ENROLMENT_STATUSES })
  @IsOptional()
  @IsIn([...ENROLMENT_STATUSES])
  status?: EnrolmentStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(2, 3)
  departmentCode?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(...ID_LENGTH)
  conseillerId?: string;
}

export class CertificationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(...ID_LENGTH)
  conseillerId?: string;

  @ApiPropertyOptional({ enum: CERTIFICATION_KINDS })
  @IsOptional()
  @IsIn([...CERTIFICATION_KINDS])
  kind?: CertificationKind;

  @ApiPropertyOptional({ description: 'only PIX scores under (true) or not under (false) the recruiter’s threshold' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  belowThreshold?: boolean;
}

export class ExportFormatDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json', description: 'csv streams every row (no paging)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class NotEnrolledQueryDto extends ExportFormatDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 3650, default: 30, description: 'days since the contract started' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3650)
  days?: number;

  @ApiPropertyOptional({ description: 'the date the view is computed at; default today' })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(2, 3)
  departmentCode?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(...ID_LENGTH)
  structureId?: string;
}

export class RatesQueryDto {
  @ApiPropertyOptional({ enum: ['lot', 'department'], default: 'lot' })
  @IsOptional()
  @IsIn(['lot', 'department'])
  by?: 'lot' | 'department';

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
