import {
  addDays,
  addMonths,
  addMonthsToMonth,
  CalendarDate,
  dayIn,
  firstDay,
  maxDate,
  minDate,
  Month,
  monthOf,
  periodEnd,
} from './calendar';
import {
  AMI_OPENS,
  CONTRACT_START_CDF,
  COSELEC_FIRST_MONTH,
  COSELEC_LAST_MONTH,
  DEFAULT_STRUCTURES,
  EARLY_LEAVERS,
  PROGRAMME_POSTS,
  PUBLIC_SHARE,
  RENEWAL_OPENS,
  smicOn,
  TIMELINE,
} from './figures';
import { Commune, DepartmentGeography, geography, postsPerDepartmentAtFullScale } from './geography';
import { randomIban, randomSiren, siretOf } from './identifiers';
import { ASSOCIATION_NAMES, CONTACT_TITLES, ESS_NAMES, FIRST_NAMES, LAST_NAMES, slug } from './names';
import { ContractType, LegalStatus, Plan, PlannedContract, PlannedStructure, PlannedTraining, RuptureReason, StructureType } from './plan';
import { largestRemainder, Random } from './random';

export interface PlanOptions {
  seed: number;
  /** Retained structures (with openings); default 2,500. */
  structures?: number;
}

/** Last day anything is dated on (the simulation's last clock step is the day after). */
const LAST_DAY = `${TIMELINE.to}-31`;
const SHARE_OF_UNFILLED_SLOTS = 0.03;
const SHARE_OF_REJECTED_APPLICANTS = 0.1;
const SHARE_OF_FURTHER_EXAMINATION = 0.06;
const REPLACEMENT_SHARE = 0.6;
const PHASE1_RENEWAL_SHARE = 0.6;
const PHASE2_STRUCTURE_SHARE = 0.85;
const PHASE2_CONTRACT_SHARE = 0.9;

const PUBLIC_TYPES: ReadonlyArray<readonly [StructureType, number]> = [
  ['COMMUNE', 0.55], ['EPCI', 0.25], ['COLLECTIVITE', 0.09], ['DEPARTEMENT', 0.04], ['GIP', 0.07],
];
const PRIVATE_TYPES: ReadonlyArray<readonly [StructureType, number]> = [['ASSOCIATION', 0.88], ['ENTREPRISE_ESS', 0.1], ['PRIVATE_OTHER', 0.02]];
const POSTS_BY_TYPE: Record<StructureType, ReadonlyArray<readonly [number, number]>> = {
  COMMUNE: [[1, 0.72], [2, 0.2], [3, 0.06], [4, 0.02]],
  EPCI: [[1, 0.4], [2, 0.3], [3, 0.15], [4, 0.1], [6, 0.05]],
  DEPARTEMENT: [[3, 0.3], [5, 0.3], [8, 0.25], [12, 0.15]],
  REGION: [[4, 0.5], [8, 0.5]],
  COLLECTIVITE: [[1, 0.8], [2, 0.2]],
  GIP: [[1, 0.5], [2, 0.3], [3, 0.2]],
  ASSOCIATION: [[1, 0.75], [2, 0.18], [3, 0.05], [5, 0.02]],
  ENTREPRISE_ESS: [[1, 0.8], [2, 0.2]],
  PRIVATE_OTHER: [[1, 1]],
};

/** The month a first contract starts, drawn from the programme's recruitment curve. */
function drawStartMonth(random: Random): Month {
  const u = random.next();
  for (let i = 1; i < CONTRACT_START_CDF.length; i++) {
    const [month, cumulative] = CONTRACT_START_CDF[i];
    const [previousMonth, previous] = CONTRACT_START_CDF[i - 1];
    if (u < cumulative) {
      const span = monthsApart(previousMonth, month);
      const within = Math.min(span - 1, Math.floor(((u - previous) / (cumulative - previous)) * span));
      return addMonthsToMonth(previousMonth, within + 1);
    }
  }
  return CONTRACT_START_CDF[CONTRACT_START_CDF.length - 1][0];
}

function monthsApart(a: Month, b: Month): number {
  const [ya, ma] = a.split('-').map(Number);
  const [yb, mb] = b.split('-').map(Number);
  return (yb - ya) * 12 + (mb - ma);
}

const clampMonth = (m: Month, lo: Month, hi: Month): Month => (m < lo ? lo : m > hi ? hi : m);

/** Committee number of a month's selection committee (one a month from December 2020). */
const committeeNumber = (month: Month) => monthsApart(COSELEC_FIRST_MONTH, month) + 1;
const committeeDay = (month: Month) => `${month}-${String(5 + ((committeeNumber(month) * 7) % 20)).padStart(2, '0')}`;

class Picker<T> {
  private readonly cumulative: number[] = [];
  private total = 0;
  constructor(
    readonly items: T[],
    weight: (item: T) => number,
  ) {
    for (const item of items) {
      this.total += Math.max(1, weight(item));
      this.cumulative.push(this.total);
    }
  }
  pick(random: Random): T {
    const draw = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > draw) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}

interface DepartmentState {
  geo: DepartmentGeography;
  communes: Picker<Commune>;
  usedCommunes: Set<string>;
  usedEpcis: Set<string>;
  hasDepartement: boolean;
}

/**
 * Generates a whole programme from a seed: the same seed and scale always give the same plan. Pure: no
 * I/O besides reading the official geography once.
 */
export function generatePlan(options: PlanOptions): Plan {
  const seed = options.seed;
  const retained = options.structures ?? DEFAULT_STRUCTURES;
  if (!Number.isInteger(retained) || retained < 1) throw new RangeError(`structures must be a positive integer, got ${retained}`);
  const scale = retained / DEFAULT_STRUCTURES;
  const root = new Random(seed);
  const rStructures = root.fork('structures');
  const rTimeline = root.fork('timeline');
  const rPeople = root.fork('people');
  const rTraining = root.fork('training');
  const rRuptures = root.fork('ruptures');
  const rRenewals = root.fork('renewals');
  const geo = geography();
  const fullScale = postsPerDepartmentAtFullScale();
  const codes = [...fullScale.keys()].sort();
  const weights = codes.map((c) => fullScale.get(c)!);
  const structuresPerDep = largestRemainder(retained, weights);
  const postsTarget = Math.max(retained, Math.round(PROGRAMME_POSTS * scale));
  const postsPerDep = largestRemainder(postsTarget, weights).map((p, i) => (structuresPerDep[i] === 0 ? 0 : Math.max(p, structuresPerDep[i])));
  const regionLots = regionLotTable();
  const usedSirens = new Set<string>();
  const departments = new Map<string, DepartmentState>();
  const departmentState = (code: string): DepartmentState => {
    let state = departments.get(code);
    if (!state) {
      const g = geo.get(code)!;
      state = { geo: g, communes: new Picker(g.communes, (c) => Math.sqrt(c.population)), usedCommunes: new Set(), usedEpcis: new Set(), hasDepartement: false };
      departments.set(code, state);
    }
    return state;
  };

  const structures: PlannedStructure[] = [];
  const contracts: PlannedContract[] = [];

  // ------------------------------------------------------------------ retained structures and their posts
  const retainedSlots: { structure: number; posts: number }[] = [];
  codes.forEach((code, i) => {
    const count = structuresPerDep[i];
    if (count === 0) return;
    const dep = departmentState(code);
    const drafts = Array.from({ length: count }, () => {
      const legalStatus: LegalStatus = rStructures.chance(PUBLIC_SHARE) ? 'PUBLIC' : 'PRIVATE';
      let type = rStructures.weighted(legalStatus === 'PUBLIC' ? PUBLIC_TYPES : PRIVATE_TYPES);
      if (type === 'DEPARTEMENT') {
        if (dep.hasDepartement) type = 'COMMUNE';
        else dep.hasDepartement = true;
      }
      return { legalStatus, type, posts: rStructures.weighted(POSTS_BY_TYPE[type]) };
    });
    // The département's posts: the drawn sizes adjusted to its share (never a structure without a post).
    let total = drafts.reduce((sum, d) => sum + d.posts, 0);
    for (let guard = 0; total !== postsPerDep[i] && guard < 100_000; guard++) {
      const d = drafts[rStructures.int(0, drafts.length - 1)];
      if (total > postsPerDep[i] && d.posts > 1) {
        d.posts--;
        total--;
      } else if (total < postsPerDep[i]) {
        d.posts++;
        total++;
      }
    }
    for (const draft of drafts) {
      const s = makeStructure(structures.length, dep, draft.type, draft.legalStatus, rStructures, usedSirens);
      structures.push(s);
      retainedSlots.push({ structure: s.index, posts: draft.posts });
    }
  });

  // ------------------------------------------------------------------ timelines of retained structures, first contracts
  for (const { structure: si, posts } of retainedSlots) {
    const s = structures[si];
    const filled = Array.from({ length: posts }, () => !rTimeline.chance(SHARE_OF_UNFILLED_SLOTS));
    if (!filled.some(Boolean)) filled[0] = true;
    const starts = filled.map((f) => (f ? drawStartMonth(rTimeline) : null));
    const firstStart = starts.filter((m): m is Month => m !== null).sort()[0];
    let coselecMonth = clampMonth(addMonthsToMonth(firstStart, -rTimeline.int(2, 4)), COSELEC_FIRST_MONTH, COSELEC_LAST_MONTH);
    const signMonth = maxMonth(addMonthsToMonth(coselecMonth, 1), addMonthsToMonth(firstStart, -rTimeline.int(1, 2)));
    const earliestContractMonth = addMonthsToMonth(signMonth, 1);
    const registrationMonth = maxMonth(TIMELINE.from, addMonthsToMonth(coselecMonth, -rTimeline.int(1, 4)));
    if (registrationMonth >= coselecMonth) coselecMonth = addMonthsToMonth(registrationMonth, 1);
    s.registeredOn = registrationMonth === monthOf(AMI_OPENS) ? dayIn(registrationMonth, rTimeline.next(), 17) : dayIn(registrationMonth, rTimeline.next());
    s.requestedPosts = posts + (rTimeline.chance(0.25) ? rTimeline.int(1, 2) : 0);
    if (rTimeline.chance(SHARE_OF_FURTHER_EXAMINATION) && monthsApart(registrationMonth, coselecMonth) >= 2) {
      const examMonth = addMonthsToMonth(coselecMonth, -1);
      s.decisions.push({ decidedOn: committeeDay(examMonth), opinion: 'EXAMEN_COMPLEMENTAIRE', grantedPosts: 0, committee: `COSELEC ${committeeNumber(examMonth)}`, phase: 1 });
    }
    s.decisions.push({ decidedOn: committeeDay(coselecMonth), opinion: 'POSITIF', grantedPosts: posts, committee: `COSELEC ${committeeNumber(coselecMonth)}`, phase: 1 });
    const signedOn = maxDate(dayIn(signMonth, rTimeline.next()), addDays(committeeDay(coselecMonth), 1));
    s.convention = { startDate: firstDay(signMonth), signedOn, posts };
    const unfilled = filled.filter((f) => !f).length;
    if (unfilled > 0) {
      const on = addMonths(signedOn, 12);
      if (on <= LAST_DAY) s.retrait = { on, posts: unfilled };
    }
    starts.forEach((month, slot) => {
      if (month === null) return;
      const startMonth = month < earliestContractMonth ? addMonthsToMonth(earliestContractMonth, rTimeline.int(0, 1)) : month;
      // Never the 1st of the month after the signature: the contract would be recorded at the same clock step as its
      // convention, and the lifecycle service could then miss the convention (see README, known service bugs).
      const startDate = dayIn(startMonth, rTimeline.next(), startMonth === earliestContractMonth ? 2 : 1);
      contracts.push(newContract(contracts.length, s, slot, 'INITIAL', startDate, rPeople, rTraining, regionLots));
    });
  }

  // ------------------------------------------------------------------ applicants that were not retained
  const rejected = Math.round(retained * SHARE_OF_REJECTED_APPLICANTS);
  const rejectedPerDep = largestRemainder(rejected, weights);
  codes.forEach((code, i) => {
    for (let k = 0; k < rejectedPerDep[i]; k++) {
      const legalStatus: LegalStatus = rStructures.chance(PUBLIC_SHARE) ? 'PUBLIC' : 'PRIVATE';
      const type = rStructures.weighted(legalStatus === 'PUBLIC' ? PUBLIC_TYPES.filter(([t]) => t !== 'DEPARTEMENT') : PRIVATE_TYPES);
      const s = makeStructure(structures.length, departmentState(code), type, legalStatus, rStructures, usedSirens);
      const registrationMonth = addMonthsToMonth(TIMELINE.from, rTimeline.int(0, 14));
      s.registeredOn = registrationMonth === monthOf(AMI_OPENS) ? dayIn(registrationMonth, rTimeline.next(), 17) : dayIn(registrationMonth, rTimeline.next());
      s.requestedPosts = rTimeline.int(1, 3);
      const coselecMonth = clampMonth(addMonthsToMonth(registrationMonth, rTimeline.int(1, 3)), COSELEC_FIRST_MONTH, COSELEC_LAST_MONTH);
      if (rTimeline.chance(0.6)) {
        s.decisions.push({ decidedOn: committeeDay(coselecMonth), opinion: 'NEGATIF', grantedPosts: 0, committee: `COSELEC ${committeeNumber(coselecMonth)}`, phase: 1 });
      } else {
        s.decisions.push({ decidedOn: committeeDay(coselecMonth), opinion: 'EXAMEN_COMPLEMENTAIRE', grantedPosts: 0, committee: `COSELEC ${committeeNumber(coselecMonth)}`, phase: 1 });
        s.abandonedOn = dayIn(addMonthsToMonth(coselecMonth, rTimeline.int(2, 4)), rTimeline.next());
      }
      structures.push(s);
    }
  });

  // ------------------------------------------------------------------ early leavers and their replacements
  const leavers = Math.max(1, Math.round(EARLY_LEAVERS * scale));
  const candidates = contracts.filter((c) => c.startDate <= '2022-09-30');
  rRuptures.shuffle(candidates);
  let ruptures = 0;
  let replacements = 0;
  for (const c of candidates) {
    if (ruptures >= leavers) break;
    const from = addDays(c.startDate, 30);
    const to = addDays(minDate(c.endDate ?? '2022-11-30', '2022-11-30'), -1);
    if (from > to) continue;
    const span = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
    const date = addDays(from, rRuptures.int(0, span));
    const reasons: ReadonlyArray<readonly [RuptureReason, number]> =
      c.type === 'CDI' ? [['DEMISSION', 0.75], ['LICENCIEMENT', 0.15], ['FIN_DE_SUBVENTIONNEMENT', 0.1]] : [['DEMISSION', 0.7], ['LICENCIEMENT', 0.15], ['FIN_DE_SUBVENTIONNEMENT', 0.1], ['NON_RECONDUCTION_CDD', 0.05]];
    c.rupture = { date, reason: rRuptures.weighted(reasons) };
    if (c.training) trimTraining(c.training, date, 'WITHDRAWN');
    ruptures++;
    if (rRuptures.chance(REPLACEMENT_SHARE)) {
      const start = addDays(date, rRuptures.int(35, 120));
      if (start <= '2024-11-30') {
        const replacement = newContract(contracts.length, structures[c.structure], c.slot, 'REPLACEMENT', start, rPeople, rTraining, regionLots);
        replacement.previous = c.index;
        contracts.push(replacement);
        replacements++;
      }
    }
  }

  // ------------------------------------------------------------------ renewals (phase 1 on the same post, phase 2 from December 2022)
  const phase2Structures = new Set(structures.filter(() => rRenewals.chance(PHASE2_STRUCTURE_SHARE)).map((s) => s.index));
  let renewalsPhase1 = 0;
  let renewalsPhase2 = 0;
  for (let i = 0; i < contracts.length; i++) {
    const c = contracts[i];
    if (c.rupture || c.type === 'CDI' || c.endDate === null || c.endDate >= LAST_DAY) continue;
    const s = structures[c.structure];
    const start = addDays(c.endDate, 1);
    if (c.endDate < RENEWAL_OPENS) {
      if (c.kind === 'RENEWAL_PHASE1' || !rRenewals.chance(PHASE1_RENEWAL_SHARE)) continue;
      const type: ContractType = s.legalStatus === 'PRIVATE' ? (c.type === 'PEC' ? 'PEC' : 'CDI') : c.type;
      const renewal = renewalOf(contracts.length, c, 'RENEWAL_PHASE1', type, start, type === 'CDI' ? null : periodEnd(start, 12));
      c.renewedBy = renewal.index;
      contracts.push(renewal);
      renewalsPhase1++;
    } else if (c.kind !== 'RENEWAL_PHASE2' && phase2Structures.has(s.index) && rRenewals.chance(PHASE2_CONTRACT_SHARE)) {
      const type: ContractType =
        s.legalStatus === 'PUBLIC' ? (rRenewals.chance(0.6) ? 'CONTRAT_DE_PROJET_PUBLIC' : 'CDD') : rRenewals.chance(0.5) ? 'CDI' : 'PEC';
      const end = type === 'CDI' ? null : periodEnd(start, type === 'PEC' ? 24 : 36);
      const renewal = renewalOf(contracts.length, c, 'RENEWAL_PHASE2', type, start, end);
      c.renewedBy = renewal.index;
      contracts.push(renewal);
      renewalsPhase2++;
    }
  }

  // ------------------------------------------------------------------ phase-2 conventions
  const byStructure = new Map<number, PlannedContract[]>();
  for (const c of contracts) if (c.kind === 'RENEWAL_PHASE2') byStructure.set(c.structure, [...(byStructure.get(c.structure) ?? []), c]);
  for (const [si, renewals] of byStructure) {
    const s = structures[si];
    renewals.sort((a, b) => a.startDate.localeCompare(b.startDate));
    const firstPreviousEnd = addDays(renewals[0].startDate, -1);
    const signMonth = maxMonth(monthOf(RENEWAL_OPENS), addMonthsToMonth(monthOf(firstPreviousEnd), -1));
    const opinionMonth = addMonthsToMonth(signMonth, -1);
    s.renewal = { prefectOpinionOn: firstDay(opinionMonth), startDate: renewals[0].startDate, signedOn: firstDay(signMonth), posts: renewals.length };
    s.decisions.push({
      decidedOn: firstDay(opinionMonth),
      opinion: 'POSITIF',
      grantedPosts: renewals.length,
      committee: `COSELEC R${monthsApart(monthOf(RENEWAL_OPENS), opinionMonth) + 2}`,
      phase: 2,
    });
  }

  // ------------------------------------------------------------------ the lifecycle path: préfet opinions, CDI financing renewals
  for (const s of structures) {
    if (phase2Structures.has(s.index) && s.convention) s.prefectOpinion = rRenewals.chance(0.05) ? 'defavorable' : 'favorable';
  }
  for (const c of contracts) {
    const s = structures[c.structure];
    if (c.type !== 'CDI' || c.rupture || !s.convention || !phase2Structures.has(s.index) || c.kind === 'RENEWAL_PHASE2') continue;
    const financedUntil = periodEnd(s.convention.startDate, 24);
    if (financedUntil >= '2023-01-31' && financedUntil < LAST_DAY && c.startDate < financedUntil && rRenewals.chance(PHASE2_CONTRACT_SHARE)) c.financingRenewal = { financedUntil };
  }

  // ------------------------------------------------------------------ final reports of the phase-1 subsidies (one per occupied slot)
  const chains = new Map<string, PlannedContract[]>();
  for (const c of contracts) {
    if (c.kind === 'RENEWAL_PHASE2') continue;
    const key = `${c.structure}/${c.slot}`;
    chains.set(key, [...(chains.get(key) ?? []), c]);
  }
  for (const chain of chains.values()) {
    chain.sort((a, b) => a.startDate.localeCompare(b.startDate));
    const last = chain[chain.length - 1];
    if (last.rupture) continue;
    const financingEnd = addDays(addMonths(chain[0].startDate, 24), -1);
    const occupancyEnd = last.endDate ?? '9999-12-31';
    const reportMonth = monthOf(minDate(occupancyEnd, financingEnd));
    if (reportMonth > TIMELINE.to) continue;
    // The contract in place when the report is received (the renewed one hands the post over at its end).
    // (recorded at an earlier step than the report, so it exists when the report is received).
    const holder = chain.filter((c) => monthOf(c.startDate) < reportMonth).pop();
    if (holder) holder.finalReportOn = firstDay(reportMonth);
  }

  const postsPerDepartment: Record<string, number> = {};
  for (const { structure, posts } of retainedSlots) {
    const code = structures[structure].departmentCode;
    postsPerDepartment[code] = (postsPerDepartment[code] ?? 0) + posts;
  }
  return {
    seed,
    scale,
    structures,
    contracts,
    figures: {
      retainedStructures: retainedSlots.length,
      applicants: structures.length,
      posts: retainedSlots.reduce((sum, r) => sum + r.posts, 0),
      postsPerDepartment,
      initialContracts: contracts.filter((c) => c.kind === 'INITIAL').length,
      replacements,
      ruptures,
      renewalsPhase1,
      renewalsPhase2Wanted: renewalsPhase2,
    },
  };
}

const maxMonth = (a: Month, b: Month): Month => (a > b ? a : b);

function makeStructure(index: number, dep: DepartmentState, wantedType: StructureType, legalStatus: LegalStatus, random: Random, usedSirens: Set<string>): PlannedStructure {
  let type = wantedType;
  let siren: string | null = null;
  let name = '';
  let home: Commune = dep.communes.pick(random);
  if (type === 'COMMUNE') {
    for (let attempt = 0; attempt < 20 && !siren; attempt++) {
      const c = dep.communes.pick(random);
      if (c.siren && !dep.usedCommunes.has(c.code) && !usedSirens.has(c.siren)) {
        dep.usedCommunes.add(c.code);
        siren = c.siren;
        home = c;
        name = `Commune de ${c.name}`;
      }
    }
    if (!siren) type = 'COLLECTIVITE';
  }
  if (type === 'EPCI') {
    const free = dep.geo.epcis.filter((e) => !dep.usedEpcis.has(e.siren) && !usedSirens.has(e.siren));
    if (free.length > 0) {
      const e = random.pick(free);
      dep.usedEpcis.add(e.siren);
      siren = e.siren;
      name = e.name;
    } else {
      type = 'COLLECTIVITE';
    }
  }
  const fresh = (prefix: string) => {
    for (;;) {
      const candidate = randomSiren(random, prefix);
      if (!usedSirens.has(candidate)) return candidate;
    }
  };
  switch (type) {
    case 'DEPARTEMENT':
      siren = fresh('22');
      name = `Conseil départemental — ${dep.geo.name}`;
      break;
    case 'REGION':
      siren = fresh('23');
      name = `Conseil régional (${dep.geo.name})`;
      break;
    case 'COLLECTIVITE':
      siren = fresh('26');
      name = `CCAS de ${home.name}`;
      break;
    case 'GIP':
      siren = fresh('13');
      name = `GIP ${random.pick(['Maison France Services', 'Territoire numérique', 'Inclusion numérique'])} ${home.name}`;
      break;
    case 'ASSOCIATION':
      siren = fresh(random.pick(['77', '78', '79', '80', '81', '82', '83', '84', '85']));
      name = `${random.pick(ASSOCIATION_NAMES)} de ${home.name}`;
      break;
    case 'ENTREPRISE_ESS':
      siren = fresh(random.pick(['4', '5']));
      name = `${random.pick(ESS_NAMES)} ${home.name} Solidaire`;
      break;
    case 'PRIVATE_OTHER':
      siren = fresh('3');
      name = `Fondation numérique ${home.name}`;
      break;
    default:
      break;
  }
  usedSirens.add(siren!);
  const key = `S${String(index + 1).padStart(5, '0')}`;
  const contactFirst = random.pick(FIRST_NAMES);
  const contactLast = random.pick(LAST_NAMES);
  const qpvChance = home.population >= 50_000 ? 0.85 : home.population >= 20_000 ? 0.65 : home.population >= 5_000 ? 0.35 : 0.1;
  const zrrChance = home.population < 2_000 ? 0.36 : home.population < 5_000 ? 0.18 : home.population < 20_000 ? 0.05 : 0;
  return {
    key,
    index,
    siret: siretOf(siren!, 1 + (index % 9)),
    name: name.slice(0, 200),
    type,
    legalStatus,
    departmentCode: dep.geo.code,
    address: { line1: type === 'COMMUNE' ? 'Hôtel de ville' : `${random.int(1, 120)} rue de la République`, postalCode: home.postalCode, city: home.name.slice(0, 100) },
    qpv: random.chance(qpvChance),
    zrr: random.chance(zrrChance),
    requestedPosts: 1,
    contact: {
      name: `${contactFirst} ${contactLast}`,
      email: `contact.${key.toLowerCase()}@structures.conseiller-numerique.fr`,
      phone: `+33 ${random.int(1, 5)} ${random.digits(2)} ${random.digits(2)} ${random.digits(2)} ${random.digits(2)}`,
      jobTitle: random.pick(CONTACT_TITLES),
    },
    iban: randomIban(random),
    registeredOn: AMI_OPENS,
    decisions: [],
  };
}

/** Lots 2–6 are regional: a deterministic split of the régions (their map did not survive in the seeds). */
function regionLotTable(): Map<string, number> {
  const regions = [...new Set([...geography().values()].map((d) => d.regionCode))].sort();
  return new Map(regions.map((r, i) => [r, 2 + (i % 5)]));
}

function contractTerms(legalStatus: LegalStatus, start: CalendarDate, random: Random): { type: ContractType; endDate: CalendarDate | null } {
  if (legalStatus === 'PRIVATE') {
    const type = random.weighted<ContractType>([['CDD', 0.85], ['CDI', 0.1], ['PEC', 0.05]]);
    return { type, endDate: type === 'CDI' ? null : periodEnd(start, type === 'PEC' ? 24 : 18) };
  }
  const type = random.weighted<ContractType>([['CONTRAT_DE_PROJET_PUBLIC', 0.45], ['CDD', 0.35], ['CDI', 0.1], ['PEC', 0.1]]);
  if (type === 'CDI') return { type, endDate: null };
  if (type === 'PEC') return { type, endDate: periodEnd(start, 24) };
  const months = type === 'CDD' ? random.weighted([[18, 0.6], [24, 0.4]]) : random.weighted([[18, 0.5], [24, 0.3], [36, 0.2]]);
  return { type, endDate: periodEnd(start, months) };
}

function newContract(
  index: number,
  s: PlannedStructure,
  slot: number,
  kind: 'INITIAL' | 'REPLACEMENT',
  startDate: CalendarDate,
  people: Random,
  trainingRandom: Random,
  regionLots: Map<string, number>,
): PlannedContract {
  const terms = contractTerms(s.legalStatus, startDate, people);
  const firstName = people.pick(FIRST_NAMES);
  const lastName = people.pick(LAST_NAMES);
  const key = `C${String(index + 1).padStart(6, '0')}`;
  const age = people.int(19, 58);
  const birthDate = addDays(`${Number(startDate.slice(0, 4)) - age}${startDate.slice(4)}`, -people.int(1, 360));
  const contract: PlannedContract = {
    key,
    index,
    structure: s.index,
    slot,
    kind,
    conseiller: { firstName, lastName, email: `${slug(firstName)}.${slug(lastName)}.${key.toLowerCase()}@conseiller-numerique.fr`, birthDate },
    type: terms.type,
    startDate,
    endDate: terms.endDate,
    salaryCents: smicOn(startDate) + people.int(0, 400) * 100,
  };
  contract.training = planTraining(contract, s, trainingRandom, regionLots);
  return contract;
}

function renewalOf(index: number, previous: PlannedContract, kind: 'RENEWAL_PHASE1' | 'RENEWAL_PHASE2', type: ContractType, startDate: CalendarDate, endDate: CalendarDate | null): PlannedContract {
  return {
    key: `C${String(index + 1).padStart(6, '0')}`,
    index,
    structure: previous.structure,
    slot: previous.slot,
    kind,
    previous: previous.index,
    conseiller: previous.conseiller,
    type,
    startDate,
    endDate,
    salaryCents: Math.max(previous.salaryCents, smicOn(startDate) + 2_000),
  };
}

function planTraining(c: PlannedContract, s: PlannedStructure, random: Random, regionLots: Map<string, number>): PlannedTraining | undefined {
  const region = geography().get(s.departmentCode)!.regionCode;
  const lot = random.chance(0.25) ? 1 : regionLots.get(region) ?? 1;
  const pathwayHours = random.weighted<number>([[105, 0.3], [280, 0.3], [350, 0.2], [420, 0.15], [0, 0.05]]);
  const positioningOn = addDays(c.startDate, random.int(0, 7));
  const startDate = addDays(positioningOn, random.int(1, 14));
  if (c.endDate !== null && startDate > c.endDate) return undefined;
  const certifications: PlannedTraining['certifications'] = [];
  if (pathwayHours === 0) {
    // A waiver: the conseiller already holds CCP1 and has mediation experience.
    certifications.push({ kind: 'CCP', on: addDays(c.startDate, -random.int(100, 900)), blocks: ['CCP1'] });
    return { lot, pathwayHours: null, positioningOn, startDate, outcome: 'COMPLETED', endDate: startDate, hours: 0, certifications };
  }
  const hours = pathwayHours as 105 | 280 | 350 | 420;
  const weeks = Math.ceil(hours / 25) + random.int(0, 3);
  const abandoned = random.chance(0.06);
  const endDate = addDays(startDate, abandoned ? random.int(7, weeks * 7) : weeks * 7);
  const training: PlannedTraining = {
    lot,
    pathwayHours: hours,
    positioningOn,
    startDate,
    outcome: abandoned ? 'ABANDONED' : 'COMPLETED',
    endDate,
    hours: abandoned ? random.int(0, hours - 1) : hours,
    certifications,
  };
  if (!abandoned) {
    const pix = Math.round(Math.min(100, Math.max(15, random.normal(74, 12))) * 100) / 100;
    certifications.push({ kind: 'PIX', on: addDays(endDate, random.int(0, 30)), pixScore: pix });
    if (random.chance(0.55)) certifications.push({ kind: 'CCP', on: addDays(endDate, random.int(20, 90)), blocks: random.chance(0.15) ? ['CCP1', 'CCP2'] : ['CCP1'] });
  }
  trimTraining(training, LAST_DAY, 'ONGOING');
  return training;
}

/** Nothing about a training happens after `until`: a rupture withdraws it, the end of the timeline leaves it ongoing. */
function trimTraining(t: PlannedTraining, until: CalendarDate, outcome: 'WITHDRAWN' | 'ONGOING'): void {
  t.certifications = t.certifications.filter((cert) => cert.on <= until);
  if (t.pathwayHours !== null && t.endDate > until) t.outcome = outcome;
}

