/**
 * Delegation (委托/代签), end to end over HTTP on the real database: a leader delegates signing to a deputy of his
 * office for a period; the deputy sees the leader's signing task, signs on his behalf within the leader's authority
 * (not his own); the signature, the history, the processing sheet and the verified chain show both people; after
 * the period or a revocation the deputy cannot; a deputy without clearance for a 机密 document still gets 404;
 * chains, overlaps, other offices and over-long periods are refused with stable codes; an administrator may
 * delegate for an absent leader, in the admin audit chain.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { createUser, ok, send } from '../support/attack.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';
import { ALL_CHECKS, incomingClient, uploadExternal } from '../incoming/support.js';

let t: TestApp;
let ids: Ids;
/** 吴书记's deputy: a signer of the same office (区委领导) with a narrow authority of his own, cleared to 秘密 only. */
let deputy: string;
/** Another colleague of the office (for overlaps and chains). */
let colleague: string;

const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString();
const c = () => docClient(t);

async function delegate(as: string, body: Record<string, unknown>) {
  return send(t, 'POST', '/api/delegations', { as, json: { reason: '外出学习', endsAt: inDays(7), ...body } });
}

beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
  const [{ id: leadership }] = await t.db.dataSource.query(`SELECT id FROM units WHERE name = '区委领导'`);
  deputy = await createUser(t, 'deputy', ['signer'], 'confidential', {
    unitId: leadership,
    // his own authority: the government office's 通报 only — nothing the committee's documents need
    authority: { issuerUnitIds: [ids.government], kinds: ['通报'], maxClassification: 'none' },
  });
  colleague = await createUser(t, 'colleague', ['signer', 'reader'], 'secret', {
    unitId: leadership,
    authority: { issuerUnitIds: [ids.committee], kinds: [], maxClassification: 'secret' },
  });
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('delegating signing (委托签发)', () => {
  let delegationId: string;

  it('the leader delegates signing to a deputy of his office for a period', async () => {
    const r = await delegate('signer', { deputyId: deputy, scopes: ['sign'] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      principal: { id: ids.u.signer, name: '吴书记' },
      deputy: { id: deputy, name: '测试deputy' },
      scopes: ['sign'],
      status: 'active',
      reason: '外出学习',
    });
    delegationId = r.body.id;
    const mine = await ok(send(t, 'GET', '/api/delegations', { as: 'signer' }));
    expect(mine.given.map((g: { id: string }) => g.id)).toContain(delegationId);
    const theirs = await ok(send(t, 'GET', '/api/delegations', { as: 'deputy' }));
    expect(theirs.received.map((g: { id: string }) => g.id)).toContain(delegationId);
  });

  it("the deputy sees the leader's signing task and signs on his behalf, within the leader's authority", async () => {
    const doc = await driveSimple(t, ids, 'signing', '关于做好防汛工作的通知');
    // in his inbox, as the leader's task
    const inbox = await ok(send(t, 'GET', '/api/documents?mine=tasks', { as: 'deputy' }));
    const item = inbox.items.find((i: { id: string }) => i.id === doc.id);
    expect(item).toMatchObject({ myTask: 'sign', onBehalfOf: ids.u.signer });
    // the document offers him SIGN for the leader only
    const view = (await c().get('deputy', doc.id)).body;
    expect(view.allowedEvents.map((e: { type: string }) => e.type)).not.toContain('SIGN');
    expect(view.actingFor).toEqual([
      expect.objectContaining({
        principalId: ids.u.signer,
        allowedEvents: expect.arrayContaining([expect.objectContaining({ type: 'SIGN' })]),
      }),
    ]);
    // for himself he may not sign (he is no signer of this document, and his own authority does not reach it)
    const own = await c().event('deputy', doc.id, { type: 'SIGN', issuerUnitId: ids.committee });
    expect(own.status).toBe(403);
    // for the leader: the leader's slot and authority
    const signed = await c().event('deputy', doc.id, {
      type: 'SIGN',
      issuerUnitId: ids.committee,
      opinion: '同意',
      onBehalfOf: ids.u.signer,
    });
    expect(signed.status).toBe(200);
    expect(signed.body.state).toBe('registration');
    expect(signed.body.signatures).toEqual([
      expect.objectContaining({ issuerUnitId: ids.committee, signerId: ids.u.signer, signedBy: deputy, opinion: '同意' }),
    ]);
    // the history: actor = the deputy, on behalf of the leader
    const history = await ok(send(t, 'GET', `/api/documents/${doc.id}/history`, { as: 'signer' }));
    const sign = history.items.find((e: { eventType: string }) => e.eventType === 'SIGN');
    expect(sign.actor.id).toBe(deputy);
    expect(sign.onBehalfOf).toMatchObject({ id: ids.u.signer, displayName: '吴书记' });
    // the stored event carries both, inside the hash chain, and the chain verifies
    const [stored] = await t.db.dataSource.query(
      `SELECT actor_id, payload #> '{event,actor,onBehalfOf}' AS obo FROM audit_events WHERE document_id = $1 AND event_type = 'SIGN'`,
      [doc.id],
    );
    expect(stored.actor_id).toBe(deputy);
    expect(stored.obo).toMatchObject({ userId: ids.u.signer, scopes: ['sign'] });
    // the Ed25519 signature is the deputy's, with his own key, in the leader's slot
    const [sig] = await t.db.dataSource.query(
      `SELECT s.signer_id, s.signed_by, k.user_id AS key_user FROM signatures s JOIN signing_keys k ON k.id = s.key_id WHERE s.document_id = $1`,
      [doc.id],
    );
    expect(sig).toEqual({ signer_id: ids.u.signer, signed_by: deputy, key_user: deputy });
    const verified = await ok(send(t, 'GET', `/api/documents/${doc.id}/verify`, { as: 'signer' }));
    expect(verified.firstBroken).toBeNull();
    expect(verified.ok).toBe(true);
    // the processing sheet (发文稿纸) names him as offices write it
    const sheet = await ok(send(t, 'GET', `/api/documents/${doc.id}/processing-sheet`, { as: 'signer' }));
    expect(JSON.stringify(sheet.lines)).toContain('测试deputy（代 吴书记）');
    // and the leader sees what was done on his behalf
    const actions = await ok(send(t, 'GET', '/api/delegations/actions', { as: 'signer' }));
    expect(actions.items[0]).toMatchObject({
      documentId: doc.id,
      title: '关于做好防汛工作的通知',
      eventType: 'SIGN',
      deputy: { id: deputy },
    });
  });

  it('a deputy without clearance for a 机密 document gets 404, as for a document that does not exist', async () => {
    const secret = await driveSimple(t, ids, 'signing', '关于机密事项的通知', {
      extra: { classification: 'secret', secrecyPeriod: '10年' },
    });
    const absent = '7f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
    const hidden = await c().get('deputy', secret.id);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe((await c().get('deputy', absent)).body.code);
    const sent = await c().event('deputy', secret.id, { type: 'SIGN', issuerUnitId: ids.committee, onBehalfOf: ids.u.signer });
    expect(sent.status).toBe(404);
    const inbox = await ok(send(t, 'GET', '/api/documents?mine=tasks', { as: 'deputy' }));
    expect(inbox.items.map((i: { id: string }) => i.id)).not.toContain(secret.id);
    // the leader himself still signs it
    expect((await c().event('signer', secret.id, { type: 'SIGN', issuerUnitId: ids.committee })).status).toBe(200);
  });

  it('refuses a chain, an overlap, another office, an over-long period and acting for someone who delegated nothing', async () => {
    // the deputy holds signing by delegation: he cannot pass it on
    const chain = await delegate('deputy', { deputyId: colleague, scopes: ['sign'] });
    expect([chain.status, chain.body.code]).toEqual([409, 'DELEGATION_CHAIN']);
    // the leader has delegated signing for this period already
    const overlap = await delegate('signer', { deputyId: colleague, scopes: ['sign'], startsAt: inDays(3), endsAt: inDays(10) });
    expect([overlap.status, overlap.body.code]).toEqual([409, 'DELEGATION_OVERLAP']);
    // 陈局长 is of another office (区发展和改革局)
    const other = await delegate('signer', { deputyId: ids.u.reader, scopes: ['read'] });
    expect([other.status, other.body.code]).toEqual([422, 'DELEGATE_INVALID']);
    const long = await delegate('signer', { deputyId: colleague, scopes: ['read'], startsAt: inDays(8), endsAt: inDays(8 + 91) });
    expect([long.status, long.body.code]).toEqual([422, 'DELEGATION_PERIOD']);
    const bad = await delegate('signer', { deputyId: colleague, scopes: ['sign', 'admin'] });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    // a reader has no signing to hand over
    const scope = await delegate('reader', { deputyId: ids.u.reader2, scopes: ['sign'] });
    expect(scope.status).toBe(422);
    // nobody delegated to the colleague: he cannot act for the leader
    const doc = await driveSimple(t, ids, 'signing', '关于无委托代签的通知');
    const none = await c().event('colleague', doc.id, { type: 'SIGN', issuerUnitId: ids.committee, onBehalfOf: ids.u.signer });
    expect([none.status, none.body.code]).toEqual([403, 'DELEGATION_NOT_ACTIVE']);
    // none of the refused delegations was written
    const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM delegations WHERE principal_id = $1`, [ids.u.signer]);
    expect(n).toBe(1);
  });

  it('after a revocation, and after the period, the deputy cannot', async () => {
    const doc = await driveSimple(t, ids, 'signing', '关于撤销委托后的通知');
    expect((await c().get('deputy', doc.id)).status).toBe(200);
    const revoked = await ok(send(t, 'POST', `/api/delegations/${delegationId}/revoke`, { as: 'signer', json: { reason: '提前返岗' } }));
    expect(revoked).toMatchObject({ status: 'revoked', revokeReason: '提前返岗', revokedBy: ids.u.signer });
    expect((await c().get('deputy', doc.id)).status).toBe(404);
    const after = await c().event('deputy', doc.id, { type: 'SIGN', issuerUnitId: ids.committee, onBehalfOf: ids.u.signer });
    expect([after.status, after.body.code]).toEqual([403, 'DELEGATION_NOT_ACTIVE']);
    const again = await send(t, 'POST', `/api/delegations/${delegationId}/revoke`, { as: 'signer', json: {} });
    expect([again.status, again.body.code]).toEqual([409, 'DELEGATION_ENDED']);
    // someone else's delegation is not there for an outsider
    expect((await send(t, 'POST', `/api/delegations/${delegationId}/revoke`, { as: 'reader', json: {} })).status).toBe(404);

    // a new delegation (no longer overlapping a live one), then its period passes
    const fresh = await ok(delegate('signer', { deputyId: deputy, scopes: ['sign'], reason: '出差' }));
    expect((await c().get('deputy', doc.id)).status).toBe(200);
    await t.db.dataSource.query(
      `UPDATE delegations SET starts_at = now() - interval '3 days', ends_at = now() - interval '1 second' WHERE id = $1`,
      [fresh.id],
    );
    expect((await c().get('deputy', doc.id)).status).toBe(404);
    const late = await c().event('deputy', doc.id, { type: 'SIGN', issuerUnitId: ids.committee, onBehalfOf: ids.u.signer });
    expect([late.status, late.body.code]).toEqual([403, 'DELEGATION_NOT_ACTIVE']);
    const list = await ok(send(t, 'GET', '/api/delegations', { as: 'signer' }));
    expect(list.given.map((g: { status: string }) => g.status).sort()).toEqual(['ended', 'revoked']);
  });

  it('an administrator delegates for an absent leader, recorded in the admin audit chain; only he may name someone else', async () => {
    const forOther = await delegate('colleague', { principalId: ids.u.signer, deputyId: deputy, scopes: ['sign'] });
    expect([forOther.status, forOther.body.code]).toEqual([403, 'FORBIDDEN']);
    const made = await ok(delegate('admin', { principalId: ids.u.signer, deputyId: deputy, scopes: ['sign'], reason: '住院' }));
    expect(made).toMatchObject({ principal: { id: ids.u.signer }, createdBy: ids.u.admin, scopes: ['sign'] });
    const audit = await ok(send(t, 'GET', '/api/admin/audit', { as: 'admin' }));
    const entry = audit.items.find((e: { action: string }) => e.action === 'delegation.created');
    expect(entry).toMatchObject({
      targetUserId: ids.u.signer,
      detail: expect.objectContaining({ delegationId: made.id, deputyId: deputy }),
    });
    expect((await ok(send(t, 'GET', '/api/admin/audit/verify', { as: 'admin' }))).ok).toBe(true);
  });
});

describe('reading on behalf (代阅) of an incoming item', () => {
  it("a leader's deputy reads the item in circulation for him; the reader's row and the history show both", async () => {
    const inc = incomingClient(t);
    const up = await uploadExternal(t, 'fgw_registrar', {
      title: '关于报送防汛物资储备情况的函',
      kind: '函',
      senderName: '市应急管理局',
      senderNumber: '市应急函〔2026〕8号',
      medium: 'paper',
    });
    expect(up.status).toBe(201);
    const id = up.body.id;
    await inc.ok(inc.event('fgw_registrar', id, { type: 'REGISTER', fields: { pages: 2 } }));
    const checked = await inc.ok(
      inc.event('fgw_registrar', id, { type: 'PASS_CHECK', checks: ALL_CHECKS, route: 'information', readerIds: [ids.u.fgw_leader] }),
    );
    expect(checked.state).toBe('circulation');
    // before any delegation the handler does not see it
    expect((await inc.get('fgw_handler', id)).status).toBe(404);
    // 郑副局长 hands his reading to 林科员 (of 发改局综合科, inside his office)
    await ok(
      send(t, 'POST', '/api/delegations', {
        as: 'fgw_leader',
        json: { deputyId: ids.u.fgw_handler, scopes: ['read'], endsAt: inDays(3), reason: '下乡调研' },
      }),
    );
    expect((await inc.get('fgw_handler', id)).status).toBe(200);
    const read = await inc.ok(inc.event('fgw_handler', id, { type: 'READ', opinion: '已阅，请按规定报送', onBehalfOf: ids.u.fgw_leader }));
    expect(read.circulation.readers).toEqual([
      expect.objectContaining({ userId: ids.u.fgw_leader, readBy: ids.u.fgw_handler, opinion: '已阅，请按规定报送' }),
    ]);
    const history = await ok(send(t, 'GET', `/api/incoming/${id}/history`, { as: 'fgw_registrar' }));
    const ev = history.items.find((e: { eventType: string }) => e.eventType === 'READ');
    expect([ev.actor.id, ev.onBehalfOf?.id]).toEqual([ids.u.fgw_handler, ids.u.fgw_leader]);
    expect((await ok(send(t, 'GET', `/api/incoming/${id}/verify`, { as: 'fgw_registrar' }))).ok).toBe(true);
    // a signing delegation does not cover reading, and nothing else is delegable
    const regs = await inc.event('fgw_handler', id, { type: 'CLOSE_CIRCULATION', onBehalfOf: ids.u.fgw_leader });
    expect(regs.status).toBe(403);
  });
});
