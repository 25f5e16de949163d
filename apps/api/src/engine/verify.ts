/**
 * Integrity check of one document, for any workflow: every audit event's hash and link, every revision's content
 * hash, and a replay of the events through the document's own machine, compared with the stored snapshot.
 */
import type { EntityManager } from 'typeorm';
import { canonicalJson, contentHash } from '#gongwen/document/canonical';
import { auditHash, auditRecordFromRow } from './audit.js';
import { selectChain } from './repositories/audit.js';
import { selectRevisionsForVerify } from './repositories/documents.js';
import type { EngineRow } from './types.js';
import type { WorkflowDefinition } from './workflow.js';

export type Broken = { kind: 'audit_event' | 'revision' | 'snapshot'; seq?: number; id?: string; number?: number; problem: string };

/**
 * Whether a revision's content may legitimately be gone (purged by a disposal, 销毁): asked only for a revision
 * whose content is NULL. Provided by the feature that disposes (the archive).
 */
export type PurgeCheck = (m: EntityManager, documentId: string) => Promise<boolean>;

export async function verifyDocument(
  m: EntityManager,
  row: EngineRow,
  workflow: WorkflowDefinition,
  purged: PurgeCheck = async () => false,
) {
  const id = row.id;
  const events = await selectChain(m, id);
  const revisions = await selectRevisionsForVerify(m, id);
  let firstBroken: Broken | null = null;
  const fail = (b: Broken) => {
    firstBroken ??= b;
  };
  let prev: string | null = null;
  events.forEach((e, i) => {
    if (firstBroken) return;
    const rec = auditRecordFromRow(e);
    if (e.seq !== i + 1) fail({ kind: 'audit_event', seq: e.seq, id: String(e.id), problem: `sequence gap: expected ${i + 1}` });
    else if (e.prev_hash !== prev)
      fail({ kind: 'audit_event', seq: e.seq, id: String(e.id), problem: 'link to the previous event is broken' });
    else if (auditHash(rec) !== e.hash)
      fail({ kind: 'audit_event', seq: e.seq, id: String(e.id), problem: 'content does not match its hash' });
    prev = e.hash;
  });
  for (const r of revisions) {
    if (firstBroken) break;
    if (r.content === null) {
      // purged by a disposal: legitimate only when the document's archive item was disposed of
      if (!r.disposed_at || !(await purged(m, id)))
        fail({ kind: 'revision', number: r.number, problem: 'content is missing and the document was not disposed of' });
    } else if (contentHash(r.content) !== r.hash) fail({ kind: 'revision', number: r.number, problem: 'content does not match its hash' });
  }
  if (!firstBroken && events.length) {
    const lastEvent = events[events.length - 1];
    const lastRevisionHash = revisions.find((r) => r.number === row.current_revision)?.hash;
    if (lastEvent.hash && row.version !== events.length)
      fail({ kind: 'snapshot', problem: `document version ${row.version} does not match ${events.length} audit events` });
    else if (lastEvent.to_state !== row.state)
      fail({ kind: 'snapshot', problem: `document state ${row.state} does not match the last audit event (${lastEvent.to_state})` });
    else if (lastEvent.revision_hash && lastRevisionHash !== lastEvent.revision_hash)
      fail({ kind: 'snapshot', problem: 'current revision does not match the audit trail' });
    else {
      try {
        let snap = workflow.create(events[0].payload.input);
        for (const e of events.slice(1)) {
          const r = workflow.apply(snap, e.payload.event);
          if (!r.accepted) {
            fail({ kind: 'audit_event', seq: e.seq, id: String(e.id), problem: 'replaying this event through the workflow is refused' });
            break;
          }
          snap = r.snapshot;
        }
        if (!firstBroken && canonicalJson(workflow.persist(snap)) !== canonicalJson(row.snapshot)) {
          fail({ kind: 'snapshot', problem: 'the stored workflow snapshot differs from the replayed audit trail' });
        }
      } catch (err) {
        fail({ kind: 'snapshot', problem: `replay failed: ${(err as Error).message}` });
      }
    }
  }
  const contentDisposed = revisions.some((r) => r.content === null);
  return {
    documentId: id,
    ok: !firstBroken,
    events: events.length,
    revisions: revisions.length,
    headHash: events.at(-1)?.hash ?? null,
    firstBroken: firstBroken as Broken | null,
    ...(contentDisposed ? { contentDisposed } : {}),
  };
}
