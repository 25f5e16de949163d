/**
 * Sample documents for the demo office, one at each of the stages a visitor wants to see: a draft with a
 * section still being written, one in proofreading, in review, two waiting for the signer (one 特急), one in
 * circulation past its deadline (so the automatic reminder shows; its recipients are named from the directory,
 * so its registration delivered it to 区直各单位), and one filed in the archive; then the incoming samples
 * (demo-incoming.ts).
 *
 * Driven through DocumentsService with the demo users, exactly as the API would (revisions, hash-chained
 * audit events, signatures, document numbers, the archive item): no row is written by hand.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { DocumentsService } from '../documents/documents.service.js';
import { CreateDocumentBody, EditSectionBody } from '../documents/schemas.js';
import { seedDemoIncoming } from './demo-incoming.js';
import { seedDemoSupervision } from './demo-supervision.js';

type Stage = 'drafting' | 'proofreading' | 'review' | 'signing' | 'circulation' | 'archived';

interface Sample {
  title: string;
  stage: Stage;
  urgency?: 'none' | 'urgent' | 'extra_urgent';
  /** Days from now (negative: already past). */
  deadlineDays?: number;
  /** Recipients named from the directory: the group 区直各单位, so registration delivers it to its units (公文交换). */
  exchange?: boolean;
  sections: { title: string; drafter: 'secretary' | 'secretary2'; paragraphs: string[] }[];
  /** 附件, typeset after the body (a 印发 notice carries what it issues). */
  attachments?: { title: string; blocks: Record<string, unknown>[] }[];
}

const SAMPLES: Sample[] = [
  {
    title: '关于做好2027年元旦春节期间安全生产工作的通知',
    stage: 'drafting',
    sections: [
      {
        title: '总体要求',
        drafter: 'secretary',
        paragraphs: ['各单位要充分认识节日期间安全生产工作的重要性，切实把思想和行动统一到区委、区政府的部署要求上来。'],
      },
      { title: '工作措施', drafter: 'secretary2', paragraphs: [] },
    ],
  },
  {
    title: '关于开展2026年度机关作风建设专项检查的通知',
    stage: 'proofreading',
    sections: [
      {
        title: '正文',
        drafter: 'secretary',
        paragraphs: [
          '为深入推进机关作风建设，区委办公室决定于12月中旬开展专项检查。',
          '各单位要对照检查内容认真开展自查，于12月15日前将自查报告报送区委办公室。',
        ],
      },
    ],
  },
  {
    title: '关于进一步加强政务信息报送工作的通知',
    stage: 'review',
    sections: [
      { title: '正文', drafter: 'secretary2', paragraphs: ['各单位要明确专人负责政务信息报送工作，做到重要情况及时报、突发事件随时报。'] },
    ],
  },
  {
    title: '关于印发《××区2027年度重点工作任务分解方案》的通知',
    stage: 'signing',
    urgency: 'extra_urgent',
    sections: [
      { title: '正文', drafter: 'secretary', paragraphs: ['现将《××区2027年度重点工作任务分解方案》印发给你们，请结合实际认真贯彻落实。'] },
    ],
    // the 方案 the notice issues, printed as its 附件
    attachments: [
      {
        title: '××区2027年度重点工作任务分解方案',
        blocks: [
          {
            id: 'p1',
            type: 'paragraph',
            text: '为确保区委、区政府2027年度各项重点工作任务落到实处，现将重点工作任务分解如下，各牵头单位要细化措施、明确时限、压实责任。',
          },
          { id: 'h1', type: 'heading', level: 1, text: '一、重点工作任务' },
          {
            id: 't1',
            type: 'table',
            headerRows: 1,
            rows: [
              ['序号', '工作任务', '牵头单位', '完成时限'],
              ['1', '推进重点项目建设，全年完成固定资产投资目标', '区发展和改革局', '2027年12月底'],
              ['2', '深化预算绩效管理改革', '区财政局', '2027年9月底'],
              ['3', '推进义务教育优质均衡发展', '区教育局', '2027年8月底'],
            ],
          },
          { id: 'h2', type: 'heading', level: 1, text: '二、工作要求' },
          {
            id: 'p2',
            type: 'paragraph',
            text: '各牵头单位每季度末将任务进展情况报送区委办公室，区委督查室适时开展督查。',
          },
        ],
      },
    ],
  },
  {
    title: '关于做好冬季供暖保障工作的通知',
    stage: 'signing',
    sections: [{ title: '正文', drafter: 'secretary2', paragraphs: ['各有关单位要加强供暖设施巡查维护，确保群众温暖过冬。'] }],
  },
  {
    title: '关于报送2026年度工作总结的通知',
    stage: 'circulation',
    deadlineDays: -1,
    exchange: true,
    sections: [{ title: '正文', drafter: 'secretary', paragraphs: ['请各单位于规定时间前将2026年度工作总结报送区委办公室秘书科。'] }],
  },
  {
    title: '关于印发《中共××区委办公室公文处理实施细则》的通知',
    stage: 'archived',
    sections: [
      { title: '正文', drafter: 'secretary', paragraphs: ['现将《中共××区委办公室公文处理实施细则》印发给你们，请认真遵照执行。'] },
    ],
  },
];

const ORDER: Stage[] = ['drafting', 'proofreading', 'review', 'signing', 'circulation', 'archived'];
const reached = (target: Stage, stage: Stage) => ORDER.indexOf(target) >= ORDER.indexOf(stage);

/** Seeds the sample documents when there are none yet; returns how many it created. */
export async function seedDemoDocuments(app: INestApplicationContext): Promise<number> {
  const db = app.get<DataSource>(getDataSourceToken());
  const docs = app.get(DocumentsService);
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM documents`);
  if (n > 0) return 0;
  const rows: {
    id: string;
    username: string;
    display_name: string;
    unit_id: string | null;
    roles: AuthUser['roles'];
    clearance: AuthUser['clearance'];
    authority: AuthUser['authority'];
  }[] = await db.query(`SELECT id, username, display_name, unit_id, roles, clearance, authority FROM users WHERE active`);
  const users = new Map(
    rows.map((r) => [
      r.username,
      {
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
      } satisfies AuthUser,
    ]),
  );
  const as = (username: string): AuthUser => {
    const u = users.get(username);
    if (!u) throw new Error(`the demo user ${username} is missing`);
    return u;
  };
  const [committee] = await db.query(`SELECT id FROM units WHERE code = '区委办'`);
  const [group]: { id: string }[] = await db.query(`SELECT id FROM unit_groups WHERE name = '区直各单位'`);
  if (!committee || !users.has('chief')) return 0; // not the demo office
  const ok = async (p: Promise<{ body: Record<string, unknown> }>) =>
    (await p).body as { id: string; state: string; sections: { id: string }[] };
  const event = (who: string, id: string, body: Record<string, unknown>) => ok(docs.sendEvent(as(who), id, body, {}));

  for (const s of SAMPLES) {
    const input = CreateDocumentBody.parse({
      kind: '通知',
      title: s.title,
      urgency: s.urgency ?? 'none',
      issuerUnitIds: [committee.id],
      signers: [{ issuerUnitId: committee.id, signerId: as('signer').id }],
      // printed the same either way; named from the directory, the group's units receive it when registered
      ...(s.exchange && group
        ? {
            addressees: [
              { role: 'main', name: '各乡镇党委' },
              { role: 'main', groupId: group.id },
            ],
          }
        : { mainRecipients: ['各乡镇党委', '区直各单位'] }),
      sections: s.sections.map((x) => ({ title: x.title, drafterId: as(x.drafter).id })),
      ...(s.attachments ? { attachments: s.attachments.map((a, i) => ({ id: `att${i + 1}`, ...a })) } : {}),
      ...(s.deadlineDays !== undefined ? { deadline: new Date(Date.now() + s.deadlineDays * 86_400_000).toISOString() } : {}),
    });
    const doc = await ok(docs.create(as('chief'), input));
    const sectionIds = doc.sections.map((x) => x.id);
    // drafting: each section written and submitted by its drafter (the first only, for the draft still open)
    for (const [i, sec] of s.sections.entries()) {
      if (!sec.paragraphs.length) continue;
      const blocks = EditSectionBody.parse({
        blocks: [
          ...(s.sections.length > 1 ? [] : [{ id: 'h1', type: 'heading', level: 1, text: '总体要求' }]),
          ...sec.paragraphs.map((text, k) => ({ id: `p${k + 1}`, type: 'paragraph', text })),
        ],
      });
      await ok(docs.editSection(as(sec.drafter), doc.id, sectionIds[i], blocks, {}));
      await event(sec.drafter, doc.id, { type: 'SUBMIT_SECTION', sectionId: sectionIds[i] });
    }
    if (s.stage === 'drafting') continue;
    await event('chief', doc.id, { type: 'START_CONSOLIDATION' });
    await event('chief', doc.id, { type: 'SKIP_DISCUSSION', reason: '常规通知，无需集体讨论' });
    if (!reached(s.stage, 'review')) continue;
    await event('proofreader', doc.id, { type: 'PASS_PROOFREADING' });
    if (!reached(s.stage, 'signing')) continue;
    await event('reviewer', doc.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) });
    if (!reached(s.stage, 'circulation')) continue;
    await event('signer', doc.id, { type: 'SIGN', issuerUnitId: committee.id, opinion: '同意' });
    await event('clerk', doc.id, { type: 'REGISTER', copies: 20, readerIds: [as('reader').id, as('reader2').id] });
    await event('reader', doc.id, { type: 'OPEN' });
    await event('reader', doc.id, { type: 'ACKNOWLEDGE', opinion: '已阅，按要求办理。' });
    if (!reached(s.stage, 'archived')) continue;
    await event('reader2', doc.id, { type: 'ACKNOWLEDGE' });
    await event('archivist', doc.id, { type: 'FILE', retention: 'Y' });
  }
  // the receiving side: what the exchange delivered, and incoming items in several states
  await seedDemoIncoming(app);
  await seedDemoSupervision(app);
  return SAMPLES.length;
}
