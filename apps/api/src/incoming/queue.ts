/**
 * The incoming queues (GET /api/incoming?queue=…): a receiving unit's items in inbox order, keyset-paged, and a
 * deputy's share of his principals' items (委托: 代阅).
 */
import type { DataSource } from 'typeorm';
import { INCOMING_WORKFLOW, taskKind, type IncomingContext, type IncomingState } from '#gongwen/workflows/incoming';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { isDeputyNow } from '../delegations/repository.js';
import { delegatedTo } from '../engine/repositories/documents.js';
import { UUID, type TransitionEngine } from '../engine/transition-engine.js';
import type { EngineRow } from '../engine/types.js';
import type { QueueQuery } from './schemas.js';

/** The working states a queue may name, and what `overdue` means (a deadline passed, not completed). */
const WORKING_STATES: IncomingState[] = [
  'receipt',
  'registration',
  'check',
  'proposal',
  'instruction',
  'handling',
  'circulation',
  'answer',
];

/**
 * A queue of the user's unit, visible items only, in inbox order (urgency, deadline, arrival), keyset-paged.
 * One receiving unit and one state: documents_unit_queue yields the rows in order and LIMIT stops early. A
 * deputy's queue also lists his principals' items a delegation in force hands him (委托: 代阅), marked onBehalfOf.
 */
export async function listQueue(db: DataSource, engine: TransitionEngine, unit: string | null, user: AuthUser, q: QueueQuery) {
  if (!unit) return { items: [], nextCursor: null };
  const v = engine.viewer(user);
  const params: unknown[] = [unit, v.rank, v.userId, v.poolKeys, v.unitKeys, INCOMING_WORKFLOW.id, v.delegable ?? []];
  const where = [`d.workflow_id = $6`, `d.classification_rank <= $2`];
  // the unit's items the user sees himself (documents_unit_queue yields them in order)
  const own = `d.unit_id = $1 AND ($3 = ANY(d.participant_ids) OR (d.workflow_id || ':' || d.state) = ANY($4::text[]) OR d.unit_keys && $5::text[])`;
  // 委托: his principals' tasks that a delegation in force hands him (代阅), in whatever unit; listed once, and
  // found through the principals' document_tasks
  const delegated = `d.id IN (SELECT k.document_id FROM delegations g JOIN document_tasks k ON k.user_id = g.principal_id
                       WHERE g.deputy_id = $3::uuid AND g.revoked_at IS NULL AND g.starts_at <= now() AND g.ends_at > now())
                     AND ${delegatedTo('$3::uuid', '$7::text[]')} AND NOT (${own})`;
  if (q.queue === 'overdue') {
    params.push(WORKING_STATES);
    where.push(`d.state = ANY($${params.length}::text[])`);
    where.push(`(d.deadline < now() OR EXISTS (SELECT 1 FROM jsonb_array_elements(d.snapshot->'context'->'departments') x
                  WHERE x->>'deadline' < to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')
                    AND NOT x ? 'handedBack' AND NOT x ? 'released' AND d.state = 'handling'))`);
  } else if (q.queue !== 'all') {
    params.push(q.queue);
    where.push(`d.state = $${params.length}`);
  }
  if (q.cursor) {
    const [rank, deadline, created, id] = decodeCursor(q.cursor);
    params.push(rank, deadline, created, id);
    const [r, dl, c, i] = [params.length - 3, params.length - 2, params.length - 1, params.length].map((n) => `$${n}`);
    where.push(
      deadline === null
        ? `(d.urgency_rank < ${r} OR (d.urgency_rank = ${r} AND d.deadline IS NULL AND (d.created_at, d.id) > (${c}::timestamptz, ${i}::uuid)))`
        : `(d.urgency_rank < ${r} OR (d.urgency_rank = ${r} AND (d.deadline > ${dl}::timestamptz OR d.deadline IS NULL
            OR (d.deadline = ${dl}::timestamptz AND (d.created_at, d.id) > (${c}::timestamptz, ${i}::uuid)))))`,
    );
  }
  params.push(q.limit + 1);
  const filters = where.join(' AND ');
  // only a deputy now pays for the delegated branch: everyone else runs the unit's queue alone, on its index
  const deputy = await isDeputyNow(db.manager, user.id);
  const order = (p: string) => `${p}urgency_rank DESC, ${p}deadline ASC NULLS LAST, ${p}created_at ASC, ${p}id ASC`;
  // the principal whose task the row is, when the user holds it only as his deputy (for the page's rows only)
  const onBehalfOf = `CASE WHEN NOT $3 = ANY(t.assignee_ids) THEN (SELECT g.principal_id FROM delegations g
              WHERE g.deputy_id = $3::uuid AND g.revoked_at IS NULL AND g.starts_at <= now() AND g.ends_at > now()
                AND g.principal_id = ANY(t.assignee_ids)
                AND EXISTS (SELECT 1 FROM unnest(g.scopes) s WHERE s || '|' || t.workflow_id || ':' || t.state = ANY($7::text[])) LIMIT 1) END`;
  const rows: (EngineRow<IncomingState, IncomingContext> & {
    urgency_rank: number;
    assignee_ids: string[];
    task_roles: string[];
    receive_number: string | null;
    sender_name: string;
    sender_number: string | null;
    state_since: Date;
    overdue: boolean;
    on_behalf_of: string | null;
  })[] = await db.query(
    `SELECT t.*, ${onBehalfOf} AS on_behalf_of,
            -- 来文字号: as registered (the 收文登记簿 row), else as received (the revision's content)
            COALESCE((SELECT g.sender_number FROM incoming_register g WHERE g.document_id = t.id),
                     (SELECT r.content->>'senderNumber' FROM revisions r WHERE r.document_id = t.id AND r.number = t.current_revision)) AS sender_number,
            -- when the item entered its state: the last event that changed the state (events that stay, such as
            -- READ or RECORD_HANDLING, do not count); the unique (document_id, seq) index read backwards, per row of
            -- the page only
            COALESCE((SELECT a.created_at FROM audit_events a WHERE a.document_id = t.id AND a.from_state IS DISTINCT FROM a.to_state
                       ORDER BY a.seq DESC LIMIT 1), t.created_at) AS state_since
       FROM (
         (SELECT ${QUEUE_COLUMNS} FROM documents d WHERE ${own} AND ${filters} ORDER BY ${order('d.')} LIMIT $${params.length})
         ${deputy ? `UNION ALL (SELECT ${QUEUE_COLUMNS} FROM documents d WHERE ${delegated} AND ${filters} ORDER BY ${order('d.')} LIMIT $${params.length})` : ''}
       ) t ORDER BY ${order('t.')} LIMIT $${params.length}`,
    params,
  );
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  const who = { userId: user.id, roles: user.roles, unitId: user.unitId ?? undefined };
  return {
    items: page.map((r) => ({
      id: r.id,
      state: r.state,
      version: r.version,
      title: r.title,
      kind: r.kind,
      classification: r.classification,
      urgency: r.urgency,
      senderName: r.sender_name,
      senderNumber: r.sender_number ?? null,
      receiveNumber: r.receive_number,
      deadline: r.deadline ? new Date(r.deadline).toISOString() : null,
      overdue: r.overdue && WORKING_STATES.includes(r.state),
      myTask: r.on_behalf_of
        ? taskKind(r.state, { assigneeIds: r.assignee_ids, taskRoles: r.task_roles }, { userId: r.on_behalf_of, roles: [] })
        : taskKind(r.state, { assigneeIds: r.assignee_ids, taskRoles: r.task_roles }, who),
      // 代: the task is a principal's, held by this user as his deputy (代阅)
      onBehalfOf: r.on_behalf_of,
      createdAt: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
      stateSince: new Date(r.state_since).toISOString(),
    })),
    nextCursor: more && last ? encodeCursor(last.urgency_rank, last.deadline, last.created_at, last.id) : null,
  };
}

/** A queue row's own columns (the per-row lookups are made for the page's rows only, outside the branches). */
const QUEUE_COLUMNS = `d.id, d.workflow_id, d.state, d.version, d.title, d.kind, d.classification, d.urgency, d.urgency_rank, d.deadline, d.created_at,
              d.updated_at, d.current_revision, d.assignee_ids, d.task_roles,
              d.snapshot->'context'->'register'->>'receiveNumber' AS receive_number,
              d.snapshot->'context'->>'senderName' AS sender_name, COALESCE(d.deadline < now(), false) AS overdue`;

function encodeCursor(rank: number, deadline: Date | null, created: Date, id: string): string {
  return Buffer.from(
    JSON.stringify([rank, deadline ? new Date(deadline).toISOString() : null, new Date(created).toISOString(), id]),
  ).toString('base64url');
}

function decodeCursor(c: string): [number, string | null, string, string] {
  try {
    const [rank, deadline, created, id] = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    const iso = (s: unknown) => typeof s === 'string' && !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s);
    if (!Number.isInteger(rank) || (deadline !== null && !iso(deadline)) || !iso(created) || typeof id !== 'string' || !UUID.test(id))
      throw new Error();
    return [rank, deadline, created, id];
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The cursor is not valid.', {
      errors: [{ in: 'query', field: 'cursor', message: 'invalid cursor' }],
    });
  }
}
