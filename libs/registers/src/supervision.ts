/**
 * The printouts of supervision (督查督办): the 督办通知 that assigns an item, the 督查催办通知 of a colour card, the
 * periodic 督查通报 and the 督查事项登记簿 (DOCX and CSV). Pure: plain data in, bytes or text out.
 */
import { AlignmentType } from 'docx';
import { FONTS, appendRows, landscape, mm, pack, para, rowsXml, table } from '#gongwen/docx/forms';
import { toCsv } from '#gongwen/docx/csv';
import { RegisterDataError, chineseDay, dayOf, periodText, registerFileName, required } from './format.js';
import { heading, insertBandAboveTitle, officialLetterDocx, paragraphs } from './official.js';
import { registerTableDocx } from './register-docx.js';

/** Where an item comes from (来源). */
export type SupervisionSourceKind = 'instruction' | 'meeting' | 'document' | 'key_task';
export const SOURCE_LABELS: Record<SupervisionSourceKind, string> = {
  instruction: '领导批示',
  meeting: '会议决定',
  document: '文件部署',
  key_task: '重点工作',
};

/** 反馈频次 */
export type FeedbackCadence = 'once' | 'weekly' | 'monthly' | 'quarterly' | 'half_yearly';
export const CADENCE_LABELS: Record<FeedbackCadence, string> = {
  once: '一次性反馈',
  weekly: '每周反馈',
  monthly: '每月反馈',
  quarterly: '每季度反馈',
  half_yearly: '每半年反馈',
};

/** The colour card of an item: none, blue (deadline near), yellow (feedback late or sent back), red (overdue). */
export type CardColour = 'blue' | 'yellow' | 'red';
export type ItemCard = CardColour | 'none';
export const CARD_LABELS: Record<ItemCard, string> = { none: '无', blue: '蓝牌', yellow: '黄牌', red: '红牌' };
/** The band of a card: fill and text colour (hex RGB). */
export const CARD_COLOURS: Record<CardColour, { fill: string; color: string }> = {
  blue: { fill: '0070C0', color: 'FFFFFF' },
  yellow: { fill: 'FFC000', color: '000000' },
  red: { fill: 'C00000', color: 'FFFFFF' },
};

/** A supervision item as the register holds it (督查事项登记簿). */
export interface SupervisionItemRecord {
  /** 事项编号, e.g. 督〔2026〕12号; year and serial order the register. */
  number: string;
  year: number;
  serial: number;
  /** The matter, short (事项名称), e.g. 加快推进城区老旧小区改造. */
  matter: string;
  source: { kind: SupervisionSourceKind; /** 来源 as text: the document, meeting or instruction it comes from */ reference?: string };
  /** 批示领导 and 批示内容 */
  instructingLeader?: string | null;
  instruction?: string | null;
  /** 任务要求 (line breaks start new paragraphs) */
  requirements: string;
  /** 主办单位, 协办单位 */
  leadUnit: string;
  assistingUnits: readonly string[];
  /** 责任领导, 经办人 */
  responsibleLeader?: string | null;
  handler?: string | null;
  /** 完成时限 (the current one, after any approved extension), YYYY-MM-DD */
  deadline: string;
  cadence: FeedbackCadence;
  /** 成果形式 */
  resultForm?: string | null;
  /** 立项日期 (instant or date) */
  registeredAt: string;
  /** 推进状态 as printed, e.g. 办理中, 已办结 */
  status: string;
  card: ItemCard;
  /** 最近反馈时间 (instant or date) */
  lastFeedbackAt?: string | null;
  /** 办结 (销号) date, when closed (instant or date) */
  closedAt?: string | null;
  /** 进展情况 */
  progress?: string | null;
}

/** Who to call about a notice. */
export interface NoticeContact {
  name: string;
  phone?: string | null;
}

export interface SupervisionNotice {
  /** The issuing office (its name is the letterhead and signs the notice). */
  office: string;
  item: SupervisionItemRecord;
  /** 成文日期 (instant or date). */
  date: string;
  contact: NoticeContact;
}

const titleOf = (matter: string, what: string): string => `关于${matter.trim().replace(/^关于/, '')}的${what}`;

function checkItem(item: SupervisionItemRecord, where: string): void {
  required(item.number, 'number (事项编号)', where);
  required(item.matter, 'matter', where);
  required(item.leadUnit, 'leadUnit (主办单位)', where);
  required(item.requirements, 'requirements (任务要求)', where);
  required(item.deadline, 'deadline (完成时限)', where);
  if (!(item.cadence in CADENCE_LABELS)) throw new RegisterDataError(`${where}: unknown cadence ${String(item.cadence)}`);
}

const CADENCE_TEXT: Record<FeedbackCadence, string> = {
  once: '请于完成时限前书面反馈办理结果',
  weekly: '请每周报送一次进展情况，办结后书面反馈办理结果',
  monthly: '请每月报送一次进展情况，办结后书面反馈办理结果',
  quarterly: '请每季度报送一次进展情况，办结后书面反馈办理结果',
  half_yearly: '请每半年报送一次进展情况，办结后书面反馈办理结果',
};

const contactLine = (c: NoticeContact): string =>
  `联系人：${required(c.name, 'contact.name', 'notice')}${c.phone?.trim() ? `，联系电话：${c.phone.trim()}` : ''}。`;

const sourceLine = (item: SupervisionItemRecord): string => {
  const ref = item.source.reference?.trim();
  return `事项来源：${SOURCE_LABELS[item.source.kind]}${ref ? `（${ref}）` : ''}。`;
};

/** 督办通知: assigns an item to its lead and assisting units, on the office's letterhead, numbered with the item. */
export async function supervisionNoticeDocx(notice: SupervisionNotice): Promise<Buffer> {
  const { item } = notice;
  checkItem(item, 'supervision notice');
  const office = required(notice.office, 'office', 'supervision notice');
  const assisting = item.assistingUnits.map((u) => u.trim()).filter(Boolean);
  const blocks = [
    ...paragraphs(`现将“${item.matter.trim()}”列为督办事项（编号：${item.number.trim()}），请认真抓好落实。有关事项通知如下：`),
    heading('督办事项'),
    ...paragraphs(
      [
        `事项编号：${item.number.trim()}。`,
        sourceLine(item),
        item.instruction?.trim() ? `${item.instructingLeader?.trim() || '领导'}批示：“${item.instruction.trim()}”` : '',
      ].join('\n'),
    ),
    heading('任务要求'),
    ...paragraphs(item.requirements),
    heading('责任分工'),
    ...paragraphs(
      [
        `主办单位：${item.leadUnit.trim()}；协办单位：${assisting.length ? assisting.join('、') : '无'}。主办单位牵头负责，协办单位密切配合。`,
        item.responsibleLeader?.trim()
          ? `责任领导：${item.responsibleLeader.trim()}${item.handler?.trim() ? `；经办人：${item.handler.trim()}` : ''}。`
          : '',
      ].join('\n'),
    ),
    heading('办理时限'),
    ...paragraphs(`请于${chineseDay(item.deadline)}前办结。确需延期的，须在期限届满前提出申请，说明理由、目前进展和拟办结日期。`),
    heading('反馈要求'),
    ...paragraphs(
      `反馈频次：${CADENCE_LABELS[item.cadence]}。${CADENCE_TEXT[item.cadence]}。${item.resultForm?.trim() ? `成果形式：${item.resultForm.trim()}。` : ''}`,
    ),
    heading('联系方式'),
    ...paragraphs(contactLine(notice.contact)),
  ];
  return officialLetterDocx({
    office,
    number: item.number.trim(),
    title: titleOf(item.matter, '督办通知'),
    recipients: [item.leadUnit.trim(), ...assisting],
    blocks,
    date: notice.date,
  });
}

/** Why a card was issued. */
export type ReminderReason = 'deadline_near' | 'feedback_late' | 'feedback_returned' | 'overdue';

export interface ReminderNotice {
  office: string;
  item: SupervisionItemRecord;
  card: CardColour;
  reason: ReminderReason;
  /** Details for the reason: working days left (deadline_near), the feedback due date (feedback_late), why the
   * feedback was sent back (feedback_returned), days overdue (overdue). */
  daysLeft?: number;
  feedbackDue?: string;
  returnReason?: string;
  daysOverdue?: number;
  /** The new requirement (催办要求; line breaks start new paragraphs). */
  requirement: string;
  /** Reply by (instant or date). */
  respondBy: string;
  /** 成文日期 (instant or date). */
  date: string;
  contact: NoticeContact;
}

function reasonText(n: ReminderNotice): string {
  const deadline = chineseDay(n.item.deadline);
  switch (n.reason) {
    case 'deadline_near':
      return `该事项完成时限为${deadline}，${n.daysLeft !== undefined ? `距完成时限仅剩${n.daysLeft}个工作日，` : '完成时限临近，'}目前尚未办结。`;
    case 'feedback_late':
      return `按照督办要求，该事项应于${n.feedbackDue ? chineseDay(n.feedbackDue) : '规定时间'}前反馈进展情况，至今未收到反馈。`;
    case 'feedback_returned':
      return `你单位报送的办理情况经审核未达到办结要求，已退回重办${n.returnReason?.trim() ? `，退回理由：${n.returnReason.trim()}` : ''}。`;
    case 'overdue':
      return `该事项完成时限为${deadline}，${n.daysOverdue !== undefined ? `已逾期${n.daysOverdue}天，` : '现已逾期，'}仍未办结。`;
  }
}

/**
 * 督查催办通知 of a colour card: the card named in the title (蓝牌督办, 黄牌督办, 红牌督办) and shown as a band in its
 * colour above the title; sent to the lead unit and, from yellow on, to the responsible leader.
 */
export async function reminderNoticeDocx(n: ReminderNotice): Promise<Buffer> {
  checkItem(n.item, 'reminder notice');
  const office = required(n.office, 'office', 'reminder notice');
  if (!(n.card in CARD_COLOURS)) throw new RegisterDataError(`reminder notice: unknown card ${String(n.card)}`);
  required(n.requirement, 'requirement', 'reminder notice');
  const cardName = `${CARD_LABELS[n.card]}督办`;
  const leader = n.item.responsibleLeader?.trim();
  const recipients = [n.item.leadUnit.trim(), ...(n.card !== 'blue' && leader ? [leader] : [])];
  const blocks = [
    ...paragraphs(
      `${n.item.leadUnit.trim()}承办的督办事项“${n.item.matter.trim()}”（${n.item.number.trim()}），现予${cardName}。${reasonText(n)}`,
    ),
    heading('催办要求'),
    ...paragraphs(n.requirement),
    ...paragraphs(
      `请于${chineseDay(n.respondBy)}前将办理情况书面反馈${office}。` +
        (n.card === 'red' ? '对逾期仍未办结的事项，将按照督查问责有关规定予以通报。' : ''),
    ),
    heading('联系方式'),
    ...paragraphs(contactLine(n.contact)),
  ];
  const docx = await officialLetterDocx({
    office,
    number: n.item.number.trim(),
    title: `${titleOf(n.item.matter, '督查催办通知')}（${cardName}）`,
    recipients,
    blocks,
    date: n.date,
  });
  return insertBandAboveTitle(docx, { text: cardName, ...CARD_COLOURS[n.card] });
}

// ------------------------------------------------------------------------------------------- report and register

/** Items in register order (year, serial); throws on a number given twice or a missing required field. */
export function registerOrder(items: readonly SupervisionItemRecord[]): SupervisionItemRecord[] {
  items.forEach((item, i) => checkItem(item, `supervision item ${i + 1}`));
  const sorted = [...items].sort((a, b) => a.year - b.year || a.serial - b.serial);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].year === sorted[i - 1].year && sorted[i].serial === sorted[i - 1].serial) {
      throw new RegisterDataError(`事项编号 ${sorted[i].number} appears twice`);
    }
  }
  return sorted;
}

export interface UnitOnTime {
  unit: string;
  /** Items led by the unit. */
  items: number;
  /** Closed by their deadline. */
  onTime: number;
  /** Closed after their deadline, or open past it at the report date. */
  late: number;
  /** onTime / (onTime + late); null when no item of the unit is closed or due yet. */
  rate: number | null;
}

export interface SupervisionStats {
  total: number;
  /** Count per status label, in the order the labels first appear in register order. */
  byStatus: { status: string; count: number }[];
  /** Count per card (none, blue, yellow, red: every colour, zeros included). */
  byCard: Record<ItemCard, number>;
  /** On-time rate per lead unit, in the order units first appear. */
  byUnit: UnitOnTime[];
}

/** Counts per status and colour, and the on-time rate per lead unit as of a date (YYYY-MM-DD). */
export function supervisionStats(items: readonly SupervisionItemRecord[], asOf: string): SupervisionStats {
  const ordered = registerOrder(items);
  const today = dayOf(asOf);
  const byStatus = new Map<string, number>();
  const byCard: Record<ItemCard, number> = { none: 0, blue: 0, yellow: 0, red: 0 };
  const byUnit = new Map<string, UnitOnTime>();
  for (const item of ordered) {
    byStatus.set(item.status, (byStatus.get(item.status) ?? 0) + 1);
    byCard[item.card] += 1;
    const unit = byUnit.get(item.leadUnit) ?? { unit: item.leadUnit, items: 0, onTime: 0, late: 0, rate: null };
    unit.items += 1;
    const deadline = dayOf(item.deadline);
    const closed = dayOf(item.closedAt);
    if (closed) {
      if (closed <= deadline) unit.onTime += 1;
      else unit.late += 1;
    } else if (today > deadline) unit.late += 1;
    byUnit.set(item.leadUnit, unit);
  }
  for (const u of byUnit.values()) u.rate = u.onTime + u.late ? u.onTime / (u.onTime + u.late) : null;
  return {
    total: ordered.length,
    byStatus: [...byStatus].map(([status, count]) => ({ status, count })),
    byCard,
    byUnit: [...byUnit.values()],
  };
}

/** A rate as a percentage with one decimal, 87.5%; — for none. */
export const percent = (rate: number | null): string => (rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`);

export interface SupervisionReport {
  office: string;
  kind: 'weekly' | 'monthly';
  /** 期号, e.g. 2026年第47期 (optional). */
  issue?: string;
  from: string;
  to: string;
  /** The date the report is made (instant or date): overdue and on-time are judged on it. */
  asOf: string;
  items: readonly SupervisionItemRecord[];
}

const L = AlignmentType.LEFT;
const C = AlignmentType.CENTER;

/** Counts per status (with the total) beside the counts per card, in one table. */
function countsTable(stats: SupervisionStats) {
  const status = [...stats.byStatus.map((s) => [s.status, String(s.count)]), ['合计', String(stats.total)]];
  const cards = (['none', 'blue', 'yellow', 'red'] as const).map((c) => [CARD_LABELS[c], String(stats.byCard[c])]);
  const n = Math.max(status.length, cards.length);
  return table(
    [50, 25, 50, 25],
    [
      { cells: ['推进状态', '事项数', '督办牌', '事项数'], header: true },
      ...Array.from({ length: n }, (_, i) => ({ cells: [...(status[i] ?? ['', '']), ...(cards[i] ?? ['', ''])] })),
    ],
    12,
  );
}

/** 督查通报 (weekly or monthly): totals, counts per status and colour, on-time rates per unit, every item. */
export async function supervisionReportDocx(report: SupervisionReport): Promise<Buffer> {
  const office = required(report.office, 'office', 'supervision report');
  const stats = supervisionStats(report.items, report.asOf);
  const items = registerOrder(report.items);
  const kind = report.kind === 'weekly' ? '周报' : '月报';
  const period = periodText(report.from, report.to);
  const red = stats.byCard.red;
  const summary =
    `截至${chineseDay(report.asOf)}，督办事项共${stats.total}项，` +
    stats.byStatus.map((s) => `${s.status}${s.count}项`).join('，') +
    `；亮牌情况：蓝牌${stats.byCard.blue}项，黄牌${stats.byCard.yellow}项，红牌${red}项。`;
  const ITEM_WIDTHS = [30, 50, 30, 32, 22, 17, 13, 22, 31];
  const itemRows = items.map((i) => ({
    cells: [
      i.number,
      i.matter,
      i.leadUnit,
      i.assistingUnits.join('、'),
      dayOf(i.deadline),
      i.status,
      CARD_LABELS[i.card],
      dayOf(i.lastFeedbackAt),
      i.progress?.trim() ?? '',
    ],
    align: [C, L, L, L, C, C, C, C, L],
  }));
  const docx = await pack(`督查通报 ${office} ${period}`, [
    landscape(
      [
        para('督查通报', 26, { font: FONTS.title, align: C, after: mm(2) }),
        para([report.issue?.trim(), `（${kind}　${period}）`].filter(Boolean).join(''), 14, { font: FONTS.fang, align: C }),
        para(`${office}　　${chineseDay(report.asOf)}`, 14, { font: FONTS.fang, align: C, after: mm(4) }),
        para('一、总体情况', 16, { font: FONTS.hei, after: mm(2), keepNext: true }),
        para(summary, 14, { font: FONTS.fang, after: mm(3) }),
        countsTable(stats),
        para('二、各单位按时办结率', 16, { font: FONTS.hei, before: mm(4), after: mm(2), keepNext: true }),
        table(
          [70, 30, 30, 30, 35],
          [
            { cells: ['主办单位', '事项数', '按时办结', '逾期', '按时办结率'], header: true },
            ...stats.byUnit.map((u) => ({
              cells: [u.unit, String(u.items), String(u.onTime), String(u.late), percent(u.rate)],
              align: [L, C, C, C, C],
            })),
          ],
          12,
        ),
        para('三、事项清单', 16, { font: FONTS.hei, before: mm(4), after: mm(2), keepNext: true }),
        table(
          ITEM_WIDTHS,
          [{ cells: ['事项编号', '事项', '主办单位', '协办单位', '完成时限', '推进状态', '督办牌', '最近反馈', '进展情况'], header: true }],
          10.5,
        ),
      ],
      true,
    ),
  ]);
  return appendRows(docx, rowsXml(ITEM_WIDTHS, itemRows, 10.5, 8));
}

/** The columns of the 督查事项登记簿, in print order. */
export const SUPERVISION_REGISTER_COLUMNS = [
  '事项编号',
  '立项日期',
  '来源',
  '事项',
  '批示领导',
  '批示内容',
  '任务要求',
  '主办单位',
  '协办单位',
  '责任领导',
  '经办人',
  '完成时限',
  '反馈频次',
  '成果形式',
  '推进状态',
  '督办牌',
  '最近反馈',
  '办结日期',
] as const;

/** The register's rows (one string per column), in 事项编号 order. */
export function supervisionRegisterTable(items: readonly SupervisionItemRecord[]): string[][] {
  return registerOrder(items).map((i) => [
    i.number.trim(),
    dayOf(i.registeredAt),
    [SOURCE_LABELS[i.source.kind], i.source.reference?.trim()].filter(Boolean).join('：'),
    i.matter.trim(),
    i.instructingLeader?.trim() ?? '',
    i.instruction?.trim() ?? '',
    i.requirements.trim(),
    i.leadUnit.trim(),
    i.assistingUnits.map((u) => u.trim()).join('、'),
    i.responsibleLeader?.trim() ?? '',
    i.handler?.trim() ?? '',
    dayOf(i.deadline),
    CADENCE_LABELS[i.cadence],
    i.resultForm?.trim() ?? '',
    i.status,
    CARD_LABELS[i.card],
    dayOf(i.lastFeedbackAt),
    dayOf(i.closedAt),
  ]);
}

export function supervisionRegisterCsv(items: readonly SupervisionItemRecord[]): string {
  return toCsv(SUPERVISION_REGISTER_COLUMNS, supervisionRegisterTable(items));
}

export interface SupervisionRegisterHead {
  office: string;
  from: string;
  to: string;
}

/** 247 mm of landscape text width over 18 columns. */
const REGISTER_WIDTHS = [23, 15, 20, 18, 9, 16, 20, 13, 13, 10, 8, 15, 10, 9, 10, 8, 15, 15];

/** The 督查事项登记簿 as DOCX (A4 landscape, the header on every page, pages numbered). */
export async function supervisionRegisterDocx(head: SupervisionRegisterHead, items: readonly SupervisionItemRecord[]): Promise<Buffer> {
  const office = required(head.office, 'office', 'supervision register');
  const rows = supervisionRegisterTable(items);
  const period = periodText(head.from, head.to);
  return registerTableDocx(
    {
      title: '督查事项登记簿',
      subtitle: `${office}　　期间：${period}　　共${rows.length}项`,
      columns: SUPERVISION_REGISTER_COLUMNS,
      widths: REGISTER_WIDTHS,
      align: [C, C, L, L, C, L, L, L, L, C, C, C, C, L, C, C, C, C],
      pt: 7.5,
    },
    rows,
  );
}

/** Download names of the supervision printouts. */
export function supervisionRegisterFileName(head: SupervisionRegisterHead, ext: 'csv' | 'docx'): string {
  return registerFileName(head.office, '督查事项登记簿', head.from, head.to, ext);
}
export function supervisionReportFileName(report: Pick<SupervisionReport, 'office' | 'from' | 'to'>): string {
  return registerFileName(report.office, '督查通报', report.from, report.to, 'docx');
}
