import { classifyLines, eurosToCents, normalizeIban, parseCamt053, parseCsvStatement, parseEurosExact, parseXml, PaymentForMatching, StatementFormatError, XmlError } from './index';

const IBAN_A = 'FR7630006000011234567890189';
const IBAN_B = 'FR1420041010050500013M02606';
const HEADER = 'statement_id,entry_reference,booking_date,direction,amount,currency,payment_reference,beneficiary_iban,beneficiary_name';

describe('CSV statements', () => {
  it('reads the documented columns, exact amounts and RFC 4180 quoting', () => {
    const statement = parseCsvStatement(
      [
        HEADER,
        `S-1,BQ-1,2023-05-02,DBIT,35000.00,EUR,CNFS-P-00000001,${IBAN_A},Commune de Pointe-à-Pitre`,
        `S-1,BQ-2,2023-05-02,DBIT,326.6,EUR,CNFS-P-00000002,FR14 2004 1010 0505 0001 3M02 606,"Association ""Le Lien"", Fort-de-France"`,
        `S-1,BQ-3,2023-05-03,CRDT,0.01,EUR,,,`,
        '',
      ].join('\r\n'),
    );
    expect(statement.statementId).toBe('S-1');
    expect(statement.lines.map((l) => [l.lineNo, l.entryRef, l.amountCents, l.direction, l.reference, l.counterpartyIban])).toEqual([
      [1, 'BQ-1', 3_500_000, 'DBIT', 'CNFS-P-00000001', IBAN_A],
      [2, 'BQ-2', 32_660, 'DBIT', 'CNFS-P-00000002', IBAN_B],
      [3, 'BQ-3', 1, 'CRDT', null, null],
    ]);
    expect(statement.lines[1].counterpartyName).toBe('Association "Le Lien", Fort-de-France');
  });

  it('refuses the whole statement, naming line and field, on any bad line', () => {
    const bad = [
      HEADER,
      `S-1,BQ-1,2023-02-30,DBIT,35000.001,USD,CNFS-P-00000001,FR7630006000011234567890180,x`,
      `S-2,BQ-2,2023-05-02,OUT,-3,EUR,,,`,
      `S-1,BQ-3`,
    ].join('\n');
    try {
      parseCsvStatement(bad);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(StatementFormatError);
      const fields = (error as StatementFormatError).problems.map((p) => `${p.line}:${p.field}`);
      expect(fields).toEqual(
        expect.arrayContaining(['2:booking_date', '2:amount', '2:currency', '2:beneficiary_iban', '3:statement_id', '3:direction', '3:amount', '4:(line)']),
      );
    }
    expect(() => parseCsvStatement('a,b\n1,2')).toThrow(/expected the columns/);
    expect(() => parseCsvStatement(`${HEADER}\nS,B,2023-01-01,DBIT,1,EUR,"unterminated`)).toThrow(/unterminated/);
  });

  const problemsOf = (text: string) => {
    try {
      parseCsvStatement(text);
    } catch (error) {
      expect(error).toBeInstanceOf(StatementFormatError);
      return (error as StatementFormatError).problems.map((p) => `${p.line}:${p.field}:${p.message}`);
    }
    throw new Error('expected a refusal');
  };
  const valid = (n: number, name = 'Commune') => `S-1,BQ-${n},2023-05-02,DBIT,${n}.00,EUR,CNFS-P-${n},${IBAN_A},${name}`;

  it('reads quoted lines among plain ones, counting the physical lines a quoted field spans', () => {
    const text = [
      HEADER,
      valid(1),
      valid(2, '"Commune de ""Saint-Louis"",\r\nGuadeloupe"'),
      valid(3),
      '',
      valid(4, '"A, B"'),
      `S-1,BQ-5,2023-05-02,DBIT,5.00,EUR,,,`,
      `S-1,BQ-6,2023-05-02,DBIT,6.00,USD,,,`,
    ].join('\r\n');
    expect(problemsOf(text)).toEqual(['9:currency:EUR only']);
    const statement = parseCsvStatement(text.replace('USD', 'EUR'));
    expect(statement.lines.map((l) => [l.lineNo, l.entryRef, l.amountCents, l.counterpartyName, l.reference, l.counterpartyIban])).toEqual([
      [1, 'BQ-1', 100, 'Commune', 'CNFS-P-1', IBAN_A],
      [2, 'BQ-2', 200, 'Commune de "Saint-Louis",\r\nGuadeloupe', 'CNFS-P-2', IBAN_A],
      [3, 'BQ-3', 300, 'Commune', 'CNFS-P-3', IBAN_A],
      [4, 'BQ-4', 400, 'A, B', 'CNFS-P-4', IBAN_A],
      [5, 'BQ-5', 500, null, null, null],
      [6, 'BQ-6', 600, null, null, null],
    ]);
    expect(statement.lines[0]).not.toHaveProperty('raw');
  });

  it('skips a BOM and blank lines (still counting them), with LF or CRLF line ends', () => {
    for (const eol of ['\n', '\r\n']) {
      const text = `\ufeff${[HEADER, '', valid(1), '', valid(2), ''].join(eol)}${eol}`;
      expect(parseCsvStatement(text).lines.map((l) => [l.lineNo, l.entryRef, l.counterpartyName])).toEqual([
        [1, 'BQ-1', 'Commune'],
        [2, 'BQ-2', 'Commune'],
      ]);
      expect(problemsOf(text.replace('BQ-2,2023-05-02', 'BQ-2,2023-13-02'))).toEqual(['5:booking_date:must be YYYY-MM-DD']);
    }
    // Without a line break at the end either.
    expect(parseCsvStatement(`${HEADER}\r\n${valid(1)}`).lines.map((l) => l.counterpartyName)).toEqual(['Commune']);
  });

  it('names the line of a record with the wrong number of fields, quoted or not', () => {
    expect(problemsOf([HEADER, valid(1), `${valid(2)},extra`, 'S-1,BQ-3', 'no comma at all', `"S-1","BQ-4"`, valid(5)].join('\n'))).toEqual([
      '3:(line):10 fields, expected 9',
      '4:(line):2 fields, expected 9',
      '5:(line):1 fields, expected 9',
      '6:(line):2 fields, expected 9',
    ]);
  });

  it('refuses malformed quoting, naming the line where the record starts', () => {
    expect(problemsOf([HEADER, valid(1), valid(2, '"a\nb"x'), valid(3)].join('\n'))).toEqual(['3:(csv):characters after a closing quote']);
    expect(problemsOf([HEADER, valid(1), valid(2, 'ab"c')].join('\n'))).toEqual(['3:(csv):a quote inside an unquoted field']);
    expect(problemsOf([HEADER, valid(1, '"a\nb"'), valid(2, '"unterminated'), valid(3)].join('\n'))).toEqual(['4:(csv):unterminated quoted field']);
  });

  it('checks payment references against the SEPA character set, and the optional return reasons', () => {
    const line = (reference: string, reason = '') => `S-1,BQ-1,2023-05-02,CRDT,1.00,EUR,${reference},${IBAN_A},Commune,${reason}`;
    const withReason = (...lines: string[]) => [`${HEADER},return_reason`, ...lines].join('\n');
    const statement = parseCsvStatement(withReason(line("Az09/-?:().'+ x", 'AC04'), line('"a,b"'), line('P'.repeat(35))));
    expect(statement.withReturnReason).toBe(true);
    expect(statement.lines.map((l) => [l.reference, l.returnReason])).toEqual([
      ["Az09/-?:().'+ x", 'AC04'],
      ['a,b', null],
      ['P'.repeat(35), null],
    ]);
    for (const bad of ['a*b', 'a_b', 'é', 'a"b', 'P'.repeat(36), '"a\nb"']) {
      expect(problemsOf(withReason(line(bad)))).toEqual([expect.stringMatching(/^2:(payment_reference|\(csv\)):/)]);
    }
    for (const bad of ['ac04', 'AC045', 'A-1']) expect(problemsOf(withReason(line('', bad)))).toEqual(['2:return_reason:an ISO reason code such as AC04']);
  });

  it('refuses an empty statement, a header without lines, and a statement_id that changes', () => {
    expect(problemsOf('')).toEqual(['0:(file):the statement is empty']);
    expect(problemsOf('\ufeff\r\n\n')).toEqual(['0:(file):the statement is empty']);
    expect(problemsOf(`${HEADER}\n\n`)).toEqual(['0:(file):the statement has no line']);
    expect(problemsOf([HEADER, valid(1), valid(2).replace('S-1', 'S-10'), valid(3).replace('S-1', 'S')].join('\n'))).toEqual([
      '3:statement_id:"S-10" differs from "S-1": one statement per file',
      '4:statement_id:"S" differs from "S-1": one statement per file',
    ]);
    const many = [HEADER, ...Array.from({ length: 60 }, (_, i) => valid(i).replace('EUR', 'USD'))].join('\n');
    expect(problemsOf(many)).toHaveLength(50);
  });

  it('parses euros exactly, never through floats', () => {
    expect(parseEurosExact('0.10')!.toNumber() + parseEurosExact('0.20')!.toNumber()).toBe(30);
    expect(parseEurosExact('4805')!.toNumber()).toBe(480_500);
    expect([eurosToCents('326.6'), eurosToCents('9999999999999.99'), eurosToCents('10000000000000'), eurosToCents('.5'), eurosToCents('5.'), eurosToCents('-1')]).toEqual([
      32_660, 999_999_999_999_999, undefined, undefined, undefined, undefined,
    ]);
    expect(parseEurosExact('1e3')).toBeUndefined();
    expect(parseEurosExact('12,50')).toBeUndefined();
    expect(normalizeIban('fr76 3000 6000 0112 3456 7890 189')).toBe(IBAN_A);
    expect(normalizeIban('FR7630006000011234567890188')).toBeUndefined();
  });
});

const camt = (entries: string, ns = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08') => `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2023-05-02T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-2023-05-02</Id>
      <Acct><Id><IBAN>FR7630001007941234567890185</IBAN></Id></Acct>
      ${entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>`;

const entry = (o: { ref: string; e2e?: string; amount: string; dir?: string; iban?: string; status?: string; name?: string }) => `
      <Ntry>
        <Amt Ccy="EUR">${o.amount}</Amt>
        <CdtDbtInd>${o.dir ?? 'DBIT'}</CdtDbtInd>
        <Sts><Cd>${o.status ?? 'BOOK'}</Cd></Sts>
        <BookgDt><Dt>2023-05-02</Dt></BookgDt>
        <AcctSvcrRef>${o.ref}</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>${o.e2e ?? 'NOTPROVIDED'}</EndToEndId></Refs>
          <Amt Ccy="EUR">${o.amount}</Amt>
          <RltdPties><Cdtr><Pty><Nm>${o.name ?? 'Commune'}</Nm></Pty></Cdtr><CdtrAcct><Id><IBAN>${o.iban ?? IBAN_A}</IBAN></Id></CdtrAcct></RltdPties>
        </TxDtls></NtryDtls>
      </Ntry>`;

describe('camt.053 statements', () => {
  it('reads booked entries with their EndToEndId, amount, direction and creditor', () => {
    const statement = parseCamt053(
      camt(
        entry({ ref: 'BQ-1', e2e: 'CNFS-P-00000001', amount: '35000.00', name: 'Ville d&apos;Anse &amp; Co' }) +
          entry({ ref: 'BQ-2', amount: '10.00', status: 'PDNG' }) +
          entry({ ref: 'BQ-3', amount: '12.34', e2e: 'X' }),
      ),
    );
    expect(statement).toMatchObject({ format: 'CAMT053', statementId: 'STMT-2023-05-02', accountIban: 'FR7630001007941234567890185' });
    expect(statement.lines.map((l) => [l.lineNo, l.entryRef, l.reference, l.amountCents, l.counterpartyName])).toEqual([
      [1, 'BQ-1', 'CNFS-P-00000001', 3_500_000, "Ville d'Anse & Co"],
      [2, 'BQ-3', 'X', 1234, 'Commune'],
    ]);
  });

  it('reads version 001.02 layouts (plain status, AmtDtls, Cdtr/Nm) and batch entries', () => {
    const batch = `
      <Ntry><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2023-05-02</Dt></BookgDt><AcctSvcrRef>BATCH-1</AcctSvcrRef>
        <NtryDtls>
          <TxDtls><Refs><EndToEndId>A</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">10.00</Amt></TxAmt></AmtDtls><RltdPties><Cdtr><Nm>One</Nm></Cdtr></RltdPties></TxDtls>
          <TxDtls><Refs><EndToEndId>B</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">20.00</Amt></TxAmt></AmtDtls></TxDtls>
        </NtryDtls></Ntry>`;
    const statement = parseCamt053(camt(batch, 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'));
    expect(statement.lines.map((l) => [l.entryRef, l.reference, l.amountCents, l.counterpartyName])).toEqual([
      ['BATCH-1/1', 'A', 1000, 'One'],
      ['BATCH-1/2', 'B', 2000, null],
    ]);
  });

  it('refuses other documents, several statements, inconsistent batches and bad values', () => {
    expect(() => parseCamt053('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"><BkToCstmrAcctRpt/></Document>')).toThrow(StatementFormatError);
    expect(() => parseCamt053(camt(entry({ ref: 'a', amount: '1.00' })).replace('</Stmt>', '</Stmt><Stmt><Id>2</Id></Stmt>'))).toThrow(/exactly one/);
    expect(() => parseCamt053(camt(entry({ ref: 'a', amount: '1.001' })))).toThrow(/amount/);
    expect(() => parseCamt053(camt(entry({ ref: 'a', amount: '1.00', iban: 'FR00' })))).toThrow(/IBAN/);
    expect(() => parseCamt053(camt(entry({ ref: 'a', amount: '5.00' }).replace('<Amt Ccy="EUR">5.00</Amt>\n        <CdtDbtInd>', '<Amt Ccy="EUR">6.00</Amt>\n        <CdtDbtInd>')))).toThrow(/differs from the sum/);
  });
});

describe('strict XML', () => {
  it('refuses DOCTYPE (no entity expansion), unknown entities, mismatched and unclosed tags', () => {
    expect(() => parseXml('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')).toThrow(XmlError);
    expect(() => parseXml('<x>&nbsp;</x>')).toThrow(/unknown entity/);
    expect(() => parseXml('<x><y></x></y>')).toThrow(/closes <y>/);
    expect(() => parseXml('<x><y>')).toThrow(/never closed/);
    expect(() => parseXml('<x/><y/>')).toThrow(/second root/);
    expect(() => parseXml('<x a="1" a="2"/>')).toThrow(/duplicate attribute/);
    expect(() => parseXml('text<x/>')).toThrow(/outside the root/);
    expect(() => parseXml('<?xml version="1.0" encoding="ISO-8859-1"?><x/>')).toThrow(/UTF-8 only/);
  });

  it('reads attributes, CDATA, comments, character references and prefixes', () => {
    const root = parseXml(`<?xml version="1.0"?><!-- c --><a:r xmlns:a="urn:x" k='v>w'><a:b>x &#233;&#xE9; <![CDATA[<raw>]]></a:b><c/></a:r>`);
    expect(root).toMatchObject({ name: 'a:r', localName: 'r', attributes: { 'xmlns:a': 'urn:x', k: 'v>w' } });
    expect(root.children.map((c) => [c.localName, c.text])).toEqual([['b', 'x éé <raw>'], ['c', '']]);
  });
});

describe('classifying statement lines', () => {
  const payment = (n: number, state: PaymentForMatching['state'] = 'EXECUTED'): PaymentForMatching => ({
    reference: `REF-${n}`, amountCents: n * 1000, beneficiaryIban: IBAN_A, state,
  });
  const payments = new Map([1, 2, 3, 4, 5].map((n) => [`REF-${n}`, payment(n, n === 4 ? 'RECONCILED' : n === 5 ? 'RETURNED' : 'EXECUTED')]));
  const line = (n: number, over: Partial<Parameters<typeof classifyLines>[0][number]> = {}) => ({
    lineNo: n, entryRef: `BQ-${n}`, reference: `REF-${n}`, amountCents: n * 1000, direction: 'DBIT' as const, bookingDate: '2023-05-02',
    counterpartyIban: IBAN_A, counterpartyName: null, returnReason: null, ...over,
  });

  it('matches by reference, amount and beneficiary; reports each other case', () => {
    const lines = [
      line(1),
      line(2, { amountCents: 2001 }),
      line(3, { counterpartyIban: IBAN_B }),
      line(4),
      line(5),
      line(6, { reference: 'NOPE' }),
      line(7, { reference: 'REF-1', entryRef: 'BQ-7', amountCents: 1000 }),
      line(8, { entryRef: 'BQ-1', reference: 'REF-2', amountCents: 2000 }),
      line(9, { reference: null }),
      line(10, { reference: 'REF-2', amountCents: 2000 }),
      line(11, { reference: 'REF-2', amountCents: 2000, direction: 'CRDT' }),
      line(12, { reference: 'REF-2', amountCents: 2000, direction: 'CRDT' }),
    ];
    expect(classifyLines(lines, (r) => payments.get(r)).map((c) => c.finding)).toEqual([
      'MATCHED', 'AMOUNT_MISMATCH', 'BENEFICIARY_MISMATCH', 'DUPLICATE_LINE', 'RETURNED_ORDER', 'UNKNOWN_REFERENCE', 'DUPLICATE_LINE', 'DUPLICATE_LINE',
      'UNKNOWN_REFERENCE', 'MATCHED', 'RETURN', 'DUPLICATE_LINE',
    ]);
  });
});
