/**
 * The SQL of the audit trail (audit_events, append-only, hash-chained per document). The one insert of an audit
 * event outside the transition statement (a document's CREATE) and the reads of verify, history and strict
 * separation live here; WRITE_TRANSITIONS (documents.ts) inserts the same columns.
 */
import type { EntityManager } from 'typeorm';
import { prepared } from '../../database/prepared.js';
import type { AuditEntry } from '#gongwen/archive/processing';
import { auditHash, type AuditRecord } from '../audit.js';

export const AUDIT_COLUMNS =
  'document_id, seq, actor_id, actor_roles, event_type, payload, from_state, to_state, reason, revision_number, revision_hash, created_at, prev_hash, hash';

/** Appends one audit event (its hash computed here, from exactly what is stored). */
export async function insertAudit(m: EntityManager, r: AuditRecord): Promise<string> {
  const hash = auditHash(r);
  await m.query(`INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`, [
    r.documentId,
    r.seq,
    r.actorId,
    r.actorRoles,
    r.eventType,
    r.payload,
    r.fromState,
    r.toState,
    r.reason,
    r.revisionNumber,
    r.revisionHash,
    r.createdAt,
    r.prevHash,
    hash,
  ]);
  return hash;
}

/** A document's whole chain, in order (for verify). */
export async function selectChain(m: EntityManager, documentId: string): Promise<Record<string, any>[]> {
  return m.query(`SELECT * FROM audit_events WHERE document_id = $1 ORDER BY seq`, [documentId]);
}

/** A document's whole chain with each actor's username and name, and the principal's of a deputy (the archive's processing record and export). */
export async function selectChainWithActors(m: Pick<EntityManager, 'query'>, documentId: string): Promise<Record<string, any>[]> {
  return m.query(
    `SELECT a.*, u.username, u.display_name, p.display_name AS principal_name
       FROM audit_events a JOIN users u ON u.id = a.actor_id
       LEFT JOIN users p ON p.id = (a.payload #>> '{event,actor,onBehalfOf,userId}')::uuid
      WHERE a.document_id = $1 ORDER BY a.seq`,
    [documentId],
  );
}

/** A document's history with each actor's name, and the principal's when a deputy acted for him (GET /history). */
export async function selectHistory(m: EntityManager, documentId: string): Promise<Record<string, any>[]> {
  return prepared<Record<string, any>>(
    m,
    `SELECT a.seq, a.event_type, a.actor_id, a.actor_roles, a.from_state, a.to_state, a.reason, a.revision_number, a.revision_hash,
            a.payload, a.created_at, a.prev_hash, a.hash, u.username, u.display_name,
            p.id AS principal_id, p.username AS principal_username, p.display_name AS principal_display_name
       FROM audit_events a JOIN users u ON u.id = a.actor_id
       -- 代签/代阅: the principal a deputy acted for, named beside him
       LEFT JOIN users p ON p.id = (a.payload #>> '{event,actor,onBehalfOf,userId}')::uuid
      WHERE a.document_id = $1 ORDER BY a.seq`,
    [documentId],
  );
}

/** Which of `eventTypes` a user has already sent on a document (strict separation of duties). */
export async function selectActedEventTypes(m: EntityManager, documentId: string, userId: string, eventTypes: string[]): Promise<string[]> {
  const rows: { event_type: string }[] = await m.query(
    `SELECT DISTINCT event_type FROM audit_events WHERE document_id = $1 AND actor_id = $2 AND event_type = ANY($3::text[])`,
    [documentId, userId, eventTypes],
  );
  return rows.map((r) => r.event_type);
}

/** A document's audit trail with actor names, as the processing record reads it. */
export async function auditEntries(m: Pick<EntityManager, 'query'>, documentId: string): Promise<AuditEntry[]> {
  const rows = await selectChainWithActors(m, documentId);
  return rows.map((r) => {
    const ev = r.payload?.event;
    let details: Record<string, unknown> = {};
    if (ev) {
      const { actor: _a, at: _t, type: _y, ...rest } = ev;
      details = rest;
    }
    return {
      seq: r.seq,
      eventType: r.event_type,
      // 代签/代阅: the deputy named as offices write it, 张三（代 李四）
      actor: {
        id: r.actor_id,
        username: r.username,
        name: r.principal_name ? `${r.display_name}（代 ${r.principal_name}）` : r.display_name,
      },
      roles: r.actor_roles,
      fromState: r.from_state,
      toState: r.to_state,
      reason: r.reason,
      revisionNumber: r.revision_number,
      revisionHash: r.revision_hash,
      at: new Date(r.created_at).toISOString(),
      prevHash: r.prev_hash,
      hash: r.hash,
      details,
    };
  });
}
