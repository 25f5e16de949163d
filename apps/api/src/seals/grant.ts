/**
 * What the seal registry tells the outgoing workflow when a custodian applies a seal (APPLY_SEAL): the issuing body's
 * live seal with its custodians and validity, stamped on the event by the service (send-event.ts), never taken from
 * the client. Plain SQL: the documents feature calls it without depending on the seals module.
 */
import type { EntityManager } from 'typeorm';
import type { SealGrant } from '#gongwen/workflows/outgoing/types';
import { parseCertificate } from '#gongwen/seal';

export async function sealGrantFor(m: EntityManager, issuerUnitId: string): Promise<SealGrant | undefined> {
  const rows: {
    id: string;
    issuer_unit_id: string;
    custodian_ids: string[];
    valid_from: Date;
    valid_to: Date;
    status: string;
    certificate: Buffer;
  }[] = await m.query(
    `SELECT id, issuer_unit_id, custodian_ids, valid_from, valid_to, status, certificate FROM seals
        WHERE issuer_unit_id = $1 AND status <> 'ordered' ORDER BY (status = 'active') DESC, created_at DESC LIMIT 1`,
    [issuerUnitId],
  );
  const s = rows[0];
  if (!s) return undefined;
  // usable while both the seal and its signing certificate are valid
  const cert = parseCertificate(new Uint8Array(s.certificate));
  const from = Math.max(new Date(s.valid_from).getTime(), cert.notBefore.getTime());
  const to = Math.min(new Date(s.valid_to).getTime(), cert.notAfter.getTime());
  return {
    sealId: s.id,
    issuerUnitId: s.issuer_unit_id,
    custodianIds: s.custodian_ids,
    validFrom: new Date(from).toISOString(),
    validTo: new Date(to).toISOString(),
    revoked: s.status === 'revoked',
  };
}
