/**
 * The middle tier: the engine's repositories (apps/api/src/engine/repositories) run against a real, migrated
 * PostgreSQL without the application around them: the documents row and its visibility filter, revisions, the
 * audit chain, the transition statement (written, refused for a stale version or an invalid session, and read
 * back in the same round trip), the outbox (its relay and pruning), sessions and idempotency keys.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { seedDemo } from '../../apps/api/src/seed/demo.js';
import { auditHash, type AuditRecord } from '../../apps/api/src/engine/audit.js';
import { insertAudit, selectActedEventTypes, selectChain, selectHistory } from '../../apps/api/src/engine/repositories/audit.js';
import {
  addParticipant,
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
import {
  OUTBOX_CHANNEL,
  insertOutbox,
  pruneOutbox,
  relayOutbox,
  selectTaskUserIds,
} from '../../apps/api/src/engine/repositories/outbox.js';
import { selectValidSessionByHash, selectValidSessionUser, sessionStillHolds } from '../../apps/api/src/engine/repositories/sessions.js';
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
    unitKeys: ['registrar@unit-a'],
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
function pending(id: string, expectedVersion: number, prevHash: string, opts: { tokenId?: string; clearance?: string } = {}) {
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
    unit_keys: ['registrar@unit-a', 'handler@dept-b'],
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
    clearance: opts.tokenId ? (opts.clearance ?? 'none') : null,
    authority: null,
    expected_xmin: null,
  };
  return { id, members: `${JSON.stringify(fields).slice(1, -1)},"snapshot":{"value":"open","context":{"n":${expectedVersion}}}` };
}

describe('documents repository', () => {
  it('reads a document only for a viewer the SQL filter lets see it, with its revision and audit head', async () => {
    const { id, head } = await seedDocument();
    const owner = { rank: 0, userId: u.secretary, poolKeys: [], unitKeys: [] };
    expect((await selectVisible(m, id, owner))?.id).toBe(id);
    expect(await selectVisible(m, id, { rank: 3, userId: u.reader, poolKeys: [], unitKeys: [] })).toBeUndefined();
    // a pool stage of its workflow, not of another one
    expect((await selectVisible(m, id, { rank: 0, userId: u.reader, poolKeys: ['repo-test:open'], unitKeys: [] }))?.id).toBe(id);
    expect(await selectVisible(m, id, { rank: 0, userId: u.reader, poolKeys: ['outgoing:open'], unitKeys: [] })).toBeUndefined();
    expect(await selectVisible(m, id, { rank: -1, userId: u.secretary, poolKeys: [], unitKeys: [] })).toBeUndefined();
    // one of its unit keys (the unit's registrar), not another unit's or another role's
    expect((await selectVisible(m, id, { rank: 0, userId: u.reader, poolKeys: [], unitKeys: ['registrar@unit-a'] }))?.id).toBe(id);
    expect(
      await selectVisible(m, id, { rank: 0, userId: u.reader, poolKeys: [], unitKeys: ['registrar@unit-b', 'handler@unit-a'] }),
    ).toBeUndefined();
    expect(await selectVisible(m, id, { rank: -1, userId: u.reader, poolKeys: [], unitKeys: ['registrar@unit-a'] })).toBeUndefined();
    expect(await selectVisible(m, randomUUID(), owner)).toBeUndefined();
    const read = await selectVisibleForTransition(m, id, owner);
    expect([read?.rev_content, read?.rev_hash, read?.audit_head_hash]).toEqual([{ title: '仓储测试' }, 'h1', head]);
    expect(await selectHead(m, id, 1, 1)).toEqual({ rev_content: { title: '仓储测试' }, rev_hash: 'h1', audit_head_hash: head });
    const secret = await seedDocument(2);
    expect(await selectVisible(m, secret.id, { rank: 1, userId: u.secretary, poolKeys: [], unitKeys: [] })).toBeUndefined();
    expect((await selectVisible(m, secret.id, { rank: 2, userId: u.secretary, poolKeys: [], unitKeys: [] }))?.id).toBe(secret.id);
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
    // the participants come back only when they are not the ones sent
    expect(wa).toMatchObject({ written: true, version: 2, participant_ids: null });
    expect((await selectRow(m, a.id))?.participant_ids).toEqual([u.secretary, u.secretary2]);
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
    // the unit keys follow the transition (written as decided), the refused ones keep theirs
    expect([(await selectRow(m, a.id))?.unit_keys, (await selectRow(m, b.id))?.unit_keys]).toEqual([
      ['registrar@unit-a', 'handler@dept-b'],
      ['registrar@unit-a'],
    ]);
    // an access grant since the read (no new version): merged in, and the merged participants come back
    const granted = await seedDocument();
    await addParticipant(m, granted.id, u.reader);
    const [wg] = await writeStatement(m, [pending(granted.id, 1, granted.head)]);
    expect(wg).toMatchObject({ written: true, version: 2, participant_ids: [u.secretary, u.reader, u.secretary2] });
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

describe('sessions repository', () => {
  /** A token of `user` (by username) with its hash; expired or revoked when asked. */
  async function token(user: string, opts: { expired?: boolean; revoked?: boolean } = {}): Promise<{ id: string; hash: string }> {
    const hash = `hash-${randomUUID()}`;
    const [{ id }] = await m.query(
      `INSERT INTO auth_tokens (user_id, kind, name, scope, token_hash, prefix, expires_at, revoked_at)
       VALUES ($1, 'session', NULL, 'full', $2, 'gws_test', now() + ($3 || ' hours')::interval, $4) RETURNING id`,
      [u[user], hash, opts.expired ? '-1' : '8', opts.revoked ? new Date() : null],
    );
    return { id, hash };
  }

  it('finds a valid session by its hash and by its id, and none that is revoked, expired or of an inactive user', async () => {
    const valid = await token('secretary');
    expect(await selectValidSessionByHash(m, valid.hash)).toMatchObject({
      token_id: valid.id,
      id: u.secretary,
      username: 'secretary',
      roles: ['secretary'],
      clearance: 'top_secret',
      scope: 'full',
      kind: 'session',
      active: true,
    });
    expect(await selectValidSessionUser(m, valid.id)).toMatchObject({ id: u.secretary, roles: ['secretary'] });
    for (const bad of [await token('secretary', { revoked: true }), await token('secretary', { expired: true })]) {
      expect(await selectValidSessionByHash(m, bad.hash)).toBeUndefined();
      expect(await selectValidSessionUser(m, bad.id)).toBeUndefined();
      expect(await sessionStillHolds(m, bad.id, ['secretary'], 'top_secret')).toBe(false);
    }
    expect(await selectValidSessionByHash(m, 'no-such-hash')).toBeUndefined();
    const inactive = await token('discussant2');
    await m.query(`UPDATE users SET active = false WHERE id = $1`, [u.discussant2]);
    try {
      expect(await selectValidSessionByHash(m, inactive.hash)).toBeUndefined();
      expect(await selectValidSessionUser(m, inactive.id)).toBeUndefined();
      expect(await sessionStillHolds(m, inactive.id, ['discussant'], 'confidential')).toBe(false);
    } finally {
      await m.query(`UPDATE users SET active = true WHERE id = $1`, [u.discussant2]);
    }
  });

  it('holds a stream only while the session is valid with the same roles and clearance', async () => {
    const s = await token('secretary');
    expect(await sessionStillHolds(m, s.id, ['secretary'], 'top_secret')).toBe(true);
    expect(await sessionStillHolds(m, s.id, ['secretary', 'chief'], 'top_secret')).toBe(false);
    expect(await sessionStillHolds(m, s.id, ['secretary'], 'secret')).toBe(false);
    await m.query(`UPDATE auth_tokens SET revoked_at = now() WHERE id = $1`, [s.id]);
    expect(await sessionStillHolds(m, s.id, ['secretary'], 'top_secret')).toBe(false);
  });

  it('the transition write re-checks a cached session by the same definition: written while valid, refused once revoked', async () => {
    const s = await token('secretary');
    const d = await seedDocument();
    const [w] = await writeStatement(m, [pending(d.id, 1, d.head, { tokenId: s.id, clearance: 'top_secret' })]);
    expect(w).toMatchObject({ written: true, version: 2 });
    const head = (await selectChain(m, d.id)).at(-1)!.hash;
    await m.query(`UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [s.id]);
    const [refused] = await writeStatement(m, [pending(d.id, 2, head, { tokenId: s.id, clearance: 'top_secret' })]);
    expect(refused).toMatchObject({ written: false, version: 2 });
  });

  it('is the one place that spells out what a valid session is', () => {
    const root = resolve(import.meta.dirname, '../../apps/api/src');
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) =>
        statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : [],
      );
    const spelled = files(root).filter((f) => /revoked_at IS NULL\s+AND\s+t?\.?expires_at\s*>\s*now\(\)/.test(readFileSync(f, 'utf8')));
    expect(spelled.map((f) => relative(root, f))).toEqual(['engine/repositories/sessions.ts']);
  });
});

describe('outbox repository', () => {
  let listener: pg.Client;
  const heard: Record<string, any>[] = [];
  beforeAll(async () => {
    listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', (n) => {
      if (n.channel === OUTBOX_CHANNEL && n.payload) heard.push(JSON.parse(n.payload));
    });
    await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
  });
  afterAll(async () => {
    await listener?.end();
  });
  const heardFor = async (documentId: string, count: number) => {
    for (let i = 0; i < 100 && heard.filter((n) => n.documentId === documentId).length < count; i++)
      await new Promise((r) => setTimeout(r, 20));
    return heard.filter((n) => n.documentId === documentId);
  };

  /** The rows' versions (xmin, ctid) and the relay's cursor, to see that relaying moves the cursor and writes no outbox row. */
  const versions = async (id: string) =>
    m.query(`SELECT xmin::text, ctid::text FROM outbox WHERE document_id = $1 ORDER BY tx, id`, [id]) as Promise<unknown[]>;
  const passed = async (id: string): Promise<boolean[]> =>
    (
      await m.query(
        `SELECT (o.tx, o.id) <= (r.cursor_tx, r.cursor_id) AS passed FROM outbox o, outbox_relay r WHERE o.document_id = $1 ORDER BY o.tx, o.id`,
        [id],
      )
    ).map((r: { passed: boolean }) => r.passed);
  /**
   * Relays until the cursor has passed every row of the document: a transaction of another test file's database
   * that ends while the relay reads the horizon holds it back for that batch (COMMIT_HORIZON keeps what it cannot
   * place).
   */
  const relayPast = async (id: string) => {
    for (let i = 0; i < 100 && (await passed(id)).includes(false); i++) {
      await relayOutbox(m, 500);
      if ((await passed(id)).includes(false)) await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('relays each unhandled row once: published with its users, roles and rank, the cursor moved past it, the row not written', async () => {
    const { id } = await seedDocument(2);
    await insertOutbox(m, id, 'document.transitioned', { event: 'NOTE', to: 'open', assigneeIds: [u.secretary], taskRoles: ['clerk'] });
    await insertOutbox(m, id, 'document.created', { event: null });
    const before = await versions(id);
    expect(await passed(id)).toEqual([false, false]);
    await relayPast(id);
    const mine = (await heardFor(id, 2)).sort((a, b) => a.id - b.id);
    expect(mine.map(({ id: _id, ...n }) => n)).toEqual([
      { documentId: id, topic: 'document.transitioned', event: 'NOTE', state: 'open', users: [u.secretary], roles: ['clerk'], rank: 2 },
      { documentId: id, topic: 'document.created', event: null, state: 'open', users: [], roles: [], rank: 2 },
    ]);
    expect(await passed(id)).toEqual([true, true]);
    expect(await versions(id)).toEqual(before);
    // nothing left: a second relay publishes nothing of it
    await relayOutbox(m, 500);
    await new Promise((r) => setTimeout(r, 100));
    expect(heard.filter((n) => n.documentId === id)).toHaveLength(2);
  });

  it("leaves the users out of a notification too large for NOTIFY, and they are read from the document's tasks", async () => {
    const { id } = await seedDocument();
    const many = Array.from({ length: 300 }, () => randomUUID());
    await insertOutbox(m, id, 'document.transitioned', { event: 'REGISTER', to: 'circulation', assigneeIds: many, taskRoles: [] });
    await relayPast(id);
    const [n] = await heardFor(id, 1);
    expect(n).toMatchObject({ documentId: id, users: [], truncated: true, state: 'circulation' });
    expect(await selectTaskUserIds(m, id)).toEqual([u.secretary]);
  });

  it('does nothing while another process holds the cursor (SKIP LOCKED), and relays once it is released', async () => {
    const { id } = await seedDocument();
    await insertOutbox(m, id, 'document.transitioned', { event: 'NOTE' });
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT 1 FROM outbox_relay FOR UPDATE`);
      expect(await relayOutbox(m, 500)).toBe(0);
      expect(await passed(id)).toEqual([false]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    await relayPast(id);
    expect(await passed(id)).toEqual([true]);
    expect(await heardFor(id, 1)).toHaveLength(1);
  });

  it("prunes rows older than a day that the relay's cursor has passed, in chunks, and keeps the rest", async () => {
    const { id } = await seedDocument();
    for (let i = 0; i < 5; i++) await insertOutbox(m, id, 'old', {});
    await insertOutbox(m, id, 'recent', {});
    await relayPast(id);
    // old too, but not relayed yet
    await insertOutbox(m, id, 'pending', {});
    await m.query(`UPDATE outbox SET created_at = now() - interval '2 days' WHERE document_id = $1 AND topic IN ('old', 'pending')`, [id]);
    await m.query(`UPDATE outbox SET created_at = now() - interval '1 hour' WHERE document_id = $1 AND topic = 'recent'`, [id]);
    expect(await pruneOutbox(db.dataSource, () => false, 2)).toBe(5);
    const left = await m.query(`SELECT topic FROM outbox WHERE document_id = $1 ORDER BY id`, [id]);
    expect(left.map((r: { topic: string }) => r.topic)).toEqual(['recent', 'pending']);
    // (the next test's relay passes 'pending': young again, it is not pruned there)
    await m.query(`UPDATE outbox SET created_at = now() WHERE document_id = $1`, [id]);
  });

  it("keeps old processed rows an active webhook subscription's cursor has not passed; a disabled one holds nothing back", async () => {
    const { id } = await seedDocument();
    for (let i = 0; i < 4; i++) await insertOutbox(m, id, 'old', {});
    await relayPast(id);
    await m.query(`UPDATE outbox SET created_at = now() - interval '2 days' WHERE document_id = $1`, [id]);
    const rows: { id: string; tx: string }[] = await m.query(`SELECT id, tx::text FROM outbox WHERE document_id = $1 ORDER BY tx, id`, [
      id,
    ]);
    const [{ id: owner }] = await m.query(`SELECT id FROM users ORDER BY username LIMIT 1`);
    // the cursor has passed the first two rows only
    const [{ id: sub }] = await m.query(
      `INSERT INTO webhook_subscriptions (owner_user_id, url, event_types, secrets, cursor_tx, cursor_id)
       VALUES ($1, 'https://example.org/hook', '{document.state_changed}', '[]', $2::xid8, $3) RETURNING id`,
      [owner, rows[1].tx, rows[1].id],
    );
    expect(await pruneOutbox(db.dataSource)).toBe(2);
    expect((await m.query(`SELECT id FROM outbox WHERE document_id = $1 ORDER BY tx, id`, [id])).map((r: { id: string }) => r.id)).toEqual([
      rows[2].id,
      rows[3].id,
    ]);
    await m.query(`UPDATE webhook_subscriptions SET active = false WHERE id = $1`, [sub]);
    expect(await pruneOutbox(db.dataSource)).toBe(2);
    await m.query(`DELETE FROM webhook_subscriptions WHERE id = $1`, [sub]);
  });
});

describe('one place for the SQL of each table family', () => {
  const root = resolve(import.meta.dirname, '../../apps/api/src');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));
  const sources = files(root).map((f) => ({ file: relative(root, f), text: readFileSync(f, 'utf8') }));

  it("writes documents, revisions, audit events, outbox rows and idempotency keys only in the engine's repositories", () => {
    const writers = (table: string) =>
      sources
        .filter((s) => new RegExp(`(INSERT INTO|UPDATE|DELETE FROM)\\s+${table}\\b`).test(s.text))
        .map((s) => s.file)
        .sort();
    expect({
      documents: writers('documents'),
      revisions: writers('revisions'),
      audit_events: writers('audit_events'),
      outbox: writers('outbox'),
      idempotency_keys: writers('idempotency_keys'),
    }).toEqual({
      documents: ['engine/repositories/documents.ts'],
      revisions: ['engine/repositories/documents.ts'],
      // (outbox-rebase.ts: the positions of a database restored into another cluster, once at start-up)
      audit_events: ['engine/repositories/audit.ts', 'engine/repositories/documents.ts', 'engine/repositories/outbox-rebase.ts'],
      outbox: ['engine/repositories/documents.ts', 'engine/repositories/outbox-rebase.ts', 'engine/repositories/outbox.ts'],
      idempotency_keys: ['engine/repositories/idempotency.ts'],
    });
  });

  it('reads the outbox only in its repository', () => {
    expect(sources.filter((s) => /FROM\s+outbox\b/.test(s.text)).map((s) => s.file)).toEqual([
      'engine/repositories/outbox-rebase.ts',
      'engine/repositories/outbox.ts',
    ]);
  });
});
