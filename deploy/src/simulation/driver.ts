import { addDays, CalendarDate, Month } from './calendar';
import { ApiClient, ApiError, sleep, STUCK_IDEMPOTENCY_KEY } from './http';
import { ABANDON_REASONS } from './names';
import { Plan, PlannedContract, PlannedStructure } from './plan';
import { Random } from './random';
import { Action, buildSchedule, chainKey, RenewalMode, Step } from './schedule';
import { Tokens } from './tokens';

/** What the driver recorded as accepted by the platform: the "expected" side of the verification. */
export interface Accepted {
  registrations: number;
  decisions: { phase1: number; phase2: number; positive: number; negative: number; further: number };
  abandons: number;
  prefectOpinions: number;
  conventions: { phase1: number; phase2: number; phase1Posts: number; phase2Posts: number };
  retraits: { amendments: number; posts: number; refusedRenewalPosts: number };
  contracts: number;
  ruptures: number;
  renewals: { phase1: number; phase2: number; phase2NotFinanced: number };
  enrolments: { pathway: number; waiver: number };
  completions: { completed: number; abandoned: number };
  certifications: { PIX: number; CCP: number };
  finalReports: number;
  paymentOrders: number;
  executions: number;
  statements: number;
  statementLines: number;
  matchedLines: number;
  returnedLines: number;
  naturalEnds: number;
  clockMoves: number;
  /** Renewals through the lifecycle saga (intent, préfet opinion, ANCT decision). */
  lifecycle: { intents: number; notInterested: number; opinions: number; approved: number; refusedByAnct: number; renewed: number; notFinanced: number };
}

export interface MoneySnapshot {
  month: Month;
  today: CalendarDate;
  committedCents: number;
  orderedCents: number;
  paidCents: number;
  reconciledCents: number;
  byPhase: Record<'1' | '2', { committedCents: number; paidCents: number; reconciledCents: number }>;
}

export interface Failure {
  step: Month;
  action: string;
  error: string;
}

export interface StepTiming {
  month: Month;
  ms: number;
  requests: number;
}

export interface ProgressInfo {
  step: number;
  steps: number;
  month: Month;
  requests: number;
  operations: number;
  failures: number;
  elapsedMs: number;
}

export interface DriverOptions {
  client: ApiClient;
  plan: Plan;
  tokens?: Tokens;
  /** Last month of the timeline (default 2024-12). */
  to?: Month;
  onProgress?: (info: ProgressInfo) => void;
  /** The soak's fault injector hooks into every step. */
  onStep?: (step: Step, index: number, phase: 'start' | 'middle' | 'end') => Promise<void>;
  /** How renewals go (default conventions; `lifecycle` once the platform has the lifecycle saga). */
  renewals?: RenewalMode;
  log?: (line: string) => void;
}

interface Execution {
  reference: string;
  amountCents: number;
  iban: string;
  name: string;
  executedOn: CalendarDate;
}

const KEY = (seed: number, ...parts: (string | number)[]) => `sim-${seed}-${parts.join('-')}`;
const DEPENDENCY_WAIT = { ms: 90_000 };

/**
 * Drives a generated programme through the platform's public REST API, step by step (one clock move a
 * month). Every creation carries an Idempotency-Key derived from the seed and the entity, so a retried
 * request has one effect; a request whose answer was lost with a killed service is resolved by looking at
 * the data (and retried with a fresh key only when it had no effect).
 */
export class Driver {
  readonly plan: Plan;
  readonly steps: Step[];
  readonly client: ApiClient;
  readonly tokens: Tokens;
  readonly accepted: Accepted = {
    registrations: 0,
    decisions: { phase1: 0, phase2: 0, positive: 0, negative: 0, further: 0 },
    abandons: 0,
    prefectOpinions: 0,
    conventions: { phase1: 0, phase2: 0, phase1Posts: 0, phase2Posts: 0 },
    retraits: { amendments: 0, posts: 0, refusedRenewalPosts: 0 },
    contracts: 0,
    ruptures: 0,
    renewals: { phase1: 0, phase2: 0, phase2NotFinanced: 0 },
    enrolments: { pathway: 0, waiver: 0 },
    completions: { completed: 0, abandoned: 0 },
    certifications: { PIX: 0, CCP: 0 },
    finalReports: 0,
    paymentOrders: 0,
    executions: 0,
    statements: 0,
    statementLines: 0,
    matchedLines: 0,
    returnedLines: 0,
    naturalEnds: 0,
    clockMoves: 0,
    lifecycle: { intents: 0, notInterested: 0, opinions: 0, approved: 0, refusedByAnct: 0, renewed: 0, notFinanced: 0 },
  };
  /** Runtime ids, by plan index. */
  readonly ids = {
    structures: [] as (string | undefined)[],
    conventions: [] as (string | undefined)[],
    renewalConventions: [] as (string | undefined)[],
    contracts: [] as (string | undefined)[],
    posts: [] as (string | undefined)[],
    conseillers: [] as (string | undefined)[],
    enrolments: [] as (string | undefined)[],
    waiverCertifications: [] as (string | undefined)[],
  };
  /** Phase-2 posts whose subsidy was committed, per structure, and the renewals placed on them so far. */
  readonly financedRenewalPosts = new Map<number, { financed: number; used: number }>();
  readonly money: MoneySnapshot[] = [];
  readonly failures: Failure[] = [];
  readonly timings: StepTiming[] = [];
  readonly structureByRuntimeId = new Map<string, PlannedStructure>();
  /** Renewals go through the lifecycle saga (intent, opinion, decision) rather than phase-2 conventions. */
  renewalsThroughLifecycle = false;
  private pendingStatement: Execution[] = [];
  private readonly bank: Random;
  private readonly seed: number;
  private started = 0;

  constructor(private readonly options: DriverOptions) {
    this.plan = options.plan;
    this.seed = options.plan.seed;
    this.renewalsThroughLifecycle = options.renewals === 'lifecycle';
    this.steps = buildSchedule(options.plan, options.to, options.renewals ?? 'conventions');
    this.client = options.client;
    this.tokens = options.tokens ?? new Tokens();
    this.bank = new Random(options.plan.seed).fork('bank');
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Checks the platform can run the simulation: healthy, manual clock not past the start, no data yet. */
  async preflight(): Promise<void> {
    const anct = await this.tokens.anct();
    const clock = await this.client.get<{ services: Record<string, { status: number; body: { now: string; manual: boolean } }> }>('/api/v1/clock', {
      token: anct,
      expect: [409, 502],
    });
    if (clock.status !== 200) throw new Error(`GET /api/v1/clock answered ${clock.status}: ${JSON.stringify(clock.body).slice(0, 500)}`);
    const notManual = Object.entries(clock.body.services).filter(([, s]) => !s.body?.manual).map(([name]) => name);
    if (notManual.length) {
      throw new Error(
        `these services run on the system clock: ${notManual.join(', ')}. Start the platform with ` +
          '`CNFS_CLOCK=manual CNFS_CLOCK_START=2020-11-01 npm start` (the simulation moves its clock month by month).',
      );
    }
    const first = this.steps[0].clock;
    const ahead = Object.entries(clock.body.services).filter(([, s]) => s.body.now > first);
    if (ahead.length) {
      throw new Error(
        `the platform's clock is already at ${ahead[0][1].body.now} (after the simulation's first step ${first}); time never goes back. ` +
          'Restart the platform on fresh data (see deploy/src/simulation/README.md).',
      );
    }
    const existing = await this.client.total('/api/v1/structures', anct);
    if (existing > 0) {
      throw new Error(`the platform already holds ${existing} structures: the simulation needs a platform with no data (see deploy/src/simulation/README.md).`);
    }
  }

  async run(): Promise<void> {
    this.started = Date.now();
    for (let i = 0; i < this.steps.length; i++) {
      const step = this.steps[i];
      const before = this.client.requests;
      const t0 = Date.now();
      await this.options.onStep?.(step, i, 'start');
      await this.runStep(step, i);
      await this.options.onStep?.(step, i, 'end');
      this.timings.push({ month: step.month, ms: Date.now() - t0, requests: this.client.requests - before });
      this.options.onProgress?.({
        step: i + 1,
        steps: this.steps.length,
        month: step.month,
        requests: this.client.requests,
        operations: this.client.businessOperations,
        failures: this.failures.length,
        elapsedMs: Date.now() - this.started,
      });
    }
  }

  private async runStep(step: Step, index: number): Promise<void> {
    await this.setClock(step);
    for (const [w, wave] of step.waves.entries()) {
      await this.runChains(step, wave);
      if (w === 2) await this.options.onStep?.(step, index, 'middle');
    }
    await this.runChains(step, step.finalReports);
    await this.orderDueTranches(step);
    await this.executeOrders(step);
    const renewals = [...step.renewals].sort((a, b) => (a.kind === 'renewalConvention' ? 0 : 1) - (b.kind === 'renewalConvention' ? 0 : 1));
    // A structure's renewals one after the other: its phase-2 convention first, or its intents before the préfet's opinion.
    const byStructure = (a: Action) => ('c' in a ? `s${this.plan.contracts[a.c].structure}` : chainKey(a, this.plan));
    await Promise.all([this.runChains(step, renewals, byStructure), this.uploadStatement(step)]);
    await this.naturalEnds(step);
    await this.snapshot(step);
  }

  // ---------------------------------------------------------------------------------------------- plumbing

  private async runChains(step: Step, actions: Action[], keyOf: (a: Action) => string = (a) => chainKey(a, this.plan)): Promise<void> {
    if (actions.length === 0) return;
    const chains = new Map<string, Action[]>();
    for (const a of actions) {
      const key = keyOf(a);
      const chain = chains.get(key);
      if (chain) chain.push(a);
      else chains.set(key, [a]);
    }
    await Promise.all(
      [...chains.values()].map(async (chain) => {
        for (const action of chain) {
          try {
            await this.perform(step, action);
          } catch (error) {
            this.fail(step, describe(action, this.plan), error);
          }
        }
      }),
    );
  }

  private fail(step: Step, action: string, error: unknown): void {
    const unexpected = error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError;
    const message = unexpected ? (error as Error).stack ?? String(error) : (error as Error).message ?? String(error);
    this.failures.push({ step: step.month, action, error: message.slice(0, 1500) });
    if (this.failures.length <= 20) this.log(`failure at ${step.month}, ${action}: ${message.slice(0, 400)}`);
  }

  /**
   * A creation whose outcome may be unknown: its key can be stuck "in progress" when the service died while
   * handling it. Then `lookup` tells whether it had its effect; if not, it is sent again under a fresh key.
   */
  private async create<T>(send: (key: string) => Promise<T>, key: string, lookup: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(attempt === 1 ? key : `${key}-retry${attempt}`);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === STUCK_IDEMPOTENCY_KEY) || attempt >= 3) throw error;
        const found = await lookup();
        if (found !== undefined) return found;
        this.log(`request under key ${key} had no effect before its service died: sent again with a new key`);
      }
    }
  }

  private async setClock(step: Step): Promise<void> {
    const anct = await this.tokens.anct();
    const answer = await this.client.request('PUT', '/api/v1/clock', { token: anct, body: { now: step.clock }, businessOperation: false, expect: [422] });
    if (answer.status === 422) {
      // A retried PUT after a lost answer: the clock is already there (time never goes back).
      const now = await this.client.get('/api/v1/clock', { token: anct });
      const behind = Object.values(now.body.services as Record<string, { body: { now: string } }>).filter((s) => s.body.now < step.clock);
      if (behind.length) throw new ApiError('PUT', '/api/v1/clock', 422, answer.body);
    }
    this.accepted.clockMoves++;
  }

  // ---------------------------------------------------------------------------------------------- actions

  private async perform(step: Step, action: Action): Promise<void> {
    switch (action.kind) {
      case 'register':
        return this.register(this.plan.structures[action.s]);
      case 'coselec':
        return this.coselec(this.plan.structures[action.s], action.decision);
      case 'abandon':
        return this.abandon(this.plan.structures[action.s]);
      case 'prefectOpinion':
        return this.prefectOpinion(this.plan.structures[action.s]);
      case 'convention':
        return this.convention(this.plan.structures[action.s]);
      case 'retrait':
        return this.retrait(this.plan.structures[action.s]);
      case 'contract':
        return this.contract(this.plan.contracts[action.c]);
      case 'rupture':
        return this.rupture(this.plan.contracts[action.c]);
      case 'waiverCertification':
        return this.waiverCertification(this.plan.contracts[action.c]);
      case 'enrol':
        return this.enrol(this.plan.contracts[action.c]);
      case 'complete':
        return this.complete(this.plan.contracts[action.c]);
      case 'certify':
        return this.certify(this.plan.contracts[action.c], action.certification);
      case 'finalReport':
        return this.finalReport(step, this.plan.contracts[action.c]);
      case 'renewalConvention':
        return this.renewalConvention(step, this.plan.structures[action.s]);
      case 'renew':
        return this.renew(this.plan.contracts[action.c]);
      case 'renewalIntent':
        return this.renewalIntent(step, this.plan.contracts[action.c], action.intent);
      case 'renewalOpinion':
        return this.renewalOpinion(step, this.plan.structures[action.s]);
      case 'renewalDecision':
        return this.renewalDecision(this.plan.contracts[action.c]);
    }
  }

  // ---------------------------------------------------------------------------------------------- the lifecycle saga

  /** Contracts whose renewal ANCT approved through the saga (their outcome is read at the end). */
  readonly approvedRenewals: number[] = [];

  /** The structure answers the saga's reminders: renew (with the renewed contract's terms) or not interested. */
  private async renewalIntent(step: Step, c: PlannedContract, intent: 'RENEW' | 'NOT_INTERESTED'): Promise<void> {
    const s = this.plan.structures[c.structure];
    const own = await this.tokens.structure(this.structureId(s));
    const contractId = this.contractId(c);
    const next = c.renewedBy !== undefined ? this.plan.contracts[c.renewedBy] : undefined;
    const body =
      intent === 'NOT_INTERESTED'
        ? { intent, reason: 'La structure ne reconduit pas le poste à l’issue du contrat.' }
        : next
          ? { intent, contractType: next.type, startDate: next.startDate, endDate: next.endDate, grossMonthlySalaryCents: next.salaryCents }
          : { intent, contractType: 'CDI', endDate: null };
    const anct = await this.tokens.anct();
    await this.create(
      (key) =>
        this.client.post(`/api/v1/renewals/${contractId}/intent`, body, {
          token: own,
          idempotencyKey: key,
          // The saga starts from ContractSigned and learns the financing end from ConventionValidated: events.
          awaitDependency: { ms: 60_000, conflictCodes: ['NOT_ALLOWED_NOW'] },
        }),
      KEY(this.seed, 'intent', c.key),
      async () => {
        const view = (await this.client.get(`/api/v1/contracts/${contractId}/lifecycle`, { token: anct })).body;
        return view.history?.some((h: any) => h.message === 'RenewalIntentDeclared') ? view : undefined;
      },
    );
    if (intent === 'RENEW') this.accepted.lifecycle.intents++;
    else this.accepted.lifecycle.notInterested++;
  }

  private async renewalOpinion(step: Step, s: PlannedStructure): Promise<void> {
    const token = await this.tokens.prefecture(s.departmentCode);
    const opinion = s.prefectOpinion ?? 'favorable';
    const comment =
      opinion === 'favorable'
        ? `Structure active, conseillers bien intégrés au réseau local : avis favorable au renouvellement (${s.key}).`
        : `Activité insuffisante constatée, pas de cofinancement local : avis défavorable au renouvellement (${s.key}).`;
    const anct = await this.tokens.anct();
    const id = this.structureId(s);
    await this.create(
      (key) => this.client.post(`/api/v1/structures/${id}/prefect-opinions`, { opinion, comment }, { token, idempotencyKey: key }),
      KEY(this.seed, 'renewal-opinion', s.key, step.month),
      async () => (await this.client.get(`/api/v1/structures/${id}/prefect-opinions`, { token: anct })).body.items.find((o: any) => o.comment === comment && o.givenAt >= step.clock),
    );
    this.accepted.prefectOpinions++;
    this.accepted.lifecycle.opinions++;
  }

  private async renewalDecision(c: PlannedContract): Promise<void> {
    const s = this.plan.structures[c.structure];
    const anct = await this.tokens.anct();
    const approved = (s.prefectOpinion ?? 'favorable') === 'favorable';
    const reason = approved ? 'Renouvellement accordé (comité de reconventionnement)' : 'Renouvellement refusé après l’avis défavorable du préfet';
    const contractId = this.contractId(c);
    await this.create(
      (key) =>
        this.client.post(`/api/v1/renewals/${contractId}/decision`, { approved, reason }, {
          token: anct,
          idempotencyKey: key,
          // The préfet's opinion reaches the saga as an event of the structures service.
          awaitDependency: { ms: 60_000, conflictCodes: ['NOT_ALLOWED_NOW'] },
        }),
      KEY(this.seed, 'decision', c.key),
      async () => {
        const view = (await this.client.get(`/api/v1/contracts/${contractId}/lifecycle`, { token: anct })).body;
        return view.renewal?.decision ? view : undefined;
      },
    );
    if (approved) {
      this.accepted.lifecycle.approved++;
      this.approvedRenewals.push(c.index);
    } else {
      this.accepted.lifecycle.refusedByAnct++;
    }
  }

  /**
   * How the approved renewals ended, from the saga itself: RENEWED (financed; the conventions service recorded
   * the renewed contract, or a CDI's financing was renewed) or not (the phase-2 envelope was exhausted…).
   */
  async readRenewalOutcomes(): Promise<Map<number, any>> {
    const anct = await this.tokens.anct();
    const outcomes = new Map<number, any>();
    await Promise.all(
      this.approvedRenewals.map(async (index) => {
        const view = await this.client.get(`/api/v1/contracts/${this.ids.contracts[index]}/lifecycle`, { token: anct });
        outcomes.set(index, view.body);
        const c = this.plan.contracts[index];
        if (view.body.status === 'RENEWED') {
          if (c.type !== 'CDI') this.accepted.lifecycle.renewed++;
        } else {
          this.accepted.lifecycle.notFinanced++;
        }
      }),
    );
    return outcomes;
  }

  private structureId(s: PlannedStructure): string {
    const id = this.ids.structures[s.index];
    if (!id) throw new Error(`structure ${s.key} was not registered (an earlier step failed)`);
    return id;
  }

  private contractId(c: PlannedContract): string {
    const id = this.ids.contracts[c.index];
    if (!id) throw new Error(`contract ${c.key} was not recorded (an earlier step failed)`);
    return id;
  }

  private async register(s: PlannedStructure): Promise<void> {
    const anct = await this.tokens.anct();
    const body = {
      siret: s.siret,
      name: s.name,
      legalStatus: s.legalStatus,
      type: s.type,
      departmentCode: s.departmentCode,
      address: s.address,
      qpv: s.qpv,
      zrr: s.zrr,
      requestedPosts: s.requestedPosts,
      contact: s.contact,
    };
    const lookup = async () => {
      const found = await this.client.get(`/api/v1/structures?siret=${s.siret}`, { token: anct });
      return found.body.items[0]?.id as string | undefined;
    };
    const id = await this.create(
      async (key) => (await this.client.post('/api/v1/structures', body, { token: anct, idempotencyKey: key })).body.id as string,
      KEY(this.seed, 'register', s.key),
      lookup,
    );
    this.ids.structures[s.index] = id;
    this.structureByRuntimeId.set(id, s);
    this.accepted.registrations++;
  }

  private async coselec(s: PlannedStructure, index: number): Promise<void> {
    const anct = await this.tokens.anct();
    const id = this.structureId(s);
    const d = s.decisions[index];
    const body = { opinion: d.opinion, grantedPosts: d.grantedPosts, committeeNumber: d.committee, decidedAt: d.decidedOn, phase: d.phase };
    await this.create(
      (key) => this.client.post(`/api/v1/structures/${id}/coselec-decisions`, body, { token: anct, idempotencyKey: key }),
      KEY(this.seed, 'coselec', s.key, index),
      async () => {
        const history = await this.client.get(`/api/v1/structures/${id}/coselec-decisions`, { token: anct });
        return history.body.items.find((x: any) => x.committeeNumber === d.committee && x.phase === d.phase && x.decidedAt === d.decidedOn);
      },
    );
    if (d.phase === 1) this.accepted.decisions.phase1++;
    else this.accepted.decisions.phase2++;
    if (d.opinion === 'POSITIF') this.accepted.decisions.positive++;
    else if (d.opinion === 'NEGATIF') this.accepted.decisions.negative++;
    else this.accepted.decisions.further++;
  }

  private async abandon(s: PlannedStructure): Promise<void> {
    const anct = await this.tokens.anct();
    const id = this.structureId(s);
    const reason = ABANDON_REASONS[s.index % ABANDON_REASONS.length];
    const answer = await this.client.post(`/api/v1/structures/${id}/status-changes`, { status: 'ABANDON', reason }, { token: anct, expect: [409] });
    if (answer.status === 409) {
      // A retried request whose first attempt did it.
      const now = await this.client.get(`/api/v1/structures/${id}`, { token: anct });
      if (now.body.status !== 'ABANDON') throw new ApiError('POST', `/api/v1/structures/${id}/status-changes`, 409, answer.body);
    }
    this.accepted.abandons++;
  }

  private async prefectOpinion(s: PlannedStructure): Promise<void> {
    const token = await this.tokens.prefecture(s.departmentCode);
    const anct = await this.tokens.anct();
    const id = this.structureId(s);
    const body = { opinion: 'favorable', comment: `Structure active ; conseillers intégrés au réseau local. Avis pour le renouvellement (${s.key}).` };
    await this.create(
      (key) => this.client.post(`/api/v1/structures/${id}/prefect-opinions`, body, { token, idempotencyKey: key }),
      KEY(this.seed, 'prefect-opinion', s.key),
      async () => (await this.client.get(`/api/v1/structures/${id}/prefect-opinions`, { token: anct })).body.items[0],
    );
    this.accepted.prefectOpinions++;
  }

  private async convention(s: PlannedStructure): Promise<void> {
    const plan = s.convention!;
    const id = await this.createAndValidateConvention(s, 1, plan.startDate, plan.posts, plan.signedOn);
    this.ids.conventions[s.index] = id;
    this.accepted.conventions.phase1++;
    this.accepted.conventions.phase1Posts += plan.posts;
  }

  private async createAndValidateConvention(s: PlannedStructure, phase: 1 | 2, startDate: CalendarDate, posts: number, signedAt: CalendarDate): Promise<string> {
    const structureId = this.structureId(s);
    const own = await this.tokens.structure(structureId);
    const anct = await this.tokens.anct();
    const lookup = async () => (await this.client.get(`/api/v1/conventions?structureId=${structureId}&phase=${phase}`, { token: anct })).body.items[0];
    const convention = await this.create(
      async (key) =>
        (
          await this.client.post(`/api/v1/conventions`, { structureId, phase, startDate, posts }, {
            token: own,
            idempotencyKey: key,
            awaitDependency: { ...DEPENDENCY_WAIT, conflictCodes: ['STRUCTURE_NOT_REGISTERED', 'NO_POSITIVE_COSELEC_QUOTA'] },
          })
        ).body,
      KEY(this.seed, 'convention', phase, s.key),
      lookup,
    );
    if (!String(convention.status).endsWith('_VALIDE')) {
      await this.create(
        (key) => this.client.post(`/api/v1/conventions/${convention.id}/validation`, { signedAt }, { token: anct, idempotencyKey: key }),
        KEY(this.seed, 'validation', phase, s.key),
        async () => {
          const now = await this.client.get(`/api/v1/conventions/${convention.id}`, { token: anct });
          return String(now.body.status).endsWith('_VALIDE') ? now : undefined;
        },
      );
    }
    return convention.id as string;
  }

  /** Posts never filled go back (RETRAIT), never one a planned recruitment still needs. */
  private async retrait(s: PlannedStructure): Promise<void> {
    const conventionId = this.ids.conventions[s.index];
    if (!conventionId) throw new Error(`structure ${s.key} has no validated convention`);
    const anct = await this.tokens.anct();
    const vacant = await this.client.all<{ id: string }>(`/api/v1/posts?conventionId=${conventionId}&status=VACANT`, anct);
    const stillNeeded = this.plan.contracts.filter(
      (c) => c.structure === s.index && (c.kind === 'INITIAL' || c.kind === 'REPLACEMENT') && this.ids.contracts[c.index] === undefined,
    ).length;
    const posts = Math.min(s.retrait!.posts, vacant.length - stillNeeded);
    if (posts <= 0) return;
    await this.returnPosts(s, conventionId, vacant.slice(0, posts).map((p) => p.id), 'retrait', 'Postes non pourvus depuis un an : restitués.');
    this.accepted.retraits.posts += posts;
  }

  private async returnPosts(s: PlannedStructure, conventionId: string, postIds: string[], label: string, reason: string): Promise<void> {
    const own = await this.tokens.structure(this.structureId(s));
    const anct = await this.tokens.anct();
    const amendment = await this.create(
      async (key) =>
        (await this.client.post(`/api/v1/conventions/${conventionId}/amendments`, { type: 'RETRAIT', posts: postIds.length, reason, postIds }, { token: own, idempotencyKey: key })).body,
      KEY(this.seed, label, s.key),
      async () => (await this.client.get(`/api/v1/conventions/${conventionId}/amendments`, { token: anct })).body.items.find((a: any) => a.type === 'RETRAIT'),
    );
    if (amendment.status === 'EN_COURS') {
      await this.create(
        (key) => this.client.post(`/api/v1/amendments/${amendment.id}/validation`, {}, { token: anct, idempotencyKey: key }),
        KEY(this.seed, `${label}-validation`, s.key),
        async () => {
          const now = await this.client.get(`/api/v1/amendments/${amendment.id}`, { token: anct });
          return now.body.status === 'VALIDEE' ? now : undefined;
        },
      );
    }
    this.accepted.retraits.amendments++;
  }

  private async contract(c: PlannedContract): Promise<void> {
    const s = this.plan.structures[c.structure];
    const structureId = this.structureId(s);
    const own = await this.tokens.structure(structureId);
    const body = {
      structureId,
      conventionId: this.ids.conventions[s.index],
      conseiller: c.conseiller,
      type: c.type,
      startDate: c.startDate,
      ...(c.endDate ? { endDate: c.endDate } : {}),
      grossMonthlySalaryCents: c.salaryCents,
    };
    const lookup = async () =>
      (await this.client.all(`/api/v1/contracts?structureId=${structureId}`, own)).find(
        (k: any) => k.conseiller.email === c.conseiller.email && k.startDate === c.startDate && k.renewsContractId === null,
      );
    const contract = await this.create(
      async (key) => (await this.client.post('/api/v1/contracts', body, { token: own, idempotencyKey: key })).body,
      KEY(this.seed, 'contract', c.key),
      lookup,
    );
    this.remember(c, contract);
    this.accepted.contracts++;
  }

  private remember(c: PlannedContract, contract: { id: string; postId: string; conseiller: { id: string } }): void {
    this.ids.contracts[c.index] = contract.id;
    this.ids.posts[c.index] = contract.postId;
    this.ids.conseillers[c.index] = contract.conseiller.id;
  }

  private async rupture(c: PlannedContract): Promise<void> {
    const id = this.contractId(c);
    const own = await this.tokens.structure(this.structureId(this.plan.structures[c.structure]));
    await this.create(
      (key) => this.client.post(`/api/v1/contracts/${id}/ruptures`, { reason: c.rupture!.reason, date: c.rupture!.date }, { token: own, idempotencyKey: key }),
      KEY(this.seed, 'rupture', c.key),
      async () => {
        const now = await this.client.get(`/api/v1/contracts/${id}`, { token: own });
        return now.body.status === 'ROMPU' ? now : undefined;
      },
    );
    this.accepted.ruptures++;
  }

  private async waiverCertification(c: PlannedContract): Promise<void> {
    const t = c.training!;
    const cert = t.certifications[0];
    const token = await this.tokens.lot(t.lot);
    const anct = await this.tokens.anct();
    const conseillerId = this.ids.conseillers[c.index];
    const body = { contractId: this.contractId(c), kind: 'CCP', ccpBlocks: cert.blocks, obtainedAt: cert.on, certifier: 'AFPA' };
    const recorded = await this.create(
      async (key) => (await this.client.post('/api/v1/certifications', body, { token, idempotencyKey: key, awaitDependency: DEPENDENCY_WAIT })).body,
      KEY(this.seed, 'waiver-certification', c.key),
      async () => (await this.client.get(`/api/v1/certifications?conseillerId=${conseillerId}&kind=CCP`, { token: anct })).body.items[0],
    );
    this.ids.waiverCertifications[c.index] = recorded.certificationId;
    this.accepted.certifications.CCP++;
  }

  private async enrol(c: PlannedContract): Promise<void> {
    const t = c.training!;
    const token = await this.tokens.lot(t.lot);
    const anct = await this.tokens.anct();
    const conseillerId = this.ids.conseillers[c.index];
    const waiver = t.pathwayHours === null;
    const body = {
      contractId: this.contractId(c),
      lot: t.lot,
      startDate: t.startDate,
      positioning: {
        date: t.positioningOn,
        result: waiver ? 'Certification CCP1 déjà obtenue, expérience de médiation confirmée : dérogation.' : `Positionnement à l’embauche : parcours de ${t.pathwayHours} h.`,
      },
      ...(waiver
        ? {
            derogation: {
              certificationId: this.ids.waiverCertifications[c.index],
              mediationExperience: 'Trois ans d’animation d’ateliers numériques en médiathèque et en centre social.',
              justification: 'Titulaire du CCP1 du titre RNCP visé, expérience de médiation numérique attestée par l’employeur.',
            },
          }
        : { pathwayHours: t.pathwayHours }),
    };
    const enrolment = await this.create(
      async (key) => (await this.client.post('/api/v1/training/enrolments', body, { token, idempotencyKey: key, awaitDependency: DEPENDENCY_WAIT })).body,
      KEY(this.seed, 'enrol', c.key),
      async () => (await this.client.get(`/api/v1/training/enrolments?conseillerId=${conseillerId}`, { token: anct })).body.items[0],
    );
    this.ids.enrolments[c.index] = enrolment.enrolmentId;
    if (waiver) this.accepted.enrolments.waiver++;
    else this.accepted.enrolments.pathway++;
  }

  private async complete(c: PlannedContract): Promise<void> {
    const t = c.training!;
    const id = this.ids.enrolments[c.index];
    if (!id) throw new Error(`contract ${c.key}: no enrolment to complete`);
    const token = await this.tokens.lot(t.lot);
    const body =
      t.outcome === 'COMPLETED'
        ? { outcome: 'COMPLETED', endDate: t.endDate, hoursAttended: t.hours }
        : { outcome: 'ABANDONED', endDate: t.endDate, hoursAttended: t.hours, reason: 'Abandon pour raisons personnelles.' };
    await this.create(
      (key) => this.client.post(`/api/v1/training/enrolments/${id}/completion`, body, { token, idempotencyKey: key }),
      KEY(this.seed, 'completion', c.key),
      async () => {
        const now = await this.client.get(`/api/v1/training/enrolments/${id}`, { token });
        return now.body.status !== 'ONGOING' ? now : undefined;
      },
    );
    if (t.outcome === 'COMPLETED') this.accepted.completions.completed++;
    else this.accepted.completions.abandoned++;
  }

  private async certify(c: PlannedContract, index: number): Promise<void> {
    const t = c.training!;
    const cert = t.certifications[index];
    const token = await this.tokens.lot(t.lot);
    const anct = await this.tokens.anct();
    const conseillerId = this.ids.conseillers[c.index];
    if (!conseillerId) throw new Error(`contract ${c.key} was not recorded`);
    const body =
      cert.kind === 'PIX'
        ? { conseillerId, kind: 'PIX', pixScorePercent: cert.pixScore, obtainedAt: cert.on, certifier: 'GIP Pix' }
        : { conseillerId, kind: 'CCP', ccpBlocks: cert.blocks, obtainedAt: cert.on, certifier: 'AFPA' };
    await this.create(
      (key) => this.client.post('/api/v1/certifications', body, { token, idempotencyKey: key, awaitDependency: DEPENDENCY_WAIT }),
      KEY(this.seed, 'certification', c.key, index),
      async () =>
        (await this.client.get(`/api/v1/certifications?conseillerId=${conseillerId}&kind=${cert.kind}`, { token: anct })).body.items.find((x: any) => x.obtainedAt === cert.on),
    );
    this.accepted.certifications[cert.kind]++;
  }

  /** The end-of-service report of the phase-1 subsidy of the contract's post: its last tranche becomes due. */
  private async finalReport(step: Step, c: PlannedContract): Promise<void> {
    const postId = this.ids.posts[c.index];
    if (!postId) throw new Error(`contract ${c.key} was not recorded`);
    const anct = await this.tokens.anct();
    const commitment = await this.waitFor(async () => (await this.client.get(`/api/v1/commitments?postId=${postId}&phase=1`, { token: anct })).body.items[0], 60_000);
    if (!commitment) throw new Error(`no phase-1 commitment for post ${postId} (contract ${c.key})`);
    if (commitment.finalReportOn) return;
    await this.create(
      (key) => this.client.post(`/api/v1/commitments/${commitment.id}/final-report`, { receivedOn: step.today }, { token: anct, idempotencyKey: key }),
      KEY(this.seed, 'final-report', c.key),
      async () => {
        const now = (await this.client.get(`/api/v1/commitments/${commitment.id}`, { token: anct })).body;
        return now.finalReportOn ? now : undefined;
      },
    );
    this.accepted.finalReports++;
  }

  /** Phase 2: the renewal convention, signed the day its structure's first renewal is prepared. */
  private async renewalConvention(step: Step, s: PlannedStructure): Promise<void> {
    const plan = s.renewal!;
    const id = await this.createAndValidateConvention(s, 2, plan.startDate, plan.posts, step.today);
    this.ids.renewalConventions[s.index] = id;
    this.accepted.conventions.phase2++;
    this.accepted.conventions.phase2Posts += plan.posts;
  }

  /**
   * How many renewals the structure's phase-2 subsidies finance: the subsidies service commits (or refuses,
   * when the envelope is exhausted) each post from the ConventionValidated event. Refused posts go back at
   * once (RETRAIT), so a renewal only ever lands on a financed post. Asked once per structure.
   */
  private async renewalFinancing(s: PlannedStructure): Promise<{ financed: number; used: number } | undefined> {
    const known = this.financedRenewalPosts.get(s.index);
    if (known) return known;
    const id = this.ids.renewalConventions[s.index];
    if (!id) return undefined;
    const anct = await this.tokens.anct();
    const structureId = this.structureId(s);
    const posts = s.renewal!.posts;
    const outcome = await this.waitFor(async () => {
      const committed = await this.client.total(`/api/v1/commitments?conventionId=${id}&phase=2`, anct);
      if (committed >= posts) return { committed, refused: [] as any[] };
      const refused = (await this.client.all(`/api/v1/commitments/refusals?structureId=${structureId}`, anct)).filter((r: any) => r.conventionId === id);
      return committed + refused.length >= posts ? { committed, refused } : undefined;
    }, 90_000);
    if (!outcome) throw new Error(`phase-2 convention ${id} of ${s.key}: the subsidies service did not commit nor refuse its posts in time`);
    const refusedPosts = [...new Set(outcome.refused.map((r: any) => r.postId as string))];
    if (refusedPosts.length > 0) {
      await this.returnPosts(s, id, refusedPosts, 'renewal-retrait', 'Renouvellement non financé : enveloppe épuisée, postes restitués.');
      this.accepted.retraits.refusedRenewalPosts += refusedPosts.length;
    }
    const financing = { financed: outcome.committed, used: 0 };
    this.financedRenewalPosts.set(s.index, financing);
    return financing;
  }

  private async renew(c: PlannedContract): Promise<void> {
    const next = this.plan.contracts[c.renewedBy!];
    const s = this.plan.structures[c.structure];
    const previousId = this.contractId(c);
    let conventionId: string | undefined;
    if (next.kind === 'RENEWAL_PHASE2') {
      const financing = await this.renewalFinancing(s);
      conventionId = this.ids.renewalConventions[s.index];
      if (!conventionId || !financing || financing.used >= financing.financed) {
        this.accepted.renewals.phase2NotFinanced++;
        return;
      }
      financing.used++;
    }
    const own = await this.tokens.structure(this.structureId(s));
    const body = {
      type: next.type,
      startDate: next.startDate,
      ...(next.endDate ? { endDate: next.endDate } : {}),
      grossMonthlySalaryCents: next.salaryCents,
      ...(conventionId ? { conventionId } : {}),
    };
    const renewed = await this.create(
      async (key) => (await this.client.post(`/api/v1/contracts/${previousId}/renewals`, body, { token: own, idempotencyKey: key })).body,
      KEY(this.seed, 'renewal', c.key),
      async () => (await this.client.all(`/api/v1/contracts?structureId=${s && this.structureId(s)}`, own)).find((k: any) => k.renewsContractId === previousId),
    );
    this.remember(next, renewed);
    if (next.kind === 'RENEWAL_PHASE2') this.accepted.renewals.phase2++;
    else this.accepted.renewals.phase1++;
  }

  // ---------------------------------------------------------------------------------------------- money

  /** Each préfecture orders the due tranches of its département. */
  private async orderDueTranches(step: Step): Promise<void> {
    const anct = await this.tokens.anct();
    const due = await this.client.all<{ id: string; departmentCode: string }>('/api/v1/tranches?status=DUE', anct);
    await Promise.all(
      due.map(async (t) => {
        try {
          const token = await this.tokens.prefecture(t.departmentCode);
          const bdt = await this.tokens.bdt();
          const answer = await this.create(
            (key) => this.client.post(`/api/v1/tranches/${t.id}/payment-orders`, undefined, { token, idempotencyKey: key, expect: [409] }),
            KEY(this.seed, 'order', t.id, step.month),
            // An order of this tranche placed today and not returned: the lost answer's.
            async () => {
              const orders = (await this.client.get(`/api/v1/payment-orders?trancheId=${t.id}`, { token: bdt })).body.items;
              const mine = orders.find((o: any) => o.status !== 'RETURNED' && o.orderedOn === step.today);
              return mine ? { status: 201, body: mine, headers: {} } : undefined;
            },
          );
          if (answer.status < 300) this.accepted.paymentOrders++;
        } catch (error) {
          this.fail(step, `order tranche ${t.id}`, error);
        }
      }),
    );
  }

  /** The Banque des Territoires pays every ordered tranche on the day. */
  private async executeOrders(step: Step): Promise<void> {
    const bdt = await this.tokens.bdt();
    const orders = await this.client.all<{ id: string; reference: string; amountCents: number; structureId: string }>('/api/v1/payment-orders?status=ORDERED', bdt);
    await Promise.all(
      orders.map(async (o) => {
        try {
          const s = this.structureByRuntimeId.get(o.structureId);
          if (!s) throw new Error(`payment order ${o.id} is for an unknown structure ${o.structureId}`);
          const body = { bankReference: `VIR-${o.reference}`, executedOn: step.today, amountCents: o.amountCents, beneficiaryIban: s.iban, beneficiaryName: s.name.slice(0, 140) };
          const answer = await this.create(
            (key) => this.client.post(`/api/v1/payment-orders/${o.id}/executions`, body, { token: bdt, idempotencyKey: key, expect: [409] }),
            KEY(this.seed, 'execution', o.id),
            async () => {
              const now = (await this.client.get(`/api/v1/payment-orders/${o.id}`, { token: bdt })).body;
              return now.execution?.bankReference === body.bankReference ? { status: 201, body: now, headers: {} } : undefined;
            },
          );
          if (answer.status >= 300) return;
          this.accepted.executions++;
          this.pendingStatement.push({ reference: o.reference, amountCents: o.amountCents, iban: s.iban, name: s.name.slice(0, 140), executedOn: step.today });
        } catch (error) {
          this.fail(step, `execute order ${o.id}`, error);
        }
      }),
    );
  }

  /** The bank statement of the payments made since the previous statement; a few payments come back (closed account). */
  private async uploadStatement(step: Step): Promise<void> {
    const lines = this.pendingStatement.filter((e) => e.executedOn < step.today);
    if (lines.length === 0) return;
    this.pendingStatement = this.pendingStatement.filter((e) => e.executedOn >= step.today);
    const statementId = `RELEVE-${step.month}`;
    const rows = ['statement_id,entry_reference,booking_date,direction,amount,currency,payment_reference,beneficiary_iban,beneficiary_name,return_reason'];
    let entry = 0;
    let returns = 0;
    for (const e of lines) {
      const booking = addDays(e.executedOn, 1);
      const amount = (e.amountCents / 100).toFixed(2);
      rows.push([statementId, `E-${step.month}-${++entry}`, booking, 'DBIT', amount, 'EUR', e.reference, e.iban, csvField(e.name), ''].join(','));
      if (this.bank.chance(0.004)) {
        rows.push([statementId, `E-${step.month}-${++entry}`, addDays(booking, 3), 'CRDT', amount, 'EUR', e.reference, e.iban, csvField(e.name), 'AC04'].join(','));
        returns++;
      }
    }
    const bdt = await this.tokens.bdt();
    try {
      // The same statement again answers its first reconciliation: a key lost with a killed service is simply replaced.
      const answer = await this.create(
        (key) => this.client.post('/api/v1/reconciliations', `${rows.join('\n')}\n`, { token: bdt, contentType: 'text/csv', idempotencyKey: key }),
        KEY(this.seed, 'statement', step.month),
        async () => undefined,
      );
      this.accepted.statements++;
      this.accepted.statementLines += rows.length - 1;
      this.accepted.matchedLines += answer.body.counts?.MATCHED ?? 0;
      this.accepted.returnedLines += answer.body.counts?.RETURN ?? 0;
      if ((answer.body.counts?.MATCHED ?? 0) !== lines.length || (answer.body.counts?.RETURN ?? 0) !== returns) {
        this.fail(step, `statement ${statementId}`, new Error(`expected ${lines.length} matched and ${returns} returned lines, the report says ${JSON.stringify(answer.body.counts)}`));
      }
    } catch (error) {
      this.fail(step, `statement ${statementId}`, error);
    }
  }

  private async naturalEnds(step: Step): Promise<void> {
    const anct = await this.tokens.anct();
    try {
      const answer = await this.client.post('/api/v1/contracts/natural-end-runs', undefined, { token: anct, businessOperation: false });
      this.accepted.naturalEnds += Number(answer.body?.ended ?? answer.body?.count ?? 0);
    } catch (error) {
      this.fail(step, 'natural-end run', error);
    }
  }

  private async snapshot(step: Step): Promise<void> {
    const anct = await this.tokens.anct();
    const balances = (await this.client.get<any[]>('/api/v1/ledger/balances?by=envelope', { token: anct })).body;
    const byPhase: MoneySnapshot['byPhase'] = { '1': { committedCents: 0, paidCents: 0, reconciledCents: 0 }, '2': { committedCents: 0, paidCents: 0, reconciledCents: 0 } };
    const total = { committedCents: 0, orderedCents: 0, paidCents: 0, reconciledCents: 0 };
    for (const b of balances) {
      const phase = b.key === 'france-relance-2020' ? '1' : '2';
      byPhase[phase].committedCents += b.committedCents;
      byPhase[phase].paidCents += b.paidCents;
      byPhase[phase].reconciledCents += b.reconciledCents;
      total.committedCents += b.committedCents;
      total.orderedCents += b.orderedCents;
      total.paidCents += b.paidCents;
      total.reconciledCents += b.reconciledCents;
    }
    this.money.push({ month: step.month, today: step.today, ...total, byPhase });
  }

  private async waitFor<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
    const deadline = Date.now() + ms;
    for (let delay = 50; ; delay = Math.min(1000, delay * 2)) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) return undefined;
      await sleep(delay);
    }
  }
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function describe(action: Action, plan: Plan): string {
  if ('s' in action) return `${action.kind} ${plan.structures[action.s].key}`;
  return `${action.kind} ${plan.contracts[action.c].key}`;
}
