/**
 * Sample supervision items (督查督办) for the demo office, so a new user sees supervision on the first start:
 *   - one from the leader's instruction on a demo incoming item (assigned and signed for: 办理中);
 *   - a key task due within two working days (the first card sweep gives it a blue card, 蓝牌);
 *   - one only registered (已立项);
 *   - three that began earlier (the supervision clock pinned back while they are registered, assigned, signed for
 *     and reported on, dates relative to today): one whose weekly feedback is late (黄牌), one overdue (蓝牌 then
 *     红牌), and one red for over a week, on the accountability list (问责) with what was done about it.
 * The seed ends with a card sweep on the real clock, as the periodic sweep would run: the colours are there at
 * once. Driven through the supervision use cases with the demo users, as the API would: every chain verifies.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { SupervisionCards } from '../supervision/cards.service.js';
import { SupervisionClock } from '../supervision/clock.js';
import { SupervisionService } from '../supervision/supervision.service.js';

const DAY = 86_400_000;
/** The office's date (UTC+8, the demo office's time zone) `days` from today. */
const officeDate = (days: number) => new Date(Date.now() + 8 * 3600_000 + days * DAY).toISOString().slice(0, 10);

/** Seeds the supervision samples (once: not when any item exists); returns how many it created. */
export async function seedDemoSupervision(app: INestApplicationContext): Promise<number> {
  const db = app.get<DataSource>(getDataSourceToken());
  const supervision = app.get(SupervisionService);
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM supervision_register`);
  if (n > 0) return 0;
  const rows: {
    id: string;
    username: string;
    display_name: string;
    unit_id: string | null;
    roles: string[];
    clearance: any;
    authority: any;
  }[] = await db.query(`SELECT id, username, display_name, unit_id, roles, clearance, authority FROM users WHERE active`);
  const find = (username: string) => rows.find((x) => x.username === username);
  const as = (username: string): AuthUser => {
    const r = find(username)!;
    return {
      id: r.id,
      username: r.username,
      displayName: r.display_name,
      unitId: r.unit_id,
      roles: r.roles as AuthUser['roles'],
      clearance: r.clearance,
      authority: r.authority,
      via: 'system',
      tokenId: '',
      tokenScope: 'full',
    };
  };
  const units: { id: string; name: string }[] = await db.query(`SELECT id, name FROM units`);
  const unit = (name: string) => units.find((u) => u.name === name)?.id;
  const fgw = unit('区发展和改革局');
  const czj = unit('区财政局');
  if (!fgw || !czj || !find('supervisor') || !find('fgw_leader') || !find('fgw_leader2') || !find('fgw_registrar')) return 0;
  const sup = as('supervisor');
  const base = {
    leadUnitId: fgw,
    assistingUnitIds: [czj],
    responsibleLeaderId: as('fgw_leader2').id,
    cadence: 'weekly',
    resultForm: '书面报告',
  };
  // the leader's instruction on an incoming item, when the incoming samples made one
  const [instructed] = await db.query(
    `SELECT id FROM documents WHERE workflow_id = 'incoming' AND snapshot->'context'->'instruction'->>'text' IS NOT NULL ORDER BY created_at LIMIT 1`,
  );
  const signFor = async (id: string, assisting: boolean) => {
    await supervision.sendEvent(as('fgw_registrar'), id, { type: 'SIGN_FOR' }, {});
    if (assisting && find('czj_registrar')) await supervision.sendEvent(as('czj_registrar'), id, { type: 'SIGN_FOR' }, {});
  };
  // the items that began earlier, in the order they began, each step at its own (past) time
  const clock = app.get(SupervisionClock);
  const cards = app.get(SupervisionCards);
  const at = (daysAgo: number) => clock.set(new Date(Date.now() - daysAgo * DAY));
  const earlier: { daysAgo: number; body: Record<string, unknown>; feedback?: { daysAgo: number; text: string } }[] = [
    {
      // red since a week ago: on the accountability list at the sweep below
      daysAgo: 21,
      body: {
        ...base,
        title: '整改中央环保督察反馈问题',
        source: { kind: 'key_task' },
        instructingLeaderId: as('fgw_leader').id,
        instructionText: '限期整改到位，逾期追责。',
        requirements: '逐项制定整改措施，五个工作日内报送整改方案。',
        deadline: officeDate(-16),
      },
      feedback: { daysAgo: 18, text: '已召开专题会议，整改方案正在起草。' },
    },
    {
      // overdue now: blue a week ago (the sweep at that time), red at the sweep below
      daysAgo: 14,
      body: {
        ...base,
        title: '报送第三季度固定资产投资分析',
        source: { kind: 'key_task' },
        instructingLeaderId: as('fgw_leader').id,
        instructionText: '按时报送分析报告。',
        requirements: '分析第三季度固定资产投资完成情况及存在问题，形成书面报告。',
        deadline: officeDate(-6),
      },
      feedback: { daysAgo: 12, text: '已收集各行业投资数据，正在分析。' },
    },
    {
      // weekly feedback due three days ago, none sent: yellow at the sweep below; the deadline is weeks away
      daysAgo: 10,
      body: {
        ...base,
        title: '推进城乡供水一体化项目前期工作',
        source: { kind: 'key_task' },
        instructingLeaderId: as('fgw_leader').id,
        instructionText: '加快前期工作，每周报送进展。',
        requirements: '完成项目可行性研究和用地预审，每周报送进展。',
        deadline: officeDate(30),
      },
    },
  ];
  const accountable: string[] = [];
  try {
    for (const e of earlier) {
      at(e.daysAgo);
      const id = ((await supervision.create(sup, e.body as never)) as unknown as { body: { id: string } }).body.id;
      await supervision.sendEvent(sup, id, { type: 'ASSIGN' }, {});
      await signFor(id, true);
      if (e.feedback) {
        at(e.feedback.daysAgo);
        await supervision.sendEvent(as('fgw_registrar'), id, { type: 'FEEDBACK', text: e.feedback.text }, {});
      }
      if (e === earlier[0]) accountable.push(id);
    }
    // the sweep as it ran eight days ago: the first item goes red then, the second blue
    at(8);
    await cards.sweep();
  } finally {
    clock.set(null);
  }

  const samples: { body: Record<string, unknown>; assign: boolean }[] = [
    {
      body: {
        ...base,
        title: '抓紧梳理2027年度政府投资储备项目',
        ...(instructed
          ? { source: { kind: 'instruction', incomingDocumentId: instructed.id } }
          : { source: { kind: 'key_task' }, instructingLeaderId: as('fgw_leader').id, instructionText: '请抓紧梳理储备项目，按时报送。' }),
        requirements: '梳理储备项目清单，明确前期工作进度，每周报送进展。',
        deadlineWorkingDays: 20,
      },
      assign: true,
    },
    {
      body: {
        ...base,
        title: '报送重大项目建设进展情况',
        source: { kind: 'key_task' },
        instructingLeaderId: as('fgw_leader').id,
        instructionText: '按期报送，不得延误。',
        requirements: '汇总各重大项目投资完成情况和存在问题，形成书面报告。',
        deadlineWorkingDays: 2,
      },
      assign: true,
    },
    {
      body: {
        ...base,
        assistingUnitIds: [],
        title: '优化营商环境专项整治',
        source: { kind: 'key_task' },
        instructingLeaderId: as('fgw_leader').id,
        instructionText: '列入年度重点工作，按季度推进。',
        requirements: '制定专项整治方案，按季度报送推进情况。',
        cadence: 'quarterly',
        deadlineWorkingDays: 60,
      },
      assign: false,
    },
  ];
  let created = earlier.length;
  for (const s of samples) {
    // the instruction was circulated to the supervision office (demo-incoming.ts), so the supervisor sees its item
    const id = ((await supervision.create(sup, s.body as never)) as unknown as { body: { id: string } }).body.id;
    created++;
    if (!s.assign) continue;
    await supervision.sendEvent(sup, id, { type: 'ASSIGN' }, {});
    await signFor(id, (s.body.assistingUnitIds as string[]).length > 0);
  }
  // the first sweep on the real clock (the periodic one would do the same within seconds of the start): blue, yellow
  // and red cards, and the item red for over a week put on the accountability list, with the measure taken
  await cards.sweep();
  for (const id of accountable)
    await supervision.sendEvent(
      sup,
      id,
      { type: 'RECORD_ACCOUNTABILITY', text: '已约谈主办单位分管负责人，责令三个工作日内报送整改方案，并在全区通报。' },
      {},
    );
  return created;
}
