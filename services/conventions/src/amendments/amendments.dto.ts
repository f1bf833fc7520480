import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AMENDMENT_STATUSES, AMENDMENT_TYPES } from '@cnfs/conventions-domain';
import { PageQueryDto } from '@cnfs/service-kit';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';

export class RequestAmendmentDto {
  @ApiProperty({ enum: AMENDMENT_TYPES })
  @IsIn(AMENDMENT_TYPES)
  type: 'AJOUT' | 'RETRAIT';

  @ApiProperty({ minimum: 1, description: 'posts added (AJOUT) or returned (RETRAIT)' })
  @IsInt()
  @Min(1)
  @Max(1000)
  posts: number;

  @ApiProperty({ example: 'Ouverture d’une seconde France Services' })
  @IsString()
  @Length(3, 2000)
  reason: string;

  @ApiPropertyOptional({ type: [String], description: 'RETRAIT only: the vacant posts to return (as many as `posts`); any vacant posts otherwise' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  postIds?: string[];
}

export class RefuseAmendmentDto {
  @ApiProperty({ example: 'Quota du comité de sélection atteint.' })
  @IsString()
  @Length(3, 2000)
  reason: string;
}

export class AmendmentQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) structureId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() conventionId?: string;
  @ApiPropertyOptional({ enum: AMENDMENT_STATUSES }) @IsOptional() @IsIn(AMENDMENT_STATUSES) status?: string;
  @ApiPropertyOptional({ enum: AMENDMENT_TYPES }) @IsOptional() @IsIn(AMENDMENT_TYPES) type?: string;
}
