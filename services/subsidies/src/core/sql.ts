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
  // The driver forgets the active query on an error (no ReadyForQuery follows for it): settle now.
  handleError(error: Error): void {
    this.reject(error);
  }
  handleReadyForQuery(): void {
    this.resolve(this.rowCount);
  }
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
  handlePortalSuspended(): void {}
}

/**
 * A COPY … FROM STDIN fed while it runs: chunks written before the server is ready are queued;
 * the caller may keep computing while PostgreSQL ingests (yield to the event loop now and then so
 * the socket drains), then `end()` and await `done`.
 */
export class CopyStream {
  rowCount = 0;
  private connection?: PgConnection;
  private readonly queued: Buffer[] = [];
  private ended = false;
  private failed = false;
  readonly done: Promise<number>;
  private resolve!: (count: number) => void;
  private reject!: (error: Error) => void;

  constructor(readonly text: string) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Failures surface through `done`; never as an unhandled rejection meanwhile.
    this.done.catch(() => undefined);
  }
  write(chunk: Buffer): void {
    if (this.ended) throw new Error('COPY already ended');
    // After a failure the server drops further copy data: stop sending it.
    if (this.failed) return;
    if (this.connection) this.connection.sendCopyFromChunk(chunk);
    else this.queued.push(chunk);
  }
  end(): Promise<number> {
    if (!this.ended) {
      this.ended = true;
      if (!this.failed) this.connection?.endCopyFrom();
    }
    return this.done;
  }
  submit(connection: PgConnection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: PgConnection): void {
    this.connection = connection;
    for (const chunk of this.queued.splice(0)) connection.sendCopyFromChunk(chunk);
    if (this.ended) connection.endCopyFrom();
  }
  handleCommandComplete(message: { text?: string }): void {
    this.rowCount = Number(message.text?.split(' ')[1] ?? 0);
  }
  // The driver forgets the active query on an error (no ReadyForQuery follows for it): settle now.
  handleError(error: Error): void {
    this.failed = true;
    this.reject(error);
  }
  handleReadyForQuery(): void {
    this.resolve(this.rowCount);
  }
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
  handlePortalSuspended(): void {}
}

/** Starts a streaming `COPY <target> FROM STDIN (FORMAT csv)` on the manager's connection (inside its transaction). */
export async function openCopy(manager: EntityManager, target: string): Promise<CopyStream> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('COPY runs inside a transaction');
  const client = (await runner.connect()) as { query(query: CopyStream): void };
  const copy = new CopyStream(`COPY ${target} FROM STDIN (FORMAT csv)`);
  client.query(copy);
  return copy;
}

/** The raw pg client of the manager's connection (row-mode queries). */
export async function rawClient(manager: EntityManager): Promise<{ query(config: { text: string; values?: unknown[]; rowMode?: 'array' }): Promise<{ rows: any[] }> }> {
  return manager.queryRunner!.connect();
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
  return copyText(value);
}

/** A text CSV field for COPY, quoted only when it must be (separators, quotes, line breaks, edge spaces, empty). */
export function copyText(value: string): string {
  const length = value.length;
  if (length === 0) return '""';
  if (value.charCodeAt(0) === 32 || value.charCodeAt(length - 1) === 32) return `"${value.replace(/"/g, '""')}"`;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === 44 || c === 34 || c === 10 || c === 13) return `"${value.replace(/"/g, '""')}"`;
  }
  return value;
}
