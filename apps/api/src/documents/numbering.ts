/**
 * Document numbers (发文字号), allocated by REGISTER inside its transition: gapless per issuing body and year
 * (the counter row stays locked until commit, and a rollback undoes it). One separately callable command, so
 * that a numbering service can take its place.
 */
import type { EntityManager } from 'typeorm';
import { officeYear } from '../../../../libs/document/src/date-of-issue.js';
import type { DocumentRow } from './document-row.js';

export async function allocateDocumentNumber(m: EntityManager, row: Pick<DocumentRow, 'issuer_unit_ids'>): Promise<{ documentNumber: string; serial: number; year: number }> {
  const lead = row.issuer_unit_ids[0];
  const year = officeYear();
  const [{ last_serial: serial }] = await m.query(
    `INSERT INTO document_number_counters (issuer_unit_id, year, last_serial) VALUES ($1, $2, 1)
     ON CONFLICT (issuer_unit_id, year) DO UPDATE SET last_serial = document_number_counters.last_serial + 1
     RETURNING last_serial`,
    [lead, year],
  );
  const [{ code }] = await m.query(`SELECT code FROM units WHERE id = $1`, [lead]);
  return { documentNumber: `${code}发〔${year}〕${serial}号`, serial: serial as number, year };
}
