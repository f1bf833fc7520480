import { addDays, addMonths, monthsBetween, startOfDay, toCalendarDate } from './calendar';

/**
 * The contract lifecycle saga, as one pure function: `decide(state, message)` returns the new
 * state, the messages to send, and the deadlines to schedule or cancel. No I/O, no clock: the
 * message carries its time. Replaying a message, or receiving one for a state already left, never
 * does anything twice.
 *
 *   ACTIVE ──reminder──▶ EXPIRY_APPROACHING ──intent RENEW──▶ RENEWAL_REQUESTED ──ANCT approves──▶
 *   RENEWAL_APPROVED ──subsidy committed──▶ RENEWAL_FINANCED ──renewed contract recorded──▶ RENEWED
 *
 *   exits: intent NOT_INTERESTED, ANCT refusal, commitment refused, no decision before the deadline,
 *          end date reached ─▶ NOT_RENEWED ──contract ended──▶ ENDED;   rupture (any time) ─▶ RUPTURED
 *
 * A CDI has no end: it is followed until the end of its State financing (its convention's, or the
 * 36 months of the phase-2 subsidy that renewed it). Renewing it renews its financing (the contract
 * goes on, nothing to record: financed ─▶ RENEWED at once); without renewal the saga ENDS at the
 * financing end (the CDI continues at the structure's charge; there is no natural end to announce).
 *
 * Compensations (a commitment that must not stay behind is released by `CancelRenewalFinancing`):
 * rupture or end of the contract after approval, end date reached before the commitment, a
 * commitment arriving after the renewal was abandoned, a renewal that could not be recorded before
 * the contract ended.
 */
export const LIFECYCLE_STATUSES = [
  'ACTIVE', 'EXPIRY_APPROACHING', 'RENEWAL_REQUESTED', 'RENEWAL_APPROVED', 'RENEWAL_FINANCED', 'RENEWED',
  'NOT_RENEWED', 'ENDED', 'RUPTURED',
] as const;
export type LifecycleStatus = (typeof LIFECYCLE_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<LifecycleStatus> = new Set(['RENEWED', 'ENDED', 'RUPTURED']);
/** Statuses in which the contract still has to be renewed or not (what the forecast counts as to be financed). */
export const UNDECIDED_STATUSES: ReadonlySet<LifecycleStatus> = new Set(['ACTIVE', 'EXPIRY_APPROACHING', 'RENEWAL_REQUESTED', 'RENEWAL_APPROVED']);
const OPEN_FOR_RENEWAL: ReadonlySet<LifecycleStatus> = new Set(['ACTIVE', 'EXPIRY_APPROACHING']);

export type ContractType = 'CDI' | 'CDD' | 'PEC' | 'CONTRAT_DE_PROJET_PUBLIC';

export interface ContractFacts {
  contractId: string;
  structureId: string;
  conventionId: string;
  postId: string;
  conseillerId: string;
  departmentCode: string;
  legalStatus: 'PUBLIC' | 'PRIVATE';
  /** From the convention's structure snapshot (false until the convention is known). */
  qpv: boolean;
  zrr: boolean;
  /** The convention (financing end, QPV/ZRR) has been seen; a renewal is not decided before. */
  conventionKnown: boolean;
  contractType: ContractType;
  startDate: string;
  /** First start of a chain of private-law CDDs renewing one another (the 18-month limit counts from it). */
  chainStart?: string;
  /** What finances the post: its convention, or the phase-2 subsidy of the renewal this contract comes from. */
  financing?: 'CONVENTION' | 'RENEWAL';
  /** The contract's end date; for a CDI, the end of its State financing (null until known). */
  followUntil: string | null;
}

export interface RenewalTerms {
  contractType: ContractType;
  startDate: string;
  endDate: string | null;
  /** Gross monthly salary of the renewed contract (integer cents); not needed when a CDI's financing is renewed. */
  grossMonthlySalaryCents?: number;
}

export interface Renewal {
  terms: RenewalTerms;
  requestedAt: string;
  prefectOpinion?: { opinion: 'favorable' | 'defavorable'; at: string };
  decision?: { approved: boolean; reason: string; at: string };
  /** The id of the commitment request sent to the subsidies service (answers carry it). */
  requestId?: string;
  commitment?: { commitmentId: string; amountCents: number; at: string; budgetEnvelopeId?: string };
  refusal?: string;
  /** A compensation asked the subsidies service to release what this renewal committed. */
  releaseRequested?: boolean;
  newContractId?: string;
}

export interface HistoryEntry {
  at: string;
  message: string;
  from: LifecycleStatus | null;
  to: LifecycleStatus;
  detail?: string;
}

export interface LifecycleState {
  contractId: string;
  status: LifecycleStatus;
  facts: ContractFacts;
  remindersSent: ReminderMonths[];
  renewal?: Renewal;
  /** Why the contract was not renewed, or how it ended. */
  outcome?: string;
  /** The end of the contract was announced (ContractEndDue): the conventions service ends it. */
  endAnnounced?: boolean;
  history: HistoryEntry[];
}

export type ReminderMonths = 6 | 3 | 1;
export const REMINDER_MONTHS: readonly ReminderMonths[] = [6, 3, 1];

export type DeadlineKind = 'REMINDER_6M' | 'REMINDER_3M' | 'REMINDER_1M' | 'DECISION_DUE' | 'END_DATE';
export const DEADLINE_KINDS: readonly DeadlineKind[] = ['REMINDER_6M', 'REMINDER_3M', 'REMINDER_1M', 'DECISION_DUE', 'END_DATE'];

/** Days before the end date by which ANCT must have decided a renewal request. */
export const DECISION_DAYS_BEFORE_END = 15;
/** Longest a private-law CDD may last, renewals included, before requalification risk. */
export const PRIVATE_CDD_MAX_MONTHS = 18;
/** A renewal is financed by a new 36-month (phase-2) subsidy convention. */
export const PHASE2_FINANCED_MONTHS = 36;

export type RejectionStage = 'STRUCTURE' | 'ANCT' | 'FINANCING' | 'DEADLINE' | 'CONTRACT_END';

export type LifecycleMessage =
  | { kind: 'ContractSigned'; at: Date; facts: ContractFacts }
  /** The contract's convention became known after its signature (events of two topics, in any order). */
  | { kind: 'ConventionKnown'; at: Date; financedUntil: string; qpv: boolean; zrr: boolean }
  | { kind: 'DeadlineFired'; at: Date; deadline: DeadlineKind }
  | { kind: 'RenewalIntentDeclared'; at: Date; intent: 'RENEW'; terms: RenewalTerms }
  | { kind: 'RenewalIntentDeclared'; at: Date; intent: 'NOT_INTERESTED'; reason: string }
  | { kind: 'PrefectOpinionGiven'; at: Date; opinion: 'favorable' | 'defavorable' }
  | { kind: 'RenewalDecided'; at: Date; approved: boolean; reason: string }
  | { kind: 'FinancingCommitted'; at: Date; commitmentId: string; amountCents: number; budgetEnvelopeId?: string }
  | { kind: 'FinancingRefused'; at: Date; reason: string }
  | { kind: 'ContractRenewed'; at: Date; newContractId: string }
  | { kind: 'ContractRuptured'; at: Date; reason: string; date: string }
  | { kind: 'ContractEnded'; at: Date };

/** What the saga asks the rest of the platform to do (the service maps them to events). */
export type LifecycleOutput =
  | { kind: 'ExpiryApproaching'; monthsBeforeEnd: ReminderMonths; endDate: string }
  | { kind: 'RenewalRequested'; terms: RenewalTerms }
  | { kind: 'RequestRenewalFinancing'; terms: RenewalTerms; requestId: string }
  /** `recordContract`: a new contract must be recorded (false when a CDI's financing is renewed: the CDI goes on). */
  | { kind: 'RenewalFinanced'; terms: RenewalTerms; commitmentId: string; amountCents: number; recordContract: boolean }
  | { kind: 'RenewalRejected'; reason: string; stage: RejectionStage }
  /** Compensation: a commitment made for a renewal that will not happen must be released. */
  | { kind: 'CancelRenewalFinancing'; reason: string; requestId: string; commitmentId: string | null }
  | { kind: 'ContractEndDue'; endDate: string };

export interface DeadlineSpec {
  kind: DeadlineKind;
  dueAt: Date;
}

/** Why a command was refused: the caller's mistake (terms), the saga's state, or an unknown contract. */
export type RefusalCode = 'UNKNOWN_CONTRACT' | 'INVALID_TERMS' | 'NOT_ALLOWED_NOW';

export interface Decision {
  state: LifecycleState | null;
  outputs: LifecycleOutput[];
  schedule: DeadlineSpec[];
  cancel: DeadlineKind[];
  /** Set when a command (REST) is refused: the reason, with nothing changed. */
  refused?: string;
  refusedCode?: RefusalCode;
}

const nothing = (state: LifecycleState | null): Decision => ({ state, outputs: [], schedule: [], cancel: [] });
const refuse = (state: LifecycleState | null, reason: string, code: RefusalCode = 'NOT_ALLOWED_NOW'): Decision => ({
  ...nothing(state), refused: reason, refusedCode: code,
});

const ALL_DEADLINES: DeadlineKind[] = [...DEADLINE_KINDS];

/** The commitment request id of a contract's renewal: one renewal per saga, so one id, the same on every replay. */
export const renewalRequestIdOf = (contractId: string) => `renewal-${contractId}`;

export function decide(state: LifecycleState | null, message: LifecycleMessage): Decision {
  if (message.kind === 'ContractSigned') return start(state, message);
  if (!state) return refuse(null, 'unknown contract: its lifecycle has not started', 'UNKNOWN_CONTRACT');
  if (FINAL_STATUSES.has(state.status)) return lateMessage(state, message);

  switch (message.kind) {
    case 'ConventionKnown':
      return conventionKnown(state, message);
    case 'DeadlineFired':
      return deadline(state, message);
    case 'RenewalIntentDeclared':
      return intent(state, message);
    case 'PrefectOpinionGiven':
      return opinion(state, message);
    case 'RenewalDecided':
      return decision(state, message);
    case 'FinancingCommitted':
      return committed(state, message);
    case 'FinancingRefused':
      return financingRefused(state, message);
    case 'ContractRenewed':
      return renewed(state, message);
    case 'ContractRuptured':
      return close(state, message, 'RUPTURED', `rupture (${message.reason}) on ${message.date}`);
    case 'ContractEnded':
      return close(state, message, 'ENDED', state.status === 'RENEWAL_FINANCED' ? 'contract ended before its renewal was recorded' : 'contract ended at its end date');
  }
}

function start(state: LifecycleState | null, message: Extract<LifecycleMessage, { kind: 'ContractSigned' }>): Decision {
  if (state) return nothing(state); // duplicate
  const facts = message.facts;
  const initial: LifecycleState = {
    contractId: facts.contractId,
    status: 'ACTIVE',
    facts,
    remindersSent: [],
    history: [{ at: message.at.toISOString(), message: 'ContractSigned', from: null, to: 'ACTIVE', detail: `${facts.contractType} until ${facts.followUntil ?? 'open-ended'}` }],
  };
  return { state: initial, outputs: [], schedule: scheduleUntil(facts.followUntil, message.at), cancel: [] };
}

/** The deadlines of a saga followed until `end`, as seen at `at`. */
function scheduleUntil(end: string | null, at: Date): DeadlineSpec[] {
  if (!end) return [];
  return [
    // A reminder already past when the contract is signed (a short contract) is not sent.
    ...REMINDER_MONTHS.map((months) => ({ kind: reminderKind(months), dueAt: startOfDay(addMonths(end, -months)) })).filter(
      (d) => d.dueAt.getTime() > at.getTime(),
    ),
    { kind: 'DECISION_DUE' as const, dueAt: startOfDay(addDays(end, -DECISION_DAYS_BEFORE_END)) },
    // The contract has ended once its last day is over.
    { kind: 'END_DATE' as const, dueAt: startOfDay(addDays(end, 1)) },
  ];
}

function conventionKnown(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'ConventionKnown' }>): Decision {
  if (state.facts.conventionKnown) return nothing(state); // duplicate, or known at signature
  const facts: ContractFacts = { ...state.facts, qpv: message.qpv, zrr: message.zrr, conventionKnown: true };
  // A CDI financed by its convention is followed until the convention's financing end, now known.
  const follows = facts.contractType === 'CDI' && facts.followUntil === null && facts.financing !== 'RENEWAL';
  if (follows) facts.followUntil = message.financedUntil;
  const next = transition(state, message, state.status, follows ? `financed until ${message.financedUntil}` : 'convention known');
  next.facts = facts;
  return { state: next, outputs: [], schedule: follows ? scheduleUntil(facts.followUntil, message.at) : [], cancel: [] };
}

function deadline(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'DeadlineFired' }>): Decision {
  const end = state.facts.followUntil;
  if (!end) return nothing(state);
  switch (message.deadline) {
    case 'REMINDER_6M':
    case 'REMINDER_3M':
    case 'REMINDER_1M': {
      const months = reminderMonths(message.deadline);
      // A reminder that fires late (after a restart) and is already overtaken by a closer one — sent,
      // or due by now too — stays silent; so does one firing after the end date.
      const dueOf = (m: ReminderMonths) => startOfDay(addMonths(end, -m)).getTime();
      const overtaken =
        state.remindersSent.some((sent) => sent <= months) ||
        REMINDER_MONTHS.some((m) => m < months && dueOf(m) <= message.at.getTime()) ||
        message.at.getTime() >= startOfDay(addDays(end, 1)).getTime();
      if (overtaken || !['ACTIVE', 'EXPIRY_APPROACHING', 'RENEWAL_REQUESTED', 'RENEWAL_APPROVED'].includes(state.status)) return nothing(state);
      const next = transition(state, message, state.status === 'ACTIVE' ? 'EXPIRY_APPROACHING' : state.status, `${months} month(s) before ${end}`);
      next.remindersSent = [...state.remindersSent, months];
      return { state: next, outputs: [{ kind: 'ExpiryApproaching', monthsBeforeEnd: months, endDate: end }], schedule: [], cancel: [] };
    }
    case 'DECISION_DUE': {
      if (!['ACTIVE', 'EXPIRY_APPROACHING', 'RENEWAL_REQUESTED'].includes(state.status)) return nothing(state);
      const reason = state.status === 'RENEWAL_REQUESTED' ? 'no ANCT decision before the decision deadline' : 'no renewal requested before the decision deadline';
      const next = transition(state, message, 'NOT_RENEWED', reason);
      next.outcome = reason;
      return { state: next, outputs: [{ kind: 'RenewalRejected', reason, stage: 'DEADLINE' }], schedule: [], cancel: [] };
    }
    case 'END_DATE':
      return endDateReached(state, message, end);
  }
}

function endDateReached(state: LifecycleState, message: LifecycleMessage, end: string): Decision {
  if (state.endAnnounced) return nothing(state);
  if (state.status === 'RENEWAL_FINANCED') {
    // The renewal should have been recorded by now (the conventions service does it as soon as it is
    // financed). Announce the end anyway: a contract already renewed is left alone, one that could not
    // be renewed ends, and its end (ContractEnded) releases the commitment.
    const next = transition(state, message, state.status, `end date ${end} reached before the renewal was recorded`);
    next.endAnnounced = true;
    return { state: next, outputs: [{ kind: 'ContractEndDue', endDate: end }], schedule: [], cancel: [] };
  }
  const outputs: LifecycleOutput[] = [];
  if (state.status !== 'NOT_RENEWED') {
    const stage: RejectionStage = 'CONTRACT_END';
    const reason =
      state.status === 'RENEWAL_APPROVED'
        ? 'the contract reached its end date before its renewal was financed'
        : state.facts.contractType === 'CDI'
          ? 'the State financing of the CDI reached its end without renewal'
          : 'the contract reached its end date without renewal';
    outputs.push({ kind: 'RenewalRejected', reason, stage });
    if (state.status === 'RENEWAL_APPROVED') outputs.push(cancelFinancing(state, 'contract ended before the renewal was financed'));
  }
  if (state.facts.contractType === 'CDI') {
    // A CDI has no natural end: what ends is the State financing of its post.
    const next = transition(state, message, 'ENDED', `State financing ended on ${end}; the CDI continues without it`);
    next.outcome = state.outcome ? `${state.outcome}; State financing ended on ${end}` : `State financing ended on ${end}`;
    if (state.status === 'RENEWAL_APPROVED' && next.renewal) next.renewal = { ...next.renewal, releaseRequested: true };
    return { state: next, outputs, schedule: [], cancel: ALL_DEADLINES };
  }
  outputs.push({ kind: 'ContractEndDue', endDate: end });
  const next = transition(state, message, 'NOT_RENEWED', `end date ${end} reached`);
  next.outcome ??= 'not renewed';
  next.endAnnounced = true;
  if (state.status === 'RENEWAL_APPROVED' && next.renewal) next.renewal = { ...next.renewal, releaseRequested: true };
  return { state: next, outputs, schedule: [], cancel: [] };
}

function intent(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'RenewalIntentDeclared' }>): Decision {
  if (!OPEN_FOR_RENEWAL.has(state.status)) return refuse(state, `a renewal intent cannot be declared in status ${state.status}`);
  if (message.intent === 'NOT_INTERESTED') {
    const next = transition(state, message, 'NOT_RENEWED', message.reason);
    next.outcome = `structure not interested: ${message.reason}`;
    return { state: next, outputs: [{ kind: 'RenewalRejected', reason: next.outcome, stage: 'STRUCTURE' }], schedule: [], cancel: ['DECISION_DUE'] };
  }
  if (!state.facts.followUntil) return refuse(state, "the end of this contract's financing is not known yet: its convention has not been seen");
  const problem = renewalTermsProblem(state.facts, message.terms);
  if (problem) return refuse(state, problem, 'INVALID_TERMS');
  const next = transition(state, message, 'RENEWAL_REQUESTED', `${message.terms.contractType} from ${message.terms.startDate}`);
  next.renewal = { terms: message.terms, requestedAt: message.at.toISOString() };
  return { state: next, outputs: [{ kind: 'RenewalRequested', terms: message.terms }], schedule: [], cancel: [] };
}

/** Why the proposed renewal terms are not acceptable, or null. */
export function renewalTermsProblem(facts: ContractFacts, terms: RenewalTerms): string | null {
  const end = facts.followUntil;
  if (end && terms.startDate !== addDays(end, 1)) return `the renewed contract must start the day after the current one ends (${addDays(end, 1)})`;
  if (facts.contractType === 'CDI' && terms.contractType !== 'CDI') {
    return 'a CDI goes on: its renewal renews the financing of its post (contractType CDI, no end date)';
  }
  if (facts.contractType !== 'CDI') {
    const salary = terms.grossMonthlySalaryCents;
    if (salary === undefined || !Number.isSafeInteger(salary) || salary <= 0) return 'the gross monthly salary of the renewed contract is required (integer cents)';
  }
  if (terms.contractType === 'CDI') {
    if (terms.endDate !== null) return 'a CDI has no end date';
    return null;
  }
  if (!terms.endDate) return `a ${terms.contractType} needs an end date`;
  if (terms.endDate <= terms.startDate) return 'the end date must be after the start date';
  if (facts.legalStatus === 'PRIVATE' && terms.contractType === 'CDD' && facts.contractType === 'CDD') {
    const total = monthsBetween(facts.chainStart ?? facts.startDate, addDays(terms.endDate, 1));
    if (total > PRIVATE_CDD_MAX_MONTHS) {
      return `a private-law CDD cannot be extended beyond ${PRIVATE_CDD_MAX_MONTHS} months (this renewal would make ${total}): renew it as another contract form, e.g. a CDI`;
    }
  }
  return null;
}

function opinion(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'PrefectOpinionGiven' }>): Decision {
  if (state.status !== 'RENEWAL_REQUESTED' || !state.renewal) return nothing(state);
  const current = state.renewal.prefectOpinion;
  if (current && current.opinion === message.opinion && current.at === message.at.toISOString()) return nothing(state); // duplicate
  const next = transition(state, message, state.status, `préfet: ${message.opinion}`);
  next.renewal = { ...state.renewal, prefectOpinion: { opinion: message.opinion, at: message.at.toISOString() } };
  return { state: next, outputs: [], schedule: [], cancel: [] };
}

function decision(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'RenewalDecided' }>): Decision {
  if (state.status !== 'RENEWAL_REQUESTED' || !state.renewal) return refuse(state, `no renewal request awaits a decision (status ${state.status})`);
  if (!state.renewal.prefectOpinion) return refuse(state, "the préfet's opinion on this renewal has not been given yet");
  const renewal: Renewal = { ...state.renewal, decision: { approved: message.approved, reason: message.reason, at: message.at.toISOString() } };
  if (!message.approved) {
    const next = transition(state, message, 'NOT_RENEWED', message.reason);
    next.renewal = renewal;
    next.outcome = `renewal refused by ANCT: ${message.reason}`;
    return { state: next, outputs: [{ kind: 'RenewalRejected', reason: next.outcome, stage: 'ANCT' }], schedule: [], cancel: ['DECISION_DUE'] };
  }
  // The commitment request needs the structure's QPV/ZRR situation, from its convention.
  if (!state.facts.conventionKnown) return refuse(state, "the contract's convention is not known yet: its financing cannot be requested");
  const next = transition(state, message, 'RENEWAL_APPROVED', message.reason);
  next.renewal = { ...renewal, requestId: renewalRequestIdOf(state.contractId) };
  return { state: next, outputs: [{ kind: 'RequestRenewalFinancing', terms: renewal.terms, requestId: next.renewal.requestId! }], schedule: [], cancel: ['DECISION_DUE'] };
}

function committed(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'FinancingCommitted' }>): Decision {
  const commitment = {
    commitmentId: message.commitmentId, amountCents: message.amountCents, at: message.at.toISOString(),
    ...(message.budgetEnvelopeId ? { budgetEnvelopeId: message.budgetEnvelopeId } : {}),
  };
  if (state.status !== 'RENEWAL_APPROVED' || !state.renewal) {
    // A commitment that arrives when the renewal is off (not renewed in time) must not stay behind.
    if (state.status === 'NOT_RENEWED' && state.renewal?.decision?.approved && !state.renewal.commitment) {
      const next = transition(state, message, state.status, 'late commitment released');
      next.renewal = { ...state.renewal, commitment, releaseRequested: true };
      return { state: next, outputs: [cancelFinancing(next, 'commitment arrived after the renewal was abandoned')], schedule: [], cancel: [] };
    }
    return nothing(state);
  }
  const terms = state.renewal.terms;
  if (state.facts.contractType === 'CDI') {
    // The CDI goes on: its post's financing is renewed, there is no contract to record.
    const next = transition(state, message, 'RENEWED', `financing renewed (commitment ${message.commitmentId})`);
    next.renewal = { ...state.renewal, commitment };
    next.outcome = `financing renewed from ${terms.startDate} (commitment ${message.commitmentId})`;
    return {
      state: next,
      outputs: [{ kind: 'RenewalFinanced', terms, commitmentId: message.commitmentId, amountCents: message.amountCents, recordContract: false }],
      schedule: [],
      cancel: ALL_DEADLINES,
    };
  }
  const next = transition(state, message, 'RENEWAL_FINANCED', `commitment ${message.commitmentId}`);
  next.renewal = { ...state.renewal, commitment };
  return {
    state: next,
    outputs: [{ kind: 'RenewalFinanced', terms, commitmentId: message.commitmentId, amountCents: message.amountCents, recordContract: true }],
    schedule: [],
    cancel: ['REMINDER_6M', 'REMINDER_3M', 'REMINDER_1M', 'DECISION_DUE'],
  };
}

function financingRefused(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'FinancingRefused' }>): Decision {
  if (state.status !== 'RENEWAL_APPROVED' || !state.renewal) return nothing(state);
  const next = transition(state, message, 'NOT_RENEWED', message.reason);
  next.renewal = { ...state.renewal, refusal: message.reason };
  next.outcome = `renewal not financed: ${message.reason}`;
  // Nothing was committed. The contract goes to its natural end: the END_DATE deadline stays.
  return { state: next, outputs: [{ kind: 'RenewalRejected', reason: next.outcome, stage: 'FINANCING' }], schedule: [], cancel: [] };
}

function renewed(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'ContractRenewed' }>): Decision {
  const financed = state.status === 'RENEWAL_FINANCED' && state.renewal;
  // Renewed without the saga (recorded directly by ANCT or the structure): the saga follows the fact.
  const detail = financed ? `renewed by contract ${message.newContractId}` : `renewed by contract ${message.newContractId}, outside the renewal financing`;
  const next = transition(state, message, 'RENEWED', detail);
  if (state.renewal) next.renewal = { ...state.renewal, newContractId: message.newContractId };
  next.outcome = detail;
  return { state: next, outputs: [], schedule: [], cancel: ALL_DEADLINES };
}

function close(state: LifecycleState, message: LifecycleMessage, to: 'RUPTURED' | 'ENDED', detail: string): Decision {
  const next = transition(state, message, to, detail);
  next.outcome = detail;
  const outputs: LifecycleOutput[] = [];
  if (to === 'ENDED' && state.status !== 'NOT_RENEWED') {
    // Ended before the saga's END_DATE announced it (the conventions service's own job): no renewal.
    outputs.push({
      kind: 'RenewalRejected',
      stage: 'CONTRACT_END',
      reason: state.status === 'RENEWAL_FINANCED' ? 'the contract ended before its renewal could be recorded' : 'the contract reached its end date without renewal',
    });
  }
  if (state.status === 'RENEWAL_APPROVED' || state.status === 'RENEWAL_FINANCED') {
    outputs.push(cancelFinancing(state, `contract ${to === 'RUPTURED' ? 'ruptured' : 'ended'} before its renewal`));
    if (next.renewal) next.renewal = { ...next.renewal, releaseRequested: true };
  }
  return { state: next, outputs, schedule: [], cancel: ALL_DEADLINES };
}

/** A message for a finished saga: nothing happens, except releasing money committed too late. */
function lateMessage(state: LifecycleState, message: LifecycleMessage): Decision {
  if (message.kind === 'FinancingCommitted' && state.status !== 'RENEWED' && state.renewal?.decision?.approved) {
    if (state.renewal.commitment?.commitmentId === message.commitmentId) return nothing(state); // already released
    const next: LifecycleState = {
      ...state,
      renewal: { ...state.renewal, commitment: { commitmentId: message.commitmentId, amountCents: message.amountCents, at: message.at.toISOString() }, releaseRequested: true },
    };
    return { ...nothing(next), outputs: [cancelFinancing(next, `commitment arrived after the contract was ${state.status.toLowerCase()}`)] };
  }
  if (message.kind === 'RenewalIntentDeclared' || message.kind === 'RenewalDecided') return refuse(state, `the contract's lifecycle is over (${state.status})`);
  return nothing(state);
}

function cancelFinancing(state: LifecycleState, reason: string): Extract<LifecycleOutput, { kind: 'CancelRenewalFinancing' }> {
  return {
    kind: 'CancelRenewalFinancing',
    reason,
    requestId: state.renewal?.requestId ?? renewalRequestIdOf(state.contractId),
    commitmentId: state.renewal?.commitment?.commitmentId ?? null,
  };
}

function transition(state: LifecycleState, message: LifecycleMessage, to: LifecycleStatus, detail?: string): LifecycleState {
  return {
    ...state,
    status: to,
    history: [...state.history, { at: message.at.toISOString(), message: message.kind === 'DeadlineFired' ? message.deadline : message.kind, from: state.status, to, ...(detail ? { detail } : {}) }],
  };
}

function reminderKind(months: ReminderMonths): DeadlineKind {
  return months === 6 ? 'REMINDER_6M' : months === 3 ? 'REMINDER_3M' : 'REMINDER_1M';
}

function reminderMonths(kind: 'REMINDER_6M' | 'REMINDER_3M' | 'REMINDER_1M'): ReminderMonths {
  return kind === 'REMINDER_6M' ? 6 : kind === 'REMINDER_3M' ? 3 : 1;
}

/** The next deadline of a saga in the user views, from the pending ones. */
export function nextDeadline(pending: DeadlineSpec[]): DeadlineSpec | null {
  return [...pending].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0] ?? null;
}

/** The last day a renewal financed from `startDate` is paid for (36 months). */
export function renewalFinancedUntil(startDate: string): string {
  return addDays(addMonths(startDate, PHASE2_FINANCED_MONTHS), -1);
}

export { toCalendarDate };
