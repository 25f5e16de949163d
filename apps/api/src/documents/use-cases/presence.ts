/**
 * Presence: who else has a document open now, and whether they are editing it. The web page sends a heartbeat while
 * it is open (PUT …/presence) and says goodbye when it closes (DELETE …/presence). Only someone who may see the
 * document can announce themselves on it or learn who else is there (the same visibility as GET …/{id}).
 */
import type { AuthUser } from '../../auth/auth.types.js';
import type { DocumentsDeps } from '../deps.js';
import { visibleRow } from './read-document.js';

/** A heartbeat older than this no longer counts (the page sends one every PRESENCE_HEARTBEAT_S). */
export const PRESENCE_TTL_S = 60;
export const PRESENCE_HEARTBEAT_S = 20;

export async function heartbeat(deps: DocumentsDeps, user: AuthUser, id: string, editing: boolean) {
  const row = await visibleRow(deps, user, id);
  const m = deps.db.manager;
  await m.query(
    `INSERT INTO document_presence (document_id, user_id, editing, seen_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (document_id, user_id) DO UPDATE SET editing = EXCLUDED.editing, seen_at = now()`,
    [row.id, user.id, editing],
  );
  const others: { user_id: string; display_name: string; editing: boolean; seen_at: Date }[] = await m.query(
    `SELECT p.user_id, u.display_name, p.editing, p.seen_at FROM document_presence p JOIN users u ON u.id = p.user_id
      WHERE p.document_id = $1 AND p.user_id <> $2 AND p.seen_at > now() - make_interval(secs => $3) AND u.active
      ORDER BY u.display_name, p.user_id`,
    [row.id, user.id, PRESENCE_TTL_S],
  );
  return {
    documentId: row.id,
    heartbeatSeconds: PRESENCE_HEARTBEAT_S,
    others: others.map((o) => ({
      userId: o.user_id,
      displayName: o.display_name,
      editing: o.editing,
      seenAt: new Date(o.seen_at).toISOString(),
    })),
  };
}

export async function leave(deps: DocumentsDeps, user: AuthUser, id: string): Promise<void> {
  const row = await visibleRow(deps, user, id);
  await deps.db.manager.query(`DELETE FROM document_presence WHERE document_id = $1 AND user_id = $2`, [row.id, user.id]);
}
