/**
 * CSV for the registers (RFC 4180): a UTF-8 byte-order mark so that Excel opens Chinese text as UTF-8 rather than
 * in the system's ANSI code page, CRLF line ends, fields quoted when they hold a comma, quote or line break, and
 * every field that a spreadsheet would read as a formula (= + - @, or a leading tab or carriage return) prefixed with
 * an apostrophe (OWASP "CSV injection"): register fields are typed by outside senders (titles, 来文字号).
 */
export const CSV_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field, escaped: formula-safe, then quoted if needed. */
export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: BOM, the header row, then the rows, each line ended by CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const line = (cells: readonly (string | number | null | undefined)[]): string => cells.map(csvField).join(',') + '\r\n';
  return CSV_BOM + line(header) + rows.map(line).join('');
}
