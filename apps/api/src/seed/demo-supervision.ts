/**
 * Sample supervision items (督查督办) for the demo office, so a new user sees supervision on the first start:
 * one from the leader's instruction on a demo incoming item (assigned and signed for: 办理中), one key task due
 * within two working days (signed for: the first card sweep gives it a blue card, 蓝牌), and one only registered
 * (已立项). Driven through the supervision use cases with the demo users, as the API would: every chain verifies.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { SupervisionService } from '../supervision/supervision.service.js';

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
  let created = 0;
  for (const s of samples) {
    // the supervisor sees an incoming item only if the office's visibility lets it; else the same task by hand
    const id = (
      (await supervision.create(sup, s.body as never).catch(() =>
        supervision.create(sup, {
          ...s.body,
          source: { kind: 'key_task' },
          instructingLeaderId: as('fgw_leader').id,
          instructionText: '请抓紧梳理储备项目，按时报送。',
        } as never),
      )) as unknown as { body: { id: string } }
    ).body.id;
    created++;
    if (!s.assign) continue;
    await supervision.sendEvent(sup, id, { type: 'ASSIGN' }, {});
    for (const u of ['fgw_registrar', 'czj_registrar']) {
      if (find(u) && (u === 'fgw_registrar' || (s.body.assistingUnitIds as string[]).length))
        await supervision.sendEvent(as(u), id, { type: 'SIGN_FOR' }, {});
    }
  }
  return created;
}
