import { parseCamt053 } from './camt053';
import { CsvStatementReader, Statement, StatementFormat, StatementInfo, StatementLine, StatementReader } from './statements';

/** A reader of a statement parsed whole (camt.053: an XML document is parsed at once). */
class ParsedStatementReader implements StatementReader {
  private position = 0;
  readonly invalid = false;
  readonly statementId: string;
  constructor(private readonly statement: Statement) {
    this.statementId = statement.statementId;
  }
  next(max: number): StatementLine[] {
    const lines = this.statement.lines.slice(this.position, this.position + max);
    this.position += lines.length;
    return lines;
  }
  finish(): StatementInfo {
    const { format, statementId, accountIban, lines } = this.statement;
    return { format, statementId, accountIban, lineCount: lines.length };
  }
}

/** A reader of a CSV (read line by line) or camt.053 statement; throws StatementFormatError when it is refused at once. */
export function readStatement(content: string, format: StatementFormat): StatementReader {
  return format === 'CSV' ? new CsvStatementReader(content) : new ParsedStatementReader(parseCamt053(content));
}
