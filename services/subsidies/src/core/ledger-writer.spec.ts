import { Cents } from '@cnfs/money';
import { journals } from '@cnfs/subsidies-domain';
import fc from 'fast-check';
// pg's own conversion of a JS array to a parameter: what arrayLiteral must equal
import { prepareValue } from 'pg/lib/utils';
import { arrayLiteral, prepareJournals } from './ledger-writer';

describe('arrayLiteral', () => {
  it('equals pg’s conversion of the same array, whatever the text (quotes, backslashes, braces, commas, unicode)', () => {
    const element = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('"', '\\', '\\"', '{a,b}', 'NULL', ' '), fc.constant(null), fc.integer());
    fc.assert(fc.property(fc.array(element, { maxLength: 30 }), (values) => {
      expect(arrayLiteral(values)).toBe(prepareValue(values));
    }), { numRuns: 500 });
  });

  it('writes an empty array as {}', () => {
    expect(arrayLiteral([])).toBe('{}');
  });
});

describe('prepareJournals', () => {
  it('names each entry’s journal by its position and numbers its lines from 1 within its journal', () => {
    const dims = { envelopeId: 'FR2020', departmentCode: '971', structureId: 's-1' };
    const first = journals.order('order-1', dims, Cents.of(2_500_000));
    const second = journals.execute('order-1', dims, Cents.of(2_500_000));
    const { text, values } = prepareJournals([first, second], '2026-12-07');
    expect(text).toContain('INSERT INTO ledger_journals');
    expect(values.slice(0, 6)).toEqual([first.id, 'ORDER', first.businessKey, false, null, '2026-12-07']);
    expect(values.slice(12)).toEqual([
      arrayLiteral([first.id, second.id]),
      '{"1","1","2","2"}',
      '{"1","2","1","2"}',
      arrayLiteral([...first.entries, ...second.entries].map((e) => e.account)),
      '{"-2500000","2500000","-2500000","2500000"}',
      '{"FR2020","FR2020","FR2020","FR2020"}',
      '{"971","971","971","971"}',
      '{"s-1","s-1","s-1","s-1"}',
    ]);
  });
});
