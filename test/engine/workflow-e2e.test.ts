import { startTestApp, tableCounts, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, para, type Doc, type Ids } from '../support/flow.js';
import { waitPrepared } from '../archive/helpers.js';
import { officeDate } from '../../libs/document/src/date-of-issue.js';

let t: TestApp;
let ids: Ids;
let c: ReturnType<typeof docClient>;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
  c = docClient(t);
});
afterAll(async () => {
  await t?.close();
});

describe('a joint 请示 with three sections through every stage', () => {
  it('goes from drafting to archived, loops back from discussion and from proofreading, and its chain verifies', async () => {
    const { u, committee, government } = ids;
    let d: Doc = await c.ok(
      c.create('chief', {
        kind: '请示',
        title: '关于联合开展城乡环境综合整治行动的请示',
        issuerUnitIds: [committee, government],
        signers: [
          { issuerUnitId: committee, signerId: u.signer },
          { issuerUnitId: government, signerId: u.signer2 },
        ],
        mainRecipients: ['中共××市委', '××市人民政府'],
        copiesTo: ['市委办公室'],
        major: true,
        sections: [
          { id: 'bg', title: '背景', drafterId: u.secretary },
          { id: 'plan', title: '措施', drafterId: u.secretary2 },
          { id: 'ask', title: '请示事项', drafterId: u.secretary },
        ],
      }),
    );
    expect(d.state).toBe('drafting');
    expect(d.allowedEvents.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['ADD_SECTION', 'WITHDRAW']));
    // allowedEvents are only what may be POSTed to /events; the editors come as allowedEdits with their endpoint
    expect(d.allowedEvents.map((e: { type: string }) => e.type)).not.toContain('EDIT_SECTION');
    expect(d.allowedEdits).toEqual([]); // the chief drafts no section
    const secretaryView = (await c.get('secretary', d.id)).body;
    expect(secretaryView.allowedEvents.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['SUBMIT_SECTION']));
    expect(
      secretaryView.allowedEvents.every(
        (e: { type: string; payloadSchema: unknown }) => e.type !== 'EDIT_SECTION' && e.type !== 'EDIT_CONTENT' && e.payloadSchema,
      ),
    ).toBe(true);
    expect(secretaryView.allowedEdits).toEqual([
      { type: 'EDIT_SECTION', method: 'PUT', path: `/api/documents/${d.id}/sections/{sectionId}`, sectionIds: ['bg', 'ask'] },
    ]);
    expect((await c.get('secretary2', d.id)).body.allowedEdits).toEqual([
      { type: 'EDIT_SECTION', method: 'PUT', path: `/api/documents/${d.id}/sections/{sectionId}`, sectionIds: ['plan'] },
    ]);

    // drafting gate: consolidation cannot start before every section is submitted
    const early = await c.event('chief', d.id, { type: 'START_CONSOLIDATION' });
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('GATE_FAILED');
    expect(early.body.gate).toBe('drafting');
    expect(early.body.conditions.map((x: { code: string }) => x.code)).toContain('SECTION_NOT_SUBMITTED');

    // another drafter's section is not mine: 403
    expect((await c.section('secretary2', d.id, 'bg', [para('x', '越权')])).status).toBe(403);

    await c.ok(c.section('secretary', d.id, 'bg', [para('bg1', '为深入贯彻落实上级关于改善人居环境的部署。')]));
    await c.ok(
      c.section('secretary2', d.id, 'plan', [
        { id: 'h1', type: 'heading', level: 1, text: '主要措施' },
        para('pl1', '开展集中整治，建立长效机制。'),
      ]),
    );
    await c.ok(c.section('secretary', d.id, 'ask', [para('as1', '妥否，请批示。')]));
    for (const [who, s] of [
      ['secretary', 'bg'],
      ['secretary2', 'plan'],
      ['secretary', 'ask'],
    ] as const) {
      d = await c.ok(c.event(who, d.id, { type: 'SUBMIT_SECTION', sectionId: s }));
    }
    d = await c.ok(c.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
    expect(d.state).toBe('consolidation');
    expect(d.allowedEdits).toEqual([{ type: 'EDIT_CONTENT', method: 'PUT', path: `/api/documents/${d.id}/content` }]);
    d = await c.ok(
      c.content('chief', d.id, {
        sections: [
          {
            id: 'plan',
            blocks: [{ id: 'h1', type: 'heading', level: 1, text: '主要措施' }, para('pl1', '开展集中整治行动，建立长效管护机制。')],
          },
        ],
      }),
    );
    expect(d.currentRevision.number).toBe(5);

    // a major document cannot skip the discussion
    const skip = await c.event('chief', d.id, { type: 'SKIP_DISCUSSION' });
    expect(skip.status).toBe(422);
    expect(skip.body.conditions[0].code).toBe('MAJOR_REQUIRES_DISCUSSION');

    d = await c.ok(c.event('chief', d.id, { type: 'START_DISCUSSION', invitees: [u.discussant, u.discussant2], requireAll: true }));
    const tooSoon = await c.event('chief', d.id, { type: 'CLOSE_DISCUSSION', decision: 'accept' });
    expect(tooSoon.status).toBe(422);
    expect(tooSoon.body.conditions.map((x: { code: string }) => x.code)).toContain('INVITEE_NOT_RESPONDED');
    expect((await c.event('discussant', d.id, { type: 'CLOSE_DISCUSSION', decision: 'accept' })).status).toBe(403);
    await c.ok(c.event('discussant', d.id, { type: 'COMMENT', position: 'object', text: '措施部分需细化。' }));
    await c.ok(c.event('discussant2', d.id, { type: 'COMMENT', position: 'agree_with_changes', text: '建议补充时间安排。' }));
    // a backward move needs a reason
    const noReason = await c.event('chief', d.id, { type: 'CLOSE_DISCUSSION', decision: 'revise' });
    expect(noReason.status).toBe(422);
    d = await c.ok(c.event('chief', d.id, { type: 'CLOSE_DISCUSSION', decision: 'revise', reason: '按讨论意见细化措施' }));
    expect(d.state).toBe('consolidation');

    d = await c.ok(
      c.content('chief', d.id, {
        sections: [
          {
            id: 'plan',
            blocks: [
              { id: 'h1', type: 'heading', level: 1, text: '主要措施' },
              para('pl1', '2026年12月底前开展集中整治行动，建立长效管护机制。'),
            ],
          },
        ],
      }),
    );
    d = await c.ok(c.event('chief', d.id, { type: 'START_DISCUSSION', invitees: [u.discussant], requireAll: true }));
    await c.ok(c.event('discussant', d.id, { type: 'COMMENT', position: 'agree', text: '同意。' }));
    d = await c.ok(c.event('chief', d.id, { type: 'CLOSE_DISCUSSION', decision: 'accept' }));
    expect(d.state).toBe('proofreading');

    // proofreading: a drafter cannot proofread (secretary has no proofreader role anyway); the proofreader marks
    d = await c.ok(
      c.event('proofreader', d.id, { type: 'ADD_MARK', blockId: 'as1', start: 0, end: 2, kind: 'wording', comment: '“妥否”后应为逗号' }),
    );
    const markId = d.marks[0].id;
    const blocked = await c.event('proofreader', d.id, { type: 'PASS_PROOFREADING' });
    expect(blocked.status).toBe(422);
    expect(blocked.body.conditions.map((x: { code: string }) => x.code)).toContain('OPEN_MARKS');
    d = await c.ok(c.event('proofreader', d.id, { type: 'RETURN', reason: '措施部分格式需统一' }));
    expect(d.state).toBe('consolidation');
    d = await c.ok(c.event('chief', d.id, { type: 'START_DISCUSSION', invitees: [u.discussant], requireAll: false }));
    d = await c.ok(c.event('chief', d.id, { type: 'CLOSE_DISCUSSION', decision: 'accept' }));
    d = await c.ok(
      c.content('chief', d.id, { sections: [{ id: 'ask', blocks: [para('as1', '以上请示妥否，请批示。')] }], resolvesMarks: [markId] }),
    );
    expect(d.marks[0].status).toBe('resolved');
    d = await c.ok(c.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }));
    expect(d.state).toBe('review');

    // review: the five checks
    const partial = await c.event('reviewer', d.id, { type: 'REVIEW', checks: [{ item: 1, passed: true }] });
    expect(partial.status).toBe(422);
    d = await c.ok(
      c.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true, comment: '符合' })) }),
    );
    expect(d.state).toBe('signing');

    // joint signing: signer2 cannot sign for the committee (not the designated signer / outside authority)
    const wrong = await c.event('signer2', d.id, { type: 'SIGN', issuerUnitId: committee });
    expect([403, 422]).toContain(wrong.status);
    d = await c.ok(c.event('signer', d.id, { type: 'SIGN', issuerUnitId: committee, opinion: '同意' }));
    expect(d.state).toBe('signing');
    expect(d.signatures[0].revisionHash).toBe(d.currentRevision.hash);
    d = await c.ok(c.event('signer2', d.id, { type: 'SIGN', issuerUnitId: government, opinion: '同意' }));
    expect(d.state).toBe('registration');

    d = await c.ok(c.event('clerk', d.id, { type: 'REGISTER', copies: 20, readerIds: [u.reader, u.reader2] }));
    expect(d.state).toBe('circulation');
    expect(d.documentNumber).toMatch(/^区委办发〔\d{4}〕1号$/);
    // 成文日期: the office's calendar day of the last signature (Asia/Shanghai), not UTC's
    expect(d.dateOfIssue).toBe(officeDate(d.signatures[1].at));

    d = await c.ok(c.event('reader', d.id, { type: 'OPEN' }));
    expect(d.readers.find((r: { userId: string }) => r.userId === u.reader).openedAt).toBeTruthy();
    d = await c.ok(c.event('clerk', d.id, { type: 'REMIND' }));
    d = await c.ok(c.event('reader', d.id, { type: 'ACKNOWLEDGE', opinion: '已阅，按要求落实。' }));
    d = await c.ok(c.event('reader2', d.id, { type: 'ACKNOWLEDGE' }));
    expect(d.state).toBe('archiving');
    d = await c.ok(c.event('archivist', d.id, { type: 'FILE', retention: 'Y' }));
    expect(d.state).toBe('archived');

    // read-only from now on
    const after = await c.event('archivist', d.id, { type: 'FILE', retention: 'Y' });
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('READ_ONLY');

    const history = (await (await t.request(`/api/documents/${d.id}/history`, { as: 'chief' })).json()).items;
    expect(history[0].eventType).toBe('CREATE');
    expect(history.map((h: { eventType: string }) => h.eventType)).toEqual(
      expect.arrayContaining(['CLOSE_DISCUSSION', 'RETURN', 'SIGN', 'REGISTER', 'FILE']),
    );
    expect(history.find((h: { eventType: string; reason: string }) => h.eventType === 'RETURN').reason).toBe('措施部分格式需统一');
    for (let i = 1; i < history.length; i++) expect(history[i].prevHash).toBe(history[i - 1].hash);

    const verify = await (await t.request(`/api/documents/${d.id}/verify`, { as: 'chief' })).json();
    expect(verify).toMatchObject({ ok: true, firstBroken: null, events: history.length });

    // tamper with one audit row directly in SQL (as an attacker with database access would)
    const victim = history[7];
    await t.db.dataSource.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`);
    await t.db.dataSource.query(`UPDATE audit_events SET reason = '篡改' WHERE document_id = $1 AND seq = $2`, [d.id, victim.seq]);
    await t.db.dataSource.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`);
    const broken = await (await t.request(`/api/documents/${d.id}/verify`, { as: 'chief' })).json();
    expect(broken.ok).toBe(false);
    expect(broken.firstBroken).toMatchObject({ kind: 'audit_event', seq: victim.seq });

    // filing queued a background preparation job that writes archive_files; let it finish here so it cannot
    // land in the middle of a later test's before/after table comparison
    const items: { id: string }[] = await t.db.dataSource.query(`SELECT id FROM archive_items WHERE document_id = $1`, [d.id]);
    expect(items).toHaveLength(1);
    await waitPrepared(
      t,
      items.map((i) => i.id),
    );
  }, 180_000);
});

describe('API rules', () => {
  it('returns the version as ETag; a stale If-Match gets 409 with the current version', async () => {
    const d = await driveSimple(t, ids, 'drafting');
    const res = await t.request(`/api/documents/${d.id}`, { as: 'chief' });
    expect(res.headers.get('etag')).toBe(`"${d.version}"`);
    const ok = await c.section('secretary', d.id, 's1', [para('p', '正文')], { 'if-match': `"${d.version}"` });
    expect(ok.status).toBe(200);
    const stale = await c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }, { 'if-match': `"${d.version}"` });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: d.version + 1 });
  });

  it('an Idempotency-Key makes a retry return the first response without applying twice', async () => {
    const d = await driveSimple(t, ids, 'circulation');
    const first = await c.event('clerk', d.id, { type: 'REMIND' }, { 'idempotency-key': 'remind-1' });
    const again = await c.event('clerk', d.id, { type: 'REMIND' }, { 'idempotency-key': 'remind-1' });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const history = (await (await t.request(`/api/documents/${d.id}/history`, { as: 'clerk' })).json()).items;
    expect(history.filter((h: { eventType: string }) => h.eventType === 'REMIND')).toHaveLength(1);
    const misuse = await c.event('clerk', d.id, { type: 'CLOSE_CIRCULATION', reason: 'x' }, { 'idempotency-key': 'remind-1' });
    expect(misuse.status).toBe(422);
    expect(misuse.body.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('a user with no part gets 404; a participant without the step gets 403; refusals change nothing', async () => {
    const d = await driveSimple(t, ids, 'drafting');
    // archive_files is written only by the background preparation job (for documents filed by earlier tests, and by
    // its periodic sweep), never by a request, so its count can move on its own between the two snapshots; every
    // table a request can write to (including the access logs and login_failures) is still compared
    const counts = async () => {
      const { archive_files: _background, ...rest } = await tableCounts(t);
      return rest;
    };
    const before = await counts();
    expect((await c.get('secretary2', d.id)).status).toBe(404);
    expect((await c.event('secretary2', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' })).status).toBe(404);
    const forbidden = await c.event('chief', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('NOT_PERMITTED');
    expect((await c.event('chief', d.id, { type: 'WITHDRAW' })).status).toBe(400);
    expect((await c.event('chief', d.id, { type: 'NO_SUCH_EVENT' })).status).toBe(400);
    expect((await c.event('chief', d.id, { type: 'START_CONSOLIDATION', extra: 1 })).status).toBe(400);
    expect((await c.get('chief', '00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await c.get('chief', 'not-a-uuid')).status).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it('withdrawal before signing, by the chief, with a reason', async () => {
    const d = await driveSimple(t, ids, 'review');
    const w = await c.ok(c.event('chief', d.id, { type: 'WITHDRAW', reason: '情况变化，暂不发文' }));
    expect(w.state).toBe('withdrawn');
    expect(w.allowedEvents).toEqual([]);
  });

  it('lists with filters, my tasks, Chinese title search and cursor pagination', async () => {
    const a = await driveSimple(t, ids, 'drafting', '关于加强防汛抗旱工作的通知');
    const b = await driveSimple(t, ids, 'review', '关于开展防汛检查的通知');
    const search = await (await t.request(`/api/documents?q=${encodeURIComponent('防汛')}`, { as: 'chief' })).json();
    const titles = search.items.map((i: { title: string }) => i.title);
    expect(titles).toEqual(expect.arrayContaining(['关于加强防汛抗旱工作的通知', '关于开展防汛检查的通知']));
    expect(titles.every((x: string) => x.includes('防汛'))).toBe(true);
    const one = await (await t.request(`/api/documents?q=${encodeURIComponent('抗旱')}`, { as: 'chief' })).json();
    expect(one.items.map((i: { id: string }) => i.id)).toEqual([a.id]);
    const reviewTasks = await (await t.request('/api/documents?mine=tasks', { as: 'reviewer' })).json();
    expect(reviewTasks.items.map((i: { id: string }) => i.id)).toContain(b.id);
    expect(reviewTasks.items.find((i: { id: string }) => i.id === b.id).myTask).toBe('review');
    const byState = await (await t.request('/api/documents?state=review', { as: 'chief' })).json();
    expect(byState.items.every((i: { state: string }) => i.state === 'review')).toBe(true);
    // cursor pagination walks every document once
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await (
        await t.request(`/api/documents?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { as: 'chief' })
      ).json();
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM documents WHERE chief_id = $1`, [ids.u.chief]);
    expect(seen.length).toBe(n);
    expect(new Set(seen).size).toBe(n);
  });

  it("my tasks merges assigned documents and every pool stage of the user's roles, urgent first", async () => {
    const created = await t.request('/api/admin/users', {
      method: 'POST',
      as: 'admin',
      json: {
        username: 'pool2',
        displayName: '校审',
        password: 'a-long-password',
        roles: ['proofreader', 'reviewer'],
        clearance: 'secret',
      },
    });
    expect(created.status).toBe(201);
    const proof = await driveSimple(t, ids, 'proofreading', '关于待校对事项的通知');
    const urgent = await driveSimple(t, ids, 'review', '关于特急审核事项的通知', { extra: { urgency: 'extra_urgent' } });
    const login = await (
      await t.request('/api/auth/login', { method: 'POST', json: { username: 'pool2', password: 'a-long-password' } })
    ).json();
    const tasks = await (
      await fetch(`${t.baseUrl}/api/documents?mine=tasks&limit=100`, { headers: { authorization: `Bearer ${login.token}` } })
    ).json();
    const mine = tasks.items.map((i: { id: string }) => i.id);
    expect(mine).toEqual(expect.arrayContaining([proof.id, urgent.id]));
    expect(mine[0]).toBe(urgent.id);
    expect(tasks.items.every((i: { state: string }) => i.state === 'proofreading' || i.state === 'review')).toBe(true);
    expect(tasks.items.find((i: { id: string }) => i.id === proof.id).myTask).toBe('proofread');
  });

  it('diffs two revisions', async () => {
    const d = await driveSimple(t, ids, 'consolidation');
    await c.ok(
      c.content('chief', d.id, {
        metadata: { title: '关于做好2026年度安全生产工作的补充通知' },
        sections: [
          {
            id: 's1',
            blocks: [{ id: 'h1', type: 'heading', level: 1, text: '总体要求' }, para('p1', '各单位要切实高度重视安全生产工作。')],
          },
        ],
      }),
    );
    const diff = await (await t.request(`/api/documents/${d.id}/diff?from=2&to=3`, { as: 'chief' })).json();
    expect(diff.fields.map((f: { field: string }) => f.field)).toEqual(['title']);
    expect(
      diff.blocks[0].changes
        .filter((x: { op: string }) => x.op === 'insert')
        .map((x: { text: string }) => x.text)
        .join(''),
    ).toBe('切实');
  });
});
