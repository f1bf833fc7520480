import { Cents } from '@cnfs/money';
import { addDays, addMonths, CalendarDate, maxDate } from './dates';
import { checkCommitment, Envelope, RefusalReason, selectEnvelope } from './envelopes';
import { deterministicId } from './ids';
import { balances, Balances, Journal, journals, netsToZero, PostDimensions, reverse } from './ledger';
import { classifyLines, ClassifiedLine, PaymentForMatching } from './matching';
import { Phase } from './rules';
import { DEFAULT_SCHEDULES, dueDateOf, planTranches, ScheduleTemplate, TrancheTrigger } from './schedule';
import { StatementLine } from './statements';
import * as tranche from './tranches';
import { TrancheState, UNORDERED } from './tranches';

/**
 * The subsidy book in memory: the same rules, schedules, transitions, journals and matching the
 * service applies in PostgreSQL, composed without a database. The property-based tests drive it
 * with random sequences of commitments, ruptures, refills, orders, executions, bank returns and
 * reconciliations and check the invariants after every step.
 */
export interface BookPost {
  postId: string;
  departmentCode: string;
  structureId: string;
  occupied: boolean;
  /** Set when a conseiller leaves; the delay to cancellation runs from it. */
  vacantSince: CalendarDate | null;
  returned: boolean;
}

export interface BookCommitment {
  id: string;
  postId: string;
  phase: Phase;
  dims: PostDimensions;
  amount: Cents;
  cancelled: Cents;
  startOn: CalendarDate;
  anchor: CalendarDate | null;
  finalReportOn: CalendarDate | null;
  trancheIds: string[];
}

export interface BookTranche {
  id: string;
  commitmentId: string;
  seq: number;
  trigger: TrancheTrigger;
  monthsAfterAnchor: number | null;
  amount: Cents;
  state: TrancheState;
  attempts: number;
  liveOrderId: string | null;
}

export interface BookOrder {
  id: string;
  trancheId: string;
  amount: Cents;
  reference: string;
  beneficiaryIban: string;
  status: 'ORDERED' | 'EXECUTED' | 'RETURNED';
  reconciled: boolean;
  executedOn: CalendarDate | null;
}

export type BookResult<T = undefined> = { ok: true; value: T } | { ok: false; code: string };

export class SubsidyBook {
  readonly envelopes = new Map<string, Envelope>();
  readonly posts = new Map<string, BookPost>();
  readonly commitments = new Map<string, BookCommitment>();
  readonly tranches = new Map<string, BookTranche>();
  readonly orders = new Map<string, BookOrder>();
  readonly journals: Journal[] = [];
  private readonly journalIds = new Set<string>();
  private readonly reversed = new Set<string>();
  private readonly matchedPayments = new Set<string>();
  private fundings = 0;
  private orderSeq = 0;

  constructor(
    public today: CalendarDate,
    private readonly options: { vacancyMonths: number; schedules?: Record<Phase, ScheduleTemplate> } = { vacancyMonths: 6 },
  ) {}

  private post(journal: Journal): void {
    if (this.journalIds.has(journal.id)) throw new Error(`journal ${journal.businessKey} posted twice`);
    if (!netsToZero(journal)) throw new Error(`journal ${journal.businessKey} does not net to zero`);
    if (journal.reversesJournalId) {
      if (this.reversed.has(journal.reversesJournalId)) throw new Error(`journal ${journal.reversesJournalId} reversed twice`);
      this.reversed.add(journal.reversesJournalId);
    }
    this.journalIds.add(journal.id);
    this.journals.push(journal);
  }

  private journal(businessKey: string): Journal {
    const found = this.journals.find((j) => j.businessKey === businessKey);
    if (!found) throw new Error(`no journal ${businessKey}`);
    return found;
  }

  openEnvelope(id: string, phase: Phase, amount: Cents, opensOn: CalendarDate, priority = 1): void {
    this.envelopes.set(id, { id, phase, amount, committed: Cents.ZERO, opensOn, closesOn: null, priority });
    this.fundings += 1;
    this.post(journals.fund(id, this.fundings, amount));
  }

  addPost(postId: string, departmentCode: string, structureId: string): void {
    if (!this.posts.has(postId)) this.posts.set(postId, { postId, departmentCode, structureId, occupied: false, vacantSince: null, returned: false });
  }

  commit(postId: string, phase: Phase, periodAmounts: Cents[], signedOn: CalendarDate): BookResult<string> | { ok: false; code: RefusalReason } {
    const post = this.posts.get(postId);
    if (!post) throw new Error(`unknown post ${postId}`);
    const id = deterministicId('commitment', postId, String(phase));
    if (this.commitments.has(id)) return { ok: true, value: id };
    const envelope = selectEnvelope([...this.envelopes.values()], phase, signedOn);
    if (!envelope) return { ok: false, code: 'NO_OPEN_ENVELOPE' };
    const amount = Cents.sum(periodAmounts);
    const check = checkCommitment(envelope, amount);
    if (!check.ok) return { ok: false, code: check.reason };
    envelope.committed = check.committedAfter;
    const dims = { envelopeId: envelope.id, departmentCode: post.departmentCode, structureId: post.structureId };
    const planned = planTranches(periodAmounts, (this.options.schedules ?? DEFAULT_SCHEDULES)[phase]);
    const commitment: BookCommitment = { id, postId, phase, dims, amount, cancelled: Cents.ZERO, startOn: signedOn, anchor: null, finalReportOn: null, trancheIds: [] };
    for (const p of planned) {
      const t: BookTranche = {
        id: deterministicId('tranche', id, String(p.seq)),
        commitmentId: id,
        seq: p.seq,
        trigger: p.trigger,
        monthsAfterAnchor: p.monthsAfterAnchor,
        amount: p.amount,
        state: { status: 'SCHEDULED', dueOn: null },
        attempts: 0,
        liveOrderId: null,
      };
      this.tranches.set(t.id, t);
      commitment.trancheIds.push(t.id);
    }
    this.commitments.set(id, commitment);
    this.post(journals.commit(id, dims, amount));
    if (post.returned) this.cancelUnordered(commitment);
    else if (post.occupied) this.anchor(commitment, signedOn);
    return { ok: true, value: id };
  }

  private commitmentsOf(postId: string): BookCommitment[] {
    return [...this.commitments.values()].filter((c) => c.postId === postId);
  }

  private apply(t: BookTranche, transition: tranche.Transition): void {
    if (!transition.ok) throw new Error(`${t.id}: ${transition.detail}`);
    t.state = transition.state;
  }

  private anchor(c: BookCommitment, date: CalendarDate): void {
    if (c.anchor !== null) return;
    c.anchor = maxDate(date, c.startOn);
    for (const id of c.trancheIds) {
      const t = this.tranches.get(id)!;
      this.apply(t, tranche.refresh(t.state, dueDateOf(t, c.anchor, c.finalReportOn), this.today));
    }
  }

  occupy(postId: string, date: CalendarDate = this.today): void {
    const post = this.posts.get(postId);
    if (!post || post.returned) return;
    post.occupied = true;
    post.vacantSince = null;
    for (const c of this.commitmentsOf(postId)) {
      this.anchor(c, date);
      for (const id of c.trancheIds) {
        const t = this.tranches.get(id)!;
        this.apply(t, tranche.resume(t.state, this.today));
      }
    }
  }

  vacate(postId: string, date: CalendarDate = this.today): void {
    const post = this.posts.get(postId);
    if (!post || post.returned || !post.occupied) return;
    post.occupied = false;
    post.vacantSince = date;
    for (const c of this.commitmentsOf(postId)) {
      for (const id of c.trancheIds) {
        const t = this.tranches.get(id)!;
        this.apply(t, tranche.suspend(t.state));
      }
    }
  }

  returnPost(postId: string): void {
    const post = this.posts.get(postId);
    if (!post || post.returned || post.occupied) return; // an occupied post cannot be returned
    post.returned = true;
    for (const c of this.commitmentsOf(postId)) this.cancelUnordered(c);
  }

  private cancelUnordered(c: BookCommitment): void {
    for (const id of c.trancheIds) {
      const t = this.tranches.get(id)!;
      if (!UNORDERED.includes(t.state.status)) continue;
      this.apply(t, tranche.cancel(t.state));
      c.cancelled = c.cancelled.add(t.amount);
      const envelope = this.envelopes.get(c.dims.envelopeId)!;
      envelope.committed = envelope.committed.subtract(t.amount);
      this.post(journals.decommit(t.id, c.dims, t.amount));
    }
  }

  recordFinalReport(commitmentId: string, date: CalendarDate = this.today): void {
    const c = this.commitments.get(commitmentId);
    if (!c || c.finalReportOn !== null) return;
    c.finalReportOn = date;
    if (c.anchor === null) return;
    for (const id of c.trancheIds) {
      const t = this.tranches.get(id)!;
      this.apply(t, tranche.refresh(t.state, dueDateOf(t, c.anchor, c.finalReportOn), this.today));
    }
  }

  /** Moves the clock: tranches reach their due date, posts vacant beyond the delay are cancelled. */
  advance(days: number): void {
    this.today = addDays(this.today, days);
    for (const t of this.tranches.values()) {
      const c = this.commitments.get(t.commitmentId)!;
      if (c.anchor !== null) this.apply(t, tranche.refresh(t.state, t.state.dueOn, this.today));
    }
    for (const post of this.posts.values()) {
      if (post.vacantSince !== null && !post.occupied && addMonths(post.vacantSince, this.options.vacancyMonths) < this.today) {
        for (const c of this.commitmentsOf(post.postId)) this.cancelUnordered(c);
      }
    }
  }

  order(trancheId: string): BookResult<string> {
    const t = this.tranches.get(trancheId);
    if (!t) return { ok: false, code: 'NOT_FOUND' };
    const transition = tranche.order(t.state);
    if (!transition.ok) return { ok: false, code: transition.code };
    t.attempts += 1;
    const id = deterministicId('payment-order', trancheId, String(t.attempts));
    this.orderSeq += 1;
    const order: BookOrder = {
      id, trancheId, amount: t.amount, reference: `CNFS-P-${String(this.orderSeq).padStart(8, '0')}`,
      beneficiaryIban: 'FR7630006000011234567890189', status: 'ORDERED', reconciled: false, executedOn: null,
    };
    this.orders.set(id, order);
    t.state = transition.state;
    t.liveOrderId = id;
    this.post(journals.order(id, this.commitments.get(t.commitmentId)!.dims, t.amount));
    return { ok: true, value: id };
  }

  execute(orderId: string): BookResult {
    const o = this.orders.get(orderId);
    if (!o) return { ok: false, code: 'NOT_FOUND' };
    if (o.status !== 'ORDERED') return { ok: false, code: o.status === 'EXECUTED' ? 'ALREADY_PAID' : 'RETURNED' };
    const t = this.tranches.get(o.trancheId)!;
    const transition = tranche.execute(t.state);
    if (!transition.ok) return { ok: false, code: transition.code };
    t.state = transition.state;
    o.status = 'EXECUTED';
    o.executedOn = this.today;
    this.post(journals.execute(orderId, this.commitments.get(t.commitmentId)!.dims, o.amount));
    return { ok: true, value: undefined };
  }

  bankReturn(orderId: string): BookResult {
    const o = this.orders.get(orderId);
    if (!o || o.status !== 'EXECUTED') return { ok: false, code: 'NOT_PAID' };
    const t = this.tranches.get(o.trancheId)!;
    const c = this.commitments.get(t.commitmentId)!;
    const post = this.posts.get(c.postId)!;
    const transition = tranche.bankReturn(t.state, !post.occupied, this.today);
    if (!transition.ok) return { ok: false, code: transition.code };
    if (o.reconciled) this.post(journals.unsettle(orderId, c.dims, o.amount));
    this.post(reverse(this.journal(`EXECUTE:${orderId}`), 'VOID', `VOID:${orderId}`));
    this.post(reverse(this.journal(`ORDER:${orderId}`), 'UNORDER', `UNORDER:${orderId}`));
    o.status = 'RETURNED';
    t.state = transition.state;
    t.liveOrderId = null;
    // A returned payment's tranche goes back to its post's fate: cancelled if the post is gone.
    if (post.returned) this.cancelUnordered(c);
    return { ok: true, value: undefined };
  }

  /** The statement line the bank would print for a payment order. */
  lineFor(orderId: string, overrides: Partial<StatementLine> = {}): StatementLine {
    const o = this.orders.get(orderId)!;
    return {
      lineNo: 0, entryRef: `BQ-${orderId.slice(0, 8)}`, reference: o.reference, amountCents: o.amount.toNumber(), direction: 'DBIT', bookingDate: this.today,
      counterpartyIban: o.beneficiaryIban, counterpartyName: 'Structure', returnReason: null, ...overrides,
    };
  }

  reconcile(reconciliationId: string, lines: StatementLine[]): ClassifiedLine<PaymentForMatching & { paymentOrderId: string; order: BookOrder }>[] {
    const byReference = new Map<string, PaymentForMatching & { paymentOrderId: string; order: BookOrder }>(
      [...this.orders.values()]
        .filter((o) => o.executedOn !== null)
        .map((o) => [o.reference, {
          paymentOrderId: o.id, reference: o.reference, amountCents: o.amount.toNumber(), beneficiaryIban: o.beneficiaryIban, order: o,
          state: o.status === 'RETURNED' ? 'RETURNED' : o.reconciled ? 'RECONCILED' : 'EXECUTED',
        }]),
    );
    const classified = classifyLines(lines.map((l, i) => ({ ...l, lineNo: i + 1 })), (reference) => byReference.get(reference));
    const groups = new Map<string, { dims: PostDimensions; amount: Cents }>();
    for (const c of classified) {
      if (c.finding !== 'MATCHED') continue;
      const o = c.payment!.order;
      if (this.matchedPayments.has(o.id)) throw new Error(`payment ${o.id} matched twice`);
      this.matchedPayments.add(o.id);
      o.reconciled = true;
      const t = this.tranches.get(o.trancheId)!;
      this.apply(t, tranche.reconcile(t.state));
      const dims = this.commitments.get(t.commitmentId)!.dims;
      const key = `${dims.envelopeId}|${dims.departmentCode}|${dims.structureId}`;
      const group = groups.get(key) ?? { dims, amount: Cents.ZERO };
      group.amount = group.amount.add(o.amount);
      groups.set(key, group);
    }
    if (groups.size > 0) this.post(journals.settle(reconciliationId, [...groups.values()]));
    for (const c of classified) if (c.finding === 'RETURN') this.bankReturn(c.payment!.paymentOrderId);
    return classified;
  }

  entries() {
    return this.journals.flatMap((j) => j.entries);
  }

  balancesOf(filter: { envelopeId?: string; departmentCode?: string; structureId?: string } = {}): Balances {
    return balances(
      this.entries(),
      (e) =>
        (filter.envelopeId === undefined || e.envelopeId === filter.envelopeId) &&
        (filter.departmentCode === undefined || e.departmentCode === filter.departmentCode) &&
        (filter.structureId === undefined || e.structureId === filter.structureId),
    );
  }

  /** Every invariant of the book; returns the broken ones (empty when all hold). */
  violations(): string[] {
    const problems: string[] = [];
    for (const j of this.journals) if (!netsToZero(j)) problems.push(`journal ${j.businessKey} does not net to zero`);
    for (const t of this.tranches.values()) {
      const live = [...this.orders.values()].filter((o) => o.trancheId === t.id && o.status !== 'RETURNED');
      if (live.length > 1) problems.push(`tranche ${t.id} has ${live.length} live payment orders`);
      if (live.filter((o) => o.status === 'EXECUTED').length > 1) problems.push(`tranche ${t.id} paid twice`);
    }
    for (const c of this.commitments.values()) {
      const sum = Cents.sum(c.trancheIds.map((id) => this.tranches.get(id)!.amount));
      if (!sum.equals(c.amount)) problems.push(`tranches of ${c.id} sum to ${sum.toString()}, not ${c.amount.toString()}`);
    }
    const check = (label: string, b: Balances) => {
      const chain: [string, Cents][] = [['reconciled', b.reconciled], ['paid', b.paid], ['ordered', b.ordered], ['committed', b.committed]];
      if (chain.some(([, v]) => v.isNegative())) problems.push(`${label}: negative balance ${JSON.stringify(b)}`);
      for (let i = 0; i + 1 < chain.length; i++) {
        if (chain[i][1].greaterThan(chain[i + 1][1])) problems.push(`${label}: ${chain[i][0]} > ${chain[i + 1][0]}`);
      }
    };
    for (const envelope of this.envelopes.values()) {
      const b = this.balancesOf({ envelopeId: envelope.id });
      check(`envelope ${envelope.id}`, b);
      if (b.committed.greaterThan(b.funded)) problems.push(`envelope ${envelope.id}: committed > funded`);
      if (!b.committed.equals(envelope.committed)) problems.push(`envelope ${envelope.id}: counter ${envelope.committed.toString()} ≠ ledger ${b.committed.toString()}`);
      if (!b.available.add(b.committed).equals(b.funded)) problems.push(`envelope ${envelope.id}: available + committed ≠ funded`);
    }
    for (const post of this.posts.values()) check(`département ${post.departmentCode}`, this.balancesOf({ departmentCode: post.departmentCode }));
    for (const post of this.posts.values()) check(`structure ${post.structureId}`, this.balancesOf({ structureId: post.structureId }));
    return problems;
  }
}
