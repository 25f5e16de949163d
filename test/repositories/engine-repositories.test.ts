/**
 * The middle tier: the engine's repositories (apps/api/src/engine/repositories) run against a real, migrated
 * PostgreSQL without the application around them: the documents row and its visibility filter, revisions, the
 * audit chain, the transition statement (written, refused for a stale version or an invalid session, and read
 * back in the same round trip), the outbox and idempotency keys.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { seedDemo } from '../../apps/api/src/seed/demo.js';
import { auditHash, type AuditRecord } from '../../apps/api/src/engine/audit.js';
import { insertAudit, selectActedEventTypes, selectChain, selectHistory } from '../../apps/api/src/engine/repositories/audit.js';
import {
  insertDocument,
  insertRevision,
  selectHead,
  selectRevisionsForVerify,
  selectRow,
  selectVisible,
  selectVisibleForTransition,
  writeStatement,
} from '../../apps/api/src/engine/repositories/documents.js';
import { IDEMPOTENCY_KEY_CONSTRAINT, insertIdempotent, selectIdempotent } from '../../apps/api/src/engine/repositories/idempotency.js';
import { insertOutbox } from '../../apps/api/src/engine/repositories/outbox.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
let m: EntityManager;
let u: Record<string, string>;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.dataSource);
  m = db.dataSource.manager;
  u = Object.fromEntries(
    (await m.query(`SELECT id, username FROM users`)).map((r: { id: string; username: string }) => [r.username, r.id]),
  );
});
afterAll(async () => {
  await db?.drop();
});

/** A document (workflow `repo-test`, state `open`, owner `secretary`, secret if asked) with revision 1 and its CREATE event. */
async function seedDocument(classificationRank = 0): Promise<{ id: string; head: string }> {
  const id = randomUUID();
  const at = new Date();
  await insertDocument(m, {
    id,
    workflowId: 'repo-test',
    workflowVersion: 1,
    state: 'open',
    snapshot: { value: 'open', context: { n: 0 } },
    kind: '测试',
    title: '仓储测试',
    classification: classificationRank ? 'secret' : 'none',
    classificationRank,
    urgency: 'none',
    urgencyRank: 0,
    major: false,
    issuerUnitIds: [],
    chiefId: u.secretary,
    participantIds: [u.secretary],
    assigneeIds: [u.secretary],
    taskRoles: [],
    deadline: null,
    createdBy: u.secretary,
    at,
  });
  await insertRevision(m, { documentId: id, number: 1, authorId: u.secretary, content: { title: '仓储测试' }, hash: 'h1', at });
  const head = await insertAudit(m, {
    documentId: id,
    seq: 1,
    actorId: u.secretary,
    actorRoles: ['secretary'],
    eventType: 'CREATE',
    payload: { input: {} },
    fromState: null,
    toState: 'open',
    reason: null,
    revisionNumber: 1,
    revisionHash: 'h1',
    createdAt: at.toISOString(),
    prevHash: null,
  });
  return { id, head };
}

/** One transition's write as the engine sends it (see TransitionEngine.writeTransition). */
function pending(id: string, expectedVersion: number, prevHash: string, opts: { tokenId?: string } = {}) {
  const audit: AuditRecord = {
    documentId: id,
    seq: expectedVersion + 1,
    actorId: u.secretary,
    actorRoles: ['secretary'],
    eventType: 'NOTE',
    payload: { event: { type: 'NOTE' } },
    fromState: 'open',
    toState: 'open',
    reason: '备注',
    revisionNumber: 1,
    revisionHash: 'h1',
    createdAt: new Date().toISOString(),
    prevHash,
  };
  const fields = {
    id,
    state: 'open',
    participant_ids: [u.secretary, u.secretary2],
    assignee_ids: [u.secretary],
    task_roles: [],
    current_revision: 1,
    document_number: null,
    title: '仓储测试',
    urgency: 'none',
    urgency_rank: 0,
    major: false,
    expected_version: expectedVersion,
    seq: audit.seq,
    actor_id: audit.actorId,
    actor_roles: audit.actorRoles,
    event_type: audit.eventType,
    payload: audit.payload,
    from_state: audit.fromState,
    reason: audit.reason,
    revision_hash: audit.revisionHash,
    created_at: audit.createdAt,
    prev_hash: prevHash,
    hash: auditHash(audit),
    outbox: { documentId: id, event: 'NOTE' },
    token_id: opts.tokenId ?? null,
    roles: opts.tokenId ? ['secretary'] : null,
    clearance: opts.tokenId ? 'none' : null,
    authority: null,
    expected_xmin: null,
  };
  return { id, members: `${JSON.stringify(fields).slice(1, -1)},"snapshot":{"value":"open","context":{"n":${expectedVersion}}}` };
}

describe('documents repository', () => {
  it('reads a document only for a viewer the SQL filter lets see it, with its revision and audit head', async () => {
    const { id, head } = await seedDocument();
    const owner = { rank: 0, userId: u.secretary, poolKeys: [] };
    expect((await selectVisible(m, id, owner))?.id).toBe(id);
    expect(await selectVisible(m, id, { rank: 3, userId: u.reader, poolKeys: [] })).toBeUndefined();
    // a pool stage of its workflow, not of another one
    expect((await selectVisible(m, id, { rank: 0, userId: u.reader, poolKeys: ['repo-test:open'] }))?.id).toBe(id);
    expect(await selectVisible(m, id, { rank: 0, userId: u.reader, poolKeys: ['outgoing:open'] })).toBeUndefined();
    expect(await selectVisible(m, id, { rank: -1, userId: u.secretary, poolKeys: [] })).toBeUndefined();
    expect(await selectVisible(m, randomUUID(), owner)).toBeUndefined();
    const read = await selectVisibleForTransition(m, id, owner);
    expect([read?.rev_content, read?.rev_hash, read?.audit_head_hash]).toEqual([{ title: '仓储测试' }, 'h1', head]);
    expect(await selectHead(m, id, 1, 1)).toEqual({ rev_content: { title: '仓储测试' }, rev_hash: 'h1', audit_head_hash: head });
    const secret = await seedDocument(2);
    expect(await selectVisible(m, secret.id, { rank: 1, userId: u.secretary, poolKeys: [] })).toBeUndefined();
    expect((await selectVisible(m, secret.id, { rank: 2, userId: u.secretary, poolKeys: [] }))?.id).toBe(secret.id);
    expect((await selectRevisionsForVerify(m, id)).map((r) => [r.number, r.hash])).toEqual([[1, 'h1']]);
  });

  it('writes transitions in one statement: each only at its expected version and with a valid session, else read back', async () => {
    const a = await seedDocument();
    const b = await seedDocument();
    const c = await seedDocument();
    const [wa, wb, wc] = await writeStatement(m, [
      pending(a.id, 1, a.head),
      pending(b.id, 7, b.head),
      pending(c.id, 1, c.head, { tokenId: randomUUID() }),
    ]);
    expect(wa).toMatchObject({ written: true, version: 2 });
    expect(wa!.participant_ids.sort()).toEqual([u.secretary, u.secretary2].sort());
    // stale version and unknown session: nothing written, the row as it is now comes back for deciding again
    expect(wb).toMatchObject({ written: false, version: 1, state: 'open', rev_hash: 'h1', audit_head_hash: b.head });
    expect(wc).toMatchObject({ written: false, version: 1 });
    expect((await selectChain(m, a.id)).map((e) => [e.seq, e.event_type, e.reason])).toEqual([
      [1, 'CREATE', null],
      [2, 'NOTE', '备注'],
    ]);
    expect((await selectChain(m, b.id)).length).toBe(1);
    expect((await selectChain(m, c.id)).length).toBe(1);
    const outbox = await m.query(`SELECT document_id, topic FROM outbox WHERE document_id = ANY($1::uuid[])`, [[a.id, b.id, c.id]]);
    expect(outbox).toEqual([{ document_id: a.id, topic: 'document.transitioned' }]);
    expect((await selectRow(m, a.id))?.snapshot).toEqual({ value: 'open', context: { n: 1 } });
    // the same version again: the first write moved it on, so this one is refused
    const [again] = await writeStatement(m, [pending(a.id, 1, a.head)]);
    expect(again).toMatchObject({ written: false, version: 2 });
    // a broken chain link is refused by the database (audit_events is unique per document and seq)
    await expect(
      m.query(
        `INSERT INTO audit_events (document_id, seq, actor_id, actor_roles, event_type, payload, to_state, created_at, hash) VALUES ($1, 2, $2, '{}', 'X', '{}', 'open', now(), 'x')`,
        [a.id, u.secretary],
      ),
    ).rejects.toThrow();
  });
});

describe('audit, outbox and idempotency repositories', () => {
  it('keeps the audit trail readable by history and strict separation', async () => {
    const { id } = await seedDocument();
    expect((await selectHistory(m, id)).map((r) => [r.seq, r.event_type, r.username])).toEqual([[1, 'CREATE', 'secretary']]);
    expect(await selectActedEventTypes(m, id, u.secretary, ['CREATE', 'SIGN'])).toEqual(['CREATE']);
    expect(await selectActedEventTypes(m, id, u.secretary2, ['CREATE'])).toEqual([]);
    await insertOutbox(m, id, 'document.created', { documentId: id });
    expect(await m.query(`SELECT topic, payload FROM outbox WHERE document_id = $1`, [id])).toEqual([
      { topic: 'document.created', payload: { documentId: id } },
    ]);
  });

  it('stores one answer per user and key, and a second insert of the key hits the constraint the engine replays on', async () => {
    const { id } = await seedDocument();
    expect(await selectIdempotent(m, u.secretary, 'k1')).toBeUndefined();
    await insertIdempotent(m, { userId: u.secretary, key: 'k1', documentId: id, requestHash: 'r1', status: 200, body: { ok: '是' } });
    expect(await selectIdempotent(m, u.secretary, 'k1')).toEqual({ request_hash: 'r1', status: 200, body: { ok: '是' } });
    expect(await selectIdempotent(m, u.secretary2, 'k1')).toBeUndefined();
    const err = await insertIdempotent(m, {
      userId: u.secretary,
      key: 'k1',
      documentId: id,
      requestHash: 'r2',
      status: 200,
      body: {},
    }).then(
      () => null,
      (e) => e,
    );
    expect(err?.driverError?.constraint ?? err?.constraint).toBe(IDEMPOTENCY_KEY_CONSTRAINT);
  });
});
