import { TrainingRuleError } from './errors';
import { checkLotRegions, ccpBlocksOf, lotCoversRegion, requireLot, requirePathway } from './reference';
import { testCatalog } from './testing/catalog';

const knownRegions = ['01', '02', '03', '04', '06', '11', '24', '27', '28', '32', '44', '52', '53', '75', '76', '84', '93', '94'];
const isKnownRegion = (code: string) => knownRegions.includes(code);

function refusal(run: () => unknown): TrainingRuleError {
  try {
    run();
  } catch (error) {
    if (error instanceof TrainingRuleError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('pathways', () => {
  const catalog = testCatalog();

  it.each([105, 280, 350, 420])('knows the %i h pathway', (hours) => {
    expect(requirePathway(catalog, hours).hours).toBe(hours);
  });

  it.each([0, 100, 200, 421, '280', null, 280.5])('refuses %p as a pathway, naming the field and the known pathways', (hours) => {
    const error = refusal(() => requirePathway(catalog, hours));
    expect(error).toMatchObject({ kind: 'invalid', code: 'UNKNOWN_PATHWAY', field: 'pathwayHours' });
    expect(error.message).toContain('105, 280, 350, 420');
  });

  it('reads the pathways from the catalogue it is given (data, not code)', () => {
    const later = testCatalog({ version: 'v2', pathways: [{ hours: 140, label: 'Parcours 140 h' }] });
    expect(requirePathway(later, 140).label).toBe('Parcours 140 h');
    expect(refusal(() => requirePathway(later, 105)).message).toContain('v2');
  });
});

describe('lots', () => {
  const catalog = testCatalog();

  it('refuses an unknown lot', () => {
    expect(refusal(() => requireLot(catalog, 7))).toMatchObject({ kind: 'invalid', field: 'lot', code: 'UNKNOWN_LOT' });
  });

  it('lets the distance lot serve everywhere, a regional lot its régions, an unrecorded regional lot everywhere', () => {
    expect(lotCoversRegion(requireLot(catalog, 1), '94')).toBe(true);
    expect(lotCoversRegion(requireLot(catalog, 3), '32')).toBe(true);
    expect(lotCoversRegion(requireLot(catalog, 3), '11')).toBe(false);
    expect(lotCoversRegion(requireLot(catalog, 2), '11')).toBe(true);
  });

  it('lists the CCP blocks in block order', () => {
    expect(ccpBlocksOf(catalog).map((c) => c.code)).toEqual(['CCP1', 'CCP2', 'CCP3']);
  });

  it('records régions for a regional lot only, known, once each, not served by another lot', () => {
    expect(() => checkLotRegions(catalog, 2, ['11', '24'], isKnownRegion)).not.toThrow();
    expect(refusal(() => checkLotRegions(catalog, 1, ['11'], isKnownRegion))).toMatchObject({ kind: 'rule', code: 'DISTANCE_LOT_HAS_NO_REGIONS' });
    expect(refusal(() => checkLotRegions(catalog, 2, [], isKnownRegion))).toMatchObject({ kind: 'invalid', field: 'regionCodes' });
    expect(refusal(() => checkLotRegions(catalog, 2, ['11', '99'], isKnownRegion))).toMatchObject({ kind: 'invalid', field: 'regionCodes[1]' });
    expect(refusal(() => checkLotRegions(catalog, 2, ['11', '11'], isKnownRegion))).toMatchObject({ code: 'DUPLICATE_REGION' });
    expect(refusal(() => checkLotRegions(catalog, 2, ['11', '32'], isKnownRegion))).toMatchObject({ kind: 'conflict', code: 'REGION_ALREADY_SERVED' });
    // A lot may restate its own régions.
    expect(() => checkLotRegions(catalog, 3, ['32', '28'], isKnownRegion)).not.toThrow();
  });
});
