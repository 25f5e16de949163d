/**
 * Document number allocation (登记编号): the series of the lead issuing body and the document's kind, its counter
 * taken in the registration's transaction. Gapless: the counter row stays locked until that transaction commits,
 * and a rollback gives the serial back. Called from the REGISTER transition.
 */
import type { EntityManager } from 'typeorm';
import { officeYear } from '#gongwen/document/date-of-issue';
import { formatDocumentNumber, periodOf, type NumberReset } from '#gongwen/numbering';

export interface SeriesRow {
  pattern: string;
  reset: NumberReset;
  counter: string;
}

/** The series that applies: the body's own for the kind, the body's own for any kind, the default for the kind, the default. */
export async function seriesFor(m: EntityManager, issuerUnitId: string, kind: string): Promise<SeriesRow> {
  const rows: SeriesRow[] = await m.query(
    `SELECT pattern, reset, counter FROM document_number_series
      WHERE (issuer_unit_id = $1 OR issuer_unit_id IS NULL) AND (kind = $2 OR kind IS NULL)
      ORDER BY (issuer_unit_id IS NULL), (kind IS NULL) LIMIT 1`,
    [issuerUnitId, kind],
  );
  if (!rows.length) throw new Error('no document number series applies (the default series row is missing)');
  return rows[0];
}

/** Takes the next number of the document's series; returns it with its serial and year. */
export async function allocateDocumentNumber(
  m: EntityManager,
  doc: { documentId: string; issuerUnitId: string; kind: string },
  now: Date = new Date(),
): Promise<{ documentNumber: string; serial: number; year: number }> {
  const year = officeYear(now);
  const series = await seriesFor(m, doc.issuerUnitId, doc.kind);
  const period = periodOf(series.reset, year);
  let serial: number;
  if (series.counter === 'fa' && series.reset === 'yearly') {
    // The standard series keeps its counter table, so its numbers go on from before series were configurable.
    const [row] = await m.query(
      `INSERT INTO document_number_counters (issuer_unit_id, year, last_serial) VALUES ($1, $2, 1)
       ON CONFLICT (issuer_unit_id, year) DO UPDATE SET last_serial = document_number_counters.last_serial + 1
       RETURNING last_serial`,
      [doc.issuerUnitId, year],
    );
    serial = row.last_serial;
  } else {
    const [row] = await m.query(
      `INSERT INTO document_number_series_counters (issuer_unit_id, counter, period, last_serial) VALUES ($1, $2, $3, 1)
       ON CONFLICT (issuer_unit_id, counter, period) DO UPDATE SET last_serial = document_number_series_counters.last_serial + 1
       RETURNING last_serial`,
      [doc.issuerUnitId, series.counter, period],
    );
    serial = row.last_serial;
  }
  const [{ code }] = await m.query(`SELECT code FROM units WHERE id = $1`, [doc.issuerUnitId]);
  const documentNumber = formatDocumentNumber(series.pattern, { code, year, serial });
  // Unique per body, counter, period and serial: a second hand-out of one number fails the registration.
  await m.query(
    `INSERT INTO document_number_allocations (document_id, issuer_unit_id, counter, period, serial, document_number)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [doc.documentId, doc.issuerUnitId, series.counter, period, serial, documentNumber],
  );
  return { documentNumber, serial, year };
}
