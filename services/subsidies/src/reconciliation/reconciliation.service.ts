import { Injectable } from '@nestjs/common';
import type { Principal } from '@cnfs/auth';
import { EventContext, TrancheReconciledV1 } from '@cnfs/contracts';
import { OUTBOX_COLUMNS, type OutboxMessage } from '@cnfs/messaging';
import { Cents } from '@cnfs/money';
import { badRequest, conflict, CsvColumn, notFound, Page, pageWindow } from '@cnfs/service-kit';
import {
  ClassifiedLine,
  deterministicId,
  Finding,
  FINDINGS,
  journals,
  normalizeIban,
  PaymentForMatching,
  readStatement,
  StatementFormat,
  StatementFormatError,
  StatementInfo,
  StatementLine,
  StatementMatcher,
  StatementReader,
} from '@cnfs/subsidies-domain';
import { performance } from 'node:perf_hooks';
import { EntityManager } from 'typeorm';
import { SubsidiesCore } from '../core/core';
import { prepareJournals, PreparedJournals } from '../core/ledger-writer';
import { actorOf } from '../core/principal';
import { BinaryCopyWriter, copyCsv, cents, copyFrom, copyText, CopyStream, openCopy, RawClient, rawClient } from '../core/sql';
import { PaymentsService } from '../payments/payments.service';
import { hashOf, ReferenceIndex } from './reference-index';
import { sha256Hex } from './sha256';

/** An executed payment as the matcher needs it, with what the ledger and events need once matched. */
interface Payment extends PaymentForMatching {
  trancheId: string;
  /** Its envelope × département × structure (ledger_dimensions): the settlement's grouping. */
  dimension: number;
  /** Read from awaiting_statement_carry (left awaiting by the last reconciliation). */
  carried: boolean;
  /** Its execution's number (payment_executions.seq): what its match is stored by (statement_matches' key). */
  seq: number;
  /** Its place in the list of payments awaiting a statement (-1 for those found apart). */
  position: number;
}

/** Whether the payment of execution `e` is matched on a statement (by the primary key of statement_matches). */
const MATCHED_ON_A_STATEMENT = `EXISTS (SELECT 1 FROM statement_matches m WHERE m.execution_seq = e.seq)`;

/**
 * Payments per row of the awaiting lists: rows of ~200 kB, not one 10 MB row (cheaper to receive and split), and
 * above V8's 128 kB limit for its young generation: each row is allocated once, in the large-object space, where
 * garbage collections during the reconciliation do not copy it (rows of 1,000 payments, ~100 kB, were copied:
 * GC 58–66 ms per reconciliation instead of 62–84, --trace-gc, 3 rounds each).
 */
const AWAITING_PER_ROW = 2000;

/**
 * The payments awaiting a statement (see migration 1764000100006), in rows of up to AWAITING_PER_ROW payments,
 * each row one text (no per-row decoding): what the matcher, the settlement, the events and the stored matches need
 * of each — reference, amount, IBAN, tranche, ledger dimension (envelope × département × structure number), the
 * execution's number — six fields a payment, every field ended by U+001F, stored so with the execution
 * (payment_executions.awaiting_row). Safe by construction: references are the platform's own (CHECK: letters,
 * digits, '-'), IBANs alphanumeric, amounts and numbers digits, tranche ids UUIDs. Returned payments are set aside.
 * Two lists:
 * - those the last reconciliation left awaiting (awaiting_statement_carry), by index, a few usually;
 * - those executed since it read them (seq beyond awaiting_statement_window), a row per range of AWAITING_PER_ROW
 *   seqs, with the last seq of each row.
 * Both in the order of execution, which only helps (statements mostly follow it, and AwaitingPayments tries the
 * next payment first); correctness does not depend on it. Neither grows with the payments matched before: the
 * former reading anti-joined every match ever made.
 */
const AWAITING_CARRIED = `
  SELECT string_agg(awaiting_row, '' ORDER BY seq) AS payments
    FROM (SELECT e.awaiting_row, e.seq, (row_number() OVER (ORDER BY e.seq) - 1) / ${AWAITING_PER_ROW} AS chunk
            FROM awaiting_statement_carry c JOIN payment_executions e ON e.reference = c.reference
           WHERE NOT EXISTS (SELECT 1 FROM payment_returns r WHERE r.payment_order_id = e.payment_order_id)) carried
   GROUP BY chunk ORDER BY chunk`;
/**
 * The recent ones: one range of AWAITING_PER_ROW seqs at a time (generate_series), each read by the index on seq
 * in its order and aggregated as read, so that nothing is sorted and each row leaves as soon as it is made. The
 * returned payments among them (returns are rare: their whole table is read) are set aside by their ids. Grouping
 * every recent execution by seq / AWAITING_PER_ROW instead sorted them twice (the groups, then each group by seq)
 * and set the returns aside by an anti-join: 110–220 ms of PostgreSQL's time for 100,000 payments whose pages it
 * holds, against 27–40 ms (psql, EXPLAIN ANALYZE without timing). Pages it must first read from the system cost
 * more than either on this machine (~28 µs each: ~110 ms for the 3,925 pages of 100,000 executions, I/O timing).
 * No ORDER BY: the nested loop over generate_series keeps its order, and sorting ~10 MB of rows (to disk, past
 * work_mem) cost more than the reading.
 */
const AWAITING_RECENT = `
  SELECT recent.payments, recent.through
    FROM awaiting_statement_window w,
         LATERAL (SELECT coalesce(array_agg(r.payment_order_id), '{}') AS ids
                    FROM payment_returns r JOIN payment_executions e ON e.payment_order_id = r.payment_order_id
                   WHERE e.seq > w.executed_through) returned,
         generate_series(w.executed_through, (SELECT max(seq) FROM payment_executions) - 1, ${AWAITING_PER_ROW}) range_start,
         LATERAL (SELECT string_agg(in_range.awaiting_row, '') AS payments, max(in_range.seq)::text AS through
                    FROM (SELECT e.awaiting_row, e.seq FROM payment_executions e
                           WHERE e.seq > range_start AND e.seq <= range_start + ${AWAITING_PER_ROW} AND e.payment_order_id <> ALL (returned.ids)
                           ORDER BY e.seq) in_range) recent
   WHERE recent.payments IS NOT NULL`;

/**
 * The first round trip of a reconciliation, one simple query: the reconciliation lock, then the payments awaiting
 * a statement.
 */
const START_OF_RECONCILIATION = `
  SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.reconciliation')), set_config('jit', 'off', true);
  ${AWAITING_CARRIED};
  ${AWAITING_RECENT}`;

/** What START_OF_RECONCILIATION read: the payments awaiting a statement. */
export interface AwaitingRows {
  carried: { payments: string }[];
  recent: { payments: string; through: string }[];
}

/**
 * Carries what this reconciliation leaves awaiting to the next (see migration 1764000100006): the carried
 * payments now matched or returned leave the carry (with any returned through the API meanwhile), the recent
 * ones still awaiting join it, and the window moves past the executions this reconciliation has seen.
 */
const CARRY_FORWARD = `
  WITH gone AS (
         DELETE FROM awaiting_statement_carry c USING payment_executions e
          WHERE e.reference = c.reference
            AND (c.reference = ANY($1::text[]) OR EXISTS (SELECT 1 FROM payment_returns r WHERE r.payment_order_id = e.payment_order_id))),
       kept AS (INSERT INTO awaiting_statement_carry (reference) SELECT unnest($2::text[]) ON CONFLICT DO NOTHING)
  UPDATE awaiting_statement_window SET executed_through = greatest(executed_through, $3::bigint) RETURNING executed_through::text`;

/**
 * The orders executed more than $3 days before $2 and on no statement, stored for reconciliation $1. Once
 * CARRY_FORWARD has run, every such payment awaits a statement: it is carried, or beyond the window $4 (none,
 * usually; the window is passed as a value so that the planner sees how few executions lie beyond it). Exact
 * because executions are recorded under the shared form of the reconciliation lock (migration 1764000100007):
 * none is committed while a reconciliation reads, so the window passes over none. The cost follows the payments
 * awaiting a statement (~5 ms), not the history (the former scan of every execution anti-joined every match ever
 * made: 70–100 ms at 200,000 matches, on parallel workers).
 */
const UNMATCHED_ORDERS = `
  INSERT INTO reconciliation_unmatched (reconciliation_id, payment_order_id, reference, amount_cents, executed_on, days_unmatched, department_code, structure_id)
  SELECT $1, o.id, o.reference, o.amount_cents, e.executed_on, $2::date - e.executed_on, o.department_code, o.structure_id
    FROM (SELECT reference FROM awaiting_statement_carry UNION SELECT reference FROM payment_executions WHERE seq > $4::bigint) awaiting
    JOIN payment_executions e ON e.reference = awaiting.reference
    JOIN payment_orders o ON o.id = e.payment_order_id
   WHERE e.executed_on < $2::date - $3::int AND o.status = 'EXECUTED' AND NOT ${MATCHED_ON_A_STATEMENT}
  RETURNING payment_order_id, reference, amount_cents::text, executed_on, days_unmatched, department_code, structure_id`;

/** The reconciliation of a statement (by format and statement id), with its content's SHA-256. */
const RECONCILIATION_OF_STATEMENT = `SELECT id, content_sha256 FROM reconciliations WHERE format = $1 AND statement_id = $2`;

/** Ledger dimensions by id: what the settlement journal's entries carry. */
const DIMENSIONS = `SELECT id, envelope_id, department_code, structure_id FROM ledger_dimensions WHERE id = ANY($1::int[])`;
type DimensionRow = { id: number; envelope_id: string; department_code: string; structure_id: string };

/**
 * statement_matches columns written by COPY (binary, see MatchRows): the reconciliation, what the bank alone says of
 * a line that paid a payment, and the payment's execution (its number: the key, see migration 1764000100009).
 */
const MATCH_COLUMNS = `statement_matches (reconciliation_id, line_no, entry_ref, booking_date, execution_seq, counterparty_name, return_reason)`;

/** statement_lines columns (every other line, in full): the bank's line in the CSV statement's order, then the finding. */
const LINE_COLUMNS = `statement_lines (statement_ref, entry_ref, booking_date, direction, amount, currency, reference, counterparty_iban, counterparty_name, return_reason,
                                        line_no, finding, expected_amount_cents, detail)`;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Matched tranches per TrancheReconciled event (the last event of a reconciliation has the rest). */
export const EVENT_BATCH = 1000;
const SUMMARY_FINDINGS = 1000;
/** Lines classified and handed to COPY at a time: PostgreSQL stores a chunk while the next is classified. */
const CHUNK = 5000;
/** Lines classified before the first rows are handed to COPY. */
const FIRST_ROWS = 500;
/** TrancheReconciled events handed to COPY at a time (~47 kB each): PostgreSQL stores them while the next are built. */
const EVENTS_PER_CHUNK = 10;

const text = (value: string | null) => (value === null ? '' : copyText(value));
const decimalEuros = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/**
 * Matched lines as statement_matches rows (MATCH_COLUMNS) in PostgreSQL's binary COPY format: while this process
 * classifies a statement, PostgreSQL stores its matches, and that was the slower side (its CSV parsing and the
 * per-row default that filled reconciliation_id: ~165 ms for 100,000 rows, ~115 in binary).
 */
class MatchRows {
  private readonly writer = new BinaryCopyWriter(CHUNK * 160);
  private readonly reconciliation: Buffer;

  constructor(reconciliationId: string) {
    this.reconciliation = BinaryCopyWriter.uuid(reconciliationId);
  }

  /** Line `l`, which paid the payment of execution number `seq`. */
  add(l: StatementLine, seq: number): void {
    this.writer.row(7).uuidBytes(this.reconciliation).int32(l.lineNo).text(l.entryRef).date(l.bookingDate).int64(seq).text(l.counterpartyName).text(l.returnReason);
  }

  /** The rows added since the last call (the format's header first). */
  take(): Buffer {
    return this.writer.take();
  }

  /** The last rows and the format's trailer. */
  finish(): Buffer {
    return this.writer.finish();
  }
}

/** Any other line as a statement_lines row (LINE_COLUMNS). */
const lineRow = (statementId: string, c: ClassifiedLine, expected: number | null) => {
  const l = c.line;
  return `${text(statementId)},${text(l.entryRef)},${l.bookingDate},${l.direction},${decimalEuros(l.amountCents)},EUR,${text(l.reference)},` +
    `${text(l.counterpartyIban)},${text(l.counterpartyName)},${text(l.returnReason)},${l.lineNo},${c.finding},${expected ?? ''},${text(c.detail)}\n`;
};

/** The non-negative integer written in text[from, to) (NaN when empty or not all digits; beyond 2^53 it is not a safe integer). */
function digitsIn(text: string, from: number, to: number): number {
  if (to <= from) return NaN;
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** A payment's state as AwaitingPayments keeps it (one byte each). */
const STATES: readonly Payment['state'][] = ['EXECUTED', 'RECONCILED', 'RETURNED'];

/**
 * The payments awaiting a statement (AwaitingRows): this reconciliation's working list, found by reference.
 * Nothing is made per payment when the rows are read: each payment is known by the bounds of its fields in
 * its row, its amount, dimension and state in typed arrays, and its reference is indexed where it is written
 * (ReferenceIndex). A lookup hands the matcher a view of the payment (AwaitingPayment), dropped with its line.
 * 100,000 payment objects and their 300,000 strings, all alive to the end of the pass, were copied by the
 * garbage collections of the young generation, then promoted: most of the reading's time (PostgreSQL waits
 * while it runs: it has nothing to store before the first match) and much of the pass's GC.
 * Statements mostly list payments in the order they were executed, the order they are read in: the payment
 * after the last one found is tried first (a comparison in place instead of a hash-table lookup), the index
 * otherwise.
 */
class AwaitingPayments {
  private readonly rows: string[] = [];
  /** Per payment: its row (index in `rows`). */
  private rowOf = new Int32Array(1024);
  /** Per payment, five offsets in its row: where its reference starts, then where its reference, amount, IBAN and tranche id end. */
  private bounds = new Int32Array(5 * 1024);
  private amounts = new Float64Array(1024);
  private dimensions = new Float64Array(1024);
  /** Per payment: its execution's number. */
  private seqs = new Float64Array(1024);
  /** Per payment: its index in STATES. */
  private states = new Uint8Array(1024);
  /** Per payment: 1 when read from awaiting_statement_carry. */
  private carriedFlags = new Uint8Array(1024);
  private size = 0;
  /** The ledger dimensions of these payments, each once. */
  readonly dimensionIds: number[] = [];
  private readonly index: ReferenceIndex;
  private next = 0;

  constructor(awaiting: AwaitingRows) {
    this.read(awaiting.carried, true);
    this.read(awaiting.recent, false);
    this.index = new ReferenceIndex({
      count: this.size,
      hashAt: (position) => hashOf(this.rowAt(position), this.bounds[5 * position], this.bounds[5 * position + 1]),
      isAt: (position, reference) => this.isAt(position, reference),
    });
  }

  /** How many payments await a statement. */
  get count(): number {
    return this.size;
  }

  private read(rows: { payments: string }[], carried: boolean): void {
    const dimensionsSeen = new Set<number>(this.dimensionIds);
    for (const { payments: row } of rows) {
      const rowIndex = this.rows.push(row) - 1;
      // Read in place, field by field (six per payment, each ended by U+001F): amounts, dimensions and execution
      // numbers as numbers (refused unless all digits), the rest left where it is written.
      for (let at = 0; at < row.length; ) {
        const a = row.indexOf('\u001f', at);
        const b = row.indexOf('\u001f', a + 1);
        const c = row.indexOf('\u001f', b + 1);
        const d = row.indexOf('\u001f', c + 1);
        const e = row.indexOf('\u001f', d + 1);
        const f = row.indexOf('\u001f', e + 1);
        if (a < 0 || b < 0 || c < 0 || d < 0 || e < 0 || f < 0) throw new Error('malformed list of payments awaiting a statement');
        const amountCents = digitsIn(row, a + 1, b);
        if (!Number.isSafeInteger(amountCents)) throw new Error(`payment ${row.slice(at, a)}: amount beyond exact integer cents`);
        const dimension = digitsIn(row, d + 1, e);
        if (!Number.isSafeInteger(dimension)) throw new Error(`payment ${row.slice(at, a)}: malformed ledger dimension`);
        const seq = digitsIn(row, e + 1, f);
        if (!Number.isSafeInteger(seq)) throw new Error(`payment ${row.slice(at, a)}: malformed execution number`);
        if (!dimensionsSeen.has(dimension)) {
          dimensionsSeen.add(dimension);
          this.dimensionIds.push(dimension);
        }
        if (this.size === this.amounts.length) this.grow();
        const p = this.size++;
        const bounds = this.bounds;
        bounds[5 * p] = at;
        bounds[5 * p + 1] = a;
        bounds[5 * p + 2] = b;
        bounds[5 * p + 3] = c;
        bounds[5 * p + 4] = d;
        this.rowOf[p] = rowIndex;
        this.amounts[p] = amountCents;
        this.dimensions[p] = dimension;
        this.seqs[p] = seq;
        this.carriedFlags[p] = carried ? 1 : 0;
        at = f + 1;
      }
    }
  }

  /** Room for twice as many payments. */
  private grow(): void {
    this.rowOf = twiceAsLong(this.rowOf);
    this.bounds = twiceAsLong(this.bounds);
    this.amounts = twiceAsLong(this.amounts);
    this.dimensions = twiceAsLong(this.dimensions);
    this.seqs = twiceAsLong(this.seqs);
    this.states = twiceAsLong(this.states);
    this.carriedFlags = twiceAsLong(this.carriedFlags);
  }

  /** The row the payment at this position is written in. */
  private rowAt(position: number): string {
    return this.rows[this.rowOf[position]];
  }

  private isAt(position: number, reference: string): boolean {
    const from = this.bounds[5 * position];
    return this.bounds[5 * position + 1] - from === reference.length && this.rowAt(position).startsWith(reference, from);
  }

  /** The payment with this reference, if it awaits a statement: a view (every view of a payment shares its state). */
  get(reference: string): Payment | undefined {
    let position = this.next;
    if (position >= this.size || !this.isAt(position, reference)) {
      position = this.index.positionOf(reference);
      if (position < 0) return undefined;
    }
    this.next = position + 1;
    return this.at(position);
  }

  /** The payment at this position (a view). */
  at(position: number): Payment {
    return new AwaitingPayment(this, position);
  }

  /** The payment's reference (field 1), IBAN (3) or tranche id (4), sliced from its row. */
  textAt(position: number, field: 1 | 3 | 4): string {
    const start = field === 1 ? this.bounds[5 * position] : this.bounds[5 * position + field - 1] + 1;
    return this.rowAt(position).slice(start, this.bounds[5 * position + field]);
  }
  amountAt(position: number): number {
    return this.amounts[position];
  }
  dimensionAt(position: number): number {
    return this.dimensions[position];
  }
  seqAt(position: number): number {
    return this.seqs[position];
  }
  stateAt(position: number): Payment['state'] {
    return STATES[this.states[position]];
  }
  setStateAt(position: number, state: Payment['state']): void {
    this.states[position] = STATES.indexOf(state);
  }
  carriedAt(position: number): boolean {
    return this.carriedFlags[position] === 1;
  }
}

/** A copy of the array, twice as long (the rest zeros). */
function twiceAsLong<A extends Int32Array | Float64Array | Uint8Array>(array: A): A {
  const longer = new (array.constructor as new (length: number) => A)(2 * array.length);
  longer.set(array);
  return longer;
}

/** A payment awaiting a statement as the matcher sees it: a view of its place in AwaitingPayments. */
class AwaitingPayment implements Payment {
  constructor(
    private readonly list: AwaitingPayments,
    readonly position: number,
  ) {}
  get reference(): string {
    return this.list.textAt(this.position, 1);
  }
  get amountCents(): number {
    return this.list.amountAt(this.position);
  }
  get beneficiaryIban(): string {
    return this.list.textAt(this.position, 3);
  }
  get trancheId(): string {
    return this.list.textAt(this.position, 4);
  }
  get dimension(): number {
    return this.list.dimensionAt(this.position);
  }
  get state(): Payment['state'] {
    return this.list.stateAt(this.position);
  }
  set state(state: Payment['state']) {
    this.list.setStateAt(this.position, state);
  }
  get carried(): boolean {
    return this.list.carriedAt(this.position);
  }
  get seq(): number {
    return this.list.seqAt(this.position);
  }
}

/**
 * The payments a statement matched, as they are matched: in order (the events) and the total per ledger
 * dimension (the settlement). Those awaiting a statement are kept by their position (no object per match).
 */
class Matches {
  /** Each match in order: the payment's position among the awaiting payments, or -1 - its index in `foundApart`. */
  private readonly order: number[] = [];
  private readonly foundApart: Payment[] = [];
  readonly centsByDimension = new Map<number, number>();
  cents = 0;

  constructor(private readonly awaiting: AwaitingPayments) {}

  get count(): number {
    return this.order.length;
  }

  add(payment: Payment): void {
    if (payment.position >= 0) this.order.push(payment.position);
    else this.order.push(-this.foundApart.push(payment));
    this.cents += payment.amountCents;
    this.centsByDimension.set(payment.dimension, (this.centsByDimension.get(payment.dimension) ?? 0) + payment.amountCents);
  }

  /** The n-th payment matched. */
  at(n: number): Payment {
    const entry = this.order[n];
    return entry >= 0 ? this.awaiting.at(entry) : this.foundApart[-1 - entry];
  }
}

/** Runs `read`; a statement refused whole (StatementFormatError) becomes a 400 naming each line and field. */
function refusedAsBadRequest<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof StatementFormatError) {
      throw badRequest(error.message, error.problems.map((p) => ({ field: p.line ? `line ${p.line}: ${p.field}` : p.field, message: p.message })));
    }
    throw error;
  }
}

/** A statement reader that can read chunks ahead (while a query runs) and hands them out first. */
class ReadAhead implements StatementReader {
  private readonly ahead: StatementLine[][] = [];
  constructor(private readonly reader: StatementReader) {}
  get invalid() {
    return this.reader.invalid;
  }
  get statementId() {
    return this.reader.statementId;
  }
  /** Reads one chunk ahead; false once the statement is read through. */
  readAhead(max: number): boolean {
    const lines = refusedAsBadRequest(() => this.reader.next(max));
    if (lines.length === 0) return false;
    this.ahead.push(lines);
    return true;
  }
  /** Reads chunks ahead until `pending` settles (a query PostgreSQL works on meanwhile) or the statement is read through. */
  async readAheadUntil(pending: Promise<unknown>): Promise<void> {
    let settled = false;
    pending.then(() => (settled = true), () => (settled = true));
    while (!settled && this.readAhead(CHUNK)) await yieldToEventLoop();
  }
  next(max: number): StatementLine[] {
    return this.ahead.shift() ?? refusedAsBadRequest(() => this.reader.next(max));
  }
  finish(): StatementInfo {
    return this.reader.finish();
  }
}

export interface ReconciliationSummary {
  id: string;
  statementId: string;
  format: StatementFormat;
  accountIban: string | null;
  asOf: string;
  lines: number;
  matchedCents: number;
  /** Per finding, UNMATCHED_ORDER included (orders executed more than `unmatchedAfterDays` days ago and on no statement). */
  counts: Record<Finding, number>;
  unmatchedAfterDays: number;
  createdBy: string;
  createdAt: string;
  /** Every line that is not MATCHED (the first 1,000), and the unmatched orders (the first 1,000). */
  findings: FindingView[];
  unmatchedOrders: { paymentOrderId: string; reference: string; amountCents: number; executedOn: string; daysUnmatched: number; departmentCode: string; structureId: string }[];
}

export interface FindingView {
  finding: Finding;
  lineNo: number | null;
  entryReference: string | null;
  paymentReference: string | null;
  direction: string | null;
  bookingDate: string | null;
  amountCents: number;
  expectedAmountCents: number | null;
  counterpartyIban: string | null;
  paymentOrderId: string | null;
  trancheId: string | null;
  detail: string | null;
}

const lineView = (r: Record<string, any>): FindingView => ({
  finding: r.finding,
  lineNo: r.line_no,
  entryReference: r.entry_ref,
  paymentReference: r.reference,
  direction: r.direction,
  bookingDate: r.booking_date,
  amountCents: cents(r.amount_cents).toNumber(),
  expectedAmountCents: r.expected_amount_cents === null ? null : cents(r.expected_amount_cents).toNumber(),
  // stored as the bank wrote it; shown normalised, as the matcher compared it
  counterpartyIban: r.counterparty_iban === null ? null : (normalizeIban(r.counterparty_iban) ?? r.counterparty_iban),
  paymentOrderId: r.payment_order_id,
  trancheId: r.tranche_id,
  detail: r.detail,
});

/** A non-matched line as the summary shows it (order and tranche ids filled in afterwards). */
function findingOf(c: ClassifiedLine<Payment>, expected: number | null): FindingView {
  const l = c.line;
  return {
    finding: c.finding, lineNo: l.lineNo, entryReference: l.entryRef, paymentReference: l.reference, direction: l.direction, bookingDate: l.bookingDate,
    amountCents: l.amountCents, expectedAmountCents: expected, counterpartyIban: l.counterpartyIban, paymentOrderId: null, trancheId: null, detail: c.detail,
  };
}

/**
 * Bank reconciliation by the Banque des Territoires. A statement (CSV or camt.053) is read
 * strictly, its lines classified by the domain matcher against executed payment orders, and in
 * one transaction: every line stored with its finding (COPY), the matched payments posted (one
 * SETTLE journal, the pending executions becoming posted), returns applied, orders unmatched
 * for too long listed, TrancheReconciled announced. The same statement again (same bytes)
 * answers the first reconciliation and changes nothing; reconciliations run one at a time.
 */
@Injectable()
export class ReconciliationService {
  /** Milliseconds spent in each step of the last reconciliation (the bench prints them). */
  lastTimings: Record<string, number> = {};
  private mark = 0;

  private lap(step: string): void {
    const now = performance.now();
    this.lastTimings[step] = Math.round((now - this.mark) * 10) / 10;
    this.mark = now;
  }

  constructor(
    private readonly core: SubsidiesCore,
    private readonly payments: PaymentsService,
  ) {}

  /** A reader of the statement's lines; a statement refused whole is a 400 naming each line and field. */
  private reader(content: string, format: StatementFormat): StatementReader {
    return refusedAsBadRequest(() => readStatement(content, format));
  }

  async reconcile(principal: Principal, content: string, format: StatementFormat, context: EventContext): Promise<{ created: boolean; summary: ReconciliationSummary }> {
    this.lastTimings = {};
    this.mark = performance.now();
    const reader = new ReadAhead(this.reader(content, format));
    reader.readAhead(1); // its statement id
    // The statement's SHA-256 (~12 ms for 11.5 MiB: sha256Hex), computed once PostgreSQL has work, unless a
    // replay needs it first.
    let sha: string | undefined;
    const digest = (): string => (sha ??= sha256Hex(content));
    // The same statement again (same bytes, so the same statement id) answers the first reconciliation, without
    // waiting for the lock. A statement whose id is new cannot be one: it goes straight on (one reconciled while
    // this one waits for the lock is caught behind it). The statement is read ahead while PostgreSQL looks.
    if (reader.statementId !== null) {
      const lookup: Promise<{ id: string; content_sha256: string }[]> = this.core.dataSource.query(RECONCILIATION_OF_STATEMENT, [format, reader.statementId]);
      lookup.catch(() => undefined); // awaited below
      await reader.readAheadUntil(lookup);
      const [same] = await lookup;
      if (same && same.content_sha256 === digest()) return { created: false, summary: await this.summary(same.id) };
    }
    this.lap('statement id looked up');
    const outcome = await this.core.transaction(async (manager): Promise<{ replay: string } | { created: ReconciliationSummary }> => {
      // One reconciliation at a time (bank returns through the API take the same lock). Behind the lock, in
      // one round trip, PostgreSQL reads the payments awaiting a statement while this process reads the
      // statement: the two cores work at once.
      const client = await rawClient(manager);
      const started = client.query({ text: START_OF_RECONCILIATION }) as unknown as Promise<{ rows: any[] }[]>;
      started.catch(() => undefined); // awaited below
      digest(); // now that PostgreSQL has work
      await reader.readAheadUntil(started);
      // The results of START_OF_RECONCILIATION's statements, in order: the lock, the carried payments, the recent payments.
      const results = (await started).map((result) => result.rows);
      const contentSha = digest();
      this.lap('read ahead while PostgreSQL finds the payments awaiting a statement');
      // Reconciled while this one waited for the lock?
      const [concurrent] = await manager.query(`SELECT id FROM reconciliations WHERE content_sha256 = $1`, [contentSha]);
      if (concurrent) return { replay: concurrent.id as string };
      return { created: await this.apply(manager, deterministicId('reconciliation', contentSha), contentSha, reader, { carried: results[1], recent: results[2] } as AwaitingRows, actorOf(principal), context) };
    });
    this.lap('commit');
    if ('replay' in outcome) return { created: false, summary: await this.summary(outcome.replay) };
    return { created: true, summary: outcome.created };
  }

  /**
   * The whole reconciliation, inside the caller's transaction (which holds the reconciliation lock), in
   * one pass over the statement: `awaiting` holds the executed payments on no statement yet (see
   * AWAITING_PAYMENTS). Lines are read and classified a chunk at a time, each chunk's matched lines
   * streamed to COPY at once (PostgreSQL stores them while the next are read); lines naming any other
   * payment wait for the pass to end (one query finds those payments); the other findings, few, are
   * written last, in full. Returns the reconciliation's summary.
   */
  async apply(
    manager: EntityManager, id: string, sha: string, reader: StatementReader, awaiting: AwaitingRows, createdBy: string, context: EventContext,
  ): Promise<ReconciliationSummary> {
    const today = this.core.today();
    // The reconciliation's setting (statement_lines' default) is sent first: its round trip passes while this
    // process reads the payments awaiting a statement (the raw client sends at once; TypeORM's query would
    // wait for the reading to end).
    const client = await rawClient(manager);
    const configured = client.query({ text: `SELECT set_config('subsidies.reconciliation_id', $1, true)`, values: [id] });
    configured.catch(() => undefined); // awaited below
    const lookup = new AwaitingPayments(awaiting);
    // Their ledger dimensions (the settlement's grouping), read while the first lines are classified, when
    // PostgreSQL has nothing else to do: the settlement no longer waits for them.
    const dimensionsRead = client.query({ text: DIMENSIONS, values: [lookup.dimensionIds] });
    dimensionsRead.catch(() => undefined); // awaited below
    this.lap('load payments');
    await configured;
    const copy = await openCopy(manager, MATCH_COLUMNS, 'binary');
    const matchRows = new MatchRows(id);
    const matcher = new StatementMatcher<Payment>((reference) => lookup.get(reference));
    const matched = new Matches(lookup);
    const others: ClassifiedLine<Payment>[] = [];
    // TrancheReconciled, one event per 1,000 matched tranches, in the order they were matched.
    const events: OutboxMessage[] = [];
    /** Builds the next batch's event (full batches only unless `final`); false when there is none to build. */
    const announceNext = (statementId: string, final: boolean): boolean => {
      const start = events.length * EVENT_BATCH;
      const end = Math.min(start + EVENT_BATCH, matched.count);
      if (end <= start || (end - start < EVENT_BATCH && !final)) return false;
      const trancheIds: string[] = [];
      const amountsCents: number[] = [];
      for (let n = start; n < end; n++) {
        const payment = matched.at(n);
        trancheIds.push(payment.trancheId);
        amountsCents.push(payment.amountCents);
      }
      events.push({
        topic: TrancheReconciledV1.topic,
        envelope: TrancheReconciledV1.create(id, { reconciliationId: id, statementId, batch: events.length + 1, trancheIds, amountsCents }, context),
      });
      return true;
    };
    try {
      await this.pass(reader, matcher, copy, matchRows, matched, others);
      if (!reader.invalid) copy.write(matchRows.finish());
    } catch (error) {
      // A statement that turns out unreadable mid-way (or any failure): the COPY is ended before the transaction rolls back.
      await copy.end().catch(() => undefined);
      throw error;
    }
    const stored = copy.end();
    let statement: StatementInfo;
    try {
      statement = refusedAsBadRequest(() => reader.finish());
    } catch (error) {
      await stored.catch(() => undefined);
      throw error;
    }
    this.lap('read, classify and stream matches (COPY)');
    // The next two reads are queued now (the driver sends each as soon as PostgreSQL is done with the one before,
    // instead of this code after the COPY): a statement id reused with other content, and the payments the
    // deferred lines name.
    const sameIdRead = client.query({ text: RECONCILIATION_OF_STATEMENT, values: [statement.format, statement.statementId] });
    sameIdRead.catch(() => undefined); // awaited below
    const deferred = matcher.deferredReferences();
    const laterRead = deferred.size > 0 ? this.paymentsNamed(client, deferred) : Promise.resolve(new Map<string, Payment>());
    laterRead.catch(() => undefined); // awaited below
    // While PostgreSQL finishes storing the matches, this process builds what it sends next: the settlement
    // journal's statement (built again below if deferred lines match), then the events. The events are built
    // after the pass, not during it (their 100,000 tranche ids and 100 envelopes were kept alive through the
    // pass, copied by each garbage collection of the young generation, then promoted): the full batches while
    // PostgreSQL finishes storing the matches, as long as it does (full batches only: lines matched later,
    // deferred ones, may still join the last), the rest while it writes the settlement journal.
    const dimensions = new Map<number, DimensionRow>();
    for (const d of (await dimensionsRead).rows as DimensionRow[]) dimensions.set(d.id, d);
    let settlement = await this.settlement(client, id, matched, dimensions, today);
    let storing = true;
    stored.then(() => (storing = false), () => (storing = false));
    while (storing && announceNext(statement.statementId, false)) await yieldToEventLoop();
    await stored;
    const [sameId] = (await sameIdRead).rows;
    if (sameId) {
      throw conflict(`statement ${statement.statementId} was already reconciled (${sameId.id}) with different content`, { reconciliationId: sameId.id });
    }
    this.lap('COPY done');

    // Lines naming a payment not awaiting a statement (reconciled or returned before, executed since the
    // lock, or no payment at all): classified now, in order, against those payments.
    const later = await laterRead;
    if (deferred.size > 0) {
      const rows = new MatchRows(id);
      const before = matched.count;
      for (const c of matcher.classifyDeferred((reference) => later.get(reference))) {
        if (c.finding !== 'MATCHED') {
          others.push(c);
          continue;
        }
        matched.add(c.payment!);
        rows.add(c.line, c.payment!.seq);
      }
      if (matched.count > before) {
        await copyFrom(manager, MATCH_COLUMNS, [rows.finish()], 'binary');
        settlement = await this.settlement(client, id, matched, dimensions, today);
      }
      others.sort((a, b) => a.line.lineNo - b.line.lineNo);
    }

    const counts = Object.fromEntries(FINDINGS.map((f) => [f, 0])) as Record<Finding, number>;
    counts.MATCHED = matched.count;
    const findings: FindingView[] = [];
    let otherRows = '';
    for (const c of others) {
      counts[c.finding] += 1;
      const expected = c.payment && c.finding === 'AMOUNT_MISMATCH' ? c.payment.amountCents : null;
      if (findings.length < SUMMARY_FINDINGS) findings.push(findingOf(c, expected));
      otherRows += lineRow(statement.statementId, c, expected);
    }
    if (otherRows.length > 0) await copyCsv(manager, LINE_COLUMNS, [Buffer.from(otherRows)]);
    this.lap('other lines');

    // The pending executions the statement shows are posted: one journal, a pair of entries per
    // envelope × département × structure; and TrancheReconciled is written. The journal first, so that this
    // process builds and serialises the rest of the events while PostgreSQL writes it: sent by the raw client,
    // at once (TypeORM sends a query only after a few promise jobs, here after the events were built: PostgreSQL
    // then waited idle for 40–55 ms, a timeline of both processes' CPU showed). The events go to a COPY behind
    // it, EVENTS_PER_CHUNK at a time as they are built, so that PostgreSQL stores them meanwhile.
    const matchedCents = matched.cents;
    if (!Number.isSafeInteger(matchedCents)) throw new Error('the matched total is beyond exact integer cents');
    const posted: Promise<unknown> = settlement === null ? Promise.resolve() : client.query(settlement);
    posted.catch(() => undefined); // awaited below
    this.lap('settlement journal sent');
    try {
      if (matched.count > 0) await this.writeEvents(manager, events, () => announceNext(statement.statementId, true));
    } finally {
      await posted;
    }
    this.lap('events written, journal posted');

    for (const c of others) {
      if (c.finding !== 'RETURN') continue;
      const [{ id: orderId }] = await manager.query(`SELECT id FROM payment_orders WHERE reference = $1`, [c.payment!.reference]);
      const order = await this.payments.lockOrder(manager, orderId);
      await this.payments.applyReturn(
        manager, order,
        { returnedOn: c.line.bookingDate, reason: c.line.returnReason ?? 'returned by the bank', source: 'STATEMENT', reconciliationId: id, recordedBy: createdBy },
        context,
      );
    }

    const window = await this.carryForward(manager, lookup, awaiting, later);

    const unmatchedAfterDays = this.core.settings.unmatchedAfterDays;
    const unmatched = await manager.query(UNMATCHED_ORDERS, [id, today, unmatchedAfterDays, window]);
    counts.UNMATCHED_ORDER = unmatched.length;
    this.lap('returns and unmatched orders');

    const [row] = await manager.query(
      `INSERT INTO reconciliations (id, content_sha256, format, statement_id, account_iban, line_count, counts, matched_cents, unmatched_after_days, as_of, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING created_at`,
      [id, sha, statement.format, statement.statementId, statement.accountIban, statement.lineCount, JSON.stringify(counts), matchedCents, unmatchedAfterDays, today, createdBy],
    );
    // The answer comes from what was just written (the lines' order ids are read for the few findings shown).
    const orderIds = await this.orderIdsOf(manager, findings);
    return {
      id, statementId: statement.statementId, format: statement.format, accountIban: statement.accountIban, asOf: today, lines: statement.lineCount,
      matchedCents, counts, unmatchedAfterDays, createdBy, createdAt: (row.created_at as Date).toISOString(),
      findings: findings.map((f) => ({ ...f, paymentOrderId: f.paymentReference ? (orderIds.get(f.paymentReference)?.id ?? null) : null, trancheId: f.paymentReference ? (orderIds.get(f.paymentReference)?.tranche_id ?? null) : null })),
      unmatchedOrders: unmatched.slice(0, SUMMARY_FINDINGS).sort((a: Record<string, string>, b: Record<string, string>) => (a.executed_on + a.reference).localeCompare(b.executed_on + b.reference)).map((u: Record<string, any>) => ({
        paymentOrderId: u.payment_order_id, reference: u.reference, amountCents: cents(u.amount_cents).toNumber(), executedOn: u.executed_on,
        daysUnmatched: u.days_unmatched, departmentCode: u.department_code, structureId: u.structure_id,
      })),
    };
  }

  /**
   * Writes the events (`events`, then those `buildNext` adds, one at a time, until it returns false) to the outbox,
   * by a COPY (OUTBOX_COLUMNS, binary) that PostgreSQL runs as soon as it is done with what it was given before on
   * this connection: a reconciliation's ~100 TrancheReconciled batches, ~4.7 MB, go to PostgreSQL as they are built
   * instead of in one 4.7 MB INSERT built after the last (its bind message alone took each side tens of milliseconds).
   */
  private async writeEvents(manager: EntityManager, events: OutboxMessage[], buildNext: () => boolean): Promise<void> {
    const copy = await openCopy(manager, OUTBOX_COLUMNS, 'binary');
    const rows = new BinaryCopyWriter(EVENTS_PER_CHUNK * 50_000);
    let written = 0;
    const addBuilt = () => {
      for (; written < events.length; written++) {
        const r = this.core.outbox.rowOf(events[written]);
        rows.row(6).uuidBytes(BinaryCopyWriter.uuid(r.messageId)).text(r.topic).text(r.key).text(r.type).text(r.envelope).jsonb(r.headers);
      }
    };
    try {
      addBuilt();
      while (buildNext()) {
        if (events.length - written < EVENTS_PER_CHUNK) continue;
        addBuilt();
        copy.write(rows.take());
        await yieldToEventLoop(); // the socket drains while the next are built
      }
      addBuilt();
      copy.write(rows.finish());
    } catch (error) {
      // An event refused by its contract (or any failure): the COPY is ended before the transaction rolls back.
      await copy.end().catch(() => undefined);
      throw error;
    }
    await copy.end();
    this.core.outbox.markWritten(manager);
  }

  /**
   * The statement of the settlement journal (prepareJournals), null when nothing matched: one pair of entries per
   * envelope × département × structure of the matches, with the dimensions read (`dimensions`, completed here
   * with those of payments found apart).
   */
  private async settlement(
    client: RawClient, id: string, matched: Matches, dimensions: Map<number, DimensionRow>, today: string,
  ): Promise<PreparedJournals | null> {
    if (matched.centsByDimension.size === 0) return null;
    const unread = [...matched.centsByDimension.keys()].filter((dimension) => !dimensions.has(dimension));
    if (unread.length > 0) for (const d of (await client.query({ text: DIMENSIONS, values: [unread] })).rows as DimensionRow[]) dimensions.set(d.id, d);
    const settlement = journals.settle(id, [...matched.centsByDimension].sort((a, b) => a[0] - b[0]).map(([dimension, amount]) => {
      const d = dimensions.get(dimension);
      if (!d) throw new Error('a matched payment has no ledger dimension');
      if (!Number.isSafeInteger(amount)) throw new Error('a settlement group is beyond exact integer cents');
      return { dims: { envelopeId: d.envelope_id, departmentCode: d.department_code, structureId: d.structure_id }, amount: Cents.of(amount) };
    }));
    return prepareJournals([settlement], today);
  }

  /** Reads, classifies and streams the statement's matches, a chunk at a time (see apply). */
  private async pass(
    reader: StatementReader, matcher: StatementMatcher<Payment>, copy: CopyStream, rows: MatchRows, matched: Matches, others: ClassifiedLine<Payment>[],
  ): Promise<void> {
    let first = true;
    for (let lines = reader.next(CHUNK); lines.length > 0; lines = reader.next(CHUNK)) {
      for (let from = 0; from < lines.length; ) {
        // The first rows go after FIRST_ROWS lines: PostgreSQL, idle since it sent the payments, starts storing
        // (and its answer to the COPY is read) instead of waiting for a whole chunk to be classified.
        const to = first ? Math.min(lines.length, FIRST_ROWS) : lines.length;
        first = false;
        for (let i = from; i < to; i++) {
          const c = matcher.classifyOrDefer(lines[i]);
          if (c === undefined) continue;
          if (c.finding !== 'MATCHED') {
            others.push(c);
            continue;
          }
          matched.add(c.payment!);
          rows.add(c.line, c.payment!.seq);
        }
        from = to;
        const chunk = rows.take();
        // A refused statement writes nothing more (its transaction is rolled back); its lines are still read, for the report of every problem.
        if (reader.invalid) continue;
        if (chunk.length > 0) copy.write(chunk);
        // Let the socket drain: PostgreSQL stores this chunk while the next is read.
        await yieldToEventLoop();
      }
    }
  }

  /**
   * What this reconciliation leaves awaiting a statement, for the next (CARRY_FORWARD). The window moves past
   * every execution read as recent and every one found apart (`later`) and matched: none beyond it is on a
   * statement. Those found apart and still awaiting are carried if the window passes them. Returns the window.
   */
  private async carryForward(manager: EntityManager, lookup: AwaitingPayments, awaiting: AwaitingRows, later: Map<string, Payment>): Promise<string> {
    let through = 0;
    for (const row of awaiting.recent) through = Math.max(through, Number(row.through));
    for (const p of later.values()) if (p.state === 'RECONCILED' && p.seq > through) through = p.seq;
    const leaving: string[] = [];
    const carried: string[] = [];
    for (let position = 0; position < lookup.count; position++) {
      const executed = lookup.stateAt(position) === 'EXECUTED';
      if (lookup.carriedAt(position)) {
        if (!executed) leaving.push(lookup.textAt(position, 1));
      } else if (executed) carried.push(lookup.textAt(position, 1));
    }
    for (const p of later.values()) if (p.state === 'EXECUTED' && p.seq <= through) carried.push(p.reference);
    const [[{ executed_through: window }]] = await manager.query(CARRY_FORWARD, [leaving, carried, through]);
    return window;
  }

  /** The payments (with an execution) of these references, whatever their state: reconciled, returned, or executed since the lock. */
  private async paymentsNamed(client: RawClient, references: Set<string>): Promise<Map<string, Payment>> {
    const { rows } = await client.query({
      text: `SELECT o.reference, o.amount_cents::text, e.beneficiary_iban, o.tranche_id, o.dimension_id, o.status, ${MATCHED_ON_A_STATEMENT}, e.seq::text
               FROM payment_orders o JOIN payment_executions e ON e.payment_order_id = o.id WHERE o.reference = ANY($1::text[])`,
      values: [[...references]],
      rowMode: 'array',
    });
    const payments = new Map<string, Payment>();
    for (const row of rows) {
      const amountCents = Number(row[1]);
      if (!Number.isSafeInteger(amountCents)) throw new Error(`payment ${row[0]}: amount beyond exact integer cents`);
      payments.set(row[0], {
        reference: row[0], amountCents, beneficiaryIban: row[2], trancheId: row[3], dimension: row[4],
        state: row[5] === 'RETURNED' ? 'RETURNED' : row[6] ? 'RECONCILED' : 'EXECUTED', carried: false, seq: Number(row[7]), position: -1,
      });
    }
    return payments;
  }

  private async orderIdsOf(manager: EntityManager, findings: FindingView[]): Promise<Map<string, { id: string; tranche_id: string }>> {
    const references = [...new Set(findings.filter((f) => f.finding !== 'UNKNOWN_REFERENCE' && f.paymentReference).map((f) => f.paymentReference!))];
    if (references.length === 0) return new Map();
    const rows = await manager.query(`SELECT reference, id, tranche_id FROM payment_orders WHERE reference = ANY($1::text[])`, [references]);
    return new Map(rows.map((r: { reference: string; id: string; tranche_id: string }) => [r.reference, r]));
  }

  // ---- reads -------------------------------------------------------------------------------------

  async summary(id: string): Promise<ReconciliationSummary> {
    const [r] = await this.core.dataSource.query(`SELECT * FROM reconciliations WHERE id = $1`, [id]);
    if (!r) throw notFound('reconciliation');
    const findings = await this.core.dataSource.query(
      `SELECT * FROM reconciliation_lines WHERE reconciliation_id = $1 AND finding <> 'MATCHED' ORDER BY line_no LIMIT ${SUMMARY_FINDINGS}`,
      [id],
    );
    const unmatched = await this.core.dataSource.query(`SELECT * FROM reconciliation_unmatched WHERE reconciliation_id = $1 ORDER BY executed_on, reference LIMIT 1000`, [id]);
    return {
      id: r.id,
      statementId: r.statement_id,
      format: r.format,
      accountIban: r.account_iban,
      asOf: r.as_of,
      lines: r.line_count,
      matchedCents: cents(r.matched_cents).toNumber(),
      counts: r.counts,
      unmatchedAfterDays: r.unmatched_after_days,
      createdBy: r.created_by,
      createdAt: (r.created_at as Date).toISOString(),
      findings: findings.map(lineView),
      unmatchedOrders: unmatched.map((u: Record<string, any>) => ({
        paymentOrderId: u.payment_order_id, reference: u.reference, amountCents: cents(u.amount_cents).toNumber(), executedOn: u.executed_on,
        daysUnmatched: u.days_unmatched, departmentCode: u.department_code, structureId: u.structure_id,
      })),
    };
  }

  async list(query: { page?: number; pageSize?: number }): Promise<Page<Omit<ReconciliationSummary, 'findings' | 'unmatchedOrders'>>> {
    const { limit, offset, page, pageSize } = pageWindow(query);
    const [{ total }] = await this.core.dataSource.query(`SELECT count(*)::int AS total FROM reconciliations`);
    const rows = await this.core.dataSource.query(`SELECT * FROM reconciliations ORDER BY created_at DESC, id LIMIT ${limit} OFFSET ${offset}`);
    return {
      items: rows.map((r: Record<string, any>) => ({
        id: r.id, statementId: r.statement_id, format: r.format, accountIban: r.account_iban, asOf: r.as_of, lines: r.line_count,
        matchedCents: cents(r.matched_cents).toNumber(), counts: r.counts, unmatchedAfterDays: r.unmatched_after_days, createdBy: r.created_by,
        createdAt: (r.created_at as Date).toISOString(),
      })),
      page, pageSize, total,
    };
  }

  async lines(id: string, query: { finding?: string; page?: number; pageSize?: number }): Promise<Page<FindingView>> {
    await this.exists(id);
    const { limit, offset, page, pageSize } = pageWindow(query);
    const params: unknown[] = [id];
    let clause = 'reconciliation_id = $1';
    if (query.finding) {
      params.push(query.finding);
      clause += ` AND finding = $2`;
    }
    const [{ total }] = await this.core.dataSource.query(`SELECT count(*)::int AS total FROM reconciliation_lines WHERE ${clause}`, params);
    const rows = await this.core.dataSource.query(`SELECT * FROM reconciliation_lines WHERE ${clause} ORDER BY line_no LIMIT ${limit} OFFSET ${offset}`, params);
    return { items: rows.map(lineView), page, pageSize, total };
  }

  async exists(id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('reconciliation');
    const [r] = await this.core.dataSource.query(`SELECT 1 FROM reconciliations WHERE id = $1`, [id]);
    if (!r) throw notFound('reconciliation');
  }

  /** The report as CSV rows: every line with its finding, then the orders unmatched for too long. */
  async *reportRows(id: string): AsyncIterable<FindingView> {
    // Page by line number (keyset): each page starts where the last ended.
    for (let after = 0; ; ) {
      const rows = await this.core.dataSource.query(
        `SELECT * FROM reconciliation_lines WHERE reconciliation_id = $1 AND line_no > $2 ORDER BY line_no LIMIT 5000`,
        [id, after],
      );
      for (const r of rows) yield lineView(r);
      if (rows.length < 5000) break;
      after = rows[rows.length - 1].line_no;
    }
    const unmatched = await this.core.dataSource.query(`SELECT * FROM reconciliation_unmatched WHERE reconciliation_id = $1 ORDER BY executed_on, reference`, [id]);
    for (const u of unmatched) {
      yield {
        finding: 'UNMATCHED_ORDER', lineNo: null, entryReference: null, paymentReference: u.reference, direction: null, bookingDate: null,
        amountCents: cents(u.amount_cents).toNumber(), expectedAmountCents: null, counterpartyIban: null, paymentOrderId: u.payment_order_id, trancheId: null,
        detail: `executed on ${u.executed_on}, on no statement after ${u.days_unmatched} days`,
      };
    }
  }
}

export const REPORT_COLUMNS: CsvColumn<FindingView>[] = [
  { header: 'finding', value: (r) => r.finding },
  { header: 'line_no', value: (r) => r.lineNo },
  { header: 'entry_reference', value: (r) => r.entryReference },
  { header: 'payment_reference', value: (r) => r.paymentReference },
  { header: 'direction', value: (r) => r.direction },
  { header: 'booking_date', value: (r) => r.bookingDate },
  { header: 'amount_cents', value: (r) => r.amountCents },
  { header: 'expected_amount_cents', value: (r) => r.expectedAmountCents },
  { header: 'counterparty_iban', value: (r) => r.counterpartyIban },
  { header: 'payment_order_id', value: (r) => r.paymentOrderId },
  { header: 'tranche_id', value: (r) => r.trancheId },
  { header: 'detail', value: (r) => r.detail },
];
