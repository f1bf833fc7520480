import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@cnfs/auth';
import { Clock, CLOCK, DATA_SOURCE, notFound, ProblemException } from '@cnfs/service-kit';
import { findRegion } from '@cnfs/territory';
import { calendarDateAt, checkLotRegions, checkPixThreshold, DEFAULT_PIX_THRESHOLD_PERCENT } from '@cnfs/training-domain';
import { LotRegionsDto, PixThresholdDto } from './dto';
import { listVersions, loadCatalog, loadReference, pixThresholdOf } from './persistence/reference.repository';
import { domain } from './problems';
import { recordedBy } from './scope';

/** Reference data (read by everyone), the régions of regional lots and recruiters' PIX thresholds (configured by ANCT / the recruiter). */
@Injectable()
export class ReferenceService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private today(): string {
    return calendarDateAt(this.clock.now());
  }

  async reference(version?: string) {
    const reference = await loadReference(this.dataSource.manager, this.today(), version);
    if (!reference) throw notFound(`training reference version ${version}`);
    return reference;
  }

  async versions() {
    const rows = await listVersions(this.dataSource.manager);
    const current = (await this.reference()).version;
    return rows.map((r) => ({ version: r.version, effectiveFrom: r.effective_from, source: r.source, notes: r.notes, inEffect: r.version === current }));
  }

  async lot(lot: number) {
    const found = (await this.reference()).lots.find((l) => l.lot === lot);
    if (!found) throw notFound(`lot ${lot}`);
    const history = await this.dataSource.query(
      `SELECT region_codes AS "regionCodes", effective_from AS "effectiveFrom", source, recorded_by AS "recordedBy", recorded_at AS "recordedAt"
         FROM lot_region_assignments WHERE lot = $1 ORDER BY id`,
      [lot],
    );
    return { ...found, regionHistory: history };
  }

  /** Records the régions a regional lot serves (append-only; the latest in effect wins). */
  async setLotRegions(principal: Principal, lot: number, dto: LotRegionsDto) {
    await this.dataSource.transaction(async (manager) => {
      // One assignment at a time, so two lots can never be given the same région concurrently.
      await manager.query(`LOCK TABLE lot_region_assignments IN SHARE ROW EXCLUSIVE MODE`);
      const catalog = await loadCatalog(manager, this.today());
      const programmeRegion = (code: string) => {
        const region = findRegion(code);
        return region !== undefined && (region.zone === 'metro' || region.zone === 'drom');
      };
      domain(() => checkLotRegions(catalog, lot, dto.regionCodes, programmeRegion));
      await manager.query(
        `INSERT INTO lot_region_assignments (lot, region_codes, effective_from, source, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [lot, dto.regionCodes, dto.effectiveFrom, dto.source.trim(), recordedBy(principal), this.clock.now()],
      );
    });
    return this.lot(lot);
  }

  private requireRecruiter(principal: Principal, structureId: string): void {
    if (principal.role === 'structure' && principal.structureId !== structureId) {
      throw new ProblemException(403, 'a structure reads and sets its own PIX threshold only');
    }
  }

  async pixThreshold(principal: Principal, structureId: string) {
    this.requireRecruiter(principal, structureId);
    const found = await pixThresholdOf(this.dataSource.manager, structureId);
    return found
      ? { structureId, thresholdPercent: found.thresholdPercent, isDefault: false, recordedBy: found.recordedBy, recordedAt: found.recordedAt }
      : { structureId, thresholdPercent: DEFAULT_PIX_THRESHOLD_PERCENT, isDefault: true, recordedBy: null, recordedAt: null };
  }

  async setPixThreshold(principal: Principal, structureId: string, dto: PixThresholdDto) {
    this.requireRecruiter(principal, structureId);
    const threshold = domain(() => checkPixThreshold(dto.thresholdPercent));
    await this.dataSource.query(`INSERT INTO pix_thresholds (structure_id, threshold_percent, recorded_by, recorded_at) VALUES ($1, $2, $3, $4)`, [
      structureId, threshold, recordedBy(principal), this.clock.now(),
    ]);
    return this.pixThreshold(principal, structureId);
  }
}
