/**
 * The demo's supervision samples (apps/api/src/seed/demo-supervision.ts) on a first start: an item registered from
 * the leader's instruction on a demo incoming item (the source linked, the leader and text taken from it), and
 * items that began earlier (dates relative to today) so that the seed's first card sweep gives a blue, a yellow and
 * a red card, and one item red for over a week is on the accountability list with the measure taken. Every chain
 * verifies.
 */
import { seedDemoDocuments } from '../../apps/api/src/seed/demo-documents.js';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  // no periodic sweep here: the seed's own sweeps are what is tested
  t = await startTestApp({ GONGWEN_SUPERVISION_SWEEP_SECONDS: '0' });
});
afterAll(() => t?.close());

interface Summary {
  id: string;
  title: string;
  state: string;
  colour: string;
}

test('the demo shows supervision on the first start: an instruction item, blue, yellow and red cards, an accountability entry', async () => {
  await seedDemoDocuments(t.app);
  const all: Summary[] = (await (await t.request('/api/supervision?queue=all', { as: 'supervisor' })).json()).items;
  const byTitle = Object.fromEntries(all.map((i) => [i.title, i]));
  expect(all).toHaveLength(6);
  expect(
    Object.fromEntries(
      [
        '整改中央环保督察反馈问题',
        '报送第三季度固定资产投资分析',
        '推进城乡供水一体化项目前期工作',
        '报送重大项目建设进展情况',
        '抓紧梳理2027年度政府投资储备项目',
        '优化营商环境专项整治',
      ].map((title) => [title, [byTitle[title]?.state, byTitle[title]?.colour]]),
    ),
  ).toEqual({
    整改中央环保督察反馈问题: ['in_progress', 'red'],
    报送第三季度固定资产投资分析: ['in_progress', 'red'],
    推进城乡供水一体化项目前期工作: ['in_progress', 'yellow'],
    报送重大项目建设进展情况: ['in_progress', 'blue'],
    抓紧梳理2027年度政府投资储备项目: ['in_progress', 'none'],
    优化营商环境专项整治: ['registered', 'none'],
  });

  // the instruction item: its source is the demo incoming item the leader instructed on, the text is the leader's
  const instructed = await (
    await t.request(`/api/supervision/${byTitle['抓紧梳理2027年度政府投资储备项目'].id}`, { as: 'supervisor' })
  ).json();
  expect(instructed.source.kind).toBe('instruction');
  const [incoming] = await t.db.dataSource.query(
    `SELECT workflow_id, snapshot->'context'->'instruction' AS instruction FROM documents WHERE id = $1`,
    [instructed.source.documentId],
  );
  expect(incoming.workflow_id).toBe('incoming');
  expect(instructed.instructionText).toBe(incoming.instruction.text);
  expect(instructed.instructingLeaderId).toBe(incoming.instruction.by);
  // and it is in that leader's own view
  const leaderView: Summary[] = (await (await t.request('/api/supervision?queue=instructed', { as: 'fgw_leader' })).json()).items;
  expect(leaderView.map((i) => i.title)).toContain('抓紧梳理2027年度政府投资储备项目');

  // the overdue item went blue (the sweep eight days ago) and then red (the first sweep today)
  const overdue = await (await t.request(`/api/supervision/${byTitle['报送第三季度固定资产投资分析'].id}`, { as: 'supervisor' })).json();
  expect(overdue.cards.map((c: { colour: string }) => c.colour)).toEqual(['blue', 'red']);

  // 问责: the item red for over a week, with what was done about it
  const acc = await (await t.request('/api/supervision/accountability', { as: 'fgw_leader' })).json();
  expect(acc.items.map((i: { title: string }) => i.title)).toEqual(['整改中央环保督察反馈问题']);
  expect(acc.items[0].measures).toHaveLength(1);
  expect(acc.items[0].measures[0].text).toContain('约谈');
  expect(Date.now() - Date.parse(acc.items[0].redSince)).toBeGreaterThan(7 * 86_400_000);

  // the seed left the supervision clock on real time, and a second sweep finds nothing more to do
  const { SupervisionCards } = await import('../../apps/api/src/supervision/cards.service.js');
  const again = await t.app.get(SupervisionCards).sweep();
  expect({ issued: again.issued, listed: again.listed }).toEqual({ issued: 0, listed: 0 });

  for (const i of all) {
    const v = await (await t.request(`/api/supervision/${i.id}/verify`, { as: 'supervisor' })).json();
    expect({ title: i.title, ok: v.ok }).toEqual({ title: i.title, ok: true });
  }
});
