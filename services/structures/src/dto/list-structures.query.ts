import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PageQueryDto } from '@cnfs/service-kit';
import { LEGAL_STATUSES, LegalStatus, STRUCTURE_STATUSES, STRUCTURE_TYPES, StructureStatus, StructureType } from '@cnfs/structures-domain';
import { IsDepartmentCode } from '../validators';

const queryBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** Filters of the structure list and its CSV export. */
export class StructureFiltersQuery {
  @ApiPropertyOptional({ example: '59' })
  @IsOptional() @IsString() @IsDepartmentCode()
  departmentCode?: string;

  @ApiPropertyOptional({ enum: STRUCTURE_STATUSES })
  @IsOptional() @IsIn(STRUCTURE_STATUSES)
  status?: StructureStatus;

  @ApiPropertyOptional({ enum: STRUCTURE_TYPES })
  @IsOptional() @IsIn(STRUCTURE_TYPES)
  type?: StructureType;

  @ApiPropertyOptional({ enum: LEGAL_STATUSES })
  @IsOptional() @IsIn(LEGAL_STATUSES)
  legalStatus?: LegalStatus;

  @ApiPropertyOptional({ example: '21590350100017' })
  @IsOptional() @IsString() @Matches(/^\d{14}$/, { message: 'siret must be 14 digits' })
  siret?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional() @Transform(queryBoolean) @IsBoolean({ message: 'qpv must be true or false' })
  qpv?: boolean;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional() @Transform(queryBoolean) @IsBoolean({ message: 'zrr must be true or false' })
  zrr?: boolean;
}

export class ListStructuresQuery extends IntersectionType(PageQueryDto, StructureFiltersQuery) {}
