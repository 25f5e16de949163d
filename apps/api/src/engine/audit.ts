import { canonicalJson, sha256Hex } from '#gongwen/document/canonical';

/** One audit event as hashed: exactly the stored columns, so verify can recompute it from SQL rows. */
export interface AuditRecord {
  documentId: string;
  seq: number;
  actorId: string;
  actorRoles: string[];
  eventType: string;
  payload: unknown;
  fromState: string | null;
  toState: string;
  reason: string | null;
  revisionNumber: number | null;
  revisionHash: string | null;
  createdAt: string;
  prevHash: string | null;
}

/** Hash of an audit event: SHA-256 over its canonical JSON, which includes the previous event's hash. */
export function auditHash(r: AuditRecord): string {
  return sha256Hex(canonicalJson(r));
}

export function auditRecordFromRow(row: Record<string, any>): AuditRecord {
  return {
    documentId: row.document_id,
    seq: row.seq,
    actorId: row.actor_id,
    actorRoles: row.actor_roles,
    eventType: row.event_type,
    payload: row.payload,
    fromState: row.from_state,
    toState: row.to_state,
    reason: row.reason,
    revisionNumber: row.revision_number,
    revisionHash: row.revision_hash,
    createdAt: new Date(row.created_at).toISOString(),
    prevHash: row.prev_hash,
  };
}
