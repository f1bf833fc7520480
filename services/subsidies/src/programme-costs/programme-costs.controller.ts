import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { CurrentPrincipal, Roles, type Principal } from '@cnfs/auth';
import { PageQueryDto } from '@cnfs/service-kit';
import { PROGRAMME_COST_KINDS } from '@cnfs/subsidies-domain';
import { ProgrammeCostsService } from './programme-costs.service';

class CostQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PROGRAMME_COST_KINDS }) @IsOptional() @IsIn([...PROGRAMME_COST_KINDS]) kind?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() conseillerId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() structureId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() departmentCode?: string;
}

class CostSummaryQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() structureId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() departmentCode?: string;
}

@ApiTags('programme costs')
@ApiBearerAuth()
@Controller('programme-costs')
export class ProgrammeCostsController {
  constructor(private readonly costs: ProgrammeCostsService) {}

  @Get()
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  list(@CurrentPrincipal() principal: Principal, @Query() query: CostQueryDto) {
    return this.costs.list(principal, query);
  }

  @Get('summary')
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  summary(@CurrentPrincipal() principal: Principal, @Query() query: CostSummaryQueryDto) {
    return this.costs.summary(principal, query);
  }

  @Get('rates')
  @Roles('anct', 'prefecture', 'bdt', 'structure')
  async rates() {
    return (await this.costs.rates()).map((r) => ({ kind: r.kind, version: r.version, effectiveFrom: r.effectiveFrom, amountCents: r.amount.toNumber(), label: r.label }));
  }
}
