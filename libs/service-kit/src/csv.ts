import type { Response } from 'express';

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
}

/** RFC 4180 field: quoted when it holds a separator, a quote or a line break. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // A leading =, +, - or @ would be run as a formula by spreadsheet software.
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",;\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine<T>(columns: CsvColumn<T>[], row: T): string {
  return columns.map((c) => csvField(c.value(row))).join(',') + '\r\n';
}

/**
 * Streams a CSV export: rows come from an async iterator (e.g. pages of a query), so a large
 * export never sits in memory; back-pressure is honoured.
 */
export async function streamCsv<T>(response: Response, filename: string, columns: CsvColumn<T>[], rows: AsyncIterable<T>): Promise<void> {
  response.status(200);
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  const write = (chunk: string) =>
    response.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => response.once('drain', () => resolve()));
  await write(columns.map((c) => csvField(c.header)).join(',') + '\r\n');
  for await (const row of rows) await write(csvLine(columns, row));
  response.end();
}

/** Pages through a keyset or offset query until it returns fewer rows than asked. */
export async function* pagesOf<T>(fetch: (limit: number, offset: number) => Promise<T[]>, pageSize = 1000): AsyncIterable<T> {
  for (let offset = 0; ; offset += pageSize) {
    const rows = await fetch(pageSize, offset);
    yield* rows;
    if (rows.length < pageSize) return;
  }
}
