import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { PageQueryDto } from '@cnfs/service-kit';
import { BalanceDimension, LedgerService } from './ledger.service';

class BalancesQueryDto {
  @ApiProperty({ enum: ['envelope', 'department', 'structure'] }) @IsIn(['envelope', 'department', 'structure']) by: BalanceDimension;
  @ApiPropertyOptional() @IsOptional() @IsString() envelopeId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() departmentCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() structureId?: string;
}

class JournalQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsIn(['FUND', 'COMMIT', 'DECOMMIT', 'ORDER', 'EXECUTE', 'SETTLE', 'VOID', 'UNORDER', 'UNSETTLE', 'PROGRAMME_COST']) kind?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() envelopeId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() departmentCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() structureId?: string;
}

@ApiTags('ledger')
@ApiBearerAuth()
@Controller('ledger')
export class LedgerController {
  constructor(private readonly ledger: LedgerService) {}

  /** Committed / ordered / paid / reconciled per envelope, département or structure. */
  @Get('balances')
  @Roles('anct', 'bdt', 'prefecture', 'structure')
  balances(@CurrentPrincipal() principal: Principal, @Query() query: BalancesQueryDto) {
    return this.ledger.balances(principal, query);
  }

  @Get('journals')
  @Roles('anct', 'bdt', 'prefecture')
  journals(@CurrentPrincipal() principal: Principal, @Query() query: JournalQueryDto) {
    return this.ledger.journals(principal, query);
  }

  @Get('journals/:id')
  @Roles('anct', 'bdt', 'prefecture')
  journal(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.ledger.journal(principal, id);
  }

  /** The books' invariants, checked by query (every journal nets to zero, no over-commitment, …). */
  @Get('checks')
  @Roles('anct', 'bdt')
  checks() {
    return this.ledger.checks();
  }
}
