/**
 * The document list (GET /documents): the inbox ("my tasks") and the filtered, paged list of what a user may see.
 * Outgoing documents only (filtered by workflow id): the task context and the pool stages are the outgoing workflow's.
 */
import { classificationRank } from '#gongwen/document/model';
import {
  DELEGABLE_STATES,
  OUTGOING_STATES,
  OUTGOING_WORKFLOW,
  POOL_TASK_STATES,
  TASK_KIND_STATES,
  poolStatesFor,
  TASK_CONTEXT_SQL,
  taskKind,
  type TaskContext,
  type TaskKind,
} from '#gongwen/workflows/outgoing';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { delegatedTo } from '../engine/repositories/documents.js';
import { UUID } from '../engine/transition-engine.js';
import type { DocumentsDeps } from './deps.js';
import type { DocumentRow } from './document-row.js';

export interface ListOptions {
  state?: string;
  kind?: string;
  mine?: 'tasks' | 'all';
  urgency?: string;
  overdue?: 'true';
  /** With mine=tasks: only tasks of this kind. */
  task?: TaskKind;
  q?: string;
  cursor?: string;
  limit: number;
}

/**
 * The SQL of the document list for one user (also run by the bench and its EXPLAIN). Visibility is a filter
 * written so that it cannot drive the plan. "My tasks" = documents assigned to me UNION documents waiting in a
 * stage my roles work as a pool; the two never overlap (pool stages have no assignees) and each branch has its
 * own index (GIN on assignee_ids; documents_task_queue, in inbox order).
 */
/** `scope|outgoing:state` for the states whose tasks a delegation hands to a deputy (see delegatedTo). */
const DELEGABLE_KEYS = Object.entries(DELEGABLE_STATES).flatMap(([scope, states]) =>
  states.map((s) => `${scope}|${OUTGOING_WORKFLOW.id}:${s}`),
);

export function listQuery(user: Pick<AuthUser, 'id' | 'clearance' | 'roles'>, q: ListOptions): { sql: string; params: unknown[] } {
  const params: unknown[] = [user.id, classificationRank(user.clearance), poolStatesFor(user.roles), OUTGOING_WORKFLOW.id, DELEGABLE_KEYS];
  // the outgoing workflow's documents only: another workflow's states, tasks and pools are not these. A deputy
  // also sees his principals' signing/reading tasks (委托), within his own clearance.
  const delegated = delegatedTo('$1::uuid', '$5::text[]');
  const where = [
    `d.workflow_id = $4`,
    `d.classification_rank <= $2`,
    `($1 = ANY(d.participant_ids) OR d.state = ANY($3::text[]) OR ${delegated})`,
  ];
  if (user.roles.length === 1 && user.roles[0] === 'admin') where.push('false');
  if (q.state) {
    params.push(q.state);
    where.push(`d.state = $${params.length}`);
  }
  if (q.kind) {
    params.push(q.kind);
    where.push(`d.kind = $${params.length}`);
  }
  if (q.urgency) {
    params.push(q.urgency);
    where.push(`d.urgency = $${params.length}`);
  }
  if (q.overdue === 'true') where.push(`d.deadline < now()`);
  // a task kind: the states it is found in here, the kind itself once computed (listDocuments)
  if (q.mine === 'tasks' && q.task) {
    params.push([...TASK_KIND_STATES[q.task]]);
    where.push(`d.state = ANY($${params.length}::text[])`);
  }
  // full text: the title (its bigram index) or the current revision's body (document_texts, kept by a trigger on
  // revisions); the bigram containment picks candidates through the GIN indexes, strpos confirms the exact phrase.
  // Title hits rank first; the ranking is part of the order and of the cursor.
  let rank = '0';
  let search = '';
  if (q.q) {
    params.push(q.q);
    const p = `$${params.length}`;
    const inTitle = `(gw_bigrams(d.title) @> gw_bigrams(${p}) AND strpos(lower(d.title), lower(${p})) > 0)`;
    where.push(`(${inTitle} OR d.id IN (SELECT t.document_id FROM document_texts t
                 WHERE gw_bigrams(t.body) @> gw_bigrams(${p}) AND strpos(lower(t.body), lower(${p})) > 0))`);
    rank = `(CASE WHEN ${inTitle} THEN 1 ELSE 0 END)`;
    // a window of the body around the first hit (the web highlights the phrase in it); only for rows that pass the
    // visibility filter above, so a snippet never tells what a hidden document says
    search = `, ${rank} AS search_rank, (SELECT CASE WHEN strpos(lower(t.body), lower(${p})) > 0
                  THEN substr(t.body, greatest(strpos(lower(t.body), lower(${p})) - ${SNIPPET_CONTEXT}, 1), ${2 * SNIPPET_CONTEXT} + length(${p})) END
                FROM document_texts t WHERE t.document_id = d.id) AS snippet`;
  }
  // the principal whose task this is when the user holds it only as his deputy (after the ORDER BY … LIMIT of each
  // branch, PostgreSQL computes it for the rows returned only)
  const onBehalfOf = `CASE WHEN NOT $1 = ANY(d.assignee_ids) THEN (SELECT g.principal_id FROM delegations g
                WHERE g.deputy_id = $1::uuid AND g.revoked_at IS NULL AND g.starts_at <= now() AND g.ends_at > now()
                  AND g.principal_id = ANY(d.assignee_ids)
                  AND EXISTS (SELECT 1 FROM unnest(g.scopes) s WHERE s || '|' || d.workflow_id || ':' || d.state = ANY($5::text[])) LIMIT 1) END AS on_behalf_of`;
  const columns = `d.id, d.state, d.version, d.kind, d.title, d.classification, d.urgency, d.urgency_rank, d.document_number, d.deadline,
              d.created_at, d.updated_at, d.current_revision, d.assignee_ids, d.task_roles, ${TASK_CONTEXT_SQL} AS task_ctx, ${onBehalfOf}${search}`;
  if (q.mine === 'tasks') {
    const order = (p: string) => `${p}urgency_rank DESC, ${p}deadline ASC NULLS LAST, ${p}created_at ASC, ${p}id ASC`;
    // pages of the inbox by position: each branch reads as far as the page's end, the union skips what came before
    const offset = q.cursor ? decodeTaskCursor(q.cursor) : 0;
    params.push(offset + q.limit + 1);
    const limit = params.length;
    params.push(offset);
    const skip = params.length;
    const filters = where.join(' AND ');
    // the documents assigned to me, in inbox order from document_tasks (kept by triggers from assignee_ids)
    const branches = [
      `(SELECT ${columns} FROM document_tasks k JOIN documents d ON d.id = k.document_id
         WHERE k.user_id = $1 AND ${filters}
         ORDER BY k.urgency_rank DESC, k.deadline ASC NULLS LAST, k.created_at ASC, k.document_id ASC LIMIT $${limit})`,
    ];
    // one branch per pool stage, each an equality on state so that documents_task_queue yields rows in inbox
    // order and the LIMIT stops the scan early (state = ANY(…) would read and sort the whole stage)
    // the tasks of the principals of the user's delegations in force (委托), through the same index per principal
    branches.push(
      `(SELECT ${columns} FROM delegations g JOIN document_tasks k ON k.user_id = g.principal_id JOIN documents d ON d.id = k.document_id
         WHERE g.deputy_id = $1::uuid AND g.revoked_at IS NULL AND g.starts_at <= now() AND g.ends_at > now()
           AND EXISTS (SELECT 1 FROM unnest(g.scopes) s WHERE s || '|' || d.workflow_id || ':' || d.state = ANY($5::text[])) AND ${filters}
         ORDER BY k.urgency_rank DESC, k.deadline ASC NULLS LAST, k.created_at ASC, k.document_id ASC LIMIT $${limit})`,
    );
    for (const p of POOL_TASK_STATES.filter((x) => user.roles.includes(x.role))) {
      params.push(p.state);
      branches.push(
        `(SELECT ${columns} FROM documents d WHERE d.state = $${params.length} AND ${filters} ORDER BY ${order('d.')} LIMIT $${limit})`,
      );
    }
    params.push([...OUTGOING_STATES]);
    const stages = `$${params.length}::text[]`;
    // for the page only (after the LIMIT, so a user with thousands of tasks pays for one page): when and from whom
    // the task came — the latest event that brought the document into its current stage (or gave a section back),
    // one backward step on audit_events (document_id, seq) per row; whether that was a return (to an earlier
    // stage, or a section given back) with its reason; the reminders (催办) addressed to me while circulating; and
    // how far I have read my notifications about the document
    return {
      sql: `SELECT t.*, h.received_at, h.sender_id, h.sender_name, h.returned, h.return_reason, nr.read_through,
           CASE WHEN t.state = 'circulation' THEN (SELECT r->'remindedAt' FROM documents d2,
                  jsonb_array_elements(d2.snapshot #> '{context,readers}') r
                  WHERE d2.id = t.id AND r->>'userId' = $1::text LIMIT 1) END AS reminded_at
         FROM (SELECT * FROM (
           ${branches.join('\n           UNION ALL\n           ')}
         ) u ORDER BY ${order('')} OFFSET $${skip} LIMIT $${limit} - $${skip}) t
         LEFT JOIN LATERAL (
           SELECT a.created_at AS received_at, a.actor_id AS sender_id, s.display_name AS sender_name, a.reason AS return_reason,
                  (a.event_type = 'RETURN_SECTION' OR array_position(${stages}, a.to_state) < array_position(${stages}, a.from_state)) AS returned
             FROM audit_events a JOIN users s ON s.id = a.actor_id
            WHERE a.document_id = t.id AND a.to_state = t.state
              AND (a.from_state IS DISTINCT FROM a.to_state OR a.event_type = 'RETURN_SECTION')
            ORDER BY a.seq DESC LIMIT 1) h ON true
         LEFT JOIN notification_reads nr ON nr.user_id = $1 AND nr.document_id = t.id
         ORDER BY ${order('t.')}`,
      params,
    };
  }
  if (q.cursor) {
    const [ts, id, r] = decodeCursor(q.cursor);
    params.push(ts, id);
    if (q.q) {
      params.push(r);
      where.push(
        `(${rank}, d.updated_at, d.id) < ($${params.length}::int, $${params.length - 2}::timestamptz, $${params.length - 1}::uuid)`,
      );
    } else {
      where.push(`(d.updated_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
  }
  params.push(q.limit + 1);
  const order = q.q ? `${rank} DESC, d.updated_at DESC, d.id DESC` : `d.updated_at DESC, d.id DESC`;
  return {
    sql: `SELECT ${columns} FROM documents d WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $${params.length}`,
    params,
  };
}

export async function listDocuments(deps: DocumentsDeps, user: AuthUser, q: ListOptions) {
  const { sql, params } = listQuery(user, q);
  // not a prepared statement: which plan is best depends on the user's roles and filters (a generic plan could be poor)
  const rows: (DocumentRow & {
    assignee_ids: string[];
    task_roles: string[];
    task_ctx: TaskContext;
    on_behalf_of: string | null;
    search_rank?: number;
    snippet?: string | null;
  } & Partial<TaskRow>)[] = await deps.db.query(sql, params);
  // a document can come twice in the inbox: the user's own task and a principal's, or two principals' (co-signers
  // who delegated to the same deputy); it is listed once
  const seen = new Set<string>();
  const tasks = q.mine === 'tasks';
  // the inbox pages by position in the query's rows (before the duplicates go); the list by its cursor
  const more = (tasks ? rows.length : rows.filter((r) => !seen.has(r.id) && !!seen.add(r.id)).length) > q.limit;
  seen.clear();
  const page = (tasks ? rows.slice(0, q.limit) : rows).filter((r) => !seen.has(r.id) && !!seen.add(r.id)).slice(0, q.limit);
  const last = page.at(-1);
  const items = page.map((r) => ({
    id: r.id,
    state: r.state,
    version: r.version,
    kind: r.kind,
    title: r.title,
    classification: r.classification,
    urgency: r.urgency,
    documentNumber: r.document_number,
    currentRevision: r.current_revision,
    deadline: r.deadline ? new Date(r.deadline).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    myTask: r.on_behalf_of
      ? taskKind(r.state, r.assignee_ids, r.task_roles, r.task_ctx, r.on_behalf_of, [])
      : taskKind(r.state, r.assignee_ids, r.task_roles, r.task_ctx, user.id, user.roles),
    // 代: the task is a principal's, held by this user as his deputy
    onBehalfOf: r.on_behalf_of,
    ...(q.q ? { match: searchMatch(q.q, r.title, r.snippet ?? null) } : {}),
    ...(q.mine === 'tasks' ? { task: taskDetails(r) } : {}),
  }));
  return {
    // a kind of task asked for: the states it is found in gave the candidates, the kind computed decides
    items: tasks && q.task ? items.filter((i) => i.myTask === q.task) : items,
    nextCursor: !more
      ? null
      : tasks
        ? encodeTaskCursor((q.cursor ? decodeTaskCursor(q.cursor) : 0) + q.limit)
        : last
          ? encodeCursor(new Date(last.updated_at), last.id, last.search_rank ?? 0)
          : null,
  };
}

/** The inbox's cursor: how many of its rows come before the page. */
function encodeTaskCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}
function decodeTaskCursor(c: string): number {
  try {
    const { o } = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { o: unknown };
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || o > 100_000) throw new Error();
    return o;
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The cursor is not valid.', {
      errors: [{ in: 'query', field: 'cursor', message: 'invalid cursor' }],
    });
  }
}

/** The columns the inbox query adds to each task (see listQuery). */
interface TaskRow {
  received_at: Date | null;
  sender_id: string | null;
  sender_name: string | null;
  returned: boolean | null;
  return_reason: string | null;
  read_through: Date | null;
  reminded_at: string[] | null;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/**
 * A task's inbox details: who handed it on and when, whether it came back with a reason, the reminders sent to me,
 * and whether I have read what happened last (the latest of its arrival and its last reminder).
 */
export function taskDetails(r: Partial<TaskRow>) {
  const reminders = Array.isArray(r.reminded_at) ? r.reminded_at.filter((x): x is string => typeof x === 'string') : [];
  const lastRemindedAt = reminders.length ? iso(reminders.reduce((a, b) => (Date.parse(a) > Date.parse(b) ? a : b))) : null;
  const receivedAt = iso(r.received_at);
  const times = [receivedAt, lastRemindedAt].filter((x): x is string => x !== null).map(Date.parse);
  const notifiedAt = times.length ? new Date(Math.max(...times)).toISOString() : null;
  const readThrough = r.read_through ? new Date(r.read_through).getTime() : null;
  return {
    receivedAt,
    senderId: r.sender_id ?? null,
    senderName: r.sender_name ?? null,
    returned: r.returned === true,
    reason: r.returned === true ? (r.return_reason ?? null) : null,
    reminders: reminders.length,
    lastRemindedAt,
    notifiedAt,
    unread: notifiedAt !== null && (readThrough === null || readThrough < Date.parse(notifiedAt)),
  };
}

const ISO_INSTANT = /^(19[7-9]\d|2\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** Characters of body text shown on each side of a search hit. */
const SNIPPET_CONTEXT = 30;

/** Where the phrase was found: the title, or the body with a snippet around the first hit; `highlights` are offsets in `text`. */
export function searchMatch(phrase: string, title: string, snippet: string | null) {
  const spans = (text: string) => {
    const out: { start: number; end: number }[] = [];
    const hay = text.toLowerCase();
    const needle = phrase.toLowerCase();
    for (let i = hay.indexOf(needle); i >= 0 && needle; i = hay.indexOf(needle, i + needle.length))
      out.push({ start: i, end: i + needle.length });
    return out;
  };
  const inTitle = spans(title);
  if (inTitle.length || snippet === null) return { field: 'title' as const, snippet: title, highlights: inTitle };
  return { field: 'body' as const, snippet, highlights: spans(snippet) };
}

function encodeCursor(ts: Date, id: string, rank: number): string {
  return Buffer.from(JSON.stringify(rank ? [ts.toISOString(), id, rank] : [ts.toISOString(), id])).toString('base64url');
}

function decodeCursor(c: string): [string, string, number] {
  try {
    const [ts, id, rank = 0] = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (typeof ts !== 'string' || !ISO_INSTANT.test(ts) || Number.isNaN(Date.parse(ts)) || typeof id !== 'string' || !UUID.test(id))
      throw new Error();
    if (rank !== 0 && rank !== 1) throw new Error();
    return [ts, id, rank];
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The cursor is not valid.', {
      errors: [{ in: 'query', field: 'cursor', message: 'invalid cursor' }],
    });
  }
}
