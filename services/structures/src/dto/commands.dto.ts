import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
import {
  ADMINISTRATIVE_STATUSES,
  AdministrativeStatus,
  COMMENT_MAX,
  COMMENT_MIN,
  COMMITTEE_NUMBER_MAX,
  COSELEC_OPINIONS,
  COSELEC_PHASES,
  CoselecOpinion,
  CoselecPhase,
  PREFECT_OPINIONS,
  PrefectOpinion,
  PROGRAMME_POSTS,
  REASON_MAX,
  REASON_MIN,
} from '@cnfs/structures-domain';
import { IsCalendarDate, MultiLineText, PostsFollowOpinion, SingleLineText, TrimmedLength } from '../validators';

/** `POST /structures/:id/coselec-decisions` (ANCT). */
export class CoselecDecisionDto {
  @ApiProperty({ enum: COSELEC_OPINIONS })
  @IsDefined() @IsIn(COSELEC_OPINIONS)
  opinion: CoselecOpinion;

  @ApiProperty({ minimum: 0, maximum: PROGRAMME_POSTS, example: 2, description: '1 or more for POSITIF (at most the posts requested), 0 otherwise' })
  @IsDefined() @IsInt() @Min(0) @Max(PROGRAMME_POSTS) @PostsFollowOpinion()
  grantedPosts: number;

  @ApiProperty({ example: 'COSELEC 12', maxLength: COMMITTEE_NUMBER_MAX })
  @IsDefined() @IsString() @TrimmedLength(1, COMMITTEE_NUMBER_MAX) @SingleLineText()
  committeeNumber: string;

  @ApiProperty({ example: '2021-02-15', format: 'date', description: 'not in the future, not before the latest recorded decision' })
  @IsDefined() @IsString() @IsCalendarDate()
  decidedAt: string;

  @ApiProperty({ enum: COSELEC_PHASES, description: '1: conventionnement, 2: reconventionnement (renewal)' })
  @IsDefined() @IsIn(COSELEC_PHASES)
  phase: CoselecPhase;
}

/** `POST /structures/:id/prefect-opinions` (préfecture of the structure's département). */
export class PrefectOpinionDto {
  @ApiProperty({ enum: PREFECT_OPINIONS })
  @IsDefined() @IsIn(PREFECT_OPINIONS)
  opinion: PrefectOpinion;

  @ApiProperty({ minLength: COMMENT_MIN, maxLength: COMMENT_MAX, example: 'Structure active, conseillers bien intégrés.' })
  @IsDefined() @IsString() @TrimmedLength(COMMENT_MIN, COMMENT_MAX) @MultiLineText()
  comment: string;
}

/** `POST /structures/:id/status-changes` (ANCT): ABANDON, ANNULEE or DOUBLON. */
export class StatusChangeDto {
  @ApiProperty({ enum: ADMINISTRATIVE_STATUSES })
  @IsDefined() @IsIn(ADMINISTRATIVE_STATUSES)
  status: AdministrativeStatus;

  @ApiProperty({ minLength: REASON_MIN, maxLength: REASON_MAX, example: 'La commune renonce au dispositif (courrier du 12 mai 2021).' })
  @IsDefined() @IsString() @TrimmedLength(REASON_MIN, REASON_MAX) @MultiLineText()
  reason: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'DOUBLON only: the structure that is kept' })
  @IsOptional() @IsUUID()
  duplicateOfId?: string;
}
