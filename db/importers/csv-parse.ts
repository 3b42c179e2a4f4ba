import fs from 'node:fs/promises';

/** What a label CSV may hold; beyond these it is refused with a CsvError naming the row. */
export const CSV_LIMITS = {
  /** The whole file, checked before it is read. */
  maxBytes: 512 * 1024 * 1024,
  maxColumns: 1_000,
  maxFieldChars: 65_536,
} as const;

export class CsvError extends Error {
  override readonly name = 'CsvError';
}

/**
 * RFC 4180 CSV: quoted fields, "" escapes, CRLF or LF; the delimiter (, ; or tab) is guessed from the first line.
 * Throws CsvError for a quote left open, a row of too many columns or a field too long.
 */
export function parseCsv(text: string): string[][] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\0')) throw new CsvError('not a text file: it holds NUL bytes');
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [',', ';', '\t'].reduce((best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best), ',');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let quoteRow = 0;
  const where = (): string => `row ${rows.length + 1}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (field.length > CSV_LIMITS.maxFieldChars) throw new CsvError(`${where()}: a field longer than ${CSV_LIMITS.maxFieldChars} characters`);
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') {
      quoted = true;
      quoteRow = rows.length + 1;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
      if (row.length >= CSV_LIMITS.maxColumns) throw new CsvError(`${where()}: more than ${CSV_LIMITS.maxColumns} columns`);
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (quoted) throw new CsvError(`row ${quoteRow}: a quoted field is never closed`);
  if (field !== '' || row.length > 0) {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
  }
  return rows;
}

/** A CSV with a header row, read as records keyed by the header (trimmed), with each record's 1-based data row. */
export interface CsvTable {
  header: string[];
  records: { row: number; values: string[] }[];
  /** Index of a column by name (case-insensitive), or -1. */
  column(name: string): number;
}

export function readTable(text: string): CsvTable {
  const rows = parseCsv(text);
  const header = (rows[0] ?? []).map((h) => h.trim());
  const lower = header.map((h) => h.toLowerCase());
  return {
    header,
    records: rows.slice(1).map((values, i) => ({ row: i + 1, values })),
    column: (name) => lower.indexOf(name.trim().toLowerCase()),
  };
}

/** A label CSV file's table; a file too large or malformed fails with a CsvError naming it (`rel`) and the reason. */
export async function readCsvFile(abs: string, rel: string): Promise<CsvTable> {
  const { size } = await fs.stat(abs);
  if (size > CSV_LIMITS.maxBytes) throw new CsvError(`${rel} is ${size} bytes, over the ${CSV_LIMITS.maxBytes}-byte limit for a label CSV`);
  try {
    return readTable(await fs.readFile(abs, 'utf8'));
  } catch (err) {
    if (err instanceof CsvError) throw new CsvError(`${rel} cannot be read: ${err.message}`);
    throw err;
  }
}
