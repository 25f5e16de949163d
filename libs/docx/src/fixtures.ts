/**
 * Sample documents shared by the tests, the sample generator and the benchmark. Deterministic: no clocks, no
 * randomness.
 */
import type { Block, DocumentContent, IssuerRef, RenderContext } from '#gongwen/document/model';

export const DISTRICT_OFFICE: IssuerRef = { unitId: 'u-qwb', name: '中共××区委办公室', code: '区委办' };
export const DISTRICT_GOV_OFFICE: IssuerRef = { unitId: 'u-qzfb', name: '××区人民政府办公室', code: '区政办' };
export const DISTRICT_COMMITTEE: IssuerRef = { unitId: 'u-qw', name: '中共××区委员会', code: '区委' };

let blockSeq = 0;
const id = (): string => `f${++blockSeq}`;
const p = (text: string): Block => ({ id: id(), type: 'paragraph', text });
const h = (level: 1 | 2 | 3 | 4, text: string): Block => ({ id: id(), type: 'heading', level, text });

/** Sentences in the register of a district office's notice, combined into paragraphs of varying length. */
const SENTENCES = [
  '各单位要充分认识规范公文处理工作的重要意义，把公文质量作为检验机关作风和工作水平的重要标尺。',
  '起草公文要符合国家法律法规和党的路线方针政策，完整准确体现发文机关意图，并同现行有关公文相衔接。',
  '文秘人员分口起草，科长统稿，重要文稿实行集体讨论制度，做到上下互动、左右协调、集思广益、反复修改。',
  '校对人员要对照原稿逐字逐句核对，重点检查文字、数字、标点符号、计量单位和引文是否准确无误。',
  '办公室审核要严格把好政策关、文字关和格式关，对不符合要求的文稿一律退回起草单位修改完善。',
  '签发人应当在签发前认真审阅文稿，对文稿内容负责，签署意见、姓名和完整日期，不得代签或补签。',
  '公文登记编号后方可印制分发，涉密公文应当标注份号，严格按照规定范围发放，并做好清退和销毁登记。',
  '各单位要建立健全首问负责、限时办结和责任追究制度，确保领导批办事项件件有着落、事事有回音。',
  '对工作中发现的问题要及时研究解决，重大情况及时向区委办公室报告，不得迟报、漏报、瞒报。',
  '办理完毕的公文要及时整理归档，做到收集齐全、分类准确、排列有序、编目规范、便于利用。',
];

/** A paragraph of `n` sentences starting at sentence `from`. */
export function sampleParagraph(from: number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += SENTENCES[(from + i) % SENTENCES.length];
  return out;
}

const ISSUED: Pick<RenderContext, 'draft' | 'printedDate'> = { draft: false, printedDate: '2026-11-26' };

export interface Fixture {
  name: string;
  content: DocumentContent;
  ctx: RenderContext;
}

/** A typical 通知 of about three pages: four level-1 headings with subheadings, an attachment, 抄送 and 印发. */
export function noticeFixture(): Fixture {
  blockSeq = 0;
  const blocks: Block[] = [
    p(
      '为进一步规范全区机关公文处理工作，提高公文质量和办文效率，根据《党政机关公文处理工作条例》和《党政机关公文格式》国家标准，结合我区实际，现就有关事项通知如下。',
    ),
    h(1, '总体要求'),
    p(sampleParagraph(0, 3)),
    h(1, '主要任务'),
    h(2, '严把起草关'),
    p(sampleParagraph(1, 2)),
    h(2, '严把校对关'),
    p(sampleParagraph(3, 2)),
    h(3, '逐字核对'),
    p(sampleParagraph(4, 1)),
    h(3, '交叉复核'),
    p(sampleParagraph(5, 1)),
    h(2, '严把审签关'),
    p(sampleParagraph(5, 2)),
    h(1, '工作要求'),
    h(2, '加强组织领导'),
    p(sampleParagraph(7, 2)),
    h(2, '强化督促检查'),
    p(sampleParagraph(8, 2)),
    h(4, '定期通报'),
    p(sampleParagraph(9, 1)),
    h(1, '其他事项'),
    p('本通知自印发之日起施行。执行中遇到的问题，请及时向区委办公室秘书科反映。'),
  ];
  return {
    name: 'notice',
    content: {
      kind: '通知',
      title: '关于进一步加强全区机关公文处理工作规范化建设的通知',
      issuers: [DISTRICT_OFFICE],
      mainRecipients: ['各镇党委', '区委各部委', '区级国家机关各部门党组（党委）', '各人民团体党组'],
      copiesTo: ['区委各常委', '区人大常委会办公室', '区政府办公室', '区政协办公室'],
      classification: 'none',
      urgency: 'none',
      note: '此件公开发布',
      attachments: [
        {
          id: 'a1',
          title: '全区机关公文处理常见问题清单',
          blocks: [
            p('一是文种使用不当，将请示与报告混用；二是标题要素不全；三是主送机关使用简称不规范。'),
            {
              id: id(),
              type: 'table',
              headerRows: 1,
              rows: [
                ['序号', '问题类型', '整改要求'],
                ['1', '文种混用', '按条例第八条选用文种'],
                ['2', '格式错误', '按国家标准排版'],
              ],
            },
          ],
        },
        { id: 'a2', title: '公文处理工作联系人名单' },
      ],
      sections: [{ id: 's1', title: '正文', drafterId: 'u1', blocks }],
    },
    ctx: {
      ...ISSUED,
      documentNumber: '区委办发〔2026〕12号',
      signers: [{ name: '王××', issuerUnitId: DISTRICT_OFFICE.unitId, signedAt: '2026-11-26T09:30:00+08:00' }],
      dateOfIssue: '2026-11-26',
      printedBy: '中共××区委办公室',
      revisionNumber: 4,
      revisionHash: 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff',
    },
  };
}

/** A 请示 to a higher body, with a signer on the number line. */
export function requestFixture(): Fixture {
  blockSeq = 100;
  return {
    name: 'request',
    content: {
      kind: '请示',
      title: '关于申请安排2027年度机关公文处理系统升级改造经费的请示',
      issuers: [DISTRICT_OFFICE],
      mainRecipients: ['区委'],
      copiesTo: [],
      classification: 'none',
      urgency: 'none',
      attachments: [],
      sections: [
        {
          id: 's1',
          title: '正文',
          drafterId: 'u2',
          blocks: [
            p('现行机关公文处理系统建成于2016年，已不能满足起草、校对、审签全过程留痕和电子归档的要求。'),
            h(1, '升级改造的必要性'),
            p(sampleParagraph(2, 2)),
            h(1, '经费测算'),
            p('经测算，系统升级改造共需经费48.6万元，其中软件开发32万元、硬件购置12万元、等级保护测评4.6万元。'),
            p('妥否，请批示。'),
          ],
        },
      ],
    },
    ctx: {
      ...ISSUED,
      documentNumber: '区委办〔2026〕7号',
      signers: [{ name: '王××', issuerUnitId: DISTRICT_OFFICE.unitId, signedAt: '2026-11-20T16:00:00+08:00' }],
      dateOfIssue: '2026-11-20',
      printedDate: '2026-11-20',
      revisionHash: 'sha256:aa11',
    },
  };
}

/** A joint 请示 of two bodies (used by the samples): two signers stacked on the number line. */
export function jointRequestFixture(): Fixture {
  const f = requestFixture();
  return {
    name: 'joint-request',
    content: { ...f.content, issuers: [DISTRICT_OFFICE, DISTRICT_GOV_OFFICE], title: '关于联合开展全区机关公文质量专项检查的请示' },
    ctx: {
      ...f.ctx,
      documentNumber: '区委办〔2026〕9号',
      signers: [
        { name: '王××', issuerUnitId: DISTRICT_OFFICE.unitId, signedAt: '2026-11-21T10:00:00+08:00' },
        { name: '李××', issuerUnitId: DISTRICT_GOV_OFFICE.unitId, signedAt: '2026-11-22T11:00:00+08:00' },
      ],
      dateOfIssue: '2026-11-22',
      printedBy: '中共××区委办公室',
      printedDate: '2026-11-22',
    },
  };
}

/** A joint 通知 of two bodies. */
export function jointFixture(): Fixture {
  blockSeq = 200;
  return {
    name: 'joint',
    content: {
      kind: '通知',
      title: '关于做好2027年元旦春节期间值班工作的通知',
      issuers: [DISTRICT_OFFICE, DISTRICT_GOV_OFFICE],
      mainRecipients: ['各镇党委、人民政府', '区级各部门'],
      copiesTo: ['区委各常委', '区政府各副区长'],
      classification: 'none',
      urgency: 'urgent',
      attachments: [],
      sections: [
        {
          id: 's1',
          title: '正文',
          drafterId: 'u3',
          blocks: [
            p('元旦春节即将来临，为确保节日期间全区各项工作正常运转，经区委、区政府同意，现就做好值班工作通知如下。'),
            h(1, '严格落实值班制度'),
            p('各单位要实行领导带班和24小时值班制度，值班人员必须坚守岗位，保持通信畅通。'),
            h(1, '及时报告重要情况'),
            p('遇有重大突发事件，要在30分钟内电话报告、1小时内书面报告区委、区政府总值班室。'),
          ],
        },
      ],
    },
    ctx: {
      ...ISSUED,
      documentNumber: '区委办发〔2026〕15号',
      signers: [
        { name: '王××', issuerUnitId: DISTRICT_OFFICE.unitId, signedAt: '2026-12-01T10:00:00+08:00' },
        { name: '李××', issuerUnitId: DISTRICT_GOV_OFFICE.unitId, signedAt: '2026-12-02T10:00:00+08:00' },
      ],
      dateOfIssue: '2026-12-02',
      printedBy: '中共××区委办公室',
      printedDate: '2026-12-02',
    },
  };
}

/** A classified, extra-urgent 通报: copy number, 机密★1年, 特急. */
export function classifiedFixture(): Fixture {
  blockSeq = 300;
  return {
    name: 'classified',
    content: {
      kind: '通报',
      title: '关于一起涉密文件管理违规问题的通报',
      issuers: [DISTRICT_COMMITTEE],
      mainRecipients: ['各镇党委', '区委各部委'],
      copiesTo: ['区纪委监委'],
      classification: 'secret',
      secrecyPeriod: '1年',
      urgency: 'extra_urgent',
      attachments: [],
      sections: [
        {
          id: 's1',
          title: '正文',
          drafterId: 'u4',
          blocks: [
            p('近期，在保密检查中发现个别单位违规复制涉密文件，造成严重隐患。现将有关情况通报如下。'),
            h(1, '基本情况'),
            p('某单位工作人员未经批准，私自复制机密级文件2份并存放于非涉密计算机。'),
            h(1, '处理意见'),
            p('责令该单位立即整改，对直接责任人给予党内警告处分。'),
          ],
        },
      ],
    },
    ctx: {
      ...ISSUED,
      documentNumber: '区委发〔2026〕3号',
      copyNumber: '000021',
      copyRecipient: '区委办公室',
      signers: [{ name: '张××', issuerUnitId: DISTRICT_COMMITTEE.unitId, signedAt: '2026-10-09T08:00:00+08:00' }],
      dateOfIssue: '2026-10-09',
      printedBy: '中共××区委办公室',
      printedDate: '2026-10-09',
    },
  };
}

/** A 函 in the letter layout. */
export function letterFixture(): Fixture {
  blockSeq = 400;
  return {
    name: 'letter',
    content: {
      kind: '函',
      title: '关于商请提供2026年度公文处理工作统计数据的函',
      issuers: [DISTRICT_OFFICE],
      mainRecipients: ['区档案馆'],
      copiesTo: ['区委保密办'],
      classification: 'none',
      urgency: 'none',
      attachments: [],
      sections: [
        {
          id: 's1',
          title: '正文',
          drafterId: 'u5',
          blocks: [
            p('为做好年度公文处理工作总结，请你馆于12月15日前提供2026年度公文归档数量、利用人次等统计数据。'),
            p('联系人：赵××，电话：12345678。'),
            p('特此函达。'),
          ],
        },
      ],
    },
    ctx: {
      ...ISSUED,
      documentNumber: '区委办函〔2026〕21号',
      signers: [{ name: '王××', issuerUnitId: DISTRICT_OFFICE.unitId, signedAt: '2026-11-28T10:00:00+08:00' }],
      dateOfIssue: '2026-11-28',
    },
  };
}

/** A 纪要 with attendance. */
/**
 * A 纪要 of about two and a half pages whose last section (a heading and a long paragraph) comes just before the
 * attendance lines at the foot of page 2: the case where keep-with-next chains used to push the whole section over.
 */
export function longMinutesFixture(sections = 6): Fixture {
  const f = minutesFixture();
  blockSeq = 600;
  const blocks: Block[] = [p('11月24日，区委办公室主任王××主持召开2026年第12次主任办公会议，研究公文处理规范化建设有关工作。纪要如下。')];
  for (let i = 0; i < sections; i++) {
    blocks.push(
      h(
        1,
        [
          '关于公文处理系统升级',
          '关于年度归档工作',
          '关于保密管理',
          '关于督查督办',
          '关于值班值守',
          '关于信息报送',
          '关于会议活动',
          '关于队伍建设',
        ][i % 8],
      ),
    );
    blocks.push(p(sampleParagraph(i, i === sections - 1 ? 4 : 2)));
  }
  return {
    name: 'minutes-long',
    content: { ...f.content, sections: [{ ...f.content.sections[0], blocks }] },
    ctx: f.ctx,
  };
}

export function minutesFixture(): Fixture {
  blockSeq = 500;
  return {
    name: 'minutes',
    content: {
      kind: '纪要',
      title: '区委办公室2026年第12次主任办公会议纪要',
      issuers: [{ unitId: 'u-qwb', name: '区委办公室主任办公会议', code: '区委办' }],
      mainRecipients: [],
      copiesTo: ['区委各常委'],
      classification: 'none',
      urgency: 'none',
      attachments: [],
      minutes: {
        present: ['王××', '李××', '张××', '刘××', '陈××'],
        absent: ['赵××（出差）'],
        attending: ['区委保密办  孙××', '区档案馆  周××'],
      },
      sections: [
        {
          id: 's1',
          title: '正文',
          drafterId: 'u6',
          blocks: [
            p('11月24日，区委办公室主任王××主持召开2026年第12次主任办公会议，研究公文处理规范化建设有关工作。纪要如下。'),
            h(1, '关于公文处理系统升级'),
            p('会议同意启动公文处理系统升级改造，由秘书科牵头，信息科配合，12月底前完成方案论证。'),
            h(1, '关于年度归档工作'),
            p('会议要求各科室于12月20日前完成2026年度文件材料的整理归档。'),
          ],
        },
      ],
    },
    ctx: {
      ...ISSUED,
      documentNumber: '第12期',
      signers: [{ name: '王××', issuerUnitId: 'u-qwb', signedAt: '2026-11-25T10:00:00+08:00' }],
      dateOfIssue: '2026-11-25',
      printedBy: '中共××区委办公室',
      printedDate: '2026-11-25',
    },
  };
}

/**
 * A long 通知 of about `pages` pages: headings every few paragraphs and long paragraphs, for the grid checks
 * (full lines, full pages) and the 30-page benchmark.
 */
export function longFixture(pages = 30): Fixture {
  blockSeq = 1000;
  const base = noticeFixture();
  const blocks: Block[] = [];
  // 22 lines a page; a paragraph of 4 sentences sets in about 7.9 lines, plus a heading every third paragraph.
  // Page 1 loses half a page to the header, the last page holds the signature and the imprint.
  const paragraphs = Math.max(1, Math.round(((pages - 1) * 22) / 7.6));
  for (let i = 0; i < paragraphs; i++) {
    if (i % 6 === 0) blocks.push(h(1, `第${i / 6 + 1}部分工作安排`));
    else if (i % 3 === 0) blocks.push(h(2, '具体措施'));
    blocks.push(p(sampleParagraph(i, 4)));
  }
  return {
    name: `long-${pages}`,
    content: {
      ...base.content,
      title: '关于印发全区机关公文处理工作实施细则的通知',
      attachments: [],
      sections: [{ id: 's1', title: '正文', drafterId: 'u1', blocks }],
    },
    ctx: { ...base.ctx, documentNumber: '区委办发〔2026〕30号' },
  };
}

/** A typical 通知 of three pages: the notice without its attachments and its level-3/4 subsections. */
export function typicalNoticeFixture(): Fixture {
  const f = noticeFixture();
  const blocks = bodyBlocksOf(f.content).filter((b, i, all) => {
    const inSub = (k: number): boolean => all[k]?.type === 'heading' && ((all[k] as { level: number }).level ?? 0) >= 3;
    return !inSub(i) && !(b.type === 'paragraph' && inSub(i - 1));
  });
  return {
    name: 'notice-3p',
    content: { ...f.content, attachments: [], sections: [{ id: 's1', title: '正文', drafterId: 'u1', blocks }] },
    ctx: f.ctx,
  };
}

const bodyBlocksOf = (c: DocumentContent): Block[] => c.sections.flatMap((s) => s.blocks);

/** A draft (unsigned revision) of the notice. */
export function draftFixture(): Fixture {
  const f = noticeFixture();
  return {
    name: 'draft',
    content: f.content,
    ctx: { draft: true, signers: [], revisionNumber: 3, revisionHash: 'sha256:draft3' },
  };
}

export const LAYOUT_FIXTURES = (): Fixture[] => [
  noticeFixture(),
  requestFixture(),
  jointFixture(),
  classifiedFixture(),
  letterFixture(),
  minutesFixture(),
];
