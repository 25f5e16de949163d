/**
 * Sample incoming documents (收文) for the demo office, so a new user sees exchange and incoming handling working
 * on the first start: 区发展和改革局 holds items in 待登记, 承办中, 传阅中 and 办结 (besides the one the exchange
 * delivered to its 待签收 when the demo 通知 was registered), and 区财政局 returns its delivered copy with reasons,
 * which 区委办 sees in the 签收回执.
 *
 * Driven through the incoming use cases with the demo users, as the API would: every chain verifies.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { TransitionEngine } from '../engine/transition-engine.js';
import { IncomingService } from '../incoming/incoming.service.js';
import { createIncomingIn, type IncomingContent } from '../incoming/use-cases/create-incoming.js';

type Stage = 'registration' | 'handling' | 'circulation' | 'done';

interface Sample {
  stage: Stage;
  content: Omit<IncomingContent, 'classification' | 'urgency' | 'copies' | 'attachments'> & Partial<IncomingContent>;
}

/** Documents that came to 区发改局 from outside the deployment (paper, registered by its 收文员). */
const SAMPLES: Sample[] = [
  {
    stage: 'registration',
    content: {
      title: '关于报送2026年度重大项目建设进展情况的通知',
      kind: '通知',
      senderName: '市发展和改革委员会',
      senderNumber: '市发改投资〔2026〕118号',
      dateOfIssue: '2026-11-28',
      pages: 3,
    },
  },
  {
    stage: 'handling',
    content: {
      title: '关于开展2027年度政府投资项目储备工作的通知',
      kind: '通知',
      senderName: '市发展和改革委员会',
      senderNumber: '市发改投资〔2026〕121号',
      dateOfIssue: '2026-11-30',
      urgency: 'urgent',
      pages: 5,
    },
  },
  {
    stage: 'circulation',
    content: {
      title: '关于印发《全市优化营商环境工作要点》的通知',
      kind: '通知',
      senderName: '市人民政府办公室',
      senderNumber: '市政办发〔2026〕45号',
      dateOfIssue: '2026-11-20',
      pages: 8,
    },
  },
  {
    stage: 'done',
    content: {
      title: '关于2026年第三季度经济运行情况的通报',
      kind: '通报',
      senderName: '市统计局',
      senderNumber: '市统发〔2026〕33号',
      dateOfIssue: '2026-10-25',
      pages: 4,
    },
  },
];

const ORDER: Stage[] = ['registration', 'handling', 'circulation', 'done'];
const CHECKS = [1, 2, 3, 4, 5].map((item) => ({ item, passed: true }));

/** Seeds the incoming samples (once: not when the unit already has incoming items); returns how many it created. */
export async function seedDemoIncoming(app: INestApplicationContext): Promise<number> {
  const db = app.get<DataSource>(getDataSourceToken());
  const engine = app.get(TransitionEngine);
  const incoming = app.get(IncomingService);
  const rows: (Omit<AuthUser, 'displayName' | 'unitId' | 'via' | 'tokenId' | 'tokenScope'> & {
    display_name: string;
    unit_id: string | null;
  })[] = await db.query(`SELECT id, username, display_name, unit_id, roles, clearance, authority FROM users WHERE active`);
  const as = (username: string): AuthUser => {
    const r = rows.find((x) => x.username === username);
    if (!r) throw new Error(`the demo user ${username} is missing`);
    return {
      id: r.id,
      username: r.username,
      displayName: r.display_name,
      unitId: r.unit_id,
      roles: r.roles,
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
  if (!fgw || !unit('发改局综合科') || !rows.some((r) => r.username === 'fgw_registrar')) return 0; // not the demo office
  const [{ n }] = await db.query(
    `SELECT count(*)::int AS n FROM documents WHERE workflow_id = 'incoming' AND snapshot->'context'->'source'->>'kind' = 'external'`,
  );
  if (n > 0) return 0;

  const event = async (who: string, id: string, body: Record<string, unknown>) =>
    (await incoming.sendEvent(as(who), id, body, {})).body as { state: string };
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  // 区财政局 returns what the exchange delivered to it (退文), with the reasons 区委办 reads in the receipts
  const returned: { incoming_document_id: string }[] = await db.query(
    `SELECT d.incoming_document_id FROM exchange_deliveries d JOIN units u ON u.id = d.recipient_unit_id
      WHERE u.name = '区财政局' AND d.status = 'delivered' ORDER BY d.delivered_at LIMIT 1`,
  );
  for (const r of returned) {
    await event('czj_registrar', r.incoming_document_id, {
      type: 'RETURN_TO_SENDER',
      reason: '经核，本单位已于11月底报送年度工作总结，此件重复发送，予以退回。',
    });
  }

  for (const s of SAMPLES) {
    const content: IncomingContent = { classification: 'none', urgency: 'none', copies: 1, attachments: [], ...s.content };
    const { id } = await db.transaction((m) =>
      createIncomingIn(m, engine, as('fgw_registrar'), { unitId: fgw, source: { kind: 'external', medium: 'paper' }, content }),
    );
    const reached = (stage: Stage) => ORDER.indexOf(s.stage) >= ORDER.indexOf(stage);
    if (!reached('handling')) continue;
    await event('fgw_registrar', id, { type: 'REGISTER' });
    if (s.stage === 'handling') {
      // for action (批办): the office chief proposes, a leader instructs a lead and an assisting department
      await event('fgw_registrar', id, { type: 'PASS_CHECK', checks: CHECKS, route: 'action' });
      await event('fgw_chief', id, {
        type: 'PROPOSE',
        opinion: '拟请郑副局长阅示，由综合科牵头、规划科配合办理。',
        leaderIds: [as('fgw_leader').id],
      });
      await event('fgw_leader', id, {
        type: 'INSTRUCT',
        instruction: '请综合科牵头抓紧梳理储备项目，规划科配合，按时报送。',
        lead: { departmentId: unit('发改局综合科'), deadline: inDays(7) },
        assisting: [{ departmentId: unit('发改局规划科'), deadline: inDays(5) }],
        // the instruction goes to the supervision office (督查室) too, which registers it as a supervised item
        ...(rows.some((r) => r.username === 'supervisor') ? { readerIds: [as('supervisor').id], order: 'parallel' } : {}),
      });
      await event('fgw_handler', id, { type: 'RECORD_HANDLING', text: '已通知各项目单位报送储备项目清单，正在汇总。' });
      continue;
    }
    // for information (阅知): the leaders read it in order
    await event('fgw_registrar', id, {
      type: 'PASS_CHECK',
      checks: CHECKS,
      route: 'information',
      readerIds: [as('fgw_leader').id, as('fgw_leader2').id],
      order: 'sequential',
    });
    await event('fgw_leader', id, { type: 'READ', opinion: '已阅。请各科室认真学习。' });
    if (s.stage === 'circulation') continue; // held by the second leader now
    await event('fgw_leader2', id, { type: 'READ', opinion: '已阅。' });
    await event('fgw_registrar', id, { type: 'CLOSE_CIRCULATION' });
  }
  return SAMPLES.length;
}
