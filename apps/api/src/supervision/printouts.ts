/**
 * The supervision office's papers as DOCX: the supervision notice (督办通知), the reminder notice of a colour card
 * (督查催办通知), the periodic report (督查通报) and the register (督查事项登记簿), plus the register as CSV.
 * Built on the shared form helpers (libs/docx forms): 方正小标宋 titles, 仿宋 text, ruled tables.
 */
import { AlignmentType } from 'docx';
import { appendRows, FONTS, landscape, pack, para, portrait, rowsXml, table } from '#gongwen/docx/forms';
import { COLOUR_LABELS, type Colour } from '#gongwen/workflows/supervision';

export const STATE_LABELS: Record<string, string> = {
  registered: '已立项',
  assigned: '已交办',
  in_progress: '办理中',
  review: '待审结',
  closed: '已办结',
  archived: '已归档',
  cancelled: '已撤销',
};
export const CADENCE_LABELS: Record<string, string> = {
  once: '办结时反馈',
  weekly: '每周',
  monthly: '每月',
  quarterly: '每季度',
  half_yearly: '每半年',
};
export const SOURCE_LABELS: Record<string, string> = {
  instruction: '领导批示',
  meeting: '会议纪要',
  document: '文件',
  key_task: '重点工作',
};

/** A register row as the printouts use it (names resolved). */
export interface RegisterLine {
  itemNumber: string;
  title: string;
  sourceKind: string;
  instructingLeader: string;
  instructionText: string;
  requirements: string;
  leadUnit: string;
  assistingUnits: string[];
  responsibleLeader: string;
  deadline: string;
  cadence: string;
  resultForm: string;
  state: string;
  colour: Colour;
  registeredAt: string;
  closedAt: string | null;
  onTime: boolean | null;
}

const cnDate = (d: string): string => {
  const [y, m, day] = d.slice(0, 10).split('-').map(Number);
  return `${y}年${m}月${day}日`;
};

/** 督办通知: to the lead and assisting units, with the task, its requirements and the deadline. */
export function noticeDocx(line: RegisterLine, issuedOn: string): Promise<Buffer> {
  const body = [
    para('督办通知', 22, { font: FONTS.title, align: AlignmentType.CENTER, after: 200 }),
    para(line.itemNumber, 16, { font: FONTS.fang, align: AlignmentType.CENTER, after: 300 }),
    para(`${line.leadUnit}${line.assistingUnits.length ? `、${line.assistingUnits.join('、')}` : ''}：`, 16, {
      font: FONTS.fang,
      after: 100,
    }),
    para(
      `　　现将“${line.title}”列为督办事项，由${line.leadUnit}牵头办理${line.assistingUnits.length ? `，${line.assistingUnits.join('、')}协办` : ''}，责任领导${line.responsibleLeader}。请于${cnDate(line.deadline)}前办结，并按${CADENCE_LABELS[line.cadence] ?? line.cadence}反馈进展情况。`,
      16,
      { font: FONTS.fang, after: 100 },
    ),
    table(
      [35, 125],
      [
        { cells: ['事项编号', line.itemNumber] },
        { cells: ['来源', SOURCE_LABELS[line.sourceKind] ?? line.sourceKind] },
        { cells: ['批示领导', line.instructingLeader] },
        { cells: ['批示内容', line.instructionText], align: [AlignmentType.CENTER, AlignmentType.LEFT] },
        { cells: ['任务要求', line.requirements], align: [AlignmentType.CENTER, AlignmentType.LEFT] },
        { cells: ['主办单位', line.leadUnit] },
        { cells: ['协办单位', line.assistingUnits.join('、') || '无'] },
        { cells: ['完成时限', cnDate(line.deadline)] },
        { cells: ['反馈频次', CADENCE_LABELS[line.cadence] ?? line.cadence] },
        { cells: ['成果形式', line.resultForm] },
      ],
      12,
    ),
    para(`督查室　　${cnDate(issuedOn)}`, 16, { font: FONTS.fang, align: AlignmentType.RIGHT, before: 400 }),
  ];
  return pack(`督办通知 ${line.itemNumber}`, [portrait(body)]);
}

export interface ReportSummary {
  title: string;
  from: string;
  to: string;
  total: number;
  byState: Record<string, number>;
  byColour: Record<string, number>;
  closedOnTime: number;
  closed: number;
}

const REGISTER_WIDTHS = [24, 52, 18, 28, 22, 22, 22, 18, 18, 23];
const REGISTER_HEADER = ['事项编号', '事项', '来源', '主办单位', '责任领导', '完成时限', '状态', '亮牌', '按时', '立项日期'];

function registerCells(l: RegisterLine): string[] {
  return [
    l.itemNumber,
    l.title,
    SOURCE_LABELS[l.sourceKind] ?? l.sourceKind,
    l.leadUnit,
    l.responsibleLeader,
    l.deadline,
    STATE_LABELS[l.state] ?? l.state,
    COLOUR_LABELS[l.colour],
    l.onTime === null ? '' : l.onTime ? '是' : '否',
    l.registeredAt.slice(0, 10),
  ];
}

/** 督查通报: the period's figures, then every item with its status and colour. */
export async function reportDocx(summary: ReportSummary, lines: RegisterLine[]): Promise<Buffer> {
  const rate = summary.closed ? `${Math.round((summary.closedOnTime / summary.closed) * 1000) / 10}%` : '—';
  const head = [
    para(summary.title, 22, { font: FONTS.title, align: AlignmentType.CENTER, after: 200 }),
    para(`（${cnDate(summary.from)}至${cnDate(summary.to)}）`, 16, { font: FONTS.fang, align: AlignmentType.CENTER, after: 200 }),
    para(
      `　　本期督办事项共${summary.total}件：${Object.entries(summary.byState)
        .map(([s, n]) => `${STATE_LABELS[s] ?? s}${n}件`)
        .join('，')}。亮牌情况：${Object.entries(summary.byColour)
        .map(([c, n]) => `${COLOUR_LABELS[c as Colour] ?? c}${n}件`)
        .join('，')}。已办结${summary.closed}件，按时办结率${rate}。`,
      16,
      { font: FONTS.fang, after: 200 },
    ),
    table(REGISTER_WIDTHS, [{ cells: REGISTER_HEADER, header: true, height: 10 }], 10),
  ];
  const docx = await pack(summary.title, [landscape(head, true)]);
  return appendRows(
    docx,
    rowsXml(
      REGISTER_WIDTHS,
      lines.map((l) => ({ cells: registerCells(l) })),
      10,
    ),
  );
}

/** 督查事项登记簿 for a period. */
export async function registerDocx(from: string, to: string, lines: RegisterLine[]): Promise<Buffer> {
  const head = [
    para('督查事项登记簿', 22, { font: FONTS.title, align: AlignmentType.CENTER, after: 100 }),
    para(`${cnDate(from)}至${cnDate(to)}`, 14, { font: FONTS.fang, align: AlignmentType.CENTER, after: 200 }),
    table(REGISTER_WIDTHS, [{ cells: REGISTER_HEADER, header: true, height: 10 }], 10),
  ];
  const docx = await pack(`督查事项登记簿 ${from}—${to}`, [landscape(head, true)]);
  return appendRows(
    docx,
    rowsXml(
      REGISTER_WIDTHS,
      lines.map((l) => ({ cells: registerCells(l) })),
      10,
    ),
  );
}

const CSV_HEADER = [
  '事项编号',
  '事项',
  '来源',
  '批示领导',
  '批示内容',
  '任务要求',
  '主办单位',
  '协办单位',
  '责任领导',
  '完成时限',
  '反馈频次',
  '成果形式',
  '状态',
  '亮牌',
  '立项时间',
  '办结时间',
  '按时办结',
];

/** A CSV field: quoted, and a leading =, +, - or @ defused (a spreadsheet would run it as a formula). */
function csvField(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** The register as CSV (UTF-8 with BOM, which spreadsheet programs need to read Chinese). */
export function registerCsv(lines: RegisterLine[]): string {
  const rows = lines.map((l) => [
    l.itemNumber,
    l.title,
    SOURCE_LABELS[l.sourceKind] ?? l.sourceKind,
    l.instructingLeader,
    l.instructionText,
    l.requirements,
    l.leadUnit,
    l.assistingUnits.join('、'),
    l.responsibleLeader,
    l.deadline,
    CADENCE_LABELS[l.cadence] ?? l.cadence,
    l.resultForm,
    STATE_LABELS[l.state] ?? l.state,
    COLOUR_LABELS[l.colour],
    l.registeredAt,
    l.closedAt ?? '',
    l.onTime === null ? '' : l.onTime ? '是' : '否',
  ]);
  return '\uFEFF' + [CSV_HEADER, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
