import { Cents, euros } from '@cnfs/money';
import { accounts, balances, journalId, journals, makeJournal, reverse, UnbalancedJournalError } from './index';

const dims = { envelopeId: 'france-relance-2020', departmentCode: '971', structureId: 's-1' };

describe('double-entry ledger', () => {
  it('refuses a journal that does not net to zero, has one entry or a zero entry', () => {
    expect(() =>
      makeJournal('COMMIT', 'COMMIT:x', [
        { account: accounts.envelope('e'), amount: Cents.of(-100), ...dims },
        { account: accounts.prefecture('971'), amount: Cents.of(99), ...dims },
      ]),
    ).toThrow(UnbalancedJournalError);
    expect(() => makeJournal('COMMIT', 'COMMIT:y', [{ account: 'ENVELOPE:e', amount: Cents.of(1), ...dims }])).toThrow(/two entries/);
    expect(() =>
      makeJournal('COMMIT', 'COMMIT:z', [
        { account: 'ENVELOPE:e', amount: Cents.ZERO, ...dims },
        { account: 'PREFECTURE:971', amount: Cents.ZERO, ...dims },
      ]),
    ).toThrow(/zero entry/);
  });

  it('gives deterministic ids from business keys', () => {
    expect(journals.order('o-1', dims, euros(35_000)).id).toBe(journalId('ORDER:o-1'));
    expect(journals.order('o-1', dims, euros(35_000)).id).toBe(journals.order('o-1', dims, euros(35_000)).id);
    expect(journals.order('o-2', dims, euros(35_000)).id).not.toBe(journals.order('o-1', dims, euros(35_000)).id);
  });

  it('follows money from the envelope to the bank, pending until reconciled, reversed on a bank return', () => {
    const book = [
      journals.fund(dims.envelopeId, 1, euros(200_000_000)),
      journals.commit('m-1', dims, euros(70_000)),
      journals.order('o-1', dims, euros(35_000)),
    ];
    const execute = journals.execute('o-1', dims, euros(35_000));
    expect(execute.pending).toBe(true);
    book.push(execute);
    const entries = () => book.flatMap((j) => j.entries);
    // Per département (or structure) the meaningful figures are committed / ordered / paid / reconciled.
    expect(balances(entries(), (e) => e.departmentCode === '971')).toMatchObject({
      committed: euros(70_000), ordered: euros(35_000), paid: euros(35_000), reconciled: Cents.ZERO,
    });
    book.push(journals.settle('r-1', [{ dims, amount: euros(35_000) }]));
    expect(balances(entries(), (e) => e.envelopeId === dims.envelopeId)).toMatchObject({
      funded: euros(200_000_000), available: euros(200_000_000).subtract(euros(70_000)), reconciled: euros(35_000),
    });
    // A return after reconciliation: unsettle, void the execution, unorder.
    book.push(journals.unsettle('o-1', dims, euros(35_000)));
    book.push(reverse(execute, 'VOID', 'VOID:o-1'));
    book.push(reverse(book[2], 'UNORDER', 'UNORDER:o-1'));
    expect(book.at(-2)!.reversesJournalId).toBe(execute.id);
    expect(balances(entries(), (e) => e.structureId === 's-1')).toMatchObject({ committed: euros(70_000), ordered: Cents.ZERO, paid: Cents.ZERO, reconciled: Cents.ZERO });
    expect(Cents.sum(entries().map((e) => e.amount)).isZero()).toBe(true);
  });
});
