/**
 * A transition plan as the one statement that writes it (repositories/documents.ts WRITE_TRANSITIONS): its fields
 * as JSON, and the row as written from what the statement returned. Split from transition-engine.ts, which
 * decides which path sends the statement (group commit, a transaction, alone).
 */
import type { AuthUser } from '../auth/auth.types.js';
import type { PendingWrite, WriteOutcome } from './repositories/documents.js';
import type { EngineRow, TransitionPlan, TransitionRead, Written } from './types.js';

/**
 * Whether two JSON values are the same JSON (object members in any order, undefined members absent): plain objects,
 * arrays and primitives only; anything else (a Date, a class instance) counts as different, so that a false
 * "same" can never keep a snapshot that JSON.stringify would have written differently.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] === undefined || !sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !plain(a) || !plain(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let members = 0;
  for (const k in x) {
    const v = x[k];
    if (v === undefined) continue;
    members++;
    if (!Object.hasOwn(y, k) || !sameJson(v, y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) members--;
  return members === 0;
}

function plain(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

/** The row's columns a plan sets (besides the snapshot and the participants): as sent, and as written. */
function rowColumns(p: TransitionPlan) {
  const c = p.columns;
  return {
    state: p.toState,
    assignee_ids: p.tasks.assigneeIds,
    task_roles: p.tasks.taskRoles,
    unit_keys: p.unitKeys,
    current_revision: p.revisionNumber,
    document_number: c.document_number,
    title: c.title,
    urgency: c.urgency,
    urgency_rank: c.urgency_rank,
    major: c.major,
  };
}

/**
 * The write of plan `p` (only if the row is still at `expectedVersion`, and with `expectedXmin` that very row
 * version; with `cachedSession`, only if that session still holds). A snapshot the event left as it was (a second
 * OPEN) is not serialised nor sent: `"snapshot":null` keeps the stored value (the row is the version decided on,
 * or nothing is written). `snapshotChars` is its JSON's length, null when not serialised.
 */
export function pendingWrite(
  p: TransitionPlan,
  expectedVersion: number,
  cachedSession?: AuthUser,
  expectedXmin?: string,
): { write: PendingWrite; snapshotChars: number | null } {
  const a = p.audit;
  // serialised here rather than by the driver: its length sizes the cache entry
  const snapshotJson = sameJson(p.persisted, p.row.snapshot) ? null : JSON.stringify(p.persisted);
  const fields = {
    id: p.row.id,
    ...rowColumns(p),
    participant_ids: p.participants,
    expected_version: expectedVersion,
    seq: a.seq,
    actor_id: a.actorId,
    actor_roles: a.actorRoles,
    event_type: a.eventType,
    payload: a.payload,
    from_state: a.fromState,
    reason: a.reason,
    revision_hash: a.revisionHash,
    created_at: a.createdAt,
    prev_hash: a.prevHash,
    hash: p.auditHash,
    // (the document's id is the row's document_id: not repeated in the payload, written and relayed per transition;
    // its workflow is, so that the webhooks read the outbox without a lookup of each row's document)
    outbox: {
      workflow: p.row.workflow_id,
      event: p.event.type,
      from: p.fromState,
      to: p.toState,
      assigneeIds: p.tasks.assigneeIds,
      taskRoles: p.tasks.taskRoles,
    },
    token_id: cachedSession?.tokenId ?? null,
    roles: cachedSession?.roles ?? null,
    clearance: cachedSession?.clearance ?? null,
    authority: cachedSession?.authority ?? null,
    expected_xmin: expectedXmin ?? null,
  };
  return {
    write: { id: p.row.id, members: `${JSON.stringify(fields).slice(1, -1)},"snapshot":${snapshotJson ?? 'null'}` },
    snapshotChars: snapshotJson === null ? null : snapshotJson.length,
  };
}

const UPPER = /[A-F]/;

/**
 * UUIDs as PostgreSQL answers them: lower case (an id from a request may be upper case; its uuid column compares
 * equal). The same array when it already is.
 */
function asStored(ids: string[]): string[] {
  return ids.some((id) => UPPER.test(id)) ? ids.map((id) => id.toLowerCase()) : ids;
}

/** What the statement answered for a write: the row as written, or (not written) the document as it is now. */
export function writeResult(
  p: TransitionPlan,
  r: NonNullable<WriteOutcome>,
  snapshotChars: number | null,
): Written | { fresh: TransitionRead; xmin: string } {
  if (r.written) {
    const row = {
      ...p.row,
      ...rowColumns(p),
      snapshot: p.persisted,
      version: r.version,
      updated_at: r.updated_at,
      // null: the ones sent (none merged in by an access grant since the read), as PostgreSQL prints them
      participant_ids: r.participant_ids ?? asStored(p.participants),
    } as EngineRow;
    return { row, xmin: r.xmin, snapshotChars };
  }
  const { written: _w, xmin, rev_content: content, rev_hash: hash, audit_head_hash: headHash, ...row } = r;
  return { fresh: { row: row as EngineRow, content, hash, headHash }, xmin };
}
