import fc from 'fast-check';
import { Cents } from '@cnfs/money';
import { StatementLine, SubsidyBook } from './index';

/**
 * Property-based tests of the subsidy book: random sequences of commitments, ruptures, refills,
 * returned posts, time passing, final reports, orders (and duplicate orders), executions (and
 * duplicate executions), bank returns and reconciliations with correct, wrong-amount, duplicate,
 * unknown and return lines. After every step: every journal nets to zero, no tranche is paid
 * twice, reconciled ≤ paid ≤ ordered ≤ committed ≤ envelope (per envelope, département and
 * structure), the envelope counter equals the ledger, and the tranches of a post sum to its subsidy.
 */
const POSTS = [
  ['p-1', '971', 's-1'],
  ['p-2', '971', 's-1'],
  ['p-3', '972', 's-2'],
  ['p-4', '59', 's-3'],
  ['p-5', '59', 's-4'],
  ['p-6', '974', 's-5'],
] as const;

type LineKind = 'ok' | 'amount' | 'duplicate' | 'unknown' | 'return' | 'iban';
type Command =
  | { kind: 'commit'; post: number; phase: 1 | 2; amounts: number[] }
  | { kind: 'occupy' | 'vacate' | 'return' | 'report'; post: number }
  | { kind: 'advance'; days: number }
  | { kind: 'order' | 'orderTwice'; pick: number }
  | { kind: 'execute' | 'executeTwice' | 'bankReturn'; pick: number }
  | { kind: 'reconcile'; lines: { pick: number; kind: LineKind }[] };

const post = fc.integer({ min: 0, max: POSTS.length - 1 });
const pick = fc.nat({ max: 1000 });
const command: fc.Arbitrary<Command> = fc.oneof(
  // Phase 1: one 24-month amount; phase 2: three yearly amounts (the default schedules' shapes).
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const), post, phase: fc.constant(1 as const), amounts: fc.array(fc.integer({ min: 1, max: 8_000_000 }), { minLength: 1, maxLength: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('commit' as const), post, phase: fc.constant(2 as const), amounts: fc.array(fc.integer({ min: 1, max: 3_000_000 }), { minLength: 3, maxLength: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('occupy' as const), post }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('vacate' as const, 'report' as const), post }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('return' as const), post: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('order' as const, 'orderTwice' as const), pick }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('execute' as const, 'executeTwice' as const, 'bankReturn' as const), pick }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('reconcile' as const),
      lines: fc.array(fc.record({ pick, kind: fc.constantFrom<LineKind>('ok', 'ok', 'ok', 'amount', 'duplicate', 'unknown', 'return', 'iban') }), { maxLength: 8 }),
    }),
  },
);

/** How often each interesting situation was reached over the runs (the generator must reach them all). */
const reached = { refused: 0, ordered: 0, paid: 0, matched: 0, returned: 0, cancelled: 0, suspended: 0, duplicateOrderRefused: 0 };

function run(commands: Command[]): void {
  const book = new SubsidyBook('2021-01-04', { vacancyMonths: 6 });
  book.openEnvelope('phase1', 1, Cents.of(12_000_000), '2021-01-01');
  book.openEnvelope('phase2', 2, Cents.of(6_000_000), '2021-01-01');
  for (const [postId, department, structure] of POSTS) book.addPost(postId, department, structure);
  let reconciliations = 0;
  const nth = <T>(items: T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);

  for (const c of commands) {
    switch (c.kind) {
      case 'commit': {
        const before = book.balancesOf({ envelopeId: `phase${c.phase}` });
        const result = book.commit(POSTS[c.post][0], c.phase, c.amounts.map((a) => Cents.of(a)), book.today);
        if (!result.ok) {
          reached.refused += 1;
          // Refused only when it would not fit, and then nothing changed.
          expect(result.code).toBe('ENVELOPE_EXHAUSTED');
          expect(Cents.sum(c.amounts.map((a) => Cents.of(a))).greaterThan(before.available)).toBe(true);
          expect(book.balancesOf({ envelopeId: `phase${c.phase}` })).toEqual(before);
        }
        break;
      }
      case 'occupy':
        book.occupy(POSTS[c.post][0]);
        break;
      case 'vacate':
        book.vacate(POSTS[c.post][0]);
        break;
      case 'return':
        // Returned posts are rarer than the other moves (a post index beyond the list returns nothing).
        if (c.post < POSTS.length) book.returnPost(POSTS[c.post][0]);
        break;
      case 'report': {
        const commitment = nth([...book.commitments.values()].filter((m) => m.postId === POSTS[c.post][0]), 0);
        if (commitment) book.recordFinalReport(commitment.id);
        break;
      }
      case 'advance':
        book.advance(c.days);
        break;
      case 'order':
      case 'orderTwice': {
        const tranches = [...book.tranches.values()];
        const due = tranches.filter((t) => t.state.status === 'DUE');
        const target = nth(c.kind === 'order' && due.length > 0 ? due : tranches, c.pick);
        if (!target) break;
        const first = book.order(target.id);
        if (c.kind === 'orderTwice') {
          expect(book.order(target.id).ok).toBe(false);
          if (first.ok) reached.duplicateOrderRefused += 1;
        }
        if (first.ok) {
          reached.ordered += 1;
          expect(target.state.status).toBe('ORDERED');
        }
        break;
      }
      case 'execute':
      case 'executeTwice':
      case 'bankReturn': {
        const orders = [...book.orders.values()];
        const target = nth(c.kind === 'bankReturn' ? orders.filter((o) => o.status === 'EXECUTED') : orders.filter((o) => o.status === 'ORDERED'), c.pick) ?? nth(orders, c.pick);
        if (!target) break;
        if (c.kind === 'bankReturn') {
          if (book.bankReturn(target.id).ok) reached.returned += 1;
        } else {
          if (book.execute(target.id).ok) reached.paid += 1;
          if (c.kind === 'executeTwice') expect(book.execute(target.id).ok).toBe(false);
        }
        break;
      }
      case 'reconcile': {
        const executed = [...book.orders.values()].filter((o) => o.executedOn !== null);
        const lines: StatementLine[] = [];
        c.lines.forEach(({ pick: p, kind }, i) => {
          const o = nth(executed, p);
          if (!o || kind === 'unknown') {
            lines.push({ lineNo: 0, entryRef: `U-${reconciliations}-${i}`, reference: `UNKNOWN-${i}`, amountCents: 100, direction: 'DBIT', bookingDate: book.today, counterpartyIban: null, counterpartyName: null, returnReason: null });
            return;
          }
          const base = book.lineFor(o.id, { entryRef: `E-${reconciliations}-${i}` });
          if (kind === 'amount') lines.push({ ...base, amountCents: base.amountCents + 1 });
          else if (kind === 'iban') lines.push({ ...base, counterpartyIban: 'FR1420041010050500013M02606' });
          else if (kind === 'return') lines.push({ ...base, direction: 'CRDT', returnReason: 'AC04' });
          else if (kind === 'duplicate') lines.push(base, { ...base, entryRef: `${base.entryRef}-bis` });
          else lines.push(base);
        });
        reconciliations += 1;
        const classified = book.reconcile(`r-${reconciliations}`, lines);
        const matched = classified.filter((l) => l.finding === 'MATCHED').map((l) => l.payment!.paymentOrderId);
        expect(new Set(matched).size).toBe(matched.length);
        reached.matched += matched.length;
        reached.returned += classified.filter((l) => l.finding === 'RETURN').length;
        break;
      }
    }
    const statuses = [...book.tranches.values()].map((t) => t.state.status);
    if (statuses.includes('CANCELLED')) reached.cancelled += 1;
    if (statuses.includes('SUSPENDED')) reached.suspended += 1;
    const violations = book.violations();
    if (violations.length > 0) throw new Error(`after ${JSON.stringify(c)}: ${violations.join('; ')}`);
  }
}

describe('subsidy book invariants (property-based)', () => {
  it('hold for random sequences of commitments, ruptures, refills, orders, executions, bank returns and reconciliations', () => {
    fc.assert(fc.property(fc.array(command, { minLength: 1, maxLength: 120, size: 'max' }), (commands) => run(commands)), { numRuns: 400 });
    process.stdout.write(`situations reached: ${JSON.stringify(reached)}\n`);
    for (const [situation, count] of Object.entries(reached)) expect([situation, count > 10]).toEqual([situation, true]);
  });

  it('hold on a scripted lifecycle: commit, occupy, order, pay, reconcile, rupture, refill, vacancy beyond the delay', () => {
    run([
      { kind: 'commit', post: 0, phase: 1, amounts: [7_000_000] },
      { kind: 'commit', post: 1, phase: 1, amounts: [5_000_000] },
      { kind: 'commit', post: 2, phase: 1, amounts: [7_000_000] }, // refused: 12 M cents envelope
      { kind: 'occupy', post: 0 },
      { kind: 'order', pick: 0 },
      { kind: 'execute', pick: 0 },
      { kind: 'reconcile', lines: [{ pick: 0, kind: 'ok' }, { pick: 0, kind: 'duplicate' }] },
      { kind: 'vacate', post: 0 },
      { kind: 'occupy', post: 0 },
      { kind: 'vacate', post: 0 },
      { kind: 'advance', days: 200 },
      { kind: 'commit', post: 2, phase: 1, amounts: [3_000_000] }, // fits now: the vacancy released 3.5 M
    ]);
  });
});
