/** RFC 4180 CSV: quoted fields, "" escapes, CRLF or LF; the delimiter (, ; or tab) is guessed from the first line. */
export function parseCsv(text: string): string[][] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [',', ';', '\t'].reduce((best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best), ',');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
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
