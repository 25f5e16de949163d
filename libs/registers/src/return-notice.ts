/**
 * 退文告知单: the notice printed when an external document fails the first check (初审) and is returned to its
 * sender, naming the checks of the Regulation (党政机关公文处理工作条例, art. 24) it failed and the reasons.
 */
import { chineseNumeral, sanitizeFileName } from '#gongwen/docx/text';
import { RegisterDataError, chineseDay, required } from './format.js';
import { officialSheetDocx, paragraphs } from './official.js';

/** The five checks of the first check (初审), art. 24 of the 2012 Regulation, by number. */
export const FIRST_CHECKS = {
  1: '是否应当由本机关办理',
  2: '是否符合行文规则',
  3: '文种、格式是否符合要求',
  4: '涉及其他地区或者部门职权范围内的事项是否已经协商、会签',
  5: '是否符合公文起草的其他要求',
} as const;
export type FirstCheckNumber = keyof typeof FIRST_CHECKS;

export interface ReturnNotice {
  /** The unit that returns the document (the receiving unit). */
  returningUnit: string;
  /** The document: 来文单位, 来文字号, 标题, 收文日期 (an instant or a date). */
  senderName: string;
  senderNumber?: string | null;
  title: string;
  receivedAt: string;
  /** 收文编号, when the item was registered before the check. */
  receiveNumber?: string | null;
  /** The checks it failed (1..5); printed in number order. */
  failedChecks: readonly FirstCheckNumber[];
  /** 退文理由 (line breaks start new paragraphs). */
  reason: string;
  /** The date of the return (an instant or a date). */
  returnedAt: string;
  /** 经办人 (the registrar) and a telephone number. */
  registrar: string;
  phone?: string | null;
}

/** The failed checks in number order, each once; throws on a number outside 1..5. */
export function failedChecksText(checks: readonly number[]): string[] {
  const set = [...new Set(checks)].sort((a, b) => a - b);
  for (const n of set) if (!(n in FIRST_CHECKS)) throw new RegisterDataError(`no first check number ${n} (1 to 5)`);
  return set.map((n) => `第${n}项：${FIRST_CHECKS[n as FirstCheckNumber]}。`);
}

/** The 退文告知单 as DOCX (official layout, one page for a usual reason). */
export async function returnNoticeDocx(notice: ReturnNotice): Promise<Buffer> {
  const where = 'return notice';
  const unit = required(notice.returningUnit, 'returningUnit', where);
  const sender = required(notice.senderName, 'senderName', where);
  const title = required(notice.title, 'title', where);
  const reason = required(notice.reason, 'reason', where);
  const registrar = required(notice.registrar, 'registrar', where);
  const received = chineseDay(required(notice.receivedAt, 'receivedAt', where));
  const checks = failedChecksText(notice.failedChecks);
  const number = notice.senderNumber?.trim();
  // One page for a usual reason: the document is named in the opening sentence (its sender is the addressee), the
  // failed checks and the reasons follow, each check by its number in art. 24 and its text.
  const receiveNumber = notice.receiveNumber?.trim();
  const blocks = [
    ...paragraphs(
      `你单位《${title}》${number ? `（${number}）` : ''}已于${received}收悉${receiveNumber ? `（收文编号：${receiveNumber}）` : ''}。` +
        `经初审，该文${checks.length ? '有下列情形，' : ''}不符合《党政机关公文处理工作条例》第二十四条的规定，现予退回${checks.length ? '：' : '。'}`,
    ),
    ...paragraphs(checks.map((c, i) => `（${chineseNumeral(i + 1)}）${c}`).join('\n')),
    ...paragraphs(
      reason
        .split(/\r?\n/)
        .map((t, i) => (i === 0 ? `退文理由：${t}` : t))
        .join('\n'),
    ),
    ...paragraphs('请按有关规定修改完善后，重新报送。'),
  ];
  return officialSheetDocx({
    title: '退文告知单',
    recipient: sender,
    blocks,
    signer: unit,
    date: notice.returnedAt,
    note: `经办人：${registrar}${notice.phone?.trim() ? `；联系电话：${notice.phone.trim()}` : ''}`,
    subject: `退文告知单 ${number ?? ''} ${title}`.trim(),
  });
}

/** The download name: `退文告知单 区财政局〔2026〕3号 关于….docx`. */
export function returnNoticeFileName(notice: Pick<ReturnNotice, 'senderNumber' | 'title'>): string {
  return `${sanitizeFileName(['退文告知单', notice.senderNumber?.trim(), notice.title.trim()].filter(Boolean).join(' '))}.docx`;
}
