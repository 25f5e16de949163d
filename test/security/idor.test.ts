/**
 * Insecure direct object references (issue "[security]" point 6.4): every identifier a client can put in
 * a request — document ids, revision numbers, section ids, copy numbers (份号), export request ids, token
 * ids, idempotency keys, user ids — taken from a document (or user) the caller has no part in. Each must
 * answer 404 (or 403 where the document is visible but the action is not the caller's), never return or
 * change the other document's data.
 *
 * "Ours" is opened by `chief` (secretary drafts, signer signs, reader reads); "theirs" is opened by a
 * second chief, drafted by secretary2, signed by signer2 for the other issuing body, read by another reader.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, para, type Doc, type Ids } from '../support/flow.js';
import {
  ABSENT_UUID,
  DOCX_MIME,
  createUser,
  fillPath,
  fingerprint,
  isDocumentOp,
  normalised,
  ok,
  operations,
  sampleDocx,
  send,
  type Op,
  type Reply,
} from '../support/attack.js';

let t: TestApp;
let ids: Ids;
let ops: Op[];
let docx: Buffer;
const c = () => docClient(t);

const THEIR_TITLE = '关于乙方机密事项的通知';
const THEIR_TEXT = '乙方正文不得外泄';
let ours: Doc; // secret, circulation, 2 revisions, 5 copies
let theirs: Doc; // secret, circulation, 6 revisions, 8 copies, section "bsec"
let ourDraft: Doc; // drafting, section s1 by secretary
let theirDraft: Doc; // drafting, section "bsec" by secretary2, block "bp1"
let ourProof: Doc; // proofreading
let theirRequest: string; // a pending export request on theirs

/** Everything about "theirs" that must never move: its row, revisions, audit trail, copies, grants, export requests. */
async function theirState(id: string) {
  const q = (sql: string) => t.db.dataSource.query(sql, [id]);
  return {
    doc: await q(`SELECT state, version, current_revision, participant_ids, snapshot FROM documents WHERE id = $1`),
    revisions: await q(`SELECT number, hash FROM revisions WHERE document_id = $1 ORDER BY number`),
    audit: await q(`SELECT seq, hash FROM audit_events WHERE document_id = $1 ORDER BY seq`),
    copies: await q(`SELECT copy_number, status, recorded_by FROM document_copies WHERE document_id = $1 ORDER BY copy_number`),
    grants: await q(`SELECT user_id FROM document_grants WHERE document_id = $1 ORDER BY user_id`),
    exports: await q(`SELECT id, approved_by FROM export_approvals WHERE document_id = $1 ORDER BY id`),
  };
}

/** Nothing of "theirs" in a response. */
function noTheirData(r: Reply): boolean {
  return (
    !r.text.includes(THEIR_TITLE) &&
    !r.text.includes(THEIR_TEXT) &&
    !r.text.includes('乙方读者') &&
    !(theirs && r.text.replace(/"instance":"[^"]*"/, '').includes(theirs.id))
  );
}

beforeAll(async () => {
  t = await startTestApp();
  // authorisation is under test here, not HTTP: requests go through Fastify's inject (edge and fuzz tests keep real HTTP)
  t.transport = 'inject';
  await createUser(t, 'chief2', ['chief', 'secretary'], 'top_secret');
  await createUser(t, 'reader3', ['reader'], 'secret', { displayName: '乙方读者' });
  ids = await demoIds(t);
  ops = await operations(t);
  const { u, government } = ids;
  const cl = c();

  ours = await driveSimple(t, ids, 'circulation', '关于甲方秘密事项的通知', {
    extra: { classification: 'secret', secrecyPeriod: '1年' },
    readers: ['reader'],
  });
  docx = await sampleDocx(t, 'reader', ours.id);

  // theirs: another chief, drafter, signer (the other issuing body), reader; more revisions and more copies than ours
  let d = await cl.ok(
    cl.create('chief2', {
      kind: '通知',
      title: THEIR_TITLE,
      issuerUnitIds: [government],
      signers: [{ issuerUnitId: government, signerId: u.signer2 }],
      mainRecipients: ['区直各单位'],
      classification: 'secret',
      secrecyPeriod: '1年',
      sections: [{ id: 'bsec', title: '正文', drafterId: u.secretary2 }],
    }),
  );
  for (let i = 1; i <= 5; i++) await cl.ok(cl.section('secretary2', d.id, 'bsec', [para('bp1', `${THEIR_TEXT}（第${i}稿）`)]));
  await cl.ok(cl.event('secretary2', d.id, { type: 'SUBMIT_SECTION', sectionId: 'bsec' }));
  await cl.ok(cl.event('chief2', d.id, { type: 'START_CONSOLIDATION' }));
  await cl.ok(cl.event('chief2', d.id, { type: 'SKIP_DISCUSSION' }));
  await cl.ok(cl.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }));
  await cl.ok(cl.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }));
  await cl.ok(cl.event('signer2', d.id, { type: 'SIGN', issuerUnitId: government, opinion: '同意' }));
  d = await cl.ok(cl.event('clerk', d.id, { type: 'REGISTER', copies: 8, readerIds: [u.reader3] }));
  expect(d.state).toBe('circulation');
  expect(d.currentRevision.number).toBe(6);
  theirs = d;
  theirRequest = (await ok(send(t, 'POST', `/api/documents/${theirs.id}/export-requests`, { as: 'chief2', json: { purpose: '乙方汇编' } })))
    .id;

  ourDraft = await driveSimple(t, ids, 'drafting', '关于甲方起草事项的通知');
  theirDraft = await cl.ok(
    cl.create('chief2', {
      kind: '通知',
      title: THEIR_TITLE,
      issuerUnitIds: [ids.committee],
      signers: [{ issuerUnitId: ids.committee, signerId: u.signer }],
      mainRecipients: ['区直各单位'],
      sections: [{ id: 'bsec', title: '正文', drafterId: u.secretary2 }],
    }),
  );
  await cl.ok(cl.section('secretary2', theirDraft.id, 'bsec', [para('bp1', THEIR_TEXT)]));
  ourProof = await driveSimple(t, ids, 'proofreading', '关于甲方校对事项的通知');
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('direct object references into documents the caller has no part in', () => {
  const attackers = ['chief', 'secretary', 'signer', 'reader', 'discussant', 'reader2'];

  it('their document id on every document route: 404 ≡ a document that does not exist, for everyone without a part in it; nothing moves', async () => {
    const before = await theirState(theirs.id);
    const problems: string[] = [];
    for (const op of ops.filter(isDocumentOp)) {
      for (const user of attackers) {
        const params = { number: '1', sectionId: 'bsec', copyNumber: '000001', requestId: theirRequest };
        const q = op.id === 'diffRevisions' ? '?from=1&to=6' : '';
        const body = op.bodyTypes.includes(DOCX_MIME)
          ? { raw: docx, contentType: DOCX_MIME }
          : op.id === 'sendDocumentEvent'
            ? { json: { type: 'ACKNOWLEDGE' } }
            : op.id === 'grantAccess'
              ? { json: { userId: ids.u[user], reason: '越权' } }
              : op.write
                ? {
                    json:
                      op.id === 'recallCopy'
                        ? { disposition: 'destroyed' }
                        : op.id === 'requestExport'
                          ? { purpose: '越权' }
                          : op.id === 'editSection'
                            ? { blocks: [] }
                            : {},
                  }
                : {};
        const real = await send(t, op.method, fillPath(op.path, { ...params, id: theirs.id, documentId: theirs.id }) + q, {
          as: user,
          ...body,
        });
        const absent = await send(t, op.method, fillPath(op.path, { ...params, id: ABSENT_UUID, documentId: ABSENT_UUID }) + q, {
          as: user,
          ...body,
        });
        const label = `${user} ${op.method} ${op.path}`;
        if (real.status < 400 || real.status >= 500) problems.push(`${label} → ${real.status}`);
        if (normalised(real) !== normalised(absent))
          problems.push(`${label}: differs from a missing document (${real.status} vs ${absent.status})`);
        if (!noTheirData(real)) problems.push(`${label}: returned their data`);
      }
    }
    expect(problems.join('\n')).toBe('');
    expect(await theirState(theirs.id)).toEqual(before);
  });

  it('revision numbers that exist only in their document: 404 on ours (get, diff, DOCX), never their content', async () => {
    for (const n of [3, 4, 6]) {
      for (const path of [
        `/api/documents/${ours.id}/revisions/${n}`,
        `/api/documents/${ours.id}/diff?from=1&to=${n}`,
        `/api/documents/${ours.id}/diff?from=${n}&to=2`,
        `/api/documents/${ours.id}/docx?revision=${n}`,
      ]) {
        for (const user of ['chief', 'reader', 'clerk']) {
          const r = await send(t, 'GET', path, { as: user });
          expect({ path, user, status: r.status, clean: noTheirData(r) }).toEqual({ path, user, status: 404, clean: true });
        }
      }
    }
    // while their revision 6 does exist, for those with a part in it
    expect((await send(t, 'GET', `/api/documents/${theirs.id}/revisions/6`, { as: 'chief2' })).status).toBe(200);
  });

  it('copy numbers (份号): ours lists only what the caller may see; a number that exists only in theirs is 404 on ours and their copy stays issued', async () => {
    const before = await theirState(theirs.id);
    // a reader sees only their own numbered copy, never the other recipients
    const mine = await ok(send(t, 'GET', `/api/documents/${ours.id}/copies`, { as: 'reader' }));
    expect(mine.items.map((x: { copyNumber: string; recipientUserId: string }) => [x.copyNumber, x.recipientUserId])).toEqual([
      ['000001', ids.u.reader],
    ]);
    // the clerk records a recall on ours with a copy number only theirs has (ours has 5, theirs 8)
    for (const n of ['000006', '000008']) {
      const r = await send(t, 'POST', `/api/documents/${ours.id}/copies/${n}/recall`, {
        as: 'clerk',
        json: { disposition: 'destroyed', note: '越权销毁' },
      });
      expect({ n, status: r.status, clean: noTheirData(r) }).toEqual({ n, status: 404, clean: true });
    }
    // their reader cannot recall their own copy through our document, nor see ours
    expect(
      (await send(t, 'POST', `/api/documents/${ours.id}/copies/000001/recall`, { as: 'reader3', json: { disposition: 'returned' } }))
        .status,
    ).toBe(403);
    expect((await send(t, 'GET', `/api/documents/${ours.id}/copies`, { as: 'reader3' })).status).toBe(404);
    expect(await theirState(theirs.id)).toEqual(before);
  });

  it('export request ids: their request cannot be approved through our document; an approval on one document exports no other', async () => {
    const before = await theirState(theirs.id);
    // signer may approve exports of ours (a cleared leader with a part in it): not their request through our path
    const r = await send(t, 'POST', `/api/documents/${ours.id}/export-requests/${theirRequest}/approve`, { as: 'signer', json: {} });
    expect({ status: r.status, clean: noTheirData(r) }).toEqual({ status: 404, clean: true });
    expect(await theirState(theirs.id)).toEqual(before);
    // the chief gets an export of a second document of ours approved: it does not cover the first one
    const other = await driveSimple(t, ids, 'circulation', '关于甲方另一秘密事项的通知', {
      extra: { classification: 'secret', secrecyPeriod: '1年' },
      readers: ['reader'],
    });
    const req = (await ok(send(t, 'POST', `/api/documents/${other.id}/export-requests`, { as: 'chief', json: { purpose: '汇编' } }))).id;
    expect((await send(t, 'POST', `/api/documents/${other.id}/export-requests/${req}/approve`, { as: 'signer', json: {} })).status).toBe(
      201,
    );
    expect((await send(t, 'GET', `/api/documents/${other.id}/docx`, { as: 'chief' })).status).toBe(200);
    const first = await send(t, 'GET', `/api/documents/${ours.id}/docx`, { as: 'chief' });
    expect({ status: first.status, code: first.body?.code }).toEqual({ status: 403, code: 'EXPORT_APPROVAL_REQUIRED' });
    // and an approved request id of one document is no approval when replayed on another
    expect((await send(t, 'POST', `/api/documents/${ours.id}/export-requests/${req}/approve`, { as: 'signer', json: {} })).status).toBe(
      404,
    );
  });

  it('section ids that exist only in their document: 404 on ours (PUT section, PUT section import, PUT content); their section untouched', async () => {
    const before = await theirState(theirDraft.id);
    const edit = await send(t, 'PUT', `/api/documents/${ourDraft.id}/sections/bsec`, {
      as: 'secretary',
      json: { blocks: [para('bp1', '覆盖乙方')] },
    });
    expect({ status: edit.status, clean: noTheirData(edit) }).toEqual({ status: 404, clean: true });
    const imported = await send(t, 'PUT', `/api/documents/${ourDraft.id}/sections/bsec/import`, {
      as: 'secretary',
      raw: docx,
      contentType: DOCX_MIME,
    });
    expect({ status: imported.status, clean: noTheirData(imported) }).toEqual({ status: 404, clean: true });
    const content = await send(t, 'PUT', `/api/documents/${ourProof.id}/content`, {
      as: 'chief',
      json: { sections: [{ id: 'bsec', blocks: [para('bp1', '覆盖乙方')] }] },
    });
    expect({ status: content.status, clean: noTheirData(content) }).toEqual({ status: 404, clean: true });
    // their drafter, visible on their draft only, cannot reach their section through ours either
    expect((await send(t, 'PUT', `/api/documents/${ourDraft.id}/sections/bsec`, { as: 'secretary2', json: { blocks: [] } })).status).toBe(
      404,
    );
    // an event naming their section is refused on ours
    const submit = await send(t, 'POST', `/api/documents/${ourDraft.id}/events`, {
      as: 'secretary',
      json: { type: 'SUBMIT_SECTION', sectionId: 'bsec' },
    });
    expect({ refused: submit.status >= 400 && submit.status < 500, clean: noTheirData(submit) }).toEqual({ refused: true, clean: true });
    // a proofreading mark naming their block id stays a mark on ours (block ids are names local to a document)
    const mark = await send(t, 'POST', `/api/documents/${ourProof.id}/events`, {
      as: 'proofreader',
      json: { type: 'ADD_MARK', blockId: 'bp1', start: 0, end: 2, kind: 'typo', comment: '乙方块' },
    });
    expect({ below500: mark.status < 500, clean: noTheirData(mark) }).toEqual({ below500: true, clean: true });
    expect(await theirState(theirDraft.id)).toEqual(before);
  });

  it('a document opened by another chief: no grants, no withdrawal, no export request through it', async () => {
    const before = await theirState(theirDraft.id);
    for (const [path, json] of [
      [`/api/documents/${theirDraft.id}/grants`, { userId: ids.u.chief, reason: '自我授权' }],
      [`/api/documents/${theirDraft.id}/events`, { type: 'WITHDRAW', reason: '越权撤回' }],
      [`/api/documents/${theirDraft.id}/export-requests`, { purpose: '越权' }],
    ] as const) {
      const r = await send(t, 'POST', path, { as: 'chief', json });
      expect({ path, status: r.status, clean: noTheirData(r) }).toEqual({ path, status: 404, clean: true });
    }
    expect(await theirState(theirDraft.id)).toEqual(before);
    expect((await send(t, 'GET', `/api/documents/${theirDraft.id}`, { as: 'chief' })).status).toBe(404);
  });
});

describe('direct object references to other users', () => {
  it("another user's API token id: 404 on revoke, and the token keeps working", async () => {
    const theirs = await ok(send(t, 'POST', '/api/auth/tokens', { as: 'reader3', json: { name: '乙方令牌', scope: 'read' } }));
    for (const user of ['chief', 'admin', 'reader']) {
      const r = await send(t, 'DELETE', `/api/auth/tokens/${theirs.id}`, { as: user });
      expect({ user, status: r.status }).toEqual({ user, status: 404 });
      expect((await send(t, 'GET', '/api/auth/tokens', { as: user })).text).not.toContain(theirs.id);
    }
    expect((await send(t, 'GET', '/api/auth/me', { bearer: theirs.token })).status).toBe(200);
  });

  it("idempotency keys are per user: someone else's key never replays their stored answer", async () => {
    const key = 'shared-key-0001';
    const first = await send(t, 'POST', `/api/documents/${theirs.id}/events`, {
      as: 'reader3',
      json: { type: 'OPEN' },
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(200);
    // an outsider sending the very same request and key: the document does not exist for them
    const outsider = await send(t, 'POST', `/api/documents/${theirs.id}/events`, {
      as: 'reader',
      json: { type: 'OPEN' },
      headers: { 'idempotency-key': key },
    });
    expect({ status: outsider.status, replayed: outsider.headers.get('idempotent-replayed'), clean: noTheirData(outsider) }).toEqual({
      status: 404,
      replayed: null,
      clean: true,
    });
    // a participant sending it: judged as their own request (a clerk may not OPEN), not a replay of the reader's
    const participant = await send(t, 'POST', `/api/documents/${theirs.id}/events`, {
      as: 'clerk',
      json: { type: 'OPEN' },
      headers: { 'idempotency-key': key },
    });
    expect({ status: participant.status, replayed: participant.headers.get('idempotent-replayed') }).toEqual({
      status: 403,
      replayed: null,
    });
  });

  it('user ids in workflow events must name users who may take that part (as when the document is opened)', async () => {
    const d = await driveSimple(t, ids, 'drafting', '关于增加章节的秘密通知', {
      extra: { classification: 'secret', secrecyPeriod: '1年' },
    });
    const before = await fingerprint(t, ['document_access_log', 'archive_files']);
    // opening a document refuses drafters who are not active secretaries cleared for it; adding a section must too
    const refusedAtCreate = await send(t, 'POST', '/api/documents', {
      as: 'chief',
      json: {
        kind: '通知',
        title: '关于秘密事项的通知',
        issuerUnitIds: [ids.committee],
        signers: [{ issuerUnitId: ids.committee, signerId: ids.u.signer }],
        classification: 'secret',
        secrecyPeriod: '1年',
        sections: [{ title: '正文', drafterId: ids.u.reader2 }],
      },
    });
    expect(refusedAtCreate.status).toBe(400);
    const results: Record<string, number> = {};
    for (const [who, drafterId] of [
      ['reader2 (no secretary role, not cleared)', ids.u.reader2],
      ['admin', ids.u.admin],
      ['a user that does not exist', ABSENT_UUID],
    ] as const) {
      results[who] = (
        await send(t, 'POST', `/api/documents/${d.id}/events`, { as: 'chief', json: { type: 'ADD_SECTION', title: '保障措施', drafterId } })
      ).status;
    }
    expect(results).toEqual({ 'reader2 (no secretary role, not cleared)': 400, admin: 400, 'a user that does not exist': 400 });
    expect(await fingerprint(t, ['document_access_log', 'archive_files'])).toEqual(before);
  });

  it('invitees, readers and reminders that are not cleared for, or not part of, the document are refused', async () => {
    const cl = c();
    let d = await driveSimple(t, ids, 'consolidation', '关于讨论名单的秘密通知', {
      extra: { classification: 'secret', secrecyPeriod: '1年' },
    });
    const invite = await cl.event('chief', d.id, { type: 'START_DISCUSSION', invitees: [ids.u.discussant2], requireAll: false });
    expect({ status: invite.status, code: invite.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    d = await driveSimple(t, ids, 'registration', '关于登记名单的秘密通知', { extra: { classification: 'secret', secrecyPeriod: '1年' } });
    for (const readerIds of [[ids.u.reader2], [ids.u.secretary], [ABSENT_UUID]]) {
      const r = await cl.event('clerk', d.id, { type: 'REGISTER', copies: 2, readerIds });
      expect({ readerIds, status: r.status }).toEqual({ readerIds, status: 400 });
    }
    const circ = await cl.ok(cl.event('clerk', d.id, { type: 'REGISTER', copies: 2, readerIds: [ids.u.reader] }));
    const remind = await cl.event('clerk', circ.id, { type: 'REMIND', readerIds: [ids.u.reader3] });
    expect(remind.status).toBeGreaterThanOrEqual(400);
    expect(remind.status).toBeLessThan(500);
    // a signer of the other issuing body cannot sign ours, nor sign on behalf of a body that is not on it
    const signing = await driveSimple(t, ids, 'signing', '关于签发范围的通知');
    expect((await cl.event('signer2', signing.id, { type: 'SIGN', issuerUnitId: ids.committee })).status).toBe(404);
    const wrongBody = await cl.event('signer', signing.id, { type: 'SIGN', issuerUnitId: ids.government });
    expect([403, 422]).toContain(wrongBody.status);
    expect((await cl.get('chief', signing.id)).body.state).toBe('signing');
  });
});
