/**
 * Supervision end to end over HTTP on a real database, on a controlled clock: a leader's instruction on an
 * incoming item becomes an item (督〔2026〕1号) assigned to two units; an extension asked before the deadline is
 * approved, the cards go blue → yellow (a restart of the API in between: no card lost or repeated) → red, a
 * result is sent back, an extension asked after the deadline is refused, the item goes onto the accountability
 * list and is closed; the notice, the board, the register and the report follow.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertToPdf, pageTexts, requireTools } from '../docx/pdf.js';
import { anotherInstance, startTestApp, type TestApp } from '../support/app.js';
import { SupervisionCards } from '../../apps/api/src/supervision/cards.service.js';
import { SupervisionClock } from '../../apps/api/src/supervision/clock.js';
import { event, incomingWithInstruction, supervisionIds, type SupIds } from './support.js';

const ENV = {
  GONGWEN_SUPERVISION_SWEEP_SECONDS: '0',
  GONGWEN_SUPERVISION_BLUE_WORKING_DAYS: '3',
  GONGWEN_SUPERVISION_ACCOUNTABILITY_HOURS: '48',
};
const CRITERIA = ['facts_clear', 'problem_solved', 'task_done', 'conclusion_accurate', 'format_correct'].map((criterion) => ({
  criterion,
  met: true,
}));

let t: TestApp;
let ids: SupIds;

beforeAll(async () => {
  t = await startTestApp(ENV);
  ids = await supervisionIds(t);
});
afterAll(() => t?.close());

async function cards(id: string) {
  return t.db.dataSource.query(
    `SELECT colour, round, notified_unit_id, notified_user_ids FROM supervision_cards WHERE document_id = $1 ORDER BY issued_at`,
    [id],
  );
}

test('an instruction becomes an item, cards go blue → yellow → red across a restart, and the item is closed', async () => {
  const clock = t.app.get(SupervisionClock);
  const sweepA = () => t.app.get(SupervisionCards).sweep();
  clock.set('2026-03-02T09:00:00+08:00'); // a Monday
  const incomingId = await incomingWithInstruction(t, ids);

  // 立项 from the instruction: leader and text prefilled, the source linked
  const created = await t.request('/api/supervision', {
    method: 'POST',
    as: 'supervisor',
    json: {
      title: '加快推进重点项目建设',
      source: { kind: 'instruction', incomingDocumentId: incomingId },
      requirements: '制定方案，每周报送进展。',
      leadUnitId: ids.fgw,
      assistingUnitIds: [ids.czj],
      responsibleLeaderId: ids.u.fgw_leader2,
      deadline: '2026-03-20',
      cadence: 'weekly',
      resultForm: '书面报告',
    },
  });
  if (created.status !== 201) throw new Error(await created.text());
  const item = (await created.json()) as Record<string, any>;
  expect(item.itemNumber).toBe('督〔2026〕1号');
  expect(item.instructingLeaderId).toBe(ids.u.fgw_leader);
  expect(item.instructionText).toBe('请发改局牵头、财政局配合，抓紧研究落实。');
  expect(item.source).toMatchObject({ kind: 'instruction', documentId: incomingId, title: '关于加快推进重点项目建设的请示' });
  const id = item.id as string;

  // before 交办 the units do not see it
  expect((await t.request(`/api/supervision/${id}`, { as: 'fgw_registrar' })).status).toBe(404);
  expect((await event(t, 'supervisor', id, { type: 'ASSIGN' })).body.state).toBe('assigned');
  const notice = await t.request(`/api/supervision/${id}/notice.docx`, { as: 'fgw_registrar' });
  expect(notice.status).toBe(200);
  expect(
    Buffer.from(await notice.arrayBuffer())
      .subarray(0, 2)
      .toString(),
  ).toBe('PK');
  expect((await event(t, 'fgw_registrar', id, { type: 'SIGN_FOR' })).status).toBe(200);
  expect((await event(t, 'czj_registrar', id, { type: 'SIGN_FOR' })).body.state).toBe('in_progress');
  expect((await event(t, 'czj_registrar', id, { type: 'CONTRIBUTE', text: '财政局已安排配套资金。' })).status).toBe(200);

  // an extension asked before the deadline: reviewed by the supervisor, approved by the instructing leader
  clock.set('2026-03-09T10:00:00+08:00');
  expect((await event(t, 'fgw_registrar', id, { type: 'FEEDBACK', text: '方案已制定。' })).status).toBe(200);
  const asked = await event(t, 'fgw_registrar', id, {
    type: 'REQUEST_EXTENSION',
    reason: '需等待上级批复。',
    progress: '方案已报批。',
    newDeadline: '2026-03-31',
  });
  expect(asked.status).toBe(200);
  expect((await event(t, 'supervisor', id, { type: 'REVIEW_EXTENSION', decision: 'forward', opinion: '理由充分。' })).status).toBe(200);
  // only the instructing leader decides
  expect((await event(t, 'fgw_leader2', id, { type: 'DECIDE_EXTENSION', decision: 'approve' })).status).toBe(403);
  const approved = await event(t, 'fgw_leader', id, { type: 'DECIDE_EXTENSION', decision: 'approve' });
  expect(approved.body.deadline).toBe('2026-03-31');
  expect(await sweepA()).toMatchObject({ issued: 0 });

  // blue: three working days before the deadline (Thu 26 → Tue 31)
  clock.set('2026-03-23T09:00:00+08:00');
  expect((await event(t, 'fgw_registrar', id, { type: 'FEEDBACK', text: '已完成七成。' })).status).toBe(200);
  clock.set('2026-03-25T09:00:00+08:00'); // Wed: 26, 27, 30 are the three working days → 31 is not yet near
  expect(await sweepA()).toMatchObject({ issued: 0 });
  clock.set('2026-03-26T09:00:00+08:00');
  expect(await sweepA()).toMatchObject({ issued: 1 });
  expect(await sweepA()).toMatchObject({ issued: 0, due: 0 });
  expect(await cards(id)).toEqual([{ colour: 'blue', round: 1, notified_unit_id: ids.fgw, notified_user_ids: [] }]);

  // the API restarts: another process, its own clock, nothing in memory — the yellow comes once, the blue not again
  const b = await anotherInstance(t, ENV);
  await b.app.init();
  try {
    const clockB = b.app.get(SupervisionClock);
    clockB.set('2026-03-31T09:00:00+08:00'); // the weekly feedback (due 30 March) is late
    clock.set('2026-03-31T09:00:00+08:00');
    const [r1, r2] = await Promise.all([b.app.get(SupervisionCards).sweep(), sweepA()]);
    expect(r1.issued + r2.issued).toBe(1);
    expect(r1.issued + r1.alreadyIssued + r1.skipped + r2.issued + r2.alreadyIssued + r2.skipped).toBeGreaterThanOrEqual(1);
  } finally {
    await b.close();
  }
  expect((await cards(id)).map((c: { colour: string }) => c.colour)).toEqual(['blue', 'yellow']);
  expect((await cards(id))[1].notified_user_ids).toEqual([ids.u.fgw_leader2]);

  // a result sent back (退回重办): back to the units, the colour stays yellow (no second yellow)
  expect((await event(t, 'fgw_registrar', id, { type: 'SUBMIT_RESULT', text: '已基本完成。' })).body.state).toBe('review');
  const back = await event(t, 'supervisor', id, {
    type: 'SEND_BACK',
    reasons: ['结论不够准确。'],
    failedCriteria: ['conclusion_accurate'],
  });
  expect(back.body).toMatchObject({ state: 'in_progress', colour: 'yellow' });

  // after the deadline: no extension, only escalation
  clock.set('2026-04-01T09:00:00+08:00');
  const late = await event(t, 'fgw_registrar', id, {
    type: 'REQUEST_EXTENSION',
    reason: '仍需时间。',
    progress: '九成。',
    newDeadline: '2026-04-15',
  });
  expect(late.status).toBe(422);
  expect(late.body.conditions.map((c: { code: string }) => c.code)).toContain('DEADLINE_PASSED');

  // red, after another restart, exactly once
  const c = await anotherInstance(t, ENV);
  await c.app.init();
  try {
    c.app.get(SupervisionClock).set('2026-04-01T09:00:00+08:00');
    expect(await c.app.get(SupervisionCards).sweep()).toMatchObject({ issued: 1, listed: 0 });
    expect(await sweepA()).toMatchObject({ issued: 0 });
  } finally {
    await c.close();
  }
  const all = await cards(id);
  expect(all.map((x: { colour: string }) => x.colour)).toEqual(['blue', 'yellow', 'red']);
  expect(all.every((x: { round: number }) => x.round === 1)).toBe(true);
  // each card sent a reminder notice through the outbox: the lead unit's pools, from yellow the responsible leader
  const notices = await t.db.dataSource.query(
    `SELECT payload FROM outbox WHERE document_id = $1 AND topic = 'supervision.card' ORDER BY id`,
    [id],
  );
  expect(notices.map((n: { payload: { colour: string } }) => n.payload.colour)).toEqual(['blue', 'yellow', 'red']);
  expect(notices[2].payload.assigneeIds).toEqual([ids.u.fgw_leader2]);
  expect(notices[2].payload.taskRoles).toEqual([`handler@${ids.fgw}`, `registrar@${ids.fgw}`]);

  // each card's 督查催办通知, through the API, rendered (LibreOffice, poppler): the card named, the item, the unit
  requireTools();
  const dir = mkdtempSync(join(tmpdir(), 'gongwen-sup-cards-'));
  try {
    const files: string[] = [];
    for (const colour of ['blue', 'yellow', 'red']) {
      const res = await t.request(`/api/supervision/${id}/cards/${colour}/notice.docx`, { as: 'fgw_registrar' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain('.docx');
      files.push(join(dir, `${colour}.docx`));
      writeFileSync(files[files.length - 1], Buffer.from(await res.arrayBuffer()));
    }
    await convertToPdf(files, dir, join(dir, 'lo-profile'));
    const text = (colour: string) =>
      pageTexts(join(dir, `${colour}.pdf`))
        .join('\n')
        .replace(/\s+/g, '');
    expect(text('blue')).toContain('（蓝牌督办）');
    expect(text('yellow')).toContain('（黄牌督办）');
    const red = text('red');
    expect(red).toContain('（红牌督办）');
    expect(red).toContain('督〔2026〕1号');
    expect(red).toContain('区发展和改革局');
    expect(red).toContain('已逾期');
    // from yellow on the responsible leader is among the recipients; a blue card goes to the unit only
    const leader = (
      (await t.db.dataSource.query(`SELECT display_name FROM users WHERE id = $1`, [ids.u.fgw_leader2])) as { display_name: string }[]
    )[0].display_name;
    expect(red).toContain(leader);
    expect(text('blue')).not.toContain(leader);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // an unknown colour is refused at the edge
  expect((await t.request(`/api/supervision/${id}/cards/green/notice.docx`, { as: 'supervisor' })).status).toBe(400);

  // red for longer than 48 hours: on the accountability list, once
  clock.set('2026-04-03T08:00:00+08:00');
  expect(await sweepA()).toMatchObject({ listed: 0 });
  clock.set('2026-04-03T10:00:00+08:00');
  expect(await sweepA()).toMatchObject({ listed: 1 });
  expect(await sweepA()).toMatchObject({ listed: 0 });
  expect((await event(t, 'supervisor', id, { type: 'RECORD_ACCOUNTABILITY', text: '约谈发改局分管负责人。' })).status).toBe(200);
  const list = (await (await t.request('/api/supervision/accountability', { as: 'supervisor' })).json()) as Record<string, any>;
  expect(list.items).toHaveLength(1);
  expect(list.items[0]).toMatchObject({ id, itemNumber: '督〔2026〕1号', colour: 'red' });
  expect(list.items[0].measures.map((m: { text: string }) => m.text)).toEqual(['约谈发改局分管负责人。']);

  // closed against the five criteria
  expect((await event(t, 'fgw_registrar', id, { type: 'SUBMIT_RESULT', text: '已全部完成。' })).body.state).toBe('review');
  const closed = await event(t, 'supervisor', id, { type: 'CLOSE', criteria: CRITERIA, conclusion: '同意办结。' });
  expect(closed.body.state).toBe('closed');

  // the board, the register and the report
  const board = (await (await t.request('/api/supervision/board?year=2026', { as: 'supervisor' })).json()) as Record<string, any>;
  expect(board).toMatchObject({ year: 2026, total: 1, byState: { closed: 1 }, byColour: { red: 1 }, accountability: 1 });
  expect(board.byUnit).toEqual([{ unitId: ids.fgw, name: '区发展和改革局', total: 1, closed: 1, closedOnTime: 0, red: 1, onTimeRate: 0 }]);
  const register = (await (
    await t.request('/api/supervision/register?from=2026-03-01&to=2026-03-31', { as: 'supervisor' })
  ).json()) as Record<string, any>;
  expect(register.items.map((l: { itemNumber: string }) => l.itemNumber)).toEqual(['督〔2026〕1号']);
  expect(register.items[0]).toMatchObject({ state: 'closed', onTime: false, leadUnit: '区发展和改革局', assistingUnits: ['区财政局'] });
  const csv = await t.request('/api/supervision/register.csv?from=2026-03-01&to=2026-03-31', { as: 'supervisor' });
  expect(csv.status).toBe(200);
  const csvBytes = Buffer.from(await csv.arrayBuffer());
  expect(csvBytes.subarray(0, 3).toString('hex')).toBe('efbbbf'); // the BOM spreadsheet programs need
  const csvText = csvBytes.subarray(3).toString('utf8');
  expect(csvText.split('\r\n')[1]).toMatch(/^"?督〔2026〕1号"?,"?2026-03-02"?,.*加快推进重点项目建设.*区发展和改革局.*已办结.*红牌/);
  for (const path of [
    '/api/supervision/register.docx?from=2026-03-01&to=2026-03-31',
    '/api/supervision/report.docx?period=monthly&date=2026-03-15',
  ]) {
    const res = await t.request(path, { as: 'supervisor' });
    expect(res.status).toBe(200);
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  }
  const verified = (await (await t.request(`/api/supervision/${id}/verify`, { as: 'supervisor' })).json()) as Record<string, any>;
  expect(verified.ok).toBe(true);
}, 180_000);
