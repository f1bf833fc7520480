import { isCalendarDate } from './dates';
import { eurosToCents, normalizeIban, PAYMENT_REFERENCE, Statement, StatementFormatError, StatementLine, StatementProblem } from './statements';
import { child, childrenNamed, parseXml, textAt, XmlElement, XmlError } from './xml';

/** camt.053 (BankToCustomerStatement) versions 001.02 to 001.13. */
export const CAMT053_NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(0[2-9]|1[0-3])$/;

/**
 * Reads an ISO 20022 camt.053 statement: one `Stmt` per file; each booked entry (`Ntry` with status
 * BOOK) gives one line per transaction detail (`TxDtls`), or one line when it has none. Taken from
 * each transaction: its EndToEndId (our payment reference), its amount and direction, the
 * counterparty's IBAN and name (creditor of a debit, debtor of a credit), the bank's reference
 * (AcctSvcrRef of the transaction, else of the entry, else NtryRef) and a return reason
 * (RtrInf/Rsn/Cd). Pending and informational entries are left out. Anything malformed refuses
 * the statement.
 */
export function parseCamt053(xml: string): Statement {
  const problems: StatementProblem[] = [];
  const lines: StatementLine[] = [];
  let entryNo = 0;
  let statements = 0;
  const add = (line: number, field: string, message: string) => {
    if (problems.length < 50) problems.push({ line, field, message });
  };

  let root: XmlElement;
  try {
    root = parseXml(xml, {
      onClose: (element, path) => {
        if (element.localName === 'Stmt' && path.length === 2) statements += 1;
        if (element.localName !== 'Ntry' || path[path.length - 1] !== 'Stmt') return true;
        entryNo += 1;
        readEntry(element, entryNo, lines, add);
        return false; // entries are not kept in the tree
      },
    });
  } catch (error) {
    if (error instanceof XmlError) throw new StatementFormatError([{ line: error.line, field: '(xml)', message: error.message }]);
    throw error;
  }
  const namespace = root.attributes.xmlns ?? Object.entries(root.attributes).find(([k]) => k.startsWith('xmlns:') && root.name.startsWith(`${k.slice(6)}:`))?.[1];
  if (root.localName !== 'Document' || !namespace || !CAMT053_NAMESPACE.test(namespace)) {
    throw new StatementFormatError([{ line: 0, field: 'Document', message: 'not a camt.053.001.02–13 document (Document element and namespace)' }]);
  }
  const container = child(root, 'BkToCstmrStmt');
  if (!container) throw new StatementFormatError([{ line: 0, field: 'BkToCstmrStmt', message: 'missing' }]);
  if (statements !== 1) throw new StatementFormatError([{ line: 0, field: 'Stmt', message: `${statements} statements in the file; exactly one is accepted` }]);
  const statement = childrenNamed(container, 'Stmt')[0];
  const statementId = textAt(statement, 'Id');
  if (!statementId || statementId.length > 64) add(0, 'Stmt/Id', 'required, at most 64 characters');
  const accountText = textAt(statement, 'Acct', 'Id', 'IBAN');
  const accountIban = accountText ? normalizeIban(accountText) : undefined;
  if (accountText && !accountIban) add(0, 'Stmt/Acct/Id/IBAN', 'not a valid IBAN');
  if (lines.length === 0 && problems.length === 0) add(0, 'Stmt/Ntry', 'no booked entry');
  if (problems.length > 0) throw new StatementFormatError(problems);
  return { format: 'CAMT053', statementId: statementId!, accountIban: accountIban ?? null, lines };
}

function amountOf(element: XmlElement | undefined, entryNo: number, field: string, add: (l: number, f: string, m: string) => void): number | undefined {
  if (!element) return undefined;
  const currency = element.attributes.Ccy;
  if (currency !== 'EUR') add(entryNo, `${field}/@Ccy`, 'EUR only');
  const amount = eurosToCents(element.text.trim());
  if (amount === undefined || amount <= 0) add(entryNo, field, 'a positive amount with at most two decimals');
  return amount;
}

function readEntry(entry: XmlElement, entryNo: number, lines: StatementLine[], add: (l: number, f: string, m: string) => void): void {
  // Status: <Sts>BOOK</Sts> (001.02–07) or <Sts><Cd>BOOK</Cd></Sts> (001.08+).
  const statusElement = child(entry, 'Sts');
  const status = (textAt(statusElement, 'Cd') ?? statusElement?.text.trim() ?? '').toUpperCase();
  if (!status) add(entryNo, 'Ntry/Sts', 'required');
  if (status !== 'BOOK') return;
  const direction = textAt(entry, 'CdtDbtInd');
  if (direction !== 'DBIT' && direction !== 'CRDT') add(entryNo, 'Ntry/CdtDbtInd', 'DBIT or CRDT');
  const reversal = textAt(entry, 'RvslInd') === 'true';
  const bookingDate = textAt(entry, 'BookgDt', 'Dt') ?? textAt(entry, 'BookgDt', 'DtTm')?.slice(0, 10);
  if (!bookingDate || !isCalendarDate(bookingDate)) add(entryNo, 'Ntry/BookgDt', 'a date is required');
  const entryAmount = amountOf(child(entry, 'Amt'), entryNo, 'Ntry/Amt', add);
  const entryRef = textAt(entry, 'AcctSvcrRef') ?? textAt(entry, 'NtryRef');
  const details = childrenNamed(child(entry, 'NtryDtls'), 'TxDtls');
  const transactions = details.length > 0 ? details : [undefined];
  // A reversed debit is money coming back, a reversed credit money going out.
  const effective = (reversal ? (direction === 'DBIT' ? 'CRDT' : 'DBIT') : direction) as 'DBIT' | 'CRDT';
  let sum = 0;
  transactions.forEach((tx, index) => {
    const txAmount = tx ? (amountOf(child(tx, 'Amt'), entryNo, 'TxDtls/Amt', add) ?? amountOf(textElement(tx, 'AmtDtls', 'TxAmt', 'Amt'), entryNo, 'TxDtls/AmtDtls/TxAmt/Amt', add)) : undefined;
    const amount = txAmount ?? (transactions.length === 1 ? entryAmount : undefined);
    if (amount === undefined) add(entryNo, 'TxDtls/Amt', 'each transaction of a batch entry needs its amount');
    else sum += amount;
    const reference = tx ? textAt(tx, 'Refs', 'EndToEndId') : undefined;
    const txRef = tx ? textAt(tx, 'Refs', 'AcctSvcrRef') : undefined;
    const ref = txRef ?? (transactions.length > 1 ? `${entryRef ?? ''}/${index + 1}` : entryRef);
    if (!ref || ref.length > 64) add(entryNo, 'Ntry/AcctSvcrRef', 'the entry (or its transactions) needs a bank reference of at most 64 characters');
    const usableReference = reference && reference !== 'NOTPROVIDED' ? reference : null;
    if (usableReference && !PAYMENT_REFERENCE.test(usableReference)) add(entryNo, 'Refs/EndToEndId', 'at most 35 characters of the SEPA set');
    const party = effective === 'DBIT' ? 'Cdtr' : 'Dbtr';
    const parties = tx ? child(tx, 'RltdPties') : undefined;
    const ibanText = textAt(parties, `${party}Acct`, 'Id', 'IBAN');
    const iban = ibanText ? normalizeIban(ibanText) : undefined;
    if (ibanText && !iban) add(entryNo, `RltdPties/${party}Acct/Id/IBAN`, 'not a valid IBAN');
    const name = textAt(parties, party, 'Nm') ?? textAt(parties, party, 'Pty', 'Nm');
    const returnReason = tx ? (textAt(tx, 'RtrInf', 'Rsn', 'Cd') ?? null) : null;
    lines.push({
      lineNo: lines.length + 1,
      entryRef: ref ?? '',
      reference: usableReference,
      amountCents: amount ?? 0,
      direction: effective,
      bookingDate: bookingDate ?? '',
      counterpartyIban: iban ?? null,
      counterpartyName: name ?? null,
      returnReason,
    });
  });
  if (entryAmount !== undefined && details.length > 0 && sum !== entryAmount) {
    add(entryNo, 'Ntry/Amt', `the entry amount ${entryAmount} differs from the sum of its transactions ${sum} (cents)`);
  }
}

function textElement(element: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let current = element;
  for (const name of path) current = child(current, name);
  return current;
}
