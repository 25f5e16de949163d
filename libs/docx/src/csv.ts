/**
 * CSV for the registers and catalogues (RFC 4180): a UTF-8 byte-order mark so that Excel opens Chinese text as
 * UTF-8 rather than in the system's ANSI code page, CRLF line ends, fields quoted when they hold a comma, quote or
 * line break, and every field a spreadsheet would read as a formula (= + - @, or a leading tab or carriage return;
 * a plain negative number excepted) prefixed with an apostrophe and quoted (OWASP "CSV injection"): titles and
 * numbers are typed by outside senders. Moved here from libs/archive so that every export shares one writer.
 */
export const BOM = '\uFEFF';

export type CsvValue = string | number | null | undefined;

/** One field, escaped: formula-safe, then quoted if needed. */
export function csvField(v: CsvValue): string {
  const s = v === null || v === undefined ? '' : String(v);
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One row, ended by CRLF. */
export function csvLine(cells: readonly CsvValue[]): string {
  return cells.map(csvField).join(',') + '\r\n';
}

/** A whole file: BOM, the header row, then the rows. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  let out = BOM + csvLine(header);
  for (const r of rows) out += csvLine(r);
  return out;
}

/** Minimal RFC 4180 parser (for tests and imports): returns rows of cells; strips a BOM. */
export function parseCsv(text: string): string[][] {
  const s = text.startsWith(BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && s[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
