/**
 * Lists compute "my task" from stored columns and a few fields of the context (TASK_CONTEXT_SQL); the
 * document itself computes it from the whole context. For every user and every kind of task (draft,
 * consolidate, discuss, sign, co-sign, acknowledge, ...) both must agree.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, para, type Doc, type Ids } from '../support/flow.js';
import { driveTo } from '../support/matrix.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

const URGENCY = ['none', 'urgent', 'extra_urgent'];
const USERS = [
  'chief',
  'secretary',
  'secretary2',
  'discussant',
  'discussant2',
  'proofreader',
  'reviewer',
  'signer',
  'signer2',
  'clerk',
  'reader',
  'reader2',
  'archivist',
];

/** A joint document (区委办 lead, 区政办 co-issuer) signed by its lead signer only: the co-signer's turn. */
async function jointAwaitingCoSign(): Promise<Doc> {
  const c = docClient(t);
  const { u } = ids;
  let d = await c.ok(
    c.create('chief', {
      kind: '通知',
      title: '关于联合开展专项检查的通知',
      issuerUnitIds: [ids.committee, ids.government],
      signers: [
        { issuerUnitId: ids.committee, signerId: u.signer },
        { issuerUnitId: ids.government, signerId: u.signer2 },
      ],
      mainRecipients: ['区直各单位'],
      sections: [{ title: '正文', drafterId: u.secretary }],
    }),
  );
  await c.ok(c.section('secretary', d.id, 's1', [para('p1', '各单位要认真组织检查。')]));
  await c.ok(c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
  await c.ok(c.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
  await c.ok(c.event('chief', d.id, { type: 'SKIP_DISCUSSION', reason: '简单通知' }));
  await c.ok(c.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }));
  await c.ok(c.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }));
  d = await c.ok(c.event('signer', d.id, { type: 'SIGN', issuerUnitId: ids.committee, opinion: '同意' }));
  expect(d.state).toBe('signing');
  return d;
}

it('the task kind in lists equals the one on the document, for every user, in every stage and kind of task', async () => {
  const c = docClient(t);
  const major = await driveTo(t, ids, 'drafting', { major: true, title: '关于任务类型一致性的意见' });
  // one drafter has submitted, the other has not: "draft" for one, nothing for the other
  await c.ok(c.section('secretary', major.id, 's1', [para('p1', '总体要求。')]));
  await c.ok(c.event('secretary', major.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
  const docs = [
    major,
    await driveTo(t, ids, 'consolidation'),
    await driveTo(t, ids, 'discussion'),
    await driveTo(t, ids, 'proofreading'),
    await driveTo(t, ids, 'review'),
    await driveTo(t, ids, 'signing'),
    await jointAwaitingCoSign(),
    await driveTo(t, ids, 'registration'),
    await driveTo(t, ids, 'circulation'),
    await driveTo(t, ids, 'archiving'),
  ];
  const seen = new Set<string>();
  const mismatches: string[] = [];
  for (const user of USERS) {
    const list = await t.request('/api/documents?mine=all&limit=100', { as: user });
    expect(list.status).toBe(200);
    const items: { id: string; myTask: string | null }[] = (await list.json()).items;
    for (const d of docs) {
      const item = items.find((x) => x.id === d.id);
      const one = await t.request(`/api/documents/${d.id}`, { as: user });
      if (!item) {
        // not in the list: then the document does not exist for this user either
        expect(`${user} ${d.id} ${one.status}`).toBe(`${user} ${d.id} 404`);
        continue;
      }
      const full = await one.json();
      if (full.myTask !== item.myTask)
        mismatches.push(`${user} on a document in ${full.state}: list ${item.myTask}, document ${full.myTask}`);
      if (item.myTask) seen.add(item.myTask);
    }
  }
  expect(mismatches).toEqual([]);
  // document_tasks (the inbox's index, kept by triggers) holds exactly the documents' assignees
  const drift = await t.db.dataSource.query(`
    (SELECT a.u AS user_id, d.id AS document_id, d.urgency_rank, d.deadline, d.created_at FROM documents d, unnest(d.assignee_ids) AS a(u)
     EXCEPT SELECT user_id, document_id, urgency_rank, deadline, created_at FROM document_tasks)
    UNION ALL
    (SELECT user_id, document_id, urgency_rank, deadline, created_at FROM document_tasks
     EXCEPT SELECT a.u, d.id, d.urgency_rank, d.deadline, d.created_at FROM documents d, unnest(d.assignee_ids) AS a(u))`);
  expect(drift).toEqual([]);
  // and the inbox of every user lists exactly the documents with a task for them, in inbox order
  for (const user of USERS) {
    const inbox = await (await t.request('/api/documents?mine=tasks&limit=100', { as: user })).json();
    const all = await (await t.request('/api/documents?mine=all&limit=100', { as: user })).json();
    const withTask = all.items
      .filter((x: { myTask: string | null }) => x.myTask !== null)
      .sort(
        (a: any, b: any) =>
          URGENCY.indexOf(b.urgency) - URGENCY.indexOf(a.urgency) ||
          (a.deadline ?? '9').localeCompare(b.deadline ?? '9') ||
          a.createdAt.localeCompare(b.createdAt) ||
          a.id.localeCompare(b.id),
      );
    expect(`${user}: ${inbox.items.map((x: { id: string }) => x.id).join(',')}`).toBe(
      `${user}: ${withTask.map((x: { id: string }) => x.id).join(',')}`,
    );
  }
  // every kind of task occurred, so the comparison covered each branch
  expect([...seen].sort()).toEqual([
    'acknowledge',
    'co-sign',
    'consolidate',
    'discuss',
    'draft',
    'file',
    'proofread',
    'register',
    'review',
    'sign',
  ]);
}, 120_000);
