/**
 * The notification centre's read marks: a user marks what happened on a document (a new task, a return, a reminder)
 * read up to an instant. Kept on the server per user and document, so it holds on every device; it only moves
 * forward, and never past now (a later task or reminder must come up unread). Only someone who may see the
 * document can mark it (the same visibility as GET …/{id}: 404 otherwise, nothing written).
 */
import type { AuthUser } from '../../auth/auth.types.js';
import type { DocumentsDeps } from '../deps.js';
import { visibleRow } from './read-document.js';

export async function markNotificationsRead(deps: DocumentsDeps, user: AuthUser, id: string, through: string) {
  const row = await visibleRow(deps, user, id);
  const [r]: { read_through: Date }[] = await deps.db.manager.query(
    `INSERT INTO notification_reads (user_id, document_id, read_through) VALUES ($1, $2, least($3::timestamptz, now()))
     ON CONFLICT (user_id, document_id) DO UPDATE SET read_through = greatest(notification_reads.read_through, EXCLUDED.read_through)
     RETURNING read_through`,
    [user.id, row.id, through],
  );
  return { documentId: row.id, readThrough: new Date(r.read_through).toISOString() };
}
