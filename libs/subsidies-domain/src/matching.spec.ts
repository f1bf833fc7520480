import fc from 'fast-check';
import { classifyLines, PaymentForMatching, StatementLine, StatementMatcher } from './index';

const IBAN_A = 'FR7630006000011234567890189';
const IBAN_B = 'FR1420041010050500013M02606';
const STATES: PaymentForMatching['state'][] = ['EXECUTED', 'RECONCILED', 'RETURNED'];

/** Five payments, each in a drawn state; statement lines naming them (or unknown references), with drawn entries, amounts, IBANs, directions. */
const scenario = fc.record({
  states: fc.array(fc.constantFrom(...STATES), { minLength: 5, maxLength: 5 }),
  lines: fc.array(
    fc.record({
      payment: fc.integer({ min: 0, max: 7 }), // 5, 6, 7: references no payment has
      entry: fc.integer({ min: 0, max: 30 }), // repeated entries are duplicates
      amountOff: fc.constantFrom(0, 0, 0, 1),
      otherIban: fc.boolean(),
      credit: fc.boolean(),
      noReference: fc.constantFrom(false, false, false, true),
    }),
    { maxLength: 40 },
  ),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario) {
  const payments = new Map<string, PaymentForMatching>(
    s.states.map((state, n) => [`REF-${n}`, { reference: `REF-${n}`, amountCents: (n + 1) * 1000, beneficiaryIban: IBAN_A, state }]),
  );
  const lines: StatementLine[] = s.lines.map((l, i) => ({
    lineNo: i + 1, entryRef: `BQ-${l.entry}`, reference: l.noReference ? null : `REF-${l.payment}`, amountCents: (l.payment + 1) * 1000 + l.amountOff,
    direction: l.credit ? 'CRDT' : 'DBIT', bookingDate: '2023-05-02', counterpartyIban: l.otherIban ? IBAN_B : IBAN_A, counterpartyName: null, returnReason: null,
  }));
  return { payments, lines };
}

describe('StatementMatcher', () => {
  it('gives, deferring the lines of payments known later, the findings of one pass that knows them all', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 31 }), (s, knownFirst) => {
        const { payments, lines } = build(s);
        const expected = classifyLines(lines, (r) => payments.get(r)).map((c) => [c.line.lineNo, c.finding]);
        // The payments whose bit is set in knownFirst are known at first; the others are resolved afterwards.
        const copies = new Map([...payments].map(([r, p]) => [r, { ...p }]));
        const first = (r: string) => (knownFirst & (1 << Number(r.slice(4)))) !== 0 ? copies.get(r) : undefined;
        const matcher = new StatementMatcher<PaymentForMatching>(first);
        const found = lines.map((l) => matcher.classifyOrDefer(l)).filter((c) => c !== undefined);
        const deferred = matcher.deferredReferences();
        for (const r of deferred) expect(first(r)).toBeUndefined();
        const later = matcher.classifyDeferred((r) => copies.get(r));
        const actual = [...found, ...later].map((c) => [c!.line.lineNo, c!.finding]).sort((a, b) => (a[0] as number) - (b[0] as number));
        expect(actual).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('advances the working copies it is handed; classifyLines leaves the caller’s payments as they were', () => {
    const payment: PaymentForMatching = { reference: 'REF-0', amountCents: 1000, beneficiaryIban: IBAN_A, state: 'EXECUTED' };
    const debit: StatementLine = {
      lineNo: 1, entryRef: 'BQ-1', reference: 'REF-0', amountCents: 1000, direction: 'DBIT', bookingDate: '2023-05-02', counterpartyIban: IBAN_A,
      counterpartyName: null, returnReason: null,
    };
    const credit: StatementLine = { ...debit, lineNo: 2, entryRef: 'BQ-2', direction: 'CRDT' };
    expect(classifyLines([debit, credit], () => payment).map((c) => c.finding)).toEqual(['MATCHED', 'RETURN']);
    expect(payment.state).toBe('EXECUTED');

    const matcher = new StatementMatcher(() => payment);
    expect(matcher.classify(debit).finding).toBe('MATCHED');
    expect(payment.state).toBe('RECONCILED');
    expect(matcher.classify({ ...debit, lineNo: 3, entryRef: 'BQ-3' }).finding).toBe('DUPLICATE_LINE');
    expect(matcher.classify(credit).finding).toBe('RETURN');
    expect(payment.state).toBe('RETURNED');
  });

  it('defers only lines that name a reference it does not know; duplicates and missing references are decided at once', () => {
    const matcher = new StatementMatcher<PaymentForMatching>(() => undefined);
    const line: StatementLine = {
      lineNo: 1, entryRef: 'BQ-1', reference: 'REF-9', amountCents: 1000, direction: 'DBIT', bookingDate: '2023-05-02', counterpartyIban: IBAN_A,
      counterpartyName: null, returnReason: null,
    };
    expect(matcher.classifyOrDefer(line)).toBeUndefined();
    expect(matcher.classifyOrDefer({ ...line, lineNo: 2 })?.finding).toBe('DUPLICATE_LINE');
    expect(matcher.classifyOrDefer({ ...line, lineNo: 3, entryRef: 'BQ-3', reference: null })?.finding).toBe('UNKNOWN_REFERENCE');
    expect([...matcher.deferredReferences()]).toEqual(['REF-9']);
    expect(matcher.classifyDeferred(() => undefined).map((c) => c.finding)).toEqual(['UNKNOWN_REFERENCE']);
    expect(matcher.deferredReferences().size).toBe(0);
  });
});
