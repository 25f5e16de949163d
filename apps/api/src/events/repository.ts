/**
 * The SQL of the events feed: the audit trail in (tx, id) order up to the commit horizon (see the EventsFeed
 * migration), each row marked with whether the reader may see its document now (VISIBLE, the rule every document
 * read uses). Invisible rows are scanned but never returned: they only move the cursor, so a reader who sees few
 * documents does not rescan the same stretch of other people's history on every poll.
 */
import type { EntityManager } from 'typeorm';
import { visibleFilter, type Viewer } from '../engine/repositories/documents.js';
import type { AuditEventRow } from './vocabulary.js';

export interface FeedRow extends AuditEventRow {
  id: string;
  tx: string;
  visible: boolean;
}

/**
 * The commit horizon: the oldest transaction still running that could write this database's audit trail, else the
 * next transaction id. pg_snapshot_xmin alone would be the cluster's, held back by any long transaction in another
 * database on the same server; a running transaction is left out only when it is positively known to belong to
 * another database (one that has ended since the snapshot, or that we may not see, is kept: it only holds back).
 */
const HORIZON = `
  SELECT coalesce(
           (SELECT min(x) FROM pg_snapshot_xip(snap.s) AS x
             WHERE NOT EXISTS (
               SELECT 1 FROM pg_stat_activity p
                WHERE p.datname IS DISTINCT FROM current_database() AND p.backend_xid IS NOT NULL
                  AND p.backend_xid::text::bigint = x::text::bigint % 4294967296)),
           pg_snapshot_xmax(snap.s)) AS h
    FROM (SELECT pg_current_snapshot() AS s) snap`;

const SELECT_FEED = `
  WITH horizon AS (${HORIZON}),
  scanned AS (
    SELECT a.id, a.tx, a.document_id, a.seq, a.event_type, a.from_state, a.to_state, a.actor_id, a.reason,
           a.payload->>'colour' AS colour, a.created_at
      FROM audit_events a
     WHERE (a.tx, a.id) > ($1::xid8, $6::bigint) AND a.tx < (SELECT h FROM horizon)
     ORDER BY a.tx, a.id LIMIT $7),
  marked AS (
    SELECT s.id::text AS id, s.tx::text AS tx, s.document_id, s.seq, s.event_type, s.from_state, s.to_state, s.actor_id,
           s.reason, s.colour, s.created_at, d.workflow_id, d.classification,
           coalesce(d.id IS NOT NULL AND ${visibleFilter({ rank: '$2', user: '$3', pool: '$4', unit: '$5', delegable: '$8' })}, false) AS visible,
           coalesce(s.seq = d.version AND ($3::uuid = ANY(d.assignee_ids) OR (d.workflow_id || ':' || d.state) = ANY($4::text[])), false) AS my_task
      FROM scanned s LEFT JOIN documents d ON d.id = s.document_id)
  SELECT (SELECT h::text FROM horizon) AS horizon, pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
         coalesce((SELECT json_agg(m ORDER BY m.tx::xid8, m.id::bigint) FROM marked m), '[]'::json) AS rows`;

/**
 * Up to `scan` audit events after the cursor, settled (below the commit horizon), with the reader's visibility;
 * and the horizon itself and the snapshot's xmax (every transaction committed before this read has a smaller id),
 * read in the same snapshot.
 */
export async function selectFeed(
  m: EntityManager,
  after: { tx: string; id: string },
  v: Viewer,
  scan: number,
): Promise<{ horizon: string; xmax: string; rows: FeedRow[] }> {
  const [r] = await m.query(SELECT_FEED, [after.tx, v.rank, v.userId, v.poolKeys, v.unitKeys, after.id, scan, v.delegable ?? []]);
  return r;
}

/** The commit horizon now: a cursor at it yields every event that commits from now on (and none settled before). */
export async function selectHorizon(m: EntityManager): Promise<string> {
  const [{ h }] = await m.query(`SELECT h::text AS h FROM (${HORIZON}) horizon`);
  return h;
}
