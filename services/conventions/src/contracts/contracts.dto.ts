import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONTRACT_STATUSES, CONTRACT_TYPES, RUPTURE_REASONS } from '@cnfs/conventions-domain';
import { PageQueryDto } from '@cnfs/service-kit';
import { Type } from 'class-transformer';
import { IsDefined, IsEmail, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsCalendarDate } from '../shared/validators';

/** An upper bound that catches euros typed as cents ×100, far above any conseiller's salary. */
const MAX_MONTHLY_SALARY_CENTS = 10_000_000;

export class ConseillerDto {
  @ApiProperty({ example: 'Awa' }) @IsString() @Length(1, 100) firstName: string;
  @ApiProperty({ example: 'Diallo' }) @IsString() @Length(1, 100) lastName: string;
  @ApiProperty({ example: 'awa.diallo@example.org' }) @IsEmail() @MaxLength(254) email: string;
  @ApiProperty({ example: '1994-05-12' }) @IsCalendarDate() birthDate: string;
}

export class ContractTermsDto {
  @ApiProperty({ enum: CONTRACT_TYPES })
  @IsIn(CONTRACT_TYPES)
  type: (typeof CONTRACT_TYPES)[number];

  @ApiProperty({ example: '2021-04-01' })
  @IsCalendarDate()
  startDate: string;

  @ApiPropertyOptional({ example: '2022-09-30', nullable: true, description: 'required except for a CDI (which has none), after the start' })
  @IsOptional()
  @IsCalendarDate()
  endDate?: string | null;

  @ApiProperty({ example: 180_180, description: 'gross monthly salary in integer euro cents, at least the minimum wage in force at the start' })
  @IsInt()
  @Min(1)
  @Max(MAX_MONTHLY_SALARY_CENTS)
  grossMonthlySalaryCents: number;
}

export class CreateContractDto extends ContractTermsDto {
  @ApiProperty() @IsString() @Length(1, 100) structureId: string;

  @ApiPropertyOptional({ description: 'the convention whose vacant post the contract takes; default: any validated convention of the structure covering the start date' })
  @IsOptional()
  @IsUUID()
  conventionId?: string;

  @ApiProperty({ type: ConseillerDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ConseillerDto)
  conseiller: ConseillerDto;
}

export class RuptureDto {
  @ApiProperty({ enum: RUPTURE_REASONS }) @IsIn(RUPTURE_REASONS) reason: (typeof RUPTURE_REASONS)[number];
  @ApiProperty({ example: '2021-11-15', description: 'not in the future, not before the contract start, not after its end' }) @IsCalendarDate() date: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) comment?: string;
}

export class RenewalDto extends ContractTermsDto {
  @ApiPropertyOptional({ description: 'move to a vacant post of another validated convention of the structure (e.g. its renewal convention); default: the same post' })
  @IsOptional()
  @IsUUID()
  conventionId?: string;
}

export class ContractQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) structureId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() conventionId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() postId?: string;
  @ApiPropertyOptional({ enum: CONTRACT_STATUSES }) @IsOptional() @IsIn(CONTRACT_STATUSES) status?: string;
  @ApiPropertyOptional({ enum: CONTRACT_TYPES }) @IsOptional() @IsIn(CONTRACT_TYPES) type?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^(\d{2}|2A|2B|97\d|98\d)$/) departmentCode?: string;
  @ApiPropertyOptional({ description: 'contracts ending on or before this date' }) @IsOptional() @IsCalendarDate() endsBefore?: string;
}

export class NaturalEndRunDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100_000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100_000) limit?: number;
}
