import { Cents, centsTransformer } from '@cnfs/money';
import { daysBetween, isCalendarDate } from '@cnfs/subsidies-domain';
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
  endCopyFrom(): void;
  readonly stream: { writable: boolean; write(chunk: Buffer): boolean };
}

/**
 * Sends a chunk of COPY data: its CopyData message header, then the chunk itself. pg's own sendCopyFromChunk
 * copies every chunk into a new buffer first, and fresh memory is dear on this VM (faulted in page by page: copying
 * a reconciliation's ~12 MB of matches that way took its thread ~19 ms, CPU profile).
 */
function sendCopyData(connection: PgConnection, chunk: Buffer): void {
  if (!connection.stream.writable) return; // as pg's own send: a closed connection fails the query instead
  const header = Buffer.allocUnsafe(5);
  header[0] = 0x64; // 'd': CopyData
  put32(header, 1, chunk.length + 4);
  connection.stream.write(header);
  connection.stream.write(chunk);
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
    for (const chunk of this.chunks) sendCopyData(connection, chunk);
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
    if (this.connection) sendCopyData(this.connection, chunk);
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
    for (const chunk of this.queued.splice(0)) sendCopyData(connection, chunk);
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

/** COPY's formats used here: CSV, or PostgreSQL's binary format (see BinaryCopyWriter). */
export type CopyFormat = 'csv' | 'binary';

/** Starts a streaming `COPY <target> FROM STDIN (FORMAT csv|binary)` on the manager's connection (inside its transaction). */
export async function openCopy(manager: EntityManager, target: string, format: CopyFormat = 'csv'): Promise<CopyStream> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('COPY runs inside a transaction');
  const client = (await runner.connect()) as { query(query: CopyStream): void };
  const copy = new CopyStream(`COPY ${target} FROM STDIN (FORMAT ${format})`);
  client.query(copy);
  return copy;
}

/** A pg client as this service uses it raw: a query is sent at once when the connection is idle (queued otherwise). */
export interface RawClient {
  query(config: { text: string; values?: unknown[]; rowMode?: 'array' }): Promise<{ rows: any[] }>;
}

/** The raw pg client of the manager's connection (row-mode queries, queries sent at once). */
export async function rawClient(manager: EntityManager): Promise<RawClient> {
  return manager.queryRunner!.connect();
}

/** Runs `COPY <target> FROM STDIN (FORMAT csv)` on the manager's connection (inside its transaction). */
export function copyCsv(manager: EntityManager, target: string, csv: Buffer[]): Promise<number> {
  return copyFrom(manager, target, csv, 'csv');
}

/** Runs `COPY <target> FROM STDIN (FORMAT csv|binary)` on the manager's connection (inside its transaction). */
export async function copyFrom(manager: EntityManager, target: string, chunks: Buffer[], format: CopyFormat): Promise<number> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('COPY runs inside a transaction');
  const client = (await runner.connect()) as { query(query: CopyFromBuffers): void };
  const copy = new CopyFromBuffers(`COPY ${target} FROM STDIN (FORMAT ${format})`, chunks);
  client.query(copy);
  return copy.done;
}

const PG_EPOCH = '2000-01-01';
const BINARY_COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff]);

/** A 32-bit integer, big-endian, at `at` (room already reserved: cheaper than Buffer.writeInt32BE's checks, per field). */
function put32(buffer: Buffer, at: number, value: number): void {
  buffer[at] = value >>> 24;
  buffer[at + 1] = (value >>> 16) & 0xff;
  buffer[at + 2] = (value >>> 8) & 0xff;
  buffer[at + 3] = value & 0xff;
}

/**
 * Rows in PostgreSQL's binary COPY format (`COPY … FROM STDIN (FORMAT binary)`), for the large COPYs where
 * PostgreSQL's parsing of text is the bottleneck: it takes integers, dates and uuids as they are and text
 * without unquoting. 100,000 statement_matches rows cost it ~115 ms in binary against ~165 in CSV (its
 * reconciliation id then filled by a per-row default; psql, with the table's indexes). The caller writes each
 * row's fields in the COPY's column order, each with its column's type: a wrong type is refused by PostgreSQL
 * (the whole COPY fails), never stored wrong.
 */
export class BinaryCopyWriter {
  private buffer: Buffer;
  private length = 0;
  private readonly days = new Map<string, number>();

  constructor(private readonly chunkBytes = 1 << 16) {
    this.buffer = Buffer.allocUnsafe(Math.max(chunkBytes, BINARY_COPY_HEADER.length));
    BINARY_COPY_HEADER.copy(this.buffer, 0);
    this.length = BINARY_COPY_HEADER.length;
  }

  /** A uuid column's value, converted once (the writer takes bytes). */
  static uuid(id: string): Buffer {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new Error(`not a uuid: ${id}`);
    return Buffer.from(id.replaceAll('-', ''), 'hex');
  }

  /** Starts a row of `fields` columns. */
  row(fields: number): this {
    this.reserve(2);
    this.buffer[this.length] = fields >>> 8;
    this.buffer[this.length + 1] = fields & 0xff;
    this.length += 2;
    return this;
  }

  /** An `integer` (int4). */
  int32(value: number): this {
    if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) throw new Error(`not a 32-bit integer: ${value}`);
    return this.int32Value(value);
  }

  /** A `bigint` (int8), given as a safe integer (beyond 2^53 a number is not exact). */
  int64(value: number): this {
    if (!Number.isSafeInteger(value)) throw new Error(`not a safe integer: ${value}`);
    this.reserve(12);
    put32(this.buffer, this.length, 8);
    // the high and low 32 bits, two's complement (Math.floor keeps the sign of a negative value in the high word)
    put32(this.buffer, this.length + 4, Math.floor(value / 4294967296));
    put32(this.buffer, this.length + 8, value >>> 0);
    this.length += 12;
    return this;
  }

  /** A `uuid`, given as its 16 bytes (BinaryCopyWriter.uuid). */
  uuidBytes(bytes: Buffer): this {
    if (bytes.length !== 16) throw new Error('a uuid is 16 bytes');
    this.reserve(20);
    put32(this.buffer, this.length, 16);
    for (let i = 0; i < 16; i++) this.buffer[this.length + 4 + i] = bytes[i];
    this.length += 20;
    return this;
  }

  /** A `date`, given as YYYY-MM-DD: days since 2000-01-01 (statements repeat a few dates: each is converted once). */
  date(value: string): this {
    let days = this.days.get(value);
    if (days === undefined) {
      if (!isCalendarDate(value)) throw new Error(`not a calendar date: ${value}`);
      days = daysBetween(PG_EPOCH, value);
      this.days.set(value, days);
    }
    return this.int32Value(days);
  }

  /** A `text`, in UTF-8 (null: SQL NULL). */
  text(value: string | null): this {
    if (value === null) {
      this.reserve(4);
      put32(this.buffer, this.length, -1);
      this.length += 4;
      return this;
    }
    return this.utf8Field(value, false);
  }

  /** A `jsonb`, given as JSON text (its binary form: version 1, then the text). */
  jsonb(json: string): this {
    return this.utf8Field(json, true);
  }

  /** A field of `value` in UTF-8 (after jsonb's version byte when `jsonb`), prefixed by its length. */
  private utf8Field(value: string, jsonb: boolean): this {
    this.reserve(5 + 3 * value.length);
    const start = this.length + 4;
    let at = start;
    if (jsonb) this.buffer[at++] = 1;
    const end = this.utf8(value, at);
    put32(this.buffer, this.length, end - start);
    this.length = end;
    return this;
  }

  /** Writes `value` in UTF-8 at `start` (room for 3 bytes per UTF-16 unit reserved); returns where it ends. */
  private utf8(value: string, start: number): number {
    const buffer = this.buffer;
    // Short ASCII values are copied byte by byte (cheaper than a call into the encoder); long ones, or any
    // with a non-ASCII character, are encoded whole by Buffer.write.
    if (value.length > 64) return start + buffer.write(value, start, 'utf8');
    let end = start;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) return start + buffer.write(value, start, 'utf8');
      buffer[end++] = c;
    }
    return end;
  }

  /** The bytes written since the last call (the format's header first), to send as one chunk. */
  take(): Buffer {
    const taken = this.buffer.subarray(0, this.length);
    // The chunk is handed to the socket: the next rows go to a new buffer.
    this.buffer = Buffer.allocUnsafe(Math.max(this.chunkBytes, this.length));
    this.length = 0;
    return taken;
  }

  /** The last chunk: what is left, then the format's trailer. */
  finish(): Buffer {
    return Buffer.concat([this.take(), BINARY_COPY_TRAILER]);
  }

  private int32Value(value: number): this {
    this.reserve(8);
    put32(this.buffer, this.length, 4);
    put32(this.buffer, this.length + 4, value);
    this.length += 8;
    return this;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const larger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + bytes));
    this.buffer.copy(larger, 0, 0, this.length);
    this.buffer = larger;
  }
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
