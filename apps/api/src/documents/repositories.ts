/**
 * The documents feature's own SQL besides the engine's table family: people and units it checks or names, the
 * per-user "last seen" marks, attachment files, and the classified access log.
 */
import type { EntityManager } from 'typeorm';
import { prepared } from '../database/prepared.js';

export async function selectActiveUsersWithRole(
  m: EntityManager,
  ids: string[],
  role: string,
): Promise<{ id: string; clearance: string }[]> {
  return m.query(`SELECT id, clearance FROM users WHERE id = ANY($1::uuid[]) AND $2 = ANY(roles) AND active`, [ids, role]);
}

export async function selectActiveUsers(m: EntityManager, ids: string[]): Promise<{ id: string; roles: string[]; clearance: string }[]> {
  return m.query(`SELECT id, roles, clearance FROM users WHERE id = ANY($1::uuid[]) AND active`, [ids]);
}

export async function selectDisplayNames(m: EntityManager, ids: string[]): Promise<{ id: string; display_name: string }[]> {
  return m.query(`SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])`, [ids]);
}

export async function selectUnits(m: EntityManager, ids: string[]): Promise<{ id: string; name: string; code: string; kind: string }[]> {
  return m.query(`SELECT id, name, code, kind FROM units WHERE id = ANY($1::uuid[])`, [ids]);
}

/** The current revision's content and hash, with what the user last saw of the document. */
export async function selectCurrentRevisionFor(m: EntityManager, documentId: string, revision: number, userId: string) {
  return (
    await prepared<{ content: unknown; hash: string; last_seen: number | null }>(
      m,
      `SELECT content, hash, (SELECT v.last_seen_revision FROM document_views v WHERE v.user_id = $3 AND v.document_id = $1) AS last_seen
       FROM revisions WHERE document_id = $1 AND number = $2`,
      [documentId, revision, userId],
    )
  )[0];
}

/** The user's own issued numbered copy (份号) of a classified document, as the downloads print it; null when none. */
export async function selectOwnCopyNumber(m: EntityManager, documentId: string, userId: string): Promise<string | null> {
  const [row]: { copy_number: string }[] = await m.query(
    `SELECT copy_number FROM document_copies WHERE document_id = $1 AND recipient_user_id = $2 AND status = 'issued' ORDER BY copy_number LIMIT 1`,
    [documentId, userId],
  );
  return row?.copy_number ?? null;
}

export async function selectRevision(m: EntityManager, documentId: string, number: number) {
  return (
    await m.query(`SELECT number, hash, content, created_at, author_id FROM revisions WHERE document_id = $1 AND number = $2`, [
      documentId,
      number,
    ])
  )[0] as { number: number; hash: string; content: unknown; created_at: Date; author_id: string } | undefined;
}

export async function selectRevisionList(m: EntityManager, documentId: string): Promise<Record<string, any>[]> {
  return m.query(
    `SELECT r.number, r.hash, r.created_at, r.author_id, u.username, u.display_name FROM revisions r JOIN users u ON u.id = r.author_id
      WHERE r.document_id = $1 ORDER BY r.number`,
    [documentId],
  );
}

export async function upsertSeen(m: EntityManager, userId: string, documentId: string, revision: number): Promise<number> {
  const [v] = await m.query(
    `INSERT INTO document_views (user_id, document_id, last_seen_revision) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, document_id) DO UPDATE SET last_seen_revision = GREATEST(document_views.last_seen_revision, EXCLUDED.last_seen_revision), seen_at = now()
     RETURNING last_seen_revision`,
    [userId, documentId, revision],
  );
  return v.last_seen_revision;
}

export async function selectDocumentFileIds(m: EntityManager, documentId: string, ids: string[]): Promise<{ id: string }[]> {
  return m.query(`SELECT id FROM document_files WHERE document_id = $1 AND id = ANY($2::uuid[])`, [documentId, ids]);
}

export async function insertDocumentAccess(
  m: EntityManager,
  a: { documentId: string; userId: string; action: string; classification: string; copyNumber: string | null },
): Promise<void> {
  await m.query(`INSERT INTO document_access_log (document_id, user_id, action, classification, copy_number) VALUES ($1,$2,$3,$4,$5)`, [
    a.documentId,
    a.userId,
    a.action,
    a.classification,
    a.copyNumber,
  ]);
}
