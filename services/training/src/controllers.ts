import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Principal, Roles } from '@cnfs/auth';
import { CsvColumn, Idempotent, pagesOf, streamCsv } from '@cnfs/service-kit';
import { CertificationsService } from './certifications.service';
import {
  CertificationsQueryDto, CompletionDto, CreateCertificationDto, CreateEnrolmentDto, EnrolmentsQueryDto, LotRegionsDto, NotEnrolledQueryDto,
  PixThresholdDto, ProgressDto, RatesQueryDto, ReferenceQueryDto, TraineesQueryDto,
} from './dto';
import { EnrolmentsService } from './enrolments.service';
import { NotEnrolledRow, QueriesService, RateRow } from './queries.service';
import { ReferenceService } from './reference.service';

const lotParam = new ParseIntPipe({ errorHttpStatusCode: 400 });

@ApiTags('training reference')
@ApiBearerAuth()
@Controller('training')
export class ReferenceController {
  constructor(private readonly reference: ReferenceService) {}

  @Get('reference')
  @ApiOperation({ summary: 'The training reference in effect (pathways, lots and consortia, certifications), or a given version' })
  get(@Query() query: ReferenceQueryDto) {
    return this.reference.reference(query.version);
  }

  @Get('reference/versions')
  @ApiOperation({ summary: 'Every version of the training reference' })
  versions() {
    return this.reference.versions();
  }

  @Get('pathways')
  @ApiOperation({ summary: 'The training pathways in effect' })
  async pathways() {
    const { version, pathways } = await this.reference.reference();
    return { version, items: pathways };
  }

  @Get('lots')
  @ApiOperation({ summary: 'The six lots, their consortia and modality (distance or regional, with the régions recorded)' })
  async lots() {
    const { version, lots } = await this.reference.reference();
    return { version, items: lots };
  }

  @Get('lots/:lot')
  @ApiOperation({ summary: 'One lot, with the history of its régions' })
  lot(@Param('lot', lotParam) lot: number) {
    return this.reference.lot(lot);
  }

  @Put('lots/:lot/regions')
  @Roles('anct')
  @ApiOperation({ summary: 'Records the régions a regional lot serves (ANCT; append-only history)' })
  setRegions(@CurrentPrincipal() principal: Principal, @Param('lot', lotParam) lot: number, @Body() body: LotRegionsDto) {
    return this.reference.setLotRegions(principal, lot, body);
  }

  @Get('certification-types')
  @ApiOperation({ summary: 'The RNCP title, its CCP blocks and the PIX assessment' })
  async certificationTypes() {
    const { version, certificationTypes } = await this.reference.reference();
    return { version, items: certificationTypes };
  }

  @Get('recruiters/:structureId/pix-threshold')
  @Roles('anct', 'structure')
  @ApiOperation({ summary: "A recruiter's PIX threshold (default 70 %)" })
  threshold(@CurrentPrincipal() principal: Principal, @Param('structureId') structureId: string) {
    return this.reference.pixThreshold(principal, structureId);
  }

  @Put('recruiters/:structureId/pix-threshold')
  @Roles('anct', 'structure')
  @ApiOperation({ summary: "Sets a recruiter's PIX threshold (ANCT, or the structure itself)" })
  setThreshold(@CurrentPrincipal() principal: Principal, @Param('structureId') structureId: string, @Body() body: PixThresholdDto) {
    return this.reference.setPixThreshold(principal, structureId, body);
  }
}

@ApiTags('training')
@ApiBearerAuth()
@Controller('training/trainees')
@Roles('anct', 'training_provider', 'prefecture')
export class TraineesController {
  constructor(private readonly queries: QueriesService) {}

  @Get()
  @ApiOperation({ summary: 'Conseillers known from their signed contracts, with their training status' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: TraineesQueryDto) {
    return this.queries.trainees(principal, query);
  }

  @Get(':conseillerId')
  @ApiOperation({ summary: 'One conseiller: contracts, enrolments, certifications' })
  get(@CurrentPrincipal() principal: Principal, @Param('conseillerId') conseillerId: string) {
    return this.queries.trainee(principal, conseillerId);
  }
}

@ApiTags('training')
@ApiBearerAuth()
@Controller('training/enrolments')
@Roles('anct', 'training_provider', 'prefecture')
export class EnrolmentsController {
  constructor(
    private readonly enrolments: EnrolmentsService,
    private readonly queries: QueriesService,
  ) {}

  @Post()
  @Roles('anct', 'training_provider')
  @Idempotent()
  @ApiOperation({ summary: 'Records the positioning and enrols a conseiller in a pathway and a lot, or records a waiver (DEROGATION)' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateEnrolmentDto, @Req() request: Request) {
    return this.enrolments.enrol(principal, body, request);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: EnrolmentsQueryDto) {
    return this.queries.enrolments(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.queries.enrolment(principal, id);
  }

  @Post(':id/progress')
  @HttpCode(200)
  @Roles('anct', 'training_provider')
  @Idempotent()
  @ApiOperation({ summary: 'Reports the hours attended so far' })
  progress(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: ProgressDto) {
    return this.enrolments.progress(principal, id, body);
  }

  @Post(':id/completion')
  @HttpCode(200)
  @Roles('anct', 'training_provider')
  @Idempotent()
  @ApiOperation({ summary: 'Closes an enrolment: COMPLETED (hours attended) or ABANDONED (reason), with its end date' })
  complete(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: CompletionDto, @Req() request: Request) {
    return this.enrolments.close(principal, id, body, request);
  }
}

@ApiTags('certifications')
@ApiBearerAuth()
@Controller('certifications')
@Roles('anct', 'training_provider', 'prefecture')
export class CertificationsController {
  constructor(
    private readonly certifications: CertificationsService,
    private readonly queries: QueriesService,
  ) {}

  @Post()
  @Roles('anct', 'training_provider')
  @Idempotent()
  @ApiOperation({ summary: 'Records a certification: PIX (score 0–100 %, flagged under the recruiter’s threshold), CCP blocks, or the full RNCP title' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateCertificationDto, @Req() request: Request) {
    return this.certifications.record(principal, body, request);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: CertificationsQueryDto) {
    return this.queries.certifications(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.queries.certification(principal, id);
  }
}

const NOT_ENROLLED_COLUMNS: CsvColumn<NotEnrolledRow>[] = [
  { header: 'conseiller_id', value: (r) => r.conseillerId },
  { header: 'nom', value: (r) => r.lastName },
  { header: 'prenom', value: (r) => r.firstName },
  { header: 'contrat_id', value: (r) => r.contractId },
  { header: 'structure_id', value: (r) => r.structureId },
  { header: 'departement', value: (r) => r.departmentCode },
  { header: 'debut_contrat', value: (r) => r.contractStartDate },
  { header: 'fin_contrat', value: (r) => r.contractEndDate },
  { header: 'jours_depuis_debut', value: (r) => r.daysSinceStart },
  { header: 'abandons', value: (r) => r.abandonedEnrolments },
];

const RATE_COLUMNS: CsvColumn<RateRow>[] = [
  { header: 'cle', value: (r) => r.key },
  { header: 'libelle', value: (r) => r.label },
  { header: 'inscriptions', value: (r) => r.enrolments },
  { header: 'en_cours', value: (r) => r.ongoing },
  { header: 'terminees', value: (r) => r.completed },
  { header: 'abandons', value: (r) => r.abandoned },
  { header: 'retraits_rupture', value: (r) => r.withdrawn },
  { header: 'derogations', value: (r) => r.waived },
  { header: 'certifies', value: (r) => r.certified },
  { header: 'pix_evalues', value: (r) => r.pixAssessed },
  { header: 'pix_sous_seuil', value: (r) => r.pixBelowThreshold },
  { header: 'taux_achevement', value: (r) => r.completionRate },
  { header: 'taux_certification', value: (r) => r.certificationRate },
  { header: 'taux_pix_sous_seuil', value: (r) => r.pixBelowThresholdRate },
];

async function* each<T>(rows: T[]): AsyncIterable<T> {
  yield* rows;
}

@ApiTags('training views')
@ApiBearerAuth()
@Controller('training/views')
@Roles('anct', 'training_provider', 'prefecture')
export class ViewsController {
  constructor(private readonly queries: QueriesService) {}

  @Get('not-enrolled')
  @ApiOperation({ summary: 'Conseillers not enrolled N days (default 30) after their contract started — JSON (paged) or CSV (streamed)' })
  async notEnrolled(@CurrentPrincipal() principal: Principal, @Query() query: NotEnrolledQueryDto, @Res() response: Response) {
    if (query.format === 'csv') {
      const { asOf, fetch } = await this.queries.notEnrolledPages(principal, query);
      await streamCsv(response, `conseillers-non-inscrits-${asOf}.csv`, NOT_ENROLLED_COLUMNS, pagesOf(fetch));
      return;
    }
    response.json(await this.queries.notEnrolled(principal, query));
  }

  @Get('rates')
  @ApiOperation({ summary: 'Completion and certification rates per lot or per département — JSON or CSV' })
  async rates(@CurrentPrincipal() principal: Principal, @Query() query: RatesQueryDto, @Res() response: Response) {
    const rates = await this.queries.rates(principal, query.by ?? 'lot');
    if (query.format === 'csv') {
      await streamCsv(response, `taux-formation-par-${rates.by}-${rates.asOf}.csv`, RATE_COLUMNS, each(rates.rows));
      return;
    }
    response.json(rates);
  }
}
