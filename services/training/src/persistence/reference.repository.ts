import { EntityManager } from 'typeorm';
import { CalendarDate, CertificationType, Lot, ReferenceCatalog } from '@cnfs/training-domain';

export interface ReferenceVersionRow {
  version: string;
  effective_from: string;
  source: string;
  notes: string | null;
}

/** A lot as the API shows it: the catalogue's lot plus its sources and its régions' history. */
export interface LotDetail extends Lot {
  source: string;
  regions: { effectiveFrom: CalendarDate; regionCodes: string[]; source: string; recordedBy: string; recordedAt: string } | null;
}

export interface ReferenceDetail {
  version: string;
  effectiveFrom: CalendarDate;
  source: string;
  notes: string | null;
  pathways: { hours: number; label: string; description: string; source: string }[];
  lots: LotDetail[];
  certificationTypes: (CertificationType & { replaces: string | null; source: string })[];
}

/** The version in effect on `date` (the latest that started by then), else the earliest one. */
export async function versionInEffect(manager: EntityManager, date: CalendarDate): Promise<ReferenceVersionRow> {
  const rows: ReferenceVersionRow[] = await manager.query(
    `(SELECT version, effective_from, source, notes FROM reference_versions WHERE effective_from <= $1 ORDER BY effective_from DESC LIMIT 1)
     UNION ALL
     (SELECT version, effective_from, source, notes FROM reference_versions ORDER BY effective_from ASC LIMIT 1)`,
    [date],
  );
  if (rows.length === 0) throw new Error('no training reference version: the reference migrations did not run');
  return rows[0];
}

export async function listVersions(manager: EntityManager): Promise<ReferenceVersionRow[]> {
  return manager.query(`SELECT version, effective_from, source, notes FROM reference_versions ORDER BY effective_from`);
}

/** The régions recorded for each regional lot, in effect on `date`. */
async function regionAssignments(manager: EntityManager, date: CalendarDate): Promise<Map<number, LotDetail['regions']>> {
  const rows: { lot: number; region_codes: string[]; effective_from: string; source: string; recorded_by: string; recorded_at: Date }[] = await manager.query(
    `SELECT DISTINCT ON (lot) lot, region_codes, effective_from, source, recorded_by, recorded_at
       FROM lot_region_assignments WHERE effective_from <= $1 ORDER BY lot, effective_from DESC, id DESC`,
    [date],
  );
  return new Map(
    rows.map((r) => [r.lot, { effectiveFrom: r.effective_from, regionCodes: r.region_codes, source: r.source, recordedBy: r.recorded_by, recordedAt: r.recorded_at.toISOString() }]),
  );
}

/** The full reference of a version (default: the one in effect on `date`), régions in effect on `date` included. */
export async function loadReference(manager: EntityManager, date: CalendarDate, version?: string): Promise<ReferenceDetail | null> {
  let head: ReferenceVersionRow | undefined;
  if (version === undefined) head = await versionInEffect(manager, date);
  else [head] = await manager.query(`SELECT version, effective_from, source, notes FROM reference_versions WHERE version = $1`, [version]);
  if (!head) return null;
  // One query after another: inside a transaction they share one connection.
  const pathways = await manager.query(`SELECT hours, label, description, source FROM reference_pathways WHERE version = $1 ORDER BY hours`, [head.version]);
  const lots = await manager.query(`SELECT lot, modality, consortium, source FROM reference_lots WHERE version = $1 ORDER BY lot`, [head.version]);
  const types = await manager.query(
    `SELECT code, kind, title, parent_code, block_number, waiver_target, replaces, source FROM reference_certification_types
      WHERE version = $1 ORDER BY CASE kind WHEN 'RNCP' THEN 0 WHEN 'CCP' THEN 1 ELSE 2 END, block_number NULLS FIRST, code`,
    [head.version],
  );
  const regions = await regionAssignments(manager, date);
  return {
    version: head.version,
    effectiveFrom: head.effective_from,
    source: head.source,
    notes: head.notes,
    pathways,
    lots: lots.map((l: { lot: number; modality: Lot['modality']; consortium: string[]; source: string }) => {
      const assigned = l.modality === 'REGIONAL' ? (regions.get(l.lot) ?? null) : null;
      return { lot: l.lot, modality: l.modality, consortium: l.consortium, regionCodes: assigned ? assigned.regionCodes : null, source: l.source, regions: assigned };
    }),
    certificationTypes: types.map(
      (t: { code: string; kind: CertificationType['kind']; title: string; parent_code: string | null; block_number: number | null; waiver_target: boolean; replaces: string | null; source: string }) => ({
        code: t.code,
        kind: t.kind,
        title: t.title,
        parentCode: t.parent_code,
        blockNumber: t.block_number,
        waiverTarget: t.waiver_target,
        replaces: t.replaces,
        source: t.source,
      }),
    ),
  };
}

/** The domain's catalogue in effect on `date`. */
export async function loadCatalog(manager: EntityManager, date: CalendarDate): Promise<ReferenceCatalog> {
  const detail = (await loadReference(manager, date))!;
  return {
    version: detail.version,
    effectiveFrom: detail.effectiveFrom,
    pathways: detail.pathways.map((p) => ({ hours: p.hours, label: p.label })),
    lots: detail.lots.map((l) => ({ lot: l.lot, modality: l.modality, consortium: l.consortium, regionCodes: l.regionCodes })),
    certificationTypes: detail.certificationTypes.map((c) => ({
      code: c.code, kind: c.kind, title: c.title, parentCode: c.parentCode, blockNumber: c.blockNumber, waiverTarget: c.waiverTarget,
    })),
  };
}

export async function pixThresholdOf(manager: EntityManager, structureId: string): Promise<{ thresholdPercent: number; recordedBy: string; recordedAt: string } | null> {
  const [row] = await manager.query(
    `SELECT threshold_percent, recorded_by, recorded_at FROM pix_thresholds WHERE structure_id = $1 ORDER BY id DESC LIMIT 1`,
    [structureId],
  );
  return row ? { thresholdPercent: Number(row.threshold_percent), recordedBy: row.recorded_by, recordedAt: (row.recorded_at as Date).toISOString() } : null;
}
