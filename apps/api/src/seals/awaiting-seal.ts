/**
 * The documents waiting for a custodian's seal (the seals page's 待用印 list), in one query: registered outgoing
 * documents (circulation or archiving: the states where APPLY_SEAL is allowed) that the custodian may see (the same
 * visibility filter as every document read), with an issuing body whose active seal the custodian keeps and that has
 * not sealed the document yet. Replaces the page's scan of the first 30 documents in circulation.
 */
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { visibleFilter, type Viewer } from '../engine/repositories/documents.js';

/** At most this many, the least recently changed first (the longest waiting at the top). */
export const AWAITING_LIMIT = 200;

export interface AwaitingSeal {
  id: string;
  /** The document's version, for the If-Match of APPLY_SEAL. */
  version: number;
  title: string;
  documentNumber: string;
  classification: string;
  state: 'circulation' | 'archiving';
  /** The issuing bodies still to seal whose seal the custodian keeps (joint documents: one or more). */
  issuers: { unitId: string; name: string }[];
}

const SQL = `
  SELECT d.id, d.version, d.title, d.document_number, d.classification, d.state,
         array_agg(s.issuer_unit_id ORDER BY array_position(d.issuer_unit_ids, s.issuer_unit_id)) AS unit_ids,
         array_agg(un.name ORDER BY array_position(d.issuer_unit_ids, s.issuer_unit_id)) AS unit_names
    FROM documents d
    JOIN seals s ON s.status = 'active' AND $1::uuid = ANY(s.custodian_ids) AND s.issuer_unit_id = ANY(d.issuer_unit_ids)
    JOIN units un ON un.id = s.issuer_unit_id
   WHERE d.workflow_id = 'outgoing' AND d.state IN ('circulation', 'archiving') AND d.document_number IS NOT NULL
     AND ${visibleFilter({ rank: '$2', user: '$1', pool: '$3', unit: '$4', delegable: '$5' })}
     AND NOT EXISTS (SELECT 1 FROM seal_uses u WHERE u.document_id = d.id AND u.issuer_unit_id = s.issuer_unit_id)
   GROUP BY d.id
   ORDER BY d.updated_at, d.id
   LIMIT ${AWAITING_LIMIT}`;

export async function documentsAwaitingSeal(m: EntityManager, user: AuthUser, viewer: Viewer): Promise<AwaitingSeal[]> {
  if (!user.roles.includes('seal_keeper')) return [];
  const rows: {
    id: string;
    version: number;
    title: string;
    document_number: string;
    classification: string;
    state: AwaitingSeal['state'];
    unit_ids: string[];
    unit_names: string[];
  }[] = await m.query(SQL, [user.id, viewer.rank, viewer.poolKeys, viewer.unitKeys, viewer.delegable ?? []]);
  return rows.map((r) => ({
    id: r.id,
    version: Number(r.version),
    title: r.title,
    documentNumber: r.document_number,
    classification: r.classification,
    state: r.state,
    issuers: r.unit_ids.map((unitId, i) => ({ unitId, name: r.unit_names[i] ?? '' })),
  }));
}
