import { Cents, centsTransformer } from '@cnfs/money';
import { EntityManager } from 'typeorm';

/** A bigint column (pg gives a string) as exact Cents. */
export const cents = (value: string | number | null | undefined): Cents => centsTransformer.from(value ?? 0) as Cents;
export const centsOrNull = (value: string | number | null | undefined): Cents | null => (value === null || value === undefined ? null : cents(value));

/** PostgreSQL error code of a failed query (e.g. 23505 unique violation). */
export const pgCode = (error: unknown): string | undefined => (error as { code?: string; driverError?: { code?: string } })?.driverError?.code ?? (error as { code?: string })?.code;
export const pgConstraint = (error: unknown): string | undefined =>
  (error as { constraint?: string; driverError?: { constraint?: string } })?.driverError?.constraint ?? (error as { constraint?: string })?.constraint;

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** A minimal COPY … FROM STDIN query for the pg client (what pg-copy-streams does, for a finished buffer). */
class CopyFromBuffers {
  rowCount = 0;
  private error?: Error;
  readonly done: Promise<number>;
  private resolve!: (count: number) => void;
  private reject!: (error: Error) => void;

  constructor(readonly text: string, private readonly chunks: Buffer[]) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
  submit(connection: PgConnection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: PgConnection): void {
    for (const chunk of this.chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }
  handleCommandComplete(message: { text?: string }): void {
    this.rowCount = Number(message.text?.split(' ')[1] ?? 0);
  }
  handleError(error: Error): void {
    this.error = error;
  }
  handleReadyForQuery(): void {
    if (this.error) this.reject(this.error);
    else this.resolve(this.rowCount);
  }
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
  handlePortalSuspended(): void {}
}

/** Runs `COPY <target> FROM STDIN (FORMAT csv)` on the manager's connection (inside its transaction). */
export async function copyCsv(manager: EntityManager, target: string, csv: Buffer[]): Promise<number> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('copyCsv runs inside a transaction');
  const client = (await runner.connect()) as { query(query: CopyFromBuffers): void };
  const copy = new CopyFromBuffers(`COPY ${target} FROM STDIN (FORMAT csv)`, csv);
  client.query(copy);
  return copy.done;
}

/** A CSV field for COPY: null is an unquoted empty field; text is quoted when needed ("" for the empty string). */
export function copyField(value: string | number | bigint | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  if (value === '') return '""';
  return /[",\r\n]/.test(value) || value.trim() !== value ? `"${value.replace(/"/g, '""')}"` : value;
}
