import { ReferenceCatalog } from '../reference';
import { ContractView } from '../trainee';

/** A catalogue shaped like the programme's (tests only; the service reads its own from the database). */
export function testCatalog(overrides: Partial<ReferenceCatalog> = {}): ReferenceCatalog {
  return {
    version: 'test-2021',
    effectiveFrom: '2021-04-01',
    pathways: [105, 280, 350, 420].map((hours) => ({ hours, label: `Parcours ${hours} h` })),
    lots: [
      { lot: 1, modality: 'DISTANCE', consortium: ['WebForce 3'], regionCodes: null },
      { lot: 2, modality: 'REGIONAL', consortium: ['PôleS'], regionCodes: null },
      { lot: 3, modality: 'REGIONAL', consortium: ['Les Assembleurs', 'AFPA', 'SIMPLON'], regionCodes: ['32'] },
      { lot: 4, modality: 'REGIONAL', consortium: ['AFPA', 'SIMPLON', 'UNPIMMS'], regionCodes: ['04', '01'] },
      { lot: 5, modality: 'REGIONAL', consortium: ['AFPA', 'SIMPLON', 'UNPIMMS'], regionCodes: null },
      { lot: 6, modality: 'REGIONAL', consortium: ['AFPA', 'SIMPLON', 'UNPIMMS'], regionCodes: null },
    ],
    certificationTypes: [
      { code: 'PIX', kind: 'PIX', title: 'Certification PIX', parentCode: null, blockNumber: null, waiverTarget: false },
      { code: 'REMN', kind: 'RNCP', title: "Responsable d'espace de médiation numérique", parentCode: null, blockNumber: null, waiverTarget: true },
      { code: 'CCP1', kind: 'CCP', title: 'Accompagner différents publics…', parentCode: 'REMN', blockNumber: 1, waiverTarget: true },
      { code: 'CCP2', kind: 'CCP', title: 'Bloc 2', parentCode: 'REMN', blockNumber: 2, waiverTarget: false },
      { code: 'CCP3', kind: 'CCP', title: 'Bloc 3', parentCode: 'REMN', blockNumber: 3, waiverTarget: false },
    ],
    ...overrides,
  };
}

export function testContract(overrides: Partial<ContractView> = {}): ContractView {
  return {
    contractId: 'k-1',
    conseillerId: 'cn-1',
    structureId: 's-1',
    departmentCode: '59',
    startDate: '2021-04-01',
    endDate: '2022-09-30',
    status: 'ACTIVE',
    ruptureDate: null,
    ...overrides,
  };
}
