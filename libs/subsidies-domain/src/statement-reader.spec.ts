import { CsvStatementReader, parseCsvStatement, readStatement, StatementFormatError, StatementLine } from './index';

const HEADER = 'statement_id,entry_reference,booking_date,direction,amount,currency,payment_reference,beneficiary_iban,beneficiary_name';
const IBAN = 'FR7630006000011234567890189';
const line = (n: number, over: Partial<Record<'sid' | 'date' | 'amount', string>> = {}) =>
  `${over.sid ?? 'S-1'},BQ-${n},${over.date ?? '2023-05-02'},DBIT,${over.amount ?? `${n}.00`},EUR,REF-${n},${IBAN},"Commune ""${n}"", Nord"`;
const csv = (lines: string[]) => [HEADER, ...lines, ''].join('\r\n');

function readAll(reader: CsvStatementReader, chunk: number): StatementLine[][] {
  const chunks: StatementLine[][] = [];
  for (let lines = reader.next(chunk); lines.length > 0; lines = reader.next(chunk)) chunks.push(lines);
  return chunks;
}

describe('reading a statement a chunk at a time', () => {
  it('gives the lines of a whole parse, in chunks of at most the size asked, then what the statement says of itself', () => {
    const text = csv(Array.from({ length: 25 }, (_, i) => line(i + 1)));
    const reader = new CsvStatementReader(text);
    expect(reader.statementId).toBeNull();
    const chunks = readAll(reader, 7);
    expect(chunks.map((c) => c.length)).toEqual([7, 7, 7, 4]);
    expect(reader.statementId).toBe('S-1');
    expect(reader.invalid).toBe(false);
    expect(chunks.flat()).toEqual(parseCsvStatement(text).lines);
    expect(chunks.flat()[1]).toMatchObject({ lineNo: 2, counterpartyName: 'Commune "2", Nord', amountCents: 200 });
    expect(reader.finish()).toEqual({ format: 'CSV', statementId: 'S-1', accountIban: null, lineCount: 25 });
  });

  it('tells an invalid line as soon as it is read, goes on reading for the report, and refuses the statement at the end', () => {
    const reader = new CsvStatementReader(csv([line(1), line(2, { date: '2023-02-30' }), line(3), line(4, { sid: 'S-2', amount: '1.234' })]));
    expect(reader.next(1)).toHaveLength(1);
    expect(reader.invalid).toBe(false);
    expect(reader.next(1)).toHaveLength(1);
    expect(reader.invalid).toBe(true);
    readAll(reader, 10);
    let refusal: unknown;
    try {
      reader.finish();
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(StatementFormatError);
    expect((refusal as StatementFormatError).problems.map((p) => [p.line, p.field])).toEqual([[3, 'booking_date'], [5, 'statement_id'], [5, 'amount']]);
  });

  it('refuses a bad header or an empty statement at once, and a statement with no line at the end', () => {
    expect(() => readStatement('', 'CSV')).toThrow(StatementFormatError);
    expect(() => readStatement('a,b\n1,2\n', 'CSV')).toThrow(/expected the columns/);
    const empty = readStatement(`${HEADER}\n`, 'CSV');
    expect(empty.next(10)).toEqual([]);
    expect(() => empty.finish()).toThrow(/no line/);
  });
});
