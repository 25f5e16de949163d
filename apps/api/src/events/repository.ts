/**
 * The SQL of the events feed: the audit trail in (tx, id) order up to the commit horizon (see the EventsFeed
 * migration), each row marked with whether the reader may see its document now (VISIBLE, the rule every document
 * read uses). Invisible rows are scanned but never returned: they only move the cursor, so a reader who sees few
 * documents does not rescan the same stretch of other people's history on every poll.
 */
import type { EntityManager } from 'typeorm';
import { visibleFilter, type Viewer } from '../engine/repositories/documents.js';
import { COMMIT_HORIZON } from '../engine/repositories/outbox.js';
import type { AuditEventRow } from './vocabulary.js';

export interface FeedRow extends AuditEventRow {
  id: string;
  tx: string;
  visible: boolean;
}

/** The commit horizon (COMMIT_HORIZON, shared with the webhooks' cursors over the outbox). */
const HORIZON = COMMIT_HORIZON;

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
