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
 */
export const LIFECYCLE_STATUSES = [
  'ACTIVE', 'EXPIRY_APPROACHING', 'RENEWAL_REQUESTED', 'RENEWAL_APPROVED', 'RENEWAL_FINANCED', 'RENEWED',
  'NOT_RENEWED', 'ENDED', 'RUPTURED',
] as const;
export type LifecycleStatus = (typeof LIFECYCLE_STATUSES)[number];

const FINAL: ReadonlySet<LifecycleStatus> = new Set(['RENEWED', 'ENDED', 'RUPTURED']);
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
  qpv: boolean;
  zrr: boolean;
  contractType: ContractType;
  startDate: string;
  /** The contract's end date; for a CDI, the end of its convention's State financing. */
  followUntil: string | null;
}

export interface RenewalTerms {
  contractType: ContractType;
  startDate: string;
  endDate: string | null;
}

export interface Renewal {
  terms: RenewalTerms;
  requestedAt: string;
  prefectOpinion?: { opinion: 'favorable' | 'defavorable'; at: string };
  decision?: { approved: boolean; reason: string; at: string };
  commitment?: { commitmentId: string; amountCents: number; at: string };
  refusal?: string;
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

/** Days before the end date by which ANCT must have decided a renewal request. */
export const DECISION_DAYS_BEFORE_END = 15;
/** Longest a private-law CDD may last, renewals included, before requalification risk. */
export const PRIVATE_CDD_MAX_MONTHS = 18;

export type LifecycleMessage =
  | { kind: 'ContractSigned'; at: Date; facts: ContractFacts }
  | { kind: 'DeadlineFired'; at: Date; deadline: DeadlineKind }
  | { kind: 'RenewalIntentDeclared'; at: Date; intent: 'RENEW'; terms: RenewalTerms }
  | { kind: 'RenewalIntentDeclared'; at: Date; intent: 'NOT_INTERESTED'; reason: string }
  | { kind: 'PrefectOpinionGiven'; at: Date; opinion: 'favorable' | 'defavorable' }
  | { kind: 'RenewalDecided'; at: Date; approved: boolean; reason: string }
  | { kind: 'FinancingCommitted'; at: Date; commitmentId: string; amountCents: number }
  | { kind: 'FinancingRefused'; at: Date; reason: string }
  | { kind: 'ContractRenewed'; at: Date; newContractId: string }
  | { kind: 'ContractRuptured'; at: Date; reason: string; date: string }
  | { kind: 'ContractEnded'; at: Date };

/** What the saga asks the rest of the platform to do (the service maps them to events). */
export type LifecycleOutput =
  | { kind: 'ExpiryApproaching'; monthsBeforeEnd: ReminderMonths; endDate: string }
  | { kind: 'RenewalRequested'; terms: RenewalTerms }
  | { kind: 'RequestRenewalFinancing'; terms: RenewalTerms }
  | { kind: 'RenewalFinanced'; terms: RenewalTerms; commitmentId: string; amountCents: number }
  | { kind: 'RenewalRejected'; reason: string; stage: 'STRUCTURE' | 'ANCT' | 'FINANCING' | 'DEADLINE' | 'CONTRACT_END' }
  /** Compensation: a commitment made for a renewal that will not happen must be released. */
  | { kind: 'CancelRenewalFinancing'; reason: string }
  | { kind: 'ContractEndDue'; endDate: string };

export interface DeadlineSpec {
  kind: DeadlineKind;
  dueAt: Date;
}

export interface Decision {
  state: LifecycleState | null;
  outputs: LifecycleOutput[];
  schedule: DeadlineSpec[];
  cancel: DeadlineKind[];
  /** Set when a command (REST) is refused: the reason, with nothing changed. */
  refused?: string;
}

const nothing = (state: LifecycleState | null): Decision => ({ state, outputs: [], schedule: [], cancel: [] });
const refuse = (state: LifecycleState | null, reason: string): Decision => ({ ...nothing(state), refused: reason });

const ALL_DEADLINES: DeadlineKind[] = ['REMINDER_6M', 'REMINDER_3M', 'REMINDER_1M', 'DECISION_DUE', 'END_DATE'];

export function decide(state: LifecycleState | null, message: LifecycleMessage): Decision {
  if (message.kind === 'ContractSigned') return start(state, message);
  if (!state) return refuse(null, 'unknown contract: its lifecycle has not started');
  if (FINAL.has(state.status)) return lateMessage(state, message);

  switch (message.kind) {
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
      return close(state, message, 'ENDED', 'contract ended at its end date');
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
  if (!facts.followUntil) return nothing(initial);
  const end = facts.followUntil;
  const schedule: DeadlineSpec[] = [
    // A reminder already past when the contract is signed (a short contract) is not sent.
    ...REMINDER_MONTHS.map((months) => ({ kind: reminderKind(months), dueAt: startOfDay(addMonths(end, -months)) })).filter(
      (d) => d.dueAt.getTime() > message.at.getTime(),
    ),
    { kind: 'DECISION_DUE' as const, dueAt: startOfDay(addDays(end, -DECISION_DAYS_BEFORE_END)) },
    // The contract has ended once its last day is over.
    { kind: 'END_DATE' as const, dueAt: startOfDay(addDays(end, 1)) },
  ];
  return { state: initial, outputs: [], schedule, cancel: [] };
}

function deadline(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'DeadlineFired' }>): Decision {
  const end = state.facts.followUntil;
  if (!end) return nothing(state);
  switch (message.deadline) {
    case 'REMINDER_6M':
    case 'REMINDER_3M':
    case 'REMINDER_1M': {
      const months = reminderMonths(message.deadline);
      // A reminder that fires late (after a restart) and is already overtaken by a closer one stays silent.
      const overtaken = state.remindersSent.some((sent) => sent <= months);
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
    case 'END_DATE': {
      if (state.status === 'RENEWAL_FINANCED' || state.endAnnounced) return nothing(state); // renewal under way, or already announced
      const outputs: LifecycleOutput[] = [{ kind: 'ContractEndDue', endDate: end }];
      if (state.status === 'RENEWAL_APPROVED') {
        outputs.unshift(
          { kind: 'RenewalRejected', reason: 'the contract reached its end date before its renewal was financed', stage: 'CONTRACT_END' },
          { kind: 'CancelRenewalFinancing', reason: 'contract ended before the renewal was financed' },
        );
      } else if (state.status !== 'NOT_RENEWED') {
        outputs.unshift({ kind: 'RenewalRejected', reason: 'the contract reached its end date without renewal', stage: 'CONTRACT_END' });
      }
      const next = transition(state, message, 'NOT_RENEWED', `end date ${end} reached`);
      next.outcome ??= 'not renewed';
      next.endAnnounced = true;
      return { state: next, outputs, schedule: [], cancel: [] };
    }
  }
}

function intent(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'RenewalIntentDeclared' }>): Decision {
  if (!OPEN_FOR_RENEWAL.has(state.status)) return refuse(state, `a renewal intent cannot be declared in status ${state.status}`);
  if (message.intent === 'NOT_INTERESTED') {
    const next = transition(state, message, 'NOT_RENEWED', message.reason);
    next.outcome = `structure not interested: ${message.reason}`;
    return { state: next, outputs: [{ kind: 'RenewalRejected', reason: next.outcome, stage: 'STRUCTURE' }], schedule: [], cancel: ['DECISION_DUE'] };
  }
  const problem = renewalTermsProblem(state.facts, message.terms);
  if (problem) return refuse(state, problem);
  const next = transition(state, message, 'RENEWAL_REQUESTED', `${message.terms.contractType} from ${message.terms.startDate}`);
  next.renewal = { terms: message.terms, requestedAt: message.at.toISOString() };
  return { state: next, outputs: [{ kind: 'RenewalRequested', terms: message.terms }], schedule: [], cancel: [] };
}

/** Why the proposed renewal terms are not acceptable, or null. */
export function renewalTermsProblem(facts: ContractFacts, terms: RenewalTerms): string | null {
  const end = facts.followUntil;
  if (end && terms.startDate !== addDays(end, 1)) return `the renewed contract must start the day after the current one ends (${addDays(end, 1)})`;
  if (terms.contractType === 'CDI') {
    if (terms.endDate !== null) return 'a CDI has no end date';
    return null;
  }
  if (!terms.endDate) return `a ${terms.contractType} needs an end date`;
  if (terms.endDate <= terms.startDate) return 'the end date must be after the start date';
  if (facts.legalStatus === 'PRIVATE' && terms.contractType === 'CDD' && facts.contractType === 'CDD') {
    const total = monthsBetween(facts.startDate, addDays(terms.endDate, 1));
    if (total > PRIVATE_CDD_MAX_MONTHS) {
      return `a private-law CDD cannot be extended beyond ${PRIVATE_CDD_MAX_MONTHS} months (this renewal would make ${total}): renew it as another contract form, e.g. a CDI`;
    }
  }
  return null;
}

function opinion(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'PrefectOpinionGiven' }>): Decision {
  if (state.status !== 'RENEWAL_REQUESTED' || !state.renewal) return nothing(state);
  const next = transition(state, message, state.status, `préfet: ${message.opinion}`);
  next.renewal = { ...state.renewal, prefectOpinion: { opinion: message.opinion, at: message.at.toISOString() } };
  return { state: next, outputs: [], schedule: [], cancel: [] };
}

function decision(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'RenewalDecided' }>): Decision {
  if (state.status !== 'RENEWAL_REQUESTED' || !state.renewal) return refuse(state, `no renewal request awaits a decision (status ${state.status})`);
  if (!state.renewal.prefectOpinion) return refuse(state, "the préfet's opinion on this renewal has not been given yet");
  const renewal = { ...state.renewal, decision: { approved: message.approved, reason: message.reason, at: message.at.toISOString() } };
  if (!message.approved) {
    const next = transition(state, message, 'NOT_RENEWED', message.reason);
    next.renewal = renewal;
    next.outcome = `renewal refused by ANCT: ${message.reason}`;
    return { state: next, outputs: [{ kind: 'RenewalRejected', reason: next.outcome, stage: 'ANCT' }], schedule: [], cancel: ['DECISION_DUE'] };
  }
  const next = transition(state, message, 'RENEWAL_APPROVED', message.reason);
  next.renewal = renewal;
  return { state: next, outputs: [{ kind: 'RequestRenewalFinancing', terms: renewal.terms }], schedule: [], cancel: ['DECISION_DUE'] };
}

function committed(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'FinancingCommitted' }>): Decision {
  if (state.status !== 'RENEWAL_APPROVED' || !state.renewal) {
    // A commitment that arrives when the renewal is off (not renewed in time) must not stay behind.
    if (state.status === 'NOT_RENEWED' && state.renewal?.decision?.approved && !state.renewal.commitment) {
      const next = transition(state, message, state.status, 'late commitment released');
      next.renewal = { ...state.renewal, commitment: { commitmentId: message.commitmentId, amountCents: message.amountCents, at: message.at.toISOString() } };
      return { state: next, outputs: [{ kind: 'CancelRenewalFinancing', reason: 'commitment arrived after the renewal was abandoned' }], schedule: [], cancel: [] };
    }
    return nothing(state);
  }
  const next = transition(state, message, 'RENEWAL_FINANCED', `commitment ${message.commitmentId}`);
  next.renewal = { ...state.renewal, commitment: { commitmentId: message.commitmentId, amountCents: message.amountCents, at: message.at.toISOString() } };
  return {
    state: next,
    outputs: [{ kind: 'RenewalFinanced', terms: state.renewal.terms, commitmentId: message.commitmentId, amountCents: message.amountCents }],
    schedule: [],
    cancel: ['REMINDER_6M', 'REMINDER_3M', 'REMINDER_1M', 'DECISION_DUE'],
  };
}

function financingRefused(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'FinancingRefused' }>): Decision {
  if (state.status !== 'RENEWAL_APPROVED' || !state.renewal) return nothing(state);
  const next = transition(state, message, 'NOT_RENEWED', message.reason);
  next.renewal = { ...state.renewal, refusal: message.reason };
  next.outcome = `renewal not financed: ${message.reason}`;
  // The contract goes to its natural end: the END_DATE deadline stays.
  return { state: next, outputs: [{ kind: 'RenewalRejected', reason: next.outcome, stage: 'FINANCING' }], schedule: [], cancel: [] };
}

function renewed(state: LifecycleState, message: Extract<LifecycleMessage, { kind: 'ContractRenewed' }>): Decision {
  if (state.status !== 'RENEWAL_FINANCED' || !state.renewal) return nothing(state);
  const next = transition(state, message, 'RENEWED', `renewed by contract ${message.newContractId}`);
  next.renewal = { ...state.renewal, newContractId: message.newContractId };
  next.outcome = `renewed by contract ${message.newContractId}`;
  return { state: next, outputs: [], schedule: [], cancel: ALL_DEADLINES };
}

function close(state: LifecycleState, message: LifecycleMessage, to: 'RUPTURED' | 'ENDED', detail: string): Decision {
  if (to === 'ENDED' && state.status === 'RENEWAL_FINANCED') return nothing(state); // the renewal takes over
  const next = transition(state, message, to, detail);
  next.outcome = detail;
  const outputs: LifecycleOutput[] = [];
  if (state.status === 'RENEWAL_APPROVED' || state.status === 'RENEWAL_FINANCED') {
    outputs.push({ kind: 'CancelRenewalFinancing', reason: `contract ${to === 'RUPTURED' ? 'ruptured' : 'ended'} before its renewal` });
  }
  return { state: next, outputs, schedule: [], cancel: ALL_DEADLINES };
}

/** A message for a finished saga: nothing happens, except releasing money committed too late. */
function lateMessage(state: LifecycleState, message: LifecycleMessage): Decision {
  if (message.kind === 'FinancingCommitted' && state.status !== 'RENEWED' && state.renewal) {
    if (state.renewal.commitment?.commitmentId === message.commitmentId) return nothing(state); // already released
    const next: LifecycleState = {
      ...state,
      renewal: { ...state.renewal, commitment: { commitmentId: message.commitmentId, amountCents: message.amountCents, at: message.at.toISOString() } },
    };
    return { ...nothing(next), outputs: [{ kind: 'CancelRenewalFinancing', reason: `commitment arrived after the contract was ${state.status.toLowerCase()}` }] };
  }
  if (message.kind === 'RenewalIntentDeclared' || message.kind === 'RenewalDecided') return refuse(state, `the contract's lifecycle is over (${state.status})`);
  return nothing(state);
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

export { toCalendarDate };
